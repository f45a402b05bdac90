//! The knowledge base: services with their hosts and pinsets, named CA keys,
//! known interception products and captive-portal keys. Loaded from the
//! TOML files in `pins/` (embedded at build time) or from a directory.
//!
//! Loading validates everything it can (hash syntax, authority references,
//! regexes, dates) and names the file, line and column of any problem, so a
//! bad pins file is a clear error rather than a silent gap.

mod files;
pub mod lint;
mod model;
#[cfg(test)]
mod provenance;

pub use files::{KnowledgeError, load_dir, load_embedded, load_files, overlay_services};
pub use model::{
    Authority, CaCertificate, Category, HostRule, Interceptor, Knowledge, MatchRule, Pin,
    PlatformRoot, PortalKey, RemovedRoot, Service,
};
