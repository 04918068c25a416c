//! A list's items, newest at the head. A small list keeps them in one
//! packed buffer (`packed.rs`), one allocation; past `CHUNK` bytes they
//! move to a deque of copy-on-write chunks of about `CHUNK` bytes each
//! (`cow.rs`), so that a snapshot of a big list (a `LIST` streamed to a slow
//! reader, a compaction) shares them instead of copying, and a change
//! copies only the chunk it touches.
//!
//! A big list counts its items and their bytes, so that its length and its
//! cost are known without a walk, and keeps beside its chunks whatever its
//! owner needs only for big lists (`W`: the list process keeps the long
//! operation it has under way there, since only a big list takes long
//! enough to need one, and a small list's process stays 24 bytes).
//! Pops are in `pops.rs`; removals that must look for their items, in
//! `removal.rs`.

use std::collections::VecDeque;

pub use self::removal::{Removal, Removing, Scan, Scanned};
use super::cow::{Frozen, Orphans, Owned};
use super::packed::{entry_size, Packed};
pub use super::snapshot::Snapshot;

mod pops;
mod removal;

/// Bytes of one chunk (and the most a small list holds): Redis's listpack
/// size for lists.
pub const CHUNK: usize = 8 * 1024;

/// A list's items.
#[derive(Debug)]
pub enum Items<W = ()> {
    /// Up to `CHUNK` bytes, in one buffer no snapshot shares.
    Small(Packed),
    /// More, in shared chunks.
    Big(Box<Chunked<W>>),
}

/// The items of a big list, in chunks.
#[derive(Debug)]
pub struct Chunked<W> {
    /// The newest items, in the chunk `PUT` writes to: never shared (a
    /// snapshot copies it), so the hot path is one pointer away.
    head: Packed,
    /// Older chunks, oldest first.
    chunks: VecDeque<Owned<Packed>>,
    count: u64,
    item_bytes: u64,
    /// Where chunks that snapshots alone keep are counted.
    orphans: Orphans,
    /// The owner's own, for big lists only.
    extra: W,
}

impl<W: Default> Default for Items<W> {
    fn default() -> Items<W> {
        Items::Small(Packed::default())
    }
}

impl<W: Default> Items<W> {
    /// How many items.
    pub fn len(&self) -> u64 {
        match self {
            Items::Small(packed) => packed.len() as u64,
            Items::Big(big) => big.count,
        }
    }

    /// No items.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes of all items, lengths excluded.
    pub fn item_bytes(&self) -> u64 {
        match self {
            Items::Small(packed) => packed.item_bytes(),
            Items::Big(big) => big.item_bytes,
        }
    }

    /// The same items, for an owner that keeps `V` beside a big list's
    /// chunks (it starts as `V`'s default).
    pub fn with_extra<V: Default>(self) -> Items<V> {
        match self {
            Items::Small(packed) => Items::Small(packed),
            Items::Big(big) => {
                let Chunked {
                    head,
                    chunks,
                    count,
                    item_bytes,
                    orphans,
                    extra: _,
                } = *big;
                Items::Big(Box::new(Chunked {
                    head,
                    chunks,
                    count,
                    item_bytes,
                    orphans,
                    extra: V::default(),
                }))
            }
        }
    }

    /// What the owner keeps beside a big list's chunks; `None` for a small
    /// list.
    pub fn extra(&mut self) -> Option<&mut W> {
        match self {
            Items::Small(_) => None,
            Items::Big(big) => Some(&mut big.extra),
        }
    }

