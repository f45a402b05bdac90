//! The built-in knowledge base, prepared at build time: build.rs loads and
//! validates `pins/` with the same code as `--pins DIR` and writes the
//! result as JSON; a run reads that JSON (no TOML, no validation) and
//! attaches the CA certificates from the embedded PEM files. The built-in
//! knowledge is a knowledge bundle like any other: its header (sequence,
//! issue date) comes from `pins/bundle.toml`.

use pinwatch_knowledge::bundle::Header;
use pinwatch_knowledge::{Knowledge, KnowledgeError, attach_certificates};

mod files {
    include!(concat!(env!("OUT_DIR"), "/embedded_pins.rs"));
}

/// The validated knowledge, as JSON, written by build.rs.
static PREPARED: &str = include_str!(concat!(env!("OUT_DIR"), "/knowledge.json"));

/// The built-in knowledge's bundle header, as JSON, written by build.rs.
static HEADER: &str = include_str!(concat!(env!("OUT_DIR"), "/builtin_header.json"));

/// The built-in knowledge's bundle header (`pins/bundle.toml`).
pub fn builtin_header() -> Result<Header, KnowledgeError> {
    serde_json::from_str(HEADER).map_err(|e| KnowledgeError::Embedded(e.to_string()))
}

/// Loads the knowledge base built into the binary.
pub fn load_embedded() -> Result<Knowledge, KnowledgeError> {
    let mut knowledge: Knowledge =
        serde_json::from_str(PREPARED).map_err(|e| KnowledgeError::Embedded(e.to_string()))?;
    let pems: Vec<(String, String)> = files::FILES
        .iter()
        .filter(|(path, _)| path.ends_with(".pem"))
        .map(|(path, text)| (format!("pins/{path}"), (*text).to_string()))
        .collect();
    attach_certificates(&mut knowledge.authorities, &pems)?;
    knowledge.issued_at = Some(builtin_header()?.issued_at);
    Ok(knowledge)
}

/// The built-in files themselves, as `--pins DIR` would read them.
#[cfg(test)]
pub fn embedded_files() -> Vec<(String, String)> {
    files::FILES
        .iter()
        .map(|(path, text)| (format!("pins/{path}"), (*text).to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_set_loads_and_covers_the_core_services() {
        let k = load_embedded().unwrap();
        for name in ["wechat", "qq", "chatgpt"] {
            let s = k.service(name).unwrap_or_else(|| panic!("missing {name}"));
            assert!(!s.pins.is_empty(), "{name} has no pins");
            assert!(s.pins.iter().any(|p| p.backup), "{name} has no backup pin");
        }
        assert!(k.interceptors.iter().any(|i| i.name == "mitmproxy"));
    }

    #[test]
    fn prepared_knowledge_is_what_the_files_say() {
        let prepared = load_embedded().unwrap();
        let mut parsed = super::super::load_files(&embedded_files()).unwrap();
        parsed.issued_at = Some(builtin_header().unwrap().issued_at);
        assert!(prepared.services.len() > 10);
        assert_eq!(format!("{prepared:?}"), format!("{parsed:?}"));
        assert!(prepared.authorities.iter().any(|a| a.kind
            == pinwatch_knowledge::AuthorityKind::Private
            && a.certificate.is_some()));
    }
}
