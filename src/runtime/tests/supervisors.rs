//! Supervisors: each strategy (who is stopped, in which order, who comes
//! back, in which order), the restart intensity, the shutdown order and
//! grace period, a supervisor inside a supervisor. Children are workers
//! (`worker`) that record their start, watched by name (`Watch`).

use super::*;

fn spec(id: &'static str, restart: Restart, shutdown: Shutdown) -> ChildSpec<Toy> {
    ChildSpec {
        id,
        start: Box::new(move |_| Start::Worker(worker(id, false))),
        restart,
        shutdown,
    }
}

/// A child that traps exits, so that `Shutdown` leaves it running until it
/// is killed `grace` seconds later.
fn stubborn(id: &'static str, restart: Restart, grace: u64) -> ChildSpec<Toy> {
    ChildSpec {
        id,
        start: Box::new(move |_| Start::Worker(worker(id, true))),
        restart,
        shutdown: Shutdown::Timeout(Duration::from_secs(grace)),
    }
}

/// Permanent children, killed when stopped.
fn permanent(ids: &[&'static str]) -> Vec<ChildSpec<Toy>> {
    ids.iter()
        .map(|&id| spec(id, Restart::Permanent, Shutdown::BrutalKill))
        .collect()
}

fn supervisor(strategy: Strategy, children: Vec<ChildSpec<Toy>>) -> Supervisor<Toy> {
    Supervisor::new("test", strategy, Intensity::default(), children)
}

/// A child spec that starts `supervisor`.
fn inner(
    id: &'static str,
    restart: Restart,
    supervisor: fn() -> Supervisor<Toy>,
) -> ChildSpec<Toy> {
    ChildSpec {
        id,
        start: Box::new(move |_| Start::Supervisor(Box::new(supervisor()))),
        restart,
        shutdown: Shutdown::Timeout(Duration::from_secs(60)),
    }
}

/// The pids of the registered children `ids`, in order.
fn pids(rt: &Runtime<Toy>, ids: &[&str]) -> Vec<Pid> {
    ids.iter().map(|id| rt.whereis(id).expect(id)).collect()
}

/// Crashes child `id` and runs until things settle.
fn crash(rt: &mut Runtime<Toy>, id: &str) {
    let pid = rt.whereis(id).unwrap();
    rt.cast(pid, 666);
    rt.run_until_idle();
}

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
fn restart_types_decide_who_comes_back() {
    // Cast 1 stops with Normal, 2 with Shutdown, 666 crashes.
    for (restart, back) in [
        (Restart::Permanent, [true, true, true]),
        (Restart::Transient, [false, false, true]),
        (Restart::Temporary, [false, false, false]),
    ] {
        for (cast, back) in [1, 2, 666].into_iter().zip(back) {
            let mut rt = runtime();
            let children = vec![spec("x", restart, Shutdown::BrutalKill)];
            rt.start_supervisor(supervisor(Strategy::OneForOne, children));
            let first = rt.whereis("x").unwrap();
            rt.cast(first, cast);
            rt.run_until_idle();
            let now = rt.whereis("x");
            assert_eq!(now.is_some(), back, "{restart:?} after cast {cast}");
            assert_ne!(now, Some(first));
        }
    }
}

#[test]
fn restarts_older_than_the_period_are_forgotten() {
    let mut rt = runtime();
    let root = rt.start_supervisor(supervisor(Strategy::OneForOne, permanent(&["x"])));
    for _ in 0..3 {
        crash(&mut rt, "x");
    }
    // Three restarts in 5 s are allowed; past the period they are forgotten,
    // and three more are allowed again.
    later(&mut rt, 5.5);
    for _ in 0..3 {
        crash(&mut rt, "x");
        later(&mut rt, 1.0);
    }
    assert!(rt.is_alive(root));
    assert!(rt.whereis("x").is_some());
    assert_eq!(rt.restarts(), 6);
}

#[test]
fn a_fourth_restart_within_the_period_gives_up_with_shutdown_seen_by_its_own_supervisor() {
    let mut rt = runtime();
    fn lower() -> Supervisor<Toy> {
        supervisor(Strategy::OneForOne, permanent(&["x"]))
    }
    // Transient: its supervisor restarts it after a crash, not after the
    // Shutdown of giving up.
    let upper = supervisor(
        Strategy::OneForOne,
        vec![inner("lower", Restart::Transient, lower)],
    );
    let root = rt.start_supervisor(upper);
    let mut watch = Watch::new(&mut rt);
    watch.names(&mut rt, &["lower"]);
    // Four crashes 1.5 s apart: all four within 5 s.
    for _ in 0..3 {
        crash(&mut rt, "x");
        later(&mut rt, 1.5);
    }
    assert!(rt.whereis("lower").is_some());
    assert!(watch.downs(&mut rt).is_empty());
    crash(&mut rt, "x");
    assert_eq!(watch.downs(&mut rt), ["lower shutdown"]);
    assert_eq!(rt.whereis("lower"), None, "not restarted");
    assert!(rt.is_alive(root));
}

#[test]
fn past_the_intensity_the_supervisor_gives_up_and_its_parent_sees_it() {
    let mut rt = runtime();
    fn lower() -> Supervisor<Toy> {
        let intensity = Intensity {
            max_restarts: 2,
            period: Duration::from_secs(60),
        };
        Supervisor::new("inner", Strategy::OneForOne, intensity, permanent(&["x"]))
    }
    let none = Intensity {
        max_restarts: 0,
        period: Duration::from_secs(60),
    };
    let children = vec![inner("inner", Restart::Permanent, lower)];
    let root = rt.start_supervisor(Supervisor::new(
        "outer",
        Strategy::OneForOne,
        none,
        children,
    ));
    let mut watch = Watch::new(&mut rt);
    watch.pid(&mut rt, "outer", root);
    let first_inner = rt.whereis("inner").unwrap();
    // Two restarts are allowed; the third crash is one too many.
    for _ in 0..2 {
        crash(&mut rt, "x");
        assert_eq!(rt.whereis("inner"), Some(first_inner));
    }
    crash(&mut rt, "x");
    // The inner supervisor gave up (Shutdown); the outer allows no restart
    // and gives up too.
    assert!(!rt.is_alive(first_inner));
    assert_eq!(watch.downs(&mut rt), ["outer shutdown"]);
    assert_eq!(rt.process_count(), 1, "only the watcher is left");
}

#[test]
fn an_outer_supervisor_restarts_an_inner_one_that_gave_up() {
    let mut rt = runtime();
    fn lower() -> Supervisor<Toy> {
        let none = Intensity {
            max_restarts: 0,
            period: Duration::from_secs(5),
        };
        Supervisor::new("inner", Strategy::OneForOne, none, permanent(&["x"]))
    }
    let children = vec![inner("inner", Restart::Permanent, lower)];
    let root = rt.start_supervisor(supervisor(Strategy::OneForOne, children));
    records(&mut rt);
    let first_inner = rt.whereis("inner").unwrap();
    let mut watch = Watch::new(&mut rt);
    watch.names(&mut rt, &["inner", "x"]);
    crash(&mut rt, "x");
    assert_eq!(watch.downs(&mut rt), ["x crash: x", "inner shutdown"]);
    // A new inner supervisor, with a new x.
    assert_eq!(records(&mut rt), ["start x"]);
    let second_inner = rt.whereis("inner").unwrap();
    assert!(second_inner != first_inner && rt.is_alive(second_inner));
    assert!(rt.whereis("x").is_some_and(|x| rt.is_alive(x)));
    assert!(rt.is_alive(root));
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
