//! Evidence of what was seen: WARC archives of the pages that carry claims, a tamper-evident log of every archived record, and its verification.
//!
//! A run writes one `.warc.gz` file under `[evidence] dir` (request and response records, each
//! compressed on its own) and appends one log entry per archived page; each entry's hash covers
//! the previous entry's hash and the WARC record digests. Alerts carry the log's head hash, so a
//! later rewrite of the log cannot go unnoticed by their recipients.

mod log;
pub mod warc;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::fetch::Exchange;
pub use log::{Entry, EvidenceLog, GENESIS};
pub use warc::RecordRef;

/// The content type of a rendered page's `conversion` record.
pub const CONVERSION_TYPE: &str = "text/html; charset=utf-8";

/// Where the archived copy of a page fetch is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceRef {
    /// The response record, or the revisit record of a 304.
    pub record: RecordRef,
    /// For a revisit: the response that holds the content.
    pub refers_to: Option<RecordRef>,
    /// SHA-256 of the body as received, hex.
    pub body_sha256: String,
    pub fetched_at: DateTime<Utc>,
    /// Position in the evidence log.
    pub log_seq: u64,
    /// For a rendered page (its record is the `conversion` of its DOM): the response record
    /// of the document the browser was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rendered_from: Option<RecordRef>,
}

impl EvidenceRef {
    /// The record that holds the page content.
    pub fn content(&self) -> &RecordRef {
        self.refers_to.as_ref().unwrap_or(&self.record)
    }
}

struct Open {
    writer: Option<warc::WarcWriter>,
    log: EvidenceLog,
}

/// The archive of one run.
pub struct Archive {
    dir: PathBuf,
    run: String,
    software: String,
    open: Mutex<Open>,
}

fn to_warc(ex: &Exchange) -> warc::Exchange<'_> {
    warc::Exchange {
        target_uri: ex.url.as_str(),
        date: ex.fetched_at,
        ip: ex.remote_addr.map(|a| a.ip()),
        method: ex.method,
        request_headers: &ex.request_headers,
        http_version: &ex.version,
        status: ex.status,
        response_headers: &ex.headers,
        body: &ex.body,
    }
}

impl Archive {
    /// Opens the archive directory for run `run` (the WARC file is created at the first record).
    pub fn open(dir: &Path, run: &str) -> std::io::Result<Archive> {
        std::fs::create_dir_all(dir)?;
        let log = EvidenceLog::open(dir)?;
        Ok(Archive {
            dir: dir.to_path_buf(),
            run: run.to_string(),
            software: format!("claimwatch/{}", env!("CARGO_PKG_VERSION")),
            open: Mutex::new(Open { writer: None, log }),
        })
    }

    /// The head hash of the evidence log.
    pub fn head(&self) -> String {
        self.open.lock().expect("archive lock").log.head().to_string()
    }

    fn writer<'a>(&self, open: &'a mut Open) -> std::io::Result<&'a mut warc::WarcWriter> {
        if open.writer.is_none() {
            let name = format!("claimwatch-{}.warc.gz", self.run);
            let info = [
                ("operator", "claimwatch"),
                ("description", "pages that carry trust-label claims"),
                ("run", self.run.as_str()),
            ];
            open.writer = Some(warc::WarcWriter::create(&self.dir.join(name), &self.software, &info)?);
        }
        Ok(open.writer.as_mut().expect("just created"))
    }

    /// Archives a fetched page (request and response records) and logs it.
    pub fn archive(&self, ex: &Exchange) -> std::io::Result<EvidenceRef> {
        let mut open = self.open.lock().expect("archive lock");
        let (request, response) = self.writer(&mut open)?.write_exchange(&to_warc(ex))?;
        let body_sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&ex.body));
        self.log(&mut open, ex, "response", Some(request), response, None, body_sha256)
    }

    /// Archives a 304 as a revisit of the earlier response, and logs it.
    pub fn archive_revisit(
        &self,
        ex: &Exchange,
        earlier: &EvidenceRef,
        earlier_uri: &str,
    ) -> std::io::Result<EvidenceRef> {
        let content = earlier.content().clone();
        let mut open = self.open.lock().expect("archive lock");
        let record = self.writer(&mut open)?.write_revisit(&to_warc(ex), &content, earlier_uri, earlier.fetched_at)?;
        self.log(&mut open, ex, "revisit", None, record, Some(content), earlier.body_sha256.clone())
    }

    /// Archives a page's rendered DOM as a `conversion` record that refers to the page's
    /// response (`response`, archived first), and logs it. The evidence of a rendered page is
    /// this record: what was read, tied to what was fetched.
    pub fn archive_conversion(
        &self,
        ex: &Exchange,
        response: &EvidenceRef,
        dom: &[u8],
    ) -> std::io::Result<EvidenceRef> {
        let rendered_at = chrono::Utc::now();
        let mut open = self.open.lock().expect("archive lock");
        let record = self.writer(&mut open)?.write_conversion(
            ex.url.as_str(),
            rendered_at,
            &response.record,
            CONVERSION_TYPE,
            dom,
        )?;
        let body_sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(dom));
        let converted = Exchange { fetched_at: rendered_at, ..ex.clone() };
        let mut logged =
            self.log(&mut open, &converted, "conversion", None, record, Some(response.record.clone()), body_sha256)?;
        // The content is the record itself; the response it came from is named apart.
        logged.refers_to = None;
        logged.rendered_from = Some(response.record.clone());
        Ok(logged)
    }

    /// Appends the log entry of records just written, and says where they are.
    #[allow(clippy::too_many_arguments)]
    fn log(
        &self,
        open: &mut Open,
        ex: &Exchange,
        kind: &str,
        request: Option<RecordRef>,
        record: RecordRef,
        refers_to: Option<RecordRef>,
        body_sha256: String,
    ) -> std::io::Result<EvidenceRef> {
        crate::failpoint::hit("evidence-unlogged");
        let entry = open.log.append(Entry {
            seq: 0,
            prev: String::new(),
            run: self.run.clone(),
            url: ex.url.to_string(),
            fetched_at: ex.fetched_at,
            kind: kind.into(),
            request,
            record: record.clone(),
            refers_to: refers_to.clone(),
            hash: String::new(),
        })?;
        Ok(EvidenceRef {
            record,
            refers_to,
            body_sha256,
            fetched_at: ex.fetched_at,
            log_seq: entry.seq,
            rendered_from: None,
        })
    }
}

