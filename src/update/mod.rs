//! Knowledge updates: fetch a bundle ([`fetch`]), check it (a trusted,
//! unrevoked key; a header this pinwatch reads; Google's signature over the
//! CT log list when the bundle carries it; pins and log list that load;
//! newer than the knowledge in use and than anything its key signed
//! before), and install it atomically in a store. Anything short of that
//! leaves the knowledge in use as it is, and says why.
//!
//! `pinwatch pins update`, the `pinwatch-update` timer and the agent all
//! come through [`update`].

pub(crate) mod fetch;
pub(crate) mod why;

use std::time::Duration;

use pinwatch_knowledge::bundle::{self, BundleError};

use crate::analysis::Assessment;
use crate::check::Judge;
use crate::i18n::Lang;
use crate::knowledge::active::{Refusal, accept, active, verify_fetched};
use crate::knowledge::keys::Keys;
use crate::knowledge::store::Store;
use crate::probe::ProbeOptions;
use crate::util::inert_capped;

use fetch::Fetched;
pub use fetch::Source;
pub use why::Why;

/// Everything an update needs.
pub struct Updater<'j> {
    /// The keys bundles may be signed with.
    pub keys: Keys,
    /// Where an accepted bundle is installed.
    pub store: Store,
    /// The stores whose knowledge is in use (the bundle must be newer).
    pub in_use: Vec<Store>,
    /// How to reach URLs.
    pub probe: ProbeOptions,
    /// Judges an `https://` source's connection.
    pub judge: &'j Judge,
    /// Time allowed for one transfer.
    pub timeout: Duration,
}

/// What one source gave.
#[derive(Debug)]
pub enum Outcome {
    /// A newer bundle was installed.
    Installed {
        /// Where from.
        source: String,
        /// Its sequence.
        sequence: u64,
        /// Its signer.
        key: String,
        /// Its issue date.
        issued: String,
        /// Already past its expiry date (installed all the same, as newer).
        expired: bool,
    },
    /// The source holds the bundle already in use.
    Current {
        /// Where from.
        source: String,
    },
    /// The bundle was refused.
    Refused {
        /// Where from.
        source: String,
        /// Why.
        why: Why,
    },
    /// Nothing could be fetched.
    Failed {
        /// Where from.
        source: String,
        /// Why.
        why: String,
    },
    /// The `https://` connection was judged `intercepted`: pinwatch's own
    /// update channel is intercepted.
    Intercepted {
        /// Where from.
        source: String,
        /// The judged connection.
        result: Box<Assessment>,
    },
    /// The `https://` connection was judged neither genuine nor forged
    /// (`suspicious`, a captive portal): nothing was requested over it.
    Untrusted {
        /// Where from.
        source: String,
        /// The judged connection.
        result: Box<Assessment>,
    },
}

impl Outcome {
    /// The exit code: 0 installed or current, 1 refused or untrusted,
    /// 2 intercepted, 3 nothing fetched.
    pub fn exit_code(&self) -> i32 {
        match self {
            Outcome::Installed { .. } | Outcome::Current { .. } => 0,
            Outcome::Refused { .. } | Outcome::Untrusted { .. } => 1,
            Outcome::Intercepted { .. } => 2,
            Outcome::Failed { .. } => 3,
        }
    }

    /// Whether the knowledge is now up to date from this source.
    pub fn done(&self) -> bool {
        matches!(self, Outcome::Installed { .. } | Outcome::Current { .. })
    }

    /// The outcome in `lang`, one line (an interception's details are
    /// the check's own words: see `cmd::pins::update`). `in_use` is the
    /// sequence in use afterwards.
    pub fn line(&self, lang: Lang, in_use: u64) -> String {
        let shown = |s: &str| inert_capped(s, 300).into_owned();
        let sequence = ("sequence", in_use.to_string());
        match self {
            Outcome::Installed {
                source,
                sequence,
                key,
                issued,
                expired,
            } => lang.tr_args(
                if *expired {
                    "update-installed-expired"
                } else {
                    "update-installed"
                },
                &[
                    ("sequence", sequence.to_string()),
                    ("source", shown(source)),
                    ("key", key.clone()),
                    ("issued", issued.clone()),
                ],
            ),
            Outcome::Current { source, .. } => {
                lang.tr_args("update-current", &[sequence, ("source", shown(source))])
            }
            Outcome::Refused { source, why } => lang.tr_args(
                "update-refused",
                &[
                    sequence,
                    ("source", shown(source)),
                    ("why", shown(&why.text(lang))),
                ],
            ),
            Outcome::Failed { source, why } => lang.tr_args(
                "update-failed",
                &[sequence, ("source", shown(source)), ("why", shown(why))],
            ),
            Outcome::Intercepted { source, .. } => {
                lang.tr_args("update-intercepted", &[sequence, ("source", shown(source))])
            }
            Outcome::Untrusted { source, result } => lang.tr_args(
                "update-untrusted",
                &[
                    sequence,
                    ("source", shown(source)),
                    ("verdict", result.verdict.as_str().to_string()),
                ],
            ),
        }
    }
}

