//! The Nagios/Icinga plugin reporter (`--format nagios`), after the
//! Monitoring Plugins development guidelines: one status line
//! `PINWATCH <STATE> - <summary> | <performance data>`, then one line per
//! target (the long output). The state is the exit code's (0 OK, 1 WARNING,
//! 2 CRITICAL, 3 UNKNOWN), which analysis defines ([`Verdict::overall`],
//! [`Verdict::exit_code`]). Never localized: monitoring parses it.
//!
//! Text from certificates is hostile: `|` (which starts performance data)
//! and line breaks are replaced wherever such text appears.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::text::short_issuer;
use super::{Report, Summary};
use crate::analysis::{Assessment, Verdict};

/// Names listed in the status line before `+N more`.
const LIST_MAX: usize = 4;

/// The service state word for an exit code.
pub fn state(exit_code: i32) -> &'static str {
    match exit_code {
        0 => "OK",
        1 => "WARNING",
        2 => "CRITICAL",
        _ => "UNKNOWN",
    }
}

/// Writes `report` as plugin output.
pub fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "PINWATCH {} - {} | {}",
        state(report.exit_code),
        clean(&status_text(report)),
        perfdata(report.results)
    )?;
    for a in report.results {
        writeln!(out, "{}", clean(&long_line(a)))?;
    }
    for w in report.warnings {
        writeln!(out, "warning: {}", clean(w))?;
    }
    Ok(())
}

/// The status line's text: the overall verdict's count and who/what, then
/// the other counts.
fn status_text(report: &Report<'_>) -> String {
    let results = report.results;
    let Some(overall) = Verdict::overall(results.iter().map(|a| a.verdict)) else {
        return "no targets checked".into();
    };
    let of = |v: Verdict| results.iter().filter(move |a| a.verdict == v);
    let n = of(overall).count();
    let mut text = match overall {
        Verdict::Intercepted => format!(
            "{n} intercepted ({}) by {}",
            list(of(overall).map(service_name)),
            list(of(overall).map(interceptor_name))
        ),
        Verdict::Suspicious => format!(
            "{n} suspicious ({}): {}",
            list(of(overall).map(service_name)),
            list(of(overall).flat_map(|a| a.reasons.iter().map(|r| r.as_str().to_string())))
        ),
        Verdict::CaptivePortal => format!(
            "{n} behind a captive portal ({})",
            list(of(overall).map(service_name))
        ),
        Verdict::Unreachable => format!(
            "{n} unreachable: {}",
            list(of(overall).flat_map(|a| a.reasons.iter().map(|r| r.as_str().to_string())))
        ),
        Verdict::Ok => format!("{n} ok"),
    };
    let s = Summary::of(results);
    let others: Vec<String> = [
        (Verdict::Intercepted, s.intercepted, "intercepted"),
        (Verdict::Suspicious, s.suspicious, "suspicious"),
        (Verdict::CaptivePortal, s.captive_portal, "captive portal"),
        (Verdict::Ok, s.ok, "ok"),
        (Verdict::Unreachable, s.unreachable, "unreachable"),
    ]
    .iter()
    .filter(|(v, count, _)| *v != overall && *count > 0)
    .map(|(_, count, word)| format!("{count} {word}"))
    .collect();
    if !others.is_empty() {
        let _ = write!(text, "; {}", others.join(", "));
    }
    text
}

/// Performance data: the count of each verdict and the slowest handshake.
fn perfdata(results: &[Assessment]) -> String {
    let s = Summary::of(results);
    let handshake_max = results
        .iter()
        .filter(|a| !a.chain.is_empty())
        .map(|a| a.elapsed_ms)
        .max()
        .map_or_else(|| "U".to_string(), |ms| format!("{:.3}s", ms as f64 / 1e3));
    format!(
        "'intercepted'={};;;0 'suspicious'={};;;0 'captive_portal'={};;;0 'ok'={};;;0 'unreachable'={};;;0 'handshake_max'={handshake_max};;;0",
        s.intercepted, s.suspicious, s.captive_portal, s.ok, s.unreachable
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
        }
        Verdict::Unreachable => {
            if let Some(e) = &a.error {
                let _ = write!(line, " {e}");
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
    a.service
        .as_ref()
        .map_or_else(|| a.target.host.clone(), |s| s.display_name.clone())
}

fn interceptor_name(a: &Assessment) -> String {
    match &a.interceptor {
        Some(i) => i.name.clone(),
        None => format!("unknown issuer {}", short_issuer(a)),
    }
}

/// The distinct items, in order, at most [`LIST_MAX`] then `+N more`.
fn list(items: impl Iterator<Item = String>) -> String {
    let mut distinct: Vec<String> = Vec::new();
    for item in items {
        if !distinct.contains(&item) {
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

/// `text` safe for plugin output: no `|`, no line breaks, no control
/// characters.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '|' => '/',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::sample;
    use super::*;

    fn render_text(results: &[Assessment], warnings: &[String]) -> String {
        let exit_code = crate::check::exit_code(results);
        let report = Report {
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
             | 'intercepted'=2;;;0 'suspicious'=0;;;0 'captive_portal'=0;;;0 'ok'=1;;;0 'unreachable'=1;;;0 'handshake_max'=0.204s;;;0"
        );
        assert_eq!(
            lines.next().unwrap(),
            "INTERCEPTED: wx.qq.com:443 (WeChat) by mitmproxy [untrusted_root, system_root_installed]"
        );
        assert_eq!(lines.nth(1).unwrap(), "OK: qq.com:443 (QQ) [public_root]");
        assert_eq!(
            lines.next().unwrap(),
            "UNREACHABLE: web.whatsapp.com:443 (web.whatsapp.com) tcp: connection refused [tcp_failed]"
        );
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
            first.contains("by unknown issuer evil / 'ok'=99;;;0 PINWATCH OK - fine"),
            "{first}"
        );
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(text.ends_with("warning: store / x y\n"), "{text}");
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
