//! Randomized tests, with a fixed seed that is printed (replay one with
//! `TEST_SEED=<seed>`): the parser on arbitrary bytes, one reply per line,
//! and a soak of many misbehaving clients.

use std::collections::HashSet;
use std::thread;

use todo_server::protocol::{next_line, parse, reply, Frame};

use crate::util::rng::{gets_reply, Rng};
use crate::util::{Client, Server};

/// The line limit these tests run the server with, so that random long
/// lines hit it.
const MAX_LINE: usize = 64;

#[test]
fn parser_never_panics_on_arbitrary_bytes() {
    let mut rng = Rng::from_env("parser_never_panics_on_arbitrary_bytes", 1);
    let mut out = Vec::new();
    for _ in 0..20_000 {
        let mut buf = rng.bytes(200);
        for _ in 0..rng.below(4) {
            let at = rng.below(buf.len() as u64 + 1) as usize;
            buf.insert(at, b'\n');
        }
        let mut rest = &buf[..];
        loop {
            match next_line(rest, MAX_LINE) {
                Frame::Line { len, next } => {
                    if let Some(Err(e)) = parse(&rest[..len]) {
                        out.clear();
                        reply::error(&mut out, &e);
                        // An error is one terminal line.
                        assert!(out.starts_with(b"ERR ") && out.ends_with(b"\n"));
                        assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 1);
                    }
                    rest = &rest[next..];
                }
                Frame::TooLong { next: Some(next) } => rest = &rest[next..],
                Frame::TooLong { next: None } | Frame::Partial => break,
            }
        }
    }
}

/// The number of replies the server owes for `line` (sent with its LF).
fn replies_owed(line: &[u8]) -> usize {
    let content = line.strip_suffix(b"\r").unwrap_or(line);
    usize::from(content.len() > MAX_LINE || gets_reply(line))
}

#[test]
fn every_complete_non_blank_line_gets_exactly_one_reply() {
    let mut rng = Rng::from_env("every_complete_non_blank_line_gets_exactly_one_reply", 2);
    let server = Server::start(&["--max-line", &MAX_LINE.to_string()]);
    let mut c = server.connect();
    let names = ["a", "b", "c"];
    let mut batch = Vec::new();
    let mut owed = 0;
    for _ in 0..3_000 {
        let line = if rng.chance(3) {
            vec![b'z'; MAX_LINE + 1 + rng.below(100) as usize]
        } else {
            rng.line(&names)
        };
        owed += replies_owed(&line);
        batch.extend(&line);
        batch.push(b'\n');
    }
    batch.extend(b"PING\n");
    c.send(&batch);
    // `reply` checks each reply: data lines, then one OK or ERR line.
    for _ in 0..owed {
        c.reply();
    }
    assert_eq!(
        c.reply(),
        b"OK\n",
        "the final PING, and nothing more before it"
    );
    c.shutdown_write();
    assert_eq!(c.read_to_end(), b"", "no reply left over");
}

/// Connections each soak client makes, one after another.
const SOAK_ROUNDS: usize = 60;

/// What one soak client does, for `SOAK_ROUNDS` connections; returns the
/// items it put to its own list and saw acknowledged.
fn soak_client(server: std::net::SocketAddr, seed: u64, me: usize) -> Vec<String> {
    let mut rng = Rng::from_env(&format!("soak client {me}"), seed);
    // Random commands go to these lists; `keep-<me>` is never dropped,
    // killed or deleted from, so its acknowledged items must all stay.
    let names = ["r0", "r1", "r2", "r3"];
    let keep = format!("keep-{me}");
    let mut acked = Vec::new();
    let mut n = 0;
    for _ in 0..SOAK_ROUNDS {
        let mut c = Client::connect(server);
        let mut batch = Vec::new();
        // (owed replies, the item if this line is a tracked PUT)
        let mut lines: Vec<(usize, Option<String>)> = Vec::new();
        for _ in 0..rng.below(40) + 1 {
            if rng.chance(20) {
                n += 1;
                let item = format!("v{n}");
                batch.extend(format!("PUT {keep} {item}\n").bytes());
                lines.push((1, Some(item)));
            } else {
                let line = rng.line(&names);
                lines.push((replies_owed(&line), None));
                batch.extend(&line);
                batch.push(b'\n');
            }
        }
        // Sometimes in two writes, split anywhere.
        let split = rng.below(batch.len() as u64) as usize;
        c.send(&batch[..split]);
        c.send(&batch[split..]);
        match rng.below(3) {
            // Read every reply, in order.
            0 => {
                for (owed, item) in lines {
                    for _ in 0..owed {
                        let reply = c.reply();
                        if let Some(item) = &item {
                            assert_eq!(reply, b"OK\n", "PUT {keep} {item}");
                            acked.push(item.clone());
                        }
                    }
                }
            }
            // Half-close: every reply still arrives, then EOF.
            1 => {
                c.shutdown_write();
                let all = c.read_to_end();
                let terminal = all
                    .split_inclusive(|&b| b == b'\n')
                    .filter(|l| *l == b"OK\n" || l.starts_with(b"ERR "))
                    .count();
                let owed: usize = lines.iter().map(|(owed, _)| owed).sum();
                assert_eq!(terminal, owed, "replies after half-close");
            }
            // Abrupt: hang up without reading; unread replies make it a
            // reset.
            _ => drop(c),
        }
    }
    acked
}

#[test]
fn soak_of_misbehaving_clients_loses_nothing_acknowledged() {
    let base = Rng::from_env("soak_of_misbehaving_clients_loses_nothing_acknowledged", 3).next();
    let mut server = Server::start(&["--max-line", &MAX_LINE.to_string()]);
    let addr = server.addr;
    let clients: Vec<_> = (0..24)
        .map(|me| thread::spawn(move || soak_client(addr, base.wrapping_add(me as u64), me)))
        .collect();
    let acked: Vec<Vec<String>> = clients.into_iter().map(|c| c.join().unwrap()).collect();

    assert!(server.is_running());
    let mut c = server.connect();
    assert_eq!(c.ask("PING"), "OK\n");
    let mut total = 0;
    for (me, items) in acked.iter().enumerate() {
        if items.is_empty() {
            continue;
        }
        let list = c.ask(&format!("LIST keep-{me}"));
        let present: HashSet<&str> = list.lines().filter_map(|l| l.strip_prefix("* ")).collect();
        for item in items {
            assert!(present.contains(item.as_str()), "keep-{me} lost {item}");
        }
        total += items.len();
    }
    assert!(
        total > 100,
        "only {total} PUTs were acknowledged: the soak did little"
    );
    eprintln!("soak: {total} acknowledged PUTs, all present");
    // The server still answers correctly.
    assert_eq!(c.ask("PUT after soak"), "OK\n");
    assert_eq!(c.ask("LIST after"), "* soak\nOK\n");
}
