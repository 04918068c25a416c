//! Graceful stop: SIGTERM and SIGINT answer what was received, flush, close
//! and exit 0.

use crate::util::Server;

#[test]
fn sigterm_with_requests_in_flight_answers_them_all_and_exits_zero() {
    let server = Server::start(&[]);
    let mut busy = server.connect();
    let mut idle = server.connect();
    assert_eq!(idle.ask("PING"), "OK\n");
    // 5,000 requests, small enough to sit whole in the socket buffers, so
    // all of them have been received when the signal comes.
    let mut batch = Vec::new();
    for i in 0..5_000 {
        batch.extend(format!("PUT l {i}\n").bytes());
    }
    batch.extend(b"LIST l\n");
    busy.send(&batch);
    assert_eq!(busy.reply(), b"OK\n", "the server is working on them");
    server.signal("TERM");
    for i in 1..5_000 {
        assert_eq!(busy.reply(), b"OK\n", "reply {i}");
    }
    let list = busy.reply();
    assert_eq!(list.iter().filter(|&&b| b == b'\n').count(), 5_001);
    assert_eq!(busy.read_to_end(), b"", "then the server closes");
    assert_eq!(idle.read_to_end(), b"", "idle connections are closed too");
    let mut server = server;
    assert_eq!(server.wait(), Some(0));
    assert!(server.wait_for_log("SIGTERM received"));
    assert!(server.wait_for_log("stopped"));
}

#[test]
fn sigint_stops_too() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    assert_eq!(c.ask("PUT a b"), "OK\n");
    server.signal("INT");
    assert_eq!(c.read_to_end(), b"");
    let mut server = server;
    assert_eq!(server.wait(), Some(0));
    assert!(server.wait_for_log("SIGINT received"));
}
