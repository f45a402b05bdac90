//! The tray icon on Windows: a notification-area icon (the `tray-icon`
//! crate; its menu is muda's) with the same states, tooltip and menu as the
//! Linux tray (the shield of `agent::icon`, the words of `agent::wording`;
//! Check now, Show details, Pause alerts for 1 hour or Resume alerts,
//! Quit; a left click shows the details). A Win32 icon lives on the thread
//! that created it, which must run a message loop: the icon is made and
//! changed on a thread of its own running `pinwatch_win32`'s loop (winit's
//! spins under Wine), and the agent's loop hands it work through a channel
//! and the loop's waker. Menu clicks go straight to the agent's loop.
//!
//! The same icon shows the alert as a balloon where Windows has no toasts
//! (Windows 7, Wine): `pinwatch_win32::show_balloon` (tray-icon shows no
//! balloons).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, TryRecvError};

use pinwatch_win32::Waker;
use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::oneshot;
use tray_icon::menu::{Menu, MenuEvent, MenuId, MenuItem, PredefinedMenuItem};
use tray_icon::{Icon, MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};

use super::UserCommand;
use super::alert_text::{balloon_text, balloon_title, tooltip};
use crate::agent::wording::{Notice, TrayState, Urgency};
use crate::i18n::Lang;

/// What the agent asks of the tray's thread.
enum ToTray {
    /// Show a state, its tooltip, and the pause or resume item.
    Set {
        state: TrayState,
        tooltip: String,
        paused: bool,
    },
    /// Show a balloon on the icon; the answer says whether it was shown.
    Balloon {
        notice: Notice,
        shown: oneshot::Sender<Result<(), String>>,
    },
    /// Remove the icon and end the thread.
    Shutdown,
}

/// A running tray icon.
pub struct TrayHandle {
    to_tray: Sender<ToTray>,
    waker: Waker,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// The menu's items, kept to change the pause item's text.
struct Items {
    check: MenuId,
    details: MenuId,
    pause: MenuItem,
    quit: MenuId,
}

/// The tray thread's state.
struct App {
    lang: Lang,
    commands: UnboundedSender<UserCommand>,
    /// Alerts are paused (the pause item then resumes), shared with the
    /// menu's event handler.
    paused: Arc<AtomicBool>,
    tray: Option<TrayIcon>,
    items: Option<Items>,
    state: TrayState,
    /// The icon's side in pixels.
    side: u32,
    /// The icon's id in the notification area, once a balloon found it.
    icon_id: Option<u32>,
}

/// The state's icon, `side` pixels square.
fn icon(state: TrayState, side: u32) -> Result<Icon, String> {
    Icon::from_rgba(crate::agent::icon::rgba(state, side), side, side).map_err(|e| e.to_string())
}

impl App {
    /// Builds the menu and the icon; wires the menu's and the icon's events
    /// to the agent's loop.
    fn build(&mut self) -> Result<(), String> {
        self.side = pinwatch_win32::small_icon_size().clamp(16, 256);
        let tr = |key: &str| self.lang.tr(key);
        let check = MenuItem::new(tr("menu-check-now"), true, None);
        let details = MenuItem::new(tr("menu-details"), true, None);
        let pause = MenuItem::new(tr("menu-pause"), true, None);
        let quit = MenuItem::new(tr("menu-quit"), true, None);
        let menu = Menu::new();
        for item in [&check, &details, &pause] {
            menu.append(item).map_err(|e| e.to_string())?;
        }
        menu.append(&PredefinedMenuItem::separator())
            .map_err(|e| e.to_string())?;
        menu.append(&quit).map_err(|e| e.to_string())?;
        let items = Items {
            check: check.id().clone(),
            details: details.id().clone(),
            pause,
            quit: quit.id().clone(),
        };
        {
            let commands = self.commands.clone();
            let paused = Arc::clone(&self.paused);
            let (check, details, pause, quit) = (
                items.check.clone(),
                items.details.clone(),
                items.pause.id().clone(),
                items.quit.clone(),
            );
            MenuEvent::set_event_handler(Some(move |event: MenuEvent| {
                let command = if event.id == check {
                    UserCommand::CheckNow
                } else if event.id == details {
                    UserCommand::ShowDetails
                } else if event.id == pause {
                    if paused.load(Ordering::Relaxed) {
                        UserCommand::Resume
                    } else {
                        UserCommand::Pause
                    }
                } else if event.id == quit {
                    UserCommand::Quit
                } else {
                    return;
                };
                let _ = commands.send(command);
            }));
        }
        {
            // A left click opens the details page, as activating the
            // Linux item does; the right button opens the menu.
            let commands = self.commands.clone();
            TrayIconEvent::set_event_handler(Some(move |event: TrayIconEvent| {
                if let TrayIconEvent::Click {
                    button: MouseButton::Left,
                    button_state: MouseButtonState::Up,
                    ..
                } = event
                {
                    let _ = commands.send(UserCommand::ShowDetails);
                }
            }));
        }
        let tray = TrayIconBuilder::new()
            .with_id("pinwatch")
            .with_menu(Box::new(menu))
            .with_menu_on_left_click(false)
            .with_icon(icon(self.state, self.side)?)
            .with_tooltip(tooltip(&self.lang.tr("tray-checking"), ""))
            .build()
            .map_err(|e| e.to_string())?;
        self.tray = Some(tray);
        self.items = Some(items);
        Ok(())
    }

