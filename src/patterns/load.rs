//! Reads and checks pattern files, reporting every problem of every file with its line.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use super::{ClaimKind, Example, Form, Label, Origin, PatternSet, Rule, form_end, form_regex};
use crate::diag::{Diagnostic, Diagnostics, OneOrMany, TomlDoc};
use crate::extract::{Location, Region, normalize};

#[derive(Debug, thiserror::Error)]
pub enum PatternError {
    #[error("{0}")]
    Invalid(Diagnostics),
}

impl PatternError {
    pub fn diagnostics(&self) -> &Diagnostics {
        match self {
            PatternError::Invalid(d) => d,
        }
    }
}

/// Every top-level key of a pattern file.
pub const TOP_KEYS: &[&str] =
    &["id", "name", "scheme", "description", "default_kind", "suffix", "vars", "form", "rule", "example"];

/// Every key of a `[[form]]` (the fields of `FormSpec`; a test checks it).
pub const FORM_KEYS: &[&str] = &["text", "spaced", "kind"];

/// Every key of a `[[rule]]` (the fields of `RuleSpec`; a test checks it).
pub const RULE_KEYS: &[&str] = &[
    "kind",
    "before",
    "after",
    "sentence",
    "locations",
    "link_to",
    "subject",
    "speech",
    "regions",
    "article",
    "borrowing",
    "display",
    "why",
];

/// Every key of an `[[example]]` (the fields of `ExampleSpec`; a test checks it).
pub const EXAMPLE_KEYS: &[&str] = &["text", "kind", "location", "link_to", "owner", "region", "genre", "subject"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FormSpec {
    text: Spanned<String>,
    #[serde(default)]
    spaced: bool,
    kind: Option<ClaimKind>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    kind: ClaimKind,
    before: Option<Spanned<String>>,
    after: Option<Spanned<String>>,
    sentence: Option<Spanned<String>>,
    locations: Option<Vec<Location>>,
    link_to: Option<Vec<String>>,
    subject: Option<OneOrMany>,
    speech: Option<OneOrMany>,
    regions: Option<Vec<Spanned<String>>>,
    article: Option<bool>,
    borrowing: Option<bool>,
    display: Option<OneOrMany>,
    why: Option<String>,
}

/// Values a rule's `subject` may take.
const SUBJECT_CUES: &[&str] = &["first_person", "second_person", "organisation", "generic", "none"];
/// Values a rule's `speech` may take.
const SPEECH_CUES: &[&str] =
    &["reported", "quotation", "headline", "hypothetical", "question", "normative", "topic", "foreign", "none"];
/// Values a rule's `display` may take.
const DISPLAY_CUES: &[&str] = &["tagline", "badge", "list", "name", "none"];

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum Expected {
    Assertion,
    InProgress,
    Adjacent,
    Mention,
    Negation,
    None,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExampleSpec {
    text: String,
    kind: Expected,
    location: Option<Location>,
    link_to: Option<String>,
    owner: Option<OneOrMany>,
    region: Option<Spanned<String>>,
    genre: Option<Spanned<String>>,
    subject: Option<Spanned<String>>,
}

/// Loads every `*.toml` of `dir` (sorted by name) into one set; all problems at once.
pub fn load_dir(dir: &Path) -> Result<PatternSet, PatternError> {
    let mut diags = Diagnostics::default();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            diags.push(Diagnostic::whole_file(dir, format!("cannot read pattern directory: {e}")));
            return Err(PatternError::Invalid(diags));
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
        .collect();
    files.sort();
    if files.is_empty() {
        diags.push(Diagnostic::whole_file(dir, "no pattern files (*.toml) in this directory"));
    }
    let mut labels: Vec<Label> = Vec::new();
    let mut digest = sha2::Sha256::new();
    for file in &files {
        use sha2::Digest;
        digest.update(file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default().as_bytes());
        digest.update(b"\0");
        digest.update(std::fs::read(file).unwrap_or_default());
        digest.update(b"\0");
        match load_file(file) {
            Ok(label) => {
                if let Some(other) = labels.iter().find(|l| l.id == label.id) {
                    diags.push(Diagnostic::whole_file(
                        file,
                        format!("label id `{}` is already defined by {}", label.id, other.file.display()),
                    ));
                } else {
                    labels.push(label);
                }
            }
            Err(PatternError::Invalid(d)) => diags.extend(d),
        }
    }
    if !diags.is_empty() {
        return Err(PatternError::Invalid(diags));
    }
    use sha2::Digest;
    let sha256 = hex::encode(digest.finalize());
    PatternSet::new(labels)
        .map(|s| PatternSet { sha256, ..s })
        .map_err(|e| PatternError::Invalid(Diagnostic::whole_file(dir, format!("labels do not combine: {e}")).into()))
}

/// Loads one pattern file.
pub fn load_file(path: &Path) -> Result<Label, PatternError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        PatternError::Invalid(Diagnostic::whole_file(path, format!("cannot read pattern file: {e}")).into())
    })?;
    parse_file(path, &text)
}

