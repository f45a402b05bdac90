//! The text reporter: a table with one line per target, then one paragraph
//! per incident (an interceptor, however many hosts it touches: who, where,
//! what each service exposes, what to do), a paragraph for each other
//! result that is not ok, one line for everything unreachable, and the
//! summary. A machine that is offline gets one line instead of a table.
//! Per-host evidence of incidents with `--verbose`. In English or Chinese.

use std::io::{self, Write};

use unicode_width::UnicodeWidthStr;

use super::incident;
use super::{Report, Summary, pad};
use crate::analysis::incident::{Incident, incidents};
use crate::analysis::{Assessment, Verdict};
use crate::i18n::Lang;
use crate::observation::Stage;

/// Rendering options.
#[derive(Clone, Copy, Debug, Default)]
pub struct Style {
    /// Use ANSI colors.
    pub color: bool,
    /// Language of the text.
    pub lang: Lang,
    /// Per-host lines and evidence for every result.
    pub verbose: bool,
}

/// Writes `report` as a table plus explanations.
pub fn render(report: &Report<'_>, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let lang = style.lang;
    if let Some(why) = offline(report.results) {
        writeln!(out, "{}", lang.tr_args("offline", &[("why", lang.tr(why))]))?;
        for w in report.warnings {
            writeln!(out, "{} {w}", lang.tr("warning"))?;
        }
        return writeln!(
            out,
            "{}",
            summary_line(lang, &Summary::of(report.results), report.results.len())
        );
    }
    let rows: Vec<[String; 4]> = report
        .results
        .iter()
        .map(|a| {
            [
                verdict_label(lang, a.verdict),
                a.target.to_string(),
                a.service.as_ref().map_or_else(
                    || "-".to_string(),
                    |s| lang.pick(&s.display_name, &s.display_name_zh).to_string(),
                ),
                detail(lang, a),
            ]
        })
        .collect();
    let header = ["col-verdict", "col-target", "col-service", "col-detail"].map(|k| lang.tr(k));
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
    for found in incidents(report.results) {
        writeln!(out)?;
        explain_incident(&found, report.results, style, out)?;
    }
    for a in report
        .results
        .iter()
        .filter(|a| matches!(a.verdict, Verdict::Suspicious | Verdict::CaptivePortal))
    {
        writeln!(out)?;
        explain(a, style, out)?;
    }
    unreachable_paragraph(report.results, style, out)?;
    for w in report.warnings {
        writeln!(out, "\n{} {w}", lang.tr("warning"))?;
    }
    writeln!(
        out,
        "\n{}",
        summary_line(lang, &Summary::of(report.results), report.results.len())
    )
}

/// The short label of a verdict.
pub fn verdict_label(lang: Lang, v: Verdict) -> String {
    lang.tr(match v {
        Verdict::Ok => "verdict-ok",
        Verdict::Suspicious => "verdict-suspicious",
        Verdict::Intercepted => "verdict-intercepted",
        Verdict::CaptivePortal => "verdict-captive-portal",
        Verdict::Unreachable => "verdict-unreachable",
    })
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

/// The leaf issuer's short name, or `?`.
pub fn short_issuer(a: &Assessment) -> String {
    a.chain
        .first()
        .map_or("?", |c| c.short_issuer())
        .to_string()
}

/// The one-line detail of the table.
fn detail(lang: Lang, a: &Assessment) -> String {
    let issuer = || lang.tr_args("detail-issuer", &[("issuer", short_issuer(a))]);
    match a.verdict {
        Verdict::Unreachable => a
            .error
            .as_ref()
            .map_or_else(|| lang.tr("detail-no-certificate"), ToString::to_string),
        Verdict::Intercepted => match &a.interceptor {
            Some(i) => lang.tr_args(
                "detail-by",
                &[
                    ("product", i.name.clone()),
                    ("category", lang.tr(&format!("cat-{}", i.category))),
                ],
            ),
            None => issuer(),
        },
        _ if a.chain.is_empty() => String::new(),
        _ => issuer(),
    }
}

/// Why the machine seems offline: every target failed before any
/// connection was made (no name resolved, or no route anywhere).
pub(crate) fn offline(results: &[Assessment]) -> Option<&'static str> {
    let stage = |a: &Assessment| a.error.as_ref().map(|e| e.stage);
    let nothing_connected = results
        .iter()
        .all(|a| a.verdict == Verdict::Unreachable && a.peer.is_none() && a.chain.is_empty());
    if results.is_empty() || !nothing_connected {
        return None;
    }
    if results.iter().all(|a| stage(a) == Some(Stage::Dns)) {
        Some("offline-no-dns")
    } else if results
        .iter()
        .all(|a| matches!(stage(a), Some(Stage::Dns | Stage::Tcp | Stage::Timeout)))
    {
        Some("offline-no-route")
    } else {
        None
    }
}

