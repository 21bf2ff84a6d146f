//! A byte-level prefilter: decides, before any HTML parsing, that a response body cannot hold a
//! label occurrence, and never rejects a body in which the full reader (extract, then detect)
//! would find one.
//!
//! # What is matched
//!
//! Every form of every label is reduced to its *needle*: its folded text (as the pattern loader
//! folds it, with [`normalize`]) keeping only ASCII letters and digits. A label's `suffix` is
//! optional, so the form alone is the needle. The body is turned into a *stream* of folded ASCII
//! letters and digits, each with a flag saying whether something that is not one came before it
//! (a space, punctuation, a tag, a character that folds to nothing alphanumeric…). A needle
//! found counts when the flag before its first character is set (or it opens the stream): the
//! forms' regexes open with an ASCII `\b` when they start with a letter or digit. So the search
//! only starts at flagged characters: each starts an attempt in an anchored Aho-Corasick automaton
//! of the needles, which the following characters advance until it matches or dies; inside a word
//! with no attempt under way, the walk passes over the rest of the word without looking.
//!
//! # Why it is sound
//!
//! The full reader matches a form's regex on the folded text of one segment (body text, title,
//! a `meta` content, an `alt`, `title` or `aria-label`, a JSON-LD string). The characters of such
//! a match are the form's own characters plus gaps (spaces, `-`, `_`, `.`, `·`, the optional
//! suffix), and it needs an ASCII word boundary before it when the form starts with a letter or
//! digit (and when it does not, the form's first character is itself not alphanumeric, so the
//! stream has a flag there anyway). So the match's ASCII letters and digits are exactly the
//! needle, and the stream holds the needle, contiguously and flagged, provided that:
//!
//! 1. the stream never *drops* a letter or digit the reader reads: every character of text the
//!    reader may read is walked (attribute values of `alt`, `title`, `aria-label` and `content`
//!    too), character references and JSON escapes are decoded as the parser and the JSON reader
//!    decode them, and each character is folded by the very function the reader folds with
//!    ([`fold_one`]);
//! 2. the stream never *inserts* a letter or digit between two the reader reads side by side:
//!    tags and comments are transparent (they only set the flag), and text that the reader
//!    never reads (scripts other than JSON-LD, styles, `<noscript>`, `<iframe>`) is left out;
//! 3. the stream keeps the reader's *order*;
//! 4. the flag is set wherever the reader may see a boundary: flags are set generously (at every
//!    tag, comment, attribute value, escape), which can only let more through.
//!
//! Points 1 to 3 hold as long as the walk knows the state of the HTML tokenizer and tree builder.
//! It follows the tokenizer's states (data, tags and attribute values, comments, RCDATA for
//! `<title>` and `<textarea>`, RAWTEXT, script data, PLAINTEXT, CDATA in SVG and MathML) and the
//! few tree-builder decisions that change them. Where it cannot be sure, it does not guess: it
//! reads the page with the full reader instead ([`Prefilter::may_hold`] then answers exactly).
//! That happens on
//! - text or a non-table element directly inside a `<table>` (outside cells): the tree builder
//!   moves it before the table ("foster parenting"), which changes the order of the text;
//! - inside `<svg>` or `<math>`: an HTML element that breaks out of foreign content, any start
//!   tag inside an integration point (`<foreignObject>`, `<desc>`, `<title>`, `<mi>`…), a
//!   `<script>`, or an end tag that closes no open foreign element;
//! - inside `<select>`: a raw-text, foreign or table element (the tree builder may ignore it);
//! - a script whose content holds `<!--` then `<script` (the "double escaped" state, where the
//!   first `</script>` does not end the script).
//!
//! It is over-inclusive (answers `true` for a page without any label) on purpose where that is
//! cheaper than precision: an end boundary is not checked, a needle may span a tag or a block
//! break, every `alt`, `title`, `aria-label` and `content` attribute is read whatever its
//! element, JSON-LD is read whole (keys, `@id`, invalid JSON), and a PDF document (which the
//! full reader does not read as HTML) is always let through.

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, MatchKind, StartKind};
use encoding_rs::UTF_8;
use html5ever::data::{C1_REPLACEMENTS, NAMED_ENTITIES};

use crate::extract::normalize::fold_one;
use crate::extract::{charset, extract, is_html_space, normalize};
use crate::patterns::PatternSet;

mod skip;

/// In a [`folds`] entry: the character folds to more than three events (read it slowly).
const SLOW: u8 = 0xFF;
/// In a [`folds`] entry: a separator event (white space, punctuation, a letter of no ASCII fold).
const SEP: u8 = b' ';

/// What each character of the Basic Multilingual Plane folds to, as the walk sees it: a count
/// then up to three events, each an ASCII letter or digit (lower case) or [`SEP`]; [`SLOW`] when
/// there are more. Computed once from [`fold_one`] itself, so that the table and the reader's
/// fold cannot disagree; it spares the walk the Unicode decomposition of every accented letter.
fn folds() -> &'static [[u8; 4]] {
    static FOLDS: std::sync::OnceLock<Box<[[u8; 4]]>> = std::sync::OnceLock::new();
    FOLDS.get_or_init(|| {
        (0u32..0x1_0000)
            .map(|u| {
                let Some(c) = char::from_u32(u) else { return [SLOW, 0, 0, 0] };
                let mut events = Vec::with_capacity(3);
                fold_one(c, |f| events.push(if f.is_ascii_alphanumeric() { f as u8 } else { SEP }));
                match events.len() {
                    0..=3 => {
                        let mut e = [events.len() as u8, 0, 0, 0];
                        e[1..=events.len()].copy_from_slice(&events);
                        e
                    }
                    _ => [SLOW, 0, 0, 0],
                }
            })
            .collect()
    })
}

/// Decides cheaply that a body holds no label; see the module documentation.
pub struct Prefilter {
    /// `None` when some form has no ASCII letter or digit: nothing can then be ruled out.
    dfa: Option<DFA>,
    /// For the pages the walk cannot be sure about, read in full.
    patterns: PatternSet,
    /// The stream bytes that can start a needle, for the fast lane through plain text.
    starts: Option<skip::Starts>,
}

