//! `pinwatch generate` (hidden): man pages (clap_mangen) and shell
//! completions (clap_complete) from the same clap definitions as `--help`,
//! so they cannot drift, with the EXIT STATUS, ENVIRONMENT, FILES and
//! EXAMPLES sections of [`super::manual`], and `pinwatch-config(5)` from
//! the config parser's own table of keys. `packaging/build-deb` calls it.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_complete::Shell;
use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, italic, roman};

use super::manual::{self, Page};
use super::{CommandError, Finished};
use crate::cli::{Cli, GenerateCommand};

/// `pinwatch generate man DIR` / `pinwatch generate completions DIR`:
/// writes the files and prints their paths, one a line.
pub fn generate(what: &GenerateCommand, out: &mut dyn Write) -> Result<Finished, CommandError> {
    let written = match what {
        GenerateCommand::Man { dir } => man_pages(dir)?,
        GenerateCommand::Completions { dir } => completions(dir)?,
    };
    let listed = written
        .iter()
        .try_for_each(|path| writeln!(out, "{}", path.display()));
    Ok(Finished::new(0, listed))
}

fn create_dir(dir: &Path) -> Result<(), CommandError> {
    std::fs::create_dir_all(dir).map_err(|e| CommandError::Other(format!("{}: {e}", dir.display())))
}

fn write_file(path: PathBuf, bytes: &[u8]) -> Result<PathBuf, CommandError> {
    std::fs::write(&path, bytes)
        .map_err(|e| CommandError::Other(format!("{}: {e}", path.display())))?;
    Ok(path)
}

/// The clap command as the man pages see it: built (so subcommands carry
/// their `pinwatch-check` display names), without the `help` subcommand.
fn command() -> clap::Command {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// Every visible command, parents before children.
fn visible(cmd: &clap::Command) -> Vec<clap::Command> {
    let mut all = vec![cmd.clone()];
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        all.extend(visible(sub));
    }
    all
}

fn page_name(cmd: &clap::Command) -> &str {
    cmd.get_display_name().unwrap_or_else(|| cmd.get_name())
}

/// Writes one page per visible command into `dir`.
pub fn man_pages(dir: &Path) -> Result<Vec<PathBuf>, CommandError> {
    create_dir(dir)?;
    let root = command();
    let all = visible(&root);
    let date = page_date(&|k| std::env::var(k).ok());
    let mut written = Vec::new();
    for cmd in &all {
        let name = page_name(cmd).to_string();
        let mut page = Vec::new();
        Man::new(cmd.clone())
            .date(&date)
            .source(format!("pinwatch {}", env!("CARGO_PKG_VERSION")))
            .manual("pinwatch manual")
            .render(&mut page)?;
        let mut extra = Roff::default();
        if let Some(page) = manual::page(&name) {
            sections(&mut extra, page);
        }
        let mut see_also: Vec<(&str, &str)> = if name == "pinwatch" {
            all.iter().skip(1).map(|c| (page_name(c), "1")).collect()
        } else {
            let mut pages = vec![("pinwatch", "1")];
            pages.extend(cmd.get_subcommands().map(|c| (page_name(c), "1")));
            pages
        };
        if name == "pinwatch" || name == "pinwatch-agent" {
            see_also.push(("pinwatch-config", "5"));
        }
        see_also_section(&mut extra, &see_also);
        // The page above already defines the apostrophe string the
        // sections use; the preamble is written once.
        let preamble = Roff::new().render();
        let extra = extra.render();
        page.extend_from_slice(extra.strip_prefix(&preamble).unwrap_or(&extra).as_bytes());
        written.push(write_file(dir.join(format!("{name}.1")), &page)?);
    }
    written.push(write_file(
        dir.join("pinwatch-config.5"),
        config_page(&date).as_bytes(),
    )?);
    Ok(written)
}

/// The pages' date: SOURCE_DATE_EPOCH's (reproducible builds; build-deb
/// sets it to the last commit's time), else today's.
fn page_date(env: &dyn Fn(&str) -> Option<String>) -> String {
    let epoch = env("SOURCE_DATE_EPOCH")
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(super::now);
    crate::util::date(epoch)
}

