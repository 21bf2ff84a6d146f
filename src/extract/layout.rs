//! Where on a page text sits: its region (header, nav, main, aside, footer), the blocks it belongs to (heading, list item, quotation, table row) and whether the page is an article.
//!
//! Claim reading needs these because the same words mean different things in different
//! places: a badge in the site's footer speaks for the site on every page, while a sentence in
//! the body of a news article speaks for whoever it names.

use std::ops::Range;

use html5ever::{LocalName, local_name};
use serde::{Deserialize, Serialize};

/// The landmark a piece of text sits in (HTML sectioning elements and ARIA landmark roles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Region {
    /// In the body, outside any landmark (and every field outside the body: title, meta…).
    #[default]
    Body,
    /// The site's banner: `<header>` outside main content, `role=banner`.
    Header,
    Nav,
    /// `<main>`, `<article>`, `role=main`.
    Main,
    Aside,
    /// The site's footer: `<footer>` outside main content, `role=contentinfo`.
    Footer,
}

impl Region {
    pub const ALL: [Region; 6] =
        [Region::Body, Region::Header, Region::Nav, Region::Main, Region::Aside, Region::Footer];

    pub fn as_str(self) -> &'static str {
        match self {
            Region::Body => "body",
            Region::Header => "header",
            Region::Nav => "nav",
            Region::Main => "main",
            Region::Aside => "aside",
            Region::Footer => "footer",
        }
    }

    pub fn parse(s: &str) -> Option<Region> {
        match s {
            "article" => Some(Region::Main),
            _ => Region::ALL.into_iter().find(|r| r.as_str() == s),
        }
    }

    /// The site's own frame, repeated on every page: what it says there speaks for the site.
    pub fn is_site_frame(self) -> bool {
        matches!(self, Region::Header | Region::Footer)
    }

    /// The region an element opens, if it is a landmark. `inside_main`: the element sits in main
    /// content, where `<header>` and `<footer>` belong to an article, not to the site.
    pub fn of_element(name: &str, role: Option<&str>, inside_main: bool) -> Option<Region> {
        Region::of_local_name(&LocalName::from(name), role, inside_main)
    }

    /// [`Region::of_element`] for a parsed element's name: an atom, compared without reading a
    /// string (this runs for every element of every page).
    pub fn of_local_name(name: &LocalName, role: Option<&str>, inside_main: bool) -> Option<Region> {
        let by_role = role.and_then(|r| match r.trim().to_ascii_lowercase().as_str() {
            "banner" => Some(Region::Header),
            "navigation" => Some(Region::Nav),
            "main" | "article" => Some(Region::Main),
            "complementary" => Some(Region::Aside),
            "contentinfo" => Some(Region::Footer),
            _ => None,
        });
        let region = by_role.or(match *name {
            local_name!("header") => Some(Region::Header),
            local_name!("nav") => Some(Region::Nav),
            local_name!("main") | local_name!("article") => Some(Region::Main),
            local_name!("aside") => Some(Region::Aside),
            local_name!("footer") => Some(Region::Footer),
            _ => None,
        })?;
        if inside_main && region.is_site_frame() {
            return Some(Region::Main);
        }
        Some(region)
    }
}

/// A structural block of body text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Block {
    /// `<h1>`…`<h6>`.
    Heading,
    /// `<li>`, `<dd>`.
    ListItem,
    /// `<dt>`: the term a definition list defines.
    Term,
    /// `<blockquote>`, `<q>`.
    Quote,
    /// A table row (`<tr>`).
    Row,
    /// The first cell of a table row: what the row is about.
    RowHead,
    /// A landmark: the text of the span is in this region.
    Region(Region),
}

/// A block over a range of a segment's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub range: Range<usize>,
    pub block: Block,
}

/// Where a page says it is an article (a blog post, a news item, a press release).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Genre {
    pub article: bool,
    /// What says so: `json-ld NewsArticle`, `og:type article`, `byline`, `path /blog/`…
    pub signals: Vec<String>,
}

/// Marks that open a list item written as text (« • hébergement en France »).
pub const BULLETS: [char; 8] = ['-', '•', '*', '✓', '✔', '·', '▪', '►'];

/// JSON-LD types that make a page an article.
pub const ARTICLE_TYPES: &[&str] = &[
    "article",
    "newsarticle",
    "blogposting",
    "techarticle",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "reviewnewsarticle",
    "liveblogposting",
    "socialmediaposting",
    "scholarlyarticle",
    "report",
];

/// URL path segments under which sites publish articles.
const ARTICLE_PATHS: &[&str] = &[
    "blog",
    "blogs",
    "actualites",
    "actualite",
    "actus",
    "actu",
    "news",
    "newsroom",
    "presse",
    "press",
    "press-releases",
    "press-release",
    "communiques",
    "communique-de-presse",
    "communiques-de-presse",
    "articles",
    "article",
    "magazine",
    "insights",
    "journal",
    "chroniques",
    "tribune",
    "tribunes",
    "posts",
    "post",
    "stories",
    "edito",
    "glossaire",
    "glossary",
    "lexique",
    "definitions",
    "faq",
    "jobs",
    "emploi",
    "emplois",
    "carrieres",
    "careers",
    "recrutement",
    "offres-emploi",
];

