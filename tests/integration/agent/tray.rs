//! The tray icon through a real StatusNotifierWatcher
//! (`status-notifier-watcher`) and host (`gtk-sni-tray-standalone`) under
//! Xvfb: the item registers, its Status, ToolTip and drawn icon follow the
//! state, and its menu (clicked over com.canonical.dbusmenu, as a host
//! does) drives the agent. The icons of the states differ in greyscale and
//! under a deuteranopia simulation, as drawn and as generated; "Show
//! details" opens the page with the real xdg-open and leaves no zombie.

use std::time::Duration;

use std::path::PathBuf;

use super::attributing_world;
use crate::support::World;
use crate::support::agent::{Agent, CYCLE};
use crate::support::desktop::{Desktop, Options, TRAY_TOOLS, TrayItem};
use crate::support::image::{self, Vision};
use crate::support::process::{poll, require};
use crate::support::server::{Server, Switch};

/// The shield colours the agent draws (agent/icon.rs).
const GREEN: &str = "#2DA44E";
const RED: &str = "#A40E26";
const PAUSED: &str = "#57606A";

/// The tooltip title of an interception on loopback (traced to this device).
const THIS_DEVICE: &str = "Software on this device is intercepting your encrypted connections";

/// The smallest mean difference (of 255) between two states' icons as a
/// person without colour vision, or with deuteranopia, sees them.
const DISTINCT: f64 = 10.0;

/// Asserts that every two of `icons` differ by more than [`DISTINCT`] in
/// greyscale and under the deuteranopia simulation, measured at `size`.
fn assert_distinct(icons: &[(String, PathBuf)], size: u32) {
    for vision in [Vision::Greyscale, Vision::Deuteranopia] {
        let seen: Vec<Vec<u8>> = icons
            .iter()
            .map(|(_, path)| image::seen(path, vision, size))
            .collect();
        for i in 0..icons.len() {
            for j in i + 1..icons.len() {
                let d = image::difference(&seen[i], &seen[j]);
                assert!(
                    d > DISTINCT,
                    "{vision:?}: {} and {} differ by {d:.1} of 255 ({} and {})",
                    icons[i].0,
                    icons[j].0,
                    icons[i].1.display(),
                    icons[j].1.display()
                );
            }
        }
    }
}

/// A local time with its offset: `2027-01-15 16:00:00 +08:00`.
fn is_local_time(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 26
        && s.chars().enumerate().all(|(i, c)| match i {
            4 | 7 => c == '-',
            10 | 19 => c == ' ',
            13 | 16 | 23 => c == ':',
            20 => c == '+' || c == '-',
            _ => c.is_ascii_digit(),
        })
}

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
    world: World,
}

