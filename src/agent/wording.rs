//! The layout of what the agent says: each notification's title and body
//! lines, and the tray's tooltip, in the user's language. The sentences
//! come from `report::incident` (the one owner of an incident's words);
//! this module chooses which of them fit where. Pure, so tests can assert
//! the words.
//!
//! A notification must be read in five seconds and never be cut off with
//! the notification servers' default settings. Their limits:
//! - GNOME Shell shows one line of the body in a banner and at most 6
//!   lines once expanded (`DEFAULT_EXPAND_LINES` in js/ui/messageList.js),
//!   and one line of title;
//! - KDE Plasma's popups show at most 8 lines of body (`maximumLineCount`
//!   in applets/notifications/NotificationPopup.qml), about 18 grid units
//!   (roughly 50 Latin characters) wide;
//! - dunst's default dunstrc draws at most 300x300 pixels in Monospace 8:
//!   about 42 columns and 20 lines before it ellipsizes.
//!
//! So the body's first line is the action (what GNOME's one-line banner
//! shows), and the whole body stays within [`BODY_ROWS`] rows of
//! [`BODY_COLUMNS`] columns (CJK characters counting two): GNOME's 6
//! expanded lines are about 58 columns wide, KDE's 8 about 50, and in
//! dunst's 42 columns it takes at most 9 of its 20 lines.

use unicode_width::UnicodeWidthChar;

use crate::agent::incidents::{Alert, AlertKind, Subject};
use crate::analysis::incident::{Incident, incidents};
use crate::analysis::{Assessment, Verdict};
use crate::i18n::Lang;
use crate::report::incident;

/// The width, in terminal columns, the body is measured at (CJK: 2).
pub const BODY_COLUMNS: usize = 50;

/// The most rows of [`BODY_COLUMNS`] the body may take.
pub const BODY_ROWS: usize = 6;

/// How insistent a notification is (the freedesktop urgency levels).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Urgency {
    /// Informational: a resolution.
    Low,
    /// Needs attention: suspicious, captive portal, a test.
    Normal,
    /// Interception.
    Critical,
}

/// A notification's text, before it is made inert for the server (the
/// title always as plain text, the body as markup or plain text, as the
/// server renders it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// Title line.
    pub summary: String,
    /// Body, one paragraph a line.
    pub body: Vec<String>,
    /// Urgency.
    pub urgency: Urgency,
    /// It stays until the user closes it (an interception).
    pub persistent: bool,
}

/// The names of `subjects`, at most [`incident::NAMES_SHOWN`] of them, then
/// "and N more".
fn names(lang: Lang, subjects: &[Subject]) -> String {
    let all: Vec<String> = subjects
        .iter()
        .map(|s| lang.pick(&s.name, &s.name_zh).to_string())
        .collect();
    incident::join_capped(lang, &all, incident::NAMES_SHOWN)
}

/// The notification for `alert`.
pub fn notice(lang: Lang, alert: &Alert) -> Notice {
    let args = [("services", names(lang, &alert.subjects))];
    match alert.kind {
        AlertKind::Interception => {
            let results: Vec<Assessment> =
                alert.subjects.iter().map(|s| (*s.result).clone()).collect();
            interception(lang, &incidents(&results), &[])
        }
        // This machine's clock, not the network: say so, and what to do.
        AlertKind::Suspicious
            if alert.subjects.iter().any(|s| {
                s.result
                    .reasons
                    .contains(&crate::analysis::Reason::ClockSuspect)
            }) =>
        {
            Notice {
                summary: lang.tr("alert-clock-summary"),
                body: vec![lang.tr("todo-clock")],
                urgency: Urgency::Normal,
                persistent: false,
            }
        }
        AlertKind::Suspicious => Notice {
            summary: lang.tr_args("alert-suspicious-summary", &args),
            body: vec![lang.tr("alert-suspicious-body")],
            urgency: Urgency::Normal,
            persistent: false,
        },
        AlertKind::CaptivePortal => Notice {
            summary: lang.tr("alert-portal-summary"),
            body: vec![lang.tr_args("alert-portal-body", &args)],
            urgency: Urgency::Normal,
            persistent: false,
        },
        AlertKind::Resolved => Notice {
            summary: lang.tr_args("alert-resolved-summary", &args),
            body: vec![lang.tr("alert-resolved-body")],
            urgency: Urgency::Low,
            persistent: false,
        },
    }
}

