//! A full `check` run with memory: previous state from the store, the crawl, each vendor's finding lifecycle committed as it ends, the run record, then the outbox pass.
//!
//! A page whose stored claims were read with another reading version (other pattern files,
//! gazetteer or detector) is fetched without validators, so a 304 cannot keep claims the current
//! rules would not give; a completed run records its reading version with its run record.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use url::Url;

use crate::alert::{self, Delivery, Digest, DigestContext, Mailer};
use crate::config::{Setup, Vendor};
use crate::evidence::Archive;
use crate::fetch::{FetchError, Fetcher, MemoryValidators, ValidatorCache, Validators};
use crate::findings::{self, Context};
use crate::pipeline::{self, Control, Event, Memory, Recalled, Rendering, RunExtras, VendorReport};
use crate::store::{
    Change, Finding, FindingState, OutboxEntry, ReadingMeta, Reread, RunOutcome, RunRecord, RunWrite, Store,
    StoreError, VendorRun,
};

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
    /// Claims on the pages checked this run (fetched, or not modified and still known), by
    /// (label, kind).
    pub claims: BTreeMap<(String, String), usize>,
    /// The run, with each vendor's counts in the order of the vendors given.
    pub run: RunRecord,
    pub delivery: Option<Delivery>,
    /// The digests a dry run would send.
    pub digests: Vec<Digest>,
    pub eml_files: Vec<PathBuf>,
    /// Rendering this run: the browser used, or why it could not start (`None`: off).
    pub rendering: Option<Result<String, String>>,
}

impl RunOutput {
    /// What the registry no longer says, or never said, of the vendors' providers.
    pub fn registry_notes(&self) -> &[String] {
        &self.run.registry_notes
    }
}

/// The vendor names of the config, for digests.
pub fn vendor_names(setup: &Setup) -> HashMap<String, String> {
    setup.config.vendors.iter().map(|v| (v.id.clone(), v.name.clone())).collect()
}

/// The reading version the store holds, and whether `current` differs from it so that the next
/// run reads every page again. A store with pages but no version predates versions: its claims
/// were read by older rules.
pub fn reading_change(store: &Store, current: &str) -> Result<(Option<String>, bool), StoreError> {
    let stored = store.reading()?.map(|m| m.version);
    let changed = stored.as_deref() != Some(current) && (stored.is_some() || store.has_pages()?);
    Ok((stored, changed))
}

/// Whether the registry snapshot is older than the configured limit on `today`.
pub fn registry_stale(setup: &Setup, today: NaiveDate) -> bool {
    (today - setup.registry.as_of).num_days() > i64::from(setup.config.max_registry_age_days)
}

/// What a run keeps of each vendor once its changes are committed: counts, not pages.
#[derive(Default)]
struct Tally {
    opened: usize,
    resolved: usize,
    reread: usize,
    pages_reread: usize,
    claims: BTreeMap<(String, String), usize>,
    /// In the order of the vendors given.
    vendors: Vec<Option<VendorRun>>,
    /// The entries a dry run would have recorded.
    outbox: Vec<OutboxEntry>,
}

/// What the store knows of one vendor's findings, indexed at the start of a run.
#[derive(Default)]
struct Known {
    findings: Vec<String>,
    /// The pages of its open findings: fetched whatever the budgets.
    must_fetch: Vec<Url>,
}

/// The store as a run's memory: each vendor's earlier state read as its crawl starts, and its
/// new state committed as soon as it is over.
struct StoreMemory<'a> {
    setup: &'a Setup,
    store: &'a Store,
    opts: &'a RunOptions,
    validators: &'a MemoryValidators,
    known: HashMap<String, Known>,
    /// The reading version of this run.
    reading: String,
    tally: Tally,
}

