//! One run, wired top to bottom: the selected vendors crawled a bounded number at a time, each page fetched politely then extracted, detected and judged.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use tokio::task::JoinSet;
use tokio::time::Instant;
use url::Url;

use crate::config::{Setup, Vendor};
use crate::crawl::{Frontier, Scope};
use crate::evidence::{Archive, EvidenceRef};
use crate::fetch::{Failure, Fetcher, Outcome, Rate, RobotsState, Skip, origin};
use crate::judge::Level;
use crate::patterns::ClaimKind;
use crate::render::Renderer;
use crate::scan::JudgedClaim;
use crate::sitemap::{self, Sitemap};

pub mod document;
mod page;
use page::PageJob;

/// Sitemap documents read per vendor at most (an index pointing at more is cut there).
const MAX_SITEMAPS: usize = 20;
/// A sitemap may be this large once decompressed.
const MAX_SITEMAP_BYTES: usize = 50 * 1024 * 1024;
/// Pages of one vendor in flight at once (the global cap and per-origin rates still apply).
const VENDOR_PARALLELISM: usize = 8;

/// How a page ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageStatus {
    Fetched,
    NotModified,
    /// Fetched, but an empty JavaScript application shell: not checked.
    NeedsJavascript,
    /// It had to be rendered, and the render failed or did not settle: not checked (claims
    /// read in what did render are kept).
    RenderFailed(String),
    Skipped(Skip),
    Failed(Failure),
}

impl PageStatus {
    pub fn label(&self) -> &'static str {
        match self {
            PageStatus::Fetched => "fetched",
            PageStatus::NotModified => "not_modified",
            PageStatus::NeedsJavascript => "needs_javascript",
            PageStatus::RenderFailed(_) => "render_failed",
            PageStatus::Skipped(_) => "skipped",
            PageStatus::Failed(_) => "failed",
        }
    }

    /// Why the page was not checked, if it was not.
    pub fn why_not_checked(&self) -> Option<String> {
        match self {
            PageStatus::Fetched | PageStatus::NotModified => None,
            PageStatus::NeedsJavascript => Some("needs JavaScript: the page is an empty application shell".into()),
            PageStatus::RenderFailed(why) => Some(format!("not rendered: {why}")),
            PageStatus::Skipped(s) => Some(s.to_string()),
            PageStatus::Failed(f) => Some(f.to_string()),
        }
    }
}

/// One page of a run.
#[derive(Debug, Clone)]
pub struct PageRecord {
    pub url: Url,
    pub final_url: Url,
    pub depth: u32,
    pub status: PageStatus,
    pub http_status: Option<u16>,
    pub encoding: Option<&'static str>,
    pub fetched_at: Option<DateTime<Utc>>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// SHA-256 of the body as received (still content-encoded), hex.
    pub content_sha256: Option<String>,
    /// Where this fetch was archived, if it was.
    pub evidence: Option<EvidenceRef>,
    pub claims: Vec<JudgedClaim>,
    /// How a page that was checked had to be read (deep markup flattened, rendered…).
    pub notes: Vec<String>,
    /// Read as Chromium rendered it, not as fetched.
    pub rendered: bool,
}

/// One vendor's part of a run.
#[derive(Debug, Clone)]
pub struct VendorReport {
    pub vendor_id: String,
    pub vendor_name: String,
    pub pages: Vec<PageRecord>,
    /// Origins not crawled at all this run (robots.txt unavailable, host given up), with why.
    pub not_crawled: Vec<(String, String)>,
    pub sitemaps_read: usize,
    pub links_out_of_scope: usize,
    pub links_too_deep: usize,
    /// Pages left in the frontier when the page budget was reached.
    pub pages_over_budget: usize,
}

/// Counts for one vendor's summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub pages_fetched: usize,
    pub pages_not_modified: usize,
    pub pages_skipped: usize,
    pub pages_failed: usize,
    pub pages_needing_javascript: usize,
    /// Pages that had to be rendered and could not be (or did not settle).
    pub pages_not_rendered: usize,
    /// Of the pages fetched, the PDF documents read.
    pub pdfs_read: usize,
    /// Of the pages fetched, those read as Chromium rendered them.
    pub pages_rendered: usize,
    pub claims: BTreeMap<ClaimKind, usize>,
    pub ok: usize,
    pub unverified: usize,
    pub warnings: usize,
    pub violations: usize,
}

