//! `claimwatch daemon` as a process: schedules firing every few seconds against loopback sites and a real SMTP server, signals, reload, health and metrics, and a `check` that meets a busy store.

mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use claimwatch::mailbox::{Mailbox, Mood};
use common::daemon::{Daemon, eventually, free_port, get};
use common::server::{TestServer, html};
use common::*;

/// Parses Prometheus text into (series, value).
fn parse_metrics(text: &str) -> Vec<(String, f64)> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (series, value) = l.rsplit_once(' ').unwrap_or_else(|| panic!("not a sample: {l}"));
            (series.to_string(), value.parse().unwrap_or_else(|_| panic!("not a number: {l}")))
        })
        .collect()
}

fn metric(samples: &[(String, f64)], series: &str) -> Option<f64> {
    samples.iter().find(|(s, _)| s == series).map(|(_, v)| *v)
}

struct Setup {
    scratch: Scratch,
    config: PathBuf,
    http: u16,
}

fn setup(schedule: &str, vendors: &str, smtp_port: Option<u16>) -> Setup {
    let scratch = Scratch::new();
    let http = free_port();
    let smtp = smtp_port.map_or(String::new(), |p| {
        format!(
            "[smtp]\nhost = \"127.0.0.1\"\nport = {p}\nsecurity = \"none\"\nfrom = \"alerts@claimwatch.example\"\nretry_secs = 1\n\n\
             [[recipient]]\nemail = \"regulateur@dgccrf.example\"\n\n"
        )
    });
    let extra = format!("[schedule]\n{schedule}\n\n[http]\nlisten = \"127.0.0.1:{http}\"\n\n{smtp}{vendors}");
    let config = write_config(
        &scratch,
        "allow_private_networks = true\nrequests_per_second = 50\nretries = 0\ntimeout_secs = 10",
        &extra,
    );
    Setup { scratch, config, http }
}

async fn claiming_site() -> TestServer {
    let site = TestServer::start("127.0.0.1").await;
    site.page("/", "<html><body><p>Notre offre est qualifiée SecNumCloud.</p></body></html>");
    site
}

/// A site whose pages each take `delay` to answer.
async fn slow_site(delay: Duration, pages: usize) -> TestServer {
    let site = TestServer::start("127.0.0.1").await;
    let links: String = (0..pages).map(|i| format!("<a href=\"/p{i}\">p</a>")).collect();
    site.page("/", &format!("<html><body><p>Offre qualifiée SecNumCloud.</p>{links}</body></html>"));
    for i in 0..pages {
        site.route(&format!("/p{i}"), move |_, _| {
            std::thread::sleep(delay);
            html("<p>lent</p>")
        });
    }
    site
}

