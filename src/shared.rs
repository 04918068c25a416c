//! What every process of the server can reach through `Context::shared`:
//! the configuration (read-only), the `STATS` counters and the memory
//! account, each its own type. There is one thread, so there are no locks.

use std::time::Instant;

use crate::budget::Budget;
use crate::config::Config;
use crate::stats::Stats;

/// The configuration, the counters and the memory account.
#[derive(Debug)]
pub struct Shared {
    config: Config,
    stats: Stats,
    budget: Budget,
}

impl Shared {
    /// Fresh counters and account for a server started now with `config`.
    pub fn new(config: &Config) -> Shared {
        Shared {
            config: config.clone(),
            stats: Stats::new(Instant::now()),
            budget: Budget::new(config.store_memory(), config.client_memory()),
        }
    }

    /// The configuration the server started with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The counters, to read.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The counters, to count with.
    pub fn stats_mut(&mut self) -> &mut Stats {
        &mut self.stats
    }

    /// The memory account, to read.
    pub fn budget(&self) -> &Budget {
        &self.budget
    }

    /// The memory account, to reserve from and release to.
    pub fn budget_mut(&mut self) -> &mut Budget {
        &mut self.budget
    }

    /// The `STATS` rows, in order, with `processes` live processes.
    pub fn stats_rows(&self, processes: usize) -> [(&'static str, u64); 13] {
        let stats = &self.stats;
        [
            ("uptime_seconds", stats.uptime_seconds()),
            ("connections", stats.connections()),
            ("lists", stats.lists()),
            ("items", stats.items()),
            ("processes", processes as u64),
            ("commands", stats.commands()),
            ("used_memory", self.budget.used()),
            ("max_memory", self.config.max_memory),
            ("max_store_memory", self.budget.max()),
            ("client_memory", self.budget.client_used()),
            ("max_client_memory", self.budget.client_max()),
            ("rejected_connections", stats.rejected_connections()),
            ("evicted_clients", stats.evicted_clients()),
        ]
    }
}
