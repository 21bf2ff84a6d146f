//! `claimwatch check`: one run over the vendors with the store's memory, then the alerts.

use std::collections::{BTreeMap, HashMap};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::NaiveDate;

use super::{Format, exit, load, text_style, today, unknown_vendor};
use claimwatch::config::{Setup, Vendor};
use claimwatch::pipeline::Event;
use claimwatch::report::{ClaimRecord, SummaryRecord, vendor_text};
use claimwatch::run::{self, RunOptions};
use claimwatch::store::{Store, StoreError};

/// How long a command waits for a store held by another process.
pub const STORE_WAIT: Duration = Duration::from_secs(5);

pub struct CheckArgs {
    pub config: PathBuf,
    pub vendors: Vec<String>,
    pub at: Option<NaiveDate>,
    pub format: Format,
    pub dry_run: bool,
    pub eml_dir: Option<PathBuf>,
    pub quiet: bool,
}

/// Opens the store; `Err(code)` when it is busy (already reported on stderr).
pub fn open_store(setup: &Setup) -> Result<std::result::Result<Store, u8>> {
    match Store::open(&setup.config.store.path, STORE_WAIT) {
        Ok(s) => Ok(Ok(s)),
        Err(e @ StoreError::Busy { .. }) => {
            eprintln!("claimwatch: {e}; try again when it is done");
            Ok(Err(exit::BUSY))
        }
        Err(e) => Err(e.into()),
    }
}

/// The SMTP password, from the variable the config names (never from a file).
pub fn smtp_password(setup: &Setup) -> Option<String> {
    setup.config.smtp.as_ref()?.password_env.as_ref().and_then(|v| std::env::var(v).ok())
}

