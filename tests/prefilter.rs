//! The prefilter's promise: whenever the full reader (extract, then detect) finds a claim in a
//! body, `Prefilter::may_hold` says the body may hold one; and it is not trivially `true`.

use std::path::Path;
use std::sync::OnceLock;

use claimwatch::detect::{Reading, detect};
use claimwatch::extract::extract;
use claimwatch::gazetteer::Gazetteer;
use claimwatch::patterns::{PatternSet, load_dir};
use claimwatch::prefilter::Prefilter;
use proptest::prelude::*;
use proptest::sample::select;

fn patterns() -> &'static PatternSet {
    static P: OnceLock<PatternSet> = OnceLock::new();
    P.get_or_init(|| load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("patterns")).expect("shipped patterns"))
}

fn prefilter() -> &'static Prefilter {
    static P: OnceLock<Prefilter> = OnceLock::new();
    P.get_or_init(|| Prefilter::new(patterns()))
}

/// How many claims the full reader finds.
fn full_claims(body: &[u8], content_type: Option<&str>) -> usize {
    let page = extract(body, content_type);
    detect(&page.segments, &Reading::new(patterns(), &Gazetteer::empty())).len()
}

/// Every form of the shipped patterns, as written.
fn forms() -> Vec<String> {
    patterns().labels.iter().flat_map(|l| l.forms.iter().map(|f| f.text.clone())).collect()
}

/// A form written the ways pages write it: cased, split by tags, entities, invisible characters,
/// look-alike letters, spaced.
fn disguised(form: String) -> impl Strategy<Value = String> {
    let n = form.chars().count();
    proptest::collection::vec(0u8..14, n).prop_map(move |how| {
        let mut out = String::new();
        for (c, h) in form.chars().zip(how) {
            match h {
                0 => out.extend(c.to_uppercase()),
                1 => out.push_str(&format!("&#{};", c as u32)),
                2 => out.push_str(&format!("&#x{:X};", c as u32)),
                3 => {
                    out.push(c);
                    out.push_str("<b></b>");
                }
                4 => {
                    out.push(c);
                    out.push('\u{AD}');
                }
                5 => {
                    out.push(c);
                    out.push_str("&shy;");
                }
                6 => {
                    out.push(c);
                    out.push('\u{200B}');
                }
                7 => out.push(match c {
                    'S' | 's' => '\u{405}',
                    'e' => '\u{435}',
                    'c' | 'C' => '\u{441}',
                    'o' => '\u{43E}',
                    'a' => '\u{430}',
                    other => other,
                }),
                8 => match c {
                    'é' => out.push_str("&eacute;"),
                    'e' => out.push_str("e\u{301}"),
                    other => out.push(other),
                },
                9 => {
                    out.push(c);
                    out.push_str("<!-- -->");
                }
                10 => {
                    out.push(c);
                    out.push(' ');
                }
                _ => out.push(c),
            }
        }
        out
    })
}

/// Page fragments around the claims.
const FRAGMENTS: &[&str] = &[
    "<p>",
    "</p>",
    "<div class=\"x\">",
    "</div>",
    " ",
    "\n",
    "Nuvexa ",
    "Brumaire",
    "qualifié ",
    "qualifi&eacute; ",
    "x",
    "_",
    "3.2",
    "&amp;",
    "&nbsp;",
    "&not",
    "<br>",
    "<table><tr><td>",
    "</td><td>",
    "</td></tr></table>",
    "<table>",
    "</table>",
    "<svg><title>",
    "</title></svg>",
    "<svg>",
    "</svg>",
    "<select><option>",
    "</select>",
    "<script>var a='",
    "';</script>",
    "<script type=\"application/ld+json\">{\"name\":\"",
    "\"}</script>",
    "<style>.a{}</style>",
    "<title>",
    "</title>",
    "<textarea>",
    "</textarea>",
    "<img alt=\"",
    "\">",
    "<meta name=description content=\"",
    "<span title='",
    "'>",
    "<!--",
    "-->",
    "<noscript>",
    "</noscript>",
    "<xmp>",
    "</xmp>",
    "\\n",
    "\\u0048",
    "<",
    ">",
    "&",
    "\u{AD}",
    "\u{200B}",
    "é",
    "\u{405}",
];

