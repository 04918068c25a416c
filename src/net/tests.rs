//! In-process tests of the loop and its connections: a real server on an
//! ephemeral loopback port, driven pass by pass by the test, with a clock
//! that the test moves by hand, so that timers fire when the test says and
//! not when a busy machine gets to them. A pass waits for the kernel at
//! most `WAIT`, and a test gives up after `PASSES` passes: bounds on a
//! hang, never a verdict.

use std::cell::Cell;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::rc::Rc;
use std::time::{Duration, Instant};

use super::{Event, Proc, Server};
use crate::config::Config;
use crate::runtime::Runtime;
use crate::shared::Shared;
use crate::todo::{Manager, Todo};

const WAIT: Duration = Duration::from_millis(50);
const PASSES: usize = 4000;

struct Harness {
    server: Server,
    now: Rc<Cell<Instant>>,
}

/// A client whose reads never block: it takes what has arrived.
struct Client {
    stream: TcpStream,
    got: Vec<u8>,
    eof: bool,
}

impl Harness {
    fn start(config: Config) -> Harness {
        let now = Rc::new(Cell::new(Instant::now()));
        let clock = Rc::clone(&now);
        // In memory: these tests are about connections, not the log.
        let config = Config {
            port: 0,
            data_dir: None,
            ..config
        };
        let server = Server::bind_with_clock(&config, move || clock.get()).unwrap();
        Harness { server, now }
    }

    fn advance(&self, by: Duration) {
        self.now.set(self.now.get() + by);
    }

    fn step(&mut self) {
        self.server.step(WAIT).unwrap();
    }

    /// Steps until `done` holds.
    fn until(&mut self, mut done: impl FnMut(&mut Harness) -> bool) {
        for _ in 0..PASSES {
            if done(self) {
                return;
            }
            self.step();
        }
        panic!("gave up after {PASSES} passes");
    }

    /// A client, once the server has accepted it.
    fn connect(&mut self) -> Client {
        let stream = TcpStream::connect(self.server.local_addr()).unwrap();
        stream.set_nonblocking(true).unwrap();
        stream.set_nodelay(true).unwrap();
        let before = self.server.shared().stats().connections();
        self.until(|h| h.server.shared().stats().connections() > before);
        Client {
            stream,
            got: Vec::new(),
            eof: false,
        }
    }

    /// Writes all of `bytes`, stepping the server while the socket is full.
    fn send(&mut self, client: &mut Client, bytes: &[u8]) {
        let mut rest = bytes;
        self.until(|_| {
            match client.stream.write(rest) {
                Ok(n) => rest = &rest[n..],
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(e) => panic!("send: {e}"),
            }
            client.poll();
            rest.is_empty()
        });
    }

    /// Steps until `client` has received `len` bytes in all.
    fn receive(&mut self, client: &mut Client, len: usize) {
        self.until(|_| {
            client.poll();
            client.got.len() >= len
        });
        assert_eq!(client.got.len(), len, "more than expected arrived");
    }
}

impl Client {
    /// Takes whatever has arrived.
    fn poll(&mut self) {
        let mut buf = [0; 64 * 1024];
        loop {
            match self.stream.read(&mut buf) {
                Ok(0) => {
                    self.eof = true;
                    return;
                }
                Ok(n) => self.got.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == ErrorKind::ConnectionReset => {
                    self.eof = true;
                    return;
                }
                Err(e) => panic!("read: {e}"),
            }
        }
    }

