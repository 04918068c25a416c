//! The store alone, on a temporary directory: what goes in comes back at
//! the next open, across a compaction whose snapshot is not one instant,
//! and after a failed write.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use super::record::{pack_item, unpack_items};
use super::scratch::Scratch;
use super::{Flushed, Fsync, Rebuild, Record, Store};

/// Lists as replay leaves them: items newest first.
#[derive(Debug, Default, PartialEq)]
struct Lists(BTreeMap<Vec<u8>, Vec<Vec<u8>>>);

impl Rebuild for Lists {
    fn apply(&mut self, record: Record<'_>) {
        match record {
            Record::PushNewest { name, item } => self
                .0
                .entry(name.to_vec())
                .or_default()
                .insert(0, item.to_vec()),
            Record::Create { name } => {
                self.0.entry(name.to_vec()).or_default();
            }
            Record::Drop { name } => {
                self.0.remove(name);
            }
            Record::List { name, .. } => {
                self.0.insert(name.to_vec(), Vec::new());
            }
            Record::Items { packed } => {
                let last = self.0.values_mut().last();
                // Snapshot lists come in name order: the last is the one.
                let items = last.expect("a list before its items");
                items.extend(unpack_items(packed).map(|i| i.unwrap().to_vec()));
            }
            other => panic!("not used here: {other:?}"),
        }
    }
}

fn temp(name: &str) -> Scratch {
    Scratch::new("store", name)
}

fn open(dir: &Path) -> (Store, Lists) {
    open_with(dir, Fsync::Always, false).unwrap()
}

thread_local! {
    /// Where the helper thread of the store this test opened last says it
    /// has news (each test runs on a thread of its own).
    static WAKES: std::cell::RefCell<Option<Receiver<()>>> = const { std::cell::RefCell::new(None) };
}

fn open_with(dir: &Path, fsync: Fsync, repair: bool) -> Result<(Store, Lists), String> {
    let mut lists = Lists::default();
    let (wake, wakes) = mpsc::channel();
    let store = Store::open(dir, fsync, repair, &mut lists, move || {
        let _ = wake.send(());
    })?;
    WAKES.with(|w| *w.borrow_mut() = Some(wakes));
    Ok((store, lists))
}

/// Waits for the helper thread's next news (perhaps already sent); the
/// deadline only bounds a hang.
fn next_news(what: &str) {
    WAKES.with(|w| {
        let wakes = w.borrow();
        let wakes = wakes.as_ref().expect("a store was opened");
        wakes
            .recv_timeout(Duration::from_secs(120))
            .unwrap_or_else(|e| panic!("{what}: {e}"));
    });
}

fn put(store: &mut Store, name: &[u8], item: &[u8]) {
    store.append(Record::PushNewest { name, item });
}

fn expect(lists: &Lists, name: &[u8], items: &[&[u8]]) {
    let got: Vec<&[u8]> = lists.0[name].iter().map(Vec::as_slice).collect();
    assert_eq!(got, items);
}

/// Lets the helper thread finish the compaction, taking its news as it
/// comes.
fn settle(store: &mut Store) {
    loop {
        store.poll();
        if !store.compaction_running() {
            return;
        }
        next_news("the compaction did not finish");
    }
}

#[test]
fn records_come_back_at_the_next_open() {
    let dir = temp("reopen");
    let (mut store, lists) = open(&dir);
    assert!(lists.0.is_empty());
    put(&mut store, b"a", b"1");
    store.append(Record::Create { name: b"empty" });
    put(&mut store, b"gone", b"x");
    store.append(Record::Drop { name: b"gone" });
    store.flush().unwrap();
    drop(store);
    let (_, lists) = open(&dir);
    expect(&lists, b"a", &[b"1"]);
    expect(&lists, b"empty", &[]);
    assert!(!lists.0.contains_key(&b"gone"[..]));
}

#[test]
fn a_snapshot_list_skips_exactly_the_changes_it_reflects() {
    let dir = temp("compact");
    let (mut store, _) = open(&dir);
    put(&mut store, b"a", b"1");
    put(&mut store, b"b", b"1");
    store.flush().unwrap();
    let id = store.start_compaction().unwrap().expect("none running");
    // Changes after the start, before the list is read: in the snapshot.
    put(&mut store, b"a", b"2");
    let lsn = store.lsn();
    store.snapshot_list(id, lsn, b"a");
    let mut packed = Vec::new();
    pack_item(&mut packed, b"2");
    pack_item(&mut packed, b"1");
    store.snapshot_items(id, &packed);
    // The first change after the list was read: not in it, replayed.
    put(&mut store, b"a", b"3");
    // A list read later reflects more.
    put(&mut store, b"b", b"2");
    let lsn = store.lsn();
    store.snapshot_list(id, lsn, b"b");
    packed.clear();
    pack_item(&mut packed, b"2");
    pack_item(&mut packed, b"1");
    store.snapshot_items(id, &packed);
    store.finish_compaction(id);
    put(&mut store, b"b", b"3");
    store.flush().unwrap();
    settle(&mut store);
    drop(store);
    let (_, lists) = open(&dir);
    expect(&lists, b"a", &[b"3", b"2", b"1"]);
    expect(&lists, b"b", &[b"3", b"2", b"1"]);
    let names: Vec<String> = std::fs::read_dir(&*dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".log"))
        .collect();
    assert_eq!(names.len(), 2, "the snapshot and one segment: {names:?}");
}

