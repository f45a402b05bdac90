//! The file I/O of `pinwatch check` for fleets: reading target lists
//! (byte-capped; `-` is standard input) and writing the Prometheus file
//! atomically for node_exporter's textfile collector.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::CommandError;
use crate::cli::{ConfigError, parse_target_list};
use crate::target::Target;
pub use crate::util::write_atomically;

/// Largest target list read (about 100,000 targets).
pub const TARGETS_MAX_BYTES: u64 = 8 << 20;

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
    let name = if stdin {
        "standard input".to_string()
    } else {
        path.display().to_string()
    };
    let failed = |e: io::Error| ConfigError::TargetList(format!("{name}: {e}"));
    let mut bytes = Vec::new();
    if stdin {
        io::stdin()
            .lock()
            .take(TARGETS_MAX_BYTES + 1)
            .read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path)
            .and_then(|f| f.take(TARGETS_MAX_BYTES + 1).read_to_end(&mut bytes))
    }
    .map_err(failed)?;
    if bytes.len() as u64 > TARGETS_MAX_BYTES {
        return Err(ConfigError::TargetList(format!(
            "{name}: larger than {} MiB; split the list",
            TARGETS_MAX_BYTES >> 20
        ))
        .into());
    }
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Ok((name, text))
}

#[cfg(test)]
mod tests {
    use super::*;

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
