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

// ---------------------------------------------------------------------------------------------
// Whose offer a claim is about: subject, subject_name and cues
// ---------------------------------------------------------------------------------------------

/// A registry of invented providers: Altostrat holds SecNumCloud, Cirrolys's qualification expired.
const ATTRIBUTION_REGISTRY: &str = r#"as_of = 2026-09-15
source = "claimwatch scan tests (fictional)"
schemes = ["secnumcloud"]

[[qualification]]
provider = "Altostrat"
offer = "Altostrat IaaS"
scheme = "secnumcloud"
status = "qualified"
since = 2025-01-06
until = 2029-01-06

[[qualification]]
provider = "Cirrolys"
offer = "Cirrolys Cloud"
scheme = "secnumcloud"
status = "qualified"
since = 2020-01-06
until = 2023-01-06
"#;

/// A gazetteer of invented companies: two the registry knows, one it does not.
const ATTRIBUTION_GAZETTEER: &str = r#"[[organisation]]
name = "Altostrat"

[[organisation]]
name = "Cirrolys"

[[organisation]]
name = "Nimbéo"
"#;

/// A config whose vendor Nuvexa holds nothing, with the registry and gazetteer above.
fn attribution_config(scratch: &Scratch) -> std::path::PathBuf {
    scratch.write("registry.toml", ATTRIBUTION_REGISTRY);
    scratch.write("gazetteer.toml", ATTRIBUTION_GAZETTEER);
    scratch.write(
        "claimwatch.toml",
        format!(
            "registry = \"registry.toml\"\npatterns = \"{}\"\ngazetteer = \"gazetteer.toml\"\n\n\
             [[vendor]]\nid = \"nuvexa\"\nname = \"Nuvexa\"\nstart_urls = [\"https://www.nuvexa.example/\"]\n\
             allowed_hosts = [\"www.nuvexa.example\"]\n",
            root().join("patterns").display()
        ),
    )
}

/// A saved page of Nuvexa's site published at `path`, with `body` as its body.
fn saved_page(scratch: &Scratch, file: &str, path: &str, body: &str) -> std::path::PathBuf {
    scratch.write(
        file,
        format!(
            "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\">\
             <link rel=\"canonical\" href=\"https://www.nuvexa.example{path}\"><title>Nuvexa</title></head>\
             <body>{body}</body></html>"
        ),
    )
}

fn scan_saved(config: &std::path::Path, format: &str, pages: &[&std::path::Path]) -> std::process::Output {
    let mut args = vec![
        "scan",
        "--format",
        format,
        "--config",
        config.to_str().unwrap(),
        "--vendor",
        "nuvexa",
        "--at",
        "2026-11-28",
    ];
    args.extend(pages.iter().map(|p| p.to_str().unwrap()));
    claimwatch(&args)
}

const PARTNERS_BODY: &str = "<main><h1>Nos partenaires</h1>\
    <p>Notre plateforme est qualifiée SecNumCloud.</p>\
    <p>Altostrat est qualifié SecNumCloud.</p>\
    <p>Cirrolys est qualifié SecNumCloud.</p>\
    <p>Nimbéo est qualifié SecNumCloud.</p>\
    <p>Les offres qualifiées SecNumCloud restent rares sur le marché.</p></main>";

/// The claim whose context is `context`.
fn by_context<'c>(claims: &'c [Value], context: &str) -> &'c Value {
    claims.iter().find(|c| c["context"] == context).unwrap_or_else(|| panic!("no claim «{context}» in {claims:#?}"))
}

/// JSON claims say whose offer each is about: the vendor's own (judged against the vendor), a third party's (judged against that one: ok when it holds the label, warning when it holds nothing, unverified when the registry does not know it) or nobody's.
#[test]
fn json_claims_carry_subject_subject_name_and_cues() {
    let scratch = Scratch::new();
    let config = attribution_config(&scratch);
    let page = saved_page(&scratch, "partenaires.html", "/partenaires", PARTNERS_BODY);
    let out = scan_saved(&config, "json", &[&page]);
    let claims = claims(&out);
    assert_eq!(claims.len(), 5, "{}{claims:#?}", stderr(&out));
    for c in &claims {
        for field in ["subject", "subject_name", "cues"] {
            assert!(c.get(field).is_some(), "missing {field} in {c}");
        }
        assert_eq!(c["cues"]["region"], "main", "{c}");
        assert!(c["cues"].get("article").is_none(), "a partners page is no article: {c}");
    }

    let own = by_context(&claims, "Notre plateforme est qualifiée SecNumCloud.");
    assert_eq!(own["subject"], "own");
    assert!(own["subject_name"].is_null());
    assert_eq!(own["cues"]["first_person"], true);
    assert_eq!((&own["kind"], &own["verdict"]), (&Value::from("assertion"), &Value::from("violation")));
    assert!(own["reason"].as_str().unwrap().contains("has no registry provider"), "{own}");

    for (name, verdict, reason) in [
        ("Altostrat", "ok", "names Altostrat: Altostrat holds it for «Altostrat IaaS»"),
        ("Cirrolys", "warning", "names Cirrolys as qualified; Cirrolys holds nothing"),
        ("Nimbéo", "unverified", "names Nimbéo, whom the registry does not know"),
    ] {
        let c = by_context(&claims, &format!("{name} est qualifié SecNumCloud."));
        assert_eq!(c["subject"], "third_party", "{c}");
        assert_eq!(c["subject_name"], name, "{c}");
        assert_eq!(c["kind"], "assertion", "{c}");
        assert_eq!(c["verdict"], verdict, "{c}");
        assert_eq!(c["reason"], reason, "{c}");
        let orgs = c["cues"]["organisations"].as_array().expect("the named organisation is a cue");
        assert!(
            orgs.iter().any(|o| o["name"] == name && o["role"] == "subject" && o["known"] == true),
            "{name}: {orgs:?}"
        );
    }

    let generic = by_context(&claims, "Les offres qualifiées SecNumCloud restent rares sur le marché.");
    assert_eq!(generic["subject"], "generic");
    assert!(generic["subject_name"].is_null());
    assert_eq!(generic["cues"]["generic"], "plural");
    assert_eq!((&generic["kind"], &generic["verdict"]), (&Value::from("mention"), &Value::from("ok")));

    assert_eq!(out.status.code(), Some(1), "the vendor's own claim is a violation");
}

