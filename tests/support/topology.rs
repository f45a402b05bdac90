//! A small routed network of the test's own, in network namespaces: a
//! client, a chain of routers, and a server behind them.
//!
//! ```text
//! client 10.99.1.2 ── 10.99.1.1 router1 10.99.2.1 ── 10.99.2.2 router2 ... routerN 10.99.(N+1).1 ── 10.99.(N+1).2 server
//! ```
//!
//! A router can intercept transparently, as a café gateway does:
//! iptables REDIRECTs TCP port 443 to port 8443 on the router, where a
//! forwarder hands the connection to a loopback server of the test (the
//! forging server). The server namespace forwards its port 443 to the
//! test's genuine server the same way. Every namespace is deleted and every
//! forwarder stopped on drop.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use super::process::{Proc, poll, require, run, unavailable};
use super::server::{Server, Switch};

/// The tools, with their Debian packages.
pub const TOOLS: &[(&str, &str)] = &[
    ("ip", "iproute2"),
    ("ss", "iproute2"),
    ("socat", "socat"),
    ("iptables", "iptables"),
];

/// The server's address, as the client reaches it.
pub fn server_addr(routers: usize) -> String {
    format!("10.99.{}.2", routers + 1)
}

/// The network; torn down on drop.
pub struct Topology {
    /// Namespace names: client, routers..., server.
    names: Vec<String>,
    forwarders: Vec<Proc>,
    switches: Vec<Switch>,
    dir: PathBuf,
}

impl Drop for Topology {
    fn drop(&mut self) {
        self.forwarders.clear();
        self.switches.clear();
        for name in &self.names {
            let _ = Command::new("ip").args(["netns", "delete", name]).status();
        }
    }
}

fn ip(args: &[&str]) {
    let mut cmd = Command::new("ip");
    cmd.args(args);
    let (status, _, err) = run("ip", cmd, Duration::from_secs(30));
    assert!(
        status.success(),
        "ip {}: {status}: {}",
        args.join(" "),
        err.trim()
    );
}

fn exec(ns: &str, program: &str, args: &[&str]) {
    let mut cmd = Command::new("ip");
    cmd.args(["netns", "exec", ns, program]).args(args);
    let (status, _, err) = run(program, cmd, Duration::from_secs(30));
    assert!(
        status.success(),
        "{program} {} in {ns}: {status}: {}",
        args.join(" "),
        err.trim()
    );
}

