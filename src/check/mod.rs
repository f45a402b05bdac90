//! The check engine: the one-shot interception check that the CLI runs and
//! the agent reuses. It probes all targets concurrently (as many at once as
//! [`limits`] allows), analyses each observation as it arrives on one
//! thread per core, runs the captive-portal checks only when a target needs
//! them, and hands each result to the caller as it is ready. The caller
//! supplies the clock.

pub(crate) mod limits;
mod locate;
mod stores;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::task::JoinSet;

pub use stores::StoreError;

pub(crate) use locate::{TRACE_BUDGET, locate_interceptors};
pub(crate) use stores::{load_public_roots, load_system_roots};

use crate::analysis::{self, Assessment, Context, TrustStore, Verdict};
use crate::knowledge::Knowledge;
use crate::observation::{Observation, PortalEvidence, ProbeError, Stage};
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
    /// Interceptors the administrator runs on purpose: their interceptions
    /// are marked, and weigh as `ok` ([`Assessment::standing`]).
    pub sanctioned: Vec<analysis::Sanction>,
}

/// The trust stores and knowledge a check judges against.
#[derive(Debug)]
pub struct Judge {
    /// Public roots.
    pub public: TrustStore,
    /// This machine's roots, read on a thread of their own (see [`Judge::system`]).
    system: SystemRoots,
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
    /// certificates of `public_roots`) and this machine's store. A public
    /// store that cannot be used is an error here, before anything is
    /// probed; this machine's store is read on a thread of its own from now
    /// on, so that reading its files overlaps the first handshakes, and its
    /// problems (which do not stop a check) come from
    /// [`Judge::system_warnings`].
    pub fn load(
        knowledge: Knowledge,
        public_roots: Option<&std::path::Path>,
        ct_logs: Option<crate::ct::LogList>,
    ) -> Result<Judge, StoreError> {
        let public = load_public_roots(public_roots)?;
        Ok(Judge::with_public(knowledge, public, ct_logs))
    }

    /// [`Judge::load`] with the public store already loaded (the agent's,
    /// loaded once when its config was validated).
    pub fn with_public(
        knowledge: Knowledge,
        public: TrustStore,
        ct_logs: Option<crate::ct::LogList>,
    ) -> Judge {
        Judge {
            public,
            system: SystemRoots::read_in_background(),
            knowledge,
            ct_logs,
        }
    }

    /// A judge with every store given (tests, and callers that read this
    /// machine's store themselves).
    pub fn with_stores(
        knowledge: Knowledge,
        public: TrustStore,
        system: TrustStore,
        ct_logs: Option<crate::ct::LogList>,
    ) -> Judge {
        let ready = std::sync::OnceLock::new();
        let _ = ready.set((system, Vec::new()));
        Judge {
            public,
            system: SystemRoots {
                ready,
                reading: Mutex::new(None),
            },
            knowledge,
            ct_logs,
        }
    }

    /// This machine's store (waits for it to be read, the first time).
    pub fn system(&self) -> &TrustStore {
        &self.system.get().0
    }

    /// The problems met reading this machine's store (waits likewise).
    pub fn system_warnings(&self) -> &[String] {
        &self.system.get().1
    }

    /// Reads this machine's store again (the agent, before each cycle: a
    /// root installed since the last one matters).
    pub fn reload_system(&mut self) {
        self.system = SystemRoots::read_in_background();
    }
}

/// This machine's store and the problems met reading it.
type Read = (TrustStore, Vec<String>);

/// This machine's store, once a thread of its own has read it.
#[derive(Debug)]
struct SystemRoots {
    ready: std::sync::OnceLock<Read>,
    reading: Mutex<Option<std::thread::JoinHandle<Read>>>,
}

