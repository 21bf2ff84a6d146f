//! Text segments → claims: every occurrence of a label (and every anaphor of one), classified by its pattern file's rules, quoted as the page wrote it, with the cues of who it is about.

pub mod cues;
mod lexicon;
pub mod tokens;

use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

pub use cues::{Address, Cues, Display, Generic, Named, Place, Role, Speech};

use crate::extract::{Block, Location, Normalized, Segment, normalize, normalize_with_map};
use crate::gazetteer::Gazetteer;
use crate::judge::Subject;
use crate::patterns::{ClaimKind, Label, PatternSet, Surroundings};

/// The version of the detector's own reading (word lists, cue rules): part of the reading
/// version, with the pattern files and the gazetteer. Raise it when a change of this code may
/// read a page differently.
pub const DETECTOR_VERSION: u32 = 2;

/// One occurrence of a trust label on a page, and what it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    /// Label id (`secnumcloud`).
    pub label: String,
    /// The registry scheme that backs the label.
    pub scheme: String,
    pub kind: ClaimKind,
    /// The occurrence exactly as on the page (invisible characters included).
    pub matched: String,
    /// The folded occurrence, what findings are keyed on.
    pub folded: String,
    /// About a sentence around the occurrence, as on the page (line breaks as spaces).
    pub context: String,
    pub location: Location,
    /// Which element or field (`body`, `img[alt]`, `meta og:description`, `$.name`).
    pub detail: String,
    /// The pattern rule that decided the kind (`secnumcloud.toml:42`), `None` for the default.
    pub rule: Option<String>,
    /// What the sentence shows about who the claim is about and how it is said.
    #[serde(default)]
    pub cues: Cues,
    /// Whose offer the claim is about, as judge resolved it against the vendor (claims stored
    /// before attribution were all read as the vendor's own).
    #[serde(default)]
    pub subject: Subject,
    /// The organisation a third-party or borrowed claim names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_name: Option<String>,
    /// Why wording that reads as a claim is only a mention (its rule's kind was another).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub demoted: Option<crate::judge::Demotion>,
}

/// What detection needs besides the text: the labels, the organisations, the page's genre.
#[derive(Debug, Clone, Copy)]
pub struct Reading<'a> {
    pub patterns: &'a PatternSet,
    pub gazetteer: &'a Gazetteer,
    /// The page is an article (a blog post, news item, press release).
    pub article: bool,
}

impl<'a> Reading<'a> {
    pub fn new(patterns: &'a PatternSet, gazetteer: &'a Gazetteer) -> Self {
        Reading { patterns, gazetteer, article: false }
    }
}

/// How far a context may reach on each side of an occurrence when no sentence ends sooner.
const MAX_CONTEXT: usize = 240;

/// Every claim in `segments`, in segment order then label order then position.
pub fn detect(segments: &[Segment], reading: &Reading<'_>) -> Vec<Claim> {
    let mut claims = Vec::new();
    for segment in segments {
        detect_segment(segment, reading, &mut claims);
    }
    claims
}

/// An anaphor of a label: a demonstrative and a grant noun, « cette qualification », "this
/// certification", in folded text.
fn anaphor() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(
            r"\b(?:cette|cet|ce|ces|ladite|ledit|this|that|these)\s+(?:[a-z]{3,14}\s+)?(?P<noun>qualification|certification|visa|label|agrement|accreditation|homologation|labellisation)s?\b",
        )
        .expect("anaphor regex")
    })
}

/// Sentences after an occurrence in which an anaphor still points back to it.
const ANAPHOR_REACH: usize = 2;

/// The claims of one segment, appended to `out`.
pub fn detect_segment(segment: &Segment, reading: &Reading<'_>, out: &mut Vec<Claim>) {
    let patterns = reading.patterns;
    // Most text holds no label: fold it without the map and reject it in one regex pass.
    let folded = normalize(&segment.text);
    if !patterns.may_occur(&folded) {
        return;
    }
    let lines = Lines::new(&segment.text, &folded);
    // Where each label was found, to look for its anaphors afterwards: (sentence, end of the
    // occurrence, label).
    let mut found: Vec<(Range<usize>, usize, &Label)> = Vec::new();
    for label in &patterns.labels {
        for m in label.finder.find_iter(&folded) {
            if in_address(&folded, m.range()) {
                continue;
            }
            let sentence = sentence_bounds(&folded, m.range());
            found.push((sentence.clone(), m.end(), label));
            let before = folded[sentence.start..m.start()].trim_end_matches(is_context_edge).to_string();
            let occurrence = Occurrence { folded: m.range(), sentence, before, anaphor: false };
            out.push(claim_at(segment, &folded, &lines, reading, label, occurrence, m.as_str()));
        }
    }
    if segment.location == Location::Text {
        anaphors(segment, &folded, &lines, reading, &found, out);
    }
}

