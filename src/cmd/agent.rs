//! `pinwatch agent`, `notify-test`, `history` and `status`.

use std::io::Write;
use std::path::PathBuf;

use serde::Serialize;

use super::CommandError;
use crate::agent::journal::{self, Record};
use crate::analysis::Verdict;
use crate::cli::{AgentArgs, Format, HistoryArgs, StatusArgs};
use crate::i18n::Lang;
use crate::report::pad;
use crate::util::rfc3339;

fn journal_path(given: Option<&PathBuf>) -> Result<PathBuf, CommandError> {
    given
        .cloned()
        .or_else(journal::default_path)
        .ok_or_else(|| CommandError::Other("no home directory: pass --journal FILE".into()))
}

/// `pinwatch agent`: runs until quit (or one cycle with `--once`).
#[cfg(feature = "agent")]
pub fn agent(args: &AgentArgs, lang: Option<Lang>) -> Result<i32, CommandError> {
    use crate::agent::config;
    use crate::agent::run::{Agent, run};
    use crate::check::{Judge, load_public_roots, load_system_roots};
    use crate::cli::{PlanInput, plan_from};
    use crate::cmd::load_knowledge;

    let builtin = load_knowledge(None)?;
    let config_path = args
        .config
        .clone()
        .or_else(config::default_path)
        .ok_or_else(|| CommandError::Other("no home directory: pass --config FILE".into()))?;
    let env = |k: &str| std::env::var(k).ok();
    let layered = crate::agent::layers::load(
        crate::agent::layers::system_path(&env).as_deref(),
        &config_path,
        &builtin,
    )
    .map_err(|e| CommandError::Other(e.to_string()))?;
    let config = layered.config;
    if !config.enabled {
        let lang = lang
            .or(config.language)
            .unwrap_or_else(|| Lang::from_env(&env));
        let file = layered
            .enabled_set_by
            .map_or_else(String::new, |p| p.display().to_string());
        eprintln!(
            "pinwatch agent: {}",
            lang.tr_args("agent-disabled", &[("file", file)])
        );
        return Ok(0);
    }
    let knowledge = match &config.pins {
        Some(dir) => load_knowledge(Some(dir))?,
        None => builtin,
    };
    let input = PlanInput {
        targets: &config.targets,
        services: &config.services,
        connect_to: &config.connect_to,
        proxy: config.proxy.as_deref(),
        no_proxy: false,
        timeout: config.timeout,
        concurrency: 32,
        portal_checks: &config.portal_checks,
        no_portal_check: !config.portal_check,
    };
    let plan = plan_from(&input, &knowledge, &env)?;
    let judge = Judge {
        public: load_public_roots(config.public_roots.as_deref())?,
        system: load_system_roots().0,
        knowledge,
    };
    let journal_path = journal_path(args.journal.as_ref())?;
    let lang = lang
        .or(config.language)
        .unwrap_or_else(|| Lang::from_env(&env));
    // One agent per journal: the autostart entry and the user unit may both
    // start one. `--once` is a single check and takes no lock.
    let _lock = if args.once {
        None
    } else {
        let path = journal_path.with_file_name("agent.lock");
        match crate::agent::instance::acquire(&path) {
            Ok(Ok(lock)) => Some(lock),
            Ok(Err(held)) => {
                let who = match held.pid {
                    Some(pid) => format!("pid {pid}, {}", held.path.display()),
                    None => held.path.display().to_string(),
                };
                eprintln!(
                    "pinwatch agent: {}",
                    lang.tr_args("agent-already-running", &[("lock", who)])
                );
                return Ok(0);
            }
            // A lock is a courtesy; a home without locking still gets an agent.
            Err(e) => {
                eprintln!(
                    "pinwatch agent: {}: {e}; running without the lock",
                    path.display()
                );
                None
            }
        }
    };
    let journal = journal::Journal::open(&journal_path)
        .map_err(|e| CommandError::Other(format!("{}: {e}", journal_path.display())))?;
    let report_path = journal_path.with_file_name("report.html");
    let agent = Agent {
        config,
        plan,
        judge,
        lang,
        journal,
        report_path,
    };
    Ok(super::runtime()?.block_on(run(agent, args.once)))
}

