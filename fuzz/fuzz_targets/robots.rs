//! Fuzz target: arbitrary bytes as a robots.txt, then matching agents and paths against it.
#![no_main]

use claimwatch::robots::Robots;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The last line of the input, if any, doubles as a path to match: that lets the fuzzer
    // line up rules and paths, which fixed paths never would.
    let split = data.iter().rposition(|&b| b == b'\n').unwrap_or(data.len());
    let (body, tail) = data.split_at(split);
    let robots = Robots::parse_bytes(body);
    let tail = String::from_utf8_lossy(tail);
    let paths = ["/", "/robots.txt", "/a/b?c=d", "https://example.com/x/y$z*", tail.trim_start_matches('\n')];
    for agent in ["claimwatch/0.1 (+https://example.com)", "Googlebot", "*", "", "Foo Bar"] {
        for path in paths {
            let _ = robots.is_allowed(agent, path);
        }
        let _ = robots.crawl_delay(agent);
    }
    let _ = robots.sitemaps();
});
