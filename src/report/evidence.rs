//! Evidence in words: each fact of `analysis::Evidence` (a code with
//! parameters) as the `ev-<code>` message of the locale files. The text
//! report and the details page show it so; JSON keeps the data.

use crate::analysis::Evidence;
use crate::i18n::Lang;

/// The most characters of one parameter in the rendered fact.
pub const ARG_MAX: usize = 200;

/// The fact in `lang`: the message `ev-<code>` with the parameters,
/// each made inert and cut to [`ARG_MAX`] characters (a 10 KB issuer
/// makes no 10 KB line; JSON keeps the whole value).
pub fn words(lang: Lang, evidence: &Evidence) -> String {
    let s = |v: &str| crate::util::inert_capped(v, ARG_MAX).into_owned();
    let args: Vec<(&'static str, String)> = match evidence {
        Evidence::Issuer { issuer } => vec![("issuer", s(issuer))],
        Evidence::NoCertificate { stage, detail } => {
            vec![("stage", stage.as_str().to_string()), ("detail", s(detail))]
        }
        Evidence::HandshakeFailed { detail }
        | Evidence::PortalCheck { detail }
        | Evidence::Unverifiable { detail }
        | Evidence::FallbackFailed { detail } => vec![("detail", s(detail))],
        Evidence::ChainOversized {
            bytes,
            certificates,
            capped,
        } => vec![
            (
                "bytes",
                bytes.map_or_else(|| "unknown".into(), |b| b.to_string()),
            ),
            ("count", certificates.to_string()),
            ("capped", if *capped { "yes" } else { "no" }.to_string()),
        ],
        Evidence::FallbackRead { version } => vec![("version", s(version))],
        Evidence::ChainIncomplete { issuer, url, fetch } => vec![
            ("issuer", s(issuer)),
            ("url", url.as_deref().map_or_else(|| "none".into(), s)),
            ("fetch", fetch.as_deref().map_or_else(|| "none".into(), s)),
        ],
        Evidence::IssuerFetched { url } => vec![("url", s(url))],
        Evidence::ClockSuspect {
            now,
            direction,
            built,
            chain_valid_then,
        } => vec![
            ("now", s(now)),
            ("direction", direction.as_str().to_string()),
            ("built", built.as_deref().map_or_else(|| "none".into(), s)),
            (
                "chain",
                if *chain_valid_then {
                    "valid_then"
                } else {
                    "none"
                }
                .to_string(),
            ),
        ],
        Evidence::KnownKey { product, matched } => {
            vec![("product", s(product)), ("matched", s(matched))]
        }
        Evidence::AppendedKnownKey {
            product,
            matched,
            position,
        } => vec![
            ("product", s(product)),
            ("matched", s(matched)),
            ("position", position.to_string()),
        ],
        Evidence::Malformed { error } => vec![("error", s(error))],
        Evidence::Impersonates { name }
        | Evidence::BorrowsCaOrganization { organization: name } => {
            vec![("name", s(name))]
        }
        Evidence::Forged {
            host,
            store,
            signer,
        } => vec![
            ("host", s(host)),
            ("store", s(store)),
            ("signer", signer.as_str().to_string()),
        ],
        Evidence::ChainRuleBroken { rule, detail } => vec![
            ("rule", lang.tr(&format!("rule-{}", rule.as_str()))),
            ("detail", s(detail)),
        ],
        Evidence::CertOutOfDate {
            position,
            subject,
            not_before,
            not_after,
        } => vec![
            (
                "which",
                match position {
                    Some(0) => lang.tr("cert-leaf"),
                    Some(n) => lang.tr_args("cert-nth", &[("n", (n + 1).to_string())]),
                    None => lang.tr("cert-known"),
                },
            ),
            ("subject", s(subject)),
            ("from", s(not_before)),
            ("to", s(not_after)),
        ],
        Evidence::KnownCaNotTrusted { label }
        | Evidence::LegacyRoot { label }
        | Evidence::PortalKey { label } => vec![("label", s(label))],
        Evidence::SystemRoot | Evidence::NoRoot => vec![],
        Evidence::SystemRootAt { location } => vec![("location", s(location))],
        Evidence::WrongName { names, host } => vec![("names", s(names)), ("host", s(host))],
        Evidence::NoSubjectAltName { subject, host } => {
            vec![("subject", s(subject)), ("host", s(host))]
        }
        Evidence::WrongNameNotPublic { store } => vec![("store", s(store))],
        Evidence::PinMismatch {
            service,
            count,
            review,
        } => vec![
            ("service", s(service)),
            ("count", count.to_string()),
            ("review", s(review)),
        ],
        Evidence::Ct {
            status,
            valid,
            operators,
            detail,
            list_stale,
        } => vec![
            ("status", status.code().to_string()),
            ("count", valid.to_string()),
            ("operators", operators.to_string()),
            ("detail", s(detail)),
            ("stale", if *list_stale { "yes" } else { "no" }.to_string()),
        ],
        Evidence::PinsetStale { review, today } => {
            vec![("review", s(review)), ("today", s(today))]
        }
        Evidence::KnowledgeOld { days } => vec![("days", days.to_string())],
    };
    let key = format!("ev-{}", evidence.code().replace('_', "-"));
    lang.tr_args(&key, &args)
}
