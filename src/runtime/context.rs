//! `Context`: what a handler can do while it runs, in Erlang's words.
//! Nothing here runs another handler: every message only enqueues.

use std::time::{Duration, Instant};

use super::envelope::Body;
use super::exit::ExitReason;
use super::monitor::Kind;
use super::pid::{Caller, Pid, Ref};
use super::process::Process;
use super::spec::Start;
use super::timer::TimerRef;
use super::Runtime;

/// A handler's handle on the runtime, acting as the process it runs for.
pub struct Context<'a, P: Process> {
    rt: &'a mut Runtime<P>,
    me: Pid,
}

impl<P: Process> std::fmt::Debug for Context<'_, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context").field("pid", &self.me).finish()
    }
}

impl<'a, P: Process> Context<'a, P> {
    pub(super) fn new(rt: &'a mut Runtime<P>, me: Pid) -> Context<'a, P> {
        Context { rt, me }
    }

    /// This process's pid (Erlang's `self()`).
    pub fn pid(&self) -> Pid {
        self.me
    }

    /// Starts a process.
    pub fn spawn(&mut self, process: P) -> Pid {
        self.rt.spawn(process)
    }

    /// Starts a process linked to this one.
    pub fn spawn_link(&mut self, process: P) -> Pid {
        let pid = self.rt.spawn(process);
        self.rt.link(self.me, pid);
        pid
    }

    /// Makes room for `additional` more processes, each monitored, at once:
    /// for a process about to start many (a restore), so that the tables
    /// do not grow, copying themselves, as they come.
    pub fn reserve(&mut self, additional: usize) {
        self.rt.procs.reserve(additional);
        self.rt.monitors.reserve(additional);
    }

    /// Starts `process` as a child of supervisor `parent`, linked to it
    /// (see `tree.rs`): `DynamicSupervisor.start_child`, run by the caller
    /// on the supervisor's behalf.
    pub fn spawn_under(&mut self, parent: Pid, process: P) -> Pid {
        self.rt.spawn_under(parent, process)
    }

    /// Stops `child`, a child of dynamic supervisor `supervisor`, as the
    /// supervisor's shutdown says (`DynamicSupervisor.terminate_child`):
    /// `Kill`, or `Shutdown` and then `Kill` if it has not exited after the
    /// grace period. Like [`Context::spawn_under`] it runs here, on the
    /// supervisor's behalf: the signals come from the supervisor, which
    /// gets the child's exit as any other. It returns at once; a monitor
    /// tells when the child is gone. `false` (OTP's `{error, not_found}`),
    /// and nothing sent, if `child` is not a live child of a dynamic
    /// supervisor `supervisor`.
    pub fn terminate_child(&mut self, supervisor: Pid, child: Pid) -> bool {
        self.rt.terminate_child(supervisor, child)
    }

    /// Starts a worker or a supervisor as a child of supervisor `parent`
    /// (`Pid::NONE` for a supervisor at the root of a tree).
    pub fn start_under(&mut self, parent: Pid, start: Start<P>) -> Pid {
        match start {
            Start::Worker(process) => self.rt.spawn_worker_under(parent, process),
            Start::Supervisor(supervisor) => self.rt.spawn_supervisor_under(parent, *supervisor),
        }
    }

    /// The live children started under this process, oldest first.
    pub fn children(&self) -> Vec<Pid> {
        self.rt.children_of(self.me)
    }

    pub(crate) fn count_restart(&mut self) {
        self.rt.count_restart();
    }

    /// Registers `pid` under `name`, in place of any process there; the
    /// name goes when the process exits.
    pub fn register(&mut self, name: &'static str, pid: Pid) {
        self.rt.register(name, pid);
    }

    /// The process registered under `name`, if one is.
    pub fn whereis(&self, name: &str) -> Option<Pid> {
        self.rt.whereis(name)
    }

    /// Sends `pid` an exit signal with `reason` after `delay` (a
    /// supervisor's grace period before `Kill`).
    pub fn exit_after(&mut self, pid: Pid, delay: Duration, reason: ExitReason) -> TimerRef {
        let from = self.me;
        self.rt.set_timer(
            pid,
            delay,
            Body::Exit {
                from,
                reason,
                linked: false,
            },
        )
    }

    /// How many children supervisors have restarted.
    pub fn restarts(&self) -> u64 {
        self.rt.restarts()
    }

    /// Starts a process monitored by this one.
    pub fn spawn_monitor(&mut self, process: P) -> (Pid, Ref) {
        let pid = self.rt.spawn(process);
        let monitor = self.rt.monitors.add(self.me, pid, Kind::Monitor, true);
        (pid, monitor)
    }

    /// Sends a plain message, received by `handle_info` as
    /// `Info::Message`. A message to a dead process is dropped.
    pub fn send(&mut self, to: Pid, msg: P::Msg) {
        self.rt.enqueue(to, Body::Info(msg));
    }

    /// Sends a cast, received by `handle_cast`. A cast to a dead process is
    /// dropped.
    pub fn cast(&mut self, to: Pid, msg: P::Msg) {
        self.rt.enqueue(to, Body::Cast(msg));
    }

    /// Calls `to`: it receives `msg` in `handle_call`, and its reply comes
    /// back to this process as `Info::Reply` with the returned ref. The call
    /// monitors the callee until it is answered, so if the callee is dead,
    /// or dies before replying, the reply is `Err(CallError::Exit(reason))`
    /// (`NoProc` if it was already dead): a caller never waits forever on a
    /// dead process.
    pub fn call(&mut self, to: Pid, msg: P::Msg) -> Ref {
        let alive = self.rt.is_alive(to);
        let call = self.rt.monitors.add(self.me, to, Kind::Call, alive);
        if alive {
            let from = Caller { pid: self.me, call };
            self.rt.enqueue(to, Body::Call { from, msg });
        } else {
            self.queue_noproc(self.me, call, to);
        }
        call
    }

    /// Like [`Context::call`], but if no reply has come within `timeout` the
    /// reply is `Err(CallError::Timeout)` and a later reply is dropped.
    pub fn call_timeout(&mut self, to: Pid, msg: P::Msg, timeout: Duration) -> Ref {
        let call = self.call(to, msg);
        // Not cancelled when the reply wins: it finds the call gone and is
        // dropped when due.
        self.rt
            .set_timer(self.me, timeout, Body::CallTimeout { call });
        call
    }

    /// Answers a call, now or later, from this process or from one the call
    /// was forwarded to.
    pub fn reply(&mut self, to: Caller, msg: P::Msg) {
        self.rt.enqueue(to.pid, Body::Reply { call: to.call, msg });
    }

    /// Hands a call this process received on to `to`, which receives it in
    /// `handle_call` with the original caller and answers it directly. The
    /// caller's monitor moves to `to`: if `to` is dead or dies before
    /// answering, the caller gets the error.
    pub fn forward(&mut self, from: Caller, to: Pid, msg: P::Msg) {
        let alive = self.rt.is_alive(to);
        match self.rt.monitors.retarget(from.call, self.me, to, alive) {
            Some(caller) if !alive => self.queue_noproc(caller, from.call, to),
            // Moved, or the caller already gave up (a late reply is dropped).
            _ => self.rt.enqueue(to, Body::Call { from, msg }),
        }
    }

    /// Monitors `pid`: when it exits this process receives `Info::Down`
    /// with the returned ref. A dead pid gives `Down` with `NoProc` at once
    /// (through the queue).
    pub fn monitor(&mut self, pid: Pid) -> Ref {
        let alive = self.rt.is_alive(pid);
        let monitor = self.rt.monitors.add(self.me, pid, Kind::Monitor, alive);
        if !alive {
            self.queue_noproc(self.me, monitor, pid);
        }
        monitor
    }

    /// Removes a monitor this process holds, and drops its `Down` if one is
    /// already queued. Returns `false` if there was no such monitor.
    pub fn demonitor(&mut self, monitor: Ref) -> bool {
        self.rt.monitors.remove(monitor, self.me).is_some()
    }

    /// Links this process with `pid` (both ways). Linking to a dead pid
    /// sends this process an exit signal with `NoProc`.
    pub fn link(&mut self, pid: Pid) {
        self.rt.link(self.me, pid);
    }

    /// Removes the link with `pid`, if any.
    pub fn unlink(&mut self, pid: Pid) {
        self.rt.unlink(self.me, pid);
    }

    /// Sets whether exit signals arrive as `Info::Exit` messages instead of
    /// killing this process (`Kill` sent with `exit` still kills).
    pub fn trap_exit(&mut self, trap: bool) {
        if let Some(slot) = self.rt.slot_mut(self.me) {
            slot.trap_exit = trap;
        }
    }

    /// Sends `pid` an exit signal. On delivery `Kill` kills it even if it
    /// traps exits; otherwise a trapping process receives `Info::Exit`, and a
    /// non-trapping one ignores `Normal` and exits with any other reason. A
    /// process stops itself by returning `Flow::Stop` instead.
    pub fn exit(&mut self, pid: Pid, reason: ExitReason) {
        let from = self.me;
        self.rt.enqueue(
            pid,
            Body::Exit {
                from,
                reason,
                linked: false,
            },
        );
    }

    /// Sends `msg` to `to` as a plain message once `delay` has passed (from
    /// the start of the current loop pass). A zero delay means "on the next
    /// pass": the way a process yields to the poll loop.
    pub fn send_after(&mut self, to: Pid, delay: Duration, msg: P::Msg) -> TimerRef {
        self.rt.set_timer(to, delay, Body::Info(msg))
    }

    /// Cancels a timer; `false` if it already fired or was cancelled. A
    /// cancelled timer never fires.
    pub fn cancel_timer(&mut self, timer: TimerRef) -> bool {
        self.rt.timers.cancel(timer)
    }

    /// Asks the code that drives the runtime to visit this process once
    /// the queue has drained, before the loop sleeps (Redis's
    /// `beforeSleep`; the server writes connections there, once a pass).
    /// Asking again before the visit changes nothing.
    pub fn before_sleep(&mut self) {
        let me = self.me;
        if let Some(slot) = self.rt.slot_mut(me) {
            if !slot.before_sleep {
                slot.before_sleep = true;
                self.rt.before_sleep.push(me);
            }
        }
    }

    /// The runtime's clock: the start of the current loop pass.
    pub fn now(&self) -> Instant {
        self.rt.now
    }

    /// The state shared by every process of the runtime.
    pub fn shared(&mut self) -> &mut P::Shared {
        &mut self.rt.shared
    }

    /// Whether `pid` names a live process.
    pub fn is_alive(&self, pid: Pid) -> bool {
        self.rt.is_alive(pid)
    }

    /// Live processes.
    pub fn process_count(&self) -> usize {
        self.rt.process_count()
    }

    fn queue_noproc(&mut self, watcher: Pid, monitor: Ref, pid: Pid) {
        self.rt.enqueue(
            watcher,
            Body::Down {
                monitor,
                pid,
                reason: ExitReason::NoProc,
            },
        );
    }
}
