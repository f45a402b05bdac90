//! The real binary at the edges a monitoring pipeline meets: closed and full
//! stdout and stderr (real pipes whose reader is gone, /dev/full), a DNS
//! server that never answers (a UDP socket in a network namespace of the
//! test's own), FIFOs and devices where files are expected, a large
//! journal, a large pins directory, config values that are wrong, and the
//! JSON error document. The exit code must always be the verdict's (or 3),
//! nothing may panic, and nothing may hang or grow without bound.

use std::fmt::Write as _;
use std::io::{Read, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::netns::NetNs;
use crate::support::process::require;
use crate::support::server::{Server, closed_port};
use crate::support::{HOST, World, has_reason, write_file};

/// How long an error about an input file may take: it must come at once,
/// not after a read that never ends. Generous for a debug build on a busy
/// machine; the old behaviour was "never".
const QUICK: Duration = Duration::from_secs(3);

/// A finished child.
#[derive(Debug)]
struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

impl Ran {
    /// Asserts it neither panicked nor died of a signal (checked in
    /// [`ran`]) and exited with `code`.
    fn expect(&self, code: i32, what: &str) -> &Ran {
        assert_eq!(self.code, code, "{what}: exit code; {self:#?}");
        for text in [&self.stdout, &self.stderr] {
            assert!(!text.contains("panicked"), "{what}: panicked; {self:#?}");
        }
        self
    }
}

/// Reads a child's pipe to the end on a thread.
fn collect(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut text);
        }
        String::from_utf8_lossy(&text).into_owned()
    })
}

/// Waits for `child` at most `limit`; kills it and panics after that.
fn wait(child: &mut Child, limit: Duration, what: &str) -> std::process::ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait for pinwatch") {
            return status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Runs `cmd` with the given stdout and stderr (`None`: collected), within
/// `limit`. Dying of a signal or panicking (exit 101) fails the test.
fn ran(
    mut cmd: Command,
    stdout: Option<Stdio>,
    stderr: Option<Stdio>,
    limit: Duration,
    what: &str,
) -> Ran {
    cmd.stdin(Stdio::null())
        .stdout(stdout.unwrap_or_else(Stdio::piped))
        .stderr(stderr.unwrap_or_else(Stdio::piped));
    let started = Instant::now();
    let mut child = cmd.spawn().expect("spawn pinwatch");
    let out = collect(child.stdout.take());
    let err = collect(child.stderr.take());
    let status = wait(&mut child, limit, what);
    let elapsed = started.elapsed();
    let ran = Ran {
        code: status.code().unwrap_or(-1),
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
        elapsed,
    };
    assert!(
        status.code().is_some(),
        "{what}: killed by a signal; {ran:#?}"
    );
    assert_ne!(ran.code, 101, "{what}: panicked; {ran:#?}");
    ran
}

/// The write end of a pipe whose read end is already closed: what
/// `pinwatch ... | true` writes into once `true` has exited. Writing to it
/// fails with EPIPE (Rust programs ignore SIGPIPE).
fn closed_pipe() -> Stdio {
    let (read, write) = nix::unistd::pipe().expect("create a pipe");
    drop(read);
    Stdio::from(write)
}

/// `/dev/full`: every write fails with ENOSPC.
fn dev_full() -> Stdio {
    Stdio::from(
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("open /dev/full"),
    )
}

/// A FIFO in the world's temp dir, with no writer: opening it for reading
/// the ordinary way blocks forever.
fn fifo(world: &World, name: &str) -> PathBuf {
    let path = world.path(name);
    let made = Command::new("mkfifo").arg(&path).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo {}", path.display());
    path
}

// a. Closed and full pipes.

#[test]
fn a_closed_stdout_keeps_the_intercepted_exit_code() {
    let world = World::new();
    let middlebox = Server::forging(world.evil.clone());
    for format in ["text", "json"] {
        let cmd = world
            .check()
            .via(&middlebox)
            .arg("--format")
            .arg(format)
            .command();
        let what = format!("check --format {format} | true");
        let out = ran(
            cmd,
            Some(closed_pipe()),
            None,
            Duration::from_secs(60),
            &what,
        );
        out.expect(2, &what);
        assert_eq!(out.stderr, "", "{what}: a broken pipe is quiet; {out:#?}");
    }
}

