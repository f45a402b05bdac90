//! The journal under kill -9: `agent --once` runs killed at random moments
//! (anywhere in the run, and mostly around the journal write), then
//! `pinwatch history` must read every record whole, skip at most one torn
//! line per kill, and hold every record a run acknowledged (`journal +N` is
//! logged only after the append was synced). Last, a line torn below the
//! process (as by a power loss) is skipped, and the next run's records
//! start on a line of their own. And 200 cycles under a small size limit:
//! the journal stays bounded and keeps every alert.

use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use serde_json::Value;

use crate::support::agent::{CYCLE, alerts, connect_to, cycles, journalled, toml_list};
use crate::support::process::Proc;
use crate::support::server::{Server, Switch};
use crate::support::{HOST, World};

/// Runs killed at a random moment.
const RUNS: usize = 45;
/// Hosts each run checks (more records, a longer write).
const HOSTS: usize = 48;

/// A small xorshift generator; the seed is printed so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// The marker host of run `i`: its check record identifies the run.
fn marker(i: usize) -> String {
    format!("run{i}.pinwatch.test")
}

/// The records of the cycle that checked `host`: from its cycle record to
/// the next one.
fn block_of<'a>(records: &'a [Value], host: &str) -> Option<&'a [Value]> {
    let at = records
        .iter()
        .position(|r| r["type"] == "check" && r["host"] == host)?;
    let start = records[..at].iter().rposition(|r| r["type"] == "cycle")?;
    let end = records[start + 1..]
        .iter()
        .position(|r| r["type"] == "cycle")
        .map_or(records.len(), |n| start + 1 + n);
    Some(&records[start..end])
}

#[test]
fn kill_9_never_loses_an_acknowledged_record_nor_leaves_a_broken_one() {
    let world = World::new();
    let middlebox = Server::forging(world.evil.clone());
    let port = middlebox.addr().port();
    let run = |i: usize| {
        let mut hosts = vec![HOST.to_string(), marker(i)];
        hosts.extend((0..HOSTS).map(|k| format!("h{k}.pinwatch.test")));
        let routes: Vec<String> = hosts.iter().map(|h| connect_to(h, port)).collect();
        world
            .agent()
            .set("targets", &toml_list(&hosts))
            .set("connect_to", &toml_list(&routes))
            .arg("--once")
            .command()
    };

    // An undisturbed run, to know when a run writes its journal (just
    // before it logs `journal +N`) and how long it takes.
    let started = Instant::now();
    let mut proc = Proc::spawn("pinwatch agent --once", run(0));
    let logged = proc
        .stderr()
        .wait_until(CYCLE, |lines| !cycles(lines).is_empty());
    let written = started.elapsed();
    let status = proc.wait_exit(CYCLE).expect("agent --once finishes");
    let duration = started.elapsed();
    assert_eq!(status.code(), Some(2), "{}", proc.stderr().text());
    let first = logged
        .and_then(|lines| cycles(&lines).first().map(|l| journalled(l)))
        .unwrap_or_else(|| panic!("no cycle logged: {}", proc.stderr().text()));
    drop(proc);

    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64)
        | 1;
    let mut rng = Rng(seed);
    let micros = |d: Duration| u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
    // A third of the kills anywhere in the run, the rest around the write.
    let anywhere = micros(duration) * 3 / 2;
    let around = (micros(written) * 85 / 100, micros(written) * 105 / 100);
    let mut acknowledged = vec![(0, first)];
    let mut kills = 0;
    for i in 1..=RUNS {
        let delay = if i % 3 == 0 {
            rng.below(anywhere)
        } else {
            around.0 + rng.below(around.1 - around.0)
        };
        let mut proc = Proc::spawn("pinwatch agent --once", run(i));
        // The random kill point is the point of this test: no polling here.
        std::thread::sleep(Duration::from_micros(delay));
        proc.signal(Signal::SIGKILL);
        let status = proc.wait_exit(CYCLE).expect("the agent ends");
        proc.stderr().wait_closed(Duration::from_secs(10));
        if status.code().is_none() {
            kills += 1;
        }
        if let Some(line) = cycles(&proc.stderr().snapshot()).first() {
            acknowledged.push((i, journalled(line)));
        }
    }

    let history = world.history_json();
    let records = history["records"].as_array().cloned().unwrap_or_default();
    let skipped = history["skipped"].as_u64().unwrap_or(u64::MAX);
    let unacknowledged_but_written = (1..=RUNS)
        .filter(|i| !acknowledged.iter().any(|(a, _)| a == i))
        .filter(|i| block_of(&records, &marker(*i)).is_some())
        .count();
    eprintln!(
        "seed {seed}: {RUNS} runs, killed after 0..{anywhere} us or {}..{} us (journal written at ~{} us): \
         {kills} killed, {} acknowledged, {unacknowledged_but_written} written but killed before acknowledging, \
         {} records, {skipped} torn line(s) skipped",
        around.0,
        around.1,
        micros(written),
        acknowledged.len() - 1,
        records.len()
    );
    assert!(
        skipped <= kills,
        "seed {seed}: {skipped} unreadable lines after {kills} kills"
    );
    for (i, n) in &acknowledged {
        let block = block_of(&records, &marker(*i)).unwrap_or_else(|| {
            panic!("seed {seed}: run {i} acknowledged {n} records; none is in the journal")
        });
        assert_eq!(
            block.len(),
            *n,
            "seed {seed}: run {i} acknowledged {n} records, the journal has {}",
            block.len()
        );
        assert!(
            block[1..]
                .iter()
                .all(|r| r["type"] == "check" || r["type"] == "alert"),
            "seed {seed}: run {i}: {block:#?}"
        );
    }
    for r in &records {
        assert!(
            ["cycle", "check", "alert"].contains(&r["type"].as_str().unwrap_or_default()),
            "seed {seed}: {r}"
        );
    }

    // A write torn below the process (power loss mid-write) leaves half a
    // line: the next run starts on a line of its own, and the reader skips
    // exactly that half.
    let journal = world.journal();
    let mut data = std::fs::read(&journal).expect("read the journal");
    let last_record = data[..data.len() - 1]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let torn = data[last_record..].len() / 2;
    data.extend_from_within(last_record..last_record + torn);
    std::fs::write(&journal, &data).expect("tear the journal");
    let after = world.agent().via(port).once();
    assert_eq!(after.code, 2, "{after:#?}");
    let n = cycles(&after.stderr.lines().map(str::to_string).collect::<Vec<_>>())
        .first()
        .map(|l| journalled(l))
        .unwrap_or_else(|| panic!("{after:#?}"));
    let history = world.history_json();
    let all = history["records"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        history["skipped"].as_u64(),
        Some(skipped + 1),
        "seed {seed}"
    );
    assert_eq!(all.len(), records.len() + n, "seed {seed}");
    let skipped = skipped + 1;
    let records = all;

    // The text form reads the same journal and mentions the torn lines.
    let journal = journal.display().to_string();
    let out = world.run_pinwatch(&["history", "--journal", &journal]);
    assert_eq!(out.code, 0, "{out:#?}");
    assert_eq!(
        out.stdout.lines().count(),
        records.len() + usize::from(skipped > 0),
        "{out:#?}"
    );
}

