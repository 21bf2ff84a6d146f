//! Sitemap documents (sitemaps.org): `<urlset>` page lists and `<sitemapindex>` lists of further sitemaps, parsed without expanding entities.

use std::io::Read;

use quick_xml::events::Event;
use quick_xml::reader::Reader;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sitemap {
    /// Page URLs.
    Urls(Vec<String>),
    /// URLs of further sitemaps.
    Index(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SitemapError {
    #[error("not a sitemap ({0})")]
    NotASitemap(String),
    #[error("malformed sitemap XML: {0}")]
    Xml(String),
    #[error("sitemap larger than the limit once decompressed")]
    TooLarge,
}

/// Parses a sitemap body, gzip-compressed or not (the `1f 8b` magic decides, whatever the URL or
/// headers say). Decompression stops at `max_bytes`; at most `max_urls` entries are kept (the
/// protocol allows 50,000). A plain-text sitemap (one URL a line) is accepted too.
pub fn parse(bytes: &[u8], max_bytes: usize, max_urls: usize) -> Result<Sitemap, SitemapError> {
    let data: Vec<u8> = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(bytes)
            .take(max_bytes as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|e| SitemapError::Xml(format!("gzip: {e}")))?;
        if out.len() > max_bytes {
            return Err(SitemapError::TooLarge);
        }
        out
    } else {
        if bytes.len() > max_bytes {
            return Err(SitemapError::TooLarge);
        }
        bytes.to_vec()
    };
    let text = String::from_utf8_lossy(&data);
    let trimmed = text.trim_start_matches('\u{FEFF}').trim_start();
    if trimmed.starts_with('<') {
        parse_xml(trimmed, max_urls)
    } else {
        let urls: Vec<String> =
            trimmed.lines().map(str::trim).filter(|l| is_absolute_http(l)).take(max_urls).map(String::from).collect();
        if urls.is_empty() {
            Err(SitemapError::NotASitemap("neither XML nor a list of URLs".into()))
        } else {
            Ok(Sitemap::Urls(urls))
        }
    }
}

fn parse_xml(text: &str, max_urls: usize) -> Result<Sitemap, SitemapError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut root: Option<String> = None;
    // Open elements below the root, to take only a <loc> that belongs to a <url> or <sitemap>
    // (image and video extensions have their own <image:loc>).
    let mut open: Vec<String> = Vec::new();
    let mut in_loc = false;
    let mut loc = String::new();
    let mut found = Vec::new();
    loop {
        match reader.read_event() {
            Err(e) => {
                // A sitemap broken half-way still gave us its first entries.
                if root.is_some() && !found.is_empty() {
                    break;
                }
                return Err(SitemapError::Xml(e.to_string()));
            }
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) => {
                let name = e.local_name().as_ref().to_ascii_lowercase();
                if root.is_none() {
                    if name != "urlset" && name != "sitemapindex" {
                        return Err(SitemapError::NotASitemap(format!("root element <{name}>")));
                    }
                    root = Some(name);
                } else {
                    let entry = open.last().is_some_and(|p| p == "url" || p == "sitemap");
                    if name == "loc" && entry {
                        in_loc = true;
                        loc.clear();
                    }
                    open.push(name);
                }
            }
            Ok(Event::Text(t)) if in_loc => loc.push_str(&t.into_inner()),
            Ok(Event::CData(t)) if in_loc => loc.push_str(&t.into_inner()),
            Ok(Event::GeneralRef(r)) if in_loc => {
                // Only character references (&#233;) and the five predefined entities are
                // expanded. A DTD's own entities are never defined here, so an entity bomb has
                // nothing to grow: an undefined entity spoils its entry only.
                let name = r.into_inner();
                match quick_xml::escape::unescape(&format!("&{name};")) {
                    Ok(s) => loc.push_str(&s),
                    Err(_) => loc.push('\u{FFFD}'),
                }
            }
            Ok(Event::End(e)) => {
                let name = e.local_name().as_ref().to_ascii_lowercase();
                open.pop();
                if name == "loc" && in_loc {
                    in_loc = false;
                    let l = loc.trim();
                    if is_absolute_http(l) && !l.contains('\u{FFFD}') && found.len() < max_urls {
                        found.push(l.to_string());
                    }
                }
            }
            Ok(_) => {}
        }
    }
    match root.as_deref() {
        Some("urlset") => Ok(Sitemap::Urls(found)),
        Some(_) => Ok(Sitemap::Index(found)),
        None => Err(SitemapError::NotASitemap("no root element".into())),
    }
}

