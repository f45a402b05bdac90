//! Verdicts from generated chains: every rule of the decision, reproduced
//! without a network, with the time passed in.

use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls_pki_types::CertificateDer;

use super::*;
use crate::knowledge::{Knowledge, load_files};
use crate::observation::{Observation, PortalEvidence, ProbeError, Stage};
use crate::target::Target;
use crate::util::sha256_base64;

const NOW: i64 = 1_795_305_600; // 2026-11-22
const HOST: &str = "chat.example";

/// A CA that can issue.
struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl Ca {
    fn root(cn: &str, org: &str) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, cn);
        params
            .distinguished_name
            .push(DnType::OrganizationName, org);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        Ca {
            issuer: CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap(),
        }
    }

    fn intermediate(&self, cn: &str) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, cn);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign];
        Ca {
            issuer: CertifiedIssuer::signed_by(params, KeyPair::generate().unwrap(), &self.issuer)
                .unwrap(),
        }
    }

    fn leaf(&self, name: &str, valid: Option<(i64, i64)>) -> CertificateDer<'static> {
        let mut params = CertificateParams::new(vec![name.to_string()]).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        if let Some((from, to)) = valid {
            params.not_before = time::OffsetDateTime::from_unix_timestamp(from).unwrap();
            params.not_after = time::OffsetDateTime::from_unix_timestamp(to).unwrap();
        }
        let key = KeyPair::generate().unwrap();
        params.signed_by(&key, &self.issuer).unwrap().der().clone()
    }

    fn der(&self) -> CertificateDer<'static> {
        self.issuer.der().clone()
    }

    fn spki(&self) -> String {
        CertFacts::from_der(self.issuer.der()).spki_sha256
    }
}

fn store(name: &str, cas: &[&Ca]) -> TrustStore {
    let certs: Vec<_> = cas.iter().map(|c| c.der()).collect();
    let (store, problems) = TrustStore::from_certs(name, &certs);
    assert!(problems.is_empty(), "{problems:?}");
    store
}

fn knowledge(pins: &[&str], review_by: &str, interceptor_rules: &str) -> Knowledge {
    let pins: String = pins
        .iter()
        .enumerate()
        .map(|(i, p)| format!("[[pin]]\nspki_sha256 = \"{p}\"\nlabel = \"key {i}\"\n"))
        .collect();
    let service = format!(
        "name = \"chat\"\ndisplay_name = \"Chat\"\ndisplay_name_zh = \"聊天\"\nreview_by = {review_by}\nsource = \"test\"\nexposes = \"everything typed\"\nexposes_zh = \"输入的一切\"\n[[host]]\nname = \"{HOST}\"\n{pins}"
    );
    let interceptors = format!(
        "[[interceptor]]\nid = \"evil\"\nname = \"Evil Proxy\"\ncategory = \"corporate_gateway\"\nsource = \"test\"\nadvice = \"a\"\nadvice_zh = \"b\"\n{interceptor_rules}"
    );
    let portals = "[[portal]]\nlabel = \"Hotel WiFi\"\nspki_sha256 = \"m/nBiLhStttu1YmOz7Y3D2u1iB1dV2CbIfFa3R2YW5M=\"\n";
    load_files(&[
        ("t/authorities.toml".into(), String::new()),
        ("t/interceptors.toml".into(), interceptors),
        ("t/captive_portals.toml".into(), portals.into()),
        ("t/services/chat.toml".into(), service),
    ])
    .unwrap()
}

fn observe(chain: Vec<CertificateDer<'static>>) -> Observation {
    Observation {
        target: Target::new(HOST, 443).unwrap(),
        peer: Some("127.0.0.1:443".into()),
        via_proxy: None,
        chain,
        tls: None,
        error: None,
        fallback: None,
        refused_oversized: false,
        fetched: Vec::new(),
        aia: None,
        elapsed: Duration::from_millis(5),
    }
}

