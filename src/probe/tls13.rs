//! Just enough TLS 1.3 to read a server's Certificate message, for the
//! fallback probe when a server speaks only TLS 1.3 (whose Certificate is
//! encrypted): X25519 and P-256 key shares, and one share of the group a
//! HelloRetryRequest asks for (X25519, P-256 or P-384, the groups ring
//! agrees on), the RFC 8446 key schedule up to the server's handshake
//! traffic key (HKDF, with ring; after a HelloRetryRequest, over the
//! transcript that starts with the synthetic `message_hash`), and the
//! records opened with AES-GCM or ChaCha20-Poly1305 (ring). Nothing is
//! verified and no key of the client's side is derived: the probe only
//! reads what the server sends before its Finished, then hangs up.

use ring::{aead, agreement, digest, hkdf, rand};

/// x25519, secp256r1, secp384r1 (RFC 8446, 4.2.7).
const X25519: u16 = 0x001d;
const SECP256R1: u16 = 0x0017;
const SECP384R1: u16 = 0x0018;

/// The groups offered in supported_groups: those ring agrees on. The first
/// ClientHello carries a share of the first two; a HelloRetryRequest may
/// ask for any of them.
pub const GROUPS: &[u16] = &[X25519, SECP256R1, SECP384R1];

/// The handshake type of the synthetic message that replaces the first
/// ClientHello in the transcript after a HelloRetryRequest (RFC 8446,
/// 4.4.1).
const MESSAGE_HASH: u8 = 254;

/// The random of a HelloRetryRequest (RFC 8446, 4.1.3).
const RETRY_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// TLS 1.3's cipher suites.
pub const CIPHER_SUITES: &[u16] = &[0x1301, 0x1302, 0x1303];

/// ring's key agreement for a group, if it has one.
fn algorithm(group: u16) -> Option<&'static agreement::Algorithm> {
    match group {
        X25519 => Some(&agreement::X25519),
        SECP256R1 => Some(&agreement::ECDH_P256),
        SECP384R1 => Some(&agreement::ECDH_P384),
        _ => None,
    }
}

/// One ephemeral key of the client's.
struct Share {
    group: u16,
    private: agreement::EphemeralPrivateKey,
    public: Vec<u8>,
}

/// The client's ephemeral keys, one per group offered.
pub struct KeyShares {
    shares: Vec<Share>,
}

impl KeyShares {
    /// Fresh keys for the first ClientHello: X25519 and P-256.
    pub fn new() -> Result<KeyShares, String> {
        KeyShares::of(&GROUPS[..2])
    }

    /// A fresh key for the group a HelloRetryRequest asked for; an error
    /// when it is not one that was offered.
    pub fn retry(group: u16) -> Result<KeyShares, String> {
        if !GROUPS.contains(&group) {
            return Err(format!(
                "the server asked for key exchange group 0x{group:04x}, which was not offered"
            ));
        }
        KeyShares::of(&[group])
    }

    fn of(groups: &[u16]) -> Result<KeyShares, String> {
        let rng = rand::SystemRandom::new();
        let shares = groups
            .iter()
            .map(|&group| {
                let alg = algorithm(group)
                    .ok_or_else(|| format!("no key agreement for group 0x{group:04x}"))?;
                let private = agreement::EphemeralPrivateKey::generate(alg, &rng)
                    .map_err(|_| "no randomness for a key share".to_string())?;
                let public = private
                    .compute_public_key()
                    .map_err(|_| "a key share".to_string())?
                    .as_ref()
                    .to_vec();
                Ok(Share {
                    group,
                    private,
                    public,
                })
            })
            .collect::<Result<Vec<Share>, String>>()?;
        Ok(KeyShares { shares })
    }

