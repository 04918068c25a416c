//! A list process: one todo list's items (see `items/` for how they are
//! kept), newest first on the wire. The guide's bucket. Redis's list
//! commands on it are in `ends.rs`.
//!
//! Everything a list does is bounded work, except a scan of a big list
//! (`DEL` of an item deep in it, or not in it at all; Redis's `LREM`):
//! that is done a slice of `SLICE_CHUNKS` chunks per loop pass. Meanwhile
//! the list is busy: calls that arrive wait in its stash, in order, and
//! are served when the scan ends, so each request still sees the whole
//! effect of the ones before it.

mod ends;

use std::collections::VecDeque;
use std::fmt;
use std::time::Duration;

use super::items::{Items, Removal, Removing, Scan, Scanned, CHUNK};
use super::memory::{item_cost, ITEM_OVERHEAD};
use super::msg::{Msg, Outcome};
use super::name::{Item, Name};
use super::Host;
use crate::runtime::{Caller, Context, ExitReason, Flow, Info};
use crate::shared::Shared;
use crate::store::Record;

/// Chunks of a big list one slice of a scan looks through: about 512 KiB,
/// some 100 µs.
const SLICE_CHUNKS: usize = 64;

/// A list process's state: its items, and for a big list the work under
/// way. 24 bytes, in each of perhaps millions of process slots.
#[derive(Debug, Default)]
pub struct List {
    items: Items<Option<Box<Busy>>>,
}

/// A long operation under way, and the calls waiting for it.
#[derive(Debug)]
struct Busy {
    stash: VecDeque<(Caller, Msg)>,
}

/// A long operation's next slice, sent by a list to itself.
pub struct Job {
    from: Caller,
    op: Op,
}

enum Op {
    /// `DEL`: remove the newest `item` from list `name`, looking on from
    /// `scan`.
    Del { name: Name, item: Item, scan: Scan },
    /// `LREM`: remove up to `count` items equal to `item` from list
    /// `name`, going on from `removal`.
    Rem {
        name: Name,
        count: i64,
        item: Item,
        removal: Removal,
    },
}

impl fmt::Debug for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.op {
            Op::Del { name, item, scan } => write!(f, "Del({name:?}, {item:?} from {scan:?})"),
            Op::Rem {
                name,
                count,
                item,
                removal,
            } => write!(f, "Rem({name:?}, {count}, {item:?} from {removal:?})"),
        }
    }
}

type Cx<'a, 'b, P> = &'a mut Context<'b, P>;

impl List {
    /// An empty list.
    pub fn new() -> List {
        List::default()
    }

    /// A list of these items (rebuilt from the log).
    pub fn with_items(items: Items) -> List {
        List {
            items: items.with_extra(),
        }
    }

    /// Serves one request forwarded by the manager; answers the original
    /// caller (now, or when a long operation ends).
    pub fn handle_call<P: Host>(&mut self, cx: Cx<'_, '_, P>, from: Caller, msg: Msg) -> Flow {
        if let Some(Some(busy)) = self.items.extra() {
            busy.stash.push_back((from, msg));
            return Flow::Continue;
        }
        let refused = cx.shared().refusal().is_some();
        let reply = match msg {
            Msg::Put { .. }
            | Msg::Del { .. }
            | Msg::Drop { .. }
            | Msg::Push { .. }
            | Msg::Remove { .. }
            | Msg::Pop { .. }
                if refused =>
            {
                Msg::Done(Outcome::Refused)
            }
            Msg::Push {
                name,
                items,
                end,
                prepaid,
            } => self.push(cx, &name, &items, end, prepaid),
            Msg::Range {
                start,
                stop,
                room,
                out,
                format,
                ..
            } => self.range(start, stop, room as usize, out, format),
            Msg::Len { .. } => Msg::Count(self.items.len()),
            Msg::Index {
                index: Some(index), ..
            } => self.index(index),
            Msg::Index { index: None, .. } => Msg::Done(Outcome::NotANumber),
            Msg::Remove { name, count, item } => {
                return self.remove(cx, from, name, count, item, Removal::default());
            }
            Msg::Pop {
                name,
                end,
                count,
                room,
            } => {
                let after = self.pop(cx, &name, end, count, room as usize);
                return ends::answer(cx, from, after);
            }
            Msg::Put {
                name,
                item,
                prepaid,
            } => {
                if !prepaid && !cx.shared().budget_mut().reserve(item_cost(item.len())) {
                    Msg::Done(Outcome::OutOfMemory)
                } else {
                    let shared = cx.shared();
                    self.items.push_newest(&item, shared.budget().orphans());
                    shared.stats_mut().items_added(1);
                    shared.log(Record::PushNewest {
                        name: name.as_bytes(),
                        item: &item,
                    });
                    Msg::Done(Outcome::Ok)
                }
            }
            Msg::List {
                room, out, format, ..
            } => self.range(0, -1, room as usize, out, format),
            Msg::Del { name, item } => return self.del(cx, from, name, item, Scan::default()),
            Msg::Snapshot => {
                let lsn = cx.shared().store().map_or(0, |store| store.lsn());
                Msg::Snapshotted {
                    lsn,
                    items: self.items.snapshot(CHUNK),
                }
            }
            Msg::Drop { name } => {
                // The list logs its own end, before its answer: the
                // manager logs the ends of lists that stop by a signal.
                cx.shared().log(Record::Drop {
                    name: name.as_bytes(),
                });
                cx.reply(from, Msg::Done(Outcome::Ok).into());
                return Flow::Stop(ExitReason::Normal);
            }
            other => {
                log::error!("list {} got an unexpected call: {other:?}", cx.pid());
                Msg::Done(Outcome::Invalid)
            }
        };
        cx.reply(from, reply.into());
        Flow::Continue
    }

