//! A child spec in OTP's words: what a supervisor starts (`Start`), when a
//! child comes back (`Restart`), how it is stopped (`Shutdown`), which
//! children go with it (`Strategy`), and how many restarts a supervisor
//! allows before it gives up (`Intensity`). What a supervisor does with
//! them is in `supervisor.rs`.

use std::fmt;
use std::time::Duration;

use super::context::Context;
use super::process::Process;
use super::supervisor::Supervisor;

/// Which children go when one exits and is restarted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// That child alone.
    OneForOne,
    /// Every child: the others are stopped, then all start again.
    OneForAll,
    /// That child and those started after it.
    RestForOne,
}

/// When a child that exited is started again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restart {
    /// Always.
    Permanent,
    /// Only after an abnormal exit (not `Normal` or `Shutdown`).
    Transient,
    /// Never, not even when a sibling's restart stopped it: its spec goes
    /// once it is gone.
    Temporary,
}

/// How a child is stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shutdown {
    /// `Kill`, at once.
    BrutalKill,
    /// `Shutdown`, then `Kill` if it has not exited after this long.
    Timeout(Duration),
}

/// How many restarts a supervisor allows in how long before it gives up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Intensity {
    /// Restarts allowed...
    pub max_restarts: usize,
    /// ...within this long.
    pub period: Duration,
}

impl Default for Intensity {
    /// OTP's default: 3 restarts in 5 seconds.
    fn default() -> Intensity {
        Intensity {
            max_restarts: 3,
            period: Duration::from_secs(5),
        }
    }
}

/// What a child specification starts.
pub enum Start<P: Process> {
    /// A worker: a process of the host's type.
    Worker(P),
    /// A supervisor of its own.
    Supervisor(Box<Supervisor<P>>),
}

/// How to start a child, for the first time and after an exit. The start
/// function gets the supervisor's context, to find (by registered name)
/// the processes the child works with.
pub type StartFn<P> = Box<dyn Fn(&mut Context<'_, P>) -> Start<P>>;

/// A child specification.
pub struct ChildSpec<P: Process> {
    /// The child's name: in logs, and registered for the child's pid (its
    /// pid changes with each restart; the name does not).
    pub id: &'static str,
    /// How to start it.
    pub start: StartFn<P>,
    /// When it comes back.
    pub restart: Restart,
    /// How it is stopped.
    pub shutdown: Shutdown,
}

impl<P: Process> fmt::Debug for Start<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Start::Worker(_) => f.write_str("Worker"),
            Start::Supervisor(s) => s.as_ref().fmt(f),
        }
    }
}

impl<P: Process> fmt::Debug for ChildSpec<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildSpec")
            .field("id", &self.id)
            .field("restart", &self.restart)
            .field("shutdown", &self.shutdown)
            .finish()
    }
}