    /// The key_share extension's data (RFC 8446, 4.2.8).
    pub fn extension(&self) -> Vec<u8> {
        let mut shares = Vec::new();
        for share in &self.shares {
            shares.extend_from_slice(&share.group.to_be_bytes());
            shares.extend_from_slice(&(share.public.len() as u16).to_be_bytes());
            shares.extend_from_slice(&share.public);
        }
        let mut out = (shares.len() as u16).to_be_bytes().to_vec();
        out.extend(shares);
        out
    }
}

/// The transcript after a HelloRetryRequest begins with this in place of
/// the first ClientHello (`first_hello`, the handshake message): a
/// synthetic `message_hash` message holding its hash, by the hash of the
/// cipher suite the HelloRetryRequest chose (RFC 8446, 4.4.1).
pub fn synthetic_transcript(suite: u16, first_hello: &[u8]) -> Result<Vec<u8>, String> {
    let (_, hash, _) = suite_algorithms(suite)?;
    let hashed = digest::digest(hash, first_hello);
    let mut out = vec![MESSAGE_HASH, 0, 0, hash.output_len() as u8];
    out.extend_from_slice(hashed.as_ref());
    Ok(out)
}

/// The HKDF, the hash and the record cipher of a TLS 1.3 cipher suite.
fn suite_algorithms(
    suite: u16,
) -> Result<
    (
        hkdf::Algorithm,
        &'static digest::Algorithm,
        &'static aead::Algorithm,
    ),
    String,
> {
    match suite {
        0x1301 => Ok((hkdf::HKDF_SHA256, &digest::SHA256, &aead::AES_128_GCM)),
        0x1302 => Ok((hkdf::HKDF_SHA384, &digest::SHA384, &aead::AES_256_GCM)),
        0x1303 => Ok((hkdf::HKDF_SHA256, &digest::SHA256, &aead::CHACHA20_POLY1305)),
        other => Err(format!("the server chose cipher suite 0x{other:04x}")),
    }
}

/// What a ServerHello says, for TLS 1.3.
#[derive(Debug, PartialEq, Eq)]
pub struct ServerHello {
    /// The cipher suite chosen.
    pub suite: u16,
    /// Whether supported_versions says TLS 1.3.
    pub tls13: bool,
    /// Whether it is a HelloRetryRequest.
    pub retry: bool,
    /// The server's key share (group, key).
    pub share: Option<(u16, Vec<u8>)>,
    /// A HelloRetryRequest's: the group it asks a key share of.
    pub retry_group: Option<u16>,
    /// A HelloRetryRequest's cookie extension, its data as sent, to be
    /// echoed in the second ClientHello.
    pub cookie: Option<Vec<u8>>,
}

/// Parses a ServerHello's body; `None` when it is malformed.
pub fn parse_server_hello(body: &[u8]) -> Option<ServerHello> {
    let random = body.get(2..34)?;
    let sid = usize::from(*body.get(34)?);
    let mut at = 35 + sid;
    let suite = u16::from_be_bytes([*body.get(at)?, *body.get(at + 1)?]);
    at += 3; // suite, compression
    let mut hello = ServerHello {
        suite,
        tls13: false,
        retry: random == RETRY_RANDOM,
        share: None,
        retry_group: None,
        cookie: None,
    };
    let Some(len) = body.get(at..at + 2) else {
        return Some(hello);
    };
    let end = (at + 2 + usize::from(u16::from_be_bytes([len[0], len[1]]))).min(body.len());
    at += 2;
    while at + 4 <= end {
        let kind = u16::from_be_bytes([body[at], body[at + 1]]);
        let len = usize::from(u16::from_be_bytes([body[at + 2], body[at + 3]]));
        let data = body.get(at + 4..at + 4 + len)?;
        match kind {
            0x002b => hello.tls13 = data == [3, 4],
            // A HelloRetryRequest's key_share names only the group.
            0x0033 if hello.retry && data.len() == 2 => {
                hello.retry_group = Some(u16::from_be_bytes([data[0], data[1]]));
            }
            0x002c if hello.retry => hello.cookie = Some(data.to_vec()),
            0x0033 if data.len() >= 4 => {
                let group = u16::from_be_bytes([data[0], data[1]]);
                let key_len = usize::from(u16::from_be_bytes([data[2], data[3]]));
                hello.share = Some((group, data.get(4..4 + key_len)?.to_vec()));
            }
            _ => {}
        }
        at += 4 + len;
    }
    Some(hello)
}

