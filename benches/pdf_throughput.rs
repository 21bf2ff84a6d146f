//! Benchmark: PDF text extraction throughput, in documents/s, pages/s and MB/s of PDF, of
//! `extract_pdf` in process and of `extract_in_child` (the sandboxed child, spawn included).
//!
//! Run with `cargo bench --bench pdf_throughput`. The corpus is generated (deterministic, seeded)
//! by the tests' PDF writer: 200 brochures of 2–12 pages of about 40 lines each, in the three
//! test fonts (WinAnsi Helvetica, the same with a ligature, an Identity-H font with a ToUnicode
//! map), lines shown whole, word by word and kerned, some words hyphenated at line ends, a few
//! claims, and document info. In-process figures are the best of three passes.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use claimwatch::pdf::{ChildLimits, extract_in_child, extract_pdf};

#[allow(dead_code)]
#[path = "../tests/common/pdf.rs"]
mod pdf;

use pdf::{Face, Page};

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
    "souveraineté",
    "entreprise",
    "service",
    "offre",
    "client",
    "contrat",
    "région",
    "disponibilité",
    "sauvegarde",
    "réseau",
    "stockage",
    "calcul",
    "conformité",
    "certification",
    "qualification",
    "support",
    "tarif",
    "mensuel",
    "Nuvexa",
    "plateforme",
    "chiffrement",
    "accès",
    "journalisation",
    "supervision",
    "incident",
    "réversibilité",
    "et",
    "pour",
    "avec",
    "dans",
    "sur",
    "par",
    "une",
    "un",
    "nos",
    "vos",
];

const CLAIMS: &[&str] = &[
    "Nuvexa Cloud est qualifié SecNumCloud.",
    "L'offre Nuvexa Santé est certifiée HDS.",
    "Nuvexa est en cours de qualification SecNumCloud.",
    "Nos centres de données sont certiﬁés ISO 27001.",
];

fn sentence(rng: &mut Rng, words: usize) -> String {
    (0..words).map(|_| rng.pick(WORDS)).collect::<Vec<_>>().join(" ")
}

fn brochure(rng: &mut Rng, n: usize) -> Vec<u8> {
    let mut pages = Vec::new();
    for _ in 0..2 + rng.below(11) {
        let mut page = Page::new().line(Face::WinAnsi, 20.0, 72.0, 790.0, "Nuvexa Cloud");
        let mut y = 760.0;
        while y > 60.0 {
            let face = [Face::WinAnsi, Face::WinAnsiFi, Face::Cid][rng.below(3)];
            let text = match rng.below(12) {
                0 => CLAIMS[rng.below(CLAIMS.len())].replace('ﬁ', if face == Face::WinAnsi { "fi" } else { "ﬁ" }),
                1 => {
                    // A word hyphenated at the line end.
                    page = page.line(face, 10.0, 72.0, y, &format!("{} quali-", sentence(rng, 6)));
                    y -= 13.0;
                    format!("fié {}", sentence(rng, 7))
                }
                _ => {
                    let words = 8 + rng.below(6);
                    sentence(rng, words)
                }
            };
            page = match rng.below(3) {
                0 => page.line(face, 10.0, 72.0, y, &text),
                1 => page.words(face, 10.0, 72.0, y, &text),
                _ => page.kerned(face, 10.0, 72.0, y, &text),
            };
            y -= 13.0;
        }
        pages.push(page);
    }
    let title = format!("Nuvexa Cloud — fiche produit {n}");
    pdf::document(&pages, &[("Title", &title), ("Subject", "Offre cloud"), ("Keywords", "cloud, SecNumCloud, HDS")])
}

fn main() {
    let mut rng = Rng(0x5EC0_C10D);
    let corpus: Vec<Vec<u8>> = (0..200).map(|n| brochure(&mut rng, n)).collect();
    let bytes: usize = corpus.iter().map(Vec::len).sum();
    let mb = bytes as f64 / 1e6;
    let pages: usize = corpus.iter().map(|d| extract_pdf(d).expect("a generated brochure reads").pages.len()).sum();
    println!("corpus: {} documents, {pages} pages, {mb:.2} MB of PDF", corpus.len());

    let mut best = Duration::MAX;
    for _ in 0..3 {
        let start = Instant::now();
        for doc in &corpus {
            black_box(extract_pdf(black_box(doc)).unwrap());
        }
        best = best.min(start.elapsed());
    }
    let secs = best.as_secs_f64();
    println!(
        "extract_pdf (in process): {:.0} documents/s, {:.0} pages/s, {:.1} MB/s ({:.1} ms a document)",
        corpus.len() as f64 / secs,
        pages as f64 / secs,
        mb / secs,
        secs * 1e3 / corpus.len() as f64
    );

    let exe = Path::new(env!("CARGO_BIN_EXE_claimwatch"));
    let sample = &corpus[..50];
    let sample_mb = sample.iter().map(Vec::len).sum::<usize>() as f64 / 1e6;
    let start = Instant::now();
    for doc in sample {
        black_box(extract_in_child(exe, doc, &ChildLimits::default()).unwrap());
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "extract_in_child (spawn, limits, JSON): {:.0} documents/s, {:.1} MB/s ({:.1} ms a document, {} documents)",
        sample.len() as f64 / secs,
        sample_mb / secs,
        secs * 1e3 / sample.len() as f64,
        sample.len()
    );
}
