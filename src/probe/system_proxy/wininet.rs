//! The per-user WinINet proxy settings, read from
//! `HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings`.

use winreg::RegKey;
use winreg::enums::HKEY_CURRENT_USER;

use super::SystemProxy;

const KEY: &str = "Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings";

/// The settings; `None` when the key cannot be opened (no profile).
pub fn read() -> Option<SystemProxy> {
    let key = RegKey::predef(HKEY_CURRENT_USER).open_subkey(KEY).ok()?;
    let text = |name: &str| key.get_value::<String, _>(name).ok();
    Some(SystemProxy {
        enabled: key.get_value::<u32, _>("ProxyEnable").is_ok_and(|v| v != 0),
        server: text("ProxyServer"),
        overrides: text("ProxyOverride"),
        pac_url: text("AutoConfigURL"),
    })
}
