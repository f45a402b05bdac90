//! The tray icon, as a StatusNotifierItem (ksni, pure Rust over D-Bus): the
//! icon (pinwatch's shield with a symbol per state, `agent::icon`), status
//! and tooltip (the state in words and the local time of the last check)
//! show the state; the menu sends commands to the agent's loop.

use ksni::menu::StandardItem;
use ksni::{Category, Handle, Icon, MenuItem, OfflineReason, Status, ToolTip, Tray, TrayMethods};
use tokio::sync::mpsc::UnboundedSender;

use super::UserCommand;
use crate::agent::wording::TrayState;
use crate::i18n::Lang;

/// The tray item's data.
pub struct PinwatchTray {
    lang: Lang,
    state: TrayState,
    text: String,
    detail: String,
    /// Alerts are paused: the menu offers to resume them.
    paused: bool,
    commands: UnboundedSender<UserCommand>,
}

impl PinwatchTray {
    fn send(&self, c: UserCommand) {
        let _ = self.commands.send(c);
    }
}

/// The state's icon (`agent::icon`: the shield and its symbol), `size`
/// pixels square.
fn icon(state: TrayState, size: u32) -> Icon {
    let side = i32::try_from(size).unwrap_or(22);
    Icon {
        width: side,
        height: side,
        data: crate::agent::icon::argb(state, size),
    }
}

impl Tray for PinwatchTray {
    fn id(&self) -> String {
        "pinwatch".into()
    }

    fn category(&self) -> Category {
        Category::Communications
    }

    fn title(&self) -> String {
        self.lang.tr("tray-title")
    }

    fn status(&self) -> Status {
        match self.state {
            TrayState::Intercepted => Status::NeedsAttention,
            _ => Status::Active,
        }
    }

    // No themed icon name: hosts that find one in their theme would draw it
    // instead of pinwatch's own shapes.
    fn icon_name(&self) -> String {
        String::new()
    }

    fn icon_pixmap(&self) -> Vec<Icon> {
        [16, 22, 32, 48].map(|size| icon(self.state, size)).into()
    }

    fn attention_icon_pixmap(&self) -> Vec<Icon> {
        self.icon_pixmap()
    }

    fn tool_tip(&self) -> ToolTip {
        ToolTip {
            icon_name: String::new(),
            icon_pixmap: Vec::new(),
            title: self.text.clone(),
            description: self.detail.clone(),
        }
    }

    fn watcher_online(&self) {
        self.send(UserCommand::TrayOnline);
    }

    fn watcher_offline(&self, reason: OfflineReason) -> bool {
        match reason {
            // The panel went away, or is not there yet (no watcher on the
            // bus): ksni registers when a watcher takes the name. The agent
            // says so if none comes.
            OfflineReason::No => {
                self.send(UserCommand::TrayOffline);
                true
            }
            OfflineReason::Error(e) if e.to_string().contains("ServiceUnknown") => {
                self.send(UserCommand::TrayOffline);
                true
            }
            // Registration failed otherwise (a watcher that owns its name
            // before it exports its object): stop, the agent starts over.
            _ => {
                self.send(UserCommand::TrayLost);
                false
            }
        }
    }

    fn activate(&mut self, _x: i32, _y: i32) {
        self.send(UserCommand::ShowDetails);
    }

    fn menu(&self) -> Vec<MenuItem<Self>> {
        let item = |key: &str, command: UserCommand| -> MenuItem<Self> {
            StandardItem {
                label: self.lang.tr(key),
                activate: Box::new(move |t: &mut Self| t.send(command)),
                ..Default::default()
            }
            .into()
        };
        vec![
            item("menu-check-now", UserCommand::CheckNow),
            item("menu-details", UserCommand::ShowDetails),
            if self.paused {
                item("menu-resume", UserCommand::Resume)
            } else {
                item("menu-pause", UserCommand::Pause)
            },
            MenuItem::Separator,
            item("menu-quit", UserCommand::Quit),
        ]
    }
}

/// A running tray item.
pub struct TrayHandle {
    handle: Handle<PinwatchTray>,
}

/// Registers the tray item with the StatusNotifierWatcher.
pub async fn start(
    lang: Lang,
    commands: UnboundedSender<UserCommand>,
) -> Result<TrayHandle, String> {
    let tray = PinwatchTray {
        lang,
        state: TrayState::Checking,
        text: lang.tr("tray-checking"),
        detail: String::new(),
        paused: false,
        commands,
    };
    // The panel may start after the agent (login order is not guaranteed),
    // or restart: register whenever a StatusNotifierWatcher appears.
    let handle = tray
        .assume_sni_available(true)
        .spawn()
        .await
        .map_err(|e| e.to_string())?;
    Ok(TrayHandle { handle })
}

impl TrayHandle {
    /// Shows `state` with a tooltip title `text` and description `detail`;
    /// `paused`: the menu offers "Resume alerts" instead of "Pause".
    pub async fn set(&self, state: TrayState, text: String, detail: String, paused: bool) {
        self.handle
            .update(move |t| {
                t.state = state;
                t.text = text;
                t.detail = detail;
                t.paused = paused;
            })
            .await;
    }

    /// Removes the item.
    pub async fn shutdown(self) {
        self.handle.shutdown().await;
    }
}
