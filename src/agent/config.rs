//! The agent's configuration: a TOML file in the platform config directory
//! (`~/.config/pinwatch/config.toml` on Linux). Every key is optional and
//! the defaults work without a file; a bad file is an error naming the
//! file, line, column and key, and the agent does not start half-configured.
//! Each file is parsed once into a [`Layer`] (every key optional), each
//! value checked where its place in the file is known: targets,
//! `connect_to` rules, the proxy and portal-check URLs are parsed. What
//! needs more than the file is checked once, on the merged layers
//! (`agent::layers`), with the place it was written: `pins` is loaded and
//! the services checked against it, `public_roots` is loaded; both are
//! handed on, not loaded again.
//!
//! [`KEYS`] documents every key (type, default, example, meaning): the
//! `pinwatch-config(5)` manual page is generated from it, and a test keeps
//! it and the parser in step.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use thiserror::Error;
use toml::Spanned;

use crate::analysis::TrustStore;
use crate::i18n::Lang;
use crate::knowledge::{self, Knowledge, Loaded};
use crate::probe::portal::PortalCheck;
use crate::probe::proxy::Proxy;
use crate::target::{ConnectTo, Target};
use crate::tomlfile::{TomlError, TomlSource};
use crate::util::{CONFIG_FILE, ReadError, read_capped_string};

