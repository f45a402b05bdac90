//! `pinwatch agent` end to end: notifications through a real session bus
//! and notification server (dunst), the tray through a real
//! StatusNotifierWatcher and host, re-checks on network changes in a
//! network namespace of the test's own, the journal under kill -9, config
//! errors, and `history`/`status`. Desktop tests start their own bus, X
//! server and dunst, so they run in parallel; nothing leaves 127.0.0.1 or
//! the test's namespaces.

mod alerts;
mod cafe;
mod commands;
mod degraded;
mod journal;
mod layers;
mod network;
mod tray;

use crate::support::World;
use crate::support::pins::{PinsSpec, Rule};

/// A world whose pins name the forging CA's product (by its issuer
/// organisation), so alerts can name it.
fn attributing_world() -> World {
    let world = World::new();
    world.write_pins(&PinsSpec {
        rules: vec![Rule::IssuerO("^Evil Corp$".into())],
        ..world.pins()
    });
    world
}

/// `field` of each of the journal's records of `kind`, as text.
fn fields(history: &serde_json::Value, kind: &str, field: &str) -> Vec<String> {
    records(history, kind)
        .iter()
        .map(|r| r[field].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The journal's records of `kind` ("cycle", "check", "alert").
fn records<'a>(history: &'a serde_json::Value, kind: &str) -> Vec<&'a serde_json::Value> {
    history["records"]
        .as_array()
        .map(|rs| rs.iter().filter(|r| r["type"] == kind).collect())
        .unwrap_or_default()
}
