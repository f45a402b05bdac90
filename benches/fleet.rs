//! Benchmark: a check of many hosts behind a real round trip should cost
//! about one handshake, not one per wave of targets.
//!
//! Two network namespaces of the bench's own, "client" and "server", are
//! joined by a user-space forwarder (`fleet/forwarder.rs`, threads of this
//! bench) that moves every IP packet between a TUN device in each and
//! holds it 50 ms on the way: a 100 ms round trip for every packet, SYN
//! included (this kernel has no `sch_netem`). In the server namespace one
//! TLS server (rustls, ECDSA P-256, one port) presents a certificate for
//! each of N names, chosen by SNI. In the client namespace the bench
//! measures:
//! - the limit: one TCP + TLS handshake to one name (rustls, median);
//! - `pinwatch check` of N names with default options (`--targets`, one
//!   `--connect-to`), wall time, and CPU time and peak RSS of pinwatch
//!   alone (`wait4` in a Python wrapper), and from the RSS at N = 1 and
//!   N = 1024 the memory per target in flight;
//! - the floor: the same N handshakes at once from a bare tokio-rustls
//!   client, no analysis; and the CPU the bench's own server and forwarder
//!   spent while pinwatch ran (they share the machine's cores with it);
//! - the baseline admins run today: `openssl s_client` for each name,
//!   32 at a time (`xargs -P 32`).
//!
//! Then, with `hyperfine`, a single check of a loopback target against
//! `openssl s_client` of the same target: start-up cost.
//!
//! Needs root (namespaces, TUN), iproute2, python3, openssl, xargs, and
//! hyperfine for the last part. Run: `cargo bench --bench fleet` (builds
//! the release binary). Traffic stays inside the namespaces it creates
//! (10.213.9.1 and 10.213.9.2) and 127.0.0.1; everything it starts, it
//! stops, and it deletes its namespaces.
//!
//! `PINWATCH_BENCH_SERVE=1`: only serve the names on 127.0.0.1 (no delay)
//! and print the pinwatch command to profile; `PINWATCH_BENCH_WRAP=CMD`:
//! run each pinwatch check under CMD (e.g. `perf record -g -o FILE`).

#[path = "fleet/forwarder.rs"]
mod forwarder;

