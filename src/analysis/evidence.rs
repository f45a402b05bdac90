//! Evidence: the facts behind a verdict, as data. Each fact is a stable
//! code with parameters (which certificate, which rule, which dates); JSON
//! carries exactly that, and only reporters turn it into English or Chinese
//! (through the `ev-<code>` messages of the locale files).

use serde::Serialize;

use super::anchors::ChainRule;
use crate::ct::CtStatus;
use crate::observation::Stage;

/// One fact supporting a verdict. Serialized as `{"code": "...", ...params}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Evidence {
    /// Who issued the leaf.
    Issuer {
        /// Issuer distinguished name.
        issuer: String,
    },
    /// The probe got no certificate.
    NoCertificate {
        /// Where the probe stopped.
        stage: Stage,
        /// What happened.
        detail: String,
    },
    /// The genuine certificate arrived but the handshake failed.
    HandshakeFailed {
        /// What happened.
        detail: String,
    },
    /// A known interception key signed the leaf or sits in its path.
    KnownKey {
        /// Product name.
        product: String,
        /// The key and its label.
        matched: String,
    },
    /// A known interception key was sent along, but nothing in the path
    /// is signed by it: the server chose to append it. Not a verdict.
    AppendedKnownKey {
        /// Product name.
        product: String,
        /// The key and its label.
        matched: String,
        /// Position in the presented chain (0 is the leaf).
        position: usize,
    },
    /// The leaf cannot be parsed.
    Malformed {
        /// The parser's error.
        error: String,
    },
    /// A certificate for the host that no public or known CA key signed.
    Forged {
        /// The host.
        host: String,
        /// The public store's name.
        store: String,
        /// Who signed the path's last certificate.
        signer: Signer,
    },
    /// The chain reaches a public or known CA key by signatures but breaks
    /// a rule of path validation.
    ChainRuleBroken {
        /// The rule.
        rule: ChainRule,
        /// rustls-webpki's name for the error.
        detail: String,
    },
    /// A certificate of the path is out of its validity period.
    CertOutOfDate {
        /// Position in the presented chain, or `None` for one pinwatch supplied.
        position: Option<usize>,
        /// Its subject.
        subject: String,
        /// Start of validity, RFC 3339.
        not_before: String,
        /// End of validity, RFC 3339.
        not_after: String,
    },
    /// The path ends at a CA key pinwatch knows that the public store does
    /// not trust (a retired or private root) and the service does not pin.
    KnownCaNotTrusted {
        /// The CA's label.
        label: String,
    },
    /// The forging CA copies the name of a public root or known CA: it
    /// pretends to be that CA, with another key.
    Impersonates {
        /// The name it copies.
        name: String,
    },
    /// The forging CA uses the organization name of a public CA (or a
    /// common name several of its roots share), with another key: weaker
    /// than a copied name.
    BorrowsCaOrganization {
        /// The organization (or shared common name) it uses.
        organization: String,
    },
    /// Some signature could not be checked, so forgery cannot be decided.
    Unverifiable {
        /// What stopped the check.
        detail: String,
    },
    /// The chain leads to a pinned root Mozilla retired for age.
    LegacyRoot {
        /// The root's label.
        label: String,
    },
    /// This machine's store accepts the chain.
    SystemRoot,
    /// Where the accepting root is installed.
    SystemRootAt {
        /// File or database.
        location: String,
    },
    /// This machine's store does not accept it either.
    NoRoot,
    /// The leaf names other hosts.
    WrongName {
        /// The names it has.
        names: String,
        /// The host asked for.
        host: String,
    },
    /// The leaf has no subjectAltName: browsers ignore the subject's name.
    NoSubjectAltName {
        /// The leaf's subject.
        subject: String,
        /// The host asked for.
        host: String,
    },
    /// ... and does not lead to a public root.
    WrongNameNotPublic {
        /// The public store's name.
        store: String,
    },
    /// The key is a known captive portal's.
    PortalKey {
        /// The portal's label.
        label: String,
    },
    /// What a captive-portal connectivity check saw.
    PortalCheck {
        /// What the check saw.
        detail: String,
    },
    /// What the leaf's SCTs say (Certificate Transparency), when it
    /// changes or supports the verdict.
    Ct {
        /// `ct_missing`, `ct_invalid`, `ct_insufficient`.
        status: CtStatus,
        /// Valid SCTs.
        valid: usize,
        /// Distinct operators among them.
        operators: usize,
        /// Why, in the CT engine's words.
        detail: String,
        /// Whether the log list is past its review date.
        list_stale: bool,
    },
    /// No key of the public chain is in the pinset.
    PinMismatch {
        /// Service display name.
        service: String,
        /// Number of pins.
        count: usize,
        /// Review date.
        review: String,
    },
    /// The pinset is past its review date.
    PinsetStale {
        /// Review date.
        review: String,
        /// Today.
        today: String,
    },
    /// The chain is far larger than any genuine one.
    ChainOversized {
        /// The Certificate message's size in bytes, when it was read.
        bytes: Option<usize>,
        /// Certificates read from it.
        certificates: usize,
        /// Whether it went past pinwatch's caps (only its start was read).
        capped: bool,
    },
    /// The TLS library refused the handshake; pinwatch read the chain
    /// itself over TLS 1.2, so the peer is not shown to hold the leaf's key.
    FallbackRead {
        /// The TLS version the peer answered with.
        version: String,
    },
    /// The chain stops at a certificate whose issuer is missing.
    ChainIncomplete {
        /// The missing issuer's name.
        issuer: String,
        /// Where the certificate says it can be fetched, if it says.
        url: Option<String>,
        /// What fetching it gave, if it was fetched.
        fetch: Option<String>,
    },
    /// The server left out its intermediate; pinwatch fetched it from the
    /// URL the certificate names, and its signature checks.
    IssuerFetched {
        /// The URL.
        url: String,
    },
    /// This machine's clock looks wrong.
    ClockSuspect {
        /// The time the chain was judged by (this machine's), RFC 3339.
        now: String,
        /// Which way it is wrong.
        direction: ClockDirection,
        /// When this pinwatch was built, RFC 3339, if the clock is before it.
        built: Option<String>,
        /// Whether the chain would be valid at another time (else only the
        /// build date says so).
        chain_valid_then: bool,
    },
    /// ... and pinwatch's own reading got no chain either.
    FallbackFailed {
        /// Why.
        detail: String,
    },
    /// The knowledge is older than 70 days: a pin mismatch is evidence
    /// only, not a verdict.
    KnowledgeOld {
        /// Its age in whole days.
        days: i64,
    },
}

