//! Decides a page's character encoding by the WHATWG rules (BOM, HTTP charset, <meta> prescan, fallback) and decodes it.

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252, X_USER_DEFINED};

/// The spec advises prescanning only this much; a later `<meta>` is left to sniffing, as in browsers.
const PRESCAN_LIMIT: usize = 1024;
/// chardetng settles long before this; the cap bounds the cost on very large pages.
const SNIFF_LIMIT: usize = 64 * 1024;
/// ASCII kept before the first non-ASCII byte so the detector sees the letters around it.
const SNIFF_CONTEXT: usize = 64;

/// How the encoding was decided, for evidence and debugging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodingSource {
    /// A UTF-8 or UTF-16 byte order mark.
    Bom,
    /// The `charset` parameter of the Content-Type header.
    HttpHeader,
    /// A `<meta>` in the first 1024 bytes or, failing that, an XML declaration the prescan recognises.
    MetaPrescan,
    /// Nothing declared; chardetng guessed (pure ASCII is labelled UTF-8 without asking it).
    Sniffed,
    /// Nothing declared and nothing to sniff (empty input).
    Default,
    /// The document format says how its text is encoded (a PDF's fonts and their maps).
    Document,
}

#[derive(Debug, Clone)]
pub struct Decoded {
    /// The decoded document, BOM removed.
    pub text: String,
    pub encoding: &'static Encoding,
    pub source: EncodingSource,
    /// Malformed sequences were replaced by U+FFFD.
    pub had_errors: bool,
}

/// `content_type` is the raw HTTP Content-Type header value if any, e.g. `text/html; charset="ISO-8859-1"`.
pub fn decode_html(bytes: &[u8], content_type: Option<&str>) -> Decoded {
    let (encoding, bom_len, source) = decide(bytes, content_type);
    decode(&bytes[bom_len..], encoding, source)
}

/// The encoding [`decode_html`] reads `bytes` with, the length of the byte order mark it skips,
/// and how it was decided, without decoding anything (the prefilter walks UTF-8 in place).
pub fn decide(bytes: &[u8], content_type: Option<&str>) -> (&'static Encoding, usize, EncodingSource) {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        return (encoding, bom_len, EncodingSource::Bom);
    }
    if let Some(encoding) = content_type.and_then(charset_from_content_type) {
        return (encoding, 0, EncodingSource::HttpHeader);
    }
    if let Some(encoding) = prescan(bytes) {
        return (encoding, 0, EncodingSource::MetaPrescan);
    }
    if bytes.is_empty() {
        // The spec's default for locales without a table entry; with no bytes it changes nothing.
        return (WINDOWS_1252, 0, EncodingSource::Default);
    }
    (sniff(bytes), 0, EncodingSource::Sniffed)
}

fn decode(bytes: &[u8], encoding: &'static Encoding, source: EncodingSource) -> Decoded {
    // Valid UTF-8 comes back borrowed, so `into_owned` is the only copy made.
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    Decoded { text: text.into_owned(), encoding, source, had_errors }
}

fn sniff(bytes: &[u8]) -> &'static Encoding {
    let first_non_ascii = Encoding::ascii_valid_up_to(bytes);
    if first_non_ascii == bytes.len() {
        // ISO-2022-JP, the one 7-bit candidate, is excluded for Web content (chardetng's advice), so ASCII
        // reads the same in every remaining encoding and UTF-8 is the honest label.
        return UTF_8;
    }
    // Pages often open with more than 64 KiB of inline script or CSS; starting near the first byte that
    // carries evidence keeps the cap useful. Every byte before it is ASCII, hence a character boundary.
    let start = first_non_ascii.saturating_sub(SNIFF_CONTEXT);
    let end = bytes.len().min(start + SNIFF_LIMIT);
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    // `last` only when the window reaches the real end, so a sequence cut by the cap is not held against UTF-8.
    detector.feed(&bytes[start..end], end == bytes.len());
    // Browsers deny UTF-8 here to keep authors from relying on it; a scanner only wants readable text.
    detector.guess(None, Utf8Detection::Allow)
}

/// The `charset` parameter of a Content-Type value, if any (case-insensitive name, quotes allowed), per the MIME sniffing/Fetch "extract a MIME type" rules, returned as the encoding it labels.
pub fn charset_from_content_type(content_type: &str) -> Option<&'static Encoding> {
    // The header's bytes, one code point each, are the spec's isomorphic decoding of them.
    Encoding::for_label(&super::mime::charset_param(content_type)?)
}

