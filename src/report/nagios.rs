//! The Nagios/Icinga plugin reporter (`--format nagios`), after the
//! Monitoring Plugins development guidelines: one status line
//! `PINWATCH <STATE> - <summary> | <performance data>`, then one line per
//! target (the long output), the most severe first. The state is the exit
//! code's (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN), which analysis defines
//! ([`Verdict::overall`] of [`Assessment::standing`], so an interception
//! by a sanctioned interceptor is named but weighs as ok). A run that
//! could not check at all is one `PINWATCH UNKNOWN - <why>` line
//! ([`render_error`]). Never localized: monitoring parses it.
//!
//! Text from certificates, stores, input files and the administrator's
//! notes is hostile or at least untrusted: every such string is made inert
//! ([`crate::util::inert_capped`]: controls and invisible characters shown
//! escaped, so it cannot add a line), capped, and its `|` (which starts
//! performance data) replaced; the status line as a whole is capped too.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::text::short_issuer;
use super::{Grouped, Results, Summary};
use crate::analysis::{Assessment, Verdict};
use crate::util::inert_capped;

/// Names listed in the status line before `+N more`.
const LIST_MAX: usize = 4;

/// Longest name (service, interceptor, issuer, note) quoted, in characters.
const NAME_MAX: usize = 64;

/// Longest error or warning quoted, in characters.
const DETAIL_MAX: usize = 200;

/// Longest status text (between `STATE - ` and ` | `), in characters.
const STATUS_MAX: usize = 480;

/// The service state word for an exit code.
pub fn state(exit_code: i32) -> &'static str {
    match exit_code {
        0 => "OK",
        1 => "WARNING",
        2 => "CRITICAL",
        _ => "UNKNOWN",
    }
}

#[cfg(test)]
/// Writes `report` as plugin output.
pub fn render(report: &super::Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    render_grouped(&report.into(), out)
}

/// [`render`] of results however they were kept.
pub fn render_grouped(report: &Grouped<'_>, out: &mut dyn Write) -> io::Result<()> {
    let results = report.results;
    writeln!(
        out,
        "PINWATCH {} - {} | {}",
        state(report.exit_code),
        summary(report),
        perfdata(results)
    )?;
    // The most severe first, each severity in plan order (a stable sort of
    // indices: the results are made whole one at a time as they are written).
    let mut order: Vec<(std::cmp::Reverse<_>, usize)> = results
        .iter()
        .enumerate()
        .map(|(i, a)| (std::cmp::Reverse(a.standing().severity()), i))
        .collect();
    order.sort_by_key(|(severity, _)| *severity);
    for (_, i) in order {
        if let Some(a) = results.get(i) {
            writeln!(out, "{}", long_line(&a))?;
        }
    }
    for w in report.warnings {
        writeln!(out, "warning: {}", clean(w, DETAIL_MAX))?;
    }
    Ok(())
}

/// The status line of a run that could not check at all (a usage, config,
/// pins, store or I/O error): `PINWATCH UNKNOWN - <message>`, one line.
pub fn render_error(message: &str, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "PINWATCH UNKNOWN - {}", clean(message, STATUS_MAX))
}

/// The status line's text, inert and capped: the overall verdict's count
/// and who or what, then the other counts.
pub fn summary(report: &Grouped<'_>) -> String {
    inert_capped(&status_text(report.results), STATUS_MAX).into_owned()
}

