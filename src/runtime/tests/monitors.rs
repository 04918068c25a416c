//! Monitors: `Down` with the reason, `NoProc`, demonitor, and what a dead
//! watcher leaves behind.

use super::*;

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
