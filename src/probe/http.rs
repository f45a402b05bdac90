//! Plain HTTP/1.1 GET: the small client pinwatch needs for the
//! captive-portal checks, for a missing intermediate named by a leaf's AIA
//! URL, and for knowledge updates (over a TLS stream the caller has
//! judged first). One request per connection (`Connection: close`), no
//! redirects followed (the caller sees the 3xx and decides), the head
//! capped at 16 KiB and the body at the caller's cap, whatever the peer
//! announces: the peer may be an interceptor.
//!
//! Through an HTTP proxy the request goes in absolute form
//! (`GET http://host/path`), as browsers send plain HTTP through one.

use std::time::Duration;

use thiserror::Error;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use super::proxy::ProxyRoute;
use crate::target::{Target, authority};

/// The most a response head may take.
const HEAD_CAP: usize = 16 * 1024;

/// An `http://` URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    /// Host (a name, or an IP address without brackets).
    pub host: String,
    /// Port (80 unless given).
    pub port: u16,
    /// Path with query, starting with `/`.
    pub path: String,
}

impl Url {
    /// Parses `http://host[:port][/path]`; any other scheme is refused.
    pub fn parse(url: &str) -> Result<Url, HttpError> {
        let bad = || HttpError::Url(url.to_string());
        let (scheme, rest) = url.split_once("://").ok_or_else(bad)?;
        if !scheme.eq_ignore_ascii_case("http") {
            return Err(bad());
        }
        let (hostport, path) = match rest.find(['/', '?', '#']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let path = path.split('#').next().unwrap_or_default();
        let path = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("/{path}")
        };
        if hostport.contains('@') || path.chars().any(|c| c.is_control() || c == ' ') {
            return Err(bad());
        }
        let target = Target::with_default_port(hostport, 80).map_err(|_| bad())?;
        Ok(Url {
            host: target.host,
            port: target.port,
            path,
        })
    }

    /// The URL as text.
    pub fn to_url_string(&self) -> String {
        format!("http://{}{}", authority(&self.host, self.port), self.path)
    }

    /// The target the URL's connection goes to (for proxy selection).
    pub fn target(&self) -> Target {
        Target {
            host: self.host.clone(),
            port: self.port,
        }
    }
}

/// An answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Header fields in order, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body, at most the caller's cap.
    pub body: Vec<u8>,
    /// False when the body was longer than the cap (and cut there), or the
    /// connection ended before the announced length.
    pub complete: bool,
}

impl Response {
    /// The first header field named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a GET failed.
#[derive(Debug, Error)]
pub enum HttpError {
    /// Not an `http://` URL pinwatch can fetch.
    #[error("`{0}` is not an http:// URL")]
    Url(String),
    /// Connecting, reading or writing failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The answer is not HTTP/1.x.
    #[error("the answer is not HTTP ({0})")]
    Malformed(String),
    /// The head was longer than 16 KiB.
    #[error("the answer's header is over 16 KiB")]
    HeadTooLarge,
    /// No answer within the time allowed.
    #[error("no answer within {:.1}s", .0.as_secs_f64())]
    Timeout(Duration),
}

/// GETs `url` directly or through the proxy `route` chooses for it, within
/// `timeout`, keeping at most `cap` bytes of the body.
pub async fn get(
    url: &Url,
    route: &ProxyRoute,
    cap: usize,
    timeout: Duration,
) -> Result<Response, HttpError> {
    let fetch = async {
        match route.for_target(&url.target()) {
            Some(proxy) => {
                let mut stream = TcpStream::connect((proxy.host.as_str(), proxy.port)).await?;
                let auth = proxy.credentials.as_deref().map(|c| {
                    use base64::Engine as _;
                    base64::engine::general_purpose::STANDARD.encode(c)
                });
                let extra = auth
                    .map(|a| format!("Proxy-Authorization: Basic {a}\r\n"))
                    .unwrap_or_default();
                exchange(&mut stream, url, &url.to_url_string(), &extra, cap).await
            }
            None => {
                let mut stream = TcpStream::connect((url.host.as_str(), url.port)).await?;
                exchange(&mut stream, url, &url.path, "", cap).await
            }
        }
    };
    tokio::time::timeout(timeout, fetch)
        .await
        .map_err(|_| HttpError::Timeout(timeout))?
}

/// Sends a GET for `url` (as `request_target`, with `extra_headers`, each
/// ending in CRLF) on `stream` and reads the answer, keeping at most `cap`
/// bytes of the body. For a TLS stream the caller has opened and judged.
pub async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    url: &Url,
    request_target: &str,
    extra_headers: &str,
    cap: usize,
) -> Result<Response, HttpError> {
    let request = format!(
        "GET {request_target} HTTP/1.1\r\nHost: {}\r\nUser-Agent: pinwatch/{}\r\nAccept: */*\r\n{extra_headers}Connection: close\r\n\r\n",
        authority(&url.host, url.port),
        env!("CARGO_PKG_VERSION")
    );
    stream.write_all(request.as_bytes()).await?;
    stream.flush().await?;
    let (head, rest) = read_head(stream).await?;
    let (status, headers) = parse_head(&head)?;
    let mut body = Body {
        stream,
        buffered: rest,
        cap,
        out: Vec::new(),
        complete: true,
    };
    let no_body = (100..200).contains(&status) || status == 204 || status == 304;
    let chunked = headers.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case("transfer-encoding") && v.to_ascii_lowercase().contains("chunked")
    });
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.trim().parse::<u64>())
        .transpose()
        .map_err(|_| HttpError::Malformed("Content-Length is not a number".into()))?;
    if !no_body {
        match (chunked, length) {
            (true, _) => body.chunked().await?,
            (false, Some(n)) => body.exactly(n).await?,
            (false, None) => body.until_close().await?,
        }
    }
    Ok(Response {
        status,
        headers,
        complete: body.complete,
        body: body.out,
    })
}

