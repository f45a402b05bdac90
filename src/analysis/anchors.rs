//! Trust stores and chain validation: does a presented chain lead, for the
//! host, to a root of a given store (the public one, webpki-roots, or this
//! machine's)? Validation is rustls-webpki's, with the time passed in.

use std::collections::{HashMap, HashSet};

use rustls_pki_types::{CertificateDer, ServerName, TrustAnchor, UnixTime};
use webpki::{EndEntityCert, KeyUsage};

use crate::util::sha256_base64;

/// A set of trust anchors, with their key hashes for pin matching.
#[derive(Debug, Default)]
pub struct TrustStore {
    /// What the store is (`webpki-roots`, `system`, a file name).
    pub name: String,
    anchors: Vec<TrustAnchor<'static>>,
    spkis: HashSet<String>,
    by_subject: HashMap<Vec<u8>, Vec<(Vec<u8>, String)>>,
    locations: HashMap<String, Vec<String>>,
    /// The anchors' names, for look-alikes (indexed when first asked for).
    names: std::sync::OnceLock<crate::names::CaNames>,
}

/// The outcome of validating a chain against one store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathStatus {
    /// It validates now. Holds the SPKI hashes of the path, leaf to anchor.
    Valid(Vec<String>),
    /// It does not validate; which rule failed.
    Invalid(ChainProblem),
}

impl PathStatus {
    /// The path's SPKI hashes, when the chain validates.
    pub fn path(&self) -> Option<&[String]> {
        match self {
            PathStatus::Valid(p) => Some(p),
            PathStatus::Invalid(_) => None,
        }
    }
}

/// Why a chain does not validate against a store: the rule it broke, as a
/// stable code, with rustls-webpki's own name for the error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainProblem {
    /// The rule.
    pub rule: ChainRule,
    /// rustls-webpki's error, e.g. `PathLenConstraintViolated`.
    pub detail: String,
}

/// The rules of RFC 5280 path validation a chain can break, grouped the way
/// pinwatch reports them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChainRule {
    /// A certificate of the path has expired.
    Expired,
    /// A certificate of the path is not valid yet.
    NotYetValid,
    /// basicConstraints, pathLen or name constraints: a certificate signs
    /// what it may not (an issuer with CA:FALSE, a CA used as the leaf...).
    Constraint,
    /// Key usage: the leaf may not be used for TLS servers (no serverAuth).
    Usage,
    /// The path is longer than a validator follows.
    TooLong,
    /// No anchor of the store issued it.
    UnknownIssuer,
    /// Anything else (bad encoding, unsupported algorithm or extension).
    Other,
}

impl ChainRule {
    /// The stable string used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ChainRule::Expired => "expired",
            ChainRule::NotYetValid => "not_yet_valid",
            ChainRule::Constraint => "constraint",
            ChainRule::Usage => "usage",
            ChainRule::TooLong => "too_long",
            ChainRule::UnknownIssuer => "unknown_issuer",
            ChainRule::Other => "other",
        }
    }
}

impl ChainProblem {
    fn of(e: &webpki::Error) -> Self {
        use webpki::Error as E;
        let rule = match e {
            E::CertExpired { .. } => ChainRule::Expired,
            E::CertNotValidYet { .. } => ChainRule::NotYetValid,
            E::CaUsedAsEndEntity
            | E::EndEntityUsedAsCa
            | E::PathLenConstraintViolated
            | E::NameConstraintViolation
            | E::MaximumNameConstraintComparisonsExceeded => ChainRule::Constraint,
            #[allow(deprecated)]
            E::RequiredEkuNotFound | E::RequiredEkuNotFoundContext(_) | E::EmptyEkuExtension => {
                ChainRule::Usage
            }
            E::MaximumPathDepthExceeded
            | E::MaximumPathBuildCallsExceeded
            | E::MaximumSignatureChecksExceeded => ChainRule::TooLong,
            E::UnknownIssuer => ChainRule::UnknownIssuer,
            _ => ChainRule::Other,
        };
        let detail = format!("{e:?}");
        // Keep the variant's name, not its context (times, lists of EKUs).
        let detail = detail
            .split(['(', ' ', '{'])
            .next()
            .unwrap_or_default()
            .to_string();
        ChainProblem { rule, detail }
    }

