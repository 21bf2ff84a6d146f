//! One polite HTTP fetch: robots.txt, per-origin rate limits, the private-address guard, timeouts, size caps, retries with backoff, redirects within scope, conditional GET.
//!
//! Every response is kept as received (status, headers, body still content-encoded) in an
//! [`Exchange`], because evidence archives exactly that; the decoded body is produced here,
//! under a cap. A page that cannot be fetched is a value ([`Outcome::Failed`] or
//! [`Outcome::Skipped`]), never an error that stops a run.

pub mod body;
pub mod guard;
pub mod politeness;
mod robots_txt;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use reqwest::header::{self, HeaderMap, HeaderValue};
use tokio::sync::Semaphore;
use tokio::time::Instant;
use url::Url;

use crate::config::CrawlSettings;
use crate::extract::mime;
pub use body::BodyError;
pub use guard::is_public;
use politeness::{Gate, Gates};
pub use robots_txt::RobotsState;

/// At most this many redirects are followed for a page.
pub const MAX_REDIRECTS: usize = 10;
/// Decoded (decompressed) bodies stop at this multiple of the body cap.
const DECODED_FACTOR: u64 = 4;
/// A Retry-After or backoff longer than this gives up on the request instead of waiting.
const MAX_WAIT: Duration = Duration::from_secs(120);
/// A kept-alive connection unused this long is closed. Long enough to be reused between the
/// requests of a host at its usual rate (1 a second), short enough that the connections of the
/// vendors already done do not pile up as open sockets (HTTP libraries keep them 90 s).
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(2);

/// One HTTP request and its response, as sent and received.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub url: Url,
    pub method: &'static str,
    pub request_headers: Vec<(String, String)>,
    pub status: u16,
    /// `HTTP/1.1`, `HTTP/2.0`…
    pub version: String,
    /// Response headers in the order the HTTP library keeps them (first appearance of each name).
    pub headers: Vec<(String, Vec<u8>)>,
    /// The body exactly as received (still content-encoded); empty for a 304 or a skipped type.
    pub body: Bytes,
    pub fetched_at: DateTime<Utc>,
    pub remote_addr: Option<SocketAddr>,
}

impl Exchange {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).and_then(|(_, v)| std::str::from_utf8(v).ok())
    }
}

/// Why a page was not fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// robots.txt disallows it for our user agent.
    Robots,
    /// robots.txt could not be read (429, 5xx, unreachable): the whole host is off for the run.
    RobotsUnavailable(String),
    /// Not HTML (recorded, not read).
    ContentType(String),
    /// A redirect or link leaving the vendor's hosts or include/exclude patterns.
    OutOfScope(Url),
    /// The guard refused a non-public address.
    PrivateAddress(String),
    /// The run's time budget was spent before this page's turn.
    Budget,
    /// The run was stopped (shutdown) before this page was done.
    Interrupted,
}

impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Skip::Robots => write!(f, "disallowed by robots.txt"),
            Skip::RobotsUnavailable(why) => write!(f, "robots.txt unavailable ({why}): host not crawled this run"),
            Skip::ContentType(ct) => write!(f, "not HTML ({ct})"),
            Skip::OutOfScope(u) => write!(f, "out of scope: {u}"),
            Skip::PrivateAddress(why) => write!(f, "{why}"),
            Skip::Budget => write!(f, "run budget spent"),
            Skip::Interrupted => write!(f, "run interrupted"),
        }
    }
}

/// Why a page could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// A final HTTP error status (after retries for 429 and 5xx).
    Status(u16),
    Timeout,
    Connect(String),
    Body(BodyError),
    TooManyRedirects,
    /// The origin was given up for the run after repeated failures.
    GivenUp(String),
    /// The private-address guard refused the connection.
    Refused(String),
    /// The run budget ran out while the request waited for its turn (the page is reported as
    /// [`Skip::Budget`]).
    Budget,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Status(s) => write!(f, "HTTP {s}"),
            Failure::Timeout => write!(f, "timed out"),
            Failure::Connect(why) => write!(f, "{why}"),
            Failure::Body(e) => write!(f, "{e}"),
            Failure::TooManyRedirects => write!(f, "too many redirects (more than {MAX_REDIRECTS})"),
            Failure::GivenUp(why) => write!(f, "host {why}"),
            Failure::Refused(why) => write!(f, "{why}"),
            Failure::Budget => write!(f, "run budget spent"),
        }
    }
}

