//! Which knowledge a run uses, and which bundle an update may install.
//!
//! A run uses the verified bundle with the highest sequence among the
//! user's and the system's stores, never one lower than (or equal to) the
//! built-in knowledge, which is bundle N itself. A stored bundle is
//! verified again on every load (a changed or truncated file falls back,
//! with a warning), and one below the highest sequence its state has seen
//! from its key is not used. Its validated knowledge comes from the
//! store's cache when the cache was written for those very bytes (by this
//! pinwatch); else its pins are parsed and validated again, and the cache
//! written anew.
//!
//! An update installs a bundle only if it is newer than the knowledge in
//! use and than every bundle accepted from its key before (a replayed or
//! rolled-back bundle is refused), its key is not revoked, and only the
//! backup key revokes.

use serde::Serialize;
use thiserror::Error;

use pinwatch_knowledge::bundle::{self, BundleError, Header, KeyId, Verified};

use super::keys::{Keys, Role};
use super::store::{Installed, State, Store};
use super::{Knowledge, KnowledgeError, builtin_header, load_embedded};

pub use super::store::VERSION;

/// Days after which pin mismatches alone no longer make a result
/// `suspicious` (Chrome's rule for its static pins).
pub const PINS_TRUSTED_DAYS: i64 = 70;

/// The knowledge a run uses.
#[derive(Clone, Debug)]
pub struct Active {
    /// The pins.
    pub knowledge: Knowledge,
    /// What it is and how old.
    pub about: About,
    /// The bundle's CT log list (JSON); `None`: the built-in one.
    pub log_list: Option<String>,
}

/// Which knowledge is in use, as reports show it (the JSON `knowledge`
/// object).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct About {
    /// The bundle's sequence (`None`: a pins directory given by hand).
    pub sequence: Option<u64>,
    /// When it was issued, RFC 3339.
    pub issued_at: Option<String>,
    /// When it is due to be replaced, RFC 3339.
    pub expires_at: Option<String>,
    /// `built-in`, the file or URL the bundle came from, or the pins directory.
    pub source: String,
    /// Whole days since it was issued.
    pub age_days: Option<i64>,
    /// The id of the key that signed it (`None`: built in, or a directory).
    pub signer: Option<String>,
    /// Past `expires_at`: still used; time to update.
    pub expired: bool,
    /// Older than 70 days: pin mismatches are evidence only.
    pub pins_relaxed: bool,
}

impl About {
    /// A bundle with `header`, from `source`, signed by `signer`, at `now`.
    pub fn of(header: &Header, source: &str, signer: Option<KeyId>, now: i64) -> About {
        let age = now.saturating_sub(header.issued_at);
        About {
            sequence: Some(header.sequence),
            issued_at: Some(bundle::format_time(header.issued_at)),
            expires_at: Some(bundle::format_time(header.expires_at)),
            source: source.to_string(),
            age_days: Some(age.max(0) / 86_400),
            signer: signer.map(|k| k.to_string()),
            expired: now > header.expires_at,
            pins_relaxed: age > PINS_TRUSTED_DAYS * 86_400,
        }
    }

    /// A pins directory given by hand: no bundle, no age.
    pub fn directory(dir: &std::path::Path) -> About {
        About {
            sequence: None,
            issued_at: None,
            expires_at: None,
            source: dir.display().to_string(),
            age_days: None,
            signer: None,
            expired: false,
            pins_relaxed: false,
        }
    }
}

/// The source name of the built-in knowledge.
pub const BUILT_IN: &str = "built-in";

/// The knowledge to use at `now`: the newest verified bundle of `stores`
/// (keys: `keys`, plus the administrator's key each store recorded), else
/// the built-in knowledge. Problems with a stored bundle are warnings: the
/// run goes on with the next best knowledge.
pub fn active(
    stores: &[Store],
    keys: &Keys,
    now: i64,
    warnings: &mut Vec<String>,
) -> Result<Active, KnowledgeError> {
    let builtin = builtin_header()?;
    let mut candidates: Vec<Candidate<'_>> = Vec::new();
    for store in stores {
        match stored(store, keys, builtin.sequence) {
            Ok(Some(found)) => candidates.push(found),
            Ok(None) => {}
            Err(why) => warnings.push(format!(
                "{}: {why}; using the knowledge next in line",
                store.bundle_path().display()
            )),
        }
    }
    candidates.sort_by_key(|c| std::cmp::Reverse(c.verified.header.sequence));
    for candidate in candidates {
        match candidate.knowledge() {
            Ok(mut knowledge) => {
                let Candidate {
                    verified, source, ..
                } = candidate;
                knowledge.issued_at = Some(verified.header.issued_at);
                return Ok(Active {
                    about: About::of(&verified.header, &source, Some(verified.signer), now),
                    log_list: verified.payload.file(bundle::LOG_LIST).map(str::to_string),
                    knowledge,
                });
            }
            Err(e) => warnings.push(format!(
                "{}: {e}; using the knowledge next in line",
                candidate.source
            )),
        }
    }
    Ok(Active {
        knowledge: load_embedded()?,
        about: About::of(&builtin, BUILT_IN, None, now),
        log_list: None,
    })
}

