//! DANGER: a certificate verifier that trusts nothing and accepts everything.
//!
//! [`RecordingVerifier`] lets the handshake continue whatever chain the peer
//! presents, so that the probe can record that chain; it decides no trust.
//! Trust is decided afterwards, by `analysis`, from the recorded chain. The
//! handshake signature is still verified with the leaf's key, so a recorded
//! chain is one whose private key the peer holds.
//!
//! One verifier (and one client configuration) serves every probe of a run;
//! each probe's handshake runs inside [`recording`], which gives the
//! verifier that probe's slot for the chain.

use std::future::Future;
use std::sync::{Arc, Mutex};

use rustls::DigitallySignedStruct;
use rustls::SignatureScheme;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

/// The chain the peer presented, shared between the verifier and the probe.
pub type RecordedChain = Arc<Mutex<Vec<CertificateDer<'static>>>>;

tokio::task_local! {
    /// Where the handshake running in this task records its chain.
    static RECORDING: RecordedChain;
}

/// Runs `handshake` with `slot` as the place its verifier records the
/// chain the peer presents.
pub async fn recording<F: Future>(slot: RecordedChain, handshake: F) -> F::Output {
    RECORDING.scope(slot, handshake).await
}

/// Accepts any server certificate and records the chain (in the slot of the
/// [`recording`] it runs in). Not a trust decision.
#[derive(Debug)]
pub struct RecordingVerifier {
    provider: Arc<CryptoProvider>,
}

impl RecordingVerifier {
    /// A verifier that checks handshake signatures with `provider`.
    pub fn new(provider: Arc<CryptoProvider>) -> Self {
        RecordingVerifier { provider }
    }
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let mut chain = Vec::with_capacity(1 + intermediates.len());
        chain.push(end_entity.clone().into_owned());
        chain.extend(intermediates.iter().map(|c| c.clone().into_owned()));
        // Outside a `recording` there is nowhere to keep it (never the case
        // in the probe, which always runs its handshakes inside one).
        let _ = RECORDING.try_with(|slot| {
            if let Ok(mut slot) = slot.lock() {
                *slot = chain;
            }
        });
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
