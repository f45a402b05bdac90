//! Tests that tie the built-in knowledge to its sources: every pin is a key
//! of webpki-roots or a certificate kept in `pins/certs/`, and every key
//! Chromium blocklists is attributed to an interceptor.

use std::path::{Path, PathBuf};

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, SubjectPublicKeyInfoDer};

use super::{AuthorityKind, Knowledge, MatchRule, load_embedded};
use crate::analysis::{CertFacts, TrustStore, attribute};
use crate::util::sha256_base64;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn built_in() -> Knowledge {
    load_embedded().expect("built-in pins load")
}

fn pem_cert(path: &Path) -> CertificateDer<'static> {
    CertificateDer::from_pem_file(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_root_authority_is_in_webpki_roots_and_every_other_key_has_its_certificate() {
    let k = built_in();
    let public = TrustStore::public();
    let mut missing = Vec::new();
    for a in &k.authorities {
        if a.kind == AuthorityKind::Root {
            if !public.contains_spki(&a.spki_sha256) {
                missing.push(format!("{}: root not in webpki-roots", a.id));
            }
            continue;
        }
        let path = repo(&format!("pins/certs/{}.pem", a.id));
        if !path.exists() {
            missing.push(format!("{}: no pins/certs/{}.pem", a.id, a.id));
            continue;
        }
        let facts = CertFacts::from_der(&pem_cert(&path));
        if facts.spki_sha256 != a.spki_sha256 {
            missing.push(format!(
                "{}: pins/certs has key {}, authorities.toml says {}",
                a.id, facts.spki_sha256, a.spki_sha256
            ));
        }
        if a.kind == AuthorityKind::LegacyRoot && public.contains_spki(&a.spki_sha256) {
            missing.push(format!(
                "{}: legacy_root is in webpki-roots; mark it root",
                a.id
            ));
        }
    }
    assert!(
        missing.is_empty(),
        "untraceable authorities:\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_pin_is_a_known_authority_key() {
    let k = built_in();
    for s in &k.services {
        for p in &s.pins {
            let known = k.authorities.iter().any(|a| a.spki_sha256 == p.spki_sha256);
            assert!(
                known,
                "{}: pin {} ({}) is not a key in authorities.toml",
                s.name, p.spki_sha256, p.label
            );
        }
    }
}

#[test]
fn every_blocklisted_key_is_attributed() {
    let k = built_in();
    let dir = repo("tests/data/chromium-blocklist");
    let mut checked = 0;
    let mut unattributed = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("blocklist fixtures") {
        let path = entry.expect("dir entry").path();
        let spki = match path.extension().and_then(|e| e.to_str()) {
            Some("pem") => CertFacts::from_der(&pem_cert(&path)).spki_sha256,
            Some("key") => {
                let key = SubjectPublicKeyInfoDer::from_pem_file(&path)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                sha256_base64(key.as_ref())
            }
            _ => continue,
        };
        checked += 1;
        let matched = k.interceptors.iter().any(|i| {
            i.rules
                .iter()
                .any(|r| matches!(r, MatchRule::Spki { spki_sha256, .. } if *spki_sha256 == spki))
        });
        if !matched {
            unattributed.push(format!("{} ({spki})", path.display()));
        }
    }
    assert_eq!(checked, 108, "expected Chromium's 108 blocklist files");
    assert!(
        unattributed.is_empty(),
        "not attributed:\n{}",
        unattributed.join("\n")
    );
}

#[test]
fn chromes_badssl_mitm_software_test_ca_is_named() {
    let k = built_in();
    let ca = CertFacts::from_der(&pem_cert(&repo("tests/data/ca-mitm-software.crt")));
    // A leaf that CA issued has it as issuer: attribute by issuer name.
    let mut leaf = ca.clone();
    leaf.spki_sha256 = String::new();
    leaf.issuer_cn = Some("BadSSL MITM Software Test".into());
    leaf.issuer_o = Some("BadSSL".into());
    let by_name = attribute(&k, &[leaf], &[]).expect("attributed by issuer");
    assert!(by_name.name.contains("BadSSL"), "{}", by_name.name);
    let by_key = attribute(&k, &[ca], &[]).expect("attributed by key");
    assert!(by_key.name.contains("BadSSL"), "{}", by_key.name);
}

#[test]
fn no_interceptor_key_is_a_public_root() {
    // A public root in the interceptor list would turn genuine chains into alarms.
    let k = built_in();
    let public = TrustStore::public();
    for i in &k.interceptors {
        for r in &i.rules {
            if let MatchRule::Spki { spki_sha256, label } = r {
                assert!(
                    !public.contains_spki(spki_sha256),
                    "{}: {label} is a webpki-roots anchor",
                    i.name
                );
            }
        }
    }
}

#[test]
fn signals_own_cas_are_usable_anchors() {
    let k = built_in();
    let signal = k.service("signal").expect("signal service");
    let anchors = signal.pinned_anchors(&k);
    assert_eq!(anchors.len(), 2, "Signal's RSA 2022 and Ed25519 2026 roots");
    let certs: Vec<CertificateDer<'_>> = anchors
        .into_iter()
        .filter_map(|a| a.certificate.as_deref())
        .map(CertificateDer::from)
        .collect();
    let (store, problems) = TrustStore::from_certs("signal", &certs);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(store.len(), 2);
}