/// The WHATWG "prescan a byte stream to determine its encoding" algorithm over the first 1024 bytes.
pub fn prescan(bytes: &[u8]) -> Option<&'static Encoding> {
    let bytes = &bytes[..bytes.len().min(PRESCAN_LIMIT)];
    // BOM-less UTF-16 that opens with an XML declaration; the spec deliberately matches only `<?x`.
    if bytes.starts_with(b"<\0?\0x\0") {
        return Some(UTF_16LE);
    }
    if bytes.starts_with(b"\0<\0?\0x") {
        return Some(UTF_16BE);
    }
    match scan_for_meta(bytes) {
        Ok(encoding) => Some(encoding),
        Err(OutOfBytes) => xml_declaration_encoding(bytes),
    }
}

/// The prescan ran past the bytes it was given; the spec then aborts and tries an XML declaration.
struct OutOfBytes;

fn at(bytes: &[u8], pos: usize) -> Result<u8, OutOfBytes> {
    bytes.get(pos).copied().ok_or(OutOfBytes)
}

fn is_space(b: u8) -> bool {
    matches!(b, 0x09 | 0x0A | 0x0C | 0x0D | 0x20)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The prescan's main loop; it can only end by finding a charset or by running out of bytes.
fn scan_for_meta(bytes: &[u8]) -> Result<&'static Encoding, OutOfBytes> {
    let mut pos = 0;
    loop {
        at(bytes, pos)?;
        let rest = &bytes[pos..];
        let tag_start = |i: usize| rest.get(i).is_some_and(u8::is_ascii_alphabetic);
        if rest.starts_with(b"<!--") {
            // The dashes of `<!--` may also close it, so `<!-->` is a whole comment.
            pos += 2 + find(&rest[2..], b"-->").ok_or(OutOfBytes)? + 2;
        } else if rest.len() >= 6 && rest[..5].eq_ignore_ascii_case(b"<meta") && (is_space(rest[5]) || rest[5] == b'/')
        {
            pos += 5;
            if let Some(encoding) = meta_charset(bytes, &mut pos)? {
                return Ok(encoding);
            }
        } else if rest[0] == b'<' && (tag_start(1) || (rest.get(1) == Some(&b'/') && tag_start(2))) {
            // Skipping the tag attribute by attribute keeps a `<meta` inside a quoted value from counting.
            let name_len = rest.iter().position(|&b| is_space(b) || b == b'>');
            pos += name_len.ok_or(OutOfBytes)?;
            while get_attribute(bytes, &mut pos)?.is_some() {}
        } else if rest.starts_with(b"<!") || rest.starts_with(b"</") || rest.starts_with(b"<?") {
            pos += rest.iter().position(|&b| b == b'>').ok_or(OutOfBytes)?;
        }
        pos += 1;
    }
}

/// The attribute steps of the prescan's `<meta` branch; `pos` is at the space or slash after `<meta`.
fn meta_charset(bytes: &[u8], pos: &mut usize) -> Result<Option<&'static Encoding>, OutOfBytes> {
    let mut seen: Vec<Vec<u8>> = Vec::new();
    let mut got_pragma = false;
    let mut need_pragma = None;
    // `None` is the spec's null and `Some(None)` its failure: only null lets `content` still set a charset.
    let mut charset: Option<Option<&'static Encoding>> = None;
    while let Some(Attribute { name, value }) = get_attribute(bytes, pos)? {
        if seen.contains(&name) {
            continue;
        }
        match name.as_slice() {
            b"http-equiv" => got_pragma |= value == b"content-type",
            b"content" if charset.is_none() => {
                if let Some(encoding) = charset_from_meta_content(&value) {
                    charset = Some(Some(encoding));
                    need_pragma = Some(true);
                }
            }
            b"charset" => {
                charset = Some(Encoding::for_label(&value));
                need_pragma = Some(false);
            }
            _ => {}
        }
        seen.push(name);
    }
    let declared = match (need_pragma, charset) {
        (Some(true), _) if !got_pragma => return Ok(None),
        (Some(_), Some(Some(encoding))) => encoding,
        _ => return Ok(None),
    };
    // Bytes the prescan could read as ASCII are not UTF-16, and x-user-defined exists for binary XHR, not pages.
    Ok(Some(if declared == UTF_16BE || declared == UTF_16LE {
        UTF_8
    } else if declared == X_USER_DEFINED {
        WINDOWS_1252
    } else {
        declared
    }))
}

