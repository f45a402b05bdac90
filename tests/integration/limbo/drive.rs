//! One case through pinwatch: a real TLS server on 127.0.0.1 presenting the
//! case's chain with its key, probed and judged by the check engine at the
//! case's validation time; or, where no such server can run (no key, or a
//! key rustls cannot sign with), the same chain judged as a recorded
//! observation. Cases pinwatch has no question for are not applicable.

use std::sync::Arc;
use std::time::Duration;

use pinwatch::analysis::{self, Assessment, Context, TrustStore};
use pinwatch::check::{self, Judge, Plan, PlannedTarget};
use pinwatch::knowledge::Knowledge;
use pinwatch::probe::{Observation, ProbeOptions};
use pinwatch::target::{ConnectTo, HTTPS_PORT, Target};
use rustls::crypto::CryptoProvider;
use rustls::sign::{CertifiedKey, SigningKey};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use super::corpus::{Case, Kind};
use crate::support::server::Server;

/// The probe's own deadline for one handshake.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// How a case reached the engine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// A real handshake with a loopback server.
    Handshake,
    /// A recorded observation; the reason no server could present it.
    Recorded(String),
}

/// What came of one case.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// The engine judged it.
    Judged {
        /// Handshake or recorded observation.
        route: Route,
        /// The verdict's stable string.
        verdict: String,
        /// The reason codes.
        reasons: Vec<String>,
        /// The evidence, as debug text (for failure messages).
        evidence: Vec<String>,
    },
    /// Not a question pinwatch answers; why.
    NotApplicable(String),
    /// The harness could not run it (bad data, a panic, a timeout).
    Broken(String),
}

/// Drives `case` through pinwatch, with the built-in `knowledge`.
pub async fn drive(case: Arc<Case>, knowledge: Arc<Knowledge>) -> Outcome {
    let host = match applicable(&case) {
        Ok(host) => host,
        Err(why) => return Outcome::NotApplicable(why),
    };
    match judge(&case, &host, &knowledge).await {
        Ok((route, assessment)) => Outcome::Judged {
            route,
            verdict: assessment.verdict.as_str().to_string(),
            reasons: assessment
                .reasons
                .iter()
                .map(|r| r.as_str().to_string())
                .collect(),
            evidence: assessment
                .evidence
                .iter()
                .map(|e| format!("{e:?}"))
                .collect(),
        },
        Err(why) => Outcome::Broken(why),
    }
}

/// The host pinwatch checks for `case`, or why it checks none.
fn applicable(case: &Case) -> Result<String, String> {
    if case.validation_kind == Kind::Client {
        return Err("CLIENT validation: pinwatch only checks servers".into());
    }
    let Some(name) = &case.expected_peer_name else {
        return Err(
            "no expected peer name: pinwatch always checks a certificate for a host".into(),
        );
    };
    if name.kind != "DNS" && name.kind != "IP" {
        return Err(format!(
            "{} peer name: pinwatch checks DNS names and IP addresses",
            name.kind
        ));
    }
    Target::new(&name.value, HTTPS_PORT)
        .map(|t| t.host)
        .map_err(|e| format!("pinwatch takes no target `{}`: {e}", name.value))
}

