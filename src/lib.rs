//! todo-server: the Elixir getting-started guide's todo application (a
//! manager process that maps list names to list processes and monitors
//! them) rebuilt as a single-threaded event-loop server: one `mio` poll
//! loop, processes as state machines in a slab, one message queue.
//!
//! # Layout
//!
//! From the bottom up: each uses only what comes before it, but for
//! [`shared`] and [`todo`](mod@todo), which use each other (the shared
//! state holds the lists the log held at start, for the manager).
//!
//! - [`runtime`]: processes, pids, the run queue, monitors (`monitor.rs`),
//!   links, call/cast/info, crash isolation, timers, OTP's supervisors
//!   (`supervisor.rs`, `dynamic.rs`). Knows nothing of lists, sockets or
//!   files.
//! - [`store`]: the durable log: records, group commit, replay, compaction,
//!   the helper thread that syncs. Knows bytes, not lists.
//! - [`config`]: every command-line option, its default, its bounds and
//!   why.
//! - [`stats`]: the counters `STATS` reports. [`budget`]: where memory is
//!   counted. [`shared`]: those, the configuration and the log, as every
//!   process sees them.
//! - [`todo`](mod@todo): the guide's manager and list processes, and their
//!   messages; they log their changes to the store and rebuild from it.
//! - [`protocol`]: where bytes become lines (`frame.rs`), a line becomes a
//!   request (`request.rs`), and results become reply bytes (`reply.rs`);
//!   RESP's framing, commands and replies (`resp/`); no I/O.
//! - [`net`]: the poll loop (`server.rs`) and what it does before it sleeps
//!   (`before_sleep.rs`), the listener, the log's part in the loop
//!   (`persistence.rs`), the process tree (`tree.rs`), the server's message
//!   type, and the connection processes (`connection/`): their transport
//!   (socket and buffers), session (where a request becomes a reply),
//!   backpressure (when a connection stops taking requests) and lifecycle
//!   (where a connection decides to close).
//!
//! The binary (`src/main.rs`) parses options, sets up logging, binds and
//! runs [`net::Server`]. The load generator, `todo-bench`, is a client of
//! its own in `src/bin/todo-bench/`.

#![deny(missing_docs, missing_debug_implementations)]

pub mod budget;
pub mod config;
pub mod net;
pub mod protocol;
pub mod runtime;
pub mod shared;
pub mod stats;
pub mod store;
pub mod todo;
