//! Where a RESP request's answer becomes a RESP reply: what the manager
//! or a list answered (or why the call failed), written as Redis would
//! write it for that command, in version 2 or 3 as the connection asked.

use super::{resp_state, Cx, Host, InFlight, Kind, Session};
use crate::net::connection::stream::Wire;
use crate::net::connection::transport::Transport;
use crate::net::msg::Msg;
use crate::protocol::resp::reply as resp;
use crate::protocol::Error;
use crate::runtime::CallError;
use crate::todo::{self, Outcome};

/// How the domain's answer to a RESP request is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reply {
    /// `+OK` (the todo verbs); a missing list is `-ERR not found`.
    Ok,
    /// An integer (`Count`); a list that died under it counts 0.
    Integer,
    /// An array rendered by the list (`LRANGE`); a missing list is empty.
    Range,
    /// An array rendered by the list or manager (`LIST`, `LISTS`,
    /// `KEYS`); a missing list is `-ERR not found`.
    Listing,
    /// A bulk string or null (`LINDEX`).
    Value,
    /// `LPOP`/`RPOP`: a bulk string or null, or with a count an array or
    /// null.
    Pop {
        /// A count was given.
        counted: bool,
    },
    /// `TYPE`: `+list` or `+none`.
    Type,
    /// `SCAN`: the cursor and the names.
    Scan,
}

impl Session {
    /// Writes the domain's answer to a RESP request; `false` if the
    /// request is to be sent again (a list died under an `LPUSH`).
    pub(super) fn answer_resp<P: Host>(
        &mut self,
        cx: Cx<'_, '_, P>,
        t: &mut Transport,
        flight: &InFlight,
        reply: Reply,
        result: Result<Msg, CallError>,
    ) -> bool {
        let version = resp_state(&mut self.resp).version;
        let held = flight.changes && cx.shared().store().is_some();
        let out = t.output();
        match result {
            Ok(Msg::Todo(todo::Msg::Done(outcome))) => match (outcome, reply) {
                (Outcome::Ok, _) if held => t.unconfirmed(resp::ok, resp::protocol_error),
                (Outcome::Ok, _) => resp::ok(out),
                (Outcome::NotFound, Reply::Pop { counted: true }) => resp::null_array(out, version),
                (Outcome::NotFound, Reply::Pop { .. }) => resp::null(out, version),
                (Outcome::Refused, _) => {
                    let reason = cx.shared().refusal().unwrap_or(super::UNWRITABLE);
                    resp::protocol_error(out, &Error::Persistence(reason));
                }
                (Outcome::NotPersistent, _) => resp::protocol_error(out, &Error::NotPersistent),
                (Outcome::NotFound, _) => resp::protocol_error(out, &Error::NotFound),
                (Outcome::OutOfMemory, _) => resp::protocol_error(out, &Error::OutOfMemory),
                (Outcome::Invalid, _) => resp::protocol_error(out, &Error::Internal),
                (Outcome::NotANumber, _) => {
                    resp::error(out, "ERR value is not an integer or out of range")
                }
            },
            Ok(Msg::Todo(todo::Msg::Count(n))) => match reply {
                Reply::Type => resp::simple(out, if n > 0 { "list" } else { "none" }),
                _ if held => t.unconfirmed(|o| resp::integer(o, n as i64), resp::protocol_error),
                _ => resp::integer(out, n as i64),
            },
            Ok(Msg::Todo(todo::Msg::Rendered(rendered))) => {
                self.scratch = t.take_output(rendered);
            }
            // The items a pop took: held like an OK.
            Ok(Msg::Todo(todo::Msg::Listing(listing))) if held => {
                t.start_stream_unconfirmed(*listing, Wire::Resp, resp::protocol_error)
            }
            Ok(Msg::Todo(todo::Msg::Listing(listing))) => t.start_stream(*listing, Wire::Resp),
            Ok(Msg::Todo(todo::Msg::Value(value))) => match value {
                Some(item) => resp::bulk(out, &item),
                None => resp::null(out, version),
            },
            Ok(Msg::Todo(todo::Msg::Popped(items))) => {
                let write = |o: &mut Vec<u8>| match reply {
                    Reply::Pop { counted: false } => match items.first() {
                        Some(item) => resp::bulk(o, item),
                        None => resp::null(o, version),
                    },
                    _ => {
                        resp::array(o, items.len() as u64);
                        for item in &items {
                            resp::bulk(o, item);
                        }
                    }
                };
                if held && !items.is_empty() {
                    t.unconfirmed(write, resp::protocol_error);
                } else {
                    write(out);
                }
            }
            Ok(Msg::Todo(todo::Msg::Scanned {
                out: names,
                count,
                cursor,
            })) => {
                resp::array(out, 2);
                resp::bulk(out, cursor.to_string().as_bytes());
                resp::array(out, count);
                out.extend_from_slice(&names);
                self.scratch = names;
                self.scratch.clear();
            }
            Ok(other) => {
                log::error!("connection {}: unexpected answer {other:?}", cx.pid());
                resp::protocol_error(out, &Error::Internal);
            }
            Err(e) => match (flight.kind, reply) {
                (Kind::Put, _) if flight.attempts < super::PUT_ATTEMPTS => {
                    log::debug!(
                        "connection {}: list died under a push ({e}); retrying",
                        cx.pid()
                    );
                    return false;
                }
                (Kind::Crash, _) => resp::ok(out),
                // Caught in the manager's restart.
                (_, _) if !cx.is_alive(flight.manager) => {
                    resp::protocol_error(out, &Error::Restarting)
                }
                // The list died under it: as if it was not there.
                (Kind::OnList, Reply::Range) => resp::array(out, 0),
                (Kind::OnList, Reply::Integer) => resp::integer(out, 0),
                (Kind::OnList, Reply::Value | Reply::Pop { counted: false }) => {
                    resp::null(out, version)
                }
                (Kind::OnList, Reply::Pop { counted: true }) => resp::null_array(out, version),
                (Kind::OnList, _) => resp::protocol_error(out, &Error::NotFound),
                (Kind::OnManager | Kind::Put, _) => resp::protocol_error(out, &Error::Restarting),
            },
        }
        resp_state(&mut self.resp).parser.reset();
        true
    }
}
