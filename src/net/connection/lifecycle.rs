//! A connection's life, and where it decides to close: open, draining (the
//! server is stopping), quitting and lingering (after `QUIT`), closed; and
//! the idle timeout.
//!
//! A connection is never freed in the middle of a pass: closing marks it
//! closed and queues a zero-delay `Close`, so it exits on the next pass,
//! after the queue has drained, as Redis frees clients only before it
//! sleeps. Until then it ignores everything.

use std::time::{Duration, Instant};

use super::transport::Transport;
use crate::net::msg::{Event, Msg};
use crate::runtime::{Context, ExitReason, Flow, Process, TimerRef};
use crate::shared::Shared;

/// How long a closing connection waits for the peer to close after `QUIT`.
const LINGER: Duration = Duration::from_secs(2);

/// Where a connection is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    /// Serving requests.
    Open,
    /// The server is stopping: every complete request already received is
    /// answered and flushed, then the connection closes.
    Draining,
    /// `QUIT` answered: flush, then shut the write side.
    Quitting,
    /// Write side shut after `QUIT`; reading and dropping until the peer
    /// closes, so that unread bytes do not turn our close into a reset that
    /// could destroy the reply in flight. Bounded by `LINGER`.
    Lingering(TimerRef),
    /// Done: waiting for the next loop pass to be freed.
    Closed,
}

/// The phase, and what the idle timeout needs.
#[derive(Debug)]
pub(super) struct Lifecycle {
    phase: Phase,
    /// When bytes last moved either way, for the idle timeout.
    last_active: Instant,
    /// The pending idle check, if the idle timeout is on. One timer per
    /// connection, re-armed only when it fires: activity costs nothing.
    idle_timer: Option<TimerRef>,
}

/// What the session and transport say about the connection after a turn.
#[derive(Debug, Clone, Copy)]
pub(super) struct Progress {
    /// A request is waiting for its answer.
    pub(super) in_flight: bool,
    /// A complete line is waiting to be answered.
    pub(super) line_waiting: bool,
    /// Nothing received is waiting to be answered.
    pub(super) input_empty: bool,
}

type Cx<'a, 'b, P> = &'a mut Context<'b, P>;

impl Lifecycle {
    /// A connection opened at `now`.
    pub(super) fn new(now: Instant) -> Lifecycle {
        Lifecycle {
            phase: Phase::Open,
            last_active: now,
            idle_timer: None,
        }
    }

    pub(super) fn phase(&self) -> Phase {
        self.phase
    }

    /// Requests are answered in this phase.
    pub(super) fn takes_requests(&self) -> bool {
        matches!(self.phase, Phase::Open | Phase::Draining)
    }

    /// New readiness makes it read: not once the server is stopping (it
    /// reads only what had arrived) nor after it closed.
    pub(super) fn reads_new_input(&self) -> bool {
        !matches!(self.phase, Phase::Draining | Phase::Closed)
    }

    /// What is read is kept as requests (after `QUIT` it is dropped).
    pub(super) fn keeps_input(&self) -> bool {
        self.takes_requests()
    }

    /// Bytes moved at `now`.
    pub(super) fn touch(&mut self, now: Instant) {
        self.last_active = now;
    }

    /// `QUIT` was answered.
    pub(super) fn quit(&mut self) {
        if self.takes_requests() {
            self.phase = Phase::Quitting;
        }
    }

    /// The server is stopping. Returns whether that changed anything: a
    /// connection already quitting or closed goes on as it was.
    pub(super) fn drain(&mut self) -> bool {
        let open = self.phase == Phase::Open;
        if open {
            self.phase = Phase::Draining;
        }
        open
    }

