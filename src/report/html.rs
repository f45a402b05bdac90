//! The details page the tray's "Show details" opens: a self-contained HTML
//! file with the same content as the text report, in the user's language.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::Report;
use super::text::{headline, verdict_label, what_to_do};
use crate::analysis::Verdict;
use crate::i18n::Lang;
use crate::util::rfc3339;

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn color(v: Verdict) -> &'static str {
    match v {
        Verdict::Ok => "#1a7f37",
        Verdict::Suspicious => "#9a6700",
        Verdict::Intercepted => "#cf222e",
        Verdict::CaptivePortal => "#0969da",
        Verdict::Unreachable => "#57606a",
    }
}

/// Writes the details page for `report`.
pub fn render(report: &Report<'_>, lang: Lang, out: &mut dyn Write) -> io::Result<()> {
    let e = escape;
    let mut h = String::new();
    let html_lang = if lang == Lang::Zh { "zh-CN" } else { "en" };
    let _ = write!(
        h,
        "<!doctype html>\n<html lang=\"{html_lang}\"><head><meta charset=\"utf-8\"><title>{}</title>\
         <style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;line-height:1.5}}\
         .v{{font-weight:bold}} section{{border-top:1px solid #ddd;padding:.5em 0}} code{{font-size:.85em;word-break:break-all}}</style>\
         </head><body>\n<h1>{}</h1>\n<p>{}</p>\n",
        e(&lang.tr("details-title")),
        e(&lang.tr("details-title")),
        e(&lang.tr_args(
            "details-checked-at",
            &[(
                "time",
                rfc3339(report.checked_at)
                    .replace('T', " ")
                    .replace('Z', "")
            )]
        ))
    );
    for a in report.results {
        let name = a.service.as_ref().map_or_else(
            || a.target.to_string(),
            |s| lang.pick(&s.display_name, &s.display_name_zh).to_string(),
        );
        let _ = write!(
            h,
            "<section><h2>{} <small>{}</small></h2>\n<p class=\"v\" style=\"color:{}\">{}: {}</p>\n",
            e(&name),
            e(&a.target.to_string()),
            color(a.verdict),
            e(&verdict_label(lang, a.verdict)),
            e(&headline(lang, a))
        );
        if let Some(todo) = what_to_do(lang, a) {
            let _ = writeln!(
                h,
                "<p><b>{}</b> {}</p>",
                e(&lang.tr("label-what-to-do")),
                e(&todo)
            );
        }
        if let (Verdict::Intercepted | Verdict::Suspicious, Some(s)) = (a.verdict, &a.service) {
            let _ = writeln!(
                h,
                "<p><b>{}</b> {}</p>",
                e(&lang.tr("label-what-it-exposes")),
                e(lang.pick(&s.exposes, &s.exposes_zh))
            );
        }
        if !a.evidence.is_empty() {
            h.push_str("<ul>\n");
            for ev in &a.evidence {
                let _ = writeln!(h, "<li>{}</li>", e(&ev.render(lang)));
            }
            h.push_str("</ul>\n");
        }
        if !a.chain.is_empty() {
            let _ = writeln!(
                h,
                "<details><summary>{}</summary><ol>",
                e(&lang.tr("details-chain"))
            );
            for c in &a.chain {
                let _ = writeln!(
                    h,
                    "<li>{}<br><code>{}</code></li>",
                    e(&c.subject),
                    e(&c.spki_sha256)
                );
            }
            h.push_str("</ol></details>\n");
        }
        h.push_str("</section>\n");
    }
    h.push_str("</body></html>\n");
    out.write_all(h.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_that_matters() {
        assert_eq!(
            escape("<script>\"a\"&'b'</script>"),
            "&lt;script&gt;&quot;a&quot;&amp;&#39;b&#39;&lt;/script&gt;"
        );
    }

    #[test]
    fn renders_an_empty_report_in_chinese() {
        let report = Report {
            results: &[],
            warnings: &[],
            checked_at: 0,
            exit_code: 3,
        };
        let mut out = Vec::new();
        render(&report, Lang::Zh, &mut out).unwrap();
        let page = String::from_utf8(out).unwrap();
        assert!(page.contains("<html lang=\"zh-CN\">"));
        assert!(page.contains("连接检查报告"));
    }
}
