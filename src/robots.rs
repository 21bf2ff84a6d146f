//! robots.txt parsing and matching per RFC 9309, following Google's reference parser where it goes further.
//!
//! The file is parsed once into groups of precompiled rules, so a crawler can ask about many
//! URLs without re-reading the body. The semantics mirror google/robotstxt (`robots.cc`):
//! line syntax, accepted typos, pattern escaping, longest-match priority and group selection.

use std::borrow::Cow;
use std::collections::HashSet;
use std::time::Duration;

/// Google's crawler reads at most 500 KiB of a robots.txt and ignores the rest (RFC 9309 §2.5: at least that).
pub const MAX_BODY_BYTES: usize = 500 * 1024;

/// Google keeps this many bytes of a line (8 × the 2083-byte browser URL limit, less its NUL);
/// a longer line is cut, not dropped, so a truncated rule still applies.
const MAX_LINE_BYTES: usize = 2083 * 8 - 1;

const UTF8_BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// A parsed robots.txt: its groups of rules, the sitemaps it lists and per-group crawl-delays.
#[derive(Debug, Clone, Default)]
pub struct Robots {
    groups: Vec<Group>,
    sitemaps: Vec<String>,
}

#[derive(Debug, Clone, Default)]
struct Group {
    /// `User-agent: *` is in this group.
    global: bool,
    /// Product tokens named by the group's `User-agent` lines.
    agents: Vec<Vec<u8>>,
    rules: Vec<Rule>,
    crawl_delay: Option<Duration>,
}

/// An Allow or Disallow rule, its pattern split on `*` so matching needs no backtracking.
#[derive(Debug, Clone)]
struct Rule {
    allow: bool,
    /// Literal pieces between the `*`s; never empty (a bare `*` gives two empty pieces).
    pieces: Vec<Vec<u8>>,
    /// The pattern ended in `$`, so the last piece must end the path.
    anchored: bool,
    /// Google ranks a match by the escaped pattern's length, wildcards included.
    priority: usize,
}

impl Rule {
    fn new(allow: bool, escaped: &[u8]) -> Rule {
        // Only a final `$` anchors; elsewhere it is a literal, as in Google's matcher.
        let (body, anchored) = match escaped.split_last() {
            Some((b'$', rest)) => (rest, true),
            _ => (escaped, false),
        };
        Rule {
            allow,
            pieces: body.split(|&c| c == b'*').map(<[u8]>::to_vec).collect(),
            anchored,
            priority: escaped.len(),
        }
    }

