//! The todo domain, on the runtime: the Elixir guide's manager (its
//! `KV.Registry`) and list processes (its buckets), and the messages they
//! exchange. No sockets and no protocol here.
//!
//! - `msg.rs`: [`Msg`], [`Outcome`]: what the domain's processes say.
//! - `name.rs`: [`Name`] and [`Item`], inline when short (`inline.rs`).
//! - `manager.rs`: [`Manager`], names to list processes, by monitors.
//! - `list/`: [`List`], one list's process (Redis's list commands in
//!   `list/ends.rs`); `items/`, how it keeps
//!   its items, small ones in one buffer and big ones in chunks
//!   (`packed.rs`, the buffer and its encoding).
//! - `registry.rs`: the manager's lists by name and by monitor;
//!   `names.rs`, the names sorted, for `LISTS`.
//! - `awaited.rs`: callers answered when lists they ended are gone.
//! - `keys.rs`, `glob.rs`: the manager's part of Redis's commands about
//!   lists as keys; Redis's glob patterns.
//! - `supervised.rs`: the manager's life under its supervisor: names,
//!   lists started under the list supervisor, the rebuild at (re)start.
//! - `compactor.rs`: the manager's part of a compaction of the log;
//!   `rebuild.rs`, the lists rebuilt from the log at start.
//! - `cow.rs`: the copy-on-write pieces that snapshots share, and what
//!   snapshots alone keep alive; `snapshot.rs`, a list's items read later.
//! - [`memory`]: what stored data costs against the memory limit.
//! - this file: [`Todo`], the domain's processes as one kind, and
//!   [`Host`], what the domain needs of the runtime it runs in.

mod awaited;
mod compactor;
mod cow;
mod glob;
mod inline;
mod items;
mod keys;
mod list;
mod manager;
pub mod memory;
mod msg;
mod name;
mod names;
mod packed;
mod rebuild;
mod registry;
mod snapshot;
mod supervised;

#[cfg(test)]
mod tests;

pub use items::Snapshot;
pub use list::Job;
pub use list::List;
pub use manager::Manager;
pub use msg::{End, Format, Listing, Msg, Outcome, WriteCount, WriteItem};
pub use name::{Item, Name};
pub use names::NamesSnapshot;
pub use rebuild::Rebuilt;
pub use supervised::{LISTS, MANAGER};

/// Whether `name` matches the glob-style `pattern`, as Redis matches keys.
pub fn glob_matches(pattern: &[u8], name: &[u8]) -> bool {
    glob::matches(pattern, name)
}

use crate::runtime::{Caller, Context, ExitReason, Flow, Info, Process};
use crate::shared::Shared;

/// The process type the domain runs in: any [`Process`] over [`Shared`]
/// whose messages can carry the domain's [`Msg`] and that can be made from
/// a [`List`] (so the manager can spawn lists). The server's own process
/// type is one; [`Todo`] alone is another, for the domain's tests.
pub trait Host: Process<Shared = Shared, Msg: From<Msg>> + From<List> {}

impl<P: Process<Shared = Shared, Msg: From<Msg>> + From<List>> Host for P {}

/// A process of the domain: the manager or a list. The server embeds it
/// in its own process type; run alone, it is a process type of its own.
#[derive(Debug)]
pub enum Todo {
    /// The one manager. Boxed, so that the many list slots stay small.
    Manager(Box<Manager>),
    /// A todo list.
    List(List),
}

impl From<List> for Todo {
    fn from(list: List) -> Todo {
        Todo::List(list)
    }
}

impl Todo {
    /// A call: a request of the domain.
    pub fn handle_call<P: Host>(
        &mut self,
        cx: &mut Context<'_, P>,
        from: Caller,
        msg: Msg,
    ) -> Flow {
        match self {
            Todo::Manager(manager) => manager.handle_call(cx, from, msg),
            Todo::List(list) => list.handle_call(cx, from, msg),
        }
    }

    /// An info message: the manager's `Down`s; anything else is ignored.
    pub fn handle_info<P: Host>(&mut self, cx: &mut Context<'_, P>, info: Info<Msg>) -> Flow {
        match self {
            Todo::Manager(manager) => manager.handle_info(cx, info),
            Todo::List(list) => list.handle_info(cx, info),
        }
    }

    /// Started by a supervisor: the manager rebuilds its lists.
    pub fn init<P: Host>(&mut self, cx: &mut Context<'_, P>) {
        if let Todo::Manager(manager) = self {
            manager.init(cx);
        }
    }

    /// The process exits: each gives back what it counted.
    pub fn terminate(&mut self, shared: &mut Shared, reason: &ExitReason) {
        match self {
            Todo::List(list) => list.terminate(shared),
            Todo::Manager(manager) => {
                if !reason.is_normal() {
                    log::error!("the manager exited: {reason}");
                }
                manager.terminate(shared);
            }
        }
    }
}

/// The domain alone, as its tests run it.
impl Process for Todo {
    type Msg = Msg;
    type Shared = Shared;

    fn handle_call(&mut self, cx: &mut Context<'_, Self>, from: Caller, msg: Msg) -> Flow {
        Todo::handle_call(self, cx, from, msg)
    }

    fn handle_info(&mut self, cx: &mut Context<'_, Self>, info: Info<Msg>) -> Flow {
        Todo::handle_info(self, cx, info)
    }

    fn init(&mut self, cx: &mut Context<'_, Self>) {
        Todo::init(self, cx)
    }

    fn terminate(&mut self, shared: &mut Shared, reason: &ExitReason) {
        Todo::terminate(self, shared, reason)
    }
}
