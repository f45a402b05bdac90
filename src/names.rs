//! Distinguished names compared the way RFC 5280 compares them, for
//! look-alikes: a CA that copies the name of a public root (or of a CA
//! pinwatch knows) with another key.
//!
//! Two names are the same when they have the same relative distinguished
//! names in the same order, each with the same set of attributes (their
//! order inside an RDN does not matter), and each attribute value is the
//! same after RFC 4518-style string preparation ([`prepare`]): the string
//! type (PrintableString, UTF8String, BMPString, ...) is ignored,
//! compatibility forms are folded (NFKC: full-width letters are letters),
//! letter case is folded, controls and invisible characters are dropped,
//! and runs of white space count as one space, none at either end. So
//! "CN=DigiCert Global Root G2" as a UTF8String, in capitals or with extra
//! spaces is that root's name.
//!
//! [`CaNames`] indexes the names of a set of CAs and answers how much a
//! name borrows from them ([`LookAlike`]): the whole name, its common name
//! alone, or only the organization. The built-in Mozilla names
//! ([`webpki`]) are always one of the sets looked at. This module sits
//! below `analysis` and `roots`, which both use it.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;
use x509_parser::prelude::{FromDer, X509Name};

use crate::util::inert::needs_escape;
use crate::util::sha256_base64;

/// OID 2.5.4.3, commonName (DER contents).
const CN: &[u8] = &[0x55, 0x04, 0x03];
/// OID 2.5.4.10, organizationName (DER contents).
const O: &[u8] = &[0x55, 0x04, 0x0a];

/// A name, prepared for comparison.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Name {
    /// The RDNs in order, each a sorted set of (attribute type OID, prepared value).
    rdns: Vec<Vec<(Vec<u8>, String)>>,
}

impl Name {
    /// Parses the DER of a Name, with or without its SEQUENCE header (webpki
    /// keeps names bare); `None` when it is not a Name.
    pub fn from_der(der: &[u8]) -> Option<Name> {
        let owned;
        let full = match der.first() {
            Some(0x30) => der,
            // Bare contents: a sequence of SETs (or nothing).
            Some(0x31) | None => {
                owned = der_sequence(der);
                &owned
            }
            Some(_) => return None,
        };
        let (rest, name) = X509Name::from_der(full).ok()?;
        if !rest.is_empty() {
            return None;
        }
        Some(Name::of(&name))
    }

    /// The prepared form of a parsed name.
    pub fn of(name: &X509Name<'_>) -> Name {
        let rdns = name
            .iter()
            .map(|rdn| {
                let mut set: Vec<(Vec<u8>, String)> = rdn
                    .iter()
                    .map(|atv| {
                        let value = atv.attr_value();
                        (
                            atv.attr_type().as_bytes().to_vec(),
                            prepare(&decode(value.tag().0, value.data)),
                        )
                    })
                    .collect();
                set.sort();
                set
            })
            .collect();
        Name { rdns }
    }

