//! Replays the allow/disallow assertions of Google's robots.txt test suite against `Robots`.
//!
//! The data lives in the workspace's shared/ folder, not in the repository, so on a machine
//! without it the test says so and passes.

use claimwatch::robots::Robots;
use std::path::PathBuf;

const FILE: &str = "robots_google.jsonl";
const EXPECTED_CASES: usize = 145;

/// Where the data sits beside the repository, or where CLAIMWATCH_CONFORMANCE_DIR points
/// (for working in a checkout that has no shared/ beside it).
fn conformance_file() -> Result<PathBuf, Vec<PathBuf>> {
    let mut tried = vec![PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/conformance")).join(FILE)];
    if let Some(dir) = std::env::var_os("CLAIMWATCH_CONFORMANCE_DIR") {
        tried.push(PathBuf::from(dir).join(FILE));
    }
    tried.iter().find(|p| p.is_file()).cloned().ok_or(tried)
}

#[test]
fn google_robots_test_cases_agree() {
    let path = match conformance_file() {
        Ok(path) => path,
        Err(tried) => {
            eprintln!("skipped: conformance data not found at {tried:?}");
            return;
        }
    };
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));

    let mut cases = 0;
    let mut disagreements = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let case: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), n + 1));
        let field = |k: &str| case[k].as_str().unwrap_or_else(|| panic!("line {}: no string {k:?}", n + 1));
        let expected = case["allowed"].as_bool().unwrap_or_else(|| panic!("line {}: no bool \"allowed\"", n + 1));
        cases += 1;
        let got = Robots::parse(field("robots")).is_allowed(field("agent"), field("url"));
        if got != expected {
            let url = field("url");
            // Some cases use 16 KiB URLs; the head and length identify them well enough.
            let shown: String = url.chars().take(80).collect();
            disagreements.push(format!(
                "line {}: {} agent={:?} url={shown:?} ({} bytes) expected allowed={expected}",
                n + 1,
                field("name"),
                field("agent"),
                url.len(),
            ));
        }
    }

    eprintln!("{} of {cases} cases agree ({})", cases - disagreements.len(), path.display());
    assert_eq!(cases, EXPECTED_CASES, "unexpected number of cases in {}", path.display());
    assert!(disagreements.is_empty(), "{} disagreement(s):\n{}", disagreements.len(), disagreements.join("\n"));
}
