//! The JSON Lines reporter (`--format jsonl`), for log shippers: one JSON
//! object per target on one line, written as each result finishes. Each
//! object is an element of the JSON report's `results` with the schema and
//! the time of the run and the knowledge it judged with (the JSON report's
//! `knowledge` object) added; warnings go to standard error.

use std::io::{self, Write};

use serde::Serialize;

use super::json;
use crate::analysis::Assessment;
use crate::knowledge::active::About;
use crate::util::rfc3339;

/// Schema identifier of one line; bumped with `pinwatch.check/N`.
pub const SCHEMA: &str = "pinwatch.result/2";

#[derive(Serialize)]
struct Line<'a> {
    schema: &'static str,
    checked_at: &'a str,
    #[serde(flatten)]
    result: json::Result<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    knowledge: Option<&'a About>,
}

/// Writes one result as one line. `checked_at` is the run's start, RFC 3339
/// (see [`checked_at`]); `knowledge`, the knowledge the run judged with.
pub fn write_line(
    a: &Assessment,
    checked_at: &str,
    knowledge: Option<&About>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let line = Line {
        schema: SCHEMA,
        checked_at,
        result: json::result(a),
        knowledge,
    };
    crate::util::inert::json_line(&mut *out, &line).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

/// The `checked_at` of every line of a run started at `unix_seconds`.
pub fn checked_at(unix_seconds: i64) -> String {
    rfc3339(unix_seconds)
}
