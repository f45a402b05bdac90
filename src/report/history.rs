//! The agent's journal as `pinwatch history` and `pinwatch status` show it:
//! text lines and tables, and JSON (schemas `pinwatch.history/1` and
//! `pinwatch.status/1`). Records are rendered as they come, so a long
//! history is never held in memory.

use std::cell::{Cell, RefCell};
use std::io::{self, Write};

use serde::ser::{Error as _, SerializeSeq as _};
use serde::{Serialize, Serializer};

use super::pad;
use crate::analysis::Reason;
use crate::analysis::Verdict;
use crate::i18n::Lang;
use crate::journal::{Record, Records, Trigger};
use crate::report::incident::{self, verdict_label};
use crate::report::text::cell;
use crate::util::{ReadError, Screen, inert, local_time, rfc3339};

/// Schema of `pinwatch history --format json`.
pub const HISTORY_SCHEMA: &str = "pinwatch.history/1";

/// Schema of `pinwatch status --format json`.
pub const STATUS_SCHEMA: &str = "pinwatch.status/1";

/// Records to show, oldest first: already read (`--limit`), or read from
/// the journal as they are rendered.
pub enum Shown<'a> {
    /// The last records, in memory.
    Last {
        /// The records.
        records: Vec<Record>,
        /// Unreadable lines among the lines read.
        skipped: usize,
    },
    /// Every record, streamed.
    All(Records<'a>, &'a Cell<usize>),
}

impl<'a> Shown<'a> {
    fn skipped(&self) -> usize {
        match self {
            Shown::Last { skipped, .. } => *skipped,
            Shown::All(_, skipped) => skipped.get(),
        }
    }

    fn into_iter(self) -> RecordIter<'a> {
        match self {
            Shown::Last { records, .. } => Box::new(records.into_iter().map(Ok)),
            Shown::All(records, _) => Box::new(records),
        }
    }
}

/// Why rendering the history stopped.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// Reading the journal failed part way.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// Writing the output failed.
    #[error("writing output: {0}")]
    Write(#[from] io::Error),
}

/// `pinwatch history` as text: one line per record, then how many lines
/// could not be read, if any.
///
/// An empty journal says so, naming where it is (`journal`).
pub fn history_text(
    lang: Lang,
    journal: &str,
    shown: Shown<'_>,
    out: &mut dyn Write,
) -> Result<(), HistoryError> {
    // The journal's text came from certificates and files: through a screen.
    let mut screen = Screen::new(out);
    let out = &mut screen;
    let skipped_cell = match &shown {
        Shown::All(_, cell) => Some(*cell),
        Shown::Last { .. } => None,
    };
    let fixed = shown.skipped();
    let mut any = false;
    for r in shown.into_iter() {
        writeln!(out, "{}", history_line(lang, &r?))?;
        any = true;
    }
    let skipped = skipped_cell.map_or(fixed, Cell::get);
    if !any && skipped == 0 {
        writeln!(
            out,
            "{}",
            lang.tr_args("history-none", &[("journal", journal.to_string())])
        )?;
    }
    if skipped > 0 {
        writeln!(
            out,
            "{}",
            lang.tr_args("history-skipped", &[("n", skipped.to_string())])
        )?;
    }
    out.flush()?;
    Ok(())
}

type RecordIter<'a> = Box<dyn Iterator<Item = Result<Record, ReadError>> + 'a>;

/// Serializes an iterator of records as a JSON array, reading as it goes;
/// a read error stops the document and is kept for the caller.
struct Lazy<'a> {
    records: RefCell<Option<RecordIter<'a>>>,
    error: RefCell<Option<ReadError>>,
}

impl Serialize for Lazy<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        if let Some(records) = self.records.borrow_mut().take() {
            for r in records {
                match r {
                    Ok(r) => seq.serialize_element(&r)?,
                    Err(e) => {
                        let message = e.to_string();
                        *self.error.borrow_mut() = Some(e);
                        return Err(S::Error::custom(message));
                    }
                }
            }
        }
        seq.end()
    }
}

/// The skipped count, read when it is serialized (after the records).
struct After<'a>(&'a dyn Fn() -> usize);

impl Serialize for After<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64((self.0)() as u64)
    }
}

#[derive(Serialize)]
struct HistoryDoc<'a> {
    schema: &'static str,
    journal: &'a str,
    records: Lazy<'a>,
    skipped: After<'a>,
}

