//! The journal's one writer: the agent appends each cycle's records,
//! flushed and fsynced before an append returns, so an acknowledged record
//! survives a crash or power loss; past its size limit the journal is
//! compacted (`journal::compact`) into a temporary file in the same
//! directory, synced and renamed over the old one, so a crash leaves one or
//! the other, whole. The format and its readers are `crate::journal`'s.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::journal::{DEFAULT_MAX_BYTES, Record, compact, lines, read};

/// An open journal, ready to append.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    max_bytes: u64,
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
        let meta = file.metadata()?;
        if !meta.is_file() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a regular file: a journal must be one",
            ));
        }
        let len = meta.len();
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
            max_bytes: DEFAULT_MAX_BYTES,
        })
    }

    /// Sets the size limit past which an append compacts the journal.
    pub fn with_limit(mut self, max_bytes: u64) -> Journal {
        self.max_bytes = max_bytes;
        self
    }

    /// Where the journal is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `records` as one write and syncs them to disk; when this
    /// returns Ok, they are durable. Past the size limit, the journal is
    /// then compacted ([`compact`]); a compaction that fails leaves the
    /// journal as it was, and is tried again at the next append.
    pub fn append(&mut self, records: &[Record]) -> io::Result<()> {
        self.file.write_all(&lines(records)?)?;
        self.file.flush()?;
        self.file.sync_data()?;
        if self.file.metadata()?.len() > self.max_bytes {
            self.compact()?;
        }
        Ok(())
    }

    /// Rewrites the journal compacted: a temporary file in the same
    /// directory, synced, renamed over the journal, the directory synced.
    fn compact(&mut self) -> io::Result<()> {
        let history = read(&self.path).map_err(|e| io::Error::other(e.to_string()))?;
        let compacted = lines(&compact(history.records, self.max_bytes))?;
        crate::util::write_atomically(&self.path, |out| out.write_all(&compacted))?;
        self.file = OpenOptions::new()
            .read(true)
            .append(true)
            .open(&self.path)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::fixtures::{bytes, cycle, months};

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
    fn appending_past_the_limit_compacts_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let max = 64 * 1024;
        let mut j = Journal::open(&path).unwrap().with_limit(max);
        let all = months();
        let mut written = 0;
        for chunk in all.chunk_by(|_, b| !matches!(b, Record::Cycle { .. })) {
            j.append(chunk).unwrap();
            written += 1;
            let size = std::fs::metadata(&path).unwrap().len();
            assert!(size <= max + bytes(chunk), "{size} after {written} cycles");
        }
        let h = read(&path).unwrap();
        assert_eq!(h.skipped, 0);
        let alerts = h
            .records
            .iter()
            .filter(|r| matches!(r, Record::Alert { .. }))
            .count();
        assert_eq!(alerts, 20);
        assert_eq!(h.records.last(), all.last());
    }

    #[test]
    fn only_a_regular_file_is_a_journal() {
        assert!(Journal::open(Path::new("/dev/zero")).is_err());
    }
}
