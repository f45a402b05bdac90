//! Desktop notifications on Windows: toasts (WinRT, through notify-rust)
//! under pinwatch's own AppUserModelID, the one the installer sets on the
//! Start-menu shortcut, so Windows 10 and 11 show them with pinwatch's
//! name. Windows 7 and Wine have no toasts (REGDB_E_CLASSNOTREG); the
//! error is returned, the agent journals the alert as not shown.

use notify_rust::{Notification, Timeout};

pub use super::alert_text::{Capabilities, Details, body, summary};
use crate::agent::wording::{Notice, Urgency};

/// pinwatch's AppUserModelID (`packaging/windows/pinwatch.nsi` sets it on
/// the Start-menu shortcut).
pub const APP_ID: &str = "pinwatch.agent";

/// What toasts can do: plain text only (a toast renders no markup); no
/// "Show details" button yet (the tray's menu opens the page).
pub fn capabilities() -> Result<Capabilities, String> {
    Ok(Capabilities::default())
}

/// Shows `notice` as a toast; blocking (call it from a blocking task).
/// `details` is not offered as a button on Windows yet.
pub fn show(notice: &Notice, _details: Option<Details>) -> Result<(), String> {
    let caps = capabilities()?;
    let timeout = match notice.urgency {
        // An interception stays until the user dismisses it.
        Urgency::Critical => Timeout::Never,
        Urgency::Low | Urgency::Normal => Timeout::Default,
    };
    Notification::new()
        .app_id(APP_ID)
        .appname("pinwatch")
        .summary(&summary(notice))
        .body(&body(notice, caps))
        .timeout(timeout)
        .show()
        .map(|_| ())
        .map_err(|e| words(&e.to_string()))
}

/// The toast error in words, without the WinRT wrapper's debug text.
fn words(error: &str) -> String {
    match error.find("0x").and_then(|at| error.get(at..at + 10)) {
        Some("0x80040154") => {
            "Windows toasts are not available here (REGDB_E_CLASSNOTREG: Windows 7, or Wine)".into()
        }
        Some(code) => format!("Windows could not show the toast (HRESULT {code})"),
        None => "Windows could not show the toast".into(),
    }
}
