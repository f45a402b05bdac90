//! Rebuilding the precertificate entry a CT log signed (RFC 6962 section
//! 3.2, `PreCert`): the leaf's TBSCertificate with the SCT-list extension
//! removed and its lengths re-encoded, plus `issuer_key_hash`, the SHA-256
//! of the DER SubjectPublicKeyInfo of the certificate that signed the leaf.
//!
//! The SCTs inside a certificate cannot sign the certificate that contains
//! them, so a CA sends the log a precertificate, and the log signs its TBS
//! without the poison extension; the final certificate must equal it but for
//! the SCT extension. A small DER walker does the surgery on the bytes as
//! they came, so every other byte stays as the CA wrote it. Nothing here
//! panics on any input.

use thiserror::Error;

/// DER of the SCT-list extension's OID, 1.3.6.1.4.1.11129.2.4.2 (RFC 6962).
pub const SCT_LIST_OID_DER: &[u8] = &[
    0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xd6, 0x79, 0x02, 0x04, 0x02,
];

/// The precertificate entry a log signed for an embedded SCT.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrecertEntry {
    /// SHA-256 of the issuer's DER SubjectPublicKeyInfo.
    pub issuer_key_hash: [u8; 32],
    /// The leaf's TBSCertificate without the SCT-list extension.
    pub tbs: Vec<u8>,
}

/// A leaf split for CT: its SCT-list extension values and its TBS without them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    /// The extnValue contents of every SCT-list extension (normally one).
    pub sct_extensions: Vec<Vec<u8>>,
    /// The TBSCertificate with those extensions removed.
    pub tbs_without_scts: Vec<u8>,
}

/// Why a certificate could not be taken apart.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum PrecertError {
    /// The DER is not what an X.509 certificate looks like here.
    #[error("malformed certificate DER: {0}")]
    Der(&'static str),
}

/// Splits a leaf certificate (DER) into its SCT-list extensions and its TBS
/// without them.
pub fn split(cert_der: &[u8]) -> Result<Split, PrecertError> {
    let (cert, rest) = read_tlv(cert_der)?;
    if !rest.is_empty() {
        return Err(PrecertError::Der("bytes after the certificate"));
    }
    if cert.tag != 0x30 {
        return Err(PrecertError::Der("the certificate is not a SEQUENCE"));
    }
    let (tbs, _) = read_tlv(cert.content)?;
    if tbs.tag != 0x30 {
        return Err(PrecertError::Der("the TBSCertificate is not a SEQUENCE"));
    }
    strip_tbs(tbs.content, SCT_LIST_OID_DER)
}

/// SHA-256 of an issuer's SubjectPublicKeyInfo.
pub fn issuer_key_hash(issuer_spki_der: &[u8]) -> [u8; 32] {
    let digest = ring::digest::digest(&ring::digest::SHA256, issuer_spki_der);
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

/// The TBS content without the extensions whose OID (DER) is `oid`; their
/// values are returned as `sct_extensions`.
fn strip_tbs(tbs_content: &[u8], oid: &[u8]) -> Result<Split, PrecertError> {
    let mut sct_extensions = Vec::new();
    let mut fields = Vec::with_capacity(tbs_content.len());
    let mut rest = tbs_content;
    let mut seen_extensions = false;
    while !rest.is_empty() {
        let (field, after) = read_tlv(rest)?;
        rest = after;
        if field.tag != 0xa3 {
            fields.extend_from_slice(field.raw);
            continue;
        }
        if seen_extensions {
            return Err(PrecertError::Der("two extensions fields"));
        }
        seen_extensions = true;
        let (list, trailing) = read_tlv(field.content)?;
        if list.tag != 0x30 || !trailing.is_empty() {
            return Err(PrecertError::Der(
                "the extensions field is not one SEQUENCE",
            ));
        }
        let mut kept = Vec::with_capacity(list.content.len());
        let mut exts = list.content;
        while !exts.is_empty() {
            let (ext, after) = read_tlv(exts)?;
            exts = after;
            if ext.tag != 0x30 {
                return Err(PrecertError::Der("an extension is not a SEQUENCE"));
            }
            match extension_value(ext.content, oid)? {
                Some(value) => sct_extensions.push(value.to_vec()),
                None => kept.extend_from_slice(ext.raw),
            }
        }
        // With nothing left, the field goes too (as Go's encoder, which
        // CT logs use, omits an empty extensions list).
        if !kept.is_empty() {
            let seq = encode_tlv(0x30, &kept);
            fields.extend_from_slice(&encode_tlv(0xa3, &seq));
        }
    }
    Ok(Split {
        sct_extensions,
        tbs_without_scts: encode_tlv(0x30, &fields),
    })
}

/// For an Extension's content: the extnValue if its OID is `wanted`, else None.
fn extension_value<'a>(
    ext_content: &'a [u8],
    wanted: &[u8],
) -> Result<Option<&'a [u8]>, PrecertError> {
    let (oid, rest) = read_tlv(ext_content)?;
    if oid.tag != 0x06 {
        return Err(PrecertError::Der("an extension does not start with an OID"));
    }
    if oid.raw != wanted {
        return Ok(None);
    }
    let (mut next, mut rest) = read_tlv(rest)?;
    if next.tag == 0x01 {
        (next, rest) = read_tlv(rest)?;
    }
    if next.tag != 0x04 || !rest.is_empty() {
        return Err(PrecertError::Der(
            "the SCT extension has no single extnValue",
        ));
    }
    Ok(Some(next.content))
}