async fn judge(
    case: &Case,
    host: &str,
    knowledge: &Knowledge,
) -> Result<(Route, Assessment), String> {
    let chain = case.chain()?;
    let trusted = case.trusted()?;
    let public = || TrustStore::from_certs("x509-limbo trusted_certs", &trusted).0;
    let now = case.validation_time()?;
    let key = match signing_key(case) {
        Ok(key) => key,
        Err(why) => {
            let assessment = recorded(host, chain, public(), knowledge, now);
            return Ok((Route::Recorded(why), assessment));
        }
    };
    let server = Server::tls_key(Arc::new(CertifiedKey::new(chain.clone(), key)));
    let live = through_engine(host, server.addr().port(), public(), knowledge.clone(), now).await;
    drop(server);
    let live = live?;
    let got: Vec<&str> = live.chain.iter().map(|c| c.cert_sha256.as_str()).collect();
    let sent: Vec<String> = chain
        .iter()
        .map(|c| pinwatch::util::sha256_hex(c))
        .collect();
    if got == sent {
        return Ok((Route::Handshake, live));
    }
    match (&live.error, got.is_empty()) {
        // The probe refused the handshake before it saw the chain (a
        // certificate message beyond rustls' size limit): judge the chain
        // the server sent as if recorded, so analysis still meets it.
        (Some(error), true) => {
            let why = format!(
                "the probe got no chain over TLS ({}: {}; live verdict {})",
                error.stage.as_str(),
                error.detail,
                live.verdict.as_str()
            );
            let assessment = recorded(host, chain, public(), knowledge, now);
            Ok((Route::Recorded(why), assessment))
        }
        _ => Err(format!(
            "the probe recorded {} of the {} certificates the server presented \
             (verdict {}, error {:?})",
            got.len(),
            sent.len(),
            live.verdict.as_str(),
            live.error
        )),
    }
}

/// The case's key as a rustls signing key, or why a server cannot use it.
fn signing_key(case: &Case) -> Result<Arc<dyn SigningKey>, String> {
    let pem = case
        .peer_certificate_key
        .as_deref()
        .ok_or("the case carries no private key")?;
    let der = PrivateKeyDer::from_pem_slice(pem.as_bytes())
        .map_err(|e| format!("key PEM not PKCS#8, SEC1 or PKCS#1 ({e})"))?;
    let provider: CryptoProvider = rustls::crypto::ring::default_provider();
    provider
        .key_provider
        .load_private_key(der)
        .map_err(|e| format!("rustls (ring) cannot sign with this key ({e})"))
}

/// The engine call, over a real handshake: pinwatch probes `host` (routed
/// to 127.0.0.1:`port`) and judges the chain with `public` as the public
/// roots, no system roots and the built-in knowledge, at `now`.
async fn through_engine(
    host: &str,
    port: u16,
    public: TrustStore,
    knowledge: Knowledge,
    now: i64,
) -> Result<Assessment, String> {
    let target = Target::new(host, HTTPS_PORT).map_err(|e| e.to_string())?;
    let plan = Plan {
        targets: vec![PlannedTarget {
            target,
            service: None,
        }],
        concurrency: 1,
        // Every intercepted verdict is on loopback: nothing to locate.
        trace: false,
        sanctioned: Vec::new(),
        probe: ProbeOptions {
            timeout: PROBE_TIMEOUT,
            connect_to: vec![ConnectTo {
                host: Some(host.to_string()),
                port: Some(HTTPS_PORT),
                addr: "127.0.0.1".into(),
                addr_port: Some(port),
            }],
            ..ProbeOptions::default()
        },
        portal_checks: Vec::new(),
    };
    // limbo's certificates carry no SCTs: CT is not what it tests.
    let judge = Judge::with_stores(
        knowledge,
        public,
        TrustStore::from_certs("system (empty)", &[]).0,
        None,
    );
    check::run(&plan, &judge, now)
        .await
        .into_iter()
        .next()
        .ok_or_else(|| "the check returned no result".to_string())
}

/// The engine call, over a recorded observation of `chain` presented for `host`.
fn recorded(
    host: &str,
    chain: Vec<CertificateDer<'static>>,
    public: TrustStore,
    knowledge: &Knowledge,
    now: i64,
) -> Assessment {
    let target = Target {
        host: host.to_string(),
        port: HTTPS_PORT,
    };
    let system = TrustStore::from_certs("system (empty)", &[]).0;
    let observation = Observation {
        target,
        peer: None,
        via_proxy: None,
        chain,
        tls: None,
        error: None,
        fallback: None,
        refused_oversized: false,
        fetched: Vec::new(),
        aia: None,
        elapsed: Duration::ZERO,
    };
    let ctx = Context {
        ct_logs: None,
        built: 0,
        public: &public,
        system: &system,
        knowledge,
        now,
        portal: None,
    };
    analysis::analyze(&observation, knowledge.service_for_host(host), ctx)
}
