//! Benchmark: `scan` throughput (decode + parse + extract + detect + judge) in MB/s of HTML, beside `scraper` parsing the same pages alone, on ordinary pages and on claim-dense ones.
//!
//! Run with `cargo bench --bench scan_throughput`. Both corpora are generated (deterministic,
//! seeded):
//!
//! - ordinary: about 24 MB of realistic vendor pages (navigation, inline scripts and styles,
//!   prose, tables, badges, JSON-LD, a few label claims). Goal: extract + detect + judge add at
//!   most a third to the cost of parsing alone.
//! - claim-dense: about 16 MB of pages of 30–200 KB on the same skeleton, each carrying two or
//!   three labels (SecNumCloud, HDS, cloud de confiance) in own claims, third-party mentions,
//!   explainers, tables, lists, quotations, FAQ entries and badges, where claim reading
//!   (cues, attribution) does its work.
//!
//! For each corpus: MB/s and pages/s of the full scan, the claims found, and the time of each
//! stage measured alone (best of three passes).

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use claimwatch::config::Vendor;
use claimwatch::detect::{Reading, detect};
use claimwatch::gazetteer::Gazetteer;
use claimwatch::judge::Subject;
use claimwatch::patterns::{self, ClaimKind};
use claimwatch::registry::Registry;
use claimwatch::scan::{Knowledge, judge_claims, scan_bytes, vendor_names};
use url::Url;

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

/// What a page's `<head>` says about it.
struct Head<'a> {
    title: &'a str,
    /// The site's name (og:title, JSON-LD).
    site: &'a str,
    description: &'a str,
    /// More meta tags, after og:title (og:site_name, og:type).
    meta: &'a str,
    canonical: &'a str,
    /// Translations are at `{origin}/{lang}/{alternate}`.
    origin: &'a str,
    alternate: &'a str,
    /// The JSON-LD type of the page (`Organization`, `BlogPosting`).
    ld_type: &'a str,
    css_rules: usize,
}

/// The document up to `</head>`: metadata, translations, preloads, an inline stylesheet of
/// `css_rules` rules, a tag manager snippet and JSON-LD.
fn head(rng: &mut Rng, p: &mut String, h: &Head<'_>) {
    p.push_str("<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\">");
    p.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    p.push_str(&format!("<title>{}</title>", h.title));
    p.push_str(&format!("<meta name=\"description\" content=\"{}\">", h.description));
    p.push_str(&format!(
        "<meta property=\"og:title\" content=\"{}\">{}<link rel=\"canonical\" href=\"{}\">",
        h.site, h.meta, h.canonical
    ));
    for lang in ["fr", "en", "de", "es", "it", "nl", "pl", "pt"] {
        p.push_str(&format!(
            "<link rel=\"alternate\" hreflang=\"{lang}\" href=\"{}/{lang}/{}\">",
            h.origin, h.alternate
        ));
    }
    for i in 0..8 {
        p.push_str(&format!(
            "<link rel=\"preload\" as=\"script\" href=\"/_next/static/chunks/{i}-{:x}.js\">",
            rng.next()
        ));
    }
    p.push_str("<style>");
    for i in 0..h.css_rules {
        p.push_str(&format!(".c{i}{{margin:{i}px;padding:0 {i}px;color:#{:06x}}}\n", rng.next() & 0xFFFFFF));
    }
    p.push_str("</style><script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':new Date().getTime(),event:'gtm.js'});})(window,document,'script','dataLayer','GTM-XXXX');</script>");
    p.push_str(&format!(
        "<script type=\"application/ld+json\">{{\"@context\":\"https://schema.org\",\"@type\":\"{}\",\"name\":\"{}\",\"description\":\"Fournisseur de cloud\"}}</script>",
        h.ld_type, h.site
    ));
    p.push_str("</head>");
}

/// `<body>` and its header: a mega-menu of `items` products, an SVG icon every sixth.
fn menu(rng: &mut Rng, p: &mut String, items: usize) {
    p.push_str("<body><header>");
    open_div(rng, p);
    p.push_str("<nav aria-label=\"Menu principal\"><ul>");
    for i in 0..items {
        p.push_str(&format!(
            "<li class=\"{}\"><a href=\"/produits/{i}\" class=\"{}\">",
            rng.pick(CLASSES),
            rng.pick(CLASSES)
        ));
        if i % 6 == 0 {
            svg(rng, p);
        }
        p.push_str(&format!("<span>Produit {i}</span></a></li>"));
    }
    p.push_str("</ul></nav></div></header>");
}

