//! The validated, in-memory form of the knowledge base.

use regex::Regex;
use serde::{Deserialize, Serialize};

/// Everything pinwatch knows, loaded and validated.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Knowledge {
    /// Chat services with their hosts and pinsets, sorted by name.
    pub services: Vec<Service>,
    /// Named CA keys that pins may refer to.
    pub authorities: Vec<Authority>,
    /// Known TLS interception products.
    pub interceptors: Vec<Interceptor>,
    /// Keys of certificates that captive portals are known to present.
    pub portal_keys: Vec<PortalKey>,
    /// Roots Mozilla removed: in an OS store they are version skew.
    pub removed_roots: Vec<RemovedRoot>,
    /// Roots of Microsoft's and Apple's root programs that Mozilla lacks.
    pub platform_roots: Vec<PlatformRoot>,
    /// When this knowledge was issued (its bundle's `issued_at`), seconds
    /// since the epoch; `None` for a pins directory given by hand. Past 70
    /// days, pin mismatches are evidence only (Chrome's rule for its static
    /// pins).
    #[serde(skip)]
    pub issued_at: Option<i64>,
    /// The subjects of the authorities' certificates, found once (see
    /// [`Knowledge::ca_certificates_with`]).
    #[serde(skip)]
    ca_subjects: std::sync::OnceLock<Vec<(usize, Vec<u8>)>>,
    /// What the binary derives from this knowledge and keeps with it, built
    /// once (its look-alike index of the CA names, which needs an X.509
    /// parser this crate does not have).
    #[serde(skip)]
    pub derived: Derived,
}

/// One value of any type, built on first use and kept with the knowledge
/// base it was derived from (clones share it).
#[derive(Clone, Default)]
pub struct Derived(std::sync::OnceLock<std::sync::Arc<dyn std::any::Any + Send + Sync>>);

impl Derived {
    /// The value, built by `init` the first time. `None` only when it was
    /// first built as another type.
    pub fn get_or_init<T: std::any::Any + Send + Sync>(
        &self,
        init: impl FnOnce() -> T,
    ) -> Option<&T> {
        self.0
            .get_or_init(|| std::sync::Arc::new(init()))
            .downcast_ref::<T>()
    }
}

impl std::fmt::Debug for Derived {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() {
            "Derived(built)"
        } else {
            "Derived(empty)"
        })
    }
}

/// A CA certificate from `pins/certs`, with its subject (the DER contents
/// of the Name), so a path search parses only those it may need.
#[derive(Clone, Copy, Debug)]
pub struct CaCertificate<'k> {
    /// The certificate.
    pub der: &'k [u8],
    /// Its subject, DER contents without tag and length.
    pub subject: &'k [u8],
}

/// A root trusted by a platform's root program but not by Mozilla
/// (pins/platform_roots.toml).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PlatformRoot {
    /// Its subject.
    pub subject: String,
    /// SPKI SHA-256, base64.
    pub spki_sha256: String,
    /// `windows`, `macos`.
    pub programs: Vec<String>,
}

impl Knowledge {
    /// Every CA certificate of `pins/certs` with its subject, as
    /// `subject_of` reads it from the DER (the caller's X.509 parser; this
    /// crate parses no certificates). The subjects are read once per
    /// knowledge base, with the first `subject_of` given, not once per
    /// chain checked.
    pub fn ca_certificates_with(
        &self,
        subject_of: impl Fn(&[u8]) -> Option<Vec<u8>>,
    ) -> Vec<CaCertificate<'_>> {
        let subjects = self.ca_subjects.get_or_init(|| {
            self.authorities
                .iter()
                .enumerate()
                .filter_map(|(i, a)| Some((i, subject_of(a.certificate.as_deref()?)?)))
                .collect()
        });
        subjects
            .iter()
            .filter_map(|(i, subject)| {
                let der = self.authorities.get(*i)?.certificate.as_deref()?;
                Some(CaCertificate { der, subject })
            })
            .collect()
    }

    /// The certificates of the known intermediate CAs (`pins/certs`), which
    /// complete the chain of a server that forgets to send its intermediate,
    /// as browsers do with their preloaded intermediates.
    pub fn known_intermediates(&self) -> impl Iterator<Item = &[u8]> {
        self.authorities
            .iter()
            .filter(|a| a.kind == AuthorityKind::Intermediate)
            .filter_map(|a| a.certificate.as_deref())
    }
}

