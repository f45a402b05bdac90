//! Reading the files people point pinwatch at (pins here; trust stores, the
//! config and the journal in the binary, which names their caps) without
//! hanging or running out of memory: only regular files are read (a FIFO, a
//! device or a socket is refused before a byte is read, and opening never
//! blocks), and whole-file reads stop at a byte cap with an error naming
//! the file and the cap.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use thiserror::Error;

/// The most a file of one kind may hold, and what to call that kind in an
/// error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cap {
    /// Bytes.
    pub bytes: u64,
    /// The kind of file, for the error ("a certificate file").
    pub what: &'static str,
}

/// One mebibyte, for caps.
pub const MIB: u64 = 1024 * 1024;

/// One file of a pins directory (a service file is a few KB; 4 MiB holds
/// about 100 000 hosts).
pub const PINS_FILE: Cap = Cap {
    bytes: 4 * MIB,
    what: "a pins file",
};

/// A `--targets` list (8 MiB holds about 300,000 short host names).
pub const TARGETS_FILE: Cap = Cap {
    bytes: 8 * MIB,
    what: "a target list (split it)",
};

/// A file that could not be read.
#[derive(Debug, Error)]
pub enum ReadError {
    /// Opening or reading failed.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: io::Error,
    },
    /// A FIFO, device, socket or directory: reading it could block forever
    /// or never end.
    #[error("{path}: is a {kind}, not a regular file: not read")]
    NotRegular {
        /// The file.
        path: String,
        /// What it is instead.
        kind: &'static str,
    },
    /// Larger than its cap.
    #[error("{path}: larger than {}, the limit for {}: not read", size(.cap.bytes), .cap.what)]
    TooLarge {
        /// The file.
        path: String,
        /// The cap it exceeds.
        cap: Cap,
    },
}

impl ReadError {
    /// True when the file does not exist (callers often treat that as empty).
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io { source, .. } if source.kind() == io::ErrorKind::NotFound)
    }

    /// What is wrong, without the file's name (for messages that name it
    /// themselves).
    pub fn reason(&self) -> String {
        let text = self.to_string();
        match text.strip_prefix(self.path()) {
            Some(rest) => rest.trim_start_matches(": ").to_string(),
            None => text,
        }
    }

    /// The file the error is about.
    pub fn path(&self) -> &str {
        match self {
            ReadError::Io { path, .. }
            | ReadError::NotRegular { path, .. }
            | ReadError::TooLarge { path, .. } => path,
        }
    }
}

/// `bytes` in words: `16 MiB`, `512 KiB`, `100 bytes`.
fn size(bytes: u64) -> String {
    if bytes >= MIB && bytes % MIB == 0 {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= 1024 && bytes % 1024 == 0 {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

/// Opens `path` for reading if it is a regular file (following symlinks).
/// The open itself never blocks: it is non-blocking (so a FIFO without a
/// writer cannot hang it), and the type is checked on the opened file, so
/// nothing can be swapped in between the check and the read.
pub fn open_regular(path: &Path) -> Result<File, ReadError> {
    let shown = || path.display().to_string();
    let io = |source| ReadError::Io {
        path: shown(),
        source,
    };
    let file = open_nonblocking(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular {
            path: shown(),
            kind: file_kind(&meta.file_type()),
        });
    }
    Ok(file)
}

/// Reads the whole of `path`, a regular file of at most `cap.bytes` bytes.
pub fn read_capped(path: &Path, cap: Cap) -> Result<Vec<u8>, ReadError> {
    let file = open_regular(path)?;
    let too_large = || ReadError::TooLarge {
        path: path.display().to_string(),
        cap,
    };
    // The size on disk is a hint (files in /proc say 0); the read below is
    // what enforces the cap.
    let hint = file.metadata().map_or(0, |m| m.len());
    if hint > cap.bytes {
        return Err(too_large());
    }
    let mut data = Vec::with_capacity(usize::try_from(hint).unwrap_or(0));
    file.take(cap.bytes.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(|source| ReadError::Io {
            path: path.display().to_string(),
            source,
        })?;
    if data.len() as u64 > cap.bytes {
        return Err(too_large());
    }
    Ok(data)
}

/// [`read_capped`], as UTF-8 text.
pub fn read_capped_string(path: &Path, cap: Cap) -> Result<String, ReadError> {
    let data = read_capped(path, cap)?;
    String::from_utf8(data).map_err(|_| ReadError::Io {
        path: path.display().to_string(),
        source: io::Error::new(io::ErrorKind::InvalidData, "not UTF-8 text"),
    })
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    File::open(path)
}

#[cfg(unix)]
fn file_kind(t: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt as _;
    if t.is_fifo() {
        "FIFO (named pipe)"
    } else if t.is_char_device() {
        "character device"
    } else if t.is_block_device() {
        "block device"
    } else if t.is_socket() {
        "socket"
    } else if t.is_dir() {
        "directory"
    } else {
        "special file"
    }
}

#[cfg(not(unix))]
fn file_kind(t: &std::fs::FileType) -> &'static str {
    if t.is_dir() {
        "directory"
    } else {
        "special file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn reads_regular_files_up_to_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"0123456789").unwrap();
        let cap = |bytes| Cap {
            bytes,
            what: "a test file",
        };
        assert_eq!(read_capped(&path, cap(10)).unwrap(), b"0123456789");
        let err = read_capped(&path, cap(9)).unwrap_err();
        assert!(matches!(err, ReadError::TooLarge { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            format!(
                "{}: larger than 9 bytes, the limit for a test file: not read",
                path.display()
            )
        );
        let missing = read_capped(&dir.path().join("nope"), PINS_FILE).unwrap_err();
        assert!(missing.is_not_found(), "{missing}");
        assert_eq!(size(16 * MIB), "16 MiB");
        assert_eq!(size(512 * 1024), "512 KiB");
    }

    #[cfg(unix)]
    #[test]
    fn devices_fifos_and_directories_are_refused_at_once() {
        let started = Instant::now();
        let err = read_capped(Path::new("/dev/zero"), PINS_FILE).unwrap_err();
        assert_eq!(
            err.to_string(),
            "/dev/zero: is a character device, not a regular file: not read"
        );
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo (coreutils)");
        let err = read_capped(&fifo, PINS_FILE).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("is a FIFO (named pipe), not a regular file: not read"),
            "{err}"
        );
        let err = read_capped(dir.path(), PINS_FILE).unwrap_err();
        assert!(
            matches!(
                err,
                ReadError::NotRegular {
                    kind: "directory",
                    ..
                }
            ),
            "{err}"
        );
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}
