//! Where the interception happens, and one incident per interceptor, with
//! the real binary: a routed network of namespaces whose gateway (or a
//! router further up) intercepts transparently with iptables REDIRECT, a
//! local intercepting proxy, look-alike roots, and the grouped text output
//! in English and Chinese.

use std::sync::Arc;

use serde_json::Value;

use crate::support::mitm::Mitmdump;
use crate::support::pki::Ca;
use crate::support::server::Server;
use crate::support::sslsplit::Sslsplit;
use crate::support::topology::{Topology, server_addr};
use crate::support::{HOST, Report, World, has_reason, write_file};

/// A host of no service: the incident names it by host:port.
const OTHER: &str = "other.pinwatch.test";

/// `pinwatch check HOST` from the client namespace of `topo`, to the server
/// behind `routers` routers.
fn check_from_client(world: &World, topo: &Topology, routers: usize) -> Report {
    world
        .check()
        .arg(HOST)
        .arg("--connect-to")
        .arg(format!("{HOST}:443:{}:443", server_addr(routers)))
        .arg("--timeout")
        .arg("5s")
        .in_netns(topo.client())
        .json()
}

fn location(r: &Value) -> (&Value, &Value, &Value) {
    (
        &r["location"]["where"],
        &r["location"]["hops"],
        &r["location"]["method"],
    )
}

/// Asserts that `r` (of `report`) was located at the local network's
/// router, one hop away, by a TTL trace.
fn assert_one_hop_away(report: &Report, r: &Value) {
    assert_eq!(
        location(r),
        (
            &Value::from("local_network"),
            &Value::from(1),
            &Value::from("ttl_tls")
        ),
        "{report:?}"
    );
}

#[test]
fn a_cafe_gateway_that_intercepts_is_the_local_network_one_hop_away() {
    let world = World::new();
    let Some(mut topo) = Topology::new(1, world.dir()) else {
        return;
    };
    let genuine = world.genuine_server();
    let forger = Server::forging(world.evil.clone());
    topo.serve(&genuine);
    topo.intercept_at(1, &forger);
    let report = check_from_client(&world, &topo, 1);
    let r = report.expect("intercepted", &["untrusted_root", "unknown_root"], 2);
    assert_one_hop_away(&report, r);
    let incidents = report.doc["incidents"].as_array().expect("incidents");
    assert_eq!(incidents.len(), 1, "{report:?}");
    assert_eq!(incidents[0]["location"]["where"], "local_network");
    assert_eq!(incidents[0]["trusted_here"], false);
    assert_eq!(
        genuine.connections(),
        0,
        "the gateway answers for the server"
    );
    assert!(
        forger.connections() > 1,
        "the probe and the trace: {} connections",
        forger.connections()
    );
}

#[test]
fn a_gateway_that_pads_its_forged_chain_past_64_kib_is_still_located() {
    let world = World::new();
    let Some(mut topo) = Topology::new(1, world.dir()) else {
        return;
    };
    let genuine = world.genuine_server();
    let mut chain = world.evil.leaf_with_ca(&[HOST]).chain;
    chain.extend(crate::support::shapes::padding(300));
    let forger = Server::raw_tls12(chain, false);
    topo.serve(&genuine);
    topo.intercept_at(1, &forger);
    let report = check_from_client(&world, &topo, 1);
    let r = report.expect(
        "intercepted",
        &["untrusted_root", "unknown_root", "chain_oversized"],
        2,
    );
    assert_one_hop_away(&report, r);
}

/// A café whose gateway runs a real interceptor in transparent mode behind
/// iptables REDIRECT to its port 8443 (started by `start` in the gateway's
/// namespace), with the genuine server beyond it.
struct Cafe {
    topo: Topology,
    genuine: Server,
}

