//! The documentation: the README stays short, keeps its two commands and links every file of `docs/`; links between documents hold; `docs/configuration.md` has a row for every key the loaders accept, and none for a key they refuse.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use claimwatch::{config, gazetteer, patterns, registry};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every list of keys a loader accepts, with the section of `docs/configuration.md` (a `##`
/// heading, then a `###` heading under it) whose table must have a row for each.
fn key_lists() -> Vec<(&'static str, &'static str, &'static [&'static str])> {
    vec![
        ("The config file", "Top-level keys", config::TOP_KEYS),
        ("The config file", "`[crawl]`", config::CRAWL_KEYS),
        ("The config file", "`[render]`", config::RENDER_KEYS),
        ("The config file", "`[store]`", config::STORE_KEYS),
        ("The config file", "`[evidence]`", config::EVIDENCE_KEYS),
        ("The config file", "`[smtp]`", config::SMTP_KEYS),
        ("The config file", "`[[recipient]]`", config::RECIPIENT_KEYS),
        ("The config file", "`[schedule]`", config::SCHEDULE_KEYS),
        ("The config file", "`[http]`", config::HTTP_KEYS),
        ("The config file", "`[[vendor]]`", config::VENDOR_KEYS),
        ("The registry file", "Top-level keys", registry::TOP_KEYS),
        ("The registry file", "`[[qualification]]`", registry::QUALIFICATION_KEYS),
        ("The gazetteer file", "Top-level keys", gazetteer::TOP_KEYS),
        ("The gazetteer file", "`[[organisation]]`", gazetteer::ORGANISATION_KEYS),
        ("Pattern files", "Top-level keys", patterns::TOP_KEYS),
        ("Pattern files", "`[[form]]`", patterns::FORM_KEYS),
        ("Pattern files", "`[[rule]]`", patterns::RULE_KEYS),
        ("Pattern files", "`[[example]]`", patterns::EXAMPLE_KEYS),
    ]
}

/// The text under `heading` (a whole heading line such as `## Title`), up to the next heading
/// of the same or a higher level.
fn section<'a>(text: &'a str, heading: &str) -> Option<&'a str> {
    let level = heading.chars().take_while(|&c| c == '#').count();
    let start = text.lines().position(|l| l == heading)?;
    let body: Vec<&str> = text.lines().skip(start + 1).collect();
    let end = body
        .iter()
        .position(|l| {
            let hashes = l.chars().take_while(|&c| c == '#').count();
            hashes > 0 && hashes <= level && l[hashes..].starts_with(' ')
        })
        .unwrap_or(body.len());
    // Lines are slices of `text`: give back the span they cover.
    let first = body.first()?;
    let from = first.as_ptr() as usize - text.as_ptr() as usize;
    let to = match body.get(end) {
        Some(next) => next.as_ptr() as usize - text.as_ptr() as usize,
        None => text.len(),
    };
    Some(&text[from..to])
}

/// The keys of a section's table: the rows that start with `` | `key` | ``.
fn table_keys(section: &str) -> Vec<&str> {
    section.lines().filter_map(|l| l.strip_prefix("| `")?.split_once("` |").map(|(key, _)| key)).collect()
}

#[test]
fn every_key_the_loaders_accept_has_a_row_in_its_section_of_the_configuration_reference() {
    let doc = read(Path::new("docs/configuration.md"));
    let mut problems = Vec::new();
    for (h2, h3, keys) in key_lists() {
        let Some(part) = section(&doc, &format!("## {h2}")) else {
            problems.push(format!("no `## {h2}` section"));
            continue;
        };
        let Some(table) = section(part, &format!("### {h3}")) else {
            problems.push(format!("no `### {h3}` section under `## {h2}`"));
            continue;
        };
        let rows = table_keys(table);
        for key in keys {
            if !rows.contains(key) {
                problems.push(format!("{h2} › {h3}: no row for `{key}`"));
            }
        }
        for row in &rows {
            if !keys.contains(row) {
                problems.push(format!("{h2} › {h3}: a row for `{row}`, which the loader does not accept"));
            }
        }
        let unique: BTreeSet<&&str> = rows.iter().collect();
        if unique.len() != rows.len() {
            problems.push(format!("{h2} › {h3}: a key has two rows"));
        }
    }
    assert!(problems.is_empty(), "docs/configuration.md:\n{}", problems.join("\n"));
}

