//! `pinwatch roots` end to end: a certificate directory laid out like
//! update-ca-certificates makes it (hashed links by `openssl rehash`),
//! and an NSS database made by `certutil` where Chromium keeps it.

use std::path::Path;
use std::process::Command;

use crate::support::World;
use crate::support::process::require;

pub(crate) fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// A hashed certificate directory holding the public fixtures and `extra`.
pub(crate) fn cert_dir(world: &World, extra: &[&str]) -> std::path::PathBuf {
    let dir = world.path("certs");
    std::fs::create_dir_all(&dir).expect("test fixture");
    for name in [
        "roots/ISRG_Root_X1.pem",
        "roots/GTS_Root_R1.pem",
        "roots/DigiCert_Global_Root_CA.pem",
    ]
    .iter()
    .chain(extra)
    {
        let from = fixture(name);
        std::fs::copy(&from, dir.join(from.file_name().expect("test fixture")))
            .expect("test fixture");
    }
    let status = Command::new("openssl")
        .arg("rehash")
        .arg(&dir)
        .status()
        .expect("openssl");
    assert!(status.success());
    dir
}

fn roots(world: &World, dir: &Path, args: &[&str]) -> crate::support::Report {
    let mut all = vec!["roots", "--format", "json"];
    all.extend(args);
    world
        .run(&all)
        .env("SSL_CERT_DIR", dir.display())
        .env("SSL_CERT_FILE", "")
        .json()
}

#[test]
fn a_clean_store_exits_0_and_an_interception_root_exits_2() {
    if require(
        "roots on a certificate directory",
        &[("openssl", "openssl")],
    )
    .is_none()
    {
        return;
    }
    let world = World::new();
    let clean = cert_dir(&world, &[]);
    let report = roots(&world, &clean, &["--no-browsers"]);
    assert_eq!(report.out.code, 0, "{report:?}");
    assert_eq!(report.doc["summary"]["extra"], 0, "{report:?}");
    assert_eq!(
        report.doc["summary"]["version_skew"], 1,
        "DigiCert Global Root CA: {report:?}"
    );

    std::fs::copy(
        fixture("roots/mitmproxy-ca-cert.pem"),
        clean.join("mitmproxy-ca-cert.pem"),
    )
    .expect("test fixture");
    std::fs::write(clean.join("notes.txt"), "the proxy root is in here").expect("test fixture");
    let report = roots(&world, &clean, &["--no-browsers"]);
    assert_eq!(report.out.code, 2, "{report:?}");
    let extra: Vec<&serde_json::Value> = report.doc["roots"]
        .as_array()
        .expect("test fixture")
        .iter()
        .filter(|r| r["class"] == "extra")
        .collect();
    assert_eq!(extra.len(), 1, "{report:?}");
    assert_eq!(extra[0]["interceptor"]["name"], "mitmproxy", "{report:?}");
    assert!(
        extra[0]["locations"][0]
            .as_str()
            .expect("test fixture")
            .contains("mitmproxy-ca-cert.pem"),
        "{report:?}"
    );
    let problems = report.doc["problems"].as_array().expect("test fixture");
    assert!(
        problems.iter().any(|p| p
            .as_str()
            .expect("test fixture")
            .contains("notes.txt: not a certificate file")),
        "{report:?}"
    );

    // Text, in Chinese.
    let text = world
        .run(&["roots", "--no-browsers", "--lang", "zh"])
        .env("SSL_CERT_DIR", clean.display())
        .env("SSL_CERT_FILE", "")
        .output();
    assert_eq!(text.code, 2);
    assert!(text.stdout.contains("[额外] CN=mitmproxy"), "{text:?}");
    assert!(
        text.stdout.contains("已知：mitmproxy（调试代理）"),
        "{text:?}"
    );
}

#[test]
fn an_unreadable_store_exits_3() {
    let world = World::new();
    let out = world
        .run(&["roots", "--no-browsers"])
        .env("SSL_CERT_FILE", world.path("missing.pem").display())
        .output();
    assert_eq!(out.code, 3, "{out:?}");
    assert!(out.stdout.contains("missing.pem: cannot read"), "{out:?}");
}

#[test]
fn chromiums_nss_database_is_audited() {
    if require(
        "roots on an NSS database",
        &[("openssl", "openssl"), ("certutil", "libnss3-tools")],
    )
    .is_none()
    {
        return;
    }
    let world = World::new();
    let clean = cert_dir(&world, &[]);
    let db = world.dir().join(".pki/nssdb");
    std::fs::create_dir_all(&db).expect("test fixture");
    let sql = format!("sql:{}", db.display());
    let certutil = |args: &[&str]| {
        let out = Command::new("certutil")
            .args(args)
            .output()
            .expect("certutil");
        assert!(
            out.status.success(),
            "certutil {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    certutil(&["-N", "-d", &sql, "--empty-password"]);
    let superfish = fixture(
        "chromium-blocklist/b6fe9151402bad1c06d7e66db67a26aa7356f2e6c644dbcf9f98968ff632e1b7.pem",
    );
    certutil(&[
        "-A",
        "-d",
        &sql,
        "-n",
        "VisualDiscovery",
        "-t",
        "C,,",
        "-i",
        superfish.to_str().expect("test fixture"),
    ]);
    let report = roots(&world, &clean, &[]);
    assert_eq!(report.out.code, 2, "{report:?}");
    let sources = report.doc["sources"].as_array().expect("test fixture");
    assert!(
        sources.iter().any(|s| s
            .as_str()
            .expect("test fixture")
            .contains(".pki/nssdb (Chromium/Chrome)")),
        "{report:?}"
    );
    let extra = report.doc["roots"]
        .as_array()
        .expect("test fixture")
        .iter()
        .find(|r| r["class"] == "extra")
        .expect("an extra root");
    assert!(
        extra["subject"]
            .as_str()
            .expect("test fixture")
            .contains("Superfish"),
        "{report:?}"
    );
    assert!(
        extra["locations"][0]
            .as_str()
            .expect("test fixture")
            .contains("\"VisualDiscovery\""),
        "{report:?}"
    );
}
