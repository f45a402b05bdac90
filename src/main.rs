//! The `pinwatch` binary: parse arguments, build the runtime, call the
//! library, map the outcome to an exit code. Logic lives in the library.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser;
use pinwatch::cli::{CheckArgs, Cli, ColorChoice, Command, Format};
use pinwatch::report::{self, Report};

/// Exit code for usage errors and failures to run at all (never 2, which
/// means "intercepted").
const EXIT_ERROR: u8 = 3;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_ERROR } else { 0 });
        }
    };
    let outcome = match cli.command {
        Command::Check(args) => check(&args),
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pinwatch: {e:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn check(args: &CheckArgs) -> anyhow::Result<u8> {
    let knowledge = match &args.pins {
        Some(dir) => pinwatch::knowledge::load_dir(dir)?,
        None => pinwatch::knowledge::load_embedded().context("built-in pins")?,
    };
    let env = |k: &str| std::env::var(k).ok();
    let plan = pinwatch::cli::build_plan(args, &knowledge, &env)?;
    let public = pinwatch::check::load_public_roots(args.public_roots.as_deref())?;
    let (system, warnings) = pinwatch::check::load_system_roots();
    let judge = pinwatch::check::Judge {
        public,
        system,
        knowledge,
    };
    let now = now();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let results = runtime.block_on(pinwatch::check::run(&plan, &judge, now));
    let exit_code = pinwatch::check::exit_code(&results);
    let report = Report {
        results: &results,
        warnings: &warnings,
        checked_at: now,
        exit_code,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        Format::Json => report::json::render(&report, &mut out)?,
        Format::Text => {
            let color = match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    std::io::stdout().is_terminal()
                        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                }
            };
            report::text::render(&report, report::text::Style { color }, &mut out)?;
        }
    }
    out.flush()?;
    Ok(u8::try_from(exit_code).unwrap_or(EXIT_ERROR))
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|c| c.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}
