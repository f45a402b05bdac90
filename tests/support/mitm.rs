//! A real interception tool: mitmdump (mitmproxy 11.0.x) in regular proxy
//! mode on 127.0.0.1, with its own CA in a temp confdir, forging leaves from
//! SNI without contacting upstream (`connection_strategy=lazy`).
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
    /// Starts mitmdump with its confdir and log in `dir` and waits until it
    /// listens; `None` when it is not installed (and this is not CI).
    pub fn start(dir: &Path) -> Option<Mitmdump> {
        let exe = find()?;
        let port = super::server::closed_port();
        let confdir = dir.join("mitmproxy");
        let log = dir.join("mitmdump.log");
        let log_file = File::create(&log).expect("create mitmdump.log");
        let mut cmd = Command::new(&exe);
        cmd.args(["--listen-host", "127.0.0.1", "--listen-port"])
            .arg(port.to_string())
            .args(["--set", &format!("confdir={}", confdir.display())])
            .args(["--set", "connection_strategy=lazy"])
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
        let mut mitm = Mitmdump {
            child,
            port,
            confdir,
            log,
        };
        mitm.wait_until_ready();
        Some(mitm)
    }

    /// Polls until the port accepts connections and the CA file exists.
    fn wait_until_ready(&mut self) {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("mitmdump exited early ({status}):\n{}", self.log_text());
            }
            let listening = TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok();
            if listening && self.ca_cert().is_file() {
                return;
            }
            assert!(
                started.elapsed() < STARTUP,
                "mitmdump did not listen on {addr} within {STARTUP:?}:\n{}",
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
