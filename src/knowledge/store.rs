//! Where accepted knowledge bundles live: a directory holding the bundle
//! in use (`knowledge.bundle`, exactly as it was fetched, signature and
//! all), its state (`state.json`: the highest sequence ever accepted
//! from each key, the revoked keys, where the bundle came from) and its
//! validated knowledge as JSON (`knowledge.cache.json`, bound to the
//! bundle's SHA-256 and to this pinwatch's version, as build.rs prepares
//! the built-in knowledge), so that a run verifies the bundle's signature
//! but parses no TOML. Two such directories are read: the user's
//! (`~/.local/state/pinwatch/knowledge`) and the system's
//! (`/var/lib/pinwatch/knowledge`, written by the `pinwatch-update`
//! timer). Every file is replaced atomically, the bundle first: a crash,
//! `kill -9` or a full disk leaves the old bundle whole, and a cache that
//! is not the bundle's is never used.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use pinwatch_knowledge::Knowledge;
use pinwatch_knowledge::bundle::{BUNDLE_FILE, KeyId};

use crate::util::{Cap, ReadError, read_capped, write_atomically};

/// This pinwatch's version, as bundles name the oldest that reads them
/// (and the knowledge cache the version that wrote it).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The bundle in use, in a store directory.
pub const BUNDLE: &str = "knowledge.bundle";
/// The state beside it.
pub const STATE: &str = "state.json";
/// The bundle's validated knowledge, as JSON.
pub const CACHE: &str = "knowledge.cache.json";

/// The cache's own format; bumped when what it holds changes.
const CACHE_FORMAT: u32 = 1;

/// The cache file's cap (its JSON is about the size of the bundle).
const CACHE_FILE: Cap = Cap {
    bytes: 4 * BUNDLE_FILE.bytes,
    what: "a knowledge cache",
};

/// The cache as written.
#[derive(Serialize)]
struct CacheOut<'a> {
    format: u32,
    pinwatch: &'a str,
    bundle_sha256: &'a str,
    knowledge: &'a Knowledge,
}

/// The cache as read.
#[derive(Deserialize)]
struct CacheIn {
    format: u32,
    pinwatch: String,
    bundle_sha256: String,
    knowledge: Knowledge,
}

/// The environment variable that moves the system's store (tests, other
/// prefixes); set to an empty string, no system store is read.
pub const SYSTEM_STATE_ENV: &str = "PINWATCH_SYSTEM_STATE";

/// The state file's cap (a few hundred bytes in practice).
const STATE_FILE: Cap = Cap {
    bytes: 1024 * 1024,
    what: "a knowledge state file",
};

/// What a store remembers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// The highest sequence ever accepted from each key (its id): a lower
    /// one from that key is a replay.
    #[serde(default)]
    pub highest: BTreeMap<String, u64>,
    /// Keys revoked by a bundle the backup key signed.
    #[serde(default)]
    pub revoked: Vec<String>,
    /// The bundle in use.
    #[serde(default)]
    pub installed: Option<Installed>,
}

/// The bundle in use and where it came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Installed {
    /// Its sequence.
    pub sequence: u64,
    /// The key that signed it (id).
    pub signer: String,
    /// The file or URL it was fetched from.
    pub source: String,
    /// When it was installed, seconds since the epoch.
    pub at: i64,
    /// The administrator's key that signed it (base64), which the check
    /// verifies it with again; `None` for the project's keys.
    #[serde(default)]
    pub admin_key: Option<String>,
}

impl State {
    /// The highest sequence accepted from `key`.
    pub fn highest(&self, key: KeyId) -> Option<u64> {
        self.highest.get(&key.to_string()).copied()
    }

    /// The revoked keys.
    pub fn revoked(&self) -> Vec<KeyId> {
        self.revoked
            .iter()
            .filter_map(|k| KeyId::parse(k))
            .collect()
    }
}

/// A store that cannot be read or written.
#[derive(Debug, Error)]
pub enum StoreError {
    /// A file cannot be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The state file is not what pinwatch writes.
    #[error("{path}: not a knowledge state file ({detail}); remove it to start afresh")]
    BadState {
        /// The file.
        path: String,
        /// What is wrong.
        detail: String,
    },
    /// Writing failed (a full disk, no permission).
    #[error("{path}: cannot save: {error}")]
    Write {
        /// The file.
        path: String,
        /// Why.
        error: std::io::Error,
    },
}

/// A directory of accepted knowledge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Store {
    dir: PathBuf,
}

impl Store {
    /// The store in `dir`.
    pub fn at(dir: &Path) -> Store {
        Store {
            dir: dir.to_path_buf(),
        }
    }