/// A paragraph of three to six filler sentences.
fn paragraph(rng: &mut Rng, p: &mut String) {
    p.push_str("<p>");
    for _ in 0..(3 + rng.below(4)) {
        sentence(rng, p);
    }
    p.push_str("</p>");
}

/// A feature card: icon, title, two to four filler sentences, then whatever `more` adds to
/// its text, and a link.
fn card(rng: &mut Rng, p: &mut String, s: usize, more: impl FnOnce(&mut Rng, &mut String)) {
    open_div(rng, p);
    open_div(rng, p);
    svg(rng, p);
    p.push_str(&format!("<h3 class=\"{}\">Fonction {s}</h3><p class=\"{}\">", rng.pick(CLASSES), rng.pick(CLASSES)));
    for _ in 0..(2 + rng.below(3)) {
        sentence(rng, p);
    }
    more(rng, p);
    p.push_str(&format!("</p><a href=\"/fonction/{s}\" class=\"{}\">En savoir plus", rng.pick(CLASSES)));
    svg(rng, p);
    p.push_str("</a></div></div>");
}

/// `<footer>` and its four columns of links (the caller closes it).
fn footer_links(rng: &mut Rng, p: &mut String) {
    p.push_str("<footer>");
    for col in 0..4 {
        open_div(rng, p);
        p.push_str(&format!("<h4>Rubrique {col}</h4><ul>"));
        for l in 0..10 {
            p.push_str(&format!("<li><a href=\"/f/{col}/{l}\" class=\"{}\">Lien {l}</a></li>", rng.pick(CLASSES)));
        }
        p.push_str("</ul></div>");
    }
}

