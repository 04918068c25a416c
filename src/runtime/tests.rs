//! The runtime's rules, one test each, driven by hand with toy processes
//! whose behaviour is a closure, and mailboxes as observers.

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

#[test]
fn pid_prints_like_erlang() {
    let mut rt = runtime();
    let a = rt.spawn(idle());
    let b = rt.spawn(idle());
    assert_eq!(a.to_string(), "<0.0.1>");
    assert_eq!(format!("{b:?}"), "<0.1.2>");
    assert_eq!(Pid::from_bits(b.to_bits()), b);
}

#[test]
fn pids_lists_the_live_processes() {
    let mut rt = runtime();
    let a = rt.spawn(idle());
    let b = rt.spawn_mailbox();
    let c = rt.spawn(idle());
    rt.exit(b, ExitReason::Kill);
    rt.run_until_idle();
    assert_eq!(rt.pids().collect::<Vec<_>>(), [a, c]);
}

#[test]
fn stale_pid_does_not_reach_new_process() {
    let mut rt = runtime();
    let old = rt.spawn_mailbox();
    rt.exit(old, ExitReason::Kill);
    rt.run_until_idle();
    let new = rt.spawn_mailbox();
    assert_eq!(new.index(), old.index(), "the slot is reused");
    assert_ne!(new, old);
    rt.send(old, 1);
    rt.cast(old, 2);
    rt.run_until_idle();
    assert!(rt.receive(new).is_none());
    assert!(!rt.is_alive(old));
}

#[test]
fn send_only_enqueues_and_run_delivers_in_fifo_order() {
    let mut rt = runtime();
    let sink = rt.spawn_mailbox();
    // A relay passes each message on to the sink, so its sends land behind
    // what was already queued.
    let relay = rt.spawn(toy(move |cx, mail| {
        if let Mail::Info(Info::Message(n)) = mail {
            cx.send(sink, n * 10);
        }
        Flow::Continue
    }));
    rt.send(relay, 1);
    rt.send(sink, 2);
    rt.send(relay, 3);
    assert_eq!(rt.queued(), 3);
    assert!(rt.receive(sink).is_none(), "nothing runs inside send");
    assert_eq!(rt.run_until_idle(), 5);
    assert_eq!(drain(&mut rt, sink), ["msg 2", "msg 10", "msg 30"]);
}

#[test]
fn call_is_answered_with_reply() {
    let mut rt = runtime();
    let server = rt.spawn(echo());
    let client = rt.spawn_mailbox();
    let call = rt.as_mailbox(client, |cx| cx.call(server, 41)).unwrap();
    rt.run_until_idle();
    match rt.receive(client) {
        Some(Mail::Info(Info::Reply { call: c, result })) => {
            assert_eq!(c, call);
            assert_eq!(result, Ok(42));
        }
        other => panic!("expected a reply, got {other:?}"),
    }
    assert_bookkeeping_empty(&rt, 2);
}

#[test]
fn reply_can_come_later() {
    let mut rt = runtime();
    // Keeps the caller until a plain message says "now".
    let mut waiting = None;
    let server = rt.spawn(toy(move |cx, mail| {
        match mail {
            Mail::Call { from, .. } => waiting = Some(from),
            Mail::Info(Info::Message(n)) => {
                if let Some(from) = waiting.take() {
                    cx.reply(from, n);
                }
            }
            _ => {}
        }
        Flow::Continue
    }));
    let client = rt.spawn_mailbox();
    rt.as_mailbox(client, |cx| cx.call(server, 0));
    rt.run_until_idle();
    assert!(rt.receive(client).is_none(), "not answered yet");
    assert_eq!(rt.monitor_count(), 1, "the call is in flight");
    rt.send(server, 7);
    rt.run_until_idle();
    assert_eq!(drain(&mut rt, client), ["reply Ok(7)"]);
    assert_bookkeeping_empty(&rt, 2);
}

