//! The daemon's dashboard as a process: the report and a finding's page in headless Chromium, the lists as `claimwatch findings` prints them, read-only methods, the bearer token, a listener beyond loopback refused, and the CLI working beside the daemon.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::chromium::{chromium, headless};
use common::daemon::{Daemon, eventually, free_port, get, request, request_with};
use common::server::TestServer;
use common::*;

const CRAWL: &str = "allow_private_networks = true\nrequests_per_second = 50\nretries = 0\ntimeout_secs = 10";
const TOKEN_VAR: &str = "CLAIMWATCH_TEST_DASHBOARD_TOKEN";
const TOKEN: &str = "k7Qz-dashboard.token_for~tests";

/// The claim the vendor's page makes, with text that must be escaped.
const CLAIM_PAGE: &str = "<html><body><p>L'offre &lt;Nuage&gt; &amp; co est qualifiée SecNumCloud.</p></body></html>";

/// A config with `[http]` on `port` (plus `http_extra`), the vendors given, and one run a few
/// seconds from now (the next a month later), so that the store stays free once it is done.
fn config(scratch: &Scratch, port: u16, http_extra: &str, vendors: &str) -> PathBuf {
    // Ample time for the daemon to start on a loaded machine: the run must not fall before.
    let at = chrono::Utc::now() + chrono::Duration::seconds(10);
    let schedule =
        format!("[schedule]\ncron = \"{}\"\ntimezone = \"UTC\"\njitter_secs = 0", at.format("%S %M %H %d * *"));
    let http = format!("[http]\nlisten = \"127.0.0.1:{port}\"\n{http_extra}");
    write_config(scratch, CRAWL, &format!("{schedule}\n\n{http}\n\n{vendors}"))
}

async fn cli_out(config: &Path, args: &[&str]) -> std::process::Output {
    let mut a: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    a.extend(["--config".to_string(), config.display().to_string()]);
    cli(a).await
}

