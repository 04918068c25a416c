//! What the domain's processes say: requests (from a client's process to
//! the manager, forwarded to a list) and their replies. Nothing here knows
//! of sockets: the server wraps these in its own message type beside the
//! connections' events.

use std::fmt;

use super::items::Snapshot;
use super::keys::Matching;
use super::list::Job;
use super::name::{Item, Name};
use super::names::NamesSnapshot;

/// Writes one item (or one name) of a `LIST` (or `LISTS`) reply into the
/// buffer. The caller chooses the format, so the domain knows nothing of
/// the wire protocol and the reply is written once, straight into the
/// buffer that travels back.
pub type WriteItem = fn(&mut Vec<u8>, &[u8]);

/// Writes the header of a reply of `count` items (RESP's `*<count>`).
pub type WriteCount = fn(&mut Vec<u8>, u64);

/// How a reply of items is written, in the caller's wire format: its
/// header, and each item. Messages carry a reference to one, which keeps
/// them small (every message travels in the queue).
#[derive(Debug)]
pub struct Format {
    /// How to write the header, with the number of items.
    pub header: WriteCount,
    /// How to write each item (or name).
    pub item: WriteItem,
}

/// Which end of a list: the head, where the newest item is (index 0, where
/// `PUT` and `LPUSH` add and `LPOP` takes), or the tail (`RPUSH`, `RPOP`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The newest end.
    Head,
    /// The oldest end.
    Tail,
}

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
    /// Write the list's items, newest first, into `out` with `write`,
    /// after `header`: reply `Rendered`; or, if that would take more than
    /// `room` bytes, a `Listing` to read in pieces; or, if not even that
    /// fits, `NeedsRoom`.
    List {
        /// The list.
        name: Name,
        /// Bytes the reply may take at once.
        room: u32,
        /// A buffer lent by the caller, sent back in `Rendered`.
        out: Vec<u8>,
        /// How to write the header and each item.
        format: &'static Format,
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
    /// Write every list name, sorted bytewise, into `out` with `write`,
    /// after `header`.
    Lists {
        /// Bytes the reply may take at once; past that, a `Listing`.
        room: u32,
        /// A buffer lent by the caller, sent back in `Rendered`.
        out: Vec<u8>,
        /// How to write the header and each name.
        format: &'static Format,
    },
    /// Reply: how a request went.
    Done(Outcome),
    /// Reply: the lent buffer, with the data written.
    Rendered(Vec<u8>),
    /// Reply: too much to write at once (a big list's items, or many
    /// names): the data as it was when the request was served, to be read
    /// in pieces as the client takes them.
    Listing(Box<Listing>),
    /// Reply: the room given was too small even to begin the reply; ask
    /// again with this many bytes.
    NeedsRoom(usize),
    /// To a list, from itself: go on with the long operation it began, a
    /// slice per loop pass.
    Continue(Box<Job>),
    /// Add `items` at `end` of list `name`, in order, creating the list
    /// (`LPUSH`, `RPUSH`): reply `Count`, its length after.
    Push {
        /// The list.
        name: Name,
        /// The items.
        items: Vec<Item>,
        /// Where they go.
        end: End,
        /// The manager already counted their memory (it created the list
        /// for them).
        prepaid: bool,
    },
    /// The items from index `start` to `stop` of list `name`, Redis's
    /// indexes (0 the newest, negative from the oldest), written with
    /// `write` after `header` (`LRANGE`): reply `Rendered`, or a `Listing`
    /// to read in pieces.
    Range {
        /// The list.
        name: Name,
        /// The first index.
        start: i64,
        /// The last index, included.
        stop: i64,
        /// Bytes the reply may take at once (see `List`).
        room: u32,
        /// A buffer lent by the caller, sent back in `Rendered`.
        out: Vec<u8>,
        /// How to write the header and each item.
        format: &'static Format,
    },
    /// How many items list `name` has (`LLEN`): reply `Count`.
    Len {
        /// The list.
        name: Name,
    },
    /// Item `index` of list `name` (`LINDEX`): reply `Value`, or
    /// `Done(NotANumber)` if the index is not one.
    Index {
        /// The list.
        name: Name,
        /// Redis's index: 0 the newest, negative from the oldest; `None`
        /// if the request's was not a number.
        index: Option<i64>,
    },
    /// Remove items equal to `item` from list `name` (`LREM`): up to
    /// `count` from the head if positive, from the tail if negative, all if
    /// 0; reply `Count`, how many went. A list left empty is gone, as in
    /// Redis.
    Remove {
        /// The list.
        name: Name,
        /// How many, and from which end.
        count: i64,
        /// The item.
        item: Item,
    },
    /// Take `count` items (one if `None`) from `end` of list `name`
    /// (`LPOP`, `RPOP`): reply `Popped`, or, if the items would take more
    /// than `room` bytes, a `Listing` to read in pieces. A list left empty
    /// is gone.
    Pop {
        /// The list.
        name: Name,
        /// Which end.
        end: End,
        /// How many.
        count: Option<u64>,
        /// Bytes the reply may take at once.
        room: u32,
    },
    /// Delete these lists (Redis's `DEL`): reply `Count`, how many were.
    DelKeys {
        /// The lists.
        names: Vec<Name>,
    },
    /// How many of these lists exist (`EXISTS`, `TYPE`): reply `Count`.
    Exists {
        /// The lists, a name counted as often as it comes.
        names: Vec<Name>,
    },
    /// The names matching `pattern` (`KEYS`), each written with `write`
    /// after `header`: reply `Rendered` if they fit `room` bytes, else a
    /// `Listing` to count and read in pieces.
    Keys {
        /// A glob-style pattern.
        pattern: Vec<u8>,
        /// Bytes the reply may take at once.
        room: u32,
        /// A buffer lent by the caller, sent back in `Rendered`.
        out: Vec<u8>,
        /// How to write the header and each name.
        format: &'static Format,
    },
    /// Some names from `cursor` on (`SCAN`), each written with `write`:
    /// reply `Scanned`.
    Scan {
        /// Where the last call left off; 0 to start.
        cursor: u64,
        /// Only names matching this glob-style pattern.
        pattern: Option<Vec<u8>>,
        /// About how many names to look at.
        count: usize,
        /// Bytes the reply may take (one name at least).
        room: u32,
        /// A buffer lent by the caller, sent back in `Scanned`.
        out: Vec<u8>,
        /// How to write each name (the header is the caller's).
        format: &'static Format,
    },
    /// How many lists there are (`DBSIZE`): reply `Count`.
    DbSize,
    /// Reply: a number.
    Count(u64),
    /// Reply to `Index`: the item, if there is one there.
    Value(Option<Vec<u8>>),
    /// Reply to `Pop`: the items taken, in order (none if the list is
    /// empty or `count` was 0).
    Popped(Vec<Vec<u8>>),
    /// Reply to `Scan`: the names written into `out`, how many, and where
    /// the next call goes on (0 when done).
    Scanned {
        /// The lent buffer, with the names written.
        out: Vec<u8>,
        /// How many names.
        count: u64,
        /// The next cursor; 0 when every name has been seen.
        cursor: u64,
    },
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
    /// Crash on purpose (`DEBUG CRASH MANAGER`, `DEBUG CRASH LIST name`):
    /// the manager panics, or forwards it to list `name`, which panics.
    Crash {
        /// The list, or `None` for the manager.
        name: Option<Name>,
    },
}

