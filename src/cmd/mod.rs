//! The subcommands: each takes its parsed arguments, does its I/O, writes
//! its output into a writer and returns the exit code. `main` only
//! dispatches.
//!
//! A command that ran returns [`Finished`]: its exit code (decided before
//! any output is written) and, apart, whether writing the output failed, so
//! a closed or full stdout never changes the verdict's exit code. A command
//! that could not run returns a [`CommandError`] (exit 3); [`failure`] turns
//! it into the JSON error document under `--format json`.

mod agent;
mod check;
pub mod failure;
mod generate;
mod manual;
pub(crate) mod outputs;
mod pins;
mod roots;

use std::path::Path;

use thiserror::Error;

pub use agent::{agent, history, notify_test, status};
pub use check::check;
pub use generate::generate;
#[cfg(feature = "maintainer")]
pub use pins::bundle;
pub use pins::{capture, list, show, update, verify};
pub use roots::roots;

pub(crate) use crate::util::now;

use crate::agent::config::ConfigFileError;
use crate::check::StoreError;
use crate::cli::ConfigError;
use crate::knowledge::active::About;
use crate::knowledge::{self, Knowledge, KnowledgeError};
use crate::report::error::ErrorCode;
use crate::util::ReadError;

/// Exit code for usage errors and failures to run at all. Never 2, which
/// means "intercepted".
pub(crate) const EXIT_ERROR: i32 = 3;

/// A command that ran to the end.
#[derive(Debug)]
#[must_use]
pub struct Finished {
    /// The exit code, decided before the output was written.
    pub code: i32,
    /// Whether writing the output worked. A failure here (a closed pipe, a
    /// full disk) is reported apart and never changes `code`.
    pub output: std::io::Result<()>,
}

impl Finished {
    /// Exit `code`, after writing the output with `output`'s result.
    pub fn new(code: i32, output: std::io::Result<()>) -> Finished {
        Finished { code, output }
    }
}

/// Why a command could not run.
#[derive(Debug, Error)]
pub enum CommandError {
    /// Bad arguments.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A bad config file.
    #[error(transparent)]
    ConfigFile(#[from] ConfigFileError),
    /// A bad file among the agent's layered config files.
    #[error(transparent)]
    Layers(#[from] crate::agent::layers::LayerError),
    /// Bad pins.
    #[error(transparent)]
    Knowledge(#[from] KnowledgeError),
    /// Bad trust store file.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Bad CT log list (`--ct-logs`).
    #[error("CT log list {0}")]
    Ct(#[from] crate::ct::CtError),
    /// An input file that cannot be read (the journal).
    #[error(transparent)]
    Read(#[from] ReadError),
    /// Input or output failed (starting the runtime, opening the journal).
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The `--prometheus-file` could not be written after the check ran:
    /// the run failed for the monitoring that reads it.
    #[error("cannot write the metrics file {path}: {error}; the check found: {found}")]
    MetricsFile {
        /// The file.
        path: String,
        /// Why.
        error: std::io::Error,
        /// What the check found (the Nagios status text).
        found: String,
    },
    /// A usage error in words.
    #[error("{0}")]
    Usage(String),
    /// Anything else, in words.
    #[error("{0}")]
    Other(String),
}

impl CommandError {
    /// The stable code for the JSON error document.
    pub fn code(&self) -> ErrorCode {
        match self {
            CommandError::Config(_) | CommandError::Usage(_) => ErrorCode::Usage,
            CommandError::ConfigFile(_) | CommandError::Layers(_) => ErrorCode::Config,
            CommandError::Knowledge(_) => ErrorCode::Pins,
            CommandError::Store(_) | CommandError::Ct(_) => ErrorCode::Store,
            CommandError::Read(_)
            | CommandError::Io(_)
            | CommandError::MetricsFile { .. }
            | CommandError::Other(_) => ErrorCode::Io,
        }
    }
}

/// Whether text for standard output is coloured: `--color` (`auto`: on a
/// terminal, unless `NO_COLOR` is set), as every command that prints
/// colour decides it.
fn stdout_colors(choice: crate::cli::ColorChoice) -> bool {
    use std::io::IsTerminal as _;
    choice.enabled(std::io::stdout().is_terminal(), &|k| std::env::var(k).ok())
}

/// The knowledge a command judges with ([`knowledge::load`]); its warnings
/// go to stderr.
pub(crate) fn load_reporting(pins: Option<&Path>) -> Result<knowledge::Loaded, KnowledgeError> {
    let loaded = knowledge::load(pins)?;
    for w in &loaded.warnings {
        let _ = std::io::Write::write_fmt(
            &mut std::io::stderr(),
            format_args!("pinwatch: warning: {w}\n"),
        );
    }
    Ok(loaded)
}

/// [`load_reporting`]'s knowledge alone.
pub(crate) fn load_knowledge(pins: Option<&Path>) -> Result<Knowledge, KnowledgeError> {
    load_reporting(pins).map(|loaded| loaded.knowledge)
}

/// The warning every report carries when the knowledge is past its
/// expiry date, in `lang`.
pub(crate) fn knowledge_warning(lang: crate::i18n::Lang, about: &About) -> Option<String> {
    if !about.expired {
        return None;
    }
    let key = if about.pins_relaxed {
        "knowledge-expired-pins-relaxed"
    } else {
        "knowledge-expired"
    };
    Some(lang.tr_args(
        key,
        &[
            ("sequence", about.sequence.unwrap_or(0).to_string()),
            ("days", about.age_days.unwrap_or(0).to_string()),
            ("expired", about.expires_at.clone().unwrap_or_default()),
        ],
    ))
}

/// Runs `task` to completion on a fresh multi-threaded runtime, then drops
/// the runtime without waiting for its blocking threads.
///
/// Name resolution goes through the system resolver (getaddrinfo, so
/// `/etc/hosts`, nsswitch and the platform's DNS settings apply as for every
/// other program), which tokio runs on a blocking thread that cannot be
/// cancelled: when a resolver never answers, the probe's deadline ends the
/// wait, but the thread stays in getaddrinfo for the resolver's own
/// retries (10 s and more). A plain drop of the runtime would wait for it;
/// `shutdown_background` does not, so `--timeout` stays a hard deadline for
/// the whole run. Nothing is lost: every task's result has been collected.
fn block_on<F: std::future::Future>(task: F) -> Result<F::Output, CommandError> {
    let runtime = crate::check::runtime()?;
    let output = runtime.block_on(task);
    runtime.shutdown_background();
    Ok(output)
}
