//! Where links live, and exit signals.
//!
//! A link is recorded on both ends, in a table of its own rather than in
//! every process slot: most processes never link, and the slot of each of
//! a million lists stays 24 bytes smaller. When a process exits, each
//! linked process is sent an exit signal through the queue. On delivery:
//!
//! - `exit(pid, Kill)` kills the target even if it traps exits;
//! - a process that traps exits receives any other signal as
//!   `Info::Exit { from, reason }` (a `Kill` that comes through a link
//!   included: only the direct kill is untrappable, as in Erlang, where it
//!   arrives as `killed`);
//! - otherwise a `Normal` signal is ignored and any other reason kills the
//!   target with that reason, which then propagates to its own links.

use std::collections::HashMap;

use super::envelope::Body;
use super::exit::ExitReason;
use super::pid::Pid;
use super::process::{Info, Mail, Process};
use super::Runtime;

/// Every link, by process.
#[derive(Debug, Default)]
pub(crate) struct Links {
    of: HashMap<Pid, Vec<Pid>>,
    count: usize,
}

impl Links {
    /// Records a link; `false` if it was there.
    fn add(&mut self, a: Pid, b: Pid) -> bool {
        let of_a = self.of.entry(a).or_default();
        if of_a.contains(&b) {
            return false;
        }
        of_a.push(b);
        self.of.entry(b).or_default().push(a);
        self.count += 1;
        true
    }

    /// Removes a link; `false` if there was none.
    fn remove(&mut self, a: Pid, b: Pid) -> bool {
        if !self.drop_end(a, b) {
            return false;
        }
        self.drop_end(b, a);
        self.count -= 1;
        true
    }

    /// Removes every link of `pid`, returning the processes at the other
    /// ends.
    fn take(&mut self, pid: Pid) -> Vec<Pid> {
        let others = self.of.remove(&pid).unwrap_or_default();
        for &other in &others {
            self.drop_end(other, pid);
        }
        self.count -= others.len();
        others
    }

    /// Removes `b` from `a`'s links.
    fn drop_end(&mut self, a: Pid, b: Pid) -> bool {
        let Some(links) = self.of.get_mut(&a) else {
            return false;
        };
        let Some(at) = links.iter().position(|&p| p == b) else {
            return false;
        };
        links.swap_remove(at);
        if links.is_empty() {
            self.of.remove(&a);
        }
        true
    }

    pub(crate) fn count(&self) -> usize {
        self.count
    }
}

impl<P: Process> Runtime<P> {
    /// Links `a` and `b`. If `b` is dead, `a` receives an exit signal with
    /// `NoProc` instead, as Erlang's `link/1` does. Linking twice, or to
    /// itself, changes nothing.
    pub(crate) fn link(&mut self, a: Pid, b: Pid) {
        if a == b {
            return;
        }
        if !self.is_alive(b) {
            self.enqueue(
                a,
                Body::Exit {
                    from: b,
                    reason: ExitReason::NoProc,
                    linked: true,
                },
            );
            return;
        }
        if self.is_alive(a) && self.links.add(a, b) {
            for end in [a, b] {
                if let Some(slot) = self.slot_mut(end) {
                    slot.linked = true;
                }
            }
        }
    }

    /// Removes the link between `a` and `b`, if any.
    pub(crate) fn unlink(&mut self, a: Pid, b: Pid) {
        self.links.remove(a, b);
    }

    /// Called as `pid` exits with `reason`: removes its links and signals
    /// the processes at their other ends.
    pub(super) fn break_links(&mut self, pid: Pid, reason: &ExitReason) {
        for other in self.links.take(pid) {
            self.enqueue(
                other,
                Body::Exit {
                    from: pid,
                    reason: reason.clone(),
                    linked: true,
                },
            );
        }
    }

    /// Delivers an exit signal to `to`.
    pub(super) fn exit_signal(&mut self, to: Pid, from: Pid, reason: ExitReason, linked: bool) {
        let Some(slot) = self.slot(to) else { return };
        let untrappable = !linked && reason == ExitReason::Kill;
        if slot.trap_exit && !untrappable {
            self.dispatch(to, Mail::Info(Info::Exit { from, reason }));
        } else if reason != ExitReason::Normal {
            self.exit_process(to, None, reason);
        }
    }
}
