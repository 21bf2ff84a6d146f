//! One page rendered in a tab of its own browser context: opened, navigated to the crawled response, waited on until its network is idle, serialised, closed; and the answer to each request it makes.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use bytes::Bytes;
use serde_json::{Value, json};
use tokio::sync::Notify;
use tokio::time::Instant;
use url::Url;

use super::intercept::{Decision, Paused, Refusal, decide, forwarded_header};
use super::{After, CACHE_BYTES, Cached, PageToRender, RenderError, RenderedPage, Shared, Source};
use crate::config::Vendor;
use crate::fetch::{Exchange, Outcome};

/// The network counts as idle after this long without a request in flight (as browsers'
/// automation tools define it).
const QUIET: Duration = Duration::from_millis(500);
/// How often a tab looks at its progress.
const TICK: Duration = Duration::from_millis(50);
/// Protocol calls other than the navigation itself.
const CALL: Duration = Duration::from_secs(15);

/// Serialises the DOM as it stands, with the content of open shadow roots copied into their
/// hosts (deepest first, so that a host inside a shadow root carries its own copy up), since
/// `outerHTML` leaves shadow trees out and web components put text there.
const SERIALISE: &str = r#"(() => {
  const hosts = [];
  const walk = (root) => { for (const el of root.querySelectorAll('*')) { if (el.shadowRoot) { hosts.push(el); walk(el.shadowRoot); } } };
  walk(document);
  for (const host of hosts.reverse()) {
    const copy = document.createElement('div');
    copy.setAttribute('data-claimwatch-shadow-root', '');
    copy.innerHTML = host.shadowRoot.innerHTML;
    host.appendChild(copy);
  }
  const doctype = document.doctype ? '<!DOCTYPE ' + document.doctype.name + '>\n' : '';
  return doctype + (document.documentElement ? document.documentElement.outerHTML : '');
})()"#;

/// What a tab collects while its page loads.
#[derive(Default)]
struct Log {
    subresources: Vec<Arc<Exchange>>,
    refused: Vec<(String, String)>,
    navigations: Vec<Url>,
}

/// One tab: the page it renders and its progress.
pub(super) struct Tab {
    url: Url,
    vendor: Arc<Vendor>,
    document: Exchange,
    body: Vec<u8>,
    document_served: AtomicBool,
    /// The session and target id of its top frame, once attached.
    main: Mutex<Option<(String, String)>>,
    attached: Notify,
    loaded: AtomicBool,
    crashed: AtomicBool,
    in_flight: AtomicUsize,
    last_activity: Mutex<Instant>,
    log: Mutex<Log>,
    after: After,
}

impl Tab {
    pub(super) fn set_main(&self, session: &str, target: &str) {
        let mut main = self.main.lock().expect("main lock");
        if main.is_none() {
            *main = Some((session.to_string(), target.to_string()));
            self.attached.notify_one();
        }
    }

    pub(super) fn loaded(&self) {
        self.loaded.store(true, Ordering::SeqCst);
    }

    pub(super) fn crashed(&self) {
        self.crashed.store(true, Ordering::SeqCst);
        self.attached.notify_one();
    }

    fn touch(&self) {
        *self.last_activity.lock().expect("activity lock") = Instant::now();
    }

    fn refuse(&self, url: &str, why: String) {
        self.log.lock().expect("log lock").refused.push((url.to_string(), why));
    }
}

