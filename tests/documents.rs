//! PDF documents linked from a vendor's pages, crawled from a real HTTP server on loopback: fetched by type or by `.pdf` path, read page by page in a child process, judged as the vendor's, and reported "not checked" with why when they cannot be read.

mod common;

use std::sync::Arc;

use chrono::NaiveDate;
use claimwatch::config;
use claimwatch::extract::Location;
use claimwatch::fetch::{Fetcher, MemoryValidators, Skip};
use claimwatch::pipeline::{self, PageStatus};
use common::page_of as page;
use common::pdf;
use common::server::{TestServer, response};
use common::*;

fn served(server: &TestServer, path: &str, content_type: &'static str, body: Vec<u8>) {
    server.route(path, move |_, _| response(200, &[("content-type", content_type)], body.clone()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn linked_pdfs_are_read_as_the_vendors_and_unreadable_ones_say_why() {
    // The pipeline runs in this test's own binary: the extraction child is claimwatch.
    // SAFETY: set before any thread of this test binary reads the environment for it; this is
    // the binary's only test.
    unsafe { std::env::set_var("CLAIMWATCH_PDF_EXTRACTOR", env!("CARGO_BIN_EXE_claimwatch")) };
    let server = TestServer::start("127.0.0.1").await;
    server.page(
        "/",
        "<html><body><p>Documentation</p>\
         <a href=\"/docs/fiche.pdf\">Fiche</a> <a href=\"/docs/brochure.pdf\">Brochure</a> \
         <a href=\"/docs/tarifs\">Tarifs</a> <a href=\"/docs/protege.pdf\">Protégé</a> \
         <a href=\"/docs/scan.pdf\">Scan</a> <a href=\"/docs/lourd.pdf\">Lourd</a> \
         <a href=\"/docs/notice.txt.pdf\">Notice</a> <a href=\"/logo.png\">Logo</a></body></html>",
    );
    served(&server, "/docs/fiche.pdf", "application/pdf", pdf::simple("Nuvexa Cloud est qualifié SecNumCloud."));
    // A generic type: the `.pdf` path decides.
    served(&server, "/docs/brochure.pdf", "application/octet-stream", pdf::simple("Hébergement certifié HDS."));
    // The type decides, whatever the path.
    served(
        &server,
        "/docs/tarifs",
        "application/pdf; charset=binary",
        pdf::document(
            &[pdf::Page::new().line(pdf::Face::WinAnsi, 12.0, 72.0, 720.0, "Grille des prix 2026")],
            &[("Title", "Tarifs de l'offre qualifiée SecNumCloud")],
        ),
    );
    served(&server, "/docs/protege.pdf", "application/pdf", pdf::encrypted());
    served(&server, "/docs/scan.pdf", "application/pdf", pdf::scanned());
    let mut heavy = pdf::simple("Offre qualifiée SecNumCloud.");
    heavy.resize(60_000, b' ');
    served(&server, "/docs/lourd.pdf", "application/pdf", heavy);
    // Not a PDF, whatever its path says: read as what it is, text, and skipped.
    served(&server, "/docs/notice.txt.pdf", "text/plain", b"Qualifie SecNumCloud".to_vec());
    served(&server, "/logo.png", "image/png", vec![0x89, b'P', b'N', b'G']);

    let scratch = Scratch::new();
    let crawl = "allow_private_networks = true\nrequests_per_second = 50\nretries = 0\nmax_pdf_bytes = 50000";
    let path = write_config(&scratch, crawl, &vendor_toml("nuvexa", &server.url("/"), ""));
    let setup = Arc::new(config::load(&path).unwrap_or_else(|e| panic!("{}", e.diagnostics())));
    let fetcher = Arc::new(Fetcher::new(&setup.config.crawl, Arc::new(MemoryValidators::default())).unwrap());
    let at = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let reports = pipeline::run_once(setup.clone(), fetcher, &setup.config.vendors, at, &|_| {}).await;
    let r = &reports[0];

    // Three documents read; the home page is the fourth page fetched.
    assert_eq!((r.summary().pages_fetched, r.summary().pdfs_read), (4, 3));
    let fiche = page(r, "/docs/fiche.pdf");
    assert_eq!(fiche.status, PageStatus::Fetched, "{fiche:#?}");
    assert_eq!(fiche.encoding, Some("PDF"));
    assert_eq!(fiche.claims.len(), 1, "{:#?}", fiche.claims);
    let claim = &fiche.claims[0].claim;
    assert_eq!((claim.location, claim.detail.as_str()), (Location::Pdf, "page 1"));
    assert_eq!(claim.label, "secnumcloud");
    assert_eq!(claim.context, "Nuvexa Cloud est qualifié SecNumCloud.");

    let brochure = page(r, "/docs/brochure.pdf");
    assert_eq!(brochure.status, PageStatus::Fetched);
    assert_eq!(brochure.claims.iter().map(|c| c.claim.label.as_str()).collect::<Vec<_>>(), ["hds"]);

    let tarifs = page(r, "/docs/tarifs");
    assert_eq!(tarifs.claims.len(), 1, "the document info is read: {tarifs:#?}");
    assert_eq!(
        (tarifs.claims[0].claim.location, tarifs.claims[0].claim.detail.as_str()),
        (Location::Meta, "pdf Title")
    );

    let why = |p: &str| page(r, p).status.why_not_checked().unwrap_or_else(|| panic!("{p} was checked"));
    assert!(why("/docs/protege.pdf").contains("encrypted"), "{}", why("/docs/protege.pdf"));
    assert!(why("/docs/scan.pdf").contains("no text layer"), "{}", why("/docs/scan.pdf"));
    assert_eq!(why("/docs/lourd.pdf"), "PDF exceeds max_pdf_bytes (50000 bytes)");
    assert_eq!(page(r, "/docs/notice.txt.pdf").status, PageStatus::Skipped(Skip::ContentType("text/plain".into())));
    assert_eq!(page(r, "/logo.png").status, PageStatus::Skipped(Skip::ContentType("image/png".into())));
    // The image's body was never needed, and never read past its head.
    assert_eq!(server.hits_on("/logo.png").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pdf_claim_is_archived_and_its_evidence_names_the_pdf_page() {
    let server = TestServer::start("127.0.0.1").await;
    server.page("/", "<html><body><p>Nos documents</p><a href=\"/fiche.pdf\">Fiche</a></body></html>");
    let second = pdf::Page::new().line(pdf::Face::WinAnsi, 12.0, 72.0, 720.0, "Nuvexa Cloud est qualifié SecNumCloud.");
    let first = pdf::Page::new().line(pdf::Face::WinAnsi, 12.0, 72.0, 720.0, "Sommaire");
    let bytes = pdf::document(&[first, second], &[]);
    served(&server, "/fiche.pdf", "application/pdf", bytes.clone());
    let scratch = Scratch::new();
    let crawl = "allow_private_networks = true\nrequests_per_second = 50\nretries = 0";
    let config = write_config(&scratch, crawl, &vendor_toml("nuvexa", &server.url("/"), ""));
    let args = |cmd: &[&str]| {
        let mut a: Vec<String> = cmd.iter().map(|s| s.to_string()).collect();
        a.extend(["--config".to_string(), config.display().to_string()]);
        a
    };
    let out = cli(args(&["check"])).await;
    assert_eq!(out.status.code(), Some(1), "a violation: {}", stdout(&out));

    // The PDF is archived as it was received, like a page.
    let dir = scratch.path().join("evidence");
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".warc.gz"))
        .expect("a WARC file");
    let records = claimwatch::evidence::warc::read_all(&file).unwrap();
    let response = records
        .iter()
        .map(|(_, r)| r)
        .find(|r| {
            r.header("WARC-Type") == Some("response") && r.header("WARC-Target-URI") == Some(&server.url("/fiche.pdf"))
        })
        .expect("the PDF's response record");
    assert_eq!(response.http_body().unwrap(), bytes.as_slice());

    let ids = finding_ids(&config);
    assert_eq!(ids.len(), 1);
    let shown = cli(args(&["evidence", "show", &ids[0]])).await;
    let text = stdout(&shown);
    assert!(text.contains("said:     «\u{A0}SecNumCloud\u{A0}» in pdf (page 2)"), "{text}");
    assert_eq!(cli(args(&["evidence", "verify"])).await.status.code(), Some(0));

    // The report names the PDF page beside the document's URL.
    let report = scratch.path().join("report.html");
    let out = cli(args(&["report", "--out", report.to_str().unwrap()])).await;
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains(&format!("{}</a> (pdf, page 2)", server.url("/fiche.pdf"))), "{html}");
    // Its coverage table counts the documents apart: the home page and one PDF.
    assert!(html.contains("<td>nuvexa</td><td>2 (1 PDF)</td>"), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scan_reads_a_pdf_file_once_told_whose_it_is() {
    let scratch = Scratch::new();
    let config = write_config(&scratch, "", &vendor_toml("nuvexa", "https://nuvexa.example/", ""));
    let file = scratch.write("fiche.pdf", pdf::simple("Notre offre est qualifiée SecNumCloud."));
    let scan = |vendor: &str| {
        cli(vec![
            "scan".into(),
            "--config".into(),
            config.display().to_string(),
            "--vendor".into(),
            vendor.into(),
            "--format".into(),
            "json".into(),
            file.display().to_string(),
        ])
    };
    let auto = scan("auto").await;
    assert_eq!(auto.status.code(), Some(2));
    assert!(stdout(&auto).contains("a PDF file has no canonical URL to tell its vendor: name it with --vendor"));
    let named = scan("nuvexa").await;
    assert_eq!(named.status.code(), Some(1), "a violation: {}", stdout(&named));
    let claim: serde_json::Value = serde_json::from_str(stdout(&named).lines().next().unwrap()).unwrap();
    assert_eq!((claim["location"].as_str(), claim["detail"].as_str()), (Some("pdf"), Some("page 1")));
    assert_eq!(claim["verdict"], "violation");
}
