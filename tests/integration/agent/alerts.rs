//! Notifications, as the notification server receives them: a real session
//! bus, dunst under Xvfb, and `busctl monitor` recording every Notify call
//! (summary, body, urgency hint, timeout).

use super::{attributing_world, fields, records};
use crate::support::agent::{CYCLE, toml_list, toml_str};
use crate::support::desktop::{Desktop, Notification, Options};
use crate::support::netns::NetNs;
use crate::support::pki::Validity;
use crate::support::process::{poll, run};
use crate::support::server::{Server, Switch};
use crate::support::{HOST, World};

/// The one notification the agent sent.
fn only(notifications: &[Notification]) -> &Notification {
    match notifications {
        [n] => n,
        _ => panic!("expected one notification, got {notifications:#?}"),
    }
}

/// The title of an interception on loopback (traced to this device).
const THIS_DEVICE: &str = "Software on this device is intercepting your encrypted connections";

/// Its action, first in the body.
const ACTION: &str = "Software on this device is intercepting the connection: turn it off or remove it, with its root certificate.";

#[test]
fn an_interception_is_a_critical_alert_with_what_where_the_action_and_the_exposed_service() {
    let world = attributing_world();
    let Some(mut desktop) = Desktop::start(&world.path("desktop"), Options::default()) else {
        return;
    };
    let middlebox = Server::forging(world.evil.clone());
    let out = world
        .agent()
        .via(middlebox.addr().port())
        .desktop(&desktop)
        .once();
    assert_eq!(out.code, 2, "exit code of an interception: {out:#?}");
    let notifications = desktop.wait_notifications(1, CYCLE);
    let n = only(&notifications);
    assert_eq!(n.app, "pinwatch", "{n:#?}");
    assert_eq!(n.summary, THIS_DEVICE, "{n:#?}");
    assert_eq!(n.urgency, Some(2), "critical: {n:#?}");
    assert_eq!(n.timeout, 0, "stays until dismissed: {n:#?}");
    assert_eq!(
        n.body,
        format!("{ACTION}\nReadable in full: Test Chat"),
        "the action first, then the service by what it exposes: {n:#?}"
    );
    desktop.screenshot("notification-interception");

    // dunst showed it.
    let shown = desktop.dunst_history();
    assert!(
        shown
            .iter()
            .any(|(a, s, b)| a == "pinwatch" && s == &n.summary && b == &n.body),
        "dunst's history: {shown:#?}"
    );

    // The journal says it was shown.
    let history = world.history_json();
    let alerts = records(&history, "alert");
    assert_eq!(alerts.len(), 1, "{history:#}");
    assert_eq!(alerts[0]["kind"], "interception", "{history:#}");
    assert_eq!(alerts[0]["summary"], n.summary.as_str(), "{history:#}");
    assert_eq!(alerts[0]["shown"], true, "{history:#}");
    assert_eq!(alerts[0]["services"][0], "chat", "{history:#}");
    desktop.assert_running();
}

#[test]
fn agent_once_from_a_timer_alerts_once_per_incident_and_says_when_it_ends() {
    let world = attributing_world();
    let Some(mut desktop) = Desktop::start(&world.path("desktop"), Options::default()) else {
        return;
    };
    let middlebox = Server::forging(world.evil.clone());
    let genuine = world.genuine_server();
    let run = |server: &Server| {
        world
            .agent()
            .via(server.addr().port())
            .desktop(&desktop)
            .once()
    };
    // Intercepted: one alert.
    assert_eq!(run(&middlebox).code, 2);
    let first = desktop.wait_notifications(1, CYCLE);
    let n = only(&first);
    assert_eq!(n.summary, THIS_DEVICE);
    assert!(n.body.starts_with(ACTION), "the action first: {n:#?}");
    assert!(n.body.ends_with("Readable in full: Test Chat"), "{n:#?}");
    // Still intercepted, on the next run of the timer: nothing new.
    assert_eq!(run(&middlebox).code, 2);
    // Clean: the resolved notice.
    assert_eq!(run(&genuine).code, 0);
    let all = desktop.wait_notifications(2, CYCLE);
    let summaries: Vec<&str> = all.iter().map(|n| n.summary.as_str()).collect();
    assert_eq!(summaries, [THIS_DEVICE, "Resolved: Test Chat"], "{all:#?}");
    assert_eq!(
        all[1].urgency,
        Some(0),
        "a resolution is low urgency: {all:#?}"
    );
    desktop.assert_running();
}

