//! The results of a run as the grouped reports (text, JSON, Nagios,
//! Prometheus) keep them until they render, in memory bounded by what
//! they need rather than by a whole result per target.
//!
//! A result that needs attention (a paragraph, an incident, its chain in
//! JSON) is kept whole. One that holds nothing but a few fields (most
//! unreachable targets: the target, its service, the reasons, the error)
//! is kept as a [`Brief`] of about 150 bytes plus its host name, what it
//! has in common with other results shared (its service, proxy, reasons,
//! an error's words, which its evidence repeats), instead of a result of
//! 768 bytes with copies of its service's texts and its error. Nothing is lost: a brief
//! gives back exactly the result it was made from ([`Kept::get`]), so
//! every report is the same, byte for byte, whichever way it was kept.
//! The reports read [`Results`]: a plain slice (the agent, the tests), or
//! the kept results of a run, one result made whole at a time.

use std::borrow::Cow;
use std::sync::Arc;

use crate::analysis::{Anchor, Assessment, Evidence, PinCheck, Reason, ServiceInfo, Verdict};
use crate::observation::{ProbeError, Stage};
use crate::target::Target;

/// One result, kept until the reports render.
#[derive(Clone, Debug)]
pub enum Kept {
    /// The whole result.
    Full(Box<Assessment>),
    /// An ok or unreachable result with nothing but the brief's fields.
    Brief(Brief),
}

/// A result that holds only these fields, every other one empty: the
/// same result, smaller. What many results share (the service, the
/// proxy, the reasons, an error's words) is shared.
#[derive(Clone, Debug)]
pub struct Brief {
    target: Target,
    service: Option<Arc<ServiceInfo>>,
    verdict: Verdict,
    reasons: Arc<[Reason]>,
    evidence: BriefEvidence,
    error: Option<(Stage, Arc<str>)>,
    peer: Option<Box<str>>,
    via_proxy: Option<Arc<str>>,
    elapsed_ms: u64,
}

/// A brief's evidence: most often only that no certificate came, in the
/// error's own words, which the brief already holds.
#[derive(Clone, Debug)]
enum BriefEvidence {
    /// `[no_certificate]` with the error's stage and detail.
    OfError,
    /// Any other list.
    Listed(Box<[Evidence]>),
}

/// How many distinct error texts a keeper shares; past that, each keeps
/// its own (a list of hosts that each fail in their own words).
const SHARED_ERRORS: usize = 1024;

/// Keeps the results of one run: what its briefs share (a run has few
/// services, proxies, reason lists and error texts).
#[derive(Debug, Default)]
pub struct Keeper {
    services: Vec<Arc<ServiceInfo>>,
    proxies: Vec<Arc<str>>,
    reasons: Vec<Arc<[Reason]>>,
    errors: std::collections::HashMap<String, Arc<str>>,
}

impl Keeper {
    /// `a` as it is best kept: a [`Brief`] when it is an ok or unreachable
    /// result with nothing but the brief's fields, else whole.
    pub fn keep(&mut self, a: Assessment) -> Kept {
        // Every field named: a field added to results must be decided on here.
        let Assessment {
            target: _,
            service: _,
            verdict,
            reasons: _,
            evidence: _,
            interceptor,
            anchor,
            chain,
            pins,
            tls,
            error: _,
            peer: _,
            via_proxy: _,
            issuer_key,
            signer_keys,
            signer_spki,
            sanctioned,
            ct,
            location,
            elapsed_ms: _,
            fetch_issuer,
        } = &a;
        let brief = matches!(verdict, Verdict::Ok | Verdict::Unreachable)
            && interceptor.is_none()
            && *anchor == Anchor::None
            && chain.is_empty()
            && *pins == PinCheck::not_checked()
            && tls.is_none()
            && issuer_key.is_none()
            && signer_keys.is_empty()
            && signer_spki.is_none()
            && sanctioned.is_none()
            && ct.is_none()
            && location.is_none()
            && fetch_issuer.is_none();
        if !brief {
            return Kept::Full(Box::new(a));
        }
        // The brief's fields; every other one was found empty above.
        let Assessment {
            target,
            service,
            verdict,
            reasons,
            evidence,
            error,
            peer,
            via_proxy,
            elapsed_ms,
            ..
        } = a;
        let evidence = match (&evidence[..], &error) {
            ([Evidence::NoCertificate { stage, detail }], Some(e))
                if *stage == e.stage && *detail == e.detail =>
            {
                BriefEvidence::OfError
            }
            _ => BriefEvidence::Listed(evidence.into_boxed_slice()),
        };
        Kept::Brief(Brief {
            target,
            service: service.map(|s| self.service(s)),
            verdict,
            reasons: self.reasons(reasons),
            evidence,
            error: error.map(|e| (e.stage, self.error(e.detail))),
            peer: peer.map(String::into_boxed_str),
            via_proxy: via_proxy.map(|p| self.proxy(p)),
            elapsed_ms,
        })
    }

