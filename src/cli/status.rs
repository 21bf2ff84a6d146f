//! `claimwatch status`: last runs, next scheduled run, open findings, outbox, registry, reading version.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::Result;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::check::open_store;
use super::{Format, exit, load};
use claimwatch::daemon::DaemonFile;
use claimwatch::store::{FindingState, RunRecord};

#[derive(Serialize)]
struct Status<'a> {
    #[serde(rename = "type")]
    kind_of_record: &'static str,
    registry_path: String,
    registry_as_of: NaiveDate,
    registry_sha256: &'a str,
    registry_age_days: i64,
    registry_stale: bool,
    /// The reading version the last completed run stored, and the current config's.
    reading_version_stored: Option<String>,
    reading_version: String,
    /// The next run reads every page again (the versions differ, or a store from before
    /// versions has pages).
    reading_changed: bool,
    /// Pages whose claims were read with another version: fetched in full on their next visit.
    pages_read_otherwise: usize,
    next_run: Option<DateTime<Utc>>,
    next_run_vendors: Vec<String>,
    open_findings: BTreeMap<String, usize>,
    outbox_size: usize,
    outbox_oldest: Option<DateTime<Utc>>,
    dead_letters: usize,
    /// What a daemon using this store last said (its last run may have failed to record itself).
    daemon: Option<DaemonFile>,
    runs: Vec<&'a RunRecord>,
    /// Vendors whose provider the registry does not list, with the likely intended name.
    unmatched_providers: Vec<String>,
}

