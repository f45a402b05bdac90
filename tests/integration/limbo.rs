//! x509-limbo through pinwatch: every SERVER case of the C2SP path-validation
//! suite (tests/data/x509-limbo) is presented by a real TLS server on
//! 127.0.0.1 with the case's key and judged by the check engine with the
//! case's trusted certificates as the public roots, at the case's validation
//! time. No case may panic or hang; a case limbo expects to fail is never
//! `ok`, and one it expects to pass is `ok`, unless the divergence list
//! (tests/data/x509-limbo/divergences.toml) says why not, and the list may
//! hold nothing that is no longer true.
//!
//! `PINWATCH_LIMBO_WRITE=1` rewrites the list from this run (keeping
//! existing reasons); `PINWATCH_LIMBO_TABLE=1` prints every case's result.

mod corpus;
mod divergences;
mod drive;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use corpus::{Case, Expected};
use divergences::{Entry, TODO};
use drive::{Outcome, Route};
use pinwatch::knowledge::Knowledge;

/// Cases in flight at once.
const PARALLEL: usize = 16;
/// One case's limit: a probe has 10 s; analysis is pure.
const CASE_TIMEOUT: Duration = Duration::from_secs(30);
/// With no case finishing for this long, the run has hung (a case stuck in
/// synchronous code, which no async timeout can interrupt).
const STALL: Duration = Duration::from_secs(90);

/// The verdicts, in the order the summary shows them.
const VERDICTS: [&str; 5] = [
    "ok",
    "suspicious",
    "intercepted",
    "captive_portal",
    "unreachable",
];

struct Row<'a> {
    case: &'a Case,
    outcome: Outcome,
}

impl Row<'_> {
    /// The verdict, when the engine judged the case.
    fn verdict(&self) -> Option<&str> {
        match &self.outcome {
            Outcome::Judged { verdict, .. } => Some(verdict),
            _ => None,
        }
    }

    /// Whether pinwatch's verdict differs from limbo's expectation.
    fn diverges(&self) -> bool {
        match (self.case.expected_result, self.verdict()) {
            (Expected::Success, Some(v)) => v != "ok",
            (Expected::Failure, Some(v)) => v == "ok",
            (_, None) => false,
        }
    }

    /// `verdict [reasons]`, or what happened instead.
    fn result(&self) -> String {
        match &self.outcome {
            Outcome::Judged {
                verdict, reasons, ..
            } => format!("{verdict} [{}]", reasons.join(", ")),
            Outcome::NotApplicable(why) => format!("not applicable: {why}"),
            Outcome::Broken(why) => format!("broken: {why}"),
        }
    }

    /// The offending case, for a failure message.
    fn describe(&self) -> String {
        format!(
            "{} ({}): {} -- {}",
            self.case.id,
            self.case.expected_result,
            self.result(),
            self.case.summary()
        )
    }
}

