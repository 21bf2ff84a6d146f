//! Crawling against real HTTP servers on loopback: politeness measured on the server side, robots.txt, sitemaps, redirects, retries, timeouts, caps, traps and the private-address guard.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use claimwatch::config::{self, Setup};
use claimwatch::fetch::{Failure, Fetcher, MemoryValidators, Skip, ValidatorCache};
use claimwatch::pipeline::{self, PageStatus, VendorReport};
use common::server::{TestServer, html, response};
use common::*;

fn at() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
}

fn setup(scratch: &Scratch, crawl: &str, vendors: &str) -> Arc<Setup> {
    let path = write_config(scratch, crawl, vendors);
    Arc::new(config::load(&path).unwrap_or_else(|e| panic!("{}", e.diagnostics())))
}

async fn run_with(setup: &Arc<Setup>, fetcher: Arc<Fetcher>) -> Vec<VendorReport> {
    pipeline::run_once(setup.clone(), fetcher, &setup.config.vendors, at(), &|_| {}).await
}

async fn run(setup: &Arc<Setup>) -> Vec<VendorReport> {
    let fetcher = Arc::new(Fetcher::new(&setup.config.crawl, Arc::new(MemoryValidators::default())).unwrap());
    run_with(setup, fetcher).await
}

fn page<'a>(report: &'a VendorReport, path: &str) -> &'a pipeline::PageRecord {
    report
        .pages
        .iter()
        .find(|p| p.url.path() == path)
        .unwrap_or_else(|| panic!("no page {path} in {:#?}", report.pages))
}

/// Smallest gap between consecutive requests the server saw.
fn min_gap(hits: &[server::Hit]) -> Duration {
    hits.windows(2).map(|w| w[1].at.duration_since(w[0].at)).min().unwrap_or(Duration::MAX)
}

use common::server;

const FAST: &str = "allow_private_networks = true\nrequests_per_second = 50\nretries = 1\ntimeout_secs = 5";