#[test]
fn forwarded_call_is_answered_by_the_new_callee() {
    let mut rt = runtime();
    let worker = rt.spawn(echo());
    let front = rt.spawn(toy(move |cx, mail| {
        if let Mail::Call { from, msg } = mail {
            cx.forward(from, worker, msg * 100);
        }
        Flow::Continue
    }));
    let client = rt.spawn_mailbox();
    rt.as_mailbox(client, |cx| cx.call(front, 1));
    rt.run_until_idle();
    assert_eq!(drain(&mut rt, client), ["reply Ok(101)"]);
    assert_bookkeeping_empty(&rt, 3);
}

#[test]
fn call_to_dead_process_fails_with_noproc() {
    let mut rt = runtime();
    let server = rt.spawn(echo());
    rt.exit(server, ExitReason::Kill);
    rt.run_until_idle();
    let client = rt.spawn_mailbox();
    rt.as_mailbox(client, |cx| cx.call(server, 1));
    rt.run_until_idle();
    assert_eq!(drain(&mut rt, client), ["reply Err(Exit(NoProc))"]);
    assert_bookkeeping_empty(&rt, 1);
}

#[test]
fn callee_dying_before_reply_fails_the_call_with_its_reason() {
    let mut rt = runtime();
    let server = rt.spawn(toy(|_, mail| match mail {
        Mail::Call { .. } => Flow::Stop(ExitReason::Shutdown),
        _ => Flow::Continue,
    }));
    let client = rt.spawn_mailbox();
    rt.as_mailbox(client, |cx| cx.call(server, 1));
    rt.run_until_idle();
    assert_eq!(drain(&mut rt, client), ["reply Err(Exit(Shutdown))"]);
    assert_bookkeeping_empty(&rt, 1);
}

#[test]
fn callee_killed_while_holding_the_call_fails_it() {
    let mut rt = runtime();
    let server = rt.spawn(idle()); // never answers
    let client = rt.spawn_mailbox();
    rt.as_mailbox(client, |cx| cx.call(server, 1));
    rt.run_until_idle();
    rt.exit(server, ExitReason::Kill);
    rt.run_until_idle();
    assert_eq!(drain(&mut rt, client), ["reply Err(Exit(Kill))"]);
    assert_bookkeeping_empty(&rt, 1);
}

#[test]
fn reply_then_stop_delivers_the_reply_not_the_error() {
    let mut rt = runtime();
    let server = rt.spawn(toy(|cx, mail| match mail {
        Mail::Call { from, msg } => {
            cx.reply(from, msg);
            Flow::Stop(ExitReason::Normal)
        }
        _ => Flow::Continue,
    }));
    let client = rt.spawn_mailbox();
    rt.as_mailbox(client, |cx| cx.call(server, 5));
    rt.run_until_idle();
    assert_eq!(drain(&mut rt, client), ["reply Ok(5)"]);
    assert_bookkeeping_empty(&rt, 1);
}

#[test]
fn forward_to_dead_process_fails_the_call_with_noproc() {
    let mut rt = runtime();
    let gone = rt.spawn(idle());
    rt.exit(gone, ExitReason::Kill);
    rt.run_until_idle();
    let front = rt.spawn(toy(move |cx, mail| {
        if let Mail::Call { from, msg } = mail {
            cx.forward(from, gone, msg);
        }
        Flow::Continue
    }));
    let client = rt.spawn_mailbox();
    rt.as_mailbox(client, |cx| cx.call(front, 1));
    rt.run_until_idle();
    assert_eq!(drain(&mut rt, client), ["reply Err(Exit(NoProc))"]);
    assert_bookkeeping_empty(&rt, 2);
}

