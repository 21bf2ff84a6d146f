//! HTML bytes → decoded text segments with their location on the page (body, title, meta, alt, attributes, JSON-LD).
//!
//! Pure: bytes and a Content-Type in, a [`Page`] out. The body text is rendered the way a
//! reader sees it: inline elements join without spaces (so `<span>Sec</span><span>Num</span>`
//! reads "SecNum"), block elements and `<br>` start a new line, table cells are separated by
//! " | " so that a row reads like the table a visitor sees.

pub mod bounded;
pub mod charset;
pub mod layout;
pub mod mime;
pub mod normalize;
pub mod pdf;
mod text;
mod walker;

use std::ops::Range;

use serde::{Deserialize, Serialize};

pub use charset::{Decoded, EncodingSource};
pub use layout::{Block, Genre, Region, Span};
pub use normalize::{Normalized, normalize, normalize_with_map};
pub use text::collapse_html_whitespace;
pub(crate) use text::is_html_space;
use walker::Walker;

/// Where on a page a piece of text was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Location {
    /// Visible body text.
    Text,
    /// The document `<title>`.
    Title,
    /// `<meta>` description, og:title, og:description and their Twitter twins.
    Meta,
    /// `alt` of an image (a badge is often only an image).
    Alt,
    /// `title` and `aria-label` attributes.
    Attribute,
    /// String values of JSON-LD structured data.
    #[serde(rename = "jsonld")]
    JsonLd,
    /// The text of a PDF document's page (its detail says which: `page 3`).
    Pdf,
}

impl Location {
    pub const ALL: [Location; 7] = [
        Location::Text,
        Location::Title,
        Location::Meta,
        Location::Alt,
        Location::Attribute,
        Location::JsonLd,
        Location::Pdf,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Location::Text => "text",
            Location::Title => "title",
            Location::Meta => "meta",
            Location::Alt => "alt",
            Location::Attribute => "attribute",
            Location::JsonLd => "jsonld",
            Location::Pdf => "pdf",
        }
    }

    /// Running text, read sentence by sentence across its lines (body text, a PDF's pages).
    pub fn is_prose(self) -> bool {
        matches!(self, Location::Text | Location::Pdf)
    }

    pub fn parse(s: &str) -> Option<Location> {
        Location::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

/// A stretch of link text inside a segment, with where the link points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub range: Range<usize>,
    pub href: String,
}

/// One piece of text from a page, as the page says it (HTML whitespace collapsed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub location: Location,
    /// Which element or field: `body`, `meta og:description`, `img[alt]`, `$.offers[0].name`…
    pub detail: String,
    pub text: String,
    /// Link text within `text` (body text only).
    pub links: Vec<Link>,
    /// The region the whole segment sits in (an image's `alt` in the footer); body text
    /// records its regions as spans instead.
    pub region: Region,
    /// Blocks and landmarks within `text` (body text only), sorted by start.
    pub spans: Vec<Span>,
}

impl Segment {
    pub fn new(location: Location, detail: impl Into<String>, text: impl Into<String>) -> Self {
        Segment {
            location,
            detail: detail.into(),
            text: text.into(),
            links: Vec::new(),
            region: Region::Body,
            spans: Vec::new(),
        }
    }

    /// The href of the link that contains the byte range `range`, if any.
    pub fn link_at(&self, range: &Range<usize>) -> Option<&str> {
        self.links.iter().find(|l| l.range.start <= range.start && range.end <= l.range.end).map(|l| l.href.as_str())
    }

    /// The innermost span of `block` kind that holds the byte range `range`.
    pub fn span_at(&self, range: &Range<usize>, matches: impl Fn(Block) -> bool) -> Option<&Span> {
        self.spans
            .iter()
            .take_while(|s| s.range.start <= range.start)
            .filter(|s| range.end <= s.range.end && matches(s.block))
            .last()
    }

    /// The region of the text at `range`.
    pub fn region_at(&self, range: &Range<usize>) -> Region {
        match self.span_at(range, |b| matches!(b, Block::Region(_))) {
            Some(Span { block: Block::Region(r), .. }) => *r,
            _ => self.region,
        }
    }
}

/// What extraction found on one page.
#[derive(Debug, Clone)]
pub struct Page {
    pub encoding: &'static str,
    pub encoding_source: EncodingSource,
    /// Malformed byte sequences were replaced while decoding.
    pub decode_errors: bool,
    pub segments: Vec<Segment>,
    /// The page's own idea of its URL: `<link rel=canonical>` or `og:url`.
    pub canonical_url: Option<String>,
    /// `href` of every `<a>` and `<area>`, in document order, unresolved.
    pub hrefs: Vec<String>,
    /// Number of `<script>` elements (to tell an empty JavaScript shell from a page).
    pub scripts: usize,
    /// `<base href>`, against which the page's links resolve.
    pub base_href: Option<String>,
    /// Signs of a JavaScript application shell: an app root element (`#root`, `#__next`,
    /// `<app-root>`…) or a `<noscript>` asking for JavaScript.
    pub app_shell_hint: bool,
    /// The document was not read because it makes too many elements to parse (see
    /// [`bounded`]): why. It then has no segments and no links, and is not checked.
    pub parse_limit: Option<String>,
    /// What was done to read a document that was still read (deep markup flattened): for the
    /// page's record.
    pub notes: Vec<String>,
    /// The brand the site gives itself: `og:site_name`, `application-name`, or JSON-LD.
    pub site_name: Option<String>,
    /// What in the document says it is an article (its URL may say so too: [`Page::genre`]).
    pub genre_signals: Vec<String>,
}

