//! The store: a small typed API over sled (pages, findings, outbox, dead letters, runs, the reading version); the rest of the code never sees sled.
//!
//! sled lets one process at a time hold a database: opening waits a few seconds for another
//! claimwatch to finish, then says the store is busy. A run writes each vendor's page states,
//! finding changes and their outbox entries in one transaction as the vendor is done, then the
//! run record, and flushes: a vendor's changes are all there or none of them.

mod records;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde::de::DeserializeOwned;
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError};

use chrono::{DateTime, Utc};

use crate::registry::Departed;
use records::Stored;
pub use records::{
    Ack, Change, DeadLetter, DossierStamp, Finding, FindingState, NowRead, OutboxEntry, PageState, ReadingMeta, Reread,
    RunOutcome, RunRecord, Sighting, VendorRun,
};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the store {path} is in use by another claimwatch process (waited {waited:?})")]
    Busy { path: PathBuf, waited: Duration },
    #[error("cannot open the store {path}: {why}")]
    Open { path: PathBuf, why: String },
    #[error("store error: {0}")]
    Sled(String),
    #[error("corrupt {tree} record {key:?}: {why}")]
    Corrupt { tree: &'static str, key: String, why: String },
    #[error("no finding {0}")]
    NoFinding(String),
}

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> Self {
        StoreError::Sled(e.to_string())
    }
}

impl From<TransactionError<StoreError>> for StoreError {
    fn from(e: TransactionError<StoreError>) -> Self {
        match e {
            TransactionError::Abort(e) => e,
            TransactionError::Storage(e) => e.into(),
        }
    }
}

/// What one transaction writes: a vendor's part of a run, or the run record.
#[derive(Debug, Clone, Default)]
pub struct RunWrite {
    pub pages: Vec<PageState>,
    pub findings: Vec<Finding>,
    /// Entries without ids yet: the store gives them ordered ones.
    pub outbox: Vec<OutboxEntry>,
    pub run: Option<RunRecord>,
    /// The reading version of a completed run, written with its run record: a crash before it
    /// leaves the old version, and the next run reads again what is left to read.
    pub reading: Option<ReadingMeta>,
}

pub struct Store {
    path: PathBuf,
    db: sled::Db,
    pages: sled::Tree,
    findings: sled::Tree,
    outbox: sled::Tree,
    dead: sled::Tree,
    runs: sled::Tree,
    meta: sled::Tree,
}

const READING_KEY: &[u8] = b"reading";
/// Meta keys of the providers earlier runs matched (`provider:` + provider key).
const PROVIDER_PREFIX: &[u8] = b"provider:";
/// Meta keys of the canaries the last run missed (`canary:` + name), with since when.
const CANARY_PREFIX: &[u8] = b"canary:";

/// sled's page cache. Its default (1 GiB) would let a daemon's memory grow with its store; a run
/// reads each vendor's keys in turn, twice, so a small cache is enough (in the load bench, 4 MB
/// instead of 16 MB lowers the peak by about 5 MB, for no measurable CPU).
const CACHE_BYTES: u64 = 4 * 1024 * 1024;

fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(&Stored::V1(value)).expect("store records serialise")
}

fn decode<T: DeserializeOwned>(tree: &'static str, key: &[u8], bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice::<Stored<T>>(bytes).map(Stored::upgrade).map_err(|e| StoreError::Corrupt {
        tree,
        key: String::from_utf8_lossy(key).into_owned(),
        why: e.to_string(),
    })
}

fn page_key(vendor: &str, url: &str) -> Vec<u8> {
    [vendor.as_bytes(), b"\0", url.as_bytes()].concat()
}

fn outbox_key(recipient: &str, seq: u64) -> String {
    format!("{}\0{seq:020}", recipient.to_ascii_lowercase())
}

