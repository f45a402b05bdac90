//! The agent's loop: check at start, on network changes (debounced) and on
//! a schedule, and when the user asks; sleep otherwise. Each cycle is
//! journalled, turned into alerts by the incident tracker, shown as
//! notifications, and reflected in the tray and the details page.

use std::path::PathBuf;

use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until};

use super::config::AgentConfig;
use super::desktop::UserCommand;
use super::desktop::netwatch::NetWatch;
use super::incidents::Tracker;
use super::journal::Journal;
use super::wording::{self, TrayState};
use crate::analysis::Assessment;
use crate::check::{self, Judge, Plan};
use crate::i18n::Lang;
use crate::journal::{NoticeKind, Record, Trigger};
use crate::report::{self, Report};
use crate::util::{local_time, now};

/// Everything the agent runs with.
pub struct Agent {
    /// Settings.
    pub config: AgentConfig,
    /// What to check.
    pub plan: Plan,
    /// Stores and knowledge.
    pub judge: Judge,
    /// Language of notifications and the tray.
    pub lang: Lang,
    /// The history journal.
    pub journal: Journal,
    /// Where the details page is written.
    pub report_path: PathBuf,
    /// The config files looked for (system, then the user's), for the
    /// start line when none exists.
    pub config_searched: Vec<PathBuf>,
    /// Knowledge updates (`None`: a pins directory, which no bundle replaces).
    pub updates: Option<super::updates::KnowledgeUpdates>,
}

/// How long to wait before registering the tray item again after its
/// registration failed (a panel that is still starting).
const TRAY_RETRY: std::time::Duration = std::time::Duration::from_secs(2);

/// How long the agent waits for a tray host (a panel starting after it at
/// login) before it says that nothing shows its icon.
const TRAY_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

/// What the agent has said about a desktop that lacks a part, so it says
/// each once.
#[derive(Debug, Default)]
struct Said {
    no_tray: bool,
    no_notifications: bool,
}

#[cfg(any(target_os = "linux", windows))]
type Tray = super::desktop::tray::TrayHandle;
#[cfg(not(any(target_os = "linux", windows)))]
type Tray = ();

/// How long `agent --once` keeps the icon of an alert it showed as a
/// balloon (Windows without toasts): the balloon goes with its icon, and
/// Wine draws it 2 s after it is asked for, for at least 10 s.
const BALLOON_LINGER: std::time::Duration = std::time::Duration::from_secs(20);

/// A line on stderr; a closed or full stderr is not an error (the agent
/// keeps watching, and `--once` keeps its verdict's exit code).
fn log(message: &str) {
    crate::util::inert::to_stderr(&format!("pinwatch agent: {message}"));
}