use std::collections::HashMap;
use std::io::Write as _;
use std::net::{SocketAddr, TcpListener as StdListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use rustls::ServerConfig;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Added delay each way: a 100 ms round trip (`PINWATCH_BENCH_ONE_WAY_MS`
/// to change it).
const ONE_WAY_MS: u64 = 50;
/// Target counts measured.
const SIZES: [usize; 4] = [1, 32, 256, 1024];
/// Runs per measurement (the median is reported).
const RUNS: usize = 3;
const CLIENT_ADDR: &str = "10.213.9.1";
const SERVER_ADDR: &str = "10.213.9.2";
const SERVER_PORT: u16 = 443;

fn main() -> Result<(), BoxError> {
    if std::env::args().any(|a| a == "--list") {
        return Ok(()); // `cargo test --benches` asks what to run.
    }
    let one_way = Duration::from_millis(
        std::env::var("PINWATCH_BENCH_ONE_WAY_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(ONE_WAY_MS),
    );
    let sizes: Vec<usize> = std::env::var("PINWATCH_BENCH_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| SIZES.to_vec());
    let dir = tempfile::tempdir()?;
    let pki = Pki::new(sizes.iter().copied().max().unwrap_or(1))?;
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &pki.ca_pem)?;

    if std::env::var_os("PINWATCH_BENCH_SERVE").is_some() {
        return serve_on_loopback(&pki, dir.path(), &ca_file, &sizes);
    }
    let mut net = Namespaces::create()?;
    net.start_forwarder(one_way)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let server_config = pki.server_config()?;
    let listener = in_namespace(&net.server, || listen((SERVER_ADDR, SERVER_PORT)))?;
    runtime.spawn(serve(listener, server_config.clone()));

    let limit = in_namespace(&net.client, || one_handshake(&pki, 7))?;
    println!(
        "pinwatch check, release build, {} ms round trip (user-space forwarder between two network namespaces), \
         one TLS server with N names; default options; median of {RUNS} runs",
        one_way.as_millis() * 2
    );
    println!(
        "limit: one TCP+TLS handshake = {:.0} ms (rustls, median of 7)\n",
        ms(limit)
    );
    println!(
        "| targets | pinwatch | limit | ratio | bare rustls, all at once | pinwatch CPU | server + forwarder CPU | peak RSS | openssl s_client, xargs -P 32 |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let mut rss = HashMap::new();
    for &n in &sizes {
        let list = dir.path().join(format!("targets-{n}.txt"));
        let names: Vec<String> = (0..n).map(name).collect();
        std::fs::write(&list, names.join("\n") + "\n")?;
        let mut times = Vec::new();
        let mut peaks = Vec::new();
        let mut cpus = Vec::new();
        let mut server_cpus = Vec::new();
        for _ in 0..RUNS {
            let before = own_cpu();
            let m = in_namespace(&net.client, || run_pinwatch(&list, &ca_file, n))?;
            server_cpus.push(own_cpu().saturating_sub(before));
            times.push(m.wall);
            peaks.push(m.peak_kib);
            cpus.push(m.cpu);
        }
        let took = median(times);
        let peak = median(peaks);
        let cpu = median(cpus);
        let server_cpu = median(server_cpus);
        rss.insert(n, peak);
        let bare = median(
            (0..RUNS)
                .map(|_| in_namespace(&net.client, || bare_handshakes(&pki, n)))
                .collect::<Result<Vec<_>, _>>()?,
        );
        let openssl = median(
            (0..RUNS)
                .map(|_| in_namespace(&net.client, || run_openssl(&list, &ca_file)))
                .collect::<Result<Vec<_>, _>>()?,
        );
        println!(
            "| {n} | {:.0} ms | {:.0} ms | {:.2}x | {:.0} ms ({:.2}x) | {:.0} ms | {:.0} ms | {:.1} MiB | {:.0} ms ({:.1}x) |",
            ms(took),
            ms(limit),
            took.as_secs_f64() / limit.as_secs_f64(),
            ms(bare),
            bare.as_secs_f64() / limit.as_secs_f64(),
            ms(cpu),
            ms(server_cpu),
            peak as f64 / 1024.0,
            ms(openssl),
            openssl.as_secs_f64() / limit.as_secs_f64()
        );
    }
    if let (Some(one), Some(most)) = (rss.get(&1), rss.get(&1024)) {
        println!(
            "\nmemory per target in flight: ({most} KiB - {one} KiB) / 1023 = {:.1} KiB",
            (*most as f64 - *one as f64) / 1023.0
        );
    }
    drop(net);
    startup(&runtime, &pki, &ca_file, dir.path())?;
    Ok(())
}

/// `PINWATCH_BENCH_SERVE=1`: only the bench's TLS server, on 127.0.0.1
/// with no added delay, until standard input closes, for profiling
/// pinwatch by hand (it prints the command to run).
fn serve_on_loopback(pki: &Pki, dir: &Path, ca: &Path, sizes: &[usize]) -> Result<(), BoxError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let listener = listen(("127.0.0.1", 0))?;
    let addr = listener.local_addr()?;
    runtime.spawn(serve(listener, pki.server_config()?));
    let n = sizes.iter().copied().max().unwrap_or(1);
    let list = dir.join(format!("targets-{n}.txt"));
    std::fs::write(
        &list,
        (0..n).map(name).collect::<Vec<_>>().join("\n") + "\n",
    )?;
    println!(
        "serving {n} names on {addr}; until standard input closes. Run:\n  \
         SSL_CERT_FILE={ca} {} check --targets {} --connect-to ::{addr} --public-roots {ca} \
         --no-proxy --no-portal-check --format nagios",
        env!("CARGO_BIN_EXE_pinwatch"),
        list.display(),
        ca = ca.display(),
    );
    let _ = std::io::stdout().flush();
    std::io::copy(&mut std::io::stdin(), &mut std::io::sink())?;
    Ok(())
}

fn name(i: usize) -> String {
    format!("t{i}.bench.pinwatch.test")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn median<T: Ord + Copy>(mut v: Vec<T>) -> T {
    v.sort();
    v[v.len() / 2]
}

/// A bench CA, and one leaf certificate per name (sharing one key).
struct Pki {
    ca_pem: String,
    ca_der: CertificateDer<'static>,
    leaves: HashMap<String, CertificateDer<'static>>,
    key: PrivatePkcs8KeyDer<'static>,
}

impl Pki {
    fn new(n: usize) -> Result<Pki, BoxError> {
        let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "pinwatch bench root");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate()?)?;
        let key = KeyPair::generate()?;
        let mut leaves = HashMap::with_capacity(n);
        for i in 0..n {
            let host = name(i);
            let mut params = CertificateParams::new(vec![host.clone()])?;
            params.distinguished_name.push(DnType::CommonName, &host);
            leaves.insert(host, params.signed_by(&key, &ca)?.der().clone());
        }
        Ok(Pki {
            ca_pem: ca.pem(),
            ca_der: ca.der().clone(),
            leaves,
            key: PrivatePkcs8KeyDer::from(key.serialize_der()),
        })
    }

    /// A rustls client trusting the bench CA.
    fn client_config(&self) -> Result<Arc<rustls::ClientConfig>, BoxError> {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.ca_der.clone())?;
        Ok(Arc::new(
            rustls::ClientConfig::builder_with_provider(Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth(),
        ))
    }

    fn server_config(&self) -> Result<Arc<ServerConfig>, BoxError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let signing = provider
            .key_provider
            .load_private_key(PrivateKeyDer::Pkcs8(self.key.clone_key()))?;
        let by_name = self
            .leaves
            .iter()
            .map(|(host, leaf)| {
                let chain = vec![leaf.clone(), self.ca_der.clone()];
                (
                    host.clone(),
                    Arc::new(CertifiedKey::new(chain, signing.clone())),
                )
            })
            .collect();
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(BySni(by_name)));
        Ok(Arc::new(config))
    }
}

