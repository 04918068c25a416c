//! What the server's processes say to each other: requests (connection to
//! manager, forwarded to a list), replies, and the events that drive a
//! connection.

use std::fmt;

/// Writes one item (or one name) of a `LIST` (or `LISTS`) reply into the
/// buffer. The caller chooses the format, so the domain knows nothing of
/// the wire protocol and the reply is written once, straight into the
/// buffer that travels back.
pub type WriteItem = fn(&mut Vec<u8>, &[u8]);

/// Every message of the server.
pub enum Msg {
    /// Add `item` to list `name`, creating the list if needed.
    Put {
        /// The list.
        name: Name,
        /// The item, already in the form the list keeps.
        item: Box<[u8]>,
        /// The manager already counted the item's memory (it created the
        /// list for it, and paid for both at once).
        prepaid: bool,
    },
    /// Write the list's items, newest first, into `out` with `write`.
    List {
        /// The list.
        name: Name,
        /// A buffer lent by the caller, sent back in `Rendered`.
        out: Vec<u8>,
        /// How to write each item.
        write: WriteItem,
    },
    /// Create list `name` if it does not exist.
    Create {
        /// The list.
        name: Name,
    },
    /// Remove the newest copy of `item` from list `name`.
    Del {
        /// The list.
        name: Name,
        /// The item to remove.
        item: Box<[u8]>,
    },
    /// Stop the list's process normally.
    Drop {
        /// The list.
        name: Name,
    },
    /// Kill the list's process, as a crash would.
    Kill {
        /// The list.
        name: Name,
    },
    /// Write every list name, sorted bytewise, into `out` with `write`.
    Lists {
        /// A buffer lent by the caller, sent back in `Rendered`.
        out: Vec<u8>,
        /// How to write each name.
        write: WriteItem,
    },
    /// Reply: how a request went.
    Done(Outcome),
    /// Reply: the lent buffer, with the data written.
    Rendered(Vec<u8>),
    /// To a connection, from the poll loop: its socket is ready.
    Ready {
        /// Bytes (or EOF) may be waiting.
        readable: bool,
        /// The socket can take more bytes.
        writable: bool,
        /// The peer closed or reset (its EOF must be read).
        closed: bool,
    },
    /// To a connection, from itself: go on with the requests it left for
    /// the next loop pass, to let others have their turn.
    Resume,
    /// To a connection, from itself: stop waiting for the peer to close.
    Linger,
    /// To a connection, from itself: see whether it has been idle too long.
    IdleCheck,
    /// To a connection, from itself: the pass it closed in is over; exit.
    Close,
    /// To a connection, from the poll loop: the queue has drained; write
    /// your output now, once.
    Flush,
    /// To a connection, from the poll loop: the server is stopping; answer
    /// what was received, flush, and close.
    Drain,
}

/// How a request went.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Outcome {
    /// Done.
    Ok,
    /// No such list, or no such item.
    NotFound,
    /// Storing it would pass the memory limit; nothing was stored.
    OutOfMemory,
    /// A request the receiver does not handle (a bug, logged).
    Invalid,
}

impl fmt::Debug for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Msg::Put { name, item, .. } => {
                write!(f, "Put({name:?}, {:?})", String::from_utf8_lossy(item))
            }
            Msg::List { name, .. } => write!(f, "List({name:?})"),
            Msg::Create { name } => write!(f, "Create({name:?})"),
            Msg::Del { name, item } => {
                write!(f, "Del({name:?}, {:?})", String::from_utf8_lossy(item))
            }
            Msg::Drop { name } => write!(f, "Drop({name:?})"),
            Msg::Kill { name } => write!(f, "Kill({name:?})"),
            Msg::Lists { .. } => f.write_str("Lists"),
            Msg::Done(outcome) => write!(f, "Done({outcome:?})"),
            Msg::Rendered(out) => write!(f, "Rendered({:?})", String::from_utf8_lossy(out)),
            Msg::Ready {
                readable,
                writable,
                closed,
            } => write!(f, "Ready(r={readable}, w={writable}, closed={closed})"),
            Msg::Resume => f.write_str("Resume"),
            Msg::Linger => f.write_str("Linger"),
            Msg::IdleCheck => f.write_str("IdleCheck"),
            Msg::Close => f.write_str("Close"),
            Msg::Flush => f.write_str("Flush"),
            Msg::Drain => f.write_str("Drain"),
        }
    }
}

/// Longest name kept inline.
const INLINE: usize = 22;

/// A list name: kept inline up to 22 bytes (24 bytes in all), so that
/// sending a request, looking a list up, and keeping it in the manager's
/// table allocate nothing for the usual short names; longer ones (the
/// protocol allows 255) go to the heap. Hashes and compares as its bytes,
/// so a table keyed by `Name` is searched with a `&[u8]`.
#[derive(Clone)]
pub struct Name(Repr);

#[derive(Clone)]
enum Repr {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<[u8]>),
}

impl Name {
    /// Copies `bytes` into a name.
    pub fn new(bytes: &[u8]) -> Name {
        if bytes.len() <= INLINE {
            let mut inline = [0; INLINE];
            inline[..bytes.len()].copy_from_slice(bytes);
            Name(Repr::Inline {
                len: bytes.len() as u8,
                bytes: inline,
            })
        } else {
            Name(Repr::Heap(bytes.into()))
        }
    }

    /// The name's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, bytes } => &bytes[..*len as usize],
            Repr::Heap(bytes) => bytes,
        }
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Name {}

impl std::hash::Hash for Name {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // As `[u8]` hashes, which `Borrow<[u8]>` requires.
        self.as_bytes().hash(state);
    }
}

impl std::borrow::Borrow<[u8]> for Name {
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_inline_and_on_the_heap() {
        for len in [0, 1, 22, 23, 255] {
            let bytes: Vec<u8> = (0..len).map(|i| i as u8).collect();
            assert_eq!(Name::new(&bytes).as_bytes(), &bytes[..]);
        }
        assert_eq!(std::mem::size_of::<Name>(), 24);
    }

    #[test]
    fn names_are_found_by_their_bytes() {
        let mut table = std::collections::HashMap::new();
        table.insert(Name::new(b"short"), 1);
        table.insert(Name::new(&[b'l'; 40]), 2);
        assert_eq!(table.get(&b"short"[..]), Some(&1));
        assert_eq!(table.get(&[b'l'; 40][..]), Some(&2));
        assert_eq!(table.get(&b"shor"[..]), None);
        assert_eq!(Name::new(b"x"), Name::new(b"x"));
    }
}