#[test]
fn every_server_case_is_judged_as_limbo_expects_or_listed() {
    let limbo = corpus::load().unwrap_or_else(|e| panic!("{e}"));
    let cases: Vec<Arc<Case>> = limbo.testcases.into_iter().map(Arc::new).collect();
    let knowledge = pinwatch::knowledge::load_embedded().unwrap_or_else(|e| panic!("{e}"));
    let started = Instant::now();
    let outcomes = run_all(&cases, Arc::new(knowledge));
    let elapsed = started.elapsed();
    let rows: Vec<Row<'_>> = cases
        .iter()
        .zip(outcomes)
        .map(|(case, outcome)| Row { case, outcome })
        .collect();

    let mut listed = divergences::load().unwrap_or_else(|e| panic!("{e}"));
    if std::env::var("PINWATCH_LIMBO_WRITE").as_deref() == Ok("1") {
        listed = regenerated(&rows, &listed);
        divergences::write(&listed).unwrap_or_else(|e| panic!("{e}"));
        eprintln!(
            "x509-limbo: wrote {} divergences to {}",
            listed.len(),
            divergences::path().display()
        );
    }
    if std::env::var("PINWATCH_LIMBO_TABLE").as_deref() == Ok("1") {
        print_table(&rows);
    }
    print_summary(&rows, &listed, elapsed);

    let problems = problems(&rows, &listed);
    assert!(
        problems.is_empty(),
        "x509-limbo: {} problem(s):\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

/// Drives every case, [`PARALLEL`] at a time, on a runtime of its own in a
/// thread of its own, so that a hung case cannot hang the test.
fn run_all(cases: &[Arc<Case>], knowledge: Arc<Knowledge>) -> Vec<Outcome> {
    let (tx, rx) = channel::<(usize, Outcome)>();
    let in_flight: Arc<Mutex<BTreeSet<usize>>> = Arc::default();
    let (work, flight) = (cases.to_vec(), in_flight.clone());
    std::thread::spawn(move || {
        let runtime = match tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(e) => {
                for i in 0..work.len() {
                    let _ = tx.send((i, Outcome::Broken(format!("tokio runtime: {e}"))));
                }
                return;
            }
        };
        runtime.block_on(async move {
            let permits = Arc::new(tokio::sync::Semaphore::new(PARALLEL));
            let mut tasks = tokio::task::JoinSet::new();
            for (i, case) in work.into_iter().enumerate() {
                let (permits, tx, flight) = (permits.clone(), tx.clone(), flight.clone());
                let knowledge = knowledge.clone();
                tasks.spawn(async move {
                    let _permit = permits.acquire_owned().await;
                    if let Ok(mut f) = flight.lock() {
                        f.insert(i);
                    }
                    let outcome = bounded(case, knowledge).await;
                    if let Ok(mut f) = flight.lock() {
                        f.remove(&i);
                    }
                    let _ = tx.send((i, outcome));
                });
            }
            while tasks.join_next().await.is_some() {}
        });
        runtime.shutdown_timeout(Duration::from_secs(1));
    });

    let mut slots: Vec<Option<Outcome>> = vec![None; cases.len()];
    let mut received = 0;
    while received < cases.len() {
        match rx.recv_timeout(STALL) {
            Ok((i, outcome)) => {
                slots[i] = Some(outcome);
                received += 1;
            }
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => break,
        }
    }
    let hung = in_flight.lock().map(|f| f.clone()).unwrap_or_default();
    slots
        .into_iter()
        .enumerate()
        .map(|(i, slot)| {
            slot.unwrap_or_else(|| {
                Outcome::Broken(if hung.contains(&i) {
                    format!("hung: no verdict, and no case finished for {STALL:?}")
                } else {
                    "not run: the run stopped first".into()
                })
            })
        })
        .collect()
}

/// One case in a task of its own, with a deadline; a panic or a timeout
/// becomes its outcome.
async fn bounded(case: Arc<Case>, knowledge: Arc<Knowledge>) -> Outcome {
    let mut task = tokio::spawn(drive::drive(case, knowledge));
    match tokio::time::timeout(CASE_TIMEOUT, &mut task).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(e)) if e.is_panic() => {
            let payload = e.into_panic();
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Outcome::Broken(format!("panicked: {message}"))
        }
        Ok(Err(e)) => Outcome::Broken(format!("task failed: {e}")),
        Err(_) => {
            task.abort();
            Outcome::Broken(format!("no verdict within {CASE_TIMEOUT:?}"))
        }
    }
}

