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
fn a_provider_the_registry_does_not_know_is_a_warning_at_its_line_with_the_likely_name() {
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
    // Not an error: a registry update that drops a provider must not stop the watch.
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "warning: {}:7:12: vendor `typo`: provider `Qualifie SAS` is not in the registry (did you mean `Qualifié SA`?): its claims will be unverified",
            config.display()
        )),
        "{err}"
    );
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
    let render = table["render"].as_table().expect("a [render] section");
    let mut shown: Vec<&str> = render.keys().map(String::as_str).collect();
    shown.sort();
    let mut known = claimwatch::config::RENDER_KEYS.to_vec();
    known.sort();
    assert_eq!(shown, known);
    assert_eq!(setup.config.render, claimwatch::config::RenderSettings::default());
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

/// A config in `scratch` with the test registry, the shipped patterns and `gazetteer` (relative to it).
fn config_with_gazetteer(scratch: &Scratch, gazetteer: &str, extra_top: &str) -> std::path::PathBuf {
    scratch.write(
        "claimwatch.toml",
        format!(
            "registry = \"{}\"\npatterns = \"{}\"\ngazetteer = \"{gazetteer}\"\n{extra_top}\n\
             [[vendor]]\nid = \"nuvexa\"\nname = \"Nuvexa\"\n",
            fixture("registry.toml").display(),
            root().join("patterns").display()
        ),
    )
}