#[derive(Debug, Clone)]
pub enum Outcome {
    /// An HTML page, with its body decoded from any content coding.
    Page {
        exchange: Exchange,
        body: Vec<u8>,
    },
    /// 304: the validators of the previous fetch still hold.
    NotModified {
        exchange: Exchange,
    },
    Skipped(Skip),
    /// `exchange` is kept when a response arrived (a 404 matters: the page is gone).
    Failed {
        failure: Failure,
        exchange: Option<Exchange>,
    },
}

/// The result of fetching one URL, redirects included.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub requested: Url,
    pub final_url: Url,
    /// Each redirect hop's target, in order.
    pub redirects: Vec<Url>,
    pub outcome: Outcome,
}

/// ETag and Last-Modified of a previous fetch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// Where validators of earlier fetches are kept (in memory until the store persists them).
pub trait ValidatorCache: Send + Sync {
    fn get(&self, url: &str) -> Option<Validators>;
    fn put(&self, url: &str, v: Validators);
    /// Drops what is kept for `url` (its vendor is done: the store has it).
    fn forget(&self, url: &str);
}

#[derive(Default)]
pub struct MemoryValidators(Mutex<HashMap<String, Validators>>);

impl ValidatorCache for MemoryValidators {
    fn get(&self, url: &str) -> Option<Validators> {
        self.0.lock().expect("validators lock").get(url).cloned()
    }
    fn put(&self, url: &str, v: Validators) {
        self.0.lock().expect("validators lock").insert(url.to_string(), v);
    }
    fn forget(&self, url: &str) {
        self.0.lock().expect("validators lock").remove(url);
    }
}

/// The rate an origin gets when first met.
#[derive(Debug, Clone, Copy)]
pub struct Rate {
    pub per_second: f64,
    pub burst: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}

/// The polite fetcher of a run: one HTTP client, the gates and robots.txt of every origin.
///
/// A fetcher serves one run, whose budget starts when the fetcher is made: no request starts,
/// and no wait (rate, backoff, Retry-After) is made, past `run_budget`, so a run ends at most
/// one request timeout after its budget, whatever the sites do.
pub struct Fetcher {
    client: reqwest::Client,
    settings: CrawlSettings,
    deadline: Instant,
    gates: Gates,
    robots: robots_txt::RobotsCache,
    in_flight: Semaphore,
    validators: Arc<dyn ValidatorCache>,
}