impl SystemRoots {
    fn read_in_background() -> Self {
        let reading = std::thread::Builder::new()
            .name("system-roots".into())
            .spawn(load_system_roots);
        let ready = std::sync::OnceLock::new();
        let reading = match reading {
            Ok(handle) => Some(handle),
            Err(_) => {
                // No thread to spare: read it here.
                let _ = ready.set(load_system_roots());
                None
            }
        };
        SystemRoots {
            ready,
            reading: Mutex::new(reading),
        }
    }

    fn get(&self) -> &Read {
        self.ready.get_or_init(|| {
            let handle = self.reading.lock().ok().and_then(|mut h| h.take());
            handle.and_then(|h| h.join().ok()).unwrap_or_else(|| {
                (
                    TrustStore::default(),
                    vec!["system trust store: could not be read (its reader stopped)".into()],
                )
            })
        })
    }
}

/// The async runtime the network commands run the engine on.
pub(crate) fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
}

/// Probes every target of `plan` and judges the results at time `now`
/// (seconds since the epoch). Results come back in plan order.
pub async fn run(plan: &Plan, judge: &Judge, now: i64) -> Vec<Assessment> {
    let mut slots: Vec<Option<Assessment>> = vec![None; plan.targets.len()];
    run_each(plan, judge, now, |i, a| {
        if let Some(slot) = slots.get_mut(i) {
            *slot = Some(a);
        }
    })
    .await;
    slots.into_iter().flatten().collect()
}

/// Probes every target of `plan` and judges each observation as soon as it
/// arrives, on one analysis thread per core, while the other probes go on.
/// Calls `sink(index in plan.targets, assessment)` on the calling thread,
/// in the order results finish. An observation whose certificate does not
/// name its host waits for the captive-portal checks, which start when the
/// first such observation arrives. Needs the multi-thread runtime.
pub(crate) async fn run_each(
    plan: &Plan,
    judge: &Judge,
    now: i64,
    mut sink: impl FnMut(usize, Assessment),
) {
    if plan.targets.is_empty() {
        return;
    }
    let mut held: Vec<(usize, Assessment)> = Vec::new();
    // Bounded both ways: when the caller's sink or the analysis falls
    // behind, the feeder waits and no new probe starts, so memory is what
    // is in flight, however long the list.
    let (ready_tx, ready_rx) = std::sync::mpsc::sync_channel::<Ready>(QUEUE);
    let workers = std::thread::available_parallelism()
        .map_or(2, std::num::NonZeroUsize::get)
        .min(plan.targets.len());
    let runtime = tokio::runtime::Handle::current();
    tokio::task::block_in_place(|| {
        let ready_rx = Mutex::new(ready_rx);
        let (done_tx, done_rx) = std::sync::mpsc::sync_channel::<Done>(QUEUE);
        std::thread::scope(|scope| {
            // The probes, driven from a thread of this scope so they borrow
            // the plan (a list of many targets is not copied).
            scope.spawn(|| runtime.block_on(feed(plan, ready_tx)));
            for _ in 0..workers {
                let (ready_rx, done_tx, runtime) = (&ready_rx, done_tx.clone(), &runtime);
                scope.spawn(move || {
                    loop {
                        let next = match ready_rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        let Ok(ready) = next else { return };
                        let assessment = judge_one(plan, judge, now, &ready);
                        let done = match assessment.fetch_issuer.clone() {
                            // The fetch holds a sender until it is back,
                            // so the results cannot end before it.
                            Some(url) => {
                                let back = done_tx.clone();
                                let route = plan.probe.proxy.clone();
                                let left = plan.probe.timeout.saturating_sub(ready.obs.elapsed);
                                runtime.spawn(async move {
                                    let again = fetch_issuer(ready, url, route, left).await;
                                    // The channel is bounded: wait off the runtime.
                                    let again = Done::Again(Box::new(again));
                                    let _ =
                                        tokio::task::spawn_blocking(move || back.send(again)).await;
                                });
                                continue;
                            }
                            None => Done::Judged(ready.index, Box::new(assessment)),
                        };
                        if done_tx.send(done).is_err() {
                            return;
                        }
                    }
                });
            }
            drop(done_tx);
            for done in done_rx {
                let (i, assessment) = match done {
                    Done::Judged(i, assessment) => (i, *assessment),
                    // Rare (a chain that stops at a missing issuer): judged
                    // here, with what was fetched.
                    Done::Again(ready) => (ready.index, judge_one(plan, judge, now, &ready)),
                };
                // An interception waits for its location, traced below
                // once every result is in; the rest streams at once.
                if plan.trace && assessment.verdict == Verdict::Intercepted {
                    held.push((i, assessment));
                } else {
                    sink(i, assessment);
                }
            }
        });
    });
    if !held.is_empty() {
        let (indices, mut intercepted): (Vec<usize>, Vec<Assessment>) = held.into_iter().unzip();
        locate_interceptors(&mut intercepted, TRACE_BUDGET, plan.probe.timeout).await;
        for (i, assessment) in indices.into_iter().zip(intercepted) {
            sink(i, assessment);
        }
    }
}

