//! The process tree over TCP: the manager crashes (`DEBUG CRASH MANAGER`)
//! while clients write, and comes back with every acknowledged item; a
//! request that ends a list, caught in a manager crash, is either undone
//! or answered with an error; a crash loop past the root's intensity
//! stops the server with an error; a crashed list is forgotten as a
//! killed one is.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::durability::{content, crash};
use crate::util::{wait_until, Client, DataDir, Server};

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
    let mut items_before = 0;
    for round in 1..=3 {
        // Let the writers get some in.
        wait_until("the writers' items", || {
            admin.stat("items") >= items_before + 100
        });
        assert_eq!(admin.ask("DEBUG CRASH MANAGER"), "OK\n");
        // Three crashes: as many restarts as the root allows in five
        // seconds (a fourth is the next test's).
        wait_for_restarts(&server, 2 * round);
        // Nothing acknowledged before the crash is lost: the items the
        // writers were told OK for are all back (STATS counts what the
        // new manager rebuilt, and writers go on adding).
        let rebuilt = admin.stat("items");
        assert!(
            rebuilt >= items_before,
            "round {round}: {rebuilt} < {items_before}"
        );
        items_before = rebuilt;
    }
    stop.store(true, Ordering::Relaxed);
    let results: Vec<_> = writers.into_iter().map(|w| w.join().unwrap()).collect();
    assert!(
        server
            .log
            .contains("the manager exited: crash: DEBUG CRASH MANAGER"),
        "{}",
        server.log.text()
    );
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
    // Crash after crash, as fast as the server restarts: four in five
    // seconds, one more than the root allows, come long before the last
    // of these (the count only bounds a server that never gives up).
    for _ in 0..50 {
        let sent = c.stream.write_all(b"DEBUG CRASH MANAGER\n");
        if sent.is_err() || c.try_read_line().is_none() {
            break; // the server stopped, and closed the connection
        }
    }
    assert!(
        server.wait_for_log("the root supervisor gave up"),
        "{}",
        server.log.text()
    );
    assert_eq!(server.wait(), Some(1));
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

/// When the crash comes, in the loop pass that reads both.
#[derive(Clone, Copy)]
enum Crash {
    /// Right after the request reached the manager.
    After,
    /// Right before.
    Before,
}

/// Sends `request` on `a` and `DEBUG CRASH MANAGER` on `b` while the
/// server is stopped (SIGSTOP), so that both are read in the same loop
/// pass, in the order sent; returns `a`'s answer.
fn caught_in_a_crash(
    server: &Server,
    a: &mut Client,
    b: &mut Client,
    request: &[u8],
    crash: Crash,
) -> String {
    server.signal("STOP");
    if let Crash::Before = crash {
        b.stream.write_all(b"DEBUG CRASH MANAGER\n").unwrap();
    }
    a.stream.write_all(request).unwrap();
    if let Crash::After = crash {
        b.stream.write_all(b"DEBUG CRASH MANAGER\n").unwrap();
    }
    server.signal("CONT");
    assert_eq!(b.read_line(), "OK\n");
    if request.starts_with(b"*") {
        // One RESP line, or a bulk string's two.
        let first = a.read_line();
        if first.starts_with('$') && first != "$-1\r\n" {
            return first + &a.read_line();
        }
        return first;
    }
    String::from_utf8(a.reply()).unwrap()
}

/// Sends a RESP request whose answer is one line; returns that line.
fn resp_line(c: &mut Client, request: &[u8]) -> String {
    c.stream.write_all(request).unwrap();
    c.read_line()
}

#[test]
fn a_list_ended_as_the_manager_crashes_is_gone_if_that_was_acknowledged() {
    // KILL, DROP and Redis's DEL end a list; each races a manager crash.
    // An OK must mean the list is gone, after the restart and on disk; an
    // error means the request may or may not have happened.
    let dir = DataDir::new();
    let server = Server::start_on(&dir, &["--enable-debug", "--fsync", "always"]);
    let (mut a, mut b) = (server.connect(), server.connect());
    let requests: [(&[u8], &[&str]); 3] = [
        (b"KILL x\n", &["OK\n", RESTARTING]),
        (b"DROP x\n", &["OK\n", RESTARTING]),
        (
            b"*2\r\n$3\r\nDEL\r\n$1\r\nx\r\n",
            &[
                ":1\r\n",
                "-ERR restarting: the manager crashed; try again\r\n",
            ],
        ),
    ];
    let mut gone = Vec::new();
    for (round, (request, answers)) in requests.into_iter().enumerate() {
        assert_eq!(a.ask("PUT x item"), "OK\n");
        let answer = caught_in_a_crash(&server, &mut a, &mut b, request, Crash::After);
        assert!(answers.contains(&answer.as_str()), "{answer:?}");
        wait_for_restarts(&server, 2 * (round as u64 + 1));
        let listed = a.ask("LIST x");
        if answer == answers[0] {
            assert_eq!(listed, "ERR not found\n", "{request:?} was acknowledged");
            gone.push(round);
        }
        if listed != "ERR not found\n" {
            assert_eq!(a.ask("DROP x"), "OK\n");
        }
    }
    let before = content(&server);
    crash(server);
    let server = Server::start_on(&dir, &[]);
    assert_eq!(content(&server), before);
    assert!(!gone.is_empty(), "no request was answered before the crash");
}

#[test]
fn a_list_a_pop_emptied_as_the_manager_crashes_stays_gone() {
    let dir = DataDir::new();
    let server = Server::start_on(&dir, &["--enable-debug", "--fsync", "always"]);
    let (mut a, mut b) = (server.connect(), server.connect());
    assert_eq!(a.ask("PUT x item"), "OK\n");
    let pop = b"*2\r\n$4\r\nLPOP\r\n$1\r\nx\r\n";
    let answer = caught_in_a_crash(&server, &mut a, &mut b, pop, Crash::After);
    wait_for_restarts(&server, 2);
    let exists = resp_line(&mut a, b"*2\r\n$6\r\nEXISTS\r\n$1\r\nx\r\n");
    match answer.as_str() {
        "$4\r\nitem\r\n" => assert_eq!(exists, ":0\r\n", "popped, and gone"),
        "-ERR restarting: the manager crashed; try again\r\n" => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_request_on_a_list_caught_in_a_restart_is_told_so() {
    // Not "not found" for a list that exists, nor an empty answer.
    let dir = DataDir::new();
    let server = Server::start_on(&dir, &["--enable-debug", "--fsync", "always"]);
    let (mut a, mut b) = (server.connect(), server.connect());
    assert_eq!(a.ask("PUT x item"), "OK\n");
    let requests: [(&[u8], &str, &str); 2] = [
        (b"LIST x\n", "* item\nOK\n", RESTARTING),
        (
            b"*2\r\n$4\r\nLLEN\r\n$1\r\nx\r\n",
            ":1\r\n",
            "-ERR restarting: the manager crashed; try again\r\n",
        ),
    ];
    for (round, (request, served, restarting)) in requests.into_iter().enumerate() {
        let answer = caught_in_a_crash(&server, &mut a, &mut b, request, Crash::Before);
        assert!(answer == served || answer == restarting, "{answer:?}");
        wait_for_restarts(&server, 2 * (round as u64 + 1));
        assert_eq!(a.ask("LIST x"), "* item\nOK\n");
    }
}
