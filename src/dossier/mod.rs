//! The dossier of one finding, for a deputy, a regulator or a compliance team: what the page said (and a picture of it), what the registry says, the history, the legal basis, and how to check the evidence — assembled here, rendered as self-contained HTML (`html`), printed to PDF by headless Chromium (`print`).

pub mod assemble;
pub mod attach;
pub mod html;
pub mod legal;
pub mod make;
pub mod picture;

use chrono::{DateTime, NaiveDate, Utc};

use crate::config::Lang;
use crate::evidence::RecordRef;
use crate::extract::Location;
use crate::judge::Level;
use crate::patterns::ClaimKind;
use crate::registry::Status;

/// Everything a dossier shows. Built from the store, the registry and the evidence archive;
/// every string that came from a web page is raw here and escaped by the renderer.
#[derive(Debug, Clone)]
pub struct Dossier {
    pub lang: Lang,
    /// When the dossier was made.
    pub generated_at: DateTime<Utc>,
    pub finding: FindingFacts,
    /// At most three pictures (the pages seen most recently), then `pages_total` says how many
    /// pages carry the claim.
    pub pictures: Vec<Picture>,
    pub pages_total: usize,
    /// The claim on each page: quote, context and where on the page.
    pub quotes: Vec<Quote>,
    pub registry: RegistryFacts,
    pub history: History,
    /// Each archived record behind the finding, with its log entry.
    pub records: Vec<Record>,
    /// The evidence log's head hash when the dossier was made.
    pub log_head: Option<String>,
    /// The config file the commands of the integrity section name.
    pub config_path: String,
    /// The evidence directory.
    pub evidence_dir: String,
}

/// The finding itself.
#[derive(Debug, Clone)]
pub struct FindingFacts {
    pub id: String,
    pub vendor_id: String,
    pub vendor_name: String,
    /// The label id (`secnumcloud`) and its display name ("SecNumCloud").
    pub label: String,
    pub label_name: String,
    pub scheme: String,
    pub kind: ClaimKind,
    pub level: Level,
    /// The verdict's reason in the dossier's language.
    pub reason: String,
    /// True while the finding is open.
    pub open: bool,
    pub resolved_at: Option<DateTime<Utc>>,
    /// Why it was resolved, in the dossier's language.
    pub resolution: Option<String>,
}

/// A picture of one archived page as it looked, with the claim highlighted; or why there is
/// none (the archived text then stands in).
#[derive(Debug, Clone)]
pub struct Picture {
    pub url: String,
    /// When the archived copy was fetched.
    pub fetched_at: Option<DateTime<Utc>>,
    /// A PNG image.
    pub png: Option<Vec<u8>>,
    /// Why the page could not be pictured (not archived, a PDF, rendering failed…).
    pub why_not: Option<String>,
}

/// The claim as one page carried it.
#[derive(Debug, Clone)]
pub struct Quote {
    pub url: String,
    pub matched: String,
    pub context: String,
    pub location: Location,
    /// Where within the location (`body`, `page 2`, `og:description`…).
    pub detail: String,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
}

/// What the registry says of the vendor for the finding's scheme.
#[derive(Debug, Clone)]
pub struct RegistryFacts {
    /// The file that covers the scheme (its name and path), its date, source and SHA-256.
    pub file_name: String,
    pub path: String,
    pub as_of: NaiveDate,
    pub source: String,
    pub sha256: String,
    /// The registry's provider for the vendor, if the vendor has one.
    pub provider: Option<String>,
    /// The vendor's entries for the scheme (empty: it holds nothing).
    pub entries: Vec<Entry>,
    /// For a provider in progress: where it stands (« en cours de qualification depuis … »).
    pub milestone: Option<String>,
    /// False when no file covers the scheme: the claim could not be verified.
    pub covered: bool,
}

/// One registry entry of the vendor.
#[derive(Debug, Clone)]
pub struct Entry {
    pub offer: String,
    pub status: Status,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub decision: Option<String>,
    pub activities: Vec<String>,
    /// Its line in the registry file.
    pub line: usize,
}

/// The finding's life.
#[derive(Debug, Clone)]
pub struct History {
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    /// How many times it came back after being resolved.
    pub reopened: u32,
    /// Every page, with when it was first and last seen there.
    pub pages: Vec<(String, DateTime<Utc>, DateTime<Utc>)>,
    /// A reviewer's acknowledgement: who, why, when, until when.
    pub ack: Option<Acknowledgement>,
}

#[derive(Debug, Clone)]
pub struct Acknowledgement {
    pub by: String,
    pub reason: String,
    pub at: DateTime<Utc>,
    pub until: Option<NaiveDate>,
}

/// One archived record and how to check it.
#[derive(Debug, Clone)]
pub struct Record {
    pub url: String,
    /// The WARC file (a name inside the evidence directory), the record's id, offset and length.
    pub record: RecordRef,
    /// `response`, `revisit` (a 304: the content is in `content`) or `conversion` (a rendered
    /// page's DOM; the response it came from is `source`).
    pub kind: String,
    pub content: Option<RecordRef>,
    pub source: Option<RecordRef>,
    pub fetched_at: DateTime<Utc>,
    /// Its entry in the evidence log: position and hash.
    pub log_seq: u64,
    pub log_hash: Option<String>,
}
