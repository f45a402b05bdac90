//! A network namespace of the test's own (`ip netns add`), with only `lo`,
//! for running the agent where the test can change the network (add an
//! address) without touching the machine's. The test's loopback servers are
//! reached from inside through a socket file: `socat` listens on
//! 127.0.0.1:PORT in the namespace and connects to a [`super::server::Switch`]
//! listening on that file. A test can also give the namespace its own
//! resolver ([`NetNs::set_resolv_conf`], bind-mounted by `ip netns exec`)
//! and a UDP socket that never answers ([`NetNs::silent_udp`]). Dropping it
//! deletes the namespace and its `/etc/netns` directory.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use super::process::{Proc, poll, require, run, unavailable};

/// The tools, with their Debian packages.
pub const TOOLS: &[(&str, &str)] = &[("ip", "iproute2"), ("ss", "iproute2"), ("socat", "socat")];

/// A network namespace; deleted on drop.
pub struct NetNs {
    name: String,
    addresses: u8,
}

impl Drop for NetNs {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "delete", &self.name])
            .status();
        let _ = std::fs::remove_dir_all(self.etc_dir());
    }
}

fn ip(args: &[&str]) -> Result<(), String> {
    let mut cmd = Command::new("ip");
    cmd.args(args);
    let (status, _, err) = run("ip", cmd, Duration::from_secs(30));
    if status.success() {
        Ok(())
    } else {
        Err(format!("ip {}: {status}: {}", args.join(" "), err.trim()))
    }
}

impl NetNs {
    /// Creates a namespace with `lo` up; `None` when this machine does not
    /// allow it (not root) outside CI.
    pub fn create() -> Option<NetNs> {
        static COUNT: AtomicU32 = AtomicU32::new(0);
        require("a network namespace", TOOLS)?;
        let name = format!(
            "pinwatch-test-{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        );
        if let Err(e) = ip(&["netns", "add", &name]) {
            unavailable(
                "a test in its own network namespace",
                &format!("{e} (it needs root or CAP_SYS_ADMIN)"),
            );
            return None;
        }
        let ns = NetNs { name, addresses: 0 };
        ip(&["-n", &ns.name, "link", "set", "lo", "up"]).unwrap_or_else(|e| panic!("{e}"));
        Some(ns)
    }

    /// `cmd`, run inside the namespace (`ip netns exec`, which execs the
    /// program, so the child's pid is the program's).
    pub fn wrap(&self, cmd: &Command) -> Command {
        let mut ip = Command::new("ip");
        ip.args(["netns", "exec", &self.name]);
        super::process::run_under(ip, cmd)
    }

    /// `/etc/netns/NAME`: files in it replace those of `/etc` for programs
    /// run with `ip netns exec`.
    fn etc_dir(&self) -> std::path::PathBuf {
        Path::new("/etc/netns").join(&self.name)
    }

    /// Gives programs run in the namespace this `resolv.conf`.
    pub fn set_resolv_conf(&self, text: &str) {
        let dir = self.etc_dir();
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
        super::write_file(&dir.join("resolv.conf"), text);
    }

    /// A UDP socket on 127.0.0.1:`port` inside the namespace that reads
    /// every datagram and never answers (socat into /dev/null): a DNS
    /// server that has gone silent. Waits until it is bound.
    pub fn silent_udp(&self, port: u16) -> Proc {
        let mut cmd = Command::new("socat");
        cmd.arg("-u")
            .arg(format!("UDP-RECV:{port},bind=127.0.0.1"))
            .arg("/dev/null");
        let mut socat = Proc::spawn("socat (silent UDP)", self.wrap(&cmd));
        let bound = poll(Duration::from_secs(30), || {
            socat.assert_running();
            let mut ss = Command::new("ss");
            ss.args(["-N", &self.name, "-Hlun"])
                .arg(format!("sport = :{port}"));
            let (_, out, _) = run("ss", ss, Duration::from_secs(30));
            (!out.trim().is_empty()).then_some(())
        });
        assert!(
            bound.is_some(),
            "socat did not bind UDP 127.0.0.1:{port} in {}",
            self.name
        );
        socat
    }

    /// Adds the next address of 10.213.7.0/24 to `lo`: a network change as
    /// the agent sees one. Returns the address.
    pub fn add_address(&mut self) -> String {
        self.addresses += 1;
        let addr = format!("10.213.7.{}", self.addresses);
        ip(&[
            "-n",
            &self.name,
            "addr",
            "add",
            &format!("{addr}/32"),
            "dev",
            "lo",
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        addr
    }

    /// Listens on 127.0.0.1:`port` inside the namespace and forwards every
    /// connection to the socket file `socket`; waits until it listens.
    pub fn forward(&self, port: u16, socket: &Path) -> Proc {
        let mut cmd = Command::new("socat");
        cmd.arg(format!("TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork"))
            .arg(format!("UNIX-CONNECT:{}", socket.display()));
        let mut socat = Proc::spawn("socat", self.wrap(&cmd));
        let listening = poll(Duration::from_secs(30), || {
            socat.assert_running();
            let mut ss = Command::new("ss");
            ss.args(["-N", &self.name, "-Hltn"])
                .arg(format!("sport = :{port}"));
            let (_, out, _) = run("ss", ss, Duration::from_secs(30));
            (!out.trim().is_empty()).then_some(())
        });
        assert!(
            listening.is_some(),
            "socat did not listen on 127.0.0.1:{port} in {}",
            self.name
        );
        socat
    }
}
