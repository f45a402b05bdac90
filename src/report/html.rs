//! The details page the tray's "Show details" opens: a self-contained HTML
//! file in the user's language that leads with the answer (one banner),
//! says when and on which network the check ran, explains each incident in
//! the words the text report and notifications use, keeps hosts and chains
//! collapsed below, and ends with the recent incidents from the journal.
//! Inline CSS only (light and dark), no scripts, nothing loaded from the
//! network. Pure: the agent gathers the network and the journal's records
//! and passes them in.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::net::Ipv4Addr;

use super::Report;
use super::incident;
use super::text::{self, headline, verdict_label, what_to_do};
use crate::agent::journal::Record;
use crate::analysis::incident::incidents;
use crate::analysis::{Assessment, Verdict};
use crate::i18n::Lang;
use crate::util::rfc3339;

/// How far back the page lists incidents from the journal.
pub const RECENT_SECONDS: i64 = 7 * 24 * 3600;

/// Escapes text for HTML element content and attribute values, after
/// making it inert (controls, bidirectional overrides and invisible
/// characters shown escaped): [`crate::util::markup`].
pub fn escape(s: &str) -> String {
    crate::util::markup(s)
}

/// The network the check ran on, as far as it is known.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Network {
    /// The default route's interface (`wlan0`).
    pub interface: Option<String>,
    /// The default route's gateway address.
    pub gateway: Option<Ipv4Addr>,
}

impl Network {
    /// The default route in the text of Linux's `/proc/net/route`; `None`
    /// when there is none (or the text is not such a table).
    pub fn from_proc_route(text: &str) -> Option<Network> {
        text.lines().skip(1).find_map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let (iface, dest, gateway, mask) =
                (cols.first()?, cols.get(1)?, cols.get(2)?, cols.get(7)?);
            if *dest != "00000000" || *mask != "00000000" {
                return None;
            }
            // The kernel prints the address's bytes as a native-endian number.
            let gateway = u32::from_str_radix(gateway, 16)
                .ok()
                .map(|n| Ipv4Addr::from(n.to_ne_bytes()))
                .filter(|ip| !ip.is_unspecified());
            Some(Network {
                interface: Some((*iface).to_string()),
                gateway,
            })
        })
    }
}

/// An incident the agent alerted about, rebuilt from the journal's alert
/// records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PastIncident {
    /// `interception`, `suspicious` or `captive_portal`.
    pub kind: String,
    /// When the alert was raised (seconds since the epoch).
    pub started: i64,
    /// When its last service was resolved; `None` while it goes on.
    pub ended: Option<i64>,
    /// The services concerned (journal keys).
    pub services: Vec<String>,
}

/// The incidents of the last [`RECENT_SECONDS`] before `now` (started, or
/// still going on, in that window), newest first, from the journal's
/// records: an `interception`, `suspicious` or `captive_portal` alert
/// starts one; `resolved` alerts end it once every service it named is
/// resolved. A later alert about a service moves it to the new incident.
pub fn recent_incidents<'r>(
    records: impl IntoIterator<Item = &'r Record>,
    now: i64,
) -> Vec<PastIncident> {
    let mut all: Vec<(PastIncident, Vec<String>)> = Vec::new();
    let close = |all: &mut Vec<(PastIncident, Vec<String>)>, service: &str, at: i64| {
        for (past, open) in all.iter_mut() {
            if let Some(i) = open.iter().position(|s| s == service) {
                open.remove(i);
                if open.is_empty() {
                    past.ended = Some(at);
                }
            }
        }
    };
    for record in records {
        let Record::Alert {
            at, kind, services, ..
        } = record
        else {
            continue;
        };
        match kind.as_str() {
            "interception" | "suspicious" | "captive_portal" => {
                for s in services {
                    close(&mut all, s, *at);
                }
                all.push((
                    PastIncident {
                        kind: kind.clone(),
                        started: *at,
                        ended: None,
                        services: services.clone(),
                    },
                    services.clone(),
                ));
            }
            "resolved" => {
                for s in services {
                    close(&mut all, s, *at);
                }
            }
            _ => {}
        }
    }
    let since = now.saturating_sub(RECENT_SECONDS);
    let mut recent: Vec<PastIncident> = all
        .into_iter()
        .map(|(past, _)| past)
        .filter(|p| p.started >= since || p.ended.is_none_or(|end| end >= since))
        .collect();
    recent.reverse();
    recent
}

