//! The observation: what one probe recorded, as plain data. It is the only
//! thing analysis learns about the network: the presented chain, the TLS
//! parameters, the stage a probe stopped at, and what the captive-portal
//! checks saw. The probe fills it in; analysis reads it and never imports
//! the probe.

use std::fmt;
use std::time::Duration;

use rustls_pki_types::CertificateDer;
use serde::Serialize;

use crate::target::Target;

/// What one probe saw: plain data, the input to analysis.
#[derive(Clone, Debug)]
pub struct Observation {
    /// What was checked.
    pub target: Target,
    /// The address the TCP connection went to (the proxy's when proxied).
    pub peer: Option<String>,
    /// The proxy used, if any.
    pub via_proxy: Option<String>,
    /// The chain as presented: leaf first, then whatever else the peer sent.
    pub chain: Vec<CertificateDer<'static>>,
    /// Negotiated parameters, when the handshake completed.
    pub tls: Option<TlsParams>,
    /// Why the probe stopped early, if it did.
    pub error: Option<ProbeError>,
    /// Wall time the probe took.
    pub elapsed: Duration,
}

impl Observation {
    /// An observation of `target` that got nothing, failing with `error`.
    pub fn failed(target: Target, error: ProbeError) -> Self {
        Observation {
            target,
            peer: None,
            via_proxy: None,
            chain: Vec::new(),
            tls: None,
            error: Some(error),
            elapsed: Duration::ZERO,
        }
    }
}

/// Negotiated TLS parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TlsParams {
    /// `TLSv1.3` or `TLSv1.2`.
    pub version: String,
    /// IANA-style cipher suite name.
    pub cipher: String,
    /// Negotiated ALPN protocol, if any.
    pub alpn: Option<String>,
}

/// Where a probe stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Name resolution.
    Dns,
    /// TCP connection.
    Tcp,
    /// Reaching or tunnelling through the proxy.
    Proxy,
    /// TLS handshake.
    Tls,
    /// The overall timeout expired.
    Timeout,
}

impl Stage {
    /// The stable name used in JSON and reason codes.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Dns => "dns",
            Stage::Tcp => "tcp",
            Stage::Proxy => "proxy",
            Stage::Tls => "tls",
            Stage::Timeout => "timeout",
        }
    }
}

/// A probe failure: the stage and what happened, in words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProbeError {
    /// Stage it failed at.
    pub stage: Stage,
    /// What happened.
    pub detail: String,
}

impl ProbeError {
    /// A failure at `stage`.
    pub fn new(stage: Stage, detail: impl Into<String>) -> Self {
        ProbeError {
            stage,
            detail: detail.into(),
        }
    }
}

impl fmt::Display for ProbeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.stage.as_str(), self.detail)
    }
}

/// What the captive-portal connectivity checks found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PortalEvidence {
    /// A check was answered with something other than the expected answer.
    pub detected: bool,
    /// What each check saw, for the evidence list.
    pub details: Vec<String>,
}
