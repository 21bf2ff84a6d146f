//! The configuration file (`config/claimwatch.toml`): loading, checking every key, and loading the registry and patterns it names — all problems reported at once.

use std::ops::Range;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use crate::diag::{Day, Diagnostic, Diagnostics, OneOrMany, TomlDoc};

mod alerts;
mod canary;
mod crawl;
mod daemon;
mod render;

use crate::gazetteer::Gazetteer;
use crate::patterns::{self, PatternSet};
use crate::registry::{ProviderRef, Registry, valid_siren};
pub use alerts::{
    EVIDENCE_KEYS, EvidenceSettings, Lang, RECIPIENT_KEYS, Recipient, SMTP_KEYS, STORE_KEYS, Security, SmtpSettings,
    StoreSettings,
};
pub use canary::{CANARY_KEYS, CanarySettings};
pub use crawl::{CRAWL_KEYS, CrawlSettings, DEFAULT_USER_AGENT};
use crawl::{at_least_one, check_crawl, positive};
pub use daemon::{HTTP_KEYS, HttpSettings, SCHEDULE_KEYS, Schedule, ScheduleSettings};
pub use render::{RENDER_KEYS, RenderMode, RenderSettings};

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
    /// When the daemon checks this vendor, if not on the `[schedule]` default.
    pub schedule: Option<Schedule>,
    /// Which of its pages are rendered when `[render] enabled` (default: application shells).
    pub render: RenderMode,
    /// CDN hosts its rendered pages may load scripts and data from, besides `allowed_hosts`.
    pub render_hosts: Vec<String>,
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
            schedule: None,
            render: RenderMode::default(),
            render_hosts: Vec::new(),
        }
    }

    pub fn provider_ref(&self) -> Option<ProviderRef> {
        self.provider.as_ref().map(|name| ProviderRef { name: name.clone(), siren: self.siren.clone() })
    }

    /// Whether `host` is within this vendor's site.
    pub fn allows_host(&self, host: &str) -> bool {
        host_allowed(&self.allowed_hosts, host)
    }

    /// Whether a page of this vendor, being rendered, may load a script or data from `host`.
    pub fn renders_from(&self, host: &str) -> bool {
        self.allows_host(host) || host_allowed(&self.render_hosts, host)
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub path: PathBuf,
    /// The registry files (`registry = "registry.toml"` or a list), each covering its schemes.
    pub registry_paths: Vec<PathBuf>,
    /// `registry check` flags an in-progress entry older than this with no later entry.
    pub stale_in_progress_days: u32,
    pub patterns_dir: PathBuf,
    /// The organisations pages name (`gazetteer = "gazetteer.toml"`); none when not set.
    pub gazetteer_path: Option<PathBuf>,
    pub crawl: CrawlSettings,
    pub render: RenderSettings,
    pub store: StoreSettings,
    pub evidence: EvidenceSettings,
    pub smtp: Option<SmtpSettings>,
    pub recipients: Vec<Recipient>,
    /// A registry snapshot older than this is flagged in digests and run summaries.
    pub max_registry_age_days: u32,
    pub schedule: ScheduleSettings,
    /// Where the daemon serves /healthz, /metrics and the dashboard, if anywhere.
    pub http: Option<HttpSettings>,
    /// The operator's page every run must see a claim on (`[canary]`), if any.
    pub canary: Option<CanarySettings>,
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
    pub gazetteer: Gazetteer,
    /// Vendors whose `provider` matches no registry entry: warned about, never an error (a
    /// registry update that drops a provider must not stop the watch).
    pub unmatched_providers: Vec<UnmatchedProvider>,
}

/// A vendor's `provider` that the registry does not list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnmatchedProvider {
    pub vendor: String,
    pub provider: String,
    /// The closest registry provider, when one is close enough to be a likely typo.
    pub suggestion: Option<String>,
    /// Where `provider` is written (`file:line:col`).
    pub at: String,
}

