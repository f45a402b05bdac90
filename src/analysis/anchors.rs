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
/// stable code, and rustls-webpki's error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainProblem {
    /// The rule.
    pub rule: ChainRule,
    /// rustls-webpki's error, e.g. [`ChainError::PathLenConstraintViolated`].
    pub detail: ChainError,
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

/// The errors rustls-webpki gives for a certificate path, named as it
/// names them (the JSON `detail` of a broken chain, for people who know
/// its errors), without their context (times, lists of usages): a closed
/// set, where the error rustls-webpki adds later, or one about revocation
/// lists (which pinwatch does not give it), is [`ChainError::Other`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChainError {
    /// A certificate is not valid DER.
    BadDer,
    /// A time in a certificate is not valid DER.
    BadDerTime,
    /// A CA certificate was presented as the leaf.
    CaUsedAsEndEntity,
    /// A certificate is distrusted.
    CertDistrusted,
    /// A certificate of the path has expired.
    CertExpired,
    /// The leaf does not name the host.
    CertNotValidForName,
    /// A certificate of the path is not valid yet.
    CertNotValidYet,
    /// A certificate is revoked.
    CertRevoked,
    /// The leaf's extended key usage is empty.
    EmptyEkuExtension,
    /// A certificate with CA:FALSE signed another.
    EndEntityUsedAsCa,
    /// An extension's value is invalid.
    ExtensionValueInvalid,
    /// A validity period ends before it starts.
    InvalidCertValidity,
    /// A name constraint has an invalid network mask.
    InvalidNetworkMaskConstraint,
    /// A serial number is invalid.
    InvalidSerialNumber,
    /// A signature does not verify with its issuer's key.
    InvalidSignatureForPublicKey,
    /// A DNS name is malformed.
    MalformedDnsIdentifier,
    /// The extensions are malformed.
    MalformedExtensions,
    /// A name constraint is malformed.
    MalformedNameConstraint,
    /// Name constraints took too many comparisons.
    MaximumNameConstraintComparisonsExceeded,
    /// Building the path took too many steps.
    MaximumPathBuildCallsExceeded,
    /// The path is longer than validators follow.
    MaximumPathDepthExceeded,
    /// The path took too many signature checks.
    MaximumSignatureChecksExceeded,
    /// A name breaks an issuer's name constraints.
    NameConstraintViolation,
    /// A CA signs deeper than its pathLen allows.
    PathLenConstraintViolated,
    /// The leaf may not be used for TLS servers.
    RequiredEkuNotFound,
    /// The leaf may not be used for TLS servers (with the usages it has).
    RequiredEkuNotFoundContext,
    /// The two signature algorithms of a certificate differ.
    SignatureAlgorithmMismatch,
    /// Data follows a DER value.
    TrailingData,
    /// No anchor of the store issued it.
    UnknownIssuer,
    /// A certificate is not X.509 v3.
    UnsupportedCertVersion,
    /// A critical extension validators do not know.
    UnsupportedCriticalExtension,
    /// A name type validators do not support.
    UnsupportedNameType,
    /// A signature algorithm validators do not support.
    UnsupportedSignatureAlgorithm,
    /// A signature algorithm validators do not support (with its identifier).
    UnsupportedSignatureAlgorithmContext,
    /// A signature algorithm its issuer's key cannot make.
    UnsupportedSignatureAlgorithmForPublicKey,
    /// A signature algorithm its issuer's key cannot make (with their identifiers).
    UnsupportedSignatureAlgorithmForPublicKeyContext,
    /// No certificate was presented.
    NoCertificate,
    /// Any other error.
    Other,
}

