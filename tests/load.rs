//! Many vendors in one run: 200 vendors of 5 pages, each on its own loopback host, checked by `claimwatch check` whose open file descriptors and memory must stay bounded.
//!
//! The bounds are counts, not times, so a slow or busy machine does not make the test fail. With
//! 16 vendors crawled at a time, each at 5 requests a second, and idle connections closed after
//! 2 to 4 s, about 60 vendors' connections are open at once at most (fewer on a slower machine);
//! crawling every vendor at once and keeping each host's connection alive 90 s kept over 200.

mod load_site;

use std::process::Command;

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
