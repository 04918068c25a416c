//! A connection's session: where a request becomes a reply. It takes the
//! complete requests at the front of the input one by one, answers those
//! that need no other process on the spot (`PING`, `HELP`, `STATS`,
//! `QUIT`, errors), turns the others into calls to the manager, and writes
//! each answer into the output. A request whose first byte is `*` is RESP
//! (`resp.rs`, its answers written by `resp_answer.rs`; `local.rs` for what
//! it answers itself, `info.rs` for what Redis clients ask about the
//! server, `transaction.rs` for `MULTI`/`EXEC`); any other is a line
//! (`lines.rs`). `room.rs` says how much room in client buffers a reply
//! may take.
//!
//! One request at a time is in the runtime: the next line is taken only
//! when the call is answered. So a request always sees the full effect of
//! the one before it on the same connection, `Down` included: after
//! `KILL x`, the manager has forgotten `x` before the next line reaches
//! it. Pipelining still costs one read and one write per batch, because
//! nothing leaves the process between two requests but queue messages.

mod info;
mod lines;
mod local;
mod resp;
mod resp_answer;
mod room;
mod transaction;

use super::backpressure::{room as room_now, Hold, Turn};
use super::stream::Wire;
use super::transport::Transport;
use crate::net::msg::Msg;
use crate::protocol::frame::final_line;
use crate::protocol::reply;
use crate::protocol::request::Debug;
use crate::protocol::{next_line, Error, Frame};
use crate::runtime::{CallError, Context, Pid, Process, Ref};
use crate::shared::Shared;
use crate::todo::{self, Outcome};

/// How many times a `PUT` is retried when its list dies under it (killed
/// or dropped by another client between the manager's lookup and the list).
const PUT_ATTEMPTS: u8 = 8;

/// The session of one connection.
#[derive(Debug)]
pub(super) struct Session {
    /// Lent to `LIST` and `LISTS` calls and given back with the reply, so a
    /// listing allocates nothing once the connection has one.
    scratch: Vec<u8>,
    /// The request the runtime is working on, if any.
    in_flight: Option<InFlight>,
    framing: Framing,
    turn: Turn,
    /// What held it back when `execute` last stopped, if anything did.
    held: Option<Hold>,
    /// RESP's framing state and the connection's RESP settings, from its
    /// first RESP request on (boxed: a line client never pays for it).
    resp: Option<Box<resp::State>>,
    /// Room in client buffers set aside for the answer in flight (see
    /// `room.rs`); counted as held until the answer comes.
    reserved: usize,
    /// The input ends in part of a request: it waits for the rest.
    midway: bool,
    /// The request at the front of the input was answered `NeedsRoom`:
    /// it is asked again only with this much room.
    needs_room: Option<usize>,
}

/// Where the framer is in the byte stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    /// At the start of a request.
    Lines,
    /// Inside a line that was too long, already answered: dropping bytes
    /// up to its LF.
    SkippingLongLine,
    /// Inside a RESP request over the limits, already answered: dropping
    /// its declared bytes.
    SkippingResp(crate::protocol::resp::Skip),
}

/// The request at the front of the input that is waiting for its answer.
/// Its bytes stay in the input until it is answered, so a `PUT` can be
/// sent again.
#[derive(Debug)]
struct InFlight {
    call: Ref,
    kind: Kind,
    /// The manager it was sent to: if the call fails and that manager is
    /// gone, the request was caught in its restart.
    manager: Pid,
    /// Bytes of the line, LF excluded.
    len: usize,
    /// Bytes to consume when answered, LF included.
    consumed: usize,
    attempts: u8,
    /// It asks for a change, which the log must hold before it is
    /// answered `OK`.
    changes: bool,
    /// How to write the answer of a RESP request; `None` for a line.
    resp: Option<resp_answer::Reply>,
}

/// A connection's RESP state, made by its first RESP request. A function
/// of the field, not a method, so that its arguments can be read while
/// the rest of the session changes.
fn resp_state(resp: &mut Option<Box<resp::State>>) -> &mut resp::State {
    resp.get_or_insert_with(Box::default)
}

