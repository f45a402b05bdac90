//! The details page the tray's "Show details" opens: a self-contained HTML
//! file in the user's language. It leads with the answer (one banner), then
//! for each incident what happens and where, and what to do there first;
//! then what is exposed, the services grouped by what an interceptor can
//! read (each group collapsed); how to remove the interceptor's root where
//! this machine trusts it; what to do on a computer that is not yours; and
//! the technical evidence under a heading of its own, collapsed. Then the
//! hosts and chains (collapsed) and the recent incidents. Every sentence is
//! `report::incident`'s, the words the notification and the text report
//! use. Times are local, with their offset.
//!
//! Inline CSS only (light and dark), no scripts, nothing loaded from the
//! network; every string is escaped for HTML and made inert
//! (`util::inert`: controls and bidirectional overrides shown escaped).
//! Pure: the agent gathers the network and the recent incidents and passes
//! them in.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::net::Ipv4Addr;

use super::Report;
use super::incident::{self, result_advice, result_headline, short_issuer, verdict_label};
use super::text;
use crate::analysis::incident::{Incident, incidents};
use crate::analysis::{Assessment, Evidence, Verdict};
use crate::i18n::Lang;
use crate::util::local_time;

/// How many services a sentence of the page names before "and N more"
/// (the exposure groups below name them all).
const PAGE_NAMES: usize = 6;

/// How far back the page lists incidents from the journal.
pub(crate) const RECENT_SECONDS: i64 = 7 * 24 * 3600;

/// Escapes text for HTML element content and attribute values, after
/// making it inert (controls, bidirectional overrides and invisible
/// characters shown escaped): [`crate::util::markup`].
pub(crate) fn escape(s: &str) -> String {
    crate::util::markup(s)
}

/// Text for the page: inert (controls and bidi overrides shown escaped),
/// then escaped for HTML.
fn e(s: &str) -> String {
    escape(s)
}

/// The network the check ran on, as far as it is known.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Network {
    /// The default route's interface (`wlan0`).
    pub interface: Option<String>,
    /// The default route's gateway address.
    pub gateway: Option<Ipv4Addr>,
}

/// What a past incident was about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PastKind {
    /// Someone could read the traffic.
    Interception,
    /// A certificate that was not quite right.
    Suspicious,
    /// A login page in the way.
    CaptivePortal,
}

impl PastKind {
    fn key(self) -> &'static str {
        match self {
            PastKind::Interception => "details-kind-interception",
            PastKind::Suspicious => "details-kind-suspicious",
            PastKind::CaptivePortal => "details-kind-captive-portal",
        }
    }
}

/// An incident the agent alerted about (rebuilt from its journal).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PastIncident {
    /// What it was.
    pub kind: PastKind,
    /// When the alert was raised (seconds since the epoch).
    pub started: i64,
    /// When its last service was resolved; `None` while it goes on.
    pub ended: Option<i64>,
    /// The services concerned (journal keys).
    pub services: Vec<String>,
}

/// What the page's banner says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Banner {
    /// Every service that answered sent its genuine chain.
    AllClear,
    /// Chains were forged, only by interceptors the administrator runs on
    /// purpose (sanctioned): calm, never all clear.
    Sanctioned,
    /// At least one chain was forged.
    Intercepted,
    /// Something is off, without proof of interception.
    Suspicious,
    /// A login page stands in the way.
    CaptivePortal,
    /// Nothing could be reached: no name resolved, or no route.
    Offline(&'static str),
    /// Nothing answered, though the machine seems online.
    Unreachable,
}

impl Banner {
    /// The banner for `results`: the most serious standing wins (an
    /// interception by a sanctioned interceptor stands as ok, and shows as
    /// [`Banner::Sanctioned`] when nothing else needs attention).
    pub fn of(results: &[Assessment]) -> Banner {
        let any = |v: Verdict| results.iter().any(|a| a.standing() == v);
        if any(Verdict::Intercepted) {
            Banner::Intercepted
        } else if any(Verdict::Suspicious) {
            Banner::Suspicious
        } else if any(Verdict::CaptivePortal) {
            Banner::CaptivePortal
        } else if let Some(why) = text::offline(results) {
            Banner::Offline(why)
        } else if results.iter().any(sanctioned) {
            Banner::Sanctioned
        } else if any(Verdict::Ok) {
            Banner::AllClear
        } else {
            Banner::Unreachable
        }
    }