impl Page {
    /// An empty JavaScript application shell: almost no text, scripts, and an app root or a
    /// `<noscript>` asking for JavaScript (or no text at all). Its content is rendered by
    /// scripts, so it cannot be checked without a browser and must not be reported as clean.
    pub fn needs_javascript(&self) -> bool {
        let text = self.text_chars();
        self.scripts > 0 && (text < 20 || (text < 200 && self.app_shell_hint))
    }

    /// Characters of visible body text, spaces left out.
    pub fn text_chars(&self) -> usize {
        self.segments
            .iter()
            .filter(|s| s.location == Location::Text)
            .map(|s| s.text.chars().filter(|c| !c.is_whitespace()).count())
            .sum()
    }

    /// Whether the page is an article (a blog post, news item, press release), from the
    /// document's own signals and the path of `url` when known.
    pub fn genre(&self, url: Option<&url::Url>) -> Genre {
        let mut signals = self.genre_signals.clone();
        if let Some(s) = url.and_then(|u| layout::article_path_signal(u.path())) {
            signals.push(s);
        }
        Genre { article: !signals.is_empty(), signals }
    }

    /// Characters of visible body text.
    pub fn body_text_len(&self) -> usize {
        self.segments.iter().filter(|s| s.location == Location::Text).map(|s| s.text.chars().count()).sum()
    }
}

/// Decodes `bytes` by the WHATWG rules and extracts its text segments.
pub fn extract(bytes: &[u8], content_type: Option<&str>) -> Page {
    // What `charset::decode_html` does, but valid UTF-8 (most pages) is read where it lies
    // instead of copied into a `String` first: the parser copies its input anyway.
    let (encoding, bom_len, source) = charset::decide(bytes, content_type);
    let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
    extract_text(&text, encoding, source, had_errors)
}

/// Extracts the text segments of an already decoded document.
pub fn extract_decoded(decoded: &Decoded) -> Page {
    extract_text(&decoded.text, decoded.encoding, decoded.source, decoded.had_errors)
}

/// Extracts the text segments of `text`, decoded from `encoding` (as `source` decided, with
/// malformed sequences replaced if `had_errors`).
fn extract_text(
    text: &str,
    encoding: &'static encoding_rs::Encoding,
    source: EncodingSource,
    had_errors: bool,
) -> Page {
    let (html, flattened) = match bounded::parse_document(text) {
        Ok(parsed) => (parsed.html, parsed.flattened),
        Err(why) => {
            return Page {
                encoding: encoding.name(),
                encoding_source: source,
                decode_errors: had_errors,
                segments: Vec::new(),
                canonical_url: None,
                hrefs: Vec::new(),
                scripts: 0,
                base_href: None,
                app_shell_hint: false,
                parse_limit: Some(why),
                notes: Vec::new(),
                site_name: None,
                genre_signals: Vec::new(),
            };
        }
    };
    let mut walker = Walker::default();
    walker.walk(&html);
    let mut segments = Vec::with_capacity(walker.segments.len() + 1);
    let body = std::mem::take(&mut walker.body);
    let (body, links, spans) = body.finish();
    if has_reading_time(&body) {
        walker.genre_signals.push("reading time".into());
    }
    if !body.is_empty() {
        segments.push(Segment { links, spans, ..Segment::new(Location::Text, "body", body) });
    }
    segments.append(&mut walker.segments);
    Page {
        encoding: encoding.name(),
        encoding_source: source,
        decode_errors: had_errors,
        segments,
        canonical_url: walker.canonical,
        hrefs: walker.hrefs,
        scripts: walker.scripts,
        base_href: walker.base_href,
        app_shell_hint: walker.app_shell_hint,
        parse_limit: None,
        notes: flattened.into_iter().collect(),
        site_name: walker.site_names.best(),
        genre_signals: walker.genre_signals,
    }
}

/// Whether a line of `body` is a reading time (`body.lines().any(layout::is_reading_time)`).
/// Only a line holding "min", "ecture" or "eading" can be one: those words are searched in the
/// whole text at once, and only the lines they are found in are read, instead of splitting
/// every page into lines.
fn has_reading_time(body: &str) -> bool {
    let bytes = body.as_bytes();
    ["min", "ecture", "eading"].iter().any(|word| {
        let finder = memchr::memmem::Finder::new(word);
        let mut from = 0;
        while let Some(found) = finder.find(&bytes[from..]) {
            let at = from + found;
            let start = memchr::memrchr(b'\n', &bytes[from..at]).map_or(from, |p| from + p + 1);
            let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |p| at + p);
            // As `str::lines` gives it: without the line feed, nor a carriage return before one.
            let mut line = &body[start..end];
            if end < bytes.len() {
                line = line.strip_suffix('\r').unwrap_or(line);
            }
            if layout::is_reading_time(line) {
                return true;
            }
            // The next line starts after this one: each byte is searched once.
            from = end;
        }
        false
    })
}

#[cfg(test)]
mod tests;