    /// The user's: `knowledge` in the platform state directory.
    pub fn user() -> Option<Store> {
        let dirs = directories::ProjectDirs::from("", "", "pinwatch")?;
        let base = dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir());
        Some(Store::at(&base.join("knowledge")))
    }

    /// The system's: `$PINWATCH_SYSTEM_STATE/knowledge` when set (empty:
    /// none), else `/var/lib/pinwatch/knowledge` on Unix, none elsewhere.
    pub fn system(env: &dyn Fn(&str) -> Option<String>) -> Option<Store> {
        let base = match env(SYSTEM_STATE_ENV) {
            Some(v) if v.is_empty() => return None,
            Some(v) => PathBuf::from(v),
            None if cfg!(unix) => PathBuf::from("/var/lib/pinwatch"),
            None => return None,
        };
        Some(Store::at(&base.join("knowledge")))
    }

    /// The directory.
    #[cfg(test)]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The bundle file's path.
    pub fn bundle_path(&self) -> PathBuf {
        self.dir.join(BUNDLE)
    }

    /// The state; a store without one has the default.
    pub fn state(&self) -> Result<State, StoreError> {
        let path = self.dir.join(STATE);
        let bytes = match read_capped(&path, STATE_FILE) {
            Ok(bytes) => bytes,
            Err(e) if e.is_not_found() => return Ok(State::default()),
            Err(e) => return Err(e.into()),
        };
        serde_json::from_slice(&bytes).map_err(|e| StoreError::BadState {
            path: path.display().to_string(),
            detail: e.to_string(),
        })
    }

    /// The bundle in use, when there is one.
    pub fn bundle(&self) -> Result<Option<Vec<u8>>, StoreError> {
        match read_capped(&self.bundle_path(), BUNDLE_FILE) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Installs `bundle` with `state`: the bundle first, then the state,
    /// each atomically. On any failure the old bundle is whole (and the
    /// old state, if the bundle was not replaced). Then its validated
    /// `knowledge` is cached ([`Store::save_cache`]); a cache that cannot
    /// be written costs the next run a parse, not the update.
    pub fn install(
        &self,
        bundle: &[u8],
        state: &State,
        knowledge: &Knowledge,
    ) -> Result<(), StoreError> {
        self.write(&self.bundle_path(), bundle)?;
        let json = serde_json::to_vec_pretty(state).unwrap_or_default();
        self.write(&self.dir.join(STATE), &json)?;
        let _ = self.save_cache(&crate::util::sha256_hex(bundle), knowledge);
        Ok(())
    }

    /// Replaces the file at `path` of this store with `bytes`, atomically.
    fn write(&self, path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
        std::fs::create_dir_all(&self.dir)
            .and_then(|()| write_atomically(path, |out| out.write_all(bytes)))
            .map_err(|error| StoreError::Write {
                path: path.display().to_string(),
                error,
            })
    }

    /// The validated knowledge cached for the bundle whose SHA-256 (hex)
    /// is `bundle_sha256`, as this pinwatch wrote it; `None` when there is
    /// no cache, or it is another bundle's, another version's or
    /// unreadable (the caller parses the bundle again). Its CA
    /// certificates are not in it: they travel in the bundle.
    pub fn cached(&self, bundle_sha256: &str) -> Option<Knowledge> {
        let bytes = read_capped(&self.dir.join(CACHE), CACHE_FILE).ok()?;
        let cache: CacheIn = serde_json::from_slice(&bytes).ok()?;
        (cache.format == CACHE_FORMAT
            && cache.pinwatch == VERSION
            && cache.bundle_sha256 == bundle_sha256)
            .then_some(cache.knowledge)
    }

    /// Caches `knowledge`, validated from the bundle whose SHA-256 (hex) is
    /// `bundle_sha256`, atomically.
    pub fn save_cache(&self, bundle_sha256: &str, knowledge: &Knowledge) -> Result<(), StoreError> {
        let cache = CacheOut {
            format: CACHE_FORMAT,
            pinwatch: VERSION,
            bundle_sha256,
            knowledge,
        };
        let json = serde_json::to_vec(&cache).map_err(|e| StoreError::Write {
            path: self.dir.join(CACHE).display().to_string(),
            error: std::io::Error::other(e),
        })?;
        self.write(&self.dir.join(CACHE), &json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_round_trips_and_starts_empty() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::at(&dir.path().join("k"));
        assert_eq!(store.state().unwrap(), State::default());
        assert_eq!(store.bundle().unwrap(), None);
        let mut state = State::default();
        state.highest.insert("937575091B5A2105".into(), 42);
        store
            .install(b"bundle bytes", &state, &Knowledge::default())
            .unwrap();
        assert_eq!(
            store.bundle().unwrap().as_deref(),
            Some(&b"bundle bytes"[..])
        );
        assert_eq!(store.state().unwrap(), state);
        assert_eq!(
            store
                .state()
                .unwrap()
                .highest(KeyId::parse("937575091B5A2105").unwrap()),
            Some(42)
        );
        std::fs::write(store.dir().join(STATE), "{").unwrap();
        assert!(
            store
                .state()
                .unwrap_err()
                .to_string()
                .ends_with("remove it to start afresh"),
        );
    }

    #[test]
    fn the_system_store_moves_with_the_environment() {
        let env = |v: Option<&'static str>| move |_: &str| v.map(str::to_string);
        assert_eq!(Store::system(&env(Some(""))), None);
        assert_eq!(
            Store::system(&env(Some("/x"))).map(|s| s.dir().to_path_buf()),
            Some(PathBuf::from("/x/knowledge"))
        );
    }
}