/// A configuration that cannot be used.
#[derive(Debug, Error)]
pub enum ConfigFileError {
    /// The file exists but cannot be read (or is not a regular file, or
    /// is larger than [`CONFIG_FILE`]).
    #[error(transparent)]
    Read(#[from] ReadError),
    /// Syntax, unknown key, or bad value.
    #[error(transparent)]
    Invalid(#[from] TomlError),
}

/// One key of the config file, as its manual page documents it.
#[derive(Clone, Copy, Debug)]
pub struct KeyDoc {
    /// The key.
    pub name: &'static str,
    /// Its TOML type, in words.
    pub kind: &'static str,
    /// What applies when no file sets it.
    pub default: &'static str,
    /// A valid value, as TOML (a test parses every one).
    pub example: &'static str,
    /// What it does.
    pub description: &'static str,
}

/// Every key the config file accepts, in the order the manual lists them.
pub const KEYS: &[KeyDoc] = &[
    KeyDoc {
        name: "enabled",
        kind: "boolean",
        default: "true",
        example: "false",
        description: "false turns the agent off: pinwatch agent exits 0 at once, naming the file that said so. In the system-wide file it turns the agent off for every user who does not set it back to true.",
    },
    KeyDoc {
        name: "language",
        kind: "string: \"en\" or \"zh\"",
        default: "the locale (LANGUAGE, LC_ALL, LC_MESSAGES, LANG)",
        example: "\"zh\"",
        description: "Language of notifications, the tray and the details page.",
    },
    KeyDoc {
        name: "services",
        kind: "array of strings",
        default: "every built-in service",
        example: "[\"wechat\", \"qq\", \"chatgpt\"]",
        description: "Services to watch, by name (pinwatch pins list shows them).",
    },
    KeyDoc {
        name: "targets",
        kind: "array of strings",
        default: "none",
        example: "[\"chat.example.com\", \"chat.example.com:8443\"]",
        description: "Extra hosts to watch: HOST, HOST:PORT or https:// URLs.",
    },
    KeyDoc {
        name: "interval_minutes",
        kind: "number, 1 to 1440",
        default: "15",
        example: "30",
        description: "Minutes between scheduled checks; the agent also checks when the network changes.",
    },
    KeyDoc {
        name: "debounce_seconds",
        kind: "number, 0 to 600",
        default: "3",
        example: "5",
        description: "Seconds to wait after a network change before checking.",
    },
    KeyDoc {
        name: "timeout_seconds",
        kind: "number, 0.5 to 120",
        default: "10",
        example: "5",
        description: "Time allowed per host, covering name resolution, connecting, the proxy and the handshake.",
    },
    KeyDoc {
        name: "notifications",
        kind: "boolean",
        default: "true",
        example: "false",
        description: "Show desktop notifications.",
    },
    KeyDoc {
        name: "tray",
        kind: "boolean",
        default: "true",
        example: "false",
        description: "Show the tray icon.",
    },
    KeyDoc {
        name: "proxy",
        kind: "string: http://HOST[:PORT] or HOST:PORT",
        default: "HTTPS_PROXY, https_proxy, ALL_PROXY (NO_PROXY honoured)",
        example: "\"http://proxy.example.com:3128\"",
        description: "HTTP CONNECT proxy to reach the services through.",
    },
    KeyDoc {
        name: "connect_to",
        kind: "array of strings: HOST:PORT:ADDR:PORT",
        default: "none",
        example: "[\"chat.example.com:443:192.0.2.10:443\"]",
        description: "Connect to ADDR:PORT instead of HOST:PORT, keeping the name HOST for SNI and the certificate check (as curl's --connect-to).",
    },
    KeyDoc {
        name: "portal_checks",
        kind: "array of strings: http:// URLs",
        default: "the built-in connectivity-check URLs",
        example: "[\"http://connectivity-check.example.com/generate_204\"]",
        description: "Captive-portal detection URLs, each expected to answer 204; run only after a certificate for the wrong name.",
    },
    KeyDoc {
        name: "portal_check",
        kind: "boolean",
        default: "true",
        example: "false",
        description: "Run captive-portal detection at all.",
    },
    KeyDoc {
        name: "public_roots",
        kind: "string: a path",
        default: "the built-in public store (Mozilla's, from webpki-roots)",
        example: "\"/etc/pinwatch/public-roots.pem\"",
        description: "A PEM file of roots that replaces the public store (private deployments).",
    },
    KeyDoc {
        name: "pins",
        kind: "string: a path",
        default: "the built-in pins, with the user's services",
        example: "\"/etc/pinwatch/pins\"",
        description: "A pins directory that replaces the built-in pins.",
    },
    KeyDoc {
        name: "sanctioned",
        kind: "array of tables, each with key and note (strings)",
        default: "none",
        example: "[{ key = \"wpfE+qsgNO1KnPfFvUXJ6g1a8TSOI3j9QYK/Bs4CW/s=\", note = \"Head office TLS inspection gateway\" }]",
        description: "Interceptors this organisation runs on purpose: each key is the SPKI SHA-256 of the interceptor's CA key (base64 as pinwatch roots shows it, sha256/BASE64, or hex), each note says whose it is. A chain forged by a listed key is still reported as intercepted, marked sanctioned with the note, but raises no alert; any other interceptor still does.",
    },
    KeyDoc {
        name: "journal_max_kib",
        kind: "number, 64 to 1048576",
        default: "4096",
        example: "1024",
        description: "The journal's size limit in KiB: past it, checks older than the newest half are compacted into one record a day; every alert is kept.",
    },
    KeyDoc {
        name: "update_from",
        kind: "array of strings: paths, http:// or https:// URLs",
        default: "none (no automatic knowledge updates)",
        example: "[\"https://updates.example.com/pinwatch/knowledge.bundle\", \"/media/usb/knowledge.bundle\"]",
        description: "Where signed knowledge bundles are fetched from, in order: at start, about once a day and after a network change. An https:// source is checked like any host first; a bundle arriving over an intercepted connection is not used.",
    },
    KeyDoc {
        name: "trusted_keys",
        kind: "array of strings: minisign public keys (base64)",
        default: "none (only the project's keys)",
        example: "[\"RWT7pZ5Rkh4z18jvFc8kXeHFZNsGU4mX7swKIBBLXiOUMfFgC0cvCVsS\"]",
        description: "Keys besides the project's that may sign knowledge bundles: an administrator's own, e.g. a café chain signing its own list of interceptor keys for its PCs.",
    },
];

/// The agent's settings, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct AgentConfig {
    /// Where it was read from (`None`: defaults).
    pub path: Option<PathBuf>,
    /// Whether the agent runs at all (`enabled = false`: `pinwatch agent`
    /// exits at once, saying why).
    pub enabled: bool,
    /// Language of notifications and the tray (`None`: the system locale).
    pub language: Option<Lang>,
    /// Services to watch (empty: all).
    pub services: Vec<String>,
    /// Extra hosts to watch (HOST, HOST:PORT or https:// URLs).
    pub targets: Vec<String>,
    /// Backstop schedule between checks.
    pub interval: Duration,
    /// Quiet time after a network change before checking.
    pub debounce: Duration,
    /// Per-target timeout.
    pub timeout: Duration,
    /// Show desktop notifications.
    pub notifications: bool,
    /// Show the tray icon.
    pub tray: bool,
    /// HTTP CONNECT proxy (`None`: the environment's).
    pub proxy: Option<String>,
    /// curl-style address overrides.
    pub connect_to: Vec<String>,
    /// Captive-portal check URLs (empty: the defaults).
    pub portal_checks: Vec<String>,
    /// Run captive-portal checks at all.
    pub portal_check: bool,
    /// PEM file replacing the public roots (private deployments).
    pub public_roots: Option<PathBuf>,
    /// A pins directory replacing the built-in pins.
    pub pins: Option<PathBuf>,
    /// Interceptors the administrator runs on purpose (never alerted).
    pub sanctioned: Vec<crate::analysis::Sanction>,
    /// Where knowledge bundles are fetched from (files, http:// or
    /// https:// URLs), in order; empty: no automatic updates.
    pub update_from: Vec<String>,
    /// Minisign public keys (base64) trusted to sign knowledge bundles
    /// besides the project's: an administrator's own.
    pub trusted_keys: Vec<String>,
    /// The journal's size limit in bytes: past it, old checks are compacted
    /// into one record a day (every alert is kept).
    pub journal_max_bytes: u64,
}

impl Default for AgentConfig {
    fn default() -> Self {
        AgentConfig {
            path: None,
            enabled: true,
            language: None,
            services: Vec::new(),
            targets: Vec::new(),
            interval: Duration::from_secs(15 * 60),
            debounce: Duration::from_secs(3),
            timeout: Duration::from_secs(10),
            notifications: true,
            tray: true,
            proxy: None,
            connect_to: Vec::new(),
            portal_checks: Vec::new(),
            portal_check: true,
            public_roots: None,
            pins: None,
            sanctioned: Vec::new(),
            update_from: Vec::new(),
            trusted_keys: Vec::new(),
            journal_max_bytes: crate::journal::DEFAULT_MAX_BYTES,
        }
    }
}

/// A config file as serde reads it: every key optional, with its place.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    enabled: Option<bool>,
    language: Option<Spanned<String>>,
    services: Option<Vec<Spanned<String>>>,
    targets: Option<Vec<Spanned<String>>>,
    interval_minutes: Option<Spanned<f64>>,
    debounce_seconds: Option<Spanned<f64>>,
    timeout_seconds: Option<Spanned<f64>>,
    notifications: Option<bool>,
    tray: Option<bool>,
    proxy: Option<Spanned<String>>,
    connect_to: Option<Vec<Spanned<String>>>,
    portal_checks: Option<Vec<Spanned<String>>>,
    portal_check: Option<bool>,
    public_roots: Option<Spanned<PathBuf>>,
    pins: Option<Spanned<PathBuf>>,
    sanctioned: Option<Vec<Spanned<SanctionedEntry>>>,
    update_from: Option<Vec<Spanned<String>>>,
    trusted_keys: Option<Vec<Spanned<String>>>,
    journal_max_kib: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SanctionedEntry {
    key: String,
    note: String,
}

/// Where a value was written: file, line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    /// The file, as errors name it.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

impl Place {
    fn of<T>(src: &TomlSource<'_>, value: &Spanned<T>) -> Place {
        let at = src.error(Some(value.span()), "");
        Place {
            file: at.path,
            line: at.line,
            column: at.column,
        }
    }

