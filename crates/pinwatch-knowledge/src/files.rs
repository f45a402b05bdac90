//! Reading the knowledge base from TOML: the on-disk schema, and its
//! validation into [`Knowledge`] with file:line:column errors. Each file is
//! at most [`PINS_FILE`] bytes, and validation is linear in its size.

use std::collections::HashMap;
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

use regex::Regex;
use serde::Deserialize;
use thiserror::Error;
use toml::Spanned;

use crate::is_sha256_base64;
use crate::model::{
    Authority, AuthorityKind, Category, Exposure, HostRule, Interceptor, Knowledge, MatchRule, Pin,
    PlatformRoot, PortalKey, RemovedRoot, Service,
};
use crate::read::{PINS_FILE, ReadError, read_capped_string};
use crate::tomlfile::{TomlError, TomlSource};

/// A knowledge file that could not be read or is wrong.
#[derive(Debug, Error)]
pub enum KnowledgeError {
    /// The file or directory could not be read.
    #[error("{path}: {error}")]
    Io {
        /// What could not be read.
        path: String,
        /// Why.
        error: std::io::Error,
    },
    /// A file that cannot be read, is not a regular file, or is larger than
    /// [`PINS_FILE`].
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The file is not valid TOML, does not fit the schema, or has a bad value.
    #[error(transparent)]
    Syntax(#[from] TomlError),
    /// A pins directory whose files hold more than [`MAX_PINS_DIR`] bytes
    /// in all.
    #[error("{path}: more than {} MiB of pins files in all: not read", MAX_PINS_DIR / (1024 * 1024))]
    DirTooLarge {
        /// The directory.
        path: String,
    },
    /// A required file is missing from a pins directory.
    #[error(
        "{0}: missing (a pins directory needs authorities.toml, interceptors.toml and services/*.toml)"
    )]
    Missing(String),
    /// The knowledge prepared at build time cannot be read (a build problem).
    #[error("built-in pins: {0}")]
    Embedded(String),
    /// A private authority without its certificate in `certs/`.
    #[error(
        "authority `{0}` is private but certs/{0}.pem is missing: a private CA can only be an anchor with its certificate"
    )]
    MissingCertificate(String),
}

/// The most a pins directory's files may hold in all (each file also at
/// most [`PINS_FILE`]); the built-in pins are about 200 KB.
pub const MAX_PINS_DIR: u64 = 64 * 1024 * 1024;

/// Loads a knowledge base from a directory laid out like `pins/`.
pub fn load_dir(dir: &Path) -> Result<Knowledge, KnowledgeError> {
    let io = |path: &Path, error| KnowledgeError::Io {
        path: path.display().to_string(),
        error,
    };
    let mut paths: Vec<PathBuf> = Vec::new();
    for name in [
        "authorities.toml",
        "interceptors.toml",
        "captive_portals.toml",
        "root_store_changes.toml",
        "platform_roots.toml",
    ] {
        let path = dir.join(name);
        if path.exists() {
            paths.push(path);
        } else if name == "authorities.toml" || name == "interceptors.toml" {
            return Err(KnowledgeError::Missing(path.display().to_string()));
        }
    }
    let services = dir.join("services");
    let entries = fs::read_dir(&services).map_err(|e| io(&services, e))?;
    let mut service_paths = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| io(&services, e))?.path();
        if path.extension().is_some_and(|e| e == "toml") {
            service_paths.push(path);
        }
    }
    service_paths.sort();
    paths.extend(service_paths);
    if let Ok(entries) = fs::read_dir(dir.join("certs")) {
        let mut certs: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "pem"))
            .collect();
        certs.sort();
        paths.extend(certs);
    }
    let mut files = Vec::with_capacity(paths.len());
    let mut total = 0u64;
    for path in paths {
        let text = read_capped_string(&path, PINS_FILE)?;
        total += text.len() as u64;
        if total > MAX_PINS_DIR {
            return Err(KnowledgeError::DirTooLarge {
                path: dir.display().to_string(),
            });
        }
        let rel = path
            .strip_prefix(dir)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        files.push((format!("{}/{rel}", dir.display()), text));
    }
    load_files(&files)
}

