//! An interceptor that writes every byte of the names pinwatch prints, and
//! look-alike names in any encoding.
//!
//! - Hostile names (ESC/CSI/OSC sequences, C1 controls, CR/LF, NUL,
//!   U+202E, zero-width characters, markup) in the issuer, subject and
//!   subjectAltNames of a chain served on 127.0.0.1, and in a root of a
//!   store laid out by `openssl rehash`: `pinwatch check` and `pinwatch
//!   roots` run under a pseudo-terminal (`script` from util-linux), and the
//!   exact bytes that reach it are checked: no escape sequence but
//!   pinwatch's own colors, no C1, bidi or invisible character, no forged
//!   line, and the exit code of the verdict.
//! - Roots that copy a public root's name as UTF8String, in other letter
//!   case, with extra spaces, its common name only, or only its
//!   organization: `roots` exits 2 (1 with the weaker words for the
//!   organization) and `check` says `impersonates_public_ca` (or
//!   `borrows_ca_organization`), with `--public-roots` and without.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use rcgen::{DistinguishedName, DnType, DnValue};
use serde_json::Value;

use crate::support::pki::Ca;
use crate::support::process::{on_a_terminal, require};
use crate::support::server::Server;
use crate::support::{HOST, World, has_reason, write_file};

/// What an interceptor would put in a name: clear the screen, home the
/// cursor, print an all-clear, set the window title, a hyperlink, a C1 CSI,
/// a name written backwards, zero-width and bidi characters, NUL, markup.
const FORGED: &str = "\x1b[2J\x1b[H\x1b[32mOK\x1b[0m  chat.pinwatch.test:443  -  issuer: Public CA\r\n\n1 checked: 1 ok\n\x1b]0;all clear\x07\x1b]8;;http://x.test/\x1b\\link\x1b]8;;\x1b\\\u{9b}2J\u{202e}2G tooR labolG treCigiD\u{200b}\u{2066}\0<b>ALL CLEAR</b>";

/// ASCII only (a DNS name in a subjectAltName is an IA5String).
const FORGED_SAN: &str = "\x1b[2J\x1b[HOK\r\n1 checked: 1 ok\x07\0";

fn utf8(s: &str) -> DnValue {
    DnValue::Utf8String(s.to_string())
}

fn printable(s: &str) -> DnValue {
    DnValue::PrintableString(s.try_into().expect("a printable string"))
}

fn dn(attrs: &[(DnType, DnValue)]) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    for (t, v) in attrs {
        dn.push(t.clone(), v.clone());
    }
    dn
}

/// Asserts that nothing in `screen` acts on a terminal but line ends and
/// pinwatch's own colors, and that no forged all-clear line is there.
fn assert_inert(screen: &[u8], what: &str) -> String {
    let text = String::from_utf8(screen.to_vec())
        .unwrap_or_else(|e| panic!("{what}: not UTF-8 ({e}): {screen:?}"));
    let mut plain = text.replace("\r\n", "\n");
    // pinwatch's own colors, the only escape sequences it writes.
    for style in pinwatch::util::OWN_SEQUENCES {
        plain = plain.replace(style, "");
    }
    let acting: Vec<(usize, char)> = plain
        .char_indices()
        .filter(|(_, c)| {
            let u = u32::from(*c);
            *c != '\n'
                && (c.is_control()
                    || matches!(u, 0x200B..=0x200F | 0x202A..=0x202E | 0x2066..=0x2069 | 0xFEFF))
        })
        .collect();
    assert!(
        acting.is_empty(),
        "{what}: {acting:?} reach the terminal:\n{text}"
    );
    for line in plain.lines() {
        assert!(
            !line.starts_with("OK") && !line.starts_with("1 checked: 1 ok"),
            "{what}: a forged line {line:?} in\n{plain}"
        );
    }
    plain
}

/// A CA with the hostile name, this machine's store trusting it, and a
/// server presenting its leaf for [`HOST`] with a hostile subject and SAN.
fn hostile_server(world: &World) -> Server {
    let ca = Ca::root_named(dn(&[
        (DnType::CommonName, utf8(FORGED)),
        (DnType::OrganizationName, utf8(FORGED)),
    ]));
    world.set_system_store(&[&ca]);
    let leaf = ca.leaf_named(
        &[HOST],
        dn(&[(DnType::CommonName, utf8(FORGED))]),
        &[FORGED_SAN],
    );
    Server::tls(&leaf)
}

