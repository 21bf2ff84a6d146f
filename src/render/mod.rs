//! Pages that JavaScript builds: rendered in the run's one headless Chromium, every request the browser makes answered by claimwatch's own fetcher, the settled DOM read like a page.
//!
//! The browser has no network of its own. Each tab lives in a fresh browser context; every
//! target it starts (the page, its out-of-process frames, its workers) is attached before it
//! runs and has its requests paused (`Fetch.enable`). Each paused request is decided in
//! [`intercept`] and answered with `Fetch.fulfillRequest` from what the fetcher got (robots.txt,
//! the subresource rate, the address guard, scope and caps all hold) or refused with
//! `Fetch.failRequest`; it is never continued, which would let Chromium resolve and connect by
//! itself. The page's own document is answered with the response the crawl already fetched.

mod browser;
pub mod cdp;
pub mod intercept;
mod tab;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use serde_json::{Value, json};
use tokio::sync::{Semaphore, mpsc};
use url::Url;

use crate::config::{RenderSettings, Vendor};
use crate::evidence::{Archive, EvidenceRef};
use crate::fetch::{Exchange, Fetcher, Rate};
use browser::Browser;
use cdp::{Connection, Event};
pub use intercept::Refusal;
use tab::Tab;

/// Subresources kept for the run, all together, at most (each is also capped by the body cap).
const CACHE_BYTES: usize = 64 * 1024 * 1024;

/// Why a page could not be rendered (it is then not checked, with this reason).
#[derive(Debug, Clone, thiserror::Error)]
pub enum RenderError {
    #[error("Chromium cannot start: {0}")]
    Start(String),
    #[error("Chromium is gone: {0}")]
    Browser(String),
    #[error("rendering failed: {0}")]
    Page(String),
}

/// A page to render: what the crawl fetched, and whose page it is.
pub struct PageToRender {
    pub url: Url,
    /// The response as received (its headers are handed to the browser).
    pub document: Exchange,
    /// Its body, decoded from any content coding.
    pub body: Vec<u8>,
    pub vendor: Arc<Vendor>,
    /// What to take of the page once it settled.
    pub after: After,
}

/// What a render gives besides the DOM.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum After {
    /// The serialised DOM only.
    #[default]
    Dom,
    /// Also a PNG of the viewport, scrolled to the first occurrence of `highlight` (marked with
    /// a background and a border, readable in black and white), or to the top when absent.
    Screenshot { highlight: String },
    /// Also the page printed as an A4 PDF, with this HTML as every page's footer (Chromium
    /// fills `pageNumber` and `totalPages` classes).
    Pdf { footer: String },
}

/// Where the browser's requests are answered from.
pub enum Source {
    /// claimwatch's fetcher, live (a run).
    Live(Arc<Fetcher>),
    /// The evidence archive only: nothing is fetched (a dossier's pictures).
    Archive(Arc<ReplayIndex>),
}

/// Archived responses by URL, decoded from their content coding, for replay.
#[derive(Debug, Default)]
pub struct ReplayIndex {
    responses: HashMap<String, Arc<Exchange>>,
    bodies: HashMap<String, Bytes>,
}

impl ReplayIndex {
    /// Adds an archived response (later additions of a URL replace earlier ones).
    pub fn add(&mut self, exchange: Exchange, decoded: Vec<u8>) {
        let key = replay_key(&exchange.url);
        self.bodies.insert(key.clone(), Bytes::from(decoded));
        self.responses.insert(key, Arc::new(exchange));
    }

    fn get(&self, url: &Url) -> Option<Arc<Cached>> {
        let key = replay_key(url);
        Some(Arc::new(Cached { exchange: self.responses.get(&key)?.clone(), body: self.bodies.get(&key)?.clone() }))
    }

    pub fn len(&self) -> usize {
        self.responses.len()
    }

    pub fn is_empty(&self) -> bool {
        self.responses.is_empty()
    }
}

fn replay_key(url: &Url) -> String {
    let mut u = url.clone();
    u.set_fragment(None);
    u.to_string()
}

/// A rendered page.
#[derive(Debug, Clone)]
pub struct RenderedPage {
    /// The DOM once the network was idle (or at the timeout), serialised as HTML.
    pub html: String,
    /// The screenshot (PNG) or the printed PDF, when asked for.
    pub image: Option<Vec<u8>>,
    pub pdf: Option<Vec<u8>>,
    /// For a screenshot: whether the claim was found on the page and marked.
    pub highlighted: bool,
    /// False when the page was still loading at the timeout: it is read, but not called checked.
    pub settled: bool,
    /// Responses fetched for the page (from the network or the run's cache), in order.
    pub subresources: Vec<Arc<Exchange>>,
    /// Requests refused, with why.
    pub refused: Vec<(String, String)>,
    /// Where the page tried to navigate its top frame (offered to the crawl as links).
    pub navigations: Vec<Url>,
}

