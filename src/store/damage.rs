//! Damage in the log: telling corruption from a torn tail, saying where it
//! is, and `--repair`'s setting aside. Files are read a bounded part at a
//! time (a segment can be several GB): the most held at once is one
//! record, as replay itself holds.

use std::fs::{self, File};
use std::io::{self, Read};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use super::frame::{self, HEADER, MAX_BODY};
use super::record::{Bad, Record};
use super::recovery::segment_name;

/// Bytes of a file looked at a time while searching it backwards.
const WINDOW: usize = 1 << 20;

/// Whether the bad bytes at `offset` are corruption in the middle (a valid
/// record follows them and ends the file) rather than a torn tail.
///
/// A record cut short by the end of the file (its length's check is good)
/// is a torn tail, whatever its bytes hold: an item can hold anything, a
/// record's image included, and must not make a crash in the middle of
/// its write look like corruption. Otherwise the damage is corruption if
/// valid records follow it, one after the other up to the end of the
/// file; since any of them may start such a chain, that is: if a valid
/// record starting after `offset` ends exactly where the file does. So
/// the search goes backwards from the end, over no more than the longest
/// record, and reads a window at a time.
pub fn valid_records_after(path: &Path, offset: u64) -> io::Result<bool> {
    let file = File::open(path)?;
    let end = file.metadata()?.len();
    let mut head = [0; HEADER];
    let got = read_at(&file, offset, &mut head)?;
    if let Ok(f) = frame::read_header(&head[..got], true) {
        if offset + f.size() as u64 > end {
            return Ok(false);
        }
    }
    let lowest = (offset + 1).max(end.saturating_sub((HEADER + MAX_BODY) as u64));
    let mut window = Vec::new();
    let mut high = end;
    while high > lowest {
        let low = high.saturating_sub(WINDOW as u64).max(lowest);
        // The window, and the headers that start in it.
        let len = (high - low) as usize + HEADER.min((end - high) as usize);
        window.resize(len, 0);
        let got = read_at(&file, low, &mut window)?;
        window.truncate(got);
        for i in (0..(high - low) as usize).rev() {
            let start = low + i as u64;
            // The length and its check first (a record's is always
            // right); the CRC and the rest only when it ends the file.
            let Ok(f) = frame::read_header(&window[i..], true) else {
                continue;
            };
            if start + f.size() as u64 == end && is_record(&file, start, f.size())? {
                return Ok(true);
            }
        }
        high = low;
    }
    Ok(false)
}

/// Whether the `size` bytes at `start` are a valid record.
fn is_record(file: &File, start: u64, size: usize) -> io::Result<bool> {
    let mut bytes = vec![0; size];
    file.read_exact_at(&mut bytes, start)?;
    Ok(Record::decode(&bytes).is_ok())
}

/// Reads at `offset` until `buf` is full or the file ends; the bytes read.
fn read_at(file: &File, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
    let mut read = 0;
    while read < buf.len() {
        match file.read_at(&mut buf[read..], offset + read as u64) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(read)
}

/// `--repair`: keeps the damaged file whole under another name (never
/// deleting it), leaves in its place what came before the damage (nothing
/// if the damage is at offset 0, its header), and moves aside the segments
/// after it, whose changes followed what was lost. At every moment the
/// file's name holds either all of it or the kept part.
pub fn set_aside(dir: &Path, path: &Path, offset: u64, later: &[u64]) -> Result<(), String> {
    let cannot =
        |what: &str, path: &Path, e: io::Error| format!("cannot {what} {}: {e}", path.display());
    let moved = aside_name(path);
    if offset == 0 {
        fs::rename(path, &moved).map_err(|e| cannot("move aside", path, e))?;
        log::warn!(
            "--repair: {} was damaged from its start: kept nothing of it, moved it to {}",
            path.display(),
            moved.display()
        );
    } else {
        // The whole file under its new name first, then the kept part
        // written beside it, synced, and renamed over the old name.
        if fs::hard_link(path, &moved).is_err() {
            copy_prefix(path, &moved, u64::MAX).map_err(|e| cannot("copy", path, e))?;
        }
        // (One left by a repair that was cut short goes first.)
        let kept = PathBuf::from(format!("{}.repairing", path.display()));
        let _ = fs::remove_file(&kept);
        copy_prefix(path, &kept, offset)
            .and_then(|()| fs::rename(&kept, path))
            .map_err(|e| cannot("write", &kept, e))?;
        log::warn!(
            "--repair: {} was damaged at offset {offset}: kept the {offset} bytes before it, \
             moved the file to {}",
            path.display(),
            moved.display()
        );
    }
    for &n in later {
        let later = dir.join(segment_name(n));
        let moved = aside_name(&later);
        fs::rename(&later, &moved).map_err(|e| cannot("move aside", &later, e))?;
        log::warn!(
            "--repair: moved {} aside to {}: its changes came after the damage",
            later.display(),
            moved.display()
        );
    }
    super::manifest::sync_dir(dir).map_err(|e| e.to_string())
}

/// The name a damaged file is kept under.
fn aside_name(path: &Path) -> PathBuf {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    PathBuf::from(format!("{}.damaged-{stamp}", path.display()))
}

/// Writes the first `len` bytes of `from` into a new file `to` and syncs
/// it, a buffer at a time.
fn copy_prefix(from: &Path, to: &Path, len: u64) -> io::Result<()> {
    let mut out = File::options().write(true).create_new(true).open(to)?;
    io::copy(&mut File::open(from)?.take(len), &mut out)?;
    out.sync_all()
}

/// What is wrong with bad bytes, in words.
pub fn damage(bad: Bad) -> &'static str {
    match bad {
        Bad::Short => "a record cut short",
        Bad::Damaged => "a record that fails its checksum",
    }
}

