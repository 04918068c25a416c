//! A log file: a checksummed header that says what it is and where its
//! numbering starts, then records (`record.rs`). Segments take the
//! changes as they happen; a snapshot is a compaction's output. Writing
//! goes through `Faults`, so that tests can make the disk fail.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::frame::HEADER;
use super::record::{Bad, Record};

/// The first bytes of every log file.
const MAGIC: &[u8; 8] = b"TODO-LOG";

/// The format this server writes and reads. Version 1 had no check on a
/// record's length (`frame.rs`); this server does not read it.
pub const VERSION: u32 = 2;

/// Bytes of a file's header.
pub const FILE_HEADER: usize = 28;

/// What a log file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Changes as they happened, the first numbered `first_lsn`: where the
    /// segment before it ends (or the snapshot, for the first).
    Segment,
    /// A segment begun by `--repair` after it set changes aside: its first
    /// number is past where the log before it ends, on purpose (past every
    /// list the snapshot kept).
    SegmentAfterRepair,
    /// The live lists as a compaction wrote them.
    Snapshot,
}

impl Kind {
    /// Whether the file holds changes as they happened.
    pub fn is_segment(self) -> bool {
        matches!(self, Kind::Segment | Kind::SegmentAfterRepair)
    }
}

/// A log file's header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// What the file holds.
    pub kind: Kind,
    /// The number of the first change in it (a segment), or of the first
    /// change after it (a snapshot).
    pub first_lsn: u64,
}

impl Header {
    fn encode(&self) -> [u8; FILE_HEADER] {
        let mut out = [0; FILE_HEADER];
        out[..8].copy_from_slice(MAGIC);
        out[8..12].copy_from_slice(&VERSION.to_le_bytes());
        let kind: u32 = match self.kind {
            Kind::Segment => 1,
            Kind::Snapshot => 2,
            Kind::SegmentAfterRepair => 3,
        };
        out[12..16].copy_from_slice(&kind.to_le_bytes());
        out[16..24].copy_from_slice(&self.first_lsn.to_le_bytes());
        let crc = crc32c::crc32c(&out[..24]);
        out[24..].copy_from_slice(&crc.to_le_bytes());
        out
    }

    fn decode(bytes: &[u8]) -> Result<Header, BadHeader> {
        let damaged = |what: &str| Err(BadHeader::Damaged(what.to_owned()));
        if !MAGIC.starts_with(&bytes[..bytes.len().min(MAGIC.len())]) {
            return damaged("not a todo-server log (bad magic)");
        }
        if bytes.len() < FILE_HEADER {
            return damaged("shorter than a header");
        }
        let word = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4"));
        let crc = word(24);
        if crc32c::crc32c(&bytes[..24]) != crc {
            return damaged("a damaged header");
        }
        let version = word(8);
        if version != VERSION {
            return Err(BadHeader::Refused(format!(
                "written in log format version {version}, and this server reads version \
                 {VERSION} only (it converts nothing): start the server version that wrote \
                 it, or move the data directory aside"
            )));
        }
        let kind = match word(12) {
            1 => Kind::Segment,
            2 => Kind::Snapshot,
            3 => Kind::SegmentAfterRepair,
            other => return damaged(&format!("a header of unknown kind {other}")),
        };
        let first_lsn = u64::from_le_bytes(bytes[16..24].try_into().expect("8"));
        Ok(Header { kind, first_lsn })
    }
}

/// Why a file's header cannot be taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BadHeader {
    /// It is damaged, or not a log's: nothing in the file can be trusted.
    Damaged(String),
    /// It is whole, but of another format version; or the file cannot be
    /// read. Not for `--repair` to set aside.
    Refused(String),
}

/// Whether the file of `len` bytes holds nothing the server wrote whole:
/// shorter than a header and a prefix of one (the server stopped as it
/// created it), or nothing but zeros (its blocks were allocated, and its
/// bytes never reached the disk, before a power cut).
pub fn never_written(path: &Path, len: u64) -> bool {
    let mut bytes = Vec::new();
    let limit = (FILE_HEADER as u64).max(len.min(1 << 20));
    let read = File::open(path).and_then(|f| f.take(limit).read_to_end(&mut bytes));
    if read.is_err() {
        return false;
    }
    let magic_prefix = MAGIC.starts_with(&bytes[..bytes.len().min(MAGIC.len())]);
    (len < FILE_HEADER as u64 && magic_prefix) || (len <= 1 << 20 && bytes.iter().all(|&b| b == 0))
}

