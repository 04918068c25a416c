//! Every list's name, sorted bytewise, in copy-on-write blocks (`cow.rs`):
//! what gives `LISTS` its order, and a snapshot of a million names (a
//! `LISTS` streamed to a slow reader, a compaction) that shares the blocks
//! instead of copying them. Lookups by name go through the registry's hash
//! index; this is searched only to add and remove.
//!
//! Blocks hold between a few and `2 * BLOCK` names, in order; the first
//! name of each block is kept apart in a dense array for the search.

use std::collections::VecDeque;

use super::cow::{Frozen, Orphans, Owned, Weigh};
use super::name::Name;

/// Entries a block splits at twice of, and merges under half of.
const BLOCK: usize = 128;

/// One block's names, in order.
#[derive(Clone, Debug, Default)]
pub struct Block(Vec<Name>);

impl Weigh for Block {
    fn weight(&self) -> u64 {
        (self.0.capacity() * std::mem::size_of::<Name>()) as u64
    }
}

/// Every list's name, sorted.
#[derive(Debug)]
pub struct Names {
    blocks: Vec<Owned<Block>>,
    /// `firsts[i]` is the first name of `blocks[i]`.
    firsts: Vec<Name>,
    len: usize,
    orphans: Orphans,
}

impl Names {
    /// No names; blocks that snapshots alone keep are counted in `orphans`.
    pub fn new(orphans: &Orphans) -> Names {
        Names {
            blocks: Vec::new(),
            firsts: Vec::new(),
            len: 0,
            orphans: orphans.clone(),
        }
    }

    /// How many names.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.len
    }

    /// No names.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds `name`, if it is not there.
    pub fn insert(&mut self, name: Name) {
        if self.blocks.is_empty() {
            self.firsts.push(name.clone());
            self.blocks
                .push(Owned::new(Block(vec![name]), &self.orphans));
            self.len = 1;
            return;
        }
        // Past the last name (names restored in order): no search.
        let last = self.blocks.len() - 1;
        let past_last = self.blocks[last]
            .0
            .last()
            .is_none_or(|l| l.as_bytes() < name.as_bytes());
        let (b, at) = if past_last {
            (last, self.blocks[last].0.len())
        } else {
            let b = self.block_of(name.as_bytes()).unwrap_or(0);
            let Err(at) = search(&self.blocks[b], name.as_bytes()) else {
                return;
            };
            (b, at)
        };
        if at == 0 {
            self.firsts[b] = name.clone();
        }
        let entries = &mut self.blocks[b].make_mut().0;
        entries.insert(at, name);
        self.len += 1;
        if entries.len() > 2 * BLOCK {
            let upper = entries.split_off(BLOCK);
            self.firsts.insert(b + 1, upper[0].clone());
            self.blocks
                .insert(b + 1, Owned::new(Block(upper), &self.orphans));
        }
    }

    /// Removes `name`; whether it was there.
    pub fn remove(&mut self, name: &[u8]) -> bool {
        let Some(b) = self.block_of(name) else {
            return false;
        };
        let Ok(at) = search(&self.blocks[b], name) else {
            return false;
        };
        let entries = &mut self.blocks[b].make_mut().0;
        entries.remove(at);
        self.len -= 1;
        let left = entries.len();
        if left == 0 {
            self.blocks.remove(b);
            self.firsts.remove(b);
            return true;
        }
        if at == 0 {
            self.firsts[b] = entries[0].clone();
        }
        // Merge a block that has shrunk into its successor, so that a
        // shrinking index does not keep thousands of near-empty blocks.
        if left < BLOCK / 2
            && b + 1 < self.blocks.len()
            && left + self.blocks[b + 1].0.len() <= 2 * BLOCK
        {
            let next = self.blocks.remove(b + 1);
            self.firsts.remove(b + 1);
            self.blocks[b].make_mut().0.extend(next.0.iter().cloned());
        }
        true
    }

    /// Every name as it is now, in order, for reading later while the
    /// index goes on changing: the blocks are shared, not copied.
    pub fn snapshot(&self) -> NamesSnapshot {
        NamesSnapshot {
            blocks: self.blocks.iter().map(Owned::freeze).collect(),
            at: 0,
            left: self.len,
        }
    }

    /// Hands the names from the first not before `from` on, in order, to
    /// `take` until it returns `false` or none is left: a bounded walk with
    /// no snapshot (`SCAN`, `KEYS`).
    pub fn read_from(&self, from: &[u8], mut take: impl FnMut(&Name) -> bool) {
        let Some(first) = self.block_of(from) else {
            return;
        };
        let at = match search(&self.blocks[first], from) {
            Ok(at) | Err(at) => at,
        };
        let mut skip = at;
        for block in &self.blocks[first..] {
            for name in &block.0[skip..] {
                if !take(name) {
                    return;
                }
            }
            skip = 0;
        }
    }

    /// The block that holds `name` if any does: the last whose first name
    /// is not after it.
    fn block_of(&self, name: &[u8]) -> Option<usize> {
        let after = self
            .firsts
            .partition_point(|first| first.as_bytes() <= name);
        match after {
            0 if self.blocks.is_empty() => None,
            0 => Some(0),
            after => Some(after - 1),
        }
    }
}

