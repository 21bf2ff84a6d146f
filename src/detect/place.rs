//! Where each occurrence stands in its segment — its line, region, blocks, table row and neighbouring lines — found for all occurrences of a segment in one sweep, and the map from folded text back to the page.
//!
//! A page can hold hundreds of thousands of blocks and as many occurrences: looking each
//! occurrence's blocks up on its own would cost blocks × occurrences, so the blocks are swept
//! once, in order, with the occurrences sorted among them.

use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

use super::cues::Place;
use crate::extract::{Block, Normalized, Region, Segment, normalize_with_map};

/// Line starts of a text and of its folding, which keeps every line break: line `k` of one is
/// line `k` of the other.
pub(super) struct Lines<'a> {
    original: &'a str,
    folded: &'a str,
    original_starts: Vec<usize>,
    folded_starts: Vec<usize>,
}

/// The map of a few whole lines, and where they start in both texts.
pub(super) struct LocalMap {
    map: Normalized,
    original_start: usize,
    folded_start: usize,
}

impl LocalMap {
    /// The original range of a (non-empty) range of the whole folded text.
    pub(super) fn original(&self, folded: Range<usize>) -> Range<usize> {
        let r = self.map.original_range(folded.start - self.folded_start..folded.end - self.folded_start);
        r.start + self.original_start..r.end + self.original_start
    }
}

impl<'a> Lines<'a> {
    pub(super) fn new(original: &'a str, folded: &'a str) -> Self {
        let starts = |t: &str| std::iter::once(0).chain(t.match_indices('\n').map(|(i, _)| i + 1)).collect::<Vec<_>>();
        Lines { original, folded, original_starts: starts(original), folded_starts: starts(folded) }
    }

    fn line_of(starts: &[usize], pos: usize) -> usize {
        starts.partition_point(|&s| s <= pos) - 1
    }

    /// The map of the lines that hold the folded range `r`.
    pub(super) fn map(&self, r: Range<usize>) -> LocalMap {
        let first = Self::line_of(&self.folded_starts, r.start);
        let last = Self::line_of(&self.folded_starts, r.end.saturating_sub(1).max(r.start));
        let original_start = self.original_starts[first];
        let original_end = self.original_starts.get(last + 1).map_or(self.original.len(), |&s| s - 1);
        let map = normalize_with_map(&self.original[original_start..original_end]);
        let folded_start = self.folded_starts[first];
        debug_assert_eq!(map.text, &self.folded[folded_start..folded_start + map.text.len()]);
        LocalMap { map, original_start, folded_start }
    }

    /// The original range of line `k`, without its line break.
    fn original_line(&self, k: usize) -> Range<usize> {
        let start = self.original_starts[k];
        let end = self.original_starts.get(k + 1).map_or(self.original.len(), |&s| s - 1);
        start..end
    }

    /// The original line that holds the original range `r` (from the line of its start to the
    /// end of the line of its end), and the index of its first line.
    fn original_lines_of(&self, r: &Range<usize>) -> (Range<usize>, usize, usize) {
        let first = Self::line_of(&self.original_starts, r.start);
        let last = Self::line_of(&self.original_starts, r.end.saturating_sub(1).max(r.start));
        (self.original_line(first).start..self.original_line(last).end, first, last)
    }
}

/// What the blocks around one occurrence say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Blocks {
    region: Region,
    heading: bool,
    list_item: bool,
    term: bool,
    quote: bool,
    /// The table row the occurrence is in.
    row: Option<Range<usize>>,
}

impl Blocks {
    fn within(&self, block: Block, range: &Range<usize>) -> Blocks {
        let mut b = self.clone();
        match block {
            Block::Region(r) => b.region = r,
            Block::Heading => b.heading = true,
            Block::ListItem => b.list_item = true,
            Block::Term => b.term = true,
            Block::Quote => b.quote = true,
            Block::Row => b.row = Some(range.clone()),
            Block::RowHead => {}
        }
        b
    }
}

/// The blocks around each of `ranges` (original ranges of `segment`), in one sweep over the
/// segment's spans: the innermost span of each kind that holds the whole range.
fn blocks(segment: &Segment, ranges: &[Range<usize>]) -> Vec<Blocks> {
    let base = Blocks { region: segment.region, ..Blocks::default() };
    let mut order: Vec<usize> = (0..ranges.len()).collect();
    order.sort_by_key(|&i| ranges[i].start);
    let mut out = vec![base.clone(); ranges.len()];
    // Open spans, outermost first: (end, what holds inside it). Spans are sorted by start,
    // outer before inner at one start, and nest like the elements they come from.
    let mut stack: Vec<(usize, Blocks)> = Vec::new();
    let mut next = 0;
    for i in order {
        let r = &ranges[i];
        while next < segment.spans.len() && segment.spans[next].range.start <= r.start {
            let span = &segment.spans[next];
            while stack.last().is_some_and(|(end, _)| *end <= span.range.start) {
                stack.pop();
            }
            let outer = stack.last().map_or(&base, |(_, b)| b);
            stack.push((span.range.end, outer.within(span.block, &span.range)));
            next += 1;
        }
        while stack.last().is_some_and(|(end, _)| *end <= r.start) {
            stack.pop();
        }
        // An occurrence over two blocks ("Cloud." / "De confiance.") belongs to what holds both.
        out[i] = stack.iter().rev().find(|(end, _)| *end >= r.end).map_or_else(|| base.clone(), |(_, b)| b.clone());
    }
    out
}

