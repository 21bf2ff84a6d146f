//! The dashboard's snapshot: the report, the findings lists and one page per finding, rendered from what the store held at start and after each run, and served from memory, so that no request ever holds the store.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::config::{Lang, Setup};
use crate::report::dossier::{self, Sources};
use crate::report::finding_page::{self, FindingPage};
use crate::report::html::{self, Live};
use crate::report::listing::{self, Which};
use crate::report::sightings::Rereader;
use crate::store::{DeadLetter, Finding, PageState, RunRecord, Store, StoreError};

/// Of each finding, the pages seen most recently are read again from the archive for its page;
/// the others are shown as recorded.
pub const REREAD_PER_FINDING: usize = 20;

/// How often the first snapshot is tried again while another process holds the store.
const FIRST_SNAPSHOT_RETRY: Duration = Duration::from_secs(30);

/// What a snapshot is built from: all it needs of the store, read while it is open.
pub struct Data {
    pub findings: Vec<Finding>,
    pub pages: Vec<PageState>,
    pub runs: Vec<RunRecord>,
    pub dead: Vec<DeadLetter>,
    pub read_at: DateTime<Utc>,
}

impl Data {
    pub fn read(setup: &Setup, store: &Store) -> Result<Data, StoreError> {
        let mut pages = Vec::new();
        for v in &setup.config.vendors {
            pages.extend(store.pages_of(&v.id)?);
        }
        Ok(Data {
            findings: store.findings()?,
            pages,
            runs: store.runs()?,
            dead: store.dead_letters()?,
            read_at: Utc::now(),
        })
    }
}

/// Every dashboard page, in French and English.
pub struct Snapshot {
    /// When the data was read from the store.
    pub taken_at: DateTime<Utc>,
    report: [String; 2],
    findings: Vec<Finding>,
    dead: Vec<DeadLetter>,
    finding_pages: BTreeMap<String, [String; 2]>,
    /// What the snapshot was built with (for the dossiers made on request).
    pub setup: Option<Arc<Setup>>,
}

const LANGS: [Lang; 2] = [Lang::Fr, Lang::En];

fn slot(lang: Lang) -> usize {
    match lang {
        Lang::Fr => 0,
        Lang::En => 1,
    }
}

impl Snapshot {
    /// Renders every page. Reads the evidence archive (each finding's recent pages, read again)
    /// and runs the patterns: call it off the async threads.
    pub fn build(setup: &Setup, data: Data) -> Snapshot {
        let now = data.read_at;
        let today = now.with_timezone(&setup.config.schedule.timezone).date_naive();
        let evidence_head = crate::evidence::head(&setup.config.evidence.dir);
        let report = LANGS.map(|lang| {
            let d = dossier::build(Sources {
                setup,
                findings: data.findings.clone(),
                pages: data.pages.clone(),
                runs: data.runs.clone(),
                now,
                today,
                lang,
                since: None,
                evidence_head: evidence_head.clone(),
            });
            html::render_live(&d, &Live { snapshot_at: now })
        });
        let mut rereader = Rereader::new(setup);
        let finding_pages = data
            .findings
            .iter()
            .map(|f| {
                let pages = rereader.pages(f, REREAD_PER_FINDING);
                let vendor_name = setup.config.vendor(&f.vendor).map_or(f.vendor.as_str(), |v| v.name.as_str());
                let rendered = LANGS.map(|lang| {
                    finding_page::render(&FindingPage {
                        finding: &dossier::view(f, lang),
                        vendor_name,
                        pages: &pages,
                        lang,
                        snapshot_at: now,
                    })
                });
                (f.id.clone(), rendered)
            })
            .collect();
        Snapshot { taken_at: now, report, findings: data.findings, dead: data.dead, finding_pages, setup: None }
    }

    /// A finding as the snapshot holds it.
    pub fn finding(&self, id: &str) -> Option<&Finding> {
        self.findings.iter().find(|f| f.id == id)
    }

    pub fn report(&self, lang: Lang) -> &str {
        &self.report[slot(lang)]
    }

