//! The agent's knowledge updates: fetch a bundle from the config's
//! `update_from` at start, then about once a day (24 to 26 hours apart,
//! at random, so a fleet's agents do not all ask at once) and after each
//! network change; and before every cycle, pick up a bundle that is now
//! newer than the knowledge in use (fetched here, or by `pinwatch pins
//! update` or the system's timer), without a restart.
//!
//! The loop calls [`KnowledgeUpdates::before_cycle`] once per cycle; the
//! rest is here.

use std::time::Duration;

use tokio::time::Instant;

use super::config::AgentConfig;
use crate::check::{Judge, Plan};
use crate::journal::Trigger;
use crate::knowledge::keys::{Keys, Role};
use crate::knowledge::store::Store;
use crate::knowledge::{self, Knowledge, Loaded};
use crate::update::{Source, Updater};

/// How often to fetch, at least.
const DAY: Duration = Duration::from_secs(24 * 3600);
/// The most the daily fetch is moved, at random.
const JITTER: Duration = Duration::from_secs(2 * 3600);

/// Rebuilds the plan for new knowledge (services may have come or gone).
pub type Replan = Box<dyn Fn(&Knowledge) -> Option<Plan> + Send>;

/// The agent's knowledge: where updates come from and which bundle is in use.
pub struct KnowledgeUpdates {
    sources: Vec<Source>,
    keys: Keys,
    stores: Vec<Store>,
    user: Option<Store>,
    in_use: Option<u64>,
    next_fetch: Option<Instant>,
    timeout: Duration,
    public_roots: Option<std::path::PathBuf>,
    replan: Replan,
}

/// A line on stderr, like the loop's.
fn log(message: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "pinwatch agent: {message}");
}

impl KnowledgeUpdates {
    /// Updates for an agent whose knowledge is `loaded`; `None` when it
    /// judges with a pins directory (`pins = DIR`), which no bundle replaces.
    pub fn new(config: &AgentConfig, loaded: &Loaded, replan: Replan) -> Option<KnowledgeUpdates> {
        if config.pins.is_some() {
            return None;
        }
        let env = |k: &str| std::env::var(k).ok();
        let mut keys = Keys::project();
        for key in &config.trusted_keys {
            // Checked when the config was read.
            let _ = keys.add(key, Role::Admin);
        }
        Some(KnowledgeUpdates {
            sources: config
                .update_from
                .iter()
                .filter_map(|s| Source::parse(s).ok())
                .collect(),
            keys,
            stores: knowledge::stores(&env),
            user: Store::user(),
            in_use: loaded.about.sequence,
            next_fetch: Some(Instant::now()),
            timeout: config.timeout.max(Duration::from_secs(30)),
            public_roots: config.public_roots.clone(),
            replan,
        })
    }

    /// Before a cycle started by `trigger`: fetches when due or after a
    /// network change, then moves `judge` and `plan` to a newer bundle when
    /// there is one.
    pub async fn before_cycle(&mut self, judge: &mut Judge, plan: &mut Plan, trigger: Trigger) {
        let due = self.next_fetch.is_some_and(|t| Instant::now() >= t);
        if !self.sources.is_empty() && (due || trigger == Trigger::Network) {
            self.fetch(judge, plan).await;
            self.next_fetch = Some(Instant::now() + DAY + jitter());
        }
        self.pick_up(judge, plan);
    }

    async fn fetch(&mut self, judge: &Judge, plan: &Plan) {
        let Some(store) = self.user.clone() else {
            return;
        };
        let updater = Updater {
            keys: self.keys.clone(),
            store,
            in_use: self.stores.clone(),
            probe: plan.probe.clone(),
            judge,
            timeout: self.timeout,
        };
        let now = crate::util::now();
        for outcome in crate::update::update(&updater, &self.sources, now).await {
            let sequence = crate::update::in_use(&updater, now);
            log(&outcome.line(crate::i18n::Lang::En, sequence));
        }
    }

    /// Uses the newest verified bundle if it is not the one in use.
    fn pick_up(&mut self, judge: &mut Judge, plan: &mut Plan) {
        let loaded = match knowledge::load(None) {
            Ok(loaded) => loaded,
            Err(e) => return log(&format!("the knowledge cannot be reloaded: {e}")),
        };
        if loaded.about.sequence == self.in_use {
            return;
        }
        let ct_logs = match loaded.ct_logs(self.public_roots.as_deref(), None) {
            Ok(list) => list,
            Err(e) => return log(&format!("the new knowledge's CT log list: {e}")),
        };
        if let Some(next) = (self.replan)(&loaded.knowledge) {
            *plan = next;
        }
        judge.knowledge = loaded.knowledge;
        judge.ct_logs = ct_logs;
        self.in_use = loaded.about.sequence;
        log(&format!(
            "now judging with knowledge bundle {} ({})",
            loaded.about.sequence.unwrap_or(0),
            loaded.about.source
        ));
    }
}

/// Up to [`JITTER`], at random.
fn jitter() -> Duration {
    use ring::rand::SecureRandom as _;
    let mut bytes = [0u8; 4];
    let _ = ring::rand::SystemRandom::new().fill(&mut bytes);
    JITTER.mul_f64(f64::from(u32::from_le_bytes(bytes)) / f64::from(u32::MAX))
}
