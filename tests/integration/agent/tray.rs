//! The tray icon through a real StatusNotifierWatcher
//! (`status-notifier-watcher`) and host (`gtk-sni-tray-standalone`) under
//! Xvfb: the item registers, its Status, ToolTip and drawn icon follow the
//! state, and its menu (clicked over com.canonical.dbusmenu, as a host
//! does) drives the agent.

use std::time::Duration;

use super::attributing_world;
use crate::support::World;
use crate::support::agent::{Agent, CYCLE};
use crate::support::desktop::{Desktop, Options, TRAY_TOOLS, TrayItem};
use crate::support::process::{poll, require};
use crate::support::server::{Server, Switch};

/// The disc colours the agent draws (tray.rs).
const GREEN: &str = "#1A7F37";
const RED: &str = "#CF222E";

/// An agent with its tray item, watching a server the test can switch
/// between the genuine chain and a forging middlebox. Fields drop in
/// order: the agent first, the world's temp dir last.
struct Scene {
    agent: Agent,
    item: TrayItem,
    switch: Switch,
    genuine: Server,
    forged: Server,
    desktop: Desktop,
    _world: World,
}

impl Scene {
    /// Starts the scene with the server `forged` or genuine; waits for the
    /// first cycle and the item. `None` when the tools are missing outside CI.
    fn start(forged: bool) -> Option<Scene> {
        let world = attributing_world();
        let desktop = Desktop::start(&world.path("desktop"), Options { tray: true })?;
        let genuine = world.genuine_server();
        let forging = Server::forging(world.evil.clone());
        let switch = Switch::to(if forged { &forging } else { &genuine });
        let agent = spawn_agent(&world, &desktop, switch.addr().port());
        let item = wait_item(&desktop, &agent, CYCLE);
        Some(Scene {
            agent,
            item,
            switch,
            genuine,
            forged: forging,
            desktop,
            _world: world,
        })
    }

    /// Points the server at the genuine chain or the middlebox, then clicks
    /// "Check now" and waits for cycle `n`.
    fn check_now(&mut self, forged: bool, n: usize, summary: &str, alerts: Option<usize>) {
        self.switch
            .switch(if forged { &self.forged } else { &self.genuine });
        self.item.click("Check now");
        self.agent.expect_cycle(n, summary, alerts);
    }

    /// Waits until the item shows `status` with a tooltip title starting
    /// with `title`; returns the tooltip (title, description).
    fn wait_state(&self, status: &str, title: &str) -> (String, String) {
        let item = &self.item;
        let shown = poll(CYCLE, || {
            let tooltip = item.tooltip();
            (item.status() == status && tooltip.0.starts_with(title)).then_some(tooltip)
        });
        shown.unwrap_or_else(|| {
            panic!(
                "the tray item did not show {status} / `{title}…`: it shows {} / {:?}\ntray host:\n{}",
                item.status(),
                item.tooltip(),
                self.desktop.tray_log()
            )
        })
    }
}

/// Starts the agent with its tray, watching the server at `port`; waits
/// for its first cycle.
fn spawn_agent(world: &World, desktop: &Desktop, port: u16) -> Agent {
    let mut agent = world.agent().via(port).desktop_with_tray(desktop).spawn();
    agent.wait_cycles(1);
    agent
}

/// Waits for the first item registered with the watcher.
fn wait_item(desktop: &Desktop, agent: &Agent, timeout: Duration) -> TrayItem {
    poll(timeout, || desktop.tray_items().into_iter().next()).unwrap_or_else(|| {
        panic!(
            "no item registered with the watcher within {timeout:?}; agent log:\n{}\ntray host:\n{}",
            agent.log(),
            desktop.tray_log()
        )
    })
}