impl ChainError {
    /// The error for rustls-webpki's `e`.
    fn of(e: &webpki::Error) -> ChainError {
        use webpki::Error as E;
        #[allow(deprecated)]
        match e {
            E::BadDer => ChainError::BadDer,
            E::BadDerTime => ChainError::BadDerTime,
            E::CaUsedAsEndEntity => ChainError::CaUsedAsEndEntity,
            E::CertDistrusted => ChainError::CertDistrusted,
            E::CertExpired { .. } => ChainError::CertExpired,
            E::CertNotValidForName(_) => ChainError::CertNotValidForName,
            E::CertNotValidYet { .. } => ChainError::CertNotValidYet,
            E::CertRevoked => ChainError::CertRevoked,
            E::EmptyEkuExtension => ChainError::EmptyEkuExtension,
            E::EndEntityUsedAsCa => ChainError::EndEntityUsedAsCa,
            E::ExtensionValueInvalid => ChainError::ExtensionValueInvalid,
            E::InvalidCertValidity => ChainError::InvalidCertValidity,
            E::InvalidNetworkMaskConstraint => ChainError::InvalidNetworkMaskConstraint,
            E::InvalidSerialNumber => ChainError::InvalidSerialNumber,
            E::InvalidSignatureForPublicKey => ChainError::InvalidSignatureForPublicKey,
            E::MalformedDnsIdentifier => ChainError::MalformedDnsIdentifier,
            E::MalformedExtensions => ChainError::MalformedExtensions,
            E::MalformedNameConstraint => ChainError::MalformedNameConstraint,
            E::MaximumNameConstraintComparisonsExceeded => {
                ChainError::MaximumNameConstraintComparisonsExceeded
            }
            E::MaximumPathBuildCallsExceeded => ChainError::MaximumPathBuildCallsExceeded,
            E::MaximumPathDepthExceeded => ChainError::MaximumPathDepthExceeded,
            E::MaximumSignatureChecksExceeded => ChainError::MaximumSignatureChecksExceeded,
            E::NameConstraintViolation => ChainError::NameConstraintViolation,
            E::PathLenConstraintViolated => ChainError::PathLenConstraintViolated,
            E::RequiredEkuNotFound => ChainError::RequiredEkuNotFound,
            E::RequiredEkuNotFoundContext(_) => ChainError::RequiredEkuNotFoundContext,
            E::SignatureAlgorithmMismatch => ChainError::SignatureAlgorithmMismatch,
            E::TrailingData(_) => ChainError::TrailingData,
            E::UnknownIssuer => ChainError::UnknownIssuer,
            E::UnsupportedCertVersion => ChainError::UnsupportedCertVersion,
            E::UnsupportedCriticalExtension => ChainError::UnsupportedCriticalExtension,
            E::UnsupportedNameType => ChainError::UnsupportedNameType,
            E::UnsupportedSignatureAlgorithm => ChainError::UnsupportedSignatureAlgorithm,
            E::UnsupportedSignatureAlgorithmContext(_) => {
                ChainError::UnsupportedSignatureAlgorithmContext
            }
            E::UnsupportedSignatureAlgorithmForPublicKey => {
                ChainError::UnsupportedSignatureAlgorithmForPublicKey
            }
            E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => {
                ChainError::UnsupportedSignatureAlgorithmForPublicKeyContext
            }
            _ => ChainError::Other,
        }
    }

    /// The rule the error breaks.
    pub fn rule(self) -> ChainRule {
        match self {
            ChainError::CertExpired => ChainRule::Expired,
            ChainError::CertNotValidYet => ChainRule::NotYetValid,
            ChainError::CaUsedAsEndEntity
            | ChainError::EndEntityUsedAsCa
            | ChainError::PathLenConstraintViolated
            | ChainError::NameConstraintViolation
            | ChainError::MaximumNameConstraintComparisonsExceeded => ChainRule::Constraint,
            ChainError::RequiredEkuNotFound
            | ChainError::RequiredEkuNotFoundContext
            | ChainError::EmptyEkuExtension => ChainRule::Usage,
            ChainError::MaximumPathDepthExceeded
            | ChainError::MaximumPathBuildCallsExceeded
            | ChainError::MaximumSignatureChecksExceeded => ChainRule::TooLong,
            ChainError::UnknownIssuer => ChainRule::UnknownIssuer,
            _ => ChainRule::Other,
        }
    }

