//! Latency histogram: log-linear buckets (32 per power of two, so a
//! reported percentile is within about 3% of the true value), fixed size,
//! no allocation per sample.

/// Sub-buckets per power of two.
const SUB: u64 = 32;
const SUB_BITS: u32 = 5;
const BUCKETS: usize = (64 - SUB_BITS as usize + 1) * SUB as usize;

/// Latencies in nanoseconds.
#[derive(Clone, Debug)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
    max: u64,
}

impl Default for Histogram {
    fn default() -> Histogram {
        Histogram {
            counts: vec![0; BUCKETS],
            total: 0,
            max: 0,
        }
    }
}

fn bucket(ns: u64) -> usize {
    if ns < SUB {
        return ns as usize;
    }
    let msb = 63 - ns.leading_zeros();
    let shift = msb - SUB_BITS;
    ((shift as u64 + 1) * SUB + ((ns >> shift) & (SUB - 1))) as usize
}

/// The highest value that falls in bucket `b`.
fn bucket_top(b: usize) -> u64 {
    let b = b as u64;
    if b < SUB {
        return b;
    }
    let shift = b / SUB - 1;
    let sub = (b % SUB) | SUB;
    ((sub + 1) << shift) - 1
}

impl Histogram {
    /// Counts one latency.
    pub fn record(&mut self, ns: u64) {
        self.counts[bucket(ns)] += 1;
        self.total += 1;
        self.max = self.max.max(ns);
    }

    /// Samples counted.
    pub fn count(&self) -> u64 {
        self.total
    }

    /// The largest sample.
    pub fn max(&self) -> u64 {
        self.max
    }

    /// The value at quantile `q` (0.5 for the median), at most the maximum.
    pub fn quantile(&self, q: f64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0;
        for (b, &count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                return bucket_top(b).min(self.max);
            }
        }
        self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_ordered_and_tight() {
        let mut last = 0;
        for ns in (0..2_000_000u64).step_by(7) {
            let b = bucket(ns);
            assert!(b >= last);
            last = b;
            let top = bucket_top(b);
            assert!(top >= ns, "{ns} above its bucket's top {top}");
            assert!(top - ns <= ns / 16, "{ns}: top {top} too loose");
        }
        assert!(bucket(u64::MAX) < BUCKETS);
    }

    #[test]
    fn quantiles_of_a_known_spread() {
        let mut h = Histogram::default();
        for ns in 1..=10_000u64 {
            h.record(ns * 1000);
        }
        let within = |got: u64, want: u64| got >= want && got <= want + want / 16;
        assert!(within(h.quantile(0.5), 5_000_000), "{}", h.quantile(0.5));
        assert!(within(h.quantile(0.99), 9_900_000), "{}", h.quantile(0.99));
        assert_eq!(h.quantile(1.0), 10_000_000);
        assert_eq!(h.max(), 10_000_000);
    }
}
