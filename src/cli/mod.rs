//! Command-line definitions (clap) and their conversion into typed
//! configuration. No I/O happens here besides reading the environment
//! variables the user expects to be honoured (proxies).

mod convert;
pub mod localize;
mod targets;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use convert::ConfigError;
pub(crate) use convert::{
    PlanInput, build_plan, find_service, plan_from, proxy_route, proxy_warning,
};
pub(crate) use targets::parse_target_list;

/// pinwatch: is someone reading your chats? Checks whether the TLS
/// certificates the network presents for chat services are the genuine ones.
#[derive(Debug, Parser)]
#[command(name = "pinwatch", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Language of the text output (default: from LANGUAGE, LC_ALL, LC_MESSAGES, LANG).
    #[arg(long, global = true, value_enum)]
    pub lang: Option<crate::i18n::Lang>,

    /// Colour in text output (auto: when stdout is a terminal and NO_COLOR is unset or empty).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the certificate chains presented for chat services, once.
    Check(CheckArgs),
    /// Inspect, verify and capture pins.
    #[command(subcommand)]
    Pins(PinsCommand),
    /// Run in the background: check on start, on network changes and every
    /// 15 minutes; alert on the desktop; show a tray icon.
    Agent(AgentArgs),
    /// Show a sample alert, so you know what one looks like.
    NotifyTest,
    /// Print the agent's history of checks and alerts.
    History(HistoryArgs),
    /// Print the current state, from the agent's last check.
    Status(StatusArgs),
    /// Audit the roots this machine (and its browsers) trust: every root not
    /// in Mozilla's public store, where it is, and whose it is.
    #[command(
        after_help = "Exit codes: 0 no extra root, 1 extra roots, 2 a known interception or blocklisted root, 3 error."
    )]
    Roots(RootsArgs),
    /// Write man pages or shell completions (for packagers; hidden).
    #[command(subcommand, hide = true)]
    Generate(GenerateCommand),
}

/// `pinwatch generate ...`: what packaging/build-deb calls, so the man
/// pages and completions come from these definitions and cannot drift.
#[derive(Debug, Subcommand)]
pub enum GenerateCommand {
    /// Write pinwatch.1 and one page per subcommand (pinwatch-check.1,
    /// pinwatch-pins-list.1, ...) into DIR.
    Man {
        /// Output directory (created if missing).
        dir: PathBuf,
    },
    /// Write bash, zsh and fish completions (pinwatch.bash, _pinwatch,
    /// pinwatch.fish) into DIR.
    Completions {
        /// Output directory (created if missing).
        dir: PathBuf,
    },
}

/// `pinwatch roots`.
#[derive(Debug, Args)]
pub struct RootsArgs {
    /// List every root, public ones too, each marked public, version skew or extra.
    #[arg(long)]
    pub all: bool,
    /// Output format: text, or json (schema `pinwatch.roots/1`).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Do not read the browsers' NSS databases (Firefox profiles, ~/.pki/nssdb).
    #[arg(long)]
    pub no_browsers: bool,
    /// Also read this NSS database directory (repeatable).
    #[arg(long = "nss-db", value_name = "DIR")]
    pub nss_dbs: Vec<PathBuf>,
    /// Where the pins come from.
    #[command(flatten)]
    pub source: PinsSource,
}

/// `pinwatch agent`.
#[derive(Debug, Args)]
pub struct AgentArgs {
    /// Run one check cycle (with notifications) and exit with the check's exit code.
    #[arg(long)]
    pub once: bool,
    /// Configuration file (default: config.toml in the platform config
    /// directory), read over the system-wide /etc/pinwatch/config.toml
    /// (Windows: %ProgramData%\pinwatch\config.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Journal file (default: journal.jsonl in the platform state directory).
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
}

/// `pinwatch history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Output format: text, or json (schema `pinwatch.history/1`).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Show only the last N records.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Journal file (default: journal.jsonl in the platform state directory).
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
}

/// `pinwatch status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Output format: text, or json (schema `pinwatch.status/1`).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Text output: every host of the last check under the summary line.
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Journal file (default: journal.jsonl in the platform state directory).
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
}