    /// The stable name used as the banner's `data-verdict`.
    pub fn as_str(self) -> &'static str {
        match self {
            Banner::AllClear => "ok",
            Banner::Sanctioned => "sanctioned",
            Banner::Intercepted => "intercepted",
            Banner::Suspicious => "suspicious",
            Banner::CaptivePortal => "captive_portal",
            Banner::Offline(_) => "offline",
            Banner::Unreachable => "unreachable",
        }
    }

    fn text(self, lang: Lang, results: &[Assessment]) -> String {
        match self {
            Banner::AllClear => lang.tr("details-banner-ok"),
            Banner::Sanctioned => {
                let inspected: Vec<&Assessment> =
                    results.iter().filter(|a| sanctioned(a)).collect();
                lang.tr_args(
                    "details-banner-sanctioned",
                    &[("note", incident::sanction_notes(lang, &inspected))],
                )
            }
            Banner::Intercepted => lang.tr("details-banner-intercepted"),
            Banner::Suspicious => lang.tr("details-banner-suspicious"),
            Banner::CaptivePortal => lang.tr("details-banner-captive-portal"),
            Banner::Offline(why) => lang.tr_args("offline", &[("why", lang.tr(why))]),
            Banner::Unreachable => lang.tr("details-banner-unreachable"),
        }
    }
}

/// The system the page is written for: it decides how removing a root is
/// explained (Debian's `update-ca-certificates`, or Windows' certificate
/// managers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Platform {
    /// Linux and other Unix systems.
    Unix,
    /// Windows.
    Windows,
}

impl Default for Platform {
    /// The platform pinwatch was built for.
    fn default() -> Platform {
        if cfg!(windows) {
            Platform::Windows
        } else {
            Platform::Unix
        }
    }
}

/// An interception by an interceptor the administrator sanctioned.
fn sanctioned(a: &Assessment) -> bool {
    a.verdict == Verdict::Intercepted && a.sanctioned.is_some()
}

/// What the page shows besides the report.
#[derive(Clone, Debug, Default)]
pub struct Context<'a> {
    /// The network the check ran on (`None`: unknown).
    pub network: Option<Network>,
    /// Recent incidents, newest first.
    pub recent: &'a [PastIncident],
    /// The system the page's removal steps are for.
    pub platform: Platform,
}

const STYLE: &str = "\
:root{color-scheme:light dark;--fg:#1f2328;--bg:#fff;--muted:#57606a;--line:#d0d7de;\
--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--info:#0969da;--off:#57606a;--calm:#8250df}\
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#8d96a0;--line:#30363d;\
--ok:#3fb950;--bad:#f85149;--warn:#d29922;--info:#58a6ff;--off:#8d96a0;--calm:#a371f7}}\
body{font-family:system-ui,sans-serif;color:var(--fg);background:var(--bg);max-width:48em;\
margin:1.5em auto;padding:0 1em;line-height:1.5;font-size:16px}\
h1{font-size:1.3em;margin:.2em 0}h2{font-size:1.15em;margin:.6em 0 .3em}h3{font-size:1em;margin:1em 0 .3em}\
.banner{border-left:.4em solid var(--c);padding:.6em 1em;margin:1em 0;font-size:1.15em;font-weight:600;\
background:color-mix(in srgb,var(--c) 12%,transparent)}\
.ok{--c:var(--ok)}.sanctioned{--c:var(--calm)}.intercepted{--c:var(--bad)}.suspicious{--c:var(--warn)}\
.captive_portal{--c:var(--info)}.offline,.unreachable{--c:var(--off)}\
.meta,.hint,small{color:var(--muted)}\
.incident{border:1px solid var(--line);border-left:.3em solid var(--c);border-radius:6px;padding:.2em 1em .6em;margin:.8em 0}\
.action{font-size:1.1em;padding:.5em .8em;border-radius:4px;background:color-mix(in srgb,var(--c) 10%,transparent)}\
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3em .5em;border-bottom:1px solid var(--line);vertical-align:top}\
code{font-size:.85em;word-break:break-all}details{margin:.5em 0}summary{cursor:pointer}\
details>summary b{font-weight:600}pre{white-space:pre-wrap;background:color-mix(in srgb,var(--fg) 6%,transparent);padding:.4em .6em;border-radius:4px}\
.host{border-top:1px solid var(--line);padding:.4em 0}.v{font-weight:600;color:var(--c)}";