impl Fetcher {
    pub fn new(settings: &CrawlSettings, validators: Arc<dyn ValidatorCache>) -> Result<Fetcher, FetchError> {
        let client = reqwest::Client::builder()
            .user_agent(settings.user_agent.clone())
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.timeout)
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .dns_resolver(Arc::new(guard::GuardedResolver { allow_private: settings.allow_private_networks }))
            .no_proxy()
            .build()
            .map_err(|e| FetchError::Client(body::error_chain(&e)))?;
        Ok(Fetcher {
            client,
            settings: settings.clone(),
            deadline: Instant::now() + settings.run_budget,
            gates: Gates::default(),
            robots: robots_txt::RobotsCache::default(),
            in_flight: Semaphore::new(settings.concurrency),
            validators,
        })
    }

    pub fn settings(&self) -> &CrawlSettings {
        &self.settings
    }

    /// Origins given up during the run, with why.
    pub fn given_up(&self) -> Vec<(String, String)> {
        self.gates.given_up()
    }

    /// robots.txt of `url`'s origin, fetched once per run (through the same politeness).
    pub async fn robots(&self, url: &Url, rate: Rate) -> RobotsState {
        robots_txt::robots_for(self, url, rate).await
    }

    fn gate(&self, url: &Url, rate: Rate) -> Arc<Gate> {
        self.gates.get(&origin(url), rate.per_second, rate.burst)
    }

    /// Fetches an HTML page, following redirects that `in_scope` accepts.
    pub async fn fetch_page(&self, url: &Url, rate: Rate, in_scope: &(dyn Fn(&Url) -> bool + Sync)) -> Fetched {
        self.fetch(url, rate, in_scope, &Kind::Page).await
    }

    /// Fetches a document of any type (a sitemap), with the same politeness and limits.
    pub async fn fetch_document(&self, url: &Url, rate: Rate, in_scope: &(dyn Fn(&Url) -> bool + Sync)) -> Fetched {
        self.fetch(url, rate, in_scope, &Kind::Document).await
    }

    /// Fetches a script, data or stylesheet for a page being rendered, asking for `accept`.
    ///
    /// Subresources have a rate of their own per origin (`rate`, the render settings'), apart
    /// from the crawl's pages: a rendered page's scripts would otherwise queue behind the whole
    /// crawl of the site, and the crawl behind them. robots.txt, the guard, timeouts, caps and
    /// the run budget hold as for pages.
    pub async fn fetch_subresource(
        &self,
        url: &Url,
        rate: Rate,
        in_scope: &(dyn Fn(&Url) -> bool + Sync),
        accept: Option<&str>,
    ) -> Fetched {
        self.fetch(url, rate, in_scope, &Kind::Subresource { accept: accept.map(str::to_string) }).await
    }

    async fn fetch(&self, url: &Url, rate: Rate, in_scope: &(dyn Fn(&Url) -> bool + Sync), kind: &Kind) -> Fetched {
        let html_only = matches!(kind, Kind::Page);
        let mut current = url.clone();
        let mut redirects = Vec::new();
        let done = |current: &Url, redirects: Vec<Url>, outcome| Fetched {
            requested: url.clone(),
            final_url: current.clone(),
            redirects,
            outcome,
        };
        loop {
            if Instant::now() >= self.deadline {
                return done(&current, redirects, Outcome::Skipped(Skip::Budget));
            }
            if let Some(refused) = self.refuse_literal(&current) {
                return done(&current, redirects, Outcome::Skipped(Skip::PrivateAddress(refused)));
            }
            match self.robots(&current, rate).await {
                // A name that resolves only to non-public addresses fails at robots.txt, its
                // first request: that is the guard's refusal, not an unavailable robots.txt.
                RobotsState::Unavailable(why) if why.starts_with(guard::REFUSED) => {
                    return done(&current, redirects, Outcome::Skipped(Skip::PrivateAddress(why)));
                }
                RobotsState::Unavailable(why) => {
                    return done(&current, redirects, Outcome::Skipped(Skip::RobotsUnavailable(why)));
                }
                RobotsState::Rules(rules) => {
                    let path = &current[url::Position::BeforePath..];
                    if !rules.is_allowed(&self.settings.user_agent, path) {
                        return done(&current, redirects, Outcome::Skipped(Skip::Robots));
                    }
                    if let Some(delay) = rules.crawl_delay(&self.settings.user_agent) {
                        self.gate(&current, rate).slow_to(delay);
                    }
                }
            }
            let gate = match kind {
                Kind::Subresource { .. } => {
                    self.gates.get(&format!("{} (rendering)", origin(&current)), rate.per_second, rate.burst)
                }
                _ => self.gate(&current, rate),
            };
            if let Some(why) = gate.given_up() {
                return done(&current, redirects, Outcome::Failed { failure: Failure::GivenUp(why), exchange: None });
            }
            // Sitemaps are always read whole: their URLs are not kept between runs.
            let conditional =
                if redirects.is_empty() && html_only { self.validators.get(current.as_str()) } else { None };
            let response = self.request(&current, &gate, conditional.as_ref(), kind).await;
            let exchange = match response {
                Err(Failure::Refused(why)) => {
                    return done(&current, redirects, Outcome::Skipped(Skip::PrivateAddress(why)));
                }
                Err(Failure::Budget) => return done(&current, redirects, Outcome::Skipped(Skip::Budget)),
                Err(failure) => {
                    gate.failed(&failure.to_string());
                    return done(&current, redirects, Outcome::Failed { failure, exchange: None });
                }
                Ok(Err((failure, exchange))) => {
                    gate.failed(&failure.to_string());
                    return done(&current, redirects, Outcome::Failed { failure, exchange });
                }
                Ok(Ok(exchange)) => exchange,
            };
            gate.succeeded();
            let status = exchange.status;
            if (300..400).contains(&status)
                && status != 304
                && let Some(target) = exchange
                    .header("location")
                    .and_then(|l| current.join(l.trim()).ok())
                    .map(|t| crate::canon::without_credentials(&t))
            {
                if redirects.len() >= MAX_REDIRECTS {
                    let failure = Failure::TooManyRedirects;
                    return done(&current, redirects, Outcome::Failed { failure, exchange: Some(exchange) });
                }
                if !matches!(target.scheme(), "http" | "https") || !in_scope(&target) {
                    return done(&current, redirects, Outcome::Skipped(Skip::OutOfScope(target)));
                }
                redirects.push(target.clone());
                current = target;
                continue;
            }
            if status == 304 {
                return done(&current, redirects, Outcome::NotModified { exchange });
            }
            if !(200..300).contains(&status) {
                let failure = Failure::Status(status);
                return done(&current, redirects, Outcome::Failed { failure, exchange: Some(exchange) });
            }
            let content_type = exchange.header("content-type").map(str::to_string);
            let pdf = html_only && is_pdf(content_type.as_deref(), &current);
            if html_only && !pdf && !is_html(content_type.as_deref(), &exchange.body) {
                let ct = content_type.unwrap_or_else(|| "no content type".into());
                return done(&current, redirects, Outcome::Skipped(Skip::ContentType(ct)));
            }
            let codings = body::codings(exchange.header("content-encoding"));
            let cap = if pdf { self.settings.max_pdf_bytes } else { self.settings.max_body_bytes };
            let limit = cap.saturating_mul(DECODED_FACTOR);
            return match body::decode(&exchange.body, &codings, limit) {
                Ok(decoded) if html_only && !pdf && looks_binary(&decoded, content_type.as_deref()) => {
                    let ct = content_type.unwrap_or_else(|| "no content type".into());
                    done(
                        &current,
                        redirects,
                        Outcome::Skipped(Skip::ContentType(format!("{ct}, but the body is binary"))),
                    )
                }
                Ok(decoded) => {
                    if redirects.is_empty() && html_only {
                        self.remember_validators(&current, &exchange);
                    }
                    done(&current, redirects, Outcome::Page { exchange, body: decoded })
                }
                Err(e) => {
                    done(&current, redirects, Outcome::Failed { failure: Failure::Body(e), exchange: Some(exchange) })
                }
            };
        }
    }

    fn remember_validators(&self, url: &Url, exchange: &Exchange) {
        let v = Validators {
            etag: exchange.header("etag").map(str::to_string),
            last_modified: exchange.header("last-modified").map(str::to_string),
        };
        if v.etag.is_some() || v.last_modified.is_some() {
            self.validators.put(url.as_str(), v);
        }
    }

    /// The guard's refusal of a URL whose host is a non-public IP literal (names are checked
    /// when resolved).
    fn refuse_literal(&self, url: &Url) -> Option<String> {
        if self.settings.allow_private_networks {
            return None;
        }
        let ip: IpAddr = match url.host()? {
            url::Host::Ipv4(v4) => v4.into(),
            url::Host::Ipv6(v6) => v6.into(),
            url::Host::Domain(d) => {
                let d = d.trim_end_matches('.').to_ascii_lowercase();
                if d == "localhost" || d.ends_with(".localhost") {
                    return Some(format!(
                        "{}{d} is a loopback name; set allow_private_networks to crawl it",
                        guard::REFUSED
                    ));
                }
                return None;
            }
        };
        (!is_public(ip))
            .then(|| format!("{}{ip} is not a public address; set allow_private_networks to crawl it", guard::REFUSED))
    }

    /// One request with retries on connection errors, 5xx and 429 (honouring Retry-After).
    /// `Err` when no response came; `Ok(Err)` when the final response or its body failed;
    /// the body is read only for 2xx HTML (and non-HTML is left unread).
    async fn request(&self, url: &Url, gate: &Gate, conditional: Option<&Validators>, kind: &Kind) -> Answer {
        let mut attempt = 0;
        let mut last: Option<Answer> = None;
        loop {
            let Ok(permit) = tokio::time::timeout_at(self.deadline, gate.take_turn(&self.in_flight)).await else {
                // Waiting for this origin's turn (its rate, another page's Retry-After, a free
                // request slot) used up the run budget: the last answer stands, or the page was
                // never requested.
                return last.map_or(Err(Failure::Budget), last_answer);
            };
            // Other pages of this origin may have failed while this one waited its turn.
            if let Some(why) = gate.given_up() {
                return Err(Failure::GivenUp(why));
            }
            let result = self.attempt(url, conditional, kind).await;
            drop(permit);
            let retry_after = match &result {
                Ok(Ok(ex)) if ex.status == 429 || ex.status >= 500 => Some(retry_after(ex)),
                Ok(_) => None,
                Err(Failure::Connect(_) | Failure::Timeout) => Some(None),
                Err(_) => None,
            };
            let Some(retry_after) = retry_after else { return result };
            if let Some(wait) = retry_after {
                // The server asked every client to hold off: the whole origin waits.
                gate.defer_until(Instant::now() + wait.min(MAX_WAIT));
            }
            if attempt >= self.settings.retries {
                return last_answer(result);
            }
            let wait = retry_after.unwrap_or_else(|| backoff(attempt));
            if wait > MAX_WAIT || Instant::now() + wait >= self.deadline {
                return last_answer(result);
            }
            tracing::debug!(%url, attempt, ?wait, "retrying");
            gate.defer_until(Instant::now() + wait);
            attempt += 1;
            last = Some(result);
        }
    }

    async fn attempt(
        &self,
        url: &Url,
        conditional: Option<&Validators>,
        kind: &Kind,
    ) -> Result<Result<Exchange, (Failure, Option<Exchange>)>, Failure> {
        let html_only = matches!(kind, Kind::Page);
        let mut headers = HeaderMap::new();
        let accept = match kind {
            Kind::Subresource { accept: Some(a) } => HeaderValue::from_str(a).ok(),
            _ => None,
        };
        headers.insert(
            header::ACCEPT,
            accept.unwrap_or(HeaderValue::from_static("text/html,application/xhtml+xml;q=0.9,*/*;q=0.1")),
        );
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip, deflate, br"));
        headers.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static("fr-FR,fr;q=0.9,en;q=0.8"));
        if let Some(v) = conditional {
            if let Some(etag) = v.etag.as_deref().and_then(|e| HeaderValue::from_str(e).ok()) {
                headers.insert(header::IF_NONE_MATCH, etag);
            }
            if let Some(lm) = v.last_modified.as_deref().and_then(|e| HeaderValue::from_str(e).ok()) {
                headers.insert(header::IF_MODIFIED_SINCE, lm);
            }
        }
        let mut request_headers: Vec<(String, String)> = vec![("user-agent".into(), self.settings.user_agent.clone())];
        request_headers
            .extend(headers.iter().map(|(n, v)| (n.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned())));
        let fetched_at = Utc::now();
        let send = self.client.get(url.clone()).headers(headers).send();
        let mut response = match tokio::time::timeout(self.settings.timeout, send).await {
            Err(_) => return Err(Failure::Timeout),
            Ok(Err(e)) => return Err(classify(&e)),
            Ok(Ok(r)) => r,
        };
        let mut exchange = Exchange {
            url: url.clone(),
            method: "GET",
            request_headers,
            status: response.status().as_u16(),
            version: format!("{:?}", response.version()),
            headers: response.headers().iter().map(|(n, v)| (n.as_str().to_string(), v.as_bytes().to_vec())).collect(),
            body: Bytes::new(),
            fetched_at,
            remote_addr: response.remote_addr(),
        };
        let pdf = html_only && is_pdf(exchange.header("content-type"), url);
        let wants_body =
            (200..300).contains(&exchange.status) && (!html_only || pdf || maybe_html(exchange.header("content-type")));
        if wants_body {
            let limit = if pdf { self.settings.max_pdf_bytes } else { self.settings.max_body_bytes };
            let read = body::read_capped(&mut response, limit);
            match tokio::time::timeout(self.settings.timeout, read).await {
                Err(_) | Ok(Err(BodyError::TimedOut)) => return Ok(Err((Failure::Timeout, Some(exchange)))),
                Ok(Err(BodyError::TooLarge { limit })) if pdf => {
                    return Ok(Err((Failure::Body(BodyError::PdfTooLarge { limit }), Some(exchange))));
                }
                Ok(Err(e)) => return Ok(Err((Failure::Body(e), Some(exchange)))),
                Ok(Ok(b)) => exchange.body = b,
            }
        }
        Ok(Ok(exchange))
    }
}