/// `pinwatch pins ...`.
#[derive(Debug, Subcommand)]
pub enum PinsCommand {
    /// List the services with their hosts, pin counts and review dates.
    List(PinsListArgs),
    /// Show one service: hosts, every pin with its label, review date, sources.
    Show(PinsShowArgs),
    /// Lint a pins directory (default: the built-in pins); exits 1 on any error.
    Verify(PinsVerifyArgs),
    /// Connect to hosts and print a ready-to-paste pin entry for the chain presented.
    Capture(PinsCaptureArgs),
    /// Fetch a signed knowledge bundle (a file, an http:// or https:// URL)
    /// and use it from now on if it is newer than the knowledge in use.
    #[command(
        after_help = "Exit codes: 0 updated or already up to date, 1 a bundle was refused (bad or unknown signature, older, truncated, too large, a newer format) or the connection was not trusted, 2 the update channel is intercepted, 3 nothing could be fetched."
    )]
    Update(PinsUpdateArgs),
    /// Build a knowledge bundle from a pins directory and sign it (maintainers).
    #[cfg(feature = "maintainer")]
    Bundle(PinsBundleArgs),
}

/// `pinwatch pins update`.
#[derive(Debug, Args)]
pub struct PinsUpdateArgs {
    /// Fetch from this file or http(s):// URL (repeatable, tried in order)
    /// instead of the config's `update_from`.
    #[arg(long = "from", value_name = "FILE|URL")]
    pub from: Vec<String>,
    /// Install into the system's store (/var/lib/pinwatch/knowledge: the
    /// pinwatch-update timer) instead of the user's; reads only the
    /// system-wide config.
    #[arg(long)]
    pub system: bool,
    /// Configuration file (default: config.toml in the platform config
    /// directory), read over /etc/pinwatch/config.toml (Windows:
    /// %ProgramData%\pinwatch\config.toml): `update_from`,
    /// `trusted_keys`, `proxy`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// PEM file replacing the public roots, for judging an https:// source.
    #[arg(long, value_name = "FILE")]
    pub public_roots: Option<PathBuf>,
    /// Network options (the timeout is per transfer).
    #[command(flatten)]
    pub net: NetArgs,
}

/// `pinwatch pins bundle` (the `maintainer` feature).
#[cfg(feature = "maintainer")]
#[derive(Debug, Args)]
pub struct PinsBundleArgs {
    /// The pins directory to bundle (default: pins).
    #[arg(long, value_name = "DIR", default_value = "pins")]
    pub pins: PathBuf,
    /// The bundle's sequence number: higher than every bundle published before.
    #[arg(long)]
    pub sequence: u64,
    /// The minisign secret key to sign with (the password is asked for,
    /// or read from $PINWATCH_BUNDLE_PASSWORD; none for an unencrypted key).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// Days until the bundle expires.
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    pub expires_days: u32,
    /// Key ids this bundle revokes (only honoured when the backup key signs).
    #[arg(long = "revoke", value_name = "KEY_ID")]
    pub revoke: Vec<String>,
    /// Where to write the bundle.
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,
}

/// Where the pins come from.
#[derive(Debug, Args)]
pub struct PinsSource {
    /// Use this pins directory instead of the built-in pins and the user's services.
    #[arg(long, value_name = "DIR")]
    pub pins: Option<PathBuf>,
}

/// `pinwatch pins list`.
#[derive(Debug, Args)]
pub struct PinsListArgs {
    /// Where the pins come from.
    #[command(flatten)]
    pub source: PinsSource,
    /// Output format: text, or json.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// `pinwatch pins show`.
#[derive(Debug, Args)]
pub struct PinsShowArgs {
    /// Service name (see `pinwatch pins list`).
    #[arg(value_parser = ServiceName, hide_possible_values = true)]
    pub service: String,
    /// Where the pins come from.
    #[command(flatten)]
    pub source: PinsSource,
    /// Output format: text, or json.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// `pinwatch pins verify`.
#[derive(Debug, Args)]
pub struct PinsVerifyArgs {
    /// Pins directory to lint (default: the built-in pins).
    pub dir: Option<PathBuf>,
    /// Treat warnings (stale pinsets, services without pins) as errors.
    #[arg(long)]
    pub strict: bool,
}

/// `pinwatch pins capture`.
#[derive(Debug, Args)]
pub struct PinsCaptureArgs {
    /// HOST, HOST:PORT or https://HOST[:PORT]/...
    #[arg(required = true)]
    pub targets: Vec<String>,
    /// Print pins even for a chain that is not publicly trusted (an intercepted chain!).
    #[arg(long)]
    pub allow_untrusted: bool,
    /// How to reach the hosts.
    #[command(flatten)]
    pub net: NetArgs,
    /// PEM file of roots that replaces the public store (webpki-roots).
    #[arg(long, value_name = "PEM")]
    pub public_roots: Option<PathBuf>,
}

/// How to reach targets (shared by check and capture).
#[derive(Debug, Args)]
pub struct NetArgs {
    /// HTTP CONNECT proxy URL (default: HTTPS_PROXY, https_proxy, ALL_PROXY; NO_PROXY honoured).
    #[arg(long, value_name = "URL", conflicts_with = "no_proxy")]
    pub proxy: Option<String>,

