//! `claimwatch evidence verify` and `evidence show`: check the archive, and show a finding as the archived page said it.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::check::open_store;
use super::{exit, load};
use claimwatch::extract::extract;
use claimwatch::fetch::body;
use claimwatch::report::{Style, reveal};

pub fn verify(config: &Path) -> Result<u8> {
    let setup = load(config)?;
    let dir = &setup.config.evidence.dir;
    let v = claimwatch::evidence::verify(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}: {} log entries, {} WARC records checked", dir.display(), v.entries, v.records)?;
    if let Some(head) = &v.head {
        writeln!(out, "head: {head}")?;
    }
    for u in &v.unlogged {
        writeln!(out, "not logged: {u}")?;
    }
    if v.problems.is_empty() {
        writeln!(out, "all holds: the chain is unbroken and every record matches its digests")?;
        return Ok(exit::OK);
    }
    for p in &v.problems {
        writeln!(out, "BROKEN: {p}")?;
    }
    writeln!(out, "{} problem{} found", v.problems.len(), if v.problems.len() == 1 { "" } else { "s" })?;
    Ok(exit::FOUND)
}

pub fn show(config: &Path, id: &str, extract_to: Option<PathBuf>) -> Result<u8> {
    let setup = load(config)?;
    let store = match open_store(&setup)? {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let Some(f) = store.finding(id)? else { bail!("no finding {id}") };
    let dir = &setup.config.evidence.dir;
    let mut out = std::io::stdout().lock();
    writeln!(out, "finding {} — {} {} {} ({}): {}", f.id, f.vendor, f.label, f.kind, f.level, f.reason)?;
    let mut extracted = false;
    let mut sightings: Vec<_> = f.pages.iter().collect();
    sightings.sort_by_key(|(_, s)| std::cmp::Reverse(s.last_seen));
    for (url, s) in sightings {
        writeln!(out, "\n{url}")?;
        let Some(e) = &s.evidence else {
            writeln!(out, "  no archived copy (seen before evidence was kept)")?;
            continue;
        };
        let content = e.content();
        writeln!(out, "  fetched:  {}", e.fetched_at.format("%Y-%m-%d %H:%M:%S UTC"))?;
        writeln!(
            out,
            "  WARC:     {} at offset {} ({} bytes), record {}",
            content.file, content.offset, content.length, content.record_id
        )?;
        writeln!(out, "  body:     sha256 {}", e.body_sha256)?;
        if let Some(source) = &e.rendered_from {
            writeln!(
                out,
                "  (rendered by Chromium: the record above is the DOM it built, a conversion of the response {} at offset {} of {})",
                source.record_id, source.offset, source.file
            )?;
        }
        if e.refers_to.is_some() {
            writeln!(
                out,
                "  (not modified on this fetch: revisit {} of {} points at the content)",
                e.record.record_id, e.record.file
            )?;
        }
        let (raw, headers) = claimwatch::evidence::archived_body(dir, e)
            .with_context(|| format!("cannot read {} in {}", content.file, dir.display()))?;
        let header = |n: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)).map(|(_, v)| v.as_str());
        let decoded = body::decode(&raw, &body::codings(header("content-encoding")), 64 * 1024 * 1024).unwrap_or(raw);
        let page_url = url::Url::parse(url).ok();
        let page =
            if claimwatch::pipeline::document::is_pdf_document(header("content-type"), page_url.as_ref(), &decoded) {
                match claimwatch::pipeline::document::read_pdf(&decoded) {
                    Ok(page) => page,
                    Err(why) => {
                        writeln!(out, "  the archived PDF cannot be read again: {why}")?;
                        continue;
                    }
                }
            } else {
                extract(&decoded, header("content-type"))
            };
        let read = claimwatch::scan::scan_page(
            page,
            &setup.knowledge(),
            setup.config.vendor(&f.vendor),
            page_url.as_ref(),
            f.last_seen.date_naive(),
        );
        let same: Vec<_> =
            read.claims.iter().map(|c| &c.claim).filter(|c| c.label == f.label && c.kind == f.kind).collect();
        if same.is_empty() {
            writeln!(out, "  the archived page no longer shows this claim with the current patterns")?;
        }
        for c in same {
            writeln!(
                out,
                "  said:     «\u{A0}{}\u{A0}» in {} ({})",
                reveal(&c.matched),
                c.location.as_str(),
                c.detail
            )?;
            writeln!(
                out,
                "  context:  {}",
                claimwatch::report::highlight(&c.context, &c.matched, Style { color: false })
            )?;
        }
        if let (Some(path), false) = (&extract_to, extracted) {
            std::fs::write(path, &decoded).with_context(|| format!("cannot write {}", path.display()))?;
            writeln!(out, "  archived page written to {}", path.display())?;
            extracted = true;
        }
    }
    Ok(exit::OK)
}
