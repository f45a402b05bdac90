//! The case pinwatch exists for, as a person at the café sees it: the
//! café's router forges a chain for every built-in service (a routed
//! network of namespaces of the test's own, `support::topology`; its root
//! is not installed on this PC), and the agent, checking from the client's
//! namespace with the built-in pins, alerts through a real session bus to
//! dunst under Xvfb with dunst's own default configuration (300x300 pixels
//! at most, Monospace 8, markup on). What dunst rendered is compared with
//! what was sent, and dunst's window must end before its height limit, so
//! nothing was cut off; in English and in Chinese.

use pinwatch::knowledge::load_embedded;

use crate::support::World;
use crate::support::agent::{CYCLE, toml_list, toml_str};
use crate::support::desktop::{Desktop, Notification, Options, WINDOW_TOOLS};
use crate::support::process::{poll, require};
use crate::support::server::Server;
use crate::support::topology::{Topology, server_addr};

/// dunst's default `height`: the most its window grows before it
/// ellipsizes (/etc/xdg/dunst/dunstrc).
const DUNST_MAX_HEIGHT: u32 = 300;

#[test]
fn the_cafe_router_alert_shows_its_action_uncut_in_english_and_chinese() {
    let world = World::new();
    let Some(mut topo) = Topology::new(1, world.dir()) else {
        return;
    };
    let options = Options {
        default_dunstrc: true,
        ..Options::default()
    };
    let Some(desktop) = Desktop::start(&world.path("desktop"), options) else {
        return;
    };
    if require("the notification's window", WINDOW_TOOLS).is_none() {
        return;
    }
    let genuine = world.genuine_server();
    topo.serve(&genuine);
    let forger = Server::forging(world.evil.clone());
    topo.intercept_at(1, &forger);
    // Every host of every built-in service, reached through the café.
    let k = load_embedded().expect("the built-in pins");
    let hosts: Vec<String> = k
        .services
        .iter()
        .flat_map(|s| s.hosts.iter().map(|h| h.name.clone()))
        .collect();
    let routes: Vec<String> = hosts
        .iter()
        .map(|h| format!("{h}:443:{}:443", server_addr(1)))
        .collect();
    let cases = [
        (
            "en",
            "This network is intercepting your encrypted connections",
            "Do not log in or chat on this network. Use mobile data or another network you trust, and tell the venue.",
            "Readable in full: ",
        ),
        (
            "zh",
            "这个网络正在拦截你的加密连接",
            "不要在这个网络上登录或聊天。请改用手机流量或其他你信任的网络，并告知场所的管理者。",
            "可被完整读取：",
        ),
    ];
    for (i, (lang, title, action, group)) in cases.into_iter().enumerate() {
        // A fresh incident state, so each language's run alerts.
        let _ = std::fs::remove_file(world.path("state/incidents.json"));
        let out = world
            .agent()
            .unset("pins")
            .set("language", &toml_str(lang))
            .set("connect_to", &toml_list(&routes))
            .desktop(&desktop)
            .once_in(topo.client());
        assert_eq!(out.code, 2, "{lang}: every service intercepted: {out:#?}");
        let sent: Notification = desktop.wait_notifications(i + 1, CYCLE)[i].clone();
        assert_eq!(sent.summary, title, "{lang}: {sent:#?}");
        let lines: Vec<&str> = sent.body.lines().collect();
        assert_eq!(lines[0], action, "{lang}: the action first: {sent:#?}");
        assert!(lines[1].starts_with(group), "{lang}: {sent:#?}");
        assert_eq!(sent.urgency, Some(2), "{lang}: {sent:#?}");
        // dunst drew it whole: its window ends before the height limit.
        let window = poll(CYCLE, || desktop.notification_window());
        let shot = desktop.screenshot(&format!("notification-cafe-{lang}"));
        let (_, height) = window.unwrap_or_else(|| panic!("{lang}: no dunst window"));
        assert!(
            height < DUNST_MAX_HEIGHT,
            "{lang}: dunst's window is {height} px, its limit {DUNST_MAX_HEIGHT}: cut off ({})",
            shot.display()
        );
        if std::env::var_os("PINWATCH_SCREENSHOTS").is_some() {
            // The screen's top right corner, where dunst draws.
            let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(format!("docs/screenshots/notification-cafe-{lang}.png"));
            let mut crop = std::process::Command::new("convert");
            crop.arg(&shot)
                .args(["-crop", "400x280+400+0", "+repage"])
                .arg(&docs);
            let (status, _, err) =
                crate::support::process::run("convert", crop, std::time::Duration::from_secs(60));
            assert!(status.success(), "crop the screenshot: {err}");
        }
        // What dunst kept is what was sent.
        let shown = desktop.dunst_history();
        assert_eq!(
            shown.first(),
            Some(&(
                "pinwatch".to_string(),
                sent.summary.clone(),
                sent.body.clone()
            )),
            "{lang}: dunst's history: {shown:#?}"
        );
    }
}
