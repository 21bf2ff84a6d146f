//! The `[crawl]` section: how politely and how far the crawler goes.

use std::ops::Range;
use std::time::Duration;

use toml::Spanned;

use super::Vendor;
use crate::diag::{Table, TomlDoc};

/// The `[crawl]` section.
#[derive(Debug, Clone)]
pub struct CrawlSettings {
    /// Sent with every request and matched against robots.txt groups.
    pub user_agent: String,
    /// Per origin (scheme, host, port).
    pub requests_per_second: f64,
    pub burst: u32,
    /// Requests in flight at once, all hosts together.
    pub concurrency: usize,
    /// Vendors crawled at once; the others wait their turn, so that memory and open connections
    /// depend on this, not on how many vendors the config lists.
    pub max_concurrent_vendors: usize,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub max_body_bytes: u64,
    /// The cap of a PDF document's body: datasheets and brochures are larger than pages.
    pub max_pdf_bytes: u64,
    pub max_depth: u32,
    pub max_pages: usize,
    /// Off by default: refuse loopback, private, link-local and other non-public addresses.
    pub allow_private_networks: bool,
    /// A run starts no page, request or wait (rate, backoff, Retry-After) after this long, so it
    /// ends at most one request timeout (and one page's analysis) later.
    pub run_budget: Duration,
    /// Further attempts after a connection error, a 5xx or a 429.
    pub retries: u32,
}

pub const DEFAULT_USER_AGENT: &str = concat!(
    "claimwatch/",
    env!("CARGO_PKG_VERSION"),
    " (trust-label monitor; +https://github.com/claimwatch/claimwatch)"
);

impl Default for CrawlSettings {
    fn default() -> Self {
        CrawlSettings {
            user_agent: DEFAULT_USER_AGENT.to_string(),
            requests_per_second: 1.0,
            burst: 1,
            concurrency: 16,
            max_concurrent_vendors: 64,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_body_bytes: 5 * 1024 * 1024,
            max_pdf_bytes: 20 * 1024 * 1024,
            max_depth: 3,
            max_pages: 200,
            allow_private_networks: false,
            run_budget: Duration::from_secs(3600),
            retries: 3,
        }
    }
}

impl CrawlSettings {
    /// The request rate for `vendor`'s hosts.
    pub fn rate_for(&self, vendor: &Vendor) -> (f64, u32) {
        (vendor.crawl.requests_per_second.unwrap_or(self.requests_per_second), vendor.crawl.burst.unwrap_or(self.burst))
    }
    pub fn max_depth_for(&self, vendor: &Vendor) -> u32 {
        vendor.crawl.max_depth.unwrap_or(self.max_depth)
    }
    pub fn max_pages_for(&self, vendor: &Vendor) -> usize {
        vendor.crawl.max_pages.unwrap_or(self.max_pages)
    }
}

/// Every key of the `[crawl]` section (the shipped config shows them all; a test checks it).
pub const CRAWL_KEYS: &[&str] = &[
    "user_agent",
    "requests_per_second",
    "burst",
    "concurrency",
    "max_concurrent_vendors",
    "timeout_secs",
    "connect_timeout_secs",
    "max_body_bytes",
    "max_pdf_bytes",
    "max_depth",
    "max_pages",
    "allow_private_networks",
    "run_budget_secs",
    "retries",
];

/// Reads `[crawl]` key by key, so that every bad value is reported, not only the first.
pub(super) fn check_crawl<'a>(doc: &mut TomlDoc<'a>, mut t: Table<'a>) -> CrawlSettings {
    let mut c = CrawlSettings::default();
    if let Some(ua) = doc.take::<Spanned<String>>(&mut t, "user_agent") {
        if ua.get_ref().trim().is_empty() || ua.get_ref().chars().any(|c| c.is_control()) {
            doc.error(ua.span(), "user_agent must be a non-empty single line");
        } else {
            c.user_agent = ua.into_inner();
        }
    }
    if let Some(v) = doc.take::<Spanned<f64>>(&mut t, "requests_per_second")
        && positive(doc, &v, "requests_per_second")
    {
        c.requests_per_second = v.into_inner();
    }
    if let Some(v) = doc.take::<Spanned<u32>>(&mut t, "burst")
        && at_least_one(doc, v.span(), u64::from(*v.get_ref()), "burst")
    {
        c.burst = v.into_inner();
    }
    if let Some(v) = doc.take::<Spanned<usize>>(&mut t, "concurrency")
        && at_least_one(doc, v.span(), *v.get_ref() as u64, "concurrency")
    {
        c.concurrency = v.into_inner();
    }
    if let Some(v) = doc.take::<Spanned<usize>>(&mut t, "max_concurrent_vendors")
        && at_least_one(doc, v.span(), *v.get_ref() as u64, "max_concurrent_vendors")
    {
        c.max_concurrent_vendors = v.into_inner();
    }
    for (field, target) in [
        ("timeout_secs", &mut c.timeout),
        ("connect_timeout_secs", &mut c.connect_timeout),
        ("run_budget_secs", &mut c.run_budget),
    ] {
        if let Some(v) = doc.take::<Spanned<f64>>(&mut t, field)
            && positive(doc, &v, field)
        {
            *target = Duration::from_secs_f64(v.into_inner());
        }
    }
    if let Some(v) = doc.take::<Spanned<u64>>(&mut t, "max_body_bytes")
        && at_least_one(doc, v.span(), *v.get_ref(), "max_body_bytes")
    {
        c.max_body_bytes = v.into_inner();
    }
    if let Some(v) = doc.take::<Spanned<u64>>(&mut t, "max_pdf_bytes")
        && at_least_one(doc, v.span(), *v.get_ref(), "max_pdf_bytes")
    {
        c.max_pdf_bytes = v.into_inner();
    }
    if let Some(v) = doc.take::<Spanned<usize>>(&mut t, "max_pages")
        && at_least_one(doc, v.span(), *v.get_ref() as u64, "max_pages")
    {
        c.max_pages = v.into_inner();
    }
    if let Some(v) = doc.take::<u32>(&mut t, "max_depth") {
        c.max_depth = v;
    }
    if let Some(v) = doc.take::<bool>(&mut t, "allow_private_networks") {
        c.allow_private_networks = v;
    }
    if let Some(v) = doc.take::<u32>(&mut t, "retries") {
        c.retries = v;
    }
    doc.reject_unknown(t, CRAWL_KEYS);
    c
}

pub(super) fn positive(doc: &mut TomlDoc<'_>, v: &Spanned<f64>, field: &str) -> bool {
    let ok = v.get_ref().is_finite() && *v.get_ref() > 0.0 && *v.get_ref() < 1e9;
    if !ok {
        doc.error(v.span(), format!("`{field}` must be a positive number"));
    }
    ok
}

pub(super) fn at_least_one(doc: &mut TomlDoc<'_>, span: Range<usize>, v: u64, field: &str) -> bool {
    if v == 0 {
        doc.error(span, format!("`{field}` must be at least 1"));
    }
    v > 0
}
