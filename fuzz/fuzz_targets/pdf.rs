//! Fuzz target: arbitrary bytes through PDF text extraction, in process (the bounds that hold without the child), and the shape of what it returns.
#![no_main]

use claimwatch::pdf::{MAX_PAGES, extract_pdf};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = extract_pdf(data) else { return };
    assert!(!text.pages.is_empty() && text.pages.len() <= MAX_PAGES, "{} pages", text.pages.len());
    assert!(text.pages.iter().any(|p| !p.is_empty()), "a document read has text");
    let fields = [&text.title, &text.subject, &text.keywords];
    for field in fields.into_iter().flatten() {
        assert!(!field.is_empty() && !field.contains('\n'), "field {field:?}");
    }
    for page in text.pages.iter().chain(fields.into_iter().flatten()) {
        assert!(!page.contains("\n\n\n"), "at most one empty line in a row: {page:?}");
        for line in page.lines() {
            assert_eq!(line, line.trim_matches(|c: char| c.is_whitespace()), "line not trimmed: {line:?}");
            assert!(!line.chars().any(|c| c.is_control() || ('\u{FB00}'..='\u{FB06}').contains(&c)), "line {line:?}");
        }
    }
});