/// The head hash of the log in `dir`, if there is one.
pub fn head(dir: &Path) -> Option<String> {
    // Read-only: another process may be appending (opening for writing would cut its torn tail).
    let path = dir.join("evidence.log");
    if !path.exists() {
        return None;
    }
    log::read(&path).ok()?.into_iter().rev().find_map(Result::ok).map(|e| e.hash)
}

/// What `evidence verify` found.
#[derive(Debug, Default)]
pub struct Verification {
    pub entries: usize,
    pub records: usize,
    pub head: Option<String>,
    pub problems: Vec<String>,
    /// Records after the last logged one of their file that the log does not name: what a run
    /// killed between archiving a page and logging it leaves behind. They attest nothing, and
    /// the logged evidence is intact; they are reported, not counted as problems.
    pub unlogged: Vec<String>,
}

/// Re-reads the log and every WARC record it names: the chain, each record's digests, and
/// records in the files that the log does not name.
pub fn verify(dir: &Path) -> std::io::Result<Verification> {
    let mut v = Verification::default();
    let path = dir.join("evidence.log");
    if !path.exists() {
        v.problems.push(format!("no evidence log at {}", path.display()));
        return Ok(v);
    }
    // Each file is decompressed once; logged records are then looked up by offset.
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".warc.gz"))
        .collect();
    files.sort();
    let read: Vec<(String, std::io::Result<warc::ReadUntilBad>)> = files
        .iter()
        .map(|f| (f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(), warc::read_until_bad(f)))
        .collect();
    let by_place: HashMap<(&str, u64), &warc::Record> = read
        .iter()
        .filter_map(|(name, r)| r.as_ref().ok().map(|(records, _)| (name, records)))
        .flat_map(|(name, records)| records.iter().map(move |(o, r)| ((name.as_str(), *o), r)))
        .collect();
    let mut prev = GENESIS.to_string();
    let mut expected_seq = 1;
    let mut named: HashSet<(String, u64)> = HashSet::new();
    for line in log::read(&path)? {
        let e = match line {
            Ok(e) => e,
            Err(why) => {
                v.problems.push(why);
                continue;
            }
        };
        v.entries += 1;
        if e.seq != expected_seq {
            v.problems.push(format!(
                "entry {}: expected sequence number {expected_seq} (an entry is missing or out of place)",
                e.seq
            ));
        }
        if e.prev != prev {
            v.problems.push(format!("entry {}: does not chain to the previous entry (the log was altered)", e.seq));
        }
        if e.compute_hash() != e.hash {
            v.problems.push(format!("entry {}: its hash does not match its content (the entry was altered)", e.seq));
        }
        prev = e.hash.clone();
        expected_seq = e.seq + 1;
        for r in e.request.iter().chain(std::iter::once(&e.record)) {
            named.insert((r.file.clone(), r.offset));
            v.records += 1;
            check_record(dir, e.seq, r, by_place.get(&(r.file.as_str(), r.offset)).copied(), &mut v.problems);
        }
    }
    v.head = (prev != GENESIS).then_some(prev);
    // Records present in the files but absent from the log (other than each file's warcinfo).
    for (name, result) in &read {
        let name = name.clone();
        match result {
            Ok((records, bad)) => {
                // Why a trailing record is tolerated: the WARC records are synced before their log
                // entry is appended, so a crash in between leaves exactly this. Cutting the log's
                // tail looks the same, but verify cannot see that anyway (the log and the files
                // can both be cut); the head hash that alerts carry is what catches it.
                let last_named = records.iter().rposition(|(o, _)| named.contains(&(name.clone(), *o)));
                for (i, (offset, r)) in records.iter().enumerate() {
                    if r.header("WARC-Type") == Some("warcinfo") || named.contains(&(name.clone(), *offset)) {
                        continue;
                    }
                    if last_named.is_none_or(|l| i > l) {
                        v.unlogged.push(format!(
                            "{name} at {offset}: a trailing record the log does not name (a run stopped between \
                             archiving a page and logging it); it attests nothing"
                        ));
                    } else {
                        v.problems.push(format!("{name} at {offset}: a record the log does not name"));
                    }
                }
                // A cut member past every logged record is a write the process did not finish.
                if let Some((offset, e)) = bad {
                    if named.iter().any(|(n, o)| *n == name && *o >= *offset) {
                        v.problems.push(format!("{name}: unreadable: {e}"));
                    } else {
                        v.unlogged.push(format!(
                            "{name} at {offset}: a trailing record the log does not name, cut short (a run \
                             stopped while writing it): {e}"
                        ));
                    }
                }
            }
            Err(e) => v.problems.push(format!("{name}: unreadable: {e}")),
        }
    }
    Ok(v)
}