/// `pinwatch agent` in a build without the `agent` feature.
#[cfg(not(feature = "agent"))]
pub fn agent(_args: &AgentArgs, _lang: Option<Lang>) -> Result<i32, CommandError> {
    Err(CommandError::Other(
        "this pinwatch was built without the agent feature (cargo build --features agent)".into(),
    ))
}

/// `pinwatch notify-test`: a sample interception alert built from the real
/// pins (ChatGPT intercepted by mitmproxy), marked as a test.
#[cfg(feature = "agent")]
pub fn notify_test(lang: Lang, out: &mut dyn Write) -> Result<i32, CommandError> {
    use crate::agent::wording::{Notice, Urgency};
    let k = super::load_knowledge(None)?;
    let service = k.service("chatgpt");
    let interceptor = k.interceptors.iter().find(|i| i.id == "mitmproxy");
    let name = service.map_or("ChatGPT", |s| {
        lang.pick(&s.display_name, &s.display_name_zh)
    });
    let who = interceptor.map_or_else(String::new, |i| {
        format!(
            "{} ({})",
            i.name,
            lang.tr(&format!("cat-{}", i.category.as_str()))
        )
    });
    let exposes = service.map_or("", |s| lang.pick(&s.exposes, &s.exposes_zh));
    let advice = interceptor.map_or("", |i| lang.pick(&i.advice, &i.advice_zh));
    let body = lang.tr_args(
        "alert-interception-body",
        &[
            ("who", who),
            ("exposes", exposes.to_string()),
            ("advice", advice.to_string()),
        ],
    );
    let notice = Notice {
        summary: lang.tr_args(
            "alert-interception-summary",
            &[("services", name.to_string())],
        ),
        body: format!("{body}\n{}", lang.tr("notify-test-note")),
        urgency: Urgency::Critical,
    };
    crate::agent::desktop::notify::show(&notice)
        .map_err(|e| CommandError::Other(format!("cannot show a notification: {e}")))?;
    writeln!(out, "{}\n{}", notice.summary, notice.body)?;
    Ok(0)
}

/// `pinwatch notify-test` in a build without the `agent` feature.
#[cfg(not(feature = "agent"))]
pub fn notify_test(_lang: Lang, _out: &mut dyn Write) -> Result<i32, CommandError> {
    Err(CommandError::Other(
        "this pinwatch was built without the agent feature (cargo build --features agent)".into(),
    ))
}

#[derive(Serialize)]
struct HistoryDoc<'a> {
    schema: &'static str,
    journal: String,
    skipped: usize,
    records: &'a [Record],
}

/// `pinwatch history`.
pub fn history(args: &HistoryArgs, lang: Lang, out: &mut dyn Write) -> Result<i32, CommandError> {
    let path = journal_path(args.journal.as_ref())?;
    let h = journal::read(&path)
        .map_err(|e| CommandError::Other(format!("{}: {e}", path.display())))?;
    let from = args.limit.map_or(0, |n| h.records.len().saturating_sub(n));
    let records = &h.records[from..];
    match args.format {
        Format::Json => {
            let doc = HistoryDoc {
                schema: "pinwatch.history/1",
                journal: path.display().to_string(),
                skipped: h.skipped,
                records,
            };
            serde_json::to_writer_pretty(&mut *out, &doc).map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        Format::Text => {
            for r in records {
                writeln!(out, "{}", history_line(lang, r))?;
            }
            if h.skipped > 0 {
                writeln!(
                    out,
                    "{}",
                    lang.tr_args("history-skipped", &[("n", h.skipped.to_string())])
                )?;
            }
        }
    }
    Ok(0)
}

fn history_line(lang: Lang, r: &Record) -> String {
    let time = rfc3339(r.at()).replace('T', " ").replace('Z', "");
    match r {
        Record::Cycle { trigger, .. } => format!("{time}  cycle  {trigger}"),
        Record::Check {
            service,
            host,
            port,
            interceptor,
            ..
        } => {
            let verdict = r.verdict().map_or_else(
                || "?".into(),
                |v| crate::report::text::verdict_label(lang, v),
            );
            let who = interceptor
                .as_ref()
                .map(|i| format!(" ({i})"))
                .unwrap_or_default();
            format!(
                "{time}  check  {} {host}:{port} {verdict}{who}",
                service.as_deref().unwrap_or("-")
            )
        }
        Record::Alert {
            kind,
            summary,
            shown,
            ..
        } => {
            format!(
                "{time}  alert  {kind}: {summary}{}",
                if *shown { "" } else { " (not shown)" }
            )
        }
    }
}

#[derive(Serialize)]
struct StatusDoc<'a> {
    schema: &'static str,
    checked_at: Option<String>,
    trigger: Option<&'a str>,
    exit_code: i32,
    results: Vec<&'a Record>,
}

