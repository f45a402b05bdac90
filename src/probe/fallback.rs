//! The fallback probe: reading the certificate chain without a TLS library,
//! for a peer whose handshake rustls refused before it had the chain (a
//! handshake message over the 64 KiB TLS libraries accept, a cipher suite
//! or signature algorithm rustls lacks). An interceptor chooses every byte
//! of its chain, so no chain shape may hide it: what rustls refuses is read
//! here and judged all the same.
//!
//! Over a fresh connection (opened by the caller, by the same route) it
//! sends a ClientHello of its own offering only TLS 1.2, where the
//! Certificate message travels in the clear (as OONI-style measurement
//! tools fall back), with a broad set of cipher suites, groups and
//! signature algorithms so that any server answers with its certificate;
//! then it reads records, reassembles the Certificate message up to
//! [`MESSAGE_CAP`] and [`CERTIFICATE_CAP`] certificates, parses its list
//! defensively and hangs up. A server that speaks only TLS 1.3 gets a TLS
//! 1.3 ClientHello instead ([`Offer::Tls13`]), answered once more with a
//! share of the group it asks for if it sends a HelloRetryRequest, and its
//! encrypted Certificate is read with a key schedule of pinwatch's own
//! ([`super::tls13`]). Nothing is verified: the peer is not shown to hold
//! the leaf's key, which the observation records.

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::tls13;
use crate::observation::FallbackRead;
use rustls_pki_types::CertificateDer;

/// The most of a Certificate message kept (its start, when it is larger).
pub const MESSAGE_CAP: usize = 1024 * 1024;

/// The most certificates taken from one message.
pub const CERTIFICATE_CAP: usize = 1000;

/// A TLS record's largest payload (2^14, plus the expansion TLS allows).
const RECORD_CAP: usize = 16384 + 2048;

/// TLS 1.2 cipher suites: every AEAD, CBC and RSA key exchange a server
/// might insist on, so that it sends its certificate.
const CIPHER_SUITES: &[u16] = &[
    0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc009, 0xc013, 0xc00a, 0xc014, 0xc023, 0xc027,
    0xc024, 0xc028, 0x009e, 0x009f, 0xccaa, 0x0033, 0x0039, 0x009c, 0x009d, 0x002f, 0x0035, 0x003c,
    0x003d, 0xc012, 0xc008, 0x0016, 0x000a,
];

/// Signature algorithms, the ones rustls lacks included (P-521, SHA-1,
/// Ed448, SHA-224).
const SIGNATURE_ALGORITHMS: &[u16] = &[
    0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601, 0x0603, 0x0807, 0x0808, 0x0809,
    0x080a, 0x080b, 0x0303, 0x0301, 0x0302, 0x0203, 0x0201, 0x0202,
];

/// x25519, secp256r1, secp384r1, secp521r1, ffdhe2048, ffdhe3072.
const GROUPS: &[u16] = &[0x001d, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101];

/// Which TLS the ClientHello offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Offer {
    /// TLS 1.2 only: the Certificate message in the clear.
    Tls12,
    /// TLS 1.3 only, with X25519 and P-256 key shares (and another
    /// group's when a HelloRetryRequest asks for it).
    Tls13,
}

/// What the fallback read: the facts, and the chain as the peer sent it.
#[derive(Clone, Debug, Default)]
pub struct Read {
    /// The facts for the observation.
    pub facts: FallbackRead,
    /// The certificates, leaf first (possibly only the message's start).
    pub chain: Vec<CertificateDer<'static>>,
}

