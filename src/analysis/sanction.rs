//! Sanctioned interceptors: the keys of inspection proxies an organisation
//! runs on purpose (an office's TLS gateway), listed by its administrator
//! with a note saying whose they are.
//!
//! Sanctioning changes no verdict: a chain forged by a listed key is still
//! `intercepted`, with the key and the note attached ([`mark`]). What
//! changes is how much it weighs: [`Assessment::standing`] is `ok` for it,
//! so it raises neither the exit code nor the Nagios state nor an alert,
//! while any other interceptor on the same run still does. Pure: the list
//! is an input, as the stores are.
//!
//! Only a key on the chain's signature path counts (the key that signed
//! the leaf, or one above it that signed that key's certificate): a
//! forger can append the office proxy's root certificate to its chain, but
//! cannot sign with its key.

use serde::Serialize;

use super::{Assessment, Verdict};
use crate::util::is_sha256_base64;

/// One interceptor an administrator runs on purpose.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Sanction {
    /// Its key: the SHA-256 of the SubjectPublicKeyInfo, base64 (as
    /// `pinwatch roots` and the JSON `issuer_key` show it).
    pub key: String,
    /// Whose it is and why it is allowed, in the administrator's words.
    pub note: String,
}

/// Why a sanctioned key was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SanctionError {
    /// Not a SHA-256 in any accepted form.
    #[error(
        "`{0}` is not a key's SPKI SHA-256 (base64 as `pinwatch roots` shows it, sha256/BASE64, or 64 hex digits)"
    )]
    Key(String),
    /// No note.
    #[error("the key {0} needs a note saying whose interceptor it is")]
    Note(String),
}

impl Sanction {
    /// A sanction for `key` (base64, `sha256/` + base64, or hex, as
    /// tools print an SPKI SHA-256) with `note`, which must say something.
    pub fn new(key: &str, note: &str) -> Result<Sanction, SanctionError> {
        let key = normalize_key(key).ok_or_else(|| SanctionError::Key(key.to_string()))?;
        let note = note.trim();
        if note.is_empty() {
            return Err(SanctionError::Note(key));
        }
        Ok(Sanction {
            key,
            note: note.to_string(),
        })
    }
}

/// `key` as the base64 SHA-256 the analysis uses: base64 (with or without
/// `sha256/`), or 64 hex digits (colons allowed).
pub fn normalize_key(key: &str) -> Option<String> {
    use base64::Engine as _;
    let key = key.trim();
    let bare = key.strip_prefix("sha256/").unwrap_or(key);
    if is_sha256_base64(bare) {
        return Some(bare.to_string());
    }
    let hex: String = bare.chars().filter(|c| *c != ':').collect();
    if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..32)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok())
        .collect();
    bytes.map(|b| base64::engine::general_purpose::STANDARD.encode(b))
}

/// Attaches the sanction whose key signed `a`'s forged chain, if one did.
/// Only intercepted results are marked; the verdict stays what it is.
pub fn mark(a: &mut Assessment, sanctioned: &[Sanction]) {
    if a.verdict != Verdict::Intercepted || sanctioned.is_empty() {
        return;
    }
    a.sanctioned = a
        .signer_keys
        .iter()
        .find_map(|k| sanctioned.iter().find(|s| &s.key == k))
        .cloned();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::Target;

    const KEY: &str = "wpfE+qsgNO1KnPfFvUXJ6g1a8TSOI3j9QYK/Bs4CW/s=";

    fn forged(signers: &[&str]) -> Assessment {
        let mut a = Assessment::bare(Target::new("qq.com", 443).unwrap(), Verdict::Intercepted);
        a.signer_keys = signers.iter().map(ToString::to_string).collect();
        a
    }

    #[test]
    fn keys_in_every_form_tools_print_them() {
        assert_eq!(normalize_key(KEY).as_deref(), Some(KEY));
        assert_eq!(
            normalize_key(&format!("sha256/{KEY}")).as_deref(),
            Some(KEY)
        );
        let hex = "c297c4faab2034ed4a9cf7c5bd45c9ea0d5af1348e2378fd4182bf06ce025bfb";
        assert_eq!(normalize_key(hex).as_deref(), Some(KEY));
        assert_eq!(normalize_key(&hex.to_uppercase()).as_deref(), Some(KEY));
        assert_eq!(normalize_key("wpfE+qsg"), None);
        assert_eq!(normalize_key(""), None);
        assert!(matches!(
            Sanction::new("nonsense", "x"),
            Err(SanctionError::Key(_))
        ));
        assert_eq!(
            Sanction::new(KEY, "  ").unwrap_err().to_string(),
            format!("the key {KEY} needs a note saying whose interceptor it is")
        );
    }

    #[test]
    fn a_signer_on_the_path_sanctions_the_interception_and_the_verdict_stays() {
        let list = [Sanction::new(KEY, "Office gateway").unwrap()];
        let mut by_root = forged(&["intermediate-key", KEY]);
        mark(&mut by_root, &list);
        assert_eq!(by_root.verdict, Verdict::Intercepted);
        assert_eq!(
            by_root.sanctioned.as_ref().map(|s| s.note.as_str()),
            Some("Office gateway")
        );
        assert_eq!(by_root.standing(), Verdict::Ok);

        let mut other = forged(&["someone-else"]);
        mark(&mut other, &list);
        assert_eq!(other.sanctioned, None);
        assert_eq!(other.standing(), Verdict::Intercepted);
    }

    #[test]
    fn only_interceptions_are_sanctioned() {
        let list = [Sanction::new(KEY, "Office gateway").unwrap()];
        let mut suspicious = forged(&[KEY]);
        suspicious.verdict = Verdict::Suspicious;
        mark(&mut suspicious, &list);
        assert_eq!(suspicious.sanctioned, None);
        assert_eq!(suspicious.standing(), Verdict::Suspicious);
    }
}