/// A root that Mozilla's store no longer has (pins/root_store_changes.toml).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RemovedRoot {
    /// Its subject.
    pub subject: String,
    /// SPKI SHA-256, base64.
    pub spki_sha256: String,
    /// Why it left, when known.
    pub note: Option<String>,
}

/// A named CA key, shared between services.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Authority {
    /// Stable identifier that pins refer to.
    pub id: String,
    /// Human-readable name (the CA's subject CN).
    pub label: String,
    /// SPKI SHA-256, base64.
    pub spki_sha256: String,
    /// What kind of CA key it is.
    pub kind: AuthorityKind,
    /// Where the hash comes from.
    pub source: String,
    /// The CA certificate (DER) from `pins/certs/<id>.pem`, when the repo
    /// keeps it (every key that is not a webpki-roots root).
    #[serde(skip)]
    pub certificate: Option<Vec<u8>>,
}

/// What kind of CA key an authority is (`kind` in `authorities.toml`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthorityKind {
    /// A root of webpki-roots.
    Root,
    /// A root webpki-roots no longer ships, kept for cross-signed chains.
    LegacyRoot,
    /// An intermediate CA.
    Intermediate,
    /// A service's private CA (its certificate is kept in `pins/certs/`).
    Private,
}

impl AuthorityKind {
    /// The kind `name` stands for (`root`, `legacy_root`, `intermediate`,
    /// `private`).
    pub fn named(name: &str) -> Option<AuthorityKind> {
        match name {
            "root" => Some(AuthorityKind::Root),
            "legacy_root" => Some(AuthorityKind::LegacyRoot),
            "intermediate" => Some(AuthorityKind::Intermediate),
            "private" => Some(AuthorityKind::Private),
            _ => None,
        }
    }
}

/// A chat service: its hosts and the CA keys it is expected to use.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Service {
    /// Stable identifier (`wechat`).
    pub name: String,
    /// Display name in English.
    pub display_name: String,
    /// Display name in Simplified Chinese.
    pub display_name_zh: String,
    /// After this date the pinset is stale: a mismatch only warns.
    pub review_by: time::Date,
    /// Where the pinset comes from.
    pub source: String,
    /// What interception exposes for this service, in English.
    pub exposes: String,
    /// The same in Simplified Chinese.
    pub exposes_zh: String,
    /// What an interceptor can read, as a group the alerts sort services by.
    #[serde(default)]
    pub exposure: Exposure,
    /// Host names covered.
    pub hosts: Vec<HostRule>,
    /// The pinset (empty: no pinning, public validation only).
    pub pins: Vec<Pin>,
    /// File it was loaded from, for messages.
    pub origin: String,
}

/// A host a service covers.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct HostRule {
    /// Lowercase DNS name.
    pub name: String,
    /// Whether subdomains of `name` are covered too.
    pub include_subdomains: bool,
}

/// One key of a pinset.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Pin {
    /// SPKI SHA-256, base64.
    pub spki_sha256: String,
    /// What key this is.
    pub label: String,
    /// The authority it was taken from, when it refers to one.
    pub authority: Option<String>,
    /// A backup pin: a key the service could move to.
    pub backup: bool,
}

/// What an interceptor of a service's TLS can read, as a closed set the
/// alerts group services by (the `exposes` sentence says it in full).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Exposure {
    /// Everything: the messages travel over TLS alone (web chats, AI
    /// assistants, Slack). The default: a service that does not say is
    /// assumed to be readable in full.
    #[default]
    Everything,
    /// The messages use the app's own encryption (end-to-end, or a protocol
    /// of its own such as WeChat's mmtls), but logins, web pages and files
    /// travel over TLS.
    LoginsAndFiles,
    /// Nothing private: the apps refuse an interceptor's certificate, or the
    /// hosts carry no messages; which servers you use is all it learns.
    Metadata,
}

impl Exposure {
    /// The stable string used in pins files and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Exposure::Everything => "everything",
            Exposure::LoginsAndFiles => "logins_and_files",
            Exposure::Metadata => "metadata",
        }
    }
}

/// Kind of interception product.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Antivirus or endpoint security scanning HTTPS.
    Antivirus,
    /// Firewall, secure web gateway or corporate proxy.
    CorporateGateway,
    /// Parental control or internet-café management.
    ParentalControl,
    /// A developer's debugging proxy.
    DebuggingProxy,
    /// Adware or malware.
    AdwareMalware,
    /// A government interception programme.
    Government,
    /// A compromised or misissuing public CA.
    CompromisedCa,
}

