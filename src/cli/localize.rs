//! The command line in the user's language: the clap definitions (whose
//! English comes from their doc comments, as the man pages do) rebuilt at
//! run time with the Chinese of `locales/zh-CN/cli.ftl` for every
//! command's description, every option's help, the headings, the built-in
//! `--help`, `--version` and `help`, and clap's usage errors worded anew
//! from their parts (kind, argument, value, suggestion). Pure.
//!
//! The Chinese messages are keyed by the command's path and the argument's
//! id: `cli-check-about`, `cli-check-target-files` (an id's `_` written
//! `-`), with `cli-arg-<id>` shared by the commands that flatten the same
//! options (`--proxy` of `check` and `pins capture`).

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, Command, CommandFactory};

use super::Cli;
use crate::i18n::Lang;

/// The language asked for on the command line (`--lang zh`,
/// `--lang=zh`), read before parsing, so that `--help` and usage errors
/// are in it; `None` when it is not given (or not one pinwatch speaks).
pub fn lang_from_args(args: &[std::ffi::OsString]) -> Option<Lang> {
    let mut words = args.iter().skip(1).filter_map(|a| a.to_str());
    while let Some(word) = words.next() {
        if word == "--" {
            return None;
        }
        let value = match word.strip_prefix("--lang") {
            Some("") => words.next(),
            Some(rest) => rest.strip_prefix('='),
            None => None,
        };
        if let Some(lang) = value.and_then(|v| clap::ValueEnum::from_str(v, true).ok()) {
            return Some(lang);
        }
    }
    None
}

/// The clap command for `lang`: the definitions as written in English, and
/// in Chinese with every text translated.
pub fn command(lang: Lang) -> Command {
    let mut cmd = Cli::command();
    // The built-in --help, --version and `help` exist once built.
    cmd.build();
    match lang {
        Lang::En => cmd,
        Lang::Zh => translate(cmd, &[]),
    }
}

/// A Chinese message of the command line, if there is one.
fn zh(key: &str) -> Option<String> {
    Lang::Zh.try_tr(key)
}

/// The message key of command `path`'s `what` (`about`, an argument id).
fn key(path: &[String], what: &str) -> String {
    let mut parts = vec!["cli".to_string()];
    parts.extend(path.iter().cloned());
    parts.push(what.replace('_', "-"));
    parts.join("-")
}

/// The Chinese help of argument `id` of command `path`: its own, or the
/// one shared by every command that has it.
fn arg_help(path: &[String], id: &str) -> Option<String> {
    match id {
        "help" => return zh("cli-help-flag"),
        "version" => return zh("cli-version-flag"),
        _ => {}
    }
    zh(&key(path, id)).or_else(|| zh(&key(&[], &format!("arg-{id}"))))
}

fn translate(mut cmd: Command, path: &[String]) -> Command {
    let template = format!(
        "{{before-help}}{{about-with-newline}}\n{}{{usage}}\n\n{{all-args}}{{after-help}}",
        zh("cli-usage").unwrap_or_default()
    );
    cmd = cmd
        .help_template(template)
        .subcommand_help_heading(zh("cli-heading-commands").unwrap_or_default())
        .long_about(None::<&str>);
    if let Some(about) = zh(&key(path, "about")) {
        cmd = cmd.about(about);
    }
    if cmd.get_after_help().is_some() {
        cmd = cmd.after_help(zh(&key(path, "after-help")).unwrap_or_default());
    }
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    for id in ids {
        let help = arg_help(path, &id);
        cmd = cmd.mut_arg(id, |a| translate_arg(a, help));
    }
    let subcommands: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in subcommands {
        let mut sub_path = path.to_vec();
        sub_path.push(name.clone());
        if name == "help" {
            cmd = cmd.mut_subcommand(name, |s| {
                s.about(zh("cli-help-subcommand").unwrap_or_default())
                    .help_template(format!(
                        "{{about-with-newline}}\n{}{{usage}}\n\n{{all-args}}",
                        zh("cli-usage").unwrap_or_default()
                    ))
            });
        } else {
            cmd = cmd.mut_subcommand(name, |s| translate(s, &sub_path));
        }
    }
    cmd
}

