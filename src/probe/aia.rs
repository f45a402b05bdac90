//! A missing intermediate, fetched as browsers fetch it: from the
//! caIssuers URL of the certificate's Authority Information Access, over
//! plain HTTP only (`http://`, through the same proxy rules as the
//! target), at most [`CAP`] bytes, within the time the caller allows,
//! following at most [`REDIRECTS`] redirects and only to `http://` URLs.
//! The answer may be a DER certificate, PEM, or a PKCS#7 certs-only bundle.
//!
//! It fetches; it decides nothing. The certificates count only if their
//! signatures verify, which analysis checks like any other.

use std::time::Duration;

use rustls_pki_types::CertificateDer;
use tokio::time::Instant;
use x509_parser::der_parser::asn1_rs::{Any, Class, FromDer, Tag};

use super::http::{self, Url};
use super::proxy::ProxyRoute;

/// The most an answer may hold: an intermediate is 1 to 2 KiB.
pub const CAP: usize = 64 * 1024;

/// Redirects followed (to `http://` URLs only).
pub const REDIRECTS: usize = 3;

/// The most certificates taken from one answer.
const CERTIFICATE_CAP: usize = 16;

/// PKCS#7 signedData, 1.2.840.113549.1.7.2.
const SIGNED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];

/// Fetches the certificate(s) at `url` within `timeout`; the error in words.
pub async fn fetch(
    url: &str,
    route: &ProxyRoute,
    timeout: Duration,
) -> Result<Vec<CertificateDer<'static>>, String> {
    let deadline = Instant::now() + timeout;
    let mut url = Url::parse(url).map_err(|e| e.to_string())?;
    for _ in 0..=REDIRECTS {
        let left = deadline.saturating_duration_since(Instant::now());
        let response = http::get(&url, route, CAP, left)
            .await
            .map_err(|e| match e {
                http::HttpError::Io(io) => super::error::io_detail(&io),
                other => other.to_string(),
            })?;
        match response.status {
            200 if !response.complete => {
                return Err(format!("the answer is over {} KiB", CAP / 1024));
            }
            200 => return parse(&response.body),
            301 | 302 | 303 | 307 | 308 => {
                let location = response
                    .header("location")
                    .ok_or_else(|| format!("HTTP {} without a Location", response.status))?;
                url = Url::parse(location).map_err(|_| {
                    "redirected to something that is not an http:// URL".to_string()
                })?;
            }
            status => return Err(format!("HTTP {status}")),
        }
    }
    Err(format!("more than {REDIRECTS} redirects"))
}

/// The certificates of an answer: DER, PEM or PKCS#7 (DER or PEM).
pub fn parse(body: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    use rustls_pki_types::pem::{PemObject as _, SectionKind};
    let text = body.trim_ascii_start();
    let certs = if text.starts_with(b"-----BEGIN PKCS7-----") {
        let der = pem_pkcs7(text).ok_or_else(|| "the answer is not valid PEM".to_string())?;
        pkcs7_certificates(&der).ok_or_else(|| "the answer is not valid PKCS#7".to_string())?
    } else if text.starts_with(b"-----BEGIN") {
        let mut certs = Vec::new();
        for item in <(SectionKind, Vec<u8>)>::pem_slice_iter(text) {
            match item {
                Ok((SectionKind::Certificate, der)) => certs.push(CertificateDer::from(der)),
                Ok(_) => {}
                Err(_) => return Err("the answer is not valid PEM".into()),
            }
        }
        certs
    } else if x509_parser::parse_x509_certificate(body).is_ok() {
        vec![CertificateDer::from(body.to_vec())]
    } else {
        pkcs7_certificates(body)
            .ok_or_else(|| "the answer is not a certificate (DER, PEM or PKCS#7)".to_string())?
    };
    if certs.is_empty() {
        return Err("the answer holds no certificate".into());
    }
    Ok(certs.into_iter().take(CERTIFICATE_CAP).collect())
}

/// The DER inside a `-----BEGIN PKCS7-----` block (a label rustls' PEM
/// reader does not know).
fn pem_pkcs7(text: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let text = std::str::from_utf8(text).ok()?;
    let body = text
        .strip_prefix("-----BEGIN PKCS7-----")?
        .split("-----END PKCS7-----")
        .next()?;
    let b64: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(b64).ok()
}

