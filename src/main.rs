//! The `pinwatch` binary: parse arguments, dispatch to the library's
//! commands, map the outcome to an exit code. Logic lives in the library.
//!
//! Output never decides the exit code: a command's code (the verdict's) is
//! kept when stdout is closed or full, and nothing written to stderr can
//! panic. SIGPIPE stays ignored (Rust's default), so a closed pipe is an
//! EPIPE error here, and a quiet one.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::FromArgMatches;
use pinwatch::cli::{Cli, Command, PinsCommand, localize};
use pinwatch::cmd::{self, failure};
use pinwatch::i18n::Lang;
use pinwatch::report::ErrorCode;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let env = |k: &str| std::env::var(k).ok();
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let env_lang = || Lang::detect(&env);
    // --help and usage errors in the language asked for, before parsing.
    let lang = localize::lang_from_args(&args).unwrap_or_else(env_lang);
    let command = localize::command(lang);
    let parsed = command
        .clone()
        .try_get_matches_from(&args)
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help, --version: on stdout.
            let _ = e.print();
            return exit(0);
        }
        Err(e) => {
            if lang == Lang::Zh {
                let text = localize::error_text(lang, &e, &command);
                let stderr = io::stderr();
                let mut lock = stderr.lock();
                let mut screen = pinwatch::util::Screen::new(&mut lock);
                let _ = write!(screen, "{text}").and_then(|()| screen.flush());
            } else {
                let _ = e.print();
            }
            let code = failure::exit_code(ErrorCode::Usage, &env);
            let channels = failure::Channels::from_args(&args);
            let message = failure::clap_message(&e);
            failure::tell(&channels, ErrorCode::Usage, &message, code, &mut out);
            return exit(code);
        }
    };
    let lang = cli.lang.unwrap_or_else(env_lang);
    let outcome = match &cli.command {
        Command::Check(args) => cmd::check(args, lang, cli.color, &mut out),
        Command::Pins(PinsCommand::List(args)) => cmd::list(args, lang, &mut out),
        Command::Pins(PinsCommand::Show(args)) => cmd::show(args, lang, &mut out),
        Command::Pins(PinsCommand::Verify(args)) => cmd::verify(args, &mut out),
        Command::Pins(PinsCommand::Capture(args)) => cmd::capture(args, &mut out),
        Command::Pins(PinsCommand::Update(args)) => cmd::update(args, lang, &mut out),
        #[cfg(feature = "maintainer")]
        Command::Pins(PinsCommand::Bundle(args)) => cmd::bundle(args, &mut out),
        Command::Agent(args) => cmd::agent(args, cli.lang),
        Command::NotifyTest => cmd::notify_test(lang, &mut out),
        Command::History(args) => cmd::history(args, lang, &mut out),
        Command::Status(args) => cmd::status(args, lang, cli.color, &mut out),
        Command::Roots(args) => cmd::roots(args, lang, cli.color, &mut out),
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
            let message = e.to_string();
            warn(&message);
            let code = failure::exit_code(e.code(), &env);
            let channels = failure::Channels::of(&cli.command);
            failure::tell(&channels, e.code(), &message, code, &mut out);
            exit(code)
        }
    }
}

/// A line on stderr; a closed or full stderr is not an error.
fn warn(message: &str) {
    pinwatch::util::to_stderr(&format!("pinwatch: {message}"));
}

fn exit(code: i32) -> ExitCode {
    ExitCode::from(u8::try_from(code).unwrap_or(u8::MAX))
}