    /// After a turn: closes when done, moves a quitting connection on, and
    /// keeps the idle check armed.
    pub(super) fn settle<P: Process<Msg = Msg, Shared = Shared>>(
        &mut self,
        cx: Cx<'_, '_, P>,
        t: &mut Transport,
        now: Progress,
    ) -> Flow {
        let drained = !t.has_output();
        match self.phase {
            Phase::Open | Phase::Draining => {
                let answered = !now.in_flight && now.input_empty;
                if t.eof() && answered && drained {
                    log::debug!("connection {} ({}) closed by peer", cx.pid(), t.peer());
                    return self.close(cx);
                }
                // Draining: every complete line received is answered (a
                // partial one never will be), and the socket is read out.
                let done = !now.in_flight && !now.line_waiting && !t.may_have_input();
                if self.phase == Phase::Draining && done && drained {
                    log::debug!(
                        "connection {} ({}) closed: server stopping",
                        cx.pid(),
                        t.peer()
                    );
                    return self.close(cx);
                }
            }
            Phase::Quitting if drained => {
                t.shutdown_write();
                let me = cx.pid();
                let timer = cx.send_after(me, LINGER, Event::Linger.into());
                self.phase = Phase::Lingering(timer);
                if t.eof() {
                    return self.close(cx);
                }
            }
            Phase::Quitting | Phase::Closed => {}
            Phase::Lingering(_) => {
                if t.eof() {
                    log::debug!("connection {} ({}) quit", cx.pid(), t.peer());
                    return self.close(cx);
                }
            }
        }
        if self.idle_timer.is_none() {
            if let Some(timeout) = cx.shared().config().idle_timeout() {
                // Idle: check when the timeout would be reached. Busy (a
                // request in flight, or replies the client has not read):
                // it is never closed, so check again a whole timeout later.
                let busy = now.in_flight || !drained;
                let due = if busy {
                    timeout
                } else {
                    (self.last_active + timeout).saturating_duration_since(cx.now())
                };
                let me = cx.pid();
                self.idle_timer = Some(cx.send_after(me, due, Event::IdleCheck.into()));
            }
        }
        Flow::Continue
    }

    /// The idle check fired: close if the connection has been idle for the
    /// whole timeout (nothing in flight, nothing unsent, no bytes moved).
    pub(super) fn idle_check<P: Process<Msg = Msg, Shared = Shared>>(
        &mut self,
        cx: Cx<'_, '_, P>,
        t: &Transport,
        in_flight: bool,
    ) -> Flow {
        self.idle_timer = None;
        if let Some(timeout) = cx.shared().config().idle_timeout() {
            let idle = !in_flight && !t.has_output();
            if idle && cx.now() >= self.last_active + timeout {
                log::debug!(
                    "connection {} ({}) idle for {timeout:?}, closing",
                    cx.pid(),
                    t.peer()
                );
                return self.close(cx);
            }
        }
        Flow::Continue
    }

    /// The peer did not close within `LINGER` after `QUIT`.
    pub(super) fn linger_over<P: Process<Msg = Msg, Shared = Shared>>(
        &mut self,
        cx: Cx<'_, '_, P>,
        t: &Transport,
    ) -> Flow {
        log::debug!(
            "connection {} ({}): peer did not close, closing",
            cx.pid(),
            t.peer()
        );
        self.close(cx)
    }

    /// The socket failed (reset, broken pipe): nothing more can be sent.
    pub(super) fn broken<P: Process<Msg = Msg, Shared = Shared>>(
        &mut self,
        cx: Cx<'_, '_, P>,
        t: &Transport,
        e: std::io::Error,
    ) -> Flow {
        log::debug!("connection {} ({}) lost: {e}", cx.pid(), t.peer());
        self.close(cx)
    }

    /// Marks the connection closed, with its timers cancelled rather than
    /// left to fire on nobody, and queues its `Close` for the next pass.
    pub(super) fn close<P: Process<Msg = Msg, Shared = Shared>>(
        &mut self,
        cx: Cx<'_, '_, P>,
    ) -> Flow {
        if let Some(timer) = self.idle_timer.take() {
            cx.cancel_timer(timer);
        }
        if let Phase::Lingering(timer) = self.phase {
            cx.cancel_timer(timer);
        }
        if self.phase != Phase::Closed {
            self.phase = Phase::Closed;
            let me = cx.pid();
            cx.send_after(me, Duration::ZERO, Event::Close.into());
        }
        Flow::Continue
    }

    /// The `Close` queued by `close` arrived: the pass it closed in is over.
    pub(super) fn exit(&self) -> Flow {
        Flow::Stop(ExitReason::Normal)
    }
}