/// Whether an occurrence is part of a web address written out in the text
/// (`…/secnumcloud-qualified/`, `www.secnumcloud.example`): nobody reads that as a claim.
fn in_address(folded: &str, m: Range<usize>) -> bool {
    let start = folded[..m.start].rfind(|c: char| c.is_whitespace() || c == '(' || c == '"').map_or(0, |i| i + 1);
    let end =
        folded[m.end..].find(|c: char| c.is_whitespace() || c == ')' || c == '"').map_or(folded.len(), |i| m.end + i);
    let word = &folded[start..end];
    word.contains("://")
        || word.starts_with("www.")
        || (word.contains('/') && word.contains('.') && word.len() > m.len() + 8)
}

/// One occurrence to classify: where it is in the folded text, and what the rules see before it.
struct Occurrence {
    folded: Range<usize>,
    sentence: Range<usize>,
    before: String,
    anaphor: bool,
}

fn claim_at(
    segment: &Segment,
    folded: &str,
    lines: &Lines<'_>,
    reading: &Reading<'_>,
    label: &Label,
    o: Occurrence,
    occurrence_text: &str,
) -> Claim {
    // The map back to the page is built only for the lines of this sentence.
    let local = lines.map(o.sentence.clone());
    let original = local.original(o.folded.clone());
    let original_sentence = local.original(o.sentence.clone());
    let previous = previous_sentence(folded, o.sentence.start).map(|p| {
        let m = lines.map(p.clone());
        &segment.text[m.original(p)]
    });
    let sentence_text = &segment.text[original_sentence.clone()];
    let place = place_of(segment, &original, previous, reading.article);
    let label_in_sentence = original.start - original_sentence.start..original.end - original_sentence.start;
    let mut cues = cues::read(sentence_text, label_in_sentence, &place, reading.gazetteer);
    cues.anaphor = o.anaphor;
    let surroundings = Surroundings {
        before: &o.before,
        after: folded[o.folded.end..o.sentence.end].trim_start_matches(is_context_edge),
        sentence: &folded[o.sentence.clone()],
        location: segment.location,
        link: segment.link_at(&original),
        cues: &cues,
    };
    let (kind, rule) = label.classify(occurrence_text, &surroundings);
    Claim {
        label: label.id.clone(),
        scheme: label.scheme.clone(),
        kind,
        matched: segment.text[original].to_string(),
        folded: occurrence_text.replace('\n', " "),
        context: one_line(sentence_text),
        location: segment.location,
        detail: segment.detail.clone(),
        rule: rule.map(|r| r.origin.to_string()),
        cues,
        subject: Subject::default(),
        subject_name: None,
        demoted: None,
    }
}

/// Where the occurrence at `original` (a range of the segment's text) stands on the page.
fn place_of<'s>(segment: &'s Segment, original: &Range<usize>, previous: Option<&'s str>, article: bool) -> Place<'s> {
    let text = &segment.text;
    let line_start = text[..original.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[original.end..].find('\n').map_or(text.len(), |i| original.end + i);
    let row = segment.span_at(original, |b| b == Block::Row);
    let row_head = row.and_then(|row| {
        let head = segment
            .spans
            .iter()
            .find(|s| s.block == Block::RowHead && s.range.start >= row.range.start && s.range.end <= row.range.end)?;
        let inside = head.range.start <= original.start && original.end <= head.range.end;
        (!inside).then(|| &text[head.range.clone()])
    });
    Place {
        location: segment.location,
        region: segment.region_at(original),
        article,
        heading: segment.span_at(original, |b| b == Block::Heading).is_some(),
        list_item: segment.span_at(original, |b| b == Block::ListItem).is_some(),
        term: segment.span_at(original, |b| b == Block::Term).is_some(),
        quote_block: segment.span_at(original, |b| b == Block::Quote).is_some(),
        row_head,
        line: &text[line_start..line_end],
        previous,
        certification_neighbours: certification_neighbours(text, line_start, line_end),
    }
}

/// Names of certifications and standards, as short lines of a list name them.
fn certification_line() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"(?i)^\W{0,3}(?:iso(?:/iec)?\s*\d{4,5}|soc\s*[123]|pci[\s-]*dss|c5|hds|secnumcloud|cispe|eucs|tisax|ens|gaia-x|csa\s+star|hipaa|fedramp|iso\s*9001|hébergeur de données de santé|certifications?|qualifications?|labels?|conformité|compliance)\b")
            .expect("certification regex")
    })
}

