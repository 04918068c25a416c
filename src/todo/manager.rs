//! The manager: maps list names to list processes, as the guide's
//! `KV.Registry` does. It monitors every list and never links to one (a
//! list's crash must not take the manager down), and forgets a name only
//! when that list's `Down` arrives, whatever ended it: `DROP`, `KILL` or a
//! crash.
//!
//! Requests for a list are forwarded with the caller's `Caller`, so the
//! list answers the connection directly: connection -> manager -> list ->
//! connection, three queue hops.
//!
//! With a log, the manager records what it decides: a list created empty
//! (`CREATE`), a list ended by a signal (`KILL`, Redis's `DEL`, a crash),
//! at its `Down`; requests that end lists are answered then
//! (`awaited.rs`). A list that stops by itself (`DROP`, emptied by a Redis
//! command) logs its own end. The manager refuses changes while the log
//! cannot be written, starts the lists the log held at start, and runs
//! compactions (`compactor.rs`).

use std::time::Duration;

use super::awaited::Awaited;
use super::compactor::{Compactor, Next};
use super::keys;
use super::memory::{item_cost, list_cost};
use super::msg::{Listing, Msg, Outcome};
use super::name::Name;
use super::registry::Registry;
use super::Host;
use crate::budget::Orphans;
use crate::runtime::{Caller, Context, ExitReason, Flow, Info, Pid, Ref};
use crate::store::Record;

/// The manager process's state.
#[derive(Debug)]
pub struct Manager {
    /// Every live list, by name, by monitor, and in order.
    pub(super) lists: Registry,
    /// The compaction it is running, if any.
    compactor: Option<Compactor>,
    /// Callers waiting for lists to end before they are answered.
    awaited: Awaited,
}

impl Manager {
    /// A manager with no lists; index blocks that snapshots alone keep are
    /// counted in `orphans`.
    pub fn new(orphans: &Orphans) -> Manager {
        Manager {
            lists: Registry::new(orphans),
            compactor: None,
            awaited: Awaited::default(),
        }
    }

    /// The process of list `name`, if the manager knows one.
    pub fn lookup(&self, name: &[u8]) -> Option<Pid> {
        self.lists.get(name)
    }

