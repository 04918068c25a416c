//! Dynamic supervisors: children started under one at run time are
//! temporary, and go when it stops, newest first.

use super::*;

/// Starts `ids` under dynamic supervisor `supervisor`, watched by name.
fn start_kids(
    rt: &mut Runtime<Toy>,
    watch: &mut Watch,
    supervisor: Pid,
    ids: &[&'static str],
    stubborn: bool,
) -> Vec<Pid> {
    let starter = rt.spawn_mailbox();
    let kids: Vec<Pid> = ids
        .iter()
        .map(|&id| {
            rt.as_mailbox(starter, |cx| {
                cx.spawn_under(supervisor, worker(id, stubborn))
            })
            .unwrap()
        })
        .collect();
    for (&id, &kid) in ids.iter().zip(&kids) {
        watch.pid(rt, id, kid);
        // A dynamic child gets no `init`: its first message stands for it.
        rt.send(kid, INIT);
    }
    rt.run_until_idle();
    kids
}

#[test]
fn a_dynamic_supervisors_children_come_and_go_and_stop_with_it() {
    let mut rt = runtime();
    let root = rt.start_supervisor(Supervisor::dynamic("dyn", Shutdown::BrutalKill));
    let mut watch = Watch::new(&mut rt);
    let kids = start_kids(&mut rt, &mut watch, root, &["k0", "k1", "k2", "k3"], false);
    // A child that exits, normally or not, is simply gone: nothing
    // restarts it.
    rt.cast(kids[0], 1);
    rt.cast(kids[1], 666);
    rt.run_until_idle();
    assert_eq!(watch.downs(&mut rt), ["k0 normal", "k1 crash: k1"]);
    assert!(rt.is_alive(root));
    assert_eq!(rt.restarts(), 0);
    rt.exit(root, ExitReason::Shutdown);
    rt.run_until_idle();
    assert!(!rt.is_alive(root));
    assert!(kids.iter().all(|&k| !rt.is_alive(k)));
    assert_eq!(rt.process_count(), 2, "the watcher and the starter");
}

#[test]
fn stopping_a_dynamic_supervisor_stops_its_children_newest_first() {
    let mut rt = runtime();
    let root = rt.start_supervisor(Supervisor::dynamic("dyn", Shutdown::BrutalKill));
    let mut watch = Watch::new(&mut rt);
    // k2, the newest, takes the slot of a process that died before it, a
    // slot older than those of k0 and k1 (the slab reuses the slot freed
    // last first: the one of `after`, for the mailbox that starts k2).
    let (before, after) = (rt.spawn(idle()), rt.spawn(idle()));
    start_kids(&mut rt, &mut watch, root, &["k0", "k1"], false);
    rt.exit(before, ExitReason::Kill);
    rt.exit(after, ExitReason::Kill);
    rt.run_until_idle();
    let k2 = start_kids(&mut rt, &mut watch, root, &["k2"], false)[0];
    assert_eq!(k2.index(), before.index());
    watch.pid(&mut rt, "dyn", root);
    rt.exit(root, ExitReason::Shutdown);
    rt.run_until_idle();
    assert_eq!(
        watch.downs(&mut rt),
        ["k2 killed", "k1 killed", "k0 killed", "dyn shutdown"]
    );
}

#[test]
fn a_dynamic_supervisor_exits_only_once_every_child_it_stopped_is_gone() {
    let mut rt = runtime();
    let grace = Shutdown::Timeout(Duration::from_secs(2));
    let root = rt.start_supervisor(Supervisor::dynamic("dyn", grace));
    let mut watch = Watch::new(&mut rt);
    let early = start_kids(&mut rt, &mut watch, root, &["early"], false)[0];
    start_kids(&mut rt, &mut watch, root, &["stubborn"], true);
    start_kids(&mut rt, &mut watch, root, &["plain"], false);
    watch.pid(&mut rt, "dyn", root);
    // early's exit reaches the supervisor after it was told to stop: it is
    // not one of the children it waits for.
    rt.cast(early, 666);
    rt.exit(root, ExitReason::Shutdown);
    rt.run_until_idle();
    assert_eq!(
        watch.downs(&mut rt),
        ["early crash: early", "plain shutdown"]
    );
    assert!(rt.is_alive(root), "stubborn is not gone yet");
    later(&mut rt, 2.5);
    assert_eq!(watch.downs(&mut rt), ["stubborn killed", "dyn shutdown"]);
    assert_eq!(rt.timer_count(), 0);
}

#[test]
fn told_twice_to_stop_a_dynamic_supervisor_exits_once_its_children_are_gone() {
    let mut rt = runtime();
    let grace = Shutdown::Timeout(Duration::from_secs(2));
    let root = rt.start_supervisor(Supervisor::dynamic("dyn", grace));
    let mut watch = Watch::new(&mut rt);
    start_kids(&mut rt, &mut watch, root, &["stubborn"], true);
    watch.pid(&mut rt, "dyn", root);
    rt.exit(root, ExitReason::Shutdown);
    rt.run_until_idle();
    later(&mut rt, 1.0);
    rt.exit(root, ExitReason::Shutdown);
    rt.run_until_idle();
    assert!(watch.downs(&mut rt).is_empty());
    later(&mut rt, 1.5);
    assert_eq!(watch.downs(&mut rt), ["stubborn killed", "dyn shutdown"]);
    assert_eq!(rt.timer_count(), 0);
}

#[test]
fn the_kill_timers_of_children_that_stopped_within_their_grace_period_are_cancelled() {
    let mut rt = runtime();
    let grace = Shutdown::Timeout(Duration::from_secs(2));
    let root = rt.start_supervisor(Supervisor::dynamic("dyn", grace));
    let mut watch = Watch::new(&mut rt);
    start_kids(&mut rt, &mut watch, root, &["k0", "k1"], false);
    rt.exit(root, ExitReason::Shutdown);
    rt.run_until_idle();
    assert!(!rt.is_alive(root));
    assert_eq!(rt.timer_count(), 0);
}

/// Asks dynamic supervisor `supervisor` to stop `child`, from a mailbox.
fn terminate_child(rt: &mut Runtime<Toy>, supervisor: Pid, child: Pid) -> bool {
    let caller = rt.spawn_mailbox();
    let stopped = rt
        .as_mailbox(caller, |cx| cx.terminate_child(supervisor, child))
        .unwrap();
    rt.run_until_idle();
    stopped
}

#[test]
fn terminate_child_with_brutal_kill_kills_that_child_alone() {
    let mut rt = runtime();
    let root = rt.start_supervisor(Supervisor::dynamic("dyn", Shutdown::BrutalKill));
    let mut watch = Watch::new(&mut rt);
    // Trapping exits does not save it from a kill.
    let kids = start_kids(&mut rt, &mut watch, root, &["k0", "k1", "k2"], true);
    assert!(terminate_child(&mut rt, root, kids[1]));
    assert_eq!(watch.downs(&mut rt), ["k1 killed"]);
    assert!(rt.is_alive(root) && rt.is_alive(kids[0]) && rt.is_alive(kids[2]));
}

#[test]
fn terminate_child_gives_a_child_the_grace_period_of_the_supervisors_shutdown() {
    let mut rt = runtime();
    let grace = Shutdown::Timeout(Duration::from_secs(2));
    let root = rt.start_supervisor(Supervisor::dynamic("dyn", grace));
    let mut watch = Watch::new(&mut rt);
    let plain = start_kids(&mut rt, &mut watch, root, &["plain"], false)[0];
    let stubborn = start_kids(&mut rt, &mut watch, root, &["stubborn"], true)[0];
    // A child that stops on Shutdown is gone at once, and its kill timer
    // with it.
    assert!(terminate_child(&mut rt, root, plain));
    assert_eq!(watch.downs(&mut rt), ["plain shutdown"]);
    assert_eq!(rt.timer_count(), 0);
    // One that traps it is killed once the grace period is over.
    assert!(terminate_child(&mut rt, root, stubborn));
    later(&mut rt, 1.9);
    assert!(watch.downs(&mut rt).is_empty());
    later(&mut rt, 0.2);
    assert_eq!(watch.downs(&mut rt), ["stubborn killed"]);
    assert!(rt.is_alive(root));
}

#[test]
fn terminate_child_refuses_what_is_not_a_live_child_of_that_dynamic_supervisor() {
    let mut rt = runtime();
    let root = rt.start_supervisor(Supervisor::dynamic("dyn", Shutdown::BrutalKill));
    let other = rt.start_supervisor(Supervisor::dynamic("other", Shutdown::BrutalKill));
    let fixed = rt.start_supervisor(supervisor(Strategy::OneForOne, permanent(&["x"])));
    let x = rt.whereis("x").unwrap();
    let mut watch = Watch::new(&mut rt);
    let kid = start_kids(&mut rt, &mut watch, root, &["kid"], false)[0];
    let stranger = start_kids(&mut rt, &mut watch, other, &["stranger"], false)[0];
    let loner = rt.spawn(idle());
    assert!(!terminate_child(&mut rt, root, stranger), "another's child");
    assert!(!terminate_child(&mut rt, root, loner), "nobody's child");
    assert!(
        !terminate_child(&mut rt, fixed, x),
        "not a dynamic supervisor"
    );
    assert!(!terminate_child(&mut rt, kid, root), "not a supervisor");
    assert!(watch.downs(&mut rt).is_empty());
    assert!(rt.is_alive(x) && rt.is_alive(stranger) && rt.is_alive(loner));
    assert!(terminate_child(&mut rt, root, kid));
    assert!(!terminate_child(&mut rt, root, kid), "already gone");
}