/// What a failed call means, by the request that made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Retry: a `PUT` creates its list, so a list that died under it is
    /// no reason to fail.
    Put,
    /// `LIST`, `DEL`, `DROP`: the list died, so it is not found (unless
    /// the manager died too: it is restarting).
    OnList,
    /// `CREATE`, `KILL`, `LISTS`: only the manager answers these; if it
    /// died meanwhile, it is restarting.
    OnManager,
    /// `DEBUG CRASH MANAGER`: the call failing is the answer.
    Crash,
}

/// What became of a request taken from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Taken {
    /// Answered here, or sent to the manager.
    Done,
    /// `QUIT`, answered: nothing after it is executed.
    Quit,
    /// Its reply may need more room than client buffers have now: left in
    /// the input, to take when there is room.
    NoRoom,
}

/// Why the session stopped taking requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pause {
    /// No complete line in the input: the turn is over.
    NoLine,
    /// A request is in flight: the turn goes on when it is answered.
    Waiting,
    /// Held back by backpressure or by the end of the turn.
    Held(Hold),
    /// `QUIT` was answered: nothing after it is executed.
    Quit,
}

type Cx<'a, 'b, P> = &'a mut Context<'b, P>;

/// What the session needs of the process type it runs in.
pub(super) trait Host: Process<Msg = Msg, Shared = Shared> {}

impl<P: Process<Msg = Msg, Shared = Shared>> Host for P {}

impl Session {
    /// A session; its requests go to the process registered as the
    /// manager (its pid changes when its supervisor restarts it).
    pub(super) fn new() -> Session {
        Session {
            scratch: Vec::new(),
            in_flight: None,
            framing: Framing::Lines,
            turn: Turn::new(),
            held: None,
            resp: None,
            reserved: 0,
            midway: false,
            needs_room: None,
        }
    }

    /// A request is waiting for its answer.
    pub(super) fn in_flight(&self) -> bool {
        self.in_flight.is_some()
    }

    /// The `Resume` queued at the end of a turn arrived.
    pub(super) fn resume(&mut self) {
        self.turn.resume();
    }

    /// Answers the requests at the front of the input, in order, until one
    /// is in flight or the session must pause.
    pub(super) fn execute<P: Host>(&mut self, cx: Cx<'_, '_, P>, t: &mut Transport) -> Pause {
        let pause = self.take_requests(cx, t);
        self.held = match pause {
            Pause::Held(hold) => Some(hold),
            _ => None,
        };
        self.midway = pause == Pause::NoLine && !t.input().is_empty();
        pause
    }

    /// The input ends in part of a request, waiting for the rest.
    pub(super) fn midway(&self) -> bool {
        self.midway
    }

    /// Bytes this connection's buffers hold now.
    fn held_now(&self, t: &Transport) -> usize {
        t.held() + self.held_bytes()
    }

    /// Room a connection whose buffers hold `held` bytes may grow by now
    /// (see `backpressure::room`), if a reply needing `need` asks; none is
    /// worked out for a small reply, which needs none (the common case,
    /// on the hot path).
    fn room<P: Host>(cx: Cx<'_, '_, P>, need: room::Need, held: usize) -> usize {
        match need {
            room::Need::Small => 0,
            _ => {
                let pid = cx.pid();
                room_now(cx.shared().budget(), pid, held)
            }
        }
    }

    /// A request went to the runtime: `room` is set aside for its reply
    /// until the answer comes.
    fn set_aside(&mut self, room: usize) {
        self.reserved = room;
    }

