//! The Prometheus reporter (`--format prometheus`, `--prometheus-file`):
//! gauges in the text exposition format 0.0.4, for node_exporter's textfile
//! collector or any scraper.
//!
//! The series of one machine are bounded by the services it checks, not by
//! the hosts (a fleet of 2,000 machines checking 124 hosts each must not
//! cost millions of series). By default:
//! - per service (`service`, empty for a target of no known service): how
//!   many of its targets had each verdict (`pinwatch_service_targets`);
//! - per interceptor and service: how many targets it intercepted
//!   (`pinwatch_interception_targets`, with the product, the issuer, the
//!   key that signed the forged leaves, the proxy, where it happens, and
//!   whether the administrator sanctioned it, with the note), what the
//!   shipped alert rules group by: one alert per machine and interceptor;
//! - per run: whether it checked at all (`pinwatch_check_success`, 0 when
//!   a usage, config, pins, store or I/O error stopped it, with
//!   `pinwatch_check_error` saying which), when, its exit code, the count
//!   of each verdict and of warnings.
//!
//! With `--prometheus-hosts`, per target too (labels `host`, `port`,
//! `service`): the verdict as a state set, the handshake time, the leaf's
//! expiry, and an info metric naming the interceptor, anchor, location,
//! issuer and sanction.
//!
//! Label values come from certificates, input files and the administrator:
//! every one is made inert and capped ([`crate::util::inert_capped`]), then
//! escaped (backslash, double quote, line feed) as the format asks; series
//! whose labels come out the same are summed, so no input can make two
//! series with one label set (which would make the collector drop the
//! whole file).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use super::text::short_issuer;
use super::{Grouped, Results, Summary};
use crate::analysis::{Assessment, Verdict};
use crate::report::error::ErrorCode;
use crate::util::inert_capped;

/// Every verdict, in the state set's order.
const VERDICTS: [Verdict; 5] = [
    Verdict::Ok,
    Verdict::Unreachable,
    Verdict::CaptivePortal,
    Verdict::Suspicious,
    Verdict::Intercepted,
];

/// Longest label value taken from outside (an issuer, a note, a proxy
/// URL, an error message), in characters.
const LABEL_MAX: usize = 128;

/// What to write besides the default series.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Per-target series (`--prometheus-hosts`).
    pub hosts: bool,
}

#[cfg(test)]
/// Writes `report` in the text exposition format.
pub fn render(report: &super::Report<'_>, options: Options, out: &mut dyn Write) -> io::Result<()> {
    render_grouped(&report.into(), options, out)
}

/// [`render`] of results however they were kept.
pub fn render_grouped(
    report: &Grouped<'_>,
    options: Options,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut text = String::with_capacity(4096 + report.results.len() * 64);
    services(&mut text, report.results);
    interceptions(&mut text, report.results);
    if options.hosts {
        hosts(&mut text, report.results);
    }
    family(
        &mut text,
        "pinwatch_check_targets",
        "Targets of the last check with each verdict.",
    );
    let s = Summary::of(report.results.iter());
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
    run(&mut text, true, report.checked_at, report.exit_code);
    family(
        &mut text,
        "pinwatch_check_warnings",
        "Problems that did not stop the last check (an unreadable trust store, junk lines in a target list).",
    );
    sample(
        &mut text,
        "pinwatch_check_warnings",
        "",
        &report.warnings.len().to_string(),
    );
    out.write_all(text.as_bytes())
}

/// Writes the metrics of a run that could not check at all: success 0,
/// the error's code and message, when and the exit code. No verdicts: the
/// previous ones no longer stand, and `PinwatchCheckFailed` fires.
pub fn render_failure(
    checked_at: i64,
    exit_code: i32,
    code: ErrorCode,
    message: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut text = String::new();
    run(&mut text, false, checked_at, exit_code);
    family(
        &mut text,
        "pinwatch_check_error",
        "Why the last run could not check: code usage, config, pins, store or io, and the message.",
    );
    sample(
        &mut text,
        "pinwatch_check_error",
        &labels(&[("code", code.as_str()), ("message", message)]),
        "1",
    );
    out.write_all(text.as_bytes())
}

