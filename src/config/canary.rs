//! The `[canary]` section: a public page the operator controls, carrying a claim every run must see.

use std::ops::Range;

use toml::Spanned;

use crate::diag::{Diagnostic, Table, TomlDoc};
use crate::patterns::ClaimKind;

/// The `[canary]` section: fetched every run through the full path (robots.txt, politeness,
/// the guard); the run is degraded unless a claim of `label` of `kind` is read there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanarySettings {
    pub url: url::Url,
    /// A label id of the pattern files (`secnumcloud`).
    pub label: String,
    pub kind: ClaimKind,
    /// Where `label` is written, to point at it if no pattern file defines it.
    pub label_at: Diagnostic,
}

/// Every key of the `[canary]` section.
pub const CANARY_KEYS: &[&str] = &["url", "label", "kind"];

pub(super) fn check_canary<'a>(doc: &mut TomlDoc<'a>, mut t: Table<'a>, span: Range<usize>) -> Option<CanarySettings> {
    let url: Option<Spanned<String>> = doc.require(&mut t, span.clone(), "url");
    let label: Option<Spanned<String>> = doc.require(&mut t, span.clone(), "label");
    let kind: Option<Spanned<ClaimKind>> = doc.require(&mut t, span, "kind");
    doc.reject_unknown(t, CANARY_KEYS);
    let (url, label, kind) = (url?, label?, kind?);
    let parsed = match url::Url::parse(url.get_ref()) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.username().is_empty() && u.password().is_none() => u,
        Ok(_) => {
            doc.error(url.span(), "the canary URL must be http or https, without credentials");
            return None;
        }
        Err(e) => {
            doc.error(url.span(), format!("the canary URL is not a URL: {e}"));
            return None;
        }
    };
    let label_at = doc.diagnostic(label.span(), "");
    Some(CanarySettings { url: parsed, label: label.into_inner(), kind: kind.into_inner(), label_at })
}
