//! Configuration layers: the system-wide defaults an administrator sets in
//! `/etc/pinwatch/config.toml` (on Windows `%ProgramData%\pinwatch\config.toml`,
//! a café admin's place for every user of the PC), under the user's own
//! `config.toml`. Each
//! file is read and parsed once into a typed [`Layer`] (its own errors name
//! the file, line and column); the user's layer goes over the system's, key
//! by key (a key the user sets wins, keys neither sets keep their
//! defaults); then the merged result is validated once: the pins directory
//! it names and its public roots are loaded, the services checked against
//! those pins, each error naming the file, line and column of the value.
//! What was loaded is handed on ([`Layered::pins`], [`Layered::public`]),
//! not loaded again.

use std::path::{Path, PathBuf};

use thiserror::Error;

use super::config::{AgentConfig, ConfigFileError, Layer};
use crate::analysis::TrustStore;
use crate::knowledge::{Knowledge, Loaded};
use crate::tomlfile::TomlSource;

/// Where the system-wide defaults live on Unix.
pub const SYSTEM_CONFIG: &str = "/etc/pinwatch/config.toml";

/// The environment variable that moves the system-wide file (tests, other
/// prefixes); set to an empty string, no system file is read.
pub const SYSTEM_CONFIG_ENV: &str = "PINWATCH_SYSTEM_CONFIG";

/// A layered configuration could not be read.
#[derive(Debug, Error)]
pub enum LayerError {
    /// A file is unreadable or invalid, or a value of the merged layers
    /// cannot be used (the error names its file, line and column).
    #[error(transparent)]
    File(#[from] ConfigFileError),
}

impl From<crate::tomlfile::TomlError> for LayerError {
    fn from(e: crate::tomlfile::TomlError) -> Self {
        LayerError::File(e.into())
    }
}

/// The merged configuration, validated, and where its parts came from.
#[derive(Debug)]
pub struct Layered {
    /// The effective settings. Its `path` is the user's file when it
    /// exists, else the system file when that exists.
    pub config: AgentConfig,
    /// The file that set `enabled`, when one did.
    pub enabled_set_by: Option<PathBuf>,
    /// The pins directory the config names, loaded (`None`: it names none).
    pub pins: Option<Loaded>,
    /// The public roots the config names, loaded (`None`: it names none).
    pub public: Option<TrustStore>,
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

/// Reads and parses `path` into its layer; `None` when it does not exist.
fn read_layer(path: &Path) -> Result<Option<Layer>, ConfigFileError> {
    if !path.exists() {
        return Ok(None);
    }
    let text = crate::util::read_capped_string(path, crate::util::CONFIG_FILE)?;
    let shown = path.display().to_string();
    let src = TomlSource {
        path: &shown,
        text: &text,
    };
    Ok(Some(Layer::parse(src)?))
}

/// Reads the system file (when given) and the user's file over it, and
/// validates the merged result: services are checked against the pins
/// directory it names, else against `knowledge`. A file that does not exist
/// is skipped; with neither, the defaults.
pub fn load(
    system: Option<&Path>,
    user: &Path,
    knowledge: &Knowledge,
) -> Result<Layered, LayerError> {
    let mut read = None;
    let mut merged = Layer::default();
    let mut enabled_set_by = None;
    for path in system.into_iter().chain([user]) {
        let Some(layer) = read_layer(path)? else {
            continue;
        };
        if layer.enabled.is_some() {
            enabled_set_by = Some(path.to_path_buf());
        }
        merged = layer.over(merged);
        read = Some(path.to_path_buf());
    }
    let pins = merged.load_pins()?;
    let (mut config, public) = merged.settle(pins.as_ref().map_or(knowledge, |p| &p.knowledge))?;
    config.path = read;
    Ok(Layered {
        config,
        enabled_set_by,
        pins,
        public,
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::agent::config;
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
        assert_eq!(l.config.path, None);
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
        assert_eq!(l.config.pins, Some(pins.clone()));
        // The pins are loaded once, and handed on.
        let loaded = l.pins.expect("the system's pins, loaded");
        assert!(loaded.knowledge.service("corpchat").is_some());
        assert_eq!(loaded.about.source, pins.display().to_string());
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
    fn the_merged_public_roots_are_loaded_once_and_handed_on() {
        let dir = tempfile::tempdir().unwrap();
        let roots = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/roots/ISRG_Root_X1.pem"
        );
        let system = write(
            dir.path(),
            "system.toml",
            &format!("public_roots = {roots:?}\n"),
        );
        let user = write(dir.path(), "user.toml", "tray = false\n");
        let l = load(Some(&system), &user, &builtin()).unwrap();
        assert_eq!(l.config.public_roots.as_deref(), Some(Path::new(roots)));
        assert_eq!(l.public.map(|store| store.len()), Some(1));
        assert!(l.pins.is_none());
        // The user's own value wins, and its error names the user's file.
        let user = write(
            dir.path(),
            "user.toml",
            "\npublic_roots = \"/nonexistent/roots.pem\"\n",
        );
        let err = load(Some(&system), &user, &builtin())
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(&format!(
                "{}:2:16: public_roots: /nonexistent/roots.pem: cannot read:",
                user.display()
            )),
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

    /// Every documented key (the manual's [`config::KEYS`], which a config
    /// test keeps equal to the keys the parser accepts) survives the merge
    /// from either file: set in one file alone, it makes the config that
    /// file makes on its own, which is not the default.
    #[test]
    fn every_config_key_is_merged() {
        let dir = tempfile::tempdir().unwrap();
        let none = dir.path().join("none.toml");
        let k = builtin();
        for key in config::KEYS {
            let text = key.example_line();
            let file = write(dir.path(), "layer.toml", &text);
            let alone = config::parse(
                TomlSource {
                    path: &file.display().to_string(),
                    text: &text,
                },
                &k,
            )
            .unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_ne!(alone, AgentConfig::default(), "{text}");
            for (system, user) in [(&file, &none), (&none, &file)] {
                let mut merged = load(Some(system), user, &k).unwrap().config;
                merged.path = None;
                assert_eq!(merged, alone, "{text}");
            }
        }
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
