//! Store tests on real temporary sled databases.

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone, Utc};

use super::*;
use crate::config::Lang;
use crate::judge::Level;
use crate::patterns::ClaimKind;

fn finding(id: &str) -> Finding {
    let t = Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap();
    Finding {
        id: id.into(),
        vendor: "v".into(),
        label: "secnumcloud".into(),
        scheme: "secnumcloud".into(),
        kind: ClaimKind::Assertion,
        quote: "secnumcloud".into(),
        state: FindingState::Open,
        level: Level::Violation,
        reason: "r".into(),
        reason_fr: "m".into(),
        first_seen: t,
        last_seen: t,
        resolved_at: None,
        resolution: None,
        resolution_fr: None,
        reopened: 0,
        absent_runs: 0,
        pages: BTreeMap::new(),
        registry_sha256: "x".into(),
        registry_as_of: NaiveDate::from_ymd_opt(2026, 9, 15).unwrap(),
        ack: None,
        dossiers: Vec::new(),
    }
}

fn entry(to: &str, f: &Finding) -> OutboxEntry {
    OutboxEntry {
        id: String::new(),
        recipient: to.into(),
        lang: Lang::Fr,
        change: Change::Opened,
        finding: f.clone(),
        created_at: Utc::now(),
        registry_as_of: f.registry_as_of,
    }
}

fn page(url: &str) -> PageState {
    PageState {
        vendor: "v".into(),
        url: url.into(),
        last_fetch: Utc::now(),
        status: "fetched".into(),
        http_status: Some(200),
        etag: Some("\"e\"".into()),
        last_modified: None,
        content_sha256: None,
        claims: vec![],
        evidence: None,
        reading: None,
        pdf: false,
        rendered: false,
    }
}

#[test]
fn a_run_is_committed_whole_and_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let f = finding("aaaa");
    {
        let store = Store::open(&path, Duration::from_secs(1)).unwrap();
        let write = RunWrite {
            pages: vec![page("https://v.example/a"), page("https://v.example/b")],
            findings: vec![f.clone()],
            outbox: vec![entry("b@x.example", &f), entry("a@x.example", &f), entry("a@x.example", &f)],
            run: None,
            reading: None,
        };
        let recorded = store.commit(&write).unwrap();
        assert_eq!(recorded.len(), 3);
        assert!(recorded.iter().all(|e| !e.id.is_empty()));
    }
    let store = Store::open(&path, Duration::from_secs(1)).unwrap();
    assert_eq!(store.pages_of("v").unwrap().len(), 2);
    assert!(store.pages_of("w").unwrap().is_empty(), "pages are keyed by vendor");
    assert_eq!(store.finding("aaaa").unwrap().unwrap(), f);
    let pending: Vec<String> = store.pending().unwrap().into_iter().map(|e| e.recipient).collect();
    assert_eq!(pending, vec!["a@x.example", "a@x.example", "b@x.example"], "grouped by recipient, in order");
}

#[test]
fn delivered_entries_go_and_refused_ones_become_dead_letters() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db"), Duration::from_secs(1)).unwrap();
    let f = finding("bbbb");
    let recorded = store
        .commit(&RunWrite { outbox: vec![entry("a@x.example", &f), entry("b@x.example", &f)], ..Default::default() })
        .unwrap();
    store.delivered(&[recorded[0].id.clone()]).unwrap();
    assert_eq!(store.pending().unwrap().len(), 1);
    store.dead_letter(&recorded[1..], "550 Mailbox unavailable", Utc::now()).unwrap();
    assert!(store.pending().unwrap().is_empty());
    let dead = store.dead_letters().unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].entry.recipient, "b@x.example");
    assert_eq!(dead[0].error, "550 Mailbox unavailable");
}

