//! `claimwatch dossier` after real runs against loopback sites: the PDF printed by Chromium read back with claimwatch's own PDF extraction (quote, registry entry, hashes), a page archived gzip-encoded pictured from the archive, a page that fails to render standing in as text with the reason, both languages, and the SHA-256 printed and stored.

mod common;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Output;

use claimwatch::evidence::warc;
use claimwatch::store::Store;
use common::chromium::chromium;
use common::server::{TestServer, response};
use common::*;
use mail_parser::MimeHeaders;

const CRAWL: &str = "allow_private_networks = true\nrequests_per_second = 50\nretries = 0\ntimeout_secs = 5";

/// A claim page of a vendor whose only registry entry has lapsed: a violation.
const CLAIM_PAGE: &str = "<!DOCTYPE html><html lang=\"fr\"><head><title>Nuvexa — offre Ancien</title>\
    <style>body{font-family:sans-serif;margin:40px} .hero{padding:30px;background:#eef}</style></head>\
    <body><div class=\"hero\"><h1>Nuvexa Ancien</h1><p>Texte d’introduction sur notre hébergement.</p></div>\
    <p>Notre offre Ancien IaaS est qualifiée SecNumCloud par l’ANSSI.</p><p>Contact : équipe commerciale.</p></body></html>";

async fn run(config: &Path, cmd: &[&str]) -> Output {
    let mut args: Vec<String> = cmd.iter().map(|s| s.to_string()).collect();
    args.extend(["--config".to_string(), config.display().to_string()]);
    cli(args).await
}

