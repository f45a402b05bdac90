//! Knowledge bundles: the whole of a `pins/` tree (services, authorities,
//! interceptors, portals, root-store changes, platform roots, the known CA
//! certificates, the CT log list and Google's signature over it) as one
//! file with a header, signed with minisign (Ed25519).
//!
//! A bundle file is a minisign signature (its four lines) followed by the
//! bytes it signs, the *payload*: one JSON document holding the header and
//! every file of the tree. The signature's trusted comment repeats the
//! header (`pinwatch-knowledge format=1 sequence=42 issued_at=...`), so the
//! header is bound to the signature, can be read before the payload is
//! parsed (a bundle of a newer format is refused by its number, whatever
//! its payload looks like), and shows in `minisign -V`'s output. pinwatch's
//! built-in knowledge is a payload of the same format, built by build.rs
//! from `pins/` and trusted because it is compiled in.
//!
//! This module parses and checks; which keys are trusted, which sequence
//! was seen last and which bundle is used are the binary's decisions.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::files::KnowledgeError;
use crate::model::Knowledge;
use crate::read::{Cap, MIB, ReadError};
use crate::tomlfile::{TomlError, TomlSource};

/// The payload format this crate writes and reads. A bundle of a higher
/// format is refused (by its number, before its payload is parsed).
pub const FORMAT: u32 = 1;

/// The most a bundle may hold (the built-in knowledge is about 400 KiB).
pub const BUNDLE_FILE: Cap = Cap {
    bytes: 8 * MIB,
    what: "a knowledge bundle",
};

/// Days a bundle is current after it is issued, unless its maker says
/// otherwise.
pub const DEFAULT_VALIDITY_DAYS: i64 = 30;

/// The first word of a bundle's trusted comment.
const MAGIC: &str = "pinwatch-knowledge";

/// The path of the CT log list's signature in a tree (binary: kept as
/// base64 in the payload).
pub const LOG_LIST_SIG: &str = "ct/log_list.sig";

/// The path of the CT log list in a tree.
pub const LOG_LIST: &str = "ct/log_list.json";

/// A minisign key id: 8 bytes, shown as minisign shows it (16 hex digits
/// of the little-endian number).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyId(pub [u8; 8]);

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016X}", u64::from_le_bytes(self.0))
    }
}

impl KeyId {
    /// Parses the 16 hex digits [`KeyId`]'s `Display` writes.
    pub fn parse(text: &str) -> Option<KeyId> {
        if text.len() != 16 {
            return None;
        }
        u64::from_str_radix(text, 16)
            .ok()
            .map(|n| KeyId(n.to_le_bytes()))
    }

    /// The key id of a minisign public key in base64 (the second line of
    /// a `.pub` file).
    pub fn of_public_key(base64: &str) -> Option<KeyId> {
        let bytes = STANDARD.decode(base64.trim()).ok()?;
        (bytes.len() == 42).then(|| KeyId(bytes[2..10].try_into().unwrap_or_default()))
    }
}

/// What a bundle says about itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// The payload format ([`FORMAT`]).
    pub format: u32,
    /// Grows with every bundle; a lower one than already seen is a replay.
    pub sequence: u64,
    /// When it was made, seconds since the epoch.
    #[serde(with = "rfc3339")]
    pub issued_at: i64,
    /// When it is due to be replaced (still used after, with a warning).
    #[serde(with = "rfc3339")]
    pub expires_at: i64,
    /// The oldest pinwatch version that can read it (`0.2.0`).
    pub min_pinwatch: String,
    /// Key ids this bundle revokes (honoured only from the backup key).
    #[serde(default)]
    pub revokes: Vec<String>,
}

impl Header {
    /// A header for bundle `sequence` issued at `issued_at`, current for
    /// [`DEFAULT_VALIDITY_DAYS`], readable by `min_pinwatch` and later.
    pub fn new(sequence: u64, issued_at: i64, min_pinwatch: &str) -> Header {
        Header {
            format: FORMAT,
            sequence,
            issued_at,
            expires_at: issued_at.saturating_add(DEFAULT_VALIDITY_DAYS * 86_400),
            min_pinwatch: min_pinwatch.to_string(),
            revokes: Vec::new(),
        }
    }

