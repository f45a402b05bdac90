//! What to check: a host and port, parsed from the forms admins type
//! (`HOST`, `HOST:PORT`, `https://HOST[:PORT]/...`), and curl-style
//! `--connect-to` overrides.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

/// The default HTTPS port.
pub const HTTPS_PORT: u16 = 443;

/// A host and port to open TLS to. `host` is what goes into SNI and what the
/// certificate must name; it is stored lowercase without a trailing dot.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Target {
    /// DNS name or IP address literal (IPv6 without brackets).
    pub host: String,
    /// TCP port.
    pub port: u16,
}

/// A target the user typed that cannot be understood.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum TargetError {
    /// Nothing was given.
    #[error("empty target")]
    Empty,
    /// A URL scheme other than https.
    #[error("unsupported scheme `{0}` in target (only https:// is checked)")]
    Scheme(String),
    /// The port is not a number from 1 to 65535.
    #[error("invalid port `{0}` (expected 1-65535)")]
    Port(String),
    /// The host is not a valid DNS name or IP address.
    #[error("invalid host name `{0}`")]
    Host(String),
    /// A `--connect-to` rule without its four fields.
    #[error("`{0}` is not a HOST:PORT:ADDR:PORT rule")]
    ConnectTo(String),
}

impl Target {
    /// A target for `host` on port `port`, validating and normalising the host.
    pub fn new(host: &str, port: u16) -> Result<Self, TargetError> {
        let host = normalise_host(host)?;
        Ok(Target { host, port })
    }

    /// Parses `HOST` or `HOST:PORT` (IPv6 in brackets), with `default_port`
    /// when none is given.
    pub fn with_default_port(hostport: &str, default_port: u16) -> Result<Self, TargetError> {
        let (host, port) = split_host_port(hostport)?;
        Target::new(host, port.unwrap_or(default_port))
    }

    /// `host:port`, with IPv6 literals in brackets.
    pub fn authority(&self) -> String {
        authority(&self.host, self.port)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.authority())
    }
}

impl FromStr for Target {
    type Err = TargetError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let input = input.trim();
        if input.is_empty() {
            return Err(TargetError::Empty);
        }
        let rest = match input.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("https") => rest,
            Some((scheme, _)) => return Err(TargetError::Scheme(scheme.to_string())),
            None => input,
        };
        // Drop path, query and fragment, then any userinfo.
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let hostport = &rest[..end];
        let hostport = hostport.rsplit_once('@').map_or(hostport, |(_, h)| h);
        Target::with_default_port(hostport, HTTPS_PORT)
    }
}

/// A curl-style `--connect-to HOST:PORT:ADDR:PORT`: connections meant for
/// `HOST:PORT` go to `ADDR:PORT` instead, while SNI and the name check keep
/// using `HOST`. An empty HOST or first PORT matches any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectTo {
    /// Host this rule applies to (`None`: any).
    pub host: Option<String>,
    /// Port this rule applies to (`None`: any).
    pub port: Option<u16>,
    /// Where to connect instead.
    pub addr: String,
    /// Port to connect to instead (`None`: keep the target's).
    pub addr_port: Option<u16>,
}

impl ConnectTo {
    /// The address to connect to for `target`, if this rule applies.
    pub fn route(&self, target: &Target) -> Option<(String, u16)> {
        let host_ok = self.host.as_ref().is_none_or(|h| *h == target.host);
        let port_ok = self.port.is_none_or(|p| p == target.port);
        (host_ok && port_ok).then(|| (self.addr.clone(), self.addr_port.unwrap_or(target.port)))
    }
}

impl FromStr for ConnectTo {
    type Err = TargetError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let bad = || TargetError::ConnectTo(input.to_string());
        let fields = split_fields(input).ok_or_else(bad)?;
        let [host, port, addr, addr_port] = fields;
        let opt_port = |p: &str| -> Result<Option<u16>, TargetError> {
            if p.is_empty() {
                Ok(None)
            } else {
                parse_port(p).map(Some)
            }
        };
        let host = if host.is_empty() {
            None
        } else {
            Some(normalise_host(host)?)
        };
        if addr.is_empty() {
            return Err(bad());
        }
        Ok(ConnectTo {
            host,
            port: opt_port(port)?,
            addr: normalise_host(addr)?,
            addr_port: opt_port(addr_port)?,
        })
    }
}

