//! `claimwatch scan-warc`: web archives (local or over HTTP, gzip per record or plain) read as streams, each response through the prefilter and claimwatch's reading; NDJSON (or text) claims that point back at their records, then a summary.

use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::NaiveDate;

use super::{Format, exit, load};
use claimwatch::prefilter::Prefilter;
use claimwatch::warcscan::reader::WarcReader;
use claimwatch::warcscan::scan::{Outcome, Pointer, ScanContext, Summary, read_record};
use claimwatch::warcscan::source::{Source, open};

/// A decoded body is not read past this (Common Crawl truncates at 1 MiB anyway).
const MAX_BODY: u64 = 32 * 1024 * 1024;

pub struct ScanWarcArgs {
    pub config: PathBuf,
    pub at: Option<NaiveDate>,
    pub format: Format,
    pub paths_from: Option<String>,
    pub sources: Vec<String>,
}

pub async fn scan_warc(args: ScanWarcArgs) -> Result<u8> {
    tokio::task::spawn_blocking(move || run(&args)).await.context("the scan stopped")?
}

fn run(args: &ScanWarcArgs) -> Result<u8> {
    let setup = load(&args.config)?;
    let mut sources = args.sources.clone();
    if let Some(list) = &args.paths_from {
        sources.extend(read_list(list)?);
    }
    if sources.is_empty() {
        anyhow::bail!("no WARC file given: name files or URLs, or --paths-from FILE (- for standard input)");
    }
    let prefilter = Prefilter::new(&setup.patterns);
    let ctx = ScanContext { setup: &setup, prefilter: &prefilter, at: args.at, max_body: MAX_BODY };
    let agent = setup.config.crawl.user_agent.clone();
    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut summary = Summary::new();
    for given in &sources {
        let source = Source::parse(given);
        let name = source.name();
        summary.files += 1;
        let input = match open(&source, &agent) {
            Ok(i) => i,
            Err(why) => {
                summary.files_failed += 1;
                summary.errors += 1;
                error(&mut out, args.format, given, None, &format!("cannot open: {why}"))?;
                continue;
            }
        };
        let reader = WarcReader::new(std::io::BufReader::with_capacity(1 << 20, input));
        for item in reader {
            let rec = match item {
                Ok(r) => r,
                Err(e) => {
                    summary.records += 1;
                    summary.errors += 1;
                    error(&mut out, args.format, given, Some(e.offset), &e.what)?;
                    continue;
                }
            };
            summary.bytes += rec.block.len() as u64;
            let at = Pointer { file: &name, source: given, offset: rec.offset, length: rec.length };
            let outcome = read_record(&ctx, &at, &rec);
            summary.add(&outcome);
            match &outcome {
                Outcome::Read { claims, .. } => {
                    for c in claims {
                        match args.format {
                            Format::Json => writeln!(out, "{}", serde_json::to_string(c)?)?,
                            Format::Text => writeln!(
                                out,
                                "{:<10} {} {} «\u{a0}{}\u{a0}» {} [{}{}] ({} @{} +{})",
                                c.level.as_str().to_uppercase(),
                                c.label,
                                c.kind.as_str(),
                                c.matched,
                                c.url,
                                c.vendor.as_deref().or(c.provider.as_deref()).unwrap_or("unlisted"),
                                if c.truncated { ", truncated" } else { "" },
                                c.warc_file,
                                c.warc_offset,
                                c.warc_length
                            )?,
                        }
                    }
                }
                Outcome::Broken(why) => error(&mut out, args.format, given, Some(rec.offset), why)?,
                _ => {}
            }
        }
    }
    match args.format {
        Format::Json => writeln!(out, "{}", serde_json::to_string(&summary)?)?,
        Format::Text => writeln!(
            out,
            "{} file(s), {} record(s), {} response(s): {} HTML parsed, {} PDF read, {} left out by the prefilter; {} claim(s); {} error(s)",
            summary.files,
            summary.records,
            summary.responses,
            summary.html_parsed,
            summary.pdf_read,
            summary.prefilter_skipped,
            summary.claims.values().sum::<u64>(),
            summary.errors
        )?,
    }
    out.flush()?;
    Ok(if summary.errors > 0 {
        exit::ERROR
    } else if summary.attention() {
        exit::FOUND
    } else {
        exit::OK
    })
}

/// The paths or URLs of a list file (`-`: standard input), one a line; blank lines and `#`
/// comments are left out.
fn read_list(list: &str) -> Result<Vec<String>> {
    let lines: Vec<String> = if list == "-" {
        std::io::stdin().lock().lines().collect::<std::io::Result<_>>()?
    } else {
        let path = Path::new(list);
        std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?
            .lines()
            .map(str::to_string)
            .collect()
    };
    Ok(lines.into_iter().map(|l| l.trim().to_string()).filter(|l| !l.is_empty() && !l.starts_with('#')).collect())
}

fn error(out: &mut impl Write, format: Format, source: &str, offset: Option<u64>, why: &str) -> Result<()> {
    match format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::json!({ "type": "error", "warc_source": source, "warc_offset": offset, "error": why })
        )?,
        Format::Text => match offset {
            Some(o) => writeln!(out, "ERROR      {source} @{o}: {why}")?,
            None => writeln!(out, "ERROR      {source}: {why}")?,
        },
    }
    Ok(())
}
