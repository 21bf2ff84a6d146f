//! Unit tests of extraction: rendering rules, locations, and what is not text.

use super::*;

fn page(html: &str) -> Page {
    extract(html.as_bytes(), Some("text/html; charset=utf-8"))
}

fn body(html: &str) -> String {
    page(html).segments.into_iter().find(|s| s.location == Location::Text).map(|s| s.text).unwrap_or_default()
}

fn located(p: &Page, location: Location) -> Vec<(String, String)> {
    p.segments.iter().filter(|s| s.location == location).map(|s| (s.detail.clone(), s.text.clone())).collect()
}

#[test]
fn inline_elements_join_without_spaces() {
    assert_eq!(body("<p><span>Sec</span><span>Num</span><b>Cloud</b></p>"), "SecNumCloud");
}

#[test]
fn whitespace_between_inline_elements_is_one_space() {
    assert_eq!(body("<p><span>qualifié</span>\n   <em>SecNumCloud</em></p>"), "qualifié SecNumCloud");
}

#[test]
fn block_elements_and_br_start_new_lines() {
    assert_eq!(body("<div>Cloud.</div><div>De confiance.</div>"), "Cloud.\nDe confiance.");
    assert_eq!(body("<p>un<br>deux<br/>trois</p>"), "un\ndeux\ntrois");
    assert_eq!(body("<h1>Titre</h1><ul><li>a</li><li>b</li></ul>"), "Titre\na\nb");
}

#[test]
fn empty_blocks_leave_no_blank_lines() {
    assert_eq!(body("<div><div></div><p> </p><div>x</div></div><div></div>"), "x");
}

#[test]
fn table_rows_read_as_rows_with_cell_separators() {
    let html = "<table><tr><th>Critère</th><th>Notre offre</th></tr>\
                <tr><td>Qualifié SecNumCloud 3.2</td><td>Non</td></tr></table>";
    assert_eq!(body(html), "Critère | Notre offre\nQualifié SecNumCloud 3.2 | Non");
}

#[test]
fn html_whitespace_collapses_but_no_break_spaces_stay() {
    assert_eq!(body("<p>qualifié\u{A0}SecNumCloud \t\n  3.2</p>"), "qualifié\u{A0}SecNumCloud 3.2");
}

#[test]
fn script_style_template_noscript_and_comments_are_not_text() {
    let html = "<body><script>var a = 'SecNumCloud';</script><style>.x{content:'SecNumCloud'}</style>\
                <template><p>SecNumCloud</p></template><noscript><p>SecNumCloud</p></noscript>\
                <!-- qualifié SecNumCloud --><p>visible</p></body>";
    assert_eq!(body(html), "visible");
}

#[test]
fn title_meta_and_open_graph_are_their_own_segments() {
    let p = page(
        "<html><head><title> Offre \n qualifiée </title>\
         <meta name=\"description\" content=\"Hébergement qualifié SecNumCloud\">\
         <meta property=\"og:title\" content=\"OG titre\"><meta property=\"og:description\" content=\"OG desc\">\
         <meta name=\"keywords\" content=\"ignored\"></head><body><p>x</p></body></html>",
    );
    assert_eq!(located(&p, Location::Title), vec![("title".into(), "Offre qualifiée".into())]);
    assert_eq!(
        located(&p, Location::Meta),
        vec![
            ("meta description".into(), "Hébergement qualifié SecNumCloud".into()),
            ("meta og:title".into(), "OG titre".into()),
            ("meta og:description".into(), "OG desc".into()),
        ]
    );
}

#[test]
fn alt_title_and_aria_label_attributes_are_segments() {
    let p = page(
        "<body><img src=b.png alt=\"Badge SecNumCloud\"><a href=/x title=\"Qualifié SecNumCloud\">x</a>\
         <button aria-label=\"Cloud de confiance\">y</button></body>",
    );
    assert_eq!(located(&p, Location::Alt), vec![("img[alt]".into(), "Badge SecNumCloud".into())]);
    assert_eq!(
        located(&p, Location::Attribute),
        vec![
            ("a[title]".into(), "Qualifié SecNumCloud".into()),
            ("button[aria-label]".into(), "Cloud de confiance".into())
        ]
    );
}

