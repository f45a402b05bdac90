//! This machine's trust store on Windows: the `Root` stores of the current
//! user and of the machine, read through schannel (what Windows' own TLS
//! and the browsers trust), each certificate named with the physical store
//! it sits in, found by its SHA-1 thumbprint among the registry keys that
//! back those stores: the user's own, the machine's, Group Policy's
//! (a domain's pushed roots), Enterprise (Active Directory) and the
//! auto-updated AuthRoot. A root an interceptor installs sits in one of
//! them (a café's management software: LocalMachine; a proxy a user was
//! asked to trust: CurrentUser).
//!
//! A certificate in one of those registry stores that schannel's view does
//! not show (Wine's logical stores hold less than Windows') is read from
//! its `Blob` (serialized certificate properties) and counted too.

use std::collections::{HashMap, HashSet};

use rustls_pki_types::CertificateDer;
use winreg::RegKey;
use winreg::enums::{HKEY_CURRENT_USER, HKEY_LOCAL_MACHINE};

use super::Scan;
use super::blob::certificate_in_blob;

/// A physical store: its name as shown, hive and registry path.
struct Physical {
    name: &'static str,
    machine: bool,
    path: &'static str,
}

/// The physical stores behind the `Root` stores, most specific first.
const PHYSICAL: &[Physical] = &[
    Physical {
        name: "CurrentUser\\Root",
        machine: false,
        path: "Software\\Microsoft\\SystemCertificates\\Root\\Certificates",
    },
    Physical {
        name: "CurrentUser\\Root, Group Policy",
        machine: false,
        path: "Software\\Policies\\Microsoft\\SystemCertificates\\Root\\Certificates",
    },
    Physical {
        name: "LocalMachine\\Root",
        machine: true,
        path: "SOFTWARE\\Microsoft\\SystemCertificates\\Root\\Certificates",
    },
    Physical {
        name: "LocalMachine\\Root, Group Policy",
        machine: true,
        path: "SOFTWARE\\Policies\\Microsoft\\SystemCertificates\\Root\\Certificates",
    },
    Physical {
        name: "LocalMachine\\Root, Enterprise",
        machine: true,
        path: "SOFTWARE\\Microsoft\\EnterpriseCertificates\\Root\\Certificates",
    },
    Physical {
        name: "LocalMachine\\AuthRoot",
        machine: true,
        path: "SOFTWARE\\Microsoft\\SystemCertificates\\AuthRoot\\Certificates",
    },
];

/// What the store is called in sources and locations.
const SOURCE: &str = "Windows certificate stores (CurrentUser and LocalMachine Root, with their Group Policy and Enterprise stores)";

/// Scans the Windows stores.
pub fn system() -> Scan {
    let mut scan = Scan {
        sources: vec![SOURCE.to_string()],
        ..Scan::default()
    };
    let mut registry = Registry::default();
    for place in PHYSICAL {
        registry.read(place, &mut scan.problems);
    }
    for (logical, open) in [
        (
            "CurrentUser\\Root",
            schannel::cert_store::CertStore::open_current_user as fn(&str) -> _,
        ),
        (
            "LocalMachine\\Root",
            schannel::cert_store::CertStore::open_local_machine,
        ),
    ] {
        let store = match open("Root") {
            Ok(s) => s,
            Err(e) => {
                scan.problems
                    .push(format!("Windows store {logical}: cannot open: {e}"));
                continue;
            }
        };
        for cert in store.certs() {
            let der = cert.to_der().to_vec();
            let thumb = thumbprint(&der);
            match registry.places.get(&thumb) {
                Some(places) => {
                    for place in places {
                        scan.add(CertificateDer::from(der.clone()), place.clone());
                    }
                }
                None => scan.add(CertificateDer::from(der), location(logical, None)),
            }
            registry.shown.insert(thumb);
        }
    }
    // Registry certificates schannel did not show.
    for (thumb, der, place) in registry.blobs {
        if !registry.shown.contains(&thumb) {
            scan.add(CertificateDer::from(der), place);
        }
    }
    scan
}

/// How a place is shown: the store and, when known, its registry key.
fn location(store: &str, key: Option<&str>) -> String {
    match key {
        Some(k) => format!("Windows store {store} ({k})"),
        None => format!("Windows store {store}"),
    }
}

/// The certificates of the registry-backed stores, by thumbprint.
#[derive(Default)]
struct Registry {
    /// Thumbprint (upper-case hex SHA-1) to the places it is in.
    places: HashMap<String, Vec<String>>,
    /// Each certificate read from a `Blob`: its thumbprint, DER and place.
    blobs: Vec<(String, Vec<u8>, String)>,
    /// The thumbprints schannel has shown.
    shown: HashSet<String>,
}

impl Registry {
    fn read(&mut self, place: &Physical, problems: &mut Vec<String>) {
        let (hive, hive_name) = if place.machine {
            (HKEY_LOCAL_MACHINE, "HKLM")
        } else {
            (HKEY_CURRENT_USER, "HKCU")
        };
        let shown = location(place.name, Some(&format!("{hive_name}\\{}", place.path)));
        let key = match RegKey::predef(hive).open_subkey(place.path) {
            Ok(k) => k,
            // Most machines have no Group Policy or Enterprise roots.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
            Err(e) => {
                problems.push(format!("{shown}: cannot read: {e}"));
                return;
            }
        };
        for name in key.enum_keys() {
            let name = match name {
                Ok(n) => n,
                Err(e) => {
                    problems.push(format!("{shown}: cannot list: {e}"));
                    break;
                }
            };
            let blob = key
                .open_subkey(&name)
                .and_then(|k| k.get_raw_value("Blob"))
                .ok()
                .and_then(|v| certificate_in_blob(&v.bytes).map(<[u8]>::to_vec));
            let thumb = name.to_ascii_uppercase();
            self.places.entry(thumb).or_default().push(shown.clone());
            if let Some(der) = blob {
                self.blobs.push((thumbprint(&der), der, shown.clone()));
            }
        }
    }
}

/// Upper-case hex SHA-1 of `der`: the name of its registry key.
fn thumbprint(der: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, der)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}