    /// The shared copy of `service`.
    fn service(&mut self, service: ServiceInfo) -> Arc<ServiceInfo> {
        if let Some(shared) = self.services.iter().find(|s| ***s == service) {
            return shared.clone();
        }
        let shared = Arc::new(service);
        self.services.push(shared.clone());
        shared
    }

    /// The shared copy of `proxy`.
    fn proxy(&mut self, proxy: String) -> Arc<str> {
        if let Some(shared) = self.proxies.iter().find(|p| ***p == *proxy) {
            return shared.clone();
        }
        let shared: Arc<str> = proxy.into();
        self.proxies.push(shared.clone());
        shared
    }

    /// The shared copy of `reasons`.
    fn reasons(&mut self, reasons: Vec<Reason>) -> Arc<[Reason]> {
        if let Some(shared) = self.reasons.iter().find(|r| ***r == *reasons) {
            return shared.clone();
        }
        let shared: Arc<[Reason]> = reasons.into();
        self.reasons.push(shared.clone());
        shared
    }

    /// The shared copy of an error's `detail` (the first
    /// [`SHARED_ERRORS`] distinct ones are shared).
    fn error(&mut self, detail: String) -> Arc<str> {
        if let Some(shared) = self.errors.get(&detail) {
            return shared.clone();
        }
        let shared: Arc<str> = detail.as_str().into();
        if self.errors.len() < SHARED_ERRORS {
            self.errors.insert(detail, shared.clone());
        }
        shared
    }
}

impl Kept {
    /// The result, whole: borrowed when it was kept whole, made again
    /// (equal to what was kept) from a brief.
    pub fn get(&self) -> Cow<'_, Assessment> {
        match self {
            Kept::Full(a) => Cow::Borrowed(a),
            Kept::Brief(b) => Cow::Owned(Assessment {
                service: b.service.as_deref().cloned(),
                reasons: b.reasons.to_vec(),
                evidence: match (&b.evidence, &b.error) {
                    (BriefEvidence::OfError, Some((stage, detail))) => {
                        vec![Evidence::NoCertificate {
                            stage: *stage,
                            detail: detail.to_string(),
                        }]
                    }
                    (BriefEvidence::OfError, None) => Vec::new(),
                    (BriefEvidence::Listed(listed), _) => listed.to_vec(),
                },
                error: b
                    .error
                    .as_ref()
                    .map(|(stage, detail)| ProbeError::new(*stage, detail.to_string())),
                peer: b.peer.as_deref().map(str::to_string),
                via_proxy: b.via_proxy.as_deref().map(str::to_string),
                elapsed_ms: b.elapsed_ms,
                ..Assessment::bare(b.target.clone(), b.verdict)
            }),
        }
    }

    /// The result when it was kept whole.
    pub fn whole(&self) -> Option<&Assessment> {
        match self {
            Kept::Full(a) => Some(a),
            Kept::Brief(_) => None,
        }
    }
}

/// The results of a run, in plan order, as the reports read them.
#[derive(Clone, Copy, Debug)]
pub enum Results<'a> {
    /// Whole results.
    Slice(&'a [Assessment]),
    /// Kept results ([`Keeper`]).
    Kept(&'a [Kept]),
}

impl<'a> From<&'a [Assessment]> for Results<'a> {
    fn from(results: &'a [Assessment]) -> Self {
        Results::Slice(results)
    }
}

impl<'a> Results<'a> {
    /// How many.
    pub fn len(self) -> usize {
        match self {
            Results::Slice(s) => s.len(),
            Results::Kept(k) => k.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// Every result, in plan order, each made whole as it is read.
    pub fn iter(self) -> impl Iterator<Item = Cow<'a, Assessment>> {
        (0..self.len()).filter_map(move |i| self.get(i))
    }

    /// Result `i`, whole.
    pub fn get(self, i: usize) -> Option<Cow<'a, Assessment>> {
        match self {
            Results::Slice(s) => s.get(i).map(Cow::Borrowed),
            Results::Kept(k) => k.get(i).map(Kept::get),
        }
    }

    /// The results kept whole, with their index: every result of a
    /// slice, and of kept results every one that is neither ok nor
    /// unreachable (and those that hold more than a brief). Incidents and
    /// paragraphs are made of these.
    pub fn whole(self) -> impl Iterator<Item = (usize, &'a Assessment)> {
        let (slice, kept): (&'a [Assessment], &'a [Kept]) = match self {
            Results::Slice(s) => (s, &[]),
            Results::Kept(k) => (&[], k),
        };
        slice.iter().enumerate().chain(
            kept.iter()
                .enumerate()
                .filter_map(|(i, k)| Some((i, k.whole()?))),
        )
    }