/// What a fetch is for.
pub(crate) enum Kind {
    /// A page of the crawl: HTML or PDF, conditional, at the vendor's rate.
    Page,
    /// A document of any type (a sitemap).
    Document,
    /// A subresource of a page being rendered, at the render rate.
    Subresource { accept: Option<String> },
}

/// The origin of a URL (`https://host:port`), the key of rate limits and robots.txt.
pub fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// Whether a Content-Type may be HTML (absent is decided by sniffing the body).
fn maybe_html(content_type: Option<&str>) -> bool {
    match content_type.and_then(mime::essence) {
        None => true,
        Some(e) => e == "text/html" || e == "application/xhtml+xml",
    }
}

/// Whether a response is a PDF document to read: `application/pdf`, or a `.pdf` path served
/// with no type or a generic one (many servers send documents as `application/octet-stream`).
pub fn is_pdf(content_type: Option<&str>, url: &Url) -> bool {
    let pdf_path = || url.path().to_ascii_lowercase().ends_with(".pdf");
    match content_type.and_then(mime::essence).as_deref() {
        Some("application/pdf" | "application/x-pdf" | "application/acrobat") => true,
        None
        | Some(
            "application/octet-stream"
            | "binary/octet-stream"
            | "application/download"
            | "application/force-download"
            | "application/x-download"
            | "application/unknown",
        ) => pdf_path(),
        Some(_) => false,
    }
}

