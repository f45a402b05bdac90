//! The words for an incident on every surface: the text report, the
//! details page, the desktop notification and the tray read their
//! sentences from here and only lay them out. Who intercepts, where, what
//! it is called in a few words (the notification's title), what to do
//! there first (the action, one sentence) and then the rest of the advice,
//! whether this machine trusts it, and what each service exposes, alone
//! and grouped by what an interceptor can read (readable in full; logins
//! and files but not the messages; connection details only). Chosen from
//! the whole context (product, place, trust, proxy). Also the words for a
//! single result that is not an incident (suspicious, captive portal).
//! Pure.
//!
//! Text from outside (issuer names, product names from the pins, proxy
//! URLs) is passed in as it is; each surface makes the finished sentence
//! inert for its medium (`util::inert` for terminals, titles and tooltips,
//! `util::markup` for notification bodies, HTML escaping on the page).

use crate::analysis::incident::Incident;
use crate::analysis::{Assessment, ServiceInfo, Verdict};
use crate::i18n::Lang;
use crate::knowledge::Exposure;
use crate::observation::Place;
use crate::util::inert_capped;

/// `": "` in English, `"："` in Chinese (a full-width colon takes no space).
pub fn colon(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "：",
        Lang::En => ": ",
    }
}

/// `A, B and C` / `A、B和C`.
pub fn join(lang: Lang, items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => {
            let (sep, and) = match lang {
                Lang::Zh => ("、", "和"),
                Lang::En => (", ", " and "),
            };
            format!("{}{and}{last}", init.join(sep))
        }
    }
}

/// At most `max` of `items` by name, then "and N more": `A, B and 3 more`
/// / `A、B及另外3个`. All of them when they are few enough.
pub fn join_capped(lang: Lang, items: &[String], max: usize) -> String {
    if items.len() <= max.max(1) {
        return join(lang, items);
    }
    let shown = max.max(1);
    let sep = if lang == Lang::Zh { "、" } else { ", " };
    lang.tr_args(
        "names-and-more",
        &[
            ("names", items[..shown].join(sep)),
            ("n", (items.len() - shown).to_string()),
        ],
    )
}

/// The notes of the sanctions of `inspected`, each once, inert and capped
/// (the administrator's config is outside text too).
pub fn sanction_notes(lang: Lang, inspected: &[&Assessment]) -> String {
    let mut notes: Vec<String> = Vec::new();
    for s in inspected.iter().filter_map(|a| a.sanctioned.as_ref()) {
        let note = inert_capped(&s.note, 64).into_owned();
        if !notes.contains(&note) {
            notes.push(note);
        }
    }
    join_capped(lang, &notes, NAMES_SHOWN)
}

/// How many services a one-line place (a title, a tooltip) names before
/// "and N more".
pub const NAMES_SHOWN: usize = 3;

/// The display names of the incident's services (and targets with no
/// known service).
pub fn service_names(lang: Lang, incident: &Incident) -> Vec<String> {
    incident
        .services
        .iter()
        .map(|s| lang.pick(&s.display_name, &s.display_name_zh).to_string())
        .chain(incident.other_targets.iter().cloned())
        .collect()
}

/// The most characters of a name from a certificate in a headline.
pub const NAME_MAX: usize = 100;

/// Who intercepts: the product, a CA pretending to be a public one, or
/// whoever controls the issuer. Names from certificates come inert and
/// cut to [`NAME_MAX`] characters: a headline is one line.
pub fn who(lang: Lang, incident: &Incident) -> String {
    if let Some(product) = &incident.interceptor {
        return product.name.clone();
    }
    let name = |dn: &str| inert_capped(short(dn), NAME_MAX).into_owned();
    if let Some(name_copied) = &incident.impersonates {
        return lang.tr_args("who-impersonator", &[("name", name(name_copied))]);
    }
    if let Some(organization) = &incident.borrows_organization {
        return lang.tr_args("who-borrower", &[("name", name(organization))]);
    }
    lang.tr_args("headline-whoever", &[("issuer", name(&incident.issuer))])
}

