//! `claimwatch daemon`: runs on cron schedules, retries the outbox between runs, reloads on SIGHUP, stops gracefully on SIGTERM, serves health, metrics and the dashboard.
//!
//! The store is opened only for a run, an outbox pass or to read the dashboard's data, and
//! closed in between, so that `status`, `findings` and `report` work while the daemon waits.
//! Runs never overlap: a tick that comes during a run is skipped and logged. The dashboard is
//! rendered at start and after each run, and served from memory.

mod dashboard;
mod http;
mod state;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::signal::unix::{SignalKind, signal};

use crate::config::{self, HttpSettings, Setup, Vendor};
use crate::pipeline::{Control, Event, Stopper};
use crate::run::{self, RunOptions, RunOutput};
use crate::store::{RunOutcome, RunRecord, Store};
use dashboard::Dashboard;
pub use state::{DaemonFile, DaemonState, Metrics, SharedState};

/// How long a run or an outbox pass waits for a store another process holds.
const STORE_WAIT: Duration = Duration::from_secs(5);
/// The outbox backoff never grows past this.
const MAX_OUTBOX_BACKOFF: Duration = Duration::from_secs(3600);

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error("{0}")]
    Config(String),
    #[error("cannot listen for signals: {0}")]
    Signals(std::io::Error),
    #[error("cannot serve health, metrics and the dashboard on {addr}: {why}")]
    Http { addr: std::net::SocketAddr, why: String },
}

/// Which vendors are due at each upcoming time.
pub fn next_tick(setup: &Setup, after: DateTime<Utc>) -> Option<(DateTime<Utc>, Vec<Vendor>)> {
    let mut due: BTreeMap<DateTime<Utc>, Vec<Vendor>> = BTreeMap::new();
    for v in &setup.config.vendors {
        let schedule = v.schedule.as_ref().or(setup.config.schedule.default.as_ref());
        if let Some(t) = schedule.and_then(|s| s.next_after(after)) {
            due.entry(t).or_default().push(v.clone());
        }
    }
    due.into_iter().next()
}

/// The dashboard's bearer token, read at start from the variable `[http] token_env` names.
/// Without one, the listener must be on loopback (the config check says so too).
fn dashboard_token(config_path: &Path, http: &HttpSettings) -> Result<Option<String>, DaemonError> {
    let config = config_path.display();
    let Some(name) = &http.token_env else {
        if http.is_loopback() {
            return Ok(None);
        }
        return Err(DaemonError::Config(format!(
            "{config}: [http] listen = \"{}\" is reachable beyond this machine and there is no token_env: \
             the dashboard would show every finding to whoever connects",
            http.listen
        )));
    };
    match std::env::var(name) {
        Ok(token) if token.trim().is_empty() => Err(DaemonError::Config(format!(
            "{config}: [http] token_env names {name}, which is empty: the dashboard needs a bearer token"
        ))),
        Ok(token) if !token.bytes().all(|b| b.is_ascii_graphic()) => Err(DaemonError::Config(format!(
            "{config}: [http] token_env names {name}, whose value is not a bearer token \
             (printable ASCII without spaces, e.g. from `openssl rand -hex 32`)"
        ))),
        Ok(token) => Ok(Some(token)),
        Err(std::env::VarError::NotPresent) => Err(DaemonError::Config(format!(
            "{config}: [http] token_env names {name}, which is not set: the dashboard needs a bearer token \
             (set {name} in the daemon's environment, e.g. in /etc/claimwatch/secrets.env)"
        ))),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(DaemonError::Config(format!("{config}: [http] token_env names {name}, whose value is not valid UTF-8")))
        }
    }
}

fn load(path: &Path) -> Result<Setup, String> {
    config::load(path).map_err(|e| format!("{} has problems:\n{}", path.display(), e.diagnostics()))
}