/// The run's own series: success, when, exit code.
fn run(text: &mut String, success: bool, checked_at: i64, exit_code: i32) {
    for (name, help, value) in [
        (
            "pinwatch_check_success",
            "1 when the last run checked, 0 when it could not (a usage, config, pins, store or I/O error: see pinwatch_check_error).",
            u8::from(success).to_string(),
        ),
        (
            "pinwatch_check_timestamp_seconds",
            "When the last run started, in seconds since the epoch; these metrics were written when it ended.",
            checked_at.to_string(),
        ),
        (
            "pinwatch_check_exit_code",
            "Exit code of the last run: 0 ok, 1 suspicious, 2 intercepted, 3 nothing could be checked or an error.",
            exit_code.to_string(),
        ),
    ] {
        family(text, name, help);
        sample(text, name, "", &value);
    }
}

/// `pinwatch_service_targets`: per service, its targets with each verdict.
fn services(text: &mut String, results: Results<'_>) {
    family(
        text,
        "pinwatch_service_targets",
        "Targets of a service (empty: targets of no known service) with each verdict in the last check. An interception by a sanctioned interceptor counts as intercepted; pinwatch_interception_targets says which are sanctioned.",
    );
    let mut counts: BTreeMap<String, [usize; 5]> = BTreeMap::new();
    for a in results.iter() {
        let service = a.service.as_ref().map_or("", |s| s.name.as_str());
        let slot = VERDICTS.iter().position(|v| *v == a.verdict).unwrap_or(0);
        if let Some(by_verdict) = counts.get_mut(service) {
            by_verdict[slot] += 1;
        } else {
            counts.entry(service.to_string()).or_default()[slot] += 1;
        }
    }
    for (service, by_verdict) in counts {
        for (v, n) in VERDICTS.iter().zip(by_verdict) {
            sample(
                text,
                "pinwatch_service_targets",
                &labels(&[("service", &service), ("verdict", v.as_str())]),
                &n.to_string(),
            );
        }
    }
}

/// `pinwatch_interception_targets`: per interceptor (the key that signed
/// the forged leaves, and the proxy used: the JSON incident) and service,
/// the targets it intercepted.
fn interceptions(text: &mut String, results: Results<'_>) {
    family(
        text,
        "pinwatch_interception_targets",
        "Targets of a service (empty: of no known service) intercepted in the last check, per interceptor: the product (empty when unknown), the forged leaves' issuer, the key that signed them (SPKI SHA-256, base64; empty when the chain does not show it), the proxy used, where it happens (this_device, local_network, upstream, unknown; empty when not traced), and whether the administrator sanctioned it (true, with the note) or not (false).",
    );
    let mut series: BTreeMap<String, usize> = BTreeMap::new();
    // Interceptions are kept whole.
    for (_, a) in results
        .whole()
        .filter(|(_, a)| a.verdict == Verdict::Intercepted)
    {
        let sanctioned = a.sanctioned.as_ref();
        let set = labels(&[
            (
                "interceptor",
                a.interceptor.as_ref().map_or("", |i| i.id.as_str()),
            ),
            ("issuer", &issuer(a)),
            ("key", a.issuer_key.as_deref().unwrap_or("")),
            ("proxy", a.via_proxy.as_deref().unwrap_or("")),
            (
                "location",
                a.location.as_ref().map_or("", |l| l.place.as_str()),
            ),
            (
                "sanctioned",
                if sanctioned.is_some() {
                    "true"
                } else {
                    "false"
                },
            ),
            ("note", sanctioned.map_or("", |s| s.note.as_str())),
            (
                "service",
                a.service.as_ref().map_or("", |s| s.name.as_str()),
            ),
        ]);
        // One incident is one set of labels but for the service; a set met
        // twice is summed, never written twice.
        *series.entry(set).or_default() += 1;
    }
    for (set, n) in series {
        sample(text, "pinwatch_interception_targets", &set, &n.to_string());
    }
}

