//! What the manual pages say beyond the clap definitions: the EXIT STATUS,
//! ENVIRONMENT, FILES and EXAMPLES sections of every page, and the
//! `pinwatch-config(5)` page, whose keys come from
//! [`crate::agent::config::KEYS`], the table the config parser is tested
//! against. [`super::generate`] renders them; this module only holds the
//! words.

/// An environment variable pinwatch reads, and what for.
pub struct Variable {
    /// Its name (several spellings: `HTTPS_PROXY, https_proxy`).
    pub name: &'static str,
    /// What it does.
    pub what: &'static str,
}

/// Every environment variable pinwatch reads.
pub const ENVIRONMENT: &[Variable] = &[
    Variable {
        name: "SSL_CERT_FILE, SSL_CERT_DIR",
        what: "This machine's trust store, as OpenSSL reads it: a bundle file and a directory of certificates. Unset, the locations openssl-probe finds (on Debian /etc/ssl/certs/ca-certificates.crt and /etc/ssl/certs). A chain that validates only against this store means this machine trusts the interceptor's root.",
    },
    Variable {
        name: "HTTPS_PROXY, https_proxy, ALL_PROXY, all_proxy",
        what: "The HTTP CONNECT proxy to reach the services through (http://HOST[:PORT] or HOST:PORT), when --proxy is not given; --no-proxy ignores them.",
    },
    Variable {
        name: "NO_PROXY, no_proxy",
        what: "Hosts reached directly despite the proxy: names separated by commas or spaces, each matching itself and its subdomains (a leading . or *. is allowed), optionally with :PORT; * matches every host.",
    },
    Variable {
        name: "NO_COLOR",
        what: "Set and not empty: no colour in text output with --color auto (the default), as https://no-color.org asks. --color always still colours.",
    },
    Variable {
        name: "LANGUAGE, LC_ALL, LC_MESSAGES, LANG",
        what: "The language of text output, notifications and the tray, in this order of precedence: Chinese for zh*, else English. --lang en|zh and the agent's language key win over them. Nagios, Prometheus and JSON output are never localized.",
    },
    Variable {
        name: "PINWATCH_EXIT_CODES",
        what: "nagios (the default): every error that stops a run (usage, config, pins, store, I/O) exits 3, which Nagios reads as UNKNOWN. sysexits: such errors exit with their own code instead (64 usage, 65 pins, 66 trust store or CT log list, 74 I/O, 78 config), so that a systemd unit that counts the verdicts 0 to 3 as success still fails when nothing could be checked; the shipped units set it.",
    },
    Variable {
        name: "PINWATCH_SYSTEM_CONFIG",
        what: "The system-wide config file the agent reads under the user's (default /etc/pinwatch/config.toml; on Windows %ProgramData%\\pinwatch\\config.toml); empty: none.",
    },
    Variable {
        name: "PINWATCH_SYSTEM_STATE",
        what: "The system-wide state directory whose knowledge/ holds the knowledge bundles pinwatch pins update --system installs (default /var/lib/pinwatch); empty: none.",
    },
    Variable {
        name: "XDG_CONFIG_HOME",
        what: "Where the user's config.toml and services/ directory are: $XDG_CONFIG_HOME/pinwatch (default ~/.config/pinwatch).",
    },
    Variable {
        name: "XDG_STATE_HOME",
        what: "Where the agent's journal, lock and details page are: $XDG_STATE_HOME/pinwatch (default ~/.local/state/pinwatch).",
    },
    Variable {
        name: "HOME",
        what: "The user's home: the defaults above, Firefox profiles (~/.mozilla/firefox) and Chromium's NSS database (~/.pki/nssdb) for pinwatch roots.",
    },
];

/// A file pinwatch reads or writes, and what it is.
pub struct File {
    /// Its path.
    pub path: &'static str,
    /// What it is.
    pub what: &'static str,
}

