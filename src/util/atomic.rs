//! Writing a file so that a reader, a crash, `kill -9` or a full disk never
//! leaves half of it: a temporary file in the same directory, flushed to
//! disk, renamed over the old one, and the directory synced so the rename
//! itself is durable. The one way pinwatch replaces its files (the
//! Prometheus file, knowledge bundles and their state).

use std::io::{self, Write};
use std::path::Path;

/// Writes `path` atomically: `render` writes into a temporary file in the
/// same directory, which is flushed to disk, made readable by
/// everyone (0644: the Prometheus collector, other users reading the
/// system's knowledge) and renamed over `path`. A reader sees the old file or
/// the new one, never half of one.
pub fn write_atomically(
    path: &Path,
    render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| {
            // tempfile appends ` at path "<the random name>"`: the
            // directory is what the reader needs, and it is in `path`.
            let text = e.to_string();
            let reason = text.split(" at path \"").next().unwrap_or(&text);
            io::Error::new(e.kind(), reason.to_string())
        })?;
    {
        let mut out = io::BufWriter::new(tmp.as_file_mut());
        render(&mut out)?;
        out.flush()?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    // Make the rename itself durable.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}
