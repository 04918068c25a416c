//! A big reply produced in bounded pieces as the socket drains: a `LIST` or
//! `LRANGE` of a big list, a `LISTS` of many names, or the names that
//! match a `KEYS` pattern (counted first, a slice at a time, since RESP
//! says how many before it says which). The data is a
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

/// Bytes of data looked at by one call of `produce` that writes nothing
/// (items passed over, names counted): some tens of microseconds.
const LOOK: usize = 64 * 1024;

/// A reply being produced.
#[derive(Debug)]
pub(super) struct Stream {
    listing: Listing,
    wire: Wire,
    /// A RESP array's header is still to be written (its count was not
    /// known when the reply began).
    header_due: bool,
}

/// What producing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Produced {
    /// The reply is complete.
    Done,
    /// Some of it (perhaps only counting or passing over items): more to
    /// come.
    More,
    /// Nothing: the next item needs more room than there is.
    NoRoom,
}

impl Stream {
    /// The reply to a request whose answer is `listing`; a RESP array's
    /// header is written into `out` now, if its count is known.
    pub(super) fn new(listing: Listing, wire: Wire, out: &mut Vec<u8>) -> Stream {
        let mut header_due = wire == Wire::Resp;
        if let (true, Some(count)) = (header_due, listing.count()) {
            resp::array(out, count);
            header_due = false;
        }
        Stream {
            listing,
            wire,
            header_due,
        }
    }

    /// Renders into `out` until about `piece` bytes are added (or looked
    /// at, passing over items or counting names) or the reply is complete
    /// (its terminal line written). An item bigger than `piece` goes out
    /// alone if it fits `room`, the most the connection may hold more; if
    /// it does not, nothing is added until there is room.
    pub(super) fn produce(&mut self, out: &mut Vec<u8>, piece: usize, room: usize) -> Produced {
        // Exactly: the budget counts the buffer's capacity.
        out.reserve_exact(piece);
        let piece = Piece {
            start: out.len(),
            limit: out.len() + piece,
            room,
            wire: self.wire,
        };
        let done = match &mut self.listing {
            Listing::Names(names) => {
                names.read(|name| piece.fits(out, name.as_bytes()));
                names.left() == 0
            }
            Listing::Range { items, skip, take } => {
                if *skip > 0 {
                    *skip -= items.skip(*skip, LOOK);
                    if *skip > 0 {
                        return Produced::More;
                    }
                }
                items.truncate(*take);
                items.read(|item| piece.fits(out, item));
                items.left() == 0
            }
            Listing::Matching(matching) => {
                if matching.count(LOOK).is_none() {
                    return Produced::More;
                }
                if self.header_due {
                    resp::array(out, matching.total());
                    self.header_due = false;
                }
                let refused = matching.read(LOOK, |name| piece.fits(out, name));
                if refused && out.len() == piece.start {
                    return Produced::NoRoom;
                }
                matching.done()
            }
        };
        if done {
            if self.wire == Wire::Lines {
                reply::ok(out);
            }
            Produced::Done
        } else if out.len() == piece.start {
            if let Listing::Matching(_) = self.listing {
                // Only names passed over that did not match.
                return Produced::More;
            }
            Produced::NoRoom
        } else {
            Produced::More
        }
    }

    /// Bytes the snapshot holds alone (a copy, not shared with the list):
    /// the connection's to count.
    pub(super) fn own_bytes(&self) -> usize {
        match &self.listing {
            Listing::Range { items, .. } => items.own_bytes(),
            Listing::Names(_) | Listing::Matching(_) => 0,
        }
    }

    /// Bytes of data not yet rendered, roughly: what the snapshot pins.
    pub(super) fn bytes_left(&self) -> usize {
        match &self.listing {
            Listing::Range { items, .. } => items.bytes_left(),
            Listing::Names(names) => names.left() * 32,
            Listing::Matching(matching) => matching.names_left() * 32,
        }
    }
}

/// One piece being produced.
struct Piece {
    /// Where it began in the output.
    start: usize,
    /// Where it should end.
    limit: usize,
    /// The most the connection may add now, for an item bigger than a
    /// piece.
    room: usize,
    wire: Wire,
}

impl Piece {
    /// Writes one item if the piece has room for it, or if it is the
    /// piece's first and the connection has room for it; `false` to stop.
    fn fits(&self, out: &mut Vec<u8>, bytes: &[u8]) -> bool {
        let size = match self.wire {
            Wire::Lines => bytes.len() + 3,
            Wire::Resp => bytes.len() + 25,
        };
        let first = out.len() == self.start;
        if out.len() + size > self.limit && !(first && size <= self.room) {
            return false;
        }
        if first {
            out.reserve_exact(size);
        }
        match self.wire {
            Wire::Lines => reply::data_line(out, bytes),
            Wire::Resp => resp::bulk(out, bytes),
        }
        true
    }
}
