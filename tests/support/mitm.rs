//! A real interception tool: mitmdump (mitmproxy 11.0.x), with its own CA
//! in a temp confdir, either in regular proxy mode on 127.0.0.1, forging
//! leaves from SNI without contacting upstream (`connection_strategy=lazy`),
//! or in transparent mode on a router of a test topology, behind iptables
//! REDIRECT, as a café gateway runs it: it connects to the real server
//! first and forges a leaf that copies the real one's names.
//!
//! Found through `PINWATCH_MITMDUMP` or `target/test-venv/bin/mitmdump`
//! (which `scripts/test.sh` installs). When missing, a test fails under
//! `CI=true` and is skipped, loudly, otherwise.

use std::fs::File;
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long mitmdump may take to start listening.
const STARTUP: Duration = Duration::from_secs(60);

/// A running mitmdump; dropping it kills it.
pub struct Mitmdump {
    child: Child,
    port: u16,
    confdir: PathBuf,
    log: PathBuf,
}

impl Drop for Mitmdump {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The mitmdump executable, or `None` after printing why the test is skipped.
fn find() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("PINWATCH_MITMDUMP").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "PINWATCH_MITMDUMP={} does not exist",
            path.display()
        );
        return Some(path);
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-venv/bin/mitmdump");
    if venv.is_file() {
        return Some(venv);
    }
    let why = format!(
        "mitmdump not found (set PINWATCH_MITMDUMP or run scripts/test.sh, which installs it into {})",
        venv.display()
    );
    super::process::unavailable("the real mitmproxy interception test", &why);
    None
}

impl Mitmdump {
    /// Starts mitmdump as a regular proxy on 127.0.0.1, with its confdir and
    /// log in `dir`, and waits until it listens; `None` when it is not
    /// installed (and this is not CI).
    pub fn start(dir: &Path) -> Option<Mitmdump> {
        let exe = find()?;
        let port = super::server::free_port();
        let mut cmd = Command::new(&exe);
        cmd.args(["--listen-host", "127.0.0.1", "--listen-port"])
            .arg(port.to_string())
            .args(["--set", "connection_strategy=lazy"]);
        let mut mitm = Self::spawn(&exe, cmd, port, dir);
        mitm.wait_until_ready(|| {
            let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
            TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok()
        });
        Some(mitm)
    }

    /// Starts mitmdump in transparent mode in network namespace `ns`,
    /// listening on `port` (where the router's iptables REDIRECT sends port
    /// 443). It goes upstream to the real server before answering, trusting
    /// whatever certificate it finds there (`ssl_insecure`: a café's
    /// upstream is the public Internet, whose certificates verify).
    pub fn start_transparent(dir: &Path, ns: &str, port: u16) -> Option<Mitmdump> {
        let exe = find()?;
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", ns])
            .arg(&exe)
            .args(["--mode", "transparent", "--listen-port"])
            .arg(port.to_string())
            .args(["--set", "ssl_insecure=true"]);
        let mut mitm = Self::spawn(&exe, cmd, port, dir);
        mitm.wait_until_ready(|| super::topology::listens(ns, port));
        Some(mitm)
    }

    /// Runs `cmd` (mitmdump, with the confdir and log in `dir` added) with
    /// no proxy in its environment.
    fn spawn(exe: &Path, mut cmd: Command, port: u16, dir: &Path) -> Mitmdump {
        let confdir = dir.join("mitmproxy");
        let log = dir.join("mitmdump.log");
        let log_file = File::create(&log).expect("create mitmdump.log");
        cmd.args(["--set", &format!("confdir={}", confdir.display())])
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("clone the log file"))
            .stderr(log_file);
        for key in [
            "HTTPS_PROXY",
            "https_proxy",
            "HTTP_PROXY",
            "http_proxy",
            "ALL_PROXY",
            "all_proxy",
        ] {
            cmd.env_remove(key);
        }
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", exe.display()));
        Mitmdump {
            child,
            port,
            confdir,
            log,
        }
    }

    /// Polls until `listening` and the CA file exists.
    fn wait_until_ready(&mut self, mut listening: impl FnMut() -> bool) {
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("mitmdump exited early ({status}):\n{}", self.log_text());
            }
            if listening() && self.ca_cert().is_file() {
                return;
            }
            assert!(
                started.elapsed() < STARTUP,
                "mitmdump did not listen on port {} within {STARTUP:?}:\n{}",
                self.port,
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// mitmproxy's CA certificate (PEM).
    pub fn ca_cert(&self) -> PathBuf {
        self.confdir.join("mitmproxy-ca-cert.pem")
    }

    /// What mitmdump printed so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}