/// Picks the certificate by SNI.
#[derive(Debug)]
struct BySni(HashMap<String, Arc<CertifiedKey>>);

impl ResolvesServerCert for BySni {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.0.get(hello.server_name()?).cloned()
    }
}

/// A listening socket with a backlog for every target at once (std's
/// `TcpListener::bind` allows 128: the rest of a burst of SYNs would be
/// dropped and retried a second later).
fn listen(addr: (&str, u16)) -> Result<StdListener, BoxError> {
    use socket2::{Domain, Socket, Type};
    let addr: SocketAddr = format!("{}:{}", addr.0, addr.1).parse()?;
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(4096)?;
    Ok(socket.into())
}

/// Serves TLS on `listener` until the runtime stops.
async fn serve(listener: StdListener, config: Arc<ServerConfig>) {
    let Ok(()) = listener.set_nonblocking(true) else {
        return;
    };
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        return;
    };
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            if let Ok(mut tls) = acceptor.accept(stream).await {
                let _ = tokio::io::AsyncWriteExt::shutdown(&mut tls).await;
            }
        });
    }
}

/// The median time of `runs` TCP connects plus TLS handshakes (rustls,
/// trusting the bench CA) to the first name.
fn one_handshake(pki: &Pki, runs: usize) -> Result<Duration, BoxError> {
    let config = pki.client_config()?;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let mut sock = TcpStream::connect((SERVER_ADDR, SERVER_PORT))?;
        let mut conn =
            rustls::ClientConnection::new(config.clone(), ServerName::try_from(name(0))?)?;
        while conn.is_handshaking() {
            conn.complete_io(&mut sock)?;
        }
        times.push(started.elapsed());
    }
    Ok(median(times))
}

/// CPU time (user + system) of this process so far: the TLS server and
/// the forwarder, while pinwatch runs.
fn own_cpu() -> Duration {
    use nix::sys::resource::{UsageWho, getrusage};
    getrusage(UsageWho::RUSAGE_SELF).map_or(Duration::ZERO, |u| {
        let (user, system) = (u.user_time(), u.system_time());
        let micros = |t: nix::sys::time::TimeVal| {
            Duration::from_secs(t.tv_sec().max(0) as u64)
                + Duration::from_micros(t.tv_usec().max(0) as u64)
        };
        micros(user) + micros(system)
    })
}

/// The floor: `n` TCP + TLS handshakes at once from a bare tokio-rustls
/// client (2 worker threads, as pinwatch on this machine, the bench CA
/// trusted, no analysis, no output), on a runtime of its own: what the
/// machine and the round trip allow before pinwatch does anything.
fn bare_handshakes(pki: &Pki, n: usize) -> Result<Duration, BoxError> {
    let config = pki.client_config()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let started = Instant::now();
    let failures = runtime.block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..n {
            let connector = tokio_rustls::TlsConnector::from(config.clone());
            tasks.spawn(async move {
                let name = ServerName::try_from(name(i)).ok()?;
                let tcp = tokio::net::TcpStream::connect((SERVER_ADDR, SERVER_PORT))
                    .await
                    .ok()?;
                connector.connect(name, tcp).await.ok().map(drop)
            });
        }
        let mut failures = 0;
        while let Some(done) = tasks.join_next().await {
            if !matches!(done, Ok(Some(()))) {
                failures += 1;
            }
        }
        failures
    });
    let took = started.elapsed();
    if failures > 0 {
        return Err(format!("{failures} of {n} bare handshakes failed").into());
    }
    Ok(took)
}

