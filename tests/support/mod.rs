//! Harness for the integration tests: a per-test [`World`] (temp dir, test
//! CAs, trust-store files, pins directory), loopback servers ([`server`]),
//! [`Run`], which runs the real `pinwatch` binary in a hermetic environment,
//! and for the agent: [`agent`] (config, journal, a running agent),
//! [`desktop`] (a private D-Bus session with a notification server and a
//! tray), [`image`] (images as greyscale and colour-blind eyes see them),
//! [`netns`] (a network namespace to change) and [`process`]
//! (process groups, waiting on output, missing tools); [`ct`] makes test
//! CT logs, their log list and leaves with SCTs they signed.

pub mod agent;
pub mod bundles;
pub mod chains;
pub mod ct;
pub mod desktop;
pub mod image;
pub mod mitm;
pub mod netns;
pub mod pins;
pub mod pki;
pub mod process;
pub mod server;
pub mod shapes;
pub mod sslsplit;
pub mod topology;
pub mod wine;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use serde_json::Value;

use pins::PinsSpec;
use pki::{Ca, Leaf, Validity};
use server::Server;

/// The host the tests check; it resolves nowhere, so every connection to it
/// goes through `--connect-to` or a proxy.
pub const HOST: &str = "chat.pinwatch.test";

/// Environment variables that would make a run depend on the machine
/// (besides SSL_CERT_FILE, XDG_CONFIG_HOME and HOME, which runs set).
const LEAKY_ENV: &[&str] = &[
    "SSL_CERT_DIR",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
    "NO_COLOR",
    "LANGUAGE",
    "LC_ALL",
    "LC_MESSAGES",
    "LANG",
];

/// One test's private setup: a temp dir holding the "public" roots file
/// (the test root), the system store file, and a pins directory.
pub struct World {
    dir: tempfile::TempDir,
    /// The test's "public" root (in `--public-roots` and the system store).
    pub root: Ca,
    /// The root's intermediate, which signs the genuine leaves.
    pub intermediate: Ca,
    /// "Evil Corp Interception CA": trusted by nobody unless a test says so.
    pub evil: Arc<Ca>,
}

impl World {
    /// A fresh world whose pins pin the test root, with no interceptor rules.
    pub fn new() -> World {
        let dir = tempfile::tempdir().expect("create a temp dir");
        let root = Ca::root("Pinwatch Test Root", "Pinwatch Test PKI");
        let intermediate = root.intermediate("Pinwatch Test Issuing CA", "Pinwatch Test PKI");
        let evil = Arc::new(Ca::root("Evil Corp Interception CA", "Evil Corp"));
        let world = World {
            dir,
            root,
            intermediate,
            evil,
        };
        write_file(&world.path("public-roots.pem"), &world.root.pem());
        world.set_system_store(&[]);
        world.write_pins(&world.pins());
        world
    }

    /// The temp dir.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// A path inside the temp dir.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir().join(name)
    }

    /// The default pins: the service pins the test root, review date far ahead.
    pub fn pins(&self) -> PinsSpec {
        PinsSpec {
            root_spki: self.root.spki_sha256(),
            other_pin: None,
            review_by: "2099-01-01".into(),
            rules: Vec::new(),
        }
    }

    /// Replaces the pins directory.
    pub fn write_pins(&self, spec: &PinsSpec) {
        spec.write(&self.path("pins"));
    }

    /// Makes the system store (SSL_CERT_FILE) the test root plus `extra`.
    pub fn set_system_store(&self, extra: &[&Ca]) {
        let pem: String = std::iter::once(&self.root)
            .chain(extra.iter().copied())
            .map(Ca::pem)
            .collect();
        write_file(&self.path("system.pem"), &pem);
    }

    /// A genuine leaf for `names`: signed by the intermediate, sent with it.
    pub fn leaf(&self, names: &[&str], validity: Validity) -> Leaf {
        self.intermediate.leaf(names, validity)
    }

    /// A TLS server with the genuine certificate for [`HOST`].
    pub fn genuine_server(&self) -> Server {
        Server::tls(&self.leaf(&[HOST], Validity::Current))
    }

    /// `pinwatch check --pins <dir> --public-roots <test root>` in this world.
    pub fn check(&self) -> Run {
        self.check_with_public_roots(&self.path("public-roots.pem"))
    }

    /// Like [`World::check`] with another `--public-roots` file.
    pub fn check_with_public_roots(&self, public_roots: &Path) -> Run {
        self.bare_check(&self.path("system.pem"))
            .arg("--pins")
            .arg(self.path("pins").display())
            .arg("--public-roots")
            .arg(public_roots.display())
    }

    /// `pinwatch check` with the built-in pins and public roots, the system
    /// store `ssl_cert_file`, and an empty config directory of this world.
    pub fn bare_check(&self, ssl_cert_file: &Path) -> Run {
        Run {
            args: vec!["check".into()],
            envs: Vec::new(),
            removed: Vec::new(),
            check_defaults: true,
            netns: None,
            outer: None,
        }
        .env("SSL_CERT_FILE", ssl_cert_file.display())
        .env("XDG_CONFIG_HOME", self.path("config").display())
        .env("HOME", self.dir().display())
        .env("XDG_STATE_HOME", self.path("xdg-state").display())
        .env("PINWATCH_SYSTEM_STATE", self.path("system-state").display())
        .env(
            "PINWATCH_SYSTEM_CONFIG",
            self.path("system-config.toml").display(),
        )
    }

    /// Any other `pinwatch` subcommand (`args`), with this world's system
    /// store, config directory and home, and no added flags.
    pub fn run(&self, args: &[&str]) -> Run {
        Run {
            args: args.iter().map(ToString::to_string).collect(),
            envs: Vec::new(),
            removed: Vec::new(),
            check_defaults: false,
            netns: None,
            outer: None,
        }
        .env("SSL_CERT_FILE", self.path("system.pem").display())
        .env("XDG_CONFIG_HOME", self.path("config").display())
        .env("HOME", self.dir().display())
        .env("XDG_STATE_HOME", self.path("xdg-state").display())
        .env("PINWATCH_SYSTEM_STATE", self.path("system-state").display())
        .env(
            "PINWATCH_SYSTEM_CONFIG",
            self.path("system-config.toml").display(),
        )
    }
}

