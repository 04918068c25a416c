//! The pids of the open connections, for the loop's walks over them (the
//! eviction check, the graceful stop): the runtime also runs the manager
//! and every list, perhaps millions, which such a walk must not visit.
//!
//! A connection is added when it opens; one that has exited is dropped the
//! next time the walk meets it, or when the list has grown to twice the
//! open connections, so the list stays within twice their number.

use crate::runtime::{Pid, Runtime};

use super::process::Proc;

/// The open connections' pids (and, for a while, some that have closed).
#[derive(Debug, Default)]
pub(super) struct Connections {
    pids: Vec<Pid>,
}

impl Connections {
    /// Connection `pid` opened; `open` are open now, counting it.
    pub(super) fn opened(&mut self, pid: Pid, open: u64, runtime: &Runtime<Proc>) {
        if self.pids.len() as u64 >= 2 * open.max(16) {
            self.pids.retain(|&pid| runtime.is_alive(pid));
        }
        self.pids.push(pid);
    }

    /// The connections still open, each once; the closed ones are dropped.
    pub(super) fn live(&mut self, runtime: &Runtime<Proc>) -> &[Pid] {
        self.pids.retain(|&pid| runtime.is_alive(pid));
        &self.pids
    }
}