/// Data to be read in pieces, as it was when the request was served.
#[derive(Debug)]
pub enum Listing {
    /// Every list's name, in order.
    Names(NamesSnapshot),
    /// The names that match a pattern (`KEYS`).
    Matching(Box<Matching>),
    /// A list's items, or some of them: `take` of them, after passing
    /// over `skip` (`LIST`, `LRANGE`).
    Range {
        /// The list's items, newest first.
        items: Snapshot,
        /// Items to pass over first.
        skip: u64,
        /// Items to read after them.
        take: u64,
    },
}

impl Listing {
    /// How many items or names the reply holds, if known before it is
    /// read (`Matching` counts its names first).
    pub fn count(&self) -> Option<u64> {
        match self {
            Listing::Names(names) => Some(names.left() as u64),
            Listing::Range { take, .. } => Some(*take),
            Listing::Matching(_) => None,
        }
    }
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
    /// A number in the request is not one (`LINDEX` on a list that
    /// exists, as Redis checks).
    NotANumber,
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
                | Msg::Push { .. }
                | Msg::Remove { .. }
                | Msg::Pop { .. }
                | Msg::DelKeys { .. }
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
            Msg::NeedsRoom(bytes) => write!(f, "NeedsRoom({bytes})"),
            Msg::Continue(job) => write!(f, "Continue({job:?})"),
            Msg::Compact => f.write_str("Compact"),
            Msg::CompactStep => f.write_str("CompactStep"),
            Msg::Snapshot => f.write_str("Snapshot"),
            Msg::Snapshotted { lsn, items } => {
                write!(f, "Snapshotted({lsn}, {} items)", items.left())
            }
            Msg::Crash { name } => write!(f, "Crash({name:?})"),
            Msg::Push {
                name, items, end, ..
            } => write!(f, "Push({name:?}, {} items at {end:?})", items.len()),
            Msg::Range {
                name, start, stop, ..
            } => write!(f, "Range({name:?}, {start}..={stop})"),
            Msg::Len { name } => write!(f, "Len({name:?})"),
            Msg::Index { name, index } => write!(f, "Index({name:?}, {index:?})"),
            Msg::Remove { name, count, item } => write!(f, "Remove({name:?}, {count}, {item:?})"),
            Msg::Pop {
                name, end, count, ..
            } => write!(f, "Pop({name:?}, {end:?}, {count:?})"),
            Msg::DelKeys { names } => write!(f, "DelKeys({names:?})"),
            Msg::Exists { names } => write!(f, "Exists({names:?})"),
            Msg::Keys { pattern, .. } => {
                write!(f, "Keys({:?})", String::from_utf8_lossy(pattern))
            }
            Msg::Scan { cursor, count, .. } => write!(f, "Scan({cursor}, {count})"),
            Msg::DbSize => f.write_str("DbSize"),
            Msg::Count(n) => write!(f, "Count({n})"),
            Msg::Value(v) => write!(f, "Value({:?})", v.as_ref().map(|v| v.len())),
            Msg::Popped(items) => write!(f, "Popped({} items)", items.len()),
            Msg::Scanned { count, cursor, .. } => write!(f, "Scanned({count}, next {cursor})"),
        }
    }
}

#[cfg(test)]
mod tests {
    /// Every message travels in the queue, three hops for a `PUT`: a
    /// bigger one costs every request (80 bytes: 16 more took 8% off
    /// pipelined PUTs). Rare big parts are boxed (`Job`, `Listing`).
    #[test]
    fn a_message_stays_small() {
        assert!(std::mem::size_of::<super::Msg>() <= 80);
    }
}
