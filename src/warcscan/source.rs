//! Where a WARC file comes from: a local path, or an http(s) URL read as a stream.
//!
//! A URL is downloaded by reqwest's async client on a small tokio runtime of its own, in a
//! dedicated thread, and its chunks handed to a blocking [`Read`] through a bounded channel (so
//! at most a few chunks are in memory, and a slow reader slows the download). A connection dropped
//! or failing mid-body is resumed with `Range: bytes=N-` (the `206` and its `Content-Range` are
//! checked, and `If-Range` makes sure the file did not change); `503` and `429` are retried after
//! their `Retry-After`, other `5xx` and connection errors after an exponential backoff from 1 s;
//! after [`MAX_TRIES`] failures in a row the reader fails with an `io::Error` saying why.

use std::io::{self, Read};
use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_RANGE, ETAG, HeaderMap, IF_RANGE, LAST_MODIFIED, RANGE, RETRY_AFTER};
use url::Url;

use crate::fetch::body::error_chain;

/// Failed attempts in a row (without a byte of progress) before giving up.
pub const MAX_TRIES: u32 = 8;
/// The longest wait between two attempts, whatever `Retry-After` says.
const MAX_WAIT: Duration = Duration::from_secs(120);
/// Chunks buffered between the download and the reader.
const CHANNEL_CHUNKS: usize = 16;

/// A WARC source: a local path, or an http(s) URL read as a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    File(PathBuf),
    Url(Url),
}

impl Source {
    /// An `http://` or `https://` URL, otherwise a path.
    pub fn parse(s: &str) -> Source {
        match Url::parse(s) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => Source::Url(u),
            _ => Source::File(PathBuf::from(s)),
        }
    }

    /// The file name, or the last segment of the URL's path.
    pub fn name(&self) -> String {
        match self {
            Source::File(p) => {
                p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned())
            }
            Source::Url(u) => u
                .path_segments()
                .and_then(|mut s| s.next_back().map(str::to_string))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| u.host_str().unwrap_or("").to_string()),
        }
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::File(p) => write!(f, "{}", p.display()),
            Source::Url(u) => write!(f, "{u}"),
        }
    }
}

/// Opens the source as a blocking `Read` (the scan-warc loop is synchronous per file; run it in
/// `spawn_blocking` or a thread: reading a URL source from async code would panic).
///
/// For a URL, this waits for the first successful response (retrying as the module says) and
/// fails if there is none.
pub fn open(source: &Source, user_agent: &str) -> io::Result<Box<dyn Read + Send>> {
    match source {
        Source::File(p) => Ok(Box::new(std::fs::File::open(p)?)),
        Source::Url(u) => Ok(Box::new(UrlReader::open(u.clone(), user_agent, Backoff::default())?)),
    }
}

/// Waits between attempts: `Retry-After` when given, else `first`, doubled each time, capped.
#[derive(Debug, Clone, Copy)]
struct Backoff {
    first: Duration,
    max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { first: Duration::from_secs(1), max: MAX_WAIT }
    }
}

impl Backoff {
    fn wait(&self, failures: u32, retry_after: Option<Duration>) -> Duration {
        retry_after.unwrap_or_else(|| self.first.saturating_mul(1 << failures.saturating_sub(1).min(16))).min(self.max)
    }
}

/// A URL downloaded in a thread of its own and read as a stream.
struct UrlReader {
    rx: tokio::sync::mpsc::Receiver<io::Result<Bytes>>,
    chunk: Bytes,
    done: bool,
    /// An error that arrived after bytes returned first.
    pending: Option<io::Error>,
}

impl UrlReader {
    fn open(url: Url, user_agent: &str, backoff: Backoff) -> io::Result<UrlReader> {
        let client = reqwest::Client::builder()
            .user_agent(user_agent)
            .connect_timeout(Duration::from_secs(30))
            .read_timeout(Duration::from_secs(120))
            .no_proxy()
            .build()
            .map_err(|e| io::Error::other(format!("cannot build the HTTP client: {}", error_chain(&e))))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| io::Error::other(format!("cannot start the download runtime: {e}")))?;
        let (tx, rx) = tokio::sync::mpsc::channel(CHANNEL_CHUNKS);
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        std::thread::Builder::new().name("warc-download".into()).spawn(move || {
            runtime.block_on(download(client, url, backoff, tx, ready_tx));
        })?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(UrlReader { rx, chunk: Bytes::new(), done: false, pending: None }),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(io::Error::other("the download thread ended without an answer")),
        }
    }
}