#[test]
fn the_tray_item_registers_shows_the_state_and_its_menu_works() {
    let Some(mut scene) = Scene::start(false) else {
        return;
    };
    let item = &scene.item;
    assert!(
        item.service.contains(&format!("-{}-", scene.agent.pid())),
        "the agent's item: {}",
        item.service
    );
    assert_eq!(item.property("Id").ok(), Some("pinwatch".into()));
    assert_eq!(item.property("Title").ok(), Some("pinwatch".into()));
    let labels: Vec<String> = item.menu().into_iter().map(|(_, l)| l).collect();
    assert_eq!(
        labels,
        [
            "Check now",
            "Show details",
            "Pause alerts for 1 hour",
            "Quit"
        ]
    );
    let (_, detail) = scene.wait_state("Active", "All clear: ");
    assert!(detail.starts_with("Last check: "), "{detail}");
    scene.desktop.wait_tray_icon_colour(GREEN, CYCLE);
    scene.desktop.screenshot("tray-all-clear");

    // The network starts intercepting; the user asks for a check.
    scene.check_now(
        true,
        2,
        "checked (user): 0 ok, 0 suspicious, 1 intercepted",
        Some(1),
    );
    scene.wait_state("NeedsAttention", "Interception detected: Test Chat");
    let notifications = scene.desktop.wait_notifications(1, CYCLE);
    assert_eq!(notifications[0].urgency, Some(2), "{notifications:#?}");
    scene.desktop.wait_tray_icon_colour(RED, CYCLE);
    scene.desktop.screenshot("tray-intercepted");

    // Back to the genuine chain: the state clears. (Whether the end is
    // announced is the next test's matter.)
    scene.check_now(false, 3, "checked (user): 1 ok", None);
    scene.wait_state("Active", "All clear: ");
    scene.desktop.wait_tray_icon_colour(GREEN, CYCLE);

    if let Err(e) = scene.item.try_click("Quit") {
        // It may leave the bus before replying; a host ignores that.
        assert!(e.contains("disconnected"), "click Quit: {e}");
    }
    let code = scene.agent.wait_exit(Duration::from_secs(20));
    assert_eq!(
        code,
        Some(0),
        "Quit stops the agent; log:\n{}",
        scene.agent.log()
    );
    let gone = poll(CYCLE, || {
        scene.desktop.tray_items().is_empty().then_some(())
    });
    assert!(gone.is_some(), "the item is still registered after Quit");
}

/// "Check now" re-announces open incidents; it must not forget that an
/// incident was announced, or its end goes unannounced.
#[test]
fn check_now_after_an_interception_ended_announces_the_resolution() {
    let Some(mut scene) = Scene::start(true) else {
        return;
    };
    scene.desktop.wait_notifications(1, CYCLE);
    // The announced interception ended: a resolution is due.
    scene.check_now(false, 2, "checked (user): 1 ok", Some(1));
    let notifications = scene.desktop.wait_notifications(2, CYCLE);
    assert_eq!(notifications[1].summary, "Resolved: Test Chat");
    assert_eq!(notifications[1].urgency, Some(0));
    assert_eq!(scene.agent.stop(), 0);
}

#[test]
fn pausing_alerts_silences_them_and_the_tray_says_so() {
    let Some(mut scene) = Scene::start(false) else {
        return;
    };
    scene.wait_state("Active", "All clear: ");
    scene.item.click("Pause alerts for 1 hour");
    scene.agent.wait_log("alerts paused until", CYCLE);
    let paused = poll(CYCLE, || {
        let (_, detail) = scene.item.tooltip();
        detail.contains("Alerts paused until").then_some(detail)
    });
    assert!(paused.is_some(), "tooltip: {:?}", scene.item.tooltip());

    // An interception while paused: the tray shows it, no notification.
    scene.check_now(true, 2, "1 intercepted", Some(0));
    let (_, detail) = scene.wait_state("NeedsAttention", "Interception detected: Test Chat");
    assert!(
        scene.desktop.notifications().is_empty(),
        "{:#?}",
        scene.desktop.notifications()
    );
    assert!(
        detail.contains("Alerts paused until"),
        "the tooltip still says alerts are paused after a check: {detail:?}"
    );
    assert_eq!(scene.agent.stop(), 2, "the last check saw an interception");
}

/// At login the agent may start before the panel: its item must appear
/// once a tray host does.
#[test]
fn the_tray_item_appears_when_the_panel_starts_after_the_agent() {
    if require("the tray", TRAY_TOOLS).is_none() {
        return;
    }
    let world = attributing_world();
    let Some(mut desktop) = Desktop::start(&world.path("desktop"), Options::default()) else {
        return;
    };
    let genuine = world.genuine_server();
    let agent = spawn_agent(&world, &desktop, genuine.addr().port());
    desktop.start_tray();
    let item = wait_item(&desktop, &agent, Duration::from_secs(20));
    assert_eq!(item.status(), "Active");
    assert_eq!(agent.stop(), 0);
}
