//! Replay of torn and corrupt logs: a log cut at any byte inside its last
//! records starts with exactly the complete records (and a warning saying
//! how many bytes were dropped); a flipped bit with valid records after it
//! refuses the start unless `--repair`, which keeps the valid prefix and
//! moves the damaged file aside.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

use crate::durability::crash;
use crate::util::logs::{
    copy_dir, flip, record_size, record_starts, refused_start, set_aside, FILE_HEADER,
};
use crate::util::{DataDir, Server};

/// A data directory whose log holds `count` `PUT`s of `list`, written with
/// `--fsync always`, and the path of its one segment.
fn log_of_puts(count: usize) -> (DataDir, PathBuf) {
    let dir = DataDir::new();
    let mut server = Server::start_on(&dir, &["--fsync", "always"]);
    let mut c = server.connect();
    for i in 0..count {
        assert_eq!(c.ask(&format!("PUT list item-{i}")), "OK\n");
    }
    drop(c);
    server.signal("TERM");
    assert_eq!(server.wait(), Some(0));
    let segment = dir.path.join("segment-00000000.log");
    assert!(segment.exists(), "{:?}", dir.files());
    (dir, segment)
}

/// The items of `list`, oldest first.
fn items(server: &Server) -> Vec<String> {
    let reply = server.connect().ask("LIST list");
    let mut items: Vec<String> = reply
        .lines()
        .filter_map(|l| l.strip_prefix("* "))
        .map(str::to_owned)
        .collect();
    items.reverse();
    items
}

fn first(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("item-{i}")).collect()
}

#[test]
fn a_log_cut_anywhere_in_its_last_records_starts_with_the_complete_ones() {
    let (dir, segment) = log_of_puts(20);
    let bytes = std::fs::read(&segment).unwrap();
    let starts = record_starts(&bytes);
    assert_eq!(starts.len(), 20);
    for cut in starts[17]..bytes.len() {
        let copy = copy_dir(&dir.path);
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(copy.path.join("segment-00000000.log"))
            .unwrap();
        file.set_len(cut as u64).unwrap();
        // Records that end at or before the cut.
        let complete =
            starts.iter().filter(|&&s| s < cut).count() - 1 + usize::from(starts.contains(&cut));
        let server = Server::start_on(&copy, &[]);
        assert_eq!(items(&server), first(complete), "cut at {cut}");
        if !starts.contains(&cut) {
            let dropped = cut - starts[complete];
            assert!(
                server.wait_for_log(&format!("cut off a torn tail of {dropped} bytes")),
                "cut at {cut}: {}",
                server.log.text()
            );
        }
        // The cut log takes new records where the complete ones end.
        let mut c = server.connect();
        assert_eq!(c.ask("PUT list after"), "OK\n");
        crash(server);
        let server = Server::start_on(&copy, &[]);
        let mut expected = first(complete);
        expected.push("after".into());
        assert_eq!(items(&server), expected, "cut at {cut}, then written");
    }
}

