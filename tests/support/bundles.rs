//! Knowledge bundles made by the tests: test signing keys (never the
//! project's), bundle trees from a [`PinsSpec`] plus the shipped CT log
//! list, signed bundles, and loopback servers that serve them over HTTP
//! and HTTPS, stream 2 GB of zeros, or stall half-way.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use pinwatch_knowledge::bundle::{Header, Payload, TrustedKey, sign};
use tokio::io::AsyncWriteExt;

use super::pins::PinsSpec;
use super::pki::Leaf;
use super::server::{Log, Server, fixed_acceptor, push, read_head};
use super::{Outcome, World, write_file};

/// A sequence above the built-in knowledge's (pins/bundle.toml says 1).
pub const BASE: u64 = 1000;

/// A minisign key pair of the test's own.
pub struct Signer {
    pair: minisign::KeyPair,
}

impl Signer {
    /// A fresh key pair.
    pub fn new() -> Signer {
        Signer {
            pair: minisign::KeyPair::generate_unencrypted_keypair().expect("a minisign key pair"),
        }
    }

    /// The public key, base64 (a config's `trusted_keys` entry).
    pub fn public(&self) -> String {
        self.pair.pk.to_base64()
    }

    /// The key id, as pinwatch and minisign show it.
    pub fn id(&self) -> String {
        TrustedKey::from_base64(&self.public())
            .expect("a public key")
            .id
            .to_string()
    }

    /// The bundle of `tree` with `header`, signed.
    pub fn bundle(&self, tree: &Path, header: Header) -> Vec<u8> {
        let payload = Payload::from_dir(tree, header).expect("a bundle tree");
        sign(&payload, &self.pair.sk, &self.pair.pk).expect("signing")
    }
}

/// Bundle `sequence`, issued `days_ago` days ago, current for 30 days.
pub fn header(sequence: u64, days_ago: i64) -> Header {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    Header::new(sequence, now - days_ago * 86_400, env!("CARGO_PKG_VERSION"))
}

impl World {
    /// A bundle tree `name` in this world: `spec`'s pins and the shipped
    /// CT log list.
    pub fn bundle_tree(&self, name: &str, spec: &PinsSpec) -> PathBuf {
        let dir = self.path(name);
        spec.write(&dir);
        let list = Path::new(env!("CARGO_MANIFEST_DIR")).join("pins/ct/log_list.json");
        std::fs::create_dir_all(dir.join("ct")).expect("create ct/");
        std::fs::copy(list, dir.join("ct/log_list.json")).expect("copy the CT log list");
        dir
    }

    /// The world's pins, but the test service pins another key than the
    /// test root: its genuine chain is a pin mismatch.
    pub fn mismatching_pins(&self) -> PinsSpec {
        PinsSpec {
            other_pin: Some("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=".into()),
            ..self.pins()
        }
    }

    /// Trusts `signer` for bundles (the user's config's `trusted_keys`).
    pub fn trust(&self, signer: &Signer) {
        let dir = self.path("config/pinwatch");
        std::fs::create_dir_all(&dir).expect("create the config directory");
        write_file(
            &dir.join("config.toml"),
            &format!("trusted_keys = [\"{}\"]\n", signer.public()),
        );
    }

    /// `pinwatch pins update --from FROM --public-roots <test root>` and
    /// `extra` arguments.
    pub fn update(&self, from: &str, extra: &[&str]) -> Outcome {
        let mut run = self
            .run(&["pins", "update", "--from", from, "--public-roots"])
            .arg(self.path("public-roots.pem").display());
        for a in extra {
            run = run.arg(a);
        }
        run.output()
    }

    /// The bundle in the user's store, as stored.
    pub fn stored_bundle(&self) -> Option<Vec<u8>> {
        std::fs::read(self.path("xdg-state/pinwatch/knowledge/knowledge.bundle")).ok()
    }

    /// `pinwatch pins list --format json`'s `knowledge` object.
    pub fn knowledge_in_use(&self) -> serde_json::Value {
        let list = self.run(&["pins", "list", "--format", "json"]).json();
        assert_eq!(list.out.code, 0, "{list:?}");
        list.doc["knowledge"].clone()
    }
}

/// What a bundle server serves; the test may swap it.
pub type Body = Arc<Mutex<Vec<u8>>>;

/// A body holding `bytes`.
pub fn body(bytes: Vec<u8>) -> Body {
    Arc::new(Mutex::new(bytes))
}

async fn answer<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    mut stream: S,
    log: Log,
    body: Body,
) {
    if let Some(head) = read_head(&mut stream).await {
        push(&log, head.lines().next().unwrap_or_default());
        let bytes = body.lock().map(|b| b.clone()).unwrap_or_default();
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            bytes.len()
        );
        let _ = stream.write_all(head.as_bytes()).await;
        let _ = stream.write_all(&bytes).await;
        let _ = stream.shutdown().await;
    }
}

/// A plain-HTTP server answering every GET with `body`.
pub fn http_server(body: Body) -> Server {
    Server::start(move |stream, log| answer(stream, log, body.clone()))
}

/// An HTTPS server presenting `leaf`, answering every GET with `body`.
pub fn https_server(leaf: &Leaf, body: Body) -> Server {
    let acceptor = fixed_acceptor(leaf);
    Server::start(move |stream, log| {
        let (acceptor, body) = (acceptor.clone(), body.clone());
        async move {
            if let Ok(tls) = acceptor.accept(stream).await {
                answer(tls, log, body).await;
            }
        }
    })
}

/// Announces `len` bytes and streams zeros, 64 KiB at a time, until the
/// client goes (never holding more than one chunk).
pub fn zeros_server(len: u64) -> Server {
    Server::start(move |mut stream, log| async move {
        if read_head(&mut stream).await.is_none() {
            return;
        }
        let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {len}\r\n\r\n");
        if stream.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        let chunk = vec![0u8; 64 * 1024];
        let mut sent = 0u64;
        while sent < len {
            if stream.write_all(&chunk).await.is_err() {
                break;
            }
            sent += chunk.len() as u64;
        }
        push(&log, &format!("sent {sent}"));
    })
}

/// Announces all of `bytes`, sends the first `sent`, logs `stalled`, then
/// holds the connection open without another byte.
pub fn stalling_server(bytes: Vec<u8>, sent: usize) -> Server {
    let bytes = Arc::new(bytes);
    Server::start(move |mut stream, log| {
        let bytes = bytes.clone();
        async move {
            if read_head(&mut stream).await.is_none() {
                return;
            }
            let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", bytes.len());
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(&bytes[..sent.min(bytes.len())]).await;
            let _ = stream.flush().await;
            push(&log, "stalled");
            std::future::pending::<()>().await;
        }
    })
}