#[test]
fn json_ld_string_values_are_segments_with_their_path() {
    let p = page(
        "<head><script type=\"application/ld+json\">{\"@context\":\"https://schema.org\",\"@type\":\"Product\",\
         \"name\":\"IaaS\",\"offers\":[{\"description\":\"qualifié SecNumCloud\"}]}</script></head><body>b</body>",
    );
    let jsonld = located(&p, Location::JsonLd);
    assert!(jsonld.contains(&("$.offers[0].description".into(), "qualifié SecNumCloud".into())), "{jsonld:?}");
    assert!(jsonld.contains(&("$.name".into(), "IaaS".into())));
    assert!(!jsonld.iter().any(|(_, t)| t.contains("schema.org")));
}

#[test]
fn broken_json_ld_is_ignored_not_fatal() {
    let p = page("<script type=\"application/ld+json\">{\"name\": \"x\",</script><p>still here</p>");
    assert!(located(&p, Location::JsonLd).is_empty());
    assert_eq!(body("<script type=\"application/ld+json\">{oops</script><p>still here</p>"), "still here");
}

#[test]
fn link_text_is_recorded_with_its_href() {
    let p = page("<p>Voir <a href=\"https://cyber.gouv.fr/secnumcloud\">la liste SecNumCloud</a> ici</p>");
    let seg = &p.segments[0];
    assert_eq!(seg.text, "Voir la liste SecNumCloud ici");
    assert_eq!(seg.links.len(), 1);
    assert_eq!(&seg.text[seg.links[0].range.clone()], "la liste SecNumCloud");
    assert_eq!(seg.links[0].href, "https://cyber.gouv.fr/secnumcloud");
    assert_eq!(p.hrefs, vec!["https://cyber.gouv.fr/secnumcloud".to_string()]);
}

#[test]
fn canonical_link_gives_the_page_url() {
    let p = page("<head><link rel=\"canonical\" href=\" https://www.example.fr/offre \"></head><body>x</body>");
    assert_eq!(p.canonical_url.as_deref(), Some("https://www.example.fr/offre"));
}

#[test]
fn legacy_encoding_declared_only_in_meta_is_decoded() {
    let mut bytes = b"<html><head><meta charset=\"windows-1252\"></head><body><p>Qualifi".to_vec();
    bytes.push(0xE9); // é in windows-1252
    bytes.extend_from_slice(b" SecNumCloud</p></body></html>");
    let p = extract(&bytes, None);
    assert_eq!(p.encoding, "windows-1252");
    assert_eq!(p.encoding_source, EncodingSource::MetaPrescan);
    assert_eq!(p.segments[0].text, "Qualifié SecNumCloud");
}

#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    // 990 levels: the walk over the tree must not recurse on the thread's stack.
    let html = format!("{}SecNumCloud{}", "<div><span>".repeat(495), "</span></div>".repeat(495));
    assert_eq!(body(&html), "SecNumCloud");
    assert!(page(&html).notes.len() == 1, "past 512 levels the markup is flattened");
}

#[test]
fn markup_nested_past_the_browsers_depth_is_read_with_a_note() {
    let deeper = format!(
        "<p>Avant</p>{}Nuvexa Cloud est qualifié SecNumCloud{}<p>Après</p>",
        "<div><span>".repeat(2_000),
        "</span></div>".repeat(2_000)
    );
    let p = page(&deeper);
    assert!(p.parse_limit.is_none());
    let text = &p.segments.iter().find(|s| s.location == Location::Text).expect("body text").text;
    assert_eq!(text, "Avant\nNuvexa Cloud est qualifié SecNumCloud\nAprès");
    assert_eq!(p.notes.len(), 1);
    assert!(p.notes[0].starts_with("HTML nested deeper than 512 elements: "), "{:?}", p.notes);
}

#[test]
fn an_empty_javascript_shell_is_recognised_and_a_real_page_is_not() {
    let shell = page(
        "<html><head><script src=/app.js></script></head><body><div id=\"root\"></div>\
         <noscript>You need to enable JavaScript to run this app.</noscript></body></html>",
    );
    assert!(shell.needs_javascript());
    let bare = page("<html><body><script src=/app.js></script></body></html>");
    assert!(bare.needs_javascript());
    let real = page(&format!(
        "<html><body><div id=root><p>{}</p></div><script src=/a.js></script></body></html>",
        "Texte. ".repeat(40)
    ));
    assert!(!real.needs_javascript());
    let static_tiny = page("<html><body><p>Bonjour</p></body></html>");
    assert!(!static_tiny.needs_javascript(), "no script: nothing to render");
}

#[test]
fn base_href_is_kept_for_resolving_links() {
    let p = page("<head><base href=\" https://cdn.example.fr/fr/ \"></head><body><a href=\"x\">x</a></body>");
    assert_eq!(p.base_href.as_deref(), Some("https://cdn.example.fr/fr/"));
}
