//! The details page (`report.html`) rendered by the library for the cases a
//! user meets (all clear, a café router intercepting every built-in
//! service with its root trusted here, a captive portal, offline, a
//! journal with a resolved incident), in English and Chinese, loaded in
//! headless Chromium: the DOM it builds is checked (the banner's verdict,
//! the incident's words, nothing loaded from the network), the action is
//! measured to sit within the first screen at 1280x800, and a screenshot
//! is taken; one more in dark mode checks that the page follows
//! prefers-color-scheme. With `PINWATCH_SCREENSHOTS=1` the screenshots are
//! written to docs/screenshots/ (as in the README).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use pinwatch::agent::Journal;
use pinwatch::agent::past_incidents;
use pinwatch::analysis::{
    Assessment, Attribution, CertFacts, Evidence, MatchedBy, Reason, ServiceInfo, Verdict,
};
use pinwatch::i18n::Lang;
use pinwatch::journal::{AlertKind, Record, read};
use pinwatch::knowledge::{Exposure, load_embedded};
use pinwatch::observation::{LocateMethod, Location, Place, ProbeError, Stage};
use pinwatch::report::Report;
use pinwatch::report::html::{Context, Network, render};
use pinwatch::target::Target;
use pinwatch::util::local_time;

use crate::support::process::{require, run};

const NOW: i64 = 1_800_000_000;

fn service(name: &str, en: &str, zh: &str, exposes: &str, exposes_zh: &str) -> ServiceInfo {
    ServiceInfo {
        name: name.into(),
        display_name: en.into(),
        display_name_zh: zh.into(),
        exposes: exposes.into(),
        exposes_zh: exposes_zh.into(),
        exposure: Exposure::Everything,
    }
}

fn cert(subject: &str, issuer: &str) -> CertFacts {
    CertFacts {
        subject: subject.into(),
        issuer: issuer.into(),
        issuer_cn: issuer
            .strip_prefix("CN=")
            .map(|s| s.split(", ").next().unwrap_or(s).to_string()),
        not_before_unix: NOW - 86_400,
        not_after_unix: NOW + 86_400,
        spki_sha256: "ab".repeat(32),
        cert_sha256: "cd".repeat(32),
        ..CertFacts::default()
    }
}

fn result(host: &str, svc: Option<ServiceInfo>, verdict: Verdict, issuer: &str) -> Assessment {
    Assessment {
        service: svc,
        chain: if issuer.is_empty() {
            vec![]
        } else {
            vec![cert(&format!("CN={host}"), issuer)]
        },
        peer: (!issuer.is_empty()).then(|| "203.0.113.7:443".to_string()),
        elapsed_ms: 10,
        ..Assessment::bare(Target::new(host, 443).expect("test fixture"), verdict)
    }
}

fn wechat() -> ServiceInfo {
    service(
        "wechat",
        "WeChat",
        "微信",
        "your messages and contacts",
        "你的消息和联系人",
    )
}

fn chatgpt() -> ServiceInfo {
    service(
        "chatgpt",
        "ChatGPT",
        "ChatGPT",
        "your prompts and files",
        "你的提问和文件",
    )
}

fn all_clear() -> Vec<Assessment> {
    vec![
        result(
            "weixin.qq.com",
            Some(wechat()),
            Verdict::Ok,
            "CN=DigiCert Global G2, O=DigiCert Inc",
        ),
        result(
            "chatgpt.com",
            Some(chatgpt()),
            Verdict::Ok,
            "CN=WE1, O=Google Trust Services",
        ),
    ]
}

/// The café: its router (one hop away) forges a chain for every built-in
/// service with mitmproxy, and this PC trusts mitmproxy's root.
fn intercepted() -> Vec<Assessment> {
    let k = load_embedded().expect("the built-in pins");
    let product = k.interceptor("mitmproxy").expect("mitmproxy is known");
    k.services
        .iter()
        .map(|s| {
            let host = &s.hosts[0].name;
            let mut a = result(
                host,
                Some(pinwatch::analysis::service_info(s)),
                Verdict::Intercepted,
                "CN=mitmproxy, O=mitmproxy",
            );
            a.interceptor = Some(Attribution::of(
                product,
                MatchedBy::IssuerName,
                "issuer CN=mitmproxy, O=mitmproxy".into(),
            ));
            a.issuer_key = Some("spki:mitm".into());
            a.reasons = vec![Reason::UntrustedRoot, Reason::SystemRootInstalled];
            a.evidence = vec![
                Evidence::Forged {
                    host: host.clone(),
                    store: "webpki-roots (Mozilla)".into(),
                    signer: pinwatch::analysis::Signer::System,
                },
                Evidence::SystemRoot,
                Evidence::SystemRootAt {
                    location: "/usr/local/share/ca-certificates/mitmproxy.crt".into(),
                },
            ];
            a.location = Some(Location {
                place: Place::LocalNetwork,
                hops: Some(1),
                method: LocateMethod::TtlTls,
            });
            a
        })
        .collect()
}

