//! Compaction as users see it: under concurrent writes the content is the
//! same before and after (and after a restart from the snapshot), the
//! files it replaces are gone, `STATS` reports it and the longest loop pass
//! it caused, and the server starts one by itself once the log has grown
//! well past the live data.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::crash::fill;
use crate::durability::content;
use crate::util::{wait_until, Client, DataDir, Server};

/// Waits (bounded) until `compactions` reaches `n`.
fn wait_for_compactions(c: &mut Client, n: u64) {
    wait_until("a compaction to finish", || c.stat("compactions") >= n);
}

#[test]
fn under_concurrent_writes_the_content_is_the_same_before_and_after() {
    let dir = DataDir::new();
    let mut server = Server::start_on(&dir, &[]);
    fill(&server, 20_000);
    // A big list too, so that some list takes several slices.
    let mut c = server.connect();
    let big: String = (0..20_000)
        .map(|i| format!("PUT big item {i} {}\n", "y".repeat(40)))
        .collect();
    c.send(big.as_bytes());
    for _ in 0..20_000 {
        assert_eq!(c.read_line(), "OK\n");
    }
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..3)
        .map(|w| {
            let mut c = server.connect();
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    let batch: String = (n..n + 20)
                        .map(|i| match i % 4 {
                            3 => format!("DEL w{w} {}\n", i - 3),
                            _ => format!("PUT w{w} {i}\n"),
                        })
                        .collect();
                    c.send(batch.as_bytes());
                    for _ in 0..20 {
                        assert_eq!(c.read_line(), "OK\n");
                    }
                    n += 20;
                }
                n
            })
        })
        .collect();
    assert_eq!(c.ask("COMPACT"), "OK\n");
    // A second one while it runs: OK, and nothing more.
    assert_eq!(c.ask("COMPACT"), "OK\n");
    wait_for_compactions(&mut c, 1);
    stop.store(true, Ordering::Relaxed);
    let written: Vec<u64> = writers.into_iter().map(|w| w.join().unwrap()).collect();
    assert!(written.iter().all(|&n| n > 0), "{written:?}");
    let longest = c.stat_text("compaction_longest_pass_us");
    eprintln!("longest loop pass during the compaction: {longest} µs");
    assert!(longest.parse::<u64>().unwrap() > 0);
    assert_eq!(c.stat_text("compactions"), "1");
    let before = content(&server);
    assert_eq!(before.len(), 20_000 + 1 + 3);
    let files = dir.files();
    assert!(
        !files.contains(&"segment-00000000.log".to_owned()),
        "the replaced segment is gone: {files:?}"
    );
    drop(c);
    server.signal("TERM");
    assert_eq!(server.wait(), Some(0));
    let server = Server::start_on(&dir, &[]);
    assert_eq!(content(&server), before);
}

#[test]
fn the_server_compacts_by_itself_once_the_log_is_much_bigger_than_the_data() {
    let dir = DataDir::new();
    let server = Server::start_on(&dir, &["--fsync", "no"]);
    let mut c = server.connect();
    let item = "z".repeat(1000);
    // Each pair adds some 2 KB of log and leaves nothing: 70 MB of log
    // passes the 64 MiB floor with almost no live data.
    for round in 0..35 {
        let batch: String = (0..1000)
            .map(|i| format!("PUT churn {round}-{i}-{item}\nDEL churn {round}-{i}-{item}\n"))
            .collect();
        c.send(batch.as_bytes());
        for _ in 0..2000 {
            assert_eq!(c.read_line(), "OK\n");
        }
    }
    wait_for_compactions(&mut c, 1);
    assert!(server.wait_for_log("compacting the log"));
    let log_bytes: u64 = c.stat_text("log_bytes").parse().unwrap();
    assert!(log_bytes < 64 << 20, "{log_bytes}");
    assert_eq!(c.ask("LIST churn"), "OK\n");
}
