//! The roots audit against real store layouts: a certificate directory with
//! hashed links made by `openssl rehash`, a PEM bundle, and an NSS database
//! made by `certutil` (and read without it). The tools are required under CI=true; elsewhere a
//! missing tool skips with a notice.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::classify::{Class, RootEntry, classify, exit_code};
use super::{nss, scan};
use crate::analysis::TrustStore;
use crate::knowledge::load_embedded;

const NOW: i64 = 1_795_305_600; // 2026-11-22

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

const SUPERFISH: &str =
    "chromium-blocklist/b6fe9151402bad1c06d7e66db67a26aa7356f2e6c644dbcf9f98968ff632e1b7.pem";

/// The tool's path, or `None` (after saying so) when it is missing outside CI.
fn tool(name: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{name} is required under CI=true (scripts/test.sh installs it)"
        );
        eprintln!("SKIPPED: {name} not installed");
        record_skip(&format!(
            "{name} not installed (scripts/test.sh installs it)"
        ));
    }
    found
}

/// Records the skip where scripts/test.sh lists skips after the run (the
/// file named by PINWATCH_SKIP_LOG), as tests/support/process.rs does for
/// the integration tests.
fn record_skip(reason: &str) {
    use std::io::Write as _;
    let Some(path) = std::env::var_os("PINWATCH_SKIP_LOG").filter(|p| !p.is_empty()) else {
        return;
    };
    let thread = std::thread::current();
    let line = format!("{}: {reason}\n", thread.name().unwrap_or("(a test thread)"));
    let _ = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(line.as_bytes()));
}

fn run(cmd: &mut Command) {
    let out = cmd.output().expect("run tool");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn audit(scan: &super::Scan) -> Vec<RootEntry> {
    classify(
        scan,
        &TrustStore::public(),
        &load_embedded().unwrap(),
        NOW,
        None,
    )
}

fn by_subject<'a>(entries: &'a [RootEntry], part: &str) -> &'a RootEntry {
    entries
        .iter()
        .find(|e| e.facts.subject.contains(part))
        .unwrap_or_else(|| panic!("no root with {part}"))
}

/// A certificate directory like update-ca-certificates makes, with `extra` added.
fn store(dir: &Path, extra: &[&str]) -> Option<PathBuf> {
    let openssl = tool("openssl")?;
    let certs = dir.join("certs");
    std::fs::create_dir_all(&certs).unwrap();
    let public = [
        "ISRG_Root_X1.pem",
        "DigiCert_Global_Root_G2.pem",
        "GTS_Root_R1.pem",
        "DigiCert_Global_Root_CA.pem",
    ];
    for name in public.iter().chain(extra) {
        // Bare names are in roots/; others are paths under tests/data.
        let source = if name.contains('/') {
            fixture(name)
        } else {
            fixture(&format!("roots/{name}"))
        };
        let file = source.file_name().unwrap().to_owned();
        std::fs::copy(&source, certs.join(file)).unwrap();
    }
    run(Command::new(openssl).arg("rehash").arg(&certs));
    Some(certs)
}

#[test]
fn a_clean_store_has_no_extra_root() {
    let dir = tempfile::tempdir().unwrap();
    let Some(certs) = store(dir.path(), &[]) else {
        return;
    };
    let scan = scan::paths(None, &[certs]);
    assert!(scan.problems.is_empty(), "{:?}", scan.problems);
    let entries = audit(&scan);
    assert_eq!(
        entries.iter().filter(|e| e.class == Class::Public).count(),
        3
    );
    let skew = by_subject(&entries, "DigiCert Global Root CA");
    assert_eq!(skew.class, Class::VersionSkew);
    assert_eq!(
        exit_code(&entries),
        0,
        "version skew never raises the exit code"
    );
    // The hashed link openssl rehash made is one of the locations.
    let isrg = by_subject(&entries, "ISRG Root X1");
    assert!(
        isrg.locations
            .iter()
            .any(|l| l.contains(".0 -> ISRG_Root_X1.pem")),
        "{:?}",
        isrg.locations
    );
}

#[test]
fn interception_and_blocklisted_roots_are_named_and_junk_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let Some(certs) = store(dir.path(), &["mitmproxy-ca-cert.pem", SUPERFISH]) else {
        return;
    };
    std::fs::write(certs.join("README"), "these are certificates\n").unwrap();
    std::fs::write(
        certs.join("broken.pem"),
        "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    std::fs::copy(
        certs.join("mitmproxy-ca-cert.pem"),
        certs.join("copy-of-mitmproxy.crt"),
    )
    .unwrap();
    // A bundle as SSL_CERT_FILE would name, holding a public root and mitmproxy again.
    let bundle = dir.path().join("bundle.pem");
    let text = [
        fixture("roots/ISRG_Root_X1.pem"),
        fixture("roots/mitmproxy-ca-cert.pem"),
    ]
    .iter()
    .map(|p| std::fs::read_to_string(p).unwrap())
    .collect::<String>();
    std::fs::write(&bundle, text).unwrap();

    let scan = scan::paths(Some(&bundle), &[certs]);
    assert!(
        scan.problems
            .iter()
            .any(|p| p.contains("README: not a certificate file")),
        "{:?}",
        scan.problems
    );
    assert!(
        scan.problems
            .iter()
            .any(|p| p.contains("broken.pem: malformed PEM")),
        "{:?}",
        scan.problems
    );
    let entries = audit(&scan);
    let mitm = by_subject(&entries, "CN=mitmproxy");
    assert_eq!(mitm.class, Class::Extra);
    assert_eq!(
        mitm.interceptor.as_ref().map(|i| i.name.as_str()),
        Some("mitmproxy")
    );
    assert!(
        mitm.locations.len() >= 4,
        "bundle, file, copy and hashed link: {:?}",
        mitm.locations
    );
    let superfish = by_subject(&entries, "Superfish");
    assert_eq!(superfish.class, Class::Extra);
    assert!(
        superfish
            .interceptor
            .as_ref()
            .is_some_and(|i| i.name.contains("Superfish")),
        "{:?}",
        superfish.interceptor
    );
    assert_eq!(exit_code(&entries), 2);
}

