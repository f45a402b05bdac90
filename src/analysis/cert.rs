//! Facts about one certificate, parsed defensively with x509-parser: a
//! certificate comes from the network, that is, possibly from an attacker,
//! so nothing here panics and a certificate that does not parse still gets
//! its hash and a note saying why.

use serde::Serialize;
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

use crate::util::{rfc3339, sha256_base64, sha256_hex};

/// What pinwatch reports about a certificate.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CertFacts {
    /// Subject distinguished name.
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// Issuer CommonName, if any.
    #[serde(skip)]
    pub issuer_cn: Option<String>,
    /// Issuer Organization, if any.
    #[serde(skip)]
    pub issuer_o: Option<String>,
    /// DNS names and IP addresses from subjectAltName.
    pub sans: Vec<String>,
    /// Start of validity, seconds since the epoch.
    #[serde(skip)]
    pub not_before_unix: i64,
    /// End of validity, seconds since the epoch.
    #[serde(skip)]
    pub not_after_unix: i64,
    /// Start of validity, RFC 3339.
    pub not_before: String,
    /// End of validity, RFC 3339.
    pub not_after: String,
    /// SHA-256 of the SubjectPublicKeyInfo, base64 (the RFC 7469 pin form).
    pub spki_sha256: String,
    /// SHA-256 of the whole certificate, hex.
    pub cert_sha256: String,
    /// Whether the certificate may sign others (basicConstraints CA).
    pub is_ca: bool,
    /// Why the certificate could not be parsed, if it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parse_error: Option<String>,
}

impl CertFacts {
    /// Parses `der`. Never fails: a malformed certificate yields facts with
    /// `parse_error` set and only the certificate hash filled in.
    pub fn from_der(der: &[u8]) -> CertFacts {
        match X509Certificate::from_der(der) {
            Ok((_, cert)) => facts(&cert, der),
            Err(e) => CertFacts {
                subject: String::new(),
                issuer: String::new(),
                issuer_cn: None,
                issuer_o: None,
                sans: Vec::new(),
                not_before_unix: 0,
                not_after_unix: 0,
                not_before: String::new(),
                not_after: String::new(),
                spki_sha256: String::new(),
                cert_sha256: sha256_hex(der),
                is_ca: false,
                parse_error: Some(format!("not a parseable X.509 certificate: {e}")),
            },
        }
    }

    /// Whether the certificate is within its validity period at `now`.
    pub fn in_date(&self, now: i64) -> bool {
        self.parse_error.is_none() && self.not_before_unix <= now && now <= self.not_after_unix
    }

    /// The subject's CommonName-ish short name, for one-line displays.
    pub fn short_subject(&self) -> &str {
        short_name(&self.subject)
    }

    /// The issuer's short name.
    pub fn short_issuer(&self) -> &str {
        short_name(&self.issuer)
    }
}

fn facts(cert: &X509Certificate<'_>, der: &[u8]) -> CertFacts {
    let text = |attr: Option<&x509_parser::x509::AttributeTypeAndValue<'_>>| {
        attr.and_then(|a| a.as_str().ok()).map(str::to_string)
    };
    let validity = cert.validity();
    let (nb, na) = (
        validity.not_before.timestamp(),
        validity.not_after.timestamp(),
    );
    let sans = match cert.subject_alternative_name() {
        Ok(Some(ext)) => ext
            .value
            .general_names
            .iter()
            .filter_map(|name| match name {
                GeneralName::DNSName(d) => Some((*d).to_string()),
                GeneralName::IPAddress(ip) => ip_text(ip),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    CertFacts {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        issuer_cn: text(cert.issuer().iter_common_name().next()),
        issuer_o: text(cert.issuer().iter_organization().next()),
        sans,
        not_before_unix: nb,
        not_after_unix: na,
        not_before: rfc3339(nb),
        not_after: rfc3339(na),
        spki_sha256: sha256_base64(cert.public_key().raw),
        cert_sha256: sha256_hex(der),
        is_ca: cert.is_ca(),
        parse_error: None,
    }
}

fn ip_text(bytes: &[u8]) -> Option<String> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes)
            .ok()
            .map(|b| std::net::Ipv4Addr::from(b).to_string()),
        16 => <[u8; 16]>::try_from(bytes)
            .ok()
            .map(|b| std::net::Ipv6Addr::from(b).to_string()),
        _ => None,
    }
}

/// `CN=foo, O=bar` → `foo`; falls back to the first attribute's value.
fn short_name(dn: &str) -> &str {
    fn value(part: &str) -> Option<&str> {
        part.split_once('=').map(|(_, v)| v.trim())
    }
    dn.split(", ")
        .find(|p| p.starts_with("CN="))
        .and_then(value)
        .or_else(|| dn.split(", ").next().and_then(value))
        .unwrap_or(dn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_described_not_panicked_on() {
        for junk in [
            &b""[..],
            b"\x30\x82\xff\xff",
            b"-----BEGIN CERTIFICATE-----",
            &[0x30, 0x03, 0x02, 0x01, 0x00],
        ] {
            let f = CertFacts::from_der(junk);
            assert!(f.parse_error.is_some());
            assert_eq!(f.cert_sha256.len(), 64);
            assert!(!f.in_date(0));
        }
    }

    #[test]
    fn short_names() {
        assert_eq!(short_name("CN=mitmproxy, O=mitmproxy"), "mitmproxy");
        assert_eq!(short_name("O=Example, C=US"), "Example");
    }
}
