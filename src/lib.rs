//! pinwatch: detects TLS interception of chat services.
//!
//! The crate is a library with a thin binary on top. Data flows one way:
//! [`target`]s are probed by [`probe`] (the only network code) into
//! [`observation::Observation`]s, [`analysis`] turns each observation into a
//! [`analysis::Verdict`] with reasons and evidence (pure: trust stores, pins
//! and the current time are arguments), and [`report`] renders the results.
//! [`check`] ties the stages together; it is what the CLI and the agent call.

pub mod agent;
pub mod analysis;
pub mod check;
pub mod cli;
pub mod cmd;
pub mod ct;
pub mod i18n;
pub mod journal;
pub mod knowledge;
pub mod names;
pub mod observation;
pub mod probe;
pub mod report;
pub mod roots;
pub mod target;
pub mod tomlfile;
pub mod update;
pub mod util;
