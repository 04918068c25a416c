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
//!
//! Two rules keep the shares honest. Room for one whole request is kept
//! back in the clients' share for one connection at a time, the
//! *finisher*, to complete a request it has begun: when the rest of the
//! share is full of half-sent requests, they still complete one by one,
//! instead of all waiting for room that only their completion would free.
//! And stored data that a reply in progress still holds after the store
//! let go of it (a list dropped or popped while a client is being sent it)
//! is the clients' to hold; what of it does not fit their share is still
//! counted against the store, so that the store cannot be filled again
//! while the old data is alive.

use std::cell::Cell;
use std::rc::Rc;

use crate::runtime::Pid;

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
    /// Bytes of the clients' share kept back for the finisher: one whole
    /// request.
    finishing: u64,
    /// The connection that may use them, if one does.
    finisher: Option<Pid>,
    /// Connections wait for room to make a reply: they go before those
    /// that wait to read the rest of a request.
    replies_waiting: bool,
}

impl Budget {
    /// A budget of `store` bytes for stored data and `clients` bytes for
    /// client buffers (0 for no limit on either), of which `finishing`
    /// bytes (one whole request) are kept for the finisher.
    pub fn new(store: u64, clients: u64, finishing: u64) -> Budget {
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
            finishing: if clients == 0 { 0 } else { finishing },
            finisher: None,
            replies_waiting: false,
        }
    }

    /// Counts `bytes` more of stored data, unless that would pass the
    /// store's share (with what snapshots hold past the clients' share):
    /// then nothing is counted and the answer is `false`.
    pub fn reserve(&mut self, bytes: u64) -> bool {
        let used = self.store.used + bytes;
        if self.store.max != 0 && used + self.orphans_overflow() > self.store.max {
            return false;
        }
        self.store.used = used;
        true
    }

    /// Bytes that snapshots alone keep and that do not fit the clients'
    /// share: still the store's to count.
    fn orphans_overflow(&self) -> u64 {
        if self.clients.max == 0 {
            return 0;
        }
        let over = (self.clients.used + self.orphans.bytes()).saturating_sub(self.clients.max);
        over.min(self.orphans.bytes())
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

    /// Bytes left in the clients' share for any connection, the room
    /// kept for the finisher excepted (`u64::MAX` with no limit).
    pub fn client_room(&self) -> u64 {
        match self.clients.max {
            0 => u64::MAX,
            max => (max - self.finishing).saturating_sub(self.client_used()),
        }
    }

    /// Bytes left in the clients' share for connection `pid`: the room kept
    /// for the finisher too, if it is the finisher.
    pub fn client_room_for(&self, pid: Pid) -> u64 {
        match self.clients.max {
            0 => u64::MAX,
            max if self.finisher == Some(pid) => max.saturating_sub(self.client_used()),
            _ => self.client_room(),
        }
    }

    /// Client buffers have used up their share: take no more than each
    /// connection's own allowance.
    pub fn clients_full(&self) -> bool {
        self.client_room() == 0
    }

    /// Connection `pid` has begun a request it cannot complete for want of
    /// room: it becomes the finisher, unless another is. Returns whether it
    /// is the finisher now.
    pub fn claim_finishing(&mut self, pid: Pid) -> bool {
        if self.finishing == 0 {
            return false;
        }
        *self.finisher.get_or_insert(pid) == pid
    }

    /// Connection `pid` no longer needs the finisher's room (its request is
    /// complete, or it closed).
    pub fn release_finishing(&mut self, pid: Pid) {
        if self.finisher == Some(pid) {
            self.finisher = None;
        }
    }

    /// The finisher, if there is one.
    pub fn finisher(&self) -> Option<Pid> {
        self.finisher
    }

    /// Whether connections wait for room to make a reply: the room kept
    /// back goes to one of them before one that waits to read.
    pub fn replies_waiting(&self) -> bool {
        self.replies_waiting
    }

    /// Says whether connections wait for room to make a reply.
    pub fn set_replies_waiting(&mut self, waiting: bool) {
        self.replies_waiting = waiting;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_store_stops_at_its_share_and_release_gives_back() {
        let mut budget = Budget::new(100, 10, 0);
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
        let mut budget = Budget::new(100, 10, 0);
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
        let mut budget = Budget::new(0, 0, 10);
        assert!(budget.reserve(u64::MAX / 2));
        budget.client_buffers(0, 1 << 40);
        assert!(!budget.clients_full());
        assert!(!budget.claim_finishing(Pid::from_bits(1)));
    }

    #[test]
    fn orphans_past_the_clients_share_keep_the_store_from_filling_again() {
        let mut budget = Budget::new(100, 10, 0);
        assert!(budget.reserve(100));
        // A 60-byte list is dropped while a reply still holds it.
        budget.release(60);
        budget.orphans().add(60);
        assert!(!budget.reserve(11), "50 of the 60 are still the store's");
        assert!(budget.reserve(10));
        // The reply is sent: the store has its room back.
        budget.orphans().remove(60);
        assert!(budget.reserve(50));
    }

    #[test]
    fn the_finisher_alone_may_use_the_room_kept_for_it() {
        let (a, b) = (Pid::from_bits(1), Pid::from_bits(2));
        let mut budget = Budget::new(100, 30, 10);
        budget.client_buffers(0, 20);
        assert!(budget.clients_full());
        assert_eq!(budget.client_room_for(a), 0);
        assert!(budget.claim_finishing(a));
        assert!(!budget.claim_finishing(b), "one finisher at a time");
        assert_eq!(budget.client_room_for(a), 10);
        assert_eq!(budget.client_room_for(b), 0);
        budget.release_finishing(b);
        assert_eq!(budget.finisher(), Some(a), "only the finisher releases");
        budget.release_finishing(a);
        assert!(budget.claim_finishing(b));
    }
}
