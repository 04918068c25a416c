//! The log as a user meets it: what a restart keeps, the data directory's
//! lock, `--in-memory`, `COMPACT` and the `STATS` fields. Each test has a
//! fresh temporary `--data-dir`.

use crate::util::{DataDir, Server};

/// Every list's items, sorted by list name, as `LIST` gives them.
pub fn content(server: &Server) -> Vec<(String, String)> {
    let mut c = server.connect();
    let lists = c.ask("LISTS");
    let names: Vec<String> = lists
        .lines()
        .filter_map(|l| l.strip_prefix("* "))
        .map(str::to_owned)
        .collect();
    names
        .into_iter()
        .map(|name| {
            let items = c.request(format!("LIST {name}").as_bytes());
            (name, String::from_utf8_lossy(&items).into_owned())
        })
        .collect()
}

/// Kills the server as a crash would (`SIGKILL`) and waits for it to go.
pub fn crash(mut server: Server) {
    server.signal("KILL");
    server.wait();
}

#[test]
fn a_restart_after_a_crash_keeps_every_list_item_order_and_empty_list() {
    let dir = DataDir::new();
    let server = Server::start_on(&dir, &["--fsync", "always"]);
    let mut c = server.connect();
    for line in [
        "PUT groceries milk",
        "PUT groceries eggs",
        "PUT groceries milk",
        "PUT chores walk the  dog",
        "CREATE empty",
        "PUT gone x",
        "PUT killed y",
        "DEL groceries milk",
        "DROP gone",
        "KILL killed",
    ] {
        assert_eq!(c.ask(line), "OK\n", "{line}");
    }
    c.send(b"PUT bin \x00\xff\r\n");
    assert_eq!(c.reply(), b"OK\n");
    let before = content(&server);
    assert_eq!(
        before.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["bin", "chores", "empty", "groceries"]
    );
    assert_eq!(before[3].1, "* eggs\n* milk\nOK\n");
    crash(server);

    let server = Server::start_on(&dir, &[]);
    assert!(
        server.wait_for_log("loaded 4 lists and 4 items"),
        "{}",
        server.log.text()
    );
    assert_eq!(content(&server), before);
    let mut c = server.connect();
    assert_eq!(c.request(b"LIST bin"), b"* \x00\xff\nOK\n");
}

#[test]
fn a_graceful_stop_syncs_and_a_restart_goes_on_from_there() {
    let dir = DataDir::new();
    for round in 0..3 {
        let mut server = Server::start_on(&dir, &["--fsync", "no"]);
        let mut c = server.connect();
        assert_eq!(c.ask(&format!("PUT rounds {round}")), "OK\n");
        let expected: String = (0..=round).rev().map(|r| format!("* {r}\n")).collect();
        assert_eq!(c.ask("LIST rounds"), format!("{expected}OK\n"));
        drop(c);
        server.signal("TERM");
        assert_eq!(server.wait(), Some(0));
        assert!(server.wait_for_log("the log is synced"));
    }
}

#[test]
fn a_second_server_on_the_same_directory_exits_with_a_clear_message() {
    let dir = DataDir::new();
    let first = Server::start_on(&dir, &[]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_todo-server"))
        .args(["--port", "0", "--data-dir", dir.arg()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("is in use by another todo-server"),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("pid {}", first.pid())), "{stderr}");
    // The first one is unharmed.
    assert_eq!(first.connect().ask("PING"), "OK\n");
}

#[test]
fn in_memory_keeps_nothing_and_cannot_compact() {
    let server = Server::start(&["--in-memory"]);
    let mut c = server.connect();
    assert_eq!(c.ask("COMPACT"), "ERR not persistent\n");
    let stats = c.ask("STATS");
    assert!(stats.contains("* persistence none\n"), "{stats}");
    assert!(server.log.contains("--in-memory: no log"));
}

#[test]
fn stats_shows_the_log_and_compact_rewrites_it() {
    let dir = DataDir::new();
    let server = Server::start_on(&dir, &["--fsync", "always"]);
    let mut c = server.connect();
    for i in 0..200 {
        assert_eq!(c.ask(&format!("PUT churn item-{i}")), "OK\n");
        assert_eq!(c.ask(&format!("DEL churn item-{i}")), "OK\n");
    }
    assert_eq!(c.ask("PUT kept one"), "OK\n");
    assert_eq!(c.stat_text("fsync"), "always");
    assert_eq!(c.stat_text("persistence"), "log");
    let before: u64 = c.stat_text("log_bytes").parse().unwrap();
    assert!(before > 200 * 2 * 15, "{before}");
    assert!(c.stat_text("syncs").parse::<u64>().unwrap() >= 401);
    assert_ne!(c.stat_text("last_sync_age_ms"), "never");

    assert_eq!(c.ask("COMPACT"), "OK\n");
    assert!(
        server.wait_for_log("compaction done"),
        "{}",
        server.log.text()
    );
    assert_eq!(c.stat_text("compactions"), "1");
    assert_eq!(c.stat_text("compacting"), "0");
    let after: u64 = c.stat_text("log_bytes").parse().unwrap();
    assert!(after < before / 10, "{after} vs {before}");
    assert_eq!(c.stat_text("persistence_errors"), "0");
    assert!(
        dir.files().iter().any(|f| f.starts_with("snapshot-")),
        "{:?}",
        dir.files()
    );
    let content_before = content(&server);
    crash(server);
    let server = Server::start_on(&dir, &[]);
    assert_eq!(content(&server), content_before);
}

#[test]
fn debug_is_unknown_unless_enabled() {
    let dir = DataDir::new();
    let server = Server::start_on(&dir, &[]);
    let mut c = server.connect();
    assert_eq!(
        c.ask("debug disk fail-writes"),
        "ERR unknown command 'debug'\n"
    );
    assert_eq!(c.ask("PUT still fine"), "OK\n");
}
