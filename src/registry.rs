//! The registry of qualifications actually granted (`config/registry.toml`): loading, checking, and "what does provider P hold for scheme S on date D".

use std::ops::Range;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::diag::{Day, Diagnostic, Diagnostics, TomlDoc};

pub mod diff;
pub mod lint;
use crate::extract::normalize;

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("{0}")]
    Invalid(Diagnostics),
}

impl RegistryError {
    pub fn diagnostics(&self) -> &Diagnostics {
        match self {
            RegistryError::Invalid(d) => d,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Qualified,
    /// Certified by an accredited body (HDS): held like a qualification.
    Certified,
    InProgress,
    Expired,
    Withdrawn,
}

/// One registry entry: one service of one provider under one scheme, for one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qualification {
    /// As the registry writes it ("OVH").
    pub provider: String,
    pub aliases: Vec<String>,
    pub siren: Option<String>,
    pub offer: String,
    pub offer_aliases: Vec<String>,
    pub scheme: String,
    pub status: Status,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub decision: Option<String>,
    pub source: Option<String>,
    pub note: Option<String>,
    /// What the certificate covers, for schemes certified activity by activity (HDS).
    pub activities: Vec<String>,
    /// Registrable domains the provider's sites live on (`nuvexa.example`), merged over all its
    /// entries: how `scan-warc` tells a provider's pages among unlisted sites.
    pub domains: Vec<String>,
    /// Line of the entry in its registry file.
    pub line: usize,
    /// Which of [`Registry::files`] holds the entry.
    pub file: usize,
}

impl Status {
    /// Whether an entry of this status grants the label while its dates hold.
    pub fn grants(self) -> bool {
        matches!(self, Status::Qualified | Status::Certified)
    }

    /// As registry files write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Qualified => "qualified",
            Status::Certified => "certified",
            Status::InProgress => "in_progress",
            Status::Expired => "expired",
            Status::Withdrawn => "withdrawn",
        }
    }
}

/// One registry file: the schemes it is complete for, and its snapshot's date and source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryFile {
    pub path: PathBuf,
    pub as_of: NaiveDate,
    pub source: String,
    pub schemes: Vec<String>,
    pub sha256: String,
}

impl RegistryFile {
    /// The file's name, as verdicts and findings name it.
    pub fn name(&self) -> String {
        self.path.file_name().map_or_else(|| self.path.display().to_string(), |n| n.to_string_lossy().into_owned())
    }
}

/// A provider earlier runs matched in the registry that the registry no longer lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Departed {
    /// As the registry wrote it then.
    pub name: String,
    /// The registry date of the last run that still found it.
    pub last_as_of: NaiveDate,
    /// A run has said that the registry no longer lists it (said once, in that run's summary).
    #[serde(default)]
    pub announced: bool,
}

/// The registry: one file, or several that each cover their own schemes.
#[derive(Debug, Clone)]
pub struct Registry {
    /// The first file's path.
    pub path: PathBuf,
    /// Date of the oldest file's snapshot (what staleness warnings go by).
    pub as_of: NaiveDate,
    pub source: String,
    /// The schemes the files are complete for; claims under other schemes cannot be verified.
    pub schemes: Vec<String>,
    pub qualifications: Vec<Qualification>,
    /// SHA-256 of the file, hex (of every file's name and hash, for several): which registry a
    /// verdict was judged against.
    pub sha256: String,
    pub files: Vec<RegistryFile>,
    /// Providers earlier runs matched and these files no longer list, by [`provider_key`]
    /// (filled from the store by a run; empty otherwise).
    pub departed: std::collections::BTreeMap<String, Departed>,
}

/// Who a vendor is in the registry: a provider name (or alias) and optionally its SIREN.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderRef {
    pub name: String,
    pub siren: Option<String>,
}

