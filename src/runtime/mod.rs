//! The process runtime: Erlang's processes, monitors, links and GenServer
//! calls on one thread, with no threads, locks or async.
//!
//! A process is a state machine (a [`Process`]) in a slot of a
//! [`slab::Slab`]; its [`Pid`] is the slot index plus a serial, so a stale
//! pid never reaches a slot's next occupant. Every message goes through one
//! FIFO run queue: [`Context::send`] and friends only enqueue, and
//! [`Runtime::run_until_idle`] delivers in order, one handler at a time.
//! That global order is what the server's visibility rule rests on.
//!
//! A process that exits does not unwind anything: its exit becomes queued
//! `Down` messages for its monitors and exit signals for its links. A panic
//! in a handler is caught here and becomes a `Crash` exit of that process
//! alone.
//!
//! The runtime knows nothing of sockets or todo lists: it is generic over
//! the process type, and its tests drive toy processes by hand.
//!
//! # Layout
//!
//! - `pid.rs`: [`Pid`], [`Ref`], [`Caller`].
//! - `exit.rs`: [`ExitReason`], [`CallError`].
//! - `process.rs`: the [`Process`] trait, [`Flow`], [`Info`], [`Mail`].
//! - `context.rs`: [`Context`], what a handler can do (spawn, send, call,
//!   reply, monitor, link, exit, timers).
//! - `envelope.rs`: what the run queue holds.
//! - `monitor.rs`: the monitor table (calls are monitors too).
//! - `link.rs`: where links live; exit signals.
//! - `timer.rs`: [`TimerRef`] and the timer table.
//! - `inspect.rs`: what the driver and tests can see of the runtime.
//! - `tree.rs`: children started under a supervisor, registered names;
//!   `supervisor.rs` and `dynamic.rs`: OTP's supervisors; `spec.rs`: the
//!   child specs they start.
//! - this file: [`Runtime`], the process table, delivery and exits.

mod context;
mod dynamic;
mod envelope;
mod exit;
mod inspect;
mod link;
mod monitor;
mod pid;
mod process;
mod spec;
mod supervisor;
mod timer;
mod tree;

#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::panic::{self, AssertUnwindSafe};
use std::time::{Duration, Instant};

use slab::Slab;

pub use context::Context;
pub use exit::{CallError, ExitReason};
pub use pid::{Caller, Pid, Ref};
pub use process::{Flow, Info, Mail, Process};
pub use spec::{ChildSpec, Intensity, Restart, Shutdown, Start, StartFn, Strategy};
pub use supervisor::Supervisor;
pub use timer::TimerRef;

use envelope::{Body, Envelope};
use link::Links;
use monitor::{Kind, Monitors};
use timer::Timers;

/// One process's slot in the table.
struct Slot<P: Process> {
    /// Tells this occupant from earlier ones of the same slot.
    serial: u32,
    /// Exit signals arrive as `Info::Exit` messages instead of killing it.
    trap_exit: bool,
    /// It has had a link, so its exit must look in the links table (most
    /// processes never link, and their exit skips that lookup).
    linked: bool,
    /// It is on the before-sleep list (see [`Context::before_sleep`]).
    before_sleep: bool,
    /// Children were started under it (`tree.rs`): its exit must find
    /// any left.
    parent_of_some: bool,
    /// The supervisor it was started under, linked to it through this
    /// field (`tree.rs`); `Pid::NONE` if none.
    parent: Pid,
    state: State<P>,
}

enum State<P: Process> {
    /// Waiting for its next message.
    Ready(P),
    /// Its handler is running and holds the state. Nothing is delivered to
    /// it meanwhile: sends only enqueue.
    Running,
    /// A process without behaviour whose mail piles up for the code that
    /// drives the runtime (tests, a shell) to [`Runtime::receive`]. Boxed
    /// so that every other slot does not pay for a deque's size.
    #[allow(clippy::box_collection)]
    Mailbox(Box<VecDeque<Mail<P::Msg>>>),
    /// A supervisor, which the runtime runs itself (`supervisor.rs`).
    Supervisor(Box<Supervisor<P>>),
}