/// Reads up to the blank line after the head; returns the head and what
/// was read past it.
async fn read_head<S: AsyncRead + Unpin>(stream: &mut S) -> Result<(Vec<u8>, Vec<u8>), HttpError> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        if let Some(end) = find(&buf, b"\r\n\r\n") {
            let rest = buf.split_off(end + 4);
            return Ok((buf, rest));
        }
        if buf.len() > HEAD_CAP {
            return Err(HttpError::HeadTooLarge);
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(if buf.is_empty() {
                HttpError::Io(std::io::ErrorKind::UnexpectedEof.into())
            } else {
                HttpError::Malformed("the connection closed inside the header".into())
            });
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

type Head = (u16, Vec<(String, String)>);

fn parse_head(head: &[u8]) -> Result<Head, HttpError> {
    let mut fields = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut fields);
    match response.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => {
            return Err(HttpError::Malformed("incomplete header".into()));
        }
        Err(e) => return Err(HttpError::Malformed(e.to_string())),
    }
    let status = response
        .code
        .ok_or_else(|| HttpError::Malformed("no status".into()))?;
    let headers = response
        .headers
        .iter()
        .map(|h| {
            (
                h.name.to_string(),
                String::from_utf8_lossy(h.value).into_owned(),
            )
        })
        .collect();
    Ok((status, headers))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The body being read: what the head's read took past the blank line
/// first, then the stream.
struct Body<'s, S> {
    stream: &'s mut S,
    buffered: Vec<u8>,
    cap: usize,
    out: Vec<u8>,
    complete: bool,
}

