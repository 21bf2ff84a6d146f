//! Labels as data: compiled pattern files (`patterns/*.toml`), one per trust label, each with its surface forms, its claim rules and its own examples.
//!
//! A label is found by its *forms* ("SecNumCloud", "hébergeur de données de santé"), written
//! naturally and folded like page text. Each occurrence is then classified by the label's
//! *rules*, tried in file order: a rule looks at the folded text just before the occurrence
//! (`before`, anchored at its end), just after it (`after`, anchored at its start), the whole
//! sentence (`sentence`), where it was found (`locations`) and the link it sits in
//! (`link_to`). The first rule whose every condition holds gives the claim's kind; if none
//! does, the form's or the label's default kind applies. See `patterns/README.md`.

mod examples;
mod load;

use std::fmt;
use std::path::PathBuf;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::detect::Cues;
use crate::extract::{Location, Region};

pub use examples::{ExampleOutcome, run_examples};
pub use load::{EXAMPLE_KEYS, FORM_KEYS, PatternError, RULE_KEYS, TOP_KEYS, load_dir, load_file, parse_file};

/// What an occurrence of a label says about the offer (definitions in `../shared/domain.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimKind {
    /// The offer holds the label: "qualifié SecNumCloud", "Cloud. De confiance.".
    Assertion,
    /// The offer is being qualified: "en cours de qualification SecNumCloud".
    InProgress,
    /// Borrows the label without claiming it: "SecNumCloud-ready", "conforme SecNumCloud".
    Adjacent,
    /// Talks about the label: explainers, press, recommendations.
    Mention,
    /// Says the offer does not hold it: "n'est pas qualifié SecNumCloud".
    Negation,
}

impl ClaimKind {
    pub const ALL: [ClaimKind; 5] =
        [ClaimKind::Assertion, ClaimKind::InProgress, ClaimKind::Adjacent, ClaimKind::Mention, ClaimKind::Negation];

    pub fn as_str(self) -> &'static str {
        match self {
            ClaimKind::Assertion => "assertion",
            ClaimKind::InProgress => "in_progress",
            ClaimKind::Adjacent => "adjacent",
            ClaimKind::Mention => "mention",
            ClaimKind::Negation => "negation",
        }
    }
}

impl fmt::Display for ClaimKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a rule or form was written, for explaining a classification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: PathBuf,
    pub line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name =
            self.file.file_name().map_or_else(|| self.file.display().to_string(), |n| n.to_string_lossy().into_owned());
        write!(f, "{name}:{}", self.line)
    }
}

/// One surface form of a label, compiled.
#[derive(Debug, Clone)]
pub struct Form {
    /// As written in the pattern file.
    pub text: String,
    /// Matches exactly this form (anchored), to tell which form an occurrence is.
    pub(crate) exact: Regex,
    /// Kind of an occurrence of this form when no rule applies (overrides the label's).
    pub kind: Option<ClaimKind>,
}

/// One classification rule, compiled.
#[derive(Debug, Clone)]
pub struct Rule {
    pub kind: ClaimKind,
    pub(crate) before: Option<Regex>,
    pub(crate) after: Option<Regex>,
    pub(crate) sentence: Option<Regex>,
    pub(crate) locations: Option<Vec<Location>>,
    /// Host names (or parent domains) the occurrence's link must point to.
    pub(crate) link_to: Vec<String>,
    /// The subject cue must be one of these (`first_person`, `organisation`, `none`…).
    pub(crate) subject: Option<Vec<String>>,
    /// How it is said must be one of these (`reported`, `topic`…, or `none`).
    pub(crate) speech: Option<Vec<String>>,
    /// The occurrence must sit in one of these regions.
    pub(crate) regions: Option<Vec<Region>>,
    /// The page must be (or not be) an article.
    pub(crate) article: Option<bool>,
    /// A verb of borrowing must (or must not) stand before the label.
    pub(crate) borrowing: Option<bool>,
    /// How the page shows the label must be one of these (`tagline`, `badge`, `list`, `name`, `none`).
    pub(crate) display: Option<Vec<String>>,
    pub why: Option<String>,
    pub origin: Origin,
}

