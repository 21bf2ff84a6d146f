//! Benchmark: `claimwatch scan-warc` on a generated Common-Crawl-like WARC file, beside `zcat` on the same file (the decompression floor) and a Python loop over its records with warcio (what a cc-pyspark job pays per record before any HTML work), and FastWARC when it is installed — all on one core.
//!
//! Run with `cargo bench --bench warc_throughput` (`CLAIMWATCH_WARC_MB=300` for a smaller file).
//! The file is generated once (deterministic, seeded) under `target/bench-data/`: gzip per record
//! as Common Crawl writes it, request / response / metadata triplets, at least 1 GB uncompressed
//! by default, realistic pages of 10–120 KB (navigation, minified scripts whose identifiers hold
//! "HDS", base64 images, prose), some non-HTML responses, and about 1 % of the HTML pages
//! carrying a label. Figures are MB/s of uncompressed WARC, each tool pinned to one core with
//! `taskset` when it is there.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use flate2::Compression;
use flate2::write::GzEncoder;

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

const WORDS: &[&str] = &[
    "le",
    "la",
    "les",
    "des",
    "données",
    "cloud",
    "sécurité",
    "hébergement",
    "infrastructure",
    "entreprise",
    "clients",
    "service",
    "offre",
    "réseau",
    "stockage",
    "serveurs",
    "disponibilité",
    "performance",
    "migration",
    "chiffrement",
    "sauvegarde",
    "région",
    "Paris",
    "France",
    "européen",
    "équipe",
    "support",
    "contrat",
    "public",
    "opéré",
    "géré",
    "haute",
    "latence",
    "facturation",
    "à",
    "pour",
    "avec",
    "dans",
    "sur",
    "et",
    "ou",
    "the",
    "data",
    "platform",
    "customers",
    "secure",
    "storage",
    "network",
    "pricing",
    "region",
    "team",
    "open",
    "source",
];

/// Label sentences, ~1 % of pages (invented vendors and wording).
const CLAIMS: &[&str] = &[
    "Notre plateforme Brumaire est qualifiée SecNumCloud depuis cette année.",
    "L’offre Nuvexa Santé est certifiée HDS pour l’hébergement des données de santé.",
    "Nous proposons un cloud de confiance opéré en France.",
    "Le service est en cours de qualification SecNumCloud auprès de l’agence.",
    "Our Nuvexa Sovereign region is SecNumCloud qualified.",
];

fn words(r: &mut Rng, n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(r.pick(WORDS));
    }
    s
}

fn base64ish(r: &mut Rng, n: usize) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    (0..n).map(|_| A[r.below(64)] as char).collect()
}

/// A minified script: identifiers that hold "HDS" or "hds" with no word boundary around them.
fn script(r: &mut Rng, n: usize) -> String {
    let mut s = String::from("!function(e){");
    while s.len() < n {
        let id = r.below(1000);
        s.push_str(&match r.below(5) {
            0 => format!("var aHDSx{id}=e.hdsCfg{id}||{{}};"),
            1 => format!("e.on(\"load\",function(){{return t{id}.uHDSv}});"),
            2 => format!("if(n{id}>{id}){{o.push(\"{}\")}}", base64ish(r, 24)),
            _ => format!("function q{id}(t){{return t&&t.k{id}}};"),
        });
    }
    s.push_str("}(window);");
    s
}

fn page(r: &mut Rng, host: &str, claim: Option<&str>) -> String {
    let target = 10_000 + r.below(110_000);
    let mut h = String::with_capacity(target + 4096);
    h.push_str("<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\">");
    h.push_str(&format!("<title>{} — {host}</title>", words(r, 5)));
    h.push_str(&format!("<meta name=\"description\" content=\"{}\">", words(r, 18)));
    h.push_str("<style>body{margin:0;font-family:sans-serif}.nav a{padding:4px}.card{border:1px solid #ddd}</style>");
    let n = 2_000 + r.below(6_000);
    h.push_str(&format!("<script>{}</script></head><body>", script(r, n)));
    h.push_str("<nav class=\"nav\">");
    for i in 0..12 {
        h.push_str(&format!("<a href=\"/{}/{i}\">{}</a>", words(r, 1), words(r, 2)));
    }
    h.push_str("</nav><main>");
    let claim_at = r.below(8);
    let mut i = 0;
    while h.len() < target {
        match r.below(6) {
            // Inline images are the exception on real pages, and do not compress.
            0 if r.below(8) == 0 => {
                let n = 400 + r.below(2_000);
                h.push_str(&format!("<img alt=\"{}\" src=\"data:image/png;base64,{}\">", words(r, 3), base64ish(r, n)))
            }
            0 => {
                let n = r.below(100_000);
                h.push_str(&format!("<img alt=\"{}\" src=\"/media/{n}.webp\" loading=\"lazy\">", words(r, 3)))
            }
            1 => h.push_str(&format!(
                "<ul>{}</ul>",
                (0..5).map(|_| format!("<li>{}</li>", words(r, 6))).collect::<String>()
            )),
            2 => h.push_str(&format!("<div class=\"card\"><h3>{}</h3><p>{}</p></div>", words(r, 3), words(r, 30))),
            _ => {
                let n = 40 + r.below(60);
                h.push_str(&format!("<p>{}.</p>", words(r, n)))
            }
        }
        if i == claim_at
            && let Some(c) = claim
        {
            h.push_str(&format!("<p>{c}</p>"));
        }
        i += 1;
    }
    h.push_str(&format!("</main><footer>{}</footer><script>{}</script></body></html>", words(r, 8), script(r, 1_500)));
    h
}