/// `notify-test`'s sample: the interception notice for `found`, marked as
/// a test in its title and its last line, at normal urgency, not
/// persistent, and within the same limits.
pub fn test_notice(lang: Lang, found: &[Incident]) -> Notice {
    let note = lang.tr("notify-test-note");
    let mut notice = interception(lang, found, std::slice::from_ref(&note));
    notice.summary = lang.tr_args("notify-test-title", &[("title", notice.summary)]);
    notice.urgency = Urgency::Normal;
    notice.persistent = false;
    notice
}

/// An interception: what and where in the title; the action for this place
/// first, then the services grouped by what is exposed (at most
/// [`incident::NAMES_SHOWN`] named), then `tail`; exposure lines that do
/// not fit are left out, least exposed first.
fn interception(lang: Lang, found: &[Incident], tail: &[String]) -> Notice {
    let Some(first) = found.first() else {
        return Notice {
            summary: lang.tr("title-unknown"),
            body: tail.to_vec(),
            urgency: Urgency::Critical,
            persistent: true,
        };
    };
    let mut actions: Vec<String> = Vec::new();
    for one in found {
        let action = incident::action(lang, one);
        if !actions.contains(&action) {
            actions.push(action);
        }
    }
    // The services of every interceptor in this alert, grouped together.
    let mut all = first.clone();
    for other in &found[1..] {
        all.services.extend(other.services.iter().cloned());
        all.other_targets
            .extend(other.other_targets.iter().cloned());
    }
    // The most exposure groups that fit, then the most names (up to
    // NAMES_SHOWN); the least exposed group goes first when none fits.
    let groups = incident::exposure_groups(lang, &all);
    let body = |lines: Vec<String>| -> Vec<String> {
        actions
            .iter()
            .cloned()
            .chain(lines)
            .chain(tail.iter().cloned())
            .collect()
    };
    let mut chosen = body(Vec::new());
    'fit: for shown in (1..=groups.len()).rev() {
        for budget in (shown..=incident::NAMES_SHOWN.max(shown)).rev() {
            let lines = body(incident::group_lines(lang, &groups[..shown], budget));
            if rows(&lines) <= BODY_ROWS {
                chosen = lines;
                break 'fit;
            }
        }
    }
    Notice {
        summary: incident::title(lang, first),
        body: chosen,
        urgency: Urgency::Critical,
        persistent: true,
    }
}

/// How many rows of [`BODY_COLUMNS`] `lines` take when wrapped at spaces
/// (and anywhere between CJK characters), as the servers wrap them.
pub fn rows(lines: &[String]) -> usize {
    lines.iter().map(|l| wrapped_rows(l, BODY_COLUMNS)).sum()
}

fn wrapped_rows(line: &str, columns: usize) -> usize {
    let mut rows = 1;
    let mut used = 0;
    // Words: a run of non-space Latin text, or a single wide character.
    let mut word = 0;
    let flush = |word: &mut usize, used: &mut usize, rows: &mut usize| {
        if *word == 0 {
            return;
        }
        if *used > 0 && *used + *word > columns {
            *rows += 1;
            *used = 0;
        }
        // A word longer than a row breaks anywhere.
        while *word > columns {
            *word -= columns;
            *rows += 1;
        }
        *used += *word;
        *word = 0;
    };
    for c in line.chars() {
        let width = c.width().unwrap_or(0);
        if c == ' ' {
            flush(&mut word, &mut used, &mut rows);
            if used > 0 && used < columns {
                used += 1;
            }
        } else if width > 1 {
            flush(&mut word, &mut used, &mut rows);
            word = width;
            flush(&mut word, &mut used, &mut rows);
        } else {
            word += width;
        }
    }
    flush(&mut word, &mut used, &mut rows);
    rows
}

/// The overall state the tray shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrayState {
    /// Every reachable service shows its genuine certificate.
    AllClear,
    /// Connections are intercepted by an interceptor the administrator
    /// runs on purpose (`sanctioned`), and by no other: calm, persistent,
    /// never all clear.
    Sanctioned,
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
    /// Alerts are paused and nothing needs attention.
    Paused,
}

