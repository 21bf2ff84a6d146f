//! Extraction and detection on fixture pages: encodings, evasion tricks, locations, and what is not text.

mod common;

use claimwatch::detect::{Claim, Reading, detect};
use claimwatch::extract::{EncodingSource, Location, Page, extract};
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
