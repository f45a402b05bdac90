//! `pinwatch pins list|show|verify|capture`.

use std::io::{self, Write};

use super::{CommandError, EXIT_ERROR, Finished, block_on, load_knowledge, now};
use crate::analysis::{Anchor, Reason, TrustStore, Verdict};
use crate::check::{Judge, run};
use crate::cli::{
    Format, PinsCaptureArgs, PinsListArgs, PinsShowArgs, PinsUpdateArgs, PinsVerifyArgs, PlanInput,
    find_service, plan_from,
};
use crate::i18n::Lang;
use crate::knowledge::active::About;
use crate::knowledge::lint::{Finding, Severity, lint};
use crate::knowledge::{self, KnowledgeError};
use crate::report::pins as render;

fn today() -> time::Date {
    time::OffsetDateTime::from_unix_timestamp(now()).map_or(time::Date::MIN, |t| t.date())
}

/// `pins list`: always exits 0. Says which knowledge is in use and its age.
pub fn list(
    args: &PinsListArgs,
    lang: Lang,
    out: &mut dyn Write,
) -> Result<Finished, CommandError> {
    let loaded = knowledge::load(args.source.pins.as_deref())?;
    for w in &loaded.warnings {
        warn(&format!("warning: {w}"));
    }
    let k = &loaded.knowledge;
    let output = match args.format {
        Format::Text => writeln!(out, "{}\n", knowledge_line(lang, &loaded.about))
            .and_then(|()| render::list_text(k, today(), lang, out)),
        Format::Json => render::list_json(k, today(), Some(&loaded.about), out),
    };
    Ok(Finished::new(0, output.and_then(|()| out.flush())))
}

/// `pins show SERVICE`: exits 3 for an unknown service.
pub fn show(
    args: &PinsShowArgs,
    lang: Lang,
    out: &mut dyn Write,
) -> Result<Finished, CommandError> {
    let k = load_knowledge(args.source.pins.as_deref())?;
    let service = find_service(&k, &args.service)?;
    let output = match args.format {
        Format::Text => render::show_text(service, today(), lang, out),
        Format::Json => render::show_json(service, today(), out),
    };
    Ok(Finished::new(0, output.and_then(|()| out.flush())))
}

/// `pins verify [DIR]`: exits 1 if there is any error (or any warning with
/// `--strict`), 0 otherwise.
pub fn verify(args: &PinsVerifyArgs, out: &mut dyn Write) -> Result<Finished, CommandError> {
    let loaded = match &args.dir {
        Some(dir) => knowledge::load_dir(dir),
        None => knowledge::load_embedded(),
    };
    let findings = match loaded {
        Ok(k) => {
            let public = TrustStore::public();
            lint(&k, today(), &|spki| public.contains_spki(spki))
        }
        Err(e) => vec![load_finding(e)],
    };
    let failing = |f: &Finding| f.severity == Severity::Error || args.strict;
    let code = if findings.iter().any(failing) { 1 } else { 0 };
    let output = render::findings(&findings, out).and_then(|()| out.flush());
    Ok(Finished::new(code, output))
}

fn load_finding(e: KnowledgeError) -> Finding {
    // The error already starts with the file (and line and column).
    let text = e.to_string();
    let (path, message) = match text.split_once(": ") {
        Some((p, m)) => (p.to_string(), m.to_string()),
        None => (String::from("pins"), text),
    };
    Finding {
        severity: Severity::Error,
        path,
        message,
    }
}