    /// Connect directly, ignoring proxy settings in the environment.
    #[arg(long)]
    pub no_proxy: bool,

    /// Connect to ADDR:PORT instead of HOST:PORT, keeping SNI and name checks for HOST (like curl).
    #[arg(long, value_name = "HOST:PORT:ADDR:PORT")]
    pub connect_to: Vec<String>,

    /// Overall time allowed per target (e.g. 10, 2.5s, 800ms).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub timeout: Duration,
}

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Text for a person.
    Text,
    /// One JSON document, for scripts.
    Json,
}

/// Output format of `pinwatch check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// A readable table, with explanations for anything not ok.
    Text,
    /// One JSON document (schema `pinwatch.check/2`).
    Json,
    /// One JSON object per target, written as each finishes (for log shippers).
    Jsonl,
    /// A Nagios/Icinga plugin status line, long output and performance data.
    Nagios,
    /// Prometheus text exposition format (0.0.4).
    Prometheus,
}

/// When to use color.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When stdout is a terminal and NO_COLOR is unset or empty.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// Whether to colour: `terminal` says whether stdout is one, `env`
    /// reads NO_COLOR (https://no-color.org: set and not empty, no colour).
    pub fn enabled(self, terminal: bool, env: &dyn Fn(&str) -> Option<String>) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                terminal && env("NO_COLOR").is_none_or(|v| v.is_empty()) && console_shows_color()
            }
        }
    }
}

/// Whether the terminal draws ANSI colours: on Windows only a console that
/// accepts virtual-terminal processing (Windows 10 and later; not Windows
/// 7's); every Unix terminal does.
fn console_shows_color() -> bool {
    #[cfg(windows)]
    {
        anstyle_query::windows::enable_ansi_colors().unwrap_or(false)
    }
    #[cfg(not(windows))]
    {
        true
    }
}

/// `pinwatch check`.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit codes: 0 all ok, 1 suspicious, 2 intercepted, 3 nothing could be checked or an error (with --format nagios: OK, WARNING, CRITICAL, UNKNOWN; with PINWATCH_EXIT_CODES=sysexits an error exits 64 to 78 instead, see man pinwatch-check)."
)]
pub struct CheckArgs {
    /// HOST, HOST:PORT or https://HOST[:PORT]/... (default: every host of every built-in service).
    pub targets: Vec<String>,

    /// Also check the targets listed in FILE, one per line; `#` starts a comment, `-` reads standard input (repeatable).
    #[arg(long = "targets", value_name = "FILE")]
    pub target_files: Vec<PathBuf>,

    /// Check this service's hosts (repeatable); `pinwatch pins list` lists the services.
    #[arg(long = "service", value_name = "NAME", value_parser = ServiceName, hide_possible_values = true)]
    pub services: Vec<String>,

    /// Output format: text; json (schema `pinwatch.check/2`); jsonl (one `pinwatch.result/2` object a line); nagios; prometheus.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,

    /// Also write the results in Prometheus format to FILE, atomically (for node_exporter's textfile collector). A run that cannot check, or cannot write FILE, is an error (exit 3); FILE then holds pinwatch_check_success 0 if it can be written at all, else the previous run's metrics stay.
    #[arg(long, value_name = "FILE")]
    pub prometheus_file: Option<PathBuf>,

    /// Prometheus output: also one set of series per target (host, port, service), not only per service and interceptor (about 8 series a target instead of 5 a service).
    #[arg(long)]
    pub prometheus_hosts: bool,

    /// How to reach the targets.
    #[command(flatten)]
    pub net: NetArgs,

    /// How many targets to probe at once (default: all of them, as far as the open-file limit allows).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: Option<u16>,

