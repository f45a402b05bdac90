//! The shipped systemd units: `systemd-analyze verify` on each, then each
//! unit's own `ExecStart=` line run as systemd would run it (its
//! `Environment=`, its working directory), with the real binary, judged by
//! the unit's own `SuccessExitStatus=` and `RestartPreventExitStatus=`:
//! every verdict (intercepted, nothing reachable) leaves the unit
//! succeeded; a run that could not check at all (a mistyped option in a
//! drop-in, a missing target list, an unwritable metrics file, a broken
//! config file) fails it, with the status systemd shows. There is no
//! systemd as PID 1 here, so the unit's semantics are read from its file:
//! success is exit 0 or a status listed in `SuccessExitStatus=`. Nothing
//! leaves 127.0.0.1.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::fleet::packaging;
use crate::support::process::{require, run};
use crate::support::server::{Server, closed_port};
use crate::support::{World, write_file};

/// A unit file under packaging/.
fn unit_path(name: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging");
    if name.starts_with("pinwatch-metrics") {
        packaging("systemd").join(name)
    } else {
        root.join("systemd").join(name)
    }
}

/// A rewrite of an ExecStart line.
type Edit = Box<dyn Fn(&str) -> String>;

/// The `[Service]` settings the test needs from a unit file.
struct Unit {
    exec_start: String,
    environment: Vec<(String, String)>,
    success: Vec<i32>,
    restart_prevent: Vec<i32>,
}