fn name_of(lang: Lang, a: &Assessment) -> String {
    a.service.as_ref().map_or_else(
        || a.target.to_string(),
        |s| lang.pick(&s.display_name, &s.display_name_zh).to_string(),
    )
}

fn class(v: Verdict) -> &'static str {
    match v {
        Verdict::Ok => "ok",
        Verdict::Suspicious => "suspicious",
        Verdict::Intercepted => "intercepted",
        Verdict::CaptivePortal => "captive_portal",
        Verdict::Unreachable => "unreachable",
    }
}

/// `<b>Label:</b> text`, with the language's colon.
fn labelled(lang: Lang, key: &str, text: &str) -> String {
    let label = lang.tr(key);
    let label = label.trim_end_matches([':', '：', ' ']);
    format!("<b>{}{}</b>{}", e(label), e(incident::colon(lang)), e(text))
}

/// Writes the details page for `report`.
pub fn render(
    report: &Report<'_>,
    lang: Lang,
    context: &Context<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut h = String::new();
    let html_lang = if lang == Lang::Zh { "zh-CN" } else { "en" };
    let title = lang.tr("details-title");
    let banner = Banner::of(report.results);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{html_lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n\
         <p id=\"banner\" class=\"banner {}\" data-verdict=\"{}\">{}</p>\n",
        e(&title),
        e(&title),
        banner.as_str(),
        banner.as_str(),
        e(&banner.text(lang, report.results)),
    );
    found(&mut h, report.results, lang, context.platform);
    let network = match &context.network {
        Some(Network {
            interface: Some(interface),
            gateway: Some(gateway),
        }) => lang.tr_args(
            "details-network",
            &[
                ("interface", interface.clone()),
                ("gateway", gateway.to_string()),
            ],
        ),
        Some(Network {
            interface: Some(interface),
            gateway: None,
        }) => lang.tr_args(
            "details-network-interface",
            &[("interface", interface.clone())],
        ),
        _ => lang.tr("details-network-unknown"),
    };
    let _ = writeln!(
        h,
        "<p class=\"meta\"><span id=\"checked\">{}</span><br><span id=\"network\">{}</span></p>",
        e(&lang.tr_args(
            "details-checked-at",
            &[("time", local_time(report.checked_at))]
        )),
        e(&network)
    );
    hosts(&mut h, report.results, lang);
    recent(&mut h, report.results, context.recent, lang);
    let _ = write!(
        h,
        "<p class=\"hint\">{}</p>\n</body>\n</html>\n",
        e(&lang.tr("details-copy-hint"))
    );
    out.write_all(h.as_bytes())
}

/// One block per incident, then one per other result that needs attention.
fn found(h: &mut String, results: &[Assessment], lang: Lang, platform: Platform) {
    let grouped = incidents(results);
    let others: Vec<&Assessment> = results
        .iter()
        .filter(|a| matches!(a.verdict, Verdict::Suspicious | Verdict::CaptivePortal))
        .collect();
    if grouped.is_empty() && others.is_empty() {
        return;
    }
    let _ = writeln!(h, "<section id=\"found\">");
    for (i, found) in grouped.iter().enumerate() {
        interception(h, found, i, results, lang, platform);
    }
    for a in others {
        let _ = writeln!(
            h,
            "<div class=\"incident {}\"><h2>{}{}{}</h2>",
            class(a.verdict),
            e(&name_of(lang, a)),
            e(incident::colon(lang)),
            e(&result_headline(lang, a))
        );
        if let Some(todo) = result_advice(lang, a) {
            let _ = writeln!(
                h,
                "<p class=\"action\">{}</p>",
                labelled(lang, "label-what-to-do", &todo)
            );
        }
        if let (Verdict::Suspicious, Some(s)) = (a.verdict, &a.service) {
            let _ = writeln!(
                h,
                "<p>{}</p>",
                labelled(
                    lang,
                    "label-what-it-exposes",
                    lang.pick(&s.exposes, &s.exposes_zh)
                )
            );
        }
        evidence(h, a, lang);
        h.push_str("</div>\n");
    }
    h.push_str("</section>\n");
}

