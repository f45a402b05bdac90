//! The certificate in a Windows serialized store element: the `Blob` value
//! of a registry-backed certificate store's key (pure; the Windows store
//! reader and the tests that plant roots in Wine's registry use it).

/// CERT_CERT_PROP_ID: the encoded certificate among a blob's properties.
const CERT_CERT_PROP_ID: u32 = 32;

/// The certificate in a serialized store element (`Blob`): a list of
/// properties, each (id, reserved, length: little-endian u32s, then the
/// bytes); `None` when it has none or the list is malformed.
pub fn certificate_in_blob(blob: &[u8]) -> Option<&[u8]> {
    let mut rest = blob;
    while rest.len() >= 12 {
        let word = |at: usize| {
            rest.get(at..at + 4)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .map(u32::from_le_bytes)
        };
        let id = word(0)?;
        let len = usize::try_from(word(8)?).ok()?;
        let data = rest.get(12..12usize.checked_add(len)?)?;
        if id == CERT_CERT_PROP_ID {
            return Some(data);
        }
        rest = &rest[12 + len..];
    }
    None
}

/// A serialized store element holding `der` alone.
#[cfg(test)]
fn blob_of(der: &[u8]) -> Vec<u8> {
    let len = u32::try_from(der.len()).unwrap_or(u32::MAX);
    let mut out = Vec::with_capacity(12 + der.len());
    out.extend(CERT_CERT_PROP_ID.to_le_bytes());
    out.extend(1u32.to_le_bytes());
    out.extend(len.to_le_bytes());
    out.extend(der);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_certificate_is_found_among_the_properties() {
        let mut blob = Vec::new();
        // A SHA-1 hash property (3) first, as Windows writes.
        blob.extend(3u32.to_le_bytes());
        blob.extend(1u32.to_le_bytes());
        blob.extend(20u32.to_le_bytes());
        blob.extend([0xab; 20]);
        blob.extend(blob_of(b"0\x03der"));
        assert_eq!(certificate_in_blob(&blob), Some(&b"0\x03der"[..]));
    }

    #[test]
    fn a_malformed_blob_is_none_not_a_panic() {
        let whole = blob_of(b"certificate");
        for cut in 0..whole.len() {
            assert_eq!(certificate_in_blob(&whole[..cut]), None, "cut at {cut}");
        }
        let mut huge = blob_of(b"");
        huge[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(certificate_in_blob(&huge), None);
        assert_eq!(certificate_in_blob(&[]), None);
    }
}