/// `pins capture HOST...`: prints a `[[pin]]` entry per key of each chain.
/// A chain that is not publicly trusted for its host is refused (exit 1)
/// unless `--allow-untrusted`; a host that cannot be reached exits 3.
pub fn capture(args: &PinsCaptureArgs, out: &mut dyn Write) -> Result<Finished, CommandError> {
    let env = |k: &str| std::env::var(k).ok();
    let input = PlanInput {
        targets: &args.targets,
        listed: &[],
        services: &[],
        connect_to: &args.net.connect_to,
        proxy: args.net.proxy.as_deref(),
        no_proxy: args.net.no_proxy,
        timeout: args.net.timeout,
        concurrency: 32,
        portal_checks: &[],
        no_portal_check: true,
        no_locate: true,
    };
    let knowledge = load_knowledge(None)?;
    let plan = plan_from(&input, &knowledge, &env)?;
    let judge = Judge::load(knowledge, args.public_roots.as_deref(), None)?;
    let results = block_on(run(&plan, &judge, now()))?;
    let mut code = 0;
    // The exit code covers every target; once writing fails, the rest is
    // judged but not printed.
    let mut output: io::Result<()> = Ok(());
    for (i, a) in results.iter().enumerate() {
        if i > 0 && output.is_ok() {
            output = writeln!(out);
        }
        if a.chain.is_empty() {
            let why = a
                .error
                .as_ref()
                .map_or_else(|| "no certificate".to_string(), ToString::to_string);
            warn(&format!("{}: nothing captured ({why})", a.target));
            code = code.max(EXIT_ERROR);
            continue;
        }
        let trusted = a.anchor == Anchor::Public
            && a.reasons.contains(&Reason::NameMatch)
            && a.verdict != Verdict::Intercepted;
        if !trusted {
            let who = a
                .interceptor
                .as_ref()
                .map(|i| format!(" (looks like {})", i.name))
                .unwrap_or_default();
            warn(&format!(
                "{}: the chain presented is not publicly trusted for this host{who}: it may be an interceptor's. {}",
                a.target,
                if args.allow_untrusted {
                    "Printing it anyway (--allow-untrusted)."
                } else {
                    "Not printing pins; pass --allow-untrusted to see them."
                }
            ));
            if !args.allow_untrusted {
                code = code.max(1);
                continue;
            }
        }
        if output.is_ok() {
            output = render::captured(
                &a.target.to_string(),
                a.peer.as_deref(),
                &a.chain,
                trusted,
                today(),
                out,
            );
        }
    }
    Ok(Finished::new(code, output.and_then(|()| out.flush())))
}

/// Which knowledge is in use and how old, one line in `lang` (`pins
/// list`, `status`).
pub fn knowledge_line(lang: Lang, about: &About) -> String {
    let Some(sequence) = about.sequence else {
        return lang.tr_args(
            "knowledge-line-directory",
            &[("source", crate::util::inert(&about.source).into_owned())],
        );
    };
    let date = |t: &Option<String>| t.as_deref().unwrap_or_default().chars().take(10).collect();
    // The built-in knowledge is named in the reader's language; a file or
    // URL is shown as it is (inert).
    let source = if about.source == crate::knowledge::active::BUILT_IN {
        lang.tr("knowledge-source-built-in")
    } else {
        crate::util::inert(&about.source).into_owned()
    };
    lang.tr_args(
        if about.expired {
            "knowledge-line-expired"
        } else {
            "knowledge-line"
        },
        &[
            ("sequence", sequence.to_string()),
            ("source", source),
            ("issued", date(&about.issued_at)),
            ("expires", date(&about.expires_at)),
            ("days", about.age_days.unwrap_or(0).to_string()),
        ],
    )
}