/// What the registry says a provider holds for a scheme on a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// The registry is not complete for this scheme.
    NotCovered { scheme: String },
    /// No vendor was named, so nothing is held.
    NoVendor,
    /// The vendor names no registry provider (it holds nothing in any registry).
    NoProvider { vendor: String },
    /// No entry of this provider under this scheme.
    NoEntry { provider: String },
    /// The vendor's provider was in the registry on earlier runs and is no longer: its entries
    /// are gone, so it holds nothing.
    Departed { provider: String, last_as_of: NaiveDate },
    /// The vendor's provider never matched an entry (a typo, another spelling): its claims
    /// cannot be verified.
    UnknownProvider { provider: String },
    /// At least one valid qualification on the date.
    Holds { provider: String, offers: Vec<String>, until: Option<NaiveDate> },
    /// Nothing valid, but at least one offer in progress.
    InProgress { provider: String, offers: Vec<String>, since: Option<NaiveDate> },
    /// Entries exist but none is valid on the date.
    Lapsed { provider: String, lapse: Lapse },
}

/// Why none of a provider's entries is valid on a date: the most recent event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lapse {
    /// The qualification starts after the date.
    NotYet {
        offer: String,
        since: NaiveDate,
    },
    Expired {
        offer: String,
        until: Option<NaiveDate>,
    },
    Withdrawn {
        offer: String,
        until: Option<NaiveDate>,
    },
    /// In progress, but only from a later date.
    InProgressFrom {
        offer: String,
        since: Option<NaiveDate>,
    },
}

/// Every top-level key of a registry file.
pub const TOP_KEYS: &[&str] = &["as_of", "source", "schemes", "qualification"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    provider: Spanned<String>,
    #[serde(default)]
    aliases: Vec<String>,
    siren: Option<Spanned<String>>,
    offer: String,
    #[serde(default)]
    offer_aliases: Vec<String>,
    scheme: Spanned<String>,
    status: Status,
    since: Option<Spanned<Day>>,
    until: Option<Spanned<Day>>,
    decision: Option<String>,
    source: Option<String>,
    note: Option<String>,
    #[serde(default)]
    activities: Vec<String>,
    #[serde(default)]
    domains: Vec<Spanned<String>>,
}

/// Every key of a `[[qualification]]` entry.
pub const QUALIFICATION_KEYS: &[&str] = &[
    "provider",
    "aliases",
    "siren",
    "offer",
    "offer_aliases",
    "scheme",
    "status",
    "since",
    "until",
    "decision",
    "source",
    "note",
    "activities",
    "domains",
];

impl Registry {
    /// Loads several registry files as one. Each covers its own schemes: a scheme listed by two
    /// files is an error, as is any problem of any file (all reported).
    pub fn load_all(paths: &[PathBuf]) -> Result<Registry, RegistryError> {
        let mut diags = Diagnostics::default();
        let mut loaded: Vec<Registry> = Vec::new();
        for path in paths {
            match Registry::load(path) {
                Ok(r) => loaded.push(r),
                Err(e) => diags.extend(e.diagnostics().clone()),
            }
        }
        for (i, later) in loaded.iter().enumerate() {
            for scheme in &later.schemes {
                if let Some(earlier) = loaded[..i].iter().find(|r| r.covers(scheme)) {
                    let line = std::fs::read_to_string(&later.path)
                        .ok()
                        .and_then(|t| t.lines().position(|l| l.trim_start().starts_with("schemes")))
                        .map_or(1, |l| l + 1);
                    diags.push(Diagnostic::at_line(
                        &later.path,
                        line,
                        format!(
                            "scheme `{scheme}` is already covered by {}: a scheme is covered by one registry file only",
                            earlier.path.display()
                        ),
                    ));
                }
            }
        }
        if !diags.is_empty() || loaded.is_empty() {
            return Err(RegistryError::Invalid(diags.sorted()));
        }
        Ok(Registry::merge(loaded))
    }

    /// Several loaded files as one registry (their schemes do not overlap).
    fn merge(mut loaded: Vec<Registry>) -> Registry {
        if loaded.len() == 1 {
            return loaded.remove(0);
        }
        let files: Vec<RegistryFile> = loaded.iter().flat_map(|r| r.files.clone()).collect();
        let mut combined = Sha256::new();
        for f in &files {
            combined.update(format!("{} {}\n", f.name(), f.sha256).as_bytes());
        }
        let mut qualifications = Vec::new();
        for (i, r) in loaded.iter_mut().enumerate() {
            qualifications.extend(r.qualifications.drain(..).map(|q| Qualification { file: i, ..q }));
        }
        Registry {
            path: files[0].path.clone(),
            as_of: files.iter().map(|f| f.as_of).min().expect("at least one file"),
            source: files[0].source.clone(),
            schemes: files.iter().flat_map(|f| f.schemes.clone()).collect(),
            qualifications,
            sha256: hex::encode(combined.finalize()),
            files,
            departed: Default::default(),
        }
    }

