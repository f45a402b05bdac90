//! What the agent says: the text of each notification and of the tray's
//! tooltip, in the user's language. Pure, so tests can assert the words.

use crate::agent::incidents::{Alert, AlertKind, Subject};
use crate::analysis::incident::{Incident, incidents};
use crate::analysis::{Assessment, Verdict};
use crate::i18n::Lang;
use crate::report::incident;

/// How insistent a notification is (the freedesktop urgency levels).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Urgency {
    /// Informational: a resolution.
    Low,
    /// Needs attention: suspicious, captive portal.
    Normal,
    /// Interception.
    Critical,
}

/// A notification's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// Title line.
    pub summary: String,
    /// Body.
    pub body: String,
    /// Urgency.
    pub urgency: Urgency,
}

/// The names of `subjects`, joined for a sentence.
fn names(lang: Lang, subjects: &[Subject]) -> String {
    let sep = if lang == Lang::Zh { "、" } else { ", " };
    subjects
        .iter()
        .map(|s| lang.pick(&s.name, &s.name_zh).to_string())
        .collect::<Vec<_>>()
        .join(sep)
}

/// The notification for `alert`.
pub fn notice(lang: Lang, alert: &Alert) -> Notice {
    let services = names(lang, &alert.subjects);
    let args = [("services", services.clone())];
    match alert.kind {
        AlertKind::Interception => {
            let results: Vec<Assessment> =
                alert.subjects.iter().map(|s| (*s.result).clone()).collect();
            let body: Vec<String> = incidents(&results)
                .iter()
                .map(|found| incident_body(lang, found))
                .collect();
            Notice {
                summary: lang.tr_args("alert-interception-summary", &args),
                body: body.join("\n\n"),
                urgency: Urgency::Critical,
            }
        }
        AlertKind::Suspicious => Notice {
            summary: lang.tr_args("alert-suspicious-summary", &args),
            body: lang.tr("alert-suspicious-body"),
            urgency: Urgency::Normal,
        },
        AlertKind::CaptivePortal => Notice {
            summary: lang.tr("alert-portal-summary"),
            body: lang.tr_args("alert-portal-body", &args),
            urgency: Urgency::Normal,
        },
        AlertKind::Resolved => Notice {
            summary: lang.tr_args("alert-resolved-summary", &args),
            body: lang.tr("alert-resolved-body"),
            urgency: Urgency::Low,
        },
    }
}

/// At most this many services get their exposure line in a notification.
const EXPOSURES_SHOWN: usize = 3;

/// One incident in a notification: who and where, whether this machine
/// trusts it, what each service exposes (the first few, then "and N
/// more"), what to do.
fn incident_body(lang: Lang, found: &Incident) -> String {
    let names = incident::service_names(lang, found);
    let head = lang.tr_args(
        "alert-incident",
        &[
            ("services", incident::join(lang, &names)),
            ("count", names.len().to_string()),
            ("who", incident::who(lang, found)),
            ("where", incident::place_phrase(lang, found)),
        ],
    );
    let mut lines = vec![head, incident::trust(lang, found)];
    let exposures = incident::exposures(lang, found);
    let more = exposures.len().saturating_sub(EXPOSURES_SHOWN);
    lines.extend(exposures.into_iter().take(EXPOSURES_SHOWN));
    if more > 0 {
        lines.push(lang.tr_args("alert-and-more", &[("n", more.to_string())]));
    }
    lines.push(format!(
        "{}{}",
        lang.tr("alert-what-to-do"),
        incident::advice(lang, found)
    ));
    lines.join("\n")
}

/// The overall state the tray shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrayState {
    /// Every reachable service shows its genuine certificate.
    AllClear,
    /// Something suspicious, nothing intercepted.
    Suspicious,
    /// Some service is intercepted.
    Intercepted,
    /// A captive portal is in the way.
    Portal,
    /// A check is running.
    Checking,
    /// Nothing could be reached.
    Offline,
}

impl TrayState {
    /// The state after a cycle with these results: that of their overall
    /// verdict ([`Verdict::overall`], the one severity ranking).
    pub fn of(results: &[Assessment]) -> TrayState {
        match Verdict::overall(results.iter().map(|a| a.verdict)) {
            Some(Verdict::Intercepted) => TrayState::Intercepted,
            Some(Verdict::Suspicious) => TrayState::Suspicious,
            Some(Verdict::CaptivePortal) => TrayState::Portal,
            Some(Verdict::Ok) => TrayState::AllClear,
            Some(Verdict::Unreachable) | None => TrayState::Offline,
        }
    }
}

/// The tray's tooltip line for `state` (services named where it matters).
pub fn tray_text(lang: Lang, state: TrayState, results: &[Assessment]) -> String {
    let named = |v: Verdict| {
        let subjects: Vec<Subject> = crate::agent::incidents::subjects(results)
            .into_iter()
            .filter(|s| s.result.verdict == v)
            .collect();
        vec![("services", names(lang, &subjects))]
    };
    match state {
        TrayState::AllClear => lang.tr("tray-all-clear"),
        TrayState::Suspicious => lang.tr_args("tray-suspicious", &named(Verdict::Suspicious)),
        TrayState::Intercepted => lang.tr_args("tray-intercepted", &named(Verdict::Intercepted)),
        TrayState::Portal => lang.tr("tray-portal"),
        TrayState::Checking => lang.tr("tray-checking"),
        TrayState::Offline => lang.tr("tray-offline"),
    }
}