#[test]
fn a_full_stdout_keeps_the_exit_code_and_says_why_on_stderr() {
    let world = World::new();
    let middlebox = Server::forging(world.evil.clone());
    let cmd = world.check().via(&middlebox).command();
    let out = ran(
        cmd,
        Some(dev_full()),
        None,
        Duration::from_secs(60),
        "check >/dev/full",
    );
    out.expect(2, "check >/dev/full");
    assert!(
        out.stderr
            .starts_with("pinwatch: writing output: No space left on device"),
        "{out:#?}"
    );
    assert_eq!(out.stderr.lines().count(), 1, "{out:#?}");
}

#[test]
fn a_closed_or_full_stderr_never_panics_and_keeps_the_exit_code() {
    let world = World::new();
    let middlebox = Server::forging(world.evil.clone());
    let limit = Duration::from_secs(60);

    // Error paths: a usage error found by clap, and one found after parsing.
    for (what, args) in [
        ("an unknown flag", vec!["check", "--frobnicate"]),
        ("an unknown service", vec!["check", "--service", "nope"]),
    ] {
        for (how, stderr) in [("closed", closed_pipe()), ("full", dev_full())] {
            let what = format!("{what}, stderr {how}");
            let out = ran(world.run(&args).command(), None, Some(stderr), limit, &what);
            out.expect(3, &what);
            assert_eq!(out.stdout, "", "{what}: {out:#?}");
        }
    }
    // With --format json the error document still reaches stdout.
    let cmd = world
        .run(&["check", "--format", "json", "--service", "nope"])
        .command();
    let out = ran(
        cmd,
        None,
        Some(closed_pipe()),
        limit,
        "json error, stderr closed",
    );
    out.expect(3, "json error, stderr closed");
    let doc: Value = serde_json::from_str(&out.stdout).expect("the JSON error document");
    assert_eq!(doc["error"]["code"], "usage", "{doc:#}");

    // A verdict: the check writes nothing to stderr; the agent logs there.
    let cmd = world.check().via(&middlebox).command();
    let out = ran(cmd, None, Some(closed_pipe()), limit, "check 2>closed");
    out.expect(2, "check 2>closed");
    for (how, stdout, stderr) in [
        ("stderr closed", None, closed_pipe()),
        ("stderr full", None, dev_full()),
        (
            "stdout and stderr closed",
            Some(closed_pipe()),
            closed_pipe(),
        ),
    ] {
        let cmd = world
            .agent()
            .via(middlebox.addr().port())
            .arg("--once")
            .command();
        let what = format!("agent --once, {how}");
        ran(cmd, stdout, Some(stderr), limit, &what).expect(2, &what);
    }
}

// b. A resolver that never answers.

/// A namespace whose resolver is a UDP socket that reads every query and
/// never answers, and `pinwatch` run inside it; `None` (after recording
/// the skip) where namespaces cannot be made.
struct SilentDns {
    ns: NetNs,
    _dns: crate::support::process::Proc,
}

impl SilentDns {
    fn start() -> Option<SilentDns> {
        let ns = NetNs::create()?;
        ns.set_resolv_conf("nameserver 127.0.0.1\noptions timeout:5 attempts:2\n");
        let dns = ns.silent_udp(53);
        Some(SilentDns { ns, _dns: dns })
    }

    /// Runs `run` inside the namespace (it must finish within 30 s).
    fn check(&self, cmd: &Command, what: &str) -> (Ran, Value) {
        let out = ran(self.ns.wrap(cmd), None, None, Duration::from_secs(30), what);
        let doc: Value = serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("{what}: stdout is not JSON ({e}); {out:#?}"));
        (out, doc)
    }
}

