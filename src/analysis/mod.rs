//! Analysis: from an observation to a verdict. Pure: the trust stores, the
//! knowledge base, portal evidence and the current time are arguments, so
//! every verdict can be reproduced in a unit test from a recorded chain.
//!
//! Two rules keep false alarms rare:
//! 1. only evidence about this chain raises `intercepted` (a stale or
//!    mismatching pinset, an expired public certificate or a blocked
//!    network never does);
//! 2. a certificate that does not name the host is a captive portal or a
//!    misconfiguration, not silent interception: no validating app accepts it.

pub mod anchors;
pub mod attribution;
pub mod cert;
pub mod evidence;
pub mod verdict;

use rustls_pki_types::UnixTime;
use serde::Serialize;

pub use anchors::{PathStatus, TrustStore, names_host};
pub use attribution::{Attribution, MatchedBy, attribute};
pub use cert::CertFacts;
pub use evidence::Evidence;
pub use verdict::{Anchor, Reason, Verdict};

use crate::knowledge::{Knowledge, Service};
use crate::probe::portal::PortalEvidence;
use crate::probe::{Observation, ProbeError, Stage, TlsParams};
use crate::target::Target;
use crate::util::date;

/// Everything analysis depends on besides the observation.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// The public root store.
    pub public: &'a TrustStore,
    /// This machine's root store.
    pub system: &'a TrustStore,
    /// Services, interceptors, portal keys.
    pub knowledge: &'a Knowledge,
    /// Now, in seconds since the epoch.
    pub now: i64,
    /// What the captive-portal checks found, if they ran.
    pub portal: Option<&'a PortalEvidence>,
}

/// The service a result belongs to, as reported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServiceInfo {
    /// Stable identifier.
    pub name: String,
    /// English display name.
    pub display_name: String,
    /// Chinese display name.
    pub display_name_zh: String,
    /// What interception exposes (English).
    pub exposes: String,
    /// What interception exposes (Chinese).
    pub exposes_zh: String,
}

/// The pinset check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PinCheck {
    /// `match`, `mismatch`, `no_pinset` or `not_checked` (chain not publicly valid).
    pub status: &'static str,
    /// Whether the pinset is past its review date.
    pub stale: bool,
    /// The review date, if there is a pinset.
    pub review_by: Option<String>,
    /// The pinned key that matched.
    pub matched: Option<String>,
}

/// The result for one target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assessment {
    /// What was checked.
    pub target: Target,
    /// The service it belongs to.
    pub service: Option<ServiceInfo>,
    /// The verdict.
    pub verdict: Verdict,
    /// Stable reason codes.
    pub reasons: Vec<Reason>,
    /// The facts behind the verdict.
    pub evidence: Vec<Evidence>,
    /// The product the chain is attributed to.
    pub interceptor: Option<Attribution>,
    /// Which store the chain leads to.
    pub anchor: Anchor,
    /// The presented chain, leaf first.
    pub chain: Vec<CertFacts>,
    /// The pinset check.
    pub pins: PinCheck,
    /// Negotiated TLS parameters.
    pub tls: Option<TlsParams>,
    /// Why the probe stopped early.
    pub error: Option<ProbeError>,
    /// Where the TCP connection went.
    pub peer: Option<String>,
    /// Proxy used.
    pub via_proxy: Option<String>,
    /// Probe time in milliseconds.
    pub elapsed_ms: u64,
}

/// Whether `obs` presented a certificate that does not name its host: the
/// one case where captive-portal checks are worth running.
pub fn needs_portal_check(obs: &Observation) -> bool {
    !obs.chain.is_empty() && !names_host(&obs.chain, &obs.target.host)
}

