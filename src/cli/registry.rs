//! `claimwatch registry diff` and `registry check`: what a registry update changes, and what in a registry looks out of date — read-only.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use chrono::NaiveDate;

use super::check::open_store;
use super::{exit, load, today};
use claimwatch::registry::{Qualification, Registry, diff, lint};

fn load_registries(paths: &[PathBuf]) -> Result<Registry> {
    Registry::load_all(paths).map_err(|e| anyhow::anyhow!("{}", e.diagnostics()))
}

fn entry_line(q: &Qualification, registry: &Registry) -> String {
    let file = registry
        .files
        .get(q.file)
        .map_or_else(|| registry.path.display().to_string(), |f| f.path.display().to_string());
    let dates = match (q.since, q.until) {
        (None, None) => String::new(),
        (s, u) => {
            format!(", {} … {}", s.map_or("?".into(), |d| d.to_string()), u.map_or("?".into(), |d| d.to_string()))
        }
    };
    format!("{} — {} ({}) {}{dates}   [{file}:{}]", q.provider, q.offer, q.scheme, q.status.as_str(), q.line)
}

/// `registry diff OLD NEW`: entries added, removed and changed, and the findings the update
/// would open, resolve or change, from the claims in the store. Writes nothing.
pub fn diff(config: &Path, old: &Path, new: &Path, at: Option<NaiveDate>) -> Result<u8> {
    let setup = load(config)?;
    let at = today(at);
    let old = load_registries(&[old.to_path_buf()])?;
    let new = load_registries(&[new.to_path_buf()])?;
    let entries = diff::entries(&old, &new);
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "registry diff: {} (as of {}, {} entries) → {} (as of {}, {} entries)",
        old.path.display(),
        old.as_of,
        old.qualifications.len(),
        new.path.display(),
        new.as_of,
        new.qualifications.len()
    )?;
    for (title, list, sign, registry) in
        [("added", &entries.added, '+', &new), ("removed", &entries.removed, '-', &old)]
    {
        writeln!(out, "{title}: {}", list.len())?;
        for q in list {
            writeln!(out, "  {sign} {}", entry_line(q, registry))?;
        }
    }
    writeln!(out, "changed: {}", entries.changed.len())?;
    for c in &entries.changed {
        writeln!(
            out,
            "  ~ {} — {} ({}): {}   [{}:{}]",
            c.new.provider,
            c.new.offer,
            c.new.scheme,
            c.what.join("; "),
            new.path.display(),
            c.new.line
        )?;
    }
    if !setup.config.store.path.exists() {
        writeln!(out, "findings: no store yet at {}: nothing to compare", setup.config.store.path.display())?;
        return Ok(exit::OK);
    }
    let store = match open_store(&setup)? {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let mut pages = Vec::new();
    for v in &setup.config.vendors {
        pages.extend(store.pages_of(&v.id)?);
    }
    let effects = diff::effects(&old, &new, &setup.config.vendors, &setup.gazetteer, &pages, at);
    writeln!(out, "findings, the claims in the store judged as of {at}: {} would change", effects.len())?;
    for e in &effects {
        writeln!(
            out,
            "  {} {} {} ({} page{}): {} → {}, {}: {}",
            e.vendor,
            e.label,
            e.kind,
            e.pages,
            if e.pages == 1 { "" } else { "s" },
            e.old.as_str(),
            e.new.as_str(),
            e.change(),
            e.reason
        )?;
    }
    writeln!(out, "(nothing written)")?;
    Ok(exit::OK)
}

/// `registry check`: entries still qualified past their end, in progress for too long,
/// overlapping, without a source, and snapshots older than `max_registry_age_days`.
pub fn check(config: &Path, at: Option<NaiveDate>) -> Result<u8> {
    let setup = load(config)?;
    let limits = lint::Limits {
        today: today(at),
        stale_in_progress_days: setup.config.stale_in_progress_days,
        max_registry_age_days: setup.config.max_registry_age_days,
    };
    let problems = lint::check(&setup.registry, limits);
    let mut out = std::io::stdout().lock();
    for p in &problems {
        writeln!(out, "{p}")?;
    }
    let files: Vec<String> = setup.registry.files.iter().map(|f| f.path.display().to_string()).collect();
    if files.is_empty() {
        bail!("no registry file");
    }
    writeln!(
        out,
        "{} problem{} in {} ({} entries)",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" },
        files.join(", "),
        setup.registry.qualifications.len()
    )?;
    Ok(if problems.is_empty() { exit::OK } else { exit::FOUND })
}