    /// How many names the manager knows.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.lists.len()
    }

    /// Serves one request: answers it, or forwards it to the list.
    pub fn handle_call<P: Host>(
        &mut self,
        cx: &mut Context<'_, P>,
        from: Caller,
        msg: Msg,
    ) -> Flow {
        let refused = cx.shared().refusal().is_some();
        match msg {
            Msg::Put {
                name,
                item,
                prepaid: _,
            } => {
                let items_cost = item_cost(item.len());
                let Some((pid, prepaid)) = self.list_to_add_to(cx, from, &name, items_cost) else {
                    return Flow::Continue;
                };
                let put = Msg::Put {
                    name,
                    item,
                    prepaid,
                };
                cx.forward(from, pid, put.into());
            }
            Msg::List { ref name, .. } | Msg::Del { ref name, .. } | Msg::Drop { ref name } => {
                match self.lookup(name.as_bytes()) {
                    Some(pid) => cx.forward(from, pid, msg.into()),
                    None => cx.reply(from, Msg::Done(Outcome::NotFound).into()),
                }
            }
            Msg::Push {
                name,
                items,
                end,
                prepaid: _,
            } => {
                let items_cost = items.iter().map(|i| item_cost(i.len())).sum();
                let Some((pid, prepaid)) = self.list_to_add_to(cx, from, &name, items_cost) else {
                    return Flow::Continue;
                };
                let push = Msg::Push {
                    name,
                    items,
                    end,
                    prepaid,
                };
                cx.forward(from, pid, push.into());
            }
            Msg::Range { ref name, .. }
            | Msg::Len { ref name }
            | Msg::Index { ref name, .. }
            | Msg::Remove { ref name, .. }
            | Msg::Pop { ref name, .. } => match self.lookup(name.as_bytes()) {
                Some(pid) => cx.forward(from, pid, msg.into()),
                None => match keys::missing_list_reply(msg) {
                    Ok(reply) | Err(reply) => cx.reply(from, reply.into()),
                },
            },
            Msg::DelKeys { names } => {
                if refused {
                    cx.reply(from, Msg::Done(Outcome::Refused).into());
                } else {
                    let ending = keys::delete(cx, &self.lists, &names);
                    let answer = Msg::Count(ending.len() as u64);
                    self.answer_when_ended(cx, from, &ending, answer);
                }
            }
            Msg::Exists { names } => {
                let count = keys::exist(&self.lists, &names);
                cx.reply(from, Msg::Count(count).into());
            }
            Msg::Keys {
                pattern,
                room,
                out,
                format,
            } => {
                let reply = keys::keys(&self.lists, pattern, room as usize, out, format);
                cx.reply(from, reply.into());
            }
            Msg::Scan {
                cursor,
                pattern,
                count,
                room,
                out,
                format,
            } => {
                let pattern = pattern.as_deref();
                let room = room as usize;
                let reply = keys::scan(&self.lists, cursor, pattern, count, room, out, format);
                cx.reply(from, reply.into());
            }
            Msg::DbSize => cx.reply(from, Msg::Count(self.lists.len() as u64).into()),
            Msg::Create { name } => {
                let outcome = match self.lookup(name.as_bytes()) {
                    Some(_) => Outcome::Ok,
                    None if refused => Outcome::Refused,
                    None => {
                        let list = list_cost(name.as_bytes().len());
                        if cx.shared().budget_mut().reserve(list) {
                            self.start(cx, &name);
                            cx.shared().log(Record::Create {
                                name: name.as_bytes(),
                            });
                            Outcome::Ok
                        } else {
                            Outcome::OutOfMemory
                        }
                    }
                };
                cx.reply(from, Msg::Done(outcome).into());
            }
            Msg::Kill { name } => {
                // The name stays until the list's Down: the manager learns
                // of a kill the way it learns of a crash, and answers then.
                match self.lists.find(name.as_bytes()) {
                    Some(_) if refused => cx.reply(from, Msg::Done(Outcome::Refused).into()),
                    Some((pid, monitor)) => {
                        cx.exit(pid, ExitReason::Kill);
                        self.answer_when_ended(cx, from, &[monitor], Msg::Done(Outcome::Ok));
                    }
                    None => cx.reply(from, Msg::Done(Outcome::NotFound).into()),
                }
            }
            Msg::Lists {
                room,
                mut out,
                format,
            } => {
                // Written now if the names fit in `room` bytes; else a
                // snapshot of them, to read in pieces.
                let begin = out.len();
                (format.header)(&mut out, self.lists.len() as u64);
                let mut fits = true;
                self.lists.read_from(b"", |name| {
                    (format.item)(&mut out, name.as_bytes());
                    fits = out.len() - begin <= room as usize;
                    fits
                });
                let reply = if fits {
                    Msg::Rendered(out)
                } else {
                    Msg::Listing(Box::new(Listing::Names(self.lists.snapshot())))
                };
                cx.reply(from, reply.into());
            }
            Msg::Compact => {
                let outcome = self.compact(cx);
                cx.reply(from, Msg::Done(outcome).into());
            }
            Msg::Crash { name: None } => panic!("DEBUG CRASH MANAGER"),
            Msg::Crash {
                name: Some(ref name),
            } => match self.lists.find(name.as_bytes()) {
                // Answered at its Down, as a KILL is.
                Some((pid, monitor)) => {
                    cx.send(pid, msg.into());
                    self.answer_when_ended(cx, from, &[monitor], Msg::Done(Outcome::Ok));
                }
                None => cx.reply(from, Msg::Done(Outcome::NotFound).into()),
            },
            other => {
                log::error!("manager got an unexpected call: {other:?}");
                cx.reply(from, Msg::Done(Outcome::Invalid).into());
            }
        }
        Flow::Continue
    }

    /// A list's `Down`: forget its name, log that it is gone (unless it
    /// logged that itself), and answer who waited for it. The server's
    /// requests to compact, and the compaction's own messages.
    pub fn handle_info<P: Host>(&mut self, cx: &mut Context<'_, P>, info: Info<Msg>) -> Flow {
        match info {
            Info::Down {
                monitor,
                pid,
                reason,
            } => {
                if let Some((name, _)) = self.lists.remove(monitor) {
                    // Reserved when the list was started; its items were
                    // given back as it exited.
                    let shared = cx.shared();
                    shared
                        .budget_mut()
                        .release(list_cost(name.as_bytes().len()));
                    // A list that stops normally logged its own end before
                    // it answered.
                    if reason != ExitReason::Normal {
                        shared.log(Record::Drop {
                            name: name.as_bytes(),
                        });
                    }
                    log::debug!(
                        "list {:?} ({pid}) exited: {reason}",
                        String::from_utf8_lossy(name.as_bytes())
                    );
                }
                for (from, answer) in self.awaited.ended(monitor) {
                    cx.reply(from, answer.into());
                }
            }
            Info::Message(Msg::Compact) => {
                self.compact(cx);
            }
            Info::Message(Msg::CompactStep) => self.compact_step(cx),
            Info::Reply { call, result }
                if self.compactor.as_ref().is_some_and(|c| c.asked(call)) =>
            {
                if let Some(compactor) = &mut self.compactor {
                    compactor.answer(call, result);
                }
            }
            other => log::debug!(
                "{} ignored an unexpected {} message",
                cx.pid(),
                other.kind()
            ),
        }
        Flow::Continue
    }

    /// The list a `PUT` or a push adds to, and whether its items are paid
    /// for already: list `name`, or a new one, paid for with the items
    /// (`items_cost`) at once, so that a refused request leaves no empty
    /// list behind. `None` when refused, and answered.
    fn list_to_add_to<P: Host>(
        &mut self,
        cx: &mut Context<'_, P>,
        from: Caller,
        name: &Name,
        items_cost: u64,
    ) -> Option<(Pid, bool)> {
        if let Some(pid) = self.lookup(name.as_bytes()) {
            return Some((pid, false));
        }
        let refusal = if cx.shared().refusal().is_some() {
            Outcome::Refused
        } else if cx
            .shared()
            .budget_mut()
            .reserve(list_cost(name.as_bytes().len()) + items_cost)
        {
            return Some((self.start(cx, name), true));
        } else {
            Outcome::OutOfMemory
        };
        cx.reply(from, Msg::Done(refusal).into());
        None
    }

    /// Answers `from` with `answer` once the lists watched by `monitors`
    /// have ended (now, if there are none).
    fn answer_when_ended<P: Host>(
        &mut self,
        cx: &mut Context<'_, P>,
        from: Caller,
        monitors: &[Ref],
        answer: Msg,
    ) {
        if let Some((from, answer)) = self.awaited.wait(from, monitors, answer) {
            cx.reply(from, answer.into());
        }
    }

    /// Starts a compaction, unless one is running.
    fn compact<P: Host>(&mut self, cx: &mut Context<'_, P>) -> Outcome {
        let Some(store) = cx.shared().store_mut() else {
            return Outcome::NotPersistent;
        };
        match store.start_compaction() {
            Ok(None) => Outcome::Ok,
            Ok(Some(id)) => {
                // A compaction given up may still have its step queued: it
                // goes on with this one.
                let stepping = self.compactor.is_some();
                self.compactor = Some(Compactor::new(id, self.lists.snapshot()));
                if !stepping {
                    let me = cx.pid();
                    cx.send_after(me, Duration::ZERO, Msg::CompactStep.into());
                }
                Outcome::Ok
            }
            Err(e) => {
                log::error!("cannot start a compaction: {e}");
                Outcome::Refused
            }
        }
    }

    /// One slice of the compaction, and the next on the next pass.
    fn compact_step<P: Host>(&mut self, cx: &mut Context<'_, P>) {
        let Some(compactor) = &mut self.compactor else {
            return;
        };
        let lists = &self.lists;
        match compactor.step(cx, |name| lists.get(name)) {
            Next::Step => {
                let me = cx.pid();
                cx.send_after(me, Duration::ZERO, Msg::CompactStep.into());
            }
            Next::Done => self.compactor = None,
        }
    }
}
