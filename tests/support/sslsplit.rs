//! A second real interception tool: SSLsplit (Debian `sslsplit`), in
//! transparent mode on a router of a test topology, behind iptables
//! REDIRECT, with a CA of its own made by openssl ("Cafe Gateway CA", a
//! name no product list knows). Like a café's box, it connects to the real
//! server first and forges a leaf with the real one's names.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use super::process::{Proc, poll, require, run};

/// The tools, with their Debian packages.
const TOOLS: &[(&str, &str)] = &[("sslsplit", "sslsplit"), ("openssl", "openssl")];

/// The CA's subject.
pub const CA_SUBJECT: &str = "/O=Cafe Gateway/CN=Cafe Gateway CA";

/// A running sslsplit; dropping it kills it.
pub struct Sslsplit {
    proc: Proc,
}

impl Sslsplit {
    /// Makes a CA in `dir` and starts sslsplit in namespace `ns`, listening
    /// on `port` for the connections the router redirects there; `None`
    /// when it is not installed (and this is not CI).
    pub fn start_transparent(dir: &Path, ns: &str, port: u16) -> Option<Sslsplit> {
        require("the real sslsplit interception test", TOOLS)?;
        let (key, cert) = (dir.join("sslsplit-ca.key"), dir.join("sslsplit-ca.crt"));
        let mut openssl = Command::new("openssl");
        openssl
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
            ])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .args(["-subj", CA_SUBJECT]);
        let (status, _, err) = run("openssl", openssl, Duration::from_secs(60));
        assert!(status.success(), "openssl req: {err}");
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", ns, "sslsplit", "-D"])
            .arg("-k")
            .arg(&key)
            .arg("-c")
            .arg(&cert)
            .args(["ssl", "0.0.0.0"])
            .arg(port.to_string());
        let mut proc = Proc::spawn("sslsplit", cmd);
        let listening = poll(Duration::from_secs(30), || {
            proc.assert_running();
            super::topology::listens(ns, port).then_some(())
        });
        assert!(
            listening.is_some(),
            "sslsplit did not listen on :{port} in {ns}:\n{}",
            proc.stderr().text()
        );
        Some(Sslsplit { proc })
    }

    /// What sslsplit printed so far.
    pub fn log_text(&self) -> String {
        format!("{}{}", self.proc.stdout().text(), self.proc.stderr().text())
    }
}