    /// The header the maintainers keep in `pins/bundle.toml` for the
    /// built-in knowledge (`sequence`, `issued_at`, optionally
    /// `expires_at`), for pinwatch `version`; errors name the file, line
    /// and column.
    pub fn from_toml(path: &str, text: &str, version: &str) -> Result<Header, TomlError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct File {
            sequence: u64,
            issued_at: toml::Spanned<toml::value::Datetime>,
            expires_at: Option<toml::Spanned<toml::value::Datetime>>,
        }
        let src = TomlSource { path, text };
        let file: File = src.parse()?;
        let time = |t: &toml::Spanned<toml::value::Datetime>, name: &str| {
            parse_time(&t.get_ref().to_string()).ok_or_else(|| {
                src.error(
                    Some(t.span()),
                    format!("{name}: expected a time with its offset, like 2026-12-07T00:00:00Z"),
                )
            })
        };
        let mut header = Header::new(file.sequence, time(&file.issued_at, "issued_at")?, version);
        if let Some(expires) = &file.expires_at {
            header.expires_at = time(expires, "expires_at")?;
        }
        Ok(header)
    }

    /// The trusted comment that carries this header.
    pub fn to_comment(&self) -> String {
        let revokes = if self.revokes.is_empty() {
            "-".to_string()
        } else {
            self.revokes.join(",")
        };
        format!(
            "{MAGIC} format={} sequence={} issued_at={} expires_at={} min_pinwatch={} revokes={revokes}",
            self.format,
            self.sequence,
            format_time(self.issued_at),
            format_time(self.expires_at),
            self.min_pinwatch,
        )
    }

    /// Reads a trusted comment written by [`Header::to_comment`]. The format
    /// number is checked first: a newer format is refused whatever follows.
    pub fn from_comment(comment: &str) -> Result<Header, BundleError> {
        let bad = |why: &str| BundleError::BadHeader(why.to_string());
        let mut words = comment.split_whitespace();
        if words.next() != Some(MAGIC) {
            return Err(bad("its signed comment is not a pinwatch knowledge header"));
        }
        let fields: BTreeMap<&str, &str> = words.filter_map(|w| w.split_once('=')).collect();
        let field = |name: &str| {
            fields
                .get(name)
                .copied()
                .ok_or_else(|| bad(&format!("its header has no `{name}`")))
        };
        let format: u32 = field("format")?
            .parse()
            .map_err(|_| bad("its format is not a number"))?;
        if format > FORMAT {
            return Err(BundleError::NewerFormat {
                format,
                supported: FORMAT,
            });
        }
        let time = |name: &str| {
            parse_time(field(name)?).ok_or_else(|| bad(&format!("its {name} is not a time")))
        };
        let revokes = match field("revokes")? {
            "-" => Vec::new(),
            list => list.split(',').map(str::to_string).collect(),
        };
        Ok(Header {
            format,
            sequence: field("sequence")?
                .parse()
                .map_err(|_| bad("its sequence is not a number"))?,
            issued_at: time("issued_at")?,
            expires_at: time("expires_at")?,
            min_pinwatch: field("min_pinwatch")?.to_string(),
            revokes,
        })
    }

    /// Refuses a bundle this reader (pinwatch `version`) cannot read.
    pub fn check_reader(&self, version: &str) -> Result<(), BundleError> {
        if self.format > FORMAT {
            return Err(BundleError::NewerFormat {
                format: self.format,
                supported: FORMAT,
            });
        }
        if version_number(&self.min_pinwatch) > version_number(version) {
            return Err(BundleError::NeedsNewerPinwatch {
                min: self.min_pinwatch.clone(),
                ours: version.to_string(),
            });
        }
        Ok(())
    }
}

/// `1.2.3` as a comparable triple (missing or unreadable parts are 0).
fn version_number(v: &str) -> (u64, u64, u64) {
    let mut parts = v
        .split(['.', '-', '+'])
        .map(|p| p.parse::<u64>().unwrap_or(0));
    (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    )
}

/// Seconds since the epoch as RFC 3339 UTC.
pub fn format_time(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| unix.to_string())
}

