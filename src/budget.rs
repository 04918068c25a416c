//! Where memory is counted: the account that `--max-memory` limits. Stored
//! names and items are counted here with the costs of `todo::memory`, as
//! they are stored and as they are given back.

/// The memory account.
#[derive(Debug)]
pub struct Budget {
    /// Counted bytes of stored names and items.
    used: u64,
    /// Limit on `used`; 0 for none.
    max: u64,
}

impl Budget {
    /// An empty account limited to `max` bytes (0 for no limit).
    pub fn new(max: u64) -> Budget {
        Budget { used: 0, max }
    }

    /// Counts `bytes` more of stored data, unless that would pass the
    /// limit: then nothing is counted and the answer is `false`.
    pub fn reserve(&mut self, bytes: u64) -> bool {
        let used = self.used + bytes;
        if self.max != 0 && used > self.max {
            return false;
        }
        self.used = used;
        true
    }

    /// Gives back `bytes` counted with `reserve`.
    pub fn release(&mut self, bytes: u64) {
        debug_assert!(bytes <= self.used, "released more than reserved");
        self.used -= bytes;
    }

    /// Counted bytes.
    pub fn used(&self) -> u64 {
        self.used
    }

    /// The limit; 0 for none.
    pub fn max(&self) -> u64 {
        self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserve_stops_at_the_limit_and_release_gives_back() {
        let mut budget = Budget::new(100);
        assert!(budget.reserve(60));
        assert!(!budget.reserve(41));
        assert_eq!(budget.used(), 60);
        assert!(budget.reserve(40));
        budget.release(50);
        assert!(budget.reserve(50));
        assert!(!budget.reserve(1));
    }

    #[test]
    fn zero_means_no_limit() {
        let mut budget = Budget::new(0);
        assert!(budget.reserve(u64::MAX / 2));
    }
}
