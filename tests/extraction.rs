//! Extraction and detection on fixture pages: encodings, evasion tricks, locations, and what is not text.

mod common;

use claimwatch::detect::{Claim, Reading, detect};
use claimwatch::extract::{Block, EncodingSource, Location, Page, Region, Segment, extract};
use claimwatch::gazetteer::Gazetteer;
use claimwatch::patterns::{ClaimKind, PatternSet, load_dir};
use common::*;

fn patterns() -> PatternSet {
    load_dir(&root().join("patterns")).expect("shipped patterns load")
}

fn read(name: &str, content_type: Option<&str>) -> (Page, Vec<Claim>) {
    let bytes = std::fs::read(page(name)).unwrap();
    let page = extract(&bytes, content_type);
    let claims = detect(&page.segments, &Reading::new(&patterns(), &Gazetteer::empty()));
    (page, claims)
}

fn body(page: &Page) -> &str {
    page.segments.iter().find(|s| s.location == Location::Text).map(|s| s.text.as_str()).unwrap_or("")
}

#[test]
fn windows_1252_declared_only_in_meta_is_decoded() {
    let (page, claims) = read("windows-1252-meta.html", None);
    assert_eq!(page.encoding, "windows-1252");
    assert_eq!(page.encoding_source, EncodingSource::MetaPrescan);
    assert_eq!(body(&page), "Hébergement qualifié SecNumCloud – 100 % français… 20 € par mois.");
    assert_eq!(claims.len(), 1);
    assert_eq!(claims[0].kind, ClaimKind::Assertion);
}

#[test]
fn iso_8859_1_in_http_equiv_is_decoded_as_windows_1252() {
    let (page, claims) = read("latin1-http-equiv.html", None);
    assert_eq!(page.encoding, "windows-1252");
    assert!(body(&page).contains("qualifiée SecNumCloud depuis l'été"));
    assert_eq!(claims[0].matched, "SecNumCloud");
}

#[test]
fn undeclared_legacy_text_is_sniffed() {
    let (page, claims) = read("undeclared-windows-1252.html", None);
    assert_eq!(page.encoding_source, EncodingSource::Sniffed);
    assert_eq!(page.encoding, "windows-1252");
    assert!(body(&page).starts_with("Hébergeur certifié HDS"));
    assert_eq!(claims[0].label, "hds");
}

#[test]
fn a_utf16_byte_order_mark_wins() {
    let (page, claims) = read("utf16le-bom.html", Some("text/html; charset=iso-8859-1"));
    assert_eq!(page.encoding, "UTF-16LE");
    assert_eq!(page.encoding_source, EncodingSource::Bom);
    assert_eq!(body(&page), "Plateforme qualifiée SecNumCloud.");
    assert_eq!(claims.len(), 1);
}

#[test]
fn the_http_charset_beats_the_meta_tag() {
    // The bytes are windows-1252 while the page's own meta wrongly says utf-8.
    let (page, claims) = read("header-charset.html", Some("text/html; charset=windows-1252"));
    assert_eq!(page.encoding_source, EncodingSource::HttpHeader);
    assert_eq!(body(&page), "Offre qualifiée SecNumCloud.");
    assert_eq!(claims[0].kind, ClaimKind::Assertion);
}

#[test]
fn every_evasion_trick_is_seen_and_quoted_as_written() {
    let (page, claims) = read("evasion.html", None);
    let lines: Vec<&str> = body(&page).lines().collect();
    assert_eq!(lines.len(), 13);
    assert_eq!(claims.len(), 13, "one claim per line: {claims:#?}");
    for (line, claim) in lines.iter().zip(&claims) {
        assert_eq!(claim.kind, ClaimKind::Assertion, "{line}");
        assert_eq!(claim.label, "secnumcloud");
        assert!(line.contains(&claim.matched), "the quote is a substring of what the page says: {line}");
        assert_eq!(claim.folded.replace(' ', ""), "secnumcloud", "{line}");
    }
    let quotes: Vec<&str> = claims.iter().map(|c| c.matched.as_str()).collect();
    assert!(quotes.contains(&"Sec\u{AD}Num\u{AD}Cloud"));
    assert!(quotes.contains(&"Sec\u{200B}Num\u{200D}Cloud"));
    assert!(quotes.contains(&"\u{405}\u{435}\u{441}NumCl\u{43E}ud"));
    assert!(quotes.contains(&"S e c N u m C l o u d"));
    assert!(quotes.contains(&"SecNumCloud"), "inline spans join without spaces");
}

