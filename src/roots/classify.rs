//! Classifying the roots a machine trusts: public (in webpki-roots),
//! version skew (a root Mozilla removed, still in an older OS bundle), or
//! extra (installed by someone), with known-interceptor attribution.

use serde::Serialize;

use super::Scan;
use crate::analysis::{Attribution, CertFacts, TrustStore, attribute};
use crate::knowledge::Knowledge;
use crate::names::{self, LookAlike, Name};

/// What a root is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// Installed by someone: not in the public store.
    Extra,
    /// A root Mozilla removed that an older OS bundle still carries.
    VersionSkew,
    /// A root of this platform's own root program (Microsoft's on Windows,
    /// Apple's on macOS) that Mozilla does not include.
    PlatformProgram,
    /// Not a CA certificate (a self-signed server certificate such as
    /// Debian's ssl-cert snakeoil): OpenSSL-based apps trust it only for
    /// its own names; listed, not counted.
    NotCa,
    /// In the public store.
    Public,
}

/// One root, classified.
#[derive(Clone, Debug, Serialize)]
pub struct RootEntry {
    /// public, version_skew or extra.
    pub class: Class,
    /// Parsed facts.
    #[serde(flatten)]
    pub facts: CertFacts,
    /// Whether it is past its notAfter.
    pub expired: bool,
    /// Every place it was found.
    pub locations: Vec<String>,
    /// The known interception product it belongs to.
    pub interceptor: Option<Attribution>,
    /// Why a version-skew root left Mozilla's store, when known.
    pub note: Option<String>,
    /// An extra root named like a public root or a CA pinwatch knows
    /// (the whole name, or its common name, compared as RFC 5280 compares
    /// names), with another key: that CA's name (a look-alike).
    pub impersonates: Option<String>,
    /// An extra root whose organization is a public CA's (or whose common
    /// name several of that CA's roots share), with a key that CA does not
    /// have: the organization's name. A newer root of that CA, or one
    /// pretending to be it; weaker than `impersonates`.
    pub borrows_organization: Option<String>,
}

/// The platform whose root program a stock store follows: `windows`,
/// `macos`, or `None` (Linux and the BSDs ship Mozilla's store).
pub fn this_platform() -> Option<&'static str> {
    if cfg!(windows) {
        Some("windows")
    } else if cfg!(target_os = "macos") {
        Some("macos")
    } else {
        None
    }
}

/// Classifies every root of `scan` at `now` on `platform` (see
/// [`this_platform`]); extra roots first, then the others, each sorted by
/// subject.
pub fn classify(
    scan: &Scan,
    public: &TrustStore,
    knowledge: &Knowledge,
    now: i64,
    platform: Option<&str>,
) -> Vec<RootEntry> {
    let mut out: Vec<RootEntry> = scan
        .roots
        .iter()
        .map(|found| {
            let facts = CertFacts::from_der(&found.der);
            let removed = knowledge
                .removed_roots
                .iter()
                .find(|r| r.spki_sha256 == facts.spki_sha256);
            let class = if !facts.spki_sha256.is_empty() && public.contains_spki(&facts.spki_sha256)
            {
                Class::Public
            } else if removed.is_some() {
                Class::VersionSkew
            } else if platform.is_some_and(|p| in_program(knowledge, &facts.spki_sha256, p)) {
                Class::PlatformProgram
            } else if facts.parse_error.is_none() && !facts.is_ca {
                Class::NotCa
            } else {
                Class::Extra
            };
            let interceptor = (class != Class::Public)
                .then(|| attribute(knowledge, std::slice::from_ref(&facts), &[]))
                .flatten();
            let look = (class == Class::Extra)
                .then(|| look_alike(&found.der, &facts.spki_sha256, public, knowledge))
                .flatten();
            let (impersonates, borrows_organization) = match look {
                Some(l) if l.impersonates() => (Some(l.borrowed().to_string()), None),
                Some(l) => (None, Some(l.borrowed().to_string())),
                None => (None, None),
            };
            RootEntry {
                impersonates,
                borrows_organization,
                class,
                expired: facts.parse_error.is_none() && facts.not_after_unix < now,
                locations: found.locations.clone(),
                interceptor,
                note: removed.and_then(|r| r.note.clone()),
                facts,
            }
        })
        .collect();
    out.sort_by(|a, b| (a.class, &a.facts.subject).cmp(&(b.class, &b.facts.subject)));
    out
}

/// How much the subject of `der` (whose key is `spki`) borrows from the
/// name of a public root (Mozilla's, always, and `public`'s) or of a CA
/// certificate pinwatch knows.
fn look_alike(
    der: &[u8],
    spki: &str,
    public: &TrustStore,
    knowledge: &Knowledge,
) -> Option<LookAlike> {
    use x509_parser::prelude::{FromDer, X509Certificate};
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    use crate::knowledge::CaCertificates as _;
    let sets = [names::webpki(), public.ca_names(), knowledge.ca_names()];
    names::look_alike_among(&sets, &Name::of(cert.subject()), Some(spki))
}

fn in_program(knowledge: &Knowledge, spki: &str, platform: &str) -> bool {
    knowledge
        .platform_roots
        .iter()
        .any(|r| r.spki_sha256 == spki && r.programs.iter().any(|p| p == platform))
}

/// 2 if an extra root is a known interception or blocklisted key or
/// impersonates a public root, 1 if any extra root exists, 0 otherwise.
/// Version skew never raises it.
pub fn exit_code(entries: &[RootEntry]) -> i32 {
    let extra = entries.iter().filter(|e| e.class == Class::Extra);
    let mut code = 0;
    for e in extra {
        let alarming = e.interceptor.is_some() || e.impersonates.is_some();
        code = code.max(if alarming { 2 } else { 1 });
    }
    code
}
