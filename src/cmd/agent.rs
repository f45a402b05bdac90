//! `pinwatch agent`, `notify-test`, `history` and `status`.

use std::cell::Cell;
use std::io::Write;
use std::path::PathBuf;

use super::{CommandError, Finished};
use crate::analysis::Verdict;
use crate::cli::{AgentArgs, Format, HistoryArgs, StatusArgs};
use crate::i18n::Lang;
use crate::journal::{self, Record};
use crate::report::history::{self, AgentState, HistoryError, Shown, Status};

fn journal_path(given: Option<&PathBuf>) -> Result<PathBuf, CommandError> {
    given
        .cloned()
        .or_else(journal::default_path)
        .ok_or_else(|| CommandError::Usage("no home directory: pass --journal FILE".into()))
}

/// `pinwatch agent`: runs until quit (or one cycle with `--once`).
#[cfg(feature = "agent")]
pub fn agent(args: &AgentArgs, lang: Option<Lang>) -> Result<Finished, CommandError> {
    use crate::agent::config;
    use crate::agent::run::{Agent, run};
    use crate::check::Judge;
    use crate::cli::{PlanInput, plan_from};

    // The knowledge a run uses when the config names no pins directory
    // (the services are checked against it).
    let builtin = crate::knowledge::load(None)?;
    // A file named on the command line must exist: a typo must not start
    // an agent on the defaults.
    if let Some(named) = &args.config {
        crate::util::open_regular(named).map_err(|e| {
            let lang = lang.unwrap_or_else(|| Lang::detect(&|k| std::env::var(k).ok()));
            CommandError::Usage(lang.tr_args("agent-config-missing", &[("error", e.to_string())]))
        })?;
    }
    let config_path = args
        .config
        .clone()
        .or_else(config::default_path)
        .ok_or_else(|| CommandError::Usage("no home directory: pass --config FILE".into()))?;
    let env = |k: &str| std::env::var(k).ok();
    let layered = crate::agent::layers::load(
        crate::agent::layers::system_path(&env).as_deref(),
        &config_path,
        &builtin.knowledge,
    )
    .map_err(|e| {
        if !args.once {
            tell_bad_config(lang, &e.to_string());
        }
        CommandError::Layers(e)
    })?;
    let config = layered.config;
    if !config.enabled {
        let lang = lang
            .or(config.language)
            .unwrap_or_else(|| Lang::detect(&env));
        let file = layered
            .enabled_set_by
            .map_or_else(String::new, |p| p.display().to_string());
        crate::util::inert::to_stderr(&format!(
            "pinwatch agent: {}",
            lang.tr_args("agent-disabled", &[("file", file)])
        ));
        return Ok(Finished::new(0, Ok(())));
    }
    // What the config's validation loaded is used as it is: the pins
    // directory and the public roots are read once.
    let loaded = layered.pins.unwrap_or(builtin);
    for w in &loaded.warnings {
        let _ = writeln!(std::io::stderr(), "pinwatch agent: warning: {w}");
    }
    let knowledge = loaded.knowledge.clone();
    let plan_config = config.clone();
    let plan_for = move |knowledge: &crate::knowledge::Knowledge| {
        let env = |k: &str| std::env::var(k).ok();
        let input = PlanInput {
            targets: &plan_config.targets,
            listed: &[],
            services: &plan_config.services,
            connect_to: &plan_config.connect_to,
            proxy: plan_config.proxy.as_deref(),
            no_proxy: false,
            timeout: plan_config.timeout,
            concurrency: 32,
            portal_checks: &plan_config.portal_checks,
            no_portal_check: !plan_config.portal_check,
            no_locate: false,
        };
        let mut plan = plan_from(&input, knowledge, &env)?;
        plan.sanctioned = plan_config.sanctioned.clone();
        Ok::<_, crate::cli::ConfigError>(plan)
    };
    let plan = plan_for(&knowledge)?;
    let ct_logs = loaded.ct_logs(config.public_roots.as_deref(), None)?;
    let updates = crate::agent::updates::KnowledgeUpdates::new(
        &config,
        &loaded,
        Box::new(move |k| plan_for(k).ok()),
    );
    let public = match layered.public {
        Some(store) => store,
        None => crate::analysis::TrustStore::public(),
    };
    let judge = Judge::with_public(knowledge, public, ct_logs);
    let journal_path = journal_path(args.journal.as_ref())?;
    let lang = lang
        .or(config.language)
        .unwrap_or_else(|| Lang::detect(&env));
    if let Some(warning) = crate::cli::proxy_warning(&plan.probe.proxy, lang) {
        let _ = writeln!(std::io::stderr(), "pinwatch agent: {warning}");
    }
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
                crate::util::inert::to_stderr(&format!(
                    "pinwatch agent: {}",
                    lang.tr_args("agent-already-running", &[("lock", who)])
                ));
                return Ok(Finished::new(0, Ok(())));
            }
            // A lock is a courtesy; a home without locking still gets an agent.
            Err(e) => {
                crate::util::inert::to_stderr(&format!(
                    "pinwatch agent: {}: {e}; running without the lock",
                    path.display()
                ));
                None
            }
        }
    };
    let journal = crate::agent::journal::Journal::open(&journal_path)
        .map_err(|e| CommandError::Other(format!("{}: {e}", journal_path.display())))?
        .with_limit(config.journal_max_bytes);
    // Two `--once` at the same moment take turns at the journal: the second
    // sees the incidents the first announced.
    let _turn = if args.once {
        Some(
            crate::agent::instance::take_turn(&journal_path)
                .map_err(|e| CommandError::Other(format!("{}: {e}", journal_path.display())))?,
        )
    } else {
        None
    };
    let report_path = journal_path.with_file_name("report.html");
    let config_searched = crate::agent::layers::system_path(&env)
        .into_iter()
        .chain([config_path.clone()])
        .collect();
    let agent = Agent {
        config_searched,
        config,
        plan,
        judge,
        lang,
        journal,
        report_path,
        updates,
    };
    Ok(Finished::new(
        super::block_on(run(agent, args.once))?,
        Ok(()),
    ))
}

