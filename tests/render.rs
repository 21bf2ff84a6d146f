//! Pages that JavaScript builds, rendered in headless Chromium against a loopback site: the claim an app fetches from its API is read, every request the browser makes goes through claimwatch's fetcher (robots.txt, scope, resource types), and a page that never settles is not called checked.
//!
//! Chromium is required under `CI=true` (`.ci/run` installs it); elsewhere these tests say they
//! are skipped when it is missing.

mod common;

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use claimwatch::config::{self, Setup};
use claimwatch::fetch::{Fetcher, MemoryValidators};
use claimwatch::patterns::ClaimKind;
use claimwatch::pipeline::{self, PageRecord, PageStatus, Rendering, RunExtras, VendorReport};
use common::server::{TestServer, html, response};
use common::*;

/// Chromium, when installed (required in CI).
fn chromium() -> Option<String> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find(|c| std::process::Command::new(c).arg("--version").output().is_ok_and(|o| o.status.success()));
    if found.is_none() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("Chromium is required in CI (Debian package chromium)");
        }
        eprintln!("skipped: Chromium not installed (apt-get install chromium)");
    }
    found.map(|c| c.to_string())
}

fn render_section(chromium: &str, timeout_secs: u32) -> String {
    format!(
        "[render]\nenabled = true\nchromium = \"{chromium}\"\npage_timeout_secs = {timeout_secs}\nsubresource_requests_per_second = 50\n"
    )
}

fn setup(scratch: &Scratch, chromium: &str, timeout_secs: u32, vendors: &str) -> Arc<Setup> {
    let crawl = "allow_private_networks = true\nrequests_per_second = 50\nburst = 5\nretries = 0\nmax_pages = 20";
    let path = write_config(scratch, crawl, &format!("{vendors}\n{}", render_section(chromium, timeout_secs)));
    Arc::new(config::load(&path).unwrap_or_else(|e| panic!("{}", e.diagnostics())))
}

struct Keep(Vec<Option<VendorReport>>);

impl pipeline::Memory for Keep {
    type Error = std::convert::Infallible;
    fn recall(&mut self, _: usize) -> Result<pipeline::Recalled, Self::Error> {
        Ok(pipeline::Recalled::default())
    }
    fn done(&mut self, vendor: usize, report: VendorReport) -> Result<(), Self::Error> {
        self.0[vendor] = Some(report);
        Ok(())
    }
}

async fn run(setup: &Arc<Setup>) -> Vec<VendorReport> {
    let fetcher = Arc::new(Fetcher::new(&setup.config.crawl, Arc::new(MemoryValidators::default())).unwrap());
    let rendering = Rendering::for_run(setup, &setup.config.vendors, &fetcher).await;
    assert!(matches!(rendering, Rendering::On(_)), "Chromium starts");
    let extras = RunExtras { rendering: rendering.clone(), ..RunExtras::default() };
    let mut keep = Keep(setup.config.vendors.iter().map(|_| None).collect());
    let at = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let Ok(()) =
        pipeline::run_with(setup.clone(), fetcher, &setup.config.vendors, &extras, &mut keep, at, &|_| {}).await;
    rendering.close().await;
    keep.0.into_iter().map(Option::unwrap).collect()
}

fn page<'a>(report: &'a VendorReport, path: &str) -> &'a PageRecord {
    report
        .pages
        .iter()
        .find(|p| p.url.path() == path)
        .unwrap_or_else(|| panic!("no page {path} in {:#?}", report.pages))
}

const SHELL: &str = "<!doctype html><html><head><title>Nuvexa</title><script src=\"/app.js\"></script></head>\
                     <body><div id=\"root\"></div><noscript>Activez JavaScript.</noscript></body></html>";

fn js(body: &'static str) -> impl Fn(&common::server::Hit, usize) -> axum::response::Response<axum::body::Body> {
    move |_, _| response(200, &[("content-type", "text/javascript")], body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_an_app_fetches_from_its_api_is_read_and_judged() {
    let Some(chromium) = chromium() else { return };
    let server = TestServer::start("127.0.0.1").await;
    server.page("/", SHELL);
    server.route(
        "/app.js",
        js("addEventListener('DOMContentLoaded', () => fetch('/api/offre.json').then(r => r.json()).then(d => {\
              document.getElementById('root').innerHTML = '<h1>' + d.titre + '</h1><p>' + d.texte + '</p><a href=\"/tarifs\">Tarifs</a>';\
            }));"),
    );
    server.route("/api/offre.json", |_, _| {
        response(
            200,
            &[("content-type", "application/json")],
            r#"{"titre":"Nuvexa Souverain","texte":"Notre offre Nuvexa Souverain est qualifiée SecNumCloud par l'ANSSI."}"#,
        )
    });
    server.page("/tarifs", "<html><body><p>Nos tarifs sont publics et sans engagement.</p></body></html>");
    let scratch = Scratch::new();
    let setup = setup(&scratch, &chromium, 30, &vendor_toml("nuvexa", &server.url("/"), ""));
    let reports = run(&setup).await;
    let home = page(&reports[0], "/");
    assert_eq!(home.status, PageStatus::Fetched, "{:?}", home.notes);
    assert!(home.rendered);
    let claim = home.claims.iter().find(|c| c.claim.kind == ClaimKind::Assertion).expect("the fetched claim is read");
    assert!(claim.claim.matched.contains("SecNumCloud"), "{}", claim.claim.matched);
    assert!(home.notes.iter().any(|n| n.starts_with("rendered by Chromium: 2 subresource")), "{:?}", home.notes);
    // Links the app wrote are followed like a fetched page's.
    assert_eq!(page(&reports[0], "/tarifs").status, PageStatus::Fetched);
    assert_eq!(reports[0].summary().pages_rendered, 1);
    // The API was fetched by claimwatch, with its own user agent.
    let api = server.hits_on("/api/offre.json");
    assert_eq!(api.len(), 1);
    assert!(api[0].headers["user-agent"].to_str().unwrap().starts_with("claimwatch/"));
    let _ = Duration::from_secs(1);
    let _ = html("");
}
