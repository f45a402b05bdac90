//! What a notification sends, the same on every platform: the title made
//! inert and capped, the body's paragraphs made inert (and escaped as
//! markup where the server renders markup), and the "Show details" button.
//! The platform's `notify` module shows them; on Windows the tray's
//! balloon shows the same title and body, cut to the shell's fields.

use crate::agent::wording::Notice;
use crate::util::{inert, inert_capped, markup};

/// The longest title sent (titles are one line everywhere).
const TITLE_CHARS: usize = 120;

/// A "Show details" button: its label and what clicking it does. Windows'
/// toasts and balloons have no such button (clicking them does nothing).
#[cfg_attr(windows, allow(dead_code))]
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

/// The longest balloon title Windows shows (`szInfoTitle`: 64 UTF-16
/// units with the terminating NUL).
#[cfg_attr(not(windows), allow(dead_code))]
pub const BALLOON_TITLE_UNITS: usize = 63;

/// The longest balloon text Windows shows (`szInfo`: 256 with the NUL).
#[cfg_attr(not(windows), allow(dead_code))]
pub const BALLOON_TEXT_UNITS: usize = 255;

/// `s` cut to at most `units` UTF-16 code units (what Win32's fixed text
/// fields count), at a character, with an ellipsis when cut.
#[cfg_attr(not(windows), allow(dead_code))]
pub fn fit_utf16(s: &str, units: usize) -> String {
    if s.encode_utf16().count() <= units {
        return s.to_string();
    }
    let room = units.saturating_sub(1);
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        if used + c.len_utf16() > room {
            break;
        }
        used += c.len_utf16();
        out.push(c);
    }
    out.push('…');
    out
}

/// The longest tooltip Windows shows (`szTip`: 128 UTF-16 units with the
/// terminating NUL).
#[cfg_attr(not(windows), allow(dead_code))]
pub const TOOLTIP_UNITS: usize = 127;

/// A Windows tray tooltip: the state in words, then the detail (last
/// check, pause) on lines of their own, each made inert, cut to what
/// Windows shows.
#[cfg_attr(not(windows), allow(dead_code))]
pub fn tooltip(text: &str, detail: &str) -> String {
    let lines: Vec<String> = std::iter::once(text)
        .chain(detail.lines())
        .filter(|l| !l.is_empty())
        .map(|l| inert(l).into_owned())
        .collect();
    fit_utf16(&lines.join("\n"), TOOLTIP_UNITS)
}

/// A balloon's title: the notification's, cut to the balloon's field.
#[cfg_attr(not(windows), allow(dead_code))]
pub fn balloon_title(notice: &Notice) -> String {
    fit_utf16(&summary(notice), BALLOON_TITLE_UNITS)
}

/// A balloon's text: the notification's plain body (the action first),
/// cut to the balloon's field.
#[cfg_attr(not(windows), allow(dead_code))]
pub fn balloon_text(notice: &Notice) -> String {
    fit_utf16(&body(notice, Capabilities::default()), BALLOON_TEXT_UNITS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::wording::Urgency;

    #[test]
    fn utf16_fields_are_cut_at_a_character_with_an_ellipsis() {
        assert_eq!(fit_utf16("short", 63), "short");
        let cut = fit_utf16(&"a".repeat(300), 255);
        assert_eq!(cut.encode_utf16().count(), 255);
        assert!(cut.ends_with('…'));
        // An emoji is two units: never split into a lone surrogate.
        let cut = fit_utf16(&"😀".repeat(40), 63);
        assert!(cut.encode_utf16().count() <= 63);
        assert_eq!(cut, format!("{}…", "😀".repeat(31)));
        // Chinese characters are one unit each.
        assert_eq!(fit_utf16(&"拦".repeat(63), 63), "拦".repeat(63));
    }

    #[test]
    fn a_tooltip_keeps_its_lines_and_fits_windows() {
        assert_eq!(
            tooltip("Offline: no service could be reached", "Last check: 19:02"),
            "Offline: no service could be reached\nLast check: 19:02"
        );
        assert_eq!(tooltip("All clear", ""), "All clear");
        assert_eq!(
            tooltip(
                "\u{1b}[2JAll clear",
                "Last check: 9:00\nAlerts paused until 10:00"
            ),
            "\\x1b[2JAll clear\nLast check: 9:00\nAlerts paused until 10:00"
        );
        let long = tooltip(&"拦截".repeat(100), "Last check: 9:00");
        assert_eq!(long.encode_utf16().count(), TOOLTIP_UNITS);
        assert!(long.ends_with('…'));
    }

    #[test]
    fn a_balloon_says_the_notice_inert_and_within_the_shells_fields() {
        let notice = Notice {
            summary: format!("Someone can read \u{202e}WeChat{}", "x".repeat(100)),
            body: vec![
                "Do this first.".to_string(),
                format!("Issued by \u{1b}[31mEvil{}", "y".repeat(400)),
            ],
            urgency: Urgency::Critical,
            persistent: true,
        };
        let title = balloon_title(&notice);
        let text = balloon_text(&notice);
        assert!(
            title.encode_utf16().count() <= BALLOON_TITLE_UNITS,
            "{title}"
        );
        assert!(text.encode_utf16().count() <= BALLOON_TEXT_UNITS, "{text}");
        assert!(
            !title.contains('\u{202e}') && !text.contains('\u{1b}'),
            "{title} {text}"
        );
        assert!(text.starts_with("Do this first.\nIssued by "), "{text}");
        assert!(title.ends_with('…') && text.ends_with('…'));
    }
}
