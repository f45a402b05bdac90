//! What a notification sends, the same on every platform: the title made
//! inert and capped, the body's paragraphs made inert (and escaped as
//! markup where the server renders markup), and the "Show details" button.
//! The platform's `notify` module shows them.

use crate::agent::wording::Notice;
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