#[test]
fn alerts_are_in_chinese_when_asked() {
    let world = attributing_world();
    let Some(desktop) = Desktop::start(&world.path("desktop"), Options::default()) else {
        return;
    };
    let middlebox = Server::forging(world.evil.clone());
    let port = middlebox.addr().port();
    // The flag wins over the config's language; then the config alone.
    let out = world
        .agent()
        .via(port)
        .desktop(&desktop)
        .arg("--lang")
        .arg("zh")
        .once();
    assert_eq!(out.code, 2, "{out:#?}");
    // A fresh incident state, so the second run alerts again.
    let _ = std::fs::remove_file(world.path("state/incidents.json"));
    let out = world
        .agent()
        .via(port)
        .desktop(&desktop)
        .set("language", &toml_str("zh"))
        .once();
    assert_eq!(out.code, 2, "{out:#?}");
    let notifications = desktop.wait_notifications(2, CYCLE);
    assert_eq!(notifications.len(), 2, "{notifications:#?}");
    for n in &notifications {
        assert_eq!(n.summary, "这台设备上的软件正在拦截你的加密连接", "{n:#?}");
        assert_eq!(n.urgency, Some(2), "{n:#?}");
        assert_eq!(
            n.body,
            "这台设备上有软件在拦截连接：请关闭或卸载它，并删除它的根证书。\n可被完整读取：测试聊天",
            "the Chinese action and exposure: {n:#?}"
        );
    }
}

