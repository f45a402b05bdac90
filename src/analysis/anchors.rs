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
    locations: HashMap<String, Vec<String>>,
}

/// The outcome of validating a chain against one store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathStatus {
    /// It validates now. Holds the SPKI hashes of the path, leaf to anchor.
    Valid(Vec<String>),
    /// It would validate, but a certificate has expired.
    Expired(Vec<String>),
    /// It would validate, but a certificate is not valid yet.
    NotYetValid(Vec<String>),
    /// It does not lead to an anchor of this store; the reason in words.
    Untrusted(String),
}

impl PathStatus {
    /// The path's SPKI hashes, when the chain leads to an anchor at all.
    pub fn path(&self) -> Option<&[String]> {
        match self {
            PathStatus::Valid(p) | PathStatus::Expired(p) | PathStatus::NotYetValid(p) => Some(p),
            PathStatus::Untrusted(_) => None,
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

    /// A store of certificates found in a scan, remembering where each was.
    pub fn from_found(name: &str, found: &[crate::roots::FoundRoot]) -> (Self, Vec<String>) {
        let certs: Vec<CertificateDer<'_>> = found.iter().map(|f| f.der.clone()).collect();
        let (mut store, problems) = Self::from_certs(name, &certs);
        for f in found {
            if let Ok(anchor) = webpki::anchor_from_trusted_cert(&f.der) {
                store
                    .locations
                    .entry(anchor_spki_sha256(&anchor))
                    .or_default()
                    .extend(f.locations.iter().cloned());
            }
        }
        (store, problems)
    }

    fn from_anchors(name: &str, anchors: Vec<TrustAnchor<'static>>) -> Self {
        let spkis = anchors.iter().map(anchor_spki_sha256).collect();
        TrustStore {
            name: name.to_string(),
            anchors,
            spkis,
            locations: HashMap::new(),
        }
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

    /// Validates `chain` (leaf first) for server authentication at `now`.
    /// When only time is wrong, validates again at `fallback_time` to tell
    /// an expired genuine chain from an untrusted one.
    pub fn validate(
        &self,
        chain: &[CertificateDer<'_>],
        now: UnixTime,
        fallback_time: Option<UnixTime>,
    ) -> PathStatus {
        let Some((leaf, rest)) = chain.split_first() else {
            return PathStatus::Untrusted("no certificate".into());
        };
        let ee = match EndEntityCert::try_from(leaf) {
            Ok(ee) => ee,
            Err(e) => return PathStatus::Untrusted(format!("leaf certificate rejected: {e}")),
        };
        match self.path_at(&ee, rest, now) {
            Ok(path) => PathStatus::Valid(path),
            Err(
                e @ (webpki::Error::CertExpired { .. } | webpki::Error::CertNotValidYet { .. }),
            ) => match fallback_time.map(|t| self.path_at(&ee, rest, t)) {
                Some(Ok(path)) if matches!(e, webpki::Error::CertExpired { .. }) => {
                    PathStatus::Expired(path)
                }
                Some(Ok(path)) => PathStatus::NotYetValid(path),
                _ => PathStatus::Untrusted(describe(&e)),
            },
            Err(e) => PathStatus::Untrusted(describe(&e)),
        }
    }

    fn path_at(
        &self,
        ee: &EndEntityCert<'_>,
        intermediates: &[CertificateDer<'_>],
        time: UnixTime,
    ) -> Result<Vec<String>, webpki::Error> {
        let path = ee.verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
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

/// Whether the leaf of `chain` is valid for `host` (SAN matching, as browsers do).
pub fn names_host(chain: &[CertificateDer<'_>], host: &str) -> bool {
    let Some(leaf) = chain.first() else {
        return false;
    };
    let (Ok(ee), Ok(name)) = (EndEntityCert::try_from(leaf), ServerName::try_from(host)) else {
        return false;
    };
    ee.verify_is_valid_for_subject_name(&name).is_ok()
}

/// SPKI hash of an anchor: webpki keeps the SPKI without its outer SEQUENCE,
/// so wrap it again before hashing.
fn anchor_spki_sha256(anchor: &TrustAnchor<'_>) -> String {
    let body = anchor.subject_public_key_info.as_ref();
    let mut der = Vec::with_capacity(body.len() + 4);
    der.push(0x30);
    match body.len() {
        n if n < 0x80 => der.push(n as u8),
        n if n <= 0xff => der.extend([0x81, n as u8]),
        n if n <= 0xffff => der.extend([0x82, (n >> 8) as u8, n as u8]),
        n => der.extend([0x83, (n >> 16) as u8, (n >> 8) as u8, n as u8]),
    }
    der.extend_from_slice(body);
    sha256_base64(&der)
}

fn describe(e: &webpki::Error) -> String {
    match e {
        webpki::Error::UnknownIssuer => "issuer not found in this store (UnknownIssuer)".into(),
        webpki::Error::CertExpired { .. } => "certificate expired".into(),
        webpki::Error::CertNotValidYet { .. } => "certificate not valid yet".into(),
        other => format!("{other:?}"),
    }
}
