//! The memory budget's harder cases: honest requests sent in halves while
//! the clients' share is full, RESP requests half sent by clients that
//! left, RESP replies that could be big (a range of big items, KEYS and
//! SCAN over many names, pops of many items, one big item) asked for by
//! clients that do not read, and big replies that are streamed (KEYS, a
//! pop of many items) being exactly what Redis would send.

use std::io::Write;
use std::net::TcpStream;

use crate::memory::{attacker, honest_client_is_served, reader, room_for_sockets, within_bound};
use crate::util::resp::encode;
use crate::util::{stat_in, wait_until, Client, DataDir, Server};

/// A RESP request, as bytes.
fn req(words: &[&[u8]]) -> Vec<u8> {
    encode(words)
}

#[test]
fn lines_sent_in_halves_are_all_served_when_client_buffers_are_full() {
    // Ten honest clients each send half a 60 KB line, then the rest, then
    // read: together they hold more than the clients' share, and each
    // needs the rest of its line to free any of it. The room kept back
    // lets them finish one at a time.
    let server = Server::start(&["--max-memory", "8mb"]);
    let mut watcher = server.connect();
    let share = watcher.stat("max_client_memory");
    let clients = 10;
    let half = 30_000;
    assert!((clients * 2 * half) as u64 > share, "more than the share");
    let mut sent: Vec<Client> = (0..clients)
        .map(|i| {
            let mut c = server.connect();
            c.send(format!("PUT up{i} ").as_bytes());
            c.send(&vec![b'a' + i as u8; half]);
            c
        })
        .collect();
    for (i, c) in sent.iter_mut().enumerate() {
        c.send(&vec![b'a' + i as u8; half]);
        c.send(b"\n");
    }
    for c in &mut sent {
        assert_eq!(c.reply(), b"OK\n");
    }
    for i in 0..clients {
        let item = vec![b'a' + i as u8; 2 * half];
        let expected = [b"* ", &item[..], b"\nOK\n"].concat();
        assert!(watcher.request(format!("LIST up{i}").as_bytes()) == expected);
    }
}

#[test]
fn resp_requests_half_sent_by_clients_that_left_are_closed() {
    let server = Server::start(&["--max-memory", "8mb"]);
    let mut watcher = server.connect();
    let share = watcher.stat("max_client_memory");
    let slow = stalled_requests(&server, &mut watcher);
    // Twelve that each declare 65,000 bytes, send 60,000, and go: nothing
    // they left can become a request, and there is no room to read it.
    let left: Vec<TcpStream> = (0..12)
        .map(|_| {
            let mut a = attacker(&server);
            a.write_all(b"*3\r\n$3\r\nPUT\r\n$1\r\na\r\n$65000\r\n")
                .unwrap();
            a.write_all(&[b'x'; 60_000]).unwrap();
            a
        })
        .collect();
    drop(left);
    assert!(
        server.wait_for_log("left part of a request"),
        "{}",
        server.log.text()
    );
    wait_until("the half requests to be closed", || {
        watcher.stat("connections") <= 4
    });
    assert!(watcher.stat("evicted_clients") >= 1);
    // The slow ones go too; then an honest request of 10 KB goes through.
    drop(slow);
    let mut honest = server.connect();
    let item = vec![b'y'; 10_000];
    assert_eq!(honest.resp(&[b"RPUSH", b"h", &item]), b":1\r\n");
    assert!(watcher.stat("client_memory") < share);
}

/// Three clients that each send 60 KB of a 65 KB request and stall, at
/// the default --max-line with --max-memory 8mb: the first fills client
/// buffers, the second takes the room kept back for finishing requests,
/// and holds it; the third waits. Returns once the server holds them.
fn stalled_requests(server: &Server, watcher: &mut Client) -> Vec<TcpStream> {
    let slow = (0..3)
        .map(|_| {
            let mut a = attacker(server);
            a.write_all(b"*3\r\n$3\r\nPUT\r\n$1\r\ns\r\n$65000\r\n")
                .unwrap();
            a.write_all(&[b's'; 60_000]).unwrap();
            a
        })
        .collect();
    wait_until("the stalled requests to be read", || {
        watcher.stat("client_memory") >= 110_000
    });
    slow
}

/// Starts `clients` connections that send `request` `times` times and never
/// read; waits until the server has answered `answered` requests more.
fn flood(server: &Server, clients: usize, request: &[u8], times: usize) -> Vec<TcpStream> {
    room_for_sockets(clients);
    let mut watcher = server.connect();
    let before = watcher.stat("commands");
    let attackers: Vec<TcpStream> = (0..clients)
        .map(|_| {
            let mut a = attacker(server);
            a.write_all(&request.repeat(times)).unwrap();
            a
        })
        .collect();
    wait_until("each attacker to be answered once", || {
        watcher.stat("commands") >= before + clients as u64
    });
    attackers
}

