//! Text segments → claims: every occurrence of a label (and every anaphor of one), classified by its pattern file's rules, quoted as the page wrote it, with the cues of who it is about.

pub mod cues;
mod lexicon;
mod place;
pub mod tokens;

use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

pub use cues::{Address, Cues, Display, Generic, Named, Place, Role, Speech};

use crate::extract::{Location, Segment, normalize};
use crate::gazetteer::Gazetteer;
use crate::judge::Subject;
use crate::patterns::{ClaimKind, Label, PatternSet, Surroundings};
use place::{Lines, in_address};

/// The version of the detector's own reading (word lists, cue rules): part of the reading
/// version, with the pattern files and the gazetteer. Raise it when a change of this code may
/// read a page differently.
pub const DETECTOR_VERSION: u32 = 3;

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
    let mut found: Vec<Occurrence<'_>> = Vec::new();
    for label in &patterns.labels {
        for m in label.finder.find_iter(&folded) {
            if in_address(&folded, m.range()) {
                continue;
            }
            let sentence = sentence_bounds(&folded, m.range());
            let before = folded[sentence.start..m.start()].trim_end_matches(is_context_edge).to_string();
            found.push(Occurrence::new(&lines, label, m.range(), sentence, before, false));
        }
    }
    if segment.location.is_prose() {
        let more = anaphors(&folded, &lines, reading, &found);
        found.extend(more);
    }
    let ranges: Vec<Range<usize>> = found.iter().map(|o| o.original.clone()).collect();
    let previous: Vec<Option<&str>> = found
        .iter()
        .map(|o| {
            previous_sentence(&folded, o.sentence.start).map(|p| {
                let m = lines.map(p.clone());
                &segment.text[m.original(p)]
            })
        })
        .collect();
    let places = place::places(segment, &lines, &ranges, previous, reading.article);
    for (o, place) in found.into_iter().zip(places) {
        out.push(claim_at(segment, &folded, reading, o, &place));
    }
}

/// One occurrence to classify: where it is in the folded text and on the page, and what the
/// rules see before it.
struct Occurrence<'l> {
    label: &'l Label,
    folded: Range<usize>,
    sentence: Range<usize>,
    original: Range<usize>,
    original_sentence: Range<usize>,
    before: String,
    anaphor: bool,
}

impl<'l> Occurrence<'l> {
    fn new(
        lines: &Lines<'_>,
        label: &'l Label,
        folded: Range<usize>,
        sentence: Range<usize>,
        before: String,
        anaphor: bool,
    ) -> Self {
        // The map back to the page is built only for the lines of this sentence.
        let local = lines.map(sentence.clone());
        let original = local.original(folded.clone());
        let original_sentence = local.original(sentence.clone());
        Occurrence { label, folded, sentence, original, original_sentence, before, anaphor }
    }
}

fn claim_at(segment: &Segment, folded: &str, reading: &Reading<'_>, o: Occurrence<'_>, place: &Place<'_>) -> Claim {
    let original = o.original.clone();
    let sentence_text = &segment.text[o.original_sentence.clone()];
    let label_in_sentence = original.start - o.original_sentence.start..original.end - o.original_sentence.start;
    let mut cues = cues::read(sentence_text, label_in_sentence, place, reading.gazetteer);
    cues.anaphor = o.anaphor;
    let occurrence_text = &folded[o.folded.clone()];
    let surroundings = Surroundings {
        before: &o.before,
        after: folded[o.folded.end..o.sentence.end].trim_start_matches(is_context_edge),
        sentence: &folded[o.sentence.clone()],
        location: segment.location,
        link: segment.link_at(&original),
        cues: &cues,
    };
    let (kind, rule) = o.label.classify(occurrence_text, &surroundings);
    Claim {
        label: o.label.id.clone(),
        scheme: o.label.scheme.clone(),
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

/// The anaphors (« cette qualification ») found after an occurrence of a label, in the rest of
/// its sentence and in the few sentences after it where no label is named again: each is an
/// occurrence of that label, quoted as the anaphor, in its own sentence.
fn anaphors<'l>(
    folded: &str,
    lines: &Lines<'_>,
    reading: &Reading<'_>,
    found: &[Occurrence<'l>],
) -> Vec<Occurrence<'l>> {
    let mut out = Vec::new();
    let mut taken: Vec<usize> = Vec::new();
    let mut by_position: Vec<&Occurrence<'l>> = found.iter().collect();
    by_position.sort_by_key(|o| o.folded.end);
    for (i, o) in by_position.iter().enumerate() {
        let (sentence, end) = (&o.sentence, o.folded.end);
        // The rest of the occurrence's own sentence, when no other occurrence follows in it.
        let later_here =
            by_position.get(i + 1).is_some_and(|n| n.sentence.start == sentence.start && n.folded.end > end);
        let mut scopes: Vec<(Range<usize>, usize)> = Vec::new();
        if !later_here {
            scopes.push((sentence.clone(), end));
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
            let later = by_position.get(i + 1).is_some_and(|n| n.sentence.start < next.end);
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
            out.push(Occurrence::new(lines, o.label, at, scope, before.trim().to_string(), true));
        }
    }
    out
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