#[test]
fn claims_are_found_in_every_location_outside_body_text() {
    let (_, claims) = read("locations.html", None);
    let found: Vec<(Location, &str)> = claims.iter().map(|c| (c.location, c.detail.as_str())).collect();
    for expected in [
        (Location::Title, "title"),
        (Location::Meta, "meta description"),
        (Location::Meta, "meta og:title"),
        (Location::Meta, "meta og:description"),
        (Location::JsonLd, "$.description"),
        (Location::Alt, "img[alt]"),
        (Location::Attribute, "a[title]"),
        (Location::Attribute, "button[aria-label]"),
    ] {
        assert!(found.contains(&expected), "{expected:?} not in {found:?}");
    }
    assert!(claims.iter().all(|c| c.kind == ClaimKind::Assertion), "{claims:#?}");
    assert!(!claims.iter().any(|c| c.location == Location::Text), "the body says nothing");
}

#[test]
fn script_style_comments_template_and_noscript_are_not_text() {
    let (page, claims) = read("noise.html", None);
    assert_eq!(body(&page), "Rien à signaler ici.");
    assert!(claims.is_empty(), "{claims:#?}");
}

#[test]
fn broken_markup_and_junk_bytes_still_give_text() {
    let (page, claims) = read("broken.html", None);
    assert!(body(&page).contains("SecNumCloud"), "{:?}", body(&page));
    assert!(body(&page).contains("suite"));
    assert_eq!(claims.len(), 1);
}

#[test]
fn context_is_about_one_sentence() {
    let text =
        "<p>Première phrase sans rapport. Notre offre est qualifiée SecNumCloud depuis 2024. Une autre phrase.</p>";
    let page = extract(text.as_bytes(), Some("text/html; charset=utf-8"));
    let claims = detect(&page.segments, &Reading::new(&patterns(), &Gazetteer::empty()));
    assert_eq!(claims[0].context, "Notre offre est qualifiée SecNumCloud depuis 2024.");
}

#[test]
fn a_slogan_split_over_two_blocks_is_one_claim() {
    let (_, claims) = read("slogan.html", None);
    let body_claims: Vec<&Claim> = claims.iter().filter(|c| c.location == Location::Text).collect();
    assert_eq!(body_claims.len(), 1);
    assert_eq!(body_claims[0].matched, "Cloud.\nDe confiance.");
    assert_eq!(body_claims[0].context, "Cloud. De confiance.");
    assert_eq!(body_claims[0].kind, ClaimKind::Assertion);
}

// ---------------------------------------------------------------------------------------------
// Regions, blocks, the site's name and article signals
// ---------------------------------------------------------------------------------------------

fn html(text: &str) -> Page {
    extract(text.as_bytes(), Some("text/html; charset=utf-8"))
}

fn claims_of(page: &Page) -> Vec<Claim> {
    detect(&page.segments, &Reading::new(&patterns(), &Gazetteer::empty()))
}

/// The body segment and the byte range of `needle` in its text.
fn locate<'p>(page: &'p Page, needle: &str) -> (&'p Segment, std::ops::Range<usize>) {
    let seg = page.segments.iter().find(|s| s.location == Location::Text).expect("a body segment");
    let start = seg.text.find(needle).unwrap_or_else(|| panic!("«{needle}» not in «{}»", seg.text));
    (seg, start..start + needle.len())
}

/// The region the body text `needle` sits in.
fn region_of(page: &Page, needle: &str) -> Region {
    let (seg, range) = locate(page, needle);
    seg.region_at(&range)
}

/// The innermost block of the kinds `matches` that holds `needle`, with the text it spans.
fn block_of(page: &Page, needle: &str, matches: impl Fn(Block) -> bool) -> Option<(Block, String)> {
    let (seg, range) = locate(page, needle);
    seg.span_at(&range, matches).map(|s| (s.block, seg.text[s.range.clone()].to_string()))
}

fn is_block(b: Block) -> bool {
    !matches!(b, Block::Region(_))
}

