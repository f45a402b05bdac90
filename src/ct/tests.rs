//! `ct::check` on real certificates with real SCTs (tests/data/ct, origins in
//! its README), verified against the shipped log list; tampered and
//! stripped copies; and a deterministic mutation run.

use super::*;
use x509_parser::prelude::{FromDer, X509Certificate};

fn data(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn fixture(name: &str) -> Vec<u8> {
    data(&format!("tests/data/ct/{name}"))
}

fn pem_der(path: &str) -> Vec<u8> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    CertificateDer::from_pem_slice(&data(path))
        .unwrap()
        .to_vec()
}

fn spki(cert_der: &[u8]) -> Vec<u8> {
    let (_, cert) = X509Certificate::from_der(cert_der).unwrap();
    cert.public_key().raw.to_vec()
}

fn shipped() -> &'static LogList {
    LogList::embedded().unwrap()
}

/// 2026-11-29T00:00:00Z.
const NOW: i64 = 1_795_910_400;

fn run(leaf: &[u8], issuer: &[u8]) -> CtReport {
    check(leaf, Some(&spki(issuer)), shipped(), NOW)
}

fn statuses(r: &CtReport) -> Vec<(Option<&str>, SctStatus)> {
    r.scts
        .iter()
        .map(|s| (s.log_name.as_deref(), s.status.clone()))
        .collect()
}

#[test]
fn the_shipped_list_is_google_v3_of_2025_05_05() {
    let list = shipped();
    assert_eq!(list.version, "53.34");
    assert_eq!(
        crate::util::rfc3339(list.list_timestamp),
        "2025-05-05T12:54:12Z"
    );
    assert_eq!(list.review_by.to_string(), "2025-07-14");
    assert_eq!(list.logs().len(), 181);
    assert_eq!(list.logs().iter().filter(|l| l.tiled).count(), 6);
    let argon = list
        .logs()
        .iter()
        .find(|l| l.description == "Google 'Argon2026h2' log")
        .unwrap();
    assert_eq!(argon.operator, "Google");
    assert!(matches!(argon.key, verify::LogKey::EcdsaP256(_)));
    assert!(matches!(argon.state, Some(LogState::Usable(_))));
    // The three RSA logs are all long rejected; every other key is P-256.
    let rsa = list
        .logs()
        .iter()
        .filter(|l| matches!(l.key, verify::LogKey::Rsa(_)))
        .count();
    assert_eq!(rsa, 3);
    assert!(
        list.logs()
            .iter()
            .all(|l| !matches!(l.key, verify::LogKey::Unsupported(_)))
    );
    let july = |day| time::Date::from_calendar_date(2025, time::Month::July, day).unwrap();
    assert!(!list.is_stale(july(14)));
    assert!(list.is_stale(july(15)));
}

#[test]
fn aws_amazon_com_meets_both_policies_with_three_logs_of_two_operators() {
    let r = run(
        &fixture("aws-amazon-com.der"),
        &fixture("aws-amazon-com.issuer.der"),
    );
    assert_eq!(r.status, CtStatus::CtOk, "{r:#?}");
    assert_eq!(
        statuses(&r),
        vec![
            (Some("Google 'Xenon2026h2' log"), SctStatus::Valid),
            (Some("DigiCert 'Wyvern2026h2'"), SctStatus::Valid),
            (Some("DigiCert 'Sphinx2026h2'"), SctStatus::Valid),
        ]
    );
    assert_eq!((r.valid, r.distinct_operators), (3, 2));
    assert_eq!(
        (r.policy.name, r.policy.required, r.policy.met),
        ("chrome", 3, true)
    );
    assert_eq!((r.apple_policy.required, r.apple_policy.met), (3, true));
    assert_eq!(r.scts[0].operator.as_deref(), Some("Google"));
    assert_eq!(r.scts[0].timestamp.len(), "2025-11-06T00:00:00.000Z".len());
    assert!(r.log_list.stale);
    assert_eq!(r.detail, "");
}

#[test]
fn a_retired_log_counts_for_scts_issued_before_its_retirement() {
    let r = run(
        &fixture("agilebits-com.der"),
        &fixture("agilebits-com.issuer.der"),
    );
    assert_eq!(r.status, CtStatus::CtOk, "{r:#?}");
    assert_eq!(
        statuses(&r),
        vec![
            (Some("Google 'Argon2025h2' log"), SctStatus::Valid),
            (Some("DigiCert Nessie2025 Log"), SctStatus::Valid),
            (Some("Cloudflare 'Nimbus2025'"), SctStatus::Valid),
        ]
    );
    assert_eq!(
        r.scts[1].detail,
        "issued before the log retired on 2025-04-15"
    );
    assert_eq!(r.distinct_operators, 3);
}

