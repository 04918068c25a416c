//! Supervisors, OTP's contract in Erlang's words, as a kind of process the
//! runtime runs itself (as it runs mailboxes): it knows nothing of what
//! its children do.
//!
//! A supervisor starts its children in order, each linked to it (`tree.rs`),
//! and traps exits. When a child exits, its restart type decides whether it
//! comes back (`permanent` always, `transient` after an abnormal exit,
//! `temporary` never), and the strategy which others go with it:
//! `one_for_one` that child alone, `one_for_all` every child, `rest_for_one`
//! it and those started after it. The group is stopped, then started again
//! in order: every child it keeps a spec for, a `transient` one that had
//! exited normally included, as in OTP. A `temporary` child's spec goes
//! once the child is gone, so it never comes back, even when a sibling's
//! restart stopped it.
//!
//! Children to stop are stopped one at a time in reverse start order, each
//! as its shutdown says: `brutal_kill` (`Kill`), or `Shutdown` then `Kill`
//! after a grace period. More restarts than the intensity allows (by
//! default 3 in 5 seconds) and the supervisor gives up: it stops every
//! child and exits with `Shutdown`, which its own supervisor sees. An exit
//! signal from its own supervisor (or from outside the runtime) stops its
//! children, in reverse order, and then itself.
//!
//! A dynamic supervisor (`DynamicSupervisor`), whose children others start
//! under it at run time, is in `dynamic.rs`, and the words of a child spec
//! are in `spec.rs`; this file holds `Supervisor`, which is one or the
//! other, and the supervisor of children from specs.

use std::collections::VecDeque;
use std::fmt;
use std::time::Instant;

use super::context::Context;
use super::dynamic::Dynamic;
use super::exit::ExitReason;
use super::pid::Pid;
use super::process::Process;
use super::spec::{ChildSpec, Intensity, Restart, Shutdown, Strategy};
use super::timer::TimerRef;

/// A supervisor's state: a supervisor of children from specs, or a
/// dynamic one (`dynamic.rs`).
pub struct Supervisor<P: Process>(Kind<P>);

enum Kind<P: Process> {
    Static(Static<P>),
    Dynamic(Dynamic),
}

/// A supervisor of children from specs.
struct Static<P: Process> {
    name: &'static str,
    strategy: Strategy,
    intensity: Intensity,
    children: Vec<Child<P>>,
    /// When it restarted children lately, for the intensity.
    restarts: VecDeque<Instant>,
    stopping: Option<Stopping>,
    /// Exits of children outside the restart under way, to handle after it.
    deferred: Vec<(Pid, ExitReason)>,
}

struct Child<P: Process> {
    spec: ChildSpec<P>,
    pid: Option<Pid>,
    /// Its group is being restarted: it starts again once the stopping
    /// under way ends.
    restart: bool,
}

/// Children being stopped, one at a time, and what comes after.
#[derive(Debug)]
struct Stopping {
    /// Still to stop, the next last.
    queue: Vec<Pid>,
    /// Stopped and not yet gone, with the timer that kills it.
    waiting: Option<(Pid, Option<TimerRef>)>,
    then: Then,
}

#[derive(Debug)]
enum Then {
    /// Start again the children marked to restart, in start order.
    Restart,
    /// Exit with this reason.
    Exit(ExitReason),
}

/// What handling an exit signal leaves the supervisor to do.
pub(crate) enum After {
    /// Go on.
    Continue,
    /// Exit with this reason: every child is gone.
    Exit(ExitReason),
}

impl<P: Process> fmt::Debug for Supervisor<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Kind::Static(s) => f
                .debug_struct("Supervisor")
                .field("name", &s.name)
                .field("strategy", &s.strategy)
                .field("children", &s.children.len())
                .field("stopping", &s.stopping.is_some())
                .finish(),
            Kind::Dynamic(d) => d.fmt(f),
        }
    }
}

impl<P: Process> Supervisor<P> {
    /// A supervisor named `name` (for logs) of `children`, started in order.
    pub fn new(
        name: &'static str,
        strategy: Strategy,
        intensity: Intensity,
        children: Vec<ChildSpec<P>>,
    ) -> Supervisor<P> {
        Supervisor(Kind::Static(Static {
            name,
            strategy,
            intensity,
            children: children
                .into_iter()
                .map(|spec| Child {
                    spec,
                    pid: None,
                    restart: false,
                })
                .collect(),
            restarts: VecDeque::new(),
            stopping: None,
            deferred: Vec::new(),
        }))
    }

