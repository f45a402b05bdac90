//! Rendering `pinwatch roots`: the extra roots with where they were found
//! and who they belong to, then what could not be read.

use std::io::{self, Write};

use serde::Serialize;

use crate::i18n::Lang;
use crate::roots::classify::{Class, RootEntry};
use crate::util::{Screen, Style, inert_capped};

/// A finished roots audit.
#[derive(Debug)]
pub struct RootsReport<'a> {
    /// Classified roots.
    pub entries: &'a [RootEntry],
    /// Stores read.
    pub sources: &'a [String],
    /// Stores or files that could not be read.
    pub problems: &'a [String],
    /// List public roots too.
    pub all: bool,
    /// The exit code.
    pub exit_code: i32,
}

#[derive(Serialize)]
struct Doc<'a> {
    schema: &'static str,
    exit_code: i32,
    summary: Counts,
    sources: &'a [String],
    problems: &'a [String],
    roots: Vec<&'a RootEntry>,
}

#[derive(Serialize)]
struct Counts {
    public: usize,
    platform_program: usize,
    not_a_ca: usize,
    version_skew: usize,
    extra: usize,
    known_interceptor: usize,
}

fn counts(entries: &[RootEntry]) -> Counts {
    let n = |c: Class| entries.iter().filter(|e| e.class == c).count();
    Counts {
        public: n(Class::Public),
        platform_program: n(Class::PlatformProgram),
        not_a_ca: n(Class::NotCa),
        version_skew: n(Class::VersionSkew),
        extra: n(Class::Extra),
        known_interceptor: entries.iter().filter(|e| alarming(e)).count(),
    }
}

/// Schema of `pinwatch roots --format json`.
pub const SCHEMA: &str = "pinwatch.roots/1";

/// JSON, schema `pinwatch.roots/1`: extra and version-skew roots (all with `all`).
pub fn json(r: &RootsReport<'_>, out: &mut dyn Write) -> io::Result<()> {
    let doc = Doc {
        schema: SCHEMA,
        exit_code: r.exit_code,
        summary: counts(r.entries),
        sources: r.sources,
        problems: r.problems,
        roots: r
            .entries
            .iter()
            .filter(|e| r.all || e.class != Class::Public)
            .collect(),
    };
    crate::util::inert::json_pretty(&mut *out, &doc).map_err(io::Error::from)?;
    writeln!(out)
}

/// The most characters of a root's subject on its line.
const SUBJECT_MAX: usize = 300;

/// Text in `lang`, through a [`Screen`]: a root's names, notes and
/// locations come from the store and cannot act on the terminal. With
/// `color` (`ColorChoice::enabled`), what alarms is bold red (a known
/// interceptor's or a look-alike's root, exit 2), an extra root yellow,
/// a machine with none green, and the roots that do not count dim.
pub fn text(r: &RootsReport<'_>, lang: Lang, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let mut screen = Screen::new(out).colors(color);
    text_on(r, lang, &mut screen)?;
    screen.flush()
}

/// Whether an extra root alarms (`roots` exits 2 for it).
fn alarming(e: &RootEntry) -> bool {
    e.class == Class::Extra && (e.interceptor.is_some() || e.impersonates.is_some())
}

fn text_on(r: &RootsReport<'_>, lang: Lang, out: &mut Screen<'_>) -> io::Result<()> {
    let c = counts(r.entries);
    if c.extra == 0 {
        let skew = if c.version_skew > 0 {
            lang.tr("roots-skew-suffix")
        } else {
            String::new()
        };
        out.paint(
            Style::Green,
            &lang.tr_args("roots-none-extra", &[("skew", skew)]),
        )?;
    } else {
        let tone = if c.known_interceptor > 0 {
            Style::BoldRed
        } else {
            Style::Yellow
        };
        out.paint(
            tone,
            &lang.tr_args("roots-extra", &[("n", c.extra.to_string())]),
        )?;
    }
    writeln!(out)?;
    if c.not_a_ca > 0 {
        writeln!(
            out,
            "{}",
            lang.tr_args("roots-not-ca-listed", &[("n", c.not_a_ca.to_string())])
        )?;
    }
    for e in r
        .entries
        .iter()
        .filter(|e| matches!(e.class, Class::Extra | Class::NotCa) || r.all)
    {
        entry(e, lang, out)?;
    }
    if c.extra > 0 {
        writeln!(out, "\n{}", lang.tr("roots-advice-extra"))?;
    }
    if c.version_skew > 0 && !r.all {
        writeln!(
            out,
            "\n{}",
            lang.tr_args("roots-skew-count", &[("n", c.version_skew.to_string())])
        )?;
    }
    writeln!(
        out,
        "\n{}",
        lang.tr_args("roots-sources", &[("list", r.sources.join(", "))])
    )?;
    if !r.problems.is_empty() {
        writeln!(out, "{}", lang.tr("roots-problems"))?;
        for p in r.problems {
            writeln!(out, "  - {p}")?;
        }
    }
    Ok(())
}

