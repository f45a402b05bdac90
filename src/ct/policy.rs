//! The browsers' CT policies for certificates with embedded SCTs. Chrome's
//! is the main result (it is the policy most of the web is held to, and its
//! text and history are public); Apple's is reported beside it.
//!
//! **Chrome** (Chrome Certificate Transparency Policy, GoogleChrome/
//! CertificateTransparency `ct_policy.md`, as of commit 5ee521b, 2026-04-15;
//! https://googlechrome.github.io/CertificateTransparency/ct_policy.html):
//! 1. at least one embedded SCT from a log `Qualified`, `Usable` or
//!    `ReadOnly` at the time of check;
//! 2. embedded SCTs from at least N distinct logs `Qualified`, `Usable`,
//!    `ReadOnly` or `Retired` (issued before the retirement) at the time of
//!    check: N = 2 for a lifetime of at most 180 days, else 3;
//! 3. among those, SCTs from at least two distinct log operators (the
//!    `operators` of the log list). This replaced the "one Google and one
//!    non-Google log" rule in 2022; the one-RFC-6962-log rule was dropped
//!    on 2026-04-15.
//!
//! **Apple** (Apple's Certificate Transparency policy,
//! https://support.apple.com/en-us/103214, as stored here; the page carries
//! no date, so its currency could not be confirmed offline): at least one
//! embedded SCT from a currently approved log, at least one from an RFC 6962
//! log, and SCTs from N once- or currently approved logs. For notBefore on or
//! after 2021-04-21: lifetime (notBefore to notAfter inclusive, in 86,400 s
//! days, any remainder a day more) up to 180 days: 2, counting at most 1 per
//! operator; 181 to 398 days: 3, at most 2 per operator. Before that date:
//! under 15 months 2, 15 to 27 months 3, 27 to 39 months 4, over 39 months 5.
//! Apple keeps its own log list; pinwatch approximates its approvals with
//! the states of Google's list.

use serde::Serialize;

/// Where Chrome's policy text comes from.
pub const CHROME_SOURCE: &str = "Chrome Certificate Transparency Policy, https://googlechrome.github.io/CertificateTransparency/ct_policy.html (ct_policy.md as of 2026-04-15)";
/// Where Apple's policy text comes from.
pub const APPLE_SOURCE: &str = "Apple's Certificate Transparency policy, https://support.apple.com/en-us/103214 (undated page)";

const DAY: i64 = 86_400;
/// Apple's second table applies to certificates issued from 2021-04-21T00:00:00Z.
const APPLE_2021_04_21: i64 = 1_618_963_200;

/// An SCT that counts towards a policy: a valid signature from a log whose
/// state accepts it.
#[derive(Clone, Debug)]
pub struct Counted {
    /// The log.
    pub log_id: [u8; 32],
    /// Its operator at the SCT's time.
    pub operator: String,
    /// The log is qualified, usable or read-only (not merely retired).
    pub current: bool,
    /// The log follows RFC 6962 (not the static-CT API).
    pub rfc6962: bool,
}

/// Whether a certificate meets one browser's policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyResult {
    /// `chrome` or `apple`.
    pub name: &'static str,
    /// The policy text relied on, and its date.
    pub source: &'static str,
    /// SCTs from distinct logs the certificate's lifetime requires.
    pub required: usize,
    /// Whether the SCTs that count meet every requirement.
    pub met: bool,
    /// What is missing, in English; empty when met.
    pub detail: String,
}

/// Chrome's policy for a certificate valid for `lifetime_secs`.
pub fn chrome(lifetime_secs: i64, counted: &[Counted]) -> PolicyResult {
    let required = if lifetime_secs <= 180 * DAY { 2 } else { 3 };
    let logs = distinct_logs(counted);
    let operators = distinct_operators(&logs);
    let mut missing = Vec::new();
    if logs.len() < required {
        missing.push(format!(
            "{} of {required} SCTs from distinct accepted logs",
            logs.len()
        ));
    }
    if !logs.iter().any(|c| c.current) {
        missing.push("no SCT from a log usable now (only retired ones or none)".to_string());
    }
    if operators < 2 {
        missing.push(format!("{operators} of 2 distinct log operators"));
    }
    PolicyResult {
        name: "chrome",
        source: CHROME_SOURCE,
        required,
        met: missing.is_empty(),
        detail: missing.join("; "),
    }
}