#[test]
fn a_failed_write_refuses_until_a_compaction_writes_memory_again() {
    let dir = temp("fail");
    let (mut store, _) = open(&dir);
    put(&mut store, b"a", b"1");
    store.flush().unwrap();
    store.faults().fail_writes(true);
    put(&mut store, b"a", b"lost");
    let reason = store.flush().unwrap_err();
    assert!(reason.contains("No space left"), "{reason}");
    assert_eq!(store.refusal(), Some(reason.as_str()));
    // Reported once; nothing new waits, so the next pass is clean.
    assert_eq!(store.flush(), Ok(Flushed::Written));
    // Memory holds "1" and "lost" (the change was made, its reply failed):
    // the retry writes memory as it is.
    assert!(store.start_compaction().is_err(), "the disk still fails");
    store.faults().fail_writes(false);
    let id = store.start_compaction().unwrap().unwrap();
    let lsn = store.lsn();
    store.snapshot_list(id, lsn, b"a");
    let mut packed = Vec::new();
    pack_item(&mut packed, b"lost");
    pack_item(&mut packed, b"1");
    store.snapshot_items(id, &packed);
    store.finish_compaction(id);
    settle(&mut store);
    assert_eq!(store.refusal(), None);
    put(&mut store, b"a", b"2");
    store.flush().unwrap();
    drop(store);
    let (_, lists) = open(&dir);
    expect(&lists, b"a", &[b"2", b"lost", b"1"]);
}

#[test]
fn a_failure_while_the_thread_finishes_a_compaction_loses_nothing() {
    let dir = temp("finishing");
    let (mut store, _) = open(&dir);
    put(&mut store, b"a", b"1");
    store.flush().unwrap();
    let id = store.start_compaction().unwrap().unwrap();
    let lsn = store.lsn();
    store.snapshot_list(id, lsn, b"a");
    let mut packed = Vec::new();
    pack_item(&mut packed, b"1");
    store.snapshot_items(id, &packed);
    store.finish_compaction(id);
    // The disk fails while the thread syncs and switches.
    store.faults().fail_writes(true);
    put(&mut store, b"a", b"lost");
    assert!(store.flush().is_err());
    settle(&mut store);
    store.faults().fail_writes(false);
    drop(store);
    let (_, lists) = open(&dir);
    expect(&lists, b"a", &[b"1"]);
}

#[test]
fn a_change_logged_after_a_failure_is_never_confirmed() {
    let dir = temp("discarded");
    let (mut store, _) = open(&dir);
    store.faults().fail_writes(true);
    put(&mut store, b"a", b"1");
    assert!(store.flush().is_err());
    store.faults().fail_writes(false);
    // A change that began before the failure ends now (a long DEL): its
    // record is dropped, so its pass must not confirm it.
    store.append(Record::Drop { name: b"a" });
    assert!(store.flush().is_err(), "a dropped record went unreported");
    assert_eq!(store.flush(), Ok(Flushed::Written));
}

#[test]
fn a_failed_sync_of_the_segment_while_finishing_a_compaction_refuses_changes() {
    let dir = temp("finish-sync");
    let (mut store, _) = open(&dir);
    put(&mut store, b"a", b"1");
    store.flush().unwrap();
    let id = store.start_compaction().unwrap().unwrap();
    let lsn = store.lsn();
    store.snapshot_list(id, lsn, b"a");
    let mut packed = Vec::new();
    pack_item(&mut packed, b"1");
    store.snapshot_items(id, &packed);
    // The helper thread's sync of the segment fails: an I/O error on the
    // log, as any other failed sync.
    store.faults().fail_syncs(true);
    store.finish_compaction(id);
    settle(&mut store);
    let reason = store.refusal().expect("the failed sync refuses changes");
    assert!(reason.contains("Input/output error"), "{reason}");
    put(&mut store, b"a", b"2");
    assert!(store.flush().is_err(), "a change after it was confirmed");
}

/// Flushes until the log stops holding changes back (the helper thread
/// has reported the last sync of the segment before), at each of its
/// news. The last flush's result.
fn flush_until_released(store: &mut Store) -> Result<(), String> {
    loop {
        match store.flush() {
            Ok(Flushed::Held) => next_news("the helper thread never reported"),
            Ok(Flushed::Written) => return Ok(()),
            Err(reason) => return Err(reason),
        }
    }
}

