//! A wrong clock on this machine, under `faketime`: 3 years behind and 2
//! ahead, a genuine chain whose leaf and intermediate are all out of date
//! in the same direction is `clock_suspect`, with the time it was judged
//! by; the server is never blamed ("a misconfigured server").

use std::process::Command;

use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::support::chains::{CaSpec, Issuer, LeafShape};
use crate::support::pins::PinsSpec;
use crate::support::process::{require, run_under};
use crate::support::server::Server;
use crate::support::{HOST, Outcome, Run, World, write_file};

const DAY: i64 = 86_400;

/// `run` under `faketime -f OFFSET` (the clock moved by OFFSET).
fn under_faketime(run: Run, offset: &str) -> Outcome {
    let mut faketime = Command::new("faketime");
    faketime.arg("-f").arg(offset);
    let out = run_under(faketime, &run.command())
        .output()
        .expect("run faketime");
    Outcome {
        code: out.status.code().expect("an exit code"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A world with a genuine chain whose intermediate lives a year and leaf
/// 90 days, both issued this month: out of date together 2 years ahead
/// and 3 years behind.
fn dated_world() -> (World, Server) {
    let world = World::new();
    let root = Issuer::root("Clock Test Root");
    let inter = root.issue(CaSpec {
        days: (-30, 365),
        ..CaSpec::ca("Clock Test Issuing CA")
    });
    let leaf = inter.leaf(HOST, LeafShape::Server, &[inter.der()]);
    world.write_pins(&PinsSpec {
        root_spki: pinwatch::analysis::CertFacts::from_der(root.der()).spki_sha256,
        ..world.pins()
    });
    write_file(&world.path("clock-root.pem"), &root.pem());
    (world, Server::tls(&leaf))
}

fn check(offset: &str, text: bool) -> Option<Outcome> {
    require("a wrong clock", &[("faketime", "faketime")])?;
    let (world, server) = dated_world();
    let mut run = world.check_with_public_roots(&world.path("clock-root.pem"));
    if text {
        run = run.arg("--format").arg("text");
    }
    Some(under_faketime(run.via(&server), offset))
}

/// Asserts `clock_suspect` in `direction`, judged at about `shift` from now.
fn expect_clock(out: &Outcome, direction: &str, shift: i64) {
    assert_eq!(out.code, 1, "{out:?}");
    let doc: Value = serde_json::from_str(&out.stdout).expect("JSON");
    let r = &doc["results"][0];
    assert_eq!(r["verdict"], "suspicious", "{out:?}");
    let reasons = r["reasons"].as_array().expect("reasons");
    assert!(reasons.iter().any(|x| x == "clock_suspect"), "{out:?}");
    let clock = r["evidence"]
        .as_array()
        .and_then(|e| e.iter().find(|x| x["code"] == "clock_suspect"))
        .expect("clock_suspect evidence");
    assert_eq!(clock["direction"], direction, "{out:?}");
    assert_eq!(clock["chain_valid_then"], true, "{out:?}");
    let judged = clock["now"].as_str().expect("the time judged by");
    let judged = OffsetDateTime::parse(judged, &Rfc3339).expect("RFC 3339");
    let expected = OffsetDateTime::now_utc().unix_timestamp() + shift;
    assert!(
        (judged.unix_timestamp() - expected).abs() < 2 * DAY,
        "judged at {judged}: {out:?}"
    );
    assert!(
        !r["evidence"]
            .as_array()
            .is_some_and(|e| e.iter().any(|x| x["code"] == "chain_rule_broken")),
        "the server is not blamed: {out:?}"
    );
}

#[test]
fn a_clock_three_years_behind_is_named() {
    let Some(out) = check("-3y", false) else {
        return;
    };
    expect_clock(&out, "behind", -3 * 365 * DAY);
    let doc: Value = serde_json::from_str(&out.stdout).expect("JSON");
    let clock = doc["results"][0]["evidence"]
        .as_array()
        .and_then(|e| e.iter().find(|x| x["code"] == "clock_suspect"))
        .cloned()
        .unwrap_or_default();
    assert!(clock["built"].is_string(), "before the build date: {clock}");
}

#[test]
fn a_clock_two_years_ahead_is_named() {
    let Some(out) = check("+2y", false) else {
        return;
    };
    expect_clock(&out, "ahead", 2 * 365 * DAY);
}

#[test]
fn the_text_says_the_clock_looks_wrong_with_the_time() {
    let Some(out) = check("+2y", true) else {
        return;
    };
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stdout
            .contains("this machine's clock looks wrong: it says "),
        "{out:?}"
    );
    assert!(
        out.stdout.contains(
            "every out-of-date certificate of this otherwise valid chain expired before then"
        ),
        "{out:?}"
    );
    assert!(!out.stdout.contains("misconfigured server"), "{out:?}");
    assert!(
        out.stdout
            .contains("What to do: Set this machine's date and time right"),
        "{out:?}"
    );
}
