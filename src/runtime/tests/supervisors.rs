//! Supervisors: each strategy (who is stopped, in which order, who comes
//! back, in which order), the shutdown order and grace period, stopping a
//! supervisor inside a supervisor. Children are workers (`worker`) that
//! record their start, watched by name (`Watch`).

use super::*;

#[test]
fn one_for_one_restarts_the_child_alone() {
    let mut rt = runtime();
    rt.start_supervisor(supervisor(Strategy::OneForOne, permanent(&["a", "b", "c"])));
    assert_eq!(records(&mut rt), ["start a", "start b", "start c"]);
    let before = pids(&rt, &["a", "b", "c"]);
    let mut watch = Watch::new(&mut rt);
    watch.names(&mut rt, &["a", "b", "c"]);
    crash(&mut rt, "b");
    assert_eq!(watch.downs(&mut rt), ["b crash: b"]);
    assert_eq!(records(&mut rt), ["start b"]);
    let after = pids(&rt, &["a", "b", "c"]);
    assert_eq!((after[0], after[2]), (before[0], before[2]));
    assert!(after[1] != before[1] && rt.is_alive(after[1]));
    assert_eq!(rt.restarts(), 1);
}

#[test]
fn one_for_all_stops_the_others_newest_first_and_restarts_all_in_start_order() {
    let mut rt = runtime();
    rt.start_supervisor(supervisor(Strategy::OneForAll, permanent(&["a", "b", "c"])));
    records(&mut rt);
    let before = pids(&rt, &["a", "b", "c"]);
    let mut watch = Watch::new(&mut rt);
    watch.names(&mut rt, &["a", "b", "c"]);
    crash(&mut rt, "a");
    assert_eq!(watch.downs(&mut rt), ["a crash: a", "c killed", "b killed"]);
    assert_eq!(records(&mut rt), ["start a", "start b", "start c"]);
    let after = pids(&rt, &["a", "b", "c"]);
    assert!(after.iter().zip(&before).all(|(a, b)| a != b));
    assert!(after.iter().all(|&p| rt.is_alive(p)));
    assert_eq!(rt.restarts(), 3);
}

#[test]
fn rest_for_one_restarts_it_and_those_started_after_it_in_start_order() {
    let mut rt = runtime();
    let children = permanent(&["a", "b", "c", "d"]);
    rt.start_supervisor(supervisor(Strategy::RestForOne, children));
    records(&mut rt);
    let a = rt.whereis("a").unwrap();
    let mut watch = Watch::new(&mut rt);
    watch.names(&mut rt, &["a", "b", "c", "d"]);
    crash(&mut rt, "b");
    // Those after b are stopped newest first; a, before it, is untouched.
    assert_eq!(watch.downs(&mut rt), ["b crash: b", "d killed", "c killed"]);
    assert_eq!(records(&mut rt), ["start b", "start c", "start d"]);
    assert_eq!(rt.whereis("a"), Some(a));
    assert_eq!(rt.restarts(), 3);
}

#[test]
fn stopping_a_supervisor_stops_its_children_in_reverse_order_with_a_grace_period() {
    let mut rt = runtime();
    let children = vec![
        spec(
            "first",
            Restart::Permanent,
            Shutdown::Timeout(Duration::from_secs(2)),
        ),
        stubborn("stubborn", Restart::Permanent, 2),
        spec("last", Restart::Permanent, Shutdown::BrutalKill),
    ];
    let root = rt.start_supervisor(supervisor(Strategy::OneForOne, children));
    let mut watch = Watch::new(&mut rt);
    watch.names(&mut rt, &["first", "stubborn", "last"]);
    watch.pid(&mut rt, "root", root);
    rt.exit(root, ExitReason::Shutdown);
    rt.run_until_idle();
    // "last" is killed; "stubborn" traps the Shutdown and waits out its
    // grace period; "first" waits behind it.
    assert_eq!(watch.downs(&mut rt), ["last killed"]);
    later(&mut rt, 1.9);
    assert!(watch.downs(&mut rt).is_empty());
    later(&mut rt, 0.2);
    assert_eq!(
        watch.downs(&mut rt),
        ["stubborn killed", "first shutdown", "root shutdown"]
    );
    assert_eq!(rt.process_count(), 1);
}

#[test]
fn stopping_nested_supervisors_stops_the_inner_children_newest_first_before_the_inner_exits() {
    let mut rt = runtime();
    fn lower() -> Supervisor<Toy> {
        supervisor(Strategy::OneForOne, permanent(&["p", "q", "r"]))
    }
    let children = vec![
        spec("first", Restart::Permanent, Shutdown::BrutalKill),
        inner("inner", Restart::Permanent, lower),
        spec("last", Restart::Permanent, Shutdown::BrutalKill),
    ];
    let root = rt.start_supervisor(supervisor(Strategy::OneForOne, children));
    let mut watch = Watch::new(&mut rt);
    watch.names(&mut rt, &["first", "inner", "p", "q", "r", "last"]);
    watch.pid(&mut rt, "root", root);
    rt.exit(root, ExitReason::Shutdown);
    rt.run_until_idle();
    assert_eq!(
        watch.downs(&mut rt),
        [
            "last killed",
            "r killed",
            "q killed",
            "p killed",
            "inner shutdown",
            "first killed",
            "root shutdown"
        ]
    );
    assert_eq!(rt.process_count(), 1);
}

#[test]
fn told_to_stop_during_a_restart_it_still_stops_every_child_newest_first() {
    let mut rt = runtime();
    let mut children = permanent(&["a", "b", "c"]);
    children.push(stubborn("d", Restart::Permanent, 2));
    let root = rt.start_supervisor(supervisor(Strategy::RestForOne, children));
    let mut watch = Watch::new(&mut rt);
    watch.names(&mut rt, &["a", "b", "c", "d"]);
    watch.pid(&mut rt, "root", root);
    // c's crash stops d, which waits out its grace period; a and b, before
    // c, are not part of that restart when the supervisor is told to stop.
    crash(&mut rt, "c");
    rt.exit(root, ExitReason::Shutdown);
    rt.run_until_idle();
    later(&mut rt, 2.5);
    assert_eq!(
        watch.downs(&mut rt),
        [
            "c crash: c",
            "d killed",
            "b killed",
            "a killed",
            "root shutdown"
        ]
    );
    assert_eq!(rt.process_count(), 1);
}
