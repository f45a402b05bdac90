//! The probe: the only code that touches the network. It resolves, connects
//! (directly or through an HTTP CONNECT proxy), runs a TLS handshake with
//! SNI, records what the peer presented, and closes without sending
//! application data. It records; it never decides trust.

pub mod danger;
mod error;
pub mod portal;
pub mod proxy;
pub mod system_proxy;
pub mod trace;

use std::net::SocketAddr;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use rustls::ClientConfig;
use rustls::client::Resumption;
use rustls_pki_types::ServerName;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::time::timeout_at;

pub use crate::observation::{Observation, ProbeError, Stage, TlsParams};

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
pub async fn probe(target: &Target, options: &ProbeOptions) -> Observation {
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
        elapsed: Duration::ZERO,
    };
    let recorded = Arc::new(Mutex::new(Vec::new()));
    let result = run(
        target,
        options,
        proxy.as_ref(),
        deadline,
        &recorded,
        &mut obs,
    )
    .await;
    if let Ok(chain) = recorded.lock() {
        obs.chain = chain.clone();
    }
    if let Err(e) = result {
        obs.error = Some(e);
    }
    obs.elapsed = started.elapsed();
    obs
}

async fn run(
    target: &Target,
    options: &ProbeOptions,
    proxy: Option<&proxy::Proxy>,
    deadline: tokio::time::Instant,
    recorded: &danger::RecordedChain,
    obs: &mut Observation,
) -> Result<(), ProbeError> {
    let (host, port) = options
        .connect_to
        .iter()
        .find_map(|rule| rule.route(target))
        .unwrap_or_else(|| (target.host.clone(), target.port));
    let within = |stage: Stage| move |_| ProbeError::timed_out(stage, options.timeout);

    let mut stream = match proxy {
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
            stream
        }
        None => {
            let addrs = timeout_at(deadline, resolve(&host, port))
                .await
                .map_err(within(Stage::Dns))??;
            let stream = timeout_at(deadline, connect_any(&addrs))
                .await
                .map_err(within(Stage::Tcp))??;
            obs.peer = stream.peer_addr().ok().map(|a| a.to_string());
            stream
        }
    };

    let config = client_config()?;
    let server_name = ServerName::try_from(target.host.clone()).map_err(|_| {
        ProbeError::new(
            Stage::Tls,
            format!("`{}` cannot be sent as SNI", target.host),
        )
    })?;
    let connector = tokio_rustls::TlsConnector::from(config);
    let has_chain = || recorded.lock().is_ok_and(|c| !c.is_empty());
    let handshake = danger::recording(
        recorded.clone(),
        connector.connect(server_name, &mut stream),
    );
    let tls = timeout_at(deadline, handshake)
        .await
        .map_err(within(Stage::Tls))?
        .map_err(|e| error::tls_failure(&e, has_chain()))?;
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
    // Say goodbye politely (close_notify); nothing else is ever sent.
    let mut tls = tls;
    let _ = tokio::time::timeout(Duration::from_millis(500), tls.shutdown()).await;
    Ok(())
}

/// The probe's TLS client configuration, built once and shared by every
/// probe: the recording verifier, ALPN as a browser offers it, no session
/// resumption (every check must see the full chain), and the cipher suites
/// in the order browsers prefer them (AES-128-GCM first: also the cheaper
/// key schedule, SHA-256).
pub(crate) fn client_config() -> Result<Arc<ClientConfig>, ProbeError> {
    static CONFIG: LazyLock<Result<Arc<ClientConfig>, String>> = LazyLock::new(build_config);
    CONFIG
        .clone()
        .map_err(|e| ProbeError::new(Stage::Tls, format!("TLS configuration: {e}")))
}

fn build_config() -> Result<Arc<ClientConfig>, String> {
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
    config.alpn_protocols = ALPN.iter().map(|p| p.to_vec()).collect();
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