/// RFC 3339 to seconds since the epoch.
pub fn parse_time(text: &str) -> Option<i64> {
    OffsetDateTime::parse(text, &Rfc3339)
        .ok()
        .map(OffsetDateTime::unix_timestamp)
}

mod rfc3339 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_time(*t))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        let text = String::deserialize(d)?;
        super::parse_time(&text).ok_or_else(|| serde::de::Error::custom("not an RFC 3339 time"))
    }
}

/// The signed part of a bundle: its header and every file of its tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payload {
    /// What the bundle says about itself.
    pub header: Header,
    /// The text files of the tree by path (`services/qq.toml`, `ct/log_list.json`).
    pub files: BTreeMap<String, String>,
    /// Google's signature over `ct/log_list.json`, base64, when the tree has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ct_log_list_sig: Option<String>,
}

impl Payload {
    /// The payload for the tree at `dir`: every `.toml` and `.pem` file, the
    /// CT log list (required) and its signature when present.
    pub fn from_dir(dir: &Path, header: Header) -> Result<Payload, BundleError> {
        let mut files = BTreeMap::new();
        collect(dir, dir, &mut files)?;
        if !files.contains_key(LOG_LIST) {
            return Err(BundleError::Incomplete(format!(
                "{}: missing (a bundle carries the CT log list)",
                dir.join(LOG_LIST).display()
            )));
        }
        let sig_path = dir.join(LOG_LIST_SIG);
        let ct_log_list_sig = if sig_path.exists() {
            let sig = crate::read::read_capped(&sig_path, crate::read::PINS_FILE)?;
            Some(STANDARD.encode(sig))
        } else {
            None
        };
        Ok(Payload {
            header,
            files,
            ct_log_list_sig,
        })
    }

    /// The payload as stored and signed.
    pub fn to_bytes(&self) -> Vec<u8> {
        // A map of strings always serializes.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Parses a payload (the built-in one, or a bundle's after its signature
    /// was checked).
    pub fn parse(bytes: &[u8]) -> Result<Payload, BundleError> {
        serde_json::from_slice(bytes).map_err(|e| BundleError::Payload(e.to_string()))
    }

    /// A file of the tree.
    pub fn file(&self, path: &str) -> Option<&str> {
        self.files.get(path).map(String::as_str)
    }

    /// Google's signature over the CT log list, when the bundle keeps it.
    pub fn log_list_signature(&self) -> Result<Option<Vec<u8>>, BundleError> {
        self.ct_log_list_sig
            .as_deref()
            .map(|b| {
                STANDARD
                    .decode(b)
                    .map_err(|_| BundleError::Payload("ct_log_list_sig is not base64".into()))
            })
            .transpose()
    }

    /// Loads and validates the knowledge the tree holds, as `--pins DIR`
    /// would; errors name the file as `bundle N: pins/...:line:column`.
    pub fn knowledge(&self) -> Result<Knowledge, BundleError> {
        let prefix = format!("bundle {}: pins", self.header.sequence);
        let files: Vec<(String, String)> = self
            .files
            .iter()
            .map(|(path, text)| (format!("{prefix}/{path}"), text.clone()))
            .collect();
        crate::load_files(&files).map_err(BundleError::Knowledge)
    }
}

fn collect(
    root: &Path,
    dir: &Path,
    files: &mut BTreeMap<String, String>,
) -> Result<(), BundleError> {
    let io = |error| {
        BundleError::Read(ReadError::Io {
            path: dir.display().to_string(),
            source: error,
        })
    };
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .collect::<Result<_, _>>()
        .map_err(io)?;
    entries.sort_by_key(std::fs::DirEntry::path);
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, files)?;
            continue;
        }
        let rel = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        let wanted = path.extension().is_some_and(|e| e == "toml" || e == "pem") || rel == LOG_LIST;
        if wanted && rel != "bundle.toml" {
            let text = crate::read::read_capped_string(&path, crate::read::PINS_FILE)?;
            files.insert(rel, text);
        }
    }
    Ok(())
}

