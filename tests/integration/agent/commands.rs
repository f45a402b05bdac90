//! Config errors, and `pinwatch status` / `history` on the journal the
//! agent wrote.

use serde_json::Value;

use super::{attributing_world, records};
use crate::support::pins::{INTERCEPTOR_NAME, PinsSpec, SERVICE};
use crate::support::server::{Server, closed_port};
use crate::support::{HOST, Outcome, World, write_file};

/// Runs the agent (not `--once`: a bad config must stop it at once) with
/// `config` as its config file; asserts exit 3, one stderr line starting
/// with `pinwatch: <file>:<line>:<column>: ` and containing `key`, and that
/// nothing was journalled.
fn bad_config(config: &str, line: usize, column: usize, key: &str) -> Outcome {
    let world = World::new();
    let file = world.path("bad.toml");
    write_file(&file, config);
    let journal = world.journal().display().to_string();
    let out = world.run_pinwatch(&[
        "agent",
        "--config",
        &file.display().to_string(),
        "--journal",
        &journal,
    ]);
    assert_eq!(out.code, 3, "{config:?}: {out:#?}");
    assert!(out.stdout.is_empty(), "{config:?}: {out:#?}");
    assert_eq!(out.stderr.lines().count(), 1, "{config:?}: {out:#?}");
    let place = format!("pinwatch: {}:{line}:{column}: ", file.display());
    assert!(
        out.stderr.starts_with(&place),
        "{config:?}: expected `{place}`: {out:#?}"
    );
    assert!(
        out.stderr.contains(key),
        "{config:?}: the key `{key}` is named: {out:#?}"
    );
    assert!(
        !world.journal().exists(),
        "{config:?}: a journal was written: {out:#?}"
    );
    assert!(
        !world.path("state/report.html").exists(),
        "{config:?}: a details page was written"
    );
    out
}

#[test]
fn a_bad_config_stops_the_agent_naming_file_line_column_and_key() {
    bad_config(
        "language = \"en\"\ninterval_minutes = 0.5\n",
        2,
        20,
        "interval_minutes: 0.5 is out of range",
    );
    bad_config(
        "\n\ndebounce_seconds = 900\n",
        3,
        20,
        "debounce_seconds: 900 is out of range",
    );
    bad_config(
        "notifications = true\nintervl_minutes = 5\n",
        2,
        1,
        "unknown field `intervl_minutes`",
    );
    bad_config(
        "services = [\"wechat\", \"icq\"]\n",
        1,
        23,
        "services: unknown service `icq`",
    );
    bad_config(
        "language = \"fr\"\n",
        1,
        12,
        "language: `fr` is not supported",
    );
}

#[test]
fn a_config_value_of_the_wrong_type_names_the_key() {
    bad_config("tray = \"yes\"\n", 1, 8, "tray");
    bad_config("\ntimeout_seconds = \"3\"\n", 2, 19, "timeout_seconds");
    bad_config("connect_to = \"a\"\n", 1, 14, "connect_to");
    let out = bad_config(
        "interval_minutes = \"5\"\n",
        1,
        20,
        "interval_minutes: invalid type: string \"5\", expected a number",
    );
    assert!(!out.stderr.contains("$__"), "no serde internals: {out:#?}");
    bad_config(
        "language = 5\n",
        1,
        12,
        "language: invalid type: integer `5`, expected a string",
    );
}

/// `pinwatch status --format json`: (exit code, document).
fn status_json(world: &World) -> (i32, Value) {
    let journal = world.journal().display().to_string();
    let out = world.run_pinwatch(&["status", "--format", "json", "--journal", &journal]);
    let doc: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("status is not JSON ({e}): {out:#?}"));
    assert_eq!(doc["schema"], "pinwatch.status/1", "{out:#?}");
    assert_eq!(doc["exit_code"], out.code, "{out:#?}");
    (out.code, doc)
}

/// `pinwatch status ARGS` (text).
fn status_text(world: &World, args: &[&str]) -> Outcome {
    let journal = world.journal().display().to_string();
    let mut all = vec!["status", "--journal", &journal];
    all.extend(args);
    world.run_pinwatch(&all)
}

/// One agent cycle against `server` (`None`: a closed port): the agent's
/// exit code, which must equal `pinwatch check`'s and `pinwatch status`'s.
fn cycle(world: &World, server: Option<&Server>) -> i32 {
    let port = server.map_or_else(closed_port, |s| s.addr().port());
    let agent = world.agent().via(port).once();
    let check = world
        .check()
        .arg(HOST)
        .connect_to(HOST, port)
        .arg("--timeout")
        .arg("5s")
        .output();
    let (status, doc) = status_json(world);
    assert_eq!(
        (agent.code, status),
        (check.code, check.code),
        "agent --once, status and check agree:\nagent: {agent:#?}\ncheck: {check:#?}\nstatus: {doc:#}"
    );
    agent.code
}

