//! The CT log list: Google's v3 JSON schema (`log_list.json` /
//! `all_logs_list.json`, https://www.gstatic.com/ct/log_list/v3/), shipped
//! in `pins/ct/log_list.json` and embedded at build time, or a replacement
//! given with `--ct-logs FILE` (read by `knowledge::load_log_list`: `ct`
//! opens no file).
//!
//! Parsed with serde (unknown fields tolerated, as the schema grows), then
//! validated: every log's `log_id` must be the SHA-256 of its `key`, every
//! state and timestamp must parse. Errors name the file and the JSON path.
//! Input is capped at [`MAX_LOG_LIST_BYTES`].

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use thiserror::Error;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::verify::LogKey;

/// The largest log list accepted (Google's complete list is about 110 KiB).
pub const MAX_LOG_LIST_BYTES: u64 = 4 * 1024 * 1024;

/// Days after its `log_list_timestamp` that a list is due for review: Chrome
/// stops enforcing CT when its freshest list is 70 days old ("CT Enforcement
/// Timeout", Chrome CT policy), because by then logs it does not know are in
/// use.
pub const REVIEW_AFTER_DAYS: i64 = 70;

/// Name of the list compiled into the binary.
pub const EMBEDDED_SOURCE: &str = "built-in pins/ct/log_list.json";

static EMBEDDED_JSON: &[u8] = include_bytes!("../../pins/ct/log_list.json");

/// A log list that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum CtError {
    /// The file could not be read.
    #[error("{file}: {detail}")]
    Read {
        /// The file.
        file: String,
        /// Why.
        detail: String,
    },
    /// The file is larger than [`MAX_LOG_LIST_BYTES`].
    #[error("{file}: larger than {limit} bytes; this is not a CT log list")]
    TooLarge {
        /// The file.
        file: String,
        /// The limit.
        limit: u64,
    },
    /// The JSON does not parse, or a value in it is wrong.
    #[error("{file}: {path}: {detail}")]
    Invalid {
        /// The file.
        file: String,
        /// Where in the JSON (`operators[2].logs[0].key`).
        path: String,
        /// What is wrong.
        detail: String,
    },
}

/// A log's state in the list, with when it entered it (ms since the epoch).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogState {
    /// Applied for inclusion; its SCTs do not count.
    Pending(i64),
    /// Included; its SCTs count.
    Qualified(i64),
    /// Included and known to every CT-enforcing client; its SCTs count.
    Usable(i64),
    /// No longer logging; its SCTs count.
    ReadOnly(i64),
    /// Distrusted or shut down: SCTs issued before the timestamp count.
    Retired(i64),
    /// Never included, or every certificate in it has expired; its SCTs do not count.
    Rejected(i64),
    /// A state this version of pinwatch does not know; its SCTs do not count.
    Other(String, i64),
}

impl LogState {
    /// The schema's name for the state.
    pub fn name(&self) -> &str {
        match self {
            LogState::Pending(_) => "pending",
            LogState::Qualified(_) => "qualified",
            LogState::Usable(_) => "usable",
            LogState::ReadOnly(_) => "readonly",
            LogState::Retired(_) => "retired",
            LogState::Rejected(_) => "rejected",
            LogState::Other(name, _) => name,
        }
    }

    /// When the log entered the state, ms since the epoch.
    pub fn since_ms(&self) -> i64 {
        match self {
            LogState::Pending(t)
            | LogState::Qualified(t)
            | LogState::Usable(t)
            | LogState::ReadOnly(t)
            | LogState::Retired(t)
            | LogState::Rejected(t)
            | LogState::Other(_, t) => *t,
        }
    }

    /// Qualified, usable or read-only: the states whose SCTs count without
    /// conditions ("at time of check" in Chrome's policy).
    pub fn is_current(&self) -> bool {
        matches!(
            self,
            LogState::Qualified(_) | LogState::Usable(_) | LogState::ReadOnly(_)
        )
    }
}