/// A config for one vendor (the registry's lapsed provider) at `start`, with Chromium.
fn config(scratch: &Scratch, start: &str, chromium: &str) -> PathBuf {
    let vendor = vendor_toml("nuvexa", start, "provider = \"Périmé SA\"");
    // Rendering stays off for the crawl: the dossier uses the browser all the same.
    write_config(
        scratch,
        CRAWL,
        &format!("{vendor}\n[render]\nenabled = false\nchromium = \"{chromium}\"\npage_timeout_secs = 5\n"),
    )
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// The PDF's text, all pages, as claimwatch's extraction reads it.
fn pdf_text(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    claimwatch::pdf::extract_pdf(&bytes).unwrap().pages.join("\n")
}

/// Without any white space: long hashes wrap in table cells.
fn squeezed(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(<sha2::Sha256 as sha2::Digest>::digest(bytes))
}

/// Runs a check on `s` and returns the config and the one finding's id.
async fn checked(scratch: &Scratch, s: &TestServer, chromium: &str) -> (PathBuf, String) {
    let config = config(scratch, &s.url("/"), chromium);
    let out = run(&config, &["check"]).await;
    assert_eq!(out.status.code(), Some(1), "{}{}", stdout(&out), stderr(&out));
    let ids = finding_ids(&config);
    assert_eq!(ids.len(), 1, "{ids:?}");
    (config, ids[0].clone())
}

fn the_response_record(scratch: &Scratch) -> (String, u64, warc::Record) {
    let dir = scratch.path().join("evidence");
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".warc.gz"))
        .unwrap();
    let (offset, record) =
        warc::read_all(&file).unwrap().into_iter().find(|(_, r)| r.header("WARC-Type") == Some("response")).unwrap();
    (file.file_name().unwrap().to_string_lossy().into_owned(), offset, record)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_french_pdf_dossier_carries_the_quote_the_registry_entry_and_the_hashes() {
    let Some(chromium) = chromium() else { return };
    let s = TestServer::start("127.0.0.1").await;
    s.page("/", CLAIM_PAGE);
    let scratch = Scratch::new();
    let (config, id) = checked(&scratch, &s, chromium.to_str().unwrap()).await;
    let hits_before = s.hits().len();
    let pdf = scratch.path().join("dossier.pdf");
    let out = run(&config, &["dossier", &id, "--out", pdf.to_str().unwrap()]).await;
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert_eq!(s.hits().len(), hits_before, "a dossier fetches nothing live");

    let text = pdf_text(&pdf);
    let flat = squeezed(&text);
    // The quote, in French typography.
    assert!(text.contains("«\u{a0}SecNumCloud\u{a0}»") || text.contains("« SecNumCloud »"), "{text}");
    assert!(
        text.contains("qualifiée SecNumCloud par l’ANSSI") || text.contains("qualifiée SecNumCloud par l'ANSSI"),
        "{text}"
    );
    // The registry: the file, its entry, its dates spelled out.
    assert!(text.contains("Ancien IaaS") && text.contains("Périmé SA"), "{text}");
    assert!(text.contains("registry.toml"), "{text}");
    assert!(squeezed(&text).contains("31janvier2024"), "the entry's end, spelled out: {text}");
    let registry_sha = sha256(&std::fs::read(fixture("registry.toml")).unwrap());
    assert!(flat.contains(&registry_sha), "the registry's SHA-256: {text}");
    // Integrity: the record, its digests, the log head, the commands.
    let (file, offset, record) = the_response_record(&scratch);
    assert!(flat.contains(&squeezed(&file)), "{text}");
    assert!(flat.contains(&format!("{offset}")), "{text}");
    assert!(flat.contains(&squeezed(record.header("WARC-Block-Digest").unwrap())), "block digest: {text}");
    assert!(flat.contains(&squeezed(record.header("WARC-Payload-Digest").unwrap())), "payload digest: {text}");
    let head = claimwatch::evidence::head(&scratch.path().join("evidence")).unwrap();
    assert!(flat.contains(&head), "the log head: {text}");
    assert!(flat.contains("claimwatchevidenceverify") && flat.contains("warcioextract"), "{text}");
    // The legal basis, French.
    assert!(text.contains("L121-4") && text.contains("ANSSI") && text.contains("conseil juridique"), "{text}");
    // A4 with page numbers.
    let bytes = std::fs::read(&pdf).unwrap();
    let raw = String::from_utf8_lossy(&bytes);
    assert!(raw.contains("/MediaBox [0 0 595") || raw.contains("/MediaBox [0 0 594"), "A4 pages");
    assert!(text.contains("1 sur") || text.contains("1\u{a0}sur"), "page numbers: {text}");

    // The SHA-256 on standard error and in the store.
    let sha = sha256(&bytes);
    assert!(stderr(&out).contains(&format!("sha256 {sha}")), "{}", stderr(&out));
    let store = Store::open(&scratch.path().join("claimwatch.db"), std::time::Duration::from_secs(5)).unwrap();
    let stamps = store.finding(&id).unwrap().unwrap().dossiers;
    assert_eq!(stamps.len(), 1);
    assert_eq!(
        (stamps[0].sha256.as_str(), stamps[0].format.as_str(), stamps[0].lang.as_str()),
        (sha.as_str(), "pdf", "fr")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_english_dossier_of_a_page_archived_gzip_encoded_pictures_it_from_the_archive() {
    let Some(chromium) = chromium() else { return };
    let s = TestServer::start("127.0.0.1").await;
    let gz = gzip(CLAIM_PAGE.as_bytes());
    s.route("/", move |_, _| {
        response(200, &[("content-type", "text/html; charset=utf-8"), ("content-encoding", "gzip")], gz.clone())
    });
    let scratch = Scratch::new();
    let (config, id) = checked(&scratch, &s, chromium.to_str().unwrap()).await;
    let (_, _, record) = the_response_record(&scratch);
    assert!(record.http_body().unwrap().starts_with(&[0x1f, 0x8b]), "the archive keeps the gzip bytes");
    let hits_before = s.hits().len();
    let html = scratch.path().join("dossier.html");
    let out =
        run(&config, &["dossier", &id, "--lang", "en", "--format", "html", "--out", html.to_str().unwrap()]).await;
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert_eq!(s.hits().len(), hits_before, "a dossier fetches nothing live");
    let doc = std::fs::read_to_string(&html).unwrap();
    assert!(doc.contains("data:image/png;base64,"), "the page is pictured");
    assert!(!doc.contains("rendering the archived copy failed"), "{doc}");
    // The picture is a real PNG of a desktop-sized viewport.
    let start = doc.find("data:image/png;base64,").unwrap() + "data:image/png;base64,".len();
    let end = start + doc[start..].find('"').unwrap();
    let png = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &doc[start..end]).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    assert_eq!(width, 1280, "the viewport's width");
    // English throughout.
    assert!(doc.contains("lang=\"en\""), "{doc}");
    assert!(doc.contains("Legal basis") && doc.contains("not legal advice"), "{doc}");
    assert!(!doc.contains("Fondement juridique"), "no French heading in the English dossier");
    assert!(doc.contains("31 January 2024"), "dates spelled out in English");
    assert!(stderr(&out).contains(&format!("sha256 {}", sha256(doc.as_bytes()))), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_that_fails_to_render_is_quoted_as_archived_text_with_the_reason() {
    let Some(chromium) = chromium() else { return };
    let s = TestServer::start("127.0.0.1").await;
    // A script that never yields: the browser cannot read the page back, let alone picture it.
    let page = CLAIM_PAGE.replace("</body>", "<script>for(;;){}</script></body>");
    s.page("/", &page);
    let scratch = Scratch::new();
    let (config, id) = checked(&scratch, &s, chromium.to_str().unwrap()).await;
    let html = scratch.path().join("dossier.html");
    let out = run(&config, &["dossier", &id, "--format", "html", "--out", html.to_str().unwrap()]).await;
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    let doc = std::fs::read_to_string(&html).unwrap();
    assert!(!doc.contains("data:image/png"), "no picture of a page that did not render");
    assert!(doc.contains("le rendu de la copie archivée a échoué"), "the reason: {doc}");
    assert!(
        doc.contains("Notre offre Ancien IaaS est qualifiée <mark>SecNumCloud</mark> par l’ANSSI"),
        "the archived text stands in: {doc}"
    );
    assert!(stdout(&out).contains("0 of 1 page(s) pictured"), "{}", stdout(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_browser_a_pdf_is_refused_and_html_says_why_there_is_no_picture() {
    let s = TestServer::start("127.0.0.1").await;
    s.page("/", CLAIM_PAGE);
    let scratch = Scratch::new();
    let (config, id) = checked(&scratch, &s, "/nonexistent/chromium").await;
    let pdf = scratch.path().join("dossier.pdf");
    let out = run(&config, &["dossier", &id, "--out", pdf.to_str().unwrap()]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("cannot print the dossier"), "{}", stderr(&out));
    assert!(!pdf.exists(), "nothing half-written");
    let html = scratch.path().join("dossier.html");
    let out =
        run(&config, &["dossier", &id, "--format", "html", "--lang", "en", "--out", html.to_str().unwrap()]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = std::fs::read_to_string(&html).unwrap();
    assert!(doc.contains("no browser available, no picture"), "{doc}");
    assert!(doc.contains("Ancien IaaS"), "{doc}");
    let unknown = run(&config, &["dossier", "F-nope"]).await;
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("no finding F-nope"), "{}", stderr(&unknown));
}

/// `[smtp]` on `port`, a French recipient who asked for dossiers and an English one who did not.
fn mail_section(port: u16) -> String {
    format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\nfrom = \"claimwatch <alerts@claimwatch.example>\"\ntimeout_secs = 5\n\n\
         [[recipient]]\nemail = \"depute@assemblee.example\"\nlang = \"fr\"\nattach_dossier = true\n\n\
         [[recipient]]\nemail = \"compliance@buyer.example\"\nlang = \"en\"\n"
    )
}

/// A site with the claim page, a mail server, and a config for both with `chromium`; the first
/// check run, its one finding's id and the two digests it sent.
struct Mailed {
    _site: TestServer,
    mailbox: claimwatch::mailbox::Mailbox,
    scratch: Scratch,
    config: PathBuf,
    id: String,
    mail: Vec<claimwatch::mailbox::Received>,
}

async fn mailed(chromium: &str) -> Mailed {
    let site = TestServer::start("127.0.0.1").await;
    site.page("/", CLAIM_PAGE);
    let mailbox = claimwatch::mailbox::Mailbox::start(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)).unwrap();
    let scratch = Scratch::new();
    let vendor = vendor_toml("nuvexa", &site.url("/"), "provider = \"Périmé SA\"");
    let render = format!("[render]\nchromium = \"{chromium}\"\npage_timeout_secs = 5\n");
    let config = write_config(&scratch, CRAWL, &format!("{}\n{vendor}\n{render}", mail_section(mailbox.addr.port())));
    let out = run(&config, &["check"]).await;
    assert_eq!(out.status.code(), Some(1), "{}{}", stdout(&out), stderr(&out));
    let id = finding_ids(&config).remove(0);
    let mail = mailbox.received();
    assert_eq!(mail.len(), 2, "{}", stdout(&out));
    Mailed { _site: site, mailbox, scratch, config, id, mail }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recipient_who_asked_gets_the_new_findings_dossier_attached_once() {
    let Some(chromium) = chromium() else { return };
    let Mailed { _site, mailbox, scratch, config, id, mail } = mailed(chromium.to_str().unwrap()).await;
    let parse =
        |m: &claimwatch::mailbox::Received| mail_parser::MessageParser::default().parse(&m.data).unwrap().into_owned();
    let fr = parse(mail.iter().find(|m| m.to.join(",").contains("depute@")).unwrap());
    let en = parse(mail.iter().find(|m| m.to.join(",").contains("compliance@")).unwrap());

    assert!(fr.header_raw("Content-Type").unwrap().contains("multipart/mixed"));
    let attachment = fr.attachments().next().expect("the dossier is attached");
    assert_eq!(attachment.attachment_name(), Some(format!("dossier-{id}.pdf").as_str()));
    let pdf = attachment.contents().to_vec();
    let path = scratch.write("attached.pdf", &pdf);
    let text = pdf_text(&path);
    assert!(text.contains("Ancien IaaS") && text.contains("SecNumCloud"), "{text}");
    let sha = sha256(&pdf);
    assert!(fr.body_text(0).unwrap().contains(&sha), "the digest names the attached dossier's SHA-256");
    assert_eq!(en.attachments().count(), 0, "the other recipient did not ask for it");

    // Stored with the finding; and nothing is sent again on the next run.
    let listed = stdout(&run(&config, &["findings", "--format", "json"]).await);
    assert!(listed.contains(&sha), "{listed}");
    let again = run(&config, &["check"]).await;
    assert!(again.status.code() == Some(1) || again.status.code() == Some(0), "{}", stderr(&again));
    assert_eq!(mailbox.received().len(), 2, "nothing is sent twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_dossier_cannot_be_made_the_alert_still_goes_out_with_the_command() {
    let Mailed { id, mail, .. } = mailed("/nonexistent/chromium").await;
    let fr = mail.iter().find(|m| m.to.join(",").contains("depute@")).unwrap();
    let fr = mail_parser::MessageParser::default().parse(&fr.data).unwrap();
    assert_eq!(fr.attachments().count(), 0);
    let text = fr.body_text(0).unwrap().into_owned();
    assert!(text.contains(&format!("Le dossier du constat {id} n’a pu être produit")), "{text}");
    assert!(text.contains(&format!("claimwatch dossier {id} --config")), "{text}");
}

fn archived(url: &str, content_type: &str) -> claimwatch::fetch::Exchange {
    claimwatch::fetch::Exchange {
        url: url::Url::parse(url).unwrap(),
        method: "GET",
        request_headers: Vec::new(),
        status: 200,
        version: "HTTP/1.1".into(),
        headers: vec![("content-type".into(), content_type.as_bytes().to_vec())],
        body: bytes::Bytes::new(),
        fetched_at: chrono::Utc::now(),
        remote_addr: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replay_is_answered_from_the_archive_alone_and_marks_a_claim_split_by_tags() {
    use claimwatch::render::{After, PageToRender, Renderer, ReplayIndex, Source};
    use std::sync::Arc;
    let Some(chromium) = chromium() else { return };
    let mut index = ReplayIndex::default();
    index.add(archived("https://www.nuvexa.example/style.css", "text/css"), b"p { color: #123456 }".to_vec());
    let settings = claimwatch::config::RenderSettings {
        chromium: chromium.display().to_string(),
        page_timeout: std::time::Duration::from_secs(20),
        ..Default::default()
    };
    let renderer = Renderer::with_source(&settings, Source::Archive(Arc::new(index))).await.unwrap();
    let body = "<html><head><link rel=\"stylesheet\" href=\"/style.css\">\
        <script src=\"https://cdn.elsewhere.example/app.js\"></script></head>\
        <body><p>Texte.</p><p>Notre offre est qualifiée Sec<b>Num</b>Cloud depuis peu.</p></body></html>";
    let page = PageToRender {
        url: url::Url::parse("https://www.nuvexa.example/offre").unwrap(),
        document: archived("https://www.nuvexa.example/offre", "text/html; charset=utf-8"),
        body: body.as_bytes().to_vec(),
        vendor: Arc::new(claimwatch::config::Vendor::new("nuvexa", "Nuvexa")),
        after: After::Screenshot { highlight: "SecNumCloud".into() },
    };
    let rendered = renderer.render(page).await.unwrap();
    renderer.close().await;
    assert!(rendered.highlighted, "the claim is found across the <b> and marked");
    let png = rendered.image.expect("a screenshot");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let served: Vec<String> = rendered.subresources.iter().map(|e| e.url.to_string()).collect();
    assert_eq!(
        served,
        vec!["https://www.nuvexa.example/style.css".to_string()],
        "the stylesheet came from the archive"
    );
    assert!(
        rendered
            .refused
            .iter()
            .any(|(u, why)| u.contains("cdn.elsewhere.example") && why.contains("not in the archive")),
        "{:?}",
        rendered.refused
    );
}