    /// PEM file of roots that replaces the public store (webpki-roots), for tests and private deployments.
    #[arg(long, value_name = "PEM")]
    pub public_roots: Option<PathBuf>,

    /// CT log list (v3 JSON, as Google's all_logs_list.json) that replaces the built-in one, for tests and private deployments.
    #[arg(long, value_name = "FILE")]
    pub ct_logs: Option<PathBuf>,

    /// Where the pins come from.
    #[command(flatten)]
    pub source: PinsSource,

    /// Plain-HTTP URL for captive-portal detection, expected to answer 204 (repeatable; replaces the defaults).
    #[arg(
        long = "portal-check",
        value_name = "URL",
        conflicts_with = "no_portal_check"
    )]
    pub portal_checks: Vec<String>,

    /// Never run captive-portal connectivity checks.
    #[arg(long)]
    pub no_portal_check: bool,

    /// Text output: per-connection lines and evidence for every incident
    /// and every unreachable target.
    #[arg(long, short = 'v')]
    pub verbose: bool,

    /// An interceptor this organisation runs on purpose (an office's TLS
    /// inspection gateway): its key's SPKI SHA-256 (base64, as `pinwatch
    /// roots` and the JSON `issuer_key` show it; sha256/BASE64 or hex also
    /// do) and a note saying whose it is (repeatable). A chain it forged is
    /// still reported intercepted, marked sanctioned with the note, but
    /// does not raise the exit code, the Nagios state or the Prometheus
    /// alert; any other interceptor still does.
    #[arg(long, num_args = 2, value_names = ["KEY", "NOTE"], action = clap::ArgAction::Append)]
    pub sanctioned: Vec<String>,

    /// Never trace where an interception happens (by default, when something
    /// is intercepted, one IP TTL trace per interceptor finds how many hops
    /// away it is; nothing is sent when nothing is intercepted).
    #[arg(long)]
    pub no_locate: bool,
}

/// A service name: any text (the user's own services count too, and an
/// unknown name is reported with the known ones once the pins are loaded);
/// the built-in names are its possible values, so that shell completion
/// offers them (help does not list them).
#[derive(Clone, Copy, Debug)]
pub struct ServiceName;

impl clap::builder::TypedValueParser for ServiceName {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        let names: Vec<String> = crate::knowledge::load_embedded()
            .map(|k| k.services.into_iter().map(|s| s.name).collect())
            .unwrap_or_default();
        Some(Box::new(
            names.into_iter().map(clap::builder::PossibleValue::new),
        ))
    }
}

/// Parses `10`, `10s`, `2.5s`, `800ms`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (number, scale) = if let Some(ms) = s.strip_suffix("ms") {
        (ms, 0.001)
    } else if let Some(secs) = s.strip_suffix('s') {
        (secs, 1.0)
    } else {
        (s, 1.0)
    };
    match number.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v * scale <= 3600.0 => {
            Ok(Duration::from_secs_f64(v * scale))
        }
        _ => Err(format!(
            "`{s}` is not a duration between 1ms and 1h (e.g. 10, 2.5s, 800ms)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10").unwrap(), Duration::from_secs(10));
        assert_eq!(parse_duration("2.5s").unwrap(), Duration::from_millis(2500));
        assert_eq!(parse_duration("800ms").unwrap(), Duration::from_millis(800));
        assert!(parse_duration("0").is_err());
        assert!(parse_duration("-1").is_err());
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("NaN").is_err());
    }

    #[test]
    fn colour_follows_the_choice_the_terminal_and_no_color() {
        let unset = |_: &str| None;
        let set = |k: &str| (k == "NO_COLOR").then(|| "1".to_string());
        let empty = |k: &str| (k == "NO_COLOR").then(String::new);
        assert!(ColorChoice::Auto.enabled(true, &unset));
        assert!(ColorChoice::Auto.enabled(true, &empty));
        assert!(!ColorChoice::Auto.enabled(true, &set));
        assert!(!ColorChoice::Auto.enabled(false, &unset));
        assert!(ColorChoice::Always.enabled(false, &set));
        assert!(!ColorChoice::Never.enabled(true, &unset));
        for args in [
            ["pinwatch", "status", "--color", "never"],
            ["pinwatch", "--color", "always", "roots"],
            ["pinwatch", "history", "--color", "auto"],
        ] {
            assert!(Cli::try_parse_from(args).is_ok(), "{args:?}");
        }
    }

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