/// The head cell of `row` (its first cell's text), unless the occurrence at `at` is in it.
fn row_head<'s>(segment: &'s Segment, row: &Range<usize>, at: &Range<usize>) -> Option<&'s str> {
    let from = segment.spans.partition_point(|s| s.range.start < row.start);
    let head = segment.spans[from..]
        .iter()
        .take_while(|s| s.range.start < row.end)
        .find(|s| s.block == Block::RowHead && s.range.end <= row.end)?;
    let inside = head.range.start <= at.start && at.end <= head.range.end;
    (!inside).then(|| &segment.text[head.range.clone()])
}

/// Where each of `ranges` stands. `previous` gives, for each, the sentence before it.
pub(super) fn places<'s>(
    segment: &'s Segment,
    lines: &Lines<'_>,
    ranges: &[Range<usize>],
    previous: Vec<Option<&'s str>>,
    article: bool,
) -> Vec<Place<'s>> {
    let text = &segment.text;
    blocks(segment, ranges)
        .into_iter()
        .zip(ranges)
        .zip(previous)
        .map(|((b, r), previous)| {
            let (line, first, last) = lines.original_lines_of(r);
            Place {
                location: segment.location,
                region: b.region,
                article,
                heading: b.heading,
                list_item: b.list_item,
                term: b.term,
                link: segment.link_at(r).is_some(),
                quote_block: b.quote,
                row_head: b.row.as_ref().and_then(|row| row_head(segment, row, r)),
                line: &text[line],
                previous,
                certification_neighbours: certification_neighbours(lines, first, last),
            }
        })
        .collect()
}

/// Names of certifications and standards, as short lines of a list name them.
fn certification_line() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"(?i)^\W{0,3}(?:iso(?:/iec)?\s*\d{4,5}|soc\s*[123]|pci[\s-]*dss|c5|hds|secnumcloud|cispe|eucs|tisax|ens|gaia-x|csa\s+star|hipaa|fedramp|iso\s*9001|hébergeur de données de santé|certifications?|qualifications?|labels?|conformité|compliance)\b")
            .expect("certification regex")
    })
}

/// Whether one of the two lines before `first` or after `last` is a short line naming a
/// certification: the occurrence's line is then an item of a certifications list.
fn certification_neighbours(lines: &Lines<'_>, first: usize, last: usize) -> bool {
    let count = lines.original_starts.len();
    let around = (first.saturating_sub(2)..first).chain(last + 1..(last + 3).min(count));
    around.map(|k| lines.original_line(k)).any(|l| {
        let line = &lines.original[l];
        line.len() <= 60 && certification_line().is_match(line.trim())
    })
}

/// How far around an occurrence an address is looked for: a web address is no longer.
const ADDRESS_REACH: usize = 256;

/// Whether an occurrence is part of a web address written out in the text
/// (`…/secnumcloud-qualified/`, `www.secnumcloud.example`): nobody reads that as a claim.
pub(super) fn in_address(folded: &str, m: Range<usize>) -> bool {
    let is_edge = |c: char| c.is_whitespace() || matches!(c, '(' | ')' | '"');
    let mut floor = m.start.saturating_sub(ADDRESS_REACH);
    while !folded.is_char_boundary(floor) {
        floor += 1;
    }
    let mut ceiling = (m.end + ADDRESS_REACH).min(folded.len());
    while !folded.is_char_boundary(ceiling) {
        ceiling -= 1;
    }
    let start = folded[floor..m.start].rfind(is_edge).map_or(floor, |i| floor + i + 1);
    let end = folded[m.end..ceiling].find(is_edge).map_or(ceiling, |i| m.end + i);
    let word = &folded[start..end];
    word.contains("://")
        || word.starts_with("www.")
        || (word.contains('/') && word.contains('.') && word.len() > m.len() + 8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{Location, Span};

    fn segment(text: &str, spans: Vec<(Range<usize>, Block)>) -> Segment {
        let mut s = Segment::new(Location::Text, "body", text);
        s.spans = spans.into_iter().map(|(range, block)| Span { range, block }).collect();
        s.spans.sort_by_key(|s| (s.range.start, std::cmp::Reverse(s.range.end)));
        s
    }

    #[test]
    fn the_sweep_finds_the_innermost_blocks_of_every_occurrence() {
        //          0         1         2         3
        //          0123456789012345678901234567890123
        let text = "Menu x\nA | y\nBody z\nFooter w";
        let s = segment(
            text,
            vec![
                (0..6, Block::Region(Region::Nav)),
                (7..12, Block::Row),
                (7..8, Block::RowHead),
                (13..19, Block::Region(Region::Main)),
                (13..19, Block::Heading),
                (20..28, Block::Region(Region::Footer)),
            ],
        );
        let ranges = vec![27..28, 5..6, 11..12, 18..19];
        let b = blocks(&s, &ranges);
        assert_eq!(b[0].region, Region::Footer);
        assert_eq!(b[1].region, Region::Nav);
        assert_eq!(b[2].row, Some(7..12));
        assert_eq!(row_head(&s, &(7..12), &ranges[2]), Some("A"));
        assert!(b[3].heading && b[3].region == Region::Main);
    }

    #[test]
    fn an_occurrence_over_two_blocks_belongs_to_what_holds_both() {
        let text = "Cloud.\nDe confiance.";
        let s = segment(
            text,
            vec![(0..20, Block::Region(Region::Header)), (0..6, Block::Heading), (7..20, Block::Heading)],
        );
        let whole = [Range { start: 0, end: 19 }];
        let b = blocks(&s, &whole);
        assert_eq!(b[0].region, Region::Header);
        assert!(!b[0].heading);
    }

    #[test]
    fn addresses_are_found_within_reach_only() {
        assert!(in_address("voir https://x.example/secnumcloud-qualified/ ici", 23..34));
        let long = format!("{} secnumcloud", "a/b.".repeat(1000));
        assert!(!in_address(&long, long.len() - 11..long.len()));
    }
}
