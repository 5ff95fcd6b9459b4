//! A consistent, read-only snapshot of a store directory, for `serve` and `push`.
//!
//! Input: a store directory that a `newskg build` (or `map`) may be writing at the same moment.
//! Output: a [`Snapshot`]: the store as of one committed manifest, never a mix of two builds.
//!
//! The in-memory backend reads every graph file listed in the manifest at open time. A build
//! writes the new graph files first and the manifest last, so a reader that opened the store in
//! the middle of a build could see a new graph file beside an old manifest. To rule that out the
//! snapshot is taken while holding the store's writer lock (`DIR/LOCK`, the same protocol as
//! [`Store::open`]): if a build holds it, loading reports [`SnapshotError::Busy`] and the caller
//! keeps serving its previous snapshot. Under the lock only the manifest is copied and the graph
//! files it lists are hard-linked into `DIR/.snapshot-…/` (milliseconds); the lock is released
//! and the store is read from those links, which a build cannot change (it renames new files
//! over the old names). A build that starts in that short window is refused with the store's
//! usual "being written by another newskg process" message. Without hard links the whole read
//! happens under the lock.
//!
//! The RocksDB backend (feature `rocksdb`) opens RocksDB read-only, which is a consistent point
//! in time by itself; the lock is taken all the same.

use crate::store::{Store, StoreError};
use sha2::{Digest, Sha256};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const MANIFEST: &str = "manifest.json";
const LOCK: &str = "LOCK";

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("store {path} is being written by newskg process {pid}; the snapshot is read when it finishes")]
    Busy { path: String, pid: String },
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The store as of one committed manifest.
pub struct Snapshot {
    pub store: Store,
    /// SHA-256 of the manifest bytes the snapshot was read from (empty: no manifest yet).
    pub stamp: String,
    /// Number of graphs and quads in the snapshot.
    pub graphs: usize,
    pub quads: usize,
    /// When it was read.
    pub loaded: Instant,
}

impl Snapshot {
    /// Reads the store in `dir` under its writer lock. Fails with [`SnapshotError::Busy`]
    /// while a build holds the lock.
    pub fn load(dir: &Path, base: &str) -> Result<Self, SnapshotError> {
        let lock = ReaderLock::take(dir)?;
        let stamp = manifest_stamp(dir)?;
        // Under the lock, only hard links to the committed files are made; the (long) read
        // happens after the lock is released, on files a build can no longer change: it
        // replaces graph files by renaming new ones over them, which leaves our links alone.
        let staged = Staged::link(dir);
        if staged.is_some() {
            drop(lock);
        }
        let store = Store::open_read_only(staged.as_ref().map_or(dir, |s| s.path.as_path()), base)?;
        let graphs = store.graphs().count();
        let quads = store.len()?;
        Ok(Snapshot {
            store,
            stamp,
            graphs,
            quads,
            loaded: Instant::now(),
        })
    }

    /// Like [`Snapshot::load`], waiting up to `patience` for a running build to finish.
    pub fn load_waiting(dir: &Path, base: &str, patience: Duration) -> Result<Self, SnapshotError> {
        let start = Instant::now();
        loop {
            match Self::load(dir, base) {
                Err(SnapshotError::Busy { .. }) if start.elapsed() < patience => {
                    std::thread::sleep(Duration::from_millis(200));
                }
                other => return other,
            }
        }
    }
}

/// A private copy of the manifest with hard links to the graph files it lists, in
/// `DIR/.snapshot-PID-N/`; removed on drop.
struct Staged {
    path: PathBuf,
}

impl Staged {
    /// `None` when the store keeps no graph files (RocksDB backend) or linking fails (a file
    /// system without hard links): the snapshot is then read under the lock.
    fn link(dir: &Path) -> Option<Self> {
        let manifest = fs::read(dir.join(MANIFEST)).ok()?;
        let parsed: serde_json::Value = serde_json::from_slice(&manifest).ok()?;
        let files: Vec<&str> = parsed
            .get("graphs")?
            .as_object()?
            .values()
            .map(|g| g.get("file").and_then(|f| f.as_str()))
            .collect::<Option<Vec<_>>>()?;
        // Links left by a process that died while reading are of no use to anyone.
        for entry in fs::read_dir(dir).ok()?.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(pid) = name
                .strip_prefix(".snapshot-")
                .and_then(|r| r.split('-').next())
            {
                if !Path::new("/proc").join(pid).exists() && Path::new("/proc/self").exists() {
                    let _ = fs::remove_dir_all(entry.path());
                }
            }
        }
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let staged = Staged {
            path: dir.join(format!(".snapshot-{}-{nanos}", std::process::id())),
        };
        let ok = (|| -> io::Result<()> {
            fs::create_dir_all(staged.path.join("graphs"))?;
            fs::write(staged.path.join(MANIFEST), &manifest)?;
            for file in &files {
                // Only files inside the store, as the store itself writes them.
                if file.contains("..") || Path::new(file).is_absolute() {
                    return Err(io::Error::other("unexpected graph file path"));
                }
                fs::hard_link(dir.join(file), staged.path.join(file))?;
            }
            Ok(())
        })();
        ok.ok().map(|()| staged)
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}

