//! Test certificate authorities, made at run time with rcgen: a "public"
//! root with an intermediate, and interception CAs that forge leaves.

use std::time::Duration;

use base64::Engine as _;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, PublicKeyData as _,
};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::OffsetDateTime;

/// A certificate authority that can sign leaves.
pub struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
    /// Certificates a server sends above a leaf this CA signed.
    above_leaf: Vec<CertificateDer<'static>>,
}

impl std::fmt::Debug for Ca {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ca")
            .field("spki_sha256", &self.spki_sha256())
            .finish()
    }
}

/// A leaf certificate with its chain (leaf first) and private key.
pub struct Leaf {
    /// Leaf, then the certificates sent with it.
    pub chain: Vec<CertificateDer<'static>>,
    /// The leaf's private key.
    pub key: PrivateKeyDer<'static>,
}

/// When a leaf is valid.
#[derive(Clone, Copy, Debug)]
pub enum Validity {
    /// From yesterday for 90 days.
    Current,
    /// Expired: valid for a year, ending 30 days ago.
    Expired,
}

fn ca_params(cn: &str, org: &str) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::CommonName, cn);
    params
        .distinguished_name
        .push(DnType::OrganizationName, org);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params
}

fn key_pair() -> KeyPair {
    KeyPair::generate().expect("generate an ECDSA P-256 key")
}

impl Ca {
    /// A self-signed root `CN=cn, O=org`.
    pub fn root(cn: &str, org: &str) -> Ca {
        let issuer =
            CertifiedIssuer::self_signed(ca_params(cn, org), key_pair()).expect("self-sign a root");
        Ca {
            issuer,
            above_leaf: Vec::new(),
        }
    }

    /// `n` more certificates of this root, `CN=cn, O=org` as it was made:
    /// the same name and key, each with a serial of its own.
    pub fn copies(&self, cn: &str, org: &str, n: u64) -> Vec<CertificateDer<'static>> {
        (1..=n)
            .map(|serial| {
                let mut params = ca_params(cn, org);
                params.serial_number = Some(serial.into());
                let key = KeyPair::from_pem(&self.issuer.key().serialize_pem()).expect("the key");
                params.self_signed(&key).expect("self-sign").der().clone()
            })
            .collect()
    }

    /// A self-signed root with the distinguished name `dn` exactly as given
    /// (any string types, any characters: look-alikes and hostile names).
    pub fn root_named(dn: rcgen::DistinguishedName) -> Ca {
        let mut params = ca_params("", "");
        params.distinguished_name = dn;
        let issuer = CertifiedIssuer::self_signed(params, key_pair()).expect("self-sign a root");
        Ca {
            issuer,
            above_leaf: Vec::new(),
        }
    }

    /// A leaf for `names` with the subject `subject` and, after `names`,
    /// the subjectAltNames `extra_sans` (any ASCII, controls included),
    /// sent with this CA's certificate.
    pub fn leaf_named(
        &self,
        names: &[&str],
        subject: rcgen::DistinguishedName,
        extra_sans: &[&str],
    ) -> Leaf {
        let mut leaf = self.signed_leaf(names, subject, extra_sans, Validity::Current);
        leaf.chain.push(self.der().clone());
        leaf
    }

    /// An intermediate CA signed by this one; servers send it with its leaves.
    pub fn intermediate(&self, cn: &str, org: &str) -> Ca {
        let issuer = CertifiedIssuer::signed_by(ca_params(cn, org), key_pair(), &self.issuer)
            .expect("sign an intermediate");
        let mut above_leaf = vec![issuer.der().clone()];
        above_leaf.extend(self.above_leaf.iter().cloned());
        Ca { issuer, above_leaf }
    }

    /// A leaf for `names` (DNS names or IP literals), signed by this CA.
    pub fn leaf(&self, names: &[&str], validity: Validity) -> Leaf {
        let mut subject = rcgen::DistinguishedName::new();
        subject.push(
            DnType::CommonName,
            names.first().copied().unwrap_or_default(),
        );
        self.signed_leaf(names, subject, &[], validity)
    }

    fn signed_leaf(
        &self,
        names: &[&str],
        subject: rcgen::DistinguishedName,
        extra_sans: &[&str],
        validity: Validity,
    ) -> Leaf {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut params = CertificateParams::new(names).expect("valid SAN names");
        for san in extra_sans {
            let ia5 = rcgen::string::Ia5String::try_from(*san).expect("an ASCII name");
            params.subject_alt_names.push(rcgen::SanType::DnsName(ia5));
        }
        params.distinguished_name = subject;
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let day = Duration::from_secs(86_400);
        let now = OffsetDateTime::now_utc();
        (params.not_before, params.not_after) = match validity {
            Validity::Current => (now - day, now + 90 * day),
            Validity::Expired => (now - 395 * day, now - 30 * day),
        };
        let key = key_pair();
        let cert = params
            .signed_by(&key, &self.issuer)
            .expect("sign a leaf certificate");
        let mut chain = vec![cert.der().clone()];
        chain.extend(self.above_leaf.iter().cloned());
        Leaf {
            chain,
            key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        }
    }

    /// Like [`Ca::leaf`], with this CA's own certificate sent too (as many
    /// interception products do).
    pub fn leaf_with_ca(&self, names: &[&str]) -> Leaf {
        let mut leaf = self.leaf(names, Validity::Current);
        leaf.chain.push(self.der().clone());
        leaf
    }

    /// The rcgen issuer, for leaves built elsewhere (tests/support/ct.rs).
    pub fn issuer(&self) -> &CertifiedIssuer<'static, KeyPair> {
        &self.issuer
    }

    /// The certificates a server sends above a leaf this CA signed.
    pub fn above_leaf(&self) -> &[CertificateDer<'static>] {
        &self.above_leaf
    }

    /// The CA certificate, DER.
    pub fn der(&self) -> &CertificateDer<'static> {
        self.issuer.der()
    }

    /// The CA certificate, PEM.
    pub fn pem(&self) -> String {
        self.issuer.pem()
    }

    /// base64 SHA-256 of the CA's DER SubjectPublicKeyInfo (the pin form).
    pub fn spki_sha256(&self) -> String {
        spki_sha256(&self.issuer.key().subject_public_key_info())
    }
}

/// base64 SHA-256 of a DER SubjectPublicKeyInfo.
pub fn spki_sha256(spki_der: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, spki_der);
    base64::engine::general_purpose::STANDARD.encode(digest)
}
