//! The text reporter: a table with one line per target, then one paragraph
//! per incident (an interceptor, however many hosts it touches: who, where,
//! what each service exposes, what to do), a paragraph for each other
//! result that is not ok, one line for everything unreachable, and the
//! summary. A machine that is offline gets one line instead of a table.
//! Per-host evidence of incidents with `--verbose`. In English or Chinese.
//!
//! Everything is written through a [`Screen`], so no byte of a certificate,
//! a peer or an input file acts on the terminal; table cells are also cut
//! to [`CELL_MAX`] characters, so a 10 KB issuer makes no 10 KB line.

use std::io::{self, Write};

use unicode_width::UnicodeWidthStr;

use super::incident;
use super::incident::{result_advice as what_to_do, result_headline as headline};
pub use super::incident::{short_issuer, verdict_label};
use super::{Grouped, Report, Results, Summary, pad};
use crate::analysis::incident::{Incident, incidents_of};
use crate::analysis::{Assessment, Verdict};
use crate::i18n::Lang;
use crate::observation::Stage;
use crate::util::{Screen, inert_capped};

/// The most characters a table cell shows; longer ones end with `…`.
pub const CELL_MAX: usize = 80;

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

/// A table cell: inert, and cut to [`CELL_MAX`] characters.
pub(crate) fn cell(s: &str) -> String {
    inert_capped(s, CELL_MAX).into_owned()
}

/// Writes `report` as a table plus explanations.
pub fn render(report: &Report<'_>, style: Style, out: &mut dyn Write) -> io::Result<()> {
    render_grouped(&report.into(), style, out)
}

/// [`render`] of results however they were kept.
pub fn render_grouped(report: &Grouped<'_>, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let mut screen = Screen::new(out).colors(style.color);
    render_on(report, style, &mut screen)?;
    screen.flush()
}

fn render_on(report: &Grouped<'_>, style: Style, out: &mut Screen<'_>) -> io::Result<()> {
    let lang = style.lang;
    let results = report.results;
    if let Some(why) = offline_in(results) {
        writeln!(out, "{}", lang.tr_args("offline", &[("why", lang.tr(why))]))?;
        for w in report.warnings {
            writeln!(out, "{} {w}", lang.tr("warning"))?;
        }
        return writeln!(
            out,
            "{}",
            summary_line(lang, &Summary::of(results.iter()), results.len())
        );
    }
    let row = |a: &Assessment| -> [String; 4] {
        [
            verdict_label(lang, a.verdict),
            a.target.to_string(),
            cell(
                a.service
                    .as_ref()
                    .map_or("-", |s| lang.pick(&s.display_name, &s.display_name_zh)),
            ),
            detail(lang, a),
        ]
    };
    let header = ["col-verdict", "col-target", "col-service", "col-detail"].map(|k| lang.tr(k));
    // Two passes, each row made and dropped: the widths, then the lines
    // (a list of 200,000 targets is not held as 800,000 cells).
    let mut widths = [0usize; 3];
    let mut measure = |row: &[String; 4]| {
        for (w, cell) in widths.iter_mut().zip(row.iter()) {
            *w = (*w).max(cell.width());
        }
    };
    measure(&header);
    for a in results.iter() {
        measure(&row(&a));
    }
    let rest = |row: &[String; 4]| {
        let line = format!(
            "  {}  {}  {}",
            pad(&row[1], widths[1]),
            pad(&row[2], widths[2]),
            row[3]
        );
        line.trim_end().to_string()
    };
    writeln!(out, "{}{}", pad(&header[0], widths[0]), rest(&header))?;
    for a in results.iter() {
        let row = row(&a);
        let verdict = pad(&row[0], widths[0]);
        paint(out, a.standing(), &verdict)?;
        writeln!(out, "{}", rest(&row))?;
    }
    for found in incidents_of(results.whole()) {
        writeln!(out)?;
        explain_incident(&found, results, style, out)?;
    }
    for (_, a) in results
        .whole()
        .filter(|(_, a)| matches!(a.verdict, Verdict::Suspicious | Verdict::CaptivePortal))
    {
        writeln!(out)?;
        explain(a, style, out)?;
    }
    unreachable_paragraph(results, style, out)?;
    for w in report.warnings {
        writeln!(out, "\n{} {w}", lang.tr("warning"))?;
    }
    writeln!(
        out,
        "\n{}",
        summary_line(lang, &Summary::of(results.iter()), results.len())
    )
}

/// Writes `text`, in the verdict's color when the screen's colors are on.
fn paint(out: &mut Screen<'_>, v: Verdict, text: &str) -> io::Result<()> {
    out.paint(super::verdict_style(v), text)
}

