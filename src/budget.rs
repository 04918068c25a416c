//! Where memory is counted: the one budget that `--max-memory` sets, in
//! two shares that cannot eat into each other.
//!
//! - The store: names and items, at the costs of `todo::memory`. A write
//!   that would pass its share gets `ERR out of memory`; client buffers can
//!   never take it, so other clients cannot make an honest `PUT` fail.
//! - The clients: what connections hold (partial lines, replies not yet
//!   sent, replies being produced) past the small allowance each has of
//!   its own, and what snapshots alone keep alive ([`Orphans`]). Past its
//!   share the server applies backpressure, and closes the worst hoarder
//!   as a last resort; a full store never blocks a read.

use std::cell::Cell;
use std::rc::Rc;

/// Bytes of pieces that only snapshots keep alive (see `todo::cow`): one
/// account for the server, shared by every piece that may become one.
#[derive(Clone, Debug, Default)]
pub struct Orphans(Rc<Cell<u64>>);

impl Orphans {
    /// Bytes kept alive by snapshots alone.
    pub fn bytes(&self) -> u64 {
        self.0.get()
    }

    /// A piece of `bytes` is now kept by snapshots alone.
    pub fn add(&self, bytes: u64) {
        self.0.set(self.0.get() + bytes);
    }

    /// A piece counted with `add` is gone.
    pub fn remove(&self, bytes: u64) {
        self.0.set(self.0.get() - bytes);
    }
}

/// One share: bytes used against a limit (0 for none).
#[derive(Debug, Clone, Copy)]
struct Share {
    used: u64,
    max: u64,
}

/// The memory budget.
#[derive(Debug)]
pub struct Budget {
    store: Share,
    clients: Share,
    orphans: Orphans,
}

impl Budget {
    /// A budget of `store` bytes for stored data and `clients` bytes for
    /// client buffers (0 for no limit on either).
    pub fn new(store: u64, clients: u64) -> Budget {
        Budget {
            store: Share {
                used: 0,
                max: store,
            },
            clients: Share {
                used: 0,
                max: clients,
            },
            orphans: Orphans::default(),
        }
    }

    /// Counts `bytes` more of stored data, unless that would pass the
    /// store's share: then nothing is counted and the answer is `false`.
    pub fn reserve(&mut self, bytes: u64) -> bool {
        let used = self.store.used + bytes;
        if self.store.max != 0 && used > self.store.max {
            return false;
        }
        self.store.used = used;
        true
    }

    /// Counts `bytes` of stored data whatever the limit: data rebuilt from
    /// the log, which was acknowledged and must be loaded. Returns whether
    /// the store's share still holds it.
    pub fn charge(&mut self, bytes: u64) -> bool {
        self.store.used += bytes;
        self.store.max == 0 || self.store.used <= self.store.max
    }

    /// Gives back `bytes` counted with `reserve`.
    pub fn release(&mut self, bytes: u64) {
        debug_assert!(bytes <= self.store.used, "released more than reserved");
        self.store.used -= bytes;
    }

    /// Counted bytes of stored data.
    pub fn used(&self) -> u64 {
        self.store.used
    }

    /// The store's share; 0 for none.
    pub fn max(&self) -> u64 {
        self.store.max
    }

    /// Where pieces that snapshots alone keep are counted.
    pub fn orphans(&self) -> &Orphans {
        &self.orphans
    }

    /// A connection's buffers went from `before` to `after` bytes.
    pub fn client_buffers(&mut self, before: usize, after: usize) {
        self.clients.used = self.clients.used + after as u64 - before as u64;
    }

    /// Bytes client buffers and snapshots hold.
    pub fn client_used(&self) -> u64 {
        self.clients.used + self.orphans.bytes()
    }

    /// The clients' share; 0 for none.
    pub fn client_max(&self) -> u64 {
        self.clients.max
    }

    /// Bytes left in the clients' share (`u64::MAX` with no limit).
    pub fn client_room(&self) -> u64 {
        match self.clients.max {
            0 => u64::MAX,
            max => max.saturating_sub(self.client_used()),
        }
    }

    /// Client buffers have used up their share: take no more than each
    /// connection's own allowance.
    pub fn clients_full(&self) -> bool {
        self.client_room() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_store_stops_at_its_share_and_release_gives_back() {
        let mut budget = Budget::new(100, 10);
        assert!(budget.reserve(60));
        assert!(!budget.reserve(41));
        assert_eq!(budget.used(), 60);
        assert!(budget.reserve(40));
        budget.release(50);
        assert!(budget.reserve(50));
        assert!(!budget.reserve(1));
    }

    #[test]
    fn client_buffers_and_orphans_fill_the_clients_share_only() {
        let mut budget = Budget::new(100, 10);
        budget.client_buffers(0, 6);
        assert_eq!(budget.client_room(), 4);
        budget.orphans().add(4);
        assert!(budget.clients_full());
        assert!(budget.reserve(100), "the store's share is untouched");
        budget.client_buffers(6, 0);
        budget.orphans().remove(4);
        assert_eq!(budget.client_room(), 10);
    }

    #[test]
    fn zero_means_no_limit() {
        let mut budget = Budget::new(0, 0);
        assert!(budget.reserve(u64::MAX / 2));
        budget.client_buffers(0, 1 << 40);
        assert!(!budget.clients_full());
    }
}