#[test]
fn forwarded_callee_dying_fails_the_call_and_the_forwarder_lives() {
    let mut rt = runtime();
    let worker = rt.spawn(toy(|_, _| Flow::Stop(ExitReason::crash("bad"))));
    let front = rt.spawn(toy(move |cx, mail| {
        if let Mail::Call { from, msg } = mail {
            cx.forward(from, worker, msg);
        }
        Flow::Continue
    }));
    let client = rt.spawn_mailbox();
    rt.as_mailbox(client, |cx| cx.call(front, 1));
    rt.run_until_idle();
    assert_eq!(drain(&mut rt, client), ["reply Err(Exit(Crash(\"bad\")))"]);
    assert!(rt.is_alive(front));
    assert_bookkeeping_empty(&rt, 2);
}

#[test]
fn call_timeout_fails_the_call_and_drops_the_late_reply() {
    let mut rt = runtime();
    let mut held = None;
    let server = rt.spawn(toy(move |cx, mail| {
        match mail {
            Mail::Call { from, .. } => held = Some(from),
            Mail::Cast(n) => {
                if let Some(from) = held.take() {
                    cx.reply(from, n);
                }
            }
            _ => {}
        }
        Flow::Continue
    }));
    let client = rt.spawn_mailbox();
    let start = Instant::now();
    rt.fire_due_timers(start);
    rt.as_mailbox(client, |cx| {
        cx.call_timeout(server, 1, Duration::from_millis(100))
    });
    rt.run_until_idle();
    assert_eq!(
        rt.time_to_next_timer(start),
        Some(Duration::from_millis(100))
    );
    rt.fire_due_timers(start + Duration::from_millis(99));
    rt.run_until_idle();
    assert!(rt.receive(client).is_none(), "not due yet");
    rt.fire_due_timers(start + Duration::from_millis(100));
    rt.run_until_idle();
    assert_eq!(drain(&mut rt, client), ["reply Err(Timeout)"]);
    rt.cast(server, 9); // the late reply
    rt.run_until_idle();
    assert!(rt.receive(client).is_none(), "a late reply is dropped");
    assert_bookkeeping_empty(&rt, 2);
}

#[test]
fn call_answered_in_time_ignores_its_timeout() {
    let mut rt = runtime();
    let server = rt.spawn(echo());
    let client = rt.spawn_mailbox();
    let start = Instant::now();
    rt.fire_due_timers(start);
    rt.as_mailbox(client, |cx| {
        cx.call_timeout(server, 1, Duration::from_secs(1))
    });
    rt.run_until_idle();
    rt.fire_due_timers(start + Duration::from_secs(2));
    rt.run_until_idle();
    assert_eq!(drain(&mut rt, client), ["reply Ok(2)"]);
    assert_eq!(rt.timer_count(), 0);
}

#[test]
fn monitor_gives_down_with_the_exit_reason() {
    let mut rt = runtime();
    let target = rt.spawn(echo());
    let watcher = rt.spawn_mailbox();
    let monitor = rt.as_mailbox(watcher, |cx| cx.monitor(target)).unwrap();
    rt.cast(target, 666);
    rt.run_until_idle();
    match rt.receive(watcher) {
        Some(Mail::Info(Info::Down {
            monitor: m,
            pid,
            reason,
        })) => {
            assert_eq!((m, pid), (monitor, target));
            assert_eq!(reason, ExitReason::crash("asked to"));
        }
        other => panic!("expected Down, got {other:?}"),
    }
    assert_bookkeeping_empty(&rt, 1);
}

#[test]
fn monitor_of_dead_pid_gives_noproc_down() {
    let mut rt = runtime();
    let target = rt.spawn(idle());
    rt.exit(target, ExitReason::Kill);
    rt.run_until_idle();
    let watcher = rt.spawn_mailbox();
    rt.as_mailbox(watcher, |cx| cx.monitor(target));
    assert!(rt.receive(watcher).is_none(), "it comes through the queue");
    rt.run_until_idle();
    assert_eq!(drain(&mut rt, watcher), ["down noproc"]);
    assert_bookkeeping_empty(&rt, 1);
}

