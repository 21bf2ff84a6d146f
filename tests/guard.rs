//! The private-address guard, tested without sending anything off the machine: loopback vendors with the guard on, and redirects, links and DNS answers to 10.0.0.1 and 169.254.169.254 inside a network namespace of our own.
//!
//! Every address is non-public to the guard on loopback, so a reachable vendor beside a
//! refused target needs an address the guard calls public. The namespace test makes one: it
//! re-executes this test binary under `unshare -rnm` (a user, network and mount namespace
//! with only `lo`), puts 1.2.3.4, 10.0.0.1 and 169.254.169.254 on `lo`, bind-mounts an
//! /etc/hosts naming `intranet.test` and `metadata.test`, and crawls from 1.2.3.4. There is no
//! other interface in the namespace, so even a broken guard cannot send a packet out; the
//! listeners on the private addresses count connections, and must see none.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDate;
use claimwatch::config::{self, Setup};
use claimwatch::fetch::{Fetcher, MemoryValidators, Skip};
use claimwatch::pipeline::{self, PageStatus, VendorReport};
use common::netns;
use common::server::{TestServer, html, response};
use common::*;

/// A TCP listener that counts the connections it accepts (and closes them).
struct Counter {
    port: u16,
    accepted: Arc<AtomicUsize>,
}

async fn counter(ip: &str, port: u16) -> Counter {
    let listener = tokio::net::TcpListener::bind((ip, port)).await.expect("bind");
    let accepted = Arc::new(AtomicUsize::new(0));
    let seen = accepted.clone();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            drop(socket);
        }
    });
    Counter { port, accepted }
}

async fn run(scratch: &Scratch, crawl: &str, vendors: &str) -> Vec<VendorReport> {
    let path = write_config(scratch, crawl, vendors);
    let setup: Arc<Setup> = Arc::new(config::load(&path).unwrap_or_else(|e| panic!("{}", e.diagnostics())));
    let fetcher = Arc::new(Fetcher::new(&setup.config.crawl, Arc::new(MemoryValidators::default())).unwrap());
    let at = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    pipeline::run_once(setup.clone(), fetcher, &setup.config.vendors, at, &|_| {}).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_loopback_vendor_receives_no_connection_when_the_guard_is_on() {
    let by_ip = counter("127.0.0.5", 0).await;
    let by_name = counter("127.0.0.1", 0).await;
    let scratch = Scratch::new();
    let vendors = vendor_toml("ip", &format!("http://127.0.0.5:{}/", by_ip.port), "")
        + &vendor_toml("name", &format!("http://localhost:{}/", by_name.port), "");
    // The guard is on by default; retries would multiply any leak.
    let reports = run(&scratch, "requests_per_second = 50\nretries = 2", &vendors).await;
    for r in &reports {
        assert!(r.nothing_checked());
        let why = r.pages[0].status.why_not_checked().unwrap();
        assert!(why.starts_with("address guard refused: "), "{why}");
        assert!(matches!(r.pages[0].status, PageStatus::Skipped(Skip::PrivateAddress(_))));
    }
    assert_eq!(by_ip.accepted.load(Ordering::SeqCst), 0);
    assert_eq!(by_name.accepted.load(Ordering::SeqCst), 0);
}

#[test]
fn in_a_network_namespace_private_targets_are_refused_and_receive_nothing() {
    netns::run_inside("inside_the_namespace");
}

/// The namespace side of the test above (ignored: it runs only there, started by it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "runs inside the network namespace the test above makes"]
async fn inside_the_namespace() {
    netns::assert_inside();
    // Listeners on the private addresses, on one port, to count what reaches them.
    let intranet = counter("10.0.0.1", 0).await;
    let metadata = counter("169.254.169.254", intranet.port).await;
    let port = intranet.port;
    let site = TestServer::start("1.2.3.4").await;
    let targets = [
        ("ip-10", format!("http://10.0.0.1:{port}/")),
        ("ip-metadata", format!("http://169.254.169.254:{port}/latest/meta-data/")),
        ("name-10", format!("http://intranet.test:{port}/")),
        ("name-metadata", format!("http://metadata.test:{port}/latest/meta-data/")),
    ];
    let mut home = String::from("<html><body><p>Offre qualifiée SecNumCloud.</p>");
    for (name, target) in &targets {
        home.push_str(&format!("<a href=\"/redirect-{name}\">r</a> <a href=\"{target}\">l</a> "));
        let location = target.clone();
        site.route(&format!("/redirect-{name}"), move |_, _| response(302, &[("location", location.as_str())], ""));
    }
    site.route("/", move |_, _| html(&format!("{home}</body></html>")));
    let scratch = Scratch::new();
    let vendor = format!(
        "[[vendor]]\nid = \"v\"\nname = \"v\"\nstart_urls = [\"{}\"]\n\
         allowed_hosts = [\"1.2.3.4\", \"10.0.0.1\", \"169.254.169.254\", \"intranet.test\", \"metadata.test\"]\n",
        site.url("/")
    );
    let reports = run(&scratch, "requests_per_second = 50\nretries = 2\ntimeout_secs = 5", &vendor).await;
    let r = &reports[0];
    let home = r.pages.iter().find(|p| p.url.path() == "/").unwrap();
    assert_eq!(home.status, PageStatus::Fetched, "1.2.3.4 is public to the guard");
    assert_eq!(home.claims.len(), 1);
    for (name, target) in &targets {
        let host = url::Url::parse(target).unwrap().host_str().unwrap().to_string();
        let redirect = r.pages.iter().find(|p| p.url.path() == format!("/redirect-{name}")).unwrap();
        let link = r.pages.iter().find(|p| p.url.host_str() == Some(&host)).unwrap();
        for p in [redirect, link] {
            let PageStatus::Skipped(Skip::PrivateAddress(why)) = &p.status else {
                panic!("{} → {target}: {:?}", p.url, p.status)
            };
            assert!(why.starts_with("address guard refused: "), "{why}");
            if name.starts_with("name") {
                let ip = if *name == "name-10" { "10.0.0.1" } else { "169.254.169.254" };
                assert!(why.contains(&format!("{host} resolves only to non-public addresses ({ip})")), "{why}");
            } else {
                assert!(why.contains(&format!("{host} is not a public address")), "{why}");
            }
        }
    }
    assert_eq!(intranet.accepted.load(Ordering::SeqCst), 0, "nothing reached 10.0.0.1");
    assert_eq!(metadata.accepted.load(Ordering::SeqCst), 0, "nothing reached 169.254.169.254");
}
