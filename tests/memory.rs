//! The memory budget against the attacks it was built for: clients that
//! do not read their replies, that hold half a line, that snapshot a big
//! list and let it change under them. Each runs against a small
//! `--max-memory`; the server's peak resident memory (`VmHWM`) must stay
//! under `--max-memory` plus the allowance the README states (32 MiB and
//! 4 KiB per open connection), honest clients are served throughout, and
//! a client that reads late gets every reply, in order, byte for byte.

use std::io::{Read, Write};
use std::net::TcpStream;

use crate::util::{Client, Server};

/// The fixed allowance above `--max-memory`.
const ALLOWANCE: u64 = 32 << 20;

/// The allowance per open connection.
const PER_CONNECTION: u64 = 4 << 10;

/// The bound on the server's resident memory with `connections` open.
pub fn bound(max_memory: u64, connections: usize) -> u64 {
    max_memory + ALLOWANCE + PER_CONNECTION * connections as u64
}

/// Checks the server's peak resident memory so far against the bound for
/// `max_memory` and `connections`, and prints both (the figures the README
/// and the closing notes quote: `cargo test memory budget -- --nocapture`);
/// returns the bound.
pub fn within_bound(server: &Server, max_memory: u64, connections: usize) -> u64 {
    let (peak, limit) = (server.peak_rss(), bound(max_memory, connections));
    let mb = |bytes: u64| bytes as f64 / (1 << 20) as f64;
    let test = std::thread::current().name().unwrap_or("").to_owned();
    eprintln!(
        "{test}: peak RSS {:.1} MiB, bound {:.1} MiB",
        mb(peak),
        mb(limit)
    );
    assert!(peak < limit, "peak RSS {peak} over {limit}");
    limit
}

/// A client socket with a small receive buffer, so that replies it does
/// not read stay in the server, not in the kernel.
pub fn attacker(server: &Server) -> TcpStream {
    let mut c = server.connect();
    c.shrink_receive_buffer();
    c.stream
}

/// An attacker that turns into a reader, with a receive buffer fit for it.
pub fn reader(stream: TcpStream) -> Client {
    let mut c = Client::from_stream(stream);
    c.set_receive_buffer(1 << 20);
    c
}

/// Lets this test process open `n` more sockets.
pub fn room_for_sockets(n: usize) {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit read and write the struct we own.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
        let wanted = (n as u64 + 256).min(limit.rlim_max);
        if limit.rlim_cur < wanted {
            limit.rlim_cur = wanted;
            assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &limit), 0);
        }
    }
}

/// Fills list `name` with `count` items of `size` bytes; returns the bytes
/// `LIST name` answers with.
fn fill(c: &mut Client, name: &str, count: usize, size: usize) -> Vec<u8> {
    let pad = "p".repeat(size - 8);
    let mut batch = Vec::new();
    let mut sent = 0;
    for i in 0..count {
        batch.extend(format!("PUT {name} {i:08}{pad}\n").bytes());
        sent += 1;
        if sent == 1000 || i + 1 == count {
            c.send(&batch);
            batch.clear();
            for _ in 0..sent {
                assert_eq!(c.reply(), b"OK\n");
            }
            sent = 0;
        }
    }
    let listing = c.request(format!("LIST {name}").as_bytes());
    assert_eq!(listing.len(), count * (size + 3) + 3);
    listing
}

/// Waits until the server has answered at least `n` requests in all.
pub fn wait_for_commands(watcher: &mut Client, n: u64) {
    for _ in 0..100_000 {
        if watcher.stat("commands") >= n {
            return;
        }
    }
    panic!("the server never answered {n} requests");
}

/// An honest client gets its answers.
pub fn honest_client_is_served(server: &Server) {
    let mut c = server.connect();
    assert_eq!(c.ask("PING"), "OK\n");
    assert_eq!(c.ask("PUT honest x"), "OK\n");
    assert_eq!(c.ask("LIST honest"), "* x\nOK\n");
    assert_eq!(c.ask("DEL honest x"), "OK\n");
}

