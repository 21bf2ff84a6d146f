//! Benchmark: `scan` throughput (decode + parse + extract + detect + judge) in MB/s of HTML, beside `scraper` parsing the same pages alone.
//!
//! Run with `cargo bench --bench scan_throughput`. The corpus is generated (deterministic, about
//! 24 MB of realistic vendor pages: navigation, inline scripts and styles, prose, tables, badges,
//! JSON-LD, some label claims). Goal: extract + detect + judge add at most a third to the cost of
//! parsing alone.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use claimwatch::config::Vendor;
use claimwatch::patterns;
use claimwatch::registry::Registry;
use claimwatch::scan::scan_bytes;

/// A small deterministic generator (xorshift64*), so every run scans the same corpus.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

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
    "clients",
    "service",
    "offre",
    "réseau",
    "stockage",
    "serveurs",
    "disponibilité",
    "performance",
    "migration",
    "conformité",
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
    "privé",
    "opéré",
    "géré",
    "haute",
    "résilience",
    "latence",
    "facturation",
    "à",
    "pour",
    "avec",
    "dans",
    "sur",
    "et",
    "ou",
    "notre",
    "vos",
    "nous",
    "vous",
    "est",
    "sont",
    "permet",
    "garantit",
    "propose",
    "accompagne",
    "the",
    "data",
    "platform",
    "secure",
    "managed",
    "hosting",
    "customers",
];

const CLAIMS: &[&str] = &[
    "Notre offre IaaS est qualifiée SecNumCloud 3.2 par l'ANSSI.",
    "Hébergement certifié HDS pour vos données de santé.",
    "Qu'est-ce que SecNumCloud ? Un référentiel publié par l'ANSSI.",
    "Une plateforme SecNumCloud-ready pour vos projets.",
    "Notre offre est en cours de qualification SecNumCloud.",
    "Cloud. De confiance.",
    "Les administrations doivent recourir à un cloud de confiance.",
];

fn sentence(rng: &mut Rng, out: &mut String) {
    let n = 8 + rng.below(18);
    for i in 0..n {
        let w = rng.pick(WORDS);
        if i == 0 {
            let mut c = w.chars();
            if let Some(f) = c.next() {
                out.extend(f.to_uppercase());
                out.push_str(c.as_str());
            }
        } else {
            out.push(' ');
            if rng.below(12) == 0 {
                out.push_str("<strong>");
                out.push_str(w);
                out.push_str("</strong>");
            } else {
                out.push_str(w);
            }
        }
    }
    out.push_str(". ");
}

const CLASSES: &[&str] = &[
    "flex items-center justify-between gap-4 px-4 py-2",
    "text-sm font-medium text-gray-700 hover:text-blue-600 transition-colors",
    "grid grid-cols-1 md:grid-cols-3 gap-8 max-w-7xl mx-auto",
    "rounded-2xl border border-gray-200 bg-white p-6 shadow-sm",
    "mt-4 text-base leading-7 text-gray-600",
    "inline-flex items-center rounded-md bg-blue-600 px-3.5 py-2.5 text-white",
];

/// An inline SVG icon, as modern sites repeat them everywhere.
fn svg(rng: &mut Rng, out: &mut String) {
    out.push_str("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 24 24\" fill=\"none\" stroke=\"currentColor\" class=\"h-6 w-6\" aria-hidden=\"true\"><path stroke-linecap=\"round\" stroke-linejoin=\"round\" d=\"M");
    for _ in 0..(20 + rng.below(40)) {
        out.push_str(&format!("{}.{} {}.{} ", rng.below(24), rng.below(100), rng.below(24), rng.below(100)));
        out.push(*b"LCMQ".get(rng.below(4)).map(|&b| b as char).as_ref().unwrap_or(&'L'));
    }
    out.push_str("Z\"/></svg>");
}

fn open_div(rng: &mut Rng, out: &mut String) {
    out.push_str(&format!("<div class=\"{}\" data-component=\"c{}\">", rng.pick(CLASSES), rng.below(500)));
}