impl RenderedPage {
    /// One line for the page's notes: what rendering fetched and refused.
    pub fn note(&self) -> String {
        let mut by_reason: Vec<(String, usize)> = Vec::new();
        for (_, why) in &self.refused {
            // The kind of refusal, without the host or address it names.
            let kind = why.split(':').next().unwrap_or(why).trim();
            match by_reason.iter_mut().find(|(w, _)| w == kind) {
                Some((_, n)) => *n += 1,
                None => by_reason.push((kind.to_string(), 1)),
            }
        }
        let refused = by_reason.iter().map(|(w, n)| format!("{n} {w}")).collect::<Vec<_>>().join(", ");
        let mut note = format!("rendered by Chromium: {} subresource(s) fetched", self.subresources.len());
        if !refused.is_empty() {
            note.push_str(&format!("; refused: {refused}"));
        }
        if !self.settled {
            note.push_str("; still loading at the timeout");
        }
        note
    }
}

/// A response kept for the run.
struct Cached {
    exchange: Arc<Exchange>,
    body: Bytes,
}

/// What the event loop and the tabs share.
struct Shared {
    connection: Arc<Connection>,
    source: Source,
    rate: Rate,
    /// The tab of each browser context claimwatch opened.
    contexts: Mutex<HashMap<String, Arc<Tab>>>,
    /// The tab of each attached session (none: a target claimwatch did not open).
    sessions: Mutex<HashMap<String, Option<Arc<Tab>>>>,
    cache: Mutex<(HashMap<String, Arc<Cached>>, usize)>,
    /// Why the browser is gone, once it is.
    gone: Mutex<Option<String>>,
}

/// The run's renderer: one browser, `concurrency` tabs.
pub struct Renderer {
    settings: RenderSettings,
    shared: Arc<Shared>,
    tabs: Semaphore,
    browser: Mutex<Option<Browser>>,
    product: String,
    /// Subresources already archived this run (one copy per run is enough to replay them).
    archived: Mutex<HashMap<String, EvidenceRef>>,
    closed: AtomicBool,
}

impl Renderer {
    /// Starts the browser. `fetcher` answers every request it makes.
    pub async fn start(settings: &RenderSettings, fetcher: Arc<Fetcher>) -> Result<Renderer, RenderError> {
        Self::with_source(settings, Source::Live(fetcher)).await
    }

    /// Starts a browser that answers every request from `source`.
    pub async fn with_source(settings: &RenderSettings, source: Source) -> Result<Renderer, RenderError> {
        let images = matches!(source, Source::Archive(_));
        let (browser, events) = Browser::launch(&settings.chromium, images).await?;
        let shared = Arc::new(Shared {
            connection: browser.connection.clone(),
            source,
            rate: Rate { per_second: settings.subresource_requests_per_second, burst: 1 },
            contexts: Mutex::default(),
            sessions: Mutex::default(),
            cache: Mutex::default(),
            gone: Mutex::default(),
        });
        tokio::spawn(drive(events, shared.clone()));
        Ok(Renderer {
            settings: settings.clone(),
            shared,
            tabs: Semaphore::new(settings.concurrency),
            product: browser.product.clone(),
            browser: Mutex::new(Some(browser)),
            archived: Mutex::default(),
            closed: AtomicBool::new(false),
        })
    }

    /// Checks that the browser starts (for `validate`), and says which it is.
    pub async fn probe(settings: &RenderSettings) -> Result<String, RenderError> {
        let (browser, _events) = Browser::launch(&settings.chromium, false).await?;
        let product = browser.product.clone();
        browser.close().await;
        Ok(product)
    }

    /// The browser's name and version (`HeadlessChrome/156…`).
    pub fn product(&self) -> &str {
        &self.product
    }

    /// Renders one page in a tab of its own; waits for a free tab first.
    pub async fn render(&self, page: PageToRender) -> Result<RenderedPage, RenderError> {
        let _tab_slot = self.tabs.acquire().await.map_err(|_| RenderError::Browser("the renderer is closed".into()))?;
        if let Some(why) = self.shared.gone.lock().expect("gone lock").clone() {
            return Err(RenderError::Browser(why));
        }
        tab::render(&self.shared, page, self.settings.page_timeout).await
    }