/// The sequence of the knowledge in use for `updater` at `now`.
pub fn in_use(updater: &Updater<'_>, now: i64) -> u64 {
    active(&updater.in_use, &updater.keys, now, &mut Vec::new())
        .ok()
        .and_then(|a| a.about.sequence)
        .unwrap_or(0)
}

/// Tries `sources` in order until one brings the knowledge up to date;
/// the outcome of each source tried.
pub async fn update(updater: &Updater<'_>, sources: &[Source], now: i64) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    for source in sources {
        let outcome = update_from(updater, source, now).await;
        let done = outcome.done();
        outcomes.push(outcome);
        if done {
            break;
        }
    }
    outcomes
}

/// Fetches, checks and installs the bundle at `source`.
pub async fn update_from(updater: &Updater<'_>, source: &Source, now: i64) -> Outcome {
    let shown = source.shown();
    let refused = |why: Why| Outcome::Refused {
        source: shown.clone(),
        why,
    };
    let bytes = match fetch::fetch(source, &updater.probe, updater.judge, now, updater.timeout)
        .await
    {
        Fetched::Bytes(bytes) => bytes,
        Fetched::TooLarge => return refused(Why::Bundle(BundleError::TooLarge)),
        Fetched::CutShort { got } => return refused(Why::CutShort { got }),
        Fetched::Failed(why) => {
            return Outcome::Failed {
                source: shown.clone(),
                why,
            };
        }
        Fetched::Untrusted(result) if result.verdict == crate::analysis::Verdict::Intercepted => {
            return Outcome::Intercepted {
                source: shown.clone(),
                result,
            };
        }
        Fetched::Untrusted(result) => {
            return Outcome::Untrusted {
                source: shown.clone(),
                result,
            };
        }
    };
    let state = match updater.store.state() {
        Ok(state) => state,
        Err(e) => return refused(Why::Store(e)),
    };
    let verified = match verify_fetched(&bytes, &updater.keys, &state) {
        Ok(v) => v,
        Err(e) => return refused(Why::Bundle(e)),
    };
    let knowledge = match check_contents(&verified) {
        Ok(knowledge) => knowledge,
        Err(why) => return refused(why),
    };
    let in_use = in_use(updater, now);
    let next = match accept(&verified, &updater.keys, &state, in_use, &shown, now) {
        Ok(next) => next,
        Err(Refusal::NotNewer { sequence, in_use }) if sequence == in_use => {
            return Outcome::Current {
                source: shown.clone(),
            };
        }
        Err(refusal) => return refused(Why::Refusal(refusal)),
    };
    if let Err(e) = updater.store.install(&bytes, &next, &knowledge) {
        return refused(Why::Store(e));
    }
    Outcome::Installed {
        source: shown.clone(),
        sequence: verified.header.sequence,
        key: verified.signer.to_string(),
        issued: bundle::format_time(verified.header.issued_at),
        expired: now > verified.header.expires_at,
    }
}

/// What a verified bundle must also satisfy: Google's signature over its
/// CT log list when it carries one, pins that load, a log list that
/// parses. Its validated knowledge, to cache at install.
fn check_contents(verified: &bundle::Verified) -> Result<crate::knowledge::Knowledge, Why> {
    let payload = &verified.payload;
    let list = payload.file(bundle::LOG_LIST).ok_or(Why::NoLogList)?;
    if let Some(sig) = payload.log_list_signature().map_err(Why::Bundle)? {
        if !crate::ct::signed::google_signed(list.as_bytes(), &sig) {
            return Err(Why::LogListSignature);
        }
    }
    let knowledge = payload
        .knowledge()
        .map_err(|e| Why::Contents(e.to_string()))?;
    let name = format!("bundle {}: ct/log_list.json", verified.header.sequence);
    crate::ct::LogList::parse(list.as_bytes(), &name).map_err(|e| Why::Contents(e.to_string()))?;
    Ok(knowledge)
}
