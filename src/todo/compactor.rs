//! A compaction, the domain's part (the manager runs it): every list that
//! lived when it began is asked for a snapshot of its items, a few at a
//! time, and the answers are written into the store's snapshot file a
//! bounded slice per loop pass, so that no pass spends much more than a
//! millisecond on it however big the lists are.
//!
//! A list answers with its items as they are when it reads the request,
//! and the number of the first change they do not reflect: the copy-on-
//! write chunks that serve `LIST` snapshots serve here, so a list that
//! changes meanwhile copies what it changes and the snapshot keeps what it
//! read. Lists created after the start are not asked: the new segment
//! holds all their changes. A list gone before it is asked is left out:
//! the new segment holds its `Drop`.

use std::collections::VecDeque;

use super::items::Snapshot;
use super::msg::Msg;
use super::name::Name;
use super::names::NamesSnapshot;
use super::Host;
use crate::runtime::{CallError, Context, Pid, Ref};
use crate::store::record::pack_item;

/// Snapshot requests out at once: each answer is a list's turn in the
/// same pass, so this bounds a pass's work as much as the bytes do.
const ASKED_AT_ONCE: usize = 64;

/// Bytes written into the snapshot per loop pass. Measured on a log of
/// 1,000,000 lists of 10 items: with 256 KiB (and 256 lists asked) the
/// longest pass took 2.6 to 4.3 ms; with 48 KiB (and 64) 0.7 to 1.0 ms,
/// and the whole compaction took less time (1.6 s against 2.3 s or more),
/// the loop waiting less on each pass's burst.
const BYTES_PER_PASS: usize = 48 * 1024;

/// A compaction the manager is running.
#[derive(Debug)]
pub struct Compactor {
    /// The store's id for it.
    id: u64,
    /// The names not asked yet, as they were when it began.
    names: NamesSnapshot,
    /// Asked, not answered yet.
    asked: VecDeque<(Ref, Name)>,
    /// Answered, not written yet: the name, the LSN, the items.
    answered: VecDeque<(Name, u64, Snapshot)>,
    /// The list being written: the rest of its items.
    writing: Option<Snapshot>,
    /// Reused for packing items.
    packed: Vec<u8>,
}

/// What the manager does next.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    /// Another slice on the next pass.
    Step,
    /// Done: every list is in the snapshot, which the store now finishes.
    Done,
}

impl Compactor {
    /// The compaction `id` of the lists named in `names`.
    pub fn new(id: u64, names: NamesSnapshot) -> Compactor {
        Compactor {
            id,
            names,
            asked: VecDeque::new(),
            answered: VecDeque::new(),
            writing: None,
            packed: Vec::new(),
        }
    }

    /// Whether `call` is one of its snapshot requests.
    pub fn asked(&self, call: Ref) -> bool {
        self.asked.iter().any(|(asked, _)| *asked == call)
    }

    /// A list's answer. A list that died before it answered is left out.
    pub fn answer(&mut self, call: Ref, result: Result<Msg, CallError>) {
        let Some(at) = self.asked.iter().position(|(asked, _)| *asked == call) else {
            return;
        };
        let (_, name) = self.asked.remove(at).expect("found");
        match result {
            Ok(Msg::Snapshotted { lsn, items }) => self.answered.push_back((name, lsn, items)),
            Ok(other) => log::error!("compaction: unexpected answer {other:?}"),
            Err(e) => log::debug!("compaction: list {name:?} is gone ({e})"),
        }
    }

    /// One slice: writes what was answered, up to the pass's bytes, asks
    /// more lists, and says whether it is done. `lookup` finds a name's
    /// list now.
    pub fn step<P: Host>(
        &mut self,
        cx: &mut Context<'_, P>,
        lookup: impl Fn(&[u8]) -> Option<Pid>,
    ) -> Next {
        let Some(store) = cx.shared().store_mut() else {
            return Next::Done;
        };
        if !store.compacting(self.id) {
            // Given up (a disk error): nothing more to do.
            return Next::Done;
        }
        let mut spent = 0;
        while spent < BYTES_PER_PASS {
            if let Some(items) = &mut self.writing {
                self.packed.clear();
                let packed = &mut self.packed;
                let room = BYTES_PER_PASS - spent;
                items.read(|item| {
                    if !packed.is_empty() && packed.len() + item.len() > room {
                        return false;
                    }
                    pack_item(packed, item);
                    true
                });
                if !self.packed.is_empty() {
                    store.snapshot_items(self.id, &self.packed);
                }
                spent += self.packed.len() + 16;
                if items.left() > 0 {
                    break;
                }
                self.writing = None;
            }
            let Some((name, lsn, items)) = self.answered.pop_front() else {
                break;
            };
            store.snapshot_list(self.id, lsn, name.as_bytes());
            spent += name.as_bytes().len() + 32;
            self.writing = Some(items);
        }
        let want = ASKED_AT_ONCE.saturating_sub(self.asked.len() + self.answered.len());
        let mut batch = Vec::with_capacity(want.min(self.names.left()));
        self.names.read(|name| {
            if batch.len() == want {
                return false;
            }
            batch.push(name.clone());
            true
        });
        for name in batch {
            if let Some(pid) = lookup(name.as_bytes()) {
                let call = cx.call(pid, Msg::Snapshot.into());
                self.asked.push_back((call, name));
            }
        }
        let done = self.names.left() == 0
            && self.asked.is_empty()
            && self.answered.is_empty()
            && self.writing.is_none();
        if done {
            if let Some(store) = cx.shared().store_mut() {
                store.finish_compaction(self.id);
            }
            return Next::Done;
        }
        Next::Step
    }
}
