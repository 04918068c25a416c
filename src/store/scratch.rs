//! A fresh directory for one store test, under the system's temporary
//! directory, removed when the test is done with it.

use std::ops::Deref;
use std::path::{Path, PathBuf};

/// A test's own directory, made empty now and removed on drop.
#[derive(Debug)]
pub(crate) struct Scratch(PathBuf);

impl Scratch {
    /// The directory `todo-<what>-<pid>-<name>`, empty.
    pub(crate) fn new(what: &str, name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("todo-{what}-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Deref for Scratch {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