/// One interceptor: what and where, the action, who and the trust, the
/// exposure by group, removing its root, someone else's computer, the
/// evidence.
fn interception(
    h: &mut String,
    found: &Incident,
    i: usize,
    results: &[Assessment],
    lang: Lang,
    platform: Platform,
) {
    let id = if i == 0 {
        String::new()
    } else {
        format!("-{}", i + 1)
    };
    // An interceptor the administrator runs on purpose: said calmly, and
    // its root is not for removing.
    let note = found
        .sanctioned
        .as_ref()
        .map(|s| crate::util::inert_capped(&s.note, 64).into_owned());
    let (class, title, action) = match &note {
        Some(note) => (
            "sanctioned",
            lang.tr("details-sanctioned-title"),
            lang.tr_args("details-sanctioned-action", &[("note", note.clone())]),
        ),
        None => (
            "intercepted",
            incident::title(lang, found),
            incident::action(lang, found),
        ),
    };
    let _ = write!(
        h,
        "<div class=\"incident {class}\" id=\"incident{id}\">\n<h2 id=\"title{id}\">{}</h2>\n\
         <p class=\"action\" id=\"action{id}\">{}</p>\n",
        e(&title),
        labelled(lang, "label-what-to-do", &action),
    );
    let more = match &note {
        Some(note) => lang.tr_args("sanctioned-line", &[("note", note.clone())]),
        None => incident::more_advice(lang, found),
    };
    if !more.is_empty() {
        let _ = writeln!(h, "<p>{}</p>", e(&more));
    }
    let _ = writeln!(
        h,
        "<p>{} {}</p>",
        e(&incident::headline_capped(lang, found, PAGE_NAMES)),
        e(&incident::trust(lang, found))
    );
    let _ = writeln!(h, "<h3>{}</h3>", e(&lang.tr("details-exposed")));
    let exposes: HashMap<String, String> = found
        .services
        .iter()
        .map(|s| {
            (
                lang.pick(&s.display_name, &s.display_name_zh).to_string(),
                lang.pick(&s.exposes, &s.exposes_zh).to_string(),
            )
        })
        .collect();
    for (exposure, names) in incident::exposure_groups(lang, found) {
        let _ = writeln!(
            h,
            "<details class=\"group\" data-exposure=\"{}\"><summary><b>{}</b>{}{}</summary><ul>",
            exposure.as_str(),
            e(&incident::group_heading(lang, exposure)),
            e(incident::colon(lang)),
            e(&incident::join_capped(lang, &names, incident::NAMES_SHOWN)),
        );
        for name in &names {
            match exposes.get(name) {
                Some(text) => {
                    let _ = writeln!(
                        h,
                        "<li><b>{}</b>{}{}</li>",
                        e(name),
                        e(incident::colon(lang)),
                        e(text)
                    );
                }
                None => {
                    let _ = writeln!(h, "<li><b>{}</b></li>", e(name));
                }
            }
        }
        h.push_str("</ul></details>\n");
    }
    let members = incident::members(found, results);
    if note.is_none() {
        if found.trusted_here {
            remove_root(h, found, &members, lang, platform);
        }
        let _ = writeln!(
            h,
            "<h3>{}</h3>\n<p id=\"not-yours{id}\">{}</p>",
            e(&lang.tr("details-not-yours")),
            e(&lang.tr("details-not-yours-text"))
        );
    }
    if let Some(first) = members.first() {
        evidence(h, first, lang);
    }
    h.push_str("</div>\n");
}

