//! HTML bytes → decoded text segments with their location on the page (body, title, meta, alt, attributes, JSON-LD).
//!
//! Pure: bytes and a Content-Type in, a [`Page`] out. The body text is rendered the way a
//! reader sees it: inline elements join without spaces (so `<span>Sec</span><span>Num</span>`
//! reads "SecNum"), block elements and `<br>` start a new line, table cells are separated by
//! " | " so that a row reads like the table a visitor sees.

pub mod bounded;
pub mod charset;
pub mod mime;
pub mod normalize;

use std::ops::Range;

use ego_tree::iter::Edge;
use scraper::{Html, Node};
use serde::{Deserialize, Serialize};

pub use charset::{Decoded, EncodingSource};
pub use normalize::{Normalized, normalize, normalize_with_map};

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
}

impl Location {
    pub const ALL: [Location; 6] =
        [Location::Text, Location::Title, Location::Meta, Location::Alt, Location::Attribute, Location::JsonLd];

    pub fn as_str(self) -> &'static str {
        match self {
            Location::Text => "text",
            Location::Title => "title",
            Location::Meta => "meta",
            Location::Alt => "alt",
            Location::Attribute => "attribute",
            Location::JsonLd => "jsonld",
        }
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
}

impl Segment {
    pub fn new(location: Location, detail: impl Into<String>, text: impl Into<String>) -> Self {
        Segment { location, detail: detail.into(), text: text.into(), links: Vec::new() }
    }

    /// The href of the link that contains the byte range `range`, if any.
    pub fn link_at(&self, range: &Range<usize>) -> Option<&str> {
        self.links.iter().find(|l| l.range.start <= range.start && range.end <= l.range.end).map(|l| l.href.as_str())
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
    /// The document was not read because it is too deeply nested or too large to parse
    /// (see [`bounded`]): why. It then has no segments and no links, and is not checked.
    pub parse_limit: Option<String>,
}

impl Page {
    /// An empty JavaScript application shell: almost no text, scripts, and an app root or a
    /// `<noscript>` asking for JavaScript (or no text at all). Its content is rendered by
    /// scripts, so it cannot be checked without a browser and must not be reported as clean.
    pub fn needs_javascript(&self) -> bool {
        let text: usize = self
            .segments
            .iter()
            .filter(|s| s.location == Location::Text)
            .map(|s| s.text.chars().filter(|c| !c.is_whitespace()).count())
            .sum();
        self.scripts > 0 && (text < 20 || (text < 200 && self.app_shell_hint))
    }

    /// Characters of visible body text.
    pub fn body_text_len(&self) -> usize {
        self.segments.iter().filter(|s| s.location == Location::Text).map(|s| s.text.chars().count()).sum()
    }
}

/// Decodes `bytes` by the WHATWG rules and extracts its text segments.
pub fn extract(bytes: &[u8], content_type: Option<&str>) -> Page {
    let decoded = charset::decode_html(bytes, content_type);
    extract_decoded(&decoded)
}

/// Extracts the text segments of an already decoded document.
pub fn extract_decoded(decoded: &Decoded) -> Page {
    let html = match bounded::parse_document(&decoded.text) {
        Ok(html) => html,
        Err(why) => {
            return Page {
                encoding: decoded.encoding.name(),
                encoding_source: decoded.source,
                decode_errors: decoded.had_errors,
                segments: Vec::new(),
                canonical_url: None,
                hrefs: Vec::new(),
                scripts: 0,
                base_href: None,
                app_shell_hint: false,
                parse_limit: Some(why),
            };
        }
    };
    let mut walker = Walker::default();
    walker.walk(&html);
    let mut segments = Vec::with_capacity(walker.segments.len() + 1);
    let (body, links) = walker.body.finish();
    if !body.is_empty() {
        segments.push(Segment { location: Location::Text, detail: "body".into(), text: body, links });
    }
    segments.append(&mut walker.segments);
    Page {
        encoding: decoded.encoding.name(),
        encoding_source: decoded.source,
        decode_errors: decoded.had_errors,
        segments,
        canonical_url: walker.canonical,
        hrefs: walker.hrefs,
        scripts: walker.scripts,
        base_href: walker.base_href,
        app_shell_hint: walker.app_shell_hint,
        parse_limit: None,
    }
}

const HTML_NS: &str = "http://www.w3.org/1999/xhtml";

/// Elements whose content is never text a visitor reads.
fn is_skipped(name: &str) -> bool {
    matches!(name, "script" | "style" | "template" | "noscript" | "head" | "iframe" | "object")
}

/// Elements that start a new line when rendered.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "body"
            | "caption"
            | "center"
            | "dd"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "hr"
            | "html"
            | "legend"
            | "li"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "optgroup"
            | "option"
            | "p"
            | "pre"
            | "section"
            | "summary"
            | "table"
            | "tbody"
            | "tfoot"
            | "thead"
            | "tr"
            | "ul"
            | "select"
            | "textarea"
            | "video"
            | "audio"
    )
}

