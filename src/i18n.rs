//! Localization: English and Simplified Chinese, from the Fluent files in
//! `locales/` (compiled in). The language comes from `--lang`, the config,
//! or the system locale (LANGUAGE, LC_ALL, LC_MESSAGES, LANG).

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en-US",
        // Fluent's bidi isolation marks show up as garbage in terminals.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// A supported language.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Simplified Chinese.
    Zh,
}

static EN: LanguageIdentifier = langid!("en-US");
static ZH: LanguageIdentifier = langid!("zh-CN");

/// Counts (`n`, `count`, `hops`) go to Fluent as numbers, so that plural
/// variants (`[one]`, `[other]`) select on them; everything else is text.
fn value<'a>(key: &str, text: &str) -> FluentValue<'a> {
    match (key, text.parse::<u64>()) {
        ("n" | "count" | "hops", Ok(number)) => FluentValue::from(number),
        _ => FluentValue::from(text.to_string()),
    }
}

impl Lang {
    /// The language of a POSIX locale or BCP 47 tag (`zh_CN.UTF-8`, `zh-Hans`,
    /// `en_GB`); `None` for one pinwatch does not speak.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let lang = tag
            .split(['_', '-', '.', '@'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match lang.as_str() {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language the environment asks for, the way gettext reads it:
    /// LANGUAGE (a colon-separated preference list, ignored under the C
    /// locale), then LC_ALL, LC_MESSAGES, LANG. English when nothing matches.
    pub fn from_env(get: &dyn Fn(&str) -> Option<String>) -> Lang {
        let nonempty = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .find_map(|k| nonempty(k));
        let is_c = locale
            .as_deref()
            .is_none_or(|l| l == "C" || l == "POSIX" || l.starts_with("C."));
        if !is_c && let Some(list) = nonempty("LANGUAGE") {
            if let Some(lang) = list.split(':').find_map(Lang::from_tag) {
                return lang;
            }
        }
        locale
            .as_deref()
            .and_then(Lang::from_tag)
            .unwrap_or_default()
    }

    /// The language of this user: the environment's, as [`Lang::from_env`]
    /// reads it, when it names a locale (on Windows too: MSYS and Cygwin
    /// shells set LANG); otherwise the platform's user locale (Windows'
    /// user default locale: Chinese on a Chinese Windows); English when
    /// neither names a language pinwatch speaks.
    pub fn detect(get: &dyn Fn(&str) -> Option<String>) -> Lang {
        Lang::detect_with(get, platform_locale())
    }

    /// [`Lang::detect`] with the platform's locale given.
    fn detect_with(get: &dyn Fn(&str) -> Option<String>, platform: Option<String>) -> Lang {
        let env_names_one = ["LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .any(|k| get(k).is_some_and(|v| !v.trim().is_empty()));
        match platform.as_deref().and_then(Lang::from_tag) {
            Some(lang) if !env_names_one => lang,
            _ => Lang::from_env(get),
        }
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::En => &EN,
            Lang::Zh => &ZH,
        }
    }

    /// The message `key`.
    pub fn tr(self, key: &str) -> String {
        LOCALES.lookup(self.id(), key)
    }

    /// The message `key`, if this language (or its fallback) has it.
    pub fn try_tr(self, key: &str) -> Option<String> {
        LOCALES.try_lookup(self.id(), key)
    }

    /// The message `key` with its variables.
    pub fn tr_args(self, key: &str, args: &[(&'static str, String)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'_>> = args
            .iter()
            .map(|(k, v)| (Cow::Borrowed(*k), value(k, v)))
            .collect();
        LOCALES.lookup_with_args(self.id(), key, &args)
    }

    /// Picks the English or Chinese variant of a bilingual field.
    pub fn pick<'a>(self, en: &'a str, zh: &'a str) -> &'a str {
        match self {
            Lang::Zh if !zh.is_empty() => zh,
            _ => en,
        }
    }
}

/// The user's locale as the platform reports it (a BCP 47 tag such as
/// `zh-CN`): Windows' user default locale (the `LocaleName` that
/// GetUserDefaultLocaleName returns, kept in the user's registry since
/// Vista); none elsewhere, where the environment is the locale.
#[cfg(windows)]
fn platform_locale() -> Option<String> {
    winreg::RegKey::predef(winreg::enums::HKEY_CURRENT_USER)
        .open_subkey("Control Panel\\International")
        .and_then(|k| k.get_value::<String, _>("LocaleName"))
        .ok()
}

#[cfg(not(windows))]
fn platform_locale() -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_platform_locale_counts_when_the_environment_names_none() {
        let none = |_: &str| None;
        assert_eq!(Lang::detect_with(&none, Some("zh-CN".into())), Lang::Zh);
        assert_eq!(
            Lang::detect_with(&none, Some("zh-Hans-CN".into())),
            Lang::Zh
        );
        assert_eq!(Lang::detect_with(&none, Some("de-DE".into())), Lang::En);
        assert_eq!(Lang::detect_with(&none, None), Lang::En);
        let en = |k: &str| (k == "LANG").then(|| "en_US.UTF-8".to_string());
        assert_eq!(Lang::detect_with(&en, Some("zh-CN".into())), Lang::En);
    }

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_string())
        }
    }

    #[test]
    fn reads_the_locale_like_gettext() {
        assert_eq!(Lang::from_env(&env(&[])), Lang::En);
        assert_eq!(Lang::from_env(&env(&[("LANG", "zh_CN.UTF-8")])), Lang::Zh);
        assert_eq!(
            Lang::from_env(&env(&[("LANG", "zh_CN.UTF-8"), ("LC_ALL", "en_US.UTF-8")])),
            Lang::En
        );
        assert_eq!(
            Lang::from_env(&env(&[
                ("LANG", "en_US.UTF-8"),
                ("LANGUAGE", "fr:zh_CN:en")
            ])),
            Lang::Zh
        );
        // LANGUAGE is ignored under the C locale, as gettext does.
        assert_eq!(
            Lang::from_env(&env(&[("LANG", "C"), ("LANGUAGE", "zh_CN")])),
            Lang::En
        );
        assert_eq!(
            Lang::from_env(&env(&[("LC_MESSAGES", "zh_TW.UTF-8")])),
            Lang::Zh
        );
        assert_eq!(Lang::from_env(&env(&[("LANG", "de_DE.UTF-8")])), Lang::En);
    }

    #[test]
    fn translates_with_variables_and_no_isolation_marks() {
        let s = Lang::Zh.tr_args("summary-ok", &[("n", "3".into())]);
        assert_eq!(s, "3个正常");
        let s = Lang::En.tr_args("ev-issuer", &[("issuer", "CN=x".into())]);
        assert_eq!(s, "issuer: CN=x");
        assert!(!s.contains('\u{2068}'));
    }

    #[test]
    fn every_english_key_has_a_chinese_translation() {
        let keys = |text: &str| -> Vec<String> {
            text.lines()
                .filter(|l| !l.starts_with('#') && l.contains(" = "))
                .filter_map(|l| l.split(" = ").next().map(|k| k.trim().to_string()))
                .collect()
        };
        // Every file of the English locale, and its Chinese twin.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
        let mut files: Vec<_> = std::fs::read_dir(dir.join("en-US"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        files.sort();
        assert!(files.len() > 1, "{files:?}");
        for name in files {
            let read = |lang: &str| std::fs::read_to_string(dir.join(lang).join(&name)).unwrap();
            assert_eq!(
                keys(&read("en-US")),
                keys(&read("zh-CN")),
                "{name:?}: en-US and zh-CN must have the same keys in the same order"
            );
        }
    }
}
