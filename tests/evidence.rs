//! Evidence after real runs against loopback sites: WARC files read back by claimwatch and by warcio, sightings that point to their records, revisits for 304, `evidence verify` catching tampering, and alert digests carrying the log head.

mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use claimwatch::evidence::warc;
use claimwatch::mailbox::Mailbox;
use common::server::{TestServer, response};
use common::*;

const CRAWL: &str = "allow_private_networks = true\nrequests_per_second = 50\nretries = 0\ntimeout_secs = 5";
const CLAIM_PAGE: &str = "<html><body><h1>Offre Nuage</h1><p>Notre offre est qualifiée SecNumCloud.</p><a href=\"/clean\">c</a></body></html>";

async fn run(config: &Path, cmd: &[&str]) -> Output {
    let mut args: Vec<String> = cmd.iter().map(|s| s.to_string()).collect();
    args.extend(["--config".to_string(), config.display().to_string()]);
    cli(args).await
}

/// One vendor with a claim on `/` and a clean page, served with an ETag that `/` honours.
async fn site() -> TestServer {
    let s = TestServer::start("127.0.0.1").await;
    s.route("/", |hit, _| {
        if hit.headers.get("if-none-match").and_then(|v| v.to_str().ok()) == Some("\"v1\"") {
            return response(304, &[("etag", "\"v1\"")], "");
        }
        response(200, &[("content-type", "text/html; charset=utf-8"), ("etag", "\"v1\"")], CLAIM_PAGE)
    });
    s.page("/clean", "<html><body><p>Hébergement en France.</p></body></html>");
    s
}

fn config(scratch: &Scratch, s: &TestServer, extra: &str) -> PathBuf {
    write_config(scratch, CRAWL, &format!("{}\n{extra}", vendor_toml("nuage", &s.url("/"), "")))
}

fn warc_files(dir: &Path) -> Vec<PathBuf> {
    let mut f: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".warc.gz"))
        .collect();
    f.sort();
    f
}