/// What an analysis thread hands back.
enum Done {
    /// A result.
    Judged(usize, Box<Assessment>),
    /// An observation whose missing issuer was fetched: judge it again.
    Again(Box<Ready>),
}

/// Fetches the missing issuer at `url` for `ready`'s observation (through
/// the target's proxy rules, within what is left of its deadline) and
/// records the fetch in it, for a second analysis.
async fn fetch_issuer(
    mut ready: Ready,
    url: String,
    route: crate::probe::proxy::ProxyRoute,
    left: Duration,
) -> Ready {
    let fetched = if left.is_zero() {
        Err("no time left within the target's --timeout".to_string())
    } else {
        probe::aia::fetch(&url, &route, left).await
    };
    let error = match fetched {
        Ok(certs) => {
            ready.obs.fetched = certs;
            None
        }
        Err(e) => Some(e),
    };
    ready.obs.aia = Some(crate::observation::AiaFetch { url, error });
    ready
}

/// Observations waiting to be judged, and results waiting for the sink, at
/// most. The feeder runs on a thread of its own (not a runtime worker), so
/// waiting for room blocks nothing but the start of the next probe.
const QUEUE: usize = 256;

/// An observation ready to be judged.
struct Ready {
    index: usize,
    obs: Observation,
    portal: Option<Arc<PortalEvidence>>,
}

fn judge_one(plan: &Plan, judge: &Judge, now: i64, ready: &Ready) -> Assessment {
    let service = plan
        .targets
        .get(ready.index)
        .and_then(|planned| match &planned.service {
            Some(name) => judge.knowledge.service(name),
            None => judge.knowledge.service_for_host(&planned.target.host),
        });
    let mut assessment =
        judge_observation(judge, &ready.obs, service, ready.portal.as_deref(), now);
    analysis::sanction::mark(&mut assessment, &plan.sanctioned);
    assessment
}

/// Judges one observation, as a check judges each of its targets (the
/// knowledge update's HTTPS connection is judged so).
pub(crate) fn judge_observation(
    judge: &Judge,
    obs: &Observation,
    service: Option<&crate::knowledge::Service>,
    portal: Option<&PortalEvidence>,
    now: i64,
) -> Assessment {
    let ctx = Context {
        public: &judge.public,
        system: judge.system(),
        knowledge: &judge.knowledge,
        now,
        portal,
        ct_logs: judge.ct_logs.as_ref(),
        built: crate::analysis::built_at(),
    };
    analysis::analyze(obs, service, ctx)
}

