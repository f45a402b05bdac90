//! The checked-in divergence list, `tests/data/x509-limbo/divergences.toml`:
//! the cases where pinwatch's verdict differs from limbo's expectation, each
//! with the reason. Read it, and write it again from a run.

use std::path::PathBuf;

use serde::Deserialize;

use super::corpus::data_dir;

/// The reason a new entry gets until someone writes the real one.
pub const TODO: &str = "TODO";

/// One listed divergence.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The limbo case id.
    pub id: String,
    /// What limbo expects: `SUCCESS` or `FAILURE`.
    pub expected: String,
    /// pinwatch's verdict.
    pub pinwatch: String,
    /// Why pinwatch differs, in a sentence.
    pub reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    case: Vec<Entry>,
}

/// `tests/data/x509-limbo/divergences.toml`.
pub fn path() -> PathBuf {
    data_dir().join("divergences.toml")
}

/// The listed divergences; none when the file does not exist yet.
pub fn load() -> Result<Vec<Entry>, String> {
    let path = path();
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    toml::from_str::<File>(&text)
        .map(|f| f.case)
        .map_err(|e| format!("{}: {e}", path.display()))
}

const HEADER: &str = "\
# x509-limbo cases where pinwatch's verdict differs from limbo's expectation:
# a FAILURE case pinwatch calls `ok`, or a SUCCESS case it does not. The test
# `limbo::` (tests/integration/limbo.rs) fails on a divergence not listed
# here, on an entry that no longer diverges or whose verdict changed, and on
# a reason still \"TODO\". Regenerate after an engine change with
#   PINWATCH_LIMBO_WRITE=1 cargo test --test integration limbo
# which keeps every existing reason and writes reason = \"TODO\" for new cases.
";

/// Writes `entries` as the list.
pub fn write(entries: &[Entry]) -> Result<(), String> {
    let mut out = String::from(HEADER);
    for e in entries {
        out.push_str(&format!(
            "\n[[case]]\nid = {}\nexpected = {}\npinwatch = {}\nreason = {}\n",
            quote(&e.id),
            quote(&e.expected),
            quote(&e.pinwatch),
            quote(&e.reason)
        ));
    }
    let path = path();
    std::fs::write(&path, out).map_err(|e| format!("{}: {e}", path.display()))
}

/// A TOML basic string: JSON's string escapes are all valid TOML escapes.
fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{}\"", s.escape_default()))
}