impl std::fmt::Debug for Prefilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prefilter").field("needles", &self.needles()).finish_non_exhaustive()
    }
}

/// The needle of a form: its folded text's ASCII letters and digits.
fn needle(form: &str) -> String {
    normalize(form).chars().filter(char::is_ascii_alphanumeric).collect()
}

/// The needles of every form of every label, sorted, without repeats.
fn needles_of(patterns: &PatternSet) -> Vec<String> {
    let mut needles: Vec<String> =
        patterns.labels.iter().flat_map(|l| l.forms.iter()).map(|f| needle(&f.text)).collect();
    needles.sort();
    needles.dedup();
    needles
}

impl Prefilter {
    /// Derived from the pattern files' forms: adding a label file can never break the promise.
    pub fn new(patterns: &PatternSet) -> Prefilter {
        let needles = needles_of(patterns);
        let dfa = if needles.iter().any(String::is_empty) {
            None
        } else {
            Some(
                DFA::builder()
                    .match_kind(MatchKind::Standard)
                    .start_kind(StartKind::Anchored)
                    .build(&needles)
                    .expect("a few short needles make a small automaton"),
            )
        };
        let starts = dfa.as_ref().and_then(starts_of);
        Prefilter { dfa, patterns: patterns.clone(), starts }
    }

    /// The needles, for tests and debugging.
    pub fn needles(&self) -> Vec<String> {
        needles_of(&self.patterns)
    }

    /// False only when `body` (an HTTP response body, already decoded from any content coding,
    /// with its Content-Type) cannot hold any label occurrence that the full reader would find.
    pub fn may_hold(&self, body: &[u8], content_type: Option<&str>) -> bool {
        let Some(dfa) = &self.dfa else { return true };
        if crate::pipeline::document::is_pdf_document(content_type, None, body) {
            return true;
        }
        match self.walk(dfa, body, content_type) {
            Ok(()) => false,
            Err(Stop::Found) => true,
            Err(Stop::Unsure) => self.exact(body, content_type),
        }
    }

    /// How [`Prefilter::may_hold`] decided: `Some(found)` from the walk, `None` when it read the page in full.
    pub fn walk_only(&self, body: &[u8], content_type: Option<&str>) -> Option<bool> {
        let dfa = self.dfa.as_ref()?;
        match self.walk(dfa, body, content_type) {
            Ok(()) => Some(false),
            Err(Stop::Found) => Some(true),
            Err(Stop::Unsure) => None,
        }
    }

    fn walk(&self, dfa: &DFA, body: &[u8], content_type: Option<&str>) -> Result<(), Stop> {
        let (encoding, bom_len, _) = charset::decide(body, content_type);
        let body = &body[bom_len..];
        let starts = self.starts.as_ref();
        if encoding == UTF_8 {
            Walk::new(dfa, starts, body).run()
        } else {
            let (text, _) = encoding.decode_without_bom_handling(body);
            Walk::new(dfa, starts, text.as_bytes()).run()
        }
    }

    /// The full reader's answer: does any segment's folded text hold a form?
    fn exact(&self, body: &[u8], content_type: Option<&str>) -> bool {
        let page = extract(body, content_type);
        // A page the parser gave up on has no segments: no claims.
        page.segments.iter().any(|s| self.patterns.may_occur(&normalize(&s.text)))
    }
}

/// The needles' prefixes for the fast lane, read off the automaton itself.
fn starts_of(dfa: &DFA) -> Option<skip::Starts> {
    let start = dfa.start_state(Anchored::Yes).expect("an automaton built for anchored searches");
    let life = |prefix: &[u8]| {
        let mut sid = start;
        for &b in prefix {
            sid = dfa.next_state(Anchored::Yes, sid, b);
            if dfa.is_dead(sid) {
                return skip::Life::Dead;
            }
            if dfa.is_match(sid) {
                return skip::Life::Found;
            }
        }
        skip::Life::Alive
    };
    skip::Starts::new(life, latin1_folds())
}

/// `C3 x` (from `x = 0x80`): the Latin-1 letter's fold (a count, then its letters and digits)
/// when it folds to one to three of them and nothing else, as the walk reads it; a count of 0
/// otherwise.
fn latin1_folds() -> [[u8; 4]; 64] {
    let folds = folds();
    std::array::from_fn(|k| {
        let e = folds[0xC0 + k];
        if (1..=3).contains(&e[0]) && e[1..=usize::from(e[0])].iter().all(|&x| x != SEP) { e } else { [0; 4] }
    })
}

/// Why a walk stopped before the end.
#[derive(Debug)]
enum Stop {
    /// A needle with a boundary before it.
    Found,
    /// The walk cannot tell the tokenizer's or tree builder's state.
    Unsure,
}

type Step = Result<(), Stop>;

/// Lower-cased ASCII letters and digits; 0 for every other byte.
const ALNUM: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            t[b] = c.to_ascii_lowercase();
        }
        b += 1;
    }
    t
};

/// A tag name, ASCII lower-cased; names longer than any we look for are kept as "long".
#[derive(Clone, Copy, PartialEq, Eq)]
struct Name {
    bytes: [u8; 14],
    len: u8,
}

impl Name {
    const LONG: u8 = u8::MAX;

    fn is(&self, s: &str) -> bool {
        self.len != Self::LONG && &self.bytes[..usize::from(self.len)] == s.as_bytes()
    }

    fn any(&self, names: &[&str]) -> bool {
        names.iter().any(|n| self.is(n))
    }
}

/// Elements inside `<svg>` or `<math>` that take HTML start tags as HTML.
const INTEGRATION_POINTS: &[&str] =
    &["foreignobject", "desc", "title", "mi", "mo", "mn", "ms", "mtext", "annotation-xml"];

