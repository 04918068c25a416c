//! A connection process: one client's socket, its input and output bytes,
//! and the request it has in flight.
//!
//! The poll loop turns readiness into `Ready` messages. On each, the
//! connection reads until `WouldBlock` (or until its input holds enough)
//! and answers the complete lines at the front of its input one by one.
//! It does not write then: it puts itself on the shared list of
//! connections with output, and once the queue has drained the loop sends
//! each of them one `Flush`, so every connection is written once per pass,
//! after every connection has read (Redis's writes before sleeping).
//!
//! One request at a time is in the runtime. `PING`, `HELP`, `STATS`,
//! `QUIT` and errors are answered on the spot; the others are calls to the
//! manager, and the next line is taken only when the call is answered. So
//! a request always sees the full effect of the one before it on the same
//! connection, `Down` included: after `KILL x`, the manager has forgotten
//! `x` before the next line reaches it. Pipelining still costs one read and
//! one write per batch, because nothing leaves the process between two
//! requests but queue messages.
//!
//! Fairness and backpressure: a turn handles at most `BATCH` requests, then
//! the connection yields to the next loop pass with a zero-delay timer; and
//! it takes no new request while `OUTPUT_HIGH_WATER` bytes are unsent,
//! until the socket drains. On EOF it answers every complete request and
//! the last partial line, flushes, and closes: it marks itself closed and
//! exits on the next loop pass, after the queue has drained.

use std::io::{self, Read, Write};
use std::mem;
use std::net::{Shutdown, SocketAddr};
use std::time::{Duration, Instant};

use mio::net::TcpStream;

use super::{interrupted, would_block};
use crate::protocol::frame::final_line;
use crate::protocol::reply;
use crate::protocol::{next_line, parse, Error, Frame, Request};
use crate::runtime::{CallError, Context, ExitReason, Flow, Info, Process, Ref, TimerRef};
use crate::shared::Shared;
use crate::todo::{Msg, Name, Outcome};

/// Requests one connection handles per turn before letting others go.
const BATCH: u32 = 128;

/// Unsent reply bytes past which a connection stops taking requests.
const OUTPUT_HIGH_WATER: usize = 64 * 1024;

/// How many times a `PUT` is retried when its list dies under it (killed
/// or dropped by another client between the manager's lookup and the list).
const PUT_ATTEMPTS: u8 = 8;

/// How long a closing connection waits for the peer to close after `QUIT`.
const LINGER: Duration = Duration::from_secs(2);

/// A client connection's state.
#[derive(Debug)]
pub struct Connection {
    socket: TcpStream,
    peer: SocketAddr,
    manager: crate::runtime::Pid,
    /// Bytes received; requests are parsed from `input[start..]`.
    input: Vec<u8>,
    start: usize,
    /// Reply bytes; `output[sent..]` is not written yet.
    output: Vec<u8>,
    sent: usize,
    /// Lent to `LIST` and `LISTS` calls and given back with the reply, so a
    /// listing allocates nothing once the connection has one.
    scratch: Vec<u8>,
    /// The request the runtime is working on, if any.
    in_flight: Option<InFlight>,
    /// Requests handled since the connection last yielded.
    batch: u32,
    /// A `Resume` is queued for the next loop pass.
    resume_queued: bool,
    /// The connection is on the list of those to write after this pass's
    /// queue has drained.
    flush_queued: bool,
    /// The socket can take bytes: no write has hit a full buffer since the
    /// last writable edge. While it cannot, output waits for that edge
    /// rather than for the end of the pass.
    can_write: bool,
    /// The socket may hold more bytes: the last read did not hit
    /// `WouldBlock`.
    readable: bool,
    /// The peer shut its write side.
    eof: bool,
    /// The poll said the peer closed: read until EOF.
    peer_closed: bool,
    /// Dropping input up to the next LF after an over-long line.
    discarding: bool,
    /// The server is stopping: answer what was received, then close.
    draining: bool,
    phase: Phase,
    /// When bytes last moved either way, for the idle timeout.
    last_active: Instant,
    /// The pending idle check, if the idle timeout is on. One timer per
    /// connection, re-armed only when it fires: activity costs nothing.
    idle_timer: Option<TimerRef>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Serving requests.
    Open,
    /// `QUIT` answered: flush, then close.
    Quitting,
    /// Write side shut after `QUIT`; reading and dropping until the peer
    /// closes, so that unread bytes do not turn our close into a reset that
    /// could destroy the reply in flight. Bounded by `LINGER`.
    Lingering,
    /// Done: waiting for the next loop pass to be freed.
    Closed,
}

