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
use claimwatch::pipeline::{self, PageStatus, Rendering, RunExtras, VendorReport};
use common::netns;
use common::page_of as page;
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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scripts_disallowed_by_robots_or_out_of_scope_are_refused_and_render_hosts_admitted() {
    let Some(chromium) = chromium() else { return };
    let site = TestServer::start("127.0.0.1").await;
    let cdn = TestServer::start("127.0.0.2").await;
    let elsewhere = TestServer::start("127.0.0.3").await;
    site.route("/robots.txt", |_, _| {
        response(200, &[("content-type", "text/plain")], "User-agent: *\nDisallow: /private/\n")
    });
    site.page(
        "/",
        &format!(
            "<html><head><script src=\"{}\"></script><script src=\"/private/extra.js\"></script>\
             <script src=\"{}\"></script><script src=\"/app.js\"></script></head><body><div id=\"root\"></div></body></html>",
            cdn.url("/lib.js"),
            elsewhere.url("/track.js")
        ),
    );
    // Each script, if it ran, would leave a line in the page: only the admitted ones may.
    cdn.route("/lib.js", js("window.fromCdn = 'Bibliothèque chargée depuis le réseau de diffusion autorisé.';"));
    site.route(
        "/private/extra.js",
        js("window.fromPrivate = 'qualifié SecNumCloud selon un script interdit par robots.txt';"),
    );
    elsewhere
        .route("/track.js", js("window.fromElsewhere = 'qualifié SecNumCloud selon un script hors du périmètre';"));
    site.route(
        "/app.js",
        js("addEventListener('DOMContentLoaded', () => { document.getElementById('root').innerHTML = \
              '<p>' + [window.fromCdn, window.fromPrivate, window.fromElsewhere].filter(Boolean).join(' ') + '</p>'; });"),
    );
    let scratch = Scratch::new();
    let extra = "render = \"always\"\nrender_hosts = [\"127.0.0.2\"]";
    let setup = setup(&scratch, &chromium, 30, &vendor_toml("nuvexa", &site.url("/"), extra));
    let reports = run(&setup).await;
    let home = page(&reports[0], "/");
    assert_eq!(home.status, PageStatus::Fetched, "{:?}", home.notes);
    assert!(home.claims.is_empty(), "no refused script ran: {:?}", home.claims);
    assert_eq!(cdn.hits_on("/lib.js").len(), 1, "render_hosts are admitted");
    assert!(site.hits_on("/private/extra.js").is_empty(), "robots.txt holds for scripts");
    assert!(elsewhere.hits().is_empty(), "nothing reaches a host out of scope, not even robots.txt");
    let note = &home.notes[0];
    assert!(note.contains("1 disallowed by robots.txt"), "{note}");
    assert!(note.contains("1 outside the vendor's hosts and render_hosts"), "{note}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_that_never_settles_is_read_as_it_stood_and_not_called_checked() {
    let Some(chromium) = chromium() else { return };
    let server = TestServer::start("127.0.0.1").await;
    server.page("/", SHELL);
    server.route(
        "/app.js",
        js("addEventListener('DOMContentLoaded', () => {\
              document.getElementById('root').innerHTML = '<p>Notre cloud Nuvexa est qualifié SecNumCloud.</p>';\
              setInterval(() => fetch('/api/poll?t=' + Date.now()), 150);\
            });"),
    );
    server.route("/api/poll", |_, _| response(200, &[("content-type", "application/json")], "{}"));
    let scratch = Scratch::new();
    let setup = setup(&scratch, &chromium, 3, &vendor_toml("nuvexa", &server.url("/"), ""));
    let reports = run(&setup).await;
    let home = page(&reports[0], "/");
    let PageStatus::RenderFailed(why) = &home.status else { panic!("{:?}", home.status) };
    assert!(why.contains("still loading after 3 s"), "{why}");
    assert!(home.status.why_not_checked().is_some());
    assert_eq!(home.claims.len(), 1, "what did render is kept");
    assert_eq!(reports[0].summary().pages_not_rendered, 1);
    assert!(reports[0].nothing_checked(), "never reported clean");
    assert!(server.hits_on("/app.js").len() == 1 && server.hits().len() > 5, "it kept polling until the timeout");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_of_out_of_process_frames_and_workers_go_through_claimwatch() {
    let Some(chromium) = chromium() else { return };
    let site = TestServer::start("127.0.0.1").await;
    // Another site (another address): Chromium puts its frame in a process of its own.
    let widgets = TestServer::start("127.0.0.4").await;
    site.page(
        "/",
        &format!(
            "<html><head><script src=\"/app.js\"></script></head><body><div id=\"root\"></div>\
             <iframe src=\"{}\"></iframe></body></html>",
            widgets.url("/frame")
        ),
    );
    site.route(
        "/app.js",
        js("const w = new Worker('/worker.js'); w.onmessage = (e) => { document.getElementById('root').textContent = e.data; };"),
    );
    site.route("/worker.js", js("fetch('/worker-data').then(r => r.text()).then(t => postMessage(t));"));
    site.route("/worker-data", |_, _| {
        response(200, &[("content-type", "text/plain")], "Texte calculé par le worker de la page d'accueil.")
    });
    widgets.page("/frame", "<html><body><script>fetch('/frame-data').then(r => r.text()).then(t => document.body.append(t));</script></body></html>");
    widgets.route("/frame-data", |_, _| response(200, &[("content-type", "text/plain")], "widget"));
    let scratch = Scratch::new();
    let extra = "render = \"always\"\nrender_hosts = [\"127.0.0.4\"]";
    let setup = setup(&scratch, &chromium, 30, &vendor_toml("nuvexa", &site.url("/"), extra));
    let reports = run(&setup).await;
    let home = page(&reports[0], "/");
    assert_eq!(home.status, PageStatus::Fetched, "{:?}", home.notes);
    let agent = |hits: Vec<common::server::Hit>| -> Vec<String> {
        hits.iter().map(|h| h.headers["user-agent"].to_str().unwrap().to_string()).collect()
    };
    for (server, path) in
        [(&site, "/worker.js"), (&site, "/worker-data"), (&widgets, "/frame"), (&widgets, "/frame-data")]
    {
        let agents = agent(server.hits_on(path));
        assert_eq!(agents.len(), 1, "{path} fetched once");
        assert!(agents[0].starts_with("claimwatch/"), "{path} fetched by claimwatch, not by the browser: {agents:?}");
    }
    let _ = (Duration::from_secs(1), html(""));
}

/// The SPA of the first test, for runs through the command line.
fn spa(server: &TestServer) {
    server.page("/", SHELL);
    server.route(
        "/app.js",
        js("addEventListener('DOMContentLoaded', () => fetch('/api/offre.json').then(r => r.json()).then(d => {\
              document.getElementById('root').innerHTML = '<p>' + d.texte + '</p>';\
            }));"),
    );
    server.route("/api/offre.json", |_, _| {
        response(
            200,
            &[("content-type", "application/json")],
            r#"{"texte":"Notre offre Nuvexa Souverain est qualifiée SecNumCloud."}"#,
        )
    });
}

fn cli_config(scratch: &Scratch, server: &TestServer, chromium: &str) -> std::path::PathBuf {
    let crawl = "allow_private_networks = true\nrequests_per_second = 50\nretries = 0\ntimeout_secs = 5";
    write_config(
        scratch,
        crawl,
        &format!("{}\n{}", vendor_toml("nuvexa", &server.url("/"), ""), render_section(chromium, 30)),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rendered_dom_is_archived_as_a_conversion_of_the_fetched_response() {
    let Some(chromium) = chromium() else { return };
    let server = TestServer::start("127.0.0.1").await;
    spa(&server);
    let scratch = Scratch::new();
    let config = cli_config(&scratch, &server, &chromium);
    let c = config.to_str().unwrap().to_string();
    let out = cli(vec!["check".into(), "--config".into(), c.clone()]).await;
    assert_eq!(out.status.code(), Some(1), "a violation: {}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("rendering: Chrome/") || stdout(&out).contains("rendering: HeadlessChrome/"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("1 rendered"), "{}", stdout(&out));
    let dir = scratch.path().join("evidence");
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".warc.gz"))
        .unwrap();
    let records = claimwatch::evidence::warc::read_all(&file).unwrap();
    let of = |kind: &str| -> Vec<&claimwatch::evidence::warc::Record> {
        records.iter().map(|(_, r)| r).filter(|r| r.header("WARC-Type") == Some(kind)).collect()
    };
    let mut responses: Vec<&str> = of("response").iter().map(|r| r.header("WARC-Target-URI").unwrap()).collect();
    responses.sort();
    let mut expected = vec![server.url("/"), server.url("/api/offre.json"), server.url("/app.js")];
    expected.sort();
    assert_eq!(responses, expected, "the page and what its scripts were answered with");
    let page_response =
        of("response").into_iter().find(|r| r.header("WARC-Target-URI") == Some(server.url("/").as_str())).unwrap();
    assert_eq!(page_response.http_body().unwrap(), SHELL.as_bytes(), "the wire response, not the DOM");
    let conversions = of("conversion");
    assert_eq!(conversions.len(), 1);
    let conversion = conversions[0];
    assert_eq!(conversion.header("WARC-Refers-To"), page_response.header("WARC-Record-ID"));
    assert_eq!(conversion.header("WARC-Target-URI"), Some(server.url("/").as_str()));
    assert!(String::from_utf8_lossy(&conversion.block).contains("qualifiée SecNumCloud"));
    for (_, r) in &records {
        claimwatch::evidence::warc::verify(r).unwrap();
    }
    assert_eq!(
        cli(vec!["evidence".into(), "verify".into(), "--config".into(), c.clone()]).await.status.code(),
        Some(0)
    );
    let ids = finding_ids(&config);
    assert_eq!(ids.len(), 1);
    let report = scratch.path().join("report.html");
    let out =
        cli(vec!["report".into(), "--config".into(), c.clone(), "--out".into(), report.display().to_string()]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(
        html.contains("<td>1 (1 rendue par Chromium)</td>"),
        "coverage counts rendered pages apart: {}",
        &html[html.find("<table").unwrap_or(0)..]
    );
    let shown = cli(vec!["evidence".into(), "show".into(), ids[0].clone(), "--config".into(), c]).await;
    let text = stdout(&shown);
    assert!(text.contains("rendered by Chromium"), "{text}");
    assert!(text.contains("said:     «\u{a0}SecNumCloud\u{a0}»"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_chromium_cannot_start_validate_and_check_say_so_and_shells_are_not_checked() {
    let server = TestServer::start("127.0.0.1").await;
    spa(&server);
    let scratch = Scratch::new();
    let config = cli_config(&scratch, &server, "/nonexistent/chromium");
    let c = config.to_str().unwrap().to_string();
    let validated = cli(vec!["validate".into(), "--config".into(), c.clone()]).await;
    assert_eq!(validated.status.code(), Some(2));
    assert!(
        stderr(&validated).contains("[render] is enabled, but Chromium cannot start: cannot run /nonexistent/chromium"),
        "{}",
        stderr(&validated)
    );
    let checked = cli(vec!["check".into(), "--config".into(), c]).await;
    assert_eq!(checked.status.code(), Some(2), "nothing of the vendor could be checked");
    let text = stdout(&checked);
    assert!(text.contains("WARNING: rendering is on, but Chromium cannot start"), "{text}");
    assert!(stderr(&checked).contains("render_failed"), "{}", stderr(&checked));
}

#[test]
fn in_a_network_namespace_a_scripts_requests_to_private_addresses_are_refused() {
    if chromium().is_some() {
        netns::run_inside("rendering_inside_the_namespace");
    }
}

/// The namespace side of the test above (ignored: it runs only there, started by it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "runs inside the network namespace the test above makes"]
async fn rendering_inside_the_namespace() {
    netns::assert_inside();
    let chromium = chromium().expect("checked outside");
    // Listeners on the private addresses, on one port, counting what reaches them.
    let intranet = tokio::net::TcpListener::bind(("10.0.0.1", 0)).await.unwrap();
    let port = intranet.local_addr().unwrap().port();
    let metadata = tokio::net::TcpListener::bind(("169.254.169.254", port)).await.unwrap();
    let reached = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    for listener in [intranet, metadata] {
        let reached = reached.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                reached.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                drop(socket);
            }
        });
    }
    let site = TestServer::start("1.2.3.4").await;
    let targets = [
        format!("http://10.0.0.1:{port}/data.json"),
        format!("http://169.254.169.254:{port}/latest/meta-data/"),
        format!("http://intranet.test:{port}/data.json"),
        format!("http://metadata.test:{port}/latest/meta-data/"),
    ];
    let fetches: String = targets.iter().map(|t| format!("fetch('{t}').catch(() => {{}});")).collect();
    site.page(
        "/",
        &format!(
            "<html><head><script src=\"http://10.0.0.1:{port}/lib.js\"></script><script src=\"/app.js\"></script></head>\
             <body><div id=\"root\"></div><img src=\"http://10.0.0.1:{port}/pixel.png\"></body></html>"
        ),
    );
    let app = format!(
        "{fetches} try {{ new WebSocket('ws://10.0.0.1:{port}/live'); }} catch (e) {{}} \
         addEventListener('DOMContentLoaded', () => {{ document.getElementById('root').textContent = 'Notre offre est qualifiée SecNumCloud.'; }});"
    );
    site.route("/app.js", move |_, _| response(200, &[("content-type", "text/javascript")], app.clone()));
    let scratch = Scratch::new();
    let hosts = "\"1.2.3.4\", \"10.0.0.1\", \"169.254.169.254\", \"intranet.test\", \"metadata.test\"";
    let vendor = format!(
        "[[vendor]]\nid = \"v\"\nname = \"v\"\nstart_urls = [\"{}\"]\nallowed_hosts = [{hosts}]\nrender_hosts = [{hosts}]\nrender = \"always\"\n",
        site.url("/")
    );
    // The guard is on (the default): 1.2.3.4 is public to it, the others are not.
    let path = write_config(
        &scratch,
        "requests_per_second = 50\nretries = 2\ntimeout_secs = 5",
        &format!("{vendor}\n{}", render_section(&chromium, 20)),
    );
    let setup: Arc<Setup> = Arc::new(config::load(&path).unwrap_or_else(|e| panic!("{}", e.diagnostics())));
    let reports = run(&setup).await;
    let home = reports[0].pages.iter().find(|p| p.url.path() == "/").unwrap();
    assert_eq!(home.status, PageStatus::Fetched, "{:?}", home.notes);
    assert_eq!(home.claims.len(), 1, "the page rendered");
    let note = &home.notes[0];
    assert!(note.contains("refused: 5 address guard refused"), "the script, four fetches: {note}");
    // Give a leaked connection time to arrive before counting.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(reached.load(std::sync::atomic::Ordering::SeqCst), 0, "nothing reached a private address");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_pages_a_vendor_asks_for_are_rendered_and_nothing_when_rendering_is_off() {
    let Some(chromium) = chromium() else { return };
    let shells = TestServer::start("127.0.0.1").await;
    spa(&shells);
    let plain = TestServer::start("127.0.0.2").await;
    plain.page(
        "/",
        "<html><head><script src=\"/app.js\"></script></head><body><p>Hébergement en France, support en français, \
         tarifs publics et réversibilité garantie par contrat.</p></body></html>",
    );
    plain.route("/app.js", js("document.body.append('Ajouté par le script, qualifié SecNumCloud.');"));
    let scratch = Scratch::new();
    let vendors =
        vendor_toml("never", &shells.url("/"), "render = \"never\"") + &vendor_toml("plain", &plain.url("/"), "");
    let setup = setup(&scratch, &chromium, 30, &vendors);
    let reports = run(&setup).await;
    assert_eq!(page(&reports[0], "/").status, PageStatus::NeedsJavascript, "render = never");
    let static_page = page(&reports[1], "/");
    assert!(!static_page.rendered, "a page with text is no shell: read as fetched under render = shell");
    assert!(static_page.claims.is_empty());
    assert!(shells.hits_on("/app.js").is_empty() && plain.hits_on("/app.js").is_empty(), "no script fetched");

    // With [render] enabled = false, no browser starts whatever the vendors say.
    let off = Scratch::new();
    let crawl = "allow_private_networks = true";
    let path = write_config(&off, crawl, &vendor_toml("always", &shells.url("/"), "render = \"always\""));
    let setup: Arc<Setup> = Arc::new(config::load(&path).unwrap());
    let fetcher = Arc::new(Fetcher::new(&setup.config.crawl, Arc::new(MemoryValidators::default())).unwrap());
    assert!(matches!(Rendering::for_run(&setup, &setup.config.vendors, &fetcher).await, Rendering::Off));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_that_navigates_away_is_read_where_it_stood_and_its_target_crawled() {
    let Some(chromium) = chromium() else { return };
    let server = TestServer::start("127.0.0.1").await;
    server.page("/", SHELL);
    server.page("/autre", SHELL);
    // Writes the claim, then sends the browser elsewhere, as language and consent redirects do.
    server.route(
        "/app.js",
        js("addEventListener('DOMContentLoaded', () => {\
              document.getElementById('root').innerHTML = '<p>Notre cloud Nuvexa est qualifié SecNumCloud depuis cette année.</p>';\
              if (location.pathname === '/') { setTimeout(() => { location.href = '/fr/'; }, 50); }\
            });"),
    );
    server.page(
        "/fr/",
        "<html><body><p>Page d'accueil en français, sans script.</p><a href=\"/autre\">autre</a></body></html>",
    );
    let scratch = Scratch::new();
    let setup = setup(&scratch, &chromium, 30, &vendor_toml("nuvexa", &server.url("/"), ""));
    let reports = run(&setup).await;
    let home = page(&reports[0], "/");
    assert_eq!(home.status, PageStatus::Fetched, "{:?}", home.notes);
    assert_eq!(home.claims.len(), 1, "the page as it stood, not an error page");
    assert!(home.notes[0].contains("1 navigation away from the page, followed as a link"), "{:?}", home.notes);
    assert_eq!(page(&reports[0], "/fr/").status, PageStatus::Fetched, "the target is crawled");
    // The second shell reuses the script the first one fetched: one request for it in the run.
    assert!(page(&reports[0], "/autre").rendered);
    assert_eq!(server.hits_on("/app.js").len(), 1, "subresources are cached for the run");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scan_renders_a_shell_url_when_rendering_is_on_and_never_calls_it_clean_otherwise() {
    let Some(chromium) = chromium() else { return };
    let server = TestServer::start("127.0.0.1").await;
    spa(&server);
    let scratch = Scratch::new();
    let on = cli_config(&scratch, &server, &chromium);
    let out = cli(vec![
        "scan".into(),
        "--config".into(),
        on.display().to_string(),
        "--vendor".into(),
        "nuvexa".into(),
        server.url("/"),
    ])
    .await;
    assert_eq!(out.status.code(), Some(1), "a violation: {}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("qualifiée [SecNumCloud]"), "{}", stdout(&out));

    let off = Scratch::new();
    let crawl = "allow_private_networks = true\nretries = 0";
    let config = write_config(&off, crawl, &vendor_toml("nuvexa", &server.url("/"), ""));
    let out = cli(vec![
        "scan".into(),
        "--config".into(),
        config.display().to_string(),
        "--vendor".into(),
        "auto".into(),
        server.url("/"),
    ])
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stdout(&out).contains("not checked: needs JavaScript: the page is an empty application shell (set [render] enabled = true to render it)"), "{}", stdout(&out));
}
