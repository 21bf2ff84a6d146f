//! Helpers for the crash tests: a site of vendors with claims, `check` runs that may die, the store as seen after a crash, and the tally of delivered alerts.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use claimwatch::mailbox::{Mailbox, Received};
use claimwatch::store::{FindingState, OutboxEntry, Store};

use super::server::TestServer;
use super::{Scratch, claimwatch, stderr, stdout, vendor_toml, write_config};

pub const CRAWL: &str =
    "allow_private_networks = true\nrequests_per_second = 1000\nburst = 20\nretries = 0\ntimeout_secs = 5";
pub const FROM: &str = "claimwatch <alerts@claimwatch.example>";
/// Gets every finding, in French.
pub const FR: &str = "regulateur@dgccrf.example";
/// Gets violations only, in English.
pub const EN: &str = "compliance@buyer.example";

/// A loopback site with one page per vendor (`/v00/`, `/v01/`…); vendor `k` claims a label it
/// does not hold (a violation, so both recipients are told) once `k < claiming`.
pub struct Site {
    pub server: TestServer,
    pub vendors: usize,
    claiming: Arc<AtomicUsize>,
}

impl Site {
    pub async fn start(vendors: usize, claiming: usize) -> Site {
        let server = TestServer::start("127.0.0.1").await;
        let on = Arc::new(AtomicUsize::new(claiming));
        for k in 0..vendors {
            let on = on.clone();
            server.route(&Site::path(k), move |_, _| {
                if k < on.load(Ordering::SeqCst) {
                    super::server::html(&format!(
                        "<html><body><p>Le service v{k:02} est qualifié SecNumCloud.</p></body></html>"
                    ))
                } else {
                    super::server::html("<html><body><p>Rien ici.</p></body></html>")
                }
            });
        }
        Site { server, vendors, claiming: on }
    }

    pub fn path(k: usize) -> String {
        format!("/v{k:02}/")
    }

    pub fn url(&self, k: usize) -> String {
        self.server.url(&Site::path(k))
    }

    /// How many vendors claim from now on.
    pub fn set_claiming(&self, n: usize) {
        self.claiming.store(n, Ordering::SeqCst);
    }

    /// The `[[vendor]]` tables of every vendor.
    pub fn vendor_tables(&self) -> String {
        (0..self.vendors).map(|k| vendor_toml(&format!("v{k:02}"), &self.url(k), "")).collect()
    }
}

/// A scratch directory with a config (store and evidence in it), mailing to `mailbox`.
pub struct World {
    pub scratch: Scratch,
    pub config: PathBuf,
}

impl World {
    pub fn new(site: &Site, mailbox: &Mailbox) -> World {
        let scratch = Scratch::new();
        let mail = format!(
            "[smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\nfrom = \"{FROM}\"\ntimeout_secs = 5\n\n\
             [[recipient]]\nemail = \"{FR}\"\nlang = \"fr\"\n\n\
             [[recipient]]\nemail = \"{EN}\"\nlang = \"en\"\nmin_level = \"violation\"\nresolutions = false\n",
            mailbox.addr.port()
        );
        let config = write_config(&scratch, CRAWL, &format!("{mail}\n{}", site.vendor_tables()));
        World { scratch, config }
    }

    pub fn store_path(&self) -> PathBuf {
        self.scratch.path().join("claimwatch.db")
    }

