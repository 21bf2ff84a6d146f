//! The findings report as data: what `claimwatch report` shows, built from the store, the registry and the config; rendered as CSV and JSON here, as HTML in `html.rs`.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::config::{Lang, Setup};
use crate::judge::{Level, judge};
use crate::patterns::ClaimKind;
use crate::scan::standing_of;
use crate::store::{Ack, Finding, FindingState, PageState, RunRecord, Store, StoreError};

/// One finding as the report shows it.
#[derive(Debug, Clone, Serialize)]
pub struct FindingView {
    pub id: String,
    pub vendor: String,
    pub state: FindingState,
    pub level: Level,
    pub label: String,
    pub kind: ClaimKind,
    pub reason: String,
    /// The text as the page wrote it, and the sentence around it (latest sighting).
    pub matched: String,
    pub context: String,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution: Option<String>,
    pub pages: Vec<String>,
    /// Where the claim stands in each page that is a document, not a web page's text: a PDF's
    /// page (« pdf, page 3 »), by URL.
    pub places: BTreeMap<String, String>,
    pub ack: Option<Ack>,
}

/// A page that could not be checked on its last visit.
#[derive(Debug, Clone, Serialize)]
pub struct Unchecked {
    pub url: String,
    pub why: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct VendorSection {
    pub id: String,
    pub name: String,
    /// What the registry says the vendor holds today, in the report's language.
    pub registry_status: String,
    pub pages_checked: usize,
    /// Of the pages checked, the PDF documents.
    pub pdfs_checked: usize,
    /// Of the pages checked, those read as Chromium rendered them.
    pub rendered_checked: usize,
    pub not_checked: Vec<Unchecked>,
    pub open: Vec<FindingView>,
    pub resolved: Vec<FindingView>,
}

/// Findings opened and resolved on one day, for one vendor.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TimelinePoint {
    pub vendor: String,
    pub day: NaiveDate,
    pub opened: usize,
    pub resolved: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct RegistryInfo {
    pub path: String,
    pub as_of: NaiveDate,
    pub sha256: String,
    pub age_days: i64,
    pub stale: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub vendors: usize,
    pub pages_checked: usize,
    pub pages_not_checked: usize,
    pub open_violations: usize,
    pub open_warnings: usize,
    pub runs: usize,
    pub last_run: Option<DateTime<Utc>>,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Dossier {
    pub generated_at: DateTime<Utc>,
    pub lang: Lang,
    pub since: Option<NaiveDate>,
    pub registry: RegistryInfo,
    pub evidence_head: Option<String>,
    pub summary: Summary,
    pub vendors: Vec<VendorSection>,
    pub timeline: Vec<TimelinePoint>,
}

/// What the report is built from.
pub struct Sources<'a> {
    pub setup: &'a Setup,
    pub findings: Vec<Finding>,
    pub pages: Vec<PageState>,
    pub runs: Vec<RunRecord>,
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
    pub lang: Lang,
    pub since: Option<NaiveDate>,
    pub evidence_head: Option<String>,
}

/// A finding as the report shows it, in `lang`.
pub fn view(f: &Finding, lang: Lang) -> FindingView {
    let latest = f.pages.values().max_by_key(|s| s.last_seen);
    FindingView {
        id: f.id.clone(),
        vendor: f.vendor.clone(),
        state: f.state,
        level: f.level,
        label: f.label.clone(),
        kind: f.kind,
        reason: if lang == Lang::Fr && !f.reason_fr.is_empty() { f.reason_fr.clone() } else { f.reason.clone() },
        matched: latest.map_or_else(|| f.quote.clone(), |s| s.matched.replace('\n', " ")),
        context: latest.map_or_else(String::new, |s| s.context.clone()),
        first_seen: f.first_seen,
        last_seen: f.last_seen,
        resolved_at: f.resolved_at,
        resolution: if lang == Lang::Fr {
            f.resolution_fr.clone().or_else(|| f.resolution.clone())
        } else {
            f.resolution.clone()
        },
        pages: f.pages.keys().cloned().collect(),
        places: f
            .pages
            .iter()
            .filter(|(_, s)| s.location == crate::extract::Location::Pdf)
            .map(|(url, s)| (url.clone(), format!("pdf, {}", s.detail)))
            .collect(),
        ack: f.ack.clone(),
    }
}

fn checked(status: &str) -> bool {
    matches!(status, "fetched" | "not_modified" | "gone")
}

/// Builds the report.
pub fn build(src: Sources<'_>) -> Dossier {
    let setup = src.setup;
    let since = src.since;
    let in_window = |t: DateTime<Utc>| since.is_none_or(|d| t.date_naive() >= d);
    let mut vendors = Vec::new();
    let (mut pages_checked, mut pages_not_checked) = (0, 0);
    for v in &setup.config.vendors {
        let pages: Vec<&PageState> = src.pages.iter().filter(|p| p.vendor == v.id).collect();
        let ok = pages.iter().filter(|p| checked(&p.status)).count();
        let pdfs = pages.iter().filter(|p| p.pdf && checked(&p.status)).count();
        let rendered = pages.iter().filter(|p| p.rendered && checked(&p.status)).count();
        let not_checked: Vec<Unchecked> = pages
            .iter()
            .filter(|p| !checked(&p.status))
            .map(|p| Unchecked { url: p.url.clone(), why: p.status.clone() })
            .collect();
        pages_checked += ok;
        pages_not_checked += not_checked.len();
        // The vendor's standing under each covered scheme, said like a verdict on an assertion.
        let registry_status = setup
            .registry
            .schemes
            .iter()
            .map(|scheme| {
                let verdict = judge(ClaimKind::Assertion, &standing_of(&setup.registry, Some(v), scheme, src.today));
                let reason = verdict.reason_in(src.lang).to_string();
                format!("{scheme}: {reason}")
            })
            .collect::<Vec<_>>()
            .join("; ");
        let mut open: Vec<FindingView> = src
            .findings
            .iter()
            .filter(|f| f.vendor == v.id && f.state == FindingState::Open)
            .map(|f| view(f, src.lang))
            .collect();
        open.sort_by(|a, b| (b.level, a.first_seen).cmp(&(a.level, b.first_seen)));
        let resolved: Vec<FindingView> = src
            .findings
            .iter()
            .filter(|f| f.vendor == v.id && f.state == FindingState::Resolved && f.resolved_at.is_some_and(in_window))
            .map(|f| view(f, src.lang))
            .collect();
        vendors.push(VendorSection {
            id: v.id.clone(),
            name: v.name.clone(),
            registry_status,
            pages_checked: ok,
            pdfs_checked: pdfs,
            rendered_checked: rendered,
            not_checked,
            open,
            resolved,
        });
    }
    let mut points: BTreeMap<(String, NaiveDate), (usize, usize)> = BTreeMap::new();
    for f in &src.findings {
        if in_window(f.first_seen) {
            points.entry((f.vendor.clone(), f.first_seen.date_naive())).or_default().0 += 1;
        }
        if let Some(r) = f.resolved_at.filter(|r| in_window(*r)) {
            points.entry((f.vendor.clone(), r.date_naive())).or_default().1 += 1;
        }
    }
    let timeline = points
        .into_iter()
        .map(|((vendor, day), (opened, resolved))| TimelinePoint { vendor, day, opened, resolved })
        .collect();
    let open_of = |l: Level| src.findings.iter().filter(|f| f.state == FindingState::Open && f.level == l).count();
    let age = (src.today - setup.registry.as_of).num_days();
    Dossier {
        generated_at: src.now,
        lang: src.lang,
        since,
        registry: RegistryInfo {
            path: setup.registry.path.display().to_string(),
            as_of: setup.registry.as_of,
            sha256: setup.registry.sha256.clone(),
            age_days: age,
            stale: age > i64::from(setup.config.max_registry_age_days),
        },
        evidence_head: src.evidence_head,
        summary: Summary {
            vendors: setup.config.vendors.len(),
            pages_checked,
            pages_not_checked,
            open_violations: open_of(Level::Violation),
            open_warnings: open_of(Level::Warning),
            runs: src.runs.len(),
            last_run: src.runs.iter().map(|r| r.ended).max(),
        },
        vendors,
        timeline,
    }
}

/// One row per finding (open, and resolved within the window), for spreadsheets.
pub fn to_csv(d: &Dossier) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "id",
        "vendor",
        "vendor_name",
        "state",
        "level",
        "label",
        "kind",
        "quote",
        "context",
        "reason",
        "first_seen",
        "last_seen",
        "resolved_at",
        "pages",
        "page_urls",
        "acknowledged_by",
        "ack_reason",
    ])?;
    for v in &d.vendors {
        for f in v.open.iter().chain(&v.resolved) {
            let state = match f.state {
                FindingState::Open => "open",
                FindingState::Resolved => "resolved",
            };
            w.write_record([
                f.id.as_str(),
                &v.id,
                &v.name,
                state,
                f.level.as_str(),
                &f.label,
                f.kind.as_str(),
                &f.matched,
                &f.context,
                &f.reason,
                &f.first_seen.to_rfc3339(),
                &f.last_seen.to_rfc3339(),
                &f.resolved_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
                &f.pages.len().to_string(),
                &f.pages.join(" "),
                f.ack.as_ref().map_or("", |a| a.by.as_str()),
                f.ack.as_ref().map_or("", |a| a.reason.as_str()),
            ])?;
        }
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8(bytes).expect("csv of strings is UTF-8"))
}

/// The report of a store, for today in the schedule's time zone.
pub fn from_store(setup: &Setup, store: &Store, lang: Lang, since: Option<NaiveDate>) -> Result<Dossier, StoreError> {
    let now = Utc::now();
    let mut pages = Vec::new();
    for v in &setup.config.vendors {
        pages.extend(store.pages_of(&v.id)?);
    }
    Ok(build(Sources {
        setup,
        findings: store.findings()?,
        pages,
        runs: store.runs()?,
        now,
        today: now.with_timezone(&setup.config.schedule.timezone).date_naive(),
        lang,
        since,
        evidence_head: crate::evidence::head(&setup.config.evidence.dir),
    }))
}
