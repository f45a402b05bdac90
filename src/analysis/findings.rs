//! Findings: every fact the rules decide on, established once per
//! observation and kept as plain data, so that each rule can be tested on
//! its own with hand-made findings.
//!
//! Two questions are kept apart, as the decision needs them apart:
//! - does the chain reach a public or known CA key **by signatures**
//!   ([`super::path`])? If not, it was forged;
//! - is it **fully valid** for the host now (dates, constraints, usage),
//!   against the public store or the service's own pinned CA
//!   (rustls-webpki, in [`super::anchors`])?

use rustls_pki_types::{CertificateDer, UnixTime};
use time::OffsetDateTime;

use super::anchors::{ChainError, ChainProblem, PathStatus, TrustStore, names_host};
use super::attribution::{Attribution, MatchedBy, attribute, attribute_key};
use super::cert::CertFacts;
use super::path::{Ends, PathEnd, SigPath, Source, signature_path};
use super::verdict::Anchor;
use super::{Context, PinCheck, PinStatus};
use crate::knowledge::{Authority, AuthorityKind, CaCertificates as _, Service};
use crate::observation::{
    AiaFetch, FallbackRead, Observation, PortalEvidence, ProbeError, TLS_LIBRARY_LIMIT,
};

/// Days after which the knowledge's pin mismatches are evidence only
/// (Chrome stops enforcing its static pins when its build is this old).
pub const PINS_TRUSTED_DAYS: i64 = 70;

/// How the chain validates, fully, for the host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Validity {
    /// Against the public store; the path's keys, leaf to anchor.
    Public(Vec<String>),
    /// Against a private CA the service pins (Signal).
    ServiceCa(Vec<String>),
    /// Against a root Mozilla retired for age that the service pins.
    LegacyRoot {
        /// The path's keys.
        path: Vec<String>,
        /// The root's label.
        label: String,
    },
    /// Not at all: the first rule it breaks.
    Invalid(ChainProblem),
}

impl Validity {
    /// The validated path's keys, if valid.
    pub fn path(&self) -> Option<&[String]> {
        match self {
            Validity::Public(p) | Validity::ServiceCa(p) | Validity::LegacyRoot { path: p, .. } => {
                Some(p)
            }
            Validity::Invalid(_) => None,
        }
    }
}

/// The pinset check, against the validated path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pins {
    /// Not checked: the chain is not fully valid.
    NotChecked,
    /// The service has no pinset, or the host belongs to no service.
    NoPinset,
    /// A key of the path is pinned; its label.
    Match(String),
    /// No key of the path is pinned.
    Mismatch,
}

/// A chain far larger than any genuine one: over the 64 KiB TLS
/// libraries accept (so they refuse it), a shape meant to make checkers
/// give up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Oversized {
    /// The Certificate message's size, when the fallback read it.
    pub bytes: Option<usize>,
    /// Certificates read.
    pub certificates: usize,
    /// Whether only its start was read (past pinwatch's caps).
    pub capped: bool,
}

impl Oversized {
    /// Whether `obs` shows an oversized chain: the TLS library refused a
    /// message over its limit, or the fallback read one.
    pub fn of(obs: &Observation) -> Option<Oversized> {
        let read = obs.fallback.as_ref();
        let bytes = read.and_then(|f| f.message_len);
        let over = obs.refused_oversized
            || bytes.is_some_and(|n| n > TLS_LIBRARY_LIMIT)
            || read.is_some_and(|f| f.capped);
        over.then(|| Oversized {
            bytes,
            certificates: obs.chain.len(),
            capped: read.is_some_and(|f| f.capped),
        })
    }
}

/// The path stops at a certificate whose issuer is missing: not sent,
/// not known, not fetched (a server that omits its intermediate, or a
/// forger that sends its leaf alone).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingIssuer {
    /// The missing issuer's name.
    pub name: String,
    /// Where the certificate says it can be fetched (AIA caIssuers).
    pub url: Option<String>,
}

/// Why this machine's clock looks wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClockSuspect {
    /// Behind (certificates not valid yet, or before the build date), or
    /// ahead (certificates expired).
    pub behind: bool,
    /// The clock is before this pinwatch was built.
    pub before_build: bool,
    /// The chain reaches a public or known key, is out of date now and
    /// would validate at another time.
    pub chain_valid_then: bool,
}