    fn check_command(&self, failpoint: Option<&str>) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_claimwatch"));
        c.args(["check", "--quiet", "--config", &self.config.display().to_string(), "--at", "2026-11-28"])
            .env_remove("CLAIMWATCH_FAILPOINT")
            .env("NO_COLOR", "1");
        if let Some(p) = failpoint {
            c.env("CLAIMWATCH_FAILPOINT", p);
        }
        c
    }

    /// Runs `check` to its end (or to its failpoint).
    pub fn check(&self, failpoint: Option<&str>) -> Output {
        self.check_command(failpoint).output().expect("the claimwatch binary runs")
    }

    /// Starts `check` without waiting for it (its output is discarded).
    pub fn spawn_check(&self, failpoint: Option<&str>) -> Child {
        self.check_command(failpoint)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the claimwatch binary starts")
    }

    fn cli(&self, args: &[&str]) -> Output {
        let config = self.config.display().to_string();
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--config", &config]);
        claimwatch(&all)
    }

    /// `claimwatch status` must open the store and succeed.
    pub fn assert_status_ok(&self) {
        let out = self.cli(&["status"]);
        assert_eq!(out.status.code(), Some(0), "status: {}{}", stdout(&out), stderr(&out));
    }

    /// Every finding, resolved ones too, as `claimwatch findings` lists them.
    pub fn findings(&self) -> BTreeMap<String, FindingView> {
        let out = self.cli(&["findings", "--state", "all", "--format", "json"]);
        assert_eq!(out.status.code(), Some(0), "findings: {}{}", stdout(&out), stderr(&out));
        super::json_lines(&out)
            .into_iter()
            .filter(|l| l["type"] == "finding")
            .map(|l| {
                let s = |k: &str| l[k].as_str().unwrap_or_default().to_string();
                let pages = l["pages"].as_object().map(|p| p.keys().cloned().collect()).unwrap_or_default();
                let view = FindingView {
                    vendor: s("vendor"),
                    label: s("label"),
                    kind: s("kind"),
                    level: s("level"),
                    state: s("state"),
                    pages,
                };
                (s("id"), view)
            })
            .collect()
    }

    /// `claimwatch evidence verify`: exit code and output.
    pub fn verify_evidence(&self) -> (Option<i32>, String) {
        let out = self.cli(&["evidence", "verify"]);
        (out.status.code(), format!("{}{}", stdout(&out), stderr(&out)))
    }

    /// The store as a crashed run left it, read directly (the lock is released on return).
    pub fn store(&self, vendors: usize) -> StoreView {
        let store = Store::open(&self.store_path(), Duration::from_secs(5)).expect("the store opens after a crash");
        let pending = store.pending().unwrap();
        let findings = store.findings().unwrap();
        StoreView {
            findings: findings.len(),
            open_finding_ids: findings.iter().filter(|f| f.state == FindingState::Open).map(|f| f.id.clone()).collect(),
            pages: (0..vendors).map(|k| store.pages_of(&format!("v{k:02}")).unwrap().len()).sum(),
            runs: store.runs().unwrap().len(),
            dead_letters: store.dead_letters().unwrap().len(),
            pending_ids: pending_message_ids(&pending),
            pending: pending.len(),
        }
    }
}

/// What identifies a finding across stores (its id is a hash of these, minus level and state).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingView {
    pub vendor: String,
    pub label: String,
    pub kind: String,
    pub level: String,
    pub state: String,
    pub pages: BTreeSet<String>,
}

#[derive(Debug)]
pub struct StoreView {
    pub findings: usize,
    pub open_finding_ids: BTreeSet<String>,
    pub pages: usize,
    pub runs: usize,
    pub dead_letters: usize,
    pub pending: usize,
    /// Recipient → the Message-ID the digest of their pending entries carries.
    pub pending_ids: BTreeMap<String, String>,
}

/// The Message-ID each recipient's digest of `pending` gets: it depends on the entries only, so
/// a digest resent after a crash carries the Message-ID of the first sending.
pub fn pending_message_ids(pending: &[OutboxEntry]) -> BTreeMap<String, String> {
    let names = HashMap::new();
    let ctx = claimwatch::alert::DigestContext {
        vendor_names: &names,
        from: FROM,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
        max_registry_age_days: 365,
        evidence_head: None,
    };
    claimwatch::alert::by_recipient(pending.to_vec())
        .into_iter()
        .map(|(to, entries)| {
            let d = claimwatch::alert::digest(&to, entries[0].lang, &entries, &ctx);
            // As mail_parser gives it: without the angle brackets.
            (to, d.message_id.trim_start_matches('<').trim_end_matches('>').to_string())
        })
        .collect()
}

