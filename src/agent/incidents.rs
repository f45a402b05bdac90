//! Incidents and alerts: decides, from each check cycle's results, which
//! notifications to show. One alert per incident, not per check: the same
//! interception seen again is not announced again until it clears or the
//! user asks; recovery gets a quiet "resolved"; unreachable services get
//! nothing. Pure: time is passed in.

use std::collections::BTreeMap;

use crate::analysis::{Assessment, Verdict};
pub use crate::journal::AlertKind;
use crate::journal::Record;
use crate::report::html::{PastIncident, PastKind, RECENT_SECONDS};

/// One service (or host) an alert names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    /// Service name, or host:port when no service matched.
    pub key: String,
    /// Display name in English.
    pub name: String,
    /// Display name in Chinese.
    pub name_zh: String,
    /// The result that raised the alert (the worst of the service's hosts).
    pub result: Box<Assessment>,
}

/// A notification to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alert {
    /// What it is about.
    pub kind: AlertKind,
    /// Whom it concerns, in a stable order.
    pub subjects: Vec<Subject>,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Incident {
    verdict: Verdict,
    /// The worst verdict announced for this incident, if any was.
    announced: Option<Verdict>,
    /// The user asked: announce it again at the next update.
    again: bool,
}

/// Open incidents and the pause setting, carried from cycle to cycle.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Tracker {
    incidents: BTreeMap<String, Incident>,
    paused_until: Option<i64>,
}

fn kind_of(v: Verdict) -> Option<AlertKind> {
    match v {
        Verdict::Intercepted => Some(AlertKind::Interception),
        Verdict::Suspicious => Some(AlertKind::Suspicious),
        Verdict::CaptivePortal => Some(AlertKind::CaptivePortal),
        Verdict::Ok | Verdict::Unreachable => None,
    }
}

impl Tracker {
    /// The tracker as JSON, for `agent --once` to carry it to its next run.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A tracker saved by [`Tracker::to_json`]; `None` if it does not parse.
    pub fn from_json(text: &str) -> Option<Tracker> {
        serde_json::from_str(text).ok()
    }

    /// Suppresses alerts until `until` (seconds since the epoch). Incidents
    /// that start meanwhile are announced at the first check after it.
    pub fn pause(&mut self, until: i64) {
        self.paused_until = Some(until);
    }

    /// Ends a pause: incidents that started meanwhile are announced at the
    /// next check.
    pub fn resume(&mut self) {
        self.paused_until = None;
    }

    /// Until when alerts are paused, if they are at `now`.
    pub fn paused_until(&self, now: i64) -> Option<i64> {
        self.paused_until.filter(|t| now < *t)
    }

    /// Whether alerts are paused at `now`.
    pub fn is_paused(&self, now: i64) -> bool {
        self.paused_until.is_some_and(|t| now < t)
    }

    /// The user asked: announce open incidents again at the next update.
    pub fn reannounce(&mut self) {
        for incident in self.incidents.values_mut() {
            incident.again = true;
        }
    }

    /// The worst open incident's verdict.
    #[cfg(test)]
    pub fn worst(&self) -> Option<Verdict> {
        self.incidents.values().map(|i| i.verdict).max()
    }

    /// Takes one cycle's results and returns the alerts to show now.
    pub fn update(&mut self, results: &[Assessment], now: i64) -> Vec<Alert> {
        let paused = self.is_paused(now);
        let mut alerts: BTreeMap<AlertKind, Vec<Subject>> = BTreeMap::new();
        for subject in subjects(results) {
            // A sanctioned interceptor weighs as ok: never announced.
            let verdict = subject.result.standing();
            match (kind_of(verdict), self.incidents.get_mut(&subject.key)) {
                (Some(_), None) => {
                    self.incidents.insert(
                        subject.key.clone(),
                        Incident {
                            verdict,
                            announced: None,
                            again: false,
                        },
                    );
                }
                (Some(_), Some(incident)) => incident.verdict = verdict,
                (None, Some(_)) if verdict == Verdict::Ok => {
                    if self
                        .incidents
                        .remove(&subject.key)
                        .is_some_and(|i| i.announced.is_some())
                        && !paused
                    {
                        alerts.entry(AlertKind::Resolved).or_default().push(subject);
                    }
                    continue;
                }
                // Unreachable says nothing about an open incident; an
                // unreachable or ok service with no incident needs nothing.
                (None, _) => continue,
            }
            let incident = self.incidents.get_mut(&subject.key);
            if let (Some(incident), false) = (incident, paused) {
                // Announce a new incident, or one that got worse than what was announced.
                if incident.again || incident.announced.is_none_or(|a| verdict > a) {
                    incident.again = false;
                    incident.announced = Some(verdict);
                    if let Some(kind) = kind_of(verdict) {
                        alerts.entry(kind).or_default().push(subject);
                    }
                }
            }
        }
        alerts
            .into_iter()
            .map(|(kind, subjects)| Alert { kind, subjects })
            .collect()
    }
}