/// Start tags that end foreign content (`font` only with some attributes; always here).
const BREAKOUTS: &[&str] = &[
    "b",
    "big",
    "blockquote",
    "body",
    "br",
    "center",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "hr",
    "i",
    "img",
    "li",
    "listing",
    "menu",
    "meta",
    "nobr",
    "ol",
    "p",
    "pre",
    "ruby",
    "s",
    "small",
    "span",
    "strong",
    "strike",
    "sub",
    "sup",
    "table",
    "tt",
    "u",
    "ul",
    "var",
    "font",
    "script",
];

/// Elements whose start tag switches the tokenizer out of the data state (in HTML content).
const RAW: &[&str] =
    &["script", "style", "iframe", "noscript", "xmp", "noembed", "noframes", "title", "textarea", "plaintext"];

/// What may stand directly in a table (outside cells) without being moved before it.
const IN_TABLE: &[&str] = &[
    "table", "caption", "colgroup", "col", "tbody", "thead", "tfoot", "tr", "td", "th", "script", "style", "template",
    "form",
];

/// The attributes whose values the reader reads (on some elements; here on all).
const READ_ATTRIBUTES: &[&str] = &["alt", "title", "aria-label", "content"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum TableFrame {
    Table,
    Cell,
}

struct Walk<'a> {
    dfa: &'a DFA,
    /// The fold of every character of the Basic Multilingual Plane, as events (see [`folds`]).
    folds: &'static [[u8; 4]],
    /// The anchored start: each attempt begins there, at a character that follows a boundary.
    start: StateID,
    /// Attempts under way: the anchored automaton's state of each needle start not yet ruled out.
    active: Vec<StateID>,
    /// For the fast lane through plain text ([`skip`]); `None` to go byte by byte.
    starts: Option<&'a skip::Starts>,
    bytes: &'a [u8],
    i: usize,
    /// Something not alphanumeric came since the last character of the stream.
    boundary: bool,
    /// Open foreign (SVG, MathML) elements, innermost last; empty in HTML content.
    foreign: Vec<Name>,
    /// Open tables and cells, innermost last.
    tables: Vec<TableFrame>,
    /// Directly inside a table: only white space may come as text.
    strict: bool,
    in_select: bool,
}

impl<'a> Walk<'a> {
    fn new(dfa: &'a DFA, starts: Option<&'a skip::Starts>, bytes: &'a [u8]) -> Self {
        let start = dfa.start_state(Anchored::Yes).expect("an automaton built for anchored searches");
        Walk {
            dfa,
            folds: folds(),
            start,
            active: Vec::with_capacity(16),
            starts,
            bytes,
            i: 0,
            boundary: true,
            foreign: Vec::new(),
            tables: Vec::new(),
            strict: false,
            in_select: false,
        }
    }

    /// One folded ASCII letter or digit into the stream.
    #[inline(always)]
    fn alnum(&mut self, b: u8) -> Step {
        // The attempts under way take the character (whatever came between: a needle may run
        // across tags and spaces), and die or match.
        let mut k = 0;
        while k < self.active.len() {
            let sid = self.dfa.next_state(Anchored::Yes, self.active[k], b);
            if self.dfa.is_special(sid) {
                if self.dfa.is_match(sid) {
                    return Err(Stop::Found);
                }
                if self.dfa.is_dead(sid) {
                    self.active.swap_remove(k);
                    continue;
                }
            }
            self.active[k] = sid;
            k += 1;
        }
        // A needle may start only where a boundary came before, as the forms' `\b` wants.
        if self.boundary {
            self.boundary = false;
            let sid = self.dfa.next_state(Anchored::Yes, self.start, b);
            if self.dfa.is_special(sid) {
                if self.dfa.is_match(sid) {
                    return Err(Stop::Found);
                }
                if self.dfa.is_dead(sid) {
                    return Ok(());
                }
            }
            self.active.push(sid);
        }
        Ok(())
    }

    #[inline(always)]
    fn sep(&mut self) {
        self.boundary = true;
    }

    /// A decoded character of text, folded as the reader folds it.
    fn char(&mut self, c: char) -> Step {
        if c.is_ascii() {
            let b = ALNUM[c as usize];
            if b != 0 {
                return self.alnum(b);
            }
            self.sep();
            return Ok(());
        }
        if let Some(events) = self.folds.get(c as usize)
            && events[0] != SLOW
        {
            for &e in &events[1..=usize::from(events[0])] {
                if e == SEP {
                    self.sep();
                } else {
                    self.alnum(e)?;
                }
            }
            return Ok(());
        }
        let mut out = Ok(());
        fold_one(c, |f| {
            if out.is_err() {
                return;
            }
            if f.is_ascii_alphanumeric() {
                out = self.alnum(f as u8);
            } else {
                self.sep();
            }
        });
        out
    }

    /// The non-ASCII character at `self.i` (advancing past it); an invalid byte is a separator,
    /// as the U+FFFD the decoder puts in its place.
    fn non_ascii(&mut self) -> Step {
        let lead = self.bytes[self.i];
        // Two- and three-byte characters (accented letters, typographic marks) decoded in place;
        // anything else (four bytes, invalid sequences) the long way below.
        let cont =
            |k: usize| self.bytes.get(self.i + k).copied().filter(|c| c & 0xC0 == 0x80).map(|c| u32::from(c & 0x3F));
        if let (0xC2..=0xDF, Some(c1)) = (lead, cont(1)) {
            self.i += 2;
            return self.char(char::from_u32((u32::from(lead & 0x1F) << 6) | c1).expect("a two-byte scalar value"));
        }
        if let (0xE0..=0xEF, Some(c1), Some(c2)) = (lead, cont(1), cont(2)) {
            let u = (u32::from(lead & 0x0F) << 12) | (c1 << 6) | c2;
            // Not overlong (E0 needs ≥ U+0800) and not a surrogate (ED stops below U+D800).
            if u >= 0x800
                && let Some(c) = char::from_u32(u)
            {
                self.i += 3;
                return self.char(c);
            }
        }
        let width = match lead {
            0xC2..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF4 => 4,
            _ => 0,
        };
        let end = self.i + width;
        if width > 0
            && end <= self.bytes.len()
            && let Ok(s) = std::str::from_utf8(&self.bytes[self.i..end])
        {
            self.i = end;
            return self.char(s.chars().next().expect("one whole character"));
        }
        self.i += 1;
        self.sep();
        Ok(())
    }

