//! Admins at scale, with the real binary: the Nagios output against the
//! plugin guidelines, in every error path too; `--targets` lists with
//! junk, duplicates and 10,000 targets; `--format jsonl` streaming. The
//! Prometheus side is in `prometheus.rs`, the systemd units in `units.rs`.
//! Nothing leaves 127.0.0.1.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::pins::{INTERCEPTOR_NAME, PinsSpec, Rule};
use crate::support::pki::Validity;
use crate::support::process::{require, run_under};
use crate::support::server::{Server, closed_port};
use crate::support::{HOST, Outcome, Run, World, outcome, write_file};

/// The genuine server's host (no service: public validation only).
pub(crate) const OK_HOST: &str = "ok.pinwatch.test";
/// A host nothing listens for.
pub(crate) const DOWN_HOST: &str = "down.pinwatch.test";

pub(crate) const PROMTOOL: &[(&str, &str)] = &[("promtool", "prometheus")];

/// The packaging directory of the fleet files.
pub(crate) fn packaging(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("packaging/fleet")
        .join(name)
}

/// Three targets: [`HOST`] through a forging middlebox whose issuer the
/// pins name (intercepted, by "Evil Corp Interceptor"), [`OK_HOST`] on a
/// genuine server, [`DOWN_HOST`] on a closed port. Keep the servers alive.
pub(crate) struct Fleet {
    pub(crate) world: World,
    _middlebox: Server,
    _genuine: Server,
    pub(crate) ports: [u16; 3],
}

impl Fleet {
    pub(crate) fn new() -> Fleet {
        let world = World::new();
        world.write_pins(&PinsSpec {
            rules: vec![Rule::IssuerO("Evil Corp".into())],
            ..world.pins()
        });
        let middlebox = Server::forging(world.evil.clone());
        let genuine = Server::tls(&world.leaf(&[OK_HOST], Validity::Current));
        let ports = [
            middlebox.addr().port(),
            genuine.addr().port(),
            closed_port(),
        ];
        Fleet {
            world,
            _middlebox: middlebox,
            _genuine: genuine,
            ports,
        }
    }

    /// `pinwatch check` of the hosts in `which` (indexes into HOST, OK_HOST, DOWN_HOST).
    pub(crate) fn check(&self, which: &[usize]) -> Run {
        let hosts = [HOST, OK_HOST, DOWN_HOST];
        let mut run = self.world.check();
        for &i in which {
            run = run.arg(hosts[i]).connect_to(hosts[i], self.ports[i]);
        }
        run
    }
}

// Nagios.

/// The status line `PINWATCH STATE - text | perfdata`, split and checked
/// against the plugin guidelines; returns (state, text, perfdata labels and values).
pub(crate) fn nagios_status(out: &Outcome) -> (String, String, Vec<(String, String)>) {
    let first = out.stdout.lines().next().unwrap_or_default();
    let (head, perf) = first
        .split_once(" | ")
        .unwrap_or_else(|| panic!("no performance data: {out:#?}"));
    assert!(!perf.contains('|'), "one `|` on the status line: {out:#?}");
    let rest = head
        .strip_prefix("PINWATCH ")
        .unwrap_or_else(|| panic!("status line starts with PINWATCH: {out:#?}"));
    let (state, text) = rest.split_once(" - ").expect("STATE - text");
    let expected = match out.code {
        0 => "OK",
        1 => "WARNING",
        2 => "CRITICAL",
        3 => "UNKNOWN",
        other => panic!("exit code {other} is not a plugin's: {out:#?}"),
    };
    assert_eq!(
        state, expected,
        "state word matches the exit code: {out:#?}"
    );
    // 'label'=value[UOM];[warn];[crit];[min];[max], space separated.
    let perf_re = regex::Regex::new(
        r"^'([^'=]+)'=(U|-?[0-9]+(?:\.[0-9]+)?)(?:s|ms|us|%|B|KB|MB|TB|c)?(?:;[0-9.:~@-]*(?:;[0-9.:~@-]*(?:;(?:-?[0-9.]+)?(?:;(?:-?[0-9.]+)?)?)?)?)?$",
    )
    .expect("regex");
    let perf = perf
        .split(' ')
        .map(|item| {
            let caps = perf_re
                .captures(item)
                .unwrap_or_else(|| panic!("performance data item `{item}` breaks the syntax"));
            let value = item
                .split_once('=')
                .map(|(_, v)| v.split(';').next().unwrap_or_default().to_string())
                .unwrap_or_default();
            (caps[1].to_string(), value)
        })
        .collect();
    (state.to_string(), text.to_string(), perf)
}

