//! Why an update refused a bundle, in the reader's language: each refusal
//! (a bad or missing signature, an unknown or revoked key, a replay, a
//! newer format, a truncated download, ...) has words of its own in
//! English and Chinese (`locales/*/leftovers.ftl`). What only a file can
//! say (a pins file's line and column, a store's I/O error) is quoted as
//! the loader wrote it, within the translated sentence.

use pinwatch_knowledge::bundle::BundleError;

use crate::i18n::Lang;
use crate::knowledge::active::Refusal;
use crate::knowledge::store::StoreError;

/// Why a fetched bundle was not installed.
#[derive(Debug)]
pub enum Why {
    /// The bundle itself: unsigned, badly signed, an unknown or revoked
    /// key, a newer format, too large, contents that do not load.
    Bundle(BundleError),
    /// A verified bundle that may not replace the knowledge in use: a
    /// replay, not newer, a revocation not signed by the backup key.
    Refusal(Refusal),
    /// The download ended early, after `got` bytes.
    CutShort {
        /// Bytes received.
        got: usize,
    },
    /// It carries no CT log list.
    NoLogList,
    /// Its CT log list does not match Google's signature over it.
    LogListSignature,
    /// Its pins or CT log list do not load: the loader's words.
    Contents(String),
    /// The store cannot be read or written.
    Store(StoreError),
}

impl Why {
    /// The reason in `lang`, one clause (the update line frames it).
    pub fn text(&self, lang: Lang) -> String {
        let key = |id: &pinwatch_knowledge::bundle::KeyId| ("key", id.to_string());
        let detail = |d: String| vec![("detail", d)];
        let (message, args): (&str, Vec<(&'static str, String)>) = match self {
            Why::Bundle(e) => match e {
                BundleError::TooLarge => ("refusal-too-large", Vec::new()),
                BundleError::Unsigned => ("refusal-unsigned", Vec::new()),
                BundleError::BadSignatureEncoding => ("refusal-signature-encoding", Vec::new()),
                BundleError::UnknownKey(id) => ("refusal-unknown-key", vec![key(id)]),
                BundleError::RevokedKey(id) => ("refusal-revoked-key", vec![key(id)]),
                BundleError::BadSignature(id) => ("refusal-bad-signature", vec![key(id)]),
                BundleError::NewerFormat { format, supported } => (
                    "refusal-newer-format",
                    vec![
                        ("format", format.to_string()),
                        ("supported", supported.to_string()),
                    ],
                ),
                BundleError::NeedsNewerPinwatch { min, ours } => (
                    "refusal-newer-pinwatch",
                    vec![("min", min.clone()), ("ours", ours.clone())],
                ),
                BundleError::BadHeader(why) => ("refusal-bad-header", detail(why.clone())),
                BundleError::Payload(why) => ("refusal-payload", detail(why.clone())),
                other => ("refusal-contents", detail(other.to_string())),
            },
            Why::Refusal(r) => match r {
                Refusal::Replayed {
                    sequence,
                    highest,
                    key: id,
                } => (
                    "refusal-replayed",
                    vec![
                        ("sequence", sequence.to_string()),
                        ("highest", highest.to_string()),
                        key(id),
                    ],
                ),
                Refusal::NotNewer { sequence, in_use } => (
                    "refusal-not-newer",
                    vec![
                        ("sequence", sequence.to_string()),
                        ("in_use", in_use.to_string()),
                    ],
                ),
                Refusal::RevocationNotByBackup { sequence, key: id } => (
                    "refusal-revocation-not-by-backup",
                    vec![("sequence", sequence.to_string()), key(id)],
                ),
            },
            Why::CutShort { got } => ("refusal-cut-short", vec![("got", got.to_string())]),
            Why::NoLogList => ("refusal-no-log-list", Vec::new()),
            Why::LogListSignature => ("refusal-log-list-signature", Vec::new()),
            Why::Contents(why) => ("refusal-contents", detail(why.clone())),
            Why::Store(e) => ("refusal-store", detail(e.to_string())),
        };
        lang.tr_args(message, &args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pinwatch_knowledge::bundle::KeyId;

    /// Every reason, as the update reports them.
    fn every_reason() -> Vec<Why> {
        let id = KeyId::parse("937575091B5A2105").expect("a key id");
        vec![
            Why::Bundle(BundleError::TooLarge),
            Why::Bundle(BundleError::Unsigned),
            Why::Bundle(BundleError::BadSignatureEncoding),
            Why::Bundle(BundleError::UnknownKey(id)),
            Why::Bundle(BundleError::RevokedKey(id)),
            Why::Bundle(BundleError::BadSignature(id)),
            Why::Bundle(BundleError::NewerFormat {
                format: 2,
                supported: 1,
            }),
            Why::Bundle(BundleError::NeedsNewerPinwatch {
                min: "0.9.0".into(),
                ours: "0.1.0".into(),
            }),
            Why::Bundle(BundleError::BadHeader("its format is not a number".into())),
            Why::Bundle(BundleError::Payload("expected value at line 1".into())),
            Why::Refusal(Refusal::Replayed {
                sequence: 41,
                highest: 42,
                key: id,
            }),
            Why::Refusal(Refusal::NotNewer {
                sequence: 1,
                in_use: 42,
            }),
            Why::Refusal(Refusal::RevocationNotByBackup {
                sequence: 50,
                key: id,
            }),
            Why::CutShort { got: 1234 },
            Why::NoLogList,
            Why::LogListSignature,
            Why::Contents("bundle 7: pins/services/qq.toml:3:1: hosts: missing".into()),
        ]
    }

    #[test]
    fn english_reasons_are_the_errors_own_words() {
        for why in every_reason() {
            let expected = match &why {
                Why::Bundle(e) => e.to_string(),
                Why::Refusal(r) => r.to_string(),
                Why::CutShort { got } => format!(
                    "the transfer ended early, after {got} bytes: a truncated bundle is never used"
                ),
                Why::NoLogList => "it carries no CT log list".into(),
                Why::LogListSignature => {
                    "its CT log list does not match Google's signature over it (ct/log_list.sig)"
                        .into()
                }
                Why::Contents(d) => d.clone(),
                Why::Store(e) => e.to_string(),
            };
            assert_eq!(why.text(Lang::En), expected);
        }
    }

    #[test]
    fn every_reason_is_said_in_chinese() {
        for why in every_reason() {
            let zh = why.text(Lang::Zh);
            let english = why.text(Lang::En);
            assert_ne!(zh, english, "{why:?}");
            assert!(
                zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{why:?}: {zh}"
            );
        }
        assert_eq!(
            Why::Refusal(Refusal::Replayed {
                sequence: 41,
                highest: 42,
                key: KeyId::parse("937575091B5A2105").expect("a key id"),
            })
            .text(Lang::Zh),
            "知识包41比已从密钥937575091B5A2105接受的知识包42更旧：重放或回滚的知识包永远不会被安装"
        );
    }
}