/// The request at `input[start..]` that is waiting for its answer. Its
/// bytes stay in the input until it is answered, so a `PUT` can be sent
/// again.
#[derive(Debug)]
struct InFlight {
    call: Ref,
    kind: Kind,
    /// Bytes of the line, LF excluded.
    len: usize,
    /// Bytes to consume when answered, LF included.
    consumed: usize,
    attempts: u8,
}

/// What a failed call means, by the request that made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Retry: a `PUT` creates its list, so a list that died under it is
    /// no reason to fail.
    Put,
    /// `LIST`, `DEL`, `DROP`: the list died, so it is not found.
    OnList,
    /// `CREATE`, `KILL`, `LISTS`: only the manager answers these.
    OnManager,
}

/// Why a turn stopped taking requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pause {
    /// No complete line in the input: the turn is over, and so is the batch.
    NoLine,
    /// A request is in flight: the turn goes on when it is answered.
    Waiting,
    /// Held back: the batch is used up (a `Resume` is queued), too many
    /// bytes are unsent (a `Flush` or a writable edge resumes it), or the
    /// connection is closing.
    Held,
}

type Cx<'a, 'b, P> = &'a mut Context<'b, P>;

impl Connection {
    /// A connection on an accepted socket, whose requests go to `manager`.
    pub fn new(
        socket: TcpStream,
        peer: SocketAddr,
        manager: crate::runtime::Pid,
        now: Instant,
    ) -> Connection {
        Connection {
            socket,
            peer,
            manager,
            input: Vec::new(),
            start: 0,
            output: Vec::new(),
            sent: 0,
            scratch: Vec::new(),
            in_flight: None,
            batch: 0,
            resume_queued: false,
            flush_queued: false,
            can_write: true,
            readable: false,
            eof: false,
            peer_closed: false,
            discarding: false,
            draining: false,
            phase: Phase::Open,
            last_active: now,
            idle_timer: None,
        }
    }

    /// The socket, for registering with the poll loop.
    pub fn socket_mut(&mut self) -> &mut TcpStream {
        &mut self.socket
    }

    /// Readiness, replies, and the connection's own timers.
    pub fn handle_info<P: Process<Msg = Msg, Shared = Shared>>(
        &mut self,
        cx: Cx<'_, '_, P>,
        info: Info<Msg>,
    ) -> Flow {
        if self.phase == Phase::Closed {
            return match info {
                Info::Message(Msg::Close) => Flow::Stop(ExitReason::Normal),
                _ => Flow::Continue,
            };
        }
        match info {
            Info::Message(Msg::Ready {
                readable,
                writable,
                closed,
            }) => {
                // Once draining, only what had arrived by then is read.
                self.readable |= readable && !self.draining;
                self.peer_closed |= closed;
                if writable {
                    self.can_write = true;
                    match self.flush() {
                        Ok(wrote) => self.touch(cx, wrote),
                        Err(e) => return self.broken(cx, e),
                    }
                }
            }
            Info::Message(Msg::Flush) => {
                self.flush_queued = false;
                match self.flush() {
                    Ok(wrote) => self.touch(cx, wrote),
                    Err(e) => return self.broken(cx, e),
                }
            }
            Info::Message(Msg::Drain) => {
                self.draining = true;
                // Read what is in the socket now, then nothing more.
                self.readable = true;
                self.peer_closed = true;
            }
            Info::Message(Msg::IdleCheck) => {
                self.idle_timer = None;
                if let Some(timeout) = cx.shared().idle_timeout {
                    let idle = self.in_flight.is_none() && self.unsent() == 0;
                    if idle && cx.now() >= self.last_active + timeout {
                        log::debug!(
                            "connection {} ({}) idle for {timeout:?}, closing",
                            cx.pid(),
                            self.peer
                        );
                        return self.close(cx);
                    }
                }
            }
            Info::Message(Msg::Resume) => {
                self.resume_queued = false;
                self.batch = 0;
            }
            Info::Message(Msg::Linger) => {
                log::debug!(
                    "connection {} ({}): peer did not close, closing",
                    cx.pid(),
                    self.peer
                );
                return self.close(cx);
            }
            Info::Reply { call, result } => self.answered(cx, call, result),
            other => log::debug!(
                "{} ignored an unexpected {} message",
                cx.pid(),
                other.kind()
            ),
        }
        self.pump(cx)
    }

