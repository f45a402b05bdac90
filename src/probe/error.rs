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

/// The rustls error inside an I/O error, if that is what it is.
fn rustls_error(e: &io::Error) -> Option<&rustls::Error> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
}

/// Whether rustls refused a handshake message over the 64 KiB it accepts.
pub(crate) fn is_oversized(e: &io::Error) -> bool {
    use rustls::InvalidMessage as M;
    matches!(
        rustls_error(e),
        Some(rustls::Error::InvalidMessage(
            M::HandshakePayloadTooLarge | M::CertificatePayloadTooLarge | M::MessageTooLarge
        ))
    )
}

/// Whether the handshake ended in a refusal by TLS (rustls' own, or the
/// peer's alert), not by the network (a reset, a closed connection).
pub(crate) fn refused_by_library(e: &io::Error) -> bool {
    rustls_error(e).is_some()
}

/// A failed handshake in words. `leaf` is the certificate the peer had
/// presented, if it had; `message_len` the size of the Certificate message
/// the fallback read, if it read one.
pub(crate) fn tls_failure(
    e: &io::Error,
    leaf: Option<&[u8]>,
    message_len: Option<usize>,
) -> ProbeError {
    let when = if leaf.is_some() {
        "after the certificate"
    } else {
        "after ClientHello"
    };
    let detail = match rustls_error(e) {
        _ if is_oversized(e) => match message_len
            .filter(|&n| n > crate::observation::TLS_LIBRARY_LIMIT)
        {
            Some(n) => format!(
                "the peer sent a handshake message of {n} bytes, over the 64 KiB TLS libraries accept"
            ),
            None => "the peer sent a handshake message over the 64 KiB TLS libraries accept".into(),
        },
        Some(rustls::Error::AlertReceived(alert)) => {
            format!("TLS alert received: {}", alert_name(*alert))
        }
        Some(other) => match leaf.and_then(unusable_key) {
            Some(key) => format!(
                "the server's certificate has {key}: its handshake signature cannot be checked"
            ),
            None => match other {
                rustls::Error::InvalidMessage(_) => {
                    format!("peer does not speak TLS (invalid handshake message {when})")
                }
                other => format!("{other} ({when})"),
            },
        },
        None => match e.kind() {
            io::ErrorKind::ConnectionReset => format!("connection reset by peer {when}"),
            io::ErrorKind::UnexpectedEof => format!("connection closed by peer {when}"),
            _ => format!("{} ({when})", io_detail(e)),
        },
    };
    ProbeError::new(Stage::Tls, detail)
}

/// A leaf key TLS libraries refuse for the handshake signature, in words:
/// RSA under 2048 bits, elliptic curves other than P-256 and P-384, DSA
/// and the rest.
fn unusable_key(leaf: &[u8]) -> Option<String> {
    use x509_parser::prelude::FromDer as _;
    use x509_parser::public_key::PublicKey;
    let (_, cert) = x509_parser::certificate::X509Certificate::from_der(leaf).ok()?;
    let spki = cert.public_key();
    let alg = spki.algorithm.algorithm.to_id_string();
    let curve = || {
        spki.algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.as_oid().ok())
            .map(|oid| oid.to_id_string())
            .unwrap_or_default()
    };
    match alg.as_str() {
        // RSA: ring verifies 2048 bits and more.
        "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.10" => match spki.parsed() {
            Ok(PublicKey::RSA(rsa)) if rsa.key_size() < 2048 => Some(format!(
                "a {}-bit RSA key, too weak for TLS libraries (they accept 2048 bits or more)",
                rsa.key_size()
            )),
            _ => None,
        },
        // ECDSA: P-256 and P-384 only.
        "1.2.840.10045.2.1" => match curve().as_str() {
            "1.2.840.10045.3.1.7" | "1.3.132.0.34" => None,
            "1.3.132.0.35" => {
                Some("an ECDSA key on P-521, a curve TLS libraries here do not accept".into())
            }
            other => Some(format!(
                "an ECDSA key on the curve {other}, which TLS libraries do not accept"
            )),
        },
        "1.3.101.112" => None,
        "1.3.101.113" => Some("an Ed448 key, which TLS libraries here do not accept".into()),
        "1.2.840.10040.4.1" => Some("a DSA key, which TLS libraries no longer accept".into()),
        other => Some(format!(
            "a key of algorithm {other}, which TLS libraries do not accept"
        )),
    }
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
        let err = tls_failure(&e, None, None);
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
