//! Rendering of `pinwatch pins` output: the service list, one service in
//! detail, lint findings, and captured pin entries ready to paste.

use std::io::{self, Write};

use unicode_width::UnicodeWidthStr;

use serde::Serialize;

use super::pad;
use crate::analysis::CertFacts;
use crate::i18n::Lang;
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

/// `pins list` as a table, in `lang`.
pub fn list_text(
    k: &Knowledge,
    today: time::Date,
    lang: Lang,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut screen = Screen::new(out);
    let out = &mut screen;
    let rows: Vec<[String; 5]> = k
        .services
        .iter()
        .map(|s| {
            let backups = s.pins.iter().filter(|p| p.backup).count();
            let stale = if s.is_stale(today) {
                lang.tr("pins-stale-mark")
            } else {
                String::new()
            };
            [
                s.name.clone(),
                both_names(&s.display_name, &s.display_name_zh),
                s.hosts.len().to_string(),
                lang.tr_args(
                    "pins-count",
                    &[
                        ("pins", s.pins.len().to_string()),
                        ("backups", backups.to_string()),
                    ],
                ),
                format!("{}{stale}", s.review_by),
            ]
        })
        .collect();
    let header = [
        "pins-col-service",
        "pins-col-name",
        "pins-col-hosts",
        "pins-col-pins",
        "pins-col-review",
    ]
    .map(|key| lang.tr(key));
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

/// `pins show SERVICE` as text, in `lang` (the service's texts in both
/// languages, the reader's first).
pub fn show_text(
    s: &Service,
    today: time::Date,
    lang: Lang,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut screen = Screen::new(out);
    let out = &mut screen;
    writeln!(
        out,
        "{} ({})",
        s.name,
        both_names(&s.display_name, &s.display_name_zh)
    )?;
    let stale = if s.is_stale(today) {
        format!("  {}", lang.tr("pins-show-stale"))
    } else {
        String::new()
    };
    let field = |key: &str, value: String| lang.tr_args(key, &[("value", value)]);
    writeln!(
        out,
        "{}{stale}",
        field("pins-show-review", s.review_by.to_string())
    )?;
    writeln!(out, "{}", field("pins-show-origin", s.origin.to_string()))?;
    let (first, second) = match lang {
        Lang::Zh => (&s.exposes_zh, &s.exposes),
        Lang::En => (&s.exposes, &s.exposes_zh),
    };
    let exposes = field("pins-show-exposes", first.to_string());
    writeln!(out, "{exposes}")?;
    if !second.is_empty() && second != first {
        let indent = exposes.width().saturating_sub(first.width());
        writeln!(out, "{}{second}", " ".repeat(indent))?;
    }
    writeln!(out, "{}", lang.tr("pins-show-hosts"))?;
    for h in &s.hosts {
        let sub = if h.include_subdomains {
            lang.tr("pins-show-subdomains")
        } else {
            String::new()
        };
        writeln!(out, "  {}{sub}", h.name)?;
    }
    writeln!(out, "{}", lang.tr("pins-show-pins"))?;
    let roles = [lang.tr("pins-role-primary"), lang.tr("pins-role-backup")];
    let role_width = roles.iter().map(|r| r.width()).max().unwrap_or(0);
    for p in &s.pins {
        let role = &roles[usize::from(p.backup)];
        let from = p
            .authority
            .as_deref()
            .map(|a| format!(" [{a}]"))
            .unwrap_or_default();
        writeln!(
            out,
            "  {}  {}  {}{from}",
            pad(role, role_width),
            p.spki_sha256,
            p.label
        )?;
    }
    writeln!(out, "{}", lang.tr("pins-show-source"))?;
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

    fn text(f: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> String {
        let mut out = Vec::new();
        f(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_service_list_and_a_service_are_told_in_the_readers_language() {
        let k = crate::knowledge::load_embedded().unwrap();
        let today = time::Date::from_calendar_date(2026, time::Month::December, 7).unwrap();
        let zh = text(|o| list_text(&k, today, Lang::Zh, o));
        let first = zh.lines().next().unwrap();
        assert_eq!(
            first.split_whitespace().collect::<Vec<_>>(),
            ["服务", "名称", "主机", "固定密钥", "复核期限"],
            "{zh}"
        );
        assert!(zh.contains("个备用）"), "{zh}");
        assert!(!zh.contains("backup"), "{zh}");
        let en = text(|o| list_text(&k, today, Lang::En, o));
        assert!(en.starts_with("SERVICE "), "{en}");

        let wechat = k.services.iter().find(|s| s.name == "wechat").unwrap();
        let zh = text(|o| show_text(wechat, today, Lang::Zh, o));
        let lines: Vec<&str> = zh.lines().collect();
        assert!(lines[1].starts_with("复核期限："), "{zh}");
        // The reader's language first, the other under it, aligned.
        assert!(lines[3].starts_with("暴露内容：微信"), "{zh}");
        assert!(lines[4].trim_start().starts_with("WeChat"), "{zh}");
        assert!(
            zh.contains("\n  主用  ") && zh.contains("\n  备用  "),
            "{zh}"
        );
        let en = text(|o| show_text(wechat, today, Lang::En, o));
        assert!(en.contains("\n  primary  "), "{en}");
        assert!(en.contains("\n  backup   "), "{en}");
    }
}