    /// Matches the pattern against a prefix of `path` (against all of it when anchored).
    ///
    /// Placing each literal piece at its leftmost possible spot is always safe: it leaves the
    /// longest remainder for the pieces after it, so no alternative placement needs trying.
    /// That makes the cost O(path × pattern) at worst, like Google's position-set matcher.
    fn matches(&self, path: &[u8]) -> bool {
        let Some((first, rest)) = self.pieces.split_first() else {
            return true;
        };
        if !path.starts_with(first) {
            return false;
        }
        let Some((last, middle)) = rest.split_last() else {
            return !self.anchored || path.len() == first.len();
        };
        let mut pos = first.len();
        for piece in middle {
            match find(&path[pos..], piece) {
                Some(i) => pos += i + piece.len(),
                None => return false,
            }
        }
        if self.anchored {
            path.len() - pos >= last.len() && path.ends_with(last)
        } else {
            find(&path[pos..], last).is_some()
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

impl Robots {
    /// Parses a robots.txt body. Never fails: lines it cannot understand are ignored.
    pub fn parse(body: &str) -> Robots {
        Robots::parse_bytes(body.as_bytes())
    }

    /// Parses a robots.txt body given as bytes.
    ///
    /// Rules are handled as bytes, so a non-UTF-8 (e.g. Latin-1) path in a rule is
    /// percent-encoded byte for byte as Google does; user-agent and sitemap values are
    /// decoded as lossy UTF-8. A leading UTF-8 BOM is skipped.
    pub fn parse_bytes(body: &[u8]) -> Robots {
        let mut body = &body[..body.len().min(MAX_BODY_BYTES)];
        // Google skips whatever prefix of a BOM the body starts with, even a partial one.
        let bom_len = body.iter().zip(UTF8_BOM).take_while(|(a, b)| **a == *b).count();
        body = &body[bom_len..];

        let mut builder = Builder::default();
        let mut rest = body;
        loop {
            let end = rest.iter().position(|&c| c == b'\n' || c == b'\r');
            let line = &rest[..end.unwrap_or(rest.len())];
            builder.line(&line[..line.len().min(MAX_LINE_BYTES)]);
            let Some(end) = end else { break };
            // A CR directly followed by LF is one line ending, not an extra empty line.
            let skip = 1 + usize::from(rest[end] == b'\r' && rest.get(end + 1) == Some(&b'\n'));
            rest = &rest[end + skip..];
        }
        Robots { groups: builder.groups, sitemaps: builder.sitemaps }
    }

    /// Everything allowed: what RFC 9309 §2.3.1.3 prescribes when robots.txt is "unavailable" (4xx).
    pub fn allow_all() -> Robots {
        Robots::default()
    }

    /// Everything disallowed: what RFC 9309 §2.3.1.4 prescribes when robots.txt is "unreachable" (5xx, network error).
    pub fn disallow_all() -> Robots {
        Robots {
            groups: vec![Group { global: true, rules: vec![Rule::new(false, b"/")], ..Group::default() }],
            sitemaps: Vec::new(),
        }
    }

    /// Whether `user_agent` (a full User-Agent header, matched by its product token) may
    /// fetch `url_or_path`, a full URL ("http://h/p?q") or a path ("/p?q").
    ///
    /// The path and query are matched as given, so the caller must pass them in the form it
    /// will request; this function does not re-encode them.
    pub fn is_allowed(&self, user_agent: &str, url_or_path: &str) -> bool {
        let path = path_params_query(url_or_path);
        let before_query = path.split('?').next().unwrap_or("");
        // RFC 9309 §2.2.2: the robots.txt itself is always fetchable.
        if before_query == "/robots.txt" {
            return true;
        }
        let path = path.as_bytes();
        // Longest match per kind, indexed by `allow`; an empty pattern matches with
        // priority 0, which (like no match at all) decides nothing.
        let mut best = [0, 0];
        for group in self.applicable_groups(user_agent) {
            for rule in group.rules.iter().filter(|r| r.matches(path)) {
                let slot = &mut best[usize::from(rule.allow)];
                *slot = (*slot).max(rule.priority);
            }
        }
        let [disallow, allow] = best;
        allow >= disallow
    }

    /// Crawl-delay (seconds, fractional allowed) of the group that applies to this agent, if any.
    /// When several groups for the agent merge, the longest delay is the polite choice.
    pub fn crawl_delay(&self, user_agent: &str) -> Option<Duration> {
        self.applicable_groups(user_agent).filter_map(|g| g.crawl_delay).max()
    }

    /// Sitemap URLs listed anywhere in the file, in order of first appearance, without duplicates.
    pub fn sitemaps(&self) -> &[String] {
        &self.sitemaps
    }

    /// The groups naming the agent's product token, or else the `*` groups (Google merges
    /// every group that names the agent, and ignores `*` once any does, even a rule-less one).
    fn applicable_groups<'a>(&'a self, user_agent: &str) -> impl Iterator<Item = &'a Group> {
        let token = product_token(user_agent).as_bytes();
        let names = move |g: &Group| g.agents.iter().any(|a| a.eq_ignore_ascii_case(token));
        // Google obeys only a bare product token; "Foo Bar" is not taken to mean "Foo".
        let valid = !token.is_empty() && token.iter().all(|&c| is_agent_char(c));
        let specific = valid && self.groups.iter().any(names);
        self.groups.iter().filter(move |g| if specific { names(g) } else { g.global })
    }
}

/// The product token of a full User-Agent header ("claimwatch/0.1 (+https://x)" → "claimwatch").
///
/// It is the text before the version's `/` or the first comment's `(`, trimmed. A header
/// without either is returned whole, so "Foo Bar" stays "Foo Bar" and matches no named group,
/// which is what Google's matcher does with such an agent.
pub fn product_token(user_agent: &str) -> &str {
    let end = user_agent.find(['/', '(']).unwrap_or(user_agent.len());
    user_agent[..end].trim()
}

fn is_agent_char(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'-' || c == b'_'
}

/// Whitespace as absl's `ascii_isspace` sees it, which unlike Rust's includes vertical tab.
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r')
}