/// One CT log.
#[derive(Clone, Debug)]
pub struct Log {
    /// SHA-256 of the log's key: the LogID in its SCTs.
    pub log_id: [u8; 32],
    /// The list's description, e.g. "Google 'Argon2026h1' log".
    pub description: String,
    /// Who operates it now.
    pub operator: String,
    /// Earlier operators, with the time (ms) each stopped, oldest first.
    pub previous_operators: Vec<(String, i64)>,
    /// The key, ready to verify with.
    pub key: LogKey,
    /// Submission URL (RFC 6962 `url`, or a static-CT log's `submission_url`).
    pub url: Option<String>,
    /// Maximum merge delay, seconds.
    pub mmd: Option<u64>,
    /// State; `None` for logs never submitted for inclusion (test logs).
    pub state: Option<LogState>,
    /// Certificates it accepts expire in `[start, end)` (ms), for sharded logs.
    pub temporal_interval: Option<(i64, i64)>,
    /// `test` or `monitoring_only` when the list says so.
    pub log_type: Option<String>,
    /// A static-CT API ("tiled") log rather than an RFC 6962 one.
    pub tiled: bool,
}

impl Log {
    /// The operator when an SCT with this timestamp (ms) was issued: Chrome
    /// counts each SCT for the operator of the time.
    pub fn operator_at(&self, timestamp_ms: i64) -> &str {
        self.previous_operators
            .iter()
            .find(|(_, end)| timestamp_ms < *end)
            .map_or(self.operator.as_str(), |(name, _)| name.as_str())
    }
}

/// A parsed, validated log list.
#[derive(Clone, Debug)]
pub struct LogList {
    /// Where it came from: a file name or [`EMBEDDED_SOURCE`].
    pub source: String,
    /// The list's `version`.
    pub version: String,
    /// The list's `log_list_timestamp`, seconds since the epoch.
    pub list_timestamp: i64,
    /// [`REVIEW_AFTER_DAYS`] after the list's timestamp.
    pub review_by: time::Date,
    logs: Vec<Log>,
    by_id: HashMap<[u8; 32], usize>,
}

impl LogList {
    /// Parses a v3 log list. `source` names it in errors and reports.
    pub fn parse(bytes: &[u8], source: &str) -> Result<LogList, CtError> {
        if bytes.len() as u64 > MAX_LOG_LIST_BYTES {
            return Err(CtError::TooLarge {
                file: source.to_string(),
                limit: MAX_LOG_LIST_BYTES,
            });
        }
        let de = &mut serde_json::Deserializer::from_slice(bytes);
        let raw: RawList = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            CtError::Invalid {
                file: source.to_string(),
                path: if path == "." || path == "?" {
                    "(top level)".into()
                } else {
                    path
                },
                detail: e.into_inner().to_string(),
            }
        })?;
        validate(raw, source)
    }

    /// The list compiled into the binary, parsed once.
    pub fn embedded() -> Result<&'static LogList, CtError> {
        static LIST: OnceLock<Result<LogList, CtError>> = OnceLock::new();
        LIST.get_or_init(|| LogList::parse(EMBEDDED_JSON, EMBEDDED_SOURCE))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Every log, in list order.
    pub fn logs(&self) -> &[Log] {
        &self.logs
    }

    /// The log with this LogID.
    pub fn log(&self, log_id: &[u8; 32]) -> Option<&Log> {
        self.by_id.get(log_id).and_then(|&i| self.logs.get(i))
    }

    /// Whether `today` is past [`LogList::review_by`]: logs the list does not
    /// know may be in use, so an unknown log is no longer suspicious.
    pub fn is_stale(&self, today: time::Date) -> bool {
        today > self.review_by
    }
}

#[derive(Deserialize)]
struct RawList {
    version: Option<String>,
    log_list_timestamp: String,
    operators: Vec<RawOperator>,
}