fn perf_value<'a>(perf: &'a [(String, String)], label: &str) -> &'a str {
    perf.iter()
        .find(|(l, _)| l == label)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no `{label}` in {perf:?}"))
}

#[test]
fn nagios_critical_for_an_interception() {
    let fleet = Fleet::new();
    let out = fleet
        .check(&[0, 1, 2])
        .arg("--format")
        .arg("nagios")
        .output();
    assert_eq!(out.code, 2, "{out:#?}");
    let (state, text, perf) = nagios_status(&out);
    assert_eq!(state, "CRITICAL");
    assert_eq!(
        text,
        format!("1 intercepted (Test Chat) by {INTERCEPTOR_NAME}; 1 ok, 1 unreachable"),
        "{out:#?}"
    );
    assert_eq!(perf_value(&perf, "intercepted"), "1");
    assert_eq!(perf_value(&perf, "ok"), "1");
    assert_eq!(perf_value(&perf, "unreachable"), "1");
    assert_eq!(perf_value(&perf, "suspicious"), "0");
    assert!(
        perf_value(&perf, "handshake_max").ends_with('s'),
        "{perf:?}"
    );
    assert_eq!(perf_value(&perf, "sanctioned"), "0");
    let long: Vec<&str> = out.stdout.lines().skip(1).collect();
    assert_eq!(long.len(), 3, "one long-output line per target: {out:#?}");
    // The most severe first: Nagios and NRPE cut long output.
    assert!(
        long[0].starts_with(&format!(
            "INTERCEPTED: {HOST}:443 (Test Chat) by {INTERCEPTOR_NAME} ["
        )),
        "{out:#?}"
    );
    assert!(
        long[1].starts_with(&format!("UNREACHABLE: {DOWN_HOST}:443")),
        "{out:#?}"
    );
    assert!(
        long[2].starts_with(&format!("OK: {OK_HOST}:443")),
        "{out:#?}"
    );
}

#[test]
fn nagios_ok_and_only_unreachable_is_unknown() {
    let fleet = Fleet::new();
    let ok = fleet.check(&[1]).arg("--format").arg("nagios").output();
    assert_eq!(ok.code, 0, "{ok:#?}");
    let (state, text, _) = nagios_status(&ok);
    assert_eq!((state.as_str(), text.as_str()), ("OK", "1 ok"));

    let down = fleet
        .world
        .check()
        .arg(DOWN_HOST)
        .connect_to(DOWN_HOST, closed_port())
        .arg("other.pinwatch.test")
        .connect_to("other.pinwatch.test", closed_port())
        .arg("--format")
        .arg("nagios")
        .output();
    assert_eq!(down.code, 3, "{down:#?}");
    let (state, text, perf) = nagios_status(&down);
    assert_eq!(state, "UNKNOWN");
    assert_eq!(text, "2 unreachable: tcp_failed", "{down:#?}");
    assert_eq!(perf_value(&perf, "unreachable"), "2");
    assert_eq!(perf_value(&perf, "handshake_max"), "U");
}