/// Sends the ClientHello for `host` on `stream` and reads the peer's
/// Certificate message. Never panics on what the peer sends; the error is
/// in words.
pub async fn read_chain<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    host: &str,
    offer: Offer,
) -> Result<Read, String> {
    let mut random = [0u8; 64];
    let _ = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut random);
    let mut tls13 = match offer {
        Offer::Tls12 => None,
        Offer::Tls13 => Some(Tls13::new(tls13::KeyShares::new()?)),
    };
    let hello = client_hello(host, &random, tls13.as_ref().map(|t| (&t.shares, None)));
    send(stream, &hello).await?;
    if let Some(t) = tls13.as_mut() {
        t.transcript.extend_from_slice(&hello[5..]);
    }
    let mut reader = Handshake {
        stream,
        pending: Vec::new(),
        decrypter: None,
    };
    let mut read = Read::default();
    loop {
        let (kind, length) = reader.header().await?;
        match kind {
            // ServerHello: the version the peer chose, and for TLS 1.3
            // the key to read the rest with.
            2 => {
                if length > 4096 {
                    return Err("a ServerHello over 4 KiB".into());
                }
                let body = reader.body(length, length).await?;
                read.facts.version = Some(version_name(&body));
                let Some(mut t) = tls13.take() else { continue };
                let server = tls13::parse_server_hello(&body)
                    .ok_or_else(|| "a malformed ServerHello".to_string())?;
                if server.retry {
                    // Once: the same hello again, with a share of the
                    // group it asks for (and its cookie).
                    let second = t.retry(&server, &body, host, &random)?;
                    send(reader.stream, &second).await?;
                    t.transcript.extend_from_slice(&second[5..]);
                    tls13 = Some(t);
                    continue;
                }
                if t.retried_with.is_some_and(|suite| suite != server.suite) {
                    return Err(
                        "the server changed its cipher suite after asking for another key exchange"
                            .into(),
                    );
                }
                if server.tls13 {
                    t.transcript.extend_from_slice(&message(2, &body));
                    reader.decrypter =
                        Some(tls13::Decrypter::new(t.shares, &server, &t.transcript)?);
                    read.facts.version = Some("TLSv1.3".into());
                }
            }
            11 => {
                read.facts.message_len = Some(length);
                let kept = length.min(MESSAGE_CAP);
                let body = reader.body(length, kept).await?;
                read.facts.capped = length > MESSAGE_CAP;
                // TLS 1.3: a request context first, extensions per entry.
                let tls13 = reader.decrypter.is_some();
                let list = if tls13 {
                    let context = usize::from(body.first().copied().unwrap_or_default());
                    body.get(1 + context..).unwrap_or_default()
                } else {
                    &body[..]
                };
                let (chain, count_capped) = certificate_list(list, tls13);
                read.facts.capped |= count_capped;
                read.facts.certificates = chain.len();
                read.chain = chain;
                return Ok(read);
            }
            // ServerKeyExchange or ServerHelloDone first: no certificate.
            12 | 14 => return Err("the peer sent no certificate".into()),
            // HelloRequest, certificate status and the like: not wanted.
            _ => reader.skip(length).await?,
        }
    }
}

/// A TLS 1.3 offer's state: the client's keys and the transcript so far.
struct Tls13 {
    shares: tls13::KeyShares,
    /// The handshake messages so far (after a HelloRetryRequest, from the
    /// synthetic `message_hash` on).
    transcript: Vec<u8>,
    /// The cipher suite of the HelloRetryRequest answered, if one was.
    retried_with: Option<u16>,
}

impl Tls13 {
    fn new(shares: tls13::KeyShares) -> Tls13 {
        Tls13 {
            shares,
            transcript: Vec::new(),
            retried_with: None,
        }
    }

    /// Answers the HelloRetryRequest `server` (its body `body`): a fresh
    /// key of the group it asks for, the transcript restarted from the
    /// first hello's hash, and the second ClientHello (the first one's
    /// random and session id, the cookie echoed) to send. A second
    /// HelloRetryRequest, or one for a group not offered, is an error.
    fn retry(
        &mut self,
        server: &tls13::ServerHello,
        body: &[u8],
        host: &str,
        random: &[u8; 64],
    ) -> Result<Vec<u8>, String> {
        if self.retried_with.is_some() {
            return Err("the server asked for another key exchange twice".into());
        }
        let group = server.retry_group.ok_or_else(|| {
            "the server asked for another key exchange and named no group".to_string()
        })?;
        self.shares = tls13::KeyShares::retry(group)?;
        let mut transcript = tls13::synthetic_transcript(server.suite, &self.transcript)?;
        transcript.extend_from_slice(&message(2, body));
        self.transcript = transcript;
        self.retried_with = Some(server.suite);
        Ok(client_hello(
            host,
            random,
            Some((&self.shares, server.cookie.as_deref())),
        ))
    }
}

