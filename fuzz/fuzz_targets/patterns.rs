//! Fuzz target: arbitrary text as a pattern file; a file that loads is compiled into a set and its examples are run.
#![no_main]

use std::path::Path;

use claimwatch::patterns::{PatternSet, parse_file, run_examples};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match parse_file(Path::new("/fuzz/label.toml"), &text) {
        Ok(label) => {
            // A label that loads must combine into a set and run its own examples without panicking.
            if let Ok(set) = PatternSet::new(vec![label]) {
                let _ = run_examples(&set);
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
