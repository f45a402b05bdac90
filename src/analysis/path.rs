//! Signature paths: does a chain reach a public or known CA key by
//! signatures alone, whatever its dates, constraints, key usage or names?
//!
//! This is the one question that separates a forged chain from a broken
//! genuine one. An interceptor cannot make a signature with a public CA's
//! key; a server that sends an expired copy of its intermediate, or a CA
//! that breaks a pathLen rule, still has every certificate signed by the
//! next key up to a key the world knows. Full validation (dates,
//! constraints, usage) is rustls-webpki's job in `anchors`; this module only
//! follows signatures, checked with rustls-webpki's algorithms through the
//! run's memo in `signatures` (so a signature webpki also checks costs one
//! verification), and with x509-parser for the algorithms webpki does not
//! offer (SHA-1 RSA of old intermediates).
//!
//! Certificates come from the network: the search is breadth-first over
//! the certificates offered (each visited once), with a budget of
//! signature checks, so a hostile server's thousand look-alike issuers cost
//! a bounded amount of work.

use std::collections::{HashMap, VecDeque};

use x509_parser::error::X509Error;
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::x509::SubjectPublicKeyInfo;

use super::anchors::{TrustStore, der_contents};
use super::signatures::{self, Signed};
use crate::knowledge::CaCertificate;
use crate::names::{self, CaNames, LookAlike, Name};
use crate::util::sha256_base64;

/// At most this many signature checks per chain.
const SIGNATURE_BUDGET: usize = 2048;

/// Where a certificate of the path came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The server sent it, at this position (0 is the leaf).
    Presented(usize),
    /// pinwatch supplied it (a known intermediate or CA from `pins/`).
    Known,
}

/// One certificate on the path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathCert {
    /// Where it came from.
    pub source: Source,
    /// Its key's SPKI SHA-256 (base64).
    pub spki_sha256: String,
    /// Its subject.
    pub subject: String,
    /// Start of validity, seconds since the epoch.
    pub not_before: i64,
    /// End of validity, seconds since the epoch.
    pub not_after: i64,
}

/// The key the path ends at: who signed its last certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathEnd {
    /// A root of the public store.
    Public {
        /// The root's SPKI SHA-256.
        spki_sha256: String,
    },
    /// A CA key pinwatch knows from `pins/` (an intermediate, a root
    /// Mozilla retired, a service's private CA).
    KnownCa {
        /// The key's SPKI SHA-256.
        spki_sha256: String,
    },
    /// A root of this machine's store only.
    System {
        /// The root's SPKI SHA-256.
        spki_sha256: String,
    },
    /// No key pinwatch has signed the last certificate: a forged path, or a
    /// CA nobody knows.
    Unknown,
    /// A signature could not be checked (an algorithm ring does not offer,
    /// or the budget ran out), and no better path was found.
    Unverifiable {
        /// What stopped the check.
        detail: String,
    },
}

impl PathEnd {
    fn rank(&self) -> u8 {
        match self {
            PathEnd::Public { .. } => 4,
            PathEnd::KnownCa { .. } => 3,
            PathEnd::System { .. } => 2,
            PathEnd::Unverifiable { .. } => 1,
            PathEnd::Unknown => 0,
        }
    }

    /// Whether the path reaches a key of the public store or a known CA.
    pub fn is_known_ca(&self) -> bool {
        matches!(self, PathEnd::Public { .. } | PathEnd::KnownCa { .. })
    }

    /// The SPKI hash of the ending key, when there is one.
    pub fn spki_sha256(&self) -> Option<&str> {
        match self {
            PathEnd::Public { spki_sha256 }
            | PathEnd::KnownCa { spki_sha256 }
            | PathEnd::System { spki_sha256 } => Some(spki_sha256),
            PathEnd::Unknown | PathEnd::Unverifiable { .. } => None,
        }
    }
}

/// The best signature path from the leaf.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigPath {
    /// The certificates of the path, leaf first.
    pub certs: Vec<PathCert>,
    /// The key that signed the last of them.
    pub end: PathEnd,
    /// When no known key signed the path: how much the issuer name of a
    /// certificate of the path borrows from a public root or known CA
    /// (compared as RFC 5280 compares names), the strongest found. A
    /// look-alike, not that CA.
    pub impersonates: Option<LookAlike>,
}

impl SigPath {
    /// A path of no certificates ending at `end` (for a chain that cannot
    /// be followed, and for tests).
    pub fn ending(end: PathEnd) -> Self {
        SigPath {
            certs: Vec::new(),
            end,
            impersonates: None,
        }
    }

