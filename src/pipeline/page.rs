//! One page of a run, on its own task: fetched politely, then (off the I/O threads) extracted, scanned and archived.

use std::sync::Arc;

use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use url::Url;

use super::document::{is_pdf_document, read_pdf};
use super::{PageRecord, PageStatus, unchecked};
use crate::canon;
use crate::config::{Setup, Vendor};
use crate::crawl::Scope;
use crate::evidence::{Archive, EvidenceRef};
use crate::extract::extract;
use crate::fetch::{BodyError, Failure, Fetched, Fetcher, Outcome, Rate};
use crate::scan::scan_page;

/// Everything one page task needs, owned, so that it can run on its own task.
pub(super) struct PageJob {
    pub(super) setup: Arc<Setup>,
    pub(super) fetcher: Arc<Fetcher>,
    pub(super) vendor: Arc<Vendor>,
    pub(super) scope: Arc<Scope>,
    pub(super) rate: Rate,
    pub(super) at: NaiveDate,
    pub(super) archive: Option<Arc<Archive>>,
    pub(super) archive_all: bool,
    pub(super) previous: Option<EvidenceRef>,
}

impl PageJob {
    /// Fetches one page and, if it is HTML, judges it; returns its record and its links.
    pub(super) async fn run(self, url: Url, depth: u32) -> (PageRecord, Vec<Url>) {
        let scope = self.scope.clone();
        let fetched: Fetched = self.fetcher.fetch_page(&url, self.rate, &move |u| scope.on_site(u)).await;
        let mut page = unchecked(url, depth, PageStatus::Fetched);
        page.final_url = fetched.final_url.clone();
        let (exchange, body) = match fetched.outcome {
            Outcome::Page { exchange, body } => (exchange, body),
            Outcome::NotModified { exchange } => {
                page.status = PageStatus::NotModified;
                page.http_status = Some(exchange.status);
                page.fetched_at = Some(exchange.fetched_at);
                if let (Some(archive), Some(previous)) = (self.archive.clone(), self.previous.clone()) {
                    let uri = page.url.to_string();
                    let archived =
                        tokio::task::spawn_blocking(move || archive.archive_revisit(&exchange, &previous, &uri)).await;
                    page.evidence = keep_evidence(archived, &page.url);
                }
                return (page, Vec::new());
            }
            Outcome::Skipped(skip) => {
                page.status = PageStatus::Skipped(skip);
                return (page, Vec::new());
            }
            Outcome::Failed { failure, exchange } => {
                page.http_status = exchange.as_ref().map(|e| e.status);
                page.fetched_at = exchange.as_ref().map(|e| e.fetched_at);
                page.status = PageStatus::Failed(failure);
                return (page, Vec::new());
            }
        };
        page.http_status = Some(exchange.status);
        page.fetched_at = Some(exchange.fetched_at);
        page.etag = exchange.header("etag").map(str::to_string);
        page.last_modified = exchange.header("last-modified").map(str::to_string);
        page.content_sha256 = Some(hex::encode(Sha256::digest(&exchange.body)));
        let content_type = exchange.header("content-type").map(str::to_string);
        let final_url = fetched.final_url;
        let page_url = final_url.clone();
        let (archive, archive_all) = (self.archive.clone(), self.archive_all);
        // Parsing, matching and archiving are CPU and disk work: keep them off the I/O threads.
        let analysed = tokio::task::spawn_blocking(move || {
            // A PDF the fetcher let through (by its type or its `.pdf` path) is read as one when
            // its bytes say so; it belongs to the vendor whose page linked it.
            let mut extracted = if is_pdf_document(content_type.as_deref(), Some(&final_url), &body) {
                read_pdf(&body)?
            } else {
                extract(&body, content_type.as_deref())
            };
            if let Some(why) = extracted.parse_limit {
                return Err(why);
            }
            let base = extracted.base_href.as_deref().and_then(|b| final_url.join(b).ok()).unwrap_or(final_url);
            let links: Vec<Url> = extracted.hrefs.iter().filter_map(|h| canon::resolve(&base, h)).collect();
            let needs_js = extracted.needs_javascript();
            let encoding = extracted.encoding;
            let notes = std::mem::take(&mut extracted.notes);
            let result = scan_page(extracted, &self.setup.knowledge(), Some(&self.vendor), Some(&page_url), self.at);
            let evidence = match archive {
                Some(a) if archive_all || !result.claims.is_empty() => Some(a.archive(&exchange)),
                _ => None,
            };
            Ok((result.claims, links, needs_js, encoding, evidence, notes))
        })
        .await;
        match analysed {
            Ok(Ok((claims, links, needs_js, encoding, evidence, notes))) => {
                page.claims = claims;
                page.notes = notes;
                page.encoding = Some(encoding);
                if let Some(archived) = evidence {
                    page.evidence = keep_evidence(Ok(archived), &page.url);
                }
                if needs_js {
                    page.status = PageStatus::NeedsJavascript;
                }
                (page, links)
            }
            Ok(Err(why)) => {
                page.status = PageStatus::Failed(Failure::Body(BodyError::Unparsable(why)));
                (page, Vec::new())
            }
            Err(e) => {
                page.status = PageStatus::Failed(Failure::Connect(format!("analysis failed: {e}")));
                (page, Vec::new())
            }
        }
    }
}

/// The evidence reference of an archiving attempt; a failure is logged, never fatal to the page.
fn keep_evidence(
    archived: Result<std::io::Result<EvidenceRef>, tokio::task::JoinError>,
    url: &Url,
) -> Option<EvidenceRef> {
    match archived {
        Ok(Ok(e)) => Some(e),
        Ok(Err(e)) => {
            tracing::error!(%url, "cannot archive the page as evidence: {e}");
            None
        }
        Err(e) => {
            tracing::error!(%url, "archiving task failed: {e}");
            None
        }
    }
}
