//! Certificate signature checks, each done once per run.
//!
//! Two parts of analysis check the same signatures: the signature path
//! (`path`) and rustls-webpki's full validation (`anchors`). Both go through
//! [`ALGORITHMS`], rustls-webpki's own algorithms wrapped in a memo keyed by
//! a SHA-256 of everything the result depends on (the algorithm, the public
//! key, the signed bytes and the signature), so a leaf's signature is
//! checked once although two validators ask, and an intermediate's
//! signature by its root once for every host under that intermediate.
//!
//! The memo only remembers results; it never changes one (the key covers
//! every input), so analysis stays a pure function of its arguments. It is
//! bounded: at [`MEMO_CAPACITY`] entries it starts afresh.
//!
//! ring has no P-521, so ECDSA over P-521 (with SHA-256, SHA-384 or
//! SHA-512) is checked with RustCrypto's `p521`, offered to both validators
//! beside rustls-webpki's own algorithms: a forger's P-521 root is then a
//! key like any other, not a reason to call the chain unverifiable.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use p521::ecdsa::signature::hazmat::PrehashVerifier as _;
use rustls_pki_types::{
    AlgorithmIdentifier, InvalidSignature, SignatureVerificationAlgorithm, alg_id,
};
use x509_parser::der_parser::asn1_rs::{Any, FromDer, Tag};

/// Entries remembered before the memo starts afresh: about 50 bytes each,
/// so under a megabyte; more than a check of 10,000 hosts needs, and the
/// agent's few hosts never come near it.
const MEMO_CAPACITY: usize = 1 << 14;

/// rustls-webpki's verification algorithms, each answering through the memo.
pub static ALGORITHMS: LazyLock<Vec<&'static dyn SignatureVerificationAlgorithm>> =
    LazyLock::new(|| {
        MEMOIZED
            .iter()
            .map(|a| a as &'static dyn SignatureVerificationAlgorithm)
            .collect()
    });

/// ECDSA over P-521 with each hash a certificate may name.
static P521: [&dyn SignatureVerificationAlgorithm; 3] = [
    &EcdsaP521 {
        signature: alg_id::ECDSA_SHA256,
        hash: &ring::digest::SHA256,
    },
    &EcdsaP521 {
        signature: alg_id::ECDSA_SHA384,
        hash: &ring::digest::SHA384,
    },
    &EcdsaP521 {
        signature: alg_id::ECDSA_SHA512,
        hash: &ring::digest::SHA512,
    },
];

static MEMOIZED: LazyLock<Vec<Memoized>> = LazyLock::new(|| {
    webpki::ALL_VERIFICATION_ALGS
        .iter()
        .chain(P521.iter())
        .enumerate()
        .map(|(index, &inner)| Memoized {
            index: u8::try_from(index).unwrap_or(u8::MAX),
            inner,
        })
        .collect()
});

static MEMO: LazyLock<Mutex<HashMap<[u8; 32], bool>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// One of rustls-webpki's algorithms, remembering its answers.
#[derive(Debug)]
struct Memoized {
    index: u8,
    inner: &'static dyn SignatureVerificationAlgorithm,
}

impl SignatureVerificationAlgorithm for Memoized {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        let key = memo_key(self.index, public_key, message, signature);
        let known = MEMO.lock().ok().and_then(|m| m.get(&key).copied());
        let valid = match known {
            Some(valid) => valid,
            None => {
                let valid = self
                    .inner
                    .verify_signature(public_key, message, signature)
                    .is_ok();
                if let Ok(mut memo) = MEMO.lock() {
                    if memo.len() >= MEMO_CAPACITY {
                        memo.clear();
                    }
                    memo.insert(key, valid);
                }
                valid
            }
        };
        if valid { Ok(()) } else { Err(InvalidSignature) }
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        self.inner.public_key_alg_id()
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.inner.signature_alg_id()
    }

    fn fips(&self) -> bool {
        self.inner.fips()
    }
}

/// ECDSA over P-521 (RustCrypto's `p521`; ring lacks the curve), the
/// message hashed with `hash`.
#[derive(Debug)]
struct EcdsaP521 {
    signature: AlgorithmIdentifier,
    hash: &'static ring::digest::Algorithm,
}

