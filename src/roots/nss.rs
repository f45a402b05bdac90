//! Browsers' own stores: the NSS databases of Firefox profiles (on Linux
//! and, under `%APPDATA%`, on Windows) and of Chromium on Linux
//! (`~/.pki/nssdb`), read directly from `cert9.db` with SQLite (compiled
//! in): no `certutil` needed on either platform. A database that cannot be
//! read is reported as such, never as empty.
//!
//! `cert9.db` holds PKCS #11 objects in the table `nssPublic`, one row an
//! object, one column an attribute: `a` and the attribute type in hex
//! (`a0` CKA_CLASS, `a3` CKA_LABEL, `a11` CKA_VALUE, `a81` CKA_ISSUER,
//! `a82` CKA_SERIAL_NUMBER, `ace536358` CKA_TRUST_SERVER_AUTH, ...). Whole
//! numbers are stored as 4 bytes, big-endian; an empty value as the marker
//! `a5 00 5a`. A certificate (class CKO_CERTIFICATE) gets its trust from
//! the NSS trust object (class CKO_NSS_TRUST) with the same issuer and
//! serial number; it is a TLS root when that object's server-auth trust is
//! CKT_NSS_TRUSTED_DELEGATOR (`C` in certutil's first trust field). NSS's
//! `lib/util/pkcs11n.h` defines these numbers; `lib/softoken/sdb.c` the
//! table and the encoding.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::{OpenFlags, types::ValueRef};
use rustls_pki_types::CertificateDer;

use super::Scan;

/// CKO_CERTIFICATE.
const CKO_CERTIFICATE: u32 = 0x1;
/// CKO_NSS_TRUST.
const CKO_NSS_TRUST: u32 = 0xCE53_4353;
/// CKT_NSS_TRUSTED: a trusted peer (`P`).
const CKT_NSS_TRUSTED: u32 = 0xCE53_4351;
/// CKT_NSS_TRUSTED_DELEGATOR: a trusted CA (`C`).
const CKT_NSS_TRUSTED_DELEGATOR: u32 = 0xCE53_4352;
/// CKT_NSS_NOT_TRUSTED: distrusted (`p`).
const CKT_NSS_NOT_TRUSTED: u32 = 0xCE53_435A;
/// CKT_NSS_VALID_DELEGATOR: a valid CA, not trusted by itself (`c`).
const CKT_NSS_VALID_DELEGATOR: u32 = 0xCE53_435B;

/// The columns read: class, label, value, issuer, serial, then the trust
/// for server auth, client auth, e-mail and code signing.
const COLUMNS: &str = "a0, a3, a11, a81, a82, ace536358, ace536359, ace53635b, ace53635a";

/// Objects read from one database at most: a profile holds tens.
const MAX_OBJECTS: usize = 100_000;

/// This user's browser databases: under `$HOME` on Unix (see
/// [`find_databases`]); the Firefox profiles under `%APPDATA%` on Windows
/// (Chrome and Edge use the Windows store there).
pub fn browser_databases() -> Vec<(PathBuf, &'static str)> {
    if cfg!(windows) {
        std::env::var_os("APPDATA")
            .map(|d| {
                firefox_profiles(
                    &Path::new(&d)
                        .join("Mozilla")
                        .join("Firefox")
                        .join("Profiles"),
                )
            })
            .unwrap_or_default()
    } else {
        std::env::var_os("HOME")
            .map(|home| find_databases(Path::new(&home)))
            .unwrap_or_default()
    }
}

/// The NSS databases of this user under `home`: Chromium's and every
/// Firefox profile's (regular, snap and flatpak installs).
pub fn find_databases(home: &Path) -> Vec<(PathBuf, &'static str)> {
    let mut out = Vec::new();
    let chromium = home.join(".pki/nssdb");
    if is_db(&chromium) {
        out.push((chromium, "Chromium/Chrome"));
    }
    for profiles in [
        ".mozilla/firefox",
        "snap/firefox/common/.mozilla/firefox",
        ".var/app/org.mozilla.firefox/.mozilla/firefox",
    ] {
        out.extend(firefox_profiles(&home.join(profiles)));
    }
    out
}