impl Cafe {
    fn open<T>(world: &World, start: impl FnOnce(&str) -> Option<T>) -> Option<(Cafe, T)> {
        let mut topo = Topology::new(1, world.dir())?;
        let genuine = world.genuine_server();
        topo.serve(&genuine);
        let gateway = topo.redirect_at(1);
        let interceptor = start(&gateway)?;
        Some((Cafe { topo, genuine }, interceptor))
    }

    /// `pinwatch check HOST` from the café's client, with the built-in pins
    /// (which know the products) and a system store without the
    /// interceptor's root (the café's root is not installed).
    fn check(&self, world: &World) -> crate::support::Run {
        world
            .bare_check(&world.path("system.pem"))
            .arg(HOST)
            .arg("--connect-to")
            .arg(format!("{HOST}:443:{}:443", server_addr(1)))
            .arg("--timeout")
            .arg("5s")
            .in_netns(self.topo.client())
    }

    /// The result is intercepted at the gateway, the interceptor went to
    /// the real server for the names it copies, and the text a café
    /// customer reads names the router and gives the network's advice, not
    /// a proxy setting's. Returns the result for more checks.
    fn assert_intercepted_at_the_gateway(&self, world: &World, log: &str) -> Report {
        let report = self.check(world).json();
        let context = format!("{report:?}\ninterceptor's log:\n{log}");
        let r = report.expect("intercepted", &["untrusted_root"], 2);
        assert_eq!(
            location(r),
            (
                &Value::from("local_network"),
                &Value::from(1),
                &Value::from("ttl_tls")
            ),
            "{context}"
        );
        assert!(
            self.genuine.connections() > 0,
            "the interceptor went to the real server for its names: {context}"
        );
        let text = self
            .check(world)
            .arg("--format")
            .arg("text")
            .arg("--lang")
            .arg("en")
            .output();
        for expected in [
            "at this network's router (1 hop away)",
            "Do not log in or chat on this network",
        ] {
            assert!(text.stdout.contains(expected), "{expected}: {text:#?}");
        }
        assert!(!text.stdout.contains("proxy setting"), "{text:#?}");
        report
    }
}

#[test]
fn a_real_mitmproxy_at_the_cafe_gateway_is_named_and_located() {
    let world = World::new();
    let Some((cafe, mitm)) = Cafe::open(&world, |gateway| {
        Mitmdump::start_transparent(world.dir(), gateway, 8443)
    }) else {
        return;
    };
    let report = cafe.assert_intercepted_at_the_gateway(&world, &mitm.log_text());
    let r = report.expect("intercepted", &[], 2);
    assert_eq!(r["interceptor"]["name"], "mitmproxy", "{report:?}");
}

#[test]
fn a_real_sslsplit_at_the_cafe_gateway_is_located_though_unnamed() {
    // A CA no product list knows: intercepted by an unnamed product.
    let world = World::new();
    let Some((cafe, split)) = Cafe::open(&world, |gateway| {
        Sslsplit::start_transparent(world.dir(), gateway, 8443)
    }) else {
        return;
    };
    let report = cafe.assert_intercepted_at_the_gateway(&world, &split.log_text());
    let r = report.expect("intercepted", &[], 2);
    assert!(r["interceptor"].is_null(), "{report:?}");
    assert_eq!(
        r["chain"][0]["issuer"], "O=Cafe Gateway, CN=Cafe Gateway CA",
        "{report:?}"
    );
}

/// Asserts that a forger made by `forge`, at the last of `routers` routers
/// (the server beyond them), is found upstream, that many hops away, by a
/// TTL trace.
fn assert_upstream_at(routers: usize, forge: impl FnOnce(Arc<Ca>) -> Server) {
    let world = World::new();
    let Some(mut topo) = Topology::new(routers, world.dir()) else {
        return;
    };
    let genuine = world.genuine_server();
    let forger = forge(world.evil.clone());
    topo.serve(&genuine);
    topo.intercept_at(routers, &forger);
    let report = check_from_client(&world, &topo, routers);
    let r = report.expect("intercepted", &["untrusted_root"], 2);
    assert_eq!(
        location(r),
        (
            &Value::from("upstream"),
            &Value::from(routers),
            &Value::from("ttl_tls")
        ),
        "{report:?}"
    );
    assert!(
        forger.connections() >= 2,
        "the check and the trace each reached the forger"
    );
}

