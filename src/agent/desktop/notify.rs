//! Desktop notifications through the freedesktop notification service
//! (notify-rust over zbus). The server is asked what it can do first: the
//! body is sent as escaped markup where it renders markup (`body-markup`),
//! as plain text otherwise, both made inert (`util::markup`,
//! `util::inert`), so a certificate's name can neither format the alert nor
//! hide in it; the title is always plain text. A "Show details" action is
//! offered where the server supports actions.

use notify_rust::{Hint, Notification, Timeout};

pub use super::alert_text::{Capabilities, Details, body, summary};
use crate::agent::wording::{Notice, Urgency};

/// Asks the session's notification server what it can do; an error in
/// words when there is none.
pub fn capabilities() -> Result<Capabilities, String> {
    let caps = notify_rust::get_capabilities().map_err(|e| e.to_string())?;
    let has = |c: &str| caps.iter().any(|x| x == c);
    Ok(Capabilities {
        markup: has("body-markup"),
        actions: has("actions"),
    })
}

/// Shows `notice`; blocking (call it from a blocking task). With `details`
/// and a server that shows actions, a thread waits for the user's click
/// until the notification closes. Returns the server's error in words when
/// there is no notification service.
pub fn show(notice: &Notice, details: Option<Details>) -> Result<(), String> {
    let caps = capabilities()?;
    let (urgency, icon) = match notice.urgency {
        Urgency::Low => (notify_rust::Urgency::Low, "security-high"),
        Urgency::Normal => (notify_rust::Urgency::Normal, "security-medium"),
        Urgency::Critical => (notify_rust::Urgency::Critical, "security-low"),
    };
    let mut n = Notification::new();
    n.appname("pinwatch")
        .summary(&summary(notice))
        .body(&body(notice, caps))
        .icon(icon)
        .urgency(urgency)
        .hint(Hint::Category("network".into()))
        .timeout(if notice.persistent {
            // Stays until the user dismisses it.
            Timeout::Never
        } else {
            Timeout::Default
        });
    let details = details.filter(|_| caps.actions);
    if let Some(d) = &details {
        n.action("default", &d.label).action("details", &d.label);
    }
    let handle = n.show().map_err(|e| e.to_string())?;
    if let Some(d) = details {
        let waiting = std::thread::Builder::new()
            .name("pinwatch-notification".into())
            .spawn(move || {
                handle.wait_for_action(|action| {
                    if action == "default" || action == "details" {
                        (d.open)();
                    }
                });
            });
        if let Err(e) = waiting {
            return Err(format!("cannot wait for the notification's action: {e}"));
        }
    }
    Ok(())
}
