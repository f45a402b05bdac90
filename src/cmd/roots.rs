//! `pinwatch roots`.

use std::io::Write;

use super::{CommandError, EXIT_ERROR, Finished, load_knowledge, now};
use crate::analysis::TrustStore;
use crate::cli::{Format, RootsArgs};
use crate::i18n::Lang;
use crate::report::roots::{RootsReport, json, text};
use crate::roots::classify::{classify, exit_code, this_platform};
use crate::roots::{nss, scan};

/// Audits the system store and the browsers' NSS databases.
pub fn roots(
    args: &RootsArgs,
    lang: Lang,
    color: crate::cli::ColorChoice,
    out: &mut dyn Write,
) -> Result<Finished, CommandError> {
    let knowledge = load_knowledge(args.source.pins.as_deref())?;
    let mut found = scan::system();
    let system_unreadable = found.roots.is_empty() && !found.problems.is_empty();
    let mut dbs: Vec<(std::path::PathBuf, &str)> = args
        .nss_dbs
        .iter()
        .map(|d| (d.clone(), "--nss-db"))
        .collect();
    if !args.no_browsers {
        dbs.extend(nss::browser_databases());
    }
    if !dbs.is_empty() {
        found.merge(nss::read(&dbs));
    }
    let entries = classify(
        &found,
        &TrustStore::public(),
        &knowledge,
        now(),
        this_platform(),
    );
    let code = if system_unreadable {
        EXIT_ERROR
    } else {
        exit_code(&entries)
    };
    let report = RootsReport {
        entries: &entries,
        sources: &found.sources,
        problems: &found.problems,
        all: args.all,
        exit_code: code,
    };
    let output = match args.format {
        Format::Json => json(&report, out),
        Format::Text => text(&report, lang, super::stdout_colors(color), out),
    };
    Ok(Finished::new(code, output.and_then(|()| out.flush())))
}
