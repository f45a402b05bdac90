//! Small helpers shared by several layers: hashing, time formatting,
//! reading the files users name with a byte cap (the knowledge crate's
//! `read`, with the caps of the files the binary reads), and making outside
//! text inert before it is shown (`inert`).

mod atomic;
pub mod inert;

pub use atomic::write_atomically;
pub use inert::{Screen, Style, inert, inert_capped, markup};

pub use pinwatch_knowledge::is_sha256_base64;
pub use pinwatch_knowledge::read::{
    Cap, MIB, PINS_FILE, ReadError, TARGETS_FILE, open_regular, read_capped, read_capped_string,
};

/// A PEM or DER certificate file: a public-roots bundle or a file of the
/// system store. Debian's whole bundle is about 220 KB.
pub const CERTS_FILE: Cap = Cap {
    bytes: 16 * MIB,
    what: "a certificate file",
};

/// The agent's config file (a few hundred bytes in practice).
pub const CONFIG_FILE: Cap = Cap {
    bytes: MIB,
    what: "a config file",
};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// Seconds since the epoch, from the system clock. Only the commands and
/// the agent's loop read the clock; analysis takes the time as an argument.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// SHA-256 of `data`, in the RFC 7469 base64 form used for pins.
pub fn sha256_base64(data: &[u8]) -> String {
    STANDARD.encode(ring::digest::digest(&ring::digest::SHA256, data))
}

/// SHA-256 of `data`, lowercase hex.
pub fn sha256_hex(data: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, data)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Formats seconds since the Unix epoch as RFC 3339 UTC (`2026-11-22T00:00:00Z`).
pub fn rfc3339(unix_seconds: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(unix_seconds) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        ),
        Err(_) => format!("@{unix_seconds}"),
    }
}

/// Formats seconds since the Unix epoch as a date (`2026-11-22`).
pub fn date(unix_seconds: i64) -> String {
    rfc3339(unix_seconds).chars().take(10).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_epoch_and_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_795_305_600), "2026-11-22T00:00:00Z");
        assert_eq!(date(1_795_305_600), "2026-11-22");
    }

    #[test]
    fn hashes_in_pin_form() {
        assert_eq!(
            sha256_base64(b""),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
        assert!(is_sha256_base64(
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        ));
        assert!(!is_sha256_base64("abc"));
    }
}
