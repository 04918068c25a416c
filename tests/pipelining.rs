//! Pipelining, partial writes, half-close and QUIT: replies in request
//! order, every reply flushed, nothing after QUIT executed.

use std::io::Write;

use crate::util::Server;

#[test]
fn ten_thousand_requests_in_one_write_are_answered_in_order() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    // Three kinds of request whose replies name their index, so any
    // reordering shows.
    let mut batch = Vec::new();
    let mut expected = Vec::new();
    for i in 0..10_000 {
        match i % 4 {
            0 => {
                batch.extend(format!("PUT big {i}\n").bytes());
                expected.extend(b"OK\n");
            }
            1 => {
                batch.extend(format!("NOPE{i}\n").bytes());
                expected.extend(format!("ERR unknown command 'NOPE{i}'\n").bytes());
            }
            2 => {
                batch.extend(format!("LIST missing{i}\n").bytes());
                expected.extend(b"ERR not found\n");
            }
            _ => {
                batch.extend(b"PING\n");
                expected.extend(b"OK\n");
            }
        }
    }
    c.send(&batch);
    let mut got = Vec::new();
    for _ in 0..10_000 {
        got.extend(c.reply());
    }
    assert_eq!(
        String::from_utf8(got).unwrap(),
        String::from_utf8(expected).unwrap()
    );
    let list = c.ask("LIST big");
    let items: Vec<&str> = list.lines().collect();
    assert_eq!(items.len(), 2501);
    assert_eq!(items[0], "* 9996");
    assert_eq!(items[2499], "* 0");
}

#[test]
fn a_request_sent_one_byte_per_write_is_answered() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    for &b in b"PUT slow one byte at a time\r\nLIST slow\n" {
        c.stream.write_all(&[b]).unwrap();
    }
    assert_eq!(c.reply(), b"OK\n");
    assert_eq!(c.reply(), b"* one byte at a time\nOK\n");
}

#[test]
fn half_close_flushes_every_reply_including_a_multi_megabyte_list() {
    let server = Server::start(&[]);
    let mut filler = server.connect();
    let item = "x".repeat(100);
    let count = 50_000;
    let mut batch = Vec::new();
    for i in 0..count {
        batch.extend(format!("PUT big {i:05}{item}\n").bytes());
    }
    filler.send(&batch);
    for _ in 0..count {
        assert_eq!(filler.reply(), b"OK\n");
    }

    let mut c = server.connect();
    // The last request has no LF: EOF ends it.
    c.send(b"PING\nLIST big\nPUT after list\nLIST after");
    c.shutdown_write();
    let all = c.read_to_end();
    let expected_list_bytes = count * (2 + 5 + 100 + 1) + 3;
    assert!(expected_list_bytes > 5_000_000);
    assert_eq!(
        all.len(),
        3 + expected_list_bytes + 3 + "* list\nOK\n".len()
    );
    assert!(all.starts_with(b"OK\n* 49999x"));
    let tail = format!("* 00000{item}\nOK\nOK\n* list\nOK\n");
    assert!(all.ends_with(tail.as_bytes()));
}

#[test]
fn quit_stops_execution_of_what_follows_in_the_same_write() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    c.send(b"PUT q before\nQUIT\nPUT q after\nDROP q\n");
    assert_eq!(c.read_to_end(), b"OK\nOK\n");
    let mut other = server.connect();
    assert_eq!(other.ask("LIST q"), "* before\nOK\n");
}

#[test]
fn kill_create_list_in_one_write_sees_each_effect_in_order() {
    // Regression: with several requests in flight, CREATE reached the
    // manager before the killed list's Down and found the stale name, so
    // the LIST that followed failed.
    let server = Server::start(&[]);
    let mut c = server.connect();
    c.ask("PUT x old");
    c.send(b"KILL x\nCREATE x\nLIST x\nDROP x\nPUT x new\nLIST x\n");
    let replies: Vec<Vec<u8>> = (0..6).map(|_| c.reply()).collect();
    assert_eq!(
        replies,
        [
            &b"OK\n"[..],
            b"OK\n",
            b"OK\n",
            b"OK\n",
            b"OK\n",
            b"* new\nOK\n"
        ]
    );
}
