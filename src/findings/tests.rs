//! Unit tests of the finding lifecycle, run by run, on hand-made crawl results.

use std::path::Path;

use chrono::TimeZone;
use url::Url;

use super::*;
use crate::config::{Lang, Recipient};
use crate::detect::Claim;
use crate::extract::Location;
use crate::judge::Level;
use crate::patterns::ClaimKind;
use crate::pipeline::{PageRecord, PageStatus, VendorReport};
use crate::scan::JudgedClaim;
use crate::store::{Ack, FindingState};

fn registry() -> Registry {
    Registry::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/registry.toml")).unwrap()
}

fn vendor(provider: Option<&str>) -> Vendor {
    Vendor { provider: provider.map(String::from), ..Vendor::new("v", "Vendeur") }
}

fn claim(kind: ClaimKind, context: &str) -> JudgedClaim {
    JudgedClaim {
        claim: Claim {
            label: "secnumcloud".into(),
            scheme: "secnumcloud".into(),
            kind,
            matched: "SecNumCloud".into(),
            folded: "secnumcloud".into(),
            context: context.into(),
            location: Location::Text,
            detail: "body".into(),
            rule: None,
            cues: Default::default(),
            subject: Default::default(),
            subject_name: None,
            demoted: None,
        },
        verdict: Verdict { level: Level::Ok, reason: String::new(), reason_fr: String::new() },
    }
}

fn page(path: &str, status: PageStatus, claims: Vec<JudgedClaim>) -> PageRecord {
    let url = Url::parse(&format!("https://www.v.example{path}")).unwrap();
    PageRecord {
        final_url: url.clone(),
        url,
        depth: 0,
        status,
        http_status: Some(200),
        encoding: Some("UTF-8"),
        fetched_at: None,
        etag: None,
        last_modified: None,
        content_sha256: None,
        claims,
        evidence: None,
    }
}

fn report(pages: Vec<PageRecord>) -> VendorReport {
    VendorReport {
        vendor_id: "v".into(),
        vendor_name: "Vendeur".into(),
        pages,
        not_crawled: vec![],
        sitemaps_read: 0,
        links_out_of_scope: 0,
        links_too_deep: 0,
        pages_over_budget: 0,
    }
}

fn recipients() -> Vec<Recipient> {
    vec![
        Recipient {
            email: "all@x.example".into(),
            name: None,
            lang: Lang::Fr,
            min_level: Level::Warning,
            vendors: None,
            resolutions: true,
        },
        Recipient {
            email: "violations@x.example".into(),
            name: None,
            lang: Lang::En,
            min_level: Level::Violation,
            vendors: Some(vec!["v".into()]),
            resolutions: false,
        },
        Recipient {
            email: "other@x.example".into(),
            name: None,
            lang: Lang::En,
            min_level: Level::Warning,
            vendors: Some(vec!["someone-else".into()]),
            resolutions: true,
        },
    ]
}

/// Runs the lifecycle over successive runs, carrying the state like the store would.
struct Sim {
    vendor: Vendor,
    registry: Registry,
    recipients: Vec<Recipient>,
    pages: Vec<PageState>,
    findings: Vec<Finding>,
    run: u32,
}

impl Sim {
    fn new(vendor: Vendor) -> Sim {
        Sim { vendor, registry: registry(), recipients: recipients(), pages: vec![], findings: vec![], run: 0 }
    }

    fn run(&mut self, at: &str, pages: Vec<PageRecord>) -> VendorUpdate {
        self.run += 1;
        let now = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap() + chrono::Duration::days(self.run.into());
        let gazetteer = crate::gazetteer::Gazetteer::empty();
        let ctx = Context {
            registry: &self.registry,
            gazetteer: &gazetteer,
            at: at.parse().unwrap(),
            now,
            recipients: &self.recipients,
        };
        let update = update_vendor(&self.vendor, &report(pages), self.pages.clone(), self.findings.clone(), &ctx);
        for p in &update.pages {
            self.pages.retain(|q| q.url != p.url);
            self.pages.push(p.clone());
        }
        for f in &update.findings {
            self.findings.retain(|g| g.id != f.id);
            self.findings.push(f.clone());
        }
        update
    }

