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
//!
//! A reporter that writes for a terminal writes through a [`Screen`]: every
//! byte that passes through it is made inert but the line feeds that end
//! its lines, so a field added later cannot forget it. Its own colors go
//! through [`Screen::paint`], which only takes pinwatch's own styles.

use std::borrow::Cow;
use std::io::{self, Write};

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
            // &apos;, not &#39;: GNOME Shell keeps only the five named
            // entities and shows any other `&...;` as it is.
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

/// `value` as pretty-printed JSON that cannot act on a terminal either:
/// the exact values, with every character that would (C1 controls, DEL,
/// bidirectional and invisible characters; serde_json escapes the C0
/// controls itself) written as a `\uXXXX` escape, which every JSON reader
/// reads back as the same character.
pub fn json_pretty<T: serde::Serialize + ?Sized>(
    out: &mut dyn Write,
    value: &T,
) -> serde_json::Result<()> {
    let formatter = InertJson(serde_json::ser::PrettyFormatter::new());
    value.serialize(&mut serde_json::Serializer::with_formatter(out, formatter))
}

/// [`json_pretty`], on one line.
pub fn json_line<T: serde::Serialize + ?Sized>(
    out: &mut dyn Write,
    value: &T,
) -> serde_json::Result<()> {
    let formatter = InertJson(serde_json::ser::CompactFormatter);
    value.serialize(&mut serde_json::Serializer::with_formatter(out, formatter))
}

/// A JSON formatter that escapes what [`needs_escape`] in strings, and
/// otherwise formats as `F` does.
struct InertJson<F>(F);

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for InertJson<F> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (at, c) in fragment.char_indices() {
            if !needs_escape(c) {
                continue;
            }
            writer.write_all(&fragment.as_bytes()[start..at])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04x}")?;
            }
            start = at + c.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// Writes `line` to standard error through a [`Screen`] and ends it; a
/// closed or full stderr is not an error. Every stderr line of pinwatch
/// goes through here (error messages quote paths and file content).
pub fn to_stderr(line: &str) {
    let stderr = io::stderr();
    let mut lock = stderr.lock();
    let mut screen = Screen::new(&mut lock);
    let _ = writeln!(screen, "{}", line.replace('\n', " "));
    let _ = screen.flush();
}

/// A writer for a person's screen (a terminal, a plain-text file): what is
/// written through it arrives [`inert`], line feeds apart. Bytes that are
/// not UTF-8 show as `\xNN`; a character split across two writes is
/// joined first.
pub struct Screen<'w> {
    out: &'w mut dyn Write,
    /// The start of a character whose end has not been written yet.
    pending: Vec<u8>,
    text: String,
    /// Whether [`Screen::paint`] writes its styles (`--color`, `NO_COLOR`).
    color: bool,
}

/// pinwatch's own text styles, the only escape sequences a [`Screen`]
/// passes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Green.
    Green,
    /// Yellow.
    Yellow,
    /// Bold red.
    BoldRed,
    /// Cyan.
    Cyan,
    /// Dim.
    Dim,
}

/// Every escape sequence a [`Screen`] writes: the styles, then the reset.
pub const OWN_SEQUENCES: [&str; 6] = [
    "\x1b[32m",
    "\x1b[33m",
    "\x1b[1;31m",
    "\x1b[36m",
    "\x1b[2m",
    RESET,
];

const RESET: &str = "\x1b[0m";

impl Style {
    fn sgr(self) -> &'static str {
        OWN_SEQUENCES[self as usize]
    }
}

impl<'w> Screen<'w> {
    /// A screen writing into `out`, its colours on.
    pub fn new(out: &'w mut dyn Write) -> Self {
        Screen {
            out,
            pending: Vec::new(),
            text: String::new(),
            color: true,
        }
    }

    /// The same screen with its colours on or off (`ColorChoice::enabled`):
    /// off, [`Screen::paint`] writes the text alone.
    pub fn colors(mut self, on: bool) -> Self {
        self.color = on;
        self
    }

    /// Writes `text` (made inert) in `style`, then resets the style; only
    /// `text` when the screen's colours are off.
    pub fn paint(&mut self, style: Style, text: &str) -> io::Result<()> {
        if !self.color {
            return self.write_all(text.as_bytes());
        }
        self.settle()?;
        self.out.write_all(style.sgr().as_bytes())?;
        self.write_all(text.as_bytes())?;
        self.settle()?;
        self.out.write_all(RESET.as_bytes())
    }

