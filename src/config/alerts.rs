//! The `[store]`, `[evidence]`, `[smtp]` and `[[recipient]]` sections: where claimwatch remembers, and whom it tells.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use crate::diag::{Table, TomlDoc};
use crate::judge::Level;

/// Where evidence is archived, and what.
#[derive(Debug, Clone)]
pub struct EvidenceSettings {
    pub dir: PathBuf,
    /// Archive every fetched page, not only those that carry a claim.
    pub archive_all: bool,
}

/// Every key of the `[evidence]` section.
pub const EVIDENCE_KEYS: &[&str] = &["dir", "archive_all"];

pub(super) fn check_evidence<'a>(doc: &mut TomlDoc<'a>, table: Option<Table<'a>>, base: &Path) -> EvidenceSettings {
    let mut e = EvidenceSettings { dir: base.join("evidence"), archive_all: false };
    if let Some(mut t) = table {
        if let Some(d) = doc.take::<Spanned<String>>(&mut t, "dir") {
            if d.get_ref().trim().is_empty() {
                doc.error(d.span(), "evidence dir is empty");
            } else {
                e.dir = base.join(d.get_ref());
            }
        }
        if let Some(all) = doc.take::<bool>(&mut t, "archive_all") {
            e.archive_all = all;
        }
        doc.reject_unknown(t, EVIDENCE_KEYS);
    }
    e
}

/// Where the store lives.
#[derive(Debug, Clone)]
pub struct StoreSettings {
    pub path: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain SMTP (a local relay).
    None,
    /// STARTTLS, required.
    Starttls,
    /// Implicit TLS (SMTPS).
    Tls,
}

/// How to reach the mail server. The password is never in a file: `password_env` names the
/// environment variable that holds it, read when mail is sent.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: Option<String>,
    pub password_env: Option<String>,
    pub from: String,
    pub timeout: Duration,
    /// For tests against a server with a self-signed certificate only; logged when on.
    pub danger_accept_invalid_certs: bool,
    /// The daemon's first retry of held-back alerts; it doubles up to an hour.
    pub retry: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Fr,
    En,
}

/// One person or mailbox to alert.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub email: String,
    pub name: Option<String>,
    pub lang: Lang,
    /// The least serious verdict they hear of.
    pub min_level: Level,
    /// Only these vendors; all when `None`.
    pub vendors: Option<Vec<String>>,
    /// Whether they are told when a finding is resolved.
    pub resolutions: bool,
    /// They keep claimwatch running: told once when a run misses a canary, and once when it
    /// sees it again.
    pub operator: bool,
    /// The first digest that reports a new finding carries its dossier as a PDF.
    pub attach_dossier: bool,
}