/// The one-line detail of the table (what came from outside in it is a
/// [`cell`]), with the sanction's note when the administrator sanctioned
/// the interceptor.
fn detail(lang: Lang, a: &Assessment) -> String {
    let plain = plain_detail(lang, a);
    match &a.sanctioned {
        Some(s) if a.verdict == Verdict::Intercepted => lang.tr_args(
            "detail-sanctioned",
            &[
                ("detail", plain),
                ("note", crate::util::inert_capped(&s.note, 64).into_owned()),
            ],
        ),
        _ => plain,
    }
}

fn plain_detail(lang: Lang, a: &Assessment) -> String {
    let issuer = || lang.tr_args("detail-issuer", &[("issuer", cell(&short_issuer(a)))]);
    match a.verdict {
        Verdict::Unreachable => a.error.as_ref().map_or_else(
            || lang.tr("detail-no-certificate"),
            |e| cell(&e.to_string()),
        ),
        Verdict::Intercepted => match &a.interceptor {
            Some(i) => lang.tr_args(
                "detail-by",
                &[
                    ("product", cell(&i.name)),
                    ("category", lang.tr(&format!("cat-{}", i.category.as_str()))),
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
    offline_in(results.into())
}

/// [`offline`] of results however they were kept.
fn offline_in(results: Results<'_>) -> Option<&'static str> {
    let stage = |a: &Assessment| a.error.as_ref().map(|e| e.stage);
    let nothing_connected = results
        .iter()
        .all(|a| a.verdict == Verdict::Unreachable && a.peer.is_none() && a.chain.is_empty());
    if results.is_empty() || !nothing_connected {
        return None;
    }
    if results.iter().all(|a| stage(&a) == Some(Stage::Dns)) {
        Some("offline-no-dns")
    } else if results
        .iter()
        .all(|a| matches!(stage(&a), Some(Stage::Dns | Stage::Tcp | Stage::Timeout)))
    {
        Some("offline-no-route")
    } else {
        None
    }
}

fn explain_incident(
    found: &Incident,
    results: Results<'_>,
    style: Style,
    out: &mut Screen<'_>,
) -> io::Result<()> {
    let lang = style.lang;
    let head = format!(
        "{}{}{}",
        verdict_label(lang, Verdict::Intercepted),
        incident::colon(lang),
        incident::headline(lang, found)
    );
    // A sanctioned interceptor is expected here: not painted as an alarm.
    let tone = if found.sanctioned.is_some() {
        Verdict::Ok
    } else {
        Verdict::Intercepted
    };
    paint(out, tone, &head)?;
    writeln!(out)?;
    if let Some(s) = &found.sanctioned {
        writeln!(
            out,
            "  {}",
            lang.tr_args(
                "sanctioned-line",
                &[("note", crate::util::inert_capped(&s.note, 200).into_owned())]
            )
        )?;
    }
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
    let members = incident::members_in(found, results);
    if style.verbose {
        writeln!(out, "  {}", lang.tr("label-per-host"))?;
        for a in members {
            writeln!(out, "    {}:", a.target)?;
            for e in &a.evidence {
                writeln!(out, "      - {}", super::evidence::words(lang, e))?;
            }
        }
    } else if let Some(first) = members.first() {
        for e in &first.evidence {
            writeln!(out, "  - {}", super::evidence::words(lang, e))?;
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
    results: Results<'_>,
    style: Style,
    out: &mut Screen<'_>,
) -> io::Result<()> {
    let lang = style.lang;
    let gone = || results.iter().filter(|a| a.verdict == Verdict::Unreachable);
    if gone().next().is_none() {
        return Ok(());
    }
    // Each name once, in order (a set beside the list: a list of many
    // hosts is not searched once per host).
    let mut names: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for a in gone() {
        let name = a.service.as_ref().map_or_else(
            || a.target.to_string(),
            |s| lang.pick(&s.display_name, &s.display_name_zh).to_string(),
        );
        if seen.insert(name.clone()) {
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
        for a in gone() {
            let why = a.evidence.iter().find(|e| e.code() != "issuer");
            let why = why
                .map(|e| super::evidence::words(lang, e))
                .unwrap_or_default();
            writeln!(out, "  - {}: {why}", a.target)?;
        }
    }
    Ok(())
}

fn explain(a: &Assessment, style: Style, out: &mut Screen<'_>) -> io::Result<()> {
    let lang = style.lang;
    let head = format!("{}: {}", a.target, headline(lang, a));
    paint(out, a.verdict, &head)?;
    writeln!(out)?;
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
        writeln!(out, "  - {}", super::evidence::words(lang, e))?;
    }
    Ok(())
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
    .map(|(n, key)| {
        let part = lang.tr_args(key, &[("n", n.to_string())]);
        if *key == "summary-intercepted" && s.sanctioned > 0 {
            let of_them = lang.tr_args("summary-sanctioned", &[("n", s.sanctioned.to_string())]);
            if lang == Lang::Zh {
                format!("{part}（{of_them}）")
            } else {
                format!("{part} ({of_them})")
            }
        } else {
            part
        }
    })
    .collect();
    let sep = if lang == Lang::Zh { "，" } else { ", " };
    lang.tr_args(
        "summary",
        &[("total", total.to_string()), ("parts", parts.join(sep))],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{ChainRule, Evidence};
    use crate::observation::ProbeError;
    use crate::report::sample;
    use crate::util::inert::needs_escape;

    /// Every way a terminal can be made to act, and a name of 10 KB.
    const HOSTILE: &str = "\x1b[2J\x1b[H\x1b]0;t\x07\x1b]8;;http://x\x1b\\OK\r\n\0\u{9b}31m\u{202e}2G tooR\u{200b}\u{2066}<b>";

    fn hostile_results() -> Vec<Assessment> {
        let long = format!("CN={}{}", HOSTILE, "x".repeat(10_000));
        let mut forged = sample::intercepted("chatgpt.com", "ChatGPT");
        forged.interceptor = None;
        forged.chain[0].issuer = long.clone();
        forged.chain[0].sans = vec![HOSTILE.into()];
        forged.evidence = vec![
            Evidence::Issuer {
                issuer: long.clone(),
            },
            Evidence::Impersonates { name: long.clone() },
            Evidence::WrongName {
                names: HOSTILE.into(),
                host: "chatgpt.com".into(),
            },
            Evidence::ChainRuleBroken {
                rule: ChainRule::Expired,
                detail: HOSTILE.into(),
            },
            Evidence::SystemRootAt {
                location: HOSTILE.into(),
            },
        ];
        let mut named = sample::intercepted("wx.qq.com", "WeChat");
        if let Some(s) = named.service.as_mut() {
            s.display_name = HOSTILE.into();
            s.exposes = HOSTILE.into();
        }
        if let Some(i) = named.interceptor.as_mut() {
            i.name = HOSTILE.into();
            i.advice = HOSTILE.into();
        }
        named.issuer_key = Some("other".into());
        let mut odd = sample::ok("qq.com", "QQ");
        odd.verdict = Verdict::Suspicious;
        odd.chain[0].issuer = long;
        odd.evidence = vec![Evidence::Unverifiable {
            detail: HOSTILE.into(),
        }];
        let mut gone = sample::unreachable("example.com");
        gone.error = Some(ProbeError::new(
            Stage::Proxy,
            format!("proxy said {HOSTILE}"),
        ));
        vec![forged, named, odd, gone]
    }

    #[test]
    fn nothing_from_outside_acts_on_the_terminal_and_no_line_is_huge() {
        let results = hostile_results();
        let warnings = [format!("targets.txt: line 1: {HOSTILE}")];
        let report = Report {
            results: &results,
            warnings: &warnings,
            checked_at: 0,
            exit_code: 2,
        };
        for lang in [Lang::En, Lang::Zh] {
            for (color, verbose) in [(false, false), (true, true)] {
                let mut out = Vec::new();
                render(
                    &report,
                    Style {
                        color,
                        lang,
                        verbose,
                    },
                    &mut out,
                )
                .unwrap();
                let text = String::from_utf8(out).unwrap();
                // Only pinwatch's own colors, and only when asked for.
                let mut plain = text.clone();
                for sgr in crate::util::inert::OWN_SEQUENCES {
                    assert!(color || !plain.contains(sgr), "{sgr:?} without colors");
                    plain = plain.replace(sgr, "");
                }
                let acting: Vec<char> = plain
                    .chars()
                    .filter(|&c| c != '\n' && needs_escape(c))
                    .collect();
                assert!(acting.is_empty(), "{acting:?} in\n{text}");
                assert!(
                    plain.contains("\\x1b[2J") && plain.contains("\\u{202e}"),
                    "{plain}"
                );
                let longest = plain.lines().map(|l| l.chars().count()).max().unwrap_or(0);
                assert!(longest < 1200, "a line of {longest} characters:\n{plain}");
                // The verdict's table line is not forged by a name.
                assert!(!plain.lines().any(|l| l.starts_with("OK")), "{plain}");
            }
        }
    }
}