/// The facts about one observation.
#[derive(Clone, Debug)]
pub struct Findings<'a> {
    /// The host asked for.
    pub host: String,
    /// The presented chain, parsed.
    pub chain: Vec<CertFacts>,
    /// Why the probe stopped, if it did.
    pub error: Option<&'a ProbeError>,
    /// What the fallback probe read, when the TLS library refused the
    /// handshake before the chain (then the chain is the fallback's).
    pub fallback: Option<&'a FallbackRead>,
    /// The chain is far larger than any genuine one.
    pub oversized: Option<Oversized>,
    /// Whether the leaf names the host.
    pub names_host: bool,
    /// The best signature path from the leaf.
    pub path: SigPath,
    /// The path stops at a certificate whose issuer is missing.
    pub missing_issuer: Option<MissingIssuer>,
    /// The fetch of the missing issuer from its AIA URL, if one was made.
    pub aia: Option<&'a AiaFetch>,
    /// The label of the known CA the path ends at, if it ends at one.
    pub end_label: Option<String>,
    /// Full validation for the host.
    pub validity: Validity,
    /// This machine's clock looks wrong.
    pub clock: Option<ClockSuspect>,
    /// Where this machine's root that signed the path is installed.
    pub system_locations: Vec<String>,
    /// A known interception key in the path (or that signed the leaf).
    pub interceptor_key: Option<Attribution>,
    /// Known interception keys sent along but not in the path, by position.
    pub appended_keys: Vec<(usize, Attribution)>,
    /// A product whose issuer-name pattern the chain matches (a hint).
    pub interceptor_name: Option<Attribution>,
    /// The captive portal whose key is in the chain, if any.
    pub portal_key: Option<String>,
    /// What the captive-portal checks saw, if they ran.
    pub portal: Option<&'a PortalEvidence>,
    /// The service the host belongs to.
    pub service: Option<&'a Service>,
    /// The pinset check.
    pub pins: Pins,
    /// Whether the service's pinset is past its review date.
    pub pinset_stale: bool,
    /// The knowledge's age in days when it is older than 70 (Chrome's rule
    /// for its static pins): a pin mismatch is then evidence only.
    pub knowledge_old: Option<i64>,
    /// The public store's name.
    pub public_store: String,
    /// Now (UTC), as the caller's clock says.
    pub now: OffsetDateTime,
    /// When this pinwatch was built.
    pub built: OffsetDateTime,
    /// What the leaf's embedded SCTs say, when CT applies (the chain is
    /// publicly valid, or forged).
    pub ct: Option<crate::ct::CtReport>,
}

impl<'a> Findings<'a> {
    /// Establishes the findings for `obs`.
    pub fn establish(obs: &'a Observation, service: Option<&'a Service>, ctx: Context<'a>) -> Self {
        let chain: Vec<CertFacts> = obs.chain.iter().map(|c| CertFacts::from_der(c)).collect();
        let knowledge = ctx.knowledge;
        let supplied = knowledge.ca_certificates();
        let presented: Vec<&[u8]> = obs.chain.iter().map(|c| c.as_ref()).collect();
        let fetched: Vec<&[u8]> = obs.fetched.iter().map(|c| c.as_ref()).collect();
        let known_ca = |spki: &str| knowledge.authorities.iter().any(|a| a.spki_sha256 == spki);
        let names = [
            crate::names::webpki(),
            ctx.public.ca_names(),
            knowledge.ca_names(),
        ];
        let ends = Ends {
            public: ctx.public,
            system: ctx.system,
            known_ca: &known_ca,
            names: &names,
        };
        let path = if chain.first().is_some_and(|l| l.parse_error.is_none()) {
            signature_path(&presented, &fetched, &supplied, &ends)
        } else {
            SigPath::ending(PathEnd::Unknown)
        };
        let missing_issuer = match (&path.end, path.certs.last()) {
            (PathEnd::Unknown, Some(top)) if !top.self_issued => Some(MissingIssuer {
                name: top.issuer.clone(),
                url: top.ca_issuers.clone(),
            }),
            _ => None,
        };
        let end_label = match &path.end {
            PathEnd::KnownCa { spki_sha256 } => {
                authority(&knowledge.authorities, spki_sha256).map(|a| a.label.clone())
            }
            _ => None,
        };
        let system_locations = match &path.end {
            PathEnd::System { spki_sha256 } => ctx.system.locations(spki_sha256).to_vec(),
            _ => Vec::new(),
        };
        let validity = if chain.is_empty() {
            Validity::Invalid(ChainProblem::new(ChainError::NoCertificate))
        } else {
            validate(obs, service, ctx)
        };
        let clock = clock_suspect(&path, &validity, obs, service, ctx);
        let path_keys: Vec<String> = path.keys().map(str::to_string).collect();
        let interceptor_key = attribute_key(knowledge, path_keys.iter().map(String::as_str));
        let appended_keys = chain
            .iter()
            .enumerate()
            .filter(|(i, _)| !path.has_presented(*i))
            .filter_map(|(i, c)| {
                attribute_key(knowledge, std::iter::once(c.spki_sha256.as_str()))
                    .map(|att| (i, att))
            })
            .collect();
        let interceptor_name =
            attribute(knowledge, &chain, &[]).filter(|a| a.matched_by == MatchedBy::IssuerName);
        let portal_key = knowledge
            .portal_keys
            .iter()
            .find(|k| chain.iter().any(|c| c.spki_sha256 == k.spki_sha256))
            .map(|k| k.label.clone());
        let now = moment(ctx.now);
        let pinned = service.filter(|s| !s.pins.is_empty());
        let pins = match (validity.path(), pinned) {
            (None, _) => Pins::NotChecked,
            (Some(_), None) => Pins::NoPinset,
            (Some(keys), Some(s)) => match s.pins.iter().find(|p| keys.contains(&p.spki_sha256)) {
                Some(pin) => Pins::Match(pin.label.clone()),
                None => Pins::Mismatch,
            },
        };
        let ct = ctx
            .ct_logs
            .filter(|_| matches!(validity, Validity::Public(_)) || !path.end.is_known_ca())
            .and_then(|logs| {
                let leaf = obs.chain.first()?;
                let issuer_hash = path.keys().nth(1).and_then(decode_hash);
                Some(crate::ct::check_with_issuer_key_hash(
                    leaf,
                    issuer_hash,
                    logs,
                    ctx.now,
                ))
            });
        Findings {
            ct,
            host: obs.target.host.clone(),
            names_host: !obs.chain.is_empty() && names_host(&obs.chain, &obs.target.host),
            chain,
            error: obs.error.as_ref(),
            fallback: obs.fallback.as_ref(),
            oversized: Oversized::of(obs),
            path,
            missing_issuer,
            aia: obs.aia.as_ref(),
            end_label,
            validity,
            clock,
            system_locations,
            interceptor_key,
            appended_keys,
            interceptor_name,
            portal_key,
            portal: ctx.portal,
            service,
            pins,
            pinset_stale: pinned.is_some_and(|s| s.is_stale(now.date())),
            knowledge_old: knowledge
                .issued_at
                .map(|t| ctx.now.saturating_sub(t) / 86_400)
                .filter(|days| *days > PINS_TRUSTED_DAYS),
            public_store: ctx.public.name.clone(),
            now,
            built: moment(ctx.built),
        }
    }