#[test]
fn a_short_lived_certificate_needs_two_logs_of_two_operators() {
    let e8 = fixture("lets-encrypt-e8.der");
    let r = run(&fixture("letsencrypt-org-2025-11.der"), &e8);
    assert_eq!(r.status, CtStatus::CtOk, "{r:#?}");
    assert_eq!((r.valid, r.policy.required), (2, 2));
}

#[test]
fn a_log_newer_than_the_list_is_unknown_and_not_held_against_the_certificate() {
    let r = run(
        &fixture("letsencrypt-org-2026-03.der"),
        &fixture("lets-encrypt-e8.der"),
    );
    assert_eq!(r.status, CtStatus::CtInsufficient, "{r:#?}");
    assert_eq!(
        r.scts[0].log_name.as_deref(),
        Some("Cloudflare 'Nimbus2026'")
    );
    assert_eq!(r.scts[0].status, SctStatus::Valid);
    assert_eq!(r.scts[1].status, SctStatus::UnknownLog);
    assert_eq!(r.scts[1].log_name, None);
    assert_eq!(
        r.scts[1].log_id,
        "cX6V88I4im2x44RJPTHhWqliCHYtQgDgBQzQZ7WmYeI="
    );
    assert_eq!(
        r.scts[1].detail,
        "the log is not in built-in pins/ct/log_list.json"
    );
    assert_eq!(r.valid, 1);
    assert_eq!(
        r.detail,
        "1 of 2 SCTs from distinct accepted logs; 1 of 2 distinct log operators"
    );
    // The same from Chromium's blocklist: google.ug, May 2026, by Let's Encrypt R13.
    let ug = pem_der(
        "tests/data/chromium-blocklist/289ed1676f42b679f2b665bb5a3f25610d9d19ac017beafa46787f1d6022986a.pem",
    );
    let r13 = pem_der("pins/certs/lets-encrypt-r13.pem");
    let r = run(&ug, &r13);
    assert_eq!(r.status, CtStatus::CtInsufficient, "{r:#?}");
    assert_eq!(
        statuses(&r),
        vec![
            (None, SctStatus::UnknownLog),
            (Some("Cloudflare 'Nimbus2026'"), SctStatus::Valid),
        ]
    );
}

#[test]
fn scts_from_rejected_logs_verify_but_do_not_count() {
    let r = run(
        &fixture("revoked-badssl-com.der"),
        &fixture("revoked-badssl-com.issuer.der"),
    );
    assert_eq!(r.status, CtStatus::CtInsufficient, "{r:#?}");
    let rejected = SctStatus::LogNotUsableAtTime {
        log_state: "rejected".into(),
    };
    assert_eq!(
        statuses(&r),
        vec![
            (Some("Google 'Argon2022' log"), rejected.clone()),
            (Some("DigiCert Nessie2022 Log"), rejected.clone()),
            (Some("Cloudflare 'Nimbus2022' Log"), rejected),
        ]
    );
    assert_eq!(
        r.scts[0].detail,
        "the log has been rejected since 2023-02-01"
    );
    assert_eq!(r.valid, 0);
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["scts"][0]["status"], "log_not_usable_at_time");
    assert_eq!(json["scts"][0]["log_state"], "rejected");
    assert_eq!(json["status"], "ct_insufficient");
}

/// The certificate with its SCT list replaced by `f(list)` (same length).
fn with_scts(cert: &[u8], f: impl Fn(&mut Vec<sct::Sct>)) -> Vec<u8> {
    let split = precert::split(cert).unwrap();
    let value = &split.sct_extensions[0];
    let mut scts: Vec<sct::Sct> = sct::parse_extension_value(value)
        .unwrap()
        .into_iter()
        .map(Result::unwrap)
        .collect();
    f(&mut scts);
    let list = sct::encode_list(&scts).unwrap();
    let new_value = [&value[..value.len() - list.len()], &list[..]].concat();
    assert_eq!(new_value.len(), value.len());
    let at = cert
        .windows(value.len())
        .position(|w| w == &value[..])
        .unwrap();
    [&cert[..at], &new_value[..], &cert[at + value.len()..]].concat()
}

