//! The decision: one ordered list of rules, numbered as ARCHITECTURE.md
//! numbers them. Each rule looks at the [`Findings`] alone and either
//! decides or passes; the first that decides wins. Each is a plain function,
//! testable on its own.

use super::anchors::ChainRule;
use super::attribution::Attribution;
use super::evidence::{ClockDirection, Evidence, Signer};
use super::findings::{Findings, Pins, Validity};
use super::path::PathEnd;
use super::verdict::{Reason, Verdict};
use crate::observation::Stage;
use crate::util::rfc3339;

/// What a rule decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// The verdict.
    pub verdict: Verdict,
    /// Stable reason codes.
    pub reasons: Vec<Reason>,
    /// The facts behind it.
    pub evidence: Vec<Evidence>,
    /// The interception product, when the verdict is `intercepted` and one
    /// is known (by key, or by issuer name once the chain is known forged).
    pub interceptor: Option<Attribution>,
}

impl Decision {
    fn new(verdict: Verdict, reasons: Vec<Reason>, evidence: Vec<Evidence>) -> Self {
        Decision {
            verdict,
            reasons,
            evidence,
            interceptor: None,
        }
    }
}

/// A rule: decides, or passes (`None`).
pub type Rule = fn(&Findings<'_>) -> Option<Decision>;

/// The rules in order: (number, name, rule).
pub const RULES: &[(u8, &str, Rule)] = &[
    (1, "no_certificate", no_certificate),
    (2, "known_interceptor_key", known_interceptor_key),
    (3, "malformed_leaf", malformed_leaf),
    (4, "wrong_name", wrong_name),
    (5, "forged_path", forged_path),
    (6, "unverifiable_path", unverifiable_path),
    (7, "broken_genuine_chain", broken_genuine_chain),
    (8, "pin_mismatch", pin_mismatch),
    (9, "ct_policy", ct_policy),
    (10, "genuine", genuine),
];

/// Applies the rules in order; adds the evidence every verdict carries
/// (the issuer first, known keys merely sent along last).
pub fn decide(f: &Findings<'_>) -> Decision {
    let mut decision = RULES
        .iter()
        .find_map(|(_, _, rule)| rule(f))
        .unwrap_or_else(|| {
            // No rule decided: a combination of findings the rules do not
            // foresee (rule 10, the catch-all, passes only on a chain that is
            // not fully valid). Stay safe: never `ok`.
            Decision::new(Verdict::Suspicious, vec![Reason::ChainInvalid], Vec::new())
        });
    if let Some(leaf) = f.chain.first().filter(|l| !l.issuer.is_empty()) {
        decision.evidence.insert(
            0,
            Evidence::Issuer {
                issuer: leaf.issuer.clone(),
            },
        );
    }
    note_chain_shape(f, &mut decision);
    if f.clock.is_some() && !decision.reasons.contains(&Reason::ClockSuspect) {
        decision.reasons.push(Reason::ClockSuspect);
        decision.evidence.push(clock_evidence(f));
    }
    if let (Pins::Mismatch, Some(days), Some(service)) = (&f.pins, f.knowledge_old, f.service) {
        decision.evidence.push(Evidence::PinMismatch {
            service: service.display_name.clone(),
            count: service.pins.len(),
            review: service.review_by.to_string(),
        });
        decision.evidence.push(Evidence::KnowledgeOld { days });
    }
    for (position, att) in &f.appended_keys {
        decision.evidence.push(Evidence::AppendedKnownKey {
            product: att.name.clone(),
            matched: att.matched.clone(),
            position: *position,
        });
    }
    decision
}

/// What the chain's shape adds to any verdict: an oversized chain
/// (`chain_oversized`), and how a chain no TLS library took was read.
fn note_chain_shape(f: &Findings<'_>, d: &mut Decision) {
    if let Some(o) = &f.oversized {
        if !d.reasons.contains(&Reason::ChainOversized) {
            d.reasons.push(Reason::ChainOversized);
        }
        d.evidence.push(Evidence::ChainOversized {
            bytes: o.bytes,
            certificates: o.certificates,
            capped: o.capped,
        });
    }
    if let Some(fetch) = f.aia {
        if f.path.has_fetched() {
            d.evidence.push(Evidence::IssuerFetched {
                url: fetch.url.clone(),
            });
        }
    }
    match f.fallback {
        Some(read) if f.read_by_fallback() => d.evidence.push(Evidence::FallbackRead {
            version: read.version.clone().unwrap_or_else(|| "TLSv1.2".into()),
        }),
        Some(read) => d.evidence.push(Evidence::FallbackFailed {
            detail: read.error.clone().unwrap_or_default(),
        }),
        None => {}
    }
}

/// Rule 1: No certificate: `unreachable`, with the stage that failed;
/// but a peer that sent a handshake message too large for any TLS library
/// (and no chain pinwatch could read) is `suspicious`, `chain_oversized`:
/// that is a shape meant to hide a chain, not an outage.
pub fn no_certificate(f: &Findings<'_>) -> Option<Decision> {
    if !f.chain.is_empty() {
        return None;
    }
    if f.oversized.is_some() {
        let (stage, detail) = f
            .error
            .map_or((Stage::Tls, String::new()), |e| (e.stage, e.detail.clone()));
        return Some(Decision::new(
            Verdict::Suspicious,
            vec![Reason::ChainOversized],
            vec![Evidence::NoCertificate { stage, detail }],
        ));
    }
    let reason = match f.error.map(|e| e.stage) {
        Some(Stage::Dns) => Reason::DnsFailed,
        Some(Stage::Tcp) => Reason::TcpFailed,
        Some(Stage::Proxy) => Reason::ProxyFailed,
        Some(Stage::Timeout) => Reason::Timeout,
        Some(Stage::Tls) | None => Reason::TlsFailed,
    };
    let (stage, detail) = f
        .error
        .map_or((Stage::Tls, String::new()), |e| (e.stage, e.detail.clone()));
    Some(Decision::new(
        Verdict::Unreachable,
        vec![reason],
        vec![Evidence::NoCertificate { stage, detail }],
    ))
}

/// Rule 2: A known interception key in the signature path (it signed the leaf,
/// or a certificate above it): `intercepted`. A key merely sent along is
/// evidence, not a verdict.
pub fn known_interceptor_key(f: &Findings<'_>) -> Option<Decision> {
    let att = f.interceptor_key.as_ref()?;
    let mut d = Decision::new(
        Verdict::Intercepted,
        vec![Reason::KnownInterceptorKey],
        vec![Evidence::KnownKey {
            product: att.name.clone(),
            matched: att.matched.clone(),
        }],
    );
    note_system_root(f, &mut d);
    d.interceptor = Some(att.clone());
    Some(d)
}

/// Rule 3: A leaf that cannot be parsed names nothing: `suspicious`.
pub fn malformed_leaf(f: &Findings<'_>) -> Option<Decision> {
    let error = f.chain.first()?.parse_error.as_ref()?;
    Some(Decision::new(
        Verdict::Suspicious,
        vec![Reason::MalformedCertificate],
        vec![Evidence::Malformed {
            error: error.clone(),
        }],
    ))
}

/// Rule 4: A certificate for some other name: a captive portal when one was seen
/// (or the key is a known portal's), else `suspicious`. No validating app
/// accepts such a certificate, so it is not silent interception.
pub fn wrong_name(f: &Findings<'_>) -> Option<Decision> {
    if f.names_host {
        return None;
    }
    let leaf = f.chain.first()?;
    let host = f.host.clone();
    let fact = if leaf.sans.is_empty() {
        Evidence::NoSubjectAltName {
            subject: leaf.subject.clone(),
            host,
        }
    } else {
        Evidence::WrongName {
            names: leaf.sans.join(", "),
            host,
        }
    };
    let mut d = Decision::new(Verdict::Suspicious, vec![Reason::NameMismatch], vec![fact]);
    if !f.path.end.is_known_ca() {
        d.evidence.push(Evidence::WrongNameNotPublic {
            store: f.public_store.clone(),
        });
    }
    let checks = f.portal.map(|p| {
        p.details
            .iter()
            .map(|detail| Evidence::PortalCheck {
                detail: detail.clone(),
            })
            .collect::<Vec<_>>()
    });
    if let Some(label) = &f.portal_key {
        d.verdict = Verdict::CaptivePortal;
        d.reasons.push(Reason::CaptivePortalKey);
        d.evidence.push(Evidence::PortalKey {
            label: label.clone(),
        });
    } else if f.portal.is_some_and(|p| p.detected) {
        d.verdict = Verdict::CaptivePortal;
        d.reasons.push(Reason::PortalDetected);
    }
    d.evidence.extend(checks.unwrap_or_default());
    Some(d)
}

/// Rule 5: Names the host, and no public or known CA key signed its path: a
/// forged chain, `intercepted`. Whether this machine trusts the signer says
/// whether apps accept it silently. A path that merely stops at a missing
/// issuer (not sent, not known, not fetchable from its AIA URL) is
/// `suspicious`, `chain_incomplete`, unless another forgery signal holds
/// ([`incomplete_not_forged`]).
pub fn forged_path(f: &Findings<'_>) -> Option<Decision> {
    if let Some(missing) = incomplete_not_forged(f) {
        let fetch = f.aia.map(|a| match (&a.error, f.path.has_fetched()) {
            (Some(error), _) => error.clone(),
            (None, true) => "fetched, but the chain still stops above it".to_string(),
            (None, false) => "fetched, but it did not sign the certificate".to_string(),
        });
        return Some(Decision::new(
            Verdict::Suspicious,
            vec![Reason::NameMatch, Reason::ChainIncomplete],
            vec![Evidence::ChainIncomplete {
                issuer: missing.name.clone(),
                url: missing.url.clone(),
                fetch,
            }],
        ));
    }
    let signer = match f.path.end {
        PathEnd::Unknown => Signer::Unknown,
        PathEnd::System { .. } => Signer::System,
        PathEnd::Public { .. } | PathEnd::KnownCa { .. } | PathEnd::Unverifiable { .. } => {
            return None;
        }
    };
    let mut d = Decision::new(
        Verdict::Intercepted,
        vec![Reason::NameMatch, Reason::UntrustedRoot],
        vec![Evidence::Forged {
            host: f.host.clone(),
            store: f.public_store.clone(),
            signer,
        }],
    );
    match &f.path.impersonates {
        Some(look) if look.impersonates() => {
            d.reasons.push(Reason::ImpersonatesPublicCa);
            d.evidence.push(Evidence::Impersonates {
                name: look.borrowed().to_string(),
            });
        }
        Some(look) => {
            d.reasons.push(Reason::BorrowsCaOrganization);
            d.evidence.push(Evidence::BorrowsCaOrganization {
                organization: look.borrowed().to_string(),
            });
        }
        None => {}
    }
    if let Some(name) = f
        .path
        .disowned_by
        .as_ref()
        .filter(|_| !d.reasons.contains(&Reason::ImpersonatesPublicCa))
    {
        d.reasons.push(Reason::ImpersonatesPublicCa);
        d.evidence
            .push(Evidence::Impersonates { name: name.clone() });
    }
    note_system_root(f, &mut d);
    // Supporting evidence: forged leaves carry no SCTs.
    if let Some((reason, fact)) = ct_finding(f) {
        d.reasons.push(reason);
        d.evidence.push(fact);
    }
    if let Some(att) = &f.interceptor_name {
        d.reasons.push(Reason::InterceptorIssuer);
        d.interceptor = Some(att.clone());
    }
    Some(d)
}

/// A path that stops at a missing issuer, when nothing else shows it
/// forged: a leaf-only forgery must not pass for an incomplete chain when
/// pinwatch can tell. Forged, whatever is missing, when
/// - a root of this machine's store signed it (the path does not stop),
/// - a known interception product's key (rule 2) or issuer name is there,
/// - a certificate claims the name of a public root or known CA as its
///   issuer and none of their keys signed it: that issuer is known and
///   did not sign; so too when the certificate of the issuer it names is
///   here (sent, or fetched from its AIA URL) and reaches a public key,
///   but did not sign it,
/// - CT applies and the leaf carries no SCT list at all: every publicly
///   trusted leaf has one since 2018, a genuine leaf missing its
///   intermediate included,
/// - the path ends at a self-signed certificate nobody knows (a complete
///   forged chain is not incomplete).
pub fn incomplete_not_forged<'f>(
    f: &'f Findings<'_>,
) -> Option<&'f super::findings::MissingIssuer> {
    let missing = f.missing_issuer.as_ref()?;
    let no_scts =
        f.ct.as_ref()
            .is_some_and(|ct| ct.status == crate::ct::CtStatus::CtMissing);
    let forged = f
        .path
        .impersonates
        .as_ref()
        .is_some_and(|look| look.impersonates())
        || f.path.disowned_by.is_some()
        || f.interceptor_name.is_some()
        || f.interceptor_key.is_some()
        || no_scts;
    (!forged).then_some(missing)
}