/// One DER element.
struct Tlv<'a> {
    tag: u8,
    content: &'a [u8],
    /// Tag, length and content as they came.
    raw: &'a [u8],
}

fn read_tlv(bytes: &[u8]) -> Result<(Tlv<'_>, &[u8]), PrecertError> {
    let (&tag, after_tag) = bytes.split_first().ok_or(PrecertError::Der("truncated"))?;
    if tag & 0x1f == 0x1f {
        return Err(PrecertError::Der(
            "multi-byte tags are not used in certificates",
        ));
    }
    let (&first, after_first) = after_tag
        .split_first()
        .ok_or(PrecertError::Der("truncated length"))?;
    let (len, after_len) = if first < 0x80 {
        (usize::from(first), after_first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 {
            return Err(PrecertError::Der("indefinite length is not DER"));
        }
        if n > 4 || after_first.len() < n {
            return Err(PrecertError::Der("bad length"));
        }
        let (len_bytes, after) = after_first.split_at(n);
        let len = len_bytes
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        (len, after)
    };
    if len > after_len.len() {
        return Err(PrecertError::Der("a length runs past the end"));
    }
    let (content, rest) = after_len.split_at(len);
    let header = bytes.len() - after_len.len();
    let raw = bytes
        .get(..header + len)
        .ok_or(PrecertError::Der("truncated"))?;
    Ok((Tlv { tag, content, raw }, rest))
}

fn encode_tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let len = content.len();
    let mut out = Vec::with_capacity(len + 6);
    out.push(tag);
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        let significant = bytes.get(skip..).unwrap_or(&[]);
        out.push(0x80 | significant.len() as u8);
        out.extend_from_slice(significant);
    }
    out.extend_from_slice(content);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use x509_parser::prelude::{FromDer, X509Certificate};

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/tests/data/ct/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn removes_only_the_sct_extension() {
        let der = fixture("aws-amazon-com.der");
        let (_, cert) = X509Certificate::from_der(&der).unwrap();
        let split = split(&der).unwrap();
        assert_eq!(split.sct_extensions.len(), 1);
        let (rest, tbs) =
            x509_parser::certificate::TbsCertificate::from_der(&split.tbs_without_scts).unwrap();
        assert!(rest.is_empty());
        let before: Vec<String> = cert
            .extensions()
            .iter()
            .map(|e| e.oid.to_id_string())
            .filter(|o| o != "1.3.6.1.4.1.11129.2.4.2")
            .collect();
        let after: Vec<String> = tbs
            .extensions()
            .iter()
            .map(|e| e.oid.to_id_string())
            .collect();
        assert_eq!(before, after);
        assert!(before.len() >= 5);
        assert_eq!(tbs.subject, cert.tbs_certificate.subject);
        assert_eq!(tbs.validity, cert.tbs_certificate.validity);
        assert_eq!(tbs.serial, cert.tbs_certificate.serial);
        // Every field but the extensions is byte-identical.
        let fields = |tbs: &[u8]| {
            let (outer, _) = read_tlv(tbs).unwrap();
            let mut rest = outer.content;
            let mut out = Vec::new();
            while !rest.is_empty() {
                let (f, after) = read_tlv(rest).unwrap();
                if f.tag != 0xa3 {
                    out.push(f.raw.to_vec());
                }
                rest = after;
            }
            out
        };
        let kept = fields(cert.tbs_certificate.as_ref());
        assert_eq!(kept.len(), 7);
        assert_eq!(kept, fields(&split.tbs_without_scts));
        // The value is the SCT list (an OCTET STRING wrapping the TLS list).
        assert_eq!(split.sct_extensions[0].first(), Some(&0x04));
    }

    #[test]
    fn the_rebuilt_entry_is_the_precertificate_without_its_poison() {
        // Google's CT test data: a precertificate (with the critical poison
        // extension 1.3.6.1.4.1.11129.2.4.3) and the certificate issued from
        // it with the SCT embedded. Their TBSs differ only in those two.
        use rustls_pki_types::CertificateDer;
        use rustls_pki_types::pem::PemObject;
        let pem = |name: &str| {
            CertificateDer::from_pem_slice(&fixture(name))
                .unwrap()
                .to_vec()
        };
        let final_cert = pem("google-ct-test-embedded-cert.pem");
        let precert = pem("google-ct-test-embedded-pre-cert.pem");
        const POISON: &[u8] = &[
            0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xd6, 0x79, 0x02, 0x04, 0x03,
        ];
        let (cert, _) = read_tlv(&precert).unwrap();
        let (tbs, _) = read_tlv(cert.content).unwrap();
        let unpoisoned = strip_tbs(tbs.content, POISON).unwrap();
        assert_eq!(unpoisoned.sct_extensions, vec![vec![0x05, 0x00]]);
        let rebuilt = split(&final_cert).unwrap();
        assert_eq!(rebuilt.sct_extensions.len(), 1);
        assert_eq!(rebuilt.tbs_without_scts, unpoisoned.tbs_without_scts);
        assert_ne!(rebuilt.tbs_without_scts, tbs.raw);
    }

    #[test]
    fn a_certificate_without_scts_is_unchanged() {
        let der = fixture("aws-amazon-com.issuer.der");
        let (_, cert) = X509Certificate::from_der(&der).unwrap();
        let split = split(&der).unwrap();
        assert!(split.sct_extensions.is_empty());
        assert_eq!(split.tbs_without_scts, cert.tbs_certificate.as_ref());
    }

    #[test]
    fn the_only_extension_takes_the_field_with_it() {
        // TBS { [0] v3, serial 1, [3] { { OID sct, OCTET STRING { 04 00 } } } }
        let ext = encode_tlv(
            0x30,
            &[SCT_LIST_OID_DER, &encode_tlv(0x04, &[0x04, 0x00])].concat(),
        );
        let exts = encode_tlv(0xa3, &encode_tlv(0x30, &ext));
        let tbs = encode_tlv(0x30, &[&[0xa0, 3, 2, 1, 2][..], &[2, 1, 1], &exts].concat());
        let cert = encode_tlv(0x30, &tbs);
        let split = split(&cert).unwrap();
        assert_eq!(split.sct_extensions, vec![vec![0x04, 0x00]]);
        assert_eq!(
            split.tbs_without_scts,
            vec![0x30, 8, 0xa0, 3, 2, 1, 2, 2, 1, 1]
        );
    }

    #[test]
    fn long_lengths_are_re_encoded_minimally() {
        assert_eq!(encode_tlv(0x30, &[0; 5])[..2], [0x30, 5]);
        assert_eq!(encode_tlv(0x30, &[0; 200])[..3], [0x30, 0x81, 200]);
        assert_eq!(encode_tlv(0x30, &[0; 300])[..4], [0x30, 0x82, 1, 44]);
        assert_eq!(
            encode_tlv(0x30, &[0; 70_000])[..5],
            [0x30, 0x83, 1, 0x11, 0x70]
        );
    }

    #[test]
    fn garbage_is_an_error() {
        for bad in [
            &[][..],
            &[0x30],
            &[0x30, 0x80, 0, 0],
            &[0x30, 0x85, 1, 1, 1, 1, 1],
            &[0x30, 5, 0x30, 0],
            &[0x04, 0],
            &[0x30, 2, 0x04, 0],
            &[0x30, 0, 0],
        ] {
            assert!(split(bad).is_err(), "{bad:?}");
        }
    }
}
