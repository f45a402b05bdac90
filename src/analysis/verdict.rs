//! The verdict model: five verdicts, each with stable reason codes (like
//! OONI's failure strings) that scripts can rely on.

use serde::Serialize;

/// What a check concluded. Declared from least to most severe: the
/// derived order *is* the severity, the one ranking that the exit code, the
/// tray, the incident tracker and every sorting use (see [`Verdict::severity`]).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
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
    /// How bad the verdict is, 0 (ok) to 4 (intercepted). Unreachable is
    /// worse than ok (nothing could be checked) and better than a portal.
    pub fn severity(self) -> u8 {
        match self {
            Verdict::Ok => 0,
            Verdict::Unreachable => 1,
            Verdict::CaptivePortal => 2,
            Verdict::Suspicious => 3,
            Verdict::Intercepted => 4,
        }
    }

    /// The exit code of a run whose overall verdict this is (the Nagios
    /// convention): 0 ok, 1 suspicious, 2 intercepted, 3 unknown (nothing
    /// answered, or a captive portal hides the answer).
    pub fn exit_code(self) -> i32 {
        match self {
            Verdict::Ok => 0,
            Verdict::Suspicious => 1,
            Verdict::Intercepted => 2,
            Verdict::Unreachable | Verdict::CaptivePortal => 3,
        }
    }

    /// The verdict that stands for a set of results: the most severe among
    /// targets that presented a certificate; `unreachable` only when none
    /// did (a blocked service among answering ones does not hide their
    /// answer); `None` for no results.
    pub fn overall(verdicts: impl IntoIterator<Item = Verdict>) -> Option<Verdict> {
        let mut worst_answered: Option<Verdict> = None;
        let mut any = false;
        for v in verdicts {
            any = true;
            if v != Verdict::Unreachable {
                worst_answered = worst_answered.max(Some(v));
            }
        }
        worst_answered.or(any.then_some(Verdict::Unreachable))
    }

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
    /// The chain names the host and no public or known CA key signed its
    /// path: a forged chain.
    UntrustedRoot,
    /// ... and its CA copies the name of a public root or known CA, with
    /// another key: a look-alike.
    ImpersonatesPublicCa,
    /// ... and its CA uses the organization name of a public CA (or a
    /// common name several of that CA's roots share), with another key:
    /// weaker than a copied name.
    BorrowsCaOrganization,
    /// ... and it validates against this machine's store: a local root is installed.
    SystemRootInstalled,
    /// ... and not against this machine's store either.
    UnknownRoot,
    /// Publicly trusted, but no key of the chain is in the service's pinset.
    PinMismatch,
    /// The service's pinset is past its review date.
    PinsetStale,
    /// A publicly trusted leaf with no embedded SCT list.
    CtMissing,
    /// SCTs that do not meet the CT policy, some provably bad.
    CtInvalid,
    /// SCTs that do not meet the CT policy, none valid, with a current log list.
    CtInsufficient,
    /// A public CA issued a certificate for a pinned service outside the
    /// pinset and outside the CT logs: how DigiNotar's certificates looked.
    RoguePublicCa,
    /// The chain reaches a public or known CA key by signatures, but a
    /// certificate of the path has expired.
    ChainExpired,
    /// ... but a certificate of the path is not valid yet.
    ChainNotYetValid,
    /// ... but a certificate signs what it may not (CA:FALSE issuer,
    /// pathLen, name constraints, a CA certificate as the leaf).
    ChainConstraintViolated,
    /// ... but the leaf may not be used for TLS servers (EKU, key usage).
    ChainUsageViolated,
    /// ... but the path is longer than validators follow.
    ChainTooLong,
    /// ... but it breaks another rule of path validation.
    ChainInvalid,
    /// ... ending at a CA key pinwatch knows that the public store does not
    /// trust and the service does not pin (a retired or private root).
    KnownCaNotTrusted,
    /// A signature could not be checked: forgery can be neither shown nor
    /// ruled out.
    ChainUnverifiable,
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
    /// The chain is far larger than any genuine one (over the 64 KiB TLS
    /// libraries accept): a shape meant to make checkers give up.
    ChainOversized,
    /// The TLS library refused the handshake and pinwatch read the chain
    /// itself: the peer is not shown to hold the leaf's key.
    ChainUnproven,
    /// The chain stops at a certificate whose issuer is missing and could
    /// not be found (known intermediates, the leaf's AIA URL).
    ChainIncomplete,
    /// This machine's clock looks wrong: the chain is valid at another time.
    ClockSuspect,
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
            Reason::ImpersonatesPublicCa => "impersonates_public_ca",
            Reason::BorrowsCaOrganization => "borrows_ca_organization",
            Reason::SystemRootInstalled => "system_root_installed",
            Reason::UnknownRoot => "unknown_root",
            Reason::PinMismatch => "pin_mismatch",
            Reason::PinsetStale => "pinset_stale",
            Reason::CtMissing => "ct_missing",
            Reason::CtInvalid => "ct_invalid",
            Reason::CtInsufficient => "ct_insufficient",
            Reason::RoguePublicCa => "rogue_public_ca",
            Reason::ChainExpired => "chain_expired",
            Reason::ChainNotYetValid => "chain_not_yet_valid",
            Reason::ChainConstraintViolated => "chain_constraint_violated",
            Reason::ChainUsageViolated => "chain_usage_violated",
            Reason::ChainTooLong => "chain_too_long",
            Reason::ChainInvalid => "chain_invalid",
            Reason::KnownCaNotTrusted => "known_ca_not_trusted",
            Reason::ChainUnverifiable => "chain_unverifiable",
            Reason::NameMismatch => "name_mismatch",
            Reason::CaptivePortalKey => "captive_portal_key",
            Reason::PortalDetected => "portal_detected",
            Reason::MalformedCertificate => "malformed_certificate",
            Reason::DnsFailed => "dns_failed",
            Reason::TcpFailed => "tcp_failed",
            Reason::ProxyFailed => "proxy_failed",
            Reason::TlsFailed => "tls_failed",
            Reason::Timeout => "timeout",
            Reason::ChainOversized => "chain_oversized",
            Reason::ChainUnproven => "chain_unproven",
            Reason::ChainIncomplete => "chain_incomplete",
            Reason::ClockSuspect => "clock_suspect",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_ranking_for_everything() {
        let all = [
            Verdict::Ok,
            Verdict::Unreachable,
            Verdict::CaptivePortal,
            Verdict::Suspicious,
            Verdict::Intercepted,
        ];
        for pair in all.windows(2) {
            assert!(pair[0] < pair[1]);
            assert!(pair[0].severity() < pair[1].severity());
        }
    }

    #[test]
    fn overall_ignores_unreachable_among_answers() {
        use Verdict::*;
        assert_eq!(Verdict::overall([Ok, Unreachable]), Some(Ok));
        assert_eq!(
            Verdict::overall([Unreachable, Unreachable]),
            Some(Unreachable)
        );
        assert_eq!(Verdict::overall([Ok, CaptivePortal]), Some(CaptivePortal));
        assert_eq!(
            Verdict::overall([Suspicious, Intercepted, Ok]),
            Some(Intercepted)
        );
        assert_eq!(Verdict::overall([]), None);
        assert_eq!(Ok.exit_code(), 0);
        assert_eq!(Suspicious.exit_code(), 1);
        assert_eq!(Intercepted.exit_code(), 2);
        assert_eq!(CaptivePortal.exit_code(), 3);
        assert_eq!(Unreachable.exit_code(), 3);
    }
}