#[test]
fn demonitor_drops_queued_down() {
    let mut rt = runtime();
    let target = rt.spawn(idle());
    let watcher = rt.spawn_mailbox();
    let monitor = rt.as_mailbox(watcher, |cx| cx.monitor(target)).unwrap();
    rt.exit(target, ExitReason::Kill);
    // Deliver only the exit signal: the Down is now queued.
    let signal = rt.queue.pop_front().unwrap();
    rt.deliver(signal);
    assert_eq!(rt.queued(), 1);
    assert!(rt.as_mailbox(watcher, |cx| cx.demonitor(monitor)).unwrap());
    rt.run_until_idle();
    assert!(rt.receive(watcher).is_none());
    assert_bookkeeping_empty(&rt, 1);
}

#[test]
fn demonitor_before_exit_means_no_down() {
    let mut rt = runtime();
    let target = rt.spawn(idle());
    let watcher = rt.spawn_mailbox();
    let monitor = rt.as_mailbox(watcher, |cx| cx.monitor(target)).unwrap();
    assert!(rt.monitors.is_watching(monitor, target));
    assert!(rt.as_mailbox(watcher, |cx| cx.demonitor(monitor)).unwrap());
    assert!(!rt.as_mailbox(watcher, |cx| cx.demonitor(monitor)).unwrap());
    rt.exit(target, ExitReason::Kill);
    rt.run_until_idle();
    assert!(rt.receive(watcher).is_none());
    assert_bookkeeping_empty(&rt, 1);
}

#[test]
fn every_monitor_gets_its_own_down() {
    let mut rt = runtime();
    let target = rt.spawn(idle());
    let a = rt.spawn_mailbox();
    let b = rt.spawn_mailbox();
    rt.as_mailbox(a, |cx| (cx.monitor(target), cx.monitor(target)));
    rt.as_mailbox(b, |cx| cx.monitor(target));
    rt.exit(target, ExitReason::Shutdown);
    rt.run_until_idle();
    assert_eq!(drain(&mut rt, a), ["down shutdown", "down shutdown"]);
    assert_eq!(drain(&mut rt, b), ["down shutdown"]);
    assert_bookkeeping_empty(&rt, 2);
}

#[test]
fn process_that_monitors_itself_leaves_nothing_behind() {
    let mut rt = runtime();
    let selfish = rt.spawn(toy(|cx, mail| match mail {
        Mail::Cast(1) => {
            let me = cx.pid();
            cx.monitor(me);
            Flow::Continue
        }
        Mail::Cast(_) => Flow::Stop(ExitReason::crash("done")),
        _ => Flow::Continue,
    }));
    rt.cast(selfish, 1);
    rt.run_until_idle();
    assert_eq!(rt.monitor_count(), 1);
    rt.cast(selfish, 2);
    rt.run_until_idle();
    assert_bookkeeping_empty(&rt, 0);
}

#[test]
fn watcher_exit_removes_its_monitors_from_the_target() {
    let mut rt = runtime();
    let target = rt.spawn(idle());
    let watcher = rt.spawn_mailbox();
    rt.as_mailbox(watcher, |cx| cx.monitor(target));
    rt.exit(watcher, ExitReason::Kill);
    rt.run_until_idle();
    assert_eq!(rt.monitor_count(), 0);
    rt.exit(target, ExitReason::Kill);
    rt.run_until_idle();
    assert_bookkeeping_empty(&rt, 0);
}

#[test]
fn abnormal_exit_kills_linked_process() {
    let mut rt = runtime();
    let a = rt.spawn(echo());
    let b = rt.spawn(idle());
    rt.link(a, b);
    assert_eq!(rt.link_count(), 1);
    let watcher = rt.spawn_mailbox();
    rt.as_mailbox(watcher, |cx| cx.monitor(b));
    rt.cast(a, 666);
    rt.run_until_idle();
    assert!(!rt.is_alive(b));
    assert_eq!(drain(&mut rt, watcher), ["down crash: asked to"]);
    assert_bookkeeping_empty(&rt, 1);
}

