//! Registry changes never stop the watch: a provider the registry dropped is judged as holding nothing and said so, a misspelt one leaves its claims unverified with a "did you mean", several registry files each decide their schemes, and `registry diff` and `registry check` say what an update changes and what looks out of date.

mod common;

use std::path::{Path, PathBuf};

use common::server::TestServer;
use common::*;

const CRAWL: &str = "allow_private_networks = true\nrequests_per_second = 50\nretries = 0\ntimeout_secs = 5";
const CLAIM: &str =
    "<html><body><h1>Nuage IaaS</h1><p>Notre offre Nuage IaaS est qualifiée SecNumCloud.</p></body></html>";

/// A registry in `scratch` under `name`: Qualifié SA holds SecNumCloud, unless `without`.
fn registry(scratch: &Scratch, name: &str, as_of: &str, with_provider: bool) -> PathBuf {
    let mut text = format!("as_of = {as_of}\nsource = \"test\"\nschemes = [\"secnumcloud\"]\n\n");
    if with_provider {
        text.push_str(
            "[[qualification]]\nprovider = \"Qualifié SA\"\noffer = \"Nuage IaaS\"\nscheme = \"secnumcloud\"\n\
             status = \"qualified\"\nsince = 2024-06-30\nuntil = 2027-06-30\nsource = \"s\"\n\n",
        );
    }
    text.push_str(
        "[[qualification]]\nprovider = \"Autre SAS\"\noffer = \"Autre PaaS\"\nscheme = \"secnumcloud\"\n\
         status = \"qualified\"\nsince = 2024-06-30\nuntil = 2027-06-30\nsource = \"s\"\n",
    );
    scratch.write(name, text)
}

fn config(scratch: &Scratch, registry: &str, server: &TestServer, provider: &str) -> PathBuf {
    let vendor = vendor_toml("nuage", &server.url("/"), &format!("provider = \"{provider}\""));
    let text = format!(
        "registry = {registry}\npatterns = \"{}\"\n\n[crawl]\n{CRAWL}\n\n{vendor}\n",
        root().join("patterns").display()
    );
    scratch.write("claimwatch.toml", text)
}

