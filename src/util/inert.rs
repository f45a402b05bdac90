//! Making outside text inert before anyone reads it.
//!
//! Certificates, trust stores, input files and network peers choose the
//! bytes of every name pinwatch prints, and an interceptor may have read
//! this code. A certificate's issuer could hold an escape sequence that
//! clears the terminal and prints an all-clear, a line feed that adds a
//! forged line to a Nagios status, a right-to-left override that shows a
//! name backwards, or markup that a notification daemon renders. So every
//! string that came from outside goes through [`inert`] (terminals, plain
//! text formats) or [`markup`] (notification bodies, which speak the
//! notification spec's markup) on its way to a person; machine formats
//! that quote their values (JSON) keep the exact value.
//!
//! What is escaped, so that it shows instead of acting:
//! - C0 controls and DEL (`\x1b`, `\x0a`, `\x00`, ...), C1 controls
//!   (`\u{9b}`, the one-byte CSI);
//! - bidirectional controls (U+202A-U+202E, U+2066-U+2069, U+200E,
//!   U+200F, U+061C) and the other invisible format characters (zero-width
//!   spaces and joiners, the BOM, soft hyphen, word joiners, tags), the
//!   line and paragraph separators (U+2028, U+2029), and the invisible
//!   Hangul fillers: shown as `\u{202e}`.
//!
//! A backslash is left as it is: a name that spells `\x1b` in plain
//! letters is harmless.

use std::borrow::Cow;

/// `s` with every control, bidirectional or invisible character shown
/// escaped (`\x1b`, `\u{202e}`); borrowed when there is none.
pub fn inert(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_inert(&mut out, c);
    }
    Cow::Owned(out)
}

/// [`inert`], then cut to at most `max` characters with an ellipsis, for
/// one-line places (a status line, a table cell, a notification title).
pub fn inert_capped(s: &str, max: usize) -> Cow<'_, str> {
    let safe = inert(s);
    if safe.chars().count() <= max {
        return safe;
    }
    let keep = max.saturating_sub(1);
    let mut cut: String = safe.chars().take(keep).collect();
    cut.push('…');
    Cow::Owned(cut)
}

/// [`inert`], then the notification spec's markup characters escaped
/// (`&`, `<`, `>`, and quotes), for a notification body that a daemon
/// renders as markup.
pub fn markup(s: &str) -> String {
    let safe = inert(s);
    let mut out = String::with_capacity(safe.len());
    for c in safe.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Whether `c` acts instead of showing: a control, a bidirectional
/// control, or an invisible format character.
pub fn needs_escape(c: char) -> bool {
    c.is_control() || invisible(c)
}

fn push_inert(out: &mut String, c: char) {
    use std::fmt::Write as _;
    if !needs_escape(c) {
        out.push(c);
    } else if u32::from(c) < 0x80 {
        let _ = write!(out, "\\x{:02x}", u32::from(c));
    } else {
        let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
    }
}

/// Format characters (Unicode category Cf), the line and paragraph
/// separators, and letters that render as nothing.
fn invisible(c: char) -> bool {
    matches!(
        u32::from(c),
        0x00AD
            | 0x034F
            | 0x0600..=0x0605
            | 0x061C
            | 0x06DD
            | 0x070F
            | 0x0890..=0x0891
            | 0x08E2
            | 0x115F..=0x1160
            | 0x17B4..=0x17B5
            | 0x180B..=0x180F
            | 0x200B..=0x200F
            | 0x2028..=0x202E
            | 0x2060..=0x206F
            | 0x3164
            | 0xFE00..=0xFE0F
            | 0xFEFF
            | 0xFFA0
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0000..=0xE0FFF
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        let s = "CN=DigiCert Global Root G2, O=DigiCert Inc, 微信";
        assert!(matches!(inert(s), Cow::Borrowed(_)));
        assert_eq!(inert(s), s);
    }

    #[test]
    fn controls_show_escaped() {
        assert_eq!(inert("a\x1b[2Jb"), "a\\x1b[2Jb");
        assert_eq!(inert("x\r\ny\0"), "x\\x0d\\x0ay\\x00");
        assert_eq!(inert("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(inert("\x7f"), "\\x7f");
        assert_eq!(inert("\x1b]8;;http://x\x07"), "\\x1b]8;;http://x\\x07");
    }

    #[test]
    fn bidi_and_invisible_characters_show_escaped() {
        assert_eq!(
            inert("\u{202e}2G tooR labolG treCigiD"),
            "\\u{202e}2G tooR labolG treCigiD"
        );
        assert_eq!(inert("Digi\u{200b}Cert"), "Digi\\u{200b}Cert");
        assert_eq!(inert("\u{feff}a\u{2066}b"), "\\u{feff}a\\u{2066}b");
        assert_eq!(inert("a\u{2028}b"), "a\\u{2028}b");
        assert_eq!(inert("\u{e0041}"), "\\u{e0041}");
    }

    #[test]
    fn nothing_escaped_reads_as_a_control_again() {
        // Every character of the escaped form is printable ASCII or was
        // printable to begin with.
        let hostile: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        assert!(!inert(&hostile).chars().any(needs_escape));
    }

    #[test]
    fn capped_cuts_with_an_ellipsis() {
        assert_eq!(inert_capped("abcdef", 10), "abcdef");
        assert_eq!(inert_capped("abcdef", 4), "abc…");
        assert_eq!(inert_capped("\x1b\x1b", 5), "\\x1b…");
        assert_eq!(inert_capped("中文名字很长", 3), "中文…");
    }

    #[test]
    fn markup_is_escaped_after_controls() {
        assert_eq!(
            markup("<b>ALL CLEAR</b> & \"q\" 'a'"),
            "&lt;b&gt;ALL CLEAR&lt;/b&gt; &amp; &quot;q&quot; &#39;a&#39;"
        );
        assert_eq!(
            markup("<a href='x'>\x1b"),
            "&lt;a href=&#39;x&#39;&gt;\\x1b"
        );
    }
}