/// `pinwatch history --format json`: `{schema, journal, records, skipped}`.
pub fn history_json(
    journal: &str,
    shown: Shown<'_>,
    out: &mut dyn Write,
) -> Result<(), HistoryError> {
    // The journal's text came from certificates and files: through a screen.
    let mut screen = Screen::new(out);
    let out = &mut screen;
    let skipped_cell = match &shown {
        Shown::All(_, cell) => Some(*cell),
        Shown::Last { .. } => None,
    };
    let fixed = shown.skipped();
    let skipped = move || skipped_cell.map_or(fixed, Cell::get);
    let doc = HistoryDoc {
        schema: HISTORY_SCHEMA,
        journal,
        records: Lazy {
            records: RefCell::new(Some(shown.into_iter())),
            error: RefCell::new(None),
        },
        skipped: After(&skipped),
    };
    if let Err(e) = crate::util::inert::json_pretty(&mut *out, &doc) {
        return Err(match doc.records.error.borrow_mut().take() {
            Some(read) => HistoryError::Read(read),
            None => HistoryError::Write(io::Error::from(e)),
        });
    }
    writeln!(out)?;
    Ok(())
}

fn history_line(lang: Lang, r: &Record) -> String {
    let time = local_time(r.at());
    let verdict = |v: Option<Verdict>| v.map_or_else(|| "?".into(), |v| verdict_label(lang, v));
    match r {
        Record::Cycle { trigger, .. } => format!(
            "{time}  {}  {}",
            lang.tr("history-cycle"),
            trigger_word(lang, Some(*trigger))
        ),
        Record::Check {
            service,
            host,
            port,
            interceptor,
            ..
        } => {
            let who = interceptor
                .as_ref()
                .map(|i| format!(" ({})", cell(i)))
                .unwrap_or_default();
            format!(
                "{time}  {}  {} {}:{port} {}{who}",
                lang.tr("history-check"),
                service.as_deref().map_or_else(|| "-".into(), cell),
                cell(host),
                verdict(r.verdict()),
            )
        }
        Record::Alert {
            kind,
            summary,
            shown,
            ..
        } => format!(
            "{time}  {}  {}{}{}{}",
            lang.tr("history-alert"),
            lang.tr_args("history-kind", &[("kind", kind.as_str().to_string())]),
            incident::colon(lang),
            crate::util::inert_capped(summary, 4 * super::text::CELL_MAX),
            if *shown {
                String::new()
            } else {
                lang.tr("history-not-shown")
            }
        ),
        Record::Notice { message, .. } => {
            format!("{time}  {}  {}", lang.tr("history-notice"), inert(message))
        }
        Record::Day {
            date,
            cycles,
            checks,
            worst,
            ..
        } => format!(
            "{time}  {}  {}",
            lang.tr("history-day"),
            lang.tr_args(
                "history-day-text",
                &[
                    ("date", date.clone()),
                    ("cycles", cycles.to_string()),
                    ("n", checks.to_string()),
                    ("worst", verdict(*worst)),
                ]
            )
        ),
    }
}

/// What started a cycle, in words (`?` when unknown).
fn trigger_word(lang: Lang, trigger: Option<Trigger>) -> String {
    let name = trigger.map_or("?", Trigger::as_str);
    lang.tr_args("history-trigger", &[("trigger", name.to_string())])
}

/// Whether an agent is running now, as its instance lock says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgentState {
    /// An agent holds the lock (its pid, when the lock file says).
    Running(Option<u32>),
    /// Nobody holds it.
    Stopped,
    /// The lock could not be asked.
    Unknown,
}

/// What `pinwatch status` shows: whether an agent runs, the last cycle and
/// its results.
#[derive(Debug)]
pub struct Status<'a> {
    /// Whether an agent is running now.
    pub agent: AgentState,
    /// The last cycle record (`None`: nothing recorded).
    pub cycle: Option<&'a Record>,
    /// Its check records.
    pub results: &'a [Record],
    /// The exit code `check` would have had.
    pub exit_code: i32,
    /// Display names (English, Chinese) of the services, by name.
    pub display_names: std::collections::HashMap<String, (String, String)>,
    /// List every host under the summary.
    pub verbose: bool,
}

impl Status<'_> {
    fn trigger(&self) -> Option<Trigger> {
        match self.cycle {
            Some(Record::Cycle { trigger, .. }) => Some(*trigger),
            _ => None,
        }
    }

    /// The display name of a check record's service (its host when none).
    fn name_of(&self, lang: Lang, r: &Record) -> String {
        let Record::Check {
            service,
            host,
            port,
            ..
        } = r
        else {
            return String::new();
        };
        match service {
            Some(name) => match self.display_names.get(name) {
                Some((en, zh)) => lang.pick(en, zh).to_string(),
                None => name.clone(),
            },
            None => format!("{host}:{port}"),
        }
    }
}