/// The text output of scan says, on an `about:` line, whose offer each claim is about.
#[test]
fn text_output_shows_whom_each_claim_is_about() {
    let scratch = Scratch::new();
    let config = attribution_config(&scratch);
    let page = saved_page(&scratch, "partenaires.html", "/partenaires", PARTNERS_BODY);
    let out = scan_saved(&config, "text", &[&page]);
    let text = stdout(&out);
    let abouts: Vec<&str> = text.lines().filter_map(|l| l.trim_start().strip_prefix("about:")).map(str::trim).collect();
    assert_eq!(
        abouts,
        vec!["the vendor's own offer", "Altostrat", "Cirrolys", "Nimbéo", "nobody in particular"],
        "{text}"
    );
    assert!(text.contains("5 claims: 1 violation, 1 warning, 1 unverified"), "{text}");
}

/// Under `/blog/`, a sentence about a company the gazetteer does not know is a third party's, while the same sentence on a product page is read as one of the vendor's own brands.
#[test]
fn on_a_blog_a_third_party_sentence_is_not_the_vendors_own() {
    let scratch = Scratch::new();
    let config = attribution_config(&scratch);
    let body = "<main><article><h1>Revue du mois</h1><p>Ventoris est qualifié SecNumCloud.</p>\
                <p>Altostrat est qualifié SecNumCloud.</p></article></main>";
    let blog = saved_page(&scratch, "blog.html", "/blog/revue-du-mois", body);
    let product = saved_page(&scratch, "offre.html", "/offres/ventoris", body);
    let out = scan_saved(&config, "json", &[&blog, &product]);
    let all = claims(&out);
    let on = |file: &str| -> Vec<Value> {
        all.iter().filter(|c| c["source"].as_str().unwrap().ends_with(file)).cloned().collect()
    };
    let blog_claims = on("blog.html");
    let unknown = by_context(&blog_claims, "Ventoris est qualifié SecNumCloud.");
    assert_eq!(unknown["subject"], "third_party", "{unknown}");
    assert_eq!(unknown["subject_name"], "Ventoris");
    assert_eq!(unknown["verdict"], "unverified", "{unknown}");
    assert_eq!(unknown["cues"]["article"], true);
    let known = by_context(&blog_claims, "Altostrat est qualifié SecNumCloud.");
    assert_eq!((&known["subject"], &known["verdict"]), (&Value::from("third_party"), &Value::from("ok")));
    assert!(blog_claims.iter().all(|c| c["subject"] != "own" && c["verdict"] != "violation"), "{blog_claims:#?}");

    // The control: on a product page, an unknown name is the vendor's own brand.
    let product_claims = on("offre.html");
    let own = by_context(&product_claims, "Ventoris est qualifié SecNumCloud.");
    assert_eq!((&own["subject"], &own["verdict"]), (&Value::from("own"), &Value::from("violation")), "{own}");
    assert!(own["cues"].get("article").is_none());
}

/// A badge's alt in the footer of an article page still speaks for the vendor: its own claim, judged against what the vendor holds.
#[test]
fn a_badge_in_the_footer_of_an_article_is_the_vendors_own() {
    let scratch = Scratch::new();
    let config = attribution_config(&scratch);
    let page = saved_page(
        &scratch,
        "blog.html",
        "/blog/sauvegardes",
        "<main><article><h1>La règle 3-2-1</h1><p>Trois copies, deux supports, une copie hors site.</p>\
         <footer><p>Publié le 3 mars 2026</p></footer></article></main>\
         <footer><img src=\"/img/badge.svg\" alt=\"Qualifié SecNumCloud\"><p>© 2026 Nuvexa</p></footer>",
    );
    let out = scan_saved(&config, "json", &[&page]);
    let claims = claims(&out);
    assert_eq!(claims.len(), 1, "{claims:#?}");
    let badge = &claims[0];
    assert_eq!(badge["location"], "alt");
    assert_eq!(badge["subject"], "own", "{badge}");
    assert!(badge["subject_name"].is_null());
    assert_eq!(badge["cues"]["region"], "footer");
    assert_eq!(badge["cues"]["article"], true);
    assert_eq!(badge["cues"]["display"], "badge");
    assert_eq!((&badge["kind"], &badge["verdict"]), (&Value::from("assertion"), &Value::from("violation")));
}