fn explain_incident(
    found: &Incident,
    results: &[Assessment],
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    let lang = style.lang;
    let head = format!(
        "{}{}{}",
        verdict_label(lang, Verdict::Intercepted),
        incident::colon(lang),
        incident::headline(lang, found)
    );
    let head = if style.color {
        colored(Verdict::Intercepted, &head)
    } else {
        head
    };
    writeln!(out, "{head}")?;
    writeln!(out, "  {}", incident::trust(lang, found))?;
    let exposures = incident::exposures(lang, found);
    if !exposures.is_empty() {
        writeln!(out, "  {}", lang.tr("label-exposes-each"))?;
        for line in exposures {
            writeln!(out, "    - {line}")?;
        }
    }
    writeln!(
        out,
        "  {}{}",
        labelled(lang, "label-what-to-do"),
        incident::advice(lang, found)
    )?;
    let members = incident::members(found, results);
    if style.verbose {
        writeln!(out, "  {}", lang.tr("label-per-host"))?;
        for a in members {
            writeln!(out, "    {}:", a.target)?;
            for e in &a.evidence {
                writeln!(out, "      - {}", e.render(lang))?;
            }
        }
    } else if let Some(first) = members.first() {
        for e in &first.evidence {
            writeln!(out, "  - {}", e.render(lang))?;
        }
    }
    Ok(())
}

/// A label (`What to do:`) followed by its text: a space after an ASCII
/// colon, none after a full-width one.
fn labelled(lang: Lang, key: &str) -> String {
    let label = lang.tr(key);
    if label.ends_with('：') {
        label
    } else {
        format!("{label} ")
    }
}

/// Everything unreachable in one line (per host with `--verbose`).
fn unreachable_paragraph(
    results: &[Assessment],
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    let lang = style.lang;
    let gone: Vec<&Assessment> = results
        .iter()
        .filter(|a| a.verdict == Verdict::Unreachable)
        .collect();
    if gone.is_empty() {
        return Ok(());
    }
    let mut names: Vec<String> = Vec::new();
    for a in &gone {
        let name = a.service.as_ref().map_or_else(
            || a.target.to_string(),
            |s| lang.pick(&s.display_name, &s.display_name_zh).to_string(),
        );
        if !names.contains(&name) {
            names.push(name);
        }
    }
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        lang.tr_args(
            "unreachable-group",
            &[("targets", incident::join(lang, &names))]
        )
    )?;
    if style.verbose {
        for a in gone {
            let why = a.evidence.iter().find(|e| e.code() != "issuer");
            let why = why.map(|e| e.render(lang)).unwrap_or_default();
            writeln!(out, "  - {}: {why}", a.target)?;
        }
    }
    Ok(())
}

fn explain(a: &Assessment, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let lang = style.lang;
    let head = format!("{}: {}", a.target, headline(lang, a));
    writeln!(
        out,
        "{}",
        if style.color {
            colored(a.verdict, &head)
        } else {
            head
        }
    )?;
    if let Some(what) = what_to_do(lang, a) {
        writeln!(out, "  {}{what}", labelled(lang, "label-what-to-do"))?;
    }
    if let (Verdict::Intercepted | Verdict::Suspicious, Some(s)) = (a.verdict, &a.service) {
        writeln!(
            out,
            "  {}{}",
            labelled(lang, "label-what-it-exposes"),
            lang.pick(&s.exposes, &s.exposes_zh)
        )?;
    }
    for e in &a.evidence {
        writeln!(out, "  - {}", e.render(lang))?;
    }
    Ok(())
}

/// One sentence saying what the verdict means for the user.
pub fn headline(lang: Lang, a: &Assessment) -> String {
    match a.verdict {
        Verdict::Ok => lang.tr("verdict-ok"),
        Verdict::Intercepted => {
            let one = crate::analysis::incident::incidents(std::slice::from_ref(a));
            match one.first() {
                Some(found) => format!(
                    "{} {}",
                    lang.tr_args(
                        "headline-intercepted",
                        &[("who", incident::who(lang, found))]
                    ),
                    incident::trust(lang, found)
                ),
                None => lang.tr_args("headline-intercepted", &[("who", short_issuer(a))]),
            }
        }
        Verdict::Suspicious => lang.tr("headline-suspicious"),
        Verdict::CaptivePortal => lang.tr("headline-captive-portal"),
        Verdict::Unreachable => lang.tr("headline-unreachable"),
    }
}

/// What the user should do, if anything.
pub fn what_to_do(lang: Lang, a: &Assessment) -> Option<String> {
    match a.verdict {
        Verdict::Intercepted => Some(match &a.interceptor {
            Some(i) => lang.pick(&i.advice, &i.advice_zh).to_string(),
            None => lang.tr("todo-intercepted"),
        }),
        Verdict::CaptivePortal => Some(lang.tr("todo-captive-portal")),
        Verdict::Suspicious if a.reasons.contains(&crate::analysis::Reason::ClockSuspect) => {
            Some(lang.tr("todo-clock"))
        }
        Verdict::Suspicious => Some(lang.tr("todo-suspicious")),
        Verdict::Ok | Verdict::Unreachable => None,
    }
}

fn summary_line(lang: Lang, s: &Summary, total: usize) -> String {
    let parts: Vec<String> = [
        (s.intercepted, "summary-intercepted"),
        (s.suspicious, "summary-suspicious"),
        (s.captive_portal, "summary-captive-portal"),
        (s.ok, "summary-ok"),
        (s.unreachable, "summary-unreachable"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, key)| lang.tr_args(key, &[("n", n.to_string())]))
    .collect();
    let sep = if lang == Lang::Zh { "，" } else { ", " };
    lang.tr_args(
        "summary",
        &[("total", total.to_string()), ("parts", parts.join(sep))],
    )
}