/// HTML by its Content-Type, or by its first bytes when there is none.
pub fn is_html(content_type: Option<&str>, body: &[u8]) -> bool {
    match content_type.and_then(mime::essence) {
        Some(e) => e == "text/html" || e == "application/xhtml+xml",
        None => {
            let head = String::from_utf8_lossy(&body[..body.len().min(512)]).to_ascii_lowercase();
            let head = head.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
            ["<!doctype html", "<html", "<head", "<body", "<!--", "<p", "<div"].iter().any(|p| head.starts_with(p))
        }
    }
}

/// What [`Fetcher::request`] gives: `Err` when no response came; `Ok(Err)` when the final
/// response or its body failed.
type Answer = Result<Result<Exchange, (Failure, Option<Exchange>)>, Failure>;

/// The answer of the last attempt when no retry follows: a 429 or 5xx is then a failure.
fn last_answer(answer: Answer) -> Answer {
    match answer {
        Ok(Ok(ex)) => Ok(Err((Failure::Status(ex.status), Some(ex)))),
        other => other,
    }
}

/// A body served as HTML that is binary: a NUL byte near the start, which no HTML in an
/// ASCII-compatible encoding has (UTF-16, declared by BOM or header, is full of them).
fn looks_binary(body: &[u8], content_type: Option<&str>) -> bool {
    let utf16 = body.starts_with(&[0xFF, 0xFE])
        || body.starts_with(&[0xFE, 0xFF])
        || content_type.is_some_and(|ct| ct.to_ascii_lowercase().contains("utf-16"));
    !utf16 && body[..body.len().min(1024)].contains(&0)
}

