//! The agent's single-instance lock: an exclusive `flock` on `agent.lock`
//! beside the journal, held for the agent's life and released by the kernel
//! when the process ends (even after `kill -9`); on Windows a LockFileEx lock
//! on the same file, per user as the file is under `%LOCALAPPDATA%`. It keeps the XDG autostart
//! entry and the systemd user unit (on Windows the Run key and the
//! Start-menu shortcut) from running two agents on one journal. Holds the
//! holder's pid, for the message the second one prints, and tells
//! `pinwatch status` whether an agent is running.
//! Platforms without either run unlocked.
//!
//! Windows has named mutexes for this, but a `Local\` one is per session
//! (the same user in two sessions, over Remote Desktop or fast user
//! switching, would run two agents on one journal), a `Global\` one needs
//! the user's SID in its name, neither can tell `status` who holds it, and
//! both need unsafe calls; the file lock is per user (it is in the user's
//! own `%LOCALAPPDATA%`) across sessions, follows `--journal` as on Linux,
//! and goes with the process as a mutex does.
//!
//! `agent --once` takes no instance lock (it is a single check) but waits
//! for its turn at the journal ([`take_turn`]), so two runs at the same
//! moment alert once.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// The lock, held until dropped.
#[derive(Debug)]
pub struct InstanceLock {
    _file: File,
}

/// Another agent holds the lock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    /// The lock file.
    pub path: PathBuf,
    /// The holder's pid, when the file says.
    pub pid: Option<u32>,
}

/// One `agent --once` run's turn at the journal, held until dropped.
#[derive(Debug)]
pub struct Turn {
    _journal: File,
}

/// Waits for the turn of an `agent --once` run at the journal at `journal`
/// (an exclusive `flock` on the journal file itself). Two runs started at
/// the same moment (a timer and a hand, two timers) take turns: the second
/// reads the incident state the first left, so one incident is announced
/// once. The journal's lock decides who alerts.
pub fn take_turn(journal: &Path) -> io::Result<Turn> {
    let file = std::fs::OpenOptions::new().read(true).open(journal)?;
    wait_lock(&file)?;
    Ok(Turn { _journal: file })
}

#[cfg(unix)]
fn wait_lock(file: &File) -> io::Result<()> {
    use rustix::fs::{FlockOperation, flock};
    loop {
        match flock(file, FlockOperation::LockExclusive) {
            Err(e) if e == rustix::io::Errno::INTR => continue,
            other => return other.map_err(Into::into),
        }
    }
}

#[cfg(not(unix))]
fn wait_lock(_file: &File) -> io::Result<()> {
    Ok(())
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
    Ok(Ok(InstanceLock { _file: file }))
}

/// Who holds the lock at `path` now, if anyone: `None` when no agent runs
/// (or there is no lock file). Takes the lock shared for a moment, never
/// blocks, creates nothing.
pub fn holder(path: &Path) -> io::Result<Option<Held>> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    if probe(&file)? {
        return Ok(None);
    }
    let text = std::fs::read_to_string(path).unwrap_or_default();
    Ok(Some(Held {
        path: path.to_path_buf(),
        pid: text.trim().parse().ok(),
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

/// Whether nobody holds the lock: a shared lock taken and let go at once.
#[cfg(unix)]
fn probe(file: &File) -> io::Result<bool> {
    use rustix::fs::{FlockOperation, flock};
    match flock(file, FlockOperation::NonBlockingLockShared) {
        Ok(()) => {
            flock(file, FlockOperation::Unlock)?;
            Ok(true)
        }
        Err(e) if e == rustix::io::Errno::WOULDBLOCK => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Windows: a shared LockFileEx lock taken and let go at once (std);
/// refused while an agent holds its exclusive lock.
#[cfg(windows)]
#[allow(clippy::incompatible_msrv)]
fn probe(file: &File) -> io::Result<bool> {
    match file.try_lock_shared() {
        Ok(()) => {
            file.unlock()?;
            Ok(true)
        }
        Err(std::fs::TryLockError::WouldBlock) => Ok(false),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

#[cfg(not(any(unix, windows)))]
fn probe(_file: &File) -> io::Result<bool> {
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
        let held = acquire(&path).unwrap().unwrap_err();
        assert_eq!(held.pid, Some(std::process::id()));
        assert_eq!(held.path, path);
        assert_eq!(holder(&path).unwrap(), Some(held));
        drop(first);
        assert_eq!(holder(&path).unwrap(), None, "free again");
        let again = acquire(&path).unwrap();
        assert!(again.is_ok(), "{again:?}");
    }

    #[test]
    fn a_second_turn_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("journal.jsonl");
        std::fs::write(&journal, "").unwrap();
        let first = take_turn(&journal).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let waiter = {
            let journal = journal.clone();
            std::thread::spawn(move || {
                let turn = take_turn(&journal);
                let _ = tx.send(());
                turn.map(drop)
            })
        };
        // The second is blocked while the first holds its turn.
        assert!(
            rx.recv_timeout(std::time::Duration::from_millis(200))
                .is_err()
        );
        drop(first);
        assert!(rx.recv_timeout(std::time::Duration::from_secs(10)).is_ok());
        waiter.join().unwrap().unwrap();
    }

    #[test]
    fn no_lock_file_means_no_agent() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(holder(&dir.path().join("agent.lock")).unwrap(), None);
        assert!(!dir.path().join("agent.lock").exists(), "nothing created");
    }

    #[test]
    fn a_lock_in_an_unwritable_place_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, "").unwrap();
        assert!(acquire(&file.join("agent.lock")).is_err());
    }
}
