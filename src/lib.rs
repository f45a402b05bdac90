//! pinwatch: detects TLS interception of chat services.
//!
//! The crate is a library with a thin binary on top. Data flows one way:
//! [`target`]s are probed by [`probe`] (the only network code) into
//! [`observation::Observation`]s, [`analysis`] turns each observation into a
//! [`analysis::Verdict`] with reasons and evidence (pure: trust stores, pins
//! and the current time are arguments), and [`report`] renders the results.
//! [`check`] ties the stages together; it is what the CLI and the agent call.

//!
//! The library's surface is what the binary (`main.rs`) and the integration
//! tests use, and what that exposes: each module below re-exports its part
//! of it, and keeps the rest to the crate. `names`, `roots`, `tomlfile` and
//! `update` are the crate's alone; so is `probe::danger`, the verifier that
//! accepts any chain in order to record it (rustls keeps such things in a
//! `danger` module, and so do we, out of reach).

pub mod agent;
pub mod analysis;
pub mod check;
pub mod cli;
pub mod cmd;
pub mod ct;
pub mod i18n;
pub mod journal;
pub mod knowledge;
pub(crate) mod names;
pub mod observation;
pub mod probe;
pub mod report;
pub(crate) mod roots;
pub mod target;
pub(crate) mod tomlfile;
pub(crate) mod update;
pub mod util;
