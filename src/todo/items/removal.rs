//! Removing items that must be looked for: `DEL` (the newest item equal
//! to one) and `LREM` (up to a count of them, from either end, or all).
//! Both may look through a big list a slice of chunks at a time, saying
//! where they have got to, so that the list process can go on with them
//! on the next loop pass.

use super::{Items, Packed};

/// Where a scan of a big list has got to: how many chunks, from the
/// newest, it has looked through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scan(usize);

/// Where an `LREM` of a big list has got to: how many chunks, from the
/// end it removes from, it has looked through, and how many items it has
/// removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Removal {
    looked: usize,
    removed: u64,
}

impl Removal {
    /// How many items it has removed so far.
    pub fn removed(&self) -> u64 {
        self.removed
    }
}

/// What a slice of an `LREM` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Removing {
    /// Every item it was to remove is gone: this many in all.
    Done(u64),
    /// Not looked everywhere yet: go on from here.
    Partway(Removal),
}

/// What a bounded scan found.
#[derive(Debug, PartialEq, Eq)]
pub enum Scanned {
    /// The item was there, and is removed.
    Removed,
    /// It is nowhere in the list.
    Missing,
    /// Not looked everywhere yet: go on from here.
    Partway(Scan),
}

impl<W: Default> Items<W> {
    /// Looks for the newest item equal to `item`, from `scan` on, through
    /// at most `chunks` chunks of a big list (a small list is looked through
    /// at once), and removes it if found.
    pub fn remove_newest(&mut self, item: &[u8], scan: Scan, chunks: usize) -> Scanned {
        match self {
            Items::Small(packed) => match packed.find_newest(item) {
                Some(start) => {
                    packed.remove_at(start, item.len());
                    Scanned::Removed
                }
                None => Scanned::Missing,
            },
            Items::Big(big) => {
                // Chunk 0 is the head, then the others, newest first.
                let total = big.chunks.len() + 1;
                let end = (scan.0 + chunks).min(total);
                for from_newest in scan.0..end {
                    if from_newest == 0 {
                        if let Some(start) = big.head.find_newest(item) {
                            big.head.remove_at(start, item.len());
                            big.removed(item.len());
                            return Scanned::Removed;
                        }
                        continue;
                    }
                    let index = total - 1 - from_newest;
                    if let Some(start) = big.chunks[index].find_newest(item) {
                        big.chunks[index].make_mut().remove_at(start, item.len());
                        big.removed(item.len());
                        if big.chunks[index].is_empty() {
                            big.chunks.remove(index);
                        }
                        return Scanned::Removed;
                    }
                }
                if end == total {
                    Scanned::Missing
                } else {
                    Scanned::Partway(Scan(end))
                }
            }
        }
    }

    /// Removes up to `count` items equal to `item` (Redis's `LREM`): from
    /// the newest when `count` is positive, from the oldest when negative,
    /// every one when 0. Returns how many went. It looks through the whole
    /// list at once: for replay.
    pub fn remove_matching(&mut self, count: i64, item: &[u8]) -> u64 {
        match self.remove_matching_from(count, item, Removal::default(), usize::MAX) {
            Removing::Done(removed) => removed,
            Removing::Partway(_) => unreachable!("every chunk is looked through"),
        }
    }

    /// One slice of an `LREM` (see `remove_matching`): from where `from`
    /// left off, through at most `chunks` chunks of a big list (a small
    /// list is looked through at once). While a removal is partway, the
    /// list may hold empty chunks: nothing else may change it until the
    /// removal is done.
    pub fn remove_matching_from(
        &mut self,
        count: i64,
        item: &[u8],
        from: Removal,
        chunks: usize,
    ) -> Removing {
        let limit = if count == 0 {
            u64::MAX
        } else {
            count.unsigned_abs()
        };
        let newest_first = count >= 0;
        let take = |packed: &mut Packed, left: u64| -> u64 {
            let mut starts: Vec<usize> = if newest_first {
                let found = packed.entries_newest_first().filter(|(_, i)| *i == item);
                found.map(|(s, _)| s).collect()
            } else {
                let found = packed.entries_oldest_first().filter(|(_, i)| *i == item);
                found.map(|(s, _)| s).collect()
            };
            starts.truncate(usize::try_from(left).unwrap_or(usize::MAX));
            // From the back, so that each start stays where it was.
            starts.sort_unstable_by(|a, b| b.cmp(a));
            for &start in &starts {
                packed.remove_at(start, item.len());
            }
            starts.len() as u64
        };
        match self {
            Items::Small(packed) => Removing::Done(take(packed, limit)),
            Items::Big(big) => {
                let mut removed = from.removed;
                // In the order looked through: the head is the newest.
                let total = big.chunks.len() + 1;
                let end = from.looked.saturating_add(chunks).min(total);
                for at in from.looked..end {
                    if removed == limit {
                        break;
                    }
                    let chunk = match (newest_first, at) {
                        (true, 0) => None,
                        (true, at) => Some(total - 1 - at),
                        (false, at) if at == total - 1 => None,
                        (false, at) => Some(at),
                    };
                    match chunk {
                        None if big.head.find_newest(item).is_some() => {
                            removed += take(&mut big.head, limit - removed)
                        }
                        Some(index) if big.chunks[index].find_newest(item).is_some() => {
                            removed += take(big.chunks[index].make_mut(), limit - removed)
                        }
                        _ => {}
                    }
                }
                let gone = removed - from.removed;
                big.count -= gone;
                big.item_bytes -= gone * item.len() as u64;
                if removed == limit || end == total {
                    big.chunks.retain(|c| !c.is_empty());
                    Removing::Done(removed)
                } else {
                    Removing::Partway(Removal {
                        looked: end,
                        removed,
                    })
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::todo::cow::Orphans;

    /// A big list: 100 bytes of `a`, `b` and `c` in turn, 6,000 of them,
    /// in some 75 chunks.
    fn big() -> Items {
        let orphans = Orphans::default();
        let mut items = Items::default();
        for i in 0..6_000 {
            items.push_newest(&[b"abc"[i % 3]; 100], &orphans);
        }
        items
    }

    fn all(items: &Items) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        items.each_in_range(0, items.len(), |item| {
            out.push(item.to_vec());
            true
        });
        out
    }

    #[test]
    fn an_lrem_in_slices_removes_what_it_would_at_once() {
        for count in [0, 1, 5, -5, 1_500, -1_500, 3_000, -3_000] {
            let mut at_once = big();
            let removed = at_once.remove_matching(count, &[b'b'; 100]);
            let mut sliced = big();
            let mut removal = Removal::default();
            let mut slices = 0;
            let sliced_removed = loop {
                slices += 1;
                match sliced.remove_matching_from(count, &[b'b'; 100], removal, 1) {
                    Removing::Done(n) => break n,
                    Removing::Partway(next) => removal = next,
                }
            };
            assert_eq!(sliced_removed, removed, "LREM {count}");
            assert_eq!(sliced.len(), at_once.len(), "LREM {count}");
            assert_eq!(all(&sliced), all(&at_once), "LREM {count}");
            if count == 0 {
                assert!(slices > 10, "one chunk a slice: {slices}");
            }
        }
    }
}