impl Memory for StoreMemory<'_> {
    type Error = RunError;

    fn recall(&mut self, i: usize) -> Result<Recalled, RunError> {
        let vendor = &self.opts.vendors[i];
        let mut recalled = Recalled {
            must_fetch: self.known.get_mut(&vendor.id).map(|k| std::mem::take(&mut k.must_fetch)).unwrap_or_default(),
            ..Recalled::default()
        };
        for p in self.store.pages_of(&vendor.id)? {
            // Validators only where the claims of that content are kept and were read by the
            // current rules, so a 304 loses nothing and keeps no outdated reading.
            let read_now = p.reading.as_deref() == Some(self.reading.as_str());
            if read_now && (p.etag.is_some() || p.last_modified.is_some()) {
                self.validators.put(&p.url, Validators { etag: p.etag, last_modified: p.last_modified });
            }
            if let Some(e) = p.evidence {
                recalled.previous_evidence.insert(p.url, e);
            }
        }
        Ok(recalled)
    }

    fn done(&mut self, i: usize, report: VendorReport) -> Result<(), RunError> {
        let vendor = &self.opts.vendors[i];
        let setup = self.setup;
        let ctx = Context {
            registry: &setup.registry,
            gazetteer: &setup.gazetteer,
            at: self.opts.at,
            now: Utc::now(),
            recipients: &setup.config.recipients,
            reading: &self.reading,
        };
        let pages = self.store.pages_of(&vendor.id)?;
        for p in &pages {
            self.validators.forget(&p.url);
        }
        let mut findings = Vec::new();
        for id in self.known.remove(&vendor.id).unwrap_or_default().findings {
            findings.extend(self.store.finding(&id)?);
        }
        let update = findings::update_vendor(vendor, &report, pages, findings, &ctx);
        for p in &update.pages {
            self.validators.forget(&p.url);
        }
        let tally = &mut self.tally;
        for c in update.pages.iter().flat_map(|p| &p.claims) {
            *tally.claims.entry((c.label.clone(), c.kind.to_string())).or_default() += 1;
        }
        tally.opened += update.opened;
        tally.resolved += update.resolved;
        tally.reread += update.reread;
        tally.pages_reread += update.pages_reread;
        let s = report.summary();
        tally.vendors[i] = Some(VendorRun {
            vendor: vendor.id.clone(),
            pages_fetched: s.pages_fetched + s.pages_not_modified,
            pages_not_checked: s.pages_failed + s.pages_skipped + s.pages_needing_javascript + s.pages_not_rendered,
            pages_failed: s.pages_failed,
            claims: s.claims.values().sum(),
            warnings: s.warnings,
            violations: s.violations,
            nothing_checked: report.nothing_checked(),
        });
        let write = RunWrite {
            pages: update.pages,
            findings: update.findings,
            outbox: update.outbox,
            run: None,
            reading: None,
        };
        if self.opts.dry_run {
            tally.outbox.extend(write.outbox);
        } else {
            self.store.commit(&write)?;
        }
        Ok(())
    }
}

/// The setup this run judges with: its registry knows which vendors' providers earlier runs
/// matched and it no longer lists (judged as holding nothing), and the store learns which it
/// matches now. Returns the run's notes on providers the registry no longer, or never, listed.
fn providers_this_run(
    setup: Arc<Setup>,
    store: &Store,
    opts: &RunOptions,
) -> Result<(Arc<Setup>, Vec<String>), RunError> {
    let registry = &setup.registry;
    let remembered = store.matched_providers()?;
    let mut matched = Vec::new();
    let mut departed = std::collections::BTreeMap::new();
    let mut notes = Vec::new();
    for vendor in &opts.vendors {
        let Some(p) = vendor.provider_ref() else { continue };
        let key = crate::registry::provider_key(&p.name);
        if let Some(entry) = registry.entries_of(&p).next() {
            let as_of = registry.file_for(&entry.scheme).map_or(registry.as_of, |f| f.as_of);
            let seen = crate::registry::Departed { name: entry.provider.clone(), last_as_of: as_of, announced: false };
            matched.push((key, seen));
        } else if let Some(seen) = remembered.get(&key) {
            // Said once, by the run that first finds it gone; `status` says it while it lasts.
            if !seen.announced {
                notes.push(departed_note(&vendor.id, seen));
                matched.push((key.clone(), crate::registry::Departed { announced: true, ..seen.clone() }));
            }
            departed.insert(key, seen.clone());
        } else if let Some(u) = setup.unmatched_providers.iter().find(|u| u.vendor == vendor.id) {
            notes.push(format!("{}: its claims are unverified", u.warning()));
        }
    }
    if !opts.dry_run {
        store.remember_providers(&matched)?;
    }
    if departed.is_empty() {
        return Ok((setup, notes));
    }
    let mut changed = (*setup).clone();
    changed.registry = changed.registry.with_departed(departed);
    Ok((Arc::new(changed), notes))
}

fn departed_note(vendor: &str, seen: &crate::registry::Departed) -> String {
    format!(
        "vendor `{vendor}`: {} is no longer in the registry (last seen in the registry as of {}): judged as holding nothing",
        seen.name, seen.last_as_of
    )
}

/// What the registry no longer says, or never said, of the configured vendors' providers, as
/// it stands now (for `status`).
pub fn provider_notes(setup: &Setup, store: &Store) -> Result<Vec<String>, StoreError> {
    let remembered = store.matched_providers()?;
    let mut notes = Vec::new();
    for u in &setup.unmatched_providers {
        match remembered.get(&crate::registry::provider_key(&u.provider)) {
            Some(seen) => notes.push(departed_note(&u.vendor, seen)),
            None => notes.push(format!("WARNING: {}: its claims are unverified", u.warning())),
        }
    }
    Ok(notes)
}