/// The process table, the run queue, the monitors and the timers.
pub struct Runtime<P: Process> {
    procs: Slab<Slot<P>>,
    queue: VecDeque<Envelope<P::Msg>>,
    monitors: Monitors,
    timers: Timers<Envelope<P::Msg>>,
    links: Links,
    /// The time of the last [`Runtime::fire_due_timers`]: timers set during
    /// a pass count from the pass's start, as Redis's cached clock does.
    now: Instant,
    /// Source of pid serials.
    next_serial: u32,
    /// Processes to visit once the queue has drained (see
    /// [`Context::before_sleep`]), each once.
    before_sleep: Vec<Pid>,
    /// Registered names (`tree.rs`).
    names: Vec<(&'static str, Pid)>,
    /// Children restarted by supervisors, for `STATS`.
    restarts: u64,
    shared: P::Shared,
}

impl<P: Process> std::fmt::Debug for Runtime<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("processes", &self.procs.len())
            .field("queued", &self.queue.len())
            .field("monitors", &self.monitors.len())
            .field("links", &self.links.count())
            .field("timers", &self.timers.len())
            .finish()
    }
}

impl<P: Process> Runtime<P> {
    /// An empty runtime holding `shared` for its processes.
    pub fn new(shared: P::Shared) -> Runtime<P> {
        Runtime {
            procs: Slab::new(),
            queue: VecDeque::new(),
            monitors: Monitors::default(),
            timers: Timers::new(),
            links: Links::default(),
            now: Instant::now(),
            next_serial: 0,
            before_sleep: Vec::new(),
            names: Vec::new(),
            restarts: 0,
            shared,
        }
    }

    /// Starts a process. It runs when its first message is delivered.
    pub fn spawn(&mut self, process: P) -> Pid {
        self.insert(State::Ready(process))
    }

    /// Starts a mailbox: a process with no behaviour whose mail is kept for
    /// [`Runtime::receive`]. Tests use one as the caller or monitor that
    /// watches the processes under test; act for it with
    /// [`Runtime::as_mailbox`].
    pub fn spawn_mailbox(&mut self) -> Pid {
        self.insert(State::Mailbox(Box::default()))
    }

    fn insert(&mut self, state: State<P>) -> Pid {
        self.next_serial = self.next_serial.wrapping_add(1).max(1);
        let serial = self.next_serial;
        let index = self.procs.insert(Slot {
            serial,
            trap_exit: false,
            linked: false,
            before_sleep: false,
            parent_of_some: false,
            parent: Pid::NONE,
            state,
        });
        Pid::new(index as u32, serial)
    }

    /// Takes the oldest mail from a mailbox; `None` if it is empty or `pid`
    /// is not a live mailbox.
    pub fn receive(&mut self, mailbox: Pid) -> Option<Mail<P::Msg>> {
        match &mut self.slot_mut(mailbox)?.state {
            State::Mailbox(mail) => mail.pop_front(),
            _ => None,
        }
    }

