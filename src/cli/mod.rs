//! Helpers shared by the commands: loading the setup, dates, output style, exit codes.

use std::path::Path;
use std::sync::Arc;

use anyhow::Result;
use chrono::NaiveDate;
use clap::ValueEnum;
use std::io::IsTerminal;

use claimwatch::config::{self, CrawlSettings, Setup};
use claimwatch::fetch::{Fetcher, MemoryValidators};
use claimwatch::report::Style;

pub mod check;
pub mod dossier;
pub mod evidence;
pub mod findings;
pub mod misc;
pub mod registry;
pub mod report;
pub mod scan;
pub mod scan_warc;
pub mod status;

/// Exit codes: the one table, mirrored in README.md.
pub mod exit {
    /// Nothing to report.
    pub const OK: u8 = 0;
    /// A warning or a violation was found (or a pattern example failed).
    pub const FOUND: u8 = 1;
    /// Usage, configuration or runtime error; a page or a vendor that could not be checked.
    pub const ERROR: u8 = 2;
    /// The store is held by another claimwatch process (a daemon, another check).
    pub const BUSY: u8 = 3;
    /// The run missed a canary: it could not prove that it would have seen a claim.
    pub const DEGRADED: u8 = 4;
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

pub fn load(config: &Path) -> Result<Setup> {
    config::load(config).map_err(|e| anyhow::anyhow!("{} has problems:\n{}", config.display(), e.diagnostics()))
}

pub fn today(at: Option<NaiveDate>) -> NaiveDate {
    at.unwrap_or_else(|| chrono::Local::now().date_naive())
}

pub fn text_style(format: Format) -> Style {
    Style { color: format == Format::Text && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none() }
}

pub fn fetcher(settings: &CrawlSettings) -> Result<Arc<Fetcher>> {
    Ok(Arc::new(Fetcher::new(settings, Arc::new(MemoryValidators::default()))?))
}

pub fn unknown_vendor(setup: &Setup, config: &Path, id: &str) -> String {
    let known: Vec<&str> = setup.config.vendors.iter().map(|v| v.id.as_str()).collect();
    format!("no vendor `{id}` in {} (known: {})", config.display(), known.join(", "))
}

pub fn is_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://")
}
