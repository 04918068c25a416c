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

/// At most one warning about failing accepts per this long; the failures
/// in between are counted in the next one.
const WARN_EVERY: Duration = Duration::from_secs(10);

/// The listening socket and its pause.
#[derive(Debug)]
pub(super) struct Listener {
    socket: TcpListener,
    /// Accepting is paused until then, after running out of descriptors.
    paused_until: Option<Instant>,
    /// When the last warning about failing accepts was logged, and how many
    /// failures came since.
    warned_at: Option<Instant>,
    unwarned: u64,
}

impl Listener {
    /// Wraps a bound listening socket.
    pub(super) fn new(socket: TcpListener) -> Listener {
        Listener {
            socket,
            paused_until: None,
            warned_at: None,
            unwarned: 0,
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
                    let _ = self.warn(now, &e);
                    self.paused_until = Some(now + ACCEPT_BACKOFF);
                    break;
                }
                // The peer gave up before we got to it, and the like.
                Err(e) => log::debug!("accept failed: {e}"),
            }
        }
    }
}

impl Listener {
    /// Logs a failing accept, at most once per `WARN_EVERY`, with a count
    /// of the failures since the last warning. Returns whether it logged.
    fn warn(&mut self, now: Instant, e: &io::Error) -> bool {
        match self.warned_at {
            Some(at) if now.saturating_duration_since(at) < WARN_EVERY => {
                self.unwarned += 1;
                false
            }
            _ => {
                let since = match self.unwarned {
                    0 => String::new(),
                    n => format!(" ({n} more since the last warning)"),
                };
                log::warn!(
                    "accept failed: {e}{since}; pausing new connections for {ACCEPT_BACKOFF:?} \
                     at each failure, warning at most every {WARN_EVERY:?}"
                );
                self.warned_at = Some(now);
                self.unwarned = 0;
                true
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

#[cfg(test)]
mod tests {
    use super::*;

    fn listener() -> Listener {
        Listener::new(TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap())
    }

    #[test]
    fn running_out_of_descriptors_pauses_accepting_for_the_backoff() {
        let mut l = listener();
        let now = Instant::now();
        l.paused_until = Some(now + ACCEPT_BACKOFF);
        assert_eq!(l.time_to_resume(now), Some(ACCEPT_BACKOFF));
        let mut accepted = Vec::new();
        l.accept(now, &mut accepted);
        assert!(
            l.paused_until.is_some(),
            "a paused listener does not accept"
        );
        assert!(!l.resume_if_due(now + ACCEPT_BACKOFF - Duration::from_millis(1)));
        assert!(l.resume_if_due(now + ACCEPT_BACKOFF));
        assert_eq!(l.time_to_resume(now), None);
    }

    #[test]
    fn failing_accepts_are_logged_once_per_ten_seconds_with_a_count() {
        let mut l = listener();
        let e = io::Error::from_raw_os_error(libc::EMFILE);
        let t = Instant::now();
        assert!(l.warn(t, &e));
        for ms in [100, 200, 9_999] {
            assert!(!l.warn(t + Duration::from_millis(ms), &e));
        }
        assert_eq!(l.unwarned, 3);
        assert!(l.warn(t + WARN_EVERY, &e), "one line per ten seconds");
        assert_eq!(l.unwarned, 0);
    }
}