/// Writes `bytes` (a ClientHello) to `stream`.
async fn send<S: AsyncWrite + Unpin>(stream: &mut S, bytes: &[u8]) -> Result<(), String> {
    stream
        .write_all(bytes)
        .await
        .map_err(|e| format!("sending the ClientHello: {}", super::error::io_detail(&e)))
}

/// A handshake message of `kind` with `body`, its header included.
fn message(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![kind];
    out.extend_from_slice(&u24(body.len()));
    out.extend_from_slice(body);
    out
}

/// The ClientHello, in one record, with `random` (32 bytes of random, 32
/// of session id): TLS 1.2 only, or with `tls13` (the key shares and a
/// HelloRetryRequest's cookie to echo) TLS 1.3 only.
fn client_hello(
    host: &str,
    random: &[u8; 64],
    tls13: Option<(&tls13::KeyShares, Option<&[u8]>)>,
) -> Vec<u8> {
    let mut ext = Vec::new();
    if host.parse::<std::net::IpAddr>().is_err() {
        let name = host.as_bytes();
        let mut list = vec![0u8];
        push_u16_prefixed(&mut list, name);
        let mut sni = Vec::new();
        push_u16_prefixed(&mut sni, &list);
        extension(&mut ext, 0x0000, &sni);
    }
    match tls13 {
        None => extension(&mut ext, 0x000a, &u16_list(GROUPS)),
        Some((shares, cookie)) => {
            extension(&mut ext, 0x000a, &u16_list(tls13::GROUPS));
            extension(&mut ext, 0x002b, &[2, 3, 4]);
            extension(&mut ext, 0x0033, &shares.extension());
            if let Some(cookie) = cookie {
                extension(&mut ext, 0x002c, cookie);
            }
        }
    }
    extension(&mut ext, 0x000b, &[1, 0]);
    extension(&mut ext, 0x000d, &u16_list(SIGNATURE_ALGORITHMS));
    extension(&mut ext, 0x0017, &[]);
    extension(&mut ext, 0xff01, &[0]);
    let mut alpn_list = Vec::new();
    for proto in [&b"h2"[..], b"http/1.1"] {
        alpn_list.push(proto.len() as u8);
        alpn_list.extend_from_slice(proto);
    }
    let mut alpn = Vec::new();
    push_u16_prefixed(&mut alpn, &alpn_list);
    extension(&mut ext, 0x0010, &alpn);

    let mut hello = vec![0x03, 0x03];
    hello.extend_from_slice(&random[..32]);
    hello.push(32);
    hello.extend_from_slice(&random[32..]);
    let suites = match tls13 {
        None => CIPHER_SUITES,
        Some(_) => tls13::CIPHER_SUITES,
    };
    hello.extend_from_slice(&u16_list(suites));
    hello.extend_from_slice(&[1, 0]);
    push_u16_prefixed(&mut hello, &ext);

    let handshake = message(1, &hello);
    let mut record = vec![0x16, 0x03, 0x01];
    record.extend_from_slice(&(handshake.len() as u16).to_be_bytes());
    record.extend_from_slice(&handshake);
    record
}

fn extension(out: &mut Vec<u8>, kind: u16, data: &[u8]) {
    out.extend_from_slice(&kind.to_be_bytes());
    push_u16_prefixed(out, data);
}

fn push_u16_prefixed(out: &mut Vec<u8>, data: &[u8]) {
    out.extend_from_slice(&(data.len() as u16).to_be_bytes());
    out.extend_from_slice(data);
}

