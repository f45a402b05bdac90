//! Google's signature over its CT log list (`log_list.sig`: RSA PKCS#1
//! v1.5 with SHA-256 by the key Google publishes as
//! https://www.gstatic.com/ct/log_list/v3/log_list_pubkey.pem, kept in
//! `pins/ct/log_list_pubkey.pem`). A knowledge bundle that carries the
//! signature has it checked before the bundle is used.

use rustls_pki_types::SubjectPublicKeyInfoDer;
use rustls_pki_types::pem::PemObject as _;
use x509_parser::prelude::FromDer as _;

/// Google's log list signing key, as published (PEM SubjectPublicKeyInfo).
const GOOGLE_KEY: &str = include_str!("../../pins/ct/log_list_pubkey.pem");

/// Whether `signature` is Google's over `list`.
pub fn google_signed(list: &[u8], signature: &[u8]) -> bool {
    let Ok(spki) = SubjectPublicKeyInfoDer::from_pem_slice(GOOGLE_KEY.as_bytes()) else {
        return false;
    };
    let Ok((_, parsed)) = x509_parser::x509::SubjectPublicKeyInfo::from_der(spki.as_ref()) else {
        return false;
    };
    ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        &*parsed.subject_public_key.data,
    )
    .verify(list, signature)
    .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/ct/google-signed")
            .join(name);
        std::fs::read(path).unwrap()
    }

    #[test]
    fn googles_own_signature_over_a_published_list_verifies() {
        let (list, sig) = (fixture("log_list.json"), fixture("log_list.sig"));
        assert!(google_signed(&list, &sig));
        let mut changed = list.clone();
        changed[100] ^= 1;
        assert!(!google_signed(&changed, &sig));
        assert!(!google_signed(&list, &sig[..sig.len() - 1]));
    }
}