fn short(dn: &str) -> &str {
    dn.split(", ")
        .find_map(|p| p.strip_prefix("CN="))
        .unwrap_or(dn)
}

/// Where it happens, as a phrase to append (empty when unknown).
pub fn place_phrase(lang: Lang, incident: &Incident) -> String {
    if let Some(proxy) = &incident.via_proxy {
        return lang.tr_args("where-proxy", &[("proxy", proxy.clone())]);
    }
    let Some(location) = &incident.location else {
        return String::new();
    };
    let hops = location.hops.unwrap_or_default().to_string();
    match location.place {
        Place::ThisDevice => lang.tr("where-this-device"),
        Place::LocalNetwork => lang.tr_args("where-local-network", &[("hops", hops)]),
        Place::Upstream => lang.tr_args("where-upstream", &[("hops", hops)]),
        Place::Unknown => String::new(),
    }
}

/// Where an incident happens, as the words choose between places: a
/// proxy set on this device counts apart from the trace's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Where {
    Proxy,
    ThisDevice,
    LocalNetwork,
    Upstream,
    Unknown,
}

fn place(incident: &Incident) -> Where {
    if incident.via_proxy.is_some() {
        return Where::Proxy;
    }
    match incident.location.as_ref().map(|l| l.place) {
        Some(Place::ThisDevice) => Where::ThisDevice,
        Some(Place::LocalNetwork) => Where::LocalNetwork,
        Some(Place::Upstream) => Where::Upstream,
        Some(Place::Unknown) | None if on_device(incident) => Where::ThisDevice,
        Some(Place::Unknown) | None => Where::Unknown,
    }
}

/// A product that installs itself on the device (antivirus, parental
/// control, adware) intercepts on this device wherever the trace ended.
fn on_device(incident: &Incident) -> bool {
    incident
        .interceptor
        .as_ref()
        .is_some_and(|p| p.category.installs_on_device())
}

/// What happens and where, in a few words: the notification's title and
/// the tray's tooltip ("This network is intercepting your encrypted
/// connections").
pub fn title(lang: Lang, incident: &Incident) -> String {
    lang.tr(match place(incident) {
        Where::Proxy => "title-proxy",
        Where::ThisDevice => "title-this-device",
        Where::LocalNetwork => "title-local-network",
        Where::Upstream => "title-upstream",
        Where::Unknown => "title-unknown",
    })
}

/// "WeChat and ChatGPT (15 connections) are intercepted by mitmproxy at
/// this network's router (1 hop away)."
pub fn headline(lang: Lang, incident: &Incident) -> String {
    headline_capped(lang, incident, usize::MAX)
}

/// [`headline`] naming at most `max` services, then "and N more".
pub fn headline_capped(lang: Lang, incident: &Incident, max: usize) -> String {
    let names = service_names(lang, incident);
    lang.tr_args(
        "incident-head",
        &[
            ("services", join_capped(lang, &names, max)),
            ("count", names.len().to_string()),
            ("n", incident.results.len().to_string()),
            ("who", who(lang, incident)),
            ("where", place_phrase(lang, incident)),
        ],
    )
}

/// Whether this machine trusts the interceptor's root, and what follows.
pub fn trust(lang: Lang, incident: &Incident) -> String {
    lang.tr(if incident.trusted_here {
        "incident-trusted-here"
    } else {
        "incident-not-trusted-here"
    })
}

/// What each service exposes, one line each.
pub fn exposures(lang: Lang, incident: &Incident) -> Vec<String> {
    incident
        .services
        .iter()
        .map(|s: &ServiceInfo| {
            format!(
                "{}{}{}",
                lang.pick(&s.display_name, &s.display_name_zh),
                colon(lang),
                lang.pick(&s.exposes, &s.exposes_zh)
            )
        })
        .collect()
}

