//! A finding's sightings read again from the evidence archive: where each page is archived, and the quote in context as the archived page says it (for `evidence show` and the daemon's dashboard).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::config::Setup;
use crate::evidence::EvidenceRef;
use crate::extract::{Location, extract};
use crate::fetch::body;
use crate::store::Finding;

/// A decoded body is never allowed past this, whatever its content coding claims.
const MAX_DECODED: u64 = 64 * 1024 * 1024;

/// A claim of the finding as the archived page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Said {
    pub matched: String,
    pub context: String,
    pub location: Location,
    pub detail: String,
}

/// What reading the archived page again gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    /// Seen before evidence was kept: there is nothing to read.
    NotArchived,
    /// The record cannot be read from the archive (file gone, damaged record).
    ArchiveUnreadable(String),
    /// The record is a PDF that cannot be read again.
    PdfUnreadable(String),
    /// The claims of this finding (same label and kind) the page shows with the current
    /// patterns; empty when it no longer shows one.
    Read(Vec<Said>),
}

/// One page of a finding, as stored and as read again.
#[derive(Debug, Clone)]
pub struct SightingView {
    pub url: String,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    /// The quote and context recorded at the last sighting.
    pub recorded_matched: String,
    pub recorded_context: String,
    pub evidence: Option<EvidenceRef>,
    /// `None`: not read again (see [`reread_all`]).
    pub reading: Option<Reading>,
    /// The archived page, decoded from its content coding, when asked for and it could be read.
    pub body: Option<Vec<u8>>,
}

/// The pages of a finding, the most recently seen first.
pub fn pages_newest_first(f: &Finding) -> Vec<(&String, &crate::store::Sighting)> {
    let mut sightings: Vec<_> = f.pages.iter().collect();
    sightings.sort_by_key(|(_, s)| std::cmp::Reverse(s.last_seen));
    sightings
}

/// A page of a finding as stored, not read again.
fn stored(url: &str, s: &crate::store::Sighting) -> SightingView {
    SightingView {
        url: url.to_string(),
        first_seen: s.first_seen,
        last_seen: s.last_seen,
        recorded_matched: s.matched.replace('\n', " "),
        recorded_context: s.context.clone(),
        evidence: s.evidence.clone(),
        reading: None,
        body: None,
    }
}

/// Every claim an archived copy shows, or why it could not be read.
type ArchivedClaims = Result<Vec<Claimed>, Reading>;

/// Which archived copy, read for which vendor on which day.
type CopyKey = (String, String, u64, chrono::NaiveDate);

/// A claim the archived copy shows, with what identifies it in a finding.
#[derive(Debug, Clone)]
struct Claimed {
    label: String,
    kind: crate::patterns::ClaimKind,
    said: Said,
}

/// Reads an archived copy again with the current patterns, as on `at`: every claim it shows,
/// and its body decoded from its content coding.
fn read_archived(
    setup: &Setup,
    vendor: &str,
    url: &str,
    e: &EvidenceRef,
    at: chrono::NaiveDate,
) -> (ArchivedClaims, Option<Vec<u8>>) {
    let (raw, headers) = match crate::evidence::archived_body(&setup.config.evidence.dir, e) {
        Ok(found) => found,
        Err(why) => return (Err(Reading::ArchiveUnreadable(why.to_string())), None),
    };
    let header = |n: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)).map(|(_, v)| v.as_str());
    let decoded = body::decode(&raw, &body::codings(header("content-encoding")), MAX_DECODED).unwrap_or(raw);
    let page_url = url::Url::parse(url).ok();
    let page = if crate::pipeline::document::is_pdf_document(header("content-type"), page_url.as_ref(), &decoded) {
        crate::pipeline::document::read_pdf(&decoded)
    } else {
        Ok(extract(&decoded, header("content-type")))
    };
    let claims = match page {
        Err(why) => Err(Reading::PdfUnreadable(why)),
        Ok(page) => {
            let read =
                crate::scan::scan_page(page, &setup.knowledge(), setup.config.vendor(vendor), page_url.as_ref(), at);
            Ok(read
                .claims
                .into_iter()
                .map(|c| c.claim)
                .map(|c| Claimed {
                    label: c.label,
                    kind: c.kind,
                    said: Said { matched: c.matched, context: c.context, location: c.location, detail: c.detail },
                })
                .collect())
        }
    };
    (claims, Some(decoded))
}

/// What a finding's claims are among those of an archived copy.
fn reading_of(f: &Finding, claims: &ArchivedClaims) -> Reading {
    match claims {
        Err(r) => r.clone(),
        Ok(all) => Reading::Read(
            all.iter().filter(|c| c.label == f.label && c.kind == f.kind).map(|c| c.said.clone()).collect(),
        ),
    }
}

/// Reads the page at `url` of finding `f` again from the archive under `[evidence] dir`, with
/// the current patterns, as on the day it was last seen; keeps the decoded body if `keep_body`.
/// `None` when `f` was never seen at `url`.
pub fn reread(setup: &Setup, f: &Finding, url: &str, keep_body: bool) -> Option<SightingView> {
    let s = f.pages.get(url)?;
    let mut view = stored(url, s);
    let Some(e) = &s.evidence else {
        view.reading = Some(Reading::NotArchived);
        return Some(view);
    };
    let (claims, body) = read_archived(setup, &f.vendor, url, e, f.last_seen.date_naive());
    view.reading = Some(reading_of(f, &claims));
    if keep_body {
        view.body = body;
    }
    Some(view)
}

/// Reads the archived pages of many findings again, each archived copy once (a footer claim
/// puts the same page in several findings).
pub struct Rereader<'a> {
    setup: &'a Setup,
    /// By vendor, WARC file, record offset and reading date.
    read: HashMap<CopyKey, ArchivedClaims>,
}

impl<'a> Rereader<'a> {
    pub fn new(setup: &'a Setup) -> Self {
        Rereader { setup, read: HashMap::new() }
    }

    /// Every page of `f`, the most recently seen first: the first `limit` read again from the
    /// archive, the others as stored (`reading` is `None`), so that a claim on hundreds of
    /// pages does not mean reading hundreds of archived copies.
    pub fn pages(&mut self, f: &Finding, limit: usize) -> Vec<SightingView> {
        let at = f.last_seen.date_naive();
        let mut out = Vec::new();
        for (i, (url, s)) in pages_newest_first(f).into_iter().enumerate() {
            let mut view = stored(url, s);
            if i < limit {
                view.reading = Some(match &s.evidence {
                    None => Reading::NotArchived,
                    Some(e) => {
                        let c = e.content();
                        let key = (f.vendor.clone(), c.file.clone(), c.offset, at);
                        let claims =
                            self.read.entry(key).or_insert_with(|| read_archived(self.setup, &f.vendor, url, e, at).0);
                        reading_of(f, claims)
                    }
                });
            }
            out.push(view);
        }
        out
    }
}
