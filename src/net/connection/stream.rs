//! A big reply produced in bounded pieces as the socket drains: a `LIST` of
//! a big list, or a `LISTS` of many names. The data is a snapshot taken
//! when the request was served (shared chunks, no copy), so the reply is
//! the state at that moment however the lists change meanwhile; rendering
//! a piece only when the socket can take it keeps a slow reader from
//! costing more than one piece of memory.

use crate::protocol::reply;
use crate::todo::Listing;

/// A reply being produced.
#[derive(Debug)]
pub(super) struct Stream {
    listing: Listing,
}

impl Stream {
    /// The reply to a request whose answer is `listing`.
    pub(super) fn new(listing: Listing) -> Stream {
        Stream { listing }
    }

    /// Renders into `out` until about `piece` bytes are added or the reply
    /// is complete (its terminal line written). Returns whether complete.
    pub(super) fn produce(&mut self, out: &mut Vec<u8>, piece: usize) -> bool {
        let limit = out.len() + piece;
        let done = match &mut self.listing {
            Listing::Items(items) => {
                items.read(|item| fits(out, limit, item));
                items.left() == 0
            }
            Listing::Names(names) => {
                names.read(|name| fits(out, limit, name.as_bytes()));
                names.left() == 0
            }
        };
        if done {
            reply::ok(out);
        }
        done
    }

    /// Bytes the snapshot holds alone (a copy, not shared with the list):
    /// the connection's to count.
    pub(super) fn own_bytes(&self) -> usize {
        match &self.listing {
            Listing::Items(items) => items.own_bytes(),
            Listing::Names(_) => 0,
        }
    }

    /// Bytes of data not yet rendered, roughly: what the snapshot pins.
    pub(super) fn bytes_left(&self) -> usize {
        match &self.listing {
            Listing::Items(items) => items.bytes_left(),
            Listing::Names(names) => names.left() * 32,
        }
    }
}

/// Writes one data line if the piece has room for it (a first line always
/// fits, so that a line bigger than a piece still goes out).
fn fits(out: &mut Vec<u8>, limit: usize, bytes: &[u8]) -> bool {
    if out.len() >= limit {
        return false;
    }
    reply::data_line(out, bytes);
    true
}