/// Where this machine trusts the interceptor's root, and how to remove it:
/// the system store (Debian and its derivatives, or Windows' stores),
/// Firefox's own store.
fn remove_root(
    h: &mut String,
    found: &Incident,
    members: &[&Assessment],
    lang: Lang,
    platform: Platform,
) {
    let mut files: Vec<&str> = Vec::new();
    for a in members {
        for ev in &a.evidence {
            if let Evidence::SystemRootAt { location } = ev {
                if !files.contains(&location.as_str()) {
                    files.push(location);
                }
            }
        }
    }
    let issuer = found
        .issuer
        .split(", ")
        .find_map(|p| p.strip_prefix("CN="))
        .unwrap_or(&found.issuer);
    let _ = writeln!(
        h,
        "<h3>{}</h3>\n<ul id=\"remove-root\">",
        e(&lang.tr("details-remove-root"))
    );
    match platform {
        Platform::Unix => remove_unix(h, &files, lang),
        Platform::Windows => remove_windows(h, &files, issuer, lang),
    }
    // Firefox keeps a store of its own in each profile.
    let _ = writeln!(
        h,
        "<li id=\"remove-firefox\">{}</li>",
        e(&lang.tr_args("details-remove-firefox", &[("issuer", issuer.to_string())]))
    );
    h.push_str("</ul>\n");
}

/// This machine's system store on Debian, Ubuntu and their derivatives.
fn remove_unix(h: &mut String, files: &[&str], lang: Lang) {
    let installed = if files.is_empty() {
        lang.tr("details-remove-system-unknown")
    } else {
        lang.tr_args("details-remove-system", &[("files", files.join(", "))])
    };
    let _ = writeln!(
        h,
        "<li id=\"remove-system\">{}<pre>sudo update-ca-certificates --fresh</pre></li>",
        e(&installed)
    );
}

/// The store a Windows location names (`Windows store
/// LocalMachine\Root, Group Policy (HKLM\...)`: `LocalMachine\Root, Group
/// Policy`), as `roots::windows` writes them.
fn windows_store(location: &str) -> Option<&str> {
    let rest = location.strip_prefix("Windows store ")?;
    Some(rest.split(" (").next().unwrap_or(rest))
}

/// Windows' stores: the user's own (certmgr.msc), or the computer's, which
/// only an administrator changes (on a café's PC: the café), each named.
fn remove_windows(h: &mut String, locations: &[&str], issuer: &str, lang: Lang) {
    let stores: Vec<&str> = locations.iter().filter_map(|l| windows_store(l)).collect();
    // The user's own store is the plain CurrentUser one: its Group Policy
    // store is written by the policy, not by the user.
    let (user, machine): (Vec<&str>, Vec<&str>) = stores
        .iter()
        .partition(|s| s.starts_with("CurrentUser\\") && !s.contains(','));
    let issuer = || ("issuer", issuer.to_string());
    if user.is_empty() && machine.is_empty() {
        let _ = writeln!(
            h,
            "<li id=\"remove-windows\">{}</li>",
            e(&lang.tr_args("details-remove-windows-unknown", &[issuer()]))
        );
        return;
    }
    if !user.is_empty() {
        let _ = writeln!(
            h,
            "<li id=\"remove-windows-user\">{}</li>",
            e(&lang.tr_args(
                "details-remove-windows-user",
                &[("stores", user.join(", ")), issuer()]
            ))
        );
    }
    if !machine.is_empty() {
        let mut text = lang.tr_args(
            "details-remove-windows-machine",
            &[("stores", machine.join(", ")), issuer()],
        );
        if machine
            .iter()
            .any(|s| s.contains("Group Policy") || s.contains("Enterprise"))
        {
            text = format!("{text} {}", lang.tr("details-remove-windows-policy"));
        }
        let _ = writeln!(
            h,
            "<li id=\"remove-windows-machine\">{} <b>{}</b></li>",
            e(&text),
            e(&lang.tr("details-remove-windows-cafe"))
        );
    }
}

/// The evidence of `a`, under a heading of its own, collapsed.
fn evidence(h: &mut String, a: &Assessment, lang: Lang) {
    if a.evidence.is_empty() {
        return;
    }
    let _ = writeln!(
        h,
        "<details class=\"evidence\"><summary><b>{}</b></summary><ul>",
        e(&lang.tr("details-evidence"))
    );
    for ev in &a.evidence {
        let _ = writeln!(h, "<li>{}</li>", e(&super::evidence::words(lang, ev)));
    }
    h.push_str("</ul></details>\n");
}

