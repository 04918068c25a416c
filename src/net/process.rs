//! The kinds of process the server runs, as one enum so that the runtime
//! dispatches statically: the domain's (manager and lists) and the
//! connections. Each gets only the messages of its own kind.

use super::connection::Connection;
use super::msg::Msg;
use crate::runtime::{Caller, Context, ExitReason, Flow, Info, Process};
use crate::shared::Shared;
use crate::todo::{self, List, Todo};

/// A process of the server.
#[derive(Debug)]
pub enum Proc {
    /// The manager or a list.
    Todo(Todo),
    /// A client connection. Boxed, so that the many list slots stay small.
    Connection(Box<Connection>),
}

impl From<List> for Proc {
    fn from(list: List) -> Proc {
        Proc::Todo(Todo::List(list))
    }
}

impl Process for Proc {
    type Msg = Msg;
    type Shared = Shared;

    fn handle_call(&mut self, cx: &mut Context<'_, Self>, from: Caller, msg: Msg) -> Flow {
        match (self, msg) {
            (Proc::Todo(todo), Msg::Todo(msg)) => todo.handle_call(cx, from, msg),
            (_, msg) => Flow::Stop(ExitReason::crash(format!("unexpected call {msg:?}"))),
        }
    }

    fn handle_info(&mut self, cx: &mut Context<'_, Self>, info: Info<Msg>) -> Flow {
        match self {
            Proc::Connection(connection) => connection.handle_info(cx, info),
            Proc::Todo(todo) => match for_domain(info) {
                Ok(info) => todo.handle_info(cx, info),
                Err(info) => {
                    log::debug!("{} ignored an unexpected {} message", cx.pid(), info.kind());
                    Flow::Continue
                }
            },
        }
    }

    fn init(&mut self, cx: &mut Context<'_, Self>) {
        if let Proc::Todo(todo) = self {
            todo.init(cx);
        }
    }

    fn terminate(&mut self, shared: &mut Shared, reason: &ExitReason) {
        match self {
            Proc::Todo(todo) => todo.terminate(shared, reason),
            Proc::Connection(connection) => connection.terminate(shared),
        }
    }
}

/// The info message as the domain's processes see it, or back as it was if
/// it carries a connection's event, which is not for them.
fn for_domain(info: Info<Msg>) -> Result<Info<todo::Msg>, Info<Msg>> {
    Ok(match info {
        Info::Message(Msg::Todo(msg)) => Info::Message(msg),
        Info::Reply {
            call,
            result: Ok(Msg::Todo(msg)),
        } => Info::Reply {
            call,
            result: Ok(msg),
        },
        Info::Reply {
            call,
            result: Err(e),
        } => Info::Reply {
            call,
            result: Err(e),
        },
        Info::Down {
            monitor,
            pid,
            reason,
        } => Info::Down {
            monitor,
            pid,
            reason,
        },
        Info::Exit { from, reason } => Info::Exit { from, reason },
        other @ (Info::Message(Msg::Connection(_))
        | Info::Reply {
            result: Ok(Msg::Connection(_)),
            ..
        }) => return Err(other),
    })
}