    /// Gives back what the connection counted.
    pub fn terminate(&mut self, shared: &mut Shared) {
        shared.connections -= 1;
    }

    /// Runs requests and reads more input until nothing more can be done
    /// this turn, puts the connection on the list to be written after the
    /// queue drains, then decides whether it is done.
    fn pump<P: Process<Msg = Msg, Shared = Shared>>(&mut self, cx: Cx<'_, '_, P>) -> Flow {
        loop {
            let pause = self.execute(cx);
            if self.wants_input(cx.shared()) {
                match self.read(cx.shared()) {
                    Ok(true) => {
                        self.touch(cx, true);
                        continue;
                    }
                    Ok(false) => {}
                    Err(e) => return self.broken(cx, e),
                }
            }
            if pause == Pause::Waiting {
                // The answer comes back within this same drain of the
                // queue (processes answer in their handlers), and the turn
                // goes on from there.
                return Flow::Continue;
            }
            if pause == Pause::NoLine {
                self.batch = 0;
            }
            break;
        }
        if self.unsent() > 0 && self.can_write && !self.flush_queued {
            // Written once, after the queue has drained: see `Msg::Flush`.
            self.flush_queued = true;
            let me = cx.pid();
            cx.shared().pending_flush.push(me);
        }
        self.settle(cx)
    }

    /// Answers the requests at the front of the input, in order, until one
    /// is in flight or the turn must pause.
    fn execute<P: Process<Msg = Msg, Shared = Shared>>(&mut self, cx: Cx<'_, '_, P>) -> Pause {
        loop {
            if self.phase != Phase::Open {
                return Pause::Held;
            }
            if self.in_flight.is_some() {
                return Pause::Waiting;
            }
            if self.unsent() >= OUTPUT_HIGH_WATER {
                return Pause::Held;
            }
            if self.batch >= BATCH {
                if !self.resume_queued {
                    self.resume_queued = true;
                    let me = cx.pid();
                    cx.send_after(me, Duration::ZERO, Msg::Resume);
                }
                return Pause::Held;
            }
            let buf = &self.input[self.start..];
            if self.discarding {
                match buf.iter().position(|&b| b == b'\n') {
                    Some(lf) => {
                        self.start += lf + 1;
                        self.discarding = false;
                        continue;
                    }
                    None => {
                        self.start = self.input.len();
                        return Pause::NoLine;
                    }
                }
            }
            let max_line = cx.shared().max_line;
            let (len, consumed) = match next_line(buf, max_line) {
                Frame::Line { len, next } => (len, next),
                // At EOF, what is left is the last request.
                Frame::Partial if self.eof && !buf.is_empty() => (final_line(buf).len(), buf.len()),
                Frame::Partial => return Pause::NoLine,
                Frame::TooLong { next } => {
                    match next {
                        Some(next) => self.start += next,
                        None => {
                            self.start = self.input.len();
                            self.discarding = !self.eof;
                        }
                    }
                    self.local_reply(cx.shared(), |out| reply::error(out, &Error::LineTooLong));
                    continue;
                }
            };
            if len > max_line {
                // A last line without LF can only be checked here.
                self.start += consumed;
                self.local_reply(cx.shared(), |out| reply::error(out, &Error::LineTooLong));
                continue;
            }
            self.batch += 1;
            self.dispatch(cx, len, consumed, 1);
        }
    }

