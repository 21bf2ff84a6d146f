//! `claimwatch demo`: four fictional vendor sites and a mail server on loopback, a temporary store, and four runs that show findings, alerts sent once, and a resolution.
//!
//! Everything it needs is inside the binary (pages, registry, patterns), so it works on a fresh
//! machine without internet and from any directory.

use std::collections::HashMap;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, Response};
use chrono::NaiveDate;

use crate::config;
use crate::mailbox::{Mailbox, Received};
use crate::pipeline::Event;
use crate::report::{Style, vendor_text};
use crate::run::{self, RunOptions};
use crate::store::{FindingState, Store};

/// The demo judges as on this date, so that its story does not change with the calendar.
pub const DEMO_DATE: &str = "2026-11-28";

const PATTERNS: &[(&str, &str)] = &[
    ("secnumcloud.toml", include_str!("../patterns/secnumcloud.toml")),
    ("cloud-de-confiance.toml", include_str!("../patterns/cloud-de-confiance.toml")),
    ("hds.toml", include_str!("../patterns/hds.toml")),
];
const REGISTRY: &str = include_str!("../samples/registry.toml");
const NUAGE_OFFRE: &str = include_str!("../samples/pages/nuage-exemple-offre.html");
const NUAGE_BLOG: &str = include_str!("../samples/pages/nuage-exemple-blog.html");
const CIEL: &[u8] = include_bytes!("../samples/pages/ciel-confiance.html");
const CIEL_LATER: &str = include_str!("../samples/later/ciel-confiance.html");
const BRUME: &str = include_str!("../samples/pages/brume.html");
const STRATUS: &str = include_str!("../samples/pages/stratus.html");

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("demo I/O: {0}")]
    Io(#[from] std::io::Error),
    #[error("demo configuration: {0}")]
    Config(String),
    #[error(transparent)]
    Run(#[from] run::RunError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// Pages of one site, changeable while it runs.
type Pages = Arc<Mutex<HashMap<String, (Vec<u8>, &'static str)>>>;

async fn serve(pages: Pages) -> std::io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let addr = listener.local_addr()?;
    let app = axum::Router::new().fallback(move |req: Request<Body>| {
        let pages = pages.clone();
        async move {
            let found = pages.lock().expect("pages lock").get(req.uri().path()).cloned();
            match found {
                Some((body, ct)) => {
                    Response::builder().header("content-type", ct).body(Body::from(body)).expect("response")
                }
                None => Response::builder().status(404).body(Body::from("not found")).expect("response"),
            }
        }
    });
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(addr)
}

fn site(pages: &[(&str, &[u8], &'static str)]) -> Pages {
    let map = pages.iter().map(|(p, b, ct)| (p.to_string(), (b.to_vec(), *ct))).collect();
    Arc::new(Mutex::new(map))
}

const HTML: &str = "text/html; charset=utf-8";
/// The Ciel Confiance page is in windows-1252 and says so only in its own `<meta>`.
const HTML_UNDECLARED: &str = "text/html";

fn config_text(dir: &Path, sites: &[(&str, &str, Option<&str>, SocketAddr)], smtp: SocketAddr) -> String {
    let mut c = format!(
        "registry = \"registry.toml\"\npatterns = \"patterns\"\n\n[crawl]\nallow_private_networks = true\n\
         requests_per_second = 20\nretries = 0\ntimeout_secs = 10\n\n[store]\npath = \"{}\"\n\n\
         [smtp]\nhost = \"{}\"\nport = {}\nsecurity = \"none\"\nfrom = \"claimwatch <claimwatch@demo.example>\"\n\n\
         [[recipient]]\nemail = \"controle@regulateur.example\"\nlang = \"fr\"\nmin_level = \"warning\"\n\n\
         [[recipient]]\nemail = \"compliance@buyer.example\"\nlang = \"en\"\nmin_level = \"violation\"\nresolutions = false\n\n",
        dir.join("store").display(),
        smtp.ip(),
        smtp.port()
    );
    for (id, name, provider, addr) in sites {
        c.push_str(&format!("[[vendor]]\nid = \"{id}\"\nname = \"{name}\"\n"));
        if let Some(p) = provider {
            c.push_str(&format!("provider = \"{p}\"\n"));
        }
        c.push_str(&format!("start_urls = [\"http://{addr}/\"]\nallowed_hosts = [\"{}\"]\n\n", addr.ip()));
    }
    c
}

fn print_mail(out: &mut dyn Write, n: usize, m: &Received) -> std::io::Result<()> {
    let parsed = mail_parser::MessageParser::default().parse(&m.data);
    let subject = parsed.as_ref().and_then(|p| p.subject()).unwrap_or("").to_string();
    let text = parsed.as_ref().and_then(|p| p.body_text(0)).map(|t| t.into_owned()).unwrap_or_default();
    writeln!(out, "──── email {n} to {} ────", m.to.join(", "))?;
    writeln!(out, "Subject: {subject}\n")?;
    for line in text.lines() {
        writeln!(out, "  {line}")?;
    }
    writeln!(out)
}

/// Runs the whole demo, writing what happens to `out` and the final HTML report to `report`.
pub async fn run(out: &mut dyn Write, report: &Path) -> Result<(), DemoError> {
    let workspace = tempfile::tempdir()?;
    let dir = workspace.path();
    std::fs::create_dir_all(dir.join("patterns"))?;
    for (name, text) in PATTERNS {
        std::fs::write(dir.join("patterns").join(name), text)?;
    }
    std::fs::write(dir.join("registry.toml"), REGISTRY)?;

    let nuage = site(&[("/", NUAGE_OFFRE.as_bytes(), HTML), ("/blog", NUAGE_BLOG.as_bytes(), HTML)]);
    let ciel = site(&[("/", CIEL, HTML_UNDECLARED)]);
    let brume = site(&[("/", BRUME.as_bytes(), HTML)]);
    let stratus = site(&[("/", STRATUS.as_bytes(), HTML)]);
    let sites = [
        (
            "nuage-exemple",
            "Nuage Exemple",
            Some("Nuage Exemple SAS"),
            serve(nuage).await?,
            "qualified SecNumCloud for « Bastion IaaS »",
        ),
        (
            "ciel-confiance",
            "Ciel Confiance",
            None,
            serve(ciel.clone()).await?,
            "no qualification; uses the slogan « Cloud. De confiance. »",
        ),
        (
            "brume",
            "Brume Cloud",
            Some("Brume"),
            serve(brume).await?,
            "only in progress, yet writes « Qualifié SecNumCloud | Oui »",
        ),
        (
            "stratus",
            "Stratus Hébergement",
            None,
            serve(stratus).await?,
            "no qualification; « SecNumCloud-ready » wording, HDS claim",
        ),
    ];
    let mailbox = Mailbox::start(IpAddr::V4(Ipv4Addr::LOCALHOST))?;
    let vendors: Vec<(&str, &str, Option<&str>, SocketAddr)> =
        sites.iter().map(|(i, n, p, a, _)| (*i, *n, *p, *a)).collect();
    let config_path = dir.join("claimwatch.toml");
    std::fs::write(&config_path, config_text(dir, &vendors, mailbox.addr))?;
    let setup = Arc::new(config::load(&config_path).map_err(|e| DemoError::Config(e.to_string()))?);
    let at: NaiveDate = DEMO_DATE.parse().expect("a valid date");

    writeln!(out, "claimwatch demo: four fictional vendors and a mail server on loopback, a temporary store.\n")?;
    for (_, name, _, addr, what) in &sites {
        writeln!(out, "  {name:<20} http://{addr}/  {what}")?;
    }
    writeln!(
        out,
        "  {:<20} {}  receives the alerts of two recipients (fr: warnings and up; en: violations)\n",
        "mail server", mailbox.addr
    )?;

    let style = Style { color: false };
    let mut seen_mail = 0;
    let step = |title: &str, out: &mut dyn Write| writeln!(out, "━━ {title}");
    for (n, title) in [
        (1, "Run 1: first check (judged as of 2026-11-28)"),
        (2, "Run 2: the same sites again: nothing new, so nothing is sent"),
        (3, "Run 3: Ciel Confiance has removed its slogan and its claims; gone once is not enough to resolve"),
        (4, "Run 4: gone a second time in a row: the findings are resolved and the regulator is told"),
    ] {
        if n == 3 {
            *ciel.lock().expect("pages lock") = [("/".to_string(), (CIEL_LATER.as_bytes().to_vec(), HTML))].into();
        }
        step(title, out)?;
        let store = Store::open(&setup.config.store.path, std::time::Duration::from_secs(5))?;
        let opts = RunOptions {
            at,
            vendors: setup.config.vendors.clone(),
            dry_run: false,
            eml_dir: None,
            smtp_password: None,
            control: crate::pipeline::Control::never(),
        };
        let texts = std::sync::Mutex::new(Vec::new());
        let keep_text = |e: Event<'_>| {
            if let Event::VendorDone(r) = e {
                let order = setup.config.vendors.iter().position(|v| v.id == r.vendor_id);
                texts.lock().expect("texts lock").push((order, vendor_text(r, style)));
            }
        };
        let output = run::check(setup.clone(), &store, opts, &keep_text).await?;
        if n == 1 {
            // In the config's order, whichever vendor finished first.
            let mut texts = texts.into_inner().expect("texts lock");
            texts.sort();
            for (_, text) in texts {
                writeln!(out, "{text}")?;
            }
        }
        let open = store.findings()?.iter().filter(|f| f.state == FindingState::Open).count();
        writeln!(
            out,
            "findings: {} opened, {} resolved this run; {open} open in the store",
            output.run.findings_opened, output.run.findings_resolved
        )?;
        let mail = mailbox.received();
        writeln!(out, "emails delivered this run: {}\n", mail.len() - seen_mail)?;
        for (i, m) in mail.iter().enumerate().skip(seen_mail) {
            print_mail(out, i + 1, m)?;
        }
        seen_mail = mail.len();
        drop(store);
    }
    let evidence = crate::evidence::verify(&setup.config.evidence.dir)?;
    writeln!(
        out,
        "━━ Evidence: {} archived fetches, {} WARC records re-read and checked: {}",
        evidence.entries,
        evidence.records,
        if evidence.problems.is_empty() { "all holds" } else { "BROKEN" }
    )?;
    for p in &evidence.problems {
        writeln!(out, "  {p}")?;
    }
    if let Some(head) = &evidence.head {
        writeln!(out, "   log head {head} (every alert above names the head of its time)")?;
    }
    let store = Store::open(&setup.config.store.path, std::time::Duration::from_secs(5))?;
    let dossier = crate::report::dossier::from_store(&setup, &store, crate::config::Lang::Fr, None)?;
    std::fs::write(report, crate::report::html::render(&dossier))?;
    writeln!(out, "━━ Report: {}\n", report.display())?;
    writeln!(
        out,
        "The store, the pages and the mail server were temporary ({}); they are removed now.",
        dir.display()
    )?;
    Ok(())
}
