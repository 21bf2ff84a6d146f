//! The README's run command (`claimwatch demo`) and the bundled samples: they work on a fresh machine, without internet, and say what the README promises.

mod common;

use common::*;

/// The arguments of the README's run command, after `cargo run --release --`.
const RUN_ARGS: &str = "scan --config samples/claimwatch.toml --vendor auto --at 2026-11-28 samples/pages/*.html";

fn demo_pages() -> Vec<String> {
    let mut pages: Vec<String> = std::fs::read_dir(root().join("samples/pages"))
        .unwrap()
        .map(|e| format!("samples/pages/{}", e.unwrap().file_name().to_string_lossy()))
        .filter(|p| p.ends_with(".html"))
        .collect();
    pages.sort();
    pages
}

#[test]
fn the_readme_shows_the_commands_these_tests_run() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(readme.contains("cargo run --release -- demo"), "README run command changed");
    assert!(readme.contains(&format!("claimwatch {RUN_ARGS}")), "README sample scan command changed");
}

#[test]
fn the_demo_shows_findings_alerts_sent_once_and_a_resolution() {
    let scratch = Scratch::new();
    let report = scratch.path().join("report.html");
    let out = claimwatch(&["demo", "--report", report.to_str().unwrap()]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    let runs: Vec<&str> = text.split("━━ Run ").collect();
    assert_eq!(runs.len(), 5, "four runs: {text}");
    assert!(runs[1].contains("findings: 4 opened, 0 resolved this run; 4 open in the store"), "{}", runs[1]);
    assert!(runs[1].contains("emails delivered this run: 2"), "{}", runs[1]);
    assert!(
        runs[1]
            .contains("Subject: [claimwatch] 4 nouveaux constats — Brume Cloud, Ciel Confiance, Stratus Hébergement")
    );
    assert!(runs[1].contains("Subject: [claimwatch] 3 new findings — Brume Cloud, Ciel Confiance"));
    assert!(
        runs[1]
            .contains("Motif\u{A0}: Brume est seulement en cours de qualification depuis le 1er\u{A0}mars\u{A0}2026"),
        "{}",
        runs[1]
    );
    assert!(runs[2].contains("emails delivered this run: 0"), "nothing sent twice: {}", runs[2]);
    assert!(runs[3].contains("emails delivered this run: 0"), "gone once is not resolved: {}", runs[3]);
    assert!(runs[4].contains("findings: 0 opened, 2 resolved this run; 2 open in the store"), "{}", runs[4]);
    assert!(runs[4].contains("Subject: [claimwatch] 2 constats résolus — Ciel Confiance"), "{}", runs[4]);
    assert!(!runs[4].contains("compliance@buyer.example"), "resolutions only to who wants them");
    assert!(runs[4].contains("WARC records re-read and checked: all holds"), "{}", runs[4]);
    assert!(runs[4].contains(&format!("━━ Report: {}", report.display())), "{}", runs[4]);
    let html = std::fs::read_to_string(&report).expect("the demo writes its report");
    assert!(html.contains("Brume Cloud") && html.contains("<svg") && html.contains("Manquements ouverts"));
}

#[test]
fn the_demo_finds_each_kind_of_case_and_exits_1() {
    let mut args: Vec<String> =
        RUN_ARGS.split(' ').filter(|a| *a != "samples/pages/*.html").map(String::from).collect();
    args.extend(demo_pages());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = claimwatch(&args);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    assert!(text.contains("5 pages; 23 claims: 6 violations, 2 warnings, 1 unverified"), "{text}");
    // The slogan without qualification, in a legacy encoding, with soft hyphens.
    assert!(
        text.contains("samples/pages/ciel-confiance.html (vendor ciel-confiance; windows-1252; 5 claims)"),
        "{text}"
    );
    assert!(text.contains("Sec<U+00AD>Num<U+00AD>Cloud"), "{text}");
    // A vendor only in progress that writes "qualifié".
    assert!(
        text.contains(
            "Brume is only in progress since 2026-03-01 («Brume IaaS»): it claims a qualification it does not hold"
        ),
        "{text}"
    );
    // Adjacent wording and an uncovered scheme.
    assert!(text.contains("WARNING    secnumcloud adjacent in jsonld ($.description)"), "{text}");
    assert!(text.contains("UNVERIFIED hds assertion"), "{text}");
    // The qualified vendor and its explainer raise nothing.
    let qualified = text.split("samples/pages/nuage-exemple").skip(1).collect::<String>();
    let qualified = qualified.split("samples/pages/stratus").next().unwrap();
    assert!(!qualified.contains("VIOLATION") && !qualified.contains("WARNING"), "{qualified}");
}