#[test]
fn a_forged_name_cannot_write_on_the_terminal_and_the_exit_code_stays_2() {
    if require("a pseudo-terminal", &[("script", "bsdutils")]).is_none() {
        return;
    }
    let world = World::new();
    let server = hostile_server(&world);
    for (lang, intercepted) in [("en", "INTERCEPTED"), ("zh", "被拦截")] {
        for verbose in [false, true] {
            let mut run = world
                .check()
                .via(&server)
                .arg("--format")
                .arg("text")
                .arg("--lang")
                .arg(lang);
            if verbose {
                run = run.arg("--verbose");
            }
            let (screen, code) = on_a_terminal(&run.command());
            let what = format!("check --lang {lang} (verbose: {verbose})");
            let text = assert_inert(&screen, &what);
            assert_eq!(code, 2, "{what}:\n{text}");
            assert!(
                text.lines()
                    .nth(1)
                    .is_some_and(|l| l.starts_with(intercepted)),
                "{what}: the table says it:\n{text}"
            );
            // The names show, escaped, and the colors are pinwatch's own.
            assert!(text.contains("\\x1b[2J"), "{what}:\n{text}");
            assert!(text.contains("\\u{202e}"), "{what}:\n{text}");
            let painted = String::from_utf8_lossy(&screen).contains("\x1b[1;31m");
            assert!(painted, "{what}: a terminal gets colors");
            let longest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
            assert!(longest < 1000, "{what}: a line of {longest} characters");
        }
    }
    // JSON on a terminal is inert too (what would act is a \u escape) ...
    for format in ["json", "jsonl"] {
        let run = world.check().via(&server).arg("--format").arg(format);
        let (screen, code) = on_a_terminal(&run.command());
        assert_inert(&screen, &format!("--format {format}"));
        assert_eq!(code, 2, "--format {format}");
    }
    // ... and keeps the exact names.
    let report = world.check().via(&server).json();
    let r = report.expect(
        "intercepted",
        &["untrusted_root", "system_root_installed"],
        2,
    );
    let leaf = &r["chain"][0];
    assert_eq!(
        leaf["issuer"].as_str().map(|s| s.contains(FORGED)),
        Some(true),
        "{leaf}"
    );
    assert!(
        leaf["sans"]
            .as_array()
            .is_some_and(|s| s.iter().any(|n| n == FORGED_SAN)),
        "{leaf}"
    );
}

/// A directory of certificates laid out by `openssl rehash`: ISRG Root X1
/// and each `(file name, PEM)`.
fn rehashed_store(world: &World, files: &[(&str, String)]) -> PathBuf {
    let dir = world.path("certs");
    std::fs::create_dir_all(&dir).expect("a store directory");
    let isrg = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/roots/ISRG_Root_X1.pem");
    std::fs::copy(&isrg, dir.join("ISRG_Root_X1.pem")).expect("copy ISRG Root X1");
    for (name, pem) in files {
        write_file(&dir.join(name), pem);
    }
    let status = Command::new("openssl")
        .arg("rehash")
        .arg(&dir)
        .stderr(Stdio::null())
        .status()
        .expect("openssl rehash");
    assert!(status.success());
    dir
}

/// `pinwatch ARGS` with `store` as this machine's whole store.
fn roots_in(world: &World, store: &Path, args: &[&str]) -> crate::support::Run {
    world
        .run(args)
        .env("SSL_CERT_DIR", store.display())
        .env("SSL_CERT_FILE", "")
}

#[test]
fn a_hostile_root_in_the_store_is_listed_and_cannot_hide_itself() {
    if require(
        "roots on a pseudo-terminal",
        &[("script", "bsdutils"), ("openssl", "openssl")],
    )
    .is_none()
    {
        return;
    }
    let world = World::new();
    let hostile = Ca::root_named(dn(&[(DnType::CommonName, utf8(FORGED))]));
    let store = rehashed_store(&world, &[("evil\x1b[2J\rOK.pem", hostile.pem())]);
    let roots = |args: &[&str]| roots_in(&world, &store, args);
    for lang in ["en", "zh"] {
        let (screen, code) =
            on_a_terminal(&roots(&["roots", "--no-browsers", "--lang", lang]).command());
        let what = format!("roots --lang {lang}");
        let text = assert_inert(&screen, &what);
        assert_eq!(code, 1, "{what}: one extra root:\n{text}");
        assert!(!text.contains("No extra root"), "{what}:\n{text}");
        assert!(text.contains("\\x1b[2J"), "{what}:\n{text}");
        assert!(
            text.contains("evil\\x1b[2J\\x0dOK.pem"),
            "{what}: its file:\n{text}"
        );
    }
    let report = roots(&["roots", "--no-browsers", "--format", "json"]).json();
    assert_eq!(report.out.code, 1, "{report:?}");
    assert_eq!(report.doc["summary"]["extra"], 1, "{report:?}");
    let extra = report.doc["roots"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["class"] == "extra"))
        .cloned()
        .unwrap_or_default();
    assert!(
        extra["subject"]
            .as_str()
            .is_some_and(|s| s.contains(FORGED)),
        "JSON keeps the exact name: {extra}"
    );
}