/// The outbox entries for operator recipients when a canary starts failing or is seen again
/// (once per change, not once per run while it lasts), and the canaries failing now.
#[allow(clippy::type_complexity)]
fn canary_alerts(
    store: &Store,
    setup: &Setup,
    canaries: &[crate::canary::CanaryResult],
) -> Result<(Vec<OutboxEntry>, std::collections::BTreeMap<String, DateTime<Utc>>), RunError> {
    let before = store.failing_canaries()?;
    let now = Utc::now();
    let mut failing = std::collections::BTreeMap::new();
    let mut changes = Vec::new();
    for c in canaries {
        match (c.ok, before.get(&c.name)) {
            (false, Some(since)) => {
                failing.insert(c.name.clone(), *since);
            }
            (false, None) => {
                failing.insert(c.name.clone(), now);
                changes.push((c, true));
            }
            (true, Some(_)) => changes.push((c, false)),
            (true, None) => {}
        }
    }
    let mut outbox = Vec::new();
    for (c, failing) in changes {
        for r in setup.config.recipients.iter().filter(|r| r.operator) {
            outbox.push(OutboxEntry {
                id: String::new(),
                recipient: r.email.clone(),
                lang: r.lang,
                change: Change::Canary { failing, detail: c.detail.clone() },
                finding: canary_finding(c, setup, now),
                created_at: now,
                registry_as_of: setup.registry.as_of,
            });
        }
    }
    Ok((outbox, failing))
}

/// What a canary entry carries in place of a finding: the canary's name, never stored as one.
fn canary_finding(c: &crate::canary::CanaryResult, setup: &Setup, now: DateTime<Utc>) -> Finding {
    Finding {
        id: format!("canary-{}", c.name),
        vendor: "claimwatch".into(),
        label: c.name.clone(),
        scheme: String::new(),
        kind: crate::patterns::ClaimKind::Assertion,
        quote: String::new(),
        state: if c.ok { FindingState::Resolved } else { FindingState::Open },
        level: crate::judge::Level::Warning,
        reason: c.detail.clone(),
        reason_fr: String::new(),
        first_seen: now,
        last_seen: now,
        resolved_at: None,
        resolution: None,
        resolution_fr: None,
        reopened: 0,
        absent_runs: 0,
        pages: Default::default(),
        registry_sha256: setup.registry.sha256.clone(),
        registry_as_of: setup.registry.as_of,
        ack: None,
        dossiers: Vec::new(),
    }
}