/// Bytes of a P-521 field element (and of each half of a signature).
const P521_BYTES: usize = 66;

impl SignatureVerificationAlgorithm for EcdsaP521 {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        let key =
            p521::ecdsa::VerifyingKey::from_sec1_bytes(public_key).map_err(|_| InvalidSignature)?;
        let signature = p521_signature(signature).ok_or(InvalidSignature)?;
        // A hash shorter than the curve is the same number left-padded
        // with zeros (FIPS 186-4, 6.4): p521 wants at least half the field.
        let digest = ring::digest::digest(self.hash, message);
        let mut prehash = [0u8; P521_BYTES];
        let digest = digest.as_ref();
        let start = P521_BYTES.saturating_sub(digest.len());
        prehash[start..].copy_from_slice(&digest[..P521_BYTES - start]);
        key.verify_prehash(&prehash, &signature)
            .map_err(|_| InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::ECDSA_P521
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.signature
    }

    fn fips(&self) -> bool {
        false
    }
}

/// An ECDSA-Sig-Value (`SEQUENCE { r INTEGER, s INTEGER }`) as P-521's
/// fixed-width `r || s`.
fn p521_signature(der: &[u8]) -> Option<p521::ecdsa::Signature> {
    let (rest, outer) = Any::from_der(der).ok()?;
    if !rest.is_empty() || outer.tag() != Tag::Sequence {
        return None;
    }
    let (after_r, r) = Any::from_der(outer.data).ok()?;
    let (end, s) = Any::from_der(after_r).ok()?;
    if !end.is_empty() || r.tag() != Tag::Integer || s.tag() != Tag::Integer {
        return None;
    }
    let mut fixed = [0u8; 2 * P521_BYTES];
    for (half, int) in [(0, r.data), (1, s.data)] {
        let int = match int {
            [0, rest @ ..] => rest,
            _ => int,
        };
        if int.len() > P521_BYTES {
            return None;
        }
        let end = (half + 1) * P521_BYTES;
        fixed[end - int.len()..end].copy_from_slice(int);
    }
    p521::ecdsa::Signature::from_slice(&fixed).ok()
}

fn memo_key(algorithm: u8, public_key: &[u8], message: &[u8], signature: &[u8]) -> [u8; 32] {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(&[algorithm]);
    for part in [public_key, message, signature] {
        ctx.update(&(part.len() as u64).to_be_bytes());
        ctx.update(part);
    }
    let mut key = [0u8; 32];
    key.copy_from_slice(ctx.finish().as_ref());
    key
}

/// What a certificate's signature covers, split out of its DER.
#[derive(Clone, Copy, Debug)]
pub struct Signed<'d> {
    /// The TBSCertificate, with its header (the signed bytes).
    pub tbs: &'d [u8],
    /// The contents of the outer signatureAlgorithm AlgorithmIdentifier.
    pub algorithm: &'d [u8],
    /// The signature, the BIT STRING's bits.
    pub signature: &'d [u8],
}

impl<'d> Signed<'d> {
    /// Splits a certificate (`SEQUENCE { tbs, signatureAlgorithm,
    /// signatureValue }`); `None` when it is not shaped so.
    pub fn of(cert_der: &'d [u8]) -> Option<Self> {
        let (_, outer) = Any::from_der(cert_der).ok()?;
        if outer.tag() != Tag::Sequence {
            return None;
        }
        let body = outer.data;
        let (after_tbs, tbs) = Any::from_der(body).ok()?;
        if tbs.tag() != Tag::Sequence {
            return None;
        }
        let tbs_raw = body.get(..body.len() - after_tbs.len())?;
        let (after_alg, alg) = Any::from_der(after_tbs).ok()?;
        let (_, sig) = Any::from_der(after_alg).ok()?;
        if alg.tag() != Tag::Sequence || sig.tag() != Tag::BitString {
            return None;
        }
        let (&0, bits) = sig.data.split_first()? else {
            return None;
        };
        Some(Signed {
            tbs: tbs_raw,
            algorithm: alg.data,
            signature: bits,
        })
    }
}

