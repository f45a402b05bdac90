//! End-to-end tests of the `pinwatch` binary against loopback servers: a
//! genuine chain, forged chains (direct, through intercepting proxies and
//! through a real mitmproxy), tunnels, unreachable targets, captive portals,
//! usage errors and the text output. Nothing leaves 127.0.0.1.

use std::io::Read as _;
use std::process::Stdio;

use crate::support::ct::{TestLogs, leaf_with_scts};
use crate::support::mitm::Mitmdump;
use crate::support::pins::{INTERCEPTOR_NAME, PinsSpec, Rule, SERVICE};
use crate::support::pki::{Ca, Validity};
use crate::support::server::{Server, closed_port};
use crate::support::{HOST, Run, World, has_reason, write_file};

// a. The genuine chain.

#[test]
fn genuine_chain_is_ok() {
    let world = World::new();
    let server = world.genuine_server();
    let report = world.check().via(&server).json();
    let r = report.expect("ok", &["public_root", "name_match", "pin_match"], 0);
    assert_eq!(r["anchor"], "public", "{report:?}");
    assert_eq!(r["service"], SERVICE, "{report:?}");
    assert_eq!(r["pins"]["status"], "match", "{report:?}");
    assert_eq!(r["pins"]["matched"], "Pinwatch Test Root", "{report:?}");
    assert!(
        r["tls"]["version"]
            .as_str()
            .is_some_and(|v| v.starts_with("TLSv1.")),
        "{report:?}"
    );
    assert_eq!(r["interceptor"], serde_json::Value::Null, "{report:?}");
    assert_eq!(r["chain"][0]["sans"][0], HOST, "{report:?}");
    assert_eq!(
        r["chain"].as_array().map(Vec::len),
        Some(2),
        "leaf and intermediate: {report:?}"
    );
    assert_eq!(r["peer"], server.addr().to_string(), "{report:?}");
    assert_eq!(report.doc["summary"]["ok"], 1, "{report:?}");
}

// b. Pinsets.

#[test]
fn publicly_valid_chain_outside_the_pinset_is_suspicious() {
    let world = World::new();
    world.write_pins(&PinsSpec {
        other_pin: Some(world.evil.spki_sha256()),
        ..world.pins()
    });
    let server = world.genuine_server();
    let report = world.check().via(&server).json();
    let r = report.expect("suspicious", &["public_root", "pin_mismatch"], 1);
    assert!(!has_reason(r, "pinset_stale"), "{report:?}");
    assert_eq!(r["pins"]["status"], "mismatch", "{report:?}");
    assert_eq!(r["pins"]["stale"], false, "{report:?}");
}

#[test]
fn stale_pinset_mismatch_is_still_only_suspicious() {
    let world = World::new();
    world.write_pins(&PinsSpec {
        other_pin: Some(world.evil.spki_sha256()),
        review_by: "2020-01-01".into(),
        ..world.pins()
    });
    let server = world.genuine_server();
    let report = world.check().via(&server).json();
    let r = report.expect("suspicious", &["pin_mismatch", "pinset_stale"], 1);
    assert_eq!(r["pins"]["stale"], true, "{report:?}");
    assert_eq!(r["pins"]["review_by"], "2020-01-01", "{report:?}");
}

// c. A middlebox forging certificates with its own CA.

#[test]
fn forged_chain_is_intercepted() {
    let world = World::new();
    let middlebox = Server::forging(world.evil.clone());
    let report = world.check().via(&middlebox).json();
    let r = report.expect(
        "intercepted",
        &["name_match", "untrusted_root", "unknown_root"],
        2,
    );
    assert_eq!(r["anchor"], "none", "{report:?}");
    assert!(!has_reason(r, "system_root_installed"), "{report:?}");
    assert_eq!(
        r["interceptor"],
        serde_json::Value::Null,
        "no rule names it: {report:?}"
    );
    assert_eq!(r["pins"]["status"], "not_checked", "{report:?}");
    assert!(
        r["chain"][0]["issuer"]
            .as_str()
            .is_some_and(|i| i.contains("Evil Corp Interception CA")),
        "{report:?}"
    );
    assert_eq!(report.doc["summary"]["intercepted"], 1, "{report:?}");
}

