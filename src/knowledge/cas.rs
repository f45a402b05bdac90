//! The CA certificates of `pins/certs` with their subjects, read once per
//! knowledge base, for signature path searches and look-alikes.

use super::{CaCertificate, Knowledge};

/// [`Knowledge`]'s CA certificates with their subjects.
pub trait CaCertificates {
    /// Every CA certificate of `pins/certs` with its subject. The subjects
    /// are read once per knowledge base, not once per chain checked.
    fn ca_certificates(&self) -> Vec<CaCertificate<'_>>;

    /// The names of the CA certificates of `pins/certs` with their keys,
    /// indexed once per knowledge base for look-alikes.
    fn ca_names(&self) -> &crate::names::CaNames;
}

impl CaCertificates for Knowledge {
    fn ca_certificates(&self) -> Vec<CaCertificate<'_>> {
        self.ca_certificates_with(crate::names::subject_contents)
    }

    fn ca_names(&self) -> &crate::names::CaNames {
        let knowledge = self;
        static NONE: std::sync::LazyLock<crate::names::CaNames> =
            std::sync::LazyLock::new(crate::names::CaNames::default);
        knowledge
            .derived
            .get_or_init(|| {
                let mut names = crate::names::CaNames::default();
                for a in &knowledge.authorities {
                    let subject = a
                        .certificate
                        .as_deref()
                        .and_then(crate::names::subject_contents);
                    if let Some(subject) = subject {
                        names.add(&subject, &a.spki_sha256);
                    }
                }
                names
            })
            .unwrap_or(&NONE)
    }
}
