//! An interceptor that has read pinwatch's source shapes its chain to be
//! refused, skipped or given up on: padded past the 64 KiB TLS libraries
//! accept, one certificate of 100 KB, 500 certificates. Each is still
//! judged from what can be read (`intercepted` when forged, at most
//! `suspicious` when genuine), never `unreachable`.

use serde_json::Value;

use crate::support::pki::Validity;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::support::process::{Proc, require};
use crate::support::server::Server;
use crate::support::shapes::{huge_leaf, padding, pem, size};
use crate::support::{HOST, Report, World, has_reason, write_file};

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

/// The forger's leaf and root, then 300 padding certificates: over 64 KiB.
fn padded_forgery(world: &World) -> Vec<rustls_pki_types::CertificateDer<'static>> {
    let mut chain = world.evil.leaf_with_ca(&[HOST]).chain;
    chain.extend(padding(300));
    chain
}

#[test]
fn a_forged_chain_padded_past_64_kib_is_intercepted() {
    let world = World::new();
    let chain = padded_forgery(&world);
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
    // The peer refuses whatever the fallback offers: nothing is read, the
    // size alone is evidence.
    let world = World::new();
    let chain = padded_forgery(&world);
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
        Some(&Value::from("TLS alert received: handshake_failure")),
        "{report:?}"
    );
    // A server of its own: this one now refuses every connection.
    let chain = padded_forgery(&world);
    let server = Server::raw_tls12(chain, true);
    let text = world
        .check()
        .arg("--format")
        .arg("text")
        .via(&server)
        .output();
    assert_eq!(text.code, 1, "{text:?}");
    assert!(
        text.stdout
            .contains("the certificate chain is over 64 KiB, far larger than any genuine chain"),
        "{text:?}"
    );
    assert!(!text.stdout.contains("Could not reach"), "{text:?}");
}