/// Adds the services in `dir/*.toml` (a user's own, in the config
/// directory) to `base`, replacing built-in services of the same name. Pins
/// may name the built-in authorities. A missing directory adds nothing.
/// Returns the files loaded.
pub fn overlay_services(base: &mut Knowledge, dir: &Path) -> Result<Vec<String>, KnowledgeError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => {
            return Err(KnowledgeError::Io {
                path: dir.display().to_string(),
                error,
            });
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    let authorities: HashMap<&str, &Authority> = base
        .authorities
        .iter()
        .map(|a| (a.id.as_str(), a))
        .collect();
    let mut added = Vec::with_capacity(paths.len());
    for path in &paths {
        let text = read_capped_string(path, PINS_FILE)?;
        added.push(parse_service(
            &path.display().to_string(),
            &text,
            &authorities,
        )?);
    }
    check_unique_services(&added)?;
    let files = added.iter().map(|s| s.origin.clone()).collect();
    for service in added {
        base.services.retain(|s| s.name != service.name);
        base.services.push(service);
    }
    base.services.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(files)
}

/// Loads a knowledge base from `(path, contents)` pairs. Which file is which
/// is decided by its name: `authorities.toml`, `interceptors.toml`,
/// `captive_portals.toml`, and anything under `services/`.
pub fn load_files(files: &[(String, String)]) -> Result<Knowledge, KnowledgeError> {
    let mut knowledge = Knowledge::default();
    let by_name = |name: &str| files.iter().find(|(p, _)| p.ends_with(name));
    let (auth_path, auth_text) = by_name("authorities.toml")
        .ok_or_else(|| KnowledgeError::Missing("authorities.toml".into()))?;
    knowledge.authorities = parse_authorities(auth_path, auth_text)?;
    attach_certificates(&mut knowledge.authorities, files)?;
    let (int_path, int_text) = by_name("interceptors.toml")
        .ok_or_else(|| KnowledgeError::Missing("interceptors.toml".into()))?;
    knowledge.interceptors = parse_interceptors(int_path, int_text)?;
    if let Some((path, text)) = by_name("captive_portals.toml") {
        knowledge.portal_keys = parse_portals(path, text)?;
    }
    if let Some((path, text)) = by_name("root_store_changes.toml") {
        knowledge.removed_roots = parse_removed_roots(path, text)?;
    }
    if let Some((path, text)) = by_name("platform_roots.toml") {
        knowledge.platform_roots = parse_platform_roots(path, text)?;
    }
    let authorities: HashMap<&str, &Authority> = knowledge
        .authorities
        .iter()
        .map(|a| (a.id.as_str(), a))
        .collect();
    let mut services = Vec::new();
    for (path, text) in files.iter().filter(|(p, _)| p.contains("services/")) {
        services.push(parse_service(path, text, &authorities)?);
    }
    check_unique_services(&services)?;
    services.sort_by(|a, b| a.name.cmp(&b.name));
    knowledge.services = services;
    Ok(knowledge)
}

/// A knowledge file being read.
struct Source<'a> {
    toml: TomlSource<'a>,
}