/// Parses the text of one pattern file; `path` is only used in diagnostics and origins.
pub fn parse_file(path: &Path, text: &str) -> Result<Label, PatternError> {
    let mut doc = TomlDoc::new(path, text);
    let label = parse(&mut doc);
    match label {
        Some(label) if doc.diagnostics.is_empty() => Ok(label),
        _ => Err(PatternError::Invalid(std::mem::take(&mut doc.diagnostics).sorted())),
    }
}

fn parse(doc: &mut TomlDoc<'_>) -> Option<Label> {
    let mut table = doc.parse()?;
    let whole = 0..0;
    let id: Option<Spanned<String>> = doc.require(&mut table, whole.clone(), "id");
    let name: Option<String> = doc.require(&mut table, whole.clone(), "name");
    let scheme: Option<Spanned<String>> = doc.require(&mut table, whole.clone(), "scheme");
    let description: Option<String> = doc.take(&mut table, "description");
    let default_kind: Option<ClaimKind> = doc.take(&mut table, "default_kind");
    let suffix: Option<Spanned<String>> = doc.take(&mut table, "suffix");
    let vars: BTreeMap<String, Spanned<String>> = doc.take(&mut table, "vars").unwrap_or_default();
    let form_specs: Vec<(FormSpec, Range<usize>)> = doc.take_array(&mut table, "form");
    let rule_specs: Vec<(RuleSpec, Range<usize>)> = doc.take_array(&mut table, "rule");
    let example_specs: Vec<(ExampleSpec, Range<usize>)> = doc.take_array(&mut table, "example");
    doc.reject_unknown(table, TOP_KEYS);

    for key in [&id, &scheme].into_iter().flatten() {
        if !is_identifier(key.get_ref()) {
            doc.error(key.span(), format!("`{}` must be lower case letters, digits and dashes", key.get_ref()));
        }
    }
    let vars = expand_vars(doc, vars);
    let suffix_re = suffix.as_ref().and_then(|s| compile(doc, &vars, s, "(?:", ")"));
    let suffix_src = suffix_re.map(|r| format!("(?:{})?", r.as_str())).unwrap_or_default();

    let mut forms = Vec::new();
    let mut alternatives: Vec<(usize, String)> = Vec::new();
    for (spec, span) in &form_specs {
        let folded = normalize(spec.text.get_ref());
        if folded.is_empty() {
            doc.error(spec.text.span(), "form text is empty once folded");
            continue;
        }
        let body = form_regex(&folded, spec.spaced);
        let full = format!("{body}{suffix_src}{}", form_end(&folded));
        match Regex::new(&format!("^(?:{full})$")) {
            Ok(exact) => forms.push(Form { text: spec.text.get_ref().clone(), exact, kind: spec.kind }),
            Err(e) => doc.error(span.clone(), format!("form does not compile: {e}")),
        }
        alternatives.push((folded.len(), full));
    }
    if form_specs.is_empty() && doc.diagnostics.is_empty() {
        doc.error(0..0, "a pattern file needs at least one [[form]]");
    }
    // Longest first, so that "cloud. de confiance" wins over "cloud de confiance" at one spot.
    alternatives.sort_by_key(|a| std::cmp::Reverse(a.0));
    let finder_src = alternatives.into_iter().map(|(_, s)| s).collect::<Vec<_>>().join("|");
    let finder = Regex::new(&format!("(?:{finder_src})"));

    let mut rules = Vec::new();
    for (spec, span) in rule_specs {
        if let Some(rule) = compile_rule(doc, &vars, spec, span) {
            rules.push(rule);
        }
    }

    let mut examples = Vec::new();
    for (spec, span) in example_specs {
        let expected = match spec.kind {
            Expected::Assertion => Some(ClaimKind::Assertion),
            Expected::InProgress => Some(ClaimKind::InProgress),
            Expected::Adjacent => Some(ClaimKind::Adjacent),
            Expected::Mention => Some(ClaimKind::Mention),
            Expected::Negation => Some(ClaimKind::Negation),
            Expected::None => None,
        };
        let (line, _) = doc.locate(span.start);
        let region = match &spec.region {
            None => Region::Body,
            Some(r) => Region::parse(r.get_ref()).unwrap_or_else(|| {
                doc.error(
                    r.span(),
                    format!("unknown region `{}` (body, header, nav, main, article, aside, footer)", r.get_ref()),
                );
                Region::Body
            }),
        };
        let article = match &spec.genre {
            None => false,
            Some(g) => match g.get_ref().as_str() {
                "article" => true,
                "page" => false,
                other => {
                    doc.error(g.span(), format!("unknown genre `{other}` (article or page)"));
                    false
                }
            },
        };
        let subject = spec.subject.as_ref().and_then(|s| {
            let parsed = crate::judge::Subject::parse(s.get_ref());
            if parsed.is_none() {
                doc.error(s.span(), format!("unknown subject `{}` (own, third_party, generic)", s.get_ref()));
            }
            parsed
        });
        examples.push(Example {
            text: spec.text,
            expected,
            location: spec.location.unwrap_or(Location::Text),
            link_to: spec.link_to,
            owner: spec.owner.map(OneOrMany::into_vec).unwrap_or_default(),
            region,
            article,
            subject,
            line,
        });
    }
    if examples.is_empty() && doc.diagnostics.is_empty() {
        doc.error(0..0, "a pattern file needs [[example]]s: they are how its rules are tested");
    }

    let finder = match finder {
        Ok(f) => f,
        Err(e) => {
            doc.error(0..0, format!("forms do not compile together: {e}"));
            return None;
        }
    };
    Some(Label {
        id: id?.into_inner(),
        name: name?,
        scheme: scheme?.into_inner(),
        description,
        file: doc.path().to_path_buf(),
        default_kind: default_kind.unwrap_or(ClaimKind::Mention),
        forms,
        finder,
        rules,
        examples,
    })
}

