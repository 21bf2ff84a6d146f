//! `claimwatch scan` end to end: verdicts against the registry, output formats, dates and exit codes.

mod common;

use common::*;
use serde_json::Value;

fn only(claims: &[Value], label: &str) -> Vec<Value> {
    claims.iter().filter(|c| c["label"] == label).cloned().collect()
}

#[test]
fn json_claims_carry_every_documented_field() {
    let out = scan_json("kinds.html", &["--vendor", "nothing", "--at", "2026-11-28"]);
    let claims = claims(&out);
    assert!(!claims.is_empty(), "{}", stderr(&out));
    for c in &claims {
        for field in
            ["source", "vendor", "label", "scheme", "kind", "verdict", "reason", "matched", "context", "location"]
        {
            assert!(c.get(field).is_some_and(|v| !v.is_null()), "missing {field} in {c}");
        }
        assert_eq!(c["type"], "claim");
        assert!(c["source"].as_str().unwrap().ends_with("kinds.html"));
        assert_eq!(c["vendor"], "nothing");
        assert_eq!(c["at"], "2026-11-28");
        assert_eq!(c["registry_as_of"], "2026-09-15");
    }
    let pages: Vec<Value> = json_lines(&out).into_iter().filter(|v| v["type"] == "page").collect();
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0]["status"], "checked");
    assert_eq!(pages[0]["claims"], claims.len());
}

#[test]
fn each_kind_is_recognised_on_one_page() {
    let out = scan_json("kinds.html", &["--vendor", "nothing"]);
    let kinds: Vec<String> = claims(&out).iter().map(|c| c["kind"].as_str().unwrap().to_string()).collect();
    assert_eq!(kinds, vec!["assertion", "in_progress", "adjacent", "mention", "negation"]);
}

#[test]
fn a_vendor_holding_nothing_gets_violations_warnings_and_oks_by_kind() {
    let out = scan_json("kinds.html", &["--vendor", "nothing", "--at", "2026-11-28"]);
    let verdicts: Vec<(String, String)> = claims(&out)
        .iter()
        .map(|c| (c["kind"].as_str().unwrap().to_string(), c["verdict"].as_str().unwrap().to_string()))
        .collect();
    let expected = [
        ("assertion", "violation"),
        ("in_progress", "violation"),
        ("adjacent", "warning"),
        ("mention", "ok"),
        ("negation", "ok"),
    ];
    assert_eq!(verdicts, expected.map(|(a, b)| (a.to_string(), b.to_string())));
    assert_eq!(out.status.code(), Some(1), "a violation exits 1");
    let reason = claims(&out)[0]["reason"].as_str().unwrap().to_string();
    assert!(reason.contains("has no registry provider"), "{reason}");
}

