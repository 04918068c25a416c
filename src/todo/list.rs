//! A list process: one todo list's items, newest last in memory and first
//! on the wire. The guide's bucket.

use super::memory::item_cost;
use super::msg::{Msg, Outcome};
use super::Host;
use crate::runtime::{Caller, Context, ExitReason, Flow};
use crate::shared::Shared;

/// A list process's state.
#[derive(Debug)]
pub struct List {
    /// Oldest first, so `PUT` is a push and `LIST` walks backwards.
    items: Vec<Box<[u8]>>,
    /// Memory counted for this list and its items, given back when it
    /// exits, however it exits.
    charged: u64,
}

impl List {
    /// An empty list whose own cost, `charged`, is already reserved.
    pub fn new(charged: u64) -> List {
        List {
            items: Vec::new(),
            charged,
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
                let cost = item_cost(item.len());
                if !prepaid && !cx.shared().reserve(cost) {
                    Msg::Done(Outcome::OutOfMemory)
                } else {
                    self.charged += cost;
                    self.items.push(item);
                    cx.shared().items += 1;
                    Msg::Done(Outcome::Ok)
                }
            }
            Msg::List { mut out, write, .. } => {
                for item in self.items.iter().rev() {
                    write(&mut out, item);
                }
                Msg::Rendered(out)
            }
            Msg::Del { item, .. } => match self.items.iter().rposition(|i| *i == item) {
                Some(at) => {
                    let cost = item_cost(self.items.remove(at).len());
                    self.charged -= cost;
                    let shared = cx.shared();
                    shared.release(cost);
                    shared.items -= 1;
                    Msg::Done(Outcome::Ok)
                }
                None => Msg::Done(Outcome::NotFound),
            },
            Msg::Drop { .. } => {
                cx.reply(from, Msg::Done(Outcome::Ok));
                return Flow::Stop(ExitReason::Normal);
            }
            other => {
                log::error!("list {} got an unexpected call: {other:?}", cx.pid());
                Msg::Done(Outcome::Invalid)
            }
        };
        cx.reply(from, reply);
        Flow::Continue
    }

    /// Gives back what the list counted, however it exits.
    pub fn terminate(&mut self, shared: &mut Shared) {
        shared.items -= self.items.len() as u64;
        shared.lists -= 1;
        shared.release(self.charged);
    }
}
