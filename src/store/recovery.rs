//! Replay: the data directory read back into lists at start.
//!
//! The manifest names a snapshot (if a compaction wrote one) and the first
//! segment to replay after it; segments are numbered, and replayed in
//! order. Every change has a number (its LSN): a segment's header gives
//! its first, and each record the next. A snapshot's list carries the
//! number of the first change it does not reflect, because a compaction
//! reads the lists one by one while changes go on: a segment's record
//! about a list the snapshot already reflects is skipped.
//!
//! A torn tail (the last segment ends in part of a record, or in a bad
//! record with nothing valid after it: a crash in the middle of a write)
//! is cut off with a warning. A bad record with valid records after it is
//! corruption: the start is refused, naming the file and the offset, unless
//! `--repair`, which keeps everything before the damage and moves the
//! damaged file (and the segments after it) aside. A damaged file header
//! is damage at the start of its records: `--repair` keeps nothing of that
//! file (of a damaged snapshot's, nothing at all). `damage.rs` tells the
//! damage from a torn tail and sets it aside.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::Path;

use super::damage::{at, damage, refusal, set_aside, valid_records_after};
use super::file::{BadHeader, Header, Kind, Next, Reader};
use super::manifest::Manifest;
use super::record::Record;

/// What replay feeds the records to: the domain's rebuilt lists.
pub trait Rebuild {
    /// Applies one record. `Items` records belong to the `List` record
    /// before them.
    fn apply(&mut self, record: Record<'_>);
}

/// What replay found.
#[derive(Debug)]
pub struct Replayed {
    /// The manifest it followed.
    pub manifest: Manifest,
    /// The number the next change gets.
    pub next_lsn: u64,
    /// The last segment and the bytes of it that hold whole records: the
    /// one to append to. `None` if there is no segment yet.
    pub last_segment: Option<(u64, u64)>,
    /// The number of the segment to create when there is none to append
    /// to.
    pub new_segment: u64,
    /// That segment starts past where the log ends, on purpose: a repair
    /// set changes aside that lists of the snapshot reflect.
    pub new_segment_after_repair: bool,
    /// Bytes of the snapshot and of the segments replayed.
    pub log_bytes: u64,
    /// Segments replayed.
    pub segments: u64,
}

/// A segment's or snapshot's file name.
pub fn segment_name(n: u64) -> String {
    format!("segment-{n:08}.log")
}

/// A snapshot's file name.
pub fn snapshot_name(n: u64) -> String {
    format!("snapshot-{n:08}.log")
}

/// The numbered files of `kind` in `dir` ("segment" or "snapshot").
pub fn numbered(dir: &Path, kind: &str) -> io::Result<Vec<u64>> {
    let mut numbers = Vec::new();
    for entry in fs::read_dir(dir)? {
        let name = entry?.file_name();
        let Some(name) = name.to_str() else { continue };
        let number = name
            .strip_prefix(kind)
            .and_then(|rest| rest.strip_prefix('-'))
            .and_then(|rest| rest.strip_suffix(".log"))
            .and_then(|n| n.parse().ok());
        if let Some(n) = number {
            numbers.push(n);
        }
    }
    numbers.sort_unstable();
    Ok(numbers)
}

/// Why the log is replayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// At start, before anything else touches the directory: leftovers of
    /// a compaction are removed, and with `repair` damage is set aside.
    Start {
        /// `--repair`.
        repair: bool,
    },
    /// While the server runs (the manager restarting): read only.
    Reread,
}

/// Replays `dir` into `target`.
pub fn replay(dir: &Path, mode: Mode, target: &mut impl Rebuild) -> Result<Replayed, String> {
    let repair = mode == Mode::Start { repair: true };
    let mut manifest = Manifest::read(dir)?;
    if let Some(name) = &manifest.snapshot {
        // Nothing is removed unless what the manifest names is there.
        if !dir.join(name).is_file() {
            return Err(format!(
                "{} names the snapshot {name}, which is missing: refusing to start",
                dir.join(super::manifest::NAME).display()
            ));
        }
    }
    if mode != Mode::Reread {
        remove_leftovers(dir, &manifest).map_err(|e| io_error(dir, e))?;
    }
    let mut replay = Replay {
        dir,
        repair,
        reflected: HashMap::new(),
        max_reflected: 0,
        replayed: Replayed {
            manifest: manifest.clone(),
            next_lsn: 0,
            last_segment: None,
            new_segment: manifest.first_segment,
            new_segment_after_repair: false,
            log_bytes: 0,
            segments: 0,
        },
    };
    let read = match &manifest.snapshot {
        Some(name) => replay.snapshot(&dir.join(name), target)?,
        None => Read::Whole,
    };
    if read == Read::SetAside {
        // Nothing of the snapshot is kept: the manifest names none.
        manifest.snapshot = None;
        manifest
            .write(dir)
            .map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
        replay.replayed.manifest = manifest.clone();
    }
    if read == Read::Whole {
        replay.segments(manifest.first_segment, target)?;
    }
    let mut replayed = replay.replayed;
    if replayed.next_lsn < replay.max_reflected {
        // Records were lost after the snapshot (a repair of a segment, or
        // of the snapshot itself): new ones must number past every list it
        // holds, in a segment of their own.
        replayed.next_lsn = replay.max_reflected;
        replayed.new_segment_after_repair = true;
        if let Some((n, _)) = replayed.last_segment.take() {
            replayed.new_segment = n + 1;
        }
    }
    Ok(replayed)
}