#[test]
fn acknowledging_a_missing_finding_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db"), Duration::from_secs(1)).unwrap();
    assert!(matches!(store.set_ack("nope", None), Err(StoreError::NoFinding(_))));
    store.commit(&RunWrite { findings: vec![finding("cccc")], ..Default::default() }).unwrap();
    let ack = Ack { reason: "ok".into(), by: "me".into(), at: Utc::now(), until: None };
    assert_eq!(store.set_ack("cccc", Some(ack.clone())).unwrap().ack, Some(ack));
}

#[test]
fn a_store_held_elsewhere_is_reported_busy_after_the_wait() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let _held = Store::open(&path, Duration::from_secs(1)).unwrap();
    let started = std::time::Instant::now();
    match Store::open(&path, Duration::from_millis(300)) {
        Err(StoreError::Busy { waited, .. }) => {
            assert!(waited >= Duration::from_millis(300));
            assert!(started.elapsed() >= Duration::from_millis(300));
        }
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("a second open of a held store must fail"),
    }
}

#[test]
fn a_corrupt_record_is_named_not_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db"), Duration::from_secs(1)).unwrap();
    store.findings.insert(b"bad", b"{not json".as_slice()).unwrap();
    let err = store.findings().unwrap_err().to_string();
    assert!(err.contains("corrupt findings record \"bad\""), "{err}");
}

#[test]
fn the_reading_version_is_written_only_with_a_write_that_carries_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db"), Duration::from_secs(1)).unwrap();
    assert_eq!(store.reading().unwrap(), None);
    assert!(!store.has_pages().unwrap());
    let mut read = page("https://v.example/a");
    read.reading = Some("new".into());
    store.commit(&RunWrite { pages: vec![page("https://v.example/b"), read], ..Default::default() }).unwrap();
    assert!(store.has_pages().unwrap());
    assert_eq!(store.reading().unwrap(), None, "a vendor's write leaves the version alone");
    assert_eq!(store.pages_read_otherwise("new").unwrap(), 1, "the page without a version counts");
    let meta = ReadingMeta { version: "new".into(), run: "r1".into(), at: Utc::now() };
    store.commit(&RunWrite { reading: Some(meta.clone()), ..Default::default() }).unwrap();
    assert_eq!(store.reading().unwrap(), Some(meta));
}

#[test]
fn records_written_before_reading_versions_still_decode() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db"), Duration::from_secs(1)).unwrap();
    // As an older claimwatch wrote them: no `reading` on the page, a change of the old kinds.
    let old_page = r#"{"V1":{"vendor":"v","url":"https://v.example/a","last_fetch":"2026-11-28T10:00:00Z","status":"fetched","http_status":200,"etag":null,"last_modified":null,"content_sha256":null,"claims":[]}}"#;
    store.pages.insert(page_key("v", "https://v.example/a"), old_page.as_bytes()).unwrap();
    let mut old_entry = serde_json::to_value(Stored::V1(entry("a@x.example", &finding("dddd")))).unwrap();
    old_entry["V1"]["change"] = serde_json::json!({"change": "resolved", "why": "gone"});
    store.outbox.insert(b"a\0x", serde_json::to_vec(&old_entry).unwrap()).unwrap();
    assert_eq!(store.pages_of("v").unwrap()[0].reading, None);
    let pending = store.pending().unwrap();
    assert_eq!(pending[0].change, Change::Resolved { why: "gone".into(), why_fr: String::new() });
}

#[test]
fn a_reread_change_round_trips_through_the_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db"), Duration::from_secs(1)).unwrap();
    let mut e = entry("a@x.example", &finding("eeee"));
    e.change = Change::Reread {
        now: Some(NowRead {
            kind: ClaimKind::InProgress,
            level: Level::Warning,
            reason: "r".into(),
            reason_fr: "m".into(),
            finding: Some("ffff".into()),
        }),
        from: Some("old".into()),
        to: "new".into(),
    };
    store.commit(&RunWrite { outbox: vec![e.clone()], ..Default::default() }).unwrap();
    assert_eq!(store.pending().unwrap()[0].change, e.change);
}
