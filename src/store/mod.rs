//! The durable log: every change the server acknowledges, appended to a
//! segment file, checksummed (`record.rs`, `frame.rs`, `file.rs`);
//! replayed at start (`recovery.rs`), damage told from a torn tail and,
//! with `--repair`, set aside (`damage.rs`); compacted into a snapshot
//! without `fork` and without a stall (`compaction.rs`); synced by a
//! helper thread so the loop never waits on the disk unless `--fsync
//! always` asks it to (`syncer.rs`), a new segment's records held until
//! the one before is synced (`rotation.rs`); one server per directory
//! (`lock.rs`); a manifest says which files count (`manifest.rs`).
//!
//! Group commit: the records of one loop pass collect in a buffer and go
//! to the file with one `write` before any reply of that pass is written,
//! and under `always` one `fdatasync` covers them all. If the write or the
//! sync fails, the replies of that pass that acknowledge a change become
//! errors, further changes are refused (reads go on), and the server
//! retries by compacting memory into a fresh snapshot: once one is
//! written, memory and disk agree again and changes are accepted.
//!
//! The store knows bytes, not lists: the domain appends records and, at
//! start, rebuilds its lists from them (`recovery::Rebuild`).

mod compaction;
mod damage;
mod file;
mod frame;
mod lock;
mod manifest;
pub mod record;
mod recovery;
mod rotation;
mod syncer;

#[cfg(test)]
mod scratch;
#[cfg(test)]
mod tests;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use compaction::Progress;
pub use record::Record;
pub use recovery::Rebuild;

use compaction::Compaction;
use file::{Faults, Header, Kind, Writer};
use lock::Lock;
use manifest::Manifest;
use recovery::{segment_name, snapshot_name};
use syncer::Syncer;

/// When a change reaches the disk (`--fsync`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fsync {
    /// Synced before its reply is sent: one `fdatasync` per loop pass.
    Always,
    /// Written to the kernel before the reply, synced within a second.
    Everysec,
    /// Written to the kernel before the reply; the kernel decides when.
    No,
}

impl fmt::Display for Fsync {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Fsync::Always => "always",
            Fsync::Everysec => "everysec",
            Fsync::No => "no",
        })
    }
}

/// The open log of a data directory.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    fsync: Fsync,
    _lock: Lock,
    faults: Faults,
    /// The segment being appended to, and its number.
    segment: Writer,
    segment_no: u64,
    /// The number of the segment's first change, if this process made it
    /// (a segment it appends to after a restart may have any).
    segment_first_lsn: Option<u64>,
    /// The records of this pass, written with one `write` before its
    /// replies.
    pending: Vec<u8>,
    /// Under `everysec`, the segment before this one until the helper
    /// thread has synced it: this one's records wait in `pending`, and
    /// their `OK`s with them (`Flushed::Held`), so that no change of this
    /// segment can reach the disk before an earlier one of that one.
    unsynced_previous: Option<std::fs::File>,
    /// Last syncs asked of the helper thread and not reported yet.
    rotations_unreported: u64,
    /// The number the next change gets.
    lsn: u64,
    /// The number after the last change written to the segment: the
    /// changes numbered from it on are lost if the log fails, and their
    /// numbers given again, so that the next segment starts where this
    /// one ends.
    written_lsn: u64,
    /// Why changes are refused, after a failed write or sync.
    failure: Option<String>,
    /// The failure happened since the last `flush`: the `OK`s waiting for
    /// that flush must become errors.
    failure_unreported: bool,
    syncer: Syncer,
    manifest: Manifest,
    /// Bytes of the log: the snapshot and the segments since.
    log_bytes: u64,
    segments: u64,
    compaction: Option<Compaction>,
    counters: Counters,
}

/// What `Store::flush` did with the records of a pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flushed {
    /// Written (if there were any): the `OK`s that waited for them may
    /// leave.
    Written,
    /// Held until the segment before this one is synced (`rotation.rs`):
    /// the `OK`s wait.
    Held,
}

/// What `STATS` reports about the log.
#[derive(Debug, Default, Clone, Copy)]
struct Counters {
    /// Syncs done by the loop (`always`) and the thread (`everysec`).
    loop_syncs: u64,
    compactions: u64,
    errors: u64,
    /// The longest loop pass during the last compaction.
    longest_pass: Duration,
    /// When the loop last synced (`always`).
    last_loop_sync: Option<Instant>,
    /// Compactions started, to number them.
    compaction_ids: u64,
}

/// The store's `STATS` rows.
#[derive(Debug)]
pub struct Report {
    /// The policy.
    pub fsync: Fsync,
    /// Bytes of the log on disk.
    pub log_bytes: u64,
    /// Segment files since the snapshot.
    pub segments: u64,
    /// How long since the log was last synced, if it ever was.
    pub last_sync_age: Option<Duration>,
    /// Syncs done.
    pub syncs: u64,
    /// Compactions finished.
    pub compactions: u64,
    /// A compaction's progress, if one is running.
    pub compacting: Option<Progress>,
    /// Writes, syncs and compactions that failed.
    pub errors: u64,
    /// The longest loop pass during the last compaction.
    pub longest_pass: Duration,
    /// Why changes are refused, if they are.
    pub failure: Option<String>,
}