#[test]
fn a_new_segment_takes_changes_only_once_the_one_before_is_synced() {
    let dir = temp("rotate-sync");
    let (mut store, _) = open_with(&dir, Fsync::Everysec, false).unwrap();
    put(&mut store, b"a", b"1");
    store.flush().unwrap();
    // Under everysec "1" is not synced yet: a compaction's new segment
    // must not take changes before it is, or a power cut could keep them
    // and lose "1", a hole. The helper thread syncs it, not the loop.
    store.start_compaction().unwrap().unwrap();
    put(&mut store, b"a", b"2");
    flush_until_released(&mut store).unwrap();
    store.abandon_compaction("a test");
    drop(store);
    let (_, lists) = open(&dir);
    expect(&lists, b"a", &[b"2", b"1"]);
}

#[test]
fn a_change_held_for_a_sync_that_fails_is_never_confirmed() {
    let dir = temp("rotate-sync-fails");
    let (mut store, _) = open_with(&dir, Fsync::Everysec, false).unwrap();
    put(&mut store, b"a", b"1");
    store.flush().unwrap();
    store.faults().fail_syncs(true);
    store.start_compaction().unwrap().unwrap();
    put(&mut store, b"a", b"2");
    let reason = flush_until_released(&mut store).unwrap_err();
    assert!(reason.contains("Input/output error"), "{reason}");
    assert_eq!(store.refusal(), Some(reason.as_str()));
}

#[test]
fn a_compaction_finished_within_one_sync_writes_the_held_records_first() {
    let dir = temp("finish-while-holding");
    let (mut store, _) = open_with(&dir, Fsync::Everysec, false).unwrap();
    put(&mut store, b"a", b"1");
    put(&mut store, b"b", b"1");
    store.flush().unwrap();
    let id = store.start_compaction().unwrap().unwrap();
    // Held for the old segment's sync: "b" 2, then "a" 2.
    let before_b2 = store.lsn();
    put(&mut store, b"b", b"2");
    put(&mut store, b"a", b"2");
    // The snapshot reflects "a" 2 but not "b" 2, which comes before it:
    // once the snapshot is installed, the segment must hold "b" 2.
    let mut packed = Vec::new();
    store.snapshot_list(id, store.lsn(), b"a");
    pack_item(&mut packed, b"2");
    pack_item(&mut packed, b"1");
    store.snapshot_items(id, &packed);
    store.snapshot_list(id, before_b2, b"b");
    packed.clear();
    pack_item(&mut packed, b"1");
    store.snapshot_items(id, &packed);
    store.finish_compaction(id);
    // Before the helper thread switches to the snapshot, the new segment
    // holds the held records.
    let newest = std::fs::read_dir(&*dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("segment-"))
        .max()
        .unwrap();
    let len = std::fs::metadata(&newest).unwrap().len();
    assert!(
        len > super::file::FILE_HEADER as u64,
        "the held records are written before the switch: {} is empty",
        newest.display()
    );
    settle(&mut store);
    drop(store);
    let (_, lists) = open(&dir);
    expect(&lists, b"a", &[b"2", b"1"]);
    expect(&lists, b"b", &[b"2", b"1"]);
}

/// Segments 0, 1 and 2, each with one change to list `a`, and no
/// snapshot: compactions started and given up.
fn three_segments(name: &str) -> Scratch {
    let dir = temp(name);
    let (mut store, _) = open(&dir);
    for item in [b"0", b"1", b"2"] {
        put(&mut store, b"a", item);
        store.flush().unwrap();
        if item != b"2" {
            store.start_compaction().unwrap().unwrap();
            store.abandon_compaction("a test");
        }
    }
    drop(store);
    dir
}

#[test]
fn a_segment_missing_in_the_middle_refuses_the_start_unless_repair() {
    let dir = three_segments("hole");
    let (_, lists) = open(&dir);
    expect(&lists, b"a", &[b"2", b"1", b"0"]);
    std::fs::remove_file(dir.join("segment-00000001.log")).unwrap();
    let e = open_with(&dir, Fsync::Always, false).unwrap_err();
    let after = dir.join("segment-00000002.log");
    assert!(
        e.contains(&format!("{} at offset 0", after.display())),
        "{e}"
    );
    assert!(e.contains("--repair"), "{e}");
    // What precedes the hole is kept; what follows it is set aside.
    let (mut store, lists) = open_with(&dir, Fsync::Always, true).unwrap();
    expect(&lists, b"a", &[b"0"]);
    assert!(!after.exists());
    put(&mut store, b"a", b"3");
    store.flush().unwrap();
    drop(store);
    let (_, lists) = open(&dir);
    expect(&lists, b"a", &[b"3", b"0"]);
}

#[test]
fn changes_lost_to_a_failed_write_leave_no_hole_in_the_numbering() {
    let dir = temp("lost-numbers");
    let (mut store, _) = open(&dir);
    put(&mut store, b"a", b"1");
    store.flush().unwrap();
    store.faults().fail_writes(true);
    put(&mut store, b"a", b"lost");
    assert!(store.flush().is_err());
    store.faults().fail_writes(false);
    // A retry begins a segment, and is given up (the manager went away).
    store.start_compaction().unwrap().unwrap();
    store.abandon_compaction("a test");
    drop(store);
    // The next segment starts where the one before ends: no hole.
    let (_, lists) = open(&dir);
    expect(&lists, b"a", &[b"1"]);
}
