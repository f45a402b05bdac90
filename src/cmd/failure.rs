//! A command that could not run, told to whatever reads its output in that
//! reader's own language, besides the one-line message on stderr: the JSON
//! error document under `--format json`; one `PINWATCH UNKNOWN - ...`
//! status line under `--format nagios`; metrics with
//! `pinwatch_check_success 0` under `--format prometheus` and in the
//! `--prometheus-file` (so the alert on the success gauge fires). This
//! holds for errors clap finds before any command runs too: the formats
//! and the file are then read from the raw arguments ([`Channels::from_args`]).
//!
//! The exit code of such a run is 3 (UNKNOWN to Nagios), or, with
//! `PINWATCH_EXIT_CODES=sysexits` (set by the shipped systemd units), the
//! error's own sysexits code, so a unit that counts every verdict (0 to 3)
//! as success still fails when the run could not check at all
//! ([`exit_code`]).

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::PathBuf;

use super::EXIT_ERROR;
use crate::cli::{CheckFormat, Command, Format, PinsCommand};
use crate::report::error::{self, ErrorCode};

/// The environment variable that chooses the exit codes of errors:
/// `nagios` (the default: 3 for every error) or `sysexits`.
pub const EXIT_CODES_ENV: &str = "PINWATCH_EXIT_CODES";

/// The exit code of a run that could not check because of `code`: 3, or
/// the error's sysexits code when [`EXIT_CODES_ENV`] is `sysexits`. An
/// unknown value keeps 3 and says so on stderr.
pub fn exit_code(code: ErrorCode, env: &dyn Fn(&str) -> Option<String>) -> i32 {
    match env(EXIT_CODES_ENV).as_deref() {
        Some("sysexits") => code.sysexit(),
        None | Some("" | "nagios") => EXIT_ERROR,
        Some(other) => {
            let _ = writeln!(
                io::stderr(),
                "pinwatch: {EXIT_CODES_ENV}: `{}` is neither nagios nor sysexits; exiting 3",
                crate::util::inert_capped(other, 40)
            );
            EXIT_ERROR
        }
    }
}

/// Where a run that could not check says so, besides stderr.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Channels {
    /// `--format json`: the error document with this schema.
    pub json_schema: Option<&'static str>,
    /// `--format nagios`: one UNKNOWN status line.
    pub nagios: bool,
    /// `--format prometheus`: the failure metrics on stdout.
    pub prometheus: bool,
    /// `--prometheus-file`: the failure metrics written there.
    pub prometheus_file: Option<PathBuf>,
}

impl Channels {
    /// The channels of a parsed command.
    pub fn of(command: &Command) -> Channels {
        match command {
            Command::Check(a) => Channels {
                json_schema: json_schema(command),
                nagios: a.format == CheckFormat::Nagios,
                prometheus: a.format == CheckFormat::Prometheus,
                prometheus_file: a.prometheus_file.clone(),
            },
            _ => Channels {
                json_schema: json_schema(command),
                ..Channels::default()
            },
        }
    }

    /// The channels read from raw arguments that did not parse: the
    /// format (`--format X` or `--format=X`) and `--prometheus-file`
    /// anywhere before `--`.
    pub fn from_args(args: &[OsString]) -> Channels {
        let words = words(args);
        let value = |flag: &str| {
            let eq = format!("{flag}=");
            words.iter().enumerate().find_map(|(i, a)| {
                a.strip_prefix(eq.as_str())
                    .or_else(|| (*a == flag).then(|| words.get(i + 1).copied()).flatten())
            })
        };
        let format = value("--format");
        Channels {
            json_schema: json_schema_from_args(args),
            nagios: format == Some("nagios"),
            prometheus: format == Some("prometheus"),
            prometheus_file: value("--prometheus-file").map(PathBuf::from),
        }
    }
}

/// Tells `message` (an error of kind `code`, exiting `exit_code`) on every
/// channel but stderr: stdout in the asked format, and the metrics file.
/// Nothing here can fail the run further; a metrics file that cannot be
/// written either is said on stderr.
pub fn tell(
    channels: &Channels,
    code: ErrorCode,
    message: &str,
    exit_code: i32,
    out: &mut dyn Write,
) {
    let now = crate::util::now();
    if let Some(schema) = channels.json_schema {
        let _ = error::render(schema, code, message, exit_code, out);
    }
    if channels.nagios {
        let _ = crate::report::nagios::render_error(message, out);
    }
    if channels.prometheus {
        let _ = crate::report::prometheus::render_failure(now, exit_code, code, message, out);
    }
    let _ = out.flush();
    if let Some(path) = &channels.prometheus_file {
        let written = super::outputs::write_atomically(path, |w| {
            crate::report::prometheus::render_failure(now, exit_code, code, message, w)
        });
        if let Err(e) = written {
            let _ = writeln!(
                io::stderr(),
                "pinwatch: writing {}: {e}",
                crate::util::inert(&path.display().to_string())
            );
        }
    }
}

/// The raw arguments after the program name, up to `--`, as text.
fn words(args: &[OsString]) -> Vec<&str> {
    args.iter()
        .skip(1)
        .map(|a| a.to_str().unwrap_or(""))
        .take_while(|a| *a != "--")
        .collect()
}

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
    let args = words(args);
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

    #[test]
    fn the_channels_are_read_from_raw_arguments() {
        let ch = Channels::from_args(&args(&[
            "check",
            "--servce",
            "wechat",
            "--format",
            "nagios",
            "--prometheus-file=/tmp/x.prom",
        ]));
        assert_eq!(
            ch,
            Channels {
                json_schema: None,
                nagios: true,
                prometheus: false,
                prometheus_file: Some(PathBuf::from("/tmp/x.prom")),
            }
        );
        let ch = Channels::from_args(&args(&[
            "check",
            "--format=prometheus",
            "--prometheus-file",
        ]));
        assert!(ch.prometheus && ch.prometheus_file.is_none(), "{ch:?}");
        let ch = Channels::from_args(&args(&["check", "--", "--format", "nagios"]));
        assert_eq!(ch, Channels::default());
    }

    #[test]
    fn error_exit_codes_are_3_or_sysexits() {
        let env = |v: Option<&'static str>| {
            move |k: &str| {
                (k == EXIT_CODES_ENV)
                    .then_some(v)
                    .flatten()
                    .map(str::to_string)
            }
        };
        assert_eq!(exit_code(ErrorCode::Config, &env(None)), 3);
        assert_eq!(exit_code(ErrorCode::Config, &env(Some("nagios"))), 3);
        assert_eq!(exit_code(ErrorCode::Config, &env(Some("sysexits"))), 78);
        assert_eq!(exit_code(ErrorCode::Usage, &env(Some("sysexits"))), 64);
        assert_eq!(exit_code(ErrorCode::Io, &env(Some("sysexits"))), 74);
        assert_eq!(exit_code(ErrorCode::Pins, &env(Some("sysexits"))), 65);
        assert_eq!(exit_code(ErrorCode::Store, &env(Some("sysexits"))), 66);
        assert_eq!(exit_code(ErrorCode::Usage, &env(Some("bogus"))), 3);
    }
}