/// `pins update`: fetches and installs a newer knowledge bundle from
/// `--from` or the config's `update_from`, trying each in order.
pub fn update(
    args: &PinsUpdateArgs,
    lang: Lang,
    out: &mut dyn Write,
) -> Result<Finished, CommandError> {
    use crate::agent::{config, layers};
    use crate::knowledge::keys::{Keys, Role};
    use crate::knowledge::store::Store;
    use crate::update::{Outcome, Source, Updater};

    let env = |k: &str| std::env::var(k).ok();
    // The knowledge in use: the config's services are checked against it,
    // and the update's own connection is judged with it.
    let loaded = knowledge::load(None)?;
    let builtin = &loaded.knowledge;
    let system_file = layers::system_path(&env);
    let (config, file_shown) = if args.system {
        let config = match &system_file {
            Some(path) => config::load(path, builtin)?,
            None => config::AgentConfig::default(),
        };
        let shown = system_file.as_ref().map(|p| p.display().to_string());
        (config, shown.unwrap_or_else(|| "the config".into()))
    } else {
        let user = args
            .config
            .clone()
            .or_else(config::default_path)
            .ok_or_else(|| CommandError::Usage("no home directory: pass --config FILE".into()))?;
        let layered = layers::load(system_file.as_deref(), &user, builtin)
            .map_err(|e| CommandError::Other(e.to_string()))?;
        (layered.config, user.display().to_string())
    };
    let given = if args.from.is_empty() {
        &config.update_from
    } else {
        &args.from
    };
    let sources = given
        .iter()
        .map(|s| Source::parse(s).map_err(CommandError::Usage))
        .collect::<Result<Vec<_>, _>>()?;
    if sources.is_empty() {
        let output = writeln!(
            out,
            "{}",
            lang.tr_args("update-no-source", &[("file", file_shown)])
        );
        return Ok(Finished::new(0, output.and_then(|()| out.flush())));
    }
    let mut keys = Keys::project();
    for key in &config.trusted_keys {
        keys.add(key, Role::Admin).map_err(CommandError::Usage)?;
    }
    let (store, in_use) = if args.system {
        let store = Store::system(&env).ok_or_else(|| {
            CommandError::Usage("this platform has no system-wide knowledge store".into())
        })?;
        (store.clone(), vec![store])
    } else {
        let store = Store::user().ok_or_else(|| {
            CommandError::Usage("no home directory for the knowledge store".into())
        })?;
        (store, knowledge::stores(&env))
    };
    let ct_logs = loaded.ct_logs(args.public_roots.as_deref(), None)?;
    let judge = Judge::load(loaded.knowledge, args.public_roots.as_deref(), ct_logs)?;
    let proxy = args.net.proxy.as_deref().or(config.proxy.as_deref());
    let connect_to = args
        .net
        .connect_to
        .iter()
        .chain(&config.connect_to)
        .map(|c| {
            c.parse()
                .map_err(|e| CommandError::Usage(format!("--connect-to `{c}`: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let updater = Updater {
        keys,
        store,
        in_use,
        probe: crate::probe::ProbeOptions {
            timeout: args.net.timeout,
            proxy: crate::cli::proxy_route(proxy, args.net.no_proxy, &env)?,
            connect_to,
        },
        judge: &judge,
        timeout: args.net.timeout.max(std::time::Duration::from_secs(30)),
    };
    let at = now();
    let outcomes = block_on(crate::update::update(&updater, &sources, at))?;
    let sequence = crate::update::in_use(&updater, at);
    let mut output: io::Result<()> = Ok(());
    for outcome in &outcomes {
        if output.is_ok() {
            output = writeln!(out, "{}", outcome.line(lang, sequence));
        }
        if let (Outcome::Intercepted { result, .. }, true) = (outcome, output.is_ok()) {
            output = intercepted_channel(lang, result, at, out);
        }
    }
    let code = if outcomes.iter().any(|o| o.exit_code() == 2) {
        2
    } else if outcomes.iter().any(Outcome::done) {
        0
    } else {
        outcomes.iter().map(Outcome::exit_code).max().unwrap_or(0)
    };
    Ok(Finished::new(code, output.and_then(|()| out.flush())))
}

/// The interception of pinwatch's own update channel, in the check's own
/// words (who, where, what to do), the channel named as a service.
fn intercepted_channel(
    lang: Lang,
    result: &crate::analysis::Assessment,
    at: i64,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut result = result.clone();
    result.service = Some(crate::analysis::ServiceInfo {
        name: "pinwatch-updates".into(),
        display_name: Lang::En.tr("update-channel"),
        display_name_zh: Lang::Zh.tr("update-channel"),
        exposes: Lang::En.tr("update-channel-exposes"),
        exposes_zh: Lang::Zh.tr("update-channel-exposes"),
        // Nothing private travels on it: a forger could only hold back
        // newer knowledge (it cannot sign its own).
        exposure: crate::knowledge::Exposure::Metadata,
    });
    let results = [result];
    let report = crate::report::Report {
        results: &results,
        warnings: &[],
        checked_at: at,
        exit_code: 2,
    };
    let style = crate::report::text::Style {
        color: false,
        lang,
        verbose: false,
    };
    writeln!(out)?;
    crate::report::text::render(&report, style, out)
}

/// `pins bundle`: builds a bundle from a pins directory, checks it as an
/// update would, signs it with a minisign secret key.
#[cfg(feature = "maintainer")]
pub fn bundle(
    args: &crate::cli::PinsBundleArgs,
    out: &mut dyn Write,
) -> Result<Finished, CommandError> {
    use pinwatch_knowledge::bundle::{self as b, Header};
    let fail = |e: &dyn std::fmt::Display| CommandError::Other(e.to_string());
    let at = now();
    let mut header = Header::new(args.sequence, at, crate::knowledge::active::VERSION);
    header.expires_at = at + i64::from(args.expires_days) * 86_400;
    header.revokes = args.revoke.clone();
    let text = std::fs::read_to_string(&args.key)
        .map_err(|e| CommandError::Other(format!("{}: {e}", args.key.display())))?;
    let password = std::env::var("PINWATCH_BUNDLE_PASSWORD").ok();
    let (bytes, payload) = b::build(&args.pins, header, &text, password, true)
        .map_err(|e| CommandError::Other(format!("{}: {e}", args.key.display())))?;
    let list = payload.file(b::LOG_LIST).unwrap_or_default();
    crate::ct::LogList::parse(list.as_bytes(), "ct/log_list.json")?;
    let signed_by_google = match payload.log_list_signature().map_err(|e| fail(&e))? {
        Some(sig) if crate::ct::signed::google_signed(list.as_bytes(), &sig) => true,
        Some(_) => {
            return Err(CommandError::Other(
                "ct/log_list.sig is not Google's signature over ct/log_list.json".into(),
            ));
        }
        None => false,
    };
    crate::util::write_atomically(&args.output, |w| w.write_all(&bytes))?;
    let key = b::Signed::split(&bytes)
        .and_then(|signed| signed.key_id())
        .map_or_else(|_| String::new(), |k| k.to_string());
    let output = writeln!(
        out,
        "{}: bundle {} ({} files, {} bytes, CT log list {}), signed with key {key}, expires {}",
        args.output.display(),
        args.sequence,
        payload.files.len(),
        bytes.len(),
        if signed_by_google {
            "with Google's signature"
        } else {
            "without Google's signature"
        },
        b::format_time(payload.header.expires_at),
    );
    Ok(Finished::new(0, output.and_then(|()| out.flush())))
}

/// A line on stderr; a closed or full stderr is not an error.
fn warn(message: &str) {
    crate::util::inert::to_stderr(&format!("pinwatch: {message}"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::active::{About, BUILT_IN};

    fn about(source: &str) -> About {
        About {
            sequence: Some(3),
            issued_at: Some("2026-12-01T00:00:00Z".into()),
            expires_at: Some("2026-12-31T00:00:00Z".into()),
            source: source.into(),
            age_days: Some(6),
            signer: None,
            expired: false,
            pins_relaxed: false,
        }
    }

    #[test]
    fn the_knowledge_line_names_the_built_in_knowledge_in_the_readers_language() {
        assert_eq!(
            knowledge_line(Lang::Zh, &about(BUILT_IN)),
            "知识：知识包3（内置），发布于2026-12-01，已有6天，有效期至2026-12-31"
        );
        assert_eq!(
            knowledge_line(Lang::En, &about(BUILT_IN)),
            "Knowledge: bundle 3 (built-in), issued 2026-12-01, 6 days old, current until 2026-12-31"
        );
        // A source from outside is shown as it is, inert.
        assert!(
            knowledge_line(Lang::Zh, &about("https://mirror.example/k\x1b[2J"))
                .contains("（https://mirror.example/k\\x1b[2J）")
        );
    }
}
