//! `pinwatch check`.

use std::io::{self, BufWriter, IsTerminal, Write};

use super::outputs::{read_target_lists, write_atomically};
use super::{CommandError, Finished, block_on, load_knowledge, now};
use crate::analysis::Assessment;
use crate::check::{Judge, exit_code, limits, run_each};
use crate::cli::{CheckArgs, CheckFormat, ColorChoice, build_plan, proxy_warning};
use crate::i18n::Lang;
use crate::report::{self, Report};

/// Output buffer: results are written in few large writes.
const OUT_BUFFER: usize = 64 * 1024;

/// Whether the terminal draws ANSI colours: on Windows only a console that
/// accepts virtual-terminal processing (Windows 10 and later; not Windows
/// 7's); every Unix terminal does.
fn console_shows_color() -> bool {
    #[cfg(windows)]
    {
        anstyle_query::windows::enable_ansi_colors().unwrap_or(false)
    }
    #[cfg(not(windows))]
    {
        true
    }
}

/// Runs the check and renders it into `out`. The exit code is the
/// verdict's, decided before the report is written, whatever happens to
/// the output (a closed pipe, a full disk).
pub fn check(args: &CheckArgs, lang: Lang, out: &mut dyn Write) -> Result<Finished, CommandError> {
    let mut warnings = Vec::new();
    let listed = read_target_lists(&args.target_files, &mut warnings)?;
    for w in &warnings {
        let _ = writeln!(io::stderr(), "pinwatch: warning: {w}");
    }
    let knowledge = load_knowledge(args.source.pins.as_deref())?;
    let env = |k: &str| std::env::var(k).ok();
    let mut plan = build_plan(args, &listed, &knowledge, &env)?;
    warnings.extend(proxy_warning(&plan.probe.proxy, lang));
    plan.concurrency = limits::concurrency(
        plan.targets.len(),
        args.concurrency.map(usize::from),
        limits::raise_fd_limit(),
    );
    // Certificate Transparency belongs to the Web PKI: with another public
    // store it applies only when the user names the logs too.
    let ct_logs = match (&args.public_roots, &args.ct_logs) {
        (Some(_), None) => None,
        (_, path) => Some(crate::ct::load_log_list(path.as_deref())?),
    };
    let judge = Judge::load(knowledge, args.public_roots.as_deref(), ct_logs)?;
    let now = now();
    let mut out = BufWriter::with_capacity(OUT_BUFFER, out);
    let mut slots: Vec<Option<Assessment>> = vec![None; plan.targets.len()];
    // Once a streamed line cannot be written, the rest is judged, not printed.
    let mut stream: io::Result<()> = Ok(());
    let checked_at = report::jsonl::checked_at(now);
    block_on(run_each(&plan, &judge, now, |i, a| {
        if args.format == CheckFormat::Jsonl && stream.is_ok() {
            stream =
                report::jsonl::write_line(&a, &checked_at, &mut out).and_then(|()| out.flush());
        }
        if let Some(slot) = slots.get_mut(i) {
            *slot = Some(a);
        }
    }))?;
    // This machine's store was read while the first probes ran.
    warnings.extend(judge.system_warnings().iter().cloned());
    let results: Vec<Assessment> = slots.into_iter().flatten().collect();
    let exit_code = exit_code(&results);
    let report = Report {
        results: &results,
        warnings: &warnings,
        checked_at: now,
        exit_code,
    };
    if let Some(path) = &args.prometheus_file {
        if let Err(e) = write_atomically(path, |w| report::prometheus::render(&report, w)) {
            let _ = writeln!(io::stderr(), "pinwatch: writing {}: {e}", path.display());
        }
    }
    let output = match args.format {
        CheckFormat::Jsonl => stream,
        CheckFormat::Json => report::json::render(&report, &mut out),
        CheckFormat::Nagios => report::nagios::render(&report, &mut out),
        CheckFormat::Prometheus => report::prometheus::render(&report, &mut out),
        CheckFormat::Text => {
            let color = match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    std::io::stdout().is_terminal()
                        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                        && console_shows_color()
                }
            };
            let style = report::text::Style {
                color,
                lang,
                verbose: args.verbose,
            };
            report::text::render(&report, style, &mut out)
        }
    };
    Ok(Finished::new(exit_code, output.and_then(|()| out.flush())))
}