#[derive(Serialize)]
struct AgentDoc {
    running: Option<bool>,
    pid: Option<u32>,
}

#[derive(Serialize)]
struct StatusDoc<'a> {
    schema: &'static str,
    agent: AgentDoc,
    checked_at: Option<String>,
    trigger: Option<Trigger>,
    exit_code: i32,
    results: &'a [Record],
}

/// `pinwatch status --format json`. `agent.running` is null when the lock
/// could not be asked.
pub fn status_json(status: &Status<'_>, out: &mut dyn Write) -> io::Result<()> {
    let agent = match status.agent {
        AgentState::Running(pid) => AgentDoc {
            running: Some(true),
            pid,
        },
        AgentState::Stopped => AgentDoc {
            running: Some(false),
            pid: None,
        },
        AgentState::Unknown => AgentDoc {
            running: None,
            pid: None,
        },
    };
    let doc = StatusDoc {
        schema: STATUS_SCHEMA,
        agent,
        checked_at: status.cycle.map(|c| rfc3339(c.at())),
        trigger: status.trigger(),
        exit_code: status.exit_code,
        results: status.results,
    };
    crate::util::inert::json_pretty(&mut *out, &doc).map_err(io::Error::from)?;
    writeln!(out)
}

/// The last column of `status`: who intercepted, and whether this machine
/// trusts its root.
fn detail(lang: Lang, interceptor: Option<&str>, reasons: &[String]) -> String {
    let has = |code: Reason| reasons.iter().any(|r| r == code.as_str());
    let mut parts = Vec::new();
    if let Some(name) = interceptor {
        parts.push(format!("({})", cell(name)));
    }
    if has(Reason::SystemRootInstalled) {
        parts.push(lang.tr("status-root-trusted"));
    } else if has(Reason::UnknownRoot) {
        parts.push(lang.tr("status-root-not-trusted"));
    }
    parts.join("  ")
}

/// Whether an agent runs, in words.
fn agent_words(lang: Lang, agent: AgentState) -> String {
    match agent {
        AgentState::Running(Some(pid)) => {
            lang.tr_args("status-agent-running", &[("pid", pid.to_string())])
        }
        AgentState::Running(None) => lang.tr("status-agent-running-nopid"),
        AgentState::Stopped => lang.tr("status-agent-stopped"),
        AgentState::Unknown => lang.tr("status-agent-unknown"),
    }
}

/// The verdicts of the last cycle in a few words: each interceptor with
/// the services it intercepts (a sanctioned one with its note), then the
/// suspicious, the captive portals, and how many were ok and unreachable.
/// Each part with the standing it is painted in.
fn verdict_words(lang: Lang, status: &Status<'_>) -> Vec<(Verdict, String)> {
    struct Group {
        verdict: Verdict,
        standing: Verdict,
        who: String,
        note: Option<String>,
        names: Vec<String>,
    }
    let mut groups: Vec<Group> = Vec::new();
    let mut counts = [0usize; 2];
    for r in status.results {
        let Record::Check {
            interceptor,
            issuer,
            sanctioned,
            ..
        } = r
        else {
            continue;
        };
        let (Some(verdict), Some(standing)) = (r.verdict(), r.standing()) else {
            continue;
        };
        let who = match verdict {
            Verdict::Ok => {
                counts[0] += 1;
                continue;
            }
            Verdict::Unreachable => {
                counts[1] += 1;
                continue;
            }
            Verdict::Intercepted => interceptor
                .clone()
                .or_else(|| {
                    issuer.as_deref().map(|i| {
                        i.split(", ")
                            .find_map(|p| p.strip_prefix("CN="))
                            .unwrap_or(i)
                            .to_string()
                    })
                })
                .unwrap_or_default(),
            _ => String::new(),
        };
        let note = sanctioned.clone().filter(|_| standing != verdict);
        let name = status.name_of(lang, r);
        match groups
            .iter_mut()
            .find(|g| g.verdict == verdict && g.who == who && g.note == note)
        {
            Some(g) if g.names.contains(&name) => {}
            Some(g) => g.names.push(name),
            None => groups.push(Group {
                verdict,
                standing,
                who,
                note,
                names: vec![name],
            }),
        }
    }
    groups.sort_by_key(|g| std::cmp::Reverse((g.verdict, g.standing)));
    let mut parts: Vec<(Verdict, String)> = groups
        .iter()
        .map(|g| {
            let services = incident::join_capped(lang, &g.names, incident::NAMES_SHOWN);
            let words = if g.verdict == Verdict::Intercepted && !g.who.is_empty() {
                lang.tr_args(
                    "status-intercepted-by",
                    &[("who", inert(&g.who).into_owned()), ("services", services)],
                )
            } else {
                format!(
                    "{}{}{services}",
                    verdict_label(lang, g.verdict),
                    incident::colon(lang)
                )
            };
            let words = match &g.note {
                Some(note) => lang.tr_args(
                    "detail-sanctioned",
                    &[
                        ("detail", words),
                        ("note", crate::util::inert_capped(note, 64).into_owned()),
                    ],
                ),
                None => words,
            };
            (g.standing, words)
        })
        .collect();
    let tallies = [
        (Verdict::Ok, "summary-ok"),
        (Verdict::Unreachable, "summary-unreachable"),
    ];
    for (n, (verdict, key)) in counts.iter().zip(tallies) {
        if *n > 0 {
            parts.push((verdict, lang.tr_args(key, &[("n", n.to_string())])));
        }
    }
    parts
}