/// DigiCert Global Root G2 as Mozilla's store has it.
const G2: [(DnType, &str); 4] = [
    (DnType::CountryName, "US"),
    (DnType::OrganizationName, "DigiCert Inc"),
    (DnType::OrganizationalUnitName, "www.digicert.com"),
    (DnType::CommonName, "DigiCert Global Root G2"),
];

/// Look-alikes of DigiCert Global Root G2, each with a key of its own:
/// (what, name, copies the name (true) or only the organization).
fn look_alikes() -> Vec<(&'static str, DistinguishedName, bool)> {
    let g2 = |value: &dyn Fn(&str) -> DnValue| {
        let attrs: Vec<(DnType, DnValue)> = G2.iter().map(|(t, v)| (t.clone(), value(v))).collect();
        dn(&attrs)
    };
    vec![
        ("UTF8String", g2(&utf8), true),
        ("other case", g2(&|v| utf8(&v.to_uppercase())), true),
        (
            "extra spaces",
            g2(&|v| printable(&format!("  {}  ", v.replace(' ', "   ")))),
            true,
        ),
        (
            "CN only",
            dn(&[(DnType::CommonName, utf8("DigiCert Global Root G2"))]),
            true,
        ),
        (
            "O only",
            dn(&[
                (DnType::OrganizationName, utf8("DigiCert Inc")),
                (DnType::CommonName, utf8("Corporate Inspection CA")),
            ]),
            false,
        ),
    ]
}

#[test]
fn roots_calls_a_look_alike_in_any_encoding_what_it_is() {
    if require(
        "roots on a certificate directory",
        &[("openssl", "openssl")],
    )
    .is_none()
    {
        return;
    }
    for (what, name, copies) in look_alikes() {
        let world = World::new();
        let fake = Ca::root_named(name);
        let store = rehashed_store(&world, &[("look-alike.pem", fake.pem())]);
        let roots = |args: &[&str]| roots_in(&world, &store, args);
        let report = roots(&["roots", "--no-browsers", "--format", "json"]).json();
        let extra: Vec<&Value> = report.doc["roots"]
            .as_array()
            .map(|r| r.iter().filter(|r| r["class"] == "extra").collect())
            .unwrap_or_default();
        assert_eq!(extra.len(), 1, "{what}: {report:?}");
        let text = roots(&["roots", "--no-browsers"]).output();
        if copies {
            assert_eq!(report.out.code, 2, "{what}: {report:?}");
            assert_eq!(
                extra[0]["impersonates"],
                "C=US, O=DigiCert Inc, OU=www.digicert.com, CN=DigiCert Global Root G2",
                "{what}"
            );
            assert_eq!(text.code, 2, "{what}: {text:?}");
            assert!(
                text.stdout.contains("pretends to be \"C=US, O=DigiCert Inc, OU=www.digicert.com, CN=DigiCert Global Root G2\""),
                "{what}: {text:?}"
            );
        } else {
            assert_eq!(report.out.code, 1, "{what}: {report:?}");
            assert_eq!(extra[0]["impersonates"], Value::Null, "{what}");
            assert_eq!(extra[0]["borrows_organization"], "DigiCert Inc", "{what}");
            assert_eq!(text.code, 1, "{what}: {text:?}");
            assert!(
                text.stdout
                    .contains("uses the name of the public certificate authority \"DigiCert Inc\""),
                "{what}: {text:?}"
            );
            assert!(!text.stdout.contains("pretends to be"), "{what}: {text:?}");
        }
    }
}

#[test]
fn check_calls_a_forger_with_a_look_alike_name_what_it_is() {
    for (what, name, copies) in look_alikes() {
        let world = World::new();
        let fake = Arc::new(Ca::root_named(name));
        let server = Server::forging(fake);
        // With the test's --public-roots, and with the built-in store: the
        // built-in Mozilla names are looked at either way.
        let runs = [
            ("--public-roots", world.check()),
            (
                "built-in store",
                world.bare_check(&world.path("system.pem")),
            ),
        ];
        for (store, run) in runs {
            let report = run.via(&server).json();
            let reason = if copies {
                "impersonates_public_ca"
            } else {
                "borrows_ca_organization"
            };
            let r = report.expect("intercepted", &["untrusted_root", reason], 2);
            let other = if copies {
                "borrows_ca_organization"
            } else {
                "impersonates_public_ca"
            };
            assert!(!has_reason(r, other), "{what}, {store}: {report:?}");
        }
        let text = world
            .check()
            .via(&server)
            .arg("--format")
            .arg("text")
            .output();
        assert_eq!(text.code, 2, "{what}: {text:?}");
        assert!(
            !text.stdout.contains("whoever controls"),
            "{what}: {text:?}"
        );
        let who = if copies {
            "intercepted by a certificate authority that pretends to be \"DigiCert Global Root G2\""
        } else {
            "intercepted by a certificate authority that uses the name of \"DigiCert Inc\""
        };
        assert!(text.stdout.contains(who), "{what}: {text:?}");
    }
}