    fn only_finding(&self) -> &Finding {
        assert_eq!(self.findings.len(), 1, "{:#?}", self.findings);
        &self.findings[0]
    }
}

const AT: &str = "2026-11-28";

fn footer_site(n: usize) -> Vec<PageRecord> {
    (0..n)
        .map(|i| {
            page(
                &format!("/p{i}"),
                PageStatus::Fetched,
                vec![claim(ClaimKind::Assertion, "Offre qualifiée SecNumCloud.")],
            )
        })
        .collect()
}

#[test]
fn a_footer_claim_on_many_pages_is_one_finding_with_one_alert_per_recipient() {
    let mut sim = Sim::new(vendor(None));
    let u = sim.run(AT, footer_site(200));
    assert_eq!(u.opened, 1);
    let f = sim.only_finding();
    assert_eq!(f.pages.len(), 200);
    assert_eq!(f.state, FindingState::Open);
    assert_eq!(f.level, Level::Violation);
    let to: Vec<&str> = u.outbox.iter().map(|e| e.recipient.as_str()).collect();
    assert_eq!(to, vec!["all@x.example", "violations@x.example"], "the vendor filter keeps the third out");
    assert!(u.outbox.iter().all(|e| e.change == Change::Opened));
}

#[test]
fn a_finding_seen_again_sends_nothing() {
    let mut sim = Sim::new(vendor(None));
    sim.run(AT, footer_site(3));
    let again = sim.run(AT, footer_site(3));
    assert!(again.outbox.is_empty());
    assert_eq!(again.opened + again.resolved, 0);
    assert_eq!(sim.only_finding().state, FindingState::Open);
}

#[test]
fn a_claim_that_stops_resolves_after_two_successful_runs_and_only_then() {
    let mut sim = Sim::new(vendor(None));
    sim.run(AT, footer_site(2));
    let clean = || {
        footer_site(2)
            .into_iter()
            .map(|mut p| {
                p.claims.clear();
                p
            })
            .collect::<Vec<_>>()
    };
    let first = sim.run(AT, clean());
    assert!(first.outbox.is_empty());
    assert_eq!(sim.only_finding().state, FindingState::Open);
    assert_eq!(sim.only_finding().absent_runs, 1);
    let second = sim.run(AT, clean());
    assert_eq!(second.resolved, 1);
    assert_eq!(sim.only_finding().state, FindingState::Resolved);
    let to: Vec<&str> = second.outbox.iter().map(|e| e.recipient.as_str()).collect();
    assert_eq!(to, vec!["all@x.example"], "only recipients who want resolutions");
    assert!(
        matches!(&second.outbox[0].change, Change::Resolved { why_fr, .. } if why_fr.contains("2 passages réussis"))
    );
}

#[test]
fn a_flapping_page_produces_no_alert_storm() {
    let mut sim = Sim::new(vendor(None));
    let mut alerts = sim.run(AT, footer_site(1)).outbox.len();
    for i in 0..6 {
        let pages = if i % 2 == 0 {
            let mut p = footer_site(1);
            p[0].claims.clear();
            p
        } else {
            footer_site(1)
        };
        alerts += sim.run(AT, pages).outbox.len();
    }
    assert_eq!(alerts, 2, "the opening only, to two recipients");
    assert_eq!(sim.only_finding().state, FindingState::Open);
}

#[test]
fn a_failed_fetch_proves_nothing_but_a_404_is_absence() {
    let mut sim = Sim::new(vendor(None));
    sim.run(AT, footer_site(1));
    for _ in 0..3 {
        sim.run(AT, vec![page("/p0", PageStatus::Failed(Failure::Timeout), vec![])]);
    }
    assert_eq!(sim.only_finding().state, FindingState::Open);
    assert_eq!(sim.only_finding().absent_runs, 0);
    sim.run(AT, vec![page("/p0", PageStatus::Failed(Failure::Status(404)), vec![])]);
    let u = sim.run(AT, vec![page("/p0", PageStatus::Failed(Failure::Status(410)), vec![])]);
    assert_eq!(u.resolved, 1);
}