/// `host:port`, bracketing IPv6 literals.
pub(crate) fn authority(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Splits `HOST:PORT:ADDR:PORT` into four fields, honouring `[v6]` brackets.
fn split_fields(input: &str) -> Option<[&str; 4]> {
    let mut out = Vec::with_capacity(4);
    let mut rest = input;
    for i in 0..4 {
        if i == 3 {
            out.push(rest);
            break;
        }
        let split_at = if rest.starts_with('[') {
            let close = rest.find(']')?;
            if rest.as_bytes().get(close + 1) != Some(&b':') {
                return None;
            }
            close + 1
        } else {
            rest.find(':')?
        };
        out.push(&rest[..split_at]);
        rest = &rest[split_at + 1..];
    }
    out.try_into().ok()
}

fn split_host_port(hostport: &str) -> Result<(&str, Option<u16>), TargetError> {
    if let Some(inner) = hostport.strip_prefix('[') {
        let (host, after) = inner
            .split_once(']')
            .ok_or_else(|| TargetError::Host(hostport.to_string()))?;
        return match after.strip_prefix(':') {
            Some(port) => Ok((host, Some(parse_port(port)?))),
            None if after.is_empty() => Ok((host, None)),
            None => Err(TargetError::Host(hostport.to_string())),
        };
    }
    match hostport.matches(':').count() {
        0 => Ok((hostport, None)),
        1 => {
            let (host, port) = hostport.split_once(':').unwrap_or((hostport, ""));
            Ok((host, Some(parse_port(port)?)))
        }
        // A bare IPv6 literal.
        _ => Ok((hostport, None)),
    }
}

fn parse_port(p: &str) -> Result<u16, TargetError> {
    match p.parse::<u16>() {
        Ok(0) | Err(_) => Err(TargetError::Port(p.to_string())),
        Ok(port) => Ok(port),
    }
}

fn normalise_host(host: &str) -> Result<String, TargetError> {
    pinwatch_knowledge::host::normalise(host).map_err(|e| TargetError::Host(e.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Result<Target, TargetError> {
        s.parse()
    }

    #[test]
    fn parses_the_three_forms() {
        assert_eq!(
            t("chatgpt.com").unwrap(),
            Target::new("chatgpt.com", 443).unwrap()
        );
        assert_eq!(
            t("WX.QQ.com.:8443").unwrap(),
            Target::new("wx.qq.com", 8443).unwrap()
        );
        assert_eq!(
            t("https://user@chat.openai.com:444/c/1?x#y").unwrap(),
            Target::new("chat.openai.com", 444).unwrap()
        );
        assert_eq!(t("https://qq.com/").unwrap().port, 443);
        assert_eq!(t("[::1]:8443").unwrap(), Target::new("::1", 8443).unwrap());
        assert_eq!(t("::1").unwrap().authority(), "[::1]:443");
    }

    #[test]
    fn rejects_bad_targets_with_a_reason() {
        assert_eq!(t(""), Err(TargetError::Empty));
        assert_eq!(t("http://qq.com"), Err(TargetError::Scheme("http".into())));
        assert_eq!(t("qq.com:0"), Err(TargetError::Port("0".into())));
        assert_eq!(t("qq.com:99999"), Err(TargetError::Port("99999".into())));
        assert_eq!(t("qq.com:abc"), Err(TargetError::Port("abc".into())));
        assert!(matches!(t("bad host"), Err(TargetError::Host(_))));
        assert!(matches!(t("-x.com"), Err(TargetError::Host(_))));
    }

    #[test]
    fn connect_to_routes_like_curl() {
        let c: ConnectTo = "chatgpt.com:443:127.0.0.1:8443".parse().unwrap();
        let target = Target::new("chatgpt.com", 443).unwrap();
        assert_eq!(c.route(&target), Some(("127.0.0.1".into(), 8443)));
        assert_eq!(c.route(&Target::new("qq.com", 443).unwrap()), None);
        let any: ConnectTo = "::[::1]:".parse().unwrap();
        assert_eq!(any.route(&target), Some(("::1".into(), 443)));
        assert!("a:1:b".parse::<ConnectTo>().is_err());
        assert!("a:1::2".parse::<ConnectTo>().is_err());
    }
}