#[test]
fn a_silent_resolver_cannot_outlast_the_timeout() {
    let Some(dns) = SilentDns::start() else {
        return;
    };
    let world = World::new();
    // The glibc resolver alone would wait 5 s twice (timeout:5 attempts:2).
    let deadline = Duration::from_secs(1);
    let within = Duration::from_millis(2500);

    let direct = world.check().arg(HOST).arg("--timeout").arg("1s").command();
    let (out, doc) = dns.check(&direct, "a name the resolver never answers");
    out.expect(3, "a name the resolver never answers");
    let result = &doc["results"][0];
    assert_eq!(result["verdict"], "unreachable", "{doc:#}");
    assert!(
        has_reason(result, "timeout") || has_reason(result, "dns_failed"),
        "{doc:#}"
    );
    assert!(
        result["error"]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("resolving the name")),
        "{doc:#}"
    );
    assert!(
        out.elapsed >= deadline && out.elapsed < within,
        "--timeout 1s took {:?}; {out:#?}",
        out.elapsed
    );

    let proxied = world
        .check()
        .arg(HOST)
        .connect_to(HOST, closed_port())
        .arg("--proxy")
        .arg("http://proxy.pinwatch.test:3128")
        .arg("--timeout")
        .arg("1s")
        .command();
    let (out, doc) = dns.check(&proxied, "a proxy the resolver never answers for");
    out.expect(3, "a proxy the resolver never answers for");
    let result = &doc["results"][0];
    assert_eq!(result["verdict"], "unreachable", "{doc:#}");
    assert!(has_reason(result, "timeout"), "{doc:#}");
    assert_eq!(
        result["via_proxy"], "http://proxy.pinwatch.test:3128",
        "{doc:#}"
    );
    assert!(
        result["error"]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("talking to the proxy")),
        "{doc:#}"
    );
    assert!(
        out.elapsed >= deadline && out.elapsed < within,
        "--timeout 1s through the proxy took {:?}; {out:#?}",
        out.elapsed
    );
}

// c. FIFOs, devices and oversized files where files are expected.

/// Asserts a quick exit 3 whose stderr names `path` and says why.
fn refused(out: &Ran, path: &Path, why: &str, what: &str) {
    out.expect(3, what);
    let shown = path.display().to_string();
    assert!(
        out.stderr.contains(&format!("{shown}: {why}")),
        "{what}: names {shown} and `{why}`; {out:#?}"
    );
    assert!(out.elapsed < QUICK, "{what}: took {:?}", out.elapsed);
}

#[test]
fn fifos_devices_and_oversized_files_are_refused_at_once() {
    if require("FIFOs", &[("mkfifo", "coreutils")]).is_none() {
        return;
    }
    let world = World::new();
    let fifo_path = fifo(&world, "fifo");
    let zero = PathBuf::from("/dev/zero");
    let is_fifo = "is a FIFO (named pipe), not a regular file";
    let is_device = "is a character device, not a regular file";
    let huge = world.path("huge.pem");
    std::fs::File::create(&huge)
        .and_then(|f| f.set_len(17 * 1024 * 1024))
        .expect("make a sparse 17 MiB file");
    let too_large = "larger than 16 MiB, the limit for a certificate file";
    let port = closed_port();

    // --public-roots.
    for (path, why) in [
        (&fifo_path, is_fifo),
        (&zero, is_device),
        (&huge, too_large),
    ] {
        let what = format!("--public-roots {}", path.display());
        let cmd = world
            .check_with_public_roots(path)
            .arg(HOST)
            .connect_to(HOST, port)
            .command();
        refused(&ran(cmd, None, None, QUICK * 10, &what), path, why, &what);
    }

    // SSL_CERT_FILE: the system store is this machine's, so a bad one is a
    // warning for `check` (the public store still decides) and an error
    // for `roots`, whose subject it is.
    let genuine = world.genuine_server();
    for (path, why) in [(&fifo_path, is_fifo), (&zero, is_device)] {
        let what = format!("SSL_CERT_FILE={} check", path.display());
        let cmd = world
            .check()
            .via(&genuine)
            .env("SSL_CERT_FILE", path.display())
            .command();
        let out = ran(cmd, None, None, QUICK * 10, &what);
        out.expect(0, &what);
        assert!(out.elapsed < QUICK, "{what}: took {:?}", out.elapsed);
        let doc: Value = serde_json::from_str(&out.stdout).expect("the JSON report");
        let warning = format!("system trust store: {}: {why}", path.display());
        assert!(
            doc["warnings"].as_array().is_some_and(|w| w
                .iter()
                .any(|w| w.as_str().is_some_and(|w| w.starts_with(&warning)))),
            "{what}: warns `{warning}`: {doc:#}"
        );

        let what = format!("SSL_CERT_FILE={} roots", path.display());
        let cmd = world
            .run(&["roots", "--no-browsers"])
            .env("SSL_CERT_FILE", path.display())
            .command();
        let out = ran(cmd, None, None, QUICK * 10, &what);
        out.expect(3, &what);
        assert!(out.elapsed < QUICK, "{what}: took {:?}", out.elapsed);
        assert!(
            out.stdout.contains(&format!("{}: {why}", path.display())),
            "{what}: {out:#?}"
        );
    }

    // The agent's config file.
    for (path, why) in [(&fifo_path, is_fifo), (&zero, is_device)] {
        let what = format!("agent --config {}", path.display());
        let mut cmd = world.pinwatch(&["agent", "--once", "--config"]);
        cmd.arg(path).arg("--journal").arg(world.journal());
        refused(&ran(cmd, None, None, QUICK * 10, &what), path, why, &what);
    }

    // The journal.
    for (command, path, why) in [
        ("history", &fifo_path, is_fifo),
        ("history", &zero, is_device),
        ("status", &fifo_path, is_fifo),
        ("status", &zero, is_device),
    ] {
        let what = format!("{command} --journal {}", path.display());
        let mut cmd = world.pinwatch(&[command, "--journal"]);
        cmd.arg(path);
        refused(&ran(cmd, None, None, QUICK * 10, &what), path, why, &what);
    }
    // `check --targets` and `--ct-logs`.
    for flag in ["--targets", "--ct-logs"] {
        for (path, why) in [(&fifo_path, is_fifo), (&zero, is_device)] {
            let what = format!("check {flag} {}", path.display());
            let cmd = world
                .check()
                .arg(HOST)
                .connect_to(HOST, port)
                .arg(flag)
                .arg(path.display())
                .command();
            refused(&ran(cmd, None, None, QUICK * 10, &what), path, why, &what);
        }
    }
    let what = "agent --journal /dev/zero";
    let mut cmd = world.pinwatch(&["agent", "--once", "--config"]);
    cmd.arg(world.path("no-config.toml"))
        .arg("--journal")
        .arg(&zero);
    let out = ran(cmd, None, None, QUICK * 10, what);
    out.expect(3, what);
    assert!(
        out.stderr.contains("/dev/zero: not a regular file"),
        "{out:#?}"
    );
}