    fn run(mut self) -> Step {
        self.data()
    }

    /// The data state, to the end of the input. The position is kept in a local while the bytes
    /// are plain text (most of a page), and handed back to `self.i` around the other states.
    fn data(&mut self) -> Step {
        let bytes = self.bytes;
        let mut i = self.i;
        while i < bytes.len() {
            if self.active.is_empty()
                && !self.strict
                && let Some(starts) = self.starts
            {
                // The characters passed over leave only the boundary flag.
                (i, self.boundary) = skip::next_stop(bytes, i, self.boundary, starts);
                if i == bytes.len() {
                    break;
                }
            }
            let b = bytes[i];
            let a = ALNUM[usize::from(b)];
            if a != 0 {
                if self.strict {
                    self.i = i;
                    return Err(Stop::Unsure);
                }
                if self.active.is_empty() && !self.boundary {
                    // Inside a word with no attempt under way: no needle can start before the
                    // next boundary, so the rest of the word is passed over.
                    i += 1;
                    while i < bytes.len() && ALNUM[usize::from(bytes[i])] != 0 {
                        i += 1;
                    }
                    continue;
                }
                if let Err(stop) = self.alnum(a) {
                    self.i = i;
                    return Err(stop);
                }
                i += 1;
                continue;
            }
            match b {
                b'<' | b'&' | 0x80.. => {
                    self.i = i;
                    match b {
                        b'<' => self.markup()?,
                        b'&' => {
                            if self.strict {
                                return Err(Stop::Unsure);
                            }
                            self.char_ref(false)?;
                        }
                        _ => {
                            if self.strict {
                                return Err(Stop::Unsure);
                            }
                            self.non_ascii()?;
                        }
                    }
                    i = self.i;
                }
                _ => {
                    if self.strict && !is_html_space(b) {
                        self.i = i;
                        return Err(Stop::Unsure);
                    }
                    self.sep();
                    i += 1;
                }
            }
        }
        self.i = i;
        Ok(())
    }

    fn at(&self, k: usize) -> Option<u8> {
        self.bytes.get(self.i + k).copied()
    }

    /// Past the next `>` (or to the end): bogus comments, doctypes.
    fn skip_to_gt(&mut self) {
        match memchr::memchr(b'>', &self.bytes[self.i..]) {
            Some(k) => self.i += k + 1,
            None => self.i = self.bytes.len(),
        }
    }

    /// At `<` in the data state.
    fn markup(&mut self) -> Step {
        self.sep();
        match self.at(1) {
            Some(c) if c.is_ascii_alphabetic() => {
                self.i += 1;
                self.start_tag()
            }
            Some(b'/') => match self.at(2) {
                Some(c) if c.is_ascii_alphabetic() => {
                    self.i += 2;
                    self.end_tag()
                }
                Some(b'>') => {
                    self.i += 3;
                    Ok(())
                }
                Some(_) => {
                    self.i += 2;
                    self.skip_to_gt();
                    Ok(())
                }
                None => {
                    self.i += 2;
                    Ok(())
                }
            },
            Some(b'!') => {
                let rest = &self.bytes[self.i..];
                if rest.starts_with(b"<!--") {
                    self.comment();
                    Ok(())
                } else if rest.starts_with(b"<![CDATA[") && !self.foreign.is_empty() {
                    self.i += 9;
                    let end = memchr::memmem::find(&self.bytes[self.i..], b"]]>").map(|k| self.i + k);
                    let end = end.unwrap_or(self.bytes.len());
                    self.literal(end)?;
                    self.i = (end + 3).min(self.bytes.len());
                    self.sep();
                    Ok(())
                } else {
                    self.i += 2;
                    self.skip_to_gt();
                    Ok(())
                }
            }
            Some(b'?') => {
                self.i += 2;
                self.skip_to_gt();
                Ok(())
            }
            _ => {
                // A lone `<` is text.
                self.i += 1;
                Ok(())
            }
        }
    }

    /// At `<!--`: past the comment. `<!-->` and `<!--->` are whole comments; a comment ends at
    /// `-->` or `--!>`.
    fn comment(&mut self) {
        let from = self.i + 2;
        let a = memchr::memmem::find(&self.bytes[from..], b"-->").map(|k| from + k + 3);
        let from4 = (self.i + 4).min(self.bytes.len());
        let b = memchr::memmem::find(&self.bytes[from4..], b"--!>").map(|k| from4 + k + 4);
        self.i = match (a, b) {
            (Some(a), Some(b)) => a.min(b),
            (Some(x), None) | (None, Some(x)) => x,
            (None, None) => self.bytes.len(),
        };
    }

    /// A tag name from `self.i` (past `<` or `</`), ASCII lower-cased.
    fn tag_name(&mut self) -> Name {
        let mut name = Name { bytes: [0; 14], len: 0 };
        while let Some(b) = self.at(0) {
            if is_html_space(b) || b == b'/' || b == b'>' {
                break;
            }
            if name.len != Name::LONG {
                if usize::from(name.len) < name.bytes.len() {
                    name.bytes[usize::from(name.len)] = b.to_ascii_lowercase();
                    name.len += 1;
                } else {
                    name.len = Name::LONG;
                }
            }
            self.i += 1;
        }
        name
    }