/// Decides the verdict for one observation.
pub fn analyze(obs: &Observation, service: Option<&Service>, ctx: Context<'_>) -> Assessment {
    let chain: Vec<CertFacts> = obs.chain.iter().map(|c| CertFacts::from_der(c)).collect();
    let mut a = Assessment {
        target: obs.target.clone(),
        service: service.map(service_info),
        verdict: Verdict::Unreachable,
        reasons: Vec::new(),
        evidence: Vec::new(),
        interceptor: None,
        anchor: Anchor::None,
        chain,
        pins: PinCheck {
            status: "not_checked",
            stale: false,
            review_by: service.map(|s| s.review_by.to_string()),
            matched: None,
        },
        tls: obs.tls.clone(),
        error: obs.error.clone(),
        peer: obs.peer.clone(),
        via_proxy: obs.via_proxy.clone(),
        elapsed_ms: u64::try_from(obs.elapsed.as_millis()).unwrap_or(u64::MAX),
    };
    if obs.chain.is_empty() {
        unreachable_verdict(&mut a);
        return a;
    }
    judge_chain(obs, service, ctx, &mut a);
    if let (Some(err), Verdict::Ok) = (&obs.error, a.verdict) {
        // The genuine certificate arrived but the handshake did not finish:
        // nothing can be read through such a connection; it is not usable.
        a.verdict = Verdict::Unreachable;
        a.reasons.push(Reason::TlsFailed);
        a.evidence
            .push(Evidence::HandshakeFailed(err.detail.clone()));
    }
    a
}

fn unreachable_verdict(a: &mut Assessment) {
    a.verdict = Verdict::Unreachable;
    let reason = match a.error.as_ref().map(|e| e.stage) {
        Some(Stage::Dns) => Reason::DnsFailed,
        Some(Stage::Tcp) => Reason::TcpFailed,
        Some(Stage::Proxy) => Reason::ProxyFailed,
        Some(Stage::Timeout) => Reason::Timeout,
        Some(Stage::Tls) | None => Reason::TlsFailed,
    };
    a.reasons.push(reason);
    let (stage, detail) = a.error.as_ref().map_or(("tls", String::new()), |e| {
        (e.stage.as_str(), e.detail.clone())
    });
    a.evidence.push(Evidence::NoCertificate { stage, detail });
}

