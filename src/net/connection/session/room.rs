//! How much room in client buffers a request's reply may take at once,
//! decided before the request is taken: a connection takes a request whose
//! reply may be big only when the memory budget has room for it, and sets
//! that room aside until the answer comes (the answer is then counted as
//! it is). So no number of clients that do not read can make the server
//! hold more than the budget, whatever they ask for.
//!
//! - Small replies (an `OK`, a number, an error) need no room of their
//!   own: a connection takes them while its unsent output is under its
//!   bound.
//! - A table about the server needs its size, under 1 KiB: a connection's
//!   own allowance holds it.
//! - One item (`LINDEX`, a pop, `ECHO`) needs room for an item as long as
//!   the longest request.
//! - A list reply (`LIST`, `LRANGE`, `LISTS`, `SCAN`, ...) takes whatever
//!   room there is, up to `REPLY_AT_ONCE`: the list writes it at once if
//!   it fits, or else produces it in pieces as the client reads (or, for
//!   a small list when there is no room even for that, says how much it
//!   needs, and the request waits for it).

use crate::config::{Config, REPLY_AT_ONCE};
use crate::protocol::resp::command::Command;
use crate::protocol::Request;

/// A table about the server (`STATS`, `HELP`, `INFO`, `CONFIG GET`,
/// `HELLO`): under 1 KiB today.
const TABLE: usize = 1024;

/// The room a request's reply needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Need {
    /// None of its own (an `OK`, a number, an error: under 512 bytes).
    Small,
    /// This much, or the request waits.
    Bytes(usize),
    /// As much as there is, up to this much: a list reply.
    UpTo(usize),
}

impl Need {
    /// The room to set aside for the reply, with `room` free now (and
    /// the most a list reply may write at once); `None` if the request
    /// must wait for more. `at_least` is what the list said it needs, if
    /// it answered this request with `NeedsRoom` before: then it waits
    /// for that much.
    pub(super) fn set_aside(self, room: usize, at_least: Option<usize>) -> Option<usize> {
        match (self, at_least) {
            (Need::Small, _) => Some(0),
            (Need::Bytes(n), _) if n <= room => Some(n),
            (Need::Bytes(_), _) => None,
            (Need::UpTo(_), Some(n)) if n > room => None,
            (Need::UpTo(n), at_least) => Some(n.max(at_least.unwrap_or(0)).min(room)),
        }
    }
}

/// Room for one item and its framing.
fn item(config: &Config) -> Need {
    Need::Bytes(config.max_line + 32)
}

/// The room a line request's reply needs.
pub(super) fn for_line(request: &Request<'_>) -> Need {
    match request {
        Request::List { .. } | Request::Lists => Need::UpTo(REPLY_AT_ONCE),
        Request::Help | Request::Stats => Need::Bytes(TABLE),
        _ => Need::Small,
    }
}

/// The room a RESP request's reply needs.
pub(super) fn for_resp(command: &Command<'_>, config: &Config) -> Need {
    match command {
        Command::List { .. }
        | Command::Lists
        | Command::Range { .. }
        | Command::Keys { .. }
        | Command::Scan { .. }
        | Command::Pop { count: Some(_), .. } => Need::UpTo(REPLY_AT_ONCE),
        Command::Index { .. } | Command::Pop { count: None, .. } | Command::ClientGetName => {
            item(config)
        }
        Command::Echo(message) | Command::Ping(Some(message)) => Need::Bytes(message.len() + 32),
        Command::Stats
        | Command::Help
        | Command::Info(_)
        | Command::ConfigGet(_)
        | Command::Hello { .. } => Need::Bytes(TABLE),
        Command::Put { .. }
        | Command::Create { .. }
        | Command::Drop { .. }
        | Command::Kill { .. }
        | Command::Compact
        | Command::Quit
        | Command::Ping(None)
        | Command::Push { .. }
        | Command::Len { .. }
        | Command::Rem { .. }
        | Command::Del { .. }
        | Command::Exists { .. }
        | Command::Type { .. }
        | Command::DbSize
        | Command::Select(_)
        | Command::ClientSetName(_)
        | Command::ClientId
        | Command::ClientNoop
        | Command::CommandCount
        | Command::Multi
        | Command::Exec
        | Command::Discard => Need::Small,
        // `COMMAND`'s table, `DEBUG`.
        _ => Need::Bytes(REPLY_AT_ONCE),
    }
}