fn trim(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|&c| !is_space(c)).unwrap_or(s.len());
    let end = s.iter().rposition(|&c| !is_space(c)).map_or(start, |i| i + 1);
    &s[start..end]
}

fn starts_with_ignore_case(s: &[u8], prefix: &str) -> bool {
    s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// The path, params and query of a URL without scheme, authority and fragment; always starts
/// with "/". Follows Google's `GetPathParamsQuery`, so a bare path passes through unchanged.
fn path_params_query(url: &str) -> Cow<'_, str> {
    let b = url.as_bytes();
    let search_start = if url.starts_with("//") { 2 } else { 0 };
    let first_of = |from: usize| b[from..].iter().position(|c| b"/?;".contains(c)).map(|i| i + from);
    let early_path = first_of(search_start);
    let mut protocol_end = url[search_start..].find("://").map(|i| i + search_start);
    // A "://" inside the path or query does not end a scheme.
    if let (Some(path), Some(proto)) = (early_path, protocol_end)
        && path < proto
    {
        protocol_end = None;
    }
    let after_authority = protocol_end.map_or(search_start, |i| i + 3);
    let Some(path_start) = first_of(after_authority) else {
        return Cow::Borrowed("/");
    };
    let hash = url[search_start..].find('#').map(|i| i + search_start);
    if hash.is_some_and(|h| h < path_start) {
        return Cow::Borrowed("/");
    }
    let path = &url[path_start..hash.unwrap_or(url.len())];
    if path.starts_with('/') { Cow::Borrowed(path) } else { Cow::Owned(format!("/{path}")) }
}

/// Percent-encodes bytes outside ASCII and upper-cases existing `%xx` escapes, as Google does
/// for rule values, so "/ツ" and "/%e3%83%84" both become "/%E3%83%84".
fn escape_pattern(value: &[u8]) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = Vec::with_capacity(value.len());
    let mut i = 0;
    while i < value.len() {
        let c = value[i];
        if c == b'%' && i + 2 < value.len() && value[i + 1].is_ascii_hexdigit() && value[i + 2].is_ascii_hexdigit() {
            out.push(b'%');
            out.extend(value[i + 1..i + 3].iter().map(u8::to_ascii_uppercase));
            i += 3;
            continue;
        }
        if c >= 0x80 {
            out.extend_from_slice(&[b'%', HEX[usize::from(c >> 4)], HEX[usize::from(c & 0xF)]]);
        } else {
            out.push(c);
        }
        i += 1;
    }
    out
}

const DISALLOW_SPELLINGS: &[&str] = &["disallow", "dissallow", "dissalow", "disalow", "diasllow", "disallaw"];

enum Key {
    UserAgent,
    Allow,
    Disallow,
    Sitemap,
    CrawlDelay,
    Other,
}

impl Key {
    /// Google matches keys by prefix and accepts its list of frequent typos.
    fn classify(key: &[u8]) -> Key {
        let any = |names: &[&str]| names.iter().any(|n| starts_with_ignore_case(key, n));
        if any(&["user-agent", "useragent", "user agent"]) {
            Key::UserAgent
        } else if any(&["allow"]) {
            Key::Allow
        } else if any(DISALLOW_SPELLINGS) {
            Key::Disallow
        } else if any(&["sitemap", "site-map"]) {
            Key::Sitemap
        } else if any(&["crawl-delay", "crawldelay", "crawl delay"]) {
            Key::CrawlDelay
        } else {
            Key::Other
        }
    }
}

#[derive(Default)]
struct Builder {
    groups: Vec<Group>,
    sitemaps: Vec<String>,
    seen_sitemaps: HashSet<String>,
    /// A rule has been seen since the last `User-agent` line, so the next one opens a new group.
    after_rule: bool,
}

