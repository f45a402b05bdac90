//! Configuration layers: the system-wide defaults an administrator sets in
//! `/etc/pinwatch/config.toml` (on Windows `%ProgramData%\pinwatch\config.toml`,
//! a café admin's place for every user of the PC), under the user's own
//! `config.toml`. Each
//! file is validated on its own (so an error names the file, line and
//! column it is in); then a key the user sets overrides the same key of the
//! system file, key by key, and keys neither sets keep their defaults.

use std::path::{Path, PathBuf};

use thiserror::Error;

use super::config::{self, AgentConfig, ConfigFileError};
use crate::knowledge::{self, Knowledge, KnowledgeError};
use crate::tomlfile::TomlSource;

/// Where the system-wide defaults live on Unix.
pub const SYSTEM_CONFIG: &str = "/etc/pinwatch/config.toml";

/// The environment variable that moves the system-wide file (tests, other
/// prefixes); set to an empty string, no system file is read.
pub const SYSTEM_CONFIG_ENV: &str = "PINWATCH_SYSTEM_CONFIG";

/// A layered configuration could not be read.
#[derive(Debug, Error)]
pub enum LayerError {
    /// A file is unreadable or invalid (the error names it).
    #[error(transparent)]
    File(#[from] ConfigFileError),
    /// The system file names a pins directory that cannot be loaded, so
    /// the user's services cannot be checked against it.
    #[error("{path}: pins: {error}")]
    Pins {
        /// The system file.
        path: String,
        /// Why the pins directory does not load.
        error: KnowledgeError,
    },
}

/// The merged configuration and where its parts came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Layered {
    /// The effective settings. Its `path` is the user's file when it
    /// exists, else the system file when that exists.
    pub config: AgentConfig,
    /// The files that were read, system first.
    pub files: Vec<PathBuf>,
    /// The file that set `enabled`, when one did.
    pub enabled_set_by: Option<PathBuf>,
}

/// The system-wide file: `$PINWATCH_SYSTEM_CONFIG` when set (empty: none),
/// else `/etc/pinwatch/config.toml` on Unix, `%ProgramData%\pinwatch\config.toml`
/// on Windows, none elsewhere.
pub fn system_path(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    system_path_on(env, cfg!(windows))
}

/// [`system_path`] on Windows (`windows`) or elsewhere.
fn system_path_on(env: &dyn Fn(&str) -> Option<String>, windows: bool) -> Option<PathBuf> {
    match env(SYSTEM_CONFIG_ENV) {
        Some(v) if v.is_empty() => None,
        Some(v) => Some(PathBuf::from(v)),
        // `C:\ProgramData` on every Windows since Vista.
        None if windows => env("ProgramData")
            .filter(|dir| !dir.is_empty())
            .map(|dir| PathBuf::from(dir).join("pinwatch").join("config.toml")),
        None if cfg!(unix) => Some(PathBuf::from(SYSTEM_CONFIG)),
        None => None,
    }
}

/// One file, validated, with the top-level keys it sets.
struct Layer {
    path: PathBuf,
    config: AgentConfig,
    keys: Vec<String>,
}

/// Reads `path`; `None` when it does not exist.
fn read_layer(path: &Path, knowledge: &Knowledge) -> Result<Option<Layer>, ConfigFileError> {
    if !path.exists() {
        return Ok(None);
    }
    let text = crate::util::read_capped_string(path, crate::util::CONFIG_FILE)?;
    let shown = path.display().to_string();
    let src = TomlSource {
        path: &shown,
        text: &text,
    };
    let config = config::parse(src, knowledge)?;
    // The text parsed above, so it is a table; its keys are what it sets.
    let keys = src
        .parse::<toml::Table>()
        .map(|t| t.keys().cloned().collect())
        .unwrap_or_default();
    Ok(Some(Layer {
        path: path.to_path_buf(),
        config,
        keys,
    }))
}

