//! A private desktop session per test: a D-Bus session bus
//! (`dbus-run-session`, listening on a socket file in the test's temp dir,
//! so processes in the test's network namespaces reach it too), an X server
//! (`Xvfb -displayfd`, so parallel tests get distinct displays), the dunst
//! notification server, a `busctl monitor` recording every Notify call, and
//! optionally a StatusNotifierWatcher (`status-notifier-watcher`) with a
//! tray host (`gtk-sni-tray-standalone`). Everything stops when the
//! [`Desktop`] drops.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use super::process::{Proc, poll, require, run};
use super::write_file;

/// How long each part of the session may take to come up.
const STARTUP: Duration = Duration::from_secs(30);

/// The tools a session needs, with their Debian packages.
pub const TOOLS: &[(&str, &str)] = &[
    ("dbus-run-session", "dbus-daemon"),
    ("busctl", "systemd"),
    ("Xvfb", "xvfb"),
    ("dunst", "dunst"),
    ("dunstctl", "dunst"),
    ("import", "imagemagick"),
];

/// The tool that measures the notification's window.
pub const WINDOW_TOOLS: &[(&str, &str)] = &[("xwininfo", "x11-utils")];

/// The tray's tools.
pub const TRAY_TOOLS: &[(&str, &str)] = &[
    (
        "status-notifier-watcher",
        "haskell-status-notifier-item-utils",
    ),
    ("gtk-sni-tray-standalone", "haskell-gtk-sni-tray-utils"),
];

/// A point of the shield (not of its symbol) of the first icon in the tray
/// host's bar (bottom, 40 px tall, items from the left, drawn 32 px square
/// from x 4, y 562) on the 800x600 screen.
pub const TRAY_ICON: (u32, u32) = (12, 568);

/// The first icon's square in the bar: x, y, side.
pub const TRAY_ICON_AREA: (u32, u32, u32) = (2, 560, 36);

/// What to start besides the bus, the X server and dunst.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// A StatusNotifierWatcher and a tray host showing the items.
    pub tray: bool,
    /// No notification server (dunst is not started).
    pub without_notifications: bool,
    /// dunst with its own default configuration (the distribution's
    /// dunstrc), not the test's.
    pub default_dunstrc: bool,
}

/// One Notify call as the notification server received it.
#[derive(Clone, Debug, PartialEq)]
pub struct Notification {
    /// app_name.
    pub app: String,
    /// app_icon.
    pub icon: String,
    /// The title.
    pub summary: String,
    /// The text.
    pub body: String,
    /// The `urgency` hint: 0 low, 1 normal, 2 critical.
    pub urgency: Option<u64>,
    /// expire_timeout in ms (-1: the server's default, 0: never).
    pub timeout: i64,
}

/// A running private desktop session. Fields drop in order: the tray host
/// first, the bus last.
pub struct Desktop {
    host: Option<Proc>,
    watcher: Option<Proc>,
    monitor: Proc,
    dunst: Option<Proc>,
    xvfb: Proc,
    bus: Proc,
    address: String,
    display: String,
}

const BUS_CONFIG: &str = r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=SOCKET</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#;

/// dunst's own default configuration, as Debian ships it.
pub const DEFAULT_DUNSTRC: &str = "/etc/xdg/dunst/dunstrc";

/// Every notification stays until closed, so screenshots show it.
const DUNSTRC: &str = r##"[global]
    monitor = 0
    follow = none
    width = 460
    height = 300
    origin = top-right
    offset = 12x12
    padding = 10
    horizontal_padding = 12
    frame_width = 2
    font = DejaVu Sans 10
    markup = no
    format = "%s\n%b"
    alignment = left
    show_age_threshold = -1
    idle_threshold = 0
    show_indicators = no
    sticky_history = yes
    history_length = 100
    stack_duplicates = false
[urgency_low]
    background = "#20262e"
    foreground = "#c9d1d9"
    frame_color = "#1a7f37"
    timeout = 0
[urgency_normal]
    background = "#20262e"
    foreground = "#ffffff"
    frame_color = "#d48a00"
    timeout = 0
[urgency_critical]
    background = "#5c0f14"
    foreground = "#ffffff"
    frame_color = "#cf222e"
    timeout = 0
"##;

