//! The text reporter: a table with one line per target, then a short
//! explanation for every result that is not ok: what happened, what it
//! exposes, what to do, and the evidence.

use std::io::{self, Write};

use unicode_width::UnicodeWidthStr;

use super::{Report, Summary, pad};
use crate::analysis::{Anchor, Assessment, Verdict};

/// Rendering options.
#[derive(Clone, Copy, Debug, Default)]
pub struct Style {
    /// Use ANSI colors.
    pub color: bool,
}

/// Writes `report` as a table plus explanations.
pub fn render(report: &Report<'_>, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let rows: Vec<[String; 4]> = report
        .results
        .iter()
        .map(|a| {
            [
                verdict_label(a.verdict).to_string(),
                a.target.to_string(),
                a.service
                    .as_ref()
                    .map_or_else(|| "-".to_string(), |s| s.display_name.clone()),
                detail(a),
            ]
        })
        .collect();
    let header = ["VERDICT", "TARGET", "SERVICE", "DETAIL"].map(String::from);
    let mut widths = [0usize; 3];
    for row in std::iter::once(&header).chain(&rows) {
        for (w, cell) in widths.iter_mut().zip(row.iter()) {
            *w = (*w).max(cell.width());
        }
    }
    let line = |row: &[String; 4], paint: Option<Verdict>| {
        let verdict = pad(&row[0], widths[0]);
        let verdict = match paint {
            Some(v) if style.color => colored(v, &verdict),
            _ => verdict,
        };
        format!(
            "{verdict}  {}  {}  {}",
            pad(&row[1], widths[1]),
            pad(&row[2], widths[2]),
            row[3]
        )
    };
    writeln!(out, "{}", line(&header, None).trim_end())?;
    for (row, a) in rows.iter().zip(report.results) {
        writeln!(out, "{}", line(row, Some(a.verdict)).trim_end())?;
    }
    for a in report.results.iter().filter(|a| a.verdict != Verdict::Ok) {
        writeln!(out)?;
        explain(a, style, out)?;
    }
    for w in report.warnings {
        writeln!(out, "\nwarning: {w}")?;
    }
    writeln!(
        out,
        "\n{}",
        summary_line(&Summary::of(report.results), report.results.len())
    )
}

fn verdict_label(v: Verdict) -> &'static str {
    match v {
        Verdict::Ok => "ok",
        Verdict::Suspicious => "SUSPICIOUS",
        Verdict::Intercepted => "INTERCEPTED",
        Verdict::CaptivePortal => "captive-portal",
        Verdict::Unreachable => "unreachable",
    }
}

fn colored(v: Verdict, text: &str) -> String {
    let code = match v {
        Verdict::Ok => "32",
        Verdict::Suspicious => "33",
        Verdict::Intercepted => "1;31",
        Verdict::CaptivePortal => "36",
        Verdict::Unreachable => "2",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// The one-line detail of the table.
fn detail(a: &Assessment) -> String {
    match a.verdict {
        Verdict::Unreachable => a
            .error
            .as_ref()
            .map_or_else(|| "no certificate".into(), ToString::to_string),
        Verdict::Intercepted => match &a.interceptor {
            Some(i) => format!("by {} ({})", i.name, i.category.replace('_', " ")),
            None => format!(
                "issuer {}",
                a.chain.first().map_or("?", |c| c.short_issuer())
            ),
        },
        _ => a
            .chain
            .first()
            .map_or_else(String::new, |c| format!("issuer {}", c.short_issuer())),
    }
}

fn explain(a: &Assessment, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let head = format!("{}: {}", a.target, headline(a));
    writeln!(
        out,
        "{}",
        if style.color {
            colored(a.verdict, &head)
        } else {
            head
        }
    )?;
    if let Some(what) = what_to_do(a) {
        writeln!(out, "  What to do: {what}")?;
    }
    if let (Verdict::Intercepted | Verdict::Suspicious, Some(s)) = (a.verdict, &a.service) {
        writeln!(out, "  What it exposes: {}", s.exposes)?;
    }
    for e in &a.evidence {
        writeln!(out, "  - {e}")?;
    }
    Ok(())
}

fn headline(a: &Assessment) -> String {
    match a.verdict {
        Verdict::Ok => "the genuine certificate".into(),
        Verdict::Intercepted => {
            let who = a.interceptor.as_ref().map_or_else(
                || format!("whoever controls \"{}\"", a.chain.first().map_or("?", |c| c.short_issuer())),
                |i| i.name.clone(),
            );
            let local = if a.anchor == Anchor::System { ", and this machine trusts it" } else { "" };
            format!("INTERCEPTED by {who}{local}. The connection can be read and changed.")
        }
        Verdict::Suspicious => "suspicious: the certificate is not quite what was expected; this is not proof of interception.".into(),
        Verdict::CaptivePortal => "the network wants you to log in first (captive portal).".into(),
        Verdict::Unreachable => "could not be reached; this is blocking or an outage, not interception.".into(),
    }
}

fn what_to_do(a: &Assessment) -> Option<String> {
    match a.verdict {
        Verdict::Intercepted => Some(match &a.interceptor {
            Some(i) => i.advice.clone(),
            None => "Do not log in or chat on this machine or network. Use a device and network you trust (for example your phone on mobile data).".into(),
        }),
        Verdict::CaptivePortal => Some("Open a web page, log in to the network, then check again.".into()),
        Verdict::Suspicious => Some("Avoid entering passwords until a check on another network agrees; the evidence below says what differs.".into()),
        Verdict::Ok | Verdict::Unreachable => None,
    }
}

fn summary_line(s: &Summary, total: usize) -> String {
    let mut parts = Vec::new();
    for (n, label) in [
        (s.intercepted, "intercepted"),
        (s.suspicious, "suspicious"),
        (s.captive_portal, "captive portal"),
        (s.ok, "ok"),
        (s.unreachable, "unreachable"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {label}"));
        }
    }
    format!("{total} checked: {}", parts.join(", "))
}
