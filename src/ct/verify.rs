//! SCT signature verification with ring: the log's key from its
//! SubjectPublicKeyInfo (ECDSA P-256 or RSA, the two kinds RFC 6962 allows)
//! and the `digitally-signed` struct a log signs for a precertificate entry
//! (RFC 6962 section 3.2):
//!
//! ```text
//! sct_version(1) = 0 | signature_type(1) = 0 (certificate_timestamp) |
//! timestamp(8) | entry_type(2) = 1 (precert_entry) |
//! issuer_key_hash[32] | tbs_certificate<1..2^24-1> | extensions<0..2^16-1>
//! ```

use ring::signature::{ECDSA_P256_SHA256_ASN1, RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use x509_parser::prelude::FromDer;
use x509_parser::x509::SubjectPublicKeyInfo;

use super::precert::PrecertEntry;
use super::sct::Sct;

/// TLS HashAlgorithm sha256.
pub const HASH_SHA256: u8 = 4;
/// TLS SignatureAlgorithm rsa.
pub const SIG_RSA: u8 = 1;
/// TLS SignatureAlgorithm ecdsa.
pub const SIG_ECDSA: u8 = 3;

/// A log's public key, ready for ring.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogKey {
    /// ECDSA on P-256: the uncompressed point.
    EcdsaP256(Vec<u8>),
    /// RSA: the DER RSAPublicKey.
    Rsa(Vec<u8>),
    /// A key pinwatch cannot use, and why.
    Unsupported(String),
}

/// Why a signature did not verify.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VerifyError {
    /// The log's key is of a kind RFC 6962 does not allow or ring lacks.
    UnsupportedKey(String),
    /// The signature is not the log's over this entry (with why, when known).
    BadSignature(String),
}

impl LogKey {
    /// Reads a DER SubjectPublicKeyInfo (the `key` of a log list entry).
    pub fn from_spki_der(spki: &[u8]) -> LogKey {
        let info = match SubjectPublicKeyInfo::from_der(spki) {
            Ok(([], info)) => info,
            Ok(_) => return LogKey::Unsupported("bytes after the SubjectPublicKeyInfo".into()),
            Err(e) => return LogKey::Unsupported(format!("not a SubjectPublicKeyInfo: {e}")),
        };
        let alg = info.algorithm.algorithm.to_id_string();
        let key = info.subject_public_key.data.to_vec();
        match alg.as_str() {
            "1.2.840.10045.2.1" => {
                let curve = info
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.as_oid().ok())
                    .map(|o| o.to_id_string());
                match curve.as_deref() {
                    Some("1.2.840.10045.3.1.7") if key.len() == 65 && key.first() == Some(&4) => {
                        LogKey::EcdsaP256(key)
                    }
                    Some("1.2.840.10045.3.1.7") => {
                        LogKey::Unsupported("not an uncompressed P-256 point".into())
                    }
                    other => LogKey::Unsupported(format!(
                        "ECDSA on curve {} (RFC 6962 logs use P-256)",
                        other.unwrap_or("(none)")
                    )),
                }
            }
            "1.2.840.113549.1.1.1" => LogKey::Rsa(key),
            other => LogKey::Unsupported(format!("key algorithm {other}")),
        }
    }

    /// A short name for the key kind.
    pub fn kind(&self) -> &'static str {
        match self {
            LogKey::EcdsaP256(_) => "ECDSA P-256",
            LogKey::Rsa(_) => "RSA",
            LogKey::Unsupported(_) => "unsupported",
        }
    }
}

