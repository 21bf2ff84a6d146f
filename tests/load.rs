//! Many vendors in one run: 200 vendors of 5 pages, each on its own loopback host, checked by `claimwatch check` whose open file descriptors and memory must stay bounded; and the run handing each vendor over as it ends, holding no more than the vendors in flight.
//!
//! The bounds are counts, not times, so a slow or busy machine does not make the test fail. With
//! 16 vendors crawled at a time, each at 5 requests a second, and idle connections closed after
//! 2 to 4 s, about 60 vendors' connections are open at once at most (fewer on a slower machine);
//! crawling every vendor at once and keeping each host's connection alive 90 s kept over 200.

mod load_site;

use std::process::Command;
use std::sync::Arc;

use claimwatch::config;
use claimwatch::fetch::{Fetcher, MemoryValidators};
use claimwatch::pipeline::{self, Memory, Recalled, RunExtras, VendorReport};

const VENDORS: usize = 200;
const PAGES: usize = 5;
/// Well below the 200 hosts: a connection kept per vendor would break it.
const MAX_FDS: usize = 128;
/// Generous for a debug build; the release build peaks near 70 MB on this site.
const MAX_RSS_MB: f64 = 300.0;

#[test]
fn two_hundred_vendors_are_all_checked_with_bounded_descriptors_and_memory() {
    let site = load_site::start(VENDORS, PAGES);
    let dir = tempfile::tempdir().unwrap();
    let config =
        load_site::write_config(dir.path(), &site, "requests_per_second = 5\nburst = 1\nmax_concurrent_vendors = 16");
    let (out, err) = (dir.path().join("check.ndjson"), dir.path().join("check.stderr"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_claimwatch"));
    cmd.args(["check", "--format", "json", "--config"]).arg(&config).env("NO_COLOR", "1");
    let usage = load_site::run_measured(&mut cmd, &out, &err);
    let stderr = std::fs::read_to_string(&err).unwrap();
    // 1: findings were opened (the claims are violations), which is not an error.
    assert!(matches!(usage.code, Some(0 | 1)), "exit {:?}: {stderr}", usage.code);

    let checked = load_site::parse_check_output(&out);
    assert_eq!(checked.vendors, VENDORS);
    assert_eq!(checked.pages_fetched, VENDORS * PAGES, "not checked: {:?}", checked.not_checked);
    assert!(checked.not_checked.is_empty(), "{:?}", checked.not_checked);
    let claims = VENDORS * load_site::claim_pages(PAGES);
    assert_eq!((checked.claims, checked.violations), (claims, claims));
    assert_eq!(load_site::open_findings(&config), VENDORS, "one open finding per vendor");
    assert_eq!(load_site::evidence_entries(dir.path()), claims, "each page with a claim archived");

    eprintln!("{usage:?}");
    assert!(usage.max_fds > 0, "the descriptors were never seen");
    assert!(usage.max_fds < MAX_FDS, "{} descriptors open at once for {VENDORS} vendors", usage.max_fds);
    assert!(usage.max_rss_mb < MAX_RSS_MB, "peak RSS {:.1} MB", usage.max_rss_mb);
}

/// Records when the run asks for each vendor's memory and hands over each report.
#[derive(Default)]
struct Journal {
    recalled: Vec<usize>,
    done: Vec<usize>,
    /// How many vendors had been recalled when each report came.
    recalled_at_done: Vec<usize>,
    /// Vendors recalled and not yet done, at most.
    most_in_flight: usize,
    /// Pages of the reports handed over, for the check that they are whole.
    pages: usize,
    /// Fail when this many reports have been handed over.
    fail_after: Option<usize>,
}

impl Memory for Journal {
    type Error = String;

    fn recall(&mut self, vendor: usize) -> Result<Recalled, String> {
        self.recalled.push(vendor);
        self.most_in_flight = self.most_in_flight.max(self.recalled.len() - self.done.len());
        Ok(Recalled::default())
    }

    fn done(&mut self, vendor: usize, report: VendorReport) -> Result<(), String> {
        assert!(self.recalled.contains(&vendor) && !self.done.contains(&vendor), "vendor {vendor} out of turn");
        assert_eq!(report.vendor_id, format!("v{vendor}"));
        self.pages += report.pages.len();
        self.done.push(vendor);
        self.recalled_at_done.push(self.recalled.len());
        match self.fail_after {
            Some(n) if self.done.len() >= n => Err(format!("refused after {n}")),
            _ => Ok(()),
        }
    }
}

#[test]
fn a_run_holds_only_the_vendors_in_flight_and_hands_each_report_over_as_it_ends() {
    const VENDORS: usize = 40;
    const AT_ONCE: usize = 4;
    // The site has a runtime of its own, which must not be dropped inside another.
    let site = load_site::start(VENDORS, 2);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let crawl = format!("requests_per_second = 50\nburst = 2\nmax_concurrent_vendors = {AT_ONCE}");
    let path = load_site::write_config(dir.path(), &site, &crawl);
    let setup = Arc::new(config::load(&path).unwrap_or_else(|e| panic!("{}", e.diagnostics())));
    let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    let fetcher = || Arc::new(Fetcher::new(&setup.config.crawl, Arc::new(MemoryValidators::default())).unwrap());
    let vendors = &setup.config.vendors;
    let extras = RunExtras::default();

    let mut journal = Journal::default();
    let run = pipeline::run_with(setup.clone(), fetcher(), vendors, &extras, &mut journal, at, &|_| {});
    assert_eq!(runtime.block_on(run), Ok(()));
    let mut done = journal.done.clone();
    done.sort();
    assert_eq!(done, (0..VENDORS).collect::<Vec<_>>(), "every vendor handed over once");
    assert_eq!(journal.recalled, (0..VENDORS).collect::<Vec<_>>(), "vendors start in the config's order");
    assert_eq!(journal.pages, VENDORS * 2, "whole reports");
    assert_eq!(journal.most_in_flight, AT_ONCE, "never more vendors held than max_concurrent_vendors");
    // Handed over as they end, not all at the end: each report came before the next vendor
    // started, and the first one when only the first batch had.
    let expected: Vec<usize> = (0..VENDORS).map(|k| (AT_ONCE + k).min(VENDORS)).collect();
    assert_eq!(journal.recalled_at_done, expected);

    // When the memory fails (the store cannot commit), no vendor starts after it and the run
    // says so.
    let mut failing = Journal { fail_after: Some(3), ..Journal::default() };
    let run = pipeline::run_with(setup.clone(), fetcher(), vendors, &extras, &mut failing, at, &|_| {});
    assert_eq!(runtime.block_on(run), Err("refused after 3".to_string()));
    assert_eq!(failing.done.len(), 3);
    assert_eq!(failing.recalled.len(), AT_ONCE + 2, "a vendor started per report accepted, none after the refusal");
}