#[test]
fn ranges_of_big_items_to_clients_that_do_not_read_stay_within_the_bound() {
    let server = Server::start(&["--max-memory", "64mb"]);
    let mut c = server.connect();
    let item = vec![b'i'; 60_000];
    for _ in 0..256 {
        assert!(c.resp(&[b"RPUSH", b"big", &item]).starts_with(b":"));
    }
    let range = req(&[b"LRANGE", b"big", b"0", b"255"]);
    let expected = c.resp(&[b"LRANGE", b"big", b"0", b"255"]);
    let mut attackers = flood(&server, 20, &range, 3);
    honest_client_is_served(&server);
    within_bound(&server, 64 << 20, 22);
    // One reads, late: its three replies, byte for byte.
    let mut late = reader(attackers.pop().unwrap());
    for i in 0..3 {
        assert!(late.resp_reply() == expected, "reply {i} differs");
    }
}

#[test]
fn keys_and_scans_over_many_names_to_clients_that_do_not_read_stay_within_the_bound() {
    let server = Server::start(&["--max-memory", "64mb"]);
    let mut c = server.connect();
    let mut batch = Vec::new();
    for i in 0..100_000 {
        batch.extend(req(&[
            b"RPUSH",
            format!("user:session:{i:06}").as_bytes(),
            b"x",
        ]));
    }
    c.send(&batch);
    for _ in 0..100_000 {
        assert_eq!(c.resp_reply(), b":1\r\n");
    }
    let keys = req(&[b"KEYS", b"user:*"]);
    let scan = req(&[b"SCAN", b"0", b"COUNT", b"1048576"]);
    let mut keyers = flood(&server, 10, &keys, 2);
    let _scanners = flood(&server, 10, &scan, 2);
    honest_client_is_served(&server);
    within_bound(&server, 64 << 20, 23);
    // A late reader gets every name, in order.
    let mut late = reader(keyers.pop().unwrap());
    let reply = late.resp_reply();
    let mut expected = b"*100000\r\n".to_vec();
    for i in 0..100_000 {
        expected.extend(format!("$19\r\nuser:session:{i:06}\r\n").bytes());
    }
    assert!(reply == expected, "KEYS streamed is KEYS");
}

#[test]
fn a_scan_moves_on_by_its_count_whatever_the_names_share() {
    // Names that share their first bytes: each call looks at about COUNT.
    let server = Server::start(&[]);
    let mut c = server.connect();
    let mut batch = Vec::new();
    for i in 0..20_000 {
        batch.extend(req(&[
            b"RPUSH",
            format!("user:session:{i}").as_bytes(),
            b"x",
        ]));
    }
    c.send(&batch);
    for _ in 0..20_000 {
        c.resp_reply();
    }
    let mut cursor = b"0".to_vec();
    let mut seen = std::collections::HashSet::new();
    let mut calls = 0;
    loop {
        let reply = c.resp(&[b"SCAN", &cursor, b"COUNT", b"10"]);
        let text = String::from_utf8(reply).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        cursor = lines[2].as_bytes().to_vec();
        let names: Vec<&str> = lines[5..].iter().step_by(2).copied().collect();
        assert!(names.len() <= 10, "{} names for COUNT 10", names.len());
        for name in names {
            assert!(seen.insert(name.to_owned()), "{name} twice");
        }
        calls += 1;
        assert!(calls < 10_000, "the scan does not end");
        if cursor == b"0" {
            break;
        }
    }
    assert_eq!(seen.len(), 20_000);
}

#[test]
fn pops_of_many_items_refilled_and_popped_again_stay_within_the_bound() {
    // A client pops a 20 MB list whole and does not read; the list is
    // filled again and popped again. What the pops took is the clients'
    // to hold, and what of it does not fit their share is still counted
    // against the store: the store cannot be filled again meanwhile. A
    // popper that stays stalled long enough is evicted (on a slow machine
    // that can happen between rounds), and then what it held is free.
    const ROUND: u64 = 20_000 * 1000;
    let server = Server::start(&["--max-memory", "64mb"]);
    let mut filler = server.connect();
    let item = vec![b'p'; 1000];
    let mut poppers = Vec::new();
    let mut refused = false;
    for round in 1..=5 {
        let mut batch = Vec::new();
        for _ in 0..20_000 {
            batch.extend(req(&[b"RPUSH", b"big", &item]));
        }
        filler.send(&batch);
        for _ in 0..20_000 {
            let reply = filler.resp_reply();
            refused |= reply.starts_with(b"-OOM");
        }
        let mut popper = attacker(&server);
        popper
            .write_all(&req(&[b"LPOP", b"big", b"1000000"]))
            .unwrap();
        poppers.push(popper);
        wait_until("the pop", || filler.resp(&[b"EXISTS", b"big"]) == b":0\r\n");
        // One STATS, so that the count and the evictions are of one instant.
        let stats = filler.ask("STATS");
        let (held, evicted) = (
            stat_in(&stats, "client_memory"),
            stat_in(&stats, "evicted_clients"),
        );
        eprintln!("round {round}: {held} {evicted} {refused}");
        if evicted == 0 && !refused {
            assert!(held >= round * ROUND / 2, "round {round}: {held} held");
        }
    }
    let evicted = filler.stat("evicted_clients");
    assert!(
        refused || evicted > 0,
        "a refill was accepted while the popped data lived on"
    );
    honest_client_is_served(&server);
    within_bound(&server, 64 << 20, 5);
}

