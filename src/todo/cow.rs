//! Copy-on-write pieces shared between live data and its snapshots, and
//! the account of what snapshots alone keep alive.
//!
//! A big list keeps its items in chunks, and the manager its names in
//! blocks, each behind an `Rc`. A snapshot (a `LIST` streamed to a slow
//! reader, a compaction) clones the `Rc`s and copies nothing. When the owner
//! then changes a piece that a snapshot shares, it copies the piece first
//! (`Rc::make_mut`'s rule), and the old piece lives on for the snapshots
//! alone: it is *orphaned*, and its bytes are counted in `Orphans` until
//! the last snapshot lets go of it. The memory budget counts that account,
//! so no pattern of reads and writes makes snapshots hold memory that the
//! budget does not see.

use std::cell::Cell;
use std::ops::Deref;
use std::rc::Rc;

pub use crate::budget::Orphans;

/// What a piece weighs on the heap.
pub trait Weigh {
    /// Heap bytes the value holds (its own allocations, not its size).
    fn weight(&self) -> u64;
}

/// A value and its orphan bookkeeping, behind the `Rc`.
#[derive(Debug)]
struct Piece<T: Weigh> {
    value: T,
    /// Bytes counted in the account once orphaned; 0 while the owner holds
    /// it.
    orphaned: Cell<u64>,
    account: Orphans,
}

impl<T: Weigh> Piece<T> {
    /// The owner let go while snapshots still hold it: count it.
    fn orphan(&self) {
        if self.orphaned.get() == 0 {
            let bytes = self.value.weight().max(1);
            self.orphaned.set(bytes);
            self.account.add(bytes);
        }
    }
}

impl<T: Weigh> Drop for Piece<T> {
    fn drop(&mut self) {
        let bytes = self.orphaned.get();
        if bytes > 0 {
            self.account.remove(bytes);
        }
    }
}

/// The owner's handle on a piece: reads freely, writes through
/// [`Owned::make_mut`], which copies a piece a snapshot shares.
#[derive(Debug)]
pub struct Owned<T: Weigh + Clone>(Rc<Piece<T>>);

/// A snapshot's handle on a piece: read-only, and it keeps the piece alive.
#[derive(Debug)]
pub struct Frozen<T: Weigh>(Rc<Piece<T>>);

impl<T: Weigh + Clone> Owned<T> {
    /// A new piece, counted in `account` if it is ever orphaned.
    pub fn new(value: T, account: &Orphans) -> Owned<T> {
        Owned(Rc::new(Piece {
            value,
            orphaned: Cell::new(0),
            account: account.clone(),
        }))
    }

    /// The value, to change. If a snapshot shares it, the owner gets a copy
    /// and the old piece is orphaned.
    pub fn make_mut(&mut self) -> &mut T {
        if Rc::strong_count(&self.0) > 1 {
            let copy = Piece {
                value: self.0.value.clone(),
                orphaned: Cell::new(0),
                account: self.0.account.clone(),
            };
            self.0.orphan();
            self.0 = Rc::new(copy);
        }
        &mut Rc::get_mut(&mut self.0).expect("not shared").value
    }

    /// The value, for the owner to keep without sharing: moved out if no
    /// snapshot shares it, else copied (and the old piece orphaned).
    pub fn into_inner(mut self) -> T
    where
        T: Default,
    {
        std::mem::take(self.make_mut())
    }

    /// A handle for a snapshot: no copy.
    pub fn freeze(&self) -> Frozen<T> {
        Frozen(Rc::clone(&self.0))
    }
}

impl<T: Weigh + Clone> Drop for Owned<T> {
    fn drop(&mut self) {
        if Rc::strong_count(&self.0) > 1 {
            self.0.orphan();
        }
    }
}

impl<T: Weigh + Clone> Deref for Owned<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0.value
    }
}

impl<T: Weigh> Frozen<T> {
    /// A piece no owner ever held: a copy made for one snapshot, whose bytes
    /// that snapshot's holder counts as its own (it is never orphaned).
    pub fn alone(value: T) -> Frozen<T> {
        Frozen(Rc::new(Piece {
            value,
            orphaned: Cell::new(0),
            account: Orphans::default(),
        }))
    }
}

impl<T: Weigh> Deref for Frozen<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0.value
    }
}

impl<T: Weigh> Clone for Frozen<T> {
    fn clone(&self) -> Frozen<T> {
        Frozen(Rc::clone(&self.0))
    }
}

impl Weigh for Vec<u8> {
    fn weight(&self) -> u64 {
        self.capacity() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_piece_changed_under_a_snapshot_is_copied_and_counted_until_released() {
        let account = Orphans::default();
        let mut owned = Owned::new(vec![1u8; 100], &account);
        owned.make_mut().push(2);
        assert_eq!(account.bytes(), 0, "unshared: changed in place");
        let snapshot = owned.freeze();
        owned.make_mut().push(3);
        assert_eq!(snapshot.len(), 101, "the snapshot keeps what it saw");
        assert_eq!(owned.len(), 102);
        let counted = account.bytes();
        assert!(counted >= 101, "the old piece is counted: {counted}");
        owned.make_mut().push(4);
        assert_eq!(account.bytes(), counted, "copied once, not again");
        drop(snapshot);
        assert_eq!(account.bytes(), 0, "released with the last snapshot");
    }

    #[test]
    fn a_piece_the_owner_drops_lives_on_counted_for_its_snapshots() {
        let account = Orphans::default();
        let owned = Owned::new(vec![0u8; 64], &account);
        let a = owned.freeze();
        let b = a.clone();
        drop(owned);
        assert!(account.bytes() >= 64);
        drop(a);
        assert!(account.bytes() >= 64, "b still holds it");
        drop(b);
        assert_eq!(account.bytes(), 0);
        let alone = Owned::new(vec![0u8; 64], &account);
        drop(alone);
        assert_eq!(account.bytes(), 0, "never shared, never counted");
    }
}