/// 200 cycles of `agent --once` (ten targets each, the network switching
/// between the genuine chain and a forging middlebox every ten cycles)
/// with a 64 KiB limit: the journal never grows past the limit and a
/// cycle, every alert the runs logged is in it, in order, and the older
/// cycles are counted in `day` records.
#[test]
fn two_hundred_cycles_keep_the_journal_within_its_bound_and_every_alert() {
    const CYCLES: usize = 200;
    const LIMIT_KIB: u64 = 64;
    let world = super::attributing_world();
    let forged = Server::forging(world.evil.clone());
    let genuine = world.genuine_server();
    let switch = Switch::to(&genuine);
    let ports: Vec<u16> = (443..453).collect();
    let targets: Vec<String> = ports.iter().map(|p| format!("{HOST}:{p}")).collect();
    let routes: Vec<String> = ports
        .iter()
        .map(|p| format!("{HOST}:{p}:127.0.0.1:{}", switch.addr().port()))
        .collect();
    let journal = world.journal();
    let mut logged_alerts = 0;
    let mut largest = 0;
    for i in 0..CYCLES {
        let intercepted = (i / 10) % 2 == 1;
        switch.switch(if intercepted { &forged } else { &genuine });
        let out = world
            .agent()
            .set("targets", &toml_list(&targets))
            .set("connect_to", &toml_list(&routes))
            .set("journal_max_kib", &LIMIT_KIB.to_string())
            .once();
        assert_eq!(
            out.code,
            if intercepted { 2 } else { 0 },
            "cycle {i}: {out:#?}"
        );
        let lines: Vec<String> = out.stderr.lines().map(str::to_string).collect();
        let line = cycles(&lines)
            .pop()
            .unwrap_or_else(|| panic!("cycle {i} logged no cycle: {out:#?}"));
        logged_alerts += alerts(&line);
        let size = std::fs::metadata(&journal).expect("the journal").len();
        largest = largest.max(size);
        // The limit, and at most one cycle's records past it (a cycle's
        // eleven records and an alert take under 4 KiB).
        assert!(
            size <= (LIMIT_KIB + 4) * 1024,
            "cycle {i}: the journal is {size} bytes"
        );
    }
    let history = world.history_json();
    assert_eq!(history["skipped"], 0, "{history:#}");
    let kinds: Vec<&str> = history["records"]
        .as_array()
        .map(|rs| {
            rs.iter()
                .filter(|r| r["type"] == "alert")
                .filter_map(|r| r["kind"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(kinds.len(), logged_alerts, "every alert is kept: {kinds:?}");
    let expected: Vec<&str> = (0..19)
        .map(|k| {
            if k % 2 == 0 {
                "interception"
            } else {
                "resolved"
            }
        })
        .collect();
    assert_eq!(kinds, expected, "in order");
    // The cycles no longer kept whole are counted in the day records.
    let records = history["records"].as_array().cloned().unwrap_or_default();
    let whole = records.iter().filter(|r| r["type"] == "cycle").count() as u64;
    let folded: u64 = records
        .iter()
        .filter(|r| r["type"] == "day")
        .filter_map(|r| r["cycles"].as_u64())
        .sum();
    assert!(
        folded > 0,
        "older cycles were compacted: {largest} bytes at most"
    );
    assert_eq!(whole + folded, CYCLES as u64, "every cycle is counted");
}