/// The framework's JSON hydration blob of `blocks` blocks, the deferred scripts, and the end of
/// the document.
fn hydration(rng: &mut Rng, p: &mut String, blocks: usize) {
    p.push_str("<script id=\"__NEXT_DATA__\" type=\"application/json\">{\"props\":{\"pageProps\":{\"blocks\":[");
    for b in 0..blocks {
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
}

/// One ordinary vendor page shaped like today's marketing sites (95–130 KB, about a tenth of it
/// visible text): a mega-menu, inline SVG icons, utility CSS classes, feature cards, a table, an
/// FAQ, a footer, and the framework's JSON hydration blob. One card in eight and one footer in
/// three carry a label.
fn page(rng: &mut Rng, index: usize) -> String {
    let blocks = 150 + rng.below(150);
    page_with(rng, index, blocks, 1.0)
}

/// A marketing page whose inline hydration data holds `blocks` blocks, its menu, styles, prose
/// and cards scaled by `scale` (1.0: the ordinary corpus's pages).
fn page_with(rng: &mut Rng, index: usize, blocks: usize, scale: f64) -> String {
    let scaled = |n: usize| ((n as f64 * scale).round() as usize).max(1);
    let mut p = String::with_capacity(250_000);
    let title = format!("Offre {index} | Exemple Cloud");
    let alternate = format!("offre-{index}");
    let h = Head {
        title: &title,
        site: "Exemple Cloud",
        description: "Hébergement cloud souverain opéré en France.",
        meta: "",
        canonical: "https://www.example.fr/",
        origin: "https://www.example.fr",
        alternate: &alternate,
        ld_type: "Organization",
        css_rules: scaled(120),
    };
    head(rng, &mut p, &h);
    menu(rng, &mut p, scaled(120));
    p.push_str("<main>");
    p.push_str("<section class=\"hero\"><h1>Le cloud pour vos données</h1><p>");
    sentence(rng, &mut p);
    p.push_str("</p></section><article>");
    for _ in 0..scaled(4 + rng.below(4)) {
        paragraph(rng, &mut p);
    }
    p.push_str("</article>");
    let cards = scaled(8 + rng.below(8));
    for s in 0..cards {
        card(rng, &mut p, s, |rng, p| {
            if rng.below(8) == 0 {
                p.push_str(rng.pick(CLAIMS));
            }
        });
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
    p.push_str("</ul></main>");
    footer_links(rng, &mut p);
    p.push_str("<p>© Exemple Cloud — ");
    if rng.below(3) == 0 {
        p.push_str("Hébergement qualifié SecNumCloud");
    } else {
        p.push_str("Mentions légales");
    }
    p.push_str("</p><img src=\"/badge.png\" alt=\"Logo\"></footer>");
    hydration(rng, &mut p, blocks);
    p
}

/// The marketing corpus of issue 16: about 30 MB of pages of 30–200 KB, spread evenly, about two
/// label occurrences a page, some 1,900 DOM nodes each.
fn marketing_corpus(target_bytes: usize) -> Vec<Vec<u8>> {
    let mut rng = Rng(0x5EED_0016_0000_0001);
    let mut pages = Vec::new();
    let mut total = 0;
    while total < target_bytes {
        // Sizes spread over 30–200 KB: the markup scaled with the size, the rest hydration data.
        let want = 30_000 + rng.below(170_000);
        let scale = (want as f64 / 110_000.0).clamp(0.3, 1.6);
        let blocks = 150 * want / 110_000;
        let p = page_with(&mut rng, pages.len(), blocks, scale).into_bytes();
        total += p.len();
        pages.push(p);
    }
    pages
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

// ── The claim-dense corpus ─────────────────────────────────────────────────────────────────
//
// Every name below is invented (hosts under the reserved `.example` domain), and so is every
// sentence: they imitate how vendors, their partners and the press write about labels, not any
// real page.

/// A trust label and the words French pages build around it.
struct LabelWords {
    /// How pages write it (repeats weigh the usual spelling).
    forms: &'static [&'static str],
    /// How English sentences write it.
    english_form: &'static str,
    /// Its grant participle, feminine, feminine plural, masculine, English.
    fem: &'static str,
    fem_plural: &'static str,
    masc: &'static str,
    english: &'static str,
    /// The noun of its grant (feminine: « la qualification »).
    noun: &'static str,
}

const LABELS: &[LabelWords] = &[
    LabelWords {
        forms: &["SecNumCloud", "SecNumCloud", "SecNumCloud 3.2", "« SecNumCloud »"],
        english_form: "SecNumCloud",
        fem: "qualifiée",
        fem_plural: "qualifiées",
        masc: "qualifié",
        english: "qualified",
        noun: "qualification",
    },
    LabelWords {
        forms: &["HDS", "HDS", "HDS", "Hébergeur de Données de Santé"],
        english_form: "HDS",
        fem: "certifiée",
        fem_plural: "certifiées",
        masc: "certifié",
        english: "certified",
        noun: "certification",
    },
    LabelWords {
        forms: &["cloud de confiance", "cloud de confiance", "Cloud de Confiance"],
        english_form: "trusted cloud",
        fem: "labellisée",
        fem_plural: "labellisées",
        masc: "labellisé",
        english: "labelled",
        noun: "labellisation",
    },
];

/// Publishers of the claim-dense pages: their name (og:site_name) and host.
const PUBLISHERS: &[(&str, &str)] = &[
    ("Nuvélia", "www.nuvelia.example"),
    ("Quartzéo", "www.quartzeo.example"),
    ("Gravelotte Hébergement", "www.gravelotte.example"),
    ("Azurine Systèmes", "www.azurine.example"),
    ("Pelorine Cloud", "www.pelorine.example"),
];
/// Other organisations the pages name: partners, hosts, customers, competitors.
const OTHERS: &[&str] = &[
    "Stratocime",
    "Brumaire Data",
    "Hexaval",
    "Cirrelle Santé",
    "Ormeline",
    "Kalvéo",
    "Tanaquil Hosting",
    "Vellune Systèmes",
    "Arcadoc",
    "Mistrelle Cloud",
];
const PRODUCTS: &[&str] =
    &["Bastide IaaS", "Socle Santé", "Coffre Privé", "Nacelle Kubernetes", "Rempart Objet", "Halage PaaS"];
const PEOPLE: &[&str] =
    &["Maëlle Tournadre", "Yanis Ferrachat", "Odile Marcassin", "Thibaut Lenormain", "Inès Charbonnel"];
const CITIES: &[&str] = &["Rennes", "Lille", "Strasbourg", "Toulouse", "Nantes", "Dijon"];
const YEARS: &[&str] = &["2021", "2022", "2023", "2024", "2025"];

/// The vendor's own claims: assertions of the page's publisher ({V}) or product ({P}).
const OWN: &[&str] = &[
    "Notre offre {P} est {G} {L} depuis {Y}, du calcul jusqu'au stockage objet.",
    "{V} est {G} {L} pour l'ensemble de ses services d'infrastructure.",
    "Nous avons obtenu la {N} {L} en {Y}, au terme d'un audit de quatorze mois.",
    "Hébergez vos applications critiques sur {P}, une plateforme {G} {L}.",
    "Avec la {N} {L}, {P} répond aux attentes des administrations comme des hôpitaux.",
    "Our {P} platform has been {LE} {E} since {Y} and runs from two sites in France.",
    "Toutes nos régions sont {GP} {L} et exploitées par nos propres équipes.",
];
/// Sentences that continue an own claim by an anaphor of its grant.
const FOLLOW_UPS: &[&str] = &[
    "Cette {N} couvre nos trois zones de disponibilité et nos équipes d'astreinte.",
    "Cette {N} est réévaluée chaque année par un auditeur indépendant.",
    "Nos clients peuvent consulter le périmètre exact de cette {N} sur demande.",
];
/// Wording on the way to the label, or close to it without holding it.
const NEAR: &[&str] = &[
    "{P} est en cours de {N} {L} ; le dossier a été déposé en {Y}.",
    "Nous avons engagé la démarche de {N} {L} pour notre région de {C}.",
    "Notre objectif : être {G} {L} d'ici fin 2027.",
    "Une architecture compatible {L}, pensée pour réussir vos audits.",
    "Vos données restent hébergées chez {O}, un hébergeur {M} {L}.",
    "L'édition Découverte de {P} n'est pas {G} {L} : réservez-la à vos environnements de test.",
    "{V} ne détient pas la {N} {L} pour son offre d'archivage à froid.",
];
/// Someone else's label: partners, hosts, customers, news.
const THIRD_PARTY: &[&str] = &[
    "Notre partenaire {O} est {G} {L} depuis {Y}.",
    "{O}, hébergeur {M} {L}, exploite les baies qui accueillent nos serveurs.",
    "{O} annonce avoir obtenu la {N} {L} pour sa région de {C}.",
    "Selon {O}, la {N} {L} a mobilisé une équipe de vingt personnes pendant deux ans.",
    "Les serveurs de {P} sont installés dans les salles de {O}, {G} {L}.",
];
/// An organisation introduced in one sentence, then the label claimed by a pronoun in the next.
const ANTECEDENTS: &[(&str, &str)] = &[
    ("Fondée à {C} en 2009, {O} exploite quatre salles informatiques.", "Elle est {G} {L} depuis {Y}."),
    ("{O} accompagne les collectivités de la région depuis quinze ans.", "Elle a obtenu la {N} {L} en {Y}."),
    ("{V} conçoit des plateformes d'hébergement depuis 2012.", "Elle est aujourd'hui {G} {L} pour {P}."),
];
/// Explainers, rules and kinds of offers: nobody's claim.
const GENERIC: &[&str] = &[
    "Qu'est-ce que {L} et pourquoi vos appels d'offres l'exigent-ils ?",
    "La {N} {L} est délivrée au terme d'un audit mené par un organisme indépendant.",
    "Tout savoir sur {L} : périmètre, calendrier et obligations.",
    "Les opérateurs publics doivent choisir un prestataire {M} {L} pour leurs données sensibles.",
    "Les offres {GP} {L} restent peu nombreuses sur le marché français.",
    "Choisissez un prestataire {M} {L} pour vos données les plus sensibles.",
    "Si votre fournisseur n'est pas {M} {L}, gardez vos données de production ailleurs.",
];
/// Quotations and their speakers.
const QUOTES: &[&str] = &[
    "« Obtenir la {N} {L} a transformé notre façon d'exploiter la plateforme », explique {X}, directrice technique de {V}.",
    "« Nous avons retenu {V} parce que son offre est {G} {L} », témoigne {X}, DSI de {O}.",
    "« La {N} {L} n'est pas une formalité », rappelle {X}, consultante chez {O}.",
];
/// Plain sentences that set the scene around the claims.
const SCENE: &[&str] = &[
    "Nos équipes d'astreinte répondent en moins de quinze minutes, de jour comme de nuit.",
    "Chaque environnement est isolé du réseau public par deux pare-feux successifs.",
    "Les sauvegardes sont répliquées chaque nuit vers un second site distant de 300 km.",
    "La facturation se fait à la minute, sans engagement de durée.",
    "Un interlocuteur unique suit votre projet de la migration à la mise en production.",
    "Les journaux d'accès sont conservés un an et consultables depuis la console.",
];

/// The words one claim block is written with: the page's publisher and one of its labels.
struct Fill<'a> {
    label: &'a LabelWords,
    form: &'a str,
    publisher: &'a str,
    other: &'a str,
    product: &'a str,
    person: &'a str,
    city: &'a str,
    year: &'a str,
}

impl<'a> Fill<'a> {
    fn new(rng: &mut Rng, label: &'a LabelWords, publisher: &'a str) -> Self {
        Fill {
            label,
            form: rng.pick(label.forms),
            publisher,
            other: rng.pick(OTHERS),
            product: rng.pick(PRODUCTS),
            person: rng.pick(PEOPLE),
            city: rng.pick(CITIES),
            year: rng.pick(YEARS),
        }
    }

    fn text(&self, template: &str) -> String {
        template
            .replace("{LE}", self.label.english_form)
            .replace("{L}", self.form)
            .replace("{GP}", self.label.fem_plural)
            .replace("{G}", self.label.fem)
            .replace("{M}", self.label.masc)
            .replace("{E}", self.label.english)
            .replace("{N}", self.label.noun)
            .replace("{V}", self.publisher)
            .replace("{O}", self.other)
            .replace("{P}", self.product)
            .replace("{X}", self.person)
            .replace("{C}", self.city)
            .replace("{Y}", self.year)
    }
}

/// The first letter in upper case.
fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// One block of a claim-dense page carrying `label`: prose, a heading, a list, a table, a
/// quotation, an FAQ entry, a badge or a card, each with the label in a sentence of its kind.
fn claim_block(rng: &mut Rng, p: &mut String, f: &Fill<'_>, s: usize) {
    let scene = |rng: &mut Rng, p: &mut String| {
        p.push_str(rng.pick(SCENE));
        p.push(' ');
    };
    match rng.below(10) {
        // Prose: the claim among filler and scene sentences; an own claim may be continued by
        // an anaphor of its grant.
        0..=2 => {
            p.push_str("<p>");
            sentence(rng, p);
            scene(rng, p);
            match rng.below(5) {
                0 | 1 => {
                    p.push_str(&f.text(rng.pick(OWN)));
                    if rng.below(2) == 0 {
                        p.push(' ');
                        p.push_str(&f.text(rng.pick(FOLLOW_UPS)));
                    }
                }
                2 => p.push_str(&f.text(rng.pick(NEAR))),
                3 => p.push_str(&f.text(rng.pick(THIRD_PARTY))),
                _ => {
                    let (intro, claim) = ANTECEDENTS[rng.below(ANTECEDENTS.len())];
                    p.push_str(&f.text(intro));
                    p.push(' ');
                    p.push_str(&f.text(claim));
                }
            }
            p.push(' ');
            sentence(rng, p);
            p.push_str("</p>");
        }
        // An explainer: a heading naming the label, a generic paragraph.
        3 => {
            p.push_str(&format!("<h2 class=\"{}\">", rng.pick(CLASSES)));
            p.push_str(&f.text(rng.pick(&[
                "Qu'est-ce que {L} ?",
                "Pourquoi la {N} {L} compte",
                "{P}, une offre {G} {L}",
            ])));
            p.push_str("</h2><p>");
            p.push_str(&f.text(rng.pick(GENERIC)));
            p.push(' ');
            sentence(rng, p);
            scene(rng, p);
            p.push_str("</p>");
        }
        // A certifications list, the label one item among others.
        4 => {
            p.push_str("<h3>Nos certifications</h3><ul class=\"certifications\">");
            let others = ["ISO 27001", "ISO 27017", "ISO 27018", "ISO 9001", "PCI DSS", "SOC 2 Type II"];
            let at = rng.below(4);
            for (i, o) in others.iter().take(4 + rng.below(3)).enumerate() {
                if i == at {
                    p.push_str(&format!("<li>{}</li>", capitalized(&f.text("{G} {L}"))));
                }
                p.push_str(&format!("<li>{o}</li>"));
            }
            p.push_str("</ul>");
        }
        // A comparison table: the label in a row head, or providers in the rows.
        5 => {
            if rng.below(2) == 0 {
                p.push_str(&f.text("<table><tr><th>Critère</th><th>{P} Essentiel</th><th>{P} Souverain</th></tr>"));
                p.push_str("<tr><td>Localisation</td><td>France</td><td>France</td></tr>");
                p.push_str(&f.text("<tr><td>{N} {L}</td><td>Non</td><td>Oui</td></tr>"));
                p.push_str("<tr><td>Support</td><td>Jours ouvrés</td><td>24 h/24</td></tr></table>");
            } else {
                p.push_str(&f.text("<table><tr><th>Hébergeur</th><th>{L}</th><th>Depuis</th></tr>"));
                for _ in 0..(2 + rng.below(3)) {
                    let status = rng.pick(&["{G} {L}", "{L} (en cours)", "non {M} {L}"]);
                    let row =
                        format!("<tr><td>{}</td><td>{status}</td><td>{}</td></tr>", rng.pick(OTHERS), rng.pick(YEARS));
                    p.push_str(&f.text(&row));
                }
                p.push_str("</table>");
            }
        }
        // A customer's or an expert's word.
        6 => {
            p.push_str(&format!("<blockquote class=\"{}\"><p>", rng.pick(CLASSES)));
            p.push_str(&f.text(rng.pick(QUOTES)));
            p.push_str("</p></blockquote>");
        }
        // An FAQ entry: the question, then the answer.
        7 => {
            p.push_str(&format!("<details class=\"{}\"><summary>", rng.pick(CLASSES)));
            p.push_str(&f.text("{P} est-elle {G} {L} ?"));
            p.push_str("</summary><div><p>");
            p.push_str(&f.text(rng.pick(&[
                "Oui, {P} est {G} {L} depuis {Y}.",
                "Pas encore : {P} est en cours de {N} {L}.",
                "Non, mais elle repose sur les salles de {O}, {G} {L}.",
            ])));
            p.push(' ');
            sentence(rng, p);
            p.push_str("</p></div></details>");
        }
        // A badge and a tagline.
        8 => {
            p.push_str(&format!("<div class=\"{}\">", rng.pick(CLASSES)));
            p.push_str(&f.text("<img src=\"/img/badge-{Y}.svg\" alt=\"Logo {L}\" width=\"96\" height=\"96\">"));
            p.push_str(&format!("<p class=\"tagline\">{}</p></div>", capitalized(&f.text("{G} {L}"))));
        }
        // A feature card whose text names the label.
        _ => {
            card(rng, p, s, |rng, p| {
                let templates = if rng.below(2) == 0 { OWN } else { GENERIC };
                let template = rng.pick(templates);
                p.push_str(&f.text(template));
            });
        }
    }
}

/// One claim-dense page (30–200 KB): the skeleton of [`page`] scaled to its size, two or three
/// labels, about one claim block per 6 KB of page between filler cards and paragraphs. A page in
/// four is a blog article (its path, og:type and JSON-LD say so).
fn dense_page(rng: &mut Rng, index: usize) -> String {
    let target = 30_000 + rng.below(170_000);
    let (publisher, host) = PUBLISHERS[rng.below(PUBLISHERS.len())];
    let first = rng.below(LABELS.len());
    let step = 1 + rng.below(LABELS.len() - 1);
    let count = 2 + rng.below(2);
    let labels: Vec<&LabelWords> = (0..count).map(|k| &LABELS[(first + k * step) % LABELS.len()]).collect();
    let article = rng.below(4) == 0;

    let mut tail = String::with_capacity(60_000);
    footer_links(rng, &mut tail);
    let badge = Fill::new(rng, labels[0], publisher).text("{G} {L}");
    tail.push_str(&format!("<p>© {publisher} — {}</p>", capitalized(&badge)));
    tail.push_str(&format!(
        "<img src=\"/badge.png\" alt=\"{}\"></footer>",
        Fill::new(rng, labels[1], publisher).text("Logo {L}")
    ));
    hydration(rng, &mut tail, target / 1500);

    let mut p = String::with_capacity(target + 20_000);
    let path = if article { format!("blog/{index}") } else { format!("offre-{index}") };
    let title = format!("{} | {publisher}", Fill::new(rng, labels[0], publisher).text("{P} {M} {L}"));
    let meta = format!(
        "<meta property=\"og:site_name\" content=\"{publisher}\"><meta property=\"og:type\" content=\"{}\">",
        if article { "article" } else { "website" }
    );
    let canonical = format!("https://{host}/{path}");
    let origin = format!("https://{host}");
    let h = Head {
        title: &title,
        site: publisher,
        description: "Hébergement cloud souverain opéré en France.",
        meta: &meta,
        canonical: &canonical,
        origin: &origin,
        alternate: &path,
        ld_type: if article { "BlogPosting" } else { "Organization" },
        css_rules: 20 + target / 2000,
    };
    head(rng, &mut p, &h);
    menu(rng, &mut p, 10 + target / 2500);
    p.push_str(if article { "<main><article>" } else { "<main>" });
    p.push_str(&format!(
        "<section class=\"hero\"><h1>{}</h1><p>",
        Fill::new(rng, labels[0], publisher).text("{P}, {G} {L}")
    ));
    sentence(rng, &mut p);
    p.push_str("</p></section>");

    let budget = target.saturating_sub(p.len() + tail.len() + 16);
    let blocks = 3 + budget / 6_000;
    let main_start = p.len();
    let mut written = 0;
    let mut s = 0;
    while p.len() - main_start < budget || written < blocks {
        // Claim blocks spread evenly over the main content, fillers between them.
        if written < blocks && (p.len() - main_start) * blocks >= written * budget {
            let f = Fill::new(rng, labels[written % labels.len()], publisher);
            claim_block(rng, &mut p, &f, s);
            written += 1;
        } else if rng.below(3) == 0 {
            paragraph(rng, &mut p);
        } else {
            card(rng, &mut p, s, |_, _| {});
        }
        s += 1;
    }
    p.push_str(if article { "</article></main>" } else { "</main>" });
    p.push_str(&tail);
    p
}

fn dense_corpus(target_bytes: usize) -> Vec<Vec<u8>> {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let mut pages = Vec::new();
    let mut total = 0;
    while total < target_bytes {
        let p = dense_page(&mut rng, pages.len()).into_bytes();
        total += p.len();
        pages.push(p);
    }
    pages
}

/// Best of `rounds` passes over the corpus.
fn time(rounds: usize, mut pass: impl FnMut()) -> Duration {
    time_with(rounds, || (), |()| pass())
}

/// Best of `rounds` passes of each of `a` and `b`, run in turn (a, b, a, b…).
fn alternating(rounds: usize, mut a: impl FnMut(), mut b: impl FnMut()) -> (Duration, Duration) {
    let (mut best_a, mut best_b) = (Duration::MAX, Duration::MAX);
    for _ in 0..rounds {
        let t = Instant::now();
        a();
        best_a = best_a.min(t.elapsed());
        let t = Instant::now();
        b();
        best_b = best_b.min(t.elapsed());
    }
    (best_a, best_b)
}

/// Best of `rounds` passes, each on what `setup` prepares outside the clock.
fn time_with<T>(rounds: usize, mut setup: impl FnMut() -> T, mut pass: impl FnMut(T)) -> Duration {
    (0..rounds)
        .map(|_| {
            let input = setup();
            let t = Instant::now();
            pass(input);
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// What every corpus is read and judged with.
struct Bench<'a> {
    knowledge: Knowledge<'a>,
    vendor: &'a Vendor,
    at: NaiveDate,
    rounds: usize,
}

/// Measures one corpus and prints its figures: the full scan beside `scraper` alone, then the
/// full scan split into its stages (each measured alone, on the previous stage's output).
fn measure(name: &str, pages: &[Vec<u8>], b: &Bench<'_>, goal: Option<f64>) {
    const CONTENT_TYPE: Option<&str> = Some("text/html; charset=utf-8");
    let k = &b.knowledge;
    let bytes: usize = pages.iter().map(Vec::len).sum();
    let mb = bytes as f64 / 1e6;
    println!("{name} corpus: {} pages, {:.1} MB", pages.len(), mb);

    let mut kinds = [0usize; ClaimKind::ALL.len()];
    let mut subjects = [0usize; 3];
    // The parse alone and the full scan are timed in alternation, so that a machine that speeds
    // up or slows down during the run weighs on both sides of the ratio alike.
    let (parse, full) = alternating(
        b.rounds.max(5),
        || {
            for p in pages {
                let text = std::str::from_utf8(p).expect("utf-8");
                black_box(scraper::Html::parse_document(text));
            }
        },
        || {
            kinds = [0; ClaimKind::ALL.len()];
            subjects = [0; 3];
            for p in pages {
                let r = scan_bytes(p, CONTENT_TYPE, k, Some(b.vendor), None, b.at);
                for c in &r.claims {
                    kinds[ClaimKind::ALL.iter().position(|&x| x == c.claim.kind).unwrap_or(0)] += 1;
                    subjects[c.claim.subject as usize] += 1;
                }
                black_box(r);
            }
        },
    );
    let claims: usize = kinds.iter().sum();

    let t_extract = time(b.rounds, || {
        for p in pages {
            black_box(claimwatch::extract::extract(p, CONTENT_TYPE));
        }
    });
    let extracted: Vec<_> = pages.iter().map(|p| claimwatch::extract::extract(p, CONTENT_TYPE)).collect();
    // What scan_page reads each page with: the genre its canonical address and markup give.
    let urls: Vec<Option<Url>> =
        extracted.iter().map(|e| e.canonical_url.as_deref().and_then(|u| Url::parse(u).ok())).collect();
    let readings: Vec<Reading<'_>> = extracted
        .iter()
        .zip(&urls)
        .map(|(e, u)| Reading { article: e.genre(u.as_ref()).article, ..Reading::new(k.patterns, k.gazetteer) })
        .collect();
    let t_norm = time(b.rounds, || {
        for e in &extracted {
            for s in &e.segments {
                black_box(claimwatch::extract::normalize(&s.text));
            }
        }
    });
    let t_detect = time(b.rounds, || {
        for (e, r) in extracted.iter().zip(&readings) {
            black_box(detect(&e.segments, r));
        }
    });
    let detected: Vec<_> = extracted.iter().zip(&readings).map(|(e, r)| detect(&e.segments, r)).collect();
    let t_judge = time_with(
        b.rounds,
        || detected.clone(),
        |detected| {
            for ((claims, e), u) in detected.into_iter().zip(&extracted).zip(&urls) {
                let names = vendor_names(Some(b.vendor), k, Some(e), u.as_ref());
                black_box(judge_claims(claims, k, &names, Some(b.vendor), b.at));
            }
        },
    );

    let textlen: usize = extracted.iter().flat_map(|e| e.segments.iter()).map(|s| s.text.len()).sum();
    println!("visible text: {:.1} % of the bytes", 100.0 * textlen as f64 / bytes as f64);
    println!(
        "stages: decode+parse+extract {:.3} s, folding alone {:.3} s, detect (incl. folding) {:.3} s, judge {:.3} s",
        t_extract.as_secs_f64(),
        t_norm.as_secs_f64(),
        t_detect.as_secs_f64(),
        t_judge.as_secs_f64()
    );
    let parse_rate = mb / parse.as_secs_f64();
    let full_rate = mb / full.as_secs_f64();
    let page_rate = pages.len() as f64 / full.as_secs_f64();
    let overhead = full.as_secs_f64() / parse.as_secs_f64() - 1.0;
    println!("scraper parse alone : {parse_rate:7.1} MB/s ({:.2} s)", parse.as_secs_f64());
    println!(
        "claimwatch scan     : {full_rate:7.1} MB/s ({:.2} s), {page_rate:.0} pages/s, {claims} claims",
        full.as_secs_f64()
    );
    let by_kind: Vec<String> = ClaimKind::ALL.iter().zip(kinds).map(|(k, n)| format!("{k} {n}")).collect();
    println!(
        "claims: {}; own {}, third party {}, generic {}",
        by_kind.join(", "),
        subjects[Subject::Own as usize],
        subjects[Subject::ThirdParty as usize],
        subjects[Subject::Generic as usize]
    );
    match goal {
        Some(g) => println!("extract+detect+judge add {:.1} % to parsing (goal: at most {g:.1} %)", overhead * 100.0),
        None => println!("extract+detect+judge add {:.1} % to parsing", overhead * 100.0),
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let patterns = patterns::load_dir(&root.join("patterns")).expect("shipped patterns load");
    let registry = Registry::load(&root.join("config/registry.toml")).expect("shipped registry loads");
    let vendor = Vendor { provider: Some("OVH".into()), ..Vendor::new("bench", "Bench") };
    let gazetteer = Gazetteer::load(&root.join("config/gazetteer.toml")).expect("shipped gazetteer loads");
    let bench = Bench {
        knowledge: Knowledge { patterns: &patterns, gazetteer: &gazetteer, registry: &registry },
        vendor: &vendor,
        at: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
        rounds: 3,
    };
    // `cargo bench --bench scan_throughput -- dense` measures the claim-dense corpus alone
    // (`ordinary`, `marketing` the others); cargo's own flags are not names.
    let only: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let wanted = |name: &str| only.is_empty() || only.iter().any(|o| name.contains(o.as_str()));
    if wanted("ordinary") {
        measure("ordinary", &corpus(24 * 1024 * 1024), &bench, Some(100.0 / 3.0));
    }
    if wanted("ordinary") && wanted("claim-dense") {
        println!();
    }
    if wanted("claim-dense") {
        measure("claim-dense", &dense_corpus(16 * 1024 * 1024), &bench, None);
    }
    if wanted("marketing") {
        println!();
        let pages = marketing_corpus(30 * 1024 * 1024);
        let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
        let nodes: usize = pages
            .iter()
            .map(|p| scraper::Html::parse_document(std::str::from_utf8(p).expect("utf-8")).tree.nodes().count())
            .sum();
        println!(
            "marketing pages: {}–{} KB, {} DOM nodes a page on average",
            sizes.iter().min().unwrap_or(&0) / 1000,
            sizes.iter().max().unwrap_or(&0) / 1000,
            nodes / pages.len().max(1)
        );
        measure("marketing", &pages, &bench, Some(100.0 / 3.0));
    }
}
