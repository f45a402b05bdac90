//! An interceptor that has read pinwatch's source shapes its chain to be
//! refused, skipped or given up on: padded past the 64 KiB TLS libraries
//! accept, one certificate of 100 KB, 500 certificates. Each is still
//! judged from what can be read (`intercepted` when forged, at most
//! `suspicious` when genuine), never `unreachable`.

use serde_json::Value;

use crate::support::pki::Validity;
use crate::support::server::Server;
use crate::support::shapes::{huge_leaf, padding, size};
use crate::support::{HOST, Report, World, has_reason};

fn evidence<'r>(r: &'r Value, code: &str) -> Option<&'r Value> {
    r["evidence"]
        .as_array()
        .and_then(|e| e.iter().find(|x| x["code"] == code))
}

/// Asserts a forged chain read by the fallback: `intercepted`, exit 2,
/// `chain_oversized` with the message's size and count.
fn expect_forged_and_oversized(report: &Report, count: usize) {
    let r = report.expect(
        "intercepted",
        &["untrusted_root", "unknown_root", "chain_oversized"],
        2,
    );
    let oversized = evidence(r, "chain_oversized").expect("chain_oversized evidence");
    assert!(
        oversized["bytes"].as_u64().is_some_and(|b| b > 65_535),
        "{report:?}"
    );
    assert_eq!(oversized["certificates"], count, "{report:?}");
    assert_eq!(
        evidence(r, "fallback_read").map(|e| &e["version"]),
        Some(&Value::from("TLSv1.2")),
        "{report:?}"
    );
    let detail = r["error"]["detail"].as_str().unwrap_or_default();
    assert!(
        detail.starts_with("the peer sent a handshake message of ")
            && detail.ends_with(" bytes, over the 64 KiB TLS libraries accept"),
        "{report:?}"
    );
}

#[test]
fn a_forged_chain_padded_past_64_kib_is_intercepted() {
    let world = World::new();
    let mut chain = world.evil.leaf_with_ca(&[HOST]).chain;
    chain.extend(padding(300));
    assert!(size(&chain) > 65_535);
    let server = Server::raw_tls12(chain, false);
    let report = world.check().via(&server).json();
    expect_forged_and_oversized(&report, 302);
    // rustls refused it, the fallback read it: two connections.
    assert_eq!(server.connections(), 2, "{:?} {report:?}", server.seen());
    assert_eq!(server.seen(), ["hello tls1.3", "hello tls1.2"]);

    let text = world
        .check()
        .arg("--format")
        .arg("text")
        .via(&server)
        .output();
    assert_eq!(text.code, 2, "{text:?}");
    assert!(text.stdout.contains("INTERCEPTED"), "{text:?}");
    assert!(!text.stdout.contains("does not speak TLS"), "{text:?}");
    assert!(
        text.stdout
            .contains("far larger than any genuine chain and over the 64 KiB TLS libraries accept"),
        "{text:?}"
    );
}

#[test]
fn a_forged_certificate_of_100_kb_is_intercepted() {
    let world = World::new();
    let leaf = huge_leaf(&world.evil, HOST, 100_000);
    let server = Server::raw_tls12(vec![leaf, world.evil.der().clone()], false);
    expect_forged_and_oversized(&world.check().via(&server).json(), 2);
}

#[test]
fn a_forged_chain_of_500_certificates_is_intercepted() {
    let world = World::new();
    let mut chain = world.evil.leaf_with_ca(&[HOST]).chain;
    chain.extend(padding(498));
    let server = Server::raw_tls12(chain, false);
    expect_forged_and_oversized(&world.check().via(&server).json(), 500);
}

#[test]
fn a_genuine_chain_padded_past_64_kib_is_suspicious_never_ok() {
    let world = World::new();
    let mut chain = world.leaf(&[HOST], Validity::Current).chain;
    chain.extend(padding(300));
    let server = Server::raw_tls12(chain, false);
    let report = world.check().via(&server).json();
    let r = report.expect(
        "suspicious",
        &["name_match", "chain_unproven", "chain_oversized"],
        1,
    );
    assert!(!has_reason(r, "untrusted_root"), "{report:?}");
}

#[test]
fn an_oversized_message_nothing_could_read_is_suspicious_not_unreachable() {
    // The peer refuses TLS 1.2 (as a TLS 1.3 server whose Certificate is
    // encrypted): the fallback reads nothing, the size alone is evidence.
    let world = World::new();
    let mut chain = world.evil.leaf_with_ca(&[HOST]).chain;
    chain.extend(padding(300));
    let server = Server::raw_tls12(chain, true);
    let report = world.check().via(&server).json();
    let r = report.expect("suspicious", &["chain_oversized"], 1);
    assert_eq!(
        r["error"]["detail"],
        "the peer sent a handshake message over the 64 KiB TLS libraries accept",
        "{report:?}"
    );
    assert_eq!(
        evidence(r, "fallback_failed").map(|e| &e["detail"]),
        Some(&Value::from("TLS alert received: protocol_version")),
        "{report:?}"
    );
}

#[test]
fn the_fallback_takes_the_same_proxy() {
    let world = World::new();
    let mut chain = world.evil.leaf_with_ca(&[HOST]).chain;
    chain.extend(padding(300));
    let server = Server::raw_tls12(chain, false);
    let proxy = Server::tunnel_proxy();
    let report = world
        .check()
        .arg(HOST)
        .arg("--connect-to")
        .arg(format!("{HOST}:443:127.0.0.1:{}", server.addr().port()))
        .proxy(&proxy)
        .json();
    expect_forged_and_oversized(&report, 302);
    let connects = proxy.seen();
    assert_eq!(connects.len(), 2, "{connects:?}");
    assert!(connects.iter().all(|c| c.starts_with("CONNECT 127.0.0.1:")));
}