/// The per-target families (`--prometheus-hosts`).
fn hosts(text: &mut String, results: Results<'_>) {
    family(
        text,
        "pinwatch_target_verdict",
        "Verdict of the last check of a target, as a state set: 1 for the current verdict, 0 for the others.",
    );
    for a in results.iter() {
        for v in VERDICTS {
            sample(
                text,
                "pinwatch_target_verdict",
                &target_labels(&a, &[("verdict", v.as_str())]),
                if a.verdict == v { "1" } else { "0" },
            );
        }
    }
    family(
        text,
        "pinwatch_target_handshake_seconds",
        "Time from the start of the probe to the end of the TLS handshake, for targets that presented a certificate.",
    );
    for a in results.iter().filter(|a| !a.chain.is_empty()) {
        let seconds = format!("{:.3}", a.elapsed_ms as f64 / 1e3);
        sample(
            text,
            "pinwatch_target_handshake_seconds",
            &target_labels(&a, &[]),
            &seconds,
        );
    }
    family(
        text,
        "pinwatch_target_leaf_not_after_timestamp_seconds",
        "Expiry of the certificate the target presented, in seconds since the epoch.",
    );
    for a in results.iter() {
        if let Some(leaf) = a.chain.first().filter(|c| c.parse_error.is_none()) {
            sample(
                text,
                "pinwatch_target_leaf_not_after_timestamp_seconds",
                &target_labels(&a, &[]),
                &leaf.not_after_unix.to_string(),
            );
        }
    }
    family(
        text,
        "pinwatch_target_info",
        "What the last check of a target found: the interception product (empty when none is known), the anchor of the chain, where the interception happens (this_device, local_network, upstream, unknown; empty when not intercepted), the leaf's issuer, and whether the interceptor is sanctioned (true or false).",
    );
    for a in results.iter() {
        let info = [
            (
                "interceptor",
                a.interceptor.as_ref().map_or("", |i| i.id.as_str()),
            ),
            ("anchor", a.anchor.as_str()),
            (
                "location",
                a.location.as_ref().map_or("", |l| l.place.as_str()),
            ),
            ("issuer", &issuer(&a)),
            (
                "sanctioned",
                if a.sanctioned.is_some() {
                    "true"
                } else {
                    "false"
                },
            ),
        ];
        sample(text, "pinwatch_target_info", &target_labels(&a, &info), "1");
    }
}