/// The Firefox profiles in `dir` (`%APPDATA%\Mozilla\Firefox\Profiles` on
/// Windows, `~/.mozilla/firefox` on Linux), sorted.
pub fn firefox_profiles(dir: &Path) -> Vec<(PathBuf, &'static str)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| is_db(p))
        .collect();
    dirs.sort();
    dirs.into_iter().map(|d| (d, "Firefox")).collect()
}

fn is_db(dir: &Path) -> bool {
    dir.join("cert9.db").is_file() || dir.join("cert8.db").is_file()
}

/// Reads the CA certificates trusted for TLS from each database.
pub fn read(databases: &[(PathBuf, &str)]) -> Scan {
    let mut scan = Scan::default();
    for (dir, owner) in databases {
        let name = format!("NSS database {} ({owner})", dir.display());
        scan.sources.push(name.clone());
        let file = dir.join("cert9.db");
        if !file.is_file() {
            let why = if dir.join("cert8.db").is_file() {
                "only the legacy cert8.db (Berkeley DB) format is there; open the profile in a current Firefox to convert it".to_string()
            } else {
                format!("{} not found", file.display())
            };
            scan.problems.push(format!("{name}: not read: {why}"));
            continue;
        }
        match trusted_for_tls(&file) {
            Ok(found) => {
                for root in found {
                    scan.add(
                        root.der,
                        format!("{name}: \"{}\" (trust {})", root.nickname, root.flags),
                    );
                }
            }
            Err(e) => scan.problems.push(format!("{name}: not read: {e}")),
        }
    }
    scan
}

/// A certificate of an NSS database trusted as a CA for TLS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NssRoot {
    /// The certificate.
    pub der: CertificateDer<'static>,
    /// Its nickname (CKA_LABEL).
    pub nickname: String,
    /// Its trust flags as certutil shows them (`CT,C,C`).
    pub flags: String,
}

/// One row of `nssPublic`, as far as this module reads it.
#[derive(Default)]
struct Object {
    class: Option<u32>,
    label: Option<Vec<u8>>,
    value: Option<Vec<u8>>,
    issuer: Vec<u8>,
    serial: Vec<u8>,
    trust: Levels,
}

/// Trust levels for server auth, client auth, e-mail, code signing.
type Levels = [Option<u32>; 4];

/// The certificates of the database file `db` whose server-auth trust is
/// CKT_NSS_TRUSTED_DELEGATOR, in the order they were stored.
pub fn trusted_for_tls(db: &Path) -> Result<Vec<NssRoot>, String> {
    let objects = objects(db)?;
    let trust: HashMap<(&[u8], &[u8]), &Levels> = objects
        .iter()
        .filter(|o| o.class == Some(CKO_NSS_TRUST))
        .map(|o| ((o.issuer.as_slice(), o.serial.as_slice()), &o.trust))
        .collect();
    let mut out = Vec::new();
    for cert in objects.iter().filter(|o| o.class == Some(CKO_CERTIFICATE)) {
        let Some(levels) = trust.get(&(cert.issuer.as_slice(), cert.serial.as_slice())) else {
            continue;
        };
        let (Some(CKT_NSS_TRUSTED_DELEGATOR), Some(der)) = (levels[0], &cert.value) else {
            continue;
        };
        out.push(NssRoot {
            der: CertificateDer::from(der.clone()),
            nickname: cert
                .label
                .as_deref()
                .map(|l| {
                    String::from_utf8_lossy(l)
                        .trim_end_matches('\0')
                        .to_string()
                })
                .unwrap_or_default(),
            flags: flags(levels),
        });
    }
    Ok(out)
}

