//! What the agent says: the text of each notification and of the tray's
//! tooltip, in the user's language. Pure, so tests can assert the words.

use crate::agent::incidents::{Alert, AlertKind, Subject};
use crate::analysis::{Assessment, Verdict};
use crate::i18n::Lang;

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
            let first = alert.subjects.first().map(|s| &*s.result);
            Notice {
                summary: lang.tr_args("alert-interception-summary", &args),
                body: first
                    .map(|a| interception_body(lang, a))
                    .unwrap_or_default(),
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

fn interception_body(lang: Lang, a: &Assessment) -> String {
    let issuer = a
        .chain
        .first()
        .map_or("?", |c| c.short_issuer())
        .to_string();
    let who = match &a.interceptor {
        Some(i) => format!("{} ({})", i.name, lang.tr(&format!("cat-{}", i.category))),
        None => lang.tr_args("alert-who-unknown", &[("issuer", issuer)]),
    };
    let exposes = a
        .service
        .as_ref()
        .map(|s| lang.pick(&s.exposes, &s.exposes_zh).to_string())
        .unwrap_or_default();
    let advice = crate::report::text::what_to_do(lang, a).unwrap_or_default();
    lang.tr_args(
        "alert-interception-body",
        &[("who", who), ("exposes", exposes), ("advice", advice)],
    )
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
    /// The state after a cycle with these results.
    pub fn of(results: &[Assessment]) -> TrayState {
        let any = |v: Verdict| results.iter().any(|a| a.verdict == v);
        if any(Verdict::Intercepted) {
            TrayState::Intercepted
        } else if any(Verdict::Suspicious) {
            TrayState::Suspicious
        } else if any(Verdict::CaptivePortal) {
            TrayState::Portal
        } else if any(Verdict::Ok) {
            TrayState::AllClear
        } else {
            TrayState::Offline
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
