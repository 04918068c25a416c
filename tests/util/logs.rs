//! Helpers for the tests that look inside a data directory: where the
//! records of a log file are, a copy of a directory to damage, and a
//! server that must refuse to start on one.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use super::DataDir;

/// Bytes before the first record of a log file.
pub const FILE_HEADER: usize = 28;

/// Where each record of a log file starts, and the file's end.
pub fn record_starts(bytes: &[u8]) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut at = FILE_HEADER;
    while at < bytes.len() {
        starts.push(at);
        at += record_size(&bytes[at..]);
    }
    assert_eq!(at, bytes.len());
    starts
}

/// The size of the record at the start of `bytes`, from its header: a
/// varint length, its 1-byte check, a 4-byte CRC, then that many bytes.
pub fn record_size(bytes: &[u8]) -> usize {
    let (mut len, mut shift, mut i) = (0usize, 0, 0);
    loop {
        len |= usize::from(bytes[i] & 0x7f) << shift;
        shift += 7;
        i += 1;
        if bytes[i - 1] & 0x80 == 0 {
            return i + 1 + 4 + len;
        }
    }
}

/// Starts a server on `dir` that must refuse to start: exit code 1, and
/// its error output. One that starts instead (it says it is listening)
/// is killed and fails the test, rather than hang it.
pub fn refused_start(dir: &DataDir, args: &[&str]) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_todo-server"))
        .args(["--port", "0", "--data-dir", dir.arg()])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = String::new();
    let mut lines = BufReader::new(child.stderr.take().unwrap());
    while lines.read_line(&mut stderr).unwrap() > 0 {
        if stderr.contains("listening on") {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the server started instead of refusing: {stderr}");
        }
    }
    assert_eq!(child.wait().unwrap().code(), Some(1), "{stderr}");
    stderr
}

/// A copy of `from` in a fresh directory.
pub fn copy_dir(from: &Path) -> DataDir {
    let to = DataDir::new();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.path.join(entry.file_name())).unwrap();
    }
    to
}

/// The contents of the files `--repair` set aside for `name` in `dir`.
pub fn set_aside(dir: &DataDir, name: &str) -> Vec<Vec<u8>> {
    dir.files()
        .into_iter()
        .filter(|f| f.starts_with(&format!("{name}.damaged-")))
        .map(|f| std::fs::read(dir.path.join(f)).unwrap())
        .collect()
}

/// Flips `bits` of the byte at `at` in `path`; the file's bytes after.
pub fn flip(path: &Path, at: usize, bits: u8) -> Vec<u8> {
    let mut bytes = std::fs::read(path).unwrap();
    bytes[at] ^= bits;
    std::fs::write(path, &bytes).unwrap();
    bytes
}
