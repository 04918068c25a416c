//! What the loop does once the queue has drained, before it sleeps
//! (Redis's `beforeSleep`): write the pass's log records, then every
//! connection that asked, once and directly; wake connections that stopped
//! for want of room in client buffers once there is some (or once the room
//! the budget keeps back is free for one of them to take); and, when
//! client buffers are pressed (too little room left for a reader to get a
//! full piece of a big reply), close the connections that hold more than
//! their fair share while they neither read their replies nor send the
//! rest of their request (the last resort of the memory budget: client
//! eviction). All of them go at once: many may pin the same snapshot, which
//! only the last one's going frees.

use std::time::{Duration, Instant};

use super::connection::AfterWrite;
use super::connections::Connections;
use super::msg::Event;
use super::process::Proc;
use crate::runtime::{Pid, Runtime};
use crate::store::{Flushed, Store};

/// How often, at most, the connections are weighed for eviction while
/// client buffers are pressed.
const EVICTION_CHECK: Duration = Duration::from_millis(100);

/// Client buffers are pressed when their share has less room than this: a
/// connection that reads could not get a full piece of a big reply.
const PRESSED: u64 = 64 * 1024;

/// The lists the loop keeps from pass to pass.
#[derive(Debug, Default)]
pub(super) struct BeforeSleep {
    /// Reused: the connections written in a round.
    writing: Vec<Pid>,
    /// Connections written while the log held its records back (see
    /// `Flushed::Held`): their `OK`s wait, and they are written again
    /// once the records are.
    waiting_for_log: Vec<Pid>,
    /// Connections that stopped for want of room to make a reply, to
    /// wake, oldest first.
    waiting_to_reply: Vec<Pid>,
    /// Connections that stopped for want of room to read the rest of a
    /// request, to wake, oldest first, after those waiting to reply.
    waiting_to_read: Vec<Pid>,
    /// When connections may next be weighed for eviction.
    next_eviction_check: Option<Instant>,
}

impl BeforeSleep {
    /// Runs once the queue has drained; returns once it has drained again.
    pub(super) fn run(&mut self, runtime: &mut Runtime<Proc>, connections: &mut Connections) {
        self.write(runtime);
        if runtime.shared().budget().client_room() < PRESSED {
            self.evict(runtime, connections);
        }
        let budget = runtime.shared().budget();
        let room = !budget.clients_full() || budget.finisher().is_none();
        let waiting = !self.waiting_to_reply.is_empty() || !self.waiting_to_read.is_empty();
        // The finisher may have room again while the rest of the share is
        // still full: it goes on alone.
        let finisher = budget
            .finisher()
            .filter(|&pid| budget.client_room_for(pid) > 0);
        if let (false, Some(pid)) = (room, finisher) {
            let before = self.waiting_to_reply.len() + self.waiting_to_read.len();
            self.waiting_to_reply.retain(|&p| p != pid);
            self.waiting_to_read.retain(|&p| p != pid);
            if self.waiting_to_reply.len() + self.waiting_to_read.len() < before {
                runtime.send(pid, Event::Room.into());
                runtime.run_until_idle();
                self.write(runtime);
            }
        }
        if room && waiting {
            // Replies first, then reads, oldest first: if only the room
            // kept back is free, the one that has waited longest to make
            // a reply takes it.
            let mut replies = std::mem::take(&mut self.waiting_to_reply);
            let mut reads = std::mem::take(&mut self.waiting_to_read);
            for pid in replies.drain(..).chain(reads.drain(..)) {
                runtime.send(pid, Event::Room.into());
            }
            (self.waiting_to_reply, self.waiting_to_read) = (replies, reads);
            runtime.run_until_idle();
            self.write(runtime);
        }
        let replies_waiting = !self.waiting_to_reply.is_empty();
        runtime
            .shared_mut()
            .budget_mut()
            .set_replies_waiting(replies_waiting);
    }

