//! Probe failures: the stage a probe stopped at and a human-readable reason
//! (NXDOMAIN, refused, reset after ClientHello, the TLS alert's name...).

use std::io;
use std::time::Duration;

use crate::observation::{ProbeError, Stage};

impl ProbeError {
    /// The overall timeout expired while in `stage`.
    pub fn timed_out(stage: Stage, limit: Duration) -> Self {
        let during = match stage {
            Stage::Dns => "resolving the name",
            Stage::Tcp => "connecting",
            Stage::Proxy => "talking to the proxy",
            Stage::Tls | Stage::Timeout => "in the TLS handshake",
        };
        ProbeError::new(
            Stage::Timeout,
            format!("no answer within {:.1}s ({during})", limit.as_secs_f64()),
        )
    }
}

impl From<io::Error> for ProbeError {
    fn from(e: io::Error) -> Self {
        ProbeError::new(Stage::Tcp, io_detail(&e))
    }
}

/// A resolver error in words: NXDOMAIN when the name does not exist.
pub(crate) fn dns_detail(host: &str, e: &io::Error) -> String {
    let text = e.to_string();
    let lower = text.to_ascii_lowercase();
    if lower.contains("name or service not known")
        || lower.contains("no such host")
        || lower.contains("nodename nor servname")
    {
        format!("{host}: NXDOMAIN (no such name)")
    } else if lower.contains("temporary failure") {
        format!("{host}: resolver unavailable (temporary failure in name resolution)")
    } else {
        format!("{host}: {text}")
    }
}

/// A socket error in words.
pub(crate) fn io_detail(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => "connection refused".into(),
        io::ErrorKind::ConnectionReset => "connection reset by peer".into(),
        io::ErrorKind::ConnectionAborted => "connection aborted".into(),
        io::ErrorKind::UnexpectedEof => "connection closed by peer".into(),
        io::ErrorKind::TimedOut => "timed out".into(),
        io::ErrorKind::HostUnreachable => "host unreachable".into(),
        io::ErrorKind::NetworkUnreachable => "network unreachable".into(),
        _ => e.to_string(),
    }
}

/// A failed handshake in words. `after_certificate` says whether the peer
/// had already presented its chain.
pub(crate) fn tls_failure(e: &io::Error, after_certificate: bool) -> ProbeError {
    let when = if after_certificate {
        "after the certificate"
    } else {
        "after ClientHello"
    };
    let detail = match e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        Some(rustls::Error::AlertReceived(alert)) => {
            format!("TLS alert received: {}", alert_name(*alert))
        }
        Some(rustls::Error::InvalidMessage(_)) => {
            format!("peer does not speak TLS (invalid handshake message {when})")
        }
        Some(other) => format!("{other} ({when})"),
        None => match e.kind() {
            io::ErrorKind::ConnectionReset => format!("connection reset by peer {when}"),
            io::ErrorKind::UnexpectedEof => format!("connection closed by peer {when}"),
            _ => format!("{} ({when})", io_detail(e)),
        },
    };
    ProbeError::new(Stage::Tls, detail)
}

/// `HandshakeFailure` → `handshake_failure`, the RFC 8446 spelling.
fn alert_name(alert: rustls::AlertDescription) -> String {
    let camel = format!("{alert:?}");
    let mut out = String::with_capacity(camel.len() + 4);
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// `TLSv1_3` → `TLSv1.3`.
pub(crate) fn version_name(v: rustls::ProtocolVersion) -> String {
    format!("{v:?}").replace('_', ".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_alerts_and_versions_like_the_rfcs() {
        assert_eq!(
            alert_name(rustls::AlertDescription::HandshakeFailure),
            "handshake_failure"
        );
        assert_eq!(
            alert_name(rustls::AlertDescription::BadCertificate),
            "bad_certificate"
        );
        assert_eq!(version_name(rustls::ProtocolVersion::TLSv1_3), "TLSv1.3");
    }

    #[test]
    fn explains_a_reset_during_the_handshake() {
        let e = io::Error::from(io::ErrorKind::ConnectionReset);
        let err = tls_failure(&e, false);
        assert_eq!(
            err.to_string(),
            "tls: connection reset by peer after ClientHello"
        );
        let gone = dns_detail(
            "x.invalid",
            &io::Error::other("failed to lookup address information: Name or service not known"),
        );
        assert_eq!(gone, "x.invalid: NXDOMAIN (no such name)");
    }
}