#[test]
fn an_interceptor_two_routers_beyond_the_gateway_is_upstream() {
    assert_upstream_at(3, Server::forging);
}

#[test]
fn a_forger_with_a_new_leaf_key_for_every_connection_is_still_located() {
    // Only the forger's CA is the same from one connection to the next:
    // the trace knows its answers by that key's signature.
    assert_upstream_at(2, Server::forging_with_fresh_keys);
}

#[test]
fn nothing_is_traced_when_nothing_is_intercepted() {
    let world = World::new();
    let Some(mut topo) = Topology::new(1, world.dir()) else {
        return;
    };
    let genuine = world.genuine_server();
    topo.serve(&genuine);
    let report = check_from_client(&world, &topo, 1);
    let r = report.expect("ok", &["pin_match"], 0);
    assert_eq!(r["location"], Value::Null, "{report:?}");
    assert_eq!(report.doc["incidents"], Value::Array(Vec::new()));
    assert_eq!(genuine.connections(), 1, "one probe, no trace");
}

#[test]
fn an_intercepting_proxy_on_this_machine_is_this_device() {
    let world = World::new();
    let proxy = Server::intercepting_proxy(world.evil.clone());
    let report = world.check().arg(HOST).arg(OTHER).proxy(&proxy).json();
    let r = report.result(HOST);
    assert_eq!(r["verdict"], "intercepted", "{report:?}");
    assert_eq!(
        location(r),
        (
            &Value::from("this_device"),
            &Value::from(0),
            &Value::from("proxy_on_this_device")
        ),
        "{report:?}"
    );
    assert_eq!(r["via_proxy"], proxy.url());
    let incidents = report.doc["incidents"].as_array().expect("incidents");
    assert_eq!(incidents.len(), 1, "one interceptor: {report:?}");
    assert_eq!(incidents[0]["results"], serde_json::json!([0, 1]));
    assert_eq!(incidents[0]["other_targets"][0], format!("{OTHER}:443"));
}

/// The grouped text for two hosts behind one intercepting proxy.
fn grouped_text(lang: &str) -> String {
    let world = World::new();
    let proxy = Server::intercepting_proxy(world.evil.clone());
    let out = world
        .check()
        .arg(HOST)
        .arg(OTHER)
        .proxy(&proxy)
        .arg("--format")
        .arg("text")
        .arg("--lang")
        .arg(lang)
        .output();
    assert_eq!(out.code, 2, "{out:?}");
    out.stdout.replace(&proxy.url(), "PROXY")
}

#[test]
fn one_paragraph_per_interceptor_in_english() {
    let text = grouped_text("en");
    let expected = [
        "INTERCEPTED: Test Chat and other.pinwatch.test:443 (2 connections) are intercepted by whoever controls \"Evil Corp Interception CA\" through the proxy PROXY set on this device.",
        "  This machine does not trust its root certificate: apps that check certificates show an error. Apps that ignore certificate errors, or anyone who clicks through a warning, can still be read and changed.",
        "  What each exposes:",
        "    - Test Chat: your test messages",
        "  What to do: Turn off the proxy setting (PROXY) in this device's network settings, and remove any root certificate it asked you to install. Until then, do not log in or chat.",
    ]
    .join("\n");
    assert!(text.contains(&expected), "{text}");
    assert_eq!(text.matches("INTERCEPTED:").count(), 1, "{text}");
    assert!(text.ends_with("2 checked: 2 intercepted\n"), "{text}");
}