/// Retry-After as a delay: seconds, or an HTTP date.
fn retry_after(exchange: &Exchange) -> Option<Duration> {
    let v = exchange.header("retry-after")?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = DateTime::parse_from_rfc2822(v).ok()?;
    let delta = when.with_timezone(&Utc) - Utc::now();
    Some(delta.to_std().unwrap_or(Duration::ZERO))
}

/// Exponential backoff with jitter: 1 s, 2 s, 4 s… plus up to as much again at random.
fn backoff(attempt: u32) -> Duration {
    let base = Duration::from_secs(1) * 2u32.saturating_pow(attempt.min(6));
    base + base.mul_f64(rand::random::<f64>())
}

fn classify(e: &reqwest::Error) -> Failure {
    if e.is_timeout() {
        return Failure::Timeout;
    }
    let chain = body::error_chain(e);
    if let Some(i) = chain.find(guard::REFUSED) {
        return Failure::Refused(chain[i..].to_string());
    }
    Failure::Connect(chain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_recognised_by_type_or_by_its_first_bytes() {
        assert!(is_html(Some("text/html; charset=utf-8"), b""));
        assert!(is_html(Some("application/xhtml+xml"), b""));
        assert!(!is_html(Some("application/pdf"), b"<html>"));
        assert!(is_html(None, b"  <!DOCTYPE html><html>"));
        assert!(!is_html(None, b"%PDF-1.7"));
    }

    #[test]
    fn backoff_grows_and_jitters_within_bounds() {
        for attempt in 0..4 {
            let base = Duration::from_secs(1 << attempt);
            let b = backoff(attempt);
            assert!(b >= base && b <= base * 2, "{attempt}: {b:?}");
        }
    }
}