#[test]
fn a_qualified_vendor_gets_ok_everywhere_and_exits_0() {
    let out = scan_json("kinds.html", &["--vendor", "qualified", "--at", "2026-11-28"]);
    let claims = claims(&out);
    assert!(claims.iter().all(|c| c["verdict"] == "ok"), "{claims:#?}");
    let reason = claims[0]["reason"].as_str().unwrap();
    assert!(reason.contains("«Nuage IaaS»") && reason.contains("valid until 2027-06-30"), "{reason}");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn an_in_progress_vendor_may_say_so_but_not_claim_the_label() {
    let out = scan_json("kinds.html", &["--vendor", "in-progress", "--at", "2026-11-28"]);
    let by_kind = |k: &str| claims(&out).into_iter().find(|c| c["kind"] == k).unwrap();
    assert_eq!(by_kind("assertion")["verdict"], "violation");
    assert!(by_kind("assertion")["reason"].as_str().unwrap().contains("only in progress since 2026-02-01"));
    assert_eq!(by_kind("in_progress")["verdict"], "ok");
    assert_eq!(by_kind("adjacent")["verdict"], "warning");
}

#[test]
fn an_expired_qualification_is_named_in_the_reason() {
    let out = scan_json("kinds.html", &["--vendor", "lapsed", "--at", "2026-11-28"]);
    let assertion = claims(&out).into_iter().find(|c| c["kind"] == "assertion").unwrap();
    assert_eq!(assertion["verdict"], "violation");
    assert_eq!(assertion["reason"], "qualification of «Ancien IaaS» expired on 2024-01-31");
}

#[test]
fn the_date_decides_the_verdict_and_makes_it_reproducible() {
    // The qualified vendor's entry runs from 2024-06-30 to 2027-06-30.
    let before = scan_json("kinds.html", &["--vendor", "qualified", "--at", "2024-01-01"]);
    let during = scan_json("kinds.html", &["--vendor", "qualified", "--at", "2025-01-01"]);
    let after = scan_json("kinds.html", &["--vendor", "qualified", "--at", "2028-01-01"]);
    let verdict = |o| claims(o).into_iter().find(|c| c["kind"] == "assertion").unwrap();
    assert_eq!(verdict(&before)["verdict"], "violation");
    assert_eq!(verdict(&before)["reason"], "qualification of «Nuage IaaS» starts only on 2024-06-30");
    assert_eq!(verdict(&during)["verdict"], "ok");
    assert_eq!(verdict(&after)["reason"], "qualification of «Nuage IaaS» expired on 2027-06-30");
    let again = scan_json("kinds.html", &["--vendor", "qualified", "--at", "2028-01-01"]);
    assert_eq!(stdout(&after), stdout(&again));
}

#[test]
fn without_a_vendor_every_claim_is_judged_as_holding_nothing() {
    let out = scan_json("kinds.html", &[]);
    let assertion = claims(&out).into_iter().find(|c| c["kind"] == "assertion").unwrap();
    assert_eq!(assertion["verdict"], "violation");
    assert!(assertion["vendor"].is_null());
    assert!(assertion["reason"].as_str().unwrap().contains("no vendor given"));
}

#[test]
fn claims_under_a_scheme_the_registry_does_not_cover_are_unverified() {
    let out = scan_json("table.html", &["--vendor", "nothing"]);
    let hds = only(&claims(&out), "hds");
    assert_eq!(hds.len(), 1);
    assert_eq!(hds[0]["kind"], "assertion");
    assert_eq!(hds[0]["verdict"], "unverified");
    assert!(hds[0]["reason"].as_str().unwrap().contains("does not cover the hds scheme"));
}

#[test]
fn a_table_cell_saying_non_negates_the_row() {
    let out = scan_json("table.html", &["--vendor", "nothing"]);
    let snc = only(&claims(&out), "secnumcloud");
    assert_eq!(snc.len(), 1);
    assert_eq!(snc[0]["kind"], "negation");
    assert_eq!(snc[0]["verdict"], "ok");
    assert_eq!(snc[0]["context"], "Qualifié SecNumCloud 3.2 | Non");
}

#[test]
fn the_2022_slogan_is_a_violation_before_the_qualification_and_ok_after() {
    // Real registry: Thales Cloud Sécurisé (S3NS) is qualified from 2025-12-17.
    let page = page("slogan.html");
    let run =
        |at: &str| claimwatch(&["scan", "--format", "json", "--vendor", "s3ns", "--at", at, page.to_str().unwrap()]);
    let in_2022 = run("2022-07-01");
    let slogan = claims(&in_2022).into_iter().filter(|c| c["label"] == "cloud-de-confiance").collect::<Vec<_>>();
    assert!(!slogan.is_empty(), "{}", stderr(&in_2022));
    assert!(slogan.iter().all(|c| c["kind"] == "assertion" && c["verdict"] == "violation"), "{slogan:#?}");
    assert_eq!(slogan[0]["reason"], "qualification of «Cloud de confiance S3NS (PREMI3NS)» starts only on 2025-12-17");
    assert_eq!(in_2022.status.code(), Some(1));
    let in_2026 = run("2026-11-28");
    assert!(claims(&in_2026).iter().all(|c| c["verdict"] == "ok"));
    assert_eq!(in_2026.status.code(), Some(0));
}

#[test]
fn an_explainer_and_a_press_review_raise_nothing() {
    for page in ["explainer.html", "press-review.html"] {
        let out = scan_json(page, &["--vendor", "nothing"]);
        let claims = claims(&out);
        assert!(claims.len() >= 2, "{page}: the label is found");
        let loud: Vec<_> = claims.iter().filter(|c| c["verdict"] != "ok").collect();
        assert!(loud.is_empty(), "{page}: {loud:#?}");
        assert_eq!(out.status.code(), Some(0), "{page}");
    }
}

#[test]
fn text_output_quotes_the_page_and_summarises() {
    let page = page("evasion.html");
    let out = claimwatch(&[
        "scan",
        "--config",
        fixture("claimwatch.toml").to_str().unwrap(),
        "--vendor",
        "nothing",
        page.to_str().unwrap(),
    ]);
    let text = stdout(&out);
    assert!(text.contains("VIOLATION"), "{text}");
    // Invisible characters of an evasion are shown, and the match is bracketed in its context.
    assert!(text.contains("Sec<U+00AD>Num<U+00AD>Cloud"), "{text}");
    assert!(text.contains("[SecNumCloud]"), "{text}");
    assert!(text.contains("1 page; 13 claims: 13 violations, 0 warnings, 0 unverified"), "{text}");
    assert!(!text.contains("\x1b["), "no colour when not on a terminal");
}

#[test]
fn vendor_auto_uses_the_canonical_url_and_refuses_pages_it_cannot_attribute() {
    let scratch = Scratch::new();
    let known = scratch.write(
        "known.html",
        "<html><head><link rel=canonical href=\"https://www.qualifie.example/offre\"></head><body><p>Offre qualifiée SecNumCloud.</p></body></html>",
    );
    let unknown = scratch.write("unknown.html", "<html><body><p>Offre qualifiée SecNumCloud.</p></body></html>");
    let config = fixture("claimwatch.toml");
    let out = claimwatch(&[
        "scan",
        "--format",
        "json",
        "--config",
        config.to_str().unwrap(),
        "--vendor",
        "auto",
        known.to_str().unwrap(),
        unknown.to_str().unwrap(),
    ]);
    let lines = json_lines(&out);
    let claim = lines.iter().find(|l| l["type"] == "claim").unwrap();
    assert_eq!(claim["vendor"], "qualified");
    assert_eq!(claim["verdict"], "ok");
    let failed = lines.iter().find(|l| l["type"] == "page" && l["status"] == "failed").unwrap();
    assert!(failed["source"].as_str().unwrap().ends_with("unknown.html"));
    assert!(failed["error"].as_str().unwrap().contains("cannot tell which vendor"));
    assert_eq!(out.status.code(), Some(2), "a page that could not be checked is an error");
}

#[test]
fn an_unreadable_file_is_reported_and_the_others_still_scanned() {
    let missing = fixture("pages/does-not-exist.html");
    let kinds = page("kinds.html");
    let out = claimwatch(&[
        "scan",
        "--format",
        "json",
        "--config",
        fixture("claimwatch.toml").to_str().unwrap(),
        missing.to_str().unwrap(),
        kinds.to_str().unwrap(),
    ]);
    let lines = json_lines(&out);
    assert!(lines.iter().any(|l| l["type"] == "page" && l["status"] == "failed"));
    assert!(lines.iter().any(|l| l["type"] == "claim" && l["source"].as_str().unwrap().ends_with("kinds.html")));
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(claimwatch(&["scan"]).status.code(), Some(2), "no file");
    assert_eq!(claimwatch(&["scan", "--at", "28/11/2026", "x.html"]).status.code(), Some(2), "bad date");
    let out = claimwatch(&["scan", "--vendor", "nobody", page("kinds.html").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no vendor `nobody`"), "{}", stderr(&out));
}

#[test]
fn a_broken_config_stops_the_scan_before_any_page_is_read() {
    let scratch = Scratch::new();
    let config = scratch.write("bad.toml", "registry = \"nowhere.toml\"\npatterns = \"nowhere\"\n");
    let out = claimwatch(&["scan", "--config", config.to_str().unwrap(), page("kinds.html").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).is_empty(), "nothing scanned");
    assert!(stderr(&out).contains("nowhere.toml"), "{}", stderr(&out));
}