    /// Pins the receive buffer small, so that a client that does not read
    /// soon leaves the server holding unsent bytes.
    fn shrink_receive_buffer(&self) {
        use std::os::fd::AsRawFd;
        let size: libc::c_int = 16 * 1024;
        // SAFETY: setsockopt reads `size` for the call's duration only.
        let rc = unsafe {
            libc::setsockopt(
                self.stream.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_RCVBUF,
                &size as *const libc::c_int as *const libc::c_void,
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        assert_eq!(rc, 0, "setsockopt SO_RCVBUF");
    }
}

/// `count` lines `PUT <list> <i><pad>` and the bytes `LIST <list>` answers
/// with once they are stored.
fn fill(list: &str, count: usize, pad: &str) -> (Vec<u8>, Vec<u8>) {
    let mut puts = Vec::new();
    let mut listing = Vec::new();
    for i in 0..count {
        puts.extend(format!("PUT {list} {i:05}{pad}\n").bytes());
    }
    for i in (0..count).rev() {
        listing.extend(format!("* {i:05}{pad}\n").bytes());
    }
    listing.extend(b"OK\n");
    (puts, listing)
}

#[test]
fn an_idle_connection_is_closed_after_the_timeout_and_a_busy_one_never() {
    let mut h = Harness::start(Config {
        timeout: 1,
        ..Config::default()
    });
    let mut idle = h.connect();
    let mut partial = h.connect();
    h.send(&mut partial, b"PUT half a li");
    let mut busy = h.connect();
    // The busy one talks every 300 ms of the server's clock for 2.4 s.
    for round in 1..=8 {
        h.advance(Duration::from_millis(300));
        h.send(&mut busy, b"PING\n");
        h.receive(&mut busy, 3 * round);
        if round == 3 {
            // 0.9 s: no idle check is due yet, whatever the real time.
            idle.poll();
            partial.poll();
            assert!(!idle.eof && !partial.eof, "closed before the timeout");
        }
    }
    h.until(|_| {
        idle.poll();
        partial.poll();
        idle.eof && partial.eof
    });
    assert_eq!(idle.got, b"", "closed silently");
    assert_eq!(partial.got, b"", "a partial line is no activity");
    h.send(&mut busy, b"PING\n");
    h.receive(&mut busy, 27);
    assert!(!busy.eof);
}

#[test]
fn a_slow_reader_is_busy_not_idle() {
    let mut h = Harness::start(Config {
        timeout: 1,
        ..Config::default()
    });
    let mut filler = h.connect();
    // An 8 MB list: more than the kernel's buffers hold for one socket.
    let (puts, listing) = fill("big", 8_000, &"y".repeat(1000));
    h.send(&mut filler, &puts);
    h.receive(&mut filler, 3 * 8_000);
    let mut slow = h.connect();
    slow.shrink_receive_buffer();
    h.send(&mut slow, b"LIST big\n");
    // Read nothing for 2.5 s of the server's clock, well past the timeout.
    for _ in 0..5 {
        h.advance(Duration::from_millis(500));
        h.step();
    }
    h.receive(&mut slow, listing.len());
    assert!(slow.got == listing, "the whole list, in order");
    h.send(&mut slow, b"PING\n");
    h.receive(&mut slow, listing.len() + 3);
    assert!(!slow.eof);
}

#[test]
fn a_flood_from_one_client_does_not_hold_up_another_clients_ping() {
    let mut h = Harness::start(Config::default());
    let mut flooder = h.connect();
    let mut other = h.connect();
    const FLOOD: usize = 10_000;
    // Small enough to sit whole in the kernel's buffers before the pass.
    flooder.stream.write_all(&b"PING\n".repeat(FLOOD)).unwrap();
    other.stream.write_all(b"PING\n").unwrap();
    h.until(|_| {
        other.poll();
        !other.got.is_empty()
    });
    assert_eq!(other.got, b"OK\n");
    flooder.poll();
    let answered = flooder.got.len() / 3;
    assert!(
        answered <= super::connection::BATCH as usize,
        "the other client's PING waited for {answered} of the flood, more than one turn"
    );
    h.receive(&mut flooder, 3 * FLOOD);
}

#[test]
fn a_reader_that_does_not_read_holds_the_server_to_its_output_bound() {
    let mut h = Harness::start(Config::default());
    let mut filler = h.connect();
    let (puts, listing) = fill("big", 10_000, "-padding-");
    h.send(&mut filler, &puts);
    h.receive(&mut filler, 3 * 10_000);
    let mut slow = h.connect();
    slow.shrink_receive_buffer();
    // 200 LISTs, about 44 MB of replies, sent at once and not read.
    slow.stream.write_all(&b"LIST big\n".repeat(200)).unwrap();
    let bound = super::connection::OUTPUT_HIGH_WATER + listing.len();
    for _ in 0..50 {
        h.step();
        let held = h.server.client_bytes();
        assert!(held <= bound, "{held} bytes held, past {bound}");
    }
    // Everyone else is served meanwhile.
    let mut other = h.connect();
    h.send(&mut other, b"PUT other x\nLIST other\n");
    h.receive(&mut other, b"OK\n* x\nOK\n".len());
    // And the slow reader gets every reply, in order.
    h.receive(&mut slow, 200 * listing.len());
    assert!(slow.got == listing.repeat(200));
}

#[test]
fn a_closing_connection_is_freed_only_after_the_queue_has_drained() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (socket, peer) = listener.accept().unwrap();
    socket.set_nonblocking(true).unwrap();
    let mut rt: Runtime<Proc> = Runtime::new(Shared::new(&Config::default()));
    let orphans = rt.shared().budget().orphans().clone();
    let manager = rt.spawn(Proc::Todo(Todo::Manager(Box::new(Manager::new(&orphans)))));
    rt.register(crate::todo::MANAGER, manager);
    let socket = mio::net::TcpStream::from_std(socket);
    let connection = super::Connection::new(socket, peer, Instant::now());
    let pid = rt.spawn(Proc::Connection(Box::new(connection)));
    rt.shared_mut().stats_mut().connection_opened();

    client.write_all(b"PUT a b\nPING").unwrap();
    client.shutdown(std::net::Shutdown::Write).unwrap();
    let ready = Event::Ready {
        readable: true,
        writable: true,
        closed: true,
    };
    rt.send(pid, ready.into());
    rt.run_until_idle();
    let mut connections = super::connections::Connections::default();
    super::before_sleep::BeforeSleep::default().run(&mut rt, &mut connections);
    // Both requests answered and written, EOF seen: the connection is
    // done, but it is still there until the pass ends.
    assert!(rt.is_alive(pid));
    let mut replies = [0; 6];
    client.read_exact(&mut replies).unwrap();
    assert_eq!(&replies, b"OK\nOK\n");
    rt.fire_due_timers(Instant::now());
    rt.run_until_idle();
    assert!(!rt.is_alive(pid), "freed on the next pass");
    assert_eq!(rt.shared().stats().connections(), 0);
    let mut rest = Vec::new();
    client.read_to_end(&mut rest).unwrap();
    assert_eq!(rest, b"", "and its socket closed with it");
}