#[test]
fn one_paragraph_per_interceptor_in_chinese() {
    let text = grouped_text("zh");
    let expected = [
        "被拦截：测试聊天和other.pinwatch.test:443（2个连接）通过本机设置的代理PROXY被控制“Evil Corp Interception CA”的人拦截。",
        "  本机不信任它的根证书：会校验证书的应用程序会报错。忽略证书错误的应用程序，或点击越过警告的人，其连接内容仍可被读取和篡改。",
        "  各服务暴露的内容：",
        "    - 测试聊天：测试消息",
    ]
    .join("\n");
    assert!(text.contains(&expected), "{text}");
    assert!(
        !text.contains(" 拦截"),
        "no stray space before a Chinese word: {text}"
    );
}

#[test]
fn an_offline_machine_gets_one_line() {
    let world = World::new();
    let out = world
        .check()
        .arg("a.pinwatch.test")
        .arg("b.pinwatch.test")
        .arg("--format")
        .arg("text")
        .arg("--timeout")
        .arg("3s")
        .output();
    assert_eq!(out.code, 3, "{out:?}");
    assert_eq!(
        out.stdout,
        "This machine appears to be offline: no name could be resolved.\n2 checked: 2 unreachable\n",
        "{out:?}"
    );
}

#[test]
fn a_root_named_like_the_public_root_is_a_look_alike() {
    let world = World::new();
    // Same name as the test's public root, another key.
    let look_alike = Arc::new(Ca::root("Pinwatch Test Root", "Pinwatch Test PKI"));
    let server = Server::forging(look_alike);
    let report = world.check().via(&server).json();
    let r = report.expect(
        "intercepted",
        &["untrusted_root", "impersonates_public_ca"],
        2,
    );
    assert!(has_reason(r, "unknown_root"), "{report:?}");
    let out = world
        .check()
        .via(&server)
        .arg("--format")
        .arg("text")
        .output();
    assert!(
        out.stdout.contains(
            "intercepted by a certificate authority that pretends to be \"Pinwatch Test Root\""
        ),
        "{out:?}"
    );
}

#[test]
fn roots_calls_a_look_alike_of_a_public_root_what_it_is() {
    let world = World::new();
    let isrg = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/roots/ISRG_Root_X1.pem"
    ))
    .expect("read ISRG Root X1");
    // ISRG Root X1's subject, attribute for attribute (PrintableString).
    let mut params = rcgen::CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    let printable =
        |s: &str| rcgen::DnValue::PrintableString(s.try_into().expect("a printable string"));
    params
        .distinguished_name
        .push(rcgen::DnType::CountryName, printable("US"));
    params.distinguished_name.push(
        rcgen::DnType::OrganizationName,
        printable("Internet Security Research Group"),
    );
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, printable("ISRG Root X1"));
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let key = rcgen::KeyPair::generate().expect("a key");
    let fake = params.self_signed(&key).expect("self-sign the look-alike");
    let bundle = world.path("store.pem");
    write_file(
        &bundle,
        &format!("{}{}", String::from_utf8_lossy(&isrg), fake.pem()),
    );
    let report = world
        .run(&["roots", "--no-browsers", "--format", "json"])
        .env("SSL_CERT_FILE", bundle.display())
        .json();
    assert_eq!(report.out.code, 2, "{report:?}");
    let roots = report.doc["roots"].as_array().expect("roots");
    let extra: Vec<&Value> = roots.iter().filter(|r| r["class"] == "extra").collect();
    assert_eq!(extra.len(), 1, "{report:?}");
    assert!(
        extra[0]["impersonates"]
            .as_str()
            .is_some_and(|n| n.contains("ISRG Root X1")),
        "{report:?}"
    );
    let text = world
        .run(&["roots", "--no-browsers"])
        .env("SSL_CERT_FILE", bundle.display())
        .output();
    assert_eq!(text.code, 2, "{text:?}");
    assert!(text.stdout.contains("pretends to be \""), "{text:?}");
}