/// Failures to inject, for tests and operators (`DEBUG DISK ...`): shared
/// by every file of a store, and by the thread that syncs.
#[derive(Debug, Clone, Default)]
pub struct Faults(Arc<[AtomicBool; 2]>);

impl Faults {
    /// Make writes fail with "no space left" (`true`), or work again.
    pub fn fail_writes(&self, fail: bool) {
        self.0[0].store(fail, Ordering::Relaxed);
    }

    /// Make syncs fail with an I/O error (`true`), or work again.
    pub fn fail_syncs(&self, fail: bool) {
        self.0[1].store(fail, Ordering::Relaxed);
    }

    /// The failure a write meets now, if one is injected.
    pub fn write(&self) -> io::Result<()> {
        if self.0[0].load(Ordering::Relaxed) {
            return Err(io::Error::from_raw_os_error(libc::ENOSPC));
        }
        Ok(())
    }

    /// The failure a sync meets now, if one is injected.
    pub fn sync(&self) -> io::Result<()> {
        if self.0[1].load(Ordering::Relaxed) {
            return Err(io::Error::from_raw_os_error(libc::EIO));
        }
        Ok(())
    }
}

/// A log file being written.
#[derive(Debug)]
pub struct Writer {
    file: File,
    path: PathBuf,
    /// Bytes in the file.
    len: u64,
    faults: Faults,
}

impl Writer {
    /// Creates the file with its header (it must not exist); on failure,
    /// leaves no file behind.
    pub fn create(path: &Path, header: Header, faults: &Faults) -> io::Result<Writer> {
        faults.write()?;
        let mut file = OpenOptions::new().write(true).create_new(true).open(path)?;
        if let Err(e) = file.write_all(&header.encode()) {
            let _ = std::fs::remove_file(path);
            return Err(e);
        }
        Ok(Writer {
            file,
            path: path.to_owned(),
            len: FILE_HEADER as u64,
            faults: faults.clone(),
        })
    }

    /// Opens an existing file to append after its first `len` bytes
    /// (anything past them, a torn tail, is cut off).
    pub fn append_to(path: &Path, len: u64, faults: &Faults) -> io::Result<Writer> {
        let mut file = OpenOptions::new().write(true).open(path)?;
        if file.metadata()?.len() != len {
            file.set_len(len)?;
        }
        file.seek(SeekFrom::Start(len))?;
        Ok(Writer {
            file,
            path: path.to_owned(),
            len,
            faults: faults.clone(),
        })
    }

    /// Writes `bytes` at the end, all of them (a short write is retried),
    /// or fails having written none that will be kept: a failed write is
    /// cut off again, so the file never ends in part of a record.
    pub fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        let result = self
            .faults
            .write()
            .and_then(|()| self.file.write_all(bytes));
        match result {
            Ok(()) => {
                self.len += bytes.len() as u64;
                Ok(())
            }
            Err(e) => {
                let _ = self.file.set_len(self.len);
                let _ = self.file.seek(SeekFrom::Start(self.len));
                Err(e)
            }
        }
    }

    /// Makes what was written durable (`fdatasync`).
    pub fn sync(&self) -> io::Result<()> {
        self.faults.sync()?;
        self.file.sync_data()
    }

    /// Bytes in the file.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Another handle on the same file, for the thread that syncs.
    pub fn handle(&self) -> io::Result<File> {
        self.file.try_clone()
    }
}

/// A log file read from the start, record by record, a buffer at a time.
#[derive(Debug)]
pub struct Reader {
    file: File,
    buf: Vec<u8>,
    /// `buf[at..]` is not read yet; `buf[..at]` starts at file offset
    /// `base`.
    at: usize,
    base: u64,
    eof: bool,
}

/// What the next bytes of a file are.
#[derive(Debug)]
pub enum Next<'a> {
    /// A record, and where in the file it starts.
    Record(Record<'a>, u64),
    /// The clean end of the file.
    End,
    /// Bytes that are not a record, at this offset.
    Bad(Bad, u64),
}

