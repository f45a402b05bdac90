//! Browsers' own stores on Linux: the NSS databases of Firefox profiles and
//! of Chromium (`~/.pki/nssdb`), read with `certutil` from libnss3-tools.
//! A database that cannot be read is reported as such, never as empty.

use std::path::{Path, PathBuf};
use std::process::Command;

use rustls_pki_types::CertificateDer;

use super::Scan;

/// The NSS databases of this user: Chromium's and every Firefox profile's
/// (regular, snap and flatpak installs).
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
        let Ok(entries) = std::fs::read_dir(home.join(profiles)) else {
            continue;
        };
        let mut dirs: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| is_db(p))
            .collect();
        dirs.sort();
        out.extend(dirs.into_iter().map(|d| (d, "Firefox")));
    }
    out
}

fn is_db(dir: &Path) -> bool {
    dir.join("cert9.db").is_file() || dir.join("cert8.db").is_file()
}

/// Reads the CA certificates trusted for TLS from each database.
pub fn read(databases: &[(PathBuf, &str)], certutil: &Path) -> Scan {
    let mut scan = Scan::default();
    for (dir, owner) in databases {
        let name = format!("NSS database {} ({owner})", dir.display());
        scan.sources.push(name.clone());
        let prefix = if dir.join("cert9.db").is_file() {
            "sql:"
        } else {
            "dbm:"
        };
        let db = format!("{prefix}{}", dir.display());
        let listing = match Command::new(certutil).args(["-L", "-d", &db]).output() {
            Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).into_owned(),
            Ok(out) => {
                scan.problems.push(format!(
                    "{name}: not read: certutil failed: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
                continue;
            }
            Err(e) => {
                scan.problems.push(format!(
                    "{name}: not read: cannot run {} ({e}); install libnss3-tools to audit browser stores",
                    certutil.display()
                ));
                continue;
            }
        };
        for nickname in trusted_for_tls(&listing) {
            match Command::new(certutil)
                .args(["-L", "-d", &db, "-n", &nickname, "-r"])
                .output()
            {
                Ok(out) if out.status.success() && !out.stdout.is_empty() => {
                    scan.add(
                        CertificateDer::from(out.stdout),
                        format!("{name}: \"{nickname}\""),
                    );
                }
                Ok(out) => scan.problems.push(format!(
                    "{name}: \"{nickname}\": not read: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                )),
                Err(e) => scan
                    .problems
                    .push(format!("{name}: \"{nickname}\": not read: {e}")),
            }
        }
    }
    scan
}

/// The nicknames `certutil -L` lists as trusted CAs for TLS (`C` in the
/// first trust field: "CT,C,C", "C,,").
pub fn trusted_for_tls(listing: &str) -> Vec<String> {
    listing
        .lines()
        .filter_map(|line| {
            let line = line.trim_end();
            let (name, trust) = line.rsplit_once(char::is_whitespace)?;
            let ssl = trust.split(',').next()?;
            let is_trust = trust.matches(',').count() == 2
                && trust.chars().all(|c| c.is_ascii_alphabetic() || c == ',');
            (is_trust && ssl.contains('C') && !name.trim().is_empty())
                .then(|| name.trim().to_string())
        })
        .collect()
}

/// `certutil` on the PATH, if any.
pub fn find_certutil() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("certutil"))
        .find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_tls_trusted_cas_from_a_listing() {
        let listing = "\nCertificate Nickname                                         Trust Attributes\n                                                             SSL,S/MIME,JAR/XPI\n\nCorp Interception Root                                       CT,C,C\nsome intermediate                                            ,,\nmail only                                                    ,C,\nmitmproxy                                                    C,,\n";
        assert_eq!(
            trusted_for_tls(listing),
            ["Corp Interception Root", "mitmproxy"]
        );
    }

    #[test]
    fn a_missing_certutil_is_reported_not_silent() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("cert9.db"), b"").unwrap();
        let scan = read(
            &[(dir.path().to_path_buf(), "Chromium/Chrome")],
            Path::new("/nonexistent/certutil"),
        );
        assert!(scan.roots.is_empty());
        assert!(
            scan.problems[0].contains("not read: cannot run /nonexistent/certutil"),
            "{:?}",
            scan.problems
        );
    }
}
