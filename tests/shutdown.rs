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

#[test]
fn a_second_signal_during_the_graceful_stop_exits_at_once() {
    let mut server = Server::start(&[]);
    let mut filler = server.connect();
    let mut batch = Vec::new();
    for i in 0..8_000 {
        batch.extend(format!("PUT big {i:05}{}\n", "x".repeat(1000)).bytes());
    }
    filler.send(&batch);
    for _ in 0..8_000 {
        assert_eq!(filler.reply(), b"OK\n");
    }
    // A client that asks for 8 MB and reads none of it holds the stop.
    let mut stuck = server.connect();
    stuck.shrink_receive_buffer();
    stuck.send(b"LIST big\n");
    assert_eq!(filler.ask("PING"), "OK\n");
    server.signal("TERM");
    assert!(server.wait_for_log("send SIGTERM again to stop at once"));
    server.signal("TERM");
    assert_eq!(server.wait(), Some(1), "not a clean stop");
    assert!(server.wait_for_log("SIGTERM received again: stopping at once"));
}
