//! One page through the pure stages: bytes → extract → detect → judge, with the vendor whose registry standing judges it.

use chrono::NaiveDate;

use crate::config::Vendor;
use crate::detect::{Claim, detect};
use crate::extract::{Page, extract};
use crate::judge::{Level, Verdict, judge};
use crate::patterns::PatternSet;
use crate::registry::{Registry, Standing};

/// A claim with its verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JudgedClaim {
    pub claim: Claim,
    pub verdict: Verdict,
}

/// Everything the pure stages say about one page.
#[derive(Debug, Clone)]
pub struct PageResult {
    pub page: Page,
    pub claims: Vec<JudgedClaim>,
}

impl PageResult {
    /// The most serious verdict on the page (`Ok` when there are no claims).
    pub fn worst(&self) -> Level {
        self.claims.iter().map(|c| c.verdict.level).max().unwrap_or(Level::Ok)
    }
}

/// What `vendor` holds for `scheme` on `at`; no vendor means nothing is held.
pub fn standing_of(registry: &Registry, vendor: Option<&Vendor>, scheme: &str, at: NaiveDate) -> Standing {
    if !registry.covers(scheme) {
        return Standing::NotCovered { scheme: scheme.to_string() };
    }
    match vendor {
        None => Standing::NoVendor,
        Some(v) => match v.provider_ref() {
            None => Standing::NoProvider { vendor: v.name.clone() },
            Some(p) => registry.standing(&p, scheme, at),
        },
    }
}

/// Judges already detected claims.
pub fn judge_claims(
    claims: Vec<Claim>,
    registry: &Registry,
    vendor: Option<&Vendor>,
    at: NaiveDate,
) -> Vec<JudgedClaim> {
    claims
        .into_iter()
        .map(|claim| {
            let standing = standing_of(registry, vendor, &claim.scheme, at);
            let verdict = judge(claim.kind, &standing);
            JudgedClaim { claim, verdict }
        })
        .collect()
}

/// Runs one page's bytes through extraction, detection and judgement.
pub fn scan_bytes(
    bytes: &[u8],
    content_type: Option<&str>,
    patterns: &PatternSet,
    registry: &Registry,
    vendor: Option<&Vendor>,
    at: NaiveDate,
) -> PageResult {
    let page = extract(bytes, content_type);
    scan_page(page, patterns, registry, vendor, at)
}

/// Detection and judgement of an extracted page.
pub fn scan_page(
    page: Page,
    patterns: &PatternSet,
    registry: &Registry,
    vendor: Option<&Vendor>,
    at: NaiveDate,
) -> PageResult {
    let claims = detect(&page.segments, patterns);
    let claims = judge_claims(claims, registry, vendor, at);
    PageResult { page, claims }
}
