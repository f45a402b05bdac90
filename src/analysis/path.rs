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
//! a bounded amount of work. A certificate is checked against a key once,
//! however many copies of its issuer (same name, same key) are sent, so
//! copies cannot spend the budget; and a search that runs out of budget
//! without reaching a public or known key has found no sign of a genuine
//! chain: its path is judged like any other that reaches none.
//!
//! A signature pinwatch cannot check (an algorithm neither ring nor `p521`
//! offers) only matters when it stands between the leaf and a public or
//! known CA key: the search is run again taking such signatures as good,
//! and only when that reaches a public or known key is the path
//! `Unverifiable`. A path that no public or known key can have signed,
//! whatever its algorithms, is forged.

use std::collections::{HashMap, HashSet, VecDeque};

use x509_parser::error::X509Error;
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::x509::SubjectPublicKeyInfo;

use super::anchors::TrustStore;
use super::signatures::{self, Signed};
use crate::knowledge::CaCertificate;
use crate::names::der_contents;
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
    /// Fetched from the URL the leaf names for its issuer (AIA caIssuers):
    /// it counts only through its signatures, like a presented one.
    Fetched,
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
    /// Its issuer's name.
    pub issuer: String,
    /// Whether it names itself as its issuer (a root, or a forger's).
    pub self_issued: bool,
    /// Where it says its issuer's certificate can be fetched: the first
    /// `http://` caIssuers URL of its Authority Information Access.
    pub ca_issuers: Option<String>,
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
    /// A public or known CA key would be reached if the signatures pinwatch
    /// cannot check (an algorithm it lacks) were good, and none is reached
    /// without them: forgery can be neither shown nor ruled out.
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
    /// When no known key signed the path: the issuer that the path's last
    /// certificate names, whose own certificate is here (sent, known or
    /// fetched) and reaches a public or known key, but whose key did not
    /// sign it. That CA is known, and it did not issue this.
    pub disowned_by: Option<String>,
}

impl SigPath {
    /// A path of no certificates ending at `end` (for a chain that cannot
    /// be followed, and for tests).
    pub fn ending(end: PathEnd) -> Self {
        SigPath {
            certs: Vec::new(),
            end,
            impersonates: None,
            disowned_by: None,
        }
    }