/// The incidents of the last [`RECENT_SECONDS`] before `now` (started, or
/// still going on, in that window), newest first, rebuilt from the
/// journal's alert records: an `interception`, `suspicious` or
/// `captive_portal` alert starts one, unless an incident of the same kind
/// naming one of its services is still open (the user's "Check now", a
/// network change, a pause that ended: the same incident goes on, and
/// takes the alert's other services in); `resolved` alerts end it once
/// every service it named is resolved. An alert of another kind about a
/// service moves it to the new incident.
pub fn past_incidents<'r>(
    records: impl IntoIterator<Item = &'r Record>,
    now: i64,
) -> Vec<PastIncident> {
    let mut all: Vec<(PastIncident, Vec<String>)> = Vec::new();
    let close = |all: &mut Vec<(PastIncident, Vec<String>)>, service: &str, at: i64| {
        for (past, open) in all.iter_mut() {
            if let Some(i) = open.iter().position(|s| s == service) {
                open.remove(i);
                if open.is_empty() {
                    past.ended = Some(at);
                }
            }
        }
    };
    for record in records {
        let Record::Alert {
            at, kind, services, ..
        } = record
        else {
            continue;
        };
        let kind = match kind {
            AlertKind::Interception => PastKind::Interception,
            AlertKind::Suspicious => PastKind::Suspicious,
            AlertKind::CaptivePortal => PastKind::CaptivePortal,
            AlertKind::Resolved => {
                for s in services {
                    close(&mut all, s, *at);
                }
                continue;
            }
        };
        let going_on = all.iter().position(|(past, open)| {
            past.kind == kind && open.iter().any(|s| services.contains(s))
        });
        match going_on {
            Some(i) => {
                // Services of other incidents move here; this one keeps its own.
                for s in services {
                    if !all[i].1.contains(s) {
                        close(&mut all, s, *at);
                        let (past, open) = &mut all[i];
                        open.push(s.clone());
                        if !past.services.contains(s) {
                            past.services.push(s.clone());
                        }
                    }
                }
            }
            None => {
                for s in services {
                    close(&mut all, s, *at);
                }
                all.push((
                    PastIncident {
                        kind,
                        started: *at,
                        ended: None,
                        services: services.clone(),
                    },
                    services.clone(),
                ));
            }
        }
    }
    let since = now.saturating_sub(RECENT_SECONDS);
    let mut recent: Vec<PastIncident> = all
        .into_iter()
        .map(|(past, _)| past)
        .filter(|p| p.started >= since || p.ended.is_none_or(|end| end >= since))
        .collect();
    recent.reverse();
    recent
}