impl Category {
    /// Whether products of the category install themselves on the device
    /// (antivirus, parental control, adware): their interception happens
    /// on this device.
    pub fn installs_on_device(self) -> bool {
        matches!(
            self,
            Category::Antivirus | Category::ParentalControl | Category::AdwareMalware
        )
    }

    /// The stable string used in JSON and pins files.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Antivirus => "antivirus",
            Category::CorporateGateway => "corporate_gateway",
            Category::ParentalControl => "parental_control",
            Category::DebuggingProxy => "debugging_proxy",
            Category::AdwareMalware => "adware_malware",
            Category::Government => "government",
            Category::CompromisedCa => "compromised_ca",
        }
    }
}

/// A known interception product.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Interceptor {
    /// Stable identifier.
    pub id: String,
    /// Product name shown to users.
    pub name: String,
    /// What kind of product it is.
    pub category: Category,
    /// Where the match rules come from.
    pub source: String,
    /// What it is and what to do, in English.
    pub advice: String,
    /// The same in Simplified Chinese.
    pub advice_zh: String,
    /// Any rule matching attributes the chain to this product.
    pub rules: Vec<MatchRule>,
}

/// How a certificate is recognised as an interceptor's.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum MatchRule {
    /// A certificate in the chain has this key.
    Spki {
        /// SPKI SHA-256, base64.
        spki_sha256: String,
        /// Subject of the certificate the key belongs to.
        label: String,
    },
    /// A certificate's issuer matches these patterns (all given must match).
    Issuer {
        /// Pattern for the issuer CommonName.
        #[serde(with = "pattern")]
        cn: Option<Regex>,
        /// Pattern for the issuer Organization.
        #[serde(with = "pattern")]
        o: Option<Regex>,
    },
}

/// A key that a captive portal is known to present.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PortalKey {
    /// Which portal.
    pub label: String,
    /// SPKI SHA-256, base64.
    pub spki_sha256: String,
}

impl Knowledge {
    /// The service that covers `host`: an exact host rule wins over a
    /// subdomain rule, and a longer suffix over a shorter one.
    pub fn service_for_host(&self, host: &str) -> Option<&Service> {
        self.services
            .iter()
            .filter_map(|s| s.host_match_len(host).map(|len| (len, s)))
            .max_by_key(|(len, _)| *len)
            .map(|(_, s)| s)
    }

    /// The service called `name` (case-insensitive).
    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(name))
    }

    /// The interception product with this identifier.
    pub fn interceptor(&self, id: &str) -> Option<&Interceptor> {
        self.interceptors.iter().find(|i| i.id == id)
    }

    /// The authority with this identifier.
    pub fn authority(&self, id: &str) -> Option<&Authority> {
        self.authorities.iter().find(|a| a.id == id)
    }
}

impl Service {
    /// How specifically this service covers `host`: `None` if not at all,
    /// otherwise a score where an exact match beats any subdomain match.
    fn host_match_len(&self, host: &str) -> Option<usize> {
        self.hosts
            .iter()
            .filter_map(|rule| {
                if rule.name == host {
                    Some(usize::MAX)
                } else if rule.include_subdomains
                    && host.len() > rule.name.len()
                    && host.ends_with(&rule.name)
                    && host.as_bytes()[host.len() - rule.name.len() - 1] == b'.'
                {
                    Some(rule.name.len())
                } else {
                    None
                }
            })
            .max()
    }

    /// The pinned authorities that may anchor this service's chains although
    /// webpki-roots lacks them: the service's own private CAs (Signal), and
    /// legacy roots Mozilla retired for age (DigiCert Global Root CA) that
    /// the service still chains to. Only those with their certificate.
    pub fn pinned_anchors<'k>(&self, knowledge: &'k Knowledge) -> Vec<&'k Authority> {
        self.pins
            .iter()
            .filter_map(|p| {
                p.authority
                    .as_deref()
                    .and_then(|id| knowledge.authority(id))
            })
            .filter(|a| {
                matches!(a.kind, AuthorityKind::Private | AuthorityKind::LegacyRoot)
                    && a.certificate.is_some()
            })
            .collect()
    }

    /// Whether the pinset is past its review date on `today`.
    pub fn is_stale(&self, today: time::Date) -> bool {
        today > self.review_by
    }
}

/// A regular expression kept as its pattern (for the knowledge prepared at
/// build time).
mod pattern {
    use regex::Regex;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(re: &Option<Regex>, s: S) -> Result<S::Ok, S::Error> {
        match re {
            Some(re) => s.serialize_some(re.as_str()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Regex>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|p| Regex::new(&p).map_err(serde::de::Error::custom))
            .transpose()
    }
}