#[test]
fn non_readers_of_a_big_list_cannot_grow_the_server() {
    // --max-memory 2mb: 1.75 MiB for stored data, and a list of 1.6 MB.
    let clients = 300;
    room_for_sockets(clients);
    let server = Server::start(&["--max-memory", "2mb"]);
    let mut filler = server.connect();
    let listing = fill(&mut filler, "big", 1600, 1000);
    let before = filler.stat("commands");
    let mut attackers: Vec<TcpStream> = (0..clients).map(|_| attacker(&server)).collect();
    for a in &mut attackers {
        a.write_all(&b"LIST big\n".repeat(3)).unwrap();
    }
    // Each is answered once (the reply streams as the client reads: it
    // does not), and takes no more requests while it does not read.
    wait_for_commands(&mut filler, before + clients as u64);
    honest_client_is_served(&server);
    let limit = within_bound(&server, 2 << 20, clients + 3);
    // One of them reads, late: all three replies, byte for byte.
    let mut late = reader(attackers.pop().unwrap());
    for i in 0..3 {
        assert!(late.reply() == listing, "reply {i} differs");
    }
    assert_eq!(late.ask("PING"), "OK\n");
    let peak = server.peak_rss();
    assert!(peak < limit, "peak RSS {peak} over {limit} while it read");
}

#[test]
fn non_readers_of_a_huge_list_share_it_instead_of_copying_it() {
    // --max-memory 64mb: 62 MiB for stored data, and a 55 MB list.
    let clients = 8;
    let server = Server::start(&["--max-memory", "64mb"]);
    let mut filler = server.connect();
    let listing = fill(&mut filler, "huge", 55_000, 1000);
    let before = filler.stat("commands");
    let mut attackers: Vec<TcpStream> = (0..clients).map(|_| attacker(&server)).collect();
    for a in &mut attackers {
        a.write_all(b"LIST huge\nLIST huge\n").unwrap();
    }
    wait_for_commands(&mut filler, before + clients as u64);
    honest_client_is_served(&server);
    within_bound(&server, 64 << 20, clients + 3);
    let mut late = reader(attackers.pop().unwrap());
    assert!(late.reply() == listing && late.reply() == listing);
}

#[test]
fn pipelined_requests_that_are_never_read_fill_only_the_clients_share() {
    let clients = 1000;
    room_for_sockets(clients);
    let server = Server::start(&["--max-memory", "8mb"]);
    let mut watcher = server.connect();
    let mut attackers: Vec<TcpStream> = (0..clients).map(|_| attacker(&server)).collect();
    for a in &mut attackers {
        a.write_all(&b"HELP\n".repeat(300)).unwrap();
    }
    // Each has its 64 KiB of replies, or its 2 KiB once the clients' share
    // is used up, and no more: at least one HELP each is answered.
    wait_for_commands(&mut watcher, clients as u64);
    honest_client_is_served(&server);
    within_bound(&server, 8 << 20, clients + 2);
    let help = watcher.request(b"HELP");
    let mut late = reader(attackers.pop().unwrap());
    for i in 0..300 {
        assert!(late.reply() == help, "reply {i} differs");
    }
}

#[test]
fn half_lines_from_many_clients_fill_only_the_clients_share() {
    let clients = 2000;
    room_for_sockets(clients);
    let server = Server::start(&["--max-memory", "8mb"]);
    let mut watcher = server.connect();
    let share = watcher.stat("max_client_memory");
    let mut attackers: Vec<TcpStream> = (0..clients).map(|_| attacker(&server)).collect();
    let half = |verb: &[u8]| {
        let mut line = verb.to_vec();
        line.resize(64 * 1024 - 1, b'h');
        line
    };
    // One of them means it; the others' lines, ended by EOF when they go,
    // are errors, which store nothing.
    for (i, a) in attackers.iter_mut().enumerate() {
        let verb: &[u8] = if i + 1 == clients {
            b"PUT half "
        } else {
            b"NOPE "
        };
        a.write_all(&half(verb)).unwrap();
    }
    // The server reads until the clients' share is used up (but for the
    // room kept back to finish one request), then only what each
    // connection's own allowance holds.
    let kept_back = 3 * 65536 + 64;
    for _ in 0..100_000 {
        if watcher.stat("client_memory") >= share - kept_back {
            break;
        }
    }
    assert!(
        watcher.stat("client_memory") >= share - kept_back,
        "the share filled up"
    );
    honest_client_is_served(&server);
    within_bound(&server, 8 << 20, clients + 2);
    // Backpressure, not loss: once the others are gone, a line completed
    // late is read, answered and stored whole.
    let mut late = reader(attackers.pop().unwrap());
    drop(attackers);
    late.send(b"h\n");
    assert_eq!(late.reply(), b"OK\n");
    let item = watcher.ask("LIST half");
    assert_eq!(item.len(), 2 + (64 * 1024 - 1 - 9 + 1) + 1 + 3);
}