/// Rule 6: A signature on the way could not be checked (an algorithm pinwatch
/// cannot verify): forgery can be neither shown nor ruled out.
pub fn unverifiable_path(f: &Findings<'_>) -> Option<Decision> {
    let PathEnd::Unverifiable { detail } = &f.path.end else {
        return None;
    };
    if f.validity.path().is_some() {
        // rustls-webpki validated it: the path is checked after all.
        return None;
    }
    Some(Decision::new(
        Verdict::Suspicious,
        vec![Reason::NameMatch, Reason::ChainUnverifiable],
        vec![Evidence::Unverifiable {
            detail: detail.clone(),
        }],
    ))
}

/// Rule 7: Reaches a public or known CA key by signatures but is not fully
/// valid: a misconfigured genuine chain, `suspicious`, naming the rule and
/// the certificate. A chain no TLS library took (read by pinwatch's
/// fallback) is at most `suspicious` too, `chain_unproven`: the peer is not
/// shown to hold the leaf's key.
pub fn broken_genuine_chain(f: &Findings<'_>) -> Option<Decision> {
    if f.read_by_fallback() {
        return Some(Decision::new(
            Verdict::Suspicious,
            vec![Reason::NameMatch, Reason::ChainUnproven],
            Vec::new(),
        ));
    }
    let Validity::Invalid(problem) = &f.validity else {
        return None;
    };
    let reason = match problem.rule {
        ChainRule::Expired => Reason::ChainExpired,
        ChainRule::NotYetValid => Reason::ChainNotYetValid,
        ChainRule::Constraint => Reason::ChainConstraintViolated,
        ChainRule::Usage => Reason::ChainUsageViolated,
        ChainRule::TooLong => Reason::ChainTooLong,
        ChainRule::UnknownIssuer if matches!(f.path.end, PathEnd::KnownCa { .. }) => {
            Reason::KnownCaNotTrusted
        }
        ChainRule::UnknownIssuer | ChainRule::Other => Reason::ChainInvalid,
    };
    let mut d = Decision::new(
        Verdict::Suspicious,
        vec![Reason::NameMatch, reason],
        Vec::new(),
    );
    let wrong_clock = f.clock.is_some_and(|c| c.chain_valid_then)
        && matches!(problem.rule, ChainRule::Expired | ChainRule::NotYetValid);
    if wrong_clock {
        // This machine's clock, not the server: never "misconfigured".
        d.reasons.push(Reason::ClockSuspect);
        d.evidence.push(clock_evidence(f));
    } else if reason == Reason::KnownCaNotTrusted {
        d.evidence.push(Evidence::KnownCaNotTrusted {
            label: f.end_label.clone().unwrap_or_default(),
        });
    } else {
        d.evidence.push(Evidence::ChainRuleBroken {
            rule: problem.rule,
            detail: problem.detail.as_str().to_string(),
        });
    }
    for (position, subject, from, to) in f.out_of_date() {
        d.evidence.push(Evidence::CertOutOfDate {
            position,
            subject: subject.to_string(),
            not_before: rfc3339(from),
            not_after: rfc3339(to),
        });
    }
    Some(d)
}