/// A config that stops the agent leaves the user unprotected, and an agent
/// started at login has no terminal: say so as a notification too, where
/// the session has a notification service (best effort, persistent).
#[cfg(feature = "agent")]
fn tell_bad_config(lang: Option<Lang>, error: &str) {
    let lang = lang.unwrap_or_else(|| Lang::detect(&|k| std::env::var(k).ok()));
    let notice = crate::agent::wording::Notice {
        summary: lang.tr("agent-bad-config-title"),
        body: vec![lang.tr_args("agent-bad-config", &[("error", error.to_string())])],
        urgency: crate::agent::wording::Urgency::Normal,
        persistent: true,
    };
    let _ = crate::agent::desktop::notify::show(&notice, None);
}

/// `pinwatch agent` in a build without the `agent` feature.
#[cfg(not(feature = "agent"))]
pub fn agent(_args: &AgentArgs, _lang: Option<Lang>) -> Result<Finished, CommandError> {
    Err(CommandError::Usage(
        "this pinwatch was built without the agent feature (cargo build --features agent)".into(),
    ))
}

/// `pinwatch notify-test`: a sample interception alert, worded by the
/// agent's own notification code (`agent::wording`) from sample results
/// built with the real pins (ChatGPT and WeChat intercepted by mitmproxy at
/// the local network's router, its root not installed here), and marked as
/// a test: its title starts "Test:", normal urgency, not persistent.
#[cfg(feature = "agent")]
pub fn notify_test(lang: Lang, out: &mut dyn Write) -> Result<Finished, CommandError> {
    let k = super::load_knowledge(None)?;
    let results: Vec<crate::analysis::Assessment> = ["chatgpt", "wechat"]
        .iter()
        .filter_map(|id| sample_interception(&k, id))
        .collect();
    let found = crate::analysis::incident::incidents(&results);
    let notice = crate::agent::wording::test_notice(lang, &found);
    crate::agent::desktop::notify::show(&notice, None).map_err(|e| {
        CommandError::Other(lang.tr_args("notify-test-no-session", &[("error", e)]))
    })?;
    let mut lines = vec![crate::agent::desktop::notify::summary(&notice)];
    lines.extend(
        notice
            .body
            .iter()
            .map(|l| crate::util::inert(l).into_owned()),
    );
    let output = writeln!(out, "{}", lines.join("\n")).and_then(|()| out.flush());
    Ok(Finished::new(0, output))
}

