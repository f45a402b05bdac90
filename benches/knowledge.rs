//! Benchmark: what the knowledge in use costs every run.
//!
//! Builds a knowledge bundle of the shipped `pins/` (a bundle number above
//! the built-in one, signed with a key of the bench's own), installs it
//! with `pinwatch pins update --from FILE` into a state directory of the
//! bench's own (the key trusted through the config's `trusted_keys`, as an
//! administrator's), then times whole runs of `pinwatch pins list --format
//! json` (it loads the knowledge and prints a little) with:
//! - the built-in knowledge (an empty state directory);
//! - the stored bundle, its signature verified, its validated knowledge
//!   read from the cache written at install;
//! - the stored bundle without its cache (removed before each run, not
//!   timed): its pins parsed and validated again, as every run did before
//!   the cache, and the cache written again.
//!
//! Run: `cargo bench --bench knowledge` (the release binary).
//! `PINWATCH_BENCH_RUNS` (default 50) sets the runs per case;
//! `PINWATCH_BENCH_BINARY` times another pinwatch (an older build) against
//! the same bundle. The commands are printed for `hyperfine -N` too.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use pinwatch_knowledge::bundle::{Header, Payload, sign};

type Error = Box<dyn std::error::Error>;

fn main() -> Result<(), Error> {
    let runs: usize = std::env::var("PINWATCH_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let binary = std::env::var_os("PINWATCH_BENCH_BINARY").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_pinwatch")),
        PathBuf::from,
    );
    let dir = tempfile::tempdir()?;
    let root = dir.path();

    let pair = minisign::KeyPair::generate_unencrypted_keypair()?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let pins = Path::new(env!("CARGO_MANIFEST_DIR")).join("pins");
    let header = Header::new(1000, i64::try_from(now)?, env!("CARGO_PKG_VERSION"));
    let payload = Payload::from_dir(&pins, header)?;
    let bundle = sign(&payload, &pair.sk, &pair.pk)?;
    let bundle_file = root.join("knowledge.bundle");
    std::fs::write(&bundle_file, &bundle)?;
    std::fs::create_dir_all(root.join("config/pinwatch"))?;
    std::fs::write(
        root.join("config/pinwatch/config.toml"),
        format!("trusted_keys = [\"{}\"]\n", pair.pk.to_base64()),
    )?;

    let command = |state: &Path, args: &[&str]| {
        let mut cmd = Command::new(&binary);
        cmd.args(args)
            .env("HOME", root)
            .env("XDG_CONFIG_HOME", root.join("config"))
            .env("XDG_STATE_HOME", state)
            .env("PINWATCH_SYSTEM_STATE", "")
            .env("PINWATCH_SYSTEM_CONFIG", root.join("no-system-config.toml"))
            .env("LANG", "C.UTF-8");
        cmd
    };
    let stored = root.join("state");
    let installed = command(&stored, &["pins", "update", "--from"])
        .arg(&bundle_file)
        .output()?;
    if !installed.status.success() {
        return Err(format!(
            "pins update: {}{}",
            String::from_utf8_lossy(&installed.stdout),
            String::from_utf8_lossy(&installed.stderr)
        )
        .into());
    }
    let empty = root.join("empty-state");
    std::fs::create_dir_all(&empty)?;
    let cache = stored.join("pinwatch/knowledge/knowledge.cache.json");

    let list = ["pins", "list", "--format", "json"];
    let time = |state: &Path, before: &dyn Fn()| -> Result<Vec<Duration>, Error> {
        let mut times = Vec::with_capacity(runs);
        for i in 0..runs + 3 {
            before();
            let started = Instant::now();
            let out = command(state, &list).output()?;
            let elapsed = started.elapsed();
            if !out.status.success() {
                return Err(format!("pins list: {}", String::from_utf8_lossy(&out.stderr)).into());
            }
            // The first three warm the file cache.
            if i >= 3 {
                times.push(elapsed);
            }
        }
        times.sort();
        Ok(times)
    };
    let sequence = |state: &Path| -> Result<String, Error> {
        let out = command(state, &list).output()?;
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout)?;
        Ok(doc["knowledge"]["sequence"].to_string())
    };
    let built_in = time(&empty, &|| {})?;
    let cached = time(&stored, &|| {})?;
    let had_cache = cache.exists();
    let parsed = time(&stored, &|| {
        let _ = std::fs::remove_file(&cache);
    })?;

    println!(
        "pinwatch pins list --format json, {} ({} KiB bundle of pins/); {runs} runs each after 3 warm-ups",
        binary.display(),
        bundle.len() / 1024
    );
    let row = |what: &str, times: &[Duration], sequence: String| {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let mean = times.iter().map(|d| ms(*d)).sum::<f64>() / times.len() as f64;
        println!(
            "  {what:<40} median {:>6.1} ms  mean {:>6.1} ms  min {:>6.1} ms  (knowledge: bundle {sequence})",
            ms(times[times.len() / 2]),
            mean,
            ms(times[0]),
        );
    };
    row("built-in knowledge", &built_in, sequence(&empty)?);
    if had_cache {
        row("stored bundle, cache", &cached, sequence(&stored)?);
    } else {
        row(
            "stored bundle (no cache written)",
            &cached,
            sequence(&stored)?,
        );
    }
    row(
        "stored bundle, cache removed each run",
        &parsed,
        sequence(&stored)?,
    );
    println!(
        "With hyperfine (the same environment: HOME={root}, XDG_CONFIG_HOME={root}/config, PINWATCH_SYSTEM_STATE=, PINWATCH_SYSTEM_CONFIG={root}/no-system-config.toml):\n  hyperfine -N 'env XDG_STATE_HOME={empty} {bin} pins list --format json' 'env XDG_STATE_HOME={stored} {bin} pins list --format json'",
        root = root.display(),
        empty = empty.display(),
        stored = stored.display(),
        bin = binary.display(),
    );
    if std::env::var_os("PINWATCH_BENCH_KEEP").is_some() {
        let kept = dir.keep();
        println!("kept {}", kept.display());
    }
    Ok(())
}