/// Reads the system file (when given) and the user's file over it. A file
/// that does not exist is skipped; with neither, the defaults.
pub fn load(
    system: Option<&Path>,
    user: &Path,
    builtin: &Knowledge,
) -> Result<Layered, LayerError> {
    let system = match system {
        Some(path) => read_layer(path, builtin)?,
        None => None,
    };
    // Services named by the user are checked against the system's pins
    // directory when it replaces the built-in pins.
    let from_system_pins = match system.as_ref().and_then(|s| s.config.pins.as_ref()) {
        Some(dir) => Some(knowledge::load_dir(dir).map_err(|error| {
            LayerError::Pins {
                path: system
                    .as_ref()
                    .map(|s| s.path.display().to_string())
                    .unwrap_or_default(),
                error,
            }
        })?),
        None => None,
    };
    let user = read_layer(user, from_system_pins.as_ref().unwrap_or(builtin))?;
    Ok(merge(system, user))
}

fn merge(system: Option<Layer>, user: Option<Layer>) -> Layered {
    let mut layered = Layered {
        config: AgentConfig::default(),
        files: Vec::new(),
        enabled_set_by: None,
    };
    for layer in [system, user].into_iter().flatten() {
        for key in &layer.keys {
            take(&mut layered.config, &layer.config, key);
            if key == "enabled" {
                layered.enabled_set_by = Some(layer.path.clone());
            }
        }
        layered.config.path = Some(layer.path.clone());
        layered.files.push(layer.path);
    }
    layered
}