#[test]
fn the_fallback_takes_the_same_proxy() {
    let world = World::new();
    let chain = padded_forgery(&world);
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

/// Runs `openssl` with each argument list, asserting success.
fn openssl(steps: &[&[&str]]) {
    for args in steps {
        let out = Command::new("openssl")
            .args(*args)
            .output()
            .expect("openssl");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// In `dir`, where `ca.pem` and `ca.key` are: a leaf for [`HOST`] made by
/// OpenSSL (`leaf.pem`, `leaf.key`), its key made with the `genpkey`
/// options `key`, signed with `digest`.
fn openssl_leaf(dir: &Path, key: &[&str], digest: &str) {
    let file = |name: &str| dir.join(name).display().to_string();
    write_file(
        &dir.join("leaf.ext"),
        &format!("subjectAltName=DNS:{HOST}\nextendedKeyUsage=serverAuth\n"),
    );
    let mut genpkey = vec!["genpkey"];
    genpkey.extend(key);
    let leaf_key = file("leaf.key");
    genpkey.extend(["-out", &leaf_key]);
    openssl(&[
        &genpkey,
        &[
            "req",
            "-new",
            "-key",
            &leaf_key,
            "-subj",
            &format!("/CN={HOST}"),
            "-out",
            &file("leaf.csr"),
        ],
        &[
            "x509",
            "-req",
            "-in",
            &file("leaf.csr"),
            "-CA",
            &file("ca.pem"),
            "-CAkey",
            &file("ca.key"),
            digest,
            "-days",
            "90",
            "-extfile",
            &file("leaf.ext"),
            "-out",
            &file("leaf.pem"),
        ],
    ]);
}

/// A P-521 root (ecdsa-with-SHA512) and a P-256 leaf for [`HOST`] it
/// signed, made by OpenSSL as an interceptor would: (root PEM, leaf).
fn p521_forgery(world: &World) -> Option<(String, crate::support::pki::Leaf)> {
    use rustls_pki_types::pem::PemObject as _;
    require("a P-521 forger root", &[("openssl", "openssl")])?;
    let dir = world.path("p521");
    std::fs::create_dir_all(&dir).expect("a directory");
    let file = |name: &str| dir.join(name).display().to_string();
    openssl(&[
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-521",
            "-out",
            &file("ca.key"),
        ],
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            &file("ca.key"),
            "-sha512",
            "-days",
            "3650",
            "-subj",
            "/CN=P-521 Forger Root/O=Forger",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign",
            "-out",
            &file("ca.pem"),
        ],
    ]);
    openssl_leaf(
        &dir,
        &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
        "-sha512",
    );
    // OpenSSL itself accepts the chain when the root is trusted.
    openssl(&[&["verify", "-CAfile", &file("ca.pem"), &file("leaf.pem")]]);
    let root = std::fs::read_to_string(file("ca.pem")).expect("read");
    let leaf = rustls_pki_types::CertificateDer::from_pem_file(file("leaf.pem")).expect("leaf");
    let key = rustls_pki_types::PrivateKeyDer::from_pem_file(file("leaf.key")).expect("key");
    Some((
        root,
        crate::support::pki::Leaf {
            chain: vec![leaf],
            key,
        },
    ))
}

#[test]
fn a_p521_forger_root_in_the_system_store_is_intercepted_and_named() {
    let world = World::new();
    let Some((root, leaf)) = p521_forgery(&world) else {
        return;
    };
    write_file(&world.path("system.pem"), &(world.root.pem() + &root));
    let server = Server::tls(&leaf);
    let report = world.check().via(&server).json();
    let r = report.expect(
        "intercepted",
        &["untrusted_root", "system_root_installed"],
        2,
    );
    assert!(!has_reason(r, "chain_unverifiable"), "{report:?}");
    assert_eq!(r["anchor"], "system", "{report:?}");
}

#[test]
fn a_p521_forger_root_nobody_trusts_is_intercepted() {
    let world = World::new();
    let Some((root, mut leaf)) = p521_forgery(&world) else {
        return;
    };
    use rustls_pki_types::pem::PemObject as _;
    leaf.chain
        .push(rustls_pki_types::CertificateDer::from_pem_slice(root.as_bytes()).expect("root"));
    let server = Server::tls(&leaf);
    let report = world.check().via(&server).json();
    report.expect("intercepted", &["untrusted_root", "unknown_root"], 2);
}

/// A forged chain followed by 60 certificates of the forger's root (same
/// name, same key, a serial each): over 2048 checks if each were a new key.
fn sixty_copies(world: &World) -> crate::support::pki::Leaf {
    let mut leaf = world.evil.leaf_with_ca(&[HOST]);
    leaf.chain.extend(
        world
            .evil
            .copies("Evil Corp Interception CA", "Evil Corp", 59),
    );
    assert_eq!(leaf.chain.len(), 61);
    leaf
}

#[test]
fn sixty_copies_of_an_unknown_forger_root_are_intercepted() {
    let world = World::new();
    let server = Server::tls(&sixty_copies(&world));
    let report = world.check().via(&server).json();
    let r = report.expect("intercepted", &["untrusted_root", "unknown_root"], 2);
    assert!(!has_reason(r, "chain_unverifiable"), "{report:?}");
}

#[test]
fn sixty_copies_of_a_forger_root_only_in_an_nss_database_are_intercepted() {
    if require("an NSS database", &[("certutil", "libnss3-tools")]).is_none() {
        return;
    }
    let world = World::new();
    // Chromium's database in this world's home holds the forger's root.
    let db = world.dir().join(".pki/nssdb");
    std::fs::create_dir_all(&db).expect("a directory");
    let sql = format!("sql:{}", db.display());
    write_file(&world.path("evil.pem"), &world.evil.pem());
    for args in [
        vec!["-N", "-d", &sql, "--empty-password"],
        vec!["-A", "-d", &sql, "-n", "Evil", "-t", "C,,", "-i"],
    ] {
        let mut cmd = std::process::Command::new("certutil");
        cmd.args(&args);
        if args[0] == "-A" {
            cmd.arg(world.path("evil.pem"));
        }
        let out = cmd.output().expect("certutil");
        assert!(out.status.success(), "{out:?}");
    }
    let server = Server::tls(&sixty_copies(&world));
    let report = world.check().via(&server).json();
    let r = report.expect("intercepted", &["untrusted_root"], 2);
    assert!(!has_reason(r, "chain_unverifiable"), "{report:?}");
    // The audit of the roots finds it where it is.
    let roots = world.run(&["roots", "--format", "json"]).json();
    assert!(
        roots.doc["roots"]
            .as_array()
            .is_some_and(|all| all.iter().any(|r| r["subject"]
                .as_str()
                .is_some_and(|s| s.contains("Evil Corp Interception CA")))),
        "{roots:?}"
    );
}

/// `openssl s_server` on 127.0.0.1 presenting a leaf for [`HOST`] with a
/// 1024-bit RSA key, signed by `ca` (whose certificate follows it), at
/// security level 0 (rustls servers refuse such keys).
fn rsa_1024_server(world: &World, ca: &crate::support::pki::Ca) -> Option<(Proc, u16)> {
    require("an RSA-1024 server", &[("openssl", "openssl")])?;
    let dir = world.path("rsa1024");
    std::fs::create_dir_all(&dir).expect("a directory");
    let file = |name: &str| dir.join(name).display().to_string();
    write_file(&dir.join("ca.pem"), &ca.pem());
    write_file(&dir.join("ca.key"), &ca.issuer().key().serialize_pem());
    openssl_leaf(
        &dir,
        &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"],
        "-sha256",
    );
    let server = s_server(&[
        "-cert",
        &file("leaf.pem"),
        "-key",
        &file("leaf.key"),
        "-cert_chain",
        &file("ca.pem"),
        "-cipher",
        "DEFAULT@SECLEVEL=0",
        "-ciphersuites",
        "TLS_AES_128_GCM_SHA256",
    ]);
    Some(server)
}

/// `openssl s_server` on a free port of 127.0.0.1 with `args`, once it
/// accepts connections.
fn s_server(args: &[&str]) -> (Proc, u16) {
    let port = crate::support::server::free_port();
    let mut cmd = Command::new("openssl");
    cmd.args(["s_server", "-accept", &format!("127.0.0.1:{port}")])
        .args(args)
        // Serves HTTP instead of echoing stdin, which is closed here
        // (without it s_server stops at once).
        .arg("-www");
    let mut server = Proc::spawn("openssl s_server", cmd);
    server.wait_stdout_line(Duration::from_secs(10), |l| l.starts_with("ACCEPT"));
    (server, port)
}

/// A forged chain padded with 300 junk certificates, served by `openssl
/// s_server -tls1_3` with `args` (after OpenSSL's own client accepted it,
/// trusting the forger's root): `intercepted` with `chain_oversized`, read
/// by the fallback over TLS 1.3.
fn padded_forged_chain_over_tls13(args: &[&str]) {
    if require("a TLS 1.3 server", &[("openssl", "openssl")]).is_none() {
        return;
    }
    let world = World::new();
    let leaf = world.evil.leaf_with_ca(&[HOST]);
    let mut above = leaf.chain[1..].to_vec();
    above.extend(padding(300));
    write_file(&world.path("leaf.pem"), &pem("CERTIFICATE", &leaf.chain[0]));
    write_file(
        &world.path("leaf.key"),
        &pem("PRIVATE KEY", leaf.key.secret_der()),
    );
    let chain: String = above.iter().map(|c| pem("CERTIFICATE", c)).collect();
    write_file(&world.path("chain.pem"), &chain);
    write_file(&world.path("evil.pem"), &world.evil.pem());
    let path = |name: &str| world.path(name).display().to_string();
    let mut all = vec![
        "-tls1_3".to_string(),
        "-cert".into(),
        path("leaf.pem"),
        "-key".into(),
        path("leaf.key"),
        "-cert_chain".into(),
        path("chain.pem"),
    ];
    all.extend(args.iter().map(ToString::to_string));
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    let (_server, port) = s_server(&all);
    // OpenSSL's client accepts this chain when it trusts the forger's root.
    let accepted = Command::new("openssl")
        .args([
            "s_client",
            "-connect",
            &format!("127.0.0.1:{port}"),
            "-servername",
            HOST,
        ])
        .args(["-CAfile", &path("evil.pem"), "-verify_return_error"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("openssl s_client");
    let said = String::from_utf8_lossy(&accepted.stdout);
    assert!(said.contains("Verify return code: 0 (ok)"), "{said}");

    let report = world.check().arg(HOST).connect_to(HOST, port).json();
    let r = report.expect(
        "intercepted",
        &["untrusted_root", "unknown_root", "chain_oversized"],
        2,
    );
    assert_eq!(
        evidence(r, "fallback_read").map(|e| &e["version"]),
        Some(&Value::from("TLSv1.3")),
        "read over TLS 1.3: {report:?}"
    );
    assert_eq!(
        evidence(r, "chain_oversized").map(|e| &e["certificates"]),
        Some(&Value::from(302)),
        "{report:?}"
    );
}

#[test]
fn a_padded_forged_chain_from_a_tls13_only_server_is_read_and_intercepted() {
    padded_forged_chain_over_tls13(&[]);
}

/// A TLS 1.3-only server that takes only P-384 (`-groups P-384`): the
/// fallback's first ClientHello carries X25519 and P-256 shares, so the
/// server answers with a HelloRetryRequest, and the fallback sends its
/// hello again with a P-384 share and reads the chain.
#[test]
fn a_tls13_server_that_asks_for_another_group_is_answered_and_read() {
    padded_forged_chain_over_tls13(&["-groups", "P-384"]);
}

/// A TLS 1.3-only server that takes only P-256: read with the first
/// hello's P-256 share.
#[test]
fn a_tls13_server_that_takes_only_p256_is_read() {
    padded_forged_chain_over_tls13(&["-groups", "P-256"]);
}

const WEAK_KEY: &str = "the server's certificate has a 1024-bit RSA key, too weak for TLS libraries (they accept 2048 bits or more): its handshake signature cannot be checked";

#[test]
fn an_rsa_1024_leaf_is_named_for_what_it_is() {
    let world = World::new();
    let Some((_server, port)) = rsa_1024_server(&world, &world.evil) else {
        return;
    };
    let report = world.check().arg(HOST).connect_to(HOST, port).json();
    let r = report.expect("intercepted", &["untrusted_root"], 2);
    assert_eq!(r["error"]["detail"], WEAK_KEY, "{report:?}");
}

#[test]
fn a_genuine_rsa_1024_leaf_says_why_the_handshake_failed() {
    let world = World::new();
    let Some((_server, port)) = rsa_1024_server(&world, &world.intermediate) else {
        return;
    };
    let report = world.check().arg(HOST).connect_to(HOST, port).json();
    let r = report.expect("unreachable", &["tls_failed"], 3);
    assert_eq!(
        evidence(r, "handshake_failed").map(|e| &e["detail"]),
        Some(&Value::from(WEAK_KEY)),
        "{report:?}"
    );
}