#[test]
fn a_flipped_bit_with_valid_records_after_it_refuses_to_start_unless_repair() {
    let (dir, segment) = log_of_puts(20);
    let mut bytes = std::fs::read(&segment).unwrap();
    let starts = record_starts(&bytes);
    // A bit in the item of the tenth record.
    bytes[starts[10] + 12] ^= 0x10;
    std::fs::write(&segment, &bytes).unwrap();

    let stderr = refused_start(&dir, &[]);
    assert!(
        stderr.contains(&format!("{} at offset {}", segment.display(), starts[10])),
        "{stderr}"
    );
    assert!(stderr.contains("--repair"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    // Nothing was changed by the refusal.
    assert_eq!(std::fs::read(&segment).unwrap(), bytes);

    let server = Server::start_on(&dir, &["--repair"]);
    assert_eq!(items(&server), first(10));
    let aside: Vec<String> = dir
        .files()
        .into_iter()
        .filter(|f| f.starts_with("segment-00000000.log.damaged-"))
        .collect();
    assert_eq!(aside.len(), 1, "{:?}", dir.files());
    // The damaged file is kept whole.
    assert_eq!(std::fs::read(dir.path.join(&aside[0])).unwrap(), bytes);
    assert!(server.wait_for_log("--repair"), "{}", server.log.text());
    // And the repaired log goes on.
    let mut c = server.connect();
    assert_eq!(c.ask("PUT list more"), "OK\n");
    crash(server);
    let server = Server::start_on(&dir, &[]);
    let mut expected = first(10);
    expected.push("more".into());
    assert_eq!(items(&server), expected);
}

#[test]
fn a_damaged_length_is_caught_and_not_mistaken_for_a_torn_tail() {
    let (dir, segment) = log_of_puts(20);
    let mut bytes = std::fs::read(&segment).unwrap();
    let starts = record_starts(&bytes);
    // The fifth record claims to be shorter than it is.
    bytes[starts[5]] -= 3;
    std::fs::write(&segment, &bytes).unwrap();
    let stderr = refused_start(&dir, &[]);
    assert!(
        stderr.contains(&format!("at offset {}", starts[5])),
        "{stderr}"
    );
}

#[test]
fn a_flipped_bit_in_a_length_is_corruption_not_a_torn_tail() {
    let (dir, segment) = log_of_puts(20);
    let bytes = std::fs::read(&segment).unwrap();
    let starts = record_starts(&bytes);
    let at = starts[17];
    // Record 17's length is one byte (13). Bit 7 makes it go on into the
    // next byte, and claim more than the file holds; bit 4 less than that.
    assert!(bytes[at] < 0x80, "{}", bytes[at]);
    for bit in [0x80, 0x10] {
        let copy = copy_dir(&dir.path);
        let segment = copy.path.join("segment-00000000.log");
        let mut damaged = bytes.clone();
        damaged[at] ^= bit;
        std::fs::write(&segment, &damaged).unwrap();
        let stderr = refused_start(&copy, &[]);
        assert!(
            stderr.contains(&format!("{} at offset {at}", segment.display())),
            "bit {bit:#x}: {stderr}"
        );
        assert!(stderr.contains("--repair"), "{stderr}");
        assert_eq!(
            std::fs::read(&segment).unwrap(),
            damaged,
            "refusing changed it"
        );
        let server = Server::start_on(&copy, &["--repair"]);
        assert_eq!(items(&server), first(17), "bit {bit:#x}");
        let aside: Vec<String> = copy
            .files()
            .into_iter()
            .filter(|f| f.starts_with("segment-00000000.log.damaged-"))
            .collect();
        assert_eq!(aside.len(), 1, "{:?}", copy.files());
        assert_eq!(std::fs::read(copy.path.join(&aside[0])).unwrap(), damaged);
    }
}

#[test]
fn repairing_a_big_segment_reads_it_a_bounded_part_at_a_time() {
    let dir = DataDir::new();
    let server = Server::start_on(&dir, &["--fsync", "no"]);
    let mut c = server.connect();
    // 2,000 records of 60 kB each: a 120 MB segment.
    let item = "x".repeat(60_000);
    for round in 0..20 {
        let batch: String = (0..100)
            .map(|i| format!("PUT big {round}-{i}-{item}\n"))
            .collect();
        c.send(batch.as_bytes());
        for _ in 0..100 {
            assert_eq!(c.read_line(), "OK\n");
        }
    }
    crash(server);
    let segment = dir.path.join("segment-00000000.log");
    let len = std::fs::metadata(&segment).unwrap().len();
    assert!(len > 100 << 20, "{len}");
    // Damage the second record, in its item: everything after it is
    // valid, and set aside.
    let mut head = [0; 64];
    let mut file = std::fs::File::options()
        .read(true)
        .write(true)
        .open(&segment)
        .unwrap();
    file.read_exact(&mut head).unwrap();
    let at = (FILE_HEADER + record_size(&head[FILE_HEADER..]) + 100) as u64;
    file.seek(SeekFrom::Start(at)).unwrap();
    file.write_all(b"!").unwrap();
    drop(file);
    let server = Server::start_on(&dir, &["--repair"]);
    // The lists hold one item; the log's reading and repair must not have
    // held the file in memory.
    let peak = server.peak_rss();
    assert!(
        peak < len / 4,
        "peak RSS {peak} repairing a {len}-byte segment"
    );
    let listed = server.connect().ask("LIST big");
    assert_eq!(listed.lines().count(), 2, "{}", &listed[..40]);
    assert!(server.log.contains("kept the"), "{}", server.log.text());
}

#[test]
fn a_file_that_is_not_a_log_is_refused_by_its_magic() {
    let dir = DataDir::new();
    std::fs::write(
        dir.path.join("segment-00000000.log"),
        b"hello, world, not a log",
    )
    .unwrap();
    let stderr = refused_start(&dir, &[]);
    assert!(stderr.contains("not a todo-server log"), "{stderr}");
}

#[test]
fn a_damaged_file_header_is_refused_and_repair_keeps_nothing_of_that_file() {
    let (dir, segment) = log_of_puts(3);
    // In the segment's first LSN.
    let damaged = flip(&segment, 17, 0x01);
    let stderr = refused_start(&dir, &[]);
    assert!(
        stderr.contains(&format!("{} at offset 0", segment.display()))
            && stderr.contains("--repair"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&segment).unwrap(), damaged);
    let server = Server::start_on(&dir, &["--repair"]);
    assert_eq!(items(&server), first(0));
    assert_eq!(set_aside(&dir, "segment-00000000.log"), [damaged]);
    let mut c = server.connect();
    assert_eq!(c.ask("PUT list after"), "OK\n");
    crash(server);
    let server = Server::start_on(&dir, &[]);
    assert_eq!(items(&server), ["after"]);

    // A snapshot's: the segments after it go aside too.
    let mut c = server.connect();
    assert_eq!(c.ask("COMPACT"), "OK\n");
    assert!(server.wait_for_log("compaction done"));
    assert_eq!(c.ask("PUT list later"), "OK\n");
    crash(server);
    let snapshot = dir.path.join("snapshot-00000001.log");
    let damaged = flip(&snapshot, 3, 0x20);
    let stderr = refused_start(&dir, &[]);
    assert!(
        stderr.contains(&format!("{} at offset 0", snapshot.display()))
            && stderr.contains("--repair"),
        "{stderr}"
    );
    let server = Server::start_on(&dir, &["--repair"]);
    assert_eq!(items(&server), first(0));
    assert_eq!(set_aside(&dir, "snapshot-00000001.log"), [damaged]);
    assert_eq!(set_aside(&dir, "segment-00000001.log").len(), 1);
    let mut c = server.connect();
    assert_eq!(c.ask("PUT list anew"), "OK\n");
    crash(server);
    let server = Server::start_on(&dir, &[]);
    assert_eq!(items(&server), ["anew"]);
}

#[test]
fn a_log_of_another_format_version_is_refused_naming_both_versions() {
    let (dir, segment) = log_of_puts(2);
    let mut bytes = std::fs::read(&segment).unwrap();
    // The header: magic, version (u32 LE at 8), kind, first LSN, and the
    // CRC-32C of the 24 bytes before it. Made version 1, whole.
    assert_eq!(bytes[8..12], 2u32.to_le_bytes());
    bytes[8..12].copy_from_slice(&1u32.to_le_bytes());
    let crc = crc32c::crc32c(&bytes[..24]);
    bytes[24..28].copy_from_slice(&crc.to_le_bytes());
    std::fs::write(&segment, &bytes).unwrap();
    let files = dir.files();
    for args in [&[][..], &["--repair"]] {
        let stderr = refused_start(&dir, args);
        assert!(
            stderr.contains(&format!("{} at offset 0", segment.display()))
                && stderr.contains("format version 1")
                && stderr.contains("reads version 2"),
            "{args:?}: {stderr}"
        );
        // Not damage: --repair leaves it as it is.
        assert_eq!(std::fs::read(&segment).unwrap(), bytes);
        assert_eq!(dir.files(), files);
    }
}

#[test]
fn a_torn_record_whose_item_holds_a_record_is_still_a_torn_tail() {
    let dir = DataDir::new();
    let server = Server::start_on(&dir, &["--fsync", "always"]);
    let mut c = server.connect();
    for i in 0..3 {
        assert_eq!(c.ask(&format!("PUT list item-{i}")), "OK\n");
    }
    // An item that is, byte for byte, a whole valid record of the log.
    let segment = dir.path.join("segment-00000000.log");
    let before = std::fs::read(&segment).unwrap();
    assert_eq!(c.ask("PUT list x"), "OK\n");
    let image = std::fs::read(&segment).unwrap()[before.len()..].to_vec();
    let mut put = b"PUT list ".to_vec();
    put.extend_from_slice(&image);
    put.extend_from_slice(b" tail");
    assert!(!image.contains(&b'\n'));
    assert_eq!(c.request(&put), b"OK\n");
    crash(server);
    // The server died in the middle of writing that last record: cut it
    // right after the image inside it.
    let bytes = std::fs::read(&segment).unwrap();
    let last = *record_starts(&bytes).last().unwrap();
    let at = last
        + bytes[last..]
            .windows(image.len())
            .position(|w| w == image)
            .unwrap();
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&segment)
        .unwrap();
    file.set_len((at + image.len()) as u64).unwrap();
    let server = Server::start_on(&dir, &[]);
    assert!(
        server.wait_for_log("cut off a torn tail"),
        "{}",
        server.log.text()
    );
    let mut expected = first(3);
    expected.push("x".into());
    assert_eq!(items(&server), expected);
}

#[test]
fn a_segment_cut_inside_its_header_is_made_again() {
    let (dir, _) = log_of_puts(3);
    // The server stopped as it created the next segment.
    std::fs::write(dir.path.join("segment-00000001.log"), b"TODO-L").unwrap();
    let server = Server::start_on(&dir, &[]);
    assert!(server.wait_for_log("made again"), "{}", server.log.text());
    assert_eq!(items(&server), first(3));
    let mut c = server.connect();
    assert_eq!(c.ask("PUT list next"), "OK\n");
    crash(server);
    let server = Server::start_on(&dir, &[]);
    let mut expected = first(3);
    expected.push("next".into());
    assert_eq!(items(&server), expected);
}

/// A stopped server's directory whose snapshot holds `zz` as read after
/// 300 changes to it came in (so the snapshot reflects changes numbered
/// past its start), with those changes in the segment after it.
fn compacted_while_zz_changed() -> DataDir {
    let dir = DataDir::new();
    let mut server = Server::start_on(&dir, &[]);
    crate::crash::fill(&server, 20_000);
    let mut c = server.connect();
    // Changes while the compaction runs: "zz", read last, reflects them.
    assert_eq!(c.ask("PUT zz start"), "OK\n");
    assert_eq!(c.ask("COMPACT"), "OK\n");
    for i in 0..300 {
        assert_eq!(c.ask(&format!("PUT zz v{i}")), "OK\n");
    }
    let deadline = std::time::Instant::now() + crate::util::PATIENCE;
    while !server.log.contains("compaction done") {
        assert!(std::time::Instant::now() < deadline);
        assert_eq!(c.ask("PING"), "OK\n");
    }
    drop(c);
    server.signal("TERM");
    assert_eq!(server.wait(), Some(0));
    dir
}

/// Flips bits of `file` in `dir` at `at` (from its end if negative),
/// repairs, writes, and restarts: the change written after the repair
/// must be there.
fn repair_then_write(dir: &DataDir, file: &str, at: isize, bits: u8) {
    let path = dir.path.join(file);
    let mut bytes = std::fs::read(&path).unwrap();
    let at = if at < 0 {
        bytes.len() - at.unsigned_abs()
    } else {
        at as usize
    };
    bytes[at] ^= bits;
    std::fs::write(&path, &bytes).unwrap();
    let mut server = Server::start_on(dir, &["--repair"]);
    let mut c = server.connect();
    assert_eq!(c.ask("PUT zz after-repair"), "OK\n");
    assert!(c.ask("LIST zz").starts_with("* after-repair\n"));
    drop(c);
    server.signal("TERM");
    assert_eq!(server.wait(), Some(0));
    let server = Server::start_on(dir, &[]);
    let listed = server.connect().ask("LIST zz");
    assert!(
        listed.starts_with("* after-repair\n"),
        "{file}: {}",
        &listed[..60.min(listed.len())]
    );
}

#[test]
fn after_a_repair_new_changes_number_past_the_snapshot() {
    let dir = compacted_while_zz_changed();
    let segment = std::fs::metadata(dir.path.join("segment-00000001.log")).unwrap();
    assert!(segment.len() > FILE_HEADER as u64 + 20, "{}", segment.len());
    // The first record of the segment after the snapshot.
    let copy = copy_dir(&dir.path);
    repair_then_write(
        &copy,
        "segment-00000001.log",
        FILE_HEADER as isize + 8,
        0xff,
    );
    // The snapshot, in zz's items, its last record: zz is kept (empty),
    // and every segment after the snapshot is set aside.
    repair_then_write(&dir, "snapshot-00000001.log", -3, 0x04);
}