/// Copies the setting of config key `key` from `from` into `into`; false
/// for a key it does not know (a test keeps this in step with the keys the
/// config file accepts).
fn take(into: &mut AgentConfig, from: &AgentConfig, key: &str) -> bool {
    let f = from.clone();
    match key {
        "enabled" => into.enabled = f.enabled,
        "language" => into.language = f.language,
        "services" => into.services = f.services,
        "targets" => into.targets = f.targets,
        "interval_minutes" => into.interval = f.interval,
        "debounce_seconds" => into.debounce = f.debounce,
        "timeout_seconds" => into.timeout = f.timeout,
        "notifications" => into.notifications = f.notifications,
        "tray" => into.tray = f.tray,
        "proxy" => into.proxy = f.proxy,
        "connect_to" => into.connect_to = f.connect_to,
        "portal_checks" => into.portal_checks = f.portal_checks,
        "portal_check" => into.portal_check = f.portal_check,
        "public_roots" => into.public_roots = f.public_roots,
        "pins" => into.pins = f.pins,
        "sanctioned" => into.sanctioned = f.sanctioned,
        "update_from" => into.update_from = f.update_from,
        "trusted_keys" => into.trusted_keys = f.trusted_keys,
        "journal_max_kib" => into.journal_max_bytes = f.journal_max_bytes,
        _ => return false,
    }
    true
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::i18n::Lang;

    fn builtin() -> Knowledge {
        crate::knowledge::load_embedded().unwrap()
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn user_keys_override_system_keys_and_the_rest_stays() {
        let dir = tempfile::tempdir().unwrap();
        let system = write(
            dir.path(),
            "system.toml",
            "language = \"zh\"\nservices = [\"wechat\", \"qq\"]\ninterval_minutes = 30\ntray = false\n",
        );
        let user = write(
            dir.path(),
            "user.toml",
            "services = [\"chatgpt\"]\ntray = true\n",
        );
        let l = load(Some(&system), &user, &builtin()).unwrap();
        assert_eq!(l.config.language, Some(Lang::Zh), "system key kept");
        assert_eq!(l.config.interval, Duration::from_secs(30 * 60));
        assert_eq!(l.config.services, ["chatgpt"], "user key wins");
        assert!(l.config.tray, "user's true beats system's false");
        assert_eq!(l.config.timeout, Duration::from_secs(10), "default");
        assert_eq!(l.files, [system, user.clone()]);
        assert_eq!(l.config.path, Some(user));
        assert!(l.config.enabled);
        assert_eq!(l.enabled_set_by, None);
    }

    #[test]
    fn missing_files_give_the_defaults_or_the_one_that_exists() {
        let dir = tempfile::tempdir().unwrap();
        let none = dir.path().join("none.toml");
        let l = load(Some(&none), &none, &builtin()).unwrap();
        assert_eq!(l.config, AgentConfig::default());
        assert!(l.files.is_empty());
        let system = write(dir.path(), "system.toml", "enabled = false\n");
        let l = load(Some(&system), &none, &builtin()).unwrap();
        assert!(!l.config.enabled);
        assert_eq!(l.enabled_set_by, Some(system.clone()));
        assert_eq!(l.config.path, Some(system));
        let l = load(None, &none, &builtin()).unwrap();
        assert_eq!(l.config, AgentConfig::default());
    }

    #[test]
    fn the_admin_turns_the_agent_off_and_a_user_turns_it_back_on_or_off() {
        let dir = tempfile::tempdir().unwrap();
        let system = write(dir.path(), "system.toml", "enabled = false\n");
        let user = write(dir.path(), "user.toml", "enabled = true\n");
        let l = load(Some(&system), &user, &builtin()).unwrap();
        assert!(l.config.enabled);
        assert_eq!(l.enabled_set_by, Some(user.clone()));
        let system = write(dir.path(), "system.toml", "language = \"en\"\n");
        let user = write(dir.path(), "user.toml", "enabled = false\n");
        let l = load(Some(&system), &user, &builtin()).unwrap();
        assert!(!l.config.enabled);
        assert_eq!(l.enabled_set_by, Some(user));
    }

    #[test]
    fn an_error_in_the_system_file_names_it_with_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let system = write(
            dir.path(),
            "system.toml",
            "# site defaults\nlanguage = \"zh\"\ninterval_minutes = 0\n",
        );
        let user = write(dir.path(), "user.toml", "tray = false\n");
        let err = load(Some(&system), &user, &builtin())
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(&format!(
                "{}:3:20: interval_minutes: 0 is out of range",
                system.display()
            )),
            "{err}"
        );
        let system = write(dir.path(), "system.toml", "enabled = \"no\"\n");
        let err = load(Some(&system), &user, &builtin())
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(&format!("{}:1:11: enabled: invalid type", system.display())),
            "{err}"
        );
        let system = write(dir.path(), "system.toml", "[agent\n");
        let err = load(Some(&system), &user, &builtin())
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(&format!("{}:1:", system.display())),
            "{err}"
        );
    }

    #[test]
    fn an_error_in_the_user_file_names_the_user_file() {
        let dir = tempfile::tempdir().unwrap();
        let system = write(dir.path(), "system.toml", "tray = false\n");
        let user = write(dir.path(), "user.toml", "\nservices = [\"icq\"]\n");
        let err = load(Some(&system), &user, &builtin())
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(&format!(
                "{}:2:13: services: unknown service `icq`",
                user.display()
            )),
            "{err}"
        );
    }

    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let path = entry.unwrap().path();
            let dest = to.join(path.file_name().unwrap());
            if path.is_dir() {
                copy_dir(&path, &dest);
            } else {
                std::fs::copy(&path, &dest).unwrap();
            }
        }
    }

    #[test]
    fn user_services_are_checked_against_the_system_pins_directory() {
        let dir = tempfile::tempdir().unwrap();
        let pins = dir.path().join("pins");
        copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("pins"), &pins);
        let text = std::fs::read_to_string(pins.join("services/deepseek.toml")).unwrap();
        std::fs::write(
            pins.join("services/corpchat.toml"),
            text.replace("name = \"deepseek\"", "name = \"corpchat\""),
        )
        .unwrap();
        let user = write(dir.path(), "user.toml", "services = [\"corpchat\"]\n");
        let system = write(
            dir.path(),
            "system.toml",
            &format!("pins = {:?}\n", pins.display().to_string()),
        );
        let l = load(Some(&system), &user, &builtin()).unwrap();
        assert_eq!(l.config.services, ["corpchat"]);
        assert_eq!(l.config.pins, Some(pins));
        // Without the system's pins the name is unknown.
        let err = load(None, &user, &builtin()).unwrap_err().to_string();
        assert!(err.contains("unknown service `corpchat`"), "{err}");
        let bad = write(
            dir.path(),
            "system.toml",
            &format!(
                "pins = {:?}\n",
                dir.path().join("nowhere").display().to_string()
            ),
        );
        let err = load(Some(&bad), &user, &builtin()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with(&format!("{}:1:8: pins:", bad.display())),
            "{err}"
        );
    }

    #[test]
    fn the_system_path_comes_from_the_environment_or_etc() {
        let env = |v: Option<&'static str>| {
            move |k: &str| {
                (k == SYSTEM_CONFIG_ENV)
                    .then_some(v)
                    .flatten()
                    .map(String::from)
            }
        };
        assert_eq!(system_path(&env(Some(""))), None);
        assert_eq!(
            system_path(&env(Some("/x/c.toml"))),
            Some(PathBuf::from("/x/c.toml"))
        );
        #[cfg(unix)]
        assert_eq!(system_path(&env(None)), Some(PathBuf::from(SYSTEM_CONFIG)));
    }

    #[test]
    fn the_system_path_on_windows_is_under_programdata() {
        let env = |set: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                set.iter()
                    .find(|(name, _)| *name == k)
                    .map(|(_, v)| (*v).to_string())
            }
        };
        assert_eq!(
            system_path_on(&env(&[("ProgramData", "C:\\ProgramData")]), true),
            Some(
                PathBuf::from("C:\\ProgramData")
                    .join("pinwatch")
                    .join("config.toml")
            )
        );
        // The variable still moves it, or turns it off.
        assert_eq!(
            system_path_on(
                &env(&[("ProgramData", "C:\\ProgramData"), (SYSTEM_CONFIG_ENV, "")]),
                true
            ),
            None
        );
        // No %ProgramData%: no system file (not /etc on Windows).
        assert_eq!(system_path_on(&env(&[]), true), None);
        assert_eq!(system_path_on(&env(&[("ProgramData", "")]), true), None);
    }

    /// Every key the config file accepts is merged: the list comes from the
    /// file parser's own "expected one of" message, so a key added there
    /// and forgotten here fails this test.
    #[test]
    fn every_config_key_is_merged() {
        let k = builtin();
        let err = config::parse(
            TomlSource {
                path: "c.toml",
                text: "no_such_key = 1\n",
            },
            &k,
        )
        .unwrap_err()
        .to_string();
        let keys: Vec<&str> = err.split('`').skip(3).step_by(2).collect();
        assert!(keys.len() >= 15 && keys.contains(&"enabled"), "{err}");
        let mut into = AgentConfig::default();
        for key in keys {
            assert!(take(&mut into, &AgentConfig::default(), key), "{key}");
        }
        assert!(!take(&mut into, &AgentConfig::default(), "no_such_key"));
    }

    /// The conffile packaging/config.toml, with every setting uncommented,
    /// is a valid config: the documented keys and example values are real.
    #[test]
    fn the_shipped_system_file_documents_valid_keys() {
        let text = include_str!("../../packaging/config.toml");
        assert!(
            text.lines()
                .all(|l| l.trim().is_empty() || l.starts_with('#')),
            "every line of the shipped file is a comment, so the defaults apply"
        );
        let k = builtin();
        let uncommented: String = text
            .lines()
            .filter_map(|l| l.strip_prefix('#'))
            .filter(|l| !l.starts_with(' ') && l.contains(" = "))
            // The example paths exist on an installed system, not here: the
            // files they name are read (and checked) when the config is.
            .map(|l| {
                l.replace(
                    "\"/etc/pinwatch/pins\"",
                    &format!("{:?}", concat!(env!("CARGO_MANIFEST_DIR"), "/pins")),
                )
                .replace(
                    "\"/etc/pinwatch/public-roots.pem\"",
                    &format!(
                        "{:?}",
                        concat!(
                            env!("CARGO_MANIFEST_DIR"),
                            "/tests/data/roots/ISRG_Root_X1.pem"
                        )
                    ),
                )
            })
            .map(|l| format!("{l}\n"))
            .collect();
        let c = config::parse(
            TomlSource {
                path: "packaging/config.toml",
                text: &uncommented,
            },
            &k,
        )
        .unwrap_or_else(|e| panic!("{e}\n{uncommented}"));
        assert!(!c.enabled, "{uncommented}");
        let documented = uncommented.lines().count();
        assert!(documented >= 12, "{uncommented}");
    }
}
