//! Redis's transactions, as client libraries use them: `MULTI`, then
//! commands answered `+QUEUED`, then `EXEC` (their replies, in one array)
//! or `DISCARD`. redis-py's pipelines are transactions by default.
//!
//! A queued command is checked as it comes (an unknown command or a wrong
//! number of arguments is answered at once and makes `EXEC` refuse the
//! whole transaction, as Redis does) and its request's bytes are kept. At
//! `EXEC` they go back to the front of the input, after the array's
//! header, and run in order as any request does. Unlike Redis, other
//! clients' requests may run between them: a transaction here groups
//! commands and their replies, it does not isolate them. `WATCH` is not
//! supported. `QUIT` is not queued but run, as in Redis.
//!
//! The queued bytes are the connection's, counted in the memory budget,
//! and bounded: a transaction may queue as many bytes as one request may
//! hold (`Config::request_room`, three `--max-line`); past that, the
//! command is refused and `EXEC` will refuse the transaction.

use super::room::Need;
use super::{answer_here, resp_state, Cx, Host, Session, Taken};
use crate::net::connection::transport::Transport;
use crate::protocol::resp::command::{self, Args, Command};
use crate::protocol::resp::reply as resp;

/// A transaction being queued.
#[derive(Debug, Default)]
pub(super) struct Transaction {
    /// The queued requests' bytes, in order.
    queued: Vec<u8>,
    /// How many.
    count: u64,
    /// A queued command was refused: `EXEC` refuses them all.
    aborted: bool,
}

impl Transaction {
    /// Bytes it holds, for the budget.
    pub(super) fn held(&self) -> usize {
        self.queued.capacity()
    }

    /// A command of it was refused: `EXEC` refuses the transaction.
    pub(super) fn abort(&mut self) {
        self.aborted = true;
    }
}

impl Session {
    /// Handles the RESP request of `consumed` bytes if it is about
    /// transactions, or is to be queued in one (if there is room for it:
    /// the connection's buffers hold `held` bytes); `None` to run it as
    /// usual.
    pub(super) fn transaction<P: Host>(
        &mut self,
        cx: Cx<'_, '_, P>,
        t: &mut Transport,
        consumed: usize,
        held: usize,
    ) -> Option<Taken> {
        let (request, out) = t.line_and_output(consumed);
        let state = resp_state(&mut self.resp);
        let args = Args::new(request, state.parser.args());
        let name = args.get(0);
        let about = [&b"multi"[..], b"exec", b"discard"]
            .iter()
            .any(|word| name.eq_ignore_ascii_case(word));
        if state.transaction.is_none() && !about {
            // The common case: no transaction, nothing to parse twice.
            return None;
        }
        let command = command::parse(args);
        match (command, &mut state.transaction) {
            (Ok(Command::Multi), None) => {
                resp::ok(out);
                resp_state(&mut self.resp).transaction = Some(Transaction::default());
            }
            (Ok(Command::Multi), Some(_)) => resp::error(out, "ERR MULTI calls can not be nested"),
            (Ok(Command::Exec), None) => resp::error(out, "ERR EXEC without MULTI"),
            (Ok(Command::Discard), None) => resp::error(out, "ERR DISCARD without MULTI"),
            (Ok(Command::Discard), Some(_)) => {
                resp::ok(out);
                resp_state(&mut self.resp).transaction = None;
            }
            (Ok(Command::Exec), Some(transaction)) if transaction.aborted => {
                resp::error(
                    out,
                    "EXECABORT Transaction discarded because of previous errors.",
                );
                resp_state(&mut self.resp).transaction = None;
            }
            (Ok(Command::Exec), Some(_)) => {
                let transaction = resp_state(&mut self.resp)
                    .transaction
                    .take()
                    .expect("queuing");
                resp::array(out, transaction.count);
                // The queued requests run next, as if just received.
                t.consume(consumed);
                t.put_back(&transaction.queued);
                resp_state(&mut self.resp).parser.reset();
                cx.shared().stats_mut().command_answered();
                return Some(Taken::Done);
            }
            (_, None) | (Ok(Command::Quit), Some(_)) => return None,
            (Err(refusal), Some(transaction)) => {
                resp::error(out, &refusal);
                transaction.aborted = true;
            }
            (Ok(_), Some(transaction))
                if transaction.queued.len() + consumed
                    > cx.shared().config().request_room() as usize =>
            {
                resp::error(
                    out,
                    "ERR transaction too long: its queued commands would hold more than three \
                     --max-line",
                );
                transaction.aborted = true;
            }
            (Ok(_), Some(_)) if consumed > Session::room(cx, Need::Bytes(consumed), held) => {
                return Some(Taken::NoRoom)
            }
            (Ok(_), Some(transaction)) => {
                resp::simple(out, "QUEUED");
                transaction.queued.extend_from_slice(request);
                transaction.count += 1;
            }
        }
        t.consume(consumed);
        resp_state(&mut self.resp).parser.reset();
        answer_here(cx, t, |_| {});
        Some(Taken::Done)
    }
}
