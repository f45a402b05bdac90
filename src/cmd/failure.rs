//! A command that could not run, for scripts: with `--format json`, the
//! JSON error document goes to stdout as well as the one-line message to
//! stderr, including for errors clap finds before any command runs (the
//! format is then read from the raw arguments).

use std::ffi::OsString;
use std::io::{self, Write};

use super::EXIT_ERROR;
use crate::cli::{Command, Format, PinsCommand};
use crate::report::error::{self, ErrorCode};

/// Schema of the error document for `pinwatch pins list|show`, whose
/// normal output carries none.
pub const PINS_SCHEMA: &str = "pinwatch.pins/1";

/// The schema of the document `command` writes, when it was asked for JSON.
pub fn json_schema(command: &Command) -> Option<&'static str> {
    let (format, schema) = match command {
        // jsonl, nagios and prometheus get no JSON error document.
        Command::Check(a) => {
            return (a.format == crate::cli::CheckFormat::Json)
                .then_some(crate::report::json::SCHEMA);
        }
        Command::Roots(a) => (a.format, crate::report::roots::SCHEMA),
        Command::History(a) => (a.format, crate::report::history::HISTORY_SCHEMA),
        Command::Status(a) => (a.format, crate::report::history::STATUS_SCHEMA),
        Command::Pins(PinsCommand::List(a)) => (a.format, PINS_SCHEMA),
        Command::Pins(PinsCommand::Show(a)) => (a.format, PINS_SCHEMA),
        Command::Pins(
            PinsCommand::Verify(_) | PinsCommand::Capture(_) | PinsCommand::Update(_),
        )
        | Command::Agent(_)
        | Command::Generate(_)
        | Command::NotifyTest => return None,
        #[cfg(feature = "maintainer")]
        Command::Pins(PinsCommand::Bundle(_)) => return None,
    };
    (format == Format::Json).then_some(schema)
}

/// [`json_schema`] from the raw arguments, for when they did not parse:
/// `--format json` (or `--format=json`) anywhere before `--`, and the
/// schema of the subcommand named (the check's when none is recognised).
pub fn json_schema_from_args(args: &[OsString]) -> Option<&'static str> {
    let args: Vec<&str> = args
        .iter()
        .skip(1)
        .map(|a| a.to_str().unwrap_or(""))
        .take_while(|a| *a != "--")
        .collect();
    let json = args.iter().enumerate().any(|(i, a)| {
        *a == "--format=json" || (*a == "--format" && args.get(i + 1) == Some(&"json"))
    });
    if !json {
        return None;
    }
    let mut words = args
        .iter()
        .enumerate()
        .filter(|(i, a)| !a.starts_with('-') && (*i == 0 || !matches!(args[i - 1], "--lang")));
    Some(match words.next().map(|(_, a)| *a) {
        Some("roots") => crate::report::roots::SCHEMA,
        Some("history") => crate::report::history::HISTORY_SCHEMA,
        Some("status") => crate::report::history::STATUS_SCHEMA,
        Some("pins") => PINS_SCHEMA,
        _ => crate::report::json::SCHEMA,
    })
}

/// The first line of a clap error, without its `error: ` prefix.
pub fn clap_message(e: &clap::Error) -> String {
    let text = e.to_string();
    let first = text.lines().next().unwrap_or_default();
    first.strip_prefix("error: ").unwrap_or(first).to_string()
}

/// Writes the JSON error document (exit code 3) for a command with `schema`.
pub fn render(schema: &str, code: ErrorCode, message: &str, out: &mut dyn Write) -> io::Result<()> {
    error::render(schema, code, message, EXIT_ERROR, out)?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        std::iter::once("pinwatch")
            .chain(list.iter().copied())
            .map(OsString::from)
            .collect()
    }

    #[test]
    fn the_format_and_schema_are_read_from_raw_arguments() {
        let check = crate::report::json::SCHEMA;
        assert_eq!(
            json_schema_from_args(&args(&["check", "--format", "json", "--frob"])),
            Some(check)
        );
        assert_eq!(
            json_schema_from_args(&args(&["--lang", "zh", "status", "--format=json"])),
            Some("pinwatch.status/1")
        );
        assert_eq!(
            json_schema_from_args(&args(&["chek", "--format", "json"])),
            Some(check)
        );
        assert_eq!(
            json_schema_from_args(&args(&["check", "--format", "text"])),
            None
        );
        assert_eq!(
            json_schema_from_args(&args(&["check", "--", "--format", "json"])),
            None
        );
    }
}
