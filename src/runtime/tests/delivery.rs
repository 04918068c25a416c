//! Pids and delivery: how pids print, stale pids, and the FIFO run queue.

use super::*;

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
fn before_sleep_lists_each_process_that_asked_once_in_order() {
    let mut rt = runtime();
    let asker = || {
        toy(|cx, _| {
            cx.before_sleep();
            cx.before_sleep();
            Flow::Continue
        })
    };
    let a = rt.spawn(asker());
    let b = rt.spawn(asker());
    rt.send(b, 1);
    rt.send(a, 1);
    rt.send(b, 2);
    rt.run_until_idle();
    let mut visit = Vec::new();
    rt.take_before_sleep(&mut visit);
    assert_eq!(visit, [b, a]);
    visit.clear();
    rt.take_before_sleep(&mut visit);
    assert!(visit.is_empty(), "asked once, visited once");
    rt.send(a, 3);
    rt.run_until_idle();
    rt.take_before_sleep(&mut visit);
    assert_eq!(visit, [a], "and it may ask again");
}