#[test]
fn an_unknown_extra_root_exits_1_and_an_expired_one_is_marked() {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
    let dir = tempfile::tempdir().unwrap();
    let Some(certs) = store(dir.path(), &[]) else {
        return;
    };
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "Hotel Lobby Root");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.not_before = time::OffsetDateTime::from_unix_timestamp(NOW - 400 * 86400).unwrap();
    params.not_after = time::OffsetDateTime::from_unix_timestamp(NOW - 86400).unwrap();
    let cert = params.self_signed(&KeyPair::generate().unwrap()).unwrap();
    std::fs::write(certs.join("hotel.pem"), cert.pem()).unwrap();
    let entries = audit(&scan::paths(None, &[certs]));
    let hotel = by_subject(&entries, "Hotel Lobby Root");
    assert_eq!(
        (hotel.class, hotel.expired, hotel.interceptor.is_none()),
        (Class::Extra, true, true)
    );
    assert_eq!(exit_code(&entries), 1);
}

#[test]
fn an_nss_database_made_by_certutil_is_read() {
    let Some(certutil) = tool("certutil") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nssdb");
    std::fs::create_dir_all(&db).unwrap();
    let sql = format!("sql:{}", db.display());
    run(Command::new(&certutil).args(["-N", "-d", &sql, "--empty-password"]));
    let mitm = fixture("roots/mitmproxy-ca-cert.pem");
    run(Command::new(&certutil)
        .args(["-A", "-d", &sql, "-n", "mitmproxy CA", "-t", "C,,"])
        .arg("-i")
        .arg(&mitm));
    // Trusted for e-mail only: not a TLS root, not listed.
    let g2 = fixture("roots/DigiCert_Global_Root_G2.pem");
    run(Command::new(&certutil)
        .args(["-A", "-d", &sql, "-n", "mail only", "-t", ",C,"])
        .arg("-i")
        .arg(&g2));

    let found = nss::find_databases(dir.path());
    assert!(
        found.is_empty(),
        "not at a browser path: only explicit databases are read"
    );
    let scan = nss::read(&[(db.clone(), "test")]);
    assert!(scan.problems.is_empty(), "{:?}", scan.problems);
    assert_eq!(scan.roots.len(), 1);
    let entries = audit(&scan);
    assert_eq!(
        entries[0].interceptor.as_ref().map(|i| i.name.as_str()),
        Some("mitmproxy")
    );
    assert!(
        entries[0].locations[0].contains("\"mitmproxy CA\""),
        "{:?}",
        entries[0].locations
    );

    // Found where Chromium keeps it.
    let home = dir.path().join("home");
    std::fs::create_dir_all(home.join(".pki")).unwrap();
    std::fs::rename(&db, home.join(".pki/nssdb")).unwrap();
    let found = nss::find_databases(&home);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].1, "Chromium/Chrome");
}

#[test]
fn a_huge_bundle_is_read_and_deduplicated() {
    let dir = tempfile::tempdir().unwrap();
    let one = std::fs::read_to_string(fixture("roots/ISRG_Root_X1.pem")).unwrap();
    let other = std::fs::read_to_string(fixture("roots/mitmproxy-ca-cert.pem")).unwrap();
    let bundle = dir.path().join("huge.pem");
    std::fs::write(&bundle, format!("{one}{other}").repeat(3000)).unwrap();
    let scan = scan::paths(Some(&bundle), &[]);
    assert!(scan.problems.is_empty(), "{:?}", scan.problems);
    assert_eq!(scan.roots.len(), 2, "6000 certificates, 2 distinct");
    assert_eq!(exit_code(&audit(&scan)), 2);
}

#[test]
fn a_platform_programs_own_roots_are_not_extra_on_that_platform() {
    let mut k = load_embedded().unwrap();
    assert!(
        k.platform_roots.len() > 100,
        "the cfssl_trust snapshot lists hundreds"
    );
    let mut scan = super::Scan::default();
    let pem = std::fs::read(fixture("roots/mitmproxy-ca-cert.pem")).unwrap();
    for der in scan::parse_certs(&pem).unwrap() {
        scan.add(der, "Windows certificate store (Root)".into());
    }
    let public = TrustStore::public();
    let entries = classify(&scan, &public, &k, NOW, Some("windows"));
    assert_eq!(
        entries[0].class,
        Class::Extra,
        "mitmproxy is extra on Windows too"
    );
    // Were its key in Microsoft's program, a stock Windows store would hold it.
    k.platform_roots.push(crate::knowledge::PlatformRoot {
        subject: entries[0].facts.subject.clone(),
        spki_sha256: entries[0].facts.spki_sha256.clone(),
        programs: vec!["windows".into()],
    });
    let on_windows = classify(&scan, &public, &k, NOW, Some("windows"));
    assert_eq!(
        (on_windows[0].class, exit_code(&on_windows)),
        (Class::PlatformProgram, 0)
    );
    assert_eq!(
        classify(&scan, &public, &k, NOW, Some("macos"))[0].class,
        Class::Extra
    );
    assert_eq!(
        classify(&scan, &public, &k, NOW, None)[0].class,
        Class::Extra,
        "not special on Linux"
    );
}
