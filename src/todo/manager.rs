//! The manager: maps list names to list processes, as the guide's
//! `KV.Registry` does. It monitors every list and never links to one (a
//! list's crash must not take the manager down), and forgets a name only
//! when that list's `Down` arrives, whatever ended it: `DROP`, `KILL` or a
//! crash.
//!
//! Requests for a list are forwarded with the caller's `Caller`, so the
//! list answers the connection directly: connection -> manager -> list ->
//! connection, three queue hops.

use super::list::List;
use super::memory::{item_cost, list_cost};
use super::msg::{Listing, Msg, Outcome};
use super::name::Name;
use super::registry::Registry;
use super::Host;
use crate::budget::Orphans;
use crate::runtime::{Caller, Context, ExitReason, Flow, Info, Pid};

/// Names a `LISTS` reply writes at once; past this many it is a snapshot,
/// read in pieces as the client takes them.
const LISTS_AT_ONCE: usize = 256;

/// The manager process's state.
#[derive(Debug)]
pub struct Manager {
    /// Every live list, by name, by monitor, and in order.
    lists: Registry,
}

impl Manager {
    /// A manager with no lists; index blocks that snapshots alone keep are
    /// counted in `orphans`.
    pub fn new(orphans: &Orphans) -> Manager {
        Manager {
            lists: Registry::new(orphans),
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
        match msg {
            Msg::Put {
                name,
                item,
                prepaid: _,
            } => {
                let (pid, prepaid) = match self.lookup(name.as_bytes()) {
                    Some(pid) => (pid, false),
                    None => {
                        // Pay for the list and its first item at once, so a
                        // refused PUT leaves no empty list behind.
                        let list = list_cost(name.as_bytes().len());
                        if !cx
                            .shared()
                            .budget_mut()
                            .reserve(list + item_cost(item.len()))
                        {
                            cx.reply(from, Msg::Done(Outcome::OutOfMemory).into());
                            return Flow::Continue;
                        }
                        (self.start(cx, &name), true)
                    }
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
            Msg::Create { name } => {
                let outcome = match self.lookup(name.as_bytes()) {
                    Some(_) => Outcome::Ok,
                    None => {
                        let list = list_cost(name.as_bytes().len());
                        if cx.shared().budget_mut().reserve(list) {
                            self.start(cx, &name);
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
                // of a kill the way it learns of a crash.
                let outcome = match self.lookup(name.as_bytes()) {
                    Some(pid) => {
                        cx.exit(pid, ExitReason::Kill);
                        Outcome::Ok
                    }
                    None => Outcome::NotFound,
                };
                cx.reply(from, Msg::Done(outcome).into());
            }
            Msg::Lists { mut out, write } => {
                let mut names = self.lists.snapshot();
                let reply = if names.left() <= LISTS_AT_ONCE {
                    names.read(|name| {
                        write(&mut out, name.as_bytes());
                        true
                    });
                    Msg::Rendered(out)
                } else {
                    Msg::Listing(Listing::Names(names))
                };
                cx.reply(from, reply.into());
            }
            other => {
                log::error!("manager got an unexpected call: {other:?}");
                cx.reply(from, Msg::Done(Outcome::Invalid).into());
            }
        }
        Flow::Continue
    }

    /// A list's `Down`: forget its name.
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
                    cx.shared()
                        .budget_mut()
                        .release(list_cost(name.as_bytes().len()));
                    log::debug!(
                        "list {:?} ({pid}) exited: {reason}",
                        String::from_utf8_lossy(name.as_bytes())
                    );
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

    /// Starts list `name`, whose own cost is already reserved.
    fn start<P: Host>(&mut self, cx: &mut Context<'_, P>, name: &Name) -> Pid {
        let (pid, monitor) = cx.spawn_monitor(P::from(List::new()));
        cx.shared().stats_mut().list_started();
        self.lists.insert(name.clone(), pid, monitor);
        pid
    }
}
