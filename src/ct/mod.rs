//! Certificate Transparency: the evidence a leaf's embedded SCTs give about
//! a chain, independent of any pin. Owns the SCT-list parser (`sct`), the
//! precertificate entry rebuild (`precert`), the CT log list and its loading
//! (`logs`, shipped in `pins/ct/log_list.json`), signature verification
//! (`verify`) and the browsers' CT policies (`policy`); [`check`] ties them
//! into one [`CtReport`] per leaf.
//!
//! Pure: the log list and the time are arguments. Nothing here panics on
//! any input: certificates and SCTs come from the network.
//!
//! What the statuses mean (for the verdict rules):
//! - `ct_ok`: the SCTs meet Chrome's policy.
//! - `ct_missing`: the leaf carries no SCT list at all. Every publicly trusted
//!   certificate issued since 2018 does, unless its server sends SCTs in the
//!   TLS handshake instead (rare; pinwatch does not record those).
//! - `ct_invalid`: SCTs are there, but the policy is not met and at least one
//!   is provably bad (a signature that does not verify with its log's key,
//!   or a list or entry that does not parse): a copied or forged SCT.
//! - `ct_insufficient`: the policy is not met and nothing is provably bad:
//!   SCTs from logs the list does not know (a stale list, a new log) or no
//!   longer accepts. Not evidence of interception by itself.
//! - `not_applicable`: the leaf does not parse, or it has SCTs but its
//!   issuer is unknown, so they cannot be checked.

mod logs;
pub(crate) mod policy;
pub(crate) mod precert;
pub(crate) mod sct;
pub(crate) mod signed;
pub(crate) mod verify;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use x509_parser::prelude::{FromDer, X509Certificate};

#[cfg(test)]
pub(crate) use logs::EMBEDDED_SOURCE;
pub(crate) use logs::MAX_LOG_LIST_BYTES;
pub use logs::{CtError, Log, LogList, LogState};
pub use policy::PolicyResult;

use policy::Counted;
use sct::Sct;
use verify::VerifyError;

/// The CT verdict for one leaf.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CtStatus {
    /// Chrome's CT policy is met.
    CtOk,
    /// No SCT list in the leaf.
    CtMissing,
    /// Policy not met, and some SCT is provably bad.
    CtInvalid,
    /// Policy not met, nothing provably bad (unknown or retired logs, too few SCTs).
    CtInsufficient,
    /// Cannot be judged: the leaf does not parse, or its issuer is unknown.
    NotApplicable,
}

impl CtStatus {
    /// The stable code (`ct_ok`, ...).
    pub fn code(self) -> &'static str {
        match self {
            CtStatus::CtOk => "ct_ok",
            CtStatus::CtMissing => "ct_missing",
            CtStatus::CtInvalid => "ct_invalid",
            CtStatus::CtInsufficient => "ct_insufficient",
            CtStatus::NotApplicable => "not_applicable",
        }
    }
}

/// What became of one SCT.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SctStatus {
    /// Signed by a known log over this certificate, and the log's state accepts it.
    Valid,
    /// The signature does not verify: not this log's SCT for this certificate.
    InvalidSignature,
    /// The log is not in the log list.
    UnknownLog,
    /// Correctly signed, but the log's state does not accept it (pending,
    /// rejected, retired before the SCT, never included).
    LogNotUsableAtTime {
        /// The log's state (`rejected`, `retired`, `pending`, `not_included`...).
        log_state: String,
    },
    /// The log's key is of a kind pinwatch cannot verify.
    UnsupportedAlgorithm,
    /// The SCT (or the list it is in) does not parse, or is not version 1.
    Malformed,
    /// Not checked: the certificate's issuer is not known.
    Unverified,
}

/// One SCT and what became of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SctResult {
    /// The LogID, base64 (empty when the SCT did not parse).
    pub log_id: String,
    /// The log's description in the list.
    pub log_name: Option<String>,
    /// The log's operator (at the SCT's time).
    pub operator: Option<String>,
    /// When the log issued it, RFC 3339 with milliseconds (empty when it did not parse).
    pub timestamp: String,
    /// Valid, or why not.
    #[serde(flatten)]
    pub status: SctStatus,
    /// More words on the status, in English; empty when there is nothing to add.
    pub detail: String,
}

/// The log list a report was made with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogListInfo {
    /// File name or the built-in list.
    pub source: String,
    /// The list's version.
    pub version: String,
    /// The list's timestamp, RFC 3339.
    pub timestamp: String,
    /// When the list is due for review.
    pub review_by: String,
    /// Past its review date at the time of the check.
    pub stale: bool,
}

/// Everything CT says about one leaf.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CtReport {
    /// The overall result.
    pub status: CtStatus,
    /// Every SCT in the leaf, in order.
    pub scts: Vec<SctResult>,
    /// How many SCTs are valid.
    pub valid: usize,
    /// Distinct operators among the valid SCTs.
    pub distinct_operators: usize,
    /// Chrome's CT policy, the one `status` follows.
    pub policy: PolicyResult,
    /// Apple's CT policy, for information.
    pub apple_policy: PolicyResult,
    /// The log list used.
    pub log_list: LogListInfo,
    /// Why the status is what it is, in English; empty for `ct_ok`.
    pub detail: String,
}

