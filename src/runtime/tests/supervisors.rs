//! Supervisors: each strategy, each restart type, the intensity, the
//! shutdown order and grace period, a dynamic supervisor's children, a
//! supervisor inside a supervisor. Children are toys that record their
//! start in the shared log ("start <id>") and their end ("end <id>").

use super::*;

/// A child that records its start, and its end with the reason; it
/// crashes on cast 666, stops normally on cast 1, and ignores `Shutdown`
/// for a grace period if `stubborn` (it traps exits and does nothing).
fn worker(id: &'static str, stubborn: bool) -> Start<Toy> {
    Start::Worker(toy(move |cx, mail| {
        let me = cx.pid();
        match mail {
            Mail::Cast(666) => Flow::Stop(ExitReason::crash(id)),
            Mail::Cast(1) => Flow::Stop(ExitReason::Normal),
            Mail::Cast(7) => {
                // Its first message: say it started.
                cx.trap_exit(stubborn);
                cx.shared().seen.push((me, format!("start {id}")));
                Flow::Continue
            }
            Mail::Info(Info::Exit { .. }) if stubborn => Flow::Continue,
            _ => Flow::Continue,
        }
    }))
}

fn spec(id: &'static str, restart: Restart, shutdown: Shutdown) -> ChildSpec<Toy> {
    ChildSpec {
        id,
        start: Box::new(move |_| worker(id, false)),
        restart,
        shutdown,
    }
}

fn supervisor(strategy: Strategy, children: Vec<ChildSpec<Toy>>) -> Supervisor<Toy> {
    Supervisor::new("test", strategy, Intensity::default(), children)
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
    let specs = ["a", "b", "c"].map(|id| spec(id, Restart::Permanent, Shutdown::BrutalKill));
    rt.start_supervisor(supervisor(Strategy::OneForOne, specs.into()));
    let before = pids(&rt, &["a", "b", "c"]);
    crash(&mut rt, "b");
    let after = pids(&rt, &["a", "b", "c"]);
    assert_eq!(after[0], before[0]);
    assert_ne!(after[1], before[1]);
    assert!(rt.is_alive(after[1]));
    assert_eq!(after[2], before[2]);
    assert_eq!(rt.restarts(), 1);
}

#[test]
fn one_for_all_restarts_every_child_and_stops_the_others_newest_first() {
    let mut rt = runtime();
    let specs = ["a", "b", "c"].map(|id| spec(id, Restart::Permanent, Shutdown::BrutalKill));
    rt.start_supervisor(supervisor(Strategy::OneForAll, specs.into()));
    let before = pids(&rt, &["a", "b", "c"]);
    let watcher = rt.spawn_mailbox();
    for &pid in &before {
        rt.as_mailbox(watcher, |cx| cx.monitor(pid));
    }
    crash(&mut rt, "a");
    let after = pids(&rt, &["a", "b", "c"]);
    assert!(after.iter().zip(&before).all(|(a, b)| a != b));
    assert!(after.iter().all(|&p| rt.is_alive(p)));
    // a crashed first; then c and b were stopped, c first.
    let downs: Vec<String> = drain(&mut rt, watcher);
    assert_eq!(downs, ["down crash: a", "down killed", "down killed"]);
    assert_eq!(rt.restarts(), 3);
}

#[test]
fn rest_for_one_restarts_it_and_those_started_after_it() {
    let mut rt = runtime();
    let specs = ["a", "b", "c"].map(|id| spec(id, Restart::Permanent, Shutdown::BrutalKill));
    rt.start_supervisor(supervisor(Strategy::RestForOne, specs.into()));
    let before = pids(&rt, &["a", "b", "c"]);
    crash(&mut rt, "b");
    let after = pids(&rt, &["a", "b", "c"]);
    assert_eq!(after[0], before[0]);
    assert_ne!(after[1], before[1]);
    assert_ne!(after[2], before[2]);
}

#[test]
fn restart_types_decide_who_comes_back() {
    for (restart, normal_back, crash_back) in [
        (Restart::Permanent, true, true),
        (Restart::Transient, false, true),
        (Restart::Temporary, false, false),
    ] {
        for (cast, back) in [(1, normal_back), (666, crash_back)] {
            let mut rt = runtime();
            let specs = vec![spec("x", restart, Shutdown::BrutalKill)];
            rt.start_supervisor(supervisor(Strategy::OneForOne, specs));
            let first = rt.whereis("x").unwrap();
            rt.cast(first, cast);
            rt.run_until_idle();
            let now = rt.whereis("x");
            assert_eq!(now.is_some(), back, "{restart:?} after cast {cast}");
            if let Some(pid) = now {
                assert_ne!(pid, first);
            }
        }
    }
}