impl UnmatchedProvider {
    /// One line: where, what, and the likely intended name.
    pub fn warning(&self) -> String {
        let hint = self.suggestion.as_ref().map_or(String::new(), |s| format!(" (did you mean `{s}`?)"));
        format!("{}: vendor `{}`: provider `{}` is not in the registry{hint}", self.at, self.vendor, self.provider)
    }
}

impl Setup {
    /// What reading and judging pages need.
    pub fn knowledge(&self) -> crate::scan::Knowledge<'_> {
        crate::scan::Knowledge { patterns: &self.patterns, gazetteer: &self.gazetteer, registry: &self.registry }
    }

    /// The version of the reading: a hash of the pattern files, the gazetteer and the detector.
    /// When it changes, pages are read again (see `crate::run`).
    pub fn reading_version(&self) -> String {
        reading_version(&self.patterns, &self.gazetteer)
    }
}

/// The reading version of a pattern set and a gazetteer, as short hex.
pub fn reading_version(patterns: &PatternSet, gazetteer: &Gazetteer) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(crate::detect::DETECTOR_VERSION.to_le_bytes());
    h.update(patterns.sha256.as_bytes());
    h.update(b"\0");
    h.update(gazetteer.sha256.as_bytes());
    hex::encode(&h.finalize()[..8])
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

/// Every top-level key of the config file (sections included).
pub const TOP_KEYS: &[&str] = &[
    "registry",
    "patterns",
    "gazetteer",
    "max_registry_age_days",
    "stale_in_progress_days",
    "crawl",
    "render",
    "store",
    "evidence",
    "smtp",
    "recipient",
    "schedule",
    "http",
    "canary",
    "vendor",
];

/// Every key of a `[[vendor]]` entry (the fields of `VendorSpec`; a test checks it).
pub const VENDOR_KEYS: &[&str] = &[
    "id",
    "name",
    "provider",
    "siren",
    "start_urls",
    "allowed_hosts",
    "verified",
    "note",
    "requests_per_second",
    "burst",
    "max_depth",
    "max_pages",
    "include",
    "exclude",
    "schedule",
    "render",
    "render_hosts",
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
    schedule: Option<Spanned<String>>,
    render: Option<Spanned<String>>,
    #[serde(default)]
    render_hosts: Vec<Spanned<String>>,
}

/// Loads the config, then the registry and patterns it names, and checks them against each
/// other. Every problem of every file is reported, each with file and line.
pub fn load(path: &Path) -> Result<Setup, ConfigError> {
    let (config, provider_sites, mut diags) = match load_config(path) {
        Ok(loaded) => loaded,
        Err(d) => return Err(ConfigError::Invalid(d)),
    };
    let registry = config
        .registry_paths
        .as_ref()
        .and_then(|p| Registry::load_all(p).map_err(|e| diags.extend(e.diagnostics().clone())).ok());
    let patterns = config
        .patterns_dir
        .as_ref()
        .and_then(|p| patterns::load_dir(p).map_err(|e| diags.extend(e.diagnostics().clone())).ok());
    let gazetteer = match &config.gazetteer_path {
        None => Some(Gazetteer::empty()),
        Some(p) => Gazetteer::load(p).map_err(|e| diags.extend(e.diagnostics().clone())).ok(),
    };
    if let (Some(c), Some(patterns)) = (&config.canary, &patterns)
        && patterns.label(&c.label).is_none()
    {
        let mut d = c.label_at.clone();
        let known: Vec<&str> = patterns.labels.iter().map(|l| l.id.as_str()).collect();
        d.message = format!("the canary's label `{}` is no pattern file's label ({})", c.label, known.join(", "));
        diags.push(d);
    }
    let mut unmatched_providers = Vec::new();
    if let Some(registry) = &registry {
        for (vendor, site) in config.vendors.iter().zip(provider_sites) {
            if let (Some(p), Some(d)) = (vendor.provider_ref(), site)
                && !registry.knows(&p)
            {
                unmatched_providers.push(UnmatchedProvider {
                    vendor: vendor.id.clone(),
                    provider: p.name.clone(),
                    suggestion: registry.closest_provider(&p.name),
                    at: format!("{}:{}:{}", d.file.display(), d.line, d.column),
                });
            }
        }
    }
    match (config.into_config(), registry, patterns, gazetteer) {
        (Some(config), Some(registry), Some(patterns), Some(gazetteer)) if diags.is_empty() => {
            Ok(Setup { config, registry, patterns, gazetteer, unmatched_providers })
        }
        _ => Err(ConfigError::Invalid(diags)),
    }
}

