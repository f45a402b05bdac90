//! The check engine: the one-shot interception check that the CLI runs and
//! the agent reuses. It probes all targets concurrently, runs the
//! captive-portal checks only when a target needs them, and analyses each
//! observation. The caller supplies the clock.

mod locate;
mod stores;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

pub use locate::{TRACE_BUDGET, locate_interceptors};
pub use stores::{StoreError, load_pem_certs, load_public_roots, load_system_roots};

use crate::analysis::{self, Assessment, Context, TrustStore, Verdict};
use crate::knowledge::Knowledge;
use crate::observation::{Observation, ProbeError, Stage};
use crate::probe::portal::{self, PortalCheck};
use crate::probe::{self, ProbeOptions};
use crate::target::Target;

/// One target and the service it was chosen for (if named explicitly).
#[derive(Clone, Debug)]
pub struct PlannedTarget {
    /// What to probe.
    pub target: Target,
    /// The service, by name; `None` finds it by host.
    pub service: Option<String>,
}

/// What to check and how.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Targets in the order they are reported.
    pub targets: Vec<PlannedTarget>,
    /// At most this many probes at once.
    pub concurrency: usize,
    /// Timeouts, proxy, address overrides.
    pub probe: ProbeOptions,
    /// Connectivity checks for captive portals (empty: never check).
    pub portal_checks: Vec<PortalCheck>,
    /// Locate interceptors with a TTL trace (only when something is
    /// intercepted).
    pub trace: bool,
}

/// The trust stores and knowledge a check judges against.
#[derive(Debug)]
pub struct Judge {
    /// Public roots.
    pub public: TrustStore,
    /// This machine's roots.
    pub system: TrustStore,
    /// Services, interceptors, portal keys.
    pub knowledge: Knowledge,
    /// The CT log list, when Certificate Transparency applies: always with
    /// the built-in public store (the Web PKI logs its certificates); with
    /// `--public-roots` only when `--ct-logs` names the logs too.
    pub ct_logs: Option<crate::ct::LogList>,
}

impl Judge {
    /// The one place the engine is set up, for `check`, the agent and
    /// `pins capture`: `knowledge`, the public store (webpki-roots, or the
    /// certificates of `public_roots`) and this machine's store. Returns the
    /// problems met reading this machine's store, which do not stop a check.
    pub fn load(
        knowledge: Knowledge,
        public_roots: Option<&std::path::Path>,
        ct_logs: Option<crate::ct::LogList>,
    ) -> Result<(Judge, Vec<String>), StoreError> {
        let public = load_public_roots(public_roots)?;
        let (system, warnings) = load_system_roots();
        Ok((
            Judge {
                public,
                system,
                knowledge,
                ct_logs,
            },
            warnings,
        ))
    }
}

/// The async runtime the network commands run the engine on.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
}

/// Probes every target of `plan` and judges the results at time `now`
/// (seconds since the epoch). Results come back in plan order.
pub async fn run(plan: &Plan, judge: &Judge, now: i64) -> Vec<Assessment> {
    let observations = probe_all(plan).await;
    let portal = if !plan.portal_checks.is_empty()
        && observations.iter().any(analysis::needs_portal_check)
    {
        let limit = plan.probe.timeout.min(Duration::from_secs(5));
        Some(portal::detect(&plan.portal_checks, &plan.probe.proxy, limit).await)
    } else {
        None
    };
    let ctx = Context {
        public: &judge.public,
        system: &judge.system,
        knowledge: &judge.knowledge,
        now,
        portal: portal.as_ref(),
        ct_logs: judge.ct_logs.as_ref(),
    };
    let mut results: Vec<Assessment> = plan
        .targets
        .iter()
        .zip(&observations)
        .map(|(planned, obs)| {
            let service = match &planned.service {
                Some(name) => judge.knowledge.service(name),
                None => judge.knowledge.service_for_host(&planned.target.host),
            };
            analysis::analyze(obs, service, ctx)
        })
        .collect();
    if plan.trace {
        locate_interceptors(&mut results, TRACE_BUDGET.min(plan.probe.timeout)).await;
    }
    results
}

async fn probe_all(plan: &Plan) -> Vec<Observation> {
    let permits = Arc::new(Semaphore::new(plan.concurrency.max(1)));
    let options = Arc::new(plan.probe.clone());
    let mut tasks = tokio::task::JoinSet::new();
    for (i, planned) in plan.targets.iter().enumerate() {
        let (permits, options, target) = (permits.clone(), options.clone(), planned.target.clone());
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            (i, probe::probe(&target, &options).await)
        });
    }
    let mut slots: Vec<Option<Observation>> = vec![None; plan.targets.len()];
    while let Some(joined) = tasks.join_next().await {
        if let Ok((i, obs)) = joined {
            slots[i] = Some(obs);
        }
    }
    slots
        .into_iter()
        .zip(&plan.targets)
        .map(|(slot, planned)| {
            slot.unwrap_or_else(|| {
                Observation::failed(
                    planned.target.clone(),
                    ProbeError::new(Stage::Tls, "probe task failed"),
                )
            })
        })
        .collect()
}

/// The process exit code for a set of results: the exit code of their
/// overall verdict ([`Verdict::overall`]), 3 when there are none.
pub fn exit_code(results: &[Assessment]) -> i32 {
    exit_code_of(results.iter().map(|a| a.verdict))
}

/// [`exit_code`] over bare verdicts (as recorded in the journal).
pub fn exit_code_of(verdicts: impl IntoIterator<Item = Verdict>) -> i32 {
    Verdict::overall(verdicts).map_or(3, Verdict::exit_code)
}
