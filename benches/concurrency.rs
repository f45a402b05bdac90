//! Benchmark: does `pinwatch check` probe targets concurrently?
//!
//! Starts 32 TLS servers on 127.0.0.1, each of which waits before answering
//! the ClientHello (the slowest waits longest), then times the release
//! binary checking all 32 at once, checking only the slowest one, and
//! checking all 32 with `--concurrency 1` (the serial sum). Concurrent
//! probing should cost about the slowest handshake, not the sum.
//!
//! Run: `cargo bench --bench concurrency` (builds the binary in release mode).

use std::io::Write as _;
use std::net::SocketAddr;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use rustls::ServerConfig;
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::TcpListener;

const TARGETS: usize = 32;
const RUNS: usize = 7;
/// Handshake delay of every server but the slowest.
const DELAY: Duration = Duration::from_millis(200);
/// Handshake delay of the slowest server.
const SLOWEST: Duration = Duration::from_millis(400);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Runtime::new()?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "pinwatch bench root");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate()?)?;
    let dir = std::env::temp_dir().join(format!("pinwatch-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let roots = dir.join("roots.pem");
    std::fs::File::create(&roots)?.write_all(ca.pem().as_bytes())?;

    let mut addrs = Vec::with_capacity(TARGETS);
    for i in 0..TARGETS {
        let host = format!("t{i}.bench.pinwatch.test");
        let mut params = CertificateParams::new(vec![host.clone()])?;
        params.distinguished_name.push(DnType::CommonName, &host);
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &ca)?;
        let config =
            ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()?
                .with_no_client_auth()
                .with_single_cert(
                    vec![cert.der().clone(), ca.der().clone()],
                    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
                )?;
        let delay = if i == TARGETS - 1 { SLOWEST } else { DELAY };
        let addr = runtime.block_on(serve(Arc::new(config), delay))?;
        addrs.push((host, addr));
    }

    let run = |targets: &[(String, SocketAddr)],
               concurrency: usize|
     -> Result<Duration, Box<dyn std::error::Error>> {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_pinwatch"));
        cmd.args([
            "check",
            "--format",
            "json",
            "--no-proxy",
            "--no-portal-check",
        ])
        .arg("--public-roots")
        .arg(&roots)
        .args(["--concurrency", &concurrency.to_string()])
        .env("SSL_CERT_FILE", &roots)
        .env_remove("SSL_CERT_DIR");
        for (host, addr) in targets {
            cmd.arg(host)
                .arg("--connect-to")
                .arg(format!("{host}:443:127.0.0.1:{}", addr.port()));
        }
        let started = Instant::now();
        let out = cmd.output()?;
        let elapsed = started.elapsed();
        if out.status.code() != Some(0) {
            return Err(format!(
                "pinwatch exited {:?}: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            )
            .into());
        }
        Ok(elapsed)
    };
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let slowest = &addrs[TARGETS - 1..];
    let single = median(
        (0..RUNS)
            .map(|_| run(slowest, 32))
            .collect::<Result<_, _>>()?,
    );
    let all = median(
        (0..RUNS)
            .map(|_| run(&addrs, 32))
            .collect::<Result<_, _>>()?,
    );
    let serial = run(&addrs, 1)?;
    println!(
        "pinwatch check, release build, {TARGETS} loopback TLS targets (handshake delay {DELAY:?}, slowest {SLOWEST:?}); median of {RUNS} runs"
    );
    println!(
        "  slowest target alone:           {:>7.0} ms",
        single.as_secs_f64() * 1e3
    );
    println!(
        "  all {TARGETS} targets, concurrency 32: {:>7.0} ms",
        all.as_secs_f64() * 1e3
    );
    println!(
        "  all {TARGETS} targets, concurrency 1:  {:>7.0} ms (one run: the serial sum)",
        serial.as_secs_f64() * 1e3
    );
    println!(
        "  ratio all/slowest: {:.2}",
        all.as_secs_f64() / single.as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// A TLS server that waits `delay` after accepting before it reads the
/// ClientHello, so each handshake takes at least `delay`.
async fn serve(config: Arc<ServerConfig>, delay: Duration) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                if let Ok(mut tls) = acceptor.accept(stream).await {
                    let _ = tokio::io::AsyncWriteExt::shutdown(&mut tls).await;
                }
            });
        }
    });
    Ok(addr)
}