/// EXIT STATUS, ENVIRONMENT, FILES and EXAMPLES of `page`.
fn sections(roff: &mut Roff, page: &Page) {
    roff.control("SH", ["EXIT STATUS"]);
    for (code, what) in page.exit {
        roff.control("TP", []);
        roff.text([bold(*code)]);
        roff.text([roman(*what)]);
    }
    roff.control("SH", ["ENVIRONMENT"]);
    for v in page.environment.iter().filter_map(|n| manual::variable(n)) {
        roff.control("TP", []);
        roff.text([bold(v.name)]);
        roff.text([roman(v.what)]);
    }
    if !page.files.is_empty() {
        roff.control("SH", ["FILES"]);
        for f in page.files.iter().filter_map(|p| manual::file(p)) {
            roff.control("TP", []);
            roff.text([italic(f.path)]);
            roff.text([roman(f.what)]);
        }
    }
    examples(roff, page.examples);
}

/// EXAMPLES: each a sentence, then its commands as typed.
fn examples(roff: &mut Roff, examples: &[(&str, &str)]) {
    roff.control("SH", ["EXAMPLES"]);
    for (what, command) in examples {
        roff.control("PP", []);
        roff.text([roman(*what)]);
        roff.control("PP", []);
        roff.control("RS", ["4"]);
        roff.control("nf", []);
        for line in command.lines() {
            roff.text([roman(line)]);
        }
        roff.control("fi", []);
        roff.control("RE", []);
    }
}

fn see_also_section(roff: &mut Roff, pages: &[(&str, &str)]) {
    roff.control("SH", ["SEE ALSO"]);
    let mut parts = Vec::new();
    for (i, (page, section)) in pages.iter().enumerate() {
        parts.push(bold(*page));
        let sep = if i + 1 == pages.len() { "" } else { ", " };
        parts.push(roman(format!("({section}){sep}")));
    }
    roff.text(parts);
}

/// `pinwatch-config(5)`: the agent's config file, every key from
/// [`crate::agent::config::KEYS`] (the table the parser is tested
/// against) with its type, default, example and meaning.
fn config_page(date: &str) -> String {
    let mut roff = Roff::new();
    roff.control(
        "TH",
        [
            "pinwatch-config",
            "5",
            date,
            &format!("pinwatch {}", env!("CARGO_PKG_VERSION")),
            "pinwatch manual",
        ],
    );
    roff.control("SH", ["NAME"]);
    roff.text([roman(
        "pinwatch-config - the configuration files of pinwatch agent",
    )]);
    roff.control("SH", ["SYNOPSIS"]);
    roff.text([italic("/etc/pinwatch/config.toml")]);
    roff.control("br", []);
    roff.text([italic("~/.config/pinwatch/config.toml")]);
    roff.control("SH", ["DESCRIPTION"]);
    for paragraph in manual::CONFIG_DESCRIPTION {
        roff.control("PP", []);
        roff.text([roman(*paragraph)]);
    }
    roff.control("SH", ["KEYS"]);
    for key in crate::agent::config::KEYS {
        roff.control("TP", []);
        roff.text([bold(key.name), roman(" ("), italic(key.kind), roman(")")]);
        roff.text([roman(key.description)]);
        roff.control("br", []);
        roff.text([roman(format!("Default: {}.", key.default))]);
        roff.control("br", []);
        roff.text([roman(format!("Example: {} = {}", key.name, key.example))]);
    }
    roff.control("SH", ["ENVIRONMENT"]);
    for name in ["PINWATCH_SYSTEM_CONFIG", "XDG_CONFIG_HOME"] {
        if let Some(v) = manual::variable(name) {
            roff.control("TP", []);
            roff.text([bold(v.name)]);
            roff.text([roman(v.what)]);
        }
    }
    roff.control("SH", ["FILES"]);
    for path in [
        "/etc/pinwatch/config.toml",
        "~/.config/pinwatch/config.toml",
    ] {
        if let Some(f) = manual::file(path) {
            roff.control("TP", []);
            roff.text([italic(f.path)]);
            roff.text([roman(f.what)]);
        }
    }
    examples(&mut roff, manual::CONFIG_EXAMPLES);
    see_also_section(
        &mut roff,
        &[
            ("pinwatch-agent", "1"),
            ("pinwatch", "1"),
            ("pinwatch-roots", "1"),
        ],
    );
    roff.render()
}

/// Writes bash, zsh and fish completions into `dir`.
pub fn completions(dir: &Path) -> Result<Vec<PathBuf>, CommandError> {
    create_dir(dir)?;
    let mut cmd = without_hidden(Cli::command());
    let mut written = Vec::new();
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        let path = clap_complete::generate_to(shell, &mut cmd, "pinwatch", dir)
            .map_err(|e| CommandError::Other(format!("{}: {e}", dir.display())))?;
        written.push(path);
    }
    Ok(written)
}