#[test]
fn status_and_history_report_the_last_cycle_and_exit_like_check() {
    let world = attributing_world();
    let journal = world.journal().display().to_string();

    // Nothing recorded yet.
    let (code, doc) = status_json(&world);
    assert_eq!(code, 3, "{doc:#}");
    assert_eq!(doc["checked_at"], Value::Null, "{doc:#}");
    assert_eq!(doc["results"], serde_json::json!([]), "{doc:#}");
    let out = status_text(&world, &[]);
    assert_eq!(out.code, 3, "{out:#?}");
    assert!(
        out.stdout
            .starts_with("No agent running; no check has been recorded yet."),
        "{out:#?}"
    );

    // Intercepted.
    let middlebox = Server::forging(world.evil.clone());
    assert_eq!(cycle(&world, Some(&middlebox)), 2);
    let (_, doc) = status_json(&world);
    assert_eq!(doc["trigger"], "start", "{doc:#}");
    assert!(
        doc["checked_at"].as_str().is_some_and(|t| t.ends_with('Z')),
        "{doc:#}"
    );
    let results = doc["results"].as_array().cloned().unwrap_or_default();
    assert_eq!(results.len(), 1, "{doc:#}");
    assert_eq!(results[0]["type"], "check", "{doc:#}");
    assert_eq!(results[0]["host"], HOST, "{doc:#}");
    assert_eq!(results[0]["port"], 443, "{doc:#}");
    assert_eq!(results[0]["service"], SERVICE, "{doc:#}");
    assert_eq!(results[0]["verdict"], "intercepted", "{doc:#}");
    assert_eq!(results[0]["interceptor"], INTERCEPTOR_NAME, "{doc:#}");
    assert!(
        results[0]["issuer"]
            .as_str()
            .is_some_and(|i| i.contains("Evil Corp Interception CA")),
        "{doc:#}"
    );
    // The details page the agent wrote leads with the verdict, names the
    // interceptor, and lists this incident among the recent ones.
    let page = std::fs::read_to_string(world.journal().with_file_name("report.html"))
        .expect("agent --once writes report.html next to the journal");
    assert!(page.contains("data-verdict=\"intercepted\""), "{page}");
    assert!(page.contains("Evil Corp Interceptor"), "{page}");
    assert!(page.contains("id=\"network\""), "{page}");
    let recent = page.split("id=\"recent\"").nth(1).unwrap_or_default();
    assert_eq!(recent.matches("<tr><td>").count(), 1, "{page}");
    // One summary line: no agent runs, the last check, the verdict per
    // interceptor; the hosts only with --verbose.
    let out = status_text(&world, &[]);
    assert_eq!(out.code, 2, "{out:#?}");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{out:#?}");
    assert!(
        lines[2].starts_with("Knowledge: bundle 1 (built-in), issued "),
        "the knowledge in use and its age: {out:#?}"
    );
    assert!(
        lines[0].starts_with("No agent running; last check ")
            && lines[0].ends_with(&format!(
                " (start): INTERCEPTED by Evil Corp Interceptor: {SERVICE}"
            )),
        "{out:#?}"
    );
    assert_eq!(lines[1], "(pinwatch status --verbose lists every host)");
    let out = status_text(&world, &["--verbose"]);
    assert_eq!(out.code, 2, "{out:#?}");
    let mut lines = out.stdout.lines().skip(1);
    let line = lines.next().unwrap_or_default();
    let row: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(
        row[..6],
        [
            "INTERCEPTED",
            &format!("{HOST}:443"),
            SERVICE,
            "(Evil",
            "Corp",
            "Interceptor)"
        ],
        "{out:#?}"
    );
    assert!(
        line.ends_with(
            "(Evil Corp Interceptor)  its root is not trusted here (apps that check show errors)"
        ),
        "says whether this machine trusts the root: {out:#?}"
    );

    // Suspicious: publicly valid, outside the pinset.
    world.write_pins(&PinsSpec {
        other_pin: Some(world.evil.spki_sha256()),
        ..world.pins()
    });
    let genuine = world.genuine_server();
    assert_eq!(cycle(&world, Some(&genuine)), 1);
    // Ok.
    world.write_pins(&world.pins());
    assert_eq!(cycle(&world, Some(&genuine)), 0);
    let out = status_text(&world, &["-v"]);
    assert!(
        out.stdout
            .lines()
            .next()
            .is_some_and(|l| l.ends_with(": 1 ok")),
        "{out:#?}"
    );
    assert!(
        out.stdout
            .lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("ok") && l.contains(HOST)),
        "{out:#?}"
    );
    // Nothing reachable.
    assert_eq!(cycle(&world, None), 3);

    // The history holds all four cycles, oldest first.
    let history = world.history_json();
    assert_eq!(history["skipped"], 0, "{history:#}");
    let verdicts: Vec<&str> = records(&history, "check")
        .iter()
        .filter_map(|r| r["verdict"].as_str())
        .collect();
    assert_eq!(
        verdicts,
        ["intercepted", "suspicious", "ok", "unreachable"],
        "{history:#}"
    );
    let alerts: Vec<(&str, bool)> = records(&history, "alert")
        .iter()
        .filter_map(|r| Some((r["kind"].as_str()?, r["shown"].as_bool()?)))
        .collect();
    assert_eq!(
        alerts,
        [("interception", false), ("resolved", false)],
        "--once runs carry their incidents over: the interception is announced \
         once, its getting milder is not news, its end is; notifications are \
         off in this test: {history:#}"
    );

    let out = world.run_pinwatch(&["history", "--journal", &journal]);
    assert_eq!(out.code, 0, "{out:#?}");
    let text = out.stdout;
    assert_eq!(
        text.lines()
            .filter(|l| l.contains("  cycle  start"))
            .count(),
        4,
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.ends_with(&format!(
            "  check  {SERVICE} {HOST}:443 INTERCEPTED ({INTERCEPTOR_NAME})"
        ))),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l
                .ends_with("  alert  interception: Software on this device is intercepting your encrypted connections (not shown)")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.ends_with(&format!("  check  {SERVICE} {HOST}:443 unreachable"))),
        "{text}"
    );

    // --limit keeps the newest records.
    let out = world.run_pinwatch(&[
        "history",
        "--format",
        "json",
        "--limit",
        "2",
        "--journal",
        &journal,
    ]);
    let doc: Value = serde_json::from_str(&out.stdout).unwrap_or_default();
    let last: Vec<&str> = doc["records"]
        .as_array()
        .map(|rs| rs.iter().filter_map(|r| r["type"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(last, ["cycle", "check"], "{out:#?}");
}

/// `agent --config FILE` with no such file is a usage error (exit 3, one
/// line naming the file, in the user's language), not an agent on the
/// defaults.
#[test]
fn a_config_file_named_on_the_command_line_must_exist() {
    let world = World::new();
    let missing = world.path("nonexistent.toml").display().to_string();
    let journal = world.journal().display().to_string();
    let out = world.run_pinwatch(&["agent", "--config", &missing, "--journal", &journal]);
    assert_eq!(out.code, 3, "{out:#?}");
    assert_eq!(out.stderr.lines().count(), 1, "{out:#?}");
    assert!(
        out.stderr
            .starts_with(&format!("pinwatch: {missing}: cannot read: ")),
        "{out:#?}"
    );
    assert!(
        out.stderr
            .contains("the file given with --config must exist"),
        "{out:#?}"
    );
    assert!(!world.journal().exists(), "nothing was journalled");
    let out = world.run_pinwatch(&[
        "agent",
        "--lang",
        "zh",
        "--config",
        &missing,
        "--journal",
        &journal,
    ]);
    assert_eq!(out.code, 3, "{out:#?}");
    assert!(
        out.stderr.contains("--config 指定的文件必须存在"),
        "{out:#?}"
    );
}

/// `status` says whether an agent is running now (its instance lock): the
/// running agent's pid, then, once it stopped, that none runs.
#[test]
fn status_says_whether_an_agent_is_running() {
    let world = World::new();
    let genuine = world.genuine_server();
    let mut agent = world.agent().via(genuine.addr().port()).spawn();
    agent.wait_cycles(1);
    let pid = agent.pid();
    let out = status_text(&world, &[]);
    assert_eq!(out.code, 0, "{out:#?}");
    assert!(
        out.stdout
            .starts_with(&format!("Agent running (pid {pid}); last check ")),
        "{out:#?}"
    );
    let (_, doc) = status_json(&world);
    assert_eq!(doc["agent"]["running"], true, "{doc:#}");
    assert_eq!(doc["agent"]["pid"], pid, "{doc:#}");
    assert_eq!(agent.stop(), 0);
    let out = status_text(&world, &["--lang", "zh"]);
    assert!(
        out.stdout.starts_with("后台程序没有运行；上次检查："),
        "{out:#?}"
    );
    assert!(out.stdout.contains("：1个正常"), "{out:#?}");
    let (_, doc) = status_json(&world);
    assert_eq!(doc["agent"]["running"], false, "{doc:#}");
}