    fn take_requests<P: Host>(&mut self, cx: Cx<'_, '_, P>, t: &mut Transport) -> Pause {
        // Requests answered here grow buffers by a few bytes at most: the
        // state of the clients' share is read once per batch.
        let clients_full = cx.shared().budget().clients_full();
        let max_line = cx.shared().config().max_line;
        loop {
            if self.in_flight.is_some() {
                return Pause::Waiting;
            }
            if let Err(hold) = self.turn.admit(cx, t.unsent(), t.streaming(), clients_full) {
                return Pause::Held(hold);
            }
            if let Framing::SkippingResp(skip) = self.framing {
                match self.skip_resp(cx, t, skip) {
                    Some(pause) => return pause,
                    None => continue,
                }
            }
            if t.input().first() == Some(&b'*') && self.framing == Framing::Lines {
                match self.take_resp(cx, t, max_line) {
                    Some(pause) => return pause,
                    None => continue,
                }
            }
            let buf = t.input();
            if self.framing == Framing::SkippingLongLine {
                match buf.iter().position(|&b| b == b'\n') {
                    Some(lf) => {
                        t.consume(lf + 1);
                        self.framing = Framing::Lines;
                        continue;
                    }
                    None => {
                        t.consume(buf.len());
                        self.turn.input_ran_out();
                        return Pause::NoLine;
                    }
                }
            }
            let (len, consumed) = match next_line(buf, max_line) {
                Frame::Line { len, next } => (len, next),
                // At EOF, what is left is the last request.
                Frame::Partial if t.eof() && !buf.is_empty() => (final_line(buf).len(), buf.len()),
                Frame::Partial => {
                    self.turn.input_ran_out();
                    return Pause::NoLine;
                }
                Frame::TooLong { next } => {
                    match next {
                        Some(next) => t.consume(next),
                        None => {
                            t.consume(buf.len());
                            if !t.eof() {
                                self.framing = Framing::SkippingLongLine;
                            }
                        }
                    }
                    answer_here(cx, t, |out| reply::error(out, &Error::LineTooLong));
                    continue;
                }
            };
            if len > max_line {
                // A last line without LF can only be checked here.
                t.consume(consumed);
                answer_here(cx, t, |out| reply::error(out, &Error::LineTooLong));
                continue;
            }
            let before = t.unsent();
            match self.dispatch(cx, t, len, consumed, 1) {
                Taken::Done => {}
                Taken::Quit => return Pause::Quit,
                Taken::NoRoom => return Pause::Held(Hold::Room),
            }
            self.turn.took_one(consumed);
            self.turn.worked(t.unsent().saturating_sub(before));
        }
    }

    /// The answer to the request in flight.
    pub(super) fn answered<P: Host>(
        &mut self,
        cx: Cx<'_, '_, P>,
        t: &mut Transport,
        call: Ref,
        result: Result<Msg, CallError>,
    ) {
        let Some(flight) = self.in_flight.take_if(|f| f.call == call) else {
            return;
        };
        self.reserved = 0;
        if let Ok(Msg::Todo(todo::Msg::NeedsRoom(bytes))) = result {
            // Left in the input, and asked again once there is that much
            // room (`room.rs`).
            self.needs_room = Some(bytes);
            return;
        }
        let before = t.unsent();
        self.answer(cx, t, flight, result);
        self.turn.worked(t.unsent().saturating_sub(before));
    }

