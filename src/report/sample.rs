//! Hand-made results for the reporters' unit tests.

use crate::analysis::{
    Anchor, Assessment, Attribution, CertFacts, MatchedBy, Reason, ServiceInfo, Verdict,
};
use crate::observation::{ProbeError, Stage, TlsParams};
use crate::target::Target;

fn base(host: &str, service: Option<&str>, verdict: Verdict) -> Assessment {
    Assessment {
        service: service.map(|name| ServiceInfo {
            name: name.to_lowercase(),
            display_name: name.into(),
            display_name_zh: name.into(),
            exposes: String::new(),
            exposes_zh: String::new(),
            exposure: crate::knowledge::Exposure::Everything,
        }),
        ..Assessment::bare(Target::new(host, 443).unwrap(), verdict)
    }
}

fn leaf(host: &str, issuer: &str, not_after_unix: i64) -> CertFacts {
    CertFacts {
        subject: format!("CN={host}"),
        issuer: issuer.into(),
        sans: vec![host.into()],
        not_after_unix,
        ..CertFacts::default()
    }
}

fn tls() -> Option<TlsParams> {
    Some(TlsParams {
        version: "TLSv1.3".into(),
        cipher: "TLS13_AES_128_GCM_SHA256".into(),
        alpn: None,
    })
}

/// A genuine result for `host` of `service`, 120 ms.
pub fn ok(host: &str, service: &str) -> Assessment {
    let mut a = base(host, Some(service), Verdict::Ok);
    a.reasons = vec![Reason::PublicRoot];
    a.anchor = Anchor::Public;
    a.chain = vec![leaf(host, "CN=Public CA, O=Public", 1_900_000_000)];
    a.tls = tls();
    a.elapsed_ms = 120;
    a
}

/// `host` of `service` intercepted by mitmproxy, whose root this machine
/// trusts; 204 ms.
pub fn intercepted(host: &str, service: &str) -> Assessment {
    let mut a = base(host, Some(service), Verdict::Intercepted);
    a.reasons = vec![Reason::UntrustedRoot, Reason::SystemRootInstalled];
    a.anchor = Anchor::System;
    a.chain = vec![leaf(host, "CN=mitmproxy, O=mitmproxy", 1_800_000_000)];
    a.interceptor = Some(Attribution {
        id: "mitmproxy".into(),
        name: "mitmproxy".into(),
        category: crate::knowledge::Category::DebuggingProxy,
        matched_by: MatchedBy::IssuerName,
        matched: "issuer O=mitmproxy".into(),
        advice: String::new(),
        advice_zh: String::new(),
    });
    a.tls = tls();
    a.elapsed_ms = 204;
    a
}

/// `host` refused the connection.
pub fn unreachable(host: &str) -> Assessment {
    let mut a = base(host, None, Verdict::Unreachable);
    a.reasons = vec![Reason::TcpFailed];
    a.error = Some(ProbeError::new(Stage::Tcp, "connection refused"));
    a.elapsed_ms = 1;
    a
}