fn targets(file: &Path, kind: &str) -> Vec<String> {
    warc::read_all(file)
        .unwrap()
        .into_iter()
        .filter(|(_, r)| r.header("WARC-Type") == Some(kind))
        .map(|(_, r)| r.header("WARC-Target-URI").unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_pages_with_claims_are_archived_as_request_and_response_records() {
    let s = site().await;
    let scratch = Scratch::new();
    let config = config(&scratch, &s, "");
    assert_eq!(run(&config, &["check"]).await.status.code(), Some(1));
    let files = warc_files(&scratch.path().join("evidence"));
    assert_eq!(files.len(), 1, "one file per run");
    assert_eq!(targets(&files[0], "response"), vec![s.url("/")], "the clean page is not archived");
    assert_eq!(targets(&files[0], "request"), vec![s.url("/")]);
    let records = warc::read_all(&files[0]).unwrap();
    assert_eq!(records[0].1.header("WARC-Type"), Some("warcinfo"));
    for (_, r) in &records {
        warc::verify(r).unwrap();
        assert!(r.header("WARC-Record-ID").unwrap().starts_with("<urn:uuid:"));
        assert!(r.header("WARC-Date").is_some());
    }
    let response = &records.iter().find(|(_, r)| r.header("WARC-Type") == Some("response")).unwrap().1;
    assert_eq!(response.http_body().unwrap(), CLAIM_PAGE.as_bytes(), "the body as received");
    assert!(response.header("WARC-Payload-Digest").unwrap().starts_with("sha256:"));
    assert_eq!(response.header("WARC-IP-Address"), Some("127.0.0.1"));
    let headers = response.http_headers().unwrap();
    assert!(headers[0].1.starts_with("HTTP/1.1 200"), "{headers:?}");
    assert!(headers.iter().any(|(n, v)| n.eq_ignore_ascii_case("etag") && v == "\"v1\""));

    // A second run writes a file of its own; the first is left as it was.
    let before = std::fs::read(&files[0]).unwrap();
    run(&config, &["check"]).await;
    let files_after = warc_files(&scratch.path().join("evidence"));
    assert_eq!(files_after.len(), 2);
    assert_eq!(std::fs::read(&files[0]).unwrap(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn archive_all_archives_every_fetched_page() {
    let s = site().await;
    let scratch = Scratch::new();
    let config = config(&scratch, &s, "[evidence]\narchive_all = true\n");
    run(&config, &["check"]).await;
    let files = warc_files(&scratch.path().join("evidence"));
    let mut got = targets(&files[0], "response");
    got.sort();
    assert_eq!(got, vec![s.url("/"), s.url("/clean")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_304_is_archived_as_a_revisit_of_the_earlier_response() {
    let s = site().await;
    let scratch = Scratch::new();
    let config = config(&scratch, &s, "");
    run(&config, &["check"]).await;
    let out = run(&config, &["check"]).await;
    assert!(s.hits_on("/").iter().any(|h| h.headers.contains_key("if-none-match")), "{}", stdout(&out));
    let files = warc_files(&scratch.path().join("evidence"));
    assert_eq!(files.len(), 2);
    let first = warc::read_all(&files[0]).unwrap();
    let earlier_id =
        first.iter().find(|(_, r)| r.header("WARC-Type") == Some("response")).unwrap().1.header("WARC-Record-ID");
    let second = warc::read_all(&files[1]).unwrap();
    let revisit = &second.iter().find(|(_, r)| r.header("WARC-Type") == Some("revisit")).expect("a revisit record").1;
    assert_eq!(revisit.header("WARC-Refers-To"), earlier_id);
    assert_eq!(revisit.header("WARC-Refers-To-Target-URI"), Some(s.url("/").as_str()));
    assert!(revisit.http_headers().unwrap()[0].1.starts_with("HTTP/1.1 304"));
    assert!(targets(&files[1], "response").is_empty(), "no second copy of the unchanged page");
    // The finding's newest sighting still leads to the content.
    let id = &finding_ids(&config)[0];
    let show = run(&config, &["evidence", "show", id]).await;
    let text = stdout(&show);
    assert!(text.contains("not modified on this fetch"), "{text}");
    assert!(text.contains("said:     «\u{A0}SecNumCloud\u{A0}»"), "{text}");
    assert_eq!(run(&config, &["evidence", "verify"]).await.status.code(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evidence_show_prints_where_the_claim_is_archived_and_extracts_the_page() {
    let s = site().await;
    let scratch = Scratch::new();
    let config = config(&scratch, &s, "");
    run(&config, &["check"]).await;
    let id = &finding_ids(&config)[0];
    let page = scratch.path().join("page.html");
    let out = run(&config, &["evidence", "show", id, "--extract", page.to_str().unwrap()]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let file = warc_files(&scratch.path().join("evidence")).remove(0);
    let (offset, response) =
        warc::read_all(&file).unwrap().into_iter().find(|(_, r)| r.header("WARC-Type") == Some("response")).unwrap();
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    assert!(text.contains(&format!("WARC:     {name} at offset {offset} (")), "{text}");
    assert!(text.contains(response.header("WARC-Record-ID").unwrap()), "{text}");
    let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(CLAIM_PAGE.as_bytes()));
    assert!(text.contains(&format!("body:     sha256 {sha}")), "{text}");
    assert!(text.contains("said:     «\u{A0}SecNumCloud\u{A0}»"), "{text}");
    assert!(text.contains("context:  Notre offre est qualifiée [SecNumCloud]"), "{text}");
    assert_eq!(std::fs::read_to_string(&page).unwrap(), CLAIM_PAGE);
    let missing = run(&config, &["evidence", "show", "nope"]).await;
    assert_eq!(missing.status.code(), Some(2), "an unknown finding is a usage error");
}

/// Runs `evidence verify` on a tampered copy of the evidence and restores the original.
async fn verify_after(config: &Path, dir: &Path, tamper: impl FnOnce(&Path)) -> (Option<i32>, String) {
    let backup = dir.with_extension("bak");
    copy_dir(dir, &backup);
    tamper(dir);
    let out = run(config, &["evidence", "verify"]).await;
    std::fs::remove_dir_all(dir).unwrap();
    std::fs::rename(&backup, dir).unwrap();
    (out.status.code(), stdout(&out))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
    }
}

/// Rewrites the gzip member at `offset` with one byte of its block changed, keeping gzip valid.
fn alter_record(file: &Path, offset: u64, length: u64) {
    use std::io::{Read, Write};
    let data = std::fs::read(file).unwrap();
    let (start, end) = (offset as usize, (offset + length) as usize);
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(&data[start..end]).read_to_end(&mut raw).unwrap();
    let at = raw.windows(11).position(|w| w == b"SecNumCloud").unwrap();
    raw[at] = b'Z';
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&raw).unwrap();
    let mut out = data[..start].to_vec();
    out.extend(gz.finish().unwrap());
    out.extend_from_slice(&data[end..]);
    std::fs::write(file, out).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_holds_on_untouched_evidence_and_reports_every_kind_of_tampering() {
    let s = site().await;
    let scratch = Scratch::new();
    let config = config(&scratch, &s, "[evidence]\narchive_all = true\n");
    run(&config, &["check"]).await;
    run(&config, &["check"]).await;
    let dir = scratch.path().join("evidence");
    let ok = run(&config, &["evidence", "verify"]).await;
    assert_eq!(ok.status.code(), Some(0), "{}", stdout(&ok));
    assert!(stdout(&ok).contains("all holds"));
    let file = warc_files(&dir).remove(0);
    let (offset, _) =
        warc::read_all(&file).unwrap().into_iter().find(|(_, r)| r.header("WARC-Type") == Some("response")).unwrap();
    let length = {
        let all = warc::read_all(&file).unwrap();
        let i = all.iter().position(|(o, _)| *o == offset).unwrap();
        all.get(i + 1).map(|(o, _)| *o).unwrap_or(std::fs::metadata(&file).unwrap().len()) - offset
    };

    let (code, text) = verify_after(&config, &dir, |_| alter_record(&file, offset, length)).await;
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("block digest differs") && text.contains("(the record was altered)"), "{text}");

    let (code, text) = verify_after(&config, &dir, |_| {
        let mut data = std::fs::read(&file).unwrap();
        let at = (offset + length / 2) as usize;
        data[at] ^= 0xff;
        std::fs::write(&file, data).unwrap();
    })
    .await;
    assert_eq!(code, Some(1), "a corrupt member: {text}");
    assert!(text.contains("BROKEN"), "{text}");

    let log = dir.join("evidence.log");
    let (code, text) = verify_after(&config, &dir, |_| {
        let lines: Vec<String> = std::fs::read_to_string(&log).unwrap().lines().map(String::from).collect();
        let kept: Vec<&str> = lines.iter().enumerate().filter(|(i, _)| *i != 1).map(|(_, l)| l.as_str()).collect();
        std::fs::write(&log, kept.join("\n") + "\n").unwrap();
    })
    .await;
    assert_eq!(code, Some(1), "{text}");
    // The removed entry's records may be the last of their file: listed as not logged then, and
    // the sequence gap still fails the verification.
    assert!(text.contains("expected sequence number 2") && text.contains("record the log does not name"), "{text}");

    let (code, text) = verify_after(&config, &dir, |_| {
        let edited = std::fs::read_to_string(&log).unwrap().replacen("/clean", "/elsewhere", 1);
        std::fs::write(&log, edited).unwrap();
    })
    .await;
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("its hash does not match its content"), "{text}");

    let (code, text) = verify_after(&config, &dir, |_| std::fs::remove_file(&file).unwrap()).await;
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains(&format!("{} is missing", file.file_name().unwrap().to_string_lossy())), "{text}");

    // Restored: all holds again.
    assert_eq!(run(&config, &["evidence", "verify"]).await.status.code(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alert_digests_carry_the_head_hash_of_the_evidence_log() {
    let mailbox = Mailbox::start(IpAddr::V4(Ipv4Addr::LOCALHOST)).unwrap();
    let s = site().await;
    let scratch = Scratch::new();
    let smtp = format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\nfrom = \"alerts@claimwatch.example\"\ntimeout_secs = 5\n\n\
         [[recipient]]\nemail = \"regulateur@dgccrf.example\"\nlang = \"fr\"\n",
        mailbox.addr.port()
    );
    let config = config(&scratch, &s, &smtp);
    assert_eq!(run(&config, &["check"]).await.status.code(), Some(1));
    let verify = stdout(&run(&config, &["evidence", "verify"]).await);
    let head = verify.lines().find_map(|l| l.strip_prefix("head: ")).expect("a head hash").to_string();
    assert_eq!(head.len(), 64);
    let mail = mailbox.received();
    assert_eq!(mail.len(), 1);
    let text = String::from_utf8_lossy(&mail[0].data).replace("=\r\n", "");
    assert!(text.contains(&head), "the digest names the log head {head}: {text}");
}

/// Python's warcio, when installed (required in CI).
fn warcio() -> bool {
    let ok =
        Command::new("python3").args(["-c", "import warcio"]).output().map(|o| o.status.success()).unwrap_or(false);
    if !ok {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("warcio is required in CI (pip install warcio)");
        }
        eprintln!("skipped: warcio not installed (pip install warcio)");
    }
    ok
}

const READ_BACK: &str = r#"
import sys, hashlib
from warcio.archiveiterator import ArchiveIterator
with open(sys.argv[1], 'rb') as f:
    it = ArchiveIterator(f)
    for r in it:
        body = r.content_stream().read() if r.rec_type == 'response' else b''
        print(r.rec_type, r.rec_headers.get_header('WARC-Target-URI'), it.get_record_offset(),
              r.rec_headers.get_header('WARC-Payload-Digest'), hashlib.sha256(body).hexdigest(),
              r.http_headers.get_statuscode() if r.http_headers else '-')
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warcio_reads_the_files_and_finds_every_digest_correct() {
    if !warcio() {
        return;
    }
    let s = site().await;
    let scratch = Scratch::new();
    let config = config(&scratch, &s, "[evidence]\narchive_all = true\n");
    run(&config, &["check"]).await;
    run(&config, &["check"]).await;
    let files = warc_files(&scratch.path().join("evidence"));
    for f in &files {
        let check = Command::new("python3").args(["-m", "warcio.cli", "check", "-v"]).arg(f).output().unwrap();
        let said = String::from_utf8_lossy(&check.stdout).into_owned() + &String::from_utf8_lossy(&check.stderr);
        assert!(check.status.success(), "warcio check failed on {}: {said}", f.display());
        assert!(said.contains("digest pass"), "{said}");
        assert!(!said.contains("fail"), "{said}");
    }
    let read = Command::new("python3").args(["-c", READ_BACK]).arg(&files[0]).output().unwrap();
    assert!(read.status.success(), "{}", String::from_utf8_lossy(&read.stderr));
    let lines: Vec<String> = String::from_utf8_lossy(&read.stdout).lines().map(String::from).collect();
    let ours = warc::read_all(&files[0]).unwrap();
    assert_eq!(lines.len(), ours.len());
    for (line, (offset, r)) in lines.iter().zip(&ours) {
        let f: Vec<&str> = line.split(' ').collect();
        assert_eq!(f[0], r.header("WARC-Type").unwrap(), "{line}");
        assert_eq!(f[2], offset.to_string(), "warcio finds the record where we wrote it: {line}");
        if f[0] == "response" {
            assert_eq!(Some(f[1]), r.header("WARC-Target-URI"));
            assert_eq!(f[3], format!("sha256:{}", f[4]), "warcio's own hash of the payload matches ours: {line}");
            assert_eq!(f[5], "200");
        }
    }
    // The decoded claim page comes out whole.
    let verdicts = ours.iter().filter(|(_, r)| r.http_body() == Some(CLAIM_PAGE.as_bytes())).count();
    assert_eq!(verdicts, 1);
}