    /// The registry with the providers earlier runs matched and it no longer lists.
    pub fn with_departed(mut self, departed: std::collections::BTreeMap<String, Departed>) -> Registry {
        self.departed = departed;
        self
    }

    /// The file that covers `scheme`, if one does.
    pub fn file_for(&self, scheme: &str) -> Option<&RegistryFile> {
        self.files.iter().find(|f| f.schemes.iter().any(|s| s == scheme))
    }

    /// The registry provider whose name or alias is closest to `name` (a likely typo), if one
    /// is close enough to suggest.
    pub fn closest_provider(&self, name: &str) -> Option<String> {
        let key = provider_key(name);
        let mut best: Option<(f64, &str)> = None;
        for q in &self.qualifications {
            for candidate in std::iter::once(&q.provider).chain(&q.aliases) {
                let score = strsim::jaro_winkler(&key, &provider_key(candidate));
                if score >= 0.8 && best.is_none_or(|(b, _)| score > b) {
                    best = Some((score, q.provider.as_str()));
                }
            }
        }
        best.map(|(_, name)| name.to_string())
    }

    /// The provider whose `domains` include `host` or one of its parent domains.
    pub fn provider_for_host(&self, host: &str) -> Option<&str> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.qualifications
            .iter()
            .find(|q| q.domains.iter().any(|d| host == *d || host.ends_with(&format!(".{d}"))))
            .map(|q| q.provider.as_str())
    }

    /// Every provider name the registry lists, once each.
    pub fn providers(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for q in &self.qualifications {
            if !names.contains(&q.provider.as_str()) {
                names.push(&q.provider);
            }
        }
        names
    }

    /// Loads and checks a registry file, reporting every problem at once.
    pub fn load(path: &Path) -> Result<Registry, RegistryError> {
        let bytes = std::fs::read(path).map_err(|e| {
            RegistryError::Invalid(Diagnostic::whole_file(path, format!("cannot read registry: {e}")).into())
        })?;
        Registry::from_bytes(path, &bytes)
    }

    /// Parses and checks the contents of a registry file; `path` is only used in diagnostics.
    pub fn from_bytes(path: &Path, bytes: &[u8]) -> Result<Registry, RegistryError> {
        let text = std::str::from_utf8(bytes).map_err(|e| {
            RegistryError::Invalid(Diagnostic::whole_file(path, format!("registry is not UTF-8: {e}")).into())
        })?;
        let sha256 = hex::encode(Sha256::digest(bytes));
        let mut doc = TomlDoc::new(path, text);
        let registry = parse(&mut doc, sha256);
        match registry {
            Some(r) if doc.diagnostics.is_empty() => Ok(r),
            _ => Err(RegistryError::Invalid(std::mem::take(&mut doc.diagnostics).sorted())),
        }
    }

    pub fn covers(&self, scheme: &str) -> bool {
        self.schemes.iter().any(|s| s == scheme)
    }

    /// Entries that belong to `provider`, any scheme. The name may be the registry's or any alias
    /// given on any entry of that provider; a SIREN matches too.
    pub fn entries_of<'a>(&'a self, provider: &'a ProviderRef) -> impl Iterator<Item = &'a Qualification> + 'a {
        let key = provider_key(&provider.name);
        let names: Vec<String> = self
            .qualifications
            .iter()
            .filter(|q| {
                (!key.is_empty()
                    && (provider_key(&q.provider) == key || q.aliases.iter().any(|a| provider_key(a) == key)))
                    || (provider.siren.is_some() && q.siren == provider.siren)
            })
            .map(|q| provider_key(&q.provider))
            .collect();
        self.qualifications.iter().filter(move |q| names.contains(&provider_key(&q.provider)))
    }

    /// The provider a page's name for it designates: its registry name, an alias, or the name
    /// (or an alias) of one of its offers, spelled any way ("OVHcloud", « PREMI3NS »).
    pub fn provider_named(&self, name: &str) -> Option<ProviderRef> {
        let key = provider_key(name);
        if key.is_empty() {
            return None;
        }
        self.qualifications
            .iter()
            .find(|q| {
                provider_key(&q.provider) == key
                    || q.aliases.iter().any(|a| provider_key(a) == key)
                    || provider_key(&q.offer) == key
                    || q.offer_aliases.iter().any(|a| provider_key(a) == key)
            })
            .map(|q| ProviderRef { name: q.provider.clone(), siren: q.siren.clone() })
    }

    /// Every name the registry gives a provider's entries: the provider, its aliases, its
    /// offers and their aliases.
    pub fn names_of(&self, provider: &ProviderRef) -> Vec<String> {
        let mut names = Vec::new();
        for q in self.entries_of(provider) {
            for n in
                std::iter::once(&q.provider).chain(&q.aliases).chain(std::iter::once(&q.offer)).chain(&q.offer_aliases)
            {
                if !names.contains(n) {
                    names.push(n.clone());
                }
            }
        }
        names
    }

    /// Whether the registry knows `provider` at all.
    pub fn knows(&self, provider: &ProviderRef) -> bool {
        self.entries_of(provider).next().is_some()
    }

    /// What `provider` holds for `scheme` on `at`.
    pub fn standing(&self, provider: &ProviderRef, scheme: &str, at: NaiveDate) -> Standing {
        if !self.covers(scheme) {
            return Standing::NotCovered { scheme: scheme.to_string() };
        }
        let entries: Vec<&Qualification> = self.entries_of(provider).filter(|q| q.scheme == scheme).collect();
        let Some(first) = entries.first() else {
            if !self.knows(provider) {
                return match self.departed.get(&provider_key(&provider.name)) {
                    Some(d) => Standing::Departed { provider: d.name.clone(), last_as_of: d.last_as_of },
                    None => Standing::UnknownProvider { provider: provider.name.clone() },
                };
            }
            return Standing::NoEntry { provider: provider.name.clone() };
        };
        let name = first.provider.clone();
        let valid: Vec<&&Qualification> = entries
            .iter()
            .filter(|q| q.status.grants() && q.since.is_none_or(|d| d <= at) && q.until.is_none_or(|d| at <= d))
            .collect();
        if !valid.is_empty() {
            // The latest end date; an entry without one keeps the provider covered indefinitely.
            let until =
                if valid.iter().any(|q| q.until.is_none()) { None } else { valid.iter().filter_map(|q| q.until).max() };
            return Standing::Holds { provider: name, offers: offers(valid.iter().map(|q| **q)), until };
        }
        let in_progress: Vec<&&Qualification> =
            entries.iter().filter(|q| q.status == Status::InProgress && q.since.is_none_or(|d| d <= at)).collect();
        if !in_progress.is_empty() {
            let since = in_progress.iter().filter_map(|q| q.since).min();
            return Standing::InProgress { provider: name, offers: offers(in_progress.iter().map(|q| **q)), since };
        }
        Standing::Lapsed { provider: name, lapse: lapse(&entries, at) }
    }
}

