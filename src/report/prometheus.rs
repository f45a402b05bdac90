//! The Prometheus reporter (`--format prometheus`, `--prometheus-file`):
//! gauges in the text exposition format 0.0.4, for node_exporter's textfile
//! collector or any scraper.
//!
//! Per target (labels `host`, `port`, `service`): the verdict as a state set
//! (`pinwatch_target_verdict{verdict=...}`, 1 for the current verdict, 0 for
//! the others), the handshake time, the leaf's expiry, and an info metric
//! naming the interceptor, the anchor and the leaf's issuer. Per run: the
//! time, the exit code, the count of each verdict and of warnings.
//!
//! Label values come from certificates, so from whoever made them: every
//! value is escaped (backslash, double quote, line feed) as the format asks.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::text::short_issuer;
use super::{Report, Summary};
use crate::analysis::{Assessment, Verdict};

/// Every verdict, in the state set's order.
const VERDICTS: [Verdict; 5] = [
    Verdict::Ok,
    Verdict::Unreachable,
    Verdict::CaptivePortal,
    Verdict::Suspicious,
    Verdict::Intercepted,
];

/// Writes `report` in the text exposition format.
pub fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut text = String::with_capacity(256 + report.results.len() * 900);
    family(
        &mut text,
        "pinwatch_target_verdict",
        "Verdict of the last check of a target, as a state set: 1 for the current verdict, 0 for the others.",
    );
    for a in report.results {
        for v in VERDICTS {
            sample(
                &mut text,
                "pinwatch_target_verdict",
                &target_labels(a, &[("verdict", v.as_str())]),
                if a.verdict == v { "1" } else { "0" },
            );
        }
    }
    family(
        &mut text,
        "pinwatch_target_handshake_seconds",
        "Time from the start of the probe to the end of the TLS handshake, for targets that presented a certificate.",
    );
    for a in report.results.iter().filter(|a| !a.chain.is_empty()) {
        let seconds = format!("{:.3}", a.elapsed_ms as f64 / 1e3);
        sample(
            &mut text,
            "pinwatch_target_handshake_seconds",
            &target_labels(a, &[]),
            &seconds,
        );
    }
    family(
        &mut text,
        "pinwatch_target_leaf_not_after_timestamp_seconds",
        "Expiry of the certificate the target presented, in seconds since the epoch.",
    );
    for a in report.results {
        if let Some(leaf) = a.chain.first().filter(|c| c.parse_error.is_none()) {
            sample(
                &mut text,
                "pinwatch_target_leaf_not_after_timestamp_seconds",
                &target_labels(a, &[]),
                &leaf.not_after_unix.to_string(),
            );
        }
    }
    family(
        &mut text,
        "pinwatch_target_info",
        "What the last check of a target found: the interception product (empty when none is known), the anchor of the chain, the leaf's issuer and where the interception happens (this_device, local_network, upstream, unknown; empty when not intercepted).",
    );
    for a in report.results {
        let interceptor = a.interceptor.as_ref().map_or("", |i| i.id.as_str());
        let issuer = if a.chain.is_empty() {
            String::new()
        } else {
            short_issuer(a)
        };
        let info = [
            ("interceptor", interceptor),
            ("anchor", a.anchor.as_str()),
            (
                "location",
                a.location.as_ref().map_or("", |l| l.place.as_str()),
            ),
            ("issuer", issuer.as_str()),
        ];
        sample(
            &mut text,
            "pinwatch_target_info",
            &target_labels(a, &info),
            "1",
        );
    }
    family(
        &mut text,
        "pinwatch_check_targets",
        "Targets of the last check with each verdict.",
    );
    let s = Summary::of(report.results);
    for (v, n) in [
        (Verdict::Ok, s.ok),
        (Verdict::Unreachable, s.unreachable),
        (Verdict::CaptivePortal, s.captive_portal),
        (Verdict::Suspicious, s.suspicious),
        (Verdict::Intercepted, s.intercepted),
    ] {
        sample(
            &mut text,
            "pinwatch_check_targets",
            &labels(&[("verdict", v.as_str())]),
            &n.to_string(),
        );
    }
    for (name, help, value) in [
        (
            "pinwatch_check_timestamp_seconds",
            "When the last check ran, in seconds since the epoch.",
            report.checked_at.to_string(),
        ),
        (
            "pinwatch_check_exit_code",
            "Exit code of the last check: 0 ok, 1 suspicious, 2 intercepted, 3 unknown.",
            report.exit_code.to_string(),
        ),
        (
            "pinwatch_check_warnings",
            "Problems that did not stop the last check (an unreadable trust store, junk lines in a target list).",
            report.warnings.len().to_string(),
        ),
    ] {
        family(&mut text, name, help);
        sample(&mut text, name, "", &value);
    }
    out.write_all(text.as_bytes())
}

