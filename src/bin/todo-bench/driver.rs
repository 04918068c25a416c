//! The load generator's loop: one thread, one `mio::Poll`, many
//! connections, each keeping `pipeline` requests in flight. A connection
//! reads what it can, takes every whole reply from its input (recording
//! its latency, from the write of its request to the read that completed
//! it), tops its pipeline up, and writes once.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};

use crate::histogram::Histogram;
use crate::replies;
use crate::requests::Expect;
use crate::workload::Proto;

/// Input buffer per connection; grows for replies that do not fit.
const INPUT: usize = 64 * 1024;

/// Where requests come from: appends one to the buffer and says what its
/// reply must be, or `None` when there are no more.
pub type Source<'a> = dyn FnMut(&mut Vec<u8>) -> Option<Expect> + 'a;

/// When a run stops issuing requests.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    /// After this many requests.
    pub requests: Option<u64>,
    /// At this moment.
    pub until: Option<Instant>,
}

/// What a run measured.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Replies received.
    pub completed: u64,
    /// Replies that were errors, malformed, or not what was asked for.
    pub errors: u64,
    /// From the first request written to the last reply read.
    pub elapsed: Duration,
    /// Latencies, if recorded.
    pub latency: Histogram,
}

struct Conn {
    stream: TcpStream,
    output: Vec<u8>,
    sent: usize,
    input: Vec<u8>,
    start: usize,
    end: usize,
    /// Requests in flight: when each was written, and what it expects.
    pending: VecDeque<(Instant, Expect)>,
    /// How far the reply at `input[start..]` has been scanned.
    scan: replies::Scan,
}

/// Open connections to one server.
pub struct Driver {
    poll: Poll,
    events: Events,
    conns: Vec<Conn>,
    proto: Proto,
    /// The connections each poll found ready, and whether readable.
    ready: Vec<(usize, bool)>,
}

impl std::fmt::Debug for Driver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Driver")
            .field("connections", &self.conns.len())
            .finish()
    }
}

impl Driver {
    /// Opens `count` connections to `addr`.
    pub fn connect(addr: SocketAddr, count: usize, proto: Proto) -> io::Result<Driver> {
        let poll = Poll::new()?;
        let mut conns = Vec::with_capacity(count);
        for i in 0..count {
            let stream = std::net::TcpStream::connect(addr)?;
            stream.set_nodelay(true)?;
            stream.set_nonblocking(true)?;
            let mut stream = TcpStream::from_std(stream);
            poll.registry().register(
                &mut stream,
                Token(i),
                Interest::READABLE | Interest::WRITABLE,
            )?;
            conns.push(Conn {
                stream,
                output: Vec::new(),
                sent: 0,
                input: Vec::new(),
                start: 0,
                end: 0,
                pending: VecDeque::new(),
                scan: replies::Scan::default(),
            });
        }
        Ok(Driver {
            poll,
            events: Events::with_capacity(1024),
            conns,
            proto,
            ready: Vec::new(),
        })
    }

    /// How many connections are open.
    pub fn len(&self) -> usize {
        self.conns.len()
    }

    /// Sends requests from `source`, `pipeline` in flight per connection,
    /// until `limit` or the source runs out, and waits for every reply.
    /// `progress` is called about once a second with the replies so far.
    pub fn run(
        &mut self,
        pipeline: usize,
        source: &mut Source<'_>,
        limit: Limit,
        record: bool,
        progress: &mut dyn FnMut(u64),
    ) -> io::Result<Outcome> {
        let mut outcome = Outcome::default();
        let mut issued = 0u64;
        let mut exhausted = false;
        let start = Instant::now();
        let mut next_progress = start + Duration::from_secs(1);
        let mut now = start;
        for i in 0..self.conns.len() {
            self.top_up(i, pipeline, source, limit, &mut issued, &mut exhausted, now);
            self.flush(i)?;
        }
        while !(exhausted && outcome.completed == issued) {
            self.poll
                .poll(&mut self.events, Some(Duration::from_millis(100)))?;
            now = Instant::now();
            if limit.until.is_some_and(|until| now >= until) {
                exhausted = true;
            }
            // Copied out of `events` so the connections can be borrowed
            // mutably; the list is reused, not allocated each poll.
            let mut ready = std::mem::take(&mut self.ready);
            ready.clear();
            ready.extend(self.events.iter().map(|e| {
                (
                    e.token().0,
                    e.is_readable() || e.is_read_closed() || e.is_error(),
                )
            }));
            for &(i, readable) in &ready {
                if readable {
                    self.read(i, now, record, &mut outcome)?;
                }
                self.top_up(i, pipeline, source, limit, &mut issued, &mut exhausted, now);
                self.flush(i)?;
            }
            self.ready = ready;
            if now >= next_progress {
                progress(outcome.completed);
                next_progress += Duration::from_secs(1);
            }
        }
        outcome.elapsed = now - start;
        Ok(outcome)
    }

    /// Adds requests to connection `i` until it has `pipeline` in flight.
    #[allow(clippy::too_many_arguments)]
    fn top_up(
        &mut self,
        i: usize,
        pipeline: usize,
        source: &mut Source<'_>,
        limit: Limit,
        issued: &mut u64,
        exhausted: &mut bool,
        now: Instant,
    ) {
        let conn = &mut self.conns[i];
        while !*exhausted && conn.pending.len() < pipeline {
            match source(&mut conn.output) {
                Some(expect) => {
                    conn.pending.push_back((now, expect));
                    *issued += 1;
                    if limit.requests.is_some_and(|n| *issued >= n) {
                        *exhausted = true;
                    }
                }
                None => *exhausted = true,
            }
        }
    }

    fn flush(&mut self, i: usize) -> io::Result<()> {
        let conn = &mut self.conns[i];
        while conn.sent < conn.output.len() {
            match conn.stream.write(&conn.output[conn.sent..]) {
                Ok(n) => conn.sent += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        conn.output.clear();
        conn.sent = 0;
        Ok(())
    }

    /// Reads connection `i` until `WouldBlock` and takes every whole reply.
    fn read(
        &mut self,
        i: usize,
        now: Instant,
        record: bool,
        outcome: &mut Outcome,
    ) -> io::Result<()> {
        let proto = self.proto;
        let conn = &mut self.conns[i];
        loop {
            if conn.end == conn.input.len() {
                if conn.start > 0 {
                    conn.input.copy_within(conn.start..conn.end, 0);
                    conn.end -= conn.start;
                    conn.start = 0;
                } else {
                    let size = (conn.input.len() * 2).max(INPUT);
                    conn.input.resize(size, 0);
                }
            }
            match conn.stream.read(&mut conn.input[conn.end..]) {
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the server closed a connection",
                    ))
                }
                Ok(n) => conn.end += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        while conn.start < conn.end {
            let Some(&(sent, expect)) = conn.pending.front() else {
                // Bytes nobody asked for.
                outcome.errors += 1;
                conn.start = conn.end;
                break;
            };
            let input = &conn.input[conn.start..conn.end];
            let Some(reply) = replies::take(proto, input, expect, &mut conn.scan) else {
                break;
            };
            conn.scan = replies::Scan::default();
            conn.start += reply.len;
            conn.pending.pop_front();
            outcome.completed += 1;
            outcome.errors += u64::from(reply.bad);
            if record {
                outcome.latency.record((now - sent).as_nanos() as u64);
            }
        }
        if conn.start == conn.end {
            conn.start = 0;
            conn.end = 0;
        }
        Ok(())
    }
}
