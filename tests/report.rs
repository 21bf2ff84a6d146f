//! `claimwatch report` after real runs against loopback sites: HTML (self-contained, checked in headless Chromium when present), CSV and JSON.

mod common;

use std::path::{Path, PathBuf};

use common::chromium::{chromium, headless};
use common::server::TestServer;
use common::*;

const CRAWL: &str = "allow_private_networks = true\nrequests_per_second = 50\nretries = 0\ntimeout_secs = 5";

/// Two vendors, one run: one violation (on two pages), one clean vendor, one page that fails.
async fn world() -> (Scratch, PathBuf, TestServer, TestServer) {
    let bad = TestServer::start("127.0.0.1").await;
    bad.page("/", "<html><body><p>Notre offre est qualifiée SecNumCloud.</p><a href=\"/b\">b</a><a href=\"/broken\">x</a></body></html>");
    bad.page("/b", "<html><body><p>Hébergement <b>qualifié SecNumCloud</b> &lt;en France&gt;.</p></body></html>");
    bad.route("/broken", |_, _| common::server::response(500, &[], "oops"));
    let good = TestServer::start("127.0.0.2").await;
    good.page("/", "<html><body><p>Hébergement en France.</p></body></html>");
    let scratch = Scratch::new();
    let vendors = vendor_toml("mauvais", &bad.url("/"), "").replace("name = \"mauvais\"", "name = \"Mauvais & Fils\"")
        + &vendor_toml("propre", &good.url("/"), "");
    let config = write_config(&scratch, CRAWL, &vendors);
    let out = cli(vec!["check".into(), "--config".into(), config.display().to_string()]).await;
    assert_eq!(out.status.code(), Some(1), "{}{}", stdout(&out), stderr(&out));
    (scratch, config, bad, good)
}

async fn report(config: &Path, args: &[&str]) -> String {
    let mut a = vec!["report".to_string(), "--config".into(), config.display().to_string()];
    a.extend(args.iter().map(|s| s.to_string()));
    let out = cli(a).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_html_report_is_self_contained_and_shows_findings_timeline_and_coverage() {
    let (_scratch, config, bad, _good) = world().await;
    let html = report(&config, &[]).await;
    let ids = finding_ids(&config);
    assert_eq!(ids.len(), 1);
    assert!(html.starts_with("<!DOCTYPE html><html lang=\"fr\">"));
    assert!(html.contains("Mauvais &amp; Fils"), "vendor names escaped");
    assert!(html.contains(&format!("id=\"finding-{}\"", ids[0])));
    assert!(html.contains("<mark>SecNumCloud</mark>"), "the quote highlighted in its context");
    assert!(html.contains("&lt;en France&gt;") || html.contains("Notre offre est qualifiée"), "page text escaped");
    assert!(html.contains("<svg") && html.contains("Constats ouverts et résolus dans le temps"), "the timeline");
    assert!(
        html.contains("Couverture") && html.contains(&bad.url("/broken")) && html.contains("HTTP 500"),
        "coverage says why"
    );
    assert!(html.contains("Manquements ouverts"));
    // Self-contained: no script, no stylesheet link, no image or frame fetched from elsewhere.
    for forbidden in ["<script", "<link", "<img", "<iframe", "src=\"http", "url(http", "@import"] {
        assert!(!html.contains(forbidden), "{forbidden} in the report");
    }
    let en = report(&config, &["--lang", "en"]).await;
    assert!(en.contains("Findings opened and resolved over time") && en.contains("Open violations"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_has_one_row_per_finding_and_json_is_parsable() {
    let (_scratch, config, _bad, _good) = world().await;
    let csv_text = report(&config, &["--format", "csv"]).await;
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "id");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 1);
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    assert_eq!(&rows[0][col("vendor_name")], "Mauvais & Fils");
    assert_eq!(&rows[0][col("level")], "violation");
    assert_eq!(&rows[0][col("pages")], "2");

    let json: serde_json::Value = serde_json::from_str(&report(&config, &["--format", "json"]).await).unwrap();
    assert_eq!(json["summary"]["open_violations"], 1);
    assert_eq!(json["summary"]["vendors"], 2);
    assert_eq!(json["vendors"][0]["open"][0]["kind"], "assertion");
    assert!(json["vendors"][0]["not_checked"][0]["why"].as_str().unwrap().contains("HTTP 500"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_html_report_renders_in_a_real_browser() {
    let Some(chromium) = chromium() else { return };
    let (scratch, config, _bad, _good) = world().await;
    let file = scratch.path().join("report.html");
    let out = cli(vec![
        "report".into(),
        "--config".into(),
        config.display().to_string(),
        "--out".into(),
        file.display().to_string(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(0));
    let url = format!("file://{}", file.display());
    let profile = scratch.path().join("chromium-profile");
    let dom = headless(&chromium, &profile, &["--dump-dom", &url]);
    let text = String::from_utf8_lossy(&dom.stdout);
    let id = &finding_ids(&config)[0];
    assert!(
        text.contains(&format!("finding-{id}")),
        "the browser shows the finding: {}",
        String::from_utf8_lossy(&dom.stderr)
    );
    assert!(text.contains("<svg"), "the timeline renders");
    let errors = String::from_utf8_lossy(&dom.stderr);
    assert!(!errors.contains("Uncaught") && !errors.contains("Failed to load resource"), "{errors}");
    let png = scratch.path().join("report.png");
    let shot =
        headless(&chromium, &profile, &["--window-size=1280,2000", &format!("--screenshot={}", png.display()), &url]);
    let bytes =
        std::fs::read(&png).unwrap_or_else(|_| panic!("no screenshot: {}", String::from_utf8_lossy(&shot.stderr)));
    assert!(bytes.starts_with(b"\x89PNG") && bytes.len() > 10_000, "a real picture");
}