/// Runs the daemon until SIGTERM or SIGINT.
pub async fn run(config_path: PathBuf, smtp_password: impl Fn(&Setup) -> Option<String>) -> Result<(), DaemonError> {
    let mut setup = Arc::new(load(&config_path).map_err(DaemonError::Config)?);
    let state: SharedState = Arc::new(Mutex::new(DaemonState::new(Utc::now())));
    state.lock().expect("state lock").set_setup(&setup);
    for u in &setup.unmatched_providers {
        tracing::warn!("{}: its claims are unverified", u.warning());
    }
    let mut dashboard = None;
    if let Some(http) = setup.config.http.clone() {
        let token = dashboard_token(&config_path, &http)?;
        let (addr, board) = (http.listen, Dashboard::default());
        let access = http::Access::new(token.as_deref());
        http::serve(addr, state.clone(), board.clone(), access)
            .await
            .map_err(|e| DaemonError::Http { addr, why: e.to_string() })?;
        let guarded = if token.is_some() { ", the dashboard behind its bearer token" } else { " and the dashboard" };
        tracing::info!(%addr, "serving /healthz, /metrics{guarded}");
        board.spawn_first(setup.clone(), STORE_WAIT);
        dashboard = Some(board);
    }
    let mut term = signal(SignalKind::terminate()).map_err(DaemonError::Signals)?;
    let mut int = signal(SignalKind::interrupt()).map_err(DaemonError::Signals)?;
    let mut hup = signal(SignalKind::hangup()).map_err(DaemonError::Signals)?;

    // The run in progress, if any: its stopper; it reports on `done_rx` when it ends.
    let mut running: Option<Stopper> = None;
    let (done_tx, mut done_rx) = tokio::sync::mpsc::channel::<RunDone>(1);
    let mut outbox_due: Option<tokio::time::Instant> = Some(tokio::time::Instant::now());
    let mut outbox_backoff = outbox_first_retry(&setup);
    let mut announced: Option<DateTime<Utc>> = None;
    loop {
        let now = Utc::now();
        let tick = next_tick(&setup, now);
        let next_at = tick.as_ref().map(|(t, _)| *t);
        state.lock().expect("state lock").next_run = next_at;
        if next_at != announced {
            state.lock().expect("state lock").file().write(&setup.config.store.path);
            match &tick {
                Some((t, vendors)) => tracing::info!(
                    "next run at {} ({} vendor{})",
                    t.with_timezone(&setup.config.schedule.timezone),
                    vendors.len(),
                    if vendors.len() == 1 { "" } else { "s" }
                ),
                None => tracing::warn!("no schedule in [schedule] or on any vendor: the daemon will only retry alerts"),
            }
            announced = next_at;
        }
        let sleep_tick = async {
            match next_at {
                Some(t) => tokio::time::sleep((t - now).to_std().unwrap_or_default()).await,
                None => std::future::pending().await,
            }
        };
        let is_running = running.is_some();
        let outbox_pass = async {
            match outbox_due {
                Some(at) if !is_running => tokio::time::sleep_until(at).await,
                _ => std::future::pending().await,
            }
        };
        tokio::select! {
            () = sleep_tick => {
                let (at, vendors) = tick.expect("a tick was due");
                if running.is_some() {
                    tracing::warn!("tick at {at} skipped: the previous run is still going");
                    state.lock().expect("state lock").metrics.skipped_ticks += 1;
                    // Let the clock pass this tick before looking for the next one.
                    tokio::time::sleep(Duration::from_millis(1100)).await;
                } else {
                    let (stopper, control) = Control::new();
                    let jitter = setup.config.schedule.jitter.mul_f64(rand::random::<f64>());
                    let job = RunJob {
                        setup: setup.clone(),
                        vendors,
                        control,
                        jitter,
                        password: smtp_password(&setup),
                        dashboard: dashboard.clone(),
                    };
                    state.lock().expect("state lock").running = true;
                    let tx = done_tx.clone();
                    tokio::spawn(async move {
                        let done = job.run().await;
                        let _ = tx.send(done).await;
                    });
                    running = Some(stopper);
                }
            }
            Some(done) = done_rx.recv() => {
                running = None;
                let deferred = done.deferred;
                let file = {
                    let mut st = state.lock().expect("state lock");
                    st.record(&done);
                    st.file()
                };
                file.write(&setup.config.store.path);
                outbox_due = deferred.then(|| tokio::time::Instant::now() + outbox_backoff);
            }
            () = outbox_pass => {
                match outbox_pass_once(&setup, &smtp_password(&setup), &state).await {
                    Ok(true) => {
                        outbox_due = Some(tokio::time::Instant::now() + outbox_backoff);
                        tracing::info!("alerts still pending: next try in {:?}", outbox_backoff);
                        outbox_backoff = (outbox_backoff * 2).min(MAX_OUTBOX_BACKOFF);
                    }
                    Ok(false) => {
                        outbox_due = None;
                        outbox_backoff = outbox_first_retry(&setup);
                    }
                    Err(e) => {
                        tracing::warn!("outbox pass failed: {e}");
                        outbox_due = Some(tokio::time::Instant::now() + outbox_backoff);
                    }
                }
            }
            _ = hup.recv() => {
                match load(&config_path) {
                    Ok(s) => {
                        if s.config.http != setup.config.http {
                            tracing::warn!("[http] changes take effect when the daemon restarts");
                        }
                        setup = Arc::new(s);
                        state.lock().expect("state lock").set_setup(&setup);
                        announced = None;
                        tracing::info!("configuration, patterns and registry reloaded");
                    }
                    Err(e) => tracing::error!("reload refused, still running on the previous configuration: {e}"),
                }
            }
            _ = term.recv() => return shutdown(running, &mut done_rx, &setup, &state, &mut term, &mut int).await,
            _ = int.recv() => return shutdown(running, &mut done_rx, &setup, &state, &mut term, &mut int).await,
        }
    }
}