/// `pinwatch status`: the last cycle's results; exits like `check` would
/// have (3 when nothing was recorded).
pub fn status(args: &StatusArgs, lang: Lang, out: &mut dyn Write) -> Result<i32, CommandError> {
    let path = journal_path(args.journal.as_ref())?;
    let h = journal::read(&path)
        .map_err(|e| CommandError::Other(format!("{}: {e}", path.display())))?;
    let start = h
        .records
        .iter()
        .rposition(|r| matches!(r, Record::Cycle { .. }));
    let (cycle, results): (Option<&Record>, Vec<&Record>) = match start {
        Some(i) => (
            h.records.get(i),
            h.records[i + 1..]
                .iter()
                .take_while(|r| !matches!(r, Record::Cycle { .. }))
                .filter(|r| matches!(r, Record::Check { .. }))
                .collect(),
        ),
        None => (None, Vec::new()),
    };
    let verdicts: Vec<Verdict> = results.iter().filter_map(|r| r.verdict()).collect();
    let code = crate::check::exit_code_of(&verdicts);
    let trigger = match cycle {
        Some(Record::Cycle { trigger, .. }) => Some(trigger.as_str()),
        _ => None,
    };
    match args.format {
        Format::Json => {
            let doc = StatusDoc {
                schema: "pinwatch.status/1",
                checked_at: cycle.map(|c| rfc3339(c.at())),
                trigger,
                exit_code: code,
                results,
            };
            serde_json::to_writer_pretty(&mut *out, &doc).map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        Format::Text => match cycle {
            None => writeln!(out, "{}", lang.tr("status-none"))?,
            Some(c) => {
                let time = rfc3339(c.at()).replace('T', " ").replace('Z', " UTC");
                writeln!(
                    out,
                    "{}",
                    lang.tr_args(
                        "status-last",
                        &[
                            ("time", time),
                            ("trigger", trigger.unwrap_or("?").to_string())
                        ]
                    )
                )?;
                let rows: Vec<[String; 3]> = results
                    .iter()
                    .filter_map(|r| match r {
                        Record::Check {
                            service,
                            host,
                            port,
                            interceptor,
                            ..
                        } => Some([
                            r.verdict().map_or_else(
                                || "?".into(),
                                |v| crate::report::text::verdict_label(lang, v),
                            ),
                            format!("{host}:{port}"),
                            format!(
                                "{}{}",
                                service.as_deref().unwrap_or("-"),
                                interceptor
                                    .as_ref()
                                    .map(|i| format!("  ({i})"))
                                    .unwrap_or_default()
                            ),
                        ]),
                        _ => None,
                    })
                    .collect();
                let w0 = rows
                    .iter()
                    .map(|r| unicode_width::UnicodeWidthStr::width(r[0].as_str()))
                    .max()
                    .unwrap_or(0);
                let w1 = rows.iter().map(|r| r[1].len()).max().unwrap_or(0);
                for r in rows {
                    writeln!(out, "{}  {}  {}", pad(&r[0], w0), pad(&r[1], w1), r[2])?;
                }
            }
        },
    }
    Ok(code)
}