/// A claim in `<footer>` and one in `role=contentinfo` are in the site's footer, both as text spans and as the claim's region cue.
#[test]
fn a_claim_in_footer_or_contentinfo_is_in_the_footer_region() {
    for markup in [
        "<footer><p>Hébergement qualifié SecNumCloud</p></footer>",
        "<div role=\"contentinfo\"><p>Hébergement qualifié SecNumCloud</p></div>",
        "<div role=\" ContentInfo \"><p>Hébergement qualifié SecNumCloud</p></div>",
    ] {
        let page = html(&format!("<html><body><main><p>Nos offres.</p></main>{markup}</body></html>"));
        assert_eq!(region_of(&page, "Nos offres."), Region::Main, "{markup}");
        assert_eq!(region_of(&page, "Hébergement qualifié SecNumCloud"), Region::Footer, "{markup}");
        let claims = claims_of(&page);
        assert_eq!(claims.len(), 1, "{markup}: {claims:#?}");
        assert_eq!(claims[0].cues.region, Region::Footer, "{markup}");
    }
}

/// `<header>`, `<nav>`, `<aside>`, `<main>` and text outside any landmark each give their own region.
#[test]
fn every_landmark_gives_its_region() {
    let page = html(
        "<html><body><header><p>Bandeau Nuvexa</p></header><nav><a href=/>Accueil</a></nav>\
         <p>Hors repère</p><main><p>Contenu principal</p></main><aside><p>Encart latéral</p></aside>\
         <div role=\"banner\"><p>Autre bandeau</p></div><div role=\"navigation\"><p>Autre menu</p></div>\
         <div role=\"complementary\"><p>Autre encart</p></div><div role=\"main\"><p>Autre contenu</p></div>\
         </body></html>",
    );
    for (needle, region) in [
        ("Bandeau Nuvexa", Region::Header),
        ("Accueil", Region::Nav),
        ("Hors repère", Region::Body),
        ("Contenu principal", Region::Main),
        ("Encart latéral", Region::Aside),
        ("Autre bandeau", Region::Header),
        ("Autre menu", Region::Nav),
        ("Autre encart", Region::Aside),
        ("Autre contenu", Region::Main),
    ] {
        assert_eq!(region_of(&page, needle), region, "{needle}");
    }
}

/// A `<footer>` or `<header>` inside an `<article>` or `<main>` belongs to the main content, not to the site's frame.
#[test]
fn a_footer_inside_an_article_counts_as_main() {
    let page = html(
        "<html><body><article><h1>Retour d'expérience</h1><p>Texte.</p>\
         <footer><p>Hébergement qualifié SecNumCloud</p></footer></article>\
         <main><header><p>Chapeau certifié HDS</p></header></main>\
         <footer><p>Pied du site</p></footer></body></html>",
    );
    assert_eq!(region_of(&page, "Hébergement qualifié SecNumCloud"), Region::Main);
    assert_eq!(region_of(&page, "Chapeau certifié HDS"), Region::Main);
    assert_eq!(region_of(&page, "Pied du site"), Region::Footer, "the site's own footer after the article");
    let claims = claims_of(&page);
    assert!(!claims.is_empty());
    assert!(claims.iter().all(|c| c.cues.region == Region::Main), "{claims:#?}");
}

/// Headings, list items, `<dd>`, `<dt>` terms, quotations and table rows are recorded as spans over exactly their text.
#[test]
fn headings_list_items_terms_quotations_and_rows_are_spans() {
    let page = html(
        "<html><body><h2>Un cloud qualifié</h2><ul><li>Offre Nuvexa Compute</li></ul>\
         <dl><dt>SecNumCloud</dt><dd>Un référentiel de l'ANSSI</dd></dl>\
         <blockquote><p>Une citation longue</p></blockquote><p>Il a dit <q>une citation courte</q> hier.</p>\
         <table><tr><th>Nuvexa Stockage</th><td>Chiffré</td></tr></table></body></html>",
    );
    for (needle, block, span) in [
        ("cloud", Block::Heading, "Un cloud qualifié"),
        ("Nuvexa Compute", Block::ListItem, "Offre Nuvexa Compute"),
        ("SecNumCloud", Block::Term, "SecNumCloud"),
        ("référentiel", Block::ListItem, "Un référentiel de l'ANSSI"),
        ("citation longue", Block::Quote, "Une citation longue"),
        ("citation courte", Block::Quote, "une citation courte"),
        ("Chiffré", Block::Row, "Nuvexa Stockage | Chiffré"),
    ] {
        assert_eq!(block_of(&page, needle, is_block), Some((block, span.to_string())), "{needle}");
    }
    assert_eq!(block_of(&page, "hier", is_block), None, "text outside any block");
    assert_eq!(block_of(&page, "Il a dit", is_block), None);
}

