//! The lists rebuilt from the log at start: the store replays its records
//! into this, and the manager then starts a list process for each, in
//! name order (the order its sorted index takes them fastest).

use std::collections::HashMap;

use super::items::{Items, Scan};
use super::name::Name;
use crate::store::record::unpack_items;
use crate::store::{Rebuild, Record};

/// Lists as the log says they are.
#[derive(Debug, Default)]
pub struct Rebuilt {
    lists: HashMap<Name, Items>,
    /// The snapshot's list that `Items` records add to.
    current: Option<Name>,
    orphans: crate::budget::Orphans,
}

impl Rebuilt {
    /// Nothing yet; big lists' chunks count their orphans in `orphans`.
    pub fn new(orphans: &crate::budget::Orphans) -> Rebuilt {
        Rebuilt {
            orphans: orphans.clone(),
            ..Rebuilt::default()
        }
    }

    /// How many lists, and items in all.
    pub fn counts(&self) -> (u64, u64) {
        let items = self.lists.values().map(Items::len).sum();
        (self.lists.len() as u64, items)
    }

    /// The lists, in name order.
    pub fn into_sorted(self) -> Vec<(Name, Items)> {
        let mut lists: Vec<(Name, Items)> = self.lists.into_iter().collect();
        lists.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        lists
    }

    fn list(&mut self, name: &[u8]) -> &mut Items {
        self.lists.entry(Name::new(name)).or_default()
    }
}

impl Rebuild for Rebuilt {
    fn apply(&mut self, record: Record<'_>) {
        let orphans = self.orphans.clone();
        match record {
            Record::PushNewest { name, item } => self.list(name).push_newest(item, &orphans),
            Record::PushOldest { name, item } => self.list(name).push_oldest(item, &orphans),
            Record::RemoveNewest { name, item } => {
                if let Some(items) = self.lists.get_mut(name) {
                    items.remove_newest(item, Scan::default(), usize::MAX);
                }
            }
            Record::Remove { name, count, item } => {
                if let Some(items) = self.lists.get_mut(name) {
                    items.remove_matching(count, item);
                }
            }
            Record::PopNewest { name } => {
                if let Some(items) = self.lists.get_mut(name) {
                    items.pop_newest();
                }
            }
            Record::PopOldest { name } => {
                if let Some(items) = self.lists.get_mut(name) {
                    items.pop_oldest();
                }
            }
            Record::Create { name } => {
                self.list(name);
            }
            Record::Drop { name } => {
                self.lists.remove(name);
            }
            Record::List { name, .. } => {
                let name = Name::new(name);
                self.lists.insert(name.clone(), Items::default());
                self.current = Some(name);
            }
            Record::Items { packed } => {
                let Some(items) = self
                    .current
                    .as_ref()
                    .and_then(|n| self.lists.get_mut(n.as_bytes()))
                else {
                    return;
                };
                // Newest first, as a snapshot reads them.
                for item in unpack_items(packed).map_while(Result::ok) {
                    items.push_oldest(item, &orphans);
                }
            }
        }
    }
}
