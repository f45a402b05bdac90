//! The knowledge a run judges with, chosen once for every command and the
//! agent: `--pins DIR` (or the config's `pins`) alone, else the newest
//! verified bundle of the user's and the system's stores (never below the
//! built-in one, [`super::active`]) with the user's own services added; and
//! the Certificate Transparency log list that goes with it, when CT applies
//! ([`Loaded::ct_logs`], the one place that decides it).

use std::io::Read as _;
use std::path::{Path, PathBuf};

use super::active::{About, active};
use super::keys::Keys;
use super::store::Store;
use super::{Knowledge, KnowledgeError, load_dir, overlay_services};
use crate::ct::{CtError, LogList, MAX_LOG_LIST_BYTES};

/// The knowledge a command judges with, and which it is.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The pins.
    pub knowledge: Knowledge,
    /// Which knowledge it is and how old (the JSON `knowledge` object).
    pub about: About,
    /// The bundle's CT log list (JSON); `None`: the built-in one.
    pub log_list: Option<String>,
    /// Problems with a stored bundle that did not stop the run.
    pub warnings: Vec<String>,
}

impl Loaded {
    /// The CT log list that goes with the knowledge: the bundle's, else the
    /// built-in one.
    pub fn log_list(&self) -> Result<LogList, CtError> {
        match (&self.log_list, self.about.sequence) {
            (Some(json), Some(sequence)) => LogList::parse(
                json.as_bytes(),
                &format!("knowledge bundle {sequence}: ct/log_list.json"),
            ),
            _ => load_log_list(None),
        }
    }

    /// The CT log list a run checks SCTs against, `None` when Certificate
    /// Transparency does not apply. It applies with the built-in public
    /// store (the Web PKI logs its certificates) and the knowledge's list;
    /// with `public_roots` replacing that store only when `ct_logs` names
    /// the logs too (a private PKI logs nothing). `ct_logs` replaces the
    /// knowledge's list.
    pub fn ct_logs(
        &self,
        public_roots: Option<&Path>,
        ct_logs: Option<&Path>,
    ) -> Result<Option<LogList>, CtError> {
        match (public_roots, ct_logs) {
            (_, Some(path)) => load_log_list(Some(path)).map(Some),
            (Some(_), None) => Ok(None),
            (None, None) => self.log_list().map(Some),
        }
    }
}

/// Where accepted knowledge bundles are kept: the user's store and the
/// system's.
pub fn stores(env: &dyn Fn(&str) -> Option<String>) -> Vec<Store> {
    Store::user()
        .into_iter()
        .chain(Store::system(env))
        .collect()
}

/// The user's own services directory: `<config dir>/pinwatch/services`
/// (`~/.config/pinwatch/services` on Linux, honouring XDG_CONFIG_HOME).
fn user_services_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "pinwatch").map(|d| d.config_dir().join("services"))
}

/// The knowledge base: `pins` (a directory) alone, or the newest verified
/// bundle (else the built-in knowledge) with the user's services added.
pub fn load(pins: Option<&Path>) -> Result<Loaded, KnowledgeError> {
    if let Some(dir) = pins {
        return Ok(Loaded {
            knowledge: load_dir(dir)?,
            about: About::directory(dir),
            log_list: None,
            warnings: Vec::new(),
        });
    }
    let env = |k: &str| std::env::var(k).ok();
    let mut warnings = Vec::new();
    let active = active(
        &stores(&env),
        &Keys::project(),
        crate::util::now(),
        &mut warnings,
    )?;
    let mut knowledge = active.knowledge;
    if let Some(dir) = user_services_dir() {
        overlay_services(&mut knowledge, &dir)?;
    }
    Ok(Loaded {
        knowledge,
        about: active.about,
        log_list: active.log_list,
        warnings,
    })
}

/// `--ct-logs FILE` (a regular file, read up to [`MAX_LOG_LIST_BYTES`],
/// then parsed), or the built-in list.
pub fn load_log_list(path: Option<&Path>) -> Result<LogList, CtError> {
    let Some(path) = path else {
        return LogList::embedded().cloned();
    };
    let file = path.display().to_string();
    // A regular file only: a FIFO or a device would hang or never end.
    let opened = crate::util::open_regular(path).map_err(|e| CtError::Read {
        file: file.clone(),
        detail: e.reason(),
    })?;
    let mut bytes = Vec::new();
    opened
        .take(MAX_LOG_LIST_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| CtError::Read {
            file: file.clone(),
            detail: e.to_string(),
        })?;
    LogList::parse(&bytes, &file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin() -> Loaded {
        Loaded {
            knowledge: Knowledge::default(),
            about: About::directory(Path::new("pins")),
            log_list: None,
            warnings: Vec::new(),
        }
    }

    /// CT applies with the built-in public store, or with replaced public
    /// roots only when the logs are named too.
    #[test]
    fn ct_applies_with_the_public_store_or_with_named_logs() {
        let loaded = builtin();
        let roots = Path::new("/etc/pinwatch/public-roots.pem");
        let logs = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/pins/ct/log_list.json"
        ));
        let source = |o: Option<LogList>| o.map(|l| l.source);
        assert_eq!(
            source(loaded.ct_logs(None, None).unwrap()).as_deref(),
            Some(crate::ct::EMBEDDED_SOURCE)
        );
        assert_eq!(source(loaded.ct_logs(Some(roots), None).unwrap()), None);
        let named = source(loaded.ct_logs(Some(roots), Some(logs)).unwrap());
        assert_eq!(named.as_deref(), logs.to_str());
        let named = source(loaded.ct_logs(None, Some(logs)).unwrap());
        assert_eq!(named.as_deref(), logs.to_str());
        let err = loaded
            .ct_logs(None, Some(Path::new("/nonexistent/logs.json")))
            .unwrap_err();
        assert!(
            err.to_string().starts_with("/nonexistent/logs.json: "),
            "{err}"
        );
    }

    #[test]
    fn a_log_list_file_is_capped_and_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("huge.json");
        std::fs::write(&path, vec![b' '; MAX_LOG_LIST_BYTES as usize + 1]).unwrap();
        let err = load_log_list(Some(&path)).unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "{}: larger than 4194304 bytes; this is not a CT log list",
                path.display()
            )
        );
        let missing = dir.path().join("missing.json");
        let err = load_log_list(Some(&missing)).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!("{}: ", missing.display())),
            "{err}"
        );
        let good = dir.path().join("good.json");
        std::fs::copy(
            concat!(env!("CARGO_MANIFEST_DIR"), "/pins/ct/log_list.json"),
            &good,
        )
        .unwrap();
        let l = load_log_list(Some(&good)).unwrap();
        assert_eq!(l.source, good.display().to_string());
        assert_eq!(
            load_log_list(None).unwrap().source,
            crate::ct::EMBEDDED_SOURCE
        );
    }
}
