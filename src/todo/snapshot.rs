//! A list's items as they were at one moment, read later in pieces (a big
//! `LIST` or `LRANGE` streamed to a slow reader, a compaction): the chunks
//! are shared with the list, not copied.

use std::collections::VecDeque;

use super::cow::Frozen;
use super::packed::Packed;

/// A list's items as they were when it was taken, read newest first in
/// pieces (or oldest first: what `RPOP` took): the chunks are shared with
/// the list (or, for a small list, a copy), so the list may change
/// meanwhile.
#[derive(Debug)]
pub struct Snapshot {
    /// In reading order; each is let go of as soon as it is read.
    chunks: VecDeque<Frozen<Packed>>,
    /// Newest first: where in the first chunk the next (older) item ends.
    /// Oldest first: where the next (newer) item starts.
    at: usize,
    oldest_first: bool,
    /// Items not yet read.
    left: u64,
    /// Bytes of the copy it alone holds, if any (a small list, or the
    /// little head of a big one).
    own: usize,
}

impl Snapshot {
    /// `count` items of `chunks`, newest chunk first, read newest first.
    pub(super) fn new(chunks: Vec<Frozen<Packed>>, count: u64, own: usize) -> Snapshot {
        let at = chunks.first().map_or(0, |c| c.used());
        Snapshot {
            chunks: chunks.into(),
            at,
            oldest_first: false,
            left: count,
            own,
        }
    }

    /// `count` items of `chunks`, oldest chunk first, read oldest first.
    pub(super) fn oldest_first(chunks: Vec<Frozen<Packed>>, count: u64, own: usize) -> Snapshot {
        Snapshot {
            chunks: chunks.into(),
            at: 0,
            oldest_first: true,
            left: count,
            own,
        }
    }

    /// The next item to read, and where the one after it is; `None` at the
    /// end of the first chunk.
    fn next_in_first_chunk(&self) -> Option<(usize, &[u8])> {
        let chunk = self.chunks.front()?;
        if self.oldest_first {
            chunk.entry_at(self.at)
        } else {
            chunk.entry_before(self.at)
        }
    }

    /// The first chunk is read: on to the next.
    fn next_chunk(&mut self) {
        self.chunks.pop_front();
        // The copy, if there was one, was the first chunk.
        self.own = 0;
        self.at = match (self.oldest_first, self.chunks.front()) {
            (false, Some(chunk)) => chunk.used(),
            _ => 0,
        };
    }

    /// Bytes it holds alone (a copy), until that part is read.
    pub fn own_bytes(&self) -> usize {
        self.own
    }

    /// Items not yet read.
    pub fn left(&self) -> u64 {
        self.left
    }

    /// Bytes of the entries not yet read (roughly, past `left` items):
    /// what reading the rest costs.
    pub fn bytes_left(&self) -> usize {
        let rest: usize = self.chunks.iter().skip(1).map(|c| c.used()).sum();
        let first = match (self.oldest_first, self.chunks.front()) {
            (true, Some(chunk)) => chunk.used() - self.at,
            (false, Some(_)) => self.at,
            (_, None) => 0,
        };
        rest + first
    }

    /// Reads no more than `n` items from here on.
    pub fn truncate(&mut self, n: u64) {
        self.left = self.left.min(n);
    }

    /// Passes over up to `n` items, looking at no more than about `budget`
    /// bytes one by one (whole chunks not yet begun are passed over by
    /// their count, for nothing): how many it passed.
    pub fn skip(&mut self, n: u64, budget: usize) -> u64 {
        let mut skipped = 0;
        let mut looked = 0;
        while skipped < n && self.left > 0 {
            let Some(chunk) = self.chunks.front() else {
                break;
            };
            let whole = chunk.len() as u64;
            let begun = if self.oldest_first {
                self.at > 0
            } else {
                self.at < chunk.used()
            };
            if !begun && whole <= n - skipped && whole <= self.left {
                self.next_chunk();
                skipped += whole;
                self.left -= whole;
                continue;
            }
            if looked >= budget {
                break;
            }
            self.read(|item| {
                if skipped >= n || looked >= budget {
                    return false;
                }
                looked += item.len() + 2;
                skipped += 1;
                true
            });
        }
        skipped
    }

    /// Hands the next items, in its order, to `take` until it returns
    /// `false` (it had enough: that item is not consumed) or none is left.
    pub fn read(&mut self, mut take: impl FnMut(&[u8]) -> bool) {
        while self.left > 0 {
            if self.chunks.is_empty() {
                self.left = 0;
                return;
            }
            let Some((next, item)) = self.next_in_first_chunk() else {
                self.next_chunk();
                continue;
            };
            if !take(item) {
                return;
            }
            self.at = next;
            self.left -= 1;
        }
        self.chunks.clear();
        self.own = 0;
    }
}