/// What could be read of a config file, even when parts of it are wrong.
struct PartialConfig {
    path: PathBuf,
    registry_paths: Option<Vec<PathBuf>>,
    stale_in_progress_days: u32,
    patterns_dir: Option<PathBuf>,
    gazetteer_path: Option<PathBuf>,
    crawl: CrawlSettings,
    render: RenderSettings,
    store: StoreSettings,
    evidence: EvidenceSettings,
    smtp: Option<SmtpSettings>,
    recipients: Vec<Recipient>,
    max_registry_age_days: u32,
    schedule: ScheduleSettings,
    http: Option<HttpSettings>,
    canary: Option<CanarySettings>,
    vendors: Vec<Vendor>,
}

impl PartialConfig {
    fn into_config(self) -> Option<Config> {
        Some(Config {
            path: self.path,
            registry_paths: self.registry_paths?,
            stale_in_progress_days: self.stale_in_progress_days,
            patterns_dir: self.patterns_dir?,
            gazetteer_path: self.gazetteer_path,
            crawl: self.crawl,
            render: self.render,
            store: self.store,
            evidence: self.evidence,
            smtp: self.smtp,
            recipients: self.recipients,
            max_registry_age_days: self.max_registry_age_days,
            schedule: self.schedule,
            http: self.http,
            canary: self.canary,
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
    check_config(path, &text)
}

/// Checks the text of a config file on its own, without loading the registry and patterns it
/// names (which [`load`] does); `path` places diagnostics and anchors relative paths.
pub fn parse_config(path: &Path, text: &str) -> Result<Config, ConfigError> {
    match check_config(path, text) {
        Ok((config, _, diags)) if diags.is_empty() => config.into_config().ok_or(ConfigError::Invalid(diags)),
        Ok((_, _, diags)) | Err(diags) => Err(ConfigError::Invalid(diags)),
    }
}

#[allow(clippy::type_complexity)]
fn check_config(path: &Path, text: &str) -> Result<(PartialConfig, Vec<Option<Diagnostic>>, Diagnostics), Diagnostics> {
    let mut doc = TomlDoc::new(path, text);
    let Some(mut table) = doc.parse() else { return Err(doc.diagnostics) };
    let base = path.parent().unwrap_or(Path::new("."));
    let registry: Option<OneOrMany> = doc.require(&mut table, 0..0, "registry");
    let stale_in_progress_days: u32 = doc.take(&mut table, "stale_in_progress_days").unwrap_or(540);
    if matches!(&registry, Some(OneOrMany::Many(v)) if v.is_empty()) {
        doc.error(0..0, "`registry` lists no file");
    }
    let patterns: Option<String> = doc.require(&mut table, 0..0, "patterns");
    let gazetteer: Option<String> = doc.take(&mut table, "gazetteer");
    let max_registry_age_days: u32 = doc.take(&mut table, "max_registry_age_days").unwrap_or(45);
    let crawl_table = doc.take_table(&mut table, "crawl");
    let render_table = doc.take_table(&mut table, "render");
    let store_table = doc.take_table(&mut table, "store");
    let evidence_table = doc.take_table(&mut table, "evidence");
    let smtp_table = doc.take_table(&mut table, "smtp");
    let recipient_specs: Vec<(alerts::RecipientSpec, Range<usize>)> = doc.take_array(&mut table, "recipient");
    let schedule_table = doc.take_table(&mut table, "schedule");
    let http_table = doc.take_table(&mut table, "http");
    let canary_table = doc.take_table(&mut table, "canary");
    let specs: Vec<(VendorSpec, Range<usize>)> = doc.take_array(&mut table, "vendor");
    doc.reject_unknown(table, TOP_KEYS);
    let store = alerts::check_store(&mut doc, store_table.map(|(t, _)| t), base);
    let evidence = alerts::check_evidence(&mut doc, evidence_table.map(|(t, _)| t), base);
    let smtp = smtp_table.and_then(|(t, span)| alerts::check_smtp(&mut doc, t, span));
    let schedule = match schedule_table {
        Some((t, _)) => daemon::check_schedule(&mut doc, t),
        None => ScheduleSettings::default(),
    };
    let http = http_table.and_then(|(t, span)| daemon::check_http(&mut doc, t, span));
    let canary = canary_table.and_then(|(t, span)| canary::check_canary(&mut doc, t, span));
    let crawl = match crawl_table {
        Some((t, _)) => check_crawl(&mut doc, t),
        None => CrawlSettings::default(),
    };
    let render = match render_table {
        Some((t, _)) => render::check_render(&mut doc, t),
        None => RenderSettings::default(),
    };

    let mut vendors: Vec<Vendor> = Vec::new();
    let mut provider_sites = Vec::new();
    for (spec, _) in specs {
        let site = spec.provider.as_ref().map(|p| doc.diagnostic(p.span(), ""));
        if let Some(v) = check_vendor(&mut doc, spec, &vendors, schedule.timezone) {
            vendors.push(v);
            provider_sites.push(site);
        }
    }
    let vendor_ids: Vec<String> = vendors.iter().map(|v| v.id.clone()).collect();
    let mut recipients = Vec::new();
    for (spec, span) in recipient_specs {
        if let Some(r) = alerts::check_recipient(&mut doc, spec, &vendor_ids) {
            if recipients.iter().any(|o: &Recipient| o.email.eq_ignore_ascii_case(&r.email)) {
                doc.error(span, format!("recipient `{}` is listed twice", r.email));
            } else {
                recipients.push(r);
            }
        }
    }
    if !recipients.is_empty() && smtp.is_none() && !doc.diagnostics.iter().any(|d| d.message.contains("smtp")) {
        doc.error(0..0, "recipients are listed but there is no [smtp] section to reach them");
    }
    let config = PartialConfig {
        path: path.to_path_buf(),
        registry_paths: registry.map(|r| r.into_vec().iter().map(|r| base.join(r)).collect()),
        stale_in_progress_days,
        patterns_dir: patterns.map(|p| base.join(p)),
        gazetteer_path: gazetteer.map(|g| base.join(g)),
        crawl,
        render,
        store,
        evidence,
        smtp,
        recipients,
        max_registry_age_days,
        schedule,
        http,
        canary,
        vendors,
    };
    Ok((config, provider_sites, doc.diagnostics.sorted()))
}

fn check_vendor(doc: &mut TomlDoc<'_>, spec: VendorSpec, earlier: &[Vendor], tz: chrono_tz::Tz) -> Option<Vendor> {
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
    let allowed_hosts = host_names(doc, &spec.allowed_hosts);
    let render_hosts = host_names(doc, &spec.render_hosts);
    let render_mode = spec.render.as_ref().and_then(|m| render::check_mode(doc, m));
    let mut start_urls = Vec::new();
    for u in &spec.start_urls {
        match url::Url::parse(u.get_ref()) {
            Ok(url) if !url.username().is_empty() || url.password().is_some() => doc.error(
                u.span(),
                "start URL must not carry credentials (user:password@): they would end up in logs, reports and evidence",
            ),
            Ok(url) if matches!(url.scheme(), "http" | "https") => {
                let host = url.host_str().unwrap_or("");
                if !host_allowed(&allowed_hosts, host) {
                    doc.error(u.span(), format!("start URL host `{host}` is not in `allowed_hosts`"));
                }
                start_urls.push(url);
            }
            Ok(url) => doc.error(u.span(), format!("start URL must be http or https, not `{}`", url.scheme())),
            // Not echoed: a malformed URL may still hold a secret; the line points at it.
            Err(e) => doc.error(u.span(), format!("start URL is not a URL: {e}")),
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
    let schedule = spec.schedule.as_ref().and_then(|e| daemon::check_vendor_schedule(doc, e, tz));
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
        schedule,
        render: render_mode.unwrap_or_default(),
        render_hosts,
    })
}

/// Host names as written in `allowed_hosts` and `render_hosts` (a leading `*.` admits
/// subdomains), lower-cased; each bad one is reported.
fn host_names(doc: &mut TomlDoc<'_>, written: &[Spanned<String>]) -> Vec<String> {
    let mut hosts = Vec::new();
    for h in written {
        let host = h.get_ref().trim().to_ascii_lowercase();
        let bare = host.strip_prefix("*.").unwrap_or(&host);
        let valid = !bare.is_empty()
            && bare.split('.').all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
        if valid {
            hosts.push(host);
        } else {
            doc.error(h.span(), format!("`{}` is not a host name (a leading `*.` admits subdomains)", h.get_ref()));
        }
    }
    hosts
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
    use crate::diag::{sorted, struct_fields};

    #[test]
    fn the_vendor_and_recipient_key_lists_are_the_fields_their_entries_accept() {
        assert_eq!(struct_fields::<VendorSpec>(), sorted(VENDOR_KEYS));
        assert_eq!(struct_fields::<alerts::RecipientSpec>(), sorted(RECIPIENT_KEYS));
    }

    /// The sections of the config file: name, key list, and whether it is an array of tables.
    const SECTIONS: &[(&str, &[&str], bool)] = &[
        ("crawl", CRAWL_KEYS, false),
        ("render", RENDER_KEYS, false),
        ("store", STORE_KEYS, false),
        ("evidence", EVIDENCE_KEYS, false),
        ("smtp", SMTP_KEYS, false),
        ("recipient", RECIPIENT_KEYS, true),
        ("schedule", SCHEDULE_KEYS, false),
        ("http", HTTP_KEYS, false),
        ("canary", CANARY_KEYS, false),
        ("vendor", VENDOR_KEYS, true),
    ];

    /// A valid value for every listed key (`section` is empty at the top level).
    fn sample(section: &str, key: &str) -> &'static str {
        match (section, key) {
            ("", "registry") => r#""registry.toml""#,
            ("", "patterns") => r#""patterns""#,
            ("", "gazetteer") => r#""gazetteer.toml""#,
            ("", "max_registry_age_days") => "30",
            ("", "stale_in_progress_days") => "365",
            ("canary", "url") => r#""https://temoin.example.org/""#,
            ("canary", "label") => r#""secnumcloud""#,
            ("canary", "kind") => r#""assertion""#,
            ("recipient", "operator") => "true",
            ("recipient", "attach_dossier") => "true",
            ("crawl", "user_agent") => r#""claimwatch-test (+https://example.org/)""#,
            ("crawl" | "vendor", "requests_per_second") => "0.5",
            ("crawl" | "vendor", "burst") => "2",
            ("crawl", "concurrency") => "8",
            ("crawl", "max_concurrent_vendors") => "4",
            ("crawl", "timeout_secs") => "20",
            ("crawl", "connect_timeout_secs") => "5",
            ("crawl", "max_body_bytes") => "1048576",
            ("crawl", "max_pdf_bytes") => "2097152",
            ("crawl" | "vendor", "max_depth") => "2",
            ("crawl" | "vendor", "max_pages") => "50",
            ("crawl", "allow_private_networks") => "true",
            ("crawl", "run_budget_secs") => "600",
            ("crawl", "retries") => "1",
            ("render", "enabled") => "true",
            ("render", "chromium") => r#""/usr/bin/chromium""#,
            ("render", "concurrency") => "1",
            ("render", "page_timeout_secs") => "30",
            ("render", "subresource_requests_per_second") => "2",
            ("store", "path") => r#""/var/lib/claimwatch/store""#,
            ("evidence", "dir") => r#""/var/lib/claimwatch/evidence""#,
            ("evidence", "archive_all") => "true",
            ("smtp", "host") => r#""smtp.example.org""#,
            ("smtp", "port") => "2525",
            ("smtp", "security") => r#""tls""#,
            ("smtp", "username") => r#""claimwatch""#,
            ("smtp", "password_env") => r#""CLAIMWATCH_SMTP_PASSWORD""#,
            ("smtp", "from") => r#""claimwatch <claimwatch@example.org>""#,
            ("smtp", "timeout_secs") => "10",
            ("smtp", "danger_accept_invalid_certs") => "false",
            ("smtp", "retry_secs") => "120",
            ("recipient", "email") => r#""controle@regulateur.example""#,
            ("recipient", "name") => r#""Contrôle""#,
            ("recipient", "lang") => r#""en""#,
            ("recipient", "min_level") => r#""violation""#,
            ("recipient", "vendors") => r#"["nuvexa"]"#,
            ("recipient", "resolutions") => "false",
            ("schedule", "cron") => r#""0 7 * * 1-5""#,
            ("schedule", "timezone") => r#""Europe/Paris""#,
            ("schedule", "jitter_secs") => "60",
            ("schedule", "shutdown_grace_secs") => "10",
            ("http", "listen") => r#""127.0.0.1:9184""#,
            ("http", "token_env") => r#""CLAIMWATCH_DASHBOARD_TOKEN""#,
            ("vendor", "id") => r#""nuvexa""#,
            ("vendor", "name") => r#""Nuvexa""#,
            ("vendor", "provider") => r#""Nuvexa SAS""#,
            ("vendor", "siren") => r#""424761419""#,
            ("vendor", "start_urls") => r#"["https://www.nuvexa.example/fr/"]"#,
            ("vendor", "allowed_hosts") => r#"["www.nuvexa.example"]"#,
            ("vendor", "verified") => "2026-11-01",
            ("vendor", "note") => r#""checked by hand""#,
            ("vendor", "include") => r#"['^https://www[.]nuvexa[.]example/fr/']"#,
            ("vendor", "exclude") => r#"['/login']"#,
            ("vendor", "schedule") => r#""0 */6 * * *""#,
            ("vendor", "render") => r#""always""#,
            ("vendor", "render_hosts") => r#"["cdn.nuvexa.example"]"#,
            _ => panic!("no sample value for `{key}` in [{section}]: add one to this test"),
        }
    }

    fn header(name: &str, array: bool) -> String {
        if array { format!("[[{name}]]\n") } else { format!("[{name}]\n") }
    }

    #[test]
    fn a_config_that_sets_every_listed_key_is_accepted_and_an_unlisted_key_is_not() {
        let mut text = String::new();
        for key in TOP_KEYS.iter().filter(|k| !SECTIONS.iter().any(|(name, _, _)| name == *k)) {
            text += &format!("{key} = {}\n", sample("", key));
        }
        for (name, keys, array) in SECTIONS {
            assert!(TOP_KEYS.contains(name), "[{name}] is not in TOP_KEYS");
            text += &header(name, *array);
            for key in *keys {
                text += &format!("{key} = {}\n", sample(name, key));
            }
        }
        let path = Path::new("/etc/claimwatch/claimwatch.toml");
        let config = parse_config(path, &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(config.gazetteer_path.as_deref(), Some(Path::new("/etc/claimwatch/gazetteer.toml")));
        assert_eq!(config.crawl.max_pdf_bytes, 2_097_152);
        assert!(config.render.enabled && config.evidence.archive_all);
        assert_eq!(config.smtp.as_ref().map(|s| s.port), Some(2525));
        assert_eq!(config.recipients.len(), 1);
        assert!(config.schedule.default.is_some() && config.http.is_some());
        assert_eq!(config.vendors.len(), 1);
        assert_eq!(config.vendors[0].render_hosts, ["cdn.nuvexa.example"]);

        let top = format!("unlisted_key = 1\n{text}");
        let shown = parse_config(path, &top).unwrap_err().to_string();
        assert!(shown.contains("unlisted_key"), "top level: {shown}");
        for (name, _, array) in SECTIONS {
            let h = header(name, *array);
            let broken = text.replace(&h, &format!("{h}unlisted_key = 1\n"));
            let shown = parse_config(path, &broken).unwrap_err().to_string();
            assert!(shown.contains("unknown") && shown.contains("unlisted_key"), "[{name}]: {shown}");
        }
    }

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