/// A SubjectPublicKeyInfo's algorithm (the AlgorithmIdentifier's contents)
/// and key (the BIT STRING's bits).
fn spki_parts(spki_der: &[u8]) -> Option<(&[u8], &[u8])> {
    let (_, outer) = Any::from_der(spki_der).ok()?;
    let (rest, alg) = Any::from_der(outer.data).ok()?;
    let (_, key) = Any::from_der(rest).ok()?;
    if alg.tag() != Tag::Sequence || key.tag() != Tag::BitString {
        return None;
    }
    let (&0, bits) = key.data.split_first()? else {
        return None;
    };
    Some((alg.data, bits))
}

/// Whether `signed` was signed by the key `spki_der` (a full DER
/// SubjectPublicKeyInfo), as rustls-webpki would answer, through the memo.
/// `None` when rustls-webpki has no algorithm for this pair of signature and
/// key algorithms (the caller may try another verifier).
pub fn signed_by(signed: &Signed<'_>, spki_der: &[u8]) -> Option<bool> {
    let (key_alg, key) = spki_parts(spki_der)?;
    let alg = MEMOIZED.iter().find(|a| {
        a.signature_alg_id().as_ref() == signed.algorithm
            && a.public_key_alg_id().as_ref() == key_alg
    })?;
    Some(
        alg.verify_signature(key, signed.tbs, signed.signature)
            .is_ok(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ca_and_leaf() -> (Vec<u8>, Vec<u8>, Vec<u8>) {
        let ca_key = rcgen::KeyPair::generate().expect("key");
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let ca = rcgen::CertifiedIssuer::self_signed(params, ca_key).expect("ca");
        let leaf_key = rcgen::KeyPair::generate().expect("key");
        let leaf = rcgen::CertificateParams::new(vec!["a.test".into()])
            .expect("params")
            .signed_by(&leaf_key, &ca)
            .expect("leaf");
        let spki = |der: &[u8]| {
            x509_parser::parse_x509_certificate(der)
                .expect("parse")
                .1
                .public_key()
                .raw
                .to_vec()
        };
        (leaf.der().to_vec(), spki(ca.der()), spki(leaf.der()))
    }

    #[test]
    fn a_signature_is_checked_against_the_right_key_and_remembered() {
        let (leaf, ca_spki, leaf_spki) = ca_and_leaf();
        let signed = Signed::of(&leaf).expect("a certificate");
        assert_eq!(signed_by(&signed, &ca_spki), Some(true));
        // Asked again: the memo's answer is the same.
        assert_eq!(signed_by(&signed, &ca_spki), Some(true));
        // Another key did not sign it, and that answer is remembered too.
        assert_eq!(signed_by(&signed, &leaf_spki), Some(false));
        assert_eq!(signed_by(&signed, &leaf_spki), Some(false));
    }

    #[test]
    fn a_changed_signature_or_body_does_not_verify() {
        let (leaf, ca_spki, _) = ca_and_leaf();
        let signed = Signed::of(&leaf).expect("a certificate");
        let mut signature = signed.signature.to_vec();
        if let Some(b) = signature.last_mut() {
            *b ^= 1;
        }
        let forged = Signed {
            signature: &signature,
            ..signed
        };
        assert_eq!(signed_by(&forged, &ca_spki), Some(false));
        let mut tbs = signed.tbs.to_vec();
        if let Some(b) = tbs.last_mut() {
            *b ^= 1;
        }
        let altered = Signed {
            tbs: &tbs,
            ..signed
        };
        assert_eq!(signed_by(&altered, &ca_spki), Some(false));
    }

    #[test]
    fn junk_is_not_a_certificate_and_an_unknown_algorithm_is_none() {
        assert!(Signed::of(b"").is_none());
        assert!(Signed::of(&[0x30, 0x03, 0x02, 0x01, 0x00]).is_none());
        assert!(Signed::of(&[0x30, 0x82, 0xff]).is_none());
        let (leaf, ca_spki, _) = ca_and_leaf();
        let signed = Signed::of(&leaf).expect("a certificate");
        let unknown = Signed {
            algorithm: &[0x06, 0x03, 0x2a, 0x03, 0x04],
            ..signed
        };
        assert_eq!(signed_by(&unknown, &ca_spki), None);
        assert_eq!(signed_by(&signed, b"not a key"), None);
    }
}
