//! `claimwatch validate`: the shipped configuration is valid, and every problem of a broken setup is reported at once with file and line.

mod common;

use common::*;

#[test]
fn the_shipped_configuration_is_valid() {
    let out = claimwatch(&["validate"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("config/claimwatch.toml: ok"), "{text}");
    assert!(text.contains("cloud-de-confiance, hds, secnumcloud"), "{text}");
    assert!(text.contains("as of 2026-09-15 with 15 entries for secnumcloud"), "{text}");
}

#[test]
fn the_bundled_demo_configuration_is_valid() {
    let out = claimwatch(&["validate", "--config", "samples/claimwatch.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn problems_in_config_registry_and_patterns_are_all_reported_with_lines() {
    let scratch = Scratch::new();
    let config = scratch.write(
        "claimwatch.toml",
        r#"registry = "registry.toml"
patterns = "patterns"
colour = "blue"

[[vendor]]
id = "ok"
name = "Fine"
provider = "Known"
start_urls = ["https://www.ok.example/"]
allowed_hosts = ["www.ok.example"]

[[vendor]]
id = "ok"
name = "Duplicate"
start_urls = ["https://elsewhere.example/", "ftp://www.dup.example/"]
allowed_hosts = ["www.dup.example", "bad host"]
siren = "123456789"

[[vendor]]
id = "typo"
name = "Typo"
provider = "Unknwon"

[[vendor]]
id = "auto"
name = "Reserved"
"#,
    );
    let registry = scratch.write(
        "registry.toml",
        r#"as_of = 2026-09-15
source = "test"
schemes = ["secnumcloud"]

[[qualification]]
provider = "Known"
offer = "X"
scheme = "secnumcloud"
status = "qualifeid"
"#,
    );
    scratch.write("patterns/p.toml", "id = \"p\"\nname = \"P\"\nscheme = \"secnumcloud\"\n[[form]]\ntxt = \"P\"\n");

    let out = claimwatch(&["validate", "--config", config.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    let c = config.display().to_string();
    let r = registry.display().to_string();
    let p = scratch.path().join("patterns/p.toml").display().to_string();
    for (needle, why) in [
        (format!("{c}:3:1: unknown key `colour`"), "unknown top-level key"),
        (format!("{c}:13:6: vendor id `ok` is used twice"), "duplicate id"),
        (
            format!("{c}:15:15: start URL host `elsewhere.example` is not in `allowed_hosts`"),
            "start URL outside the site",
        ),
        (format!("{c}:15:45: start URL must be http or https"), "not http"),
        (format!("{c}:16:37: `bad host` is not a host name"), "bad host"),
        (format!("{c}:17:9: `123456789` is not a valid SIREN"), "bad SIREN"),
        (format!("{c}:25:6: vendor id `auto` is reserved"), "reserved id"),
        (format!("{r}:9:10: unknown variant `qualifeid`"), "registry status"),
        (format!("{p}:5:1: unknown field `txt`"), "pattern key"),
    ] {
        assert!(err.contains(&needle), "{why}: expected «{needle}» in\n{err}");
    }
    // The registry did not load, so the unknown provider cannot be checked: no false report.
    assert!(!err.contains("Unknwon"), "{err}");
}

#[test]
fn a_provider_the_registry_does_not_know_is_an_error_at_its_line() {
    let scratch = Scratch::new();
    std::fs::copy(fixture("registry.toml"), scratch.path().join("registry.toml")).unwrap();
    let patterns = root().join("patterns");
    let config = scratch.write(
        "claimwatch.toml",
        format!(
            "registry = \"registry.toml\"\npatterns = \"{}\"\n\n[[vendor]]\nid = \"typo\"\nname = \"Typo\"\nprovider = \"Qualifie SAS\"\n",
            patterns.display()
        ),
    );
    let out = claimwatch(&["validate", "--config", config.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{}:7:12: vendor `typo`: provider `Qualifie SAS` matches no entry", config.display())),
        "{err}"
    );
    assert!(err.contains("1 problem found"), "{err}");
}

#[test]
fn a_missing_config_file_is_a_clear_error() {
    let out = claimwatch(&["validate", "--config", "nowhere/claimwatch.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nowhere/claimwatch.toml: cannot read config"), "{}", stderr(&out));
}

#[test]
fn a_toml_syntax_error_names_its_line() {
    let scratch = Scratch::new();
    let config = scratch.write("c.toml", "registry = \"r.toml\"\npatterns = [unclosed\n");
    let out = claimwatch(&["validate", "--config", config.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(&format!("{}:2:", config.display())), "{}", stderr(&out));
    assert!(stderr(&out).contains("TOML syntax"), "{}", stderr(&out));
}

#[test]
fn the_shipped_config_shows_every_crawl_key_with_its_default() {
    let text = std::fs::read_to_string(root().join("config/claimwatch.toml")).unwrap();
    let table: toml::Table = toml::from_str(&text).unwrap();
    let crawl = table["crawl"].as_table().expect("a [crawl] section");
    let mut shown: Vec<&str> = crawl.keys().map(String::as_str).collect();
    shown.sort();
    let mut known = claimwatch::config::CRAWL_KEYS.to_vec();
    known.sort();
    assert_eq!(shown, known);
    let setup = claimwatch::config::load(&root().join("config/claimwatch.toml")).unwrap();
    let defaults = claimwatch::config::CrawlSettings::default();
    let c = &setup.config.crawl;
    assert_eq!(c.user_agent, defaults.user_agent);
    assert_eq!(
        (c.requests_per_second, c.burst, c.concurrency, c.max_concurrent_vendors),
        (defaults.requests_per_second, defaults.burst, defaults.concurrency, defaults.max_concurrent_vendors)
    );
    assert_eq!(
        (c.timeout, c.connect_timeout, c.run_budget),
        (defaults.timeout, defaults.connect_timeout, defaults.run_budget)
    );
    assert_eq!(
        (c.max_body_bytes, c.max_depth, c.max_pages, c.retries),
        (defaults.max_body_bytes, defaults.max_depth, defaults.max_pages, defaults.retries)
    );
    assert!(!c.allow_private_networks);
}

#[test]
fn bad_crawl_values_are_rejected_with_their_line() {
    let scratch = Scratch::new();
    let config = write_config(
        &scratch,
        "requests_per_second = 0
burst = 0
max_concurrent_vendors = 0
timeout_secs = -1
speed = 3",
        "[[vendor]]\nid = \"v\"\nname = \"v\"\ninclude = [\"(unclosed\"]\n",
    );
    let out = claimwatch(&["validate", "--config", config.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    for needle in [
        "`requests_per_second` must be a positive number",
        "`burst` must be at least 1",
        "`max_concurrent_vendors` must be at least 1",
        "`timeout_secs` must be a positive number",
        "unknown key `speed`",
        "invalid URL pattern",
    ] {
        assert!(err.contains(needle), "{needle}: {err}");
    }
}

#[test]
fn smtp_and_recipient_problems_are_reported_with_their_lines() {
    let scratch = Scratch::new();
    let alerts = "[smtp]\nhost = \"mail.example\"\nsecurity = \"ssl\"\nfrom = \"not an address\"\npassword_env = \"BAD-NAME\"\n\n\
                  [[recipient]]\nemail = \"nobody\"\n\n[[recipient]]\nemail = \"a@b.example\"\nvendors = [\"ghost\"]\nlang = \"de\"\n";
    let config = write_config(&scratch, "", &format!("{alerts}\n[[vendor]]\nid = \"v\"\nname = \"v\"\n"));
    let out = claimwatch(&["validate", "--config", config.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    for needle in [
        "unknown variant `ssl`",
        "`not an address` is not an email address",
        "password_env must name an environment variable",
        "`nobody` is not an email address",
        "unknown variant `de`",
    ] {
        assert!(err.contains(needle), "{needle}: {err}");
    }
}

#[test]
fn recipients_without_an_smtp_section_are_an_error() {
    let scratch = Scratch::new();
    let config = write_config(&scratch, "", "[[recipient]]\nemail = \"a@b.example\"\n");
    let out = claimwatch(&["validate", "--config", config.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("there is no [smtp] section"), "{}", stderr(&out));
}
