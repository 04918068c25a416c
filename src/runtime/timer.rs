//! Timers: `send_after` and call timeouts, kept in deadline order.
//!
//! A `BTreeMap` keyed by (deadline, sequence number): firing takes from the
//! front in deadline order (ties in the order they were set), cancelling is
//! a removal, and the time to the first key is the poll loop's timeout, so a
//! server with nothing due sleeps until the next timer and no longer.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Names one pending timer, for [`Context::cancel_timer`].
///
/// [`Context::cancel_timer`]: crate::runtime::Context::cancel_timer
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct TimerRef {
    deadline: Instant,
    seq: u64,
}

/// Pending timers, each carrying what to do when it fires.
#[derive(Debug)]
pub(crate) struct Timers<T> {
    pending: BTreeMap<TimerRef, T>,
    next_seq: u64,
}

impl<T> Timers<T> {
    pub(crate) fn new() -> Timers<T> {
        Timers {
            pending: BTreeMap::new(),
            next_seq: 0,
        }
    }

    pub(crate) fn insert(&mut self, deadline: Instant, item: T) -> TimerRef {
        self.next_seq += 1;
        let timer = TimerRef {
            deadline,
            seq: self.next_seq,
        };
        self.pending.insert(timer, item);
        timer
    }

    /// Cancels a pending timer; `false` if it already fired or was cancelled.
    pub(crate) fn cancel(&mut self, timer: TimerRef) -> bool {
        self.pending.remove(&timer).is_some()
    }

    /// Takes the earliest timer if it is due at `now`.
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<T> {
        let entry = self.pending.first_entry()?;
        if entry.key().deadline > now {
            return None;
        }
        Some(entry.remove())
    }

    /// How long from `now` until the earliest timer is due (zero if it is
    /// overdue); `None` if no timer is pending.
    pub(crate) fn time_to_next(&self, now: Instant) -> Option<Duration> {
        let (first, _) = self.pending.first_key_value()?;
        Some(first.deadline.saturating_duration_since(now))
    }

    pub(crate) fn len(&self) -> usize {
        self.pending.len()
    }
}
