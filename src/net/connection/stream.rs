//! A big reply produced in bounded pieces as the socket drains: a `LIST` or
//! `LRANGE` of a big list, or a `LISTS` of many names. The data is a
//! snapshot taken when the request was served (shared chunks, no copy), so
//! the reply is the state at that moment however the lists change
//! meanwhile; rendering a piece only when the socket can take it keeps a
//! slow reader from costing more than one piece of memory. It is written
//! in the framing of its request: data lines then `OK`, or a RESP array
//! whose header goes first.

use crate::protocol::reply;
use crate::protocol::resp::reply as resp;
use crate::todo::Listing;

/// The framing a reply is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Wire {
    /// `* <item>` lines, then `OK`.
    Lines,
    /// A RESP array of bulk strings.
    Resp,
}

/// A reply being produced.
#[derive(Debug)]
pub(super) struct Stream {
    listing: Listing,
    wire: Wire,
}

impl Stream {
    /// The reply to a request whose answer is `listing`; a RESP array's
    /// header is written into `out` now.
    pub(super) fn new(listing: Listing, wire: Wire, out: &mut Vec<u8>) -> Stream {
        if wire == Wire::Resp {
            resp::array(out, listing.count());
        }
        Stream { listing, wire }
    }

    /// Renders into `out` until about `piece` bytes are added (or looked
    /// at, passing over items) or the reply is complete (its terminal line
    /// written). Returns whether complete.
    pub(super) fn produce(&mut self, out: &mut Vec<u8>, piece: usize) -> bool {
        let limit = out.len() + piece;
        let wire = self.wire;
        let done = match &mut self.listing {
            Listing::Items(items) => {
                items.read(|item| fits(out, limit, item, wire));
                items.left() == 0
            }
            Listing::Names(names) => {
                names.read(|name| fits(out, limit, name.as_bytes(), wire));
                names.left() == 0
            }
            Listing::Range { items, skip, take } => {
                if *skip > 0 {
                    *skip -= items.skip(*skip, piece);
                }
                if *skip == 0 {
                    items.truncate(*take);
                    items.read(|item| fits(out, limit, item, wire));
                    items.left() == 0
                } else {
                    false
                }
            }
        };
        if done && wire == Wire::Lines {
            reply::ok(out);
        }
        done
    }

    /// Bytes the snapshot holds alone (a copy, not shared with the list):
    /// the connection's to count.
    pub(super) fn own_bytes(&self) -> usize {
        match &self.listing {
            Listing::Items(items) | Listing::Range { items, .. } => items.own_bytes(),
            Listing::Names(_) => 0,
        }
    }

    /// Bytes of data not yet rendered, roughly: what the snapshot pins.
    pub(super) fn bytes_left(&self) -> usize {
        match &self.listing {
            Listing::Items(items) | Listing::Range { items, .. } => items.bytes_left(),
            Listing::Names(names) => names.left() * 32,
        }
    }
}

/// Writes one item if the piece has room for it (a first item always
/// fits, so that one bigger than a piece still goes out).
fn fits(out: &mut Vec<u8>, limit: usize, bytes: &[u8], wire: Wire) -> bool {
    if out.len() >= limit {
        return false;
    }
    match wire {
        Wire::Lines => reply::data_line(out, bytes),
        Wire::Resp => resp::bulk(out, bytes),
    }
    true
}
