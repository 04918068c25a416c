//! The todo domain, on the runtime: the Elixir guide's manager (its
//! `KV.Registry`) and list processes (its buckets), and the messages they
//! exchange. No sockets and no protocol here.
//!
//! - `msg.rs`: [`Msg`], [`Outcome`], [`Name`]: what processes say.
//! - `manager.rs`: [`Manager`], names to list processes, by monitors.
//! - `list.rs`: [`List`], one list's process; `items.rs`, how it keeps
//!   its items.
//! - [`memory`]: what stored data costs against the memory limit.

mod items;
mod list;
mod manager;
pub mod memory;
mod msg;

#[cfg(test)]
mod tests;

pub use list::List;
pub use manager::Manager;
pub use msg::{Msg, Name, Outcome, WriteItem};

use crate::runtime::Process;
use crate::shared::Shared;

/// The process type the domain runs in: any [`Process`] speaking [`Msg`]
/// over [`Shared`] that can be made from a [`List`] (so the manager can
/// spawn lists). The server's own process enum is one; the domain's tests
/// use a smaller one.
pub trait Host: Process<Msg = Msg, Shared = Shared> + From<List> {}

impl<P: Process<Msg = Msg, Shared = Shared> + From<List>> Host for P {}