/// Renders `page` in a new browser context, within `timeout`.
pub(super) async fn render(
    shared: &Arc<Shared>,
    page: PageToRender,
    timeout: Duration,
) -> Result<RenderedPage, RenderError> {
    let c = &shared.connection;
    let deadline = Instant::now() + timeout;
    let tab = Arc::new(Tab {
        url: page.url.clone(),
        vendor: page.vendor,
        document: page.document,
        body: page.body,
        document_served: AtomicBool::new(false),
        main: Mutex::new(None),
        attached: Notify::new(),
        loaded: AtomicBool::new(false),
        crashed: AtomicBool::new(false),
        in_flight: AtomicUsize::new(0),
        last_activity: Mutex::new(Instant::now()),
        log: Mutex::default(),
        after: page.after,
    });
    let browser_error = |e: super::cdp::CdpError| RenderError::Browser(e.to_string());
    let context = c
        .call(None, "Target.createBrowserContext", json!({ "disposeOnDetach": true }), CALL)
        .await
        .map_err(browser_error)?;
    let Some(context) = context.get("browserContextId").and_then(Value::as_str).map(str::to_string) else {
        return Err(RenderError::Browser("no browser context id".into()));
    };
    shared.contexts.lock().expect("contexts lock").insert(context.clone(), tab.clone());
    let result = render_in(shared, &tab, &context, deadline).await;
    c.post(None, "Target.disposeBrowserContext", json!({ "browserContextId": context }));
    shared.contexts.lock().expect("contexts lock").remove(&context);
    let taken = result?;
    let log = std::mem::take(&mut *tab.log.lock().expect("log lock"));
    Ok(RenderedPage {
        html: taken.html,
        image: taken.image,
        pdf: taken.pdf,
        highlighted: taken.highlighted,
        settled: taken.settled,
        subresources: log.subresources,
        refused: log.refused,
        navigations: log.navigations,
    })
}

/// What was taken of a page once it settled.
struct Taken {
    html: String,
    settled: bool,
    image: Option<Vec<u8>>,
    pdf: Option<Vec<u8>>,
    highlighted: bool,
}

/// The serialised DOM, whether the page settled, and what `tab.after` asks for.
async fn render_in(shared: &Shared, tab: &Arc<Tab>, context: &str, deadline: Instant) -> Result<Taken, RenderError> {
    let c = &shared.connection;
    let created = c
        .call(None, "Target.createTarget", json!({ "url": "about:blank", "browserContextId": context }), CALL)
        .await
        .map_err(|e| RenderError::Browser(e.to_string()))?;
    let _ = created;
    let session = loop {
        if let Some((s, _)) = tab.main.lock().expect("main lock").clone() {
            break s;
        }
        if tab.crashed.load(Ordering::SeqCst) {
            return Err(RenderError::Browser("the tab closed before it was attached".into()));
        }
        if tokio::time::timeout(CALL, tab.attached.notified()).await.is_err() {
            return Err(RenderError::Browser("the tab was never attached".into()));
        }
    };
    let s = Some(session.as_str());
    c.call(s, "Page.enable", json!({}), CALL).await.map_err(|e| RenderError::Browser(e.to_string()))?;
    if matches!(tab.after, After::Screenshot { .. }) {
        let metrics = json!({ "width": VIEW_WIDTH, "height": VIEW_HEIGHT, "deviceScaleFactor": 1, "mobile": false });
        c.call(s, "Emulation.setDeviceMetricsOverride", metrics, CALL)
            .await
            .map_err(|e| RenderError::Browser(e.to_string()))?;
    }
    let left = deadline.saturating_duration_since(Instant::now());
    let navigated = c.call(s, "Page.navigate", json!({ "url": tab.url.as_str() }), left).await;
    match navigated {
        Ok(v) => {
            if let Some(error) = v.get("errorText").and_then(Value::as_str).filter(|e| !e.is_empty()) {
                return Err(RenderError::Page(format!("the page did not load in the browser ({error})")));
            }
        }
        Err(super::cdp::CdpError::Timeout(_)) => {
            return Err(RenderError::Page("the page did not start loading before the timeout".into()));
        }
        Err(e) => return Err(RenderError::Browser(e.to_string())),
    }
    let settled = loop {
        if tab.crashed.load(Ordering::SeqCst) {
            return Err(RenderError::Page("the page crashed the browser's renderer".into()));
        }
        let quiet_since = *tab.last_activity.lock().expect("activity lock");
        if tab.loaded.load(Ordering::SeqCst)
            && tab.in_flight.load(Ordering::SeqCst) == 0
            && quiet_since.elapsed() >= QUIET
        {
            break true;
        }
        if Instant::now() >= deadline {
            break false;
        }
        tokio::time::sleep(TICK).await;
    };
    let evaluated = c
        .call(s, "Runtime.evaluate", json!({ "expression": SERIALISE, "returnByValue": true, "timeout": 10_000 }), CALL)
        .await
        .map_err(|e| RenderError::Page(format!("cannot read the rendered page: {e}")))?;
    let html = evaluated["result"]["value"].as_str().ok_or_else(|| {
        let why = evaluated["exceptionDetails"]["text"].as_str().unwrap_or("no text came back");
        RenderError::Page(format!("cannot read the rendered page: {why}"))
    })?;
    let mut taken = Taken { html: html.to_string(), settled, image: None, pdf: None, highlighted: false };
    match &tab.after {
        After::Dom => {}
        After::Screenshot { highlight } => {
            let expression = format!("({HIGHLIGHT})({})", Value::String(highlight.clone()));
            let marked = c
                .call(
                    s,
                    "Runtime.evaluate",
                    json!({ "expression": expression, "returnByValue": true, "timeout": 10_000 }),
                    CALL,
                )
                .await
                .map_err(|e| RenderError::Page(format!("cannot mark the claim: {e}")))?;
            taken.highlighted = marked["result"]["value"].as_bool() == Some(true);
            let shot = c
                .call(s, "Page.captureScreenshot", json!({ "format": "png", "captureBeyondViewport": false }), CALL)
                .await
                .map_err(|e| RenderError::Page(format!("cannot take the screenshot: {e}")))?;
            taken.image = Some(decoded(&shot, "screenshot")?);
        }
        After::Pdf { footer } => {
            let print = json!({
                "paperWidth": A4_WIDTH_IN, "paperHeight": A4_HEIGHT_IN,
                "marginTop": 0.6, "marginBottom": 0.7, "marginLeft": 0.6, "marginRight": 0.6,
                "printBackground": true, "preferCSSPageSize": true,
                "displayHeaderFooter": true, "headerTemplate": "<span></span>", "footerTemplate": footer,
            });
            let printed = c
                .call(s, "Page.printToPDF", print, CALL * 4)
                .await
                .map_err(|e| RenderError::Page(format!("cannot print the page: {e}")))?;
            taken.pdf = Some(decoded(&printed, "PDF")?);
        }
    }
    Ok(taken)
}

