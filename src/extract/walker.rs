//! The walk over a parsed document: body text rendered as a reader sees it, with its links, regions and blocks, and every other field that can carry a claim.

use ego_tree::iter::Edge;
use html5ever::{LocalName, local_name, ns};
use scraper::{Html, Node};

use super::layout::{ARTICLE_TYPES, Block, Region, is_byline_class};
use super::text::{Boundary, TextBuilder, collapse_html_whitespace};
use super::{Location, Segment};

// Element names are compared as interned atoms (one integer comparison each), not as strings:
// the walk asks these questions of every element of every page.

/// Elements whose content is never text a visitor reads.
fn is_skipped(name: &LocalName) -> bool {
    matches!(
        *name,
        local_name!("script")
            | local_name!("style")
            | local_name!("template")
            | local_name!("noscript")
            | local_name!("head")
            | local_name!("iframe")
            | local_name!("object")
    )
}

/// Elements that start a new line when rendered.
fn is_block(name: &LocalName) -> bool {
    matches!(
        *name,
        local_name!("address")
            | local_name!("article")
            | local_name!("aside")
            | local_name!("blockquote")
            | local_name!("body")
            | local_name!("caption")
            | local_name!("center")
            | local_name!("dd")
            | local_name!("details")
            | local_name!("dialog")
            | local_name!("dir")
            | local_name!("div")
            | local_name!("dl")
            | local_name!("dt")
            | local_name!("fieldset")
            | local_name!("figcaption")
            | local_name!("figure")
            | local_name!("footer")
            | local_name!("form")
            | local_name!("h1")
            | local_name!("h2")
            | local_name!("h3")
            | local_name!("h4")
            | local_name!("h5")
            | local_name!("h6")
            | local_name!("header")
            | local_name!("hgroup")
            | local_name!("hr")
            | local_name!("html")
            | local_name!("legend")
            | local_name!("li")
            | local_name!("main")
            | local_name!("menu")
            | local_name!("nav")
            | local_name!("ol")
            | local_name!("optgroup")
            | local_name!("option")
            | local_name!("p")
            | local_name!("pre")
            | local_name!("section")
            | local_name!("summary")
            | local_name!("table")
            | local_name!("tbody")
            | local_name!("tfoot")
            | local_name!("thead")
            | local_name!("tr")
            | local_name!("ul")
            | local_name!("select")
            | local_name!("textarea")
            | local_name!("video")
            | local_name!("audio")
    )
}

/// The block an element makes, for claim reading.
fn block_of(name: &LocalName) -> Option<Block> {
    match *name {
        local_name!("h1")
        | local_name!("h2")
        | local_name!("h3")
        | local_name!("h4")
        | local_name!("h5")
        | local_name!("h6") => Some(Block::Heading),
        local_name!("li") | local_name!("dd") => Some(Block::ListItem),
        local_name!("dt") => Some(Block::Term),
        local_name!("blockquote") | local_name!("q") => Some(Block::Quote),
        local_name!("tr") => Some(Block::Row),
        _ => None,
    }
}

/// The attributes the walk reads, found in one pass over the element's attributes:
/// `Element::attr` interns its argument and searches the list again on every call.
#[derive(Default)]
struct Attrs<'a> {
    role: Option<&'a str>,
    rel: Option<&'a str>,
    itemprop: Option<&'a str>,
    class: Option<&'a str>,
    id: Option<&'a str>,
    href: Option<&'a str>,
    alt: Option<&'a str>,
    title: Option<&'a str>,
    aria_label: Option<&'a str>,
}

impl<'a> Attrs<'a> {
    fn of(el: &'a scraper::node::Element) -> Self {
        let mut a = Attrs::default();
        // `Element::attrs` yields local names whatever their namespace; so does this.
        for (k, v) in &el.attrs {
            let v = Some(&**v);
            match k.local {
                local_name!("role") => a.role = v,
                local_name!("rel") => a.rel = v,
                local_name!("itemprop") => a.itemprop = v,
                local_name!("class") => a.class = v,
                local_name!("id") => a.id = v,
                local_name!("href") => a.href = v,
                local_name!("alt") => a.alt = v,
                local_name!("title") => a.title = v,
                local_name!("aria-label") => a.aria_label = v,
                _ => {}
            }
        }
        a
    }

    /// The element marks a byline: `rel=author`, `itemprop=author`, an author or byline class.
    fn byline(&self) -> bool {
        self.rel.is_some_and(|r| r.split_ascii_whitespace().any(|t| t.eq_ignore_ascii_case("author")))
            || self.itemprop.is_some_and(|p| p.eq_ignore_ascii_case("author"))
            || self.class.is_some_and(is_byline_class)
    }
}

