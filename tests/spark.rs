//! The Spark job (deploy/spark/claimwatch_job.py) end to end on a local master: a few gzip-per-record
//! WARC files made here and served over HTTP on loopback, listed in a `warc.paths.gz` like Common
//! Crawl's, scanned by the real binary's `scan-warc` through `spark-submit`; `domains.csv` must hold
//! what the files hold, and each sample pointer must re-read to its response record. Then the same
//! with `--records`: only some records, fetched with Range requests, as the URL index lists them.
//!
//! Needs `spark-submit` (Spark 4, Java 17): `$CLAIMWATCH_SPARK_SUBMIT`, else on PATH. Skipped when
//! missing, except under CI=true where it fails (.ci/run installs it).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::server::{Hit, TestServer, response};
use common::*;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde_json::Value;

/// `spark-submit`, when installed (required in CI).
fn spark_submit() -> Option<PathBuf> {
    let candidate = std::env::var_os("CLAIMWATCH_SPARK_SUBMIT").map(PathBuf::from).unwrap_or("spark-submit".into());
    let found = Command::new(&candidate).arg("--version").env("PATH", path_with(&candidate)).output().ok();
    if found.is_some_and(|o| o.status.success()) {
        return Some(candidate);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("spark-submit is required in CI (.ci/run installs pyspark and sets CLAIMWATCH_SPARK_SUBMIT)");
    }
    eprintln!("skipped: spark-submit not found (set CLAIMWATCH_SPARK_SUBMIT, see .ci/run)");
    None
}

/// PATH with spark-submit's folder first: pyspark's launcher scripts find their Python and
/// SPARK_HOME through `python3` on PATH, which must be the virtual environment's.
fn path_with(spark_submit: &Path) -> std::ffi::OsString {
    let mut dirs: Vec<PathBuf> =
        spark_submit.parent().filter(|p| !p.as_os_str().is_empty()).map(Path::to_path_buf).into_iter().collect();
    dirs.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    std::env::join_paths(dirs).unwrap()
}

/// A WARC file being written, one gzip member per record; remembers where each record lies.
#[derive(Default)]
struct Warc {
    bytes: Vec<u8>,
    /// (offset, length, WARC-Type, target URI) of each record.
    records: Vec<(u64, u64, String, String)>,
}

impl Warc {
    fn record(&mut self, kind: &str, uri: &str, content_type: &str, block: &[u8]) {
        let n = self.records.len();
        let mut head = format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-{n:012}>\r\nWARC-Date: 2026-10-03T12:00:{:02}Z\r\n",
            n % 60
        );
        if !uri.is_empty() {
            head += &format!("WARC-Target-URI: {uri}\r\n");
        }
        if kind == "revisit" {
            head += "WARC-Profile: http://netpreserve.org/warc/1.0/revisit/identical-payload-digest\r\n";
            head += "WARC-Refers-To-Target-URI: ";
            head += uri;
            head += "\r\nWARC-Payload-Digest: sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n";
        }
        head += &format!("Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n", block.len());
        let mut gz = GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(head.as_bytes()).unwrap();
        gz.write_all(block).unwrap();
        gz.write_all(b"\r\n\r\n").unwrap();
        let member = gz.finish().unwrap();
        self.records.push((self.bytes.len() as u64, member.len() as u64, kind.into(), uri.into()));
        self.bytes.extend_from_slice(&member);
    }

    fn warcinfo(&mut self, name: &str) {
        let block = format!("software: claimwatch tests\r\nformat: WARC File Format 1.0\r\nfilename: {name}\r\n");
        self.record("warcinfo", "", "application/warc-fields", block.as_bytes());
    }

    /// A GET request and its response.
    fn exchange(&mut self, uri: &str, content_type: &str, body: &[u8]) {
        let u = url::Url::parse(uri).unwrap();
        let request =
            format!("GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: tests\r\n\r\n", u.path(), u.host_str().unwrap());
        self.record("request", uri, "application/http; msgtype=request", request.as_bytes());
        let mut http =
            format!("HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n", body.len())
                .into_bytes();
        http.extend_from_slice(body);
        self.record("response", uri, "application/http; msgtype=response", &http);
    }

    fn page(&mut self, uri: &str, paragraphs: &[&str]) {
        let body: String = paragraphs.iter().map(|p| format!("<p>{p}</p>\n")).collect();
        let html = format!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Offre</title></head><body><main>\n{body}</main></body></html>"
        );
        self.exchange(uri, "text/html; charset=utf-8", html.as_bytes());
    }

    fn revisit(&mut self, uri: &str) {
        self.record(
            "revisit",
            uri,
            "application/http; msgtype=response",
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n",
        );
    }
}

