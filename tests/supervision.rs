//! The process tree over TCP: the manager crashes (`DEBUG CRASH MANAGER`)
//! while clients write, and comes back with every acknowledged item; a
//! crash loop past the root's intensity stops the server with an error; a
//! crashed list is forgotten as a killed one is.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::durability::{content, crash};
use crate::util::{wait_until, DataDir, Server};

const RESTARTING: &str = "ERR restarting: the manager crashed; try again\n";

/// Waits (bounded) until `STATS` says `n` restarts happened.
fn wait_for_restarts(server: &Server, n: u64) {
    let mut c = server.connect();
    wait_until("the restarts", || c.stat("restarts") >= n);
}

#[test]
fn the_manager_crashes_and_comes_back_with_every_acknowledged_item() {
    let dir = DataDir::new();
    let server = Server::start_on(&dir, &["--enable-debug", "--fsync", "always"]);
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let mut c = server.connect();
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut acked = Vec::new();
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    let reply = c.ask(&format!("PUT w{w} item-{i}"));
                    match reply.as_str() {
                        "OK\n" => acked.push(format!("item-{i}")),
                        RESTARTING => {}
                        other => panic!("writer {w}: {other}"),
                    }
                    i += 1;
                }
                // Served again after the last restart.
                assert_eq!(c.ask(&format!("PUT w{w} last")), "OK\n");
                acked.push("last".into());
                (w, acked)
            })
        })
        .collect();
    let mut admin = server.connect();
    for round in 1..=3 {
        // Let the writers get some in.
        while admin.stat("items") < 100 * round {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(admin.ask("DEBUG CRASH MANAGER"), "OK\n");
        // Three crashes: as many restarts as the root allows in five
        // seconds (a fourth is the next test's).
        wait_for_restarts(&server, 2 * round);
    }
    stop.store(true, Ordering::Relaxed);
    let results: Vec<_> = writers.into_iter().map(|w| w.join().unwrap()).collect();
    assert!(server.log.contains("manager"), "{}", server.log.text());
    let mut c = server.connect();
    for (w, acked) in &results {
        let listed = c.ask(&format!("LIST w{w}"));
        for item in acked {
            assert!(listed.contains(&format!("* {item}\n")), "w{w}: {item} lost");
        }
    }
    // And on disk as in memory.
    let before = content(&server);
    crash(server);
    let server = Server::start_on(&dir, &[]);
    assert_eq!(content(&server), before);
}

#[test]
fn a_crash_loop_past_the_intensity_stops_the_server_with_an_error() {
    let dir = DataDir::new();
    let mut server = Server::start_on(&dir, &["--enable-debug"]);
    let mut c = server.connect();
    assert_eq!(c.ask("PUT kept item"), "OK\n");
    // Four crashes in well under five seconds: one more than allowed.
    for n in 1..=4 {
        let reply = c.ask("DEBUG CRASH MANAGER");
        assert!(reply == "OK\n" || reply == RESTARTING, "{reply}");
        if n < 4 {
            wait_for_restarts(&server, 2 * n);
        }
    }
    assert_eq!(server.wait(), Some(1));
    assert!(
        server.wait_for_log("the root supervisor gave up"),
        "{}",
        server.log.text()
    );
    assert!(server.wait_for_log("the log is synced"));
    // A service manager starts it again, from the log.
    let server = Server::start_on(&dir, &[]);
    assert_eq!(server.connect().ask("LIST kept"), "* item\nOK\n");
}

#[test]
fn a_crashed_list_is_forgotten_as_a_killed_one_is() {
    let dir = DataDir::new();
    let server = Server::start_on(&dir, &["--enable-debug", "--fsync", "always"]);
    let mut c = server.connect();
    assert_eq!(c.ask("PUT x 1"), "OK\n");
    assert_eq!(c.ask("PUT y 1"), "OK\n");
    assert_eq!(c.ask("DEBUG CRASH LIST x"), "OK\n");
    assert_eq!(c.ask("KILL y"), "OK\n");
    for list in ["x", "y"] {
        assert_eq!(c.ask(&format!("LIST {list}")), "ERR not found\n");
    }
    assert_eq!(c.ask("LISTS"), "OK\n");
    assert_eq!(c.ask("DEBUG CRASH LIST none"), "ERR not found\n");
    assert_eq!(
        c.stat("restarts"),
        0,
        "lists are temporary: never restarted"
    );
    crash(server);
    let server = Server::start_on(&dir, &[]);
    assert_eq!(server.connect().ask("LISTS"), "OK\n");
}

#[test]
fn in_memory_the_lists_are_lost_with_the_manager_but_the_server_goes_on() {
    let server = Server::start(&["--enable-debug"]);
    let mut c = server.connect();
    assert_eq!(c.ask("PUT x 1"), "OK\n");
    assert_eq!(c.ask("DEBUG CRASH MANAGER"), "OK\n");
    wait_for_restarts(&server, 2);
    assert_eq!(c.ask("LIST x"), "ERR not found\n");
    assert_eq!(c.ask("PUT x 2"), "OK\n");
    assert_eq!(c.stat("lists"), 1);
}

#[test]
fn debug_crash_is_unknown_without_enable_debug() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    assert_eq!(
        c.ask("DEBUG CRASH MANAGER"),
        "ERR unknown command 'DEBUG'\n"
    );
    assert_eq!(c.stat("restarts"), 0);
}

#[test]
fn a_restart_leaves_the_memory_count_as_it_was() {
    let dir = DataDir::new();
    let server = Server::start_on(&dir, &["--enable-debug"]);
    let mut c = server.connect();
    for i in 0..50 {
        assert_eq!(c.ask(&format!("PUT list-{} item-{i}", i % 7)), "OK\n");
    }
    let (used, lists, items) = (c.stat("used_memory"), c.stat("lists"), c.stat("items"));
    assert_eq!(c.ask("DEBUG CRASH MANAGER"), "OK\n");
    wait_for_restarts(&server, 2);
    assert_eq!(
        (c.stat("used_memory"), c.stat("lists"), c.stat("items")),
        (used, lists, items)
    );
    assert!(server.wait_for_log("restarted: 7 lists rebuilt from the log"));
}