fn status_text(results: Results<'_>) -> String {
    let Some(overall) = Verdict::overall(results.iter().map(|a| a.standing())) else {
        return "no targets checked".into();
    };
    // Results by verdict, the sanctioned interceptions apart (those are
    // interceptions, kept whole).
    let plain = |v: Verdict| {
        results
            .iter()
            .filter(move |a| a.verdict == v && a.standing() == v)
    };
    let sanctioned: Vec<&Assessment> = results
        .whole()
        .map(|(_, a)| a)
        .filter(|a| a.standing() != a.verdict)
        .collect();
    let reasons = |v: Verdict| {
        list(plain(v).flat_map(|a| {
            a.reasons
                .iter()
                .map(|r| r.as_str().to_string())
                .collect::<Vec<_>>()
        }))
    };
    let n = plain(overall).count();
    let lead_sanctioned = overall == Verdict::Ok && n == 0;
    let mut text = if lead_sanctioned {
        sanctioned_text(&sanctioned)
    } else {
        match overall {
            Verdict::Intercepted => format!(
                "{n} intercepted ({}) by {}",
                list(plain(overall).map(|a| service_name(&a))),
                list(plain(overall).map(|a| interceptor_name(&a)))
            ),
            Verdict::Suspicious => format!(
                "{n} suspicious ({}): {}",
                list(plain(overall).map(|a| service_name(&a))),
                reasons(overall)
            ),
            Verdict::CaptivePortal => format!(
                "{n} behind a captive portal ({})",
                list(plain(overall).map(|a| service_name(&a)))
            ),
            Verdict::Unreachable => format!("{n} unreachable: {}", reasons(overall)),
            Verdict::Ok => format!("{n} ok"),
        }
    };
    let s = Summary::of(results.iter());
    let mut others: Vec<String> = [
        (
            Verdict::Intercepted,
            s.intercepted - s.sanctioned,
            "intercepted",
        ),
        (Verdict::Suspicious, s.suspicious, "suspicious"),
        (Verdict::CaptivePortal, s.captive_portal, "captive portal"),
        (Verdict::Ok, s.ok, "ok"),
        (Verdict::Unreachable, s.unreachable, "unreachable"),
    ]
    .iter()
    .filter(|(v, count, _)| *v != overall && *count > 0)
    .map(|(_, count, word)| format!("{count} {word}"))
    .collect();
    if !sanctioned.is_empty() && !lead_sanctioned {
        others.push(sanctioned_text(&sanctioned));
    }
    if !others.is_empty() {
        let _ = write!(text, "; {}", others.join(", "));
    }
    text
}

/// `N intercepted (services) by a sanctioned interceptor: notes`.
fn sanctioned_text(sanctioned: &[&Assessment]) -> String {
    format!(
        "{} intercepted ({}) by a sanctioned interceptor: {}",
        sanctioned.len(),
        list(sanctioned.iter().map(|a| service_name(a))),
        list(sanctioned.iter().map(|a| note(a)))
    )
}

/// Performance data: the count of each verdict (and of sanctioned
/// interceptions, also counted as intercepted) and the slowest handshake.
fn perfdata(results: Results<'_>) -> String {
    let s = Summary::of(results.iter());
    let handshake_max = results
        .iter()
        .filter(|a| !a.chain.is_empty())
        .map(|a| a.elapsed_ms)
        .max()
        .map_or_else(|| "U".to_string(), |ms| format!("{:.3}s", ms as f64 / 1e3));
    format!(
        "'intercepted'={};;;0 'suspicious'={};;;0 'captive_portal'={};;;0 'ok'={};;;0 'unreachable'={};;;0 'sanctioned'={};;;0 'handshake_max'={handshake_max};;;0",
        s.intercepted, s.suspicious, s.captive_portal, s.ok, s.unreachable, s.sanctioned
    )
}

/// One line of the long output: verdict, target, service, then who or why.
fn long_line(a: &Assessment) -> String {
    let mut line = format!(
        "{}: {} ({})",
        a.verdict.as_str().to_uppercase(),
        a.target,
        service_name(a)
    );
    match a.verdict {
        Verdict::Intercepted => {
            let _ = write!(line, " by {}", interceptor_name(a));
            if a.sanctioned.is_some() {
                let _ = write!(line, ", sanctioned: {}", note(a));
            }
        }
        Verdict::Unreachable => {
            if let Some(e) = &a.error {
                let _ = write!(line, " {}", clean(&e.to_string(), DETAIL_MAX));
            }
        }
        _ => {}
    }
    if a.verdict != Verdict::Ok || !a.reasons.is_empty() {
        let reasons: Vec<&str> = a.reasons.iter().map(|r| r.as_str()).collect();
        let _ = write!(line, " [{}]", reasons.join(", "));
    }
    line
}

fn service_name(a: &Assessment) -> String {
    match &a.service {
        Some(s) => clean(&s.display_name, NAME_MAX),
        None => a.target.host.clone(),
    }
}