/// `pinwatch` without its hidden subcommands (clap_complete would offer
/// them): the same arguments, version and visible subcommands.
fn without_hidden(cmd: clap::Command) -> clap::Command {
    let visible: Vec<clap::Command> = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .cloned()
        .collect();
    let mut out = clap::Command::new("pinwatch")
        .version(env!("CARGO_PKG_VERSION"))
        .args(cmd.get_arguments().cloned())
        .subcommands(visible)
        .propagate_version(true);
    if let Some(about) = cmd.get_about() {
        out = out.about(about.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(paths: &[PathBuf]) -> Vec<String> {
        let mut names: Vec<String> = paths
            .iter()
            .filter_map(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn one_man_page_per_visible_subcommand() {
        let dir = tempfile::tempdir().unwrap();
        let written = man_pages(dir.path()).unwrap();
        assert_eq!(
            names(&written),
            [
                "pinwatch-agent.1",
                "pinwatch-check.1",
                "pinwatch-config.5",
                "pinwatch-history.1",
                "pinwatch-notify-test.1",
                "pinwatch-pins-capture.1",
                "pinwatch-pins-list.1",
                "pinwatch-pins-show.1",
                "pinwatch-pins-update.1",
                "pinwatch-pins-verify.1",
                "pinwatch-pins.1",
                "pinwatch-roots.1",
                "pinwatch-status.1",
                "pinwatch.1",
            ]
        );
        let check = std::fs::read_to_string(dir.path().join("pinwatch-check.1")).unwrap();
        assert!(
            check.contains(&format!(
                "\n.TH pinwatch-check 1 {} \"pinwatch 0.1.0\" \"pinwatch manual\"\n",
                page_date(&|k| std::env::var(k).ok())
            )),
            "{check}"
        );
        assert_eq!(check.matches(".ds Aq").count(), 2, "one preamble: {check}");
        assert!(check.contains("\\-\\-connect\\-to"), "{check}");
        assert!(check.contains("Exit codes: 0 all ok"), "{check}");
        assert!(check.contains(".SH \"SEE ALSO\""), "{check}");
        for section in [
            ".SH \"EXIT STATUS\"",
            ".SH ENVIRONMENT",
            ".SH FILES",
            ".SH EXAMPLES",
        ] {
            assert!(check.contains(section), "{section}: {check}");
        }
        assert!(check.contains("PINWATCH_EXIT_CODES"), "{check}");
        assert!(
            !check.contains("wechat, whatsapp"),
            "possible values hidden: {check}"
        );
        let config = std::fs::read_to_string(dir.path().join("pinwatch-config.5")).unwrap();
        for key in crate::agent::config::KEYS {
            assert!(
                config.contains(&format!("\\fB{}\\fR", key.name.replace('_', "\\_")))
                    || config.contains(key.name),
                "{}",
                key.name
            );
        }
        let top = std::fs::read_to_string(dir.path().join("pinwatch.1")).unwrap();
        assert!(top.contains("/etc/pinwatch/config.toml"), "{top}");
        assert!(!top.contains("generate"), "the hidden command leaks: {top}");
    }

    #[test]
    fn the_page_date_comes_from_source_date_epoch() {
        let env = |k: &str| (k == "SOURCE_DATE_EPOCH").then(|| "1764417600".to_string());
        assert_eq!(page_date(&env), "2025-11-29");
        let garbage = |k: &str| (k == "SOURCE_DATE_EPOCH").then(|| "soon".to_string());
        assert_eq!(page_date(&garbage), crate::util::date(crate::util::now()));
    }

    #[test]
    fn completions_for_three_shells() {
        let dir = tempfile::tempdir().unwrap();
        let written = completions(dir.path()).unwrap();
        assert_eq!(
            names(&written),
            ["_pinwatch", "pinwatch.bash", "pinwatch.fish"]
        );
        let bash = std::fs::read_to_string(dir.path().join("pinwatch.bash")).unwrap();
        assert!(bash.contains("complete -F _pinwatch"), "{bash}");
        assert!(bash.contains("--connect-to"), "{bash}");
        assert!(bash.contains("notify-test"), "{bash}");
        assert!(bash.contains("--lang"), "{bash}");
        assert!(
            bash.contains("compgen -W \"alibaba chatgpt"),
            "--service completes the built-in names: {bash}"
        );
        for file in &written {
            let text = std::fs::read_to_string(file).unwrap();
            assert!(
                !text.contains("generate"),
                "the hidden command leaks: {text}"
            );
        }
    }

    #[test]
    fn an_unwritable_directory_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, "").unwrap();
        let err = man_pages(&file.join("sub")).unwrap_err().to_string();
        assert!(
            err.starts_with(&file.join("sub").display().to_string()),
            "{err}"
        );
    }
}
