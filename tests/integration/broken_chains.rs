//! Broken but genuine chains against the real binary: every certificate is
//! signed by the next key up to the test's public root, but one rule of path
//! validation is broken. pinwatch must say `suspicious` with the rule's
//! reason code (exit 1), never `intercepted`. And a known interception
//! certificate that the server merely appends is evidence, not a verdict.

use rcgen::{BasicConstraints, IsCa};
use serde_json::Value;

use crate::support::chains::{CaSpec, Issuer, LeafShape};
use crate::support::pins::{PinsSpec, Rule};
use crate::support::pki::Leaf;
use crate::support::server::Server;
use crate::support::{HOST, Report, World, has_reason, write_file};

/// A world whose public store and pins are `root`.
fn world_for(root: &Issuer) -> World {
    let world = World::new();
    let spki = pinwatch::analysis::CertFacts::from_der(root.der()).spki_sha256;
    world.write_pins(&PinsSpec {
        root_spki: spki,
        ..world.pins()
    });
    write_file(&world.path("broken-root.pem"), &root.pem());
    world
}

fn check(root: &Issuer, leaf: &Leaf) -> Report {
    let world = world_for(root);
    let server = Server::tls(leaf);
    world
        .check_with_public_roots(&world.path("broken-root.pem"))
        .via(&server)
        .json()
}

/// Asserts `suspicious` with `reason`, exit 1, and evidence naming the rule.
fn expect_broken<'r>(report: &'r Report, reason: &str) -> &'r Value {
    let r = report.expect("suspicious", &["name_match", reason], 1);
    assert!(!has_reason(r, "untrusted_root"), "{report:?}");
    assert_eq!(r["interceptor"], Value::Null, "{report:?}");
    r
}

fn evidence<'r>(r: &'r Value, code: &str) -> Vec<&'r Value> {
    r["evidence"]
        .as_array()
        .map(|e| e.iter().filter(|x| x["code"] == code).collect())
        .unwrap_or_default()
}

#[test]
fn an_expired_copy_of_a_reissued_intermediate_is_suspicious() {
    let root = Issuer::root("Broken Test Root");
    let current = root.issue(CaSpec::ca("Reissued Issuing CA"));
    // The server sends last year's certificate of the same CA (same key).
    let stale_copy = current.copy_with_days(&root, (-800, -30));
    let leaf = current.leaf(HOST, LeafShape::Server, &[&stale_copy]);
    let report = check(&root, &leaf);
    let r = expect_broken(&report, "chain_expired");
    let out = evidence(r, "cert_out_of_date");
    assert_eq!(out.len(), 1, "{report:?}");
    assert_eq!(out[0]["position"], 1, "{report:?}");
    assert!(
        out[0]["subject"]
            .as_str()
            .is_some_and(|s| s.contains("Reissued Issuing CA")),
        "{report:?}"
    );
    let rule = evidence(r, "chain_rule_broken");
    assert_eq!(rule[0]["rule"], "expired", "{report:?}");
    assert_eq!(rule[0]["detail"], "CertExpired", "{report:?}");
}

#[test]
fn a_valid_leaf_under_an_expired_intermediate_is_suspicious() {
    let root = Issuer::root("Broken Test Root");
    let expired = root.issue(CaSpec {
        days: (-800, -30),
        ..CaSpec::ca("Expired Issuing CA")
    });
    let leaf = expired.leaf(HOST, LeafShape::Server, &[expired.der()]);
    expect_broken(&check(&root, &leaf), "chain_expired");
}

#[test]
fn an_intermediate_not_yet_valid_is_suspicious() {
    let root = Issuer::root("Broken Test Root");
    let future = root.issue(CaSpec {
        days: (10, 400),
        ..CaSpec::ca("Future Issuing CA")
    });
    let leaf = future.leaf(HOST, LeafShape::Server, &[future.der()]);
    expect_broken(&check(&root, &leaf), "chain_not_yet_valid");
}

#[test]
fn a_ca_certificate_as_the_leaf_is_suspicious() {
    let root = Issuer::root("Broken Test Root");
    let inter = root.issue(CaSpec::ca("Issuing CA"));
    let leaf = inter.leaf(HOST, LeafShape::Ca, &[inter.der()]);
    let report = check(&root, &leaf);
    let r = expect_broken(&report, "chain_constraint_violated");
    assert_eq!(evidence(r, "chain_rule_broken")[0]["rule"], "constraint");
}

