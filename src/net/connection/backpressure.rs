//! Where backpressure and fairness are decided: whether a connection may
//! take another request, and how much it may read or produce, now.
//!
//! - Backpressure: past `OUTPUT_HIGH_WATER` unsent bytes (or while a big
//!   reply is being produced) a connection takes no new request until the
//!   client reads; its requests wait in the kernel, not in the server.
//! - The memory budget: once client buffers have used up their share of
//!   `--max-memory`, a connection may take requests, read, and produce
//!   replies only within its own small allowance (`OWN_ALLOWANCE`), so
//!   that no number of clients that do not read, or that send half a
//!   request, can grow the server; each goes on as the share frees up. A
//!   request whose reply may be big is taken only when there is room for
//!   it (`session/room.rs`). One connection at a time may also use the
//!   room kept back for finishing a request (`budget.rs`): the one that
//!   has waited longest for room it cannot go on without.
//! - Fairness, by work: a turn ends after `BATCH` requests or
//!   `WORK_PER_TURN` bytes read and written, whichever comes first, and the
//!   connection yields to the next loop pass (a zero-delay timer,
//!   `Resume`), so that a client pipelining a million requests, or asking
//!   for heavy ones, holds up another's `PING` by one turn at most.

use std::time::Duration;

use crate::budget::Budget;
use crate::net::msg::{Event, Msg};
use crate::runtime::{Context, Pid, Process};

/// Requests one connection handles per turn before letting others go.
pub(crate) const BATCH: u32 = 128;

/// Bytes of requests and replies one turn handles before letting others go.
pub(super) const WORK_PER_TURN: usize = 256 * 1024;

/// Unsent reply bytes past which a connection stops taking requests.
pub(crate) const OUTPUT_HIGH_WATER: usize = 64 * 1024;

/// Bytes every connection may hold in its buffers without drawing on the
/// clients' share: what lets each make progress when the share is used up.
/// Part of the fixed allowance per connection that the README states.
pub(crate) const OWN_ALLOWANCE: usize = 2 * 1024;

/// Bytes of a big reply produced at a time, while the share has room.
pub(super) const PIECE: usize = 64 * 1024;

/// Capacity an emptied buffer keeps for the next burst while the share
/// has room.
const KEEP: usize = 16 * 1024;

/// A connection's turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Turn {
    /// Taking requests: this many so far, and this many bytes of work.
    Taking {
        /// Requests taken.
        requests: u32,
        /// Bytes read and written for them.
        work: usize,
    },
    /// The turn is used up and a `Resume` is queued for the next pass.
    Yielded,
}

/// Why a request may not be taken now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Hold {
    /// Too many reply bytes are unsent, or a big reply is being produced:
    /// a write resumes the connection.
    Output,
    /// The turn is over: `Resume` starts the next one.
    Turn,
    /// The next request's reply may need more room than client buffers
    /// have: `Room` resumes it, once there is some (or once this
    /// connection may use the room kept back).
    Room,
}

impl Turn {
    /// A fresh turn.
    pub(super) fn new() -> Turn {
        Turn::Taking {
            requests: 0,
            work: 0,
        }
    }

    /// Whether another request may be taken, with `unsent` reply bytes
    /// waiting (and a big reply still being produced, if `streaming`). A
    /// turn that has used its batch yields here: it queues its `Resume`
    /// for the next pass.
    pub(super) fn admit<P: Process<Msg = Msg>>(
        &mut self,
        cx: &mut Context<'_, P>,
        unsent: usize,
        streaming: bool,
        clients_full: bool,
    ) -> Result<(), Hold> {
        match *self {
            Turn::Yielded => Err(Hold::Turn),
            _ if streaming || unsent >= output_bound(clients_full) => Err(Hold::Output),
            Turn::Taking { requests, work } if requests >= BATCH || work >= WORK_PER_TURN => {
                *self = Turn::Yielded;
                let me = cx.pid();
                cx.send_after(me, Duration::ZERO, Event::Resume.into());
                Err(Hold::Turn)
            }
            Turn::Taking { .. } => Ok(()),
        }
    }

    /// A request of `bytes` was taken.
    pub(super) fn took_one(&mut self, bytes: usize) {
        if let Turn::Taking { requests, work } = self {
            *requests += 1;
            *work += bytes;
        }
    }

    /// `bytes` of reply were written for a request of this turn.
    pub(super) fn worked(&mut self, bytes: usize) {
        if let Turn::Taking { work, .. } = self {
            *work += bytes;
        }
    }

    /// The input ran out: whatever comes next starts a fresh turn.
    pub(super) fn input_ran_out(&mut self) {
        if let Turn::Taking { .. } = self {
            *self = Turn::new();
        }
    }

    /// The queued `Resume` arrived: a fresh turn.
    pub(super) fn resume(&mut self) {
        *self = Turn::new();
    }
}

/// Unsent bytes past which a connection takes no request: the high-water
/// mark, or its own allowance once client buffers have used their share.
pub(super) fn output_bound(clients_full: bool) -> usize {
    if clients_full {
        OWN_ALLOWANCE
    } else {
        OUTPUT_HIGH_WATER
    }
}

/// Capacity an emptied (or mostly consumed) buffer may keep: some for the
/// next burst while the clients' share has room, none once it is used up,
/// so that the connection's own allowance goes to the bytes it needs.
pub(super) fn keep(budget: &Budget) -> usize {
    if budget.clients_full() {
        0
    } else {
        KEEP
    }
}

/// Bytes connection `pid`, whose buffers hold `held`, may add to them now
/// (a read, a piece of a big reply, a reply asked for): what the clients'
/// share has left for it, or else what is left of its own allowance.
pub(super) fn room(budget: &Budget, pid: Pid, held: usize) -> usize {
    let shared = usize::try_from(budget.client_room_for(pid)).unwrap_or(usize::MAX);
    shared.max(OWN_ALLOWANCE.saturating_sub(held))
}