/// Opens the server's encrypted handshake records.
pub struct Decrypter {
    key: aead::LessSafeKey,
    iv: [u8; 12],
    sequence: u64,
}

impl Decrypter {
    /// The server's handshake traffic key for `hello`, after a
    /// `transcript` of ClientHello and ServerHello (the handshake
    /// messages, headers included).
    pub fn new(shares: KeyShares, hello: &ServerHello, transcript: &[u8]) -> Result<Self, String> {
        let (kdf, hash, cipher) = suite_algorithms(hello.suite)?;
        let (group, peer) = hello
            .share
            .as_ref()
            .ok_or_else(|| "the server sent no key share".to_string())?;
        let share = shares
            .shares
            .into_iter()
            .find(|s| s.group == *group)
            .ok_or_else(|| {
                format!("the server chose group 0x{group:04x}, which was not offered")
            })?;
        let alg = algorithm(share.group)
            .ok_or_else(|| format!("the server chose group 0x{group:04x}"))?;
        let shared = agreement::agree_ephemeral(
            share.private,
            &agreement::UnparsedPublicKey::new(alg, peer),
            |secret| secret.to_vec(),
        )
        .map_err(|_| "the server's key share is not a valid key".to_string())?;
        let zeros = vec![0u8; hash.output_len()];
        let early = hkdf::Salt::new(kdf, &zeros).extract(&zeros);
        let empty = digest::digest(hash, b"");
        let derived = expand_label(&early, b"derived", empty.as_ref(), hash.output_len())?;
        let handshake = hkdf::Salt::new(kdf, &derived).extract(&shared);
        let hashed = digest::digest(hash, transcript);
        let server = expand_label(
            &handshake,
            b"s hs traffic",
            hashed.as_ref(),
            hash.output_len(),
        )?;
        let server = hkdf::Prk::new_less_safe(kdf, &server);
        let key = expand_label(&server, b"key", b"", cipher.key_len())?;
        let iv = expand_label(&server, b"iv", b"", 12)?;
        let key = aead::UnboundKey::new(cipher, &key).map_err(|_| "a traffic key".to_string())?;
        let mut fixed = [0u8; 12];
        fixed.copy_from_slice(&iv);
        Ok(Decrypter {
            key: aead::LessSafeKey::new(key),
            iv: fixed,
            sequence: 0,
        })
    }

    /// Opens one record (`header` is its 5 bytes, the additional data):
    /// the inner content type and the plaintext.
    pub fn open(
        &mut self,
        header: &[u8; 5],
        mut payload: Vec<u8>,
    ) -> Result<(u8, Vec<u8>), String> {
        let mut nonce = self.iv;
        for (n, s) in nonce[4..].iter_mut().zip(self.sequence.to_be_bytes()) {
            *n ^= s;
        }
        self.sequence += 1;
        let plain = self
            .key
            .open_in_place(
                aead::Nonce::assume_unique_for_key(nonce),
                aead::Aad::from(*header),
                &mut payload,
            )
            .map_err(|_| "a record that does not decrypt".to_string())?;
        let end = plain
            .iter()
            .rposition(|&b| b != 0)
            .ok_or_else(|| "an empty record".to_string())?;
        let kind = plain[end];
        let len = end;
        payload.truncate(len);
        Ok((kind, payload))
    }
}

/// The output length for ring's HKDF.
struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