struct World {
    root: Ca,
    inter: Ca,
    evil: Ca,
    public: TrustStore,
    empty: TrustStore,
}

fn world() -> World {
    let root = Ca::root("Test Public Root", "Test Trust Services");
    let inter = root.intermediate("Test Issuing CA 1");
    let evil = Ca::root("Evil Interception CA", "Evil Corp");
    let public = store("public", &[&root]);
    World {
        root,
        inter,
        evil,
        public,
        empty: TrustStore::default(),
    }
}

fn judge(
    obs: &Observation,
    k: &Knowledge,
    public: &TrustStore,
    system: &TrustStore,
    portal: Option<&PortalEvidence>,
) -> Assessment {
    let ctx = Context {
        ct_logs: None,
        built: 0,
        public,
        system,
        knowledge: k,
        now: NOW,
        portal,
    };
    analyze(obs, k.service_for_host(&obs.target.host), ctx)
}

#[test]
fn genuine_chain_with_matching_pin_is_ok() {
    let w = world();
    let k = knowledge(&[&w.root.spki()], "2027-05-01", "");
    let obs = observe(vec![w.inter.leaf(HOST, None), w.inter.der()]);
    let a = judge(&obs, &k, &w.public, &w.empty, None);
    assert_eq!(a.verdict, Verdict::Ok);
    assert_eq!(
        a.reasons,
        [Reason::NameMatch, Reason::PublicRoot, Reason::PinMatch]
    );
    assert_eq!(a.anchor, Anchor::Public);
    assert_eq!(a.pins.status, PinStatus::Match);
    assert_eq!(a.chain.len(), 2);
    assert_eq!(a.chain[1].spki_sha256, w.inter.spki());
}

#[test]
fn an_intermediate_pin_matches_too_and_no_pinset_is_ok() {
    let w = world();
    let obs = observe(vec![w.inter.leaf(HOST, None), w.inter.der()]);
    let k = knowledge(&[&w.inter.spki()], "2027-05-01", "");
    assert_eq!(
        judge(&obs, &k, &w.public, &w.empty, None).verdict,
        Verdict::Ok
    );
    let k = knowledge(&[], "2027-05-01", "");
    let a = judge(&obs, &k, &w.public, &w.empty, None);
    assert_eq!(
        (a.verdict, a.pins.status),
        (Verdict::Ok, PinStatus::NoPinset)
    );
}

#[test]
fn pin_mismatch_is_suspicious_never_intercepted() {
    let w = world();
    let other = Ca::root("Other Root", "Other");
    let obs = observe(vec![w.inter.leaf(HOST, None), w.inter.der()]);
    let k = knowledge(&[&other.spki()], "2027-05-01", "");
    let a = judge(&obs, &k, &w.public, &w.empty, None);
    assert_eq!(a.verdict, Verdict::Suspicious);
    assert!(a.reasons.contains(&Reason::PinMismatch));
    assert!(!a.pins.stale);
    // Past the review date: still only suspicious, marked stale.
    let k = knowledge(&[&other.spki()], "2026-01-01", "");
    let a = judge(&obs, &k, &w.public, &w.empty, None);
    assert_eq!(a.verdict, Verdict::Suspicious);
    assert!(a.reasons.contains(&Reason::PinsetStale));
    assert!(a.pins.stale);
}

#[test]
fn expired_and_future_public_certificates_are_suspicious() {
    let w = world();
    let k = knowledge(&[&w.root.spki()], "2027-05-01", "");
    let expired = observe(vec![
        w.inter.leaf(HOST, Some((NOW - 400 * 86400, NOW - 86400))),
        w.inter.der(),
    ]);
    let a = judge(&expired, &k, &w.public, &w.empty, None);
    assert_eq!(a.verdict, Verdict::Suspicious);
    assert!(a.reasons.contains(&Reason::ChainExpired), "{:?}", a.reasons);
    let future = observe(vec![
        w.inter.leaf(HOST, Some((NOW + 86400, NOW + 90 * 86400))),
        w.inter.der(),
    ]);
    let a = judge(&future, &k, &w.public, &w.empty, None);
    assert!(
        a.reasons.contains(&Reason::ChainNotYetValid),
        "{:?}",
        a.reasons
    );
}