/// Every file pinwatch reads or writes by default.
pub const FILES: &[File] = &[
    File {
        path: "/etc/pinwatch/config.toml",
        what: "System-wide defaults for the agent, set by the administrator (pinwatch-config(5)); on Windows %ProgramData%\\pinwatch\\config.toml (C:\\ProgramData\\pinwatch\\config.toml), for every user of the PC. Every key is optional; a key set in the user's file overrides it. enabled = false turns the agent off.",
    },
    File {
        path: "~/.config/pinwatch/config.toml",
        what: "The user's agent configuration ($XDG_CONFIG_HOME/pinwatch/config.toml, pinwatch-config(5)), read over the system-wide file. enabled = false turns the agent off for this user.",
    },
    File {
        path: "~/.config/pinwatch/services/",
        what: "The user's own services, one NAME.toml each, added to the built-in pins (a file with a built-in service's name replaces it).",
    },
    File {
        path: "~/.local/state/pinwatch/journal.jsonl",
        what: "The agent's history of checks and alerts ($XDG_STATE_HOME/pinwatch/), read by pinwatch status and pinwatch history; agent.lock beside it keeps a second agent from starting, report.html is the details page.",
    },
    File {
        path: "~/.local/state/pinwatch/knowledge/",
        what: "Knowledge bundles pinwatch pins update installed for this user, with the highest sequence accepted per signing key (a replayed older bundle is refused).",
    },
    File {
        path: "/var/lib/pinwatch/knowledge/",
        what: "Knowledge bundles installed for every user (pinwatch pins update --system, pinwatch-update.timer).",
    },
    File {
        path: "/var/lib/prometheus/node-exporter/pinwatch.prom",
        what: "The metrics pinwatch-metrics.service writes with --prometheus-file, for node_exporter's textfile collector.",
    },
    File {
        path: "/var/lib/pinwatch/check.json",
        what: "The last check of pinwatch-check.service (schema pinwatch.check/2).",
    },
];

/// What one page says in its extra sections.
pub struct Page {
    /// The page (`pinwatch-check`).
    pub name: &'static str,
    /// EXIT STATUS: (code, meaning).
    pub exit: &'static [(&'static str, &'static str)],
    /// ENVIRONMENT: names from [`ENVIRONMENT`] (their first word).
    pub environment: &'static [&'static str],
    /// FILES: paths from [`FILES`].
    pub files: &'static [&'static str],
    /// EXAMPLES: (what it does, the command).
    pub examples: &'static [(&'static str, &'static str)],
}

/// An error that stops a run, as every page's EXIT STATUS says it.
const ERROR: (&str, &str) = (
    "3 (or 64, 65, 66, 74, 78)",
    "The command could not run: a usage error, a bad config file, bad pins, an unusable trust store or an I/O error; 3 is UNKNOWN to Nagios. With PINWATCH_EXIT_CODES=sysexits: 64 usage, 78 config, 65 pins, 66 trust store, 74 I/O. Under --format json the error is also a JSON document on stdout.",
);

const LANGUAGE: &str = "LANGUAGE";
const COLOR: &str = "NO_COLOR";
const EXIT_CODES: &str = "PINWATCH_EXIT_CODES";
const STORE: &str = "SSL_CERT_FILE";
const PROXY: &str = "HTTPS_PROXY";
const NO_PROXY: &str = "NO_PROXY";
const CONFIG_HOME: &str = "XDG_CONFIG_HOME";
const STATE_HOME: &str = "XDG_STATE_HOME";
const SYSTEM_CONFIG: &str = "PINWATCH_SYSTEM_CONFIG";
const HOME: &str = "HOME";

const SYSTEM_FILE: &str = "/etc/pinwatch/config.toml";
const USER_FILE: &str = "~/.config/pinwatch/config.toml";
const SERVICES: &str = "~/.config/pinwatch/services/";
const JOURNAL: &str = "~/.local/state/pinwatch/journal.jsonl";
const METRICS: &str = "/var/lib/prometheus/node-exporter/pinwatch.prom";
const CHECK_JSON: &str = "/var/lib/pinwatch/check.json";

/// The check's exit codes (check, status, agent --once).
const VERDICTS: &[(&str, &str)] = &[
    (
        "0",
        "Every target that presented a certificate is ok (unreachable targets are listed but do not count; an interception by a sanctioned interceptor counts as ok). Nagios: OK.",
    ),
    (
        "1",
        "Some target is suspicious, none intercepted. Nagios: WARNING.",
    ),
    ("2", "Some target is intercepted. Nagios: CRITICAL."),
    (
        "3",
        "Nothing could be checked: every target was unreachable or behind a captive portal. Nagios: UNKNOWN.",
    ),
    ERROR,
];

