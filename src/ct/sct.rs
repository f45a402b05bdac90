//! The SignedCertificateTimestampList of RFC 6962 section 3.3, as embedded in
//! a certificate's extension 1.3.6.1.4.1.11129.2.4.2: a DER OCTET STRING
//! wrapping a TLS-encoded `SerializedSCT sct_list<1..2^16-1>`, each entry an
//! `opaque SerializedSCT<1..2^16-1>` holding one SCT.
//!
//! Hand-written rather than x509-parser's `ParsedExtension::SCT` because
//! that one drops every entry after the first malformed one and ignores
//! trailing bytes, and pinwatch must say which SCT is broken and why. All
//! reads are bounds-checked; nothing here panics on any input.

use thiserror::Error;

/// One SCT, as the log sent it (RFC 6962 section 3.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sct {
    /// `sct_version`; only v1 (0) is defined.
    pub version: u8,
    /// SHA-256 of the log's public key (its LogID).
    pub log_id: [u8; 32],
    /// Milliseconds since the epoch.
    pub timestamp_ms: u64,
    /// `CtExtensions`, opaque (static-CT logs put the leaf index here).
    pub extensions: Vec<u8>,
    /// TLS HashAlgorithm (4 = SHA-256).
    pub hash_alg: u8,
    /// TLS SignatureAlgorithm (1 = RSA, 3 = ECDSA).
    pub sig_alg: u8,
    /// The signature, DER for ECDSA.
    pub signature: Vec<u8>,
}

/// Why an SCT list or one of its entries cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum SctError {
    /// The extension value is not a DER OCTET STRING.
    #[error("the extension value is not a DER OCTET STRING")]
    NotOctetString,
    /// A length runs past the end of its container.
    #[error("{what}: length {declared} runs past the {available} bytes left")]
    Truncated {
        /// What was being read.
        what: &'static str,
        /// Bytes the length field claims.
        declared: usize,
        /// Bytes actually there.
        available: usize,
    },
    /// Bytes left after the structure ended.
    #[error("{what}: {count} bytes after its end")]
    Trailing {
        /// What was being read.
        what: &'static str,
        /// How many bytes were left over.
        count: usize,
    },
    /// The list or an entry is empty where RFC 6962 requires at least one byte.
    #[error("{0} is empty")]
    Empty(&'static str),
}

/// Parses the extension value (the bytes inside the extension's extnValue
/// OCTET STRING, itself an OCTET STRING). `Err` when the list as a whole
/// cannot be read; otherwise one result per entry, in order: an entry whose
/// framing is intact but whose content is not an SCT is an `Err` in place,
/// and the entries after it are still read.
pub fn parse_extension_value(value: &[u8]) -> Result<Vec<Result<Sct, SctError>>, SctError> {
    let list = der_octet_string(value)?;
    parse_list(list)
}

/// Parses a TLS-encoded `SignedCertificateTimestampList`.
pub fn parse_list(list: &[u8]) -> Result<Vec<Result<Sct, SctError>>, SctError> {
    let mut outer = Reader::new(list);
    let body = outer.vec16("SCT list")?;
    outer.finish("SCT list")?;
    if body.is_empty() {
        return Err(SctError::Empty("the SCT list"));
    }
    let mut entries = Reader::new(body);
    let mut out = Vec::new();
    while !entries.is_empty() {
        let entry = entries.vec16("SCT entry")?;
        out.push(if entry.is_empty() {
            Err(SctError::Empty("an SCT entry"))
        } else {
            parse_sct(entry)
        });
    }
    Ok(out)
}

/// Parses one serialized SCT.
pub fn parse_sct(bytes: &[u8]) -> Result<Sct, SctError> {
    let mut r = Reader::new(bytes);
    let version = r.u8("sct_version")?;
    let log_id: [u8; 32] = r
        .take(32, "log_id")?
        .try_into()
        .map_err(|_| SctError::Truncated {
            what: "log_id",
            declared: 32,
            available: 0,
        })?;
    let timestamp_ms = r.u64("timestamp")?;
    let extensions = r.vec16("extensions")?.to_vec();
    let hash_alg = r.u8("hash algorithm")?;
    let sig_alg = r.u8("signature algorithm")?;
    let signature = r.vec16("signature")?.to_vec();
    r.finish("SCT")?;
    Ok(Sct {
        version,
        log_id,
        timestamp_ms,
        extensions,
        hash_alg,
        sig_alg,
        signature,
    })
}

