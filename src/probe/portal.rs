//! Captive-portal detection by plain-HTTP connectivity checks, the way
//! operating systems do it: fetch a URL whose answer is known (`204 No
//! Content`, or a fixed body) and see whether the network answers with
//! something else (a redirect or a login page).
//!
//! It only runs when some target presented a certificate that does not
//! name the host, so an ordinary check sends no plain HTTP at all.

use std::time::Duration;

use super::http::{self, HttpError, Url};
use super::proxy::ProxyRoute;
use crate::target::{Target, authority};

/// A connectivity-check URL and the answer expected when there is no portal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortalCheck {
    /// Host to connect to.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Path with query.
    pub path: String,
    /// What a portal-free network answers.
    pub expect: Expect,
}

/// The answer a portal-free network gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// `204 No Content`.
    NoContent,
    /// `200` with a body containing this text.
    Body(String),
}

pub use crate::observation::PortalEvidence;

impl PortalCheck {
    /// Parses `http://host[:port]/path`; the expected answer is `204`.
    pub fn parse(url: &str) -> Result<Self, String> {
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| format!("portal check URL `{url}` must start with http://"))?;
        let (hostport, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let t = Target::with_default_port(hostport, 80)
            .map_err(|e| format!("portal check URL `{url}`: {e}"))?;
        Ok(PortalCheck {
            host: t.host,
            port: t.port,
            path: path.to_string(),
            expect: Expect::NoContent,
        })
    }

    /// The checks operating systems use, reachable from mainland China too.
    pub fn defaults() -> Vec<PortalCheck> {
        let check = |host: &str, path: &str, expect: Expect| PortalCheck {
            host: host.into(),
            port: 80,
            path: path.into(),
            expect,
        };
        vec![
            check(
                "captive.apple.com",
                "/hotspot-detect.html",
                Expect::Body("Success".into()),
            ),
            check(
                "www.msftconnecttest.com",
                "/connecttest.txt",
                Expect::Body("Microsoft Connect Test".into()),
            ),
            check(
                "connectivitycheck.gstatic.com",
                "/generate_204",
                Expect::NoContent,
            ),
        ]
    }

    fn url(&self) -> String {
        format!("http://{}{}", authority(&self.host, self.port), self.path)
    }
}

/// Runs all checks concurrently, each within `timeout`.
pub async fn detect(
    checks: &[PortalCheck],
    proxy: &ProxyRoute,
    timeout: Duration,
) -> PortalEvidence {
    let mut set = tokio::task::JoinSet::new();
    for (i, check) in checks.iter().cloned().enumerate() {
        let proxy = proxy.clone();
        set.spawn(async move {
            let seen = match tokio::time::timeout(timeout, fetch(&check, &proxy)).await {
                Ok(Ok((status, location, body))) => {
                    judge(&check, status, location.as_deref(), &body)
                }
                Ok(Err(e)) => (false, format!("{}: no answer ({e})", check.url())),
                Err(_) => (
                    false,
                    format!("{}: no answer within {}s", check.url(), timeout.as_secs()),
                ),
            };
            (i, seen)
        });
    }
    let mut results = Vec::with_capacity(checks.len());
    while let Some(joined) = set.join_next().await {
        if let Ok(result) = joined {
            results.push(result);
        }
    }
    results.sort_by_key(|(i, _)| *i);
    PortalEvidence {
        detected: results.iter().any(|(_, (portal, _))| *portal),
        details: results.into_iter().map(|(_, (_, d))| d).collect(),
    }
}

/// `(portal detected, what was seen)` for one answer.
fn judge(c: &PortalCheck, status: u16, location: Option<&str>, body: &str) -> (bool, String) {
    let url = c.url();
    let expected = match &c.expect {
        Expect::NoContent => status == 204,
        Expect::Body(text) => status == 200 && body.contains(text.as_str()),
    };
    if expected {
        (false, format!("{url}: answered as expected (no portal)"))
    } else if (300..400).contains(&status) {
        (
            true,
            format!(
                "{url}: redirected ({status}) to {}",
                location.unwrap_or("?")
            ),
        )
    } else {
        (
            true,
            format!("{url}: answered {status} with a page instead of the expected answer"),
        )
    }
}

/// GETs the check URL; returns status, Location header and up to 4 KiB of body.
async fn fetch(
    c: &PortalCheck,
    proxy: &ProxyRoute,
) -> Result<(u16, Option<String>, String), HttpError> {
    let url = Url {
        host: c.host.clone(),
        port: c.port,
        path: c.path.clone(),
    };
    // The outer timeout in `detect` bounds it.
    let answer = http::get(&url, proxy, 4096, Duration::MAX).await?;
    Ok((
        answer.status,
        answer.header("location").map(str::to_string),
        String::from_utf8_lossy(&answer.body).into_owned(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_check_urls() {
        let c = PortalCheck::parse("http://127.0.0.1:8080/generate_204").unwrap();
        assert_eq!(
            (c.host.as_str(), c.port, c.path.as_str()),
            ("127.0.0.1", 8080, "/generate_204")
        );
        assert_eq!(PortalCheck::parse("http://example.org").unwrap().path, "/");
        assert!(PortalCheck::parse("https://example.org/").is_err());
    }

    #[test]
    fn judges_answers() {
        let c = PortalCheck::parse("http://h/generate_204").unwrap();
        assert!(!judge(&c, 204, None, "").0);
        assert!(judge(&c, 302, Some("http://login.portal/"), "").0);
        assert!(judge(&c, 200, None, "<html>login</html>").0);
        let apple = &PortalCheck::defaults()[0];
        assert!(!judge(apple, 200, None, "<HTML><BODY>Success</BODY></HTML>").0);
        assert!(judge(apple, 200, None, "<html>Welcome to Café WiFi</html>").0);
    }
}