    fn new(rule: ChainRule, detail: &str) -> Self {
        ChainProblem {
            rule,
            detail: detail.to_string(),
        }
    }
}

impl TrustStore {
    /// Mozilla's root store as shipped in webpki-roots.
    pub fn public() -> Self {
        Self::from_anchors(
            "webpki-roots (Mozilla)",
            webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        )
    }

    /// A store of the given certificates. Certificates that cannot serve as
    /// anchors are returned with the reason, not silently dropped.
    pub fn from_certs(name: &str, certs: &[CertificateDer<'_>]) -> (Self, Vec<String>) {
        let mut anchors = Vec::with_capacity(certs.len());
        let mut problems = Vec::new();
        for (i, cert) in certs.iter().enumerate() {
            match webpki::anchor_from_trusted_cert(cert) {
                Ok(anchor) => anchors.push(anchor.to_owned()),
                Err(e) => problems.push(format!(
                    "{name}: certificate #{}: cannot be a trust anchor ({e})",
                    i + 1
                )),
            }
        }
        (Self::from_anchors(name, anchors), problems)
    }

    /// A store of certificates found somewhere (a scan of this machine's
    /// stores), each given with the places it was found, which the store
    /// remembers by key. Each certificate is parsed once.
    pub fn from_located<'f>(
        name: &str,
        found: impl IntoIterator<Item = (&'f CertificateDer<'f>, &'f [String])>,
    ) -> (Self, Vec<String>) {
        let mut anchors = Vec::new();
        let mut problems = Vec::new();
        let mut locations: HashMap<String, Vec<String>> = HashMap::new();
        for (i, (der, places)) in found.into_iter().enumerate() {
            match webpki::anchor_from_trusted_cert(der) {
                Ok(anchor) => {
                    let anchor = anchor.to_owned();
                    locations
                        .entry(anchor_spki_sha256(&anchor))
                        .or_default()
                        .extend(places.iter().cloned());
                    anchors.push(anchor);
                }
                Err(e) => problems.push(format!(
                    "{name}: certificate #{}: cannot be a trust anchor ({e})",
                    i + 1
                )),
            }
        }
        let mut store = Self::from_anchors(name, anchors);
        store.locations = locations;
        (store, problems)
    }

    fn from_anchors(name: &str, anchors: Vec<TrustAnchor<'static>>) -> Self {
        let spkis = anchors.iter().map(anchor_spki_sha256).collect();
        let mut by_subject: HashMap<Vec<u8>, Vec<(Vec<u8>, String)>> = HashMap::new();
        for anchor in &anchors {
            let spki = anchor_spki_der(anchor);
            let hash = sha256_base64(&spki);
            by_subject
                .entry(anchor.subject.as_ref().to_vec())
                .or_default()
                .push((spki, hash));
        }
        TrustStore {
            name: name.to_string(),
            anchors,
            spkis,
            by_subject,
            locations: HashMap::new(),
            names: std::sync::OnceLock::new(),
        }
    }

    /// The anchors' names, indexed for look-alikes ([`crate::names`]).
    pub fn ca_names(&self) -> &crate::names::CaNames {
        self.names.get_or_init(|| {
            let mut names = crate::names::CaNames::default();
            for (subject, keys) in &self.by_subject {
                for (_, hash) in keys {
                    names.add(subject, hash);
                }
            }
            names
        })
    }

    /// Where the anchor with this key was found, if the store knows.
    pub fn locations(&self, spki_sha256: &str) -> &[String] {
        self.locations.get(spki_sha256).map_or(&[], Vec::as_slice)
    }

    /// Number of anchors.
    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    /// Whether the store has no anchors.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    /// Whether a key with this SPKI hash is one of the store's anchors.
    pub fn contains_spki(&self, spki_sha256: &str) -> bool {
        self.spkis.contains(spki_sha256)
    }

    /// Validates `chain` (leaf first) for server authentication at `now`,
    /// with every rule: signatures, dates, constraints, key usage.
    pub fn validate(&self, chain: &[CertificateDer<'_>], now: UnixTime) -> PathStatus {
        let Some((leaf, rest)) = chain.split_first() else {
            return PathStatus::Invalid(ChainProblem::new(ChainRule::Other, "NoCertificate"));
        };
        let ee = match EndEntityCert::try_from(leaf) {
            Ok(ee) => ee,
            Err(e) => return PathStatus::Invalid(ChainProblem::of(&e)),
        };
        match self.path_at(&ee, rest, now) {
            Ok(path) => PathStatus::Valid(path),
            Err(e) => PathStatus::Invalid(ChainProblem::of(&e)),
        }
    }

    /// The anchors whose subject is `name` (DER of a Name, with or without
    /// its SEQUENCE header): their SPKI (DER) and its hash.
    pub fn anchors_named(&self, name: &[u8]) -> &[(Vec<u8>, String)] {
        self.by_subject
            .get(crate::names::der_contents(name))
            .map_or(&[], Vec::as_slice)
    }

    fn path_at(
        &self,
        ee: &EndEntityCert<'_>,
        intermediates: &[CertificateDer<'_>],
        time: UnixTime,
    ) -> Result<Vec<String>, webpki::Error> {
        let path = ee.verify_for_usage(
            &super::signatures::ALGORITHMS,
            &self.anchors,
            intermediates,
            time,
            KeyUsage::server_auth(),
            None,
            None,
        )?;
        let mut spkis = vec![sha256_base64(ee.subject_public_key_info().as_ref())];
        spkis.extend(
            path.intermediate_certificates()
                .map(|c| sha256_base64(c.subject_public_key_info().as_ref())),
        );
        spkis.push(anchor_spki_sha256(path.anchor()));
        Ok(spkis)
    }
}

/// Whether the leaf of `chain` is valid for `host` (SAN matching, as browsers
/// do). A leaf that rustls-webpki refuses to use at all (an unknown critical
/// extension, a mismatched signature algorithm) is judged by its
/// subjectAltName DNS names as x509-parser reads them, so that a refused
/// leaf is not mistaken for a certificate for another host: path validation
/// reports why it is refused.
pub fn names_host(chain: &[CertificateDer<'_>], host: &str) -> bool {
    let Some(leaf) = chain.first() else {
        return false;
    };
    let Ok(name) = ServerName::try_from(host) else {
        return false;
    };
    match EndEntityCert::try_from(leaf) {
        Ok(ee) => ee.verify_is_valid_for_subject_name(&name).is_ok(),
        Err(_) => super::CertFacts::from_der(leaf)
            .sans
            .iter()
            .any(|san| dns_name_matches(san, host)),
    }
}

/// RFC 6125 matching of one DNS name, with a wildcard only as the whole
/// leftmost label.
fn dns_name_matches(pattern: &str, host: &str) -> bool {
    let (pattern, host) = (pattern.to_ascii_lowercase(), host.to_ascii_lowercase());
    match pattern.strip_prefix("*.") {
        Some(rest) => host.split_once('.').is_some_and(|(label, parent)| {
            !label.is_empty() && parent == rest && rest.contains('.')
        }),
        None => pattern == host,
    }
}

/// SPKI hash of an anchor: webpki keeps the SPKI without its outer SEQUENCE,
/// so wrap it again before hashing.
fn anchor_spki_sha256(anchor: &TrustAnchor<'_>) -> String {
    sha256_base64(&anchor_spki_der(anchor))
}

/// An anchor's SPKI as a full DER SubjectPublicKeyInfo.
fn anchor_spki_der(anchor: &TrustAnchor<'_>) -> Vec<u8> {
    crate::names::der_sequence(anchor.subject_public_key_info.as_ref())
}