/// What the walk found besides body text.
#[derive(Default)]
pub(super) struct Walker {
    pub(super) body: TextBuilder,
    pub(super) segments: Vec<Segment>,
    pub(super) canonical: Option<String>,
    pub(super) hrefs: Vec<String>,
    pub(super) scripts: usize,
    pub(super) base_href: Option<String>,
    pub(super) app_shell_hint: bool,
    /// `og:site_name`, `application-name`, or a JSON-LD WebSite or Organization name.
    pub(super) site_names: SiteNames,
    /// Why the page reads as an article (JSON-LD type, og:type, byline…).
    pub(super) genre_signals: Vec<String>,
    /// Depth inside an element whose text is not body text; 0 when outside.
    skip_depth: usize,
    /// The skipped element is `<head>`, whose `<title>`, `<meta>` and `<link>` still count.
    in_head: bool,
    /// Text collected from the element being skipped, when that text matters (title, JSON-LD).
    capture: Option<(Capture, String)>,
    /// One frame per open body element: what it changed, to undo on close.
    frames: Vec<Frame>,
    /// Landmarks open, innermost last.
    regions: Vec<Region>,
    /// The next cell opened is the first of its row.
    row_head_pending: bool,
}

/// Site names by source, most trusted first.
#[derive(Default, Debug)]
pub(super) struct SiteNames {
    pub(super) og: Option<String>,
    pub(super) application: Option<String>,
    pub(super) json_ld: Option<String>,
}

impl SiteNames {
    pub(super) fn best(self) -> Option<String> {
        // An empty name says nothing: the next source speaks instead.
        let named = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
        named(self.og).or(named(self.application)).or(named(self.json_ld))
    }
}

#[derive(Default, Clone, Copy)]
struct Frame {
    opened_region: bool,
    opened_span: bool,
    opened_link: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Capture {
    Title,
    JsonLd,
    SvgTitle,
    NoScript,
}

impl Walker {
    pub(super) fn walk(&mut self, html: &Html) {
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

    fn region(&self) -> Region {
        self.regions.last().copied().unwrap_or_default()
    }

    fn open(&mut self, el: &scraper::node::Element) {
        let name = &el.name.local;
        let html = el.name.ns == ns!(html);
        if self.skip_depth > 0 {
            self.skip_depth += 1;
            // `<title>` and `<meta>` live inside the skipped `<head>`.
            if *name == local_name!("title") && html && self.skip_depth == 2 && self.capture.is_none() {
                self.capture = Some((Capture::Title, String::new()));
            } else if *name == local_name!("script") {
                self.script(el);
            }
            if self.in_head {
                self.attributes(el, name, &Attrs::of(el));
            }
            return;
        }
        if is_skipped(name) || (*name == local_name!("title") && !html) {
            self.skip_depth = 1;
            self.in_head = *name == local_name!("head");
            if *name == local_name!("script") {
                self.script(el);
            } else if *name == local_name!("title") {
                self.capture = Some((Capture::SvgTitle, String::new()));
            } else if *name == local_name!("noscript") {
                self.capture = Some((Capture::NoScript, String::new()));
            }
            if self.in_head {
                self.attributes(el, name, &Attrs::of(el));
            }
            return;
        }
        let mut frame = Frame::default();
        let attrs = Attrs::of(el);
        let inside_main = self.regions.contains(&Region::Main);
        if let Some(region) = Region::of_local_name(name, attrs.role, inside_main) {
            self.regions.push(region);
            self.body.open_span(Block::Region(region));
            frame.opened_region = true;
        }
        match *name {
            local_name!("br") => self.body.boundary(Boundary::Newline),
            local_name!("td") | local_name!("th") => {
                self.body.boundary(Boundary::Cell);
                if std::mem::take(&mut self.row_head_pending) {
                    self.body.open_span(Block::RowHead);
                    frame.opened_span = true;
                }
            }
            local_name!("a") => {
                if let Some(href) = attrs.href {
                    self.body.open_link(href.to_string());
                    frame.opened_link = true;
                }
            }
            _ if is_block(name) => self.body.boundary(Boundary::Newline),
            _ => {}
        }
        if let Some(block) = block_of(name) {
            self.body.open_span(block);
            frame.opened_span = true;
            if *name == local_name!("tr") {
                self.row_head_pending = true;
            }
        }
        if attrs.byline() {
            self.signal("byline");
        }
        self.frames.push(frame);
        self.attributes(el, name, &attrs);
    }

    fn close(&mut self, el: &scraper::node::Element) {
        let name = &el.name.local;
        if self.skip_depth > 0 {
            self.skip_depth -= 1;
            let ends_capture = match &self.capture {
                Some((Capture::Title, _)) => *name == local_name!("title"),
                Some((Capture::JsonLd, _)) => *name == local_name!("script"),
                Some((Capture::SvgTitle | Capture::NoScript, _)) => self.skip_depth == 0,
                None => false,
            };
            if ends_capture && let Some((kind, text)) = self.capture.take() {
                self.captured(kind, text);
            }
            return;
        }
        let frame = self.frames.pop().unwrap_or_default();
        match *name {
            local_name!("td") | local_name!("th") => self.body.boundary(Boundary::Space),
            _ if is_block(name) => self.body.boundary(Boundary::Newline),
            _ => {}
        }
        // Spans close innermost first: a link, then a block, then a landmark.
        if frame.opened_link {
            self.body.close_link();
        }
        if frame.opened_span {
            self.body.close_span();
        }
        if frame.opened_region {
            self.body.close_span();
            self.regions.pop();
        }
        if *name == local_name!("tr") {
            self.row_head_pending = false;
        }
    }

    fn signal(&mut self, why: &str) {
        if !self.genre_signals.iter().any(|s| s == why) {
            self.genre_signals.push(why.to_string());
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
                    self.json_ld_facts(&value, 0);
                    let mut path = String::from("$");
                    json_strings(&value, &mut path, &mut self.segments);
                }
            }
        }
    }