impl Unit {
    fn read(name: &str) -> Unit {
        let text = std::fs::read_to_string(unit_path(name)).expect("read the unit");
        let values = |key: &str| -> Vec<String> {
            text.lines()
                .filter_map(|l| l.strip_prefix(&format!("{key}=")))
                .map(str::to_string)
                .collect()
        };
        let codes = |key: &str| -> Vec<i32> {
            values(key)
                .iter()
                .flat_map(|v| {
                    v.split_whitespace()
                        .map(|c| c.parse().expect("a code"))
                        .collect::<Vec<_>>()
                })
                .collect()
        };
        let exec_start = values("ExecStart");
        assert_eq!(exec_start.len(), 1, "{name}: one ExecStart");
        Unit {
            exec_start: exec_start[0].clone(),
            environment: values("Environment")
                .iter()
                .filter_map(|v| v.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            success: codes("SuccessExitStatus"),
            restart_prevent: codes("RestartPreventExitStatus"),
        }
    }

    /// How systemd sees a main process that exited `code`.
    fn result(&self, code: i32) -> String {
        if code == 0 || self.success.contains(&code) {
            return "succeeded".into();
        }
        let name = match code {
            64 => "USAGE",
            65 => "DATAERR",
            66 => "NOINPUT",
            74 => "IOERR",
            78 => "CONFIG",
            _ => "",
        };
        format!("failed (status={code}/{name})")
    }

    /// Runs the ExecStart line (rewritten by `edit`) under `sh`, with the
    /// unit's environment plus `env`, in `cwd`; its exit code.
    fn run(&self, edit: &dyn Fn(&str) -> String, env: &[(&str, String)], cwd: &Path) -> i32 {
        let line = edit(
            &self
                .exec_start
                .replace("/usr/bin/pinwatch", env!("CARGO_BIN_EXE_pinwatch")),
        );
        let mut cmd = Command::new("sh");
        cmd.arg("-c").arg(format!("exec {line}")).current_dir(cwd);
        cmd.env_clear().env("PATH", "/usr/bin:/bin");
        for (k, v) in &self.environment {
            cmd.env(k, v);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let (status, stdout, stderr) = run("a unit's ExecStart", cmd, Duration::from_secs(120));
        let code = status.code().unwrap_or(-1);
        eprintln!(
            "{line}\n  exit {code}\n  stdout: {}\n  stderr: {stderr}",
            stdout.lines().next().unwrap_or_default()
        );
        code
    }
}

#[test]
fn shipped_systemd_units_verify() {
    let Some(()) = require("systemd-analyze verify", &[("systemd-analyze", "systemd")]) else {
        return;
    };
    let world = World::new();
    let units = world.path("units");
    std::fs::create_dir_all(&units).expect("create the units directory");
    let names = [
        "pinwatch-metrics.service",
        "pinwatch-metrics.timer",
        "pinwatch-check.service",
        "pinwatch-check.timer",
        "pinwatch-update.service",
        "pinwatch-update.timer",
        "pinwatch-agent.service",
    ];
    for name in names {
        let text = std::fs::read_to_string(unit_path(name)).expect("read the unit");
        let text = text
            .replace("/usr/bin/pinwatch", env!("CARGO_BIN_EXE_pinwatch"))
            // The package creates this user; verify runs before any install.
            .replace("User=pinwatch\nGroup=pinwatch\n", "");
        write_file(&units.join(name), &text);
    }
    let mut system = Command::new("systemd-analyze");
    system.args(["verify", "--man=no"]);
    for name in &names[..6] {
        system.arg(units.join(name));
    }
    let (status, stdout, stderr) = run("systemd-analyze", system, Duration::from_secs(60));
    assert!(status.success(), "{status}\n{stdout}\n{stderr}");
    assert_eq!(stderr.trim(), "", "no complaint: {stdout}");
    let mut user = Command::new("systemd-analyze");
    user.args(["--user", "verify", "--man=no"])
        .arg(units.join("pinwatch-agent.service"))
        .env("XDG_RUNTIME_DIR", world.dir());
    let (status, stdout, stderr) = run("systemd-analyze --user", user, Duration::from_secs(60));
    assert!(status.success(), "{status}\n{stdout}\n{stderr}");
    assert_eq!(stderr.trim(), "", "no complaint: {stdout}");
}

/// The check service (`--format json > check.json.new`) and the metrics
/// service (`--format nagios --prometheus-file ...`): their command lines,
/// pointed at loopback, succeed for an interception (2) and for nothing
/// reachable (3), and fail for a typo in a drop-in, a missing target list
/// and (metrics) an unwritable metrics file.
#[test]
fn check_units_fail_when_they_cannot_check_and_succeed_on_every_verdict() {
    let world = World::new();
    let middlebox = Server::forging(world.evil.clone());
    let textfiles = world.path("textfile");
    std::fs::create_dir_all(&textfiles).expect("create the textfile directory");
    let home = world.dir().display().to_string();
    let env = [
        ("HOME", home.clone()),
        (
            "XDG_CONFIG_HOME",
            world.path("config").display().to_string(),
        ),
        (
            "SSL_CERT_FILE",
            world.path("system.pem").display().to_string(),
        ),
    ];
    for name in ["pinwatch-check.service", "pinwatch-metrics.service"] {
        let unit = Unit::read(name);
        let prom = textfiles.join("pinwatch.prom").display().to_string();
        // The unit's own line, every built-in host sent to `port` on
        // loopback, with `extra` as an admin's drop-in would add it.
        let line = |port: u16, extra: &str| {
            let prom = prom.clone();
            let extra = extra.to_string();
            move |l: &str| {
                l.replace(
                    "pinwatch check",
                    &format!(
                        "pinwatch check --connect-to ::127.0.0.1:{port} --no-portal-check --timeout 5s{extra}"
                    ),
                )
                .replace("/var/lib/prometheus/node-exporter/pinwatch.prom", &prom)
            }
        };
        let cwd = world.dir();
        let cases: Vec<(&str, Edit, i32, &str)> = vec![
            (
                "every host intercepted",
                Box::new(line(middlebox.addr().port(), "")),
                2,
                "succeeded",
            ),
            (
                "nothing reachable",
                Box::new(line(closed_port(), "")),
                3,
                "succeeded",
            ),
            (
                "a mistyped option in a drop-in",
                Box::new(line(closed_port(), " --servce wechat")),
                64,
                "failed (status=64/USAGE)",
            ),
            (
                "a target list that does not exist",
                Box::new(line(
                    closed_port(),
                    " --targets /etc/pinwatch/no-such-targets.txt",
                )),
                64,
                "failed (status=64/USAGE)",
            ),
        ];
        for (what, edit, code, seen) in cases {
            let exit = unit.run(&*edit, &env, cwd);
            assert_eq!(exit, code, "{name}, {what}");
            assert_eq!(unit.result(exit), seen, "{name}, {what}");
        }
        if name == "pinwatch-metrics.service" {
            let missing = world
                .path("no-such-dir/pinwatch.prom")
                .display()
                .to_string();
            let unwritable = prom.clone();
            let port = closed_port();
            let edit = |l: &str| line(port, "")(l).replace(&unwritable, &missing);
            let exit = unit.run(&edit, &env, cwd);
            assert_eq!(
                unit.result(exit),
                "failed (status=74/IOERR)",
                "{name}, an unwritable metrics file"
            );
        }
    }
}

/// The agent's user unit with a broken `/etc/pinwatch/config.toml`: the
/// agent exits 78, the unit fails and is not restarted (which would only
/// repeat the error every 10 s).
#[test]
fn the_agent_unit_fails_on_a_broken_config_and_is_not_restarted() {
    let world = World::new();
    let broken = world.path("system-config.toml");
    write_file(&broken, "interval_minutes = 0\n");
    let unit = Unit::read("pinwatch-agent.service");
    let env = [
        ("HOME", world.dir().display().to_string()),
        (
            "XDG_CONFIG_HOME",
            world.path("config").display().to_string(),
        ),
        ("XDG_STATE_HOME", world.path("state").display().to_string()),
        ("PINWATCH_SYSTEM_CONFIG", broken.display().to_string()),
    ];
    let exit = unit.run(&|l: &str| l.to_string(), &env, world.dir());
    assert_eq!(unit.result(exit), "failed (status=78/CONFIG)");
    assert!(
        unit.restart_prevent.contains(&exit),
        "Restart=on-failure would restart it: {:?}",
        unit.restart_prevent
    );
}

/// The knowledge update unit: with no source configured it succeeds (there
/// is nothing to fetch); with a broken `/etc/pinwatch/config.toml` it fails
/// with the config's own status, so the admin sees it.
#[test]
fn the_update_unit_succeeds_without_sources_and_fails_on_a_broken_config() {
    let world = World::new();
    let unit = Unit::read("pinwatch-update.service");
    let config = world.path("system-config.toml");
    let env = |config: &Path| {
        [
            ("HOME", world.dir().display().to_string()),
            ("XDG_STATE_HOME", world.path("state").display().to_string()),
            ("PINWATCH_SYSTEM_CONFIG", config.display().to_string()),
            (
                "PINWATCH_SYSTEM_STATE",
                world.path("var").display().to_string(),
            ),
        ]
    };
    write_file(&config, "update_from = []\n");
    let exit = unit.run(&|l: &str| l.to_string(), &env(&config), world.dir());
    assert_eq!(unit.result(exit), "succeeded", "no source: exit {exit}");
    write_file(&config, "update_from = [\"ftp://example.org/k\"]\n");
    let exit = unit.run(&|l: &str| l.to_string(), &env(&config), world.dir());
    assert_eq!(unit.result(exit), "failed (status=78/CONFIG)");
}
