//! `claimwatch registry diff OLD NEW`: the entries a registry update adds, removes or changes, and what that would do to the findings in the store — which would open, resolve or change level.
//!
//! Pure: two registries and the stored pages in, the differences out; nothing is written.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{Departed, Qualification, Registry, provider_key};
use crate::config::Vendor;
use crate::gazetteer::Gazetteer;
use crate::judge::Level;
use crate::store::PageState;

/// An entry present in both, whose status or dates differ.
#[derive(Debug, Clone)]
pub struct Changed {
    pub old: Qualification,
    pub new: Qualification,
    /// What differs (`status qualified → expired`, `until 2026-12-29 → 2029-12-29`).
    pub what: Vec<String>,
}

/// The entries of an update.
#[derive(Debug, Clone, Default)]
pub struct EntryDiff {
    pub added: Vec<Qualification>,
    pub removed: Vec<Qualification>,
    pub changed: Vec<Changed>,
}

/// Provider, offer and scheme, as keys.
type Service = (String, String, String);

fn service(q: &Qualification) -> Service {
    (provider_key(&q.provider), provider_key(&q.offer), q.scheme.clone())
}

/// Entries are the same service when provider, offer and scheme match; among a service's
/// entries (renewals), those with the same `since` are paired first, then a single leftover on
/// each side is a change of dates.
pub fn entries(old: &Registry, new: &Registry) -> EntryDiff {
    let mut groups: BTreeMap<Service, (Vec<&Qualification>, Vec<&Qualification>)> = BTreeMap::new();
    for q in &old.qualifications {
        groups.entry(service(q)).or_default().0.push(q);
    }
    for q in &new.qualifications {
        groups.entry(service(q)).or_default().1.push(q);
    }
    let mut diff = EntryDiff::default();
    for (_, (mut olds, mut news)) in groups {
        let mut pairs = Vec::new();
        olds.retain(|o| match news.iter().position(|n| n.since == o.since) {
            Some(i) => {
                pairs.push((*o, news.remove(i)));
                false
            }
            None => true,
        });
        if olds.len() == 1 && news.len() == 1 {
            pairs.push((olds.remove(0), news.remove(0)));
        }
        for (o, n) in pairs {
            let mut what = Vec::new();
            if o.status != n.status {
                what.push(format!("status {} → {}", o.status.as_str(), n.status.as_str()));
            }
            for (field, a, b) in [("since", o.since, n.since), ("until", o.until, n.until)] {
                if a != b {
                    what.push(format!("{field} {} → {}", day(a), day(b)));
                }
            }
            if !what.is_empty() {
                diff.changed.push(Changed { old: o.clone(), new: n.clone(), what });
            }
        }
        diff.removed.extend(olds.into_iter().cloned());
        diff.added.extend(news.into_iter().cloned());
    }
    diff
}

fn day(d: Option<NaiveDate>) -> String {
    d.map_or_else(|| "(none)".to_string(), |d| d.to_string())
}

/// What an update does to one finding (a vendor, a label, a kind of claim).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effect {
    pub vendor: String,
    pub label: String,
    pub kind: String,
    pub old: Level,
    pub new: Level,
    /// The new verdict's reason.
    pub reason: String,
    /// Pages where the claim stands.
    pub pages: usize,
}

impl Effect {
    /// `opens`, `resolves` or `changes level`.
    pub fn change(&self) -> &'static str {
        match (self.old.needs_attention(), self.new.needs_attention()) {
            (false, true) => "would open",
            (true, false) => "would resolve",
            _ => "would change level",
        }
    }
}

/// The findings the stored claims would give under each registry, on `at`, compared. A vendor
/// whose provider the old registry lists and the new one does not is judged, under the new one,
/// as the run would: no longer in the registry.
pub fn effects(
    old: &Registry,
    new: &Registry,
    vendors: &[Vendor],
    gazetteer: &Gazetteer,
    pages: &[PageState],
    at: NaiveDate,
) -> Vec<Effect> {
    let mut departed = BTreeMap::new();
    for v in vendors {
        if let Some(p) = v.provider_ref()
            && let Some(entry) = old.entries_of(&p).next()
            && !new.knows(&p)
        {
            departed.insert(
                provider_key(&p.name),
                Departed { name: entry.provider.clone(), last_as_of: old.as_of, announced: false },
            );
        }
    }
    let new = new.clone().with_departed(departed);
    // Worst level per finding under each registry, and its pages.
    type Key = (String, String, String);
    let mut levels: BTreeMap<Key, (Level, Level, String, usize)> = BTreeMap::new();
    for page in pages {
        let vendor = vendors.iter().find(|v| v.id == page.vendor);
        for claim in &page.claims {
            let before = crate::scan::verdict(claim, old, gazetteer, vendor, at);
            let after = crate::scan::verdict(claim, &new, gazetteer, vendor, at);
            let key = (page.vendor.clone(), claim.label.clone(), claim.kind.to_string());
            let e = levels.entry(key).or_insert((Level::Ok, Level::Ok, String::new(), 0));
            e.0 = e.0.max(before.level);
            if after.level >= e.1 {
                e.2 = after.reason.clone();
            }
            e.1 = e.1.max(after.level);
            e.3 += 1;
        }
    }
    levels
        .into_iter()
        .filter(|(_, (old, new, _, _))| old != new)
        .map(|((vendor, label, kind), (old, new, reason, pages))| Effect {
            vendor,
            label,
            kind,
            old,
            new,
            reason,
            pages,
        })
        .collect()
}
