//! Taking items from either end of a list: one (`LPOP`, `RPOP`), or many
//! at once (with a count), as a snapshot of what was taken, in the order
//! the reply gives it. Many are taken whole chunks at a time: a chunk
//! taken whole goes to the snapshot as it is, and only a chunk taken in
//! part is split, so taking a million items copies at most two chunks'
//! worth (their lengths are still read, to count their bytes). What was
//! taken lives on for the reply alone: it is counted as orphaned
//! (`cow.rs`), in the clients' share, until the reply is sent.

use super::{Frozen, Items, Orphans, Owned, Packed, Snapshot};
use crate::todo::msg::End;

impl<W: Default> Items<W> {
    /// Removes and returns the newest item.
    pub fn pop_newest(&mut self) -> Option<Vec<u8>> {
        match self {
            Items::Small(packed) => packed.pop_newest(),
            Items::Big(big) => {
                if big.head.is_empty() {
                    big.head = big.chunks.pop_back()?.into_inner();
                }
                let item = big.head.pop_newest()?;
                big.removed(item.len());
                Some(item)
            }
        }
    }

    /// Removes and returns the oldest item.
    pub fn pop_oldest(&mut self) -> Option<Vec<u8>> {
        match self {
            Items::Small(packed) => packed.pop_oldest(),
            Items::Big(big) => {
                let item = match big.chunks.front_mut() {
                    Some(first) => {
                        let item = first.make_mut().pop_oldest();
                        if first.is_empty() {
                            big.chunks.pop_front();
                        }
                        item
                    }
                    None => big.head.pop_oldest(),
                }?;
                big.removed(item.len());
                Some(item)
            }
        }
    }

    /// Takes the `n` items at `end` (no more than there are), and gives
    /// them in the order they were taken: the newest first from the head,
    /// the oldest first from the tail. Returns them, and their bytes
    /// (lengths excluded). What it takes is counted in `orphans` until the
    /// reply lets go of it.
    pub fn take(&mut self, end: End, n: u64, orphans: &Orphans) -> (Snapshot, u64) {
        let n = n.min(self.len());
        let mut pieces: Vec<Frozen<Packed>> = Vec::new();
        let mut bytes = 0;
        let mut give = |packed: &Owned<Packed>| {
            bytes += packed.item_bytes();
            pieces.push(packed.freeze());
        };
        match self {
            Items::Small(packed) => {
                let part = split(packed, end, n as usize);
                give(&Owned::new(part, orphans));
            }
            Items::Big(big) => {
                let mut left = n;
                // Heads first: the head chunk holds the newest items.
                let from_head = |head: &mut Packed, left: &mut u64| {
                    let part = split(head, end, *left as usize);
                    *left -= part.len() as u64;
                    Owned::new(part, &big.orphans)
                };
                if end == End::Head {
                    give(&from_head(&mut big.head, &mut left));
                }
                while left > 0 {
                    let next = match end {
                        End::Head => big.chunks.back_mut(),
                        End::Tail => big.chunks.front_mut(),
                    };
                    let Some(chunk) = next else { break };
                    if chunk.len() as u64 > left {
                        let part = split(chunk.make_mut(), end, left as usize);
                        left = 0;
                        give(&Owned::new(part, &big.orphans));
                        break;
                    }
                    left -= chunk.len() as u64;
                    let whole = match end {
                        End::Head => big.chunks.pop_back(),
                        End::Tail => big.chunks.pop_front(),
                    };
                    // Given to the reply as it is: orphaned as the list
                    // lets go of it here.
                    give(&whole.expect("a chunk was there"));
                }
                if end == End::Tail && left > 0 {
                    give(&from_head(&mut big.head, &mut left));
                }
            }
        }
        if let Items::Big(big) = self {
            big.count -= n;
            big.item_bytes -= bytes;
        }
        let snapshot = match end {
            End::Head => Snapshot::new(pieces, n, 0),
            End::Tail => Snapshot::oldest_first(pieces, n, 0),
        };
        (snapshot, bytes)
    }
}

/// The `n` items at `end` of `packed`, taken out.
fn split(packed: &mut Packed, end: End, n: usize) -> Packed {
    match end {
        End::Head => packed.split_newest(n),
        End::Tail => packed.split_oldest(n),
    }
}
