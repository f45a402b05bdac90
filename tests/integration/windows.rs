//! The Windows build (`pinwatch.exe`, x86_64-win7-windows-gnu) under Wine,
//! against the same real loopback servers as the Linux tests: verdicts,
//! exit codes and the JSON schema of `check`; a root planted in Wine's
//! CurrentUser Root store (through the registry) found by `roots` with its
//! store and making a forged chain `intercepted` with "this machine trusts
//! it"; the proxy set in Wine's registry (WinINet settings) pointing at a
//! real mitmproxy, used and named in the advice; a PAC script named in a
//! warning; Chinese from the Windows user locale; the agent on a Wine
//! desktop under Xvfb: its tray icon, the balloon where toasts fail, the
//! Windows steps of its details page, one agent per user, the system-wide
//! config under %ProgramData%.
//!
//! Each test holds the Wine prefix alone (`support::wine`).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::support::mitm::Mitmdump;
use crate::support::pki::Validity;
use crate::support::server::{Server, closed_port};
use crate::support::wine::{
    BALLOON_AREA, TRAY_AREA, Wine, colours, reg_hex, store_blob, thumbprint, windows_path,
};
use crate::support::{HOST, Run, World};

/// The CurrentUser Root store's registry key.
const USER_ROOT: &str =
    "HKEY_CURRENT_USER\\Software\\Microsoft\\SystemCertificates\\Root\\Certificates";

/// The per-user WinINet settings.
const INTERNET_SETTINGS: &str =
    "HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings";

/// The shape of a JSON document: every object's keys with the shape of
/// their values, an array as the shapes of its elements merged, a scalar
/// as its type.
fn shape(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), shape(v))).collect())
        }
        Value::Array(items) => {
            let mut merged: BTreeMap<String, Value> = BTreeMap::new();
            for item in items {
                let s = shape(item);
                merged.insert(s.to_string(), s);
            }
            Value::Array(merged.into_values().collect())
        }
        Value::String(_) => "string".into(),
        Value::Number(_) => "number".into(),
        Value::Bool(_) => "bool".into(),
        Value::Null => "null".into(),
    }
}

/// One scenario: its name, the run, and the verdict, reasons and exit code
/// expected of it.
type Case<'a> = (
    &'a str,
    Box<dyn Fn() -> Run + 'a>,
    &'a str,
    &'a [&'a str],
    i32,
);