/// The wrong clock, with the time the chain was judged by.
fn clock_evidence(f: &Findings<'_>) -> Evidence {
    let clock = f.clock.unwrap_or(super::findings::ClockSuspect {
        behind: true,
        before_build: false,
        chain_valid_then: false,
    });
    Evidence::ClockSuspect {
        now: rfc3339(f.now.unix_timestamp()),
        direction: if clock.behind {
            ClockDirection::Behind
        } else {
            ClockDirection::Ahead
        },
        built: clock
            .before_build
            .then(|| rfc3339(f.built.unix_timestamp())),
        chain_valid_then: clock.chain_valid_then,
    }
}

/// Rule 8: Fully valid, but no key of the path is in the service's pinset:
/// `suspicious` (a rogue public CA, or the service changed CAs). A pin
/// never raises `intercepted` on its own. With knowledge older than 70
/// days the rule passes: the mismatch is evidence only ([`decide`] adds it).
pub fn pin_mismatch(f: &Findings<'_>) -> Option<Decision> {
    if f.pins != Pins::Mismatch || f.knowledge_old.is_some() {
        return None;
    }
    let service = f.service?;
    let mut d = Decision::new(
        Verdict::Suspicious,
        vec![
            Reason::NameMatch,
            trusted_by(&f.validity),
            Reason::PinMismatch,
        ],
        vec![Evidence::PinMismatch {
            service: service.display_name.clone(),
            count: service.pins.len(),
            review: service.review_by.to_string(),
        }],
    );
    if f.pinset_stale {
        d.reasons.push(Reason::PinsetStale);
        d.evidence.push(Evidence::PinsetStale {
            review: service.review_by.to_string(),
            today: f.now.date().to_string(),
        });
    }
    // A current pinset, missed, by a certificate a public CA issued outside
    // the CT logs: a rogue public CA (DigiNotar's certificates looked so).
    let public = matches!(f.validity, Validity::Public(_));
    if let (true, Some((reason, fact))) = (public, ct_finding(f)) {
        if !f.pinset_stale && matches!(reason, Reason::CtMissing | Reason::CtInvalid) {
            d.verdict = Verdict::Intercepted;
            d.reasons.push(Reason::RoguePublicCa);
        }
        d.reasons.push(reason);
        d.evidence.push(fact);
    }
    Some(d)
}