/// A verified stored bundle a run may use.
struct Candidate<'s> {
    verified: Verified,
    /// Where it came from.
    source: String,
    /// The store it is in.
    store: &'s Store,
    /// The SHA-256 (hex) of its bytes, which its cache must name.
    sha256: String,
}

impl Candidate<'_> {
    /// Its validated knowledge: the store's cache of these very bytes, with
    /// the CA certificates the bundle carries attached (as the built-in
    /// knowledge is prepared); else parsed and validated from its pins,
    /// and cached for the next run (when the store can be written: the
    /// system's is not every user's).
    fn knowledge(&self) -> Result<Knowledge, String> {
        let payload = &self.verified.payload;
        if let Some(mut knowledge) = self.store.cached(&self.sha256) {
            let pems: Vec<(String, String)> = payload
                .files
                .iter()
                .filter(|(path, _)| path.ends_with(".pem"))
                .map(|(path, text)| {
                    let sequence = self.verified.header.sequence;
                    (format!("bundle {sequence}: pins/{path}"), text.clone())
                })
                .collect();
            pinwatch_knowledge::attach_certificates(&mut knowledge.authorities, &pems)
                .map_err(|e| e.to_string())?;
            return Ok(knowledge);
        }
        let knowledge = payload.knowledge().map_err(|e| e.to_string())?;
        let _ = self.store.save_cache(&self.sha256, &knowledge);
        Ok(knowledge)
    }
}

/// The store's bundle, verified, when it is newer than the built-in
/// knowledge (sequence `builtin`) and not below what its state has seen.
fn stored<'s>(
    store: &'s Store,
    keys: &Keys,
    builtin: u64,
) -> Result<Option<Candidate<'s>>, String> {
    let Some(bytes) = store.bundle().map_err(|e| e.to_string())? else {
        return Ok(None);
    };
    let state = store.state().map_err(|e| e.to_string())?;
    let mut keys = keys.clone();
    if let Some(admin) = state
        .installed
        .as_ref()
        .and_then(|i| i.admin_key.as_deref())
    {
        keys.add(admin, Role::Admin)?;
    }
    let verified = bundle::verify(&bytes, &keys.signing(&state.revoked()), VERSION)
        .map_err(|e| e.to_string())?;
    let sequence = verified.header.sequence;
    if let Some(highest) = state.highest(verified.signer).filter(|h| sequence < *h) {
        return Err(format!(
            "bundle {sequence} is older than bundle {highest}, already accepted from key {}",
            verified.signer
        ));
    }
    if sequence <= builtin {
        return Ok(None);
    }
    let source = state
        .installed
        .map_or_else(|| store.bundle_path().display().to_string(), |i| i.source);
    Ok(Some(Candidate {
        verified,
        source,
        store,
        sha256: crate::util::sha256_hex(&bytes),
    }))
}

/// Why an update refuses a verified bundle.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum Refusal {
    /// Older than one already accepted from the same key: a replay.
    #[error(
        "bundle {sequence} is older than bundle {highest}, already accepted from key {key}: a replayed or rolled-back bundle is never installed"
    )]
    Replayed {
        /// The bundle's.
        sequence: u64,
        /// The highest accepted from its key.
        highest: u64,
        /// The key.
        key: KeyId,
    },
    /// Not newer than the knowledge in use.
    #[error("bundle {sequence} is not newer than the knowledge in use (bundle {in_use})")]
    NotNewer {
        /// The bundle's.
        sequence: u64,
        /// The one in use.
        in_use: u64,
    },
    /// A key other than the backup tried to revoke.
    #[error(
        "bundle {sequence} revokes keys, but only the backup key may revoke one (signed by {key})"
    )]
    RevocationNotByBackup {
        /// The bundle's.
        sequence: u64,
        /// The key that signed it.
        key: KeyId,
    },
}