#[test]
fn windows_check_verdicts_exit_codes_and_json_as_on_linux() {
    let Some(wine) = Wine::start("the Windows check under Wine") else {
        return;
    };
    let world = World::new();
    let genuine = world.genuine_server();
    let middlebox = Server::forging(world.evil.clone());
    let portal = Server::tls(&world.leaf(&["other.example"], Validity::Current));
    let redirect = Server::http(
        "HTTP/1.1 302 Found\r\nLocation: http://login.portal.test/\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    let closed = closed_port();
    let cases: [Case<'_>; 4] = [
        (
            "ok",
            Box::new(|| world.check().via(&genuine)),
            "ok",
            &["public_root", "pin_match"],
            0,
        ),
        (
            "forged",
            Box::new(|| world.check().via(&middlebox)),
            "intercepted",
            &["untrusted_root", "unknown_root"],
            2,
        ),
        (
            "closed port",
            Box::new(|| {
                world
                    .check()
                    .arg(HOST)
                    .connect_to(HOST, closed)
                    .arg("--timeout")
                    .arg("5s")
            }),
            "unreachable",
            &["tcp_failed"],
            3,
        ),
        (
            "captive portal",
            Box::new(|| {
                world
                    .check()
                    .via(&portal)
                    .arg("--portal-check")
                    .arg(format!("{}/generate_204", redirect.url()))
            }),
            "captive_portal",
            &["name_mismatch", "portal_detected"],
            3,
        ),
    ];
    for (name, run, verdict, reasons, code) in &cases {
        let windows = run().through(wine.outer()).json();
        windows.expect(verdict, reasons, *code);
        let linux = run().json();
        linux.expect(verdict, reasons, *code);
        assert_eq!(
            shape(&windows.doc),
            shape(&linux.doc),
            "{name}: the Windows JSON has Linux's schema\nWindows: {windows:?}\nLinux: {linux:?}"
        );
    }
    let forged = cases[1].1().through(wine.outer()).json();
    let r = forged.expect("intercepted", &[], 2);
    assert!(
        r["interceptor"].is_null()
            && forged.doc["incidents"][0]["issuer"]
                .as_str()
                .is_some_and(|i| i.contains("Evil Corp Interception CA")),
        "{forged:?}"
    );
}

#[test]
fn windows_roots_finds_a_root_planted_in_the_current_user_store() {
    let Some(wine) = Wine::start("roots and check with Wine's CurrentUser Root store") else {
        return;
    };
    let world = World::new();
    let der = world.evil.der();
    let thumb = thumbprint(der);
    let key = format!("{USER_ROOT}\\{thumb}");
    let audit = |wine: &Wine| {
        world
            .run(&["roots", "--format", "json", "--no-browsers"])
            .env_remove("SSL_CERT_FILE")
            .through(wine.outer())
            .output()
    };
    let before: Value = serde_json::from_str(&audit(&wine).stdout).expect("roots JSON");
    let has_evil = |doc: &Value| {
        doc["roots"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| {
                r["subject"]
                    .as_str()
                    .is_some_and(|s| s.contains("Evil Corp Interception CA"))
            })
            .cloned()
    };
    assert!(has_evil(&before).is_none(), "{before:#}");
    assert_eq!(
        before["sources"][0]
            .as_str()
            .map(|s| s.starts_with("Windows certificate stores")),
        Some(true),
        "{before:#}"
    );

    let planted = wine.registry(&key, &format!("\"Blob\"={}", reg_hex(&store_blob(der))));
    let out = audit(&wine);
    let doc: Value = serde_json::from_str(&out.stdout).expect("roots JSON");
    let evil = has_evil(&doc).unwrap_or_else(|| panic!("the planted root is listed: {doc:#}"));
    assert_eq!(evil["class"], "extra", "{evil:#}");
    assert_eq!(
        evil["locations"],
        serde_json::json!([
            "Windows store CurrentUser\\Root (HKCU\\Software\\Microsoft\\SystemCertificates\\Root\\Certificates)"
        ]),
        "{evil:#}"
    );
    assert!(out.code >= 1, "an extra root: exit 1 or 2: {out:?}");

    // A chain from it: intercepted, and this machine trusts it.
    let middlebox = Server::forging(world.evil.clone());
    let forged = world
        .check()
        .via(&middlebox)
        .env_remove("SSL_CERT_FILE")
        .through(wine.outer())
        .json();
    let r = forged.expect(
        "intercepted",
        &["untrusted_root", "system_root_installed"],
        2,
    );
    assert_eq!(r["anchor"], "system", "{forged:?}");
    assert!(
        r["evidence"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|e| e["code"] == "system_root_at"
                && e["location"]
                    .as_str()
                    .is_some_and(|l| l.starts_with("Windows store CurrentUser\\Root"))),
        "{forged:?}"
    );
    let text = world
        .check()
        .via(&middlebox)
        .env_remove("SSL_CERT_FILE")
        .arg("--format")
        .arg("text")
        .through(wine.outer())
        .output();
    assert_eq!(text.code, 2, "{text:?}");
    assert!(
        text.stdout
            .contains("This machine trusts its root certificate"),
        "{text:?}"
    );

    drop(planted);
    let after: Value = serde_json::from_str(&audit(&wine).stdout).expect("roots JSON");
    assert!(has_evil(&after).is_none(), "removed again: {after:#}");
}

#[test]
fn windows_check_goes_through_the_proxy_set_in_the_registry() {
    let Some(wine) = Wine::start("the WinINet proxy under Wine") else {
        return;
    };
    let world = World::new();
    let Some(mitm) = Mitmdump::start(world.dir()) else {
        return;
    };
    let port = mitm
        .url()
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .to_string();
    // Each form of ProxyServer: one server for all, and per protocol.
    for server in [
        format!("127.0.0.1:{port}"),
        format!("http=127.0.0.1:1;https=127.0.0.1:{port}"),
    ] {
        let _settings = wine.registry(
            INTERNET_SETTINGS,
            &format!(
                "\"ProxyEnable\"=dword:00000001\r\n\"ProxyServer\"=\"{server}\"\r\n\"ProxyOverride\"=\"<local>;*.bypassed.test\""
            ),
        );
        let report = world
            .bare_check(&world.path("system.pem"))
            .arg(HOST)
            .through(wine.outer())
            .json();
        let r = report.expect("intercepted", &["untrusted_root"], 2);
        assert_eq!(r["via_proxy"], mitm.url(), "{server}: {report:?}");
        assert_eq!(r["interceptor"]["name"], "mitmproxy", "{report:?}");
        assert_eq!(r["location"]["where"], "this_device", "{report:?}");

        let text = world
            .bare_check(&world.path("system.pem"))
            .arg(HOST)
            .arg("--format")
            .arg("text")
            .through(wine.outer())
            .output();
        assert!(
            text.stdout.contains(&format!(
                "through the proxy {} set on this device",
                mitm.url()
            )),
            "{text:?}"
        );
        assert!(
            text.stdout
                .contains(&format!("Turn off the proxy setting ({})", mitm.url())),
            "{text:?}"
        );

        // An override pattern goes direct: nothing listens there.
        let direct = world
            .bare_check(&world.path("system.pem"))
            .arg("chat.bypassed.test")
            .connect_to("chat.bypassed.test", closed_port())
            .through(wine.outer())
            .json();
        let r = direct.expect("unreachable", &["tcp_failed"], 3);
        assert!(r["via_proxy"].is_null(), "{direct:?}");
    }
}

#[test]
fn windows_names_a_proxy_script_it_cannot_run() {
    let Some(wine) = Wine::start("a PAC URL in the WinINet settings") else {
        return;
    };
    let world = World::new();
    let genuine = world.genuine_server();
    let _settings = wine.registry(
        INTERNET_SETTINGS,
        "\"ProxyEnable\"=dword:00000000\r\n\"AutoConfigURL\"=\"http://wpad.cafe.test/proxy.pac\"",
    );
    let report = world.check().via(&genuine).through(wine.outer()).json();
    report.expect("ok", &[], 0);
    let warnings = report.doc["warnings"].to_string();
    assert!(
        warnings.contains("automatic configuration script (http://wpad.cafe.test/proxy.pac)")
            && warnings.contains("pinwatch checked directly"),
        "{report:?}"
    );
}

#[test]
fn windows_speaks_chinese_on_a_chinese_windows() {
    let Some(wine) = Wine::start("the Windows user locale under Wine") else {
        return;
    };
    let world = World::new();
    let middlebox = Server::forging(world.evil.clone());
    let text = |lang: &str, flag: Option<&str>| {
        let mut run = world.check().via(&middlebox).arg("--format").arg("text");
        if let Some(flag) = flag {
            run = run.arg("--lang").arg(flag);
        }
        // Wine takes the Windows user locale from the Unix locale it starts
        // in, and passes the variables on; cmd.exe clears them, so that
        // pinwatch.exe sees a Windows environment, which names no locale.
        let mut outer = wine.outer();
        let exe = outer.args.remove(0);
        outer.args = vec![
            "cmd".into(),
            "/c".into(),
            format!(
                "set LANG=&& set LC_ALL=&& set LC_MESSAGES=&& set LANGUAGE=&& {}",
                windows_path(std::path::Path::new(&exe))
            ),
        ];
        outer.envs.push(("LC_ALL".into(), lang.into()));
        run.through(outer).output()
    };
    let zh = text("zh_CN.UTF-8", None);
    assert_eq!(zh.code, 2, "{zh:?}");
    assert!(zh.stdout.contains("被拦截"), "{zh:?}");
    let en = text("en_US.UTF-8", None);
    assert!(en.stdout.contains("INTERCEPTED"), "{en:?}");
    let flag = text("zh_CN.UTF-8", Some("en"));
    assert!(
        flag.stdout.contains("INTERCEPTED") && !flag.stdout.contains("被拦截"),
        "{flag:?}"
    );
}

/// `path` (a Windows path Wine knows) as a path on this machine.
fn unix_path(wine: &Wine, windows: &str) -> std::path::PathBuf {
    let out = wine.wait(
        "winepath -u",
        wine.command("winepath").arg("-u").arg(windows),
    );
    std::path::PathBuf::from(out.trim())
}

/// A Windows environment variable's value in the prefix (`%NAME%`).
fn windows_var(wine: &Wine, name: &str) -> String {
    let out = wine.wait(
        "cmd /c echo",
        wine.command("wine")
            .args(["cmd", "/c", &format!("echo %{name}%")]),
    );
    out.trim().to_string()
}

/// `reg query KEY /v VALUE`: the value's data, if the value exists.
fn reg_value(wine: &Wine, key: &str, value: &str) -> Option<String> {
    let mut cmd = wine.command("wine");
    cmd.args(["reg", "query", key, "/v", value]);
    let (status, out, _) =
        crate::support::process::run("reg query", cmd, std::time::Duration::from_secs(120));
    if !status.success() {
        return None;
    }
    out.lines()
        .find_map(|l| l.trim().strip_prefix(value)?.trim().strip_prefix("REG_SZ"))
        .map(|v| v.trim().to_string())
}

/// Runs the uninstaller silently and waits until the installation is gone
/// (an NSIS uninstaller copies itself to %TEMP% and returns at once).
fn uninstall(wine: &Wine, dir: &std::path::Path, extra: &[&str]) {
    let uninstaller = dir.join("uninstall.exe");
    wine.wait(
        "uninstall.exe /S",
        wine.command("wine").arg(&uninstaller).arg("/S").args(extra),
    );
    let gone = crate::support::process::poll(std::time::Duration::from_secs(60), || {
        (!dir.exists()).then_some(())
    });
    assert!(
        gone.is_some(),
        "{} still there after uninstalling",
        dir.display()
    );
}

#[test]
fn windows_installer_installs_and_uninstalls_silently() {
    let Some(wine) = Wine::start("the NSIS installer under Wine") else {
        return;
    };
    let Some(setup) = std::env::var_os("PINWATCH_WINDOWS_SETUP").filter(|s| !s.is_empty()) else {
        crate::support::process::unavailable(
            "the NSIS installer under Wine",
            "PINWATCH_WINDOWS_SETUP is not set (scripts/test.sh builds it with packaging/windows/installer)",
        );
        return;
    };
    // The zip beside the installer holds pinwatch.exe alone.
    let zip = std::path::PathBuf::from(
        setup
            .to_string_lossy()
            .replace("-setup.exe", "-windows-x86_64.zip"),
    );
    let mut list = std::process::Command::new("python3");
    list.args([
        "-c",
        "import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).namelist())",
    ])
    .arg(&zip);
    assert_eq!(
        wine.wait("list the zip", &mut list).trim(),
        "['pinwatch.exe']"
    );

    let local = unix_path(&wine, &windows_var(&wine, "LOCALAPPDATA"));
    let roaming = unix_path(&wine, &windows_var(&wine, "APPDATA"));
    let dir = local.join("Programs/pinwatch");
    let journal_dir = local.join("pinwatch");
    let shortcut = roaming.join("Microsoft/Windows/Start Menu/Programs/pinwatch.lnk");
    let run_key = "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run";
    let uninstall_key = "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\pinwatch";
    // Left over from an interrupted run: start clean.
    if dir.join("uninstall.exe").is_file() {
        uninstall(&wine, &dir, &["/DELETEJOURNAL"]);
    }
    let _ = std::fs::remove_dir_all(&journal_dir);

    let install = |wine: &Wine| {
        wine.wait("setup /S", wine.command("wine").arg(&setup).arg("/S"));
    };
    install(&wine);
    for file in [
        "pinwatch.exe",
        "uninstall.exe",
        "README.md",
        "LICENSE-MIT.txt",
        "LICENSE-APACHE.txt",
    ] {
        assert!(
            dir.join(file).is_file(),
            "{file} installed in {}",
            dir.display()
        );
    }
    let lnk = std::fs::read(&shortcut).expect("the Start-menu shortcut");
    let utf16 = |s: &str| {
        s.encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect::<Vec<u8>>()
    };
    let contains = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
    assert!(
        contains(&lnk, &utf16("agent")) && contains(&lnk, b"pinwatch.exe"),
        "the shortcut starts pinwatch.exe agent"
    );
    let installed = format!(
        "{}\\Programs\\pinwatch\\pinwatch.exe",
        windows_var(&wine, "LOCALAPPDATA")
    );
    assert_eq!(
        reg_value(&wine, run_key, "pinwatch"),
        Some(format!("\"{installed}\" agent")),
        "the agent starts with the session"
    );
    assert!(reg_value(&wine, uninstall_key, "QuietUninstallString").is_some());

    // pinwatch.exe check from where it was installed.
    let world = World::new();
    let genuine = world.genuine_server();
    let mut outer = wine.outer();
    outer.args = vec![dir.join("pinwatch.exe").display().to_string()];
    world
        .check()
        .via(&genuine)
        .through(outer)
        .json()
        .expect("ok", &["public_root"], 0);

    // Uninstalled silently: everything goes but the journal.
    std::fs::create_dir_all(journal_dir.join("data")).expect("journal dir");
    std::fs::write(journal_dir.join("data/journal.jsonl"), "{}\n").expect("journal");
    uninstall(&wine, &dir, &[]);
    assert!(!shortcut.exists(), "shortcut removed");
    assert_eq!(
        reg_value(&wine, run_key, "pinwatch"),
        None,
        "autostart removed"
    );
    assert_eq!(
        reg_value(&wine, uninstall_key, "DisplayName"),
        None,
        "entry removed"
    );
    assert!(
        journal_dir.join("data/journal.jsonl").is_file(),
        "the journal is kept"
    );

    // /DELETEJOURNAL: the journal goes too.
    install(&wine);
    uninstall(&wine, &dir, &["/DELETEJOURNAL"]);
    assert!(!journal_dir.exists(), "the journal is deleted when asked");
}

/// An agent config checking [`HOST`] at `server` with the world's public
/// roots and pins; returns its path and the journal's.
fn agent_files(world: &World, server: &Server) -> (std::path::PathBuf, std::path::PathBuf) {
    let config = world.path("agent.toml");
    let toml =
        |s: &std::path::Path| serde_json::to_string(&s.display().to_string()).unwrap_or_default();
    crate::support::write_file(
        &config,
        &format!(
            "targets = [\"{HOST}\"]\nconnect_to = [\"{HOST}:443:127.0.0.1:{}\"]\npublic_roots = {}\npins = {}\nportal_check = false\n",
            server.addr().port(),
            toml(&world.path("public-roots.pem")),
            toml(&world.path("pins")),
        ),
    );
    (config, world.path("state/journal.jsonl"))
}

/// `pinwatch.exe agent` with `config` and `journal` (`--once` when `once`)
/// through `outer`, reading this machine's stores (no SSL_CERT_FILE).
fn agent_command(
    world: &World,
    outer: crate::support::Outer,
    (config, journal): &(std::path::PathBuf, std::path::PathBuf),
    once: bool,
) -> std::process::Command {
    let config = config.display().to_string();
    let journal = journal.display().to_string();
    let mut args = vec!["agent", "--config", &config, "--journal", &journal];
    if once {
        args.push("--once");
    }
    world
        .run(&args)
        .env_remove("SSL_CERT_FILE")
        .through(outer)
        .command()
}

/// The intercepted shield's fill (`agent::icon`).
const INTERCEPTED_RED: &str = "#A40E26";

/// How many pixels of the notification area in `shot` are the intercepted
/// shield's red.
fn red_in_tray(shot: &std::path::Path) -> u64 {
    colours(shot, TRAY_AREA)
        .get(INTERCEPTED_RED)
        .copied()
        .unwrap_or(0)
}

#[test]
fn windows_agent_once_shows_a_balloon_where_toasts_fail() {
    let part = "the agent's tray balloon under Wine";
    let Some(wine) = Wine::start(part) else {
        return;
    };
    let Some(desktop) = wine.desktop(part) else {
        return;
    };
    let world = World::new();
    let middlebox = Server::forging(world.evil.clone());
    // This PC trusts the interceptor's root, in the user's own store.
    let der = world.evil.der();
    let _planted = wine.registry(
        &format!("{USER_ROOT}\\{}", thumbprint(der)),
        &format!("\"Blob\"={}", reg_hex(&store_blob(der))),
    );
    let files = agent_files(&world, &middlebox);

    // The clean desktop: nothing of pinwatch's (no icon, so no taskbar yet).
    let clean = desktop.screenshot("windows-desktop-clean");
    let clean_balloon = colours(&clean, BALLOON_AREA);
    assert_eq!(red_in_tray(&clean), 0);

    // One cycle: the toast fails (REGDB_E_CLASSNOTREG), the alert shows
    // as a balloon on an icon of its own while the run lingers.
    let mut once = crate::support::process::Proc::spawn(
        "agent --once",
        agent_command(&world, desktop.outer(), &files, true),
    );
    let balloon_asked = once
        .stderr()
        .wait_until(std::time::Duration::from_secs(120), |lines| {
            lines.iter().any(|l| l.contains("shown as a balloon"))
        });
    assert!(balloon_asked.is_some(), "{}", once.stderr().text());
    let mut last = None;
    let shown = crate::support::process::poll(std::time::Duration::from_secs(15), || {
        let shot = desktop.screenshot("windows-balloon");
        let new: u64 = colours(&shot, BALLOON_AREA)
            .iter()
            .filter(|(colour, _)| !clean_balloon.contains_key(*colour))
            .map(|(_, n)| n)
            .sum();
        let red = red_in_tray(&shot);
        last = Some((new, red));
        (new > 5_000 && red > 10).then_some(shot)
    });
    assert!(
        shown.is_some(),
        "a balloon above the notification area and the intercepted icon in it (new pixels, red pixels): {last:?}; {}",
        once.stderr().text()
    );
    if let (Some(shot), Some(_)) = (&shown, std::env::var_os("PINWATCH_SCREENSHOTS")) {
        // The bottom right of the desktop: the balloon and the tray.
        let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("docs/screenshots/windows-balloon.png");
        let mut crop = std::process::Command::new("convert");
        crop.arg(shot)
            .args(["-crop", "624x140+400+628", "+repage"])
            .arg(&docs);
        wine.wait("crop the screenshot", &mut crop);
    }
    let status = once
        .wait_exit(std::time::Duration::from_secs(60))
        .expect("agent --once ends after its linger");
    let stderr = once.stderr().text();
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "cannot show a notification: Windows toasts are not available here (REGDB_E_CLASSNOTREG"
        ),
        "{stderr}"
    );

    // Journalled as shown; the details page says how to remove the root
    // from the store it sits in.
    let text = std::fs::read_to_string(&files.1).expect("the journal");
    let records: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert!(
        records.iter().any(|r| r["verdict"] == "intercepted"),
        "{text}"
    );
    let alert = records
        .iter()
        .find(|r| {
            r["kind"]
                .as_str()
                .is_some_and(|k| k.contains("interception"))
        })
        .unwrap_or_else(|| panic!("an alert record: {text}"));
    assert_eq!(alert["shown"], true, "{text}");
    let page = std::fs::read_to_string(world.path("state/report.html")).expect("the details page");
    assert!(
        page.contains("<li id=\"remove-windows-user\">Windows trusts it from your own certificate store (CurrentUser\\Root)."),
        "{page}"
    );
    assert!(
        page.contains("certmgr.msc") && page.contains("&quot;Evil Corp Interception CA&quot;"),
        "{page}"
    );
    assert!(!page.contains("update-ca-certificates"), "{page}");
}

