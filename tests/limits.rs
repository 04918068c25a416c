//! The limits of PROTOCOL.md, each set small on the command line: memory,
//! clients, idle timeout, and running out of descriptors.

use std::net::TcpStream;
use std::thread;
use std::time::Duration;

use todo_server::todo::memory::{item_cost, list_cost};

use crate::util::{Client, Server};

#[test]
fn memory_limit_refuses_writes_stores_nothing_and_recovers() {
    // Room for list "l" and exactly three 10-byte items.
    let limit = list_cost(1) + 3 * item_cost(10);
    let server = Server::start(&["--max-memory", &limit.to_string()]);
    let mut c = server.connect();
    assert_eq!(c.stat("max_memory"), limit);
    for i in 0..3 {
        assert_eq!(c.ask(&format!("PUT l item-{i:05}")), "OK\n");
    }
    assert_eq!(c.stat("used_memory"), limit);
    assert_eq!(c.ask("PUT l item-00003"), "ERR out of memory\n");
    assert_eq!(c.ask("PUT l x"), "ERR out of memory\n");
    assert_eq!(c.ask("PUT other x"), "ERR out of memory\n");
    assert_eq!(c.ask("CREATE other"), "ERR out of memory\n");
    assert_eq!(c.ask("LISTS"), "* l\nOK\n", "no list was created");
    assert_eq!(
        c.ask("LIST l"),
        "* item-00002\n* item-00001\n* item-00000\nOK\n"
    );
    assert_eq!(c.stat("used_memory"), limit, "nothing was counted");

    // DEL gives an item back.
    assert_eq!(c.ask("DEL l item-00001"), "OK\n");
    assert_eq!(c.ask("PUT l item-00003"), "OK\n");
    // DROP gives everything back.
    assert_eq!(c.ask("DROP l"), "OK\n");
    assert_eq!(c.stat("used_memory"), 0);
    for i in 0..3 {
        assert_eq!(c.ask(&format!("PUT k item-{i:05}")), "OK\n");
    }
    assert_eq!(c.ask("PUT k item-00003"), "ERR out of memory\n");
    // And so does KILL.
    assert_eq!(c.ask("KILL k"), "OK\n");
    assert_eq!(c.stat("used_memory"), 0);
    assert_eq!(c.ask("PUT m item-00000"), "OK\n");
}

#[test]
fn memory_limit_takes_units() {
    let server = Server::start(&["--max-memory", "64mb"]);
    let mut c = server.connect();
    assert_eq!(c.stat("max_memory"), 64 << 20);
    let server = Server::start(&[]);
    let mut c = server.connect();
    assert_eq!(c.stat("max_memory"), 1 << 30, "on by default");
}

#[test]
fn client_over_the_limit_is_refused_and_the_others_are_untouched() {
    let server = Server::start(&["--max-clients", "3"]);
    let mut clients: Vec<Client> = (0..3).map(|_| server.connect()).collect();
    for c in &mut clients {
        assert_eq!(c.ask("PING"), "OK\n");
    }
    let mut refused = server.connect();
    assert_eq!(refused.read_to_end(), b"ERR max clients reached\n");
    for c in &mut clients {
        assert_eq!(c.ask("PUT l x"), "OK\n");
    }
    assert_eq!(clients[0].stat("rejected_connections"), 1);
    assert_eq!(clients[0].stat("connections"), 3);

    // A slot frees up once a client leaves.
    drop(clients.pop());
    let mut admitted = None;
    for _ in 0..200 {
        let mut c = server.connect();
        c.send(b"PING\n");
        let reply = c.read_line();
        if reply == "OK\n" {
            admitted = Some(c);
            break;
        }
        assert_eq!(reply, "ERR max clients reached\n");
        thread::sleep(Duration::from_millis(10));
    }
    let mut admitted = admitted.expect("a client is admitted after one leaves");
    assert_eq!(admitted.ask("LIST l"), "* x\n* x\n* x\nOK\n");
}

