//! The configuration file (`config/claimwatch.toml`): loading, checking every key, and loading the registry and patterns it names — all problems reported at once.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::NaiveDate;
use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use crate::diag::{Day, Diagnostic, Diagnostics, TomlDoc};
use crate::patterns::{self, PatternSet};
use crate::registry::{ProviderRef, Registry, valid_siren};

/// One watched vendor.
#[derive(Debug, Clone)]
pub struct Vendor {
    pub id: String,
    pub name: String,
    /// The provider as the registry names it; `None` for a vendor that holds nothing.
    pub provider: Option<String>,
    pub siren: Option<String>,
    pub start_urls: Vec<url::Url>,
    /// Host names; a leading `*.` admits subdomains.
    pub allowed_hosts: Vec<String>,
    /// When someone last checked that the site and URLs are right.
    pub verified: Option<NaiveDate>,
    pub note: Option<String>,
    /// This vendor's own crawl limits, where they differ from `[crawl]`.
    pub crawl: VendorCrawl,
}

/// Whether `host` matches one of `allowed` (host names; a leading `*.` admits subdomains).
pub fn host_allowed(allowed: &[String], host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    allowed.iter().any(|pattern| match pattern.strip_prefix("*.") {
        Some(parent) => host == parent || host.strip_suffix(parent).is_some_and(|p| p.ends_with('.')),
        None => host == *pattern,
    })
}

/// Per-vendor overrides of the crawl settings, and which URLs of the site to visit.
#[derive(Debug, Clone, Default)]
pub struct VendorCrawl {
    pub requests_per_second: Option<f64>,
    pub burst: Option<u32>,
    pub max_depth: Option<u32>,
    pub max_pages: Option<usize>,
    /// When not empty, only URLs matching one of these are followed (start URLs always are).
    pub include: Vec<Regex>,
    /// URLs matching one of these are never fetched.
    pub exclude: Vec<Regex>,
}

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
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub max_body_bytes: u64,
    pub max_depth: u32,
    pub max_pages: usize,
    /// Off by default: refuse loopback, private, link-local and other non-public addresses.
    pub allow_private_networks: bool,
    /// A run stops taking new pages after this long.
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
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_body_bytes: 5 * 1024 * 1024,
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

impl Vendor {
    /// A vendor with only an id and a name (tests, ad-hoc scans).
    pub fn new(id: &str, name: &str) -> Vendor {
        Vendor {
            id: id.to_string(),
            name: name.to_string(),
            provider: None,
            siren: None,
            start_urls: Vec::new(),
            allowed_hosts: Vec::new(),
            verified: None,
            note: None,
            crawl: VendorCrawl::default(),
        }
    }

    pub fn provider_ref(&self) -> Option<ProviderRef> {
        self.provider.as_ref().map(|name| ProviderRef { name: name.clone(), siren: self.siren.clone() })
    }

    /// Whether `host` is within this vendor's site.
    pub fn allows_host(&self, host: &str) -> bool {
        host_allowed(&self.allowed_hosts, host)
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub path: PathBuf,
    pub registry_path: PathBuf,
    pub patterns_dir: PathBuf,
    pub crawl: CrawlSettings,
    pub vendors: Vec<Vendor>,
}

impl Config {
    pub fn vendor(&self, id: &str) -> Option<&Vendor> {
        self.vendors.iter().find(|v| v.id == id)
    }

    /// The vendor whose site holds `url`, if exactly one does.
    pub fn vendor_for_url(&self, url: &url::Url) -> Option<&Vendor> {
        let host = url.host_str()?;
        let mut found = self.vendors.iter().filter(|v| v.allows_host(host));
        let first = found.next()?;
        found.next().is_none().then_some(first)
    }
}

/// A config with the registry and patterns it names, all checked.
#[derive(Debug, Clone)]
pub struct Setup {
    pub config: Config,
    pub registry: Registry,
    pub patterns: PatternSet,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0}")]
    Invalid(Diagnostics),
}

impl ConfigError {
    pub fn diagnostics(&self) -> &Diagnostics {
        match self {
            ConfigError::Invalid(d) => d,
        }
    }
}

const TOP_KEYS: &[&str] = &["registry", "patterns", "crawl", "vendor"];

