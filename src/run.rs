//! A full `check` run with memory: previous state from the store, the crawl, the finding lifecycle, one commit, then the outbox pass.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use url::Url;

use crate::alert::{self, Delivery, Digest, DigestContext, Mailer};
use crate::config::{Setup, Vendor};
use crate::evidence::Archive;
use crate::fetch::{FetchError, Fetcher, MemoryValidators, ValidatorCache, Validators};
use crate::findings::{self, Context};
use crate::pipeline::{self, Control, Event, RunExtras, VendorReport};
use crate::store::{FindingState, OutboxEntry, RunOutcome, RunRecord, RunWrite, Store, StoreError, VendorRun};

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error(transparent)]
    Alert(#[from] alert::AlertError),
    #[error("cannot open the evidence archive: {0}")]
    Evidence(std::io::Error),
}

pub struct RunOptions {
    pub at: NaiveDate,
    pub vendors: Vec<Vendor>,
    /// Do everything but commit and send; digests are returned (and written as .eml if asked).
    pub dry_run: bool,
    pub eml_dir: Option<PathBuf>,
    /// The SMTP password, read from the environment by the caller.
    pub smtp_password: Option<String>,
    /// Lets the daemon stop the run on SIGTERM.
    pub control: Control,
}

pub struct RunOutput {
    pub reports: Vec<VendorReport>,
    /// Claims on the pages checked this run (fetched, or not modified and still known), by
    /// (label, kind).
    pub claims: std::collections::BTreeMap<(String, String), usize>,
    pub run: RunRecord,
    /// Entries this run recorded (with their store ids, unless dry run).
    pub recorded: Vec<OutboxEntry>,
    pub delivery: Option<Delivery>,
    /// The digests a dry run would send.
    pub digests: Vec<Digest>,
    pub eml_files: Vec<PathBuf>,
}

/// The vendor names of the config, for digests.
pub fn vendor_names(setup: &Setup) -> HashMap<String, String> {
    setup.config.vendors.iter().map(|v| (v.id.clone(), v.name.clone())).collect()
}

/// Whether the registry snapshot is older than the configured limit on `today`.
pub fn registry_stale(setup: &Setup, today: NaiveDate) -> bool {
    (today - setup.registry.as_of).num_days() > i64::from(setup.config.max_registry_age_days)
}

