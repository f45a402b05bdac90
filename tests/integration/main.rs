//! The integration tests, one binary: `cli` runs `pinwatch check` against
//! loopback servers, intercepting proxies and mitmproxy; `agent` runs
//! `pinwatch agent` with a real session bus, notification server, tray
//! host and network namespace, and `history`/`status` on its journal;
//! `limbo` drives the x509-limbo corpus through the check engine.
//! `robustness` covers closed pipes, a silent resolver, FIFOs and devices as
//! inputs, large journals and pins, config errors and the JSON error
//! document. `windows` runs the Windows build under Wine. Helpers live in
//! tests/support.

#[path = "../support/mod.rs"]
mod support;

mod agent;
mod broken_chains;
mod bundles;
mod chinese;
mod cli;
mod clock;
mod colour;
mod details;
mod docs;
mod evasion;
mod first_minutes;
mod fleet;
mod floors;
mod hostile;
mod incomplete;
mod limbo;
mod location;
mod pins;
mod prometheus;
mod robustness;
mod roots;
mod sanctioned;
mod units;
mod windows;