#[test]
fn one_flipped_bit_in_an_sct_signature_is_invalid_and_never_counted() {
    let leaf = fixture("letsencrypt-org-2025-11.der");
    let tampered = with_scts(&leaf, |scts| {
        let last = scts[1].signature.len() - 3;
        scts[1].signature[last] ^= 0x01;
    });
    let r = run(&tampered, &fixture("lets-encrypt-e8.der"));
    assert_eq!(r.status, CtStatus::CtInvalid, "{r:#?}");
    assert_eq!(r.scts[0].status, SctStatus::Valid);
    assert_eq!(r.scts[1].status, SctStatus::InvalidSignature);
    assert_eq!(r.valid, 1);
    assert!(
        r.detail.starts_with("an SCT is not genuine; "),
        "{}",
        r.detail
    );
    // A bit of the timestamp, which the log signed too.
    let tampered = with_scts(&leaf, |scts| scts[0].timestamp_ms ^= 1 << 20);
    let r = run(&tampered, &fixture("lets-encrypt-e8.der"));
    assert_eq!(r.scts[0].status, SctStatus::InvalidSignature);
    assert_eq!(r.status, CtStatus::CtInvalid);
}

#[test]
fn scts_copied_onto_another_certificate_fail() {
    // A changed TBS (one bit of the subject) or the wrong issuer: every
    // signature fails, as for an interceptor that copies the real SCTs.
    let leaf = fixture("aws-amazon-com.der");
    let (_, cert) = X509Certificate::from_der(&leaf).unwrap();
    let subject = cert.subject().as_raw();
    let at = leaf
        .windows(subject.len())
        .position(|w| w == subject)
        .unwrap();
    let mut forged = leaf.clone();
    forged[at + subject.len() - 1] ^= 0x01;
    let r = run(&forged, &fixture("aws-amazon-com.issuer.der"));
    assert_eq!(r.status, CtStatus::CtInvalid, "{r:#?}");
    assert!(
        r.scts
            .iter()
            .all(|s| s.status == SctStatus::InvalidSignature)
    );
    let r = run(&leaf, &fixture("agilebits-com.issuer.der"));
    assert_eq!(r.status, CtStatus::CtInvalid);
    assert_eq!(r.valid, 0);
}

#[test]
fn the_same_certificate_re_signed_without_scts_is_ct_missing() {
    use ring::rand::SystemRandom;
    use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair};
    let leaf = fixture("aws-amazon-com.der");
    let tbs = precert::split(&leaf).unwrap().tbs_without_scts;
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
    let key =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng).unwrap();
    let sig = key.sign(&rng, &tbs).unwrap();
    // Certificate ::= SEQUENCE { tbs, ecdsa-with-SHA256, BIT STRING }
    let alg = [
        0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02,
    ];
    let mut bits = vec![0x03, (sig.as_ref().len() + 1) as u8, 0];
    bits.extend_from_slice(sig.as_ref());
    let body = [&tbs[..], &alg, &bits].concat();
    let mut cert = vec![0x30, 0x82, (body.len() >> 8) as u8, body.len() as u8];
    cert.extend_from_slice(&body);
    assert!(X509Certificate::from_der(&cert).is_ok());
    let r = run(&cert, &fixture("aws-amazon-com.issuer.der"));
    assert_eq!(r.status, CtStatus::CtMissing, "{r:#?}");
    assert!(r.scts.is_empty());
    assert_eq!(r.detail, "the certificate carries no SCTs");
    // Missing is missing, issuer known or not.
    assert_eq!(
        check(&cert, None, shipped(), NOW).status,
        CtStatus::CtMissing
    );
    assert_eq!(r.policy.required, 3);
    assert!(!r.policy.met);
}

#[test]
fn the_issuer_key_hash_from_a_validated_path_does_the_same() {
    use crate::analysis::TrustStore;
    use crate::analysis::anchors::PathStatus;
    use rustls_pki_types::{CertificateDer, UnixTime};
    // A validated path's second SPKI hash is the issuer key hash.
    let leaf = fixture("letsencrypt-org-2025-11.der");
    let e8 = fixture("lets-encrypt-e8.der");
    let chain = [
        CertificateDer::from(leaf.clone()),
        CertificateDer::from(e8.clone()),
    ];
    let when = UnixTime::since_unix_epoch(std::time::Duration::from_secs(1_765_000_000));
    let status = TrustStore::public().validate(&chain, when);
    let PathStatus::Valid(path) = &status else {
        panic!("{status:?}");
    };
    let hash: [u8; 32] = STANDARD.decode(&path[1]).unwrap().try_into().unwrap();
    let by_hash = check_with_issuer_key_hash(&leaf, Some(hash), shipped(), NOW);
    assert_eq!(by_hash, run(&leaf, &e8));
    assert_eq!(by_hash.status, CtStatus::CtOk);
}