/// A bundle file cut into its minisign signature and its payload.
#[derive(Clone, Copy, Debug)]
pub struct Signed<'a> {
    /// The signature, four lines as minisign writes them.
    pub signature: &'a str,
    /// The signed bytes.
    pub payload: &'a [u8],
}

impl<'a> Signed<'a> {
    /// Cuts `bytes` after the signature's fourth line.
    pub fn split(bytes: &'a [u8]) -> Result<Signed<'a>, BundleError> {
        if !bytes.starts_with(b"untrusted comment: ") {
            return Err(BundleError::Unsigned);
        }
        let mut end = 0;
        for _ in 0..4 {
            let newline = bytes
                .get(end..)
                .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
                .ok_or(BundleError::BadSignatureEncoding)?;
            end += newline + 1;
        }
        let signature =
            std::str::from_utf8(&bytes[..end]).map_err(|_| BundleError::BadSignatureEncoding)?;
        Ok(Signed {
            signature,
            payload: &bytes[end..],
        })
    }

    /// The id of the key that made the signature.
    pub fn key_id(&self) -> Result<KeyId, BundleError> {
        let line = self
            .signature
            .lines()
            .nth(1)
            .ok_or(BundleError::BadSignatureEncoding)?;
        let bytes = STANDARD
            .decode(line.trim())
            .map_err(|_| BundleError::BadSignatureEncoding)?;
        let id = bytes
            .get(2..10)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .ok_or(BundleError::BadSignatureEncoding)?;
        Ok(KeyId(id))
    }
}

/// A public key a bundle may be signed with.
#[derive(Clone, Debug)]
pub struct TrustedKey {
    /// Its id.
    pub id: KeyId,
    /// The key.
    pub key: minisign_verify::PublicKey,
}

impl TrustedKey {
    /// A key from its base64 form (the second line of minisign's `.pub`).
    pub fn from_base64(base64: &str) -> Option<TrustedKey> {
        Some(TrustedKey {
            id: KeyId::of_public_key(base64)?,
            key: minisign_verify::PublicKey::from_base64(base64.trim()).ok()?,
        })
    }
}

/// A bundle whose signature was checked by a trusted key.
#[derive(Clone, Debug)]
pub struct Verified {
    /// Its header, as signed.
    pub header: Header,
    /// Its payload, parsed.
    pub payload: Payload,
    /// The key that signed it.
    pub signer: KeyId,
}

/// Checks a bundle file: its signature by one of `keys` (over every byte
/// of the payload, so a changed or truncated file fails), its header (a
/// newer format, or one that needs a newer pinwatch than `version`, is
/// refused), then parses its payload, which must repeat the signed header.
pub fn verify(bytes: &[u8], keys: &[TrustedKey], version: &str) -> Result<Verified, BundleError> {
    if bytes.len() as u64 > BUNDLE_FILE.bytes {
        return Err(BundleError::TooLarge);
    }
    let signed = Signed::split(bytes)?;
    let id = signed.key_id()?;
    let key = keys
        .iter()
        .find(|k| k.id == id)
        .ok_or(BundleError::UnknownKey(id))?;
    let signature = minisign_verify::Signature::decode(signed.signature)
        .map_err(|_| BundleError::BadSignatureEncoding)?;
    key.key
        .verify(signed.payload, &signature, false)
        .map_err(|_| BundleError::BadSignature(id))?;
    let header = Header::from_comment(signature.trusted_comment())?;
    header.check_reader(version)?;
    let payload = Payload::parse(signed.payload)?;
    if payload.header != header {
        return Err(BundleError::BadHeader(
            "its payload's header differs from the signed one".into(),
        ));
    }
    Ok(Verified {
        header,
        payload,
        signer: id,
    })
}

/// A minisign secret key from the text of its file (as `minisign -G`
/// writes it): an unencrypted key as it is, an encrypted one with
/// `password`, or without one asked for on the terminal when `ask` (else
/// refused, naming what is missing). Errors in words.
///
/// Whether it is encrypted is read from the key (its key derivation
/// algorithm, scrypt's `Sc` or none), not by trying a password: scrypt
/// costs a second and a gigabyte. The reference minisign (0.11) writes an
/// unencrypted key (`-W`) without a checksum, which the minisign crate
/// requires: such a key is taken as it is, and `sign` checks the signature
/// it makes with its public half all the same.
#[cfg(any(test, feature = "sign"))]
pub fn secret_key(
    text: &str,
    password: Option<String>,
    ask: bool,
) -> Result<minisign::SecretKey, String> {
    const KEY_BYTES: usize = 158;
    const CHECKSUM_BYTES: usize = 32;
    let not_a_key = || "not a minisign secret key".to_string();
    let line = text.lines().nth(1).ok_or_else(not_a_key)?;
    let bytes = STANDARD.decode(line.trim()).map_err(|_| not_a_key())?;
    let key_box = || minisign::SecretKeyBox::from_string(text).map_err(|e| e.to_string());
    match bytes.get(2..4) {
        Some(b"Sc") => {
            if password.is_none() && !ask {
                return Err("the key is encrypted: give its password".into());
            }
            // No password: minisign asks for it on the terminal.
            minisign::SecretKey::from_box(key_box()?, password).map_err(|e| e.to_string())
        }
        Some([0, 0])
            if bytes.len() == KEY_BYTES
                && bytes[KEY_BYTES - CHECKSUM_BYTES..].iter().all(|&b| b == 0) =>
        {
            minisign::SecretKey::from_bytes(&bytes).map_err(|e| e.to_string())
        }
        Some([0, 0]) => {
            minisign::SecretKey::from_unencrypted_box(key_box()?).map_err(|e| e.to_string())
        }
        _ => Err(not_a_key()),
    }
}

/// The bundle of the pins tree at `dir` with `header`, signed with the
/// minisign secret key whose file holds `key_text` (decrypted with
/// `password` when it is encrypted, or one asked for when `ask`; see
/// [`secret_key`]): the bundle file's bytes and its payload. The tree's knowledge must load. What `pinwatch pins bundle`
/// builds, the binary adding its checks of the CT log list.
#[cfg(any(test, feature = "sign"))]
pub fn build(
    dir: &Path,
    header: Header,
    key_text: &str,
    password: Option<String>,
    ask: bool,
) -> Result<(Vec<u8>, Payload), String> {
    let payload = Payload::from_dir(dir, header).map_err(|e| e.to_string())?;
    payload.knowledge().map_err(|e| e.to_string())?;
    let secret = secret_key(key_text, password, ask)?;
    let public = minisign::PublicKey::from_secret_key(&secret).map_err(|e| e.to_string())?;
    let bytes = sign(&payload, &secret, &public)?;
    Ok((bytes, payload))
}

/// Signs `payload` with `secret` (whose public half is `public`, checked
/// after signing): the bundle file's bytes.
#[cfg(any(test, feature = "sign"))]
pub fn sign(
    payload: &Payload,
    secret: &minisign::SecretKey,
    public: &minisign::PublicKey,
) -> Result<Vec<u8>, String> {
    let bytes = payload.to_bytes();
    let untrusted = format!("pinwatch knowledge bundle {}", payload.header.sequence);
    let signature = minisign::sign(
        Some(public),
        secret,
        bytes.as_slice(),
        Some(&payload.header.to_comment()),
        Some(&untrusted),
    )
    .map_err(|e| e.to_string())?;
    let mut out = signature.into_string().into_bytes();
    out.extend_from_slice(&bytes);
    Ok(out)
}

/// Why a bundle cannot be used.
#[derive(Debug, Error)]
pub enum BundleError {
    /// Larger than [`BUNDLE_FILE`].
    #[error("larger than 8 MiB: not a knowledge bundle")]
    TooLarge,
    /// No minisign signature at the start.
    #[error("not signed: a knowledge bundle starts with its minisign signature")]
    Unsigned,
    /// The signature lines are not minisign's.
    #[error("its signature is not a minisign signature")]
    BadSignatureEncoding,
    /// Signed by a key that is not trusted.
    #[error("signed with key {0}, which this pinwatch does not trust")]
    UnknownKey(KeyId),
    /// Signed by a key a bundle of the backup key revoked.
    #[error("signed with key {0}, which a bundle of the backup key revoked")]
    RevokedKey(KeyId),
    /// The signature does not match the contents.
    #[error(
        "the signature of key {0} does not match its contents: the file was changed or cut short"
    )]
    BadSignature(KeyId),
    /// The signed header is unreadable.
    #[error("{0}")]
    BadHeader(String),
    /// A format this crate cannot read.
    #[error(
        "it is in format {format}; this pinwatch reads format {supported}: update pinwatch first"
    )]
    NewerFormat {
        /// The bundle's.
        format: u32,
        /// This crate's.
        supported: u32,
    },
    /// Made for a newer pinwatch.
    #[error("it needs pinwatch {min} or later (this is {ours}): update pinwatch first")]
    NeedsNewerPinwatch {
        /// The bundle's `min_pinwatch`.
        min: String,
        /// This pinwatch.
        ours: String,
    },
    /// The payload is not a bundle's JSON.
    #[error("its contents are not a knowledge bundle's: {0}")]
    Payload(String),
    /// A tree without what every bundle carries.
    #[error("{0}")]
    Incomplete(String),
    /// A file of the tree could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The pins it holds do not load.
    #[error(transparent)]
    Knowledge(KnowledgeError),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Header {
        Header::new(7, 1_796_601_600, "0.1.0")
    }

    #[test]
    fn the_header_travels_in_the_trusted_comment() {
        let mut h = header();
        assert_eq!(
            h.to_comment(),
            "pinwatch-knowledge format=1 sequence=7 issued_at=2026-12-07T00:00:00Z expires_at=2027-01-06T00:00:00Z min_pinwatch=0.1.0 revokes=-"
        );
        assert_eq!(Header::from_comment(&h.to_comment()).unwrap(), h);
        h.revokes = vec!["937575091B5A2105".into()];
        assert_eq!(Header::from_comment(&h.to_comment()).unwrap(), h);
        let newer = h.to_comment().replace("format=1", "format=2");
        assert_eq!(
            Header::from_comment(&newer).unwrap_err().to_string(),
            "it is in format 2; this pinwatch reads format 1: update pinwatch first"
        );
        assert!(Header::from_comment("timestamp:1234").is_err());
    }

    #[test]
    fn the_built_in_header_is_read_from_bundle_toml() {
        let h = Header::from_toml(
            "pins/bundle.toml",
            "sequence = 7\nissued_at = 2026-12-07T00:00:00Z\n",
            "0.1.0",
        )
        .unwrap();
        assert_eq!(h, header());
        let err = Header::from_toml("b.toml", "sequence = 7\nissued_at = 2026-12-07\n", "0.1.0")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "b.toml:2:13: issued_at: expected a time with its offset, like 2026-12-07T00:00:00Z"
        );
    }

    #[test]
    fn a_bundle_for_a_newer_pinwatch_is_refused() {
        let mut h = header();
        h.min_pinwatch = "0.10.0".into();
        assert!(h.check_reader("0.10.0").is_ok());
        assert!(h.check_reader("1.0.0").is_ok());
        assert_eq!(
            h.check_reader("0.9.5").unwrap_err().to_string(),
            "it needs pinwatch 0.10.0 or later (this is 0.9.5): update pinwatch first"
        );
    }

    #[test]
    fn key_ids_read_as_minisign_prints_them() {
        let id = KeyId::of_public_key("RWQFIVobCXV1k+xSIzIA8JZxOTpZ2kxvp0MK8Gunr3EUAhfNnzI99TzI")
            .unwrap();
        assert_eq!(id.to_string(), "937575091B5A2105");
        assert_eq!(KeyId::parse("937575091B5A2105"), Some(id));
        assert_eq!(KeyId::parse("xyz"), None);
    }

    #[test]
    fn unsigned_and_cut_signatures_are_told_apart() {
        assert!(matches!(
            Signed::split(b"{\"header\":{}}"),
            Err(BundleError::Unsigned)
        ));
        assert!(matches!(
            Signed::split(b"untrusted comment: x\nRWQ"),
            Err(BundleError::BadSignatureEncoding)
        ));
    }

    fn payload() -> Payload {
        let mut files = BTreeMap::new();
        files.insert("authorities.toml".to_string(), String::new());
        files.insert("interceptors.toml".to_string(), String::new());
        Payload {
            header: header(),
            files,
            ct_log_list_sig: None,
        }
    }

    /// A tree with the two files every knowledge needs, and a CT log list.
    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("authorities.toml"), "").unwrap();
        std::fs::write(dir.path().join("interceptors.toml"), "").unwrap();
        std::fs::create_dir_all(dir.path().join("services")).unwrap();
        std::fs::create_dir_all(dir.path().join("ct")).unwrap();
        std::fs::write(dir.path().join(LOG_LIST), "{}").unwrap();
        dir
    }

    #[test]
    fn the_builder_signs_with_a_key_file_and_asks_for_an_encrypted_ones_password() {
        let dir = tree();
        let pair = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        let text = pair.sk.to_box(None).unwrap().to_string();
        let (bytes, payload) = build(dir.path(), header(), &text, None, false).unwrap();
        assert_eq!(payload.header, header());
        assert!(payload.file(LOG_LIST).is_some());
        let trusted = TrustedKey::from_base64(&pair.pk.to_base64()).unwrap();
        let verified = verify(&bytes, &[trusted], "0.1.0").unwrap();
        assert_eq!(verified.payload, payload);

        // The same key without its checksum, as the reference minisign
        // (0.11) writes an unencrypted key: taken as it is, and signs; with
        // its secret half damaged, the signature it makes does not verify.
        let mut bare = STANDARD
            .decode(text.lines().nth(1).unwrap().trim())
            .unwrap();
        let n = bare.len();
        bare[n - 32..].fill(0);
        let with_line = |key: &[u8]| format!("untrusted comment: x\n{}\n", STANDARD.encode(key));
        let (again, _) = build(dir.path(), header(), &with_line(&bare), None, false).unwrap();
        let trusted = TrustedKey::from_base64(&pair.pk.to_base64()).unwrap();
        assert!(verify(&again, &[trusted], "0.1.0").is_ok());
        bare[70] ^= 1;
        assert!(build(dir.path(), header(), &with_line(&bare), None, false).is_err());

        // The same key line, marked as scrypt-encrypted: its password is
        // asked for (checking one would cost scrypt's second and gigabyte).
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let mut key = STANDARD.decode(lines[1].trim()).unwrap();
        key[2..4].copy_from_slice(b"Sc");
        lines[1] = STANDARD.encode(&key);
        let locked = lines.join("\n") + "\n";
        assert_eq!(
            build(dir.path(), header(), &locked, None, false).unwrap_err(),
            "the key is encrypted: give its password"
        );
        assert!(build(dir.path(), header(), "not a key", None, false).is_err());
        std::fs::write(dir.path().join("interceptors.toml"), "[[nonsense").unwrap();
        let err = build(dir.path(), header(), &text, None, false).unwrap_err();
        assert!(err.contains("interceptors.toml:1:"), "{err}");
    }

    #[test]
    fn a_signed_bundle_verifies_and_any_change_is_caught() {
        let pair = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        let trusted = TrustedKey::from_base64(&pair.pk.to_base64()).unwrap();
        let bundle = sign(&payload(), &pair.sk, &pair.pk).unwrap();
        let ok = verify(&bundle, std::slice::from_ref(&trusted), "0.1.0").unwrap();
        assert_eq!((ok.header.sequence, ok.signer), (7, trusted.id));
        assert!(ok.payload.knowledge().unwrap().services.is_empty());

        let cut = &bundle[..bundle.len() - 3];
        let err = verify(cut, std::slice::from_ref(&trusted), "0.1.0").unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "the signature of key {} does not match its contents: the file was changed or cut short",
                trusted.id
            )
        );
        let other = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        let stranger = TrustedKey::from_base64(&other.pk.to_base64()).unwrap();
        let err = verify(&bundle, &[stranger], "0.1.0").unwrap_err();
        assert!(
            matches!(err, BundleError::UnknownKey(id) if id == trusted.id),
            "{err}"
        );
        assert!(matches!(
            verify(&bundle, &[trusted], "0.0.9"),
            Err(BundleError::NeedsNewerPinwatch { .. })
        ));
    }
}