/// One WARC record as its own gzip member.
fn member(
    out: &mut impl Write,
    kind: &str,
    uri: &str,
    date: &str,
    content_type: &str,
    block: &[u8],
) -> std::io::Result<usize> {
    let id = format!("<urn:uuid:{:032x}>", fastrand_u128(uri, kind));
    let head = format!(
        "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Date: {date}\r\nWARC-Record-ID: {id}\r\nWARC-Target-URI: {uri}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        block.len()
    );
    let mut gz = GzEncoder::new(Vec::with_capacity(block.len() / 3), Compression::new(6));
    gz.write_all(head.as_bytes())?;
    gz.write_all(block)?;
    gz.write_all(b"\r\n\r\n")?;
    out.write_all(&gz.finish()?)?;
    Ok(head.len() + block.len() + 4)
}

fn fastrand_u128(a: &str, b: &str) -> u128 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (a, b).hash(&mut h);
    let x = h.finish() as u128;
    (x << 64) | (x.rotate_left(17) ^ 0x9e37_79b9_7f4a_7c15)
}

/// Writes the file; returns its uncompressed size and how many HTML pages carry a label.
fn generate(path: &Path, target_mb: usize) -> std::io::Result<(u64, usize, usize)> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut r = Rng(20261201);
    let mut total = 0u64;
    let (mut pages, mut claiming) = (0usize, 0usize);
    total += member(
        &mut out,
        "warcinfo",
        "",
        "2026-10-01T00:00:00Z",
        "application/warc-fields",
        b"software: claimwatch bench\r\nformat: WARC File Format 1.0\r\n",
    )? as u64;
    let mut n = 0u64;
    while total < (target_mb as u64) << 20 {
        n += 1;
        let host = format!("www.site{}.example", r.below(40_000));
        let uri = format!("https://{host}/{}/{n}", r.pick(WORDS));
        let date = format!("2026-10-{:02}T{:02}:{:02}:{:02}Z", 1 + r.below(28), r.below(24), r.below(60), r.below(60));
        let request =
            format!("GET /{n} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: CCBot/2.0\r\nAccept: text/html\r\n\r\n");
        total +=
            member(&mut out, "request", &uri, &date, "application/http; msgtype=request", request.as_bytes())? as u64;
        let (content_type, body) = if r.below(12) == 0 {
            // An image: bytes that are not HTML.
            let n = 8_000 + r.below(30_000);
            ("image/jpeg", base64ish(&mut r, n).into_bytes())
        } else {
            pages += 1;
            let claim = if r.below(100) == 0 { Some(r.pick(CLAIMS)) } else { None };
            claiming += usize::from(claim.is_some());
            ("text/html; charset=utf-8", page(&mut r, &host, claim).into_bytes())
        };
        let mut response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nX-Crawler-Content-Encoding: gzip\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        response.extend_from_slice(&body);
        total += member(&mut out, "response", &uri, &date, "application/http; msgtype=response", &response)? as u64;
        let metadata = format!("fetchTimeMs: {}\r\ncharset-detected: UTF-8\r\n", 50 + r.below(900));
        total += member(&mut out, "metadata", &uri, &date, "application/warc-fields", metadata.as_bytes())? as u64;
    }
    out.flush()?;
    Ok((total, pages, claiming))
}

/// Runs `cmd` pinned to core 0 (when taskset exists); wall-clock seconds and its stdout.
fn timed(mut cmd: Command) -> Option<(f64, Vec<u8>)> {
    let start = Instant::now();
    let out = cmd.stderr(Stdio::inherit()).output().ok()?;
    let secs = start.elapsed().as_secs_f64();
    (out.status.success() || out.status.code() == Some(1)).then_some((secs, out.stdout))
}