    /// Runs `f` with a [`Context`] that acts as the mailbox `mailbox`:
    /// calls, monitors and links made there are the mailbox's, and their
    /// answers arrive in it. `None` if `mailbox` is not a live mailbox.
    pub fn as_mailbox<R>(
        &mut self,
        mailbox: Pid,
        f: impl FnOnce(&mut Context<'_, P>) -> R,
    ) -> Option<R> {
        match self.slot(mailbox)?.state {
            State::Mailbox(_) => Some(f(&mut Context::new(self, mailbox))),
            _ => None,
        }
    }

    /// Sends a plain (info) message from outside the runtime.
    pub fn send(&mut self, to: Pid, msg: P::Msg) {
        self.enqueue(to, Body::Info(msg));
    }

    /// Sends a plain message from outside the runtime once `delay` has
    /// passed (from the current pass): zero means on the next pass.
    pub fn send_after(&mut self, to: Pid, delay: Duration, msg: P::Msg) -> TimerRef {
        self.set_timer(to, delay, Body::Info(msg))
    }

    /// Sends a cast from outside the runtime.
    pub fn cast(&mut self, to: Pid, msg: P::Msg) {
        self.enqueue(to, Body::Cast(msg));
    }

    /// Sends an exit signal from outside the runtime (from [`Pid::NONE`]).
    /// See [`Context::exit`] for what the target does with it.
    pub fn exit(&mut self, pid: Pid, reason: ExitReason) {
        self.enqueue(
            pid,
            Body::Exit {
                from: Pid::NONE,
                reason,
                linked: false,
            },
        );
    }

    /// Delivers queued messages in FIFO order until the queue is empty,
    /// including those that handlers queue meanwhile. Returns how many were
    /// taken from the queue (dropped ones included).
    pub fn run_until_idle(&mut self) -> usize {
        let mut delivered = 0;
        while let Some(envelope) = self.queue.pop_front() {
            self.deliver(envelope);
            delivered += 1;
        }
        delivered
    }

    /// Delivers the oldest queued message alone; `false` if the queue was
    /// empty. For stepping through an exchange in tests.
    pub fn run_one(&mut self) -> bool {
        match self.queue.pop_front() {
            Some(envelope) => {
                self.deliver(envelope);
                true
            }
            None => false,
        }
    }

    /// Sets the clock to `now` and queues the message of every timer due by
    /// then, in deadline order. Returns how many fired.
    pub fn fire_due_timers(&mut self, now: Instant) -> usize {
        self.now = now;
        let mut fired = 0;
        while let Some(envelope) = self.timers.pop_due(now) {
            self.queue.push_back(envelope);
            fired += 1;
        }
        fired
    }

    /// Moves the processes that asked to be visited before the loop sleeps
    /// (with [`Context::before_sleep`]) into `into`, in the order they
    /// asked, and empties the list: a process asks again for the next time.
    /// Some may have exited since they asked.
    pub fn take_before_sleep(&mut self, into: &mut Vec<Pid>) {
        std::mem::swap(into, &mut self.before_sleep);
        for &pid in into.iter() {
            if let Some(slot) = self.slot_mut(pid) {
                slot.before_sleep = false;
            }
        }
    }

    /// The runtime's clock: the time of the last
    /// [`Runtime::fire_due_timers`].
    pub fn now(&self) -> Instant {
        self.now
    }

    /// How long from `now` until the next timer is due: the poll timeout.
    /// `None` if no timer is pending.
    pub fn time_to_next_timer(&self, now: Instant) -> Option<Duration> {
        self.timers.time_to_next(now)
    }

    fn slot(&self, pid: Pid) -> Option<&Slot<P>> {
        self.procs
            .get(pid.index())
            .filter(|s| s.serial == pid.serial())
    }

    fn slot_mut(&mut self, pid: Pid) -> Option<&mut Slot<P>> {
        self.procs
            .get_mut(pid.index())
            .filter(|s| s.serial == pid.serial())
    }

    fn enqueue(&mut self, to: Pid, body: Body<P::Msg>) {
        self.queue.push_back(Envelope { to, body });
    }

    /// Hands one envelope to its process. Monitor bookkeeping comes first,
    /// because a `Down` or reply to a dead process must still free its
    /// monitor node.
    fn deliver(&mut self, Envelope { to, body }: Envelope<P::Msg>) {
        let mail = match body {
            Body::Call { from, msg } => Mail::Call { from, msg },
            Body::Cast(msg) => Mail::Cast(msg),
            Body::Info(msg) => Mail::Info(Info::Message(msg)),
            Body::Reply { call, msg } => {
                // The call's monitor must still be held by `to`; otherwise
                // the call already ended (error, timeout, or the caller
                // died) and a late reply is dropped, as OTP drops replies to
                // a dead alias.
                if self.monitors.remove(call, to).is_none() {
                    return;
                }
                Mail::Info(Info::Reply {
                    call,
                    result: Ok(msg),
                })
            }
            Body::Down {
                monitor,
                pid,
                reason,
            } => match self.monitors.take_down(monitor) {
                Some(Kind::Monitor) => Mail::Info(Info::Down {
                    monitor,
                    pid,
                    reason,
                }),
                Some(Kind::Call) => Mail::Info(Info::Reply {
                    call: monitor,
                    result: Err(CallError::Exit(reason)),
                }),
                // Demonitored, or the call was answered first.
                None => return,
            },
            Body::CallTimeout { call } => match self.monitors.remove(call, to) {
                Some((Kind::Call, _)) => Mail::Info(Info::Reply {
                    call,
                    result: Err(CallError::Timeout),
                }),
                _ => return,
            },
            Body::Exit {
                from,
                reason,
                linked,
            } => return self.exit_signal(to, from, reason, linked),
        };
        self.dispatch(to, mail);
    }

    /// Runs the handler of `pid` for `mail`, catching a panic as a crash.
    fn dispatch(&mut self, pid: Pid, mail: Mail<P::Msg>) {
        // A message to a dead process is dropped, as in Erlang: the sender
        // cannot know the process died in between, and a monitor is how it
        // learns of that.
        let Some(slot) = self.slot_mut(pid) else {
            return;
        };
        let mut process = match std::mem::replace(&mut slot.state, State::Running) {
            State::Ready(process) => process,
            State::Mailbox(mut mailbox) => {
                mailbox.push_back(mail);
                slot.state = State::Mailbox(mailbox);
                return;
            }
            State::Supervisor(supervisor) => {
                slot.state = State::Running;
                return self.supervise(pid, supervisor, mail);
            }
            State::Running => unreachable!("{pid} received a message while running"),
        };
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
            let cx = &mut Context::new(self, pid);
            match mail {
                Mail::Call { from, msg } => process.handle_call(cx, from, msg),
                Mail::Cast(msg) => process.handle_cast(cx, msg),
                Mail::Info(info) => process.handle_info(cx, info),
            }
        }));
        match outcome {
            Ok(Flow::Continue) => self.procs[pid.index()].state = State::Ready(process),
            Ok(Flow::Stop(reason)) => self.exit_process(pid, Some(process), reason),
            Err(payload) => {
                let message = panic_message(payload.as_ref());
                log::error!("process {pid} crashed: {message}");
                self.exit_process(pid, Some(process), ExitReason::crash(message));
            }
        }
    }

    /// Removes a process and tells everyone who needs to know: its
    /// monitors get `Down`, its links get the exit signal, and the monitors
    /// it held are freed. `process` is its state when the caller holds it
    /// (its handler just returned); otherwise the state is in the slot.
    fn exit_process(&mut self, pid: Pid, process: Option<P>, reason: ExitReason) {
        let slot = self.procs.remove(pid.index());
        let process = match (process, slot.state) {
            (Some(process), _) | (None, State::Ready(process)) => Some(process),
            _ => None,
        };
        if let Some(mut process) = process {
            let shared = &mut self.shared;
            let ended =
                panic::catch_unwind(AssertUnwindSafe(|| process.terminate(shared, &reason)));
            if let Err(payload) = ended {
                let message = panic_message(payload.as_ref());
                log::error!("process {pid} panicked in terminate: {message}");
            }
        }
        if !reason.is_normal() {
            log::debug!("process {pid} exited: {reason}");
        }
        self.monitors.drop_watcher(pid);
        let queue = &mut self.queue;
        self.monitors.fire(pid, |watcher, monitor| {
            queue.push_back(Envelope {
                to: watcher,
                body: Body::Down {
                    monitor,
                    pid,
                    reason: reason.clone(),
                },
            })
        });
        if slot.linked {
            self.break_links(pid, &reason);
        }
        self.leave_tree(pid, slot.parent, slot.parent_of_some, &reason);
    }

    /// Queues `body` for `to` after `delay`.
    fn set_timer(&mut self, to: Pid, delay: Duration, body: Body<P::Msg>) -> TimerRef {
        self.timers.insert(self.now + delay, Envelope { to, body })
    }
}

/// The text of a panic's payload (`panic!` gives a `&str` or a `String`).
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "panic".to_owned()
    }
}