/// The viewport of a screenshot: a desktop browser's.
const VIEW_WIDTH: u32 = 1280;
const VIEW_HEIGHT: u32 = 900;
/// A4, in inches (what `Page.printToPDF` takes).
const A4_WIDTH_IN: f64 = 8.27;
const A4_HEIGHT_IN: f64 = 11.69;

/// Marks the first occurrence of the claim on the page and scrolls it to the middle of the
/// viewport. The text is compared as a reader sees it (case, accents, spaces, apostrophes and
/// invisible characters aside), across element boundaries; the mark is a set of boxes laid over
/// the text's rectangles, with a fill and a thick border so that it reads in black and white.
/// Returns whether the claim was found (it may be only in the title or a meta tag).
const HIGHLIGHT: &str = r#"(needle) => {
  const fold = (c) => c.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[\u2018\u2019\u02bc]/g, "'").replace(/[\s\u00a0\u202f\u00ad\u200b-\u200d\u2060\ufeff]/g, '');
  // White space is left out on both sides: text split across elements (or lines) still matches.
  let want = '';
  for (const c of needle) want += fold(c);
  if (!want || !document.body) return false;
  const chars = [];
  let text = '';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode: (n) => { const p = n.parentElement; return p && !['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE'].includes(p.tagName) ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT; }
  });
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const v = n.nodeValue;
    for (let i = 0; i < v.length; i++) {
      for (const f of fold(v[i])) { text += f; chars.push([n, i]); }
    }
  }
  const at = text.indexOf(want);
  if (at < 0) return false;
  const [sn, so] = chars[at];
  const [en, eo] = chars[at + want.length - 1];
  const range = document.createRange();
  range.setStart(sn, so);
  range.setEnd(en, Math.min(eo + 1, en.nodeValue.length));
  if (!Array.from(range.getClientRects()).some((r) => r.width > 0 && r.height > 0)) return false;
  const first = range.getClientRects()[0];
  window.scrollTo(0, Math.max(0, first.top + window.scrollY - window.innerHeight / 3));
  for (const r of Array.from(range.getClientRects()).filter((r) => r.width > 0 && r.height > 0)) {
    const box = document.createElement('div');
    box.setAttribute('data-claimwatch-highlight', '');
    box.style.cssText = 'position:absolute;z-index:2147483647;pointer-events:none;box-sizing:border-box;'
      + 'background:rgba(255,214,0,0.45);border:3px solid #000;'
      + `left:${r.left + window.scrollX - 4}px;top:${r.top + window.scrollY - 4}px;width:${r.width + 8}px;height:${r.height + 8}px`;
    document.documentElement.appendChild(box);
  }
  return true;
}"#;