impl<S: AsyncRead + Unpin> Body<'_, S> {
    /// Up to `max` more bytes (empty at the end of the stream).
    async fn next(&mut self, max: usize) -> Result<Vec<u8>, HttpError> {
        if !self.buffered.is_empty() {
            let take = max.min(self.buffered.len());
            let rest = self.buffered.split_off(take);
            return Ok(std::mem::replace(&mut self.buffered, rest));
        }
        let mut chunk = vec![0u8; max.clamp(1, 16 * 1024)];
        let n = self.stream.read(&mut chunk).await?;
        chunk.truncate(n);
        Ok(chunk)
    }

    /// Keeps `data` up to the cap; false once the cap is passed.
    fn keep(&mut self, data: &[u8]) -> bool {
        let room = self.cap.saturating_sub(self.out.len());
        self.out.extend_from_slice(&data[..data.len().min(room)]);
        if data.len() > room {
            self.complete = false;
        }
        self.complete
    }

    async fn exactly(&mut self, length: u64) -> Result<(), HttpError> {
        if length > self.cap as u64 {
            self.complete = false;
        }
        let mut left = length.min(self.cap as u64);
        while left > 0 {
            let data = self
                .next(usize::try_from(left).unwrap_or(usize::MAX))
                .await?;
            if data.is_empty() {
                self.complete = false;
                return Ok(());
            }
            left -= data.len() as u64;
            self.keep(&data);
        }
        Ok(())
    }

    async fn until_close(&mut self) -> Result<(), HttpError> {
        loop {
            let data = self.next(16 * 1024).await?;
            if data.is_empty() || !self.keep(&data) {
                return Ok(());
            }
        }
    }

    async fn chunked(&mut self) -> Result<(), HttpError> {
        loop {
            let line = self.line().await?;
            let size = line.split(';').next().unwrap_or_default().trim();
            let size = u64::from_str_radix(size, 16)
                .map_err(|_| HttpError::Malformed("bad chunk size".into()))?;
            if size == 0 {
                return Ok(());
            }
            if self.out.len() as u64 + size > self.cap as u64 {
                self.complete = false;
                return Ok(());
            }
            self.exactly(size).await?;
            if !self.complete {
                return Ok(());
            }
            self.line().await?;
        }
    }

    /// One CRLF-terminated line, at most 1 KiB.
    async fn line(&mut self) -> Result<String, HttpError> {
        let mut line = Vec::new();
        while !line.ends_with(b"\r\n") {
            if line.len() > 1024 {
                return Err(HttpError::Malformed("a chunk line over 1 KiB".into()));
            }
            let byte = self.next(1).await?;
            if byte.is_empty() {
                return Err(HttpError::Malformed("the body ended inside a chunk".into()));
            }
            line.extend_from_slice(&byte);
        }
        line.truncate(line.len() - 2);
        Ok(String::from_utf8_lossy(&line).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_http_urls_only() {
        let u = Url::parse("http://crt.example.org/r3.der").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.path.as_str()),
            ("crt.example.org", 80, "/r3.der")
        );
        let u = Url::parse("HTTP://127.0.0.1:8080?x=1#frag").unwrap();
        assert_eq!((u.port, u.path.as_str()), (8080, "/?x=1"));
        assert_eq!(Url::parse("http://h").unwrap().path, "/");
        assert!(Url::parse("https://h/").is_err());
        assert!(Url::parse("ldap://h/").is_err());
        assert!(Url::parse("http://user@h/").is_err());
        assert!(Url::parse("http://h/a b").is_err());
        assert!(Url::parse("http://h/a\r\nX: y").is_err());
    }

    async fn answer(raw: &[u8], cap: usize) -> Result<Response, HttpError> {
        let (mut client, mut server) = tokio::io::duplex(64 * 1024);
        let raw = raw.to_vec();
        let serve = tokio::spawn(async move {
            let mut request = [0u8; 1024];
            let _ = server.read(&mut request).await;
            let _ = server.write_all(&raw).await;
        });
        let url = Url::parse("http://h/x").unwrap();
        let got = exchange(&mut client, &url, "/x", "", cap).await;
        let _ = serve.await;
        got
    }

    fn run<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn reads_bodies_by_length_chunks_and_close() {
        run(async {
            let r = answer(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 100)
                .await
                .unwrap();
            assert_eq!(
                (r.status, r.body.as_slice(), r.complete),
                (200, &b"hello"[..], true)
            );
            let r = answer(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n",
                100,
            )
            .await
            .unwrap();
            assert_eq!((r.body.as_slice(), r.complete), (&b"abcde"[..], true));
            let r = answer(
                b"HTTP/1.0 302 Found\r\nLocation: http://portal/\r\n\r\nlogin",
                100,
            )
            .await
            .unwrap();
            assert_eq!(
                (r.status, r.header("location")),
                (302, Some("http://portal/"))
            );
            assert_eq!(r.body, b"login");
        });
    }

    #[test]
    fn never_keeps_more_than_the_cap() {
        run(async {
            let r = answer(
                b"HTTP/1.1 200 OK\r\nContent-Length: 2000000000\r\n\r\n0123456789",
                4,
            )
            .await
            .unwrap();
            assert_eq!((r.body.as_slice(), r.complete), (&b"0123"[..], false));
            let r = answer(b"HTTP/1.1 200 OK\r\n\r\n0123456789", 4)
                .await
                .unwrap();
            assert_eq!((r.body.as_slice(), r.complete), (&b"0123"[..], false));
            let r = answer(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01", 100)
                .await
                .unwrap();
            assert!(!r.complete, "a short body is not complete");
        });
    }

    #[test]
    fn refuses_what_is_not_http() {
        run(async {
            assert!(matches!(
                answer(b"SSH-2.0-OpenSSH\r\n\r\n", 10).await,
                Err(HttpError::Malformed(_))
            ));
            let huge = format!("HTTP/1.1 200 OK\r\nX: {}\r\n\r\n", "a".repeat(20_000));
            assert!(matches!(
                answer(huge.as_bytes(), 10).await,
                Err(HttpError::HeadTooLarge)
            ));
            assert!(matches!(answer(b"", 10).await, Err(HttpError::Io(_))));
        });
    }
}