async fn run(config: &Path, args: &[&str]) -> std::process::Output {
    let mut a: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    a.extend(["--config".to_string(), config.display().to_string(), "--at".to_string(), "2026-11-30".to_string()]);
    cli(a).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_the_registry_drops_is_judged_as_holding_nothing_and_said_so() {
    let server = TestServer::start("127.0.0.1").await;
    server.page("/", CLAIM);
    let scratch = Scratch::new();
    registry(&scratch, "before.toml", "2026-09-15", true);
    registry(&scratch, "after.toml", "2026-11-15", false);
    let config = config(&scratch, "\"before.toml\"", &server, "Qualifié SA");
    let first = run(&config, &["check"]).await;
    assert_eq!(first.status.code(), Some(0), "held: nothing to report\n{}", stdout(&first));

    // The registry update drops the provider: the run goes on, and judges it as holding nothing.
    let text = std::fs::read_to_string(&config).unwrap().replace("\"before.toml\"", "\"after.toml\"");
    std::fs::write(&config, text).unwrap();
    let validated = claimwatch(&["validate", "--config", config.to_str().unwrap()]);
    assert_eq!(validated.status.code(), Some(0), "{}", stderr(&validated));
    let second = run(&config, &["check"]).await;
    let text = stdout(&second);
    assert_eq!(second.status.code(), Some(1), "a violation, not a configuration error\n{text}{}", stderr(&second));
    assert!(
        text.contains("reason:  Qualifié SA is no longer in the registry (last seen in the registry as of 2026-09-15): it holds nothing"),
        "{text}"
    );
    assert!(
        text.contains("registry: vendor `nuage`: Qualifié SA is no longer in the registry (last seen in the registry as of 2026-09-15): judged as holding nothing"),
        "the run summary says so\n{text}"
    );
    // Said once by the runs; status says it while it lasts.
    let third = run(&config, &["check"]).await;
    assert!(!stdout(&third).contains("(last seen in the registry as of 2026-09-15): judged"), "{}", stdout(&third));
    assert!(stdout(&third).contains("reason:  Qualifié SA is no longer in the registry"), "the verdict still says why");
    let status = claimwatch(&["status", "--config", config.to_str().unwrap()]);
    assert!(
        stdout(&status).contains("registry: vendor `nuage`: Qualifié SA is no longer in the registry"),
        "{}",
        stdout(&status)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_that_never_matched_leaves_its_claims_unverified_with_a_suggestion() {
    let server = TestServer::start("127.0.0.1").await;
    server.page("/", CLAIM);
    let scratch = Scratch::new();
    registry(&scratch, "registry.toml", "2026-11-15", true);
    let config = config(&scratch, "\"registry.toml\"", &server, "Qualifie SAS");
    let out = run(&config, &["check"]).await;
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "no violation on a typo, and the watch goes on\n{text}{}", stderr(&out));
    assert!(text.contains("UNVERIFIED") || text.contains("1 unverified"), "{text}");
    assert!(text.contains("provider Qualifie SAS is not in the registry"), "{text}");
    assert!(text.contains("(did you mean `Qualifié SA`?)"), "{text}");
    assert!(finding_ids(&config).is_empty(), "nothing to mail");
    let status = claimwatch(&["status", "--config", config.to_str().unwrap()]);
    assert!(
        stdout(&status).contains("WARNING: ") && stdout(&status).contains("did you mean `Qualifié SA`?"),
        "{}",
        stdout(&status)
    );
}

#[test]
fn several_registry_files_each_decide_their_schemes_and_a_scheme_covered_twice_is_refused() {
    let scratch = Scratch::new();
    registry(&scratch, "secnumcloud.toml", "2026-11-15", true);
    std::fs::copy(root().join("config/hds.example.toml"), scratch.path().join("hds.toml")).unwrap();
    let page = scratch.write(
        "page.html",
        "<html><body><p>Notre offre Nuage IaaS est qualifiée SecNumCloud.</p><p>Nous sommes certifiés HDS.</p></body></html>",
    );
    let write = |registry: &str| {
        scratch.write(
            "claimwatch.toml",
            format!(
                "registry = {registry}\npatterns = \"{}\"\n\n[[vendor]]\nid = \"nuage\"\nname = \"Nuage\"\nprovider = \"Qualifié SA\"\n",
                root().join("patterns").display()
            ),
        )
    };
    let config = write("[\"secnumcloud.toml\", \"hds.toml\"]");
    let validated = claimwatch(&["validate", "--config", config.to_str().unwrap()]);
    assert_eq!(validated.status.code(), Some(0), "{}", stderr(&validated));
    let out = claimwatch(&[
        "scan",
        "--config",
        config.to_str().unwrap(),
        "--vendor",
        "nuage",
        "--at",
        "2026-11-30",
        page.to_str().unwrap(),
    ]);
    let text = stdout(&out);
    assert!(text.contains("[registry secnumcloud.toml as of 2026-11-15]"), "{text}");
    assert!(
        text.contains("reason:  no registry entry for provider Qualifié SA [registry hds.toml as of 2026-11-01]"),
        "{text}"
    );

    registry(&scratch, "again.toml", "2026-11-15", false);
    let config = write("[\"secnumcloud.toml\", \"again.toml\"]");
    let refused = claimwatch(&["validate", "--config", config.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    let again = scratch.path().join("again.toml").display().to_string();
    assert!(
        stderr(&refused).contains(&format!("{again}:3:1: scheme `secnumcloud` is already covered by ")),
        "{}",
        stderr(&refused)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registry_diff_shows_the_entries_and_the_findings_an_update_would_change_and_writes_nothing() {
    let server = TestServer::start("127.0.0.1").await;
    server.page("/", CLAIM);
    let scratch = Scratch::new();
    let before = registry(&scratch, "before.toml", "2026-09-15", true);
    let after = scratch.write(
        "after.toml",
        "as_of = 2026-11-15\nsource = \"test\"\nschemes = [\"secnumcloud\"]\n\n\
         [[qualification]]\nprovider = \"Autre SAS\"\noffer = \"Autre PaaS\"\nscheme = \"secnumcloud\"\n\
         status = \"withdrawn\"\nsince = 2024-06-30\nuntil = 2026-10-01\nsource = \"s\"\n\n\
         [[qualification]]\nprovider = \"Neuf SAS\"\noffer = \"Neuf IaaS\"\nscheme = \"secnumcloud\"\n\
         status = \"in_progress\"\nsince = 2026-10-01\nsource = \"s\"\n",
    );
    let config = config(&scratch, "\"before.toml\"", &server, "Qualifié SA");
    assert_eq!(run(&config, &["check"]).await.status.code(), Some(0));
    // What the store holds, as the commands show it (sled rewrites its files on every open).
    let c = config.to_str().unwrap().to_string();
    let held = || {
        let findings = stdout(&claimwatch(&["findings", "--format", "json", "--config", &c]));
        let status = stdout(&claimwatch(&["status", "--format", "json", "--config", &c]));
        let status: serde_json::Value = serde_json::from_str(&status).unwrap();
        (findings, status["runs"].clone(), status["open_findings"].clone())
    };
    let before_store = held();
    let out = run(&config, &["registry", "diff", before.to_str().unwrap(), after.to_str().unwrap()]).await;
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(text.contains("added: 1\n  + Neuf SAS — Neuf IaaS (secnumcloud) in_progress"), "{text}");
    assert!(text.contains("removed: 1\n  - Qualifié SA — Nuage IaaS (secnumcloud) qualified"), "{text}");
    assert!(text.contains("changed: 1\n  ~ Autre SAS — Autre PaaS (secnumcloud): status qualified → withdrawn; until 2027-06-30 → 2026-10-01"), "{text}");
    assert!(
        text.contains(
            "nuage secnumcloud assertion (1 page): ok → violation, would open: Qualifié SA is no longer in the registry"
        ),
        "{text}"
    );
    assert!(text.ends_with("(nothing written)\n"), "{text}");
    assert_eq!(held(), before_store, "nothing recorded");
}

#[test]
fn registry_check_lists_what_looks_out_of_date() {
    let scratch = Scratch::new();
    scratch.write(
        "registry.toml",
        "as_of = 2026-01-15\nsource = \"test\"\nschemes = [\"secnumcloud\"]\n\n\
         [[qualification]]\nprovider = \"Nuvexa\"\noffer = \"IaaS\"\nscheme = \"secnumcloud\"\nstatus = \"qualified\"\nsince = 2023-01-01\nuntil = 2026-06-30\nsource = \"s\"\n\n\
         [[qualification]]\nprovider = \"Brumaire\"\noffer = \"PaaS\"\nscheme = \"secnumcloud\"\nstatus = \"in_progress\"\nsince = 2024-01-10\n",
    );
    let config = scratch.write(
        "claimwatch.toml",
        format!("registry = \"registry.toml\"\npatterns = \"{}\"\n", root().join("patterns").display()),
    );
    let out = claimwatch(&["registry", "check", "--config", config.to_str().unwrap(), "--at", "2026-11-30"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let r = scratch.path().join("registry.toml").display().to_string();
    for needle in [
        format!("{r}: as_of 2026-01-15 is 319 days old, more than max_registry_age_days (45)"),
        format!("{r}:5: still `qualified` after its `until` (2026-06-30)"),
        format!("{r}:14: in progress since 2024-01-10 (1055 days, more than stale_in_progress_days = 540)"),
        format!("{r}:14: no `source` for Brumaire PaaS"),
        "4 problems in".to_string(),
    ] {
        assert!(text.contains(&needle), "expected «{needle}» in\n{text}");
    }
}