    /// Writes the log's records of the pass (group commit: one `write`,
    /// and one sync under `--fsync always`), then every connection that
    /// asked for it, once: its `OK`s that waited for the log leave, or
    /// become errors if the log could not take them. While the log holds
    /// its records back (a new segment waits for the last sync of the one
    /// before), the `OK`s wait, and their connections are written again
    /// once the records are. A write that leaves a
    /// connection something to do now sends it an event; its handler may
    /// take more requests and ask again, so this repeats until none asks.
    fn write(&mut self, runtime: &mut Runtime<Proc>) {
        loop {
            let flushed = runtime
                .shared_mut()
                .store_mut()
                .map_or(Ok(Flushed::Written), Store::flush);
            let holding = flushed == Ok(Flushed::Held);
            self.writing.clear();
            runtime.take_before_sleep(&mut self.writing);
            if !holding && !self.waiting_for_log.is_empty() {
                self.writing.append(&mut self.waiting_for_log);
                self.writing.sort_unstable();
                self.writing.dedup();
            }
            if self.writing.is_empty() {
                return;
            }
            let durable = match &flushed {
                Ok(Flushed::Written) => Some(Ok(())),
                Ok(Flushed::Held) => None,
                Err(reason) => Some(Err(reason.as_str())),
            };
            let now = runtime.now();
            for &pid in &self.writing {
                let after = match runtime.process_and_shared(pid) {
                    Some((Proc::Connection(connection), shared)) => {
                        if holding {
                            self.waiting_for_log.push(pid);
                        }
                        connection.write_before_sleep(now, shared, durable)
                    }
                    _ => continue,
                };
                match after {
                    AfterWrite::Nothing => {}
                    AfterWrite::Now(event) => runtime.send(pid, event.into()),
                    AfterWrite::NextPass => {
                        runtime.send_after(pid, Duration::ZERO, Event::Write.into());
                    }
                    AfterWrite::WaitForRoom { reply: true } => self.waiting_to_reply.push(pid),
                    AfterWrite::WaitForRoom { reply: false } => self.waiting_to_read.push(pid),
                }
            }
            if holding {
                self.waiting_for_log.sort_unstable();
                self.waiting_for_log.dedup();
            }
            runtime.run_until_idle();
        }
    }

    /// When to wake to weigh connections for eviction, with client buffers
    /// pressed: a connection that stops reading is closed a second later
    /// even if nothing else happens meanwhile.
    pub(super) fn next_check(&self, runtime: &Runtime<Proc>) -> Option<Instant> {
        if runtime.shared().budget().client_room() < PRESSED {
            self.next_eviction_check
        } else {
            None
        }
    }

    /// Closes every connection that holds more than its fair share of the
    /// clients' budget while it neither reads its replies nor sends the
    /// rest of its request, and every connection at a dead end (its peer
    /// gone, part of a request left that cannot be completed).
    fn evict(&mut self, runtime: &mut Runtime<Proc>, connections: &mut Connections) {
        let now = runtime.now();
        if self.next_eviction_check.is_some_and(|at| now < at) {
            return;
        }
        self.next_eviction_check = Some(now + EVICTION_CHECK);
        let shared = runtime.shared();
        let open = shared.stats().connections().max(1);
        let fair_share = (shared.budget().client_max() / open) as usize;
        let orphans = shared.budget().orphans().bytes() > 0;
        // The one that holds the room kept back, if it has stopped making
        // progress while others wait for room, goes whatever it holds.
        let waiting = !self.waiting_to_reply.is_empty() || !self.waiting_to_read.is_empty();
        let finisher = shared.budget().finisher().filter(|_| waiting);
        let pids = connections.live(runtime).to_vec();
        for pid in pids {
            let Some((Proc::Connection(c), shared)) = runtime.process_and_shared(pid) else {
                continue;
            };
            let hoarding = c.hoarding(now, orphans);
            let over = hoarding.is_some_and(|weight| weight > fair_share);
            let stuck_finisher = finisher == Some(pid) && hoarding.is_some();
            if c.dead_end(shared) || over || stuck_finisher {
                runtime.send(pid, Event::Evict.into());
            }
        }
        runtime.run_until_idle();
    }
}