#[derive(Default)]
struct Walker {
    body: TextBuilder,
    segments: Vec<Segment>,
    canonical: Option<String>,
    hrefs: Vec<String>,
    scripts: usize,
    /// Depth inside an element whose text is not body text; 0 when outside.
    skip_depth: usize,
    /// The skipped element is `<head>`, whose `<title>`, `<meta>` and `<link>` still count.
    in_head: bool,
    /// Text collected from the element being skipped, when that text matters (title, JSON-LD).
    capture: Option<(Capture, String)>,
    base_href: Option<String>,
    app_shell_hint: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Capture {
    Title,
    JsonLd,
    SvgTitle,
    NoScript,
}

impl Walker {
    fn walk(&mut self, html: &Html) {
        for edge in html.tree.root().traverse() {
            match edge {
                Edge::Open(node) => match node.value() {
                    Node::Element(el) => self.open(el),
                    Node::Text(t) => {
                        if self.skip_depth == 0 {
                            self.body.push_text(t);
                        } else if let Some((_, buf)) = &mut self.capture {
                            buf.push_str(t);
                        }
                    }
                    _ => {}
                },
                Edge::Close(node) => {
                    if let Node::Element(el) = node.value() {
                        self.close(el);
                    }
                }
            }
        }
    }

    fn open(&mut self, el: &scraper::node::Element) {
        let name = el.name();
        let html = &*el.name.ns == HTML_NS;
        if self.skip_depth > 0 {
            self.skip_depth += 1;
            // `<title>` and `<meta>` live inside the skipped `<head>`.
            if name == "title" && html && self.skip_depth == 2 && self.capture.is_none() {
                self.capture = Some((Capture::Title, String::new()));
            } else if name == "script" {
                self.script(el);
            }
            if self.in_head {
                self.attributes(el, name);
            }
            return;
        }
        if is_skipped(name) || (name == "title" && !html) {
            self.skip_depth = 1;
            self.in_head = name == "head";
            if name == "script" {
                self.script(el);
            } else if name == "title" {
                self.capture = Some((Capture::SvgTitle, String::new()));
            } else if name == "noscript" {
                self.capture = Some((Capture::NoScript, String::new()));
            }
            if self.in_head {
                self.attributes(el, name);
            }
            return;
        }
        match name {
            "br" => self.body.boundary(Boundary::Newline),
            "td" | "th" => self.body.boundary(Boundary::Cell),
            "a" => {
                if let Some(href) = el.attr("href") {
                    self.body.open_link(href.to_string());
                }
            }
            n if is_block(n) => self.body.boundary(Boundary::Newline),
            _ => {}
        }
        self.attributes(el, name);
    }

    fn close(&mut self, el: &scraper::node::Element) {
        let name = el.name();
        if self.skip_depth > 0 {
            self.skip_depth -= 1;
            let ends_capture = match &self.capture {
                Some((Capture::Title, _)) => name == "title",
                Some((Capture::JsonLd, _)) => name == "script",
                Some((Capture::SvgTitle | Capture::NoScript, _)) => self.skip_depth == 0,
                None => false,
            };
            if ends_capture && let Some((kind, text)) = self.capture.take() {
                self.captured(kind, text);
            }
            return;
        }
        match name {
            "td" | "th" => self.body.boundary(Boundary::Space),
            "a" if el.attr("href").is_some() => self.body.close_link(),
            n if is_block(n) => self.body.boundary(Boundary::Newline),
            _ => {}
        }
    }

    fn script(&mut self, el: &scraper::node::Element) {
        self.scripts += 1;
        let is_json_ld = el
            .attr("type")
            .is_some_and(|t| t.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/ld+json"));
        if is_json_ld && self.capture.is_none() {
            self.capture = Some((Capture::JsonLd, String::new()));
        }
    }

    fn captured(&mut self, kind: Capture, text: String) {
        match kind {
            Capture::Title => self.push_attr(Location::Title, "title", &text),
            Capture::SvgTitle => self.push_attr(Location::Attribute, "svg title", &text),
            Capture::NoScript => self.app_shell_hint |= text.to_ascii_lowercase().contains("javascript"),
            Capture::JsonLd => {
                if let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) {
                    let mut path = String::from("$");
                    json_strings(&value, &mut path, &mut self.segments);
                }
            }
        }
    }