#[test]
fn one_big_item_to_many_clients_that_do_not_read_stays_within_the_bound() {
    let server = Server::start(&["--max-memory", "8mb"]);
    let mut c = server.connect();
    let item = vec![b'z'; 60_000];
    assert_eq!(c.resp(&[b"RPUSH", b"one", &item]), b":1\r\n");
    let index = req(&[b"LINDEX", b"one", b"0"]);
    let clients = 1500;
    let _attackers = flood(&server, clients, &index, 20);
    honest_client_is_served(&server);
    within_bound(&server, 8 << 20, clients + 3);
}

#[test]
fn pops_of_many_items_answer_as_redis_and_survive_a_restart() {
    let dir = DataDir::new();
    let server = Server::start_on(&dir, &["--fsync", "always"]);
    let mut c = server.connect();
    let mut batch = Vec::new();
    for i in 0..50_000 {
        batch.extend(req(&[b"RPUSH", b"l", format!("{i:05}").as_bytes()]));
    }
    c.send(&batch);
    for _ in 0..50_000 {
        c.resp_reply();
    }
    // 20,000 from the head (the first pushed), 20,000 from the tail.
    let head = c.resp(&[b"LPOP", b"l", b"20000"]);
    let tail = c.resp(&[b"RPOP", b"l", b"20000"]);
    let expected = |items: &mut dyn Iterator<Item = u32>| {
        let mut out = b"*20000\r\n".to_vec();
        for i in items {
            out.extend(format!("$5\r\n{i:05}\r\n").bytes());
        }
        out
    };
    assert!(
        head == expected(&mut (0..20_000)),
        "LPOP takes the head first"
    );
    assert!(
        tail == expected(&mut (30_000..50_000).rev()),
        "RPOP the tail first"
    );
    let rest = c.resp(&[b"LRANGE", b"l", b"0", b"-1"]);
    drop(c);
    crate::durability::crash(server);
    let server = Server::start_on(&dir, &[]);
    let mut c = server.connect();
    assert!(
        c.resp(&[b"LRANGE", b"l", b"0", b"-1"]) == rest,
        "the same after a restart"
    );
    assert_eq!(c.resp(&[b"LLEN", b"l"]), b":10000\r\n");
}

#[test]
fn a_client_that_half_closes_while_its_reply_waits_for_room_holds_up_no_one() {
    // Client buffers full and the room kept back taken: a request whose
    // reply needs room waits. Its client half-closes meanwhile: the
    // connection must wait too, not spin the loop asking to be written.
    let server = Server::start(&["--max-memory", "8mb"]);
    let mut watcher = server.connect();
    let _slow = stalled_requests(&server, &mut watcher);
    let mut c = server.connect();
    c.send(&req(&[b"LINDEX", b"k", b"0"]));
    c.shutdown_write();
    assert_eq!(watcher.request(b"PING"), b"OK\n", "the loop goes on");
    // Once the stalled ones are gone, the waiting request is answered.
    assert_eq!(c.resp_reply(), b"$-1\r\n");
}

#[test]
fn a_list_killed_halfway_through_an_lrem_gives_back_all_it_held() {
    let server = Server::start(&["--max-memory", "64mb"]);
    let (mut a, mut b) = (server.connect(), server.connect());
    // Some 1,500 chunks: an LREM of all takes some 25 loop passes.
    let (x, y) = (vec![b'x'; 100], vec![b'y'; 100]);
    for _ in 0..60 {
        let mut batch = Vec::new();
        for _ in 0..1_000 {
            batch.extend(req(&[b"RPUSH", b"big", &x, &y]));
        }
        a.send(&batch);
        for _ in 0..1_000 {
            a.resp_reply();
        }
    }
    // Both read in one loop pass: the LREM's first slice, then the DEL.
    server.signal("STOP");
    a.send(&req(&[b"LREM", b"big", b"0", &x]));
    b.send(&req(&[b"DEL", b"big"]));
    server.signal("CONT");
    let _ = a.resp_reply();
    assert_eq!(b.resp_reply(), b":1\r\n");
    let mut w = server.connect();
    assert_eq!(
        (w.stat("lists"), w.stat("items"), w.stat("used_memory")),
        (0, 0, 0),
        "nothing is left counted"
    );
}
