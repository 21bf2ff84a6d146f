//! `claimwatch check`, `scan <URL>` and `robots` as a user runs them, against real HTTP servers on loopback.

mod common;

use common::server::{TestServer, response};
use common::*;

const CRAWL: &str = "allow_private_networks = true\nrequests_per_second = 50\nretries = 0\ntimeout_secs = 5";

async fn vendor_site(ip: &str, claim: &str) -> TestServer {
    let server = TestServer::start(ip).await;
    server.page("/", "<html><body><p>Accueil</p><a href=\"/offre\">offre</a></body></html>");
    server.page("/offre", &format!("<html><head><title>Offre</title></head><body><p>{claim}</p></body></html>"));
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_reports_each_vendor_and_exits_1_on_a_violation() {
    let bad = vendor_site("127.0.0.1", "Notre offre est qualifiée SecNumCloud.").await;
    let good = vendor_site("127.0.0.2", "Notre offre est qualifiée SecNumCloud.").await;
    let scratch = Scratch::new();
    // The first vendor is the slower: it finishes last, but its text still comes first.
    let vendors = vendor_toml("nothing", &bad.url("/"), "requests_per_second = 4")
        + &vendor_toml("qualified", &good.url("/"), "provider = \"Qualifié SA\"");
    let config = write_config(&scratch, CRAWL, &vendors);
    let out =
        cli(vec!["check".into(), "--config".into(), config.display().to_string(), "--at".into(), "2026-11-28".into()])
            .await;
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    let (first, second) = (text.find("nothing (nothing)").unwrap(), text.find("qualified (qualified)").unwrap());
    assert!(first < second, "vendors in the config's order: {text}");
    assert!(
        text.contains(
            "nothing (nothing)\n  pages: 2 fetched (0 PDF), 0 not modified, 0 skipped, 0 failed, 0 need JavaScript"
        ),
        "{text}"
    );
    assert!(text.contains("claims: 1 assertion; 1 violation, 0 warnings, 0 unverified"), "{text}");
    assert!(text.contains(&format!("  {}", bad.url("/offre"))), "the page of the violation is named: {text}");
    assert!(text.contains("VIOLATION  secnumcloud assertion"), "{text}");
    let qualified = text.split("qualified (qualified)").nth(1).unwrap();
    assert!(qualified.contains("1 assertion; 0 violations"), "{qualified}");
    assert!(!qualified.contains("VIOLATION"), "ok claims are counted, not listed: {qualified}");
    // Not on a terminal: plain progress lines on stderr, one per page.
    assert!(stderr(&out).contains(&format!("nothing fetched {}", bad.url("/offre"))), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_json_is_claims_then_one_summary_per_vendor() {
    let site = vendor_site("127.0.0.1", "Une plateforme SecNumCloud-ready.").await;
    let scratch = Scratch::new();
    let config = write_config(&scratch, CRAWL, &vendor_toml("v", &site.url("/"), ""));
    let out =
        cli(vec!["check".into(), "--format".into(), "json".into(), "--config".into(), config.display().to_string()])
            .await;
    assert_eq!(out.status.code(), Some(1), "a warning exits 1");
    let lines = json_lines(&out);
    let claim = &lines[0];
    assert_eq!(claim["type"], "claim");
    assert_eq!(claim["source"], site.url("/offre"));
    assert_eq!(claim["vendor"], "v");
    assert_eq!(claim["kind"], "adjacent");
    assert_eq!(claim["verdict"], "warning");
    let summary = lines.last().unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["vendor"], "v");
    assert_eq!(summary["pages_fetched"], 2);
    assert_eq!(summary["warnings"], 1);
    assert_eq!(summary["claims"]["adjacent"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clean_site_exits_0_and_a_site_that_cannot_be_read_exits_2() {
    let clean = vendor_site("127.0.0.1", "Hébergement en France.").await;
    let scratch = Scratch::new();
    let config = write_config(&scratch, CRAWL, &vendor_toml("v", &clean.url("/"), ""));
    let out = cli(vec!["check".into(), "--config".into(), config.display().to_string()]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    let down = TestServer::start("127.0.0.2").await;
    down.route("/robots.txt", |_, _| response(500, &[], ""));
    let scratch = Scratch::new();
    let config = write_config(&scratch, CRAWL, &vendor_toml("down", &down.url("/"), ""));
    let out = cli(vec!["check".into(), "--config".into(), config.display().to_string()]).await;
    assert_eq!(out.status.code(), Some(2), "never reported as clean: {}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("NOT CHECKED"), "{text}");
    assert!(text.contains("robots.txt unavailable (HTTP 500)"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_can_be_limited_to_some_vendors() {
    let a = vendor_site("127.0.0.1", "x").await;
    let b = vendor_site("127.0.0.2", "y").await;
    let scratch = Scratch::new();
    let config =
        write_config(&scratch, CRAWL, &(vendor_toml("a", &a.url("/"), "") + &vendor_toml("b", &b.url("/"), "")));
    let out =
        cli(vec!["check".into(), "--config".into(), config.display().to_string(), "--vendor".into(), "b".into()]).await;
    assert_eq!(out.status.code(), Some(0));
    assert!(a.hits().is_empty());
    assert!(!b.hits().is_empty());
    // A vendor named twice is checked once.
    let before = b.hits_on("/").len();
    let twice = ["--vendor", "b", "--vendor", "b"].map(String::from);
    let out =
        cli([vec!["check".into(), "--config".into(), config.display().to_string()], twice.to_vec()].concat()).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(b.hits_on("/").len(), before + 1, "the home page fetched once more");
    let out =
        cli(vec!["check".into(), "--config".into(), config.display().to_string(), "--vendor".into(), "zz".into()])
            .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no vendor `zz`"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scan_fetches_urls_through_the_polite_fetcher() {
    let site = vendor_site("127.0.0.1", "Notre offre est qualifiée SecNumCloud.").await;
    site.route("/robots.txt", |_, _| response(200, &[], "User-agent: *\nDisallow: /private\n"));
    let scratch = Scratch::new();
    let config = write_config(&scratch, CRAWL, &vendor_toml("v", &site.url("/"), "provider = \"Qualifié SA\""));
    let out = cli(vec![
        "scan".into(),
        "--format".into(),
        "json".into(),
        "--config".into(),
        config.display().to_string(),
        "--vendor".into(),
        "auto".into(),
        site.url("/offre"),
        site.url("/private"),
    ])
    .await;
    let lines = json_lines(&out);
    let claim = lines.iter().find(|l| l["type"] == "claim").unwrap();
    assert_eq!(claim["vendor"], "v", "auto picks the vendor from the URL's host");
    assert_eq!(claim["verdict"], "ok");
    let refused = lines.iter().find(|l| l["type"] == "page" && l["status"] == "failed").unwrap();
    assert_eq!(refused["error"], "disallowed by robots.txt");
    assert!(site.hits_on("/private").is_empty());
    assert_eq!(site.hits_on("/robots.txt").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robots_command_explains_each_url_from_a_file_or_a_site() {
    let scratch = Scratch::new();
    let file =
        scratch.write("robots.txt", "User-agent: claimwatch\nDisallow: /private\n\nUser-agent: *\nDisallow: /\n");
    let out = cli(vec![
        "robots".into(),
        file.display().to_string(),
        "--agent".into(),
        "claimwatch/0.1 (+https://example.org)".into(),
        "https://x.example/private/a".into(),
        "https://x.example/public".into(),
    ])
    .await;
    assert_eq!(stdout(&out), "disallowed https://x.example/private/a\nallowed https://x.example/public\n");

    let site = TestServer::start("127.0.0.1").await;
    site.route("/robots.txt", |_, _| response(200, &[], "User-agent: *\nDisallow: /no\n"));
    let config = write_config(&scratch, CRAWL, "");
    let out = cli(vec![
        "robots".into(),
        "--config".into(),
        config.display().to_string(),
        site.url("/"),
        site.url("/no/x"),
        site.url("/yes"),
    ])
    .await;
    assert_eq!(stdout(&out), format!("disallowed {}\nallowed {}\n", site.url("/no/x"), site.url("/yes")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quiet_check_speaks_only_when_something_is_new_or_failed() {
    let site = vendor_site("127.0.0.1", "Notre offre est qualifiée SecNumCloud.").await;
    let scratch = Scratch::new();
    let config = write_config(&scratch, CRAWL, &vendor_toml("v", &site.url("/"), ""));
    let run = || cli(vec!["check".into(), "--quiet".into(), "--config".into(), config.display().to_string()]);
    let first = run().await;
    assert!(stdout(&first).contains("findings: 1 opened"), "new: {}", stdout(&first));
    assert!(stderr(&first).is_empty(), "no progress lines: {}", stderr(&first));
    let second = run().await;
    assert_eq!(stdout(&second), "", "nothing new: silence for cron");
    assert_eq!(stderr(&second), "");
    assert_eq!(second.status.code(), Some(1), "the exit code still tells a violation is open");
    site.route("/robots.txt", |_, _| response(503, &[], ""));
    let scratch2 = Scratch::new();
    let config2 = write_config(&scratch2, CRAWL, &vendor_toml("v", &site.url("/"), ""));
    let failed = cli(vec!["check".into(), "--quiet".into(), "--config".into(), config2.display().to_string()]).await;
    assert!(stdout(&failed).contains("NOT CHECKED"), "a failure speaks: {}", stdout(&failed));
}