/// Every page's extra sections.
pub const PAGES: &[Page] = &[
    Page {
        name: "pinwatch",
        exit: &[
            (
                "0, 1, 2, 3",
                "check, status and agent --once: ok, suspicious, intercepted, nothing could be checked (see pinwatch-check(1)); roots: no extra root, extra roots, an interception root, error (see pinwatch-roots(1)).",
            ),
            ERROR,
        ],
        environment: &[
            LANGUAGE,
            COLOR,
            EXIT_CODES,
            STORE,
            PROXY,
            NO_PROXY,
            SYSTEM_CONFIG,
            CONFIG_HOME,
            STATE_HOME,
            HOME,
        ],
        files: &[
            SYSTEM_FILE,
            USER_FILE,
            SERVICES,
            JOURNAL,
            METRICS,
            CHECK_JSON,
        ],
        examples: &[
            (
                "Check every built-in chat service from this machine.",
                "pinwatch check",
            ),
            (
                "What the agent saw last, and every root this machine trusts beyond Mozilla's.",
                "pinwatch status\npinwatch roots",
            ),
        ],
    },
    Page {
        name: "pinwatch-check",
        exit: VERDICTS,
        environment: &[
            STORE,
            PROXY,
            NO_PROXY,
            LANGUAGE,
            COLOR,
            EXIT_CODES,
            CONFIG_HOME,
        ],
        files: &[SERVICES, METRICS],
        examples: &[
            (
                "Check two services and a host of your own.",
                "pinwatch check --service wechat --service chatgpt chat.example.com",
            ),
            (
                "A Nagios or Icinga check command (status line, performance data, exit 0 to 3).",
                "pinwatch check --format nagios --service wechat",
            ),
            (
                "Metrics for node_exporter's textfile collector, as pinwatch-metrics.service writes them.",
                "pinwatch check --format nagios --prometheus-file /var/lib/prometheus/node-exporter/pinwatch.prom",
            ),
            (
                "A list of targets, one result per line as each finishes, for a log shipper.",
                "pinwatch check --targets /etc/pinwatch/targets.txt --format jsonl",
            ),
            (
                "An office whose TLS inspection gateway is run on purpose: its interceptions are reported, sanctioned, and do not alarm.",
                "pinwatch check --sanctioned wpfE+qsgNO1KnPfFvUXJ6g1a8TSOI3j9QYK/Bs4CW/s= \"Head office gateway\"",
            ),
        ],
    },
    Page {
        name: "pinwatch-agent",
        exit: &[
            (
                "0",
                "Quit from the tray; or turned off (enabled = false), or another agent already runs: said on stderr.",
            ),
            (
                "0, 1, 2, 3",
                "With --once: the check's exit code (see pinwatch-check(1)).",
            ),
            ERROR,
        ],
        environment: &[
            SYSTEM_CONFIG,
            CONFIG_HOME,
            STATE_HOME,
            LANGUAGE,
            STORE,
            PROXY,
            NO_PROXY,
            EXIT_CODES,
        ],
        files: &[SYSTEM_FILE, USER_FILE, SERVICES, JOURNAL],
        examples: &[
            (
                "Run in the background with the desktop session (the package's autostart entry does this).",
                "pinwatch agent",
            ),
            (
                "One check cycle with notifications, e.g. after editing the config.",
                "pinwatch agent --once",
            ),
        ],
    },
    Page {
        name: "pinwatch-status",
        exit: &[
            (
                "0, 1, 2, 3",
                "As pinwatch check would have exited for the agent's last cycle; 3 also when the journal holds no check.",
            ),
            ERROR,
        ],
        environment: &[STATE_HOME, LANGUAGE, COLOR, EXIT_CODES],
        files: &[JOURNAL],
        examples: &[
            ("The last cycle, for a person.", "pinwatch status"),
            (
                "The last cycle for a script (schema pinwatch.status/1).",
                "pinwatch status --format json",
            ),
        ],
    },
    Page {
        name: "pinwatch-history",
        exit: &[("0", "The history was printed."), ERROR],
        environment: &[STATE_HOME, LANGUAGE, COLOR, EXIT_CODES],
        files: &[JOURNAL],
        examples: &[
            (
                "The last 20 checks and alerts.",
                "pinwatch history --limit 20",
            ),
            (
                "Everything, for a script (schema pinwatch.history/1).",
                "pinwatch history --format json",
            ),
        ],
    },
    Page {
        name: "pinwatch-roots",
        exit: &[
            (
                "0",
                "No extra root: every root this machine trusts is in Mozilla's public store.",
            ),
            (
                "1",
                "Extra roots (not in Mozilla's store): listed, with where each is installed.",
            ),
            (
                "2",
                "One of them is a known interception or blocklisted key, or pretends to be a public CA.",
            ),
            ERROR,
        ],
        environment: &[STORE, HOME, LANGUAGE, COLOR, EXIT_CODES],
        files: &[],
        examples: &[
            (
                "The roots this machine and its browsers trust beyond Mozilla's.",
                "pinwatch roots",
            ),
            (
                "Every root, public ones too, for a script (schema pinwatch.roots/1).",
                "pinwatch roots --all --format json",
            ),
        ],
    },
    Page {
        name: "pinwatch-notify-test",
        exit: &[("0", "The sample alert was shown, and printed."), ERROR],
        environment: &[LANGUAGE, EXIT_CODES],
        files: &[],
        examples: &[(
            "See what an alert looks like, in Chinese.",
            "pinwatch notify-test --lang zh",
        )],
    },
    Page {
        name: "pinwatch-pins",
        exit: &[("0, 1, 3", "See each subcommand's page."), ERROR],
        environment: &[CONFIG_HOME, EXIT_CODES],
        files: &[SERVICES],
        examples: &[("The services and their review dates.", "pinwatch pins list")],
    },
    Page {
        name: "pinwatch-pins-list",
        exit: &[("0", "Listed."), ERROR],
        environment: &[CONFIG_HOME, EXIT_CODES],
        files: &[SERVICES],
        examples: &[(
            "Every service with its hosts, pins and review date.",
            "pinwatch pins list",
        )],
    },
    Page {
        name: "pinwatch-pins-show",
        exit: &[("0", "Shown."), ERROR],
        environment: &[CONFIG_HOME, EXIT_CODES],
        files: &[SERVICES],
        examples: &[(
            "WeChat's hosts, pins, sources and what interception exposes.",
            "pinwatch pins show wechat",
        )],
    },
    Page {
        name: "pinwatch-pins-verify",
        exit: &[
            ("0", "No error (warnings allowed unless --strict)."),
            ("1", "Errors in the pins (or warnings with --strict)."),
            ERROR,
        ],
        environment: &[EXIT_CODES],
        files: &[],
        examples: &[(
            "Lint a copy of the pins with your service added.",
            "pinwatch pins verify --strict ./pins",
        )],
    },
    Page {
        name: "pinwatch-pins-update",
        exit: &[
            (
                "0",
                "The knowledge is up to date: a newer bundle was installed, or none newer was offered, or no source is configured.",
            ),
            (
                "1",
                "Every source offered a bundle that was refused (bad or unknown signature, an older sequence, truncated, oversized, a newer format).",
            ),
            (
                "2",
                "The connection to an https:// source was intercepted: pinwatch's own updates are being intercepted, and nothing was fetched.",
            ),
            ERROR,
        ],
        environment: &[
            PROXY,
            NO_PROXY,
            STORE,
            SYSTEM_CONFIG,
            "PINWATCH_SYSTEM_STATE",
            EXIT_CODES,
        ],
        files: &[
            USER_FILE,
            SYSTEM_FILE,
            "~/.local/state/pinwatch/knowledge/",
            "/var/lib/pinwatch/knowledge/",
        ],
        examples: &[
            (
                "Install a bundle from a USB stick.",
                "pinwatch pins update --from /media/usb/knowledge.bundle",
            ),
            (
                "Fetch from the sources in the config (update_from).",
                "pinwatch pins update",
            ),
        ],
    },
    Page {
        name: "pinwatch-pins-capture",
        exit: &[
            ("0", "Pins printed for every host."),
            (
                "1",
                "Some chain is not publicly trusted for its host (it may be an interceptor's): not printed without --allow-untrusted.",
            ),
            (
                "3",
                "Nothing was captured from some host (unreachable), or an error.",
            ),
        ],
        environment: &[STORE, PROXY, NO_PROXY, EXIT_CODES],
        files: &[],
        examples: &[(
            "Ready-to-paste pins for a host, from a network you trust.",
            "pinwatch pins capture chatgpt.com",
        )],
    },
];