/// Checks the SCTs embedded in `leaf_der` against `logs` at `now_unix`
/// (seconds). `issuer_spki_der` is the SubjectPublicKeyInfo of the
/// certificate that signed the leaf (not merely the next one sent); without
/// it SCTs cannot be verified.
pub fn check(
    leaf_der: &[u8],
    issuer_spki_der: Option<&[u8]>,
    logs: &LogList,
    now_unix: i64,
) -> CtReport {
    let hash = issuer_spki_der.map(precert::issuer_key_hash);
    check_with_issuer_key_hash(leaf_der, hash, logs, now_unix)
}

/// [`check`] with the SHA-256 of the issuer's SubjectPublicKeyInfo instead of
/// the SPKI itself: the second entry of a validated path's SPKI hashes
/// (`analysis::PathStatus::path()[1]`, base64-decoded) is exactly this, and
/// covers a leaf signed by an anchor the server did not send.
pub(crate) fn check_with_issuer_key_hash(
    leaf_der: &[u8],
    issuer_key_hash: Option<[u8; 32]>,
    logs: &LogList,
    now_unix: i64,
) -> CtReport {
    let mut report = CtReport {
        status: CtStatus::NotApplicable,
        scts: Vec::new(),
        valid: 0,
        distinct_operators: 0,
        policy: policy::chrome(0, &[]),
        apple_policy: policy::apple(0, 0, &[]),
        log_list: list_info(logs, now_unix),
        detail: String::new(),
    };
    let validity = match X509Certificate::from_der(leaf_der) {
        Ok((_, cert)) => (
            cert.validity().not_before.timestamp(),
            cert.validity().not_after.timestamp(),
        ),
        Err(e) => {
            report.detail = format!("the certificate does not parse: {e}");
            return report;
        }
    };
    let split = match precert::split(leaf_der) {
        Ok(split) => split,
        Err(e) => {
            report.detail = e.to_string();
            return report;
        }
    };
    let (not_before, not_after) = validity;
    report.policy = policy::chrome(not_after.saturating_sub(not_before), &[]);
    report.apple_policy = policy::apple(not_before, not_after, &[]);
    let value = match split.sct_extensions.as_slice() {
        [] => {
            report.status = CtStatus::CtMissing;
            report.detail = "the certificate carries no SCTs".into();
            return report;
        }
        [one] => one,
        more => {
            report.status = CtStatus::CtInvalid;
            report.scts.push(malformed(format!(
                "the certificate has {} SCT-list extensions",
                more.len()
            )));
            report.detail = "the SCT list is malformed".into();
            return report;
        }
    };
    let entries = match sct::parse_extension_value(value) {
        Ok(entries) => entries,
        Err(e) => {
            report.status = CtStatus::CtInvalid;
            report.scts.push(malformed(format!("the SCT list: {e}")));
            report.detail = "the SCT list is malformed".into();
            return report;
        }
    };
    let Some(issuer_key_hash) = issuer_key_hash else {
        report.scts = entries
            .iter()
            .map(|e| match e {
                Ok(s) => described(s, logs, SctStatus::Unverified, String::new()),
                Err(err) => malformed(err.to_string()),
            })
            .collect();
        report.detail = "the issuer is unknown, so the SCTs cannot be verified".into();
        return report;
    };
    let entry = precert::PrecertEntry {
        issuer_key_hash,
        tbs: split.tbs_without_scts,
    };
    judge(report, &entries, &entry, logs, (not_before, not_after))
}

