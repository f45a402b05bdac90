//! Running `pinwatch agent` (and `history`, `status`) in a [`World`]: a
//! config file pointing the agent at the world's pins, public roots and
//! loopback servers; a journal in the world's temp dir; a hermetic
//! environment (no desktop unless a test gives one, English unless it asks
//! otherwise); and [`Agent`], a running agent whose log a test waits on.

use std::process::Command;
use std::time::Duration;

use nix::sys::signal::Signal;
use serde_json::Value;

use super::desktop::Desktop;
use super::netns::NetNs;
use super::process::{Proc, run};
use super::{HOST, LEAKY_ENV, Outcome, World};

/// How long one check cycle may take (debug build, loaded machine).
pub const CYCLE: Duration = Duration::from_secs(60);

/// The line the agent logs after each cycle's journal append.
pub const CHECKED: &str = "pinwatch agent: checked (";

/// A TOML string literal.
pub fn toml_str(s: &str) -> String {
    serde_json::to_string(s).expect("a string serializes")
}

/// A TOML array of strings.
pub fn toml_list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|s| toml_str(s)).collect();
    format!("[{}]", items.join(", "))
}

/// `HOST:443:127.0.0.1:port`, the config's form of `--connect-to`.
pub fn connect_to(host: &str, port: u16) -> String {
    format!("{host}:443:127.0.0.1:{port}")
}

impl World {
    /// The agent's journal in this world.
    pub fn journal(&self) -> std::path::PathBuf {
        self.path("state/journal.jsonl")
    }

    /// The agent's config file in this world.
    pub fn config_file(&self) -> std::path::PathBuf {
        self.path("agent.toml")
    }

    /// The system-wide config file (`/etc/pinwatch/config.toml` in a real
    /// install) the agent reads in this world; absent unless a test writes it.
    pub fn system_config_file(&self) -> std::path::PathBuf {
        self.path("system-config.toml")
    }

    /// A hermetic `pinwatch ARGS` in this world.
    pub fn pinwatch(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_pinwatch"));
        for key in LEAKY_ENV.iter().chain(&[
            "DBUS_SESSION_BUS_ADDRESS",
            "DISPLAY",
            "WAYLAND_DISPLAY",
            "LANGUAGE",
            "LC_ALL",
            "LC_MESSAGES",
        ]) {
            cmd.env_remove(key);
        }
        cmd.env("LANG", "C.UTF-8")
            .env("SSL_CERT_FILE", self.path("system.pem"))
            .env("HOME", self.dir())
            .env("XDG_CONFIG_HOME", self.path("config"))
            .env("XDG_STATE_HOME", self.path("xdg-state"))
            .env("XDG_RUNTIME_DIR", self.dir())
            // The system-wide layer: this world's, never the machine's /etc.
            .env("PINWATCH_SYSTEM_CONFIG", self.system_config_file())
            .env("PINWATCH_SYSTEM_STATE", self.path("system-state"))
            .args(args);
        cmd
    }

    /// `pinwatch ARGS` run to completion.
    pub fn run_pinwatch(&self, args: &[&str]) -> Outcome {
        outcome(&format!("pinwatch {}", args.join(" ")), self.pinwatch(args))
    }

    /// `pinwatch history --format json --journal <this world's>`, parsed.
    pub fn history_json(&self) -> Value {
        let journal = self.journal();
        let out = self.run_pinwatch(&[
            "history",
            "--format",
            "json",
            "--journal",
            &journal.display().to_string(),
        ]);
        assert_eq!(out.code, 0, "{out:#?}");
        let doc: Value = serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("history is not JSON ({e}): {out:#?}"));
        assert_eq!(doc["schema"], "pinwatch.history/1", "{out:#?}");
        doc
    }

    /// An agent run in this world: watches [`HOST`] (give it a server with
    /// [`AgentRun::via`]) with this world's pins and public roots, no
    /// desktop, no captive-portal checks, English, debounce 1 s.
    pub fn agent(&self) -> AgentRun<'_> {
        let mut run = AgentRun {
            world: self,
            config: Vec::new(),
            args: Vec::new(),
            envs: Vec::new(),
        };
        run = run
            .set("language", &toml_str("en"))
            .set("pins", &toml_str(&self.path("pins").display().to_string()))
            .set(
                "public_roots",
                &toml_str(&self.path("public-roots.pem").display().to_string()),
            )
            .set("notifications", "false")
            .set("tray", "false")
            .set("portal_check", "false")
            .set("debounce_seconds", "1")
            .set("timeout_seconds", "5");
        run
    }
}

fn outcome(name: &str, cmd: Command) -> Outcome {
    let (status, stdout, stderr) = run(name, cmd, CYCLE);
    Outcome {
        code: status
            .code()
            .unwrap_or_else(|| panic!("{name} died: {status}\nstderr:\n{stderr}")),
        stdout,
        stderr,
    }
}

/// An agent's config and command line, before it runs.
pub struct AgentRun<'w> {
    world: &'w World,
    config: Vec<(String, String)>,
    args: Vec<String>,
    envs: Vec<(String, String)>,
}

