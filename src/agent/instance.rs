//! The agent's single-instance lock: an exclusive `flock` on `agent.lock`
//! beside the journal, held for the agent's life and released by the kernel
//! when the process ends (even after `kill -9`); on Windows a LockFileEx lock
//! on the same file, per user as the file is under `%LOCALAPPDATA%`. It keeps the XDG autostart
//! entry and the systemd user unit from running two agents on one journal
//! when both are active. Holds the holder's pid, for the message the second
//! one prints. Platforms without `flock` run unlocked.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// The lock, held until dropped.
#[derive(Debug)]
pub struct InstanceLock {
    _file: File,
    /// The lock file.
    pub path: PathBuf,
}

/// Another agent holds the lock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    /// The lock file.
    pub path: PathBuf,
    /// The holder's pid, when the file says.
    pub pid: Option<u32>,
}

/// Takes the lock at `path` (creating it and its directory), or says who
/// holds it. Never blocks.
pub fn acquire(path: &Path) -> io::Result<Result<InstanceLock, Held>> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)?;
    if !try_lock(&file)? {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        return Ok(Err(Held {
            path: path.to_path_buf(),
            pid: text.trim().parse().ok(),
        }));
    }
    write_pid(&mut file)?;
    Ok(Ok(InstanceLock {
        _file: file,
        path: path.to_path_buf(),
    }))
}

fn write_pid(file: &mut File) -> io::Result<()> {
    use std::io::{Seek, Write};
    file.set_len(0)?;
    file.seek(io::SeekFrom::Start(0))?;
    writeln!(file, "{}", std::process::id())?;
    file.flush()
}

#[cfg(unix)]
fn try_lock(file: &File) -> io::Result<bool> {
    use rustix::fs::{FlockOperation, flock};
    match flock(file, FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => Ok(true),
        Err(e) if e == rustix::io::Errno::WOULDBLOCK => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Windows: LockFileEx through std (the Windows build's Rust is 1.96);
/// released by the system when the process ends, as flock is.
#[cfg(windows)]
#[allow(clippy::incompatible_msrv)]
fn try_lock(file: &File) -> io::Result<bool> {
    match file.try_lock() {
        Ok(()) => Ok(true),
        Err(std::fs::TryLockError::WouldBlock) => Ok(false),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

#[cfg(not(any(unix, windows)))]
fn try_lock(_file: &File) -> io::Result<bool> {
    Ok(true)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/agent.lock");
        let first = acquire(&path).unwrap().unwrap();
        assert_eq!(first.path, path);
        let held = acquire(&path).unwrap().unwrap_err();
        assert_eq!(held.pid, Some(std::process::id()));
        assert_eq!(held.path, path);
        drop(first);
        let again = acquire(&path).unwrap();
        assert!(again.is_ok(), "{again:?}");
    }

    #[test]
    fn a_lock_in_an_unwritable_place_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, "").unwrap();
        assert!(acquire(&file.join("agent.lock")).is_err());
    }
}
