//! `pinwatch check`.

use std::io::{self, BufWriter, Write};

use super::outputs::{read_target_lists, write_atomically};
use super::{CommandError, Finished, block_on, knowledge_warning, now};
use crate::analysis::Verdict;
use crate::check::{Judge, exit_code_of, limits, run_each};
use crate::cli::{CheckArgs, CheckFormat, ColorChoice, build_plan, proxy_warning};
use crate::i18n::Lang;
use crate::report::kept::{Keeper, Kept};
use crate::report::{self, Grouped, Results};
use crate::util::inert::to_stderr;

/// Output buffer: results are written in few large writes.
const OUT_BUFFER: usize = 64 * 1024;

/// Runs the check and renders it into `out`. The exit code is the
/// verdict's, decided before the report is written, whatever happens to
/// the output (a closed pipe, a full disk).
pub fn check(
    args: &CheckArgs,
    lang: Lang,
    color: ColorChoice,
    out: &mut dyn Write,
) -> Result<Finished, CommandError> {
    let mut warnings = Vec::new();
    let listed = read_target_lists(&args.target_files, &mut warnings)?;
    for w in &warnings {
        to_stderr(&format!("pinwatch: warning: {w}"));
    }
    let loaded = crate::knowledge::load(args.source.pins.as_deref())?;
    warnings.extend(loaded.warnings.iter().cloned());
    warnings.extend(knowledge_warning(lang, &loaded.about));
    let knowledge = loaded.knowledge.clone();
    let env = |k: &str| std::env::var(k).ok();
    let mut plan = build_plan(args, &listed, &knowledge, &env)?;
    // The plan has its own copy of every listed target.
    drop(listed);
    warnings.extend(proxy_warning(&plan.probe.proxy, lang));
    plan.concurrency = limits::concurrency(
        plan.targets.len(),
        args.concurrency.map(usize::from),
        limits::raise_fd_limit(),
    );
    let ct_logs = loaded.ct_logs(args.public_roots.as_deref(), args.ct_logs.as_deref())?;
    let judge = Judge::load(knowledge, args.public_roots.as_deref(), ct_logs)?;
    let now = now();
    let mut out = BufWriter::with_capacity(OUT_BUFFER, out);
    // `--format jsonl` alone keeps no result once it is written, only its
    // verdict: memory is what is in flight, not the length of the list.
    // The grouped formats keep each result as compactly as they can
    // (`report::kept`: most unreachable targets as a brief).
    let streamed = args.format == CheckFormat::Jsonl;
    let keep = !streamed || args.prometheus_file.is_some();
    let mut slots: Vec<Option<Kept>> = Vec::new();
    if keep {
        slots.resize(plan.targets.len(), None);
    }
    let mut keeper = Keeper::default();
    let mut verdicts: Vec<Verdict> = Vec::new();
    // Once a streamed line cannot be written, the rest is judged, not printed.
    let mut stream: io::Result<()> = Ok(());
    let checked_at = report::jsonl::checked_at(now);
    block_on(run_each(&plan, &judge, now, |i, a| {
        if streamed && stream.is_ok() {
            stream = report::jsonl::write_line(&a, &checked_at, Some(&loaded.about), &mut out)
                .and_then(|()| out.flush());
        }
        verdicts.push(a.standing());
        if let Some(slot) = slots.get_mut(i) {
            *slot = Some(keeper.keep(a));
        }
    }))?;
    // This machine's store was read while the first probes ran. JSON Lines
    // has no place for warnings: they go to standard error.
    if streamed {
        for w in judge.system_warnings() {
            to_stderr(&format!("pinwatch: warning: {w}"));
        }
    }
    warnings.extend(judge.system_warnings().iter().cloned());
    // Collected in place (a result and its slot are the same size):
    // `filter_map` reuses the slots' memory, `flatten` does not.
    #[allow(clippy::filter_map_identity)]
    let results: Vec<Kept> = slots.into_iter().filter_map(|slot| slot).collect();
    let exit_code = exit_code_of(verdicts);
    let report = Grouped {
        results: Results::Kept(&results),
        warnings: &warnings,
        checked_at: now,
        exit_code,
    };
    let metrics = report::prometheus::Options {
        hosts: args.prometheus_hosts,
    };
    // The metrics file first: when it cannot be written, the run failed for
    // the monitoring that reads it, and the formats that can say so say it
    // instead of the report (main tells the error in each format's words).
    let unwritten = args.prometheus_file.as_ref().and_then(|path| {
        write_atomically(path, |w| {
            report::prometheus::render_grouped(&report, metrics, w)
        })
        .err()
        .map(|error| CommandError::MetricsFile {
            path: crate::util::inert(&path.display().to_string()).into_owned(),
            error,
            found: report::nagios::summary(&report),
        })
    });
    if let Some(failed) = unwritten {
        if matches!(args.format, CheckFormat::Text | CheckFormat::Jsonl) {
            // Text and JSON lines keep the results, and the error follows
            // on stderr.
            let _ = render_text(args, lang, color, &report, &mut out).and_then(|()| out.flush());
        }
        return Err(failed);
    }
    let output = match args.format {
        CheckFormat::Jsonl => stream,
        CheckFormat::Json => report::json::render_with(&report, Some(&loaded.about), &mut out),
        CheckFormat::Nagios => report::nagios::render_grouped(&report, &mut out),
        CheckFormat::Prometheus => report::prometheus::render_grouped(&report, metrics, &mut out),
        CheckFormat::Text => render_text(args, lang, color, &report, &mut out),
    };
    Ok(Finished::new(exit_code, output.and_then(|()| out.flush())))
}

/// The text report (nothing for `jsonl`, whose lines are already out).
fn render_text(
    args: &CheckArgs,
    lang: Lang,
    color: ColorChoice,
    report: &Grouped<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    if args.format != CheckFormat::Text {
        return Ok(());
    }
    let style = report::text::Style {
        color: super::stdout_colors(color),
        lang,
        verbose: args.verbose,
    };
    report::text::render_grouped(report, style, out)
}