impl VendorReport {
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for p in &self.pages {
            match p.status {
                PageStatus::Fetched => {
                    s.pages_fetched += 1;
                    if p.encoding == Some("PDF") {
                        s.pdfs_read += 1;
                    }
                    if p.rendered {
                        s.pages_rendered += 1;
                    }
                }
                PageStatus::NotModified => s.pages_not_modified += 1,
                PageStatus::NeedsJavascript => s.pages_needing_javascript += 1,
                PageStatus::RenderFailed(_) => s.pages_not_rendered += 1,
                PageStatus::Skipped(_) => s.pages_skipped += 1,
                PageStatus::Failed(_) => s.pages_failed += 1,
            }
            for c in &p.claims {
                *s.claims.entry(c.claim.kind).or_default() += 1;
                match c.verdict.level {
                    Level::Ok => s.ok += 1,
                    Level::Unverified => s.unverified += 1,
                    Level::Warning => s.warnings += 1,
                    Level::Violation => s.violations += 1,
                }
            }
        }
        s
    }

    /// No page of the vendor could be checked.
    pub fn nothing_checked(&self) -> bool {
        !self.pages.iter().any(|p| matches!(p.status, PageStatus::Fetched | PageStatus::NotModified))
    }
}

/// Stops a run from outside (a signal to the daemon): no page is taken after the stop, and
/// pages in flight may finish until the grace deadline; after it they are abandoned.
#[derive(Clone)]
pub struct Control {
    rx: tokio::sync::watch::Receiver<Option<Instant>>,
}

/// The other end of a [`Control`].
pub struct Stopper {
    tx: tokio::sync::watch::Sender<Option<Instant>>,
}

impl Control {
    /// A control for runs nobody stops.
    pub fn never() -> Control {
        Self::new().1
    }

    pub fn new() -> (Stopper, Control) {
        let (tx, rx) = tokio::sync::watch::channel(None);
        (Stopper { tx }, Control { rx })
    }

    /// When pages in flight must be done, once the run was asked to stop.
    pub fn stop_deadline(&self) -> Option<Instant> {
        *self.rx.borrow()
    }