/// The first cell of a table row is its row head, and a claim in another cell of the row carries it as `table_row`.
#[test]
fn the_first_cell_of_a_row_is_its_head() {
    let page = html(
        "<html><body><table><thead><tr><th>Offre</th><th>Statut</th></tr></thead>\
         <tbody><tr><td>Nuvexa Archive</td><td>Qualifiée SecNumCloud</td></tr>\
         <tr><td>Nuvexa Calcul</td><td>En cours</td></tr></tbody></table></body></html>",
    );
    let row_head = |b: Block| b == Block::RowHead;
    assert_eq!(block_of(&page, "Nuvexa Archive", row_head), Some((Block::RowHead, "Nuvexa Archive".into())));
    assert_eq!(block_of(&page, "Nuvexa Calcul", row_head), Some((Block::RowHead, "Nuvexa Calcul".into())));
    assert_eq!(block_of(&page, "Offre", row_head), Some((Block::RowHead, "Offre".into())));
    assert_eq!(block_of(&page, "Qualifiée SecNumCloud", row_head), None, "the second cell is no head");
    assert_eq!(block_of(&page, "En cours", row_head), None);
    let claims = claims_of(&page);
    assert_eq!(claims.len(), 1, "{claims:#?}");
    assert_eq!(claims[0].cues.table_row.as_deref(), Some("Nuvexa Archive"));
}

/// og:site_name wins over application-name, which wins over a JSON-LD WebSite name, which wins over an Organization name.
#[test]
fn the_site_name_follows_its_precedence() {
    let og = "<meta property=\"og:site_name\" content=\" Nuvexa \">";
    let app = "<meta name=\"application-name\" content=\"Nuvexa App\">";
    let website = "<script type=\"application/ld+json\">{\"@type\":\"WebSite\",\"name\":\"Nuvexa Site\"}</script>";
    let org = "<script type=\"application/ld+json\">{\"@type\":\"Organization\",\"name\":\"Nuvexa SAS\"}</script>";
    let graph = "<script type=\"application/ld+json\">{\"@graph\":[{\"@type\":\"Organization\",\"name\":\"Nuvexa SAS\"},\
                 {\"@type\":\"WebSite\",\"name\":\"Nuvexa Graphe\"}]}</script>";
    let site = |head: &str| html(&format!("<html><head>{head}</head><body><p>x</p></body></html>")).site_name;
    for (head, expected) in [
        (format!("{website}{org}{app}{og}"), Some("Nuvexa")),
        (format!("{og}{app}"), Some("Nuvexa")),
        (format!("{org}{website}{app}"), Some("Nuvexa App")),
        (format!("{app}{website}"), Some("Nuvexa App")),
        (format!("{org}{website}"), Some("Nuvexa Site")),
        (format!("{website}{org}"), Some("Nuvexa Site")),
        (org.to_string(), Some("Nuvexa SAS")),
        (graph.to_string(), Some("Nuvexa Graphe")),
        (String::new(), None),
    ] {
        assert_eq!(site(&head).as_deref(), expected, "{head}");
    }
}

/// An empty og:site_name says nothing, so application-name still gives the site's name.
#[test]
fn an_empty_og_site_name_does_not_hide_the_next_source() {
    let page = html(
        "<html><head><meta property=\"og:site_name\" content=\" \">\
         <meta name=\"application-name\" content=\"Nuvexa\"></head><body><p>x</p></body></html>",
    );
    assert_eq!(page.site_name.as_deref(), Some("Nuvexa"));
}

