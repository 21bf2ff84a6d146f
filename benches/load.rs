//! Benchmark: `claimwatch check` over 1,000 vendors of 20 pages each, every vendor on its own loopback host, with its peak memory and open file descriptors.
//!
//! Run with `cargo bench --bench load` (`LOAD_VENDORS` and `LOAD_PAGES` change the scale). The
//! hosts listen on 127.1.0.2 upwards (loopback only), served by this process on one thread;
//! claimwatch runs as a child process, so only its own memory and descriptors are measured:
//! peak RSS from `wait4`, open descriptors by polling `/proc/<pid>/fd` every 20 ms. Pages are
//! about 15 KB, link to each other, and are listed in a sitemap named by robots.txt; every fifth
//! page claims SecNumCloud, which the vendors do not hold, so findings are opened and pages
//! archived as evidence. The run is checked: every page fetched, every claim found, one open
//! finding per vendor, one evidence entry per page with a claim and run.
//!
//! Settings: the shipped defaults (16 requests in flight, 64 vendors at a time), but 20
//! requests/s per host instead of 1, as in `crawl_throughput`, so that the run takes seconds
//! rather than minutes. A dry run (the crawl alone) comes first, then the real run on an empty
//! store, then the next run on the store the first one filled (a daemon's next day).
//! `LOAD_WRAPPER` runs claimwatch under a profiler: `LOAD_WRAPPER="heaptrack -o /tmp/cw"`.
//!
//! Figures on the 2-core development machine (release build), 1,000 vendors × 20 pages, two
//! runs of the bench:
//!
//! | | wall | pages/s | CPU per page | peak RSS | most open fds |
//! |---|---|---|---|---|---|
//! | before: every vendor at once, connections kept 90 s | 11.6 s | 1 718 | 0.47 ms | 541 MB | 1 014 |
//! | before: the whole run committed at its end, crawl alone | 17.2 s | 1 160, 1 162 | 0.42, 0.38 ms | 116, 119 MB | 332 |
//! | before: the whole run committed at its end, full run | 18.6, 17.6 s | 1 073, 1 137 | 0.47, 0.48 ms | 265, 256 MB | 334 |
//! | crawl alone (`--dry-run`) | 17.4 s | 1 152, 1 152 | 0.32, 0.31 ms | 66.3, 66.4 MB | 332 |
//! | full run (store commit, evidence) | 17.7 s | 1 130, 1 130 | 0.42, 0.40 ms | 79.8, 81.3 MB | 334 |
//! | next run (store already full) | 17.8, 17.9 s | 1 125, 1 120 | 0.41, 0.41 ms | 79.4, 79.1 MB | 334 |
//!
//! Open descriptors stay near 330 whatever the number of vendors (64 at a time; a finished
//! vendor's connections close within 2 to 4 s). Memory no longer grows with the pages of a run:
//! each vendor is committed in its own transaction as it ends and its pages dropped, its earlier
//! state is read from the store as it starts, and glibc's mmap threshold is fixed (see
//! docs/performance.md for what each step saved).

#[path = "../tests/load_site/mod.rs"]
mod load_site;

use std::path::Path;
use std::process::Command;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Runs `claimwatch check` once, prints its row and returns what it used and reported.
fn run(config: &Path, dir: &Path, row: &str, dry_run: bool) -> (load_site::Usage, load_site::Checked) {
    let (out, err) = (dir.join("check.ndjson"), dir.join("check.stderr"));
    // The figures are then the profiler's too.
    let wrapper = std::env::var("LOAD_WRAPPER").unwrap_or_default();
    let mut words = wrapper.split_whitespace();
    let mut cmd = match words.next() {
        Some(program) => {
            let mut c = Command::new(program);
            c.args(words).arg(env!("CARGO_BIN_EXE_claimwatch"));
            c
        }
        None => Command::new(env!("CARGO_BIN_EXE_claimwatch")),
    };
    cmd.args(["check", "--format", "json", "--config"]).arg(config).env("NO_COLOR", "1");
    if dry_run {
        cmd.arg("--dry-run");
    }
    let u = load_site::run_measured(&mut cmd, &out, &err);
    let checked = load_site::parse_check_output(&out);
    println!(
        "| {} | {:.1} s | {:.0} | {:.2} ms | {:.1} MB | {} |",
        row,
        u.wall.as_secs_f64(),
        checked.pages_fetched as f64 / u.wall.as_secs_f64(),
        u.cpu.as_secs_f64() * 1000.0 / checked.pages_fetched.max(1) as f64,
        u.max_rss_mb,
        u.max_fds
    );
    (u, checked)
}