impl Topology {
    /// A client, `routers` routers and a server, routed end to end; `None`
    /// when this machine cannot make namespaces (outside CI).
    pub fn new(routers: usize, dir: &Path) -> Option<Topology> {
        static COUNT: AtomicU32 = AtomicU32::new(0);
        require("a routed network of namespaces", TOOLS)?;
        let tag = format!(
            "pw{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        );
        let mut names = vec![format!("{tag}-client")];
        names.extend((1..=routers).map(|i| format!("{tag}-r{i}")));
        names.push(format!("{tag}-server"));
        let mut made = Topology {
            names: Vec::new(),
            forwarders: Vec::new(),
            switches: Vec::new(),
            dir: dir.to_path_buf(),
        };
        for name in &names {
            let mut cmd = Command::new("ip");
            cmd.args(["netns", "add", name]);
            let (status, _, err) = run("ip", cmd, Duration::from_secs(30));
            if !status.success() {
                unavailable(
                    "a routed network of namespaces",
                    &format!("ip netns add: {} (it needs root)", err.trim()),
                );
                return None;
            }
            made.names.push(name.clone());
            ip(&["-n", name, "link", "set", "lo", "up"]);
        }
        // Link i joins namespace i (address .2, or .1 for routers facing
        // the client) and namespace i+1, on subnet 10.99.(i+1).0/24.
        for i in 0..names.len() - 1 {
            let (left, right) = (&names[i], &names[i + 1]);
            let subnet = i + 1;
            let (l_if, r_if) = (format!("up{subnet}"), format!("down{subnet}"));
            ip(&[
                "-n", left, "link", "add", &l_if, "type", "veth", "peer", "name", &r_if, "netns",
                right,
            ]);
            // Link 1: the client is .2, router 1 is .1 (its gateway). Other
            // links: the left router is .1, the right namespace .2.
            let (l_addr, r_addr) = if i == 0 {
                (
                    format!("10.99.{subnet}.2/24"),
                    format!("10.99.{subnet}.1/24"),
                )
            } else {
                (
                    format!("10.99.{subnet}.1/24"),
                    format!("10.99.{subnet}.2/24"),
                )
            };
            ip(&["-n", left, "addr", "add", &l_addr, "dev", &l_if]);
            ip(&["-n", right, "addr", "add", &r_addr, "dev", &r_if]);
            ip(&["-n", left, "link", "set", &l_if, "up"]);
            ip(&["-n", right, "link", "set", &r_if, "up"]);
        }
        // Routes: toward the server by default, back toward the client.
        let last = names.len() - 1;
        ip(&[
            "-n",
            &names[0],
            "route",
            "add",
            "default",
            "via",
            "10.99.1.1",
        ]);
        for (i, name) in names.iter().enumerate().take(last).skip(1) {
            exec(name, "sysctl", &["-qw", "net.ipv4.ip_forward=1"]);
            // Router i sits between subnet i (client side) and i+1.
            if i + 1 < last {
                let next = format!("10.99.{}.2", i + 1);
                ip(&["-n", name, "route", "add", "default", "via", &next]);
            }
            for back in 1..i {
                let via = format!("10.99.{i}.1");
                let via = if i == 1 { "10.99.1.2".to_string() } else { via };
                ip(&[
                    "-n",
                    name,
                    "route",
                    "add",
                    &format!("10.99.{back}.0/24"),
                    "via",
                    &via,
                ]);
            }
        }
        let gw = format!("10.99.{last}.1");
        ip(&["-n", &names[last], "route", "add", "default", "via", &gw]);
        Some(made)
    }

    /// The client namespace's name.
    pub fn client(&self) -> &str {
        &self.names[0]
    }

    /// Serves `server` on port 443 of the server namespace.
    pub fn serve(&mut self, server: &Server) {
        let last = self.names.len() - 1;
        let ns = self.names[last].clone();
        self.expose(&ns, 443, server, "server");
    }

    /// Router `n` (1-based) intercepts every connection to port 443,
    /// handing it to `interceptor`.
    pub fn intercept_at(&mut self, n: usize, interceptor: &Server) {
        let ns = self.redirect_at(n);
        self.expose(&ns, 8443, interceptor, &format!("router{n}"));
    }

    /// Router `n` (1-based) redirects every connection to port 443 to its
    /// own port 8443 (iptables REDIRECT, as a café gateway does), for an
    /// interceptor the test runs there; returns the router's namespace.
    pub fn redirect_at(&mut self, n: usize) -> String {
        let ns = self.names[n].clone();
        exec(
            &ns,
            "iptables",
            &[
                "-t",
                "nat",
                "-A",
                "PREROUTING",
                "-p",
                "tcp",
                "--dport",
                "443",
                "-j",
                "REDIRECT",
                "--to-ports",
                "8443",
            ],
        );
        ns
    }

    fn expose(&mut self, ns: &str, port: u16, server: &Server, label: &str) {
        let socket = self.dir.join(format!("{label}-{port}.sock"));
        let mut switch = Switch::to(server);
        switch.listen_unix(&socket);
        self.switches.push(switch);
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", ns, "socat"])
            .arg(format!("TCP-LISTEN:{port},reuseaddr,fork"))
            .arg(format!("UNIX-CONNECT:{}", socket.display()));
        let mut socat = Proc::spawn("socat", cmd);
        let listening = poll(Duration::from_secs(30), || {
            socat.assert_running();
            listens(ns, port).then_some(())
        });
        assert!(
            listening.is_some(),
            "socat did not listen on :{port} in {ns}"
        );
        self.forwarders.push(socat);
    }
}

/// Whether something listens on TCP `port` in namespace `ns`.
pub fn listens(ns: &str, port: u16) -> bool {
    let mut ss = Command::new("ss");
    ss.args(["-N", ns, "-Hltn"]).arg(format!("sport = :{port}"));
    let (_, out, _) = run("ss", ss, Duration::from_secs(30));
    !out.trim().is_empty()
}
