//! What the code that drives the runtime (the poll loop, tests) can see of
//! it: which processes live, a process's state, the shared state, and the
//! counts its bookkeeping tests check.

use super::pid::Pid;
use super::process::Process;
use super::{Runtime, State};

impl<P: Process> Runtime<P> {
    /// Whether `pid` names a live process.
    pub fn is_alive(&self, pid: Pid) -> bool {
        self.slot(pid).is_some()
    }

    /// The state of a live process that is not running now, for code that
    /// drives the runtime (the network layer reaches a connection's socket
    /// this way) and for tests.
    pub fn process_mut(&mut self, pid: Pid) -> Option<&mut P> {
        match &mut self.slot_mut(pid)?.state {
            State::Ready(process) => Some(process),
            _ => None,
        }
    }

    /// Like [`Runtime::process_mut`], with the shared state beside it: for
    /// driving code that works on a process directly (the server writes
    /// connections before it sleeps).
    pub fn process_and_shared(&mut self, pid: Pid) -> Option<(&mut P, &mut P::Shared)> {
        let slot = self
            .procs
            .get_mut(pid.index())
            .filter(|s| s.serial == pid.serial())?;
        match &mut slot.state {
            State::Ready(process) => Some((process, &mut self.shared)),
            _ => None,
        }
    }

    /// The shared state.
    pub fn shared(&self) -> &P::Shared {
        &self.shared
    }

    /// The shared state, to change.
    pub fn shared_mut(&mut self) -> &mut P::Shared {
        &mut self.shared
    }

    /// The pids of all live processes, in slot order.
    pub fn pids(&self) -> impl Iterator<Item = Pid> + '_ {
        self.procs
            .iter()
            .map(|(index, slot)| Pid::new(index as u32, slot.serial))
    }

    /// Live processes, mailboxes included.
    pub fn process_count(&self) -> usize {
        self.procs.len()
    }

    /// Live monitors, calls in flight included.
    pub fn monitor_count(&self) -> usize {
        self.monitors.len()
    }

    /// Live links (each counted once, though both ends record it).
    pub fn link_count(&self) -> usize {
        self.links.count()
    }

    /// Pending timers.
    pub fn timer_count(&self) -> usize {
        self.timers.len()
    }

    /// Messages waiting in the run queue.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }
}