fn offers<'a>(entries: impl Iterator<Item = &'a Qualification>) -> Vec<String> {
    let mut v: Vec<String> = entries.map(|q| q.offer.clone()).collect();
    v.dedup();
    v
}

/// Why none of `entries` (at least one) is valid on `at`: the most recent event.
fn lapse(entries: &[&Qualification], at: NaiveDate) -> Lapse {
    let mut reasons: Vec<(NaiveDate, Lapse)> = entries
        .iter()
        .map(|q| {
            let offer = q.offer.clone();
            let when = q.until.or(q.since).unwrap_or(NaiveDate::MIN);
            match (q.status, q.since) {
                (Status::Qualified | Status::Certified, Some(since)) if since > at => {
                    (since, Lapse::NotYet { offer, since })
                }
                (Status::Qualified | Status::Certified | Status::Expired, _) => {
                    (when, Lapse::Expired { offer, until: q.until })
                }
                (Status::Withdrawn, _) => (when, Lapse::Withdrawn { offer, until: q.until }),
                (Status::InProgress, since) => (when, Lapse::InProgressFrom { offer, since }),
            }
        })
        .collect();
    reasons.sort_by_key(|r| std::cmp::Reverse(r.0));
    reasons.swap_remove(0).1
}

/// Provider names compare without case, accents, spaces or punctuation: "OVHcloud" and
/// "OVH Cloud" are one key, "Thales Cloud Sécurisé" and "THALES CLOUD SECURISE" too.
pub fn provider_key(name: &str) -> String {
    normalize(name).chars().filter(|c| c.is_alphanumeric()).collect()
}

