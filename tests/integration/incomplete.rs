//! A server that omits its intermediate, and a forger that sends its leaf
//! alone. The first is completed as browsers complete it (the leaf's AIA
//! caIssuers URL, fetched over plain HTTP) and is `ok`, or `suspicious`
//! (`chain_incomplete`) when it cannot be; the second stays `intercepted`
//! whenever something shows it forged.

use serde_json::Value;

use crate::support::ct::TestLogs;
use crate::support::pins::{PinsSpec, Rule};
use crate::support::pki::Ca;
use crate::support::server::{Server, closed_port};
use crate::support::shapes::leaf_alone;
use crate::support::{World, has_reason};

fn evidence<'r>(r: &'r Value, code: &str) -> Option<&'r Value> {
    r["evidence"]
        .as_array()
        .and_then(|e| e.iter().find(|x| x["code"] == code))
}

#[test]
fn an_omitted_intermediate_is_fetched_from_its_aia_url() {
    let world = World::new();
    let logs = TestLogs::two_operators();
    let list = world.path("ct-logs.json");
    logs.write_list(&list);
    let ca_server = Server::http_body(world.intermediate.der().to_vec());
    let url = format!("{}/issuing.der", ca_server.url());
    let server = Server::tls(&leaf_alone(&world.intermediate, Some(&url), &logs.all()));
    let report = world
        .check()
        .arg("--ct-logs")
        .arg(list.display())
        .via(&server)
        .json();
    let r = report.expect("ok", &["public_root", "pin_match"], 0);
    assert_eq!(r["ct"]["status"], "ct_ok", "{report:?}");
    assert_eq!(
        evidence(r, "issuer_fetched").map(|e| &e["url"]),
        Some(&Value::from(url)),
        "{report:?}"
    );
    assert_eq!(ca_server.seen(), ["GET /issuing.der HTTP/1.1"]);
}

#[test]
fn an_omitted_intermediate_that_cannot_be_fetched_is_incomplete_not_intercepted() {
    let world = World::new();
    let url = format!("http://127.0.0.1:{}/issuing.der", closed_port());
    let server = Server::tls(&leaf_alone(&world.intermediate, Some(&url), &[]));
    let report = world.check().via(&server).json();
    let r = report.expect("suspicious", &["name_match", "chain_incomplete"], 1);
    assert!(!has_reason(r, "untrusted_root"), "{report:?}");
    let missing = evidence(r, "chain_incomplete").expect("chain_incomplete evidence");
    assert_eq!(missing["url"], Value::from(url), "{report:?}");
    assert_eq!(
        missing["issuer"], "CN=Pinwatch Test Issuing CA, O=Pinwatch Test PKI",
        "{report:?}"
    );
    assert!(
        missing["fetch"]
            .as_str()
            .is_some_and(|f| f.contains("refused")),
        "{report:?}"
    );
    // And without any AIA URL, the same.
    let server = Server::tls(&leaf_alone(&world.intermediate, None, &[]));
    let report = world.check().via(&server).json();
    let r = report.expect("suspicious", &["chain_incomplete"], 1);
    assert_eq!(
        evidence(r, "chain_incomplete").map(|e| &e["url"]),
        Some(&Value::Null)
    );
}

/// A forger's leaf alone, naming `url` for its issuer: a CA server there
/// must never be asked when the chain is known forged.
fn forged_alone(world: &World, forger: &Ca, extra: &[&str]) -> (crate::support::Report, Server) {
    let ca_server = Server::http_body(forger.der().to_vec());
    let url = format!("{}/ca.der", ca_server.url());
    let server = Server::tls(&leaf_alone(forger, Some(&url), &[]));
    let mut run = world.check();
    for arg in extra {
        run = run.arg(arg);
    }
    (run.via(&server).json(), ca_server)
}

#[test]
fn a_leaf_alone_signed_by_a_root_of_this_machine_is_intercepted() {
    let world = World::new();
    world.set_system_store(&[&world.evil]);
    let (report, ca_server) = forged_alone(&world, &world.evil, &[]);
    report.expect(
        "intercepted",
        &["untrusted_root", "system_root_installed"],
        2,
    );
    assert_eq!(ca_server.connections(), 0);
}

#[test]
fn a_leaf_alone_from_a_known_interceptor_name_is_intercepted() {
    let world = World::new();
    world.write_pins(&PinsSpec {
        rules: vec![Rule::IssuerO("^Evil Corp$".into())],
        ..world.pins()
    });
    let (report, ca_server) = forged_alone(&world, &world.evil, &[]);
    report.expect("intercepted", &["untrusted_root", "interceptor_issuer"], 2);
    assert_eq!(ca_server.connections(), 0);
}

#[test]
fn a_leaf_alone_claiming_a_public_root_as_its_issuer_is_intercepted() {
    let world = World::new();
    let copycat = Ca::root("Pinwatch Test Root", "Pinwatch Test PKI");
    let (report, ca_server) = forged_alone(&world, &copycat, &[]);
    report.expect(
        "intercepted",
        &["untrusted_root", "impersonates_public_ca"],
        2,
    );
    assert_eq!(ca_server.connections(), 0);
}

#[test]
fn a_leaf_alone_without_scts_where_ct_applies_is_intercepted() {
    let world = World::new();
    let logs = TestLogs::two_operators();
    let list = world.path("ct-logs.json");
    logs.write_list(&list);
    let list = list.display().to_string();
    let (report, ca_server) = forged_alone(&world, &world.evil, &["--ct-logs", &list]);
    report.expect("intercepted", &["untrusted_root", "ct_missing"], 2);
    assert_eq!(ca_server.connections(), 0);
}

#[test]
fn a_leaf_alone_whose_aia_url_serves_the_forgers_root_is_intercepted() {
    // Nothing else gives it away; the fetched issuer is a self-signed
    // root nobody knows: a complete forged chain, not an incomplete one.
    let world = World::new();
    let (report, ca_server) = forged_alone(&world, &world.evil, &[]);
    let r = report.expect("intercepted", &["untrusted_root", "unknown_root"], 2);
    assert!(!has_reason(r, "chain_incomplete"), "{report:?}");
    assert_eq!(ca_server.seen(), ["GET /ca.der HTTP/1.1"]);
}

#[test]
fn a_leaf_alone_naming_a_public_intermediate_that_did_not_sign_it_is_intercepted() {
    // The forger copies the name of the genuine intermediate; its AIA URL
    // serves the genuine intermediate itself, whose key did not sign it.
    let world = World::new();
    let copycat = Ca::root("Pinwatch Test Issuing CA", "Pinwatch Test PKI");
    let ca_server = Server::http_body(world.intermediate.der().to_vec());
    let url = format!("{}/issuing.der", ca_server.url());
    let server = Server::tls(&leaf_alone(&copycat, Some(&url), &[]));
    let report = world.check().via(&server).json();
    let r = report.expect(
        "intercepted",
        &["untrusted_root", "impersonates_public_ca"],
        2,
    );
    assert!(!has_reason(r, "chain_incomplete"), "{report:?}");
    assert_eq!(ca_server.connections(), 1);
    // Sent along with the real intermediate, the same.
    let mut leaf = leaf_alone(&copycat, None, &[]);
    leaf.chain.push(world.intermediate.der().clone());
    let server = Server::tls(&leaf);
    let report = world.check().via(&server).json();
    report.expect(
        "intercepted",
        &["untrusted_root", "impersonates_public_ca"],
        2,
    );
}