impl Desktop {
    /// Starts a session in `dir` (created); `None` when a tool is missing
    /// outside CI (see [`require`]).
    pub fn start(dir: &Path, options: Options) -> Option<Desktop> {
        require("the desktop session (D-Bus, Xvfb, dunst)", TOOLS)?;
        if options.tray {
            require("the tray (StatusNotifierWatcher and host)", TRAY_TOOLS)?;
        }
        std::fs::create_dir_all(dir).expect("create the desktop dir");
        let socket = dir.join("bus");
        let config = dir.join("bus.conf");
        write_file(
            &config,
            &BUS_CONFIG.replace("SOCKET", &socket.display().to_string()),
        );

        let mut cmd = Command::new("dbus-run-session");
        cmd.arg(format!("--config-file={}", config.display()))
            .args(["--", "sh", "-c"])
            .arg("echo \"$DBUS_SESSION_BUS_ADDRESS\"; exec sleep infinity");
        let mut bus = Proc::spawn("dbus-run-session", cmd);
        let address = bus.wait_stdout_line(STARTUP, |l| l.starts_with("unix:"));

        let mut cmd = Command::new("Xvfb");
        cmd.args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "800x600x24",
            "-nolisten",
            "tcp",
            "-noreset",
        ]);
        let mut xvfb = Proc::spawn("Xvfb", cmd);
        let number = xvfb.wait_stdout_line(STARTUP, |l| l.trim().parse::<u32>().is_ok());
        let display = format!(":{}", number.trim());

        let partial = Partial {
            address: address.clone(),
            display: display.clone(),
        };
        let dunst = (!options.without_notifications).then(|| {
            let rc = if options.default_dunstrc {
                PathBuf::from(DEFAULT_DUNSTRC)
            } else {
                let rc = dir.join("dunstrc");
                write_file(&rc, DUNSTRC);
                rc
            };
            let mut cmd = partial.command("dunst");
            cmd.arg("-config").arg(&rc);
            let mut dunst = Proc::spawn("dunst", cmd);
            partial.wait_for_name(&mut dunst, "org.freedesktop.Notifications");
            dunst
        });

        let mut cmd = partial.command("busctl");
        cmd.args([
            "--user",
            "monitor",
            "--json=short",
            "--match=type='method_call',interface='org.freedesktop.Notifications',member='Notify'",
        ]);
        let monitor = Proc::spawn("busctl monitor", cmd);
        // It says so on stderr once it is a monitor.
        let ready = monitor.stderr().wait_until(STARTUP, |lines| {
            lines
                .iter()
                .any(|l| l.contains("Monitoring bus message stream"))
        });
        assert!(
            ready.is_some(),
            "busctl monitor did not start:\n{}",
            monitor.stderr().text()
        );

        let mut desktop = Desktop {
            host: None,
            watcher: None,
            monitor,
            dunst,
            xvfb,
            bus,
            address,
            display,
        };
        if options.tray {
            desktop.start_tray();
        }
        Some(desktop)
    }

    /// Starts the StatusNotifierWatcher and the tray host (as a panel that
    /// starts late would); waits until the host registered.
    pub fn start_tray(&mut self) {
        assert!(self.watcher.is_none(), "the tray is already running");
        let partial = self.partial();
        let mut watcher = Proc::spawn(
            "status-notifier-watcher",
            partial.command("status-notifier-watcher"),
        );
        partial.wait_for_name(&mut watcher, "org.kde.StatusNotifierWatcher");
        let mut cmd = partial.command("gtk-sni-tray-standalone");
        cmd.args(["--bottom", "--size", "40", "--color", "#2d333b"]);
        let mut host = Proc::spawn("gtk-sni-tray-standalone", cmd);
        partial.wait_for(
            &mut host,
            "the tray host to register with the watcher",
            &[
                "get-property",
                "org.kde.StatusNotifierWatcher",
                "/StatusNotifierWatcher",
                "org.kde.StatusNotifierWatcher",
                "IsStatusNotifierHostRegistered",
            ],
            |v| v["data"] == true,
        );
        self.watcher = Some(watcher);
        self.host = Some(host);
    }

    /// The environment a client of this session needs.
    pub fn env(&self) -> [(&'static str, String); 2] {
        [
            ("DBUS_SESSION_BUS_ADDRESS", self.address.clone()),
            ("DISPLAY", self.display.clone()),
        ]
    }

    fn partial(&self) -> Partial {
        Partial {
            address: self.address.clone(),
            display: self.display.clone(),
        }
    }

    /// `busctl --user --json=short ARGS` on this bus: the parsed output.
    pub fn busctl(&self, args: &[&str]) -> Result<Value, String> {
        self.partial().busctl(args)
    }

    /// Every Notify call so far, in order.
    pub fn notifications(&self) -> Vec<Notification> {
        self.monitor
            .stdout()
            .snapshot()
            .iter()
            .filter_map(|l| parse_notify(l))
            .collect()
    }

    /// Waits until at least `n` Notify calls were made; returns them all.
    pub fn wait_notifications(&self, n: usize, timeout: Duration) -> Vec<Notification> {
        let seen = self.monitor.stdout().wait_until(timeout, |lines| {
            lines.iter().filter_map(|l| parse_notify(l)).count() >= n
        });
        assert!(
            seen.is_some(),
            "expected {n} notification(s) within {timeout:?}, got {:#?}\ndunst: {}",
            self.notifications(),
            self.dunst
                .as_ref()
                .map(|d| d.stderr().text())
                .unwrap_or_default()
        );
        self.notifications()
    }

    /// Clicks the newest notification as a person would pick its default
    /// action (`dunstctl action 0`).
    pub fn invoke_notification_action(&self) {
        let mut cmd = self.partial().command("dunstctl");
        cmd.args(["action", "0"]);
        let (status, _, err) = run("dunstctl", cmd, STARTUP);
        assert!(status.success(), "dunstctl action: {status}: {err}");
    }

    /// What dunst itself made of the notifications: closes the displayed
    /// ones (so they enter its history), then returns the history as
    /// (app name, summary, body) tuples, newest first. (dunst 1.9's history
    /// has no urgency; the Notify calls in [`Desktop::notifications`] do.)
    pub fn dunst_history(&self) -> Vec<(String, String, String)> {
        let dunstctl = |arg: &str| {
            let mut cmd = self.partial().command("dunstctl");
            cmd.arg(arg);
            let (status, out, err) = run("dunstctl", cmd, STARTUP);
            assert!(status.success(), "dunstctl {arg}: {status}: {err}");
            out
        };
        dunstctl("close-all");
        let field = |n: &Value, k: &str| n[k]["data"].as_str().unwrap_or_default().to_string();
        let read = || {
            let doc: Value = serde_json::from_str(&dunstctl("history"))
                .unwrap_or_else(|e| panic!("dunstctl history is not JSON: {e}"));
            doc["data"][0]
                .as_array()
                .map(|ns| {
                    ns.iter()
                        .map(|n| (field(n, "appname"), field(n, "summary"), field(n, "body")))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        };
        // The closed notifications reach the history as dunst gets to them.
        poll(STARTUP, || Some(read()).filter(|h| !h.is_empty())).unwrap_or_default()
    }

    /// Saves a screenshot of the whole screen as
    /// `target/test-artifacts/<name>.png`; returns its path.
    pub fn screenshot(&self, name: &str) -> PathBuf {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-artifacts");
        std::fs::create_dir_all(&dir).expect("create target/test-artifacts");
        let path = dir.join(format!("{name}.png"));
        let mut cmd = self.partial().command("import");
        cmd.args(["-window", "root"]).arg(&path);
        let (status, _, err) = run("import", cmd, STARTUP);
        assert!(status.success(), "screenshot {}: {err}", path.display());
        path
    }

    /// The size (width, height) of dunst's window (all the notifications it
    /// shows), from `xwininfo -root -tree`; `None` when none is shown.
    pub fn notification_window(&self) -> Option<(u32, u32)> {
        let mut cmd = self.partial().command("xwininfo");
        cmd.args(["-root", "-tree"]);
        let (status, out, err) = run("xwininfo", cmd, STARTUP);
        assert!(status.success(), "xwininfo: {err}");
        // `0x200001 "Dunst": ("Dunst" "Dunst")  300x123+490+50  +490+50`
        out.lines()
            .filter(|l| l.contains("\"Dunst\""))
            .find_map(|l| {
                let size = l.split_whitespace().find(|w| {
                    w.contains('x')
                        && w.contains('+')
                        && w.starts_with(|c: char| c.is_ascii_digit())
                })?;
                let (w, rest) = size.split_once('x')?;
                let h = rest.split('+').next()?;
                let (w, h): (u32, u32) = (w.parse().ok()?, h.parse().ok()?);
                // Before it draws, dunst's window is one pixel high.
                (h > 1).then_some((w, h))
            })
    }

    /// The colour (`#RRGGBB`) of the screen's pixel at (`x`, `y`).
    pub fn pixel(&self, x: u32, y: u32) -> String {
        let mut cmd = self.partial().command("import");
        cmd.args(["-window", "root", "-crop"])
            .arg(format!("1x1+{x}+{y}"))
            .args(["-depth", "8", "txt:-"]);
        let (status, out, err) = run("import", cmd, STARTUP);
        assert!(status.success(), "read pixel {x},{y}: {err}");
        // "0,0: (26,127,55)  #1A7F37  srgb(26,127,55)"
        out.lines()
            .last()
            .and_then(|l| l.split_whitespace().find(|w| w.starts_with('#')))
            .map(str::to_uppercase)
            .unwrap_or_else(|| panic!("no colour in {out:?}"))
    }

    /// Saves the first tray icon as drawn (its square of the bar) as
    /// `target/test-artifacts/<name>.png`; returns its path.
    pub fn tray_icon(&self, name: &str) -> PathBuf {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-artifacts");
        std::fs::create_dir_all(&dir).expect("create target/test-artifacts");
        let path = dir.join(format!("{name}.png"));
        let screen = self.screenshot(&format!("{name}-screen"));
        let (x, y, side) = TRAY_ICON_AREA;
        let mut cmd = Command::new("convert");
        cmd.arg(&screen)
            .arg("-crop")
            .arg(format!("{side}x{side}+{x}+{y}"))
            .arg("+repage")
            .arg(&path);
        let (status, _, err) = run("convert", cmd, STARTUP);
        assert!(status.success(), "tray icon {}: {err}", path.display());
        path
    }

    /// Waits until the tray host draws the first item's icon with its
    /// shield in `colour` (`#RRGGBB`, at [`TRAY_ICON`]).
    pub fn wait_tray_icon_colour(&self, colour: &str, timeout: Duration) {
        let (x, y) = TRAY_ICON;
        let mut seen = String::new();
        let drawn = poll(timeout, || {
            seen = self.pixel(x, y);
            (seen == colour).then_some(())
        });
        assert!(
            drawn.is_some(),
            "the tray icon at {x},{y} is {seen}, not {colour}, after {timeout:?}"
        );
    }

    /// The items registered with the StatusNotifierWatcher.
    pub fn tray_items(&self) -> Vec<TrayItem> {
        let v = self
            .busctl(&[
                "get-property",
                "org.kde.StatusNotifierWatcher",
                "/StatusNotifierWatcher",
                "org.kde.StatusNotifierWatcher",
                "RegisteredStatusNotifierItems",
            ])
            .unwrap_or_else(|e| panic!("ask the watcher for its items: {e}"));
        v["data"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|item| {
                        let (service, path) = match item.find('/') {
                            Some(i) => (&item[..i], &item[i..]),
                            None => (item, "/StatusNotifierItem"),
                        };
                        TrayItem {
                            service: service.to_string(),
                            path: path.to_string(),
                            session: self.partial(),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// What the tray host printed (for failure messages).
    pub fn tray_log(&self) -> String {
        self.host
            .as_ref()
            .map(|h| h.stderr().text())
            .unwrap_or_default()
    }

    /// Asserts that every process of the session is still running.
    pub fn assert_running(&mut self) {
        self.bus.assert_running();
        self.xvfb.assert_running();
        if let Some(d) = &mut self.dunst {
            d.assert_running();
        }
        self.monitor.assert_running();
        if let Some(w) = &mut self.watcher {
            w.assert_running();
        }
        if let Some(h) = &mut self.host {
            h.assert_running();
        }
    }
}

/// A StatusNotifierItem on the bus.
pub struct TrayItem {
    /// Its bus name.
    pub service: String,
    /// Its object path.
    pub path: String,
    session: Partial,
}

impl TrayItem {
    /// A property of org.kde.StatusNotifierItem, as busctl's JSON (`data`).
    pub fn property(&self, name: &str) -> Result<Value, String> {
        self.session
            .busctl(&[
                "get-property",
                &self.service,
                &self.path,
                "org.kde.StatusNotifierItem",
                name,
            ])
            .map(|v| v["data"].clone())
    }

    /// Status: Active, Passive or NeedsAttention.
    pub fn status(&self) -> String {
        self.property("Status")
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    /// The tooltip's title and description.
    pub fn tooltip(&self) -> (String, String) {
        let v = self.property("ToolTip").unwrap_or_default();
        let s = |i: usize| v[i].as_str().unwrap_or_default().to_string();
        (s(2), s(3))
    }

    /// The menu's items: (id, label), separators left out.
    pub fn menu(&self) -> Vec<(i64, String)> {
        let menu = self
            .property("Menu")
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| "/MenuBar".into());
        let layout = self
            .session
            .busctl(&[
                "call",
                &self.service,
                &menu,
                "com.canonical.dbusmenu",
                "GetLayout",
                "iias",
                "0",
                "--",
                "-1",
                "1",
                "label",
            ])
            .unwrap_or_else(|e| panic!("GetLayout on {}{menu}: {e}", self.service));
        layout["data"][1][2]
            .as_array()
            .map(|children| {
                children
                    .iter()
                    .filter_map(|c| {
                        let id = c["data"][0].as_i64()?;
                        let label = c["data"][1]["label"]["data"].as_str()?;
                        Some((id, label.to_string()))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Clicks the menu item labelled `label`, as a tray host does.
    pub fn click(&self, label: &str) {
        self.try_click(label)
            .unwrap_or_else(|e| panic!("click `{label}`: {e}"));
    }

    /// Like [`TrayItem::click`], returning busctl's error (an item that
    /// quits may leave the bus before it replies).
    pub fn try_click(&self, label: &str) -> Result<(), String> {
        let menu = self.menu();
        let Some((id, _)) = menu.iter().find(|(_, l)| l == label) else {
            panic!("no menu item `{label}` in {menu:?}");
        };
        let path = self
            .property("Menu")
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| "/MenuBar".into());
        let id = id.to_string();
        self.session
            .busctl(&[
                "call",
                &self.service,
                &path,
                "com.canonical.dbusmenu",
                "Event",
                "isvu",
                &id,
                "clicked",
                "s",
                "",
                "0",
            ])
            .map(|_| ())
    }
}

/// The parts of a session a client command needs.
#[derive(Clone)]
struct Partial {
    address: String,
    display: String,
}

impl Partial {
    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .env("DISPLAY", &self.display)
            .env_remove("DBUS_SYSTEM_BUS_ADDRESS");
        cmd
    }

    fn busctl(&self, args: &[&str]) -> Result<Value, String> {
        let mut cmd = self.command("busctl");
        cmd.args(["--user", "--json=short"]).args(args);
        let (status, out, err) = run("busctl", cmd, STARTUP);
        if !status.success() {
            return Err(format!("busctl {}: {status}: {err}", args.join(" ")));
        }
        if out.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&out).map_err(|e| format!("busctl {}: {e}: {out}", args.join(" ")))
    }

    /// Waits until `name` has an owner on the bus (`owner` being the
    /// process that should take it).
    fn wait_for_name(&self, owner: &mut Proc, name: &str) {
        self.wait_for(
            owner,
            &format!("{name} to be taken"),
            &[
                "call",
                "org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus",
                "NameHasOwner",
                "s",
                name,
            ],
            |v| v["data"][0] == true,
        );
    }

    /// Polls `busctl ARGS` until `done` holds for its output, while `owner`
    /// (the process expected to make it so) runs.
    fn wait_for(&self, owner: &mut Proc, what: &str, args: &[&str], done: fn(&Value) -> bool) {
        let ok = poll(STARTUP, || {
            owner.assert_running();
            self.busctl(args).ok().filter(done).map(|_| ())
        });
        assert!(
            ok.is_some(),
            "waited {STARTUP:?} for {what}:\n{}",
            owner.stderr().text()
        );
    }
}

/// A Notify call from one line of `busctl monitor --json=short`.
fn parse_notify(line: &str) -> Option<Notification> {
    let v: Value = serde_json::from_str(line).ok()?;
    if v["type"] != "method_call" || v["member"] != "Notify" {
        return None;
    }
    let d = &v["payload"]["data"];
    let s = |i: usize| d[i].as_str().unwrap_or_default().to_string();
    Some(Notification {
        app: s(0),
        icon: s(2),
        summary: s(3),
        body: s(4),
        urgency: d[6]["urgency"]["data"].as_u64(),
        timeout: d[7].as_i64().unwrap_or_default(),
    })
}