#[test]
fn normal_exit_does_not_propagate() {
    let mut rt = runtime();
    let a = rt.spawn(toy(|_, _| Flow::Stop(ExitReason::Normal)));
    let b = rt.spawn(idle());
    rt.link(a, b);
    rt.send(a, 0);
    rt.run_until_idle();
    assert!(!rt.is_alive(a));
    assert!(rt.is_alive(b));
    assert_bookkeeping_empty(&rt, 1);
}

#[test]
fn trapping_process_gets_exit_as_message() {
    let mut rt = runtime();
    let a = rt.spawn(echo());
    let trapper = rt.spawn(toy(move |cx, mail| {
        match mail {
            Mail::Cast(_) => {
                cx.trap_exit(true);
                cx.link(a);
            }
            Mail::Info(Info::Exit { from, reason }) => {
                assert_eq!(from, a);
                let me = cx.pid();
                cx.shared().seen.push((me, format!("exit {reason}")));
            }
            _ => {}
        }
        Flow::Continue
    }));
    rt.cast(trapper, 0);
    rt.run_until_idle();
    rt.cast(a, 666);
    rt.run_until_idle();
    assert!(rt.is_alive(trapper));
    assert_eq!(rt.shared().seen, [(trapper, "exit crash: asked to".into())]);
    assert_bookkeeping_empty(&rt, 1);
}

#[test]
fn trapping_process_sees_normal_exits_of_links_too() {
    let mut rt = runtime();
    let a = rt.spawn(toy(|_, _| Flow::Stop(ExitReason::Normal)));
    let trapper = rt.spawn(echo());
    rt.procs[trapper.index()].trap_exit = true;
    rt.link(a, trapper);
    rt.send(a, 0);
    rt.run_until_idle();
    assert_eq!(rt.shared().seen, [(trapper, "exit normal".into())]);
}

#[test]
fn kill_cannot_be_trapped() {
    let mut rt = runtime();
    let trapper = rt.spawn(echo());
    rt.procs[trapper.index()].trap_exit = true;
    rt.exit(trapper, ExitReason::Shutdown);
    rt.run_until_idle();
    assert!(rt.is_alive(trapper), "shutdown is trapped");
    rt.exit(trapper, ExitReason::Kill);
    rt.run_until_idle();
    assert!(!rt.is_alive(trapper), "kill is not");
    assert_eq!(rt.shared().seen, [(trapper, "exit shutdown".into())]);
}

#[test]
fn kill_through_a_link_can_be_trapped() {
    let mut rt = runtime();
    let victim = rt.spawn(idle());
    let trapper = rt.spawn(echo());
    rt.procs[trapper.index()].trap_exit = true;
    rt.link(victim, trapper);
    rt.exit(victim, ExitReason::Kill);
    rt.run_until_idle();
    assert!(rt.is_alive(trapper));
    assert_eq!(rt.shared().seen, [(trapper, "exit killed".into())]);
}

#[test]
fn exit_normal_is_ignored_by_a_process_not_trapping() {
    let mut rt = runtime();
    let target = rt.spawn(idle());
    rt.exit(target, ExitReason::Normal);
    rt.run_until_idle();
    assert!(rt.is_alive(target));
    rt.exit(target, ExitReason::Shutdown);
    rt.run_until_idle();
    assert!(!rt.is_alive(target));
}

#[test]
fn chain_of_links_dies_together_up_to_a_trapping_link() {
    let mut rt = runtime();
    let chain: Vec<Pid> = (0..5).map(|_| rt.spawn(echo())).collect();
    for pair in chain.windows(2) {
        rt.link(pair[0], pair[1]);
    }
    // chain[1] traps: the crash of chain[4] kills 3 and 2, and stops at 1.
    rt.procs[chain[1].index()].trap_exit = true;
    rt.cast(chain[4], 999);
    rt.run_until_idle();
    let alive: Vec<bool> = chain.iter().map(|&p| rt.is_alive(p)).collect();
    assert_eq!(alive, [true, true, false, false, false]);
    assert_eq!(rt.shared().seen, [(chain[1], "exit crash: boom".into())]);
    assert_eq!(rt.link_count(), 1, "only 0-1 is left");
}