impl TrayState {
    /// The state after a cycle with these results: that of their overall
    /// standing ([`Verdict::overall`] of [`Assessment::standing`], the one
    /// severity ranking), where an interception by a sanctioned
    /// interceptor weighs as ok but shows as [`TrayState::Sanctioned`]:
    /// any other interceptor, suspicious certificate or portal wins.
    pub fn of(results: &[Assessment]) -> TrayState {
        match Verdict::overall(results.iter().map(Assessment::standing)) {
            Some(Verdict::Intercepted) => TrayState::Intercepted,
            Some(Verdict::Suspicious) => TrayState::Suspicious,
            Some(Verdict::CaptivePortal) => TrayState::Portal,
            Some(Verdict::Ok) if results.iter().any(is_sanctioned) => TrayState::Sanctioned,
            Some(Verdict::Ok) => TrayState::AllClear,
            Some(Verdict::Unreachable) | None => TrayState::Offline,
        }
    }

    /// The state to show while alerts are paused (`paused`): a calm state
    /// shows the pause; anything that needs attention still shows itself,
    /// and so does a sanctioned interceptor (it never alerts anyway, and
    /// the pause would hide that the organisation inspects).
    pub fn paused(self, paused: bool) -> TrayState {
        match self {
            TrayState::AllClear | TrayState::Offline if paused => TrayState::Paused,
            other => other,
        }
    }

    /// Every state, for the icon tests and `generate icons`.
    pub const ALL: [TrayState; 8] = [
        TrayState::AllClear,
        TrayState::Sanctioned,
        TrayState::Suspicious,
        TrayState::Intercepted,
        TrayState::Portal,
        TrayState::Checking,
        TrayState::Offline,
        TrayState::Paused,
    ];

    /// A stable name (icon file names, logs).
    pub fn as_str(self) -> &'static str {
        match self {
            TrayState::AllClear => "all-clear",
            TrayState::Sanctioned => "sanctioned",
            TrayState::Suspicious => "suspicious",
            TrayState::Intercepted => "intercepted",
            TrayState::Portal => "portal",
            TrayState::Checking => "checking",
            TrayState::Offline => "offline",
            TrayState::Paused => "paused",
        }
    }
}

/// The tray's tooltip line for `state`: the state in words, with what and
/// where for an interception (the notification's title) and the services
/// (named up to [`incident::NAMES_SHOWN`]) where it matters.
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
        TrayState::Sanctioned => {
            let inspected: Vec<&Assessment> = results.iter().filter(|a| is_sanctioned(a)).collect();
            lang.tr_args(
                "tray-sanctioned",
                &[
                    ("note", incident::sanction_notes(lang, &inspected)),
                    ("services", inspected_services(lang, &inspected)),
                ],
            )
        }
        TrayState::Suspicious => lang.tr_args("tray-suspicious", &named(Verdict::Suspicious)),
        TrayState::Intercepted => incidents(results).first().map_or_else(
            || lang.tr("title-unknown"),
            |found| incident::title(lang, found),
        ),
        TrayState::Portal => lang.tr("tray-portal"),
        TrayState::Checking => lang.tr("tray-checking"),
        TrayState::Offline => lang.tr("tray-offline"),
        TrayState::Paused => lang.tr("tray-paused-state"),
    }
}

/// An interception by an interceptor the administrator sanctioned.
fn is_sanctioned(a: &Assessment) -> bool {
    a.verdict == Verdict::Intercepted && a.sanctioned.is_some()
}

