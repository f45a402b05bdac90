//! Incidents: one interceptor is one incident, however many hosts it
//! touches. Results are grouped by the key that signed the forged leaf
//! (or, when the chain does not show it, its issuer's name), the proxy
//! used and where the interception happens. Pure: reporters and the agent
//! group the same way.

use serde::Serialize;

use super::{Assessment, Attribution, Reason, ServiceInfo, Verdict};
use crate::observation::Location;

/// One interceptor, and everything it intercepted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Incident {
    /// Stable key: the interceptor's key and the proxy used.
    pub key: String,
    /// The product, when known.
    pub interceptor: Option<Attribution>,
    /// The forged leaves' issuer name.
    pub issuer: String,
    /// The public CA whose name the interceptor's CA copies, if it does.
    pub impersonates: Option<String>,
    /// The public CA whose organization name (or shared common name) the
    /// interceptor's CA uses, if it does no more than that.
    pub borrows_organization: Option<String>,
    /// Where it happens, when traced.
    pub location: Option<Location>,
    /// The proxy setting in use, if any.
    pub via_proxy: Option<String>,
    /// Whether this machine trusts the interceptor's root (apps accept it
    /// silently) or not (apps that check certificates show errors).
    pub trusted_here: bool,
    /// The administrator runs this interceptor on purpose (its key and
    /// note), when it is listed as sanctioned: reported, never alerted.
    pub sanctioned: Option<super::Sanction>,
    /// The services affected, in order of first appearance.
    pub services: Vec<ServiceInfo>,
    /// Targets (`host:port`) with no known service.
    pub other_targets: Vec<String>,
    /// Indices of the results in this incident.
    pub results: Vec<usize>,
}

/// The incident key of an intercepted result: the key that signed the leaf
/// (or the leaf's issuer name when the chain does not show the key) and
/// the proxy used.
pub fn interceptor_key(a: &Assessment) -> String {
    let issuer = a.issuer_key.clone().unwrap_or_else(|| {
        let name = a.chain.first().map_or("", |c| c.issuer.as_str());
        format!("issuer:{name}")
    });
    match &a.via_proxy {
        Some(proxy) => format!("{issuer} via {proxy}"),
        None => issuer,
    }
}

/// Groups the intercepted results into incidents, in order of first result.
pub fn incidents(results: &[Assessment]) -> Vec<Incident> {
    incidents_of(results.iter().enumerate())
}

/// [`incidents`] of `(index, result)` pairs (the results a report keeps
/// whole, with their index among all), in order of first result.
pub fn incidents_of<'a>(
    results: impl IntoIterator<Item = (usize, &'a Assessment)>,
) -> Vec<Incident> {
    let mut out: Vec<Incident> = Vec::new();
    for (i, a) in results {
        if a.verdict != Verdict::Intercepted {
            continue;
        }
        let key = interceptor_key(a);
        let index = match out.iter().position(|x| x.key == key) {
            Some(index) => index,
            None => {
                out.push(Incident {
                    key,
                    interceptor: a.interceptor.clone(),
                    issuer: a
                        .chain
                        .first()
                        .map(|c| c.issuer.clone())
                        .unwrap_or_default(),
                    impersonates: a.evidence.iter().find_map(|e| match e {
                        super::Evidence::Impersonates { name } => Some(name.clone()),
                        _ => None,
                    }),
                    borrows_organization: a.evidence.iter().find_map(|e| match e {
                        super::Evidence::BorrowsCaOrganization { organization } => {
                            Some(organization.clone())
                        }
                        _ => None,
                    }),
                    location: a.location.clone(),
                    via_proxy: a.via_proxy.clone(),
                    trusted_here: a.reasons.contains(&Reason::SystemRootInstalled),
                    sanctioned: a.sanctioned.clone(),
                    services: Vec::new(),
                    other_targets: Vec::new(),
                    results: Vec::new(),
                });
                out.len() - 1
            }
        };
        let incident = &mut out[index];
        incident.results.push(i);
        incident.trusted_here |= a.reasons.contains(&Reason::SystemRootInstalled);
        match &a.service {
            Some(s) if !incident.services.iter().any(|x| x.name == s.name) => {
                incident.services.push(s.clone());
            }
            Some(_) => {}
            None => incident.other_targets.push(a.target.to_string()),
        }
    }
    out
}