    /// The attributes of a tag, to its `>` (or the end of input): the values the reader may read
    /// go into the stream. Returns whether the tag is self-closing, and whether its `type`
    /// attribute may say JSON-LD.
    fn attributes(&mut self, read_values: bool) -> Result<TagInfo, Stop> {
        let mut out = TagInfo { self_closing: false, json_ld: false };
        loop {
            // Before an attribute name.
            loop {
                match self.at(0) {
                    None => return Ok(out),
                    Some(b'>') => {
                        self.i += 1;
                        return Ok(out);
                    }
                    Some(b'/') => {
                        self.i += 1;
                        if self.at(0) == Some(b'>') {
                            self.i += 1;
                            out.self_closing = true;
                            return Ok(out);
                        }
                    }
                    Some(b) if is_html_space(b) => self.i += 1,
                    Some(_) => break,
                }
            }
            // The name: its first character may be `=`.
            let start = self.i;
            self.i += 1;
            while let Some(b) = self.at(0) {
                if is_html_space(b) || b == b'/' || b == b'>' || b == b'=' {
                    break;
                }
                self.i += 1;
            }
            let name = &self.bytes[start..self.i];
            let read = read_values && READ_ATTRIBUTES.iter().any(|a| name.eq_ignore_ascii_case(a.as_bytes()));
            let is_type = name.eq_ignore_ascii_case(b"type");
            while self.at(0).is_some_and(is_html_space) {
                self.i += 1;
            }
            if self.at(0) != Some(b'=') {
                continue;
            }
            self.i += 1;
            while self.at(0).is_some_and(is_html_space) {
                self.i += 1;
            }
            let (vstart, vend, next) = match self.at(0) {
                None => return Ok(out),
                Some(q @ (b'"' | b'\'')) => {
                    let from = self.i + 1;
                    match memchr::memchr(q, &self.bytes[from..]) {
                        Some(k) => (from, from + k, from + k + 1),
                        None => (from, self.bytes.len(), self.bytes.len()),
                    }
                }
                Some(b'>') => continue,
                Some(_) => {
                    let from = self.i;
                    let k = self.bytes[from..].iter().position(|&b| is_html_space(b) || b == b'>');
                    let end = k.map_or(self.bytes.len(), |k| from + k);
                    (from, end, end)
                }
            };
            if is_type {
                let v = &self.bytes[vstart..vend];
                // A character reference could spell it: read the script then.
                out.json_ld |= v.contains(&b'&') || v.windows(7).any(|w| w.eq_ignore_ascii_case(b"ld+json"));
            }
            if read {
                self.sep();
                self.i = vstart;
                self.text_until(vend, Text::Attribute)?;
                self.sep();
            }
            self.i = next;
        }
    }

    fn start_tag(&mut self) -> Step {
        let name = self.tag_name();
        let tag = self.attributes(true)?;
        self.sep();
        if !self.foreign.is_empty() {
            let top = *self.foreign.last().expect("not empty");
            if top.any(INTEGRATION_POINTS) || name.any(BREAKOUTS) {
                return Err(Stop::Unsure);
            }
            if !tag.self_closing {
                if self.foreign.len() > 512 {
                    return Err(Stop::Unsure);
                }
                self.foreign.push(name);
            }
            return Ok(());
        }
        if self.in_select && (name.any(RAW) || name.any(&["svg", "math"]) || name.any(IN_TABLE)) {
            return Err(Stop::Unsure);
        }
        self.table_start(name)?;
        if name.any(&["svg", "math"]) {
            if !tag.self_closing {
                self.foreign.push(name);
            }
            return Ok(());
        }
        if name.is("select") {
            self.in_select = true;
        } else if name.is("script") {
            let (end, after) = self.raw_end(b"script");
            let content = &self.bytes[self.i..end];
            if let Some(k) = memchr::memmem::find(content, b"<!--")
                && content[k..].windows(8).any(|w| {
                    w[..7].eq_ignore_ascii_case(b"<script") && (is_html_space(w[7]) || w[7] == b'/' || w[7] == b'>')
                })
            {
                return Err(Stop::Unsure);
            }
            if tag.json_ld {
                self.json(end)?;
                self.sep();
            }
            self.i = after;
            self.close_raw();
        } else if name.any(&["style", "iframe", "noscript"]) {
            let (_, after) = self.raw_end(&name.bytes[..usize::from(name.len)]);
            self.i = after;
            self.close_raw();
        } else if name.any(&["xmp", "noembed", "noframes"]) {
            let (end, after) = self.raw_end(&name.bytes[..usize::from(name.len)]);
            self.literal(end)?;
            self.sep();
            self.i = after;
            self.close_raw();
        } else if name.any(&["title", "textarea"]) {
            let (end, after) = self.raw_end(&name.bytes[..usize::from(name.len)]);
            self.text_until(end, Text::Rcdata)?;
            self.sep();
            self.i = after;
            self.close_raw();
        } else if name.is("plaintext") {
            self.literal(self.bytes.len())?;
        }
        Ok(())
    }

    /// After a raw-text element's end tag `</name`: its attributes, to `>`.
    fn close_raw(&mut self) {
        if self.i < self.bytes.len() {
            // An end tag's attributes are read by no one; an error here would be a bug.
            let _ = self.attributes(false);
        }
    }

    /// Where the content of a raw-text element opened at `self.i` ends: the first `</name`
    /// followed by white space, `/` or `>` (its start, and the position after the name), or the
    /// end of input.
    fn raw_end(&self, name: &[u8]) -> (usize, usize) {
        let mut from = self.i;
        while let Some(k) = memchr::memmem::find(&self.bytes[from..], b"</") {
            let at = from + k;
            let after = at + 2 + name.len();
            if after <= self.bytes.len()
                && self.bytes[at + 2..after].eq_ignore_ascii_case(name)
                && self.bytes.get(after).is_none_or(|&b| is_html_space(b) || b == b'/' || b == b'>')
            {
                return (at, after);
            }
            from = at + 2;
        }
        (self.bytes.len(), self.bytes.len())
    }

