//! The probe: the only code that touches the network. It resolves, connects
//! (directly or through an HTTP CONNECT proxy), runs a TLS handshake with
//! SNI, records what the peer presented, and closes without sending
//! application data. It records; it never decides trust.

pub(crate) mod aia;
pub(crate) mod danger;
mod error;
pub(crate) mod fallback;
pub(crate) mod http;
pub(crate) mod portal;
pub(crate) mod proxy;
pub(crate) mod system_proxy;
mod tls13;
pub(crate) mod trace;

use std::net::SocketAddr;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use rustls::ClientConfig;
use rustls::client::Resumption;
use rustls_pki_types::ServerName;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::time::timeout_at;

pub use crate::observation::Observation;
pub(crate) use crate::observation::{ProbeError, Stage, TlsParams};

use crate::target::{ConnectTo, Target};
use danger::RecordingVerifier;
use proxy::ProxyRoute;

/// How to reach targets.
#[derive(Clone, Debug)]
pub struct ProbeOptions {
    /// Overall time allowed per target, all stages together.
    pub timeout: Duration,
    /// Proxy selection.
    pub proxy: ProxyRoute,
    /// curl-style address overrides.
    pub connect_to: Vec<ConnectTo>,
}

impl Default for ProbeOptions {
    fn default() -> Self {
        ProbeOptions {
            timeout: Duration::from_secs(10),
            proxy: ProxyRoute::default(),
            connect_to: Vec::new(),
        }
    }
}

/// ALPN protocols offered, as a browser would.
const ALPN: [&[u8]; 2] = [b"h2", b"http/1.1"];

/// Probes `target`: never fails, every failure is recorded in the observation.
pub(crate) async fn probe(target: &Target, options: &ProbeOptions) -> Observation {
    let (obs, tls) = connect(target, options, client_config()).await;
    // Say goodbye politely (close_notify); nothing else is ever sent.
    if let Some(mut tls) = tls {
        let _ = tokio::time::timeout(Duration::from_millis(500), tls.shutdown()).await;
    }
    obs
}

/// Connects and records; the connection, when the handshake completed.
async fn connect(
    target: &Target,
    options: &ProbeOptions,
    config: Result<Arc<ClientConfig>, ProbeError>,
) -> (Observation, Option<TlsStream>) {
    let started = Instant::now();
    let deadline = tokio::time::Instant::now() + options.timeout;
    let proxy = options.proxy.for_target(target).cloned();
    let mut obs = Observation {
        target: target.clone(),
        peer: None,
        via_proxy: proxy.as_ref().map(proxy::Proxy::url),
        chain: Vec::new(),
        tls: None,
        error: None,
        fallback: None,
        refused_oversized: false,
        fetched: Vec::new(),
        aia: None,
        elapsed: Duration::ZERO,
    };
    let recorded = Arc::new(Mutex::new(Vec::new()));
    let attempt = Attempt {
        target,
        options,
        proxy: proxy.as_ref(),
        deadline,
    };
    let result = run(&attempt, &recorded, &mut obs, config).await;
    if let Ok(chain) = recorded.lock() {
        obs.chain = chain.clone();
    }
    let tls = match result {
        Ok(tls) => Some(tls),
        Err(e) => {
            obs.error = Some(e);
            None
        }
    };
    obs.elapsed = started.elapsed();
    (obs, tls)
}

/// Like [`probe`], but keeps the connection open (ALPN `http/1.1` only)
/// for a request the caller sends after judging the observation: a
/// knowledge update over HTTPS. Nothing is sent here.
pub(crate) async fn open(
    target: &Target,
    options: &ProbeOptions,
) -> (Observation, Option<TlsStream>) {
    connect(target, options, fetch_config()).await
}

/// A TLS connection [`open`] left open.
pub(crate) type TlsStream = tokio_rustls::client::TlsStream<TcpStream>;

/// One probe's target and how to reach it.
struct Attempt<'a> {
    target: &'a Target,
    options: &'a ProbeOptions,
    proxy: Option<&'a proxy::Proxy>,
    deadline: tokio::time::Instant,
}