fn main() {
    let vendors = env_or("LOAD_VENDORS", 1000);
    let pages = env_or("LOAD_PAGES", 20);
    let site = load_site::start(vendors, pages);
    let dir = tempfile::tempdir().unwrap();
    let config = load_site::write_config(dir.path(), &site, "requests_per_second = 20\nburst = 1");
    let (last, first) = (site.addrs.last().unwrap().ip(), site.addrs[0].ip());
    println!("site: {vendors} vendors × {pages} pages of about {} bytes on {first}–{last}", load_site::page_size());

    println!();
    println!("| run | wall | pages/s | CPU per page | peak RSS | most open fds |");
    println!("|---|---|---|---|---|---|");
    // The crawl alone first (a dry run archives and records nothing), then the real run, whose
    // store commit and evidence come on top: the difference is what the commit costs. Then the
    // same again, as a daemon's next day: the store holds every page and finding already.
    let (dry, _) = run(&config, dir.path(), "crawl alone (`--dry-run`)", true);
    let (first, first_checked) = run(&config, dir.path(), "full run (store commit, evidence)", false);
    let (u, checked) = run(&config, dir.path(), "next run (store already full)", false);
    println!();

    let served = site.pages_served.load(std::sync::atomic::Ordering::Relaxed);
    let pages_total = vendors * pages;
    // The figures mean nothing unless the run did the whole job.
    let findings = load_site::open_findings(&config);
    let evidence = load_site::evidence_entries(dir.path());
    let expected_claims = vendors * load_site::claim_pages(pages);
    let mut problems = Vec::new();
    for (name, u) in [("dry run", &dry), ("first run", &first), ("next run", &u)] {
        if !matches!(u.code, Some(0 | 1)) {
            let err = std::fs::read_to_string(dir.path().join("check.stderr")).unwrap();
            problems.push(format!("{name}: claimwatch exited with {:?}: {err}", u.code));
        }
    }
    if first_checked.pages_fetched != pages_total {
        problems.push(format!("first run: {} pages fetched of {pages_total}", first_checked.pages_fetched));
    }
    if checked.vendors != vendors || checked.pages_fetched != pages_total {
        problems.push(format!(
            "{} vendors reported, {} pages fetched of {pages_total} ({served} served in both runs); not checked: {:?}",
            checked.vendors,
            checked.pages_fetched,
            &checked.not_checked[..checked.not_checked.len().min(5)]
        ));
    }
    if checked.claims != expected_claims || checked.violations != expected_claims {
        problems
            .push(format!("{} claims, {} violations; expected {expected_claims}", checked.claims, checked.violations));
    }
    if findings != vendors {
        problems.push(format!("{findings} open findings; expected one per vendor ({vendors})"));
    }
    // Each run archives every page with a claim (the site sends no validators, so no revisits).
    if evidence != 2 * expected_claims {
        problems.push(format!("{evidence} evidence entries; expected {} (two runs)", 2 * expected_claims));
    }
    if problems.is_empty() {
        println!(
            "verified: {} pages fetched and checked, {} claims, {findings} open findings, {evidence} pages archived",
            checked.pages_fetched, checked.claims
        );
    } else {
        for p in &problems {
            println!("PROBLEM: {p}");
        }
        std::process::exit(1);
    }
}