fn portal() -> Vec<Assessment> {
    vec![result(
        "chatgpt.com",
        Some(chatgpt()),
        Verdict::CaptivePortal,
        "",
    )]
}

fn offline() -> Vec<Assessment> {
    [("weixin.qq.com", wechat()), ("chatgpt.com", chatgpt())]
        .into_iter()
        .map(|(host, svc)| {
            let mut a = result(host, Some(svc), Verdict::Unreachable, "");
            a.error = Some(ProbeError::new(Stage::Dns, "no such name"));
            a
        })
        .collect()
}

/// A real journal with an interception of WeChat and ChatGPT that was
/// resolved, read back the way the agent reads it.
fn history(dir: &Path) -> Vec<pinwatch::report::html::PastIncident> {
    let path = dir.join("journal.jsonl");
    let alert = |at: i64, kind: AlertKind, services: &[&str]| Record::Alert {
        at,
        kind,
        services: services.iter().map(ToString::to_string).collect(),
        summary: String::new(),
        shown: true,
    };
    let mut journal = Journal::open(&path).expect("test fixture");
    journal
        .append(&[
            alert(NOW - 10 * 86_400, AlertKind::Suspicious, &["wechat"]),
            alert(NOW - 9 * 86_400, AlertKind::Resolved, &["wechat"]),
            alert(NOW - 7200, AlertKind::Interception, &["wechat", "chatgpt"]),
            alert(NOW - 3600, AlertKind::Resolved, &["wechat", "chatgpt"]),
        ])
        .expect("test fixture");
    drop(journal);
    past_incidents(&read(&path).expect("test fixture").records, NOW)
}

struct Case {
    name: &'static str,
    results: Vec<Assessment>,
    history: bool,
    verdict: &'static str,
    /// Text the page must show, per language.
    en: Vec<String>,
    zh: Vec<String>,
}

fn texts(items: &[&str]) -> Vec<String> {
    items.iter().map(ToString::to_string).collect()
}

fn cases() -> Vec<Case> {
    let when = local_time(NOW);
    vec![
        Case {
            name: "all-clear",
            results: all_clear(),
            history: false,
            verdict: "ok",
            en: vec![
                "All clear: the chat services answered with their genuine certificates.".into(),
                "Network: wlan0, gateway 192.168.1.1".into(),
                format!("Checked at {when}"),
                "No incident in the last 7 days.".into(),
            ],
            zh: vec![
                "一切正常：各聊天服务都使用了真实的证书。".into(),
                "网络：wlan0，网关192.168.1.1".into(),
                format!("检查时间：{when}"),
                "过去7天没有事件。".into(),
            ],
        },
        Case {
            name: "intercepted",
            results: intercepted(),
            history: false,
            verdict: "intercepted",
            en: texts(&[
                "Interception detected: someone can read and change what you send to the services below.",
                "This network is intercepting your encrypted connections",
                "What to do: Do not log in or chat on this network. Use mobile data or another network you trust, and tell the venue.",
                "Readable in full: messages, files and logins",
                "Messages stay encrypted, but logins and files can be read",
                "ChatGPT: ChatGPT relies on TLS alone",
                "Remove the interceptor's root certificate",
                "/usr/local/share/ca-certificates/mitmproxy.crt",
                "sudo update-ca-certificates --fresh",
                "Firefox keeps a store of its own",
                "\"mitmproxy\"",
                "If this computer is not yours",
                "Use your phone on mobile data instead.",
                "Technical evidence",
            ]),
            zh: texts(&[
                "检测到拦截：有人能读取和篡改你发给下列服务的内容。",
                "这个网络正在拦截你的加密连接",
                "怎么办：不要在这个网络上登录或聊天。",
                "消息仍然加密，但登录和文件可被读取",
                "删除拦截者的根证书",
                "如果这台电脑不是你的",
                "技术证据",
            ]),
        },
        Case {
            name: "captive-portal",
            results: portal(),
            history: false,
            verdict: "captive_portal",
            en: texts(&[
                "This network wants you to log in first (a captive portal): open a web page and log in.",
            ]),
            zh: texts(&["这个网络要求先登录（认证页面）：请打开一个网页并登录。"]),
        },
        Case {
            name: "offline",
            results: offline(),
            history: false,
            verdict: "offline",
            en: texts(&["This machine appears to be offline: no name could be resolved."]),
            zh: texts(&["本机似乎没有联网：没有任何域名能解析。"]),
        },
        Case {
            name: "history",
            results: all_clear(),
            history: true,
            verdict: "ok",
            en: vec![
                "Recent incidents (last 7 days)".into(),
                local_time(NOW - 7200),
                local_time(NOW - 3600),
                "Interception".into(),
                "WeChat and ChatGPT".into(),
            ],
            zh: texts(&["最近的事件（过去7天）", "拦截", "微信和ChatGPT"]),
        },
    ]
}

