//! Desktop notifications through the freedesktop notification service
//! (notify-rust over zbus).

use notify_rust::{Hint, Notification, Timeout};

use crate::agent::wording::{Notice, Urgency};

/// Shows `notice`; blocking (call it from a blocking task). Returns the
/// server's error in words when there is no notification service.
pub fn show(notice: &Notice) -> Result<(), String> {
    let (urgency, icon, timeout) = match notice.urgency {
        Urgency::Low => (notify_rust::Urgency::Low, "security-high", Timeout::Default),
        Urgency::Normal => (
            notify_rust::Urgency::Normal,
            "security-medium",
            Timeout::Default,
        ),
        // An interception stays until the user dismisses it.
        Urgency::Critical => (
            notify_rust::Urgency::Critical,
            "security-low",
            Timeout::Never,
        ),
    };
    Notification::new()
        .appname("pinwatch")
        .summary(&notice.summary)
        .body(&notice.body)
        .icon(icon)
        .urgency(urgency)
        .hint(Hint::Category("network".into()))
        .timeout(timeout)
        .show()
        .map(|_| ())
        .map_err(|e| e.to_string())
}
