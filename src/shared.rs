//! What every process of the server can reach through `Context::shared`:
//! the configuration (read-only), the `STATS` counters, the memory
//! account and the log, each its own type, and the lists the log held at
//! start until the manager takes them; and the `STATS` rows, gathered from
//! them all. There is one thread, so there are no locks.

use std::time::Instant;

use crate::budget::Budget;
use crate::config::Config;
use crate::stats::Stats;
use crate::store::Store;

/// The configuration, the counters, the memory account and the log.
#[derive(Debug)]
pub struct Shared {
    config: Config,
    stats: Stats,
    budget: Budget,
    /// The durable log; `None` with `--in-memory`.
    store: Option<Store>,
    /// The lists read from the log at start, until the manager takes them.
    rebuilt: Option<crate::todo::Rebuilt>,
}

impl Shared {
    /// Fresh counters and account for a server started now with `config`.
    pub fn new(config: &Config) -> Shared {
        Shared {
            config: config.clone(),
            stats: Stats::new(Instant::now()),
            budget: Budget::new(
                config.store_memory(),
                config.client_memory(),
                config.room_kept_back(),
            ),
            store: None,
            rebuilt: None,
        }
    }

    /// Keeps the lists read from the log at start for the manager.
    pub fn set_rebuilt(&mut self, rebuilt: crate::todo::Rebuilt) {
        self.rebuilt = Some(rebuilt);
    }

    /// The lists read from the log at start, once.
    pub fn take_rebuilt(&mut self) -> Option<crate::todo::Rebuilt> {
        self.rebuilt.take()
    }

    /// From now on, changes are logged to `store`.
    pub fn set_store(&mut self, store: Store) {
        self.store = Some(store);
    }

    /// The log, if the server keeps one.
    pub fn store(&self) -> Option<&Store> {
        self.store.as_ref()
    }

    /// The log, to append to.
    pub fn store_mut(&mut self) -> Option<&mut Store> {
        self.store.as_mut()
    }

    /// Why changes are refused now, if they are: the log cannot be written.
    pub fn refusal(&self) -> Option<&str> {
        self.store.as_ref().and_then(Store::refusal)
    }

    /// Logs a change, if the server keeps a log.
    pub fn log(&mut self, record: crate::store::Record<'_>) {
        if let Some(store) = &mut self.store {
            store.append(record);
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
    pub fn stats_rows(&mut self, processes: usize, restarts: u64) -> Vec<(&'static str, String)> {
        let stats = &self.stats;
        let mut rows: Vec<(&'static str, String)> = [
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
            ("restarts", restarts),
        ]
        .into_iter()
        .map(|(key, value)| (key, value.to_string()))
        .collect();
        let Some(store) = &mut self.store else {
            rows.push(("persistence", "none".into()));
            return rows;
        };
        let report = store.report();
        let compacting = report.compacting;
        let ms = |d: std::time::Duration| d.as_millis().to_string();
        rows.extend([
            ("persistence", "log".into()),
            ("fsync", report.fsync.to_string()),
            ("log_bytes", report.log_bytes.to_string()),
            ("log_segments", report.segments.to_string()),
            (
                "last_sync_age_ms",
                report.last_sync_age.map_or("never".into(), ms),
            ),
            ("syncs", report.syncs.to_string()),
            ("compacting", u8::from(compacting.is_some()).to_string()),
            (
                "compaction_lists",
                compacting.map_or(0, |p| p.lists).to_string(),
            ),
            (
                "compaction_bytes",
                compacting.map_or(0, |p| p.bytes).to_string(),
            ),
            ("compactions", report.compactions.to_string()),
            (
                "compaction_longest_pass_us",
                report.longest_pass.as_micros().to_string(),
            ),
            ("persistence_errors", report.errors.to_string()),
            (
                "persistence_failure",
                report.failure.unwrap_or_else(|| "none".into()),
            ),
        ]);
        rows
    }
}