fn u16_list(values: &[u16]) -> Vec<u8> {
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_be_bytes()).collect();
    let mut out = Vec::with_capacity(bytes.len() + 2);
    push_u16_prefixed(&mut out, &bytes);
    out
}

fn u24(n: usize) -> [u8; 3] {
    [(n >> 16) as u8, (n >> 8) as u8, n as u8]
}

fn read_u24(b: &[u8]) -> usize {
    b.iter()
        .take(3)
        .fold(0, |acc, &x| acc << 8 | usize::from(x))
}

/// `0x0303` → `TLSv1.2`.
fn version_name(body: &[u8]) -> String {
    match body {
        [3, 3, ..] => "TLSv1.2".into(),
        [3, 2, ..] => "TLSv1.1".into(),
        [3, 1, ..] => "TLSv1.0".into(),
        [a, b, ..] => format!("0x{a:02x}{b:02x}"),
        _ => "?".into(),
    }
}

/// The certificates of a Certificate message's list (or of its start):
/// every entry that is there whole, at most [`CERTIFICATE_CAP`]; and
/// whether the count cap cut the list. TLS 1.3 entries carry extensions.
fn certificate_list(body: &[u8], tls13: bool) -> (Vec<CertificateDer<'static>>, bool) {
    let mut chain = Vec::new();
    let Some(list) = body.get(3..) else {
        return (chain, false);
    };
    let declared = read_u24(body);
    let mut rest = &list[..declared.min(list.len())];
    while rest.len() >= 3 {
        let len = read_u24(rest);
        let Some(der) = rest.get(3..3 + len) else {
            break;
        };
        if chain.len() == CERTIFICATE_CAP {
            return (chain, true);
        }
        chain.push(CertificateDer::from(der.to_vec()));
        rest = &rest[3 + len..];
        if tls13 {
            let Some(ext) = rest.get(..2) else { break };
            let skip = 2 + usize::from(u16::from_be_bytes([ext[0], ext[1]]));
            rest = rest.get(skip..).unwrap_or_default();
        }
    }
    (chain, false)
}

/// Handshake messages out of a stream of records.
struct Handshake<'s, S> {
    stream: &'s mut S,
    /// Handshake bytes read but not taken yet.
    pending: Vec<u8>,
    /// TLS 1.3, after the ServerHello: the server's handshake key.
    decrypter: Option<tls13::Decrypter>,
}

impl<S: AsyncRead + Unpin> Handshake<'_, S> {
    /// The next record's handshake bytes, appended to `pending`.
    async fn record(&mut self) -> Result<(), String> {
        let mut header = [0u8; 5];
        self.stream
            .read_exact(&mut header)
            .await
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::UnexpectedEof => "the peer closed the connection".to_string(),
                _ => super::error::io_detail(&e),
            })?;
        let length = usize::from(u16::from_be_bytes([header[3], header[4]]));
        if header[1] != 3 || length > RECORD_CAP {
            return Err("the peer does not answer in TLS records".into());
        }
        let mut payload = vec![0u8; length];
        self.stream
            .read_exact(&mut payload)
            .await
            .map_err(|e| super::error::io_detail(&e))?;
        let (kind, payload) = match (header[0], self.decrypter.as_mut()) {
            (23, Some(decrypter)) => decrypter.open(&header, payload)?,
            (kind, _) => (kind, payload),
        };
        match kind {
            22 => {
                self.pending.extend_from_slice(&payload);
                Ok(())
            }
            // TLS 1.3's change_cipher_spec, sent for middleboxes.
            20 => Ok(()),
            21 => Err(match payload.as_slice() {
                [_, description] => format!("TLS alert received: {}", alert_name(*description)),
                _ => "a malformed TLS alert".into(),
            }),
            other => Err(format!("an unexpected TLS record (type {other})")),
        }
    }

    /// At least `n` bytes pending.
    async fn fill(&mut self, n: usize) -> Result<(), String> {
        while self.pending.len() < n {
            self.record().await?;
        }
        Ok(())
    }

    /// The next message's type and declared length.
    async fn header(&mut self) -> Result<(u8, usize), String> {
        self.fill(4).await?;
        let kind = self.pending[0];
        let length = read_u24(&self.pending[1..4]);
        self.pending.drain(..4);
        Ok((kind, length))
    }

    /// The first `keep` bytes of a message body of `length`; the rest of
    /// the body is not read (the caller hangs up, or skips it).
    async fn body(&mut self, length: usize, keep: usize) -> Result<Vec<u8>, String> {
        let keep = keep.min(length);
        self.fill(keep).await?;
        Ok(self.pending.drain(..keep).collect())
    }

    /// Skips `n` bytes of handshake data, holding at most a record at a time.
    async fn skip(&mut self, mut n: usize) -> Result<(), String> {
        loop {
            let take = n.min(self.pending.len());
            self.pending.drain(..take);
            n -= take;
            if n == 0 {
                return Ok(());
            }
            self.record().await?;
        }
    }
}

