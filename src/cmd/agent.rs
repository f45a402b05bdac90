//! `pinwatch agent`, `notify-test`, `history` and `status`.

use std::cell::Cell;
use std::io::Write;
use std::path::PathBuf;

use super::{CommandError, Finished};
use crate::agent::journal::{self, Record};
use crate::analysis::Verdict;
use crate::cli::{AgentArgs, Format, HistoryArgs, StatusArgs};
use crate::i18n::Lang;
use crate::report::history::{self, HistoryError, Shown, Status};

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
    use crate::cmd::load_knowledge;

    let builtin = load_knowledge(None)?;
    let config_path = args
        .config
        .clone()
        .or_else(config::default_path)
        .ok_or_else(|| CommandError::Usage("no home directory: pass --config FILE".into()))?;
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
            .unwrap_or_else(|| Lang::detect(&env));
        let file = layered
            .enabled_set_by
            .map_or_else(String::new, |p| p.display().to_string());
        let _ = writeln!(
            std::io::stderr(),
            "pinwatch agent: {}",
            lang.tr_args("agent-disabled", &[("file", file)])
        );
        return Ok(Finished::new(0, Ok(())));
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
        no_locate: false,
    };
    let plan = plan_from(&input, &knowledge, &env)?;
    let ct_logs = match &config.public_roots {
        Some(_) => None,
        None => Some(crate::ct::load_log_list(None)?),
    };
    let judge = Judge::load(knowledge, config.public_roots.as_deref(), ct_logs)?;
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
                let _ = writeln!(
                    std::io::stderr(),
                    "pinwatch agent: {}",
                    lang.tr_args("agent-already-running", &[("lock", who)])
                );
                return Ok(Finished::new(0, Ok(())));
            }
            // A lock is a courtesy; a home without locking still gets an agent.
            Err(e) => {
                let _ = writeln!(
                    std::io::stderr(),
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
    };
    Ok(Finished::new(
        super::block_on(run(agent, args.once))?,
        Ok(()),
    ))
}

/// `pinwatch agent` in a build without the `agent` feature.
#[cfg(not(feature = "agent"))]
pub fn agent(_args: &AgentArgs, _lang: Option<Lang>) -> Result<Finished, CommandError> {
    Err(CommandError::Usage(
        "this pinwatch was built without the agent feature (cargo build --features agent)".into(),
    ))
}

/// `pinwatch notify-test`: a sample interception alert, worded by the
/// agent's own notification code (`agent::wording::notice`) from sample
/// results built with the real pins: ChatGPT and WeChat intercepted by
/// mitmproxy on the local network, its root not installed here. Marked as a
/// test.
#[cfg(feature = "agent")]
pub fn notify_test(lang: Lang, out: &mut dyn Write) -> Result<Finished, CommandError> {
    use crate::agent::incidents::{Alert, AlertKind, Subject};
    let k = super::load_knowledge(None)?;
    let subjects = ["chatgpt", "wechat"]
        .iter()
        .filter_map(|id| sample_interception(&k, id))
        .map(|(service, result)| Subject {
            key: service.name.clone(),
            name: service.display_name.clone(),
            name_zh: service.display_name_zh.clone(),
            result: Box::new(result),
        })
        .collect();
    let alert = Alert {
        kind: AlertKind::Interception,
        subjects,
    };
    let mut notice = crate::agent::wording::notice(lang, &alert);
    notice.body = format!("{}\n{}", notice.body, lang.tr("notify-test-note"));
    crate::agent::desktop::notify::show(&notice).map_err(|e| {
        CommandError::Other(lang.tr_args("notify-test-no-session", &[("error", e)]))
    })?;
    let output = writeln!(out, "{}\n{}", notice.summary, notice.body).and_then(|()| out.flush());
    Ok(Finished::new(0, output))
}

/// A sample result: the first host of service `id` intercepted by
/// mitmproxy one hop away (the local network's router), with a forged leaf
/// under mitmproxy's default issuer name; `None` when the pins lack either.
#[cfg(feature = "agent")]
fn sample_interception(
    k: &crate::knowledge::Knowledge,
    id: &str,
) -> Option<(crate::analysis::ServiceInfo, crate::analysis::Assessment)> {
    use crate::analysis::{Assessment, Attribution, CertFacts, MatchedBy, Reason, Verdict};
    use crate::observation::{Location, Place};
    let service = k.service(id)?;
    let product = k.interceptors.iter().find(|i| i.id == "mitmproxy")?;
    let host = service.hosts.first()?.name.clone();
    let issuer = "CN=mitmproxy, O=mitmproxy".to_string();
    let info = crate::analysis::service_info(service);
    let target = crate::target::Target::new(&host, 443).ok()?;
    let result = Assessment {
        service: Some(info.clone()),
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
            method: "ttl_tls",
        }),
        ..Assessment::bare(target, Verdict::Intercepted)
    };
    Some((info, result))
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
    out: &mut dyn Write,
) -> Result<Finished, CommandError> {
    let path = journal_path(args.journal.as_ref())?;
    let last = journal::read_last_cycle(&path)?;
    let verdicts: Vec<Verdict> = last.checks.iter().filter_map(Record::verdict).collect();
    // Display names come from the pins; a status without them still works.
    let display_names = super::load_knowledge(None)
        .map(|k| {
            k.services
                .into_iter()
                .map(|s| (s.name, (s.display_name, s.display_name_zh)))
                .collect()
        })
        .unwrap_or_default();
    let status = Status {
        cycle: last.cycle.as_ref(),
        results: &last.checks,
        exit_code: crate::check::exit_code_of(verdicts.iter().copied()),
        display_names,
    };
    let output = match args.format {
        Format::Json => history::status_json(&status, out),
        Format::Text => history::status_text(lang, &status, out),
    };
    Ok(Finished::new(
        status.exit_code,
        output.and_then(|()| out.flush()),
    ))
}