    /// The prepared value of the first attribute of type `oid`.
    fn first(&self, oid: &[u8]) -> Option<&str> {
        self.rdns
            .iter()
            .flatten()
            .find(|(t, v)| t == oid && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// The prepared common name.
    pub fn common_name(&self) -> Option<&str> {
        self.first(CN)
    }

    /// The prepared organization.
    pub fn organization(&self) -> Option<&str> {
        self.first(O)
    }
}

/// An attribute value as text, whatever its string type: UTF8String,
/// PrintableString, IA5String and the other ASCII types as bytes,
/// BMPString as UTF-16, UniversalString as UTF-32, TeletexString as
/// Latin-1. What does not decode shows as U+FFFD.
fn decode(tag: u32, data: &[u8]) -> String {
    match tag {
        // BMPString
        30 => {
            let units: Vec<u16> = data
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        // UniversalString
        28 => data
            .chunks(4)
            .map(|c| {
                let mut b = [0u8; 4];
                b[..c.len()].copy_from_slice(c);
                char::from_u32(u32::from_be_bytes(b)).unwrap_or('\u{fffd}')
            })
            .collect(),
        // TeletexString (T61): Latin-1 in practice.
        20 => data.iter().map(|&b| char::from(b)).collect(),
        _ => String::from_utf8_lossy(data).into_owned(),
    }
}

/// RFC 4518-style preparation of one attribute value: controls and
/// invisible characters (zero-width spaces, bidirectional controls, soft
/// hyphens, variation selectors) dropped, other white space mapped to a
/// space; NFKC; letter case folded; white space runs collapsed to one
/// space and trimmed.
pub fn prepare(value: &str) -> String {
    let mapped = value.chars().filter_map(|c| {
        if c.is_whitespace() {
            Some(' ')
        } else if needs_escape(c) || matches!(c, '\u{1806}' | '\u{fffc}') {
            None
        } else {
            Some(c)
        }
    });
    let folded: String = mapped
        .nfkc()
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .nfkc()
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `body` inside a DER SEQUENCE header.
pub fn der_sequence(body: &[u8]) -> Vec<u8> {
    let mut der = Vec::with_capacity(body.len() + 4);
    der.push(0x30);
    match body.len() {
        n if n < 0x80 => der.push(n as u8),
        n if n <= 0xff => der.extend([0x81, n as u8]),
        n if n <= 0xffff => der.extend([0x82, (n >> 8) as u8, n as u8]),
        n => der.extend([0x83, (n >> 16) as u8, (n >> 8) as u8, n as u8]),
    }
    der.extend_from_slice(body);
    der
}

/// How much of a CA's name another name borrows.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LookAlike {
    /// Its organization is a CA's (`O=DigiCert Inc`), or its common name is
    /// one that several of a CA's roots share (`CN=GlobalSign`): it may be
    /// a root of that CA pinwatch does not know, or one pretending to be.
    /// Holds the CA's organization (or the shared common name) as written.
    Organization(String),
    /// Its common name is a CA's: it pretends to be that CA. Holds the
    /// CA's whole name, as written.
    CommonName(String),
    /// The whole name is a CA's: it pretends to be that CA. Holds the CA's
    /// name, as written.
    Name(String),
}

impl LookAlike {
    /// Whether it pretends to be a CA (the name or common name), not only
    /// uses its organization's name.
    pub fn impersonates(&self) -> bool {
        !matches!(self, LookAlike::Organization(_))
    }

    /// The CA's name (or organization) it borrows, as the CA writes it.
    pub fn borrowed(&self) -> &str {
        match self {
            LookAlike::Organization(s) | LookAlike::CommonName(s) | LookAlike::Name(s) => s,
        }
    }
}

/// The keys that hold a name, and how the first of them writes it.
#[derive(Clone, Debug, Default)]
struct Holders {
    shown: String,
    keys: HashSet<String>,
}

/// The names of a set of CAs, indexed for look-alikes.
#[derive(Clone, Debug, Default)]
pub struct CaNames {
    names: HashMap<Name, Holders>,
    /// Common name to the whole names that carry it.
    common_names: HashMap<String, Vec<Name>>,
    organizations: HashMap<String, Holders>,
}

impl CaNames {
    /// Adds the CA named by `der` (a Name, with or without its header)
    /// whose key has the SPKI SHA-256 `spki_sha256`. A name that does not
    /// parse is left out.
    pub fn add(&mut self, der: &[u8], spki_sha256: &str) {
        let Some(name) = Name::from_der(der) else {
            return;
        };
        let shown = || displayed(der);
        if let Some(o) = name.organization() {
            let holders = self.organizations.entry(o.to_string()).or_default();
            if holders.shown.is_empty() {
                holders.shown = organization_as_written(der).unwrap_or_default();
            }
            holders.keys.insert(spki_sha256.to_string());
        }
        if let Some(cn) = name.common_name() {
            let names = self.common_names.entry(cn.to_string()).or_default();
            if !names.contains(&name) {
                names.push(name.clone());
            }
        }
        let holders = self.names.entry(name).or_default();
        if holders.shown.is_empty() {
            holders.shown = shown();
        }
        holders.keys.insert(spki_sha256.to_string());
    }

    /// How much `name` borrows from these CAs, when the key that holds it
    /// (`key`, SPKI SHA-256, if known) is not theirs: the whole name, the
    /// common name, or the organization. `None` for a name of its own, or
    /// for the CA's own key.
    pub fn look_alike(&self, name: &Name, key: Option<&str>) -> Option<LookAlike> {
        let theirs = |h: &Holders| key.is_some_and(|k| h.keys.contains(k));
        if let Some(h) = self.names.get(name) {
            return (!theirs(h)).then(|| LookAlike::Name(h.shown.clone()));
        }
        if let Some(cn) = name.common_name() {
            match self.common_names.get(cn).map(Vec::as_slice) {
                Some([one]) => {
                    let h = self.names.get(one)?;
                    if !theirs(h) {
                        return Some(LookAlike::CommonName(h.shown.clone()));
                    }
                }
                // Several of a CA's names share it (GlobalSign): a newer
                // root of that CA is as likely as a look-alike.
                Some(several @ [first, ..])
                    if !several
                        .iter()
                        .any(|n| self.names.get(n).is_some_and(theirs)) =>
                {
                    let shown = self.names.get(first).map(|h| h.shown.as_str());
                    let cn = shown.and_then(common_name_as_written);
                    return cn.map(|cn| LookAlike::Organization(cn.to_string()));
                }
                _ => {}
            }
        }
        let o = name.organization()?;
        let h = self.organizations.get(o)?;
        (!theirs(h)).then(|| LookAlike::Organization(h.shown.clone()))
    }
}

/// The strongest look-alike of `name` among several sets of CA names.
pub fn look_alike_among(sets: &[&CaNames], name: &Name, key: Option<&str>) -> Option<LookAlike> {
    sets.iter().filter_map(|s| s.look_alike(name, key)).max()
}

/// The names of Mozilla's root store as built into pinwatch
/// (webpki-roots), indexed once: looked at whatever store a check was
/// given.
pub fn webpki() -> &'static CaNames {
    static NAMES: OnceLock<CaNames> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names = CaNames::default();
        for anchor in webpki_roots::TLS_SERVER_ROOTS {
            let spki = der_sequence(anchor.subject_public_key_info.as_ref());
            names.add(anchor.subject.as_ref(), &sha256_base64(&spki));
        }
        names
    })
}