    /// Every key of the path, leaf first, ending key last.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.certs
            .iter()
            .map(|c| c.spki_sha256.as_str())
            .chain(self.end.spki_sha256())
    }

    /// Whether the presented certificate at `index` is on the path.
    pub fn has_presented(&self, index: usize) -> bool {
        self.certs
            .iter()
            .any(|c| c.source == Source::Presented(index))
    }
}

/// The keys a path may end at.
pub struct Ends<'a> {
    /// The public store.
    pub public: &'a TrustStore,
    /// This machine's store.
    pub system: &'a TrustStore,
    /// Whether an SPKI hash is a CA key pinwatch knows (from `pins/`).
    pub known_ca: &'a dyn Fn(&str) -> bool,
    /// The CA names a look-alike may borrow (Mozilla's, always; the public
    /// store's; the known CAs').
    pub names: &'a [&'a CaNames],
}

struct Node<'d> {
    cert: X509Certificate<'d>,
    der: &'d [u8],
    source: Source,
    spki_sha256: String,
}

/// Follows signatures from the leaf of `presented` through the presented
/// certificates and `supplied` ones to the best key in `ends`. A supplied
/// certificate is parsed only when its subject is the issuer of a
/// certificate already taken (so a chain pays for the few it may need, not
/// for every CA certificate pinwatch knows).
pub fn signature_path(
    presented: &[&[u8]],
    supplied: &[CaCertificate<'_>],
    ends: &Ends<'_>,
) -> SigPath {
    let mut nodes: Vec<Node<'_>> = Vec::new();
    for (i, der) in presented.iter().enumerate() {
        if let Ok((_, cert)) = X509Certificate::from_der(der) {
            let spki_sha256 = sha256_base64(cert.public_key().raw);
            nodes.push(Node {
                cert,
                der,
                source: Source::Presented(i),
                spki_sha256,
            });
        } else if i == 0 {
            return SigPath {
                certs: Vec::new(),
                end: PathEnd::Unknown,
                impersonates: None,
            };
        }
    }
    let mut taken = vec![false; supplied.len()];
    let mut wanted: Vec<Vec<u8>> = nodes
        .iter()
        .map(|n| der_contents(n.cert.issuer().as_raw()).to_vec())
        .collect();
    while let Some(issuer) = wanted.pop() {
        for (k, ca) in supplied.iter().enumerate() {
            if taken[k] || ca.subject != issuer.as_slice() {
                continue;
            }
            taken[k] = true;
            if let Ok((_, cert)) = X509Certificate::from_der(ca.der) {
                wanted.push(der_contents(cert.issuer().as_raw()).to_vec());
                let spki_sha256 = sha256_base64(cert.public_key().raw);
                nodes.push(Node {
                    cert,
                    der: ca.der,
                    source: Source::Known,
                    spki_sha256,
                });
            }
        }
    }
    if nodes.first().map(|n| n.source) != Some(Source::Presented(0)) {
        return SigPath {
            certs: Vec::new(),
            end: PathEnd::Unknown,
            impersonates: None,
        };
    }
    Search::new(&nodes, ends).run()
}

struct Search<'n, 'd, 'e> {
    nodes: &'n [Node<'d>],
    ends: &'n Ends<'e>,
    by_subject: HashMap<&'n [u8], Vec<usize>>,
    checks: usize,
    unverifiable: Option<String>,
}