/// An argument in Chinese: its help, its heading, and its default and
/// possible values said in Chinese rather than in clap's English brackets.
fn translate_arg(arg: Arg, help: Option<String>) -> Arg {
    let heading = if arg.is_positional() {
        zh("cli-heading-arguments")
    } else {
        zh("cli-heading-options")
    };
    let mut notes = Vec::new();
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    let takes_value = arg.get_num_args().is_some_and(|n| n.takes_values());
    if takes_value && !defaults.is_empty() && !arg.is_hide_default_value_set() {
        notes.push(Lang::Zh.tr_args("cli-default", &[("value", defaults.join("、"))]));
    }
    let possible: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_string())
        .collect();
    if takes_value && !possible.is_empty() && !arg.is_hide_possible_values_set() {
        notes.push(Lang::Zh.tr_args("cli-possible", &[("values", possible.join("、"))]));
    }
    let mut text = help.unwrap_or_default();
    if !notes.is_empty() {
        text = format!("{text}（{}）", notes.join("；"));
    }
    arg.help(text)
        .long_help(None::<&str>)
        .help_heading(heading.unwrap_or_default())
        .hide_default_value(true)
        .hide_possible_values(true)
}

/// The text of a clap error for `lang`: clap's own in English; in Chinese,
/// worded anew from its parts, with the usage and the hint to `--help`. A
/// value its parser refused is explained by the option's help in `cmd`
/// (the localized command), not by the parser's English.
pub fn error_text(lang: Lang, e: &clap::Error, cmd: &Command) -> String {
    if lang == Lang::En {
        return e.to_string();
    }
    let context = |kind: ContextKind| e.context().find_map(|(k, v)| (k == kind).then(|| value(v)));
    let arg = context(ContextKind::InvalidArg).unwrap_or_default();
    let val = context(ContextKind::InvalidValue).unwrap_or_default();
    let mut lines = vec![match e.kind() {
        ErrorKind::UnknownArgument => {
            Lang::Zh.tr_args("cli-error-unknown-argument", &[("arg", arg)])
        }
        ErrorKind::InvalidSubcommand => Lang::Zh.tr_args(
            "cli-error-unknown-command",
            &[(
                "command",
                context(ContextKind::InvalidSubcommand).unwrap_or_default(),
            )],
        ),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let mut line = Lang::Zh.tr_args(
                "cli-error-invalid-value",
                &[("arg", arg.clone()), ("value", val)],
            );
            if let Some(valid) = context(ContextKind::ValidValue) {
                line = format!(
                    "{line}{}",
                    Lang::Zh.tr_args("cli-error-valid-values", &[("values", valid)])
                );
            }
            let long = arg.split_whitespace().next().unwrap_or_default();
            let help = long
                .strip_prefix("--")
                .and_then(|name| help_of(cmd, name))
                .filter(|_| e.kind() == ErrorKind::ValueValidation);
            if let Some(help) = help {
                line = format!("{line}（{help}）");
            }
            line
        }
        ErrorKind::MissingRequiredArgument => {
            Lang::Zh.tr_args("cli-error-missing-argument", &[("arg", arg)])
        }
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            Lang::Zh.tr("cli-error-missing-command")
        }
        ErrorKind::ArgumentConflict => Lang::Zh.tr_args(
            "cli-error-conflict",
            &[
                ("arg", arg),
                ("other", context(ContextKind::PriorArg).unwrap_or_default()),
            ],
        ),
        ErrorKind::TooManyValues | ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            Lang::Zh.tr_args("cli-error-number-of-values", &[("arg", arg)])
        }
        ErrorKind::NoEquals => Lang::Zh.tr_args("cli-error-no-equals", &[("arg", arg)]),
        _ => e.to_string().lines().next().unwrap_or_default().to_string(),
    }];
    let suggested = context(ContextKind::SuggestedArg)
        .or_else(|| context(ContextKind::SuggestedSubcommand))
        .filter(|s| !s.is_empty());
    if let Some(s) = suggested {
        lines.push(Lang::Zh.tr_args("cli-error-suggestion", &[("suggestion", s)]));
    }
    if let Some(usage) = e.context().find_map(|(k, v)| match (k, v) {
        (ContextKind::Usage, ContextValue::StyledStr(s)) => Some(s.to_string()),
        _ => None,
    }) {
        let usage = usage
            .trim()
            .strip_prefix("Usage: ")
            .unwrap_or(usage.trim())
            .to_string();
        lines.push(String::new());
        lines.push(format!("{}{usage}", Lang::Zh.tr("cli-usage")));
    }
    lines.push(String::new());
    lines.push(Lang::Zh.tr("cli-error-more"));
    format!("{}\n", lines.join("\n"))
}

/// The help of the option `--name` in `cmd` or any of its subcommands.
fn help_of(cmd: &Command, name: &str) -> Option<String> {
    cmd.get_arguments()
        .find(|a| a.get_long() == Some(name))
        .and_then(|a| a.get_help().map(ToString::to_string))
        .or_else(|| cmd.get_subcommands().find_map(|s| help_of(s, name)))
}