    /// Every key of the path, leaf first, ending key last.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.certs
            .iter()
            .map(|c| c.spki_sha256.as_str())
            .chain(self.end.spki_sha256())
    }

    /// Whether a certificate fetched from an AIA URL is on the path.
    pub fn has_fetched(&self) -> bool {
        self.certs.iter().any(|c| c.source == Source::Fetched)
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
/// certificates, the `fetched` ones (AIA) and `supplied` ones to the best
/// key in `ends`. A supplied certificate is parsed only when its subject is
/// the issuer of a certificate already taken (so a chain pays for the few
/// it may need, not for every CA certificate pinwatch knows). A
/// certificate sent twice, byte for byte, is taken once.
pub fn signature_path(
    presented: &[&[u8]],
    fetched: &[&[u8]],
    supplied: &[CaCertificate<'_>],
    ends: &Ends<'_>,
) -> SigPath {
    let mut nodes: Vec<Node<'_>> = Vec::new();
    let mut seen: HashSet<&[u8]> = HashSet::new();
    let offered = presented
        .iter()
        .enumerate()
        .map(|(i, der)| (Source::Presented(i), *der))
        .chain(fetched.iter().map(|der| (Source::Fetched, *der)));
    for (source, der) in offered {
        if !seen.insert(der) {
            continue;
        }
        if let Ok((_, cert)) = X509Certificate::from_der(der) {
            let spki_sha256 = sha256_base64(cert.public_key().raw);
            nodes.push(Node {
                cert,
                der,
                source,
                spki_sha256,
            });
        } else if source == Source::Presented(0) {
            return SigPath::ending(PathEnd::Unknown);
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
        return SigPath::ending(PathEnd::Unknown);
    }
    Search::new(&nodes, ends).run()
}

/// What one signature check said.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Checked {
    /// The key signed the certificate.
    Signed,
    /// It did not (or the budget is spent: no evidence either way, and no
    /// sign of a genuine chain).
    NotSigned,
    /// The algorithm cannot be checked here.
    CannotCheck,
}

/// One breadth-first walk: where it ended, how each node was reached, and
/// which nodes it visited.
struct Walk {
    last: usize,
    end: Option<PathEnd>,
    parent: Vec<Option<usize>>,
    seen: Vec<bool>,
}

struct Search<'n, 'd, 'e> {
    nodes: &'n [Node<'d>],
    ends: &'n Ends<'e>,
    by_subject: HashMap<&'n [u8], Vec<usize>>,
    checks: usize,
    /// Each (certificate, key) pair is checked once, whatever copies of
    /// the key's certificate were sent.
    memo: HashMap<(usize, String), Checked>,
    /// The first signature that could not be checked, in words.
    cannot_check: Option<String>,
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
            memo: HashMap::new(),
            cannot_check: None,
        }
    }

    /// The best path by checked signatures; when it reaches no public or
    /// known key, whether taking the unchecked signatures as good would.
    fn run(mut self) -> SigPath {
        let strict = self.walk(0, false);
        if strict.end.as_ref().is_some_and(PathEnd::is_known_ca) {
            return self.path(strict);
        }
        let disowned_by = self.disowned(strict.last);
        if self.cannot_check.is_some() {
            let hopeful = self.walk(0, true);
            if hopeful.end.as_ref().is_some_and(PathEnd::is_known_ca) {
                let detail = self.cannot_check.take().unwrap_or_default();
                return self.path(Walk {
                    end: Some(PathEnd::Unverifiable { detail }),
                    ..hopeful
                });
            }
        }
        SigPath {
            disowned_by,
            ..self.path(strict)
        }
    }

    /// The issuer node `top` names, when a certificate of that name is
    /// here, reaches a public or known key by signatures, and did not sign
    /// `top`. It has a budget of its own (junk spent on the search above
    /// cannot hide it), looks directly under public and known keys first
    /// (junk of that name costs nothing there), and a walk that reaches
    /// none rules out every node it visited.
    fn disowned(&mut self, top: usize) -> Option<String> {
        self.checks = 0;
        let refused: Vec<usize> = self
            .candidates(top)
            .into_iter()
            .filter(|&j| self.signed_by_node(top, j) == Checked::NotSigned)
            .collect();
        let name = self.nodes[top].cert.issuer().to_string();
        for &j in &refused {
            if self.ends_above(j, false).iter().any(PathEnd::is_known_ca) {
                return Some(name);
            }
        }
        let mut dead = vec![false; self.nodes.len()];
        for j in refused {
            if dead[j] {
                continue;
            }
            let above = self.walk(j, false);
            if above.end.as_ref().is_some_and(PathEnd::is_known_ca) {
                return Some(name);
            }
            for (d, seen) in dead.iter_mut().zip(&above.seen) {
                *d |= *seen;
            }
        }
        None
    }

    /// Breadth-first from node `start` (the leaf, 0); the best end wins,
    /// the shortest path among equals. `hopeful` takes signatures that
    /// cannot be checked as good.
    fn walk(&mut self, start: usize, hopeful: bool) -> Walk {
        let mut parent: Vec<Option<usize>> = vec![None; self.nodes.len()];
        let mut seen = vec![false; self.nodes.len()];
        let mut queue = VecDeque::from([start]);
        seen[start] = true;
        let mut best: Option<(usize, PathEnd)> = None;
        // Breadth-first, the last node taken is the farthest from the leaf:
        // with no known end, the path goes as high as signatures reach.
        let mut farthest = start;
        while let Some(i) = queue.pop_front() {
            farthest = i;
            for end in self.ends_above(i, hopeful) {
                if best.as_ref().is_none_or(|(_, b)| end.rank() > b.rank()) {
                    best = Some((i, end));
                }
            }
            if best.as_ref().is_some_and(|(_, b)| b.rank() == 4) {
                break;
            }
            for j in self.issuers_among_nodes(i, hopeful) {
                if !seen[j] {
                    seen[j] = true;
                    parent[j] = Some(i);
                    queue.push_back(j);
                }
            }
        }
        match best {
            Some((last, end)) => Walk {
                last,
                end: Some(end),
                parent,
                seen,
            },
            None => Walk {
                last: farthest,
                end: None,
                parent,
                seen,
            },
        }
    }

    /// The path a walk found, leaf first.
    fn path(&self, walk: Walk) -> SigPath {
        let mut chain = vec![walk.last];
        while let Some(p) = chain.last().and_then(|&c| walk.parent[c]) {
            chain.push(p);
        }
        chain.reverse();
        let end = walk.end.unwrap_or(PathEnd::Unknown);
        let impersonates = if end.is_known_ca() {
            None
        } else {
            chain.iter().filter_map(|&i| self.borrowed_name(i)).max()
        };
        SigPath {
            impersonates,
            disowned_by: None,
            certs: chain
                .into_iter()
                .map(|i| {
                    let node = &self.nodes[i];
                    let cert = &node.cert;
                    PathCert {
                        source: node.source,
                        spki_sha256: node.spki_sha256.clone(),
                        subject: cert.subject().to_string(),
                        issuer: cert.issuer().to_string(),
                        self_issued: cert.subject().as_raw() == cert.issuer().as_raw(),
                        ca_issuers: ca_issuers_url(cert),
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
    fn ends_above(&mut self, i: usize, hopeful: bool) -> Vec<PathEnd> {
        let issuer = self.nodes[i].cert.issuer().as_raw();
        let mut found = Vec::new();
        for (spki, hash) in self.ends.public.anchors_named(issuer) {
            if accepts(self.check(i, spki, hash), hopeful) {
                found.push(PathEnd::Public {
                    spki_sha256: hash.clone(),
                });
                return found;
            }
        }
        for j in self.candidates(i) {
            let hash = &self.nodes[j].spki_sha256;
            if (self.ends.known_ca)(hash) && accepts(self.signed_by_node(i, j), hopeful) {
                found.push(PathEnd::KnownCa {
                    spki_sha256: hash.clone(),
                });
                break;
            }
        }
        for (spki, hash) in self.ends.system.anchors_named(issuer) {
            if self.check(i, spki, hash) == Checked::Signed {
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
    fn issuers_among_nodes(&mut self, i: usize, hopeful: bool) -> Vec<usize> {
        let candidates = self.candidates(i);
        candidates
            .into_iter()
            .filter(|&j| accepts(self.signed_by_node(i, j), hopeful))
            .collect()
    }

    fn candidates(&self, i: usize) -> Vec<usize> {
        let issuer = der_contents(self.nodes[i].cert.issuer().as_raw());
        self.by_subject
            .get(issuer)
            .map(|v| v.iter().copied().filter(|&j| j != i).collect())
            .unwrap_or_default()
    }

    fn signed_by_node(&mut self, i: usize, j: usize) -> Checked {
        let node = &self.nodes[j];
        self.check(i, node.cert.public_key().raw, &node.spki_sha256)
    }

    /// Whether node `i` was signed by the key `spki` (DER), whose SHA-256
    /// is `hash`: checked once per pair, within the budget.
    fn check(&mut self, i: usize, spki: &[u8], hash: &str) -> Checked {
        if let Some(known) = self.memo.get(&(i, hash.to_string())) {
            return *known;
        }
        if self.checks >= SIGNATURE_BUDGET {
            return Checked::NotSigned;
        }
        self.checks += 1;
        let checked = self.verify(i, spki);
        self.memo.insert((i, hash.to_string()), checked);
        checked
    }

    fn verify(&mut self, i: usize, spki: &[u8]) -> Checked {
        let by_webpki = Signed::of(self.nodes[i].der).and_then(|s| signatures::signed_by(&s, spki));
        match by_webpki {
            Some(true) => return Checked::Signed,
            Some(false) => return Checked::NotSigned,
            None => {}
        }
        let Ok((_, key)) = SubjectPublicKeyInfo::from_der(spki) else {
            return Checked::NotSigned;
        };
        match self.nodes[i].cert.verify_signature(Some(&key)) {
            Ok(()) => Checked::Signed,
            Err(X509Error::SignatureUnsupportedAlgorithm) => {
                let alg = self.nodes[i]
                    .cert
                    .signature_algorithm
                    .algorithm
                    .to_id_string();
                self.cannot_check
                    .get_or_insert_with(|| format!("signature algorithm {alg} cannot be checked"));
                Checked::CannotCheck
            }
            Err(_) => Checked::NotSigned,
        }
    }
}

/// The first `http://` caIssuers URL of `cert`'s Authority Information
/// Access extension (RFC 5280, 4.2.2.1), as written.
fn ca_issuers_url(cert: &X509Certificate<'_>) -> Option<String> {
    use x509_parser::extensions::{GeneralName, ParsedExtension};
    const CA_ISSUERS: &str = "1.3.6.1.5.5.7.48.2";
    cert.extensions().iter().find_map(|ext| {
        let ParsedExtension::AuthorityInfoAccess(aia) = ext.parsed_extension() else {
            return None;
        };
        aia.iter().find_map(|desc| match &desc.access_location {
            GeneralName::URI(uri)
                if desc.access_method.to_id_string() == CA_ISSUERS
                    && uri
                        .get(..7)
                        .is_some_and(|s| s.eq_ignore_ascii_case("http://")) =>
            {
                Some((*uri).to_string())
            }
            _ => None,
        })
    })
}

/// Whether a check lets the walk go on: a good signature, or one that
/// cannot be checked when the walk is hopeful.
fn accepts(checked: Checked, hopeful: bool) -> bool {
    checked == Checked::Signed || (hopeful && checked == Checked::CannotCheck)
}

#[cfg(test)]
mod tests {
    //! The forgery search on hand-made chains: copies, the budget,
    //! algorithms pinwatch cannot check under unknown and public keys,
    //! and P-521.

    use rcgen::{
        BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair,
        KeyUsagePurpose, PKCS_ECDSA_P384_SHA384, PublicKeyData, SignatureAlgorithm, SigningKey,
    };
    use rustls_pki_types::CertificateDer;

    use super::*;

    fn ca_params(cn: &str) -> CertificateParams {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
        params.distinguished_name.push(DnType::CommonName, cn);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign];
        params
    }

    fn root(cn: &str) -> CertifiedIssuer<'static, KeyPair> {
        CertifiedIssuer::self_signed(ca_params(cn), KeyPair::generate().expect("key"))
            .expect("root")
    }

    fn leaf<K: SigningKey>(issuer: &CertifiedIssuer<'_, K>) -> CertificateDer<'static> {
        let params = CertificateParams::new(vec!["chat.example".into()]).expect("params");
        let key = KeyPair::generate().expect("key");
        params.signed_by(&key, issuer).expect("leaf").der().clone()
    }

    fn store(name: &str, certs: &[&CertificateDer<'_>]) -> TrustStore {
        let certs: Vec<CertificateDer<'_>> = certs.iter().map(|c| (*c).clone()).collect();
        let (store, problems) = TrustStore::from_certs(name, &certs);
        assert!(problems.is_empty(), "{problems:?}");
        store
    }

    fn search(chain: &[&CertificateDer<'_>], public: &TrustStore, system: &TrustStore) -> SigPath {
        let presented: Vec<&[u8]> = chain.iter().map(|c| c.as_ref()).collect();
        let nobody = |_: &str| false;
        let names = [public.ca_names()];
        let ends = Ends {
            public,
            system,
            known_ca: &nobody,
            names: &names,
        };
        signature_path(&presented, &[], &[], &ends)
    }

    /// The certificate with its signature algorithm (in the TBS and
    /// outside it) changed from ecdsa-with-SHA256 to ecdsa-with-SHA512,
    /// which P-256 has nowhere here: a signature pinwatch cannot check.
    fn with_uncheckable_signature(der: &CertificateDer<'_>) -> CertificateDer<'static> {
        const SHA256: [u8; 10] = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
        let mut bytes = der.to_vec();
        let mut replaced = 0;
        for i in 0..bytes.len().saturating_sub(SHA256.len()) {
            if bytes[i..i + SHA256.len()] == SHA256 {
                bytes[i + SHA256.len() - 1] = 0x04;
                replaced += 1;
            }
        }
        assert_eq!(
            replaced, 2,
            "the algorithm appears in the TBS and outside it"
        );
        CertificateDer::from(bytes)
    }

    #[test]
    fn a_chain_signed_by_a_public_root_ends_there_and_a_forged_one_nowhere() {
        let public_root = root("Public Root");
        let genuine = leaf(&public_root);
        let public = store("public", &[public_root.der()]);
        let path = search(&[&genuine], &public, &TrustStore::default());
        assert!(matches!(path.end, PathEnd::Public { .. }), "{path:?}");

        let forger = root("Public Root");
        let forged = leaf(&forger);
        let path = search(&[&forged, forger.der()], &public, &TrustStore::default());
        assert_eq!(path.end, PathEnd::Unknown);
        assert_eq!(path.certs.len(), 2, "up to the forger's root: {path:?}");
        assert_eq!(
            path.impersonates.as_ref().map(|l| l.borrowed()),
            Some("CN=Public Root")
        );
    }

    #[test]
    fn sixty_copies_of_the_forgers_root_cannot_spend_the_budget() {
        let forger = root("Forger Root");
        let forged = leaf(&forger);
        let public_root = root("Public Root");
        let public = store("public", &[public_root.der()]);
        // Byte-identical copies, and copies re-signed with new serials
        // (same name, same key): each is a certificate of its own.
        let mut chain: Vec<CertificateDer<'static>> = vec![forged];
        for _ in 0..30 {
            chain.push(forger.der().clone());
        }
        let key = KeyPair::from_pem(&forger.key().serialize_pem()).expect("key");
        let copies = CertifiedIssuer::self_signed(ca_params("Forger Root"), key).expect("copy");
        for _ in 0..30 {
            let key = KeyPair::from_pem(&forger.key().serialize_pem()).expect("key");
            chain.push(
                ca_params("Forger Root")
                    .signed_by(&key, &copies)
                    .expect("copy")
                    .der()
                    .clone(),
            );
        }
        let refs: Vec<&CertificateDer<'_>> = chain.iter().collect();
        assert_eq!(
            search(&refs, &public, &TrustStore::default()).end,
            PathEnd::Unknown,
            "forged, not unverifiable"
        );
        // Trusted by this machine, the copies still lead to its root.
        let system = store("system", &[forger.der()]);
        assert!(matches!(
            search(&refs, &public, &system).end,
            PathEnd::System { .. }
        ));
    }

    #[test]
    fn running_out_of_budget_without_a_public_key_is_forged() {
        // 60 roots with one name and 60 keys: every one of them is a
        // candidate issuer of every other, more checks than the budget.
        let roots: Vec<_> = (0..60).map(|_| root("Forger Root")).collect();
        let forged = leaf(&roots[59]);
        let mut chain = vec![&forged];
        chain.extend(roots.iter().map(|r| r.der()));
        let public_root = root("Public Root");
        let public = store("public", &[public_root.der()]);
        let path = search(&chain, &public, &TrustStore::default());
        assert_eq!(path.end, PathEnd::Unknown, "{path:?}");
    }

    #[test]
    fn an_uncheckable_signature_under_an_unknown_key_is_still_forged() {
        let forger = root("Forger Root");
        let forged = with_uncheckable_signature(&leaf(&forger));
        let public_root = root("Public Root");
        let public = store("public", &[public_root.der()]);
        let path = search(&[&forged, forger.der()], &public, &TrustStore::default());
        assert_eq!(path.end, PathEnd::Unknown, "{path:?}");
    }

    #[test]
    fn an_uncheckable_signature_under_a_public_key_is_unverifiable() {
        let public_root = root("Public Root");
        let public = store("public", &[public_root.der()]);
        let odd = with_uncheckable_signature(&leaf(&public_root));
        let path = search(&[&odd], &public, &TrustStore::default());
        let PathEnd::Unverifiable { detail } = &path.end else {
            panic!("{path:?}");
        };
        assert!(detail.contains("1.2.840.10045.4.3.4"), "{detail}");

        // Under an intermediate that a public root signed, too.
        let params = ca_params("Public Issuing CA");
        let inter =
            CertifiedIssuer::signed_by(params, KeyPair::generate().expect("key"), &public_root)
                .expect("intermediate");
        let odd = with_uncheckable_signature(&leaf(&inter));
        let path = search(&[&odd, inter.der()], &public, &TrustStore::default());
        assert!(matches!(path.end, PathEnd::Unverifiable { .. }), "{path:?}");
    }

    /// A public store and "Public Issuing CA", signed by its root.
    fn public_intermediate() -> (TrustStore, CertifiedIssuer<'static, KeyPair>) {
        let public_root = root("Public Root");
        let public = store("public", &[public_root.der()]);
        let inter = CertifiedIssuer::signed_by(
            ca_params("Public Issuing CA"),
            KeyPair::generate().expect("key"),
            &public_root,
        )
        .expect("intermediate");
        (public, inter)
    }

    #[test]
    fn a_public_intermediate_sent_along_that_did_not_sign_disowns_the_leaf() {
        let (public, inter) = public_intermediate();
        // The forger names that intermediate as its leaf's issuer and
        // sends the real one along.
        let copycat = root("Public Issuing CA");
        let forged = leaf(&copycat);
        let path = search(&[&forged, inter.der()], &public, &TrustStore::default());
        assert_eq!(path.end, PathEnd::Unknown);
        assert_eq!(path.disowned_by.as_deref(), Some("CN=Public Issuing CA"));
        // A genuine leaf of that intermediate, sent alone: nothing disowns it.
        let genuine = leaf(&inter);
        let path = search(&[&genuine], &public, &TrustStore::default());
        assert_eq!((path.end, path.disowned_by), (PathEnd::Unknown, None));
        // The forger's own root of that name, reaching nothing public, proves nothing.
        let other = root("Public Issuing CA");
        let path = search(&[&forged, other.der()], &public, &TrustStore::default());
        assert_eq!(path.disowned_by, None);
    }

    #[test]
    fn junk_named_like_the_intermediate_cannot_hide_that_it_did_not_sign() {
        let (public, inter) = public_intermediate();
        let forged = leaf(&root("Public Issuing CA"));
        // 60 self-signed certificates of that name and 60 keys first: each a
        // candidate issuer of every other, over the budget.
        let junk: Vec<_> = (0..60).map(|_| root("Public Issuing CA")).collect();
        let mut chain = vec![&forged];
        chain.extend(junk.iter().map(|j| j.der()));
        chain.push(inter.der());
        let path = search(&chain, &public, &TrustStore::default());
        assert_eq!(path.disowned_by.as_deref(), Some("CN=Public Issuing CA"));
    }

    /// A P-521 key for rcgen, which over ring has no P-521: it poses as
    /// P-384 with SHA-384, and every encoding of that (the curve and the
    /// signature algorithm, both of the same length as P-521's and
    /// SHA-512's) is rewritten before signing and in the certificate.
    struct P521Key {
        key: p521::ecdsa::SigningKey,
        point: Vec<u8>,
    }

    impl P521Key {
        fn random() -> P521Key {
            let key = p521::ecdsa::SigningKey::random(&mut p521::elliptic_curve::rand_core::OsRng);
            let point = p521::ecdsa::VerifyingKey::from(&key)
                .to_encoded_point(false)
                .as_bytes()
                .to_vec();
            P521Key { key, point }
        }
    }

    /// secp384r1 → secp521r1, ecdsa-with-SHA384 → ecdsa-with-SHA512.
    fn as_p521(der: &[u8]) -> Vec<u8> {
        let swaps: [(&[u8], u8); 2] = [
            (&[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22], 0x23),
            (
                &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03],
                0x04,
            ),
        ];
        let mut out = der.to_vec();
        for (from, last) in swaps {
            for i in 0..out.len().saturating_sub(from.len() - 1) {
                if out[i..i + from.len()] == *from {
                    out[i + from.len() - 1] = last;
                }
            }
        }
        out
    }

    impl PublicKeyData for P521Key {
        fn der_bytes(&self) -> &[u8] {
            &self.point
        }

        fn algorithm(&self) -> &'static SignatureAlgorithm {
            &PKCS_ECDSA_P384_SHA384
        }
    }

    impl SigningKey for P521Key {
        fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
            use p521::ecdsa::signature::Signer as _;
            let signature: p521::ecdsa::Signature = self.key.sign(&as_p521(msg));
            Ok(signature.to_der().as_bytes().to_vec())
        }
    }

    #[test]
    fn a_p521_root_is_checked_like_any_other_key() {
        let forger =
            CertifiedIssuer::self_signed(ca_params("P-521 Forger Root"), P521Key::random())
                .expect("a P-521 root");
        let forger_der = CertificateDer::from(as_p521(forger.der()));
        let forged = CertificateDer::from(as_p521(&leaf(&forger)));
        let public_root = root("Public Root");
        let public = store("public", &[public_root.der()]);
        let path = search(&[&forged, &forger_der], &public, &TrustStore::default());
        assert_eq!(path.end, PathEnd::Unknown, "forged, not unverifiable");
        assert_eq!(path.certs.len(), 2, "the root signed the leaf: {path:?}");
        let system = store("system", &[&forger_der]);
        let path = search(&[&forged], &public, &system);
        assert!(matches!(path.end, PathEnd::System { .. }), "{path:?}");
        // The signature is checked, not assumed: another P-521 key did not make it.
        let impostor =
            CertifiedIssuer::self_signed(ca_params("P-521 Forger Root"), P521Key::random())
                .expect("a P-521 root");
        let system = store("system", &[&CertificateDer::from(as_p521(impostor.der()))]);
        assert_eq!(search(&[&forged], &public, &system).end, PathEnd::Unknown);
    }
}
