//! Test Certificate Transparency logs, made at run time: P-256 keys, a v3
//! log list naming them (for `--ct-logs`), and leaves with embedded SCTs
//! signed by them over the precertificate entry, as a CA and real logs do.
//!
//! The SCT's signed struct is built here independently of `pinwatch::ct`
//! (RFC 6962 section 3.2), so a mistake there cannot cancel one here; the
//! real certificates in tests/data/ct check both against real logs.

use std::path::Path;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rcgen::{
    CertificateParams, CustomExtension, DnType, ExtendedKeyUsagePurpose, KeyPair, KeyUsagePurpose,
    PublicKeyData as _,
};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::OffsetDateTime;
use x509_parser::prelude::{FromDer, X509Certificate};

use super::pki::{Ca, Leaf};

/// The SCT-list extension, 1.3.6.1.4.1.11129.2.4.2.
const SCT_LIST_OID: &[u64] = &[1, 3, 6, 1, 4, 1, 11129, 2, 4, 2];

/// First test operator's name in the list.
pub const OPERATOR_A: &str = "Pinwatch Test Operator A";
/// Second test operator's name in the list.
pub const OPERATOR_B: &str = "Pinwatch Test Operator B";

/// One test log: a P-256 key and the names the list gives it.
pub struct TestLog {
    /// The list's description.
    pub description: String,
    /// The operator it is listed under.
    pub operator: String,
    key: EcdsaKeyPair,
    spki: Vec<u8>,
}

impl std::fmt::Debug for TestLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestLog")
            .field("description", &self.description)
            .field("log_id", &STANDARD.encode(self.log_id()))
            .finish()
    }
}

impl TestLog {
    /// A log with a fresh key.
    pub fn new(description: &str, operator: &str) -> TestLog {
        let key = KeyPair::generate().expect("generate a P-256 log key");
        let spki = key.subject_public_key_info();
        let ring_key = EcdsaKeyPair::from_pkcs8(
            &ECDSA_P256_SHA256_ASN1_SIGNING,
            &key.serialize_der(),
            &SystemRandom::new(),
        )
        .expect("the rcgen key is a P-256 PKCS#8 key");
        TestLog {
            description: description.into(),
            operator: operator.into(),
            key: ring_key,
            spki,
        }
    }

    /// SHA-256 of the log's SubjectPublicKeyInfo: its LogID.
    pub fn log_id(&self) -> [u8; 32] {
        let d = ring::digest::digest(&ring::digest::SHA256, &self.spki);
        d.as_ref().try_into().expect("SHA-256 is 32 bytes")
    }

    /// One serialized SCT (RFC 6962 `SignedCertificateTimestamp`) for the
    /// precertificate entry `(issuer_key_hash, tbs)`.
    pub fn sign(&self, issuer_key_hash: &[u8; 32], tbs: &[u8], timestamp_ms: u64) -> Vec<u8> {
        let mut signed = vec![0u8, 0u8]; // v1, certificate_timestamp
        signed.extend_from_slice(&timestamp_ms.to_be_bytes());
        signed.extend_from_slice(&[0, 1]); // precert_entry
        signed.extend_from_slice(issuer_key_hash);
        let tbs_len = u32::try_from(tbs.len()).expect("a small TBS");
        signed.extend_from_slice(&tbs_len.to_be_bytes()[1..]);
        signed.extend_from_slice(tbs);
        signed.extend_from_slice(&[0, 0]); // no extensions
        let sig = self
            .key
            .sign(&SystemRandom::new(), &signed)
            .expect("sign an SCT");
        let sig = sig.as_ref();
        let mut sct = vec![0u8];
        sct.extend_from_slice(&self.log_id());
        sct.extend_from_slice(&timestamp_ms.to_be_bytes());
        sct.extend_from_slice(&[0, 0]); // extensions<0..2^16-1>
        sct.extend_from_slice(&[4, 3]); // sha256, ecdsa
        sct.extend_from_slice(&u16::try_from(sig.len()).expect("short").to_be_bytes());
        sct.extend_from_slice(sig);
        sct
    }
}

/// Test logs and the log list that names them.
#[derive(Debug)]
pub struct TestLogs {
    /// The logs, in list order.
    pub logs: Vec<TestLog>,
}