/// The services (or targets) of `inspected`, named up to
/// [`incident::NAMES_SHOWN`].
fn inspected_services(lang: Lang, inspected: &[&Assessment]) -> String {
    let mut shown: Vec<String> = Vec::new();
    for a in inspected {
        let name = a.service.as_ref().map_or_else(
            || a.target.to_string(),
            |s| lang.pick(&s.display_name, &s.display_name_zh).to_string(),
        );
        if !shown.contains(&name) {
            shown.push(name);
        }
    }
    incident::join_capped(lang, &shown, incident::NAMES_SHOWN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Attribution, CertFacts, MatchedBy};
    use crate::knowledge::{Knowledge, load_embedded};
    use crate::observation::{Location, Place};
    use crate::target::Target;

    #[test]
    fn rows_wrap_at_spaces_and_between_wide_characters() {
        let s = |t: &str| vec![t.to_string()];
        assert_eq!(rows(&s("short")), 1);
        assert_eq!(
            rows(&s(&"word ".repeat(10))),
            1,
            "50 columns, the last a space"
        );
        assert_eq!(rows(&s(&"word ".repeat(11))), 2);
        assert_eq!(rows(&s(&"中".repeat(25))), 1);
        assert_eq!(rows(&s(&"中".repeat(26))), 2);
        assert_eq!(rows(&s(&"x".repeat(120))), 3, "a long word breaks anywhere");
        assert_eq!(rows(&[String::new(), "a".into()]), 2);
    }

    fn knowledge() -> Knowledge {
        load_embedded().expect("the built-in pins load")
    }

    /// Every built-in service intercepted by mitmproxy at `place`.
    fn everything_intercepted(k: &Knowledge, place: Option<Place>, proxy: bool) -> Vec<Assessment> {
        let product = k.interceptor("mitmproxy").expect("mitmproxy is known");
        k.services
            .iter()
            .map(|s| Assessment {
                service: Some(crate::analysis::service_info(s)),
                interceptor: Some(Attribution::of(product, MatchedBy::IssuerName, "x".into())),
                chain: vec![CertFacts {
                    issuer: "CN=mitmproxy, O=mitmproxy".into(),
                    ..CertFacts::default()
                }],
                issuer_key: Some("key".into()),
                via_proxy: proxy.then(|| "http://127.0.0.1:8080".to_string()),
                location: place.map(|place| Location {
                    place,
                    hops: Some(1),
                    method: crate::observation::LocateMethod::TtlTls,
                }),
                ..Assessment::bare(
                    Target::new(&s.hosts[0].name, 443).expect("a pins host"),
                    Verdict::Intercepted,
                )
            })
            .collect()
    }

    fn alert(results: &[Assessment]) -> Alert {
        Alert {
            kind: AlertKind::Interception,
            subjects: crate::agent::incidents::subjects(results),
        }
    }

    #[test]
    fn the_cafe_router_alert_leads_with_the_action_and_names_three_services() {
        let k = knowledge();
        let results = everything_intercepted(&k, Some(Place::LocalNetwork), false);
        let n = notice(Lang::En, &alert(&results));
        assert_eq!(
            n.summary,
            "This network is intercepting your encrypted connections"
        );
        assert_eq!(
            n.body[0],
            "Do not log in or chat on this network. Use mobile data or another network you trust, and tell the venue."
        );
        assert!(n.body[1].starts_with("Readable in full: "), "{n:#?}");
        assert!(n.body[1].ends_with(" more"), "{n:#?}");
        assert!(
            n.body[2].starts_with("Logins and files readable: "),
            "{n:#?}"
        );
        let named = n.body[1..]
            .iter()
            .map(|l| l.split(": ").nth(1).unwrap_or_default())
            .map(|names| names.split(" and ").next().unwrap_or_default())
            .map(|names| names.split(", ").count())
            .sum::<usize>();
        assert_eq!(named, 3, "three services by name: {n:#?}");
        assert_eq!((n.urgency, n.persistent), (Urgency::Critical, true));

        let zh = notice(Lang::Zh, &alert(&results));
        assert_eq!(zh.summary, "这个网络正在拦截你的加密连接");
        assert!(
            zh.body[0].starts_with("不要在这个网络上登录或聊天。"),
            "{zh:#?}"
        );
    }

    #[test]
    fn no_interception_notice_passes_the_servers_limits() {
        let k = knowledge();
        let places = [
            (Some(Place::LocalNetwork), false),
            (Some(Place::Upstream), false),
            (Some(Place::ThisDevice), false),
            (None, false),
            (None, true),
        ];
        for (place, proxy) in places {
            let results = everything_intercepted(&k, place, proxy);
            for count in [1, 2, 3, 5, results.len()] {
                for lang in [Lang::En, Lang::Zh] {
                    let a = alert(&results[..count]);
                    let real = notice(lang, &a);
                    let test = test_notice(lang, &incidents(&results[..count]));
                    for n in [&real, &test] {
                        assert!(
                            rows(&n.body) <= BODY_ROWS,
                            "{place:?} {proxy} {count} {lang:?}: {} rows: {n:#?}",
                            rows(&n.body)
                        );
                        assert!(n.body.len() >= 2, "an action and a service: {n:#?}");
                        assert!(!n.summary.contains('\n'));
                    }
                    assert_eq!(test.body.last(), Some(&lang.tr("notify-test-note")));
                    assert!(
                        test.summary.starts_with(if lang == Lang::En {
                            "Test: "
                        } else {
                            "测试："
                        }),
                        "{test:#?}"
                    );
                    assert_eq!((test.urgency, test.persistent), (Urgency::Normal, false));
                }
            }
        }
    }

    #[test]
    fn titles_name_at_most_three_services() {
        let k = knowledge();
        let mut results = everything_intercepted(&k, None, false);
        for r in &mut results {
            r.verdict = Verdict::Suspicious;
        }
        let a = Alert {
            kind: AlertKind::Suspicious,
            subjects: crate::agent::incidents::subjects(&results),
        };
        let n = notice(Lang::En, &a);
        assert!(n.summary.starts_with("Unexpected certificate: "), "{n:#?}");
        assert!(
            n.summary
                .ends_with(&format!("and {} more", results.len() - 3))
        );
    }

    #[test]
    fn a_wrong_clock_is_named_not_the_certificate() {
        let k = knowledge();
        let mut results = everything_intercepted(&k, None, false);
        results.truncate(2);
        for r in &mut results {
            r.verdict = Verdict::Suspicious;
            r.reasons = vec![crate::analysis::Reason::ClockSuspect];
        }
        let a = Alert {
            kind: AlertKind::Suspicious,
            subjects: crate::agent::incidents::subjects(&results),
        };
        for lang in [Lang::En, Lang::Zh] {
            let n = notice(lang, &a);
            assert_eq!(n.summary, lang.tr("alert-clock-summary"));
            assert_eq!(n.body, [lang.tr("todo-clock")]);
        }
    }

    /// Two services intercepted by the office's sanctioned gateway.
    fn inspected_by_the_office(k: &Knowledge) -> Vec<Assessment> {
        let mut results = everything_intercepted(k, Some(Place::LocalNetwork), false);
        results.truncate(2);
        for r in &mut results {
            r.sanctioned = Some(crate::analysis::Sanction {
                key: "office-key".into(),
                note: "Head office \u{1b}[2J gateway".into(),
            });
        }
        results
    }

    #[test]
    fn a_sanctioned_interceptor_is_a_calm_state_that_never_says_all_clear() {
        let k = knowledge();
        let office = inspected_by_the_office(&k);
        assert_eq!(TrayState::of(&office), TrayState::Sanctioned);
        assert_eq!(TrayState::Sanctioned.paused(true), TrayState::Sanctioned);
        let first = office[0].service.as_ref().map(|s| s.display_name.clone());
        let second = office[1].service.as_ref().map(|s| s.display_name.clone());
        let (first, second) = (first.unwrap_or_default(), second.unwrap_or_default());
        assert_eq!(
            tray_text(Lang::En, TrayState::Sanctioned, &office),
            format!(
                "Your organisation inspects these connections (Head office \\x1b[2J gateway): {first} and {second}"
            )
        );
        let zh = tray_text(Lang::Zh, TrayState::Sanctioned, &office);
        assert!(
            zh.starts_with("你所在的机构会检查这些连接（Head office \\x1b[2J gateway）："),
            "{zh}"
        );

        // Any other interceptor on the same cycle wins, and so does a
        // suspicious certificate or a portal.
        let mut other = everything_intercepted(&k, Some(Place::LocalNetwork), false);
        other.truncate(1);
        other[0].issuer_key = Some("someone-else".into());
        let both: Vec<Assessment> = office.iter().chain(&other).cloned().collect();
        assert_eq!(TrayState::of(&both), TrayState::Intercepted);
        assert_eq!(
            tray_text(Lang::En, TrayState::Intercepted, &both),
            "This network is intercepting your encrypted connections"
        );
        for (verdict, state) in [
            (Verdict::Suspicious, TrayState::Suspicious),
            (Verdict::CaptivePortal, TrayState::Portal),
            (Verdict::Ok, TrayState::Sanctioned),
            (Verdict::Unreachable, TrayState::Sanctioned),
        ] {
            let mut with = office.clone();
            with.push(Assessment::bare(
                Target::new("other.example", 443).expect("a host"),
                verdict,
            ));
            assert_eq!(TrayState::of(&with), state, "with one {verdict:?}");
        }
    }

    #[test]
    fn paused_shows_only_when_nothing_needs_attention() {
        assert_eq!(TrayState::AllClear.paused(true), TrayState::Paused);
        assert_eq!(TrayState::Offline.paused(true), TrayState::Paused);
        assert_eq!(TrayState::Intercepted.paused(true), TrayState::Intercepted);
        assert_eq!(TrayState::AllClear.paused(false), TrayState::AllClear);
    }
}