/// A site of `n` pages linked from the home page.
fn linked_site(server: &TestServer, n: usize) {
    let links: String = (0..n).map(|i| format!("<a href=\"/p{i}\">p{i}</a> ")).collect();
    server.page("/", &format!("<html><body><p>Accueil</p>{links}</body></html>"));
    for i in 0..n {
        server.page(&format!("/p{i}"), &format!("<html><body><p>Page {i}</p></body></html>"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_host_never_gets_more_than_its_rate() {
    let server = TestServer::start("127.0.0.1").await;
    linked_site(&server, 6);
    let scratch = Scratch::new();
    let s = setup(
        &scratch,
        "allow_private_networks = true\nrequests_per_second = 5",
        &vendor_toml("v", &server.url("/"), ""),
    );
    let reports = run(&s).await;
    assert_eq!(reports[0].summary().pages_fetched, 7);
    let hits = server.hits();
    assert!(hits.len() >= 8, "robots.txt, sitemap and pages: {}", hits.len());
    // 5 requests a second: at least 200 ms apart on the server's clock (robots.txt included).
    let gap = min_gap(&hits);
    assert!(gap >= Duration::from_millis(160), "requests {gap:?} apart");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_keeps_its_rate_when_its_requests_queue_behind_other_hosts_for_a_slot() {
    // One request slot for the run, held 300 ms at a time by a slow host's pages: the polite
    // host's pages queue for it. Their rate must count from when they are sent, not from when
    // they joined the queue, or two of them go out back to back once the slow host lets go.
    let slow = TestServer::start("127.0.0.40").await;
    let links: String = (0..8).map(|i| format!("<a href=\"/s{i}\">s{i}</a> ")).collect();
    slow.page("/", &format!("<html><body><p>Accueil</p>{links}</body></html>"));
    for i in 0..8 {
        slow.route(&format!("/s{i}"), |_, _| {
            let late = futures_util::stream::once(async {
                tokio::time::sleep(Duration::from_millis(300)).await;
                Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"<html><body><p>Lent</p></body></html>"))
            });
            response(200, &[("content-type", "text/html")], axum::body::Body::from_stream(late))
        });
    }
    let polite = TestServer::start("127.0.0.41").await;
    linked_site(&polite, 8);
    let vendors = vendor_toml("slow", &slow.url("/"), "requests_per_second = 50")
        + &vendor_toml("polite", &polite.url("/"), "requests_per_second = 5");
    let scratch = Scratch::new();
    let s = setup(&scratch, "allow_private_networks = true\nconcurrency = 1\nretries = 0", &vendors);
    let reports = run(&s).await;
    assert_eq!(reports.iter().map(|r| r.summary().pages_fetched).collect::<Vec<_>>(), [9, 9]);
    // 5 requests a second: at least 200 ms apart on the server's clock.
    let gap = min_gap(&polite.hits());
    assert!(gap >= Duration::from_millis(160), "requests {gap:?} apart");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vendor_may_set_its_own_slower_rate() {
    let server = TestServer::start("127.0.0.1").await;
    linked_site(&server, 3);
    let scratch = Scratch::new();
    let vendor = vendor_toml("v", &server.url("/"), "requests_per_second = 4");
    let s = setup(&scratch, "allow_private_networks = true\nrequests_per_second = 100", &vendor);
    run(&s).await;
    assert!(min_gap(&server.hits()) >= Duration::from_millis(200), "{:?}", min_gap(&server.hits()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_hosts_are_crawled_at_the_same_time() {
    let mut servers = Vec::new();
    let mut vendors = String::new();
    for i in 0..4 {
        let server = TestServer::start(&format!("127.0.0.{}", 10 + i)).await;
        linked_site(&server, 4);
        vendors.push_str(&vendor_toml(&format!("v{i}"), &server.url("/"), ""));
        servers.push(server);
    }
    let scratch = Scratch::new();
    let s = setup(&scratch, "allow_private_networks = true\nrequests_per_second = 5", &vendors);
    let reports = run(&s).await;
    assert!(reports.iter().all(|r| r.summary().pages_fetched == 5));
    // Each host's crawl spans at least its own rate limit; they overlap rather than queue.
    let spans: Vec<(Instant, Instant)> =
        servers.iter().map(|s| (s.hits().first().unwrap().at, s.hits().last().unwrap().at)).collect();
    let latest_start = spans.iter().map(|s| s.0).max().unwrap();
    let earliest_end = spans.iter().map(|s| s.1).min().unwrap();
    assert!(latest_start < earliest_end, "every host was being crawled at one same moment");
    for s in &servers {
        assert!(min_gap(&s.hits()) >= Duration::from_millis(160), "each host keeps its own rate");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vendors_past_max_concurrent_vendors_wait_for_a_free_slot_not_for_the_slowest() {
    let mut servers = Vec::new();
    let mut vendors = String::new();
    // v0 is slow (2 requests a second), v1 and v2 fast; two vendors at a time.
    for (i, rate) in [2, 50, 50].into_iter().enumerate() {
        let server = TestServer::start(&format!("127.0.0.{}", 20 + i)).await;
        linked_site(&server, 4);
        vendors.push_str(&vendor_toml(&format!("v{i}"), &server.url("/"), &format!("requests_per_second = {rate}")));
        servers.push(server);
    }
    let scratch = Scratch::new();
    let s = setup(&scratch, "allow_private_networks = true\nmax_concurrent_vendors = 2", &vendors);
    let reports = run(&s).await;
    let ids: Vec<&str> = reports.iter().map(|r| r.vendor_id.as_str()).collect();
    assert_eq!(ids, ["v0", "v1", "v2"], "reports in config order");
    assert!(reports.iter().all(|r| r.summary().pages_fetched == 5));
    let first = |s: &TestServer| s.hits().first().unwrap().at;
    let last = |s: &TestServer| s.hits().last().unwrap().at;
    assert!(first(&servers[2]) >= last(&servers[1]), "v2 waited for a free slot");
    assert!(first(&servers[2]) < last(&servers[0]), "v2 took v1's slot while v0 was still being crawled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robots_txt_disallow_is_respected_and_reported() {
    let server = TestServer::start("127.0.0.1").await;
    linked_site(&server, 3);
    server.route("/robots.txt", |_, _| {
        response(
            200,
            &[("content-type", "text/plain")],
            "User-agent: *\nDisallow: /p1\n\nUser-agent: otherbot\nDisallow: /\n",
        )
    });
    let scratch = Scratch::new();
    let s = setup(&scratch, FAST, &vendor_toml("v", &server.url("/"), ""));
    let reports = run(&s).await;
    assert_eq!(page(&reports[0], "/p1").status, PageStatus::Skipped(Skip::Robots));
    assert!(server.hits_on("/p1").is_empty(), "a disallowed page is never requested");
    assert_eq!(page(&reports[0], "/p0").status, PageStatus::Fetched);
    assert_eq!(server.hits_on("/robots.txt").len(), 1, "robots.txt is fetched once per run");
    let ua = server.hits()[0].headers.get("user-agent").unwrap().to_str().unwrap().to_string();
    assert!(ua.starts_with("claimwatch/") && ua.contains("+https://"), "identifies itself: {ua}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robots_crawl_delay_slows_the_crawl_below_the_configured_rate() {
    let server = TestServer::start("127.0.0.1").await;
    linked_site(&server, 3);
    server.route("/robots.txt", |_, _| response(200, &[], "User-agent: *\nCrawl-delay: 0.4\n"));
    let scratch = Scratch::new();
    let s = setup(&scratch, FAST, &vendor_toml("v", &server.url("/"), ""));
    run(&s).await;
    let pages = server.page_hits();
    assert!(pages.len() >= 4);
    assert!(min_gap(&pages) >= Duration::from_millis(330), "{:?}", min_gap(&pages));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_robots_txt_leaves_the_host_unchecked_and_a_missing_one_allows_all() {
    let down = TestServer::start("127.0.0.1").await;
    linked_site(&down, 2);
    down.route("/robots.txt", |_, _| response(503, &[], "maintenance"));
    let missing = TestServer::start("127.0.0.2").await;
    linked_site(&missing, 2);
    let scratch = Scratch::new();
    let vendors = vendor_toml("down", &down.url("/"), "") + &vendor_toml("missing", &missing.url("/"), "");
    let s = setup(&scratch, FAST, &vendors);
    let reports = run(&s).await;
    let down_report = reports.iter().find(|r| r.vendor_id == "down").unwrap();
    assert!(down_report.nothing_checked());
    assert!(
        matches!(&down_report.pages[0].status, PageStatus::Skipped(Skip::RobotsUnavailable(why)) if why.contains("503"))
    );
    assert_eq!(down_report.not_crawled.len(), 1);
    assert!(down.page_hits().is_empty(), "no page is requested from a host whose robots.txt failed");
    let missing_report = reports.iter().find(|r| r.vendor_id == "missing").unwrap();
    assert_eq!(missing_report.summary().pages_fetched, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robots_txt_redirects_are_followed_even_to_another_host() {
    let site = TestServer::start("127.0.0.1").await;
    let elsewhere = TestServer::start("127.0.0.2").await;
    linked_site(&site, 2);
    let target = elsewhere.url("/shared-robots.txt");
    site.route("/robots.txt", move |_, _| response(301, &[("location", target.as_str())], ""));
    elsewhere.route("/shared-robots.txt", |_, _| response(200, &[], "User-agent: *\nDisallow: /p0\n"));
    let scratch = Scratch::new();
    let s = setup(&scratch, FAST, &vendor_toml("v", &site.url("/"), ""));
    let reports = run(&s).await;
    assert_eq!(page(&reports[0], "/p0").status, PageStatus::Skipped(Skip::Robots));
    assert_eq!(page(&reports[0], "/p1").status, PageStatus::Fetched);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sitemaps_from_robots_txt_and_the_default_location_are_read() {
    let named = TestServer::start("127.0.0.1").await;
    named.page("/", "<html><body><p>home, no links</p></body></html>");
    named.page("/only-in-sitemap", "<html><body><p>Notre offre est qualifiée SecNumCloud.</p></body></html>");
    let base = named.base();
    named.route("/robots.txt", move |_, _| response(200, &[], format!("Sitemap: {base}/index.xml\n")));
    let index = format!("<sitemapindex><sitemap><loc>{}/pages.xml</loc></sitemap></sitemapindex>", named.base());
    named.route("/index.xml", move |_, _| response(200, &[("content-type", "application/xml")], index.clone()));
    let pages = format!("<urlset><url><loc>{}/only-in-sitemap</loc></url></urlset>", named.base());
    named.route("/pages.xml", move |_, _| response(200, &[("content-type", "application/xml")], pages.clone()));

    let default = TestServer::start("127.0.0.2").await;
    default.page("/", "<html><body><p>home</p></body></html>");
    default.page("/from-default-sitemap", "<html><body><p>hidden</p></body></html>");
    let pages = format!("<urlset><url><loc>{}/from-default-sitemap</loc></url></urlset>", default.base());
    default.route("/sitemap.xml", move |_, _| response(200, &[("content-type", "text/xml")], pages.clone()));

    let scratch = Scratch::new();
    let vendors = vendor_toml("named", &named.url("/"), "") + &vendor_toml("default", &default.url("/"), "");
    let reports = run(&setup(&scratch, FAST, &vendors)).await;
    let named_report = reports.iter().find(|r| r.vendor_id == "named").unwrap();
    assert_eq!(named_report.sitemaps_read, 2);
    assert_eq!(page(named_report, "/only-in-sitemap").claims.len(), 1);
    let default_report = reports.iter().find(|r| r.vendor_id == "default").unwrap();
    assert_eq!(page(default_report, "/from-default-sitemap").status, PageStatus::Fetched);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_are_followed_within_scope_and_refused_outside_it() {
    let site = TestServer::start("127.0.0.1").await;
    let other = TestServer::start("127.0.0.2").await;
    site.page(
        "/",
        "<html><body><a href=\"/old\">old</a> <a href=\"/away\">away</a> <a href=\"/loop1\">loop</a></body></html>",
    );
    site.route("/old", |_, _| response(301, &[("location", "/new")], ""));
    site.page("/new", "<html><body><p>Offre qualifiée SecNumCloud.</p></body></html>");
    let away = other.url("/landing");
    site.route("/away", move |_, _| response(302, &[("location", away.as_str())], ""));
    site.route("/loop1", |_, _| response(302, &[("location", "/loop2")], ""));
    site.route("/loop2", |_, _| response(302, &[("location", "/loop1")], ""));
    let scratch = Scratch::new();
    let reports = run(&setup(&scratch, FAST, &vendor_toml("v", &site.url("/"), ""))).await;
    let old = page(&reports[0], "/old");
    assert_eq!(old.status, PageStatus::Fetched);
    assert_eq!(old.final_url.path(), "/new");
    assert_eq!(old.claims.len(), 1);
    assert!(
        matches!(&page(&reports[0], "/away").status, PageStatus::Skipped(Skip::OutOfScope(u)) if u.path() == "/landing")
    );
    assert!(other.hits().is_empty(), "an out-of-scope redirect target is never requested");
    assert_eq!(page(&reports[0], "/loop1").status, PageStatus::Failed(Failure::TooManyRedirects));
    assert!(site.hits_on("/loop1").len() + site.hits_on("/loop2").len() <= 11);
    assert!(site.hits_on("/new").len() == 1, "the redirect target is not fetched again as a page of its own");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_503_is_retried_and_succeeds() {
    let server = TestServer::start("127.0.0.1").await;
    server.page("/", "<html><body><a href=\"/flaky\">f</a></body></html>");
    server.route("/flaky", |_, n| {
        if n < 1 { response(503, &[], "busy") } else { html("<p>Offre qualifiée SecNumCloud.</p>") }
    });
    let scratch = Scratch::new();
    let reports = run(&setup(&scratch, FAST, &vendor_toml("v", &server.url("/"), ""))).await;
    let flaky = page(&reports[0], "/flaky");
    assert_eq!(flaky.status, PageStatus::Fetched);
    assert_eq!(server.hits_on("/flaky").len(), 2);
    // The backoff waits at least a second before the retry.
    let hits = server.hits_on("/flaky");
    assert!(hits[1].at.duration_since(hits[0].at) >= Duration::from_millis(900));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_with_retry_after_holds_the_whole_host_off() {
    let server = TestServer::start("127.0.0.1").await;
    server.page("/", "<html><body><a href=\"/limited\">l</a></body></html>");
    server.route("/limited", |_, n| {
        if n < 1 { response(429, &[("retry-after", "2")], "slow down") } else { html("<p>ok</p>") }
    });
    let scratch = Scratch::new();
    let reports = run(&setup(&scratch, FAST, &vendor_toml("v", &server.url("/"), ""))).await;
    assert_eq!(page(&reports[0], "/limited").status, PageStatus::Fetched);
    let hits = server.hits_on("/limited");
    assert_eq!(hits.len(), 2);
    assert!(hits[1].at.duration_since(hits[0].at) >= Duration::from_millis(1900), "Retry-After: 2 honoured");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_that_keeps_failing_is_given_up_for_the_run() {
    let server = TestServer::start("127.0.0.1").await;
    linked_site(&server, 8);
    for i in 0..8 {
        server.route(&format!("/p{i}"), |_, _| response(500, &[], "broken"));
    }
    let scratch = Scratch::new();
    let s = setup(
        &scratch,
        "allow_private_networks = true\nrequests_per_second = 50\nretries = 0",
        &vendor_toml("v", &server.url("/"), ""),
    );
    let reports = run(&s).await;
    let given_up =
        reports[0].pages.iter().filter(|p| matches!(p.status, PageStatus::Failed(Failure::GivenUp(_)))).count();
    assert!(given_up >= 1, "{:#?}", reports[0].pages);
    assert!(server.page_hits().len() < 9, "not every broken page was requested");
    assert!(reports[0].not_crawled.iter().any(|(_, why)| why.contains("given up")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_server_hits_the_timeout() {
    let server = TestServer::start("127.0.0.1").await;
    server.page("/", "<html><body><a href=\"/slow\">s</a></body></html>");
    server.route("/slow", |_, _| {
        let stream = futures_util::stream::once(async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"<p>late</p>"))
        });
        response(200, &[("content-type", "text/html")], axum::body::Body::from_stream(stream))
    });
    let scratch = Scratch::new();
    let s = setup(
        &scratch,
        "allow_private_networks = true\nrequests_per_second = 50\nretries = 0\ntimeout_secs = 1",
        &vendor_toml("v", &server.url("/"), ""),
    );
    let started = Instant::now();
    let reports = run(&s).await;
    assert_eq!(page(&reports[0], "/slow").status, PageStatus::Failed(Failure::Timeout));
    assert!(started.elapsed() < Duration::from_secs(20), "the run does not wait for the slow body");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_body_stops_at_the_cap() {
    let server = TestServer::start("127.0.0.1").await;
    server.page("/", "<html><body><a href=\"/endless\">e</a></body></html>");
    server.route("/endless", |_, _| {
        let chunk = bytes::Bytes::from(vec![b'a'; 64 * 1024]);
        let stream = futures_util::stream::repeat_with(move || Ok::<_, std::io::Error>(chunk.clone()));
        response(200, &[("content-type", "text/html")], axum::body::Body::from_stream(stream))
    });
    let scratch = Scratch::new();
    let s = setup(
        &scratch,
        "allow_private_networks = true\nrequests_per_second = 50\nretries = 0\nmax_body_bytes = 1000000",
        &vendor_toml("v", &server.url("/"), ""),
    );
    let reports = run(&s).await;
    assert!(matches!(
        page(&reports[0], "/endless").status,
        PageStatus::Failed(Failure::Body(claimwatch::fetch::BodyError::TooLarge { limit: 1_000_000 }))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_calendar_is_stopped_by_the_page_budget() {
    let server = TestServer::start("127.0.0.1").await;
    server.page("/", "<html><body><a href=\"/calendar?day=0\">calendar</a></body></html>");
    server.route("/calendar", |hit, _| {
        let day: u64 = hit.target.rsplit('=').next().unwrap().parse().unwrap_or(0);
        html(&format!(
            "<p>Jour {day}</p><a href=\"/calendar?day={}\">next</a> <a href=\"/calendar?day={}\">year</a>",
            day + 1,
            day + 365
        ))
    });
    let scratch = Scratch::new();
    let vendor = vendor_toml("v", &server.url("/"), "max_pages = 15\nmax_depth = 1000");
    let reports = run(&setup(&scratch, FAST, &vendor)).await;
    assert_eq!(reports[0].pages.len(), 15);
    assert!(reports[0].pages_over_budget > 0);
    assert!(server.page_hits().len() <= 16, "{}", server.page_hits().len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_depth_stops_following_links() {
    let server = TestServer::start("127.0.0.1").await;
    server.page("/", "<a href=\"/d1\">1</a>");
    server.page("/d1", "<a href=\"/d2\">2</a>");
    server.page("/d2", "<a href=\"/d3\">3</a>");
    let scratch = Scratch::new();
    let reports = run(&setup(&scratch, FAST, &vendor_toml("v", &server.url("/"), "max_depth = 1"))).await;
    let paths: Vec<&str> = reports[0].pages.iter().map(|p| p.url.path()).collect();
    assert_eq!(paths, vec!["/", "/d1"]);
    assert_eq!(reports[0].links_too_deep, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_windows_1252_page_declared_only_in_the_http_header_is_decoded() {
    let server = TestServer::start("127.0.0.1").await;
    let mut body =
        b"<html><body><p>H\xe9bergement qualifi\xe9 SecNumCloud \x96 100 % fran\xe7ais</p></body></html>".to_vec();
    body.shrink_to_fit();
    server.route("/", move |_, _| response(200, &[("content-type", "text/html; charset=windows-1252")], body.clone()));
    let scratch = Scratch::new();
    let reports = run(&setup(&scratch, FAST, &vendor_toml("v", &server.url("/"), ""))).await;
    let home = page(&reports[0], "/");
    assert_eq!(home.encoding, Some("windows-1252"));
    assert_eq!(home.claims.len(), 1);
    assert_eq!(home.claims[0].claim.context, "Hébergement qualifié SecNumCloud – 100 % français");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compressed_responses_are_decoded_by_us_and_non_html_is_skipped() {
    use std::io::Write;
    let server = TestServer::start("127.0.0.1").await;
    server.page("/", "<html><body><a href=\"/gz\">gz</a> <a href=\"/logo.png\">logo</a></body></html>");
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all("<p>Offre qualifiée SecNumCloud.</p>".as_bytes()).unwrap();
    let gz = e.finish().unwrap();
    server.route("/gz", move |_, _| {
        response(200, &[("content-type", "text/html; charset=utf-8"), ("content-encoding", "gzip")], gz.clone())
    });
    server.route("/logo.png", |_, _| response(200, &[("content-type", "image/png")], "\u{89}PNG SecNumCloud"));
    let scratch = Scratch::new();
    let reports = run(&setup(&scratch, FAST, &vendor_toml("v", &server.url("/"), ""))).await;
    assert_eq!(page(&reports[0], "/gz").claims.len(), 1);
    assert!(
        matches!(&page(&reports[0], "/logo.png").status, PageStatus::Skipped(Skip::ContentType(ct)) if ct == "image/png")
    );
    let accept = server.hits_on("/gz")[0].headers.get("accept-encoding").unwrap().to_str().unwrap().to_string();
    assert!(accept.contains("gzip") && accept.contains("br"), "{accept}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_javascript_shell_is_not_checked_rather_than_clean() {
    let server = TestServer::start("127.0.0.1").await;
    server.page("/", "<html><head><script src=\"/app.js\"></script></head><body><div id=\"root\"></div><noscript>Enable JavaScript to use this site.</noscript></body></html>");
    let scratch = Scratch::new();
    let reports = run(&setup(&scratch, FAST, &vendor_toml("v", &server.url("/"), ""))).await;
    assert_eq!(page(&reports[0], "/").status, PageStatus::NeedsJavascript);
    assert!(reports[0].nothing_checked());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conditional_get_uses_the_validators_of_the_previous_fetch() {
    let server = TestServer::start("127.0.0.1").await;
    server.route("/", |hit, _| {
        if hit.headers.get("if-none-match").is_some_and(|v| v == "\"v1\"") {
            response(304, &[("etag", "\"v1\"")], "")
        } else {
            response(200, &[("content-type", "text/html"), ("etag", "\"v1\"")], "<p>Offre qualifiée SecNumCloud.</p>")
        }
    });
    let scratch = Scratch::new();
    let s = setup(&scratch, FAST, &vendor_toml("v", &server.url("/"), ""));
    let validators: Arc<dyn ValidatorCache> = Arc::new(MemoryValidators::default());
    let first = run_with(&s, Arc::new(Fetcher::new(&s.config.crawl, validators.clone()).unwrap())).await;
    assert_eq!(page(&first[0], "/").status, PageStatus::Fetched);
    let second = run_with(&s, Arc::new(Fetcher::new(&s.config.crawl, validators).unwrap())).await;
    assert_eq!(page(&second[0], "/").status, PageStatus::NotModified);
    assert_eq!(server.hits_on("/")[1].headers.get("if-none-match").unwrap(), "\"v1\"");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_private_address_guard_refuses_loopback_and_the_server_sees_nothing() {
    let server = TestServer::start("127.0.0.1").await;
    linked_site(&server, 2);
    let scratch = Scratch::new();
    // Guard on (the default): neither robots.txt nor any page may be requested.
    let s = setup(&scratch, "requests_per_second = 50", &vendor_toml("v", &server.url("/"), ""));
    let reports = run(&s).await;
    assert!(server.hits().is_empty(), "{:?}", server.hits());
    assert!(reports[0].nothing_checked());
    let why = reports[0].pages[0].status.why_not_checked().unwrap();
    assert!(why.contains("not a public address"), "{why}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guard_also_refuses_names_that_resolve_to_loopback() {
    let server = TestServer::start("127.0.0.1").await;
    linked_site(&server, 1);
    let scratch = Scratch::new();
    let start = format!("http://localhost.localdomain.:{}/", server.addr.port());
    let vendor = format!(
        "[[vendor]]\nid = \"v\"\nname = \"v\"\nstart_urls = [\"{start}\"]\nallowed_hosts = [\"localhost.localdomain\"]\n"
    );
    let reports = run(&setup(&scratch, "requests_per_second = 50\nretries = 0", &vendor)).await;
    assert!(server.hits().is_empty());
    assert!(reports[0].nothing_checked());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_run_budget_stops_taking_new_pages() {
    let server = TestServer::start("127.0.0.1").await;
    linked_site(&server, 30);
    let scratch = Scratch::new();
    let s = setup(
        &scratch,
        "allow_private_networks = true\nrequests_per_second = 10\nrun_budget_secs = 1",
        &vendor_toml("v", &server.url("/"), ""),
    );
    let reports = run(&s).await;
    let budget = reports[0].pages.iter().filter(|p| p.status == PageStatus::Skipped(Skip::Budget)).count();
    assert!(budget > 0, "pages left for lack of time are reported");
    assert!(server.page_hits().len() < 25);
}
