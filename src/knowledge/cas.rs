//! The CA certificates of `pins/certs` with their subjects, read once per
//! knowledge base (with analysis's X.509 parser), for signature path
//! searches.

use super::{CaCertificate, Knowledge};

/// [`Knowledge`]'s CA certificates with their subjects.
pub trait CaCertificates {
    /// Every CA certificate of `pins/certs` with its subject. The subjects
    /// are read once per knowledge base, not once per chain checked.
    fn ca_certificates(&self) -> Vec<CaCertificate<'_>>;
}

impl CaCertificates for Knowledge {
    fn ca_certificates(&self) -> Vec<CaCertificate<'_>> {
        self.ca_certificates_with(crate::analysis::cert::subject_contents)
    }
}