/// The leaf's short issuer, or empty when nothing was presented.
fn issuer(a: &Assessment) -> String {
    if a.chain.is_empty() {
        String::new()
    } else {
        short_issuer(a)
    }
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

/// A label set; every value inert, capped and escaped.
fn labels(pairs: &[(&str, &str)]) -> String {
    let mut text = String::from("{");
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        let _ = write!(
            text,
            "{name}=\"{}\"",
            escape(&inert_capped(value, LABEL_MAX))
        );
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

    fn render_text(results: &[Assessment], hosts: bool) -> String {
        let report = super::super::Report {
            results,
            warnings: &[],
            checked_at: 1_780_000_000,
            exit_code: crate::check::exit_code(results),
        };
        let mut out = Vec::new();
        render(&report, Options { hosts }, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn has(text: &str, line: &str) {
        assert!(text.lines().any(|l| l == line), "missing {line}:\n{text}");
    }

    #[test]
    fn by_default_series_per_service_and_interceptor_not_per_host() {
        let results = [
            sample::intercepted("wx.qq.com", "WeChat"),
            sample::intercepted("weixin.qq.com", "WeChat"),
            sample::ok("qq.com", "QQ"),
            sample::unreachable("a.test"),
        ];
        let text = render_text(&results, false);
        for line in [
            r#"pinwatch_service_targets{service="wechat",verdict="intercepted"} 2"#,
            r#"pinwatch_service_targets{service="wechat",verdict="ok"} 0"#,
            r#"pinwatch_service_targets{service="qq",verdict="ok"} 1"#,
            r#"pinwatch_service_targets{service="",verdict="unreachable"} 1"#,
            r#"pinwatch_interception_targets{interceptor="mitmproxy",issuer="mitmproxy",key="",proxy="",location="",sanctioned="false",note="",service="wechat"} 2"#,
            r#"pinwatch_check_targets{verdict="intercepted"} 2"#,
            "pinwatch_check_success 1",
            "pinwatch_check_timestamp_seconds 1780000000",
            "pinwatch_check_exit_code 2",
            "pinwatch_check_warnings 0",
            "# TYPE pinwatch_service_targets gauge",
        ] {
            has(&text, line);
        }
        assert!(!text.contains("host="), "no per-host series: {text}");
        let series = text.lines().filter(|l| !l.starts_with('#')).count();
        // 3 services x 5 verdicts, 1 interception, 5 verdict counts, 4 run gauges.
        assert_eq!(series, 15 + 1 + 5 + 4, "{text}");
    }

    #[test]
    fn per_host_series_on_request() {
        let text = render_text(
            &[
                sample::intercepted("wx.qq.com", "WeChat"),
                sample::ok("qq.com", "QQ"),
            ],
            true,
        );
        for line in [
            r#"pinwatch_target_verdict{host="wx.qq.com",port="443",service="wechat",verdict="intercepted"} 1"#,
            r#"pinwatch_target_verdict{host="wx.qq.com",port="443",service="wechat",verdict="ok"} 0"#,
            r#"pinwatch_target_verdict{host="qq.com",port="443",service="qq",verdict="ok"} 1"#,
            r#"pinwatch_target_handshake_seconds{host="wx.qq.com",port="443",service="wechat"} 0.204"#,
            r#"pinwatch_target_leaf_not_after_timestamp_seconds{host="qq.com",port="443",service="qq"} 1900000000"#,
            r#"pinwatch_target_info{host="wx.qq.com",port="443",service="wechat",interceptor="mitmproxy",anchor="system",location="",issuer="mitmproxy",sanctioned="false"} 1"#,
            r#"pinwatch_target_info{host="qq.com",port="443",service="qq",interceptor="",anchor="public",location="",issuer="Public CA",sanctioned="false"} 1"#,
        ] {
            has(&text, line);
        }
        let ones = text
            .lines()
            .filter(|l| l.starts_with("pinwatch_target_verdict{") && l.ends_with(" 1"))
            .count();
        assert_eq!(ones, 2, "{text}");
    }

    #[test]
    fn unreachable_has_no_handshake_or_expiry() {
        let text = render_text(&[sample::unreachable("a.test")], true);
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
    fn a_sanctioned_interceptor_is_labelled_with_its_note() {
        let mut office = sample::intercepted("chatgpt.com", "ChatGPT");
        office.issuer_key = Some("b2ZmaWNl".into());
        office.sanctioned = Some(crate::analysis::Sanction {
            key: "b2ZmaWNl".into(),
            note: "Head office \"gateway\"".into(),
        });
        let text = render_text(&[office], false);
        has(
            &text,
            r#"pinwatch_interception_targets{interceptor="mitmproxy",issuer="mitmproxy",key="b2ZmaWNl",proxy="",location="",sanctioned="true",note="Head office \"gateway\"",service="chatgpt"} 1"#,
        );
        has(&text, "pinwatch_check_exit_code 0");
    }

    #[test]
    fn hostile_label_values_are_inert_capped_and_escaped() {
        assert_eq!(escape(r#"a\b"c"#), r#"a\\b\"c"#);
        assert_eq!(escape("x\ny"), r"x\ny");
        let mut a = sample::intercepted("wx.qq.com", "WeChat");
        a.interceptor = None;
        a.chain[0].issuer = format!(
            "CN=evil\"}} 1\npinwatch_check_exit_code 0\n\\\x1b[2J{}",
            "A".repeat(10_000)
        );
        let text = render_text(&[a], true);
        assert!(
            text.contains(r#"issuer="evil\"} 1\\x0apinwatch_check_exit_code 0\\x0a\\\\x1b[2JAAA"#),
            "{text}"
        );
        assert_eq!(
            text.lines()
                .filter(|l| l.starts_with("pinwatch_check_exit_code"))
                .collect::<Vec<_>>(),
            ["pinwatch_check_exit_code 2"]
        );
        let longest = text.lines().map(str::len).max().unwrap_or(0);
        assert!(longest < 600, "a line of {longest} bytes");
    }

    #[test]
    fn one_label_set_is_written_once_whatever_the_input() {
        // Two interceptors without a key whose issuers agree up to the cap:
        // their labels come out the same, and are summed, not repeated.
        let forged = |tail: &str| {
            let mut a = sample::intercepted("wx.qq.com", "WeChat");
            a.interceptor = None;
            a.chain[0].issuer = format!("CN={}{tail}", "X".repeat(200));
            a
        };
        let text = render_text(&[forged("1"), forged("2")], false);
        let series: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("pinwatch_interception_targets{"))
            .collect();
        assert_eq!(series.len(), 1, "{text}");
        assert!(series[0].ends_with(" 2"), "{text}");
    }

    #[test]
    fn a_run_that_could_not_check_says_so() {
        let mut out = Vec::new();
        render_failure(
            1_780_000_000,
            3,
            ErrorCode::Config,
            "c.toml:1:1: bad \"x\"\n",
            &mut out,
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        for line in [
            "pinwatch_check_success 0",
            "pinwatch_check_timestamp_seconds 1780000000",
            "pinwatch_check_exit_code 3",
            r#"pinwatch_check_error{code="config",message="c.toml:1:1: bad \"x\"\\x0a"} 1"#,
        ] {
            has(&text, line);
        }
        assert!(!text.contains("pinwatch_service_targets"), "{text}");
    }
}