    fn attributes(&mut self, el: &scraper::node::Element, name: &str) {
        match name {
            "meta" => {
                let key = el.attr("name").or_else(|| el.attr("property")).unwrap_or("");
                let key = key.trim().to_ascii_lowercase();
                if let Some(content) = el.attr("content") {
                    match key.as_str() {
                        "description" | "og:title" | "og:description" | "twitter:title" | "twitter:description" => {
                            let detail = format!("meta {key}");
                            self.push_attr(Location::Meta, &detail, content);
                        }
                        "og:url" if self.canonical.is_none() => {
                            self.canonical = Some(content.trim().to_string());
                        }
                        _ => {}
                    }
                }
            }
            "link" => {
                let canonical = el
                    .attr("rel")
                    .is_some_and(|r| r.split_ascii_whitespace().any(|t| t.eq_ignore_ascii_case("canonical")));
                if canonical && let Some(href) = el.attr("href") {
                    self.canonical = Some(href.trim().to_string());
                }
            }
            "a" | "area" => {
                if let Some(href) = el.attr("href") {
                    self.hrefs.push(href.to_string());
                }
            }
            "base" if self.base_href.is_none() => self.base_href = el.attr("href").map(|h| h.trim().to_string()),
            "app-root" => self.app_shell_hint = true,
            _ => {}
        }
        if let Some(id) = el.attr("id")
            && matches!(id, "root" | "app" | "__next" | "__nuxt" | "___gatsby" | "q-app" | "svelte")
        {
            self.app_shell_hint = true;
        }
        if matches!(name, "img" | "area" | "input")
            && let Some(alt) = el.attr("alt")
        {
            self.push_attr(Location::Alt, &format!("{name}[alt]"), alt);
        }
        for attr in ["title", "aria-label"] {
            if let Some(v) = el.attr(attr) {
                self.push_attr(Location::Attribute, &format!("{name}[{attr}]"), v);
            }
        }
    }

    fn push_attr(&mut self, location: Location, detail: &str, raw: &str) {
        let text = collapse_html_whitespace(raw);
        if !text.is_empty() {
            self.segments.push(Segment::new(location, detail, text));
        }
    }
}

/// Every string value of a JSON-LD document, with its JSONPath. `@context` and `@id` hold URLs,
/// never prose, and are left out.
fn json_strings(value: &serde_json::Value, path: &mut String, out: &mut Vec<Segment>) {
    match value {
        serde_json::Value::String(s) => {
            let text = collapse_html_whitespace(s);
            if !text.is_empty() {
                out.push(Segment::new(Location::JsonLd, path.clone(), text));
            }
        }
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                json_strings(item, path, out);
                path.truncate(len);
            }
        }
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                if k == "@context" || k == "@id" {
                    continue;
                }
                let len = path.len();
                path.push('.');
                path.push_str(k);
                json_strings(v, path, out);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

/// HTML's whitespace (space, tab, LF, FF, CR) collapsed to single spaces and trimmed, as a
/// browser renders it. No-break and other Unicode spaces are content and are kept.
pub fn collapse_html_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split(is_html_whitespace).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

fn is_html_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0C' | '\r')
}

#[derive(Clone, Copy, PartialEq, PartialOrd)]
enum Boundary {
    None,
    Space,
    Cell,
    Newline,
}

/// Builds rendered body text: collapses HTML whitespace and places boundaries lazily, so that
/// empty elements and whitespace-only text never produce blank lines or stray separators.
struct TextBuilder {
    text: String,
    pending: Boundary,
    links: Vec<Link>,
    /// Open `<a href>` elements: the href and where their text starts, known only once their
    /// first word is written (the boundary before it may still grow, " | " to "\n").
    open_links: Vec<(String, Option<usize>)>,
}

impl Default for TextBuilder {
    fn default() -> Self {
        TextBuilder { text: String::new(), pending: Boundary::None, links: Vec::new(), open_links: Vec::new() }
    }
}

impl TextBuilder {
    fn boundary(&mut self, b: Boundary) {
        if b > self.pending {
            self.pending = b;
        }
    }

    fn open_link(&mut self, href: String) {
        self.open_links.push((href, None));
    }

    /// Closes the innermost open link, keeping it if any text was written inside it.
    fn close_link(&mut self) {
        if let Some((href, Some(start))) = self.open_links.pop() {
            self.links.push(Link { range: start..self.text.len(), href });
        }
    }

    fn push_text(&mut self, t: &str) {
        // Splitting on whitespace yields empty pieces at the edges, which is what turns a
        // text node's leading or trailing whitespace into a space between inline elements.
        for (i, word) in t.split(is_html_whitespace).enumerate() {
            if i > 0 {
                self.boundary(Boundary::Space);
            }
            if !word.is_empty() {
                self.flush_boundary();
                self.text.push_str(word);
            }
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
        // Links opened since the last word start here; those opened earlier already started.
        for (_, start) in self.open_links.iter_mut().rev().take_while(|(_, s)| s.is_none()) {
            *start = Some(self.text.len());
        }
    }

    fn finish(self) -> (String, Vec<Link>) {
        (self.text, self.links)
    }
}

#[cfg(test)]
mod tests;
