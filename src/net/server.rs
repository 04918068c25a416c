//! The poll loop: one `mio::Poll` for the listener, the signals and every
//! connection.
//!
//! One pass: poll (the timeout is the time to the next timer) -> accept new
//! connections and turn readiness into `Ready` events -> fire due timers
//! -> run the queue until idle -> before sleeping, write each connection
//! that asked for it, once, directly. Connections read and answer inside
//! their handlers. A connection that is done is freed (and its socket
//! closed) on the pass after, once the queue has drained, never in the
//! middle of one.
//!
//! On SIGINT or SIGTERM the server stops accepting, tells every connection
//! to answer what it has received, flush and close, and returns once all
//! have (or after `STOP_GRACE`, for a client that never reads), having
//! synced the log.

use std::io::{self, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token, Waker};
use signal_hook_mio::v1_0::Signals;

use super::before_sleep::BeforeSleep;
use super::connection::Connection;
use super::connections::Connections;
use super::listener::Listener;
use super::msg::Event;
use super::persistence::Persistence;
use super::process::Proc;
use super::tree;
use super::{fd_limit, interrupted};
use crate::config::Config;
use crate::protocol::reply;
use crate::protocol::Error;
use crate::runtime::{ExitReason, Pid, Runtime};
use crate::shared::Shared;

/// The listener's token. Connections use their pid's bits, and no pid has
/// these (its slot index would be `u32::MAX`).
const LISTENER: Token = Token(usize::MAX);

/// The signal pipe's token, likewise never a pid's.
const SIGNALS: Token = Token(usize::MAX - 1);

/// The token of the log's helper thread waking the loop (a compaction
/// finished, a sync failed), likewise never a pid's.
const LOG_NEWS: Token = Token(usize::MAX - 2);

/// Readiness events taken per poll.
const EVENTS: usize = 1024;

/// How long a graceful stop waits for connections to flush and close.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// How often a stopping server looks at the time while nothing happens.
const STOP_CHECK: Duration = Duration::from_millis(100);

/// How the server ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// Every connection answered and flushed (or the grace period ran out).
    Gracefully,
    /// A second signal cut the graceful stop short.
    AtOnce,
    /// The root supervisor gave up: stopped gracefully, as an error.
    GaveUp,
}

/// A bound server, ready to run.
pub struct Server {
    poll: Poll,
    events: Events,
    /// `None` once stopping: new connections are refused by the kernel.
    listener: Option<Listener>,
    addr: SocketAddr,
    signals: Signals,
    runtime: Runtime<Proc>,
    /// The root supervisor of the process tree (`tree.rs`).
    root: Pid,
    /// The root gave up (too many restarts): the server stops, and exits
    /// with an error.
    gave_up: bool,
    max_clients: u64,
    /// When the graceful stop began, if it has.
    stopping_since: Option<Instant>,
    /// A second signal came during the graceful stop: stop at once.
    stop_now: bool,
    /// The time, for timers and the graceful stop: `Instant::now`, or a
    /// clock that tests move by hand.
    clock: Box<dyn FnMut() -> Instant>,
    /// Reused list of the connections accepted this pass.
    accepted: Vec<(TcpStream, SocketAddr)>,
    /// What runs once the queue has drained.
    before_sleep: BeforeSleep,
    /// The open connections.
    connections: Connections,
    /// The loop's part in keeping the log.
    persistence: Persistence,
}

/// Why a server could not start.
#[derive(Debug)]
pub enum StartError {
    /// The log could not be opened or replayed (locked by another server,
    /// damaged, unreadable).
    Log(String),
    /// The address could not be listened on, or the poll set up.
    Listen(io::Error),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Log(e) => write!(f, "{e}"),
            StartError::Listen(e) => write!(f, "cannot listen: {e}"),
        }
    }
}

impl From<io::Error> for StartError {
    fn from(e: io::Error) -> StartError {
        StartError::Listen(e)
    }
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("addr", &self.addr)
            .field("runtime", &self.runtime)
            .field("stopping", &self.stopping_since.is_some())
            .finish()
    }
}

impl Server {
    /// Opens the log and loads the lists it holds (unless `--in-memory`),
    /// binds the listener, raises the open-file limit for the client limit,
    /// sets up SIGINT and SIGTERM, and starts the manager.
    pub fn bind(config: &Config) -> Result<Server, StartError> {
        Server::bind_with_clock(config, Instant::now)
    }