#[test]
fn a_captive_portal_asks_to_log_in_first() {
    let world = World::new();
    let Some(desktop) = Desktop::start(&world.path("desktop"), Options::default()) else {
        return;
    };
    let wrong_name = Server::tls(&world.leaf(&["login.portal.test"], Validity::Current));
    let portal = Server::http(
        "HTTP/1.1 302 Found\r\nLocation: http://login.portal.test/\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    let out = world
        .agent()
        .via(wrong_name.addr().port())
        .set("portal_check", "true")
        .set(
            "portal_checks",
            &toml_list(&[format!("{}/generate_204", portal.url())]),
        )
        .desktop(&desktop)
        .once();
    assert_eq!(out.code, 3, "nothing could be checked: {out:#?}");
    assert_eq!(portal.seen(), ["GET /generate_204 HTTP/1.1"], "{out:#?}");
    let notifications = desktop.wait_notifications(1, CYCLE);
    let n = only(&notifications);
    assert_eq!(n.summary, "Log in to the network first", "{n:#?}");
    assert!(n.body.contains("Test Chat"), "names the service: {n:#?}");
    assert_eq!(n.urgency, Some(1), "normal: {n:#?}");
    desktop.screenshot("notification-captive-portal");
}

/// One long-running agent in a network namespace sees the same
/// interception twice (the second check triggered by a network change),
/// then the genuine chain: one alert, then a quiet "resolved".
#[test]
fn an_interception_is_announced_once_and_its_end_quietly() {
    let world = attributing_world();
    let Some(mut ns) = NetNs::create() else {
        return;
    };
    let Some(desktop) = Desktop::start(&world.path("desktop"), Options::default()) else {
        return;
    };
    let forged = Server::forging(world.evil.clone());
    let genuine = world.genuine_server();
    let mut switch = Switch::to(&forged);
    let socket = world.path("switch.sock");
    switch.listen_unix(&socket);
    let _forward = ns.forward(8443, &socket);
    let mut agent = world.agent().via(8443).desktop(&desktop).spawn_in(&ns);

    agent.expect_cycle(
        1,
        "checked (start): 0 ok, 0 suspicious, 1 intercepted",
        Some(1),
    );
    let first = desktop.wait_notifications(1, CYCLE);
    let n = only(&first);
    assert_eq!(n.summary, THIS_DEVICE);
    assert!(n.body.starts_with(ACTION), "the action first: {n:#?}");
    assert!(n.body.ends_with("Readable in full: Test Chat"), "{n:#?}");

    // The same interception again: not announced again.
    ns.add_address();
    agent.expect_cycle(
        2,
        "checked (network): 0 ok, 0 suspicious, 1 intercepted",
        Some(0),
    );

    switch.switch(&genuine);
    ns.add_address();
    agent.expect_cycle(
        3,
        "checked (network): 1 ok, 0 suspicious, 0 intercepted",
        Some(1),
    );
    let notifications = desktop.wait_notifications(2, CYCLE);
    let [interception, resolved] = &notifications[..] else {
        panic!("one interception alert, then the resolution: {notifications:#?}");
    };
    assert_eq!(interception.urgency, Some(2), "{notifications:#?}");
    assert_eq!(
        resolved.summary, "Resolved: Test Chat",
        "{notifications:#?}"
    );
    assert_eq!(
        resolved.body, "The certificate is the genuine one again.",
        "{notifications:#?}"
    );
    assert_eq!(resolved.urgency, Some(0), "low: {notifications:#?}");
    desktop.screenshot("notifications-interception-then-resolved");
    assert_eq!(agent.stop(), 0, "the last check was ok");

    let history = world.history_json();
    assert_eq!(
        fields(&history, "cycle", "trigger"),
        ["start", "network", "network"],
        "{history:#}"
    );
    assert_eq!(
        fields(&history, "alert", "kind"),
        ["interception", "resolved"],
        "{history:#}"
    );
    assert_eq!(fields(&history, "check", "host"), [HOST; 3], "{history:#}");
}

#[test]
fn notify_test_is_unmistakably_a_test() {
    let world = World::new();
    let Some(desktop) = Desktop::start(&world.path("desktop"), Options::default()) else {
        return;
    };
    let mut cmd = world.pinwatch(&["notify-test"]);
    cmd.envs(desktop.env());
    let (status, stdout, stderr) = run("pinwatch notify-test", cmd, CYCLE);
    assert_eq!(status.code(), Some(0), "{stdout}\n{stderr}");
    let notifications = desktop.wait_notifications(1, CYCLE);
    let n = only(&notifications);
    // Worded as a real alert (what and where, the action for the network's
    // router, the services by what they expose), marked as a test: its
    // title says so first, normal urgency, not persistent.
    assert_eq!(
        n.summary, "Test: This network is intercepting your encrypted connections",
        "{n:#?}"
    );
    assert_eq!(n.urgency, Some(1), "normal: {n:#?}");
    assert_eq!(n.timeout, -1, "the server's default timeout: {n:#?}");
    assert_eq!(
        n.body.lines().collect::<Vec<_>>(),
        [
            "Do not log in or chat on this network. Use mobile data or another network you trust, and tell the venue.",
            "Readable in full: ChatGPT",
            "Logins and files readable: WeChat",
            "This is only a test: nothing is wrong.",
        ],
        "{n:#?}"
    );
    assert_eq!(
        stdout.trim_end(),
        format!("{}\n{}", n.summary, n.body),
        "{stdout}"
    );
    desktop.screenshot("notification-notify-test");
}

#[test]
fn two_agent_once_runs_at_the_same_moment_alert_once() {
    let world = attributing_world();
    let Some(mut desktop) = Desktop::start(&world.path("desktop"), Options::default()) else {
        return;
    };
    let middlebox = Server::forging(world.evil.clone());
    // Both started before either has read the incident state.
    let mut runs: Vec<_> = (1..=2)
        .map(|n| {
            let run = world.agent().via(middlebox.addr().port());
            let command = run.desktop(&desktop).arg("--once").command();
            crate::support::process::Proc::spawn(&format!("pinwatch agent --once ({n})"), command)
        })
        .collect();
    for proc in &mut runs {
        let status = proc.wait_exit(CYCLE).expect("agent --once finishes");
        assert_eq!(status.code(), Some(2), "{}", proc.stderr().text());
    }
    // Both checked and journalled; the journal's lock let one alert.
    let history = world.history_json();
    assert_eq!(records(&history, "cycle").len(), 2, "{history:#}");
    let alerts = records(&history, "alert");
    assert_eq!(alerts.len(), 1, "{history:#}");
    assert_eq!(alerts[0]["shown"], true, "{history:#}");
    // Notify returns once the server has the notification: both runs have
    // ended, so dunst has every notification it will get.
    let shown: Vec<_> = desktop
        .dunst_history()
        .into_iter()
        .filter(|(app, _, _)| app == "pinwatch")
        .collect();
    assert_eq!(shown.len(), 1, "{shown:#?}");
    desktop.assert_running();
}

/// Markup and a right-to-left override from outside (a forger's issuer
/// name, a service's name in a pins file) reach nothing a person reads as
/// markup or reversed text: dunst, with its default configuration (markup
/// rendered), gets them escaped and shows the whole body, and the details
/// page shows them escaped too.
#[test]
fn markup_and_bidi_overrides_from_outside_are_inert_in_the_notification() {
    const HOSTILE: &str = "<b>ALL CLEAR</b> <i>Chat \u{202e}tahC";
    let world = World::new();
    world.write_pins(&world.pins());
    let service = world.path("pins/services/chat.toml");
    let text = std::fs::read_to_string(&service).expect("the service file");
    crate::support::write_file(
        &service,
        &text.replace(
            "display_name = \"Test Chat\"",
            &format!("display_name = {}", toml_str(HOSTILE)),
        ),
    );
    let options = Options {
        default_dunstrc: true,
        ..Options::default()
    };
    let Some(mut desktop) = Desktop::start(&world.path("desktop"), options) else {
        return;
    };
    let forger_ca = std::sync::Arc::new(crate::support::pki::Ca::root(
        "<b>ALL CLEAR</b> \u{202e}2G tooR labolG treCigiD <i",
        "<u>Trusted</u>",
    ));
    let middlebox = Server::forging(forger_ca);
    let out = world
        .agent()
        .via(middlebox.addr().port())
        .desktop(&desktop)
        .once();
    assert_eq!(out.code, 2, "{out:#?}");
    let notifications = desktop.wait_notifications(1, CYCLE);
    let n = only(&notifications);
    for text in [&n.summary, &n.body] {
        assert!(
            !text.contains('<') && !text.contains('\u{202e}'),
            "nothing raw reaches the server: {n:#?}"
        );
    }
    assert!(
        n.body.ends_with(
            "Readable in full: &lt;b&gt;ALL CLEAR&lt;/b&gt; &lt;i&gt;Chat \\u{202e}tahC"
        ),
        "escaped as the spec's markup, the override shown: {n:#?}"
    );
    // dunst took the body whole (an unbalanced tag makes it drop a body it
    // cannot parse) and drew it.
    let window = poll(CYCLE, || desktop.notification_window());
    assert!(window.is_some_and(|(_, h)| h > 40), "{window:?}");
    desktop.screenshot("notification-hostile-names");
    let shown = desktop.dunst_history();
    assert_eq!(
        shown.first().map(|(_, _, body)| body.as_str()),
        Some(n.body.as_str()),
        "{shown:#?}"
    );
    let page = std::fs::read_to_string(world.path("state/report.html")).expect("the page");
    assert!(!page.contains('\u{202e}'), "the page shows no override raw");
    assert!(
        page.contains("&lt;b&gt;ALL CLEAR&lt;/b&gt; \\u{202e}2G tooR labolG treCigiD &lt;i"),
        "the issuer, escaped, in the evidence"
    );
    desktop.assert_running();
}
