//! Evidence: the facts behind a verdict, as data. Each fact is a stable
//! code with parameters (which certificate, which rule, which dates); JSON
//! carries exactly that, and only reporters turn it into English or Chinese
//! (through the `ev-<code>` messages of the locale files).

use serde::Serialize;

use super::anchors::ChainRule;
use crate::i18n::Lang;

/// The most characters of one parameter in the rendered fact.
pub const ARG_MAX: usize = 200;

/// One fact supporting a verdict. Serialized as `{"code": "...", ...params}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Evidence {
    /// Who issued the leaf.
    Issuer {
        /// Issuer distinguished name.
        issuer: String,
    },
    /// The probe got no certificate.
    NoCertificate {
        /// Stage name.
        stage: &'static str,
        /// What happened.
        detail: String,
    },
    /// The genuine certificate arrived but the handshake failed.
    HandshakeFailed {
        /// What happened.
        detail: String,
    },
    /// A known interception key signed the leaf or sits in its path.
    KnownKey {
        /// Product name.
        product: String,
        /// The key and its label.
        matched: String,
    },
    /// A known interception key was sent along, but nothing in the path
    /// is signed by it: the server chose to append it. Not a verdict.
    AppendedKnownKey {
        /// Product name.
        product: String,
        /// The key and its label.
        matched: String,
        /// Position in the presented chain (0 is the leaf).
        position: usize,
    },
    /// The leaf cannot be parsed.
    Malformed {
        /// The parser's error.
        error: String,
    },
    /// A certificate for the host that no public or known CA key signed.
    Forged {
        /// The host.
        host: String,
        /// The public store's name.
        store: String,
        /// Who signed the path's last certificate: `unknown` (a key nobody
        /// knows), `system` (a root only this machine trusts).
        signer: &'static str,
    },
    /// The chain reaches a public or known CA key by signatures but breaks
    /// a rule of path validation.
    ChainRuleBroken {
        /// The rule.
        rule: ChainRule,
        /// rustls-webpki's name for the error.
        detail: String,
    },
    /// A certificate of the path is out of its validity period.
    CertOutOfDate {
        /// Position in the presented chain, or `None` for one pinwatch supplied.
        position: Option<usize>,
        /// Its subject.
        subject: String,
        /// Start of validity, RFC 3339.
        not_before: String,
        /// End of validity, RFC 3339.
        not_after: String,
    },
    /// The path ends at a CA key pinwatch knows that the public store does
    /// not trust (a retired or private root) and the service does not pin.
    KnownCaNotTrusted {
        /// The CA's label.
        label: String,
    },
    /// The forging CA copies the name of a public root or known CA: it
    /// pretends to be that CA, with another key.
    Impersonates {
        /// The name it copies.
        name: String,
    },
    /// The forging CA uses the organization name of a public CA (or a
    /// common name several of its roots share), with another key: weaker
    /// than a copied name.
    BorrowsCaOrganization {
        /// The organization (or shared common name) it uses.
        organization: String,
    },
    /// Some signature could not be checked, so forgery cannot be decided.
    Unverifiable {
        /// What stopped the check.
        detail: String,
    },
    /// The chain leads to a pinned root Mozilla retired for age.
    LegacyRoot {
        /// The root's label.
        label: String,
    },
    /// This machine's store accepts the chain.
    SystemRoot,
    /// Where the accepting root is installed.
    SystemRootAt {
        /// File or database.
        location: String,
    },
    /// This machine's store does not accept it either.
    NoRoot,
    /// The leaf names other hosts.
    WrongName {
        /// The names it has.
        names: String,
        /// The host asked for.
        host: String,
    },
    /// The leaf has no subjectAltName: browsers ignore the subject's name.
    NoSubjectAltName {
        /// The leaf's subject.
        subject: String,
        /// The host asked for.
        host: String,
    },
    /// ... and does not lead to a public root.
    WrongNameNotPublic {
        /// The public store's name.
        store: String,
    },
    /// The key is a known captive portal's.
    PortalKey {
        /// The portal's label.
        label: String,
    },
    /// What a captive-portal connectivity check saw.
    PortalCheck {
        /// What the check saw.
        detail: String,
    },
    /// What the leaf's SCTs say (Certificate Transparency), when it
    /// changes or supports the verdict.
    Ct {
        /// `ct_missing`, `ct_invalid`, `ct_insufficient`.
        status: &'static str,
        /// Valid SCTs.
        valid: usize,
        /// Distinct operators among them.
        operators: usize,
        /// Why, in the CT engine's words.
        detail: String,
        /// Whether the log list is past its review date.
        list_stale: bool,
    },
    /// No key of the public chain is in the pinset.
    PinMismatch {
        /// Service display name.
        service: String,
        /// Number of pins.
        count: usize,
        /// Review date.
        review: String,
    },
    /// The pinset is past its review date.
    PinsetStale {
        /// Review date.
        review: String,
        /// Today.
        today: String,
    },
    /// The chain is far larger than any genuine one.
    ChainOversized {
        /// The Certificate message's size in bytes, when it was read.
        bytes: Option<usize>,
        /// Certificates read from it.
        certificates: usize,
        /// Whether it went past pinwatch's caps (only its start was read).
        capped: bool,
    },
    /// The TLS library refused the handshake; pinwatch read the chain
    /// itself over TLS 1.2, so the peer is not shown to hold the leaf's key.
    FallbackRead {
        /// The TLS version the peer answered with.
        version: String,
    },
    /// The chain stops at a certificate whose issuer is missing.
    ChainIncomplete {
        /// The missing issuer's name.
        issuer: String,
        /// Where the certificate says it can be fetched, if it says.
        url: Option<String>,
        /// What fetching it gave, if it was fetched.
        fetch: Option<String>,
    },
    /// The server left out its intermediate; pinwatch fetched it from the
    /// URL the certificate names, and its signature checks.
    IssuerFetched {
        /// The URL.
        url: String,
    },
    /// This machine's clock looks wrong.
    ClockSuspect {
        /// The time the chain was judged by (this machine's), RFC 3339.
        now: String,
        /// `behind` or `ahead`.
        direction: &'static str,
        /// When this pinwatch was built, RFC 3339, if the clock is before it.
        built: Option<String>,
        /// Whether the chain would be valid at another time (else only the
        /// build date says so).
        chain_valid_then: bool,
    },
    /// ... and pinwatch's own reading got no chain either.
    FallbackFailed {
        /// Why.
        detail: String,
    },
    /// The knowledge is older than 70 days: a pin mismatch is evidence
    /// only, not a verdict.
    KnowledgeOld {
        /// Its age in whole days.
        days: i64,
    },
}

