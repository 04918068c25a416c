//! What every process of the server can see: the limits it runs under, the
//! counters that `STATS` reports, and one read buffer lent to whichever
//! connection is reading. Processes reach it through `Context::shared`;
//! there is one thread, so there are no locks.

use std::time::Instant;

use crate::config::Config;

/// Limits and counters shared by all processes.
#[derive(Debug)]
pub struct Shared {
    /// When the server started, for `uptime_seconds`.
    pub started: Instant,
    /// Longest request line, LF excluded.
    pub max_line: usize,
    /// Open connections.
    pub connections: u64,
    /// Requests answered (blank lines are not requests).
    pub commands: u64,
    /// Live list processes.
    pub lists: u64,
    /// Items in all lists.
    pub items: u64,
    /// Where connections read into before copying what they received into
    /// their own buffer, so that an idle connection holds no read buffer.
    pub read_buf: Vec<u8>,
}

/// How much one `read` takes at most.
const READ_CHUNK: usize = 64 * 1024;

impl Shared {
    /// Fresh counters for a server started with `config`.
    pub fn new(config: &Config) -> Shared {
        Shared {
            started: Instant::now(),
            max_line: config.max_line,
            connections: 0,
            commands: 0,
            lists: 0,
            items: 0,
            read_buf: vec![0; READ_CHUNK],
        }
    }
}