/// Every key of the `[crawl]` section (the shipped config shows them all; a test checks it).
pub const CRAWL_KEYS: &[&str] = &[
    "user_agent",
    "requests_per_second",
    "burst",
    "concurrency",
    "timeout_secs",
    "connect_timeout_secs",
    "max_body_bytes",
    "max_depth",
    "max_pages",
    "allow_private_networks",
    "run_budget_secs",
    "retries",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VendorSpec {
    id: Spanned<String>,
    name: String,
    provider: Option<Spanned<String>>,
    siren: Option<Spanned<String>>,
    #[serde(default)]
    start_urls: Vec<Spanned<String>>,
    #[serde(default)]
    allowed_hosts: Vec<Spanned<String>>,
    verified: Option<Day>,
    note: Option<String>,
    requests_per_second: Option<Spanned<f64>>,
    burst: Option<Spanned<u32>>,
    max_depth: Option<u32>,
    max_pages: Option<Spanned<usize>>,
    #[serde(default)]
    include: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
}

/// Loads the config, then the registry and patterns it names, and checks them against each
/// other. Every problem of every file is reported, each with file and line.
pub fn load(path: &Path) -> Result<Setup, ConfigError> {
    let (config, provider_sites, mut diags) = match load_config(path) {
        Ok(loaded) => loaded,
        Err(d) => return Err(ConfigError::Invalid(d)),
    };
    let registry = config
        .registry_path
        .as_ref()
        .and_then(|p| Registry::load(p).map_err(|e| diags.extend(e.diagnostics().clone())).ok());
    let patterns = config
        .patterns_dir
        .as_ref()
        .and_then(|p| patterns::load_dir(p).map_err(|e| diags.extend(e.diagnostics().clone())).ok());
    if let Some(registry) = &registry {
        for (vendor, site) in config.vendors.iter().zip(provider_sites) {
            if let (Some(p), Some(mut d)) = (vendor.provider_ref(), site)
                && !registry.knows(&p)
            {
                d.message = format!(
                    "vendor `{}`: provider `{}` matches no entry of {} (by name, alias or SIREN); \
                     remove `provider` if the vendor holds nothing",
                    vendor.id,
                    p.name,
                    registry.path.display()
                );
                diags.push(d);
            }
        }
    }
    match (config.into_config(), registry, patterns) {
        (Some(config), Some(registry), Some(patterns)) if diags.is_empty() => Ok(Setup { config, registry, patterns }),
        _ => Err(ConfigError::Invalid(diags)),
    }
}

/// What could be read of a config file, even when parts of it are wrong.
struct PartialConfig {
    path: PathBuf,
    registry_path: Option<PathBuf>,
    patterns_dir: Option<PathBuf>,
    crawl: CrawlSettings,
    vendors: Vec<Vendor>,
}

impl PartialConfig {
    fn into_config(self) -> Option<Config> {
        Some(Config {
            path: self.path,
            registry_path: self.registry_path?,
            patterns_dir: self.patterns_dir?,
            crawl: self.crawl,
            vendors: self.vendors,
        })
    }
}

/// Reads the config file alone, keeping what is valid. Also returns, for each vendor, where
/// its `provider` was written (to point there if the registry does not know it). A file that
/// cannot be read or parsed at all is an error.
#[allow(clippy::type_complexity)]
fn load_config(path: &Path) -> Result<(PartialConfig, Vec<Option<Diagnostic>>, Diagnostics), Diagnostics> {
    let text =
        std::fs::read_to_string(path).map_err(|e| Diagnostic::whole_file(path, format!("cannot read config: {e}")))?;
    let mut doc = TomlDoc::new(path, &text);
    let Some(mut table) = doc.parse() else { return Err(doc.diagnostics) };
    let base = path.parent().unwrap_or(Path::new("."));
    let registry: Option<String> = doc.require(&mut table, 0..0, "registry");
    let patterns: Option<String> = doc.require(&mut table, 0..0, "patterns");
    let crawl_table = doc.take_table(&mut table, "crawl");
    let specs: Vec<(VendorSpec, Range<usize>)> = doc.take_array(&mut table, "vendor");
    doc.reject_unknown(table, TOP_KEYS);
    let crawl = match crawl_table {
        Some((t, _)) => check_crawl(&mut doc, t),
        None => CrawlSettings::default(),
    };

    let mut vendors: Vec<Vendor> = Vec::new();
    let mut provider_sites = Vec::new();
    for (spec, _) in specs {
        let site = spec.provider.as_ref().map(|p| doc.diagnostic(p.span(), ""));
        if let Some(v) = check_vendor(&mut doc, spec, &vendors) {
            vendors.push(v);
            provider_sites.push(site);
        }
    }
    let config = PartialConfig {
        path: path.to_path_buf(),
        registry_path: registry.map(|r| base.join(r)),
        patterns_dir: patterns.map(|p| base.join(p)),
        crawl,
        vendors,
    };
    Ok((config, provider_sites, doc.diagnostics.sorted()))
}

fn check_vendor(doc: &mut TomlDoc<'_>, spec: VendorSpec, earlier: &[Vendor]) -> Option<Vendor> {
    let before = doc.diagnostics.len();
    let id = spec.id.get_ref();
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_') {
        doc.error(spec.id.span(), format!("vendor id `{id}` must be lower case letters, digits, `-` and `_`"));
    }
    if id == "auto" {
        doc.error(spec.id.span(), "vendor id `auto` is reserved (`scan --vendor auto` picks the vendor from the page)");
    }
    if earlier.iter().any(|v| v.id == *id) {
        doc.error(spec.id.span(), format!("vendor id `{id}` is used twice"));
    }
    if let Some(siren) = &spec.siren
        && !valid_siren(siren.get_ref())
    {
        doc.error(siren.span(), format!("`{}` is not a valid SIREN (9 digits, Luhn checksum)", siren.get_ref()));
    }
    let mut allowed_hosts = Vec::new();
    for h in &spec.allowed_hosts {
        let host = h.get_ref().trim().to_ascii_lowercase();
        let bare = host.strip_prefix("*.").unwrap_or(&host);
        let valid = !bare.is_empty()
            && bare.split('.').all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
        if valid {
            allowed_hosts.push(host);
        } else {
            doc.error(h.span(), format!("`{}` is not a host name (a leading `*.` admits subdomains)", h.get_ref()));
        }
    }
    let mut start_urls = Vec::new();
    for u in &spec.start_urls {
        match url::Url::parse(u.get_ref()) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => {
                let host = url.host_str().unwrap_or("");
                if !host_allowed(&allowed_hosts, host) {
                    doc.error(u.span(), format!("start URL host `{host}` is not in `allowed_hosts`"));
                }
                start_urls.push(url);
            }
            Ok(url) => doc.error(u.span(), format!("start URL must be http or https, not `{}`", url.scheme())),
            Err(e) => doc.error(u.span(), format!("`{}` is not a URL: {e}", u.get_ref())),
        }
    }
    if let Some(rps) = &spec.requests_per_second {
        positive(doc, rps, "requests_per_second");
    }
    if let Some(b) = &spec.burst {
        at_least_one(doc, b.span(), *b.get_ref() as u64, "burst");
    }
    if let Some(p) = &spec.max_pages {
        at_least_one(doc, p.span(), *p.get_ref() as u64, "max_pages");
    }
    let include = compile_all(doc, &spec.include);
    let exclude = compile_all(doc, &spec.exclude);
    if doc.diagnostics.len() > before {
        return None;
    }
    let crawl = VendorCrawl {
        requests_per_second: spec.requests_per_second.map(|v| v.into_inner()),
        burst: spec.burst.map(|v| v.into_inner()),
        max_depth: spec.max_depth,
        max_pages: spec.max_pages.map(|v| v.into_inner()),
        include,
        exclude,
    };
    Some(Vendor {
        id: spec.id.into_inner(),
        name: spec.name,
        provider: spec.provider.map(|p| p.into_inner()).filter(|p| !p.trim().is_empty()),
        siren: spec.siren.map(|s| s.into_inner()),
        start_urls,
        allowed_hosts,
        verified: spec.verified.map(|d| d.0),
        note: spec.note,
        crawl,
    })
}

