//! `claimwatch scan-warc` on generated WARC files: claims that point back at their gzip member, unlisted hosts judged as holding nothing, vendors told by configured hosts and registry domains, records skipped and counted, broken records reported while the rest is read, lists on standard input, a file served over loopback HTTP, and claimwatch's own evidence read again.

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::server::{TestServer, response};
use common::warcgen::WarcFile;
use common::*;

const CLAIM: &str =
    "<html><head><title>Offre</title></head><body><p>Notre offre est qualifiée SecNumCloud.</p></body></html>";
const CLEAN: &str = "<html><body><p>Hébergement en France, support en français.</p></body></html>";

/// A registry where « Qualifié SA » lives on qualifie.example, and a config whose one vendor
/// (« Périmé SA », lapsed) owns www.perime.example.
fn config(scratch: &Scratch) -> PathBuf {
    let registry = std::fs::read_to_string(fixture("registry.toml")).unwrap().replacen(
        "until = 2027-06-30\n",
        "until = 2027-06-30\ndomains = [\"qualifie.example\"]\n",
        1,
    );
    let registry = scratch.write("registry.toml", registry);
    let text = format!(
        "registry = \"{}\"\npatterns = \"{}\"\n\n[[vendor]]\nid = \"perime\"\nname = \"Périmé\"\nprovider = \"Périmé SA\"\nstart_urls = [\"https://www.perime.example/\"]\nallowed_hosts = [\"www.perime.example\"]\n",
        registry.display(),
        root().join("patterns").display()
    );
    scratch.write("claimwatch.toml", text)
}