/// The certificates of a DER PKCS#7 SignedData (RFC 2315, certs-only as
/// CAs publish them): `ContentInfo { signedData, [0] SignedData { version,
/// digestAlgorithms, contentInfo, [0] IMPLICIT certificates, ... } }`.
fn pkcs7_certificates(der: &[u8]) -> Option<Vec<CertificateDer<'static>>> {
    let (_, content_info) = Any::from_der(der).ok()?;
    let (rest, oid) = Any::from_der(content_info.data).ok()?;
    if oid.tag() != Tag::Oid || oid.data != SIGNED_DATA {
        return None;
    }
    let (_, explicit) = Any::from_der(rest).ok()?;
    if explicit.class() != Class::ContextSpecific || explicit.tag() != Tag(0) {
        return None;
    }
    let (_, signed_data) = Any::from_der(explicit.data).ok()?;
    let mut rest = signed_data.data;
    while !rest.is_empty() {
        let (after, element) = Any::from_der(rest).ok()?;
        if element.class() == Class::ContextSpecific && element.tag() == Tag(0) {
            let mut certs = Vec::new();
            let mut inner = element.data;
            while !inner.is_empty() && certs.len() < CERTIFICATE_CAP {
                let (next, _) = Any::from_der(inner).ok()?;
                let one = inner.get(..inner.len() - next.len())?;
                certs.push(CertificateDer::from(one.to_vec()));
                inner = next;
            }
            return Some(certs);
        }
        rest = after;
    }
    Some(Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn certificate() -> Vec<u8> {
        let key = rcgen::KeyPair::generate().expect("key");
        rcgen::CertificateParams::new(vec!["ca.example".into()])
            .expect("params")
            .self_signed(&key)
            .expect("certificate")
            .der()
            .to_vec()
    }

    /// A certs-only PKCS#7 bundle of `certs`, as `openssl crl2pkcs7
    /// -nocrl` writes it.
    fn pkcs7(certs: &[&[u8]]) -> Vec<u8> {
        fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
            let mut out = vec![tag];
            let n = body.len();
            if n < 0x80 {
                out.push(n as u8);
            } else {
                out.extend([0x82, (n >> 8) as u8, n as u8]);
            }
            out.extend_from_slice(body);
            out
        }
        let all: Vec<u8> = certs.concat();
        let mut signed = tlv(0x02, &[1]);
        signed.extend(tlv(0x31, &[]));
        signed.extend(tlv(
            0x30,
            &tlv(
                0x06,
                &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01],
            ),
        ));
        signed.extend(tlv(0xa0, &all));
        signed.extend(tlv(0x31, &[]));
        let mut info = tlv(0x06, SIGNED_DATA);
        info.extend(tlv(0xa0, &tlv(0x30, &signed)));
        tlv(0x30, &info)
    }

    #[test]
    fn reads_der_pem_and_pkcs7() {
        let one = certificate();
        let two = certificate();
        assert_eq!(
            parse(&one).expect("DER"),
            vec![CertificateDer::from(one.clone())]
        );
        let pem = format!(
            "\n-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            base64_lines(&one)
        );
        assert_eq!(parse(pem.as_bytes()).expect("PEM").len(), 1);
        let bundle = pkcs7(&[&one, &two]);
        let certs = parse(&bundle).expect("PKCS#7");
        assert_eq!(certs.len(), 2);
        assert_eq!(certs[1].as_ref(), two.as_slice());
        let pem7 = format!(
            "-----BEGIN PKCS7-----\n{}\n-----END PKCS7-----\n",
            base64_lines(&bundle)
        );
        assert_eq!(parse(pem7.as_bytes()).expect("PEM PKCS#7").len(), 2);
    }

    #[test]
    fn junk_is_an_error_not_a_panic() {
        for junk in [
            &b""[..],
            b"<html>login</html>",
            &[0x30, 0x82, 0xff, 0xff],
            &[0x30, 0x03, 0x06, 0x01, 0x00],
        ] {
            assert!(parse(junk).is_err(), "{junk:?}");
        }
        let mut cut = pkcs7(&[&certificate()]);
        cut.truncate(cut.len() / 2);
        assert!(parse(&cut).is_err());
    }

    fn base64_lines(der: &[u8]) -> String {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        b64.as_bytes()
            .chunks(64)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("\n")
    }
}