impl Recipient {
    /// Whether this recipient hears of a finding of `vendor` at `level`.
    pub fn wants(&self, vendor: &str, level: Level) -> bool {
        level >= self.min_level && self.vendors.as_ref().is_none_or(|v| v.iter().any(|id| id == vendor))
    }
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum MinLevel {
    Warning,
    Violation,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RecipientSpec {
    email: Spanned<String>,
    name: Option<String>,
    lang: Option<Lang>,
    min_level: Option<MinLevel>,
    vendors: Option<Vec<Spanned<String>>>,
    resolutions: Option<bool>,
    operator: Option<bool>,
    attach_dossier: Option<bool>,
}

/// Every key of a `[[recipient]]` entry (the fields of `RecipientSpec`; a test checks it).
pub const RECIPIENT_KEYS: &[&str] =
    &["email", "name", "lang", "min_level", "vendors", "resolutions", "operator", "attach_dossier"];

/// Every key of the `[smtp]` section.
pub const SMTP_KEYS: &[&str] = &[
    "host",
    "port",
    "security",
    "username",
    "password_env",
    "from",
    "timeout_secs",
    "danger_accept_invalid_certs",
    "retry_secs",
];

/// Every key of the `[store]` section.
pub const STORE_KEYS: &[&str] = &["path"];

pub(super) fn check_store<'a>(doc: &mut TomlDoc<'a>, table: Option<Table<'a>>, base: &Path) -> StoreSettings {
    let mut path = base.join("claimwatch.db");
    if let Some(mut t) = table {
        if let Some(p) = doc.take::<Spanned<String>>(&mut t, "path") {
            if p.get_ref().trim().is_empty() {
                doc.error(p.span(), "store path is empty");
            } else {
                path = base.join(p.get_ref());
            }
        }
        doc.reject_unknown(t, STORE_KEYS);
    }
    StoreSettings { path }
}

pub(super) fn check_smtp<'a>(doc: &mut TomlDoc<'a>, mut t: Table<'a>, span: Range<usize>) -> Option<SmtpSettings> {
    let before = doc.diagnostics.len();
    let host: Option<String> = doc.require(&mut t, span.clone(), "host");
    let security: Security = doc.take(&mut t, "security").unwrap_or(Security::Starttls);
    let port: Option<u16> = doc.take(&mut t, "port");
    let username: Option<Spanned<String>> = doc.take(&mut t, "username");
    let password_env: Option<Spanned<String>> = doc.take(&mut t, "password_env");
    let from: Option<Spanned<String>> = doc.require(&mut t, span, "from");
    let timeout: Option<Spanned<f64>> = doc.take(&mut t, "timeout_secs");
    let danger: bool = doc.take(&mut t, "danger_accept_invalid_certs").unwrap_or(false);
    let retry: Option<Spanned<f64>> = doc.take(&mut t, "retry_secs");
    doc.reject_unknown(t, SMTP_KEYS);
    if let Some(f) = &from
        && f.get_ref().parse::<lettre::message::Mailbox>().is_err()
    {
        doc.error(f.span(), format!("`{}` is not an email address", f.get_ref()));
    }
    if let Some(p) = &password_env
        && (p.get_ref().is_empty() || !p.get_ref().chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
    {
        doc.error(p.span(), "password_env must name an environment variable (letters, digits, `_`)");
    }
    if let (Some(u), Security::None, Some(h)) = (&username, security, &host) {
        // AUTH over an unencrypted connection hands the password to anyone on the path; only a
        // relay on this very machine is exempt.
        let local = h == "localhost" || h.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
        if !local {
            doc.error(
                u.span(),
                "username with security = \"none\" would send the password in clear: use starttls or tls",
            );
        }
    }
    if let Some(t) = &timeout {
        super::positive(doc, t, "timeout_secs");
    }
    if let Some(r) = &retry {
        super::positive(doc, r, "retry_secs");
    }
    if doc.diagnostics.len() > before {
        return None;
    }
    let port = port.unwrap_or(match security {
        Security::None => 25,
        Security::Starttls => 587,
        Security::Tls => 465,
    });
    Some(SmtpSettings {
        host: host?,
        port,
        security,
        username: username.map(|u| u.into_inner()),
        password_env: password_env.map(|p| p.into_inner()),
        from: from?.into_inner(),
        timeout: Duration::from_secs_f64(timeout.map_or(30.0, |t| t.into_inner())),
        danger_accept_invalid_certs: danger,
        retry: Duration::from_secs_f64(retry.map_or(60.0, |r| r.into_inner())),
    })
}

pub(super) fn check_recipient(doc: &mut TomlDoc<'_>, spec: RecipientSpec, vendor_ids: &[String]) -> Option<Recipient> {
    let before = doc.diagnostics.len();
    if spec.email.get_ref().parse::<lettre::Address>().is_err() {
        doc.error(spec.email.span(), format!("`{}` is not an email address", spec.email.get_ref()));
    }
    for v in spec.vendors.iter().flatten() {
        if !vendor_ids.contains(v.get_ref()) {
            doc.error(v.span(), format!("no vendor `{}` in this config", v.get_ref()));
        }
    }
    if doc.diagnostics.len() > before {
        return None;
    }
    Some(Recipient {
        email: spec.email.into_inner(),
        name: spec.name,
        lang: spec.lang.unwrap_or(Lang::Fr),
        min_level: match spec.min_level.unwrap_or(MinLevel::Warning) {
            MinLevel::Warning => Level::Warning,
            MinLevel::Violation => Level::Violation,
        },
        vendors: spec.vendors.map(|v| v.into_iter().map(|s| s.into_inner()).collect()),
        resolutions: spec.resolutions.unwrap_or(true),
        operator: spec.operator.unwrap_or(false),
        attach_dossier: spec.attach_dossier.unwrap_or(false),
    })
}