fn entry(e: &RootEntry, lang: Lang, out: &mut Screen<'_>) -> io::Result<()> {
    let class = lang.tr(match e.class {
        Class::Extra => "roots-class-extra",
        Class::VersionSkew => "roots-class-skew",
        Class::NotCa => "roots-class-not-ca",
        Class::PlatformProgram => "roots-class-platform",
        Class::Public => "roots-class-public",
    });
    let subject = if e.facts.subject.is_empty() {
        e.facts.parse_error.clone().unwrap_or_default()
    } else {
        e.facts.subject.clone()
    };
    let tone = match e.class {
        Class::Extra if alarming(e) => Style::BoldRed,
        Class::Extra => Style::Yellow,
        _ => Style::Dim,
    };
    writeln!(out)?;
    out.paint(tone, &format!("[{class}]"))?;
    writeln!(out, " {}", inert_capped(&subject, SUBJECT_MAX))?;
    let expired = if e.expired {
        format!("  ({})", lang.tr("roots-expired"))
    } else {
        String::new()
    };
    writeln!(
        out,
        "  spki sha256/{}  {} .. {}{expired}",
        e.facts.spki_sha256, e.facts.not_before, e.facts.not_after
    )?;
    if let Some(i) = &e.interceptor {
        let category = lang.tr(&format!("cat-{}", i.category.as_str()));
        write!(out, "  ")?;
        out.paint(
            Style::BoldRed,
            &lang.tr_args(
                "roots-known",
                &[("name", i.name.clone()), ("category", category)],
            ),
        )?;
        writeln!(out)?;
        writeln!(out, "  {}", lang.pick(&i.advice, &i.advice_zh))?;
    }
    let look_alikes = [
        ("roots-impersonates", &e.impersonates, Style::BoldRed),
        (
            "roots-borrows-organization",
            &e.borrows_organization,
            Style::Yellow,
        ),
    ];
    for (key, name, tone) in look_alikes {
        if let Some(name) = name {
            write!(out, "  ")?;
            out.paint(tone, &lang.tr_args(key, &[("name", name.clone())]))?;
            writeln!(out)?;
        }
    }
    if let Some(note) = &e.note {
        writeln!(out, "  {note}")?;
    }
    for l in &e.locations {
        writeln!(
            out,
            "  {}",
            lang.tr_args("roots-found-in", &[("where", l.clone())])
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::CertFacts;

    fn entry(class: Class, subject: &str) -> RootEntry {
        RootEntry {
            class,
            facts: CertFacts {
                subject: subject.into(),
                issuer: subject.into(),
                issuer_cn: None,
                issuer_o: None,
                sans: vec![],
                not_before_unix: 0,
                not_after_unix: 0,
                not_before: "2026-01-01".into(),
                not_after: "2036-01-01".into(),
                spki_sha256: "ab".into(),
                cert_sha256: "cd".into(),
                is_ca: class != Class::NotCa,
                parse_error: None,
            },
            expired: false,
            locations: vec!["/etc/ssl/certs/x.pem".into()],
            interceptor: None,
            note: None,
            impersonates: None,
            borrows_organization: None,
        }
    }

    #[test]
    fn says_what_a_listed_block_that_is_not_counted_is() {
        let entries = [
            entry(Class::Extra, "CN=Corp Root"),
            entry(Class::NotCa, "CN=printer.local"),
        ];
        let sources = ["/etc/ssl/certs".to_string()];
        let report = RootsReport {
            entries: &entries,
            sources: &sources,
            problems: &[],
            all: false,
            exit_code: 1,
        };
        let mut out = Vec::new();
        text(&report, Lang::En, false, &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        let head: Vec<&str> = out.lines().take(2).collect();
        assert_eq!(
            head,
            [
                "1 extra root(s) trusted by this machine, not in Mozilla's public store:",
                "Also listed: 1 trusted certificate(s) that are not a CA (trusted only for their own names, they cannot impersonate other websites)."
            ]
        );
        assert_eq!(out.matches("\n[").count(), 2, "{out}");
        let mut zh = Vec::new();
        text(&report, Lang::Zh, false, &mut zh).unwrap();
        let zh = String::from_utf8(zh).unwrap();
        assert_eq!(
            zh.lines().nth(1),
            Some("另外列出1个不是CA的受信任证书（只对它们自己的名称有效，不能冒充其他网站）。")
        );
    }
}
