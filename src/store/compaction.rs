//! A compaction, the store's part: a new segment takes the changes from
//! the moment it starts, the live lists go into a snapshot file a slice
//! per loop pass (fed by the domain, which reads its lists as they are),
//! and when the snapshot is complete the helper thread syncs it, replaces
//! the manifest and removes the files it replaces. A crash at any moment
//! leaves either the old manifest, with every file it names intact, or the
//! new one: nothing acknowledged is lost.
//!
//! Each list in the snapshot says which change it is up to (its LSN), so
//! the snapshot need not be one instant: replay skips the new segment's
//! records a list already reflects.

use std::time::{Duration, Instant};

use super::file::{Header, Kind, Writer};
use super::manifest::Manifest;
use super::recovery::{segment_name, snapshot_name};
use super::{Record, Store};

/// Snapshot bytes buffered before a `write`.
const WRITE_AT: usize = 256 << 10;

/// A compaction under way.
#[derive(Debug)]
pub struct Compaction {
    /// Which one it is: the domain names it when it feeds it lists, so
    /// that lists meant for one that was given up go nowhere.
    id: u64,
    writer: Writer,
    buffer: Vec<u8>,
    /// The segment started with it: the new manifest's first.
    first_segment: u64,
    started: Instant,
    lists: u64,
    /// Handed to the helper thread, which syncs and switches.
    pub(super) finishing: bool,
    /// Started while changes were refused: its success ends the refusal.
    pub(super) recovering: bool,
    longest_pass: Duration,
}

/// How far a compaction has got, for `STATS`.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// Lists written so far.
    pub lists: u64,
    /// Bytes of snapshot written so far.
    pub bytes: u64,
}

impl Compaction {
    pub(super) fn progress(&self) -> Progress {
        Progress {
            lists: self.lists,
            bytes: self.writer.len() + self.buffer.len() as u64,
        }
    }

    pub(super) fn pass_took(&mut self, took: Duration) {
        self.longest_pass = self.longest_pass.max(took);
    }
}

impl Store {
    /// Starts a compaction: the changes from now on go to a new segment.
    /// Its id, to feed it lists with; `Ok(None)` if one is running already.
    pub fn start_compaction(&mut self) -> Result<Option<u64>, String> {
        if self.compaction.is_some() {
            return Ok(None);
        }
        let recovering = self.failure.is_some();
        // A segment with no record yet, started by a compaction that was
        // given up (retries while the disk is full), serves again: a long
        // outage leaves no trail of empty files.
        let name = snapshot_name(self.segment_no);
        let reusable = self.segment.len() == super::file::FILE_HEADER as u64
            && self.pending.is_empty()
            && self.manifest.snapshot.as_deref() != Some(name.as_str());
        match self.segment_first_lsn {
            Some(first) if reusable => self.lsn = first,
            _ => self.rotate()?,
        }
        let header = Header {
            kind: Kind::Snapshot,
            first_lsn: self.lsn,
        };
        let path = self.snapshot_path();
        let writer = Writer::create(&path, header, &self.faults).map_err(|e| e.to_string())?;
        log::info!(
            "compacting the log ({} bytes in {} segment(s)) into {}",
            self.log_bytes,
            self.segments,
            path.display()
        );
        self.counters.compaction_ids += 1;
        let id = self.counters.compaction_ids;
        self.compaction = Some(Compaction {
            id,
            writer,
            buffer: Vec::new(),
            first_segment: self.segment_no,
            started: Instant::now(),
            lists: 0,
            finishing: false,
            recovering,
            longest_pass: Duration::ZERO,
        });
        Ok(Some(id))
    }

    /// Whether compaction `id` is running and still takes lists.
    pub fn compacting(&self, id: u64) -> bool {
        self.compaction
            .as_ref()
            .is_some_and(|c| c.id == id && !c.finishing)
    }

    /// Whether any compaction is running.
    pub fn compaction_running(&self) -> bool {
        self.compaction.is_some()
    }

    /// The compaction `id`, if it still takes lists.
    fn taking(&mut self, id: u64) -> Option<&mut Compaction> {
        self.compaction
            .as_mut()
            .filter(|c| c.id == id && !c.finishing)
    }

