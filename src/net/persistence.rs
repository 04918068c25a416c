//! What the loop does for the log around each pass, besides writing it
//! before the replies (`before_sleep.rs`): open it and load the lists at
//! start, take the helper thread's news before the queue runs, time the
//! passes while a compaction runs, retry after a disk failure, start a
//! compaction when the log has grown well past the live data, and sync at
//! a graceful stop.

use std::time::{Duration, Instant};

use super::process::Proc;
use crate::runtime::Runtime;
use crate::store::Store;
use crate::todo::{self, Rebuilt};

/// How often a server whose log failed tries to write memory to disk
/// again.
const RETRY_EVERY: Duration = Duration::from_secs(1);

/// The loop's part in keeping the log.
#[derive(Debug, Default)]
pub(super) struct Persistence {
    /// When the pass being timed began.
    pass_began: Option<Instant>,
    /// When to try again after a failure.
    next_retry: Option<Instant>,
}

impl Persistence {
    /// Opens the log of `--data-dir` (unless `--in-memory`) and replays
    /// it, keeping the lists it held for the manager to start. The log's
    /// helper thread calls `wake` when it has news for the loop.
    pub(super) fn open(
        runtime: &mut Runtime<Proc>,
        wake: impl Fn() + Send + 'static,
    ) -> Result<(), String> {
        let config = runtime.shared().config().clone();
        let Some(dir) = &config.data_dir else {
            log::info!("--in-memory: no log; the lists live as long as the server");
            return Ok(());
        };
        let began = Instant::now();
        let mut rebuilt = Rebuilt::new(runtime.shared().budget().orphans());
        let store = Store::open(dir, config.fsync, config.repair, &mut rebuilt, wake)?;
        log::info!(
            "read the log in {} in {:?} (--fsync {})",
            dir.display(),
            began.elapsed(),
            config.fsync
        );
        let shared = runtime.shared_mut();
        shared.set_store(store);
        shared.set_rebuilt(rebuilt);
        Ok(())
    }

    /// The tree has started: says what the log held, and how long it took
    /// from opening it to every list started.
    pub(super) fn loaded(runtime: &Runtime<Proc>, began: Instant) {
        let shared = runtime.shared();
        let Some(dir) = &shared.config().data_dir else {
            return;
        };
        let stats = shared.stats();
        log::info!(
            "loaded {} lists and {} items from {} in {:?}",
            stats.lists(),
            stats.items(),
            dir.display(),
            began.elapsed()
        );
    }

    /// Before the queue runs: take the helper thread's news (a failed
    /// sync, a finished compaction), so that requests see the log as it
    /// is.
    pub(super) fn before_pass(&mut self, runtime: &mut Runtime<Proc>, now: Instant) {
        if let Some(store) = runtime.shared_mut().store_mut() {
            store.poll();
            self.pass_began = Some(now);
        }
    }

    /// After the replies are written: note how long the pass took, and
    /// have `manager` compact if the log failed (to write memory to disk
    /// again) or has grown well past the live data (as a snapshot would
    /// hold it).
    pub(super) fn after_pass(&mut self, runtime: &mut Runtime<Proc>) {
        let shared = runtime.shared_mut();
        let stats = shared.stats();
        let live =
            todo::memory::snapshot_estimate(shared.budget().used(), stats.lists(), stats.items());
        let Some(store) = shared.store_mut() else {
            return;
        };
        let now = Instant::now();
        if let Some(began) = self.pass_began.take() {
            store.pass_took(now.saturating_duration_since(began));
        }
        let retry = store.refusal().is_some()
            && !store.compaction_running()
            && self.next_retry.is_none_or(|at| now >= at);
        if retry {
            self.next_retry = Some(now + RETRY_EVERY);
        }
        if retry || store.wants_compaction(live) {
            if let Some(manager) = runtime.whereis(todo::MANAGER) {
                runtime.send(manager, todo::Msg::Compact.into());
                runtime.run_until_idle();
            }
        }
    }

    /// When the loop must wake to retry, if the log failed.
    pub(super) fn next_check(&self, runtime: &Runtime<Proc>) -> Option<Instant> {
        runtime.shared().refusal().and(self.next_retry)
    }

    /// A graceful stop: what was logged is synced before the server exits.
    /// If that fails, the store is left refusing (`Store::refusal`), and
    /// the binary exits with an error.
    pub(super) fn stop(runtime: &mut Runtime<Proc>) {
        if let Some(store) = runtime.shared_mut().store_mut() {
            match store.sync() {
                Ok(()) => log::info!("the log is synced"),
                Err(e) => log::error!("the log could not be synced at stop: {e}"),
            }
        }
    }
}