/// Everything wrong with this run against the list.
fn problems(rows: &[Row<'_>], listed: &[Entry]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut by_id: HashMap<&str, &Entry> = HashMap::new();
    for entry in listed {
        if by_id.insert(&entry.id, entry).is_some() {
            problems.push(format!("{}: listed twice in divergences.toml", entry.id));
        }
        if entry.reason.trim().is_empty() || entry.reason.trim() == TODO {
            problems.push(format!(
                "{}: the divergence has no reason yet (reason = {:?})",
                entry.id, entry.reason
            ));
        }
    }
    let ids: BTreeSet<&str> = rows.iter().map(|r| r.case.id.as_str()).collect();
    for entry in listed.iter().filter(|e| !ids.contains(e.id.as_str())) {
        problems.push(format!("{}: listed, but limbo has no such case", entry.id));
    }
    for row in rows {
        let entry = by_id.get(row.case.id.as_str());
        match (&row.outcome, entry) {
            (Outcome::Broken(_), _) => problems.push(row.describe()),
            (Outcome::NotApplicable(_), Some(_)) => {
                problems.push(format!("listed, but not applicable: {}", row.describe()))
            }
            (Outcome::NotApplicable(_), None) => {}
            (Outcome::Judged { verdict, .. }, entry) => match (row.diverges(), entry) {
                (true, None) => problems.push(format!("unlisted divergence: {}", row.describe())),
                (true, Some(e)) => {
                    if e.pinwatch != *verdict || e.expected != row.case.expected_result.as_str() {
                        problems.push(format!(
                            "listed as expected {} / pinwatch {}, now: {}",
                            e.expected,
                            e.pinwatch,
                            row.describe()
                        ));
                    }
                }
                (false, Some(e)) => problems.push(format!(
                    "stale entry (listed as pinwatch {}), no longer diverges: {}",
                    e.pinwatch,
                    row.describe()
                )),
                (false, None) => {}
            },
        }
    }
    problems
}

/// The list this run implies, keeping the reasons already written.
fn regenerated(rows: &[Row<'_>], listed: &[Entry]) -> Vec<Entry> {
    let reasons: HashMap<&str, &str> = listed
        .iter()
        .map(|e| (e.id.as_str(), e.reason.as_str()))
        .collect();
    rows.iter()
        .filter(|r| r.diverges())
        .map(|r| Entry {
            id: r.case.id.clone(),
            expected: r.case.expected_result.as_str().into(),
            pinwatch: r.verdict().unwrap_or_default().into(),
            reason: reasons.get(r.case.id.as_str()).unwrap_or(&TODO).to_string(),
        })
        .collect()
}

/// Counts by expected result and verdict, the routes taken, on stderr.
fn print_summary(rows: &[Row<'_>], listed: &[Entry], elapsed: Duration) {
    let mut columns: Vec<String> = VERDICTS.iter().map(|v| v.to_string()).collect();
    let mut counts: BTreeMap<(Expected, String), usize> = BTreeMap::new();
    let (mut handshakes, mut recorded) = (0, Vec::new());
    for row in rows {
        let column = match &row.outcome {
            Outcome::Judged { verdict, route, .. } => {
                match route {
                    Route::Handshake => handshakes += 1,
                    Route::Recorded(why) => recorded.push(format!("{}: {why}", row.case.id)),
                }
                verdict.clone()
            }
            Outcome::NotApplicable(_) => "n/a".into(),
            Outcome::Broken(_) => "broken".into(),
        };
        if !columns.contains(&column) {
            columns.push(column.clone());
        }
        *counts
            .entry((row.case.expected_result, column))
            .or_default() += 1;
    }
    for extra in ["n/a", "broken"] {
        if !columns.iter().any(|c| c == extra) {
            columns.push(extra.into());
        }
    }
    let width = columns.iter().map(String::len).max().unwrap_or(0).max(5);
    let mut out = format!(
        "x509-limbo: {} cases in {:.1} s: {handshakes} judged over a TLS handshake, {} from a \
         recorded observation, {} divergences listed\n{:<9}",
        rows.len(),
        elapsed.as_secs_f64(),
        recorded.len(),
        listed.len(),
        "expected"
    );
    for c in &columns {
        out.push_str(&format!(" {c:>width$}"));
    }
    for expected in [Expected::Success, Expected::Failure] {
        out.push_str(&format!("\n{:<9}", expected.as_str()));
        for c in &columns {
            let n = counts.get(&(expected, c.clone())).copied().unwrap_or(0);
            out.push_str(&format!(" {n:>width$}"));
        }
    }
    if !recorded.is_empty() {
        out.push_str("\nrecorded observations (no server could present the chain):");
        for line in &recorded {
            out.push_str(&format!("\n  {line}"));
        }
    }
    eprintln!("{out}");
}

/// Every case's result, one per line, tab-separated.
fn print_table(rows: &[Row<'_>]) {
    for row in rows {
        let (route, evidence) = match &row.outcome {
            Outcome::Judged {
                route, evidence, ..
            } => (
                match route {
                    Route::Handshake => "handshake".to_string(),
                    Route::Recorded(why) => format!("recorded ({why})"),
                },
                evidence.join("; "),
            ),
            _ => (String::new(), String::new()),
        };
        eprintln!(
            "{}\t{}\t{}\t{}\t{}\t{}",
            row.case.id,
            row.case.expected_result,
            row.result(),
            route,
            evidence,
            row.case.summary()
        );
    }
}
