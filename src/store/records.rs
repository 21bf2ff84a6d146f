//! What the store keeps: pages and their claims, findings, outbox entries, dead letters and runs — each value versioned so the format can evolve.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::config::Lang;
use crate::detect::Claim;
use crate::evidence::EvidenceRef;
use crate::extract::Location;
use crate::judge::Level;
use crate::patterns::ClaimKind;

/// The last known state of one page of one vendor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageState {
    pub vendor: String,
    pub url: String,
    pub last_fetch: DateTime<Utc>,
    /// `fetched`, `not_modified`, `needs_javascript`, `gone`…
    pub status: String,
    pub http_status: Option<u16>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// SHA-256 of the body as received, hex.
    pub content_sha256: Option<String>,
    /// Every claim of the last successful fetch, ok ones too: a registry change re-judges them.
    pub claims: Vec<Claim>,
    /// The archived copy of the last fetch, when it was archived.
    #[serde(default)]
    pub evidence: Option<EvidenceRef>,
    /// The reading version (`Setup::reading_version`) its claims were read with; `None` for
    /// pages stored before versions were. A page read with another version is fetched in full.
    #[serde(default)]
    pub reading: Option<String>,
    /// The page is a PDF document (its text read page by page), not an HTML page.
    #[serde(default)]
    pub pdf: bool,
    /// The page was read as Chromium rendered it.
    #[serde(default)]
    pub rendered: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingState {
    Open,
    Resolved,
}

/// Where a finding was seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sighting {
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    /// The text as the page wrote it, and around it, at the last sighting.
    pub matched: String,
    pub context: String,
    pub location: Location,
    pub detail: String,
    /// The archived copy of the page at the last sighting.
    #[serde(default)]
    pub evidence: Option<EvidenceRef>,
}

/// A reviewer's decision that a finding needs no further alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    pub reason: String,
    pub by: String,
    pub at: DateTime<Utc>,
    /// Alerts resume after this date; forever when `None`.
    pub until: Option<NaiveDate>,
}

impl Ack {
    pub fn active(&self, today: NaiveDate) -> bool {
        self.until.is_none_or(|u| today <= u)
    }
}

/// One claim that needs attention, identified by (vendor, label, kind, quoted text), with every
/// page where it was seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub id: String,
    pub vendor: String,
    pub label: String,
    pub scheme: String,
    pub kind: ClaimKind,
    /// The quoted text, folded: part of the identity.
    pub quote: String,
    pub state: FindingState,
    pub level: Level,
    pub reason: String,
    #[serde(default)]
    pub reason_fr: String,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution: Option<String>,
    /// The resolution in French, for French reports.
    #[serde(default)]
    pub resolution_fr: Option<String>,
    /// How many times it came back after being resolved.
    pub reopened: u32,
    /// Successful runs in a row on which it was absent from every page that carried it.
    pub absent_runs: u32,
    pub pages: BTreeMap<String, Sighting>,
    pub registry_sha256: String,
    pub registry_as_of: NaiveDate,
    pub ack: Option<Ack>,
    /// Every dossier made of it, so that a later copy can be compared.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dossiers: Vec<DossierStamp>,
}

/// A dossier made of a finding: its SHA-256, when, in which format and language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierStamp {
    pub sha256: String,
    pub at: DateTime<Utc>,
    /// `pdf` or `html`.
    pub format: String,
    /// `fr` or `en`.
    pub lang: String,
}

/// What happened to a finding, as announced in an alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "change")]
pub enum Change {
    Opened,
    Reopened,
    Resolved {
        why: String,
        #[serde(default)]
        why_fr: String,
    },
    /// New reading rules, not the page, changed the finding: the page's body was the same bytes.
    /// The entry's finding is the old one, resolved by this change.
    Reread {
        /// How its claim is read now; `None`: no longer read as a claim at all.
        #[serde(default)]
        now: Option<NowRead>,
        /// The reading versions before and after.
        #[serde(default)]
        from: Option<String>,
        #[serde(default)]
        to: String,
    },
    /// A canary (see `crate::canary`) that the run missed (`failing`), or sees again. Told to
    /// operator recipients once per change; the entry's finding only names the canary.
    Canary {
        failing: bool,
        detail: String,
    },
}

/// How a re-read claim is read under the new rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NowRead {
    pub kind: ClaimKind,
    pub level: Level,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub reason_fr: String,
    /// The finding it now belongs to, when it needs attention (opened without an alert of its
    /// own: the re-read entry announces it).
    #[serde(default)]
    pub finding: Option<String>,
}

/// One thing one recipient must hear of, written with the finding change it reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// Store key, unique and ordered.
    pub id: String,
    pub recipient: String,
    pub lang: Lang,
    pub change: Change,
    /// The finding as it was when the change was recorded.
    pub finding: Finding,
    pub created_at: DateTime<Utc>,
    /// Registry date at the time, for the staleness flag of the digest.
    pub registry_as_of: NaiveDate,
}

/// Entries a mail server refused permanently: kept, shown, never silently dropped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeadLetter {
    pub entry: OutboxEntry,
    pub error: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunOutcome {
    Completed,
    Interrupted,
    Failed,
}

/// One vendor's counts in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VendorRun {
    pub vendor: String,
    pub pages_fetched: usize,
    pub pages_not_checked: usize,
    /// Of the pages not checked, those that failed (the rest were skipped or need JavaScript).
    #[serde(default)]
    pub pages_failed: usize,
    pub claims: usize,
    pub warnings: usize,
    pub violations: usize,
    pub nothing_checked: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub id: String,
    pub started: DateTime<Utc>,
    pub ended: DateTime<Utc>,
    pub at: NaiveDate,
    pub outcome: RunOutcome,
    pub vendors: Vec<VendorRun>,
    pub registry_sha256: String,
    pub registry_as_of: NaiveDate,
    pub registry_stale: bool,
    pub findings_opened: usize,
    pub findings_resolved: usize,
    pub error: Option<String>,
    /// The reading version the run read pages with.
    #[serde(default)]
    pub reading_version: Option<String>,
    /// Set when the run read pages again because the reading changed.
    #[serde(default)]
    pub reread: Option<Reread>,
    /// Findings changed by the re-reading alone (counted in neither opened nor resolved).
    #[serde(default)]
    pub findings_reread: usize,
    /// What the registry no longer says, or never said, of the vendors' providers.
    #[serde(default)]
    pub registry_notes: Vec<String>,
    /// The run's canaries: a run that missed one is degraded.
    #[serde(default)]
    pub canaries: Vec<crate::canary::CanaryResult>,
}

impl RunRecord {
    /// The canaries the run missed.
    pub fn missed_canaries(&self) -> impl Iterator<Item = &crate::canary::CanaryResult> {
        self.canaries.iter().filter(|c| !c.ok)
    }
}

/// A run that read pages again under a new reading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reread {
    /// The version stored by the last completed run (`None`: none was).
    pub from: Option<String>,
    pub to: String,
    /// Pages fetched in full because their claims had been read with another version.
    pub pages: usize,
}

/// The reading version of the last completed run, kept beside the runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadingMeta {
    pub version: String,
    pub run: String,
    pub at: DateTime<Utc>,
}

/// The versioned envelope of every stored value. A new format adds a variant and a migration
/// in `upgrade`; old values stay readable.
#[derive(Serialize, Deserialize)]
pub(super) enum Stored<T> {
    V1(T),
}

impl<T> Stored<T> {
    pub(super) fn upgrade(self) -> T {
        match self {
            Stored::V1(t) => t,
        }
    }
}
