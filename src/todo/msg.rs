//! What the domain's processes say: requests (from a client's process to
//! the manager, forwarded to a list) and their replies. Nothing here knows
//! of sockets: the server wraps these in its own message type beside the
//! connections' events.

use std::fmt;

use super::items::{Items, Snapshot};
use super::list::Job;
use super::name::{Item, Name};
use super::names::NamesSnapshot;

/// Writes one item (or one name) of a `LIST` (or `LISTS`) reply into the
/// buffer. The caller chooses the format, so the domain knows nothing of
/// the wire protocol and the reply is written once, straight into the
/// buffer that travels back.
pub type WriteItem = fn(&mut Vec<u8>, &[u8]);

/// Every message of the domain.
pub enum Msg {
    /// Add `item` to list `name`, creating the list if needed.
    Put {
        /// The list.
        name: Name,
        /// The item, already in the form the list keeps.
        item: Item,
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
        item: Item,
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
    /// Reply: too much to write at once (a big list's items, or many
    /// names): the data as it was when the request was served, to be read
    /// in pieces as the client takes them.
    Listing(Listing),
    /// To a list, from itself: go on with the long operation it began, a
    /// slice per loop pass.
    Continue(Job),
    /// Start compacting the log (`COMPACT`, or the server on its own).
    Compact,
    /// To the manager, from itself: the next slice of a compaction.
    CompactStep,
    /// To a list, from the manager compacting: your items as they are.
    Snapshot,
    /// Reply to `Snapshot`: the items, and the number of the first change
    /// they do not reflect.
    Snapshotted {
        /// The log's next change number when the snapshot was taken.
        lsn: u64,
        /// The items.
        items: Snapshot,
    },
    /// To the manager, first thing: the lists rebuilt from the log, in
    /// name order.
    Restore(Box<Vec<(Name, Items)>>),
}

/// Data to be read in pieces, as it was when the request was served.
#[derive(Debug)]
pub enum Listing {
    /// A list's items, newest first.
    Items(Snapshot),
    /// Every list's name, in order.
    Names(NamesSnapshot),
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
    /// The log cannot be written now: the change was refused (or, for a
    /// reply the server rewrites, not made durable).
    Refused,
    /// `COMPACT` with no log (`--in-memory`).
    NotPersistent,
    /// A request the receiver does not handle (a bug, logged).
    Invalid,
}

impl Msg {
    /// A request that changes lists: its `OK` promises that the log holds
    /// the change.
    pub fn changes(&self) -> bool {
        matches!(
            self,
            Msg::Put { .. }
                | Msg::Create { .. }
                | Msg::Del { .. }
                | Msg::Drop { .. }
                | Msg::Kill { .. }
        )
    }
}

impl fmt::Debug for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Msg::Put { name, item, .. } => {
                write!(f, "Put({name:?}, {item:?})")
            }
            Msg::List { name, .. } => write!(f, "List({name:?})"),
            Msg::Create { name } => write!(f, "Create({name:?})"),
            Msg::Del { name, item } => {
                write!(f, "Del({name:?}, {item:?})")
            }
            Msg::Drop { name } => write!(f, "Drop({name:?})"),
            Msg::Kill { name } => write!(f, "Kill({name:?})"),
            Msg::Lists { .. } => f.write_str("Lists"),
            Msg::Done(outcome) => write!(f, "Done({outcome:?})"),
            Msg::Rendered(out) => write!(f, "Rendered({:?})", String::from_utf8_lossy(out)),
            Msg::Listing(listing) => write!(f, "{listing:?}"),
            Msg::Continue(job) => write!(f, "Continue({job:?})"),
            Msg::Compact => f.write_str("Compact"),
            Msg::CompactStep => f.write_str("CompactStep"),
            Msg::Snapshot => f.write_str("Snapshot"),
            Msg::Snapshotted { lsn, items } => {
                write!(f, "Snapshotted({lsn}, {} items)", items.left())
            }
            Msg::Restore(lists) => write!(f, "Restore({} lists)", lists.len()),
        }
    }
}