/// One vendor page shaped like today's marketing sites (150–250 KB, about an eighth of it
/// visible text): a mega-menu, inline SVG icons, utility CSS classes, feature cards, a table, an
/// FAQ, a footer, and the framework's JSON hydration blob.
fn page(rng: &mut Rng, index: usize) -> String {
    let mut p = String::with_capacity(250_000);
    p.push_str("<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\">");
    p.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    p.push_str(&format!("<title>Offre {index} | Exemple Cloud</title>"));
    p.push_str("<meta name=\"description\" content=\"Hébergement cloud souverain opéré en France.\">");
    p.push_str("<meta property=\"og:title\" content=\"Exemple Cloud\"><link rel=\"canonical\" href=\"https://www.example.fr/\">");
    for lang in ["fr", "en", "de", "es", "it", "nl", "pl", "pt"] {
        p.push_str(&format!(
            "<link rel=\"alternate\" hreflang=\"{lang}\" href=\"https://www.example.fr/{lang}/offre-{index}\">"
        ));
    }
    for i in 0..8 {
        p.push_str(&format!(
            "<link rel=\"preload\" as=\"script\" href=\"/_next/static/chunks/{i}-{:x}.js\">",
            rng.next()
        ));
    }
    p.push_str("<style>");
    for i in 0..120 {
        p.push_str(&format!(".c{i}{{margin:{i}px;padding:0 {i}px;color:#{:06x}}}\n", rng.next() & 0xFFFFFF));
    }
    p.push_str("</style><script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':new Date().getTime(),event:'gtm.js'});})(window,document,'script','dataLayer','GTM-XXXX');</script>");
    p.push_str("<script type=\"application/ld+json\">{\"@context\":\"https://schema.org\",\"@type\":\"Organization\",\"name\":\"Exemple Cloud\",\"description\":\"Fournisseur de cloud\"}</script>");
    p.push_str("</head><body><header>");
    open_div(rng, &mut p);
    p.push_str("<nav aria-label=\"Menu principal\"><ul>");
    for i in 0..120 {
        p.push_str(&format!(
            "<li class=\"{}\"><a href=\"/produits/{i}\" class=\"{}\">",
            rng.pick(CLASSES),
            rng.pick(CLASSES)
        ));
        if i % 6 == 0 {
            svg(rng, &mut p);
        }
        p.push_str(&format!("<span>Produit {i}</span></a></li>"));
    }
    p.push_str("</ul></nav></div></header><main>");
    p.push_str("<section class=\"hero\"><h1>Le cloud pour vos données</h1><p>");
    sentence(rng, &mut p);
    p.push_str("</p></section><article>");
    for _ in 0..(4 + rng.below(4)) {
        p.push_str("<p>");
        for _ in 0..(3 + rng.below(4)) {
            sentence(rng, &mut p);
        }
        p.push_str("</p>");
    }
    p.push_str("</article>");
    let cards = 8 + rng.below(8);
    for s in 0..cards {
        open_div(rng, &mut p);
        open_div(rng, &mut p);
        svg(rng, &mut p);
        p.push_str(&format!(
            "<h3 class=\"{}\">Fonction {s}</h3><p class=\"{}\">",
            rng.pick(CLASSES),
            rng.pick(CLASSES)
        ));
        for _ in 0..(2 + rng.below(3)) {
            sentence(rng, &mut p);
        }
        if rng.below(8) == 0 {
            p.push_str(rng.pick(CLAIMS));
        }
        p.push_str(&format!("</p><a href=\"/fonction/{s}\" class=\"{}\">En savoir plus", rng.pick(CLASSES)));
        svg(rng, &mut p);
        p.push_str("</a></div></div>");
    }
    p.push_str("<table><tr><th>Critère</th><th>Valeur</th></tr>");
    for r in 0..8 {
        p.push_str(&format!("<tr><td>Option {r}</td><td>{}</td></tr>", rng.below(1000)));
    }
    p.push_str("</table><section aria-label=\"FAQ\">");
    for q in 0..6 {
        p.push_str(&format!("<details class=\"{}\"><summary>Question {q} ?</summary><div><p>", rng.pick(CLASSES)));
        sentence(rng, &mut p);
        sentence(rng, &mut p);
        p.push_str("</p></div></details>");
    }
    p.push_str("</section><ul class=\"logos\">");
    for l in 0..12 {
        p.push_str(&format!(
            "<li><img src=\"/logos/{l}.svg\" alt=\"Client {l}\" width=\"120\" height=\"40\" loading=\"lazy\"></li>"
        ));
    }
    p.push_str("</ul></main><footer>");
    for col in 0..4 {
        open_div(rng, &mut p);
        p.push_str(&format!("<h4>Rubrique {col}</h4><ul>"));
        for l in 0..10 {
            p.push_str(&format!("<li><a href=\"/f/{col}/{l}\" class=\"{}\">Lien {l}</a></li>", rng.pick(CLASSES)));
        }
        p.push_str("</ul></div>");
    }
    p.push_str("<p>© Exemple Cloud — ");
    if rng.below(3) == 0 {
        p.push_str("Hébergement qualifié SecNumCloud");
    } else {
        p.push_str("Mentions légales");
    }
    p.push_str("</p><img src=\"/badge.png\" alt=\"Logo\"></footer>");
    p.push_str("<script id=\"__NEXT_DATA__\" type=\"application/json\">{\"props\":{\"pageProps\":{\"blocks\":[");
    for b in 0..(150 + rng.below(150)) {
        p.push_str(&format!(
            "{{\"id\":\"{:016x}\",\"type\":\"card\",\"title\":\"Fonction {b}\",\"body\":\"Texte de la fonction {b} pour la page\",\"href\":\"/fonction/{b}\"}},",
            rng.next()
        ));
    }
    p.push_str("{}]}},\"page\":\"/offre\",\"buildId\":\"abc\"}</script>");
    for i in 0..6 {
        p.push_str(&format!("<script src=\"/_next/static/chunks/{i}.js\" defer></script>"));
    }
    p.push_str("</body></html>");
    p
}