/// The extra sections of `name`'s page, if it has any.
pub fn page(name: &str) -> Option<&'static Page> {
    PAGES.iter().find(|p| p.name == name)
}

/// The variable whose names start with `first`.
pub fn variable(first: &str) -> Option<&'static Variable> {
    ENVIRONMENT.iter().find(|v| v.name.starts_with(first))
}

/// The file at `path`.
pub fn file(path: &str) -> Option<&'static File> {
    FILES.iter().find(|f| f.path == path)
}

/// The DESCRIPTION of `pinwatch-config(5)`.
pub const CONFIG_DESCRIPTION: &[&str] = &[
    "pinwatch agent reads two TOML files, both optional: the system-wide defaults an administrator sets in /etc/pinwatch/config.toml ($PINWATCH_SYSTEM_CONFIG moves it), then the user's own ~/.config/pinwatch/config.toml (--config FILE names another). Every key is optional; a key the user sets overrides the same key of the system file, key by key, and keys neither sets keep their defaults.",
    "Each file is checked as a whole before the agent starts: a syntax error, an unknown key or a bad value stops it with FILE:LINE:COLUMN: KEY: what is wrong. Values are checked where they are written: targets, connect_to rules, the proxy and portal-check URLs are parsed, public_roots is loaded and pins is read (and services checked against it). pinwatch agent --once is a quick way to check a file after editing it.",
];

