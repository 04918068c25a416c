//! Bookkeeping: many lives leave the tables empty.

use super::*;

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
