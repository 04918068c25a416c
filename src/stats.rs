//! The counters that `STATS` reports, changed only through methods that
//! say what happened (a list started, a command was answered), so that no
//! caller can set a counter to a value it made up.

use std::time::Instant;

/// Counters about the server's life. Memory is counted apart, in
/// [`Budget`](crate::budget::Budget).
#[derive(Debug)]
pub struct Stats {
    /// When the server started, for `uptime_seconds`.
    started: Instant,
    /// Open connections.
    connections: u64,
    /// Requests answered (blank lines are not requests).
    commands: u64,
    /// Live list processes.
    lists: u64,
    /// Items in all lists.
    items: u64,
    /// Connections refused because of the client limit.
    rejected_connections: u64,
    /// Connections closed for holding client buffers without reading.
    evicted_clients: u64,
}

impl Stats {
    /// Counters at zero, for a server starting now.
    pub fn new(started: Instant) -> Stats {
        Stats {
            started,
            connections: 0,
            commands: 0,
            lists: 0,
            items: 0,
            rejected_connections: 0,
            evicted_clients: 0,
        }
    }

    /// A client connection was accepted.
    pub fn connection_opened(&mut self) {
        self.connections += 1;
    }

    /// A client connection ended.
    pub fn connection_closed(&mut self) {
        self.connections -= 1;
    }

    /// A client was turned away at the client limit.
    pub fn connection_rejected(&mut self) {
        self.rejected_connections += 1;
    }

    /// A connection was closed for hoarding client buffers.
    pub fn client_evicted(&mut self) {
        self.evicted_clients += 1;
    }

    /// A request was answered.
    pub fn command_answered(&mut self) {
        self.commands += 1;
    }

    /// A list process started.
    pub fn list_started(&mut self) {
        self.lists += 1;
    }

    /// A list process ended with `items` items still in it.
    pub fn list_ended(&mut self, items: u64) {
        self.lists -= 1;
        self.items -= items;
    }

    /// Items were stored.
    pub fn items_added(&mut self, count: u64) {
        self.items += count;
    }

    /// Items were removed from a list that goes on.
    pub fn items_removed(&mut self, count: u64) {
        self.items -= count;
    }

    /// Open connections.
    pub fn connections(&self) -> u64 {
        self.connections
    }

    /// Seconds since the server started.
    pub fn uptime_seconds(&self) -> u64 {
        self.started.elapsed().as_secs()
    }

    /// Requests answered.
    pub fn commands(&self) -> u64 {
        self.commands
    }

    /// Live lists.
    pub fn lists(&self) -> u64 {
        self.lists
    }

    /// Items in all lists.
    pub fn items(&self) -> u64 {
        self.items
    }

    /// Connections refused at the client limit.
    pub fn rejected_connections(&self) -> u64 {
        self.rejected_connections
    }

    /// Connections closed for hoarding client buffers.
    pub fn evicted_clients(&self) -> u64 {
        self.evicted_clients
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_that_ends_takes_its_items_with_it() {
        let mut stats = Stats::new(Instant::now());
        stats.list_started();
        stats.list_started();
        stats.items_added(3);
        stats.items_removed(1);
        stats.list_ended(2);
        assert_eq!((stats.lists(), stats.items()), (1, 0));
    }
}