/// Runs `cmd` under a Python wrapper that reports the child's wall time,
/// peak RSS (KiB) and CPU time, from `wait4` on that child alone (not
/// RUSAGE_CHILDREN, which also counts what Python's own start-up ran).
fn measured(cmd: &[&str], envs: &[(&str, &str)]) -> Result<Measured, BoxError> {
    let out = Command::new("python3")
        .arg("-c")
        .arg(
            "import os, subprocess, sys, time\n\
             t = time.monotonic()\n\
             p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)\n\
             out = p.stdout.read()\n\
             _, status, r = os.wait4(p.pid, 0)\n\
             took = time.monotonic() - t\n\
             code = os.waitstatus_to_exitcode(status)\n\
             sys.stdout.write('%d %.6f %d %.6f\\n' % (code, took, r.ru_maxrss, r.ru_utime + r.ru_stime))\n\
             sys.stdout.flush()\n\
             sys.stdout.buffer.write(out)",
        )
        .args(cmd)
        .envs(envs.iter().copied())
        .env_remove("SSL_CERT_DIR")
        .stdin(Stdio::null())
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (head, body) = text.split_once('\n').unwrap_or((&text, ""));
    let fields: Vec<&str> = head.split_whitespace().collect();
    let [code, took, peak, cpu] = fields[..] else {
        return Err(format!(
            "wrapper said `{head}`: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    };
    if code != "0" {
        return Err(format!("{} exited {code}", cmd.join(" ")).into());
    }
    Ok(Measured {
        wall: Duration::from_secs_f64(took.parse()?),
        peak_kib: peak.parse()?,
        cpu: Duration::from_secs_f64(cpu.parse()?),
        stdout: body.to_string(),
    })
}

/// A finished command: wall time, peak RSS, CPU time (user + system), output.
struct Measured {
    wall: Duration,
    peak_kib: u64,
    cpu: Duration,
    stdout: String,
}

/// One `pinwatch check` of every name in `list`; checks that all are ok.
fn run_pinwatch(list: &Path, ca: &Path, n: usize) -> Result<Measured, BoxError> {
    let connect_to = format!("::{SERVER_ADDR}:{SERVER_PORT}");
    let (list, ca) = (list.display().to_string(), ca.display().to_string());
    // PINWATCH_BENCH_WRAP: a command to run pinwatch under (a profiler).
    let wrap = std::env::var("PINWATCH_BENCH_WRAP").unwrap_or_default();
    let mut cmd: Vec<&str> = wrap.split_whitespace().collect();
    cmd.extend([
        env!("CARGO_BIN_EXE_pinwatch"),
        "check",
        "--targets",
        &list,
        "--connect-to",
        &connect_to,
        "--public-roots",
        &ca,
        "--no-proxy",
        "--no-portal-check",
        "--format",
        "nagios",
    ]);
    let m = measured(&cmd, &[("SSL_CERT_FILE", &ca)])?;
    let expected = format!("PINWATCH OK - {n} ok |");
    if !m.stdout.starts_with(&expected) {
        let first = m.stdout.lines().next().unwrap_or_default();
        return Err(format!("pinwatch did not find {n} ok: {first}").into());
    }
    Ok(m)
}

/// `openssl s_client` for each name of `list`, 32 at a time.
fn run_openssl(list: &Path, ca: &Path) -> Result<Duration, BoxError> {
    // xargs reads the names from the list; each s_client's stdin is /dev/null.
    let script = format!(
        "xargs -P 32 -I{{}} openssl s_client -connect {SERVER_ADDR}:{SERVER_PORT} -servername {{}} \
         -CAfile {} -verify_return_error < {} > /dev/null 2>&1",
        ca.display(),
        list.display()
    );
    Ok(measured(&["sh", "-c", &script], &[])?.wall)
}

/// Runs `f` on a thread that has entered the network namespace `ns`;
/// processes it starts are in that namespace too.
fn in_namespace<T: Send>(
    ns: &str,
    f: impl FnOnce() -> Result<T, BoxError> + Send,
) -> Result<T, BoxError> {
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let file = std::fs::File::open(format!("/run/netns/{ns}"))?;
                nix::sched::setns(file, nix::sched::CloneFlags::CLONE_NEWNET)?;
                f()
            })
            .join()
            .map_err(|_| BoxError::from("namespace thread panicked"))?
    })
}

/// The two namespaces, each with a TUN device `pwt` and an address, up,
/// and the forwarder between them once started.
struct Namespaces {
    client: String,
    server: String,
    forwarder: Option<forwarder::Forwarder>,
}