/// Rule 9: publicly valid and pinned (or no pinset), but its leaf has no
/// valid SCT: `suspicious` (`ct_missing`, `ct_invalid`, or
/// `ct_insufficient` with a current log list), never silently `ok`.
pub fn ct_policy(f: &Findings<'_>) -> Option<Decision> {
    if !matches!(f.validity, Validity::Public(_)) || f.error.is_some() {
        return None;
    }
    let (reason, fact) = ct_finding(f)?;
    Some(Decision::new(
        Verdict::Suspicious,
        vec![Reason::NameMatch, Reason::PublicRoot, reason],
        vec![fact],
    ))
}

/// What CT says against the chain, if anything: no SCT list, provably bad
/// SCTs, or (with a log list that is current) no SCT that verifies.
fn ct_finding(f: &Findings<'_>) -> Option<(Reason, Evidence)> {
    use crate::ct::CtStatus;
    let ct = f.ct.as_ref()?;
    let reason = match ct.status {
        CtStatus::CtMissing => Reason::CtMissing,
        CtStatus::CtInvalid => Reason::CtInvalid,
        CtStatus::CtInsufficient if ct.valid == 0 && !ct.log_list.stale => Reason::CtInsufficient,
        CtStatus::CtInsufficient | CtStatus::CtOk | CtStatus::NotApplicable => return None,
    };
    Some((
        reason,
        Evidence::Ct {
            status: ct.status,
            valid: ct.valid,
            operators: ct.distinct_operators,
            detail: ct.detail.clone(),
            list_stale: ct.log_list.stale,
        },
    ))
}