/// Where `name` is in `block`, or where it would go.
fn search(block: &Block, name: &[u8]) -> Result<usize, usize> {
    block.0.binary_search_by(|n| n.as_bytes().cmp(name))
}

/// The names as they were when it was taken, read in order in pieces.
#[derive(Debug, Clone)]
pub struct NamesSnapshot {
    /// The blocks not fully read; each is let go of once read.
    blocks: VecDeque<Frozen<Block>>,
    /// The next entry of the first block.
    at: usize,
    left: usize,
}

impl NamesSnapshot {
    /// Names not yet read.
    pub fn left(&self) -> usize {
        self.left
    }

    /// Hands the next names, in order, to `take` until it returns `false`
    /// (it had enough: that name is not consumed) or none is left.
    pub fn read(&mut self, mut take: impl FnMut(&Name) -> bool) {
        while let Some(block) = self.blocks.front() {
            let Some(name) = block.0.get(self.at) else {
                self.blocks.pop_front();
                self.at = 0;
                continue;
            };
            if !take(name) {
                return;
            }
            self.at += 1;
            self.left -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(names: &Names) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        names.snapshot().read(|name| {
            out.push(name.as_bytes().to_vec());
            true
        });
        out
    }

    fn name(prefix: &str, k: u32) -> Name {
        Name::new(format!("{prefix}{k:05}").as_bytes())
    }

    #[test]
    fn names_stay_sorted_through_splits_and_merges() {
        let orphans = Orphans::default();
        let mut names = Names::new(&orphans);
        // An order that splits blocks at both ends and in the middle.
        let keys: Vec<u32> = (0..5_000u32).map(|i| (i * 7919) % 5_000).collect();
        for &k in &keys {
            names.insert(name("n", k));
        }
        names.insert(name("n", 17));
        assert_eq!(names.len(), 5_000, "a name is there once");
        let listed = all(&names);
        assert!(listed.windows(2).all(|w| w[0] < w[1]), "sorted");
        assert!(!names.remove(b"n"));
        assert!(!names.remove(b"z"));
        for &k in keys.iter().filter(|&&k| k % 3 != 0) {
            assert!(names.remove(name("n", k).as_bytes()));
        }
        assert!(!names.remove(b"n00001"), "already gone");
        let left: Vec<Vec<u8>> = (0..5_000)
            .filter(|k| k % 3 == 0)
            .map(|k| name("n", k).as_bytes().to_vec())
            .collect();
        assert_eq!(all(&names), left);
        assert!(names.blocks.len() < left.len() / (BLOCK / 4), "merged");
        for k in (0..5_000).filter(|k| k % 3 == 0) {
            assert!(names.remove(name("n", k).as_bytes()));
        }
        assert!(names.is_empty() && names.blocks.is_empty());
    }

    #[test]
    fn a_snapshot_reads_the_names_as_they_were() {
        let orphans = Orphans::default();
        let mut names = Names::new(&orphans);
        for k in 0..1_000u32 {
            names.insert(name("a", k));
        }
        let before = all(&names);
        let mut snapshot = names.snapshot();
        let mut read = Vec::new();
        snapshot.read(|name| {
            if read.len() == 300 {
                return false;
            }
            read.push(name.as_bytes().to_vec());
            true
        });
        for k in 0..500u32 {
            names.remove(name("a", k).as_bytes());
            names.insert(name("b", k));
        }
        assert!(orphans.bytes() > 0, "the blocks it shares are counted");
        snapshot.read(|name| {
            read.push(name.as_bytes().to_vec());
            true
        });
        assert_eq!(read, before);
        drop(snapshot);
        assert_eq!(orphans.bytes(), 0);
    }
}