#[test]
fn a_resolved_finding_that_returns_is_reopened_and_announced() {
    let mut sim = Sim::new(vendor(None));
    sim.run(AT, footer_site(1));
    let mut clean = footer_site(1);
    clean[0].claims.clear();
    sim.run(AT, clean.clone());
    sim.run(AT, clean);
    assert_eq!(sim.only_finding().state, FindingState::Resolved);
    let back = sim.run(AT, footer_site(1));
    assert!(back.outbox.iter().all(|e| e.change == Change::Reopened));
    assert_eq!(back.outbox.len(), 2);
    assert_eq!(sim.only_finding().reopened, 1);
}

#[test]
fn a_registry_change_re_judges_stored_claims_without_refetching() {
    // "Qualifié SA" holds a qualification from 2024-06-30 to 2027-06-30 in the test registry.
    let mut sim = Sim::new(vendor(Some("Qualifié SA")));
    let before = sim.run("2024-01-01", footer_site(1));
    assert_eq!(before.opened, 1, "claiming before the qualification is a violation");
    // Newly qualified: resolved at once, even though the page could not be fetched this run.
    let qualified = sim.run("2024-07-01", vec![page("/p0", PageStatus::Failed(Failure::Timeout), vec![])]);
    assert_eq!(qualified.resolved, 1);
    assert!(
        matches!(&qualified.outbox[0].change, Change::Resolved { why, .. } if why.starts_with("now judged acceptable"))
    );
    // Expired: the stored claim opens the finding again.
    let expired = sim.run("2027-07-01", vec![page("/p0", PageStatus::Failed(Failure::Timeout), vec![])]);
    assert_eq!(expired.opened, 1);
    assert!(sim.only_finding().reason.contains("expired on 2027-06-30"));
}

#[test]
fn an_acknowledged_finding_changes_state_silently() {
    let mut sim = Sim::new(vendor(None));
    sim.run(AT, footer_site(1));
    sim.findings[0].ack =
        Some(Ack { reason: "reviewed: a partner's page".into(), by: "tester".into(), at: Utc::now(), until: None });
    let mut clean = footer_site(1);
    clean[0].claims.clear();
    sim.run(AT, clean.clone());
    let resolved = sim.run(AT, clean);
    assert_eq!(resolved.resolved, 1);
    assert!(resolved.outbox.is_empty(), "no alert for an acknowledged finding");
    let expired_ack =
        Ack { reason: "r".into(), by: "t".into(), at: Utc::now(), until: Some("2026-01-01".parse().unwrap()) };
    sim.findings[0].ack = Some(expired_ack);
    assert_eq!(sim.run(AT, footer_site(1)).outbox.len(), 2, "alerts resume after the ack's date");
}

#[test]
fn warnings_reach_only_recipients_who_want_them_and_ok_claims_open_nothing() {
    let mut sim = Sim::new(vendor(None));
    let u = sim.run(AT, vec![page("/a", PageStatus::Fetched, vec![claim(ClaimKind::Adjacent, "SecNumCloud-ready.")])]);
    let to: Vec<&str> = u.outbox.iter().map(|e| e.recipient.as_str()).collect();
    assert_eq!(to, vec!["all@x.example"]);
    let mut quiet = Sim::new(vendor(None));
    let u = quiet
        .run(AT, vec![page("/m", PageStatus::Fetched, vec![claim(ClaimKind::Mention, "Qu'est-ce que SecNumCloud ?")])]);
    assert!(u.findings.is_empty() && u.outbox.is_empty());
    assert_eq!(u.pages[0].claims.len(), 1, "ok claims are kept for re-judging");
}

#[test]
fn finding_ids_are_short_stable_and_distinguish_vendor_label_kind_and_quote() {
    let a = finding_id("v", "secnumcloud", "assertion", "secnumcloud");
    assert_eq!(a.len(), 12);
    assert_eq!(a, finding_id("v", "secnumcloud", "assertion", "secnumcloud"));
    assert_ne!(a, finding_id("w", "secnumcloud", "assertion", "secnumcloud"));
    assert_ne!(a, finding_id("v", "hds", "assertion", "secnumcloud"));
    assert_ne!(a, finding_id("v", "secnumcloud", "adjacent", "secnumcloud"));
    assert_ne!(a, finding_id("v", "secnumcloud", "assertion", "sec num cloud"));
}