    pub fn finding_page(&self, id: &str, lang: Lang) -> Option<&str> {
        self.finding_pages.get(id).map(|p| p[slot(lang)].as_str())
    }

    /// As `claimwatch findings --format json --state <which> [--vendor <vendor>]` prints it.
    pub fn findings_json(&self, which: Which, vendor: Option<&str>) -> Result<String, serde_json::Error> {
        listing::to_ndjson(&listing::select(&self.findings, which, vendor), &self.dead)
    }

    /// As `claimwatch findings --format csv --state <which> [--vendor <vendor>]` prints it.
    pub fn findings_csv(&self, which: Which, vendor: Option<&str>) -> Result<String, csv::Error> {
        listing::to_csv(&listing::select(&self.findings, which, vendor))
    }
}

/// The snapshot being served, swapped whole when a newer one is ready.
#[derive(Clone, Default)]
pub struct Dashboard {
    current: Arc<RwLock<Option<Arc<Snapshot>>>>,
}

impl Dashboard {
    /// The snapshot to answer a request with; `None` until the first one is built.
    pub fn current(&self) -> Option<Arc<Snapshot>> {
        self.current.read().expect("snapshot lock").clone()
    }

    /// Serves `s` from now on, unless the one served was read from the store later.
    pub fn publish(&self, s: Snapshot) {
        let mut current = self.current.write().expect("snapshot lock");
        if current.as_ref().is_none_or(|c| c.taken_at <= s.taken_at) {
            *current = Some(Arc::new(s));
        }
    }

    /// Builds a snapshot of `data` on a blocking thread and publishes it.
    pub async fn refresh(&self, setup: Arc<Setup>, data: Data) {
        let kept = setup.clone();
        match tokio::task::spawn_blocking(move || Snapshot::build(&setup, data)).await {
            Ok(mut s) => {
                s.setup = Some(kept);
                tracing::info!(findings = s.finding_pages.len(), "dashboard snapshot ready");
                self.publish(s);
            }
            Err(e) => tracing::error!("the dashboard snapshot could not be built: {e}"),
        }
    }

    /// The first snapshot, at start: reads the store (waiting for it like a run does) and lets it
    /// go before rendering; tried again while another process holds it, until a snapshot exists.
    pub fn spawn_first(&self, setup: Arc<Setup>, wait: Duration) {
        let dashboard = self.clone();
        tokio::spawn(async move {
            while dashboard.current().is_none() {
                let path: PathBuf = setup.config.store.path.clone();
                let read_setup = setup.clone();
                let read = tokio::task::spawn_blocking(move || {
                    let store = Store::open(&path, wait)?;
                    Data::read(&read_setup, &store)
                })
                .await;
                match read {
                    Ok(Ok(data)) => return dashboard.refresh(setup, data).await,
                    Ok(Err(e)) => {
                        tracing::warn!("no dashboard snapshot yet: {e}; trying again in {FIRST_SNAPSHOT_RETRY:?}")
                    }
                    Err(e) => tracing::error!("no dashboard snapshot yet: {e}"),
                }
                tokio::time::sleep(FIRST_SNAPSHOT_RETRY).await;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(at: &str, report: &str) -> Snapshot {
        Snapshot {
            taken_at: DateTime::parse_from_rfc3339(at).unwrap().with_timezone(&Utc),
            report: [report.to_string(), report.to_string()],
            findings: vec![],
            dead: vec![],
            finding_pages: BTreeMap::new(),
            setup: None,
        }
    }

    #[test]
    fn a_snapshot_read_earlier_never_replaces_a_later_one() {
        let d = Dashboard::default();
        assert!(d.current().is_none());
        d.publish(snapshot("2026-11-28T10:00:05Z", "after the run"));
        // The first snapshot, read before the run but done rendering after it.
        d.publish(snapshot("2026-11-28T10:00:00Z", "at start"));
        assert_eq!(d.current().unwrap().report(Lang::Fr), "after the run");
        d.publish(snapshot("2026-11-28T11:00:00Z", "next run"));
        assert_eq!(d.current().unwrap().report(Lang::En), "next run");
    }
}