async fn run(
    attempt: &Attempt<'_>,
    recorded: &danger::RecordedChain,
    obs: &mut Observation,
    config: Result<Arc<ClientConfig>, ProbeError>,
) -> Result<TlsStream, ProbeError> {
    let Attempt {
        target,
        options,
        deadline,
        ..
    } = *attempt;
    let within = |stage: Stage| move |_| ProbeError::timed_out(stage, options.timeout);
    let stream = dial(attempt, obs).await?;
    let config = config?;
    let server_name = ServerName::try_from(target.host.clone()).map_err(|_| {
        ProbeError::new(
            Stage::Tls,
            format!("`{}` cannot be sent as SNI", target.host),
        )
    })?;
    let connector = tokio_rustls::TlsConnector::from(config);
    let has_chain = || recorded.lock().is_ok_and(|c| !c.is_empty());
    let handshake = danger::recording(recorded.clone(), connector.connect(server_name, stream));
    // A failed handshake drops its connection with it: a server that
    // serves one connection at a time then answers the fallback's.
    let tls = match timeout_at(deadline, handshake)
        .await
        .map_err(within(Stage::Tls))?
    {
        Ok(tls) => tls,
        Err(e) => {
            obs.refused_oversized = error::is_oversized(&e);
            if !has_chain() && error::refused_by_library(&e) {
                fallback(attempt, recorded, obs).await;
            }
            let leaf = recorded.lock().ok().and_then(|c| c.first().cloned());
            let read = obs.fallback.as_ref().and_then(|f| f.message_len);
            return Err(error::tls_failure(&e, leaf.as_deref(), read));
        }
    };
    let (_, conn) = tls.get_ref();
    obs.tls = Some(TlsParams {
        version: conn
            .protocol_version()
            .map(error::version_name)
            .unwrap_or_default(),
        cipher: conn
            .negotiated_cipher_suite()
            .map(|s| format!("{:?}", s.suite()))
            .unwrap_or_default(),
        alpn: conn
            .alpn_protocol()
            .map(|p| String::from_utf8_lossy(p).into_owned()),
    });
    Ok(tls)
}

/// Opens a TCP connection to `target` by its route: directly (or where
/// `--connect-to` says), or through a CONNECT tunnel of `proxy`.
async fn dial(attempt: &Attempt<'_>, obs: &mut Observation) -> Result<TcpStream, ProbeError> {
    let Attempt {
        target,
        options,
        proxy,
        deadline,
    } = *attempt;
    let (host, port) = options
        .connect_to
        .iter()
        .find_map(|rule| rule.route(target))
        .unwrap_or_else(|| (target.host.clone(), target.port));
    let within = |stage: Stage| move |_| ProbeError::timed_out(stage, options.timeout);
    match proxy {
        Some(p) => {
            let addrs = timeout_at(deadline, resolve(&p.host, p.port))
                .await
                .map_err(within(Stage::Proxy))?
                .map_err(|e| {
                    ProbeError::new(
                        Stage::Proxy,
                        format!("cannot resolve proxy {}: {}", p.url(), e.detail),
                    )
                })?;
            let mut stream = timeout_at(deadline, connect_any(&addrs))
                .await
                .map_err(within(Stage::Proxy))?
                .map_err(|e| {
                    ProbeError::new(
                        Stage::Proxy,
                        format!("cannot connect to proxy {}: {}", p.url(), e.detail),
                    )
                })?;
            obs.peer = stream.peer_addr().ok().map(|a| a.to_string());
            timeout_at(deadline, proxy::connect_tunnel(&mut stream, p, &host, port))
                .await
                .map_err(within(Stage::Proxy))?
                .map_err(|e| {
                    ProbeError::new(
                        Stage::Proxy,
                        format!("CONNECT {}: {e}", crate::target::authority(&host, port)),
                    )
                })?;
            Ok(stream)
        }
        None => {
            let addrs = timeout_at(deadline, resolve(&host, port))
                .await
                .map_err(within(Stage::Dns))??;
            let stream = timeout_at(deadline, connect_any(&addrs))
                .await
                .map_err(within(Stage::Tcp))??;
            obs.peer = stream.peer_addr().ok().map(|a| a.to_string());
            Ok(stream)
        }
    }
}

