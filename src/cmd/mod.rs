//! The subcommands: each takes its parsed arguments, does its I/O, writes
//! its output into a writer and returns the exit code. `main` only
//! dispatches.

mod agent;
mod check;
mod outputs;
mod pins;
mod roots;

use std::path::{Path, PathBuf};

use thiserror::Error;

pub use agent::{agent, history, notify_test, status};
pub use check::check;
pub use pins::{capture, list, show, verify};
pub use roots::roots;

pub(crate) use crate::util::now;

use crate::check::StoreError;
use crate::cli::ConfigError;
use crate::knowledge::{self, Knowledge, KnowledgeError};

/// Exit code for usage errors and failures to run at all. Never 2, which
/// means "intercepted".
pub const EXIT_ERROR: i32 = 3;

/// Why a command could not run.
#[derive(Debug, Error)]
pub enum CommandError {
    /// Bad arguments.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Bad pins.
    #[error(transparent)]
    Knowledge(#[from] KnowledgeError),
    /// Bad trust store file.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Writing the output failed.
    #[error("writing output: {0}")]
    Io(#[from] std::io::Error),
    /// Anything else, in words.
    #[error("{0}")]
    Other(String),
}

/// The user's own services directory: `<config dir>/pinwatch/services`
/// (`~/.config/pinwatch/services` on Linux, honouring XDG_CONFIG_HOME).
pub fn user_services_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "pinwatch").map(|d| d.config_dir().join("services"))
}

/// The knowledge base: `--pins DIR` alone, or the built-in pins with the
/// user's services added.
pub fn load_knowledge(pins: Option<&Path>) -> Result<Knowledge, KnowledgeError> {
    match pins {
        Some(dir) => knowledge::load_dir(dir),
        None => {
            let mut k = knowledge::load_embedded()?;
            if let Some(dir) = user_services_dir() {
                knowledge::overlay_services(&mut k, &dir)?;
            }
            Ok(k)
        }
    }
}

/// Builds the async runtime the network commands use.
fn runtime() -> Result<tokio::runtime::Runtime, CommandError> {
    Ok(crate::check::runtime()?)
}
