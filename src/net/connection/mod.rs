//! A connection process: one client's socket and the requests it sends.
//! It is five parts, each in its file:
//!
//! - `transport.rs`: the socket, the bytes received and to send, reads and
//!   writes, `OK`s held for the log;
//! - `stream.rs`: a big reply produced in pieces as the socket drains;
//! - `session/`: where a request becomes a reply: framing, parsing, calls
//!   to the manager, replies (`lines.rs` for the line protocol, `resp.rs`,
//!   `local.rs` and `info.rs` for RESP, `transaction.rs` for `MULTI`,
//!   `room.rs` for the room a reply needs);
//! - `backpressure.rs`: whether another request may be taken, and how much
//!   may be read or produced, now;
//! - `lifecycle.rs`: open, draining, quitting, lingering, closed, idle.
//!
//! The poll loop turns readiness into `Ready` events. On each, the
//! connection reads until `WouldBlock` (or until its input holds enough,
//! or its memory allowance is used) and answers the complete lines at the
//! front of its input. It does not write then: it asks to be visited
//! before the loop sleeps, and the loop writes every such connection once,
//! after every connection has read (Redis's writes before sleeping). What
//! that write changes for the connection comes back as an event.
//!
//! Every byte its buffers hold is counted in the clients' share of the
//! memory budget, after each event it handles and each write. When it
//! cannot go on without more room than there is (the rest of a request it
//! has begun waits in the socket, or its next reply needs room), it asks
//! for the room the budget keeps back for one connection at a time, and
//! gives it back once it no longer needs it.

mod backpressure;
mod lifecycle;
mod session;
mod stream;
mod transport;

#[cfg(test)]
pub(super) use backpressure::{BATCH, OUTPUT_HIGH_WATER};

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mio::net::TcpStream;

use self::backpressure::{keep, output_bound, room, Hold, OWN_ALLOWANCE, PIECE};
use self::lifecycle::{Lifecycle, Phase, Progress};
use self::session::{Pause, Session};
use self::transport::Transport;
use super::msg::{Event, Msg};
use crate::runtime::{Context, Flow, Info, Pid, Process};
use crate::shared::Shared;

/// How long a connection may leave its replies unread, its socket full,
/// before it counts as not reading (and may be evicted when client buffers
/// are over their share). A client that reads at all is never evicted.
pub(crate) const NOT_READING_AFTER: Duration = Duration::from_secs(1);

/// A client connection's state.
#[derive(Debug)]
pub struct Connection {
    /// Its own pid, known from its first event on (the budget's room kept
    /// back is lent by pid).
    me: Option<Pid>,
    transport: Transport,
    session: Session,
    lifecycle: Lifecycle,
    /// What its buffers were last counted at in the budget: the bytes past
    /// its own allowance, which is all that draws on the clients' share.
    charged: usize,
    /// When a write last took bytes (or the connection opened): how long
    /// it has left its replies unread.
    last_sent: Instant,
    /// When a read last brought bytes (or the connection opened): how long
    /// it has left a request half sent.
    last_received: Instant,
}

/// What a write before sleeping leaves the connection to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterWrite {
    /// Nothing: wait for the next event.
    Nothing,
    /// Handle this event now, in this pass.
    Now(Event),
    /// A big reply has more to produce and the socket has room: `Write`
    /// on the next pass.
    NextPass,
    /// It stopped for want of room in client buffers: `Room` when there is
    /// some. `reply` if what waits is a reply to a request it has sent
    /// whole (or the next piece of one), which goes before requests still
    /// arriving.
    WaitForRoom {
        /// It waits to make a reply, not to read.
        reply: bool,
    },
}

type Cx<'a, 'b, P> = &'a mut Context<'b, P>;

