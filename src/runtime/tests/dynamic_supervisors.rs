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
    start_kids(&mut rt, &mut watch, root, &["k0", "k1", "k2", "k3"], false);
    watch.pid(&mut rt, "dyn", root);
    rt.exit(root, ExitReason::Shutdown);
    rt.run_until_idle();
    assert_eq!(
        watch.downs(&mut rt),
        [
            "k3 killed",
            "k2 killed",
            "k1 killed",
            "k0 killed",
            "dyn shutdown"
        ]
    );
}