    /// Writes the answer to `flight`, or sends it again.
    fn answer<P: Host>(
        &mut self,
        cx: Cx<'_, '_, P>,
        t: &mut Transport,
        flight: InFlight,
        result: Result<Msg, CallError>,
    ) {
        if let Some(reply) = flight.resp {
            if !self.answer_resp(cx, t, &flight, reply, result) {
                // A retried push needs no room of its own.
                let _ = self.dispatch_resp(cx, t, flight.consumed, flight.attempts + 1);
                return;
            }
            t.consume(flight.consumed);
            cx.shared().stats_mut().command_answered();
            return;
        }
        let out = t.output();
        match result {
            Ok(Msg::Todo(todo::Msg::Done(outcome))) => match outcome {
                // Held back until the log has the change (see
                // `Transport::unconfirmed`).
                Outcome::Ok if flight.changes && cx.shared().store().is_some() => {
                    t.unconfirmed(reply::ok, reply::error)
                }
                Outcome::Ok => reply::ok(out),
                Outcome::Refused => {
                    let reason = cx.shared().refusal().unwrap_or(UNWRITABLE);
                    reply::error(out, &Error::Persistence(reason))
                }
                Outcome::NotPersistent => reply::error(out, &Error::NotPersistent),
                Outcome::NotFound => reply::error(out, &Error::NotFound),
                Outcome::OutOfMemory => reply::error(out, &Error::OutOfMemory),
                Outcome::Invalid | Outcome::NotANumber => {
                    log::error!(
                        "connection {}: the request was refused as invalid",
                        cx.pid()
                    );
                    reply::error(out, &Error::Internal)
                }
            },
            Ok(Msg::Todo(todo::Msg::Rendered(rendered))) => {
                self.scratch = t.take_output(rendered);
                reply::ok(t.output());
            }
            // Too big to write at once: produced as the socket drains, and
            // it writes its own OK.
            Ok(Msg::Todo(todo::Msg::Listing(listing))) => t.start_stream(*listing, Wire::Lines),
            Ok(other) => {
                log::error!("connection {}: unexpected answer {other:?}", cx.pid());
                reply::error(out, &Error::Internal);
            }
            Err(e) => match flight.kind {
                Kind::Put if flight.attempts < PUT_ATTEMPTS => {
                    log::debug!(
                        "connection {}: list died under a PUT ({e}); retrying",
                        cx.pid()
                    );
                    // A retried PUT needs no room of its own.
                    let _ = self.dispatch(cx, t, flight.len, flight.consumed, flight.attempts + 1);
                    return;
                }
                Kind::Crash => reply::ok(out),
                Kind::OnList if cx.is_alive(flight.manager) => reply::error(out, &Error::NotFound),
                Kind::OnList | Kind::OnManager | Kind::Put => reply::error(out, &Error::Restarting),
            },
        }
        t.consume(flight.consumed);
        cx.shared().stats_mut().command_answered();
    }

    /// Bytes the session holds: the buffer it lends to listings, RESP's
    /// argument list, and the room set aside for the answer in flight.
    pub(super) fn held_bytes(&self) -> usize {
        let resp = self.resp.as_deref().map_or(0, resp::State::held);
        self.scratch.capacity() + resp + self.reserved
    }

    /// What held the session back when it last stopped, if anything did.
    pub(super) fn held(&self) -> Option<Hold> {
        self.held
    }

    /// Nothing is in flight: the scratch buffer goes back to the heap with
    /// the transport's buffers.
    pub(super) fn release_idle_buffers(&mut self) {
        if self.in_flight.is_none() {
            self.scratch = Vec::new();
            if let Some(resp) = &mut self.resp {
                resp.shrink();
            }
        }
    }
}

/// How a line reply's items are written: `* <item>` lines, and no header
/// (its end is its `OK`).
static LINES: todo::Format = todo::Format {
    header: |_, _| {},
    item: reply::data_line,
};

/// Why a change was refused when the log no longer says.
const UNWRITABLE: &str = "the log cannot be written";

/// Serves a `DEBUG` request (the caller checks it is enabled).
fn debug(shared: &mut Shared, command: Debug<'_>) -> Result<(), Error<'static>> {
    let store = shared.store().ok_or(Error::NotPersistent)?;
    let faults = store.faults();
    match command {
        Debug::FailWrites => faults.fail_writes(true),
        Debug::FailSyncs => faults.fail_syncs(true),
        Debug::DiskOk => {
            faults.fail_writes(false);
            faults.fail_syncs(false);
        }
        // Sent to the processes that crash, by the caller.
        Debug::CrashManager | Debug::CrashList(_) => return Err(Error::Internal),
    }
    log::warn!("DEBUG: the log's disk is now set to {command:?}");
    Ok(())
}

/// Answers a request that needs no other process.
fn answer_here<P: Host>(cx: Cx<'_, '_, P>, t: &mut Transport, write: impl FnOnce(&mut Vec<u8>)) {
    cx.shared().stats_mut().command_answered();
    write(t.output());
}