    /// An error at this place.
    pub fn error(&self, message: String) -> TomlError {
        TomlError {
            path: self.file.clone(),
            line: self.line,
            column: self.column,
            message,
        }
    }
}

/// A value with the place it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Placed<T> {
    /// The value.
    pub value: T,
    /// Where.
    pub place: Place,
}

impl<T: Clone> Placed<T> {
    fn of(src: &TomlSource<'_>, v: &Spanned<T>) -> Placed<T> {
        Placed {
            value: v.get_ref().clone(),
            place: Place::of(src, v),
        }
    }
}

/// One config file as written: the keys it sets, each value already
/// checked on its own (types, ranges, syntax) where its place is known.
/// What needs more than the file (the pins directory, the services named
/// in it, the public roots) keeps its place, and is checked once, on the
/// merged layers ([`Layer::load_pins`], [`Layer::settle`]). A key a file
/// does not set is `None`: the layer under it, or the default, applies.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layer {
    /// `enabled`.
    pub enabled: Option<bool>,
    /// `language`.
    pub language: Option<Lang>,
    /// `services`, checked against the pins once the layers are merged.
    pub services: Option<Vec<Placed<String>>>,
    /// `targets`.
    pub targets: Option<Vec<String>>,
    /// `interval_minutes`.
    pub interval: Option<Duration>,
    /// `debounce_seconds`.
    pub debounce: Option<Duration>,
    /// `timeout_seconds`.
    pub timeout: Option<Duration>,
    /// `notifications`.
    pub notifications: Option<bool>,
    /// `tray`.
    pub tray: Option<bool>,
    /// `proxy`.
    pub proxy: Option<String>,
    /// `connect_to`.
    pub connect_to: Option<Vec<String>>,
    /// `portal_checks`.
    pub portal_checks: Option<Vec<String>>,
    /// `portal_check`.
    pub portal_check: Option<bool>,
    /// `public_roots`, loaded once the layers are merged.
    pub public_roots: Option<Placed<PathBuf>>,
    /// `pins`, loaded once the layers are merged.
    pub pins: Option<Placed<PathBuf>>,
    /// `sanctioned`.
    pub sanctioned: Option<Vec<crate::analysis::Sanction>>,
    /// `update_from`.
    pub update_from: Option<Vec<String>>,
    /// `trusted_keys`.
    pub trusted_keys: Option<Vec<String>>,
    /// `journal_max_kib`, in bytes.
    pub journal_max_bytes: Option<u64>,
}