#[test]
fn windows_agent_once_without_a_desktop_journals_the_alert_as_not_shown() {
    let Some(wine) = Wine::start("the agent without a desktop under Wine") else {
        return;
    };
    let world = World::new();
    let middlebox = Server::forging(world.evil.clone());
    let files = agent_files(&world, &middlebox);
    // No display (a scheduled task outside the session): no toast, no
    // balloon; the alert is journalled as not shown, and the run does not
    // wait for a balloon that was never drawn.
    let mut cmd = agent_command(&world, wine.outer(), &files, true);
    cmd.env_remove("DISPLAY");
    let (status, _, stderr) =
        crate::support::process::run("agent --once", cmd, std::time::Duration::from_secs(120));
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot show a notification"), "{stderr}");
    assert!(
        stderr.contains("cannot show the alert as a tray balloon either: no tray icon"),
        "{stderr}"
    );
    assert!(!stderr.contains("keeping the alert on screen"), "{stderr}");
    let text = std::fs::read_to_string(&files.1).expect("the journal");
    let alert: Value = text
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|r| {
            r["kind"]
                .as_str()
                .is_some_and(|k| k.contains("interception"))
        })
        .unwrap_or_else(|| panic!("an alert record: {text}"));
    assert_eq!(alert["shown"], false, "{text}");
    assert!(
        world.path("state/report.html").is_file(),
        "the details page"
    );
}

