//! The verdict model: five verdicts, each with stable reason codes (like
//! OONI's failure strings) that scripts can rely on.

use serde::Serialize;

/// What a check concluded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The genuine, publicly trusted chain for the host.
    Ok,
    /// No certificate: blocked, down or unreachable. Not interception.
    Unreachable,
    /// The network shows a login page instead of the service.
    CaptivePortal,
    /// Something is off but it is not proof of interception.
    Suspicious,
    /// A certificate for the host that the world does not trust, or a
    /// known interception key: someone can read the traffic.
    Intercepted,
}

impl Verdict {
    /// The stable string used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Unreachable => "unreachable",
            Verdict::CaptivePortal => "captive_portal",
            Verdict::Suspicious => "suspicious",
            Verdict::Intercepted => "intercepted",
        }
    }
}

/// Why a verdict was reached. The strings are stable API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The chain validates against the public root store.
    PublicRoot,
    /// The chain validates against the service's own private CA (Signal).
    ServiceCa,
    /// The chain validates against a root Mozilla retired for age that the
    /// service's pinset names (a real CA key, not interception).
    LegacyRoot,
    /// The leaf names the requested host.
    NameMatch,
    /// A key of the validated chain is in the service's pinset.
    PinMatch,
    /// The service has no pinset (public validation only).
    NoPinset,
    /// A certificate carries a key of a known interception product.
    KnownInterceptorKey,
    /// The issuer's name matches a known interception product.
    InterceptorIssuer,
    /// The chain names the host but does not lead to a public root.
    UntrustedRoot,
    /// ... and it validates against this machine's store: a local root is installed.
    SystemRootInstalled,
    /// ... and not against this machine's store either.
    UnknownRoot,
    /// Publicly trusted, but no key of the chain is in the service's pinset.
    PinMismatch,
    /// The service's pinset is past its review date.
    PinsetStale,
    /// A certificate of an otherwise valid chain has expired.
    Expired,
    /// A certificate of an otherwise valid chain is not valid yet.
    NotYetValid,
    /// The leaf does not name the requested host.
    NameMismatch,
    /// The certificate is one that captive portals are known to present.
    CaptivePortalKey,
    /// Connectivity checks were answered by a login page or redirect.
    PortalDetected,
    /// The leaf certificate cannot be parsed.
    MalformedCertificate,
    /// Name resolution failed.
    DnsFailed,
    /// The TCP connection failed.
    TcpFailed,
    /// The proxy could not be reached or refused the tunnel.
    ProxyFailed,
    /// The TLS handshake failed.
    TlsFailed,
    /// No answer in time.
    Timeout,
}

impl Reason {
    /// The stable string used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::PublicRoot => "public_root",
            Reason::ServiceCa => "service_ca",
            Reason::LegacyRoot => "legacy_root",
            Reason::NameMatch => "name_match",
            Reason::PinMatch => "pin_match",
            Reason::NoPinset => "no_pinset",
            Reason::KnownInterceptorKey => "known_interceptor_key",
            Reason::InterceptorIssuer => "interceptor_issuer",
            Reason::UntrustedRoot => "untrusted_root",
            Reason::SystemRootInstalled => "system_root_installed",
            Reason::UnknownRoot => "unknown_root",
            Reason::PinMismatch => "pin_mismatch",
            Reason::PinsetStale => "pinset_stale",
            Reason::Expired => "expired",
            Reason::NotYetValid => "not_yet_valid",
            Reason::NameMismatch => "name_mismatch",
            Reason::CaptivePortalKey => "captive_portal_key",
            Reason::PortalDetected => "portal_detected",
            Reason::MalformedCertificate => "malformed_certificate",
            Reason::DnsFailed => "dns_failed",
            Reason::TcpFailed => "tcp_failed",
            Reason::ProxyFailed => "proxy_failed",
            Reason::TlsFailed => "tls_failed",
            Reason::Timeout => "timeout",
        }
    }
}

/// Which store the chain leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Anchor {
    /// The public root store.
    Public,
    /// The service's own private CA, pinned in its pinset.
    ServiceCa,
    /// A root Mozilla retired for age, pinned in the service's pinset.
    LegacyRoot,
    /// Only this machine's store.
    System,
    /// Neither.
    None,
}

impl Anchor {
    /// The stable string used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Anchor::Public => "public",
            Anchor::ServiceCa => "service_ca",
            Anchor::LegacyRoot => "legacy_root",
            Anchor::System => "system",
            Anchor::None => "none",
        }
    }
}
