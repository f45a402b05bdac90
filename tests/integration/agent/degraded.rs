//! A desktop that lacks a part: no tray host (stock GNOME), no notification
//! service, or a config that stops the agent. The agent says so once
//! through whatever does work (a notification, the journal, stderr) and
//! keeps checking.

use std::time::Duration;

use super::{attributing_world, fields, records};
use crate::support::agent::CYCLE;
use crate::support::desktop::{Desktop, Options};
use crate::support::process::poll;
use crate::support::write_file;

/// The agent waits this long for a panel before it says there is none
/// (agent/run.rs `TRAY_GRACE`), plus a margin.
const GRACE: Duration = Duration::from_secs(10 + 20);

/// What the journal's notices are about, oldest first.
fn notices(world: &crate::support::World) -> Vec<String> {
    fields(&world.history_json(), "notice", "what")
}

#[test]
fn without_a_tray_host_the_agent_says_so_once_and_keeps_checking() {
    let world = attributing_world();
    let Some(mut desktop) = Desktop::start(&world.path("desktop"), Options::default()) else {
        return;
    };
    let genuine = world.genuine_server();
    let mut agent = world
        .agent()
        .via(genuine.addr().port())
        .desktop_with_tray(&desktop)
        .set("interval_minutes", "1")
        .spawn();
    agent.expect_cycle(1, "checked (start): 1 ok", Some(0));
    let line = agent.wait_log("This desktop shows no tray icons", GRACE);
    assert!(line.contains("pinwatch keeps checking"), "{line}");
    let notifications = desktop.wait_notifications(1, CYCLE);
    let n = &notifications[0];
    assert_eq!(n.summary, "pinwatch runs without a tray icon", "{n:#?}");
    assert!(n.body.contains("AppIndicator"), "{n:#?}");
    assert_eq!(n.urgency, Some(1), "normal: {n:#?}");
    // It goes on checking on its schedule, and says it once.
    agent.expect_cycle(2, "checked (schedule): 1 ok", Some(0));
    assert_eq!(desktop.notifications().len(), 1, "said once");
    assert_eq!(
        agent
            .log()
            .matches("This desktop shows no tray icons")
            .count(),
        1,
        "{}",
        agent.log()
    );
    assert_eq!(agent.stop(), 0);
    assert_eq!(notices(&world), ["no_tray"], "said once in the journal");
    desktop.assert_running();
}

#[test]
fn without_a_notification_service_the_agent_says_so_and_keeps_checking() {
    let world = attributing_world();
    let options = Options {
        tray: true,
        without_notifications: true,
        ..Options::default()
    };
    let Some(desktop) = Desktop::start(&world.path("desktop"), options) else {
        return;
    };
    let forged = crate::support::server::Server::forging(world.evil.clone());
    let mut agent = world
        .agent()
        .via(forged.addr().port())
        .desktop_with_tray(&desktop)
        .spawn();
    let line = agent.wait_log("No notification service answers", CYCLE);
    assert!(line.contains("pinwatch keeps checking"), "{line}");
    agent.expect_cycle(1, "1 intercepted", Some(1));
    // The tray still shows the state.
    let shown = poll(CYCLE, || {
        let item = desktop.tray_items().into_iter().next()?;
        (item.status() == "NeedsAttention").then_some(())
    });
    assert!(shown.is_some(), "the tray shows the interception");
    assert_eq!(agent.stop(), 2);
    assert_eq!(
        notices(&world),
        ["no_notifications"],
        "said once in the journal"
    );
    let history = world.history_json();
    let alerts = records(&history, "alert");
    assert_eq!(alerts.len(), 1, "{history:#}");
    assert_eq!(
        alerts[0]["shown"], false,
        "the alert is journalled, not shown: {history:#}"
    );
}

#[test]
fn a_config_that_stops_the_agent_is_shown_as_a_notification() {
    let world = attributing_world();
    let Some(desktop) = Desktop::start(&world.path("desktop"), Options::default()) else {
        return;
    };
    let file = world.path("bad.toml");
    write_file(&file, "interval_minutes = 0\n");
    let journal = world.journal().display().to_string();
    let mut cmd = world.pinwatch(&[
        "agent",
        "--config",
        &file.display().to_string(),
        "--journal",
        &journal,
    ]);
    cmd.envs(desktop.env());
    let (status, _, stderr) = crate::support::process::run("pinwatch agent", cmd, CYCLE);
    assert_eq!(status.code(), Some(3), "{stderr}");
    let notifications = desktop.wait_notifications(1, CYCLE);
    let n = &notifications[0];
    assert_eq!(n.summary, "pinwatch is not protecting you", "{n:#?}");
    assert!(
        n.body.starts_with(&format!(
            "It did not start: {}:1:20: interval_minutes",
            file.display()
        )),
        "{n:#?}"
    );
    assert_eq!(n.timeout, 0, "it stays: {n:#?}");
}