/// What the page's banner says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Banner {
    /// Every service that answered sent its genuine chain.
    AllClear,
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
    /// The banner for `results`: the most serious verdict wins.
    pub fn of(results: &[Assessment]) -> Banner {
        let any = |v: Verdict| results.iter().any(|a| a.verdict == v);
        if any(Verdict::Intercepted) {
            Banner::Intercepted
        } else if any(Verdict::Suspicious) {
            Banner::Suspicious
        } else if any(Verdict::CaptivePortal) {
            Banner::CaptivePortal
        } else if let Some(why) = text::offline(results) {
            Banner::Offline(why)
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
            Banner::Intercepted => "intercepted",
            Banner::Suspicious => "suspicious",
            Banner::CaptivePortal => "captive_portal",
            Banner::Offline(_) => "offline",
            Banner::Unreachable => "unreachable",
        }
    }

    fn text(self, lang: Lang) -> String {
        match self {
            Banner::AllClear => lang.tr("details-banner-ok"),
            Banner::Intercepted => lang.tr("details-banner-intercepted"),
            Banner::Suspicious => lang.tr("details-banner-suspicious"),
            Banner::CaptivePortal => lang.tr("details-banner-captive-portal"),
            Banner::Offline(why) => lang.tr_args("offline", &[("why", lang.tr(why))]),
            Banner::Unreachable => lang.tr("details-banner-unreachable"),
        }
    }
}

/// What the page shows besides the report.
#[derive(Clone, Debug, Default)]
pub struct Context<'a> {
    /// The network the check ran on (`None`: unknown).
    pub network: Option<Network>,
    /// Recent incidents, newest first (see [`recent_incidents`]).
    pub recent: &'a [PastIncident],
}

const STYLE: &str = "\
:root{color-scheme:light dark;--fg:#1f2328;--bg:#fff;--muted:#57606a;--line:#d0d7de;\
--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--info:#0969da;--off:#57606a}\
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#8d96a0;--line:#30363d;\
--ok:#3fb950;--bad:#f85149;--warn:#d29922;--info:#58a6ff;--off:#8d96a0}}\
body{font-family:system-ui,sans-serif;color:var(--fg);background:var(--bg);max-width:48em;\
margin:1.5em auto;padding:0 1em;line-height:1.5;font-size:16px}\
h1{font-size:1.3em;margin:.2em 0}h2{font-size:1.1em;margin:1.2em 0 .4em}\
.banner{border-left:.4em solid var(--c);padding:.6em 1em;margin:1em 0;font-size:1.15em;font-weight:600;\
background:color-mix(in srgb,var(--c) 12%,transparent)}\
.ok{--c:var(--ok)}.intercepted{--c:var(--bad)}.suspicious{--c:var(--warn)}\
.captive_portal{--c:var(--info)}.offline,.unreachable{--c:var(--off)}\
.meta,.hint,small{color:var(--muted)}\
.incident{border:1px solid var(--line);border-left:.3em solid var(--c);border-radius:6px;padding:.2em 1em;margin:.8em 0}\
.incident h3{font-size:1em;margin:.5em 0}\
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3em .5em;border-bottom:1px solid var(--line);vertical-align:top}\
code{font-size:.85em;word-break:break-all}details{margin:.8em 0}summary{cursor:pointer;font-weight:600}\
.host{border-top:1px solid var(--line);padding:.4em 0}.v{font-weight:600;color:var(--c)}";

fn name_of(lang: Lang, a: &Assessment) -> String {
    a.service.as_ref().map_or_else(
        || a.target.to_string(),
        |s| lang.pick(&s.display_name, &s.display_name_zh).to_string(),
    )
}