    /// Like [`Server::bind`], with `clock` telling the time instead of
    /// `Instant::now`: in-process tests move time forward by hand, so that
    /// timers (the idle timeout, the linger after `QUIT`) fire when the
    /// test says, not when the machine gets to it.
    pub fn bind_with_clock(
        config: &Config,
        clock: impl FnMut() -> Instant + 'static,
    ) -> Result<Server, StartError> {
        let poll = Poll::new()?;
        let waker = Arc::new(Waker::new(poll.registry(), LOG_NEWS)?);
        let began = Instant::now();
        let mut runtime: Runtime<Proc> = Runtime::new(Shared::new(config));
        let wake = move || {
            let _ = waker.wake();
        };
        Persistence::open(&mut runtime, wake).map_err(StartError::Log)?;
        let root = tree::start(&mut runtime);
        runtime.run_until_idle();
        Persistence::loaded(&runtime, began);
        let mut listener = TcpListener::bind(SocketAddr::new(config.bind, config.port))?;
        let addr = listener.local_addr()?;
        poll.registry()
            .register(&mut listener, LISTENER, Interest::READABLE)?;
        let mut signals = Signals::new([libc::SIGINT, libc::SIGTERM])?;
        poll.registry()
            .register(&mut signals, SIGNALS, Interest::READABLE)?;
        check_fd_limit(config.max_clients as u64);
        Ok(Server {
            poll,
            events: Events::with_capacity(EVENTS),
            listener: Some(Listener::new(listener)),
            addr,
            signals,
            runtime,
            root,
            gave_up: false,
            max_clients: config.max_clients as u64,
            stopping_since: None,
            stop_now: false,
            clock: Box::new(clock),
            accepted: Vec::new(),
            before_sleep: BeforeSleep::default(),
            connections: Connections::default(),
            persistence: Persistence::default(),
        })
    }

    /// The address the server listens on (with the real port if 0 was
    /// asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until a graceful stop completes (`Ok`) or the poll itself
    /// fails.
    /// The process tree is stopped (newest child first) and the log is
    /// synced before it returns.
    pub fn run(&mut self) -> io::Result<Stopped> {
        let stopped = self.serve();
        self.stop_tree();
        Persistence::stop(&mut self.runtime);
        match stopped {
            Ok(Stopped::Gracefully) if self.gave_up => Ok(Stopped::GaveUp),
            other => other,
        }
    }

    /// Stops the tree through the root, as a supervisor's parent would:
    /// each supervisor stops its children, newest first, then itself.
    fn stop_tree(&mut self) {
        if !self.runtime.is_alive(self.root) {
            return;
        }
        self.runtime.exit(self.root, ExitReason::Shutdown);
        let deadline = Instant::now() + STOP_GRACE;
        loop {
            self.runtime.run_until_idle();
            if !self.runtime.is_alive(self.root) || self.stop_now {
                return;
            }
            let now = Instant::now();
            if now >= deadline {
                log::warn!("the process tree did not stop within {STOP_GRACE:?}");
                return;
            }
            // Only a child's grace period can be left: wait for its timer.
            match self.runtime.time_to_next_timer(now) {
                Some(wait) => std::thread::sleep(wait.min(STOP_CHECK)),
                None => return,
            }
            self.runtime.fire_due_timers(Instant::now());
        }
    }

    fn serve(&mut self) -> io::Result<Stopped> {
        loop {
            self.pass(None)?;
            if let Some(since) = self.stopping_since {
                let open = self.runtime.shared().stats().connections();
                if self.stop_now {
                    return Ok(Stopped::AtOnce);
                }
                if open == 0 {
                    log::info!("stopped");
                    return Ok(Stopped::Gracefully);
                }
                if (self.clock)().saturating_duration_since(since) >= STOP_GRACE {
                    log::warn!(
                        "stopped with {open} connection(s) still unflushed after {STOP_GRACE:?}"
                    );
                    return Ok(Stopped::Gracefully);
                }
            }
        }
    }

    /// One pass of the loop that waits at most `max_wait` for something to
    /// happen (for tests that drive the loop themselves: the wait only
    /// bounds a hang, and nothing is decided by it).
    pub fn step(&mut self, max_wait: Duration) -> io::Result<()> {
        self.pass(Some(max_wait))
    }

    /// The counters, the memory account and the configuration.
    pub fn shared(&self) -> &Shared {
        self.runtime.shared()
    }

    /// Bytes all connections hold in their buffers.
    #[cfg(test)]
    pub(super) fn client_bytes(&mut self) -> usize {
        let pids: Vec<Pid> = self.runtime.pids().collect();
        pids.into_iter()
            .filter_map(|pid| match self.runtime.process_mut(pid) {
                Some(Proc::Connection(connection)) => Some(connection.held_bytes()),
                _ => None,
            })
            .sum()
    }