/// The bytes of a `data` field of a protocol answer.
fn decoded(answer: &Value, what: &str) -> Result<Vec<u8>, RenderError> {
    let data = answer["data"].as_str().ok_or_else(|| RenderError::Page(format!("no {what} came back")))?;
    base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|e| RenderError::Page(format!("the {what} came back garbled: {e}")))
}

/// Answers one paused request: fulfilled from the crawl, the run's cache or claimwatch's
/// fetcher, or refused. A request of a target claimwatch did not open is refused.
pub(super) async fn answer(shared: &Shared, tab: Option<Arc<Tab>>, session: &str, params: Value) {
    let Some(request_id) = params.get("requestId").and_then(Value::as_str).map(str::to_string) else { return };
    let request = &params["request"];
    let url = request.get("url").and_then(Value::as_str).unwrap_or("");
    let Some(tab) = tab else {
        fail(shared, session, &request_id);
        return;
    };
    tab.in_flight.fetch_add(1, Ordering::SeqCst);
    tab.touch();
    let header = |name: &str| {
        request["headers"]
            .as_object()
            .and_then(|h| h.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
            .and_then(|(_, v)| v.as_str())
    };
    let (main_session, main_target) = tab.main.lock().expect("main lock").clone().unwrap_or_default();
    let paused = Paused {
        url,
        method: request.get("method").and_then(Value::as_str).unwrap_or("GET"),
        resource_type: params.get("resourceType").and_then(Value::as_str).unwrap_or("Other"),
        top_frame: session == main_session
            && params.get("frameId").and_then(Value::as_str) == Some(main_target.as_str()),
        service_worker: header("service-worker") == Some("script"),
    };
    let vendor = tab.vendor.clone();
    // Replaying the archive, any host may answer: the archive decides.
    let replay = matches!(shared.source, Source::Archive(_));
    let in_scope = move |u: &Url| replay || u.host_str().is_some_and(|h| vendor.renders_from(h));
    let head = paused.method == "HEAD";
    match decide(&paused, &tab.url, tab.document_served.load(Ordering::SeqCst), &in_scope) {
        Decision::Document => {
            tab.document_served.store(true, Ordering::SeqCst);
            fulfil(shared, session, &request_id, tab.document.status, &headers_of(&tab.document), &tab.body);
        }
        Decision::Preflight => {
            let mut headers = vec![
                ("Access-Control-Allow-Origin".to_string(), header("origin").unwrap_or("*").to_string()),
                ("Access-Control-Allow-Methods".to_string(), "GET, HEAD".to_string()),
                ("Access-Control-Max-Age".to_string(), "600".to_string()),
            ];
            if let Some(h) = header("access-control-request-headers") {
                headers.push(("Access-Control-Allow-Headers".to_string(), h.to_string()));
            }
            fulfil(shared, session, &request_id, 204, &headers, b"");
        }
        Decision::Fetch(target) => {
            let in_scope = {
                let vendor = tab.vendor.clone();
                move |u: &Url| replay || u.host_str().is_some_and(|h| vendor.renders_from(h))
            };
            match fetch(shared, &target, header("accept"), &in_scope).await {
                Ok(cached) => {
                    let body: &[u8] = if head { b"" } else { &cached.body };
                    fulfil(shared, session, &request_id, cached.exchange.status, &headers_of(&cached.exchange), body);
                    tab.log.lock().expect("log lock").subresources.push(cached.exchange.clone());
                }
                Err(Answer::Status(exchange)) => {
                    fulfil(shared, session, &request_id, exchange.status, &headers_of(&exchange), b"");
                }
                Err(Answer::Refused(why)) => {
                    tab.refuse(url, why);
                    fail(shared, session, &request_id);
                }
            }
        }
        Decision::Refuse(Refusal::Navigation) => {
            if let Ok(target) = Url::parse(url) {
                tab.log.lock().expect("log lock").navigations.push(target);
            }
            tab.refuse(url, Refusal::Navigation.to_string());
            // A 204 leaves the page where it is; a failed navigation would replace it with the
            // browser's error page, and that is what would be read.
            fulfil(shared, session, &request_id, 204, &[], b"");
        }
        Decision::Refuse(why) => {
            tab.refuse(url, why.to_string());
            fail(shared, session, &request_id);
        }
    }
    tab.touch();
    tab.in_flight.fetch_sub(1, Ordering::SeqCst);
}

enum Answer {
    /// A response without a body to hand over (404, 500…).
    Status(Box<Exchange>),
    Refused(String),
}

/// A subresource from the run's cache, or fetched (and kept, when there is room).
async fn fetch(
    shared: &Shared,
    url: &Url,
    accept: Option<&str>,
    in_scope: &(dyn Fn(&Url) -> bool + Sync),
) -> Result<Arc<Cached>, Answer> {
    let fetcher = match &shared.source {
        Source::Live(f) => f,
        // Replay: what the archive holds, and nothing else.
        Source::Archive(index) => return index.get(url).ok_or_else(|| Answer::Refused("not in the archive".into())),
    };
    let key = url.as_str().to_string();
    if let Some(hit) = shared.cache.lock().expect("cache lock").0.get(&key) {
        return Ok(hit.clone());
    }
    let fetched = fetcher.fetch_subresource(url, shared.rate, in_scope, accept).await;
    match fetched.outcome {
        Outcome::Page { exchange, body } => {
            let cached = Arc::new(Cached { exchange: Arc::new(exchange), body: Bytes::from(body) });
            let mut cache = shared.cache.lock().expect("cache lock");
            if cache.1 + cached.body.len() <= CACHE_BYTES {
                cache.1 += cached.body.len();
                cache.0.insert(key, cached.clone());
            }
            Ok(cached)
        }
        Outcome::Failed { exchange: Some(exchange), .. } => Err(Answer::Status(Box::new(exchange))),
        Outcome::Failed { failure, exchange: None } => Err(Answer::Refused(failure.to_string())),
        Outcome::Skipped(skip) => Err(Answer::Refused(skip.to_string())),
        Outcome::NotModified { .. } => Err(Answer::Refused("not modified".into())),
    }
}

fn headers_of(exchange: &Exchange) -> Vec<(String, String)> {
    exchange
        .headers
        .iter()
        .filter(|(n, _)| forwarded_header(n))
        .map(|(n, v)| (n.clone(), String::from_utf8_lossy(v).into_owned()))
        .collect()
}

fn fulfil(shared: &Shared, session: &str, request_id: &str, status: u16, headers: &[(String, String)], body: &[u8]) {
    let headers: Vec<Value> = headers.iter().map(|(n, v)| json!({ "name": n, "value": v })).collect();
    shared.connection.post(
        Some(session),
        "Fetch.fulfillRequest",
        json!({
            "requestId": request_id,
            "responseCode": status,
            "responseHeaders": headers,
            "body": base64::engine::general_purpose::STANDARD.encode(body),
        }),
    );
}

fn fail(shared: &Shared, session: &str, request_id: &str) {
    shared.connection.post(
        Some(session),
        "Fetch.failRequest",
        json!({ "requestId": request_id, "errorReason": "BlockedByClient" }),
    );
}
