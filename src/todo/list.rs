//! A list process: one todo list's items (see `items.rs` for how they are
//! kept), newest first on the wire. The guide's bucket.

use super::items::Items;
use super::memory::item_cost;
use super::msg::{Msg, Outcome};
use super::Host;
use crate::runtime::{Caller, Context, ExitReason, Flow};
use crate::shared::Shared;

/// A list process's state.
#[derive(Debug)]
pub struct List {
    items: Items,
    /// The list's own memory cost, reserved by the manager. With its
    /// items' costs, given back when it exits, however it exits. Nothing
    /// else is stored: 32 bytes a list, in each of perhaps millions of
    /// process slots.
    cost: u32,
}

impl List {
    /// An empty list whose own cost, `cost`, is already reserved.
    pub fn new(cost: u64) -> List {
        List {
            items: Items::default(),
            cost: u32::try_from(cost).expect("a list's own cost is under 1 KiB"),
        }
    }

    /// Serves one request forwarded by the manager; answers the original
    /// caller.
    pub fn handle_call<P: Host>(
        &mut self,
        cx: &mut Context<'_, P>,
        from: Caller,
        msg: Msg,
    ) -> Flow {
        let reply = match msg {
            Msg::Put { item, prepaid, .. } => {
                if !prepaid && !cx.shared().budget_mut().reserve(item_cost(item.len())) {
                    Msg::Done(Outcome::OutOfMemory)
                } else {
                    self.items.push(&item);
                    cx.shared().stats_mut().items_added(1);
                    Msg::Done(Outcome::Ok)
                }
            }
            Msg::List { mut out, write, .. } => {
                for item in self.items.newest_first() {
                    write(&mut out, item);
                }
                Msg::Rendered(out)
            }
            Msg::Del { item, .. } => {
                if self.items.remove_newest(&item) {
                    let shared = cx.shared();
                    shared.budget_mut().release(item_cost(item.len()));
                    shared.stats_mut().items_removed(1);
                    Msg::Done(Outcome::Ok)
                } else {
                    Msg::Done(Outcome::NotFound)
                }
            }
            Msg::Drop { .. } => {
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

    /// Gives back what the list counted, however it exits.
    pub fn terminate(&mut self, shared: &mut Shared) {
        let (mut count, mut charged) = (0, u64::from(self.cost));
        for item in self.items.newest_first() {
            count += 1;
            charged += item_cost(item.len());
        }
        shared.stats_mut().list_ended(count);
        shared.budget_mut().release(charged);
    }
}