    /// A dynamic supervisor: children are started under it by others
    /// (`Context::spawn_under`), `temporary`, stopped as `shutdown` says.
    pub fn dynamic(name: &'static str, shutdown: Shutdown) -> Supervisor<P> {
        Supervisor(Kind::Dynamic(Dynamic::new(name, shutdown)))
    }

    /// Whether it is a dynamic supervisor.
    pub(super) fn is_dynamic(&self) -> bool {
        matches!(self.0, Kind::Dynamic(_))
    }

    /// Its state as a dynamic supervisor, if it is one.
    pub(super) fn as_dynamic(&mut self) -> Option<&mut Dynamic> {
        match &mut self.0 {
            Kind::Dynamic(d) => Some(d),
            Kind::Static(_) => None,
        }
    }

    /// Starts every child, in order (the supervisor's init).
    pub(crate) fn init(&mut self, cx: &mut Context<'_, P>) {
        if let Kind::Static(s) = &mut self.0 {
            for i in 0..s.children.len() {
                s.start(cx, i);
            }
        }
    }

    /// An exit signal arrived from `from`. One from its own supervisor
    /// `parent` (or from outside the runtime) tells it to stop.
    pub(crate) fn exited(
        &mut self,
        cx: &mut Context<'_, P>,
        from: Pid,
        reason: ExitReason,
        parent: Pid,
    ) -> After {
        let told_to_stop = from == parent || from == Pid::NONE || from == cx.pid();
        match &mut self.0 {
            Kind::Static(s) if told_to_stop => s.stop_all(cx, Then::Exit(reason)),
            Kind::Static(s) => s.child_exited(cx, from, reason),
            Kind::Dynamic(d) if told_to_stop => d.stop_all(cx, reason),
            Kind::Dynamic(d) => d.child_exited(cx, from),
        }
    }
}

impl<P: Process> Static<P> {
    fn start(&mut self, cx: &mut Context<'_, P>, i: usize) {
        let start = (self.children[i].spec.start)(cx);
        let me = cx.pid();
        let pid = cx.start_under(me, start);
        cx.register(self.children[i].spec.id, pid);
        self.children[i].pid = Some(pid);
        log::debug!(
            "supervisor {} {me}: started {} as {pid}",
            self.name,
            self.children[i].spec.id
        );
    }

    /// Child `from` exited (or some process it does not know of).
    fn child_exited(&mut self, cx: &mut Context<'_, P>, from: Pid, reason: ExitReason) -> After {
        if let Some(stopping) = &mut self.stopping {
            if stopping.waiting.is_some_and(|(pid, _)| pid == from) {
                let (_, timer) = stopping.waiting.take().expect("checked");
                if let Some(timer) = timer {
                    cx.cancel_timer(timer);
                }
                self.forget(from);
                return self.go_on_stopping(cx);
            }
            if let Some(at) = stopping.queue.iter().position(|&pid| pid == from) {
                // It exited before its turn: there is nothing to wait for
                // (a stop signal to it would be dropped, and no exit would
                // come back).
                stopping.queue.remove(at);
                self.forget(from);
                return self.go_on_stopping(cx);
            }
        }
        let Some(index) = self.children.iter().position(|c| c.pid == Some(from)) else {
            // Forgotten already (see `go_on_stopping`).
            return After::Continue;
        };
        let spec = &self.children[index].spec;
        let id = spec.id;
        let wanted = match spec.restart {
            Restart::Permanent => true,
            Restart::Transient => !reason.is_normal(),
            Restart::Temporary => false,
        };
        if wanted && matches!(&self.stopping, Some(s) if matches!(s.then, Then::Restart)) {
            // A child outside the restart under way: its exit is handled
            // once that restart is done, as OTP's supervisor, busy stopping
            // children, reads it then.
            self.deferred.push((from, reason));
            return After::Continue;
        }
        self.gone(index);
        // Decided before it is logged, so that the line says what happens.
        let restart = wanted && self.stopping.is_none();
        let allowed = restart && self.allow_restart(cx.now());
        let (level, then) = match (restart, allowed) {
            (false, _) if reason.is_normal() => (log::Level::Info, String::new()),
            (false, _) => (log::Level::Error, String::new()),
            (true, true) => (log::Level::Error, "; restarting".to_owned()),
            (true, false) => (
                log::Level::Error,
                format!(
                    "; more than {} restarts in {:?}: giving up",
                    self.intensity.max_restarts, self.intensity.period
                ),
            ),
        };
        log::log!(
            level,
            "supervisor {} {}: child {id} {from} exited: {reason}{then}",
            self.name,
            cx.pid(),
        );
        if !restart {
            return After::Continue;
        }
        if !allowed {
            return self.stop_all(cx, Then::Exit(ExitReason::Shutdown));
        }
        let group = match self.strategy {
            Strategy::OneForOne => index..index + 1,
            Strategy::OneForAll => 0..self.children.len(),
            Strategy::RestForOne => index..self.children.len(),
        };
        // Every child of the group is stopped, and starts again: but for
        // the temporary ones, whose specs go with them (see `gone`).
        let mut queue = Vec::new();
        for child in &mut self.children[group] {
            child.restart = true;
            queue.extend(child.pid);
        }
        self.stopping = Some(Stopping {
            queue,
            waiting: None,
            then: Then::Restart,
        });
        self.go_on_stopping(cx)
    }