#[test]
fn forged_certificate_for_the_host_is_intercepted() {
    let w = world();
    let k = knowledge(&[&w.root.spki()], "2027-05-01", "");
    let obs = observe(vec![w.evil.leaf(HOST, None), w.evil.der()]);
    let a = judge(&obs, &k, &w.public, &w.empty, None);
    assert_eq!(a.verdict, Verdict::Intercepted);
    assert_eq!(a.anchor, Anchor::None);
    assert_eq!(
        a.reasons,
        [
            Reason::NameMatch,
            Reason::UntrustedRoot,
            Reason::UnknownRoot
        ]
    );
    assert!(a.interceptor.is_none());
    assert!(
        a.evidence
            .iter()
            .any(|e| format!("{e:?}").contains("Evil Interception CA")),
        "{:?}",
        a.evidence
    );
}

#[test]
fn a_locally_installed_root_is_named() {
    let w = world();
    let k = knowledge(&[], "2027-05-01", "");
    let system = store("system", &[&w.evil]);
    let obs = observe(vec![w.evil.leaf(HOST, None)]);
    let a = judge(&obs, &k, &w.public, &system, None);
    assert_eq!(a.verdict, Verdict::Intercepted);
    assert_eq!(a.anchor, Anchor::System);
    assert!(a.reasons.contains(&Reason::SystemRootInstalled));
    // Even a stale pinset does not soften a forged chain: that is evidence about the chain.
    let k = knowledge(&[&w.root.spki()], "2020-01-01", "");
    assert_eq!(
        judge(&obs, &k, &w.public, &system, None).verdict,
        Verdict::Intercepted
    );
}

#[test]
fn attribution_by_issuer_name_and_by_key() {
    let w = world();
    let obs = observe(vec![w.evil.leaf(HOST, None)]);
    let k = knowledge(
        &[],
        "2027-05-01",
        "[[interceptor.match]]\nissuer_o = \"^Evil Corp$\"\nissuer_cn = \"Interception\"\n",
    );
    let a = judge(&obs, &k, &w.public, &w.empty, None);
    let i = a.interceptor.as_ref().unwrap();
    assert_eq!(
        (i.name.as_str(), i.matched_by, i.category),
        (
            "Evil Proxy",
            MatchedBy::IssuerName,
            crate::knowledge::Category::CorporateGateway
        )
    );
    assert!(a.reasons.contains(&Reason::InterceptorIssuer));

    // By key: the root is not even sent, but this machine's store holds it.
    let rule = format!(
        "[[interceptor.match]]\nspki_sha256 = \"{}\"\nlabel = \"Evil root\"\n",
        w.evil.spki()
    );
    let k = knowledge(&[], "2027-05-01", &rule);
    let system = store("system", &[&w.evil]);
    let a = judge(&obs, &k, &w.public, &system, None);
    assert_eq!(a.verdict, Verdict::Intercepted);
    assert_eq!(a.interceptor.as_ref().unwrap().matched_by, MatchedBy::Spki);
    assert!(a.reasons.contains(&Reason::KnownInterceptorKey));
    assert!(a.reasons.contains(&Reason::SystemRootInstalled));
}

#[test]
fn a_known_interception_key_is_intercepted_even_on_a_public_chain() {
    let w = world();
    let rule = format!(
        "[[interceptor.match]]\nspki_sha256 = \"{}\"\nlabel = \"leaked\"\n",
        w.inter.spki()
    );
    let k = knowledge(&[], "2027-05-01", &rule);
    let obs = observe(vec![w.inter.leaf(HOST, None), w.inter.der()]);
    let a = judge(&obs, &k, &w.public, &w.empty, None);
    assert_eq!(a.verdict, Verdict::Intercepted);
    assert_eq!(a.reasons, [Reason::KnownInterceptorKey]);
}