struct Attribute {
    name: Vec<u8>,
    value: Vec<u8>,
}

/// The spec's "get an attribute": `Ok(None)` when the tag ends at `>`.
fn get_attribute(bytes: &[u8], pos: &mut usize) -> Result<Option<Attribute>, OutOfBytes> {
    while matches!(at(bytes, *pos)?, b if is_space(b) || b == b'/') {
        *pos += 1;
    }
    if at(bytes, *pos)? == b'>' {
        return Ok(None);
    }
    let mut attr = Attribute { name: Vec::new(), value: Vec::new() };
    loop {
        match at(bytes, *pos)? {
            b'=' if !attr.name.is_empty() => break,
            b if is_space(b) => {
                while is_space(at(bytes, *pos)?) {
                    *pos += 1;
                }
                if at(bytes, *pos)? != b'=' {
                    return Ok(Some(attr));
                }
                break;
            }
            b'/' | b'>' => return Ok(Some(attr)),
            b => attr.name.push(b.to_ascii_lowercase()),
        }
        *pos += 1;
    }
    *pos += 1;
    while is_space(at(bytes, *pos)?) {
        *pos += 1;
    }
    match at(bytes, *pos)? {
        quote @ (b'"' | b'\'') => loop {
            *pos += 1;
            let b = at(bytes, *pos)?;
            if b == quote {
                *pos += 1;
                return Ok(Some(attr));
            }
            attr.value.push(b.to_ascii_lowercase());
        },
        b'>' => return Ok(Some(attr)),
        _ => {}
    }
    loop {
        let b = at(bytes, *pos)?;
        if is_space(b) || b == b'>' {
            return Ok(Some(attr));
        }
        attr.value.push(b.to_ascii_lowercase());
        *pos += 1;
    }
}

/// The spec's "algorithm for extracting a character encoding from a meta element".
fn charset_from_meta_content(content: &[u8]) -> Option<&'static Encoding> {
    let mut pos = 0;
    loop {
        pos += content[pos..].windows(7).position(|w| w.eq_ignore_ascii_case(b"charset"))? + 7;
        while content.get(pos).copied().is_some_and(is_space) {
            pos += 1;
        }
        // Not `charset=` (say `charsetfoo`): search again from the byte that broke the match.
        if content.get(pos) != Some(&b'=') {
            continue;
        }
        pos += 1;
        while content.get(pos).copied().is_some_and(is_space) {
            pos += 1;
        }
        let rest = &content[pos..];
        return match *rest.first()? {
            quote @ (b'"' | b'\'') => {
                let len = rest[1..].iter().position(|&b| b == quote)?;
                Encoding::for_label(&rest[1..1 + len])
            }
            _ => {
                let len = rest.iter().position(|&b| is_space(b) || b == b';');
                Encoding::for_label(&rest[..len.unwrap_or(rest.len())])
            }
        };
    }
}