/// Every way a run can fail to check reaches Nagios as the plugin
/// guidelines ask: one `PINWATCH UNKNOWN - <what went wrong>` line on
/// stdout (nothing else), exit 3; the same message on stderr. Under
/// `PINWATCH_EXIT_CODES=sysexits` (what the shipped units set) the exit
/// code is the error's own, still with the UNKNOWN line.
#[test]
fn nagios_unknown_line_on_stdout_for_every_error() {
    let fleet = Fleet::new();
    let world = &fleet.world;
    let system = world.path("system.pem");
    let nagios = |run: Run| run.arg("--format").arg("nagios");
    let unwritable = format!(
        "cannot write the metrics file {}: No such file or directory (os error 2); the check found: 1 intercepted (Test Chat) by {INTERCEPTOR_NAME}; 1 ok",
        world.path("no-such-dir/pinwatch.prom").display()
    );
    let cases: Vec<(&str, Run, &str, i32)> = vec![
        (
            "a mistyped option (clap)",
            nagios(world.check().arg("--servce").arg("wechat")),
            "unexpected argument '--servce' found",
            64,
        ),
        (
            "an unknown service",
            nagios(world.check().arg("--service").arg("wechta")),
            "unknown service `wechta` (known: ",
            64,
        ),
        (
            "a pins directory that does not exist",
            nagios(
                world
                    .bare_check(&system)
                    .arg("--pins")
                    .arg(world.path("no-pins").display()),
            ),
            "no-pins",
            65,
        ),
        (
            "a public store that cannot be read",
            nagios(
                world
                    .bare_check(&system)
                    .arg("--public-roots")
                    .arg(world.path("no-roots.pem").display()),
            ),
            "no-roots.pem",
            66,
        ),
        (
            "a missing target list",
            nagios(
                world
                    .check()
                    .arg("--targets")
                    .arg(world.path("none.txt").display()),
            ),
            "none.txt",
            64,
        ),
        (
            "a sanctioned key that is no key",
            nagios(
                world
                    .check()
                    .arg("--sanctioned")
                    .arg("office")
                    .arg("Head office"),
            ),
            "--sanctioned: `office` is not a key's SPKI SHA-256",
            64,
        ),
        (
            "a metrics file that cannot be written",
            nagios(
                fleet
                    .check(&[0, 1])
                    .arg("--prometheus-file")
                    .arg(world.path("no-such-dir/pinwatch.prom").display()),
            ),
            &unwritable,
            74,
        ),
    ];
    for (what, run, needle, sysexit) in cases {
        let out = outcome(run.command());
        assert_eq!(out.code, 3, "{what}: exit 3, UNKNOWN: {out:#?}");
        let expected_line = out.stdout.lines().next().unwrap_or_default();
        assert_eq!(
            out.stdout.lines().count(),
            1,
            "{what}: one line on stdout: {out:#?}"
        );
        assert!(
            expected_line.starts_with("PINWATCH UNKNOWN - ") && expected_line.contains(needle),
            "{what}: the status line names `{needle}`: {out:#?}"
        );
        assert!(
            !expected_line.contains(" | "),
            "{what}: no performance data: {out:#?}"
        );
        assert!(
            out.stderr.contains(needle),
            "{what}: stderr says it too: {out:#?}"
        );
        let mut command = run.command();
        command.env("PINWATCH_EXIT_CODES", "sysexits");
        let again = outcome(command);
        assert_eq!(again.code, sysexit, "{what}: sysexits code: {again:#?}");
        assert_eq!(
            again.stdout, out.stdout,
            "{what}: the same line: {again:#?}"
        );
    }
}

/// `GET path` from 127.0.0.1:`port` over HTTP/1.0; the body of a 200.
pub(crate) fn http_get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let (head, body) = response.split_once("\r\n\r\n")?;
    (head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200")).then(|| body.to_string())
}