impl Evidence {
    /// The stable code (the JSON `code` field).
    pub fn code(&self) -> &'static str {
        match self {
            Evidence::Issuer { .. } => "issuer",
            Evidence::NoCertificate { .. } => "no_certificate",
            Evidence::HandshakeFailed { .. } => "handshake_failed",
            Evidence::KnownKey { .. } => "known_key",
            Evidence::AppendedKnownKey { .. } => "appended_known_key",
            Evidence::Malformed { .. } => "malformed",
            Evidence::Forged { .. } => "forged",
            Evidence::ChainRuleBroken { .. } => "chain_rule_broken",
            Evidence::CertOutOfDate { .. } => "cert_out_of_date",
            Evidence::KnownCaNotTrusted { .. } => "known_ca_not_trusted",
            Evidence::Impersonates { .. } => "impersonates",
            Evidence::BorrowsCaOrganization { .. } => "borrows_ca_organization",
            Evidence::Unverifiable { .. } => "unverifiable",
            Evidence::LegacyRoot { .. } => "legacy_root",
            Evidence::SystemRoot => "system_root",
            Evidence::SystemRootAt { .. } => "system_root_at",
            Evidence::NoRoot => "no_root",
            Evidence::WrongName { .. } => "wrong_name",
            Evidence::NoSubjectAltName { .. } => "no_subject_alt_name",
            Evidence::WrongNameNotPublic { .. } => "wrong_name_not_public",
            Evidence::PortalKey { .. } => "portal_key",
            Evidence::PortalCheck { .. } => "portal_check",
            Evidence::Ct { .. } => "ct",
            Evidence::PinMismatch { .. } => "pin_mismatch",
            Evidence::PinsetStale { .. } => "pinset_stale",
            Evidence::ChainOversized { .. } => "chain_oversized",
            Evidence::FallbackRead { .. } => "fallback_read",
            Evidence::FallbackFailed { .. } => "fallback_failed",
            Evidence::ClockSuspect { .. } => "clock_suspect",
            Evidence::ChainIncomplete { .. } => "chain_incomplete",
            Evidence::IssuerFetched { .. } => "issuer_fetched",
            Evidence::KnowledgeOld { .. } => "knowledge_old",
        }
    }

    /// The fact in `lang`: the message `ev-<code>` with the parameters,
    /// each made inert and cut to [`ARG_MAX`] characters (a 10 KB issuer
    /// makes no 10 KB line; JSON keeps the whole value).
    pub fn render(&self, lang: Lang) -> String {
        let s = |v: &str| crate::util::inert_capped(v, ARG_MAX).into_owned();
        let args: Vec<(&'static str, String)> = match self {
            Evidence::Issuer { issuer } => vec![("issuer", s(issuer))],
            Evidence::NoCertificate { stage, detail } => {
                vec![("stage", s(stage)), ("detail", s(detail))]
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
                ("direction", s(direction)),
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
                ("signer", s(signer)),
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
                ("status", s(status)),
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
        let key = format!("ev-{}", self.code().replace('_', "-"));
        lang.tr_args(&key, &args)
    }
}