/// The config file in use, or the defaults and where a file was looked for.
fn config_source(path: Option<&std::path::Path>, searched: &[PathBuf]) -> String {
    match path {
        Some(p) => p.display().to_string(),
        None if searched.is_empty() => "defaults (no file)".to_string(),
        None => format!(
            "defaults (no file at {})",
            searched
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    }
}

/// The incident state `agent --once` left at `path`; a fresh one when there
/// is none or it cannot be read (said on stderr).
fn load_tracker(path: &std::path::Path) -> Tracker {
    const STATE_FILE: crate::util::Cap = crate::util::Cap {
        bytes: 4 * 1024 * 1024,
        what: "the agent's incident state",
    };
    match crate::util::read_capped_string(path, STATE_FILE) {
        Ok(text) => Tracker::from_json(&text).unwrap_or_else(|| {
            log(&format!(
                "{}: not an incident state; starting afresh",
                path.display()
            ));
            Tracker::default()
        }),
        Err(e) if !path.exists() => {
            let _ = e;
            Tracker::default()
        }
        Err(e) => {
            log(&format!("{e}; starting afresh"));
            Tracker::default()
        }
    }
}

/// Saves the incident state for the next `agent --once`, atomically
/// ([`crate::util::write_atomically`]).
fn save_tracker(path: &std::path::Path, tracker: &Tracker) {
    let json = tracker.to_json();
    let written = crate::util::write_atomically(path, |out| out.write_all(json.as_bytes()));
    if let Err(e) = written {
        log(&format!(
            "{}: cannot save the incident state: {e}",
            path.display()
        ));
    }
}

/// Runs the agent until Quit, SIGINT or SIGTERM (or after one cycle with
/// `once`). Returns the exit code of the last cycle's results (0 after
/// Quit).
pub async fn run(mut agent: Agent, once: bool) -> i32 {
    let (commands, mut user) = mpsc::unbounded_channel::<UserCommand>();
    let mut tray = if agent.config.tray && !once {
        start_tray(agent.lang, commands.clone()).await
    } else {
        None
    };
    let mut net = if once {
        None
    } else {
        match NetWatch::start().await {
            Ok(w) => Some(w),
            Err(e) => {
                log(&format!(
                    "network changes cannot be watched ({e}); checking on the schedule only"
                ));
                None
            }
        }
    };
    log(&format!(
        "{} target(s), config {}, journal {}",
        agent.plan.targets.len(),
        config_source(agent.config.path.as_deref(), &agent.config_searched),
        agent.journal.path().display()
    ));
    // `--once` from a timer or cron: the incidents of the last run carry
    // over, so an incident is announced once and its end is announced too.
    let state_path = agent.journal.path().with_file_name("incidents.json");
    let mut tracker = if once {
        load_tracker(&state_path)
    } else {
        Tracker::default()
    };
    let mut trigger = Trigger::Start;
    let mut terminate = terminate_signal();
    let mut tray_retry: Option<Instant> = None;
    let mut tray_failures: u32 = 0;
    let mut tray_missing: Option<Instant> = None;
    let mut said = Said::default();
    if agent.config.notifications && !once {
        if let Err(e) = notification_service().await {
            say_no_notifications(&mut agent, &mut said, &e);
        }
    }
    loop {
        let listening = (!once).then_some(&commands);
        let (code, last) = cycle(
            &mut agent,
            &mut tracker,
            &mut tray,
            trigger,
            listening,
            &mut said,
        )
        .await;
        if once {
            save_tracker(&state_path, &tracker);
            // Only a balloon makes an icon in `--once`: keep it on screen.
            if let Some(t) = tray.take() {
                log(&format!(
                    "keeping the alert on screen for {} s",
                    BALLOON_LINGER.as_secs()
                ));
                tokio::select! {
                    () = tokio::time::sleep(BALLOON_LINGER) => {}
                    () = &mut terminate => {}
                }
                shutdown_tray(Some(t)).await;
            }
            return code;
        }
        let next = Instant::now() + agent.config.interval;
        let mut debounce: Option<Instant> = None;
        trigger = loop {
            tokio::select! {
                () = sleep_until(next) => break Trigger::Schedule,
                () = sleep_until(debounce.unwrap_or(next)), if debounce.is_some() => break Trigger::Network,
                () = sleep_until(tray_missing.unwrap_or(next)), if tray_missing.is_some() => {
                    tray_missing = None;
                    say_no_tray(&mut agent, &mut said).await;
                }
                () = sleep_until(tray_retry.unwrap_or(next)), if tray_retry.is_some() => {
                    tray_retry = None;
                    tray = start_tray(agent.lang, commands.clone()).await;
                    show_state(tray.as_ref(), agent.lang, &last, tracker.paused_until(now())).await;
                }
                change = net_change(&mut net) => {
                    log(&format!("network changed ({change}); checking in {:?}", agent.config.debounce));
                    debounce = Some(Instant::now() + agent.config.debounce);
                }
                Some(command) = user.recv() => match command {
                    UserCommand::CheckNow => {
                        tracker.reannounce();
                        break Trigger::User;
                    }
                    UserCommand::ShowDetails => open_details(&agent.report_path),
                    UserCommand::Pause => {
                        let until = now() + 3600;
                        tracker.pause(until);
                        log(&format!("alerts paused until {}", local_time(until)));
                        show_state(tray.as_ref(), agent.lang, &last, Some(until)).await;
                    }
                    UserCommand::Resume => {
                        tracker.resume();
                        log("alerts resumed");
                        show_state(tray.as_ref(), agent.lang, &last, None).await;
                    }
                    UserCommand::TrayOffline => {
                        if tray_missing.is_none() && !said.no_tray {
                            tray_missing = Some(Instant::now() + TRAY_GRACE);
                        }
                    }
                    UserCommand::TrayOnline => {
                        tray_missing = None;
                        if std::mem::take(&mut said.no_tray) {
                            log("a tray host appeared: the icon shows now");
                        }
                    }
                    UserCommand::TrayLost => {
                        // Back off (2 s, 4 s, ... 5 min) so a broken panel costs no wakeups.
                        let delay = TRAY_RETRY.saturating_mul(1 << tray_failures.min(8)).min(std::time::Duration::from_secs(300));
                        tray_failures += 1;
                        log(&format!("the tray item could not register; trying again in {delay:?}"));
                        tray = None;
                        tray_retry = Some(Instant::now() + delay);
                    }
                    UserCommand::Quit => {
                        // The user's choice, not a failure: exit 0, so a
                        // supervisor (the systemd user unit) does not
                        // start it again.
                        log("quit from the tray");
                        shutdown_tray(tray).await;
                        return 0;
                    }
                },
                () = &mut terminate => {
                    log("stopping");
                    shutdown_tray(tray).await;
                    return code;
                }
            }
        };
    }
}

/// One check cycle: journal, alerts, tray, details page. `commands` is the
/// loop's channel, for the notifications' "Show details" (none with
/// `--once`: nothing would be listening).
async fn cycle(
    agent: &mut Agent,
    tracker: &mut Tracker,
    tray_slot: &mut Option<Tray>,
    trigger: Trigger,
    commands: Option<&mpsc::UnboundedSender<UserCommand>>,
    said: &mut Said,
) -> (i32, Vec<Assessment>) {
    set_tray(
        tray_slot.as_ref(),
        TrayState::Checking,
        agent.lang.tr("tray-checking"),
        String::new(),
        tracker.is_paused(now()),
    )
    .await;
    if let Some(updates) = agent.updates.as_mut() {
        updates
            .before_cycle(&mut agent.judge, &mut agent.plan, trigger)
            .await;
    }
    let at = now();
    // Re-read this machine's roots: one installed since the last cycle matters.
    agent.judge.reload_system();
    let results = check::run(&agent.plan, &agent.judge, at).await;
    let mut records = vec![Record::Cycle { at, trigger }];
    records.extend(results.iter().map(|a| Record::check(at, a)));
    let alerts = tracker.update(&results, at);
    for alert in &alerts {
        let notice = wording::notice(agent.lang, alert);
        let shown = if agent.config.notifications {
            let details = commands.map(|c| details_action(agent.lang, c.clone()));
            match show_notice(notice.clone(), details).await {
                Ok(()) => true,
                Err(e) => {
                    log(&format!("cannot show a notification: {e}"));
                    let shown = balloon(agent, tray_slot, commands.is_none(), &notice).await;
                    if !shown && commands.is_some() {
                        say_no_notifications(agent, said, &e);
                    }
                    shown
                }
            }
        } else {
            false
        };
        records.push(Record::Alert {
            at,
            kind: alert.kind,
            services: alert.subjects.iter().map(|s| s.key.clone()).collect(),
            summary: notice.summary,
            shown,
        });
    }
    match agent.journal.append(&records) {
        Ok(()) => {}
        Err(e) => log(&format!(
            "cannot write the journal {}: {e}",
            agent.journal.path().display()
        )),
    }
    let code = check::exit_code(&results);
    // The page first: the "checked" line says the cycle is done.
    write_details(agent, &results, at, code);
    let summary = report::Summary::of(&results);
    log(&format!(
        "checked ({}): {} ok, {} suspicious, {} intercepted, {} captive portal, {} unreachable; {} alert(s); journal +{}",
        trigger.as_str(),
        summary.ok,
        summary.suspicious,
        summary.intercepted,
        summary.captive_portal,
        summary.unreachable,
        alerts.len(),
        records.len()
    ));
    show_state(
        tray_slot.as_ref(),
        agent.lang,
        &results,
        tracker.paused_until(at),
    )
    .await;
    (code, results)
}

/// Where toasts are missing (Windows 7, Wine), the alert as a balloon on
/// the tray icon (the same title and body); `agent --once` (`once`) makes
/// an icon for it. Whether it was shown.
#[cfg(windows)]
async fn balloon(
    agent: &Agent,
    tray: &mut Option<Tray>,
    once: bool,
    notice: &wording::Notice,
) -> bool {
    if !agent.config.tray {
        return false;
    }
    let made = tray.is_none() && once;
    if made {
        // Nothing listens to the menu of a single check's icon.
        let (commands, _) = mpsc::unbounded_channel();
        match super::desktop::tray::start(agent.lang, commands).await {
            Ok(t) => *tray = Some(t),
            Err(e) => {
                log(&format!(
                    "cannot show the alert as a tray balloon either: no tray icon ({e})"
                ));
                return false;
            }
        }
    }
    let Some(t) = tray.as_ref() else {
        return false;
    };
    match t.balloon(notice).await {
        Ok(()) => {
            log("the alert is shown as a balloon on the tray icon instead");
            true
        }
        Err(e) => {
            log(&format!(
                "cannot show the alert as a tray balloon either: {e}"
            ));
            // An icon made for nothing goes (and `--once` does not linger).
            if made {
                shutdown_tray(tray.take()).await;
            }
            false
        }
    }
}

/// Other platforms have no balloons.
#[cfg(not(windows))]
async fn balloon(
    _agent: &Agent,
    _tray: &mut Option<Tray>,
    _once: bool,
    _notice: &wording::Notice,
) -> bool {
    false
}

fn write_details(agent: &Agent, results: &[Assessment], at: i64, exit_code: i32) {
    let report = Report {
        results,
        warnings: &[],
        checked_at: at,
        exit_code,
    };
    let recent = recent_incidents(agent.journal.path(), at);
    let context = report::html::Context {
        network: super::route::network(),
        recent: &recent,
        platform: report::html::Platform::default(),
    };
    let written = crate::util::write_atomically(&agent.report_path, |out| {
        report::html::render(&report, agent.lang, &context, out)
    });
    if let Err(e) = written {
        log(&format!(
            "cannot write {}: {e}",
            agent.report_path.display()
        ));
    }
}

/// The incidents of the last week from the journal's alert records (only
/// those are kept while reading); none when the journal cannot be read
/// (said on stderr).
fn recent_incidents(path: &std::path::Path, now: i64) -> Vec<report::html::PastIncident> {
    let skipped = std::cell::Cell::new(0);
    let records = match crate::journal::Records::open(path, &skipped) {
        Ok(records) => records,
        Err(e) => {
            log(&format!(
                "cannot read the journal for the details page: {e}"
            ));
            return Vec::new();
        }
    };
    let mut alerts = Vec::new();
    for record in records {
        match record {
            Ok(r @ Record::Alert { .. }) => alerts.push(r),
            Ok(_) => {}
            Err(e) => {
                log(&format!(
                    "cannot read the journal for the details page: {e}"
                ));
                break;
            }
        }
    }
    super::incidents::past_incidents(&alerts, now)
}

/// The notification's "Show details" button: it asks the loop to open the
/// details page, as the tray's menu item does.
fn details_action(
    lang: Lang,
    commands: mpsc::UnboundedSender<UserCommand>,
) -> super::desktop::notify::Details {
    super::desktop::notify::Details {
        label: lang.tr("alert-show-details"),
        open: Box::new(move || {
            let _ = commands.send(UserCommand::ShowDetails);
        }),
    }
}

async fn show_notice(
    notice: wording::Notice,
    details: Option<super::desktop::notify::Details>,
) -> Result<(), String> {
    tokio::task::spawn_blocking(move || super::desktop::notify::show(&notice, details))
        .await
        .unwrap_or_else(|e| Err(e.to_string()))
}

/// Whether the session has a notification service (it answers
/// GetCapabilities); its error in words when not.
async fn notification_service() -> Result<(), String> {
    tokio::task::spawn_blocking(super::desktop::notify::capabilities)
        .await
        .unwrap_or_else(|e| Err(e.to_string()))
        .map(drop)
}

/// Says once, on stderr and in the journal, that no notification can be
/// shown; the agent keeps checking.
fn say_no_notifications(agent: &mut Agent, said: &mut Said, error: &str) {
    if std::mem::replace(&mut said.no_notifications, true) {
        return;
    }
    let message = agent
        .lang
        .tr_args("agent-no-notifications", &[("error", error.to_string())]);
    note(agent, NoticeKind::NoNotifications, &message);
}

/// Says once, on stderr, in the journal and as a notification (when one
/// can be shown), that nothing shows the tray icon; the agent keeps
/// checking.
async fn say_no_tray(agent: &mut Agent, said: &mut Said) {
    if std::mem::replace(&mut said.no_tray, true) {
        return;
    }
    let message = agent.lang.tr("agent-no-tray");
    note(agent, NoticeKind::NoTray, &message);
    if agent.config.notifications && !said.no_notifications {
        let notice = wording::Notice {
            summary: agent.lang.tr("agent-no-tray-title"),
            body: vec![message],
            urgency: wording::Urgency::Normal,
            persistent: false,
        };
        if let Err(e) = show_notice(notice, None).await {
            log(&format!("cannot show a notification: {e}"));
        }
    }
}

/// A line on stderr and a `notice` record in the journal.
fn note(agent: &mut Agent, what: NoticeKind, message: &str) {
    log(message);
    let record = Record::Notice {
        at: now(),
        what,
        message: message.to_string(),
    };
    if let Err(e) = agent.journal.append(&[record]) {
        log(&format!(
            "cannot write the journal {}: {e}",
            agent.journal.path().display()
        ));
    }
}

async fn show_state(
    tray: Option<&Tray>,
    lang: Lang,
    results: &[Assessment],
    paused_until: Option<i64>,
) {
    let state = TrayState::of(results).paused(paused_until.is_some());
    let text = wording::tray_text(lang, state, results);
    let mut detail = lang.tr_args("tray-last-check", &[("time", local_time(now()))]);
    if let Some(until) = paused_until {
        detail = format!(
            "{detail}\n{}",
            lang.tr_args("tray-paused", &[("time", local_time(until))])
        );
    }
    set_tray(tray, state, text, detail, paused_until.is_some()).await;
}

#[cfg(any(target_os = "linux", windows))]
async fn start_tray(lang: Lang, commands: mpsc::UnboundedSender<UserCommand>) -> Option<Tray> {
    match super::desktop::tray::start(lang, commands).await {
        Ok(t) => Some(t),
        Err(e) => {
            log(&format!("no tray icon ({e}); alerts still work"));
            None
        }
    }
}

#[cfg(not(any(target_os = "linux", windows)))]
async fn start_tray(_lang: Lang, _commands: mpsc::UnboundedSender<UserCommand>) -> Option<Tray> {
    log("the tray icon is not implemented on this platform yet; alerts still work");
    None
}

#[cfg(any(target_os = "linux", windows))]
async fn set_tray(
    tray: Option<&Tray>,
    state: TrayState,
    text: String,
    detail: String,
    paused: bool,
) {
    if let Some(t) = tray {
        t.set(state, text, detail, paused).await;
    }
}

#[cfg(not(any(target_os = "linux", windows)))]
async fn set_tray(
    _tray: Option<&Tray>,
    _state: TrayState,
    _text: String,
    _detail: String,
    _paused: bool,
) {
}

#[cfg(any(target_os = "linux", windows))]
async fn shutdown_tray(tray: Option<Tray>) {
    if let Some(t) = tray {
        t.shutdown().await;
    }
}

#[cfg(not(any(target_os = "linux", windows)))]
async fn shutdown_tray(_tray: Option<Tray>) {}

async fn net_change(net: &mut Option<NetWatch>) -> String {
    match net {
        Some(w) => w.changed().await,
        None => std::future::pending().await,
    }
}

/// Resolves on SIGINT or (on Unix) SIGTERM.
fn terminate_signal() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
    Box::pin(async {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            if let Ok(mut term) = signal(SignalKind::terminate()) {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
                return;
            }
        }
        let _ = tokio::signal::ctrl_c().await;
    })
}

