//! Who comes back: restart types, alone and within a group restart; exits
//! that come while a restart is under way; the restart intensity, a sliding
//! window, and what a supervisor that gives up leaves its own supervisor.

use std::cell::RefCell;

use super::*;

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
fn a_child_that_exits_while_still_to_be_stopped_is_not_waited_for() {
    let mut rt = runtime();
    let mut children = permanent(&["a", "b"]);
    children.push(stubborn("c", Restart::Permanent, 2));
    let root = rt.start_supervisor(supervisor(Strategy::OneForAll, children));
    records(&mut rt);
    let mut watch = Watch::new(&mut rt);
    watch.names(&mut rt, &["a", "b", "c"]);
    crash(&mut rt, "a");
    // c traps the Shutdown and is killed 2 s later; b, still to be
    // stopped after it, crashes meanwhile.
    crash(&mut rt, "b");
    assert_eq!(watch.downs(&mut rt), ["a crash: a", "b crash: b"]);
    later(&mut rt, 2.5);
    assert_eq!(watch.downs(&mut rt), ["c killed"]);
    assert_eq!(records(&mut rt), ["start a", "start b", "start c"]);
    assert!(rt.is_alive(root));
    // b's exit belongs to the restart under way: it is not one more.
    assert_eq!(rt.restarts(), 3);
}

#[test]
fn a_child_that_crashes_outside_a_restart_under_way_is_restarted_after_it() {
    let mut rt = runtime();
    let mut children = permanent(&["a", "b"]);
    children.push(stubborn("c", Restart::Permanent, 2));
    let root = rt.start_supervisor(supervisor(Strategy::RestForOne, children));
    records(&mut rt);
    // b's crash stops c, which waits out its grace period; a, before b,
    // crashes meanwhile. As in OTP, whose supervisor is busy stopping c,
    // a's exit is handled once b's restart is done: a, b and c restart.
    crash(&mut rt, "b");
    crash(&mut rt, "a");
    later(&mut rt, 2.5);
    assert_eq!(records(&mut rt), ["start b", "start c"]);
    later(&mut rt, 2.5);
    assert_eq!(records(&mut rt), ["start a", "start b", "start c"]);
    assert!(pids(&rt, &["a", "b", "c"]).iter().all(|&p| rt.is_alive(p)));
    assert!(rt.is_alive(root));
    assert_eq!(rt.restarts(), 5);
}

/// a (permanent), `middle` (of restart type `restart`), c (permanent).
fn around(restart: Restart) -> Vec<ChildSpec<Toy>> {
    vec![
        spec("a", Restart::Permanent, Shutdown::BrutalKill),
        spec("m", restart, Shutdown::BrutalKill),
        spec("c", Restart::Permanent, Shutdown::BrutalKill),
    ]
}

#[test]
fn a_temporary_child_is_never_restarted_even_when_a_siblings_crash_stops_it() {
    for strategy in [Strategy::OneForAll, Strategy::RestForOne] {
        let mut rt = runtime();
        rt.start_supervisor(supervisor(strategy, around(Restart::Temporary)));
        records(&mut rt);
        let mut watch = Watch::new(&mut rt);
        watch.names(&mut rt, &["a", "m", "c"]);
        crash(&mut rt, "a");
        let downs = watch.downs(&mut rt);
        assert_eq!(
            downs,
            ["a crash: a", "c killed", "m killed"],
            "{strategy:?}"
        );
        assert_eq!(records(&mut rt), ["start a", "start c"], "{strategy:?}");
        assert_eq!(rt.whereis("m"), None);
        // Its spec went with it: the next restart does not start it either.
        crash(&mut rt, "a");
        assert_eq!(records(&mut rt), ["start a", "start c"], "{strategy:?}");
    }
}

#[test]
fn a_temporary_child_that_exited_is_not_started_again_with_its_group() {
    for cast in [1, 666] {
        let mut rt = runtime();
        rt.start_supervisor(supervisor(Strategy::OneForAll, around(Restart::Temporary)));
        records(&mut rt);
        let mut watch = Watch::new(&mut rt);
        watch.names(&mut rt, &["a", "m", "c"]);
        rt.cast(rt.whereis("m").unwrap(), cast);
        rt.run_until_idle();
        assert_eq!(watch.downs(&mut rt).len(), 1, "m alone, after cast {cast}");
        assert!(records(&mut rt).is_empty());
        crash(&mut rt, "a");
        assert_eq!(watch.downs(&mut rt), ["a crash: a", "c killed"]);
        assert_eq!(
            records(&mut rt),
            ["start a", "start c"],
            "after cast {cast}"
        );
    }
}