    /// The next slice of a long operation; `DEBUG CRASH LIST`, sent by the
    /// manager (which answers it at the list's `Down`).
    pub fn handle_info<P: Host>(&mut self, cx: Cx<'_, '_, P>, info: Info<Msg>) -> Flow {
        match info {
            Info::Message(Msg::Crash { .. }) => panic!("DEBUG CRASH LIST"),
            Info::Message(Msg::Continue(job)) => match *job {
                Job {
                    from,
                    op: Op::Del { name, item, scan },
                } => self.del(cx, from, name, item, scan),
                Job {
                    from,
                    op:
                        Op::Rem {
                            name,
                            count,
                            item,
                            removal,
                        },
                } => self.remove(cx, from, name, count, item, removal),
            },
            other => {
                log::debug!(
                    "{} ignored an unexpected {} message",
                    cx.pid(),
                    other.kind()
                );
                Flow::Continue
            }
        }
    }

    /// `DEL`: one slice of the scan for the newest `item`, from `scan`.
    /// Answers when found or known missing; otherwise goes on next pass.
    fn del<P: Host>(
        &mut self,
        cx: Cx<'_, '_, P>,
        from: Caller,
        name: Name,
        item: Item,
        scan: Scan,
    ) -> Flow {
        // The log may have failed since the scan began: refuse now rather
        // than change what cannot be logged.
        if cx.shared().refusal().is_some() {
            cx.reply(from, Msg::Done(Outcome::Refused).into());
            return self.done(cx);
        }
        let outcome = match self.items.remove_newest(&item, scan, SLICE_CHUNKS) {
            Scanned::Removed => {
                let shared = cx.shared();
                shared.budget_mut().release(item_cost(item.len()));
                shared.stats_mut().items_removed(1);
                shared.log(Record::RemoveNewest {
                    name: name.as_bytes(),
                    item: &item,
                });
                Outcome::Ok
            }
            Scanned::Missing => Outcome::NotFound,
            Scanned::Partway(scan) => {
                let op = Op::Del { name, item, scan };
                return self.go_on(cx, Job { from, op });
            }
        };
        cx.reply(from, Msg::Done(outcome).into());
        self.done(cx)
    }

    /// `LREM`: one slice of the removal, from `removal`. Answers when done
    /// (and stops, if that left the list empty: Redis's rule); otherwise
    /// goes on next pass.
    fn remove<P: Host>(
        &mut self,
        cx: Cx<'_, '_, P>,
        from: Caller,
        name: Name,
        count: i64,
        item: Item,
        removal: Removal,
    ) -> Flow {
        // Refused at its start if the log cannot be written (as every
        // change is, in `handle_call`); once begun it ends, and if the log
        // fails meanwhile, its record is dropped and its answer becomes an
        // error when the pass's records are written.
        let before = removal.removed();
        let slice = self
            .items
            .remove_matching_from(count, &item, removal, SLICE_CHUNKS);
        // What each slice removes is given back at once: the list may be
        // killed before the removal ends, and gives back only what it holds.
        let now = match &slice {
            Removing::Done(removed) => *removed,
            Removing::Partway(removal) => removal.removed(),
        };
        let shared = cx.shared();
        shared
            .budget_mut()
            .release((now - before) * item_cost(item.len()));
        shared.stats_mut().items_removed(now - before);
        match slice {
            Removing::Done(removed) => {
                let after = self.removed(cx, &name, count, &item, removed);
                match ends::answer(cx, from, after) {
                    Flow::Continue => self.done(cx),
                    stop => stop,
                }
            }
            Removing::Partway(removal) => {
                let op = Op::Rem {
                    name,
                    count,
                    item,
                    removal,
                };
                self.go_on(cx, Job { from, op })
            }
        }
    }

    /// A long operation goes on next pass; meanwhile calls wait in the
    /// stash.
    fn go_on<P: Host>(&mut self, cx: Cx<'_, '_, P>, job: Job) -> Flow {
        if let Some(slot @ None) = self.items.extra() {
            *slot = Some(Box::new(Busy {
                stash: VecDeque::new(),
            }));
        }
        let me = cx.pid();
        cx.send_after(me, Duration::ZERO, Msg::Continue(Box::new(job)).into());
        Flow::Continue
    }

    /// A long operation ended (or none was under way): serve the calls that
    /// waited for it, in order, until one starts another.
    fn done<P: Host>(&mut self, cx: Cx<'_, '_, P>) -> Flow {
        let Some(Some(busy)) = self.items.extra().map(Option::take) else {
            self.items.settle();
            return Flow::Continue;
        };
        let mut stash = busy.stash;
        while let Some((from, msg)) = stash.pop_front() {
            if let Flow::Stop(reason) = self.handle_call(cx, from, msg) {
                // A DROP among them: the rest go down with the list, and
                // their callers get the exit as their answer.
                return Flow::Stop(reason);
            }
            if let Some(Some(busy)) = self.items.extra() {
                // Another long operation began: the rest wait behind it.
                busy.stash.extend(stash);
                return Flow::Continue;
            }
        }
        self.items.settle();
        Flow::Continue
    }

    /// Gives back what the list counted for its items, however it exits.
    /// (The manager gives back the list's own cost when it learns of the
    /// exit.)
    pub fn terminate(&mut self, shared: &mut Shared) {
        let count = self.items.len();
        shared.stats_mut().list_ended(count);
        shared
            .budget_mut()
            .release(self.items.item_bytes() + count * ITEM_OVERHEAD);
    }
}
