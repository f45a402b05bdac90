//! Loopback servers the tests point pinwatch at: TLS servers with a fixed or
//! forged certificate, CONNECT proxies that intercept or tunnel, servers that
//! misbehave, and a plain-HTTP connectivity-check endpoint. Each runs on a
//! shared background tokio runtime, bound to 127.0.0.1:0, and stops (with
//! all its connections) when its [`Server`] guard is dropped.

use std::collections::HashMap;
use std::future::Future;
use std::net::{SocketAddr, TcpListener as StdListener};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use rustls::ServerConfig;
use rustls::crypto::CryptoProvider;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

use rustls_pki_types::CertificateDer;

use super::pki::{Ca, Leaf};

/// What a server has seen, for assertions (e.g. the CONNECT requests a proxy got).
pub type Log = Arc<Mutex<Vec<String>>>;

fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("test-servers")
            .enable_all()
            .build()
            .expect("build the test servers' runtime")
    })
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A running loopback server; dropping it stops it and every open connection.
pub struct Server {
    addr: SocketAddr,
    log: Log,
    accepted: Arc<std::sync::atomic::AtomicUsize>,
    task: JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A listening socket: TCP, or a socket file.
trait Listener: Send + 'static {
    type Stream: Send + 'static;
    fn accept_one(&self) -> impl Future<Output = std::io::Result<Self::Stream>> + Send;
}

impl Listener for TcpListener {
    type Stream = TcpStream;
    async fn accept_one(&self) -> std::io::Result<TcpStream> {
        self.accept().await.map(|(s, _)| s)
    }
}

impl Listener for tokio::net::UnixListener {
    type Stream = tokio::net::UnixStream;
    async fn accept_one(&self) -> std::io::Result<Self::Stream> {
        self.accept().await.map(|(s, _)| s)
    }
}

