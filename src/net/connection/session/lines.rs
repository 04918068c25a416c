//! Where a line becomes a call: the line protocol's requests answered on
//! the spot, or made domain messages and sent to the manager.

use std::mem;

use super::{answer_here, debug, room, Cx, Host, InFlight, Kind, Session, Taken, LINES};
use crate::net::connection::transport::Transport;
use crate::protocol::reply;
use crate::protocol::request::Debug;
use crate::protocol::{parse, Error, Request};
use crate::todo::{self, Item, Name};

impl Session {
    /// Answers the line `input()[..len]` on the spot, or sends it to the
    /// manager and records it as in flight; or leaves it, if its reply
    /// may need more room than there is.
    pub(super) fn dispatch<P: Host>(
        &mut self,
        cx: Cx<'_, '_, P>,
        t: &mut Transport,
        len: usize,
        consumed: usize,
        attempts: u8,
    ) -> Taken {
        let held = self.held_now(t);
        let (line, out) = t.line_and_output(len);
        let request = match parse(line) {
            None => {
                t.consume(consumed);
                return Taken::Done;
            }
            Some(Err(e)) => {
                reply::error(out, &e);
                t.consume(consumed);
                cx.shared().stats_mut().command_answered();
                return Taken::Done;
            }
            Some(Ok(request)) => request,
        };
        let (need, at_least) = (room::for_line(&request), self.needs_room);
        let room = Session::room(cx, need, held);
        let Some(room) = need.set_aside(room, at_least) else {
            return Taken::NoRoom;
        };
        self.needs_room = None;
        // The most a list reply may write at once (a few KiB).
        let at_once = u32::try_from(room).unwrap_or(u32::MAX);
        let (msg, kind) = match request {
            Request::Put { list, item } => (
                todo::Msg::Put {
                    name: Name::new(list),
                    item: Item::new(item),
                    prepaid: false,
                },
                Kind::Put,
            ),
            Request::List { list } => (
                todo::Msg::List {
                    name: Name::new(list),
                    room: at_once,
                    out: mem::take(&mut self.scratch),
                    format: &LINES,
                },
                Kind::OnList,
            ),
            Request::Del { list, item } => (
                todo::Msg::Del {
                    name: Name::new(list),
                    item: Item::new(item),
                },
                Kind::OnList,
            ),
            Request::Drop { list } => (
                todo::Msg::Drop {
                    name: Name::new(list),
                },
                Kind::OnList,
            ),
            Request::Create { list } => (
                todo::Msg::Create {
                    name: Name::new(list),
                },
                Kind::OnManager,
            ),
            Request::Kill { list } => (
                todo::Msg::Kill {
                    name: Name::new(list),
                },
                Kind::OnManager,
            ),
            Request::Lists => (
                todo::Msg::Lists {
                    room: at_once,
                    out: mem::take(&mut self.scratch),
                    format: &LINES,
                },
                Kind::OnManager,
            ),
            Request::Compact => (todo::Msg::Compact, Kind::OnManager),
            Request::Debug {
                command: Debug::CrashManager,
                ..
            } if cx.shared().config().enable_debug => {
                (todo::Msg::Crash { name: None }, Kind::Crash)
            }
            Request::Debug {
                command: Debug::CrashList(list),
                ..
            } if cx.shared().config().enable_debug => (
                todo::Msg::Crash {
                    name: Some(Name::new(list)),
                },
                Kind::OnManager,
            ),
            Request::Debug { verb, command } => {
                let reply = if cx.shared().config().enable_debug {
                    debug(cx.shared(), command)
                } else {
                    Err(Error::UnknownCommand(verb))
                };
                match reply {
                    Ok(()) => reply::ok(out),
                    Err(e) => reply::error(out, &e),
                }
                t.consume(consumed);
                cx.shared().stats_mut().command_answered();
                return Taken::Done;
            }
            Request::Ping => {
                t.consume(consumed);
                answer_here(cx, t, reply::ok);
                return Taken::Done;
            }
            Request::Help => {
                t.consume(consumed);
                answer_here(cx, t, reply::help);
                return Taken::Done;
            }
            Request::Stats => {
                t.consume(consumed);
                // Counted before the rows are taken: STATS counts itself.
                cx.shared().stats_mut().command_answered();
                let processes = cx.process_count();
                let restarts = cx.restarts();
                let rows = cx.shared().stats_rows(processes, restarts);
                reply::stats(t.output(), &rows);
                return Taken::Done;
            }
            Request::Quit => {
                t.consume(consumed);
                answer_here(cx, t, reply::ok);
                return Taken::Quit;
            }
        };
        let Some(manager) = cx.whereis(todo::MANAGER) else {
            // Between the manager's crash and its restart. The buffer lent
            // to a listing comes back.
            if let todo::Msg::List { out, .. } | todo::Msg::Lists { out, .. } = msg {
                self.scratch = out;
            }
            let out = t.output();
            reply::error(out, &Error::Restarting);
            t.consume(consumed);
            cx.shared().stats_mut().command_answered();
            return Taken::Done;
        };
        let changes = msg.changes();
        let call = cx.call(manager, msg.into());
        self.in_flight = Some(InFlight {
            call,
            kind,
            manager,
            len,
            consumed,
            attempts,
            changes,
            resp: None,
        });
        self.set_aside(room);
        Taken::Done
    }
}
