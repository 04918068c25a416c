//! Why a process stopped (`ExitReason`) and why a call got no answer
//! (`CallError`).

use std::fmt;
use std::rc::Rc;

/// Why a process exited. Erlang's reasons, as an enum rather than atoms.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum ExitReason {
    /// It finished its work. Does not propagate through links.
    Normal,
    /// It was asked to stop. Propagates through links, but is not an error.
    Shutdown,
    /// It was killed. Sent with `exit(pid, Kill)` it cannot be trapped.
    Kill,
    /// It did not exist: the reason of a `Down` for a pid that was already
    /// dead when monitored or called.
    NoProc,
    /// It crashed (a panic in a handler, or a handler that chose to crash),
    /// with the message.
    Crash(Rc<str>),
}

impl ExitReason {
    /// A crash with this message.
    pub fn crash(message: impl Into<Rc<str>>) -> ExitReason {
        ExitReason::Crash(message.into())
    }

    /// `Normal` and `Shutdown` are how processes are meant to stop: not
    /// errors, and not logged as such.
    pub fn is_normal(&self) -> bool {
        matches!(self, ExitReason::Normal | ExitReason::Shutdown)
    }
}

impl fmt::Display for ExitReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExitReason::Normal => f.write_str("normal"),
            ExitReason::Shutdown => f.write_str("shutdown"),
            ExitReason::Kill => f.write_str("killed"),
            ExitReason::NoProc => f.write_str("noproc"),
            ExitReason::Crash(message) => write!(f, "crash: {message}"),
        }
    }
}

/// Why a call was answered with an error instead of a reply.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum CallError {
    /// The callee exited before replying (`NoProc`: it was already dead).
    Exit(ExitReason),
    /// The call's timeout passed first.
    Timeout,
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Exit(reason) => write!(f, "callee exited: {reason}"),
            CallError::Timeout => f.write_str("call timed out"),
        }
    }
}
