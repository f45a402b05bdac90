//! The JSON reporter: one document, schema `pinwatch.check/2`. Field names
//! and reason strings are stable API for scripts and fleet monitoring.

use std::io::{self, Write};

use serde::Serialize;

use super::{Grouped, Results, Summary};
use crate::analysis::incident::{Incident, incidents_of};
use crate::analysis::{Assessment, Attribution, CertFacts, Evidence, PinCheck, ServiceInfo};
use crate::knowledge::active::About;
use crate::observation::{Location, ProbeError, TlsParams};
use crate::util::rfc3339;

/// Schema identifier; bumped on any incompatible change.
pub const SCHEMA: &str = "pinwatch.check/2";

#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    version: &'static str,
    checked_at: String,
    exit_code: i32,
    summary: Summary,
    warnings: &'a [String],
    results: Elements<'a>,
    incidents: Vec<Incident>,
    #[serde(skip_serializing_if = "Option::is_none")]
    knowledge: Option<&'a About>,
}

/// One result as JSON: an element of `results`, and (with the schema and
/// time added) a line of `--format jsonl`.
#[derive(Serialize)]
pub(crate) struct Result<'a> {
    host: &'a str,
    port: u16,
    service: Option<&'a str>,
    service_info: Option<&'a ServiceInfo>,
    verdict: &'static str,
    reasons: Vec<&'static str>,
    evidence: &'a [Evidence],
    interceptor: Option<&'a Attribution>,
    anchor: &'static str,
    pins: &'a PinCheck,
    chain: &'a [CertFacts],
    tls: Option<&'a TlsParams>,
    error: Option<&'a ProbeError>,
    peer: Option<&'a str>,
    via_proxy: Option<&'a str>,
    issuer_key: Option<&'a str>,
    sanctioned: Option<&'a crate::analysis::Sanction>,
    location: Option<&'a Location>,
    ct: Option<&'a crate::ct::CtReport>,
    elapsed_ms: u64,
}

pub(crate) fn result(a: &Assessment) -> Result<'_> {
    Result {
        host: &a.target.host,
        port: a.target.port,
        service: a.service.as_ref().map(|s| s.name.as_str()),
        service_info: a.service.as_ref(),
        verdict: a.verdict.as_str(),
        reasons: a.reasons.iter().map(|r| r.as_str()).collect(),
        evidence: &a.evidence,
        interceptor: a.interceptor.as_ref(),
        anchor: a.anchor.as_str(),
        pins: &a.pins,
        chain: &a.chain,
        tls: a.tls.as_ref(),
        error: a.error.as_ref(),
        peer: a.peer.as_deref(),
        via_proxy: a.via_proxy.as_deref(),
        issuer_key: a.issuer_key.as_deref(),
        sanctioned: a.sanctioned.as_ref(),
        location: a.location.as_ref(),
        ct: a.ct.as_deref(),
        elapsed_ms: a.elapsed_ms,
    }
}

/// The results, serialized one at a time as each is made whole (kept
/// results are not all made whole at once).
struct Elements<'a>(Results<'a>);

impl Serialize for Elements<'_> {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq as _;
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for a in self.0.iter() {
            seq.serialize_element(&result(&a))?;
        }
        seq.end()
    }
}

/// Writes the results, however they were kept, as pretty-printed JSON
/// followed by a newline, with the knowledge the check judged with (the
/// `knowledge` object: sequence, issued_at, expires_at, source, age_days,
/// signer, expired, pins_relaxed).
pub fn render_with(
    report: &Grouped<'_>,
    knowledge: Option<&About>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let doc = Document {
        knowledge,
        schema: SCHEMA,
        version: env!("CARGO_PKG_VERSION"),
        checked_at: rfc3339(report.checked_at),
        exit_code: report.exit_code,
        summary: Summary::of(report.results.iter()),
        warnings: report.warnings,
        results: Elements(report.results),
        incidents: incidents_of(report.results.whole()),
    };
    crate::util::inert::json_pretty(&mut *out, &doc).map_err(io::Error::from)?;
    writeln!(out)
}