/// Runs one check of `opts.vendors` with the store's memory.
///
/// Each vendor's earlier pages are read as its crawl starts, and its page states, finding
/// changes and outbox entries are committed in one transaction as soon as its crawl is over, so
/// a run holds the vendors in flight, not the whole run; the run record comes last. A crash
/// loses nothing: a vendor whose changes were not committed is simply checked again next run.
pub async fn check(
    setup: Arc<Setup>,
    store: &Store,
    opts: RunOptions,
    on_event: &(dyn Fn(Event<'_>) + Send + Sync),
) -> Result<RunOutput, RunError> {
    let started: DateTime<Utc> = Utc::now();
    let run_id = format!("{}-{:08}", started.format("%Y%m%dT%H%M%S%3fZ"), store.next_id()? % 100_000_000);
    let reading = setup.reading_version();
    let (stored_reading, reading_changed) = reading_change(store, &reading)?;
    let mut known: HashMap<String, Known> = HashMap::new();
    for f in store.each_finding() {
        let f = f?;
        let k = known.entry(f.vendor.clone()).or_default();
        if f.state == FindingState::Open {
            k.must_fetch.extend(f.pages.keys().filter_map(|u| Url::parse(u).ok()));
        }
        k.findings.push(f.id);
    }
    let (setup, registry_notes) = providers_this_run(setup, store, &opts)?;
    let validators = Arc::new(MemoryValidators::default());
    let fetcher = Arc::new(Fetcher::new(&setup.config.crawl, validators.clone())?);
    // A dry run records nothing, evidence included.
    let archive = if opts.dry_run {
        None
    } else {
        Some(Arc::new(Archive::open(&setup.config.evidence.dir, &run_id).map_err(RunError::Evidence)?))
    };
    let rendering = Rendering::for_run(&setup, &opts.vendors, &fetcher).await;
    let rendering_said = match &rendering {
        Rendering::Off => None,
        Rendering::On(r) => Some(Ok(r.product().to_string())),
        Rendering::Unavailable(why) => Some(Err(why.clone())),
    };
    let extras = RunExtras {
        control: opts.control.clone(),
        archive: archive.clone(),
        archive_all: setup.config.evidence.archive_all,
        rendering: rendering.clone(),
    };
    let mut memory = StoreMemory {
        setup: &setup,
        store,
        opts: &opts,
        validators: &validators,
        known,
        reading: reading.clone(),
        tally: Tally { vendors: opts.vendors.iter().map(|_| None).collect(), ..Tally::default() },
    };
    let ran =
        pipeline::run_with(setup.clone(), fetcher.clone(), &opts.vendors, &extras, &mut memory, opts.at, on_event)
            .await;
    rendering.close().await;
    ran?;
    // The run proves it could have seen a claim (dry runs too); canary claims are never findings.
    let mut canaries = crate::canary::builtin(&setup, opts.at);
    if let Some(c) = &setup.config.canary {
        canaries.push(crate::canary::network(&setup, &fetcher, c, opts.at).await);
    }
    let tally = memory.tally;
    let interrupted = opts.control.stop_deadline().is_some();
    // Pages left with an older reading by an earlier run (another vendor's turn, a budget) are
    // read again even when the stored version is already the current one.
    let reread = (reading_changed || tally.pages_reread > 0).then(|| Reread {
        from: stored_reading,
        to: reading.clone(),
        pages: tally.pages_reread,
    });

    let run = RunRecord {
        id: run_id,
        started,
        ended: Utc::now(),
        at: opts.at,
        outcome: if interrupted { RunOutcome::Interrupted } else { RunOutcome::Completed },
        vendors: tally.vendors.into_iter().map(|v| v.expect("every vendor done")).collect(),
        registry_sha256: setup.registry.sha256.clone(),
        registry_as_of: setup.registry.as_of,
        registry_stale: registry_stale(&setup, opts.at),
        findings_opened: tally.opened,
        findings_resolved: tally.resolved,
        error: None,
        reading_version: Some(reading.clone()),
        reread,
        findings_reread: tally.reread,
        registry_notes: registry_notes.clone(),
        canaries: canaries.clone(),
    };
    let (canary_outbox, failing_now) = canary_alerts(store, &setup, &canaries)?;

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
        pending.extend(tally.outbox.into_iter().chain(canary_outbox).enumerate().map(|(i, mut e)| {
            e.id = format!("dry-run-{i:06}");
            e
        }));
        let mut digests: Vec<Digest> = Vec::new();
        for (to, entries) in alert::by_recipient(pending) {
            let mut d = alert::digest(&to, entries[0].lang, &entries, &digest_ctx);
            if opts.eml_dir.is_some() {
                // What would be attached, written with the messages (and stamped nowhere).
                crate::dossier::attach::attach(&setup, None, &mut d, &entries, entries[0].lang, run.ended).await;
            }
            digests.push(d);
        }
        let mut eml_files = Vec::new();
        if let Some(dir) = &opts.eml_dir {
            let from: lettre::message::Mailbox = from.parse().map_err(|_| alert::AlertError::Address(from.clone()))?;
            eml_files = alert::write_eml(dir, &from, &digests)?;
        }
        return Ok(RunOutput {
            claims: tally.claims,
            run,
            delivery: None,
            digests,
            eml_files,
            rendering: rendering_said,
        });
    }

    crate::failpoint::hit("before-run-record");
    // Only a completed run vouches for the version; after an interruption the pages it did not
    // reach still carry their old reading, and the next run says it is a re-read again.
    let meta = (run.outcome == RunOutcome::Completed).then(|| ReadingMeta {
        version: reading.clone(),
        run: run.id.clone(),
        at: run.ended,
    });
    store.commit(&RunWrite { run: Some(run.clone()), reading: meta, outbox: canary_outbox, ..RunWrite::default() })?;
    // After the entries that tell of it are committed: a crash in between tells it twice, never
    // not at all.
    store.set_failing_canaries(&failing_now)?;
    crate::failpoint::hit("after-commit");
    let delivery = match &setup.config.smtp {
        Some(smtp) if !store.pending()?.is_empty() => {
            let mailer = Mailer::new(smtp, opts.smtp_password.clone())?;
            Some(alert::deliver(store, &mailer, &digest_ctx, Some(&setup)).await?)
        }
        _ => None,
    };
    Ok(RunOutput {
        claims: tally.claims,
        run,
        delivery,
        digests: Vec::new(),
        eml_files: Vec::new(),
        rendering: rendering_said,
    })
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
    Ok(Some(alert::deliver(store, &mailer, &ctx, Some(setup)).await?))
}
