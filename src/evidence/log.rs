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