pub async fn check(args: CheckArgs) -> Result<u8> {
    let setup = Arc::new(load(&args.config)?);
    let at = today(args.at);
    let mut vendors: Vec<Vendor> = Vec::new();
    for id in &args.vendors {
        let v = setup.config.vendor(id).with_context(|| unknown_vendor(&setup, &args.config, id))?;
        // Named twice, a vendor would be crawled twice and its second update would not see
        // what the first committed.
        if !vendors.iter().any(|known| known.id == v.id) {
            vendors.push(v.clone());
        }
    }
    if args.vendors.is_empty() {
        vendors = setup.config.vendors.clone();
    }
    let store = match open_store(&setup)? {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let format = args.format;
    let style = text_style(format);
    let quiet = args.quiet;
    let progress = (format == Format::Text && !quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {elapsed} {pos} pages {msg}").expect("template"),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    });
    let stdout = Mutex::new(std::io::stdout());
    let registry = &setup.registry;
    // Each vendor's text as soon as it and every vendor before it in the config are done (not
    // the pages of the whole run at the end, nor in whatever order vendors finish); with --quiet
    // all of it waits until the run says whether anything is worth printing.
    let order: HashMap<String, usize> = vendors.iter().enumerate().map(|(i, v)| (v.id.clone(), i)).collect();
    let texts: Mutex<(usize, BTreeMap<usize, String>)> = Mutex::new((0, BTreeMap::new()));
    let on_event = |event: Event<'_>| match event {
        Event::Page { vendor, page } => {
            if format == Format::Json {
                let mut out = stdout.lock().expect("stdout lock");
                let source = page.final_url.to_string();
                for c in &page.claims {
                    let record = ClaimRecord::new(&source, Some(&vendor.id), c, at, registry);
                    let _ = writeln!(out, "{}", serde_json::to_string(&record).expect("claims serialise"));
                }
            } else if let Some(bar) = &progress {
                bar.inc(1);
                bar.set_message(format!("{} {}", vendor.id, page.url));
            } else if !quiet {
                let why = page
                    .status
                    .why_not_checked()
                    .into_iter()
                    .chain(page.notes.iter().cloned())
                    .map(|w| format!(": {w}"))
                    .collect::<String>();
                eprintln!("{} {} {}{why} ({} claims)", vendor.id, page.status.label(), page.url, page.claims.len());
            }
        }
        Event::VendorDone(report) => {
            if format == Format::Json {
                let mut out = stdout.lock().expect("stdout lock");
                let _ = writeln!(out, "{}", serde_json::to_string(&SummaryRecord::new(report)).expect("serialise"));
            } else {
                let mut texts = texts.lock().expect("texts lock");
                let (next, waiting) = &mut *texts;
                waiting.insert(order.get(&report.vendor_id).copied().unwrap_or(usize::MAX), vendor_text(report, style));
                if !quiet {
                    let mut print = || {
                        let mut out = stdout.lock().expect("stdout lock");
                        while let Some(text) = waiting.remove(next) {
                            let _ = writeln!(out, "{text}");
                            *next += 1;
                        }
                    };
                    match &progress {
                        Some(bar) => bar.suspend(print),
                        None => print(),
                    }
                }
            }
        }
    };
    let opts = RunOptions {
        at,
        vendors,
        dry_run: args.dry_run,
        eml_dir: args.eml_dir.clone(),
        smtp_password: smtp_password(&setup),
        control: claimwatch::pipeline::Control::never(),
    };
    let output = run::check(setup.clone(), &store, opts, &on_event).await?;
    if let (Some(Err(why)), Format::Json) = (&output.rendering, format) {
        eprintln!("claimwatch: rendering is on, but {why}: pages that need it were not checked");
    }
    if format == Format::Json {
        for note in output.registry_notes() {
            eprintln!("claimwatch: registry: {note}");
        }
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let failed_delivery = output.delivery.as_ref().is_some_and(|d| !d.deferred.is_empty() || !d.dead.is_empty());
    let unchecked = output.run.vendors.iter().any(|v| v.nothing_checked);
    let degraded = output.run.missed_canaries().next().is_some();
    let news = output.run.findings_opened + output.run.findings_resolved + output.run.findings_reread > 0;
    // Cron mails whatever a job prints: with --quiet, only what someone must read.
    let speak = !quiet || news || unchecked || failed_delivery || degraded;
    let mut out = std::io::stdout().lock();
    if format == Format::Text && speak {
        // With --quiet, every text; otherwise none is left (all vendors are done).
        for text in texts.lock().expect("texts lock").1.values() {
            writeln!(out, "{text}")?;
        }
        let run = &output.run;
        writeln!(
            out,
            "findings: {} opened or reopened, {} resolved this run{}",
            run.findings_opened,
            run.findings_resolved,
            if args.dry_run { " (dry run: nothing recorded)" } else { "" }
        )?;
        if let Some(x) = &run.reread {
            let plural = |n: usize| if n == 1 { "" } else { "s" };
            writeln!(
                out,
                "re-read: reading version {} → {}: {} page{} read again in full, {} finding{} changed by the new reading alone",
                x.from.as_deref().unwrap_or("(none recorded)"),
                x.to,
                x.pages,
                plural(x.pages),
                run.findings_reread,
                plural(run.findings_reread)
            )?;
        }
        for note in output.registry_notes() {
            writeln!(out, "registry: {note}")?;
        }
        for c in output.run.missed_canaries() {
            writeln!(out, "DEGRADED: canary {} missed: {}", c.name, c.detail)?;
        }
        match &output.rendering {
            Some(Ok(browser)) => writeln!(out, "rendering: {browser}")?,
            Some(Err(why)) => {
                writeln!(out, "WARNING: rendering is on, but {why}: pages that need it were not checked")?
            }
            None => {}
        }
        if run.registry_stale {
            writeln!(
                out,
                "WARNING: the registry is as of {}, more than {} days ago: update it",
                registry.as_of, setup.config.max_registry_age_days
            )?;
        }
        if let Some(d) = &output.delivery {
            for (to, n) in &d.sent {
                writeln!(out, "alert sent to {to} ({n} change{})", if *n == 1 { "" } else { "s" })?;
            }
            for (to, why) in &d.deferred {
                writeln!(out, "alert to {to} NOT sent, kept for the next run: {why}")?;
            }
            for (to, why) in &d.dead {
                writeln!(out, "alert to {to} REFUSED by the mail server, kept in the dead letters: {why}")?;
            }
        }
        for d in &output.digests {
            writeln!(out, "would send to {}: {}", d.to, d.subject)?;
        }
        for f in &output.eml_files {
            writeln!(out, "wrote {}", f.display())?;
        }
        writeln!(out, "judged as of {at} against {} (registry as of {})", registry.path.display(), registry.as_of)?;
    }
    let attention = output.run.vendors.iter().any(|v| v.violations + v.warnings > 0);
    if format == Format::Json {
        for c in output.run.missed_canaries() {
            eprintln!("claimwatch: DEGRADED: canary {} missed: {}", c.name, c.detail);
        }
    }
    Ok(if unchecked {
        exit::ERROR
    } else if degraded {
        exit::DEGRADED
    } else if attention {
        exit::FOUND
    } else {
        exit::OK
    })
}
