//! The machine's trust stores, audited: every root the system (and the
//! browsers' NSS databases) trusts, where it was found, and whether it is a
//! public root, version skew of the OS bundle, or an extra root: the thing
//! an interceptor must install first.
//!
//! `scan` and `nss` read stores (I/O), `windows` the Windows stores;
//! `classify` and `blob` are pure.

#[cfg(any(windows, test))]
pub(crate) mod blob;
pub(crate) mod classify;
pub(crate) mod nss;
pub(crate) mod scan;
#[cfg(test)]
mod tests;
#[cfg(windows)]
mod windows;

use std::collections::HashMap;

use rustls_pki_types::CertificateDer;

/// A certificate found in a store, with every place it was found.
#[derive(Clone, Debug)]
pub struct FoundRoot {
    /// The certificate.
    pub der: CertificateDer<'static>,
    /// Where: a file path, `NSS DB (nickname)`, or a platform store name.
    pub locations: Vec<String>,
}

/// What scanning the stores found.
#[derive(Clone, Debug, Default)]
pub struct Scan {
    /// Certificates, deduplicated by content.
    pub roots: Vec<FoundRoot>,
    /// The stores that were read.
    pub sources: Vec<String>,
    /// Everything that could not be read, each naming the place and why.
    pub problems: Vec<String>,
    /// Index of `roots` by certificate, so huge bundles stay linear.
    index: HashMap<CertificateDer<'static>, usize>,
}

impl Scan {
    /// Adds a certificate found at `location`, merging duplicates.
    pub fn add(&mut self, der: CertificateDer<'static>, location: String) {
        match self.index.get(&der).and_then(|&i| self.roots.get_mut(i)) {
            Some(r) => {
                if !r.locations.contains(&location) {
                    r.locations.push(location);
                }
            }
            None => {
                self.index.insert(der.clone(), self.roots.len());
                self.roots.push(FoundRoot {
                    der,
                    locations: vec![location],
                });
            }
        }
    }

    /// Merges another scan into this one.
    pub fn merge(&mut self, other: Scan) {
        for r in other.roots {
            for l in r.locations {
                self.add(r.der.clone(), l);
            }
        }
        self.sources.extend(other.sources);
        self.problems.extend(other.problems);
    }
}
