//! Processes the tests start: tools found on PATH (a missing tool fails the
//! test under `CI=true` and skips it, loudly and on record, otherwise), each
//! child in its own process group and killed with that group when its guard
//! drops, and its output collected line by line so a test can wait for a
//! line.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use std::os::unix::process::CommandExt as _;

use nix::sys::signal::{Signal, kill, killpg};
use nix::unistd::Pid;

/// Whether this run is CI's (`CI=true`), where nothing may be skipped.
pub fn ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// A test cannot run here: fails under CI, otherwise prints a loud notice
/// and records the skip (the caller then returns early).
pub fn unavailable(test_part: &str, why: &str) {
    assert!(!ci(), "{test_part} cannot run: {why}");
    eprintln!("\n!!!!!!!!!! SKIPPED: {test_part} did not run !!!!!!!!!!");
    eprintln!("!!!!!!!!!! {why}\n");
    record_skip(&format!("{test_part} did not run: {why}"));
}

/// The environment variable naming the file where skips are recorded;
/// `scripts/test.sh` sets it, empties the file, and lists the skips after
/// the runner's summary, since the runner counts a skipped test as passed.
pub const SKIP_LOG: &str = "PINWATCH_SKIP_LOG";

/// Appends `TEST: reason` (one line, one write, so concurrent tests do not
/// interleave) to the file named by [`SKIP_LOG`], if set. The test's name
/// is its thread's, as the test harness names it.
pub fn record_skip(reason: &str) {
    use std::io::Write as _;
    let Some(path) = std::env::var_os(SKIP_LOG).filter(|p| !p.is_empty()) else {
        return;
    };
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("(a test thread)");
    let line = format!("{test}: {}\n", reason.replace(['\n', '\r'], " "));
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| f.write_all(line.as_bytes()));
    if let Err(e) = written {
        eprintln!(
            "cannot record the skip in {}: {e}",
            std::path::Path::new(&path).display()
        );
    }
}

/// The first executable called `name` on PATH.
pub fn which(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt as _;
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| {
            p.metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// Checks that every `(program, Debian package)` is on PATH; `None` (after
/// [`unavailable`]) when some are not.
pub fn require(test_part: &str, tools: &[(&str, &str)]) -> Option<()> {
    let missing: Vec<String> = tools
        .iter()
        .filter(|(program, _)| which(program).is_none())
        .map(|(program, package)| format!("{program} (Debian package {package})"))
        .collect();
    if missing.is_empty() {
        return Some(());
    }
    unavailable(
        test_part,
        &format!(
            "not installed: {}; scripts/test.sh installs them",
            missing.join(", ")
        ),
    );
    None
}

/// `cmd` run by `outer` (which already has its own arguments, e.g.
/// `ip netns exec NS` or `sh -c '...' sh`): `cmd`'s program and arguments
/// appended, its environment changes and working directory carried over.
pub fn run_under(mut outer: Command, cmd: &Command) -> Command {
    outer.arg(cmd.get_program()).args(cmd.get_args());
    for (key, value) in cmd.get_envs() {
        match value {
            Some(v) => outer.env(key, v),
            None => outer.env_remove(key),
        };
    }
    if let Some(dir) = cmd.get_current_dir() {
        outer.current_dir(dir);
    }
    outer
}

/// `cmd` run on a pseudo-terminal by `script`: the exact bytes the
/// terminal got, and the exit code. Needs `script` (bsdutils).
pub fn on_a_terminal(cmd: &Command) -> (Vec<u8>, i32) {
    let quote = |s: &std::ffi::OsStr| format!("'{}'", s.to_string_lossy().replace('\'', "'\\''"));
    let line: Vec<String> = std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(quote)
        .collect();
    let mut script = Command::new("script");
    script
        .args(["-q", "-e", "-c", &line.join(" "), "/dev/null"])
        .stdin(Stdio::null());
    for (key, value) in cmd.get_envs() {
        match value {
            Some(v) => script.env(key, v),
            None => script.env_remove(key),
        };
    }
    let out = script.output().expect("run script");
    (out.stdout, out.status.code().unwrap_or(-1))
}

/// Calls `f` every few milliseconds until it returns `Some` or `timeout`
/// passes.
pub fn poll<T>(timeout: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(5);
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(100));
    }
}

#[derive(Default)]
struct LinesState {
    lines: Vec<String>,
    closed: bool,
}

/// The lines a child wrote to one of its pipes, collected by a thread.
#[derive(Clone, Default)]
pub struct Lines(Arc<(Mutex<LinesState>, Condvar)>);

