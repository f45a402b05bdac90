//! `pinwatch pins verify`: checks of a loaded knowledge base that go beyond
//! syntax. Pure: the day and the public root keys are arguments.

use std::collections::HashMap;

use serde::Serialize;

use super::{AuthorityKind, Knowledge};

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing; does not fail verification.
    Warning,
    /// Fails verification.
    Error,
}

/// One problem found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// The file it is in.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// Lints `k` on `today`. `is_public_root` says whether an SPKI hash is a
/// root of the public store.
pub fn lint(
    k: &Knowledge,
    today: time::Date,
    is_public_root: &dyn Fn(&str) -> bool,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut push = |severity, path: &str, message: String| {
        out.push(Finding {
            severity,
            path: path.to_string(),
            message,
        })
    };
    for a in &k.authorities {
        if a.kind == AuthorityKind::Root && !is_public_root(&a.spki_sha256) {
            push(
                Severity::Error,
                "authorities.toml",
                format!(
                    "authority `{}` ({}) is marked root but its key {} is not in the public store: a typo, or a root Mozilla removed (then mark it legacy_root)",
                    a.id, a.label, a.spki_sha256
                ),
            );
        }
        if a.kind == AuthorityKind::LegacyRoot && is_public_root(&a.spki_sha256) {
            push(
                Severity::Warning,
                "authorities.toml",
                format!(
                    "authority `{}` ({}) is marked legacy_root but is in the public store: mark it root",
                    a.id, a.label
                ),
            );
        }
    }
    let mut hosts: HashMap<&str, &str> = HashMap::new();
    for s in &k.services {
        for h in &s.hosts {
            if let Some(other) = hosts.insert(&h.name, &s.name) {
                push(
                    Severity::Error,
                    &s.origin,
                    format!("host `{}` is in both `{other}` and `{}`", h.name, s.name),
                );
            }
        }
        if s.pins.is_empty() {
            push(
                Severity::Warning,
                &s.origin,
                format!(
                    "service `{}` has no pinset: only public validation applies",
                    s.name
                ),
            );
        } else if !s.pins.iter().any(|p| p.backup) {
            push(
                Severity::Error,
                &s.origin,
                format!(
                    "service `{}` has no backup pin: a routine CA change would raise a false alarm",
                    s.name
                ),
            );
        }
        let mut seen = HashMap::new();
        for p in &s.pins {
            if seen.insert(p.spki_sha256.as_str(), ()).is_some() {
                push(
                    Severity::Warning,
                    &s.origin,
                    format!("service `{}` pins {} twice", s.name, p.label),
                );
            }
        }
        if s.is_stale(today) {
            push(
                Severity::Warning,
                &s.origin,
                format!(
                    "service `{}`: pinset was due for review on {} (stale pinsets only warn, never alarm)",
                    s.name, s.review_by
                ),
            );
        }
    }
    out
}