/// The surroundings of one occurrence, in folded text.
#[derive(Debug, Clone, Copy)]
pub struct Surroundings<'a> {
    /// From the start of the sentence to the occurrence, trailing spaces and quotes removed.
    pub before: &'a str,
    /// From the occurrence to the end of the sentence, leading spaces and quotes removed.
    pub after: &'a str,
    pub sentence: &'a str,
    pub location: Location,
    /// The href of the link the occurrence sits in.
    pub link: Option<&'a str>,
    /// What the sentence shows about who it is about and how it is said.
    pub cues: &'a Cues,
}

impl Rule {
    pub fn applies(&self, s: &Surroundings<'_>) -> bool {
        if let Some(locations) = &self.locations
            && !locations.contains(&s.location)
        {
            return false;
        }
        if !self.link_to.is_empty() {
            let Some(host) = s.link.and_then(link_host) else { return false };
            let host = host.to_ascii_lowercase();
            let points_there = self
                .link_to
                .iter()
                .any(|d| host == *d || host.strip_suffix(d.as_str()).is_some_and(|p| p.ends_with('.')));
            if !points_there {
                return false;
            }
        }
        if let Some(subjects) = &self.subject
            && !subjects.iter().any(|x| x == s.cues.subject())
        {
            return false;
        }
        if let Some(speech) = &self.speech {
            let said = s.cues.speech.map_or("none".to_string(), |sp| {
                serde_json::to_value(sp).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
            });
            if !speech.contains(&said) {
                return false;
            }
        }
        if let Some(regions) = &self.regions
            && !regions.contains(&s.cues.region)
        {
            return false;
        }
        if self.article.is_some_and(|a| a != s.cues.article) {
            return false;
        }
        if self.borrowing.is_some_and(|b| b != s.cues.borrowing) {
            return false;
        }
        if let Some(display) = &self.display {
            let shown = s.cues.display.map_or("none".to_string(), |d| {
                serde_json::to_value(d).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
            });
            if !display.contains(&shown) {
                return false;
            }
        }
        self.before.as_ref().is_none_or(|r| r.is_match(s.before))
            && self.after.as_ref().is_none_or(|r| r.is_match(s.after))
            && self.sentence.as_ref().is_none_or(|r| r.is_match(s.sentence))
    }
}

