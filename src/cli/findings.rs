//! `claimwatch findings`: list findings and dead letters (text, NDJSON or CSV); `ack` and `unack` a finding.

use std::io::Write;
use std::path::Path;

use super::check::open_store;
use super::{exit, load};
use anyhow::{Result, bail};
use chrono::{NaiveDate, Utc};
use claimwatch::report::listing::{self, Which};
use claimwatch::report::reveal;
use claimwatch::store::{Ack, Finding, FindingState};
use clap::ValueEnum;

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StateFilter {
    Open,
    Resolved,
    All,
}

/// How `findings` prints its list.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    /// One JSON object a line: findings, then dead letters.
    Json,
    /// One row per finding (dead letters left out).
    Csv,
}

pub fn list(config: &Path, state: StateFilter, vendor: Option<&str>, format: ListFormat) -> Result<u8> {
    let setup = load(config)?;
    let store = match open_store(&setup)? {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let all = store.findings()?;
    let which = match state {
        StateFilter::Open => Which::Open,
        StateFilter::Resolved => Which::Resolved,
        StateFilter::All => Which::All,
    };
    let findings = listing::select(&all, which, vendor);
    let dead = store.dead_letters()?;
    let mut out = std::io::stdout().lock();
    match format {
        ListFormat::Json => out.write_all(listing::to_ndjson(&findings, &dead)?.as_bytes())?,
        ListFormat::Csv => out.write_all(listing::to_csv(&findings)?.as_bytes())?,
        ListFormat::Text => {
            for f in &findings {
                write!(out, "{}", finding_text(f))?;
            }
            if findings.is_empty() {
                writeln!(out, "no findings")?;
            }
            if !dead.is_empty() {
                writeln!(
                    out,
                    "\n{} alert{} refused by the mail server (dead letters):",
                    dead.len(),
                    if dead.len() == 1 { "" } else { "s" }
                )?;
                for d in &dead {
                    writeln!(
                        out,
                        "  to {} about finding {} on {}: {}",
                        d.entry.recipient,
                        d.entry.finding.id,
                        d.at.format("%Y-%m-%d %H:%M UTC"),
                        d.error
                    )?;
                }
            }
        }
    }
    Ok(exit::OK)
}

fn finding_text(f: &Finding) -> String {
    let state = match f.state {
        FindingState::Open => "OPEN",
        FindingState::Resolved => "RESOLVED",
    };
    let example = f.pages.values().max_by_key(|s| s.last_seen).map_or_else(|| f.quote.clone(), |s| s.matched.clone());
    let mut s = format!(
        "{}  {state:<8} {:<10} {} {} {}  «\u{A0}{}\u{A0}»\n",
        f.id,
        f.level.as_str().to_uppercase(),
        f.vendor,
        f.label,
        f.kind,
        reveal(&example)
    );
    s.push_str(&format!("    reason: {}\n", f.reason));
    s.push_str(&format!(
        "    first seen {}, last seen {}; {} page{}\n",
        f.first_seen.format("%Y-%m-%d %H:%M UTC"),
        f.last_seen.format("%Y-%m-%d %H:%M UTC"),
        f.pages.len(),
        if f.pages.len() == 1 { "" } else { "s" }
    ));
    for url in f.pages.keys().take(10) {
        s.push_str(&format!("      {url}\n"));
    }
    if f.pages.len() > 10 {
        s.push_str(&format!("      and {} more\n", f.pages.len() - 10));
    }
    if let (Some(at), Some(why)) = (f.resolved_at, &f.resolution) {
        s.push_str(&format!("    resolved {}: {why}\n", at.format("%Y-%m-%d %H:%M UTC")));
    }
    if let Some(a) = &f.ack {
        let until = a.until.map_or(String::new(), |u| format!(" until {u}"));
        s.push_str(&format!("    acknowledged by {} on {}{until}: {}\n", a.by, a.at.format("%Y-%m-%d"), a.reason));
    }
    s
}

pub fn ack(config: &Path, id: &str, reason: &str, until: Option<NaiveDate>, by: Option<String>) -> Result<u8> {
    if reason.trim().is_empty() {
        bail!("an acknowledgement needs a reason (--reason)");
    }
    let setup = load(config)?;
    let store = match open_store(&setup)? {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let by = by.or_else(|| std::env::var("USER").ok()).unwrap_or_else(|| "unknown".into());
    let ack = Ack { reason: reason.to_string(), by, at: Utc::now(), until };
    let f = store.set_ack(id, Some(ack))?;
    println!(
        "finding {} acknowledged: no further alerts{}",
        f.id,
        until.map_or(String::new(), |u| format!(" until {u}"))
    );
    Ok(exit::OK)
}

pub fn unack(config: &Path, id: &str) -> Result<u8> {
    let setup = load(config)?;
    let store = match open_store(&setup)? {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let f = store.set_ack(id, None)?;
    println!("finding {}: acknowledgement removed, alerts resume", f.id);
    Ok(exit::OK)
}
