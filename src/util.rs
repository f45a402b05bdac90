//! Small helpers shared by several layers: hashing, time formatting,
//! reading the files users name with a byte cap (the knowledge crate's
//! `read`, with the caps of the files the binary reads), and making outside
//! text inert before it is shown (`inert`).

mod atomic;
pub(crate) mod inert;

pub(crate) use atomic::write_atomically;
pub use inert::{OWN_SEQUENCES, Screen, to_stderr};
pub(crate) use inert::{Style, inert, inert_capped, markup};

pub(crate) use pinwatch_knowledge::is_sha256_base64;
pub use pinwatch_knowledge::read::ReadError;
pub(crate) use pinwatch_knowledge::read::{
    Cap, MIB, TARGETS_FILE, open_regular, read_capped, read_capped_string,
};

/// A PEM or DER certificate file: a public-roots bundle or a file of the
/// system store. Debian's whole bundle is about 220 KB.
pub(crate) const CERTS_FILE: Cap = Cap {
    bytes: 16 * MIB,
    what: "a certificate file",
};

/// The agent's config file (a few hundred bytes in practice).
pub(crate) const CONFIG_FILE: Cap = Cap {
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
pub(crate) fn sha256_base64(data: &[u8]) -> String {
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

/// Formats seconds since the Unix epoch as local time with its UTC offset
/// (`2027-01-15 16:00:00 +08:00`), in the system's time zone (`TZ` when
/// set, else /etc/localtime; UTC when neither can be read). For people;
/// machine formats keep [`rfc3339`].
pub fn local_time(unix_seconds: i64) -> String {
    local_time_in(unix_seconds, &jiff::tz::TimeZone::system())
}

/// [`local_time`] in the zone `tz`.
pub(crate) fn local_time_in(unix_seconds: i64, tz: &jiff::tz::TimeZone) -> String {
    match jiff::Timestamp::from_second(unix_seconds) {
        Ok(t) => t
            .to_zoned_datetime(tz.clone())
            .strftime("%Y-%m-%d %H:%M:%S %:z")
            .to_string(),
        Err(_) => format!("@{unix_seconds}"),
    }
}

/// Formats seconds since the Unix epoch as a date (`2026-11-22`).
pub(crate) fn date(unix_seconds: i64) -> String {
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
    fn local_time_carries_its_offset() {
        let shanghai = jiff::tz::TimeZone::get("Asia/Shanghai").expect("the zone database");
        assert_eq!(
            local_time_in(1_800_000_000, &shanghai),
            "2027-01-15 16:00:00 +08:00"
        );
        assert_eq!(
            local_time_in(1_800_000_000, &jiff::tz::TimeZone::UTC),
            "2027-01-15 08:00:00 +00:00"
        );
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
