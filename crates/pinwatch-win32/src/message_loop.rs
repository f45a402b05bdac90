//! The tray thread's Win32 message loop: `GetMessageW`, then
//! `TranslateMessage` and `DispatchMessageW` (which run tray-icon's window
//! procedure), with a [`Waker`] another thread uses to hand it work (a
//! thread message). winit's loop would do, but under Wine 8 it spins
//! (`MsgWaitForMultipleObjectsEx` with `MWMO_INPUTAVAILABLE` returns at
//! once, over and over: 40 % of a core idle); `GetMessageW` sleeps.

use windows_sys::Win32::System::Threading::GetCurrentThreadId;
use windows_sys::Win32::UI::WindowsAndMessaging::{
    DispatchMessageW, GetMessageW, MSG, PM_NOREMOVE, PeekMessageW, PostThreadMessageW,
    TranslateMessage, WM_APP, WM_USER,
};

/// The thread message that wakes the loop (no window; `WM_APP` and up are
/// the application's own).
const WAKE: u32 = WM_APP + 0x70;

/// Wakes the message loop of one thread from any thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Waker {
    thread: u32,
}

impl Waker {
    /// The waker of the calling thread's loop; makes the thread's message
    /// queue first, so a wake posted before the loop runs is kept.
    pub fn for_current_thread() -> Waker {
        let mut msg = empty_msg();
        // SAFETY: `msg` is a valid, writable MSG for the duration of the
        // call; peeking without removing only makes the thread's queue
        // (the documented way to create it before PostThreadMessage).
        unsafe {
            PeekMessageW(
                &mut msg,
                std::ptr::null_mut(),
                WM_USER,
                WM_USER,
                PM_NOREMOVE,
            )
        };
        // SAFETY: GetCurrentThreadId has no preconditions.
        let thread = unsafe { GetCurrentThreadId() };
        Waker { thread }
    }

    /// Wakes the loop; false when its thread has ended. A wake that
    /// arrives while a modal loop runs (an open menu) is lost: the loop
    /// also calls its step after every message it dispatches.
    pub fn wake(&self) -> bool {
        // SAFETY: a thread message carries two integers and nothing the
        // receiver dereferences; an unknown thread id is refused.
        unsafe { PostThreadMessageW(self.thread, WAKE, 0, 0) != 0 }
    }
}

/// Runs the calling thread's message loop until `step` returns false (or a
/// WM_QUIT): each message is translated and dispatched to its window, and
/// `step` is called after each (and on each wake).
pub fn run_message_loop(mut step: impl FnMut() -> bool) {
    let mut msg = empty_msg();
    loop {
        // SAFETY: `msg` is a valid, writable MSG; a null window asks for
        // every message of this thread. Returns 0 on WM_QUIT, -1 on error.
        let got = unsafe { GetMessageW(&mut msg, std::ptr::null_mut(), 0, 0) };
        if got == 0 || got == -1 {
            return;
        }
        if !(msg.hwnd.is_null() && msg.message == WAKE) {
            // SAFETY: `msg` was filled in by GetMessageW on this thread, as
            // TranslateMessage and DispatchMessageW expect; the window
            // procedures they call are those of this thread's windows.
            unsafe {
                TranslateMessage(&msg);
                DispatchMessageW(&msg);
            }
        }
        if !step() {
            return;
        }
    }
}

fn empty_msg() -> MSG {
    // SAFETY: MSG is plain data (a handle, integers, a POINT): all zeroes
    // is a valid value.
    unsafe { std::mem::zeroed() }
}
