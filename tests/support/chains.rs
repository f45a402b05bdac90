//! Chains that break one rule of path validation while every certificate is
//! still signed by the next key up to the test's public root: the broken but
//! genuine chains that must never be called intercepted.

use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose,
    GeneralSubtree, IsCa, KeyPair, KeyUsagePurpose, NameConstraints,
};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::OffsetDateTime;

use super::pki::Leaf;

const DAY: Duration = Duration::from_secs(86_400);

/// A CA certificate's parameters: what a test may change.
#[derive(Clone, Debug)]
pub struct CaSpec {
    /// Subject CN.
    pub cn: String,
    /// basicConstraints.
    pub is_ca: IsCa,
    /// Permitted DNS subtrees (name constraints), if any.
    pub permitted_dns: Option<String>,
    /// Validity, relative to now: (start, end) in days.
    pub days: (i64, i64),
}

impl CaSpec {
    /// An ordinary CA, valid from a year ago for ten years.
    pub fn ca(cn: &str) -> CaSpec {
        CaSpec {
            cn: cn.to_string(),
            is_ca: IsCa::Ca(BasicConstraints::Unconstrained),
            permitted_dns: None,
            days: (-365, 3650),
        }
    }

    fn params(&self) -> CertificateParams {
        let mut params = CertificateParams::default();
        params.distinguished_name.push(DnType::CommonName, &self.cn);
        params
            .distinguished_name
            .push(DnType::OrganizationName, "Pinwatch Test PKI");
        params.is_ca = self.is_ca;
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        if let Some(dns) = &self.permitted_dns {
            params.name_constraints = Some(NameConstraints {
                permitted_subtrees: vec![GeneralSubtree::DnsName(dns.clone())],
                excluded_subtrees: Vec::new(),
            });
        }
        (params.not_before, params.not_after) = window(self.days);
        params
    }
}

fn window((from, to): (i64, i64)) -> (OffsetDateTime, OffsetDateTime) {
    let now = OffsetDateTime::now_utc();
    let at = |days: i64| {
        let span = DAY * u32::try_from(days.unsigned_abs()).expect("a small number of days");
        if days < 0 { now - span } else { now + span }
    };
    (at(from), at(to))
}

fn key_pair() -> KeyPair {
    KeyPair::generate().expect("generate an ECDSA P-256 key")
}

/// A CA with its key, able to issue.
pub struct Issuer {
    issuer: CertifiedIssuer<'static, KeyPair>,
    spec: CaSpec,
}

impl Issuer {
    /// A self-signed root.
    pub fn root(cn: &str) -> Issuer {
        let spec = CaSpec::ca(cn);
        let issuer = CertifiedIssuer::self_signed(spec.params(), key_pair()).expect("self-sign");
        Issuer { issuer, spec }
    }

    /// A CA certificate for `spec`, signed by this one.
    pub fn issue(&self, spec: CaSpec) -> Issuer {
        self.issue_with_key(spec, key_pair())
    }

    /// Like [`Issuer::issue`], with a given key (a re-issued CA keeps its key).
    pub fn issue_with_key(&self, spec: CaSpec, key: KeyPair) -> Issuer {
        let issuer =
            CertifiedIssuer::signed_by(spec.params(), key, &self.issuer).expect("sign a CA");
        Issuer { issuer, spec }
    }

    /// Another certificate for the same CA (same name and key) with
    /// `days` validity: an expired or future copy of a re-issued CA.
    pub fn copy_with_days(&self, parent: &Issuer, days: (i64, i64)) -> CertificateDer<'static> {
        let key = KeyPair::from_pem(&self.issuer.key().serialize_pem()).expect("copy the key");
        let spec = CaSpec {
            days,
            ..self.spec.clone()
        };
        parent.issue_with_key(spec, key).der().clone()
    }

    /// The certificate.
    pub fn der(&self) -> &CertificateDer<'static> {
        self.issuer.der()
    }

    /// The certificate, PEM.
    pub fn pem(&self) -> String {
        self.issuer.pem()
    }

    /// A server certificate for `host` signed by this CA, then `above`.
    pub fn leaf(&self, host: &str, shape: LeafShape, above: &[&CertificateDer<'static>]) -> Leaf {
        let mut params = CertificateParams::new(vec![host.to_string()]).expect("a SAN name");
        params.distinguished_name = rcgen::DistinguishedName::new();
        params.distinguished_name.push(DnType::CommonName, host);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        (params.not_before, params.not_after) = window((-1, 90));
        match shape {
            LeafShape::Server => {}
            LeafShape::ClientAuthOnly => {
                params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
            }
            LeafShape::Ca => {
                params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
                params.key_usages.push(KeyUsagePurpose::KeyCertSign);
            }
        }
        let key = key_pair();
        let cert = params.signed_by(&key, &self.issuer).expect("sign a leaf");
        let mut chain = vec![cert.der().clone()];
        chain.extend(above.iter().map(|c| (*c).clone()));
        Leaf {
            chain,
            key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        }
    }
}

/// What kind of server certificate.
#[derive(Clone, Copy, Debug)]
pub enum LeafShape {
    /// An ordinary TLS server certificate.
    Server,
    /// extendedKeyUsage clientAuth only.
    ClientAuthOnly,
    /// A CA certificate used as the server's certificate.
    Ca,
}
