//! Pattern files: the shipped ones pass their own examples, a new label needs only a new file, a broken file is rejected with file, line and reason.

mod common;

use claimwatch::gazetteer::Gazetteer;
use claimwatch::patterns::{load_dir, run_examples};
use common::*;

#[test]
fn every_shipped_pattern_file_passes_its_own_examples() {
    let set = load_dir(&root().join("patterns")).expect("shipped patterns load");
    let ids: Vec<&str> = set.labels.iter().map(|l| l.id.as_str()).collect();
    for required in ["secnumcloud", "cloud-de-confiance", "hds"] {
        assert!(ids.contains(&required), "{required} is shipped");
    }
    let gazetteer = Gazetteer::load(&root().join("config/gazetteer.toml")).expect("shipped gazetteer loads");
    let outcomes = run_examples(&set, &gazetteer);
    let failures: Vec<String> = outcomes
        .iter()
        .filter(|o| !o.passed())
        .map(|o| format!("{}:{} «{}» expected {:?} got {:?}", o.file.display(), o.line, o.text, o.expected, o.got))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    for label in &set.labels {
        let mine = outcomes.iter().filter(|o| o.label == label.id).count();
        assert!(mine >= 15, "{} carries only {mine} examples", label.id);
    }
}

#[test]
fn each_shipped_file_has_examples_of_traps_not_only_claims() {
    let set = load_dir(&root().join("patterns")).unwrap();
    for label in &set.labels {
        let kinds: Vec<_> = label.examples.iter().map(|e| e.expected).collect();
        assert!(kinds.contains(&Some(claimwatch::patterns::ClaimKind::Assertion)), "{}", label.id);
        assert!(kinds.contains(&Some(claimwatch::patterns::ClaimKind::Negation)), "{}", label.id);
        assert!(kinds.contains(&Some(claimwatch::patterns::ClaimKind::Mention)), "{}", label.id);
        assert!(kinds.contains(&None), "{} has a text that must not match at all", label.id);
    }
}

