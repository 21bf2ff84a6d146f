//! The finding lifecycle: what a run saw → page states, findings opened, kept, resolved or reopened, and the outbox entries those changes owe each recipient.
//!
//! Pure: the previous state, the run's pages, the registry and the date in; the new state out.
//! A finding is identified by (vendor, label, kind, quoted text), so a footer claim on 200
//! pages is one finding. It resolves only after two successful runs in a row without it on any
//! page that carried it (a page that could not be fetched proves nothing), or at once when the
//! registry makes it acceptable; it reopens if it comes back. When new reading rules alone
//! change it (the page's bytes did not change), it is resolved at once and announced once as a
//! re-read change (see `reread`).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use sha2::{Digest, Sha256};

use crate::config::{Recipient, Vendor};
use crate::detect::Claim;
use crate::fetch::Failure;
use crate::gazetteer::Gazetteer;
use crate::i18n::NBSP;
use crate::judge::Verdict;
use crate::pipeline::{PageStatus, VendorReport};
use crate::registry::Registry;
use crate::scan::verdict;
use crate::store::{Change, Finding, FindingState, OutboxEntry, PageState, Sighting};

mod reread;

/// Runs in a row a finding must be absent before it is resolved.
pub const ABSENT_RUNS_TO_RESOLVE: u32 = 2;

/// The short, stable id of a finding.
pub fn finding_id(vendor: &str, label: &str, kind: &str, quote: &str) -> String {
    let digest = Sha256::digest([vendor, label, kind, quote].join("\0").as_bytes());
    hex::encode(&digest[..6])
}

fn id_of(vendor: &str, c: &Claim) -> String {
    finding_id(vendor, &c.label, c.kind.as_str(), &quote_of(c))
}

fn quote_of(c: &Claim) -> String {
    c.folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What the lifecycle needs besides the vendor's own state.
pub struct Context<'a> {
    pub registry: &'a Registry,
    /// Who third-party claims name, to judge them against what those organisations hold.
    pub gazetteer: &'a Gazetteer,
    pub at: NaiveDate,
    pub now: DateTime<Utc>,
    pub recipients: &'a [Recipient],
    /// The reading version of this run (`Setup::reading_version`).
    pub reading: &'a str,
}

/// The new state of one vendor after a run.
#[derive(Debug, Default)]
pub struct VendorUpdate {
    pub pages: Vec<PageState>,
    pub findings: Vec<Finding>,
    pub outbox: Vec<OutboxEntry>,
    pub opened: usize,
    pub resolved: usize,
    /// Findings changed by the re-reading alone, each announced as one [`Change::Reread`].
    pub reread: usize,
    /// Pages fetched in full because their claims had been read with another version.
    pub pages_reread: usize,
}

