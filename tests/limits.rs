//! The limits of PROTOCOL.md, each set small on the command line: memory,
//! clients, idle timeout, and running out of descriptors. (The rules of
//! the idle timeout, backpressure and fairness are tested in-process, with
//! a clock moved by hand: see `src/net/tests.rs`.)

use std::net::TcpStream;

use todo_server::todo::memory::{item_cost, list_cost};

use crate::util::{Client, Server};

#[test]
fn memory_limit_refuses_writes_stores_nothing_and_recovers() {
    // Room for list "l" and exactly eight 10-byte items in the store's
    // share; the clients' share beside it is the least --max-line 64
    // allows.
    let limit = list_cost(1) + 8 * item_cost(10);
    let clients = 3 * 64 + 64 + 16 * 1024;
    let total = (limit + clients).to_string();
    let clients = clients.to_string();
    let args = [
        "--max-memory",
        &total,
        "--max-client-memory",
        &clients,
        "--max-line",
        "64",
    ];
    let server = Server::start(&args);
    let mut c = server.connect();
    assert_eq!(c.stat("max_store_memory"), limit);
    for i in 0..8 {
        assert_eq!(c.ask(&format!("PUT l item-{i:05}")), "OK\n");
    }
    assert_eq!(c.stat("used_memory"), limit);
    assert_eq!(c.ask("PUT l item-00008"), "ERR out of memory\n");
    assert_eq!(c.ask("PUT l x"), "ERR out of memory\n");
    assert_eq!(c.ask("PUT other x"), "ERR out of memory\n");
    assert_eq!(c.ask("CREATE other"), "ERR out of memory\n");
    assert_eq!(c.ask("LISTS"), "* l\nOK\n", "no list was created");
    let listed: String = (0..8).rev().map(|i| format!("* item-{i:05}\n")).collect();
    assert_eq!(c.ask("LIST l"), listed + "OK\n");
    assert_eq!(c.stat("used_memory"), limit, "nothing was counted");

    // DEL gives an item back.
    assert_eq!(c.ask("DEL l item-00001"), "OK\n");
    assert_eq!(c.ask("PUT l item-00008"), "OK\n");
    // DROP gives everything back.
    assert_eq!(c.ask("DROP l"), "OK\n");
    assert_eq!(c.stat("used_memory"), 0);
    for i in 0..8 {
        assert_eq!(c.ask(&format!("PUT k item-{i:05}")), "OK\n");
    }
    assert_eq!(c.ask("PUT k item-00008"), "ERR out of memory\n");
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

    // A slot frees up once a client leaves: wait until the server has seen
    // it go, then the next client is admitted.
    drop(clients.pop());
    let mut seen = false;
    for _ in 0..10_000 {
        if clients[0].stat("connections") == 2 {
            seen = true;
            break;
        }
    }
    assert!(seen, "the server saw the client leave");
    let mut admitted = server.connect();
    assert_eq!(admitted.ask("LIST l"), "* x\n* x\n* x\nOK\n");
}

#[test]
fn idle_connection_is_closed_after_the_timeout() {
    // The rules of the idle timeout are tested in-process with a clock
    // moved by hand (net::tests); this shows the option reaches the server.
    let server = Server::start(&["--timeout", "1"]);
    let mut idle = server.connect();
    let mut talker = server.connect();
    assert_eq!(talker.ask("PING"), "OK\n");
    assert_eq!(idle.read_to_end(), b"", "closed, silently");
}

#[test]
fn running_out_of_descriptors_pauses_accepting_and_recovers() {
    // Hard limit 48: the server cannot raise it, says so, and about 30
    // clients fit.
    let server = Server::start_after("ulimit -n 48", &["--max-clients", "1000"]);
    assert!(
        server.wait_for_log("open-file limit is 48"),
        "warned at start"
    );
    let addr = server.addr;
    let mut first = Client::connect(addr);
    assert_eq!(first.ask("PING"), "OK\n");
    // Connections past the limit complete in the kernel's backlog but are
    // not accepted: the server logs the failure and pauses accepting.
    let mut streams: Vec<TcpStream> = (0..60).map(|_| TcpStream::connect(addr).unwrap()).collect();
    assert!(
        server.wait_for_log("accept failed"),
        "the failure is logged"
    );
    // The server accepts in the order the kernel queued the connections,
    // so the first `admitted` streams are served and the rest wait.
    let admitted = first.stat("connections") as usize - 1;
    assert!(admitted > 20 && admitted < 48, "{admitted} admitted");
    let mut clients: Vec<Client> = streams.drain(..admitted).map(Client::from_stream).collect();
    for c in &mut clients {
        assert_eq!(c.ask("PING"), "OK\n");
    }
    // Requests from those still waiting are answered once descriptors free
    // up.
    let mut waiting: Vec<Client> = streams.drain(..20).map(Client::from_stream).collect();
    for c in &mut waiting {
        c.send(b"PING\n");
    }
    clients.truncate(5);
    for c in &mut waiting {
        assert_eq!(c.reply(), b"OK\n");
    }
    for c in clients.iter_mut().chain(&mut waiting) {
        assert_eq!(c.ask("PING"), "OK\n");
    }
}
