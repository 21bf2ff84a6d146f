//! URL canonicalisation for the crawl frontier: one key per page, so that each page is fetched once.

use url::Url;

/// The URL to fetch: fragment and tracking parameters removed, percent-escapes normalised
/// (RFC 3986 §6.2.2: unreserved characters decoded, other escapes upper-cased). The `url` crate
/// already lower-cases the host, drops the default port and resolves dot segments. `None` for
/// anything but http(s).
pub fn canonical(url: &Url) -> Option<Url> {
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return None;
    }
    let mut u = without_credentials(url);
    u.set_fragment(None);
    let path = normalise_escapes(u.path());
    u.set_path(&path);
    if let Some(query) = u.query() {
        // Drop tracking pairs from the raw query, so that the encoding of the others is kept.
        let kept: Vec<String> = query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .filter(|pair| {
                let name = pair.split('=').next().unwrap_or("");
                let name = url::form_urlencoded::parse(name.as_bytes()).next().map(|(k, _)| k.into_owned());
                !name.is_some_and(|n| is_tracking_param(&n))
            })
            .map(normalise_escapes)
            .collect();
        let q = kept.join("&");
        u.set_query(if q.is_empty() { None } else { Some(&q) });
    }
    Some(u)
}

/// The dedupe key: the canonical URL with query parameters sorted and a trailing slash dropped
/// from a non-root path ("/offres/" and "/offres" are one page). The scheme is kept: an http
/// and an https page may differ, and a site that redirects one to the other is deduplicated
/// by the redirect itself.
pub fn dedupe_key(url: &Url) -> Option<String> {
    let u = canonical(url)?;
    let mut key = format!("{}://{}", u.scheme(), u.host_str()?);
    if let Some(port) = u.port() {
        key.push_str(&format!(":{port}"));
    }
    let path = u.path();
    key.push_str(if path.len() > 1 { path.trim_end_matches('/') } else { path });
    let mut pairs: Vec<(String, String)> = u.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    if !pairs.is_empty() {
        pairs.sort();
        let q: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        key.push('?');
        key.push_str(&q.join("&"));
    }
    Some(key)
}

/// An href found on a page, resolved against the page's URL (or its `<base href>`); `None`
/// for `javascript:`, `mailto:`, `tel:`, `data:`, empty and fragment-only links, and for
/// anything that is not http(s).
pub fn resolve(base: &Url, href: &str) -> Option<Url> {
    let href = href.trim_matches(|c: char| c.is_ascii_whitespace() || c.is_control());
    if href.is_empty() || href.starts_with('#') {
        return None;
    }
    let url = base.join(href).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| without_credentials(&url))
}

/// The URL without `user:password@`. Credentials written into a hostile page's links or
/// redirects are never sent, logged, stored or archived.
pub fn without_credentials(url: &Url) -> Url {
    let mut u = url.clone();
    if !u.username().is_empty() || u.password().is_some() {
        let _ = u.set_username("");
        let _ = u.set_password(None);
    }
    u
}

/// Query parameters that only track visitors and never change the page.
pub fn is_tracking_param(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.starts_with("utm_")
        || n.starts_with("pk_")
        || n.starts_with("mtm_")
        || matches!(
            n.as_str(),
            "gclid"
                | "gclsrc"
                | "dclid"
                | "gbraid"
                | "wbraid"
                | "fbclid"
                | "msclkid"
                | "yclid"
                | "twclid"
                | "ttclid"
                | "li_fat_id"
                | "mc_cid"
                | "mc_eid"
                | "_ga"
                | "_gl"
                | "_hsenc"
                | "_hsmi"
                | "__hssc"
                | "__hstc"
                | "__hsfp"
                | "hsctatracking"
                | "mkt_tok"
                | "igshid"
                | "ref_src"
                | "s_kwcid"
                | "ef_id"
                | "srsltid"
                | "vero_id"
                | "oly_anon_id"
                | "oly_enc_id"
                | "rb_clickid"
                | "wickedid"
                | "xtor"
        )
}

/// Decodes escapes of unreserved characters and upper-cases the others.
fn normalise_escapes(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            let c = h * 16 + l;
            if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~') {
                out.push(c as char);
            } else {
                out.push('%');
                out.push(b[i + 1].to_ascii_uppercase() as char);
                out.push(b[i + 2].to_ascii_uppercase() as char);
            }
            i += 3;
            continue;
        }
        out.push_str(&s[i..i + utf8_len(b[i])]);
        i += utf8_len(b[i]);
    }
    out
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> String {
        canonical(&Url::parse(s).unwrap()).unwrap().to_string()
    }
    fn k(s: &str) -> String {
        dedupe_key(&Url::parse(s).unwrap()).unwrap()
    }

    #[test]
    fn canonical_drops_fragment_tracking_and_default_port_and_resolves_dots() {
        assert_eq!(c("https://EXAMPLE.com:443/a/../b/./c?utm_source=x&id=2#top"), "https://example.com/b/c?id=2");
        assert_eq!(c("http://h:80"), "http://h/");
        assert_eq!(c("https://h/p?utm_medium=a&fbclid=b"), "https://h/p");
        assert_eq!(c("https://h/p?q=a%20b&UTM_Campaign=x"), "https://h/p?q=a%20b");
        assert_eq!(c("https://h:8443/p"), "https://h:8443/p");
    }

    #[test]
    fn escapes_of_unreserved_characters_are_decoded_and_others_upper_cased() {
        assert_eq!(c("https://h/%7euser/%2f/%c3%a9"), "https://h/~user/%2F/%C3%A9");
        assert_eq!(c("https://h/a?x=%7e%2f"), "https://h/a?x=~%2F");
    }

    #[test]
    fn non_http_urls_have_no_canonical_form() {
        assert!(canonical(&Url::parse("mailto:a@b.fr").unwrap()).is_none());
        assert!(canonical(&Url::parse("ftp://h/x").unwrap()).is_none());
    }

    #[test]
    fn dedupe_keys_merge_trailing_slashes_and_query_order() {
        assert_eq!(k("https://h/offres/"), k("https://h/offres"));
        assert_eq!(k("https://h/p?b=1&a=2"), k("https://h/p?a=2&b=1"));
        assert_eq!(k("https://h/"), "https://h/");
        assert_ne!(k("http://h/p"), k("https://h/p"));
        assert_ne!(k("https://h/p?a=1"), k("https://h/p?a=2"));
    }

    #[test]
    fn links_resolve_against_the_page_and_skip_what_is_not_a_page() {
        let base = Url::parse("https://h/dir/page.html").unwrap();
        let r = |h: &str| resolve(&base, h).map(|u| u.to_string());
        assert_eq!(r("../x"), Some("https://h/x".into()));
        assert_eq!(r("//other.host/p"), Some("https://other.host/p".into()));
        assert_eq!(r("  /spaced  "), Some("https://h/spaced".into()));
        assert_eq!(r("?q=1"), Some("https://h/dir/page.html?q=1".into()));
        for no in ["javascript:void(0)", "mailto:x@h", "tel:+33", "data:text/html,x", "#frag", "", "ftp://h/"] {
            assert_eq!(r(no), None, "{no}");
        }
    }

    #[test]
    fn tracking_parameters_are_recognised_in_any_case() {
        for t in ["utm_source", "UTM_TERM", "gclid", "fbclid", "_hsenc", "mc_eid", "pk_campaign"] {
            assert!(is_tracking_param(t), "{t}");
        }
        for t in ["id", "page", "q", "lang", "ref"] {
            assert!(!is_tracking_param(t), "{t}");
        }
    }
}