impl Store {
    /// Opens (or creates) the store at `path`, waiting up to `wait` for another process to let go.
    pub fn open(path: &Path, wait: Duration) -> Result<Store, StoreError> {
        let started = Instant::now();
        let db = loop {
            match sled::Config::new().path(path).cache_capacity(CACHE_BYTES).open() {
                Ok(db) => break db,
                Err(e) if e.to_string().contains("could not acquire lock") => {
                    if started.elapsed() >= wait {
                        return Err(StoreError::Busy { path: path.to_path_buf(), waited: started.elapsed() });
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => return Err(StoreError::Open { path: path.to_path_buf(), why: e.to_string() }),
            }
        };
        Ok(Store {
            path: path.to_path_buf(),
            pages: db.open_tree("pages")?,
            findings: db.open_tree("findings")?,
            outbox: db.open_tree("outbox")?,
            dead: db.open_tree("dead_letters")?,
            runs: db.open_tree("runs")?,
            meta: db.open_tree("meta")?,
            db,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The records under `prefix`, decoded one at a time.
    fn each<T: DeserializeOwned>(
        tree: &sled::Tree,
        name: &'static str,
        prefix: &[u8],
    ) -> impl Iterator<Item = Result<T, StoreError>> {
        tree.scan_prefix(prefix).map(move |kv| {
            let (k, v) = kv?;
            decode(name, &k, &v)
        })
    }

    fn all<T: DeserializeOwned>(tree: &sled::Tree, name: &'static str, prefix: &[u8]) -> Result<Vec<T>, StoreError> {
        Self::each(tree, name, prefix).collect()
    }

    pub fn page(&self, vendor: &str, url: &str) -> Result<Option<PageState>, StoreError> {
        let key = page_key(vendor, url);
        self.pages.get(&key)?.map(|v| decode("pages", &key, &v)).transpose()
    }

    /// Every known page of a vendor.
    pub fn pages_of(&self, vendor: &str) -> Result<Vec<PageState>, StoreError> {
        Self::all(&self.pages, "pages", &[vendor.as_bytes(), b"\0"].concat())
    }

    pub fn finding(&self, id: &str) -> Result<Option<Finding>, StoreError> {
        self.findings.get(id.as_bytes())?.map(|v| decode("findings", id.as_bytes(), &v)).transpose()
    }

    pub fn findings(&self) -> Result<Vec<Finding>, StoreError> {
        Self::all(&self.findings, "findings", b"")
    }

    /// Every finding, read one at a time (a run's start needs an index, not all of them at once).
    pub fn each_finding(&self) -> impl Iterator<Item = Result<Finding, StoreError>> + '_ {
        Self::each(&self.findings, "findings", b"")
    }

    /// Pending outbox entries, oldest first per recipient.
    pub fn pending(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        Self::all(&self.outbox, "outbox", b"")
    }

    pub fn dead_letters(&self) -> Result<Vec<DeadLetter>, StoreError> {
        Self::all(&self.dead, "dead_letters", b"")
    }

    /// Runs, oldest first.
    pub fn runs(&self) -> Result<Vec<RunRecord>, StoreError> {
        Self::all(&self.runs, "runs", b"")
    }

    /// Whether any page was ever stored (a store without a reading version but with pages
    /// predates reading versions: its claims were read by older rules).
    pub fn has_pages(&self) -> Result<bool, StoreError> {
        Ok(self.pages.first()?.is_some())
    }

    /// The reading version the last completed run stored.
    pub fn reading(&self) -> Result<Option<ReadingMeta>, StoreError> {
        self.meta.get(READING_KEY)?.map(|v| decode("meta", READING_KEY, &v)).transpose()
    }

    /// How many stored pages were read with a version other than `version` (they are fetched in
    /// full on their next visit). Only that field is decoded, not the pages' claims.
    pub fn pages_read_otherwise(&self, version: &str) -> Result<usize, StoreError> {
        #[derive(serde::Deserialize)]
        struct ReadingOnly {
            #[serde(default)]
            reading: Option<String>,
        }
        let mut n = 0;
        for p in Self::each::<ReadingOnly>(&self.pages, "pages", b"") {
            if p?.reading.as_deref() != Some(version) {
                n += 1;
            }
        }
        Ok(n)
    }

    /// The providers earlier runs matched in the registry, by provider key, with the registry
    /// date of the last run that found each.
    pub fn matched_providers(&self) -> Result<std::collections::BTreeMap<String, Departed>, StoreError> {
        let mut out = std::collections::BTreeMap::new();
        for item in self.meta.scan_prefix(PROVIDER_PREFIX) {
            let (k, v) = item?;
            let key = String::from_utf8_lossy(&k[PROVIDER_PREFIX.len()..]).into_owned();
            out.insert(key, decode("meta", &k, &v)?);
        }
        Ok(out)
    }

    /// Remembers that this run's registry lists these providers (by provider key).
    pub fn remember_providers(&self, matched: &[(String, Departed)]) -> Result<(), StoreError> {
        for (key, seen) in matched {
            let mut k = PROVIDER_PREFIX.to_vec();
            k.extend_from_slice(key.as_bytes());
            self.meta.insert(k, encode(seen))?;
        }
        self.db.flush()?;
        Ok(())
    }

    /// The canaries the last runs missed (by name), and since when.
    pub fn failing_canaries(&self) -> Result<std::collections::BTreeMap<String, DateTime<Utc>>, StoreError> {
        let mut out = std::collections::BTreeMap::new();
        for item in self.meta.scan_prefix(CANARY_PREFIX) {
            let (k, v) = item?;
            let name = String::from_utf8_lossy(&k[CANARY_PREFIX.len()..]).into_owned();
            out.insert(name, decode("meta", &k, &v)?);
        }
        Ok(out)
    }

    /// Records which canaries fail now (since when) and forgets those seen again.
    pub fn set_failing_canaries(
        &self,
        failing: &std::collections::BTreeMap<String, DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        for item in self.meta.scan_prefix(CANARY_PREFIX) {
            let (k, _) = item?;
            self.meta.remove(k)?;
        }
        for (name, since) in failing {
            let mut k = CANARY_PREFIX.to_vec();
            k.extend_from_slice(name.as_bytes());
            self.meta.insert(k, encode(since))?;
        }
        self.db.flush()?;
        Ok(())
    }

    /// A fresh, increasing id (for runs).
    pub fn next_id(&self) -> Result<u64, StoreError> {
        Ok(self.db.generate_id()?)
    }

    /// Writes page states, finding changes, outbox entries, the run record and the reading
    /// version in one transaction, then flushes: either all of it is on disk, or none.
    ///
    /// A transaction's memory is held until it ends (sled copies a node per insert and frees the
    /// old copies only then), which is why a run commits vendor by vendor, not all at once.
    pub fn commit(&self, write: &RunWrite) -> Result<Vec<OutboxEntry>, StoreError> {
        let committed = (&self.pages, &self.findings, &self.outbox, &self.runs, &self.meta).transaction(
            |(pages, findings, outbox, runs, meta)| {
                for p in &write.pages {
                    pages.insert(page_key(&p.vendor, &p.url), encode(p))?;
                }
                for f in &write.findings {
                    findings.insert(f.id.as_bytes(), encode(f))?;
                }
                // Crash point 5, halfway through a vendor's transaction: none of it may be applied.
                crate::failpoint::hit("store-commit");
                let mut entries = Vec::with_capacity(write.outbox.len());
                for e in &write.outbox {
                    let mut e = e.clone();
                    e.id = outbox_key(&e.recipient, outbox.generate_id()?);
                    outbox.insert(e.id.as_bytes(), encode(&e))?;
                    entries.push(e);
                }
                if let Some(r) = &write.run {
                    runs.insert(r.id.as_bytes(), encode(r))?;
                }
                if let Some(m) = &write.reading {
                    meta.insert(READING_KEY, encode(m))?;
                }
                Ok::<_, ConflictableTransactionError<StoreError>>(entries)
            },
        )?;
        self.db.flush()?;
        Ok(committed)
    }

    /// Removes delivered entries (after the mail server accepted them).
    pub fn delivered(&self, ids: &[String]) -> Result<(), StoreError> {
        let mut batch = sled::Batch::default();
        for id in ids {
            batch.remove(id.as_bytes());
        }
        self.outbox.apply_batch(batch)?;
        self.db.flush()?;
        Ok(())
    }

    /// Moves entries a server refused for good to the dead letters, in one transaction.
    pub fn dead_letter(
        &self,
        entries: &[OutboxEntry],
        error: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StoreError> {
        (&self.outbox, &self.dead).transaction(|(outbox, dead)| {
            for e in entries {
                let letter = DeadLetter { entry: e.clone(), error: error.to_string(), at };
                dead.insert(e.id.as_bytes(), encode(&letter))?;
                outbox.remove(e.id.as_bytes())?;
            }
            Ok::<_, ConflictableTransactionError<StoreError>>(())
        })?;
        self.db.flush()?;
        Ok(())
    }

    /// Sets or clears a finding's acknowledgement.
    pub fn set_ack(&self, id: &str, ack: Option<Ack>) -> Result<Finding, StoreError> {
        let mut f = self.finding(id)?.ok_or_else(|| StoreError::NoFinding(id.to_string()))?;
        f.ack = ack;
        self.findings.insert(id.as_bytes(), encode(&f))?;
        self.db.flush()?;
        Ok(f)
    }

    /// Adds a dossier's stamp to a finding.
    pub fn stamp_dossier(&self, id: &str, stamp: DossierStamp) -> Result<Finding, StoreError> {
        let mut f = self.finding(id)?.ok_or_else(|| StoreError::NoFinding(id.to_string()))?;
        f.dossiers.push(stamp);
        self.findings.insert(id.as_bytes(), encode(&f))?;
        self.db.flush()?;
        Ok(f)
    }

    /// Records a run on its own (a run that failed before it could commit anything else).
    pub fn record_run(&self, run: &RunRecord) -> Result<(), StoreError> {
        self.runs.insert(run.id.as_bytes(), encode(run))?;
        self.db.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
