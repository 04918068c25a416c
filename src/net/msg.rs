//! The server's message type: the domain's messages and the connections'
//! own events, side by side, so that the domain knows nothing of sockets.

use std::fmt;

use crate::todo;

/// Every message of the server.
pub enum Msg {
    /// A request or reply of the todo domain.
    Todo(todo::Msg),
    /// An event that drives a connection.
    Connection(Event),
}

/// What happens to a connection, besides the answers to its requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// From the poll loop: the socket is ready.
    Ready {
        /// Bytes (or EOF) may be waiting.
        readable: bool,
        /// The socket can take more bytes.
        writable: bool,
        /// The peer closed or reset (its EOF must be read).
        closed: bool,
    },
    /// From the poll loop, after writing the connection's output before
    /// sleeping: that write changed something the connection must act on
    /// (the socket failed, the output drained under its bound, or the
    /// output of a closing connection is all sent).
    Wrote,
    /// From the poll loop: writing the connection's output before sleeping
    /// failed (a reset, a broken pipe): nothing more can be sent.
    Broken(std::io::ErrorKind),
    /// From the poll loop, on the next pass: a big reply has more to
    /// produce and the socket has room: write again.
    Write,
    /// From the poll loop: client buffers have room again; a connection
    /// that stopped reading for want of it goes on.
    Room,
    /// From the poll loop: client buffers are over their share and this
    /// connection holds the most without reading: close it.
    Evict,
    /// From itself: go on with the requests it left for the next loop
    /// pass, to let others have their turn.
    Resume,
    /// From itself: stop waiting for the peer to close after `QUIT`.
    Linger,
    /// From itself: see whether it has been idle too long.
    IdleCheck,
    /// From itself: the pass it closed in is over; exit.
    Close,
    /// From the poll loop: the server is stopping; answer what was
    /// received, flush, and close.
    Drain,
}

impl From<todo::Msg> for Msg {
    fn from(msg: todo::Msg) -> Msg {
        Msg::Todo(msg)
    }
}

impl From<Event> for Msg {
    fn from(event: Event) -> Msg {
        Msg::Connection(event)
    }
}

impl fmt::Debug for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Msg::Todo(msg) => msg.fmt(f),
            Msg::Connection(event) => event.fmt(f),
        }
    }
}