/// Whether the process was killed by SIGKILL.
pub fn killed(status: &ExitStatus) -> bool {
    status.signal() == Some(libc::SIGKILL)
}

/// One received message: who it went to, its Message-ID, and which vendors' pages it reports.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub message_id: String,
    pub subject: String,
    pub vendors: BTreeSet<usize>,
}

pub fn read_mail(site: &Site, m: &Received) -> Mail {
    let p = mail_parser::MessageParser::default().parse(&m.data).expect("a parsable message");
    let text = p.body_text(0).map(|t| t.into_owned()).unwrap_or_default();
    Mail {
        to: m.to.join(","),
        message_id: p.message_id().expect("a Message-ID").to_string(),
        subject: p.subject().unwrap_or_default().to_string(),
        vendors: (0..site.vendors).filter(|k| text.contains(&site.url(*k))).collect(),
    }
}

/// The alerts as (recipient, vendor) items and how many times each was delivered.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    pub items: BTreeMap<(String, usize), usize>,
    pub by_message_id: BTreeMap<String, usize>,
}

impl Tally {
    pub fn of(site: &Site, received: &[Received]) -> Tally {
        let mut t = Tally::default();
        for m in received.iter().map(|m| read_mail(site, m)) {
            *t.by_message_id.entry(m.message_id.clone()).or_default() += 1;
            for v in &m.vendors {
                *t.items.entry((m.to.clone(), *v)).or_default() += 1;
            }
        }
        t
    }

    /// Deliveries beyond the first, summed over the items.
    pub fn duplicate_items(&self) -> usize {
        self.items.values().map(|n| n - 1).sum()
    }

    /// Messages received more than once (by Message-ID), with their counts.
    pub fn repeated_messages(&self) -> BTreeMap<String, usize> {
        self.by_message_id.iter().filter(|(_, n)| **n > 1).map(|(k, n)| (k.clone(), *n)).collect()
    }

    pub fn delivered(&self) -> BTreeSet<(String, usize)> {
        self.items.keys().cloned().collect()
    }
}

/// What a crash-free run of the first `claiming` vendors gives, in a store of its own.
pub struct Reference {
    pub findings: BTreeMap<String, FindingView>,
    pub delivered: BTreeSet<(String, usize)>,
    pub messages: usize,
    pub took: Duration,
}

pub fn reference(site: &Site) -> Reference {
    let mailbox = Mailbox::start(std::net::Ipv4Addr::LOCALHOST.into()).unwrap();
    let w = World::new(site, &mailbox);
    let started = std::time::Instant::now();
    let out = w.check(None);
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(1), "the reference run finds violations: {}{}", stdout(&out), stderr(&out));
    assert!(mailbox.wait_idle(Duration::from_secs(30)));
    let received = mailbox.received();
    let tally = Tally::of(site, &received);
    assert_eq!(tally.duplicate_items(), 0);
    Reference { findings: w.findings(), delivered: tally.delivered(), messages: received.len(), took }
}

/// The items every run must end up delivering: each claiming vendor to both recipients.
pub fn expected_items(claiming: usize) -> BTreeSet<(String, usize)> {
    (0..claiming).flat_map(|k| [(FR.to_string(), k), (EN.to_string(), k)]).collect()
}

pub fn mailbox() -> Mailbox {
    Mailbox::start(std::net::Ipv4Addr::LOCALHOST.into()).expect("a loopback SMTP server")
}

/// Waits for the mail server to have read all a dead client sent; panics if it never does.
pub fn settle(mailbox: &Mailbox) {
    assert!(mailbox.wait_idle(Duration::from_secs(30)), "SMTP sessions still open 30 s after the client ended");
}

pub fn path_of(p: &Path) -> String {
    p.display().to_string()
}