/// A gazetteer with a TOML syntax error is rejected with its file and line.
#[test]
fn a_gazetteer_with_a_toml_syntax_error_is_rejected_at_its_line() {
    let scratch = Scratch::new();
    let g = scratch
        .write("gazetteer.toml", "[[organisation]]\nname = \"Nuvexa\"\n\n[[organisation]]\nname = \"Altostrat\n");
    let config = config_with_gazetteer(&scratch, "gazetteer.toml", "");
    let out = claimwatch(&["validate", "--config", config.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains(&format!("{}:5:", g.display())), "{err}");
    assert!(err.contains("TOML syntax"), "{err}");
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
}

/// Unknown keys in a gazetteer, in an entry or at the top, are rejected with their lines.
#[test]
fn unknown_keys_in_a_gazetteer_are_rejected_at_their_lines() {
    let scratch = Scratch::new();
    let g = scratch.write(
        "gazetteer.toml",
        "version = 2\n\n[[organisation]]\nname = \"Nuvexa\"\ncolour = \"bleu\"\n\n[[organisation]]\nname = \"Altostrat\"\nkind = \"bank\"\n",
    );
    let config = config_with_gazetteer(&scratch, "gazetteer.toml", "");
    let out = claimwatch(&["validate", "--config", config.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    let g = g.display().to_string();
    for (needle, why) in [
        (format!("{g}:1:1: unknown key `version`"), "top-level key"),
        (format!("{g}:5:1: unknown field `colour`"), "entry key"),
        (format!("{g}:9:8: unknown variant `bank`"), "kind"),
    ] {
        assert!(err.contains(&needle), "{why}: expected «{needle}» in\n{err}");
    }
    assert!(err.contains("3 problems found"), "{err}");
}

/// A name given twice (as a name or an alias, whatever its spelling) is rejected at its line, naming the first one.
#[test]
fn a_name_given_twice_in_the_gazetteer_is_rejected_at_its_line() {
    let scratch = Scratch::new();
    let g = scratch.write(
        "gazetteer.toml",
        "[[organisation]]\nname = \"Nuvexa\"\n\n[[organisation]]\nname = \"Altostrat\"\n\n\
         [[organisation]]\nname = \"Brumaire\"\naliases = [\"NUVEXA\"]\n\n[[organisation]]\nname = \"Alto-Strat\"\n",
    );
    let config = config_with_gazetteer(&scratch, "gazetteer.toml", "");
    let out = claimwatch(&["validate", "--config", config.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    let g = g.display().to_string();
    assert!(err.contains(&format!("{g}:9:12: `NUVEXA` is already a name of `Nuvexa` (line 1)")), "{err}");
    assert!(err.contains(&format!("{g}:12:8: `Alto-Strat` is already a name of `Altostrat` (line 4)")), "{err}");
    assert!(err.contains("2 problems found"), "{err}");
}

/// A gazetteer path that cannot be read is reported with that path.
#[test]
fn an_unreadable_gazetteer_is_reported_with_its_path() {
    let scratch = Scratch::new();
    let config = config_with_gazetteer(&scratch, "nowhere/gazetteer.toml", "");
    let out = claimwatch(&["validate", "--config", config.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    let g = scratch.path().join("nowhere/gazetteer.toml").display().to_string();
    assert!(err.contains(&format!("{g}: cannot read gazetteer")), "{err}");
    // A directory is no gazetteer either.
    std::fs::create_dir_all(scratch.path().join("dir.toml")).unwrap();
    let config = config_with_gazetteer(&scratch, "dir.toml", "");
    let out = claimwatch(&["validate", "--config", config.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("dir.toml: cannot read gazetteer"), "{}", stderr(&out));
}

/// A broken gazetteer is reported together with the problems of the config, the registry and the patterns, each with file and line.
#[test]
fn gazetteer_problems_are_reported_alongside_other_files_problems() {
    let scratch = Scratch::new();
    let g = scratch.write("gazetteer.toml", "[[organisation]]\nname = \"Nuvexa\"\nrole = \"host\"\n");
    let r = scratch.write(
        "registry.toml",
        "as_of = 2026-09-15\nsource = \"test\"\nschemes = [\"secnumcloud\"]\n\n[[qualification]]\nprovider = \"Altostrat\"\n\
         offer = \"X\"\nscheme = \"secnumcloud\"\nstatus = \"qualifeid\"\n",
    );
    scratch.write("patterns/p.toml", "id = \"p\"\nname = \"P\"\nscheme = \"secnumcloud\"\n[[form]]\ntxt = \"P\"\n");
    let config = scratch.write(
        "claimwatch.toml",
        "registry = \"registry.toml\"\npatterns = \"patterns\"\ngazetteer = \"gazetteer.toml\"\ncolour = \"blue\"\n",
    );
    let out = claimwatch(&["validate", "--config", config.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    let p = scratch.path().join("patterns/p.toml");
    for needle in [
        format!("{}:4:1: unknown key `colour`", config.display()),
        format!("{}:9:10: unknown variant `qualifeid`", r.display()),
        format!("{}:5:1: unknown field `txt`", p.display()),
        format!("{}:3:1: unknown field `role`", g.display()),
    ] {
        assert!(err.contains(&needle), "expected «{needle}» in\n{err}");
    }
}

/// `check` with a broken gazetteer stops before any request reaches the vendor's site.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_gazetteer_stops_check_before_any_crawl() {
    let site = common::server::TestServer::start("127.0.0.1").await;
    site.page("/", "<html><body><p>Offre qualifiée SecNumCloud.</p></body></html>");
    let scratch = Scratch::new();
    let g =
        scratch.write("gazetteer.toml", "[[organisation]]\nname = \"Nuvexa\"\n[[organisation]]\nname = \"nuvexa\"\n");
    let config = write_config(&scratch, "allow_private_networks = true", &vendor_toml("v", &site.url("/"), ""));
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("gazetteer = \"{}\"\n{text}", g.display())).unwrap();
    let out = cli(vec!["check".into(), "--config".into(), config.display().to_string()]).await;
    assert_eq!(out.status.code(), Some(2), "{}{}", stdout(&out), stderr(&out));
    assert!(stderr(&out).contains(&format!("{}:4:", g.display())), "{}", stderr(&out));
    assert!(site.hits().is_empty(), "no request was sent: {:?}", site.hits().len());
}

/// `validate` on the shipped config reports how many organisations the gazetteer holds and the reading version.
#[test]
fn validate_reports_the_gazetteer_size_and_the_reading_version() {
    let out = claimwatch(&["validate"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let shipped = claimwatch::gazetteer::Gazetteer::load(&root().join("config/gazetteer.toml")).unwrap();
    assert!(shipped.organisations.len() > 10, "the shipped gazetteer names many organisations");
    assert!(text.contains(&format!("{} organisations in the gazetteer", shipped.organisations.len())), "{text}");
    let setup = claimwatch::config::load(&root().join("config/claimwatch.toml")).unwrap();
    let version = setup.reading_version();
    assert_eq!(version.len(), 16);
    assert!(version.chars().all(|c| c.is_ascii_hexdigit()));
    assert!(text.trim_end().ends_with(&format!("reading version {version}")), "{text}");
    // Editing the gazetteer changes the reading version.
    let scratch = Scratch::new();
    let g = scratch.write("g.toml", "[[organisation]]\nname = \"Nuvexa\"\n");
    let config = config_with_gazetteer(&scratch, &g.display().to_string(), "");
    let one = stdout(&claimwatch(&["validate", "--config", config.to_str().unwrap()]));
    assert!(one.contains("1 organisation in the gazetteer"), "{one}");
    std::fs::write(&g, "[[organisation]]\nname = \"Nuvexa\"\n\n[[organisation]]\nname = \"Altostrat\"\n").unwrap();
    let two = stdout(&claimwatch(&["validate", "--config", config.to_str().unwrap()]));
    assert!(two.contains("2 organisations in the gazetteer"), "{two}");
    let version_of = |t: &str| t.trim_end().rsplit(' ').next().unwrap().to_string();
    assert_ne!(version_of(&one), version_of(&two), "{one}\n{two}");
}

#[test]
fn bad_render_settings_are_refused_at_their_line() {
    let scratch = Scratch::new();
    let config = scratch.write(
        "claimwatch.toml",
        format!(
            "registry = \"{}\"\npatterns = \"{}\"\n\n[render]\nenabled = true\nconcurrency = 0\npage_timeout_secs = -1\ntabs = 3\n\n\
             [[vendor]]\nid = \"spa\"\nname = \"Spa\"\nstart_urls = [\"https://www.spa.example/\"]\nallowed_hosts = [\"www.spa.example\"]\n\
             render = \"sometimes\"\nrender_hosts = [\"cdn spa\"]\n",
            fixture("registry.toml").display(),
            root().join("patterns").display()
        ),
    );
    let out = claimwatch(&["validate", "--config", config.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    let c = config.display().to_string();
    for needle in [
        format!("{c}:6:15: `concurrency` must be at least 1"),
        format!("{c}:7:21: `page_timeout_secs` must be a positive number"),
        format!("{c}:8:1: unknown key `tabs`"),
        format!("{c}:15:10: render must be \"always\", \"shell\" or \"never\", not \"sometimes\""),
        format!("{c}:16:17: `cdn spa` is not a host name"),
    ] {
        assert!(err.contains(&needle), "expected «{needle}» in\n{err}");
    }
    assert!(err.contains("5 problems found"), "{err}");
}
