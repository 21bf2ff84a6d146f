//! Findings and alerts end to end: `claimwatch check` against loopback sites, delivering to a real SMTP server on loopback, run after run.

mod common;

use std::path::PathBuf;

use claimwatch::mailbox::{Mailbox, Mood};
use common::mail::{CRAWL, check, localhost, mail_config, parse, to, world};
use common::server::TestServer;
use common::*;

async fn site_with(claim: &str) -> TestServer {
    let site = TestServer::start("127.0.0.1").await;
    site.page("/", &format!("<html><body><p>{claim}</p><a href=\"/b\">b</a></body></html>"));
    site.page("/b", "<html><body><p>Rien ici.</p></body></html>");
    site
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_violation_reaches_each_recipient_once_in_their_language_with_both_parts() {
    let site = site_with("Notre offre est qualifiée SecNumCloud.").await;
    let mailbox = Mailbox::start(localhost()).unwrap();
    let vendor = vendor_toml("nuage", &site.url("/"), "").replace("name = \"nuage\"", "name = \"Nuage Élevé\"");
    let w = world(mailbox.addr.port(), &vendor);
    let out = check(&w.config, &[], &[]).await;
    assert_eq!(out.status.code(), Some(1), "{}{}", stdout(&out), stderr(&out));
    let mail = mailbox.received();
    assert_eq!(mail.len(), 2, "{}", stdout(&out));
    let fr = mail.iter().find(|m| to(m).contains("regulateur@dgccrf.example")).unwrap();
    let en = mail.iter().find(|m| to(m).contains("compliance@buyer.example")).unwrap();
    assert_eq!(fr.from, "alerts@claimwatch.example");

    let p = parse(fr);
    assert_eq!(p.subject().unwrap(), "[claimwatch] 1 nouveau constat — Nuage Élevé");
    assert!(p.date().is_some(), "a Date header");
    let id = p.message_id().expect("a Message-ID").to_string();
    assert!(id.ends_with(".claimwatch@claimwatch.example"), "{id}");
    assert!(p.header_raw("Content-Type").unwrap().contains("multipart/alternative"));
    let text = p.body_text(0).unwrap().into_owned();
    assert!(text.contains("[MANQUEMENT] secnumcloud, affirmation"), "{text}");
    assert!(text.contains("Texte relevé\u{A0}: «\u{A0}SecNumCloud\u{A0}»"), "French typography: {text:?}");
    assert!(text.contains("Motif\u{A0}: le fournisseur Nuage Élevé n'a pas d'entrée au registre"), "{text}");
    // First seen is the wall-clock day of the run (`--at` only dates the registry check).
    let today = chrono::Utc::now().date_naive();
    let seen = [today, today.pred_opt().unwrap()]
        .map(|d| format!("Vu pour la première fois le {}", claimwatch::i18n::date_fr(d)));
    assert!(seen.iter().any(|s| text.contains(s)), "{text}");
    assert!(text.contains(&site.url("/")));
    let html = p.body_html(0).unwrap().into_owned();
    assert!(html.contains("<mark>SecNumCloud</mark>"), "{html}");
    assert!(html.contains(&format!("<a href=\"{}\">", site.url("/"))));

    let p = parse(en);
    assert_eq!(p.subject().unwrap(), "[claimwatch] 1 new finding — Nuage Élevé");
    let text = p.body_text(0).unwrap().into_owned();
    assert!(
        text.contains("[VIOLATION] secnumcloud, assertion")
            && text.contains("Reason: vendor Nuage Élevé has no registry provider"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_page_text_is_escaped_and_never_reaches_a_header() {
    let site = TestServer::start("127.0.0.1").await;
    // Entities decode to real markup characters in the page's text; the raw CR LF tries a header.
    site.page(
        "/",
        "<html><head><title>Offre qualifiée SecNumCloud\r\nBcc: victim@evil.example\r\nSubject: pwned</title></head>\
         <body><p>Qualifié SecNumCloud &lt;img src=x onerror=alert(1)&gt; &lt;/blockquote&gt;&lt;script&gt;x()&lt;/script&gt;</p></body></html>",
    );
    let mailbox = Mailbox::start(localhost()).unwrap();
    let w = world(mailbox.addr.port(), &vendor_toml("hostile", &site.url("/"), ""));
    check(&w.config, &[], &[]).await;
    let mail = mailbox.received();
    assert_eq!(mail.len(), 2);
    for m in &mail {
        assert_eq!(m.to.len(), 1, "no extra recipient was injected");
        let raw = m.text();
        let headers = raw.split("\r\n\r\n").next().unwrap();
        assert!(!headers.to_ascii_lowercase().contains("bcc:"), "{headers}");
        assert!(!headers.contains("pwned"), "{headers}");
        let p = parse(m);
        let html = p.body_html(0).unwrap().into_owned();
        assert!(!html.contains("<img") && !html.contains("<script"), "{html}");
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;") || html.contains("&lt;script&gt;"), "{html}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_run_sends_nothing() {
    let site = site_with("Notre offre est qualifiée SecNumCloud.").await;
    let mailbox = Mailbox::start(localhost()).unwrap();
    let w = world(mailbox.addr.port(), &vendor_toml("v", &site.url("/"), ""));
    check(&w.config, &[], &[]).await;
    assert_eq!(mailbox.received().len(), 2);
    let out = check(&w.config, &[], &[]).await;
    assert_eq!(mailbox.received().len(), 2, "{}", stdout(&out));
    assert!(stdout(&out).contains("findings: 0 opened or reopened, 0 resolved this run"), "{}", stdout(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_wait_while_the_mail_server_is_down_and_go_out_once_when_it_is_back() {
    let site = site_with("Notre offre est qualifiée SecNumCloud.").await;
    // Reserve a port, then leave it closed: the mail server is down.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let w = world(port, &vendor_toml("v", &site.url("/"), ""));
    let out = check(&w.config, &[], &[]).await;
    assert!(stdout(&out).contains("NOT sent, kept for the next run"), "{}", stdout(&out));
    let pending = cli(vec!["findings".into(), "--config".into(), w.config.display().to_string()]).await;
    assert!(stdout(&pending).contains("OPEN"));

    let mailbox = Mailbox::start_on(std::net::TcpListener::bind(("127.0.0.1", port)).unwrap()).unwrap();
    mailbox.set_mood(Mood::RefuseForNow);
    check(&w.config, &[], &[]).await;
    assert!(mailbox.received().is_empty(), "a 451 keeps the alerts");
    mailbox.set_mood(Mood::Accept);
    check(&w.config, &[], &[]).await;
    assert_eq!(mailbox.received().len(), 2, "delivered once the server accepts");
    check(&w.config, &[], &[]).await;
    assert_eq!(mailbox.received().len(), 2, "and never again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_refusal_moves_alerts_to_the_dead_letters_shown_by_findings() {
    let site = site_with("Notre offre est qualifiée SecNumCloud.").await;
    let mailbox = Mailbox::start(localhost()).unwrap();
    mailbox.set_mood(Mood::RefuseForGood);
    let w = world(mailbox.addr.port(), &vendor_toml("v", &site.url("/"), ""));
    let out = check(&w.config, &[], &[]).await;
    assert!(stdout(&out).contains("REFUSED by the mail server, kept in the dead letters"), "{}", stdout(&out));
    assert!(stderr(&out).contains("moved to dead letters"), "logged: {}", stderr(&out));
    mailbox.set_mood(Mood::Accept);
    check(&w.config, &[], &[]).await;
    assert!(mailbox.received().is_empty(), "dead letters are not retried on their own");
    let listing = cli(vec!["findings".into(), "--config".into(), w.config.display().to_string()]).await;
    let text = stdout(&listing);
    assert!(text.contains("2 alerts refused by the mail server (dead letters)"), "{text}");
    assert!(text.contains("550"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_footer_claim_on_many_pages_is_one_finding() {
    let site = TestServer::start("127.0.0.1").await;
    let links: String = (0..30).map(|i| format!("<a href=\"/p{i}\">p</a>")).collect();
    let footer = "<footer>© Nuage — hébergement qualifié SecNumCloud</footer>";
    site.page("/", &format!("<html><body>{links}{footer}</body></html>"));
    for i in 0..30 {
        site.page(&format!("/p{i}"), &format!("<html><body><p>Page {i}</p>{footer}</body></html>"));
    }
    let mailbox = Mailbox::start(localhost()).unwrap();
    let w = world(mailbox.addr.port(), &vendor_toml("v", &site.url("/"), "max_pages = 100"));
    check(&w.config, &[], &[]).await;
    let listing = cli(vec![
        "findings".into(),
        "--format".into(),
        "json".into(),
        "--config".into(),
        w.config.display().to_string(),
    ])
    .await;
    let findings: Vec<serde_json::Value> =
        json_lines(&listing).into_iter().filter(|l| l["type"] == "finding").collect();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["pages"].as_object().unwrap().len(), 31);
    let fr = mailbox.received().into_iter().find(|m| to(m).contains("regulateur")).unwrap();
    let text = parse(&fr).body_text(0).unwrap().into_owned();
    assert!(text.contains("Pages (31)\u{A0}:") && text.contains("et 21 autres"), "ten pages and a count: {text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_that_stops_claiming_resolves_after_two_runs_and_ack_silences() {
    let site = site_with("Notre offre est qualifiée SecNumCloud.").await;
    let mailbox = Mailbox::start(localhost()).unwrap();
    let w = world(mailbox.addr.port(), &vendor_toml("v", &site.url("/"), ""));
    check(&w.config, &[], &[]).await;
    assert_eq!(mailbox.received().len(), 2);
    site.page("/", "<html><body><p>Hébergement en France.</p></body></html>");
    check(&w.config, &[], &[]).await;
    assert_eq!(mailbox.received().len(), 2, "gone once: still open, nothing sent");
    check(&w.config, &[], &[]).await;
    let mail = mailbox.received();
    assert_eq!(mail.len(), 3, "the resolution goes only to who wants resolutions");
    assert_eq!(to(&mail[2]), "regulateur@dgccrf.example");
    assert!(parse(&mail[2]).subject().unwrap().contains("1 constat résolu"));

    // It comes back, but a reviewer acknowledged it: no alert.
    let listing = cli(vec![
        "findings".into(),
        "--state".into(),
        "all".into(),
        "--format".into(),
        "json".into(),
        "--config".into(),
        w.config.display().to_string(),
    ])
    .await;
    let id = json_lines(&listing)[0]["id"].as_str().unwrap().to_string();
    let ack = cli(vec![
        "findings".into(),
        "--config".into(),
        w.config.display().to_string(),
        "ack".into(),
        id.clone(),
        "--reason".into(),
        "partner page, reviewed".into(),
        "--by".into(),
        "Inès".into(),
    ])
    .await;
    assert_eq!(ack.status.code(), Some(0), "{}", stderr(&ack));
    site.page("/", "<html><body><p>Notre offre est qualifiée SecNumCloud.</p></body></html>");
    check(&w.config, &[], &[]).await;
    assert_eq!(mailbox.received().len(), 3, "acknowledged: silent");
    let listing = cli(vec!["findings".into(), "--config".into(), w.config.display().to_string()]).await;
    assert!(stdout(&listing).contains("acknowledged by Inès"), "{}", stdout(&listing));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registry_change_re_judges_and_resolves_a_newly_qualified_vendor() {
    let site = site_with("Notre offre est qualifiée SecNumCloud.").await;
    let mailbox = Mailbox::start(localhost()).unwrap();
    let w = world(mailbox.addr.port(), &vendor_toml("v", &site.url("/"), "provider = \"En Cours SAS\""));
    check(&w.config, &[], &[]).await;
    assert_eq!(mailbox.received().len(), 2, "in progress but claiming: a violation");
    // The registry now lists the vendor as qualified.
    let registry = std::fs::read_to_string(fixture("registry.toml")).unwrap().replace(
        "provider = \"En Cours SAS\"\noffer = \"Brume PaaS\"\nscheme = \"secnumcloud\"\nstatus = \"in_progress\"",
        "provider = \"En Cours SAS\"\noffer = \"Brume PaaS\"\nscheme = \"secnumcloud\"\nstatus = \"qualified\"",
    );
    let local_registry = w.scratch.write("registry.toml", registry);
    let text = std::fs::read_to_string(&w.config)
        .unwrap()
        .replace(&fixture("registry.toml").display().to_string(), &local_registry.display().to_string());
    std::fs::write(&w.config, text).unwrap();
    let out = check(&w.config, &[], &[]).await;
    assert!(stdout(&out).contains("1 resolved this run"), "{}", stdout(&out));
    let mail = mailbox.received();
    assert_eq!(mail.len(), 3);
    let body = parse(&mail[2]).body_text(0).unwrap().into_owned();
    assert!(body.contains("désormais jugé acceptable"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_writes_the_emails_and_records_nothing() {
    let site = site_with("Notre offre est qualifiée SecNumCloud.").await;
    let mailbox = Mailbox::start(localhost()).unwrap();
    let w = world(mailbox.addr.port(), &vendor_toml("v", &site.url("/"), ""));
    let eml = w.scratch.path().join("eml");
    let out = check(&w.config, &["--dry-run", "--eml-dir", eml.to_str().unwrap()], &[]).await;
    assert!(stdout(&out).contains("dry run: nothing recorded"), "{}", stdout(&out));
    assert!(mailbox.received().is_empty(), "nothing sent");
    let files: Vec<PathBuf> = std::fs::read_dir(&eml).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 2);
    let bytes = std::fs::read(&files[0]).unwrap();
    let p = mail_parser::MessageParser::default().parse(&bytes).unwrap();
    assert!(p.subject().unwrap().starts_with("[claimwatch] 1 "));
    // Nothing was recorded: a real run still finds the finding new and sends it.
    let real = check(&w.config, &[], &[]).await;
    assert!(stdout(&real).contains("findings: 1 opened"), "{}", stdout(&real));
    assert_eq!(mailbox.received().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_against_a_busy_store_exits_3_with_a_clear_message() {
    let site = site_with("x").await;
    let w = world(1, &vendor_toml("v", &site.url("/"), ""));
    let store_path = w.scratch.path().join("claimwatch.db");
    let _held = claimwatch::store::Store::open(&store_path, std::time::Duration::from_secs(1)).unwrap();
    let out = check(&w.config, &[], &[]).await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("is in use by another claimwatch process"), "{}", stderr(&out));
    assert!(site.hits().is_empty(), "nothing crawled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_registry_is_flagged_in_the_digest_and_the_summary() {
    let site = site_with("Notre offre est qualifiée SecNumCloud.").await;
    let mailbox = Mailbox::start(localhost()).unwrap();
    let scratch = Scratch::new();
    // The test registry is as of 2026-09-15: 74 days before the run date.
    let config = write_config(
        &scratch,
        CRAWL,
        &format!("{}\n{}", mail_config(mailbox.addr.port(), ""), vendor_toml("v", &site.url("/"), "")),
    );
    let text =
        std::fs::read_to_string(&config).unwrap().replacen("\n\n[crawl]", "\nmax_registry_age_days = 30\n\n[crawl]", 1);
    std::fs::write(&config, text).unwrap();
    let out = check(&config, &[], &[]).await;
    assert!(
        stdout(&out).contains("WARNING: the registry is as of 2026-09-15, more than 30 days ago"),
        "{}",
        stdout(&out)
    );
    let fr = mailbox.received().into_iter().find(|m| to(m).contains("regulateur")).unwrap();
    let body = parse(&fr).body_text(0).unwrap().into_owned();
    assert!(
        body.contains("ce registre date de plus de 30\u{A0}jours")
            || body.contains("ce registre date de plus de 30 jours"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_text_of_a_warning_escapes_and_links_only_http_pages() {
    let site = TestServer::start("127.0.0.1").await;
    site.page("/", "<html><body><p>Une plateforme SecNumCloud-ready &amp; «\u{A0}souveraine\u{A0}».</p></body></html>");
    let mailbox = Mailbox::start(localhost()).unwrap();
    let w = world(mailbox.addr.port(), &vendor_toml("v", &site.url("/"), ""));
    check(&w.config, &[], &[]).await;
    let mail = mailbox.received();
    assert_eq!(mail.len(), 1, "a warning goes only to the recipient who wants warnings");
    let html = parse(&mail[0]).body_html(0).unwrap().into_owned();
    assert!(html.contains("AVERTISSEMENT"));
    assert!(html.contains("&amp; «\u{A0}souveraine\u{A0}»"), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_go_over_starttls_and_certificates_are_checked_unless_told_otherwise() {
    let site = site_with("Notre offre est qualifiée SecNumCloud.").await;
    let scratch = Scratch::new();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let cert_path = scratch.write("cert.pem", cert.cert.pem());
    let key_path = scratch.write("key.pem", cert.signing_key.serialize_pem());
    let mailbox = Mailbox::start_tls(localhost(), &cert_path, &key_path).unwrap();
    let smtp = |danger: bool| {
        format!(
            "[smtp]\nhost = \"localhost\"\nport = {}\nsecurity = \"starttls\"\nfrom = \"alerts@claimwatch.example\"\ntimeout_secs = 5\ndanger_accept_invalid_certs = {danger}\n\n\
             [[recipient]]\nemail = \"regulateur@dgccrf.example\"\n",
            mailbox.addr.port()
        )
    };
    // A self-signed certificate is refused by default: the alert waits, it is not lost.
    let config = write_config(&scratch, CRAWL, &format!("{}\n{}", smtp(false), vendor_toml("v", &site.url("/"), "")));
    let out = check(&config, &[], &[]).await;
    assert!(stdout(&out).contains("NOT sent, kept for the next run"), "{}", stdout(&out));
    assert!(mailbox.received().is_empty());
    // Told explicitly (tests only), it goes through STARTTLS, and the setting is logged.
    let config = write_config(&scratch, CRAWL, &format!("{}\n{}", smtp(true), vendor_toml("v", &site.url("/"), "")));
    let out = check(&config, &[], &[]).await;
    assert_eq!(mailbox.received().len(), 1, "{}{}", stdout(&out), stderr(&out));
    assert!(stderr(&out).contains("certificate verification is OFF"), "{}", stderr(&out));
}
