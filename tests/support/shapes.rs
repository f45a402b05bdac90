//! Chain shapes an interceptor who has read pinwatch's source might try:
//! padding certificates, a certificate of 100 KB, copies of its root.

use rcgen::{CertificateParams, CustomExtension, DnType, KeyPair};
use rustls_pki_types::CertificateDer;

use super::pki::Ca;

/// `n` small self-signed certificates nobody asked for ("Padding 1", ...),
/// all with one key (they only need to be certificates).
pub fn padding(n: usize) -> Vec<CertificateDer<'static>> {
    let key = KeyPair::generate().expect("a key");
    (1..=n)
        .map(|i| {
            let mut params = CertificateParams::default();
            params
                .distinguished_name
                .push(DnType::CommonName, format!("Padding {i}"));
            params.self_signed(&key).expect("self-sign").der().clone()
        })
        .collect()
}

/// A leaf for `host` signed by `ca`, carrying `size` bytes of a private
/// extension (a certificate of `size` bytes and more).
pub fn huge_leaf(ca: &Ca, host: &str, size: usize) -> CertificateDer<'static> {
    let mut params = CertificateParams::new(vec![host.to_string()]).expect("a SAN name");
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, host);
    // An OCTET STRING of `size` bytes under a private OID.
    let mut content = vec![0x04, 0x83];
    content.extend_from_slice(&[(size >> 16) as u8, (size >> 8) as u8, size as u8]);
    content.resize(content.len() + size, 0x41);
    params.custom_extensions = vec![CustomExtension::from_oid_content(
        &[1, 3, 6, 1, 4, 1, 55555, 1],
        content,
    )];
    let key = KeyPair::generate().expect("a key");
    params
        .signed_by(&key, ca.issuer())
        .expect("sign a leaf")
        .der()
        .clone()
}

/// The total size of `chain`'s certificates, in bytes.
pub fn size(chain: &[CertificateDer<'_>]) -> usize {
    chain.iter().map(|c| c.len()).sum()
}

/// A leaf of `ca` for [`super::HOST`], sent alone (no intermediate), with
/// SCTs from `logs` (none: no SCT list) and, when given, an Authority
/// Information Access caIssuers URL naming where its issuer is.
pub fn leaf_alone(
    ca: &Ca,
    ca_issuers: Option<&str>,
    logs: &[&super::ct::TestLog],
) -> super::pki::Leaf {
    let mut params = super::ct::leaf_params(&[super::HOST]);
    if let Some(url) = ca_issuers {
        params.custom_extensions = vec![aia(url)];
    }
    let key = KeyPair::generate().expect("a key");
    let der = super::ct::embed_scts(params, &key, ca, logs);
    super::pki::Leaf {
        chain: vec![der],
        key: rustls_pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
    }
}

/// An Authority Information Access extension with one caIssuers URL:
/// `SEQUENCE { SEQUENCE { id-ad-caIssuers, [6] IA5String } }`.
fn aia(url: &str) -> CustomExtension {
    fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![tag, u8::try_from(body.len()).expect("a short URL")];
        out.extend_from_slice(body);
        out
    }
    let method = tlv(0x06, &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x02]);
    let mut description = method;
    description.extend(tlv(0x86, url.as_bytes()));
    let content = tlv(0x30, &tlv(0x30, &description));
    CustomExtension::from_oid_content(&[1, 3, 6, 1, 5, 5, 7, 1, 1], content)
}

/// `der` as a PEM block labelled `label`.
pub fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .filter_map(|c| std::str::from_utf8(c).ok())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}