/// Every object of `nssPublic` (at most [`MAX_OBJECTS`]), read-only.
fn objects(db: &Path) -> Result<Vec<Object>, String> {
    let conn = rusqlite::Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| format!("{}: {e}", db.display()))?;
    // A browser that is running holds the file; wait for it briefly.
    let _ = conn.busy_timeout(std::time::Duration::from_secs(2));
    let sql = format!("SELECT {COLUMNS} FROM nssPublic");
    let mut statement = conn
        .prepare(&sql)
        .map_err(|e| format!("{}: not an NSS certificate database ({e})", db.display()))?;
    let mut rows = statement
        .query([])
        .map_err(|e| format!("{}: {e}", db.display()))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(|e| format!("{}: {e}", db.display()))? {
        if out.len() == MAX_OBJECTS {
            return Err(format!(
                "{}: more than {MAX_OBJECTS} objects; not an ordinary profile",
                db.display()
            ));
        }
        let blob = |i: usize| -> Option<Vec<u8>> {
            match row.get_ref(i).ok()? {
                ValueRef::Blob(b) | ValueRef::Text(b) if b != EMPTY => Some(b.to_vec()),
                _ => None,
            }
        };
        let ulong = |i: usize| blob(i).and_then(|b| <[u8; 4]>::try_from(b.as_slice()).ok());
        let number = |i: usize| ulong(i).map(u32::from_be_bytes);
        out.push(Object {
            class: number(0),
            label: blob(1),
            value: blob(2),
            issuer: blob(3).unwrap_or_default(),
            serial: blob(4).unwrap_or_default(),
            trust: [number(5), number(6), number(7), number(8)],
        });
    }
    Ok(out)
}

/// How NSS stores an attribute whose value is empty.
const EMPTY: &[u8] = &[0xa5, 0x00, 0x5a];

/// certutil's trust flags (`SSL,S/MIME,JAR/XPI`) from the server-auth,
/// client-auth, e-mail and code-signing trust levels.
fn flags(levels: &Levels) -> String {
    let letter = |level: Option<u32>| match level {
        Some(CKT_NSS_TRUSTED_DELEGATOR) => "C",
        Some(CKT_NSS_TRUSTED) => "P",
        Some(CKT_NSS_VALID_DELEGATOR) => "c",
        Some(CKT_NSS_NOT_TRUSTED) => "p",
        _ => "",
    };
    let client = if levels[1] == Some(CKT_NSS_TRUSTED_DELEGATOR) {
        "T"
    } else {
        ""
    };
    format!(
        "{}{client},{},{}",
        letter(levels[0]),
        letter(levels[2]),
        letter(levels[3])
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trust_levels_read_as_certutil_shows_them() {
        let d = Some(CKT_NSS_TRUSTED_DELEGATOR);
        let must_verify = Some(0xCE53_4353);
        assert_eq!(flags(&[d, d, d, must_verify]), "CT,C,");
        assert_eq!(flags(&[must_verify, must_verify, d, None]), ",C,");
        assert_eq!(
            flags(&[
                Some(CKT_NSS_NOT_TRUSTED),
                None,
                Some(CKT_NSS_TRUSTED),
                Some(CKT_NSS_VALID_DELEGATOR)
            ]),
            "p,P,c"
        );
    }

    #[test]
    fn an_unreadable_database_is_reported_not_silent() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("cert9.db"), b"not a database").unwrap();
        let scan = read(&[(dir.path().to_path_buf(), "Chromium/Chrome")]);
        assert!(scan.roots.is_empty());
        assert!(
            scan.problems[0].contains("(Chromium/Chrome): not read: "),
            "{:?}",
            scan.problems
        );

        let legacy = tempfile::tempdir().unwrap();
        std::fs::write(legacy.path().join("cert8.db"), b"").unwrap();
        let scan = read(&[(legacy.path().to_path_buf(), "Firefox")]);
        assert!(
            scan.problems[0].contains("legacy cert8.db"),
            "{:?}",
            scan.problems
        );
    }

    #[test]
    fn a_database_of_hostile_rows_is_read_without_panicking() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("cert9.db");
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(
            "CREATE TABLE nssPublic (id PRIMARY KEY, a0, a3, a11, a81, a82, ace536358, ace536359, ace53635b, ace53635a);
             INSERT INTO nssPublic VALUES (1, x'00000001', 'text label', x'3000', x'01', x'02', NULL, NULL, NULL, NULL);
             INSERT INTO nssPublic VALUES (2, x'CE534353', NULL, NULL, x'01', x'02', x'CE53435200', 7, 'x', x'a5005a');
             INSERT INTO nssPublic VALUES (3, 12, x'', NULL, NULL, NULL, x'CE534352', NULL, NULL, NULL);",
        )
        .unwrap();
        drop(conn);
        // The trust level is 5 bytes, not 4: no trust, so no root.
        assert_eq!(trusted_for_tls(&db).unwrap(), []);
    }
}