#[test]
fn unlink_stops_propagation() {
    let mut rt = runtime();
    let a = rt.spawn(echo());
    let b = rt.spawn(idle());
    rt.link(a, b);
    rt.unlink(b, a);
    assert_eq!(rt.link_count(), 0);
    rt.cast(a, 666);
    rt.run_until_idle();
    assert!(rt.is_alive(b));
}

#[test]
fn link_to_dead_process_kills_with_noproc() {
    let mut rt = runtime();
    let gone = rt.spawn(idle());
    rt.exit(gone, ExitReason::Kill);
    rt.run_until_idle();
    let linker = rt.spawn(toy(move |cx, _| {
        cx.link(gone);
        Flow::Continue
    }));
    let watcher = rt.spawn_mailbox();
    rt.as_mailbox(watcher, |cx| cx.monitor(linker));
    rt.send(linker, 0);
    rt.run_until_idle();
    assert_eq!(drain(&mut rt, watcher), ["down noproc"]);
}

#[test]
fn spawn_link_and_spawn_monitor() {
    let mut rt = runtime();
    let parent = rt.spawn(toy(|cx, mail| {
        if let Mail::Cast(_) = mail {
            cx.spawn_link(idle());
            let (child, _) = cx.spawn_monitor(echo());
            cx.cast(child, 666);
        }
        if let Mail::Info(info) = mail {
            let me = cx.pid();
            let text = describe(&Mail::Info(info));
            cx.shared().seen.push((me, text));
        }
        Flow::Continue
    }));
    rt.cast(parent, 0);
    rt.run_until_idle();
    assert_eq!(rt.shared().seen, [(parent, "down crash: asked to".into())]);
    assert_eq!(rt.link_count(), 1);
    rt.exit(parent, ExitReason::Shutdown);
    rt.run_until_idle();
    assert_bookkeeping_empty(&rt, 0);
}

#[test]
fn panic_becomes_a_crash_of_that_process_alone() {
    let mut rt = runtime();
    let crasher = rt.spawn(echo());
    let bystander = rt.spawn(echo());
    let watcher = rt.spawn_mailbox();
    rt.as_mailbox(watcher, |cx| cx.monitor(crasher));
    rt.cast(crasher, 999);
    rt.run_until_idle();
    assert!(!rt.is_alive(crasher));
    assert_eq!(drain(&mut rt, watcher), ["down crash: boom"]);
    // Its state was dropped through terminate, and the runtime goes on.
    assert_eq!(
        rt.shared().terminated,
        [(Pid::NONE, ExitReason::crash("boom"))]
    );
    rt.as_mailbox(watcher, |cx| cx.call(bystander, 1));
    rt.run_until_idle();
    assert_eq!(drain(&mut rt, watcher), ["reply Ok(2)"]);
}

#[test]
fn panic_while_answering_a_call_fails_the_call() {
    let mut rt = runtime();
    let crasher = rt.spawn(toy(|_, _| panic!("in call")));
    let client = rt.spawn_mailbox();
    rt.as_mailbox(client, |cx| cx.call(crasher, 1));
    rt.run_until_idle();
    assert_eq!(
        drain(&mut rt, client),
        ["reply Err(Exit(Crash(\"in call\")))"]
    );
    assert_bookkeeping_empty(&rt, 1);
}