impl AgentRun<'_> {
    /// Removes config key `key`.
    pub fn unset(mut self, key: &str) -> Self {
        self.config.retain(|(k, _)| k != key);
        self
    }

    /// Sets config key `key` to the TOML value `value` (replacing it).
    pub fn set(mut self, key: &str, value: &str) -> Self {
        self.config.retain(|(k, _)| k != key);
        self.config.push((key.into(), value.into()));
        self
    }

    /// Watches [`HOST`], reached at 127.0.0.1:`port`.
    pub fn via(self, port: u16) -> Self {
        self.set("targets", &toml_list(&[HOST.to_string()]))
            .set("connect_to", &toml_list(&[connect_to(HOST, port)]))
    }

    /// Notifications on, in `desktop`'s session.
    pub fn desktop(mut self, desktop: &Desktop) -> Self {
        for (k, v) in desktop.env() {
            self.envs.push((k.into(), v));
        }
        self.set("notifications", "true")
    }

    /// Notifications and the tray icon on, in `desktop`'s session.
    pub fn desktop_with_tray(self, desktop: &Desktop) -> Self {
        self.desktop(desktop).set("tray", "true")
    }

    /// Appends a command-line argument (after `agent --config --journal`).
    pub fn arg(mut self, arg: &str) -> Self {
        self.args.push(arg.into());
        self
    }

    /// The config file's text.
    pub fn config_text(&self) -> String {
        self.config
            .iter()
            .map(|(k, v)| format!("{k} = {v}\n"))
            .collect()
    }

    /// Writes the config file and returns the command.
    pub fn command(&self) -> Command {
        let config = self.world.config_file();
        super::write_file(&config, &self.config_text());
        let mut cmd = self.world.pinwatch(&["agent"]);
        cmd.arg("--config")
            .arg(&config)
            .arg("--journal")
            .arg(self.world.journal())
            .args(&self.args);
        for (k, v) in &self.envs {
            cmd.env(k, v);
        }
        cmd
    }

    /// `agent --once`, to completion.
    pub fn once(self) -> Outcome {
        let cmd = self.arg("--once").command();
        outcome("pinwatch agent --once", cmd)
    }

    /// Starts the agent.
    pub fn spawn(self) -> Agent {
        Agent {
            proc: Proc::spawn("pinwatch agent", self.command()),
        }
    }

    /// Starts the agent inside `ns`.
    pub fn spawn_in(self, ns: &NetNs) -> Agent {
        Agent {
            proc: Proc::spawn("pinwatch agent", ns.wrap(&self.command())),
        }
    }
}

/// A running agent; dropping it kills it.
pub struct Agent {
    proc: Proc,
}

impl Agent {
    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.proc.pid()
    }

    /// Everything it logged (stderr).
    pub fn log(&self) -> String {
        self.proc.stderr().text()
    }

    /// Waits until it has logged `n` cycles; returns their lines.
    pub fn wait_cycles(&mut self, n: usize) -> Vec<String> {
        self.wait_cycles_within(n, CYCLE)
    }

    /// Like [`Agent::wait_cycles`] with a timeout.
    pub fn wait_cycles_within(&mut self, n: usize, timeout: Duration) -> Vec<String> {
        let found = self
            .proc
            .stderr()
            .wait_until(timeout, |lines| cycles(lines).len() >= n);
        match found {
            Some(lines) => cycles(&lines),
            None => {
                self.proc.assert_running();
                panic!(
                    "the agent did not log {n} cycle(s) within {timeout:?}; log:\n{}",
                    self.log()
                )
            }
        }
    }

    /// Waits for the `n`th cycle (from 1) and asserts that its line
    /// contains `summary` and (unless `None`) counts `alert_count`
    /// alert(s); returns it.
    pub fn expect_cycle(&mut self, n: usize, summary: &str, alert_count: Option<usize>) -> String {
        let line = self.wait_cycles(n).swap_remove(n - 1);
        assert!(
            line.contains(summary),
            "cycle {n} is not `{summary}`; log:\n{}",
            self.log()
        );
        if let Some(count) = alert_count {
            assert_eq!(
                alerts(&line),
                count,
                "alerts of cycle {n}; log:\n{}",
                self.log()
            );
        }
        line
    }

    /// Asserts that it logs no more than `n` cycles within `window`.
    pub fn assert_no_more_cycles(&self, n: usize, window: Duration) {
        let more = self
            .proc
            .stderr()
            .wait_until(window, |lines| cycles(lines).len() > n);
        assert!(
            more.is_none(),
            "expected {n} cycle(s), got more within {window:?}; log:\n{}",
            self.log()
        );
    }

    /// Waits until it logs a line containing `needle`; returns the line.
    pub fn wait_log(&mut self, needle: &str, timeout: Duration) -> String {
        let found = self
            .proc
            .stderr()
            .wait_until(timeout, |lines| lines.iter().any(|l| l.contains(needle)));
        match found {
            Some(lines) => lines
                .into_iter()
                .find(|l| l.contains(needle))
                .unwrap_or_default(),
            None => {
                self.proc.assert_running();
                panic!(
                    "the agent did not log `{needle}` within {timeout:?}; log:\n{}",
                    self.log()
                )
            }
        }
    }

    /// Waits for it to exit by itself; its exit code.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<i32> {
        let status = self.proc.wait_exit(timeout)?;
        Some(
            status
                .code()
                .unwrap_or_else(|| panic!("the agent died: {status}; log:\n{}", self.log())),
        )
    }

    /// Stops it with SIGTERM, as a session manager does; its exit code.
    pub fn stop(mut self) -> i32 {
        self.proc.signal(Signal::SIGTERM);
        match self.wait_exit(Duration::from_secs(20)) {
            Some(code) => code,
            None => panic!(
                "the agent did not stop within 20s of SIGTERM; log:\n{}",
                self.log()
            ),
        }
    }
}

/// The `checked (...)` lines among `lines`.
pub fn cycles(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter(|l| l.starts_with(CHECKED))
        .cloned()
        .collect()
}

/// The `journal +N` count of a `checked` line.
pub fn journalled(line: &str) -> usize {
    line.rsplit("journal +")
        .next()
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no `journal +N` in {line}"))
}

/// The `N alert(s)` count of a `checked` line.
pub fn alerts(line: &str) -> usize {
    line.split("; ")
        .find_map(|part| part.strip_suffix(" alert(s)"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no `N alert(s)` in {line}"))
}