/// The test's crawl: three WARC files, four domains of invented vendors, one of them claiming nothing.
fn crawl() -> Vec<(String, Warc)> {
    let names: Vec<String> = (1..=3).map(|i| format!("CC-MAIN-20261003120000-20261003150000-{i:05}.warc.gz")).collect();
    let mut files: Vec<Warc> = (0..3).map(|_| Warc::default()).collect();
    for (w, n) in files.iter_mut().zip(&names) {
        w.warcinfo(n);
    }
    // A configured vendor whose provider holds the qualification.
    files[0].page(
        "https://www.nuvexa.example/offre",
        &["Notre offre IaaS est qualifiée SecNumCloud 3.2.", "Des serveurs en France."],
    );
    // A site with no label at all.
    files[0].page("https://www.calmevent.example/", &["Nous organisons des séminaires au bord du lac."]);
    // A configured vendor holding nothing, on two pages in two files.
    files[1].page(
        "https://www.brumalis.example/cloud",
        &["Notre cloud est qualifié SecNumCloud.", "Qu'est-ce que SecNumCloud ?"],
    );
    files[1].exchange(
        "https://www.nuvexa.example/logo.png",
        "image/png",
        b"\x89PNG\r\n\x1a\n SecNumCloud qualifie\x00\x01",
    );
    files[1].revisit("https://www.brumalis.example/cloud");
    files[2].page("https://www.brumalis.example/tarifs", &["Notre PaaS est en cours de qualification SecNumCloud."]);
    // A host that is not a configured vendor.
    files[2].page(
        "https://shop.solvane.example/",
        &["Notre offre IaaS est qualifiée SecNumCloud.", "Livraison en 48 heures."],
    );
    names.into_iter().zip(files).collect()
}

fn split_list(s: &str) -> BTreeSet<String> {
    s.split(';').filter(|x| !x.is_empty()).map(str::to_string).collect()
}