    /// Which store the chain leads to, for the report.
    pub fn anchor(&self) -> Anchor {
        match (&self.validity, &self.path.end) {
            (Validity::Public(_), _) => Anchor::Public,
            (Validity::ServiceCa(_), _) => Anchor::ServiceCa,
            (Validity::LegacyRoot { .. }, _) => Anchor::LegacyRoot,
            (Validity::Invalid(_), PathEnd::System { .. }) => Anchor::System,
            (Validity::Invalid(_), _) => Anchor::None,
        }
    }

    /// Whether the chain was read by the fallback probe: no TLS library
    /// took it, and the peer is not shown to hold the leaf's key.
    pub fn read_by_fallback(&self) -> bool {
        !self.chain.is_empty() && self.fallback.is_some_and(|f| f.error.is_none())
    }

    /// The pinset check as reported.
    pub fn pin_check(&self) -> PinCheck {
        let (status, matched) = match &self.pins {
            Pins::NotChecked => (PinStatus::NotChecked, None),
            Pins::NoPinset => (PinStatus::NoPinset, None),
            Pins::Match(label) => (PinStatus::Match, Some(label.clone())),
            Pins::Mismatch => (PinStatus::Mismatch, None),
        };
        PinCheck {
            status,
            stale: self.pinset_stale,
            review_by: self.service.map(|s| s.review_by.to_string()),
            matched,
        }
    }

    /// The certificates of the signature path that are out of date now:
    /// their position in the presented chain (`None`: supplied by pinwatch),
    /// subject and validity.
    pub fn out_of_date(&self) -> Vec<(Option<usize>, &str, i64, i64)> {
        self.path
            .certs
            .iter()
            .filter(|c| {
                let now = self.now.unix_timestamp();
                now < c.not_before || now > c.not_after
            })
            .map(|c| {
                let position = match c.source {
                    Source::Presented(i) => Some(i),
                    Source::Known | Source::Fetched => None,
                };
                (position, c.subject.as_str(), c.not_before, c.not_after)
            })
            .collect()
    }
}