fn pinned(program: &str) -> Command {
    if Command::new("taskset").arg("--version").output().is_ok() {
        let mut c = Command::new("taskset");
        c.args(["-c", "0", program]);
        c
    } else {
        Command::new(program)
    }
}

fn python_loop(module: &str) -> String {
    match module {
        "warcio" => "import sys\nfrom warcio.archiveiterator import ArchiveIterator\nn=0\nwith open(sys.argv[1],'rb') as f:\n    for rec in ArchiveIterator(f):\n        if rec.rec_type=='response':\n            n+=len(rec.content_stream().read())\nprint(n)\n".into(),
        _ => "import sys\nfrom fastwarc.warc import ArchiveIterator, WarcRecordType\nn=0\nwith open(sys.argv[1],'rb') as f:\n    for rec in ArchiveIterator(f, record_types=WarcRecordType.response):\n        n+=len(rec.reader.read())\nprint(n)\n".into(),
    }
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("target").join("bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let target_mb: usize = std::env::var("CLAIMWATCH_WARC_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(1100);
    // The generator's version is in the name: a changed generator makes a new file.
    let file = dir.join(format!("cc-like-v2-{target_mb}mb.warc.gz"));
    let meta = dir.join(format!("cc-like-v2-{target_mb}mb.txt"));
    let (raw, pages, claiming) = match std::fs::read_to_string(&meta).ok().and_then(|m| {
        let v: Vec<u64> = m.split_whitespace().filter_map(|x| x.parse().ok()).collect();
        (v.len() == 3 && file.exists()).then(|| (v[0], v[1] as usize, v[2] as usize))
    }) {
        Some(known) => known,
        None => {
            eprintln!("generating {} (once)…", file.display());
            let made = generate(&file, target_mb).unwrap();
            std::fs::write(&meta, format!("{} {} {}", made.0, made.1, made.2)).unwrap();
            made
        }
    };
    let compressed = std::fs::metadata(&file).unwrap().len();
    let mb = raw as f64 / 1e6;
    println!(
        "file: {} — {:.0} MB uncompressed, {:.0} MB gzip per record, {pages} HTML pages, {claiming} carrying a label",
        file.display(),
        mb,
        compressed as f64 / 1e6
    );

    let config = dir.join("scan-warc.toml");
    std::fs::write(
        &config,
        format!(
            "registry = \"{}\"\npatterns = \"{}\"\n",
            root.join("config/registry.toml").display(),
            root.join("patterns").display()
        ),
    )
    .unwrap();
    let mut results: Vec<(&str, f64)> = Vec::new();
    let mut zcat = pinned("zcat");
    zcat.arg(&file).stdout(Stdio::null());
    if let Some((s, _)) = timed(zcat) {
        results.push(("zcat", mb / s));
    }
    let mut scan = pinned(env!("CARGO_BIN_EXE_claimwatch"));
    scan.args(["scan-warc", "--config"]).arg(&config).arg(&file);
    if let Some((s, out)) = timed(scan) {
        results.push(("claimwatch scan-warc", mb / s));
        let text = String::from_utf8_lossy(&out);
        let claims = text.lines().filter(|l| l.starts_with("{\"type\":\"claim\"")).count();
        if let Some(summary) = text.lines().rev().find(|l| l.contains("\"type\":\"summary\"")) {
            println!("scan-warc: {claims} claims; {summary}");
        }
    }
    for module in ["warcio", "fastwarc"] {
        let available = Command::new("python3")
            .args(["-c", &format!("import {module}")])
            .output()
            .is_ok_and(|o| o.status.success());
        if !available {
            println!("{module}: not installed (pip install {module}), not measured");
            continue;
        }
        let mut py = pinned("python3");
        py.args(["-c", &python_loop(module)]).arg(&file).stdout(Stdio::piped());
        if let Some((s, _)) = timed(py) {
            results.push((if module == "warcio" { "python warcio loop" } else { "python FastWARC loop" }, mb / s));
        }
    }
    println!("\n| reader (one core) | MB/s of uncompressed WARC | × zcat |");
    println!("|---|---|---|");
    let floor = results.iter().find(|r| r.0 == "zcat").map(|r| r.1);
    for (name, rate) in &results {
        let ratio = floor.map_or_else(|| "—".to_string(), |z| format!("{:.2}", rate / z));
        println!("| {name} | {rate:.1} | {ratio} |");
    }
}