const LEVELS: [&str; 4] = ["ok", "unverified", "warning", "violation"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_spark_job_tabulates_claims_by_domain_with_pointers_that_re_read() {
    let Some(spark_submit) = spark_submit() else { return };
    let scratch = Scratch::new();
    let server = TestServer::start("127.0.0.1").await;
    let files = crawl();
    let mut paths = String::new();
    let mut rels = Vec::new();
    for (i, (name, warc)) in files.iter().enumerate() {
        let rel = format!("crawl-data/CC-MAIN-2026-40/segments/1759000000000.{i}/warc/{name}");
        let bytes = warc.bytes.clone();
        server.route(&format!("/{rel}"), move |hit, _| ranged(hit, &bytes));
        scratch.write(name, &warc.bytes);
        rels.push(rel.clone());
        // Common Crawl's lines are relative to the prefix; an absolute URL is taken as it is.
        if i == 2 {
            paths += &format!("{}/{rel}\n", server.base());
        } else {
            paths += &format!("{rel}\n");
        }
    }
    paths += "crawl-data/CC-MAIN-2026-40/segments/1759000000000.9/warc/missing.warc.gz\n";
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(paths.as_bytes()).unwrap();
    let paths_file = scratch.write("warc.paths.gz", gz.finish().unwrap());

    let vendors = [
        vendor_toml("nuvexa", "https://www.nuvexa.example/", "provider = \"Qualifié SA\""),
        vendor_toml("brumalis", "https://www.brumalis.example/", ""),
    ]
    .concat();
    // Relative paths, the repository's layout (`patterns = "../patterns"`): the job ships them.
    scratch.write("cfg/registry.toml", std::fs::read(fixture("registry.toml")).unwrap());
    copy_patterns(&scratch.path().join("patterns"));
    let config = scratch.write(
        "cfg/claimwatch.toml",
        format!("registry = \"registry.toml\"\npatterns = \"../patterns\"\n\n[crawl]\nallow_private_networks = true\n\n{vendors}"),
    );
    let out_dir = scratch.path().join("out");

    // What scan-warc itself says of the same files, read locally: the job must tabulate exactly this.
    let local: Vec<String> = files.iter().map(|(n, _)| scratch.path().join(n).display().to_string()).collect();
    let mut args = vec!["scan-warc", "--format", "json", "--config", config.to_str().unwrap()];
    args.extend(local.iter().map(String::as_str));
    let direct = claimwatch(&args);
    assert!(matches!(direct.status.code(), Some(0 | 1)), "scan-warc: {:?}\n{}", direct.status, stderr(&direct));
    let direct_claims = claims(&direct);

    let prefix = format!("{}/", server.base());
    let run = job(&spark_submit, &config, "--paths", &paths_file, &out_dir, &prefix).await;
    let (log, summary) = job_summary(&run);
    assert!(summary.contains("4 WARC files listed, 3 read"), "{summary}");
    let errors: u64 = summary.split("; ").find_map(|p| p.strip_suffix(" errors")?.parse().ok()).expect(&summary);
    assert!(errors >= 1, "the missing file is an error row, and the job goes on: {summary}");
    for dir in ["rows", "claims", "errors", "domains"] {
        assert!(out_dir.join(dir).join("_SUCCESS").exists(), "{dir}/ written:\n{log}");
    }
    let rows = domains_csv(&out_dir.join("domains.csv"));

    // What the files hold, by domain.
    let domains: BTreeSet<&str> = rows.keys().map(String::as_str).collect();
    assert_eq!(domains, BTreeSet::from(["brumalis.example", "nuvexa.example", "solvane.example"]), "{rows:#?}");
    assert_eq!(rows["brumalis.example"]["worst_verdict"], "violation", "a vendor holding nothing claims it");
    assert_eq!(rows["brumalis.example"]["pages"], "2", "two pages, the revisit adds none");
    assert_eq!(rows["brumalis.example"]["vendor"], "brumalis");
    assert_eq!(rows["brumalis.example"]["is_vendor"], "true");
    assert_eq!(rows["nuvexa.example"]["vendor"], "nuvexa");
    assert_eq!(rows["nuvexa.example"]["pages"], "1", "the image is not read");
    assert_eq!(rows["solvane.example"]["is_vendor"], "false");
    assert!(rows.values().all(|r| split_list(&r["labels"]).contains("secnumcloud")), "{rows:#?}");
    same_as_scan_warc(&rows, &direct_claims, &files);

    // Only some records, as the columnar URL index lists them: fetched with Range requests, the
    // rows point back at the original files.
    let mut index = String::from("url,warc_filename,warc_record_offset,warc_record_length\n");
    for ((_, warc), rel) in files.iter().zip(&rels) {
        for (offset, length, kind, uri) in &warc.records {
            if kind == "response" && (uri.contains("brumalis") || uri.contains("solvane")) {
                index += &format!("{uri},{rel},{offset},{length}\n");
            }
        }
    }
    let records_file = scratch.write("records.csv", index);
    let out_dir = scratch.path().join("out-records");
    let run = job(&spark_submit, &config, "--records", &records_file, &out_dir, &prefix).await;
    let (_, summary) = job_summary(&run);
    assert!(summary.contains("2 WARC files listed, 2 read") && summary.contains("; 0 errors"), "{summary}");
    let rows = domains_csv(&out_dir.join("domains.csv"));
    let domains: BTreeSet<&str> = rows.keys().map(String::as_str).collect();
    assert_eq!(domains, BTreeSet::from(["brumalis.example", "solvane.example"]), "{rows:#?}");
    same_as_scan_warc(&rows, &direct_claims, &files);
}

/// Runs the job on a local master with the real binary; `input` is `--paths` or `--records`.
async fn job(spark_submit: &Path, config: &Path, input: &str, list: &Path, out: &Path, prefix: &str) -> Output {
    let mut cmd = Command::new(spark_submit);
    cmd.env("PATH", path_with(spark_submit))
        .env("SPARK_LOCAL_IP", "127.0.0.1")
        .args(["--master", "local[2]", "--conf", "spark.ui.enabled=false", "--conf", "spark.sql.shuffle.partitions=2"])
        .arg(root().join("deploy/spark/claimwatch_job.py"))
        .args(["--binary", env!("CARGO_BIN_EXE_claimwatch")])
        .arg("--config")
        .arg(config)
        .arg(input)
        .arg(list)
        .arg("--out")
        .arg(out)
        .args(["--prefix", prefix])
        .current_dir(root());
    tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap()
}

/// The run's whole output, and the job's summary line; panics when the job failed.
fn job_summary(run: &Output) -> (String, String) {
    let log = format!("{}\n{}", stdout(run), stderr(run));
    assert!(run.status.success(), "spark-submit failed: {:?}\n{log}", run.status);
    let summary = stdout(run).lines().find(|l| l.contains("WARC files listed")).map(str::to_string);
    let summary = summary.unwrap_or_else(|| panic!("no summary line:\n{log}"));
    (log, summary)
}

/// domains.csv: one file, a header, one row per domain with claims; its rows by domain.
fn domains_csv(path: &Path) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    for col in [
        "domain",
        "vendor",
        "provider",
        "worst_verdict",
        "labels",
        "kinds",
        "claims",
        "pages",
        "sample_quote",
        "sample_url",
        "sample_warc_file",
        "sample_warc_offset",
        "sample_warc_length",
        "is_vendor",
        "is_registry_provider",
    ] {
        assert!(header.iter().any(|h| h == col), "column {col} in {header:?}");
    }
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let row: BTreeMap<String, String> = header.iter().cloned().zip(r.iter().map(str::to_string)).collect();
            (row["domain"].clone(), row)
        })
        .collect()
}

