//! todo-server: the Elixir getting-started guide's todo application (a
//! manager process that maps list names to list processes and monitors
//! them) rebuilt as a single-threaded event-loop server: one `mio` poll
//! loop, processes as state machines in a slab, one message queue.
//!
//! # Layout
//!
//! - [`runtime`]: processes, pids, the run queue, monitors, links,
//!   call/cast/info, crash isolation, timers. Knows nothing of lists or
//!   sockets.

#![deny(missing_docs, missing_debug_implementations)]

pub mod config;
pub mod net;
pub mod protocol;
pub mod runtime;
pub mod shared;
pub mod todo;