#[test]
fn an_issuer_name_lookalike_on_a_public_chain_is_not_an_alarm() {
    let w = world();
    let k = knowledge(
        &[],
        "2027-05-01",
        "[[interceptor.match]]\nissuer_cn = \"Test Issuing\"\n",
    );
    let obs = observe(vec![w.inter.leaf(HOST, None), w.inter.der()]);
    let a = judge(&obs, &k, &w.public, &w.empty, None);
    assert_eq!(a.verdict, Verdict::Ok);
    assert!(a.interceptor.is_none());
}

#[test]
fn wrong_name_is_suspicious_unless_a_portal_is_seen() {
    let w = world();
    let k = knowledge(&[], "2027-05-01", "");
    let obs = observe(vec![
        w.inter.leaf("login.hotel.example", None),
        w.inter.der(),
    ]);
    let a = judge(&obs, &k, &w.public, &w.empty, None);
    assert_eq!(a.verdict, Verdict::Suspicious);
    assert_eq!(a.reasons, [Reason::NameMismatch]);
    assert!(needs_portal_check(&obs));

    let portal = PortalEvidence {
        detected: true,
        details: vec!["http://x/: redirected (302) to http://login/".into()],
    };
    let a = judge(&obs, &k, &w.public, &w.empty, Some(&portal));
    assert_eq!(a.verdict, Verdict::CaptivePortal);
    assert_eq!(a.reasons, [Reason::NameMismatch, Reason::PortalDetected]);

    let quiet = PortalEvidence {
        detected: false,
        details: vec![],
    };
    assert_eq!(
        judge(&obs, &k, &w.public, &w.empty, Some(&quiet)).verdict,
        Verdict::Suspicious
    );
}

#[test]
fn a_forged_certificate_for_the_host_is_interception_even_behind_a_portal() {
    let w = world();
    let k = knowledge(&[], "2027-05-01", "");
    let obs = observe(vec![w.evil.leaf(HOST, None), w.evil.der()]);
    let portal = PortalEvidence {
        detected: true,
        details: vec![],
    };
    assert!(!needs_portal_check(&obs));
    assert_eq!(
        judge(&obs, &k, &w.public, &w.empty, Some(&portal)).verdict,
        Verdict::Intercepted
    );
}

#[test]
fn no_certificate_is_unreachable_with_the_stage() {
    let w = world();
    let k = knowledge(&[], "2027-05-01", "");
    for (stage, reason) in [
        (Stage::Dns, Reason::DnsFailed),
        (Stage::Tcp, Reason::TcpFailed),
        (Stage::Proxy, Reason::ProxyFailed),
        (Stage::Tls, Reason::TlsFailed),
        (Stage::Timeout, Reason::Timeout),
    ] {
        let mut obs = observe(vec![]);
        obs.error = Some(ProbeError::new(stage, "x"));
        let a = judge(&obs, &k, &w.public, &w.empty, None);
        assert_eq!(
            (a.verdict, a.reasons.as_slice()),
            (Verdict::Unreachable, &[reason][..])
        );
    }
}

#[test]
fn a_genuine_chain_whose_handshake_failed_is_not_called_ok() {
    let w = world();
    let k = knowledge(&[], "2027-05-01", "");
    let mut obs = observe(vec![w.inter.leaf(HOST, None), w.inter.der()]);
    obs.error = Some(ProbeError::new(Stage::Tls, "invalid signature"));
    let a = judge(&obs, &k, &w.public, &w.empty, None);
    assert_eq!(a.verdict, Verdict::Unreachable);
    assert!(a.reasons.contains(&Reason::TlsFailed));
}