/// Decides whether `verified` (fetched from `source` at `now`) may
/// replace the knowledge in use (sequence `in_use`) given the store's
/// `state`; the store's new state when it may.
pub fn accept(
    verified: &Verified,
    keys: &Keys,
    state: &State,
    in_use: u64,
    source: &str,
    now: i64,
) -> Result<State, Refusal> {
    let (sequence, key) = (verified.header.sequence, verified.signer);
    if let Some(highest) = state.highest(key).filter(|h| sequence < *h) {
        return Err(Refusal::Replayed {
            sequence,
            highest,
            key,
        });
    }
    if sequence <= in_use {
        return Err(Refusal::NotNewer { sequence, in_use });
    }
    let role = keys.role(key);
    if !verified.header.revokes.is_empty() && role != Some(Role::Backup) {
        return Err(Refusal::RevocationNotByBackup { sequence, key });
    }
    let mut next = state.clone();
    next.highest.insert(key.to_string(), sequence);
    for revoked in &verified.header.revokes {
        if !next.revoked.contains(revoked) {
            next.revoked.push(revoked.clone());
        }
    }
    next.installed = Some(Installed {
        sequence,
        signer: key.to_string(),
        source: source.to_string(),
        at: now,
        admin_key: (role == Some(Role::Admin))
            .then(|| keys.base64(key).map(str::to_string))
            .flatten(),
    });
    Ok(next)
}

