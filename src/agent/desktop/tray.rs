//! The tray icon, as a StatusNotifierItem (ksni, pure Rust over D-Bus): the
//! icon, status and tooltip show the state; the menu sends commands to the
//! agent's loop.

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
    commands: UnboundedSender<UserCommand>,
}

impl PinwatchTray {
    fn send(&self, c: UserCommand) {
        let _ = self.commands.send(c);
    }
}

/// Colors (ARGB) of the disc drawn for each state.
fn argb(state: TrayState) -> [u8; 4] {
    match state {
        TrayState::AllClear => [0xff, 0x1a, 0x7f, 0x37],
        TrayState::Suspicious => [0xff, 0xd4, 0x8a, 0x00],
        TrayState::Intercepted => [0xff, 0xcf, 0x22, 0x2e],
        TrayState::Portal => [0xff, 0x09, 0x69, 0xda],
        TrayState::Checking => [0xff, 0x8c, 0x95, 0x9f],
        TrayState::Offline => [0xff, 0x57, 0x60, 0x6a],
    }
}

/// A filled disc, `size` pixels square, in ARGB32 network byte order.
fn disc(state: TrayState, size: i32) -> Icon {
    let color = argb(state);
    let r = f64::from(size) / 2.0;
    let mut data = Vec::with_capacity((size * size * 4) as usize);
    for y in 0..size {
        for x in 0..size {
            let (dx, dy) = (f64::from(x) + 0.5 - r, f64::from(y) + 0.5 - r);
            let inside = (dx * dx + dy * dy).sqrt() <= r - 1.0;
            data.extend(if inside { color } else { [0, 0, 0, 0] });
        }
    }
    Icon {
        width: size,
        height: size,
        data,
    }
}

/// The freedesktop icon name for a state (themes may draw it instead).
pub fn icon_name(state: TrayState) -> &'static str {
    match state {
        TrayState::AllClear => "security-high",
        TrayState::Suspicious => "security-medium",
        TrayState::Intercepted => "security-low",
        TrayState::Portal => "network-wireless",
        TrayState::Checking => "view-refresh",
        TrayState::Offline => "network-offline",
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

    fn icon_name(&self) -> String {
        icon_name(self.state).into()
    }

    fn icon_pixmap(&self) -> Vec<Icon> {
        vec![disc(self.state, 22), disc(self.state, 44)]
    }

    fn attention_icon_pixmap(&self) -> Vec<Icon> {
        self.icon_pixmap()
    }

    fn tool_tip(&self) -> ToolTip {
        ToolTip {
            icon_name: icon_name(self.state).into(),
            icon_pixmap: Vec::new(),
            title: self.text.clone(),
            description: self.detail.clone(),
        }
    }

    fn watcher_offline(&self, reason: OfflineReason) -> bool {
        match reason {
            // The panel went away, or is not there yet (no watcher on the
            // bus): ksni registers when a watcher takes the name.
            OfflineReason::No => true,
            OfflineReason::Error(e) if e.to_string().contains("ServiceUnknown") => true,
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
            item("menu-pause", UserCommand::Pause),
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
    /// Shows `state` with a tooltip title `text` and description `detail`.
    pub async fn set(&self, state: TrayState, text: String, detail: String) {
        self.handle
            .update(move |t| {
                t.state = state;
                t.text = text;
                t.detail = detail;
            })
            .await;
    }

    /// Removes the item.
    pub async fn shutdown(self) {
        self.handle.shutdown().await;
    }
}
