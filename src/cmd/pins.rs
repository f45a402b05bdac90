//! `pinwatch pins list|show|verify|capture`.

use std::io::{self, Write};

use super::{CommandError, EXIT_ERROR, Finished, block_on, load_knowledge, now};
use crate::analysis::{Anchor, Reason, TrustStore, Verdict};
use crate::check::{Judge, run};
use crate::cli::{
    Format, PinsCaptureArgs, PinsListArgs, PinsShowArgs, PinsVerifyArgs, PlanInput, find_service,
    plan_from,
};
use crate::knowledge::lint::{Finding, Severity, lint};
use crate::knowledge::{self, KnowledgeError};
use crate::report::pins as render;

fn today() -> time::Date {
    time::OffsetDateTime::from_unix_timestamp(now()).map_or(time::Date::MIN, |t| t.date())
}

/// `pins list`: always exits 0.
pub fn list(args: &PinsListArgs, out: &mut dyn Write) -> Result<Finished, CommandError> {
    let k = load_knowledge(args.source.pins.as_deref())?;
    let output = match args.format {
        Format::Text => render::list_text(&k, today(), out),
        Format::Json => render::list_json(&k, today(), out),
    };
    Ok(Finished::new(0, output.and_then(|()| out.flush())))
}

/// `pins show SERVICE`: exits 3 for an unknown service.
pub fn show(args: &PinsShowArgs, out: &mut dyn Write) -> Result<Finished, CommandError> {
    let k = load_knowledge(args.source.pins.as_deref())?;
    let service = find_service(&k, &args.service)?;
    let output = match args.format {
        Format::Text => render::show_text(service, today(), out),
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

/// A line on stderr; a closed or full stderr is not an error.
fn warn(message: &str) {
    crate::util::inert::to_stderr(&format!("pinwatch: {message}"));
}