/// Reads `[crawl]` key by key, so that every bad value is reported, not only the first.
fn check_crawl<'a>(doc: &mut TomlDoc<'a>, mut t: crate::diag::Table<'a>) -> CrawlSettings {
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

fn positive(doc: &mut TomlDoc<'_>, v: &Spanned<f64>, field: &str) -> bool {
    let ok = v.get_ref().is_finite() && *v.get_ref() > 0.0 && *v.get_ref() < 1e9;
    if !ok {
        doc.error(v.span(), format!("`{field}` must be a positive number"));
    }
    ok
}

fn at_least_one(doc: &mut TomlDoc<'_>, span: Range<usize>, v: u64, field: &str) -> bool {
    if v == 0 {
        doc.error(span, format!("`{field}` must be at least 1"));
    }
    v > 0
}

fn compile_all(doc: &mut TomlDoc<'_>, sources: &[Spanned<String>]) -> Vec<Regex> {
    sources
        .iter()
        .filter_map(|s| match Regex::new(s.get_ref()) {
            Ok(r) => Some(r),
            Err(e) => {
                let reason = e.to_string();
                doc.error(s.span(), format!("invalid URL pattern: {}", reason.lines().last().unwrap_or("").trim()));
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vendor(hosts: &[&str]) -> Vendor {
        Vendor { allowed_hosts: hosts.iter().map(|s| s.to_string()).collect(), ..Vendor::new("v", "V") }
    }

    #[test]
    fn star_dot_admits_subdomains_and_the_domain_itself_only() {
        let v = vendor(&["*.example.fr", "www.other.com"]);
        assert!(v.allows_host("example.fr"));
        assert!(v.allows_host("www.example.fr"));
        assert!(v.allows_host("A.B.Example.FR."));
        assert!(!v.allows_host("badexample.fr"));
        assert!(v.allows_host("www.other.com"));
        assert!(!v.allows_host("other.com"));
    }
}