impl Store {
    /// Opens (creating it if missing) and locks `dir`, replays its log
    /// into `target`, and opens the segment to append to. The helper
    /// thread calls `wake` when it has news (a finished compaction, a
    /// failed sync) for `poll`.
    pub fn open(
        dir: &Path,
        fsync: Fsync,
        repair: bool,
        target: &mut impl Rebuild,
        wake: impl Fn() + Send + 'static,
    ) -> Result<Store, String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create the data directory {}: {e}", dir.display()))?;
        let lock = Lock::take(dir)?;
        let replayed = recovery::replay(dir, recovery::Mode::Start { repair }, target)?;
        let faults = Faults::default();
        let io = |e: std::io::Error| format!("cannot write in {}: {e}", dir.display());
        let (segment, segment_no, segment_first_lsn) = match replayed.last_segment {
            Some((n, len)) => (
                Writer::append_to(&dir.join(segment_name(n)), len, &faults).map_err(io)?,
                n,
                None,
            ),
            None => {
                let n = replayed.new_segment;
                let kind = if replayed.new_segment_after_repair {
                    Kind::SegmentAfterRepair
                } else {
                    Kind::Segment
                };
                let header = Header {
                    kind,
                    first_lsn: replayed.next_lsn,
                };
                let writer = Writer::create(&dir.join(segment_name(n)), header, &faults);
                manifest::sync_dir(dir).map_err(io)?;
                (writer.map_err(io)?, n, Some(replayed.next_lsn))
            }
        };
        let handle = segment.handle().map_err(io)?;
        let periodic = fsync == Fsync::Everysec;
        let syncer = Syncer::start(handle, dir, periodic, faults.clone(), Box::new(wake));
        Ok(Store {
            dir: dir.to_owned(),
            fsync,
            _lock: lock,
            faults,
            log_bytes: replayed.log_bytes.max(segment.len()),
            segments: replayed.segments.max(1),
            segment,
            segment_no,
            segment_first_lsn,
            pending: Vec::new(),
            unsynced_previous: None,
            rotations_unreported: 0,
            lsn: replayed.next_lsn,
            written_lsn: replayed.next_lsn,
            failure: None,
            failure_unreported: false,
            syncer,
            manifest: replayed.manifest,
            compaction: None,
            counters: Counters::default(),
        })
    }

    /// Why a change must be refused now, if it must: the log could not be
    /// written, and memory and disk do not agree again yet.
    pub fn refusal(&self) -> Option<&str> {
        self.failure.as_deref()
    }

    /// Logs a change. Its reply must not leave before `flush`. While
    /// changes are refused, nothing is logged (the compaction that ends
    /// the refusal writes memory as it is), except after that compaction
    /// has begun: what changes then (a list lost to a crash) goes to its
    /// new segment once it succeeds.
    pub fn append(&mut self, record: Record<'_>) {
        if self.failure.is_none() || self.compaction.as_ref().is_some_and(|c| c.recovering) {
            record.encode(&mut self.pending);
            self.lsn += 1;
        } else {
            // A change made without its record (one that began before the
            // failure, and ends now): its pass's replies must not say OK.
            self.failure_unreported = true;
        }
    }

    /// The number the next change gets: every change before it is in
    /// the log (or in this pass's records).
    pub fn lsn(&self) -> u64 {
        self.lsn
    }

    /// Writes this pass's records with one `write` (and syncs them under
    /// `always`), before any of its replies leaves, or holds them until
    /// the segment before this one is synced (`Flushed::Held`). `Err` with
    /// the reason if they did not become durable: the replies that
    /// acknowledge them must become errors.
    pub fn flush(&mut self) -> Result<Flushed, String> {
        self.check_syncer();
        if self.pending.len() > rotation::HELD_AT_MOST {
            // Held too long for the helper thread's sync: the loop waits
            // for it rather than hold more (a failure is the log's).
            let _ = self.sync_previous();
        }
        if self.failure.is_none() {
            self.write_pending();
        }
        match &self.failure {
            None if self.unsynced_previous.is_some() => Ok(Flushed::Held),
            None => Ok(Flushed::Written),
            // Once per failure: the `OK`s of the pass it happened in. And
            // while records wait for a recovery to end.
            Some(reason)
                if std::mem::take(&mut self.failure_unreported) || !self.pending.is_empty() =>
            {
                Err(reason.clone())
            }
            Some(_) => Ok(Flushed::Written),
        }
    }

    /// Writes the records logged so far with one `write` (and syncs them
    /// under `always`); a failure refuses changes from now on.
    fn write_pending(&mut self) {
        if self.pending.is_empty() || self.unsynced_previous.is_some() {
            return;
        }
        let result = self.segment.write(&self.pending).and_then(|()| {
            self.log_bytes += self.pending.len() as u64;
            self.written_lsn = self.lsn;
            if self.fsync == Fsync::Always {
                self.segment.sync()?;
                self.counters.loop_syncs += 1;
                self.counters.last_loop_sync = Some(Instant::now());
            }
            Ok(())
        });
        self.pending.clear();
        if let Err(e) = result {
            self.fail(&e.to_string());
        }
    }

    /// Writes and syncs what was logged, now (a graceful stop). After an
    /// `Err`, `refusal` says why: the log is not surely on disk.
    pub fn sync(&mut self) -> Result<(), String> {
        self.sync_previous()?;
        self.flush()?;
        if let Some(reason) = &self.failure {
            return Err(reason.clone());
        }
        self.segment.sync().map_err(|e| self.fail(&e.to_string()))
    }

    /// Replays the log into `target` again, while the server runs (the
    /// manager restarted, and rebuilds its lists): what this pass logged
    /// is written first, so that the files hold every change.
    pub fn replay_again(&mut self, target: &mut impl Rebuild) -> Result<(), String> {
        // A failed sync or write is the log's failure (`fail`): the replay
        // goes on, from what the files hold.
        if self.failure.is_none() && self.sync_previous().is_ok() {
            self.write_pending();
        }
        recovery::replay(&self.dir, recovery::Mode::Reread, target).map(|_| ())
    }

    /// Gives up the compaction that is taking lists, if one is (the
    /// manager feeding it is gone).
    pub fn abandon_compaction(&mut self, why: &str) {
        if self.compaction.as_ref().is_some_and(|c| !c.finishing) {
            self.abandon(why);
        }
    }

    /// Takes what the helper thread has done: a failed sync, a finished
    /// compaction. The loop calls this each pass, before it runs the
    /// queue, so that a request sees the store as it is.
    pub fn poll(&mut self) {
        self.check_syncer();
    }

    /// The failures the helper thread met, taken into account.
    fn check_syncer(&mut self) {
        if !self.syncer.has_news() {
            return;
        }
        let report = self.syncer.take_report();
        self.rotations_unreported = self.rotations_unreported.saturating_sub(report.rotated);
        if self.rotations_unreported == 0 {
            self.unsynced_previous = None;
        }
        if let Some(error) = report.error {
            self.fail(&error);
        }
        for finished in report.finished {
            self.compaction_finished(finished);
        }
    }

    /// Changes are refused from now on, until a compaction succeeds.
    fn fail(&mut self, reason: &str) -> String {
        if self.compaction.as_ref().is_some_and(|c| !c.finishing) {
            // Records it counted on are lost: start over once the disk
            // works. One the helper thread is finishing is whole (every
            // list is in it, and what is lost came after): it goes on.
            self.abandon(reason);
        }
        self.counters.errors += 1;
        if self.failure.is_none() {
            log::error!(
                "the log in {} cannot be written: {reason}; refusing changes (reads go on) \
                 until memory is written to disk again",
                self.dir.display()
            );
        }
        self.failure = Some(reason.to_owned());
        self.failure_unreported = true;
        self.pending.clear();
        self.unsynced_previous = None;
        self.lsn = self.written_lsn;
        reason.to_owned()
    }

    /// The injected failures, for `DEBUG DISK ...`.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// The log is much bigger than the live data: worth compacting.
    pub fn wants_compaction(&self, live_bytes: u64) -> bool {
        const MIN: u64 = 64 << 20;
        self.compaction.is_none()
            && self.failure.is_none()
            && self.log_bytes > MIN
            && self.log_bytes > 2 * live_bytes
    }

    /// The store's `STATS` rows.
    pub fn report(&mut self) -> Report {
        self.check_syncer();
        let (thread_syncs, thread_last_sync) = self.syncer.syncs();
        let last_sync = match (thread_last_sync, self.counters.last_loop_sync) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        Report {
            fsync: self.fsync,
            log_bytes: self.log_bytes,
            segments: self.segments,
            last_sync_age: last_sync.map(|at| at.elapsed()),
            syncs: self.counters.loop_syncs + thread_syncs,
            compactions: self.counters.compactions,
            compacting: self.compaction.as_ref().map(Compaction::progress),
            errors: self.counters.errors,
            longest_pass: self.counters.longest_pass,
            failure: self.failure.clone(),
        }
    }

    /// A loop pass took `took`: kept if a compaction is running and it is
    /// the longest.
    pub fn pass_took(&mut self, took: Duration) {
        if let Some(compaction) = &mut self.compaction {
            compaction.pass_took(took);
        }
    }

    /// The snapshot file a compaction starting now writes, and its path.
    fn snapshot_path(&self) -> PathBuf {
        self.dir.join(snapshot_name(self.segment_no))
    }
}
