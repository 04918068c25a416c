//! Where connections are accepted: the listening socket, and the pause that
//! follows running out of descriptors.
//!
//! When `accept` fails for want of descriptors (or memory), the pending
//! connection stays in the kernel's backlog and retrying at once would spin
//! the loop; so accepting pauses for `ACCEPT_BACKOFF`, and the loop sleeps
//! no longer than that pause.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mio::net::{TcpListener, TcpStream};

use super::{interrupted, would_block};

/// How long accepting pauses after `accept` fails for want of descriptors.
pub(super) const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// The listening socket and its pause.
#[derive(Debug)]
pub(super) struct Listener {
    socket: TcpListener,
    /// Accepting is paused until then, after running out of descriptors.
    paused_until: Option<Instant>,
}

impl Listener {
    /// Wraps a bound listening socket.
    pub(super) fn new(socket: TcpListener) -> Listener {
        Listener {
            socket,
            paused_until: None,
        }
    }

    /// The socket, for registering with the poll loop.
    pub(super) fn socket_mut(&mut self) -> &mut TcpListener {
        &mut self.socket
    }

    /// How long until accepting resumes, if it is paused.
    pub(super) fn time_to_resume(&self, now: Instant) -> Option<Duration> {
        self.paused_until
            .map(|until| until.saturating_duration_since(now))
    }

    /// Whether a paused listener is due to try again at `now` (it is then
    /// no longer paused).
    pub(super) fn resume_if_due(&mut self, now: Instant) -> bool {
        match self.paused_until {
            Some(until) if now >= until => {
                self.paused_until = None;
                true
            }
            _ => false,
        }
    }

    /// Accepts every pending connection into `accepted`, unless paused.
    pub(super) fn accept(&mut self, now: Instant, accepted: &mut Vec<(TcpStream, SocketAddr)>) {
        if self.paused_until.is_some() {
            return;
        }
        loop {
            match self.socket.accept() {
                Ok(conn) => accepted.push(conn),
                Err(e) if would_block(&e) => break,
                Err(e) if interrupted(&e) => {}
                Err(e) if out_of_descriptors(&e) => {
                    log::warn!(
                        "accept failed: {e}; pausing new connections for {ACCEPT_BACKOFF:?}"
                    );
                    self.paused_until = Some(now + ACCEPT_BACKOFF);
                    break;
                }
                // The peer gave up before we got to it, and the like.
                Err(e) => log::debug!("accept failed: {e}"),
            }
        }
    }
}

/// `accept` failed because the process or the system has no descriptors
/// (or buffers) left.
fn out_of_descriptors(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
    )
}