impl Scene {
    /// Starts the scene with the server `forged` or genuine; waits for the
    /// first cycle and the item. `None` when the tools are missing outside CI.
    fn start(forged: bool) -> Option<Scene> {
        let world = attributing_world();
        let desktop = tray_desktop(&world)?;
        html_handler(&world);
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
            world,
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

/// A desktop with a tray host in `world`; `None` when the tools are
/// missing outside CI.
fn tray_desktop(world: &World) -> Option<Desktop> {
    Desktop::start(
        &world.path("desktop"),
        Options {
            tray: true,
            ..Options::default()
        },
    )
}

/// Makes a recording script this world's user's choice for HTML files (a
/// desktop entry and mimeapps.list, as a desktop's settings write them),
/// so the real xdg-open "opens" the details page by appending its path to
/// `opened.txt`.
fn html_handler(world: &World) {
    let script = world.path("open-html.sh");
    crate::support::write_file(
        &script,
        &format!(
            "#!/bin/sh\necho \"$1\" >> '{}'\n",
            world.path("opened.txt").display()
        ),
    );
    let mut mode = std::fs::metadata(&script)
        .expect("the script")
        .permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut mode, 0o755);
    std::fs::set_permissions(&script, mode).expect("make the script executable");
    let apps = world.path(".local/share/applications");
    std::fs::create_dir_all(&apps).expect("create the applications directory");
    std::fs::create_dir_all(world.path("config")).expect("create the config directory");
    crate::support::write_file(
        &apps.join("pinwatch-test-browser.desktop"),
        &format!(
            "[Desktop Entry]\nType=Application\nName=Test browser\nExec={} %f\nMimeType=text/html;\n",
            script.display()
        ),
    );
    crate::support::write_file(
        &world.path("config/mimeapps.list"),
        "[Default Applications]\ntext/html=pinwatch-test-browser.desktop\n",
    );
}

/// Starts the agent with its tray, watching the server at `port`; waits
/// for its first cycle.
fn spawn_agent(world: &World, desktop: &Desktop, port: u16) -> Agent {
    let mut agent = world.agent().via(port).desktop_with_tray(desktop).spawn();
    agent.wait_cycles(1);
    agent
}

/// The labels of `item`'s menu.
fn labels(item: &TrayItem) -> Vec<String> {
    item.menu().into_iter().map(|(_, l)| l).collect()
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
    assert_eq!(
        labels(item),
        [
            "Check now",
            "Show details",
            "Pause alerts for 1 hour",
            "Quit"
        ]
    );
    let (_, detail) = scene.wait_state("Active", "All clear: ");
    let time = detail.strip_prefix("Last check: ").unwrap_or_default();
    assert!(
        is_local_time(time),
        "the local time with its offset: {detail:?}"
    );
    scene.desktop.wait_tray_icon_colour(GREEN, CYCLE);
    let mut icons = vec![(
        "all clear".to_string(),
        scene.desktop.tray_icon("tray-icon-all-clear"),
    )];
    scene.desktop.screenshot("tray-all-clear");

    // The network starts intercepting; the user asks for a check.
    scene.check_now(
        true,
        2,
        "checked (user): 0 ok, 0 suspicious, 1 intercepted",
        Some(1),
    );
    scene.wait_state("NeedsAttention", THIS_DEVICE);
    let notifications = scene.desktop.wait_notifications(1, CYCLE);
    assert_eq!(notifications[0].urgency, Some(2), "{notifications:#?}");
    scene.desktop.wait_tray_icon_colour(RED, CYCLE);
    icons.push((
        "intercepted".into(),
        scene.desktop.tray_icon("tray-icon-intercepted"),
    ));
    let shot = scene.desktop.screenshot("tray-intercepted");
    if std::env::var_os("PINWATCH_SCREENSHOTS").is_some() {
        let docs = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("docs/screenshots/desktop-intercepted.png");
        std::fs::copy(&shot, &docs).expect("copy the screenshot");
    }

    // Back to the genuine chain: the state clears. (Whether the end is
    // announced is the next test's matter.)
    scene.check_now(false, 3, "checked (user): 1 ok", None);
    scene.wait_state("Active", "All clear: ");
    scene.desktop.wait_tray_icon_colour(GREEN, CYCLE);

    // Alerts paused: a calm state shows the pause, the menu offers to
    // resume; resumed, the all-clear shield is back.
    scene.item.click("Pause alerts for 1 hour");
    let (_, detail) = scene.wait_state("Active", "Alerts paused: pinwatch keeps checking");
    assert!(detail.contains("Alerts paused until "), "{detail:?}");
    scene.desktop.wait_tray_icon_colour(PAUSED, CYCLE);
    icons.push(("paused".into(), scene.desktop.tray_icon("tray-icon-paused")));
    let menu = poll(CYCLE, || {
        let menu = labels(&scene.item);
        menu.contains(&"Resume alerts".to_string()).then_some(menu)
    });
    assert!(
        menu.is_some(),
        "the menu offers to resume: {:?}",
        labels(&scene.item)
    );
    scene.item.click("Resume alerts");
    scene.agent.wait_log("alerts resumed", CYCLE);
    scene.wait_state("Active", "All clear: ");
    scene.desktop.wait_tray_icon_colour(GREEN, CYCLE);
    assert_distinct(&icons, 36);

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
    let (_, detail) = scene.wait_state("NeedsAttention", THIS_DEVICE);
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

/// Every state's icon as the agent generates it (the pixmaps the tray
/// sends), 32 px square: pairwise distinct in greyscale and under a
/// deuteranopia simulation. With `PINWATCH_SCREENSHOTS=1` a sheet of them
/// is written to docs/screenshots/tray-icons.png.
#[test]
fn every_tray_state_has_an_icon_told_apart_without_colour() {
    if require("the tray icons' images", image::TOOLS).is_none() {
        return;
    }
    use pinwatch::agent::TrayState;
    use pinwatch::agent::icon;
    let dir = tempfile::tempdir().expect("a temp dir");
    let icons = |size: u32| -> Vec<(String, PathBuf)> {
        TrayState::ALL
            .iter()
            .map(|state| {
                let path = dir.path().join(format!("{}-{size}.pam", state.as_str()));
                std::fs::write(&path, icon::pam(*state, size)).expect("write the icon");
                (state.as_str().to_string(), path)
            })
            .collect()
    };
    assert_distinct(&icons(32), 32);
    let sheet = if std::env::var_os("PINWATCH_SCREENSHOTS").is_some() {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots/tray-icons.png")
    } else {
        dir.path().join("tray-icons.png")
    };
    let large = icons(64);
    image::montage(&large, &sheet);
    assert!(sheet.exists());
}

/// "Show details" three times: the real xdg-open opens the page each time
/// (with the handler this user chose for HTML, a recording script), and no
/// opener is left a zombie.
#[test]
fn show_details_leaves_no_zombie() {
    let Some(scene) = Scene::start(false) else {
        return;
    };
    let opened = scene.world.path("opened.txt");
    let pid = scene.agent.pid();
    for _ in 0..3 {
        scene.item.click("Show details");
    }
    let pages = poll(CYCLE, || {
        let text = std::fs::read_to_string(&opened).unwrap_or_default();
        (text.lines().count() >= 3).then_some(text)
    });
    let pages = pages.unwrap_or_else(|| {
        panic!(
            "xdg-open did not open the page three times; agent log:\n{}",
            scene.agent.log()
        )
    });
    for page in pages.lines() {
        assert!(page.ends_with("/state/report.html"), "{pages}");
    }
    let zombies = || {
        children(pid)
            .into_iter()
            .filter(|(_, state)| *state == 'Z')
            .collect::<Vec<_>>()
    };
    let reaped = poll(std::time::Duration::from_secs(10), || {
        zombies().is_empty().then_some(())
    });
    assert!(
        reaped.is_some(),
        "zombie children of the agent: {:?}",
        zombies()
    );
}

/// The children of process `pid`: (pid, state letter), from /proc.
fn children(pid: u32) -> Vec<(u32, char)> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|child| {
            let stat = std::fs::read_to_string(format!("/proc/{child}/stat")).ok()?;
            // "PID (COMM) STATE PPID ...": COMM may hold spaces and parentheses.
            let after = &stat[stat.rfind(')')? + 2..];
            let mut fields = after.split(' ');
            let state = fields.next()?.chars().next()?;
            let ppid: u32 = fields.next()?.parse().ok()?;
            (ppid == pid).then_some((child, state))
        })
        .collect()
}