    /// The article types and the site's own name in JSON-LD: top-level nodes, `@graph` items
    /// and an article's `publisher`.
    fn json_ld_facts(&mut self, value: &serde_json::Value, depth: usize) {
        match value {
            serde_json::Value::Array(items) if depth < 2 => {
                for item in items {
                    self.json_ld_facts(item, depth + 1);
                }
            }
            serde_json::Value::Object(map) => {
                let types: Vec<String> = match map.get("@type") {
                    Some(serde_json::Value::String(t)) => vec![t.to_ascii_lowercase()],
                    Some(serde_json::Value::Array(ts)) => {
                        ts.iter().filter_map(|t| t.as_str()).map(str::to_ascii_lowercase).collect()
                    }
                    _ => Vec::new(),
                };
                let name = map.get("name").and_then(|n| n.as_str()).map(str::trim).filter(|n| !n.is_empty());
                for t in &types {
                    if ARTICLE_TYPES.contains(&t.as_str()) {
                        self.signal(&format!("json-ld {t}"));
                        let publisher = map.get("publisher").and_then(|p| p.get("name")).and_then(|n| n.as_str());
                        if self.site_names.json_ld.is_none()
                            && let Some(p) = publisher
                        {
                            self.site_names.json_ld = Some(p.trim().to_string());
                        }
                    }
                    if matches!(t.as_str(), "website" | "organization" | "corporation")
                        && let Some(n) = name
                    {
                        // A WebSite's name is the brand; an Organization's only if no WebSite says.
                        if t == "website" || self.site_names.json_ld.is_none() {
                            self.site_names.json_ld = Some(n.to_string());
                        }
                    }
                }
                if let Some(graph) = map.get("@graph")
                    && depth < 2
                {
                    self.json_ld_facts(graph, depth + 1);
                }
            }
            _ => {}
        }
    }

    fn attributes(&mut self, el: &scraper::node::Element, name: &LocalName, attrs: &Attrs<'_>) {
        match *name {
            local_name!("meta") => {
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
                        "og:site_name" => self.site_names.og = Some(collapse_html_whitespace(content)),
                        "application-name" => self.site_names.application = Some(collapse_html_whitespace(content)),
                        "og:type" if content.trim().eq_ignore_ascii_case("article") => self.signal("og:type article"),
                        "article:published_time" | "article:author" => self.signal(&format!("meta {key}")),
                        _ => {}
                    }
                }
            }
            local_name!("link") => {
                let canonical = el
                    .attr("rel")
                    .is_some_and(|r| r.split_ascii_whitespace().any(|t| t.eq_ignore_ascii_case("canonical")));
                if canonical && let Some(href) = el.attr("href") {
                    self.canonical = Some(href.trim().to_string());
                }
            }
            local_name!("a") | local_name!("area") => {
                if let Some(href) = attrs.href {
                    self.hrefs.push(href.to_string());
                }
            }
            local_name!("base") if self.base_href.is_none() => {
                self.base_href = el.attr("href").map(|h| h.trim().to_string())
            }
            _ if &**name == "app-root" => self.app_shell_hint = true,
            _ => {}
        }
        if let Some(id) = attrs.id
            && matches!(id, "root" | "app" | "__next" | "__nuxt" | "___gatsby" | "q-app" | "svelte")
        {
            self.app_shell_hint = true;
        }
        if matches!(*name, local_name!("img") | local_name!("area") | local_name!("input"))
            && let Some(alt) = attrs.alt
        {
            self.push_attr(Location::Alt, &format!("{name}[alt]"), alt);
        }
        if attrs.title.is_some() || attrs.aria_label.is_some() {
            for (attr, value) in [("title", attrs.title), ("aria-label", attrs.aria_label)] {
                if let Some(v) = value {
                    self.push_attr(Location::Attribute, &format!("{name}[{attr}]"), v);
                }
            }
        }
    }

    fn push_attr(&mut self, location: Location, detail: &str, raw: &str) {
        let text = collapse_html_whitespace(raw);
        if !text.is_empty() {
            let mut segment = Segment::new(location, detail, text);
            segment.region = if self.skip_depth > 0 && self.in_head { Region::Body } else { self.region() };
            self.segments.push(segment);
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
