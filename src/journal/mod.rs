//! The history journal, as a file format: one JSON record per line
//! ([`Record`]: a cycle, a check result, an alert, a notice about the agent
//! itself, or a compacted day), the compaction that keeps it bounded
//! ([`compact`]), and its readers ([`read`]). The agent appends to it
//! (`agent::journal`, the one writer); `history`, `status` and the details
//! page's past incidents read it.
//!
//! The journal is bounded: when an append takes it past its size limit, it
//! is compacted: the newest cycles are kept whole up to half the limit;
//! before them every alert is kept, and each day's cycles and checks become
//! one `day` record (how many cycles, how many checks, the worst verdict).
//! On disk it never holds much more than the limit plus one cycle's
//! records.

mod read;

use std::io;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::analysis::{Assessment, Verdict};

#[cfg(test)]
pub(crate) use read::parse;
pub use read::{History, read};
pub(crate) use read::{Records, read_last, read_last_cycle};

/// One journal line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record {
    /// A check cycle started.
    Cycle {
        /// Seconds since the epoch.
        at: i64,
        /// What started it.
        trigger: Trigger,
    },
    /// The result for one target.
    Check {
        /// Seconds since the epoch.
        at: i64,
        /// Service name, if any.
        service: Option<String>,
        /// Host.
        host: String,
        /// Port.
        port: u16,
        /// The verdict.
        verdict: Verdict,
        /// Reason codes.
        reasons: Vec<String>,
        /// Interceptor name, if attributed.
        interceptor: Option<String>,
        /// Leaf issuer, if a certificate was received.
        issuer: Option<String>,
        /// The note of the sanctioned interceptor that intercepted it, if
        /// the administrator sanctioned it (it then weighs as ok).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sanctioned: Option<String>,
    },
    /// A notification that was shown (or would have been, when paused or disabled).
    Alert {
        /// Seconds since the epoch.
        at: i64,
        /// What it was about.
        kind: AlertKind,
        /// Services concerned.
        services: Vec<String>,
        /// The notification's title.
        summary: String,
        /// Whether it was actually shown.
        shown: bool,
    },
    /// Something the user should know about the agent itself: a part of
    /// the desktop it cannot use (`no_tray`, `no_notifications`).
    Notice {
        /// Seconds since the epoch.
        at: i64,
        /// What it is about.
        what: NoticeKind,
        /// What was said, in the user's language.
        message: String,
    },
    /// One day's cycles and checks, compacted (see [`compact`]).
    Day {
        /// When the day's first cycle ran (seconds since the epoch).
        at: i64,
        /// The day (UTC), `2026-11-22`.
        date: String,
        /// How many cycles ran that day.
        cycles: u64,
        /// How many check results they had.
        checks: u64,
        /// The worst verdict of the day's checks (`unreachable` when
        /// nothing answered; absent with no checks).
        worst: Option<Verdict>,
    },
}

impl Record {
    /// The record for one check result.
    pub fn check(at: i64, a: &Assessment) -> Record {
        Record::Check {
            at,
            service: a.service.as_ref().map(|s| s.name.clone()),
            host: a.target.host.clone(),
            port: a.target.port,
            verdict: a.verdict,
            reasons: a.reasons.iter().map(|r| r.as_str().to_string()).collect(),
            interceptor: a.interceptor.as_ref().map(|i| i.name.clone()),
            issuer: a.chain.first().map(|c| c.issuer.clone()),
            sanctioned: a.sanctioned.as_ref().map(|s| s.note.clone()),
        }
    }

    /// When it happened.
    pub fn at(&self) -> i64 {
        match self {
            Record::Cycle { at, .. }
            | Record::Check { at, .. }
            | Record::Alert { at, .. }
            | Record::Notice { at, .. }
            | Record::Day { at, .. } => *at,
        }
    }

    /// The verdict of a check record as it weighs on the exit code: ok for
    /// an interception by a sanctioned interceptor
    /// ([`Assessment::standing`]).
    pub fn standing(&self) -> Option<Verdict> {
        match self {
            Record::Check {
                sanctioned: Some(_),
                ..
            } if self.verdict() == Some(Verdict::Intercepted) => Some(Verdict::Ok),
            _ => self.verdict(),
        }
    }

