//! What the daemon knows about itself, for /healthz, /metrics and its logs.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use super::RunDone;
use crate::store::{FindingState, RunOutcome, Store};

/// Numbers of the last run and of the store as last seen.
#[derive(Debug, Clone, Default)]
pub struct Metrics {
    pub pages_fetched: BTreeMap<String, usize>,
    pub pages_failed: BTreeMap<String, usize>,
    /// (label, kind) → claims in the last run.
    pub claims: BTreeMap<(String, String), usize>,
    /// level → open findings.
    pub open_findings: BTreeMap<String, usize>,
    pub outbox_size: usize,
    pub dead_letters: usize,
    pub runs: BTreeMap<String, u64>,
    pub skipped_ticks: u64,
    pub last_run_seconds: Option<f64>,
    /// The canaries the last run missed, with why.
    pub canaries_missed: BTreeMap<String, String>,
    /// Runs that missed a canary, since the daemon started.
    pub degraded_runs: u64,
    /// (vendor, provider) of the vendors whose provider the registry does not list.
    pub providers_unmatched: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct DaemonState {
    pub started: DateTime<Utc>,
    pub running: bool,
    pub next_run: Option<DateTime<Utc>>,
    pub last_outcome: Option<RunOutcome>,
    pub last_error: Option<String>,
    pub last_success: Option<DateTime<Utc>>,
    pub metrics: Metrics,
}

pub type SharedState = Arc<Mutex<DaemonState>>;

impl DaemonState {
    pub fn new(started: DateTime<Utc>) -> DaemonState {
        DaemonState {
            started,
            running: false,
            next_run: None,
            last_outcome: None,
            last_error: None,
            last_success: None,
            metrics: Metrics::default(),
        }
    }

    /// Healthy unless the last run failed or missed a canary.
    pub fn healthy(&self) -> bool {
        self.last_outcome != Some(RunOutcome::Failed) && self.metrics.canaries_missed.is_empty()
    }

    /// Why the daemon is not healthy, for /healthz.
    pub fn unhealthy_because(&self) -> Option<String> {
        if self.last_outcome == Some(RunOutcome::Failed) {
            return Some("last run failed".into());
        }
        let missed: Vec<String> = self.metrics.canaries_missed.iter().map(|(n, why)| format!("{n}: {why}")).collect();
        (!missed.is_empty()).then(|| format!("last run degraded: canary missed: {}", missed.join("; ")))
    }

    /// Remembers which vendors' providers the registry of `setup` does not list.
    pub fn set_setup(&mut self, setup: &crate::config::Setup) {
        self.metrics.providers_unmatched =
            setup.unmatched_providers.iter().map(|u| (u.vendor.clone(), u.provider.clone())).collect();
    }

    pub fn record(&mut self, done: &RunDone) {
        let r = &done.record;
        self.running = false;
        self.last_outcome = Some(r.outcome);
        self.last_error = r.error.clone();
        if r.outcome == RunOutcome::Completed {
            self.last_success = Some(r.ended);
        }
        if r.outcome != RunOutcome::Failed {
            self.metrics.canaries_missed = r.missed_canaries().map(|c| (c.name.clone(), c.detail.clone())).collect();
            if !self.metrics.canaries_missed.is_empty() {
                self.metrics.degraded_runs += 1;
            }
        }
        let outcome = format!("{:?}", r.outcome).to_lowercase();
        *self.metrics.runs.entry(outcome).or_default() += 1;
        self.metrics.last_run_seconds = Some((r.ended - r.started).num_milliseconds() as f64 / 1000.0);
        if let Some(output) = &done.output {
            self.metrics.pages_fetched.clear();
            self.metrics.pages_failed.clear();
            self.metrics.claims.clear();
            for v in &output.run.vendors {
                self.metrics.pages_fetched.insert(v.vendor.clone(), v.pages_fetched);
                self.metrics.pages_failed.insert(v.vendor.clone(), v.pages_failed);
            }
            self.metrics.claims = output.claims.clone();
        }
        if !done.open_findings.is_empty() || done.outbox_size > 0 || done.record.outcome != RunOutcome::Failed {
            self.metrics.open_findings = done.open_findings.clone();
            self.metrics.outbox_size = done.outbox_size;
            self.metrics.dead_letters = done.dead_letters;
        }
    }
}

/// What the daemon last said about itself, written beside the store for `status` (which can
/// read it while the daemon runs, and even when a run could not open the store).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct DaemonFile {
    pub pid: u32,
    pub started: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    pub next_run: Option<DateTime<Utc>>,
    pub last_outcome: Option<RunOutcome>,
    pub last_error: Option<String>,
    pub last_success: Option<DateTime<Utc>>,
}

impl DaemonFile {
    /// Where it lives for a store at `store`.
    pub fn path(store: &std::path::Path) -> std::path::PathBuf {
        let mut p = store.as_os_str().to_owned();
        p.push(".daemon.json");
        std::path::PathBuf::from(p)
    }

    pub fn read(store: &std::path::Path) -> Option<DaemonFile> {
        serde_json::from_slice(&std::fs::read(Self::path(store)).ok()?).ok()
    }

    /// Written whole then renamed, so a reader never sees half of it.
    pub fn write(&self, store: &std::path::Path) {
        let path = Self::path(store);
        let tmp = path.with_extension("json.tmp");
        let written = serde_json::to_vec_pretty(self)
            .map_err(std::io::Error::other)
            .and_then(|bytes| std::fs::write(&tmp, bytes))
            .and_then(|()| std::fs::rename(&tmp, &path));
        if let Err(e) = written {
            tracing::warn!("cannot write {}: {e}", path.display());
        }
    }
}

impl DaemonState {
    pub fn file(&self) -> DaemonFile {
        DaemonFile {
            pid: std::process::id(),
            started: self.started,
            updated: Utc::now(),
            next_run: self.next_run,
            last_outcome: self.last_outcome,
            last_error: self.last_error.clone(),
            last_success: self.last_success,
        }
    }
}

/// Reads the numbers that live in the store while it is open.
pub(super) fn snapshot_store(store: &Store, done: &mut RunDone) {
    if let Ok(findings) = store.findings() {
        for f in findings.iter().filter(|f| f.state == FindingState::Open) {
            *done.open_findings.entry(f.level.as_str().to_string()).or_default() += 1;
        }
    }
    done.outbox_size = store.pending().map(|p| p.len()).unwrap_or(0);
    done.dead_letters = store.dead_letters().map(|d| d.len()).unwrap_or(0);
}
