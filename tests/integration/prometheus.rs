//! Prometheus, with the real parts: `promtool` (Debian's prometheus) lints
//! pinwatch's metrics, checks the shipped rules and runs their unit tests,
//! also on series a real run wrote; a real `prometheus-node-exporter`
//! serves the textfile after a run that checked, one that could not write
//! its file, and one that could not check. Nothing leaves 127.0.0.1.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::fleet::{Fleet, OK_HOST, PROMTOOL, http_get, packaging, pipe};
use crate::support::pins::{INTERCEPTOR_NAME, SERVICE};
use crate::support::process::{Proc, poll, require, run};
use crate::support::server::{Server, free_port};
use crate::support::{HOST, Outcome, World, outcome, write_file};

/// `promtool check metrics` on `text`: it passes, without a lint.
fn lint(text: &str) {
    let promtool = pipe(Command::new("promtool").args(["check", "metrics"]), text);
    assert_eq!(promtool.code, 0, "promtool check metrics: {promtool:#?}");
    assert_eq!(
        format!("{}{}", promtool.stdout, promtool.stderr).trim(),
        "",
        "promtool's lint: {promtool:#?}\n{text}"
    );
}

/// The samples of an exposition (no comments).
fn samples(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// `promtool test rules` input series for the samples of `text`, as
/// scraped from machine `instance` (job `node`), each held for 30 minutes.
pub(crate) fn input_series(text: &str, instance: &str) -> String {
    let mut series = String::new();
    for line in samples(text) {
        let (metric, value) = line.rsplit_once(' ').expect("metric value");
        let metric = match metric.split_once('{') {
            Some((name, labels)) => {
                format!(r#"{name}{{instance="{instance}",job="node",{labels}"#)
            }
            None => format!(r#"{metric}{{instance="{instance}",job="node"}}"#),
        };
        series.push_str(&format!(
            "      - series: '{}'\n        values: \"{value}x30\"\n",
            metric.replace('\'', "''")
        ));
    }
    series
}

/// Runs `promtool test rules` on `test` (the shipped rules loaded), in `dir`.
pub(crate) fn promtool_test(dir: &Path, test: &str) {
    let path = dir.join("real.test.yml");
    write_file(&path, test);
    let mut cmd = Command::new("promtool");
    cmd.args(["test", "rules"]).arg(&path);
    let (status, stdout, stderr) = run("promtool", cmd, Duration::from_secs(120));
    assert!(
        status.success(),
        "promtool test rules on real metrics: {status}\n{stdout}\n{stderr}\n{test}"
    );
}

/// The head of a rules test loading the shipped rules.
pub(crate) fn rules_test_head() -> String {
    format!(
        "rule_files:\n  - {}\nevaluation_interval: 1m\ntests:\n",
        packaging("prometheus/pinwatch.rules.yml").display()
    )
}

#[test]
fn prometheus_output_passes_promtool() {
    let Some(()) = require("promtool check metrics", PROMTOOL) else {
        return;
    };
    let fleet = Fleet::new();
    let out = fleet
        .check(&[0, 1, 2])
        .arg("--format")
        .arg("prometheus")
        .output();
    assert_eq!(out.code, 2, "{out:#?}");
    for line in [
        format!(r#"pinwatch_service_targets{{service="{SERVICE}",verdict="intercepted"}} 1"#),
        r#"pinwatch_service_targets{service="",verdict="ok"} 1"#.to_string(),
        r#"pinwatch_service_targets{service="",verdict="unreachable"} 1"#.to_string(),
        format!(
            r#"pinwatch_interception_targets{{interceptor="evil-corp",issuer="Evil Corp Interception CA",key="{}",proxy="",location="this_device",sanctioned="false",note="",service="{SERVICE}"}} 1"#,
            fleet.world.evil.spki_sha256()
        ),
        "pinwatch_check_success 1".to_string(),
        "pinwatch_check_exit_code 2".to_string(),
    ] {
        assert!(
            out.stdout.lines().any(|l| l == line),
            "missing {line}: {out:#?}"
        );
    }
    assert!(
        !out.stdout.contains("host="),
        "no per-host series: {out:#?}"
    );
    lint(&out.stdout);

    let hosts = fleet
        .check(&[0, 1, 2])
        .arg("--format")
        .arg("prometheus")
        .arg("--prometheus-hosts")
        .output();
    assert_eq!(hosts.code, 2, "{hosts:#?}");
    for line in [
        format!(
            r#"pinwatch_target_verdict{{host="{HOST}",port="443",service="{SERVICE}",verdict="intercepted"}} 1"#
        ),
        format!(
            r#"pinwatch_target_verdict{{host="{OK_HOST}",port="443",service="",verdict="ok"}} 1"#
        ),
        format!(
            r#"pinwatch_target_info{{host="{HOST}",port="443",service="{SERVICE}",interceptor="evil-corp",anchor="none",location="this_device",issuer="Evil Corp Interception CA",sanctioned="false"}} 1"#
        ),
    ] {
        assert!(
            hosts.stdout.lines().any(|l| l == line),
            "missing {line}: {hosts:#?}"
        );
    }
    lint(&hosts.stdout);
}

#[test]
fn shipped_rules_and_config_pass_promtool() {
    let Some(()) = require("promtool check rules", PROMTOOL) else {
        return;
    };
    let dir = packaging("prometheus");
    for args in [
        vec!["check", "rules", "pinwatch.rules.yml"],
        vec!["test", "rules", "pinwatch.rules.test.yml"],
        vec!["check", "config", "prometheus.yml"],
    ] {
        let mut cmd = Command::new("promtool");
        cmd.args(&args).current_dir(&dir);
        let (status, stdout, stderr) = run("promtool", cmd, Duration::from_secs(60));
        assert!(
            status.success(),
            "promtool {}: {status}\n{stdout}\n{stderr}",
            args.join(" ")
        );
    }
}

/// The series of one machine of a fleet where every one of the 124
/// built-in hosts is intercepted by one forging middlebox (the issue's
/// café PC): one `PinwatchInterception` alert, naming every service in its
/// annotation, not 124. Also the series count the README gives.
pub(crate) fn every_builtin_host_intercepted(extra: &[&str]) -> (World, Server, Outcome) {
    let world = World::new();
    let middlebox = Server::forging(world.evil.clone());
    let mut run = world
        .bare_check(&world.path("system.pem"))
        .arg("--connect-to")
        .arg(format!("::127.0.0.1:{}", middlebox.addr().port()))
        .arg("--format")
        .arg("prometheus");
    for arg in extra {
        run = run.arg(arg);
    }
    let out = run.output();
    (world, middlebox, out)
}

#[test]
fn one_alert_for_one_machine_intercepted_on_124_hosts() {
    let Some(()) = require("promtool test rules", PROMTOOL) else {
        return;
    };
    let (world, _middlebox, out) = every_builtin_host_intercepted(&[]);
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(
        out.stdout
            .lines()
            .any(|l| l == r#"pinwatch_check_targets{verdict="intercepted"} 124"#),
        "124 hosts intercepted: {out:#?}"
    );
    lint(&out.stdout);
    let mut services: Vec<String> = samples(&out.stdout)
        .iter()
        .filter(|l| l.starts_with("pinwatch_interception_targets{"))
        .filter_map(|l| l.split("service=\"").nth(1))
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect();
    services.sort();
    assert_eq!(services.len(), 21, "one series per service: {services:?}");
    let key = world.evil.spki_sha256();
    let test = format!(
        r#"{head}  - interval: 1m
    input_series:
{series}    alert_rule_test:
      - eval_time: 5m
        alertname: PinwatchInterception
        exp_alerts:
          - exp_labels:
              severity: critical
              instance: "cafe-01:9100"
              job: node
              issuer: Evil Corp Interception CA
              key: "{key}"
              location: this_device
            exp_annotations:
              summary: "cafe-01:9100: TLS intercepted by an unknown interceptor (124 targets)"
              services: "{services}"
              description: >-
                pinwatch on cafe-01:9100 was shown certificates that no
                public CA signed, issued by "Evil Corp Interception CA"
                (key {key}; where: this_device).
                Run `pinwatch check` there for the evidence and what to do.
    promql_expr_test:
      - expr: pinwatch:machines_intercepted:count
        eval_time: 5m
        exp_samples:
          - labels: "pinwatch:machines_intercepted:count"
            value: 1
      - expr: instance:pinwatch_intercepted_targets:sum
        eval_time: 5m
        exp_samples:
          - labels: 'instance:pinwatch_intercepted_targets:sum{{instance="cafe-01:9100",job="node"}}'
            value: 124
"#,
        head = rules_test_head(),
        series = input_series(&out.stdout, "cafe-01:9100"),
        services = services.join(", "),
    );
    promtool_test(world.dir(), &test);
}

/// Serves `textfiles` with a real node_exporter on a loopback port.
fn node_exporter(textfiles: &Path) -> (Proc, u16) {
    let port = free_port();
    let mut cmd = Command::new("prometheus-node-exporter");
    cmd.arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg("--collector.disable-defaults")
        .arg("--collector.textfile")
        .arg(format!(
            "--collector.textfile.directory={}",
            textfiles.display()
        ));
    (Proc::spawn("prometheus-node-exporter", cmd), port)
}

/// The pinwatch series node_exporter serves now, and whether it could read
/// its textfiles.
fn scrape(exporter: &mut Proc, port: u16) -> String {
    let metrics = poll(Duration::from_secs(30), || {
        exporter.assert_running();
        http_get(port, "/metrics")
    })
    .expect("node_exporter answers on /metrics");
    assert!(
        metrics.lines().any(|l| l == "node_textfile_scrape_error 0"),
        "node_exporter read the textfile: {metrics}"
    );
    metrics
        .lines()
        .filter(|l| {
            l.starts_with("pinwatch_")
                || l.starts_with("# HELP pinwatch_")
                || l.starts_with("# TYPE pinwatch_")
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

/// A directory nobody may create files in for as long as it lives: made
/// immutable (`chattr +i`) when running as root, whom permissions do not
/// stop, else read-only.
struct Unwritable<'a>(&'a Path);

impl<'a> Unwritable<'a> {
    fn new(dir: &'a Path) -> Option<Unwritable<'a>> {
        use std::os::unix::fs::MetadataExt as _;
        let root = std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
        let ok = if root {
            require("an immutable directory", &[("chattr", "e2fsprogs")])?;
            Command::new("chattr")
                .arg("+i")
                .arg(dir)
                .status()
                .is_ok_and(|s| s.success())
        } else {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).is_ok()
        };
        if !ok {
            crate::support::process::unavailable(
                "a directory pinwatch cannot write",
                "chattr +i failed (a file system without the immutable attribute)",
            );
            return None;
        }
        Some(Unwritable(dir))
    }
}

impl Drop for Unwritable<'_> {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").arg(self.0).status();
        use std::os::unix::fs::PermissionsExt as _;
        let _ = std::fs::set_permissions(self.0, std::fs::Permissions::from_mode(0o755));
    }
}

/// The metrics file through node_exporter, as a fleet's Prometheus sees
/// it: a run that checked; then a run that cannot write the file (its
/// directory is not writable): exit 3 and `PINWATCH UNKNOWN` naming the
/// file, while node_exporter keeps serving the previous file unchanged, so
/// `PinwatchCheckStale` fires once its time is two hours old; then a run
/// that could not check at all (an unknown service): the file says
/// `pinwatch_check_success 0`, and `PinwatchCheckFailed` fires on the
/// series node_exporter served.
#[test]
fn node_exporter_serves_runs_that_checked_could_not_write_and_could_not_check() {
    let Some(()) = require(
        "node_exporter's textfile collector and promtool",
        &[
            ("prometheus-node-exporter", "prometheus-node-exporter"),
            ("promtool", "prometheus"),
        ],
    ) else {
        return;
    };
    let fleet = Fleet::new();
    let textfiles = fleet.world.path("textfile");
    std::fs::create_dir_all(&textfiles).expect("create the textfile directory");
    let prom = textfiles.join("pinwatch.prom");
    let (mut exporter, port) = node_exporter(&textfiles);
    // The metrics unit's command line, for two targets.
    let metrics_run = || {
        fleet
            .check(&[0, 1])
            .arg("--format")
            .arg("nagios")
            .arg("--prometheus-file")
            .arg(prom.display())
            .output()
    };

    let checked = metrics_run();
    assert_eq!(checked.code, 2, "{checked:#?}");
    assert!(
        checked.stdout.starts_with("PINWATCH CRITICAL - "),
        "{checked:#?}"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&textfiles)
        .expect("list the textfile directory")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(leftovers, ["pinwatch.prom"], "no temporary file left");
    let first = scrape(&mut exporter, port);
    for line in [
        format!(r#"pinwatch_service_targets{{service="{SERVICE}",verdict="intercepted"}} 1"#),
        "pinwatch_check_success 1".to_string(),
        "pinwatch_check_exit_code 2".to_string(),
    ] {
        assert!(
            first.lines().any(|l| l == line),
            "node_exporter serves {line}:\n{first}"
        );
    }

    // The directory becomes unwritable: the run fails, loudly.
    let written = std::fs::read_to_string(&prom).expect("read the metrics file");
    {
        let Some(_locked) = Unwritable::new(&textfiles) else {
            return;
        };
        let failed = metrics_run();
        assert_eq!(failed.code, 3, "{failed:#?}");
        let line = failed.stdout.lines().next().unwrap_or_default();
        assert!(
            line.starts_with(&format!(
                "PINWATCH UNKNOWN - cannot write the metrics file {}: ",
                prom.display()
            )) && line.ends_with(&format!(
                "; the check found: 1 intercepted (Test Chat) by {INTERCEPTOR_NAME}; 1 ok"
            )),
            "{failed:#?}"
        );
        assert_eq!(failed.stdout.lines().count(), 1, "{failed:#?}");
        assert_eq!(
            std::fs::read_to_string(&prom).expect("read the metrics file"),
            written,
            "the previous file stays as it was"
        );
        let served = scrape(&mut exporter, port);
        assert_eq!(served, first, "node_exporter serves the previous run");
        // The served series, from the moment they were written: their
        // timestamp is rebased to promtool's clock, which starts at 0.
        let stamp = samples(&served)
            .iter()
            .find_map(|l| l.strip_prefix("pinwatch_check_timestamp_seconds "))
            .expect("a timestamp")
            .to_string();
        let rebased = served.replace(
            &format!("pinwatch_check_timestamp_seconds {stamp}"),
            "pinwatch_check_timestamp_seconds 0",
        );
        let series = input_series(&rebased, "cafe-01:9100").replace("x30\"", "x200\"");
        let test = format!(
            r#"{head}  - interval: 1m
    input_series:
{series}    alert_rule_test:
      - eval_time: 1h
        alertname: PinwatchCheckStale
        exp_alerts: []
      - eval_time: 2h20m
        alertname: PinwatchCheckStale
        exp_alerts:
          - exp_labels:
              severity: warning
              instance: "cafe-01:9100"
              job: node
            exp_annotations:
              summary: "pinwatch has not checked on cafe-01:9100 for 2h 20m 0s"
              description: "See `systemctl status pinwatch-metrics.timer pinwatch-metrics.service` there."
"#,
            head = rules_test_head(),
        );
        promtool_test(fleet.world.dir(), &test);
    }

    // A run that cannot check at all still writes the file: success 0.
    let broken = fleet
        .world
        .check()
        .arg("--service")
        .arg("wechta")
        .arg("--format")
        .arg("nagios")
        .arg("--prometheus-file")
        .arg(prom.display())
        .output();
    assert_eq!(broken.code, 3, "{broken:#?}");
    assert!(
        broken
            .stdout
            .starts_with("PINWATCH UNKNOWN - unknown service `wechta` (known: "),
        "{broken:#?}"
    );
    let served = scrape(&mut exporter, port);
    for line in ["pinwatch_check_success 0", "pinwatch_check_exit_code 3"] {
        assert!(
            served.lines().any(|l| l == line),
            "node_exporter serves {line}:\n{served}"
        );
    }
    assert!(
        !served.contains("pinwatch_service_targets"),
        "no verdict stands: {served}"
    );
    let message = samples(&served)
        .iter()
        .find_map(|l| l.split("message=\"").nth(1))
        .and_then(|rest| rest.rsplit_once("\"}"))
        .map(|(m, _)| m.replace("\\\"", "\""))
        .expect("pinwatch_check_error names the message");
    assert!(message.starts_with("unknown service `wechta`"), "{served}");
    let test = format!(
        r#"{head}  - interval: 1m
    input_series:
{series}    alert_rule_test:
      - eval_time: 5m
        alertname: PinwatchCheckFailed
        exp_alerts:
          - exp_labels:
              severity: warning
              instance: "cafe-01:9100"
              job: node
            exp_annotations:
              summary: "pinwatch cannot check on cafe-01:9100"
              description: "usage error: {message}. See `systemctl status pinwatch-metrics.service` there."
      - eval_time: 5m
        alertname: PinwatchInterception
        exp_alerts: []
"#,
        head = rules_test_head(),
        series = input_series(&served, "cafe-01:9100"),
        message = message.replace('\\', "\\\\").replace('"', "\\\""),
    );
    promtool_test(fleet.world.dir(), &test);
}

/// `--format prometheus` tells a run that could not check in metrics:
/// success 0 and why, on stdout, exit 3.
#[test]
fn prometheus_format_tells_a_run_that_could_not_check() {
    let Some(()) = require("promtool check metrics", PROMTOOL) else {
        return;
    };
    let world = World::new();
    let out = outcome(
        world
            .check()
            .arg("--servce")
            .arg("wechat")
            .arg("--format")
            .arg("prometheus")
            .command(),
    );
    assert_eq!(out.code, 3, "{out:#?}");
    for line in [
        "pinwatch_check_success 0",
        "pinwatch_check_exit_code 3",
        r#"pinwatch_check_error{code="usage",message="unexpected argument '--servce' found"} 1"#,
    ] {
        assert!(
            out.stdout.lines().any(|l| l == line),
            "missing {line}: {out:#?}"
        );
    }
    lint(&out.stdout);
}
