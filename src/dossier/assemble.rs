//! The facts of a dossier, gathered from a finding, the loaded setup (vendors, labels, registry) and the evidence log's entries: everything but the pictures, which need a browser.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::{Acknowledgement, Dossier, Entry, FindingFacts, History, Quote, Record, RegistryFacts};
use crate::config::{Lang, Setup};
use crate::i18n::{date_en, date_fr};
use crate::registry::Standing;
use crate::report::sightings::pages_newest_first;
use crate::store::{Finding, FindingState};

/// What the dossier of a finding is made from, besides the finding.
pub struct Sources<'a> {
    pub setup: &'a Setup,
    pub lang: Lang,
    pub now: DateTime<Utc>,
    /// The evidence log's entries: hash by sequence number.
    pub log: &'a HashMap<u64, String>,
    /// The log's head hash now.
    pub log_head: Option<String>,
    /// The config file, as the integrity section's commands name it.
    pub config_path: &'a str,
}

/// The dossier of `f`, with no pictures yet (`pages_total` says how many pages carry it).
pub fn assemble(f: &Finding, src: &Sources<'_>) -> Dossier {
    let setup = src.setup;
    let vendor = setup.config.vendor(&f.vendor);
    let label = setup.patterns.label(&f.label);
    let pick =
        |en: &str, fr: &str| if src.lang == Lang::Fr && !fr.is_empty() { fr.to_string() } else { en.to_string() };
    let finding = FindingFacts {
        id: f.id.clone(),
        vendor_id: f.vendor.clone(),
        vendor_name: vendor.map_or_else(|| f.vendor.clone(), |v| v.name.clone()),
        label: f.label.clone(),
        label_name: label.map_or_else(|| f.label.clone(), |l| l.name.clone()),
        scheme: f.scheme.clone(),
        kind: f.kind,
        level: f.level,
        reason: pick(&f.reason, &f.reason_fr),
        open: f.state == FindingState::Open,
        resolved_at: f.resolved_at,
        resolution: f.resolution.as_ref().map(|en| pick(en, f.resolution_fr.as_deref().unwrap_or(""))),
    };
    let pages = pages_newest_first(f);
    let quotes = pages
        .iter()
        .map(|(url, s)| Quote {
            url: (*url).clone(),
            matched: s.matched.clone(),
            context: s.context.clone(),
            location: s.location,
            detail: s.detail.clone(),
            first_seen: s.first_seen,
            last_seen: s.last_seen,
        })
        .collect();
    let records = pages
        .iter()
        .filter_map(|(url, s)| {
            let e = s.evidence.as_ref()?;
            let kind = if e.rendered_from.is_some() {
                "conversion"
            } else if e.refers_to.is_some() {
                "revisit"
            } else {
                "response"
            };
            Some(Record {
                url: (*url).clone(),
                record: e.record.clone(),
                kind: kind.to_string(),
                content: e.refers_to.clone(),
                source: e.rendered_from.clone(),
                fetched_at: e.fetched_at,
                log_seq: e.log_seq,
                log_hash: src.log.get(&e.log_seq).cloned(),
            })
        })
        .collect();
    let mut by_first: Vec<_> = pages.iter().map(|(u, s)| ((*u).clone(), s.first_seen, s.last_seen)).collect();
    by_first.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    let history = History {
        first_seen: f.first_seen,
        last_seen: f.last_seen,
        reopened: f.reopened,
        pages: by_first,
        ack: f.ack.as_ref().map(|a| Acknowledgement {
            by: a.by.clone(),
            reason: a.reason.clone(),
            at: a.at,
            until: a.until,
        }),
    };
    Dossier {
        lang: src.lang,
        generated_at: src.now,
        finding,
        pictures: Vec::new(),
        pages_total: f.pages.len(),
        quotes,
        registry: registry_facts(f, src),
        history,
        records,
        log_head: src.log_head.clone(),
        config_path: src.config_path.to_string(),
        evidence_dir: setup.config.evidence.dir.display().to_string(),
    }
}

/// What the registry that covers the finding's scheme says of its vendor.
fn registry_facts(f: &Finding, src: &Sources<'_>) -> RegistryFacts {
    let registry = &src.setup.registry;
    let file = registry.file_for(&f.scheme);
    let provider = src.setup.config.vendor(&f.vendor).and_then(|v| v.provider_ref());
    let entries: Vec<Entry> = provider
        .as_ref()
        .map(|p| {
            registry
                .entries_of(p)
                .filter(|q| q.scheme == f.scheme)
                .map(|q| Entry {
                    offer: q.offer.clone(),
                    status: q.status,
                    since: q.since,
                    until: q.until,
                    decision: q.decision.clone(),
                    activities: q.activities.clone(),
                    line: q.line,
                })
                .collect()
        })
        .unwrap_or_default();
    let milestone = provider.as_ref().and_then(|p| match registry.standing(p, &f.scheme, f.last_seen.date_naive()) {
        Standing::InProgress { offers, since, .. } => Some(in_progress(src.lang, &offers, since)),
        _ => None,
    });
    RegistryFacts {
        file_name: file.map_or_else(String::new, |r| r.name()),
        path: file.map_or_else(String::new, |r| r.path.display().to_string()),
        as_of: file.map_or(registry.as_of, |r| r.as_of),
        source: file.map_or_else(|| registry.source.clone(), |r| r.source.clone()),
        sha256: file.map_or_else(|| registry.sha256.clone(), |r| r.sha256.clone()),
        // The registry's own spelling of the provider, when it lists it.
        provider: provider
            .as_ref()
            .map(|p| registry.entries_of(p).next().map_or_else(|| p.name.clone(), |q| q.provider.clone())),
        entries,
        milestone,
        covered: file.is_some(),
    }
}

/// Where an offer in progress stands, in the dossier's language.
fn in_progress(lang: Lang, offers: &[String], since: Option<chrono::NaiveDate>) -> String {
    let offers = offers.join(", ");
    match (lang, since) {
        (Lang::Fr, Some(d)) => format!("{offers}\u{a0}: en cours de qualification depuis le {}", date_fr(d)),
        (Lang::Fr, None) => format!("{offers}\u{a0}: en cours de qualification"),
        (Lang::En, Some(d)) => format!("{offers}: in the qualification process since {}", date_en(d)),
        (Lang::En, None) => format!("{offers}: in the qualification process"),
    }
}