#[derive(Deserialize)]
struct RawOperator {
    name: String,
    #[serde(default)]
    logs: Vec<RawLog>,
    #[serde(default)]
    tiled_logs: Vec<RawLog>,
}

#[derive(Deserialize)]
struct RawLog {
    description: Option<String>,
    log_id: String,
    key: String,
    url: Option<String>,
    submission_url: Option<String>,
    mmd: Option<u64>,
    state: Option<BTreeMap<String, RawState>>,
    temporal_interval: Option<RawInterval>,
    log_type: Option<String>,
    #[serde(default)]
    previous_operators: Vec<RawPreviousOperator>,
}

#[derive(Deserialize)]
struct RawState {
    timestamp: String,
}

#[derive(Deserialize)]
struct RawInterval {
    start_inclusive: String,
    end_exclusive: String,
}

#[derive(Deserialize)]
struct RawPreviousOperator {
    name: String,
    end_time: String,
}

fn validate(raw: RawList, source: &str) -> Result<LogList, CtError> {
    let invalid = |path: String, detail: String| CtError::Invalid {
        file: source.to_string(),
        path,
        detail,
    };
    let list_timestamp = parse_time(&raw.log_list_timestamp)
        .map_err(|d| invalid("log_list_timestamp".into(), d))?
        .unix_timestamp();
    let review_by = OffsetDateTime::from_unix_timestamp(list_timestamp)
        .map_err(|e| invalid("log_list_timestamp".into(), e.to_string()))?
        .date()
        .checked_add(time::Duration::days(REVIEW_AFTER_DAYS))
        .ok_or_else(|| invalid("log_list_timestamp".into(), "out of range".into()))?;
    let mut logs = Vec::new();
    let mut by_id = HashMap::new();
    for (i, op) in raw.operators.into_iter().enumerate() {
        if op.name.trim().is_empty() {
            return Err(invalid(format!("operators[{i}].name"), "empty".into()));
        }
        for (kind, group, tiled) in [
            ("logs", op.logs, false),
            ("tiled_logs", op.tiled_logs, true),
        ] {
            for (j, raw_log) in group.into_iter().enumerate() {
                let at = |field: &str| format!("operators[{i}].{kind}[{j}]{field}");
                let log = validate_log(raw_log, &op.name, tiled)
                    .map_err(|(field, detail)| invalid(at(&field), detail))?;
                if by_id.insert(log.log_id, logs.len()).is_some() {
                    return Err(invalid(
                        at(".log_id"),
                        "the same log_id appears twice".into(),
                    ));
                }
                logs.push(log);
            }
        }
    }
    Ok(LogList {
        source: source.to_string(),
        version: raw.version.unwrap_or_default(),
        list_timestamp,
        review_by,
        logs,
        by_id,
    })
}

