//! Host names as pins files and command lines give them: validated and
//! normalised (lowercase, no trailing dot, IPv6 without brackets), so a
//! service's `[[host]]` and a target typed by an admin compare equal.

use thiserror::Error;

/// A host that is neither a DNS name nor an IP address literal.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("invalid host name `{0}`")]
pub struct InvalidHost(pub String);

/// `host` lowercased, without a trailing dot or IPv6 brackets; an error
/// when it is not an IP address literal or a DNS name (labels of 1 to 63
/// letters, digits, `-` and `_`, not starting or ending with `-`; at most
/// 253 characters).
pub fn normalise(host: &str) -> Result<String, InvalidHost> {
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    if host.parse::<std::net::IpAddr>().is_ok() {
        return Ok(host);
    }
    let valid = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    if valid {
        Ok(host)
    } else {
        Err(InvalidHost(host))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_addresses_are_normalised() {
        assert_eq!(normalise(" Chat.Example. ").unwrap(), "chat.example");
        assert_eq!(normalise("[::1]").unwrap(), "::1");
        assert_eq!(normalise("127.0.0.1").unwrap(), "127.0.0.1");
        assert_eq!(normalise("a_b.example").unwrap(), "a_b.example");
        assert_eq!(normalise("-x.com"), Err(InvalidHost("-x.com".to_string())));
        assert!(normalise("bad host").is_err());
        assert!(normalise("").is_err());
        assert!(normalise(&"a".repeat(64)).is_err());
    }
}
