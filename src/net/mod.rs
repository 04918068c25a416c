//! The network layer: the `mio` poll loop (`server`), the listening socket
//! (`listener`), the connection processes (`connection/`), the server's
//! message type (`msg`), the loop's part in keeping the log
//! (`persistence`), the process tree (`tree`), and the process enum that puts the domain's
//! processes and the connections in one runtime (`process`).

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