/// Each domain's row is exactly what scan-warc reports of these files, aggregated, and its sample
/// pointer re-reads, with one fresh gzip decoder on that byte range, to the response it quotes.
fn same_as_scan_warc(
    rows: &BTreeMap<String, BTreeMap<String, String>>,
    direct_claims: &[Value],
    files: &[(String, Warc)],
) {
    let tags = regex::Regex::new(r"<[^>]*>").unwrap();
    for (domain, row) in rows {
        let mine: Vec<&Value> = direct_claims.iter().filter(|c| c["domain"] == domain.as_str()).collect();
        assert_eq!(row["claims"], mine.len().to_string(), "{domain}");
        let set =
            |f: &str| -> BTreeSet<String> { mine.iter().filter_map(|c| c[f].as_str().map(str::to_string)).collect() };
        assert_eq!(split_list(&row["labels"]), set("label"), "{domain}");
        assert_eq!(split_list(&row["kinds"]), set("kind"), "{domain}");
        assert_eq!(row["pages"], set("url").len().to_string(), "{domain}");
        assert_eq!(split_list(&row["vendor"]), set("vendor"), "{domain}");
        assert_eq!(split_list(&row["provider"]), set("provider"), "{domain}");
        assert_eq!(row["is_registry_provider"], (!set("provider").is_empty()).to_string(), "{domain}");
        let worst = mine.iter().filter_map(|c| LEVELS.iter().position(|l| c["level"] == *l)).max().map(|i| LEVELS[i]);
        assert_eq!(Some(row["worst_verdict"].as_str()), worst, "{domain}");
        assert!(
            mine.iter().any(|c| c["context"] == row["sample_quote"].as_str() && c["url"] == row["sample_url"].as_str()),
            "{domain}: the sample is one of its claims: {row:?}"
        );

        let (_, warc) = files.iter().find(|(n, _)| *n == row["sample_warc_file"]).expect("a file of the crawl");
        let (offset, length): (u64, u64) =
            (row["sample_warc_offset"].parse().unwrap(), row["sample_warc_length"].parse().unwrap());
        assert!(warc.records.iter().any(|r| (r.0, r.1) == (offset, length)), "{domain}: a record's bounds: {row:?}");
        let mut record = String::new();
        GzDecoder::new(&warc.bytes[offset as usize..(offset + length) as usize]).read_to_string(&mut record).unwrap();
        assert!(record.starts_with("WARC/1.0\r\n") && record.contains("WARC-Type: response\r\n"), "{record}");
        let uri = record.lines().find_map(|l| l.strip_prefix("WARC-Target-URI: ")).unwrap();
        assert_eq!(uri, row["sample_url"]);
        assert!(url::Url::parse(uri).unwrap().host_str().unwrap().ends_with(domain.as_str()), "{uri}");
        // The quote is the page's text: the record's, tags left out and white space folded.
        let text = tags.replace_all(&record, " ");
        let fold = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let quote_start: String = fold(&row["sample_quote"]).chars().take(15).collect();
        assert!(fold(&text).contains(quote_start.trim()), "{quote_start:?} in {record}");
    }
}

/// The file, or the one range a `Range: bytes=a-b` header asks for (206), as a WARC server does.
fn ranged(hit: &Hit, bytes: &[u8]) -> axum::http::Response<axum::body::Body> {
    let range = hit.headers.get("range").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("bytes="));
    let Some((a, b)) = range.and_then(|r| r.split_once('-')) else {
        return response(200, &[("content-type", "application/warc")], bytes.to_vec());
    };
    let (a, b): (usize, usize) = (a.parse().unwrap(), b.parse().unwrap());
    let content_range = format!("bytes {a}-{b}/{}", bytes.len());
    response(206, &[("content-type", "application/warc"), ("content-range", &content_range)], bytes[a..=b].to_vec())
}