    fn end_tag(&mut self) -> Step {
        let name = self.tag_name();
        self.attributes(false)?;
        self.sep();
        if !self.foreign.is_empty() {
            match self.foreign.iter().rposition(|n| *n == name) {
                Some(k) => self.foreign.truncate(k),
                None => return Err(Stop::Unsure),
            }
            return Ok(());
        }
        if name.is("select") {
            self.in_select = false;
        }
        let top = self.tables.last().copied();
        if name.any(&["td", "th", "caption", "tr", "tbody", "thead", "tfoot"]) && top == Some(TableFrame::Cell) {
            self.tables.pop();
        } else if name.is("table")
            && let Some(k) = self.tables.iter().rposition(|f| *f == TableFrame::Table)
        {
            self.tables.truncate(k);
        }
        self.strict = self.tables.last() == Some(&TableFrame::Table);
        Ok(())
    }

    /// What a start tag does to the tables open.
    fn table_start(&mut self, name: Name) -> Step {
        let top = self.tables.last().copied();
        if name.is("table") {
            if top == Some(TableFrame::Table) {
                return Err(Stop::Unsure);
            }
            self.tables.push(TableFrame::Table);
        } else if name.any(&["td", "th", "caption"]) {
            if top == Some(TableFrame::Cell) {
                self.tables.pop();
            }
            if self.tables.last() == Some(&TableFrame::Table) {
                self.tables.push(TableFrame::Cell);
            }
        } else if name.any(&["tr", "tbody", "thead", "tfoot", "col", "colgroup"]) {
            if top == Some(TableFrame::Cell) {
                self.tables.pop();
            }
        } else if top == Some(TableFrame::Table) && !name.any(IN_TABLE) {
            return Err(Stop::Unsure);
        }
        if self.tables.len() > 512 {
            return Err(Stop::Unsure);
        }
        self.strict = self.tables.last() == Some(&TableFrame::Table);
        Ok(())
    }

    /// Text to `end` where character references are decoded and `<` is a character (attribute
    /// values, RCDATA).
    fn text_until(&mut self, end: usize, kind: Text) -> Step {
        while self.i < end {
            let b = self.bytes[self.i];
            if b == b'&' {
                self.char_ref_until(kind == Text::Attribute, end)?;
            } else {
                self.plain(b)?;
            }
        }
        Ok(())
    }

    /// Text to `end` read as is (RAWTEXT that the reader reads, PLAINTEXT, CDATA).
    fn literal(&mut self, end: usize) -> Step {
        while self.i < end {
            self.plain(self.bytes[self.i])?;
        }
        Ok(())
    }

    /// The byte at `self.i`, which has no escape of its own here: a letter or digit into the
    /// stream, a non-ASCII character decoded and folded, anything else a separator.
    #[inline(always)]
    fn plain(&mut self, b: u8) -> Step {
        let a = ALNUM[usize::from(b)];
        if a != 0 {
            self.alnum(a)?;
            self.i += 1;
        } else if b >= 0x80 {
            self.non_ascii()?;
        } else {
            self.sep();
            self.i += 1;
        }
        Ok(())
    }

    /// A JSON-LD script's text to `end`, its escapes decoded.
    fn json(&mut self, end: usize) -> Step {
        while self.i < end {
            let b = self.bytes[self.i];
            if b != b'\\' {
                self.plain(b)?;
            } else {
                self.sep();
                if self.bytes.get(self.i + 1) == Some(&b'u')
                    && let Some(unit) = self.hex4(self.i + 2, end)
                {
                    self.i += 6;
                    let c = if (0xD800..0xDC00).contains(&unit) {
                        let low = (self.bytes.get(self.i) == Some(&b'\\') && self.bytes.get(self.i + 1) == Some(&b'u'))
                            .then(|| self.hex4(self.i + 2, end))
                            .flatten()
                            .filter(|l| (0xDC00..0xE000).contains(l));
                        low.and_then(|l| {
                            self.i += 6;
                            char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (l - 0xDC00))
                        })
                    } else {
                        char::from_u32(unit)
                    };
                    match c {
                        Some(c) => self.char(c)?,
                        // A lone surrogate: the JSON is rejected, nothing is read.
                        None => self.sep(),
                    }
                } else {
                    // `\n`, `\"`…: a separator, never a letter.
                    self.i = (self.i + 2).min(end);
                }
            }
        }
        Ok(())
    }

    fn hex4(&self, at: usize, end: usize) -> Option<u32> {
        let digits = self.bytes.get(at..at + 4).filter(|_| at + 4 <= end)?;
        let s = std::str::from_utf8(digits).ok()?;
        if !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(s, 16).ok()
    }

    /// At `&` in the data state.
    fn char_ref(&mut self, in_attribute: bool) -> Step {
        self.char_ref_until(in_attribute, self.bytes.len())
    }

    /// At `&`: a character reference as the tokenizer decodes it (reading no further than
    /// `end`), or the `&` alone as a character.
    fn char_ref_until(&mut self, in_attribute: bool, end: usize) -> Step {
        let bytes = &self.bytes[..end];
        let start = self.i + 1;
        match bytes.get(start) {
            Some(b'#') => {
                let (hex, digits_from) = match bytes.get(start + 1) {
                    Some(b'x' | b'X') => (true, start + 2),
                    _ => (false, start + 1),
                };
                let mut k = digits_from;
                let mut value: u32 = 0;
                while let Some(&d) = bytes.get(k) {
                    let v = match d {
                        b'0'..=b'9' => u32::from(d - b'0'),
                        b'a'..=b'f' if hex => u32::from(d - b'a' + 10),
                        b'A'..=b'F' if hex => u32::from(d - b'A' + 10),
                        _ => break,
                    };
                    value = value.saturating_mul(if hex { 16 } else { 10 }).saturating_add(v);
                    k += 1;
                }
                if k == digits_from {
                    // `&#` or `&#x` without digits: read as written.
                    self.sep();
                    self.i += 1;
                    return Ok(());
                }
                if bytes.get(k) == Some(&b';') {
                    k += 1;
                }
                self.i = k;
                let c = match value {
                    0 | 0xD800..=0xDFFF | 0x11_0000.. => '\u{FFFD}',
                    0x80..=0x9F => C1_REPLACEMENTS[(value - 0x80) as usize]
                        .unwrap_or_else(|| char::from_u32(value).expect("a C1 control")),
                    v => char::from_u32(v).expect("a scalar value"),
                };
                self.char(c)
            }
            Some(b) if b.is_ascii_alphanumeric() => {
                // The longest name in the table, as the tokenizer finds it.
                let mut k = start;
                let mut best: Option<(usize, (u32, u32))> = None;
                while k < bytes.len() {
                    let b = bytes[k];
                    if !(b.is_ascii_alphanumeric() || b == b';') {
                        break;
                    }
                    let key = std::str::from_utf8(&bytes[start..=k]).expect("ASCII");
                    match NAMED_ENTITIES.get(key) {
                        None => break,
                        Some(&m) => {
                            if m.0 != 0 {
                                best = Some((k + 1, m));
                            }
                        }
                    }
                    if b == b';' {
                        break;
                    }
                    k += 1;
                }
                let Some((after, (c1, c2))) = best else {
                    self.sep();
                    self.i += 1;
                    return Ok(());
                };
                let next = bytes.get(after).copied();
                if in_attribute
                    && bytes[after - 1] != b';'
                    && next.is_some_and(|n| n == b'=' || n.is_ascii_alphanumeric())
                {
                    self.sep();
                    self.i += 1;
                    return Ok(());
                }
                self.i = after;
                for c in [c1, c2] {
                    if c != 0 {
                        self.char(char::from_u32(c).expect("an entity's character"))?;
                    }
                }
                Ok(())
            }
            _ => {
                self.sep();
                self.i += 1;
                Ok(())
            }
        }
    }
}

