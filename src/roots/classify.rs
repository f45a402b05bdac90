//! Classifying the roots a machine trusts: public (in webpki-roots),
//! version skew (a root Mozilla removed, still in an older OS bundle), or
//! extra (installed by someone), with known-interceptor attribution.

use serde::Serialize;

use super::Scan;
use crate::analysis::{Attribution, CertFacts, TrustStore, attribute};
use crate::knowledge::Knowledge;

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
    /// An extra root named like a public root, with another key: the
    /// public root's name it copies (a look-alike).
    pub impersonates: Option<String>,
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
            let impersonates = (class == Class::Extra)
                .then(|| look_alike(&found.der, public))
                .flatten();
            RootEntry {
                impersonates,
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

/// The subject of `der`, when a public root has that subject (and, this
/// root being extra, another key).
fn look_alike(der: &[u8], public: &TrustStore) -> Option<String> {
    use x509_parser::prelude::{FromDer, X509Certificate};
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let subject = cert.subject();
    (!public.anchors_named(subject.as_raw()).is_empty()).then(|| subject.to_string())
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