#[test]
fn patterns_test_command_passes_on_the_shipped_files() {
    let out = claimwatch(&["patterns", "test", "patterns"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("secnumcloud.toml:"), "{}", stdout(&out));
}

const ISO_27001: &str = r#"
id = "iso-27001"
name = "ISO/IEC 27001"
scheme = "iso27001"

[[form]]
text = "ISO 27001"

[[form]]
text = "ISO/IEC 27001"

[[rule]]
kind = "negation"
before = '''\bnon\s+certifie\w*$'''

[[rule]]
kind = "assertion"
before = '''certifie\w*$'''

[[example]]
text = "Nos datacenters sont certifiés ISO 27001."
kind = "assertion"

[[example]]
text = "Un service non certifié ISO 27001."
kind = "negation"

[[example]]
text = "ISO 9001 seulement"
kind = "none"
"#;

#[test]
fn a_new_label_is_one_new_file_and_no_code_change() {
    let scratch = Scratch::new();
    let dir = scratch.path().join("patterns");
    copy_patterns(&dir);
    std::fs::write(dir.join("iso-27001.toml"), ISO_27001).unwrap();
    std::fs::copy(fixture("registry.toml"), scratch.path().join("registry.toml")).unwrap();
    let config = scratch.write(
        "claimwatch.toml",
        "registry = \"registry.toml\"\npatterns = \"patterns\"\n[[vendor]]\nid = \"v\"\nname = \"V\"\n",
    );
    let page =
        scratch.write("page.html", "<p>Nos datacenters sont certifiés ISO/IEC 27001 et qualifiés SecNumCloud.</p>");

    let gazetteer = root().join("config/gazetteer.toml");
    let test = claimwatch(&["patterns", "test", dir.to_str().unwrap(), "--gazetteer", gazetteer.to_str().unwrap()]);
    assert_eq!(test.status.code(), Some(0), "{}", stdout(&test));
    assert!(stdout(&test).contains("iso-27001.toml: 3/3 examples pass"), "{}", stdout(&test));

    let out = claimwatch(&[
        "scan",
        "--format",
        "json",
        "--config",
        config.to_str().unwrap(),
        "--vendor",
        "v",
        page.to_str().unwrap(),
    ]);
    let iso: Vec<_> = claims(&out).into_iter().filter(|c| c["label"] == "iso-27001").collect();
    assert_eq!(iso.len(), 1, "{}", stdout(&out));
    assert_eq!(iso[0]["kind"], "assertion");
    assert_eq!(iso[0]["matched"], "ISO/IEC 27001");
    assert_eq!(iso[0]["verdict"], "unverified", "no registry covers iso27001");
}

#[test]
fn a_failing_example_makes_patterns_test_exit_1_and_names_its_line() {
    let scratch = Scratch::new();
    let wrong = ISO_27001.replace("kind = \"negation\"\n\n[[example]]", "kind = \"assertion\"\n\n[[example]]");
    scratch.write("iso.toml", wrong);
    let out = claimwatch(&["patterns", "test", scratch.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("FAIL"), "{text}");
    assert!(text.contains("iso.toml:24:"), "the example's line: {text}");
    assert!(text.contains("expected assertion, got negation"), "{text}");
}

#[test]
fn a_broken_pattern_file_is_rejected_with_every_problem_and_its_line() {
    let scratch = Scratch::new();
    scratch.write(
        "broken.toml",
        r#"id = "broken"
name = "Broken"
scheme = "broken"
colour = "red"

[[form]]
text = "Broken"

[[rule]]
kind = "asertion"
before = "x"

[[rule]]
kind = "mention"
before = '''(unclosed'''

[[rule]]
kind = "mention"
after = '''qualifié'''

[[rule]]
kind = "mention"
sentence = '''{nowhere}'''

[[rule]]
kind = "mention"

[[example]]
text = "Broken"
kind = "mention"
"#,
    );
    let out = claimwatch(&["patterns", "test", scratch.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    let path = scratch.path().join("broken.toml");
    let at = |line: usize| format!("{}:{line}:", path.display());
    assert!(err.contains(&format!("{}1: unknown key `colour`", at(4))), "{err}");
    assert!(err.contains(&at(10)) && err.contains("asertion"), "bad kind: {err}");
    assert!(err.contains(&at(15)) && err.contains("invalid regex"), "{err}");
    assert!(err.contains(&at(19)) && err.contains("folded text"), "accented rule: {err}");
    assert!(err.contains(&at(23)) && err.contains("unknown variable `{nowhere}`"), "{err}");
    assert!(err.contains(&at(25)) && err.contains("needs at least one of"), "{err}");
}

#[test]
fn a_rule_regex_that_would_escape_its_anchor_is_rejected() {
    // Wrapped as `(?:x)|(y)$`, this `before` would match an `x` anywhere before the label.
    let (good, bad) = (r"'''certifie\w*$'''", r"'''certifie\w*)|(iso'''");
    let escaping = ISO_27001.replace(good, bad);
    let line = escaping.lines().position(|l| l.contains(bad)).unwrap() + 1;
    let scratch = Scratch::new();
    scratch.write("iso.toml", &escaping);
    let err = load_dir(scratch.path()).unwrap_err().to_string();
    let path = scratch.path().join("iso.toml");
    assert!(err.contains(&format!("{}:{line}:", path.display())), "{err}");
    assert!(err.contains("invalid regex: unopened group"), "{err}");

    // The same alternation kept inside the rule's own group is fine.
    scratch.write("iso.toml", ISO_27001.replace(good, r"'''(?:certifie\w*|iso)$'''"));
    load_dir(scratch.path()).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn two_files_defining_one_label_are_rejected() {
    let scratch = Scratch::new();
    scratch.write("a.toml", ISO_27001);
    scratch.write("b.toml", ISO_27001);
    let err = load_dir(scratch.path()).unwrap_err().to_string();
    assert!(err.contains("b.toml") && err.contains("already defined"), "{err}");
}

#[test]
fn an_empty_pattern_directory_is_an_error() {
    let scratch = Scratch::new();
    let err = load_dir(scratch.path()).unwrap_err().to_string();
    assert!(err.contains("no pattern files"), "{err}");
}
