//! The text reporter: a table with one line per target, then a short
//! explanation for every result that is not ok: what happened, what to do,
//! what it exposes, and the evidence. In English or Chinese.

use std::io::{self, Write};

use unicode_width::UnicodeWidthStr;

use super::{Report, Summary, pad};
use crate::analysis::{Anchor, Assessment, Verdict};
use crate::i18n::Lang;

/// Rendering options.
#[derive(Clone, Copy, Debug, Default)]
pub struct Style {
    /// Use ANSI colors.
    pub color: bool,
    /// Language of the text.
    pub lang: Lang,
}

/// Writes `report` as a table plus explanations.
pub fn render(report: &Report<'_>, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let lang = style.lang;
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
    for a in report.results.iter().filter(|a| a.verdict != Verdict::Ok) {
        writeln!(out)?;
        explain(a, style, out)?;
    }
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
        writeln!(out, "  {} {what}", lang.tr("label-what-to-do"))?;
    }
    if let (Verdict::Intercepted | Verdict::Suspicious, Some(s)) = (a.verdict, &a.service) {
        writeln!(
            out,
            "  {} {}",
            lang.tr("label-what-it-exposes"),
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
            let who = a.interceptor.as_ref().map_or_else(
                || lang.tr_args("headline-whoever", &[("issuer", short_issuer(a))]),
                |i| i.name.clone(),
            );
            let key = if a.anchor == Anchor::System {
                "headline-intercepted-local"
            } else {
                "headline-intercepted"
            };
            lang.tr_args(key, &[("who", who)])
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
