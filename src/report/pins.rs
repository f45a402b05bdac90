//! Rendering of `pinwatch pins` output: the service list, one service in
//! detail, lint findings, and captured pin entries ready to paste.

use std::io::{self, Write};

use unicode_width::UnicodeWidthStr;

use serde::Serialize;

use super::pad;
use crate::analysis::CertFacts;
use crate::knowledge::lint::{Finding, Severity};
use crate::knowledge::{HostRule, Knowledge, Pin, Service};
use crate::util::Screen;
use crate::util::inert::needs_escape;

#[derive(Serialize)]
struct ServiceJson<'a> {
    name: &'a str,
    display_name: &'a str,
    display_name_zh: &'a str,
    review_by: String,
    stale: bool,
    source: &'a str,
    exposes: &'a str,
    exposes_zh: &'a str,
    origin: &'a str,
    hosts: &'a [HostRule],
    pins: &'a [Pin],
}

fn service_json(s: &Service, today: time::Date) -> ServiceJson<'_> {
    ServiceJson {
        name: &s.name,
        display_name: &s.display_name,
        display_name_zh: &s.display_name_zh,
        review_by: s.review_by.to_string(),
        stale: s.is_stale(today),
        source: &s.source,
        exposes: &s.exposes,
        exposes_zh: &s.exposes_zh,
        origin: &s.origin,
        hosts: &s.hosts,
        pins: &s.pins,
    }
}

/// `pins list` as JSON: `{"services": [...]}`.
pub fn list_json(
    k: &Knowledge,
    today: time::Date,
    knowledge: Option<&crate::knowledge::active::About>,
    out: &mut dyn Write,
) -> io::Result<()> {
    #[derive(Serialize)]
    struct Doc<'a> {
        #[serde(skip_serializing_if = "Option::is_none")]
        knowledge: Option<&'a crate::knowledge::active::About>,
        services: Vec<ServiceJson<'a>>,
    }
    let doc = Doc {
        knowledge,
        services: k.services.iter().map(|s| service_json(s, today)).collect(),
    };
    crate::util::inert::json_pretty(&mut *out, &doc).map_err(io::Error::from)?;
    writeln!(out)
}

/// `pins list` as a table.
pub fn list_text(k: &Knowledge, today: time::Date, out: &mut dyn Write) -> io::Result<()> {
    let mut screen = Screen::new(out);
    let out = &mut screen;
    let rows: Vec<[String; 5]> = k
        .services
        .iter()
        .map(|s| {
            let backups = s.pins.iter().filter(|p| p.backup).count();
            let stale = if s.is_stale(today) { " (STALE)" } else { "" };
            [
                s.name.clone(),
                both_names(&s.display_name, &s.display_name_zh),
                s.hosts.len().to_string(),
                format!("{} ({backups} backup)", s.pins.len()),
                format!("{}{stale}", s.review_by),
            ]
        })
        .collect();
    let header = ["SERVICE", "NAME", "HOSTS", "PINS", "REVIEW BY"].map(String::from);
    let mut widths = [0usize; 5];
    for row in std::iter::once(&header).chain(&rows) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, w)| pad(cell, w))
            .collect();
        let line = line.join("  ");
        writeln!(out, "{}", line.trim_end())?;
    }
    out.flush()
}

/// `English / 中文`, or the name once when both are the same (or there is
/// no Chinese name).
fn both_names(en: &str, zh: &str) -> String {
    if zh.is_empty() || zh == en {
        en.to_string()
    } else {
        format!("{en} / {zh}")
    }
}

/// `pins show SERVICE` as JSON.
pub fn show_json(s: &Service, today: time::Date, out: &mut dyn Write) -> io::Result<()> {
    crate::util::inert::json_pretty(&mut *out, &service_json(s, today)).map_err(io::Error::from)?;
    writeln!(out)
}