fn outbox_first_retry(setup: &Setup) -> Duration {
    setup.config.smtp.as_ref().map_or(Duration::from_secs(60), |s| s.retry)
}

/// SIGTERM/SIGINT: no new page, requests in flight get the grace period, the partial run is
/// recorded as interrupted; a second signal exits at once (the store stays consistent: every
/// write is a transaction).
async fn shutdown(
    running: Option<Stopper>,
    done_rx: &mut tokio::sync::mpsc::Receiver<RunDone>,
    setup: &Setup,
    state: &SharedState,
    term: &mut tokio::signal::unix::Signal,
    int: &mut tokio::signal::unix::Signal,
) -> Result<(), DaemonError> {
    let Some(stopper) = running else {
        tracing::info!("stopping: no run in progress");
        return Ok(());
    };
    let grace = setup.config.schedule.shutdown_grace;
    tracing::info!("stopping: no new pages; requests in flight have {grace:?} to finish");
    stopper.stop(grace);
    tokio::select! {
        done = done_rx.recv() => {
            if let Some(done) = done {
                let file = {
                    let mut st = state.lock().expect("state lock");
                    st.record(&done);
                    st.file()
                };
                file.write(&setup.config.store.path);
            }
            tracing::info!("run recorded as interrupted; stopped");
            Ok(())
        }
        _ = term.recv() => {
            tracing::warn!("second signal: exiting now");
            std::process::exit(0)
        }
        _ = int.recv() => {
            tracing::warn!("second signal: exiting now");
            std::process::exit(0)
        }
    }
}

/// What a finished run tells the daemon.
pub struct RunDone {
    pub record: RunRecord,
    pub output: Option<RunOutput>,
    /// Alerts could not all be delivered: retry the outbox later.
    pub deferred: bool,
    pub open_findings: BTreeMap<String, usize>,
    pub outbox_size: usize,
    pub dead_letters: usize,
}

impl RunDone {
    fn failed(started: DateTime<Utc>, error: String) -> RunDone {
        RunDone {
            record: RunRecord {
                id: format!("{}-failed", started.format("%Y%m%dT%H%M%S%.3fZ")),
                started,
                ended: Utc::now(),
                at: started.date_naive(),
                outcome: RunOutcome::Failed,
                vendors: vec![],
                registry_sha256: String::new(),
                registry_notes: Vec::new(),
                canaries: Vec::new(),
                registry_as_of: started.date_naive(),
                registry_stale: false,
                findings_opened: 0,
                findings_resolved: 0,
                error: Some(error),
                reading_version: None,
                reread: None,
                findings_reread: 0,
            },
            output: None,
            deferred: false,
            open_findings: BTreeMap::new(),
            outbox_size: 0,
            dead_letters: 0,
        }
    }
}