/// Measures, in Chromium at 1280x800, where the bottom of the element
/// `id` of the page at `page` is and how tall the first screen is: a
/// copy of the page with a script that writes both into the DOM.
fn first_screen(page: &Path, id: &str) -> (f64, f64) {
    let html = std::fs::read_to_string(page).expect("test fixture");
    let probe = format!(
        "<script>document.body.setAttribute('data-probe', \
         document.getElementById('{id}').getBoundingClientRect().bottom + ' ' + window.innerHeight)</script></body>"
    );
    let measured = page.with_extension("probe.html");
    std::fs::write(&measured, html.replace("</body>", &probe)).expect("test fixture");
    let profile = tempfile::tempdir().expect("test fixture");
    let url = format!("file://{}", measured.display());
    let (status, dom, stderr) = chromium(
        &["--window-size=1280,800", "--dump-dom", &url],
        profile.path(),
    );
    assert!(status.success(), "chromium failed on {url}: {stderr}");
    let value = dom
        .split("data-probe=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no measurement in {dom}"));
    let mut numbers = value
        .split(' ')
        .map(|n| n.parse::<f64>().expect("a number"));
    (
        numbers.next().expect("the bottom"),
        numbers.next().expect("the height"),
    )
}

fn chromium(args: &[&str], profile: &Path) -> (std::process::ExitStatus, String, String) {
    let mut cmd = Command::new("chromium");
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(args);
    run("chromium", cmd, Duration::from_secs(120))
}

/// The text of `dom`: tags left out, entities decoded.
fn text_of(dom: &str) -> String {
    let mut out = String::with_capacity(dom.len());
    let mut in_tag = false;
    for c in dom.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Every `src`/`href` attribute value in `dom`.
fn links(dom: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["src=\"", "href=\"", "src='", "href='"] {
        let mut rest = dom;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let end = rest.find(['"', '\'']).unwrap_or(rest.len());
            out.push(rest[..end].to_string());
        }
    }
    out
}