/// The path of a WARC file named by the log or the store, which must be a plain file name: a
/// tampered log or store must not make claimwatch read (or `--extract` copy) files elsewhere.
pub fn record_path(dir: &Path, file: &str) -> std::io::Result<PathBuf> {
    let plain = !file.is_empty()
        && file.ends_with(".warc.gz")
        && !file.starts_with('.')
        && !file.contains(['/', '\\', '\0'])
        && Path::new(file).components().count() == 1;
    if !plain {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{file:?} is not a WARC file name inside the evidence directory"),
        ));
    }
    Ok(dir.join(file))
}

/// Checks a logged record against `found`, the record read at its place (if the file could be
/// read that far); a record past a damaged member is read on its own.
fn check_record(dir: &Path, seq: u64, r: &RecordRef, found: Option<&warc::Record>, problems: &mut Vec<String>) {
    let path = match record_path(dir, &r.file) {
        Ok(p) => p,
        Err(e) => {
            problems.push(format!("entry {seq}: {e}"));
            return;
        }
    };
    if !path.exists() {
        problems.push(format!("entry {seq}: {} is missing", r.file));
        return;
    }
    let read = match found {
        Some(rec) => Ok(std::borrow::Cow::Borrowed(rec)),
        None => warc::read_record(&path, r.offset).map(std::borrow::Cow::Owned),
    };
    match read {
        Err(e) => problems.push(format!("entry {seq}: {} at {}: unreadable record: {e}", r.file, r.offset)),
        Ok(rec) => {
            if rec.header("WARC-Record-ID") != Some(r.record_id.as_str()) {
                problems.push(format!("entry {seq}: {} at {}: not the logged record", r.file, r.offset));
            }
            if rec.header("WARC-Block-Digest") != Some(r.block_digest.as_str()) {
                problems
                    .push(format!("entry {seq}: {} at {}: its block digest is not the logged one", r.file, r.offset));
            }
            if let Err(why) = warc::verify(&rec) {
                problems.push(format!("entry {seq}: {} at {}: {why} (the record was altered)", r.file, r.offset));
            }
        }
    }
}

/// The hash of each readable entry of the evidence log of `dir`, by sequence number (empty when
/// there is no log).
pub fn log_hashes(dir: &Path) -> std::collections::HashMap<u64, String> {
    log::read(&dir.join("evidence.log"))
        .map(|entries| entries.into_iter().flatten().map(|e| (e.seq, e.hash)).collect())
        .unwrap_or_default()
}

/// HTTP headers for display: the status line first, as `(":status-line", line)`.
pub type DisplayHeaders = Vec<(String, String)>;

/// The body held by an evidence record, as the server sent it (still content-encoded).
pub fn archived_body(dir: &Path, r: &EvidenceRef) -> std::io::Result<(Vec<u8>, DisplayHeaders)> {
    let content = r.content();
    let rec = warc::read_record(&record_path(dir, &content.file)?, content.offset)?;
    if rec.header("WARC-Type") == Some("conversion") {
        // A rendered DOM: the block is the document, with no HTTP message around it.
        let content_type = rec.header("Content-Type").unwrap_or(CONVERSION_TYPE).to_string();
        let headers = vec![
            (":status-line".to_string(), "rendered by Chromium (WARC conversion record)".to_string()),
            ("content-type".to_string(), content_type),
        ];
        return Ok((rec.block, headers));
    }
    let body = rec.http_body().map(<[u8]>::to_vec).unwrap_or_default();
    Ok((body, rec.http_headers().unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_paths_stay_inside_the_evidence_directory() {
        let dir = Path::new("/var/lib/claimwatch/evidence");
        assert_eq!(record_path(dir, "claimwatch-r1.warc.gz").unwrap(), dir.join("claimwatch-r1.warc.gz"));
        for bad in [
            "../../etc/passwd",
            "/etc/shadow.warc.gz",
            "../x.warc.gz",
            "a/b.warc.gz",
            "..warc.gz",
            "",
            "evidence.log",
            "a\\..\\b.warc.gz",
        ] {
            assert!(record_path(dir, bad).is_err(), "{bad}");
        }
    }
}