fn body() -> impl Strategy<Value = String> {
    let form = select(forms()).prop_flat_map(disguised);
    let piece = prop_oneof![3 => select(FRAGMENTS).prop_map(str::to_string), 1 => form];
    proptest::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

/// Encodings a body may be sent in, and the Content-Type that says so.
#[derive(Debug, Clone, Copy)]
enum Sent {
    Utf8,
    Utf8Bom,
    Windows1252Header,
    Windows1252Meta,
    Utf16LeBom,
    Utf16BeBom,
}

fn encode(text: &str, sent: Sent) -> (Vec<u8>, Option<&'static str>) {
    match sent {
        Sent::Utf8 => (text.as_bytes().to_vec(), None),
        Sent::Utf8Bom => ([b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(), None),
        Sent::Windows1252Header => {
            (encoding_rs::WINDOWS_1252.encode(text).0.into_owned(), Some("text/html; charset=windows-1252"))
        }
        Sent::Windows1252Meta => {
            let mut b = b"<meta charset=windows-1252>".to_vec();
            b.extend_from_slice(&encoding_rs::WINDOWS_1252.encode(text).0);
            (b, None)
        }
        Sent::Utf16LeBom => {
            let mut b = vec![0xFF, 0xFE];
            b.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
            (b, Some("text/html"))
        }
        Sent::Utf16BeBom => {
            let mut b = vec![0xFE, 0xFF];
            b.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
            (b, None)
        }
    }
}

fn sent() -> impl Strategy<Value = Sent> {
    prop_oneof![
        4 => Just(Sent::Utf8),
        1 => Just(Sent::Utf8Bom),
        1 => Just(Sent::Windows1252Header),
        1 => Just(Sent::Windows1252Meta),
        1 => Just(Sent::Utf16LeBom),
        1 => Just(Sent::Utf16BeBom),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    /// Never a claim the prefilter would have skipped.
    #[test]
    fn never_skips_a_page_with_a_claim(text in body(), sent in sent()) {
        let (bytes, content_type) = encode(&text, sent);
        let claims = full_claims(&bytes, content_type);
        if claims > 0 {
            prop_assert!(
                prefilter().may_hold(&bytes, content_type),
                "{claims} claim(s) in {text:?} sent as {sent:?}, but the prefilter skips it"
            );
        }
    }

    /// The walk alone (without the full-reading fallback) keeps the promise too wherever it decides.
    #[test]
    fn the_walk_alone_keeps_the_promise(text in body(), sent in sent()) {
        let (bytes, content_type) = encode(&text, sent);
        if prefilter().walk_only(&bytes, content_type) == Some(false) {
            prop_assert_eq!(full_claims(&bytes, content_type), 0, "{:?} sent as {:?}", text, sent);
        }
    }
}

// Arbitrary bytes, dense in markup, also keep the promise.
proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_markup_keeps_the_promise(
        pieces in proptest::collection::vec(
            prop_oneof![
                select(FRAGMENTS).prop_map(|s| s.as_bytes().to_vec()),
                select(forms()).prop_map(String::into_bytes),
                proptest::collection::vec(any::<u8>(), 0..6),
            ],
            0..20,
        )
    ) {
        let bytes = pieces.concat();
        if full_claims(&bytes, None) > 0 {
            prop_assert!(prefilter().may_hold(&bytes, None), "{:?}", String::from_utf8_lossy(&bytes));
        }
    }
}

/// Label-free pages of the kinds a crawl brings: the prefilter rejects nearly all of them, by
/// the walk alone.
#[test]
fn most_label_free_pages_are_skipped() {
    let pages = label_free_corpus();
    let mut skipped = 0;
    for p in &pages {
        assert_eq!(full_claims(p.as_bytes(), None), 0, "the corpus must be label-free: {p}");
        if prefilter().walk_only(p.as_bytes(), None) == Some(false) {
            skipped += 1;
        }
    }
    assert!(skipped * 100 >= pages.len() * 95, "only {skipped} of {} label-free pages skipped", pages.len());
}

fn label_free_corpus() -> Vec<String> {
    let mut pages = Vec::new();
    let words = ["cloud", "données", "hébergement", "Nuvexa", "Brumaire", "sécurité", "offre", "santé", "HDMI"];
    for i in 0..200 {
        let w = |k: usize| words[(i * 7 + k * 3) % words.len()];
        let mut p = String::from("<!doctype html><html lang=fr><head><meta charset=utf-8>");
        p.push_str(&format!("<title>{} – {}</title><meta name=description content=\"{} {}\">", w(0), w(1), w(2), w(3)));
        p.push_str("<style>.HDS{display:none}body{margin:0}</style>");
        p.push_str("<script>!function(){var a='xHDSy',b=a.split('');window.SecNumCloudx=b}();</script>");
        p.push_str("</head><body><nav><a href=/>Accueil</a> <a href=/offres>Offres</a></nav>");
        p.push_str(&format!("<h1>{} {}</h1><p>{} {} &amp; {}.</p>", w(4), w(5), w(6), w(7), w(8)));
        p.push_str("<img src=\"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgHDSAAAAEAAAABCAYAAAAfFcSJ\" alt=\"logo\">");
        if i % 3 == 0 {
            p.push_str("<table><thead><tr><th>Offre</th><th>Prix</th></tr></thead><tbody><tr><td>S</td><td>10 €</td></tr></tbody></table>");
        }
        if i % 4 == 0 {
            p.push_str("<svg viewBox=\"0 0 10 10\"><title>icône</title><path d=\"M0 0h10v10z\"/></svg>");
        }
        if i % 5 == 0 {
            p.push_str("<form><select name=x><option>Lyon</option><option>Paris</option></select></form>");
        }
        p.push_str(&format!(
            "<script type=\"application/ld+json\">{{\"@type\":\"Organization\",\"name\":\"{}\"}}</script>",
            w(1)
        ));
        p.push_str("<footer>© 2025</footer></body></html>");
        pages.push(p);
    }
    pages
}
