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
        notes: Vec::new(),
        rendered: false,
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
            operator: false,
            attach_dossier: false,
        },
        Recipient {
            email: "violations@x.example".into(),
            name: None,
            lang: Lang::En,
            min_level: Level::Violation,
            vendors: Some(vec!["v".into()]),
            resolutions: false,
            operator: false,
            attach_dossier: false,
        },
        Recipient {
            email: "other@x.example".into(),
            name: None,
            lang: Lang::En,
            min_level: Level::Warning,
            vendors: Some(vec!["someone-else".into()]),
            resolutions: true,
            operator: false,
            attach_dossier: false,
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
    /// The reading version of the next run.
    reading: String,
}

impl Sim {
    fn new(vendor: Vendor) -> Sim {
        Sim {
            vendor,
            registry: registry(),
            recipients: recipients(),
            pages: vec![],
            findings: vec![],
            run: 0,
            reading: "r1".into(),
        }
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
            reading: &self.reading,
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

// ── Re-reading: new reading rules over the same bytes ──────────────────────────────────────

/// Pages with a known body hash, each carrying `claims`.
fn hashed(paths: &[&str], sha: &str, claims: Vec<JudgedClaim>) -> Vec<PageRecord> {
    paths
        .iter()
        .map(|path| {
            let mut p = page(path, PageStatus::Fetched, claims.clone());
            p.content_sha256 = Some(sha.into());
            p
        })
        .collect()
}

fn assertion() -> Vec<JudgedClaim> {
    vec![claim(ClaimKind::Assertion, "Offre qualifiée SecNumCloud.")]
}

fn finding_of_kind(sim: &Sim, kind: ClaimKind) -> &Finding {
    sim.findings.iter().find(|f| f.kind == kind).unwrap_or_else(|| panic!("no {kind} finding: {:#?}", sim.findings))
}

#[test]
fn a_claim_no_longer_read_on_unchanged_bytes_is_resolved_as_re_read_at_once() {
    let mut sim = Sim::new(vendor(None));
    sim.run(AT, hashed(&["/p0", "/p1"], "s1", assertion()));
    sim.reading = "r2".into();
    let u = sim.run(AT, hashed(&["/p0", "/p1"], "s1", vec![]));
    assert_eq!((u.opened, u.resolved, u.reread, u.pages_reread), (0, 0, 1, 2));
    let f = sim.only_finding();
    assert_eq!(f.state, FindingState::Resolved, "at once, not after two runs");
    assert!(f.resolution.as_deref().unwrap().starts_with("no longer read as a claim"), "{:?}", f.resolution);
    assert!(f.resolution_fr.as_deref().unwrap().contains("la page n'a pas changé"), "{:?}", f.resolution_fr);
    let to: Vec<&str> = u.outbox.iter().map(|e| e.recipient.as_str()).collect();
    assert_eq!(to, vec!["all@x.example"], "like a resolution: only who wants resolutions");
    assert_eq!(u.outbox[0].change, Change::Reread { now: None, from: Some("r1".into()), to: "r2".into() });
    assert!(u.pages.iter().all(|p| p.reading.as_deref() == Some("r2")));
}

#[test]
fn a_claim_gone_from_a_changed_page_keeps_the_two_run_rule_during_a_re_read() {
    let mut sim = Sim::new(vendor(None));
    sim.run(AT, hashed(&["/p0"], "s1", assertion()));
    sim.reading = "r2".into();
    let first = sim.run(AT, hashed(&["/p0"], "s2", vec![]));
    assert_eq!((first.reread, first.resolved, first.pages_reread), (0, 0, 1));
    assert!(first.outbox.is_empty());
    assert_eq!(sim.only_finding().state, FindingState::Open);
    assert_eq!(sim.only_finding().absent_runs, 1);
    let second = sim.run(AT, hashed(&["/p0"], "s2", vec![]));
    assert_eq!((second.resolved, second.reread, second.pages_reread), (1, 0, 0));
    assert!(second.outbox.iter().all(|e| matches!(e.change, Change::Resolved { .. })));
}

#[test]
fn a_finding_also_gone_from_an_edited_page_keeps_the_two_run_rule_during_a_re_read() {
    let mut sim = Sim::new(vendor(None));
    sim.run(AT, [hashed(&["/p0"], "s1", assertion()), hashed(&["/p1"], "t1", assertion())].concat());
    sim.reading = "r2".into();
    let u = sim.run(AT, [hashed(&["/p0"], "s1", vec![]), hashed(&["/p1"], "t2", vec![])].concat());
    assert_eq!((u.reread, u.resolved, u.pages_reread), (0, 0, 2));
    assert_eq!(sim.only_finding().absent_runs, 1, "the edit may be what removed it");
}

#[test]
fn a_page_the_finding_had_already_left_does_not_stop_a_re_read_resolution() {
    let mut sim = Sim::new(vendor(None));
    sim.run(AT, hashed(&["/p0", "/p1"], "s1", assertion()));
    sim.run(
        AT,
        [hashed(&["/p0"], "s1", assertion()), vec![page("/p1", PageStatus::Failed(Failure::Status(404)), vec![])]]
            .concat(),
    );
    assert_eq!(sim.only_finding().state, FindingState::Open);
    sim.reading = "r2".into();
    let gone_again = page("/p1", PageStatus::Failed(Failure::Status(404)), vec![]);
    let u = sim.run(AT, [hashed(&["/p0"], "s1", vec![]), vec![gone_again]].concat());
    assert_eq!((u.reread, u.resolved), (1, 0));
    assert_eq!(sim.only_finding().state, FindingState::Resolved);
}

#[test]
fn a_claim_read_with_another_kind_is_one_re_read_change_without_a_separate_opening() {
    let mut sim = Sim::new(vendor(None));
    sim.run(AT, hashed(&["/p0", "/p1"], "s1", assertion()));
    let old_id = sim.only_finding().id.clone();
    sim.reading = "r2".into();
    let adjacent = vec![claim(ClaimKind::Adjacent, "Offre qualifiée SecNumCloud.")];
    let u = sim.run(AT, hashed(&["/p0", "/p1"], "s1", adjacent.clone()));
    assert_eq!((u.opened, u.resolved, u.reread), (0, 0, 1));
    let new = finding_of_kind(&sim, ClaimKind::Adjacent);
    assert_eq!((new.state, new.level), (FindingState::Open, Level::Warning));
    let old = sim.findings.iter().find(|f| f.id == old_id).unwrap();
    assert_eq!(old.state, FindingState::Resolved);
    assert!(old.resolution.as_deref().unwrap().contains("now read as adjacent (warning)"), "{:?}", old.resolution);
    // The violation-only recipient heard of the violation, wants no resolutions and no warnings.
    let to: Vec<&str> = u.outbox.iter().map(|e| e.recipient.as_str()).collect();
    assert_eq!(to, vec!["all@x.example"]);
    let e = &u.outbox[0];
    assert_eq!(e.finding.id, old_id, "the entry keeps the old finding");
    match &e.change {
        Change::Reread { now: Some(now), from, to } => {
            assert_eq!((now.kind, now.level), (ClaimKind::Adjacent, Level::Warning));
            assert_eq!(now.finding.as_deref(), Some(new.id.as_str()));
            assert_eq!((from.as_deref(), to.as_str()), (Some("r1"), "r2"));
        }
        other => panic!("{other:?}"),
    }
    let after = sim.run(AT, hashed(&["/p0", "/p1"], "s1", adjacent));
    assert!(after.outbox.is_empty() && after.opened + after.resolved + after.reread == 0, "nothing twice");
}

#[test]
fn a_claim_now_read_as_a_mention_resolves_its_finding_as_re_read() {
    let mut sim = Sim::new(vendor(None));
    sim.run(AT, hashed(&["/p0"], "s1", assertion()));
    sim.reading = "r2".into();
    let u = sim.run(AT, hashed(&["/p0"], "s1", vec![claim(ClaimKind::Mention, "Offre qualifiée SecNumCloud.")]));
    assert_eq!((u.opened, u.resolved, u.reread), (0, 0, 1));
    assert_eq!(sim.only_finding().state, FindingState::Resolved, "a mention opens no finding");
    match &u.outbox[0].change {
        Change::Reread { now: Some(now), .. } => {
            assert_eq!((now.kind, now.level, now.finding.as_deref()), (ClaimKind::Mention, Level::Ok, None));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn with_the_reading_unchanged_the_ordinary_lifecycle_applies() {
    let mut sim = Sim::new(vendor(None));
    sim.run(AT, hashed(&["/p0"], "s1", assertion()));
    let u = sim.run(AT, hashed(&["/p0"], "s1", vec![]));
    assert_eq!((u.reread, u.resolved, u.pages_reread), (0, 0, 0));
    assert_eq!(sim.only_finding().absent_runs, 1, "absent once: still open");
    let adjacent = vec![claim(ClaimKind::Adjacent, "Offre qualifiée SecNumCloud.")];
    let kind = sim.run(AT, hashed(&["/p0"], "s1", adjacent));
    assert_eq!((kind.opened, kind.resolved, kind.reread), (1, 1, 0), "an opening and a resolution");
}

#[test]
fn an_acknowledged_finding_read_with_another_kind_stays_acknowledged_and_silent() {
    let mut sim = Sim::new(vendor(None));
    sim.run(AT, hashed(&["/p0"], "s1", assertion()));
    let ack = Ack { reason: "reviewed".into(), by: "tester".into(), at: Utc::now(), until: None };
    sim.findings[0].ack = Some(ack.clone());
    sim.reading = "r2".into();
    let u = sim.run(AT, hashed(&["/p0"], "s1", vec![claim(ClaimKind::Adjacent, "Offre qualifiée SecNumCloud.")]));
    assert_eq!(u.reread, 1);
    assert!(u.outbox.is_empty(), "{:?}", u.outbox);
    assert_eq!(finding_of_kind(&sim, ClaimKind::Assertion).ack, Some(ack.clone()));
    assert_eq!(finding_of_kind(&sim, ClaimKind::Adjacent).ack, Some(ack), "the new kind inherits the review");
}

#[test]
fn a_finding_only_the_new_reading_sees_is_opened_normally() {
    let mut sim = Sim::new(vendor(None));
    sim.run(AT, hashed(&["/p0"], "s1", vec![claim(ClaimKind::Mention, "Offre qualifiée SecNumCloud.")]));
    sim.reading = "r2".into();
    let u = sim.run(AT, hashed(&["/p0"], "s1", assertion()));
    assert_eq!((u.opened, u.reread), (1, 0));
    assert!(u.outbox.iter().all(|e| e.change == Change::Opened));
    assert_eq!(u.outbox.len(), 2);
}

#[test]
fn a_registry_change_during_a_re_read_is_still_announced_as_the_registry_s() {
    let mut sim = Sim::new(vendor(Some("Qualifié SA")));
    sim.run("2024-01-01", hashed(&["/p0"], "s1", assertion()));
    sim.reading = "r2".into();
    let u = sim.run("2024-07-01", hashed(&["/p0"], "s1", assertion()));
    assert_eq!((u.resolved, u.reread), (1, 0));
    assert!(matches!(&u.outbox[0].change, Change::Resolved { why, .. } if why.starts_with("now judged acceptable")));
}
