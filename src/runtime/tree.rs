//! Where the supervision tree lives in the runtime: a child started under
//! a supervisor is linked to it through a field of its own slot (not the
//! links table, whose entry per process a million lists would pay for,
//! and whose removal from a supervisor's list of a million children would
//! cost a scan each), and registered names, by which a process finds one
//! that a restart gives a new pid.
//!
//! The link is Erlang's: when the child exits, its supervisor gets the
//! exit signal (as `Info::Exit`, since supervisors trap exits); when the
//! supervisor exits, each child it still has gets one. A supervisor stops
//! its children before it exits, so that second case is a crash's.

use super::context::Context;
use super::envelope::Body;
use super::exit::ExitReason;
use super::pid::Pid;
use super::process::{Info, Mail, Process};
use super::supervisor::{After, Supervisor};
use super::{Runtime, State};

impl<P: Process> Runtime<P> {
    /// Starts `process` as a child of `parent`, linked to it.
    pub(crate) fn spawn_under(&mut self, parent: Pid, process: P) -> Pid {
        let pid = self.spawn(process);
        if !self.is_alive(parent) {
            self.enqueue(
                pid,
                Body::Exit {
                    from: parent,
                    reason: ExitReason::NoProc,
                    linked: true,
                },
            );
            return pid;
        }
        if let Some(slot) = self.slot_mut(pid) {
            slot.parent = parent;
        }
        if let Some(slot) = self.slot_mut(parent) {
            slot.parent_of_some = true;
        }
        pid
    }

    /// The live children started under `parent`, oldest first.
    pub(crate) fn children_of(&self, parent: Pid) -> Vec<Pid> {
        let mut children: Vec<Pid> = self
            .procs
            .iter()
            .filter(|(_, slot)| slot.parent == parent)
            .map(|(index, slot)| Pid::new(index as u32, slot.serial))
            .collect();
        // Serials grow with every spawn (they wrap after four billion).
        children.sort_by_key(|pid| pid.serial());
        children
    }

    /// Called as `pid` exits: its supervisor gets the exit signal, and so
    /// does each child it still has.
    pub(super) fn leave_tree(
        &mut self,
        pid: Pid,
        parent: Pid,
        had_children: bool,
        reason: &ExitReason,
    ) {
        if parent != Pid::NONE {
            self.enqueue(
                parent,
                Body::Exit {
                    from: pid,
                    reason: reason.clone(),
                    linked: true,
                },
            );
        }
        if had_children {
            for child in self.children_of(pid) {
                self.enqueue(
                    child,
                    Body::Exit {
                        from: pid,
                        reason: reason.clone(),
                        linked: true,
                    },
                );
            }
        }
        self.names.retain(|&(_, named)| named != pid);
    }

    /// Registers `pid` under `name`, in place of any process there.
    pub(crate) fn register(&mut self, name: &'static str, pid: Pid) {
        self.names.retain(|&(n, _)| n != name);
        if self.is_alive(pid) {
            self.names.push((name, pid));
        }
    }

    /// Starts `supervisor` at the root of a tree (and its children).
    pub fn start_supervisor(&mut self, supervisor: Supervisor<P>) -> Pid {
        self.spawn_supervisor_under(Pid::NONE, supervisor)
    }

    /// The process registered under `name`, if one is.
    pub fn whereis(&self, name: &str) -> Option<Pid> {
        self.names
            .iter()
            .find(|&&(n, _)| n == name)
            .map(|&(_, pid)| pid)
    }

    /// How many children supervisors have restarted.
    pub fn restarts(&self) -> u64 {
        self.restarts
    }

    pub(crate) fn count_restart(&mut self) {
        self.restarts += 1;
    }
}

impl<P: Process> Runtime<P> {
    /// Starts a worker as a child of supervisor `parent`, and runs its
    /// `init`.
    pub(crate) fn spawn_worker_under(&mut self, parent: Pid, process: P) -> Pid {
        let pid = self.spawn_under(parent, process);
        let Some(slot) = self.slot_mut(pid) else {
            return pid;
        };
        let State::Ready(mut process) = std::mem::replace(&mut slot.state, State::Running) else {
            unreachable!("just spawned");
        };
        let init = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            process.init(&mut Context::new(self, pid));
        }));
        match init {
            Ok(()) => {
                if let Some(slot) = self.slot_mut(pid) {
                    slot.state = State::Ready(process);
                }
            }
            Err(payload) => {
                let message = super::panic_message(payload.as_ref());
                log::error!("process {pid} crashed in init: {message}");
                self.exit_process(pid, Some(process), ExitReason::crash(message));
            }
        }
        pid
    }

    /// Starts a supervisor as a child of `parent` (or of nobody, with
    /// `Pid::NONE`), and its children.
    pub(crate) fn spawn_supervisor_under(&mut self, parent: Pid, supervisor: Supervisor<P>) -> Pid {
        let pid = self.insert(State::Running);
        if let Some(slot) = self.slot_mut(pid) {
            slot.trap_exit = true;
        }
        if parent != Pid::NONE {
            if let Some(slot) = self.slot_mut(pid) {
                slot.parent = parent;
            }
            if let Some(slot) = self.slot_mut(parent) {
                slot.parent_of_some = true;
            }
        }
        let mut supervisor = Box::new(supervisor);
        supervisor.init(&mut Context::new(self, pid));
        if let Some(slot) = self.slot_mut(pid) {
            slot.state = State::Supervisor(supervisor);
        }
        pid
    }

    /// Delivers `mail` to supervisor `pid`, whose state is `supervisor`
    /// (taken out of its slot).
    pub(super) fn supervise(
        &mut self,
        pid: Pid,
        mut supervisor: Box<Supervisor<P>>,
        mail: Mail<P::Msg>,
    ) {
        let parent = self.slot(pid).map_or(Pid::NONE, |slot| slot.parent);
        let after = match mail {
            Mail::Info(Info::Exit { from, reason }) => {
                supervisor.exited(&mut Context::new(self, pid), from, reason, parent)
            }
            other => {
                log::debug!("supervisor {pid} ignored {}", mail_kind(&other));
                After::Continue
            }
        };
        match after {
            After::Continue => {
                if let Some(slot) = self.slot_mut(pid) {
                    slot.state = State::Supervisor(supervisor);
                }
            }
            After::Exit(reason) => self.exit_process(pid, None, reason),
        }
    }
}

fn mail_kind<M>(mail: &Mail<M>) -> &'static str {
    match mail {
        Mail::Call { .. } => "a call",
        Mail::Cast(_) => "a cast",
        Mail::Info(info) => info.kind(),
    }
}
