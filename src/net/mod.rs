//! The network layer: the `mio` poll loop and the listener (`server`), the
//! connection processes (`connection`), and the process enum that puts the
//! manager, the lists and the connections in one runtime (`process`).

mod connection;
pub mod fd_limit;
mod process;
mod server;

pub use connection::Connection;
pub use process::Proc;
pub use server::Server;

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
