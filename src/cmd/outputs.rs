//! The file I/O of `pinwatch check` for fleets: reading target lists
//! (byte-capped; `-` is standard input) and writing the Prometheus file
//! atomically for node_exporter's textfile collector.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::CommandError;
use crate::cli::{ConfigError, parse_target_list};
use crate::target::Target;
pub(crate) use crate::util::write_atomically;
use crate::util::{TARGETS_FILE, read_capped};

/// Junk lines reported one by one per file; the rest are counted.
const JUNK_SHOWN: usize = 20;

/// Reads the target lists `paths` (`-`: standard input). Junk lines become
/// warnings naming the file and line; the targets of all files come back
/// once each, in order.
pub fn read_target_lists(
    paths: &[PathBuf],
    warnings: &mut Vec<String>,
) -> Result<Vec<Target>, CommandError> {
    let mut targets = Vec::new();
    for path in paths {
        let (name, text) = read_list(path)?;
        let list = parse_target_list(&text);
        if list.targets.is_empty() {
            return Err(ConfigError::TargetList(format!("{name}: no targets in the list")).into());
        }
        for junk in list.junk.iter().take(JUNK_SHOWN) {
            warnings.push(format!("{name}: {junk} (skipped)"));
        }
        if list.junk.len() > JUNK_SHOWN {
            warnings.push(format!(
                "{name}: {} more lines that are not targets (skipped)",
                list.junk.len() - JUNK_SHOWN
            ));
        }
        targets.extend(list.targets);
    }
    Ok(targets)
}

fn read_list(path: &Path) -> Result<(String, String), CommandError> {
    let stdin = path.as_os_str() == "-";
    if !stdin {
        // A regular file only, opened without blocking: a FIFO or a device
        // is refused at once, naming the path.
        let bytes =
            read_capped(path, TARGETS_FILE).map_err(|e| ConfigError::TargetList(e.to_string()))?;
        return Ok((path.display().to_string(), text_of(bytes)));
    }
    let name = "standard input".to_string();
    let mut bytes = Vec::new();
    io::stdin()
        .lock()
        .take(TARGETS_FILE.bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ConfigError::TargetList(format!("{name}: {e}")))?;
    if bytes.len() as u64 > TARGETS_FILE.bytes {
        return Err(ConfigError::TargetList(format!(
            "{name}: larger than {} MiB; split the list",
            TARGETS_FILE.bytes >> 20
        ))
        .into());
    }
    Ok((name, text_of(bytes)))
}

/// The list as text, not copied when it is UTF-8 already.
fn text_of(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn atomic_write_replaces_the_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pinwatch.prom");
        std::fs::write(&path, "old\n").unwrap();
        write_atomically(&path, |out: &mut dyn Write| out.write_all(b"new\n")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
        let failed = write_atomically(&path, |out: &mut dyn Write| {
            out.write_all(b"half")?;
            Err(io::Error::other("stop"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["pinwatch.prom"]);
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o644);
    }

    #[test]
    fn junk_becomes_warnings_and_an_empty_list_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let list = dir.path().join("targets.txt");
        std::fs::write(&list, "qq.com\nno such thing\nqq.com\n").unwrap();
        let mut warnings = Vec::new();
        let targets = read_target_lists(std::slice::from_ref(&list), &mut warnings).unwrap();
        assert_eq!(targets, [Target::new("qq.com", 443).unwrap()]);
        assert_eq!(
            warnings,
            [format!(
                "{}: line 2: `no such thing`: one target per line (found spaces) (skipped)",
                list.display()
            )]
        );
        std::fs::write(&list, "# nothing\n").unwrap();
        let err = read_target_lists(std::slice::from_ref(&list), &mut warnings).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("--targets {}: no targets in the list", list.display())
        );
    }
}