#[test]
fn without_an_issuer_the_scts_are_listed_unverified() {
    let r = check(&fixture("aws-amazon-com.der"), None, shipped(), NOW);
    assert_eq!(r.status, CtStatus::NotApplicable);
    assert_eq!(r.scts.len(), 3);
    assert!(r.scts.iter().all(|s| s.status == SctStatus::Unverified));
    assert_eq!(
        r.scts[0].log_name.as_deref(),
        Some("Google 'Xenon2026h2' log")
    );
}

#[test]
fn junk_is_not_applicable() {
    for junk in [&b""[..], b"\x30\x03\x02\x01\x01", b"not a certificate"] {
        let r = check(junk, None, shipped(), NOW);
        assert_eq!(r.status, CtStatus::NotApplicable);
        assert!(
            r.detail.starts_with("the certificate does not parse"),
            "{}",
            r.detail
        );
    }
}

#[test]
fn reports_serialize_with_stable_codes() {
    let r = run(
        &fixture("aws-amazon-com.der"),
        &fixture("aws-amazon-com.issuer.der"),
    );
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["status"], "ct_ok");
    assert_eq!(json["valid"], 3);
    assert_eq!(json["distinct_operators"], 2);
    assert_eq!(json["policy"]["name"], "chrome");
    assert_eq!(json["policy"]["required"], 3);
    assert_eq!(json["policy"]["met"], true);
    assert_eq!(json["apple_policy"]["name"], "apple");
    assert_eq!(json["scts"][0]["status"], "valid");
    assert_eq!(json["scts"][0]["operator"], "Google");
    assert_eq!(json["scts"][0]["log_id"].as_str().unwrap().len(), 44);
    assert_eq!(json["log_list"]["version"], "53.34");
    assert_eq!(json["log_list"]["stale"], true);
    assert_eq!(json["log_list"]["review_by"], "2025-07-14");
    assert_eq!(CtStatus::CtInsufficient.code(), "ct_insufficient");
}

#[test]
fn mutated_certificates_and_scts_never_panic_and_no_forged_sct_passes() {
    // Flip, truncate and splice real leaves (and their SCT lists on their
    // own) deterministically (xorshift); whatever comes out, nothing panics,
    // and an SCT counted valid is one of the originals over the original TBS.
    let cases = [
        (
            fixture("aws-amazon-com.der"),
            spki(&fixture("aws-amazon-com.issuer.der")),
        ),
        (
            fixture("letsencrypt-org-2025-11.der"),
            spki(&fixture("lets-encrypt-e8.der")),
        ),
    ];
    let originals: Vec<(Vec<u8>, Vec<sct::Sct>)> = cases
        .iter()
        .map(|(leaf, _)| {
            let split = precert::split(leaf).unwrap();
            let scts = sct::parse_extension_value(&split.sct_extensions[0])
                .unwrap()
                .into_iter()
                .map(Result::unwrap)
                .collect();
            (split.tbs_without_scts, scts)
        })
        .collect();
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut outcomes = std::collections::BTreeMap::new();
    for round in 0..3000 {
        let which = round % 2;
        let (leaf, issuer) = &cases[which];
        let (tbs, scts) = &originals[which];
        let donor = &cases[1 - which].0;
        // Half the rounds aim at the SCT extension, half anywhere.
        let value = &precert::split(leaf).unwrap().sct_extensions[0];
        let start = leaf
            .windows(value.len())
            .position(|w| w == &value[..])
            .unwrap();
        let (lo, hi) = if round % 4 < 2 {
            (start, start + value.len())
        } else {
            (0, leaf.len())
        };
        let mut a = leaf.clone();
        let span = hi - lo;
        match next() % 3 {
            0 => {
                for _ in 0..1 + next() % 4 {
                    let i = lo + (next() as usize) % span;
                    a[i] ^= 1 << (next() % 8);
                }
            }
            1 => a.truncate(lo + (next() as usize) % span),
            _ => {
                let at = lo + (next() as usize) % span;
                let from = (next() as usize) % donor.len();
                let len = (next() as usize) % (donor.len() - from).min(200);
                a.splice(at..at, donor[from..from + len].iter().copied());
            }
        }
        // The parts on their own.
        let _ = sct::parse_extension_value(&a[lo.min(a.len())..hi.min(a.len())]);
        let _ = sct::parse_list(&a[lo.min(a.len())..hi.min(a.len())]);
        let _ = precert::split(&a);
        let r = check(&a, Some(issuer), shipped(), NOW);
        *outcomes.entry(r.status.code()).or_insert(0) += 1;
        let _ = serde_json::to_string(&r).unwrap();
        for s in r.scts.iter().filter(|s| s.status == SctStatus::Valid) {
            let split = precert::split(&a).unwrap();
            assert_eq!(
                &split.tbs_without_scts, tbs,
                "round {round}: a changed TBS verified"
            );
            assert!(
                scts.iter().any(|o| STANDARD.encode(o.log_id) == s.log_id
                    && rfc3339_ms(o.timestamp_ms) == s.timestamp),
                "round {round}: a changed SCT verified"
            );
        }
    }
    // The run exercised every outcome a mutation can produce.
    for code in ["ct_ok", "ct_invalid", "not_applicable"] {
        assert!(outcomes.contains_key(code), "{outcomes:?}");
    }
}