    /// A list for snapshot `id`, as it is with the changes numbered before
    /// `lsn` in it; its items follow with `snapshot_items`.
    pub fn snapshot_list(&mut self, id: u64, lsn: u64, name: &[u8]) {
        if let Some(c) = self.taking(id) {
            Record::List { lsn, name }.encode(&mut c.buffer);
            c.lists += 1;
        }
    }

    /// Items of the list given last, newest first, packed (see
    /// `record::pack_item`).
    pub fn snapshot_items(&mut self, id: u64, packed: &[u8]) {
        let Some(c) = self.taking(id) else {
            return;
        };
        Record::Items { packed }.encode(&mut c.buffer);
        if c.buffer.len() >= WRITE_AT {
            let result = c.writer.write(&c.buffer);
            c.buffer.clear();
            if let Err(e) = result {
                self.abandon(&e.to_string());
            }
        }
    }

    /// Every list is in: write the rest, and let the helper thread sync the
    /// snapshot and the segment, and switch the manifest to them.
    pub fn finish_compaction(&mut self, id: u64) {
        if self.taking(id).is_none() {
            return;
        }
        // The segment must hold every change before those the snapshot
        // reflects: the thread syncs it before it switches. Records still
        // held for the last sync of the segment before go in first: the
        // loop makes that sync if the thread has not yet (a compaction
        // shorter than one sync).
        if self.failure.is_none() {
            if let Err(reason) = self.sync_previous() {
                return self.abandon(&reason);
            }
            self.write_pending();
            if let Some(reason) = self.failure.clone() {
                return self.abandon(&reason);
            }
        }
        let Some(c) = &mut self.compaction else {
            return;
        };
        let result = c.writer.write(&c.buffer).and_then(|()| c.writer.handle());
        c.buffer.clear();
        let snapshot = match result {
            Ok(snapshot) => snapshot,
            Err(e) => return self.abandon(&e.to_string()),
        };
        c.finishing = true;
        let name = c
            .writer
            .path()
            .file_name()
            .map(|n| n.to_string_lossy().into_owned());
        let manifest = Manifest {
            snapshot: name,
            first_segment: c.first_segment,
        };
        let mut obsolete = Vec::new();
        if let Some(old) = &self.manifest.snapshot {
            obsolete.push(self.dir.join(old));
        }
        for n in self.manifest.first_segment..c.first_segment {
            obsolete.push(self.dir.join(segment_name(n)));
        }
        self.syncer
            .finish(snapshot, manifest, self.dir.clone(), obsolete);
    }

    /// The helper thread finished the compaction, or could not.
    pub(super) fn compaction_finished(&mut self, result: Result<(), String>) {
        let Some(c) = self.compaction.take() else {
            return;
        };
        if let Err(e) = result {
            // The manifest may have been replaced before the step that
            // failed (the directory's sync): what is on disk decides.
            let installed = Manifest::read(&self.dir)
                .is_ok_and(|m| m.snapshot.as_deref() == Some(&snapshot_name(c.first_segment)));
            if !installed {
                self.compaction = Some(c);
                return self.abandon(&e);
            }
            // In place, but maybe not durably: keep every old file, and
            // write memory again once the disk works.
            log::error!("compaction: the new manifest is in place but not surely on disk: {e}");
            self.fail(&e);
        }
        self.manifest = Manifest {
            snapshot: Some(snapshot_name(c.first_segment)),
            first_segment: c.first_segment,
        };
        self.log_bytes = c.writer.len() + self.segment.len();
        self.segments = 1;
        self.counters.compactions += 1;
        self.counters.longest_pass = c.longest_pass;
        log::info!(
            "compaction done: {} lists, {} bytes, in {:?}; the longest loop pass meanwhile took {:?}",
            c.lists,
            c.writer.len(),
            c.started.elapsed(),
            c.longest_pass
        );
        if c.recovering && self.failure.take().is_some() {
            log::info!("memory is on disk again: changes are accepted");
        }
    }

    /// Gives up a compaction that failed before the manifest could name
    /// it: its file goes, the manifest stays as it was.
    pub(super) fn abandon(&mut self, error: &str) {
        let Some(c) = self.compaction.take() else {
            return;
        };
        self.counters.errors += 1;
        log::error!("compaction failed: {error}; the log is as it was before it");
        if c.recovering {
            // What was logged since it began is in no snapshot now: the
            // next attempt starts from memory again.
            self.pending.clear();
            self.lsn = self.written_lsn;
        }
        let _ = std::fs::remove_file(c.writer.path());
    }
}
