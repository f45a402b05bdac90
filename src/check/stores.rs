//! Loading trust stores: the public roots (webpki-roots, or a PEM file that
//! replaces them) and this machine's roots (rustls-native-certs, which
//! honours SSL_CERT_FILE and SSL_CERT_DIR).

use std::path::Path;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use thiserror::Error;

use crate::analysis::TrustStore;
use crate::util::{CERTS_FILE, ReadError, read_capped};

/// A trust store that cannot be used.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The file could not be read (missing, not a regular file, too large).
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The PEM file could not be parsed.
    #[error("{path}: {detail}")]
    Pem {
        /// The file.
        path: String,
        /// What went wrong.
        detail: String,
    },
}

/// Reads every certificate from a PEM file (at most [`CERTS_FILE`] bytes);
/// an error if there is none.
pub fn load_pem_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, StoreError> {
    let err = |detail: String| StoreError::Pem {
        path: path.display().to_string(),
        detail,
    };
    let data = read_capped(path, CERTS_FILE)?;
    let certs = CertificateDer::pem_slice_iter(&data)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| err(format!("malformed PEM: {e}")))?;
    if certs.is_empty() {
        return Err(err(
            "no certificates found (expected PEM blocks: -----BEGIN CERTIFICATE-----)".into(),
        ));
    }
    Ok(certs)
}

/// The public store: webpki-roots, or the certificates of `replacement`.
pub fn load_public_roots(replacement: Option<&Path>) -> Result<TrustStore, StoreError> {
    match replacement {
        None => Ok(TrustStore::public()),
        Some(path) => {
            let certs = load_pem_certs(path)?;
            let (store, problems) = TrustStore::from_certs(&path.display().to_string(), &certs);
            match problems.first() {
                Some(problem) => Err(StoreError::Pem {
                    path: path.display().to_string(),
                    detail: problem.clone(),
                }),
                None => Ok(store),
            }
        }
    }
}

/// This machine's store, with any problems met while reading it (a machine
/// with no readable store still gets checked against the public roots).
/// Each anchor remembers where it was found, for the evidence.
pub fn load_system_roots() -> (TrustStore, Vec<String>) {
    let scan = crate::roots::scan::system();
    let (store, bad) = TrustStore::from_located(
        "system",
        scan.roots.iter().map(|f| (&f.der, f.locations.as_slice())),
    );
    let mut problems: Vec<String> = scan
        .problems
        .iter()
        .map(|p| format!("system trust store: {p}"))
        .collect();
    problems.extend(bad);
    (store, problems)
}