impl TestLogs {
    /// Two logs of two operators ("A1" of [`OPERATOR_A`], "B1" of
    /// [`OPERATOR_B`]): enough for Chrome's policy on a short-lived leaf.
    pub fn two_operators() -> TestLogs {
        TestLogs {
            logs: vec![
                TestLog::new("Pinwatch Test Log A1", OPERATOR_A),
                TestLog::new("Pinwatch Test Log B1", OPERATOR_B),
            ],
        }
    }

    /// A v3 log list naming every log as `usable` since 2020.
    pub fn list_json(&self) -> String {
        let mut operators: Vec<(&str, Vec<String>)> = Vec::new();
        for log in &self.logs {
            let entry = format!(
                r#"{{"description": "{}", "log_id": "{}", "key": "{}", "url": "https://ct.pinwatch.test/{}/", "mmd": 86400, "state": {{"usable": {{"timestamp": "2020-01-01T00:00:00Z"}}}}}}"#,
                log.description,
                STANDARD.encode(log.log_id()),
                STANDARD.encode(&log.spki),
                log.description.replace(' ', "-"),
            );
            match operators.iter_mut().find(|(name, _)| *name == log.operator) {
                Some((_, logs)) => logs.push(entry),
                None => operators.push((&log.operator, vec![entry])),
            }
        }
        let operators: Vec<String> = operators
            .iter()
            .map(|(name, logs)| {
                format!(
                    r#"{{"name": "{name}", "email": ["ct@pinwatch.test"], "logs": [{}]}}"#,
                    logs.join(", ")
                )
            })
            .collect();
        let now = OffsetDateTime::now_utc().unix_timestamp();
        format!(
            r#"{{"version": "1.0", "log_list_timestamp": "{}", "operators": [{}]}}"#,
            pinwatch::util::rfc3339(now),
            operators.join(", ")
        )
    }

    /// Writes [`TestLogs::list_json`] to `path` (for `--ct-logs`).
    pub fn write_list(&self, path: &Path) {
        std::fs::write(path, self.list_json()).expect("write the CT log list");
    }

    /// The log list, parsed by pinwatch.
    pub fn list(&self) -> pinwatch::ct::LogList {
        pinwatch::ct::LogList::parse(self.list_json().as_bytes(), "test logs")
            .expect("the test log list parses")
    }

    /// All the logs, for [`leaf_with_scts`].
    pub fn all(&self) -> Vec<&TestLog> {
        self.logs.iter().collect()
    }
}

/// Parameters of a leaf for `names` valid from yesterday for 90 days, as
/// [`Ca::leaf`] makes them.
pub fn leaf_params(names: &[&str]) -> CertificateParams {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let mut params = CertificateParams::new(names.clone()).expect("valid SAN names");
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(
        DnType::CommonName,
        names.first().cloned().unwrap_or_default(),
    );
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let day = Duration::from_secs(86_400);
    let now = OffsetDateTime::now_utc();
    (params.not_before, params.not_after) = (now - day, now + 90 * day);
    params
}

/// A leaf of `ca` for `names` with SCTs from `logs` embedded (none: a leaf
/// with no SCT extension at all), sent with `ca`'s chain.
pub fn leaf_with_scts(ca: &Ca, names: &[&str], logs: &[&TestLog]) -> Leaf {
    let key = KeyPair::generate().expect("generate a leaf key");
    let der = embed_scts(leaf_params(names), &key, ca, logs);
    let mut chain = vec![der];
    chain.extend(ca.above_leaf().iter().cloned());
    Leaf {
        chain,
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    }
}

