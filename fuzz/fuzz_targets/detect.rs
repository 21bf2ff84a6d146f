//! Fuzz target: arbitrary text, as body text and as an alt attribute, through claim detection with the bundled patterns.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use claimwatch::detect::{Reading, detect};
use claimwatch::gazetteer::Gazetteer;
use claimwatch::extract::{Location, Segment};
use claimwatch::patterns::{PatternSet, load_dir};
use libfuzzer_sys::fuzz_target;

fn patterns() -> &'static PatternSet {
    static SET: OnceLock<PatternSet> = OnceLock::new();
    SET.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../patterns");
        load_dir(&dir).expect("bundled patterns load")
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut body = Segment::new(Location::Text, "body", text.as_ref());
    // A link over the first half, to reach the `link_to` rule conditions.
    let mid = (0..=text.len() / 2).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
    body.links.push(claimwatch::extract::Link { range: 0..mid, href: "https://cyber.gouv.fr/x".into() });
    let segments = [body, Segment::new(Location::Alt, "img[alt]", text.as_ref())];
    let gazetteer = Gazetteer::empty();
    for claim in detect(&segments, &Reading::new(patterns(), &gazetteer)) {
        // Evidence quotes the page: the matched text and its context come from the segment.
        assert!(text.contains(&claim.matched), "matched {:?} not in the text", claim.matched);
        assert!(!claim.matched.is_empty());
    }
});
