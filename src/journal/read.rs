//! Reading a journal: it never fails on content. A torn last line (and
//! any other line that does not parse, or is longer than any record) is
//! skipped and counted. Reading holds little memory whatever the journal's
//! size: forward line by line ([`Records`]), or from the end in blocks for
//! the last records and the last cycle. Only a regular file is a journal.

use std::cell::Cell;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::Record;
use crate::util::{ReadError, open_regular};

/// The longest line read. A record is a few hundred bytes; a longer line
/// is not one pinwatch wrote, and is skipped like a torn line without
/// being held in memory.
pub const MAX_LINE: usize = 64 * 1024;

/// How much is read at a time.
const BLOCK: usize = 64 * 1024;

/// The most records `status` collects after the last cycle; more is not a
/// journal the agent wrote (a cycle has one record per target).
pub const MAX_CYCLE_RECORDS: usize = 65_536;

/// What reading part of a journal found.
#[derive(Debug, Default)]
pub struct History {
    /// Whole records, oldest first.
    pub records: Vec<Record>,
    /// Lines that could not be read (a torn last line after a crash).
    pub skipped: usize,
}

/// The last cycle in a journal.
#[derive(Debug, Default)]
pub struct LastCycle {
    /// The cycle record (`None`: no cycle recorded).
    pub cycle: Option<Record>,
    /// The check records after it, oldest first.
    pub checks: Vec<Record>,
}

/// One line of a journal.
enum Line {
    /// At most [`MAX_LINE`] bytes, without the newline.
    Text(Vec<u8>),
    /// Longer than [`MAX_LINE`]: not kept.
    TooLong,
}

/// Parses one line; `None` for a blank one, `Some(Err)` for one that is not
/// a whole record.
fn record(line: Line) -> Option<Result<Record, ()>> {
    match line {
        Line::TooLong => Some(Err(())),
        Line::Text(t) if t.iter().all(u8::is_ascii_whitespace) => None,
        Line::Text(t) => Some(serde_json::from_slice::<Record>(&t).map_err(|_| ())),
    }
}

