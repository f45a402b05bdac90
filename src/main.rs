//! The `pinwatch` binary: parse arguments, dispatch to the library's
//! commands, map the outcome to an exit code. Logic lives in the library.
//!
//! Output never decides the exit code: a command's code (the verdict's) is
//! kept when stdout is closed or full, and nothing written to stderr can
//! panic. SIGPIPE stays ignored (Rust's default), so a closed pipe is an
//! EPIPE error here, and a quiet one.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;
use pinwatch::cli::{Cli, Command, PinsCommand};
use pinwatch::cmd::{self, EXIT_ERROR, failure};
use pinwatch::i18n::Lang;
use pinwatch::report::error::ErrorCode;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help, --version: on stdout.
            let _ = e.print();
            return exit(0);
        }
        Err(e) => {
            let _ = e.print();
            if let Some(schema) = failure::json_schema_from_args(&args) {
                let message = failure::clap_message(&e);
                let _ = failure::render(schema, ErrorCode::Usage, &message, &mut out);
            }
            return exit(EXIT_ERROR);
        }
    };
    let lang = cli
        .lang
        .unwrap_or_else(|| Lang::detect(&|k| std::env::var(k).ok()));
    let outcome = match &cli.command {
        Command::Check(args) => cmd::check(args, lang, &mut out),
        Command::Pins(PinsCommand::List(args)) => cmd::list(args, &mut out),
        Command::Pins(PinsCommand::Show(args)) => cmd::show(args, &mut out),
        Command::Pins(PinsCommand::Verify(args)) => cmd::verify(args, &mut out),
        Command::Pins(PinsCommand::Capture(args)) => cmd::capture(args, &mut out),
        Command::Agent(args) => cmd::agent(args, cli.lang),
        Command::NotifyTest => cmd::notify_test(lang, &mut out),
        Command::History(args) => cmd::history(args, lang, &mut out),
        Command::Status(args) => cmd::status(args, lang, &mut out),
        Command::Roots(args) => cmd::roots(args, lang, &mut out),
        Command::Generate(what) => cmd::generate(what, &mut out),
    };
    match outcome {
        Ok(done) => {
            match done.output.and_then(|()| out.flush()) {
                Ok(()) => {}
                // `pinwatch check | head`: the reader went away; say nothing.
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
                Err(e) => warn(&format!("writing output: {e}")),
            }
            exit(done.code)
        }
        Err(e) => {
            warn(&e.to_string());
            if let Some(schema) = failure::json_schema(&cli.command) {
                let _ = failure::render(schema, e.code(), &e.to_string(), &mut out);
            }
            exit(EXIT_ERROR)
        }
    }
}

/// A line on stderr; a closed or full stderr is not an error.
fn warn(message: &str) {
    let _ = writeln!(io::stderr(), "pinwatch: {message}");
}

fn exit(code: i32) -> ExitCode {
    ExitCode::from(u8::try_from(code).unwrap_or(u8::MAX))
}
