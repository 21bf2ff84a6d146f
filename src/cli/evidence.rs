//! `claimwatch evidence verify` and `evidence show`: check the archive, and show a finding as the archived page said it.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::check::open_store;
use super::{exit, load};
use claimwatch::report::sightings::{self, Reading};
use claimwatch::report::{Style, highlight, reveal};

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
    // The finding is all this needs of the store: let it go before reading the archive.
    drop(store);
    let dir = &setup.config.evidence.dir;
    let mut out = std::io::stdout().lock();
    writeln!(out, "finding {} — {} {} {} ({}): {}", f.id, f.vendor, f.label, f.kind, f.level, f.reason)?;
    let mut extracted = false;
    for (url, _) in sightings::pages_newest_first(&f) {
        writeln!(out, "\n{url}")?;
        let wants_body = extract_to.is_some() && !extracted;
        let Some(view) = sightings::reread(&setup, &f, url, wants_body) else { continue };
        let Some(e) = &view.evidence else {
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
        match &view.reading {
            Some(Reading::ArchiveUnreadable(why)) => {
                return Err(anyhow::anyhow!("{why}").context(format!(
                    "cannot read {} in {}",
                    content.file,
                    dir.display()
                )));
            }
            Some(Reading::PdfUnreadable(why)) => writeln!(out, "  the archived PDF cannot be read again: {why}")?,
            Some(Reading::Read(said)) if said.is_empty() => {
                writeln!(out, "  the archived page no longer shows this claim with the current patterns")?
            }
            Some(Reading::Read(said)) => {
                for c in said {
                    writeln!(
                        out,
                        "  said:     «\u{A0}{}\u{A0}» in {} ({})",
                        reveal(&c.matched),
                        c.location.as_str(),
                        c.detail
                    )?;
                    writeln!(out, "  context:  {}", highlight(&c.context, &c.matched, Style { color: false }))?;
                }
            }
            Some(Reading::NotArchived) | None => {}
        }
        if let (Some(path), Some(body)) = (&extract_to, &view.body) {
            std::fs::write(path, body).with_context(|| format!("cannot write {}", path.display()))?;
            writeln!(out, "  archived page written to {}", path.display())?;
            extracted = true;
        }
    }
    Ok(exit::OK)
}