/// `# HELP` and `# TYPE` of a gauge.
fn family(text: &mut String, name: &str, help: &str) {
    let _ = writeln!(text, "# HELP {name} {help}\n# TYPE {name} gauge");
}

fn sample(text: &mut String, name: &str, labels: &str, value: &str) {
    let _ = writeln!(text, "{name}{labels} {value}");
}

/// `{host="...",port="...",service="...",<extra>}` for `a`.
fn target_labels(a: &Assessment, extra: &[(&str, &str)]) -> String {
    let port = a.target.port.to_string();
    let service = a.service.as_ref().map_or("", |s| s.name.as_str());
    let mut all = vec![
        ("host", a.target.host.as_str()),
        ("port", port.as_str()),
        ("service", service),
    ];
    all.extend_from_slice(extra);
    labels(&all)
}

fn labels(pairs: &[(&str, &str)]) -> String {
    let mut text = String::from("{");
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        let _ = write!(text, "{name}=\"{}\"", escape(value));
    }
    text.push('}');
    text
}

/// A label value escaped for the text format: `\` → `\\`, `"` → `\"`,
/// line feed → `\n`.
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::sample;
    use super::*;

    fn render_text(results: &[Assessment]) -> String {
        let report = Report {
            results,
            warnings: &[],
            checked_at: 1_780_000_000,
            exit_code: crate::check::exit_code(results),
        };
        let mut out = Vec::new();
        render(&report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn verdict_is_a_state_set() {
        let text = render_text(&[
            sample::intercepted("wx.qq.com", "WeChat"),
            sample::ok("qq.com", "QQ"),
        ]);
        for line in [
            r#"pinwatch_target_verdict{host="wx.qq.com",port="443",service="wechat",verdict="intercepted"} 1"#,
            r#"pinwatch_target_verdict{host="wx.qq.com",port="443",service="wechat",verdict="ok"} 0"#,
            r#"pinwatch_target_verdict{host="qq.com",port="443",service="qq",verdict="ok"} 1"#,
            r#"pinwatch_target_verdict{host="qq.com",port="443",service="qq",verdict="intercepted"} 0"#,
            r#"pinwatch_target_handshake_seconds{host="wx.qq.com",port="443",service="wechat"} 0.204"#,
            r#"pinwatch_target_leaf_not_after_timestamp_seconds{host="qq.com",port="443",service="qq"} 1900000000"#,
            r#"pinwatch_target_info{host="wx.qq.com",port="443",service="wechat",interceptor="mitmproxy",anchor="system",location="",issuer="mitmproxy"} 1"#,
            r#"pinwatch_target_info{host="qq.com",port="443",service="qq",interceptor="",anchor="public",location="",issuer="Public CA"} 1"#,
            r#"pinwatch_check_targets{verdict="intercepted"} 1"#,
            "pinwatch_check_timestamp_seconds 1780000000",
            "pinwatch_check_exit_code 2",
            "# TYPE pinwatch_target_verdict gauge",
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line}:\n{text}");
        }
        let ones = text
            .lines()
            .filter(|l| l.starts_with("pinwatch_target_verdict{") && l.ends_with(" 1"))
            .count();
        assert_eq!(ones, 2, "{text}");
    }

    #[test]
    fn unreachable_has_no_handshake_or_expiry() {
        let text = render_text(&[sample::unreachable("a.test")]);
        assert!(
            !text.contains("pinwatch_target_handshake_seconds{"),
            "{text}"
        );
        assert!(
            !text.contains("pinwatch_target_leaf_not_after_timestamp_seconds{"),
            "{text}"
        );
        assert!(text.contains("pinwatch_check_exit_code 3\n"), "{text}");
    }

    #[test]
    fn hostile_label_values_are_escaped() {
        assert_eq!(escape(r#"a\b"c"#), r#"a\\b\"c"#);
        assert_eq!(escape("x\ny"), r"x\ny");
        let mut a = sample::intercepted("wx.qq.com", "WeChat");
        a.interceptor = None;
        a.chain[0].issuer = "CN=evil\"} 1\npinwatch_check_exit_code 0\n\\".into();
        let text = render_text(&[a]);
        assert!(
            text.contains(r#"issuer="evil\"} 1\npinwatch_check_exit_code 0\n\\"} 1"#),
            "{text}"
        );
        assert_eq!(
            text.lines()
                .filter(|l| l.starts_with("pinwatch_check_exit_code"))
                .collect::<Vec<_>>(),
            ["pinwatch_check_exit_code 2"]
        );
    }
}
