//! The `[render]` section and a vendor's `render` choice: which pages headless Chromium builds before they are read.

use std::time::Duration;

use toml::Spanned;

use super::crawl::{at_least_one, positive};
use crate::diag::{Table, TomlDoc};

/// The `[render]` section.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderSettings {
    /// Off by default: whatever vendors say, nothing is rendered.
    pub enabled: bool,
    /// A path, or a command looked up on PATH.
    pub chromium: String,
    /// Pages rendered at once (tabs of the one browser).
    pub concurrency: usize,
    /// A page still loading after this long is read as it stands and reported not checked.
    pub page_timeout: Duration,
    /// Per origin, for the scripts and data of rendered pages (apart from the crawl's rate).
    pub subresource_requests_per_second: f64,
}

impl Default for RenderSettings {
    fn default() -> Self {
        RenderSettings {
            enabled: false,
            chromium: "chromium".into(),
            concurrency: 2,
            page_timeout: Duration::from_secs(60),
            subresource_requests_per_second: 4.0,
        }
    }
}

/// Every key of the `[render]` section.
pub const RENDER_KEYS: &[&str] =
    &["enabled", "chromium", "concurrency", "page_timeout_secs", "subresource_requests_per_second"];

/// Which of a vendor's pages are rendered (when `[render] enabled`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RenderMode {
    /// Every HTML page.
    Always,
    /// Only pages read as empty application shells.
    #[default]
    Shell,
    Never,
}

impl RenderMode {
    pub fn name(self) -> &'static str {
        match self {
            RenderMode::Always => "always",
            RenderMode::Shell => "shell",
            RenderMode::Never => "never",
        }
    }
}

/// Reads `[render]` key by key.
pub(super) fn check_render<'a>(doc: &mut TomlDoc<'a>, mut t: Table<'a>) -> RenderSettings {
    let mut r = RenderSettings::default();
    if let Some(v) = doc.take::<bool>(&mut t, "enabled") {
        r.enabled = v;
    }
    if let Some(c) = doc.take::<Spanned<String>>(&mut t, "chromium") {
        if c.get_ref().trim().is_empty() || c.get_ref().chars().any(char::is_control) {
            doc.error(c.span(), "`chromium` must name a program (a path or a command)");
        } else {
            r.chromium = c.into_inner();
        }
    }
    if let Some(v) = doc.take::<Spanned<usize>>(&mut t, "concurrency")
        && at_least_one(doc, v.span(), *v.get_ref() as u64, "concurrency")
    {
        if *v.get_ref() > 32 {
            doc.error(v.span(), "`concurrency` is the number of tabs rendering at once: at most 32");
        } else {
            r.concurrency = v.into_inner();
        }
    }
    if let Some(v) = doc.take::<Spanned<f64>>(&mut t, "page_timeout_secs")
        && positive(doc, &v, "page_timeout_secs")
    {
        r.page_timeout = Duration::from_secs_f64(v.into_inner());
    }
    if let Some(v) = doc.take::<Spanned<f64>>(&mut t, "subresource_requests_per_second")
        && positive(doc, &v, "subresource_requests_per_second")
    {
        r.subresource_requests_per_second = v.into_inner();
    }
    doc.reject_unknown(t, RENDER_KEYS);
    r
}

/// A vendor's `render` value.
pub(super) fn check_mode(doc: &mut TomlDoc<'_>, v: &Spanned<String>) -> Option<RenderMode> {
    match v.get_ref().as_str() {
        "always" => Some(RenderMode::Always),
        "shell" => Some(RenderMode::Shell),
        "never" => Some(RenderMode::Never),
        other => {
            doc.error(v.span(), format!("render must be \"always\", \"shell\" or \"never\", not \"{other}\""));
            None
        }
    }
}
