//! Fuzz target: arbitrary bytes under one of several Content-Types through page text extraction.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../content_types.rs"]
mod content_types;

fuzz_target!(|data: &[u8]| {
    let Some((content_type, body)) = content_types::split(data) else { return };
    let page = claimwatch::extract::extract(body, content_type);
    // Exercise what the pipeline asks of a page next, and the invariant links rely on.
    let _ = page.needs_javascript();
    let _ = page.body_text_len();
    for segment in &page.segments {
        for link in &segment.links {
            assert!(segment.text.get(link.range.clone()).is_some(), "link range off text: {link:?}");
        }
    }
});