/// Serializes SCTs into a TLS-encoded list (the inverse of [`parse_list`]).
/// For tests and test logs; `None` when a length does not fit its field.
#[cfg(test)]
pub fn encode_list(scts: &[Sct]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    for sct in scts {
        let one = encode_sct(sct)?;
        body.extend_from_slice(&u16::try_from(one.len()).ok()?.to_be_bytes());
        body.extend_from_slice(&one);
    }
    let mut out = u16::try_from(body.len()).ok()?.to_be_bytes().to_vec();
    out.extend_from_slice(&body);
    Some(out)
}

/// Serializes one SCT.
#[cfg(test)]
pub fn encode_sct(sct: &Sct) -> Option<Vec<u8>> {
    let mut out = vec![sct.version];
    out.extend_from_slice(&sct.log_id);
    out.extend_from_slice(&sct.timestamp_ms.to_be_bytes());
    out.extend_from_slice(&u16::try_from(sct.extensions.len()).ok()?.to_be_bytes());
    out.extend_from_slice(&sct.extensions);
    out.extend_from_slice(&[sct.hash_alg, sct.sig_alg]);
    out.extend_from_slice(&u16::try_from(sct.signature.len()).ok()?.to_be_bytes());
    out.extend_from_slice(&sct.signature);
    Some(out)
}

/// The contents of a DER OCTET STRING that fills `der` exactly.
fn der_octet_string(der: &[u8]) -> Result<&[u8], SctError> {
    let (&tag, rest) = der.split_first().ok_or(SctError::NotOctetString)?;
    if tag != 0x04 {
        return Err(SctError::NotOctetString);
    }
    let (len, rest) = der_length(rest).ok_or(SctError::NotOctetString)?;
    if len != rest.len() {
        return Err(if len > rest.len() {
            SctError::Truncated {
                what: "OCTET STRING",
                declared: len,
                available: rest.len(),
            }
        } else {
            SctError::Trailing {
                what: "OCTET STRING",
                count: rest.len() - len,
            }
        });
    }
    Ok(rest)
}

/// A DER length (short or long form, at most 4 length bytes) and what follows it.
fn der_length(bytes: &[u8]) -> Option<(usize, &[u8])> {
    let (&first, rest) = bytes.split_first()?;
    if first < 0x80 {
        return Some((usize::from(first), rest));
    }
    let n = usize::from(first & 0x7f);
    if n == 0 || n > 4 || rest.len() < n {
        return None;
    }
    let (len_bytes, rest) = rest.split_at(n);
    let len = len_bytes
        .iter()
        .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
    Some((len, rest))
}

