//! Body text as a reader sees it: HTML whitespace collapsed, and line, cell and word boundaries placed lazily, with the links and blocks the text falls in.

use super::Link;
use super::layout::{Block, Span};

/// HTML's whitespace (space, tab, LF, FF, CR) collapsed to single spaces and trimmed, as a
/// browser renders it. No-break and other Unicode spaces are content and are kept.
pub fn collapse_html_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in split_html_whitespace(s).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// HTML's white space (ASCII tab, line feed, form feed, carriage return, space).
pub(crate) fn is_html_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0C' | b'\r')
}

/// `s.split(is_html_whitespace)`, byte by byte: HTML whitespace is ASCII, and an ASCII byte
/// is never part of a longer UTF-8 sequence, so every split falls on a character boundary and
/// the pieces are the same, without decoding a character at a time.
fn split_html_whitespace(s: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    s.as_bytes().split(|&b| is_html_space(b)).map(move |piece| {
        let word = &s[start..start + piece.len()];
        start += piece.len() + 1;
        word
    })
}

#[derive(Clone, Copy, PartialEq, PartialOrd)]
pub(super) enum Boundary {
    None,
    Space,
    Cell,
    Newline,
}

/// Builds rendered body text: collapses HTML whitespace and places boundaries lazily, so that
/// empty elements and whitespace-only text never produce blank lines or stray separators.
pub(super) struct TextBuilder {
    text: String,
    pending: Boundary,
    links: Vec<Link>,
    spans: Vec<Span>,
    /// Open `<a href>` elements: the href and where their text starts, known only once their
    /// first word is written (the boundary before it may still grow, " | " to "\n").
    open_links: Vec<(String, Option<usize>)>,
    /// Open blocks and landmarks, started the same way.
    open_spans: Vec<(Block, Option<usize>)>,
}

impl Default for TextBuilder {
    fn default() -> Self {
        TextBuilder {
            text: String::new(),
            pending: Boundary::None,
            links: Vec::new(),
            spans: Vec::new(),
            open_links: Vec::new(),
            open_spans: Vec::new(),
        }
    }
}

impl TextBuilder {
    pub(super) fn boundary(&mut self, b: Boundary) {
        if b > self.pending {
            self.pending = b;
        }
    }

    pub(super) fn open_link(&mut self, href: String) {
        self.open_links.push((href, None));
    }

    /// Closes the innermost open link, keeping it if any text was written inside it.
    pub(super) fn close_link(&mut self) {
        if let Some((href, Some(start))) = self.open_links.pop() {
            self.links.push(Link { range: start..self.text.len(), href });
        }
    }

    pub(super) fn open_span(&mut self, block: Block) {
        self.open_spans.push((block, None));
    }

    /// Closes the innermost open block, keeping it if any text was written inside it.
    pub(super) fn close_span(&mut self) {
        if let Some((block, Some(start))) = self.open_spans.pop() {
            self.spans.push(Span { range: start..self.text.len(), block });
        }
    }

    pub(super) fn push_text(&mut self, t: &str) {
        // Whitespace at either edge of a text node is a space between inline elements; a run
        // of words separated by single spaces is written as it stands, as word after word with
        // a space boundary between them would write it (the boundary before a word is a space
        // then, and whatever opened before the run started at its first word), without a
        // boundary check per word: text nodes hold most of a page's words.
        let bytes = t.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if is_html_space(bytes[i]) {
                while i < bytes.len() && is_html_space(bytes[i]) {
                    i += 1;
                }
                self.boundary(Boundary::Space);
                continue;
            }
            let start = i;
            while i < bytes.len() {
                if !is_html_space(bytes[i]) {
                    i += 1;
                } else if bytes[i] == b' ' && bytes.get(i + 1).is_some_and(|&b| !is_html_space(b)) {
                    i += 2;
                } else {
                    break;
                }
            }
            self.flush_boundary();
            // Split at ASCII bytes only, hence on character boundaries.
            self.text.push_str(&t[start..i]);
        }
    }

    fn flush_boundary(&mut self) {
        if !self.text.is_empty() {
            match self.pending {
                Boundary::None => {}
                Boundary::Space => self.text.push(' '),
                Boundary::Cell => {
                    let at_line_start = self.text.ends_with('\n');
                    self.text.push_str(if at_line_start { "" } else { " | " });
                }
                Boundary::Newline => self.text.push('\n'),
            }
        }
        self.pending = Boundary::None;
        // Links and blocks opened since the last word start here; those opened earlier already
        // started.
        let at = self.text.len();
        for (_, start) in self.open_links.iter_mut().rev().take_while(|(_, s)| s.is_none()) {
            *start = Some(at);
        }
        for (_, start) in self.open_spans.iter_mut().rev().take_while(|(_, s)| s.is_none()) {
            *start = Some(at);
        }
    }

    /// The text, its links, and its blocks sorted by start (outer before inner at one start).
    pub(super) fn finish(mut self) -> (String, Vec<Link>, Vec<Span>) {
        // Blocks left open by a truncated document end with the text.
        while !self.open_spans.is_empty() {
            self.close_span();
        }
        self.spans.sort_by_key(|s| (s.range.start, std::cmp::Reverse(s.range.end)));
        (self.text, self.links, self.spans)
    }
}

#[cfg(test)]
mod split_tests {
    use super::{Block, Boundary, TextBuilder, split_html_whitespace};

    /// `push_text` as it was written first, word by word: the reference for the faster one.
    fn push_words(b: &mut TextBuilder, t: &str) {
        for (i, word) in split_html_whitespace(t).enumerate() {
            if i > 0 {
                b.boundary(Boundary::Space);
            }
            if !word.is_empty() {
                b.flush_boundary();
                b.text.push_str(word);
            }
        }
    }

    #[test]
    fn text_nodes_are_written_as_word_by_word() {
        let nodes = [
            "",
            " ",
            "a",
            "  a  b ",
            "Notre offre est qualifiée SecNumCloud.",
            " x y\tz\r\nw ",
            "\tqualifié\u{A0}SecNumCloud\r\n",
            "é è\x0Cà\u{2003}ç",
            "a b  c ",
        ];
        for first in nodes {
            for second in nodes {
                let (mut fast, mut slow) = (TextBuilder::default(), TextBuilder::default());
                for b in [&mut fast, &mut slow] {
                    b.open_link("/l".into());
                    b.boundary(Boundary::Cell);
                }
                fast.push_text(first);
                push_words(&mut slow, first);
                for b in [&mut fast, &mut slow] {
                    b.close_link();
                    b.open_span(Block::Quote);
                    b.boundary(Boundary::Newline);
                }
                fast.push_text(second);
                push_words(&mut slow, second);
                let (fast, slow) = (fast.finish(), slow.finish());
                assert_eq!((&fast.0, &fast.1, &fast.2), (&slow.0, &slow.1, &slow.2), "{first:?} {second:?}");
            }
        }
    }

    #[test]
    fn byte_split_matches_char_split() {
        let by_char =
            |s: &str| -> Vec<String> { s.split([' ', '\t', '\n', '\x0C', '\r']).map(str::to_string).collect() };
        for s in [
            "",
            " ",
            "a",
            "  a  b ",
            "\tqualifié\u{A0}SecNumCloud\r\n",
            "é è\x0Cà\u{2003}ç",
            "\u{1F600} x\n\n",
            "Sec\u{AD}Num\u{200B}Cloud ",
        ] {
            let got: Vec<String> = split_html_whitespace(s).map(str::to_string).collect();
            assert_eq!(got, by_char(s), "{s:?}");
        }
    }
}