/// Google's CT test data (google/certificate-transparency test/testdata):
/// certificates with an SCT from its test log, as CAs issue them directly,
/// through an intermediate, and through a precertificate-signing CA.
mod google_ct_testdata {
    use super::*;

    fn pem(name: &str) -> Vec<u8> {
        pem_der(&format!("tests/data/ct/google-ct-{name}.pem"))
    }

    /// A list with Google's CT test log, usable, operated by "Google CT test".
    fn list() -> LogList {
        use rustls_pki_types::SubjectPublicKeyInfoDer;
        use rustls_pki_types::pem::PemObject;
        let key =
            SubjectPublicKeyInfoDer::from_pem_slice(&fixture("google-ct-ct-server-key-public.pem"))
                .unwrap();
        let id = STANDARD.encode(precert::issuer_key_hash(key.as_ref()));
        let json = format!(
            r#"{{"version": "t", "log_list_timestamp": "2014-01-01T00:00:00Z", "operators": [
              {{"name": "Google CT test", "logs": [{{"description": "test log", "log_id": "{id}",
                "key": "{}", "state": {{"usable": {{"timestamp": "2012-01-01T00:00:00Z"}}}}}}]}}]}}"#,
            STANDARD.encode(key.as_ref())
        );
        LogList::parse(json.as_bytes(), "google-ct-test-log").unwrap()
    }

    fn one(leaf: &str, issuer: &str) -> SctResult {
        let r = check(&pem(leaf), Some(&spki(&pem(issuer))), &list(), NOW);
        assert_eq!(r.scts.len(), 1, "{r:#?}");
        // One log of one operator is never enough for the policy.
        assert_ne!(r.status, CtStatus::CtOk);
        r.scts[0].clone()
    }

    #[test]
    fn embedded_scts_verify_however_the_precertificate_was_signed() {
        for (leaf, issuer) in [
            ("test-embedded-cert", "ca-cert"),
            ("test-embedded-with-preca-cert", "ca-cert"),
            ("test-embedded-with-intermediate-cert", "intermediate-cert"),
            (
                "test-embedded-with-intermediate-preca-cert",
                "intermediate-cert",
            ),
        ] {
            let s = one(leaf, issuer);
            assert_eq!(s.status, SctStatus::Valid, "{leaf}: {s:#?}");
            assert_eq!(s.log_name.as_deref(), Some("test log"));
            assert_eq!(s.operator.as_deref(), Some("Google CT test"));
        }
        // The wrong issuer (the root instead of the intermediate) fails.
        let s = one("test-embedded-with-intermediate-cert", "ca-cert");
        assert_eq!(s.status, SctStatus::InvalidSignature);
    }

    #[test]
    fn the_invalid_embedded_sct_fails() {
        let s = one("test-invalid-embedded-cert", "ca-cert");
        assert_eq!(s.status, SctStatus::InvalidSignature, "{s:#?}");
        let r = check(
            &pem("test-invalid-embedded-cert"),
            Some(&spki(&pem("ca-cert"))),
            &list(),
            NOW,
        );
        assert_eq!(r.status, CtStatus::CtInvalid);
    }

    #[test]
    fn a_test_log_is_unknown_to_the_shipped_list() {
        let r = check(
            &pem("test-embedded-cert"),
            Some(&spki(&pem("ca-cert"))),
            shipped(),
            NOW,
        );
        assert_eq!(r.status, CtStatus::CtInsufficient);
        assert_eq!(r.scts[0].status, SctStatus::UnknownLog);
    }
}