/// Every host with its verdict and chain, collapsed.
fn hosts(h: &mut String, results: &[Assessment], lang: Lang) {
    if results.is_empty() {
        return;
    }
    let _ = writeln!(
        h,
        "<details id=\"hosts\"><summary><b>{}</b></summary>",
        e(&lang.tr_args("details-hosts", &[("n", results.len().to_string())]))
    );
    for a in results {
        let detail = match a.verdict {
            Verdict::Unreachable => a
                .error
                .as_ref()
                .map_or_else(|| result_headline(lang, a), ToString::to_string),
            _ if a.chain.is_empty() => result_headline(lang, a),
            _ => lang.tr_args("detail-issuer", &[("issuer", short_issuer(a))]),
        };
        let _ = writeln!(
            h,
            "<div class=\"host {}\"><b>{}</b> <small>{}</small><br><span class=\"v\">{}</span>{}{}",
            if sanctioned(a) {
                "sanctioned"
            } else {
                class(a.verdict)
            },
            e(&name_of(lang, a)),
            e(&a.target.to_string()),
            e(&verdict_label(lang, a.verdict)),
            e(incident::colon(lang)),
            e(&detail)
        );
        if !a.chain.is_empty() {
            let _ = writeln!(
                h,
                "<details><summary>{}</summary><ol>",
                e(&lang.tr("details-chain"))
            );
            for c in &a.chain {
                let _ = writeln!(
                    h,
                    "<li>{}<br><small>{}</small><br><code>{}</code></li>",
                    e(&c.subject),
                    e(&c.issuer),
                    e(&c.spki_sha256)
                );
            }
            h.push_str("</ol></details>\n");
        }
        h.push_str("</div>\n");
    }
    h.push_str("</details>\n");
}