/// A context value as text (lists joined as Chinese lists them).
fn value(v: &ContextValue) -> String {
    match v {
        ContextValue::String(s) => s.clone(),
        ContextValue::Strings(list) => list.join("、"),
        ContextValue::StyledStr(s) => s.to_string(),
        ContextValue::StyledStrs(list) => list
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("、"),
        ContextValue::Number(n) => n.to_string(),
        ContextValue::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<std::ffi::OsString> {
        std::iter::once("pinwatch")
            .chain(list.iter().copied())
            .map(Into::into)
            .collect()
    }

    #[test]
    fn the_language_is_read_before_parsing() {
        assert_eq!(
            lang_from_args(&args(&["check", "--lang", "zh"])),
            Some(Lang::Zh)
        );
        assert_eq!(
            lang_from_args(&args(&["--lang=en", "status"])),
            Some(Lang::En)
        );
        assert_eq!(lang_from_args(&args(&["check", "--lang", "fr"])), None);
        assert_eq!(
            lang_from_args(&args(&["check", "--", "--lang", "zh"])),
            None
        );
        assert_eq!(lang_from_args(&args(&["check"])), None);
    }

    /// Every command and every argument of the definitions has its
    /// Chinese: a command or option added without one fails here.
    #[test]
    fn every_command_and_argument_has_its_chinese() {
        fn walk(cmd: &Command, path: &[String], missing: &mut Vec<String>) {
            if cmd.get_name() != "help" {
                if !path.is_empty() && zh(&key(path, "about")).is_none() {
                    missing.push(key(path, "about"));
                }
                if cmd.get_after_help().is_some() && zh(&key(path, "after-help")).is_none() {
                    missing.push(key(path, "after-help"));
                }
                for a in cmd.get_arguments() {
                    let id = a.get_id().as_str();
                    if arg_help(path, id).is_none() {
                        missing.push(key(path, id));
                    }
                }
            }
            for sub in cmd
                .get_subcommands()
                .filter(|s| s.get_name() != "help" && !s.is_hide_set())
            {
                let mut p = path.to_vec();
                p.push(sub.get_name().to_string());
                walk(sub, &p, missing);
            }
        }
        let mut cmd = Cli::command();
        cmd.build();
        let mut missing = Vec::new();
        walk(&cmd, &[], &mut missing);
        if zh("cli-about").is_none() {
            missing.push("cli-about".into());
        }
        assert!(
            missing.is_empty(),
            "no Chinese in locales/zh-CN/cli.ftl for {missing:#?}"
        );
    }

    #[test]
    fn help_is_in_chinese() {
        let help = command(Lang::Zh)
            .find_subcommand_mut("check")
            .expect("check")
            .render_help()
            .to_string();
        assert!(help.starts_with("检查"), "{help}");
        assert!(help.contains("用法："), "{help}");
        assert!(
            help.contains("（默认：text；可选：text、json、jsonl、nagios、prometheus）"),
            "{help}"
        );
        assert!(!help.contains("[default"), "{help}");
        assert!(!help.contains("Print help"), "{help}");
        for english in ["Usage:", "Options:", "Arguments:"] {
            assert!(!help.contains(english), "{english} in {help}");
        }
    }

    /// The Chinese error text for the command line `list`.
    fn zh_error(list: &[&str]) -> String {
        let cmd = command(Lang::Zh);
        let e = cmd.clone().try_get_matches_from(args(list)).unwrap_err();
        error_text(Lang::Zh, &e, &cmd)
    }

    #[test]
    fn usage_errors_are_in_chinese() {
        let text = zh_error(&["check", "--frmat", "json"]);
        assert!(text.starts_with("错误：未知的参数“--frmat”\n"), "{text}");
        assert!(text.contains("是不是想用“--format”？"), "{text}");
        assert!(text.contains("\n用法：pinwatch check"), "{text}");
        assert!(text.ends_with("运行 --help 查看更多信息。\n"), "{text}");
        let text = zh_error(&["check", "--format", "xml"]);
        assert!(
            text.starts_with("错误：参数“--format <FORMAT>”的值“xml”无效；可选：text、json、jsonl、nagios、prometheus"),
            "{text}"
        );
        assert!(zh_error(&["chek"]).starts_with("错误：未知的命令“chek”"));
        let text = zh_error(&["check", "--timeout", "soon"]);
        assert!(
            text.starts_with("错误：参数“--timeout <DURATION>”的值“soon”无效（每个目标允许的总时间（例如 10、2.5s、800ms）"),
            "{text}"
        );
        assert!(!text.contains("is not a duration"), "no English: {text}");
    }
}
