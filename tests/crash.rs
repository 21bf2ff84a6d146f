//! Crash consistency, point by point: `check` killed (SIGKILL) at each numbered failpoint against loopback sites and a real SMTP server, then run again; nothing is lost and nothing is sent twice outside the one allowed window.

mod common;

use std::collections::BTreeSet;

use claimwatch::failpoint::POINTS;
use claimwatch::mailbox::Mailbox;
use common::crash::*;
use common::{stderr, stdout};

/// Two vendors claim: two findings, and one digest per recipient carrying both.
const VENDORS: usize = 2;

/// A world crashed at `point`, with the crash-free reference of the same site.
struct Crashed {
    site: Site,
    mailbox: Mailbox,
    world: World,
    reference: Reference,
}

async fn crash_at(point: &str) -> Crashed {
    let site = Site::start(VENDORS, VENDORS).await;
    tokio::task::block_in_place(|| {
        let reference = reference(&site);
        assert_eq!(reference.findings.len(), VENDORS, "one finding per claiming vendor");
        assert_eq!(reference.delivered, expected_items(VENDORS));
        assert_eq!(reference.messages, 2, "one digest per recipient");
        let mailbox = mailbox();
        let world = World::new(&site, &mailbox);
        let out = world.check(Some(point));
        assert!(killed(&out.status), "killed by SIGKILL at {point}: {:?} {}{}", out.status, stdout(&out), stderr(&out));
        let name = claimwatch::failpoint::resolve(point).unwrap();
        assert!(stderr(&out).contains(&format!("failpoint {name} reached")), "{}", stderr(&out));
        settle(&mailbox);
        Crashed { site, mailbox, world, reference }
    })
}

impl Crashed {
    /// Runs `check` again to its end and asserts the invariants; `resent` is the recipient whose
    /// digest the crash left accepted but not deleted (point 4 only): that one message, and only
    /// it, may arrive twice.
    fn recover(&self, resent: Option<&str>) {
        tokio::task::block_in_place(|| {
            let out = self.world.check(None);
            assert!(matches!(out.status.code(), Some(0 | 1)), "{:?}: {}{}", out.status, stdout(&out), stderr(&out));
            settle(&self.mailbox);

            // The store opens, and holds what a run that never crashed holds.
            self.world.assert_status_ok();
            assert_eq!(self.world.findings(), self.reference.findings, "no finding lost or altered");
            let store = self.world.store(VENDORS);
            assert_eq!((store.pending, store.dead_letters), (0, 0), "outbox empty, nothing dead: {store:?}");

            // Every alert delivered; duplicates only where the design allows one.
            let tally = Tally::of(&self.site, &self.mailbox.received());
            assert_eq!(tally.delivered(), self.reference.delivered, "every alert delivered: {tally:?}");
            let repeated = tally.repeated_messages();
            match resent {
                None => {
                    assert_eq!(tally.duplicate_items(), 0, "nothing delivered twice: {tally:?}");
                    assert!(repeated.is_empty(), "{repeated:?}");
                }
                Some(to) => {
                    // Exactly one message came twice, with the same Message-ID, to `to`: its
                    // two items (one per vendor) are the only duplicates.
                    assert_eq!(repeated.len(), 1, "one message resent: {tally:?}");
                    assert_eq!(repeated.values().next(), Some(&2));
                    assert_eq!(tally.duplicate_items(), VENDORS, "{tally:?}");
                    assert!(tally.items.iter().all(|((r, _), n)| *n == if r == to { 2 } else { 1 }), "{tally:?}");
                }
            }

            let (code, text) = self.world.verify_evidence();
            assert_eq!(code, Some(0), "the evidence still verifies: {text}");
        })
    }

    fn received_by(&self) -> Vec<String> {
        self.mailbox.received().iter().map(|m| read_mail(&self.site, m).to).collect()
    }
}

