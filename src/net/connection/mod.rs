//! A connection process: one client's socket and the requests it sends.
//! It is three parts, each in its file:
//!
//! - `transport.rs`: the socket, the bytes received and to send, reads and
//!   writes;
//! - `session.rs`: framing, parsing, calls to the manager, replies;
//! - `backpressure.rs`: whether another request may be taken now;
//! - `lifecycle.rs`: open, draining, quitting, lingering, closed, idle.
//!
//! The poll loop turns readiness into `Ready` events. On each, the
//! connection reads until `WouldBlock` (or until its input holds enough)
//! and answers the complete lines at the front of its input. It does not
//! write then: it asks to be visited before the loop sleeps, and the loop
//! writes every such connection once, after every connection has read
//! (Redis's writes before sleeping). A write that changes what the
//! connection must do (it failed, released a connection held by its
//! output, or finished the output of a closing one) comes back as `Wrote`.

mod backpressure;

#[cfg(test)]
pub(super) use backpressure::OUTPUT_HIGH_WATER;
mod lifecycle;
mod session;
mod transport;

use std::io;
use std::net::SocketAddr;
use std::time::Instant;

use mio::net::TcpStream;

use self::lifecycle::{Lifecycle, Phase, Progress};
use self::session::{Host, Pause, Session};
use self::transport::Transport;
use super::msg::{Event, Msg};
use crate::runtime::{Context, Flow, Info, Pid, Process};
use crate::shared::Shared;

/// A client connection's state.
#[derive(Debug)]
pub struct Connection {
    transport: Transport,
    session: Session,
    lifecycle: Lifecycle,
}

type Cx<'a, 'b, P> = &'a mut Context<'b, P>;

impl Connection {
    /// A connection on an accepted socket, whose requests go to `manager`.
    pub fn new(socket: TcpStream, peer: SocketAddr, manager: Pid, now: Instant) -> Connection {
        Connection {
            transport: Transport::new(socket, peer),
            session: Session::new(manager),
            lifecycle: Lifecycle::new(now),
        }
    }

    /// The socket, for registering with the poll loop.
    pub fn socket_mut(&mut self) -> &mut TcpStream {
        self.transport.socket_mut()
    }

    /// Readiness, answers, and the connection's own timers.
    pub fn handle_info<P: Process<Msg = Msg, Shared = Shared>>(
        &mut self,
        cx: Cx<'_, '_, P>,
        info: Info<Msg>,
    ) -> Flow {
        if self.lifecycle.phase() == Phase::Closed {
            return match info {
                Info::Message(Msg::Connection(Event::Close)) => self.lifecycle.exit(),
                _ => Flow::Continue,
            };
        }
        match info {
            Info::Message(Msg::Connection(event)) => match event {
                Event::Ready {
                    readable,
                    writable,
                    closed,
                } => {
                    if readable && self.lifecycle.reads_new_input() {
                        self.transport.readable(closed);
                    }
                    if writable {
                        self.transport.writable();
                        if let Err(e) = self.write(cx.now()) {
                            return self.lifecycle.broken(cx, &self.transport, e);
                        }
                    }
                }
                Event::Wrote => {}
                Event::Broken(kind) => {
                    return self.lifecycle.broken(cx, &self.transport, kind.into());
                }
                Event::Drain => {
                    if self.lifecycle.drain() {
                        self.transport.read_what_has_arrived();
                    }
                }
                Event::IdleCheck => {
                    let in_flight = self.session.in_flight();
                    let flow = self.lifecycle.idle_check(cx, &self.transport, in_flight);
                    if self.lifecycle.phase() == Phase::Closed {
                        return flow;
                    }
                }
                Event::Resume => self.session.resume(),
                Event::Linger => return self.lifecycle.linger_over(cx, &self.transport),
                Event::Close => {}
            },
            Info::Reply { call, result } => {
                self.session.answered(cx, &mut self.transport, call, result)
            }
            other => log::debug!(
                "{} ignored an unexpected {} message",
                cx.pid(),
                other.kind()
            ),
        }
        self.pump(cx)
    }

    /// Writes the output now, as the loop does before it sleeps. Returns
    /// the event the connection must then handle, if the write changed
    /// what it has to do.
    pub fn write_before_sleep(&mut self, now: Instant) -> Option<Event> {
        if self.lifecycle.phase() == Phase::Closed {
            return None;
        }
        let before = self.transport.unsent();
        match self.write(now) {
            Err(e) => Some(Event::Broken(e.kind())),
            Ok(()) => {
                let after = self.transport.unsent();
                let released = backpressure::write_released(before, after);
                let closing = self.lifecycle.phase() != Phase::Open || self.transport.eof();
                if released || (closing && after == 0) {
                    Some(Event::Wrote)
                } else {
                    self.release_idle_buffers();
                    None
                }
            }
        }
    }

    /// Bytes the connection holds in its buffers: input not yet answered
    /// and output not yet sent.
    #[cfg(test)]
    pub(super) fn held_bytes(&self) -> usize {
        self.transport.input().len() + self.transport.unsent()
    }

    /// Gives back what the connection counted.
    pub fn terminate(&mut self, shared: &mut Shared) {
        shared.stats_mut().connection_closed();
    }

    /// Runs requests and reads more input until nothing more can be done
    /// this turn, asks to be written before the loop sleeps, then settles.
    fn pump<P: Host>(&mut self, cx: Cx<'_, '_, P>) -> Flow {
        loop {
            let pause = if self.lifecycle.takes_requests() {
                self.session.execute(cx, &mut self.transport)
            } else {
                Pause::NoLine
            };
            if pause == Pause::Quit {
                // Nothing after QUIT is executed.
                self.lifecycle.quit();
                self.transport.discard_input();
            }
            if self.transport.may_have_input() {
                let enough = cx.shared().config().max_line + 2;
                let keep = self.lifecycle.keeps_input();
                match self.transport.read(enough, keep) {
                    Ok(true) => {
                        self.lifecycle.touch(cx.now());
                        continue;
                    }
                    Ok(false) => {}
                    Err(e) => return self.lifecycle.broken(cx, &self.transport, e),
                }
            }
            if pause == Pause::Waiting {
                // The answer comes back within this same drain of the
                // queue (processes answer in their handlers), and the turn
                // goes on from there.
                return Flow::Continue;
            }
            break;
        }
        if self.transport.unsent() > 0 && !self.transport.write_blocked() {
            cx.before_sleep();
        }
        let input = self.transport.input();
        let progress = Progress {
            in_flight: self.session.in_flight(),
            line_waiting: input.contains(&b'\n'),
            input_empty: input.is_empty(),
        };
        let flow = self.lifecycle.settle(cx, &mut self.transport, progress);
        if !progress.in_flight {
            self.release_idle_buffers();
        }
        flow
    }

    /// Writes what it can; notes the activity.
    fn write(&mut self, now: Instant) -> io::Result<()> {
        if self.transport.flush()? {
            self.lifecycle.touch(now);
        }
        Ok(())
    }

    /// Idle (nothing in flight, nothing waiting, nothing unsent): hold no
    /// buffers, so that an idle connection costs about 300 bytes (Redis:
    /// about 9 KB); the next request allocates again.
    fn release_idle_buffers(&mut self) {
        if !self.session.in_flight() {
            self.transport.release_idle_buffers();
            if self.transport.input().is_empty() && self.transport.unsent() == 0 {
                self.session.release_idle_buffers();
            }
        }
    }
}