/// A cursor over TLS-encoded bytes; every read is bounds-checked.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes }
    }

    fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], SctError> {
        if n > self.bytes.len() {
            return Err(SctError::Truncated {
                what,
                declared: n,
                available: self.bytes.len(),
            });
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Ok(head)
    }

    fn u8(&mut self, what: &'static str) -> Result<u8, SctError> {
        Ok(self.take(1, what)?.first().copied().unwrap_or(0))
    }

    fn u16(&mut self, what: &'static str) -> Result<u16, SctError> {
        let b = self.take(2, what)?;
        Ok(b.iter().fold(0u16, |acc, &x| (acc << 8) | u16::from(x)))
    }

    fn u64(&mut self, what: &'static str) -> Result<u64, SctError> {
        let b = self.take(8, what)?;
        Ok(b.iter().fold(0u64, |acc, &x| (acc << 8) | u64::from(x)))
    }

    fn vec16(&mut self, what: &'static str) -> Result<&'a [u8], SctError> {
        let len = usize::from(self.u16(what)?);
        self.take(len, what)
    }

    fn finish(&self, what: &'static str) -> Result<(), SctError> {
        if self.bytes.is_empty() {
            Ok(())
        } else {
            Err(SctError::Trailing {
                what,
                count: self.bytes.len(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(n: u8) -> Sct {
        Sct {
            version: 0,
            log_id: [n; 32],
            timestamp_ms: 1_700_000_000_000 + u64::from(n),
            extensions: if n % 2 == 0 {
                Vec::new()
            } else {
                vec![0, 0, 5, 0, 1, 2, 3, 4]
            },
            hash_alg: 4,
            sig_alg: 3,
            signature: vec![0x30, 3, 2, 1, n],
        }
    }

    fn octet_string(body: &[u8]) -> Vec<u8> {
        let mut out = vec![0x04];
        if body.len() < 0x80 {
            out.push(body.len() as u8);
        } else {
            out.extend_from_slice(&[0x82, (body.len() >> 8) as u8, body.len() as u8]);
        }
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn roundtrips_a_list() {
        let scts = vec![sample(1), sample(2), sample(3)];
        let value = octet_string(&encode_list(&scts).unwrap());
        let parsed = parse_extension_value(&value).unwrap();
        let parsed: Vec<Sct> = parsed.into_iter().map(Result::unwrap).collect();
        assert_eq!(parsed, scts);
    }

    #[test]
    fn a_broken_entry_is_reported_in_place_and_the_rest_still_read() {
        let good = encode_sct(&sample(1)).unwrap();
        let mut bad = encode_sct(&sample(2)).unwrap();
        bad.push(0xff); // trailing byte inside a well-framed entry
        let mut body = Vec::new();
        for e in [&good, &bad, &good] {
            body.extend_from_slice(&(e.len() as u16).to_be_bytes());
            body.extend_from_slice(e);
        }
        let mut list = (body.len() as u16).to_be_bytes().to_vec();
        list.extend_from_slice(&body);
        let parsed = parse_list(&list).unwrap();
        assert_eq!(parsed.len(), 3);
        assert!(parsed[0].is_ok() && parsed[2].is_ok());
        assert_eq!(
            parsed[1],
            Err(SctError::Trailing {
                what: "SCT",
                count: 1
            })
        );
    }

    #[test]
    fn whole_list_errors() {
        assert_eq!(parse_extension_value(&[]), Err(SctError::NotOctetString));
        assert_eq!(
            parse_extension_value(&[0x30, 0]),
            Err(SctError::NotOctetString)
        );
        assert_eq!(
            parse_extension_value(&[0x04, 2, 0, 0]),
            Err(SctError::Empty("the SCT list"))
        );
        assert!(matches!(
            parse_extension_value(&[0x04, 3, 0, 9, 0]),
            Err(SctError::Truncated { .. })
        ));
        assert!(matches!(
            parse_extension_value(&[0x04, 5, 0, 9, 0]),
            Err(SctError::Truncated { .. })
        ));
        // An entry whose length runs past the list.
        assert!(matches!(
            parse_list(&[0, 3, 0, 5, 1]),
            Err(SctError::Truncated { .. })
        ));
        assert_eq!(
            parse_list(&[0, 2, 0, 0]).unwrap(),
            vec![Err(SctError::Empty("an SCT entry"))]
        );
    }

    #[test]
    fn agrees_with_x509_parser_on_real_certificates() {
        use x509_parser::prelude::{FromDer, ParsedExtension, X509Certificate};
        for name in [
            "aws-amazon-com.der",
            "agilebits-com.der",
            "letsencrypt-org-2025-11.der",
            "revoked-badssl-com.der",
        ] {
            let der = std::fs::read(format!(
                "{}/tests/data/ct/{name}",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap();
            let (_, cert) = X509Certificate::from_der(&der).unwrap();
            let ext = cert
                .extensions()
                .iter()
                .find(|e| e.oid.to_id_string() == "1.3.6.1.4.1.11129.2.4.2")
                .unwrap();
            let ours: Vec<Sct> = parse_extension_value(ext.value)
                .unwrap()
                .into_iter()
                .map(Result::unwrap)
                .collect();
            let ParsedExtension::SCT(theirs) = ext.parsed_extension() else {
                panic!("{name}: x509-parser did not parse the SCT list");
            };
            assert_eq!(ours.len(), theirs.len(), "{name}");
            for (a, b) in ours.iter().zip(theirs) {
                assert_eq!(a.version, b.version.0);
                assert_eq!(&a.log_id, b.id.key_id);
                assert_eq!(a.timestamp_ms, b.timestamp);
                assert_eq!(a.extensions, b.extensions.0);
                assert_eq!(
                    (a.hash_alg, a.sig_alg),
                    (b.signature.hash_alg_id, b.signature.sign_alg_id)
                );
                assert_eq!(a.signature, b.signature.data);
            }
        }
    }
}