#[test]
fn windows_agent_shows_its_tray_icon_and_runs_once_per_user() {
    let part = "the agent's tray icon under Wine";
    let Some(wine) = Wine::start(part) else {
        return;
    };
    let Some(desktop) = wine.desktop(part) else {
        return;
    };
    let world = World::new();
    let middlebox = Server::forging(world.evil.clone());
    let files = agent_files(&world, &middlebox);

    let mut first = crate::support::process::Proc::spawn(
        "agent",
        agent_command(&world, desktop.outer(), &files, false),
    );
    let checked = first
        .stderr()
        .wait_until(std::time::Duration::from_secs(120), |lines| {
            lines
                .iter()
                .any(|l| l.contains("pinwatch agent: checked ("))
        });
    first.assert_running();
    assert!(
        checked.is_some(),
        "the first agent holds the lock and has checked: {}",
        first.stderr().text()
    );
    // The icon shows the interception (the red shield) in the notification area.
    let mut red = 0;
    let drawn = crate::support::process::poll(std::time::Duration::from_secs(30), || {
        red = red_in_tray(&desktop.screenshot("windows-tray-intercepted"));
        (red > 10).then_some(())
    });
    assert!(
        drawn.is_some(),
        "the intercepted shield in the tray: {red} red pixels"
    );
    let stderr = first.stderr().text();
    assert!(stderr.contains("shown as a balloon"), "{stderr}");
    // The network watch started (Wine never reports a change: README).
    assert!(
        !stderr.contains("network changes cannot be watched"),
        "{stderr}"
    );
    assert!(!stderr.contains("no tray icon"), "{stderr}");

    // One agent per user: a second one exits at once, naming the first.
    let (status, _, stderr) = crate::support::process::run(
        "second agent",
        agent_command(&world, desktop.outer(), &files, false),
        std::time::Duration::from_secs(120),
    );
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("another pinwatch agent is already running"),
        "{stderr}"
    );
    first.assert_running();
    // `status` sees it (it asks the same lock).
    let journal = files.1.display().to_string();
    let status = world
        .run(&["status", "--journal", &journal, "--lang", "en"])
        .through(desktop.outer())
        .output();
    assert_eq!(status.code, 2, "the last cycle's verdict: {status:?}");
    assert!(status.stdout.contains("Agent running"), "{status:?}");
}