/// Verifies every SCT, applies the policies and sets the status.
fn judge(
    mut report: CtReport,
    entries: &[Result<Sct, sct::SctError>],
    entry: &precert::PrecertEntry,
    logs: &LogList,
    (not_before, not_after): (i64, i64),
) -> CtReport {
    // First pass: signatures. Chrome judges retirement against the earliest
    // SCT, so that is known before states are applied.
    let signed: Vec<Option<Result<(), VerifyError>>> = entries
        .iter()
        .map(|e| {
            let s = e.as_ref().ok().filter(|s| s.version == 0)?;
            let log = logs.log(&s.log_id)?;
            Some(verify::verify(&log.key, s, entry))
        })
        .collect();
    let earliest = entries
        .iter()
        .zip(&signed)
        .filter(|(_, v)| matches!(v, Some(Ok(()))))
        .filter_map(|(e, _)| e.as_ref().ok().map(|s| ms(s.timestamp_ms)))
        .min();
    let mut counted = Vec::new();
    for (e, sig) in entries.iter().zip(&signed) {
        let s = match e {
            Ok(s) => s,
            Err(err) => {
                report.scts.push(malformed(err.to_string()));
                continue;
            }
        };
        if s.version != 0 {
            let detail = format!("SCT version {} (only v1, 0, is defined)", s.version);
            report
                .scts
                .push(described(s, logs, SctStatus::Malformed, detail));
            continue;
        }
        let Some(log) = logs.log(&s.log_id) else {
            let detail = format!("the log is not in {}", logs.source);
            report
                .scts
                .push(described(s, logs, SctStatus::UnknownLog, detail));
            continue;
        };
        let (status, detail) = match sig {
            Some(Ok(())) => acceptance(log, earliest.unwrap_or(ms(s.timestamp_ms))),
            Some(Err(VerifyError::BadSignature(why))) => (SctStatus::InvalidSignature, why.clone()),
            Some(Err(VerifyError::UnsupportedKey(why))) => {
                (SctStatus::UnsupportedAlgorithm, why.clone())
            }
            None => (SctStatus::Malformed, String::new()),
        };
        if status == SctStatus::Valid {
            counted.push(Counted {
                log_id: log.log_id,
                operator: log.operator_at(ms(s.timestamp_ms)).to_string(),
                current: log.state.as_ref().is_some_and(LogState::is_current),
                rfc6962: !log.tiled,
            });
        }
        report.scts.push(described(s, logs, status, detail));
    }
    report.valid = counted.len();
    let mut operators: Vec<&str> = counted.iter().map(|c| c.operator.as_str()).collect();
    operators.sort_unstable();
    operators.dedup();
    report.distinct_operators = operators.len();
    report.policy = policy::chrome(not_after.saturating_sub(not_before), &counted);
    report.apple_policy = policy::apple(not_before, not_after, &counted);
    let provably_bad = report
        .scts
        .iter()
        .any(|r| matches!(r.status, SctStatus::InvalidSignature | SctStatus::Malformed));
    (report.status, report.detail) = if report.policy.met {
        (CtStatus::CtOk, String::new())
    } else if provably_bad {
        (
            CtStatus::CtInvalid,
            format!("an SCT is not genuine; {}", report.policy.detail),
        )
    } else {
        (CtStatus::CtInsufficient, report.policy.detail.clone())
    };
    report
}

/// Whether the log's state accepts a correctly signed SCT. A retired log's
/// SCTs count when the earliest valid SCT predates the retirement (Chrome's
/// rule). SCT timestamps in the future are not held against a certificate:
/// a café machine's clock is often wrong, and that is no sign of forgery.
fn acceptance(log: &Log, earliest_ms: i64) -> (SctStatus, String) {
    let not_usable = |state: &str, detail: String| {
        (
            SctStatus::LogNotUsableAtTime {
                log_state: state.to_string(),
            },
            detail,
        )
    };
    match &log.state {
        None => not_usable(
            "not_included",
            "the log was never included in browsers".into(),
        ),
        Some(state) if state.is_current() => (SctStatus::Valid, String::new()),
        Some(LogState::Retired(at)) if earliest_ms < *at => (
            SctStatus::Valid,
            format!(
                "issued before the log retired on {}",
                crate::util::date(at / 1000)
            ),
        ),
        Some(state) => not_usable(
            state.name(),
            format!(
                "the log has been {} since {}",
                state.name(),
                crate::util::date(state.since_ms() / 1000)
            ),
        ),
    }
}

fn described(s: &Sct, logs: &LogList, status: SctStatus, detail: String) -> SctResult {
    let log = logs.log(&s.log_id);
    SctResult {
        log_id: STANDARD.encode(s.log_id),
        log_name: log.map(|l| l.description.clone()),
        operator: log.map(|l| l.operator_at(ms(s.timestamp_ms)).to_string()),
        timestamp: rfc3339_ms(s.timestamp_ms),
        status,
        detail,
    }
}

fn malformed(detail: String) -> SctResult {
    SctResult {
        log_id: String::new(),
        log_name: None,
        operator: None,
        timestamp: String::new(),
        status: SctStatus::Malformed,
        detail,
    }
}

fn list_info(logs: &LogList, now_unix: i64) -> LogListInfo {
    let today = time::OffsetDateTime::from_unix_timestamp(now_unix)
        .map(|t| t.date())
        .unwrap_or(time::Date::MIN);
    LogListInfo {
        source: logs.source.clone(),
        version: logs.version.clone(),
        timestamp: crate::util::rfc3339(logs.list_timestamp),
        review_by: logs.review_by.to_string(),
        stale: logs.is_stale(today),
    }
}

fn ms(timestamp_ms: u64) -> i64 {
    i64::try_from(timestamp_ms).unwrap_or(i64::MAX)
}

/// `2026-05-17T21:10:43.981Z`.
fn rfc3339_ms(timestamp_ms: u64) -> String {
    let secs = ms(timestamp_ms / 1000);
    let base = crate::util::rfc3339(secs);
    match base.strip_suffix('Z') {
        Some(b) if !base.starts_with('@') => format!("{b}.{:03}Z", timestamp_ms % 1000),
        _ => base,
    }
}

#[cfg(test)]
mod tests;
