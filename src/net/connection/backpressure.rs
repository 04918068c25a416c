//! Where backpressure and fairness are decided: whether a connection may
//! take another request now.
//!
//! - Backpressure: past `OUTPUT_HIGH_WATER` unsent bytes a connection takes
//!   no new request until the client reads; its requests wait in the
//!   kernel, not in the server.
//! - Fairness: a turn handles at most `BATCH` requests, then the connection
//!   yields to the next loop pass (a zero-delay timer, `Resume`), so that a
//!   client pipelining a million requests holds up another's `PING` by one
//!   batch at most.

use std::time::Duration;

use crate::net::msg::{Event, Msg};
use crate::runtime::{Context, Process};

/// Requests one connection handles per turn before letting others go.
pub(super) const BATCH: u32 = 128;

/// Unsent reply bytes past which a connection stops taking requests.
pub(crate) const OUTPUT_HIGH_WATER: usize = 64 * 1024;

/// A connection's turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Turn {
    /// Taking requests; this many so far.
    Taking(u32),
    /// The batch is used up and a `Resume` is queued for the next pass.
    Yielded,
}

/// Why a request may not be taken now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Hold {
    /// Too many reply bytes are unsent: a write resumes the connection.
    Output,
    /// The turn is over: `Resume` starts the next one.
    Turn,
}

impl Turn {
    /// A fresh turn.
    pub(super) fn new() -> Turn {
        Turn::Taking(0)
    }

    /// Whether another request may be taken, with `unsent` reply bytes
    /// waiting. A turn that has used its batch yields here: it queues its
    /// `Resume` for the next pass.
    pub(super) fn admit<P: Process<Msg = Msg>>(
        &mut self,
        cx: &mut Context<'_, P>,
        unsent: usize,
    ) -> Result<(), Hold> {
        match *self {
            Turn::Yielded => Err(Hold::Turn),
            _ if unsent >= OUTPUT_HIGH_WATER => Err(Hold::Output),
            Turn::Taking(requests) if requests >= BATCH => {
                *self = Turn::Yielded;
                let me = cx.pid();
                cx.send_after(me, Duration::ZERO, Event::Resume.into());
                Err(Hold::Turn)
            }
            Turn::Taking(_) => Ok(()),
        }
    }

    /// A request was taken.
    pub(super) fn took_one(&mut self) {
        if let Turn::Taking(requests) = self {
            *requests += 1;
        }
    }

    /// The input ran out: whatever comes next starts a fresh turn.
    pub(super) fn input_ran_out(&mut self) {
        if let Turn::Taking(_) = self {
            *self = Turn::new();
        }
    }

    /// The queued `Resume` arrived: a fresh turn.
    pub(super) fn resume(&mut self) {
        *self = Turn::new();
    }
}

/// Whether a write that took `unsent_before` down to `unsent_after`
/// released a connection held by its output.
pub(super) fn write_released(unsent_before: usize, unsent_after: usize) -> bool {
    unsent_before >= OUTPUT_HIGH_WATER && unsent_after < OUTPUT_HIGH_WATER
}