// d. A large journal: memory bounded by what is shown, not the file.

/// One check record, as the agent journals it (about 230 bytes).
fn check_line(at: i64, host: &str) -> String {
    format!(
        "{{\"type\":\"check\",\"at\":{at},\"service\":\"chat\",\"host\":\"{host}\",\"port\":443,\
         \"verdict\":\"ok\",\"reasons\":[\"public_root\",\"name_match\",\"pin_match\"],\
         \"interceptor\":null,\"issuer\":\"CN=Pinwatch Test Issuing CA, O=Pinwatch Test PKI\"}}\n"
    )
}

/// Writes a journal of about `bytes` bytes: cycles of ten checks, hosts
/// `hN.pinwatch.test`, then a last cycle (trigger `user`) of `last` checks,
/// hosts `lastN.pinwatch.test`. Returns the hosts of every check, in order.
fn big_journal(path: &Path, bytes: u64, last: usize) -> Vec<String> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("create the journal"));
    let mut hosts = Vec::new();
    let mut written = 0u64;
    let mut at = 1_700_000_000i64;
    while written < bytes {
        let cycle = format!("{{\"type\":\"cycle\",\"at\":{at},\"trigger\":\"schedule\"}}\n");
        out.write_all(cycle.as_bytes()).expect("write");
        written += cycle.len() as u64;
        for _ in 0..10 {
            let host = format!("h{}.pinwatch.test", hosts.len());
            let line = check_line(at, &host);
            out.write_all(line.as_bytes()).expect("write");
            written += line.len() as u64;
            hosts.push(host);
        }
        at += 900;
    }
    let cycle = format!("{{\"type\":\"cycle\",\"at\":{at},\"trigger\":\"user\"}}\n");
    out.write_all(cycle.as_bytes()).expect("write");
    for i in 0..last {
        let host = format!("last{i}.pinwatch.test");
        out.write_all(check_line(at, &host).as_bytes())
            .expect("write");
        hosts.push(host);
    }
    out.flush().expect("flush the journal");
    hosts
}

