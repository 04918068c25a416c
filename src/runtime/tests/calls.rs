//! Calls: replies now or later, forwarding, dead and dying callees,
//! timeouts, and callers that die first.

use super::*;

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