    /// Archives the subresources of a rendered page not yet archived this run.
    pub fn archive_subresources(&self, archive: &Archive, rendered: &RenderedPage) {
        for ex in &rendered.subresources {
            let key = ex.url.to_string();
            if self.archived.lock().expect("archived lock").contains_key(&key) {
                continue;
            }
            match archive.archive(ex) {
                Ok(r) => {
                    self.archived.lock().expect("archived lock").insert(key, r);
                }
                Err(e) => tracing::error!(url = %ex.url, "cannot archive a subresource: {e}"),
            }
        }
    }

    /// Closes the browser (also done, by killing it, when the renderer is dropped).
    pub async fn close(&self) {
        if self.closed.swap(true, Ordering::SeqCst) {
            return;
        }
        self.tabs.close();
        let browser = self.browser.lock().expect("browser lock").take();
        if let Some(b) = browser {
            b.close().await;
        }
    }
}

/// The event loop: attaches every new target with its requests paused, and answers each
/// paused request on a task of its own.
async fn drive(mut events: mpsc::UnboundedReceiver<Event>, shared: Arc<Shared>) {
    while let Some(event) = events.recv().await {
        match event.method.as_str() {
            "Target.attachedToTarget" => attached(&shared, event.session.as_deref(), &event.params),
            "Target.detachedFromTarget" => {
                if let Some(s) = event.params.get("sessionId").and_then(Value::as_str) {
                    shared.sessions.lock().expect("sessions lock").remove(s);
                }
            }
            "Fetch.requestPaused" => {
                let Some(session) = event.session else { continue };
                let tab = shared.sessions.lock().expect("sessions lock").get(&session).cloned().flatten();
                let shared = shared.clone();
                tokio::spawn(async move { tab::answer(&shared, tab, &session, event.params).await });
            }
            "Page.loadEventFired" => {
                if let Some(tab) = tab_of(&shared, event.session.as_deref()) {
                    tab.loaded();
                }
            }
            "Page.javascriptDialogOpening" => {
                // An alert() would hold the page until someone answers it.
                shared.connection.post(
                    event.session.as_deref(),
                    "Page.handleJavaScriptDialog",
                    json!({ "accept": false }),
                );
            }
            "Inspector.targetCrashed" | "Target.targetCrashed" => {
                if let Some(tab) = tab_of(&shared, event.session.as_deref()) {
                    tab.crashed();
                }
            }
            _ => {}
        }
    }
    *shared.gone.lock().expect("gone lock") = Some("the browser closed its connection".into());
    for tab in shared.contexts.lock().expect("contexts lock").values() {
        tab.crashed();
    }
}

fn tab_of(shared: &Shared, session: Option<&str>) -> Option<Arc<Tab>> {
    shared.sessions.lock().expect("sessions lock").get(session?).cloned().flatten()
}

/// A new target, held before it runs: its requests are paused, its own children will be held
/// the same way, then it may run.
fn attached(shared: &Shared, parent: Option<&str>, params: &Value) {
    let Some(session) = params.get("sessionId").and_then(Value::as_str) else { return };
    let info = &params["targetInfo"];
    let kind = info.get("type").and_then(Value::as_str).unwrap_or("");
    let tab = match parent {
        Some(p) => shared.sessions.lock().expect("sessions lock").get(p).cloned().flatten(),
        None => info
            .get("browserContextId")
            .and_then(Value::as_str)
            .and_then(|c| shared.contexts.lock().expect("contexts lock").get(c).cloned()),
    };
    if let (Some(tab), None, "page") = (&tab, parent, kind) {
        tab.set_main(session, info.get("targetId").and_then(Value::as_str).unwrap_or(""));
    }
    shared.sessions.lock().expect("sessions lock").insert(session.to_string(), tab);
    let c = &shared.connection;
    let s = Some(session);
    // In order on the session: interception is on before the target runs a line.
    c.post(s, "Fetch.enable", json!({ "patterns": [{ "urlPattern": "*", "requestStage": "Request" }] }));
    if matches!(kind, "page" | "iframe" | "worker" | "shared_worker") {
        c.post(
            s,
            "Target.setAutoAttach",
            json!({ "autoAttach": true, "waitForDebuggerOnStart": true, "flatten": true }),
        );
    }
    if kind == "service_worker" {
        // Service workers are refused at their script; one that exists anyway is closed.
        if let Some(id) = info.get("targetId").and_then(Value::as_str) {
            c.post(None, "Target.closeTarget", json!({ "targetId": id }));
        }
        return;
    }
    c.post(s, "Runtime.runIfWaitingForDebugger", json!({}));
}
