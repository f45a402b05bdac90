//! Reporters: render check results into a writer. Pure: tests render into
//! a `Vec<u8>`.

pub(crate) mod error;
pub(crate) mod evidence;
pub(crate) mod history;
pub mod html;
pub(crate) mod incident;
pub(crate) mod json;
pub(crate) mod jsonl;
pub(crate) mod kept;
pub(crate) mod nagios;
pub(crate) mod pins;
pub(crate) mod prometheus;
pub(crate) mod roots;
#[cfg(test)]
mod sample;
pub(crate) mod text;

use std::borrow::Borrow;

use unicode_width::UnicodeWidthStr;

pub use error::ErrorCode;

use crate::analysis::{Assessment, Verdict};
pub use kept::Results;

/// The colour a verdict is written in where colours are on (the one
/// mapping for every text reporter: check, status).
pub(crate) fn verdict_style(v: Verdict) -> crate::util::Style {
    use crate::util::Style;
    match v {
        Verdict::Ok => Style::Green,
        Verdict::Suspicious => Style::Yellow,
        Verdict::Intercepted => Style::BoldRed,
        Verdict::CaptivePortal => Style::Cyan,
        Verdict::Unreachable => Style::Dim,
    }
}

/// `s` padded with spaces to `width` terminal columns (CJK counts double).
pub(crate) fn pad(s: &str, width: usize) -> String {
    format!("{s}{}", " ".repeat(width.saturating_sub(s.width())))
}

/// Counts of each verdict.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub(crate) struct Summary {
    /// Genuine chains.
    pub ok: usize,
    /// Suspicious chains.
    pub suspicious: usize,
    /// Intercepted chains.
    pub intercepted: usize,
    /// Captive portals.
    pub captive_portal: usize,
    /// Nothing received.
    pub unreachable: usize,
    /// Intercepted by an interceptor the administrator sanctioned (also
    /// counted in `intercepted`).
    pub sanctioned: usize,
}

impl Summary {
    /// Counts the verdicts of `results`.
    pub fn of<A: Borrow<Assessment>>(results: impl IntoIterator<Item = A>) -> Self {
        let mut s = Summary::default();
        for a in results {
            let a: &Assessment = a.borrow();
            match a.verdict {
                Verdict::Ok => s.ok += 1,
                Verdict::Suspicious => s.suspicious += 1,
                Verdict::Intercepted => s.intercepted += 1,
                Verdict::CaptivePortal => s.captive_portal += 1,
                Verdict::Unreachable => s.unreachable += 1,
            }
            if a.sanctioned.is_some() && a.verdict == Verdict::Intercepted {
                s.sanctioned += 1;
            }
        }
        s
    }
}

/// A finished run, ready to render.
#[derive(Debug)]
pub struct Report<'a> {
    /// The results, in plan order.
    pub results: &'a [Assessment],
    /// Problems that did not stop the run (an unreadable system store...).
    pub warnings: &'a [String],
    /// When the check ran, seconds since the epoch.
    pub checked_at: i64,
    /// The exit code the run ends with.
    pub exit_code: i32,
}

/// A finished run as the grouped reports (text, JSON, Nagios, Prometheus)
/// read it: a [`Report`], or the results a check kept ([`kept`]).
#[derive(Clone, Copy, Debug)]
pub struct Grouped<'a> {
    /// The results, in plan order.
    pub results: Results<'a>,
    /// Problems that did not stop the run.
    pub warnings: &'a [String],
    /// When the check ran, seconds since the epoch.
    pub checked_at: i64,
    /// The exit code the run ends with.
    pub exit_code: i32,
}

impl<'a> From<&Report<'a>> for Grouped<'a> {
    fn from(report: &Report<'a>) -> Self {
        Grouped {
            results: report.results.into(),
            warnings: report.warnings,
            checked_at: report.checked_at,
            exit_code: report.exit_code,
        }
    }
}