impl<'n, 'd, 'e> Search<'n, 'd, 'e> {
    fn new(nodes: &'n [Node<'d>], ends: &'n Ends<'e>) -> Self {
        let mut by_subject: HashMap<&[u8], Vec<usize>> = HashMap::new();
        for (i, node) in nodes.iter().enumerate() {
            by_subject
                .entry(der_contents(node.cert.subject().as_raw()))
                .or_default()
                .push(i);
        }
        Search {
            nodes,
            ends,
            by_subject,
            checks: 0,
            unverifiable: None,
        }
    }

    /// Breadth-first from the leaf; the best end wins, the shortest path
    /// among equals.
    fn run(mut self) -> SigPath {
        let mut parent: Vec<Option<usize>> = vec![None; self.nodes.len()];
        let mut seen = vec![false; self.nodes.len()];
        let mut queue = VecDeque::from([0usize]);
        seen[0] = true;
        let mut best: Option<(usize, PathEnd)> = None;
        // Breadth-first, the last node taken is the farthest from the leaf:
        // with no known end, the path goes as high as signatures reach.
        let mut farthest = 0;
        while let Some(i) = queue.pop_front() {
            farthest = i;
            for end in self.ends_above(i) {
                if best.as_ref().is_none_or(|(_, b)| end.rank() > b.rank()) {
                    best = Some((i, end));
                }
            }
            if best.as_ref().is_some_and(|(_, b)| b.rank() == 4) {
                break;
            }
            for j in self.issuers_among_nodes(i) {
                if !seen[j] {
                    seen[j] = true;
                    parent[j] = Some(i);
                    queue.push_back(j);
                }
            }
        }
        let (last, end) = match (best, self.unverifiable.take()) {
            (Some((last, end)), _) => (last, end),
            (None, Some(detail)) => (farthest, PathEnd::Unverifiable { detail }),
            (None, None) => (farthest, PathEnd::Unknown),
        };
        let mut chain = vec![last];
        while let Some(p) = chain.last().and_then(|&c| parent[c]) {
            chain.push(p);
        }
        chain.reverse();
        let impersonates = if end.is_known_ca() {
            None
        } else {
            chain.iter().filter_map(|&i| self.borrowed_name(i)).max()
        };
        SigPath {
            impersonates,
            certs: chain
                .into_iter()
                .map(|i| {
                    let node = &self.nodes[i];
                    PathCert {
                        source: node.source,
                        spki_sha256: node.spki_sha256.clone(),
                        subject: node.cert.subject().to_string(),
                        not_before: node.cert.validity().not_before.timestamp(),
                        not_after: node.cert.validity().not_after.timestamp(),
                    }
                })
                .collect(),
            end,
        }
    }

    /// Keys that end a path above node `i`: an anchor of the public or
    /// system store that signed it, or a node with a known CA key that did.
    fn ends_above(&mut self, i: usize) -> Vec<PathEnd> {
        let issuer = self.nodes[i].cert.issuer().as_raw();
        let mut found = Vec::new();
        for (spki, hash) in self.ends.public.anchors_named(issuer) {
            if self.signed_by_der(i, spki) {
                found.push(PathEnd::Public {
                    spki_sha256: hash.clone(),
                });
                return found;
            }
        }
        for j in self.candidates(i) {
            let hash = &self.nodes[j].spki_sha256;
            if (self.ends.known_ca)(hash) && self.signed_by_node(i, j) {
                found.push(PathEnd::KnownCa {
                    spki_sha256: hash.clone(),
                });
                break;
            }
        }
        for (spki, hash) in self.ends.system.anchors_named(issuer) {
            if self.signed_by_der(i, spki) {
                found.push(PathEnd::System {
                    spki_sha256: hash.clone(),
                });
                break;
            }
        }
        found
    }

    /// How much the issuer name of node `i` borrows from a public root or
    /// a CA pinwatch knows (the path being unknown, not with that CA's key).
    fn borrowed_name(&self, i: usize) -> Option<LookAlike> {
        let issuer = Name::of(self.nodes[i].cert.issuer());
        names::look_alike_among(self.ends.names, &issuer, None)
    }

    /// Nodes named as node `i`'s issuer whose key signed it.
    fn issuers_among_nodes(&mut self, i: usize) -> Vec<usize> {
        let candidates = self.candidates(i);
        candidates
            .into_iter()
            .filter(|&j| self.signed_by_node(i, j))
            .collect()
    }

    fn candidates(&self, i: usize) -> Vec<usize> {
        let issuer = der_contents(self.nodes[i].cert.issuer().as_raw());
        self.by_subject
            .get(issuer)
            .map(|v| v.iter().copied().filter(|&j| j != i).collect())
            .unwrap_or_default()
    }

    fn signed_by_node(&mut self, i: usize, j: usize) -> bool {
        let spki = self.nodes[j].cert.public_key().raw;
        self.check(i, spki)
    }

    fn signed_by_der(&mut self, i: usize, spki: &[u8]) -> bool {
        self.check(i, spki)
    }

    /// Whether node `i` was signed by the key `spki` (DER).
    fn check(&mut self, i: usize, spki: &[u8]) -> bool {
        if self.checks >= SIGNATURE_BUDGET {
            self.unverifiable
                .get_or_insert_with(|| format!("more than {SIGNATURE_BUDGET} signature checks"));
            return false;
        }
        self.checks += 1;
        let by_webpki = Signed::of(self.nodes[i].der).and_then(|s| signatures::signed_by(&s, spki));
        if let Some(valid) = by_webpki {
            return valid;
        }
        let Ok((_, key)) = SubjectPublicKeyInfo::from_der(spki) else {
            return false;
        };
        match self.nodes[i].cert.verify_signature(Some(&key)) {
            Ok(()) => true,
            Err(X509Error::SignatureUnsupportedAlgorithm) => {
                let alg = self.nodes[i]
                    .cert
                    .signature_algorithm
                    .algorithm
                    .to_id_string();
                self.unverifiable
                    .get_or_insert_with(|| format!("signature algorithm {alg} cannot be checked"));
                false
            }
            Err(_) => false,
        }
    }
}
