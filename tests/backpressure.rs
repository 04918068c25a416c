//! Heavy clients: a reader that does not read cannot grow the server, and a
//! flood from one client does not starve another.

use std::io::{BufRead, BufReader};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use crate::util::{Client, Server};

/// How much the server's resident memory may grow while one client pipelines
/// LISTs without reading. Without backpressure it would hold every unsent
/// reply: about 44 MB here.
const RSS_BOUND: u64 = 16 << 20;

#[test]
fn slow_reader_keeps_server_memory_flat_and_then_gets_everything_in_order() {
    let server = Server::start(&[]);
    let mut filler = server.connect();
    let mut batch = Vec::new();
    for i in 0..10_000 {
        batch.extend(format!("PUT big item-{i:05}-padding-\n").bytes());
    }
    filler.send(&batch);
    for _ in 0..10_000 {
        assert_eq!(filler.reply(), b"OK\n");
    }
    let expected = filler.request(b"LIST big");
    assert_eq!(expected.len(), 10_000 * 22 + 3);
    let baseline = server.rss();

    // 200 LISTs, about 44 MB of replies, sent at once and not read.
    let mut slow = server.connect();
    slow.shrink_receive_buffer();
    slow.send(&b"LIST big\n".repeat(200));
    // Give the server a bounded while to run into the backpressure.
    let mut peak = 0;
    for _ in 0..20 {
        thread::sleep(Duration::from_millis(50));
        peak = peak.max(server.rss());
    }
    assert!(
        peak < baseline + RSS_BOUND,
        "RSS grew from {baseline} to {peak} bytes while a client did not read"
    );
    // Everyone else is served meanwhile.
    let mut other = server.connect();
    assert_eq!(other.ask("PING"), "OK\n");
    assert_eq!(other.ask("PUT other x"), "OK\n");

    for i in 0..200 {
        assert!(slow.reply() == expected, "reply {i} differs");
    }
    assert_eq!(slow.ask("PING"), "OK\n");
}

#[test]
fn a_flood_from_one_client_does_not_hold_up_another_clients_ping() {
    let server = Server::start(&[]);
    const FLOOD: usize = 300_000;
    let mut flooder = server.connect();
    let answered = Arc::new(AtomicUsize::new(0));
    let reader = {
        let stream = flooder.stream.try_clone().unwrap();
        let answered = Arc::clone(&answered);
        thread::spawn(move || {
            let mut lines = BufReader::new(stream);
            let mut line = Vec::new();
            for _ in 0..FLOOD {
                line.clear();
                lines.read_until(b'\n', &mut line).unwrap();
                assert_eq!(line, b"OK\n");
                answered.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    let writer = thread::spawn(move || flooder.send(&b"PING\n".repeat(FLOOD)));
    // Once the flood is being answered, another client asks.
    for _ in 0..3000 {
        if answered.load(Ordering::Relaxed) > 0 {
            break;
        }
        thread::sleep(Duration::from_millis(1));
    }
    assert!(answered.load(Ordering::Relaxed) > 0, "the flood started");
    let mut other = Client::connect(server.addr);
    assert_eq!(other.ask("PING"), "OK\n");
    let when = answered.load(Ordering::Relaxed);
    assert!(when < FLOOD, "the PING waited for the whole flood");
    writer.join().unwrap();
    reader.join().unwrap();
    eprintln!("the other client's PING was answered after {when} of {FLOOD} flood replies");
}