    /// Answers the line `input[start..start + len]` on the spot, or sends
    /// it to the manager and records it as in flight.
    fn dispatch<P: Process<Msg = Msg, Shared = Shared>>(
        &mut self,
        cx: Cx<'_, '_, P>,
        len: usize,
        consumed: usize,
        attempts: u8,
    ) {
        let line = &self.input[self.start..self.start + len];
        let request = match parse(line) {
            None => {
                self.start += consumed;
                return;
            }
            Some(Err(e)) => {
                reply::error(&mut self.output, &e);
                self.start += consumed;
                cx.shared().commands += 1;
                return;
            }
            Some(Ok(request)) => request,
        };
        let (msg, kind) = match request {
            Request::Put { list, item } => (
                Msg::Put {
                    name: Name::new(list),
                    item: item.into(),
                    prepaid: false,
                },
                Kind::Put,
            ),
            Request::List { list } => (
                Msg::List {
                    name: Name::new(list),
                    out: mem::take(&mut self.scratch),
                    write: reply::data_line,
                },
                Kind::OnList,
            ),
            Request::Del { list, item } => (
                Msg::Del {
                    name: Name::new(list),
                    item: item.into(),
                },
                Kind::OnList,
            ),
            Request::Drop { list } => (
                Msg::Drop {
                    name: Name::new(list),
                },
                Kind::OnList,
            ),
            Request::Create { list } => (
                Msg::Create {
                    name: Name::new(list),
                },
                Kind::OnManager,
            ),
            Request::Kill { list } => (
                Msg::Kill {
                    name: Name::new(list),
                },
                Kind::OnManager,
            ),
            Request::Lists => (
                Msg::Lists {
                    out: mem::take(&mut self.scratch),
                    write: reply::data_line,
                },
                Kind::OnManager,
            ),
            Request::Ping => return self.answer_here(cx, consumed, reply::ok),
            Request::Help => return self.answer_here(cx, consumed, reply::help),
            Request::Stats => {
                let processes = cx.process_count();
                self.start += consumed;
                let shared = cx.shared();
                shared.commands += 1;
                return stats(&mut self.output, shared, processes);
            }
            Request::Quit => {
                self.answer_here(cx, consumed, reply::ok);
                // Nothing after QUIT is executed.
                self.phase = Phase::Quitting;
                self.input = Vec::new();
                self.start = 0;
                return;
            }
        };
        let call = cx.call(self.manager, msg);
        self.in_flight = Some(InFlight {
            call,
            kind,
            len,
            consumed,
            attempts,
        });
    }

    /// Answers a request that needs no other process.
    fn answer_here<P: Process<Msg = Msg, Shared = Shared>>(
        &mut self,
        cx: Cx<'_, '_, P>,
        consumed: usize,
        write: impl FnOnce(&mut Vec<u8>),
    ) {
        self.start += consumed;
        self.local_reply(cx.shared(), write);
    }

    fn local_reply(&mut self, shared: &mut Shared, write: impl FnOnce(&mut Vec<u8>)) {
        shared.commands += 1;
        write(&mut self.output);
    }

    /// The answer to the request in flight.
    fn answered<P: Process<Msg = Msg, Shared = Shared>>(
        &mut self,
        cx: Cx<'_, '_, P>,
        call: Ref,
        result: Result<Msg, CallError>,
    ) {
        let Some(flight) = self.in_flight.take_if(|f| f.call == call) else {
            return;
        };
        match result {
            Ok(Msg::Done(Outcome::Ok)) => reply::ok(&mut self.output),
            Ok(Msg::Done(Outcome::NotFound)) => reply::error(&mut self.output, &Error::NotFound),
            Ok(Msg::Done(Outcome::OutOfMemory)) => {
                reply::error(&mut self.output, &Error::OutOfMemory)
            }
            Ok(Msg::Rendered(mut rendered)) => {
                if self.unsent() == 0 {
                    // Nothing waiting: the rendered bytes become the output
                    // as they are.
                    self.output.clear();
                    self.sent = 0;
                    mem::swap(&mut self.output, &mut rendered);
                } else {
                    self.output.extend_from_slice(&rendered);
                }
                reply::ok(&mut self.output);
                rendered.clear();
                self.scratch = rendered;
            }
            Ok(other) => {
                log::error!("connection {}: unexpected answer {other:?}", cx.pid());
                reply::error(&mut self.output, &Error::Internal);
            }
            Err(e) => match flight.kind {
                Kind::Put if flight.attempts < PUT_ATTEMPTS => {
                    log::debug!(
                        "connection {}: list died under a PUT ({e}); retrying",
                        cx.pid()
                    );
                    return self.dispatch(cx, flight.len, flight.consumed, flight.attempts + 1);
                }
                Kind::OnList => reply::error(&mut self.output, &Error::NotFound),
                _ => {
                    log::error!("connection {}: request failed: {e}", cx.pid());
                    reply::error(&mut self.output, &Error::Internal);
                }
            },
        }
        self.start += flight.consumed;
        cx.shared().commands += 1;
    }