/// The host of an absolute `http(s)` link; relative links point to the page's own site.
fn link_host(href: &str) -> Option<&str> {
    let rest = href.trim().split_once("://").map(|(_, r)| r).or_else(|| href.trim().strip_prefix("//"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    Some(host.split(':').next().unwrap_or(host))
}

/// Example text with the kind its file says it must get.
#[derive(Debug, Clone)]
pub struct Example {
    pub text: String,
    /// `None`: the label must not be claimed at all.
    pub expected: Option<ClaimKind>,
    pub location: Location,
    pub link_to: Option<String>,
    /// The names of the page's owner, when the example is read as some vendor's page.
    pub owner: Vec<String>,
    pub region: Region,
    /// The example stands in an article (a blog post, a news item).
    pub article: bool,
    /// Whose offer it must be found to be about (`own`, `third_party`, `generic`).
    pub subject: Option<crate::judge::Subject>,
    pub line: usize,
}

/// One trust label, compiled from its pattern file.
#[derive(Debug, Clone)]
pub struct Label {
    pub id: String,
    pub name: String,
    /// The registry scheme that backs the label (`cloud-de-confiance` → `secnumcloud`).
    pub scheme: String,
    pub description: Option<String>,
    pub file: PathBuf,
    pub default_kind: ClaimKind,
    pub forms: Vec<Form>,
    /// All forms, longest first, each with its word boundaries and the optional suffix.
    pub(crate) finder: Regex,
    pub rules: Vec<Rule>,
    pub examples: Vec<Example>,
}

impl Label {
    /// Which form an occurrence is (the first form that matches it exactly).
    pub fn form_of(&self, folded_occurrence: &str) -> Option<&Form> {
        self.forms.iter().find(|f| f.exact.is_match(folded_occurrence))
    }

    /// The kind of an occurrence and the rule that decided it (`None`: the default applied).
    pub fn classify(&self, occurrence: &str, s: &Surroundings<'_>) -> (ClaimKind, Option<&Rule>) {
        match self.rules.iter().find(|r| r.applies(s)) {
            Some(rule) => (rule.kind, Some(rule)),
            None => {
                let kind = self.form_of(occurrence).and_then(|f| f.kind).unwrap_or(self.default_kind);
                (kind, None)
            }
        }
    }
}

/// Every label of a pattern directory, with one regex that tells whether any label occurs.
#[derive(Debug, Clone)]
pub struct PatternSet {
    pub labels: Vec<Label>,
    pub(crate) any: Regex,
    /// SHA-256 of the files it was loaded from (names and contents), hex: part of the reading
    /// version. Empty for a set built in memory.
    pub sha256: String,
}

impl PatternSet {
    pub fn new(labels: Vec<Label>) -> Result<PatternSet, regex::Error> {
        let any = if labels.is_empty() {
            Regex::new(r"[^\s\S]")?
        } else {
            let alternatives: Vec<String> = labels.iter().map(|l| format!("(?:{})", l.finder.as_str())).collect();
            Regex::new(&alternatives.join("|"))?
        };
        Ok(PatternSet { labels, any, sha256: String::new() })
    }

    pub fn label(&self, id: &str) -> Option<&Label> {
        self.labels.iter().find(|l| l.id == id)
    }

    /// A set with only the label `id` (to run that label's examples on their own).
    pub fn only(&self, id: &str) -> Option<PatternSet> {
        let label = self.label(id)?.clone();
        PatternSet::new(vec![label]).ok().map(|s| PatternSet { sha256: self.sha256.clone(), ..s })
    }

    /// Whether any label may occur in this folded text (the fast reject for label-free text).
    pub fn may_occur(&self, folded: &str) -> bool {
        self.any.is_match(folded)
    }
}

/// Characters that may separate the letters of a `spaced` form ("Sec Num Cloud", "S.E.C.").
const LETTER_GAP: &str = r"[ .\-_·]?";
/// What may separate the words of a form: spaces (a block break too, for slogans set over
/// two lines), hyphens, underscores.
const WORD_GAP: &str = r"[\s\-_]+";

/// The regex of a form, written against folded text.
pub(crate) fn form_regex(folded_form: &str, spaced: bool) -> String {
    let chars: Vec<char> = folded_form.chars().collect();
    let mut re = String::new();
    if chars.first().is_some_and(|c| c.is_ascii_alphanumeric()) {
        re.push_str(r"(?-u:\b)");
    }
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == ' ' || c == '-' || c == '_' {
            while i + 1 < chars.len() && matches!(chars[i + 1], ' ' | '-' | '_') {
                i += 1;
            }
            re.push_str(WORD_GAP);
        } else {
            re.push_str(&regex::escape(&c.to_string()));
            let next_is_letter = chars.get(i + 1).is_some_and(|n| n.is_alphanumeric());
            if spaced && c.is_alphanumeric() && next_is_letter {
                re.push_str(LETTER_GAP);
            }
        }
        i += 1;
    }
    re
}

/// The word boundary that closes a form ending in a letter or digit.
pub(crate) fn form_end(folded_form: &str) -> &'static str {
    if folded_form.chars().last().is_some_and(|c| c.is_ascii_alphanumeric()) { r"(?-u:\b)" } else { "" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaced_form_accepts_separated_letters_but_not_other_words() {
        let re = Regex::new(&format!("{}{}", form_regex("secnumcloud", true), form_end("secnumcloud"))).unwrap();
        for ok in ["secnumcloud", "sec num cloud", "s e c n u m c l o u d", "sec-num-cloud", "secnum.cloud"] {
            assert!(re.is_match(ok), "{ok}");
        }
        for no in ["secnumclouds", "xsecnumcloud", "sec  num cloud", "secnum cloudy"] {
            assert!(!re.is_match(no), "{no}");
        }
    }

    #[test]
    fn multiword_form_tolerates_line_breaks_and_hyphens() {
        let re = Regex::new(&form_regex("cloud. de confiance", false)).unwrap();
        assert!(re.is_match("cloud.\nde confiance."));
        assert!(re.is_match("cloud. de-confiance"));
        assert!(!re.is_match("cloud de confiance"));
    }

    #[test]
    fn link_host_reads_absolute_and_protocol_relative_links() {
        assert_eq!(link_host("https://cyber.gouv.fr/x"), Some("cyber.gouv.fr"));
        assert_eq!(link_host("//www.ssi.gouv.fr:443/p?q"), Some("www.ssi.gouv.fr"));
        assert_eq!(link_host("http://user@host.example/"), Some("host.example"));
        assert_eq!(link_host("/relative"), None);
    }
}