/// Checks a fetched bundle against `keys` less the store's revoked ones;
/// a bundle by a revoked key says so.
pub fn verify_fetched(bytes: &[u8], keys: &Keys, state: &State) -> Result<Verified, BundleError> {
    let revoked = state.revoked();
    if let Ok(id) = bundle::Signed::split(bytes).and_then(|s| s.key_id()) {
        if revoked.contains(&id) {
            return Err(BundleError::RevokedKey(id));
        }
    }
    bundle::verify(bytes, &keys.signing(&revoked), VERSION)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pinwatch_knowledge::bundle::{Payload, TrustedKey, sign};

    struct Signer {
        pair: minisign::KeyPair,
    }

    impl Signer {
        fn new() -> Signer {
            Signer {
                pair: minisign::KeyPair::generate_unencrypted_keypair().unwrap(),
            }
        }
        fn base64(&self) -> String {
            self.pair.pk.to_base64()
        }
        fn id(&self) -> KeyId {
            TrustedKey::from_base64(&self.base64()).unwrap().id
        }
        fn bundle(&self, header: Header) -> Vec<u8> {
            let payload = Payload::from_dir(
                &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("pins"),
                header,
            )
            .unwrap();
            sign(&payload, &self.pair.sk, &self.pair.pk).unwrap()
        }
    }

    fn header(sequence: u64) -> Header {
        Header::new(sequence, 1_796_601_600, VERSION)
    }

    /// A store in `dir` with a bundle of `admin`'s installed: bundle
    /// `sequence` above the built-in knowledge, from "usb". Its bytes and
    /// its knowledge as parsed.
    fn installed(admin: &Signer, dir: &std::path::Path, above: u64) -> (Store, Vec<u8>, Knowledge) {
        let mut keys = Keys::none();
        keys.add(&admin.base64(), Role::Admin).unwrap();
        let store = Store::at(dir);
        let builtin = builtin_header().unwrap().sequence;
        let bytes = admin.bundle(header(builtin + above));
        let verified = verify_fetched(&bytes, &keys, &State::default()).unwrap();
        let state = accept(&verified, &keys, &State::default(), builtin, "usb", 0).unwrap();
        let parsed = verified.payload.knowledge().unwrap();
        store.install(&bytes, &state, &parsed).unwrap();
        (store, bytes, parsed)
    }

    /// The store's cache, as JSON.
    fn cache_of(store: &Store) -> serde_json::Value {
        let text = std::fs::read_to_string(store.dir().join(super::super::store::CACHE)).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn a_run_reads_the_cache_of_its_bundle_and_parses_again_when_it_is_another_ones() {
        let dir = tempfile::tempdir().unwrap();
        let (store, bytes, _) = installed(&Signer::new(), dir.path(), 5);
        let builtin = builtin_header().unwrap().sequence;
        let cache = cache_of(&store);
        assert_eq!(cache["bundle_sha256"], crate::util::sha256_hex(&bytes));
        assert_eq!(cache["pinwatch"], VERSION);
        let run = || {
            let mut warnings = Vec::new();
            let a = active(
                std::slice::from_ref(&store),
                &Keys::none(),
                0,
                &mut warnings,
            )
            .unwrap();
            assert_eq!(warnings, Vec::<String>::new());
            a
        };

        // A run takes the knowledge from the cache: a service renamed in
        // the cache (and only there) shows so.
        let mut edited = cache.clone();
        edited["knowledge"]["services"][0]["display_name"] = "From the cache".into();
        let path = store.dir().join(super::super::store::CACHE);
        std::fs::write(&path, edited.to_string()).unwrap();
        assert_eq!(run().knowledge.services[0].display_name, "From the cache");

        // A cache of other bytes (another bundle, an older pinwatch) is
        // not used: the pins are parsed again and the cache rewritten.
        for (field, value) in [
            ("bundle_sha256", serde_json::Value::from("00")),
            ("pinwatch", serde_json::Value::from("0.0.1")),
            ("format", serde_json::Value::from(99)),
        ] {
            let mut other = edited.clone();
            other[field] = value;
            std::fs::write(&path, other.to_string()).unwrap();
            assert_ne!(
                run().knowledge.services[0].display_name,
                "From the cache",
                "{field}"
            );
            assert_eq!(cache_of(&store), cache, "{field}: rewritten");
        }
        // No cache, or one that is not JSON: parsed, and cached again.
        std::fs::remove_file(&path).unwrap();
        assert_eq!(run().about.sequence, Some(builtin + 5));
        assert_eq!(cache_of(&store), cache);
        std::fs::write(&path, "{").unwrap();
        assert_eq!(run().about.sequence, Some(builtin + 5));
        assert_eq!(cache_of(&store), cache);
    }

    #[test]
    fn only_newer_bundles_are_accepted_and_replays_are_named() {
        let (primary, backup) = (Signer::new(), Signer::new());
        let mut keys = Keys::none();
        keys.add(&primary.base64(), Role::Primary).unwrap();
        keys.add(&backup.base64(), Role::Backup).unwrap();
        let state = State::default();
        let v42 = verify_fetched(&primary.bundle(header(42)), &keys, &state).unwrap();
        let after = accept(&v42, &keys, &state, 1, "file", 0).unwrap();
        assert_eq!(after.highest(primary.id()), Some(42));
        let v41 = verify_fetched(&primary.bundle(header(41)), &keys, &after).unwrap();
        let refused = accept(&v41, &keys, &after, 42, "file", 0).unwrap_err();
        assert_eq!(
            refused.to_string(),
            format!(
                "bundle 41 is older than bundle 42, already accepted from key {}: a replayed or rolled-back bundle is never installed",
                primary.id()
            )
        );
        assert_eq!(
            accept(&v42, &keys, &after, 42, "file", 0).unwrap_err(),
            Refusal::NotNewer {
                sequence: 42,
                in_use: 42
            }
        );
    }

    #[test]
    fn the_backup_key_revokes_the_primary_and_then_alone_signs() {
        let (primary, backup) = (Signer::new(), Signer::new());
        let mut keys = Keys::none();
        keys.add(&primary.base64(), Role::Primary).unwrap();
        keys.add(&backup.base64(), Role::Backup).unwrap();
        let mut revoking = header(50);
        revoking.revokes = vec![primary.id().to_string()];
        let by_primary =
            verify_fetched(&primary.bundle(revoking.clone()), &keys, &State::default()).unwrap();
        assert!(matches!(
            accept(&by_primary, &keys, &State::default(), 1, "f", 0),
            Err(Refusal::RevocationNotByBackup { .. })
        ));
        let by_backup = verify_fetched(&backup.bundle(revoking), &keys, &State::default()).unwrap();
        let state = accept(&by_backup, &keys, &State::default(), 1, "f", 0).unwrap();
        assert_eq!(state.revoked(), vec![primary.id()]);
        let err = verify_fetched(&primary.bundle(header(51)), &keys, &state).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "signed with key {}, which a bundle of the backup key revoked",
                primary.id()
            )
        );
        let next = verify_fetched(&backup.bundle(header(51)), &keys, &state).unwrap();
        assert!(accept(&next, &keys, &state, 50, "f", 0).is_ok());
    }

    #[test]
    fn a_run_uses_the_newest_verified_bundle_and_falls_back_on_a_damaged_one() {
        let dir = tempfile::tempdir().unwrap();
        let (store, bytes, parsed) = installed(&Signer::new(), dir.path(), 5);
        let builtin = builtin_header().unwrap().sequence;
        let now = 1_796_601_600 + 80 * 86_400;
        let mut warnings = Vec::new();
        // The admin's key is recorded with the bundle: the check trusts it
        // without reading any config.
        let active = active(
            std::slice::from_ref(&store),
            &Keys::none(),
            now,
            &mut warnings,
        )
        .unwrap();
        assert_eq!(warnings, Vec::<String>::new());
        assert_eq!(active.about.sequence, Some(builtin + 5));
        assert_eq!(active.about.source, "usb");
        assert_eq!(active.about.age_days, Some(80));
        assert!(active.about.expired && active.about.pins_relaxed);
        assert!(active.log_list.is_some());
        assert_eq!(active.knowledge.issued_at, Some(1_796_601_600));

        assert_eq!(
            format!("{:?}", active.knowledge),
            format!("{:?}", {
                let mut k = parsed.clone();
                k.issued_at = Some(1_796_601_600);
                k
            }),
            "the cached knowledge, certificates attached, is what the pins say"
        );

        std::fs::write(store.bundle_path(), &bytes[..bytes.len() - 10]).unwrap();
        let fallback = super::active(&[store], &Keys::none(), now, &mut warnings).unwrap();
        assert_eq!(fallback.about.source, BUILT_IN);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains("does not match its contents"),
            "{warnings:?}"
        );
    }
}
