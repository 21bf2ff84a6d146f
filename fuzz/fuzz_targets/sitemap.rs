//! Fuzz target: arbitrary bytes (plain, XML or gzip) through the sitemap parser under small limits.
#![no_main]

use claimwatch::sitemap::{Sitemap, parse};
use libfuzzer_sys::fuzz_target;

const MAX_BYTES: usize = 1 << 20;
const MAX_URLS: usize = 100;

fuzz_target!(|data: &[u8]| {
    if let Ok(Sitemap::Urls(urls) | Sitemap::Index(urls)) = parse(data, MAX_BYTES, MAX_URLS) {
        assert!(urls.len() <= MAX_URLS, "{} URLs kept, limit {MAX_URLS}", urls.len());
    }
});
