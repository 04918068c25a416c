//! The poll loop: one `mio::Poll` for the listener and every connection.
//!
//! One pass: poll (the timeout is the time to the next timer) -> accept new
//! connections and turn readiness into `Ready` messages -> fire due timers
//! -> run the queue until idle. Connections read, answer and write inside
//! their handlers; a connection's socket is closed when its process exits,
//! which happens only after its handler has returned.

use std::io;
use std::net::SocketAddr;
use std::time::Instant;

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};

use super::connection::Connection;
use super::process::Proc;
use super::{interrupted, would_block};
use crate::config::Config;
use crate::runtime::{ExitReason, Pid, Runtime};
use crate::shared::Shared;
use crate::todo::{Manager, Msg};

/// The listener's token. Connections use their pid's bits, and no pid has
/// these (its slot index would be `u32::MAX`).
const LISTENER: Token = Token(usize::MAX);

/// Readiness events taken per poll.
const EVENTS: usize = 1024;

/// A bound server, ready to run.
#[derive(Debug)]
pub struct Server {
    poll: Poll,
    events: Events,
    listener: TcpListener,
    addr: SocketAddr,
    runtime: Runtime<Proc>,
    manager: Pid,
}

impl Server {
    /// Binds the listener and starts the manager.
    pub fn bind(config: &Config) -> io::Result<Server> {
        let mut listener = TcpListener::bind(SocketAddr::new(config.bind, config.port))?;
        let addr = listener.local_addr()?;
        let poll = Poll::new()?;
        poll.registry()
            .register(&mut listener, LISTENER, Interest::READABLE)?;
        let mut runtime = Runtime::new(Shared::new(config));
        let manager = runtime.spawn(Proc::Manager(Box::new(Manager::new())));
        Ok(Server {
            poll,
            events: Events::with_capacity(EVENTS),
            listener,
            addr,
            runtime,
            manager,
        })
    }

    /// The address the server listens on (with the real port if 0 was
    /// asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until an I/O error of the poll itself.
    pub fn run(&mut self) -> io::Result<()> {
        loop {
            self.pass()?;
        }
    }

    /// One pass of the loop.
    fn pass(&mut self) -> io::Result<()> {
        let timeout = self.runtime.time_to_next_timer(Instant::now());
        if let Err(e) = self.poll.poll(&mut self.events, timeout) {
            return if interrupted(&e) { Ok(()) } else { Err(e) };
        }
        let mut accept = false;
        for event in self.events.iter() {
            if event.token() == LISTENER {
                accept = true;
                continue;
            }
            let pid = Pid::from_bits(event.token().0 as u64);
            let readable = event.is_readable() || event.is_read_closed() || event.is_error();
            let writable = event.is_writable() || event.is_write_closed();
            self.runtime.send(pid, Msg::Ready { readable, writable });
        }
        if accept {
            self.accept();
        }
        self.runtime.fire_due_timers(Instant::now());
        self.runtime.run_until_idle();
        Ok(())
    }

    /// Accepts every pending connection.
    fn accept(&mut self) {
        loop {
            match self.listener.accept() {
                Ok((stream, peer)) => self.open(stream, peer),
                Err(e) if would_block(&e) => return,
                Err(e) if interrupted(&e) => {}
                Err(e) => {
                    log::warn!("accept failed: {e}");
                    return;
                }
            }
        }
    }

    /// Starts a connection process for an accepted socket.
    fn open(&mut self, stream: TcpStream, peer: SocketAddr) {
        // Replies are written once per turn, so Nagle's delay buys nothing.
        let _ = stream.set_nodelay(true);
        let connection = Connection::new(stream, peer, self.manager);
        let pid = self.runtime.spawn(Proc::Connection(Box::new(connection)));
        let Some(Proc::Connection(connection)) = self.runtime.process_mut(pid) else {
            unreachable!("just spawned");
        };
        let token = Token(pid.to_bits() as usize);
        let interest = Interest::READABLE | Interest::WRITABLE;
        if let Err(e) = self
            .poll
            .registry()
            .register(connection.socket_mut(), token, interest)
        {
            log::warn!("cannot watch connection from {peer}: {e}");
            self.runtime.exit(pid, ExitReason::Kill);
        }
        self.runtime.shared().connections += 1;
        log::debug!("connection {pid} from {peer} opened");
    }
}
