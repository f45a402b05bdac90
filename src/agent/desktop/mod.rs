//! The desktop parts of the agent (the `agent` feature): notifications,
//! the tray icon (a StatusNotifierItem on Linux, a notification-area icon
//! on Windows) and the network watch. Each degrades to a warning when the
//! desktop lacks it (no notification server, no tray host), so the agent
//! keeps checking and journalling.

mod alert_text;
pub(crate) mod netwatch;
#[cfg(not(windows))]
pub(crate) mod notify;
/// Notifications on Windows: toasts with pinwatch's AppUserModelID.
#[cfg(windows)]
#[path = "notify_windows.rs"]
pub(crate) mod notify;
#[cfg(target_os = "linux")]
pub(crate) mod tray;
/// The tray on Windows: tray-icon on a thread running a Win32 message
/// loop, and the balloon where toasts are missing.
#[cfg(windows)]
#[path = "tray_windows.rs"]
pub(crate) mod tray;

/// What the user asked for from the tray menu. (The `Tray*` variants come
/// from the Linux tray alone; the loop handles them everywhere.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub enum UserCommand {
    /// Check now (and announce open incidents again).
    CheckNow,
    /// Open the details page.
    ShowDetails,
    /// Pause alerts for an hour.
    Pause,
    /// Resume paused alerts now.
    Resume,
    /// Stop the agent.
    Quit,
    /// Not from the user: the tray item's registration failed (a panel
    /// still starting up); the agent registers it again after a pause.
    TrayLost,
    /// Not from the user: no StatusNotifierWatcher is on the bus (stock
    /// GNOME, or a panel not started yet): nothing shows the tray icon.
    TrayOffline,
    /// Not from the user: a StatusNotifierWatcher appeared; the icon shows.
    TrayOnline,
}
