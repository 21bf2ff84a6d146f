//! One page through the pure stages: bytes → extract → detect → judge, with the vendor whose names and registry standing judge it.

use chrono::NaiveDate;
use url::Url;

use crate::config::Vendor;
use crate::detect::{Claim, Reading, detect};
use crate::extract::{Page, extract};
use crate::gazetteer::Gazetteer;
use crate::judge::{Level, Subject, VendorNames, Verdict, attribute, judge_claim};
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

/// What reading and judging a page need besides the page: the labels, the organisations pages
/// name, and the registry.
#[derive(Debug, Clone, Copy)]
pub struct Knowledge<'a> {
    pub patterns: &'a PatternSet,
    pub gazetteer: &'a Gazetteer,
    pub registry: &'a Registry,
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

/// What the organisation a page names holds for `scheme` on `at`: `None` when the registry does
/// not know it (under the name the page uses, or the registry name the gazetteer gives).
pub fn standing_of_named(
    registry: &Registry,
    gazetteer: &Gazetteer,
    name: &str,
    scheme: &str,
    at: NaiveDate,
) -> Option<Standing> {
    let mut candidates = vec![name.to_string()];
    if let Some(org) = gazetteer.find(name) {
        candidates.extend(org.registry.iter().cloned());
        candidates.push(org.name.clone());
        candidates.extend(org.aliases.iter().cloned());
    }
    let provider = candidates.iter().find_map(|n| registry.provider_named(n))?;
    if !registry.covers(scheme) {
        return Some(Standing::NotCovered { scheme: scheme.to_string() });
    }
    Some(registry.standing(&provider, scheme, at))
}

/// The names by which `vendor` is known on a page: its config name and id, its registry names,
/// the hosts of its site, and what the page says of itself (its site name, the host of its URL).
pub fn vendor_names(
    vendor: Option<&Vendor>,
    knowledge: &Knowledge<'_>,
    page: Option<&Page>,
    url: Option<&Url>,
) -> VendorNames {
    let registry = knowledge.registry;
    let mut names = VendorNames::none();
    if let Some(v) = vendor {
        names.add(&v.name);
        names.add(&v.id);
        if let Some(p) = v.provider_ref() {
            for n in registry.names_of(&p) {
                names.add(&n);
            }
            names.add(&p.name);
        }
        for h in &v.allowed_hosts {
            names.add_host(h.trim_start_matches("*."));
        }
    }
    // Whoever publishes the page speaks as its owner, vendor or not.
    if let Some(site) = page.and_then(|p| p.site_name.as_deref()) {
        names.add(site);
    }
    if let Some(host) = url.and_then(|u| u.host_str()) {
        names.add_host(host);
    }
    // A vendor or a site the gazetteer knows as a public or certification body publishes about
    // labels; it holds none.
    let own_names = vendor.map(|v| v.name.as_str()).into_iter().chain(page.and_then(|p| p.site_name.as_deref()));
    if own_names.filter_map(|n| knowledge.gazetteer.find(n)).any(|o| !o.kind.can_hold()) {
        names.authority = true;
    }
    names
}

/// The verdict on a claim already attributed (stored claims are judged again this way when the
/// registry or the date changes).
pub fn verdict(
    claim: &Claim,
    registry: &Registry,
    gazetteer: &Gazetteer,
    vendor: Option<&Vendor>,
    at: NaiveDate,
) -> Verdict {
    let own = standing_of(registry, vendor, &claim.scheme, at);
    let named = match (claim.subject, claim.subject_name.as_deref()) {
        (Subject::Generic, _) | (_, None) => None,
        (_, Some(name)) => standing_of_named(registry, gazetteer, name, &claim.scheme, at),
    };
    let verdict = judge_claim(claim, &own, named.as_ref());
    // With several registry files, the verdict names the one that decided (the one covering
    // the claim's scheme), and so do the findings that keep its reason.
    match registry.file_for(&claim.scheme).filter(|_| registry.files.len() > 1) {
        Some(file) if verdict.level != crate::judge::Level::Ok || claim.kind != crate::patterns::ClaimKind::Mention => {
            let (name, date) = (file.name(), file.as_of);
            Verdict {
                reason: format!("{} [registry {name} as of {date}]", verdict.reason),
                reason_fr: format!("{} [registre {name} du {}]", verdict.reason_fr, crate::i18n::date_fr(date)),
                ..verdict
            }
        }
        _ => verdict,
    }
}

/// Attributes and judges detected claims.
pub fn judge_claims(
    claims: Vec<Claim>,
    knowledge: &Knowledge<'_>,
    names: &VendorNames,
    vendor: Option<&Vendor>,
    at: NaiveDate,
) -> Vec<JudgedClaim> {
    claims
        .into_iter()
        .map(|mut claim| {
            let a = attribute(&claim, names);
            claim.kind = a.kind;
            claim.subject = a.subject;
            claim.subject_name = a.name;
            claim.demoted = a.demoted;
            let verdict = verdict(&claim, knowledge.registry, knowledge.gazetteer, vendor, at);
            JudgedClaim { claim, verdict }
        })
        .collect()
}

/// Runs one page's bytes through extraction, detection and judgement.
pub fn scan_bytes(
    bytes: &[u8],
    content_type: Option<&str>,
    knowledge: &Knowledge<'_>,
    vendor: Option<&Vendor>,
    url: Option<&Url>,
    at: NaiveDate,
) -> PageResult {
    let page = extract(bytes, content_type);
    scan_page(page, knowledge, vendor, url, at)
}

/// Detection and judgement of an extracted page found at `url` (when known: its path may say
/// it is an article, its host is one of the vendor's names).
pub fn scan_page(
    page: Page,
    knowledge: &Knowledge<'_>,
    vendor: Option<&Vendor>,
    url: Option<&Url>,
    at: NaiveDate,
) -> PageResult {
    // A saved page says where it was published.
    let canonical = page.canonical_url.as_deref().and_then(|u| Url::parse(u).ok());
    let url = url.or(canonical.as_ref());
    let genre = page.genre(url);
    let reading = Reading { patterns: knowledge.patterns, gazetteer: knowledge.gazetteer, article: genre.article };
    let claims = detect(&page.segments, &reading);
    let names = vendor_names(vendor, knowledge, Some(&page), url);
    let claims = judge_claims(claims, knowledge, &names, vendor, at);
    PageResult { page, claims }
}