    /// One pass of the loop, waiting no longer than `max_wait` if given.
    fn pass(&mut self, max_wait: Option<Duration>) -> io::Result<()> {
        let now = (self.clock)();
        let mut timeout = self.runtime.time_to_next_timer(now);
        if let Some(pause) = self.listener.as_ref().and_then(|l| l.time_to_resume(now)) {
            timeout = Some(timeout.map_or(pause, |t| t.min(pause)));
        }
        if self.stopping_since.is_some() {
            // Wake up to check the grace period even if nothing happens.
            timeout = Some(timeout.map_or(STOP_CHECK, |t| t.min(STOP_CHECK)));
        }
        let checks = [
            self.before_sleep.next_check(&self.runtime),
            self.persistence.next_check(&self.runtime),
        ];
        for at in checks.into_iter().flatten() {
            let check = at.saturating_duration_since(now);
            timeout = Some(timeout.map_or(check, |t| t.min(check)));
        }
        if let Some(max) = max_wait {
            timeout = Some(timeout.map_or(max, |t| t.min(max)));
        }
        if let Err(e) = self.poll.poll(&mut self.events, timeout) {
            return if interrupted(&e) { Ok(()) } else { Err(e) };
        }
        let mut accept = false;
        let mut stop = false;
        for event in self.events.iter() {
            match event.token() {
                LISTENER => accept = true,
                SIGNALS => stop = true,
                // Taken before the queue runs (`Persistence::before_pass`).
                LOG_NEWS => {}
                token => {
                    let pid = Pid::from_bits(token.0 as u64);
                    let closed = event.is_read_closed() || event.is_error();
                    let readable = event.is_readable() || closed;
                    let writable = event.is_writable() || event.is_write_closed();
                    let ready = Event::Ready {
                        readable,
                        writable,
                        closed,
                    };
                    self.runtime.send(pid, ready.into());
                }
            }
        }
        if stop {
            self.take_signals();
        }
        let now = (self.clock)();
        self.persistence.before_pass(&mut self.runtime, now);
        if let Some(listener) = &mut self.listener {
            if accept || listener.resume_if_due(now) {
                let mut accepted = std::mem::take(&mut self.accepted);
                listener.accept(now, &mut accepted);
                for (stream, peer) in accepted.drain(..) {
                    self.open(stream, peer, now);
                }
                self.accepted = accepted;
            }
        }
        self.runtime.fire_due_timers(now);
        self.runtime.run_until_idle();
        self.before_sleep
            .run(&mut self.runtime, &mut self.connections);
        self.persistence.after_pass(&mut self.runtime);
        if !self.gave_up && !self.runtime.is_alive(self.root) {
            self.gave_up = true;
            log::error!(
                "the root supervisor gave up (more restarts than it allows): stopping, so that \
                 a service manager can start the server again from the log"
            );
            self.begin_stop();
        }
        Ok(())
    }

    /// Stops accepting and tells every connection to answer what it has,
    /// flush and close.
    fn begin_stop(&mut self) {
        if self.stopping_since.is_some() {
            return;
        }
        self.stopping_since = Some((self.clock)());
        if let Some(mut listener) = self.listener.take() {
            let _ = self.poll.registry().deregister(listener.socket_mut());
        }
        for &pid in self.connections.live(&self.runtime) {
            self.runtime.send(pid, Event::Drain.into());
        }
    }

    /// Reads the pending signals and begins the graceful stop.
    fn take_signals(&mut self) {
        let signals: Vec<i32> = self.signals.pending().collect();
        if signals.is_empty() {
            return;
        }
        let name = if signals.contains(&libc::SIGINT) {
            "SIGINT"
        } else {
            "SIGTERM"
        };
        let open = self.runtime.shared().stats().connections();
        if self.stopping_since.is_some() || signals.len() > 1 {
            log::warn!(
                "{name} received again: stopping at once, with {open} connection(s) not \
                 yet flushed"
            );
            self.stop_now = true;
            if self.stopping_since.is_some() {
                return;
            }
        } else {
            log::info!(
                "{name} received: stopping; answering what {open} connection(s) sent, for at \
                 most {STOP_GRACE:?}; send {name} again to stop at once"
            );
        }
        self.begin_stop();
    }

    /// Starts a connection process for an accepted socket, or turns it
    /// away if the client limit is reached.
    fn open(&mut self, mut stream: TcpStream, peer: SocketAddr, now: Instant) {
        let stats = self.runtime.shared_mut().stats_mut();
        if stats.connections() >= self.max_clients {
            stats.connection_rejected();
            // The line fits any fresh socket's buffer; the socket is then
            // dropped, which closes it.
            let mut refusal = Vec::new();
            reply::error(&mut refusal, &Error::MaxClients);
            let _ = stream.write_all(&refusal);
            log::debug!("connection from {peer} refused: max clients reached");
            return;
        }
        stats.connection_opened();
        // Replies are written once per turn, so Nagle's delay buys nothing.
        let _ = stream.set_nodelay(true);
        let connection = Connection::new(stream, peer, now);
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
            return;
        }
        let open = self.runtime.shared().stats().connections();
        self.connections.opened(pid, open, &self.runtime);
        log::debug!("connection {pid} from {peer} opened");
    }
}

/// Raises the open-file limit to what `max_clients` needs, or warns.
fn check_fd_limit(max_clients: u64) {
    let wanted = max_clients + fd_limit::RESERVED;
    match fd_limit::raise_to(wanted) {
        Ok(limit) if limit >= wanted => log::debug!("open-file limit: {limit}"),
        Ok(limit) => log::warn!(
            "the open-file limit is {limit}, below the {wanted} that --max-clients {max_clients} needs: \
             past about {} clients, new connections wait until descriptors free up",
            limit.saturating_sub(fd_limit::RESERVED)
        ),
        Err(e) => log::warn!("cannot read or raise the open-file limit: {e}"),
    }
}
