//! Analysis: from an observation to a verdict. Pure: the trust stores, the
//! knowledge base, portal evidence and the current time are arguments, so
//! every verdict can be reproduced in a unit test from a recorded chain.
//!
//! Analysis runs in two steps: [`findings`] establishes the facts about a
//! chain (does it reach a public or known CA key by signatures, is it fully
//! valid, does it name the host, which known keys sit in its path), then
//! [`rules`] applies the decision, one ordered list of rules numbered as
//! ARCHITECTURE.md numbers them; the first that applies decides.
//!
//! Two principles keep false alarms rare:
//! 1. only evidence that *this* chain was forged raises `intercepted`: no
//!    public or known CA key signed its path, or a known interception key
//!    is in it. A genuine chain that breaks a rule (an expired
//!    intermediate, a violated constraint), a stale or mismatching pinset,
//!    or a blocked network never does;
//! 2. a certificate that does not name the host is a captive portal or a
//!    misconfiguration, not silent interception: no validating app accepts it.

pub(crate) mod anchors;
pub(crate) mod attribution;
pub(crate) mod cert;
pub(crate) mod evidence;
pub(crate) mod findings;
pub(crate) mod incident;
pub(crate) mod path;
pub(crate) mod rules;
pub(crate) mod sanction;
pub(crate) mod signatures;
pub(crate) mod verdict;

use serde::Serialize;

pub use anchors::{ChainRule, TrustStore};
pub use attribution::{Attribution, MatchedBy};
pub use cert::CertFacts;
pub use evidence::{ClockDirection, Evidence, Signer};
pub use sanction::Sanction;
pub use verdict::{Anchor, Reason, Verdict};

pub(crate) use anchors::names_host;
pub(crate) use attribution::attribute;
pub(crate) use findings::Findings;

use crate::knowledge::{Knowledge, Service};
use crate::observation::{Location, Observation, PortalEvidence, ProbeError, TlsParams};
use crate::target::Target;

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
    /// The CT log list, when Certificate Transparency applies.
    pub ct_logs: Option<&'a crate::ct::LogList>,
    /// When this pinwatch was built, seconds since the epoch
    /// ([`built_at`]): a clock before it is wrong.
    pub built: i64,
}

/// When this pinwatch was built (`SOURCE_DATE_EPOCH` when the build set
/// it), seconds since the epoch.
pub(crate) fn built_at() -> i64 {
    env!("PINWATCH_BUILD_EPOCH").parse().unwrap_or(0)
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
    /// The group alerts sort it into: `everything`, `logins_and_files`, `metadata`.
    pub exposure: crate::knowledge::Exposure,
}

/// The pinset check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PinCheck {
    /// What the check found.
    pub status: PinStatus,
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
    /// The key that signed the leaf (SPKI SHA-256), when the chain shows it:
    /// one interceptor is one key, however many hosts it touches.
    pub issuer_key: Option<String>,
    /// Every key of the signature path above the leaf, the leaf's signer
    /// first: the keys that provably signed this chain (not reported; a
    /// sanctioned key is looked for among them).
    pub signer_keys: Vec<String>,
    /// The key that signed the leaf as a DER SubjectPublicKeyInfo, when the
    /// leaf was forged and that key's certificate was sent or sits in a
    /// store (not reported): the trace knows the forger's answers by it,
    /// even from a forger that makes a new leaf key for every connection.
    pub signer_spki: Option<Vec<u8>>,
    /// The sanctioned interceptor whose key signed this forged chain, when
    /// an administrator listed it (filled in by the engine; see
    /// [`sanction`]). The verdict stays `intercepted`.
    pub sanctioned: Option<Sanction>,
    /// What the leaf's embedded SCTs say, when CT applies.
    pub ct: Option<Box<crate::ct::CtReport>>,
    /// Where the interception happens, for an intercepted result whose
    /// interceptor was traced (filled in by the engine, which owns the network).
    pub location: Option<Location>,
    /// Probe time in milliseconds.
    pub elapsed_ms: u64,
    /// The URL of a missing issuer worth fetching: the chain would be
    /// `chain_incomplete` and nothing else shows it forged, and it has not
    /// been fetched yet. The engine fetches it (network I/O is not
    /// analysis's) and analyses the observation again.
    pub fetch_issuer: Option<String>,
}

/// What a pinset check found (JSON: `match`, `mismatch`, `no_pinset`,
/// `not_checked`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PinStatus {
    /// A key of the validated path is pinned.
    Match,
    /// No key of the validated path is pinned.
    Mismatch,
    /// The service has no pinset, or the host belongs to no service.
    NoPinset,
    /// Not checked: the chain is not publicly valid (or nothing was presented).
    NotChecked,
}

impl PinCheck {
    /// No pinset check: the chain was not publicly valid (or nothing was
    /// presented).
    pub fn not_checked() -> Self {
        PinCheck {
            status: PinStatus::NotChecked,
            stale: false,
            review_by: None,
            matched: None,
        }
    }
}

