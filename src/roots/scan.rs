//! Reading the system trust store with the location of every certificate.
//!
//! On Linux and the BSDs: `SSL_CERT_FILE` and `SSL_CERT_DIR` when set (as
//! OpenSSL and rustls-native-certs honour them), else the bundle file and
//! directories openssl-probe finds; each file is read on its own so every
//! certificate carries its path. On Windows and macOS: the platform store
//! through rustls-native-certs.

use std::path::{Path, PathBuf};

use super::Scan;
use crate::util::{CERTS_FILE, read_capped};

/// Scans the system store.
pub fn system() -> Scan {
    platform()
}

#[cfg(all(unix, not(target_os = "macos")))]
fn platform() -> Scan {
    let file = std::env::var_os("SSL_CERT_FILE").map(PathBuf::from);
    let dirs: Vec<PathBuf> = std::env::var_os("SSL_CERT_DIR")
        .map(|d| {
            std::env::split_paths(&d)
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        })
        .unwrap_or_default();
    if file.is_some() || !dirs.is_empty() {
        return paths(file.as_deref(), &dirs);
    }
    let probe = openssl_probe::probe();
    paths(probe.cert_file.as_deref(), &probe.cert_dir)
}

#[cfg(not(all(unix, not(target_os = "macos"))))]
fn platform() -> Scan {
    let name = if cfg!(windows) {
        "Windows certificate store (Root)"
    } else {
        "macOS keychains (system and user)"
    };
    let loaded = rustls_native_certs::load_native_certs();
    let mut scan = Scan {
        sources: vec![name.to_string()],
        ..Scan::default()
    };
    for cert in loaded.certs {
        scan.add(cert, name.to_string());
    }
    scan.problems
        .extend(loaded.errors.iter().map(|e| format!("{name}: {e}")));
    scan
}

/// Reads a bundle file and certificate directories.
pub fn paths(file: Option<&Path>, dirs: &[PathBuf]) -> Scan {
    let mut scan = Scan::default();
    if let Some(f) = file {
        scan.sources.push(f.display().to_string());
        read_file(&mut scan, f, true);
    }
    for dir in dirs {
        scan.sources.push(dir.display().to_string());
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
            Ok(e) => e.filter_map(Result::ok).map(|e| e.path()).collect(),
            Err(e) => {
                scan.problems
                    .push(format!("{}: cannot read directory: {e}", dir.display()));
                continue;
            }
        };
        entries.sort();
        for path in entries {
            if path.is_file() {
                read_file(&mut scan, &path, false);
            }
        }
    }
    scan
}

/// Reads one file of PEM certificates (or one DER certificate).
fn read_file(scan: &mut Scan, path: &Path, is_bundle: bool) {
    let shown = path.display().to_string();
    let data = match read_capped(path, CERTS_FILE) {
        Ok(d) => d,
        Err(e) => {
            scan.problems.push(e.to_string());
            return;
        }
    };
    let location = match std::fs::read_link(path) {
        Ok(target) => format!("{shown} -> {}", target.display()),
        Err(_) => shown.clone(),
    };
    let certs = parse_certs(&data);
    match certs {
        Ok(certs) if certs.is_empty() => {
            if !is_bundle && !data.is_empty() {
                scan.problems.push(format!(
                    "{shown}: not a certificate file (no PEM certificate, not DER)"
                ));
            } else if is_bundle {
                scan.problems
                    .push(format!("{shown}: no certificates in this bundle"));
            }
        }
        Ok(certs) => {
            for c in certs {
                scan.add(c, location.clone());
            }
        }
        Err(e) => scan.problems.push(format!("{shown}: {e}")),
    }
}

/// Certificates in `data`: PEM blocks, or the whole of it as one DER
/// certificate. Non-certificate PEM blocks (keys, CRLs) are ignored.
pub fn parse_certs(data: &[u8]) -> Result<Vec<rustls_pki_types::CertificateDer<'static>>, String> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    if data.windows(11).any(|w| w == b"-----BEGIN ") {
        return CertificateDer::pem_slice_iter(data)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("malformed PEM: {e}"));
    }
    let looks_der = data.first() == Some(&0x30)
        && x509_parser::parse_x509_certificate(data).is_ok_and(|(rest, _)| rest.is_empty());
    Ok(if looks_der {
        vec![CertificateDer::from(data.to_vec())]
    } else {
        Vec::new()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_places_are_named_and_der_files_are_read() {
        let missing = paths(
            Some(Path::new("/nonexistent/bundle.pem")),
            &[PathBuf::from("/nonexistent/certs")],
        );
        assert!(
            missing.problems[0].starts_with("/nonexistent/bundle.pem: cannot read"),
            "{:?}",
            missing.problems
        );
        assert!(
            missing.problems[1].starts_with("/nonexistent/certs: cannot read directory"),
            "{:?}",
            missing.problems
        );

        let dir = tempfile::tempdir().unwrap();
        let pem = std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/roots/ISRG_Root_X1.pem"),
        )
        .unwrap();
        let der = parse_certs(&pem).unwrap().remove(0);
        std::fs::write(dir.path().join("isrg.der"), der.as_ref()).unwrap();
        std::fs::write(dir.path().join("empty.pem"), "").unwrap();
        let scan = paths(None, &[dir.path().to_path_buf()]);
        assert_eq!(scan.roots.len(), 1, "a DER certificate file counts");
        assert!(
            scan.problems.is_empty(),
            "an empty file is not a problem: {:?}",
            scan.problems
        );
    }
}
