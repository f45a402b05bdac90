//! The JSON document for a run that could not check anything at all (a
//! usage, config, pins, store or I/O error), so a script reading
//! `--format json` always gets a document on stdout:
//! `{"schema", "version", "error": {"code", "message"}, "exit_code": 3}`.
//! The `schema` is the one the command's output would have had.

use std::io::{self, Write};

use serde::Serialize;

/// Stable codes for why a command could not run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Bad arguments.
    Usage,
    /// A bad config file.
    Config,
    /// Bad pins.
    Pins,
    /// A trust store that cannot be used.
    Store,
    /// A file or device that cannot be read or written.
    Io,
}

impl ErrorCode {
    /// The stable string (`usage`, `config`, `pins`, `store`, `io`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Usage => "usage",
            ErrorCode::Config => "config",
            ErrorCode::Pins => "pins",
            ErrorCode::Store => "store",
            ErrorCode::Io => "io",
        }
    }

    /// The exit code of this error under `PINWATCH_EXIT_CODES=sysexits`
    /// (BSD's sysexits.h, which systemd names in `systemctl status`):
    /// 64 USAGE, 78 CONFIG, 65 DATAERR (pins), 66 NOINPUT (a trust store
    /// or CT log list), 74 IOERR.
    pub fn sysexit(self) -> i32 {
        match self {
            ErrorCode::Usage => 64,
            ErrorCode::Config => 78,
            ErrorCode::Pins => 65,
            ErrorCode::Store => 66,
            ErrorCode::Io => 74,
        }
    }
}

#[derive(Serialize)]
struct Document<'a> {
    schema: &'a str,
    version: &'static str,
    error: Body<'a>,
    exit_code: i32,
}

#[derive(Serialize)]
struct Body<'a> {
    code: ErrorCode,
    message: &'a str,
}

/// Writes the error document, pretty-printed, followed by a newline.
pub fn render(
    schema: &str,
    code: ErrorCode,
    message: &str,
    exit_code: i32,
    out: &mut dyn Write,
) -> io::Result<()> {
    let doc = Document {
        schema,
        version: env!("CARGO_PKG_VERSION"),
        error: Body { code, message },
        exit_code,
    };
    crate::util::inert::json_pretty(&mut *out, &doc).map_err(io::Error::from)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_error_shape() {
        let mut out = Vec::new();
        render(
            "pinwatch.check/9",
            ErrorCode::Config,
            "f:1:2: proxy: bad",
            3,
            &mut out,
        )
        .unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            doc,
            serde_json::json!({
                "schema": "pinwatch.check/9",
                "version": env!("CARGO_PKG_VERSION"),
                "error": {"code": "config", "message": "f:1:2: proxy: bad"},
                "exit_code": 3
            })
        );
    }
}