/// `pins show SERVICE` as text.
pub fn show_text(s: &Service, today: time::Date, out: &mut dyn Write) -> io::Result<()> {
    let mut screen = Screen::new(out);
    let out = &mut screen;
    writeln!(
        out,
        "{} ({})",
        s.name,
        both_names(&s.display_name, &s.display_name_zh)
    )?;
    let stale = if s.is_stale(today) {
        "  STALE: a mismatch only warns until the pinset is refreshed"
    } else {
        ""
    };
    writeln!(out, "review by: {}{stale}", s.review_by)?;
    writeln!(out, "defined in: {}", s.origin)?;
    writeln!(out, "exposes: {}", s.exposes)?;
    writeln!(out, "        {}", s.exposes_zh)?;
    writeln!(out, "hosts:")?;
    for h in &s.hosts {
        let sub = if h.include_subdomains {
            " (and subdomains)"
        } else {
            ""
        };
        writeln!(out, "  {}{sub}", h.name)?;
    }
    writeln!(out, "pins:")?;
    for p in &s.pins {
        let role = if p.backup { "backup " } else { "primary" };
        let from = p
            .authority
            .as_deref()
            .map(|a| format!(" [{a}]"))
            .unwrap_or_default();
        writeln!(out, "  {role}  {}  {}{from}", p.spki_sha256, p.label)?;
    }
    writeln!(out, "source:")?;
    for line in s.source.lines() {
        writeln!(out, "  {}", line.trim_end())?;
    }
    out.flush()
}

/// Lint findings, one per line, then a count.
pub fn findings(findings: &[Finding], out: &mut dyn Write) -> io::Result<()> {
    let mut screen = Screen::new(out);
    let out = &mut screen;
    for f in findings {
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(out, "{}: {level}: {}", f.path, f.message)?;
    }
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    writeln!(
        out,
        "{errors} error(s), {} warning(s)",
        findings.len() - errors
    )?;
    out.flush()
}

/// A captured chain as TOML `[[pin]]` entries, each key labeled with its subject.
pub fn captured(
    target: &str,
    peer: Option<&str>,
    chain: &[CertFacts],
    publicly_trusted: bool,
    today: time::Date,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut screen = Screen::new(out);
    let out = &mut screen;
    writeln!(
        out,
        "# {target}: captured {today}{}",
        peer.map(|p| format!(" from {p}")).unwrap_or_default()
    )?;
    if !publicly_trusted {
        writeln!(
            out,
            "# WARNING: this chain is NOT publicly trusted; it may be an interceptor's. Do not use these pins."
        )?;
    }
    for (i, cert) in chain.iter().enumerate() {
        if cert.parse_error.is_some() {
            writeln!(out, "# certificate #{} could not be parsed; skipped", i + 1)?;
            continue;
        }
        let role = match i {
            0 => "leaf (changes at every renewal: prefer a CA key)",
            _ if cert.subject == cert.issuer => "root",
            _ => "intermediate",
        };
        writeln!(out, "\n# {role}, valid until {}", cert.not_after)?;
        writeln!(out, "[[pin]]")?;
        writeln!(out, "spki_sha256 = \"{}\"", cert.spki_sha256)?;
        writeln!(out, "label = {}", toml_string(&cert.subject))?;
    }
    out.flush()
}

fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            // Controls, bidirectional and invisible characters as TOML
            // escapes: the exact value, inert on the screen.
            c if needs_escape(c) && u32::from(c) <= 0xFFFF => {
                out.push_str(&format!("\\u{:04X}", u32::from(c)));
            }
            c if needs_escape(c) => out.push_str(&format!("\\U{:08X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_valid_toml_strings() {
        let label = "CN=\"evil\"\\\n\x1b[2J\u{202e}x\u{e0041}, O=x";
        let s = toml_string(label);
        assert!(!s.chars().any(needs_escape), "{s}");
        let parsed: toml::Value = toml::from_str(&format!("label = {s}")).unwrap();
        assert_eq!(parsed["label"].as_str(), Some(label));
    }
}