    /// The verdict of a check record.
    pub fn verdict(&self) -> Option<Verdict> {
        match self {
            Record::Check { verdict, .. } => Some(*verdict),
            _ => None,
        }
    }
}

/// What started a check cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// The agent started.
    Start,
    /// The schedule (`interval_minutes`).
    Schedule,
    /// The network changed.
    Network,
    /// The user asked ("Check now").
    User,
}

impl Trigger {
    /// Its name in the journal (`start`, `schedule`, `network`, `user`).
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Start => "start",
            Trigger::Schedule => "schedule",
            Trigger::Network => "network",
            Trigger::User => "user",
        }
    }
}

/// What an alert is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// Someone can read the traffic.
    Interception,
    /// Something is off, not proof of interception.
    Suspicious,
    /// Log in to the network first.
    CaptivePortal,
    /// An announced incident cleared.
    Resolved,
}

impl AlertKind {
    /// Its name in the journal (`interception`, `suspicious`,
    /// `captive_portal`, `resolved`).
    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::Interception => "interception",
            AlertKind::Suspicious => "suspicious",
            AlertKind::CaptivePortal => "captive_portal",
            AlertKind::Resolved => "resolved",
        }
    }
}

/// What a notice about the agent itself says it lacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// No tray host shows the icon.
    NoTray,
    /// No notification service shows alerts.
    NoNotifications,
}

/// The default size limit of the journal: 4 MiB.
pub(crate) const DEFAULT_MAX_BYTES: u64 = 4 * 1024 * 1024;

/// The records of a journal compacted to fit `max_bytes` (as JSON lines):
/// the newest cycles whole, as many as fit in half of it (at least the
/// last); before them every alert and every `day` record, and the cycles
/// and checks of each day (UTC) folded into its `day` record. When even
/// those take more than the other half (years of history), the oldest
/// `day` records go first, then the oldest alerts.
pub(crate) fn compact(records: Vec<Record>, max_bytes: u64) -> Vec<Record> {
    let size = |r: &Record| serde_json::to_vec(r).map_or(0, |v| v.len() as u64 + 1);
    let half = max_bytes / 2;
    // The newest whole cycles that fit in half the limit (the last always).
    let starts: Vec<usize> = records
        .iter()
        .enumerate()
        .filter(|(_, r)| matches!(r, Record::Cycle { .. }))
        .map(|(i, _)| i)
        .collect();
    let mut split = records.len();
    let mut kept = 0;
    for &start in starts.iter().rev() {
        let bytes: u64 = records[start..split].iter().map(size).sum();
        if kept > 0 && kept + bytes > half {
            break;
        }
        kept += bytes;
        split = start;
    }
    let mut recent = records;
    let old = recent.drain(..split).collect::<Vec<_>>();
    // Fold the older cycles and checks into days; keep alerts and days.
    let mut folded: Vec<Record> = Vec::new();
    for record in old {
        match record {
            Record::Alert { .. } | Record::Notice { .. } => folded.push(record),
            Record::Day { .. } => add_day(&mut folded, record),
            Record::Cycle { at, .. } => add_day(
                &mut folded,
                Record::Day {
                    at,
                    date: crate::util::date(at),
                    cycles: 1,
                    checks: 0,
                    worst: None,
                },
            ),
            Record::Check { at, verdict, .. } => add_day(
                &mut folded,
                Record::Day {
                    at,
                    date: crate::util::date(at),
                    cycles: 0,
                    checks: 1,
                    worst: Some(verdict),
                },
            ),
        }
    }
    // Within the other half: drop the oldest days, then the oldest alerts.
    let mut total: u64 = folded.iter().map(size).sum();
    for drop_alerts in [false, true] {
        let mut i = 0;
        while total > max_bytes - half && i < folded.len() {
            if drop_alerts || matches!(folded[i], Record::Day { .. }) {
                total -= size(&folded[i]);
                folded.remove(i);
            } else {
                i += 1;
            }
        }
    }
    folded.extend(recent);
    folded
}