/// "Check now" during one interception announces it again, and the details
/// page still shows one incident, going on, not two with the first ended.
#[test]
fn check_now_during_an_interception_leaves_one_incident() {
    let Some(mut scene) = Scene::start(true) else {
        return;
    };
    scene.desktop.wait_notifications(1, CYCLE);
    scene.check_now(
        true,
        2,
        "checked (user): 0 ok, 0 suspicious, 1 intercepted",
        Some(1),
    );
    scene.check_now(
        true,
        3,
        "checked (user): 0 ok, 0 suspicious, 1 intercepted",
        Some(1),
    );
    let page =
        std::fs::read_to_string(scene.world.path("state/report.html")).expect("the details page");
    let recent = page.split("id=\"recent\"").nth(1).unwrap_or_default();
    assert_eq!(
        recent.matches("<tr><td>").count(),
        1,
        "one incident: {recent}"
    );
    assert!(recent.contains("not resolved yet"), "going on: {recent}");
    assert_eq!(scene.agent.stop(), 2);
}

/// With `TZ=Asia/Shanghai`, every time a person reads is local with its
/// offset: the tray's tooltip, the details page, `status` and `history`;
/// JSON keeps UTC.
#[test]
fn times_are_local_with_their_zone_on_every_surface() {
    let world = attributing_world();
    let Some(desktop) = tray_desktop(&world) else {
        return;
    };
    let genuine = world.genuine_server();
    let mut agent = world
        .agent()
        .via(genuine.addr().port())
        .desktop_with_tray(&desktop)
        .env("TZ", "Asia/Shanghai")
        .spawn();
    agent.wait_cycles(1);
    let item = wait_item(&desktop, &agent, CYCLE);
    let tooltip = poll(CYCLE, || {
        let (_, detail) = item.tooltip();
        detail.starts_with("Last check: ").then_some(detail)
    })
    .unwrap_or_default();
    assert!(tooltip.ends_with(" +08:00"), "tray: {tooltip:?}");
    let page = std::fs::read_to_string(world.path("state/report.html")).expect("the page");
    assert!(page.contains(" +08:00</span>"), "details page: {page}");
    assert_eq!(agent.stop(), 0);
    let journal = world.journal().display().to_string();
    for (command, extra) in [
        ("status", None),
        ("history", None),
        ("status", Some("json")),
    ] {
        let mut cmd = world.pinwatch(&[command, "--journal", &journal]);
        if let Some(format) = extra {
            cmd.args(["--format", format]);
        }
        cmd.env("TZ", "Asia/Shanghai");
        let (status, stdout, stderr) = crate::support::process::run("pinwatch", cmd, CYCLE);
        assert!(status.code().is_some(), "{stderr}");
        match extra {
            None => assert!(
                stdout.lines().next().is_some_and(|l| l.contains(" +08:00")),
                "{command}: {stdout}"
            ),
            Some(_) => {
                let doc: serde_json::Value = serde_json::from_str(&stdout).expect("status is JSON");
                assert!(
                    doc["checked_at"].as_str().is_some_and(|t| t.ends_with('Z')),
                    "JSON keeps UTC: {doc:#}"
                );
            }
        }
    }
}