/// The incident's services grouped by what an interceptor can read, the
/// most exposed group first; targets with no known service count as
/// readable in full (nothing says otherwise).
pub fn exposure_groups(lang: Lang, incident: &Incident) -> Vec<(Exposure, Vec<String>)> {
    let mut groups: Vec<(Exposure, Vec<String>)> = Vec::new();
    let named = incident.services.iter().map(|s| {
        (
            s.exposure,
            lang.pick(&s.display_name, &s.display_name_zh).to_string(),
        )
    });
    let others = incident
        .other_targets
        .iter()
        .map(|t| (Exposure::Everything, t.clone()));
    for (exposure, name) in named.chain(others) {
        match groups.iter_mut().find(|(e, _)| *e == exposure) {
            Some((_, names)) => names.push(name),
            None => groups.push((exposure, vec![name])),
        }
    }
    groups.sort_by_key(|(e, _)| *e);
    groups
}

/// The heading of an exposure group on the details page: what an
/// interceptor can read of the services under it.
pub fn group_heading(lang: Lang, exposure: Exposure) -> String {
    lang.tr(match exposure {
        Exposure::Everything => "group-everything",
        Exposure::LoginsAndFiles => "group-logins-and-files",
        Exposure::Metadata => "group-metadata",
    })
}

/// An exposure group in one line, its services named up to `max`, then
/// "and N more" ("Readable in full: ChatGPT, Claude and 11 more"). For the
/// notification (the `agent` feature).
#[cfg_attr(not(feature = "agent"), allow(dead_code))]
pub fn group_line(lang: Lang, exposure: Exposure, names: &[String], max: usize) -> String {
    let key = match exposure {
        Exposure::Everything => "group-line-everything",
        Exposure::LoginsAndFiles => "group-line-logins-and-files",
        Exposure::Metadata => "group-line-metadata",
    };
    lang.tr_args(key, &[("services", join_capped(lang, names, max))])
}

/// Exposure groups (as [`exposure_groups`] gives them) in one line each,
/// naming at most `budget` services in all: the most exposed group first,
/// every group at least one. For the notification (the `agent` feature).
#[cfg_attr(not(feature = "agent"), allow(dead_code))]
pub fn group_lines(lang: Lang, groups: &[(Exposure, Vec<String>)], budget: usize) -> Vec<String> {
    let mut left = budget.max(groups.len());
    let mut lines = Vec::with_capacity(groups.len());
    for (i, (exposure, names)) in groups.iter().enumerate() {
        // Leave one name for each group still to come.
        let later = groups.len() - i - 1;
        let here = names.len().min(left.saturating_sub(later)).max(1);
        left = left.saturating_sub(here);
        lines.push(group_line(lang, *exposure, names, here));
    }
    lines
}

/// What to do first, for this place: one sentence (or two short ones) that
/// every surface shows before anything else.
pub fn action(lang: Lang, incident: &Incident) -> String {
    let product = incident.interceptor.as_ref();
    match place(incident) {
        Where::Proxy => lang.tr_args(
            "action-proxy",
            &[("proxy", incident.via_proxy.clone().unwrap_or_default())],
        ),
        Where::ThisDevice => match product.filter(|_| on_device(incident)) {
            Some(p) => lang.tr_args("action-this-device-product", &[("product", p.name.clone())]),
            None => lang.tr("action-this-device"),
        },
        Where::LocalNetwork => lang.tr("action-local-network"),
        Where::Upstream => lang.tr("action-upstream"),
        Where::Unknown => lang.tr("todo-intercepted"),
    }
}