/// What a start tag's attributes said.
struct TagInfo {
    self_closing: bool,
    json_ld: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Text {
    Attribute,
    Rcdata,
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use super::*;

    fn prefilter() -> &'static Prefilter {
        static P: OnceLock<Prefilter> = OnceLock::new();
        P.get_or_init(|| {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("patterns");
            Prefilter::new(&crate::patterns::load_dir(&dir).expect("shipped patterns load"))
        })
    }

    /// The walk alone decides, and says `expected`.
    #[track_caller]
    fn walk(body: &[u8], content_type: Option<&str>, expected: bool) {
        assert_eq!(prefilter().walk_only(body, content_type), Some(expected), "{}", String::from_utf8_lossy(body));
        assert_eq!(prefilter().may_hold(body, content_type), expected);
    }

    #[test]
    fn the_fast_lane_changes_no_answer() {
        // Random pages of text, near misses, disguises and markup of every kind the walk knows,
        // walked with the lane and byte by byte: the same answer every time.
        let p = prefilter();
        let dfa = p.dfa.as_ref().unwrap();
        let pieces = [
            "cloud ",
            "de ",
            "confiance",
            "Cloud. De",
            "SecNum",
            "cloud",
            "HDS",
            "hds-x",
            "h",
            "s",
            "se",
            "sécurité ",
            "hébergeur ",
            "données ",
            "santé",
            "Ç",
            "é",
            "×",
            "’",
            " ",
            ". ",
            "<p>",
            "</p>",
            "<li>",
            "</li>",
            "<b>",
            "</b>",
            "<br/>",
            "<a href=x>",
            "</a>",
            "<img alt=\"SecNum\">",
            "<title>",
            "</title>",
            "<table>",
            "<td>",
            "</td>",
            "</table>",
            "<select>",
            "</select>",
            "<svg>",
            "</svg>",
            "<script>",
            "</script>",
            "<style>",
            "</style>",
            "&amp;",
            "&#83;",
            "&shy;",
            "<!-- c -->",
            "Nuvexa ",
            "trusted",
            "health",
            "data",
            "3",
            "<a href=\"/x\" title=\"HDS\">",
            "<div class=\"c\" data-x='1'>",
            "<p hidden>",
            "<i ALT=\"HDS\">",
            "<i aria-label=HDS>",
            "<b class=\"x>HDS\">",
            "<p class=x>",
            "</p class=\"HDS\">",
            "<i title = \"HDS\">",
            "<i x=\"1\"y=\"2\">",
            "<q content=\"cloud\">",
            "<td class=\"a\">",
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for round in 0..4000 {
            let mut body = String::new();
            for _ in 0..(round % 40) + 1 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                body.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            }
            let fast = format!("{:?}", Walk::new(dfa, p.starts.as_ref(), body.as_bytes()).run());
            let slow = format!("{:?}", Walk::new(dfa, None, body.as_bytes()).run());
            assert_eq!(fast, slow, "{body}");
        }
    }

    fn page(body: &str) -> Vec<u8> {
        format!("<!doctype html><html><head><meta charset=utf-8><title>Nuvexa</title></head><body>{body}</body></html>")
            .into_bytes()
    }

    #[test]
    fn needles_are_the_forms_letters_and_digits() {
        let needles = prefilter().needles();
        for n in ["secnumcloud", "hds", "clouddeconfiance", "hebergeurdedonneesdesante"] {
            assert!(needles.iter().any(|x| x == n), "{n} in {needles:?}");
        }
    }

    #[test]
    fn plain_claim_is_found() {
        walk(&page("<p>Brumaire est qualifié SecNumCloud 3.2.</p>"), None, true);
        walk(&page("<p>Hébergeur de données de santé certifié</p>"), None, true);
        walk(b"HDS", None, true);
    }

    #[test]
    fn claim_split_by_tags_is_found() {
        walk(&page("<p>Sec<b>Num</b>Cloud</p>"), None, true);
        walk(&page("<p>Sec<!-- x -->Num<span class=\"a\">Cloud</span></p>"), None, true);
    }