/// A pinwatch command line; `--format json` and `--no-portal-check` are
/// added unless the test gives `--format` or `--portal-check` itself.
pub struct Run {
    args: Vec<String>,
    envs: Vec<(String, String)>,
    /// Variables removed from the child's environment.
    removed: Vec<String>,
    /// Add `check`'s `--format json` and `--no-portal-check`.
    check_defaults: bool,
    /// Run inside this network namespace (`ip netns exec`).
    netns: Option<String>,
    /// Run another binary through this program (the Windows build under Wine).
    outer: Option<Outer>,
}

/// A program that runs pinwatch for a [`Run`] (`wine pinwatch.exe`): its
/// own arguments and environment, then pinwatch's arguments.
pub struct Outer {
    /// The program.
    pub program: String,
    /// Its arguments before pinwatch's.
    pub args: Vec<String>,
    /// Its environment.
    pub envs: Vec<(String, String)>,
}

impl Run {
    /// Runs the command through `outer` instead of the Linux binary.
    pub fn through(mut self, outer: Outer) -> Run {
        self.outer = Some(outer);
        self
    }

    /// Removes `key` from the child's environment (after [`Run::env`]).
    pub fn env_remove(mut self, key: &str) -> Run {
        self.envs.retain(|(k, _)| k != key);
        self.removed.push(key.to_string());
        self
    }

    /// Runs the command inside the network namespace `name`.
    pub fn in_netns(mut self, name: &str) -> Run {
        self.netns = Some(name.to_string());
        self
    }

    /// Appends an argument.
    pub fn arg(mut self, arg: impl std::fmt::Display) -> Run {
        self.args.push(arg.to_string());
        self
    }

    /// Sets an environment variable for the child.
    pub fn env(mut self, key: &str, value: impl std::fmt::Display) -> Run {
        self.envs.push((key.into(), value.to_string()));
        self
    }

    /// Checks [`HOST`], connecting to `server` instead of resolving it.
    pub fn via(self, server: &Server) -> Run {
        self.arg(HOST).connect_to(HOST, server.addr().port())
    }

    /// `--connect-to host:443:127.0.0.1:port`.
    pub fn connect_to(self, host: &str, port: u16) -> Run {
        self.arg("--connect-to")
            .arg(format!("{host}:443:127.0.0.1:{port}"))
    }

    /// `--proxy http://127.0.0.1:<port>`.
    pub fn proxy(self, proxy: &Server) -> Run {
        self.arg("--proxy").arg(proxy.url())
    }

    /// The command, ready to spawn.
    pub fn command(&self) -> Command {
        let mut cmd = match &self.outer {
            None => Command::new(env!("CARGO_BIN_EXE_pinwatch")),
            Some(outer) => {
                let mut cmd = Command::new(&outer.program);
                cmd.args(&outer.args);
                cmd
            }
        };
        for key in LEAKY_ENV {
            cmd.env_remove(key);
        }
        for key in &self.removed {
            cmd.env_remove(key);
        }
        if let Some(outer) = &self.outer {
            cmd.envs(outer.envs.iter().map(|(k, v)| (k, v)));
        }
        cmd.envs(self.envs.iter().map(|(k, v)| (k, v)));
        cmd.args(&self.args);
        let has = |flag: &str| self.args.iter().any(|a| a == flag);
        if self.check_defaults && !has("--format") {
            cmd.args(["--format", "json"]);
        }
        if self.check_defaults && !has("--portal-check") {
            cmd.arg("--no-portal-check");
        }
        cmd.stdin(Stdio::null());
        match &self.netns {
            None => cmd,
            Some(ns) => {
                let mut wrapped = Command::new("ip");
                wrapped
                    .args(["netns", "exec", ns])
                    .arg(cmd.get_program())
                    .args(cmd.get_args());
                for key in LEAKY_ENV {
                    wrapped.env_remove(key);
                }
                wrapped.envs(self.envs.iter().map(|(k, v)| (k, v)));
                wrapped.stdin(Stdio::null());
                wrapped
            }
        }
    }