/// Whether one of the two lines before or after the line `start..end` of `text` is a short line
/// naming a certification: the line is then an item of a certifications list.
fn certification_neighbours(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start.saturating_sub(1)].rsplit('\n').take(2);
    let after = text.get(end + 1..).unwrap_or("").split('\n').take(2);
    before.chain(after).any(|l| l.len() <= 60 && certification_line().is_match(l.trim()))
}

/// The folded range of the sentence that ends right before `start`, if any.
fn previous_sentence(folded: &str, start: usize) -> Option<Range<usize>> {
    let end = folded[..start].trim_end().len();
    if end == 0 {
        return None;
    }
    let mut last = end - 1;
    while !folded.is_char_boundary(last) {
        last -= 1;
    }
    let r = sentence_bounds(folded, last..end);
    (r.end > r.start).then_some(r)
}

/// Claims of the anaphors (« cette qualification ») found after an occurrence of a label, in the
/// rest of its sentence and in the few sentences after it where no label is named again: each
/// is a claim of that label, quoted as the anaphor, in its own sentence.
fn anaphors(
    segment: &Segment,
    folded: &str,
    lines: &Lines<'_>,
    reading: &Reading<'_>,
    found: &[(Range<usize>, usize, &Label)],
    out: &mut Vec<Claim>,
) {
    let mut taken: Vec<usize> = Vec::new();
    let mut by_position: Vec<&(Range<usize>, usize, &Label)> = found.iter().collect();
    by_position.sort_by_key(|(_, end, _)| *end);
    for (i, (sentence, end, label)) in by_position.iter().enumerate() {
        // The rest of the occurrence's own sentence, when no other occurrence follows in it.
        let later_here = by_position.get(i + 1).is_some_and(|(s, e, _)| s.start == sentence.start && *e > *end);
        let mut scopes: Vec<(Range<usize>, usize)> = Vec::new();
        if !later_here {
            scopes.push((sentence.clone(), *end));
        }
        let mut next_start = sentence.end;
        for _ in 0..ANAPHOR_REACH {
            let rest = &folded[next_start..];
            let skip = rest.len() - rest.trim_start().len();
            if skip == rest.len() {
                break;
            }
            let s = next_start + skip;
            let first_end = s + folded[s..].chars().next().map_or(0, char::len_utf8);
            let next = sentence_bounds(folded, s..first_end);
            if next.end <= s {
                break;
            }
            // A later occurrence takes over from here.
            let later = by_position.get(i + 1).is_some_and(|(o, _, _)| o.start < next.end);
            if later || reading.patterns.may_occur(&folded[next.clone()]) {
                break;
            }
            scopes.push((next.clone(), next.start));
            next_start = next.end;
        }
        for (scope, from) in scopes {
            let Some(c) = anaphor().captures(&folded[from..scope.end]) else { continue };
            let m = c.get(0).expect("whole match");
            let at = from + m.start()..from + m.end();
            if taken.contains(&at.start) {
                continue;
            }
            taken.push(at.start);
            let noun = c.name("noun").map_or("", |n| n.as_str());
            let before = format!("{} {noun}", folded[scope.start..at.start].trim_end_matches(is_context_edge));
            let o = Occurrence {
                folded: at.clone(),
                sentence: scope.clone(),
                before: before.trim().to_string(),
                anaphor: true,
            };
            out.push(claim_at(segment, folded, lines, reading, label, o, &folded[at]));
        }
    }
}

/// Line starts of a text and of its folding, which keeps every line break: line `k` of one is
/// line `k` of the other.
struct Lines<'a> {
    original: &'a str,
    folded: &'a str,
    original_starts: Vec<usize>,
    folded_starts: Vec<usize>,
}

/// The map of a few whole lines, and where they start in both texts.
struct LocalMap {
    map: Normalized,
    original_start: usize,
    folded_start: usize,
}

impl LocalMap {
    /// The original range of a (non-empty) range of the whole folded text.
    fn original(&self, folded: Range<usize>) -> Range<usize> {
        let r = self.map.original_range(folded.start - self.folded_start..folded.end - self.folded_start);
        r.start + self.original_start..r.end + self.original_start
    }
}

