//! todo-server: the Elixir getting-started guide's todo application (a
//! manager process that maps list names to list processes and monitors
//! them) rebuilt as a single-threaded event-loop server: one `mio` poll
//! loop, processes as state machines in a slab, one message queue.
//!
//! # Layout
//!
//! Each layer uses only the ones listed before it.
//!
//! - [`runtime`]: processes, pids, the run queue, monitors, links,
//!   call/cast/info, crash isolation, timers. Knows nothing of lists or
//!   sockets.
//! - [`config`]: every command-line option and its default.
//! - [`shared`]: the limits and counters every process can see.
//! - [`todo`](mod@todo): the guide's manager and list processes, and their messages.
//! - [`protocol`]: bytes to requests and results to reply bytes, no I/O.
//! - [`net`]: the poll loop, the listener and the connection processes.
//! - [`bench`](mod@bench): the load generator behind the `todo-bench` binary (a
//!   client; it uses none of the above but `net::fd_limit`).
//!
//! The binary (`src/main.rs`) parses options, sets up logging, binds and
//! runs [`net::Server`].

#![deny(missing_docs, missing_debug_implementations)]

pub mod bench;
pub mod config;
pub mod net;
pub mod protocol;
pub mod runtime;
pub mod shared;
pub mod todo;