fn scan_warc(config: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_claimwatch"))
        .arg("scan-warc")
        .arg("--config")
        .arg(config)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn lines(o: &Output, kind: &str) -> Vec<serde_json::Value> {
    json_lines(o).into_iter().filter(|l| l["type"] == kind).collect()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// The record at a claim's pointer, read with a fresh gzip decoder from that byte range alone.
fn reread(file: &[u8], offset: u64, length: u64) -> String {
    let member = &file[offset as usize..(offset + length) as usize];
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(member).read_to_end(&mut raw).unwrap();
    String::from_utf8_lossy(&raw).into_owned()
}

/// The generated file: every kind of record, and a corrupt member in the middle.
fn mixed() -> WarcFile {
    let mut w = WarcFile::gzip();
    w.record("warcinfo", "", &[("Content-Type", "application/warc-fields")], b"software: tests\r\n");
    w.request("https://www.brumaire-hebergement.example/offre");
    w.page("https://www.brumaire-hebergement.example/offre", CLAIM);
    w.page("https://cloud.qualifie.example/iaas", CLAIM);
    w.page("https://www.perime.example/offre", CLAIM);
    w.page("https://www.brumaire-hebergement.example/contact", CLEAN);
    w.response(
        "https://www.brumaire-hebergement.example/logo.png",
        &[("Content-Type", "image/png")],
        b"\x89PNG\r\n\x1a\nrest",
    );
    w.record(
        "revisit",
        "https://www.brumaire-hebergement.example/offre",
        &[("WARC-Profile", "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest")],
        b"HTTP/1.1 200 OK\r\n\r\n",
    );
    w.record(
        "metadata",
        "https://www.brumaire-hebergement.example/offre",
        &[("Content-Type", "application/warc-fields")],
        b"fetchTimeMs: 12\r\n",
    );
    // Still content-encoded, as claimwatch's own evidence keeps it.
    w.response(
        "https://www.nuvexa.example/gz",
        &[("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")],
        &gzip(CLAIM.as_bytes()),
    );
    // A member that claims to be gzip and is not.
    w.raw(&[0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0xff, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x11, 0x22]);
    w.page("https://www.apres-la-casse.example/", CLAIM);
    w
}

#[test]
fn every_claim_points_back_at_its_record_and_each_host_is_judged_as_who_it_is() {
    let scratch = Scratch::new();
    let config = config(&scratch);
    let w = mixed();
    let file = scratch.write("CC-TEST-00001.warc.gz", &w.bytes);
    let out = scan_warc(&config, &[file.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(2), "a broken record is an error: {}", stderr(&out));
    let claims = lines(&out, "claim");
    let by_host =
        |host: &str| claims.iter().find(|c| c["host"] == host).unwrap_or_else(|| panic!("{host}: {claims:#?}"));

    let unlisted = by_host("www.brumaire-hebergement.example");
    assert_eq!(unlisted["vendor"], serde_json::Value::Null);
    assert_eq!(unlisted["provider"], serde_json::Value::Null);
    assert_eq!(unlisted["domain"], "brumaire-hebergement.example");
    assert_eq!((unlisted["kind"].as_str(), unlisted["level"].as_str()), (Some("assertion"), Some("violation")));
    assert_eq!(unlisted["warc_file"], "CC-TEST-00001.warc.gz");
    assert_eq!(unlisted["warc_date"], "2026-10-03T12:00:00Z");
    let qualified = by_host("cloud.qualifie.example");
    assert_eq!((qualified["provider"].as_str(), qualified["level"].as_str()), (Some("Qualifié SA"), Some("ok")));
    let vendor = by_host("www.perime.example");
    assert_eq!((vendor["vendor"].as_str(), vendor["provider"].as_str()), (Some("perime"), Some("Périmé SA")));
    assert_eq!(vendor["level"], "violation");
    assert!(claims.iter().any(|c| c["url"] == "https://www.nuvexa.example/gz"), "a still-encoded body is decoded");
    assert!(
        claims.iter().any(|c| c["host"] == "www.apres-la-casse.example"),
        "the record after the broken one is read"
    );

    // Each pointer is the record's gzip member: one range request would fetch it again.
    for c in &claims {
        let (offset, length) = (c["warc_offset"].as_u64().unwrap(), c["warc_length"].as_u64().unwrap());
        assert!(w.members.iter().any(|m| m.2 == offset && m.3 == length), "{c}");
        let record = reread(&w.bytes, offset, length);
        assert!(record.contains(&format!("WARC-Target-URI: {}", c["url"].as_str().unwrap())), "{record}");
        assert!(record.contains("WARC-Type: response"));
    }

    let errors = lines(&out, "error");
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let summary = lines(&out, "summary").remove(0);
    assert_eq!(summary["files"], 1);
    assert_eq!(summary["errors"], 1);
    assert_eq!(summary["responses"], 7, "{summary}");
    assert_eq!(summary["html_parsed"], 5, "{summary}");
    assert_eq!(summary["prefilter_skipped"], 1, "the label-free page is not parsed: {summary}");
    assert_eq!(summary["skipped"]["request"], 1);
    assert_eq!(summary["skipped"]["revisit"], 1);
    assert_eq!(summary["skipped"]["metadata"], 1);
    assert_eq!(summary["skipped"]["warcinfo"], 1);
    assert_eq!(summary["skipped"]["type image/png"], 1);
    assert_eq!(summary["claims"]["assertion"], 5, "{summary}");
}

#[test]
fn exit_codes_follow_scan_and_lists_come_on_standard_input() {
    let scratch = Scratch::new();
    let config = config(&scratch);
    let mut clean = WarcFile::plain();
    clean.page("https://www.brumaire-hebergement.example/contact", CLEAN);
    let clean = scratch.write("clean.warc", &clean.bytes);
    let mut claiming = WarcFile::gzip();
    claiming.page("https://www.brumaire-hebergement.example/offre", CLAIM);
    let claiming = scratch.write("claiming.warc.gz", &claiming.bytes);

    let out = scan_warc(&config, &[clean.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(lines(&out, "summary")[0]["records"], 1, "a plain WARC file is read too");
    let list = format!("# two files\n{}\n\n{}\n", clean.display(), claiming.display());
    let out = scan_warc(&config, &["--paths-from", "-"], Some(&list));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(lines(&out, "summary")[0]["files"], 2);
    assert_eq!(lines(&out, "claim").len(), 1);
    let missing = scan_warc(&config, &["/nonexistent/file.warc.gz"], None);
    assert_eq!(missing.status.code(), Some(2));
    assert!(lines(&missing, "error")[0]["error"].as_str().unwrap().contains("cannot open"), "{}", stdout(&missing));
    let text = scan_warc(&config, &["--format", "text", claiming.to_str().unwrap()], None);
    assert!(stdout(&text).contains("VIOLATION  secnumcloud assertion «\u{a0}SecNumCloud\u{a0}» https://www.brumaire-hebergement.example/offre [unlisted]"), "{}", stdout(&text));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_served_over_http_is_read_as_a_stream() {
    let scratch = Scratch::new();
    let config = config(&scratch);
    let w = mixed();
    let server = TestServer::start("127.0.0.1").await;
    let bytes = w.bytes.clone();
    server.route("/crawl-data/CC-TEST-00002.warc.gz", move |_, _| {
        response(200, &[("content-type", "application/octet-stream")], bytes.clone())
    });
    let url = server.url("/crawl-data/CC-TEST-00002.warc.gz");
    let out = tokio::task::spawn_blocking(move || scan_warc(&config, &[&url], None)).await.unwrap();
    let claims = lines(&out, "claim");
    assert_eq!(claims.len(), 5, "{}", stderr(&out));
    assert!(claims.iter().all(|c| c["warc_file"] == "CC-TEST-00002.warc.gz"));
    assert!(claims.iter().all(|c| c["warc_source"].as_str().unwrap().starts_with("http://127.0.0.1:")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claimwatchs_own_evidence_is_read_again() {
    let site = TestServer::start("127.0.0.1").await;
    let gz = gzip(CLAIM.as_bytes());
    site.route("/", move |_, _| {
        response(200, &[("content-type", "text/html; charset=utf-8"), ("content-encoding", "gzip")], gz.clone())
    });
    let scratch = Scratch::new();
    let crawl = "allow_private_networks = true\nrequests_per_second = 50\nretries = 0\ntimeout_secs = 5";
    let config = write_config(&scratch, crawl, &vendor_toml("nuage", &site.url("/"), ""));
    let checked = cli(vec!["check".into(), "--config".into(), config.display().to_string()]).await;
    assert_eq!(checked.status.code(), Some(1), "{}", stderr(&checked));
    let warc = std::fs::read_dir(scratch.path().join("evidence"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".warc.gz"))
        .unwrap();
    let out =
        tokio::task::spawn_blocking(move || scan_warc(&config, &["--at", "2026-11-28", warc.to_str().unwrap()], None))
            .await
            .unwrap();
    let claims = lines(&out, "claim");
    assert_eq!(claims.len(), 1, "{}", stdout(&out));
    assert_eq!(claims[0]["vendor"], "nuage", "the evidence's host is the configured vendor's");
    assert_eq!(claims[0]["at"], "2026-11-28");
    assert_eq!(lines(&out, "summary")[0]["skipped"]["request"], 1);
}