impl Lines {
    fn collect(reader: impl Read + Send + 'static) -> Lines {
        let lines = Lines::default();
        let shared = lines.clone();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(reader);
            let mut buf = Vec::new();
            loop {
                buf.clear();
                let done = !matches!(reader.read_until(b'\n', &mut buf), Ok(n) if n > 0);
                let (lock, cvar) = &*shared.0;
                let mut state = lock.lock().unwrap_or_else(|e| e.into_inner());
                if done {
                    state.closed = true;
                } else {
                    let line = String::from_utf8_lossy(&buf);
                    state
                        .lines
                        .push(line.trim_end_matches(['\n', '\r']).to_string());
                }
                cvar.notify_all();
                if done {
                    return;
                }
            }
        });
        lines
    }

    /// Every line so far.
    pub fn snapshot(&self) -> Vec<String> {
        let state = self.0.0.lock().unwrap_or_else(|e| e.into_inner());
        state.lines.clone()
    }

    /// Every line so far, joined.
    pub fn text(&self) -> String {
        self.snapshot().join("\n")
    }

    /// Waits until `done` holds for the state; `None` after `timeout`.
    fn wait_for<T>(
        &self,
        timeout: Duration,
        mut done: impl FnMut(&LinesState) -> Option<T>,
    ) -> Option<T> {
        let deadline = Instant::now() + timeout;
        let (lock, cvar) = &*self.0;
        let mut state = lock.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(v) = done(&state) {
                return Some(v);
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            state = cvar
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Waits until `done` holds for the lines (returning them) or `timeout`
    /// passes (`None`).
    pub fn wait_until(
        &self,
        timeout: Duration,
        mut done: impl FnMut(&[String]) -> bool,
    ) -> Option<Vec<String>> {
        self.wait_for(timeout, |s| done(&s.lines).then(|| s.lines.clone()))
    }

    /// Waits until the writer closed the pipe (the child and its children
    /// exited); false on timeout.
    pub fn wait_closed(&self, timeout: Duration) -> bool {
        self.wait_for(timeout, |s| s.closed.then_some(())).is_some()
    }
}

/// A child in its own process group; dropping the guard kills the group
/// (SIGKILL) and reaps the child.
pub struct Proc {
    name: String,
    child: Child,
    stdout: Lines,
    stderr: Lines,
    status: Option<ExitStatus>,
}

impl Drop for Proc {
    fn drop(&mut self) {
        if self.status.is_none() {
            let _ = killpg(self.pgid(), Signal::SIGKILL);
            let _ = self.child.wait();
        } else {
            // The leader is gone; anything it left in its group goes too.
            let _ = killpg(self.pgid(), Signal::SIGKILL);
        }
    }
}

impl Proc {
    /// Spawns `cmd` (stdin null, stdout and stderr collected) as the leader
    /// of a new process group.
    pub fn spawn(name: &str, mut cmd: Command) -> Proc {
        cmd.process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("start {name} ({:?}): {e}", cmd.get_program()));
        let stdout = Lines::collect(child.stdout.take().expect("stdout is piped"));
        let stderr = Lines::collect(child.stderr.take().expect("stderr is piped"));
        Proc {
            name: name.to_string(),
            child,
            stdout,
            stderr,
            status: None,
        }
    }

    fn pgid(&self) -> Pid {
        Pid::from_raw(i32::try_from(self.child.id()).expect("pid fits i32"))
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What it printed on stdout.
    pub fn stdout(&self) -> &Lines {
        &self.stdout
    }

    /// What it printed on stderr.
    pub fn stderr(&self) -> &Lines {
        &self.stderr
    }

    /// Sends `signal` to the process (not its group).
    pub fn signal(&self, signal: Signal) {
        if self.status.is_none() {
            let _ = kill(self.pgid(), signal);
        }
    }

    /// Its exit status, if it has exited.
    pub fn try_status(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            self.status = self.child.try_wait().ok().flatten();
        }
        self.status
    }

    /// Waits for it to exit; `None` after `timeout`.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        poll(timeout, || self.try_status())
    }

    /// Panics, saying what `name` printed, unless it is still running.
    pub fn assert_running(&mut self) {
        if let Some(status) = self.try_status() {
            panic!(
                "{} exited ({status}):\nstdout:\n{}\nstderr:\n{}",
                self.name,
                self.stdout.text(),
                self.stderr.text()
            );
        }
    }

    /// Waits until a line on stdout satisfies `matches`; returns it.
    /// Panics with the output when it exits first or `timeout` passes.
    pub fn wait_stdout_line(
        &mut self,
        timeout: Duration,
        matches: impl Fn(&str) -> bool,
    ) -> String {
        let found = self
            .stdout
            .wait_until(timeout, |lines| lines.iter().any(|l| matches(l)));
        match found {
            Some(lines) => lines.into_iter().find(|l| matches(l)).unwrap_or_default(),
            None => {
                self.assert_running();
                panic!(
                    "{} printed no expected line within {timeout:?}:\nstdout:\n{}\nstderr:\n{}",
                    self.name,
                    self.stdout.text(),
                    self.stderr.text()
                )
            }
        }
    }
}

/// Runs `cmd` to completion within `timeout`, returning (status, stdout,
/// stderr); panics if it takes longer (the group is killed).
pub fn run(name: &str, cmd: Command, timeout: Duration) -> (ExitStatus, String, String) {
    let mut proc = Proc::spawn(name, cmd);
    let Some(status) = proc.wait_exit(timeout) else {
        panic!(
            "{name} did not finish within {timeout:?}:\nstdout:\n{}\nstderr:\n{}",
            proc.stdout.text(),
            proc.stderr.text()
        );
    };
    // Its pipes close once every process holding them is gone.
    proc.stdout.wait_closed(Duration::from_secs(5));
    proc.stderr.wait_closed(Duration::from_secs(5));
    (status, proc.stdout.text(), proc.stderr.text())
}