#[test]
fn terminate_runs_for_every_kind_of_exit() {
    let mut rt = runtime();
    let stopper = rt.spawn(echo());
    let killed = rt.spawn(echo());
    let crasher = rt.spawn(echo());
    rt.cast(stopper, 666);
    rt.exit(killed, ExitReason::Kill);
    rt.cast(crasher, 999);
    rt.run_until_idle();
    let reasons: Vec<String> = rt
        .shared()
        .terminated
        .iter()
        .map(|(_, r)| r.to_string())
        .collect();
    assert_eq!(reasons, ["crash: asked to", "killed", "crash: boom"]);
}

#[test]
fn default_calls_and_casts_crash_like_genserver() {
    struct Bare;
    impl Process for Bare {
        type Msg = u32;
        type Shared = ();
    }
    let mut rt: Runtime<Bare> = Runtime::new(());
    let bare = rt.spawn(Bare);
    let client = rt.spawn_mailbox();
    rt.send(bare, 1); // the catch-all: ignored
    rt.run_until_idle();
    assert!(rt.is_alive(bare));
    rt.as_mailbox(client, |cx| cx.call(bare, 1));
    rt.run_until_idle();
    match rt.receive(client) {
        Some(Mail::Info(Info::Reply { result, .. })) => {
            assert_eq!(
                result,
                Err(CallError::Exit(ExitReason::crash("unexpected call")))
            )
        }
        other => panic!("expected the call's error, got {other:?}"),
    }
    let other = rt.spawn(Bare);
    rt.cast(other, 1);
    rt.run_until_idle();
    assert!(!rt.is_alive(other));
}

#[test]
fn unexpected_info_is_ignored_and_the_process_goes_on() {
    let mut rt = runtime();
    // A process that knows only calls, with the catch-all for the rest.
    let picky = rt.spawn(echo());
    let other = rt.spawn(idle());
    rt.send(picky, 5);
    rt.exit(other, ExitReason::Kill);
    rt.run_until_idle();
    let client = rt.spawn_mailbox();
    rt.as_mailbox(client, |cx| cx.call(picky, 1));
    rt.run_until_idle();
    assert_eq!(drain(&mut rt, client), ["reply Ok(2)"]);
}

#[test]
fn caller_exiting_during_its_call_drops_the_reply() {
    let mut rt = runtime();
    let mut held = None;
    let server = rt.spawn(toy(move |cx, mail| {
        match mail {
            Mail::Call { from, .. } => held = Some(from),
            _ => {
                if let Some(from) = held.take() {
                    cx.reply(from, 1);
                }
            }
        }
        Flow::Continue
    }));
    let client = rt.spawn(toy(move |cx, mail| match mail {
        Mail::Cast(_) => {
            cx.call(server, 0);
            Flow::Continue
        }
        _ => Flow::Stop(ExitReason::crash("got a reply after dying")),
    }));
    rt.cast(client, 0);
    rt.run_until_idle();
    assert_eq!(rt.monitor_count(), 1);
    rt.exit(client, ExitReason::Shutdown);
    rt.run_until_idle();
    rt.send(server, 0); // now it answers the dead caller
    rt.run_until_idle();
    assert_bookkeeping_empty(&rt, 1);
}

#[test]
fn call_to_itself_is_answered() {
    let mut rt = runtime();
    let narcissus = rt.spawn(toy(|cx, mail| {
        match mail {
            Mail::Cast(n) => {
                let me = cx.pid();
                cx.call(me, n);
            }
            Mail::Call { from, msg } => cx.reply(from, msg * 2),
            Mail::Info(info) => {
                let me = cx.pid();
                let text = describe(&Mail::Info(info));
                cx.shared().seen.push((me, text));
            }
        }
        Flow::Continue
    }));
    rt.cast(narcissus, 21);
    rt.run_until_idle();
    assert_eq!(rt.shared().seen, [(narcissus, "reply Ok(42)".into())]);
}