/// A log's fields checked; on error the field path (`.key`) and what is wrong.
fn validate_log(raw: RawLog, operator: &str, tiled: bool) -> Result<Log, (String, String)> {
    let log_id: [u8; 32] = STANDARD
        .decode(raw.log_id.trim())
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or_else(|| {
            (
                ".log_id".to_string(),
                "not the base64 of 32 bytes".to_string(),
            )
        })?;
    let key_der = STANDARD
        .decode(raw.key.trim())
        .map_err(|e| (".key".to_string(), format!("not base64: {e}")))?;
    if key_der.is_empty() {
        return Err((".key".into(), "empty".into()));
    }
    if crate::ct::precert::issuer_key_hash(&key_der) != log_id {
        return Err((
            ".log_id".into(),
            "is not the SHA-256 of the log's key".into(),
        ));
    }
    let state = match raw.state {
        None => None,
        Some(map) => {
            let mut entries = map.into_iter();
            let (name, body) = match (entries.next(), entries.next()) {
                (Some(one), None) => one,
                _ => return Err((".state".into(), "must hold exactly one state".into())),
            };
            let t =
                parse_ms(&body.timestamp).map_err(|d| (format!(".state.{name}.timestamp"), d))?;
            Some(match name.as_str() {
                "pending" => LogState::Pending(t),
                "qualified" => LogState::Qualified(t),
                "usable" => LogState::Usable(t),
                "readonly" => LogState::ReadOnly(t),
                "retired" => LogState::Retired(t),
                "rejected" => LogState::Rejected(t),
                _ => LogState::Other(name, t),
            })
        }
    };
    let temporal_interval = match raw.temporal_interval {
        None => None,
        Some(ti) => {
            let start = parse_ms(&ti.start_inclusive)
                .map_err(|d| (".temporal_interval.start_inclusive".to_string(), d))?;
            let end = parse_ms(&ti.end_exclusive)
                .map_err(|d| (".temporal_interval.end_exclusive".to_string(), d))?;
            Some((start, end))
        }
    };
    let mut previous_operators = Vec::new();
    for (k, p) in raw.previous_operators.into_iter().enumerate() {
        let end =
            parse_ms(&p.end_time).map_err(|d| (format!(".previous_operators[{k}].end_time"), d))?;
        previous_operators.push((p.name, end));
    }
    previous_operators.sort_by_key(|(_, end)| *end);
    Ok(Log {
        log_id,
        description: raw.description.unwrap_or_default(),
        operator: operator.to_string(),
        previous_operators,
        key: LogKey::from_spki_der(&key_der),
        url: raw.url.or(raw.submission_url),
        mmd: raw.mmd,
        state,
        temporal_interval,
        log_type: raw.log_type,
        tiled,
    })
}

fn parse_time(s: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(s, &Rfc3339).map_err(|e| format!("`{s}` is not an RFC 3339 time: {e}"))
}