impl Read for UrlReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(e) = self.pending.take() {
            self.done = true;
            return Err(e);
        }
        while self.chunk.is_empty() {
            if self.done || buf.is_empty() {
                return Ok(0);
            }
            match self.rx.blocking_recv() {
                Some(Ok(chunk)) => self.chunk = chunk,
                Some(Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                None => self.done = true,
            }
        }
        let mut n = 0;
        // Whatever has already arrived goes in too (without waiting): the WARC reader inflates a
        // gzip member in one go only when the whole member is in its buffer.
        loop {
            let k = (buf.len() - n).min(self.chunk.len());
            buf[n..n + k].copy_from_slice(&self.chunk[..k]);
            let _ = self.chunk.split_to(k);
            n += k;
            if n == buf.len() {
                return Ok(n);
            }
            match self.rx.try_recv() {
                Ok(Ok(chunk)) => self.chunk = chunk,
                // An error is kept for the next call (the bytes before it come first).
                Ok(Err(e)) => {
                    self.pending = Some(e);
                    return Ok(n);
                }
                Err(tokio::sync::mpsc::error::TryRecvError::Disconnected) => {
                    self.done = true;
                    return Ok(n);
                }
                Err(tokio::sync::mpsc::error::TryRecvError::Empty) => return Ok(n),
            }
        }
    }
}

/// Whether an attempt failed in a way worth retrying, and how long the server asked to wait.
enum Attempt {
    Retry {
        why: String,
        retry_after: Option<Duration>,
    },
    Fatal(io::Error),
    /// The reader is gone.
    Closed,
    Complete,
}

/// The state of a download across its attempts.
struct Progress {
    /// Bytes handed to the reader.
    got: u64,
    /// The whole file's length, when known.
    total: Option<u64>,
    /// A strong ETag or a Last-Modified of the first response, sent as `If-Range`.
    validator: Option<String>,
}

async fn download(
    client: reqwest::Client,
    url: Url,
    backoff: Backoff,
    tx: tokio::sync::mpsc::Sender<io::Result<Bytes>>,
    ready: std::sync::mpsc::Sender<io::Result<()>>,
) {
    let mut ready = Some(ready);
    let mut progress = Progress { got: 0, total: None, validator: None };
    let mut failures = 0u32;
    loop {
        let before = progress.got;
        let outcome = attempt(&client, &url, &mut progress, &tx, &mut ready).await;
        if progress.got > before {
            failures = 0;
        }
        let (why, retry_after) = match outcome {
            Attempt::Complete | Attempt::Closed => return,
            Attempt::Fatal(e) => return fail(e, &tx, &mut ready).await,
            Attempt::Retry { why, retry_after } => (why, retry_after),
        };
        failures += 1;
        if failures >= MAX_TRIES {
            let e = io::Error::other(format!(
                "giving up on {url} after {failures} failed attempts in a row (at byte {}): {why}",
                progress.got
            ));
            return fail(e, &tx, &mut ready).await;
        }
        let wait = backoff.wait(failures, retry_after);
        tracing::warn!(%url, at = progress.got, ?wait, "WARC download: {why}; retrying");
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = tx.closed() => return,
        }
    }
}

async fn fail(
    e: io::Error,
    tx: &tokio::sync::mpsc::Sender<io::Result<Bytes>>,
    ready: &mut Option<std::sync::mpsc::Sender<io::Result<()>>>,
) {
    match ready.take() {
        Some(r) => {
            let _ = r.send(Err(e));
        }
        None => {
            let _ = tx.send(Err(e)).await;
        }
    }
}