/// Adds `day` (a `Day` record) into the record of the same date in
/// `folded`, or appends it: counts add up, the worst verdict stays.
fn add_day(folded: &mut Vec<Record>, day: Record) {
    let Record::Day {
        at,
        date,
        cycles,
        checks,
        worst,
    } = day
    else {
        return;
    };
    let same = folded.iter_mut().rev().find_map(|r| match r {
        Record::Day {
            date: d,
            cycles: c,
            checks: k,
            worst: w,
            ..
        } if *d == date => Some((c, k, w)),
        _ => None,
    });
    match same {
        Some((c, k, w)) => {
            *c += cycles;
            *k += checks;
            *w = match (*w, worst) {
                (Some(a), Some(b)) => Verdict::overall([a, b]),
                (a, b) => a.or(b),
            };
        }
        None => folded.push(Record::Day {
            at,
            date,
            cycles,
            checks,
            worst,
        }),
    }
}

/// Records as JSON lines.
pub(crate) fn lines(records: &[Record]) -> io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(256 * records.len());
    for r in records {
        serde_json::to_writer(&mut buf, r).map_err(io::Error::from)?;
        buf.push(b'\n');
    }
    Ok(buf)
}

/// The journal's default location: the platform state directory
/// (`~/.local/state/pinwatch/journal.jsonl` on Linux), or the local data
/// directory where there is no state directory (Windows, macOS).
pub(crate) fn default_path() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "pinwatch")?;
    let dir = dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir());
    Some(dir.join("journal.jsonl"))
}

/// Records for tests: cycles, checks, alerts, and two months of them.
#[cfg(test)]
pub(crate) mod fixtures {
    use std::path::Path;

    use super::{AlertKind, Record, Trigger};
    use crate::analysis::Verdict;

    pub(crate) fn cycle(at: i64) -> Record {
        Record::Cycle {
            at,
            trigger: Trigger::Start,
        }
    }

    pub(crate) fn check(at: i64, host: &str) -> Record {
        Record::Check {
            at,
            service: None,
            host: host.into(),
            port: 443,
            verdict: Verdict::Ok,
            reasons: Vec::new(),
            interceptor: None,
            issuer: None,
            sanctioned: None,
        }
    }

    pub(crate) fn alert(at: i64) -> Record {
        Record::Alert {
            at,
            kind: AlertKind::Interception,
            services: vec!["chat".into()],
            summary: "This network is intercepting your encrypted connections".into(),
            shown: true,
        }
    }

    /// 2027-01-15 00:00:00 UTC.
    pub(crate) const MIDNIGHT: i64 = 1_799_971_200;

    /// 60 days of 24 cycles of 20 checks, an alert every third day.
    pub(crate) fn months() -> Vec<Record> {
        let mut records = Vec::new();
        for day in 0..60 {
            for hour in 0..24 {
                let at = MIDNIGHT + day * 86_400 + hour * 3600;
                records.push(cycle(at));
                for h in 0..20 {
                    records.push(check(at, &format!("h{h}.example")));
                }
                if hour == 12 && day % 3 == 0 {
                    records.push(alert(at));
                }
            }
        }
        records
    }

    /// The size of `records` as journal lines.
    pub(crate) fn bytes(records: &[Record]) -> u64 {
        super::lines(records).unwrap().len() as u64
    }