fn is_absolute_http(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const MB: usize = 1024 * 1024;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn urlset_gives_page_urls_with_entities_decoded_and_garbage_skipped() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc> https://h.fr/a?x=1&amp;y=2 </loc><lastmod>2026-01-01</lastmod></url>
  <url><loc><![CDATA[https://h.fr/b]]></loc></url>
  <url><loc>/relative</loc></url>
  <url><loc>https://h.fr/caf&#233;</loc></url>
</urlset>"#;
        assert_eq!(
            parse(xml.as_bytes(), MB, 100).unwrap(),
            Sitemap::Urls(vec!["https://h.fr/a?x=1&y=2".into(), "https://h.fr/b".into(), "https://h.fr/café".into()])
        );
    }

    #[test]
    fn sitemap_index_and_namespace_prefixes() {
        let xml = r#"<sm:sitemapindex xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9">
<sm:sitemap><sm:loc>https://h.fr/s1.xml</sm:loc></sm:sitemap><sm:sitemap><sm:loc>https://h.fr/s2.xml.gz</sm:loc></sm:sitemap>
</sm:sitemapindex>"#;
        assert_eq!(
            parse(xml.as_bytes(), MB, 100).unwrap(),
            Sitemap::Index(vec!["https://h.fr/s1.xml".into(), "https://h.fr/s2.xml.gz".into()])
        );
    }

    #[test]
    fn gzip_is_detected_by_its_magic_and_a_bomb_stops_at_the_limit() {
        let xml = b"<urlset><url><loc>https://h.fr/z</loc></url></urlset>";
        assert_eq!(parse(&gzip(xml), MB, 10).unwrap(), Sitemap::Urls(vec!["https://h.fr/z".into()]));
        let bomb = gzip(&vec![b' '; 50 * MB]);
        assert_eq!(parse(&bomb, MB, 10), Err(SitemapError::TooLarge));
    }

    #[test]
    fn an_entity_bomb_expands_nothing() {
        let bomb = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<urlset><url><loc>https://h.fr/&lol9;</loc></url><url><loc>https://h.fr/ok</loc></url></urlset>"#;
        let started = std::time::Instant::now();
        assert_eq!(parse(bomb.as_bytes(), MB, 10).unwrap(), Sitemap::Urls(vec!["https://h.fr/ok".into()]));
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn image_locations_are_not_pages() {
        let xml = r#"<urlset xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
<url><loc>https://h.fr/page</loc><image:image><image:loc>https://h.fr/photo.jpg</image:loc></image:image></url></urlset>"#;
        assert_eq!(parse(xml.as_bytes(), MB, 10).unwrap(), Sitemap::Urls(vec!["https://h.fr/page".into()]));
    }

    #[test]
    fn entries_are_capped() {
        let xml: String = std::iter::once("<urlset>".to_string())
            .chain((0..100).map(|i| format!("<url><loc>https://h.fr/{i}</loc></url>")))
            .chain(std::iter::once("</urlset>".to_string()))
            .collect();
        match parse(xml.as_bytes(), MB, 7).unwrap() {
            Sitemap::Urls(u) => assert_eq!(u.len(), 7),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn plain_text_sitemaps_and_html_pages() {
        let text = "https://h.fr/a\n\nnot a url\nhttps://h.fr/b\n";
        assert_eq!(
            parse(text.as_bytes(), MB, 10).unwrap(),
            Sitemap::Urls(vec!["https://h.fr/a".into(), "https://h.fr/b".into()])
        );
        assert!(matches!(parse(b"<html><body>x</body></html>", MB, 10), Err(SitemapError::NotASitemap(_))));
        assert!(matches!(parse(b"hello", MB, 10), Err(SitemapError::NotASitemap(_))));
    }
}
