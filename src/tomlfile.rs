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
    pub fn parse<T: for<'de> Deserialize<'de>>(&self) -> Result<T, TomlError> {
        toml::from_str(self.text).map_err(|e| {
            let message = e.message().trim().to_string();
            self.error(e.span(), message)
        })
    }
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
}
