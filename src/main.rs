//! The `pinwatch` binary: parse arguments, dispatch to the library's
//! commands, map the outcome to an exit code. Logic lives in the library.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use pinwatch::cli::{Cli, Command, PinsCommand};
use pinwatch::cmd::{self, CommandError, EXIT_ERROR};
use pinwatch::i18n::Lang;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return exit(if e.use_stderr() { EXIT_ERROR } else { 0 });
        }
    };
    let lang = cli
        .lang
        .unwrap_or_else(|| Lang::from_env(&|k| std::env::var(k).ok()));
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
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
    let _ = out.flush();
    match outcome {
        Ok(code) => exit(code),
        // `pinwatch check | head`: the reader went away; exit quietly.
        Err(CommandError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pinwatch: {e}");
            exit(EXIT_ERROR)
        }
    }
}

fn exit(code: i32) -> ExitCode {
    ExitCode::from(u8::try_from(code).unwrap_or(u8::MAX))
}