/// The recent incidents table.
fn recent(h: &mut String, results: &[Assessment], recent: &[PastIncident], lang: Lang) {
    let _ = writeln!(
        h,
        "<section id=\"recent\"><h2>{}</h2>",
        e(&lang.tr("details-recent"))
    );
    if recent.is_empty() {
        let _ = writeln!(h, "<p>{}</p></section>", e(&lang.tr("details-recent-none")));
        return;
    }
    let names: HashMap<&str, String> = results
        .iter()
        .filter_map(|a| a.service.as_ref())
        .map(|s| {
            (
                s.name.as_str(),
                lang.pick(&s.display_name, &s.display_name_zh).to_string(),
            )
        })
        .collect();
    let _ = writeln!(
        h,
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        e(&lang.tr("details-recent-started")),
        e(&lang.tr("details-recent-ended")),
        e(&lang.tr("details-recent-kind")),
        e(&lang.tr("details-recent-services")),
    );
    for past in recent {
        let services: Vec<String> = past
            .services
            .iter()
            .map(|s| names.get(s.as_str()).cloned().unwrap_or_else(|| s.clone()))
            .collect();
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            e(&local_time(past.started)),
            e(&past
                .ended
                .map_or_else(|| lang.tr("details-recent-ongoing"), local_time)),
            e(&lang.tr(past.kind.key())),
            e(&incident::join_capped(lang, &services, PAGE_NAMES))
        );
    }
    h.push_str("</tbody></table></section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_that_matters() {
        assert_eq!(
            escape("<script>\"a\"&'b'</script>"),
            "&lt;script&gt;&quot;a&quot;&amp;&apos;b&apos;&lt;/script&gt;"
        );
        assert_eq!(escape("\u{202e}2G tooR\x1b[2J"), "\\u{202e}2G tooR\\x1b[2J");
        assert_eq!(e("\u{202e}<b>x\x1b"), "\\u{202e}&lt;b&gt;x\\x1b");
    }

    #[test]
    fn renders_an_empty_report_in_chinese() {
        let report = Report {
            results: &[],
            warnings: &[],
            checked_at: 0,
            exit_code: 3,
        };
        let mut out = Vec::new();
        render(&report, Lang::Zh, &Context::default(), &mut out).unwrap();
        let page = String::from_utf8(out).unwrap();
        assert!(page.contains("<html lang=\"zh-CN\">"));
        assert!(page.contains("连接检查报告"));
        assert!(page.contains("网络：未知"));
    }

    #[test]
    fn a_sanctioned_interceptor_has_a_calm_banner_until_another_one_appears() {
        use crate::target::Target;
        let office = Assessment {
            sanctioned: Some(crate::analysis::Sanction {
                key: "office-key".into(),
                note: "总部 <b>网关</b>\u{202e}".into(),
            }),
            issuer_key: Some("office-key".into()),
            ..Assessment::bare(Target::new("qq.com", 443).unwrap(), Verdict::Intercepted)
        };
        let page = |results: &[Assessment]| {
            let report = Report {
                results,
                warnings: &[],
                checked_at: 0,
                exit_code: 0,
            };
            let mut out = Vec::new();
            render(&report, Lang::Zh, &Context::default(), &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        let calm = page(std::slice::from_ref(&office));
        assert!(
            calm.contains(
                "data-verdict=\"sanctioned\">你所在的机构会检查这些连接（总部 &lt;b&gt;网关&lt;/b&gt;\\u{202e}）："
            ),
            "{calm}"
        );
        assert!(
            calm.contains("<h2 id=\"title\">你所在的机构会检查这些连接</h2>"),
            "{calm}"
        );
        assert!(!calm.contains("id=\"remove-root\""), "{calm}");

        let other = Assessment {
            issuer_key: Some("someone-else".into()),
            ..Assessment::bare(Target::new("wx.qq.com", 443).unwrap(), Verdict::Intercepted)
        };
        let alarmed = page(&[office, other]);
        assert!(
            alarmed.contains("data-verdict=\"intercepted\""),
            "{alarmed}"
        );
        assert!(
            alarmed.contains("<div class=\"incident sanctioned\" id=\"incident\">")
                && alarmed.contains("<div class=\"incident intercepted\" id=\"incident-2\">"),
            "{alarmed}"
        );
    }

    #[test]
    fn names_the_windows_store_and_who_can_remove_the_root() {
        let user = "Windows store CurrentUser\\Root (HKCU\\Software\\Microsoft\\SystemCertificates\\Root\\Certificates)";
        let policy = "Windows store LocalMachine\\Root, Group Policy (HKLM\\SOFTWARE\\Policies\\Microsoft\\SystemCertificates\\Root\\Certificates)";
        assert_eq!(windows_store(user), Some("CurrentUser\\Root"));
        assert_eq!(
            windows_store(policy),
            Some("LocalMachine\\Root, Group Policy")
        );
        assert_eq!(
            windows_store("/usr/local/share/ca-certificates/x.crt"),
            None
        );

        let mut h = String::new();
        remove_windows(&mut h, &[user], "Cafe <Filter>", Lang::En);
        assert!(h.contains("<li id=\"remove-windows-user\">"), "{h}");
        assert!(
            h.contains("your own certificate store (CurrentUser\\Root)"),
            "{h}"
        );
        assert!(
            h.contains("certmgr.msc") && h.contains("&quot;Cafe &lt;Filter&gt;&quot;"),
            "{h}"
        );
        assert!(
            !h.contains("remove-windows-machine") && !h.contains("café"),
            "{h}"
        );

        let mut h = String::new();
        remove_windows(&mut h, &[policy], "Cafe Filter", Lang::En);
        assert!(h.contains("<li id=\"remove-windows-machine\">"), "{h}");
        assert!(h.contains("this computer&apos;s store (LocalMachine\\Root, Group Policy), which only an administrator can change"), "{h}");
        assert!(
            h.contains("Manage computer certificates") && h.contains("Group Policy put it there"),
            "{h}"
        );
        assert!(
            h.contains("<b>On a café&apos;s computer, that administrator is the café"),
            "{h}"
        );

        let mut h = String::new();
        remove_windows(&mut h, &[], "Cafe Filter", Lang::Zh);
        assert!(h.contains("<li id=\"remove-windows\">"), "{h}");
        assert!(
            h.contains("管理用户证书") && h.contains("管理计算机证书"),
            "{h}"
        );
    }
}