fn corpus(target_bytes: usize) -> Vec<Vec<u8>> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut pages = Vec::new();
    let mut total = 0;
    while total < target_bytes {
        let p = page(&mut rng, pages.len()).into_bytes();
        total += p.len();
        pages.push(p);
    }
    pages
}

/// Best of `rounds` passes over the corpus.
fn time(rounds: usize, mut pass: impl FnMut()) -> Duration {
    (0..rounds)
        .map(|_| {
            let t = Instant::now();
            pass();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let patterns = patterns::load_dir(&root.join("patterns")).expect("shipped patterns load");
    let registry = Registry::load(&root.join("config/registry.toml")).expect("shipped registry loads");
    let vendor = Vendor { provider: Some("OVH".into()), ..Vendor::new("bench", "Bench") };
    let gazetteer =
        claimwatch::gazetteer::Gazetteer::load(&root.join("config/gazetteer.toml")).expect("shipped gazetteer loads");
    let knowledge = claimwatch::scan::Knowledge { patterns: &patterns, gazetteer: &gazetteer, registry: &registry };
    let reading = claimwatch::detect::Reading::new(&patterns, &gazetteer);
    let at = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    let pages = corpus(24 * 1024 * 1024);
    let bytes: usize = pages.iter().map(Vec::len).sum();
    let mb = bytes as f64 / 1e6;
    println!("corpus: {} pages, {:.1} MB", pages.len(), mb);

    let rounds = 3;
    let parse = time(rounds, || {
        for p in &pages {
            let text = std::str::from_utf8(p).expect("utf-8");
            black_box(scraper::Html::parse_document(text));
        }
    });
    let mut claims = 0;
    let full = time(rounds, || {
        claims = 0;
        for p in &pages {
            let r = scan_bytes(p, Some("text/html; charset=utf-8"), &knowledge, Some(&vendor), None, at);
            claims += r.claims.len();
            black_box(r);
        }
    });
    let t_extract = time(rounds, || {
        for p in &pages {
            black_box(claimwatch::extract::extract(p, Some("text/html; charset=utf-8")));
        }
    });
    let extracted: Vec<_> =
        pages.iter().map(|p| claimwatch::extract::extract(p, Some("text/html; charset=utf-8"))).collect();
    let t_norm = time(rounds, || {
        for e in &extracted {
            for s in &e.segments {
                black_box(claimwatch::extract::normalize(&s.text));
            }
        }
    });
    let t_detect = time(rounds, || {
        for e in &extracted {
            black_box(claimwatch::detect::detect(&e.segments, &reading));
        }
    });
    let textlen: usize = extracted.iter().flat_map(|e| e.segments.iter()).map(|s| s.text.len()).sum();
    println!("visible text: {:.1} % of the bytes", 100.0 * textlen as f64 / bytes as f64);
    println!(
        "stages: decode+parse+extract {:.3} s, folding alone {:.3} s, detect (incl. folding) {:.3} s",
        t_extract.as_secs_f64(),
        t_norm.as_secs_f64(),
        t_detect.as_secs_f64()
    );
    let parse_rate = mb / parse.as_secs_f64();
    let full_rate = mb / full.as_secs_f64();
    let overhead = full.as_secs_f64() / parse.as_secs_f64() - 1.0;
    println!("scraper parse alone : {parse_rate:7.1} MB/s ({:.2} s)", parse.as_secs_f64());
    println!("claimwatch scan     : {full_rate:7.1} MB/s ({:.2} s), {claims} claims", full.as_secs_f64());
    println!("extract+detect+judge add {:.1} % to parsing (goal: at most 33.3 %)", overhead * 100.0);
}