/// A fingerprint of the committed manifest: changes exactly when a build commits.
pub fn manifest_stamp(dir: &Path) -> Result<String, SnapshotError> {
    let path = dir.join(MANIFEST);
    match fs::read(&path) {
        Ok(bytes) => Ok(Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(String::new()),
        Err(source) => Err(SnapshotError::Io {
            path: path.display().to_string(),
            source,
        }),
    }
}

/// `DIR/LOCK` held while a snapshot is read; removed on drop if it is still ours.
struct ReaderLock {
    path: Option<PathBuf>,
}

impl ReaderLock {
    fn take(dir: &Path) -> Result<Self, SnapshotError> {
        if !dir.exists() {
            // Nothing to read and nothing to lock: the store reads as empty.
            return Ok(ReaderLock { path: None });
        }
        let path = dir.join(LOCK);
        for _ in 0..2 {
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut f) => {
                    let _ = write!(f, "{}", std::process::id());
                    return Ok(ReaderLock { path: Some(path) });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    let pid = fs::read_to_string(&path)
                        .unwrap_or_default()
                        .trim()
                        .to_owned();
                    // A lock left by a process that is gone (killed, crashed) is stale.
                    let alive = !pid.is_empty() && Path::new("/proc").join(&pid).exists();
                    if alive || !Path::new("/proc/self").exists() {
                        return Err(SnapshotError::Busy {
                            path: dir.display().to_string(),
                            pid,
                        });
                    }
                    let _ = fs::remove_file(&path);
                }
                // A store on a read-only file system has no writer either.
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
                    ) =>
                {
                    return Ok(ReaderLock { path: None })
                }
                Err(source) => {
                    return Err(SnapshotError::Io {
                        path: path.display().to_string(),
                        source,
                    })
                }
            }
        }
        Err(SnapshotError::Busy {
            path: dir.display().to_string(),
            pid: String::new(),
        })
    }
}

impl Drop for ReaderLock {
    fn drop(&mut self) {
        if let Some(path) = &self.path {
            let ours = fs::read_to_string(path)
                .map(|pid| pid.trim() == std::process::id().to_string())
                .unwrap_or(false);
            if ours {
                let _ = fs::remove_file(path);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_writer_makes_the_snapshot_busy_and_a_stale_lock_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let base = crate::mapper::DEFAULT_BASE;
        {
            let _writer = Store::open(dir.path(), base).unwrap();
            assert!(matches!(
                Snapshot::load(dir.path(), base),
                Err(SnapshotError::Busy { .. })
            ));
        }
        // A lock whose process is gone (no such pid in /proc) is stale.
        fs::write(dir.path().join(LOCK), "999999999").unwrap();
        let snapshot = Snapshot::load(dir.path(), base).unwrap();
        assert_eq!(snapshot.quads, 0);
        assert!(
            !dir.path().join(LOCK).exists(),
            "the reader removes its own lock"
        );
    }

    // The in-memory backend's graph files are what a snapshot hard-links; RocksDB has none.
    #[cfg(not(feature = "rocksdb"))]
    #[test]
    fn a_snapshot_is_read_from_links_that_later_builds_do_not_change() {
        let dir = tempfile::tempdir().unwrap();
        let base = crate::mapper::DEFAULT_BASE;
        let g = oxigraph::model::NamedNode::new("https://example.org/g").unwrap();
        let quad = |o: &str| {
            oxigraph::model::Quad::new(
                g.clone(),
                g.clone(),
                oxigraph::model::Literal::new_simple_literal(o),
                g.clone(),
            )
        };
        {
            let mut store = Store::open(dir.path(), base).unwrap();
            store
                .put_graph("a", g.as_ref(), "h1", &[quad("1")])
                .unwrap();
            store.commit().unwrap();
        }
        fs::create_dir(dir.path().join(".snapshot-999999999-1")).unwrap();
        let staged = Staged::link(dir.path()).expect("hard links on a temp dir");
        {
            // A build replaces the graph and commits before the snapshot is read.
            let mut store = Store::open(dir.path(), base).unwrap();
            store
                .put_graph("a", g.as_ref(), "h2", &[quad("2"), quad("3")])
                .unwrap();
            store.commit().unwrap();
        }
        let old = Store::open_read_only(&staged.path, base).unwrap();
        assert_eq!(
            old.len().unwrap(),
            1,
            "the snapshot keeps the committed version"
        );
        let staged_path = staged.path.clone();
        drop(staged);
        assert!(!staged_path.exists());
        assert!(
            !dir.path().join(".snapshot-999999999-1").exists(),
            "a dead reader's links are removed"
        );
        assert_eq!(Snapshot::load(dir.path(), base).unwrap().quads, 2);
    }
}
