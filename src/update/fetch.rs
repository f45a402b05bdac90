//! Bringing a bundle's bytes from where it is: a file (a USB stick, a file
//! share), an `http://` URL (through `probe::http`), or an `https://` URL
//! whose connection is opened through the probe's recording machinery and
//! judged by the engine like any target before a byte is requested. At
//! most [`BUNDLE_FILE`] bytes are kept, whatever the source announces.

use std::path::PathBuf;
use std::time::Duration;

use pinwatch_knowledge::bundle::BUNDLE_FILE;

use crate::analysis::{Anchor, Assessment, Verdict};
use crate::check::{Judge, TRACE_BUDGET, judge_observation, locate_interceptors};
use crate::probe::http::{self, Url};
use crate::probe::{self, ProbeOptions};
use crate::target::Target;

/// Where a bundle is fetched from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A file.
    File(PathBuf),
    /// An `http://` URL.
    Http(Url),
    /// An `https://` URL: host, port and path (with query).
    Https(Url),
}

impl Source {
    /// A file path, or an `http://` or `https://` URL.
    pub fn parse(text: &str) -> Result<Source, String> {
        let refused = || format!("`{text}`: only files, http:// and https:// URLs can be fetched");
        match text.split_once("://") {
            None => Ok(Source::File(PathBuf::from(text))),
            Some((scheme, _)) if scheme.eq_ignore_ascii_case("http") => Url::parse(text)
                .map(Source::Http)
                .map_err(|_| format!("`{text}` is not a URL pinwatch can fetch")),
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("https") => {
                Url::parse(&format!("http://{rest}"))
                    .map(|mut url| {
                        if !rest
                            .split(['/', '?', '#'])
                            .next()
                            .unwrap_or("")
                            .contains(':')
                        {
                            url.port = 443;
                        }
                        Source::Https(url)
                    })
                    .map_err(|_| format!("`{text}` is not a URL pinwatch can fetch"))
            }
            Some(_) => Err(refused()),
        }
    }

    /// The source as the user wrote it, normalised.
    pub fn shown(&self) -> String {
        match self {
            Source::File(path) => path.display().to_string(),
            Source::Http(url) => url.to_url_string(),
            Source::Https(url) if url.port == 443 => format!("https://{}{}", url.host, url.path),
            Source::Https(url) => format!(
                "https://{}{}",
                crate::target::authority(&url.host, url.port),
                url.path
            ),
        }
    }
}

/// How a fetch went.
#[derive(Debug)]
pub enum Fetched {
    /// The bytes (at most [`BUNDLE_FILE`]).
    Bytes(Vec<u8>),
    /// More than [`BUNDLE_FILE`] bytes: refused without keeping them.
    TooLarge,
    /// The transfer ended before the length the server announced.
    CutShort {
        /// What arrived.
        got: usize,
    },
    /// Nothing could be fetched (no file, no connection, an HTTP error).
    Failed(String),
    /// The HTTPS connection's chain was judged and not trusted: nothing
    /// was requested over it.
    Untrusted(Box<Assessment>),
}

/// Fetches `source` within `timeout`; an `https://` connection is judged
/// with `judge` at `now` first.
pub async fn fetch(
    source: &Source,
    options: &ProbeOptions,
    judge: &Judge,
    now: i64,
    timeout: Duration,
) -> Fetched {
    let cap = usize::try_from(BUNDLE_FILE.bytes).unwrap_or(usize::MAX);
    match source {
        Source::File(path) => match crate::util::read_capped(path, BUNDLE_FILE) {
            Ok(bytes) => Fetched::Bytes(bytes),
            Err(crate::util::ReadError::TooLarge { .. }) => Fetched::TooLarge,
            Err(e) => Fetched::Failed(e.to_string()),
        },
        Source::Http(url) => answer(http::get(url, &options.proxy, cap, timeout).await, cap),
        Source::Https(url) => {
            let target = match Target::new(&url.host, url.port) {
                Ok(t) => t,
                Err(e) => return Fetched::Failed(e.to_string()),
            };
            let (obs, tls) = probe::open(&target, options).await;
            let service = judge.knowledge.service_for_host(&target.host);
            let judged = judge_observation(judge, &obs, service, None, now);
            if judged.verdict == Verdict::Intercepted {
                let mut one = [judged];
                locate_interceptors(&mut one, TRACE_BUDGET, options.timeout).await;
                let [judged] = one;
                return Fetched::Untrusted(Box::new(judged));
            }
            let trusted = judged.verdict == Verdict::Ok
                || (judged.verdict == Verdict::Suspicious && judged.anchor == Anchor::Public);
            let Some(mut tls) = tls.filter(|_| trusted) else {
                if judged.verdict == Verdict::Unreachable {
                    let why = judged
                        .error
                        .as_ref()
                        .map_or_else(|| "no connection".to_string(), ToString::to_string);
                    return Fetched::Failed(why);
                }
                return Fetched::Untrusted(Box::new(judged));
            };
            let exchange = http::exchange(&mut tls, url, &url.path, "", cap);
            let got = tokio::time::timeout(timeout, exchange)
                .await
                .unwrap_or(Err(http::HttpError::Timeout(timeout)));
            answer(got, cap)
        }
    }
}

/// What an HTTP answer brought.
fn answer(got: Result<http::Response, http::HttpError>, cap: usize) -> Fetched {
    match got {
        Err(e) => Fetched::Failed(e.to_string()),
        Ok(r) if r.status != 200 => Fetched::Failed(format!("HTTP status {}", r.status)),
        Ok(r) if !r.complete && r.body.len() >= cap => Fetched::TooLarge,
        Ok(r) if !r.complete => Fetched::CutShort { got: r.body.len() },
        Ok(r) => Fetched::Bytes(r.body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_files_or_http_urls() {
        assert_eq!(
            Source::parse("/media/usb/knowledge.bundle").unwrap(),
            Source::File(PathBuf::from("/media/usb/knowledge.bundle"))
        );
        let Source::Https(url) = Source::parse("https://Updates.Example/k/latest.bundle").unwrap()
        else {
            panic!("https");
        };
        assert_eq!((url.host.as_str(), url.port), ("updates.example", 443));
        assert_eq!(url.path, "/k/latest.bundle");
        assert_eq!(
            Source::parse("https://m.example:8443/b").unwrap().shown(),
            "https://m.example:8443/b"
        );
        assert_eq!(
            Source::parse("http://10.0.0.1/b").unwrap().shown(),
            "http://10.0.0.1:80/b"
        );
        assert_eq!(
            Source::parse("ftp://x/b").unwrap_err(),
            "`ftp://x/b`: only files, http:// and https:// URLs can be fetched"
        );
    }
}