    /// Resolves when a stop is asked (never, if the stopper is gone without asking).
    pub async fn stopped(&self) {
        let mut rx = self.rx.clone();
        if rx.wait_for(|v| v.is_some()).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

impl Stopper {
    /// Stops the run: pages in flight may take `grace` to finish.
    pub fn stop(&self, grace: std::time::Duration) {
        let _ = self.tx.send(Some(Instant::now() + grace));
    }
}

/// What happens during a run, as it happens (progress bars, streaming output).
pub enum Event<'a> {
    Page { vendor: &'a Vendor, page: &'a PageRecord },
    VendorDone(&'a VendorReport),
}

/// Runs one pass over `vendors`: crawl, fetch, extract, detect, judge.
pub async fn run_once(
    setup: Arc<Setup>,
    fetcher: Arc<Fetcher>,
    vendors: &[Vendor],
    at: NaiveDate,
    on_event: &(dyn Fn(Event<'_>) + Send + Sync),
) -> Vec<VendorReport> {
    let mut reports = Reports(vendors.iter().map(|_| None).collect());
    let Ok(()) = run_with(setup, fetcher, vendors, &RunExtras::default(), &mut reports, at, on_event).await;
    reports.0.into_iter().map(|r| r.expect("every vendor crawled")).collect()
}

/// The memory of a run without any: every report kept, in order.
struct Reports(Vec<Option<VendorReport>>);

impl Memory for Reports {
    type Error = std::convert::Infallible;

    fn recall(&mut self, _: usize) -> Result<Recalled, Self::Error> {
        Ok(Recalled::default())
    }

    fn done(&mut self, vendor: usize, report: VendorReport) -> Result<(), Self::Error> {
        self.0[vendor] = Some(report);
        Ok(())
    }
}

/// What earlier runs left for one vendor.
#[derive(Debug, Default)]
pub struct Recalled {
    /// Pages to fetch whatever the budgets (those that carry open findings).
    pub must_fetch: Vec<Url>,
    /// The evidence of each page's previous fetch, by URL (a 304 is archived as a revisit of it).
    pub previous_evidence: HashMap<String, EvidenceRef>,
}

/// A run's memory of earlier runs, asked for each vendor as its crawl starts and handed each
/// vendor's report as soon as that vendor is over (`vendor` is the index in the run's vendors),
/// so that a run holds the vendors in flight, never the whole run.
pub trait Memory {
    type Error;
    fn recall(&mut self, vendor: usize) -> Result<Recalled, Self::Error>;
    fn done(&mut self, vendor: usize, report: VendorReport) -> Result<(), Self::Error>;
}

/// What a run with memory adds to a plain crawl.
#[derive(Clone)]
pub struct RunExtras {
    pub control: Control,
    /// Where pages are archived as evidence (none for dry runs and ad-hoc scans).
    pub archive: Option<Arc<Archive>>,
    /// Archive every fetched page, not only those with claims.
    pub archive_all: bool,
    /// The run's browser, for pages that JavaScript builds.
    pub rendering: Rendering,
}

impl Default for RunExtras {
    fn default() -> Self {
        RunExtras { control: Control::never(), archive: None, archive_all: false, rendering: Rendering::Off }
    }
}

/// Whether a run can render pages.
#[derive(Clone, Default)]
pub enum Rendering {
    /// Rendering is off (`[render] enabled = false`, or no vendor renders): shells are
    /// reported as needing JavaScript.
    #[default]
    Off,
    On(Arc<Renderer>),
    /// Rendering is on but the browser could not start: pages to render are not checked, with
    /// this reason.
    Unavailable(String),
}

impl Rendering {
    /// Starts the run's browser if `setup` renders anything; a browser that cannot start is
    /// said once here, and then by every page it should have rendered.
    pub async fn for_run(setup: &Setup, vendors: &[Vendor], fetcher: &Arc<Fetcher>) -> Rendering {
        let render = &setup.config.render;
        if !render.enabled || vendors.iter().all(|v| v.render == crate::config::RenderMode::Never) {
            return Rendering::Off;
        }
        match Renderer::start(render, fetcher.clone()).await {
            Ok(r) => Rendering::On(Arc::new(r)),
            Err(e) => {
                tracing::error!("{e}: pages that need rendering will not be checked");
                Rendering::Unavailable(e.to_string())
            }
        }
    }

    /// Closes the browser, if one was started.
    pub async fn close(&self) {
        if let Rendering::On(r) = self {
            r.close().await;
        }
    }
}

/// Like [`run_once`], with memory (pages that must be fetched, evidence, what to do with each
/// report), a stop control and an evidence archive.
///
/// If the memory fails, no vendor is started after it, those in flight are abandoned, and the
/// error is returned.
pub async fn run_with<M: Memory>(
    setup: Arc<Setup>,
    fetcher: Arc<Fetcher>,
    vendors: &[Vendor],
    extras: &RunExtras,
    memory: &mut M,
    at: NaiveDate,
    on_event: &(dyn Fn(Event<'_>) + Send + Sync),
) -> Result<(), M::Error> {
    use futures_util::StreamExt;
    use futures_util::stream::FuturesUnordered;
    let deadline = Instant::now() + setup.config.crawl.run_budget;
    // A bounded number of vendors at once: each holds page tasks, bodies awaiting analysis and
    // pooled connections to its hosts, so crawling them all together would make memory and open
    // sockets grow with the config. As one vendor ends the next starts, whatever their order.
    let mut waiting = vendors.iter().enumerate();
    let mut crawling = FuturesUnordered::new();
    loop {
        while crawling.len() < setup.config.crawl.max_concurrent_vendors {
            let Some((i, v)) = waiting.next() else { break };
            let recalled = memory.recall(i)?;
            let crawl = crawl_vendor(setup.clone(), fetcher.clone(), v, recalled, at, deadline, extras, on_event);
            // Boxed: the set keeps a finished future's slot until every waker of it is gone, and
            // a crawl's state machine is kilobytes.
            crawling.push(Box::pin(async move { (i, crawl.await) }));
        }
        let Some((i, report)) = crawling.next().await else { break };
        memory.done(i, report)?;
    }
    Ok(())
}

/// Crawls one vendor's site within its budgets.
#[allow(clippy::too_many_arguments)]
async fn crawl_vendor(
    setup: Arc<Setup>,
    fetcher: Arc<Fetcher>,
    vendor: &Vendor,
    recalled: Recalled,
    at: NaiveDate,
    deadline: Instant,
    extras: &RunExtras,
    on_event: &(dyn Fn(Event<'_>) + Send + Sync),
) -> VendorReport {
    let control = &extras.control;
    let crawl = &setup.config.crawl;
    let (per_second, burst) = crawl.rate_for(vendor);
    let rate = Rate { per_second, burst };
    let mut frontier = Frontier::new(vendor, crawl.max_depth_for(vendor), crawl.max_pages_for(vendor));
    for url in &vendor.start_urls {
        frontier.offer(url, 0);
    }
    for url in &recalled.must_fetch {
        frontier.must_fetch(url);
    }
    let scope = Arc::new(frontier.scope().clone());
    // A vendor whose turn comes after a stop or past the budget reads nothing (its pages are
    // reported as skipped below).
    let sitemaps_read = if control.stop_deadline().is_none() && Instant::now() < deadline {
        read_sitemaps(&fetcher, vendor, rate, &scope, &mut frontier).await
    } else {
        0
    };
    let vendor = Arc::new(vendor.clone());
    let mut report = VendorReport {
        vendor_id: vendor.id.clone(),
        vendor_name: vendor.name.clone(),
        pages: Vec::new(),
        not_crawled: Vec::new(),
        sitemaps_read,
        links_out_of_scope: 0,
        links_too_deep: 0,
        pages_over_budget: 0,
    };
    let mut tasks: JoinSet<(PageRecord, Vec<Url>)> = JoinSet::new();
    let mut in_flight: HashMap<tokio::task::Id, (Url, u32)> = HashMap::new();
    let mut taking = true;
    loop {
        while taking && tasks.len() < VENDOR_PARALLELISM {
            let Some((url, depth)) = frontier.take_next() else { break };
            let why_not = if control.stop_deadline().is_some() {
                Some(Skip::Interrupted)
            } else if Instant::now() >= deadline {
                Some(Skip::Budget)
            } else {
                None
            };
            if let Some(skip) = why_not {
                taking = false;
                for (url, depth) in std::iter::once((url, depth)).chain(frontier.drain()) {
                    let page = unchecked(url, depth, PageStatus::Skipped(skip.clone()));
                    on_event(Event::Page { vendor: &vendor, page: &page });
                    report.pages.push(page);
                }
                break;
            }
            let job = PageJob {
                setup: setup.clone(),
                fetcher: fetcher.clone(),
                vendor: vendor.clone(),
                scope: scope.clone(),
                rate,
                at,
                archive: extras.archive.clone(),
                archive_all: extras.archive_all,
                rendering: extras.rendering.clone(),
                previous: recalled.previous_evidence.get(url.as_str()).cloned(),
            };
            let handle = tasks.spawn(job.run(url.clone(), depth));
            in_flight.insert(handle.id(), (url, depth));
        }
        if tasks.is_empty() {
            break;
        }
        // Wait for a page; when the run is stopped, pages in flight get until the grace deadline.
        let joined = match control.stop_deadline() {
            Some(grace_end) => match tokio::time::timeout_at(grace_end, tasks.join_next_with_id()).await {
                Ok(j) => j,
                Err(_) => {
                    tasks.abort_all();
                    for (_, (url, depth)) in in_flight.drain() {
                        let page = unchecked(url, depth, PageStatus::Skipped(Skip::Interrupted));
                        on_event(Event::Page { vendor: &vendor, page: &page });
                        report.pages.push(page);
                    }
                    while tasks.join_next().await.is_some() {}
                    break;
                }
            },
            None => tokio::select! {
                j = tasks.join_next_with_id() => j,
                () = control.stopped() => {
                    taking = false;
                    continue;
                }
            },
        };
        let Some(joined) = joined else { break };
        let (page, links) = match joined {
            Ok((id, done)) => {
                in_flight.remove(&id);
                done
            }
            Err(e) => {
                tracing::error!(vendor = %vendor.id, "page task failed: {e}");
                if let Some((url, depth)) = in_flight.remove(&e.id()) {
                    let page =
                        unchecked(url, depth, PageStatus::Failed(Failure::Connect(format!("page task failed: {e}"))));
                    report.pages.push(page);
                }
                continue;
            }
        };
        frontier.mark_seen(&page.final_url);
        if taking {
            for link in &links {
                frontier.offer(link, page.depth + 1);
            }
        }
        on_event(Event::Page { vendor: &vendor, page: &page });
        report.pages.push(page);
    }
    report.links_out_of_scope = frontier.out_of_scope;
    report.links_too_deep = frontier.too_deep;
    report.pages_over_budget = frontier.pending();
    report.not_crawled = not_crawled(&report, &fetcher);
    on_event(Event::VendorDone(&report));
    report
}

/// Origins of this vendor that were not crawled at all, and why.
fn not_crawled(report: &VendorReport, fetcher: &Fetcher) -> Vec<(String, String)> {
    let mut v: BTreeMap<String, String> = BTreeMap::new();
    for p in &report.pages {
        if let PageStatus::Skipped(Skip::RobotsUnavailable(why)) = &p.status {
            v.entry(origin(&p.url)).or_insert_with(|| format!("robots.txt unavailable ({why})"));
        }
    }
    let origins: Vec<String> = report.pages.iter().map(|p| origin(&p.url)).collect();
    for (o, why) in fetcher.given_up() {
        if origins.contains(&o) {
            v.entry(o).or_insert(why);
        }
    }
    v.into_iter().collect()
}

fn unchecked(url: Url, depth: u32, status: PageStatus) -> PageRecord {
    PageRecord {
        final_url: url.clone(),
        url,
        depth,
        status,
        http_status: None,
        encoding: None,
        fetched_at: None,
        etag: None,
        last_modified: None,
        content_sha256: None,
        evidence: None,
        claims: Vec::new(),
        notes: Vec::new(),
        rendered: false,
    }
}

/// Reads the sitemaps of the vendor's start origins (named in robots.txt, or `/sitemap.xml`)
/// and offers their pages to the frontier. Returns how many sitemap documents were read.
async fn read_sitemaps(
    fetcher: &Fetcher,
    vendor: &Vendor,
    rate: Rate,
    scope: &Scope,
    frontier: &mut Frontier,
) -> usize {
    let mut queue: Vec<Url> = Vec::new();
    let mut origins_seen: Vec<String> = Vec::new();
    for start in &vendor.start_urls {
        let o = origin(start);
        if origins_seen.contains(&o) {
            continue;
        }
        origins_seen.push(o);
        let named: Vec<Url> = match fetcher.robots(start, rate).await {
            RobotsState::Rules(rules) => rules.sitemaps().iter().filter_map(|s| Url::parse(s).ok()).collect(),
            RobotsState::Unavailable(_) => continue,
        };
        if named.is_empty() {
            if let Ok(default) = start.join("/sitemap.xml") {
                queue.push(default);
            }
        } else {
            queue.extend(named);
        }
    }
    let mut read = 0;
    let mut done: Vec<String> = Vec::new();
    while let Some(url) = queue.pop() {
        if read >= MAX_SITEMAPS || done.contains(&url.to_string()) || !scope.on_site(&url) {
            continue;
        }
        done.push(url.to_string());
        let fetched = fetcher.fetch_document(&url, rate, &|u| scope.on_site(u)).await;
        let Outcome::Page { body, .. } = fetched.outcome else { continue };
        read += 1;
        match sitemap::parse(&body, MAX_SITEMAP_BYTES, 50_000) {
            Ok(Sitemap::Urls(urls)) => {
                for u in urls.iter().filter_map(|u| Url::parse(u).ok()) {
                    frontier.offer(&u, 1);
                }
            }
            Ok(Sitemap::Index(more)) => queue.extend(more.iter().filter_map(|u| Url::parse(u).ok())),
            Err(e) => tracing::debug!(%url, "not a usable sitemap: {e}"),
        }
    }
    read
}
