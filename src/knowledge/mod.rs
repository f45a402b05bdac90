//! The knowledge base: services with their hosts and pinsets, named CA keys,
//! known interception products and captive-portal keys. The model, the TOML
//! schema and its validation live in the `pinwatch-knowledge` crate
//! (`crates/pinwatch-knowledge`), which build.rs uses too: it loads and
//! validates the built-in `pins/` at build time and embeds the result as
//! JSON, so a run parses no TOML (`embedded.rs`).
//!
//! Loading validates everything it can (hash syntax, authority references,
//! regexes, dates) and names the file, line and column of any problem, so a
//! bad pins file is a clear error rather than a silent gap.

pub(crate) mod active;
mod cas;
mod embedded;
pub(crate) mod keys;
pub(crate) mod lint;
mod loaded;
#[cfg(test)]
mod provenance;
pub(crate) mod store;

pub use embedded::load_embedded;
pub use loaded::load_log_list;

pub(crate) use cas::CaCertificates;
pub(crate) use embedded::builtin_header;
pub(crate) use loaded::{Loaded, load, stores};
pub use pinwatch_knowledge::{
    Authority, AuthorityKind, CaCertificate, Category, Exposure, HostRule, Interceptor, Knowledge,
    KnowledgeError, MatchRule, Pin, PlatformRoot, PortalKey, RemovedRoot, Service, load_dir,
    load_files, overlay_services,
};