    /// rustls-webpki's name for the error (`PathLenConstraintViolated`).
    pub fn as_str(self) -> &'static str {
        match self {
            ChainError::BadDer => "BadDer",
            ChainError::BadDerTime => "BadDerTime",
            ChainError::CaUsedAsEndEntity => "CaUsedAsEndEntity",
            ChainError::CertDistrusted => "CertDistrusted",
            ChainError::CertExpired => "CertExpired",
            ChainError::CertNotValidForName => "CertNotValidForName",
            ChainError::CertNotValidYet => "CertNotValidYet",
            ChainError::CertRevoked => "CertRevoked",
            ChainError::EmptyEkuExtension => "EmptyEkuExtension",
            ChainError::EndEntityUsedAsCa => "EndEntityUsedAsCa",
            ChainError::ExtensionValueInvalid => "ExtensionValueInvalid",
            ChainError::InvalidCertValidity => "InvalidCertValidity",
            ChainError::InvalidNetworkMaskConstraint => "InvalidNetworkMaskConstraint",
            ChainError::InvalidSerialNumber => "InvalidSerialNumber",
            ChainError::InvalidSignatureForPublicKey => "InvalidSignatureForPublicKey",
            ChainError::MalformedDnsIdentifier => "MalformedDnsIdentifier",
            ChainError::MalformedExtensions => "MalformedExtensions",
            ChainError::MalformedNameConstraint => "MalformedNameConstraint",
            ChainError::MaximumNameConstraintComparisonsExceeded => {
                "MaximumNameConstraintComparisonsExceeded"
            }
            ChainError::MaximumPathBuildCallsExceeded => "MaximumPathBuildCallsExceeded",
            ChainError::MaximumPathDepthExceeded => "MaximumPathDepthExceeded",
            ChainError::MaximumSignatureChecksExceeded => "MaximumSignatureChecksExceeded",
            ChainError::NameConstraintViolation => "NameConstraintViolation",
            ChainError::PathLenConstraintViolated => "PathLenConstraintViolated",
            ChainError::RequiredEkuNotFound => "RequiredEkuNotFound",
            ChainError::RequiredEkuNotFoundContext => "RequiredEkuNotFoundContext",
            ChainError::SignatureAlgorithmMismatch => "SignatureAlgorithmMismatch",
            ChainError::TrailingData => "TrailingData",
            ChainError::UnknownIssuer => "UnknownIssuer",
            ChainError::UnsupportedCertVersion => "UnsupportedCertVersion",
            ChainError::UnsupportedCriticalExtension => "UnsupportedCriticalExtension",
            ChainError::UnsupportedNameType => "UnsupportedNameType",
            ChainError::UnsupportedSignatureAlgorithm => "UnsupportedSignatureAlgorithm",
            ChainError::UnsupportedSignatureAlgorithmContext => {
                "UnsupportedSignatureAlgorithmContext"
            }
            ChainError::UnsupportedSignatureAlgorithmForPublicKey => {
                "UnsupportedSignatureAlgorithmForPublicKey"
            }
            ChainError::UnsupportedSignatureAlgorithmForPublicKeyContext => {
                "UnsupportedSignatureAlgorithmForPublicKeyContext"
            }
            ChainError::NoCertificate => "NoCertificate",
            ChainError::Other => "Other",
        }
    }
}

impl ChainProblem {
    /// The problem `detail` stands for.
    pub fn new(detail: ChainError) -> Self {
        ChainProblem {
            rule: detail.rule(),
            detail,
        }
    }

    fn of(e: &webpki::Error) -> Self {
        ChainProblem::new(ChainError::of(e))
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
            return PathStatus::Invalid(ChainProblem::new(ChainError::NoCertificate));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The JSON `detail` of a broken chain is rustls-webpki's own name for
    /// its error, as it always was, and the rule is the one it breaks.
    #[test]
    fn chain_errors_keep_rustls_webpkis_names_and_their_rules() {
        use webpki::Error as E;
        let at = |s| UnixTime::since_unix_epoch(std::time::Duration::from_secs(s));
        let cases = [
            (
                E::CertExpired {
                    time: at(2),
                    not_after: at(1),
                },
                ChainRule::Expired,
            ),
            (
                E::CertNotValidYet {
                    time: at(1),
                    not_before: at(2),
                },
                ChainRule::NotYetValid,
            ),
            (E::PathLenConstraintViolated, ChainRule::Constraint),
            (E::CaUsedAsEndEntity, ChainRule::Constraint),
            (E::EndEntityUsedAsCa, ChainRule::Constraint),
            (E::NameConstraintViolation, ChainRule::Constraint),
            (E::EmptyEkuExtension, ChainRule::Usage),
            (E::MaximumPathDepthExceeded, ChainRule::TooLong),
            (E::MaximumSignatureChecksExceeded, ChainRule::TooLong),
            (E::UnknownIssuer, ChainRule::UnknownIssuer),
            (E::BadDer, ChainRule::Other),
            (E::InvalidSignatureForPublicKey, ChainRule::Other),
            (E::UnsupportedCriticalExtension, ChainRule::Other),
        ];
        for (e, rule) in cases {
            let problem = ChainProblem::of(&e);
            let debug = format!("{e:?}");
            let name = debug.split(['(', ' ', '{']).next().unwrap_or_default();
            assert_eq!(problem.detail.as_str(), name, "{e:?}");
            assert_eq!(problem.rule, rule, "{e:?}");
        }
        // Revocation lists are not pinwatch's: other, with a name of its own.
        let crl = ChainProblem::of(&E::UnsupportedCrlVersion);
        assert_eq!(
            (crl.rule, crl.detail),
            (ChainRule::Other, ChainError::Other)
        );
        let none = ChainProblem::new(ChainError::NoCertificate);
        assert_eq!(
            (none.rule, none.detail.as_str()),
            (ChainRule::Other, "NoCertificate")
        );
    }
}
