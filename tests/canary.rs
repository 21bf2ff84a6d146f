//! Canaries on every run: the built-in ones prove that each label's reading still judges its own example, the network one fetches the operator's page through the full crawl path; a run that misses one is degraded (exit 4, status, one digest to operators per change), and canary claims never become findings.

mod common;

use claimwatch::mailbox::Mailbox;
use common::mail::{CRAWL, check, localhost, parse, to};
use common::server::{TestServer, html};
use common::*;

const CANARY_PAGE: &str =
    "<html><body><h1>Page témoin</h1><p>Notre offre témoin est qualifiée SecNumCloud.</p></body></html>";
const CLEAN: &str = "<html><body><p>Hébergement en France, support en français.</p></body></html>";

/// A clean vendor, an operator recipient and a regulator, and a network canary on `canary`.
fn config(scratch: &Scratch, smtp_port: u16, site: &TestServer, canary: &TestServer) -> std::path::PathBuf {
    let mail = format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {smtp_port}\nsecurity = \"none\"\nfrom = \"alerts@claimwatch.example\"\ntimeout_secs = 5\n\n\
         [[recipient]]\nemail = \"regulateur@dgccrf.example\"\nlang = \"fr\"\n\n\
         [[recipient]]\nemail = \"ops@claimwatch.example\"\nlang = \"en\"\noperator = true\n\n\
         [canary]\nurl = \"{}\"\nlabel = \"secnumcloud\"\nkind = \"assertion\"\n",
        canary.url("/temoin")
    );
    write_config(scratch, CRAWL, &format!("{mail}\n{}", vendor_toml("propre", &site.url("/"), "")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missed_canary_degrades_the_run_and_operators_hear_of_it_once_per_change() {
    let mailbox = Mailbox::start(localhost()).unwrap();
    let site = TestServer::start("127.0.0.1").await;
    site.page("/", CLEAN);
    let canary = TestServer::start("127.0.0.2").await;
    let seen = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let shown = seen.clone();
    canary.route("/temoin", move |_, _| {
        html(if shown.load(std::sync::atomic::Ordering::SeqCst) { CANARY_PAGE } else { CLEAN })
    });
    let scratch = Scratch::new();
    let config = config(&scratch, mailbox.addr.port(), &site, &canary);

    // Every canary seen: a clean run, nothing mailed, and the canary's claim is no finding.
    let ok = check(&config, &[], &[]).await;
    assert_eq!(ok.status.code(), Some(0), "{}{}", stdout(&ok), stderr(&ok));
    assert!(finding_ids(&config).is_empty(), "canary claims never become findings");
    assert!(mailbox.received().is_empty());
    let status: serde_json::Value = serde_json::from_str(&stdout(&claimwatch(&[
        "status",
        "--format",
        "json",
        "--config",
        config.to_str().unwrap(),
    ])))
    .unwrap();
    let canaries = status["runs"][0]["canaries"].as_array().unwrap();
    assert_eq!(canaries.len(), 4, "three built-in (one per label) and the network one: {canaries:?}");
    assert!(canaries.iter().all(|c| c["ok"] == true), "{canaries:?}");
    assert_eq!(canary.hits_on("/robots.txt").len(), 1, "fetched through the full path: robots.txt first");

    // The page loses its claim: the run is degraded, and operators are told once.
    seen.store(false, std::sync::atomic::Ordering::SeqCst);
    for run in 0..2 {
        let degraded = check(&config, &[], &[]).await;
        assert_eq!(degraded.status.code(), Some(4), "{}{}", stdout(&degraded), stderr(&degraded));
        assert!(
            stdout(&degraded).contains(&format!(
                "DEGRADED: canary network:{} missed: expected a secnumcloud assertion claim, found no claim of it",
                canary.url("/temoin")
            )),
            "run {run}: {}",
            stdout(&degraded)
        );
    }
    let mail = mailbox.received();
    assert_eq!(
        mail.len(),
        1,
        "one digest while it lasts, to the operator only: {:?}",
        mail.iter().map(to).collect::<Vec<_>>()
    );
    assert_eq!(to(&mail[0]), "ops@claimwatch.example");
    let body = parse(&mail[0]).body_text(0).unwrap().into_owned();
    assert!(body.contains("[MISSED] network:"), "{body}");
    let status = stdout(&claimwatch(&["status", "--config", config.to_str().unwrap()]));
    assert!(status.contains("last run DEGRADED: canary network:"), "{status}");
    // A dry run runs the canaries too.
    assert_eq!(check(&config, &["--dry-run"], &[]).await.status.code(), Some(4));

    // Seen again: one more digest, and the run is clean.
    seen.store(true, std::sync::atomic::Ordering::SeqCst);
    let back = check(&config, &[], &[]).await;
    assert_eq!(back.status.code(), Some(0), "{}", stdout(&back));
    let mail = mailbox.received();
    assert_eq!(mail.len(), 2);
    assert!(parse(&mail[1]).body_text(0).unwrap().contains("[SEEN AGAIN] network:"));
    assert!(finding_ids(&config).is_empty());
}

#[test]
fn a_canary_label_no_pattern_file_defines_is_refused_at_its_line() {
    let scratch = Scratch::new();
    let config = write_config(
        &scratch,
        CRAWL,
        "[canary]\nurl = \"https://temoin.example/\"\nlabel = \"secnumclod\"\nkind = \"assertion\"\n",
    );
    let out = claimwatch(&["validate", "--config", config.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(&format!(
            "{}:12:9: the canary's label `secnumclod` is no pattern file's label",
            config.display()
        )),
        "{}",
        stderr(&out)
    );
}
