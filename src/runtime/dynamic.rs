//! A dynamic supervisor, Elixir's `DynamicSupervisor`: it starts no
//! children of its own; others start them under it at run time
//! (`Context::spawn_under`), all of one kind and `temporary` (a child that
//! exits, normally or not, is gone, and nothing restarts it). Told to
//! stop, it stops every child at once, the newest first, as its shutdown
//! says, and exits once they are gone.

use std::fmt;

use super::context::Context;
use super::exit::ExitReason;
use super::pid::Pid;
use super::process::Process;
use super::supervisor::{stop, After, Shutdown};

/// A dynamic supervisor's state.
pub(super) struct Dynamic {
    name: &'static str,
    /// How its children are stopped.
    shutdown: Shutdown,
    /// Told to stop: how many children it stopped are not yet gone
    /// (counted, not listed: there may be a million), and the reason it
    /// then exits with.
    stopping: Option<(usize, ExitReason)>,
}

impl fmt::Debug for Dynamic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DynamicSupervisor")
            .field("name", &self.name)
            .field("shutdown", &self.shutdown)
            .field("stopping", &self.stopping.is_some())
            .finish()
    }
}

impl Dynamic {
    pub(super) fn new(name: &'static str, shutdown: Shutdown) -> Dynamic {
        Dynamic {
            name,
            shutdown,
            stopping: None,
        }
    }

    /// Told to stop: stops every child at once, the newest first, and exits
    /// with `reason` once they are gone.
    pub(super) fn stop_all<P: Process>(
        &mut self,
        cx: &mut Context<'_, P>,
        reason: ExitReason,
    ) -> After {
        let children = cx.children();
        for &pid in children.iter().rev() {
            stop(cx, pid, self.shutdown);
        }
        let left = match &self.stopping {
            Some((left, _)) => left + children.len(),
            None => children.len(),
        };
        if left == 0 {
            return After::Exit(reason);
        }
        self.stopping = Some((left, reason));
        After::Continue
    }

    /// Child `from` exited: it is gone.
    pub(super) fn child_exited<P: Process>(&mut self, cx: &mut Context<'_, P>, from: Pid) -> After {
        let _ = (cx, from);
        let Some((left, reason)) = &mut self.stopping else {
            return After::Continue;
        };
        *left = left.saturating_sub(1);
        if *left == 0 {
            return After::Exit(reason.clone());
        }
        After::Continue
    }
}