/// Runs `cmd`, whose output must be larger than a pipe holds: once it has
/// written its first bytes (it has read what it needed), it blocks on the
/// full pipe, and its peak resident memory (VmHWM) is read from /proc while
/// it waits. Returns (peak bytes, stdout, exit code).
fn peak_memory_while_writing(mut cmd: Command, what: &str) -> (u64, String, i32) {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn pinwatch");
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let err = collect(child.stderr.take());
    let mut first = [0u8; 1];
    stdout.read_exact(&mut first).unwrap_or_else(|e| {
        panic!(
            "{what}: no output ({e}); stderr: {}",
            err_text(&mut child, err)
        )
    });
    // Let it fill the pipe and block.
    std::thread::sleep(Duration::from_millis(300));
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id()))
        .unwrap_or_else(|e| panic!("{what}: /proc status ({e}): did it exit already?"));
    let peak_kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("{what}: no VmHWM in /proc status:\n{status}"));
    let mut rest = Vec::new();
    stdout.read_to_end(&mut rest).expect("read the rest");
    let code = wait(&mut child, Duration::from_secs(60), what)
        .code()
        .unwrap_or(-1);
    let mut text = String::from_utf8_lossy(&first).into_owned();
    text.push_str(&String::from_utf8_lossy(&rest));
    (peak_kib * 1024, text, code)
}

fn err_text(child: &mut Child, err: std::thread::JoinHandle<String>) -> String {
    let _ = child.kill();
    let _ = child.wait();
    err.join().unwrap_or_default()
}

/// `pinwatch ARGS --journal JOURNAL` with peak memory, as
/// [`peak_memory_while_writing`].
fn journal_peak(world: &World, args: &[&str], journal: &Path) -> (u64, Value) {
    let mut cmd = world.pinwatch(args);
    cmd.arg("--journal").arg(journal);
    let what = format!("{} on {}", args.join(" "), journal.display());
    let (peak, stdout, code) = peak_memory_while_writing(cmd, &what);
    assert_eq!(code, 0, "{what}");
    let doc = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{what}: stdout is not JSON ({e})"));
    (peak, doc)
}