#[test]
fn garbage_from_the_network_is_suspicious_not_a_panic() {
    let w = world();
    let k = knowledge(&[], "2027-05-01", "");
    for junk in [vec![0x30, 0x00], vec![0xff; 64], b"hello".to_vec()] {
        let obs = observe(vec![CertificateDer::from(junk)]);
        let a = judge(&obs, &k, &w.public, &w.empty, None);
        assert_eq!(a.verdict, Verdict::Suspicious);
        assert_eq!(a.reasons, [Reason::MalformedCertificate]);
    }
    // A valid leaf followed by junk "intermediates" still validates or fails cleanly.
    let obs = observe(vec![
        w.inter.leaf(HOST, None),
        CertificateDer::from(vec![1, 2, 3]),
        w.inter.der(),
    ]);
    let a = judge(&obs, &k, &w.public, &w.empty, None);
    assert_eq!(a.verdict, Verdict::Ok);
}

#[test]
fn captive_portal_key_list_is_used() {
    // A real Chrome captive-portal key cannot be generated here; check the
    // lookup with a knowledge base whose portal key is our leaf's.
    let w = world();
    let leaf = w.inter.leaf("gateway.example", None);
    let spki = CertFacts::from_der(&leaf).spki_sha256;
    let mut k = knowledge(&[], "2027-05-01", "");
    k.portal_keys[0].spki_sha256 = spki;
    let a = judge(
        &observe(vec![leaf, w.inter.der()]),
        &k,
        &w.public,
        &w.empty,
        None,
    );
    assert_eq!(a.verdict, Verdict::CaptivePortal);
    assert!(a.reasons.contains(&Reason::CaptivePortalKey));
}

#[test]
fn anchor_hash_matches_the_certificate_spki_hash() {
    let w = world();
    let obs = observe(vec![w.inter.leaf(HOST, None), w.inter.der()]);
    let now = rustls_pki_types::UnixTime::since_unix_epoch(Duration::from_secs(NOW as u64));
    let path = w.public.validate(&obs.chain, now);
    let anchors::PathStatus::Valid(spkis) = path else {
        panic!("{path:?}")
    };
    assert_eq!(spkis.last().unwrap(), &w.root.spki());
    assert!(w.public.contains_spki(&w.root.spki()));
    assert_eq!(sha256_base64(b"x").len(), 44);
}

#[test]
fn a_service_with_its_own_ca_is_ok_on_that_ca_and_intercepted_otherwise() {
    let w = world();
    let own = Ca::root("Chat Messenger Root CA", "Chat Messenger");
    let authorities = format!(
        "[[authority]]\nid = \"own-ca\"\nlabel = \"Chat Messenger Root CA\"\nspki_sha256 = \"{}\"\nkind = \"private\"\nsource = \"test\"\n",
        own.spki()
    );
    let service = format!(
        "name = \"chat\"\ndisplay_name = \"Chat\"\ndisplay_name_zh = \"聊天\"\nreview_by = 2027-05-01\nsource = \"t\"\nexposes = \"e\"\nexposes_zh = \"z\"\n[[host]]\nname = \"{HOST}\"\n[[pin]]\nauthority = \"own-ca\"\nbackup = true\n"
    );
    let k = load_files(&[
        ("t/authorities.toml".into(), authorities),
        ("t/interceptors.toml".into(), String::new()),
        ("t/certs/own-ca.pem".into(), own.issuer.pem()),
        ("t/services/chat.toml".into(), service),
    ])
    .unwrap();
    // The service's servers do not send the root: the pinned certificate is the anchor.
    let genuine = observe(vec![own.leaf(HOST, None)]);
    let a = judge(&genuine, &k, &w.public, &w.empty, None);
    assert_eq!(
        (a.verdict, a.anchor),
        (Verdict::Ok, Anchor::ServiceCa),
        "{:?}",
        a.reasons
    );
    assert_eq!(
        a.reasons,
        [Reason::NameMatch, Reason::ServiceCa, Reason::PinMatch]
    );
    let forged = observe(vec![w.evil.leaf(HOST, None), w.evil.der()]);
    assert_eq!(
        judge(&forged, &k, &w.public, &w.empty, None).verdict,
        Verdict::Intercepted
    );
    // Without its certificate a private authority is a load error, not a silent gap.
    let err = load_files(&[
        ("t/authorities.toml".into(), format!("[[authority]]\nid = \"own-ca\"\nlabel = \"x\"\nspki_sha256 = \"{}\"\nkind = \"private\"\nsource = \"t\"\n", own.spki())),
        ("t/interceptors.toml".into(), String::new()),
    ])
    .unwrap_err();
    assert!(
        err.to_string().contains("certs/own-ca.pem is missing"),
        "{err}"
    );
}