impl<'a> Lines<'a> {
    fn new(original: &'a str, folded: &'a str) -> Self {
        let starts = |t: &str| std::iter::once(0).chain(t.match_indices('\n').map(|(i, _)| i + 1)).collect::<Vec<_>>();
        Lines { original, folded, original_starts: starts(original), folded_starts: starts(folded) }
    }

    fn line_of(starts: &[usize], pos: usize) -> usize {
        starts.partition_point(|&s| s <= pos) - 1
    }

    /// The map of the lines that hold the folded range `r`.
    fn map(&self, r: Range<usize>) -> LocalMap {
        let first = Self::line_of(&self.folded_starts, r.start);
        let last = Self::line_of(&self.folded_starts, r.end.saturating_sub(1).max(r.start));
        let original_start = self.original_starts[first];
        let original_end = self.original_starts.get(last + 1).map_or(self.original.len(), |&s| s - 1);
        let map = normalize_with_map(&self.original[original_start..original_end]);
        let folded_start = self.folded_starts[first];
        debug_assert_eq!(map.text, &self.folded[folded_start..folded_start + map.text.len()]);
        LocalMap { map, original_start, folded_start }
    }
}

/// Spaces and quotes between a label and its neighbours carry no meaning for the rules:
/// "qualifié « SecNumCloud »" reads like "qualifié SecNumCloud".
fn is_context_edge(c: char) -> bool {
    matches!(c, ' ' | '"' | '\'' | '(' | ')' | '[' | ']' | '*')
}

/// The sentence around `m` in folded text: back to the previous line break or sentence end
/// (`.`, `!`, `?` followed by a space), forward to the next, at most [`MAX_CONTEXT`] bytes
/// each way (cut at a space). Line breaks inside `m` itself do not end it.
pub fn sentence_bounds(text: &str, m: Range<usize>) -> Range<usize> {
    let bytes = text.as_bytes();
    let mut floor = m.start.saturating_sub(MAX_CONTEXT);
    while !text.is_char_boundary(floor) {
        floor += 1;
    }
    let mut start = m.start;
    while start > floor {
        let prev = bytes[start - 1];
        if prev == b'\n' {
            break;
        }
        if start >= 2 && prev == b' ' && matches!(bytes[start - 2], b'.' | b'!' | b'?') {
            break;
        }
        start -= 1;
    }
    if start == floor && floor > 0 {
        start = text[start..m.start].find(' ').map_or(m.start, |i| start + i + 1);
    }
    let mut ceiling = (m.end + MAX_CONTEXT).min(text.len());
    while !text.is_char_boundary(ceiling) {
        ceiling -= 1;
    }
    let mut end = m.end;
    while end < ceiling {
        let c = bytes[end];
        if c == b'\n' {
            break;
        }
        if matches!(c, b'.' | b'!' | b'?') && (end + 1 == text.len() || matches!(bytes[end + 1], b' ' | b'\n')) {
            end += 1;
            break;
        }
        end += 1;
    }
    if end == ceiling && ceiling < text.len() {
        end = text[m.end..end].rfind(' ').map_or(m.end, |i| m.end + i);
    }
    start..end.max(m.end)
}

fn one_line(s: &str) -> String {
    s.trim().replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentence_stops_at_periods_followed_by_space_but_not_inside_versions() {
        let t = "premiere phrase. notre offre qualifiee secnumcloud 3.2 est la. autre phrase.";
        let m = t.find("secnumcloud").unwrap();
        let s = sentence_bounds(t, m..m + 11);
        assert_eq!(&t[s], "notre offre qualifiee secnumcloud 3.2 est la.");
    }

    #[test]
    fn sentence_stops_at_line_breaks_except_inside_the_match() {
        let t = "menu\ncloud.\nde confiance.\nfooter";
        let m = t.find("cloud.").unwrap();
        let end = t.find("confiance").unwrap() + "confiance".len();
        let s = sentence_bounds(t, m..end);
        assert_eq!(&t[s], "cloud.\nde confiance.");
    }

    #[test]
    fn long_text_without_punctuation_is_cut_at_a_space() {
        let t = format!("{} secnumcloud {}", "mot ".repeat(200), "autre ".repeat(200));
        let m = t.find("secnumcloud").unwrap();
        let s = sentence_bounds(&t, m..m + 11);
        assert!(s.end - s.start <= 2 * MAX_CONTEXT + 11);
        assert!(t[s.clone()].starts_with("mot") && t[s].ends_with("autre"));
    }
}