/// `what` is at `offset` of `path`.
pub fn at(path: &Path, offset: u64, what: &str) -> String {
    format!("{} at offset {offset}: {what}", path.display())
}

/// Why the start is refused: damage at `offset` of `path` that `--repair`
/// would set aside.
pub fn refusal(path: &Path, offset: u64, what: &str) -> String {
    format!(
        "the log is damaged: {}; refusing to start so that nothing is lost silently \
         (start with --repair to keep what comes before the damage and move the damaged \
         file aside)",
        at(path, offset, what)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file `log` in a fresh directory, removed when dropped.
    use crate::store::scratch::Scratch;

    /// A test's directory, and the log in it.
    struct Temp(Scratch);

    impl Temp {
        fn new(name: &str) -> Temp {
            Temp(Scratch::new("damage", name))
        }

        fn log(&self) -> PathBuf {
            self.0.join("log")
        }
    }

    fn put(out: &mut Vec<u8>, item: &[u8]) {
        Record::PushNewest { name: b"l", item }.encode(out);
    }

    #[test]
    fn a_valid_record_ending_the_file_is_found_across_windows() {
        let temp = Temp::new("search");
        let path = temp.log();
        let mut bytes = vec![0xee; 3 * WINDOW];
        let bad = bytes.len() as u64;
        bytes.extend_from_slice(&[0xff; 10]);
        // A record bigger than a window, then a small one: either ends it.
        put(&mut bytes, &vec![b'b'; 2 * WINDOW]);
        fs::write(&path, &bytes).unwrap();
        assert!(valid_records_after(&path, bad).unwrap());
        put(&mut bytes, b"small");
        fs::write(&path, &bytes).unwrap();
        assert!(valid_records_after(&path, bad).unwrap());
        // Garbage after them: a torn tail.
        bytes.extend_from_slice(&[0; 7]);
        fs::write(&path, &bytes).unwrap();
        assert!(!valid_records_after(&path, bad).unwrap());
    }

    #[test]
    fn a_record_cut_short_is_torn_whatever_its_item_holds() {
        let temp = Temp::new("torn");
        let path = temp.log();
        let mut image = Vec::new();
        put(&mut image, b"inside");
        let mut item = image.repeat(3);
        item.extend_from_slice(b"tail");
        let mut bytes = Vec::new();
        put(&mut bytes, &item);
        // Cut right after the images inside the item.
        let cut = bytes.len() - 4;
        fs::write(&path, &bytes[..cut]).unwrap();
        assert!(!valid_records_after(&path, 0).unwrap());
        // The same bytes whole, with its own length damaged: corruption.
        bytes.truncate(cut);
        bytes[0] ^= 0x01;
        fs::write(&path, &bytes).unwrap();
        assert!(valid_records_after(&path, 0).unwrap());
    }

    #[test]
    fn set_aside_keeps_the_prefix_and_the_whole_file() {
        let temp = Temp::new("aside");
        let (dir, path) = (temp.0.to_path_buf(), temp.log());
        fs::write(&path, b"0123456789").unwrap();
        set_aside(&dir, &path, 4, &[]).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"0123");
        let kept: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().contains(".damaged-"))
            .collect();
        assert_eq!(kept.len(), 1);
        assert_eq!(fs::read(&kept[0]).unwrap(), b"0123456789");
        set_aside(&dir, &path, 0, &[]).unwrap();
        assert!(!path.exists());
    }
}