/// The config file's default location.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "pinwatch").map(|d| d.config_dir().join("config.toml"))
}

/// Reads `path`; a missing file gives the defaults. `knowledge` is used to
/// check service names when the file names no pins directory.
pub fn load(path: &Path, knowledge: &Knowledge) -> Result<AgentConfig, ConfigFileError> {
    let text = match read_capped_string(path, CONFIG_FILE) {
        Ok(text) => text,
        Err(e) if e.is_not_found() => return Ok(AgentConfig::default()),
        Err(e) => return Err(e.into()),
    };
    let shown = path.display().to_string();
    parse(
        TomlSource {
            path: &shown,
            text: &text,
        },
        knowledge,
    )
    .map(|mut c| {
        c.path = Some(path.to_path_buf());
        c
    })
}

/// Parses and validates a config file's text on its own: the layer it
/// makes, settled against its pins directory, else `knowledge`.
pub fn parse(src: TomlSource<'_>, knowledge: &Knowledge) -> Result<AgentConfig, ConfigFileError> {
    let layer = Layer::parse(src)?;
    let pins = layer.load_pins()?;
    let knowledge = pins.as_ref().map_or(knowledge, |p| &p.knowledge);
    Ok(layer.settle(knowledge)?.0)
}

impl Layer {
    /// Parses one file's text, checking each value on its own: ranges,
    /// the language, targets, `connect_to` rules, the proxy, portal-check
    /// and update URLs, sanctioned keys and trusted keys. An error names
    /// the file, line, column and key.
    pub fn parse(src: TomlSource<'_>) -> Result<Layer, TomlError> {
        let f: File = src.parse()?;
        let number = |v: &Option<Spanned<f64>>, key: &str, min: f64, max: f64| match v {
            None => Ok(None),
            Some(v) if (min..=max).contains(v.get_ref()) => Ok(Some(*v.get_ref())),
            Some(v) => Err(src.error(
                Some(v.span()),
                format!("{key}: {} is out of range ({min} to {max})", v.get_ref()),
            )),
        };
        let seconds = |v, key, scale: f64, min, max| {
            number(v, key, min, max).map(|n| n.map(|n| Duration::from_secs_f64(n * scale)))
        };
        let each = |values: &Option<Vec<Spanned<String>>>,
                    key: &str,
                    check: &dyn Fn(&str) -> Result<(), String>|
         -> Result<Option<Vec<String>>, TomlError> {
            values
                .as_ref()
                .map(|values| {
                    values
                        .iter()
                        .map(|v| {
                            check(v.get_ref())
                                .map(|()| v.get_ref().clone())
                                .map_err(|why| src.error(Some(v.span()), format!("{key}: {why}")))
                        })
                        .collect()
                })
                .transpose()
        };
        let language = match &f.language {
            None => None,
            Some(v) => Some(Lang::from_tag(v.get_ref()).ok_or_else(|| {
                src.error(
                    Some(v.span()),
                    format!(
                        "language: `{}` is not supported (use \"en\" or \"zh\")",
                        v.get_ref()
                    ),
                )
            })?),
        };
        let targets = each(&f.targets, "targets", &|t| {
            t.parse::<Target>()
                .map(drop)
                .map_err(|e| format!("`{t}`: {e}"))
        })?;
        let connect_to = each(&f.connect_to, "connect_to", &|c| {
            c.parse::<ConnectTo>()
                .map(drop)
                .map_err(|e| format!("`{c}`: {e}"))
        })?;
        let portal_checks = each(&f.portal_checks, "portal_checks", &|u| {
            PortalCheck::parse(u).map(drop)
        })?;
        let proxy = match &f.proxy {
            None => None,
            Some(p) => {
                p.get_ref()
                    .parse::<Proxy>()
                    .map_err(|e| src.error(Some(p.span()), format!("proxy: {e}")))?;
                Some(p.get_ref().clone())
            }
        };
        let sanctioned = f
            .sanctioned
            .as_ref()
            .map(|entries| {
                entries
                    .iter()
                    .map(|entry| {
                        let e = entry.get_ref();
                        crate::analysis::Sanction::new(&e.key, &e.note).map_err(|why| {
                            src.error(Some(entry.span()), format!("sanctioned: {why}"))
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?;
        let update_from = each(&f.update_from, "update_from", &|u| {
            crate::update::Source::parse(u).map(drop)
        })?;
        let trusted_keys = each(&f.trusted_keys, "trusted_keys", &|k| {
            crate::knowledge::keys::Keys::none()
                .add(k, crate::knowledge::keys::Role::Admin)
                .map(drop)
        })?;
        let journal_max_bytes = number(&f.journal_max_kib, "journal_max_kib", 64.0, 1_048_576.0)?
            .map(|kib| (kib * 1024.0) as u64);
        Ok(Layer {
            enabled: f.enabled,
            language,
            services: f
                .services
                .as_ref()
                .map(|names| names.iter().map(|n| Placed::of(&src, n)).collect()),
            targets,
            interval: seconds(
                &f.interval_minutes,
                "interval_minutes",
                60.0,
                1.0,
                24.0 * 60.0,
            )?,
            debounce: seconds(&f.debounce_seconds, "debounce_seconds", 1.0, 0.0, 600.0)?,
            timeout: seconds(&f.timeout_seconds, "timeout_seconds", 1.0, 0.5, 120.0)?,
            notifications: f.notifications,
            tray: f.tray,
            proxy,
            connect_to,
            portal_checks,
            portal_check: f.portal_check,
            public_roots: f.public_roots.as_ref().map(|p| Placed::of(&src, p)),
            pins: f.pins.as_ref().map(|p| Placed::of(&src, p)),
            sanctioned,
            update_from,
            trusted_keys,
            journal_max_bytes,
        })
    }

    /// This layer over `lower`: each key this layer sets replaces the same
    /// key of `lower`; the keys it does not set keep `lower`'s.
    pub fn over(self, lower: Layer) -> Layer {
        // Every field by name: a key added to the layer and forgotten here
        // does not compile.
        let Layer {
            enabled,
            language,
            services,
            targets,
            interval,
            debounce,
            timeout,
            notifications,
            tray,
            proxy,
            connect_to,
            portal_checks,
            portal_check,
            public_roots,
            pins,
            sanctioned,
            update_from,
            trusted_keys,
            journal_max_bytes,
        } = self;
        Layer {
            enabled: enabled.or(lower.enabled),
            language: language.or(lower.language),
            services: services.or(lower.services),
            targets: targets.or(lower.targets),
            interval: interval.or(lower.interval),
            debounce: debounce.or(lower.debounce),
            timeout: timeout.or(lower.timeout),
            notifications: notifications.or(lower.notifications),
            tray: tray.or(lower.tray),
            proxy: proxy.or(lower.proxy),
            connect_to: connect_to.or(lower.connect_to),
            portal_checks: portal_checks.or(lower.portal_checks),
            portal_check: portal_check.or(lower.portal_check),
            public_roots: public_roots.or(lower.public_roots),
            pins: pins.or(lower.pins),
            sanctioned: sanctioned.or(lower.sanctioned),
            update_from: update_from.or(lower.update_from),
            trusted_keys: trusted_keys.or(lower.trusted_keys),
            journal_max_bytes: journal_max_bytes.or(lower.journal_max_bytes),
        }
    }

    /// The pins directory the layer names, loaded (once: it is handed on
    /// to judge with); an error names the place of `pins`.
    pub fn load_pins(&self) -> Result<Option<Loaded>, TomlError> {
        self.pins
            .as_ref()
            .map(|dir| {
                knowledge::load(Some(&dir.value)).map_err(|e| dir.place.error(format!("pins: {e}")))
            })
            .transpose()
    }

    /// The settings the layer makes, with the defaults for what it does not
    /// set: its services checked against `knowledge` (the pins it judges
    /// with) and its public roots loaded (once: the store is handed on).
    /// An error names the place of the value.
    pub fn settle(
        self,
        knowledge: &Knowledge,
    ) -> Result<(AgentConfig, Option<TrustStore>), TomlError> {
        let d = AgentConfig::default();
        let mut services = Vec::new();
        for name in self.services.iter().flatten() {
            if knowledge.service(&name.value).is_none() {
                let known: Vec<&str> = knowledge.services.iter().map(|s| s.name.as_str()).collect();
                return Err(name.place.error(format!(
                    "services: unknown service `{}` (known: {})",
                    name.value,
                    known.join(", ")
                )));
            }
            services.push(name.value.clone());
        }
        let public = self
            .public_roots
            .as_ref()
            .map(|roots| {
                crate::check::load_public_roots(Some(&roots.value))
                    .map_err(|e| roots.place.error(format!("public_roots: {e}")))
            })
            .transpose()?;
        let config = AgentConfig {
            path: None,
            enabled: self.enabled.unwrap_or(d.enabled),
            language: self.language,
            services,
            targets: self.targets.unwrap_or_default(),
            interval: self.interval.unwrap_or(d.interval),
            debounce: self.debounce.unwrap_or(d.debounce),
            timeout: self.timeout.unwrap_or(d.timeout),
            notifications: self.notifications.unwrap_or(d.notifications),
            tray: self.tray.unwrap_or(d.tray),
            proxy: self.proxy,
            connect_to: self.connect_to.unwrap_or_default(),
            portal_checks: self.portal_checks.unwrap_or_default(),
            portal_check: self.portal_check.unwrap_or(d.portal_check),
            public_roots: self.public_roots.map(|p| p.value),
            pins: self.pins.map(|p| p.value),
            sanctioned: self.sanctioned.unwrap_or_default(),
            update_from: self.update_from.unwrap_or_default(),
            trusted_keys: self.trusted_keys.unwrap_or_default(),
            journal_max_bytes: self.journal_max_bytes.unwrap_or(d.journal_max_bytes),
        };
        Ok((config, public))
    }
}

#[cfg(test)]
impl KeyDoc {
    /// The key set to its example, as a line of a config file, with the
    /// example paths of an installed system replaced by files of this
    /// repository.
    pub(crate) fn example_line(&self) -> String {
        let example = self
            .example
            .replace(
                "/etc/pinwatch/pins",
                concat!(env!("CARGO_MANIFEST_DIR"), "/pins"),
            )
            .replace(
                "/etc/pinwatch/public-roots.pem",
                concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/tests/data/roots/ISRG_Root_X1.pem"
                ),
            );
        format!("{} = {example}\n", self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<AgentConfig, ConfigFileError> {
        let k = crate::knowledge::load_embedded().unwrap();
        parse(
            TomlSource {
                path: "config.toml",
                text,
            },
            &k,
        )
    }

    #[test]
    fn defaults_without_a_file_and_values_with_one() {
        assert_eq!(parse_str("").unwrap(), AgentConfig::default());
        let c = parse_str("language = \"zh_CN\"\nservices = [\"wechat\"]\ninterval_minutes = 5\nnotifications = false\n").unwrap();
        assert_eq!(c.language, Some(Lang::Zh));
        assert_eq!(c.services, ["wechat"]);
        assert_eq!(c.interval, Duration::from_secs(300));
        assert!(!c.notifications);
    }

    #[test]
    fn bad_values_name_file_line_and_key() {
        let err = parse_str("services = [\"wechat\", \"icq\"]\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("config.toml:1:23: services: unknown service `icq`"),
            "{err}"
        );
        let err = parse_str("\ninterval_minutes = 0\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("config.toml:2:20: interval_minutes: 0 is out of range"),
            "{err}"
        );
        let err = parse_str("intervl_minutes = 5\n").unwrap_err().to_string();
        assert!(
            err.starts_with("config.toml:1:1: unknown field `intervl_minutes`"),
            "{err}"
        );
        let err = parse_str("language = \"fr\"\n").unwrap_err().to_string();
        assert!(err.contains("language: `fr` is not supported"), "{err}");
        let err = parse_str("tray = \"yes\"\n").unwrap_err().to_string();
        assert!(err.starts_with("config.toml:1:8:"), "{err}");
    }

    /// [`KEYS`] (what the manual page says) and the parser agree: every
    /// field the parser accepts is documented (the list comes from its own
    /// "expected one of" message), and every documented example parses.
    #[test]
    fn the_documented_keys_are_the_parsed_keys() {
        let err = parse_str("no_such_key = 1\n").unwrap_err().to_string();
        let mut accepted: Vec<&str> = err.split('`').skip(3).step_by(2).collect();
        let mut documented: Vec<&str> = KEYS.iter().map(|k| k.name).collect();
        accepted.sort_unstable();
        documented.sort_unstable();
        assert_eq!(accepted, documented, "{err}");
        for key in KEYS {
            let text = key.example_line();
            parse_str(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
        }
    }

    #[test]
    fn sanctioned_interceptors_with_their_notes() {
        let c = parse_str(
            "[[sanctioned]]\nkey = \"sha256/wpfE+qsgNO1KnPfFvUXJ6g1a8TSOI3j9QYK/Bs4CW/s=\"\nnote = \"Office gateway\"\n",
        )
        .unwrap();
        assert_eq!(
            c.sanctioned,
            [crate::analysis::Sanction {
                key: "wpfE+qsgNO1KnPfFvUXJ6g1a8TSOI3j9QYK/Bs4CW/s=".into(),
                note: "Office gateway".into()
            }]
        );
        let err = parse_str("\n[[sanctioned]]\nkey = \"nope\"\nnote = \"x\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("config.toml:2:1: sanctioned: `nope` is not a key's SPKI SHA-256"),
            "{err}"
        );
        let err = parse_str(
            "sanctioned = [{ key = \"wpfE+qsgNO1KnPfFvUXJ6g1a8TSOI3j9QYK/Bs4CW/s=\" }]\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("missing field `note`"), "{err}");
    }

    #[test]
    fn values_checked_after_parsing_keep_their_place_and_key() {
        let err = |text: &str| parse_str(text).unwrap_err().to_string();
        assert_eq!(
            err("proxy = \"garbage\"\n"),
            "config.toml:1:9: proxy: `garbage` is not a proxy URL (expected http://HOST[:PORT] or HOST:PORT)"
        );
        assert_eq!(
            err("\ntargets = [\"ok.example\", \"qq.com:99999\"]\n"),
            "config.toml:2:26: targets: `qq.com:99999`: invalid port `99999` (expected 1-65535)"
        );
        assert_eq!(
            err("connect_to = [\"nonsense\"]\n"),
            "config.toml:1:15: connect_to: `nonsense`: `nonsense` is not a HOST:PORT:ADDR:PORT rule"
        );
        assert!(
            err("portal_checks = [\"https://x/\"]\n")
                .starts_with("config.toml:1:18: portal_checks: portal check URL `https://x/` must start with http://"),
            "{}",
            err("portal_checks = [\"https://x/\"]\n")
        );
        assert!(
            err("public_roots = \"/nonexistent/roots.pem\"\n").starts_with(
                "config.toml:1:16: public_roots: /nonexistent/roots.pem: cannot read:"
            ),
            "{}",
            err("public_roots = \"/nonexistent/roots.pem\"\n")
        );
        assert!(
            err("pins = \"/nonexistent/pins\"\n")
                .starts_with("config.toml:1:8: pins: /nonexistent/pins"),
            "{}",
            err("pins = \"/nonexistent/pins\"\n")
        );
        for text in [
            "proxy = \"garbage\"",
            "targets = [\"a:0\"]",
            "connect_to = [\"x\"]",
        ] {
            let e = err(text);
            assert!(!e.contains("--"), "no CLI flag in a config error: {e}");
        }
        assert_eq!(
            err("update_from = [\"ftp://mirror/x.bundle\"]\n"),
            "config.toml:1:16: update_from: `ftp://mirror/x.bundle`: only files, http:// and https:// URLs can be fetched"
        );
        assert_eq!(
            err("trusted_keys = [\"RWQ nope\"]\n"),
            "config.toml:1:17: trusted_keys: `RWQ nope` is not a minisign public key"
        );
        let ok = parse_str("proxy = \"http://127.0.0.1:3128\"\ntargets = [\"chat.example:8443\"]\nconnect_to = [\"chat.example:8443:127.0.0.1:9\"]\n").unwrap();
        assert_eq!(ok.proxy.as_deref(), Some("http://127.0.0.1:3128"));
    }
}
