//! Re-reading end to end: `claimwatch check` against a loopback site that answers 304 to its ETags, with alerts to a real SMTP server on loopback, before and after the pattern files change.

mod common;

use std::path::{Path, PathBuf};

use claimwatch::mailbox::Mailbox;
use common::mail::{CRAWL, check, localhost, mail_config, parse, to};
use common::server::{Hit, TestServer, response};
use common::*;

/// The claim whose kind the edited rule changes, and one the edit leaves as it is.
const OWN_OFFER: &str = "Notre offre est qualifiée SecNumCloud.";
const IN_PROGRESS: &str = "Notre qualification SecNumCloud est en cours.";

/// The rule the test turns from an assertion into borrowing wording.
const RULE: &str = "kind = \"assertion\"\nwhy = \"the vendor's own offer:";
const RULE_EDITED: &str = "kind = \"adjacent\"\nwhy = \"the vendor's own offer:";

/// Serves `body` at `path` with a strong ETag, answering 304 when the request carries it.
fn etagged(site: &TestServer, path: &str, body: String) {
    let etag = format!("\"{}\"", path.len() + body.len());
    site.route(path, move |hit, _| {
        if hit.headers.get("if-none-match").is_some_and(|v| v.as_bytes() == etag.as_bytes()) {
            response(304, &[("etag", &etag)], "")
        } else {
            response(200, &[("content-type", "text/html; charset=utf-8"), ("etag", &etag)], body.clone())
        }
    });
}

