//! A run over a loopback site of hostile behaviours beside a well-behaved vendor: the run ends within its budget, the good vendor is fully checked, and every hostile page is reported with a specific reason.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use claimwatch::config;
use claimwatch::fetch::{BodyError, Failure, Fetcher, MemoryValidators, Skip};
use claimwatch::pipeline::{self, PageRecord, PageStatus, VendorReport};
use common::Scratch;
use common::hostile::{self, BUDGET};

fn report<'a>(reports: &'a [VendorReport], vendor: &str) -> &'a VendorReport {
    reports.iter().find(|r| r.vendor_id == vendor).unwrap()
}

fn page<'a>(r: &'a VendorReport, target: &str) -> &'a PageRecord {
    r.pages
        .iter()
        .find(|p| p.url[url::Position::BeforePath..] == *target)
        .unwrap_or_else(|| panic!("no page {target} in {:#?}", r.pages))
}

fn why(r: &VendorReport, target: &str) -> String {
    page(r, target).status.why_not_checked().unwrap_or_else(|| panic!("{target} was checked"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_site_beside_a_good_one() {
    let site = hostile::start().await;
    let scratch = Scratch::new();
    let path = common::write_config(&scratch, hostile::CRAWL, &site.vendors_toml());
    let setup = Arc::new(config::load(&path).unwrap_or_else(|e| panic!("{}", e.diagnostics())));
    let fetcher = Arc::new(Fetcher::new(&setup.config.crawl, Arc::new(MemoryValidators::default())).unwrap());
    let at = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    let started = Instant::now();
    let reports = pipeline::run_once(setup.clone(), fetcher, &setup.config.vendors, at, &|_| {}).await;
    let elapsed = started.elapsed();
    // An upper bound only: the budget, one request timeout and wide slack for a loaded machine.
    assert!(elapsed < BUDGET + Duration::from_secs(30), "the run took {elapsed:?}");

    let good = report(&reports, "good");
    assert_eq!(good.summary().pages_fetched, 4, "{:#?}", good.pages);
    assert_eq!(good.pages.len(), 4);
    let kinds: Vec<String> =
        good.pages.iter().flat_map(|p| &p.claims).map(|c| c.claim.scheme.to_string()).collect::<Vec<_>>();
    assert_eq!(kinds.len(), 2, "{kinds:?}");

    // One byte a second: the request timeout (3 s) ends it.
    assert_eq!(page(report(&reports, "trickle"), "/slow").status, PageStatus::Failed(Failure::Timeout));
    assert_eq!(why(report(&reports, "trickle"), "/slow"), "timed out");

    let endless = why(report(&reports, "endless"), "/endless");
    assert_eq!(endless, "body exceeds max_body_bytes (4000000 bytes)");

    let bomb = &page(report(&reports, "gzip_bomb"), "/bomb").status;
    assert_eq!(bomb, &PageStatus::Failed(Failure::Body(BodyError::DecodedTooLarge { limit: 16_000_000 })));
    assert_eq!(bomb.why_not_checked().unwrap(), "decompressed body exceeds 16000000 bytes");

    // 100,000 unclosed `<div>`s before a claim: flattened as browsers do, read, with a note.
    let deep = page(report(&reports, "deep"), "/deep");
    assert_eq!(deep.status, PageStatus::Fetched, "{deep:#?}");
    assert_eq!(deep.claims.len(), 1, "the claim past the deep markup is read");
    assert_eq!(deep.notes.len(), 1);
    assert!(deep.notes[0].starts_with("HTML nested deeper than 512 elements: "), "{:?}", deep.notes);

    let long = report(&reports, "long_line");
    assert_eq!(why(long, "/line"), "body exceeds max_body_bytes (4000000 bytes)");
    let under = page(long, "/line-under-cap");
    assert_eq!(under.status, PageStatus::Fetched, "a 3 MB line under the cap is read");
    assert_eq!(under.claims.len(), 1);

    // Invalid UTF-8 is read with replacement characters; binary is not HTML, whatever the type says.
    let bad = report(&reports, "bad_bytes");
    let invalid = page(bad, "/invalid-utf8");
    assert_eq!(invalid.status, PageStatus::Fetched);
    assert_eq!(invalid.claims.len(), 1);
    assert_eq!(invalid.claims[0].claim.context, "\u{FFFD}\u{FFFD}\u{FFFD}( Notre offre est qualifiée SecNumCloud.");
    assert_eq!(why(bad, "/binary"), "not HTML (text/html, but the body is binary)");

    let redirect = report(&reports, "redirect_loop");
    assert_eq!(why(redirect, "/loop1"), "too many redirects (more than 10)");
    let server = site.server("redirect_loop");
    assert_eq!(server.hits_on("/loop1").len() + server.hits_on("/loop2").len(), 11, "the page and 10 redirects");

    // The calendar runs into the page budget (20); what lies beyond is counted, not fetched.
    let calendar = report(&reports, "calendar");
    assert_eq!(calendar.pages.len(), 20);
    assert!(calendar.pages_over_budget >= 1);
    assert!(site.server("calendar").page_hits().len() <= 21, "the 20 pages and /sitemap.xml");

    // 100,000 links: 20 pages fetched, the rest counted, none kept in the queue.
    let links = report(&reports, "many_links");
    assert_eq!(links.pages.len(), 20);
    assert_eq!(links.summary().pages_fetched, 20);
    assert_eq!(links.pages_over_budget, 100_000 - 19, "each link counted once");

    let headers = why(report(&reports, "huge_headers"), "/");
    assert!(headers.contains("message head is too large"), "{headers}");
    assert_eq!(site.server("huge_headers").hits_on("/").len(), 2, "retried once, as a connection error");

    // The valid group buried in garbage is obeyed.
    let robots = report(&reports, "bad_robots");
    assert_eq!(page(robots, "/private").status, PageStatus::Skipped(Skip::Robots));
    assert_eq!(page(robots, "/public").status, PageStatus::Fetched);

    // The entity bomb expands nothing: its entry is dropped, the ordinary entry is crawled.
    let bomb_site = report(&reports, "sitemap_bomb");
    assert_eq!(bomb_site.sitemaps_read, 1);
    assert_eq!(page(bomb_site, "/from-sitemap").claims.len(), 1);
    assert!(!site.server("sitemap_bomb").hits().iter().any(|h| h.target.contains("lol")));

    let sitemap_loop = site.server("sitemap_loop");
    assert_eq!(report(&reports, "sitemap_loop").sitemaps_read, 2);
    assert_eq!(sitemap_loop.hits_on("/a.xml").len(), 1);
    assert_eq!(sitemap_loop.hits_on("/b.xml").len(), 1);
    assert_eq!(page(report(&reports, "sitemap_loop"), "/").status, PageStatus::Fetched);

    // Every request 429 with a Retry-After longer than the run: no waiting, the host is not
    // crawled, and it saw one request.
    let storm = report(&reports, "storm");
    assert_eq!(why(storm, "/"), "robots.txt unavailable (HTTP 429): host not crawled this run");
    assert_eq!(site.server("storm").hits().len(), 1);
    // Pages 429 with a short Retry-After: retried once, then reported.
    assert_eq!(why(report(&reports, "storm_pages"), "/"), "HTTP 429");
    assert_eq!(site.server("storm_pages").hits_on("/").len(), 2);
}
