//! A list's items as they were at one moment, read later in pieces (a big
//! `LIST` or `LRANGE` streamed to a slow reader, a compaction): the chunks
//! are shared with the list, not copied.

use std::collections::VecDeque;

use super::cow::Frozen;
use super::packed::Packed;

/// A list's items as they were when it was taken, read newest first in
/// pieces: the chunks are shared with the list (or, for a small list, a
/// copy), so the list may change meanwhile.
#[derive(Debug)]
pub struct Snapshot {
    /// Newest chunk first; each is let go of as soon as it is read.
    chunks: VecDeque<Frozen<Packed>>,
    /// Where in the first chunk the next (older) item ends.
    end: usize,
    /// Items not yet read.
    left: u64,
    /// Bytes of the copy it alone holds, if any (a small list, or the
    /// little head of a big one).
    own: usize,
}

impl Snapshot {
    pub(super) fn new(chunks: Vec<Frozen<Packed>>, count: u64, own: usize) -> Snapshot {
        let end = chunks.first().map_or(0, |c| c.used());
        Snapshot {
            chunks: chunks.into(),
            end,
            left: count,
            own,
        }
    }

    /// Bytes it holds alone (a copy), until that part is read.
    pub fn own_bytes(&self) -> usize {
        self.own
    }

    /// Items not yet read.
    pub fn left(&self) -> u64 {
        self.left
    }

    /// Bytes of the entries not yet read: what reading the rest costs.
    pub fn bytes_left(&self) -> usize {
        let rest: usize = self.chunks.iter().skip(1).map(|c| c.used()).sum();
        rest + self.end
    }

    /// Reads no more than `n` items from here on.
    pub fn truncate(&mut self, n: u64) {
        self.left = self.left.min(n);
    }

    /// Passes over up to `n` items, newest first, looking at no more than
    /// about `budget` bytes one by one (whole chunks not yet begun are
    /// passed over by their count, for nothing): how many it passed.
    pub fn skip(&mut self, n: u64, budget: usize) -> u64 {
        let mut skipped = 0;
        let mut looked = 0;
        while skipped < n && self.left > 0 {
            let Some(chunk) = self.chunks.front() else {
                break;
            };
            let whole = chunk.len() as u64;
            if self.end == chunk.used() && whole <= n - skipped && whole <= self.left {
                self.chunks.pop_front();
                self.own = 0;
                self.end = self.chunks.front().map_or(0, |c| c.used());
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

    /// Hands the next items, newest first, to `take` until it returns
    /// `false` (it had enough: that item is not consumed) or none is left.
    pub fn read(&mut self, mut take: impl FnMut(&[u8]) -> bool) {
        while self.left > 0 {
            let Some(chunk) = self.chunks.front() else {
                self.left = 0;
                return;
            };
            let Some((start, item)) = chunk.entry_before(self.end) else {
                self.chunks.pop_front();
                // The copy, if there was one, was the first chunk.
                self.own = 0;
                self.end = self.chunks.front().map_or(0, |c| c.used());
                continue;
            };
            if !take(item) {
                return;
            }
            self.end = start;
            self.left -= 1;
        }
        self.chunks.clear();
        self.own = 0;
    }
}