fn parse(doc: &mut TomlDoc<'_>, sha256: String) -> Option<Registry> {
    let mut table = doc.parse()?;
    let as_of: Option<Day> = doc.require(&mut table, 0..0, "as_of");
    let source: Option<String> = doc.require(&mut table, 0..0, "source");
    let schemes: Option<Vec<Spanned<String>>> = doc.require(&mut table, 0..0, "schemes");
    let entries: Vec<(Entry, Range<usize>)> = doc.take_array(&mut table, "qualification");
    doc.reject_unknown(table, TOP_KEYS);

    let schemes: Vec<String> = schemes.unwrap_or_default().into_iter().map(|s| s.into_inner()).collect();
    let mut qualifications = Vec::with_capacity(entries.len());
    for (e, span) in entries {
        if !schemes.contains(e.scheme.get_ref()) {
            doc.error(
                e.scheme.span(),
                format!(
                    "scheme `{}` is not in `schemes` ({}); list it there if this file is complete for it",
                    e.scheme.get_ref(),
                    schemes.join(", ")
                ),
            );
        }
        if e.provider.get_ref().trim().is_empty() {
            doc.error(e.provider.span(), "provider is empty");
        }
        if let Some(siren) = &e.siren
            && !valid_siren(siren.get_ref())
        {
            doc.error(siren.span(), format!("`{}` is not a valid SIREN (9 digits, Luhn checksum)", siren.get_ref()));
        }
        if let (Some(since), Some(until)) = (&e.since, &e.until)
            && since.get_ref() > until.get_ref()
        {
            doc.error(
                until.span(),
                format!("`until` ({}) is before `since` ({})", until.get_ref().0, since.get_ref().0),
            );
        }
        let mut domains = Vec::new();
        for d in e.domains {
            let name = d.get_ref().trim().trim_end_matches('.').to_ascii_lowercase();
            match domain_problem(&name) {
                Some(why) => doc.error(d.span(), format!("`{}` {why}", d.get_ref())),
                None => domains.push(name),
            }
        }
        let (line, _) = doc.locate(span.start);
        qualifications.push(Qualification {
            provider: e.provider.into_inner(),
            aliases: e.aliases,
            siren: e.siren.map(|s| s.into_inner()),
            offer: e.offer,
            offer_aliases: e.offer_aliases,
            scheme: e.scheme.into_inner(),
            status: e.status,
            since: e.since.map(|d| d.into_inner().0),
            until: e.until.map(|d| d.into_inner().0),
            decision: e.decision,
            source: e.source,
            note: e.note,
            activities: e.activities,
            domains,
            line,
            file: 0,
        });
    }
    let (as_of, source) = (as_of?.0, source?);
    let file = RegistryFile {
        path: doc.path().to_path_buf(),
        as_of,
        source: source.clone(),
        schemes: schemes.clone(),
        sha256: sha256.clone(),
    };
    Some(Registry {
        path: doc.path().to_path_buf(),
        as_of,
        source,
        schemes,
        qualifications,
        sha256,
        files: vec![file],
        departed: Default::default(),
    })
}

/// Why `name` is not a bare domain name (`nuvexa.example`), if it is not.
fn domain_problem(name: &str) -> Option<&'static str> {
    if name.contains("://") || name.contains('/') {
        return Some("is a URL: give the domain alone (`nuvexa.example`)");
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if name.len() > 253 || !name.contains('.') || !name.split('.').all(label_ok) {
        return Some("is not a domain name (letters, digits and dashes, with dots; punycode for accents)");
    }
    None
}

/// SIREN numbers carry a Luhn checksum; La Poste's (356000000) is the one documented exception.
pub fn valid_siren(s: &str) -> bool {
    if s.len() != 9 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    if s == "356000000" {
        return true;
    }
    let sum: u32 = s
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let d2 = d * 2;
                if d2 > 9 { d2 - 9 } else { d2 }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests;
