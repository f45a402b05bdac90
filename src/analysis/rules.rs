//! The decision: one ordered list of rules, numbered as ARCHITECTURE.md
//! numbers them. Each rule looks at the [`Findings`] alone and either
//! decides or passes; the first that decides wins. Each is a plain function,
//! testable on its own.

use super::anchors::ChainRule;
use super::attribution::Attribution;
use super::evidence::Evidence;
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
    (9, "genuine", genuine),
];

/// Applies the rules in order; adds the evidence every verdict carries
/// (the issuer first, known keys merely sent along last).
pub fn decide(f: &Findings<'_>) -> Decision {
    let mut decision = RULES
        .iter()
        .find_map(|(_, _, rule)| rule(f))
        .unwrap_or_else(|| {
            // Unreachable: rule 9 always decides. Stay safe, never `ok`.
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
    for (position, att) in &f.appended_keys {
        decision.evidence.push(Evidence::AppendedKnownKey {
            product: att.name.clone(),
            matched: att.matched.clone(),
            position: *position,
        });
    }
    decision
}

/// Rule 1: No certificate: `unreachable`, with the stage that failed.
pub fn no_certificate(f: &Findings<'_>) -> Option<Decision> {
    if !f.chain.is_empty() {
        return None;
    }
    let reason = match f.error.map(|e| e.stage) {
        Some(Stage::Dns) => Reason::DnsFailed,
        Some(Stage::Tcp) => Reason::TcpFailed,
        Some(Stage::Proxy) => Reason::ProxyFailed,
        Some(Stage::Timeout) => Reason::Timeout,
        Some(Stage::Tls) | None => Reason::TlsFailed,
    };
    let (stage, detail) = f.error.map_or(("tls", String::new()), |e| {
        (e.stage.as_str(), e.detail.clone())
    });
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
    let names = if leaf.sans.is_empty() {
        leaf.subject.clone()
    } else {
        leaf.sans.join(", ")
    };
    let mut d = Decision::new(
        Verdict::Suspicious,
        vec![Reason::NameMismatch],
        vec![Evidence::WrongName {
            names,
            host: f.host.clone(),
        }],
    );
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
/// whether apps accept it silently.
pub fn forged_path(f: &Findings<'_>) -> Option<Decision> {
    let signer = match f.path.end {
        PathEnd::Unknown => "unknown",
        PathEnd::System { .. } => "system",
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
    note_system_root(f, &mut d);
    if let Some(att) = &f.interceptor_name {
        d.reasons.push(Reason::InterceptorIssuer);
        d.interceptor = Some(att.clone());
    }
    Some(d)
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
/// the certificate.
pub fn broken_genuine_chain(f: &Findings<'_>) -> Option<Decision> {
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
    if reason == Reason::KnownCaNotTrusted {
        d.evidence.push(Evidence::KnownCaNotTrusted {
            label: f.end_label.clone().unwrap_or_default(),
        });
    } else {
        d.evidence.push(Evidence::ChainRuleBroken {
            rule: problem.rule,
            detail: problem.detail.clone(),
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

/// Rule 8: Fully valid, but no key of the path is in the service's pinset:
/// `suspicious` (a rogue public CA, or the service changed CAs). A pin
/// never raises `intercepted` on its own.
pub fn pin_mismatch(f: &Findings<'_>) -> Option<Decision> {
    if f.pins != Pins::Mismatch {
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
            today: f.today.clone(),
        });
    }
    Some(d)
}

/// Rule 9: The genuine chain: `ok`; or `unreachable` when the handshake failed
/// after it arrived (nothing can be read through such a connection).
pub fn genuine(f: &Findings<'_>) -> Option<Decision> {
    let pin = match &f.pins {
        Pins::Match(_) => Reason::PinMatch,
        Pins::NoPinset => Reason::NoPinset,
        Pins::NotChecked | Pins::Mismatch => return None,
    };
    let mut d = Decision::new(
        Verdict::Ok,
        vec![Reason::NameMatch, trusted_by(&f.validity), pin],
        Vec::new(),
    );
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
