//! The manager's registry: every live list's name, process and monitor,
//! found by name in one hash probe, by monitor when its `Down` arrives,
//! and in order (`names.rs`) for `LISTS`.
//!
//! One entry per list, in a table indexed by the monitor's slot (dense, and
//! not reused before the `Down` is delivered). The name index is a hash
//! table of 4-byte slot numbers (hashbrown's `HashTable`, std's own table
//! without its `HashMap` wrapper), keyed with a random seed so that
//! client-chosen names cannot flood a bucket: a name is stored once here,
//! and once more in the sorted blocks that give `LISTS` its order and its
//! snapshots.

use std::hash::{BuildHasher, Hasher, RandomState};

use hashbrown::HashTable;

use super::cow::Orphans;
use super::name::Name;
use super::names::{Names, NamesSnapshot};
use crate::runtime::{Pid, Ref};

/// A live list.
#[derive(Debug)]
struct Entry {
    monitor: Ref,
    pid: Pid,
    name: Name,
}

/// Every live list.
#[derive(Debug)]
pub struct Registry {
    /// By monitor slot.
    entries: Vec<Option<Entry>>,
    /// Name -> monitor slot.
    index: HashTable<u32>,
    hasher: RandomState,
    /// The names, sorted.
    sorted: Names,
}

impl Registry {
    /// No lists; sorted blocks that snapshots alone keep are counted in
    /// `orphans`.
    pub fn new(orphans: &Orphans) -> Registry {
        Registry {
            entries: Vec::new(),
            index: HashTable::new(),
            hasher: RandomState::new(),
            sorted: Names::new(orphans),
        }
    }

    /// Every list's name, in no order.
    pub fn names(&self) -> impl Iterator<Item = &Name> {
        self.entries.iter().flatten().map(|e| &e.name)
    }

    /// How many lists.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// The process of list `name`.
    pub fn get(&self, name: &[u8]) -> Option<Pid> {
        self.find(name).map(|(pid, _)| pid)
    }

    /// The process of list `name`, and the manager's monitor on it.
    pub fn find(&self, name: &[u8]) -> Option<(Pid, Ref)> {
        let hash = self.hash(name);
        let slot = self.index.find(hash, |&slot| self.is(slot, name))?;
        self.entries[*slot as usize]
            .as_ref()
            .map(|e| (e.pid, e.monitor))
    }

    /// Makes room for `additional` more lists at once (a restore), so that
    /// the index does not grow, rehashing every name, as they come.
    pub fn reserve(&mut self, additional: usize) {
        let (entries, hasher) = (&self.entries, &self.hasher);
        self.index.reserve(additional, |&s| {
            let entry = entries[s as usize]
                .as_ref()
                .expect("indexed entries are live");
            hash_with(hasher, entry.name.as_bytes())
        });
    }

    /// Records list `name`, run by `pid` and watched by `monitor`; the
    /// name must not be there.
    pub fn insert(&mut self, name: Name, pid: Pid, monitor: Ref) {
        let slot = monitor.slot();
        if slot >= self.entries.len() {
            self.entries.resize_with(slot + 1, || None);
        }
        let hash = self.hash(name.as_bytes());
        let (entries, hasher) = (&self.entries, &self.hasher);
        self.index.insert_unique(hash, slot as u32, |&s| {
            let entry = entries[s as usize]
                .as_ref()
                .expect("indexed entries are live");
            hash_with(hasher, entry.name.as_bytes())
        });
        self.sorted.insert(name.clone());
        self.entries[slot] = Some(Entry { monitor, pid, name });
    }

    /// Forgets the list watched by `monitor`, whose `Down` came: its name
    /// and process, if it is one of ours.
    pub fn remove(&mut self, monitor: Ref) -> Option<(Name, Pid)> {
        let slot = monitor.slot();
        let entry = self
            .entries
            .get_mut(slot)?
            .take_if(|e| e.monitor == monitor)?;
        let hash = self.hash(entry.name.as_bytes());
        if let Ok(found) = self.index.find_entry(hash, |&s| s as usize == slot) {
            found.remove();
        }
        self.sorted.remove(entry.name.as_bytes());
        Some((entry.name, entry.pid))
    }

    /// The names from the first not before `from` on, in order, to `take`
    /// until it returns `false`.
    pub fn read_from(&self, from: &[u8], take: impl FnMut(&Name) -> bool) {
        self.sorted.read_from(from, take);
    }

    /// Hands the names from place `from` of the table on to `take`, in
    /// the table's order, until it returns `false` (that name is handed
    /// again from the place returned) or `places` places were looked
    /// through; returns the place to go on from, or `None` at the end.
    pub fn visit_from(
        &self,
        from: usize,
        places: usize,
        mut take: impl FnMut(&Name) -> bool,
    ) -> Option<usize> {
        let end = from.saturating_add(places).min(self.entries.len());
        for place in from..end {
            if let Some(entry) = &self.entries[place] {
                if !take(&entry.name) {
                    return Some(place);
                }
            }
        }
        (end < self.entries.len()).then_some(end)
    }

    /// Every name as it is now, in order, to read later.
    pub fn snapshot(&self) -> NamesSnapshot {
        self.sorted.snapshot()
    }

    fn hash(&self, name: &[u8]) -> u64 {
        hash_with(&self.hasher, name)
    }

    fn is(&self, slot: u32, name: &[u8]) -> bool {
        self.entries[slot as usize]
            .as_ref()
            .is_some_and(|e| e.name.as_bytes() == name)
    }
}

/// The keyed hash of one name: its bytes alone, without the length prefix
/// `Hash for [u8]` adds (one name per hash, so nothing is ambiguous), which
/// saves SipHash a block for a short name.
fn hash_with(hasher: &RandomState, name: &[u8]) -> u64 {
    let mut state = hasher.build_hasher();
    state.write(name);
    state.finish()
}