pub fn status(config: &Path, format: Format, last: usize) -> Result<u8> {
    let setup = load(config)?;
    let store = match open_store(&setup)? {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let now = Utc::now();
    let today = now.with_timezone(&setup.config.schedule.timezone).date_naive();
    let runs = store.runs()?;
    let recent: Vec<&RunRecord> = runs.iter().rev().take(last).collect();
    let mut open: BTreeMap<String, usize> = BTreeMap::new();
    for f in store.findings()?.iter().filter(|f| f.state == FindingState::Open) {
        *open.entry(f.level.as_str().to_string()).or_default() += 1;
    }
    let pending = store.pending()?;
    let tick = claimwatch::daemon::next_tick(&setup, now);
    let age = (today - setup.registry.as_of).num_days();
    let reading = setup.reading_version();
    let (stored_reading, reading_changed) = claimwatch::run::reading_change(&store, &reading)?;
    let status = Status {
        kind_of_record: "status",
        registry_path: setup.registry.path.display().to_string(),
        registry_as_of: setup.registry.as_of,
        registry_sha256: &setup.registry.sha256,
        registry_age_days: age,
        registry_stale: age > i64::from(setup.config.max_registry_age_days),
        pages_read_otherwise: store.pages_read_otherwise(&reading)?,
        reading_version_stored: stored_reading,
        reading_version: reading,
        reading_changed,
        next_run: tick.as_ref().map(|(t, _)| *t),
        next_run_vendors: tick.as_ref().map(|(_, v)| v.iter().map(|v| v.id.clone()).collect()).unwrap_or_default(),
        open_findings: open,
        outbox_size: pending.len(),
        outbox_oldest: pending.iter().map(|e| e.created_at).min(),
        dead_letters: store.dead_letters()?.len(),
        daemon: DaemonFile::read(&setup.config.store.path),
        runs: recent,
        unmatched_providers: claimwatch::run::provider_notes(&setup, &store)?,
    };
    let mut out = std::io::stdout().lock();
    if format == Format::Json {
        writeln!(out, "{}", serde_json::to_string(&status)?)?;
        return Ok(exit::OK);
    }
    let tz = setup.config.schedule.timezone;
    writeln!(
        out,
        "registry: {} as of {} ({} days old{}), sha256 {}",
        status.registry_path,
        status.registry_as_of,
        age,
        if status.registry_stale {
            format!(", STALE: more than {} days", setup.config.max_registry_age_days)
        } else {
            String::new()
        },
        &status.registry_sha256[..16.min(status.registry_sha256.len())]
    )?;
    for note in claimwatch::run::provider_notes(&setup, &store)? {
        writeln!(out, "registry: {note}")?;
    }
    if let Some(last) = status.runs.first() {
        for c in last.missed_canaries() {
            writeln!(out, "last run DEGRADED: canary {} missed: {}", c.name, c.detail)?;
        }
    }
    match (&status.reading_version_stored, status.reading_changed) {
        (Some(stored), false) => writeln!(out, "reading version: {stored}, as the last completed run stored")?,
        (stored, true) => writeln!(
            out,
            "reading version: {} in the config, {} in the store: the next run reads every page again",
            status.reading_version,
            stored.as_deref().unwrap_or("none")
        )?,
        (None, false) => writeln!(out, "reading version: {} (nothing read yet)", status.reading_version)?,
    }
    if !status.reading_changed && status.pages_read_otherwise > 0 {
        writeln!(
            out,
            "  {} page{} still read under an older version: read again in full on the next visit",
            status.pages_read_otherwise,
            if status.pages_read_otherwise == 1 { "" } else { "s" }
        )?;
    }
    match (&status.next_run, status.next_run_vendors.len()) {
        (Some(t), n) => writeln!(
            out,
            "next scheduled run: {} ({n} vendor{})",
            t.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z"),
            if n == 1 { "" } else { "s" }
        )?,
        (None, _) => writeln!(out, "next scheduled run: none ([schedule] cron is not set)")?,
    }
    let level = |l: &str| status.open_findings.get(l).copied().unwrap_or(0);
    writeln!(
        out,
        "open findings: {} violation{}, {} warning{}",
        level("violation"),
        if level("violation") == 1 { "" } else { "s" },
        level("warning"),
        if level("warning") == 1 { "" } else { "s" }
    )?;
    match status.outbox_oldest {
        Some(t) => writeln!(
            out,
            "outbox: {} alert{} waiting, the oldest since {}",
            status.outbox_size,
            if status.outbox_size == 1 { "" } else { "s" },
            t.format("%Y-%m-%d %H:%M UTC")
        )?,
        None => writeln!(out, "outbox: empty")?,
    }
    if status.dead_letters > 0 {
        writeln!(
            out,
            "dead letters: {} alert{} refused by the mail server (claimwatch findings lists them)",
            status.dead_letters,
            if status.dead_letters == 1 { "" } else { "s" }
        )?;
    }
    if let Some(d) = &status.daemon {
        let outcome = d.last_outcome.map_or("none yet".to_string(), |o| format!("{o:?}").to_lowercase());
        writeln!(
            out,
            "daemon (pid {}, started {}): last run {outcome}{}",
            d.pid,
            d.started.with_timezone(&tz).format("%Y-%m-%d %H:%M"),
            d.last_error.as_ref().map_or(String::new(), |e| format!(": {e}"))
        )?;
    }
    if status.runs.is_empty() {
        writeln!(out, "no run yet")?;
    } else {
        writeln!(out, "last runs:")?;
    }
    for r in &status.runs {
        let secs = (r.ended - r.started).num_milliseconds() as f64 / 1000.0;
        let vendors: Vec<String> = r
            .vendors
            .iter()
            .map(|v| format!("{} {}p/{}!", v.vendor, v.pages_fetched, v.violations + v.warnings))
            .collect();
        writeln!(
            out,
            "  {}  {secs:>7.1} s  {:<11} opened {}, resolved {}{}{}{}",
            r.started.with_timezone(&tz).format("%Y-%m-%d %H:%M"),
            format!("{:?}", r.outcome).to_lowercase(),
            r.findings_opened,
            r.findings_resolved,
            r.reread.as_ref().map_or(String::new(), |x| format!(
                ", re-read {} → {} ({} changed)",
                x.from.as_deref().unwrap_or("none"),
                x.to,
                r.findings_reread
            )),
            if vendors.is_empty() { String::new() } else { format!("  [{}]", vendors.join(", ")) },
            r.error.as_ref().map_or(String::new(), |e| format!("  error: {e}"))
        )?;
    }
    Ok(exit::OK)
}