/// The DOM Chromium builds of `url`.
fn browse(chromium: &Path, profile: &Path, url: &str) -> String {
    let out = headless(chromium, profile, &["--dump-dom", url]);
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    let errors = String::from_utf8_lossy(&out.stderr);
    assert!(!errors.contains("Uncaught") && !errors.contains("Failed to load resource"), "{url}: {errors}");
    assert!(!dom.trim().is_empty(), "{url}: no DOM: {errors}");
    dom
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_serves_the_report_and_each_finding_while_the_cli_works_beside_it() {
    let site = TestServer::start("127.0.0.1").await;
    site.page("/", CLAIM_PAGE);
    let scratch = Scratch::new();
    let port = free_port();
    let vendor = vendor_toml("nuage", &site.url("/"), "").replace("name = \"nuage\"", "name = \"Nuage & Fils\"");
    let config = config(&scratch, port, "", &vendor);
    let daemon = Daemon::start(&config, scratch.path());
    assert!(eventually(Duration::from_secs(40), || daemon.log().contains("run finished")).await, "{}", daemon.log());
    // The first snapshot was served from the start, before the run.
    let log = daemon.log();
    let first = log.find("dashboard snapshot ready findings=0").unwrap_or_else(|| panic!("{log}"));
    assert!(first < log.find("run starting").unwrap(), "{log}");
    let mut listed = String::new();
    let mut ready = false;
    for _ in 0..200 {
        if let Some((200, body)) = get(port, "/findings.json").await
            && body.contains("\"type\":\"finding\"")
        {
            listed = body;
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "the snapshot after the run lists the finding: {}", daemon.log());

    // Between runs the daemon holds nothing: the store opens without waiting, and the CLI works.
    let store = claimwatch::store::Store::open(&scratch.path().join("claimwatch.db"), Duration::ZERO)
        .expect("the store is free between runs");
    drop(store);
    let status = cli_out(&config, &["status", "--format", "json"]).await;
    assert_eq!(status.status.code(), Some(0), "{}", stderr(&status));
    let status: serde_json::Value = serde_json::from_str(stdout(&status).trim()).unwrap();
    assert_eq!(status["open_findings"]["violation"], 1, "{status}");

    // The lists are what `claimwatch findings` prints, byte for byte.
    let json = cli_out(&config, &["findings", "--format", "json"]).await;
    assert_eq!(json.status.code(), Some(0), "{}", stderr(&json));
    assert_eq!(stdout(&json), listed);
    let csv = cli_out(&config, &["findings", "--format", "csv", "--state", "all"]).await;
    assert_eq!(csv.status.code(), Some(0), "{}", stderr(&csv));
    let served = request(port, "GET", "/findings.csv?state=all", None).await.unwrap();
    assert_eq!((served.status, served.body.as_str()), (200, stdout(&csv).as_str()));
    assert_eq!(served.header("content-type"), Some("text/csv; charset=utf-8"));
    let none = request(port, "GET", "/findings.json?state=resolved", None).await.unwrap();
    assert_eq!((none.status, none.body.as_str()), (200, ""));
    let ids = finding_ids(&config);
    assert_eq!(ids.len(), 1);
    let id = &ids[0];

    // Read-only, and every page says when its data is from.
    let front = request(port, "GET", "/", None).await.unwrap();
    assert_eq!(front.status, 200);
    assert!(front.header("last-modified").is_some_and(|v| v.ends_with(" GMT")), "{:?}", front.headers);
    assert!(front.header("content-security-policy").is_some_and(|v| v.contains("default-src 'none'")));
    assert!(front.body.contains("id=\"snapshot\"") && front.body.contains("<time datetime=\""), "{}", front.body);
    assert!(front.body.contains("Nuage &amp; Fils"), "escaped vendor name");
    let head = request(port, "HEAD", &format!("/findings/{id}"), None).await.unwrap();
    assert_eq!((head.status, head.body.as_str()), (200, ""));
    for (method, path) in [("POST", "/"), ("PUT", "/findings.json"), ("DELETE", &format!("/findings/{id}")[..])] {
        let r = request(port, method, path, None).await.unwrap();
        assert_eq!(r.status, 405, "{method} {path}");
    }
    for path in ["/findings/000000000000", "/findings/%3Cscript%3E", "/nothing", "/findings/"] {
        assert_eq!(request(port, "GET", path, None).await.unwrap().status, 404, "{path}");
    }
    assert_eq!(request(port, "GET", "/?lang=de", None).await.unwrap().status, 400);
    assert_eq!(get(port, "/healthz").await.unwrap().0, 200);

    let Some(chromium) = chromium() else { return };
    let profile = scratch.path().join("chromium-profile");
    let dom = browse(&chromium, &profile, &format!("http://127.0.0.1:{port}/"));
    assert!(dom.contains(&format!("id=\"finding-{id}\"")), "the report lists the finding: {dom}");
    assert!(dom.contains(&format!("href=\"findings/{id}\"")), "and links to its page: {dom}");
    assert!(dom.contains("<mark>SecNumCloud</mark>"), "{dom}");
    let dom = browse(&chromium, &profile, &format!("http://127.0.0.1:{port}/findings/{id}"));
    assert!(dom.contains(&format!("<code>{id}</code>")), "{dom}");
    assert!(
        dom.contains(
            "<blockquote class=\"said\">L'offre &lt;Nuage&gt; &amp; co est qualifiée <mark>SecNumCloud</mark>."
        ),
        "the quote in context, read again from the archived page: {dom}"
    );
    assert!(dom.contains(&site.url("/")), "{dom}");
    assert!(dom.contains("claimwatch-") && dom.contains(".warc.gz"), "where it is archived: {dom}");
    assert!(dom.contains("id=\"snapshot\""), "{dom}");
    let en = browse(&chromium, &profile, &format!("http://127.0.0.1:{port}/findings/{id}?lang=en"));
    assert!(en.contains("Back to the report") && en.contains("href=\"../?lang=en\""), "{en}");

    // The finding's dossier, printed by Chromium from the snapshot and the archive.
    let front = request(port, "GET", "/", None).await.unwrap();
    assert!(front.body.contains(&format!("href=\"findings/{id}/dossier.pdf\"")), "the report links the dossier");
    let hits = site.hits().len();
    let fetch = |lang: &'static str| {
        let url = format!("http://127.0.0.1:{port}/findings/{id}/dossier.pdf{lang}");
        async move { reqwest::get(url).await.unwrap() }
    };
    let answer = fetch("?lang=en").await;
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["content-type"], "application/pdf");
    let pdf = answer.bytes().await.unwrap().to_vec();
    let text = claimwatch::pdf::extract_pdf(&pdf).unwrap().pages.join("\n");
    assert!(text.contains("est qualifiée SecNumCloud") && text.contains("Legal basis"), "{text}");
    assert_eq!(fetch("?lang=en").await.bytes().await.unwrap().to_vec(), pdf, "kept until the next snapshot");
    assert_eq!(site.hits().len(), hits, "the dossier fetched nothing from the vendor's site");
    let unknown = request(port, "GET", "/findings/000000000000/dossier.pdf", None).await.unwrap();
    assert_eq!(unknown.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_guards_the_findings_pages_and_health_stays_open() {
    let scratch = Scratch::new();
    let port = free_port();
    // No site: the one run would fail to connect, and the test is done long before it.
    let vendor = vendor_toml("v", "http://127.0.0.1:9/", "");
    let config = config(&scratch, port, &format!("token_env = \"{TOKEN_VAR}\""), &vendor);
    let daemon = Daemon::start_with(&config, scratch.path(), &[(TOKEN_VAR, TOKEN)], &[]);
    assert!(
        eventually(Duration::from_secs(20), || daemon.log().contains("dashboard snapshot ready")).await,
        "{}",
        daemon.log()
    );
    assert!(daemon.log().contains("behind its bearer token"), "{}", daemon.log());
    for path in [
        "/",
        "/findings.json",
        "/findings.csv",
        "/findings/000000000000",
        "/findings/x?lang=en",
        "/findings/x/dossier.pdf",
    ] {
        for auth in [None, Some("Bearer wrong"), Some("Bearer "), Some(&format!("Basic {TOKEN}")[..])] {
            let r = request_with(port, "GET", path, auth).await.unwrap();
            assert_eq!(r.status, 401, "{path} with {auth:?}");
            assert!(r.header("www-authenticate").is_some_and(|v| v.starts_with("Bearer")), "{path}: {:?}", r.headers);
            assert!(!r.body.contains("<html"), "nothing of the dashboard: {}", r.body);
        }
        let wrong_length = request(port, "GET", path, Some(&format!("{TOKEN}x"))).await.unwrap();
        assert_eq!(wrong_length.status, 401, "{path}");
    }
    for path in ["/", "/findings.json", "/findings.csv", "/?lang=en"] {
        let r = request(port, "GET", path, Some(TOKEN)).await.unwrap();
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        assert_eq!(r.header("cache-control"), Some("no-store"));
    }
    let lower = request_with(port, "GET", "/", Some(&format!("bearer {TOKEN}"))).await.unwrap();
    assert_eq!(lower.status, 200, "the scheme is case-insensitive");
    assert_eq!(request(port, "GET", "/findings/000000000000", Some(TOKEN)).await.unwrap().status, 404);
    assert_eq!(request(port, "POST", "/", Some(TOKEN)).await.unwrap().status, 405);
    // Health and metrics stay open.
    assert_eq!(get(port, "/healthz").await.unwrap().0, 200);
    assert_eq!(get(port, "/metrics").await.unwrap().0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beyond_loopback_the_daemon_needs_a_token_and_its_variable_set() {
    let scratch = Scratch::new();
    let vendor = vendor_toml("v", "http://127.0.0.1:9/", "");
    let config = write_config(&scratch, CRAWL, &format!("[http]\nlisten = \"0.0.0.0:0\"\n\n{vendor}"));
    let text = std::fs::read_to_string(&config).unwrap();
    let line = text.lines().position(|l| l.starts_with("listen = ")).unwrap() + 1;
    let at = format!("{}:{line}:10: ", config.display());
    // The check every command makes refuses it (so the daemon cannot bind it).
    let validate = cli_out(&config, &["validate"]).await;
    assert_eq!(validate.status.code(), Some(2));
    let said = stderr(&validate);
    assert!(said.contains(&at) && said.contains("set `token_env`"), "{said}");
    let mut daemon = Daemon::start(&config, scratch.path());
    let exit = daemon.wait(Duration::from_secs(20)).expect("the daemon refuses to start");
    assert_eq!(exit.code(), Some(2), "{}", daemon.log());
    assert!(daemon.log().contains(&at) && daemon.log().contains("reachable beyond this machine"), "{}", daemon.log());
    drop(daemon);

    // token_env set: the variable must hold a token at start (on loopback too).
    for (value, says) in [(None, "which is not set"), (Some("  "), "which is empty")] {
        let port = free_port();
        let config = write_config(
            &scratch,
            CRAWL,
            &format!("[http]\nlisten = \"127.0.0.1:{port}\"\ntoken_env = \"{TOKEN_VAR}\"\n\n{vendor}"),
        );
        let set: Vec<(&str, &str)> = value.map(|v| (TOKEN_VAR, v)).into_iter().collect();
        let mut daemon = Daemon::start_with(&config, scratch.path(), &set, &[TOKEN_VAR]);
        let exit = daemon.wait(Duration::from_secs(20)).expect("the daemon refuses to start");
        assert_eq!(exit.code(), Some(2), "{}", daemon.log());
        assert!(daemon.log().contains(&format!("token_env names {TOKEN_VAR}, {says}")), "{}", daemon.log());
        assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "nothing listens");
    }
}