    /// A list of `items`, oldest first, built in one go: a small one in a
    /// buffer allocated once.
    pub fn from_oldest_first<'a>(
        items: impl ExactSizeIterator<Item = &'a [u8]> + Clone,
        orphans: &Orphans,
    ) -> Items<W> {
        let bytes: usize = items.clone().map(|i| entry_size(i.len())).sum();
        let mut list = if bytes <= CHUNK {
            Items::Small(Packed::with_capacity(bytes))
        } else {
            Items::default()
        };
        for item in items {
            list.push_newest(item, orphans);
        }
        list
    }

    /// Adds `item` as the newest (the head: `PUT`, `LPUSH`).
    pub fn push_newest(&mut self, item: &[u8], orphans: &Orphans) {
        match self {
            Items::Small(packed) if packed.fits(item.len(), CHUNK) => packed.push_newest(item),
            Items::Small(_) => {
                self.make_big(orphans);
                self.push_newest(item, orphans);
            }
            Items::Big(big) => {
                if big.head.capacity() == 0 {
                    big.head = Packed::with_capacity(CHUNK.max(entry_size(item.len())));
                } else if !big.head.fits(item.len(), CHUNK) {
                    let fresh = Packed::with_capacity(CHUNK.max(entry_size(item.len())));
                    let full = std::mem::replace(&mut big.head, fresh);
                    big.chunks.push_back(Owned::new(full, &big.orphans));
                }
                big.head.push_newest(item);
                big.added(item.len());
            }
        }
    }

    /// Adds `item` as the oldest (the tail: `RPUSH`).
    pub fn push_oldest(&mut self, item: &[u8], orphans: &Orphans) {
        match self {
            Items::Small(packed) if packed.fits(item.len(), CHUNK) => packed.push_oldest(item),
            Items::Small(_) => {
                self.make_big(orphans);
                self.push_oldest(item, orphans);
            }
            Items::Big(big) => {
                match big.chunks.front_mut() {
                    Some(first) if first.fits(item.len(), CHUNK) => {
                        first.make_mut().push_oldest(item)
                    }
                    None if big.head.fits(item.len(), CHUNK) => big.head.push_oldest(item),
                    _ => {
                        let mut chunk = Packed::with_capacity(CHUNK.max(entry_size(item.len())));
                        chunk.push_oldest(item);
                        big.chunks.push_front(Owned::new(chunk, &big.orphans));
                    }
                }
                big.added(item.len());
            }
        }
    }

    /// Hands `count` items from `first` (0 the newest) on to `take`, newest
    /// first, until it returns `false`: whole chunks before them are passed
    /// over by their count.
    pub fn each_in_range(&self, first: u64, count: u64, mut take: impl FnMut(&[u8]) -> bool) {
        let (mut skip, mut left) = (first, count);
        // Whether more are wanted after this chunk.
        let mut from = |chunk: &Packed| {
            let len = chunk.len() as u64;
            if skip >= len {
                skip -= len;
                return true;
            }
            for item in chunk.newest_first().skip(skip as usize).take(left as usize) {
                if !take(item) {
                    return false;
                }
                left -= 1;
            }
            skip = 0;
            left > 0
        };
        match self {
            Items::Small(packed) => {
                from(packed);
            }
            Items::Big(big) => {
                if from(&big.head) {
                    for chunk in big.chunks.iter().rev() {
                        if !from(chunk) {
                            break;
                        }
                    }
                }
            }
        }
    }

    /// The item at `index` from the newest (0), if there is one.
    pub fn get(&self, index: u64) -> Option<&[u8]> {
        match self {
            Items::Small(packed) => packed.newest_first().nth(index as usize),
            Items::Big(big) => {
                let mut index = index;
                let chunks =
                    std::iter::once(&big.head).chain(big.chunks.iter().rev().map(|c| &**c));
                for chunk in chunks {
                    let count = chunk.len() as u64;
                    if index < count {
                        return chunk.newest_first().nth(index as usize);
                    }
                    index -= count;
                }
                None
            }
        }
    }

    /// The items as they are now, newest first, for reading later while the
    /// list goes on changing: a big list's chunks are shared, not copied (its
    /// head chunk becomes a shared one, unless it holds under a quarter of a
    /// chunk and no more than `copy_up_to` bytes: that part is copied); a
    /// small list is copied. What is copied is the snapshot's own
    /// (`Snapshot::own_bytes`).
    pub fn snapshot(&mut self, copy_up_to: usize) -> Snapshot {
        let count = self.len();
        let (chunks, own) = match self {
            Items::Small(packed) => (vec![Frozen::alone(packed.clone())], packed.capacity()),
            Items::Big(big) => {
                let mut own = 0;
                let small_head = big.head.used() < CHUNK / 4 && big.head.capacity() <= copy_up_to;
                let head = if !small_head {
                    let head = std::mem::take(&mut big.head);
                    big.chunks.push_back(Owned::new(head, &big.orphans));
                    None
                } else {
                    own = big.head.capacity();
                    Some(Frozen::alone(big.head.clone()))
                };
                let shared = big.chunks.iter().rev().map(Owned::freeze);
                (head.into_iter().chain(shared).collect(), own)
            }
        };
        Snapshot::new(chunks, count, own)
    }

    /// Moves a small list's items into the first chunk of a big one.
    fn make_big(&mut self, orphans: &Orphans) {
        if let Items::Small(packed) = self {
            let head = std::mem::take(packed);
            let count = head.len() as u64;
            let item_bytes = head.item_bytes();
            *self = Items::Big(Box::new(Chunked {
                head,
                chunks: VecDeque::new(),
                count,
                item_bytes,
                orphans: orphans.clone(),
                extra: W::default(),
            }));
        }
    }

    /// A big list that has shrunk to one small chunk becomes small again,
    /// and what its owner kept beside it is dropped: call this only when
    /// that holds nothing (removals leave it to the owner).
    pub fn settle(&mut self) {
        let Items::Big(big) = self else { return };
        let small = match big.chunks.len() {
            0 => big.head.used() <= CHUNK / 2,
            1 => big.head.is_empty() && big.chunks[0].used() <= CHUNK / 2,
            _ => false,
        };
        if small {
            let packed = match big.chunks.pop_front() {
                Some(chunk) => chunk.into_inner(),
                None => std::mem::take(&mut big.head),
            };
            *self = Items::Small(packed);
        }
    }
}

impl<W> Chunked<W> {
    /// An item of `len` bytes joined the list.
    fn added(&mut self, len: usize) {
        self.count += 1;
        self.item_bytes += len as u64;
    }

    /// An item of `len` bytes left the list.
    fn removed(&mut self, len: usize) {
        self.count -= 1;
        self.item_bytes -= len as u64;
    }
}
