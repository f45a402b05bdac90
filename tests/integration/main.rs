//! The integration tests, one binary: `cli` runs `pinwatch check` against
//! loopback servers, intercepting proxies and mitmproxy; `agent` runs
//! `pinwatch agent` with a real session bus, notification server, tray
//! host and network namespace, and `history`/`status` on its journal.
//! Helpers live in tests/support.

#[path = "../support/mod.rs"]
mod support;

mod agent;
mod broken_chains;
mod cli;
mod fleet;
mod pins;
mod roots;
