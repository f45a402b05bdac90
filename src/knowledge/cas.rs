//! The CA certificates of `pins/certs` with their subjects, read once per
//! knowledge base, for signature path searches and look-alikes.

use super::model::{CaCertificate, Knowledge};

impl Knowledge {
    /// Every CA certificate of `pins/certs` with its subject. The subjects
    /// are read once per knowledge base, not once per chain checked.
    pub fn ca_certificates(&self) -> Vec<CaCertificate<'_>> {
        let subjects = self.ca_subjects.get_or_init(|| {
            self.authorities
                .iter()
                .enumerate()
                .filter_map(|(i, a)| {
                    let der = a.certificate.as_deref()?;
                    let subject = crate::analysis::cert::subject_contents(der)?;
                    Some((i, subject))
                })
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

    /// The names of the CA certificates of `pins/certs` with their keys,
    /// indexed once per knowledge base for look-alikes.
    pub fn ca_names(&self) -> &crate::names::CaNames {
        self.ca_names.get_or_init(|| {
            let mut names = crate::names::CaNames::default();
            for a in &self.authorities {
                let subject = a
                    .certificate
                    .as_deref()
                    .and_then(crate::analysis::cert::subject_contents);
                if let Some(subject) = subject {
                    names.add(&subject, &a.spki_sha256);
                }
            }
            names
        })
    }
}
