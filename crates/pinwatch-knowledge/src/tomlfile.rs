//! TOML files written by people (pins, the agent's config): parsing with
//! errors that name the file, line and column, and the field.

use std::ops::Range;

use serde::Deserialize;
use thiserror::Error;

/// A problem at a place in a TOML file.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("{path}:{line}:{column}: {message}")]
pub struct TomlError {
    /// File.
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong, starting with the field when there is one.
    pub message: String,
}

/// A TOML file's name and text.
#[derive(Clone, Copy, Debug)]
pub struct TomlSource<'a> {
    /// File name, as shown in errors.
    pub path: &'a str,
    /// Contents.
    pub text: &'a str,
}

impl TomlSource<'_> {
    /// An error at byte range `span` (or the start of the file).
    pub fn error(&self, span: Option<Range<usize>>, message: impl Into<String>) -> TomlError {
        let mut offset = span.map_or(0, |s| s.start).min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        TomlError {
            path: self.path.to_string(),
            line,
            column,
            message: message.into(),
        }
    }

    /// Deserializes the file; syntax and schema errors carry their place.
    /// Deserializes the file; syntax and schema errors carry their place
    /// and, for a bad value, the key (`tray: invalid type: ...`).
    pub fn parse<T: for<'de> Deserialize<'de>>(&self) -> Result<T, TomlError> {
        let de = toml::Deserializer::parse(self.text)
            .map_err(|e| self.error(e.span(), e.message().trim()))?;
        serde_path_to_error::deserialize(de).map_err(|e| {
            let key = e.path().to_string();
            let inner = e.into_inner();
            let message = friendly(inner.message().trim());
            let message = if key.is_empty() || key == "." || message.starts_with("unknown field") {
                message
            } else {
                format!("{key}: {message}")
            };
            self.error(inner.span(), message)
        })
    }
}

/// Serde's Rust type names, in words a user knows.
fn friendly(message: &str) -> String {
    [
        ("f64", "a number"),
        ("f32", "a number"),
        ("i64", "an integer"),
        ("u64", "an integer"),
        ("u16", "an integer"),
    ]
    .iter()
    .fold(message.to_string(), |m, (ty, words)| {
        m.replace(&format!("expected {ty}"), &format!("expected {words}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_errors_by_line_and_column() {
        let src = TomlSource {
            path: "f.toml",
            text: "a = 1\nb = \"x\"\nc = \n",
        };
        let err = src.parse::<toml::Table>().unwrap_err();
        assert_eq!((err.line, err.column), (3, 5), "{err}");
        assert_eq!(
            src.error(Some(6..7), "b: bad").to_string(),
            "f.toml:2:1: b: bad"
        );
        assert_eq!(src.error(None, "x").line, 1);
    }

    #[test]
    fn a_wrong_type_names_the_key() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct C {
            tray: Option<bool>,
            timeout_seconds: Option<f64>,
            host: Option<Vec<H>>,
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct H {
            name: String,
        }
        let parse = |text| {
            TomlSource {
                path: "c.toml",
                text,
            }
            .parse::<C>()
            .unwrap_err()
            .to_string()
        };
        assert_eq!(
            parse("tray = \"yes\"\n"),
            "c.toml:1:8: tray: invalid type: string \"yes\", expected a boolean"
        );
        assert!(parse("\ntimeout_seconds = \"3\"\n").starts_with(
            "c.toml:2:19: timeout_seconds: invalid type: string \"3\", expected a number"
        ));
        assert!(
            parse("[[host]]\nname = 1\n")
                .starts_with("c.toml:2:8: host[0].name: invalid type: integer"),
            "{}",
            parse("[[host]]\nname = 1\n")
        );
    }
}
