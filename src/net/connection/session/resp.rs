//! The session's RESP side: a request whose first byte is `*` is framed by
//! `resp::Parser`, made a command by `resp::command::parse`, and either
//! answered here (connection commands, `STATS`, `INFO`, ...) or sent to the
//! manager as the same domain messages the line protocol sends (its
//! answer is written in `resp_answer.rs`).

use std::mem;

use super::resp_answer::Reply;
use super::{answer_here, resp_state, room, Cx, Host, InFlight, Kind, Pause, Session, Taken};
use crate::net::connection::backpressure::Hold;
use crate::net::connection::transport::Transport;
use crate::protocol::resp::command::{self, Args, Command, End};
use crate::protocol::resp::reply::{self as resp, Version};
use crate::protocol::resp::{Parsed, Parser, Skipped};
use crate::protocol::Error;
use crate::todo::{self, Item, Name};

/// A connection's RESP state.
#[derive(Debug, Default)]
pub(super) struct State {
    /// The request being framed.
    pub(super) parser: Parser,
    /// The replies' version (`HELLO`).
    pub(super) version: Version,
    /// `CLIENT SETNAME`.
    name: Option<Vec<u8>>,
    /// The transaction being queued, after `MULTI`.
    pub(super) transaction: Option<super::transaction::Transaction>,
}

impl State {
    /// Gives back the argument list's memory if it grew big.
    pub(super) fn shrink(&mut self) {
        self.parser.shrink();
    }

    /// Bytes it holds, for the budget.
    pub(super) fn held(&self) -> usize {
        let transaction = self.transaction.as_ref().map_or(0, |t| t.held());
        self.parser.held() + self.name.as_ref().map_or(0, Vec::capacity) + transaction
    }
}

impl Session {
    /// Frames the RESP request at the front of the input (its first byte
    /// is `*`) and answers or sends it. `None` to go on taking requests;
    /// `Some` to stop with that pause.
    pub(super) fn take_resp<P: Host>(
        &mut self,
        cx: Cx<'_, '_, P>,
        t: &mut Transport,
        max: usize,
    ) -> Option<Pause> {
        match resp_state(&mut self.resp).parser.parse(t.input(), max) {
            Parsed::Partial if t.eof() => {
                // Nothing more will come: what is there is no request.
                let all = t.input().len();
                t.consume(all);
                resp_state(&mut self.resp).parser.reset();
                Some(Pause::NoLine)
            }
            Parsed::Partial => {
                self.turn.input_ran_out();
                Some(Pause::NoLine)
            }
            Parsed::Empty { consumed } => {
                t.consume(consumed);
                None
            }
            Parsed::TooBig { consumed, skip } => {
                t.consume(consumed);
                self.framing = super::Framing::SkippingResp(skip);
                let over = resp_state(&mut self.resp).parser.over();
                answer_here(cx, t, |out| resp::error(out, over.text()));
                // A transaction that queued it would not be whole.
                if let Some(transaction) = &mut resp_state(&mut self.resp).transaction {
                    transaction.abort();
                }
                None
            }
            Parsed::Broken(why) => Some(self.broken(cx, t, why)),
            Parsed::Request { consumed } => {
                let before = t.unsent();
                match self.dispatch_resp(cx, t, consumed, 1) {
                    Taken::Done => {}
                    Taken::Quit => return Some(Pause::Quit),
                    // The parser keeps the request: taken again from here.
                    Taken::NoRoom => return Some(Pause::Held(Hold::Room)),
                }
                self.turn.took_one(consumed);
                self.turn.worked(t.unsent().saturating_sub(before));
                None
            }
        }
    }

    /// Drops what is left of a request over the limits, as it comes.
    pub(super) fn skip_resp<P: Host>(
        &mut self,
        cx: Cx<'_, '_, P>,
        t: &mut Transport,
        mut skip: crate::protocol::resp::Skip,
    ) -> Option<Pause> {
        match skip.eat(t.input()) {
            Skipped::Done(n) => {
                t.consume(n);
                self.framing = super::Framing::Lines;
                None
            }
            Skipped::More(n) => {
                t.consume(n);
                self.framing = super::Framing::SkippingResp(skip);
                self.turn.input_ran_out();
                Some(Pause::NoLine)
            }
            Skipped::Broken(why) => Some(self.broken(cx, t, why)),
        }
    }

    /// The stream can no longer be read in step: answer, then close (as
    /// after `QUIT`).
    fn broken<P: Host>(&mut self, cx: Cx<'_, '_, P>, t: &mut Transport, why: &str) -> Pause {
        log::debug!("connection {}: {why}; closing", cx.pid());
        resp_state(&mut self.resp).parser.reset();
        answer_here(cx, t, |out| resp::error(out, &format!("ERR {why}")));
        Pause::Quit
    }

