//! HTTP proxies: which proxy a target goes through (`--proxy`, the
//! `HTTPS_PROXY`/`ALL_PROXY` environment, `NO_PROXY`, the override list of
//! the device's own proxy setting), and the CONNECT exchange that opens a
//! tunnel through one.

use std::str::FromStr;

use base64::Engine as _;
use thiserror::Error;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::target::{Target, authority};

/// An HTTP proxy that tunnels with CONNECT.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proxy {
    /// Proxy host.
    pub host: String,
    /// Proxy port.
    pub port: u16,
    /// `user:password` for Basic authentication, if the URL had one.
    pub credentials: Option<String>,
}

/// A proxy URL that cannot be used.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ProxyError {
    /// Not an http:// URL.
    #[error("unsupported proxy `{0}` (only http:// CONNECT proxies are supported)")]
    Scheme(String),
    /// Host or port is missing or malformed.
    #[error("invalid proxy address `{0}`")]
    Address(String),
    /// Neither a scheme nor a port: more likely a typo than a proxy on
    /// port 80.
    #[error("`{0}` is not a proxy URL (expected http://HOST[:PORT] or HOST:PORT)")]
    Bare(String),
}

impl Proxy {
    /// `http://host:port`, without credentials, for display.
    pub fn url(&self) -> String {
        format!("http://{}", authority(&self.host, self.port))
    }
}

impl FromStr for Proxy {
    type Err = ProxyError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let (rest, has_scheme) = match input.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => (rest, true),
            Some(_) => return Err(ProxyError::Scheme(input.to_string())),
            None => (input, false),
        };
        let rest = rest.trim_end_matches('/');
        let (credentials, hostport) = match rest.rsplit_once('@') {
            Some((c, h)) => (Some(c.to_string()), h),
            None => (None, rest),
        };
        // Port 0 is never valid when typed, so it marks "no port given".
        let target = Target::with_default_port(hostport, 0)
            .map_err(|_| ProxyError::Address(input.to_string()))?;
        let port = match (target.port, has_scheme) {
            (0, true) => 80,
            (0, false) => return Err(ProxyError::Bare(input.to_string())),
            (port, _) => port,
        };
        Ok(Proxy {
            host: target.host,
            port,
            credentials,
        })
    }
}

/// Which targets go through which proxy.
#[derive(Clone, Debug, Default)]
pub struct ProxyRoute {
    /// The proxy, if any.
    pub proxy: Option<Proxy>,
    /// `NO_PROXY` entries: host suffixes (or `*`) that go direct.
    pub no_proxy: Vec<String>,
    /// When the proxy is the one set in this device's settings: their
    /// override patterns ([`bypassed`] matches them).
    pub system_bypass: Option<Vec<String>>,
    /// A proxy auto-configuration script set on this device, which
    /// pinwatch does not run (named in a warning).
    pub unevaluated_pac: Option<String>,
}

impl ProxyRoute {
    /// The proxy to use for `target`, honouring `NO_PROXY` and the
    /// device's override list.
    pub fn for_target(&self, target: &Target) -> Option<&Proxy> {
        let proxy = self.proxy.as_ref()?;
        let bypass = self
            .no_proxy
            .iter()
            .any(|entry| no_proxy_matches(entry, &target.host, target.port))
            || self
                .system_bypass
                .as_deref()
                .is_some_and(|b| bypassed(b, &target.host));
        (!bypass).then_some(proxy)
    }
}

/// Whether `host` matches a `ProxyOverride` pattern: `<local>` (a name
/// without a dot), or a pattern with `*` wildcards, case-insensitive, as
/// WinINet compares them. Loopback (localhost, 127.0.0.0/8, ::1) always
/// goes direct, as in browsers.
pub fn bypassed(patterns: &[String], host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    loopback
        || patterns.iter().any(|p| match p.as_str() {
            "<local>" => !host.contains('.') && !host.contains(':'),
            pattern => glob(pattern.as_bytes(), host.as_bytes()),
        })
}

/// `*` matches any run of characters (iterative, linear backtracking).
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// Parses a `NO_PROXY` value into entries.
pub fn parse_no_proxy(value: &str) -> Vec<String> {
    value
        .split([',', ' '])
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect()
}

fn no_proxy_matches(entry: &str, host: &str, port: u16) -> bool {
    if entry == "*" {
        return true;
    }
    let (pattern, entry_port) = match entry.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => (h, p.parse::<u16>().ok()),
        _ => (entry, None),
    };
    if entry_port.is_some_and(|p| p != port) {
        return false;
    }
    let pattern = pattern.trim_start_matches("*.").trim_start_matches('.');
    host == pattern
        || (host.ends_with(pattern) && host[..host.len() - pattern.len()].ends_with('.'))
}