/// Serves every connection `listener` accepts with `serve`, until the task
/// is aborted; dropping its connection set then ends every connection.
async fn accept_loop<L, H, F>(listener: L, serve: H)
where
    L: Listener,
    H: Fn(L::Stream) -> F + Send + 'static,
    F: Future<Output = ()> + Send + 'static,
{
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept_one() => match accepted {
                Ok(stream) => {
                    connections.spawn(serve(stream));
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

impl Server {
    /// Serves every accepted connection with `handler` until dropped.
    pub fn start<H, F>(handler: H) -> Server
    where
        H: Fn(TcpStream, Log) -> F + Send + 'static,
        F: Future<Output = ()> + Send + 'static,
    {
        let std_listener = StdListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        std_listener
            .set_nonblocking(true)
            .expect("make the listener non-blocking");
        let addr = std_listener.local_addr().expect("listener address");
        let log = Log::default();
        let task_log = log.clone();
        let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = accepted.clone();
        let _entered = runtime().enter();
        let listener = TcpListener::from_std(std_listener).expect("register the listener");
        let task = runtime().spawn(accept_loop(listener, move |stream| {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            handler(stream, task_log.clone())
        }));
        Server {
            addr,
            log,
            accepted,
            task,
        }
    }

    /// A TLS server presenting `leaf`.
    pub fn tls(leaf: &Leaf) -> Server {
        let acceptor = acceptor(Arc::new(Fixed::new(leaf)));
        Server::start(move |stream, _| serve_tls(stream, acceptor.clone()))
    }

    /// A TLS server presenting `key`'s chain as it is, whatever it holds
    /// (the x509-limbo cases: chains no CA would issue).
    pub fn tls_key(key: Arc<CertifiedKey>) -> Server {
        let acceptor = acceptor(Arc::new(Fixed(key)));
        Server::start(move |stream, _| serve_tls(stream, acceptor.clone()))
    }

    /// A TLS server that forges a leaf for whatever SNI it receives, signed
    /// by `ca` (an interception middlebox).
    pub fn forging(ca: Arc<Ca>) -> Server {
        let acceptor = acceptor(Arc::new(Forger::new(ca)));
        Server::start(move |stream, _| serve_tls(stream, acceptor.clone()))
    }

    /// [`Server::forging`], but a new leaf (and leaf key) for every
    /// connection, as some forgers make them: only the CA is the same.
    pub fn forging_with_fresh_keys(ca: Arc<Ca>) -> Server {
        let acceptor = acceptor(Arc::new(Forger {
            fresh: true,
            ..Forger::new(ca)
        }));
        Server::start(move |stream, _| serve_tls(stream, acceptor.clone()))
    }

    /// An HTTP CONNECT proxy that answers `200 Connection established` and
    /// then terminates TLS itself with leaves forged by `ca`.
    pub fn intercepting_proxy(ca: Arc<Ca>) -> Server {
        let acceptor = acceptor(Arc::new(Forger::new(ca)));
        Server::start(move |mut stream, log| {
            let acceptor = acceptor.clone();
            async move {
                if accept_connect(&mut stream, &log).await.is_some() {
                    serve_tls(stream, acceptor).await;
                }
            }
        })
    }

    /// An HTTP CONNECT proxy that tunnels bytes to the requested address.
    /// It only tunnels to 127.0.0.1 and refuses anything else with 403.
    pub fn tunnel_proxy() -> Server {
        Server::start(|mut stream, log| async move {
            let Some(authority) = accept_connect_to_loopback(&mut stream, &log).await else {
                return;
            };
            if let Ok(mut upstream) = TcpStream::connect(authority.as_str()).await {
                let _ = tokio::io::copy_bidirectional(&mut stream, &mut upstream).await;
            }
        })
    }

    /// A TLS 1.2 server of its own that answers any ClientHello with a
    /// ServerHello and a Certificate message holding `chain` as it is,
    /// whatever its size (rustls servers refuse to send more than 64 KiB),
    /// then waits for the client to leave: what an interceptor that pads
    /// its chain sends. With `once`, only the first connection gets it;
    /// later ones get a handshake_failure alert (a peer that sent an
    /// oversized message, then refuses whatever else is tried). Logs
    /// whether each ClientHello offered TLS 1.3.
    pub fn raw_tls12(chain: Vec<CertificateDer<'static>>, once: bool) -> Server {
        let flight = Arc::new(raw::server_flight(&chain));
        let served = Arc::new(std::sync::atomic::AtomicBool::new(false));
        Server::start(move |mut stream, log| {
            let (flight, served) = (flight.clone(), served.clone());
            async move {
                let Some(hello) = raw::read_client_hello(&mut stream).await else {
                    return;
                };
                let seen = match raw::offers_tls13(&hello) {
                    true => "hello tls1.3",
                    false => "hello tls1.2",
                };
                push(&log, seen);
                let again = served.swap(true, std::sync::atomic::Ordering::SeqCst);
                if once && again {
                    let _ = stream.write_all(&[21, 3, 3, 0, 2, 2, 40]).await;
                } else {
                    let _ = stream.write_all(&flight).await;
                }
                let mut buf = [0u8; 4096];
                while matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {}
            }
        })
    }

    /// Reads the ClientHello, then resets the connection (SO_LINGER 0).
    pub fn reset_after_client_hello() -> Server {
        Server::start(|mut stream, _| async move {
            let mut buf = [0u8; 4096];
            if matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {
                // A zero linger makes close send RST at once; it does not block.
                #[allow(deprecated)]
                let _ = stream.set_linger(Some(Duration::ZERO));
            }
        })
    }

    /// Accepts and reads, but never answers.
    pub fn silent() -> Server {
        Server::start(|mut stream, _| async move {
            let mut buf = [0u8; 4096];
            while matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {}
        })
    }

    /// A plain-HTTP server answering every request with `response` (a full
    /// HTTP/1.1 response, head and body), like a connectivity-check endpoint.
    pub fn http(response: &'static str) -> Server {
        Server::start(move |mut stream, log| async move {
            if let Some(head) = read_head(&mut stream).await {
                push(&log, head.lines().next().unwrap_or_default());
                let _ = stream.write_all(response.as_bytes()).await;
                let _ = stream.shutdown().await;
            }
        })
    }

    /// A plain-HTTP server answering every GET with `body` (200, as a CA
    /// serves a certificate at its AIA URL), logging each request line.
    pub fn http_body(body: Vec<u8>) -> Server {
        let body = Arc::new(body);
        Server::start(move |mut stream, log| {
            let body = body.clone();
            async move {
                if let Some(head) = read_head(&mut stream).await {
                    push(&log, head.lines().next().unwrap_or_default());
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/pkix-cert\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(head.as_bytes()).await;
                    let _ = stream.write_all(&body).await;
                    let _ = stream.shutdown().await;
                }
            }
        })
    }

    /// The bound address (127.0.0.1:port).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:port`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many connections the server has accepted.
    pub fn connections(&self) -> usize {
        self.accepted.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// What the server has logged so far: request lines it received.
    pub fn seen(&self) -> Vec<String> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

/// A port on 127.0.0.1 that is free now, for a server the test starts
/// there (mitmproxy, openssl s_server, node_exporter).
pub fn free_port() -> u16 {
    let listener = StdListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("listener address").port()
}

/// A port on 127.0.0.1 where connections are refused for the rest of the
/// test.
pub fn closed_port() -> u16 {
    // Bound but never listening: a connection is refused, and no other
    // server of this run can be given the port while the test runs (a
    // port merely freed again was, once, and a 45-second check of
    // "refused" targets met a forging server there).
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)
        .expect("a TCP socket");
    let any: std::net::SocketAddr = "127.0.0.1:0".parse().expect("an address");
    socket.bind(&any.into()).expect("bind 127.0.0.1:0");
    let port = socket
        .local_addr()
        .ok()
        .and_then(|a| a.as_socket())
        .expect("the bound address")
        .port();
    // Held until the test process ends (one process per test).
    std::mem::forget(socket);
    port
}

/// A TLS acceptor presenting `leaf` (for servers built elsewhere).
pub fn fixed_acceptor(leaf: &Leaf) -> TlsAcceptor {
    acceptor(Arc::new(Fixed::new(leaf)))
}

fn acceptor(resolver: Arc<dyn ResolvesServerCert>) -> TlsAcceptor {
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_cert_resolver(resolver);
    TlsAcceptor::from(Arc::new(config))
}

/// Completes the handshake, then reads until the client leaves.
async fn serve_tls(stream: TcpStream, acceptor: TlsAcceptor) {
    if let Ok(mut tls) = acceptor.accept(stream).await {
        let mut buf = [0u8; 4096];
        while matches!(tls.read(&mut buf).await, Ok(n) if n > 0) {}
    }
}

/// Adds `line` to a server's log.
pub fn push(log: &Log, line: &str) {
    if let Ok(mut log) = log.lock() {
        log.push(line.to_string());
    }
}

/// Reads an HTTP request head (up to the blank line, at most 16 KiB).
pub async fn read_head<S: tokio::io::AsyncRead + Unpin>(stream: &mut S) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 16 * 1024 || stream.read(&mut byte).await.ok()? == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    String::from_utf8(head).ok()
}

/// Reads a CONNECT request, logs its request line and returns its authority.
async fn read_connect(stream: &mut TcpStream, log: &Log) -> Option<String> {
    let head = read_head(stream).await?;
    let line = head.lines().next()?;
    push(log, line);
    match line.split_whitespace().collect::<Vec<_>>()[..] {
        ["CONNECT", authority, _] => Some(authority.to_string()),
        _ => {
            let _ = stream
                .write_all(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n")
                .await;
            None
        }
    }
}

async fn establish(stream: &mut TcpStream) -> Option<()> {
    stream
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .await
        .ok()
}

/// Accepts any CONNECT request.
async fn accept_connect(stream: &mut TcpStream, log: &Log) -> Option<String> {
    let authority = read_connect(stream, log).await?;
    establish(stream).await?;
    Some(authority)
}

/// Accepts a CONNECT request only to 127.0.0.1, keeping tests on loopback.
async fn accept_connect_to_loopback(stream: &mut TcpStream, log: &Log) -> Option<String> {
    let authority = read_connect(stream, log).await?;
    if !authority.starts_with("127.0.0.1:") {
        let _ = stream.write_all(b"HTTP/1.1 403 Forbidden\r\n\r\n").await;
        return None;
    }
    establish(stream).await?;
    Some(authority)
}

/// Always presents the same chain.
#[derive(Debug)]
struct Fixed(Arc<CertifiedKey>);

impl Fixed {
    fn new(leaf: &Leaf) -> Fixed {
        let key = CertifiedKey::from_der(leaf.chain.clone(), leaf.key.clone_key(), &provider())
            .expect("the leaf's key matches its certificate");
        Fixed(Arc::new(key))
    }
}

impl ResolvesServerCert for Fixed {
    fn resolve(&self, _: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }
}

/// Forges (and caches) a leaf for each SNI, signed by an interception CA.
struct Forger {
    ca: Arc<Ca>,
    forged: Mutex<HashMap<String, Arc<CertifiedKey>>>,
    /// A new leaf for every connection, none kept.
    fresh: bool,
}

impl std::fmt::Debug for Forger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Forger").field("ca", &self.ca).finish()
    }
}

impl Forger {
    fn new(ca: Arc<Ca>) -> Forger {
        Forger {
            ca,
            forged: Mutex::default(),
            fresh: false,
        }
    }
}

impl ResolvesServerCert for Forger {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let name = hello.server_name()?.to_string();
        let mut forged = self.forged.lock().ok()?;
        if let Some(key) = forged.get(&name) {
            return Some(key.clone());
        }
        let leaf = self.ca.leaf_with_ca(&[&name]);
        let key = Arc::new(CertifiedKey::from_der(leaf.chain, leaf.key, &provider()).ok()?);
        if !self.fresh {
            forged.insert(name, key.clone());
        }
        Some(key)
    }
}

/// A forwarder whose destination the test can switch: it listens on
/// 127.0.0.1 (and, for a network namespace, on socket files) and passes
/// each new connection to whichever server it points at now, like a
/// network whose path to a service changes between two checks.
pub struct Switch {
    tcp: Server,
    target: Arc<Mutex<SocketAddr>>,
    unix: Vec<JoinHandle<()>>,
}

impl Drop for Switch {
    fn drop(&mut self) {
        for task in &self.unix {
            task.abort();
        }
    }
}

async fn pass_on<S>(mut stream: S, target: Arc<Mutex<SocketAddr>>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let Ok(to) = target.lock().map(|t| *t) else {
        return;
    };
    if let Ok(mut upstream) = TcpStream::connect(to).await {
        let _ = tokio::io::copy_bidirectional(&mut stream, &mut upstream).await;
    }
}

impl Switch {
    /// Forwards to `to` until switched.
    pub fn to(to: &Server) -> Switch {
        let target = Arc::new(Mutex::new(to.addr()));
        let shared = target.clone();
        let tcp = Server::start(move |stream, _| pass_on(stream, shared.clone()));
        Switch {
            tcp,
            target,
            unix: Vec::new(),
        }
    }

    /// Also listens on the socket file `path` (for [`super::netns::NetNs::forward`]).
    pub fn listen_unix(&mut self, path: &std::path::Path) {
        let _entered = runtime().enter();
        let listener = tokio::net::UnixListener::bind(path)
            .unwrap_or_else(|e| panic!("bind {}: {e}", path.display()));
        let target = self.target.clone();
        self.unix
            .push(runtime().spawn(accept_loop(listener, move |stream| {
                pass_on(stream, target.clone())
            })));
    }

    /// Sends new connections to `to`.
    pub fn switch(&self, to: &Server) {
        if let Ok(mut t) = self.target.lock() {
            *t = to.addr();
        }
    }

    /// Where it listens on 127.0.0.1.
    pub fn addr(&self) -> SocketAddr {
        self.tcp.addr()
    }
}

/// The bytes of a TLS 1.2 server's first flight, written by hand.
mod raw {
    use rustls_pki_types::CertificateDer;
    use tokio::io::AsyncReadExt;
    use tokio::net::TcpStream;

    fn u24(n: usize) -> [u8; 3] {
        [(n >> 16) as u8, (n >> 8) as u8, n as u8]
    }

    /// ServerHello (TLS 1.2, ECDHE-ECDSA-AES128-GCM-SHA256, no
    /// extensions) and Certificate, in records of at most 16 KiB.
    pub fn server_flight(chain: &[CertificateDer<'static>]) -> Vec<u8> {
        let mut hello = vec![3, 3];
        hello.extend_from_slice(&[0x42; 32]);
        hello.extend_from_slice(&[0, 0xc0, 0x2b, 0]);
        let list: Vec<u8> = chain
            .iter()
            .flat_map(|c| u24(c.len()).into_iter().chain(c.iter().copied()))
            .collect();
        let mut certificate = u24(list.len()).to_vec();
        certificate.extend(list);
        let mut messages = vec![2];
        messages.extend_from_slice(&u24(hello.len()));
        messages.extend(hello);
        messages.push(11);
        messages.extend_from_slice(&u24(certificate.len()));
        messages.extend(certificate);
        let mut out = Vec::with_capacity(messages.len() + messages.len() / 16384 * 5 + 5);
        for chunk in messages.chunks(16384) {
            out.extend_from_slice(&[22, 3, 3]);
            out.extend_from_slice(&(chunk.len() as u16).to_be_bytes());
            out.extend_from_slice(chunk);
        }
        out
    }

    /// The ClientHello's body (one record; ClientHellos fit in one).
    pub async fn read_client_hello(stream: &mut TcpStream) -> Option<Vec<u8>> {
        let mut header = [0u8; 5];
        stream.read_exact(&mut header).await.ok()?;
        if header[0] != 22 {
            return None;
        }
        let mut body = vec![0u8; usize::from(u16::from_be_bytes([header[3], header[4]]))];
        stream.read_exact(&mut body).await.ok()?;
        (body.first() == Some(&1)).then_some(body)
    }

    /// Whether the ClientHello lists TLS 1.3 in supported_versions.
    pub fn offers_tls13(hello: &[u8]) -> bool {
        // type, length, version, random, session id, suites, compression.
        let mut at = 4 + 2 + 32;
        let Some(&sid) = hello.get(at) else {
            return false;
        };
        at += 1 + usize::from(sid);
        let Some(suites) = hello.get(at..at + 2) else {
            return false;
        };
        at += 2 + usize::from(u16::from_be_bytes([suites[0], suites[1]]));
        let Some(&comp) = hello.get(at) else {
            return false;
        };
        at += 1 + usize::from(comp) + 2;
        while let Some(ext) = hello.get(at..at + 4) {
            let kind = u16::from_be_bytes([ext[0], ext[1]]);
            let len = usize::from(u16::from_be_bytes([ext[2], ext[3]]));
            let data = hello.get(at + 4..at + 4 + len).unwrap_or_default();
            if kind == 0x002b {
                return data
                    .get(1..)
                    .is_some_and(|v| v.chunks(2).any(|p| p == [3, 4]));
            }
            at += 4 + len;
        }
        false
    }
}
