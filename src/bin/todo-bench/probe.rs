//! The latency probe: one more connection, on a thread of its own, that
//! sends `PING` at a fixed rate while a workload runs and records how long
//! each answer took from the moment the `PING` was due, not from when it
//! could be sent, so that a stall of the server shows in full rather than
//! in the one `PING` caught in it (no coordinated omission).

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::histogram::Histogram;
use crate::workload::Proto;

/// A probe running.
#[derive(Debug)]
pub struct Probe {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<io::Result<Histogram>>,
}

impl Probe {
    /// Connects and starts sending `rate` `PING`s a second.
    pub fn start(addr: SocketAddr, proto: Proto, rate: u32) -> io::Result<Probe> {
        let mut stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let interval = Duration::from_secs(1) / rate.max(1);
        let (ping, pong): (&[u8], &[u8]) = match proto {
            Proto::Todo => (b"PING\n", b"OK\n"),
            Proto::Redis => (b"PING\r\n", b"+PONG\r\n"),
            Proto::Resp => (b"*1\r\n$4\r\nPING\r\n", b"+PONG\r\n"),
        };
        let thread = thread::spawn(move || {
            let mut latency = Histogram::default();
            let mut reply = vec![0; pong.len()];
            let mut due = Instant::now();
            while !stopped.load(Ordering::Relaxed) {
                let now = Instant::now();
                if now < due {
                    thread::sleep(due - now);
                }
                stream.write_all(ping)?;
                stream.read_exact(&mut reply)?;
                if reply != pong {
                    return Err(io::Error::other("the probe's PING got a wrong answer"));
                }
                latency.record(due.elapsed().as_nanos() as u64);
                due += interval;
            }
            Ok(latency)
        });
        Ok(Probe { stop, thread })
    }

    /// Stops the probe; the latencies it saw.
    pub fn finish(self) -> io::Result<Histogram> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread
            .join()
            .map_err(|_| io::Error::other("the probe thread panicked"))?
    }
}
