//! Fuzz target: arbitrary bytes under one of several Content-Types, read by the prefilter and by the full reader (extract, then detect); panics if the full reader finds a claim the prefilter would have skipped.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use claimwatch::detect::{Reading, detect};
use claimwatch::extract::extract;
use claimwatch::gazetteer::Gazetteer;
use claimwatch::patterns::{PatternSet, load_dir};
use claimwatch::prefilter::Prefilter;
use libfuzzer_sys::fuzz_target;

#[path = "../content_types.rs"]
mod content_types;

fn patterns() -> &'static PatternSet {
    static SET: OnceLock<PatternSet> = OnceLock::new();
    SET.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../patterns");
        load_dir(&dir).expect("bundled patterns load")
    })
}

fn prefilter() -> &'static Prefilter {
    static P: OnceLock<Prefilter> = OnceLock::new();
    P.get_or_init(|| Prefilter::new(patterns()))
}

fuzz_target!(|data: &[u8]| {
    let Some((content_type, body)) = content_types::split(data) else { return };
    let may_hold = prefilter().may_hold(body, content_type);
    let page = extract(body, content_type);
    let gazetteer = Gazetteer::empty();
    let claims = detect(&page.segments, &Reading::new(patterns(), &gazetteer));
    if !claims.is_empty() && !may_hold {
        panic!("the prefilter skips a body with {} claim(s), the first {:?}", claims.len(), claims[0].matched);
    }
});
