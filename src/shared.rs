//! What every process of the server can see: the limits it runs under, the
//! counters that `STATS` reports, one read buffer lent to whichever
//! connection is reading, and the list of connections with output to write. Processes reach it through `Context::shared`;
//! there is one thread, so there are no locks.

use std::time::{Duration, Instant};

use crate::config::Config;

/// Limits and counters shared by all processes.
#[derive(Debug)]
pub struct Shared {
    /// When the server started, for `uptime_seconds`.
    pub started: Instant,
    /// Longest request line, LF excluded.
    pub max_line: usize,
    /// How long a connection may be idle before it is closed, if at all.
    pub idle_timeout: Option<Duration>,
    /// Open connections.
    pub connections: u64,
    /// Requests answered (blank lines are not requests).
    pub commands: u64,
    /// Live list processes.
    pub lists: u64,
    /// Items in all lists.
    pub items: u64,
    /// Counted bytes of stored names and items (see `todo::memory`).
    pub used_memory: u64,
    /// Limit on `used_memory`; 0 for none.
    pub max_memory: u64,
    /// Connections refused because of the client limit.
    pub rejected_connections: u64,
    /// Where connections read into before copying what they received into
    /// their own buffer, so that an idle connection holds no read buffer.
    pub read_buf: Vec<u8>,
    /// Connections with output to write once the queue has drained.
    pub pending_flush: Vec<crate::runtime::Pid>,
}

/// How much one `read` takes at most.
const READ_CHUNK: usize = 64 * 1024;

impl Shared {
    /// Fresh counters for a server started with `config`.
    pub fn new(config: &Config) -> Shared {
        Shared {
            started: Instant::now(),
            max_line: config.max_line,
            idle_timeout: (config.timeout > 0).then(|| Duration::from_secs(config.timeout)),
            connections: 0,
            commands: 0,
            lists: 0,
            items: 0,
            used_memory: 0,
            max_memory: config.max_memory,
            rejected_connections: 0,
            read_buf: vec![0; READ_CHUNK],
            pending_flush: Vec::new(),
        }
    }

    /// Counts `bytes` more of stored data, unless that would pass the
    /// memory limit: then nothing is counted and the answer is `false`.
    pub fn reserve(&mut self, bytes: u64) -> bool {
        let used = self.used_memory + bytes;
        if self.max_memory != 0 && used > self.max_memory {
            return false;
        }
        self.used_memory = used;
        true
    }

    /// Gives back `bytes` counted with `reserve`.
    pub fn release(&mut self, bytes: u64) {
        debug_assert!(bytes <= self.used_memory, "released more than reserved");
        self.used_memory -= bytes;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserve_stops_at_the_limit_and_release_gives_back() {
        let mut shared = Shared::new(&Config {
            max_memory: 100,
            ..Config::default()
        });
        assert!(shared.reserve(60));
        assert!(!shared.reserve(41));
        assert_eq!(shared.used_memory, 60);
        assert!(shared.reserve(40));
        shared.release(50);
        assert!(shared.reserve(50));
        assert!(!shared.reserve(1));
    }

    #[test]
    fn zero_means_no_limit() {
        let mut shared = Shared::new(&Config {
            max_memory: 0,
            ..Config::default()
        });
        assert!(shared.reserve(u64::MAX / 2));
    }
}