/// Rule 10: The genuine chain: `ok`; or `unreachable` when the handshake failed
/// after it arrived (nothing can be read through such a connection).
pub fn genuine(f: &Findings<'_>) -> Option<Decision> {
    let pin = match &f.pins {
        Pins::Match(_) => Some(Reason::PinMatch),
        Pins::NoPinset => Some(Reason::NoPinset),
        // Knowledge older than 70 days: the mismatch is evidence only.
        Pins::Mismatch if f.knowledge_old.is_some() => None,
        Pins::NotChecked | Pins::Mismatch => return None,
    };
    let mut reasons = vec![Reason::NameMatch, trusted_by(&f.validity)];
    reasons.extend(pin);
    let mut d = Decision::new(Verdict::Ok, reasons, Vec::new());
    if let Validity::LegacyRoot { label, .. } = &f.validity {
        d.evidence.push(Evidence::LegacyRoot {
            label: label.clone(),
        });
    }
    if let Some(err) = f.error {
        d.verdict = Verdict::Unreachable;
        d.reasons.push(Reason::TlsFailed);
        d.evidence.push(Evidence::HandshakeFailed {
            detail: err.detail.clone(),
        });
    }
    Some(d)
}

fn trusted_by(validity: &Validity) -> Reason {
    match validity {
        Validity::ServiceCa(_) => Reason::ServiceCa,
        Validity::LegacyRoot { .. } => Reason::LegacyRoot,
        Validity::Public(_) | Validity::Invalid(_) => Reason::PublicRoot,
    }
}

/// Whether this machine's store holds the key that signed a forged path:
/// then apps accept it silently.
fn note_system_root(f: &Findings<'_>, d: &mut Decision) {
    if matches!(f.path.end, PathEnd::System { .. }) {
        d.reasons.push(Reason::SystemRootInstalled);
        d.evidence.push(Evidence::SystemRoot);
        for location in &f.system_locations {
            d.evidence.push(Evidence::SystemRootAt {
                location: location.clone(),
            });
        }
    } else if !d.reasons.contains(&Reason::KnownInterceptorKey) {
        d.reasons.push(Reason::UnknownRoot);
        d.evidence.push(Evidence::NoRoot);
    }
}

#[cfg(test)]
mod tests {
    //! Each rule on hand-made findings, without certificates or a network.

    use super::*;
    use crate::analysis::CertFacts;
    use crate::analysis::anchors::{ChainError, ChainProblem};
    use crate::analysis::attribution::MatchedBy;
    use crate::analysis::path::SigPath;
    use crate::observation::ProbeError;

    fn leaf() -> CertFacts {
        CertFacts {
            subject: "CN=chat.example".into(),
            issuer: "CN=Test CA".into(),
            issuer_cn: Some("Test CA".into()),
            issuer_o: None,
            sans: vec!["chat.example".into()],
            not_before_unix: 0,
            not_after_unix: i64::MAX / 2,
            not_before: String::new(),
            not_after: String::new(),
            spki_sha256: "leafkey".into(),
            cert_sha256: "00".into(),
            is_ca: false,
            parse_error: None,
        }
    }

