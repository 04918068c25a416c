//! What a process is: the `Process` trait (GenServer's callbacks), what its
//! handlers return (`Flow`), and what it can receive (`Info`, `Mail`).

use super::context::Context;
use super::exit::{CallError, ExitReason};
use super::pid::{Caller, Pid, Ref};

/// What a handler tells the runtime to do next.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub enum Flow {
    /// Keep running and wait for the next message.
    Continue,
    /// Exit with this reason once the handler has returned: monitors get
    /// `Down`, links get the exit signal.
    Stop(ExitReason),
}

/// An info message: anything that is neither a call nor a cast.
#[derive(Debug)]
pub enum Info<M> {
    /// A plain message, from [`Context::send`] or a timer.
    Message(M),
    /// The answer to a call this process made with [`Context::call`]: the
    /// callee's reply, or the error that ended the call.
    Reply {
        /// The ref that `call` returned.
        call: Ref,
        /// The reply, or why there is none.
        result: Result<M, CallError>,
    },
    /// A monitored process exited (or did not exist: `NoProc`).
    Down {
        /// The ref that `monitor` returned.
        monitor: Ref,
        /// The process that exited.
        pid: Pid,
        /// Why it exited.
        reason: ExitReason,
    },
    /// An exit signal, received as a message because this process traps
    /// exits.
    Exit {
        /// The linked process that exited, or the sender of `exit`.
        from: Pid,
        /// The reason it carried.
        reason: ExitReason,
    },
}

impl<M> Info<M> {
    /// A word for logs: `message`, `reply`, `down` or `exit`.
    pub fn kind(&self) -> &'static str {
        match self {
            Info::Message(_) => "message",
            Info::Reply { .. } => "reply",
            Info::Down { .. } => "down",
            Info::Exit { .. } => "exit",
        }
    }
}

/// Everything a process can be handed: what the handlers receive, and what
/// piles up in a mailbox ([`Runtime::spawn_mailbox`]).
///
/// [`Runtime::spawn_mailbox`]: crate::runtime::Runtime::spawn_mailbox
#[derive(Debug)]
pub enum Mail<M> {
    /// A call: answer it with `reply(from, ..)` now or later.
    Call {
        /// Whom to answer.
        from: Caller,
        /// The request.
        msg: M,
    },
    /// A cast: fire and forget.
    Cast(M),
    /// Anything else.
    Info(Info<M>),
}

/// A kind of process: a state machine that the runtime drives one message
/// at a time, with GenServer's callbacks.
///
/// A handler may reply now, reply later (keep the [`Caller`]), forward the
/// call so that another process replies, or stop. A panic inside a handler
/// is caught by the runtime and becomes a `Crash` exit of this process
/// alone.
pub trait Process: Sized {
    /// The messages processes of this kind exchange: requests, replies and
    /// plain messages alike.
    type Msg;
    /// State that every process of the runtime may read and write through
    /// [`Context::shared`]: counters and limits, say. `()` if none.
    type Shared;

    /// A call. The default crashes, as a GenServer without `handle_call`
    /// does; the caller then gets the crash as its call's error.
    fn handle_call(&mut self, cx: &mut Context<'_, Self>, from: Caller, msg: Self::Msg) -> Flow {
        let _ = (cx, from, msg);
        Flow::Stop(ExitReason::crash("unexpected call"))
    }

    /// A cast. The default crashes, as a GenServer without `handle_cast`
    /// does.
    fn handle_cast(&mut self, cx: &mut Context<'_, Self>, msg: Self::Msg) -> Flow {
        let _ = (cx, msg);
        Flow::Stop(ExitReason::crash("unexpected cast"))
    }

    /// An info message. The default is the guide's catch-all clause: log it
    /// at debug level and go on.
    fn handle_info(&mut self, cx: &mut Context<'_, Self>, info: Info<Self::Msg>) -> Flow {
        log::debug!("{} ignored an unexpected {} message", cx.pid(), info.kind());
        Flow::Continue
    }

    /// Called once when a supervisor starts the process (`Start::Worker`),
    /// before any message: GenServer's `init`, the place to set up what the
    /// process needs the runtime for. A panic here is a crash of the new
    /// process, which its supervisor sees.
    fn init(&mut self, cx: &mut Context<'_, Self>) {
        let _ = cx;
    }

    /// Called once as the process exits, for any reason (a kill and a crash
    /// included), just before its state is dropped: the place to give back
    /// what it counted in the shared state. It cannot send messages. Unlike
    /// GenServer's `terminate`, it always runs, because accounting must not
    /// depend on how a process died.
    fn terminate(&mut self, shared: &mut Self::Shared, reason: &ExitReason) {
        let _ = (shared, reason);
    }
}