/// A sample result: the first host of service `id` intercepted by
/// mitmproxy one hop away (the local network's router), with a forged leaf
/// under mitmproxy's default issuer name; `None` when the pins lack either.
#[cfg(feature = "agent")]
fn sample_interception(
    k: &crate::knowledge::Knowledge,
    id: &str,
) -> Option<crate::analysis::Assessment> {
    use crate::analysis::{Assessment, Attribution, CertFacts, MatchedBy, Reason, Verdict};
    use crate::observation::{Location, Place};
    let service = k.service(id)?;
    let product = k.interceptor("mitmproxy")?;
    let host = service.hosts.first()?.name.clone();
    let issuer = "CN=mitmproxy, O=mitmproxy".to_string();
    let info = crate::analysis::service_info(service);
    let target = crate::target::Target::new(&host, 443).ok()?;
    let result = Assessment {
        service: Some(info),
        reasons: vec![Reason::UntrustedRoot],
        interceptor: Some(Attribution::of(
            product,
            MatchedBy::IssuerName,
            format!("issuer {issuer}"),
        )),
        chain: vec![CertFacts {
            subject: format!("CN={host}"),
            issuer,
            issuer_cn: Some("mitmproxy".into()),
            issuer_o: Some("mitmproxy".into()),
            sans: vec![host],
            ..CertFacts::default()
        }],
        issuer_key: Some("sample: mitmproxy's key".into()),
        location: Some(Location {
            place: Place::LocalNetwork,
            hops: Some(1),
            method: crate::observation::LocateMethod::TtlTls,
        }),
        ..Assessment::bare(target, Verdict::Intercepted)
    };
    Some(result)
}

/// `pinwatch notify-test` in a build without the `agent` feature.
#[cfg(not(feature = "agent"))]
pub fn notify_test(_lang: Lang, _out: &mut dyn Write) -> Result<Finished, CommandError> {
    Err(CommandError::Usage(
        "this pinwatch was built without the agent feature (cargo build --features agent)".into(),
    ))
}

/// `pinwatch history`: every record, read as it is printed, or the last
/// `--limit N`, read from the end; memory stays small whatever the
/// journal's size.
pub fn history(
    args: &HistoryArgs,
    lang: Lang,
    out: &mut dyn Write,
) -> Result<Finished, CommandError> {
    let path = journal_path(args.journal.as_ref())?;
    let skipped = Cell::new(0);
    let shown = match args.limit {
        Some(n) => {
            let h = journal::read_last(&path, n)?;
            Shown::Last {
                records: h.records,
                skipped: h.skipped,
            }
        }
        None => Shown::All(journal::Records::open(&path, &skipped)?, &skipped),
    };
    let rendered = match args.format {
        Format::Json => history::history_json(&path.display().to_string(), shown, out),
        Format::Text => history::history_text(lang, &path.display().to_string(), shown, out),
    };
    match rendered {
        Ok(()) => Ok(Finished::new(0, out.flush())),
        Err(HistoryError::Write(e)) => Ok(Finished::new(0, Err(e))),
        Err(HistoryError::Read(e)) => Err(e.into()),
    }
}

/// `pinwatch status`: the last cycle's results, read from the end of the
/// journal; exits like `check` would have (3 when nothing was recorded).
pub fn status(
    args: &StatusArgs,
    lang: Lang,
    color: crate::cli::ColorChoice,
    out: &mut dyn Write,
) -> Result<Finished, CommandError> {
    let path = journal_path(args.journal.as_ref())?;
    let last = journal::read_last_cycle(&path)?;
    let verdicts: Vec<Verdict> = last.checks.iter().filter_map(Record::standing).collect();
    // Display names come from the pins; a status without them still works.
    let loaded = super::load_reporting(None).ok();
    let display_names = loaded
        .iter()
        .flat_map(|l| &l.knowledge.services)
        .map(|s| {
            (
                s.name.clone(),
                (s.display_name.clone(), s.display_name_zh.clone()),
            )
        })
        .collect();
    let agent = match crate::agent::instance::holder(&path.with_file_name("agent.lock")) {
        Ok(Some(held)) => AgentState::Running(held.pid),
        Ok(None) => AgentState::Stopped,
        Err(_) => AgentState::Unknown,
    };
    let status = Status {
        agent,
        verbose: args.verbose,
        cycle: last.cycle.as_ref(),
        results: &last.checks,
        exit_code: crate::check::exit_code_of(verdicts.iter().copied()),
        display_names,
    };
    let output = match args.format {
        Format::Json => history::status_json(&status, out),
        Format::Text => history::status_text(lang, &status, super::stdout_colors(color), out)
            .and_then(|()| {
                // The knowledge the next check judges with, and its age.
                match &loaded {
                    Some(loaded) => {
                        writeln!(out, "{}", super::pins::knowledge_line(lang, &loaded.about))
                    }
                    None => Ok(()),
                }
            }),
    };
    Ok(Finished::new(
        status.exit_code,
        output.and_then(|()| out.flush()),
    ))
}
