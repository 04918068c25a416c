//! The manifest: a small text file naming the snapshot to load and the
//! first segment to replay after it. It is replaced whole, by writing a
//! new one beside it, syncing it, renaming it over the old one and syncing
//! the directory: at every moment the directory holds one complete
//! manifest, the old or the new.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;

/// The manifest's file name.
pub const NAME: &str = "MANIFEST";

/// What to load at start.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Manifest {
    /// The snapshot file, if a compaction has written one.
    pub snapshot: Option<String>,
    /// Segments numbered from this one on are replayed after it.
    pub first_segment: u64,
}

impl Manifest {
    /// Reads the manifest of `dir`; the default (no snapshot, every
    /// segment) if there is none yet.
    pub fn read(dir: &Path) -> Result<Manifest, String> {
        let path = dir.join(NAME);
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Manifest::default()),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        let bad = || format!("{} is damaged: {text:?}", path.display());
        let mut lines = text.lines();
        if lines.next() != Some("todo-server manifest 1") {
            return Err(bad());
        }
        let mut manifest = Manifest::default();
        for line in lines {
            match line.split_once(' ') {
                Some(("snapshot", "-")) => manifest.snapshot = None,
                Some(("snapshot", name)) => manifest.snapshot = Some(name.to_owned()),
                Some(("first-segment", n)) => {
                    manifest.first_segment = n.parse().map_err(|_| bad())?
                }
                _ => return Err(bad()),
            }
        }
        Ok(manifest)
    }

    /// Replaces the manifest of `dir` with this one, durably.
    pub fn write(&self, dir: &Path) -> io::Result<()> {
        let text = format!(
            "todo-server manifest 1\nsnapshot {}\nfirst-segment {}\n",
            self.snapshot.as_deref().unwrap_or("-"),
            self.first_segment
        );
        let tmp = dir.join(format!("{NAME}.tmp"));
        let mut file = File::create(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        fs::rename(&tmp, dir.join(NAME))?;
        sync_dir(dir)
    }
}

/// Makes the directory's entries durable (a created, renamed or removed
/// file).
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_round_trips_and_none_means_the_default() {
        let dir = crate::store::scratch::Scratch::new("manifest", "round-trip");
        assert_eq!(Manifest::read(&dir).unwrap(), Manifest::default());
        let m = Manifest {
            snapshot: Some("snapshot-00000002.log".into()),
            first_segment: 9,
        };
        m.write(&dir).unwrap();
        assert_eq!(Manifest::read(&dir).unwrap(), m);
        fs::write(dir.join(NAME), "garbage").unwrap();
        assert!(Manifest::read(&dir).unwrap_err().contains("damaged"));
    }
}