    /// Answers the framed request of `consumed` bytes here, or sends it to
    /// the manager; or leaves it, if its reply may need more room than
    /// there is.
    pub(super) fn dispatch_resp<P: Host>(
        &mut self,
        cx: Cx<'_, '_, P>,
        t: &mut Transport,
        consumed: usize,
        attempts: u8,
    ) -> Taken {
        let held = self.held_now(t);
        if attempts == 1 {
            if let Some(taken) = self.transaction(cx, t, consumed, held) {
                return taken;
            }
        }
        let (request, out) = t.line_and_output(consumed);
        let state = resp_state(&mut self.resp);
        let args = Args::new(request, state.parser.args());
        let command = match command::parse(args) {
            Ok(command) => command,
            Err(refusal) => {
                resp::error(out, &refusal);
                return self.answered_here(cx, t, consumed, false);
            }
        };
        let need = room::for_resp(&command, cx.shared().config());
        let room = Session::room(cx, need, held);
        let Some(room) = need.set_aside(room, self.needs_room) else {
            return Taken::NoRoom;
        };
        self.needs_room = None;
        // The most a list reply may write at once (a few KiB).
        let at_once = u32::try_from(room).unwrap_or(u32::MAX);
        let scratch = mem::take(&mut self.scratch);
        let (msg, kind, reply) = match command {
            Command::Put { list, item } => {
                if let Err(e) = todo_name(list) {
                    resp::protocol_error(out, &e);
                    return self.answered_here(cx, t, consumed, false);
                }
                let msg = todo::Msg::Put {
                    name: Name::new(list),
                    item: Item::new(item),
                    prepaid: false,
                };
                (msg, Kind::Put, Reply::Ok)
            }
            Command::List { list } => {
                let msg = todo::Msg::List {
                    name: Name::new(list),
                    room: at_once,
                    out: scratch,
                    format: &RESP,
                };
                (msg, Kind::OnList, Reply::Listing)
            }
            Command::Create { list } => {
                if let Err(e) = todo_name(list) {
                    resp::protocol_error(out, &e);
                    return self.answered_here(cx, t, consumed, false);
                }
                let msg = todo::Msg::Create {
                    name: Name::new(list),
                };
                (msg, Kind::OnManager, Reply::Ok)
            }
            Command::Drop { list } => {
                let name = Name::new(list);
                (todo::Msg::Drop { name }, Kind::OnList, Reply::Ok)
            }
            Command::Kill { list } => {
                let name = Name::new(list);
                (todo::Msg::Kill { name }, Kind::OnManager, Reply::Ok)
            }
            Command::Lists => {
                let msg = todo::Msg::Lists {
                    room: at_once,
                    out: scratch,
                    format: &RESP,
                };
                (msg, Kind::OnManager, Reply::Listing)
            }
            Command::Compact => (todo::Msg::Compact, Kind::OnManager, Reply::Ok),
            Command::Push { key, items, end } => {
                if let Err(e) = todo_name(key) {
                    resp::protocol_error(out, &e);
                    return self.answered_here(cx, t, consumed, false);
                }
                let msg = todo::Msg::Push {
                    name: Name::new(key),
                    items: items.iter().map(Item::new).collect(),
                    end: domain_end(end),
                    prepaid: false,
                };
                (msg, Kind::Put, Reply::Integer)
            }
            Command::Range { key, start, stop } => {
                let msg = todo::Msg::Range {
                    name: Name::new(key),
                    start,
                    stop,
                    room: at_once,
                    out: scratch,
                    format: &RESP,
                };
                (msg, Kind::OnList, Reply::Range)
            }
            Command::Len { key } => {
                let msg = todo::Msg::Len {
                    name: Name::new(key),
                };
                (msg, Kind::OnList, Reply::Integer)
            }
            Command::Index { key, index } => {
                let msg = todo::Msg::Index {
                    name: Name::new(key),
                    index,
                };
                (msg, Kind::OnList, Reply::Value)
            }
            Command::Rem { key, count, item } => {
                let msg = todo::Msg::Remove {
                    name: Name::new(key),
                    count,
                    item: Item::new(item),
                };
                (msg, Kind::OnList, Reply::Integer)
            }
            Command::Pop { key, end, count } => {
                let msg = todo::Msg::Pop {
                    name: Name::new(key),
                    end: domain_end(end),
                    count,
                    room: at_once,
                };
                let counted = count.is_some();
                (msg, Kind::OnList, Reply::Pop { counted })
            }
            Command::Del { keys } => {
                let names = names(keys);
                (
                    todo::Msg::DelKeys { names },
                    Kind::OnManager,
                    Reply::Integer,
                )
            }
            Command::Exists { keys } => {
                let names = names(keys);
                (todo::Msg::Exists { names }, Kind::OnManager, Reply::Integer)
            }
            Command::Type { key } => {
                let names = vec![Name::new(key)];
                (todo::Msg::Exists { names }, Kind::OnManager, Reply::Type)
            }
            Command::Keys { pattern } => {
                let msg = todo::Msg::Keys {
                    pattern: pattern.to_vec(),
                    room: at_once,
                    out: scratch,
                    format: &RESP,
                };
                (msg, Kind::OnManager, Reply::Listing)
            }
            Command::Scan { none: true, .. } => {
                // Every key is a list: a scan for another type is done at
                // once, having found nothing.
                self.scratch = scratch;
                resp::array(out, 2);
                resp::bulk(out, b"0");
                resp::array(out, 0);
                return self.answered_here(cx, t, consumed, false);
            }
            Command::Scan {
                cursor,
                pattern,
                count,
                ..
            } => {
                let msg = todo::Msg::Scan {
                    cursor,
                    pattern: pattern.map(<[u8]>::to_vec),
                    count,
                    room: at_once,
                    out: scratch,
                    format: &RESP,
                };
                (msg, Kind::OnManager, Reply::Scan)
            }
            Command::DbSize => (todo::Msg::DbSize, Kind::OnManager, Reply::Integer),
            Command::Debug(words) if cx.shared().config().enable_debug => {
                match super::local::crash(words) {
                    Some(name) => {
                        // A list's crash is answered by the manager; the
                        // manager's, by the call failing.
                        let kind = if name.is_some() {
                            Kind::OnManager
                        } else {
                            Kind::Crash
                        };
                        (todo::Msg::Crash { name }, kind, Reply::Ok)
                    }
                    None => {
                        self.scratch = scratch;
                        let settings = (&mut state.version, &mut state.name);
                        let quit = super::local::answer(cx, out, Command::Debug(words), settings);
                        return self.answered_here(cx, t, consumed, quit);
                    }
                }
            }
            local => {
                self.scratch = scratch;
                let settings = (&mut state.version, &mut state.name);
                let quit = super::local::answer(cx, out, local, settings);
                return self.answered_here(cx, t, consumed, quit);
            }
        };
        let Some(manager) = cx.whereis(todo::MANAGER) else {
            // Between the manager's crash and its restart.
            if let todo::Msg::List { out, .. }
            | todo::Msg::Lists { out, .. }
            | todo::Msg::Range { out, .. }
            | todo::Msg::Keys { out, .. }
            | todo::Msg::Scan { out, .. } = msg
            {
                self.scratch = out;
            }
            resp::protocol_error(t.output(), &Error::Restarting);
            return self.answered_here(cx, t, consumed, false);
        };
        self.set_aside(room);
        let changes = msg.changes();
        let call = cx.call(manager, msg.into());
        self.in_flight = Some(InFlight {
            call,
            kind,
            manager,
            len: consumed,
            consumed,
            attempts,
            changes,
            resp: Some(reply),
        });
        Taken::Done
    }

    /// The request was answered here: it goes, and so do its arguments.
    fn answered_here<P: Host>(
        &mut self,
        cx: Cx<'_, '_, P>,
        t: &mut Transport,
        consumed: usize,
        quit: bool,
    ) -> Taken {
        t.consume(consumed);
        resp_state(&mut self.resp).parser.reset();
        cx.shared().stats_mut().command_answered();
        if quit {
            Taken::Quit
        } else {
            Taken::Done
        }
    }
}

/// How a RESP reply's items are written: an array of bulk strings.
static RESP: todo::Format = todo::Format {
    header: resp::array,
    item: resp::bulk,
};

/// A todo list's name must fit the line protocol's limit, whatever the
/// framing, so that every list can be named on both.
fn todo_name(name: &[u8]) -> Result<(), Error<'static>> {
    if name.len() > crate::protocol::request::MAX_NAME {
        Err(Error::NameTooLong)
    } else {
        Ok(())
    }
}

fn domain_end(end: End) -> todo::End {
    match end {
        End::Head => todo::End::Head,
        End::Tail => todo::End::Tail,
    }
}

fn names(keys: Args<'_>) -> Vec<Name> {
    keys.iter().map(Name::new).collect()
}
