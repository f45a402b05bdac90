//! `--color auto|always|never` and `NO_COLOR` on every command that prints
//! colour, as `check` honours them: `status` (the verdict words of its
//! summary and its table) and `roots` (the extra and interceptor roots).
//! Run with `--color always` into a pipe, and on a pseudo-terminal
//! (`script`), where `auto` colours unless `NO_COLOR` is set.

use std::path::Path;
use std::process::Command;

use crate::roots::{cert_dir, fixture};
use crate::support::process::{on_a_terminal, require};
use crate::support::server::Server;
use crate::support::{Outcome, World, outcome};

/// What pinwatch writes for an interception where colours are on.
const BOLD_RED: &str = "\x1b[1;31m";

/// The reset after every painted word.
const RESET: &str = "\x1b[0m";

/// The tools these tests run.
const TOOLS: &[(&str, &str)] = &[("script", "bsdutils"), ("openssl", "openssl")];

/// `cmd` on a pseudo-terminal: what the terminal got, as text.
fn terminal(cmd: &Command) -> (String, i32) {
    let (bytes, code) = on_a_terminal(cmd);
    (String::from_utf8_lossy(&bytes).replace("\r\n", "\n"), code)
}

/// Asserts that `text` holds no escape sequence at all.
fn assert_plain(text: &str, what: &str) {
    assert!(!text.contains('\x1b'), "{what}: colours:\n{text:?}");
}

/// A world whose agent journalled one cycle: [`crate::support::HOST`]
/// intercepted by the world's forging CA.
fn intercepted_journal() -> World {
    let world = World::new();
    let forged = Server::forging(world.evil.clone());
    let out = world.agent().via(forged.addr().port()).once();
    assert_eq!(out.code, 2, "{out:#?}");
    world
}

/// `pinwatch status ARGS` on `world`'s journal.
fn status(world: &World, args: &[&str]) -> Command {
    let journal = world.journal().display().to_string();
    let mut all = vec!["status", "--journal", journal.as_str()];
    all.extend(args);
    world.pinwatch(&all)
}

#[test]
fn status_paints_its_verdicts_as_check_does() {
    if require("status on a pseudo-terminal", TOOLS).is_none() {
        return;
    }
    let world = intercepted_journal();

    let always: Outcome = outcome(status(&world, &["--color", "always"]));
    assert_eq!(always.code, 2, "{always:#?}");
    let summary = always.stdout.lines().next().unwrap_or_default();
    assert!(
        summary.contains(&format!("{BOLD_RED}INTERCEPTED by ")) && summary.ends_with(RESET),
        "the verdict words in bold red: {summary:?}"
    );
    let verbose = outcome(status(&world, &["--verbose", "--color", "always"]));
    assert!(
        verbose.stdout.lines().any(|l| l.starts_with(&format!(
            "{BOLD_RED}INTERCEPTED{RESET}  chat.pinwatch.test:443"
        ))),
        "the table's verdict in bold red: {verbose:#?}"
    );
    let zh = outcome(status(&world, &["--lang", "zh", "--color", "always"]));
    assert!(
        zh.stdout.contains(&format!("{BOLD_RED}被")),
        "in Chinese too: {zh:#?}"
    );

    // Into a pipe, auto means none; `never` means none anywhere.
    let piped = outcome(status(&world, &["--verbose"]));
    assert_plain(&piped.stdout, "status into a pipe");
    let (never, code) = terminal(&status(&world, &["--verbose", "--color", "never"]));
    assert_eq!(code, 2, "{never}");
    assert_plain(&never, "status --color never on a terminal");

    // On a terminal, auto colours, unless NO_COLOR is set.
    let (tty, code) = terminal(&status(&world, &["--verbose"]));
    assert_eq!(code, 2, "{tty}");
    assert!(tty.contains(BOLD_RED), "status on a terminal: {tty:?}");
    let mut no_color = status(&world, &["--verbose"]);
    no_color.env("NO_COLOR", "1");
    let (plain, code) = terminal(&no_color);
    assert_eq!(code, 2, "{plain}");
    assert_plain(&plain, "status with NO_COLOR=1 on a terminal");
    assert_eq!(
        plain.lines().next(),
        tty.replace(BOLD_RED, "").replace(RESET, "").lines().next(),
        "the same words without their colours"
    );
}

/// `pinwatch roots --no-browsers ARGS` with `store` as the whole store.
fn roots(world: &World, store: &Path, args: &[&str]) -> Command {
    let mut all = vec!["roots", "--no-browsers"];
    all.extend(args);
    let mut cmd = world.pinwatch(&all);
    cmd.env("SSL_CERT_DIR", store).env("SSL_CERT_FILE", "");
    cmd
}

#[test]
fn roots_paints_the_extra_and_the_interceptor_roots() {
    if require("roots on a pseudo-terminal", TOOLS).is_none() {
        return;
    }
    let world = World::new();
    let store = cert_dir(&world, &[]);
    let (tty, code) = terminal(&roots(&world, &store, &[]));
    assert_eq!(code, 0, "{tty}");
    assert!(
        tty.starts_with(
            "\x1b[32mNo extra root: every root this machine trusts is in Mozilla's public store"
        ),
        "a clean store in green on a terminal: {tty:?}"
    );

    std::fs::copy(
        fixture("roots/mitmproxy-ca-cert.pem"),
        store.join("mitmproxy-ca-cert.pem"),
    )
    .expect("copy the fixture");
    let always = outcome(roots(&world, &store, &["--color", "always"]));
    assert_eq!(always.code, 2, "{always:#?}");
    assert!(
        always.stdout.starts_with(&format!(
            "{BOLD_RED}1 extra root(s) trusted by this machine, not in Mozilla's public store:{RESET}\n"
        )),
        "{always:#?}"
    );
    assert!(
        always.stdout.contains(&format!(
            "\n{BOLD_RED}[EXTRA]{RESET} CN=mitmproxy, O=mitmproxy\n"
        )),
        "{always:#?}"
    );
    assert!(
        always.stdout.contains(&format!(
            "\n  {BOLD_RED}known: mitmproxy (debugging proxy){RESET}\n"
        )),
        "{always:#?}"
    );

    for (args, env, what) in [
        (&["--color", "never"][..], None, "roots --color never"),
        (&[][..], Some(("NO_COLOR", "1")), "roots with NO_COLOR=1"),
    ] {
        let mut cmd = roots(&world, &store, args);
        if let Some((k, v)) = env {
            cmd.env(k, v);
        }
        let (text, code) = terminal(&cmd);
        assert_eq!(code, 2, "{what}: {text}");
        assert_plain(&text, what);
        assert!(
            text.contains("\n[EXTRA] CN=mitmproxy, O=mitmproxy\n"),
            "{what}: {text}"
        );
    }
    let piped = outcome(roots(&world, &store, &[]));
    assert_plain(&piped.stdout, "roots into a pipe");
}