    /// Runs to completion.
    pub fn output(self) -> Outcome {
        outcome(self.command())
    }

    /// Runs to completion and parses the JSON report.
    pub fn json(self) -> Report {
        let out = self.output();
        let doc = serde_json::from_str(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}); exit {}\nstdout:\n{}\nstderr:\n{}",
                out.code, out.stdout, out.stderr
            )
        });
        Report { out, doc }
    }
}

/// A finished run.
#[derive(Debug)]
pub struct Outcome {
    /// Exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Outcome {
    /// Asserts a usage error: exit 3, nothing on stdout (or, under
    /// `--format json`, only the JSON error document), and stderr's first
    /// line contains `needle`. Returns that line.
    pub fn expect_usage_error(&self, needle: &str) -> &str {
        assert_eq!(self.code, 3, "exit code for a usage error; {self:#?}");
        if !self.stdout.is_empty() {
            let doc = self.error_document();
            assert!(
                doc["error"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains(needle)),
                "the error document names `{needle}`; {self:#?}"
            );
        }
        let first = self.stderr.lines().next().unwrap_or_default();
        assert!(
            first.contains(needle),
            "stderr's first line names `{needle}`; {self:#?}"
        );
        first
    }
}

impl Outcome {
    /// The JSON error document on stdout (`--format json` and a run that
    /// could not check anything): asserts its shape and returns it.
    pub fn error_document(&self) -> Value {
        let doc: Value = serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not a JSON document ({e}); {self:#?}"));
        assert!(
            doc["schema"]
                .as_str()
                .is_some_and(|s| s.starts_with("pinwatch.")),
            "{doc:#}"
        );
        assert_eq!(doc["exit_code"], 3, "{doc:#}");
        assert!(
            ["usage", "config", "pins", "store", "io"]
                .iter()
                .any(|c| doc["error"]["code"] == *c),
            "{doc:#}"
        );
        assert!(doc["error"]["message"].is_string(), "{doc:#}");
        assert_eq!(
            doc.as_object().map(serde_json::Map::len),
            Some(4),
            "schema, version, error, exit_code: {doc:#}"
        );
        doc
    }
}

/// A finished run with its parsed JSON report.
pub struct Report {
    /// The raw outcome.
    pub out: Outcome,
    /// The JSON document.
    pub doc: Value,
}

impl std::fmt::Debug for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pretty = serde_json::to_string_pretty(&self.doc).unwrap_or_default();
        write!(
            f,
            "exit {}\n{pretty}\nstderr: {}",
            self.out.code, self.out.stderr
        )
    }
}

impl Report {
    /// All results.
    pub fn results(&self) -> &[Value] {
        self.doc["results"].as_array().map_or(&[], Vec::as_slice)
    }

    /// The result for `host`.
    pub fn result(&self, host: &str) -> &Value {
        self.results()
            .iter()
            .find(|r| r["host"] == host)
            .unwrap_or_else(|| panic!("no result for {host}: {self:?}"))
    }

    /// Asserts the exit code (process and document) and that the one result
    /// has `verdict` and includes every reason in `reasons`; returns it.
    pub fn expect(&self, verdict: &str, reasons: &[&str], code: i32) -> &Value {
        assert_eq!(self.out.code, code, "exit code: {self:?}");
        assert_eq!(
            self.doc["exit_code"], code,
            "exit_code in the report: {self:?}"
        );
        assert_eq!(self.doc["schema"], "pinwatch.check/2", "{self:?}");
        let [result] = self.results() else {
            panic!("expected exactly one result: {self:?}");
        };
        assert_eq!(result["verdict"], verdict, "verdict: {self:?}");
        for reason in reasons {
            assert!(
                has_reason(result, reason),
                "reason `{reason}` missing: {self:?}"
            );
        }
        result
    }
}

/// Runs `cmd` (pinwatch, or a command around it) to completion.
pub fn outcome(mut cmd: Command) -> Outcome {
    let out = cmd.output().expect("run pinwatch");
    Outcome {
        code: out
            .status
            .code()
            .unwrap_or_else(|| panic!("pinwatch died: {}", out.status)),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Writes `text` to `path`.
pub fn write_file(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// Whether a result lists `reason`.
pub fn has_reason(result: &Value, reason: &str) -> bool {
    result["reasons"]
        .as_array()
        .is_some_and(|rs| rs.iter().any(|r| r == reason))
}
