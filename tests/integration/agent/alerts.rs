//! Notifications, as the notification server receives them: a real session
//! bus, dunst under Xvfb, and `busctl monitor` recording every Notify call
//! (summary, body, urgency hint, timeout).

use super::{attributing_world, fields, records};
use crate::support::agent::{CYCLE, toml_list, toml_str};
use crate::support::desktop::{Desktop, Notification, Options};
use crate::support::netns::NetNs;
use crate::support::pins::INTERCEPTOR_NAME;
use crate::support::pki::Validity;
use crate::support::process::run;
use crate::support::server::{Server, Switch};
use crate::support::{HOST, World};

/// The one notification the agent sent.
fn only(notifications: &[Notification]) -> &Notification {
    match notifications {
        [n] => n,
        _ => panic!("expected one notification, got {notifications:#?}"),
    }
}

#[test]
fn an_interception_is_a_critical_alert_naming_the_service_the_product_and_the_exposure() {
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
    assert_eq!(n.summary, "Interception detected: Test Chat", "{n:#?}");
    assert_eq!(n.urgency, Some(2), "critical: {n:#?}");
    assert_eq!(n.timeout, 0, "stays until dismissed: {n:#?}");
    assert!(
        n.body.contains(INTERCEPTOR_NAME),
        "names the product: {n:#?}"
    );
    assert!(
        n.body.contains("your test messages"),
        "says what is exposed: {n:#?}"
    );
    assert!(
        n.body.contains("Evil Corp reads your traffic."),
        "gives the product's advice: {n:#?}"
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
    assert_eq!(n.summary, "Interception detected: Test Chat");
    assert!(
        n.body
            .starts_with("Test Chat is intercepted by Evil Corp Interceptor on this device."),
        "who and where: {n:#?}"
    );
    assert!(n.body.contains("Test Chat: your test messages"), "{n:#?}");
    // Still intercepted, on the next run of the timer: nothing new.
    assert_eq!(run(&middlebox).code, 2);
    // Clean: the resolved notice.
    assert_eq!(run(&genuine).code, 0);
    let all = desktop.wait_notifications(2, CYCLE);
    let summaries: Vec<&str> = all.iter().map(|n| n.summary.as_str()).collect();
    assert_eq!(
        summaries,
        ["Interception detected: Test Chat", "Resolved: Test Chat"],
        "{all:#?}"
    );
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
        assert_eq!(n.summary, "检测到拦截：测试聊天", "{n:#?}");
        assert_eq!(n.urgency, Some(2), "{n:#?}");
        assert!(n.body.contains("读取和篡改"), "{n:#?}");
        assert!(n.body.contains("测试消息"), "the Chinese exposure: {n:#?}");
        assert!(
            n.body.contains("邪恶公司在读你的流量。"),
            "the Chinese advice: {n:#?}"
        );
        assert!(n.body.contains(INTERCEPTOR_NAME), "{n:#?}");
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
    assert_eq!(n.summary, "Interception detected: Test Chat");
    assert!(
        n.body
            .starts_with("Test Chat is intercepted by Evil Corp Interceptor on this device."),
        "who and where: {n:#?}"
    );
    assert!(n.body.contains("Test Chat: your test messages"), "{n:#?}");

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
fn notify_test_shows_a_sample_interception_alert() {
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
    // Worded as a real alert: both services in the title, one paragraph
    // for the one interceptor, where it is and what to do there.
    assert_eq!(
        n.summary, "Interception detected: ChatGPT, WeChat",
        "{n:#?}"
    );
    assert_eq!(n.urgency, Some(2), "{n:#?}");
    assert!(n.body.contains("mitmproxy"), "{n:#?}");
    assert_eq!(n.body.matches("What to do").count(), 1, "{n:#?}");
    assert!(n.body.contains("at this network's router"), "{n:#?}");
    for service in ["ChatGPT: ", "WeChat: "] {
        assert!(n.body.contains(service), "{service} {n:#?}");
    }
    assert!(
        n.body
            .ends_with("(This is a sample alert from pinwatch notify-test. Nothing is wrong.)"),
        "{n:#?}"
    );
    assert!(stdout.starts_with(&n.summary), "{stdout}");
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