    /// Whether to read now: the socket may have bytes, the peer has not
    /// closed, and the input is not already holding enough.
    fn wants_input(&self, shared: &Shared) -> bool {
        let limit = (shared.max_line + 2).max(shared.read_buf.len());
        self.readable && !self.eof && self.input.len() - self.start < limit
    }

    /// Reads until `WouldBlock`, EOF, or enough input. Returns whether
    /// anything new came (bytes or EOF).
    fn read(&mut self, shared: &mut Shared) -> io::Result<bool> {
        if self.start > 0 {
            self.input.drain(..self.start);
            self.start = 0;
        }
        let mut progress = false;
        while self.wants_input(shared) {
            match self.socket.read(&mut shared.read_buf) {
                Ok(0) => {
                    self.eof = true;
                    progress = true;
                }
                Ok(n) => {
                    if self.phase == Phase::Open {
                        self.input.extend_from_slice(&shared.read_buf[..n]);
                    }
                    progress = true;
                    // A short read took all the socket had: saves the read
                    // that would say WouldBlock. Bytes that arrive later
                    // raise a new edge. Not when the peer has closed, whose
                    // EOF raises no edge of its own.
                    if n < shared.read_buf.len() && !self.peer_closed {
                        self.readable = false;
                    }
                }
                Err(e) if would_block(&e) => self.readable = false,
                Err(e) if interrupted(&e) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(progress)
    }

    fn unsent(&self) -> usize {
        self.output.len() - self.sent
    }

    /// Writes pending output until done or `WouldBlock`. Returns whether
    /// anything was written.
    fn flush(&mut self) -> io::Result<bool> {
        let before = self.sent;
        while self.sent < self.output.len() {
            match self.socket.write(&self.output[self.sent..]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => {
                    self.sent += n;
                    if self.sent < self.output.len() {
                        // A short write filled the socket's buffer; the
                        // next edge says when there is room.
                        self.can_write = false;
                        break;
                    }
                }
                Err(e) if would_block(&e) => {
                    self.can_write = false;
                    break;
                }
                Err(e) if interrupted(&e) => {}
                Err(e) => return Err(e),
            }
        }
        let wrote = self.sent > before;
        if self.sent == self.output.len() {
            self.output.clear();
            self.sent = 0;
        } else if self.sent > self.output.len() / 2 {
            self.output.drain(..self.sent);
            self.sent = 0;
        }
        Ok(wrote)
    }

    /// Notes activity: bytes moved now.
    fn touch<P: Process<Msg = Msg, Shared = Shared>>(&mut self, cx: Cx<'_, '_, P>, moved: bool) {
        if moved {
            self.last_active = cx.now();
        }
    }

    /// After a turn: close if done, and let an idle connection hold no
    /// buffers.
    fn settle<P: Process<Msg = Msg, Shared = Shared>>(&mut self, cx: Cx<'_, '_, P>) -> Flow {
        let drained = self.unsent() == 0;
        match self.phase {
            Phase::Open => {
                let answered = self.in_flight.is_none() && self.start == self.input.len();
                if self.eof && answered && drained {
                    log::debug!("connection {} ({}) closed by peer", cx.pid(), self.peer);
                    return self.close(cx);
                }
                // Draining: every complete line received is answered (a
                // partial one never will be), and the socket is read out.
                let no_line = !self.input[self.start..].contains(&b'\n');
                if self.draining && self.in_flight.is_none() && no_line && !self.readable && drained
                {
                    log::debug!(
                        "connection {} ({}) closed: server stopping",
                        cx.pid(),
                        self.peer
                    );
                    return self.close(cx);
                }
            }
            Phase::Quitting if drained => {
                let _ = self.socket.shutdown(Shutdown::Write);
                self.phase = Phase::Lingering;
                let me = cx.pid();
                cx.send_after(me, LINGER, Msg::Linger);
                if self.eof {
                    return self.close(cx);
                }
            }
            Phase::Quitting | Phase::Closed => {}
            Phase::Lingering => {
                if self.eof {
                    log::debug!("connection {} ({}) quit", cx.pid(), self.peer);
                    return self.close(cx);
                }
            }
        }
        if self.idle_timer.is_none() {
            if let Some(timeout) = cx.shared().idle_timeout {
                // Idle: check when the timeout would be reached. Busy (a
                // request in flight, or replies the client has not read):
                // it is never closed, so check again a whole timeout later.
                let busy = self.in_flight.is_some() || !drained;
                let due = if busy {
                    timeout
                } else {
                    (self.last_active + timeout).saturating_duration_since(cx.now())
                };
                let me = cx.pid();
                self.idle_timer = Some(cx.send_after(me, due, Msg::IdleCheck));
            }
        }
        if self.in_flight.is_none() && self.start == self.input.len() && drained {
            // Idle: give the buffers back, so an idle connection costs about
            // 300 bytes (Redis: about 9 KB); the next request allocates
            // again.
            self.input = Vec::new();
            self.start = 0;
            self.output = Vec::new();
            self.scratch = Vec::new();
        }
        Flow::Continue
    }

    /// The socket failed (reset, broken pipe): nothing more can be sent.
    fn broken<P: Process<Msg = Msg, Shared = Shared>>(
        &mut self,
        cx: Cx<'_, '_, P>,
        e: io::Error,
    ) -> Flow {
        log::debug!("connection {} ({}) lost: {e}", cx.pid(), self.peer);
        self.close(cx)
    }

    /// Stops the process (its socket closes as its state is dropped), with
    /// its idle timer cancelled rather than left to fire on nobody.
    ///
    /// The process is not freed here, in the middle of the pass: it is
    /// marked closed and frees itself on the next pass, once the queue has
    /// drained, as Redis frees clients only before it sleeps. Until then it
    /// ignores everything; messages sent to it after that are dropped.
    fn close<P: Process<Msg = Msg, Shared = Shared>>(&mut self, cx: Cx<'_, '_, P>) -> Flow {
        if let Some(timer) = self.idle_timer.take() {
            cx.cancel_timer(timer);
        }
        if self.phase != Phase::Closed {
            self.phase = Phase::Closed;
            let me = cx.pid();
            cx.send_after(me, Duration::ZERO, Msg::Close);
        }
        Flow::Continue
    }
}

/// The `STATS` reply.
fn stats(out: &mut Vec<u8>, shared: &Shared, processes: usize) {
    let rows: [(&str, u64); 9] = [
        ("uptime_seconds", shared.started.elapsed().as_secs()),
        ("connections", shared.connections),
        ("lists", shared.lists),
        ("items", shared.items),
        ("processes", processes as u64),
        ("commands", shared.commands),
        ("used_memory", shared.used_memory),
        ("max_memory", shared.max_memory),
        ("rejected_connections", shared.rejected_connections),
    ];
    for (key, value) in rows {
        // Writing to a Vec cannot fail.
        let _ = writeln!(out, "* {key} {value}");
    }
    reply::ok(out);
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::{Shutdown, TcpListener, TcpStream as StdStream};
    use std::time::Instant;

    use super::*;
    use crate::config::Config;
    use crate::net::Proc;
    use crate::runtime::Runtime;
    use crate::todo::Manager;

    #[test]
    fn a_closing_connection_is_freed_only_after_the_queue_has_drained() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = StdStream::connect(listener.local_addr().unwrap()).unwrap();
        let (socket, peer) = listener.accept().unwrap();
        socket.set_nonblocking(true).unwrap();
        let mut rt = Runtime::new(Shared::new(&Config::default()));
        let manager = rt.spawn(Proc::Manager(Box::new(Manager::new())));
        let socket = TcpStream::from_std(socket);
        let connection = Connection::new(socket, peer, manager, Instant::now());
        let pid = rt.spawn(Proc::Connection(Box::new(connection)));
        rt.shared().connections += 1;

        client.write_all(b"PUT a b\nPING").unwrap();
        client.shutdown(Shutdown::Write).unwrap();
        let ready = Msg::Ready {
            readable: true,
            writable: true,
            closed: true,
        };
        rt.send(pid, ready);
        rt.run_until_idle();
        crate::net::server::write_pending(&mut rt, &mut Vec::new());
        // Both requests answered and written, EOF seen: the connection is
        // done, but it is still there until the pass ends.
        assert!(rt.is_alive(pid));
        let mut replies = [0; 6];
        client.read_exact(&mut replies).unwrap();
        assert_eq!(&replies, b"OK\nOK\n");
        rt.fire_due_timers(Instant::now());
        rt.run_until_idle();
        assert!(!rt.is_alive(pid), "freed on the next pass");
        assert_eq!(rt.shared().connections, 0);
        let mut rest = Vec::new();
        client.read_to_end(&mut rest).unwrap();
        assert_eq!(rest, b"", "and its socket closed with it");
    }
}
