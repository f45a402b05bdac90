//! The proxy set on this device in the platform's own settings, used as
//! browsers use it when neither `--proxy` nor the environment names one.
//! On Windows: the per-user WinINet settings (Internet Options, LAN
//! settings; what Edge, Chrome and most apps follow), read from the
//! registry (`wininet`); elsewhere there is no such setting to read.
//!
//! The parsing is pure: `ProxyServer` in its two forms (`HOST:PORT` for
//! every protocol, or `http=HOST:PORT;https=HOST:PORT;...` per protocol),
//! `ProxyOverride` (`;`-separated host patterns with `*` wildcards, and
//! `<local>`: names without a dot; `proxy::bypassed` matches them), and `AutoConfigURL`, a PAC script
//! pinwatch cannot run, which is named in a warning rather than ignored.

use super::proxy::{Proxy, ProxyError};

/// The platform's proxy settings, as read (raw strings).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SystemProxy {
    /// `ProxyEnable`: whether the manual proxy is on.
    pub enabled: bool,
    /// `ProxyServer`.
    pub server: Option<String>,
    /// `ProxyOverride`.
    pub overrides: Option<String>,
    /// `AutoConfigURL`: a proxy auto-configuration script.
    pub pac_url: Option<String>,
}

/// What the settings mean for HTTPS connections.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resolved {
    /// The proxy HTTPS goes through, if any.
    pub proxy: Option<Proxy>,
    /// Host patterns that go direct (lower case; `<local>` kept as is).
    pub bypass: Vec<String>,
    /// The PAC script's URL, which was not evaluated.
    pub pac_url: Option<String>,
}

impl SystemProxy {
    /// The proxy for HTTPS: the `https=` entry of a per-protocol list,
    /// else the one server for all; none when the proxy is off, or a
    /// per-protocol list has no `https=` entry (browsers then go direct).
    pub fn resolve(&self) -> Result<Resolved, ProxyError> {
        let pac_url = self
            .pac_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(str::to_string);
        let server = self
            .server
            .as_deref()
            .filter(|_| self.enabled)
            .and_then(https_entry);
        let proxy = server.map(parse_server).transpose()?;
        let bypass = self
            .overrides
            .as_deref()
            .filter(|_| proxy.is_some())
            .map(|o| {
                o.split([';', ' ', '\t', '\r', '\n'])
                    .map(|p| p.trim().to_ascii_lowercase())
                    .filter(|p| !p.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        Ok(Resolved {
            proxy,
            bypass,
            pac_url,
        })
    }
}

/// The server for HTTPS in a `ProxyServer` value.
fn https_entry(value: &str) -> Option<&str> {
    let value = value.trim();
    if !value.contains('=') {
        return Some(value).filter(|v| !v.is_empty());
    }
    value.split(';').find_map(|entry| {
        let (scheme, server) = entry.split_once('=')?;
        (scheme.trim().eq_ignore_ascii_case("https") && !server.trim().is_empty())
            .then(|| server.trim())
    })
}

/// A WinINet server: `HOST:PORT`, `http://HOST:PORT`, or `HOST` alone
/// (port 80, as WinINet takes it).
fn parse_server(server: &str) -> Result<Proxy, ProxyError> {
    match server.parse::<Proxy>() {
        Err(ProxyError::Bare(_)) => format!("http://{server}").parse(),
        other => other,
    }
}

#[cfg(windows)]
mod wininet;

/// This user's settings (WinINet's, from the registry).
#[cfg(windows)]
pub use wininet::read;

/// This user's settings: none off Windows (Linux has no one proxy setting;
/// its desktops export `https_proxy`, which the environment step reads).
#[cfg(not(windows))]
pub fn read() -> Option<SystemProxy> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::proxy::bypassed;

    fn settings(enabled: bool, server: &str, overrides: &str) -> SystemProxy {
        SystemProxy {
            enabled,
            server: Some(server.into()),
            overrides: Some(overrides.into()),
            pac_url: None,
        }
    }

    #[test]
    fn the_https_proxy_is_picked_from_either_form() {
        let one = settings(true, "127.0.0.1:8888", "").resolve().unwrap();
        assert_eq!(one.proxy.unwrap().url(), "http://127.0.0.1:8888");
        let per = settings(true, "http=10.0.0.1:80;https=10.0.0.2:3128;ftp=x:21", "")
            .resolve()
            .unwrap();
        assert_eq!(per.proxy.unwrap().url(), "http://10.0.0.2:3128");
        let http_only = settings(true, "http=10.0.0.1:80", "").resolve().unwrap();
        assert_eq!(http_only.proxy, None, "no https= entry: direct");
        let bare = settings(true, "proxy.lan", "").resolve().unwrap();
        assert_eq!(bare.proxy.unwrap().url(), "http://proxy.lan:80");
        let off = settings(false, "127.0.0.1:8888", "*.qq.com")
            .resolve()
            .unwrap();
        assert_eq!(off, Resolved::default());
        assert!(matches!(
            settings(true, "https=socks5://h:1", "").resolve(),
            Err(ProxyError::Scheme(_))
        ));
    }

    #[test]
    fn overrides_match_as_wininet_matches_them() {
        let r = settings(true, "p:1", "<local>; *.QQ.com;10.*;exact.example")
            .resolve()
            .unwrap();
        assert_eq!(r.bypass, ["<local>", "*.qq.com", "10.*", "exact.example"]);
        assert!(bypassed(&r.bypass, "intranet"));
        assert!(bypassed(&r.bypass, "wx.qq.com"));
        assert!(!bypassed(&r.bypass, "qq.com"));
        assert!(bypassed(&r.bypass, "10.1.2.3"));
        assert!(bypassed(&r.bypass, "Exact.Example."));
        assert!(!bypassed(&r.bypass, "chatgpt.com"));
        assert!(bypassed(&[], "127.0.0.1"));
        assert!(bypassed(&[], "localhost"));
        assert!(!bypassed(&["<local>".into()], "::ffff:10.0.0.1"));
    }

    #[test]
    fn a_pac_url_is_kept_to_be_named() {
        let pac = SystemProxy {
            pac_url: Some(" http://wpad.lan/proxy.pac ".into()),
            ..SystemProxy::default()
        };
        let r = pac.resolve().unwrap();
        assert_eq!(r.pac_url.as_deref(), Some("http://wpad.lan/proxy.pac"));
        assert_eq!(r.proxy, None);
    }
}