impl Connection {
    /// A connection on an accepted socket; its requests go to the process
    /// registered as the manager.
    pub fn new(socket: TcpStream, peer: SocketAddr, now: Instant) -> Connection {
        Connection {
            me: None,
            transport: Transport::new(socket, peer),
            session: Session::new(),
            lifecycle: Lifecycle::new(now),
            charged: 0,
            last_sent: now,
            last_received: now,
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
        let me = *self.me.get_or_insert(cx.pid());
        let flow = self.handle(cx, info);
        self.account(cx.shared());
        self.give_back_room(me, cx.shared());
        flow
    }

    fn handle<P: Process<Msg = Msg, Shared = Shared>>(
        &mut self,
        cx: Cx<'_, '_, P>,
        info: Info<Msg>,
    ) -> Flow {
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
                        if let Err(e) = self.write(cx.now(), cx.shared()) {
                            return self.lifecycle.broken(cx, &self.transport, e);
                        }
                    }
                }
                Event::Write => {
                    if let Err(e) = self.write(cx.now(), cx.shared()) {
                        return self.lifecycle.broken(cx, &self.transport, e);
                    }
                }
                Event::Wrote | Event::Room => {}
                Event::Broken(kind) => {
                    return self.lifecycle.broken(cx, &self.transport, kind.into());
                }
                Event::Evict if self.transport.peer_closed() && !self.transport.has_output() => {
                    log::info!(
                        "connection {} ({}) closed: its peer left part of a request ({} bytes) \
                         that client buffers have no room to complete",
                        cx.pid(),
                        self.transport.peer(),
                        self.transport.input().len()
                    );
                    cx.shared().stats_mut().client_evicted();
                    return self.lifecycle.close(cx);
                }
                Event::Evict if !self.transport.has_output() => {
                    log::info!(
                        "connection {} ({}) evicted: it held part of a request ({} bytes) and \
                         sent nothing more for {NOT_READING_AFTER:?}, with client buffers pressed",
                        cx.pid(),
                        self.transport.peer(),
                        self.transport.input().len()
                    );
                    cx.shared().stats_mut().client_evicted();
                    return self.lifecycle.close(cx);
                }
                Event::Evict => {
                    log::info!(
                        "connection {} ({}) evicted: it held {} bytes of buffers and pinned {} \
                         bytes of a reply without reading, with client buffers pressed",
                        cx.pid(),
                        self.transport.peer(),
                        self.held(),
                        self.transport.pinned()
                    );
                    cx.shared().stats_mut().client_evicted();
                    return self.lifecycle.close(cx);
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

    /// Writes the output now, as the loop does before it sleeps, and says
    /// what that leaves the connection to do. `durable` says whether the
    /// log holds every change acknowledged so far (it was just written):
    /// the `OK`s held for it leave now, or become errors; `None` while the
    /// log holds its records back, when they wait.
    pub fn write_before_sleep(
        &mut self,
        now: Instant,
        shared: &mut Shared,
        durable: Option<Result<(), &str>>,
    ) -> AfterWrite {
        if self.lifecycle.phase() == Phase::Closed {
            return AfterWrite::Nothing;
        }
        if let Some(durable) = durable {
            self.transport.confirm(durable);
        }
        let result = self.write(now, shared);
        self.account(shared);
        if let Some(me) = self.me {
            self.give_back_room(me, shared);
        }
        if let Err(e) = result {
            return AfterWrite::Now(Event::Broken(e.kind()));
        }
        let unsent = self.transport.unsent();
        let held_by_output = self.session.held() == Some(Hold::Output);
        let bound = output_bound(shared.budget().clients_full());
        let released = held_by_output && !self.transport.streaming() && unsent < bound;
        let closing = self.lifecycle.phase() != Phase::Open || self.transport.eof();
        // A closing connection still answers what it was sent: if that
        // waits for room, so does the close.
        let done = closing && !self.transport.has_output() && !self.needs_room(shared);
        if released || done {
            return AfterWrite::Now(Event::Wrote);
        }
        if self.transport.stream_waits_for_room() || self.session.held() == Some(Hold::Room) {
            // Its next piece, or the reply to its next request, needs room
            // that client buffers do not have now.
            return AfterWrite::WaitForRoom { reply: true };
        }
        if self.transport.stream_goes_on() {
            return AfterWrite::NextPass;
        }
        let enough = shared.config().max_line + 2;
        if self.lifecycle.keeps_input() && self.transport.wants_input(enough) {
            // It stopped reading for want of room: read now if the share
            // has some again, else wait for it.
            return if self.starved(shared) {
                AfterWrite::WaitForRoom { reply: false }
            } else {
                AfterWrite::Now(Event::Room)
            };
        }
        self.release_idle_buffers(shared);
        AfterWrite::Nothing
    }

    /// What the connection weighs as a candidate for eviction, if it is
    /// not reading its replies (its socket full and nothing taken for
    /// `NOT_READING_AFTER` up to `now`), or has left a request half sent
    /// (it sent nothing more for as long, though the server read all it
    /// sent): the bytes it draws on the clients' share, and, when
    /// snapshots alone keep memory alive (`orphans`), the data its big
    /// reply still pins. `None` if it is reading and sending, or costs the
    /// share nothing.
    pub fn hoarding(&self, now: Instant, orphans: bool) -> Option<usize> {
        if self.lifecycle.phase() == Phase::Closed {
            return None;
        }
        let not_reading = self.transport.has_output()
            && self.transport.write_blocked()
            && now.saturating_duration_since(self.last_sent) >= NOT_READING_AFTER;
        let not_sending = !self.transport.has_output()
            && self.session.midway()
            && !self.transport.may_have_input()
            && now.saturating_duration_since(self.last_received) >= NOT_READING_AFTER;
        let pinned = if orphans { self.transport.pinned() } else { 0 };
        let weight = self.charged + pinned;
        ((not_reading || not_sending) && weight > 0).then_some(weight)
    }

    /// Whether the connection is at a dead end: its peer has closed, and
    /// it holds part of a request past its own allowance that the clients'
    /// share has no room to complete. Nothing it holds can become a
    /// request, and nobody will read a reply: it is closed when client
    /// buffers are pressed.
    pub fn dead_end(&self, shared: &Shared) -> bool {
        self.lifecycle.phase() != Phase::Closed
            && self.transport.peer_closed()
            && self.charged > 0
            && self.session.midway()
            && self.starved(shared)
    }

    /// Gives back what the connection counted, and the room kept back if
    /// it had it.
    pub fn terminate(&mut self, shared: &mut Shared) {
        shared.stats_mut().connection_closed();
        shared.budget_mut().client_buffers(self.charged, 0);
        self.charged = 0;
        if let Some(me) = self.me {
            shared.budget_mut().release_finishing(me);
        }
    }

    /// Runs requests and reads more input until nothing more can be done
    /// this turn, asks to be written before the loop sleeps, then settles.
    fn pump<P: Process<Msg = Msg, Shared = Shared>>(&mut self, cx: Cx<'_, '_, P>) -> Flow {
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
            let enough = cx.shared().config().max_line + 2;
            if self.transport.wants_input(enough) {
                let kept = self.lifecycle.keeps_input();
                self.transport.compact_input(keep(cx.shared().budget()));
                self.account(cx.shared());
                let room = self.room(cx.shared());
                match self.transport.read(enough, kept, room) {
                    Ok(true) => {
                        self.lifecycle.touch(cx.now());
                        self.last_received = cx.now();
                        self.account(cx.shared());
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
            if self.may_use_room_kept_back(cx.pid(), cx.shared()) {
                continue;
            }
            break;
        }
        let writable = self.transport.has_output() && !self.transport.write_blocked();
        // An `OK` waiting for the log is confirmed before the loop sleeps,
        // even if the socket is full.
        if writable || self.transport.has_unconfirmed() || self.needs_room(cx.shared()) {
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
            self.release_idle_buffers(cx.shared());
        }
        flow
    }

    /// Writes what it can, producing more of a big reply in pieces the
    /// budget allows; notes the activity.
    fn write(&mut self, now: Instant, shared: &Shared) -> io::Result<()> {
        let room = self.room(shared);
        let piece = room.min(PIECE);
        if self.transport.flush(piece, room, keep(shared.budget()))? {
            self.lifecycle.touch(now);
            self.last_sent = now;
        }
        Ok(())
    }

    /// Bytes its buffers may grow by now (see `backpressure::room`).
    fn room(&self, shared: &Shared) -> usize {
        match self.me {
            Some(me) => room(shared.budget(), me, self.held()),
            None => OWN_ALLOWANCE.saturating_sub(self.held()),
        }
    }

    /// It stopped reading only for want of room: the socket may hold more,
    /// its input wants more, and neither the share nor its own allowance
    /// has room.
    fn starved(&self, shared: &Shared) -> bool {
        self.lifecycle.keeps_input()
            && self.transport.wants_input(shared.config().max_line + 2)
            && self.room(shared) == 0
    }

    /// It cannot go on for want of room: the rest of a request it has
    /// begun waits in the socket, or its next request's reply, or the next
    /// piece of its big reply, needs room that is not there.
    fn needs_room(&self, shared: &Shared) -> bool {
        (self.session.midway() && self.starved(shared))
            || self.session.held() == Some(Hold::Room)
            || self.transport.stream_waits_for_room()
    }

    /// Whether it just got the room kept back, needing it (the budget lends
    /// it to one connection at a time, replies first): then it can go on
    /// now.
    fn may_use_room_kept_back(&mut self, me: Pid, shared: &mut Shared) -> bool {
        if shared.budget().finisher() == Some(me) || !self.needs_room(shared) {
            return false;
        }
        let reply =
            self.session.held() == Some(Hold::Room) || self.transport.stream_waits_for_room();
        if !reply && shared.budget().replies_waiting() {
            return false;
        }
        shared.budget_mut().claim_finishing(me)
    }

    /// Gives back the room kept back, if it had it and needs it no more:
    /// the request it was finishing is complete, and its reply produced.
    fn give_back_room(&self, me: Pid, shared: &mut Shared) {
        let needs = self.session.midway()
            || self.session.held() == Some(Hold::Room)
            || self.transport.stream_waits_for_room();
        if shared.budget().finisher() == Some(me) && !needs {
            shared.budget_mut().release_finishing(me);
        }
    }

    /// Bytes its buffers hold now.
    fn held(&self) -> usize {
        self.transport.held() + self.session.held_bytes()
    }

    /// Counts what its buffers hold now in the budget.
    fn account(&mut self, shared: &mut Shared) {
        let charge = self.held().saturating_sub(OWN_ALLOWANCE);
        if charge != self.charged {
            shared.budget_mut().client_buffers(self.charged, charge);
            self.charged = charge;
        }
    }

    /// Idle (nothing in flight, nothing waiting, nothing unsent): hold no
    /// buffers, so that an idle connection costs about 500 bytes (Redis:
    /// about 9 KB); the next request allocates again.
    fn release_idle_buffers(&mut self, shared: &mut Shared) {
        if !self.session.in_flight() {
            self.transport.release_idle_buffers();
            if self.transport.input().is_empty() && !self.transport.has_output() {
                self.session.release_idle_buffers();
            }
            self.account(shared);
        }
    }

    /// Bytes the connection holds in its buffers: input not yet answered
    /// and output not yet sent.
    #[cfg(test)]
    pub(super) fn held_bytes(&self) -> usize {
        self.transport.input().len() + self.transport.unsent()
    }
}
