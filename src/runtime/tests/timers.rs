//! Timers: deadline order, cancelling, and the zero-delay yield.

use super::*;

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
