//! The kinds of process the server runs, as one enum so that the runtime
//! dispatches statically: the manager, the lists and the connections.

use super::connection::Connection;
use crate::runtime::{Caller, Context, ExitReason, Flow, Info, Process};
use crate::shared::Shared;
use crate::todo::{List, Manager, Msg};

/// A process of the server.
#[derive(Debug)]
pub enum Proc {
    /// The one manager. Boxed, like the connection, so that the many list
    /// slots stay small.
    Manager(Box<Manager>),
    /// A todo list.
    List(List),
    /// A client connection.
    Connection(Box<Connection>),
}

impl From<List> for Proc {
    fn from(list: List) -> Proc {
        Proc::List(list)
    }
}

impl Process for Proc {
    type Msg = Msg;
    type Shared = Shared;

    fn handle_call(&mut self, cx: &mut Context<'_, Self>, from: Caller, msg: Msg) -> Flow {
        match self {
            Proc::Manager(manager) => manager.handle_call(cx, from, msg),
            Proc::List(list) => list.handle_call(cx, from, msg),
            Proc::Connection(_) => Flow::Stop(ExitReason::crash("a connection takes no calls")),
        }
    }

    fn handle_info(&mut self, cx: &mut Context<'_, Self>, info: Info<Msg>) -> Flow {
        match self {
            Proc::Manager(manager) => manager.handle_info(cx, info),
            Proc::Connection(connection) => connection.handle_info(cx, info),
            Proc::List(_) => {
                log::debug!("{} ignored an unexpected {} message", cx.pid(), info.kind());
                Flow::Continue
            }
        }
    }

    fn terminate(&mut self, shared: &mut Shared, _reason: &ExitReason) {
        match self {
            Proc::List(list) => list.terminate(shared),
            Proc::Connection(connection) => connection.terminate(shared),
            Proc::Manager(_) => log::error!("the manager exited"),
        }
    }
}
