//! Reading the system trust store with the location of every certificate.
//!
//! Everywhere: `SSL_CERT_FILE` and `SSL_CERT_DIR` when set (as OpenSSL
//! and rustls-native-certs honour them). Otherwise, on Linux and the BSDs:
//! the bundle file and directories openssl-probe finds, each file read on
//! its own so every certificate carries its path; on Windows: the
//! certificate stores, each root with the store it sits in
//! (`roots::windows`); on macOS: the keychains through rustls-native-certs.

use std::path::{Path, PathBuf};

use super::Scan;
use crate::util::{CERTS_FILE, read_capped};

/// Scans the system store.
pub fn system() -> Scan {
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
    platform()
}

#[cfg(all(unix, not(target_os = "macos")))]
fn platform() -> Scan {
    let probe = openssl_probe::probe();
    paths(probe.cert_file.as_deref(), &probe.cert_dir)
}

#[cfg(windows)]
use super::windows::system as platform;

#[cfg(target_os = "macos")]
fn platform() -> Scan {
    let name = "macOS keychains (system and user)";
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

/// Reads a bundle file and certificate directories. Each file is read
/// once: a file met again (a hash link or `.pem` link to a certificate
/// already read, or the bundle itself inside the directory) only adds its
/// location to the certificates read the first time.
pub fn paths(file: Option<&Path>, dirs: &[PathBuf]) -> Scan {
    let mut scan = Scan::default();
    let mut read = ReadFiles::default();
    if let Some(f) = file {
        scan.sources.push(f.display().to_string());
        read.file(&mut scan, f, true);
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
            // One stat per entry: whether it is a file, and which one.
            if let Some(meta) = std::fs::metadata(&path)
                .ok()
                .filter(std::fs::Metadata::is_file)
            {
                read.file_with(&mut scan, &path, false, identity_of(&meta));
            }
        }
    }
    scan
}

/// The files read so far, by identity (device and inode, after symbolic
/// links), with the certificates each held; and each PEM block of a bundle
/// by its text, so that a directory's file holding one of them (Debian's
/// `/etc/ssl/certs/*.pem`, from which the bundle is made) is not decoded
/// again.
#[derive(Default)]
struct ReadFiles {
    by_identity:
        std::collections::HashMap<(u64, u64), Vec<rustls_pki_types::CertificateDer<'static>>>,
    by_block: Blocks,
}

/// A bundle's certificate PEM blocks (BEGIN through END line), by text.
type Blocks = std::collections::HashMap<Vec<u8>, rustls_pki_types::CertificateDer<'static>>;

impl ReadFiles {
    fn file(&mut self, scan: &mut Scan, path: &Path, is_bundle: bool) {
        self.file_with(scan, path, is_bundle, identity(path));
    }

    /// Like [`ReadFiles::file`], with the file's identity already known.
    fn file_with(&mut self, scan: &mut Scan, path: &Path, is_bundle: bool, id: Option<(u64, u64)>) {
        let Some(id) = id else {
            read_file(scan, path, is_bundle, &mut self.by_block);
            return;
        };
        if let Some(certs) = self.by_identity.get(&id) {
            let location = location(path);
            for c in certs {
                scan.add(c.clone(), location.clone());
            }
            return;
        }
        let found = read_file(scan, path, is_bundle, &mut self.by_block);
        self.by_identity.insert(id, found);
    }
}

fn identity(path: &Path) -> Option<(u64, u64)> {
    std::fs::metadata(path).ok().and_then(|m| identity_of(&m))
}

/// A file's device and inode (after symbolic links).
#[cfg(unix)]
fn identity_of(meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt as _;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn identity_of(_meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

/// The path as shown in evidence: with the target of a symbolic link.
fn location(path: &Path) -> String {
    let shown = path.display().to_string();
    match std::fs::read_link(path) {
        Ok(target) => format!("{shown} -> {}", target.display()),
        Err(_) => shown,
    }
}

/// Reads one file of PEM certificates (or one DER certificate); returns
/// the certificates it held.
fn read_file(
    scan: &mut Scan,
    path: &Path,
    is_bundle: bool,
    blocks: &mut Blocks,
) -> Vec<rustls_pki_types::CertificateDer<'static>> {
    let shown = path.display().to_string();
    let data = match read_capped(path, CERTS_FILE) {
        Ok(d) => d,
        Err(e) => {
            scan.problems.push(e.to_string());
            return Vec::new();
        }
    };
    let location = location(path);
    if let Some(der) = blocks.get(data.trim_ascii()) {
        scan.add(der.clone(), location);
        return vec![der.clone()];
    }
    let certs = parse_certs(&data);
    if let (true, Ok(certs)) = (is_bundle, &certs) {
        remember_blocks(&data, certs, blocks);
    }
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
            for c in &certs {
                scan.add(c.clone(), location.clone());
            }
            return certs;
        }
        Err(e) => scan.problems.push(format!("{shown}: {e}")),
    }
    Vec::new()
}

/// Remembers the certificate PEM blocks of bundle `data` by their text,
/// each with the certificate `parse_certs` decoded from it (only when the
/// blocks and the certificates pair up one to one).
fn remember_blocks(
    data: &[u8],
    certs: &[rustls_pki_types::CertificateDer<'static>],
    blocks: &mut Blocks,
) {
    const BEGIN: &[u8] = b"-----BEGIN CERTIFICATE-----";
    const END: &[u8] = b"-----END CERTIFICATE-----";
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    let mut texts = Vec::with_capacity(certs.len());
    let mut rest = data;
    while let Some(start) = find(rest, BEGIN) {
        let Some(len) = find(&rest[start..], END) else {
            return;
        };
        let end = start + len + END.len();
        texts.push(&rest[start..end]);
        rest = &rest[end..];
    }
    if texts.len() == certs.len() {
        for (text, der) in texts.into_iter().zip(certs) {
            blocks.insert(text.to_vec(), der.clone());
        }
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

    #[test]
    fn each_file_is_read_once_and_every_place_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let pem = std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/roots/ISRG_Root_X1.pem"),
        )
        .unwrap();
        let certs = dir.path().join("certs");
        std::fs::create_dir(&certs).unwrap();
        let bundle = certs.join("ca-certificates.crt");
        std::fs::write(&bundle, &pem).unwrap();
        let link = certs.join("4042bcee.0");
        std::os::unix::fs::symlink(&bundle, &link).unwrap();

        // SSL_CERT_FILE inside SSL_CERT_DIR, and a hash link to it.
        let scan = paths(Some(&bundle), std::slice::from_ref(&certs));
        assert_eq!(scan.roots.len(), 1, "{:?}", scan.problems);
        assert_eq!(
            scan.roots[0].locations,
            [
                bundle.display().to_string(),
                format!("{} -> {}", link.display(), bundle.display())
            ]
        );

        // Proof that the file is not read again: its content changes in
        // place (same inode); met again through the link, the certificate
        // read the first time is named, and the garbage never seen.
        let mut read = ReadFiles::default();
        let mut scan = Scan::default();
        read.file(&mut scan, &bundle, true);
        std::fs::write(&bundle, b"garbage").unwrap();
        read.file(&mut scan, &link, false);
        assert!(scan.problems.is_empty(), "{:?}", scan.problems);
        assert_eq!(scan.roots.len(), 1);
        assert_eq!(scan.roots[0].locations.len(), 2);
    }
}
