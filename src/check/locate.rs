//! After analysis: where each interception happens. One TTL trace per
//! distinct interceptor (same key that signed the leaf, same proxy
//! setting), all traces at once, each within a second (longer when the
//! interceptor was slow to answer the probe itself); nothing is sent when
//! nothing is intercepted.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::analysis::incident::interceptor_key;
use crate::analysis::signatures::{Signed, signed_by};
use crate::analysis::{Assessment, Verdict};
use crate::observation::{LocateMethod, Location, Place};
use crate::probe::trace::{self, TraceRequest};

/// How long one trace may take at least.
pub const TRACE_BUDGET: Duration = Duration::from_millis(1000);

/// How long the trace of an interceptor that took `probe` to answer the
/// probe may take: a trace connects and says hello again at every hop at
/// once, about as long as the probe took, so three times that, at least
/// `floor`, at most `cap` (the probe's timeout).
pub fn trace_budget(probe: Duration, floor: Duration, cap: Duration) -> Duration {
    probe.saturating_mul(3).max(floor).min(cap)
}

/// Fills in `location` for every intercepted result, each trace within
/// [`trace_budget`] of its first result's probe time.
pub async fn locate_interceptors(results: &mut [Assessment], floor: Duration, cap: Duration) {
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, a) in results.iter().enumerate() {
        if a.verdict == Verdict::Intercepted {
            groups.entry(interceptor_key(a)).or_default().push(i);
        }
    }
    let mut traces = tokio::task::JoinSet::new();
    for members in groups.into_values() {
        let first = &results[members[0]];
        let Some(request) = request_for(first) else {
            let unknown = Location {
                place: Place::Unknown,
                hops: None,
                method: LocateMethod::Inconclusive,
            };
            for &i in &members {
                results[i].location = Some(unknown.clone());
            }
            continue;
        };
        let budget = trace_budget(Duration::from_millis(first.elapsed_ms), floor, cap);
        traces.spawn(async move { (members, trace::locate(&request, budget).await) });
    }
    while let Some(joined) = traces.join_next().await {
        let Ok((members, location)) = joined else {
            continue;
        };
        for i in members {
            let on_device = results[i]
                .interceptor
                .as_ref()
                .is_some_and(|att| att.category.installs_on_device());
            let mut location = location.clone();
            if on_device && matches!(location.place, Place::LocalNetwork | Place::Unknown) {
                location.place = Place::ThisDevice;
                location.method = LocateMethod::ProductOnDevice;
            }
            results[i].location = Some(location);
        }
    }
}

fn request_for(a: &Assessment) -> Option<TraceRequest> {
    let peer: SocketAddr = a.peer.as_deref()?.parse().ok()?;
    let leaf_key = a
        .chain
        .first()
        .filter(|leaf| leaf.parse_error.is_none())?
        .spki_sha256
        .clone();
    let signer = a.signer_spki.clone();
    Some(TraceRequest {
        peer,
        host: a.target.host.clone(),
        via_proxy: a.via_proxy.is_some(),
        is_forged: Arc::new(move |der| forged_by(der, &leaf_key, signer.as_deref())),
    })
}

/// Whether `leaf` (DER) is the interceptor's: it has the forged leaf's key
/// (`leaf_key`, SPKI SHA-256), or the forger's key (`signer`, a DER
/// SubjectPublicKeyInfo, when known) signed it, as from a forger that makes
/// a new leaf key for every connection. Keys and signatures, not names,
/// which anyone on the way may copy.
fn forged_by(leaf: &[u8], leaf_key: &str, signer: Option<&[u8]>) -> bool {
    let Ok((_, cert)) = x509_parser::parse_x509_certificate(leaf) else {
        return false;
    };
    if crate::util::sha256_base64(cert.tbs_certificate.subject_pki.raw) == leaf_key {
        return true;
    }
    signer.is_some_and(|spki| {
        Signed::of(leaf).and_then(|signed| signed_by(&signed, spki)) == Some(true)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slow_interceptor_gets_a_longer_trace_within_the_timeout() {
        let (floor, cap) = (TRACE_BUDGET, Duration::from_secs(10));
        let ms = Duration::from_millis;
        assert_eq!(trace_budget(ms(40), floor, cap), floor);
        assert_eq!(trace_budget(ms(900), floor, cap), ms(2700));
        assert_eq!(trace_budget(ms(9000), floor, cap), cap);
        // A timeout shorter than the floor bounds the trace too.
        assert_eq!(trace_budget(ms(40), floor, ms(500)), ms(500));
    }

    fn ca(name: &str) -> rcgen::CertifiedIssuer<'static, rcgen::KeyPair> {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        rcgen::CertifiedIssuer::self_signed(params, rcgen::KeyPair::generate().unwrap()).unwrap()
    }

    fn leaf_of(issuer: &rcgen::CertifiedIssuer<'static, rcgen::KeyPair>) -> (Vec<u8>, String) {
        let key = rcgen::KeyPair::generate().unwrap();
        let leaf = rcgen::CertificateParams::new(vec!["chat.test".into()])
            .unwrap()
            .signed_by(&key, issuer)
            .unwrap();
        let hash = crate::util::sha256_base64(&rcgen::PublicKeyData::subject_public_key_info(&key));
        (leaf.der().to_vec(), hash)
    }

    fn spki(issuer: &rcgen::CertifiedIssuer<'static, rcgen::KeyPair>) -> Vec<u8> {
        rcgen::PublicKeyData::subject_public_key_info(issuer.key())
    }

    #[test]
    fn a_hop_is_the_forgers_by_its_leaf_key_or_by_the_forgers_signature() {
        let forger = ca("Cafe Gateway CA");
        let (forged, forged_key) = leaf_of(&forger);
        // The same leaf again: its key.
        assert!(forged_by(&forged, &forged_key, None));
        // A new leaf key for this connection, signed by the same forger.
        let (fresh, _) = leaf_of(&forger);
        assert!(!forged_by(&fresh, &forged_key, None));
        assert!(forged_by(&fresh, &forged_key, Some(&spki(&forger))));
        // Another CA copying the forger's name signs nothing of the forger's.
        let (copied, _) = leaf_of(&ca("Cafe Gateway CA"));
        assert!(!forged_by(&copied, &forged_key, Some(&spki(&forger))));
        assert!(!forged_by(
            b"not a certificate",
            &forged_key,
            Some(&spki(&forger))
        ));
    }
}