/// Apple's policy for a certificate valid from `not_before` to `not_after`
/// (seconds since the epoch).
pub fn apple(not_before: i64, not_after: i64, counted: &[Counted]) -> PolicyResult {
    let (required, per_operator) = apple_requirement(not_before, not_after);
    let logs = distinct_logs(counted);
    let mut per_op: std::collections::BTreeMap<&str, usize> = Default::default();
    let mut counting = 0;
    for c in &logs {
        let n = per_op.entry(c.operator.as_str()).or_default();
        if per_operator.is_none_or(|cap| *n < cap) {
            *n += 1;
            counting += 1;
        }
    }
    let mut missing = Vec::new();
    if counting < required {
        missing.push(match per_operator {
            Some(cap) => format!(
                "{counting} of {required} SCTs from distinct accepted logs (at most {cap} per operator count)"
            ),
            None => format!("{counting} of {required} SCTs from distinct accepted logs"),
        });
    }
    if !logs.iter().any(|c| c.current) {
        missing.push("no SCT from a currently approved log".to_string());
    }
    if !logs.iter().any(|c| c.rfc6962) {
        missing.push("no SCT from an RFC 6962 log".to_string());
    }
    PolicyResult {
        name: "apple",
        source: APPLE_SOURCE,
        required,
        met: missing.is_empty(),
        detail: missing.join("; "),
    }
}

/// Apple's N and per-operator cap for a validity period.
fn apple_requirement(not_before: i64, not_after: i64) -> (usize, Option<usize>) {
    if not_before >= APPLE_2021_04_21 {
        // Inclusive of both ends; any part of a day is a day.
        let secs = not_after.saturating_sub(not_before).saturating_add(1);
        let days = secs / DAY + i64::from(secs % DAY != 0);
        return if days <= 180 {
            (2, Some(1))
        } else {
            (3, Some(2))
        };
    }
    let months = |n: i64| add_months(not_before, n);
    let n = if not_after < months(15) {
        2
    } else if not_after <= months(27) {
        3
    } else if not_after <= months(39) {
        4
    } else {
        5
    };
    (n, None)
}

/// `unix` plus `n` calendar months (the day clamped to the month's end).
fn add_months(unix: i64, n: i64) -> i64 {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(unix) else {
        return unix.saturating_add(n.saturating_mul(30 * DAY));
    };
    let month0 = i64::from(u8::from(t.month())) - 1 + n;
    let year = i64::from(t.year()) + month0.div_euclid(12);
    let month = u8::try_from(month0.rem_euclid(12) + 1).unwrap_or(1);
    let (Ok(year), Ok(month)) = (i32::try_from(year), time::Month::try_from(month)) else {
        return unix.saturating_add(n.saturating_mul(30 * DAY));
    };
    let day = t.day().min(time::util::days_in_month(month, year));
    match time::Date::from_calendar_date(year, month, day) {
        Ok(date) => date.with_time(t.time()).assume_utc().unix_timestamp(),
        Err(_) => unix.saturating_add(n.saturating_mul(30 * DAY)),
    }
}

/// One entry per log (the first SCT seen from it).
fn distinct_logs(counted: &[Counted]) -> Vec<&Counted> {
    let mut out: Vec<&Counted> = Vec::new();
    for c in counted {
        match out.iter_mut().find(|o| o.log_id == c.log_id) {
            // Prefer the entry that makes the log count as current.
            Some(o) if c.current && !o.current => *o = c,
            Some(_) => {}
            None => out.push(c),
        }
    }
    out
}

