//! The system-wide config layer (`/etc/pinwatch/config.toml`, moved into
//! the test's world with PINWATCH_SYSTEM_CONFIG), the `enabled` switch, and
//! the single-instance lock, through the real binary.

use std::time::{Duration, Instant};

use crate::support::process::run;
use crate::support::{World, write_file};

/// Runs `pinwatch agent` (not `--once`) to completion: (code, stderr).
fn agent_exits(run_config: crate::support::agent::AgentRun<'_>) -> (i32, String) {
    let (status, stdout, stderr) = run(
        "pinwatch agent",
        run_config.command(),
        Duration::from_secs(30),
    );
    assert!(stdout.is_empty(), "{stdout}");
    (status.code().unwrap_or(-1), stderr)
}

#[test]
fn the_admin_turns_the_agent_off_for_everyone_and_it_says_why() {
    let world = World::new();
    let system = world.system_config_file();
    write_file(&system, "# site policy\nenabled = false\n");
    let started = Instant::now();
    let (code, stderr) = agent_exits(world.agent());
    assert_eq!(code, 0, "{stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "it exits at once"
    );
    assert_eq!(
        stderr,
        format!(
            "pinwatch agent: turned off by enabled = false in {}; not starting. To start it, remove that line (or set enabled = true in your own config.toml).",
            system.display()
        )
    );
    assert!(!world.journal().exists(), "nothing was checked");

    // The same in Chinese, from the user's language setting.
    let (code, stderr) = agent_exits(world.agent().set("language", "\"zh\""));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stderr,
        format!(
            "pinwatch agent: 已被 {} 中的 enabled = false 关闭，不启动。要启动它，请删除这一行（或在你自己的 config.toml 中设置 enabled = true）。",
            system.display()
        )
    );
}

#[test]
fn a_user_turns_the_agent_off_for_themselves_or_back_on() {
    let world = World::new();
    let (code, stderr) = agent_exits(world.agent().set("enabled", "false"));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "turned off by enabled = false in {}",
            world.config_file().display()
        )),
        "{stderr}"
    );

    // The admin's `enabled = false` is a default: the user's own file wins,
    // and the system file's other keys still apply.
    write_file(
        &world.system_config_file(),
        "enabled = false\ntimeout_seconds = 7\n",
    );
    let server = world.genuine_server();
    let out = world
        .agent()
        .via(server.addr().port())
        .set("enabled", "true")
        .once();
    assert_eq!(out.code, 0, "{out:#?}");
    assert!(world.journal().exists(), "{out:#?}");
}

#[test]
fn an_error_in_the_system_file_stops_the_agent_naming_that_file() {
    let world = World::new();
    let system = world.system_config_file();
    write_file(&system, "language = \"zh\"\ntray = \"no\"\n");
    let (code, stderr) = agent_exits(world.agent());
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "pinwatch: {}:2:8: tray: invalid type",
            system.display()
        )),
        "{stderr}"
    );
}

#[test]
fn a_second_agent_on_the_same_journal_exits_and_the_first_runs_on() {
    let world = World::new();
    let server = world.genuine_server();
    let port = server.addr().port();
    let mut first = world.agent().via(port).spawn();
    first.wait_cycles(1);
    let (code, stderr) = agent_exits(world.agent().via(port));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stderr,
        format!(
            "pinwatch agent: another pinwatch agent is already running (pid {}, {}); this one exits.",
            first.pid(),
            world.path("state/agent.lock").display()
        )
    );
    // `--once` is a single check and takes no lock.
    let out = world.agent().via(port).once();
    assert_eq!(out.code, 0, "{out:#?}");
    assert_eq!(first.stop(), 0);
    // The lock went with the first agent: the next one checks (dropping it
    // kills it).
    let mut next = world.agent().via(port).spawn();
    next.wait_cycles(1);
    assert!(!next.log().contains("already running"), "{}", next.log());
}