/// Marks where the verdicts go in the summary line, so that they can be
/// painted one by one.
const VERDICTS_SLOT: &str = "\u{1}verdicts\u{1}";

/// The summary line of `status`, its verdict words in their colours when
/// the screen's colours are on.
fn summary_line(
    lang: Lang,
    status: &Status<'_>,
    cycle: &Record,
    agent: String,
    out: &mut Screen<'_>,
) -> io::Result<()> {
    let line = lang.tr_args(
        "status-summary",
        &[
            ("agent", agent),
            ("time", local_time(cycle.at())),
            ("trigger", trigger_word(lang, status.trigger())),
            ("verdicts", VERDICTS_SLOT.to_string()),
        ],
    );
    let sep = if lang == Lang::Zh { "；" } else { "; " };
    let (before, after) = line.split_once(VERDICTS_SLOT).unwrap_or((&line, ""));
    write!(out, "{before}")?;
    for (i, (standing, words)) in verdict_words(lang, status).iter().enumerate() {
        if i > 0 {
            write!(out, "{sep}")?;
        }
        out.paint(super::verdict_style(*standing), words)?;
    }
    writeln!(out, "{after}")
}

/// `pinwatch status`: one summary line (whether an agent is running now,
/// when the last check ran and why, the verdict per incident); with
/// `--verbose`, then a table of verdict, target and service (display
/// names, columns aligned by terminal width, CJK counting double), with
/// the interceptor, if named, and whether this machine trusts its root.
///
/// `color`: the verdicts in their colours (`ColorChoice::enabled`).
pub fn status_text(
    lang: Lang,
    status: &Status<'_>,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut screen = Screen::new(out).colors(color);
    status_on(lang, status, &mut screen)?;
    screen.flush()
}

