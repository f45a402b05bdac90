//! Benchmark: what the agent costs while it waits between checks.
//!
//! Starts the release agent watching one loopback TLS server, with the
//! tray and notifications on, in a private desktop session (D-Bus session
//! bus, Xvfb, dunst, a StatusNotifierWatcher and a tray host: the same
//! harness as the agent tests), waits for its first check and for its tray
//! item, lets it settle, then measures over an idle window:
//!
//! - memory: VmRSS (and VmHWM, the peak) from /proc/PID/status;
//! - wakeups: the sum over all its threads (/proc/PID/task/*/status) of
//!   voluntary + nonvoluntary context switches, before and after the
//!   window; every time a sleeping thread runs it switches out again, so
//!   this counts wakeups. Cross-checked with `perf stat -e
//!   context-switches,task-clock -p PID` when perf works here;
//! - CPU time: utime + stime from /proc/PID/stat.
//!
//! Then the same without a desktop (tray and notifications off), to show
//! what the D-Bus parts cost. Target: RSS < 15 MB, ~0 wakeups between
//! scheduled checks (every 15 minutes by default, so none falls in the
//! window).
//!
//! Run: `cargo bench --bench agent_idle` (builds the binary in release
//! mode). `PINWATCH_BENCH_IDLE_SECONDS` sets the window (default 60).

#[allow(dead_code, unused_imports)]
#[path = "../tests/support/mod.rs"]
mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use support::World;
use support::agent::{Agent, CYCLE};
use support::desktop::{Desktop, Options, TOOLS, TRAY_TOOLS};
use support::process::{poll, which};

/// Figures for one agent over the window.
struct Figures {
    rss_kib: u64,
    hwm_kib: u64,
    threads: usize,
    switches: u64,
    cpu_ms: u64,
    perf: Option<(u64, f64)>,
    per_thread: Vec<(String, u64)>,
}

fn status_field(status: &str, key: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// (thread name, voluntary + nonvoluntary switches) for every thread.
fn switches(pid: u32) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return out;
    };
    for task in tasks.flatten() {
        let Ok(status) = std::fs::read_to_string(task.path().join("status")) else {
            continue;
        };
        let name = status
            .lines()
            .find_map(|l| l.strip_prefix("Name:"))
            .unwrap_or("?")
            .trim()
            .to_string();
        let n = status_field(&status, "voluntary_ctxt_switches:").unwrap_or(0)
            + status_field(&status, "nonvoluntary_ctxt_switches:").unwrap_or(0);
        out.push((
            format!("{name} ({})", task.file_name().to_string_lossy()),
            n,
        ));
    }
    out.sort();
    out
}

/// utime + stime in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may contain spaces) start at ")".
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // state is fields[0]; utime is stat field 14, i.e. fields[11].
    field(11) + field(12)
}

/// `perf stat` on the agent for `window`: (context switches, task-clock ms).
fn perf(pid: u32, window: Duration) -> Option<(u64, f64)> {
    which("perf")?;
    let out = Command::new("perf")
        .args(["stat", "-x", ",", "-e", "context-switches,task-clock", "-p"])
        .arg(pid.to_string())
        .arg("--")
        .arg("sleep")
        .arg(window.as_secs_f64().to_string())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stderr);
    // `<not counted>`: the process never ran during the window.
    let value = |event: &str| {
        let field = text
            .lines()
            .find(|l| l.split(',').nth(2) == Some(event))?
            .split(',')
            .next()?
            .trim();
        if field == "<not counted>" {
            Some(0.0)
        } else {
            field.parse::<f64>().ok()
        }
    };
    Some((value("context-switches")? as u64, value("task-clock")?))
}