    /// Stops every child (reverse start order), then does `then`.
    fn stop_all(&mut self, cx: &mut Context<'_, P>, then: Then) -> After {
        let queue: Vec<Pid> = self.children.iter().filter_map(|c| c.pid).collect();
        match &mut self.stopping {
            // Already stopping: it ends in this instead, and every child not
            // yet stopped is queued, in start order (the next last): those
            // of a restart under way and the others alike.
            Some(stopping) => {
                stopping.then = then;
                let waiting = stopping.waiting.map(|(pid, _)| pid);
                stopping.queue = queue.into_iter().filter(|&p| Some(p) != waiting).collect();
            }
            None => {
                self.stopping = Some(Stopping {
                    queue,
                    waiting: None,
                    then,
                })
            }
        }
        self.go_on_stopping(cx)
    }

    /// Stops the next child, or, when all are gone, does what comes after.
    fn go_on_stopping(&mut self, cx: &mut Context<'_, P>) -> After {
        let Some(stopping) = &mut self.stopping else {
            return After::Continue;
        };
        if stopping.waiting.is_none() {
            while let Some(pid) = stopping.queue.pop() {
                let Some(index) = self.children.iter().position(|c| c.pid == Some(pid)) else {
                    continue;
                };
                if !cx.is_alive(pid) {
                    // Dead, its exit on the way: it is forgotten, and that
                    // exit will find no child.
                    gone(&mut self.children, index);
                    continue;
                }
                let timer = stop(cx, pid, self.children[index].spec.shutdown);
                stopping.waiting = Some((pid, timer));
                break;
            }
        }
        if stopping.waiting.is_some() {
            return After::Continue;
        }
        let stopping = self.stopping.take().expect("checked above");
        match stopping.then {
            Then::Restart => {
                for i in 0..self.children.len() {
                    if std::mem::take(&mut self.children[i].restart) {
                        cx.count_restart();
                        self.start(cx, i);
                    }
                }
                for (from, reason) in std::mem::take(&mut self.deferred) {
                    if let After::Exit(reason) = self.child_exited(cx, from, reason) {
                        return After::Exit(reason);
                    }
                }
                After::Continue
            }
            Then::Exit(reason) => After::Exit(reason),
        }
    }

    /// Counts a restart at `now`; `false` if it is one more than the
    /// intensity allows. Restarts older than the period are forgotten.
    fn allow_restart(&mut self, now: Instant) -> bool {
        self.restarts.push_back(now);
        while self
            .restarts
            .front()
            .is_some_and(|&t| now.saturating_duration_since(t) > self.intensity.period)
        {
            self.restarts.pop_front();
        }
        self.restarts.len() <= self.intensity.max_restarts
    }

    /// Child `pid` is gone (see [`gone`]).
    fn forget(&mut self, pid: Pid) {
        if let Some(index) = self.children.iter().position(|c| c.pid == Some(pid)) {
            self.gone(index);
        }
    }

    fn gone(&mut self, index: usize) {
        gone(&mut self.children, index);
    }
}

/// Child `index` is gone: it has no pid, and if it is temporary its spec
/// goes too, as OTP drops it (it is never started again).
fn gone<P: Process>(children: &mut Vec<Child<P>>, index: usize) {
    if children[index].spec.restart == Restart::Temporary {
        children.remove(index);
    } else {
        children[index].pid = None;
    }
}

/// Stops `pid` as `shutdown` says; the timer that kills it after a grace
/// period, if there is one.
pub(super) fn stop<P: Process>(
    cx: &mut Context<'_, P>,
    pid: Pid,
    shutdown: Shutdown,
) -> Option<TimerRef> {
    match shutdown {
        Shutdown::BrutalKill => {
            cx.exit(pid, ExitReason::Kill);
            None
        }
        Shutdown::Timeout(grace) => {
            cx.exit(pid, ExitReason::Shutdown);
            Some(cx.exit_after(pid, grace, ExitReason::Kill))
        }
    }
}
