//! Links and exit signals: propagation, `Normal`, trapping, `Kill`, chains.

use super::*;

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