/// Groups results by service (host:port when there is none), keeping the
/// result that stands for each ([`Verdict::overall`]): an intercepted host
/// makes its service intercepted; an unreachable host does not hide an
/// answering one.
pub fn subjects(results: &[Assessment]) -> Vec<Subject> {
    let mut by_key: BTreeMap<String, Subject> = BTreeMap::new();
    for a in results {
        let (key, name, name_zh) = match &a.service {
            Some(s) => (
                s.name.clone(),
                s.display_name.clone(),
                s.display_name_zh.clone(),
            ),
            None => (
                a.target.to_string(),
                a.target.to_string(),
                a.target.to_string(),
            ),
        };
        let entry = by_key.entry(key.clone()).or_insert_with(|| Subject {
            key,
            name,
            name_zh,
            result: Box::new(a.clone()),
        });
        let (mine, theirs) = (a.standing(), entry.result.standing());
        let stands = Verdict::overall([mine, theirs]);
        if mine != theirs && stands == Some(mine) {
            *entry.result = a.clone();
        }
    }
    by_key.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::ServiceInfo;
    use crate::target::Target;

    fn result(service: &str, host: &str, verdict: Verdict) -> Assessment {
        Assessment {
            service: Some(ServiceInfo {
                name: service.into(),
                display_name: service.to_uppercase(),
                display_name_zh: service.into(),
                exposes: String::new(),
                exposes_zh: String::new(),
                exposure: crate::knowledge::Exposure::Everything,
            }),
            ..Assessment::bare(Target::new(host, 443).unwrap(), verdict)
        }
    }

    fn kinds(alerts: &[Alert]) -> Vec<(AlertKind, Vec<String>)> {
        alerts
            .iter()
            .map(|a| (a.kind, a.subjects.iter().map(|s| s.key.clone()).collect()))
            .collect()
    }

    #[test]
    fn one_alert_per_incident_then_a_quiet_resolution() {
        let mut t = Tracker::default();
        let bad = [
            result("wechat", "wx.qq.com", Verdict::Intercepted),
            result("wechat", "weixin.qq.com", Verdict::Ok),
        ];
        assert_eq!(
            kinds(&t.update(&bad, 0)),
            [(AlertKind::Interception, vec!["wechat".into()])]
        );
        assert!(
            t.update(&bad, 60).is_empty(),
            "the same interception is not re-announced"
        );
        let gone = [result("wechat", "wx.qq.com", Verdict::Unreachable)];
        assert!(
            t.update(&gone, 120).is_empty(),
            "unreachable neither alerts nor resolves"
        );
        assert_eq!(t.worst(), Some(Verdict::Intercepted));
        let ok = [result("wechat", "wx.qq.com", Verdict::Ok)];
        assert_eq!(
            kinds(&t.update(&ok, 180)),
            [(AlertKind::Resolved, vec!["wechat".into()])]
        );
        assert!(t.update(&ok, 240).is_empty());
        assert_eq!(t.worst(), None);
    }

    #[test]
    fn getting_worse_is_announced_getting_better_is_not() {
        let mut t = Tracker::default();
        let s = |v| [result("qq", "qq.com", v)];
        assert_eq!(
            kinds(&t.update(&s(Verdict::Suspicious), 0))[0].0,
            AlertKind::Suspicious
        );
        assert_eq!(
            kinds(&t.update(&s(Verdict::Intercepted), 1))[0].0,
            AlertKind::Interception
        );
        assert!(t.update(&s(Verdict::Suspicious), 2).is_empty());
        assert!(
            t.update(&s(Verdict::Intercepted), 3).is_empty(),
            "back to the announced level: no new alert"
        );
    }

    #[test]
    fn portals_alert_unreachable_never_does() {
        let mut t = Tracker::default();
        let r = [
            result("qq", "qq.com", Verdict::CaptivePortal),
            result("chatgpt", "chatgpt.com", Verdict::Unreachable),
        ];
        assert_eq!(
            kinds(&t.update(&r, 0)),
            [(AlertKind::CaptivePortal, vec!["qq".into()])]
        );
    }

    #[test]
    fn pause_defers_and_the_user_can_ask_again() {
        let mut t = Tracker::default();
        t.pause(3600);
        let bad = [result("chatgpt", "chatgpt.com", Verdict::Intercepted)];
        assert!(t.update(&bad, 10).is_empty(), "paused");
        assert_eq!(
            kinds(&t.update(&bad, 3601)).len(),
            1,
            "announced once the pause ends"
        );
        assert!(t.update(&bad, 3700).is_empty());
        t.reannounce();
        assert_eq!(kinds(&t.update(&bad, 3800)).len(), 1, "the user asked");
        assert!(t.update(&bad, 3900).is_empty(), "once");
    }

    #[test]
    fn asking_again_after_the_incident_cleared_still_resolves_it() {
        let mut t = Tracker::default();
        let bad = [result("chatgpt", "chatgpt.com", Verdict::Intercepted)];
        let ok = [result("chatgpt", "chatgpt.com", Verdict::Ok)];
        assert_eq!(kinds(&t.update(&bad, 0))[0].0, AlertKind::Interception);
        t.reannounce();
        assert_eq!(
            kinds(&t.update(&ok, 60)),
            [(AlertKind::Resolved, vec!["chatgpt".into()])]
        );
        assert_eq!(t.paused_until(60), None);
        t.pause(100);
        assert_eq!((t.paused_until(60), t.paused_until(100)), (Some(100), None));
        t.resume();
        assert_eq!(t.paused_until(60), None);
    }

    fn alert(at: i64, kind: AlertKind, services: &[&str]) -> Record {
        Record::Alert {
            at,
            kind,
            services: services.iter().map(ToString::to_string).collect(),
            summary: String::new(),
            shown: true,
        }
    }

    #[test]
    fn rebuilds_incidents_from_alerts() {
        let day = 24 * 3600;
        let now = 30 * day;
        let records = [
            alert(now - 20 * day, AlertKind::Interception, &["wechat"]),
            alert(now - 19 * day, AlertKind::Resolved, &["wechat"]),
            alert(
                now - 3 * day,
                AlertKind::Interception,
                &["wechat", "chatgpt"],
            ),
            alert(now - 3 * day + 60, AlertKind::Resolved, &["wechat"]),
            alert(now - 2 * day, AlertKind::Resolved, &["chatgpt"]),
            alert(now - 100, AlertKind::CaptivePortal, &["qq"]),
        ];
        let recent = past_incidents(&records, now);
        assert_eq!(
            recent,
            [
                PastIncident {
                    kind: PastKind::CaptivePortal,
                    started: now - 100,
                    ended: None,
                    services: vec!["qq".into()],
                },
                PastIncident {
                    kind: PastKind::Interception,
                    started: now - 3 * day,
                    ended: Some(now - 2 * day),
                    services: vec!["wechat".into(), "chatgpt".into()],
                },
            ]
        );
    }

    #[test]
    fn an_announcement_again_continues_the_incident() {
        // "Check now" announces an open interception again; a network
        // change adds a service to it.
        let records = [
            alert(100, AlertKind::Interception, &["wechat", "chatgpt"]),
            alert(200, AlertKind::Interception, &["wechat", "chatgpt"]),
            alert(300, AlertKind::Interception, &["qq", "chatgpt"]),
            alert(400, AlertKind::Suspicious, &["slack"]),
        ];
        let recent = past_incidents(&records, 500);
        assert_eq!(
            recent,
            [
                PastIncident {
                    kind: PastKind::Suspicious,
                    started: 400,
                    ended: None,
                    services: vec!["slack".into()],
                },
                PastIncident {
                    kind: PastKind::Interception,
                    started: 100,
                    ended: None,
                    services: vec!["wechat".into(), "chatgpt".into(), "qq".into()],
                },
            ]
        );
        // Resolved one by one, it ends with its last service.
        let mut more = records.to_vec();
        more.push(alert(600, AlertKind::Resolved, &["wechat", "chatgpt"]));
        assert_eq!(past_incidents(&more, 700)[1].ended, None);
        more.push(alert(800, AlertKind::Resolved, &["qq"]));
        assert_eq!(past_incidents(&more, 900)[1].ended, Some(800));
    }

    #[test]
    fn a_sanctioned_interceptor_is_never_announced_another_one_is() {
        let mut t = Tracker::default();
        let mut office = result("chatgpt", "chatgpt.com", Verdict::Intercepted);
        office.sanctioned = Some(crate::analysis::Sanction {
            key: "office".into(),
            note: "Office TLS gateway".into(),
        });
        assert!(t.update(std::slice::from_ref(&office), 0).is_empty());
        assert_eq!(t.worst(), None, "no open incident for it");
        let other = result("wechat", "wx.qq.com", Verdict::Intercepted);
        assert_eq!(
            kinds(&t.update(&[office, other], 60)),
            [(AlertKind::Interception, vec!["wechat".into()])]
        );
    }

    #[test]
    fn several_services_share_one_notification_per_kind() {
        let mut t = Tracker::default();
        let r = [
            result("wechat", "wx.qq.com", Verdict::Intercepted),
            result("qq", "qq.com", Verdict::Intercepted),
            result("chatgpt", "chatgpt.com", Verdict::Suspicious),
        ];
        assert_eq!(
            kinds(&t.update(&r, 0)),
            [
                (AlertKind::Interception, vec!["qq".into(), "wechat".into()]),
                (AlertKind::Suspicious, vec!["chatgpt".into()])
            ]
        );
    }
}
