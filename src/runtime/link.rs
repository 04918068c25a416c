//! Links and exit signals.
//!
//! A link is recorded on both ends. When a process exits, each linked
//! process is sent an exit signal through the queue. On delivery:
//!
//! - `exit(pid, Kill)` kills the target even if it traps exits;
//! - a process that traps exits receives any other signal as
//!   `Info::Exit { from, reason }` (a `Kill` that comes through a link
//!   included: only the direct kill is untrappable, as in Erlang, where it
//!   arrives as `killed`);
//! - otherwise a `Normal` signal is ignored and any other reason kills the
//!   target with that reason, which then propagates to its own links.

use super::envelope::Body;
use super::exit::ExitReason;
use super::pid::Pid;
use super::process::{Info, Mail, Process};
use super::Runtime;

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
        let Some(slot) = self.slot_mut(a) else { return };
        if slot.links.contains(&b) {
            return;
        }
        slot.links.push(b);
        if let Some(other) = self.slot_mut(b) {
            other.links.push(a);
        }
        self.links += 1;
    }

    /// Removes the link between `a` and `b`, if any.
    pub(crate) fn unlink(&mut self, a: Pid, b: Pid) {
        let removed = self
            .slot_mut(a)
            .is_some_and(|slot| remove(&mut slot.links, b));
        if let Some(other) = self.slot_mut(b) {
            remove(&mut other.links, a);
        }
        if removed {
            self.links -= 1;
        }
    }

    /// Called as `pid` exits with `reason`: removes its links from the other
    /// ends and signals them.
    pub(super) fn break_links(&mut self, pid: Pid, links: Vec<Pid>, reason: &ExitReason) {
        for other in links {
            if let Some(slot) = self.slot_mut(other) {
                remove(&mut slot.links, pid);
            }
            self.links -= 1;
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

/// Removes `pid` from `links`; whether it was there.
fn remove(links: &mut Vec<Pid>, pid: Pid) -> bool {
    match links.iter().position(|&p| p == pid) {
        Some(at) => {
            links.swap_remove(at);
            true
        }
        None => false,
    }
}