fn compile_rule(doc: &mut TomlDoc<'_>, vars: &Vars, spec: RuleSpec, span: Range<usize>) -> Option<Rule> {
    let before = spec.before.as_ref().and_then(|s| compile(doc, vars, s, "(?:", ")$"));
    let after = spec.after.as_ref().and_then(|s| compile(doc, vars, s, "^(?:", ")"));
    let sentence = spec.sentence.as_ref().and_then(|s| compile(doc, vars, s, "(?:", ")"));
    let link_to: Vec<String> = spec.link_to.unwrap_or_default().into_iter().map(|h| h.to_ascii_lowercase()).collect();
    let subject = cue_values(doc, span.clone(), spec.subject, SUBJECT_CUES, "subject");
    let speech = cue_values(doc, span.clone(), spec.speech, SPEECH_CUES, "speech");
    let display = cue_values(doc, span.clone(), spec.display, DISPLAY_CUES, "display");
    let regions = spec.regions.map(|rs| {
        rs.iter()
            .filter_map(|r| {
                let parsed = Region::parse(r.get_ref());
                if parsed.is_none() {
                    doc.error(
                        r.span(),
                        format!("unknown region `{}` (body, header, nav, main, article, aside, footer)", r.get_ref()),
                    );
                }
                parsed
            })
            .collect::<Vec<_>>()
    });
    let has_condition = spec.before.is_some()
        || spec.after.is_some()
        || spec.sentence.is_some()
        || spec.locations.is_some()
        || !link_to.is_empty()
        || subject.is_some()
        || speech.is_some()
        || regions.is_some()
        || spec.article.is_some()
        || spec.borrowing.is_some()
        || display.is_some();
    if !has_condition {
        doc.error(
            span.clone(),
            "a rule needs at least one of `before`, `after`, `sentence`, `locations`, `link_to`, `subject`, `speech`, `regions`, `article`, `borrowing`, `display`",
        );
        return None;
    }
    let failed = |s: &Option<Spanned<String>>, r: &Option<Regex>| s.is_some() && r.is_none();
    if failed(&spec.before, &before) || failed(&spec.after, &after) || failed(&spec.sentence, &sentence) {
        return None;
    }
    let (line, _) = doc.locate(span.start);
    Some(Rule {
        kind: spec.kind,
        before,
        after,
        sentence,
        locations: spec.locations,
        link_to,
        subject,
        speech,
        regions,
        article: spec.article,
        borrowing: spec.borrowing,
        display,
        why: spec.why,
        origin: Origin { file: doc.path().to_path_buf(), line },
    })
}