/// Signals of an article in a URL's path: `/blog/`, `/actualites/`, `/news/`, `/presse/`…
pub fn article_path_signal(path: &str) -> Option<String> {
    let segments: Vec<String> = path.split('/').filter(|s| !s.is_empty()).map(|s| s.to_ascii_lowercase()).collect();
    // The last segment is the page itself ("/news" alone is an index, still a list of articles).
    // Blogs and news sites file articles by date: /2026/02/02/titre.
    let dated = segments.windows(2).any(|w| {
        w[0].len() == 4
            && w[0].starts_with("20")
            && w[0].bytes().all(|b| b.is_ascii_digit())
            && w[1].len() == 2
            && w[1].bytes().all(|b| b.is_ascii_digit())
    });
    if dated {
        return Some("path /YYYY/MM/".to_string());
    }
    // "actualite-562404-titre" counts as the article section it starts with.
    segments
        .iter()
        .find_map(|s| {
            ARTICLE_PATHS.iter().find(|p| {
                s == *p
                    || (s.starts_with(*p)
                        && s[p.len()..].starts_with('-')
                        && p.len() >= 4
                        && !s.ends_with(".html")
                        && s[p.len() + 1..].starts_with(|c: char| c.is_ascii_digit()))
            })
        })
        .map(|s| format!("path /{s}/"))
}

/// Whether a line of body text is a byline's reading time: « 5 min de lecture », "4 min read".
pub fn is_reading_time(line: &str) -> bool {
    // Most lines are long or hold none of the words: skip them before lowering their case.
    if line.len() > 160 || !(line.contains("min") || line.contains("ecture") || line.contains("eading")) {
        return false;
    }
    let l = line.to_lowercase();
    [
        "min de lecture",
        "minutes de lecture",
        "min read",
        "minute read",
        "minutes read",
        "temps de lecture",
        "reading time",
    ]
    .iter()
    .any(|p| l.contains(p))
}

/// Whether a class or id names a byline or an author block.
pub fn is_byline_class(value: &str) -> bool {
    // Nearly no class list names an author: rule them out with one scan of the whole value.
    if !has_author_pair(value.as_bytes()) || !names_author_ignoring_case(value.as_bytes()) {
        return false;
    }
    value.split_ascii_whitespace().any(|t| {
        // Class names are mostly lower case already: lower only those that are not.
        let lower;
        let t = if t.bytes().any(|b| b.is_ascii_uppercase()) {
            lower = t.to_ascii_lowercase();
            lower.as_str()
        } else {
            t
        };
        t.contains("byline") || t == "author" || t.ends_with("-author") || t.starts_with("author-") || t == "auteur"
    })
}

/// Whether `value` holds "ut" or "yl" in either case, as every word [`names_author_ignoring_case`]
/// looks for does. No early exit and no branch per byte: the loop vectorises, and a class list
/// (nearly always without the pairs) costs no mispredicted branch, which the search for single
/// letters did, once per common letter found.
fn has_author_pair(value: &[u8]) -> bool {
    let mut found = false;
    for pair in value.windows(2) {
        let (a, b) = (pair[0] | 0x20, pair[1] | 0x20);
        found |= (a == b'u') & (b == b't') | (a == b'y') & (b == b'l');
    }
    found
}

/// Whether `value`, lower-cased, contains "author", "auteur" or "byline": every token
/// [`is_byline_class`] accepts does. This runs for the class of every element of every page:
/// a vectorised search for the second letter of the words (`u`, `y`, in either case) finds the
/// few places worth comparing, instead of three substring searches and an upper-case scan.
fn names_author_ignoring_case(value: &[u8]) -> bool {
    let word_at = |second: usize, word: &[u8]| {
        second
            .checked_sub(1)
            .and_then(|start| value.get(start..start + word.len()))
            .is_some_and(|w| w.eq_ignore_ascii_case(word))
    };
    memchr::memchr2_iter(b'u', b'U', value).any(|p| word_at(p, b"author") || word_at(p, b"auteur"))
        || memchr::memchr2_iter(b'y', b'Y', value).any(|p| word_at(p, b"byline"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_author_prefilter_passes_every_byline_class() {
        for value in ["author", "post-AUTHOR x", "ByLine", "c-auteur", "entry-byline", "Author-box"] {
            assert!(has_author_pair(value.as_bytes()), "{value}");
            assert!(names_author_ignoring_case(value.as_bytes()), "{value}");
        }
        assert!(!has_author_pair(b"flex items-center text-gray-700") && !has_author_pair(b"u"));
        for value in ["", "autho", "flex items-center", "aut hor", "bylin", "A"] {
            assert!(!names_author_ignoring_case(value.as_bytes()), "{value}");
        }
        assert!(is_byline_class("Post-Author") && is_byline_class("entry-BYLINE") && !is_byline_class("authority"));
    }

    #[test]
    fn header_and_footer_inside_main_content_belong_to_it() {
        assert_eq!(Region::of_element("footer", None, false), Some(Region::Footer));
        assert_eq!(Region::of_element("footer", None, true), Some(Region::Main));
        assert_eq!(Region::of_element("div", Some("contentinfo"), false), Some(Region::Footer));
        assert_eq!(Region::of_element("div", Some("presentation"), false), None);
    }

    #[test]
    fn article_paths_are_recognised_as_segments_not_substrings() {
        assert_eq!(article_path_signal("/fr/blog/secnumcloud-explique"), Some("path /blog/".into()));
        assert_eq!(article_path_signal("/actualites/2026/x"), Some("path /actualites/".into()));
        assert_eq!(article_path_signal("/offres/cloud-prive"), None);
        assert_eq!(article_path_signal("/newsletter"), None);
    }

    #[test]
    fn reading_times_and_bylines() {
        assert!(is_reading_time("7 min de lecture"));
        assert!(is_reading_time("5 min read"));
        assert!(!is_reading_time("Notre offre se déploie en 5 minutes"));
        assert!(is_byline_class("post-author vcard"));
        assert!(is_byline_class("c-byline"));
        assert!(!is_byline_class("authorize-button"));
    }
}