async fn site() -> TestServer {
    let site = TestServer::start("127.0.0.1").await;
    etagged(
        &site,
        "/",
        format!("<html><body><p>{OWN_OFFER}</p><a href=\"/progress\">p</a><a href=\"/b\">b</a></body></html>"),
    );
    etagged(&site, "/progress", format!("<html><body><p>{IN_PROGRESS}</p></body></html>"));
    etagged(&site, "/b", "<html><body><p>Rien ici.</p></body></html>".to_string());
    // A page answered 304 yields no links: the sitemap names every page for the later runs.
    let urls: String = PAGES.iter().map(|p| format!("<url><loc>{}</loc></url>", site.url(p))).collect();
    let sitemap =
        format!("<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">{urls}</urlset>");
    site.route("/sitemap.xml", move |_, _| response(200, &[("content-type", "application/xml")], sitemap.clone()));
    site
}

/// A config whose patterns are a copy in the scratch directory, so the test can edit a rule;
/// a third recipient hears of warnings and resolutions in English.
fn world(smtp_port: u16, site: &TestServer) -> (Scratch, PathBuf, PathBuf) {
    let scratch = Scratch::new();
    let patterns = scratch.path().join("patterns");
    copy_patterns(&patterns);
    let audit = "\n[[recipient]]\nemail = \"audit@buyer.example\"\nlang = \"en\"\n";
    let config = write_config(
        &scratch,
        CRAWL,
        &format!("{}\n{}", mail_config(smtp_port, audit), vendor_toml("nuage", &site.url("/"), "")),
    );
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace(&root().join("patterns").display().to_string(), &patterns.display().to_string());
    std::fs::write(&config, text).unwrap();
    (scratch, config, patterns)
}

const PAGES: [&str; 3] = ["/", "/progress", "/b"];

/// Requests for the site's pages (not robots.txt, not the sitemap).
fn page_hits(site: &TestServer) -> Vec<Hit> {
    site.hits().into_iter().filter(|h| PAGES.contains(&h.target.as_str())).collect()
}

/// The page requests made since there were `before` of them.
fn page_hits_since(site: &TestServer, before: usize) -> Vec<Hit> {
    page_hits(site).into_iter().skip(before).collect()
}

fn conditional(hit: &Hit) -> bool {
    hit.headers.contains_key("if-none-match") || hit.headers.contains_key("if-modified-since")
}

fn findings_json(config: &Path) -> Vec<serde_json::Value> {
    let out = claimwatch(&["findings", "--state", "all", "--format", "json", "--config", config.to_str().unwrap()]);
    json_lines(&out).into_iter().filter(|l| l["type"] == "finding").collect()
}

fn status_json(config: &Path) -> serde_json::Value {
    let out = claimwatch(&["status", "--format", "json", "--config", config.to_str().unwrap()]);
    json_lines(&out).remove(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_reading_rules_read_every_page_again_and_report_the_changed_finding_once() {
    let site = site().await;
    let mailbox = Mailbox::start(localhost()).unwrap();
    let (_scratch, config, patterns) = world(mailbox.addr.port(), &site);

    let first = check(&config, &[], &[]).await;
    assert_eq!(first.status.code(), Some(1), "{}{}", stdout(&first), stderr(&first));
    assert_eq!(mailbox.received().len(), 3, "{}", stdout(&first));
    let version = status_json(&config)["reading_version"].as_str().unwrap().to_string();
    assert_eq!(status_json(&config)["reading_version_stored"], version.as_str());

    // Same rules: every page is asked for conditionally and answers 304.
    let before = page_hits(&site).len();
    let second = check(&config, &[], &[]).await;
    let hits = page_hits_since(&site, before);
    assert_eq!(hits.len(), 3, "{hits:?}");
    assert!(hits.iter().all(conditional), "{hits:?}");
    assert!(!stdout(&second).contains("re-read"), "{}", stdout(&second));
    assert_eq!(mailbox.received().len(), 3, "nothing new, nothing sent");

    // The rule that read « notre offre … qualifiée » as an assertion now calls it borrowing.
    let file = patterns.join("secnumcloud.toml");
    let rules = std::fs::read_to_string(&file).unwrap();
    assert_eq!(rules.matches(RULE).count(), 1, "the rule to edit is still in patterns/secnumcloud.toml");
    std::fs::write(&file, rules.replace(RULE, RULE_EDITED)).unwrap();
    let status = status_json(&config);
    let new_version = status["reading_version"].as_str().unwrap().to_string();
    assert_ne!(new_version, version);
    assert_eq!(status["reading_version_stored"], version.as_str());
    assert_eq!(status["reading_changed"], true);
    let text = stdout(&claimwatch(&["status", "--config", config.to_str().unwrap()]));
    assert!(text.contains("the next run reads every page again"), "{text}");

    let before = page_hits(&site).len();
    let third = check(&config, &[], &[]).await;
    let out = stdout(&third);
    let hits = page_hits_since(&site, before);
    assert_eq!(hits.len(), 3, "{hits:?}");
    assert!(!hits.iter().any(conditional), "a re-read asks for every page in full: {hits:?}");
    assert!(
        out.contains(&format!(
            "re-read: reading version {version} → {new_version}: 3 pages read again in full, 1 finding changed by the new reading alone"
        )),
        "{out}"
    );
    assert!(out.contains("findings: 0 opened or reopened, 0 resolved this run"), "{out}");

    let mail = mailbox.received();
    let new_mail = &mail[3..];
    let recipients: Vec<String> = new_mail.iter().map(to).collect();
    // The compliance recipient hears only of violations and wants no resolutions: a violation
    // that became a warning is nothing for them.
    assert_eq!(recipients.len(), 2, "{recipients:?}");
    let fr = new_mail.iter().find(|m| to(m).contains("regulateur@dgccrf.example")).unwrap();
    let p = parse(fr);
    assert_eq!(p.subject().unwrap(), "[claimwatch] 1 constat relu — nuage");
    let body = p.body_text(0).unwrap().into_owned();
    assert_eq!(body.matches("--- Constats relus selon de nouvelles règles de lecture ---").count(), 1, "{body}");
    assert!(
        body.contains(&format!(
            "Les règles de détection ont changé (version de lecture {version} → {new_version})\u{A0}: ces constats ont été relus"
        )),
        "{body}"
    );
    assert!(
        body.contains(
            "«\u{A0}SecNumCloud\u{A0}» — nuage, secnumcloud\u{A0}: était affirmation (MANQUEMENT), désormais formulation qui emprunte le label (AVERTISSEMENT)"
        ),
        "{body}"
    );
    assert!(!body.contains("nouveau constat") && !body.contains("Constats résolus"), "{body}");
    assert!(!body.contains("qualification annoncée en cours"), "the unchanged finding is not mentioned: {body}");
    let html = p.body_html(0).unwrap().into_owned();
    assert_eq!(html.matches("<h2>Constats relus selon de nouvelles règles de lecture</h2>").count(), 1, "{html}");
    assert!(html.contains(&format!("<a href=\"{}\">", site.url("/"))), "{html}");

    let en = new_mail.iter().find(|m| to(m).contains("audit@buyer.example")).unwrap();
    let body = parse(en).body_text(0).unwrap().into_owned();
    assert_eq!(body.matches("--- Findings read again under new reading rules ---").count(), 1, "{body}");
    assert!(
        body.contains("secnumcloud: was assertion (VIOLATION), now wording that borrows the label (WARNING)"),
        "{body}"
    );
    assert!(!body.contains("new finding") && !body.contains("Resolved findings"), "{body}");

    let findings = findings_json(&config);
    let by_kind = |kind: &str| findings.iter().find(|f| f["kind"] == kind && f["quote"] == "secnumcloud").unwrap();
    assert_eq!(by_kind("assertion")["state"], "resolved");
    assert!(
        by_kind("assertion")["resolution"].as_str().unwrap().starts_with("read again under the new reading rules"),
        "{findings:?}"
    );
    assert_eq!(by_kind("adjacent")["state"], "open");
    // The page was archived from this full fetch, not as a revisit of the earlier one.
    let new_id = by_kind("adjacent")["id"].as_str().unwrap().to_string();
    let shown = claimwatch(&["evidence", "show", &new_id, "--config", config.to_str().unwrap()]);
    let shown = stdout(&shown);
    assert!(shown.contains("WARC:") && !shown.contains("not modified on this fetch"), "{shown}");
    assert_eq!(status_json(&config)["reading_version_stored"], new_version.as_str());

    // The new version is stored: conditional requests again, nothing to say.
    let before = page_hits(&site).len();
    let fourth = check(&config, &[], &[]).await;
    let hits = page_hits_since(&site, before);
    assert_eq!(hits.len(), 3, "{hits:?}");
    assert!(hits.iter().all(conditional), "{hits:?}");
    assert!(!stdout(&fourth).contains("re-read"), "{}", stdout(&fourth));
    assert_eq!(mailbox.received().len(), 5, "nothing sent twice");
}