fn measure(agent: &Agent, window: Duration) -> Figures {
    let pid = agent.pid();
    let before = switches(pid);
    let ticks_before = cpu_ticks(pid);
    let started = Instant::now();
    // perf runs for the window; without perf, wait it out.
    let perf = perf(pid, window);
    let left = window.saturating_sub(started.elapsed());
    std::thread::sleep(left);
    let after = switches(pid);
    let ticks = cpu_ticks(pid) - ticks_before;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let per_thread: Vec<(String, u64)> = after
        .iter()
        .map(|(name, n)| {
            let was = before
                .iter()
                .find(|(b, _)| b == name)
                .map_or(0, |(_, n)| *n);
            (name.clone(), n - was)
        })
        .collect();
    let hz = 100; // USER_HZ on Linux
    Figures {
        rss_kib: status_field(&status, "VmRSS:").unwrap_or(0),
        hwm_kib: status_field(&status, "VmHWM:").unwrap_or(0),
        threads: after.len(),
        switches: per_thread.iter().map(|(_, n)| n).sum(),
        cpu_ms: ticks * 1000 / hz,
        perf,
        per_thread,
    }
}

fn report(label: &str, f: &Figures, window: Duration) {
    let minutes = window.as_secs_f64() / 60.0;
    println!("{label}:");
    println!(
        "  idle RSS {:.1} MB (VmRSS {} KiB; peak VmHWM {} KiB, {:.1} MB), {} threads",
        f.rss_kib as f64 / 1024.0,
        f.rss_kib,
        f.hwm_kib,
        f.hwm_kib as f64 / 1024.0,
        f.threads
    );
    println!(
        "  wakeups {:.1}/min ({} context switches over {:.0} s, all threads, /proc/PID/task/*/status); CPU {} ms",
        f.switches as f64 / minutes,
        f.switches,
        window.as_secs_f64(),
        f.cpu_ms
    );
    match f.perf {
        Some((cs, clock)) => println!(
            "  perf stat: {cs} context-switches ({:.1}/min), task-clock {clock:.2} ms",
            cs as f64 / minutes
        ),
        None => println!("  perf stat: not available here"),
    }
    for (thread, n) in f.per_thread.iter().filter(|(_, n)| *n > 0) {
        println!("    {thread}: {n}");
    }
}

fn run(label: &str, world: &World, desktop: Option<&Desktop>, window: Duration) {
    let server = world.genuine_server();
    let mut run = world.agent().via(server.addr().port());
    if let Some(desktop) = desktop {
        run = run.desktop_with_tray(desktop);
    }
    let mut agent = run.spawn();
    let cycles = agent.wait_cycles(1);
    if let Some(desktop) = desktop {
        let registered = poll(CYCLE, || desktop.tray_items().into_iter().next());
        if registered.is_none() {
            println!("  (the tray item did not register: {})", agent.log());
        }
    }
    // Let start-up work (the details page, D-Bus replies) finish.
    std::thread::sleep(Duration::from_secs(2));
    let figures = measure(&agent, window);
    report(label, &figures, window);
    println!("  first cycle: {}", cycles[0]);
    let more = agent.log();
    if more.lines().count() > 1 {
        println!("  agent log:\n{more}");
    }
    agent.stop();
}

fn main() {
    let window = Duration::from_secs_f64(
        std::env::var("PINWATCH_BENCH_IDLE_SECONDS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(60.0),
    );
    println!(
        "pinwatch agent at idle, release build ({}), one loopback target, interval 15 min; window {:.0} s",
        env!("CARGO_BIN_EXE_pinwatch"),
        window.as_secs_f64()
    );
    let world = World::new();
    let tools: Vec<&(&str, &str)> = TOOLS
        .iter()
        .chain(TRAY_TOOLS)
        .filter(|(t, _)| which(t).is_none())
        .collect();
    if tools.is_empty() {
        let desktop = Desktop::start(
            &world.path("desktop"),
            Options {
                tray: true,
                ..Options::default()
            },
        )
        .expect("the desktop tools are installed");
        run(
            "with tray and notifications (session bus, dunst, status-notifier-watcher, gtk-sni-tray-standalone)",
            &world,
            Some(&desktop),
            window,
        );
    } else {
        println!(
            "NOT MEASURED with tray and notifications: missing {tools:?} (scripts/test.sh installs them)"
        );
    }
    let world = World::new();
    run(
        "without a desktop (tray and notifications off)",
        &world,
        None,
        window,
    );
}
