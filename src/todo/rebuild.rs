//! The lists rebuilt from the log at start: the store replays its records
//! into this, and the manager then starts a list process for each, in
//! name order (the order its sorted index takes them fastest).
//!
//! A log's changes hop from list to list, so applying each as it comes
//! would touch a random list every time: a cache miss or three per record,
//! most of the replay. Instead the changes are sorted into parts by a hash
//! of their list's name as they are read, and applied a batch at a time,
//! part by part: each part's lists fit in the cache while its changes are
//! applied. Changes to one list keep their order (they are in one part, in
//! the order read); changes to different lists commute.
//!
//! A snapshot's list comes whole (its items newest first, maybe over
//! several records): it is gathered, then built oldest first, so that
//! every item is an append. The snapshot's lists come in name order, so
//! they are kept in order as they come, and hashed only if changes follow.

use std::hash::{BuildHasher, Hasher, RandomState};

use hashbrown::HashTable;

use super::items::{Items, Scan};
use super::msg::End;
use super::name::Name;
use crate::budget::Orphans;
use crate::store::record::unpack_items;
use crate::store::{Rebuild, Record};

/// Parts the lists are spread over: enough that one part's lists (a
/// million lists, a thousand per part) stay in the cache.
const PARTS: usize = 1024;

/// Bytes of changes gathered before they are applied.
const BATCH: usize = 64 << 20;

/// One list as rebuilt, with its name's hash.
#[derive(Debug)]
struct Entry {
    hash: u64,
    name: Name,
    items: Items,
}

/// Lists as the log says they are.
#[derive(Debug)]
pub struct Rebuilt {
    /// The snapshot's lists, in the order read (name order), until a
    /// change comes.
    snapshot: Vec<(Name, Items)>,
    /// A change came: every list is in `parts`.
    hashed: bool,
    parts: Vec<HashTable<Entry>>,
    /// Changes read and not applied yet, by part: each its name's hash,
    /// then the record as the log has it.
    queued: Vec<Vec<u8>>,
    queued_bytes: usize,
    hasher: RandomState,
    /// The snapshot's list that `Items` records add to; its items so far
    /// (newest first, packed) are in `gathered`.
    current: Option<Name>,
    gathered: Vec<u8>,
    orphans: Orphans,
}

impl Rebuilt {
    /// Nothing yet; big lists' chunks count their orphans in `orphans`.
    pub fn new(orphans: &Orphans) -> Rebuilt {
        Rebuilt {
            snapshot: Vec::new(),
            hashed: false,
            parts: (0..PARTS).map(|_| HashTable::new()).collect(),
            queued: vec![Vec::new(); PARTS],
            queued_bytes: 0,
            hasher: RandomState::new(),
            current: None,
            gathered: Vec::new(),
            orphans: orphans.clone(),
        }
    }

    /// The lists, in name order.
    pub fn into_sorted(mut self) -> Vec<(Name, Items)> {
        self.settle();
        let mut lists = std::mem::take(&mut self.snapshot);
        let hashed = self.hashed;
        let in_order = lists.is_sorted_by(|a, b| a.0.as_bytes() < b.0.as_bytes());
        if hashed || !in_order {
            let entries = self.parts.into_iter().flat_map(HashTable::into_iter);
            lists.extend(entries.map(|e| (e.name, e.items)));
            lists.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        }
        lists
    }

    /// A change is coming: the snapshot's lists go into the parts, where
    /// changes find them.
    fn hash_snapshot(&mut self) {
        self.hashed = true;
        for (name, items) in std::mem::take(&mut self.snapshot) {
            self.insert(name, items);
        }
    }

    /// Puts list `name` in its part, in place of any list of that name.
    fn insert(&mut self, name: Name, items: Items) {
        let hash = self.hash(name.as_bytes());
        let part = &mut self.parts[hash as usize % PARTS];
        match part.find_mut(hash, |e| e.name.as_bytes() == name.as_bytes()) {
            Some(entry) => entry.items = items,
            None => {
                part.insert_unique(hash, Entry { hash, name, items }, |e| e.hash);
            }
        }
    }

    fn hash(&self, name: &[u8]) -> u64 {
        let mut state = self.hasher.build_hasher();
        state.write(name);
        state.finish()
    }

    /// Applies everything read so far.
    fn settle(&mut self) {
        self.finish_current();
        self.apply_queued();
    }

    /// The snapshot's list being read is whole: build it, oldest first.
    fn finish_current(&mut self) {
        let Some(name) = self.current.take() else {
            return;
        };
        let newest_first: Vec<&[u8]> = unpack_items(&self.gathered).map_while(Result::ok).collect();
        let items = Items::from_oldest_first(newest_first.into_iter().rev(), &self.orphans);
        self.gathered.clear();
        if !self.hashed {
            self.snapshot.push((name, items));
        } else {
            self.insert(name, items);
        }
    }

    /// Applies the queued changes, part by part.
    fn apply_queued(&mut self) {
        if self.queued_bytes == 0 {
            return;
        }
        for (part, queued) in self.parts.iter_mut().zip(&mut self.queued) {
            let mut at = 0;
            while at < queued.len() {
                let hash = u64::from_le_bytes(queued[at..at + 8].try_into().expect("8 bytes"));
                let (record, size) =
                    Record::decode_trusted(&queued[at + 8..]).expect("queued records are whole");
                change(part, hash, record, &self.orphans);
                at += 8 + size;
            }
            queued.clear();
        }
        self.queued_bytes = 0;
    }
}