/// Applies one run's pages of `vendor` to its stored pages and findings.
pub fn update_vendor(
    vendor: &Vendor,
    report: &VendorReport,
    previous_pages: Vec<PageState>,
    previous_findings: Vec<Finding>,
    ctx: &Context<'_>,
) -> VendorUpdate {
    let mut pages: BTreeMap<String, PageState> = previous_pages.into_iter().map(|p| (p.url.clone(), p)).collect();
    let mut touched_pages: HashSet<String> = HashSet::new();
    // Pages whose content is known this run: fetched, not modified, or gone (404/410).
    let mut checked: HashSet<String> = HashSet::new();
    let mut rereads = reread::Rereads::default();
    for rec in &report.pages {
        let url = rec.url.to_string();
        let fresh = |claims: Vec<Claim>, status: &str| PageState {
            vendor: vendor.id.clone(),
            url: url.clone(),
            last_fetch: rec.fetched_at.unwrap_or(ctx.now),
            status: status.to_string(),
            http_status: rec.http_status,
            etag: rec.etag.clone(),
            last_modified: rec.last_modified.clone(),
            content_sha256: rec.content_sha256.clone(),
            claims,
            evidence: rec.evidence.clone(),
            reading: Some(ctx.reading.to_string()),
            pdf: rec.encoding == Some("PDF"),
            rendered: rec.rendered,
        };
        match &rec.status {
            PageStatus::Fetched => {
                let previous =
                    pages.insert(url.clone(), fresh(rec.claims.iter().map(|c| c.claim.clone()).collect(), "fetched"));
                rereads.fetched(ctx.reading, previous, rec.content_sha256.as_deref());
                checked.insert(url.clone());
            }
            // A render that did not settle may still have shown claims: they are kept, and the
            // page is not called checked. One that showed none leaves the last good claims.
            PageStatus::RenderFailed(_) if !rec.claims.is_empty() => {
                let why = format!("{}: {}", rec.status.label(), rec.status.why_not_checked().unwrap_or_default());
                let previous =
                    pages.insert(url.clone(), fresh(rec.claims.iter().map(|c| c.claim.clone()).collect(), &why));
                rereads.fetched(ctx.reading, previous, None);
            }
            PageStatus::NeedsJavascript => {
                let previous = pages.insert(
                    url.clone(),
                    fresh(rec.claims.iter().map(|c| c.claim.clone()).collect(), "needs_javascript"),
                );
                // A shell has no text to compare with the stored one.
                rereads.fetched(ctx.reading, previous, None);
            }
            PageStatus::NotModified => {
                if let Some(p) = pages.get_mut(&url) {
                    p.last_fetch = rec.fetched_at.unwrap_or(ctx.now);
                    p.status = "not_modified".into();
                    if rec.evidence.is_some() {
                        p.evidence = rec.evidence.clone();
                    }
                    checked.insert(url.clone());
                }
            }
            PageStatus::Failed(Failure::Status(404 | 410)) => {
                rereads.gone(pages.insert(url.clone(), fresh(Vec::new(), "gone")));
                checked.insert(url.clone());
            }
            PageStatus::Failed(_) | PageStatus::Skipped(_) | PageStatus::RenderFailed(_) => {
                // Not checked: the claims of the last good fetch stay; the status says why, for
                // the coverage of reports.
                let why = format!("{}: {}", rec.status.label(), rec.status.why_not_checked().unwrap_or_default());
                match pages.get_mut(&url) {
                    Some(p) => p.status = why,
                    None => {
                        pages.insert(url.clone(), fresh(Vec::new(), &why));
                    }
                }
            }
        }
        touched_pages.insert(url);
    }

    // Every stored claim is judged again: the registry or the date may have changed.
    let evidence_of: HashMap<String, Option<crate::evidence::EvidenceRef>> =
        pages.values().map(|p| (p.url.clone(), p.evidence.clone())).collect();
    let mut attention: BTreeMap<String, (Verdict, Vec<(String, Claim)>)> = BTreeMap::new();
    let mut present: HashMap<String, Verdict> = HashMap::new();
    for page in pages.values() {
        for c in &page.claims {
            let verdict = verdict(c, ctx.registry, ctx.gazetteer, Some(vendor), ctx.at);
            let id = id_of(&vendor.id, c);
            if verdict.level.needs_attention() {
                let entry = attention.entry(id.clone()).or_insert_with(|| (verdict.clone(), Vec::new()));
                entry.1.push((page.url.clone(), c.clone()));
            }
            present.insert(id, verdict);
        }
    }

    let pages_reread = rereads.pages;
    let rereads = rereads.judge(vendor, &pages, ctx);

    let mut findings: BTreeMap<String, Finding> =
        previous_findings.into_iter().filter(|f| f.vendor == vendor.id).map(|f| (f.id.clone(), f)).collect();
    let mut changes: Vec<(String, Change)> = Vec::new();
    let mut touched: HashSet<String> = HashSet::new();
    for (id, (verdict, sightings)) in &attention {
        let (_, first) = &sightings[0];
        let f = findings.entry(id.clone()).or_insert_with(|| {
            changes.push((id.clone(), Change::Opened));
            new_finding(id, vendor, first, verdict, ctx)
        });
        if f.state == FindingState::Resolved {
            f.state = FindingState::Open;
            f.reopened += 1;
            f.resolved_at = None;
            f.resolution = None;
            f.resolution_fr = None;
            changes.push((id.clone(), Change::Reopened));
        }
        f.last_seen = ctx.now;
        f.absent_runs = 0;
        f.level = verdict.level;
        f.reason = verdict.reason.clone();
        f.reason_fr = verdict.reason_fr.clone();
        f.registry_sha256 = ctx.registry.sha256.clone();
        f.registry_as_of = ctx.registry.as_of;
        // Claims come in page order (body text first, then title, meta, alt…): the first one of
        // a page is the one to quote.
        let mut quoted: HashSet<&str> = HashSet::new();
        for (url, c) in sightings {
            let s = f.pages.entry(url.clone()).or_insert_with(|| sighting(c, ctx.now));
            s.last_seen = ctx.now;
            if quoted.insert(url) {
                s.matched = c.matched.clone();
                s.context = c.context.clone();
                s.location = c.location;
                s.detail = c.detail.clone();
                if let Some(Some(e)) = evidence_of.get(url) {
                    s.evidence = Some(e.clone());
                }
            }
        }
        touched.insert(id.clone());
    }
    // Findings a re-read carries over to another kind: opened without an alert of their own,
    // with the acknowledgement of the finding they replace.
    let mut carried: Vec<(String, Option<crate::store::Ack>)> = Vec::new();
    for f in findings.values_mut().filter(|f| f.state == FindingState::Open && !attention.contains_key(&f.id)) {
        if let Some(explained) = rereads.explains(f) {
            let (why, why_fr) = reread::resolution(explained.now.as_ref(), ctx.reading);
            f.state = FindingState::Resolved;
            f.resolved_at = Some(ctx.now);
            f.resolution = Some(why);
            f.resolution_fr = Some(why_fr);
            if let Some(new) = explained.now.as_ref().and_then(|n| n.finding.clone()) {
                carried.push((new, f.ack.clone()));
            }
            let change = Change::Reread { now: explained.now, from: explained.from, to: ctx.reading.to_string() };
            changes.push((f.id.clone(), change));
            touched.insert(f.id.clone());
            continue;
        }
        let why = if let Some(now_ok) = present.get(&f.id) {
            Some((
                format!("now judged acceptable: {}", now_ok.reason),
                format!("désormais jugé acceptable{NBSP}: {}", now_ok.reason_fr),
            ))
        } else if f.pages.keys().all(|u| checked.contains(u)) {
            f.absent_runs += 1;
            touched.insert(f.id.clone());
            (f.absent_runs >= ABSENT_RUNS_TO_RESOLVE).then(|| {
                (
                    format!("absent from every page that carried it on {ABSENT_RUNS_TO_RESOLVE} successful runs in a row"),
                    format!("absent de toutes les pages qui le portaient lors de {ABSENT_RUNS_TO_RESOLVE} passages réussis d'affilée"),
                )
            })
        } else {
            None
        };
        if let Some((why, why_fr)) = why {
            f.state = FindingState::Resolved;
            f.resolved_at = Some(ctx.now);
            f.resolution = Some(why.clone());
            f.resolution_fr = Some(why_fr.clone());
            changes.push((f.id.clone(), Change::Resolved { why, why_fr }));
            touched.insert(f.id.clone());
        }
    }

    for (id, ack) in &carried {
        changes.retain(|(c, change)| c != id || !matches!(change, Change::Opened | Change::Reopened));
        if let Some(f) = findings.get_mut(id)
            && f.ack.is_none()
        {
            f.ack = ack.clone();
        }
    }

    let mut update = VendorUpdate { pages_reread, ..VendorUpdate::default() };
    for (id, change) in changes {
        let f = &findings[&id];
        match change {
            Change::Resolved { .. } => update.resolved += 1,
            Change::Reread { .. } => update.reread += 1,
            Change::Opened | Change::Reopened => update.opened += 1,
            Change::Canary { .. } => {}
        }
        if f.ack.as_ref().is_some_and(|a| a.active(ctx.at)) {
            continue;
        }
        for r in ctx.recipients {
            let told_of_it = r.wants(&f.vendor, f.level);
            let wanted = match &change {
                Change::Opened | Change::Reopened => told_of_it,
                Change::Resolved { .. } => told_of_it && r.resolutions,
                // Whoever would have had the opening of the new kind, or the resolution of the old.
                Change::Reread { now, .. } => {
                    now.as_ref().is_some_and(|n| n.level.needs_attention() && r.wants(&f.vendor, n.level))
                        || (told_of_it && r.resolutions)
                }
                Change::Canary { .. } => r.operator,
            };
            if wanted {
                update.outbox.push(OutboxEntry {
                    id: String::new(),
                    recipient: r.email.clone(),
                    lang: r.lang,
                    change: change.clone(),
                    finding: f.clone(),
                    created_at: ctx.now,
                    registry_as_of: ctx.registry.as_of,
                });
            }
        }
    }
    update.pages = pages.into_iter().filter(|(u, _)| touched_pages.contains(u)).map(|(_, p)| p).collect();
    update.findings = findings.into_iter().filter(|(id, _)| touched.contains(id)).map(|(_, f)| f).collect();
    update
}

fn sighting(c: &Claim, now: DateTime<Utc>) -> Sighting {
    Sighting {
        first_seen: now,
        last_seen: now,
        matched: c.matched.clone(),
        context: c.context.clone(),
        location: c.location,
        detail: c.detail.clone(),
        evidence: None,
    }
}

fn new_finding(id: &str, vendor: &Vendor, c: &Claim, verdict: &Verdict, ctx: &Context<'_>) -> Finding {
    Finding {
        id: id.to_string(),
        vendor: vendor.id.clone(),
        label: c.label.clone(),
        scheme: c.scheme.clone(),
        kind: c.kind,
        quote: quote_of(c),
        state: FindingState::Open,
        level: verdict.level,
        reason: verdict.reason.clone(),
        reason_fr: verdict.reason_fr.clone(),
        first_seen: ctx.now,
        last_seen: ctx.now,
        resolved_at: None,
        resolution: None,
        resolution_fr: None,
        reopened: 0,
        absent_runs: 0,
        pages: BTreeMap::new(),
        registry_sha256: ctx.registry.sha256.clone(),
        registry_as_of: ctx.registry.as_of,
        ack: None,
        dossiers: Vec::new(),
    }
}

#[cfg(test)]
mod tests;