/// Opens the journal for reading; a missing journal is `None`.
fn open(path: &Path) -> Result<Option<File>, ReadError> {
    match open_regular(path) {
        Ok(f) => Ok(Some(f)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

fn io_error(path: &Path) -> impl Fn(io::Error) -> ReadError + '_ {
    move |source| ReadError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// The journal's lines from the last to the first, read in blocks from the
/// end: memory stays within a block and a line whatever the file's size.
struct Backward {
    file: File,
    /// File offset where `buf` starts; everything before is unread.
    pos: u64,
    /// Unreturned bytes from `pos` on.
    buf: Vec<u8>,
    /// `buf[unscanned..]` is known to hold no newline.
    unscanned: usize,
    /// The line being assembled is longer than [`MAX_LINE`].
    overlong: bool,
    finished: bool,
}

impl Backward {
    fn new(mut file: File) -> io::Result<Backward> {
        let pos = file.seek(SeekFrom::End(0))?;
        Ok(Backward {
            file,
            pos,
            buf: Vec::new(),
            unscanned: 0,
            overlong: false,
            finished: false,
        })
    }

    fn next_line(&mut self) -> io::Result<Option<Line>> {
        loop {
            let scan = self.unscanned.min(self.buf.len());
            if let Some(i) = self.buf[..scan].iter().rposition(|b| *b == b'\n') {
                let tail = self.buf.split_off(i + 1);
                self.buf.truncate(i);
                self.unscanned = i;
                return Ok(Some(self.finish_line(tail)));
            }
            if self.pos == 0 {
                if self.finished {
                    return Ok(None);
                }
                self.finished = true;
                self.unscanned = 0;
                let rest = std::mem::take(&mut self.buf);
                return Ok(Some(self.finish_line(rest)));
            }
            if self.buf.len() > MAX_LINE {
                self.overlong = true;
                self.buf.clear();
                self.unscanned = 0;
            }
            let start = self.pos.saturating_sub(BLOCK as u64);
            let len = usize::try_from(self.pos - start).unwrap_or(BLOCK);
            let mut block = vec![0u8; len];
            self.file.seek(SeekFrom::Start(start))?;
            self.file.read_exact(&mut block)?;
            block.extend_from_slice(&self.buf);
            self.buf = block;
            self.unscanned = len;
            self.pos = start;
        }
    }

    fn finish_line(&mut self, text: Vec<u8>) -> Line {
        if std::mem::take(&mut self.overlong) || text.len() > MAX_LINE {
            Line::TooLong
        } else {
            Line::Text(text)
        }
    }
}

/// The journal's lines from the first to the last, each at most
/// [`MAX_LINE`] bytes held at a time.
struct Forward {
    reader: BufReader<File>,
}

impl Forward {
    fn next_line(&mut self) -> io::Result<Option<Line>> {
        let mut line = Vec::new();
        let mut overlong = false;
        let mut any = false;
        loop {
            let available = self.reader.fill_buf()?;
            if available.is_empty() {
                return Ok(any.then(|| finish(line, overlong)));
            }
            any = true;
            let (chunk, used, end) = match available.iter().position(|b| *b == b'\n') {
                Some(i) => (&available[..i], i + 1, true),
                None => (available, available.len(), false),
            };
            if !overlong {
                if line.len() + chunk.len() > MAX_LINE {
                    overlong = true;
                    line = Vec::new();
                } else {
                    line.extend_from_slice(chunk);
                }
            }
            self.reader.consume(used);
            if end {
                return Ok(Some(finish(line, overlong)));
            }
        }
    }
}

fn finish(line: Vec<u8>, overlong: bool) -> Line {
    if overlong {
        Line::TooLong
    } else {
        Line::Text(line)
    }
}

/// Every record of the journal at `path`, oldest first, read as it is
/// iterated (memory stays within a line whatever the file's size). Lines
/// that are not whole records are counted in `skipped`; a missing journal
/// is empty.
pub struct Records<'s> {
    path: PathBuf,
    lines: Option<Forward>,
    skipped: &'s Cell<usize>,
}

impl<'s> Records<'s> {
    /// Opens the journal; unreadable lines met while iterating are added to
    /// `skipped`.
    pub fn open(path: &Path, skipped: &'s Cell<usize>) -> Result<Records<'s>, ReadError> {
        Ok(Records {
            path: path.to_path_buf(),
            lines: open(path)?.map(|file| Forward {
                reader: BufReader::with_capacity(BLOCK, file),
            }),
            skipped,
        })
    }
}

impl Iterator for Records<'_> {
    type Item = Result<Record, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let line = match self.lines.as_mut()?.next_line() {
                Ok(Some(line)) => line,
                Ok(None) => return None,
                Err(e) => {
                    self.lines = None;
                    return Some(Err(io_error(&self.path)(e)));
                }
            };
            match record(line) {
                None => {}
                Some(Ok(r)) => return Some(Ok(r)),
                Some(Err(())) => self.skipped.set(self.skipped.get() + 1),
            }
        }
    }
}

/// The last `n` records of the journal at `path` (oldest first), read from
/// the end; `skipped` counts the unreadable lines among the lines read. A
/// missing journal is empty.
pub fn read_last(path: &Path, n: usize) -> Result<History, ReadError> {
    let mut history = History::default();
    let Some(file) = open(path)? else {
        return Ok(history);
    };
    let io = io_error(path);
    let mut lines = Backward::new(file).map_err(&io)?;
    while history.records.len() < n {
        let Some(line) = lines.next_line().map_err(&io)? else {
            break;
        };
        match record(line) {
            None => {}
            Some(Ok(r)) => history.records.push(r),
            Some(Err(())) => history.skipped += 1,
        }
    }
    history.records.reverse();
    Ok(history)
}

/// The last cycle of the journal at `path` and the check records after it,
/// read from the end. Lines that are not records (junk of any size after a
/// crash or a bad write) are passed over without counting; no cycle within
/// [`MAX_CYCLE_RECORDS`] records of the end counts as none.
pub fn read_last_cycle(path: &Path) -> Result<LastCycle, ReadError> {
    let mut last = LastCycle::default();
    let Some(file) = open(path)? else {
        return Ok(last);
    };
    let io = io_error(path);
    let mut lines = Backward::new(file).map_err(&io)?;
    let mut seen = 0;
    while seen < MAX_CYCLE_RECORDS {
        let Some(line) = lines.next_line().map_err(&io)? else {
            break;
        };
        match record(line) {
            Some(Ok(r @ Record::Cycle { .. })) => {
                last.cycle = Some(r);
                last.checks.reverse();
                return Ok(last);
            }
            Some(Ok(r @ Record::Check { .. })) => last.checks.push(r),
            Some(Ok(Record::Alert { .. } | Record::Notice { .. } | Record::Day { .. })) => {}
            // Junk: not a record, so not one of the cycle's.
            Some(Err(())) | None => continue,
        }
        seen += 1;
    }
    Ok(LastCycle::default())
}