/// The `docs/*.md` files the README links to (`](docs/NAME.md` or `](docs/NAME.md#anchor`).
fn readme_doc_links(readme: &str) -> BTreeSet<String> {
    readme
        .split("](docs/")
        .skip(1)
        .filter_map(|rest| {
            let target = &rest[..rest.find(')')?];
            let file = target.split('#').next()?;
            file.ends_with(".md").then(|| file.to_string())
        })
        .collect()
}

#[test]
fn the_readme_links_every_file_of_docs_and_each_link_names_a_file_there() {
    let readme = read(Path::new("README.md"));
    let linked = readme_doc_links(&readme);
    let present: BTreeSet<String> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".md"))
        .collect();
    assert!(!present.is_empty());
    let dangling: Vec<&String> = linked.difference(&present).collect();
    assert!(dangling.is_empty(), "the README links to docs/ files that do not exist: {dangling:?}");
    let unlinked: Vec<&String> = present.difference(&linked).collect();
    assert!(unlinked.is_empty(), "docs/ files the README does not link to: {unlinked:?}");
}

/// A heading's anchor as GitHub makes it: lower case, spaces to `-`, punctuation dropped.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn anchors(text: &str) -> BTreeSet<String> {
    let mut in_code = false;
    let mut found = BTreeSet::new();
    for line in text.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
        } else if !in_code && line.starts_with('#') {
            found.insert(anchor(line.trim_start_matches('#')));
        }
    }
    found
}

#[test]
fn relative_links_in_the_documentation_reach_a_file_and_heading_that_exist() {
    let mut documents: Vec<PathBuf> = vec!["README.md".into(), "SECURITY.md".into(), "patterns/README.md".into()];
    for entry in std::fs::read_dir(root().join("docs")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".md") {
            documents.push(Path::new("docs").join(name));
        }
    }
    let mut broken = Vec::new();
    for document in &documents {
        let text = read(document);
        for rest in text.split("](").skip(1) {
            let Some(target) = rest.find(')').map(|end| &rest[..end]) else { continue };
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (file, fragment) = target.split_once('#').unwrap_or((target, ""));
            let path =
                if file.is_empty() { document.clone() } else { document.parent().unwrap_or(Path::new("")).join(file) };
            if !root().join(&path).exists() {
                broken.push(format!("{}: {target} (no such file)", document.display()));
            } else if !fragment.is_empty() && !anchors(&read(&path)).contains(fragment) {
                broken.push(format!("{}: {target} (no such heading)", document.display()));
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn the_readme_stays_short_and_keeps_its_two_commands() {
    let readme = read(Path::new("README.md"));
    assert!(readme.len() < 12 * 1024, "README.md is {} bytes: move reference material to docs/", readme.len());
    assert!(readme.contains("```sh\ncargo run --release -- demo\n```"), "the demo command changed");
    // .ci/run runs the README's test command.
    assert!(readme.contains("```sh\ncargo test\n```"), "the test command changed");
    let commands = readme.find("## Two commands").expect("a `## Two commands` section");
    let tour = readme.find("## A short tour").expect("a `## A short tour` section");
    assert!(
        commands < tour && readme[commands..tour].contains("cargo test\n"),
        "the two commands come before the tour"
    );
    assert!(readme.contains("## Exit codes"), "the exit codes table stays in the README");
}

#[test]
fn the_anchor_of_a_heading_is_githubs() {
    assert_eq!(anchor(" `[crawl]`"), "crawl");
    assert_eq!(anchor(" Pages that JavaScript builds"), "pages-that-javascript-builds");
    assert_eq!(anchor(" `[[vendor]]`"), "vendor");
}