/// Why a CONNECT failed.
#[derive(Debug, Error)]
pub enum ConnectError {
    /// Reading or writing the proxy connection failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The proxy refused the tunnel.
    #[error("proxy answered `{0}`")]
    Refused(String),
    /// The proxy's answer was not HTTP.
    #[error("proxy sent a malformed answer")]
    Malformed,
}

/// Asks the proxy on `stream` for a tunnel to `host:port`.
pub async fn connect_tunnel(
    stream: &mut TcpStream,
    proxy: &Proxy,
    host: &str,
    port: u16,
) -> Result<(), ConnectError> {
    let auth = authority(host, port);
    let mut request = format!("CONNECT {auth} HTTP/1.1\r\nHost: {auth}\r\n");
    if let Some(credentials) = &proxy.credentials {
        let encoded = base64::engine::general_purpose::STANDARD.encode(credentials);
        request.push_str(&format!("Proxy-Authorization: Basic {encoded}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await?;
    let head = read_head(stream).await?;
    let status_line = head.lines().next().unwrap_or_default().to_string();
    let mut parts = status_line.split_whitespace();
    match (parts.next(), parts.next()) {
        (Some(v), Some(code)) if v.starts_with("HTTP/") => {
            if code.starts_with('2') {
                Ok(())
            } else {
                Err(ConnectError::Refused(status_line))
            }
        }
        _ => Err(ConnectError::Malformed),
    }
}

/// Reads an HTTP response head byte by byte (so no tunnel data is consumed),
/// up to the blank line; at most 16 KiB.
pub(crate) async fn read_head(stream: &mut TcpStream) -> Result<String, ConnectError> {
    let mut head = Vec::with_capacity(256);
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && !head.ends_with(b"\n\n") {
        if head.len() >= 16 * 1024 {
            return Err(ConnectError::Malformed);
        }
        if stream.read(&mut byte).await? == 0 {
            return Err(if head.is_empty() {
                ConnectError::Io(std::io::ErrorKind::UnexpectedEof.into())
            } else {
                ConnectError::Malformed
            });
        }
        head.push(byte[0]);
    }
    Ok(String::from_utf8_lossy(&head).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_proxy_urls() {
        let p: Proxy = "http://u:p@127.0.0.1:3128/".parse().unwrap();
        assert_eq!(
            (p.host.as_str(), p.port, p.credentials.as_deref()),
            ("127.0.0.1", 3128, Some("u:p"))
        );
        assert_eq!("http://proxy.lan".parse::<Proxy>().unwrap().port, 80);
        assert_eq!("proxy.lan:3128".parse::<Proxy>().unwrap().port, 3128);
        assert!(matches!(
            "garbage".parse::<Proxy>(),
            Err(ProxyError::Bare(_))
        ));
        assert!(matches!(
            "http://proxy.lan:0".parse::<Proxy>(),
            Err(ProxyError::Address(_))
        ));
        assert!(matches!(
            "socks5://h:1".parse::<Proxy>(),
            Err(ProxyError::Scheme(_))
        ));
        assert!(matches!(
            "http://:1".parse::<Proxy>(),
            Err(ProxyError::Address(_))
        ));
    }

    #[test]
    fn no_proxy_is_honoured() {
        let route = ProxyRoute {
            proxy: Some("http://127.0.0.1:3128".parse().unwrap()),
            no_proxy: parse_no_proxy("localhost, .qq.com,example.org:8443"),
            ..ProxyRoute::default()
        };
        let t = |s: &str| s.parse::<Target>().unwrap();
        assert!(route.for_target(&t("chatgpt.com")).is_some());
        assert!(route.for_target(&t("wx.qq.com")).is_none());
        assert!(route.for_target(&t("qq.com")).is_none());
        assert!(route.for_target(&t("xqq.com")).is_some());
        assert!(route.for_target(&t("localhost:1")).is_none());
        assert!(route.for_target(&t("example.org:8443")).is_none());
        assert!(route.for_target(&t("example.org")).is_some());
        let device = ProxyRoute {
            system_bypass: Some(vec!["*.openai.com".into()]),
            ..route.clone()
        };
        assert!(device.for_target(&t("api.openai.com")).is_none());
        assert!(device.for_target(&t("127.0.0.1:8443")).is_none());
        assert!(device.for_target(&t("chatgpt.com")).is_some());
        let all = ProxyRoute {
            no_proxy: vec!["*".into()],
            ..route
        };
        assert!(all.for_target(&t("chatgpt.com")).is_none());
    }

    #[test]
    fn a_star_matches_any_run_of_characters() {
        assert!(glob(b"a*b*c", b"axxbyyc"));
        assert!(!glob(b"a*b*c", b"axxbyy"));
        assert!(glob(b"*", b""));
    }
}
