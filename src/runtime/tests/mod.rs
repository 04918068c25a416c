//! The runtime's rules, one test each, by concern, driven by hand with toy
//! processes whose behaviour is a closure, and mailboxes as observers.
//! This file holds the toys and helpers every concern shares.

use std::time::{Duration, Instant};

use super::*;

type Behaviour = Box<dyn FnMut(&mut Context<'_, Toy>, Mail<u32>) -> Flow>;

/// A process whose every handler runs one closure.
struct Toy(Behaviour);

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

mod bookkeeping;
mod calls;
mod crashes;
mod delivery;
mod links;
mod monitors;
mod supervisors;
mod timers;