#[test]
fn a_server_that_forgets_its_intermediate_is_completed_from_the_known_ones() {
    let w = world();
    let leaf = w.inter.leaf(HOST, None);
    let service = format!(
        "name = \"chat\"\ndisplay_name = \"Chat\"\ndisplay_name_zh = \"聊天\"\nreview_by = 2027-05-01\nsource = \"t\"\nexposes = \"e\"\nexposes_zh = \"z\"\n[[host]]\nname = \"{HOST}\"\n"
    );
    let authorities = format!(
        "[[authority]]\nid = \"issuing-1\"\nlabel = \"Test Issuing CA 1\"\nspki_sha256 = \"{}\"\nkind = \"intermediate\"\nsource = \"test\"\n",
        w.inter.spki()
    );
    let with = load_files(&[
        ("t/authorities.toml".into(), authorities),
        ("t/interceptors.toml".into(), String::new()),
        ("t/certs/issuing-1.pem".into(), w.inter.issuer.pem()),
        ("t/services/chat.toml".into(), service.clone()),
    ])
    .unwrap();
    let without = knowledge(&[], "2027-05-01", "");
    let obs = observe(vec![leaf]);
    // Without them (and nothing to fetch), incomplete: not a forgery.
    let a = judge(&obs, &without, &w.public, &w.empty, None);
    assert_eq!(a.verdict, Verdict::Suspicious);
    assert!(
        a.reasons.contains(&Reason::ChainIncomplete),
        "{:?}",
        a.reasons
    );
    let a = judge(&obs, &with, &w.public, &w.empty, None);
    assert_eq!(
        (a.verdict, a.anchor),
        (Verdict::Ok, Anchor::Public),
        "{:?}",
        a.evidence
    );
}

#[test]
fn mutated_certificates_never_panic_and_never_pass() {
    // Certificates come from attackers: flip, truncate and splice real ones
    // and run the whole analysis on each. Deterministic (xorshift), no new
    // dependency.
    let w = world();
    let k = knowledge(&[&w.root.spki()], "2027-05-01", "");
    let leaf = w.inter.leaf(HOST, None).to_vec();
    let inter = w.inter.der().to_vec();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for round in 0..1500 {
        let (mut a, b) = if round % 2 == 0 {
            (leaf.clone(), inter.clone())
        } else {
            (inter.clone(), leaf.clone())
        };
        match next() % 3 {
            0 => {
                for _ in 0..1 + next() % 4 {
                    let i = (next() as usize) % a.len();
                    a[i] ^= 1 << (next() % 8);
                }
            }
            1 => a.truncate((next() as usize) % a.len()),
            _ => {
                let at = (next() as usize) % a.len();
                a.splice(at..at, b[..(next() as usize) % b.len()].iter().copied());
            }
        }
        let _ = CertFacts::from_der(&a);
        let obs = observe(vec![
            CertificateDer::from(a.clone()),
            CertificateDer::from(inter.clone()),
        ]);
        let verdict = judge(&obs, &k, &w.public, &w.empty, None).verdict;
        if a != leaf {
            // A changed leaf can never carry a valid signature: never ok.
            assert_ne!(
                verdict,
                Verdict::Ok,
                "round {round}: a mutated certificate passed"
            );
        }
    }
}