#[test]
fn a_snapshot_held_by_a_non_reader_while_its_list_is_dropped_gets_it_evicted() {
    // The list changes under a snapshot nobody reads: its old chunks live
    // on for the snapshot alone, counted in the clients' share, until the
    // connection that holds them is closed.
    let server = Server::start(&["--max-memory", "16mb"]);
    let mut filler = server.connect();
    fill(&mut filler, "big", 6_000, 1000);
    let before = filler.stat("commands");
    let mut hoarder = attacker(&server);
    hoarder.write_all(b"LIST big\n").unwrap();
    wait_for_commands(&mut filler, before + 1);
    assert_eq!(filler.ask("DROP big"), "OK\n");
    assert!(filler.stat("client_memory") > filler.stat("max_client_memory"));
    // Not reading for a second, over its fair share: closed.
    assert!(server.wait_for_log("evicted"), "{}", server.log.text());
    assert_eq!(filler.stat("evicted_clients"), 1);
    let mut rest = Vec::new();
    let _ = hoarder.read_to_end(&mut rest);
    assert!(filler.stat("client_memory") < filler.stat("max_client_memory"));
    honest_client_is_served(&server);
}

#[test]
fn a_streamed_list_is_the_list_as_it_was_when_served() {
    let server = Server::start(&[]);
    let mut writer = server.connect();
    let listing = fill(&mut writer, "big", 8_000, 1000);
    let mut reader = server.connect();
    reader.shrink_receive_buffer();
    reader.send(b"LIST big\n");
    // The reply has begun; the rest is still in the server's snapshot.
    let first = reader.read_line();
    assert_eq!(first.as_bytes(), &listing[..first.len()]);
    assert_eq!(writer.ask("PUT big new"), "OK\n");
    assert_eq!(
        writer.ask(&format!("DEL big {:08}{}", 3, "p".repeat(992))),
        "OK\n"
    );
    assert_eq!(writer.ask("DROP big"), "OK\n");
    assert_eq!(writer.ask("PUT big other"), "OK\n");
    let mut rest = first.into_bytes();
    rest.extend(reader.reply());
    assert!(
        rest == listing,
        "the reply is the list at the moment it was served"
    );
    assert_eq!(reader.ask("LIST big"), "* other\nOK\n");
}

#[test]
fn lists_of_many_names_is_streamed_and_sorted() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    let mut batch = Vec::new();
    for i in (0..3000).rev() {
        batch.extend(format!("CREATE n{i:05}\n").bytes());
    }
    c.send(&batch);
    for _ in 0..3000 {
        assert_eq!(c.reply(), b"OK\n");
    }
    let mut reader = server.connect();
    reader.shrink_receive_buffer();
    reader.send(b"LISTS\n");
    let first = reader.read_line();
    assert_eq!(first, "* n00000\n");
    assert_eq!(c.ask("DROP n00002"), "OK\n");
    assert_eq!(c.ask("CREATE a"), "OK\n");
    let rest = String::from_utf8(reader.reply()).unwrap();
    let names: Vec<&str> = rest.lines().collect();
    assert_eq!(names.len(), 3000);
    assert_eq!(names[1], "* n00002", "as it was when served");
    assert_eq!(names[2998], "* n02999");
}

#[test]
fn every_attack_at_once_stays_within_the_bound() {
    let (listers, pipeliners, halves) = (100, 300, 500);
    room_for_sockets(listers + pipeliners + halves);
    let server = Server::start(&["--max-memory", "64mb"]);
    let mut filler = server.connect();
    fill(&mut filler, "big", 30_000, 1000);
    let before = filler.stat("commands");
    let mut held: Vec<TcpStream> = Vec::new();
    for _ in 0..listers {
        let mut a = attacker(&server);
        a.write_all(b"LIST big\nLIST big\n").unwrap();
        held.push(a);
    }
    for _ in 0..pipeliners {
        let mut a = attacker(&server);
        a.write_all(&b"HELP\n".repeat(300)).unwrap();
        held.push(a);
    }
    for _ in 0..halves {
        let mut a = attacker(&server);
        let mut line = b"NOPE ".to_vec();
        line.resize(64 * 1024 - 1, b'h');
        a.write_all(&line).unwrap();
        held.push(a);
    }
    wait_for_commands(&mut filler, before + (listers + pipeliners) as u64);
    // The list the snapshots share goes: its chunks live on for them, and
    // writes go on (within each connection's own allowance while the
    // half lines hold the clients' share).
    assert_eq!(filler.ask("DROP big"), "OK\n");
    fill(&mut filler, "big", 200, 1000);
    honest_client_is_served(&server);
    within_bound(&server, 64 << 20, listers + pipeliners + halves + 3);
    drop(held);
    honest_client_is_served(&server);
}
