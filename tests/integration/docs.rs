//! What a person reads about pinwatch, against what it does: the man pages
//! (`man -l` of every generated page shows EXIT STATUS, ENVIRONMENT, FILES
//! and EXAMPLES, and `pinwatch-config(5)` every config key), shell
//! completion driven for real (bash with bash-completion loaded, fish's
//! `complete -C`), and README.md and packaging/README.md, whose quoted
//! commands must parse, whose options, metric names, unit names and
//! variables must exist, and whose series counts must be what a real run
//! writes.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use clap::{CommandFactory, Parser as _};

use crate::prometheus::every_builtin_host_intercepted;
use crate::support::process::{require, run};
use crate::support::{World, outcome};

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// `pinwatch generate KIND DIR`, in `world`'s directory; DIR.
fn generate(world: &World, kind: &str) -> PathBuf {
    let dir = world.path(kind);
    let out = outcome(
        world
            .run(&["generate", kind, &dir.display().to_string()])
            .command(),
    );
    assert_eq!(out.code, 0, "{out:#?}");
    dir
}

#[test]
fn man_pages_show_exit_status_environment_files_and_examples() {
    let Some(()) = require("man -l", &[("man", "man-db")]) else {
        return;
    };
    let world = World::new();
    let dir = generate(&world, "man");
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("list the pages")
        .map(|e| e.expect("entry").path())
        .collect();
    pages.sort();
    assert_eq!(pages.len(), 14, "{pages:?}");
    for page in &pages {
        let mut cmd = Command::new("man");
        cmd.arg("--warnings").arg("-l").arg(page);
        cmd.env("MANWIDTH", "100")
            .env("LC_ALL", "C.UTF-8")
            .env("MANPAGER", "cat");
        let (status, text, warnings) = run("man", cmd, Duration::from_secs(60));
        let name = page
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        assert!(status.success(), "{name}: {status}\n{warnings}");
        assert_eq!(warnings.trim(), "", "{name}: man --warnings");
        let headings: Vec<&str> = text
            .lines()
            .filter(|l| {
                !l.is_empty()
                    && !l.starts_with(' ')
                    && l.chars().all(|c| c.is_ascii_uppercase() || c == ' ')
            })
            .collect();
        let expected: &[&str] = if name == "pinwatch-config.5" {
            &[
                "NAME",
                "SYNOPSIS",
                "DESCRIPTION",
                "KEYS",
                "ENVIRONMENT",
                "FILES",
                "EXAMPLES",
                "SEE ALSO",
            ]
        } else {
            &[
                "NAME",
                "SYNOPSIS",
                "DESCRIPTION",
                "EXIT STATUS",
                "ENVIRONMENT",
                "EXAMPLES",
                "SEE ALSO",
            ]
        };
        for heading in expected {
            assert!(
                headings.contains(heading),
                "{name}: no {heading} in {headings:?}"
            );
        }
        if name == "pinwatch-config.5" {
            for key in pinwatch::agent::KEYS {
                assert!(
                    text.contains(&format!("\n       {} (", key.name)),
                    "{name}: no key {}\n{text}",
                    key.name
                );
            }
        }
        if name == "pinwatch-check.1" {
            for needle in [
                "PINWATCH_EXIT_CODES",
                "SSL_CERT_FILE",
                "HTTPS_PROXY",
                "NO_COLOR",
                "FILES",
                "--sanctioned",
            ] {
                assert!(text.contains(needle), "{name}: {needle}\n{text}");
            }
        }
    }
}