impl Evidence {
    /// The stable code (the JSON `code` field).
    pub fn code(&self) -> &'static str {
        match self {
            Evidence::Issuer { .. } => "issuer",
            Evidence::NoCertificate { .. } => "no_certificate",
            Evidence::HandshakeFailed { .. } => "handshake_failed",
            Evidence::KnownKey { .. } => "known_key",
            Evidence::AppendedKnownKey { .. } => "appended_known_key",
            Evidence::Malformed { .. } => "malformed",
            Evidence::Forged { .. } => "forged",
            Evidence::ChainRuleBroken { .. } => "chain_rule_broken",
            Evidence::CertOutOfDate { .. } => "cert_out_of_date",
            Evidence::KnownCaNotTrusted { .. } => "known_ca_not_trusted",
            Evidence::Impersonates { .. } => "impersonates",
            Evidence::BorrowsCaOrganization { .. } => "borrows_ca_organization",
            Evidence::Unverifiable { .. } => "unverifiable",
            Evidence::LegacyRoot { .. } => "legacy_root",
            Evidence::SystemRoot => "system_root",
            Evidence::SystemRootAt { .. } => "system_root_at",
            Evidence::NoRoot => "no_root",
            Evidence::WrongName { .. } => "wrong_name",
            Evidence::NoSubjectAltName { .. } => "no_subject_alt_name",
            Evidence::WrongNameNotPublic { .. } => "wrong_name_not_public",
            Evidence::PortalKey { .. } => "portal_key",
            Evidence::PortalCheck { .. } => "portal_check",
            Evidence::Ct { .. } => "ct",
            Evidence::PinMismatch { .. } => "pin_mismatch",
            Evidence::PinsetStale { .. } => "pinset_stale",
            Evidence::ChainOversized { .. } => "chain_oversized",
            Evidence::FallbackRead { .. } => "fallback_read",
            Evidence::FallbackFailed { .. } => "fallback_failed",
            Evidence::ClockSuspect { .. } => "clock_suspect",
            Evidence::ChainIncomplete { .. } => "chain_incomplete",
            Evidence::IssuerFetched { .. } => "issuer_fetched",
            Evidence::KnowledgeOld { .. } => "knowledge_old",
        }
    }
}

/// Who signed the last certificate of a forged path (JSON: `unknown`,
/// `system`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Signer {
    /// A key nobody knows.
    Unknown,
    /// A root only this machine trusts.
    System,
}

impl Signer {
    /// Its stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Signer::Unknown => "unknown",
            Signer::System => "system",
        }
    }
}

/// Which way this machine's clock looks wrong (JSON: `behind`, `ahead`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockDirection {
    /// Earlier than the chain's validity: the clock is behind.
    Behind,
    /// Later than the chain's validity: the clock is ahead.
    Ahead,
}

impl ClockDirection {
    /// Its stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            ClockDirection::Behind => "behind",
            ClockDirection::Ahead => "ahead",
        }
    }
}
