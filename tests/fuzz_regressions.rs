//! Replays the inputs that once broke a fuzz target (`tests/fixtures/fuzz/<target>/`) through that target's entry point, and checks the property each one broke.

use std::path::PathBuf;

#[path = "../fuzz/content_types.rs"]
mod content_types;

/// The stored inputs of one target, sorted by name; a target listed here has at least one.
fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz").join(target);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no stored inputs in {}", dir.display());
    files
}

fn input(target: &str, name: &str) -> Vec<u8> {
    inputs(target).into_iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no input {target}/{name}")).1
}

fn extract(data: &[u8]) -> claimwatch::extract::Page {
    let (content_type, body) = content_types::split(data).expect("an extract input has a selector byte");
    claimwatch::extract::extract(body, content_type)
}

#[test]
fn extract_inputs_give_link_ranges_within_their_text() {
    for (name, data) in inputs("extract") {
        for segment in extract(&data).segments {
            for link in &segment.links {
                assert!(segment.text.get(link.range.clone()).is_some(), "{name}: {link:?} in {:?}", segment.text);
            }
        }
    }
}

/// A link opened in a table cell was placed after a " | " that a block inside it turned into a
/// line break: its range started two bytes late, inside "é".
#[test]
fn a_link_in_a_cell_starts_at_its_first_word_when_a_block_opens_inside_it() {
    let page = extract(&input("extract", "link-in-cell-around-block"));
    let body = &page.segments[0];
    assert_eq!(body.text, "a\nxé");
    assert_eq!(body.links.len(), 1);
    assert_eq!(&body.text[body.links[0].range.clone()], "xé");
}