/// The shell's own completion machinery, loaded as an interactive shell
/// loads it, asked what `pinwatch check --service w<TAB>` offers.
#[test]
fn bash_completes_service_names() {
    let Some(()) = require(
        "bash completion",
        &[("bash", "bash"), ("dpkg-query", "dpkg")],
    ) else {
        return;
    };
    let framework = Path::new("/usr/share/bash-completion/bash_completion");
    if !framework.exists() {
        crate::support::process::unavailable(
            "bash completion",
            "bash-completion is not installed; scripts/test.sh installs it",
        );
        return;
    }
    let world = World::new();
    let dir = generate(&world, "completions");
    let script = format!(
        r#"source {framework}
source {completion}
line='pinwatch check --service w'
COMP_LINE=$line; COMP_POINT=${{#line}}
COMP_WORDS=(pinwatch check --service w); COMP_CWORD=3
func=$(complete -p pinwatch | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
"$func" pinwatch w --service
printf '%s\n' "${{COMPREPLY[@]}}"
"#,
        framework = framework.display(),
        completion = dir.join("pinwatch.bash").display()
    );
    let mut cmd = Command::new("bash");
    cmd.arg("--norc")
        .arg("-i")
        .arg("-c")
        .arg(&script)
        .env("TERM", "dumb");
    let (status, stdout, stderr) = run("bash", cmd, Duration::from_secs(30));
    assert!(status.success(), "{status}\n{stderr}");
    let offered: Vec<&str> = stdout.lines().collect();
    assert_eq!(offered, ["wechat", "whatsapp"], "{stderr}");
}

#[test]
fn fish_completes_service_names() {
    let Some(()) = require("fish completion", &[("fish", "fish")]) else {
        return;
    };
    let world = World::new();
    let dir = generate(&world, "completions");
    let mut cmd = Command::new("fish");
    cmd.arg("--no-config").arg("-c").arg(format!(
        "source {}; complete -C 'pinwatch check --service w'",
        dir.join("pinwatch.fish").display()
    ));
    cmd.env("HOME", world.dir());
    let (status, stdout, stderr) = run("fish", cmd, Duration::from_secs(30));
    assert!(status.success(), "{status}\n{stderr}");
    let offered: Vec<&str> = stdout
        .lines()
        .map(|l| l.split('\t').next().unwrap_or_default())
        .collect();
    assert_eq!(offered, ["wechat", "whatsapp"], "{stdout}\n{stderr}");
}

/// The spans of `text` between backticks, and the lines of its code
/// blocks.
fn quoted(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut prose = String::new();
    let mut in_block = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if in_block {
            out.push(line.to_string());
        } else {
            // Inline code may wrap across lines of a paragraph.
            prose.push_str(line);
            prose.push(' ');
        }
    }
    out.extend(prose.split('`').skip(1).step_by(2).map(str::to_string));
    out
}

/// A quoted command line as words: up to a comment, a pipe or an
/// arrow, with the README's escaped pipes and placeholders kept.
fn words(command: &str) -> Option<Vec<String>> {
    let command = command
        .split(" # ")
        .next()?
        .split(" | ")
        .next()?
        .split(" → ")
        .next()?;
    let command = command.trim().trim_end_matches('\\').trim();
    if command.contains("...") || command.contains(['[', '<', '|']) {
        return None;
    }
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    for c in command.chars() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, ' ') => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            (_, c) => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    Some(words)
}

/// Every long option of every command.
fn options() -> BTreeSet<String> {
    fn walk(cmd: &clap::Command, out: &mut BTreeSet<String>) {
        for arg in cmd.get_arguments() {
            if let Some(long) = arg.get_long() {
                out.insert(format!("--{long}"));
            }
        }
        for sub in cmd.get_subcommands() {
            walk(sub, out);
        }
    }
    let mut out = BTreeSet::new();
    walk(&pinwatch::cli::Cli::command(), &mut out);
    out.insert("--help".into());
    out.insert("--version".into());
    out
}

/// README.md and packaging/README.md quote commands that parse, options
/// that exist, metric names pinwatch writes (every one of which the README
/// lists), units that ship, and variables pinwatch reads; and the README's
/// series counts are those of a real run of every built-in host.
#[test]
fn the_readmes_quote_what_the_code_does() {
    let readme = std::fs::read_to_string(repo("README.md")).expect("README.md");
    let packaging =
        std::fs::read_to_string(repo("packaging/README.md")).expect("packaging/README.md");
    let options = options();
    // Flags of other programs the READMEs quote.
    let foreign = [
        "--path",
        "--no-default-features",
        "--features",
        "--now",
        "--global",
        "--user",
        "--bench",
        "--no-build",
        "--strict",
        "--offline",
        "--warnings",
        "--force-confold",
        "--purge",
        "--lib",
        "--test",
        "--release",
        "--locked",
        "--man",
        "--deb-revision",
        "--set",
        "--listen-port",
        "--web.listen-address",
        "--collector.textfile",
        "--collector.textfile.directory",
        "--collector.disable-defaults",
        "--verbose",
    ];
    let mut commands = 0;
    // What reads environment variables: the sources, the benches, the
    // scripts and the packaging.
    let code = source_text(&[
        "src",
        "crates",
        "benches",
        "scripts",
        "packaging",
        "tests/support",
    ]);
    for (name, text) in [("README.md", &readme), ("packaging/README.md", &packaging)] {
        for span in quoted(text) {
            // Flags of pinwatch's own command lines, and flags quoted alone.
            let ours =
                span.trim_start().starts_with("pinwatch ") || span.trim_start().starts_with("--");
            for flag in span
                .split(|c: char| {
                    c.is_whitespace() || c == '`' || c == '(' || c == ')' || c == ',' || c == '='
                })
                .filter(|w| ours && w.starts_with("--") && w.len() > 2 && !w.contains("<TAB>"))
            {
                let flag = flag.trim_end_matches(['.', ':', ';']);
                assert!(
                    options.contains(flag) || foreign.contains(&flag),
                    "{name} quotes {flag}, which no pinwatch command has: `{span}`"
                );
            }
            let Some(words) = span
                .trim_start()
                .strip_prefix("pinwatch ")
                .and_then(|_| words(span.trim()))
            else {
                continue;
            };
            let parsed = pinwatch::cli::Cli::try_parse_from(&words);
            // A command named without its subcommand shows its help: fine.
            let help = |e: &clap::Error| {
                !e.use_stderr()
                    || e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            };
            assert!(
                parsed.is_ok() || parsed.as_ref().is_err_and(help),
                "{name} quotes `{span}`, which does not parse: {}",
                parsed.err().map(|e| e.to_string()).unwrap_or_default()
            );
            commands += 1;
        }
        for unit in tokens(text, "pinwatch-", &[".service", ".timer"]) {
            let shipped = ["packaging/systemd/", "packaging/fleet/systemd/"]
                .iter()
                .any(|d| repo(&format!("{d}{unit}")).exists());
            assert!(shipped, "{name} names {unit}, which is not shipped");
        }
        for var in tokens(text, "PINWATCH_", &[""]) {
            assert!(
                code.contains(&format!("\"{var}\""))
                    || code.contains(&format!("${var}"))
                    || code.contains(&format!("${{{var}"))
                    || code.contains(&format!("{var}=")),
                "{name} names {var}, which nothing reads"
            );
        }
    }
    assert!(commands >= 15, "only {commands} commands found");

    // Metric names: what a real run writes (with --prometheus-hosts) and
    // a failed run writes, plus the rules' recordings.
    let (_world, _middlebox, hosts) = every_builtin_host_intercepted(&["--prometheus-hosts"]);
    let (_world2, _middlebox2, default) = every_builtin_host_intercepted(&[]);
    let failed = outcome(
        World::new()
            .check()
            .arg("--servce")
            .arg("x")
            .arg("--format")
            .arg("prometheus")
            .command(),
    );
    let written: BTreeSet<String> = [&hosts.stdout, &failed.stdout]
        .iter()
        .flat_map(|t| t.lines())
        .filter(|l| l.starts_with("# TYPE "))
        .filter_map(|l| l.split(' ').nth(2))
        .map(str::to_string)
        .collect();
    let rules = std::fs::read_to_string(repo("packaging/fleet/prometheus/pinwatch.rules.yml"))
        .expect("rules");
    for (name, text) in [
        ("README.md", &readme),
        ("packaging/README.md", &packaging),
        ("pinwatch.rules.yml", &rules),
    ] {
        for metric in tokens(text, "pinwatch_", &[""]) {
            assert!(
                written.contains(&metric),
                "{name} names {metric}, which pinwatch does not write (it writes {written:?})"
            );
        }
    }
    for metric in &written {
        assert!(
            readme.contains(&format!("`{metric}`")),
            "README.md's metric tables lack {metric}"
        );
    }
    let series =
        |out: &crate::support::Outcome| out.stdout.lines().filter(|l| !l.starts_with('#')).count();
    let (with_default, with_hosts) = (series(&default), series(&hosts));
    assert!(
        readme.contains(&format!("{with_default} when one interceptor"))
            && readme.contains(&format!("`--prometheus-hosts`, {with_hosts} ")),
        "README.md must give the series counts of a real run: {with_default} by default, {with_hosts} with --prometheus-hosts"
    );
}

/// The identifiers in `text` that start with `prefix` and end with one of
/// `suffixes` (identifier characters: letters, digits, `_`, `-`, `.`).
/// Every file's text under the repository's `dirs` (recursively), joined;
/// Markdown left out.
fn source_text(dirs: &[&str]) -> String {
    fn walk(dir: &Path, out: &mut String) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "md") {
                // Documentation names variables; it reads none.
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                out.push_str(&text);
                out.push('\n');
            }
        }
    }
    let mut out = String::new();
    for dir in dirs {
        walk(&repo(dir), &mut out);
    }
    out
}

fn tokens(text: &str, prefix: &str, suffixes: &[&str]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in text.match_indices(prefix) {
        if text[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == ':')
        {
            continue;
        }
        let rest = &text[i..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.'))
            .unwrap_or(rest.len());
        let token = rest[..end].trim_end_matches('.');
        for suffix in suffixes {
            if suffix.is_empty() {
                if !token.contains('.') && !token.ends_with('_') {
                    out.insert(token.to_string());
                }
            } else if let Some(stem) = token.find(suffix) {
                out.insert(token[..stem + suffix.len()].to_string());
            }
        }
    }
    out
}
