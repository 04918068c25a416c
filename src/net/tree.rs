//! The server's process tree, the guide's shape:
//!
//! ```text
//! root (one_for_all)
//! ├── todo.lists    dynamic supervisor: every list, temporary
//! └── todo.manager  names -> lists; starts each list under todo.lists
//! connections       outside the tree, started by the poll loop
//! ```
//!
//! The manager monitors its lists and never links to them, so a list's
//! crash or `KILL` never touches it, and a list is never restarted. If the
//! manager crashes, the names go with it: the root stops the list
//! supervisor (and every list) and starts both again, and the new manager
//! rebuilds every list from the log. Past the root's intensity (3 restarts
//! in 5 seconds) it gives up; the loop then stops the server (exit 1), so
//! that a service manager can start it again from the log.

use std::time::Duration;

use super::process::Proc;
use crate::runtime::{
    ChildSpec, Intensity, Pid, Restart, Runtime, Shutdown, Start, Strategy, Supervisor,
};
use crate::todo::{Manager, Todo, LISTS, MANAGER};

/// How long the list supervisor has to stop its lists before it is killed.
const LISTS_SHUTDOWN: Duration = Duration::from_secs(10);

/// How long the manager has to stop.
const MANAGER_SHUTDOWN: Duration = Duration::from_secs(1);

/// Starts the tree; the root's pid.
pub(super) fn start(runtime: &mut Runtime<Proc>) -> Pid {
    let orphans = runtime.shared().budget().orphans().clone();
    let lists = ChildSpec {
        id: LISTS,
        start: Box::new(|_| {
            Start::Supervisor(Box::new(Supervisor::dynamic("lists", Shutdown::BrutalKill)))
        }),
        restart: Restart::Permanent,
        shutdown: Shutdown::Timeout(LISTS_SHUTDOWN),
    };
    let manager = ChildSpec {
        id: MANAGER,
        start: Box::new(move |_| {
            let manager = Manager::new(&orphans);
            Start::Worker(Proc::Todo(Todo::Manager(Box::new(manager))))
        }),
        restart: Restart::Permanent,
        shutdown: Shutdown::Timeout(MANAGER_SHUTDOWN),
    };
    let root = Supervisor::new(
        "root",
        Strategy::OneForAll,
        Intensity::default(),
        vec![lists, manager],
    );
    runtime.start_supervisor(root)
}