    fn set(&mut self, state: TrayState, text: &str, paused: bool) {
        let Some(tray) = &self.tray else { return };
        if state != self.state {
            match icon(state, self.side) {
                Ok(i) => {
                    if let Err(e) = tray.set_icon(Some(i)) {
                        log(&format!("cannot change the tray icon: {e}"));
                    }
                }
                Err(e) => log(&format!("cannot draw the tray icon: {e}")),
            }
            self.state = state;
        }
        if let Err(e) = tray.set_tooltip(Some(text)) {
            log(&format!("cannot change the tray tooltip: {e}"));
        }
        if self.paused.swap(paused, Ordering::Relaxed) != paused {
            if let Some(items) = &self.items {
                items.pause.set_text(self.lang.tr(if paused {
                    "menu-resume"
                } else {
                    "menu-pause"
                }));
            }
        }
    }

    fn balloon(&mut self, notice: &Notice) -> Result<(), String> {
        let tray = self
            .tray
            .as_ref()
            .ok_or_else(|| "no tray icon".to_string())?;
        let title = balloon_title(notice);
        let text = balloon_text(notice);
        let balloon = pinwatch_win32::Balloon {
            title: &title,
            text: &text,
            kind: match notice.urgency {
                Urgency::Low => pinwatch_win32::Kind::Info,
                Urgency::Normal | Urgency::Critical => pinwatch_win32::Kind::Warning,
            },
            timeout_ms: if notice.persistent { 30_000 } else { 10_000 },
        };
        let window = tray.window_handle() as isize;
        let id = pinwatch_win32::show_balloon(window, self.icon_id, &balloon)
            .map_err(|e| e.to_string())?;
        self.icon_id = Some(id);
        Ok(())
    }
}

/// A line on stderr from the tray's thread.
fn log(message: &str) {
    crate::util::inert::to_stderr(&format!("pinwatch agent: {message}"));
}

impl App {
    /// Does what the agent asked; false once asked to end.
    fn handle(&mut self, event: ToTray) -> bool {
        match event {
            ToTray::Set {
                state,
                tooltip,
                paused,
            } => self.set(state, &tooltip, paused),
            ToTray::Balloon { notice, shown } => {
                let _ = shown.send(self.balloon(&notice));
            }
            ToTray::Shutdown => {
                // Dropping the icon removes it from the notification area.
                self.tray = None;
                return false;
            }
        }
        true
    }

    /// Does all the agent asked since the last time; false to end the loop
    /// (asked to, or the agent's side is gone).
    fn drain(&mut self, from: &Receiver<ToTray>) -> bool {
        loop {
            match from.try_recv() {
                Ok(event) => {
                    if !self.handle(event) {
                        return false;
                    }
                }
                Err(TryRecvError::Empty) => return true,
                Err(TryRecvError::Disconnected) => {
                    self.tray = None;
                    return false;
                }
            }
        }
    }
}

/// Starts the tray's thread and its icon (showing "checking"); an error in
/// words when the icon cannot be made. One tray a process: its menu's
/// events go to the first `commands`.
pub async fn start(
    lang: Lang,
    commands: UnboundedSender<UserCommand>,
) -> Result<TrayHandle, String> {
    let (started, ready) = oneshot::channel();
    let (to_tray, from_agent) = std::sync::mpsc::channel();
    let thread = std::thread::Builder::new()
        .name("pinwatch-tray".into())
        .spawn(move || {
            let waker = Waker::for_current_thread();
            let mut app = App {
                lang,
                commands,
                paused: Arc::new(AtomicBool::new(false)),
                tray: None,
                items: None,
                state: TrayState::Checking,
                side: 16,
                icon_id: None,
            };
            let built = app.build();
            let failed = built.is_err();
            if started.send(built.map(|()| waker)).is_err() || failed {
                return;
            }
            pinwatch_win32::run_message_loop(|| app.drain(&from_agent));
        })
        .map_err(|e| format!("cannot start the tray's thread: {e}"))?;
    match ready.await {
        Ok(Ok(waker)) => Ok(TrayHandle {
            to_tray,
            waker,
            thread: Some(thread),
        }),
        Ok(Err(e)) => {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
            Err(e)
        }
        Err(_) => Err("the tray's thread ended".to_string()),
    }
}

impl TrayHandle {
    /// Shows `state` with the tooltip `text` and `detail`; `paused`: the
    /// menu offers "Resume alerts" instead of "Pause".
    pub async fn set(&self, state: TrayState, text: String, detail: String, paused: bool) {
        self.send(ToTray::Set {
            state,
            tooltip: tooltip(&text, &detail),
            paused,
        });
    }

    /// Hands `event` to the tray's thread; false when it has ended.
    fn send(&self, event: ToTray) -> bool {
        self.to_tray.send(event).is_ok() && self.waker.wake()
    }

    /// Shows `notice` as a balloon on the icon (where toasts are missing);
    /// the error in words when the shell refused it.
    pub async fn balloon(&self, notice: &Notice) -> Result<(), String> {
        let (shown, answer) = oneshot::channel();
        if !self.send(ToTray::Balloon {
            notice: notice.clone(),
            shown,
        }) {
            return Err("the tray's thread ended".to_string());
        }
        answer
            .await
            .unwrap_or_else(|_| Err("the tray's thread ended".to_string()))
    }

    /// Removes the icon and waits for the thread to end.
    pub async fn shutdown(mut self) {
        self.send(ToTray::Shutdown);
        if let Some(thread) = self.thread.take() {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
}