/// The bytes a log signs for an embedded SCT; `None` when a length does not
/// fit its field (a TBS of 16 MiB or more, extensions of 64 KiB or more).
pub fn signed_data(sct: &Sct, entry: &PrecertEntry) -> Option<Vec<u8>> {
    let tbs_len = u32::try_from(entry.tbs.len())
        .ok()
        .filter(|&n| n < 1 << 24)?;
    let ext_len = u16::try_from(sct.extensions.len()).ok()?;
    let mut out = Vec::with_capacity(entry.tbs.len() + sct.extensions.len() + 54);
    out.push(sct.version);
    out.push(0); // signature_type: certificate_timestamp
    out.extend_from_slice(&sct.timestamp_ms.to_be_bytes());
    out.extend_from_slice(&1u16.to_be_bytes()); // entry_type: precert_entry
    out.extend_from_slice(&entry.issuer_key_hash);
    out.extend_from_slice(&tbs_len.to_be_bytes()[1..]);
    out.extend_from_slice(&entry.tbs);
    out.extend_from_slice(&ext_len.to_be_bytes());
    out.extend_from_slice(&sct.extensions);
    Some(out)
}

/// Verifies `sct` over `entry` with the log's `key`.
pub fn verify(key: &LogKey, sct: &Sct, entry: &PrecertEntry) -> Result<(), VerifyError> {
    let (algorithm, key_bytes, wanted): (
        &'static dyn ring::signature::VerificationAlgorithm,
        _,
        _,
    ) = match key {
        LogKey::EcdsaP256(point) => (&ECDSA_P256_SHA256_ASN1, point, SIG_ECDSA),
        LogKey::Rsa(der) => (&RSA_PKCS1_2048_8192_SHA256, der, SIG_RSA),
        LogKey::Unsupported(why) => return Err(VerifyError::UnsupportedKey(why.clone())),
    };
    if sct.hash_alg != HASH_SHA256 || sct.sig_alg != wanted {
        return Err(VerifyError::BadSignature(format!(
            "the SCT claims hash {} / signature {}, but the log's key is {} with SHA-256",
            sct.hash_alg,
            sct.sig_alg,
            key.kind()
        )));
    }
    let message = signed_data(sct, entry)
        .ok_or_else(|| VerifyError::BadSignature("the entry is too large to be signed".into()))?;
    UnparsedPublicKey::new(algorithm, key_bytes)
        .verify(&message, &sct.signature)
        .map_err(|_| VerifyError::BadSignature(String::new()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;
    use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair as _, RsaKeyPair};

    fn entry() -> PrecertEntry {
        PrecertEntry {
            issuer_key_hash: [7; 32],
            tbs: vec![0x30, 3, 2, 1, 5],
        }
    }

    fn sct(sig_alg: u8) -> Sct {
        Sct {
            version: 0,
            log_id: [1; 32],
            timestamp_ms: 0x0102_0304_0506_0708,
            extensions: vec![0xaa, 0xbb],
            hash_alg: HASH_SHA256,
            sig_alg,
            signature: Vec::new(),
        }
    }

    #[test]
    fn the_signed_struct_is_laid_out_as_rfc_6962_says() {
        let data = signed_data(&sct(SIG_ECDSA), &entry()).unwrap();
        let mut expected = vec![0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1];
        expected.extend_from_slice(&[7; 32]);
        expected.extend_from_slice(&[0, 0, 5, 0x30, 3, 2, 1, 5, 0, 2, 0xaa, 0xbb]);
        assert_eq!(data, expected);
    }

    #[test]
    fn ecdsa_p256_signatures_verify_and_a_flipped_bit_does_not() {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
        let key = LogKey::EcdsaP256(pair.public_key().as_ref().to_vec());
        let mut s = sct(SIG_ECDSA);
        s.signature = pair
            .sign(&rng, &signed_data(&s, &entry()).unwrap())
            .unwrap()
            .as_ref()
            .to_vec();
        assert_eq!(verify(&key, &s, &entry()), Ok(()));
        let mut flipped = s.clone();
        flipped.timestamp_ms ^= 1;
        assert!(matches!(
            verify(&key, &flipped, &entry()),
            Err(VerifyError::BadSignature(_))
        ));
        let mut other = entry();
        other.issuer_key_hash[0] ^= 0x80;
        assert!(matches!(
            verify(&key, &s, &other),
            Err(VerifyError::BadSignature(_))
        ));
        let mut wrong_alg = s.clone();
        wrong_alg.sig_alg = SIG_RSA;
        assert!(matches!(
            verify(&key, &wrong_alg, &entry()),
            Err(VerifyError::BadSignature(_))
        ));
    }

    #[test]
    fn rsa_signatures_verify() {
        // A 2048-bit test key made once with `openssl genpkey` (tests/data/ct/README.md).
        let pkcs8 = std::fs::read(format!(
            "{}/tests/data/ct/test-rsa-log.pk8",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let pair = RsaKeyPair::from_pkcs8(&pkcs8).unwrap();
        let spki = std::fs::read(format!(
            "{}/tests/data/ct/test-rsa-log.spki.der",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let key = LogKey::from_spki_der(&spki);
        assert_eq!(key, LogKey::Rsa(pair.public().as_ref().to_vec()));
        let mut s = sct(SIG_RSA);
        let mut sig = vec![0; pair.public().modulus_len()];
        pair.sign(
            &ring::signature::RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            &signed_data(&s, &entry()).unwrap(),
            &mut sig,
        )
        .unwrap();
        s.signature = sig;
        assert_eq!(verify(&key, &s, &entry()), Ok(()));
        s.signature[10] ^= 4;
        assert!(matches!(
            verify(&key, &s, &entry()),
            Err(VerifyError::BadSignature(_))
        ));
    }

    #[test]
    fn keys_from_spki() {
        use base64::Engine as _;
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.decode(s).unwrap();
        // Google Argon2025h1 (ECDSA P-256) and Venafi's log (RSA), from the shipped list.
        let argon = b64(
            "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEIIKh+WdoqOTblJji4WiH5AltIDUzODyvFKrXCBjw/Rab0/98J4LUh7dOJEY7+66+yCNSICuqRAX+VPnV8R1Fmg==",
        );
        assert!(matches!(LogKey::from_spki_der(&argon), LogKey::EcdsaP256(p) if p.len() == 65));
        let venafi = b64(
            "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAolpIHxdSlTXLo1s6H1OCdpSj/4DyHDc8wLG9wVmLqy1lk9fz4ATVmm+/1iN2Nk8jmctUKK2MFUtlWXZBSpym97M7frGlSaQXUWyA3CqQUEuIJOmlEjKTBEiQAvpfDjCHjlV2Be4qTM6jamkJbiWtgnYPhJL6ONaGTiSPm7Byy57iaz/hbckldSOIoRhYBiMzeNoA0DiRZ9KmfSeXZ1rB8y8X5urSW+iBzf2SaOfzBvDpcoTuAaWx2DPazoOl28fP1hZ+kHUYvxbcMjttjauCFx+JII0dmuZNIwjfeG/GBb9frpSX219k1O4Wi6OEbHEr8at/XQ0y7gTikOxBn/s5wQIDAQAB",
        );
        assert!(matches!(LogKey::from_spki_der(&venafi), LogKey::Rsa(_)));
        let ours = std::fs::read(format!(
            "{}/tests/data/ct/test-rsa-log.spki.der",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        assert!(matches!(LogKey::from_spki_der(&ours), LogKey::Rsa(_)));
        assert!(matches!(
            LogKey::from_spki_der(b"junk"),
            LogKey::Unsupported(_)
        ));
        // An Ed25519 SPKI: a real key, not one RFC 6962 allows.
        let ed = b64("MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=");
        assert!(
            matches!(LogKey::from_spki_der(&ed), LogKey::Unsupported(w) if w.contains("1.3.101.112"))
        );
        assert!(matches!(
            verify(&LogKey::Unsupported("x".into()), &sct(SIG_ECDSA), &entry()),
            Err(VerifyError::UnsupportedKey(_))
        ));
    }
}