    /// Shows a character left unfinished by the last write as its bytes.
    fn settle(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let mut shown = String::new();
        for b in std::mem::take(&mut self.pending) {
            push_byte(&mut shown, b);
        }
        self.out.write_all(shown.as_bytes())
    }
}

impl Write for Screen<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        self.text.clear();
        let mut rest: &[u8] = &self.pending;
        loop {
            match std::str::from_utf8(rest) {
                Ok(s) => {
                    push_screen(&mut self.text, s);
                    rest = &[];
                    break;
                }
                Err(e) => {
                    let (valid, after) = rest.split_at(e.valid_up_to());
                    push_screen(
                        &mut self.text,
                        std::str::from_utf8(valid).unwrap_or_default(),
                    );
                    match e.error_len() {
                        // An unfinished character: wait for the next write.
                        None => {
                            rest = after;
                            break;
                        }
                        Some(n) => {
                            for b in &after[..n] {
                                push_byte(&mut self.text, *b);
                            }
                            rest = &after[n..];
                        }
                    }
                }
            }
        }
        let keep = rest.len();
        let drop = self.pending.len() - keep;
        self.pending.drain(..drop);
        self.out.write_all(self.text.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.settle()?;
        self.out.flush()
    }
}

fn push_screen(out: &mut String, s: &str) {
    for c in s.chars() {
        if c == '\n' {
            out.push(c);
        } else {
            push_inert(out, c);
        }
    }
}

fn push_byte(out: &mut String, b: u8) {
    use std::fmt::Write as _;
    let _ = write!(out, "\\x{b:02x}");
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

    fn screen(writes: &[&[u8]]) -> String {
        let mut out = Vec::new();
        let mut screen = Screen::new(&mut out);
        for w in writes {
            screen.write_all(w).unwrap();
        }
        screen.flush().unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_screen_passes_line_feeds_and_nothing_else_that_acts() {
        assert_eq!(
            screen(&[b"OK\n\x1b[2J\rX\xe2\x80\xae\n"]),
            "OK\n\\x1b[2J\\x0dX\\u{202e}\n"
        );
        // A character split across writes is joined; bytes that are not
        // UTF-8 show as bytes.
        let split = "微".as_bytes();
        assert_eq!(screen(&[&split[..1], &split[1..]]), "微");
        assert_eq!(screen(&[b"a\xffb"]), "a\\xffb");
        assert_eq!(screen(&[&split[..2]]), "\\xe5\\xbe");
        assert_eq!(screen(&[b"\xc2\x9b"]), "\\u{9b}");
    }

    #[test]
    fn a_screen_paints_only_its_own_styles() {
        let mut out = Vec::new();
        let mut screen = Screen::new(&mut out);
        screen
            .paint(Style::BoldRed, "INTERCEPTED \x1b[32m")
            .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\x1b[1;31mINTERCEPTED \\x1b[32m\x1b[0m"
        );
        let mut out = Vec::new();
        let mut plain = Screen::new(&mut out).colors(false);
        plain.paint(Style::BoldRed, "INTERCEPTED \x1b[32m").unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "INTERCEPTED \\x1b[32m");
    }

    #[test]
    fn json_keeps_the_exact_value_and_nothing_acts() {
        let value =
            serde_json::json!({"issuer": "\x1b[2J\u{9b}\u{202e}x\u{200b}\u{e0041}\x7f微\n"});
        for pretty in [true, false] {
            let mut out = Vec::new();
            if pretty {
                json_pretty(&mut out, &value).unwrap();
            } else {
                json_line(&mut out, &value).unwrap();
            }
            let text = String::from_utf8(out).unwrap();
            assert!(
                !text.chars().any(|c| needs_escape(c) && c != '\n'),
                "{text}"
            );
            assert!(
                text.contains("\\u009b\\u202e") && text.contains("微"),
                "{text}"
            );
            let back: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(back, value);
        }
        let mut pretty = Vec::new();
        json_pretty(&mut pretty, &serde_json::json!({"a": [1]})).unwrap();
        assert_eq!(
            String::from_utf8(pretty).unwrap(),
            "{\n  \"a\": [\n    1\n  ]\n}"
        );
    }

    #[test]
    fn markup_is_escaped_after_controls() {
        assert_eq!(
            markup("<b>ALL CLEAR</b> & \"q\" 'a'"),
            "&lt;b&gt;ALL CLEAR&lt;/b&gt; &amp; &quot;q&quot; &apos;a&apos;"
        );
        assert_eq!(
            markup("<a href='x'>\x1b"),
            "&lt;a href=&apos;x&apos;&gt;\\x1b"
        );
    }
}
