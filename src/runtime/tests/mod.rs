//! The runtime's rules, one test each, by concern, driven by hand with toy
//! processes whose behaviour is a closure, and mailboxes as observers.
//! This file holds the toys and helpers every concern shares; for the
//! supervisor concerns, a worker that records its start, child specs of it,
//! and `Watch`, which tells each `Down` by the name of who went.

use std::time::{Duration, Instant};

use super::*;

type Behaviour = Box<dyn FnMut(&mut Context<'_, Toy>, Mail<u32>) -> Flow>;

/// A process whose every handler runs one closure.
struct Toy(Behaviour);

/// What a toy's closure receives from its `init`, run when a supervisor
/// starts it (a plain message that no test sends).
const INIT: u32 = u32::MAX;

/// What toys record, for the tests to read.
#[derive(Default)]
struct Log {
    seen: Vec<(Pid, String)>,
    terminated: Vec<(Pid, ExitReason)>,
}

impl Process for Toy {
    type Msg = u32;
    type Shared = Log;

    fn handle_call(&mut self, cx: &mut Context<'_, Self>, from: Caller, msg: u32) -> Flow {
        (self.0)(cx, Mail::Call { from, msg })
    }

    fn handle_cast(&mut self, cx: &mut Context<'_, Self>, msg: u32) -> Flow {
        (self.0)(cx, Mail::Cast(msg))
    }

    fn handle_info(&mut self, cx: &mut Context<'_, Self>, info: Info<u32>) -> Flow {
        (self.0)(cx, Mail::Info(info))
    }

    fn init(&mut self, cx: &mut Context<'_, Self>) {
        // A toy cannot stop from `init`; its next message can.
        let _ = (self.0)(cx, Mail::Info(Info::Message(INIT)));
    }

    fn terminate(&mut self, log: &mut Log, reason: &ExitReason) {
        log.terminated.push((Pid::NONE, reason.clone()));
    }
}

fn toy(f: impl FnMut(&mut Context<'_, Toy>, Mail<u32>) -> Flow + 'static) -> Toy {
    Toy(Box::new(f))
}

/// Answers every call with `msg + 1`; stops with `Crash` on cast 666,
/// panics on cast 999; records everything else.
fn echo() -> Toy {
    toy(|cx, mail| match mail {
        Mail::Call { from, msg } => {
            cx.reply(from, msg + 1);
            Flow::Continue
        }
        Mail::Cast(666) => Flow::Stop(ExitReason::crash("asked to")),
        Mail::Cast(999) => panic!("boom"),
        other => {
            let me = cx.pid();
            cx.shared().seen.push((me, describe(&other)));
            Flow::Continue
        }
    })
}

/// Does nothing, forever.
fn idle() -> Toy {
    toy(|_, _| Flow::Continue)
}

fn describe(mail: &Mail<u32>) -> String {
    match mail {
        Mail::Call { msg, .. } => format!("call {msg}"),
        Mail::Cast(msg) => format!("cast {msg}"),
        Mail::Info(Info::Message(msg)) => format!("msg {msg}"),
        Mail::Info(Info::Reply { result, .. }) => format!("reply {result:?}"),
        Mail::Info(Info::Down { reason, .. }) => format!("down {reason}"),
        Mail::Info(Info::Exit { reason, .. }) => format!("exit {reason}"),
    }
}

fn runtime() -> Runtime<Toy> {
    Runtime::new(Log::default())
}

/// Everything in `mailbox`, described.
fn drain(rt: &mut Runtime<Toy>, mailbox: Pid) -> Vec<String> {
    std::iter::from_fn(|| rt.receive(mailbox))
        .map(|m| describe(&m))
        .collect()
}

fn assert_bookkeeping_empty(rt: &Runtime<Toy>, processes: usize) {
    assert_eq!(rt.queued(), 0, "queue");
    assert_eq!(rt.process_count(), processes, "processes");
    assert_eq!(rt.monitor_count(), 0, "monitors");
    assert_eq!(rt.link_count(), 0, "links");
}

/// A supervised worker: on `INIT` it records "start <id>" and, if
/// `stubborn`, traps exits, so that its supervisor's `Shutdown` leaves it
/// running until the kill. It crashes on cast 666, and stops with `Normal`
/// on cast 1 and with `Shutdown` on cast 2.
fn worker(id: &'static str, stubborn: bool) -> Toy {
    toy(move |cx, mail| match mail {
        Mail::Info(Info::Message(INIT)) => {
            cx.trap_exit(stubborn);
            let me = cx.pid();
            cx.shared().seen.push((me, format!("start {id}")));
            Flow::Continue
        }
        Mail::Cast(666) => Flow::Stop(ExitReason::crash(id)),
        Mail::Cast(1) => Flow::Stop(ExitReason::Normal),
        Mail::Cast(2) => Flow::Stop(ExitReason::Shutdown),
        _ => Flow::Continue,
    })
}

/// What the toys recorded since the last look, oldest first.
fn records(rt: &mut Runtime<Toy>) -> Vec<String> {
    std::mem::take(&mut rt.shared_mut().seen)
        .into_iter()
        .map(|(_, what)| what)
        .collect()
}

/// Moves the runtime's clock `secs` on, fires the timers due, and runs
/// until things settle.
fn later(rt: &mut Runtime<Toy>, secs: f64) {
    let then = rt.now() + Duration::from_secs_f64(secs);
    rt.fire_due_timers(then);
    rt.run_until_idle();
}

/// A mailbox that monitors processes and tells their `Down`s by name.
struct Watch {
    mailbox: Pid,
    names: Vec<(Pid, &'static str)>,
}

impl Watch {
    fn new(rt: &mut Runtime<Toy>) -> Watch {
        Watch {
            mailbox: rt.spawn_mailbox(),
            names: Vec::new(),
        }
    }

    /// Monitors `pid`, called `name`.
    fn pid(&mut self, rt: &mut Runtime<Toy>, name: &'static str, pid: Pid) {
        rt.as_mailbox(self.mailbox, |cx| cx.monitor(pid));
        self.names.push((pid, name));
    }

    /// Monitors the processes registered as `names`.
    fn names(&mut self, rt: &mut Runtime<Toy>, names: &[&'static str]) {
        for &name in names {
            let pid = rt.whereis(name).expect(name);
            self.pid(rt, name, pid);
        }
    }

    /// The `Down`s that came since the last look, oldest first, each as
    /// "<name> <reason>".
    fn downs(&self, rt: &mut Runtime<Toy>) -> Vec<String> {
        std::iter::from_fn(|| rt.receive(self.mailbox))
            .map(|mail| match mail {
                Mail::Info(Info::Down { pid, reason, .. }) => {
                    let (_, name) = self.names.iter().rev().find(|&&(p, _)| p == pid).unwrap();
                    format!("{name} {reason}")
                }
                other => describe(&other),
            })
            .collect()
    }
}

/// A worker's child spec.
fn spec(id: &'static str, restart: Restart, shutdown: Shutdown) -> ChildSpec<Toy> {
    ChildSpec {
        id,
        start: Box::new(move |_| Start::Worker(worker(id, false))),
        restart,
        shutdown,
    }
}

/// A child that traps exits, so that `Shutdown` leaves it running until it
/// is killed `grace` seconds later.
fn stubborn(id: &'static str, restart: Restart, grace: u64) -> ChildSpec<Toy> {
    ChildSpec {
        id,
        start: Box::new(move |_| Start::Worker(worker(id, true))),
        restart,
        shutdown: Shutdown::Timeout(Duration::from_secs(grace)),
    }
}

/// Permanent children, killed when stopped.
fn permanent(ids: &[&'static str]) -> Vec<ChildSpec<Toy>> {
    ids.iter()
        .map(|&id| spec(id, Restart::Permanent, Shutdown::BrutalKill))
        .collect()
}

fn supervisor(strategy: Strategy, children: Vec<ChildSpec<Toy>>) -> Supervisor<Toy> {
    Supervisor::new("test", strategy, Intensity::default(), children)
}

/// A child spec that starts `supervisor`.
fn inner(
    id: &'static str,
    restart: Restart,
    supervisor: fn() -> Supervisor<Toy>,
) -> ChildSpec<Toy> {
    ChildSpec {
        id,
        start: Box::new(move |_| Start::Supervisor(Box::new(supervisor()))),
        restart,
        shutdown: Shutdown::Timeout(Duration::from_secs(60)),
    }
}

/// The pids of the registered children `ids`, in order.
fn pids(rt: &Runtime<Toy>, ids: &[&str]) -> Vec<Pid> {
    ids.iter().map(|id| rt.whereis(id).expect(id)).collect()
}

/// Crashes child `id` and runs until things settle.
fn crash(rt: &mut Runtime<Toy>, id: &str) {
    let pid = rt.whereis(id).unwrap();
    rt.cast(pid, 666);
    rt.run_until_idle();
}

mod bookkeeping;
mod calls;
mod crashes;
mod delivery;
mod dynamic_supervisors;
mod links;
mod monitors;
mod restarts;
mod supervisors;
mod timers;