/// A name as x509-parser writes it (`C=US, O=DigiCert Inc, CN=...`).
fn displayed(der: &[u8]) -> String {
    let full = match der.first() {
        Some(0x30) => der.to_vec(),
        _ => der_sequence(der),
    };
    X509Name::from_der(&full)
        .map(|(_, n)| n.to_string())
        .unwrap_or_default()
}

fn organization_as_written(der: &[u8]) -> Option<String> {
    let full = match der.first() {
        Some(0x30) => der.to_vec(),
        _ => der_sequence(der),
    };
    let (_, name) = X509Name::from_der(&full).ok()?;
    let o = name.iter_organization().next()?;
    let value = o.attr_value();
    Some(decode(value.tag().0, value.data))
}

fn common_name_as_written(shown: &str) -> Option<&str> {
    shown.split(", ").find_map(|p| p.strip_prefix("CN="))
}

/// The contents of a DER SEQUENCE (a Name with its header), or the input
/// unchanged when it has no well-formed header (webpki keeps names bare).
pub fn der_contents(der: &[u8]) -> &[u8] {
    let Some((&0x30, rest)) = der.split_first() else {
        return der;
    };
    let Some((&first, rest)) = rest.split_first() else {
        return der;
    };
    let (len, rest) = match first {
        n if n < 0x80 => (usize::from(n), rest),
        0x81..=0x83 => {
            let k = usize::from(first - 0x80);
            if rest.len() < k {
                return der;
            }
            let len = rest[..k]
                .iter()
                .fold(0usize, |acc, b| acc << 8 | usize::from(*b));
            (len, &rest[k..])
        }
        _ => return der,
    };
    if rest.len() == len { rest } else { der }
}

