//! A dynamic supervisor, Elixir's `DynamicSupervisor`: it starts no
//! children of its own; others start them under it at run time
//! (`Context::spawn_under`), all of one kind and `temporary` (a child that
//! exits, normally or not, is gone, and nothing restarts it). Others stop
//! one through it (`Context::terminate_child`), as its shutdown says. Told
//! to stop, it stops every child at once, the newest first, as its
//! shutdown says, and exits once they are gone.

use std::collections::HashMap;
use std::fmt;

use super::context::Context;
use super::exit::ExitReason;
use super::pid::Pid;
use super::process::Process;
use super::spec::Shutdown;
use super::supervisor::{stop, After};
use super::timer::TimerRef;
use super::{Runtime, State};

/// A dynamic supervisor's state.
pub(super) struct Dynamic {
    name: &'static str,
    /// How its children are stopped.
    shutdown: Shutdown,
    /// Children stopped one by one (`terminate_child`) in their grace
    /// period, with the timers that kill them.
    terminating: HashMap<Pid, TimerRef>,
    stopping: Option<Stopping>,
}

/// Told to stop: the children it stopped, until each is gone.
struct Stopping {
    /// The children it stopped, sorted to be found by binary search
    /// (there may be a million), each with whether it is gone yet. An exit
    /// from any other process (a child already dead when it was told, or
    /// started since) is not waited for.
    stopped: Vec<(Pid, bool)>,
    /// How many of those are not gone yet.
    left: usize,
    /// The timers that kill them after the grace period.
    kills: Vec<TimerRef>,
    /// What it exits with.
    reason: ExitReason,
}

impl fmt::Debug for Dynamic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DynamicSupervisor")
            .field("name", &self.name)
            .field("shutdown", &self.shutdown)
            .field("stopping", &self.stopping.as_ref().map(|s| s.left))
            .finish()
    }
}

impl Dynamic {
    pub(super) fn new(name: &'static str, shutdown: Shutdown) -> Dynamic {
        Dynamic {
            name,
            shutdown,
            terminating: HashMap::new(),
            stopping: None,
        }
    }

    /// Told to stop: stops every child at once, the newest first, and exits
    /// with `reason` once they are gone. Told again, it exits with the new
    /// reason, once the same children are gone.
    pub(super) fn stop_all<P: Process>(
        &mut self,
        cx: &mut Context<'_, P>,
        reason: ExitReason,
    ) -> After {
        if let Some(stopping) = &mut self.stopping {
            stopping.reason = reason;
            return After::Continue;
        }
        let children = cx.children();
        let mut kills = Vec::new();
        for &pid in children.iter().rev() {
            kills.extend(stop(cx, pid, self.shutdown));
        }
        let mut stopped: Vec<(Pid, bool)> = children.into_iter().map(|pid| (pid, false)).collect();
        stopped.sort_unstable_by_key(|&(pid, _)| pid);
        self.stopping = Some(Stopping {
            left: stopped.len(),
            stopped,
            kills,
            reason,
        });
        self.go_on_stopping(cx)
    }

    /// Stops `child` as the shutdown says (see `Context::terminate_child`).
    fn terminate<P: Process>(&mut self, cx: &mut Context<'_, P>, child: Pid) {
        if self.terminating.contains_key(&child) {
            return;
        }
        if let Some(kill) = stop(cx, child, self.shutdown) {
            self.terminating.insert(child, kill);
        }
    }

    /// Child `from` exited: it is gone. If it was one of those stopped,
    /// there is one fewer to wait for.
    pub(super) fn child_exited<P: Process>(&mut self, cx: &mut Context<'_, P>, from: Pid) -> After {
        if !self.terminating.is_empty() {
            if let Some(kill) = self.terminating.remove(&from) {
                cx.cancel_timer(kill);
            }
        }
        let Some(stopping) = &mut self.stopping else {
            return After::Continue;
        };
        if let Ok(at) = stopping
            .stopped
            .binary_search_by_key(&from, |&(pid, _)| pid)
        {
            let gone = &mut stopping.stopped[at].1;
            if !*gone {
                *gone = true;
                stopping.left -= 1;
            }
        }
        self.go_on_stopping(cx)
    }

    /// Exits once every child it stopped is gone.
    fn go_on_stopping<P: Process>(&mut self, cx: &mut Context<'_, P>) -> After {
        match self.stopping.take() {
            Some(stopping) if stopping.left == 0 => {
                let terminating = self.terminating.drain().map(|(_, kill)| kill);
                for kill in stopping.kills.into_iter().chain(terminating) {
                    cx.cancel_timer(kill);
                }
                After::Exit(stopping.reason)
            }
            other => {
                self.stopping = other;
                After::Continue
            }
        }
    }
}

impl<P: Process> Runtime<P> {
    /// Stops `child`, a live child of dynamic supervisor `supervisor`, on
    /// the supervisor's behalf; `false` if it is not one. See
    /// [`Context::terminate_child`].
    pub(crate) fn terminate_child(&mut self, supervisor: Pid, child: Pid) -> bool {
        let is_child = supervisor != Pid::NONE
            && self
                .slot(child)
                .is_some_and(|slot| slot.parent == supervisor);
        let Some(slot) = self.slot_mut(supervisor) else {
            return false;
        };
        let State::Supervisor(s) = &slot.state else {
            return false;
        };
        if !is_child || !s.is_dynamic() {
            return false;
        }
        let State::Supervisor(mut s) = std::mem::replace(&mut slot.state, State::Running) else {
            unreachable!("checked above");
        };
        if let Some(dynamic) = s.as_dynamic() {
            dynamic.terminate(&mut Context::new(self, supervisor), child);
        }
        if let Some(slot) = self.slot_mut(supervisor) {
            slot.state = State::Supervisor(s);
        }
        true
    }
}