impl Builder {
    fn line(&mut self, line: &[u8]) {
        let Some((key, value)) = split_line(line) else {
            return;
        };
        match Key::classify(key) {
            Key::UserAgent => self.user_agent(value),
            Key::Allow => self.rule(true, value),
            Key::Disallow => self.rule(false, value),
            Key::Sitemap => {
                let url = String::from_utf8_lossy(value).into_owned();
                if !url.is_empty() && self.seen_sitemaps.insert(url.clone()) {
                    self.sitemaps.push(url);
                }
            }
            Key::CrawlDelay => {
                let delay = std::str::from_utf8(value)
                    .ok()
                    .and_then(|v| v.parse::<f64>().ok())
                    .filter(|v| v.is_finite() && *v >= 0.0)
                    .and_then(|v| Duration::try_from_secs_f64(v).ok());
                // Google ignores Crawl-delay; parsers that honour it treat it as a group member,
                // so like a rule it ends the group's User-agent list. Otherwise the common
                // "User-agent: *, Crawl-delay: 10, User-agent: X, Disallow: /" would put `*` in X's group.
                if let Some(group) = self.groups.last_mut() {
                    self.after_rule = true;
                    group.crawl_delay = group.crawl_delay.max(delay);
                }
            }
            // Unknown lines (and sitemaps) neither end a group nor belong to one, as in Google's parser.
            Key::Other => {}
        }
    }

    fn user_agent(&mut self, value: &[u8]) {
        if self.groups.is_empty() || self.after_rule {
            self.groups.push(Group::default());
            self.after_rule = false;
        }
        let group = self.groups.last_mut().expect("a group was just ensured");
        // Google treats "* anything" as the global agent too.
        if value.first() == Some(&b'*') && value.get(1).is_none_or(|&c| is_space(c)) {
            group.global = true;
            return;
        }
        // Only the leading [A-Za-z_-] run names the agent: "FooBot/1.0" and "Foo Bar" name "FooBot" and "Foo".
        let len = value.iter().take_while(|&&c| is_agent_char(c)).count();
        if len > 0 {
            group.agents.push(value[..len].to_vec());
        }
    }

    fn rule(&mut self, allow: bool, value: &[u8]) {
        // Rules before the first User-agent line belong to no group and are ignored.
        let Some(group) = self.groups.last_mut() else {
            return;
        };
        self.after_rule = true;
        let escaped = escape_pattern(value);
        // Google treats an allowed ".../index.htm(l)" as also allowing the directory ".../" itself.
        if allow
            && let Some(slash) = escaped.iter().rposition(|&c| c == b'/')
            && escaped[slash..].starts_with(b"/index.htm")
        {
            let dir = [&escaped[..=slash], b"$"].concat();
            group.rules.push(Rule::new(allow, &dir));
        }
        group.rules.push(Rule::new(allow, &escaped));
    }
}

