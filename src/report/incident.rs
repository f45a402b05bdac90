//! The words for an incident, shared by the text report, the details page
//! and the desktop notifications: who intercepts, where, whether this
//! machine trusts it, what each service exposes, and what to do, chosen
//! from the whole context (product, place, trust, proxy). Pure.

use crate::analysis::incident::Incident;
use crate::analysis::{Assessment, ServiceInfo};
use crate::i18n::Lang;
use crate::knowledge::Category;
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

/// "WeChat and ChatGPT (15 connections) are intercepted by mitmproxy at
/// this network's router (1 hop away)."
pub fn headline(lang: Lang, incident: &Incident) -> String {
    let names = service_names(lang, incident);
    lang.tr_args(
        "incident-head",
        &[
            ("services", join(lang, &names)),
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

/// What to do, from product, place, trust and proxy together.
pub fn advice(lang: Lang, incident: &Incident) -> String {
    let product = incident.interceptor.as_ref();
    let on_device = product.is_some_and(|p| Category::installs_on_device(p.category));
    let product_advice = || product.map(|p| lang.pick(&p.advice, &p.advice_zh).to_string());
    let tool = || {
        product
            .map(|p| {
                format!(
                    " {}",
                    lang.tr_args("advice-tool-used", &[("product", p.name.clone())])
                )
            })
            .unwrap_or_default()
    };
    if let Some(proxy) = &incident.via_proxy {
        return lang.tr_args("advice-proxy", &[("proxy", proxy.clone())]);
    }
    let place = incident.location.as_ref().map(|l| l.place);
    match place {
        Some(Place::ThisDevice) => {
            product_advice().unwrap_or_else(|| lang.tr("advice-this-device"))
        }
        Some(Place::LocalNetwork) => format!("{}{}", lang.tr("advice-local-network"), tool()),
        Some(Place::Upstream) => format!("{}{}", lang.tr("advice-upstream"), tool()),
        Some(Place::Unknown) | None if on_device => {
            product_advice().unwrap_or_else(|| lang.tr("todo-intercepted"))
        }
        Some(Place::Unknown) | None => format!("{}{}", lang.tr("todo-intercepted"), tool()),
    }
}

/// The results of `incident`, in `results`.
pub fn members<'r>(incident: &Incident, results: &'r [Assessment]) -> Vec<&'r Assessment> {
    incident
        .results
        .iter()
        .filter_map(|&i| results.get(i))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_like_a_sentence() {
        let items = |v: &[&str]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
        assert_eq!(join(Lang::En, &items(&["A", "B", "C"])), "A, B and C");
        assert_eq!(join(Lang::Zh, &items(&["微信", "QQ"])), "微信和QQ");
        assert_eq!(join(Lang::En, &items(&["A"])), "A");
    }
}