    /// A genuine, publicly valid chain with no pinset.
    fn genuine_findings() -> Findings<'static> {
        Findings {
            host: "chat.example".into(),
            chain: vec![leaf()],
            error: None,
            fallback: None,
            oversized: None,
            names_host: true,
            path: SigPath::ending(PathEnd::Public {
                spki_sha256: "rootkey".into(),
            }),
            missing_issuer: None,
            aia: None,
            end_label: None,
            validity: Validity::Public(vec!["leafkey".into(), "rootkey".into()]),
            clock: None,
            system_locations: Vec::new(),
            interceptor_key: None,
            appended_keys: Vec::new(),
            interceptor_name: None,
            portal_key: None,
            portal: None,
            service: None,
            pins: Pins::NoPinset,
            pinset_stale: false,
            knowledge_old: None,
            public_store: "public".into(),
            now: time::OffsetDateTime::from_unix_timestamp(1_795_900_000).unwrap(),
            built: time::OffsetDateTime::UNIX_EPOCH,
            ct: None,
        }
    }

    fn product() -> Attribution {
        Attribution {
            id: "evil".into(),
            name: "Evil Proxy".into(),
            category: crate::knowledge::Category::DebuggingProxy,
            matched_by: MatchedBy::Spki,
            matched: "key k (Evil CA)".into(),
            advice: String::new(),
            advice_zh: String::new(),
        }
    }

    fn broken(rule: ChainRule) -> Findings<'static> {
        Findings {
            validity: Validity::Invalid(ChainProblem {
                rule,
                detail: ChainError::Other,
            }),
            pins: Pins::NotChecked,
            ..genuine_findings()
        }
    }

    #[test]
    fn the_rules_are_numbered_in_order() {
        let numbers: Vec<u8> = RULES.iter().map(|(n, _, _)| *n).collect();
        assert_eq!(numbers, (1..=10).collect::<Vec<u8>>());
    }

    #[test]
    fn rule_1_decides_only_without_a_certificate() {
        assert_eq!(no_certificate(&genuine_findings()), None);
        let err = ProbeError::new(Stage::Dns, "x: NXDOMAIN");
        let f = Findings {
            chain: Vec::new(),
            error: Some(&err),
            ..genuine_findings()
        };
        let d = no_certificate(&f).expect("decides");
        assert_eq!(
            (d.verdict, d.reasons),
            (Verdict::Unreachable, vec![Reason::DnsFailed])
        );
    }

    #[test]
    fn rule_2_needs_the_key_in_the_path_not_merely_sent() {
        let appended = Findings {
            appended_keys: vec![(2, product())],
            ..genuine_findings()
        };
        assert_eq!(known_interceptor_key(&appended), None);
        let d = decide(&appended);
        assert_eq!(d.verdict, Verdict::Ok);
        assert!(d.evidence.iter().any(|e| e.code() == "appended_known_key"));
        let in_path = Findings {
            interceptor_key: Some(product()),
            ..genuine_findings()
        };
        let d = known_interceptor_key(&in_path).expect("decides");
        assert_eq!(d.verdict, Verdict::Intercepted);
        assert_eq!(d.interceptor.map(|a| a.id), Some("evil".to_string()));
    }

    #[test]
    fn rule_5_is_forgery_only_when_no_known_key_signed_the_path() {
        assert_eq!(forged_path(&broken(ChainRule::Expired)), None);
        let unknown = Findings {
            path: SigPath::ending(PathEnd::Unknown),
            ..broken(ChainRule::UnknownIssuer)
        };
        let d = forged_path(&unknown).expect("decides");
        assert_eq!(d.verdict, Verdict::Intercepted);
        assert!(d.reasons.contains(&Reason::UnknownRoot));
        let local = Findings {
            path: SigPath::ending(PathEnd::System {
                spki_sha256: "local".into(),
            }),
            system_locations: vec!["/etc/ssl/certs/local.pem".into()],
            ..broken(ChainRule::UnknownIssuer)
        };
        let d = forged_path(&local).expect("decides");
        assert!(d.reasons.contains(&Reason::SystemRootInstalled));
        assert!(d.evidence.contains(&Evidence::SystemRootAt {
            location: "/etc/ssl/certs/local.pem".into()
        }));
    }

    #[test]
    fn rule_7_names_the_broken_rule() {
        for (rule, reason) in [
            (ChainRule::Expired, Reason::ChainExpired),
            (ChainRule::NotYetValid, Reason::ChainNotYetValid),
            (ChainRule::Constraint, Reason::ChainConstraintViolated),
            (ChainRule::Usage, Reason::ChainUsageViolated),
            (ChainRule::TooLong, Reason::ChainTooLong),
            (ChainRule::Other, Reason::ChainInvalid),
        ] {
            let d = decide(&broken(rule));
            assert_eq!(d.verdict, Verdict::Suspicious, "{rule:?}");
            assert!(d.reasons.contains(&reason), "{rule:?}: {:?}", d.reasons);
        }
        let retired = Findings {
            path: SigPath::ending(PathEnd::KnownCa {
                spki_sha256: "old".into(),
            }),
            end_label: Some("Old Root".into()),
            ..broken(ChainRule::UnknownIssuer)
        };
        let d = decide(&retired);
        assert!(d.reasons.contains(&Reason::KnownCaNotTrusted));
    }

    #[test]
    fn rule_10_is_ok_unless_the_handshake_failed() {
        assert_eq!(decide(&genuine_findings()).verdict, Verdict::Ok);
        let err = ProbeError::new(Stage::Tls, "alert");
        let failed = Findings {
            error: Some(&err),
            ..genuine_findings()
        };
        let d = decide(&failed);
        assert_eq!(d.verdict, Verdict::Unreachable);
        assert!(d.reasons.contains(&Reason::TlsFailed));
    }

    #[test]
    fn rule_7_blames_a_wrong_clock_not_the_server() {
        let clock = Findings {
            clock: Some(crate::analysis::findings::ClockSuspect {
                behind: false,
                before_build: false,
                chain_valid_then: true,
            }),
            ..broken(ChainRule::Expired)
        };
        let d = decide(&clock);
        assert_eq!(d.verdict, Verdict::Suspicious);
        assert!(d.reasons.contains(&Reason::ClockSuspect), "{:?}", d.reasons);
        assert!(d.evidence.iter().any(|e| matches!(
            e,
            Evidence::ClockSuspect {
                direction: ClockDirection::Ahead,
                ..
            }
        )));
        assert!(!d.evidence.iter().any(|e| e.code() == "chain_rule_broken"));
        // A constraint broken is the server's, whatever the clock.
        let constraint = Findings {
            clock: clock.clock,
            ..broken(ChainRule::Constraint)
        };
        let d = decide(&constraint);
        assert!(d.evidence.iter().any(|e| e.code() == "chain_rule_broken"));
    }

    #[test]
    fn a_chain_read_by_the_fallback_is_never_ok() {
        let read = crate::observation::FallbackRead {
            version: Some("TLSv1.2".into()),
            message_len: Some(80_000),
            certificates: 300,
            capped: false,
            error: None,
        };
        let f = Findings {
            fallback: Some(&read),
            oversized: Some(crate::analysis::findings::Oversized {
                bytes: Some(80_000),
                certificates: 300,
                capped: false,
            }),
            ..genuine_findings()
        };
        let d = decide(&f);
        assert_eq!(d.verdict, Verdict::Suspicious);
        assert!(d.reasons.contains(&Reason::ChainUnproven));
        assert!(d.reasons.contains(&Reason::ChainOversized));
        let forged = Findings {
            path: SigPath::ending(PathEnd::Unknown),
            validity: Validity::Invalid(ChainProblem::new(ChainError::UnknownIssuer)),
            pins: Pins::NotChecked,
            ..f
        };
        assert_eq!(decide(&forged).verdict, Verdict::Intercepted);
        let nothing = Findings {
            chain: Vec::new(),
            fallback: None,
            ..forged
        };
        let d = decide(&nothing);
        assert_eq!(d.verdict, Verdict::Suspicious, "never unreachable");
        assert_eq!(d.reasons, vec![Reason::ChainOversized]);
    }

    fn pinned_service() -> &'static crate::knowledge::Service {
        Box::leak(Box::new(crate::knowledge::Service {
            name: "chat".into(),
            display_name: "Chat".into(),
            display_name_zh: "聊天".into(),
            review_by: time::Date::from_calendar_date(2099, time::Month::January, 1)
                .expect("a date"),
            source: String::new(),
            exposes: String::new(),
            exposes_zh: String::new(),
            exposure: crate::knowledge::Exposure::default(),
            hosts: Vec::new(),
            pins: Vec::new(),
            origin: String::new(),
        }))
    }

    #[test]
    fn rule_8_pin_mismatch_is_suspicious_until_the_knowledge_is_70_days_old() {
        let mismatch = Findings {
            service: Some(pinned_service()),
            pins: Pins::Mismatch,
            ..genuine_findings()
        };
        let d = decide(&mismatch);
        assert_eq!(d.verdict, Verdict::Suspicious);
        assert!(d.reasons.contains(&Reason::PinMismatch), "{d:?}");

        let old = Findings {
            knowledge_old: Some(80),
            ..mismatch
        };
        assert_eq!(pin_mismatch(&old), None);
        let d = decide(&old);
        assert_eq!(d.verdict, Verdict::Ok, "{d:?}");
        assert!(!d.reasons.contains(&Reason::PinMismatch), "{d:?}");
        let codes: Vec<&str> = d.evidence.iter().map(Evidence::code).collect();
        assert!(
            codes.ends_with(&["pin_mismatch", "knowledge_old"]),
            "{codes:?}"
        );

        // Forgery and known keys are judged the same at any age.
        let forged = Findings {
            knowledge_old: Some(400),
            service: Some(pinned_service()),
            path: SigPath::ending(PathEnd::Unknown),
            ..broken(ChainRule::UnknownIssuer)
        };
        assert_eq!(decide(&forged).verdict, Verdict::Intercepted);
        let known = Findings {
            knowledge_old: Some(400),
            interceptor_key: Some(product()),
            ..genuine_findings()
        };
        assert_eq!(decide(&known).verdict, Verdict::Intercepted);
    }

    /// A CT report with `status` and `valid` valid SCTs, from a log list
    /// that is `stale` or not.
    fn ct(status: crate::ct::CtStatus, valid: usize, stale: bool) -> crate::ct::CtReport {
        let policy = |name| crate::ct::PolicyResult {
            name,
            source: "",
            required: 2,
            met: status == crate::ct::CtStatus::CtOk,
            detail: String::new(),
        };
        crate::ct::CtReport {
            status,
            scts: Vec::new(),
            valid,
            distinct_operators: valid,
            policy: policy("chrome"),
            apple_policy: policy("apple"),
            log_list: crate::ct::LogListInfo {
                source: "test".into(),
                version: "1".into(),
                timestamp: String::new(),
                review_by: String::new(),
                stale,
            },
            detail: "test".into(),
        }
    }

    #[test]
    fn rule_3_a_leaf_that_cannot_be_parsed_is_suspicious() {
        assert_eq!(malformed_leaf(&genuine_findings()), None);
        let garbage = Findings {
            chain: vec![CertFacts {
                parse_error: Some("not a parseable X.509 certificate".into()),
                ..leaf()
            }],
            names_host: false,
            path: SigPath::ending(PathEnd::Unknown),
            ..broken(ChainRule::Other)
        };
        let d = malformed_leaf(&garbage).expect("decides");
        assert_eq!(
            (d.verdict, d.reasons),
            (Verdict::Suspicious, vec![Reason::MalformedCertificate])
        );
        // Before any rule that could call it forged or a portal.
        assert_eq!(decide(&garbage).verdict, Verdict::Suspicious);
    }

    #[test]
    fn rule_4_another_name_is_a_portal_only_when_one_is_seen() {
        assert_eq!(wrong_name(&genuine_findings()), None);
        let other = Findings {
            names_host: false,
            chain: vec![CertFacts {
                sans: vec!["login.cafe.example".into()],
                ..leaf()
            }],
            path: SigPath::ending(PathEnd::Unknown),
            ..broken(ChainRule::Other)
        };
        let d = wrong_name(&other).expect("decides");
        assert_eq!(d.verdict, Verdict::Suspicious);
        assert!(d.reasons.contains(&Reason::NameMismatch));
        assert!(
            d.evidence
                .iter()
                .any(|e| e.code() == "wrong_name_not_public")
        );
        // Never intercepted, even though no public key signed it.
        assert_eq!(decide(&other).verdict, Verdict::Suspicious);
        let seen = crate::observation::PortalEvidence {
            detected: true,
            details: vec!["http://check/: redirected (302) to http://login/".into()],
        };
        let behind_portal = Findings {
            portal: Some(Box::leak(Box::new(seen))),
            ..other.clone()
        };
        let d = wrong_name(&behind_portal).expect("decides");
        assert_eq!(d.verdict, Verdict::CaptivePortal);
        assert!(d.reasons.contains(&Reason::PortalDetected));
        let known_key = Findings {
            portal_key: Some("Some portal vendor".into()),
            ..other
        };
        let d = wrong_name(&known_key).expect("decides");
        assert_eq!(d.verdict, Verdict::CaptivePortal);
        assert!(d.reasons.contains(&Reason::CaptivePortalKey));
    }

    #[test]
    fn rule_6_an_uncheckable_signature_is_suspicious_only_when_nothing_validated() {
        let unverifiable = Findings {
            path: SigPath::ending(PathEnd::Unverifiable {
                detail: "signature algorithm 1.2.3 cannot be checked".into(),
            }),
            ..broken(ChainRule::UnknownIssuer)
        };
        let d = unverifiable_path(&unverifiable).expect("decides");
        assert_eq!(d.verdict, Verdict::Suspicious);
        assert!(d.reasons.contains(&Reason::ChainUnverifiable));
        // Neither forged (rule 5 passes) nor ok.
        assert_eq!(forged_path(&unverifiable), None);
        assert_eq!(decide(&unverifiable).verdict, Verdict::Suspicious);
        // rustls-webpki validated it: then the chain is what it is.
        let validated = Findings {
            path: unverifiable.path.clone(),
            ..genuine_findings()
        };
        assert_eq!(unverifiable_path(&validated), None);
        assert_eq!(decide(&validated).verdict, Verdict::Ok);
    }

    #[test]
    fn rule_8_a_public_chain_off_a_current_pinset_without_scts_is_a_rogue_ca() {
        use crate::ct::CtStatus;
        let rogue = Findings {
            service: Some(pinned_service()),
            pins: Pins::Mismatch,
            ct: Some(ct(CtStatus::CtMissing, 0, false)),
            ..genuine_findings()
        };
        let d = decide(&rogue);
        assert_eq!(d.verdict, Verdict::Intercepted, "{d:?}");
        assert!(d.reasons.contains(&Reason::RoguePublicCa));
        // With valid SCTs it is a CA change the pins do not know yet.
        let logged = Findings {
            ct: Some(ct(CtStatus::CtOk, 2, false)),
            ..rogue.clone()
        };
        let d = decide(&logged);
        assert_eq!(d.verdict, Verdict::Suspicious);
        assert!(!d.reasons.contains(&Reason::RoguePublicCa));
        // A stale pinset never raises it.
        let stale = Findings {
            pinset_stale: true,
            ..rogue
        };
        let d = decide(&stale);
        assert_eq!(d.verdict, Verdict::Suspicious);
        assert!(d.reasons.contains(&Reason::PinsetStale));
        // Today, as the evidence says it: the date of the time judged by.
        assert!(
            d.evidence.iter().any(|e| matches!(
                e,
                Evidence::PinsetStale { today, .. } if today == "2026-11-28"
            )),
            "{:?}",
            d.evidence
        );
    }

    #[test]
    fn rule_9_missing_or_bad_scts_on_a_public_chain_are_suspicious() {
        use crate::ct::CtStatus;
        for (status, valid, stale, reason) in [
            (CtStatus::CtMissing, 0, false, Some(Reason::CtMissing)),
            (CtStatus::CtInvalid, 0, true, Some(Reason::CtInvalid)),
            (
                CtStatus::CtInsufficient,
                0,
                false,
                Some(Reason::CtInsufficient),
            ),
            // Unknown logs with a stale list: not held against it.
            (CtStatus::CtInsufficient, 0, true, None),
            (CtStatus::CtInsufficient, 1, false, None),
            (CtStatus::CtOk, 2, false, None),
        ] {
            let f = Findings {
                ct: Some(ct(status, valid, stale)),
                ..genuine_findings()
            };
            let d = decide(&f);
            match reason {
                Some(reason) => {
                    assert_eq!(d.verdict, Verdict::Suspicious, "{status:?}");
                    assert!(d.reasons.contains(&reason), "{status:?}: {d:?}");
                    assert!(ct_policy(&f).is_some());
                }
                None => {
                    assert_eq!(d.verdict, Verdict::Ok, "{status:?} {valid} {stale}");
                    assert_eq!(ct_policy(&f), None);
                }
            }
        }
        // Not for a service's own CA: CT is the Web PKI's.
        let own = Findings {
            validity: Validity::ServiceCa(vec!["leafkey".into(), "own".into()]),
            ct: Some(ct(CtStatus::CtMissing, 0, false)),
            ..genuine_findings()
        };
        assert_eq!(ct_policy(&own), None);
    }
}
