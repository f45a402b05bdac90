//! The agent: background checks, desktop alerts, a tray icon and a history
//! journal, built on the check engine (it is a scheduler and a set of
//! outputs, not a second engine).
//!
//! The pure parts (configuration, incidents, journal, alert wording, the
//! tray icon's pixels) are
//! always built, so `pinwatch history` and `pinwatch status` work in the
//! CLI-only build; the desktop parts (notifications, tray, network watch)
//! need the `agent` feature.

pub mod config;
#[cfg(feature = "agent")]
pub mod desktop;
pub mod icon;
pub mod incidents;
pub mod instance;
pub mod journal;
pub mod layers;
#[cfg(feature = "agent")]
mod route;
#[cfg(feature = "agent")]
pub mod run;
#[cfg(feature = "agent")]
pub mod updates;
pub mod wording;
