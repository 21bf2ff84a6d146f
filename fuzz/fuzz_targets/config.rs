//! Fuzz target: arbitrary text through the config file checker, which must answer with diagnostics, never a panic.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(e) = claimwatch::config::parse_config(Path::new("/fuzz/claimwatch.toml"), &text) {
        // Rendering diagnostics locates spans in the text: exercise it too.
        let _ = e.to_string();
    }
});