#[test]
fn idle_connection_is_closed_after_the_timeout() {
    let server = Server::start(&["--timeout", "1"]);
    let mut idle = server.connect();
    let mut partial = server.connect();
    partial.send(b"PUT half a li");
    let mut busy = server.connect();
    // The busy one talks every 300 ms for 2.4 s: it is never closed.
    for _ in 0..8 {
        assert_eq!(busy.ask("PING"), "OK\n");
        thread::sleep(Duration::from_millis(300));
    }
    assert_eq!(idle.read_to_end(), b"", "closed, silently");
    assert_eq!(partial.read_to_end(), b"", "a partial line is no activity");
    assert_eq!(busy.ask("PING"), "OK\n");
}

#[test]
fn slow_reader_is_busy_not_idle() {
    let server = Server::start(&["--timeout", "1"]);
    let mut c = server.connect();
    c.shrink_receive_buffer();
    let item = "y".repeat(1000);
    let mut batch = Vec::new();
    for i in 0..8_000 {
        batch.extend(format!("PUT big {i:05}{item}\n").bytes());
    }
    c.send(&batch);
    for _ in 0..8_000 {
        assert_eq!(c.reply(), b"OK\n");
    }
    // Ask for an 8 MB reply, more than the kernel's buffers hold (the
    // server's send buffer grows to 4 MB here), and read none of it for
    // 2.5 s, well past the timeout.
    c.send(b"LIST big\n");
    thread::sleep(Duration::from_millis(2500));
    let reply = c.reply();
    assert_eq!(reply.len(), 8_000 * (2 + 5 + 1000 + 1) + 3);
    assert!(reply.starts_with(format!("* 07999{item}\n").as_bytes()));
    assert_eq!(c.ask("PING"), "OK\n");
}

#[test]
fn running_out_of_descriptors_does_not_spin_and_recovers() {
    // Hard limit 48: the server cannot raise it, says so, and about 30
    // clients fit.
    let server = Server::start_after("ulimit -n 48", &["--max-clients", "1000"]);
    assert!(
        server.wait_for_log("open-file limit is 48"),
        "warned at start"
    );
    let addr = server.addr;
    let mut clients: Vec<Client> = Vec::new();
    // Connections past the limit complete in the kernel's backlog but are
    // not accepted, so they are not answered yet.
    let mut waiting: Vec<TcpStream> = Vec::new();
    for _ in 0..60 {
        let stream = TcpStream::connect(addr).unwrap();
        if waiting.is_empty() {
            let mut c = Client::from_stream(stream);
            // Generous: only the first connection that waits pays it, and a
            // busy CI machine must not make an admitted client look waiting.
            c.stream
                .set_read_timeout(Some(Duration::from_secs(2)))
                .unwrap();
            c.send(b"PING\n");
            if c.try_read_line().as_deref() == Some("OK\n") {
                clients.push(c);
                continue;
            }
            waiting.push(c.stream);
        } else {
            waiting.push(stream);
        }
    }
    assert!(
        clients.len() > 20 && clients.len() < 48,
        "{} admitted",
        clients.len()
    );
    assert!(
        server.wait_for_log("accept failed"),
        "the failure is logged"
    );

    // While descriptors are out, the loop sleeps between tries.
    let before = server.cpu_ticks();
    thread::sleep(Duration::from_secs(1));
    let spent = server.cpu_ticks() - before;
    assert!(
        spent < 50,
        "spent {spent} ticks of a second's 100 while out of descriptors"
    );

    // Free descriptors: the waiting connections are served, the first
    // one's PING (sent while it waited) included.
    clients.truncate(5);
    for (i, stream) in waiting.into_iter().take(20).enumerate() {
        let mut c = Client::from_stream(stream);
        if i > 0 {
            c.send(b"PING\n");
        }
        assert_eq!(c.reply(), b"OK\n");
        clients.push(c);
    }
    for c in &mut clients {
        assert_eq!(c.ask("PING"), "OK\n");
    }
}