/// Splits a line into key and value, dropping the comment and surrounding whitespace.
/// Without a ':' Google accepts whitespace as the separator, but only between exactly two words.
fn split_line(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let line = trim(&line[..line.iter().position(|&c| c == b'#').unwrap_or(line.len())]);
    let (key, value) = match line.iter().position(|&c| c == b':') {
        Some(colon) => (&line[..colon], &line[colon + 1..]),
        None => {
            let is_blank = |c: &u8| *c == b' ' || *c == b'\t';
            let gap = line.iter().position(is_blank)?;
            let value = &line[gap..];
            let value = &value[value.iter().take_while(|c| is_blank(c)).count()..];
            if value.iter().any(is_blank) {
                return None;
            }
            (&line[..gap], value)
        }
    };
    let key = trim(key);
    (!key.is_empty()).then(|| (key, trim(value)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const UA: &str = "claimwatch/0.1 (+https://example.com/bot)";

    fn allowed(body: &str, url: &str) -> bool {
        Robots::parse(body).is_allowed(UA, url)
    }

    #[test]
    fn product_token_strips_version_and_comment() {
        assert_eq!(product_token(UA), "claimwatch");
        assert_eq!(product_token("claimwatch (+https://x)"), "claimwatch");
        assert_eq!(product_token("FooBot"), "FooBot");
        assert_eq!(product_token("  Foo Bar "), "Foo Bar");
        assert_eq!(product_token(""), "");
        let body = "User-agent: *\nDisallow: /\n\nUser-agent: ClaimWatch\nDisallow: /private\n";
        assert!(allowed(body, "/public"));
        assert!(!allowed(body, "https://h.example/private/x?y"));
        assert!(!Robots::parse(body).is_allowed("otherbot/2.0", "/public"));
    }

    #[test]
    fn crawl_delay_per_agent_and_fractional() {
        let body = "User-agent: *\nCrawl-delay: 10\n\nUser-agent: claimwatch\nCrawl-delay: 0.5\nDisallow: /x\n\nUser-agent: nodelay\nDisallow: /\n";
        let r = Robots::parse(body);
        assert_eq!(r.crawl_delay(UA), Some(Duration::from_millis(500)));
        assert_eq!(r.crawl_delay("other/1"), Some(Duration::from_secs(10)));
        // A named group without a delay applies instead of `*`, so there is none.
        assert_eq!(r.crawl_delay("nodelay"), None);
        for body in ["User-agent: *\nCrawl-delay: soon\n", "Crawl-delay: 3\nUser-agent: *\n"] {
            assert_eq!(Robots::parse(body).crawl_delay("a"), None, "{body:?}");
        }
        // The delay line separates `*` from the next group rather than merging them.
        let r = Robots::parse("User-agent: *\nCrawl-delay: 2\nUser-agent: x\nDisallow: /\n");
        assert!(r.is_allowed(UA, "/"));
        assert_eq!(r.crawl_delay("x"), None);
    }

    #[test]
    fn sitemaps_collected_from_anywhere() {
        let body = "Sitemap: https://h/a.xml\nUser-agent: *\nSitemap: https://h/b.xml\nDisallow: /x\nsite-map: https://h/c.xml\nSitemap: https://h/a.xml\n";
        let want = ["https://h/a.xml", "https://h/b.xml", "https://h/c.xml"];
        assert_eq!(Robots::parse(body).sitemaps(), want);
        // A sitemap between User-agent lines does not split the group.
        let body = "User-agent: a\nSitemap: https://h/s.xml\nUser-agent: claimwatch\nDisallow: /\n";
        assert!(!Robots::parse(body).is_allowed("a", "/"));
    }

    #[test]
    fn allow_all_and_disallow_all() {
        assert!(Robots::allow_all().is_allowed(UA, "/anything?q"));
        assert!(!Robots::disallow_all().is_allowed(UA, "/anything"));
        assert!(!Robots::disallow_all().is_allowed(UA, "http://h"));
        assert!(Robots::disallow_all().is_allowed(UA, "http://h/robots.txt"));
        assert_eq!(Robots::disallow_all().crawl_delay(UA), None);
    }

    #[test]
    fn wildcards() {
        let body = "User-agent: *\nDisallow: /*.pdf$\nDisallow: /a*b*c\nDisallow: /end$\nDisallow: /d$x\n";
        for (url, want) in [
            ("/docs/x.pdf", false),
            ("/docs/x.pdf?download=1", true),
            ("/axxbyyc/z", false),
            ("/axxcyyb", true),
            ("/end", false),
            ("/endless", true),
            // A `$` before the end is literal.
            ("/d$x/y", false),
            ("/d", true),
        ] {
            assert_eq!(allowed(body, url), want, "{url}");
        }
    }

    #[test]
    fn longest_match_and_allow_wins_ties() {
        let body = "User-agent: *\nDisallow: /a\nAllow: /a/b\nDisallow: /a/b/c\n";
        assert!(!allowed(body, "/a/x"));
        assert!(allowed(body, "/a/b/x"));
        assert!(!allowed(body, "/a/b/c"));
        assert!(allowed("User-agent: *\nDisallow: /same\nAllow: /same\n", "/same"));
        // Equal length with a wildcard: still a tie, still allowed.
        assert!(allowed("User-agent: *\nDisallow: /*x\nAllow: /ax\n", "/ax"));
        assert!(allowed("User-agent: *\nDisallow:\n", "/x"));
    }

    #[test]
    fn body_capped_at_500_kib() {
        let mut body = String::from("User-agent: *\nDisallow: /early\n");
        while body.len() < MAX_BODY_BYTES {
            body.push_str("# padding padding padding padding padding padding padding\n");
        }
        body.push_str("Disallow: /late\n");
        assert!(!allowed(&body, "/early"));
        assert!(allowed(&body, "/late"));
    }

    #[test]
    fn line_endings_and_bom() {
        for body in [
            "User-agent: *\r\nDisallow: /x\r\nAllow: /x/y\r\n",
            "User-agent: *\rDisallow: /x\rAllow: /x/y\r",
            "User-agent: *\nDisallow: /x\r\nAllow: /x/y",
            "\u{FEFF}User-agent: *\nDisallow: /x\nAllow: /x/y\n",
        ] {
            assert!(!allowed(body, "/x/z"), "{body:?}");
            assert!(allowed(body, "/x/y"), "{body:?}");
        }
        // Like Google, a partial BOM is skipped, a broken one garbles the first line and
        // one in mid-file garbles its own line.
        for (body, want) in [
            (&b"\xEF\xBBUser-agent: *\nDisallow: /x\n"[..], false),
            (b"\xEF\x11\xBFUser-agent: *\nDisallow: /x\n", true),
            (b"User-agent: *\n\xEF\xBB\xBFDisallow: /x\n", true),
        ] {
            assert_eq!(Robots::parse_bytes(body).is_allowed(UA, "/x"), want, "{body:?}");
        }
    }

    #[test]
    fn pathological_pattern_is_fast() {
        let r = Robots::parse("User-agent: *\nDisallow: /*a*a*a*a*a*a*a*a*a*b\n");
        let path = format!("/{}", "a".repeat(200_000));
        let start = std::time::Instant::now();
        assert!(r.is_allowed(UA, &path));
        assert!(!r.is_allowed(UA, &format!("{path}b")));
        // Backtracking would take astronomically long; linear-ish work takes milliseconds.
        assert!(start.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn patterns_escaped_like_google() {
        assert_eq!(escape_pattern("/ツ".as_bytes()), b"/%E3%83%84");
        assert_eq!(escape_pattern(b"/%aa%2f%zz%4"), b"/%AA%2F%zz%4");
        assert_eq!(escape_pattern(b"/Jos\xE9"), b"/Jos%E9");
    }

    #[test]
    fn path_derivation_like_google() {
        for (url, want) in [
            ("", "/"),
            ("http://h", "/"),
            ("http://h?q", "/?q"),
            ("http://h#x/y", "/"),
            ("/p?a=http://x", "/p?a=http://x"),
            ("http://e.com/a/b?c=http://d.e/", "/a/b?c=http://d.e/"),
            ("http://e.com/a/b?c=d&e=f#fragment", "/a/b?c=d&e=f"),
            ("example.com", "/"),
            ("example.com/a/", "/a/"),
            ("a", "/"),
            ("a/b", "/b"),
            ("example.com?a", "/?a"),
            ("example.com/a;b#c", "/a;b"),
            ("//a/b/c", "/b/c"),
        ] {
            assert_eq!(path_params_query(url), want, "{url:?}");
        }
    }

    #[test]
    fn google_accepted_typos_and_missing_colon() {
        for (ua_key, dis_key) in [
            ("useragent", "dissallow"),
            ("user agent", "dissalow"),
            ("User-Agent", "disalow"),
            ("USERAGENT", "diasllow"),
            ("user-agent", "disallaw"),
        ] {
            let body = format!("{ua_key}: claimwatch\n{dis_key}: /x\n");
            assert!(!allowed(&body, "/x"), "{body:?}");
        }
        assert!(!allowed("user-agent claimwatch\ndisallow /x\n", "/x"));
        // Three words without a colon are not a line Google accepts.
        assert!(allowed("user-agent claimwatch\ndisallow /x y\n", "/x"));
        let r = Robots::parse("site-map: https://h/s.xml\n");
        assert_eq!(r.sitemaps(), ["https://h/s.xml"]);
    }
}