/// Every article signal is recorded: JSON-LD article types, og:type article, article:published_time, bylines, reading times and article paths.
#[test]
fn every_article_signal_is_recorded() {
    let doc = |head: &str, body: &str| html(&format!("<html><head>{head}</head><body>{body}</body></html>"));
    let ld =
        |t: &str| format!("<script type=\"application/ld+json\">{{\"@type\":\"{t}\",\"headline\":\"x\"}}</script>");
    for (page, signal) in [
        (doc(&ld("Article"), "<p>x</p>"), "json-ld article"),
        (doc(&ld("NewsArticle"), "<p>x</p>"), "json-ld newsarticle"),
        (doc(&ld("BlogPosting"), "<p>x</p>"), "json-ld blogposting"),
        (
            doc(
                "<script type=\"application/ld+json\">{\"@graph\":[{\"@type\":\"WebPage\"},{\"@type\":[\"BlogPosting\"]}]}</script>",
                "<p>x</p>",
            ),
            "json-ld blogposting",
        ),
        (doc("<meta property=\"og:type\" content=\"Article\">", "<p>x</p>"), "og:type article"),
        (
            doc("<meta property=\"article:published_time\" content=\"2026-03-01T08:00:00Z\">", "<p>x</p>"),
            "meta article:published_time",
        ),
        (doc("", "<p>Par <a rel=\"author\" href=\"/equipe/claire\">Claire</a></p>"), "byline"),
        (doc("", "<p>Par <span itemprop=\"author\">Claire</span></p>"), "byline"),
        (doc("", "<div class=\"post-meta c-byline\">Claire Dumas</div>"), "byline"),
        (doc("", "<p>Texte.</p><p>7 min de lecture</p>"), "reading time"),
        (doc("", "<p>Texte.</p><span>4 min read</span>"), "reading time"),
    ] {
        assert!(page.genre_signals.iter().any(|s| s == signal), "{signal} not in {:?}", page.genre_signals);
        let genre = page.genre(None);
        assert!(genre.article, "{signal}");
        assert!(genre.signals.iter().any(|s| s == signal), "{signal}");
    }
    let plain = doc("", "<p>Texte.</p>");
    for (path, signal) in [
        ("/fr/blog/migrer-sa-messagerie", "path /blog/"),
        ("/actualites/2026/salon", "path /actualites/"),
        ("/news/nouvelle-region", "path /news/"),
        ("/presse/communique-42", "path /presse/"),
    ] {
        let url = url::Url::parse(&format!("https://www.nuvexa.example{path}")).unwrap();
        let genre = plain.genre(Some(&url));
        assert!(genre.article, "{path}");
        assert_eq!(genre.signals, vec![signal.to_string()], "{path}");
    }
}

/// A product page with a product's JSON-LD, og:type website, a plain path and an "authorize" button is no article.
#[test]
fn a_product_page_has_no_article_signal() {
    let page = html(
        "<html><head><meta property=\"og:type\" content=\"website\">\
         <meta property=\"og:site_name\" content=\"Nuvexa\">\
         <script type=\"application/ld+json\">{\"@type\":\"Product\",\"name\":\"Nuvexa Compute\",\
         \"brand\":{\"@type\":\"Organization\",\"name\":\"Nuvexa\"}}</script></head>\
         <body><header><p>Nuvexa</p></header><main><h1>Nuvexa Compute</h1>\
         <p>Déployez en 5 minutes.</p><button class=\"authorize-button\">Essayer</button></main>\
         <footer><p>© 2026 Nuvexa</p></footer></body></html>",
    );
    assert!(page.genre_signals.is_empty(), "{:?}", page.genre_signals);
    for path in ["/offres/cloud-prive", "/", "/newsletter", "/produits/nuvexa-compute"] {
        let url = url::Url::parse(&format!("https://www.nuvexa.example{path}")).unwrap();
        let genre = page.genre(Some(&url));
        assert!(!genre.article, "{path}: {:?}", genre.signals);
        assert!(genre.signals.is_empty(), "{path}");
    }
}

/// An image's alt in `<footer>` after a `<head>` holding a `<script>` keeps the footer region (the walk once thought it was still in `<head>`).
#[test]
fn an_alt_in_the_footer_after_a_head_with_a_script_keeps_the_footer_region() {
    for head in [
        "<head><script>var tracking = 1;</script><title>Nuvexa</title></head>",
        "<head><title>Nuvexa</title><script src=\"/a.js\"></script></head>",
        "<head><script type=\"application/ld+json\">{\"@type\":\"WebSite\",\"name\":\"Nuvexa\"}</script></head>",
        "<head><script>var a = 1;</script><noscript><style>p{}</style></noscript></head>",
    ]
    .into_iter()
    .flat_map(|head| [(head, ""), (head, "<script>var b = 2;</script>")])
    {
        let page = html(&format!(
            "<!doctype html><html>{}<body><main><p>Nos offres.</p>{}</main>\
             <footer><img src=\"/badge.svg\" alt=\"Qualifié SecNumCloud\"></footer></body></html>",
            head.0, head.1
        ));
        let head = head.0;
        let alt = page.segments.iter().find(|s| s.location == Location::Alt).expect("the alt is a segment");
        assert_eq!(alt.region, Region::Footer, "{head}");
        let claims = claims_of(&page);
        let badge = claims.iter().find(|c| c.location == Location::Alt).expect("the badge is a claim");
        assert_eq!(badge.cues.region, Region::Footer, "{head}");
        let title = page.segments.iter().find(|s| s.location == Location::Title);
        assert!(title.is_none_or(|t| t.region == Region::Body), "what the head says stays outside any landmark");
    }
}