#[test]
fn details_page_in_chromium() {
    let Some(()) = require("the details page in Chromium", &[("chromium", "chromium")]) else {
        return;
    };
    let dir = tempfile::tempdir().expect("test fixture");
    let past = history(dir.path());
    assert_eq!(
        past.len(),
        1,
        "the 10-day-old incident is out of the window: {past:?}"
    );
    let shots: PathBuf = if std::env::var_os("PINWATCH_SCREENSHOTS").is_some() {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots")
    } else {
        dir.path().join("screenshots")
    };
    std::fs::create_dir_all(&shots).expect("test fixture");
    for case in cases() {
        for (lang, code, expected) in [
            (Lang::En, "en", case.en.clone()),
            (Lang::Zh, "zh", case.zh.clone()),
        ] {
            let report = Report {
                results: &case.results,
                warnings: &[],
                checked_at: NOW,
                exit_code: 0,
            };
            let context = Context {
                network: Some(Network {
                    interface: Some("wlan0".into()),
                    gateway: Some("192.168.1.1".parse().expect("test fixture")),
                }),
                recent: if case.history { &past } else { &[] },
                ..Context::default()
            };
            let page = dir.path().join(format!("{}-{code}.html", case.name));
            let mut html = Vec::new();
            render(&report, lang, &context, &mut html).expect("test fixture");
            std::fs::write(&page, &html).expect("test fixture");
            let url = format!("file://{}", page.display());
            let profile = tempfile::tempdir().expect("test fixture");
            let (status, dom, stderr) = chromium(&["--dump-dom", &url], profile.path());
            assert!(status.success(), "chromium failed on {url}: {stderr}");
            let what = format!("{} ({code})", case.name);
            assert!(
                dom.contains(&format!("data-verdict=\"{}\"", case.verdict)),
                "{what}: banner verdict {} missing:\n{dom}",
                case.verdict
            );
            assert_eq!(
                dom.matches("id=\"banner\"").count(),
                1,
                "{what}: one banner"
            );
            let shown = text_of(&dom);
            for text in &expected {
                assert!(
                    shown.contains(text.as_str()),
                    "{what}: {text:?} missing:\n{shown}"
                );
            }
            if case.verdict == "intercepted" {
                assert_eq!(
                    dom.matches("class=\"incident intercepted\"").count(),
                    1,
                    "{what}: one block for one interceptor"
                );
                // The action comes before the exposure, and the exposure
                // before the evidence; the groups are collapsed.
                let at = |needle: &str| {
                    dom.find(needle)
                        .unwrap_or_else(|| panic!("{what}: {needle}"))
                };
                assert!(at("id=\"action\"") < at("class=\"group\""), "{what}");
                assert!(at("class=\"group\"") < at("class=\"evidence\""), "{what}");
                assert!(
                    !dom.contains("class=\"group\" open"),
                    "{what}: groups collapsed"
                );
                // Library names stay in the technical evidence.
                let mut outside = String::new();
                let mut rest = dom.as_str();
                while let Some(i) = rest.find("<details class=\"evidence\">") {
                    outside.push_str(&rest[..i]);
                    rest = rest[i..].split_once("</details>").map_or("", |(_, r)| r);
                }
                outside.push_str(rest);
                assert!(
                    dom.contains("webpki-roots"),
                    "{what}: the evidence is there"
                );
                assert!(
                    !outside.contains("webpki-roots"),
                    "{what}: no library names outside the evidence"
                );
                let (bottom, height) = first_screen(&page, "action");
                assert!(
                    height >= 600.0 && bottom <= height,
                    "{what}: the action ends at {bottom} px, the first screen at {height} px"
                );
            }
            assert!(
                dom.contains("<details id=\"hosts\">"),
                "{what}: hosts collapsed"
            );
            assert!(
                !dom.contains("<details id=\"hosts\" open"),
                "{what}: hosts collapsed"
            );
            assert!(links(&dom).is_empty(), "{what}: loads {:?}", links(&dom));
            assert!(!dom.contains("<script"), "{what}: has a script");
            assert!(!dom.contains("<link"), "{what}: has a link element");
            let shot = shots.join(format!("details-{}-{code}.png", case.name));
            let profile = tempfile::tempdir().expect("test fixture");
            let (status, _, stderr) = chromium(
                &[
                    &format!("--screenshot={}", shot.display()),
                    "--window-size=1280,800",
                    &url,
                ],
                profile.path(),
            );
            assert!(status.success(), "{what}: screenshot failed: {stderr}");
            let png = std::fs::read(&shot).expect("test fixture");
            assert!(png.starts_with(b"\x89PNG"), "{what}: not a PNG");
        }
    }
    // Dark mode: the page follows prefers-color-scheme (Chromium's
    // --force-dark-mode sets it); the background pixel says which it used.
    let Some(()) = require(
        "the details page in dark mode",
        &[("convert", "imagemagick")],
    ) else {
        return;
    };
    let page = dir.path().join("intercepted-en.html");
    let url = format!("file://{}", page.display());
    let background = |dark: bool, shot: &Path| {
        let profile = tempfile::tempdir().expect("test fixture");
        let mut args = vec![
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,800".to_string(),
        ];
        if dark {
            args.push("--force-dark-mode".into());
        }
        args.push(url.clone());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (status, _, stderr) = chromium(&args, profile.path());
        assert!(status.success(), "screenshot failed: {stderr}");
        let mut cmd = Command::new("convert");
        cmd.arg(shot).args(["-format", "%[pixel:p{5,5}]", "info:"]);
        let (status, pixel, stderr) = run("convert", cmd, Duration::from_secs(60));
        assert!(status.success(), "convert failed: {stderr}");
        pixel.trim().to_string()
    };
    assert_eq!(
        background(false, &dir.path().join("light.png")),
        "srgb(255,255,255)"
    );
    assert_eq!(
        background(true, &shots.join("details-intercepted-en-dark.png")),
        "srgb(13,17,23)"
    );
}