#[test]
fn a_transient_child_that_stops_with_shutdown_takes_no_one_down_one_that_crashes_takes_all() {
    let mut rt = runtime();
    rt.start_supervisor(supervisor(Strategy::OneForAll, around(Restart::Transient)));
    records(&mut rt);
    let mut watch = Watch::new(&mut rt);
    watch.names(&mut rt, &["a", "m", "c"]);
    rt.cast(rt.whereis("m").unwrap(), 2);
    rt.run_until_idle();
    assert_eq!(watch.downs(&mut rt), ["m shutdown"]);
    assert!(records(&mut rt).is_empty());

    let mut rt = runtime();
    rt.start_supervisor(supervisor(Strategy::OneForAll, around(Restart::Transient)));
    records(&mut rt);
    let mut watch = Watch::new(&mut rt);
    watch.names(&mut rt, &["a", "m", "c"]);
    crash(&mut rt, "m");
    assert_eq!(watch.downs(&mut rt), ["m crash: m", "c killed", "a killed"]);
    assert_eq!(records(&mut rt), ["start a", "start m", "start c"]);
}

#[test]
fn a_transient_child_stopped_by_a_siblings_crash_is_restarted_with_it() {
    let mut rt = runtime();
    rt.start_supervisor(supervisor(Strategy::OneForAll, around(Restart::Transient)));
    records(&mut rt);
    let mut watch = Watch::new(&mut rt);
    watch.names(&mut rt, &["a", "m", "c"]);
    crash(&mut rt, "a");
    assert_eq!(watch.downs(&mut rt), ["a crash: a", "c killed", "m killed"]);
    assert_eq!(records(&mut rt), ["start a", "start m", "start c"]);
}

/// OTP keeps the spec of a transient child that exited normally (only a
/// temporary child's is dropped), and a group restart starts every child
/// it keeps a spec for: `supervisor.erl`'s `del_child` then
/// `restart_multiple_children`.
#[test]
fn a_group_restart_starts_again_a_transient_child_that_had_exited_normally() {
    let mut rt = runtime();
    rt.start_supervisor(supervisor(Strategy::OneForAll, around(Restart::Transient)));
    records(&mut rt);
    let mut watch = Watch::new(&mut rt);
    watch.names(&mut rt, &["a", "m", "c"]);
    rt.cast(rt.whereis("m").unwrap(), 1);
    rt.run_until_idle();
    assert_eq!(watch.downs(&mut rt), ["m normal"]);
    crash(&mut rt, "a");
    assert_eq!(watch.downs(&mut rt), ["a crash: a", "c killed"]);
    assert_eq!(records(&mut rt), ["start a", "start m", "start c"]);
}

thread_local! {
    /// This thread's log lines, while `logged` listens.
    static LINES: RefCell<Option<Vec<String>>> = const { RefCell::new(None) };
}

/// A logger that keeps each thread's lines apart, for the test that runs
/// there.
struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        LINES.with_borrow_mut(|lines| {
            if let Some(lines) = lines {
                lines.push(record.args().to_string());
            }
        });
    }

    fn flush(&self) {}
}

/// The lines logged at info level and above on this thread while `f` ran.
fn logged(f: impl FnOnce()) -> Vec<String> {
    static CAPTURE: Capture = Capture;
    // The first test to listen installs it: no other logger is set in tests.
    let _ = log::set_logger(&CAPTURE);
    log::set_max_level(log::LevelFilter::Info);
    LINES.set(Some(Vec::new()));
    f();
    LINES.take().unwrap_or_default()
}

#[test]
fn the_exit_past_the_intensity_is_logged_once_as_giving_up_not_as_restarting() {
    let mut rt = runtime();
    let one = Intensity {
        max_restarts: 1,
        period: Duration::from_secs(5),
    };
    rt.start_supervisor(Supervisor::new(
        "sup",
        Strategy::OneForOne,
        one,
        permanent(&["x"]),
    ));
    for ending in ["; restarting", ": giving up"] {
        let lines = logged(|| crash(&mut rt, "x"));
        let about_x: Vec<&String> = lines.iter().filter(|l| l.contains("child x")).collect();
        assert_eq!(about_x.len(), 1, "{lines:?}");
        assert!(about_x[0].ends_with(ending), "{lines:?}");
        let restarting = about_x[0].contains("restarting");
        assert_eq!(restarting, ending == "; restarting", "{lines:?}");
        let giving_up = lines.iter().filter(|l| l.contains("giving up")).count();
        assert_eq!(giving_up, usize::from(ending == ": giving up"), "{lines:?}");
    }
}
