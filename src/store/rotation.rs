//! Where a new segment begins: after the records of the old one are
//! written, and, under `everysec`, with its own records held back until
//! the helper thread has synced the old one, so that a power cut cannot
//! keep a change of the new segment and lose an earlier one of the old
//! (a hole) and the loop does not wait on the disk for it.

use super::file::{Header, Kind, Writer};
use super::recovery::segment_name;
use super::{manifest, Fsync, Store};

/// The most bytes of records held for the old segment's sync: past this
/// the loop makes that sync itself, so that a slow disk cannot make the
/// records held grow without bound (they are not in the memory budget;
/// this is within its allowance for the program).
pub(super) const HELD_AT_MOST: usize = 4 << 20;

impl Store {
    /// Starts writing a new segment, numbered next, once what was written
    /// to this one is on disk: otherwise a power cut could keep changes
    /// acknowledged in the new one and lose earlier ones in this one, a
    /// hole. Under `always` each pass is synced already; under `everysec`
    /// the helper thread syncs it, and the new segment's records wait for
    /// that (`unsynced_previous`), not the loop. Under `no` nothing waits:
    /// the kernel decides when anything reaches the disk, and a power cut
    /// may leave holes within a segment as well (replay refuses a hole
    /// between segments; `--repair` keeps what comes before it).
    pub(super) fn rotate(&mut self) -> Result<(), String> {
        let mut previous = None;
        if self.failure.is_none() {
            // Two rotations within one sync (a compaction given up and
            // started again): the older waits on the loop, rarely.
            self.sync_previous()?;
            self.write_pending();
            if let Some(reason) = &self.failure {
                return Err(reason.clone());
            }
            if self.fsync == Fsync::Everysec {
                previous = Some(
                    self.segment
                        .handle()
                        .map_err(|e| self.fail(&e.to_string()))?,
                );
            }
        }
        let n = self.segment_no + 1;
        let header = Header {
            kind: Kind::Segment,
            first_lsn: self.lsn,
        };
        // Under `always` the new file's name must be on disk before an
        // `OK` for a change in it leaves; otherwise the thread syncs it.
        let path = self.dir.join(segment_name(n));
        let writer = Writer::create(&path, header, &self.faults)
            .and_then(|w| {
                if self.fsync == Fsync::Always {
                    manifest::sync_dir(&self.dir)?;
                }
                let handle = w.handle()?;
                Ok((w, handle))
            })
            .map_err(|e| {
                // No half-made segment is left for the next try to trip on.
                let _ = std::fs::remove_file(&path);
                e.to_string()
            });
        let (writer, handle) = writer?;
        self.syncer.segment(handle);
        if previous.is_some() {
            self.unsynced_previous = previous;
            self.rotations_unreported += 1;
        }
        self.segment = writer;
        self.segment_no = n;
        self.segment_first_lsn = Some(self.lsn);
        self.segments += 1;
        self.log_bytes += self.segment.len();
        Ok(())
    }

    /// Syncs the segment before this one on the loop, if the helper thread
    /// has not yet (a stop, a replay, a second rotation cannot wait).
    pub(super) fn sync_previous(&mut self) -> Result<(), String> {
        let Some(previous) = self.unsynced_previous.take() else {
            return Ok(());
        };
        self.faults
            .sync()
            .and_then(|()| previous.sync_data())
            .map_err(|e| self.fail(&e.to_string()))
    }
}