fn distinct_operators(logs: &[&Counted]) -> usize {
    let mut ops: Vec<&str> = logs.iter().map(|c| c.operator.as_str()).collect();
    ops.sort_unstable();
    ops.dedup();
    ops.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: u8, op: &str, current: bool) -> Counted {
        Counted {
            log_id: [id; 32],
            operator: op.into(),
            current,
            rfc6962: true,
        }
    }

    #[test]
    fn chrome_counts_by_lifetime_logs_and_operators() {
        let short = 90 * DAY;
        let long = 181 * DAY;
        assert!(chrome(short, &[c(1, "A", true), c(2, "B", true)]).met);
        assert_eq!(chrome(180 * DAY, &[]).required, 2);
        assert_eq!(chrome(long, &[]).required, 3);
        // Two SCTs from one operator.
        let r = chrome(short, &[c(1, "A", true), c(2, "A", true)]);
        assert!(!r.met);
        assert_eq!(r.detail, "1 of 2 distinct log operators");
        // The same log twice counts once.
        let r = chrome(short, &[c(1, "A", true), c(1, "A", true)]);
        assert!(!r.met);
        assert!(r.detail.starts_with("1 of 2 SCTs"), "{}", r.detail);
        // Long-lived: three logs, two operators.
        assert!(!chrome(long, &[c(1, "A", true), c(2, "B", true)]).met);
        assert!(chrome(long, &[c(1, "A", true), c(2, "B", true), c(3, "B", false)]).met);
        // Only retired logs: not enough.
        let r = chrome(short, &[c(1, "A", false), c(2, "B", false)]);
        assert!(!r.met);
        assert_eq!(
            r.detail,
            "no SCT from a log usable now (only retired ones or none)"
        );
        assert!(!chrome(short, &[]).met);
    }

    #[test]
    fn apple_caps_per_operator_and_has_two_eras() {
        let nb = 1_700_000_000; // 2023-11-14
        // 180 days inclusive is the last "short" lifetime: 180 * 86400 - 1 seconds apart.
        assert_eq!(apple(nb, nb + 180 * DAY - 1, &[]).required, 2);
        assert_eq!(apple(nb, nb + 180 * DAY, &[]).required, 3);
        assert!(apple(nb, nb + 90 * DAY, &[c(1, "A", true), c(2, "B", true)]).met);
        // Two logs of one operator: only one counts.
        let r = apple(nb, nb + 90 * DAY, &[c(1, "A", true), c(2, "A", true)]);
        assert!(!r.met);
        assert!(r.detail.contains("at most 1 per operator"), "{}", r.detail);
        // 181-398 days: three logs, at most two per operator.
        let year = nb + 365 * DAY;
        assert!(
            apple(
                nb,
                year,
                &[c(1, "A", true), c(2, "A", true), c(3, "B", true)]
            )
            .met
        );
        assert!(
            !apple(
                nb,
                year,
                &[c(1, "A", true), c(2, "A", true), c(3, "A", true)]
            )
            .met
        );
        // Static-CT logs only: Apple wants one RFC 6962 log.
        let mut tiled = vec![c(1, "A", true), c(2, "B", true)];
        tiled.iter_mut().for_each(|t| t.rfc6962 = false);
        assert!(!apple(nb, nb + 90 * DAY, &tiled).met);
        // Before 2021-04-21: months.
        let old = 1_546_300_800; // 2019-01-01
        assert_eq!(apple(old, add_months(old, 15) - 1, &[]).required, 2);
        assert_eq!(apple(old, add_months(old, 15), &[]).required, 3);
        assert_eq!(apple(old, add_months(old, 27), &[]).required, 3);
        assert_eq!(apple(old, add_months(old, 28), &[]).required, 4);
        assert_eq!(apple(old, add_months(old, 40), &[]).required, 5);
    }

    #[test]
    fn months_are_calendar_months() {
        // 2019-01-31 + 1 month = 2019-02-28.
        assert_eq!(
            crate::util::rfc3339(add_months(1_548_892_800, 1)),
            "2019-02-28T00:00:00Z"
        );
        assert_eq!(
            crate::util::rfc3339(add_months(1_548_892_800, 13)),
            "2020-02-29T00:00:00Z"
        );
        assert_eq!(add_months(i64::MAX, 1), i64::MAX);
    }
}