#[test]
fn forged_chain_from_a_root_in_the_system_store_is_flagged_as_installed() {
    let world = World::new();
    world.set_system_store(&[&world.evil]);
    let middlebox = Server::forging(world.evil.clone());
    let report = world.check().via(&middlebox).json();
    let r = report.expect(
        "intercepted",
        &["untrusted_root", "system_root_installed"],
        2,
    );
    assert_eq!(r["anchor"], "system", "{report:?}");
    assert!(!has_reason(r, "unknown_root"), "{report:?}");
}

/// Runs the forging middlebox with one interceptor rule; returns the
/// report's `interceptor` after asserting `reason`.
fn attributed(rule: impl FnOnce(&Ca) -> Rule, reason: &str) -> serde_json::Value {
    let world = World::new();
    world.write_pins(&PinsSpec {
        rules: vec![rule(&world.evil)],
        ..world.pins()
    });
    let middlebox = Server::forging(world.evil.clone());
    let report = world.check().via(&middlebox).json();
    let r = report.expect("intercepted", &[reason], 2);
    assert_eq!(r["interceptor"]["name"], INTERCEPTOR_NAME, "{report:?}");
    assert_eq!(r["interceptor"]["id"], "evil-corp", "{report:?}");
    assert_eq!(
        r["interceptor"]["category"], "corporate_gateway",
        "{report:?}"
    );
    r["interceptor"].clone()
}

#[test]
fn interceptor_is_named_by_its_issuer_organisation() {
    let interceptor = attributed(
        |_| Rule::IssuerO("^Evil Corp$".into()),
        "interceptor_issuer",
    );
    assert_eq!(interceptor["matched_by"], "issuer_name");
}

#[test]
fn interceptor_is_named_by_its_key() {
    let interceptor = attributed(
        |evil| Rule::Spki(evil.spki_sha256()),
        "known_interceptor_key",
    );
    assert_eq!(interceptor["matched_by"], "spki");
    assert!(
        interceptor["matched"]
            .as_str()
            .is_some_and(|m| m.contains("Evil Corp CA")),
        "{interceptor}"
    );
}

// d. An intercepting HTTP CONNECT proxy.

#[test]
fn intercepting_proxy_given_with_the_flag() {
    let world = World::new();
    let proxy = Server::intercepting_proxy(world.evil.clone());
    let report = world.check().arg(HOST).proxy(&proxy).json();
    let r = report.expect("intercepted", &["untrusted_root", "unknown_root"], 2);
    assert_eq!(r["via_proxy"], proxy.url(), "{report:?}");
    assert_eq!(r["peer"], proxy.addr().to_string(), "{report:?}");
    assert_eq!(proxy.seen(), [format!("CONNECT {HOST}:443 HTTP/1.1")]);
}

#[test]
fn intercepting_proxy_from_https_proxy() {
    let world = World::new();
    let proxy = Server::intercepting_proxy(world.evil.clone());
    let report = world
        .check()
        .arg(HOST)
        .env("HTTPS_PROXY", proxy.url())
        .json();
    let r = report.expect("intercepted", &["untrusted_root"], 2);
    assert_eq!(r["via_proxy"], proxy.url(), "{report:?}");
    assert_eq!(proxy.seen().len(), 1, "{report:?}");
}

#[test]
fn no_proxy_bypasses_the_environment_proxy() {
    let world = World::new();
    let proxy = Server::intercepting_proxy(world.evil.clone());
    let genuine = world.genuine_server();
    let report = world
        .check()
        .via(&genuine)
        .env("HTTPS_PROXY", proxy.url())
        .env("NO_PROXY", "localhost,.pinwatch.test")
        .json();
    let r = report.expect("ok", &["pin_match"], 0);
    assert_eq!(r["via_proxy"], serde_json::Value::Null, "{report:?}");
    assert!(
        proxy.seen().is_empty(),
        "the proxy was used: {:?}",
        proxy.seen()
    );
}

// e. A proxy that only tunnels.

#[test]
fn tunnelling_proxy_to_the_genuine_server_is_ok() {
    let world = World::new();
    let genuine = world.genuine_server();
    let proxy = Server::tunnel_proxy();
    let report = world.check().via(&genuine).proxy(&proxy).json();
    let r = report.expect("ok", &["public_root", "pin_match"], 0);
    assert_eq!(r["via_proxy"], proxy.url(), "{report:?}");
    assert_eq!(
        proxy.seen(),
        [format!("CONNECT {} HTTP/1.1", genuine.addr())]
    );
}