impl Assessment {
    /// The verdict as it weighs on the exit code, the Nagios state, alerts
    /// and the agent: the verdict itself, except that an interception by a
    /// sanctioned interceptor weighs as `ok` (it was reached and is what
    /// the administrator expects).
    pub fn standing(&self) -> Verdict {
        match (&self.sanctioned, self.verdict) {
            (Some(_), Verdict::Intercepted) => Verdict::Ok,
            (_, v) => v,
        }
    }

    /// A result that holds only its target and verdict, every finding
    /// empty: what samples and tests build on (`analyze` fills in the rest).
    pub fn bare(target: Target, verdict: Verdict) -> Self {
        Assessment {
            target,
            service: None,
            verdict,
            reasons: Vec::new(),
            evidence: Vec::new(),
            interceptor: None,
            anchor: Anchor::None,
            chain: Vec::new(),
            pins: PinCheck::not_checked(),
            tls: None,
            error: None,
            peer: None,
            via_proxy: None,
            issuer_key: None,
            signer_keys: Vec::new(),
            signer_spki: None,
            sanctioned: None,
            ct: None,
            location: None,
            elapsed_ms: 0,
            fetch_issuer: None,
        }
    }
}

/// Whether `obs` presented a certificate that does not name its host: the
/// one case where captive-portal checks are worth running.
pub(crate) fn needs_portal_check(obs: &Observation) -> bool {
    !obs.chain.is_empty() && !names_host(&obs.chain, &obs.target.host)
}

/// The DER SubjectPublicKeyInfo of the key that signed the leaf, when no
/// public or known CA key is on the path (a forger's key, never a CA that
/// also signs genuine certificates) and its certificate was sent, fetched,
/// or is a root of this machine's store.
fn forger_spki(obs: &Observation, findings: &Findings, ctx: &Context<'_>) -> Option<Vec<u8>> {
    use path::Source;
    if findings.path.end.is_known_ca() {
        return None;
    }
    let spki_of = |der: &[u8]| {
        x509_parser::parse_x509_certificate(der)
            .ok()
            .map(|(_, c)| c.tbs_certificate.subject_pki.raw.to_vec())
    };
    // The leaf's signer: the path's second certificate, where it came from,
    // or else the store root the path ends at.
    match findings.path.certs.get(1) {
        Some(signer) => match signer.source {
            Source::Presented(i) => spki_of(obs.chain.get(i)?),
            Source::Fetched => obs
                .fetched
                .iter()
                .filter_map(|der| spki_of(der))
                .find(|spki| crate::util::sha256_base64(spki) == signer.spki_sha256),
            Source::Known => None,
        },
        None => {
            let key = findings.path.end.spki_sha256()?;
            let leaf = x509_parser::parse_x509_certificate(obs.chain.first()?)
                .ok()?
                .1;
            let issuer = leaf.tbs_certificate.issuer.as_raw();
            // Not a public or known key (above): this machine's root.
            ctx.system
                .anchors_named(issuer)
                .iter()
                .find(|(_, hash)| hash == key)
                .map(|(spki, _)| spki.clone())
        }
    }
}

/// Decides the verdict for one observation: establishes the findings, then
/// applies the rules in order.
pub fn analyze(obs: &Observation, service: Option<&Service>, ctx: Context<'_>) -> Assessment {
    let findings = Findings::establish(obs, service, ctx);
    let signer_spki = forger_spki(obs, &findings, &ctx);
    let decision = rules::decide(&findings);
    let fetch_issuer = findings
        .missing_issuer
        .as_ref()
        .and_then(|m| m.url.clone())
        .filter(|_| obs.aia.is_none() && decision.reasons.contains(&Reason::ChainIncomplete));
    Assessment {
        target: obs.target.clone(),
        service: service.map(service_info),
        verdict: decision.verdict,
        reasons: decision.reasons,
        evidence: decision.evidence,
        interceptor: decision.interceptor,
        anchor: findings.anchor(),
        pins: findings.pin_check(),
        chain: findings.chain,
        tls: obs.tls.clone(),
        error: obs.error.clone(),
        peer: obs.peer.clone(),
        via_proxy: obs.via_proxy.clone(),
        issuer_key: findings.path.keys().nth(1).map(str::to_string),
        signer_keys: findings.path.keys().skip(1).map(str::to_string).collect(),
        signer_spki,
        sanctioned: None,
        ct: findings.ct.clone().map(Box::new),
        location: None,
        elapsed_ms: u64::try_from(obs.elapsed.as_millis()).unwrap_or(u64::MAX),
        fetch_issuer,
    }
}

/// What a result says about its service, from the pins.
pub fn service_info(s: &Service) -> ServiceInfo {
    ServiceInfo {
        name: s.name.clone(),
        display_name: s.display_name.clone(),
        display_name_zh: s.display_name_zh.clone(),
        exposes: s.exposes.clone(),
        exposes_zh: s.exposes_zh.clone(),
        exposure: s.exposure,
    }
}

#[cfg(test)]
mod tests;