/// Whether this machine's clock looks wrong: it is before pinwatch's build
/// date, or a chain that reaches a public or known key by signatures is
/// out of date now with every certificate of its path out of date in the
/// same direction, and validates at a time within all their validity
/// periods. A wrong clock is then the simplest explanation, not the server.
fn clock_suspect(
    path: &SigPath,
    validity: &Validity,
    obs: &Observation,
    service: Option<&Service>,
    ctx: Context<'_>,
) -> Option<ClockSuspect> {
    let before_build = ctx.now < ctx.built;
    let only_the_build = before_build.then_some(ClockSuspect {
        behind: true,
        before_build,
        chain_valid_then: false,
    });
    let dated = matches!(validity, Validity::Invalid(p)
        if matches!(p.rule, super::ChainRule::Expired | super::ChainRule::NotYetValid));
    if !dated || !path.end.is_known_ca() || path.certs.is_empty() {
        return only_the_build;
    }
    let behind = path.certs.iter().all(|c| ctx.now < c.not_before);
    let ahead = path.certs.iter().all(|c| ctx.now > c.not_after);
    if !(behind || ahead || before_build) {
        return None;
    }
    let from = path.certs.iter().map(|c| c.not_before).max()?;
    let to = path.certs.iter().map(|c| c.not_after).min()?;
    if from > to {
        return only_the_build;
    }
    let then = Context {
        now: from + (to - from) / 2,
        ..ctx
    };
    if validate(obs, service, then).path().is_none() {
        return only_the_build;
    }
    Some(ClockSuspect {
        behind: behind || (before_build && !ahead),
        before_build,
        chain_valid_then: true,
    })
}

/// A base64 SHA-256 (an SPKI pin) as bytes.
fn decode_hash(b64: &str) -> Option<[u8; 32]> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    <[u8; 32]>::try_from(bytes.as_slice()).ok()
}

fn authority<'k>(authorities: &'k [Authority], spki: &str) -> Option<&'k Authority> {
    authorities.iter().find(|a| a.spki_sha256 == spki)
}

/// A time in seconds since the epoch as a date and time (UTC); a clock
/// past what a date can hold is taken at the nearest end.
fn moment(unix_seconds: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix_seconds).unwrap_or(if unix_seconds < 0 {
        time::PrimitiveDateTime::MIN.assume_utc()
    } else {
        time::PrimitiveDateTime::MAX.assume_utc()
    })
}

/// Full validation against the public store (with the known intermediates
/// offered, as browsers offer their preloaded ones), else against the CAs
/// the service pins privately or as retired roots.
fn validate(obs: &Observation, service: Option<&Service>, ctx: Context<'_>) -> Validity {
    let now = UnixTime::since_unix_epoch(std::time::Duration::from_secs(
        u64::try_from(ctx.now).unwrap_or(0),
    ));
    // Borrowed: the known intermediates are not copied for every chain.
    let completed: Vec<CertificateDer<'_>> = obs
        .chain
        .iter()
        .chain(&obs.fetched)
        .map(|c| CertificateDer::from(c.as_ref()))
        .chain(
            ctx.knowledge
                .known_intermediates()
                .map(CertificateDer::from),
        )
        .collect();
    let public = ctx.public.validate(&completed, now);
    let problem = match public {
        PathStatus::Valid(path) => return Validity::Public(path),
        PathStatus::Invalid(problem) => problem,
    };
    let Some((own, labels)) = service.and_then(|s| service_ca_store(s, ctx)) else {
        return Validity::Invalid(problem);
    };
    match own.validate(&completed, now) {
        PathStatus::Valid(path) => {
            let legacy = path
                .last()
                .and_then(|spki| labels.iter().find(|(k, _, _)| k == spki))
                .filter(|(_, kind, _)| *kind == AuthorityKind::LegacyRoot);
            match legacy {
                Some((_, _, label)) => Validity::LegacyRoot {
                    path,
                    label: label.clone(),
                },
                None => Validity::ServiceCa(path),
            }
        }
        // The public store's reason is the one worth reporting.
        PathStatus::Invalid(_) => Validity::Invalid(problem),
    }
}

/// A pinned anchor's (SPKI hash, kind, label).
type AnchorLabel = (String, AuthorityKind, String);

/// The trust store of a service's pinned private CAs and legacy roots, with
/// each anchor's (key, kind, label).
fn service_ca_store(service: &Service, ctx: Context<'_>) -> Option<(TrustStore, Vec<AnchorLabel>)> {
    let anchors = service.pinned_anchors(ctx.knowledge);
    let certs: Vec<CertificateDer<'_>> = anchors
        .iter()
        .filter_map(|a| a.certificate.as_deref())
        .map(CertificateDer::from)
        .collect();
    if certs.is_empty() {
        return None;
    }
    let labels = anchors
        .iter()
        .map(|a| (a.spki_sha256.clone(), a.kind, a.label.clone()))
        .collect();
    let name = format!("{}'s own CA", service.display_name);
    Some((TrustStore::from_certs(&name, &certs).0, labels))
}