impl Source<'_> {
    fn error(&self, span: Option<Range<usize>>, message: impl Into<String>) -> KnowledgeError {
        KnowledgeError::Syntax(self.toml.error(span, message))
    }

    fn parse<T: for<'de> Deserialize<'de>>(&self) -> Result<T, KnowledgeError> {
        Ok(self.toml.parse()?)
    }

    fn hash(&self, value: &Spanned<String>, field: &str) -> Result<String, KnowledgeError> {
        if is_sha256_base64(value.get_ref()) {
            Ok(value.get_ref().clone())
        } else {
            Err(self.error(
                Some(value.span()),
                format!(
                    "{field}: `{}` is not a base64 SHA-256 (44 characters)",
                    value.get_ref()
                ),
            ))
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuthoritiesFile {
    #[serde(default)]
    authority: Vec<AuthorityEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuthorityEntry {
    id: Spanned<String>,
    label: String,
    spki_sha256: Spanned<String>,
    kind: Spanned<String>,
    source: String,
}

/// Attaches `certs/<id>.pem` (found among `files`, `(path, contents)`
/// pairs) to each authority; a private CA without its certificate is an
/// error (it could not serve as an anchor).
pub fn attach_certificates(
    authorities: &mut [Authority],
    files: &[(String, String)],
) -> Result<(), KnowledgeError> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    for a in authorities.iter_mut() {
        let name = format!("certs/{}.pem", a.id);
        let Some((path, text)) = files.iter().find(|(p, _)| p.ends_with(&name)) else {
            if a.kind == AuthorityKind::Private {
                return Err(KnowledgeError::MissingCertificate(a.id.clone()));
            }
            continue;
        };
        let der = CertificateDer::from_pem_slice(text.as_bytes()).map_err(|e| {
            KnowledgeError::Syntax(TomlError {
                path: path.clone(),
                line: 1,
                column: 1,
                message: format!("not a PEM certificate: {e}"),
            })
        })?;
        a.certificate = Some(der.to_vec());
    }
    Ok(())
}

fn parse_authorities(path: &str, text: &str) -> Result<Vec<Authority>, KnowledgeError> {
    let src = Source {
        toml: TomlSource { path, text },
    };
    let file: AuthoritiesFile = src.parse()?;
    let mut seen = HashMap::new();
    let mut out = Vec::with_capacity(file.authority.len());
    for entry in file.authority {
        let id = entry.id.get_ref().clone();
        if seen.insert(id.clone(), ()).is_some() {
            return Err(src.error(
                Some(entry.id.span()),
                format!("id: duplicate authority `{id}`"),
            ));
        }
        let Some(kind) = AuthorityKind::named(entry.kind.get_ref()) else {
            return Err(src.error(
                Some(entry.kind.span()),
                format!(
                    "kind: `{}` (expected root, legacy_root, intermediate or private)",
                    entry.kind.get_ref()
                ),
            ));
        };
        out.push(Authority {
            spki_sha256: src.hash(&entry.spki_sha256, "spki_sha256")?,
            id,
            label: entry.label,
            kind,
            source: entry.source,
            certificate: None,
        });
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceFile {
    name: Spanned<String>,
    display_name: String,
    display_name_zh: String,
    review_by: Spanned<toml::value::Datetime>,
    source: String,
    exposes: String,
    exposes_zh: String,
    #[serde(default)]
    exposure: Exposure,
    #[serde(default)]
    host: Vec<HostEntry>,
    #[serde(default)]
    pin: Vec<PinEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HostEntry {
    name: Spanned<String>,
    #[serde(default)]
    include_subdomains: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PinEntry {
    authority: Option<Spanned<String>>,
    spki_sha256: Option<Spanned<String>>,
    label: Option<String>,
    #[serde(default)]
    backup: bool,
}

fn parse_service(
    path: &str,
    text: &str,
    authorities: &HashMap<&str, &Authority>,
) -> Result<Service, KnowledgeError> {
    let src = Source {
        toml: TomlSource { path, text },
    };
    let file: ServiceFile = src.parse()?;
    let name = file.name.get_ref();
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(src.error(
            Some(file.name.span()),
            format!("name: `{name}` must be [a-z0-9-]+"),
        ));
    }
    let review_by = match file.review_by.get_ref() {
        toml::value::Datetime {
            date: Some(d),
            time: None,
            offset: None,
        } => time::Month::try_from(d.month)
            .ok()
            .and_then(|m| time::Date::from_calendar_date(i32::from(d.year), m, d.day).ok()),
        _ => None,
    }
    .ok_or_else(|| {
        src.error(
            Some(file.review_by.span()),
            "review_by: expected a date like 2027-05-22",
        )
    })?;
    let mut hosts = Vec::with_capacity(file.host.len());
    let mut seen = std::collections::HashSet::with_capacity(file.host.len());
    for h in &file.host {
        let name = crate::host::normalise(h.name.get_ref())
            .map_err(|e| src.error(Some(h.name.span()), format!("host.name: {e}")))?;
        if !seen.insert(name.clone()) {
            return Err(src.error(
                Some(h.name.span()),
                format!("host.name: duplicate host `{name}`"),
            ));
        }
        hosts.push(HostRule {
            name,
            include_subdomains: h.include_subdomains,
        });
    }
    if hosts.is_empty() {
        return Err(src.error(None, "a service needs at least one [[host]]"));
    }
    let mut pins = Vec::with_capacity(file.pin.len());
    for p in &file.pin {
        pins.push(resolve_pin(&src, p, authorities)?);
    }
    Ok(Service {
        name: file.name.into_inner(),
        display_name: file.display_name,
        display_name_zh: file.display_name_zh,
        review_by,
        source: file.source,
        exposes: file.exposes,
        exposes_zh: file.exposes_zh,
        exposure: file.exposure,
        hosts,
        pins,
        origin: path.to_string(),
    })
}

fn resolve_pin(
    src: &Source<'_>,
    p: &PinEntry,
    authorities: &HashMap<&str, &Authority>,
) -> Result<Pin, KnowledgeError> {
    match (&p.authority, &p.spki_sha256) {
        (Some(id), None) => {
            let a = authorities.get(id.get_ref().as_str()).ok_or_else(|| {
                src.error(
                    Some(id.span()),
                    format!(
                        "pin.authority: unknown authority `{}` (not in authorities.toml)",
                        id.get_ref()
                    ),
                )
            })?;
            Ok(Pin {
                spki_sha256: a.spki_sha256.clone(),
                label: p.label.clone().unwrap_or_else(|| a.label.clone()),
                authority: Some(a.id.clone()),
                backup: p.backup,
            })
        }
        (None, Some(hash)) => Ok(Pin {
            spki_sha256: src.hash(hash, "pin.spki_sha256")?,
            label: p.label.clone().ok_or_else(|| {
                src.error(
                    Some(hash.span()),
                    "pin: an inline spki_sha256 needs a label",
                )
            })?,
            authority: None,
            backup: p.backup,
        }),
        (Some(id), Some(_)) => Err(src.error(
            Some(id.span()),
            "pin: give either authority or spki_sha256, not both",
        )),
        (None, None) => Err(src.error(None, "pin: needs authority or spki_sha256")),
    }
}

fn check_unique_services(services: &[Service]) -> Result<(), KnowledgeError> {
    let mut names: HashMap<&str, &str> = HashMap::new();
    for s in services {
        if let Some(first) = names.insert(&s.name, &s.origin) {
            return Err(KnowledgeError::Syntax(TomlError {
                path: s.origin.clone(),
                line: 1,
                column: 1,
                message: format!("name: service `{}` is already defined in {first}", s.name),
            }));
        }
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InterceptorsFile {
    #[serde(default)]
    interceptor: Vec<InterceptorEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InterceptorEntry {
    id: String,
    name: String,
    category: Category,
    source: String,
    advice: String,
    advice_zh: String,
    #[serde(rename = "match", default)]
    rules: Vec<MatchEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MatchEntry {
    spki_sha256: Option<Spanned<String>>,
    label: Option<String>,
    issuer_cn: Option<Spanned<String>>,
    issuer_o: Option<Spanned<String>>,
}

fn parse_interceptors(path: &str, text: &str) -> Result<Vec<Interceptor>, KnowledgeError> {
    let src = Source {
        toml: TomlSource { path, text },
    };
    let file: InterceptorsFile = src.parse()?;
    let regex =
        |s: &Option<Spanned<String>>, field: &str| -> Result<Option<Regex>, KnowledgeError> {
            s.as_ref()
                .map(|v| {
                    Regex::new(v.get_ref()).map_err(|e| {
                        src.error(Some(v.span()), format!("{field}: invalid pattern: {e}"))
                    })
                })
                .transpose()
        };
    let mut out = Vec::with_capacity(file.interceptor.len());
    for entry in file.interceptor {
        let mut rules = Vec::with_capacity(entry.rules.len());
        for m in &entry.rules {
            let rule = match &m.spki_sha256 {
                Some(hash) => MatchRule::Spki {
                    spki_sha256: src.hash(hash, "match.spki_sha256")?,
                    label: m.label.clone().unwrap_or_default(),
                },
                None => {
                    let (cn, o) = (
                        regex(&m.issuer_cn, "match.issuer_cn")?,
                        regex(&m.issuer_o, "match.issuer_o")?,
                    );
                    if cn.is_none() && o.is_none() {
                        return Err(src.error(None, format!("interceptor `{}`: a match needs spki_sha256, issuer_cn or issuer_o", entry.id)));
                    }
                    MatchRule::Issuer { cn, o }
                }
            };
            rules.push(rule);
        }
        out.push(Interceptor {
            id: entry.id,
            name: entry.name,
            category: entry.category,
            source: entry.source,
            advice: entry.advice,
            advice_zh: entry.advice_zh,
            rules,
        });
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PortalsFile {
    #[serde(default)]
    portal: Vec<PortalEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PortalEntry {
    label: String,
    spki_sha256: Spanned<String>,
}

fn parse_portals(path: &str, text: &str) -> Result<Vec<PortalKey>, KnowledgeError> {
    let src = Source {
        toml: TomlSource { path, text },
    };
    let file: PortalsFile = src.parse()?;
    file.portal
        .into_iter()
        .map(|p| {
            Ok(PortalKey {
                spki_sha256: src.hash(&p.spki_sha256, "spki_sha256")?,
                label: p.label,
            })
        })
        .collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RemovedRootsFile {
    #[serde(default)]
    removed: Vec<RemovedEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RemovedEntry {
    subject: String,
    spki_sha256: Spanned<String>,
    #[allow(dead_code)]
    not_after: toml::value::Datetime,
    #[allow(dead_code)]
    in_webpki_roots_0_25_4: bool,
    note: Option<String>,
}

fn parse_removed_roots(path: &str, text: &str) -> Result<Vec<RemovedRoot>, KnowledgeError> {
    let src = Source {
        toml: TomlSource { path, text },
    };
    let file: RemovedRootsFile = src.parse()?;
    file.removed
        .into_iter()
        .map(|r| {
            Ok(RemovedRoot {
                spki_sha256: src.hash(&r.spki_sha256, "spki_sha256")?,
                subject: r.subject,
                note: r.note,
            })
        })
        .collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlatformRootsFile {
    #[serde(default)]
    root: Vec<PlatformEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlatformEntry {
    subject: String,
    spki_sha256: Spanned<String>,
    programs: Vec<String>,
}

fn parse_platform_roots(path: &str, text: &str) -> Result<Vec<PlatformRoot>, KnowledgeError> {
    let src = Source {
        toml: TomlSource { path, text },
    };
    let file: PlatformRootsFile = src.parse()?;
    file.root
        .into_iter()
        .map(|r| {
            Ok(PlatformRoot {
                spki_sha256: src.hash(&r.spki_sha256, "spki_sha256")?,
                subject: r.subject,
                programs: r.programs,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const AUTH: &str = "[[authority]]\nid = \"r1\"\nlabel = \"Root One\"\nspki_sha256 = \"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\"\nkind = \"root\"\nsource = \"test\"\n";
    const INT: &str = "[[interceptor]]\nid = \"m\"\nname = \"mitmproxy\"\ncategory = \"debugging_proxy\"\nsource = \"s\"\nadvice = \"a\"\nadvice_zh = \"b\"\n[[interceptor.match]]\nissuer_o = \"^mitmproxy$\"\n";

    fn service(body: &str) -> String {
        format!(
            "name = \"chat\"\ndisplay_name = \"Chat\"\ndisplay_name_zh = \"聊天\"\nreview_by = 2027-01-01\nsource = \"s\"\nexposes = \"e\"\nexposes_zh = \"z\"\n{body}"
        )
    }

    fn load(svc: &str) -> Result<Knowledge, KnowledgeError> {
        load_files(&[
            ("p/authorities.toml".into(), AUTH.into()),
            ("p/interceptors.toml".into(), INT.into()),
            ("p/services/chat.toml".into(), svc.into()),
        ])
    }

    #[test]
    fn loads_a_service_with_authority_pins() {
        let k = load(&service("[[host]]\nname = \"Chat.Example\"\ninclude_subdomains = true\n[[pin]]\nauthority = \"r1\"\n")).unwrap();
        let s = k.service_for_host("a.chat.example").unwrap();
        assert_eq!(s.pins[0].label, "Root One");
        assert!(k.service_for_host("xchat.example").is_none());
        assert_eq!(s.review_by.to_string(), "2027-01-01");
    }

    #[test]
    fn names_file_line_and_column_of_errors() {
        let err = load(&service(
            "[[host]]\nname = \"chat.example\"\n[[pin]]\nauthority = \"nope\"\n",
        ))
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "p/services/chat.toml:11:13: pin.authority: unknown authority `nope` (not in authorities.toml)"
        );
        let err = load("name = \"chat\"\nreview_by = \n").unwrap_err();
        assert!(
            err.to_string().starts_with("p/services/chat.toml:2:"),
            "{err}"
        );
        let err = load(&service(
            "[[host]]\nname = \"chat.example\"\n[[pin]]\nspki_sha256 = \"abc\"\nlabel = \"x\"\n",
        ))
        .unwrap_err();
        assert!(
            err.to_string()
                .contains(":11:15: pin.spki_sha256: `abc` is not a base64 SHA-256"),
            "{err}"
        );
        let err = load(&service("[[host]]\nname = \"chat.example\"\ntypo = 1\n")).unwrap_err();
        assert!(
            err.to_string()
                .contains("p/services/chat.toml:10:1: unknown field `typo`"),
            "{err}"
        );
    }

    #[test]
    fn pins_files_and_directories_are_capped() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("services")).unwrap();
        std::fs::write(dir.path().join("authorities.toml"), AUTH).unwrap();
        std::fs::write(dir.path().join("interceptors.toml"), INT).unwrap();
        let sparse = |name: &str, len: u64| {
            std::fs::File::create(dir.path().join("services").join(name))
                .and_then(|f| f.set_len(len))
                .unwrap();
        };
        sparse("a.toml", PINS_FILE.bytes + 1);
        let err = load_dir(dir.path()).unwrap_err().to_string();
        assert!(
            err.ends_with("a.toml: larger than 4 MiB, the limit for a pins file: not read"),
            "{err}"
        );
        sparse("a.toml", PINS_FILE.bytes);
        for i in 0..16 {
            sparse(&format!("s{i:02}.toml"), PINS_FILE.bytes);
        }
        let err = load_dir(dir.path()).unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "{}: more than 64 MiB of pins files in all: not read",
                dir.path().display()
            )
        );
    }
}
