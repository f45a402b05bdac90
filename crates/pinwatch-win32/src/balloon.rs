//! A balloon on an existing notification-area icon: `Shell_NotifyIconW`
//! (`NIM_MODIFY`, `NIF_INFO`), the way Windows 7 (and Wine) show an
//! application's notice, and Windows 8 to 11 turn into a toast.
//!
//! The icon is named by its owner window and its id. tray-icon gives the
//! window (`TrayIcon::window_handle`) but not the id it chose (a process
//! counter); the window owns that one icon and no other, so the id is
//! found by asking the shell, from 1 upwards, to modify the icon (window,
//! id): only the icon that exists answers, and the first answer shows the
//! balloon. The id found is returned, to be given back next time.

use std::mem::size_of;

use windows_sys::Win32::Foundation::HWND;
use windows_sys::Win32::UI::Shell::{
    NIF_INFO, NIIF_INFO, NIIF_WARNING, NIM_MODIFY, NOTIFYICONDATAW, Shell_NotifyIconW,
};

/// How far the icon's id is looked for: tray-icon numbers its icons (and
/// the ids it makes up) from 1, and pinwatch makes one icon.
const MAX_ID: u32 = 256;

/// The balloon's standard icon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An information sign (a resolution, a note).
    Info,
    /// A warning sign (an interception, something suspicious).
    Warning,
}

/// What a balloon says. The texts must already be what a person may read
/// (inert); they are cut to the shell's fields (63 and 255 UTF-16 units).
#[derive(Clone, Debug)]
pub struct Balloon<'a> {
    /// The title line.
    pub title: &'a str,
    /// The text, lines separated by `\n`.
    pub text: &'a str,
    /// Its icon.
    pub kind: Kind,
    /// How long it should stay, in milliseconds (Wine honours 10 to 30
    /// seconds; Windows since Vista follows the accessibility setting).
    pub timeout_ms: u32,
}

/// The shell did not show the balloon.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BalloonError {
    /// No icon of that window is in the notification area (no taskbar, or
    /// the icon was never added).
    NoIcon,
}

impl std::fmt::Display for BalloonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BalloonError::NoIcon => {
                f.write_str("the notification area has no pinwatch icon to show a balloon on")
            }
        }
    }
}

impl std::error::Error for BalloonError {}

/// Shows `balloon` on the notification-area icon owned by the window whose
/// handle value is `window` (tray-icon's `window_handle()` as an integer),
/// trying the icon id `known` first when given. Returns the icon's id.
///
/// Safe for any `window` value: the shell only compares the handle with
/// those of the icons it holds (an unknown one is refused, not used).
pub fn show_balloon(
    window: isize,
    known: Option<u32>,
    balloon: &Balloon<'_>,
) -> Result<u32, BalloonError> {
    let mut data = info_data(window as HWND, balloon);
    let candidates = known
        .into_iter()
        .chain((1..=MAX_ID).filter(|id| Some(*id) != known));
    for id in candidates {
        data.uID = id;
        // SAFETY: `data` is a fully initialised NOTIFYICONDATAW (zeroed,
        // then its fields set) whose cbSize is its own size, passed by
        // reference for the duration of the call; the shell reads it and
        // keeps nothing of it. The handle is only compared by the shell.
        let shown = unsafe { Shell_NotifyIconW(NIM_MODIFY, &data) };
        if shown != 0 {
            return Ok(id);
        }
    }
    Err(BalloonError::NoIcon)
}

/// The NOTIFYICONDATAW of a balloon on `window`'s icon (its id set later).
fn info_data(window: HWND, balloon: &Balloon<'_>) -> NOTIFYICONDATAW {
    // SAFETY: NOTIFYICONDATAW is plain data (integers, arrays of u16, a
    // GUID, handles and a union of integers): all zeroes is a valid value
    // of every field, and what the documentation asks for unused ones.
    let mut data: NOTIFYICONDATAW = unsafe { std::mem::zeroed() };
    data.cbSize = u32::try_from(size_of::<NOTIFYICONDATAW>()).unwrap_or(u32::MAX);
    data.hWnd = window;
    data.uFlags = NIF_INFO;
    fill(&mut data.szInfoTitle, balloon.title);
    fill(&mut data.szInfo, balloon.text);
    data.Anonymous.uTimeout = balloon.timeout_ms;
    data.dwInfoFlags = match balloon.kind {
        Kind::Info => NIIF_INFO,
        Kind::Warning => NIIF_WARNING,
    };
    data
}

/// Copies `text` as UTF-16 into `field`, cut (at a character) to leave
/// room for the terminating NUL; the rest stays zero.
fn fill(field: &mut [u16], text: &str) {
    let room = field.len().saturating_sub(1);
    let mut at = 0;
    for c in text.chars() {
        let mut units = [0u16; 2];
        let encoded = c.encode_utf16(&mut units);
        if at + encoded.len() > room {
            break;
        }
        field[at..at + encoded.len()].copy_from_slice(encoded);
        at += encoded.len();
    }
}