/// The interception alert's "Show details" (its default action, picked
/// in dunst) opens the details page, as the tray's menu item does.
#[test]
fn the_alerts_show_details_opens_the_page() {
    let Some(scene) = Scene::start(true) else {
        return;
    };
    scene.desktop.wait_notifications(1, CYCLE);
    scene.desktop.invoke_notification_action();
    let opened = scene.world.path("opened.txt");
    let page = poll(CYCLE, || {
        std::fs::read_to_string(&opened)
            .ok()
            .filter(|t| !t.is_empty())
    });
    assert!(
        page.is_some_and(|p| p.trim_end().ends_with("/state/report.html")),
        "the page was not opened; agent log:\n{}",
        scene.agent.log()
    );
}

/// The calm state's shield colour (agent/icon.rs).
const LAVENDER: &str = "#C5B3F0";

/// The note the office's administrator wrote for its gateway.
const OFFICE_NOTE: &str = "Head office TLS gateway";

/// A host of no known service, behind a server the test switches.
const OTHER: &str = "other.pinwatch.test";

/// An office's inspection gateway (its root in this machine's store, the
/// leaves forged by an intermediate it signed), listed in the agent's
/// config as sanctioned: the tray host shows the calm "your organisation
/// inspects these connections" state with the note and the eye (told
/// apart from the interception's shield as the host draws them), no
/// notification is sent, and the details page says the same. When a
/// second, unsanctioned interceptor appears on the same network, it wins:
/// the tray turns to the interception and one critical alert is sent.
#[test]
fn a_sanctioned_interceptor_is_a_calm_persistent_state_and_another_still_alerts() {
    use crate::support::HOST;
    use crate::support::agent::{connect_to, toml_list, toml_str};
    use crate::support::pki::{Ca, Validity};

    let world = attributing_world();
    let Some(desktop) = tray_desktop(&world) else {
        return;
    };
    let root = Ca::root("Head Office Root CA", "Head Office");
    let gateway_ca = root.intermediate("Head Office Inspection CA", "Head Office");
    world.set_system_store(&[&root]);
    let gateway = Server::forging(std::sync::Arc::new(gateway_ca));
    let other_genuine = Server::tls(&world.leaf(&[OTHER], Validity::Current));
    let other_forged = Server::forging(world.evil.clone());
    let switch = Switch::to(&other_genuine);
    let sanctioned = format!(
        "[{{ key = {}, note = {} }}]",
        toml_str(&root.spki_sha256()),
        toml_str(OFFICE_NOTE)
    );
    let mut agent = world
        .agent()
        .set(
            "targets",
            &toml_list(&[HOST.to_string(), OTHER.to_string()]),
        )
        .set(
            "connect_to",
            &toml_list(&[
                connect_to(HOST, gateway.addr().port()),
                connect_to(OTHER, switch.addr().port()),
            ]),
        )
        .set("sanctioned", &sanctioned)
        .desktop_with_tray(&desktop)
        .spawn();
    agent.expect_cycle(
        1,
        "checked (start): 1 ok, 0 suspicious, 1 intercepted",
        Some(0),
    );
    let item = wait_item(&desktop, &agent, CYCLE);
    let calm = format!("Your organisation inspects these connections ({OFFICE_NOTE}): Test Chat");
    let shown = poll(CYCLE, || {
        let tooltip = item.tooltip();
        (item.status() == "Active" && tooltip.0 == calm).then_some(tooltip)
    });
    let (_, detail) = shown.unwrap_or_else(|| {
        panic!(
            "the tray item did not show Active / `{calm}`: it shows {} / {:?}\nagent log:\n{}",
            item.status(),
            item.tooltip(),
            agent.log()
        )
    });
    assert!(detail.starts_with("Last check: "), "{detail:?}");
    desktop.wait_tray_icon_colour(LAVENDER, CYCLE);
    let mut icons = vec![(
        "sanctioned".to_string(),
        desktop.tray_icon("tray-icon-sanctioned"),
    )];
    // The cycle's line comes after its notifications: none was sent.
    assert!(
        desktop.notifications().is_empty(),
        "{:#?}",
        desktop.notifications()
    );
    let page = std::fs::read_to_string(world.path("state/report.html")).expect("the details page");
    assert!(
        page.contains(&format!(
            "data-verdict=\"sanctioned\">Your organisation inspects these connections ({OFFICE_NOTE}): it runs this interceptor on purpose. No other interception was found.</p>"
        )),
        "{page}"
    );
    assert!(
        page.contains("<div class=\"incident sanctioned\" id=\"incident\">"),
        "{page}"
    );
    assert!(
        !page.contains("id=\"remove-root\""),
        "the organisation's root is not for removing: {page}"
    );

    // Another interceptor on the same network: it alarms, whatever the
    // sanctioned one does.
    switch.switch(&other_forged);
    item.click("Check now");
    agent.expect_cycle(
        2,
        "checked (user): 0 ok, 0 suspicious, 2 intercepted",
        Some(1),
    );
    let attention = poll(CYCLE, || {
        (item.status() == "NeedsAttention" && item.tooltip().0 == THIS_DEVICE).then_some(())
    });
    assert!(
        attention.is_some(),
        "the tray shows {} / {:?}",
        item.status(),
        item.tooltip()
    );
    desktop.wait_tray_icon_colour(RED, CYCLE);
    icons.push((
        "intercepted".into(),
        desktop.tray_icon("tray-icon-intercepted-beside-sanctioned"),
    ));
    assert_distinct(&icons, 36);
    let notifications = desktop.wait_notifications(1, CYCLE);
    assert_eq!(notifications.len(), 1, "{notifications:#?}");
    assert_eq!(notifications[0].summary, THIS_DEVICE, "{notifications:#?}");
    assert_eq!(notifications[0].urgency, Some(2), "{notifications:#?}");
    assert!(
        notifications[0].body.contains(OTHER) && !notifications[0].body.contains("Test Chat"),
        "the alert is the other interceptor's alone: {notifications:#?}"
    );
    let page = std::fs::read_to_string(world.path("state/report.html")).expect("the details page");
    assert!(page.contains("data-verdict=\"intercepted\""), "{page}");
    assert_eq!(agent.stop(), 2, "the other interceptor stands");
}