/// What became of a file replay read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Read {
    /// Read to its end, or to a torn tail, cut off.
    Whole,
    /// Damaged: `--repair` kept what came before the damage and set the
    /// rest aside, with every file after it.
    Repaired,
    /// Damaged from its start (its header): `--repair` set it aside whole,
    /// with every file after it.
    SetAside,
}

/// A replay under way.
struct Replay<'a> {
    dir: &'a Path,
    repair: bool,
    /// The first change each list of the snapshot does not reflect, for
    /// the lists read after changes had come.
    reflected: HashMap<Vec<u8>, u64>,
    /// The highest of them: no change after the snapshot may number below.
    max_reflected: u64,
    replayed: Replayed,
}

impl Replay<'_> {
    /// Reads the snapshot at `path` into `target`.
    fn snapshot(&mut self, path: &Path, target: &mut impl Rebuild) -> Result<Read, String> {
        let io = |e| io_error(self.dir, e);
        // What follows it, set aside with it if it is damaged.
        let segments = numbered(self.dir, "segment").map_err(io)?;
        let Some((mut reader, header)) = self.open(path, &segments)? else {
            return Ok(Read::SetAside);
        };
        if header.kind != Kind::Snapshot {
            return Err(at(path, 0, "not a snapshot"));
        }
        self.replayed.next_lsn = header.first_lsn;
        loop {
            match reader.next().map_err(io)? {
                Next::Record(record, offset) => {
                    match record {
                        // A list read before any change after the start
                        // reflects none of the segments' records: only the
                        // others need remembering.
                        Record::List { lsn, name } if lsn > header.first_lsn => {
                            self.reflected.insert(name.to_vec(), lsn);
                            self.max_reflected = self.max_reflected.max(lsn);
                        }
                        Record::List { .. } => {}
                        Record::Items { .. } => {}
                        _ => return Err(at(path, offset, "a change in a snapshot")),
                    }
                    target.apply(record);
                }
                Next::End => {
                    self.replayed.log_bytes += fs::metadata(path).map_err(io)?.len();
                    return Ok(Read::Whole);
                }
                Next::Bad(bad, offset) => {
                    // A snapshot is complete before the manifest names it:
                    // any damage is corruption.
                    if !self.repair {
                        let what = format!("{} in a snapshot", damage(bad));
                        return Err(refusal(path, offset, &what));
                    }
                    set_aside(self.dir, path, offset, &segments)?;
                    self.replayed.log_bytes += offset;
                    return Ok(Read::Repaired);
                }
            }
        }
    }

    /// Replays the segments numbered from `first` on into `target`, in
    /// order, up to the end of the last or to damage that stops it.
    fn segments(&mut self, first: u64, target: &mut impl Rebuild) -> Result<(), String> {
        let io = |e| io_error(self.dir, e);
        let segments: Vec<u64> = numbered(self.dir, "segment")
            .map_err(io)?
            .into_iter()
            .filter(|&n| n >= first)
            .collect();
        for (i, &n) in segments.iter().enumerate() {
            let path = self.dir.join(segment_name(n));
            let last = i + 1 == segments.len();
            let len = fs::metadata(&path).map_err(io)?.len();
            if last && super::file::never_written(&path, len) {
                // Created, but its header not written: the server stopped
                // right then. It holds nothing; it is made again.
                log::warn!(
                    "{}: {len} bytes, less than a header (the server stopped as it created \
                     it): made again",
                    path.display()
                );
                fs::remove_file(&path).map_err(io)?;
                self.replayed.new_segment = n;
                return Ok(());
            }
            let later = &segments[i + 1..];
            let Some((reader, header)) = self.open(&path, later)? else {
                self.replayed.new_segment = n;
                return Ok(());
            };
            if !header.kind.is_segment() {
                return Err(at(&path, 0, "not a segment"));
            }
            // Each segment starts where the log before it ends: a segment
            // missing, or one that lost its end, would be a hole.
            let end = self.replayed.next_lsn;
            let gap = header.kind == Kind::SegmentAfterRepair && header.first_lsn > end;
            if header.first_lsn != end && !gap {
                let what = format!(
                    "its first change is number {}, but the log before it ends at number \
                     {end}: a segment before it is missing, or lost its end",
                    header.first_lsn
                );
                if !self.repair {
                    return Err(refusal(&path, 0, &what));
                }
                log::warn!("--repair: {}: {what}", path.display());
                set_aside(self.dir, &path, 0, later)?;
                self.replayed.new_segment = n;
                return Ok(());
            }
            let (end, read) = self.segment(&path, reader, header.first_lsn, later, target)?;
            self.replayed.segments += 1;
            self.replayed.last_segment = Some((n, end));
            if read != Read::Whole {
                return Ok(());
            }
        }
        Ok(())
    }

    /// Replays one segment, whose first change is numbered `first_lsn`
    /// and which the segments `later` follow: where its whole records end,
    /// and whether a repair stopped there.
    fn segment(
        &mut self,
        path: &Path,
        mut reader: Reader,
        first_lsn: u64,
        later: &[u64],
        target: &mut impl Rebuild,
    ) -> Result<(u64, Read), String> {
        let io = |e| io_error(self.dir, e);
        let mut lsn = first_lsn;
        let (end, read) = loop {
            match reader.next().map_err(io)? {
                Next::Record(record, _) => {
                    let seen = record
                        .name()
                        .and_then(|name| self.reflected.get(name))
                        .is_some_and(|&reflected| lsn < reflected);
                    if !seen {
                        target.apply(record);
                    }
                    lsn += 1;
                }
                Next::End => break (fs::metadata(path).map_err(io)?.len(), Read::Whole),
                Next::Bad(bad, offset) => {
                    let last = later.is_empty();
                    let corrupt = !last || valid_records_after(path, offset).map_err(io)?;
                    if !corrupt {
                        let len = fs::metadata(path).map_err(io)?.len();
                        log::warn!(
                            "{}: cut off a torn tail of {} bytes at offset {offset} (a write \
                             the server did not finish)",
                            path.display(),
                            len - offset
                        );
                        break (offset, Read::Whole);
                    }
                    if !self.repair {
                        let after = if last {
                            "with valid records after it"
                        } else {
                            "in a segment that others follow"
                        };
                        let what = format!("{}, {after}", damage(bad));
                        return Err(refusal(path, offset, &what));
                    }
                    set_aside(self.dir, path, offset, later)?;
                    break (offset, Read::Repaired);
                }
            }
        };
        self.replayed.next_lsn = lsn;
        self.replayed.log_bytes += end;
        Ok((end, read))
    }

    /// Opens a log file that the segments `later` follow. `None` if its
    /// header is damaged and `--repair` set it aside, with them: damage at
    /// the start of its records, so nothing of it is kept.
    fn open(&self, path: &Path, later: &[u64]) -> Result<Option<(Reader, Header)>, String> {
        match Reader::open(path) {
            Ok(opened) => Ok(Some(opened)),
            Err(BadHeader::Refused(why)) => Err(at(path, 0, &why)),
            Err(BadHeader::Damaged(what)) if !self.repair => Err(refusal(path, 0, &what)),
            Err(BadHeader::Damaged(_)) => {
                set_aside(self.dir, path, 0, later)?;
                Ok(None)
            }
        }
    }
}

fn io_error(dir: &Path, e: io::Error) -> String {
    format!("cannot read {}: {e}", dir.display())
}

/// Removes what a compaction left behind: snapshots the manifest does not
/// name (one that was being written, or the one replaced), segments before
/// its first, and a manifest that was being written.
fn remove_leftovers(dir: &Path, manifest: &Manifest) -> io::Result<()> {
    for n in numbered(dir, "snapshot")? {
        let name = snapshot_name(n);
        if manifest.snapshot.as_deref() != Some(name.as_str()) {
            fs::remove_file(dir.join(name))?;
        }
    }
    for n in numbered(dir, "segment")? {
        if n < manifest.first_segment {
            fs::remove_file(dir.join(segment_name(n)))?;
        }
    }
    let tmp = dir.join(format!("{}.tmp", super::manifest::NAME));
    if tmp.exists() {
        fs::remove_file(tmp)?;
    }
    Ok(())
}