/// Runs the probes, at most `plan.concurrency` at once (the next starts
/// when one ends, so targets not yet started cost nothing), and passes each
/// observation on as it arrives; those that need the captive-portal checks
/// wait for them.
async fn feed(plan: &Plan, ready: std::sync::mpsc::SyncSender<Ready>) {
    let options = Arc::new(plan.probe.clone());
    let mut tasks = JoinSet::new();
    let mut index_of = HashMap::with_capacity(plan.concurrency);
    let mut next = plan.targets.iter().enumerate();
    let mut start_next = |tasks: &mut JoinSet<(usize, Observation)>,
                          index_of: &mut HashMap<tokio::task::Id, usize>| {
        if let Some((i, planned)) = next.next() {
            let (options, target) = (options.clone(), planned.target.clone());
            let handle = tasks.spawn(async move { (i, probe::probe(&target, &options).await) });
            index_of.insert(handle.id(), i);
        }
    };
    for _ in 0..plan.concurrency.max(1) {
        start_next(&mut tasks, &mut index_of);
    }
    let mut portal = Portal::NotNeeded;
    let mut waiting: Vec<(usize, Observation)> = Vec::new();
    let send = |index, obs, portal| {
        let _ = ready.send(Ready { index, obs, portal });
    };
    loop {
        let running = matches!(portal, Portal::Running(_));
        tokio::select! {
            joined = tasks.join_next_with_id(), if !tasks.is_empty() => {
                start_next(&mut tasks, &mut index_of);
                let (i, obs) = match joined {
                    Some(Ok((id, (i, obs)))) => {
                        index_of.remove(&id);
                        (i, obs)
                    }
                    Some(Err(e)) => {
                        let Some(i) = index_of.remove(&e.id()) else { continue };
                        let Some(planned) = plan.targets.get(i) else { continue };
                        let failed = ProbeError::new(Stage::Tls, "probe task failed");
                        (i, Observation::failed(planned.target.clone(), failed))
                    }
                    None => continue,
                };
                if plan.portal_checks.is_empty() || !analysis::needs_portal_check(&obs) {
                    send(i, obs, None);
                    continue;
                }
                match &portal {
                    Portal::Done(evidence) => send(i, obs, Some(evidence.clone())),
                    Portal::Running(_) => waiting.push((i, obs)),
                    Portal::NotNeeded => {
                        let limit = plan.probe.timeout.min(Duration::from_secs(5));
                        let (checks, proxy) = (plan.portal_checks.clone(), plan.probe.proxy.clone());
                        portal = Portal::Running(tokio::spawn(async move {
                            portal::detect(&checks, &proxy, limit).await
                        }));
                        waiting.push((i, obs));
                    }
                }
            }
            detected = async {
                match &mut portal {
                    Portal::Running(task) => task.await,
                    _ => std::future::pending().await,
                }
            }, if running => {
                let evidence = Arc::new(detected.unwrap_or_else(|_| PortalEvidence {
                    detected: false,
                    details: vec!["the connectivity checks failed to run".into()],
                }));
                for (i, obs) in waiting.drain(..) {
                    send(i, obs, Some(evidence.clone()));
                }
                portal = Portal::Done(evidence);
            }
            else => break,
        }
    }
}

/// The captive-portal checks of one run.
enum Portal {
    /// No observation has needed them yet.
    NotNeeded,
    /// Started.
    Running(tokio::task::JoinHandle<PortalEvidence>),
    /// Finished.
    Done(Arc<PortalEvidence>),
}

/// The process exit code for a set of results: the exit code of their
/// overall standing verdict ([`Verdict::overall`] of
/// [`Assessment::standing`]: a sanctioned interception weighs as ok), 3
/// when there are none.
#[cfg(any(test, feature = "agent"))]
pub(crate) fn exit_code(results: &[Assessment]) -> i32 {
    exit_code_of(results.iter().map(Assessment::standing))
}

/// [`exit_code`] over bare verdicts (as recorded in the journal).
pub(crate) fn exit_code_of(verdicts: impl IntoIterator<Item = Verdict>) -> i32 {
    Verdict::overall(verdicts).map_or(3, Verdict::exit_code)
}
