//! Evidence: the facts behind a verdict, as data. Reporters render them in
//! the reader's language; JSON carries the English text.

use serde::{Serialize, Serializer};

use crate::i18n::Lang;

/// One fact supporting a verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Evidence {
    /// Who issued the leaf.
    Issuer(String),
    /// The probe got no certificate.
    NoCertificate {
        /// Stage name.
        stage: &'static str,
        /// What happened.
        detail: String,
    },
    /// The genuine certificate arrived but the handshake failed.
    HandshakeFailed(String),
    /// A known interception key is in the chain.
    KnownKey {
        /// Product name.
        product: String,
        /// The key and its label.
        matched: String,
    },
    /// The leaf cannot be parsed.
    Malformed(String),
    /// A certificate for the host that does not lead to a public root.
    NotPublic {
        /// The host.
        host: String,
        /// The public store's name.
        store: String,
        /// Why validation failed.
        why: String,
    },
    /// Public chain, expired certificate.
    Expired {
        /// Leaf notBefore.
        from: String,
        /// Leaf notAfter.
        to: String,
    },
    /// Public chain, certificate not valid yet.
    NotYetValid {
        /// Leaf notBefore.
        from: String,
        /// Leaf notAfter.
        to: String,
    },
    /// The chain leads to a pinned root Mozilla retired for age.
    LegacyRoot(String),
    /// This machine's store accepts the chain.
    SystemRoot,
    /// Where the accepting root is installed.
    SystemRootAt(String),
    /// This machine's store does not accept it either.
    NoRoot,
    /// The leaf names other hosts.
    WrongName {
        /// The names it has.
        names: String,
        /// The host asked for.
        host: String,
    },
    /// ... and does not lead to a public root.
    WrongNameNotPublic(String),
    /// The key is a known captive portal's.
    PortalKey(String),
    /// What a captive-portal connectivity check saw.
    PortalCheck(String),
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
}

impl Evidence {
    /// The fact in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        let s = |v: &str| v.to_string();
        let (key, args): (&str, Vec<(&'static str, String)>) = match self {
            Evidence::Issuer(issuer) => ("ev-issuer", vec![("issuer", s(issuer))]),
            Evidence::NoCertificate { stage, detail } => (
                "ev-no-certificate",
                vec![("stage", s(stage)), ("detail", s(detail))],
            ),
            Evidence::HandshakeFailed(detail) => {
                ("ev-handshake-failed", vec![("detail", s(detail))])
            }
            Evidence::KnownKey { product, matched } => (
                "ev-known-key",
                vec![("product", s(product)), ("matched", s(matched))],
            ),
            Evidence::Malformed(error) => ("ev-malformed", vec![("error", s(error))]),
            Evidence::NotPublic { host, store, why } => (
                "ev-not-public",
                vec![("host", s(host)), ("store", s(store)), ("why", s(why))],
            ),
            Evidence::Expired { from, to } => {
                ("ev-expired", vec![("from", s(from)), ("to", s(to))])
            }
            Evidence::NotYetValid { from, to } => {
                ("ev-not-yet-valid", vec![("from", s(from)), ("to", s(to))])
            }
            Evidence::LegacyRoot(label) => ("ev-legacy-root", vec![("label", s(label))]),
            Evidence::SystemRoot => ("ev-system-root", vec![]),
            Evidence::SystemRootAt(location) => {
                ("ev-system-root-at", vec![("location", s(location))])
            }
            Evidence::NoRoot => ("ev-no-root", vec![]),
            Evidence::WrongName { names, host } => (
                "ev-wrong-name",
                vec![("names", s(names)), ("host", s(host))],
            ),
            Evidence::WrongNameNotPublic(store) => {
                ("ev-wrong-name-not-public", vec![("store", s(store))])
            }
            Evidence::PortalKey(label) => ("ev-portal-key", vec![("label", s(label))]),
            Evidence::PortalCheck(detail) => ("ev-portal-check", vec![("detail", s(detail))]),
            Evidence::PinMismatch {
                service,
                count,
                review,
            } => (
                "ev-pin-mismatch",
                vec![
                    ("service", s(service)),
                    ("count", count.to_string()),
                    ("review", s(review)),
                ],
            ),
            Evidence::PinsetStale { review, today } => (
                "ev-pinset-stale",
                vec![("review", s(review)), ("today", s(today))],
            ),
        };
        lang.tr_args(key, &args)
    }
}

impl Serialize for Evidence {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.render(Lang::En))
    }
}
