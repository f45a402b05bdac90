//! `pinwatch check`.

use std::io::{IsTerminal, Write};

use super::{CommandError, Finished, block_on, load_knowledge, now};
use crate::check::{Judge, exit_code, run};
use crate::cli::{CheckArgs, ColorChoice, Format, build_plan};
use crate::i18n::Lang;
use crate::report::{self, Report};

/// Runs the check and renders it into `out`. The exit code is the
/// verdict's, whatever happens to the output.
pub fn check(args: &CheckArgs, lang: Lang, out: &mut dyn Write) -> Result<Finished, CommandError> {
    let knowledge = load_knowledge(args.source.pins.as_deref())?;
    let env = |k: &str| std::env::var(k).ok();
    let plan = build_plan(args, &knowledge, &env)?;
    // Certificate Transparency belongs to the Web PKI: with another public
    // store it applies only when the user names the logs too.
    let ct_logs = match (&args.public_roots, &args.ct_logs) {
        (Some(_), None) => None,
        (_, path) => Some(crate::ct::load_log_list(path.as_deref())?),
    };
    let (judge, warnings) = Judge::load(knowledge, args.public_roots.as_deref(), ct_logs)?;
    let now = now();
    let results = block_on(run(&plan, &judge, now))?;
    let exit_code = exit_code(&results);
    let report = Report {
        results: &results,
        warnings: &warnings,
        checked_at: now,
        exit_code,
    };
    let output = match args.format {
        Format::Json => report::json::render(&report, out),
        Format::Text => {
            let color = match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    std::io::stdout().is_terminal()
                        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                }
            };
            report::text::render(
                &report,
                report::text::Style {
                    color,
                    lang,
                    verbose: args.verbose,
                },
                out,
            )
        }
    };
    Ok(Finished::new(exit_code, output.and_then(|()| out.flush())))
}