/// Runs `cmd` with `input` on stdin.
pub(crate) fn pipe(cmd: &mut Command, input: &str) -> Outcome {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {:?}: {e}", cmd.get_program()));
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(input.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("wait");
    Outcome {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

// --targets.

#[test]
fn target_list_with_junk_and_duplicates() {
    let fleet = Fleet::new();
    let list = fleet.world.path("targets.txt");
    write_file(
        &list,
        &format!(
            "# the café's hosts\n{HOST}\n\n{OK_HOST}   # genuine\nnot a host\n{HOST}:443\nftp://{OK_HOST}\nhttps://{OK_HOST}/\n"
        ),
    );
    let report = fleet
        .check(&[])
        .arg("--targets")
        .arg(list.display())
        .connect_to(HOST, fleet.ports[0])
        .connect_to(OK_HOST, fleet.ports[1])
        .json();
    assert_eq!(report.out.code, 2, "{report:?}");
    let hosts: Vec<&str> = report
        .results()
        .iter()
        .map(|r| r["host"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(hosts, [HOST, OK_HOST], "each once, in order: {report:?}");
    let warnings = report.doc["warnings"].as_array().expect("warnings");
    let expected = [
        format!(
            "{}: line 5: `not a host`: one target per line (found spaces) (skipped)",
            list.display()
        ),
        format!(
            "{}: line 7: `ftp://{OK_HOST}`: unsupported scheme `ftp` in target (only https:// is checked) (skipped)",
            list.display()
        ),
    ];
    assert_eq!(warnings.len(), 2, "{report:?}");
    for (w, e) in warnings.iter().zip(&expected) {
        assert_eq!(w, e.as_str(), "{report:?}");
        assert!(
            report
                .out
                .stderr
                .contains(&format!("pinwatch: warning: {e}")),
            "stderr names the line too: {report:?}"
        );
    }
}

#[test]
fn target_list_from_stdin_next_to_typed_targets() {
    let fleet = Fleet::new();
    let mut cmd = fleet
        .check(&[1])
        .arg("--targets")
        .arg("-")
        .connect_to(HOST, fleet.ports[0])
        .command();
    let out = pipe(&mut cmd, &format!("{HOST}\n{OK_HOST}\n"));
    assert_eq!(out.code, 2, "{out:#?}");
    let doc: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:#?}"));
    let hosts: Vec<&str> = doc["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["host"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(hosts, [OK_HOST, HOST], "{out:#?}");
}

#[test]
fn empty_or_missing_target_list_is_a_usage_error() {
    let world = World::new();
    let empty = world.path("empty.txt");
    write_file(&empty, "# nothing yet\n\n");
    world
        .check()
        .arg("--targets")
        .arg(empty.display())
        .output()
        .expect_usage_error("no targets in the list");
    world
        .check()
        .arg("--targets")
        .arg(world.path("missing.txt").display())
        .output()
        .expect_usage_error("missing.txt");
}

/// Peak resident memory of a finished child, in KiB, measured by a Python
/// wrapper from `wait4` on that child alone (RUSAGE_CHILDREN would also
/// count what Python's own start-up ran); (outcome, peak).
fn with_peak_rss(cmd: &Command) -> (Outcome, u64) {
    let mut python = Command::new("python3");
    python.arg("-c").arg(
        "import os, subprocess, sys\n\
         p = subprocess.Popen(sys.argv[1:])\n\
         _, status, usage = os.wait4(p.pid, 0)\n\
         sys.stderr.write('\\nPEAK_RSS_KIB=%d\\n' % usage.ru_maxrss)\n\
         sys.exit(os.waitstatus_to_exitcode(status))",
    );
    let out = run_under(python, cmd).output().expect("run python3");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let peak = stderr
        .lines()
        .find_map(|l| l.strip_prefix("PEAK_RSS_KIB="))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no peak from the wrapper: {stderr}"));
    (
        Outcome {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr,
        },
        peak,
    )
}

/// `check --targets LIST --format FORMAT`, every target connected to the
/// refused `port` on 127.0.0.1 (with `genuine`, [`HOST`] too, to that
/// server), under an open-file limit of 256 (soft and hard, set by the
/// shell before pinwatch starts).
fn refused_list_check(
    world: &World,
    list: &Path,
    port: u16,
    format: &str,
    genuine: Option<&Server>,
) -> Command {
    let mut check = world.check();
    if let Some(server) = genuine {
        check = check.via(server);
    }
    let inner = check
        .arg("--targets")
        .arg(list.display())
        .arg("--connect-to")
        .arg(format!("::127.0.0.1:{port}"))
        .arg("--format")
        .arg(format)
        .command();
    let mut sh = Command::new("sh");
    sh.arg("-c").arg("ulimit -n 256 && exec \"$@\"").arg("sh");
    run_under(sh, &inner)
}

/// 10,000 targets, all to a closed port on 127.0.0.1, under an open-file
/// limit of 256: every one reported unreachable (refused, never "too many
/// open files"), each once, in bounded memory.
#[test]
fn ten_thousand_targets_in_bounded_memory_without_running_out_of_files() {
    let Some(()) = require("peak memory", &[("python3", "python3")]) else {
        return;
    };
    let world = World::new();
    let list = world.path("targets.txt");
    let mut text = String::from("# 10,000 hosts\n");
    for i in 0..10_000 {
        text.push_str(&format!("h{i}.fleet.pinwatch.test\n"));
    }
    text.push_str("h0.fleet.pinwatch.test\n");
    write_file(&list, &text);
    let limited = refused_list_check(&world, &list, closed_port(), "jsonl", None);
    let started = Instant::now();
    let (out, peak_kib) = with_peak_rss(&limited);
    let took = started.elapsed();
    assert_eq!(out.code, 3, "all unreachable: {}", out.stderr);
    let lines: Vec<Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(lines.len(), 10_000, "one line per target, duplicates once");
    let mut hosts: Vec<&str> = lines
        .iter()
        .map(|r| r["host"].as_str().unwrap_or_default())
        .collect();
    hosts.sort_unstable();
    hosts.dedup();
    assert_eq!(hosts.len(), 10_000);
    for r in &lines {
        assert_eq!(r["schema"], "pinwatch.result/2", "{r}");
        assert_eq!(r["verdict"], "unreachable", "{r}");
        let detail = r["error"]["detail"].as_str().unwrap_or_default();
        assert!(
            r["error"]["stage"] == "tcp" && detail.contains("refused"),
            "refused, not out of files: {r}"
        );
    }
    eprintln!("10,000 targets: {took:?}, peak RSS {peak_kib} KiB");
    assert!(
        peak_kib < 64 * 1024,
        "peak RSS {peak_kib} KiB for 10,000 targets"
    );
}

/// 200,000 targets, all to a refused port on 127.0.0.1 under an open-file
/// limit of 256, with `--format jsonl`: each result is written once and
/// not kept, so the peak is that of 10,000 targets plus the list itself
/// (about 100 bytes a listed target), not a result per target (3 KB each
/// before, 621 MB in all). With the grouped formats, text and JSON, each
/// result is kept until the report is written, as a brief of a few
/// hundred bytes (`report::kept`), not a whole result (1.2 KB a target
/// before: 243 MB with text).
#[test]
fn two_hundred_thousand_targets_stream_in_memory_bounded_by_what_is_in_flight() {
    let Some(()) = require("peak memory", &[("python3", "python3")]) else {
        return;
    };
    let world = World::new();
    let port = closed_port();
    let list = |n: usize| {
        let list = world.path(&format!("targets-{n}.txt"));
        let mut text = String::with_capacity(n * 28);
        for i in 0..n {
            text.push_str(&format!("h{i}.fleet.pinwatch.test\n"));
        }
        write_file(&list, &text);
        list
    };
    let (small_list, big_list) = (list(10_000), list(200_000));
    let run = |list: &Path, format: &str, genuine: Option<&Server>| {
        with_peak_rss(&refused_list_check(&world, list, port, format, genuine))
    };
    let (small, small_kib) = run(&small_list, "jsonl", None);
    assert_eq!(small.code, 3, "{}", small.stderr);
    let (out, peak_kib) = run(&big_list, "jsonl", None);
    assert_eq!(out.code, 3, "all unreachable: {}", out.stderr);
    let mut lines = 0;
    for line in out.stdout.lines() {
        let r: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert_eq!(r["verdict"], "unreachable", "{r}");
        lines += 1;
    }
    assert_eq!(lines, 200_000, "one line per target");
    let per_target = (peak_kib.saturating_sub(small_kib) * 1024) / 190_000;
    eprintln!(
        "200,000 targets: peak RSS {peak_kib} KiB; 10,000: {small_kib} KiB; {per_target} bytes a further target"
    );
    assert!(
        per_target < 300,
        "{per_target} bytes a listed target ({peak_kib} KiB for 200,000, {small_kib} KiB for 10,000)"
    );
    assert!(
        peak_kib < 96 * 1024,
        "peak RSS {peak_kib} KiB for 200,000 targets"
    );

    // The grouped formats: every result kept until the report is written.
    // One genuine target besides, so that the text is a table (a machine
    // where nothing connects gets one line).
    let genuine = world.genuine_server();
    let (text, text_kib) = run(&big_list, "text", Some(&genuine));
    assert_eq!(
        text.code, 0,
        "one ok, the rest unreachable: {}",
        text.stderr
    );
    let rows = text
        .stdout
        .lines()
        .filter(|l| l.starts_with("unreachable  h"))
        .count();
    assert_eq!(rows, 200_000, "a row a target");
    assert!(
        text.stdout
            .trim_end()
            .ends_with("200001 checked: 1 ok, 200000 unreachable"),
        "{}",
        &text.stdout[text.stdout.len().saturating_sub(300)..]
    );
    let (json, json_kib) = run(&big_list, "json", Some(&genuine));
    assert_eq!(json.code, 0, "{}", json.stderr);
    let doc: Value = serde_json::from_str(&json.stdout).expect("one JSON document");
    assert_eq!(doc["summary"]["unreachable"], 200_000);
    assert_eq!(doc["summary"]["ok"], 1);
    let results = doc["results"].as_array().map_or(0, Vec::len);
    assert_eq!(results, 200_001, "a result a target");
    assert_eq!(
        doc["results"][200_000]["host"],
        "h199999.fleet.pinwatch.test"
    );
    assert_eq!(doc["results"][0]["verdict"], "ok");
    eprintln!("200,000 targets: peak RSS {text_kib} KiB with text, {json_kib} KiB with JSON");
    for (format, kib) in [("text", text_kib), ("json", json_kib)] {
        assert!(
            kib < 200 * 1024,
            "peak RSS {kib} KiB for 200,000 targets with {format}"
        );
    }
}

/// `--format jsonl` writes each result as it finishes: the genuine
/// server's line arrives while a silent server still holds the run open.
#[test]
fn jsonl_streams_each_result_as_it_finishes() {
    let fleet = Fleet::new();
    let silent = Server::silent();
    let mut cmd = fleet
        .check(&[1])
        .arg("slow.pinwatch.test")
        .connect_to("slow.pinwatch.test", silent.addr().port())
        .arg("--timeout")
        .arg("3s")
        .arg("--format")
        .arg("jsonl")
        .command();
    let started = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run pinwatch");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("read the first line");
    let first_at = started.elapsed();
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).expect("read the rest");
    let status = child.wait().expect("wait");
    let first: Value = serde_json::from_str(&first).expect("a JSON line");
    assert_eq!(first["host"], OK_HOST, "{first}");
    assert_eq!(first["verdict"], "ok", "{first}");
    assert_eq!(first["schema"], "pinwatch.result/2");
    assert!(
        first_at < Duration::from_secs(2),
        "first line after {first_at:?}, before the 3 s timeout"
    );
    let second: Value = serde_json::from_str(rest.trim()).expect("one more JSON line");
    assert_eq!(second["host"], "slow.pinwatch.test");
    assert_eq!(second["verdict"], "unreachable");
    assert_eq!(status.code(), Some(0), "ok among unreachable is ok");
}