/// Reads the whole journal at `path` into memory; a missing journal is
/// empty. For tests and small journals: the commands use [`Records`],
/// [`read_last`] and [`read_last_cycle`], which hold little whatever the
/// file's size.
pub fn read(path: &Path) -> Result<History, ReadError> {
    let skipped = Cell::new(0);
    let records = Records::open(path, &skipped)?.collect::<Result<Vec<_>, _>>()?;
    Ok(History {
        records,
        skipped: skipped.get(),
    })
}

/// Parses journal bytes, skipping lines that are not whole records.
#[cfg(test)]
pub fn parse(data: &[u8]) -> History {
    let mut history = History::default();
    for line in data.split(|b| *b == b'\n') {
        match record(Line::Text(line.to_vec())) {
            None => {}
            Some(Ok(r)) => history.records.push(r),
            Some(Err(())) => history.skipped += 1,
        }
    }
    history
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;

    #[test]
    fn garbage_never_fails_a_read() {
        let h = parse(b"\x00\xff\n{}\n[1,2]\n\n{\"type\":\"cycle\",\"at\":5,\"trigger\":\"user\"}");
        assert_eq!((h.records.len(), h.skipped), (1, 3));
        assert_eq!(h.records[0].at(), 5);
    }

    #[test]
    fn the_last_records_are_read_from_the_end_across_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        // Well over a block, so lines straddle block boundaries.
        let records: Vec<Record> = (0..5000)
            .map(|i| check(i, &format!("h{i}.example")))
            .collect();
        write(&path, &records, b"{\"type\":\"cyc");
        let h = read_last(&path, 3).unwrap();
        assert_eq!(h.records, records[4997..]);
        assert_eq!(h.skipped, 1, "the torn last line");
        let h = read_last(&path, 10_000).unwrap();
        assert_eq!(h.records, records);
        assert_eq!(read(&path).unwrap().records, records);
        assert!(
            read_last(&dir.path().join("none"), 5)
                .unwrap()
                .records
                .is_empty()
        );
    }

    #[test]
    fn an_overlong_line_is_skipped_without_being_held() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let mut data = Vec::new();
        serde_json::to_writer(&mut data, &cycle(1)).unwrap();
        data.push(b'\n');
        data.extend(std::iter::repeat_n(b'x', 3 * MAX_LINE + 17));
        data.push(b'\n');
        serde_json::to_writer(&mut data, &cycle(2)).unwrap();
        data.push(b'\n');
        std::fs::write(&path, &data).unwrap();
        let h = read_last(&path, 5).unwrap();
        assert_eq!((h.records, h.skipped), (vec![cycle(1), cycle(2)], 1));
        let h = read(&path).unwrap();
        assert_eq!((h.records, h.skipped), (vec![cycle(1), cycle(2)], 1));
    }

    #[test]
    fn the_last_cycle_is_found_from_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let mut records = vec![cycle(1), check(1, "a"), cycle(2)];
        records.push(check(2, "b"));
        records.push(Record::Alert {
            at: 2,
            kind: super::super::AlertKind::Interception,
            services: Vec::new(),
            summary: "s".into(),
            shown: true,
        });
        records.push(check(2, "c"));
        write(&path, &records, b"");
        let last = read_last_cycle(&path).unwrap();
        assert_eq!(last.cycle, Some(cycle(2)));
        assert_eq!(last.checks, [check(2, "b"), check(2, "c")]);
        write(&path, &[check(1, "a")], b"");
        assert!(read_last_cycle(&path).unwrap().cycle.is_none());
    }

    #[test]
    fn the_last_cycle_is_found_past_junk_of_any_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let mut junk = Vec::new();
        // More junk lines than a cycle may have records, and one line longer
        // than any record.
        for _ in 0..MAX_CYCLE_RECORDS + 10 {
            junk.extend_from_slice(b"x\n");
        }
        junk.extend(std::iter::repeat_n(b'y', 3 * MAX_LINE));
        junk.extend_from_slice(b"\n{\"type\":\"check\",\"torn");
        write(
            &path,
            &[cycle(1), check(1, "a.test"), check(1, "b.test")],
            &junk,
        );
        let last = read_last_cycle(&path).unwrap();
        assert_eq!(last.cycle, Some(cycle(1)));
        assert_eq!(last.checks, [check(1, "a.test"), check(1, "b.test")]);
    }

    #[test]
    fn only_a_regular_file_is_a_journal() {
        let err = read_last(Path::new("/dev/zero"), 5).unwrap_err();
        assert!(matches!(err, ReadError::NotRegular { .. }), "{err}");
    }
}