    #[test]
    fn character_references_are_decoded() {
        walk(&page("<p>&#83;ec&#x4E;um&#X43;loud</p>"), None, true);
        walk(&page("<p>h&eacute;bergeur de donn&eacute;es de sant&eacute</p>"), None, true);
        // `&sect` stands for §, and is not a letter: `sectHDS` would not be read.
        walk(&page("<p>&sectHDS</p>"), None, true);
        walk(&page("<p>x&#72;DS</p>"), None, false);
    }

    #[test]
    fn soft_hyphen_and_zero_width_space_vanish() {
        walk(&page("<p>Sec&shy;Num\u{200B}Cloud</p>"), None, true);
        walk(&page("<p>Sec\u{AD}Num&#x200B;Cloud</p>"), None, true);
    }

    #[test]
    fn look_alike_letters_fold() {
        // Cyrillic Ѕ (U+0405) and с (U+0441).
        walk(&page("<p>\u{405}e\u{441}NumCloud</p>"), None, true);
        walk(&page("<p>&#x405;ecNumCloud</p>"), None, true);
    }

    #[test]
    fn attributes_the_reader_reads_are_walked() {
        walk(&page("<img src=\"badge.png\" alt=\"Qualifié SecNumCloud\">"), None, true);
        walk(&page("<span title='Cloud de confiance'>x</span>"), None, true);
        walk(&page("<a aria-label=HDS href=/x>x</a>"), None, true);
        // Other attributes are not text.
        walk(&page("<img src=\"/img/HDS.png\" data-x='SecNumCloud'>"), None, false);
    }

    #[test]
    fn meta_content_is_walked() {
        let body = b"<html><head><meta name=\"description\" content=\"Nuvexa, h&eacute;bergeur HDS\"></head><body>x</body></html>";
        walk(body, None, true);
    }

    #[test]
    fn json_ld_escapes_are_decoded() {
        let body = page(
            r#"<script type="application/ld+json">{"@type":"Product","name":"Nuvexa","description":"\u0053ecNumCloud \u00e9\nHDS"}</script>"#,
        );
        walk(&body, None, true);
        let body = page(r#"<script type="application/ld+json">{"name":"\u0048\u0044\u0053"}</script>"#);
        walk(&body, None, true);
        // `\n` is a line break, not an `n` before the label.
        let body = page(r#"<script type="application/ld+json">{"name":"a\nHDS"}</script>"#);
        walk(&body, None, true);
    }

    #[test]
    fn scripts_and_styles_are_not_read() {
        let body = page("<script>var SecNumCloud = 'HDS';</script><style>.HDS{color:red}</style><p>rien</p>");
        walk(&body, None, false);
        let body = page("<noscript>SecNumCloud</noscript><iframe>HDS</iframe><p>rien</p>");
        walk(&body, None, false);
    }

    #[test]
    fn rcdata_is_read_as_written() {
        walk(b"<title>Nuvexa | HDS</title>", None, true);
        walk(b"<textarea>&lt;hds&gt;</textarea>", None, true);
        walk(b"<title><hds></title>", None, true);
    }

    #[test]
    fn utf16le_with_bom_is_transcoded() {
        let mut body = vec![0xFF, 0xFE];
        body.extend("<p>Nuvexa qualifiée SecNumCloud</p>".encode_utf16().flat_map(u16::to_le_bytes));
        walk(&body, None, true);
        let mut body = vec![0xFF, 0xFE];
        body.extend("<p>Nuvexa</p>".encode_utf16().flat_map(u16::to_le_bytes));
        walk(&body, None, false);
    }

    #[test]
    fn windows_1252_is_transcoded() {
        walk(b"<p>h\xe9bergeur de donn\xe9es de sant\xe9</p>", Some("text/html; charset=windows-1252"), true);
        walk(b"<meta charset=windows-1252><p>qualifi\xe9 SecNumCloud</p>", None, true);
        // As UTF-8, `\xe9` is an invalid byte, hence a separator: `sant?` is not `sante`.
        walk(b"<p>h\xe9bergeur de donn\xe9es de sant\xe9</p>", Some("text/html; charset=utf-8"), false);
    }

    #[test]
    fn label_free_page_is_rejected() {
        walk(
            &page("<h1>Brumaire</h1><p>Un cloud souverain, hébergé à Lyon. <a href=/x>Nos offres</a></p>"),
            None,
            false,
        );
        walk(b"", None, false);
    }

    #[test]
    fn hds_inside_base64_is_rejected() {
        let body = page("<img src=\"data:image/png;base64,iVBORw0KGgoAHDSAAANSUhEUgxHDSy\"><p>Rien ici: aHDSb</p>");
        walk(&body, None, false);
        let body = page("<script>!function(e){var t=e.HDSx||eHDS;}(window)</script><p>ok</p>");
        walk(&body, None, false);
    }

    #[test]
    fn no_boundary_no_claim() {
        walk(&page("<p>xxSecNumCloud</p>"), None, false);
        walk(&page("<p>xx<b>SecNumCloud</b></p>"), None, true);
    }

    #[test]
    fn foster_parented_text_is_read_in_full() {
        // "de confiance" would be read after "cloud": the walk cannot order it, the reader can.
        let body = page("<table><tr><td>de confiance</td></tr>cloud</table>");
        assert_eq!(prefilter().walk_only(&body, None), None);
        assert!(prefilter().may_hold(&body, None));
        let body = page("<table><tr><td>rien</td></tr></table><p>fin</p>");
        walk(&body, None, false);
    }

    #[test]
    fn svg_content_is_walked() {
        walk(&page("<svg><title>HDS</title><text>x</text></svg>"), None, true);
        walk(&page("<svg><style>.HDS{}</style></svg><p>Sec<b>Num</b>Cloud</p>"), None, true);
        walk(&page("<svg><![CDATA[ HDS ]]></svg>"), None, true);
        walk(&page("<svg><path d='M0'/><title>rien</title></svg><style>.HDS{}</style>"), None, false);
    }

    #[test]
    fn pdf_is_always_let_through() {
        assert!(prefilter().may_hold(b"%PDF-1.7\n%\xe2\xe3\n1 0 obj", Some("application/pdf")));
    }
}