#[test]
fn a_leaf_without_server_auth_is_suspicious() {
    let root = Issuer::root("Broken Test Root");
    let inter = root.issue(CaSpec::ca("Issuing CA"));
    let leaf = inter.leaf(HOST, LeafShape::ClientAuthOnly, &[inter.der()]);
    expect_broken(&check(&root, &leaf), "chain_usage_violated");
}

#[test]
fn an_issuer_with_ca_false_is_suspicious() {
    let root = Issuer::root("Broken Test Root");
    let not_ca = root.issue(CaSpec {
        is_ca: IsCa::ExplicitNoCa,
        ..CaSpec::ca("Not A CA")
    });
    let leaf = not_ca.leaf(HOST, LeafShape::Server, &[not_ca.der()]);
    expect_broken(&check(&root, &leaf), "chain_constraint_violated");
}

#[test]
fn a_path_length_violation_is_suspicious() {
    let root = Issuer::root("Broken Test Root");
    let first = root.issue(CaSpec {
        is_ca: IsCa::Ca(BasicConstraints::Constrained(0)),
        ..CaSpec::ca("Path Length Zero CA")
    });
    let second = first.issue(CaSpec::ca("Below Path Length CA"));
    let leaf = second.leaf(HOST, LeafShape::Server, &[second.der(), first.der()]);
    let report = check(&root, &leaf);
    let r = expect_broken(&report, "chain_constraint_violated");
    assert_eq!(
        evidence(r, "chain_rule_broken")[0]["detail"],
        "PathLenConstraintViolated",
        "{report:?}"
    );
}

#[test]
fn a_name_constraint_violation_is_suspicious() {
    let root = Issuer::root("Broken Test Root");
    let constrained = root.issue(CaSpec {
        permitted_dns: Some("example.org".into()),
        ..CaSpec::ca("Constrained CA")
    });
    let leaf = constrained.leaf(HOST, LeafShape::Server, &[constrained.der()]);
    expect_broken(&check(&root, &leaf), "chain_constraint_violated");
}

#[test]
fn a_chain_of_120_intermediates_is_suspicious() {
    let root = Issuer::root("Broken Test Root");
    let mut cas = vec![root.issue(CaSpec::ca("Intermediate 1"))];
    for n in 2..=120 {
        let next = cas[cas.len() - 1].issue(CaSpec::ca(&format!("Intermediate {n}")));
        cas.push(next);
    }
    let above: Vec<_> = cas.iter().rev().map(Issuer::der).collect();
    let leaf = cas[cas.len() - 1].leaf(HOST, LeafShape::Server, &above);
    assert_eq!(leaf.chain.len(), 121);
    expect_broken(&check(&root, &leaf), "chain_too_long");
}

#[test]
fn an_appended_blocklisted_certificate_is_evidence_not_a_verdict() {
    let pem = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/chromium-blocklist/b6fe9151402bad1c06d7e66db67a26aa7356f2e6c644dbcf9f98968ff632e1b7.pem"
    ))
    .expect("read a blocklisted certificate");
    let blocklisted = {
        use rustls_pki_types::pem::PemObject as _;
        rustls_pki_types::CertificateDer::from_pem_slice(&pem).expect("a PEM certificate")
    };
    let blocked_spki = pinwatch::analysis::CertFacts::from_der(&blocklisted).spki_sha256;
    let world = World::new();
    world.write_pins(&PinsSpec {
        rules: vec![Rule::Spki(blocked_spki.clone())],
        ..world.pins()
    });
    let mut leaf = world.leaf(&[HOST], crate::support::pki::Validity::Current);
    leaf.chain.push(blocklisted);
    let server = Server::tls(&leaf);
    let report = world.check().via(&server).json();
    let r = report.expect("ok", &["public_root", "pin_match"], 0);
    let appended = evidence(r, "appended_known_key");
    assert_eq!(appended.len(), 1, "{report:?}");
    assert_eq!(appended[0]["position"], 2, "{report:?}");
    assert!(
        appended[0]["matched"]
            .as_str()
            .is_some_and(|m| m.contains(&blocked_spki)),
        "{report:?}"
    );
    assert_eq!(r["interceptor"], Value::Null, "{report:?}");
}

#[test]
fn a_known_interception_key_that_signed_the_leaf_is_still_intercepted() {
    let world = World::new();
    world.write_pins(&PinsSpec {
        rules: vec![Rule::Spki(world.evil.spki_sha256())],
        ..world.pins()
    });
    let server = Server::forging(world.evil.clone());
    let report = world.check().via(&server).json();
    report.expect("intercepted", &["known_interceptor_key"], 2);
}
