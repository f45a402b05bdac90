//! Desktop notifications through the freedesktop notification service
//! (notify-rust over zbus). The server is asked what it can do first: the
//! body is sent as escaped markup where it renders markup (`body-markup`),
//! as plain text otherwise, both made inert (`util::markup`,
//! `util::inert`), so a certificate's name can neither format the alert nor
//! hide in it; the title is always plain text. A "Show details" action is
//! offered where the server supports actions.

use notify_rust::{Hint, Notification, Timeout};

use crate::agent::wording::{Notice, Urgency};
use crate::util::{inert, inert_capped, markup};

/// The longest title sent (titles are one line everywhere).
const TITLE_CHARS: usize = 120;

/// A "Show details" button: its label and what clicking it does.
pub struct Details {
    /// The button's label.
    pub label: String,
    /// Called when the user picks it (or clicks the notification itself).
    pub open: Box<dyn Fn() + Send>,
}

/// What the notification server says it can do (GetCapabilities).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// It renders the spec's body markup.
    pub markup: bool,
    /// It shows action buttons.
    pub actions: bool,
}

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

/// The body as sent to a server with `caps`: each paragraph made inert
/// (and escaped as markup where the server renders markup), one a line.
pub fn body(notice: &Notice, caps: Capabilities) -> String {
    notice
        .body
        .iter()
        .map(|line| {
            if caps.markup {
                markup(line)
            } else {
                inert(line).into_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The title as sent: one line, inert, capped.
pub fn summary(notice: &Notice) -> String {
    inert_capped(&notice.summary, TITLE_CHARS).into_owned()
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