/// A cue condition's values, each checked against what the cue can be.
fn cue_values(
    doc: &mut TomlDoc<'_>,
    rule: Range<usize>,
    values: Option<OneOrMany>,
    allowed: &[&str],
    what: &str,
) -> Option<Vec<String>> {
    let values = values?.into_vec();
    for v in &values {
        if !allowed.contains(&v.as_str()) {
            doc.error(rule.clone(), format!("unknown {what} `{v}` (one of {})", allowed.join(", ")));
        }
    }
    Some(values)
}

/// Named regex fragments of a file (`[vars]`), already expanded.
type Vars = BTreeMap<String, String>;

/// Expands `{name}` references between variables (a variable may use those defined before
/// it alphabetically or after: references are resolved until nothing changes).
fn expand_vars(doc: &mut TomlDoc<'_>, raw: BTreeMap<String, Spanned<String>>) -> Vars {
    let mut done: Vars = BTreeMap::new();
    let mut pending: Vec<(String, Spanned<String>)> = raw.into_iter().collect();
    // Each pass resolves at least one variable unless there is a cycle or an unknown name.
    while !pending.is_empty() {
        let before = pending.len();
        let mut still = Vec::new();
        for (name, value) in pending {
            match substitute(value.get_ref(), &done) {
                Ok(v) => {
                    done.insert(name, v);
                }
                Err(_) => still.push((name, value)),
            }
        }
        if still.len() == before {
            for (name, value) in still {
                let missing = substitute(value.get_ref(), &done).err().unwrap_or_default();
                doc.error(
                    value.span(),
                    format!("variable `{name}` uses `{{{missing}}}`, which is undefined or circular"),
                );
            }
            break;
        }
        pending = still;
    }
    done
}

