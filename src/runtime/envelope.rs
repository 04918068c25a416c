//! What travels through the run queue: an `Envelope` is a destination and a
//! `Body`. Ordinary messages (call, cast, info, reply) and control signals
//! (exit) are kept apart in the type, and delivery treats them differently.

use super::exit::ExitReason;
use super::pid::{Caller, Pid, Ref};

/// One queued delivery.
#[derive(Debug)]
pub(crate) struct Envelope<M> {
    pub(crate) to: Pid,
    pub(crate) body: Body<M>,
}

#[derive(Debug)]
pub(crate) enum Body<M> {
    /// A call request; the callee answers `from`.
    Call {
        from: Caller,
        msg: M,
    },
    Cast(M),
    /// A plain message (`send`, `send_after`).
    Info(M),
    /// A callee's answer to call `call`.
    Reply {
        call: Ref,
        msg: M,
    },
    /// A monitored process exited; for a call's monitor, the call fails.
    Down {
        monitor: Ref,
        pid: Pid,
        reason: ExitReason,
    },
    /// A call's timeout passed.
    CallTimeout {
        call: Ref,
    },
    /// Control signal: an exit, from a linked process (`linked`) or from
    /// `exit(pid, reason)`.
    Exit {
        from: Pid,
        reason: ExitReason,
        linked: bool,
    },
}