/// Runs one check of `opts.vendors` with the store's memory.
pub async fn check(
    setup: Arc<Setup>,
    store: &Store,
    opts: RunOptions,
    on_event: &(dyn Fn(Event<'_>) + Send + Sync),
) -> Result<RunOutput, RunError> {
    let started: DateTime<Utc> = Utc::now();
    let run_id = format!("{}-{:08}", started.format("%Y%m%dT%H%M%S%3fZ"), store.next_id()? % 100_000_000);
    let mut previous_pages = HashMap::new();
    let mut previous_evidence = HashMap::new();
    let validators = Arc::new(MemoryValidators::default());
    let all_findings = store.findings()?;
    let mut must_fetch: HashMap<String, Vec<Url>> = HashMap::new();
    for v in &opts.vendors {
        let pages = store.pages_of(&v.id)?;
        for p in &pages {
            if let Some(e) = &p.evidence {
                previous_evidence.insert(p.url.clone(), e.clone());
            }
            // Validators only where the claims of that content are kept, so a 304 loses nothing.
            if p.etag.is_some() || p.last_modified.is_some() {
                validators.put(&p.url, Validators { etag: p.etag.clone(), last_modified: p.last_modified.clone() });
            }
        }
        previous_pages.insert(v.id.clone(), pages);
        let open_pages = all_findings
            .iter()
            .filter(|f| f.vendor == v.id && f.state == FindingState::Open)
            .flat_map(|f| f.pages.keys())
            .filter_map(|u| Url::parse(u).ok())
            .collect();
        must_fetch.insert(v.id.clone(), open_pages);
    }
    let fetcher = Arc::new(Fetcher::new(&setup.config.crawl, validators)?);
    // A dry run records nothing, evidence included.
    let archive = if opts.dry_run {
        None
    } else {
        Some(Arc::new(Archive::open(&setup.config.evidence.dir, &run_id).map_err(RunError::Evidence)?))
    };
    let extras = RunExtras {
        must_fetch,
        control: opts.control.clone(),
        archive: archive.clone(),
        archive_all: setup.config.evidence.archive_all,
        previous_evidence: Arc::new(previous_evidence),
    };
    let reports = pipeline::run_with(setup.clone(), fetcher, &opts.vendors, &extras, opts.at, on_event).await;
    let interrupted = opts.control.stop_deadline().is_some();

    let now = Utc::now();
    let ctx = Context { registry: &setup.registry, at: opts.at, now, recipients: &setup.config.recipients };
    let mut write = RunWrite::default();
    let (mut opened, mut resolved) = (0, 0);
    let mut claims = std::collections::BTreeMap::new();
    let mut vendor_runs = Vec::new();
    for (vendor, report) in opts.vendors.iter().zip(&reports) {
        let pages = previous_pages.remove(&vendor.id).unwrap_or_default();
        let findings_of: Vec<_> = all_findings.iter().filter(|f| f.vendor == vendor.id).cloned().collect();
        let update = findings::update_vendor(vendor, report, pages, findings_of, &ctx);
        for c in update.pages.iter().flat_map(|p| &p.claims) {
            *claims.entry((c.label.clone(), c.kind.to_string())).or_default() += 1;
        }
        opened += update.opened;
        resolved += update.resolved;
        write.pages.extend(update.pages);
        write.findings.extend(update.findings);
        write.outbox.extend(update.outbox);
        let s = report.summary();
        vendor_runs.push(VendorRun {
            vendor: vendor.id.clone(),
            pages_fetched: s.pages_fetched + s.pages_not_modified,
            pages_not_checked: s.pages_failed + s.pages_skipped + s.pages_needing_javascript,
            claims: s.claims.values().sum(),
            warnings: s.warnings,
            violations: s.violations,
            nothing_checked: report.nothing_checked(),
        });
    }
    let run = RunRecord {
        id: run_id,
        started,
        ended: Utc::now(),
        at: opts.at,
        outcome: if interrupted { RunOutcome::Interrupted } else { RunOutcome::Completed },
        vendors: vendor_runs,
        registry_sha256: setup.registry.sha256.clone(),
        registry_as_of: setup.registry.as_of,
        registry_stale: registry_stale(&setup, opts.at),
        findings_opened: opened,
        findings_resolved: resolved,
        error: None,
    };
    write.run = Some(run.clone());

    let names = vendor_names(&setup);
    let from = setup.config.smtp.as_ref().map_or("claimwatch@localhost", |s| s.from.as_str()).to_string();
    let head = archive.as_ref().map(|a| a.head()).or_else(|| crate::evidence::head(&setup.config.evidence.dir));
    let digest_ctx = DigestContext {
        vendor_names: &names,
        from: &from,
        today: opts.at,
        max_registry_age_days: setup.config.max_registry_age_days,
        evidence_head: head.as_deref(),
    };

    if opts.dry_run {
        // Nothing is written: the digests are what would go out now, pending entries included.
        let mut pending = store.pending()?;
        pending.extend(write.outbox.iter().enumerate().map(|(i, e)| {
            let mut e = e.clone();
            e.id = format!("dry-run-{i:06}");
            e
        }));
        let digests: Vec<Digest> = alert::by_recipient(pending)
            .into_iter()
            .map(|(to, entries)| alert::digest(&to, entries[0].lang, &entries, &digest_ctx))
            .collect();
        let mut eml_files = Vec::new();
        if let Some(dir) = &opts.eml_dir {
            let from: lettre::message::Mailbox = from.parse().map_err(|_| alert::AlertError::Address(from.clone()))?;
            eml_files = alert::write_eml(dir, &from, &digests)?;
        }
        return Ok(RunOutput { reports, claims, run, recorded: write.outbox, delivery: None, digests, eml_files });
    }

    crate::failpoint::hit("before-commit");
    let recorded = store.commit(&write)?;
    crate::failpoint::hit("after-commit");
    let delivery = match &setup.config.smtp {
        Some(smtp) if !store.pending()?.is_empty() => {
            let mailer = Mailer::new(smtp, opts.smtp_password.clone())?;
            Some(alert::deliver(store, &mailer, &digest_ctx).await?)
        }
        _ => None,
    };
    Ok(RunOutput { reports, claims, run, recorded, delivery, digests: Vec::new(), eml_files: Vec::new() })
}

/// One outbox pass on its own (the daemon retries between runs; `check` does it after a run).
pub async fn deliver_pending(
    setup: &Setup,
    store: &Store,
    password: Option<String>,
    today: NaiveDate,
) -> Result<Option<Delivery>, RunError> {
    let Some(smtp) = &setup.config.smtp else { return Ok(None) };
    if store.pending()?.is_empty() {
        return Ok(None);
    }
    let names = vendor_names(setup);
    let head = crate::evidence::head(&setup.config.evidence.dir);
    let ctx = DigestContext {
        vendor_names: &names,
        from: &smtp.from,
        today,
        max_registry_age_days: setup.config.max_registry_age_days,
        evidence_head: head.as_deref(),
    };
    let mailer = Mailer::new(smtp, password)?;
    Ok(Some(alert::deliver(store, &mailer, &ctx).await?))
}
