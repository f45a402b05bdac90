//! The agent's configuration: a TOML file in the platform config directory
//! (`~/.config/pinwatch/config.toml` on Linux). Every key is optional and
//! the defaults work without a file; a bad file is an error naming the
//! file, line, column and key, and the agent does not start half-configured.
//! Every value is checked here, where its place in the file is known:
//! targets, `connect_to` rules, the proxy and portal-check URLs are parsed,
//! `public_roots` is loaded and `pins` is read (and the services checked
//! against it).
//!
//! [`KEYS`] documents every key (type, default, example, meaning): the
//! `pinwatch-config(5)` manual page is generated from it, and a test keeps
//! it and the parser in step.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use thiserror::Error;
use toml::Spanned;

use crate::i18n::Lang;
use crate::knowledge::{self, Knowledge};
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

/// The config file's default location.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "pinwatch").map(|d| d.config_dir().join("config.toml"))
}

/// Reads `path`; a missing file gives the defaults. `knowledge` is used to
/// check service names.
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

/// Parses and validates a config file's text.
pub fn parse(src: TomlSource<'_>, knowledge: &Knowledge) -> Result<AgentConfig, ConfigFileError> {
    let f: File = src.parse()?;
    let d = AgentConfig::default();
    let seconds =
        |v: &Option<Spanned<f64>>, key: &str, scale: f64, min: f64, max: f64, default: Duration| {
            match v {
                None => Ok(default),
                Some(v) if (min..=max).contains(v.get_ref()) => {
                    Ok(Duration::from_secs_f64(v.get_ref() * scale))
                }
                Some(v) => Err(src.error(
                    Some(v.span()),
                    format!("{key}: {} is out of range ({min} to {max})", v.get_ref()),
                )),
            }
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
    // The pins first: the services are checked against them.
    let pins_knowledge = match &f.pins {
        None => None,
        Some(dir) => Some(
            knowledge::load_dir(dir.get_ref())
                .map_err(|e| src.error(Some(dir.span()), format!("pins: {e}")))?,
        ),
    };
    let knowledge = pins_knowledge.as_ref().unwrap_or(knowledge);
    let mut services = Vec::new();
    for name in f.services.iter().flatten() {
        if knowledge.service(name.get_ref()).is_none() {
            let known: Vec<&str> = knowledge.services.iter().map(|s| s.name.as_str()).collect();
            return Err(src
                .error(
                    Some(name.span()),
                    format!(
                        "services: unknown service `{}` (known: {})",
                        name.get_ref(),
                        known.join(", ")
                    ),
                )
                .into());
        }
        services.push(name.get_ref().clone());
    }
    let each = |values: &Option<Vec<Spanned<String>>>,
                key: &str,
                check: &dyn Fn(&str) -> Result<(), String>|
     -> Result<Vec<String>, TomlError> {
        values
            .iter()
            .flatten()
            .map(|v| {
                check(v.get_ref())
                    .map(|()| v.get_ref().clone())
                    .map_err(|why| src.error(Some(v.span()), format!("{key}: {why}")))
            })
            .collect()
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
        .iter()
        .flatten()
        .map(|entry| {
            let e = entry.get_ref();
            crate::analysis::Sanction::new(&e.key, &e.note)
                .map_err(|why| src.error(Some(entry.span()), format!("sanctioned: {why}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let update_from = each(&f.update_from, "update_from", &|u| {
        crate::update::Source::parse(u).map(drop)
    })?;
    let trusted_keys = each(&f.trusted_keys, "trusted_keys", &|k| {
        crate::knowledge::keys::Keys::none()
            .add(k, crate::knowledge::keys::Role::Admin)
            .map(drop)
    })?;
    if let Some(roots) = &f.public_roots {
        crate::check::load_public_roots(Some(roots.get_ref()))
            .map_err(|e| src.error(Some(roots.span()), format!("public_roots: {e}")))?;
    }
    let journal_max_bytes = match &f.journal_max_kib {
        None => d.journal_max_bytes,
        Some(v) if (64.0..=1_048_576.0).contains(v.get_ref()) => (v.get_ref() * 1024.0) as u64,
        Some(v) => {
            return Err(src
                .error(
                    Some(v.span()),
                    format!(
                        "journal_max_kib: {} is out of range (64 to 1048576)",
                        v.get_ref()
                    ),
                )
                .into());
        }
    };
    Ok(AgentConfig {
        path: None,
        enabled: f.enabled.unwrap_or(d.enabled),
        language,
        services,
        targets,
        interval: seconds(
            &f.interval_minutes,
            "interval_minutes",
            60.0,
            1.0,
            24.0 * 60.0,
            d.interval,
        )?,
        debounce: seconds(
            &f.debounce_seconds,
            "debounce_seconds",
            1.0,
            0.0,
            600.0,
            d.debounce,
        )?,
        timeout: seconds(
            &f.timeout_seconds,
            "timeout_seconds",
            1.0,
            0.5,
            120.0,
            d.timeout,
        )?,
        notifications: f.notifications.unwrap_or(d.notifications),
        tray: f.tray.unwrap_or(d.tray),
        proxy,
        connect_to,
        portal_checks,
        portal_check: f.portal_check.unwrap_or(d.portal_check),
        public_roots: f.public_roots.map(Spanned::into_inner),
        pins: f.pins.map(Spanned::into_inner),
        sanctioned,
        update_from,
        trusted_keys,
        journal_max_bytes,
    })
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
            let example = key
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
            let text = format!("{} = {example}\n", key.name);
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
