//! The keys a knowledge bundle may be signed with: the project's primary
//! and its offline backup, compiled in (`keys/`), and an administrator's
//! own (the config's `trusted_keys`: a café chain signing the knowledge
//! for its own machines). A bundle signed by the backup may revoke the
//! primary; a revoked key signs nothing any more.

use pinwatch_knowledge::bundle::{KeyId, TrustedKey};

/// The project's primary key (`keys/knowledge-primary.pub`).
const PRIMARY: &str = include_str!("../../keys/knowledge-primary.pub");
/// The project's backup key, kept offline (`keys/knowledge-backup.pub`).
const BACKUP: &str = include_str!("../../keys/knowledge-backup.pub");

/// What a key may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Signs the project's bundles.
    Primary,
    /// Signs only to revoke the primary; may revoke it.
    Backup,
    /// An administrator's own key (from the config).
    Admin,
}

/// The keys trusted for bundles, each with its role and its base64 form.
#[derive(Clone, Debug)]
pub struct Keys {
    keys: Vec<(TrustedKey, Role, String)>,
}

/// The base64 line of a minisign `.pub` file (its second line), or the
/// text itself when it is that line alone.
fn key_line(text: &str) -> &str {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))
        .unwrap_or_default()
}

impl Keys {
    /// The project's two keys.
    pub fn project() -> Keys {
        let mut keys = Keys { keys: Vec::new() };
        for (text, role) in [(PRIMARY, Role::Primary), (BACKUP, Role::Backup)] {
            let _ = keys.add(text, role);
        }
        keys
    }

    /// No key at all (tests add stand-ins for the project's keys).
    pub fn none() -> Keys {
        Keys { keys: Vec::new() }
    }

    /// Adds a key with its role, given as minisign prints it (the base64
    /// line of its `.pub` file, or the whole file). A key already trusted
    /// keeps its role.
    pub fn add(&mut self, text: &str, role: Role) -> Result<KeyId, String> {
        let line = key_line(text);
        let key = TrustedKey::from_base64(line)
            .ok_or_else(|| format!("`{line}` is not a minisign public key"))?;
        let id = key.id;
        if self.role(id).is_none() {
            self.keys.push((key, role, line.to_string()));
        }
        Ok(id)
    }

    /// The role of the key `id`, when it is trusted.
    pub fn role(&self, id: KeyId) -> Option<Role> {
        self.keys
            .iter()
            .find(|(k, ..)| k.id == id)
            .map(|(_, r, _)| *r)
    }

    /// The keys that may sign now, leaving out the `revoked` ones.
    pub fn signing(&self, revoked: &[KeyId]) -> Vec<TrustedKey> {
        self.keys
            .iter()
            .filter(|(k, ..)| !revoked.contains(&k.id))
            .map(|(k, ..)| k.clone())
            .collect()
    }

    /// The base64 form of the key `id` (recorded with an installed bundle
    /// signed by an administrator's key).
    pub fn base64(&self, id: KeyId) -> Option<&str> {
        self.keys
            .iter()
            .find(|(k, ..)| k.id == id)
            .map(|(.., text)| text.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_project_keys_are_compiled_in() {
        let keys = Keys::project();
        let primary = KeyId::parse("D7331E92519EA5FB").unwrap();
        let backup = KeyId::parse("D1E2F431C7C722CD").unwrap();
        assert_eq!(keys.role(primary), Some(Role::Primary));
        assert_eq!(keys.role(backup), Some(Role::Backup));
        assert_eq!(keys.signing(&[primary]).len(), 1);
    }

    #[test]
    fn an_admin_key_is_added_from_its_pub_file_or_its_line() {
        let mut keys = Keys::project();
        let id = keys
            .add("untrusted comment: minisign public key D1E2F431C7C722CD\nRWTNIsfHMfTi0bgfzdNND/yp+ptGyWeZ/xMeoVLnpNmcDf9QLnhqb1mV\n", Role::Admin)
            .unwrap();
        assert_eq!(
            keys.role(id),
            Some(Role::Backup),
            "already known: keeps its role"
        );
        assert_eq!(
            keys.add("RWQ nope", Role::Admin).unwrap_err(),
            "`RWQ nope` is not a minisign public key"
        );
    }
}
