//! The x509-limbo corpus as data: the fields of `limbo.json` the run uses,
//! and the PEM and time parsing that turns a case into DER and a clock.

use std::fmt;
use std::path::{Path, PathBuf};

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use serde::Deserialize;

/// `tests/data/x509-limbo/`.
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/x509-limbo")
}

/// The top level of `limbo.json`.
#[derive(Debug, Deserialize)]
pub struct Limbo {
    /// Schema version (1).
    pub version: u32,
    /// Every case.
    pub testcases: Vec<Case>,
}

/// One test case (the fields the run reads; serde ignores the rest).
#[derive(Debug, Deserialize)]
pub struct Case {
    /// Stable identifier, `namespace::name`.
    pub id: String,
    /// What the case tests, in Markdown.
    pub description: String,
    /// Whose certificate is validated: a server's or a client's.
    pub validation_kind: Kind,
    /// The trust anchors (PEM).
    pub trusted_certs: Vec<String>,
    /// Intermediates presented with the peer certificate (PEM).
    pub untrusted_intermediates: Vec<String>,
    /// The peer's certificate (PEM).
    pub peer_certificate: String,
    /// The peer's private key (PEM: PKCS#8, SEC1 or PKCS#1), when given.
    pub peer_certificate_key: Option<String>,
    /// RFC 3339; none means "now".
    pub validation_time: Option<String>,
    /// What a correct validator concludes.
    pub expected_result: Expected,
    /// The name the peer is validated for.
    pub expected_peer_name: Option<PeerName>,
}

/// Whose certificate a case validates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum Kind {
    /// A server's, for TLS server authentication.
    #[serde(rename = "SERVER")]
    Server,
    /// A client's.
    #[serde(rename = "CLIENT")]
    Client,
}

/// What limbo expects a validator to conclude.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
pub enum Expected {
    /// The chain validates.
    #[serde(rename = "SUCCESS")]
    Success,
    /// It does not.
    #[serde(rename = "FAILURE")]
    Failure,
}

impl Expected {
    /// `SUCCESS` or `FAILURE`, as limbo and the divergence list write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Expected::Success => "SUCCESS",
            Expected::Failure => "FAILURE",
        }
    }
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A peer name: `DNS`, `IP` or `RFC822` and its value.
#[derive(Debug, Deserialize)]
pub struct PeerName {
    /// The name's kind.
    pub kind: String,
    /// The name.
    pub value: String,
}

impl Case {
    /// The description's first line, for failure messages.
    pub fn summary(&self) -> &str {
        self.description.lines().next().unwrap_or_default().trim()
    }

    /// The chain as presented: the peer certificate, then the intermediates.
    pub fn chain(&self) -> Result<Vec<CertificateDer<'static>>, String> {
        std::iter::once(&self.peer_certificate)
            .chain(&self.untrusted_intermediates)
            .map(|pem| cert_der(pem))
            .collect()
    }

    /// The trust anchors as DER.
    pub fn trusted(&self) -> Result<Vec<CertificateDer<'static>>, String> {
        self.trusted_certs.iter().map(|pem| cert_der(pem)).collect()
    }

    /// The validation time in seconds since the epoch; "now" when the case
    /// gives none.
    pub fn validation_time(&self) -> Result<i64, String> {
        let Some(text) = &self.validation_time else {
            return Ok(pinwatch::util::now());
        };
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
            .map(time::OffsetDateTime::unix_timestamp)
            .map_err(|e| format!("validation_time `{text}`: {e}"))
    }
}

/// Reads and parses `limbo.json`.
pub fn load() -> Result<Limbo, String> {
    let path = data_dir().join("limbo.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let limbo: Limbo =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    if limbo.version != 1 {
        return Err(format!(
            "{}: schema version {} (the run reads version 1)",
            path.display(),
            limbo.version
        ));
    }
    Ok(limbo)
}

fn cert_der(pem: &str) -> Result<CertificateDer<'static>, String> {
    CertificateDer::from_pem_slice(pem.as_bytes()).map_err(|e| format!("certificate PEM: {e}"))
}