fn judge_chain(obs: &Observation, service: Option<&Service>, ctx: Context<'_>, a: &mut Assessment) {
    let now = UnixTime::since_unix_epoch(std::time::Duration::from_secs(
        u64::try_from(ctx.now).unwrap_or(0),
    ));
    let leaf = &a.chain[0];
    let fallback = (leaf.parse_error.is_none()).then(|| {
        let mid = leaf.not_before_unix / 2 + leaf.not_after_unix / 2;
        UnixTime::since_unix_epoch(std::time::Duration::from_secs(
            u64::try_from(mid).unwrap_or(0),
        ))
    });
    // Known intermediates complete a chain whose server forgot to send one;
    // they cannot help a forger, who cannot sign with their keys.
    let mut completed = obs.chain.clone();
    completed.extend(
        ctx.knowledge
            .known_intermediates()
            .map(|d| rustls_pki_types::CertificateDer::from(d.to_vec())),
    );
    let public = ctx.public.validate(&completed, now, fallback);
    let system = ctx.system.validate(&obs.chain, now, fallback);
    // A service with its own private CA (Signal), or still chaining to a
    // root Mozilla retired for age: its genuine chains lead there.
    let own = service
        .and_then(|s| service_ca_store(s, ctx.knowledge))
        .map(|st| st.validate(&completed, now, fallback));
    let mut legacy = None;
    let (trusted, trusted_by) = match own {
        Some(own) if public.path().is_none() && own.path().is_some() => {
            let anchor = own.path().and_then(<[String]>::last).and_then(|spki| {
                ctx.knowledge
                    .authorities
                    .iter()
                    .find(|x| &x.spki_sha256 == spki)
            });
            match anchor {
                Some(x) if x.kind == "legacy_root" => {
                    legacy = Some(Evidence::LegacyRoot(x.label.clone()));
                    (own, Reason::LegacyRoot)
                }
                _ => (own, Reason::ServiceCa),
            }
        }
        _ => (public.clone(), Reason::PublicRoot),
    };
    a.anchor = match (&trusted.path(), trusted_by, &system.path()) {
        (Some(_), Reason::ServiceCa, _) => Anchor::ServiceCa,
        (Some(_), Reason::LegacyRoot, _) => Anchor::LegacyRoot,
        (Some(_), _, _) => Anchor::Public,
        (None, _, Some(_)) => Anchor::System,
        (None, _, None) => Anchor::None,
    };
    let system_path: Vec<String> = system.path().map(<[String]>::to_vec).unwrap_or_default();
    a.interceptor = attribute(ctx.knowledge, &a.chain, &system_path);
    let issuer = leaf.issuer.clone();
    if !issuer.is_empty() {
        a.evidence.push(Evidence::Issuer(issuer));
    }

    // 1. A known interception key anywhere in the chain.
    if let Some(att) = a
        .interceptor
        .as_ref()
        .filter(|att| att.matched_by == MatchedBy::Spki)
    {
        a.verdict = Verdict::Intercepted;
        a.reasons.push(Reason::KnownInterceptorKey);
        a.evidence.push(Evidence::KnownKey {
            product: att.name.clone(),
            matched: att.matched.clone(),
        });
        note_system_root(a, &system, ctx.system);
        return;
    }
    // 2. A leaf that cannot be parsed names nothing.
    if let Some(err) = &leaf.parse_error {
        a.verdict = Verdict::Suspicious;
        a.reasons.push(Reason::MalformedCertificate);
        a.evidence.push(Evidence::Malformed(err.clone()));
        return;
    }
    // 3. A certificate for some other name: a portal or a misconfiguration.
    if !names_host(&obs.chain, &obs.target.host) {
        wrong_name(a, ctx, &public);
        return;
    }
    a.reasons.push(Reason::NameMatch);
    // 4. The host's name, leading to a public root or not.
    match &trusted {
        PathStatus::Valid(path) => {
            a.evidence.extend(legacy);
            public_chain(a, service, ctx, path, trusted_by);
        }
        PathStatus::Expired(_) | PathStatus::NotYetValid(_) => {
            a.verdict = Verdict::Suspicious;
            let (from, to) = (leaf.not_before.clone(), leaf.not_after.clone());
            let (reason, fact) = if matches!(public, PathStatus::Expired(_)) {
                (Reason::Expired, Evidence::Expired { from, to })
            } else {
                (Reason::NotYetValid, Evidence::NotYetValid { from, to })
            };
            a.reasons.extend([trusted_by, reason]);
            a.evidence.push(fact);
        }
        PathStatus::Untrusted(why) => {
            a.verdict = Verdict::Intercepted;
            a.reasons.push(Reason::UntrustedRoot);
            a.evidence.push(Evidence::NotPublic {
                host: obs.target.host.clone(),
                store: ctx.public.name.clone(),
                why: why.clone(),
            });
            note_system_root(a, &system, ctx.system);
            if a.interceptor.is_some() {
                a.reasons.push(Reason::InterceptorIssuer);
            }
        }
    }
}

fn note_system_root(a: &mut Assessment, system: &PathStatus, store: &TrustStore) {
    if let Some(path) = system.path() {
        a.reasons.push(Reason::SystemRootInstalled);
        a.evidence.push(Evidence::SystemRoot);
        let anchor = path.last().map(String::as_str).unwrap_or_default();
        for location in store.locations(anchor) {
            a.evidence.push(Evidence::SystemRootAt(location.clone()));
        }
    } else if a.verdict == Verdict::Intercepted && !a.reasons.contains(&Reason::KnownInterceptorKey)
    {
        a.reasons.push(Reason::UnknownRoot);
        a.evidence.push(Evidence::NoRoot);
    }
}