fn status_on(lang: Lang, status: &Status<'_>, out: &mut Screen<'_>) -> io::Result<()> {
    let agent = agent_words(lang, status.agent);
    let Some(cycle) = status.cycle else {
        return writeln!(out, "{}", lang.tr_args("status-none", &[("agent", agent)]));
    };
    summary_line(lang, status, cycle, agent, out)?;
    if !status.verbose {
        if !status.results.is_empty() {
            writeln!(out, "{}", lang.tr("status-verbose-hint"))?;
        }
        return Ok(());
    }
    let mut standings: Vec<Option<Verdict>> = Vec::new();
    let rows: Vec<[String; 4]> = status
        .results
        .iter()
        .filter_map(|r| match r {
            Record::Check {
                host,
                port,
                interceptor,
                reasons,
                ..
            } => {
                standings.push(r.standing());
                Some([
                    r.verdict()
                        .map_or_else(|| "?".into(), |v| verdict_label(lang, v)),
                    cell(&format!("{host}:{port}")),
                    cell(&status.name_of(lang, r)),
                    detail(lang, interceptor.as_deref(), reasons),
                ])
            }
            _ => None,
        })
        .collect();
    let width = |i: usize| {
        rows.iter()
            .map(|r| unicode_width::UnicodeWidthStr::width(r[i].as_str()))
            .max()
            .unwrap_or(0)
    };
    let (w0, w1, w2) = (width(0), width(1), width(2));
    for (r, standing) in rows.iter().zip(standings) {
        let verdict = pad(&r[0], w0);
        match standing {
            Some(v) => out.paint(super::verdict_style(v), &verdict)?,
            None => write!(out, "{verdict}")?,
        }
        let rest = format!("  {}  {}  {}", pad(&r[1], w1), pad(&r[2], w2), r[3]);
        writeln!(out, "{}", rest.trim_end())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use unicode_width::UnicodeWidthStr;

    use super::*;

    fn check(service: &str, host: &str, verdict: Verdict, reasons: &[&str]) -> Record {
        Record::Check {
            at: 0,
            service: Some(service.into()),
            host: host.into(),
            port: 443,
            verdict,
            reasons: reasons.iter().map(ToString::to_string).collect(),
            interceptor: None,
            issuer: None,
            sanctioned: None,
        }
    }

    #[test]
    fn status_shows_display_names_aligned_by_terminal_width() {
        let cycle = Record::Cycle {
            at: 0,
            trigger: Trigger::Start,
        };
        let results = [
            check(
                "wechat",
                "weixin.qq.com",
                Verdict::Intercepted,
                &["system_root_installed"],
            ),
            check("chatgpt", "chatgpt.com", Verdict::Ok, &[]),
        ];
        let display_names = [
            (
                "wechat".to_string(),
                ("WeChat".to_string(), "微信".to_string()),
            ),
            (
                "chatgpt".to_string(),
                ("ChatGPT".to_string(), String::new()),
            ),
        ]
        .into_iter()
        .collect();
        let status = Status {
            agent: AgentState::Running(Some(42)),
            cycle: Some(&cycle),
            results: &results,
            exit_code: 2,
            display_names,
            verbose: true,
        };
        let mut out = Vec::new();
        status_text(Lang::Zh, &status, false, &mut out).expect("render");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(
            text.starts_with("后台程序正在运行（pid 42）；上次检查："),
            "{text}"
        );
        assert!(
            text.lines()
                .next()
                .unwrap_or_default()
                .ends_with("：被拦截：微信；1个正常"),
            "{text}"
        );
        let lines: Vec<&str> = text.lines().skip(1).collect();
        assert!(lines[0].contains("微信"), "{text}");
        assert!(lines[0].ends_with("本机信任它的根证书"), "{text}");
        assert!(lines[1].contains("ChatGPT"), "{text}");
        // The service column starts at the same terminal column on each line.
        let column = |line: &str, name: &str| line.find(name).map(|i| line[..i].width());
        assert_eq!(column(lines[0], "weixin"), column(lines[1], "chatgpt.com"));
        assert_eq!(
            column(lines[0], "微信"),
            column(lines[1], "ChatGPT"),
            "{text}"
        );
    }

    #[test]
    fn status_paints_each_verdict_by_its_standing() {
        let cycle = Record::Cycle {
            at: 0,
            trigger: Trigger::Start,
        };
        let mut office = check("wechat", "weixin.qq.com", Verdict::Intercepted, &[]);
        let mut evil = check("qq", "qq.com", Verdict::Intercepted, &[]);
        if let Record::Check {
            interceptor,
            sanctioned,
            ..
        } = &mut office
        {
            *interceptor = Some("Office gateway".into());
            *sanctioned = Some("Head office \x1b[2J".into());
        }
        if let Record::Check { interceptor, .. } = &mut evil {
            *interceptor = Some("mitmproxy".into());
        }
        let results = [
            office,
            evil,
            check("chatgpt", "chatgpt.com", Verdict::Ok, &[]),
            check("signal", "signal.org", Verdict::Unreachable, &[]),
        ];
        let status = Status {
            agent: AgentState::Stopped,
            cycle: Some(&cycle),
            results: &results,
            exit_code: 2,
            display_names: std::collections::HashMap::new(),
            verbose: true,
        };
        let mut out = Vec::new();
        status_text(Lang::En, &status, true, &mut out).expect("render");
        let text = String::from_utf8(out).expect("utf-8");
        let summary = text.lines().next().unwrap_or_default();
        assert!(
            summary.ends_with(
                "): \x1b[1;31mINTERCEPTED by mitmproxy: qq\x1b[0m; \
                 \x1b[32mINTERCEPTED by Office gateway: wechat, sanctioned: Head office \\x1b[2J\x1b[0m; \
                 \x1b[32m1 ok\x1b[0m; \x1b[2m1 unreachable\x1b[0m"
            ),
            "{summary:?}"
        );
        let rows: Vec<&str> = text.lines().skip(1).collect();
        assert!(
            rows[0].starts_with("\x1b[32mINTERCEPTED\x1b[0m  weixin"),
            "{rows:?}"
        );
        assert!(
            rows[1].starts_with("\x1b[1;31mINTERCEPTED\x1b[0m  qq.com"),
            "{rows:?}"
        );
        assert!(
            rows[3].starts_with("\x1b[2munreachable\x1b[0m  signal"),
            "{rows:?}"
        );
    }
}