#[test]
fn a_pinned_legacy_root_is_genuine_but_an_unpinned_one_is_not() {
    let w = world();
    let retired = Ca::root("Old Global Root CA", "Old Trust Inc");
    let issuing = retired.intermediate("Old Secure Site CA");
    let authorities = format!(
        "[[authority]]\nid = \"old-root\"\nlabel = \"Old Global Root CA\"\nspki_sha256 = \"{}\"\nkind = \"legacy_root\"\nsource = \"test\"\n",
        retired.spki()
    );
    let service = |pin: &str| {
        format!(
            "name = \"chat\"\ndisplay_name = \"Chat\"\ndisplay_name_zh = \"聊天\"\nreview_by = 2027-05-01\nsource = \"t\"\nexposes = \"e\"\nexposes_zh = \"z\"\n[[host]]\nname = \"{HOST}\"\n{pin}"
        )
    };
    let load = |svc: String| {
        load_files(&[
            ("t/authorities.toml".into(), authorities.clone()),
            ("t/interceptors.toml".into(), String::new()),
            ("t/certs/old-root.pem".into(), retired.issuer.pem()),
            ("t/services/chat.toml".into(), svc),
        ])
        .unwrap()
    };
    let obs = observe(vec![issuing.leaf(HOST, None), issuing.der()]);
    let pinned = load(service(
        "[[pin]]\nauthority = \"old-root\"\nbackup = true\n",
    ));
    let a = judge(&obs, &pinned, &w.public, &w.empty, None);
    assert_eq!(
        (a.verdict, a.anchor),
        (Verdict::Ok, Anchor::LegacyRoot),
        "{:?}",
        a.reasons
    );
    assert_eq!(
        a.reasons,
        [Reason::NameMatch, Reason::LegacyRoot, Reason::PinMatch]
    );
    assert!(
        matches!(a.evidence.last(), Some(Evidence::LegacyRoot { label: l }) if l == "Old Global Root CA"),
        "{:?}",
        a.evidence
    );
    // A service that does not pin the retired root gets no `ok`; but a
    // real CA key signed the chain, so it is no forgery either.
    let unpinned = load(service(""));
    let a = judge(&obs, &unpinned, &w.public, &w.empty, None);
    assert_eq!(a.verdict, Verdict::Suspicious);
    assert!(
        a.reasons.contains(&Reason::KnownCaNotTrusted),
        "{:?}",
        a.reasons
    );
}

#[test]
fn the_forgers_key_is_handed_on_from_the_chain_or_this_machines_store_never_a_public_cas() {
    let w = world();
    let k = knowledge(&[], "2027-05-01", "");
    let spki_der = |ca: &Ca| {
        x509_parser::parse_x509_certificate(ca.issuer.der())
            .unwrap()
            .1
            .tbs_certificate
            .subject_pki
            .raw
            .to_vec()
    };
    // The forger's CA sent along.
    let sent = observe(vec![w.evil.leaf(HOST, None), w.evil.der()]);
    let a = judge(&sent, &k, &w.public, &w.empty, None);
    assert_eq!(a.signer_spki, Some(spki_der(&w.evil)));
    // The leaf alone, the forger's root in this machine's store.
    let system = store("system", &[&w.evil]);
    let alone = observe(vec![w.evil.leaf(HOST, None)]);
    let a = judge(&alone, &k, &w.public, &system, None);
    assert_eq!(a.signer_spki, Some(spki_der(&w.evil)));
    // Neither: the key is not known.
    assert_eq!(
        judge(&alone, &k, &w.public, &w.empty, None).signer_spki,
        None
    );
    // A genuine chain: a public CA's key is never handed on.
    let genuine = observe(vec![w.inter.leaf(HOST, None), w.inter.der()]);
    let a = judge(&genuine, &k, &w.public, &w.empty, None);
    assert_eq!(a.verdict, Verdict::Ok);
    assert_eq!(a.signer_spki, None);
}