    /// Result `i` when it is kept whole.
    pub fn whole_at(self, i: usize) -> Option<&'a Assessment> {
        match self {
            Results::Slice(s) => s.get(i),
            Results::Kept(k) => k.get(i).and_then(Kept::whole),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    /// Results of every kind, briefs among them.
    pub(crate) fn every_kind() -> Vec<Assessment> {
        let mut refused = sample::unreachable("example.com");
        refused.error = Some(ProbeError::new(
            Stage::Tcp,
            "127.0.0.1:1: connection refused",
        ));
        refused.via_proxy = Some("http://127.0.0.1:8080".into());
        refused.evidence = vec![Evidence::NoCertificate {
            stage: Stage::Tcp,
            detail: "127.0.0.1:1: connection refused".into(),
        }];
        let mut no_name = sample::unreachable("nowhere.example");
        no_name.error = Some(ProbeError::new(Stage::Dns, "no such name"));
        no_name.service = sample::ok("nowhere.example", "QQ").service;
        let mut reached = sample::unreachable("late.example");
        reached.peer = Some("127.0.0.1:443".into());
        reached.evidence = vec![Evidence::NoCertificate {
            stage: Stage::Tls,
            detail: "not the error's words".into(),
        }];
        let mut odd = sample::ok("qq.com", "QQ");
        odd.verdict = Verdict::Suspicious;
        vec![
            sample::intercepted("wx.qq.com", "WeChat"),
            sample::ok("chatgpt.com", "ChatGPT"),
            refused,
            no_name,
            reached,
            odd,
            sample::unreachable("other.example"),
        ]
    }

    #[test]
    fn a_brief_gives_back_the_result_it_was_made_from() {
        let mut keeper = Keeper::default();
        let results = every_kind();
        let kept: Vec<Kept> = results.iter().cloned().map(|a| keeper.keep(a)).collect();
        let briefs = kept.iter().filter(|k| matches!(k, Kept::Brief(_))).count();
        assert_eq!(briefs, 4, "the unreachable results are briefs: {kept:#?}");
        for (k, a) in kept.iter().zip(&results) {
            assert_eq!(&*k.get(), a);
        }
        let view = Results::Kept(&kept);
        assert_eq!(view.len(), results.len());
        let whole: Vec<usize> = view.whole().map(|(i, _)| i).collect();
        assert_eq!(whole, [0, 1, 5]);
        assert_eq!(keeper.services.len(), 1, "one service shared by the briefs");
        assert!(
            std::mem::size_of::<Kept>() <= 160,
            "{}",
            std::mem::size_of::<Kept>()
        );
    }

    /// Every grouped report of `results`, rendered from the slice or from
    /// what a keeper kept of it.
    fn every_report(results: Results<'_>) -> Vec<Vec<u8>> {
        use crate::i18n::Lang;
        use crate::report::{json, nagios, prometheus, text};
        let warnings = ["targets.txt:3: not a target".to_string()];
        let report = crate::report::Grouped {
            results,
            warnings: &warnings,
            checked_at: 1_800_000_000,
            exit_code: 2,
        };
        let mut outputs = Vec::new();
        let mut out = |render: &dyn Fn(&mut Vec<u8>) -> std::io::Result<()>| {
            let mut bytes = Vec::new();
            render(&mut bytes).unwrap();
            outputs.push(bytes);
        };
        for lang in [Lang::En, Lang::Zh] {
            for (color, verbose) in [(false, false), (true, true)] {
                let style = text::Style {
                    color,
                    lang,
                    verbose,
                };
                out(&|w| text::render_grouped(&report, style, w));
            }
        }
        out(&|w| json::render_with(&report, None, w));
        out(&|w| nagios::render_grouped(&report, w));
        for hosts in [false, true] {
            let options = prometheus::Options { hosts };
            out(&|w| prometheus::render_grouped(&report, options, w));
        }
        outputs
    }

    #[test]
    fn every_report_is_the_same_whichever_way_the_results_were_kept() {
        let all = every_kind();
        // A machine that is offline (every name failed) gets other words.
        let offline: Vec<Assessment> = all[3..4].to_vec();
        for results in [&all[..], &offline[..], &all[2..3]] {
            let mut keeper = Keeper::default();
            let kept: Vec<Kept> = results.iter().cloned().map(|a| keeper.keep(a)).collect();
            let whole = every_report(Results::Slice(results));
            assert_eq!(whole, every_report(Results::Kept(&kept)));
            assert!(whole.iter().all(|o| !o.is_empty()));
        }
    }
}