struct RunJob {
    setup: Arc<Setup>,
    vendors: Vec<Vendor>,
    control: Control,
    jitter: Duration,
    password: Option<String>,
    /// Refreshed after the run, when the daemon serves one.
    dashboard: Option<Dashboard>,
}

impl RunJob {
    async fn run(self) -> RunDone {
        tokio::select! {
            () = tokio::time::sleep(self.jitter) => {}
            () = self.control.stopped() => {
                let mut done = RunDone::failed(Utc::now(), "stopped before it started".into());
                done.record.outcome = RunOutcome::Interrupted;
                return done;
            }
        }
        let started = Utc::now();
        tracing::info!("run starting: {} vendor{}", self.vendors.len(), if self.vendors.len() == 1 { "" } else { "s" });
        let store = match Store::open(&self.setup.config.store.path, STORE_WAIT) {
            Ok(s) => s,
            Err(e) => {
                tracing::error!("run failed: {e}");
                return RunDone::failed(started, e.to_string());
            }
        };
        let at = started.with_timezone(&self.setup.config.schedule.timezone).date_naive();
        let control = self.control.clone();
        let opts = RunOptions {
            at,
            vendors: self.vendors,
            dry_run: false,
            eml_dir: None,
            smtp_password: self.password,
            control: self.control,
        };
        let quiet = |_: Event<'_>| {};
        let result = run::check(self.setup.clone(), &store, opts, &quiet).await;
        let mut done = match result {
            Ok(output) => {
                let deferred = output.delivery.as_ref().is_some_and(|d| !d.deferred.is_empty());
                RunDone {
                    record: output.run.clone(),
                    output: Some(output),
                    deferred,
                    open_findings: BTreeMap::new(),
                    outbox_size: 0,
                    dead_letters: 0,
                }
            }
            Err(e) => {
                tracing::error!("run failed: {e}");
                let done = RunDone::failed(started, e.to_string());
                if let Err(e) = store.record_run(&done.record) {
                    tracing::error!("cannot record the failed run: {e}");
                }
                done
            }
        };
        state::snapshot_store(&store, &mut done);
        // What the dashboard shows is read now, and the store let go before it is rendered (no
        // need when the daemon is stopping).
        let data = match &self.dashboard {
            Some(_) if control.stop_deadline().is_none() => dashboard::Data::read(&self.setup, &store)
                .map_err(|e| tracing::warn!("the dashboard keeps its previous snapshot: {e}"))
                .ok(),
            _ => None,
        };
        drop(store);
        let r = &done.record;
        if let Some(x) = &r.reread {
            tracing::info!(
                from = x.from.as_deref().unwrap_or("none"),
                to = %x.to,
                pages = x.pages,
                "the reading changed: pages read again in full"
            );
        }
        tracing::info!(
            outcome = ?r.outcome,
            opened = r.findings_opened,
            resolved = r.findings_resolved,
            reread = r.findings_reread,
            "run finished in {:.1} s",
            (r.ended - r.started).num_milliseconds() as f64 / 1000.0
        );
        if let (Some(board), Some(data)) = (&self.dashboard, data) {
            board.refresh(self.setup.clone(), data).await;
        }
        done
    }
}

/// One outbox pass; `Ok(true)` when alerts are still pending afterwards.
async fn outbox_pass_once(setup: &Setup, password: &Option<String>, state: &SharedState) -> Result<bool, String> {
    if setup.config.smtp.is_none() {
        return Ok(false);
    }
    let store = Store::open(&setup.config.store.path, STORE_WAIT).map_err(|e| e.to_string())?;
    let today = Utc::now().with_timezone(&setup.config.schedule.timezone).date_naive();
    let delivery = run::deliver_pending(setup, &store, password.clone(), today).await.map_err(|e| e.to_string())?;
    if let Some(d) = &delivery {
        for (to, n) in &d.sent {
            tracing::info!(%to, entries = n, "held-back alerts delivered");
        }
    }
    let pending = store.pending().map_err(|e| e.to_string())?;
    let mut s = state.lock().expect("state lock");
    s.metrics.outbox_size = pending.len();
    Ok(!pending.is_empty())
}