async fn status_json(config: &Path) -> serde_json::Value {
    let config = config.to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        claimwatch(&["status", "--format", "json", "--config", config.to_str().unwrap()])
    })
    .await
    .unwrap();
    serde_json::from_str(stdout(&out).trim()).unwrap_or(serde_json::Value::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_runs_happen_alerts_arrive_once_and_metrics_parse() {
    let site = claiming_site().await;
    let mailbox = Mailbox::start(IpAddr::V4(Ipv4Addr::LOCALHOST)).unwrap();
    let s = setup(
        "cron = \"*/2 * * * * *\"\njitter_secs = 0",
        &vendor_toml("v", &site.url("/"), ""),
        Some(mailbox.addr.port()),
    );
    let mut daemon = Daemon::start(&s.config, s.scratch.path());
    let runs_done = eventually(Duration::from_secs(30), || site.hits_on("/").len() >= 3).await;
    assert!(runs_done, "three scheduled runs: {}", daemon.log());
    assert!(eventually(Duration::from_secs(10), || mailbox.received().len() == 1).await);
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(mailbox.received().len(), 1, "the alert arrives once, however many runs");

    let (code, health) = get(s.http, "/healthz").await.expect("healthz answers");
    assert_eq!((code, health.trim()), (200, "ok"));
    let (code, text) = get(s.http, "/metrics").await.expect("metrics answer");
    assert_eq!(code, 200);
    let m = parse_metrics(&text);
    assert_eq!(metric(&m, "claimwatch_up"), Some(1.0));
    assert_eq!(metric(&m, "claimwatch_pages_fetched{vendor=\"v\"}"), Some(1.0));
    assert_eq!(metric(&m, "claimwatch_claims{label=\"secnumcloud\",kind=\"assertion\"}"), Some(1.0));
    assert_eq!(metric(&m, "claimwatch_open_findings{level=\"violation\"}"), Some(1.0));
    assert_eq!(metric(&m, "claimwatch_outbox_size"), Some(0.0));
    assert!(metric(&m, "claimwatch_runs_total{outcome=\"completed\"}").unwrap() >= 2.0);
    assert!(metric(&m, "claimwatch_last_success_timestamp_seconds").unwrap() > 1.7e9);
    assert!(metric(&m, "claimwatch_run_duration_seconds").is_some());
    assert!(daemon.log().contains("next run at"), "the next run is announced: {}", daemon.log());

    // status reads the store while the daemon waits between runs.
    let status = status_json(&s.config).await;
    assert_eq!(status["open_findings"]["violation"], 1, "{status}");
    assert!(status["runs"].as_array().unwrap().len() >= 2);

    daemon.signal(libc::SIGTERM);
    let exit = daemon.wait(Duration::from_secs(15)).expect("stops after SIGTERM");
    assert_eq!(exit.code(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_in_the_middle_of_a_run_exits_0_within_the_grace_and_loses_nothing() {
    let site = slow_site(Duration::from_millis(700), 12).await;
    let s = setup(
        "cron = \"*/2 * * * * *\"\njitter_secs = 0\nshutdown_grace_secs = 2",
        &vendor_toml("v", &site.url("/"), ""),
        None,
    );
    let mut daemon = Daemon::start(&s.config, s.scratch.path());
    assert!(
        eventually(Duration::from_secs(20), || site.hits_on("/p1").len() == 1).await,
        "a run is going: {}",
        daemon.log()
    );
    let sent = Instant::now();
    daemon.signal(libc::SIGTERM);
    let exit = daemon.wait(Duration::from_secs(15)).expect("stops");
    assert_eq!(exit.code(), Some(0), "{}", daemon.log());
    assert!(sent.elapsed() < Duration::from_secs(10), "within the grace period (2 s) and a wide margin");
    assert!(daemon.log().contains("requests in flight have 2s to finish"), "{}", daemon.log());
    let status = status_json(&s.config).await;
    assert_eq!(status["runs"][0]["outcome"], "interrupted", "{status}");
    assert_eq!(status["open_findings"]["violation"], 1, "what was seen before the stop was recorded");
    // The next run completes the work.
    let config = s.config.clone();
    let out = tokio::task::spawn_blocking(move || claimwatch(&["check", "--config", config.to_str().unwrap()]))
        .await
        .unwrap();
    assert!(stdout(&out).contains("pages: 13 fetched"), "{}", stdout(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ticks_during_a_run_are_skipped_and_a_busy_store_makes_check_exit_3() {
    let site = slow_site(Duration::from_millis(100), 60).await;
    // One request a second: the run holds the store for a minute, far longer than the test.
    let vendor = vendor_toml("v", &site.url("/"), "requests_per_second = 1");
    let s = setup("cron = \"* * * * * *\"\njitter_secs = 0\nshutdown_grace_secs = 1", &vendor, None);
    let daemon = Daemon::start(&s.config, s.scratch.path());
    assert!(
        eventually(Duration::from_secs(20), || daemon.log().contains("skipped: the previous run is still going")).await,
        "{}",
        daemon.log()
    );
    // The daemon holds the store during its run: a check waits a few seconds, then gives up.
    assert!(
        eventually(Duration::from_secs(30), || !site.hits_on("/p0").is_empty()).await,
        "{:?} {}",
        site.hits().iter().map(|h| h.target.clone()).collect::<Vec<_>>(),
        daemon.log()
    );
    let config = s.config.clone();
    let out = tokio::task::spawn_blocking(move || claimwatch(&["check", "--config", config.to_str().unwrap()]))
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}{}", stdout(&out), stderr(&out));
    assert!(stderr(&out).contains("in use by another claimwatch process"));
    let (_, text) = get(s.http, "/metrics").await.unwrap();
    assert!(metric(&parse_metrics(&text), "claimwatch_skipped_ticks_total").unwrap() >= 1.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_with_a_broken_config_keeps_the_old_one_running() {
    let site = claiming_site().await;
    let s = setup("cron = \"*/2 * * * * *\"\njitter_secs = 0", &vendor_toml("v", &site.url("/"), ""), None);
    let daemon = Daemon::start(&s.config, s.scratch.path());
    assert!(eventually(Duration::from_secs(15), || !site.hits_on("/").is_empty()).await);
    let good = std::fs::read_to_string(&s.config).unwrap();
    std::fs::write(&s.config, format!("{good}\nthis is = not toml [\n")).unwrap();
    daemon.signal(libc::SIGHUP);
    assert!(
        eventually(Duration::from_secs(10), || daemon
            .log()
            .contains("reload refused, still running on the previous configuration"))
        .await,
        "{}",
        daemon.log()
    );
    let before = site.hits_on("/").len();
    assert!(eventually(Duration::from_secs(15), || site.hits_on("/").len() > before).await, "runs go on");
    assert_eq!(get(s.http, "/healthz").await.unwrap().0, 200);
    // A good config is taken: a second vendor appears.
    let other = claiming_site().await;
    std::fs::write(&s.config, format!("{good}\n{}", vendor_toml("w", &other.url("/"), ""))).unwrap();
    daemon.signal(libc::SIGHUP);
    assert!(eventually(Duration::from_secs(15), || !other.hits().is_empty()).await, "{}", daemon.log());
    assert!(daemon.log().contains("configuration, patterns and registry reloaded"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn held_back_alerts_go_out_between_runs_as_soon_as_the_server_is_back() {
    let site = claiming_site().await;
    let mailbox = Mailbox::start(IpAddr::V4(Ipv4Addr::LOCALHOST)).unwrap();
    mailbox.set_mood(Mood::RefuseForNow);
    // One run soon, the next one in a month: only the outbox retry can deliver. Soon leaves the
    // daemon ample time to start on a loaded machine (the run must not fall before it is up).
    let now = chrono::Utc::now() + chrono::Duration::seconds(10);
    let cron = format!(
        "cron = \"{} {} {} {} * *\"\ntimezone = \"UTC\"\njitter_secs = 0",
        now.format("%S"),
        now.format("%M"),
        now.format("%H"),
        now.format("%d")
    );
    let s = setup(&cron, &vendor_toml("v", &site.url("/"), ""), Some(mailbox.addr.port()));
    let daemon = Daemon::start(&s.config, s.scratch.path());
    assert!(eventually(Duration::from_secs(40), || daemon.log().contains("run finished")).await, "{}", daemon.log());
    assert!(mailbox.received().is_empty());
    mailbox.set_mood(Mood::Accept);
    assert!(eventually(Duration::from_secs(20), || mailbox.received().len() == 1).await, "{}", daemon.log());
    assert!(daemon.log().contains("held-back alerts delivered"), "{}", daemon.log());
    assert_eq!(site.hits_on("/").len(), 1, "delivered without another run");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_run_makes_healthz_503_and_is_reported_in_status() {
    let site = claiming_site().await;
    let s = setup("cron = \"*/2 * * * * *\"\njitter_secs = 0", &vendor_toml("v", &site.url("/"), ""), None);
    // Another process holds the store: the daemon's run fails after its wait.
    let store_path = s.scratch.path().join("claimwatch.db");
    let held = claimwatch::store::Store::open(&store_path, Duration::from_secs(1)).unwrap();
    let daemon = Daemon::start(&s.config, s.scratch.path());
    assert!(eventually(Duration::from_secs(30), || daemon.log().contains("run failed")).await, "{}", daemon.log());
    let started = Instant::now();
    let mut unhealthy = false;
    while started.elapsed() < Duration::from_secs(10) && !unhealthy {
        unhealthy = get(s.http, "/healthz").await.is_some_and(|(c, _)| c == 503);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(unhealthy, "healthz says 503 after a failed run");
    let status = status_json(&s.config).await;
    assert!(status.is_null(), "status cannot read a held store either");
    // What the daemon says of itself lives beside the store, readable while the store is held
    // (read now: once the store is free, the next run may already have succeeded).
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(s.scratch.path().join("claimwatch.db.daemon.json")).unwrap())
            .unwrap();
    assert_eq!(state["last_outcome"], "failed", "{state}");
    assert!(state["last_error"].as_str().unwrap().contains("in use by another claimwatch process"), "{state}");
    drop(held);
    // The daemon goes on: the next run succeeds and health comes back.
    assert!(eventually(Duration::from_secs(30), || !site.hits_on("/").is_empty()).await, "{}", daemon.log());
    let started = Instant::now();
    let mut healthy = false;
    while started.elapsed() < Duration::from_secs(15) && !healthy {
        healthy = get(s.http, "/healthz").await.is_some_and(|(c, _)| c == 200);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(healthy, "{}", daemon.log());
}

/// SIGHUP reloads the gazetteer: a company it stops knowing is read as the vendor's own on the next run, which reads the page again under a new reading version.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_the_gazetteer_and_the_next_run_reads_with_it() {
    let site = TestServer::start("127.0.0.1").await;
    site.page("/", "<html><body><p>Altostrat est qualifié SecNumCloud.</p></body></html>");
    let s = setup("cron = \"*/2 * * * * *\"\njitter_secs = 0", &vendor_toml("v", &site.url("/"), ""), None);
    // Altostrat is a known third party: its claim is judged against Altostrat, whom the test
    // registry does not know (unverified), never as the vendor's violation.
    let gazetteer = s.scratch.write("gazetteer.toml", "[[organisation]]\nname = \"Altostrat\"\n");
    let text = std::fs::read_to_string(&s.config).unwrap();
    std::fs::write(&s.config, format!("gazetteer = \"{}\"\n{text}", gazetteer.display())).unwrap();

    let daemon = Daemon::start(&s.config, s.scratch.path());
    let mut first = serde_json::Value::Null;
    let read_once = eventually(Duration::from_secs(60), || {
        first = status_now(&s.config);
        first["reading_version_stored"].is_string()
    })
    .await;
    assert!(read_once, "a run completes: {first} {}", daemon.log());
    let before = first["reading_version_stored"].as_str().unwrap().to_string();
    assert_eq!(first["open_findings"].get("violation"), None, "a third party's claim: {first}");

    // Altostrat is forgotten: an unknown name on a product page is the vendor's own brand.
    std::fs::write(&gazetteer, "[[organisation]]\nname = \"Nimbéo\"\n").unwrap();
    daemon.signal(libc::SIGHUP);
    let mut after = serde_json::Value::Null;
    let reread = eventually(Duration::from_secs(60), || {
        after = status_now(&s.config);
        after["reading_version_stored"].as_str().is_some_and(|v| v != before)
    })
    .await;
    assert!(reread, "a run reads with the new gazetteer: {after} {}", daemon.log());
    assert!(daemon.log().contains("reloaded"), "{}", daemon.log());
    assert_eq!(after["reading_version"], after["reading_version_stored"], "{after}");
    assert_eq!(after["open_findings"]["violation"], 1, "the claim is now the vendor's own: {after}");
    let runs = after["runs"].as_array().unwrap();
    let rereading = runs.iter().find(|r| r["reread"].is_object()).expect("a run says it read pages again");
    assert_eq!(rereading["reread"]["from"], before.as_str(), "{rereading}");
    assert_eq!(rereading["reread"]["to"], after["reading_version_stored"], "{rereading}");
    // The finding quotes the sentence (asked again if a run holds the store at that moment).
    let mut violation = None;
    let listed = eventually(Duration::from_secs(60), || {
        let out = claimwatch(&["findings", "--format", "json", "--config", s.config.to_str().unwrap()]);
        violation = stdout(&out)
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .find(|l| l["type"] == "finding" && l["level"] == "violation");
        violation.is_some()
    })
    .await;
    assert!(listed, "the finding is listed: {}", daemon.log());
    let violation = violation.unwrap().to_string();
    assert!(violation.contains("Altostrat est qualifié SecNumCloud."), "{violation}");
}

/// `claimwatch status --format json` now, from a blocking thread's point of view (Null while a run holds the store).
fn status_now(config: &Path) -> serde_json::Value {
    let out = claimwatch(&["status", "--format", "json", "--config", config.to_str().unwrap()]);
    serde_json::from_str(stdout(&out).trim()).unwrap_or(serde_json::Value::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_that_misses_a_canary_makes_healthz_503_and_metrics_say_which_and_what_the_registry_lacks() {
    let site = claiming_site().await;
    // The operator's canary page carries no claim: every run misses it.
    let canary = TestServer::start("127.0.0.2").await;
    canary.page("/temoin", "<html><body><p>Rien à signaler ici.</p></body></html>");
    let vendors = vendor_toml("v", &site.url("/"), "provider = \"Qualifie SAS\"");
    let extra = format!(
        "[canary]\nurl = \"{}\"\nlabel = \"secnumcloud\"\nkind = \"assertion\"\n\n{vendors}",
        canary.url("/temoin")
    );
    let s = setup("cron = \"*/2 * * * * *\"\njitter_secs = 0", &extra, None);
    let daemon = Daemon::start(&s.config, s.scratch.path());
    let started = Instant::now();
    let mut health = None;
    while started.elapsed() < Duration::from_secs(30) && health.as_ref().is_none_or(|(c, _)| *c != 503) {
        health = get(s.http, "/healthz").await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (code, body) = health.unwrap_or_else(|| panic!("healthz answers\n{}", daemon.log()));
    assert_eq!(code, 503, "{body}\n{}", daemon.log());
    assert!(body.starts_with("last run degraded: canary missed: network:"), "{body}");
    let (_, text) = get(s.http, "/metrics").await.unwrap();
    let samples = parse_metrics(&text);
    let series = format!("claimwatch_canary_missed{{canary=\"network:{}\"}}", canary.url("/temoin"));
    assert_eq!(metric(&samples, &series), Some(1.0), "{text}");
    assert!(metric(&samples, "claimwatch_degraded_runs_total").is_some_and(|n| n >= 1.0), "{text}");
    assert_eq!(
        metric(&samples, "claimwatch_provider_unmatched{vendor=\"v\",provider=\"Qualifie SAS\"}"),
        Some(1.0),
        "{text}"
    );
    assert!(
        daemon.log().contains("provider `Qualifie SAS` is not in the registry (did you mean `Qualifié SA`?)"),
        "{}",
        daemon.log()
    );
}
