//! The CA certificates of `pins/certs` with their subjects, read once per
//! knowledge base, for signature path searches.

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
}
