//! pinwatch's knowledge base: what it knows about chat services (hosts and
//! pinsets), CA keys, interception products, captive portals and root-store
//! changes, as the TOML files of a `pins/` directory hold it.
//!
//! This crate is shared by pinwatch's build script, which loads and
//! validates the built-in `pins/` at build time (so a bad pins file fails
//! the build with its file, line and column), and by the pinwatch binary,
//! which loads `--pins DIR` and the user's own services at run time with
//! the same code.
//!
//! - [`model`]: the validated, in-memory form ([`Knowledge`]) and its lookups;
//! - [`files`]: the on-disk schema and its validation ([`load_dir`],
//!   [`load_files`], [`overlay_services`]);
//! - [`tomlfile`]: TOML files written by people, errors with file:line:column;
//! - [`read`]: reading files people name (regular files only, byte-capped);
//! - [`host`]: host names, validated and normalised;
//! - [`bundle`]: the tree as one signed file (header, payload, minisign
//!   signature), for knowledge updates and the built-in knowledge alike.
//!
//! ```
//! let files = vec![
//!     ("pins/authorities.toml".to_string(), String::new()),
//!     ("pins/interceptors.toml".to_string(), String::new()),
//! ];
//! let knowledge = pinwatch_knowledge::load_files(&files).unwrap();
//! assert!(knowledge.services.is_empty());
//! ```

#![forbid(unsafe_code)]

pub mod bundle;
pub mod files;
pub mod host;
pub mod model;
pub mod read;
pub mod tomlfile;

pub use files::{
    KnowledgeError, MAX_PINS_DIR, attach_certificates, load_dir, load_files, overlay_services,
};
pub use model::{
    Authority, AuthorityKind, CaCertificate, Category, Derived, Exposure, HostRule, Interceptor,
    Knowledge, MatchRule, Pin, PlatformRoot, PortalKey, RemovedRoot, Service,
};

/// True when `s` is the base64 form of a 32-byte hash (the `spki_sha256`
/// form of every key in the pins).
pub fn is_sha256_base64(s: &str) -> bool {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .is_ok_and(|v| v.len() == 32)
}