/// 50 MB of junk after the last cycle's records (short lines, binary
/// lines, one very long line, a torn record): `status` passes over it,
/// however many lines it has, and shows the last cycle.
#[test]
fn status_finds_the_last_cycle_past_50_mb_of_junk() {
    let world = World::new();
    let journal = world.path("junk.jsonl");
    big_journal(&journal, 1024 * 1024, 3);
    let mut out = std::fs::OpenOptions::new()
        .append(true)
        .open(&journal)
        .expect("open the journal");
    let mut junk = Vec::with_capacity(51 << 20);
    while junk.len() < 50 << 20 {
        junk.extend_from_slice(b"not a record\n\x00\xff\x1b[2J binary\n{\"type\":\"cycle\",\n");
    }
    junk.extend(std::iter::repeat_n(b'x', 1 << 20));
    junk.extend_from_slice(b"\n{\"type\":\"check\",\"at\":1");
    out.write_all(&junk).expect("append junk");
    drop(out);
    let mut cmd = world.pinwatch(&["status", "--format", "json", "--journal"]);
    cmd.arg(&journal);
    let json = ran(
        cmd,
        None,
        None,
        Duration::from_secs(120),
        "status past junk",
    );
    json.expect(0, "status past junk");
    let doc: Value = serde_json::from_str(&json.stdout).expect("status JSON");
    assert_eq!(doc["trigger"], "user", "{doc:#}");
    let hosts: Vec<&str> = doc["results"]
        .as_array()
        .map(|r| r.iter().filter_map(|r| r["host"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        hosts,
        [
            "last0.pinwatch.test",
            "last1.pinwatch.test",
            "last2.pinwatch.test"
        ],
        "{doc:#}"
    );
    let mut cmd = world.pinwatch(&["status", "--lang", "en", "--journal"]);
    cmd.arg(&journal);
    let text = ran(
        cmd,
        None,
        None,
        Duration::from_secs(120),
        "status text past junk",
    );
    text.expect(0, "status text past junk");
    assert!(text.stdout.contains("last2.pinwatch.test:443"), "{text:#?}");
}

#[test]
fn history_and_status_read_a_large_journal_in_small_memory() {
    let world = World::new();
    let journal = world.path("big.jsonl");
    let hosts = big_journal(&journal, 50 * 1024 * 1024, 3000);
    let size = std::fs::metadata(&journal).expect("journal").len();
    // The same output from a journal of little more than what is shown:
    // the memory the output itself needs (a debug build's baseline is
    // about 14 MB).
    let small = world.path("small.jsonl");
    big_journal(&small, 0, 5000);
    let slack = 8 * 1024 * 1024;
    let history = ["history", "--limit", "5000", "--format", "json"];
    let status = ["status", "--format", "json"];

    let (baseline, _) = journal_peak(&world, &history, &small);
    let (peak, doc) = journal_peak(&world, &history, &journal);
    eprintln!(
        "history --limit 5000: peak RSS {peak} bytes on {size} bytes, {baseline} on a small journal"
    );
    assert!(
        peak < size / 2 && peak < baseline + slack,
        "history --limit 5000 on a {size}-byte journal peaked at {peak} bytes, \
         {baseline} on a journal of about the records shown"
    );
    let records = doc["records"].as_array().expect("records");
    assert_eq!(records.len(), 5000, "the last 5000 records");
    // 5000 records: the 3000 checks of the last cycle, its cycle record,
    // and the 1999 records before it (cycles among them), oldest first.
    let shown: Vec<&str> = records.iter().filter_map(|r| r["host"].as_str()).collect();
    assert_eq!(
        shown.last().copied(),
        hosts.last().map(String::as_str),
        "newest last"
    );
    assert_eq!(
        records[records.len() - 3001]["trigger"],
        "user",
        "the last cycle"
    );
    assert!(
        shown
            .iter()
            .rev()
            .zip(hosts.iter().rev())
            .all(|(a, b)| a == b),
        "the last checks, in order"
    );
    assert_eq!(doc["skipped"], 0);

    let small = world.path("small-status.jsonl");
    big_journal(&small, 0, 3000);
    let (baseline, _) = journal_peak(&world, &status, &small);
    let (peak, doc) = journal_peak(&world, &status, &journal);
    eprintln!("status: peak RSS {peak} bytes on {size} bytes, {baseline} on a small journal");
    assert!(
        peak < size / 2 && peak < baseline + slack,
        "status on a {size}-byte journal peaked at {peak} bytes, {baseline} on a small journal"
    );
    assert_eq!(doc["trigger"], "user", "{}", doc["checked_at"]);
    assert_eq!(doc["exit_code"], 0);
    let results = doc["results"].as_array().expect("results");
    assert_eq!(results.len(), 3000);
    assert_eq!(results[0]["host"], "last0.pinwatch.test");

    // A journal that is one endless line: skipped, not held.
    let line = world.path("one-line.jsonl");
    std::fs::File::create(&line)
        .and_then(|f| f.set_len(size))
        .expect("a sparse journal of NUL bytes");
    let started = Instant::now();
    let mut cmd = world.pinwatch(&["history", "--limit", "5", "--format", "json", "--journal"]);
    cmd.arg(&line);
    let out = ran(
        cmd,
        None,
        None,
        Duration::from_secs(60),
        "a journal of one endless line",
    );
    out.expect(0, "a journal of one endless line");
    let doc: Value = serde_json::from_str(&out.stdout).expect("history JSON");
    assert_eq!(doc["records"], serde_json::json!([]), "{doc:#}");
    assert_eq!(doc["skipped"], 1, "{doc:#}");
    eprintln!(
        "history --limit 5 on one {size}-byte line: {:?}",
        started.elapsed()
    );
}

// e. A large pins directory: linear validation, capped files.

/// A service file `name` with `hosts` hosts `<name>-N.big.test`.
fn big_service(name: &str, hosts: usize) -> String {
    let mut text = format!(
        "name = \"{name}\"\ndisplay_name = \"Big\"\ndisplay_name_zh = \"大\"\n\
         review_by = 2099-01-01\nsource = \"test\"\nexposes = \"e\"\nexposes_zh = \"e\"\n\n\
         [[pin]]\nauthority = \"pinwatch-test-root\"\n\n\
         [[pin]]\nspki_sha256 = \"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\"\n\
         label = \"Backup\"\nbackup = true\n\n"
    );
    for i in 0..hosts {
        let _ = write!(text, "[[host]]\nname = \"{name}-{i}.big.test\"\n");
    }
    text
}

/// Writes a pins directory (this world's, plus `files` services of
/// `per_file` hosts each, the last host of the last one also in a service
/// `dup`) at `dir`; returns how long `pins verify` took.
fn verify_big(world: &World, dir: &Path, files: usize, per_file: usize) -> Duration {
    world.pins().write(dir);
    for n in 0..files {
        write_file(
            &dir.join(format!("services/big{n}.toml")),
            &big_service(&format!("big{n}"), per_file),
        );
    }
    let last = format!("big{}-{}.big.test", files - 1, per_file - 1);
    let dup = big_service("dup", 1).replace("dup-0.big.test", &last);
    write_file(&dir.join("services/dup.toml"), &dup);
    let what = format!("pins verify ({files} x {per_file} hosts)");
    let shown = dir.display().to_string();
    let out = ran(
        world.run(&["pins", "verify", &shown]).command(),
        None,
        None,
        Duration::from_secs(300),
        &what,
    );
    out.expect(1, &format!("{what}: the duplicate host is an error"));
    let errors: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.contains(": error: "))
        .collect();
    assert!(
        errors
            .iter()
            .any(|l| l.contains(&format!("host `{last}` is in both"))),
        "{what}: {out:#?}"
    );
    assert!(
        errors.iter().all(|l| !l.contains("/services/big")),
        "{what}: no error in the big services: {errors:#?}"
    );
    out.elapsed
}

#[test]
fn a_pins_directory_with_200k_hosts_validates_in_linear_time() {
    let world = World::new();
    // 4 times the hosts, per file and in all: linear validation takes
    // about 4 times as long; the old per-file duplicate check took 16
    // times as long (minutes for a 100k-host file).
    let small = verify_big(&world, &world.path("pins-50k"), 2, 25_000);
    let large = verify_big(&world, &world.path("pins-200k"), 2, 100_000);
    eprintln!("pins verify: 50k hosts {small:?}, 200k hosts {large:?}");
    assert!(
        large < small * 8,
        "pins verify: 50k hosts in {small:?}, 200k hosts in {large:?}: not linear"
    );

    // Over the cap: a clear error naming the file and the cap.
    let pins = world.path("pins");
    let dir = pins.display().to_string();
    let huge = pins.join("services/huge.toml");
    write_file(&huge, &big_service("huge", 120_000));
    let cap = "larger than 4 MiB, the limit for a pins file: not read";
    let out = ran(
        world.run(&["pins", "verify", &dir]).command(),
        None,
        None,
        Duration::from_secs(120),
        "pins verify (over the cap)",
    );
    out.expect(1, "pins verify (over the cap)");
    assert!(
        out.stdout
            .contains(&format!("{}: error: {cap}", huge.display())),
        "{out:#?}"
    );
    let out = ran(
        world
            .check()
            .arg(HOST)
            .connect_to(HOST, closed_port())
            .arg("--format")
            .arg("text")
            .command(),
        None,
        None,
        Duration::from_secs(120),
        "check --pins (over the cap)",
    );
    out.expect(3, "check --pins (over the cap)");
    assert_eq!(
        out.stderr.trim_end(),
        format!("pinwatch: {}: {cap}", huge.display()),
        "{out:#?}"
    );
}

// f. Config values: the place and the key, never a flag.

#[test]
fn config_values_are_checked_with_file_line_column_and_key() {
    let world = World::new();
    let roots = world.path("public-roots.pem").display().to_string();
    let cases: [(&str, usize, usize, &str); 7] = [
        (
            "proxy = \"garbage\"\n",
            1,
            9,
            "proxy: `garbage` is not a proxy URL",
        ),
        (
            "language = \"en\"\ntargets = [\"chat.example\", \"qq.com:99999\"]\n",
            2,
            28,
            "targets: `qq.com:99999`: invalid port",
        ),
        (
            "connect_to = [\"nonsense\"]\n",
            1,
            15,
            "connect_to: `nonsense`: `nonsense` is not a HOST:PORT:ADDR:PORT rule",
        ),
        (
            "\nportal_checks = [\"https://captive.example/\"]\n",
            2,
            18,
            "portal_checks: portal check URL `https://captive.example/` must start with http://",
        ),
        (
            "public_roots = \"/nonexistent/roots.pem\"\n",
            1,
            16,
            "public_roots: /nonexistent/roots.pem: cannot read",
        ),
        (
            "pins = \"/nonexistent/pins\"\n",
            1,
            8,
            "pins: /nonexistent/pins",
        ),
        (
            "proxy = \"socks5://127.0.0.1:1080\"\n",
            1,
            9,
            "proxy: unsupported proxy `socks5://127.0.0.1:1080`",
        ),
    ];
    for (text, line, column, message) in cases {
        let file = world.path("bad.toml");
        // A valid public_roots first, so only the line under test is wrong.
        let text = if text.starts_with("public_roots") {
            text.to_string()
        } else {
            format!("{text}public_roots = {roots:?}\n")
        };
        write_file(&file, &text);
        let mut cmd = world.pinwatch(&["agent", "--once", "--config"]);
        cmd.arg(&file).arg("--journal").arg(world.journal());
        let out = ran(cmd, None, None, Duration::from_secs(60), text.trim());
        out.expect(3, &text);
        let expected = format!("pinwatch: {}:{line}:{column}: {message}", file.display());
        assert!(
            out.stderr.starts_with(&expected),
            "{text:?}: expected `{expected}`; {out:#?}"
        );
        assert_eq!(out.stderr.lines().count(), 1, "{out:#?}");
        assert!(
            !out.stderr.contains("--"),
            "{text:?}: names no command-line flag; {out:#?}"
        );
        assert!(!world.journal().exists(), "{text:?}: nothing journalled");
    }
}

// g. The JSON error document.

#[test]
fn format_json_errors_print_the_error_document() {
    let world = World::new();
    let broken = world.path("broken-pins");
    world.pins().write(&broken);
    write_file(
        &broken.join("services/chat.toml"),
        "name = \"chat\"\ndisplay_name = \n",
    );
    let broken = broken.display().to_string();
    let cases: [(&[&str], &str, &str, &str); 7] = [
        (
            &["check", "--format", "json", "--frobnicate"],
            "usage",
            "pinwatch.check/",
            "--frobnicate",
        ),
        (
            &[
                "--lang",
                "zh",
                "check",
                "--format=json",
                "--timeout",
                "soon",
            ],
            "usage",
            "pinwatch.check/",
            "soon",
        ),
        (
            &["check", "--format", "json", "--service", "nope"],
            "usage",
            "pinwatch.check/",
            "unknown service `nope`",
        ),
        (
            &["check", "--format", "json", "--pins", &broken],
            "pins",
            "pinwatch.check/",
            "chat.toml:2:",
        ),
        (
            &["check", "--format", "json", "--public-roots", "/dev/zero"],
            "store",
            "pinwatch.check/",
            "/dev/zero: is a character device",
        ),
        (
            &["status", "--format", "json", "--journal", "/dev/zero"],
            "io",
            "pinwatch.status/1",
            "/dev/zero",
        ),
        (
            &["history", "--format", "json", "--journal", "/dev/zero"],
            "io",
            "pinwatch.history/1",
            "/dev/zero",
        ),
    ];
    for (args, code, schema, needle) in cases {
        let what = args.join(" ");
        let out = ran(
            world.run(args).command(),
            None,
            None,
            Duration::from_secs(60),
            &what,
        );
        out.expect(3, &what);
        let doc: Value = serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("{what}: stdout is not JSON ({e}); {out:#?}"));
        assert_eq!(doc["error"]["code"], code, "{what}: {doc:#}");
        assert_eq!(doc["exit_code"], 3, "{what}: {doc:#}");
        assert_eq!(doc["version"], env!("CARGO_PKG_VERSION"), "{what}: {doc:#}");
        assert!(
            doc["schema"]
                .as_str()
                .is_some_and(|s| s.starts_with(schema)),
            "{what}: schema {schema}: {doc:#}"
        );
        let message = doc["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(needle),
            "{what}: message names `{needle}`: {doc:#}"
        );
        let first = out.stderr.lines().next().unwrap_or_default();
        assert!(first.contains(needle), "{what}: and stderr too: {out:#?}");
    }
    // Text stays text: nothing on stdout.
    let out = ran(
        world.run(&["check", "--service", "nope"]).command(),
        None,
        None,
        Duration::from_secs(60),
        "text usage error",
    );
    out.expect(3, "text usage error");
    assert_eq!(out.stdout, "", "{out:#?}");
}
