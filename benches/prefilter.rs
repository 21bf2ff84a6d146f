//! Benchmark: the prefilter's throughput in MB/s on one core, over generated label-free pages
//! (prose, navigation, inline minified scripts and styles holding "HDS" inside words, base64
//! images, JSON-LD), and the share of them it skips.
//!
//! Run with `cargo bench --bench prefilter`.

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use claimwatch::patterns::load_dir;
use claimwatch::prefilter::Prefilter;

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
    "offre",
    "sécurité",
    "hébergement",
    "Nuvexa",
    "Brumaire",
    "infrastructure",
    "souverain",
    "client",
    "service",
    "réseau",
    "stockage",
    "the",
    "and",
    "platform",
];

const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn page(rng: &mut Rng) -> String {
    let mut p = String::from("<!doctype html><html lang=fr><head><meta charset=utf-8><title>Nuvexa</title>");
    p.push_str("<meta name=description content=\"Un cloud souverain pour vos données\">");
    p.push_str("<style>");
    for _ in 0..40 {
        p.push_str(&format!(".c{}{{margin:{}px;color:#HDS{:x}}}", rng.below(999), rng.below(40), rng.below(4096)));
    }
    p.push_str("</style><script>");
    for _ in 0..60 {
        p.push_str(&format!(
            "!function(e,t){{var n{0}=e.xHDS{0}||t.HDSq;return n{0}&&n{0}.call(e,\"aHDSb\")}}(window,document);",
            rng.below(1000)
        ));
    }
    p.push_str("</script></head><body><header><nav>");
    for _ in 0..12 {
        p.push_str(&format!("<a href=\"/p/{}\" class=\"nav-link\">{}</a>", rng.below(100), rng.pick(WORDS)));
    }
    p.push_str("</nav></header><main>");
    for _ in 0..30 {
        p.push_str("<p class=\"text-body\">");
        for _ in 0..40 {
            p.push_str(rng.pick(WORDS));
            p.push(' ');
        }
        p.push_str("</p>\n");
        if rng.below(6) == 0 {
            p.push_str("<img alt=\"illustration\" src=\"data:image/png;base64,");
            for _ in 0..3000 {
                p.push(B64[rng.below(64)] as char);
            }
            p.push_str("\">");
        }
    }
    p.push_str("<table><tr><th>Offre</th><th>Prix</th></tr><tr><td>S</td><td>10 €</td></tr></table>");
    p.push_str("<svg viewBox=\"0 0 8 8\"><title>icône</title><path d=\"M0 0h8v8z\"/></svg>");
    p.push_str("<script type=\"application/ld+json\">{\"@type\":\"Organization\",\"name\":\"Nuvexa\"}</script>");
    p.push_str("</main><footer>© 2025 Nuvexa</footer></body></html>");
    p
}

fn main() {
    let patterns = load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("patterns")).expect("shipped patterns");
    let prefilter = Prefilter::new(&patterns);
    let mut rng = Rng(0x5eed_cafe);
    let pages: Vec<String> = (0..400).map(|_| page(&mut rng)).collect();
    let bytes: usize = pages.iter().map(String::len).sum();
    let mut best = f64::MAX;
    let mut kept = 0;
    for _ in 0..5 {
        let start = Instant::now();
        kept = pages.iter().filter(|p| black_box(prefilter.may_hold(p.as_bytes(), Some("text/html")))).count();
        best = best.min(start.elapsed().as_secs_f64());
    }
    println!(
        "prefilter: {:.1} MB in {} pages, {:.0} MB/s (best of 5), {} of {} label-free pages let through",
        bytes as f64 / 1e6,
        pages.len(),
        bytes as f64 / 1e6 / best,
        kept,
        pages.len()
    );
    // The same bytes without scripts and styles to skip: prose, tags and base64 only.
    let walked: Vec<String> = pages
        .iter()
        .map(|p| {
            let body = p.split("<body>").nth(1).unwrap_or("");
            format!("<!doctype html><meta charset=utf-8><body>{body}")
        })
        .collect();
    let wbytes: usize = walked.iter().map(String::len).sum();
    let mut best = f64::MAX;
    for _ in 0..5 {
        let start = Instant::now();
        for p in &walked {
            black_box(prefilter.may_hold(p.as_bytes(), Some("text/html")));
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    println!("prefilter, body text only: {:.0} MB/s", wbytes as f64 / 1e6 / best);
}