/// Applies one change to the list it is about, in `part`.
fn change(part: &mut HashTable<Entry>, hash: u64, record: Record<'_>, orphans: &Orphans) {
    let name = record.name().expect("a change names its list");
    if let Record::Drop { .. } = record {
        if let Ok(entry) = part.find_entry(hash, |e| e.name.as_bytes() == name) {
            entry.remove();
        }
        return;
    }
    let found = part.find_mut(hash, |e| e.name.as_bytes() == name);
    let items = match (found, record) {
        (Some(entry), _) => &mut entry.items,
        (None, Record::PushNewest { .. } | Record::PushOldest { .. } | Record::Create { .. }) => {
            let entry = Entry {
                hash,
                name: Name::new(name),
                items: Items::default(),
            };
            &mut part.insert_unique(hash, entry, |e| e.hash).into_mut().items
        }
        // A change to a list that is not there changes nothing.
        (None, _) => return,
    };
    match record {
        Record::PushNewest { item, .. } => items.push_newest(item, orphans),
        Record::PushOldest { item, .. } => items.push_oldest(item, orphans),
        Record::RemoveNewest { item, .. } => {
            items.remove_newest(item, Scan::default(), usize::MAX);
        }
        Record::Remove { count, item, .. } => {
            items.remove_matching(count, item);
        }
        Record::PopNewest { count, .. } => {
            items.take(End::Head, count, orphans);
        }
        Record::PopOldest { count, .. } => {
            items.take(End::Tail, count, orphans);
        }
        Record::Create { .. } => {}
        Record::Drop { .. } | Record::List { .. } | Record::Items { .. } => {
            unreachable!("handled above")
        }
    }
}

impl Rebuild for Rebuilt {
    fn apply(&mut self, record: Record<'_>) {
        match record {
            Record::List { name, .. } => {
                // Snapshots come before any change; settle all the same.
                self.settle();
                self.current = Some(Name::new(name));
            }
            Record::Items { packed } => {
                if self.current.is_some() {
                    self.gathered.extend_from_slice(packed);
                }
            }
            change => {
                self.finish_current();
                if !self.hashed {
                    self.hash_snapshot();
                }
                let name = change.name().expect("a change names its list");
                let hash = self.hash(name);
                let queued = &mut self.queued[hash as usize % PARTS];
                let before = queued.len();
                queued.extend_from_slice(&hash.to_le_bytes());
                change.encode_trusted(queued);
                self.queued_bytes += queued.len() - before;
                if self.queued_bytes >= BATCH {
                    self.apply_queued();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::record::pack_item;

    fn lists(rebuilt: Rebuilt) -> Vec<(String, Vec<String>)> {
        rebuilt
            .into_sorted()
            .into_iter()
            .map(|(name, mut items)| {
                let mut newest_first = Vec::new();
                items.snapshot(usize::MAX).read(|item| {
                    newest_first.push(String::from_utf8(item.to_vec()).unwrap());
                    true
                });
                (
                    String::from_utf8(name.as_bytes().to_vec()).unwrap(),
                    newest_first,
                )
            })
            .collect()
    }

    fn push(r: &mut Rebuilt, name: &str, item: &str) {
        r.apply(Record::PushNewest {
            name: name.as_bytes(),
            item: item.as_bytes(),
        });
    }

    #[test]
    fn changes_to_many_lists_keep_each_lists_order() {
        let mut r = Rebuilt::new(&Orphans::default());
        // More lists than parts, interleaved.
        for i in 0..10 {
            for list in 0..3000 {
                push(&mut r, &format!("l{list:04}"), &format!("{i}"));
            }
        }
        r.apply(Record::Drop { name: b"l0001" });
        push(&mut r, "l0001", "again");
        r.apply(Record::RemoveNewest {
            name: b"l0002",
            item: b"5",
        });
        r.apply(Record::Create { name: b"empty" });
        r.apply(Record::Drop { name: b"never" });
        let got = lists(r);
        assert_eq!(got.len(), 3001);
        assert_eq!(got[0].0, "empty");
        assert!(got[0].1.is_empty());
        let ten: Vec<String> = (0..10).rev().map(|i| i.to_string()).collect();
        assert_eq!(got[1], ("l0000".into(), ten.clone()));
        assert_eq!(got[2], ("l0001".into(), vec!["again".to_string()]));
        let mut without_5 = ten.clone();
        without_5.retain(|i| i != "5");
        assert_eq!(got[3].1, without_5);
        assert_eq!(got[3000].1, ten);
    }

    #[test]
    fn a_snapshot_comes_in_order_and_changes_after_it_apply() {
        let snapshot = |r: &mut Rebuilt, name: &str, newest_first: &[&str]| {
            r.apply(Record::List {
                lsn: 7,
                name: name.as_bytes(),
            });
            // Split over two records, as a big list would be.
            for half in newest_first.chunks(2) {
                let mut packed = Vec::new();
                for item in half {
                    pack_item(&mut packed, item.as_bytes());
                }
                r.apply(Record::Items { packed: &packed });
            }
        };
        let mut r = Rebuilt::new(&Orphans::default());
        snapshot(&mut r, "a", &["3", "2", "1"]);
        snapshot(&mut r, "b", &[]);
        let alone = lists(r);
        assert_eq!(
            alone,
            [
                (
                    "a".to_string(),
                    vec!["3".to_string(), "2".into(), "1".into()]
                ),
                ("b".to_string(), vec![])
            ]
        );
        let mut r = Rebuilt::new(&Orphans::default());
        snapshot(&mut r, "a", &["3", "2", "1"]);
        snapshot(&mut r, "b", &["x"]);
        push(&mut r, "a", "4");
        r.apply(Record::Drop { name: b"b" });
        push(&mut r, "c", "new");
        let got = lists(r);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].1, ["4", "3", "2", "1"]);
        assert_eq!(got[1], ("c".to_string(), vec!["new".to_string()]));
    }
}
