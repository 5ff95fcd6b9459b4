//! A consistent, read-only snapshot of a store directory, for `serve` and `push`.
//!
//! Input: a store directory that a `newskg build` (or `map`) may be writing at the same moment.
//! Output: a [`Snapshot`]: the store as of one committed manifest, never a mix of two builds.
//!
//! The in-memory backend reads every graph file listed in the manifest at open time. A build
//! writes the new graph files first and the manifest last, so a reader that opened the store in
//! the middle of a build could see a new graph file beside an old manifest. To rule that out the
//! snapshot is read while holding the store's writer lock (`DIR/LOCK`, the same protocol as
//! [`Store::open`]): if a build holds it, loading reports [`SnapshotError::Busy`] and the caller
//! keeps serving its previous snapshot; a build that starts while a snapshot is being read is
//! refused with the store's usual "being written by another newskg process" message (the read
//! takes about as long as opening the store).
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
        let _lock = ReaderLock::take(dir)?;
        let stamp = manifest_stamp(dir)?;
        let store = Store::open_read_only(dir, base)?;
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
}
