//! Canaries: proof, on every run, that the run could have seen a claim — each label's first assertion example read as a page through extract, detect and judge, and optionally a page the operator publishes, fetched like any vendor's.
//!
//! Like a Certificate Transparency monitor that issues itself a test certificate: a run that
//! misses a canary is degraded, whatever it found. Canary claims never become findings.

use serde::{Deserialize, Serialize};
use url::Url;

use crate::config::{CanarySettings, Setup, Vendor};
use crate::extract::Location;
use crate::fetch::{Fetcher, Outcome, Rate};
use crate::judge::Level;
use crate::patterns::ClaimKind;
use crate::scan::{JudgedClaim, scan_bytes, scan_page};

/// What one canary gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CanaryResult {
    /// `builtin:<label>` or `network:<url>`.
    pub name: String,
    pub ok: bool,
    /// What was expected and what came out.
    pub detail: String,
}

/// The built-in canaries: for each label, its first assertion example in body text, as the
/// page of a vendor that holds nothing. It must come out as an assertion of the label, judged a
/// violation (unverified when the registry does not cover the label's scheme: then nothing can
/// be a violation, and the canary proves the reading only). Pure: no I/O.
pub fn builtin(setup: &Setup, at: chrono::NaiveDate) -> Vec<CanaryResult> {
    let knowledge = setup.knowledge();
    let mut out = Vec::new();
    for label in &setup.patterns.labels {
        let name = format!("builtin:{}", label.id);
        let Some(example) =
            label.examples.iter().find(|e| e.expected == Some(ClaimKind::Assertion) && e.location == Location::Text)
        else {
            out.push(CanaryResult {
                name,
                ok: false,
                detail: format!("{} has no assertion example in body text to prove the run with", label.file.display()),
            });
            continue;
        };
        // The page of a vendor that holds nothing; named as the example's owner, if it has one.
        let vendor = Vendor::new("canary", example.owner.first().map_or("Canary", String::as_str));
        let page = format!(
            "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>canary</title></head>\
             <body><main><p>{}</p></main></body></html>",
            escape(&example.text)
        );
        let result = scan_bytes(page.as_bytes(), Some("text/html; charset=utf-8"), &knowledge, Some(&vendor), None, at);
        let expected = if setup.registry.covers(&label.scheme) { Level::Violation } else { Level::Unverified };
        let ok = result.claims.iter().any(|c| is(c, &label.id, ClaimKind::Assertion) && c.verdict.level == expected);
        let detail = if ok {
            format!("{}: read as an assertion, judged {}", label.id, expected.as_str())
        } else {
            format!(
                "{}: the example at {}:{} should read as an assertion judged {}, but came out as {}",
                label.id,
                label.file.display(),
                example.line,
                expected.as_str(),
                seen(&result.claims, &label.id)
            )
        };
        out.push(CanaryResult { name, ok, detail });
    }
    out
}

/// The network canary: the operator's page, fetched through the full path (robots.txt, rates,
/// the guard), must carry a claim of `label` of `kind`.
pub async fn network(setup: &Setup, fetcher: &Fetcher, canary: &CanarySettings, at: chrono::NaiveDate) -> CanaryResult {
    let name = format!("network:{}", canary.url);
    let fail = |detail: String| CanaryResult { name: name.clone(), ok: false, detail };
    let rate = Rate { per_second: setup.config.crawl.requests_per_second, burst: setup.config.crawl.burst };
    let host = canary.url.host_str().map(str::to_string);
    let same_host = move |u: &Url| u.host_str().map(str::to_string) == host;
    let fetched = fetcher.fetch_page(&canary.url, rate, &same_host).await;
    let (exchange, body) = match fetched.outcome {
        Outcome::Page { exchange, body } => (exchange, body),
        Outcome::NotModified { .. } => return fail("answered 304 to a plain request".into()),
        Outcome::Skipped(s) => return fail(format!("not fetched: {s}")),
        Outcome::Failed { failure, .. } => return fail(format!("not fetched: {failure}")),
    };
    let page = crate::extract::extract(&body, exchange.header("content-type"));
    let result = scan_page(page, &setup.knowledge(), None, Some(&fetched.final_url), at);
    if result.claims.iter().any(|c| is(c, &canary.label, canary.kind)) {
        CanaryResult { name, ok: true, detail: format!("{} {} read", canary.label, canary.kind) }
    } else {
        fail(format!(
            "expected a {} {} claim, found {}",
            canary.label,
            canary.kind,
            seen(&result.claims, &canary.label)
        ))
    }
}

fn is(c: &JudgedClaim, label: &str, kind: ClaimKind) -> bool {
    c.claim.label == label && c.claim.kind == kind
}

fn seen(claims: &[JudgedClaim], label: &str) -> String {
    let of: Vec<String> = claims
        .iter()
        .filter(|c| c.claim.label == label)
        .map(|c| format!("{} judged {}", c.claim.kind, c.verdict.level.as_str()))
        .collect();
    if of.is_empty() { "no claim of it".into() } else { of.join(", ") }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> Setup {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        crate::config::load(&root.join("tests/fixtures/claimwatch.toml")).expect("the test config loads")
    }

    #[test]
    fn every_shipped_label_proves_the_run() {
        let setup = setup();
        let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let results = builtin(&setup, at);
        assert_eq!(results.len(), setup.patterns.labels.len());
        for r in &results {
            assert!(r.ok, "{r:?}");
        }
    }

    #[test]
    fn a_label_whose_example_no_longer_reads_fails_its_canary() {
        let mut setup = setup();
        let label = &mut setup.patterns.labels[0];
        let first = label
            .examples
            .iter_mut()
            .find(|e| e.expected == Some(ClaimKind::Assertion) && e.location == Location::Text)
            .unwrap();
        first.text = "Nous aimons les nuages.".into();
        let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let r = &builtin(&setup, at)[0];
        assert!(!r.ok);
        assert!(r.detail.contains("came out as no claim of it"), "{}", r.detail);
    }
}
