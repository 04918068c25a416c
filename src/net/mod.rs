//! The network layer:
//!
//! - `server.rs`: the `mio` poll loop, signals, the graceful stop;
//! - `before_sleep.rs`: what the loop does once the queue has drained: the
//!   log's group commit, every connection's write, waking connections
//!   that wait for room, client eviction;
//! - `listener.rs`: accepting, and the pause when descriptors run out;
//!   `fd_limit.rs`: the open-file limit;
//! - `connection/`: the connection processes; `connections.rs`: their pids,
//!   for the loop's walks over them;
//! - `msg.rs`: the server's message type; `process.rs`: the process enum
//!   that puts the domain's processes and the connections in one runtime;
//! - `persistence.rs`: the loop's part in keeping the log;
//! - `tree.rs`: the process tree, supervisors over the manager and lists;
//! - `tests.rs`: the loop in-process, with a clock moved by hand.

mod before_sleep;
mod connection;
mod connections;
pub mod fd_limit;
mod listener;
mod msg;
mod persistence;
mod process;
mod server;
mod tree;

#[cfg(test)]
mod tests;

pub use connection::Connection;
pub use msg::{Event, Msg};
pub use process::Proc;
pub use server::{Server, StartError, Stopped};

use std::io;

/// The socket has nothing more for now (mio is edge-triggered: read and
/// write until this, and wait for the next event).
fn would_block(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::WouldBlock
}

/// A signal interrupted the call: try again.
fn interrupted(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::Interrupted
}
