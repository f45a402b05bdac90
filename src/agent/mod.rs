//! The agent: background checks, desktop alerts, a tray icon and a history
//! journal, built on the check engine (it is a scheduler and a set of
//! outputs, not a second engine).
//!
//! The pure parts (configuration, incidents, journal, alert wording, the
//! tray icon's pixels) are
//! always built, so `pinwatch history` and `pinwatch status` work in the
//! CLI-only build; the desktop parts (notifications, tray, network watch)
//! need the `agent` feature.

// Built without the `agent` feature so that they are tested and `history`
// and `status` work; the loop that uses the rest of them needs the feature.
#![cfg_attr(not(feature = "agent"), allow(dead_code))]

pub(crate) mod config;
#[cfg(feature = "agent")]
pub(crate) mod desktop;
pub mod icon;
pub(crate) mod incidents;
pub(crate) mod instance;
pub(crate) mod journal;
pub(crate) mod layers;
#[cfg(feature = "agent")]
mod route;
#[cfg(feature = "agent")]
pub(crate) mod run;
#[cfg(feature = "agent")]
pub(crate) mod updates;
pub(crate) mod wording;

pub use config::{KEYS, KeyDoc};
pub use incidents::past_incidents;
pub use journal::Journal;
pub use wording::TrayState;