/// The rest of the advice after [`action`]: why, the product's own advice,
/// the tool used (empty when there is nothing more).
pub fn more_advice(lang: Lang, incident: &Incident) -> String {
    let product = incident.interceptor.as_ref();
    let tool = || {
        product
            .map(|p| lang.tr_args("advice-tool-used", &[("product", p.name.clone())]))
            .unwrap_or_default()
    };
    let product_advice = || {
        product
            .map(|p| lang.pick(&p.advice, &p.advice_zh).to_string())
            .unwrap_or_default()
    };
    match place(incident) {
        Where::Proxy => lang.tr("more-proxy"),
        Where::ThisDevice if on_device(incident) => product_advice(),
        Where::ThisDevice => sentences(lang, &[lang.tr("more-this-device"), product_advice()]),
        Where::LocalNetwork | Where::Unknown => tool(),
        Where::Upstream => sentences(lang, &[lang.tr("more-upstream"), tool()]),
    }
}

/// What to do, in full: the action, then the rest.
pub fn advice(lang: Lang, incident: &Incident) -> String {
    sentences(lang, &[action(lang, incident), more_advice(lang, incident)])
}

/// Sentences joined as the language writes them: a space between English
/// sentences, none between Chinese ones; empty ones left out.
pub fn sentences(lang: Lang, parts: &[String]) -> String {
    let sep = if lang == Lang::Zh { "" } else { " " };
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(sep)
}

/// The results of `incident`, in `results`.
pub fn members<'r>(incident: &Incident, results: &'r [Assessment]) -> Vec<&'r Assessment> {
    members_in(incident, results.into())
}

/// [`members`] of results however they were kept (an incident's are kept
/// whole).
pub fn members_in<'r>(incident: &Incident, results: super::Results<'r>) -> Vec<&'r Assessment> {
    incident
        .results
        .iter()
        .filter_map(|&i| results.whole_at(i))
        .collect()
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

/// The leaf issuer's short name, or `?`.
pub fn short_issuer(a: &Assessment) -> String {
    a.chain
        .first()
        .map_or("?", |c| c.short_issuer())
        .to_string()
}

/// One sentence saying what a single result's verdict means for the user.
pub fn result_headline(lang: Lang, a: &Assessment) -> String {
    match a.verdict {
        Verdict::Ok => lang.tr("verdict-ok"),
        Verdict::Intercepted => {
            let one = crate::analysis::incident::incidents(std::slice::from_ref(a));
            match one.first() {
                Some(found) => format!(
                    "{} {}",
                    lang.tr_args("headline-intercepted", &[("who", who(lang, found))]),
                    trust(lang, found)
                ),
                None => lang.tr_args("headline-intercepted", &[("who", short_issuer(a))]),
            }
        }
        Verdict::Suspicious => lang.tr("headline-suspicious"),
        Verdict::CaptivePortal => lang.tr("headline-captive-portal"),
        Verdict::Unreachable => lang.tr("headline-unreachable"),
    }
}