/// Replaces each `{name}` with `(?:value)`. Regex repetitions (`{2}`, `{1,3}`) start with a
/// digit and are left alone. Returns the first unknown name on failure.
fn substitute(src: &str, vars: &Vars) -> Result<String, String> {
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name_len =
            after.find(|c: char| !(c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())).unwrap_or(after.len());
        let name = &after[..name_len];
        let is_var =
            !name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit()) && after[name_len..].starts_with('}');
        if is_var {
            let value = vars.get(name).ok_or_else(|| name.to_string())?;
            out.push_str("(?:");
            out.push_str(value);
            out.push(')');
            rest = &after[name_len + 1..];
        } else {
            out.push('{');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Compiles a rule's regex, which must be written against folded text.
fn compile(doc: &mut TomlDoc<'_>, vars: &Vars, source: &Spanned<String>, open: &str, close: &str) -> Option<Regex> {
    let expanded = match substitute(source.get_ref(), vars) {
        Ok(e) => e,
        Err(name) => {
            doc.error(source.span(), format!("unknown variable `{{{name}}}`: define it under [vars]"));
            return None;
        }
    };
    let src = &expanded;
    if let Some(bad) = unfolded_letter(src) {
        doc.error(
            source.span(),
            format!(
                "`{bad}` can never match: rules see folded text (lower case, no accents), write `{}`",
                normalize(&bad.to_string())
            ),
        );
        return None;
    }
    // On its own first: `x)|(y` would close the group `open` starts and let the alternation
    // escape the anchor (`(?:x)|(y)$` matches an `x` anywhere), which compiles without a word.
    if let Err(e) = regex_syntax::ast::parse::Parser::new().parse(src) {
        doc.error(source.span(), format!("invalid regex: {}", e.kind()));
        return None;
    }
    match Regex::new(&format!("{open}{}{close}", ascii_words(src))) {
        Ok(r) => Some(r),
        Err(e) => {
            let reason = e.to_string();
            let reason = reason.lines().last().unwrap_or("invalid regex").trim().to_string();
            doc.error(source.span(), format!("invalid regex: {reason}"));
            None
        }
    }
}

/// The regex with `\b`, `\B`, `\w` and `\W` meaning ASCII words. Rules only see folded text,
/// where every letter is ASCII, so nothing changes what they match; but a Unicode word boundary
/// keeps the regex engine off its fast automaton (a rule ending in `\b.{0,60}$` then costs
/// hundreds of microseconds per sentence instead of a few).
fn ascii_words(src: &str) -> String {
    let mut out = String::with_capacity(src.len() + 16);
    let mut class_depth = 0usize;
    let mut chars = src.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('b') if class_depth == 0 => out.push_str("(?-u:\\b)"),
                Some('B') if class_depth == 0 => out.push_str("(?-u:\\B)"),
                Some('w') if class_depth == 0 => out.push_str("[0-9A-Za-z_]"),
                Some('w') => out.push_str("0-9A-Za-z_"),
                Some('W') if class_depth == 0 => out.push_str("[^0-9A-Za-z_]"),
                Some(e) => {
                    out.push('\\');
                    out.push(e);
                }
                None => out.push('\\'),
            },
            '[' => {
                class_depth += 1;
                out.push(c);
                // A `]` right after `[` or `[^` is a literal, not the end of the class.
                if chars.peek() == Some(&'^') {
                    out.push(chars.next().unwrap_or('^'));
                }
                if chars.peek() == Some(&']') {
                    out.push(chars.next().unwrap_or(']'));
                }
            }
            ']' if class_depth > 0 => {
                class_depth -= 1;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// A literal letter in a regex that folding would change (upper case, accented), if any.
/// Escapes (`\S`, `\p{Lu}`) and group names (`(?P<Name>`) are not literals.
fn unfolded_letter(src: &str) -> Option<char> {
    let mut chars = src.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(e) = chars.next()
                    && matches!(e, 'p' | 'P')
                    && chars.peek() == Some(&'{')
                {
                    for c in chars.by_ref() {
                        if c == '}' {
                            break;
                        }
                    }
                }
            }
            '(' if chars.peek() == Some(&'?') => {
                let rest: String = chars.clone().take(3).collect();
                if rest.starts_with("?P<") || rest.starts_with("?<") {
                    for c in chars.by_ref() {
                        if c == '>' {
                            break;
                        }
                    }
                }
            }
            c if c.is_alphabetic() && normalize(&c.to_string()) != c.to_string() => return Some(c),
            _ => {}
        }
    }
    None
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_rule_and_example_key_lists_are_the_fields_they_accept() {
        use crate::diag::{sorted, struct_fields};
        assert_eq!(struct_fields::<FormSpec>(), sorted(FORM_KEYS));
        assert_eq!(struct_fields::<RuleSpec>(), sorted(RULE_KEYS));
        assert_eq!(struct_fields::<ExampleSpec>(), sorted(EXAMPLE_KEYS));
    }

    /// A valid value for every listed key (`table` is empty at the top level).
    fn sample(table: &str, key: &str) -> &'static str {
        match (table, key) {
            ("", "id") => r#""nuvexa-label""#,
            ("", "name") => r#""Nuvexa Label""#,
            ("", "scheme") => r#""secnumcloud""#,
            ("", "description") => r#""a label for this test""#,
            ("", "default_kind") => r#""mention""#,
            ("", "suffix") => r#"'\s*v?\d'"#,
            ("form", "text") => r#""Nuvexa Label""#,
            ("form", "spaced") => "true",
            ("form" | "rule", "kind") => r#""assertion""#,
            ("rule", "before") => r#"'\b{granted}$'"#,
            ("rule", "after") => r#"'\s*$'"#,
            ("rule", "sentence") => r#"'nous'"#,
            ("rule", "locations") => r#"["text", "pdf"]"#,
            ("rule", "link_to") => r#"["cyber.gouv.fr"]"#,
            ("rule", "subject") => r#"["first_person"]"#,
            ("rule", "speech") => r#""none""#,
            ("rule", "regions") => r#"["main", "footer"]"#,
            ("rule", "article") => "false",
            ("rule", "borrowing") => "false",
            ("rule", "display") => r#"["none", "badge"]"#,
            ("rule", "why") => r#""we say we hold it""#,
            ("example", "text") => r#""Nous sommes qualifiés Nuvexa Label.""#,
            ("example", "kind") => r#""assertion""#,
            ("example", "location") => r#""text""#,
            ("example", "link_to") => r#""https://www.nuvexa.example/""#,
            ("example", "owner") => r#"["Nuvexa"]"#,
            ("example", "region") => r#""main""#,
            ("example", "genre") => r#""page""#,
            ("example", "subject") => r#""own""#,
            _ => panic!("no sample value for `{key}` in [[{table}]]: add one to this test"),
        }
    }

    #[test]
    fn a_pattern_file_that_sets_every_listed_key_is_accepted_and_an_unlisted_key_is_not() {
        let tables: [(&str, &[&str]); 3] = [("form", FORM_KEYS), ("rule", RULE_KEYS), ("example", EXAMPLE_KEYS)];
        let mut text = String::new();
        for key in TOP_KEYS.iter().filter(|k| **k != "vars" && !tables.iter().any(|(t, _)| t == *k)) {
            text += &format!("{key} = {}\n", sample("", key));
        }
        assert!(TOP_KEYS.contains(&"vars"));
        text += "[vars]\ngranted = 'qualifi(?:e|es)'\n";
        for (table, keys) in tables {
            assert!(TOP_KEYS.contains(&table), "[[{table}]] is not in TOP_KEYS");
            text += &format!("[[{table}]]\n");
            for key in keys {
                text += &format!("{key} = {}\n", sample(table, key));
            }
        }
        let label = parse_file(Path::new("p.toml"), &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!((label.forms.len(), label.rules.len(), label.examples.len()), (1, 1, 1));
        // `[vars]` names its own keys; every other table rejects a key it does not list.
        let mut broken = vec![format!("unlisted_key = 1\n{text}")];
        for (table, _) in tables {
            let h = format!("[[{table}]]\n");
            broken.push(text.replace(&h, &format!("{h}unlisted_key = 1\n")));
        }
        for b in broken {
            let shown = parse_file(Path::new("p.toml"), &b).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(shown.contains("unknown") && shown.contains("unlisted_key"), "{b}\n{shown}");
        }
    }

    #[test]
    fn variables_expand_but_repetitions_stay() {
        let vars: Vars = [("neg".to_string(), "non|pas".to_string())].into();
        assert_eq!(substitute(r"\b{neg}\s{1,3}x{2}", &vars).unwrap(), r"\b(?:non|pas)\s{1,3}x{2}");
        assert_eq!(substitute("{nope}", &vars), Err("nope".to_string()));
    }

    #[test]
    fn word_classes_and_boundaries_become_ascii_outside_and_inside_classes() {
        assert_eq!(ascii_words(r"\bnon\s+\w+\b"), r"(?-u:\b)non\s+[0-9A-Za-z_]+(?-u:\b)");
        assert_eq!(ascii_words(r"[\w'-]+\B"), r"[0-9A-Za-z_'-]+(?-u:\B)");
        assert_eq!(ascii_words(r"\\b[]b]"), r"\\b[]b]");
        for src in [r"\bqualifi\w*\b.{0,60}$", r"[\w.' /-]{1,30}", r"(?:\W|^)x"] {
            assert!(Regex::new(&ascii_words(src)).is_ok(), "{src}");
        }
    }

    #[test]
    fn unfolded_letters_are_found_but_escapes_are_not() {
        assert_eq!(unfolded_letter(r"qualifié"), Some('é'));
        assert_eq!(unfolded_letter(r"Qualifie"), Some('Q'));
        assert_eq!(unfolded_letter(r"\S+\p{Lu}\W(?P<Name>x)"), None);
    }
}
