//! The Win32 calls pinwatch needs and no well-kept crate offers safely
//! (or soundly under Wine, the test bed), each behind a safe function:
//! - the tray balloon (`Shell_NotifyIconW` with `NIF_INFO` on the tray
//!   icon that the `tray-icon` crate created), the alert's fallback where
//!   Windows toasts are not available (Windows 7, Wine:
//!   `REGDB_E_CLASSNOTREG`); tray-icon shows no balloons;
//! - the tray thread's message loop (`GetMessageW`, `DispatchMessageW`) and
//!   its waker (`PostThreadMessageW`): winit's loop spins under Wine 8;
//! - the size of a small icon (`GetSystemMetrics(SM_CXSMICON)`).
//!
//! Why a crate of its own: pinwatch forbids unsafe code
//! (`#![forbid(unsafe_code)]` in the workspace's lints); the unsafe calls
//! are confined here, small enough to review in one sitting, each with a
//! SAFETY comment, and `unsafe_op_in_unsafe_fn` denied. On other platforms
//! the crate is empty.

#![cfg_attr(not(windows), forbid(unsafe_code))]
#![deny(unsafe_op_in_unsafe_fn)]

#[cfg(windows)]
mod balloon;
#[cfg(windows)]
mod message_loop;

#[cfg(windows)]
pub use balloon::{Balloon, BalloonError, Kind, show_balloon};
#[cfg(windows)]
pub use message_loop::{Waker, run_message_loop};

/// The side, in pixels, of the icons the notification area shows
/// (`SM_CXSMICON`: 16 at 100 % scaling); 16 when Windows does not say.
#[cfg(windows)]
pub fn small_icon_size() -> u32 {
    use windows_sys::Win32::UI::WindowsAndMessaging::{GetSystemMetrics, SM_CXSMICON};
    // SAFETY: GetSystemMetrics takes an index and reads a system setting;
    // it has no preconditions.
    let side = unsafe { GetSystemMetrics(SM_CXSMICON) };
    u32::try_from(side).ok().filter(|s| *s > 0).unwrap_or(16)
}