/// HKDF-Expand-Label (RFC 8446, 7.1).
fn expand_label(
    secret: &hkdf::Prk,
    label: &[u8],
    context: &[u8],
    len: usize,
) -> Result<Vec<u8>, String> {
    let length = (len as u16).to_be_bytes();
    let label_len = [(6 + label.len()) as u8];
    let context_len = [context.len() as u8];
    let info: [&[u8]; 6] = [&length, &label_len, b"tls13 ", label, &context_len, context];
    let mut out = vec![0u8; len];
    secret
        .expand(&info, Len(len))
        .and_then(|okm| okm.fill(&mut out))
        .map_err(|_| "the key schedule".to_string())?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8448, 3 (Simple 1-RTT Handshake): the server's handshake
    /// traffic key and IV from the handshake secret and the transcript
    /// hash the RFC gives.
    #[test]
    fn the_key_schedule_matches_rfc_8448() {
        let hex = |s: &str| -> Vec<u8> {
            let s: String = s.split_whitespace().collect();
            (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
                .collect()
        };
        let zeros = [0u8; 32];
        let early = hkdf::Salt::new(hkdf::HKDF_SHA256, &zeros).extract(&zeros);
        let empty = digest::digest(&digest::SHA256, b"");
        let derived = expand_label(&early, b"derived", empty.as_ref(), 32).expect("expand");
        assert_eq!(
            derived,
            hex(
                "6f 26 15 a1 08 c7 02 c5 67 8f 54 fc 9d ba b6 97 16 c0 76 18 9c 48 25 0c eb ea c3 57 6c 36 11 ba"
            )
        );
        let shared = hex(
            "8b d4 05 4f b5 5b 9d 63 fd fb ac f9 f0 4b 9f 0d 35 e6 d6 3f 53 75 63 ef d4 62 72 90 0f 89 49 2d",
        );
        let handshake = hkdf::Salt::new(hkdf::HKDF_SHA256, &derived).extract(&shared);
        let transcript = hex(
            "86 0c 06 ed c0 78 58 ee 8e 78 f0 e7 42 8c 58 ed d6 b4 3f 2c a3 e6 e9 5f 02 ed 06 3c f0 e1 ca d8",
        );
        let server = expand_label(&handshake, b"s hs traffic", &transcript, 32).expect("expand");
        assert_eq!(
            server,
            hex(
                "b6 7b 7d 69 0c c1 6c 4e 75 e5 42 13 cb 2d 37 b4 e9 c9 12 bc de d9 10 5d 42 be fd 59 d3 91 ad 38"
            )
        );
        let server = hkdf::Prk::new_less_safe(hkdf::HKDF_SHA256, &server);
        assert_eq!(
            expand_label(&server, b"key", b"", 16).expect("key"),
            hex("3f ce 51 60 09 c2 17 27 d0 f2 e4 e8 6e e4 03 bc")
        );
        assert_eq!(
            expand_label(&server, b"iv", b"", 12).expect("iv"),
            hex("5d 31 3e b2 67 12 76 ee 13 00 0b 30")
        );
    }

    #[test]
    fn a_server_hello_is_read_and_junk_is_none() {
        let mut body = vec![3, 3];
        body.extend([7u8; 32]);
        body.push(0);
        body.extend([0x13, 0x01, 0]);
        let ext = [
            0x00, 0x2b, 0, 2, 3, 4, 0x00, 0x33, 0, 8, 0, 0x1d, 0, 4, 1, 2, 3, 4,
        ];
        body.extend((ext.len() as u16).to_be_bytes());
        body.extend(ext);
        assert_eq!(
            parse_server_hello(&body),
            Some(ServerHello {
                suite: 0x1301,
                tls13: true,
                retry: false,
                share: Some((X25519, vec![1, 2, 3, 4])),
                retry_group: None,
                cookie: None,
            })
        );
        assert_eq!(parse_server_hello(&[3, 3, 1]), None);
        let mut lying = body.clone();
        let n = lying.len();
        lying[n - 9] = 0xff;
        assert_eq!(parse_server_hello(&lying), None);
    }
}
