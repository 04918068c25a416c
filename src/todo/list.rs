//! A list process: one todo list's items, newest last in memory and first
//! on the wire. The guide's bucket.

use super::msg::{Msg, Outcome};
use super::Host;
use crate::runtime::{Caller, Context, ExitReason, Flow};
use crate::shared::Shared;

/// A list process's state.
#[derive(Debug, Default)]
pub struct List {
    /// Oldest first, so `PUT` is a push and `LIST` walks backwards.
    items: Vec<Box<[u8]>>,
}

impl List {
    /// An empty list.
    pub fn new() -> List {
        List::default()
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
            Msg::Put { item, .. } => {
                self.items.push(item);
                cx.shared().items += 1;
                Msg::Done(Outcome::Ok)
            }
            Msg::List { mut out, write, .. } => {
                for item in self.items.iter().rev() {
                    write(&mut out, item);
                }
                Msg::Rendered(out)
            }
            Msg::Del { item, .. } => match self.items.iter().rposition(|i| *i == item) {
                Some(at) => {
                    self.items.remove(at);
                    cx.shared().items -= 1;
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
    }
}
