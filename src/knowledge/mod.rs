//! The knowledge base: services with their hosts and pinsets, named CA keys,
//! known interception products and captive-portal keys. Loaded from the
//! TOML files of a directory, or, for the built-in `pins/`, prepared at
//! build time: build.rs loads and validates them with this module's own
//! code (`files.rs`, `model.rs`) and embeds the result as JSON, so a run
//! parses no TOML (`embedded.rs`).
//!
//! Loading validates everything it can (hash syntax, authority references,
//! regexes, dates) and names the file, line and column of any problem, so a
//! bad pins file is a clear error rather than a silent gap.

mod cas;
mod embedded;
mod files;
pub mod lint;
mod model;
#[cfg(test)]
mod provenance;

pub use embedded::load_embedded;
pub use files::{KnowledgeError, load_dir, load_files, overlay_services};
pub use model::{
    Authority, CaCertificate, Category, Exposure, HostRule, Interceptor, Knowledge, MatchRule, Pin,
    PlatformRoot, PortalKey, RemovedRoot, Service,
};