impl Namespaces {
    fn create() -> Result<Namespaces, BoxError> {
        let pid = std::process::id();
        let net = Namespaces {
            client: format!("pwbench-c-{pid}"),
            server: format!("pwbench-s-{pid}"),
            forwarder: None,
        };
        for (ns, addr) in [(&net.client, CLIENT_ADDR), (&net.server, SERVER_ADDR)] {
            ip(&["netns", "add", ns])?;
            ip(&["-n", ns, "link", "set", "lo", "up"])?;
            ip(&["-n", ns, "tuntap", "add", "dev", "pwt", "mode", "tun"])?;
            ip(&["-n", ns, "addr", "add", &format!("{addr}/24"), "dev", "pwt"])?;
            ip(&["-n", ns, "link", "set", "pwt", "up"])?;
        }
        Ok(net)
    }

    /// Starts the forwarder between the two TUN devices; it stops when
    /// the namespaces are dropped.
    fn start_forwarder(&mut self, one_way: Duration) -> Result<(), BoxError> {
        let client = in_namespace(&self.client, || Ok(forwarder::open_tun("pwt")?))?;
        let server = in_namespace(&self.server, || Ok(forwarder::open_tun("pwt")?))?;
        self.forwarder = Some(forwarder::Forwarder::start(client, server, one_way));
        Ok(())
    }
}

impl Drop for Namespaces {
    fn drop(&mut self) {
        // Deleting the devices ends the forwarder's reads.
        for ns in [&self.client, &self.server] {
            let _ = ip(&["-n", ns, "link", "delete", "pwt"]);
        }
        if let Some(forwarder) = self.forwarder.take() {
            forwarder.join();
        }
        for ns in [&self.client, &self.server] {
            let _ = ip(&["netns", "delete", ns]);
        }
    }
}

fn ip(args: &[&str]) -> Result<(), BoxError> {
    let out = Command::new("ip").args(args).output()?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )
        .into())
    }
}

/// Start-up: `hyperfine` runs one check of a loopback target and
/// `openssl s_client` of the same target.
fn startup(
    runtime: &tokio::runtime::Runtime,
    pki: &Pki,
    ca: &Path,
    dir: &Path,
) -> Result<(), BoxError> {
    if Command::new("hyperfine").arg("--version").output().is_err() {
        println!("\nstart-up: hyperfine is not installed (Debian package hyperfine); skipped");
        return Ok(());
    }
    let listener = StdListener::bind("127.0.0.1:0")?;
    let addr: SocketAddr = listener.local_addr()?;
    runtime.spawn(serve(listener, pki.server_config()?));
    let export: PathBuf = dir.join("hyperfine.json");
    let host = name(0);
    let pinwatch = format!(
        "{} check {host} --connect-to {host}:443:127.0.0.1:{} --public-roots {} --no-proxy --no-portal-check --format json",
        env!("CARGO_BIN_EXE_pinwatch"),
        addr.port(),
        ca.display()
    );
    let openssl = format!(
        "openssl s_client -connect 127.0.0.1:{} -servername {host} -CAfile {} -verify_return_error",
        addr.port(),
        ca.display()
    );
    // Once with the bench CA as the whole system store, once with this
    // machine's own (SSL_CERT_FILE and SSL_CERT_DIR unset: what a check
    // reads on a stock system).
    for (store, system_store) in [("the bench CA", Some(ca)), ("this machine's", None)] {
        let mut cmd = Command::new("hyperfine");
        cmd.args(["-N", "--warmup", "10", "--runs", "100", "--style", "none"])
            .arg("--export-json")
            .arg(&export)
            .args([&pinwatch, &openssl])
            .env_remove("SSL_CERT_FILE")
            .env_remove("SSL_CERT_DIR")
            .stdin(Stdio::null())
            .stdout(Stdio::null());
        if let Some(file) = system_store {
            cmd.env("SSL_CERT_FILE", file);
        }
        if !cmd.status()?.success() {
            return Err("hyperfine failed".into());
        }
        let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&export)?)?;
        println!("\nstart-up, one loopback target, {store} system store, hyperfine (100 runs):");
        for (label, r) in ["pinwatch check", "openssl s_client"]
            .iter()
            .zip(doc["results"].as_array().into_iter().flatten())
        {
            println!(
                "  {label:<17} mean {:.1} ms ± {:.1} ms, median {:.1} ms",
                r["mean"].as_f64().unwrap_or_default() * 1e3,
                r["stddev"].as_f64().unwrap_or_default() * 1e3,
                r["median"].as_f64().unwrap_or_default() * 1e3
            );
        }
    }
    let _ = std::io::stdout().flush();
    Ok(())
}