/// Signs `params` for `key` with `ca`, with SCTs from `logs`: the
/// precertificate is the same certificate without the SCT extension, so it
/// is made first, each log signs its TBS with `ca`'s key hash, and the final
/// certificate appends the SCT list as its last extension.
pub fn embed_scts(
    mut params: CertificateParams,
    key: &KeyPair,
    ca: &Ca,
    logs: &[&TestLog],
) -> CertificateDer<'static> {
    // Fixed so the precertificate and the final certificate agree.
    params.serial_number = Some(rcgen::SerialNumber::from(vec![0x42, 0x17, 0x01]));
    let pre = params
        .signed_by(key, ca.issuer())
        .expect("sign the precertificate");
    if logs.is_empty() {
        return pre.der().clone();
    }
    let (_, parsed) = X509Certificate::from_der(pre.der()).expect("rcgen's DER parses");
    let tbs = parsed.tbs_certificate.as_ref();
    let issuer_key_hash: [u8; 32] = ring::digest::digest(
        &ring::digest::SHA256,
        &ca.issuer().key().subject_public_key_info(),
    )
    .as_ref()
    .try_into()
    .expect("32 bytes");
    let timestamp_ms =
        u64::try_from(OffsetDateTime::now_utc().unix_timestamp() - 60).expect("after 1970") * 1000;
    let mut body = Vec::new();
    for log in logs {
        let sct = log.sign(&issuer_key_hash, tbs, timestamp_ms);
        body.extend_from_slice(&u16::try_from(sct.len()).expect("short").to_be_bytes());
        body.extend_from_slice(&sct);
    }
    let mut list = u16::try_from(body.len())
        .expect("short")
        .to_be_bytes()
        .to_vec();
    list.extend_from_slice(&body);
    // extnValue holds an OCTET STRING holding the TLS-encoded list.
    let mut value = vec![0x04];
    match list.len() {
        n if n < 0x80 => value.push(n as u8),
        n if n < 0x100 => value.extend_from_slice(&[0x81, n as u8]),
        n => value.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]),
    }
    value.extend_from_slice(&list);
    params
        .custom_extensions
        .push(CustomExtension::from_oid_content(SCT_LIST_OID, value));
    params
        .signed_by(key, ca.issuer())
        .expect("sign the final certificate")
        .der()
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use pinwatch::ct::{CtStatus, SctStatus, check};

    fn issuer_spki(ca: &Ca) -> Vec<u8> {
        ca.issuer().key().subject_public_key_info()
    }

    #[test]
    fn scts_from_test_logs_verify_with_pinwatch_ct() {
        let root = Ca::root("Pinwatch CT Test Root", "Pinwatch Test PKI");
        let inter = root.intermediate("Pinwatch CT Test Issuing CA", "Pinwatch Test PKI");
        let logs = TestLogs::two_operators();
        let list = logs.list();
        let now = OffsetDateTime::now_utc().unix_timestamp();

        let leaf = leaf_with_scts(&inter, &["chat.pinwatch.test"], &logs.all());
        assert_eq!(leaf.chain.len(), 2);
        let r = check(&leaf.chain[0], Some(&issuer_spki(&inter)), &list, now);
        assert_eq!(r.status, CtStatus::CtOk, "{r:#?}");
        assert_eq!((r.valid, r.distinct_operators), (2, 2));
        let names: Vec<_> = r.scts.iter().map(|s| s.operator.as_deref()).collect();
        assert_eq!(names, vec![Some(OPERATOR_A), Some(OPERATOR_B)]);
        assert!(!r.log_list.stale);

        // One log: valid, but not enough for the policy.
        let one = leaf_with_scts(&inter, &["chat.pinwatch.test"], &[&logs.logs[0]]);
        let r = check(&one.chain[0], Some(&issuer_spki(&inter)), &list, now);
        assert_eq!((r.status, r.valid), (CtStatus::CtInsufficient, 1), "{r:#?}");

        // None: no extension at all.
        let none = leaf_with_scts(&inter, &["chat.pinwatch.test"], &[]);
        let r = check(&none.chain[0], Some(&issuer_spki(&inter)), &list, now);
        assert_eq!(r.status, CtStatus::CtMissing);

        // The real SCTs checked against the wrong issuer (a forger reusing them).
        let r = check(&leaf.chain[0], Some(&issuer_spki(&root)), &list, now);
        assert_eq!(r.status, CtStatus::CtInvalid);
        assert!(
            r.scts
                .iter()
                .all(|s| s.status == SctStatus::InvalidSignature)
        );

        // Against the shipped list the test logs are unknown.
        let shipped = pinwatch::ct::LogList::embedded().expect("the shipped list parses");
        let r = check(&leaf.chain[0], Some(&issuer_spki(&inter)), shipped, now);
        assert_eq!(r.status, CtStatus::CtInsufficient);
        assert!(r.scts.iter().all(|s| s.status == SctStatus::UnknownLog));

        // The list written for --ct-logs is the same list.
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("ct-logs.json");
        logs.write_list(&path);
        let loaded =
            pinwatch::knowledge::load_log_list(Some(&path)).expect("load the written list");
        assert_eq!(loaded.logs().len(), 2);
    }
}