/// What the user should do about a single result, if anything.
pub fn result_advice(lang: Lang, a: &Assessment) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::incident::incidents;
    use crate::analysis::{Attribution, CertFacts, MatchedBy};
    use crate::observation::Location;
    use crate::target::Target;

    fn items(v: &[&str]) -> Vec<String> {
        v.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn joins_like_a_sentence() {
        assert_eq!(join(Lang::En, &items(&["A", "B", "C"])), "A, B and C");
        assert_eq!(join(Lang::Zh, &items(&["微信", "QQ"])), "微信和QQ");
        assert_eq!(join(Lang::En, &items(&["A"])), "A");
    }

    #[test]
    fn names_past_the_cap_are_counted() {
        let five = items(&["A", "B", "C", "D", "E"]);
        assert_eq!(join_capped(Lang::En, &five, 3), "A, B, C and 2 more");
        assert_eq!(join_capped(Lang::Zh, &five, 2), "A、B及另外3个");
        assert_eq!(join_capped(Lang::En, &five[..3], 3), "A, B and C");
        assert_eq!(join_capped(Lang::En, &five, 0), "A and 4 more");
    }

    fn service(name: &str, exposure: Exposure) -> ServiceInfo {
        ServiceInfo {
            name: name.to_lowercase(),
            display_name: name.into(),
            display_name_zh: format!("{name}中"),
            exposes: format!("{name} exposes"),
            exposes_zh: format!("{name}暴露"),
            exposure,
        }
    }

    /// One interceptor (mitmproxy at `place`) across `services`.
    fn incident(place: Option<Place>, services: &[ServiceInfo]) -> Incident {
        let results: Vec<Assessment> = services
            .iter()
            .map(|s| Assessment {
                service: Some(s.clone()),
                interceptor: Some(Attribution {
                    id: "mitmproxy".into(),
                    name: "mitmproxy".into(),
                    category: crate::knowledge::Category::DebuggingProxy,
                    matched_by: MatchedBy::IssuerName,
                    matched: "mitmproxy".into(),
                    advice: "Product advice.".into(),
                    advice_zh: "产品建议。".into(),
                }),
                chain: vec![CertFacts {
                    issuer: "CN=mitmproxy".into(),
                    ..CertFacts::default()
                }],
                issuer_key: Some("k".into()),
                location: place.map(|place| Location {
                    place,
                    hops: Some(1),
                    method: crate::observation::LocateMethod::TtlTls,
                }),
                ..Assessment::bare(Target::new("x.example", 443).unwrap(), Verdict::Intercepted)
            })
            .collect();
        incidents(&results).remove(0)
    }

    #[test]
    fn groups_put_the_most_exposed_first_and_name_at_most_the_budget() {
        let found = incident(
            Some(Place::LocalNetwork),
            &[
                service("WeChat", Exposure::LoginsAndFiles),
                service("ChatGPT", Exposure::Everything),
                service("Signal", Exposure::Metadata),
                service("Claude", Exposure::Everything),
                service("QQ", Exposure::LoginsAndFiles),
                service("Slack", Exposure::Everything),
            ],
        );
        let groups = exposure_groups(Lang::En, &found);
        let order: Vec<Exposure> = groups.iter().map(|(e, _)| *e).collect();
        assert_eq!(
            order,
            [
                Exposure::Everything,
                Exposure::LoginsAndFiles,
                Exposure::Metadata
            ]
        );
        assert_eq!(groups[0].1, items(&["ChatGPT", "Claude", "Slack"]));
        assert_eq!(
            group_lines(Lang::En, &groups, 3),
            [
                "Readable in full: ChatGPT and 2 more",
                "Logins and files readable: WeChat and 1 more",
                "Only connections visible: Signal",
            ]
        );
        assert_eq!(
            group_lines(Lang::Zh, &exposure_groups(Lang::Zh, &found), 3)[1],
            "登录和文件可被读取：WeChat中及另外1个"
        );
    }

    #[test]
    fn the_action_is_for_the_place_and_the_advice_keeps_the_rest() {
        let chat = [service("ChatGPT", Exposure::Everything)];
        let router = incident(Some(Place::LocalNetwork), &chat);
        assert_eq!(
            title(Lang::En, &router),
            "This network is intercepting your encrypted connections"
        );
        assert_eq!(title(Lang::Zh, &router), "这个网络正在拦截你的加密连接");
        assert!(action(Lang::En, &router).starts_with("Do not log in or chat on this network."));
        assert_eq!(
            advice(Lang::En, &router),
            format!(
                "{} (mitmproxy is the tool used.)",
                action(Lang::En, &router)
            )
        );
        let far = incident(Some(Place::Upstream), &chat);
        assert!(action(Lang::En, &far).starts_with("Do not log in or chat over this connection"));
        assert!(advice(Lang::En, &far).contains("beyond this network"));
        let unknown = incident(None, &chat);
        assert_eq!(
            title(Lang::En, &unknown),
            "Someone is intercepting your encrypted connections"
        );
        assert_eq!(action(Lang::En, &unknown), Lang::En.tr("todo-intercepted"));
    }
}
