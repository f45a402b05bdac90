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
    /// When the TLS library refused the handshake before it had the chain:
    /// what pinwatch's own fallback read (then `chain` is that chain, and
    /// the peer is not shown to hold the leaf's key).
    pub fallback: Option<FallbackRead>,
    /// Whether the TLS library refused a handshake message over the 64 KiB
    /// it accepts.
    pub refused_oversized: bool,
    /// The missing issuer's certificate(s), fetched from the URL the chain
    /// names for it (AIA caIssuers) by the engine after a first analysis:
    /// they count only through their signatures.
    pub fetched: Vec<CertificateDer<'static>>,
    /// That fetch, when one was made.
    pub aia: Option<AiaFetch>,
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
            fallback: None,
            refused_oversized: false,
            fetched: Vec::new(),
            aia: None,
            elapsed: Duration::ZERO,
        }
    }
}

/// A fetch of a missing issuer's certificate from its AIA caIssuers URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AiaFetch {
    /// The URL (`http://` only).
    pub url: String,
    /// Why nothing usable came of it, if nothing did.
    pub error: Option<String>,
}

/// The largest handshake message TLS libraries accept (rustls, and
/// OpenSSL's default is near it), in bytes: past it a chain is refused, and
/// no genuine chain comes near it.
pub const TLS_LIBRARY_LIMIT: usize = 0xffff;

/// What the fallback probe read, when the TLS library refused the
/// handshake before the chain: a TLS 1.2 ClientHello of pinwatch's own, and
/// the Certificate message read from the records, in the clear.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FallbackRead {
    /// The TLS version the peer answered with (`TLSv1.2`), if it answered.
    pub version: Option<String>,
    /// The Certificate message's length as the peer declared it, in bytes.
    pub message_len: Option<usize>,
    /// How many certificates were read from it.
    pub certificates: usize,
    /// Whether the message went past pinwatch's caps (1 MiB, 1000
    /// certificates), so only its start was read.
    pub capped: bool,
    /// Why the fallback read no chain, if it read none.
    pub error: Option<String>,
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

/// Where an interception happens, from a TTL trace of the connection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    /// This device, the local network (its router), upstream, or unknown.
    #[serde(rename = "where")]
    pub place: Place,
    /// How many hops away the TLS connection ends (0: this device).
    pub hops: Option<u8>,
    /// How it was found.
    pub method: LocateMethod,
}

/// How an interceptor was located (JSON: `local_address`,
/// `proxy_on_this_device`, `ttl_tls`, `ttl_tcp_proxy`, `product_on_device`,
/// `inconclusive`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LocateMethod {
    /// The connection went to an address of this machine.
    LocalAddress,
    /// The configured proxy is on this machine.
    ProxyOnThisDevice,
    /// The smallest IP TTL at which the interceptor answered the
    /// ClientHello with the forged leaf's key.
    TtlTls,
    /// The smallest IP TTL at which the configured proxy accepted a
    /// connection.
    TtlTcpProxy,
    /// A product that installs itself on the device.
    ProductOnDevice,
    /// The trace could not tell.
    Inconclusive,
}

/// Where the TLS connection ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    /// On this machine: a local proxy or a product installed here.
    ThisDevice,
    /// One hop away: the router of the network this machine is on.
    LocalNetwork,
    /// Beyond the local router: the internet provider or further.
    Upstream,
    /// The trace was inconclusive.
    Unknown,
}

impl Place {
    /// The stable string used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Place::ThisDevice => "this_device",
            Place::LocalNetwork => "local_network",
            Place::Upstream => "upstream",
            Place::Unknown => "unknown",
        }
    }

    /// Where a TLS connection that ends `hops` hops away is.
    pub fn of_hops(hops: u8) -> Place {
        match hops {
            0 => Place::ThisDevice,
            1 => Place::LocalNetwork,
            _ => Place::Upstream,
        }
    }
}
