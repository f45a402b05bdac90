//! Attribution: which known interception product made a chain, by the keys
//! in it (strong evidence) or by its issuer's name (a hint that names the
//! product once the chain is already known not to be genuine).

use serde::Serialize;

use super::cert::CertFacts;
use crate::knowledge::{Interceptor, Knowledge, MatchRule};

/// How a product was recognised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    /// A certificate in the chain carries one of the product's keys.
    Spki,
    /// A certificate's issuer name matches the product's pattern.
    IssuerName,
}

/// A product the chain is attributed to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Attribution {
    /// Stable identifier from interceptors.toml.
    pub id: String,
    /// Product name.
    pub name: String,
    /// Kind of product.
    pub category: crate::knowledge::Category,
    /// How it was recognised.
    pub matched_by: MatchedBy,
    /// What matched: the key's label or the issuer name.
    pub matched: String,
    /// What it is and what to do (English).
    pub advice: String,
    /// The same in Simplified Chinese.
    pub advice_zh: String,
}

/// Finds the product behind a chain. `extra_spkis` are keys of the path this
/// machine validated the chain with (its local root is often not sent).
/// Key matches win over name matches.
pub fn attribute(
    knowledge: &Knowledge,
    chain: &[CertFacts],
    extra_spkis: &[String],
) -> Option<Attribution> {
    let spkis = chain
        .iter()
        .map(|c| c.spki_sha256.as_str())
        .chain(extra_spkis.iter().map(String::as_str));
    let spkis: Vec<&str> = spkis.filter(|s| !s.is_empty()).collect();
    by_key(&knowledge.interceptors, &spkis).or_else(|| by_issuer(&knowledge.interceptors, chain))
}

/// The product one of `spkis` (keys of a signature path) belongs to, if any.
pub fn attribute_key<'s>(
    knowledge: &Knowledge,
    spkis: impl IntoIterator<Item = &'s str>,
) -> Option<Attribution> {
    let spkis: Vec<&str> = spkis.into_iter().filter(|s| !s.is_empty()).collect();
    by_key(&knowledge.interceptors, &spkis)
}

fn by_key(interceptors: &[Interceptor], spkis: &[&str]) -> Option<Attribution> {
    interceptors.iter().find_map(|i| {
        i.rules.iter().find_map(|rule| match rule {
            MatchRule::Spki { spki_sha256, label } if spkis.contains(&spki_sha256.as_str()) => {
                Some(Attribution::of(
                    i,
                    MatchedBy::Spki,
                    format!("key {spki_sha256} ({label})"),
                ))
            }
            _ => None,
        })
    })
}

fn by_issuer(interceptors: &[Interceptor], chain: &[CertFacts]) -> Option<Attribution> {
    chain.iter().find_map(|cert| {
        interceptors.iter().find_map(|i| {
            i.rules.iter().find_map(|rule| match rule {
                MatchRule::Issuer { cn, o } => {
                    let field_ok = |re: &Option<regex::Regex>, value: &Option<String>| match re {
                        None => true,
                        Some(re) => value.as_deref().is_some_and(|v| re.is_match(v)),
                    };
                    (field_ok(cn, &cert.issuer_cn) && field_ok(o, &cert.issuer_o)).then(|| {
                        Attribution::of(i, MatchedBy::IssuerName, format!("issuer {}", cert.issuer))
                    })
                }
                MatchRule::Spki { .. } => None,
            })
        })
    })
}

impl Attribution {
    /// The attribution of a chain to `i`, found by `matched_by`.
    pub fn of(i: &Interceptor, matched_by: MatchedBy, matched: String) -> Attribution {
        Attribution {
            id: i.id.clone(),
            name: i.name.clone(),
            category: i.category,
            matched_by,
            matched,
            advice: i.advice.clone(),
            advice_zh: i.advice_zh.clone(),
        }
    }
}