fn time(at: i64) -> String {
    rfc3339(at).replace('T', " ").replace('Z', "")
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

/// `Label: text` with the language's colon.
fn labelled(lang: Lang, key: &str, text: &str) -> String {
    let label = lang.tr(key);
    let label = label.trim_end_matches([':', '：', ' ']);
    format!(
        "<b>{}{}</b>{}",
        escape(label),
        escape(incident::colon(lang)),
        escape(text)
    )
}

/// Writes the details page for `report`.
pub fn render(
    report: &Report<'_>,
    lang: Lang,
    context: &Context<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let e = escape;
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
        e(&banner.text(lang)),
    );
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
        e(&lang.tr_args("details-checked-at", &[("time", time(report.checked_at))])),
        e(&network)
    );
    found(&mut h, report.results, lang);
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
fn found(h: &mut String, results: &[Assessment], lang: Lang) {
    let e = escape;
    let grouped = incidents(results);
    let others: Vec<&Assessment> = results
        .iter()
        .filter(|a| matches!(a.verdict, Verdict::Suspicious | Verdict::CaptivePortal))
        .collect();
    if grouped.is_empty() && others.is_empty() {
        return;
    }
    let _ = writeln!(
        h,
        "<section id=\"found\"><h2>{}</h2>",
        e(&lang.tr("details-found"))
    );
    for found in &grouped {
        let _ = write!(
            h,
            "<div class=\"incident intercepted\"><h3>{}</h3>\n<p>{}</p>\n",
            e(&incident::headline(lang, found)),
            e(&incident::trust(lang, found))
        );
        let exposures = incident::exposures(lang, found);
        if !exposures.is_empty() {
            let _ = writeln!(h, "<p><b>{}</b></p><ul>", e(&lang.tr("label-exposes-each")));
            for line in exposures {
                let _ = writeln!(h, "<li>{}</li>", e(&line));
            }
            h.push_str("</ul>\n");
        }
        let _ = writeln!(
            h,
            "<p>{}</p>",
            labelled(lang, "label-what-to-do", &incident::advice(lang, found))
        );
        if let Some(first) = incident::members(found, results).first() {
            evidence(h, first, lang);
        }
        h.push_str("</div>\n");
    }
    for a in others {
        let _ = writeln!(
            h,
            "<div class=\"incident {}\"><h3>{}{}{}</h3>",
            class(a.verdict),
            e(&name_of(lang, a)),
            e(incident::colon(lang)),
            e(&headline(lang, a))
        );
        if let Some(todo) = what_to_do(lang, a) {
            let _ = writeln!(h, "<p>{}</p>", labelled(lang, "label-what-to-do", &todo));
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

fn evidence(h: &mut String, a: &Assessment, lang: Lang) {
    if a.evidence.is_empty() {
        return;
    }
    h.push_str("<ul>\n");
    for ev in &a.evidence {
        let _ = writeln!(h, "<li>{}</li>", escape(&ev.render(lang)));
    }
    h.push_str("</ul>\n");
}

/// Every host with its verdict and chain, collapsed.
fn hosts(h: &mut String, results: &[Assessment], lang: Lang) {
    if results.is_empty() {
        return;
    }
    let e = escape;
    let _ = writeln!(
        h,
        "<details id=\"hosts\"><summary>{}</summary>",
        e(&lang.tr_args("details-hosts", &[("n", results.len().to_string())]))
    );
    for a in results {
        let detail = match a.verdict {
            Verdict::Unreachable => a
                .error
                .as_ref()
                .map_or_else(|| headline(lang, a), ToString::to_string),
            _ if a.chain.is_empty() => headline(lang, a),
            _ => lang.tr_args("detail-issuer", &[("issuer", text::short_issuer(a))]),
        };
        let _ = writeln!(
            h,
            "<div class=\"host {}\"><b>{}</b> <small>{}</small><br><span class=\"v\">{}</span>{}{}",
            class(a.verdict),
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
    let e = escape;
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
        let kind = lang.tr(&format!("details-kind-{}", past.kind.replace('_', "-")));
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            e(&time(past.started)),
            e(&past
                .ended
                .map_or_else(|| lang.tr("details-recent-ongoing"), time)),
            e(&kind),
            e(&incident::join(lang, &services))
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
            "&lt;script&gt;&quot;a&quot;&amp;&#39;b&#39;&lt;/script&gt;"
        );
        assert_eq!(escape("\u{202e}2G tooR\x1b[2J"), "\\u{202e}2G tooR\\x1b[2J");
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
    fn reads_the_default_route() {
        let table = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
                     wlan0\t0000A8C0\t00000000\t0001\t0\t0\t600\t00FFFFFF\t0\t0\t0\n\
                     wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n";
        let net = Network::from_proc_route(table).unwrap();
        assert_eq!(net.interface.as_deref(), Some("wlan0"));
        let expected = if cfg!(target_endian = "little") {
            Ipv4Addr::new(192, 168, 1, 1)
        } else {
            Ipv4Addr::new(1, 1, 168, 192)
        };
        assert_eq!(net.gateway, Some(expected));
        assert_eq!(Network::from_proc_route("Iface\tDestination\n"), None);
        assert_eq!(Network::from_proc_route("garbage"), None);
    }

    fn alert(at: i64, kind: &str, services: &[&str]) -> Record {
        Record::Alert {
            at,
            kind: kind.into(),
            services: services.iter().map(ToString::to_string).collect(),
            summary: String::new(),
            shown: true,
        }
    }

    #[test]
    fn rebuilds_incidents_from_alerts() {
        let day = 24 * 3600;
        let now = 30 * day;
        let records = [
            alert(now - 20 * day, "interception", &["wechat"]),
            alert(now - 19 * day, "resolved", &["wechat"]),
            alert(now - 3 * day, "interception", &["wechat", "chatgpt"]),
            alert(now - 3 * day + 60, "resolved", &["wechat"]),
            alert(now - 2 * day, "resolved", &["chatgpt"]),
            alert(now - 100, "captive_portal", &["qq"]),
        ];
        let recent = recent_incidents(&records, now);
        assert_eq!(
            recent,
            [
                PastIncident {
                    kind: "captive_portal".into(),
                    started: now - 100,
                    ended: None,
                    services: vec!["qq".into()],
                },
                PastIncident {
                    kind: "interception".into(),
                    started: now - 3 * day,
                    ended: Some(now - 2 * day),
                    services: vec!["wechat".into(), "chatgpt".into()],
                },
            ]
        );
    }
}