async fn attempt(
    client: &reqwest::Client,
    url: &Url,
    progress: &mut Progress,
    tx: &tokio::sync::mpsc::Sender<io::Result<Bytes>>,
    ready: &mut Option<std::sync::mpsc::Sender<io::Result<()>>>,
) -> Attempt {
    let mut request = client.get(url.clone());
    if progress.got > 0 {
        request = request.header(RANGE, format!("bytes={}-", progress.got));
        if let Some(v) = &progress.validator {
            request = request.header(IF_RANGE, v.as_str());
        }
    }
    let mut response = match request.send().await {
        Ok(r) => r,
        Err(e) => return Attempt::Retry { why: format!("request failed: {}", error_chain(&e)), retry_after: None },
    };
    let status = response.status();
    if status == StatusCode::SERVICE_UNAVAILABLE || status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
    {
        return Attempt::Retry {
            why: format!("the server answered {status}"),
            retry_after: retry_after(response.headers()),
        };
    }
    // Bytes of this response's body to drop before handing the rest on (a server that ignored
    // the Range and sent the whole file again).
    let mut skip = 0u64;
    if progress.got == 0 {
        if status != StatusCode::OK {
            return Attempt::Fatal(io::Error::other(format!("{url}: the server answered {status}")));
        }
        progress.total = response.content_length();
        progress.validator = validator(response.headers());
    } else if status == StatusCode::PARTIAL_CONTENT {
        let range = response.headers().get(CONTENT_RANGE).and_then(|v| v.to_str().ok()).unwrap_or("");
        match parse_content_range(range) {
            Some((start, total)) if start == progress.got && (progress.total.is_none() || total == progress.total) => {
                progress.total = progress.total.or(total);
            }
            _ => {
                return Attempt::Fatal(io::Error::other(format!(
                    "{url}: asked for bytes from {}, the server sent Content-Range {range:?}",
                    progress.got
                )));
            }
        }
    } else if status == StatusCode::OK {
        // The Range was ignored, or If-Range found the file changed.
        if progress.validator.is_some() && validator(response.headers()) != progress.validator {
            return Attempt::Fatal(io::Error::other(format!("{url} changed while it was being read")));
        }
        if response.content_length().is_some_and(|l| Some(l) != progress.total) {
            return Attempt::Fatal(io::Error::other(format!("{url} changed length while it was being read")));
        }
        skip = progress.got;
    } else {
        return Attempt::Fatal(io::Error::other(format!(
            "{url}: the server answered {status} to a request for bytes from {}",
            progress.got
        )));
    }
    if let Some(r) = ready.take() {
        let _ = r.send(Ok(()));
    }
    loop {
        match response.chunk().await {
            Ok(Some(mut chunk)) => {
                if skip > 0 {
                    let n = (chunk.len() as u64).min(skip) as usize;
                    let _ = chunk.split_to(n);
                    skip -= n as u64;
                }
                if chunk.is_empty() {
                    continue;
                }
                progress.got += chunk.len() as u64;
                if tx.send(Ok(chunk)).await.is_err() {
                    return Attempt::Closed;
                }
            }
            Ok(None) => {
                return match progress.total {
                    Some(total) if progress.got < total => Attempt::Retry {
                        why: format!("the body ended after {} of {total} bytes", progress.got),
                        retry_after: None,
                    },
                    _ => Attempt::Complete,
                };
            }
            Err(e) => {
                return Attempt::Retry {
                    why: format!("reading the body failed: {}", error_chain(&e)),
                    retry_after: None,
                };
            }
        }
    }
}

/// A strong ETag, else Last-Modified: what `If-Range` may carry.
fn validator(headers: &HeaderMap) -> Option<String> {
    let get = |name| headers.get(name).and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok());
    get(ETAG).filter(|e| !e.starts_with("W/")).or_else(|| get(LAST_MODIFIED)).map(str::to_string)
}

/// `bytes 100-199/1000` → (100, Some(1000)); `bytes 100-199/*` → (100, None).
fn parse_content_range(v: &str) -> Option<(u64, Option<u64>)> {
    let rest = v.trim().strip_prefix("bytes")?.trim_start();
    let (range, total) = rest.split_once('/')?;
    let (start, end) = range.split_once('-')?;
    let start: u64 = start.trim().parse().ok()?;
    let end: u64 = end.trim().parse().ok()?;
    if end < start {
        return None;
    }
    let total = match total.trim() {
        "*" => None,
        t => Some(t.parse::<u64>().ok().filter(|&t| t > end)?),
    };
    Some((start, total))
}

/// Retry-After in seconds or as an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    Some((when.with_timezone(&chrono::Utc) - chrono::Utc::now()).to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_told_apart_and_named() {
        let u =
            Source::parse("https://data.commoncrawl.org/crawl-data/CC-MAIN-2024-10/segments/x/warc/CC-MAIN-1.warc.gz");
        assert!(matches!(u, Source::Url(_)));
        assert_eq!(u.name(), "CC-MAIN-1.warc.gz");
        let f = Source::parse("/data/cc/part-00001.warc.gz");
        assert_eq!(f, Source::File(PathBuf::from("/data/cc/part-00001.warc.gz")));
        assert_eq!(f.name(), "part-00001.warc.gz");
        assert!(matches!(Source::parse("C:file.warc"), Source::File(_)));
    }

    #[test]
    fn content_ranges_are_parsed_and_checked() {
        assert_eq!(parse_content_range("bytes 100-199/1000"), Some((100, Some(1000))));
        assert_eq!(parse_content_range("bytes 100-199/*"), Some((100, None)));
        assert_eq!(parse_content_range("bytes 200-100/1000"), None);
        assert_eq!(parse_content_range("bytes 100-199/150"), None);
        assert_eq!(parse_content_range("items 1-2/3"), None);
    }

    #[test]
    fn backoff_doubles_from_one_second_and_honours_retry_after() {
        let b = Backoff::default();
        assert_eq!(b.wait(1, None), Duration::from_secs(1));
        assert_eq!(b.wait(2, None), Duration::from_secs(2));
        assert_eq!(b.wait(4, None), Duration::from_secs(8));
        assert_eq!(b.wait(30, None), MAX_WAIT);
        assert_eq!(b.wait(5, Some(Duration::from_secs(3))), Duration::from_secs(3));
        assert_eq!(b.wait(1, Some(Duration::from_secs(3600))), MAX_WAIT);
    }
}