/// rustls refused the handshake before it had the chain: reads it with
/// the fallback probe over a fresh connection by the same route, within
/// the same deadline, into `recorded` and `obs.fallback`.
async fn fallback(attempt: &Attempt<'_>, recorded: &danger::RecordedChain, obs: &mut Observation) {
    let Attempt {
        target, deadline, ..
    } = *attempt;
    // TLS 1.2 first (its Certificate is in the clear), then TLS 1.3 for a
    // server that refuses anything older.
    let mut failures: Vec<String> = Vec::new();
    let mut read = Err(String::new());
    for offer in [fallback::Offer::Tls12, fallback::Offer::Tls13] {
        let one = async {
            let mut stream = dial(attempt, obs).await.map_err(|e| e.to_string())?;
            let read = fallback::read_chain(&mut stream, &target.host, offer).await;
            let _ = stream.shutdown().await;
            read
        };
        read = timeout_at(deadline, one)
            .await
            .unwrap_or_else(|_| Err("no answer in time".into()));
        match &read {
            Ok(got) if !got.chain.is_empty() => break,
            Ok(_) => failures.push("the Certificate message holds no certificate".into()),
            Err(e) => failures.push(e.clone()),
        }
    }
    if !matches!(&read, Ok(got) if !got.chain.is_empty()) {
        read = Err(match failures.as_slice() {
            [tls12, tls13] if tls12 != tls13 => format!("{tls12} (TLS 1.3: {tls13})"),
            _ => failures.first().cloned().unwrap_or_default(),
        });
    }
    obs.fallback = Some(match read {
        Ok(read) if !read.chain.is_empty() => {
            if let Ok(mut slot) = recorded.lock() {
                *slot = read.chain;
            }
            read.facts
        }
        Ok(read) => crate::observation::FallbackRead {
            error: Some("the Certificate message holds no certificate".into()),
            ..read.facts
        },
        Err(error) => crate::observation::FallbackRead {
            error: Some(error),
            ..Default::default()
        },
    });
}

/// The probe's TLS client configuration, built once and shared by every
/// probe: the recording verifier, ALPN as a browser offers it, no session
/// resumption (every check must see the full chain), and the cipher suites
/// in the order browsers prefer them (AES-128-GCM first: also the cheaper
/// key schedule, SHA-256).
pub(crate) fn client_config() -> Result<Arc<ClientConfig>, ProbeError> {
    static CONFIG: LazyLock<Result<Arc<ClientConfig>, String>> =
        LazyLock::new(|| build_config(&ALPN));
    CONFIG
        .clone()
        .map_err(|e| ProbeError::new(Stage::Tls, format!("TLS configuration: {e}")))
}

/// [`client_config`] offering only `http/1.1`, for [`open`]'s fetches.
fn fetch_config() -> Result<Arc<ClientConfig>, ProbeError> {
    static CONFIG: LazyLock<Result<Arc<ClientConfig>, String>> =
        LazyLock::new(|| build_config(&[b"http/1.1"]));
    CONFIG
        .clone()
        .map_err(|e| ProbeError::new(Stage::Tls, format!("TLS configuration: {e}")))
}

fn build_config(alpn: &[&[u8]]) -> Result<Arc<ClientConfig>, String> {
    let mut provider = rustls::crypto::ring::default_provider();
    provider.cipher_suites.sort_by_key(|s| {
        use rustls::CipherSuite as C;
        matches!(
            s.suite(),
            C::TLS13_AES_256_GCM_SHA384
                | C::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
                | C::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
        )
    });
    let provider = Arc::new(provider);
    let verifier = Arc::new(RecordingVerifier::new(provider.clone()));
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    config.resumption = Resumption::disabled();
    Ok(Arc::new(config))
}

async fn resolve(host: &str, port: u16) -> Result<Vec<SocketAddr>, ProbeError> {
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| ProbeError::new(Stage::Dns, error::dns_detail(host, &e)))?
        .collect();
    if addrs.is_empty() {
        return Err(ProbeError::new(Stage::Dns, format!("{host}: no addresses")));
    }
    Ok(addrs)
}

async fn connect_any(addrs: &[SocketAddr]) -> Result<TcpStream, ProbeError> {
    let mut last = None;
    for addr in addrs {
        match TcpStream::connect(addr).await {
            Ok(stream) => {
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Err(e) => {
                last = Some(ProbeError::new(
                    Stage::Tcp,
                    format!("{addr}: {}", error::io_detail(&e)),
                ))
            }
        }
    }
    Err(last.unwrap_or_else(|| ProbeError::new(Stage::Tcp, "no address to connect to")))
}