/// A TLS alert's name (RFC 8446 spelling), for the ones a server sends
/// to a ClientHello it does not like.
fn alert_name(description: u8) -> String {
    match description {
        10 => "unexpected_message".into(),
        40 => "handshake_failure".into(),
        47 => "illegal_parameter".into(),
        50 => "decode_error".into(),
        70 => "protocol_version".into(),
        71 => "insufficient_security".into(),
        80 => "internal_error".into(),
        86 => "inappropriate_fallback".into(),
        112 => "unrecognized_name".into(),
        120 => "no_application_protocol".into(),
        other => format!("alert {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(f)
    }

    /// Records of at most 16 KiB carrying `messages`.
    fn records(messages: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        for chunk in messages.chunks(16384) {
            out.extend_from_slice(&[22, 3, 3]);
            out.extend_from_slice(&(chunk.len() as u16).to_be_bytes());
            out.extend_from_slice(chunk);
        }
        out
    }

    fn certificate_message(certs: &[Vec<u8>]) -> Vec<u8> {
        let list: Vec<u8> = certs
            .iter()
            .flat_map(|c| u24(c.len()).into_iter().chain(c.iter().copied()))
            .collect();
        let mut body = u24(list.len()).to_vec();
        body.extend(list);
        let mut msg = vec![11];
        msg.extend_from_slice(&u24(body.len()));
        msg.extend(body);
        msg
    }

    async fn answer(bytes: Vec<u8>) -> Result<Read, String> {
        let (mut client, mut server) = tokio::io::duplex(1 << 20);
        let serve = tokio::spawn(async move {
            let mut hello = [0u8; 5];
            let _ = server.read_exact(&mut hello).await;
            let len = usize::from(u16::from_be_bytes([hello[3], hello[4]]));
            let mut rest = vec![0u8; len];
            let _ = server.read_exact(&mut rest).await;
            let _ = server.write_all(&bytes).await;
            rest
        });
        let got = read_chain(&mut client, "chat.example", Offer::Tls12).await;
        drop(client);
        let hello = serve.await.expect("server");
        assert_eq!(hello[0], 1, "a ClientHello");
        assert!(
            hello.windows(12).any(|w| w == b"chat.example"),
            "SNI is sent"
        );
        got
    }

    /// The extensions of a ClientHello record: (type, data).
    fn hello_extensions(record: &[u8]) -> Vec<(u16, Vec<u8>)> {
        let body = &record[9..];
        let session = usize::from(body[34]);
        let mut at = 35 + session;
        let suites = usize::from(u16::from_be_bytes([body[at], body[at + 1]]));
        at += 2 + suites;
        at += 1 + usize::from(body[at]);
        let end = at + 2 + usize::from(u16::from_be_bytes([body[at], body[at + 1]]));
        at += 2;
        let mut out = Vec::new();
        while at < end {
            let kind = u16::from_be_bytes([body[at], body[at + 1]]);
            let len = usize::from(u16::from_be_bytes([body[at + 2], body[at + 3]]));
            out.push((kind, body[at + 4..at + 4 + len].to_vec()));
            at += 4 + len;
        }
        out
    }

    /// The groups of a key_share extension's data.
    fn share_groups(data: &[u8]) -> Vec<u16> {
        let mut groups = Vec::new();
        let mut rest = &data[2..];
        while rest.len() >= 4 {
            groups.push(u16::from_be_bytes([rest[0], rest[1]]));
            let len = usize::from(u16::from_be_bytes([rest[2], rest[3]]));
            rest = &rest[4 + len..];
        }
        groups
    }

    /// A HelloRetryRequest for `group`, with a cookie.
    fn retry_request(group: u16, session: &[u8]) -> Vec<u8> {
        let mut body = vec![3, 3];
        body.extend([
            0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65,
            0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2,
            0xc8, 0xa8, 0x33, 0x9c,
        ]);
        body.push(session.len() as u8);
        body.extend_from_slice(session);
        body.extend([0x13, 0x01, 0]);
        let mut ext = Vec::new();
        extension(&mut ext, 0x002b, &[3, 4]);
        extension(&mut ext, 0x0033, &group.to_be_bytes());
        extension(&mut ext, 0x002c, &[0, 3, 0xc0, 0x0c, 0x1e]);
        push_u16_prefixed(&mut body, &ext);
        records(&message(2, &body))
    }

    /// A ClientHello record read from `server`; `None` when the client
    /// hung up instead.
    async fn read_hello(server: &mut tokio::io::DuplexStream) -> Option<Vec<u8>> {
        let mut header = [0u8; 5];
        server.read_exact(&mut header).await.ok()?;
        let mut rest = vec![0u8; usize::from(u16::from_be_bytes([header[3], header[4]]))];
        server.read_exact(&mut rest).await.ok()?;
        let mut record = header.to_vec();
        record.extend(rest);
        Some(record)
    }

    /// A TLS 1.3 server that answers `retries` ClientHellos with a
    /// HelloRetryRequest for `group`, and the next one with an alert; the
    /// ClientHellos it read, and the client's result.
    fn retried(group: u16, retries: usize) -> (Vec<Vec<u8>>, Result<Read, String>) {
        run(async move {
            let (mut client, mut server) = tokio::io::duplex(1 << 20);
            let serve = tokio::spawn(async move {
                let mut hellos = Vec::new();
                for i in 0..=retries {
                    let Some(hello) = read_hello(&mut server).await else {
                        break;
                    };
                    let session = hello[9 + 35..9 + 35 + usize::from(hello[9 + 34])].to_vec();
                    hellos.push(hello);
                    let answer = if i < retries {
                        retry_request(group, &session)
                    } else {
                        vec![21, 3, 3, 0, 2, 2, 40]
                    };
                    let _ = server.write_all(&answer).await;
                }
                hellos
            });
            let got = read_chain(&mut client, "chat.example", Offer::Tls13).await;
            drop(client);
            (serve.await.expect("server"), got)
        })
    }

    #[test]
    fn a_hello_retry_request_is_answered_once_with_a_share_of_its_group() {
        for group in [0x001d, 0x0017, 0x0018] {
            let (hellos, got) = retried(group, 1);
            assert_eq!(
                got.err().as_deref(),
                Some("TLS alert received: handshake_failure"),
                "the second hello was sent and the server's answer read"
            );
            let [first, second] = &hellos[..] else {
                panic!("two ClientHellos: {hellos:?}");
            };
            let (one, two) = (hello_extensions(first), hello_extensions(second));
            let find = |ext: &[(u16, Vec<u8>)], kind: u16| {
                ext.iter().find(|(k, _)| *k == kind).map(|(_, d)| d.clone())
            };
            assert_eq!(
                find(&one, 0x0033).map(|d| share_groups(&d)),
                Some(vec![0x001d, 0x0017]),
                "X25519 and P-256 shares first"
            );
            assert_eq!(
                find(&two, 0x0033).map(|d| share_groups(&d)),
                Some(vec![group]),
                "one share, of the group asked for"
            );
            assert_eq!(
                find(&two, 0x002c),
                Some(vec![0, 3, 0xc0, 0x0c, 0x1e]),
                "the cookie"
            );
            assert_eq!(find(&one, 0x002c), None);
            assert_eq!(
                find(&one, 0x000a),
                find(&two, 0x000a),
                "the same groups offered"
            );
            assert_eq!(
                first[9 + 2..9 + 67],
                second[9 + 2..9 + 67],
                "the same random and session id"
            );
        }
    }

    #[test]
    fn a_second_retry_or_a_group_not_offered_is_an_error_in_words() {
        let (hellos, got) = retried(0x001d, 2);
        assert_eq!(hellos.len(), 2);
        assert_eq!(
            got.err().as_deref(),
            Some("the server asked for another key exchange twice")
        );
        let (hellos, got) = retried(0x0019, 1);
        assert_eq!(hellos.len(), 1, "no second hello for P-521");
        assert_eq!(
            got.err().as_deref(),
            Some("the server asked for key exchange group 0x0019, which was not offered")
        );
    }

    #[test]
    fn reads_a_chain_over_many_records() {
        let server_hello = [2u8, 0, 0, 2, 3, 3];
        let big = vec![0x30; 70_000];
        let mut bytes = server_hello.to_vec();
        bytes.extend(certificate_message(&[b"leaf".to_vec(), big.clone()]));
        let read = run(answer(records(&bytes))).expect("a chain");
        assert_eq!(read.chain.len(), 2);
        assert_eq!(read.chain[1].as_ref(), big.as_slice());
        assert_eq!(read.facts.version.as_deref(), Some("TLSv1.2"));
        assert_eq!(read.facts.message_len, Some(70_000 + 4 + 3 + 3 + 3));
        assert!(!read.facts.capped);
    }

    #[test]
    fn keeps_the_start_of_a_message_over_the_cap() {
        let certs: Vec<Vec<u8>> = (0..4).map(|_| vec![0x30; 400_000]).collect();
        let read = run(answer(records(&certificate_message(&certs)))).expect("a chain");
        assert!(read.facts.capped);
        assert_eq!(read.chain.len(), 2, "the whole ones within 1 MiB");
        assert!(read.facts.message_len.is_some_and(|n| n > MESSAGE_CAP));
    }

    #[test]
    fn counts_at_most_the_certificate_cap() {
        let certs: Vec<Vec<u8>> = (0..CERTIFICATE_CAP + 5).map(|_| vec![0x30, 0]).collect();
        let read = run(answer(records(&certificate_message(&certs)))).expect("a chain");
        assert_eq!(read.chain.len(), CERTIFICATE_CAP);
        assert!(read.facts.capped);
    }

    #[test]
    fn an_alert_or_junk_is_an_error_in_words() {
        let alert = vec![21, 3, 3, 0, 2, 2, 40];
        assert_eq!(
            run(answer(alert)).err().as_deref(),
            Some("TLS alert received: handshake_failure")
        );
        assert_eq!(
            run(answer(b"HTTP/1.1 400 Bad Request\r\n\r\n".to_vec()))
                .err()
                .as_deref(),
            Some("the peer does not answer in TLS records")
        );
        let mut truncated = certificate_message(&[vec![0x30; 100]]);
        truncated.truncate(50);
        assert_eq!(
            run(answer(records(&truncated))).err().as_deref(),
            Some("the peer closed the connection")
        );
        let done = records(&[14, 0, 0, 0]);
        assert_eq!(
            run(answer(done)).err().as_deref(),
            Some("the peer sent no certificate")
        );
    }
}