#[test]
fn past_the_intensity_the_supervisor_gives_up_and_its_parent_sees_it() {
    let mut rt = runtime();
    let outer = Supervisor::new(
        "outer",
        Strategy::OneForOne,
        Intensity {
            max_restarts: 0,
            period: Duration::from_secs(60),
        },
        vec![ChildSpec {
            id: "inner",
            start: Box::new(move |_| {
                Start::Supervisor(Box::new(Supervisor::new(
                    "inner",
                    Strategy::OneForOne,
                    Intensity {
                        max_restarts: 2,
                        period: Duration::from_secs(60),
                    },
                    vec![spec("x", Restart::Permanent, Shutdown::BrutalKill)],
                )))
            }),
            restart: Restart::Permanent,
            shutdown: Shutdown::Timeout(Duration::from_secs(1)),
        }],
    );
    let root = rt.start_supervisor(outer);
    let watcher = rt.spawn_mailbox();
    rt.as_mailbox(watcher, |cx| cx.monitor(root));
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
    assert!(!rt.is_alive(root));
    assert_eq!(drain(&mut rt, watcher), ["down shutdown"]);
    assert_eq!(rt.process_count(), 1, "only the watcher is left");
}

#[test]
fn stopping_a_supervisor_stops_its_children_in_reverse_order_with_a_grace_period() {
    let mut rt = runtime();
    let stubborn = ChildSpec {
        id: "stubborn",
        start: Box::new(|_| worker("stubborn", true)),
        restart: Restart::Permanent,
        shutdown: Shutdown::Timeout(Duration::from_secs(2)),
    };
    let specs = vec![
        spec(
            "first",
            Restart::Permanent,
            Shutdown::Timeout(Duration::from_secs(2)),
        ),
        stubborn,
        spec("last", Restart::Permanent, Shutdown::BrutalKill),
    ];
    let root = rt.start_supervisor(supervisor(Strategy::OneForOne, specs));
    let children = pids(&rt, &["first", "stubborn", "last"]);
    for &pid in &children {
        rt.cast(pid, 7);
    }
    rt.run_until_idle();
    let watcher = rt.spawn_mailbox();
    for &pid in &children {
        rt.as_mailbox(watcher, |cx| cx.monitor(pid));
    }
    rt.exit(root, ExitReason::Shutdown);
    rt.run_until_idle();
    // "last" is killed; "stubborn" traps the Shutdown and waits out its
    // grace period; "first" waits behind it.
    assert_eq!(drain(&mut rt, watcher), ["down killed"]);
    assert!(rt.is_alive(children[1]) && rt.is_alive(children[0]));
    let later = rt.now() + Duration::from_secs(3);
    rt.fire_due_timers(later);
    rt.run_until_idle();
    assert_eq!(drain(&mut rt, watcher), ["down killed", "down shutdown"]);
    assert!(!rt.is_alive(root));
    assert_eq!(rt.process_count(), 1);
}

#[test]
fn a_dynamic_supervisors_children_come_and_go_and_stop_with_it() {
    let mut rt = runtime();
    let root = rt.start_supervisor(Supervisor::dynamic("dyn", Shutdown::BrutalKill));
    let starter = rt.spawn_mailbox();
    let kids: Vec<Pid> = (0..5)
        .map(|i| {
            let Start::Worker(kid) = worker(["k0", "k1", "k2", "k3", "k4"][i], false) else {
                unreachable!()
            };
            rt.as_mailbox(starter, |cx| cx.spawn_under(root, kid))
                .unwrap()
        })
        .collect();
    // A child that exits normally is simply gone: nothing restarts it.
    rt.cast(kids[0], 1);
    rt.cast(kids[1], 666);
    rt.run_until_idle();
    assert!(rt.is_alive(root));
    assert_eq!(rt.process_count(), 1 + 1 + 3);
    assert_eq!(rt.restarts(), 0);
    rt.exit(root, ExitReason::Shutdown);
    rt.run_until_idle();
    assert!(!rt.is_alive(root));
    assert!(kids.iter().all(|&k| !rt.is_alive(k)));
    assert_eq!(rt.process_count(), 1);
}