fn parse_ms(s: &str) -> Result<i64, String> {
    let t = parse_time(s)?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A P-256 SPKI (Google Argon2026h1's key) and its LogID.
    const KEY: &str = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEB/we6GOO/xwxivy4HhkrYFAAPo6e2nc346Wo2o2U+GvoPWSPJz91s/xrEvA3Bk9kWHUUXVZS5morFEzsgdHqPg==";

    fn log_id() -> String {
        STANDARD.encode(crate::ct::precert::issuer_key_hash(
            &STANDARD.decode(KEY).unwrap(),
        ))
    }

    fn list(log_fields: &str) -> String {
        format!(
            r#"{{"version": "1.2", "log_list_timestamp": "2026-01-02T03:04:05Z", "new_top_level": [1],
              "operators": [{{"name": "Op A", "email": ["a@example.com"], "logs": [
                {{"description": "A 1", "log_id": "{}", "key": "{KEY}", "url": "https://ct.example/a1/",
                  "mmd": 86400 {log_fields}}}]}}]}}"#,
            log_id()
        )
    }

    fn invalid(json: &str) -> (String, String) {
        match LogList::parse(json.as_bytes(), "test.json") {
            Err(CtError::Invalid { file, path, detail }) => {
                assert_eq!(file, "test.json");
                (path, detail)
            }
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn parses_states_intervals_and_unknown_fields() {
        let json = list(
            r#", "state": {"retired": {"timestamp": "2025-04-15T23:00:00Z"}},
               "temporal_interval": {"start_inclusive": "2026-01-01T00:00:00Z", "end_exclusive": "2026-07-01T00:00:00Z"},
               "previous_operators": [{"name": "Old Op", "end_time": "2024-01-01T00:00:00Z"}],
               "future_field": {"x": 1}"#,
        );
        let l = LogList::parse(json.as_bytes(), "test.json").unwrap();
        assert_eq!(l.version, "1.2");
        assert_eq!(l.source, "test.json");
        assert_eq!(l.review_by.to_string(), "2026-03-13");
        let log = &l.logs()[0];
        assert_eq!(log.description, "A 1");
        assert_eq!(log.operator, "Op A");
        assert_eq!(log.state, Some(LogState::Retired(1_744_758_000_000)));
        assert_eq!(
            log.temporal_interval,
            Some((1_767_225_600_000, 1_782_864_000_000))
        );
        assert_eq!(log.operator_at(1_600_000_000_000), "Old Op");
        assert_eq!(log.operator_at(1_800_000_000_000), "Op A");
        assert!(l.log(&log.log_id).is_some());
        assert!(l.log(&[0; 32]).is_none());
        // No state: never included. An unknown state name is kept, never counted.
        let l = LogList::parse(list("").as_bytes(), "t").unwrap();
        assert_eq!(l.logs()[0].state, None);
        let l = LogList::parse(
            list(r#", "state": {"frozen": {"timestamp": "2025-01-01T00:00:00Z"}}"#).as_bytes(),
            "t",
        )
        .unwrap();
        let state = l.logs()[0].state.clone().unwrap();
        assert_eq!(state.name(), "frozen");
        assert!(!state.is_current());
    }

    #[test]
    fn errors_name_the_file_and_the_json_path() {
        let (path, detail) = invalid(&list("").replace("\"mmd\": 86400", "\"mmd\": \"a day\""));
        assert_eq!(path, "operators[0].logs[0].mmd", "{detail}");
        let (path, detail) = invalid(&list("").replace(KEY, "not base64!"));
        assert_eq!(path, "operators[0].logs[0].key");
        assert!(detail.starts_with("not base64"), "{detail}");
        let (path, detail) = invalid(&list("").replace(&log_id(), &STANDARD.encode([1u8; 32])));
        assert_eq!(path, "operators[0].logs[0].log_id");
        assert_eq!(detail, "is not the SHA-256 of the log's key");
        let (path, _) = invalid(&list("").replace(&log_id(), "AAAA"));
        assert_eq!(path, "operators[0].logs[0].log_id");
        let (path, detail) = invalid(&list(
            r#", "state": {"usable": {"timestamp": "2025-01-01T00:00:00Z"}, "retired": {"timestamp": "2025-01-01T00:00:00Z"}}"#,
        ));
        assert_eq!(
            (path.as_str(), detail.as_str()),
            ("operators[0].logs[0].state", "must hold exactly one state")
        );
        let (path, detail) = invalid(&list(
            r#", "state": {"usable": {"timestamp": "yesterday"}}"#,
        ));
        assert_eq!(path, "operators[0].logs[0].state.usable.timestamp");
        assert!(
            detail.contains("`yesterday` is not an RFC 3339 time"),
            "{detail}"
        );
        let (path, _) = invalid(&list("").replace("2026-01-02T03:04:05Z", "2026-13-02"));
        assert_eq!(path, "log_list_timestamp");
        let (path, _) = invalid(r#"{"log_list_timestamp": "2026-01-02T03:04:05Z"}"#);
        assert_eq!(path, "(top level)");
        let (path, detail) = invalid("{");
        assert_eq!(path, "(top level)");
        assert!(detail.contains("EOF"), "{detail}");
        // The same log twice, in tiled_logs this time.
        let twice = list("").replace(
            "}]}]}",
            &format!(
                r#"}}], "tiled_logs": [{{"log_id": "{}", "key": "{KEY}"}}]}}]}}"#,
                log_id()
            ),
        );
        let (path, detail) = invalid(&twice);
        assert_eq!(
            (path.as_str(), detail.as_str()),
            (
                "operators[0].tiled_logs[0].log_id",
                "the same log_id appears twice"
            )
        );
        let err = LogList::parse(b"{", "x.json").unwrap_err().to_string();
        assert!(err.starts_with("x.json: (top level): "), "{err}");
    }

    #[test]
    fn size_is_capped() {
        let big = vec![b' '; MAX_LOG_LIST_BYTES as usize + 1];
        assert!(matches!(
            LogList::parse(&big, "big.json"),
            Err(CtError::TooLarge { .. })
        ));
    }
}
