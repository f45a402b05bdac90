//! Re-checks on network changes: the agent runs in a network namespace of
//! the test's own, where adding an address to `lo` is a network change
//! (netlink, as on a real machine joining a network), and reaches the
//! test's genuine server through a forwarder.

use std::time::{Duration, Instant};

use super::fields;
use crate::support::World;
use crate::support::agent::CYCLE;
use crate::support::netns::NetNs;
use crate::support::server::Switch;

#[test]
fn a_network_change_triggers_one_debounced_recheck() {
    let world = World::new();
    let Some(mut ns) = NetNs::create() else {
        return;
    };
    let genuine = world.genuine_server();
    let mut switch = Switch::to(&genuine);
    let socket = world.path("switch.sock");
    switch.listen_unix(&socket);
    let _forward = ns.forward(8443, &socket);
    let debounce = Duration::from_secs(1);
    let mut agent = world
        .agent()
        .via(8443)
        .set("debounce_seconds", "1")
        .spawn_in(&ns);
    // The genuine server is reached from the namespace.
    agent.expect_cycle(1, "checked (start): 1 ok", Some(0));

    // Two changes within the debounce window: one re-check, a debounce
    // after the last of them.
    let first = ns.add_address();
    let line = agent.wait_log("network changed", CYCLE);
    assert!(line.contains(&first), "{line}");
    let second = ns.add_address();
    let last_change = Instant::now();
    agent.wait_log(&second, CYCLE);
    let cycles = agent.wait_cycles_within(2, debounce + Duration::from_secs(10));
    let waited = last_change.elapsed();
    assert!(
        cycles[1].starts_with("pinwatch agent: checked (network): 1 ok"),
        "{}",
        agent.log()
    );
    assert!(
        waited >= debounce - Duration::from_millis(150),
        "checked {waited:?} after the last change, before the {debounce:?} debounce ended: {}",
        agent.log()
    );
    agent.assert_no_more_cycles(2, debounce * 2 + Duration::from_millis(500));
    assert_eq!(agent.stop(), 0);

    let history = world.history_json();
    assert_eq!(
        fields(&history, "cycle", "trigger"),
        ["start", "network"],
        "{history:#}"
    );
}