/// The EXAMPLES of `pinwatch-config(5)`: (what, the file).
pub const CONFIG_EXAMPLES: &[(&str, &str)] = &[
    (
        "A café's machines: Chinese alerts, WeChat and QQ only, a check every 10 minutes.",
        "language = \"zh\"\nservices = [\"wechat\", \"qq\"]\ninterval_minutes = 10",
    ),
    (
        "An office that runs a TLS inspection gateway on purpose (its root's key, as pinwatch roots shows it): reported, never alerted; any other interceptor still is.",
        "[[sanctioned]]\nkey = \"wpfE+qsgNO1KnPfFvUXJ6g1a8TSOI3j9QYK/Bs4CW/s=\"\nnote = \"Head office TLS inspection gateway\"",
    ),
    (
        "The administrator turns the agent off for everyone (in /etc/pinwatch/config.toml).",
        "enabled = false",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every page's environment names a variable and its files a file.
    #[test]
    fn every_reference_resolves() {
        for page in PAGES {
            for name in page.environment {
                assert!(variable(name).is_some(), "{}: {name}", page.name);
            }
            for path in page.files {
                assert!(file(path).is_some(), "{}: {path}", page.name);
            }
            assert!(
                !page.exit.is_empty() && !page.examples.is_empty(),
                "{}",
                page.name
            );
        }
    }

    /// The examples of pinwatch-config(5) are valid config files.
    #[test]
    fn the_config_examples_parse() {
        let k = crate::knowledge::load_embedded().unwrap();
        for (what, text) in CONFIG_EXAMPLES {
            crate::agent::config::parse(
                crate::tomlfile::TomlSource {
                    path: "example.toml",
                    text,
                },
                &k,
            )
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        }
    }

    /// The variables the manual documents are the ones the code reads.
    #[test]
    fn the_documented_variables_are_read_somewhere() {
        let sources = [
            include_str!("../check/stores.rs"),
            include_str!("../cli/convert.rs"),
            include_str!("../cli/mod.rs"),
            include_str!("../probe/proxy.rs"),
            include_str!("check.rs"),
            include_str!("../i18n.rs"),
            include_str!("failure.rs"),
            include_str!("../agent/layers.rs"),
            include_str!("../roots/nss.rs"),
            include_str!("../roots/scan.rs"),
            include_str!("../knowledge/store.rs"),
        ]
        .concat();
        for v in ENVIRONMENT {
            let first = v.name.split(',').next().unwrap_or_default();
            if first.starts_with("XDG_") || first == "HOME" {
                continue; // read through the directories crate
            }
            assert!(
                sources.contains(&format!("\"{first}\"")) || sources.contains(first),
                "{first} is documented but read nowhere"
            );
        }
    }
}