fn interceptor_name(a: &Assessment) -> String {
    match &a.interceptor {
        Some(i) => clean(&i.name, NAME_MAX),
        None => format!("unknown issuer {}", clean(&short_issuer(a), NAME_MAX)),
    }
}

fn note(a: &Assessment) -> String {
    a.sanctioned
        .as_ref()
        .map_or_else(String::new, |s| clean(&s.note, NAME_MAX))
}

/// The distinct items, in order, at most [`LIST_MAX`] then `+N more`.
fn list(items: impl Iterator<Item = String>) -> String {
    let mut distinct: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for item in items {
        if seen.insert(item.clone()) {
            distinct.push(item);
        }
    }
    let more = distinct.len().saturating_sub(LIST_MAX);
    distinct.truncate(LIST_MAX);
    let mut text = distinct.join(", ");
    if more > 0 {
        let _ = write!(text, " +{more} more");
    }
    text
}

/// Outside `text` made safe for plugin output: inert (controls, line
/// breaks and invisible characters shown escaped), at most `max`
/// characters, and no `|`.
fn clean(text: &str, max: usize) -> String {
    inert_capped(text, max).replace('|', "/")
}

#[cfg(test)]
mod tests {
    use super::super::sample;
    use super::*;

    fn render_text(results: &[Assessment], warnings: &[String]) -> String {
        let exit_code = crate::check::exit_code(results);
        let report = super::super::Report {
            results,
            warnings,
            checked_at: 0,
            exit_code,
        };
        let mut out = Vec::new();
        render(&report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn critical_names_services_and_interceptor() {
        let results = [
            sample::intercepted("wx.qq.com", "WeChat"),
            sample::intercepted("chatgpt.com", "ChatGPT"),
            sample::ok("qq.com", "QQ"),
            sample::unreachable("web.whatsapp.com"),
        ];
        let text = render_text(&results, &[]);
        let mut lines = text.lines();
        assert_eq!(
            lines.next().unwrap(),
            "PINWATCH CRITICAL - 2 intercepted (WeChat, ChatGPT) by mitmproxy; 1 ok, 1 unreachable \
             | 'intercepted'=2;;;0 'suspicious'=0;;;0 'captive_portal'=0;;;0 'ok'=1;;;0 'unreachable'=1;;;0 'sanctioned'=0;;;0 'handshake_max'=0.204s;;;0"
        );
        assert_eq!(
            lines.next().unwrap(),
            "INTERCEPTED: wx.qq.com:443 (WeChat) by mitmproxy [untrusted_root, system_root_installed]"
        );
        // The most severe first: Nagios and NRPE cut long output.
        assert_eq!(
            lines.nth(1).unwrap(),
            "UNREACHABLE: web.whatsapp.com:443 (web.whatsapp.com) tcp: connection refused [tcp_failed]"
        );
        assert_eq!(lines.next().unwrap(), "OK: qq.com:443 (QQ) [public_root]");
        assert_eq!(lines.next(), None);
    }

    #[test]
    fn only_unreachable_is_unknown() {
        let results = [sample::unreachable("a.test"), sample::unreachable("b.test")];
        let text = render_text(&results, &[]);
        assert!(
            text.starts_with("PINWATCH UNKNOWN - 2 unreachable: tcp_failed | 'intercepted'=0;;;0"),
            "{text}"
        );
        assert!(text.contains("'handshake_max'=U;;;0\n"), "{text}");
    }

    #[test]
    fn ok_and_warning() {
        let ok = render_text(&[sample::ok("qq.com", "QQ")], &[]);
        assert!(ok.starts_with("PINWATCH OK - 1 ok | "), "{ok}");
        let mut odd = sample::ok("qq.com", "QQ");
        odd.verdict = Verdict::Suspicious;
        odd.reasons = vec![crate::analysis::Reason::PinMismatch];
        let warn = render_text(&[odd, sample::ok("chatgpt.com", "ChatGPT")], &[]);
        assert!(
            warn.starts_with("PINWATCH WARNING - 1 suspicious (QQ): pin_mismatch; 1 ok | "),
            "{warn}"
        );
        assert_eq!(
            render_text(&[], &[])
                .lines()
                .next()
                .unwrap()
                .split(" | ")
                .next(),
            Some("PINWATCH UNKNOWN - no targets checked")
        );
    }

    #[test]
    fn hostile_issuer_cannot_forge_perfdata_or_lines() {
        let mut a = sample::intercepted("wx.qq.com", "WeChat");
        a.interceptor = None;
        a.chain[0].issuer = "CN=evil | 'ok'=99;;;0\nPINWATCH OK - fine".into();
        let text = render_text(&[a], &["store | x\ny".into()]);
        let first = text.lines().next().unwrap();
        assert_eq!(first.matches('|').count(), 1, "{first}");
        assert!(
            first.contains(r"by unknown issuer evil / 'ok'=99;;;0\x0aPINWATCH OK - fine"),
            "{first}"
        );
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(text.ends_with("warning: store / x\\x0ay\n"), "{text}");
    }

    #[test]
    fn a_ten_kilobyte_issuer_makes_a_short_inert_status_line() {
        let mut a = sample::intercepted("wx.qq.com", "WeChat");
        a.interceptor = None;
        a.chain[0].issuer = format!("CN=\x1b]0;owned\x07\u{202e}{}", "A".repeat(10_000));
        let text = render_text(&[a], &[]);
        let first = text.lines().next().unwrap();
        assert!(first.chars().count() < 700, "{} characters", first.len());
        assert!(
            !text
                .lines()
                .any(|l| l.chars().any(crate::util::inert::needs_escape)),
            "{text:?}"
        );
        assert!(first.contains(r"\x1b]0;owned\x07\u{202e}AAA"), "{first}");
        assert!(first.contains("A…"), "capped with an ellipsis: {first}");
        let long = text.lines().nth(1).unwrap();
        assert!(long.chars().count() < 300, "{long}");
    }

    #[test]
    fn a_sanctioned_interceptor_is_named_and_weighs_as_ok() {
        let mut office = sample::intercepted("chatgpt.com", "ChatGPT");
        office.sanctioned = Some(crate::analysis::Sanction {
            key: "k".into(),
            note: "Head office | gateway".into(),
        });
        let text = render_text(&[office.clone(), sample::ok("qq.com", "QQ")], &[]);
        assert!(
            text.starts_with(
                "PINWATCH OK - 1 ok; 1 intercepted (ChatGPT) by a sanctioned interceptor: Head office / gateway | \
                 'intercepted'=1;;;0 'suspicious'=0;;;0 'captive_portal'=0;;;0 'ok'=1;;;0 'unreachable'=0;;;0 'sanctioned'=1;;;0"
            ),
            "{text}"
        );
        assert!(
            text.contains("\nINTERCEPTED: chatgpt.com:443 (ChatGPT) by mitmproxy, sanctioned: Head office / gateway [untrusted_root, system_root_installed]\n"),
            "{text}"
        );
        let alone = render_text(std::slice::from_ref(&office), &[]);
        assert!(
            alone.starts_with("PINWATCH OK - 1 intercepted (ChatGPT) by a sanctioned interceptor: Head office / gateway | "),
            "{alone}"
        );
        let both = render_text(&[office, sample::intercepted("wx.qq.com", "WeChat")], &[]);
        assert!(
            both.starts_with("PINWATCH CRITICAL - 1 intercepted (WeChat) by mitmproxy; 1 intercepted (ChatGPT) by a sanctioned interceptor: Head office / gateway | "),
            "{both}"
        );
    }

    #[test]
    fn an_error_is_one_unknown_line() {
        let mut out = Vec::new();
        render_error("config.toml:3:1: services | \x1b[2J\nPINWATCH OK", &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "PINWATCH UNKNOWN - config.toml:3:1: services / \\x1b[2J\\x0aPINWATCH OK\n"
        );
    }

    #[test]
    fn long_lists_are_cut() {
        let results: Vec<Assessment> = (0..7)
            .map(|i| sample::intercepted(&format!("h{i}.test"), &format!("S{i}")))
            .collect();
        let text = render_text(&results, &[]);
        assert!(
            text.starts_with(
                "PINWATCH CRITICAL - 7 intercepted (S0, S1, S2, S3 +3 more) by mitmproxy |"
            ),
            "{text}"
        );
    }
}