#[test]
fn windows_agent_reads_the_system_config_under_programdata() {
    let Some(wine) = Wine::start("the system-wide config under Wine") else {
        return;
    };
    let world = World::new();
    let dir = unix_path(&wine, &windows_var(&wine, "ProgramData")).join("pinwatch");
    std::fs::create_dir_all(&dir).expect("%ProgramData%\\pinwatch");
    crate::support::write_file(&dir.join("config.toml"), "enabled = false\n");
    let out = world
        .run(&["agent"])
        .env_remove("PINWATCH_SYSTEM_CONFIG")
        .through(wine.outer())
        .output();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr.contains(
            "turned off by enabled = false in C:\\ProgramData\\pinwatch\\config.toml; not starting"
        ),
        "{out:?}"
    );
}

#[test]
fn windows_roots_reads_a_firefox_profile_under_appdata() {
    let Some(wine) = Wine::start("roots with a Firefox profile under Wine") else {
        return;
    };
    if crate::support::process::require(
        "roots with a Firefox profile under Wine",
        &[("certutil", "libnss3-tools")],
    )
    .is_none()
    {
        return;
    }
    let world = World::new();
    let profiles =
        unix_path(&wine, &windows_var(&wine, "APPDATA")).join("Mozilla/Firefox/Profiles");
    let profile = profiles.join("pinwatch-test.default-release");
    let _ = std::fs::remove_dir_all(&profile);
    std::fs::create_dir_all(&profile).expect("the profile directory");
    let sql = format!("sql:{}", profile.display());
    let pem = world.path("evil.pem");
    crate::support::write_file(&pem, &world.evil.pem());
    for args in [
        vec!["-N", "-d", &sql, "--empty-password"],
        vec![
            "-A",
            "-d",
            &sql,
            "-n",
            "Cafe Filter",
            "-t",
            "CT,C,C",
            "-i",
            pem.to_str().unwrap_or_default(),
        ],
    ] {
        let mut cmd = std::process::Command::new("certutil");
        cmd.args(&args);
        wine.wait("certutil", &mut cmd);
    }
    let out = world
        .run(&["roots", "--format", "json"])
        .env_remove("SSL_CERT_FILE")
        .through(wine.outer())
        .output();
    let _ = std::fs::remove_dir_all(&profile);
    let doc: Value = serde_json::from_str(&out.stdout).expect("roots JSON");
    let evil = doc["roots"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| {
            r["subject"]
                .as_str()
                .is_some_and(|s| s.contains("Evil Corp Interception CA"))
        })
        .unwrap_or_else(|| panic!("the profile's root is listed: {doc:#}"));
    let location = evil["locations"][0].as_str().unwrap_or_default();
    assert!(
        location.contains("Mozilla\\Firefox\\Profiles\\pinwatch-test.default-release (Firefox)")
            && location.ends_with("\"Cafe Filter\" (trust CT,C,C)"),
        "{evil:#}"
    );
    assert_eq!(evil["class"], "extra", "{evil:#}");
}
