//! One page of a run, on its own task: fetched politely, rendered in Chromium when it must be, then (off the I/O threads) extracted, scanned and archived.

use std::sync::Arc;

use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use url::Url;

use super::document::{is_pdf_document, read_pdf};
use super::{PageRecord, PageStatus, Rendering, unchecked};
use crate::canon;
use crate::config::{RenderMode, Setup, Vendor};
use crate::crawl::Scope;
use crate::evidence::{Archive, EvidenceRef};
use crate::extract::{Page, extract};
use crate::fetch::{BodyError, Exchange, Failure, Fetched, Fetcher, Outcome, Rate};
use crate::render::{After, PageToRender, RenderedPage};
use crate::scan::{JudgedClaim, scan_page};

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
    pub(super) rendering: Rendering,
}

/// What reading a page (as fetched, or as rendered) gave.
struct Judged {
    claims: Vec<JudgedClaim>,
    links: Vec<Url>,
    encoding: &'static str,
    evidence: Option<std::io::Result<EvidenceRef>>,
    notes: Vec<String>,
    /// A status other than fetched (an application shell, a render that did not settle).
    status: Option<PageStatus>,
}

enum Read {
    Judged(Box<Judged>),
    /// The page must be rendered first; here is its decoded body.
    ToRender(Vec<u8>),
}

impl PageJob {
    /// Fetches one page and, if it is HTML or a PDF, judges it; returns its record and its links.
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
        let final_url = fetched.final_url;
        let mode = if self.setup.config.render.enabled { self.vendor.render } else { RenderMode::Never };
        let job = Arc::new(self);
        let (read, url, wire) = (job.clone(), final_url.clone(), exchange.clone());
        // Parsing, matching and archiving are CPU and disk work: keep them off the I/O threads.
        let analysed = tokio::task::spawn_blocking(move || {
            let content_type = wire.header("content-type");
            // A PDF the fetcher let through (by its type or its `.pdf` path) is read as one when
            // its bytes say so; it belongs to the vendor whose page linked it.
            let pdf = is_pdf_document(content_type, Some(&url), &body);
            let extracted = if pdf { read_pdf(&body)? } else { extract(&body, content_type) };
            let render = !pdf
                && match mode {
                    RenderMode::Always => true,
                    RenderMode::Shell => extracted.needs_javascript(),
                    RenderMode::Never => false,
                };
            if render && !matches!(read.rendering, Rendering::Off) {
                return Ok(Read::ToRender(body));
            }
            read.judge(extracted, &url, &wire, None).map(|j| Read::Judged(Box::new(j)))
        })
        .await;
        let judged = match analysed {
            Ok(Ok(Read::Judged(j))) => Ok(*j),
            Ok(Ok(Read::ToRender(body))) => {
                // The document alone says nothing of what its scripts load: never a 304 next time.
                page.etag = None;
                page.last_modified = None;
                job.render(&final_url, body, exchange).await
            }
            Ok(Err(why)) => Err(PageStatus::Failed(Failure::Body(BodyError::Unparsable(why)))),
            Err(e) => Err(PageStatus::Failed(Failure::Connect(format!("analysis failed: {e}")))),
        };
        match judged {
            Ok(j) => {
                page.claims = j.claims;
                page.notes = j.notes;
                page.encoding = Some(j.encoding);
                page.rendered = j.encoding == RENDERED;
                if let Some(archived) = j.evidence {
                    page.evidence = keep_evidence(Ok(archived), &page.url);
                }
                if let Some(status) = j.status {
                    page.status = status;
                }
                (page, j.links)
            }
            Err(status) => {
                page.status = status;
                (page, Vec::new())
            }
        }
    }

    /// Renders the page in Chromium, then reads the rendered DOM.
    async fn render(self: Arc<Self>, url: &Url, body: Vec<u8>, exchange: Exchange) -> Result<Judged, PageStatus> {
        let renderer = match &self.rendering {
            Rendering::On(r) => r.clone(),
            Rendering::Unavailable(why) => return Err(PageStatus::RenderFailed(why.clone())),
            Rendering::Off => return Err(PageStatus::NeedsJavascript),
        };
        let to_render = PageToRender {
            url: url.clone(),
            document: exchange.clone(),
            body,
            vendor: self.vendor.clone(),
            after: After::Dom,
        };
        let rendered = renderer.render(to_render).await.map_err(|e| PageStatus::RenderFailed(e.to_string()))?;
        let url = url.clone();
        let timeout = self.setup.config.render.page_timeout;
        let job = self.clone();
        let read = tokio::task::spawn_blocking(move || {
            let extracted = extract(rendered.html.as_bytes(), Some("text/html; charset=utf-8"));
            // The scripts ran: the shell's hints (an app root, a <noscript>) no longer count, only
            // whether they wrote any text.
            let empty = extracted.text_chars() < 20;
            let mut judged = job.judge(extracted, &url, &exchange, Some((&rendered, &renderer)))?;
            judged.encoding = RENDERED;
            judged.notes.insert(0, rendered.note());
            judged.links.extend(rendered.navigations.iter().cloned());
            if !rendered.settled {
                judged.status = Some(PageStatus::RenderFailed(format!(
                    "still loading after {} s: read as it stood, not called checked",
                    timeout.as_secs_f64()
                )));
            } else if empty {
                judged.status = Some(PageStatus::RenderFailed("the rendered page is still an empty shell".into()));
            } else {
                judged.status = None;
            }
            Ok(judged)
        })
        .await;
        match read {
            Ok(Ok(j)) => Ok(j),
            Ok(Err(why)) => Err(PageStatus::Failed(Failure::Body(BodyError::Unparsable(why)))),
            Err(e) => Err(PageStatus::Failed(Failure::Connect(format!("analysis failed: {e}")))),
        }
    }

    /// Reads an extracted page: its links, its claims judged, and, when it carries claims (or
    /// everything is archived), its evidence; a rendered page's evidence is the conversion
    /// record of its DOM, tied to the response the crawl fetched and the responses its scripts
    /// were answered with.
    fn judge(
        &self,
        mut extracted: Page,
        url: &Url,
        exchange: &Exchange,
        rendered: Option<(&RenderedPage, &Arc<crate::render::Renderer>)>,
    ) -> Result<Judged, String> {
        if let Some(why) = extracted.parse_limit.take() {
            return Err(why);
        }
        let base = extracted.base_href.as_deref().and_then(|b| url.join(b).ok()).unwrap_or_else(|| url.clone());
        let links: Vec<Url> = extracted.hrefs.iter().filter_map(|h| canon::resolve(&base, h)).collect();
        let status = extracted.needs_javascript().then_some(PageStatus::NeedsJavascript);
        let encoding = extracted.encoding;
        let notes = std::mem::take(&mut extracted.notes);
        let result = scan_page(extracted, &self.setup.knowledge(), Some(&self.vendor), Some(url), self.at);
        let evidence = match &self.archive {
            Some(a) if self.archive_all || !result.claims.is_empty() => Some(match rendered {
                None => a.archive(exchange),
                Some((page, renderer)) => a.archive(exchange).and_then(|response| {
                    renderer.archive_subresources(a, page);
                    a.archive_conversion(exchange, &response, page.html.as_bytes())
                }),
            }),
            _ => None,
        };
        Ok(Judged { claims: result.claims, links, encoding, evidence, notes, status })
    }
}

/// The encoding a rendered page is read in: the browser's DOM, serialised as UTF-8.
pub const RENDERED: &str = "UTF-8 (rendered)";

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