/// The spec's "get an XML encoding", tried when the prescan finds no `<meta>`.
fn xml_declaration_encoding(bytes: &[u8]) -> Option<&'static Encoding> {
    if !bytes.starts_with(b"<?xml") {
        return None;
    }
    // The spec finds this `>` but never uses it; WebKit and Blink, whose algorithm it transcribes, stop the
    // search for `encoding` there, which keeps page text from being read as a declaration.
    let declaration = &bytes[..bytes.iter().position(|&b| b == b'>')?];
    let mut pos = find(declaration, b"encoding")? + 8;
    let skip_controls = |pos: &mut usize| {
        while declaration.get(*pos).is_some_and(|&b| b <= 0x20) {
            *pos += 1;
        }
    };
    skip_controls(&mut pos);
    if declaration.get(pos) != Some(&b'=') {
        return None;
    }
    pos += 1;
    skip_controls(&mut pos);
    let quote = *declaration.get(pos).filter(|&&b| b == b'"' || b == b'\'')?;
    let label = &declaration[pos + 1..];
    let label = &label[..label.iter().position(|&b| b == quote)?];
    if label.iter().any(|&b| b <= 0x20) {
        return None;
    }
    let encoding = Encoding::for_label(label)?;
    Some(if encoding == UTF_16BE || encoding == UTF_16LE { UTF_8 } else { encoding })
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{GBK, KOI8_R, REPLACEMENT, WINDOWS_1251};

    const FRENCH: &str = "qualifié SecNumCloud, hébergé à Paris";

    fn windows_1252(text: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = WINDOWS_1252.encode(text);
        assert!(!unmappable);
        bytes.into_owned()
    }

    fn page_with(head: &str, body: &[u8]) -> Vec<u8> {
        [format!("<!doctype html><html><head>{head}</head><body><p>").as_bytes(), body, b"</p></body></html>"].concat()
    }

    #[test]
    fn bom_beats_header_and_meta() {
        let page = [b"\xEF\xBB\xBF".as_slice(), &page_with("<meta charset=koi8-r>", "hébergé".as_bytes())].concat();
        let decoded = decode_html(&page, Some("text/html; charset=windows-1252"));
        assert_eq!((decoded.encoding, decoded.source), (UTF_8, EncodingSource::Bom));
        assert!(decoded.text.starts_with("<!doctype"), "BOM must be removed");
        assert!(decoded.text.contains("hébergé") && !decoded.had_errors);
    }

    #[test]
    fn utf16le_bom_decodes_and_is_removed() {
        let mut page = vec![0xFF, 0xFE];
        page.extend("<p>é</p>".encode_utf16().flat_map(u16::to_le_bytes));
        let decoded = decode_html(&page, Some("text/html; charset=utf-8"));
        assert_eq!(
            (decoded.encoding, decoded.source, decoded.text.as_str()),
            (UTF_16LE, EncodingSource::Bom, "<p>é</p>")
        );
    }

    #[test]
    fn header_beats_meta() {
        let page = page_with("<meta charset=utf-8>", &windows_1252(FRENCH));
        let decoded = decode_html(&page, Some("text/html; charset=ISO-8859-1"));
        assert_eq!((decoded.encoding, decoded.source), (WINDOWS_1252, EncodingSource::HttpHeader));
        assert!(decoded.text.contains(FRENCH) && !decoded.had_errors);
    }

    #[test]
    fn header_utf16_is_honoured_unlike_meta() {
        let page: Vec<u8> = "<p>ok</p>".encode_utf16().flat_map(u16::to_be_bytes).collect();
        let decoded = decode_html(&page, Some("text/html;charset=utf-16be"));
        assert_eq!((decoded.encoding, decoded.text.as_str()), (UTF_16BE, "<p>ok</p>"));
    }

    #[test]
    fn meta_charset_windows_1252_decodes_e_acute_and_euro() {
        let page = page_with(r#"<meta charset="windows-1252">"#, b"caf\xE9 10\x80");
        let decoded = decode_html(&page, None);
        assert_eq!((decoded.encoding, decoded.source), (WINDOWS_1252, EncodingSource::MetaPrescan));
        assert!(decoded.text.contains("café 10€") && !decoded.had_errors);
    }

    #[test]
    fn http_equiv_content_type_declares_charset() {
        let head = r#"<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">"#;
        let decoded = decode_html(&page_with(head, &windows_1252(FRENCH)), None);
        assert_eq!((decoded.encoding, decoded.source), (WINDOWS_1252, EncodingSource::MetaPrescan));
        assert!(decoded.text.contains(FRENCH));
    }

    #[test]
    fn content_charset_needs_the_http_equiv_pragma_in_either_order() {
        assert_eq!(prescan(br#"<meta name="x" content="text/html; charset=koi8-r">"#), None);
        assert_eq!(prescan(br#"<meta content="charset=koi8-r" http-equiv=content-type>"#), Some(KOI8_R));
        assert_eq!(prescan(br#"<meta http-equiv=refresh content="charset=koi8-r">"#), None);
    }

    #[test]
    fn meta_content_extraction_follows_the_spec_edge_cases() {
        let cases: [(&[u8], Option<&'static Encoding>); 7] = [
            (b"text/html; charset = 'koi8-r' ", Some(KOI8_R)),
            (b"text/html;CHARSET=KOI8-R;x=y", Some(KOI8_R)),
            (b"charsetx charset=koi8-r", Some(KOI8_R)),
            (b"charset=\"koi8-r", None),
            (b"charset=", None),
            (b"charset=\"\"", None),
            (b"text/html", None),
        ];
        for (content, expected) in cases {
            assert_eq!(charset_from_meta_content(content), expected, "{}", String::from_utf8_lossy(content));
        }
    }

    #[test]
    fn meta_inside_comment_is_ignored() {
        assert_eq!(prescan(b"<!-- <meta charset=koi8-r> --><p>x</p>"), None);
        assert_eq!(prescan(b"<!--><meta charset=koi8-r>"), Some(KOI8_R), "<!--> closes itself");
        assert_eq!(prescan(b"<!-- -- > <meta charset=gbk> --><meta charset=koi8-r>"), Some(KOI8_R));
    }

    #[test]
    fn meta_in_other_tags_attributes_or_markup_declarations_is_ignored() {
        assert_eq!(prescan(br#"<div title="<meta charset=koi8-r>"><meta charset=gbk>"#), Some(GBK));
        assert_eq!(prescan(br#"</p data-x='<meta charset=koi8-r>'><meta charset=gbk>"#), Some(GBK));
        assert_eq!(prescan(b"<!doctype html><?pi x?><meta charset=gbk>"), Some(GBK));
        assert_eq!(prescan(b"<metax charset=koi8-r><meta/charset=gbk>"), Some(GBK));
    }

    #[test]
    fn meta_after_1024_bytes_is_not_seen_by_prescan() {
        let mut page = b"<!doctype html><title>x</title>".to_vec();
        page.resize(1100, b' ');
        page.extend_from_slice(b"<meta charset=koi8-r>");
        page.extend_from_slice(&windows_1252(FRENCH));
        assert_eq!(prescan(&page), None);
        assert_eq!(prescan(&page[1100..]), Some(KOI8_R));
        let decoded = decode_html(&page, None);
        assert_eq!((decoded.encoding, decoded.source), (WINDOWS_1252, EncodingSource::Sniffed));
        assert!(decoded.text.contains(FRENCH));
    }

    #[test]
    fn meta_cut_off_by_the_end_of_the_bytes_does_not_count() {
        assert_eq!(prescan(b"<meta charset=koi8-r"), None);
        assert_eq!(prescan(b"<meta charset=\"koi8-r\""), None);
        assert_eq!(prescan(b"<meta charset=\"koi8-r\">"), Some(KOI8_R));
    }

    #[test]
    fn meta_declaring_utf16_becomes_utf8() {
        assert_eq!(prescan(b"<meta charset=utf-16>"), Some(UTF_8));
        assert_eq!(prescan(b"<meta charset=UTF-16BE>"), Some(UTF_8));
        let decoded = decode_html(&page_with("<meta charset=utf-16le>", "é".as_bytes()), None);
        assert_eq!((decoded.encoding, decoded.source), (UTF_8, EncodingSource::MetaPrescan));
        assert!(decoded.text.contains('é'));
    }

    #[test]
    fn meta_x_user_defined_becomes_windows_1252() {
        assert_eq!(prescan(b"<meta charset=x-user-defined>"), Some(WINDOWS_1252));
    }

    #[test]
    fn quoted_unquoted_and_uppercase_meta_attributes_are_read() {
        assert_eq!(prescan(b"<meta charset=\"koi8-r\">"), Some(KOI8_R));
        assert_eq!(prescan(b"<meta charset='koi8-r'>"), Some(KOI8_R));
        assert_eq!(prescan(b"<meta charset=koi8-r>"), Some(KOI8_R));
        assert_eq!(prescan(b"<META CHARSET=UTF-8>"), Some(UTF_8));
        assert_eq!(prescan(b"<meta\n  charset = \"koi8-r\"/>"), Some(KOI8_R));
        assert_eq!(prescan(b"<meta charset=latin1>"), Some(WINDOWS_1252));
        assert_eq!(prescan(b"<meta charset=ascii>"), Some(WINDOWS_1252));
    }

    #[test]
    fn first_occurrence_of_a_meta_attribute_wins() {
        assert_eq!(prescan(b"<meta charset=koi8-r charset=gbk>"), Some(KOI8_R));
        // A failed `charset` still blocks `content`, and the element then declares nothing.
        assert_eq!(
            prescan(br#"<meta charset=bogus http-equiv=content-type content="charset=gbk"><meta charset=koi8-r>"#),
            Some(KOI8_R)
        );
    }

    #[test]
    fn xml_declaration_is_the_prescan_fallback() {
        assert_eq!(prescan(br#"<?xml version="1.0" encoding="windows-1251"?><html>"#), Some(WINDOWS_1251));
        assert_eq!(prescan(br#"<?xml version="1.0" encoding="windows-1251"?><meta charset=koi8-r>"#), Some(KOI8_R));
        assert_eq!(prescan(br#"<?xml version="1.0"?><p>encoding="koi8-r"</p>"#), None);
        assert_eq!(prescan(b"<\0?\0x\0m\0l\0"), Some(UTF_16LE));
        assert_eq!(prescan(b"\0<\0?\0x\0m\0l"), Some(UTF_16BE));
    }

    #[test]
    fn unknown_labels_fall_through_to_the_next_step() {
        let page = page_with("<meta charset=klingon>", &windows_1252(FRENCH));
        let decoded = decode_html(&page, Some("text/html; charset=x-unknown"));
        assert_eq!((decoded.encoding, decoded.source), (WINDOWS_1252, EncodingSource::Sniffed));
        let page = page_with("<meta charset=koi8-r>", b"x");
        let decoded = decode_html(&page, Some("text/html; charset=x-unknown"));
        assert_eq!((decoded.encoding, decoded.source), (KOI8_R, EncodingSource::MetaPrescan));
    }

    #[test]
    fn replacement_labels_decode_to_a_single_replacement_character() {
        let decoded = decode_html(b"<p>anything</p>", Some("text/html; charset=iso-2022-kr"));
        assert_eq!((decoded.encoding, decoded.text.as_str(), decoded.had_errors), (REPLACEMENT, "\u{FFFD}", true));
    }

    #[test]
    fn invalid_utf8_sets_had_errors_and_yields_replacement_character() {
        let decoded = decode_html(b"<p>caf\xC3 ok \xFF</p>", Some("text/html; charset=utf-8"));
        assert!(decoded.had_errors);
        assert_eq!(decoded.text, "<p>caf\u{FFFD} ok \u{FFFD}</p>");
    }

    #[test]
    fn undeclared_windows_1252_french_is_sniffed() {
        let decoded = decode_html(&page_with("", &windows_1252(FRENCH)), None);
        assert_eq!((decoded.encoding, decoded.source), (WINDOWS_1252, EncodingSource::Sniffed));
        assert!(decoded.text.contains(FRENCH) && !decoded.had_errors);
    }

    #[test]
    fn undeclared_utf8_is_sniffed_as_utf8() {
        let decoded = decode_html(&page_with("", FRENCH.as_bytes()), None);
        assert_eq!((decoded.encoding, decoded.source), (UTF_8, EncodingSource::Sniffed));
        assert!(decoded.text.contains(FRENCH) && !decoded.had_errors);
    }

    #[test]
    fn pure_ascii_is_utf8() {
        let decoded = decode_html(b"<p>plain</p>", None);
        assert_eq!(
            (decoded.encoding, decoded.source, decoded.text.as_str()),
            (UTF_8, EncodingSource::Sniffed, "<p>plain</p>")
        );
    }

    #[test]
    fn sniffing_looks_past_a_large_ascii_prefix() {
        let mut page = b"<script>".to_vec();
        page.resize(200 * 1024, b' ');
        page.extend_from_slice(b"</script>");
        let page = page_with(std::str::from_utf8(&page).unwrap(), &windows_1252(FRENCH));
        let decoded = decode_html(&page, None);
        assert_eq!(decoded.encoding, WINDOWS_1252);
        assert!(decoded.text.contains(FRENCH));
    }

    #[test]
    fn utf8_cut_by_the_sniff_cap_is_still_utf8() {
        // The odd-length prefix puts the cap in the middle of an `é`.
        let page = format!("x{}", "é".repeat(SNIFF_LIMIT));
        assert!(!page.is_char_boundary(SNIFF_LIMIT));
        let decoded = decode_html(page.as_bytes(), None);
        assert_eq!((decoded.encoding, decoded.had_errors), (UTF_8, false));
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        // Input ending anywhere is where an off-by-one in the cursor code would index out of range.
        let alphabet = b"<>!-/?=\"' \t\\;,metaMETAcharsetcontenthttp-equivxml\0\xE9";
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize
        };
        for _ in 0..50_000 {
            let len = next() % 48;
            let input: Vec<u8> = (0..len).map(|_| alphabet[next() % alphabet.len()]).collect();
            prescan(&input);
            charset_from_content_type(&String::from_utf8_lossy(&input));
            decode_html(&input, None);
        }
    }

    #[test]
    fn empty_input_is_default() {
        let decoded = decode_html(b"", None);
        assert_eq!((decoded.source, decoded.text.as_str(), decoded.had_errors), (EncodingSource::Default, "", false));
        assert_eq!(decode_html(b"\xEF\xBB\xBF", None).source, EncodingSource::Bom);
    }
}
