//! Crash soak: 20 `check` runs, each killed (SIGKILL) at a seeded random moment while new findings keep appearing, then a run to completion; the store always opens, no finding is lost, every alert arrives, and every duplicate is accounted for by a kill inside the acceptance→delete window.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use claimwatch::failpoint::POINTS;
use common::crash::*;
use common::{stderr, stdout};

/// One new vendor starts claiming before each run, so every run has alerts to send.
const VENDORS: usize = 20;
const RUNS: usize = 20;
const SEED: u64 = 0x00c1_a1a7_c45e_ed00;

/// splitmix64: small, seeded, and the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// How a run is to die.
#[derive(Debug, Clone, Copy)]
enum Kill {
    /// SIGKILL from the test after this long.
    After(Duration),
    /// The numbered failpoint (it kills itself there, if the run gets there).
    At(usize),
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_random_kills_lose_nothing_and_every_duplicate_is_accounted_for() {
    let site = Site::start(VENDORS, VENDORS).await;
    tokio::task::block_in_place(|| soak(&site));
}

fn soak(site: &Site) {
    // A crash-free run over the final state of the site: what must hold at the end, and how long
    // a run takes here (the kill moments are drawn within it, so they scale with the machine).
    let reference = reference(site);
    assert_eq!(reference.findings.len(), VENDORS);
    assert_eq!(reference.delivered, expected_items(VENDORS));
    let span = reference.took.mul_f64(1.2);

    let mailbox = mailbox();
    let world = World::new(site, &mailbox);
    let mut rng = Rng(SEED);
    let mut seen_findings: BTreeSet<String> = BTreeSet::new();
    let mut received_before: BTreeMap<String, usize> = BTreeMap::new();
    let (mut killed_runs, mut completed, mut window_kills, mut resend_items) = (0, 0, 0, 0);
    let mut log = Vec::new();

    for run in 0..RUNS {
        site.set_claiming(run + 1);
        // A mix: one run in three dies at a random numbered point, the others at a random moment.
        let kill = if rng.below(3) == 0 {
            Kill::At(1 + rng.below(POINTS.len() as u64) as usize)
        } else {
            Kill::After(span.mul_f64(rng.unit()))
        };
        let point = match kill {
            Kill::At(n) => Some(n.to_string()),
            Kill::After(_) => None,
        };
        let mut child = world.spawn_check(point.as_deref());
        if let Kill::After(d) = kill {
            std::thread::sleep(d);
            // It may have finished already: then there is nothing to kill.
            let _ = child.kill();
        }
        let status = child.wait().unwrap();
        settle(&mailbox);

        // The store opens (for the binary, and here), and no finding ever disappears or closes.
        world.assert_status_ok();
        let store = world.store(VENDORS);
        let ids = store.open_finding_ids.clone();
        assert_eq!(ids.len(), store.findings, "all open: {store:?}");
        assert!(seen_findings.is_subset(&ids), "run {run} ({kill:?}) lost findings: {seen_findings:?} → {ids:?}");
        seen_findings = ids;
        assert_eq!(store.dead_letters, 0);
        let received = mailbox.received();
        let mails: Vec<Mail> = received.iter().map(|m| read_mail(site, m)).collect();
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for m in &mails {
            *counts.entry(m.message_id.clone()).or_default() += 1;
        }
        let outcome = if killed(&status) {
            killed_runs += 1;
            // The acceptance→delete window: a digest this run got accepted (received once more
            // than before the run) whose entries are all still pending, so the next run sends
            // it again. Each of its items will then be delivered once more.
            for (to, id) in &store.pending_ids {
                if counts.get(id).copied().unwrap_or(0) > received_before.get(id).copied().unwrap_or(0) {
                    window_kills += 1;
                    let items = mails.iter().find(|m| &m.message_id == id).map_or(0, |m| m.vendors.len());
                    assert!(items > 0, "the resent digest to {to} reports vendors");
                    resend_items += items;
                }
            }
            "killed"
        } else {
            assert!(matches!(status.code(), Some(0 | 1)), "run {run}: {status:?}");
            assert_eq!(store.pending, 0, "a completed run leaves nothing in the outbox: {store:?}");
            completed += 1;
            "completed"
        };
        log.push(format!("run {run:2}: {kill:?} → {outcome}, {} findings, {} mails", seen_findings.len(), mails.len()));
        received_before = counts;
    }

    // A last run to completion.
    let out = world.check(None);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{:?}: {}{}", out.status, stdout(&out), stderr(&out));
    settle(&mailbox);
    world.assert_status_ok();
    assert_eq!(world.findings(), reference.findings, "no finding lost or altered");
    let store = world.store(VENDORS);
    assert_eq!((store.pending, store.dead_letters), (0, 0), "{store:?}");

    let tally = Tally::of(site, &mailbox.received());
    let repeated: usize = tally.repeated_messages().values().map(|n| n - 1).sum();
    let summary = format!(
        "{}\nseed {SEED:#x}, span {span:?}: {killed_runs} killed, {completed} completed; {window_kills} kills in the \
         acceptance→delete window, {resend_items} items to resend; {} duplicate items delivered, {repeated} repeated \
         Message-IDs, {} mails",
        log.join("\n"),
        tally.duplicate_items(),
        mailbox.received().len()
    );
    println!("{summary}");
    assert!(killed_runs >= RUNS / 4, "the soak must actually kill: {summary}");
    assert_eq!(tally.delivered(), reference.delivered, "every alert delivered: {summary}");
    // Strict: each duplicate delivery is one the window explains, and each window kill did
    // cause its resend. A resend may carry new entries too (a new Message-ID), hence `<=` for
    // the repeated Message-IDs.
    assert_eq!(tally.duplicate_items(), resend_items, "{summary}");
    assert!(repeated <= window_kills, "{summary}");
    let (code, text) = world.verify_evidence();
    assert_eq!(code, Some(0), "the evidence verifies after {killed_runs} kills: {text}");
}