#[test]
fn the_table_is_numbered_from_one_and_names_stay_valid() {
    assert_eq!(POINTS.len(), 7);
    for (i, name) in POINTS.iter().enumerate() {
        assert_eq!(claimwatch::failpoint::resolve(&(i + 1).to_string()), Some(*name));
    }
    // An unknown point stops the run at once rather than letting a crash test pass without a crash.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_claimwatch"))
        .args(["check", "--config", "/nonexistent.toml"])
        .env("CLAIMWATCH_FAILPOINT", "after-coffee")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown failpoint \"after-coffee\""), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn point_1_after_the_commit_findings_and_outbox_are_recorded_and_go_out_next_run() {
    let c = crash_at("1").await;
    let store = c.world.store(VENDORS);
    assert_eq!((store.findings, store.runs), (VENDORS, 1), "{store:?}");
    assert_eq!(store.pending_ids.keys().collect::<BTreeSet<_>>(), BTreeSet::from([&EN.to_string(), &FR.to_string()]));
    assert!(c.mailbox.received().is_empty(), "nothing sent yet");
    c.recover(None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_named_failpoints_still_work() {
    let c = crash_at("after-commit").await;
    assert_eq!(c.world.store(VENDORS).findings, VENDORS);
    c.recover(None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn point_2_before_the_first_send_nothing_is_sent_and_all_goes_out_next_run() {
    let c = crash_at("2").await;
    let store = c.world.store(VENDORS);
    assert_eq!(store.findings, VENDORS);
    assert_eq!(store.pending_ids.len(), 2, "both digests waiting: {store:?}");
    assert!(c.mailbox.received().is_empty());
    c.recover(None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn point_3_between_two_sends_only_the_second_goes_out_next_run() {
    let c = crash_at("3").await;
    // Recipients go in address order: the English one first.
    assert_eq!(c.received_by(), vec![EN.to_string()]);
    let store = c.world.store(VENDORS);
    assert_eq!(store.pending_ids.keys().collect::<Vec<_>>(), vec![&FR.to_string()], "{store:?}");
    c.recover(None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn point_4_after_acceptance_before_the_delete_resends_that_digest_once_with_its_message_id() {
    let c = crash_at("4").await;
    let received = c.mailbox.received();
    assert_eq!(received.len(), 1);
    let first = read_mail(&c.site, &received[0]);
    assert_eq!(first.to, EN);
    // The accepted digest's entries are all still there: the next run must send it again.
    let store = c.world.store(VENDORS);
    assert_eq!(store.pending_ids.get(EN), Some(&first.message_id), "{store:?}");
    assert!(store.pending_ids.contains_key(FR));
    c.recover(Some(EN));
    let again: Vec<_> = c.mailbox.received().iter().map(|m| read_mail(&c.site, m)).filter(|m| m.to == EN).collect();
    assert_eq!(again.len(), 2);
    assert_eq!(again[1].message_id, first.message_id, "the resend carries the same Message-ID");
    assert_eq!(again[1].subject, first.subject);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn point_5_mid_transaction_nothing_of_the_run_is_visible() {
    let c = crash_at("5").await;
    // The first vendor's pages and findings were staged in its transaction when the process
    // died, and no vendor was committed before it: none of it is there.
    let store = c.world.store(VENDORS);
    assert_eq!((store.findings, store.pages, store.runs, store.pending), (0, 0, 0, 0), "{store:?}");
    assert!(c.world.findings().is_empty());
    assert!(c.mailbox.received().is_empty());
    // The crawl's evidence was logged before the commit: it verifies.
    let (code, text) = c.world.verify_evidence();
    assert_eq!(code, Some(0), "{text}");
    c.recover(None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn point_6_a_page_archived_but_not_logged_is_reported_and_does_not_break_verification() {
    let c = crash_at("6").await;
    let store = c.world.store(VENDORS);
    assert_eq!((store.findings, store.runs, store.pending), (0, 0, 0), "{store:?}");
    let (code, text) = c.world.verify_evidence();
    assert_eq!(code, Some(0), "{text}");
    // The request and the response of the first page, in the crashed run's file.
    let notes: Vec<&str> = text.lines().filter(|l| l.starts_with("not logged: ")).collect();
    assert_eq!(notes.len(), 2, "{text}");
    assert!(notes.iter().all(|n| n.contains("a trailing record the log does not name")), "{text}");
    c.recover(None);
    let (_, text) = c.world.verify_evidence();
    assert_eq!(text.lines().filter(|l| l.starts_with("not logged: ")).count(), 2, "still reported: {text}");

    // A kill in the middle of the WARC write leaves the last member cut short: the same verdict.
    let dir = c.world.scratch.path().join("evidence");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".warc.gz"))
        .collect();
    files.sort();
    let crashed = std::fs::OpenOptions::new().write(true).open(&files[0]).unwrap();
    let len = crashed.metadata().unwrap().len();
    crashed.set_len(len - 20).unwrap();
    let (code, text) = c.world.verify_evidence();
    assert_eq!(code, Some(0), "{text}");
    let notes: Vec<&str> = text.lines().filter(|l| l.starts_with("not logged: ")).collect();
    assert_eq!(notes.len(), 2, "{text}");
    assert!(notes[1].contains("cut short"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn point_7_after_the_crawl_every_vendor_is_committed_and_only_the_run_record_is_missing() {
    let c = crash_at("7").await;
    // Each vendor was committed (and flushed) as its crawl ended: findings and their alerts are
    // recorded although the run never finished.
    let store = c.world.store(VENDORS);
    assert_eq!((store.findings, store.runs), (VENDORS, 0), "{store:?}");
    assert!(store.pages >= VENDORS, "{store:?}");
    assert_eq!(store.pending_ids.keys().collect::<BTreeSet<_>>(), BTreeSet::from([&EN.to_string(), &FR.to_string()]));
    assert!(c.mailbox.received().is_empty(), "nothing sent yet");
    let (code, text) = c.world.verify_evidence();
    assert_eq!(code, Some(0), "{text}");
    assert!(!text.contains("not logged"), "{text}");
    // The next run finds nothing new to report: the waiting alerts go out once.
    c.recover(None);
}
