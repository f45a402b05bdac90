//! Target lists (`pinwatch check --targets FILE`): one target per line,
//! `#` comments, blank lines ignored. Pure: the command reads the file and
//! hands the text here. A line that is not a target is kept as junk with
//! its line number, so the rest of the list is still checked; a target
//! listed twice is checked once.

use std::fmt;

use crate::target::Target;

/// Longest part of a junk line quoted back to the user.
const QUOTE_MAX: usize = 60;

/// A parsed target list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TargetList {
    /// The targets, in file order, each once.
    pub targets: Vec<Target>,
    /// Lines that are not targets.
    pub junk: Vec<JunkLine>,
    /// Lines naming a target already listed.
    pub duplicates: usize,
}

/// A line of a target list that is not a target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JunkLine {
    /// 1-based line number.
    pub line: usize,
    /// The line (without its comment), shortened for display.
    pub text: String,
    /// Why it is not a target.
    pub reason: String,
}

impl fmt::Display for JunkLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: `{}`: {}", self.line, self.text, self.reason)
    }
}

/// Parses a target list. Never fails: what is not a target becomes junk.
pub fn parse_target_list(text: &str) -> TargetList {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut list = TargetList::default();
    for (i, raw) in text.lines().enumerate() {
        let line = strip_comment(raw).trim();
        if line.is_empty() {
            continue;
        }
        let junk = |reason: String| JunkLine {
            line: i + 1,
            text: shorten(line),
            reason,
        };
        if line.split_whitespace().nth(1).is_some() {
            list.junk
                .push(junk("one target per line (found spaces)".into()));
            continue;
        }
        match line.parse::<Target>() {
            Ok(target) => list.targets.push(target),
            Err(e) => list.junk.push(junk(e.to_string())),
        }
    }
    list.duplicates = keep_first(&mut list.targets, |t| t);
    list
}

/// Removes every item whose target an earlier item has, keeping the order;
/// returns how many were removed. Holds four bytes an item on the side (a
/// sorted order), not a copy of every target: lists run to hundreds of
/// thousands.
pub fn keep_first<T>(items: &mut Vec<T>, target: impl Fn(&T) -> &Target) -> usize {
    let mut order: Vec<u32> = (0..u32::try_from(items.len()).unwrap_or(u32::MAX)).collect();
    let at = |i: u32| target(&items[i as usize]);
    order.sort_unstable_by(|&a, &b| at(a).cmp(at(b)).then(a.cmp(&b)));
    let mut repeated = vec![false; items.len()];
    for pair in order.windows(2) {
        if at(pair[0]) == at(pair[1]) {
            repeated[pair[1] as usize] = true;
        }
    }
    let before = items.len();
    let mut index = 0;
    items.retain(|_| {
        index += 1;
        !repeated[index - 1]
    });
    before - items.len()
}

/// The line without its comment: from a `#` at its start or after a space.
fn strip_comment(line: &str) -> &str {
    let mut previous_blank = true;
    for (at, c) in line.char_indices() {
        if c == '#' && previous_blank {
            return &line[..at];
        }
        previous_blank = c.is_whitespace();
    }
    line
}

/// Inert and at most [`QUOTE_MAX`] characters, so a binary file cannot
/// write escape sequences to the terminal.
fn shorten(s: &str) -> String {
    crate::util::inert_capped(s, QUOTE_MAX).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(host: &str, port: u16) -> Target {
        Target::new(host, port).unwrap()
    }

    #[test]
    fn targets_comments_blank_lines() {
        let list = parse_target_list(
            "# fleet targets\n\nwx.qq.com\n  chatgpt.com:8443   # staging\nhttps://web.whatsapp.com/\r\n\t\n",
        );
        assert_eq!(
            list.targets,
            vec![
                t("wx.qq.com", 443),
                t("chatgpt.com", 8443),
                t("web.whatsapp.com", 443)
            ]
        );
        assert!(list.junk.is_empty(), "{:?}", list.junk);
        assert_eq!(list.duplicates, 0);
    }

    #[test]
    fn junk_lines_keep_their_numbers_and_the_rest_is_kept() {
        let list = parse_target_list(
            "qq.com\nnot a host\nftp://qq.com\nqq.com:99999\nchatgpt.com\nbad_host!\n",
        );
        assert_eq!(list.targets, vec![t("qq.com", 443), t("chatgpt.com", 443)]);
        let lines: Vec<usize> = list.junk.iter().map(|j| j.line).collect();
        assert_eq!(lines, vec![2, 3, 4, 6]);
        assert_eq!(
            list.junk[0].to_string(),
            "line 2: `not a host`: one target per line (found spaces)"
        );
        assert_eq!(
            list.junk[1].to_string(),
            "line 3: `ftp://qq.com`: unsupported scheme `ftp` in target (only https:// is checked)"
        );
        assert_eq!(
            list.junk[2].to_string(),
            "line 4: `qq.com:99999`: invalid port `99999` (expected 1-65535)"
        );
    }

    #[test]
    fn duplicates_are_listed_once() {
        let list = parse_target_list("QQ.com\nqq.com:443\nhttps://qq.com/x\nqq.com.\nqq.com:444\n");
        assert_eq!(list.targets, vec![t("qq.com", 443), t("qq.com", 444)]);
        assert_eq!(list.duplicates, 3);
    }

    #[test]
    fn a_hash_inside_a_word_is_not_a_comment() {
        assert_eq!(strip_comment("host#x # c"), "host#x ");
        assert_eq!(strip_comment("#all"), "");
        let list = parse_target_list("https://qq.com/#frag\n");
        assert_eq!(list.targets, vec![t("qq.com", 443)]);
    }

    #[test]
    fn binary_junk_is_quoted_harmlessly() {
        let list = parse_target_list(&format!("\u{feff}qq.com\n\x1b[31m{}\n", "x".repeat(200)));
        assert_eq!(list.targets, vec![t("qq.com", 443)]);
        let quoted = &list.junk[0].text;
        assert!(!quoted.contains('\x1b'), "{quoted}");
        assert!(quoted.starts_with("\\x1b[31mxxx"), "{quoted}");
        assert_eq!(quoted.chars().count(), QUOTE_MAX, "{quoted}");
    }
}