/// Bytes read from the file at a time.
const CHUNK: usize = 8 << 20;

impl Reader {
    /// Opens a log file and reads its header.
    pub fn open(path: &Path) -> Result<(Reader, Header), BadHeader> {
        let io = |e: io::Error| BadHeader::Refused(format!("cannot read it: {e}"));
        let file = File::open(path).map_err(io)?;
        let mut reader = Reader {
            file,
            buf: Vec::new(),
            at: 0,
            base: 0,
            eof: false,
        };
        reader.fill(FILE_HEADER).map_err(io)?;
        let header = Header::decode(&reader.buf)?;
        reader.at = FILE_HEADER;
        Ok((reader, header))
    }

    /// The next record, the end, or what is wrong at this offset.
    pub fn next(&mut self) -> io::Result<Next<'_>> {
        let offset = self.base + self.at as u64;
        if self.buf.len() - self.at < HEADER {
            self.fill(HEADER)?;
        }
        if self.buf.len() == self.at {
            return Ok(Next::End);
        }
        // Make sure the whole record is in the buffer, if the file has it.
        if let Some(size) = Record::size(&self.buf[self.at..]) {
            if self.buf.len() - self.at < size {
                self.fill(size)?;
            }
        }
        let start = self.at;
        match Record::decode(&self.buf[start..]) {
            Ok((record, size)) => {
                self.at = start + size;
                Ok(Next::Record(record, offset))
            }
            Err(bad) => Ok(Next::Bad(bad, offset)),
        }
    }

    /// Reads until `need` unread bytes are buffered or the file ends.
    fn fill(&mut self, need: usize) -> io::Result<()> {
        if self.at > 0 && self.at >= self.buf.len() / 2 {
            self.buf.drain(..self.at);
            self.base += self.at as u64;
            self.at = 0;
        }
        while !self.eof && self.buf.len() - self.at < need {
            let old = self.buf.len();
            let want = (need - (old - self.at)).max(CHUNK);
            self.buf.resize(old + want, 0);
            let n = read_full(&mut self.file, &mut self.buf[old..])?;
            self.buf.truncate(old + n);
            if n < want {
                self.eof = true;
            }
        }
        Ok(())
    }
}

/// Reads until `buf` is full or the file ends; the bytes read.
fn read_full(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut read = 0;
    while read < buf.len() {
        match file.read(&mut buf[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::store::scratch::Scratch;

    /// A test's directory (removed when dropped) and the log in it.
    fn temp(name: &str) -> (Scratch, PathBuf) {
        let dir = Scratch::new("file", name);
        let log = dir.join("log");
        (dir, log)
    }

    #[test]
    fn a_file_reads_back_record_by_record() {
        let (_dir, path) = temp("read");
        let header = Header {
            kind: Kind::Segment,
            first_lsn: 7,
        };
        let faults = Faults::default();
        let mut w = Writer::create(&path, header, &faults).unwrap();
        let mut bytes = Vec::new();
        let big = vec![b'b'; 3 * CHUNK];
        Record::PushNewest {
            name: b"a",
            item: b"1",
        }
        .encode(&mut bytes);
        Record::PushNewest {
            name: b"a",
            item: &big,
        }
        .encode(&mut bytes);
        w.write(&bytes).unwrap();
        let (mut r, read_header) = Reader::open(&path).unwrap();
        assert_eq!(read_header, header);
        let mut items = Vec::new();
        while let Next::Record(Record::PushNewest { item, .. }, _) = r.next().unwrap() {
            items.push(item.len());
        }
        assert_eq!(items, [1, big.len()]);
        assert!(matches!(r.next().unwrap(), Next::End));
    }

    #[test]
    fn a_failed_write_leaves_no_part_of_it() {
        let (_dir, path) = temp("fail");
        let faults = Faults::default();
        let header = Header {
            kind: Kind::Segment,
            first_lsn: 0,
        };
        let mut w = Writer::create(&path, header, &faults).unwrap();
        w.write(b"kept").unwrap();
        faults.fail_writes(true);
        assert!(w.write(b"lost").is_err());
        faults.fail_writes(false);
        w.write(b"more").unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(&bytes[FILE_HEADER..], b"keptmore");
        faults.fail_syncs(true);
        assert!(w.sync().is_err());
    }
}
