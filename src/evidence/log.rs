//! The evidence log: one JSON line per archived record, each hash covering the previous line's hash and the WARC record digests, so that no entry can be altered, removed or inserted unnoticed.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::warc::RecordRef;

/// The hash the first entry chains to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One archived fetch. The fields are hashed in this order (serde keeps declaration order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: u64,
    pub prev: String,
    pub run: String,
    pub url: String,
    pub fetched_at: DateTime<Utc>,
    /// `response` or `revisit`.
    pub kind: String,
    pub request: Option<RecordRef>,
    pub record: RecordRef,
    /// For a revisit: the response it refers to.
    pub refers_to: Option<RecordRef>,
    pub hash: String,
}

impl Entry {
    /// The hash this entry must carry: SHA-256 over the previous hash and the entry's own fields.
    pub fn compute_hash(&self) -> String {
        let mut unhashed = self.clone();
        unhashed.hash = String::new();
        let body = serde_json::to_vec(&unhashed).expect("entries serialise");
        let mut h = Sha256::new();
        h.update(self.prev.as_bytes());
        h.update(b"\n");
        h.update(&body);
        hex::encode(h.finalize())
    }
}

/// The append-only log file.
pub struct EvidenceLog {
    path: PathBuf,
    file: File,
    head: String,
    next_seq: u64,
}

impl EvidenceLog {
    /// Opens (or creates) the log of `dir`, reading its last line to continue the chain.
    pub fn open(dir: &Path) -> std::io::Result<EvidenceLog> {
        let path = dir.join("evidence.log");
        let (mut head, mut next_seq) = (GENESIS.to_string(), 1);
        if path.exists() {
            drop_torn_tail(&path)?;
            for line in BufReader::new(File::open(&path)?).lines() {
                let line = line?;
                if let Ok(e) = serde_json::from_str::<Entry>(&line) {
                    head = e.hash;
                    next_seq = e.seq + 1;
                }
            }
        }
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        Ok(EvidenceLog { path, file, head, next_seq })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The hash of the last entry (what alerts carry).
    pub fn head(&self) -> &str {
        &self.head
    }

    /// Appends an entry (its `seq`, `prev` and `hash` are set here) and syncs it to disk.
    pub fn append(&mut self, mut entry: Entry) -> std::io::Result<Entry> {
        entry.seq = self.next_seq;
        entry.prev = self.head.clone();
        entry.hash = entry.compute_hash();
        let mut line = serde_json::to_vec(&entry).expect("entries serialise");
        line.push(b'\n');
        self.file.write_all(&line)?;
        self.file.sync_data()?;
        self.head = entry.hash.clone();
        self.next_seq += 1;
        Ok(entry)
    }
}

/// A kill in the middle of an append can leave a last line without its newline. That entry was
/// never completed (its append never returned, no alert carries its hash): cut it, so that the
/// next entry starts on a line of its own instead of being glued to the fragment.
fn drop_torn_tail(path: &Path) -> std::io::Result<()> {
    let data = std::fs::read(path)?;
    if data.is_empty() || data.ends_with(b"\n") {
        return Ok(());
    }
    let keep = data.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    tracing::warn!(path = %path.display(), bytes = data.len() - keep, "evidence log ends with an unfinished entry; cutting it");
    let f = OpenOptions::new().write(true).open(path)?;
    f.set_len(keep as u64)?;
    f.sync_all()
}

/// Reads every line of a log; a line that does not parse is returned as an error string.
pub fn read(path: &Path) -> std::io::Result<Vec<Result<Entry, String>>> {
    let mut out = Vec::new();
    for (n, line) in BufReader::new(File::open(path)?).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        out.push(serde_json::from_str::<Entry>(&line).map_err(|e| format!("line {}: not an entry: {e}", n + 1)));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(url: &str) -> Entry {
        let r = RecordRef {
            file: "a.warc.gz".into(),
            offset: 0,
            length: 1,
            record_id: "<urn:uuid:x>".into(),
            block_digest: "sha256:00".into(),
            payload_digest: None,
        };
        Entry {
            seq: 0,
            prev: String::new(),
            run: "r".into(),
            url: url.into(),
            fetched_at: Utc::now(),
            kind: "response".into(),
            request: None,
            record: r,
            refers_to: None,
            hash: String::new(),
        }
    }

    #[test]
    fn a_torn_last_line_is_cut_and_the_chain_goes_on_from_the_last_whole_entry() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = EvidenceLog::open(dir.path()).unwrap();
        let first = log.append(entry("https://a.example/")).unwrap();
        drop(log);
        let path = dir.path().join("evidence.log");
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"seq\":2,\"prev\":\"ab").unwrap();
        drop(f);
        let mut log = EvidenceLog::open(dir.path()).unwrap();
        assert_eq!(log.head(), first.hash);
        let second = log.append(entry("https://b.example/")).unwrap();
        assert_eq!(second.seq, 2);
        let lines = read(&path).unwrap();
        assert_eq!(lines.len(), 2);
        assert!(lines.iter().all(Result::is_ok), "{lines:?}");
        assert_eq!(lines[1].as_ref().unwrap().prev, first.hash);
    }
}