fn wrong_name(a: &mut Assessment, ctx: Context<'_>, public: &PathStatus) {
    a.reasons.push(Reason::NameMismatch);
    let leaf = &a.chain[0];
    let names = if leaf.sans.is_empty() {
        leaf.subject.clone()
    } else {
        leaf.sans.join(", ")
    };
    a.evidence.push(Evidence::WrongName {
        names,
        host: a.target.host.clone(),
    });
    if public.path().is_none() {
        a.evidence
            .push(Evidence::WrongNameNotPublic(ctx.public.name.clone()));
    }
    let portal_key = ctx
        .knowledge
        .portal_keys
        .iter()
        .find(|k| a.chain.iter().any(|c| c.spki_sha256 == k.spki_sha256));
    if let Some(key) = portal_key {
        a.verdict = Verdict::CaptivePortal;
        a.reasons.push(Reason::CaptivePortalKey);
        a.evidence.push(Evidence::PortalKey(key.label.clone()));
    } else if let Some(portal) = ctx.portal.filter(|p| p.detected) {
        a.verdict = Verdict::CaptivePortal;
        a.reasons.push(Reason::PortalDetected);
        a.evidence
            .extend(portal.details.iter().cloned().map(Evidence::PortalCheck));
    } else {
        a.verdict = Verdict::Suspicious;
        if let Some(portal) = ctx.portal {
            a.evidence
                .extend(portal.details.iter().cloned().map(Evidence::PortalCheck));
        }
    }
}

/// The trust store of a service's pinned private CAs and legacy roots, if any.
fn service_ca_store(service: &Service, knowledge: &Knowledge) -> Option<TrustStore> {
    let certs: Vec<rustls_pki_types::CertificateDer<'_>> = service
        .pinned_anchors(knowledge)
        .into_iter()
        .filter_map(|a| a.certificate.as_deref())
        .map(rustls_pki_types::CertificateDer::from)
        .collect();
    if certs.is_empty() {
        return None;
    }
    Some(TrustStore::from_certs(&format!("{}'s own CA", service.display_name), &certs).0)
}

/// A chain that validates for the host against a trusted store (the public
/// one, or the service's own CA): check the pinset.
fn public_chain(
    a: &mut Assessment,
    service: Option<&Service>,
    ctx: Context<'_>,
    path: &[String],
    trusted_by: Reason,
) {
    a.reasons.push(trusted_by);
    // An issuer-name resemblance means nothing for a publicly valid chain.
    a.interceptor = None;
    let Some(service) = service.filter(|s| !s.pins.is_empty()) else {
        a.verdict = Verdict::Ok;
        a.reasons.push(Reason::NoPinset);
        a.pins.status = "no_pinset";
        return;
    };
    let today = time::OffsetDateTime::from_unix_timestamp(ctx.now)
        .map(|t| t.date())
        .unwrap_or(time::Date::MIN);
    a.pins.stale = service.is_stale(today);
    match service.pins.iter().find(|p| path.contains(&p.spki_sha256)) {
        Some(pin) => {
            a.verdict = Verdict::Ok;
            a.reasons.push(Reason::PinMatch);
            a.pins.status = "match";
            a.pins.matched = Some(pin.label.clone());
        }
        None => {
            a.verdict = Verdict::Suspicious;
            a.reasons.push(Reason::PinMismatch);
            a.pins.status = "mismatch";
            a.evidence.push(Evidence::PinMismatch {
                service: service.display_name.clone(),
                count: service.pins.len(),
                review: service.review_by.to_string(),
            });
            if a.pins.stale {
                a.reasons.push(Reason::PinsetStale);
                a.evidence.push(Evidence::PinsetStale {
                    review: service.review_by.to_string(),
                    today: date(ctx.now),
                });
            }
        }
    }
}

fn service_info(s: &Service) -> ServiceInfo {
    ServiceInfo {
        name: s.name.clone(),
        display_name: s.display_name.clone(),
        display_name_zh: s.display_name_zh.clone(),
        exposes: s.exposes.clone(),
        exposes_zh: s.exposes_zh.clone(),
    }
}

#[cfg(test)]
mod tests;
