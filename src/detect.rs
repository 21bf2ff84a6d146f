//! Text segments → claims: every occurrence of a label, classified by its pattern file's rules, quoted as the page wrote it.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::extract::{Location, Normalized, Segment, normalize, normalize_with_map};
use crate::patterns::{ClaimKind, PatternSet, Surroundings};

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
}

/// How far a context may reach on each side of an occurrence when no sentence ends sooner.
const MAX_CONTEXT: usize = 240;

/// Every claim in `segments`, in segment order then label order then position.
pub fn detect(segments: &[Segment], patterns: &PatternSet) -> Vec<Claim> {
    let mut claims = Vec::new();
    for segment in segments {
        detect_segment(segment, patterns, &mut claims);
    }
    claims
}

/// The claims of one segment, appended to `out`.
pub fn detect_segment(segment: &Segment, patterns: &PatternSet, out: &mut Vec<Claim>) {
    // Most text holds no label: fold it without the map and reject it in one regex pass.
    let folded = normalize(&segment.text);
    if !patterns.may_occur(&folded) {
        return;
    }
    let lines = Lines::new(&segment.text, &folded);
    for label in &patterns.labels {
        for m in label.finder.find_iter(&folded) {
            let sentence = sentence_bounds(&folded, m.range());
            // The map back to the page is built only for the lines of this sentence.
            let local = lines.map(sentence.clone());
            let original = local.original(m.range());
            let surroundings = Surroundings {
                before: folded[sentence.start..m.start()].trim_end_matches(is_context_edge),
                after: folded[m.end()..sentence.end].trim_start_matches(is_context_edge),
                sentence: &folded[sentence.clone()],
                location: segment.location,
                link: segment.link_at(&original),
            };
            let (kind, rule) = label.classify(m.as_str(), &surroundings);
            out.push(Claim {
                label: label.id.clone(),
                scheme: label.scheme.clone(),
                kind,
                matched: segment.text[original].to_string(),
                folded: m.as_str().replace('\n', " "),
                context: one_line(&segment.text[local.original(sentence)]),
                location: segment.location,
                detail: segment.detail.clone(),
                rule: rule.map(|r| r.origin.to_string()),
            });
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