    pub(crate) fn write(path: &Path, records: &[Record], tail: &[u8]) {
        let mut data = Vec::new();
        for r in records {
            serde_json::to_writer(&mut data, r).unwrap();
            data.push(b'\n');
        }
        data.extend_from_slice(tail);
        std::fs::write(path, data).unwrap();
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;

    /// Typed records read every journal pinwatch wrote and write the same
    /// JSON; a value pinwatch never writes makes a line that is skipped.
    #[test]
    fn records_read_and_write_the_json_they_always_had() {
        let lines = [
            r#"{"type":"cycle","at":1,"trigger":"network"}"#,
            r#"{"type":"check","at":1,"service":"wechat","host":"a.example","port":443,"verdict":"captive_portal","reasons":["name_mismatch"],"interceptor":null,"issuer":"CN=x"}"#,
            r#"{"type":"check","at":1,"service":null,"host":"b.example","port":8443,"verdict":"intercepted","reasons":["untrusted_root","unknown_root"],"interceptor":"mitmproxy","issuer":"CN=mitmproxy","sanctioned":"Office"}"#,
            r#"{"type":"alert","at":2,"kind":"captive_portal","services":["wechat"],"summary":"s","shown":false}"#,
            r#"{"type":"alert","at":2,"kind":"resolved","services":[],"summary":"s","shown":true}"#,
            r#"{"type":"notice","at":3,"what":"no_notifications","message":"m"}"#,
            r#"{"type":"notice","at":3,"what":"no_tray","message":"m"}"#,
            r#"{"type":"day","at":4,"date":"2026-11-22","cycles":2,"checks":3,"worst":"unreachable"}"#,
            r#"{"type":"day","at":4,"date":"2026-11-23","cycles":1,"checks":0,"worst":null}"#,
        ];
        for line in lines {
            let record: Record =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}"));
            assert_eq!(serde_json::to_string(&record).unwrap(), line);
        }
        let h = parse(
            br#"{"type":"alert","at":2,"kind":"fire","services":[],"summary":"s","shown":true}
{"type":"cycle","at":1,"trigger":"cron"}
{"type":"check","at":1,"service":null,"host":"a","port":443,"verdict":"fine","reasons":[],"interceptor":null,"issuer":null}
{"type":"cycle","at":1,"trigger":"user"}"#,
        );
        assert_eq!((h.records.len(), h.skipped), (1, 3));
    }

    #[test]
    fn a_sanctioned_interception_weighs_as_ok_and_old_records_still_read() {
        let old = r#"{"type":"check","at":1,"service":null,"host":"a","port":443,"verdict":"intercepted","reasons":[],"interceptor":null,"issuer":null}"#;
        let old: Record = serde_json::from_str(old).unwrap();
        assert_eq!(old.standing(), Some(Verdict::Intercepted));
        let mut a = Assessment::bare(
            crate::target::Target::new("a", 443).unwrap(),
            Verdict::Intercepted,
        );
        a.sanctioned = Some(crate::analysis::Sanction {
            key: "k".into(),
            note: "Office".into(),
        });
        let r = Record::check(1, &a);
        assert_eq!(r.verdict(), Some(Verdict::Intercepted));
        assert_eq!(r.standing(), Some(Verdict::Ok));
        let line = serde_json::to_string(&r).unwrap();
        assert!(line.contains(r#""sanctioned":"Office""#), "{line}");
    }

    #[test]
    fn compaction_keeps_every_alert_a_day_record_each_day_and_the_newest_cycles() {
        let all = months();
        let max = 256 * 1024;
        assert!(bytes(&all) > 4 * max, "the fixture is well past the limit");
        let compacted = compact(all.clone(), max);
        assert!(bytes(&compacted) <= max, "{} > {max}", bytes(&compacted));
        let alerts = |rs: &[Record]| {
            rs.iter()
                .filter(|r| matches!(r, Record::Alert { .. }))
                .cloned()
                .collect::<Vec<_>>()
        };
        assert_eq!(alerts(&compacted), alerts(&all), "every alert is kept");
        // The newest records are kept as they were, from a cycle on.
        let days = compacted
            .iter()
            .filter(|r| matches!(r, Record::Day { .. }))
            .count();
        let tail = &compacted[compacted
            .iter()
            .position(|r| matches!(r, Record::Cycle { .. }))
            .unwrap()..];
        assert_eq!(tail, &all[all.len() - tail.len()..]);
        assert!(tail.len() > 21, "more than one cycle fits");
        // One day record per day before them, counting that day's cycles.
        let first_kept = tail[0].at();
        let older_days = (first_kept - MIDNIGHT + 86_399) / 86_400;
        assert_eq!(days as i64, older_days, "{compacted:#?}");
        let Some(Record::Day {
            cycles,
            checks,
            worst,
            date,
            ..
        }) = compacted.iter().find(|r| matches!(r, Record::Day { .. }))
        else {
            panic!("no day record");
        };
        assert_eq!((*cycles, *checks), (24, 480));
        assert_eq!(*worst, Some(Verdict::Ok));
        assert_eq!(date, &crate::util::date(MIDNIGHT));
        // Compacting again changes nothing but what is new.
        assert_eq!(compact(compacted.clone(), max), compacted);
    }
}