// f. Unreachable targets.

/// Checks [`HOST`] at 127.0.0.1:`port` with `--timeout timeout`; asserts
/// unreachable with `stage` and `reason`, exit 3; returns the error detail.
fn unreachable(port: u16, timeout: &str, stage: &str, reason: &str) -> String {
    let world = World::new();
    let run = world.check().arg(HOST).connect_to(HOST, port);
    let report = run.arg("--timeout").arg(timeout).json();
    let r = report.expect("unreachable", &[reason], 3);
    assert_eq!(r["error"]["stage"], stage, "{report:?}");
    assert_eq!(r["chain"].as_array().map(Vec::len), Some(0), "{report:?}");
    assert_eq!(r["tls"], serde_json::Value::Null, "{report:?}");
    r["error"]["detail"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn closed_port_is_unreachable_at_tcp() {
    let detail = unreachable(closed_port(), "5s", "tcp", "tcp_failed");
    assert!(detail.contains("refused"), "{detail}");
}

#[test]
fn reset_after_client_hello_is_unreachable_at_tls() {
    let server = Server::reset_after_client_hello();
    let detail = unreachable(server.addr().port(), "5s", "tls", "tls_failed");
    assert!(detail.contains("reset"), "{detail}");
}

#[test]
fn silent_server_times_out() {
    let server = Server::silent();
    let started = std::time::Instant::now();
    let detail = unreachable(server.addr().port(), "1s", "timeout", "timeout");
    assert!(detail.contains("1.0s"), "{detail}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(8),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn unreachable_targets_do_not_spoil_an_ok_run() {
    let world = World::new();
    let genuine = world.genuine_server();
    let port = closed_port();
    let report = world
        .check()
        .via(&genuine)
        .arg("down.pinwatch.test")
        .connect_to("down.pinwatch.test", port)
        .json();
    assert_eq!(report.out.code, 0, "{report:?}");
    assert_eq!(report.doc["exit_code"], 0, "{report:?}");
    assert_eq!(report.result(HOST)["verdict"], "ok", "{report:?}");
    assert_eq!(
        report.result("down.pinwatch.test")["verdict"],
        "unreachable",
        "{report:?}"
    );
    assert_eq!(report.doc["summary"]["ok"], 1, "{report:?}");
    assert_eq!(report.doc["summary"]["unreachable"], 1, "{report:?}");
}

// g. A certificate for another name: captive portal or misconfiguration.

/// Serves a public leaf for other.example and answers the connectivity
/// check with `answer`.
fn wrong_name(answer: &'static str) -> (crate::support::Report, Server) {
    let world = World::new();
    let server = Server::tls(&world.leaf(&["other.example"], Validity::Current));
    let check = Server::http(answer);
    let report = world
        .check()
        .via(&server)
        .arg("--portal-check")
        .arg(format!("{}/generate_204", check.url()))
        .json();
    (report, check)
}

/// Asserts a captive portal whose evidence mentions `seen`.
fn expect_portal(answer: &'static str, seen: &str) {
    let (report, check) = wrong_name(answer);
    let r = report.expect("captive_portal", &["name_mismatch", "portal_detected"], 3);
    assert!(
        r["evidence"].to_string().contains(seen),
        "evidence mentions {seen}: {report:?}"
    );
    assert_eq!(check.seen(), ["GET /generate_204 HTTP/1.1"]);
    assert_eq!(report.doc["summary"]["captive_portal"], 1, "{report:?}");
}

#[test]
fn wrong_name_behind_a_redirecting_portal_is_a_captive_portal() {
    expect_portal(
        "HTTP/1.1 302 Found\r\nLocation: http://login.portal.test/\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        "302",
    );
}

#[test]
fn wrong_name_behind_a_login_page_is_a_captive_portal() {
    expect_portal(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n<html>Log in to Cafe WiFi</html>",
        "200",
    );
}

#[test]
fn wrong_name_with_working_connectivity_is_suspicious() {
    let (report, check) = wrong_name("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
    let r = report.expect("suspicious", &["name_mismatch"], 1);
    assert!(!has_reason(r, "portal_detected"), "{report:?}");
    assert_eq!(check.seen().len(), 1);
}

// h. Expired certificate.

#[test]
fn expired_public_leaf_is_suspicious() {
    let world = World::new();
    let server = Server::tls(&world.leaf(&[HOST], Validity::Expired));
    let report = world.check().via(&server).json();
    let r = report.expect("suspicious", &["name_match", "chain_expired"], 1);
    assert!(!has_reason(r, "untrusted_root"), "{report:?}");
}

// i. Usage errors: exit 3, never 2, one line naming the problem.

/// Runs `run` on [`HOST`] (routed to a closed port, in case it got that
/// far), expecting a usage error: one stderr line containing `needle`.
fn usage_error(run: Run, needle: &str) -> String {
    let out = run.arg(HOST).connect_to(HOST, closed_port()).output();
    let line = out.expect_usage_error(needle);
    assert!(line.starts_with("pinwatch: "), "{out:#?}");
    assert_eq!(
        out.stderr.trim_end().lines().count(),
        1,
        "one line: {out:#?}"
    );
    line.to_string()
}

#[test]
fn unknown_flag_exits_3_not_2() {
    let world = World::new();
    // clap's message: the problem on the first line, then usage hints.
    let out = world.check().arg("--frobnicate").arg(HOST).output();
    out.expect_usage_error("--frobnicate");
}

#[test]
fn malformed_target_is_a_usage_error() {
    let world = World::new();
    let line = usage_error(world.check().arg("qq.com:99999"), "qq.com:99999");
    assert!(line.contains("invalid port"), "{line}");
}

#[test]
fn unknown_service_is_a_usage_error() {
    let world = World::new();
    usage_error(
        world.check().arg("--service").arg("nope"),
        "unknown service `nope`",
    );
}

#[test]
fn pins_syntax_error_names_file_line_and_column() {
    let world = World::new();
    let broken = "name = \"chat\"\ndisplay_name = \"Test\n";
    write_file(&world.path("pins/services/chat.toml"), broken);
    let line = usage_error(world.check(), "chat.toml:2:");
    let column = line
        .split("chat.toml:2:")
        .nth(1)
        .and_then(|rest| rest.split(':').next());
    assert!(
        column.is_some_and(|c| c.parse::<u32>().is_ok()),
        "file:line:column in {line}"
    );
}

#[test]
fn public_roots_without_certificates_is_a_usage_error() {
    let world = World::new();
    let empty = world.path("empty.pem");
    write_file(&empty, "not a certificate\n");
    usage_error(world.check_with_public_roots(&empty), "no certificates");
}

#[test]
fn a_ct_logs_file_replaces_the_shipped_list() {
    // Two valid SCTs from distinct operators of the test's own logs: ok.
    let world = World::new();
    let logs = TestLogs::two_operators();
    let list = world.path("ct-logs.json");
    logs.write_list(&list);
    let server = Server::tls(&leaf_with_scts(&world.intermediate, &[HOST], &logs.all()));
    let report = world
        .check()
        .arg("--ct-logs")
        .arg(list.display())
        .via(&server)
        .json();
    let r = report.expect("ok", &["public_root", "name_match", "pin_match"], 0);
    assert_eq!(r["ct"]["status"], "ct_ok", "{report:?}");
    assert_eq!(r["ct"]["valid"], 2, "{report:?}");
    assert_eq!(r["ct"]["distinct_operators"], 2, "{report:?}");
    let scts = r["ct"]["scts"].as_array().expect("scts");
    assert!(scts.iter().all(|s| s["status"] == "valid"), "{report:?}");
    // CT is not mentioned in text when it neither changes nor supports the verdict.
    let text = world
        .check()
        .arg("--ct-logs")
        .arg(list.display())
        .via(&server)
        .arg("--format")
        .arg("text")
        .output();
    assert!(!text.stdout.contains("Transparency"), "{text:?}");
}

#[test]
fn a_public_chain_without_scts_is_suspicious() {
    let world = World::new();
    let logs = TestLogs::two_operators();
    let list = world.path("ct-logs.json");
    logs.write_list(&list);
    let server = Server::tls(&leaf_with_scts(&world.intermediate, &[HOST], &[]));
    let report = world
        .check()
        .arg("--ct-logs")
        .arg(list.display())
        .via(&server)
        .json();
    let r = report.expect("suspicious", &["public_root", "ct_missing"], 1);
    assert_eq!(r["ct"]["status"], "ct_missing", "{report:?}");
    assert!(!has_reason(r, "rogue_public_ca"), "{report:?}");
}

#[test]
fn a_pinned_service_outside_its_pinset_and_the_logs_is_a_rogue_public_ca() {
    let world = World::new();
    world.write_pins(&PinsSpec {
        other_pin: Some(world.evil.spki_sha256()),
        ..world.pins()
    });
    let logs = TestLogs::two_operators();
    let list = world.path("ct-logs.json");
    logs.write_list(&list);
    let server = Server::tls(&leaf_with_scts(&world.intermediate, &[HOST], &[]));
    let report = world
        .check()
        .arg("--ct-logs")
        .arg(list.display())
        .via(&server)
        .json();
    let r = report.expect(
        "intercepted",
        &[
            "public_root",
            "pin_mismatch",
            "rogue_public_ca",
            "ct_missing",
        ],
        2,
    );
    assert_eq!(r["pins"]["status"], "mismatch", "{report:?}");
    // The same chain with valid SCTs is only a pin mismatch.
    let logged = Server::tls(&leaf_with_scts(&world.intermediate, &[HOST], &logs.all()));
    let report = world
        .check()
        .arg("--ct-logs")
        .arg(list.display())
        .via(&logged)
        .json();
    let r = report.expect("suspicious", &["pin_mismatch"], 1);
    assert!(!has_reason(r, "rogue_public_ca"), "{report:?}");
}

#[test]
fn a_forged_chain_s_missing_scts_support_the_verdict() {
    let world = World::new();
    let logs = TestLogs::two_operators();
    let list = world.path("ct-logs.json");
    logs.write_list(&list);
    let server = Server::forging(world.evil.clone());
    let report = world
        .check()
        .arg("--ct-logs")
        .arg(list.display())
        .via(&server)
        .json();
    let r = report.expect("intercepted", &["untrusted_root", "ct_missing"], 2);
    assert!(
        r["evidence"]
            .as_array()
            .is_some_and(|e| e.iter().any(|x| x["code"] == "ct")),
        "{report:?}"
    );
}

#[test]
fn bad_ct_logs_file_is_a_usage_error_naming_file_and_json_path() {
    let world = World::new();
    let list = world.path("ct-logs.json");
    write_file(
        &list,
        r#"{"log_list_timestamp": "2026-11-01T00:00:00Z", "operators": [{"name": "A", "logs": [{"log_id": "AAAA", "key": "AAAA"}]}]}"#,
    );
    let line = usage_error(
        world.check().arg("--ct-logs").arg(list.display()),
        &format!(
            "CT log list {}: operators[0].logs[0].log_id: ",
            list.display()
        ),
    );
    assert!(line.ends_with("not the base64 of 32 bytes"), "{line}");
    let huge = world.path("huge.json");
    write_file(&huge, &" ".repeat(5 * 1024 * 1024));
    usage_error(
        world.check().arg("--ct-logs").arg(huge.display()),
        &format!("{}: larger than 4194304 bytes", huge.display()),
    );
    usage_error(
        world
            .check()
            .arg("--ct-logs")
            .arg(world.path("absent.json").display()),
        "absent.json: ",
    );
}

#[test]
fn bad_connect_to_is_a_usage_error() {
    let world = World::new();
    usage_error(
        world.check().arg("--connect-to").arg("nonsense"),
        "--connect-to `nonsense`",
    );
}

// j. Broken pipe.

#[test]
fn closed_stdout_is_not_reported_as_an_error() {
    let world = World::new();
    let server = world.genuine_server();
    for format in ["text", "json"] {
        let mut child = world
            .check()
            .via(&server)
            .arg("--format")
            .arg(format)
            .command()
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn pinwatch");
        // Like `pinwatch check | head -1` once head has gone: nobody reads.
        drop(child.stdout.take());
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .expect("stderr is piped")
            .read_to_string(&mut stderr)
            .expect("read stderr");
        let status = child.wait().expect("wait for pinwatch");
        assert!(stderr.is_empty(), "--format {format}: stderr: {stderr}");
        assert!(
            status.code().is_some(),
            "--format {format}: killed by a signal: {status}"
        );
        assert_ne!(status.code(), Some(101), "--format {format}: panicked");
    }
}

// k. Text output.

fn text_run(world: &World, middlebox: &Server) -> Run {
    world.check().via(middlebox).arg("--format").arg("text")
}

#[test]
fn text_output_explains_an_interception() {
    let world = World::new();
    let middlebox = Server::forging(world.evil.clone());
    let out = text_run(&world, &middlebox)
        .arg("--color")
        .arg("never")
        .output();
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(
        out.stdout
            .lines()
            .any(|l| l.contains("INTERCEPTED") && l.contains(&format!("{HOST}:443"))),
        "{out:#?}"
    );
    assert!(out.stdout.contains("What to do"), "{out:#?}");
    assert!(!out.stdout.contains('\x1b'), "{out:#?}");
}

#[test]
fn text_output_speaks_chinese_from_the_locale_or_the_flag() {
    let world = World::new();
    let middlebox = Server::forging(world.evil.clone());
    for run in [
        text_run(&world, &middlebox).env("LANG", "zh_CN.UTF-8"),
        text_run(&world, &middlebox)
            .env("LANG", "en_US.UTF-8")
            .arg("--lang")
            .arg("zh"),
    ] {
        let out = run.output();
        assert_eq!(out.code, 2, "{out:#?}");
        assert!(out.stdout.starts_with("结论"), "{out:#?}");
        assert!(out.stdout.contains("被拦截"), "{out:#?}");
        assert!(out.stdout.contains("怎么办："), "{out:#?}");
        assert!(
            out.stdout.contains("测试消息"),
            "the service's Chinese exposure line: {out:#?}"
        );
        assert!(
            !out.stdout.contains('\u{2068}'),
            "no Fluent isolation marks: {out:#?}"
        );
    }
    let english = text_run(&world, &middlebox)
        .env("LANG", "zh_CN.UTF-8")
        .env("LC_ALL", "C")
        .output();
    assert!(
        english.stdout.starts_with("VERDICT"),
        "LC_ALL wins: {english:#?}"
    );
}

#[test]
fn text_output_is_colored_only_when_asked() {
    let world = World::new();
    let middlebox = Server::forging(world.evil.clone());
    for run in [
        text_run(&world, &middlebox),
        text_run(&world, &middlebox).env("NO_COLOR", "1"),
        text_run(&world, &middlebox)
            .env("NO_COLOR", "1")
            .arg("--color")
            .arg("auto"),
    ] {
        let out = run.output();
        assert_eq!(out.code, 2, "{out:#?}");
        assert!(
            !out.stdout.contains('\x1b'),
            "escape codes on a pipe: {out:#?}"
        );
    }
    let out = text_run(&world, &middlebox)
        .arg("--color")
        .arg("always")
        .output();
    assert!(out.stdout.contains("\x1b["), "--color always: {out:#?}");
}

// A real interception tool: mitmproxy.

#[test]
fn mitmproxy_is_recognised_with_the_built_in_pins() {
    let world = World::new();
    let Some(mitm) = Mitmdump::start(world.dir()) else {
        return;
    };
    // A genuine server on loopback: if mitmproxy ever went upstream, it
    // would come here ("localhost" resolves to loopback).
    let genuine = world.genuine_server();
    let target = format!("localhost:{}", genuine.addr().port());
    let run = |ssl_cert_file: &std::path::Path| {
        world
            .bare_check(ssl_cert_file)
            .arg(&target)
            .arg("--proxy")
            .arg(mitm.url())
            .json()
    };
    let report = run(&world.path("system.pem"));
    assert_eq!(
        report.out.code,
        2,
        "{report:?}\nmitmdump log:\n{}",
        mitm.log_text()
    );
    let r = report.expect("intercepted", &["untrusted_root", "unknown_root"], 2);
    assert_eq!(r["interceptor"]["name"], "mitmproxy", "{report:?}");
    assert_eq!(r["anchor"], "none", "{report:?}");
    assert_eq!(r["via_proxy"], mitm.url(), "{report:?}");

    let report = run(&mitm.ca_cert());
    let r = report.expect("intercepted", &["system_root_installed"], 2);
    assert_eq!(r["anchor"], "system", "{report:?}");
    assert_eq!(r["interceptor"]["name"], "mitmproxy", "{report:?}");
}