/// The subject of the certificate `der` as the DER contents of its Name
/// (no tag and length), or `None` when `der` is not a certificate: how the
/// CA certificates pinwatch knows are indexed by name.
pub fn subject_contents(der: &[u8]) -> Option<Vec<u8>> {
    let (_, cert) = x509_parser::prelude::X509Certificate::from_der(der).ok()?;
    Some(der_contents(cert.subject().as_raw()).to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Name of (OID, string tag, value) attributes, one per RDN.
    fn name(attrs: &[(&[u8], u8, &[u8])]) -> Vec<u8> {
        let mut body = Vec::new();
        for (oid, tag, value) in attrs {
            let mut atv = vec![0x06, oid.len() as u8];
            atv.extend_from_slice(oid);
            atv.extend([*tag, value.len() as u8]);
            atv.extend_from_slice(value);
            let mut seq = der_sequence(&atv);
            let mut set = vec![0x31, seq.len() as u8];
            set.append(&mut seq);
            body.extend(set);
        }
        der_sequence(&body)
    }

    const C: &[u8] = &[0x55, 0x04, 0x06];
    const OU: &[u8] = &[0x55, 0x04, 0x0b];
    const PRINTABLE: u8 = 0x13;
    const UTF8: u8 = 0x0c;
    const BMP: u8 = 0x1e;

    fn digicert(tag: u8, cn: &str) -> Vec<u8> {
        name(&[
            (C, PRINTABLE, b"US"),
            (O, tag, b"DigiCert Inc"),
            (OU, tag, b"www.digicert.com"),
            (CN, tag, cn.as_bytes()),
        ])
    }

    fn utf16(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_be_bytes).collect()
    }

    #[test]
    fn string_type_case_and_spaces_do_not_matter() {
        let real = Name::from_der(&digicert(PRINTABLE, "DigiCert Global Root G2")).unwrap();
        for other in [
            digicert(UTF8, "DigiCert Global Root G2"),
            digicert(UTF8, "DIGICERT global ROOT g2"),
            digicert(UTF8, "  DigiCert   Global\tRoot G2 "),
            digicert(UTF8, "Digi\u{200b}Cert Global Root G2"),
            digicert(UTF8, "ＤｉｇｉＣｅｒｔ Global Root G2"),
        ] {
            assert_eq!(Name::from_der(&other).unwrap(), real);
        }
        let bmp = name(&[
            (C, PRINTABLE, b"US"),
            (O, BMP, &utf16("DigiCert Inc")),
            (OU, BMP, &utf16("www.digicert.com")),
            (CN, BMP, &utf16("DigiCert Global Root G2")),
        ]);
        assert_eq!(Name::from_der(&bmp).unwrap(), real);
        let other = Name::from_der(&digicert(UTF8, "DigiCert Global Root G3")).unwrap();
        assert_ne!(other, real);
        // Bare contents (as webpki keeps names) are the same name.
        let full = digicert(PRINTABLE, "DigiCert Global Root G2");
        let header = 2 + usize::from(full[1].saturating_sub(0x80));
        assert_eq!(Name::from_der(&full[header..]).unwrap(), real);
    }

    #[test]
    fn attribute_order_counts_between_rdns_not_inside_one() {
        let atv = |oid: &[u8], value: &[u8]| {
            let mut atv = vec![0x06, oid.len() as u8];
            atv.extend_from_slice(oid);
            atv.extend([UTF8, value.len() as u8]);
            atv.extend_from_slice(value);
            der_sequence(&atv)
        };
        let set = |members: &[Vec<u8>]| {
            let body: Vec<u8> = members.concat();
            let mut set = vec![0x31, body.len() as u8];
            set.extend(body);
            set
        };
        let (cn, o) = (atv(CN, b"Root"), atv(O, b"Org"));
        let one_rdn = |members: &[Vec<u8>]| Name::from_der(&der_sequence(&set(members)));
        assert_eq!(
            one_rdn(&[cn.clone(), o.clone()]),
            one_rdn(&[o.clone(), cn.clone()])
        );
        let two_rdns = |a: &[u8], b: &[u8]| {
            Name::from_der(&der_sequence(
                &[set(&[a.to_vec()]), set(&[b.to_vec()])].concat(),
            ))
        };
        assert_ne!(two_rdns(&cn, &o), two_rdns(&o, &cn));
        assert!(two_rdns(&cn, &o).is_some());
    }

    #[test]
    fn mozilla_names_are_found_in_any_encoding_and_by_part() {
        let webpki = webpki();
        let look = |der: &[u8]| webpki.look_alike(&Name::from_der(der).unwrap(), Some("other"));
        let g2 = "C=US, O=DigiCert Inc, OU=www.digicert.com, CN=DigiCert Global Root G2";
        assert_eq!(
            look(&digicert(UTF8, "digicert global root g2")),
            Some(LookAlike::Name(g2.into()))
        );
        assert_eq!(
            look(&name(&[(CN, UTF8, b"DigiCert  Global Root G2")])),
            Some(LookAlike::CommonName(g2.into()))
        );
        assert_eq!(
            look(&name(&[
                (O, UTF8, b"digicert inc"),
                (CN, UTF8, b"Corp Proxy CA")
            ])),
            Some(LookAlike::Organization("DigiCert Inc".into()))
        );
        // GlobalSign's roots share their common name: a weaker match.
        assert!(matches!(
            look(&name(&[(CN, UTF8, b"GlobalSign")])),
            Some(LookAlike::Organization(_))
        ));
        assert_eq!(look(&name(&[(CN, UTF8, b"mitmproxy")])), None);
        // The CA's own key is not a look-alike.
        let real = Name::from_der(&digicert(PRINTABLE, "DigiCert Global Root G2")).unwrap();
        let holder = &webpki.names[&real];
        let key = holder.keys.iter().next().map(String::as_str);
        assert_eq!(webpki.look_alike(&real, key), None);
    }
}
