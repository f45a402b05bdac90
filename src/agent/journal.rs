//! The history journal: one JSON record per line, appended, flushed and
//! fsynced before an append returns, so an acknowledged record survives a
//! crash or power loss. Reading skips a torn last line (and any other line
//! that does not parse) and says how many it skipped; it never fails on
//! content.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::analysis::{Assessment, Verdict};

/// One journal line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record {
    /// A check cycle started.
    Cycle {
        /// Seconds since the epoch.
        at: i64,
        /// What started it: `start`, `schedule`, `network`, `user`.
        trigger: String,
    },
    /// The result for one target.
    Check {
        /// Seconds since the epoch.
        at: i64,
        /// Service name, if any.
        service: Option<String>,
        /// Host.
        host: String,
        /// Port.
        port: u16,
        /// Verdict string.
        verdict: String,
        /// Reason codes.
        reasons: Vec<String>,
        /// Interceptor name, if attributed.
        interceptor: Option<String>,
        /// Leaf issuer, if a certificate was received.
        issuer: Option<String>,
    },
    /// A notification that was shown (or would have been, when paused or disabled).
    Alert {
        /// Seconds since the epoch.
        at: i64,
        /// `interception`, `suspicious`, `captive_portal`, `resolved`.
        kind: String,
        /// Services concerned.
        services: Vec<String>,
        /// The notification's title.
        summary: String,
        /// Whether it was actually shown.
        shown: bool,
    },
}

impl Record {
    /// The record for one check result.
    pub fn check(at: i64, a: &Assessment) -> Record {
        Record::Check {
            at,
            service: a.service.as_ref().map(|s| s.name.clone()),
            host: a.target.host.clone(),
            port: a.target.port,
            verdict: a.verdict.as_str().to_string(),
            reasons: a.reasons.iter().map(|r| r.as_str().to_string()).collect(),
            interceptor: a.interceptor.as_ref().map(|i| i.name.clone()),
            issuer: a.chain.first().map(|c| c.issuer.clone()),
        }
    }

    /// When it happened.
    pub fn at(&self) -> i64 {
        match self {
            Record::Cycle { at, .. } | Record::Check { at, .. } | Record::Alert { at, .. } => *at,
        }
    }

    /// The verdict of a check record.
    pub fn verdict(&self) -> Option<Verdict> {
        let Record::Check { verdict, .. } = self else {
            return None;
        };
        [
            Verdict::Ok,
            Verdict::Suspicious,
            Verdict::Intercepted,
            Verdict::CaptivePortal,
            Verdict::Unreachable,
        ]
        .into_iter()
        .find(|v| v.as_str() == verdict)
    }
}

/// An open journal, ready to append.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
}

impl Journal {
    /// Opens (creating it and its directory) the journal at `path`. If the
    /// last line was torn by a crash, it is terminated so the next record
    /// starts on a line of its own.
    pub fn open(path: &Path) -> io::Result<Journal> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)?;
        let len = file.metadata()?.len();
        if len > 0 {
            let mut last = [0u8; 1];
            file.seek(SeekFrom::Start(len - 1))?;
            file.read_exact(&mut last)?;
            if last[0] != b'\n' {
                file.write_all(b"\n")?;
                file.sync_data()?;
            }
        }
        Ok(Journal {
            path: path.to_path_buf(),
            file,
        })
    }

    /// Where the journal is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `records` as one write and syncs them to disk; when this
    /// returns Ok, they are durable.
    pub fn append(&mut self, records: &[Record]) -> io::Result<()> {
        let mut buf = Vec::with_capacity(256 * records.len());
        for r in records {
            serde_json::to_writer(&mut buf, r).map_err(io::Error::from)?;
            buf.push(b'\n');
        }
        self.file.write_all(&buf)?;
        self.file.flush()?;
        self.file.sync_data()
    }
}

/// What reading a journal found.
#[derive(Debug, Default)]
pub struct History {
    /// Whole records, oldest first.
    pub records: Vec<Record>,
    /// Lines that could not be read (a torn last line after a crash).
    pub skipped: usize,
}

/// Reads the journal at `path`; a missing journal is empty.
pub fn read(path: &Path) -> io::Result<History> {
    let data = match std::fs::read(path) {
        Ok(d) => d,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(History::default()),
        Err(e) => return Err(e),
    };
    Ok(parse(&data))
}

/// Parses journal bytes, skipping lines that are not whole records.
pub fn parse(data: &[u8]) -> History {
    let mut history = History::default();
    for line in data
        .split(|b| *b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
    {
        match serde_json::from_slice::<Record>(line) {
            Ok(r) => history.records.push(r),
            Err(_) => history.skipped += 1,
        }
    }
    history
}

/// The journal's default location: the platform state directory
/// (`~/.local/state/pinwatch/journal.jsonl` on Linux), or the local data
/// directory where there is no state directory (Windows, macOS).
pub fn default_path() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "pinwatch")?;
    let dir = dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir());
    Some(dir.join("journal.jsonl"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cycle(at: i64) -> Record {
        Record::Cycle {
            at,
            trigger: "start".into(),
        }
    }

    #[test]
    fn appends_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/journal.jsonl");
        let mut j = Journal::open(&path).unwrap();
        j.append(&[cycle(1), cycle(2)]).unwrap();
        drop(j);
        let mut j = Journal::open(&path).unwrap();
        j.append(&[cycle(3)]).unwrap();
        let h = read(&path).unwrap();
        assert_eq!(h.records, [cycle(1), cycle(2), cycle(3)]);
        assert_eq!(h.skipped, 0);
    }

    #[test]
    fn a_torn_last_line_is_skipped_and_terminated_on_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        std::fs::write(
            &path,
            b"{\"type\":\"cycle\",\"at\":1,\"trigger\":\"start\"}\n{\"type\":\"cyc",
        )
        .unwrap();
        let h = read(&path).unwrap();
        assert_eq!((h.records.len(), h.skipped), (1, 1));
        let mut j = Journal::open(&path).unwrap();
        j.append(&[cycle(2)]).unwrap();
        let h = read(&path).unwrap();
        assert_eq!(h.records, [cycle(1), cycle(2)]);
        assert_eq!(h.skipped, 1);
    }

    #[test]
    fn garbage_never_fails_a_read() {
        let h = parse(b"\x00\xff\n{}\n[1,2]\n\n{\"type\":\"cycle\",\"at\":5,\"trigger\":\"user\"}");
        assert_eq!((h.records.len(), h.skipped), (1, 3));
        assert_eq!(h.records[0].at(), 5);
    }
}
