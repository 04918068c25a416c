//! The manager's life under its supervisor (the guide's next chapter): the
//! names by which the tree's processes find each other, the lists started
//! under the list supervisor (and monitored, never linked), the rebuild of
//! every list from the log when the manager (re)starts, and what it gives
//! back when it exits.
//!
//! The manager and the list supervisor restart together (`one_for_all`):
//! the names die with the manager, so its lists must go too, and the new
//! manager starts every list again from the durable log. With
//! `--in-memory` there is no log, and the lists are lost.

use std::time::Instant;

use super::items::Items;
use super::list::List;
use super::manager::Manager;
use super::memory::{list_cost, ITEM_OVERHEAD};
use super::name::Name;
use super::rebuild::Rebuilt;
use super::Host;
use crate::runtime::{Context, Pid};
use crate::shared::Shared;

/// The manager's registered name: connections find it by this, whatever
/// its pid after a restart.
pub const MANAGER: &str = "todo.manager";

/// The list supervisor's registered name.
pub const LISTS: &str = "todo.lists";

impl Manager {
    /// Its start under its supervisor: the lists the log holds are started
    /// again. At the server's start they were read already; after a crash
    /// they are read from the files again.
    pub fn init<P: Host>(&mut self, cx: &mut Context<'_, P>) {
        let began = Instant::now();
        let orphans = cx.shared().budget().orphans().clone();
        let lists = match cx.shared().take_rebuilt() {
            Some(rebuilt) => rebuilt.into_sorted(),
            None => match cx.shared().store_mut() {
                Some(store) => {
                    store.abandon_compaction("the manager restarted");
                    let mut rebuilt = Rebuilt::new(&orphans);
                    if let Err(e) = store.replay_again(&mut rebuilt) {
                        // A crash: the supervisor tries again, then gives up.
                        panic!("cannot read the log again: {e}");
                    }
                    let lists = rebuilt.into_sorted();
                    log::info!(
                        "manager {} restarted: {} lists rebuilt from the log in {:?}",
                        cx.pid(),
                        lists.len(),
                        began.elapsed()
                    );
                    lists
                }
                None => {
                    if cx.shared().stats().lists() == 0 && cx.restarts() > 0 {
                        log::warn!(
                            "manager {} restarted with --in-memory: the lists are lost",
                            cx.pid()
                        );
                    }
                    Vec::new()
                }
            },
        };
        self.restore(cx, lists);
    }

    /// Starts a list for each list the log held, in name order.
    fn restore<P: Host>(&mut self, cx: &mut Context<'_, P>, lists: Vec<(Name, Items)>) {
        let mut over = false;
        self.lists.reserve(lists.len());
        cx.reserve(lists.len());
        for (name, items) in lists {
            let cost =
                list_cost(name.as_bytes().len()) + items.item_bytes() + items.len() * ITEM_OVERHEAD;
            let shared = cx.shared();
            over |= !shared.budget_mut().charge(cost);
            shared.stats_mut().items_added(items.len());
            self.start_list(cx, name, List::with_items(items));
        }
        if over {
            log::warn!(
                "the lists in the log take more than the store's share of --max-memory: \
                 new items are refused until some are deleted, or the server is restarted \
                 with a larger --max-memory"
            );
        }
    }

    /// Starts list `name`, whose own cost is already reserved: under the
    /// list supervisor, monitored.
    pub(super) fn start<P: Host>(&mut self, cx: &mut Context<'_, P>, name: &Name) -> Pid {
        self.start_list(cx, name.clone(), List::new())
    }

    fn start_list<P: Host>(&mut self, cx: &mut Context<'_, P>, name: Name, list: List) -> Pid {
        let pid = match cx.whereis(LISTS) {
            Some(supervisor) => cx.spawn_under(supervisor, P::from(list)),
            // Outside a tree (the domain's own tests).
            None => cx.spawn(P::from(list)),
        };
        let monitor = cx.monitor(pid);
        cx.shared().stats_mut().list_started();
        self.lists.insert(name, pid, monitor);
        pid
    }

    /// The manager exits (a crash, a restart, the server stopping): what
    /// it counted for its lists goes back. The lists go with the list
    /// supervisor, and give back their own.
    pub fn terminate(&mut self, shared: &mut Shared) {
        let names: u64 = self
            .lists
            .names()
            .map(|n| list_cost(n.as_bytes().len()))
            .sum();
        shared.budget_mut().release(names);
    }
}