#[test]
fn timers_fire_in_deadline_order() {
    let mut rt = runtime();
    let sink = rt.spawn_mailbox();
    let start = Instant::now();
    rt.fire_due_timers(start);
    rt.as_mailbox(sink, |cx| {
        cx.send_after(sink, Duration::from_millis(30), 3);
        cx.send_after(sink, Duration::from_millis(10), 1);
        cx.send_after(sink, Duration::from_millis(20), 2);
        cx.send_after(sink, Duration::from_millis(10), 11);
    });
    assert_eq!(
        rt.time_to_next_timer(start),
        Some(Duration::from_millis(10))
    );
    assert_eq!(rt.fire_due_timers(start + Duration::from_millis(25)), 3);
    rt.run_until_idle();
    assert_eq!(drain(&mut rt, sink), ["msg 1", "msg 11", "msg 2"]);
    assert_eq!(
        rt.time_to_next_timer(start + Duration::from_millis(25)),
        Some(Duration::from_millis(5))
    );
    rt.fire_due_timers(start + Duration::from_secs(1));
    rt.run_until_idle();
    assert_eq!(drain(&mut rt, sink), ["msg 3"]);
    assert_eq!(rt.time_to_next_timer(start), None);
}

#[test]
fn cancelled_timer_never_fires() {
    let mut rt = runtime();
    let sink = rt.spawn_mailbox();
    let start = Instant::now();
    rt.fire_due_timers(start);
    let (a, b) = rt
        .as_mailbox(sink, |cx| {
            let a = cx.send_after(sink, Duration::from_millis(10), 1);
            let b = cx.send_after(sink, Duration::from_millis(20), 2);
            (a, b)
        })
        .unwrap();
    assert!(rt.as_mailbox(sink, |cx| cx.cancel_timer(a)).unwrap());
    assert!(!rt.as_mailbox(sink, |cx| cx.cancel_timer(a)).unwrap());
    rt.fire_due_timers(start + Duration::from_secs(1));
    rt.run_until_idle();
    assert_eq!(drain(&mut rt, sink), ["msg 2"]);
    assert!(!rt.as_mailbox(sink, |cx| cx.cancel_timer(b)).unwrap());
}

#[test]
fn zero_delay_timer_waits_for_the_next_pass() {
    let mut rt = runtime();
    let sink = rt.spawn_mailbox();
    let start = Instant::now();
    rt.fire_due_timers(start);
    rt.as_mailbox(sink, |cx| cx.send_after(sink, Duration::ZERO, 1));
    rt.run_until_idle();
    assert!(rt.receive(sink).is_none());
    assert_eq!(rt.time_to_next_timer(start), Some(Duration::ZERO));
    rt.fire_due_timers(start);
    rt.run_until_idle();
    assert_eq!(drain(&mut rt, sink), ["msg 1"]);
}

#[test]
fn ten_thousand_spawn_exit_cycles_leave_bookkeeping_empty() {
    let mut rt = runtime();
    let observer = rt.spawn_mailbox();
    let anchor = rt.spawn(idle());
    let mut downs = 0;
    for i in 0..10_000u32 {
        let worker = rt.spawn(echo());
        rt.as_mailbox(observer, |cx| {
            cx.monitor(worker);
            cx.call(worker, i);
        });
        rt.link(worker, anchor);
        rt.run_until_idle();
        // Alternate the ways to die; the anchor traps nothing, so only
        // normal exits may reach it.
        if i % 2 == 0 {
            rt.unlink(worker, anchor);
            rt.exit(worker, ExitReason::Kill);
        } else {
            rt.exit(worker, ExitReason::Kill);
            rt.unlink(anchor, worker);
        }
        rt.run_until_idle();
        while let Some(mail) = rt.receive(observer) {
            downs += matches!(mail, Mail::Info(Info::Down { .. })) as u32;
        }
    }
    assert_eq!(downs, 10_000);
    assert!(rt.is_alive(anchor));
    assert_bookkeeping_empty(&rt, 2);
    assert_eq!(rt.timer_count(), 0);
}
