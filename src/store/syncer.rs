//! The thread that waits on the disk so that the loop never does (except
//! under `--fsync always`, whose promise is that wait): every second under
//! `everysec` it syncs the segment being written (and once more when the
//! next is begun, saying so: that one's records wait for it), and it finishes
//! compactions (syncs the snapshot, replaces the manifest, syncs the
//! directory, removes the files the snapshot replaces). It touches no
//! process and no socket: it gets files and paths, and reports back.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::file::Faults;
use super::manifest::Manifest;

/// How often `everysec` syncs.
const EVERY: Duration = Duration::from_secs(1);

/// Work for the thread.
#[derive(Debug)]
enum Job {
    /// From now on, sync this file (the segment being written) every
    /// second, after a last sync of the one before.
    Segment(File),
    /// Finish a compaction: sync the segment (it holds the changes before
    /// some the snapshot reflects) and the snapshot, write the manifest,
    /// remove the files it no longer names. A failed sync of the segment
    /// is reported as the log's failure too.
    Finish {
        snapshot: File,
        manifest: Manifest,
        dir: PathBuf,
        obsolete: Vec<PathBuf>,
    },
    Stop,
}

/// What the thread has done, for `STATS` and for the loop to act on.
#[derive(Debug, Default)]
pub struct Report {
    /// When the segment was last synced by the thread.
    pub last_sync: Option<Instant>,
    /// Syncs done by the thread.
    pub syncs: u64,
    /// A sync that failed, not yet taken by the loop.
    pub error: Option<String>,
    /// Compactions finished (`Ok`) or failed (`Err`), not yet taken.
    pub finished: Vec<Result<(), String>>,
    /// Segments whose last sync (after the next one was begun) is done,
    /// not yet taken: under `everysec` the next one's records wait for it.
    pub rotated: u64,
}

/// The thread, and where it reports.
#[derive(Debug)]
pub struct Syncer {
    jobs: Sender<Job>,
    report: Arc<Mutex<Report>>,
    /// Set by the thread when the report holds something to act on, so
    /// that the loop's look each pass costs one atomic load.
    news: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Syncer {
    /// Starts the thread; it syncs `segment` (in directory `dir`) every
    /// second if `periodic`.
    /// It calls `wake` when it has news for the loop.
    pub fn start(
        segment: File,
        dir: &Path,
        periodic: bool,
        faults: Faults,
        wake: Box<dyn Fn() + Send>,
    ) -> Syncer {
        let (jobs, rx) = mpsc::channel();
        let report = Arc::new(Mutex::new(Report::default()));
        let shared = Arc::clone(&report);
        let news = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&news);
        let dir = dir.to_owned();
        let thread = thread::Builder::new()
            .name("todo-sync".into())
            .spawn(move || {
                let news = Reporter {
                    report: shared,
                    flag,
                    wake,
                };
                run(rx, segment, &dir, periodic, faults, &news)
            })
            .expect("start the sync thread");
        Syncer {
            jobs,
            report,
            news,
            thread: Some(thread),
        }
    }

    /// The segment being written is now `file`.
    pub fn segment(&self, file: File) {
        let _ = self.jobs.send(Job::Segment(file));
    }

    /// Finishes a compaction in the background.
    pub fn finish(&self, snapshot: File, manifest: Manifest, dir: PathBuf, obsolete: Vec<PathBuf>) {
        let _ = self.jobs.send(Job::Finish {
            snapshot,
            manifest,
            dir,
            obsolete,
        });
    }

    /// Whether the thread has news (an error, a finished compaction) that
    /// `take_report` would hand over; clears the flag.
    pub fn has_news(&self) -> bool {
        self.news.swap(false, Ordering::Acquire)
    }

    /// How many syncs the thread has done, and when it did the last.
    pub fn syncs(&self) -> (u64, Option<Instant>) {
        let report = self.report.lock().expect("the sync thread does not panic");
        (report.syncs, report.last_sync)
    }

    /// What the thread has done so far; errors and finished compactions
    /// are handed over once.
    pub fn take_report(&self) -> Report {
        let mut report = self.report.lock().expect("the sync thread does not panic");
        Report {
            last_sync: report.last_sync,
            syncs: report.syncs,
            error: report.error.take(),
            finished: std::mem::take(&mut report.finished),
            rotated: std::mem::take(&mut report.rotated),
        }
    }
}

impl Drop for Syncer {
    fn drop(&mut self) {
        let _ = self.jobs.send(Job::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Where the thread reports, and how it wakes the loop to look.
struct Reporter {
    report: Arc<Mutex<Report>>,
    flag: Arc<AtomicBool>,
    wake: Box<dyn Fn() + Send>,
}

impl Reporter {
    fn with(&self, f: impl FnOnce(&mut Report)) {
        f(&mut self
            .report
            .lock()
            .expect("the loop does not panic holding it"));
    }

    /// Something the loop must act on: a failure, a finished compaction.
    fn news(&self, f: impl FnOnce(&mut Report)) {
        self.with(f);
        self.flag.store(true, Ordering::Release);
        (self.wake)();
    }
}

fn run(
    jobs: Receiver<Job>,
    mut segment: File,
    dir: &Path,
    periodic: bool,
    faults: Faults,
    news: &Reporter,
) {
    let sync = |file: &File| match faults.sync().and_then(|()| file.sync_data()) {
        Ok(()) => news.with(|report| {
            report.last_sync = Some(Instant::now());
            report.syncs += 1;
        }),
        Err(e) => news.news(|report| report.error = Some(e.to_string())),
    };
    let mut next = Instant::now() + EVERY;
    loop {
        let job = if periodic {
            match jobs.recv_timeout(next.saturating_duration_since(Instant::now())) {
                Ok(job) => job,
                Err(RecvTimeoutError::Timeout) => {
                    sync(&segment);
                    next = Instant::now() + EVERY;
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => return,
            }
        } else {
            match jobs.recv() {
                Ok(job) => job,
                Err(_) => return,
            }
        };
        match job {
            Job::Segment(file) => {
                if periodic {
                    sync(&segment);
                }
                // The new segment's name, made durable.
                if let Err(e) = faults.sync().and_then(|()| super::manifest::sync_dir(dir)) {
                    news.news(|report| report.error = Some(e.to_string()));
                }
                if periodic {
                    // Done, or failed (reported above): either way the
                    // loop need wait no longer.
                    news.news(|report| report.rotated += 1);
                }
                segment = file;
            }
            Job::Finish {
                snapshot,
                manifest,
                dir,
                obsolete,
            } => {
                // The segment failing to sync is the log failing, as in
                // the periodic sync: the loop must refuse changes, not
                // only give the compaction up.
                let segment_synced = faults.sync().and_then(|()| segment.sync_data());
                if let Err(e) = &segment_synced {
                    news.news(|report| report.error = Some(e.to_string()));
                }
                let result = segment_synced
                    .and_then(|()| snapshot.sync_all())
                    .and_then(|()| manifest.write(&dir))
                    .map_err(|e| e.to_string());
                if result.is_ok() {
                    for path in obsolete {
                        let _ = std::fs::remove_file(path);
                    }
                }
                news.news(|report| report.finished.push(result));
            }
            Job::Stop => {
                if periodic {
                    sync(&segment);
                }
                return;
            }
        }
    }
}
