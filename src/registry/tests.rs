//! Unit tests of the registry: loading errors with lines, and standings on dates.

use super::*;

fn write(text: &str) -> (tempdir::Dir, PathBuf) {
    let dir = tempdir::Dir::new();
    let path = dir.path().join("registry.toml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

mod tempdir {
    //! A throwaway directory under the system temp dir, removed on drop.
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicUsize, Ordering};
    pub struct Dir(PathBuf);
    impl Dir {
        pub fn new() -> Dir {
            static N: AtomicUsize = AtomicUsize::new(0);
            let p = std::env::temp_dir().join(format!(
                "claimwatch-registry-test-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::SeqCst)
            ));
            std::fs::create_dir_all(&p).unwrap();
            Dir(p)
        }
        pub fn path(&self) -> &Path {
            &self.0
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

const GOOD: &str = r#"
as_of = 2026-09-15
source = "test"
schemes = ["secnumcloud"]

[[qualification]]
provider = "OVH"
aliases = ["OVHcloud"]
siren = "424761419"
offer = "Hosted Private Cloud"
scheme = "secnumcloud"
status = "qualified"
since = 2023-12-28
until = 2026-12-29

[[qualification]]
provider = "OVH"
offer = "Bare Metal Pod"
scheme = "secnumcloud"
status = "qualified"
since = 2025-03-24
until = 2028-03-24

[[qualification]]
provider = "Bleu"
offer = "IaaS/PaaS/CaaS"
scheme = "secnumcloud"
status = "in_progress"
since = 2025-04-17

[[qualification]]
provider = "Thales Cloud Sécurisé"
aliases = ["S3NS"]
offer = "PREMI3NS"
scheme = "secnumcloud"
status = "qualified"
since = 2025-12-17
until = 2028-12-17

[[qualification]]
provider = "Gone"
offer = "Old"
scheme = "secnumcloud"
status = "withdrawn"
until = 2024-01-31
"#;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn p(name: &str) -> ProviderRef {
    ProviderRef { name: name.into(), siren: None }
}

#[test]
fn a_valid_registry_loads_with_its_hash_and_lines() {
    let (_dir, path) = write(GOOD);
    let r = Registry::load(&path).unwrap();
    assert_eq!(r.as_of, d("2026-09-15"));
    assert_eq!(r.qualifications.len(), 5);
    assert_eq!(r.qualifications[0].line, 6);
    assert_eq!(r.sha256.len(), 64);
    assert_eq!(r.sha256, hex::encode(Sha256::digest(GOOD.as_bytes())));
}

#[test]
fn provider_matching_ignores_case_accents_and_uses_aliases_and_siren() {
    let (_dir, path) = write(GOOD);
    let r = Registry::load(&path).unwrap();
    assert!(r.knows(&p("ovhcloud")));
    assert!(r.knows(&p("THALES CLOUD SECURISE")));
    assert!(r.knows(&p("s3ns")));
    assert!(r.knows(&ProviderRef { name: "Unknown name".into(), siren: Some("424761419".into()) }));
    assert!(!r.knows(&p("Scaleway")));
}

#[test]
fn standing_follows_dates() {
    let (_dir, path) = write(GOOD);
    let r = Registry::load(&path).unwrap();
    // S3NS before its qualification (the 2022 "Cloud. De confiance." campaign) and after.
    match r.standing(&p("S3NS"), "secnumcloud", d("2022-06-30")) {
        Standing::Lapsed { lapse, .. } => {
            assert_eq!(lapse, Lapse::NotYet { offer: "PREMI3NS".into(), since: d("2025-12-17") })
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(r.standing(&p("S3NS"), "secnumcloud", d("2026-01-01")), Standing::Holds { .. }));
    match r.standing(&p("OVHcloud"), "secnumcloud", d("2027-01-01")) {
        Standing::Holds { offers, until, .. } => {
            assert_eq!(offers, vec!["Bare Metal Pod".to_string()]);
            assert_eq!(until, Some(d("2028-03-24")));
        }
        other => panic!("{other:?}"),
    }
    match r.standing(&p("OVH"), "secnumcloud", d("2030-01-01")) {
        Standing::Lapsed { lapse, .. } => {
            assert_eq!(lapse, Lapse::Expired { offer: "Bare Metal Pod".into(), until: Some(d("2028-03-24")) })
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(r.standing(&p("Bleu"), "secnumcloud", d("2026-01-01")), Standing::InProgress { .. }));
    match r.standing(&p("Gone"), "secnumcloud", d("2026-01-01")) {
        Standing::Lapsed { lapse, .. } => {
            assert_eq!(lapse, Lapse::Withdrawn { offer: "Old".into(), until: Some(d("2024-01-31")) })
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        r.standing(&p("Nobody"), "secnumcloud", d("2026-01-01")),
        Standing::UnknownProvider { provider: "Nobody".into() }
    );
    // A provider earlier runs matched, that this registry no longer lists.
    let gone = Departed { name: "Nobody SA".into(), last_as_of: d("2025-09-01"), announced: false };
    let r = r.with_departed([(provider_key("Nobody"), gone)].into_iter().collect());
    assert_eq!(
        r.standing(&p("Nobody"), "secnumcloud", d("2026-01-01")),
        Standing::Departed { provider: "Nobody SA".into(), last_as_of: d("2025-09-01") }
    );
    assert_eq!(r.standing(&p("OVH"), "hds", d("2026-01-01")), Standing::NotCovered { scheme: "hds".into() });
}

#[test]
fn every_problem_is_reported_with_its_line() {
    let bad = r#"as_of = 2026-09-15
source = "x"
schemes = ["secnumcloud"]
colour = "blue"

[[qualification]]
provider = "A"
offer = "o"
scheme = "secnumclod"
status = "qualified"

[[qualification]]
provider = "B"
offer = "o"
scheme = "secnumcloud"
status = "granted"

[[qualification]]
provider = "C"
siren = "123456789"
offer = "o"
scheme = "secnumcloud"
status = "qualified"
since = 2026-01-01
until = 2025-01-01
"#;
    let (_dir, path) = write(bad);
    let err = Registry::load(&path).unwrap_err();
    let lines: Vec<usize> = err.diagnostics().iter().map(|d| d.line).collect();
    assert_eq!(lines, vec![4, 9, 16, 20, 25], "{err}");
    let text = err.to_string();
    assert!(text.contains("registry.toml:4:1: unknown key `colour`"), "{text}");
    assert!(text.contains("scheme `secnumclod` is not in `schemes`"), "{text}");
    assert!(text.contains("granted"), "{text}");
    assert!(text.contains("not a valid SIREN"), "{text}");
    assert!(text.contains("`until` (2025-01-01) is before `since` (2026-01-01)"), "{text}");
}

#[test]
fn siren_checksum() {
    for ok in [
        "424761419",
        "527594493",
        "825400336",
        "908211980",
        "948608948",
        "345039416",
        "378901946",
        "432735082",
        "519139497",
        "356000000",
    ] {
        assert!(valid_siren(ok), "{ok}");
    }
    for bad in ["424761418", "12345678", "42476141a", ""] {
        assert!(!valid_siren(bad), "{bad}");
    }
}

#[test]
fn the_qualification_key_list_is_the_fields_an_entry_accepts() {
    use crate::diag::{sorted, struct_fields};
    assert_eq!(struct_fields::<Entry>(), sorted(QUALIFICATION_KEYS));
}

#[test]
fn a_registry_that_sets_every_listed_key_is_accepted_and_an_unlisted_key_is_not() {
    let top = |key: &str| match key {
        "as_of" => "2026-09-15",
        "source" => r#""test""#,
        "schemes" => r#"["secnumcloud"]"#,
        "qualification" => "",
        _ => panic!("no sample value for top-level `{key}`: add one to this test"),
    };
    let entry = |key: &str| match key {
        "provider" => r#""Nuvexa""#,
        "aliases" => r#"["Nuvexa SAS"]"#,
        "siren" => r#""424761419""#,
        "offer" => r#""IaaS""#,
        "offer_aliases" => r#"["Nuvexa IaaS"]"#,
        "scheme" => r#""secnumcloud""#,
        "status" => r#""qualified""#,
        "since" => "2025-01-01",
        "until" => "2028-01-01",
        "decision" => r#""2025-001""#,
        "source" => r#""ANSSI catalogue""#,
        "note" => r#""dates checked""#,
        "activities" => r#"["sauvegardes externalisées"]"#,
        "domains" => r#"["nuvexa.example"]"#,
        _ => panic!("no sample value for `{key}` in [[qualification]]: add one to this test"),
    };
    let mut text = String::new();
    for key in TOP_KEYS.iter().filter(|k| **k != "qualification") {
        text += &format!("{key} = {}\n", top(key));
    }
    assert!(TOP_KEYS.contains(&"qualification") && top("qualification").is_empty());
    text += "[[qualification]]\n";
    for key in QUALIFICATION_KEYS {
        text += &format!("{key} = {}\n", entry(key));
    }
    let registry = Registry::from_bytes(Path::new("r.toml"), text.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(registry.qualifications[0].note.as_deref(), Some("dates checked"));
    for broken in [
        format!("unlisted_key = 1\n{text}"),
        text.replace("[[qualification]]\n", "[[qualification]]\nunlisted_key = 1\n"),
    ] {
        let shown = Registry::from_bytes(Path::new("r.toml"), broken.as_bytes()).unwrap_err().to_string();
        assert!(shown.contains("unknown") && shown.contains("unlisted_key"), "{shown}");
    }
}

#[test]
fn domains_are_merged_per_provider_and_a_url_is_refused_with_its_line() {
    let text = r#"as_of = 2026-09-15
source = "x"
schemes = ["secnumcloud"]

[[qualification]]
provider = "Nuvexa SAS"
offer = "IaaS"
scheme = "secnumcloud"
status = "qualified"
domains = ["Nuvexa.example."]

[[qualification]]
provider = "Nuvexa SAS"
offer = "PaaS"
scheme = "secnumcloud"
status = "in_progress"
domains = ["nuvexa-cloud.example"]
"#;
    let (_dir, path) = write(text);
    let r = Registry::load(&path).unwrap();
    assert_eq!(r.provider_for_host("www.nuvexa.example"), Some("Nuvexa SAS"));
    assert_eq!(r.provider_for_host("console.nuvexa-cloud.example"), Some("Nuvexa SAS"), "merged over entries");
    assert_eq!(r.provider_for_host("nuvexa.example"), Some("Nuvexa SAS"));
    assert_eq!(r.provider_for_host("notnuvexa.example"), None, "a suffix is not a parent domain");
    let (_dir, path) = write(&text.replace("[\"nuvexa-cloud.example\"]", "[\"https://nuvexa.example/\"]"));
    let err = Registry::load(&path).unwrap_err().to_string();
    assert!(err.contains("registry.toml:17:") && err.contains("is a URL"), "{err}");
}