/// Opens the details page in the user's browser. The opener is waited
/// for on a thread of its own, so it never lingers as a zombie.
fn open_details(path: &std::path::Path) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        // Opens the file with its default program: the default browser.
        "explorer"
    } else {
        "xdg-open"
    };
    let mut child = match std::process::Command::new(opener)
        .arg(path)
        .stdin(std::process::Stdio::null())
        .spawn()
    {
        Ok(child) => child,
        Err(e) => {
            log(&format!(
                "cannot open {} with {opener}: {e}",
                path.display()
            ));
            return;
        }
    };
    let reaper = std::thread::Builder::new()
        .name("pinwatch-opener".into())
        .spawn(move || match child.wait() {
            Ok(status) if !status.success() => log(&format!("{opener} ended with {status}")),
            Ok(_) => {}
            Err(e) => log(&format!("waiting for {opener}: {e}")),
        });
    if let Err(e) = reaper {
        log(&format!("cannot wait for {opener}: {e}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_where_it_looked_for_a_config() {
        let searched = [
            PathBuf::from("/etc/pinwatch/config.toml"),
            PathBuf::from("/home/u/.config/pinwatch/config.toml"),
        ];
        assert_eq!(
            config_source(None, &searched),
            "defaults (no file at /etc/pinwatch/config.toml or /home/u/.config/pinwatch/config.toml)"
        );
        assert_eq!(
            config_source(Some(std::path::Path::new("/x/config.toml")), &searched),
            "/x/config.toml"
        );
    }
}
