//! Content-Type values read by Fetch's "extract a MIME type": the essence (`text/html`) and the `charset` parameter.

/// The MIME type a Content-Type value settles on (`text/html`), lower case.
pub fn essence(content_type: &str) -> Option<String> {
    let mut settled = None;
    for value in split_header_values(content_type.as_bytes()) {
        if let Some((essence, _)) = parse_mime_type(value)
            && essence != b"*/*"
        {
            settled = Some(essence);
        }
    }
    settled.map(|e| String::from_utf8_lossy(&e).into_owned())
}

/// The raw `charset` parameter of the MIME type a Content-Type value settles on.
pub fn charset_param(content_type: &str) -> Option<Vec<u8>> {
    extracted_charset(content_type.as_bytes())
}

/// Fetch's "extract a MIME type", reduced to the `charset` parameter of the MIME type it settles on.
pub(crate) fn extracted_charset(header: &[u8]) -> Option<Vec<u8>> {
    let mut essence: Option<Vec<u8>> = None;
    let mut inherited: Option<Vec<u8>> = None;
    let mut result = None;
    for value in split_header_values(header) {
        let Some((value_essence, charset)) = parse_mime_type(value) else {
            continue;
        };
        if value_essence == b"*/*" {
            continue;
        }
        if essence.as_ref() != Some(&value_essence) {
            inherited.clone_from(&charset);
            essence = Some(value_essence);
            result = charset;
        } else {
            // A repeated essence without its own charset inherits the one that introduced the essence (WPT-tested).
            result = charset.or_else(|| inherited.clone());
        }
    }
    result
}

/// Fetch's "getting, decoding, and splitting": commas inside quoted strings do not split.
fn split_header_values(input: &[u8]) -> Vec<&[u8]> {
    let mut values = Vec::new();
    let (mut start, mut pos) = (0, 0);
    loop {
        collect(input, &mut pos, |b| b != b'"' && b != b',');
        if input.get(pos) == Some(&b'"') {
            collect_quoted_string(input, &mut pos);
            if pos < input.len() {
                continue;
            }
        }
        values.push(trim(&input[start..pos], |b| b == b'\t' || b == b' '));
        pos += 1;
        if pos >= input.len() {
            return values;
        }
        start = pos;
    }
}

/// MIME Sniffing's "parse a MIME type", keeping the essence and the first valid `charset` parameter.
fn parse_mime_type(input: &[u8]) -> Option<(Vec<u8>, Option<Vec<u8>>)> {
    let input = trim(input, is_http_whitespace);
    let mut pos = 0;
    let kind = collect(input, &mut pos, |b| b != b'/');
    if kind.is_empty() || !kind.iter().all(|&b| is_token(b)) || pos >= input.len() {
        return None;
    }
    pos += 1;
    let subtype = trim_end(collect(input, &mut pos, |b| b != b';'), is_http_whitespace);
    if subtype.is_empty() || !subtype.iter().all(|&b| is_token(b)) {
        return None;
    }
    let essence = [kind, b"/", subtype].concat().to_ascii_lowercase();
    let mut charset = None;
    while pos < input.len() {
        pos += 1;
        collect(input, &mut pos, is_http_whitespace);
        let name = collect(input, &mut pos, |b| b != b';' && b != b'=');
        if pos < input.len() {
            if input[pos] == b';' {
                continue;
            }
            pos += 1;
        }
        if pos >= input.len() {
            break;
        }
        let value = if input[pos] == b'"' {
            let value = collect_quoted_string(input, &mut pos);
            collect(input, &mut pos, |b| b != b';');
            value
        } else {
            let value = trim_end(collect(input, &mut pos, |b| b != b';'), is_http_whitespace);
            if value.is_empty() {
                continue;
            }
            value.to_vec()
        };
        // Single quotes are ordinary token bytes here, so `charset='x'` names no encoding (as in WPT).
        let valid = value.iter().all(|&b| b == b'\t' || (b' '..=b'~').contains(&b) || b >= 0x80);
        if charset.is_none() && valid && name.eq_ignore_ascii_case(b"charset") {
            charset = Some(value);
        }
    }
    Some((essence, charset))
}

/// Fetch's "collect an HTTP quoted string" with backslash escapes resolved; `pos` is left after it.
fn collect_quoted_string(input: &[u8], pos: &mut usize) -> Vec<u8> {
    let mut value = Vec::new();
    *pos += 1;
    loop {
        value.extend_from_slice(collect(input, pos, |b| b != b'"' && b != b'\\'));
        let Some(&delimiter) = input.get(*pos) else {
            break;
        };
        *pos += 1;
        if delimiter == b'"' {
            break;
        }
        match input.get(*pos) {
            Some(&escaped) => {
                value.push(escaped);
                *pos += 1;
            }
            None => {
                value.push(b'\\');
                break;
            }
        }
    }
    value
}

fn collect<'a>(input: &'a [u8], pos: &mut usize, keep: impl Fn(u8) -> bool) -> &'a [u8] {
    let start = (*pos).min(input.len());
    *pos = start + input[start..].iter().take_while(|&&b| keep(b)).count();
    &input[start..*pos]
}

fn trim_end(input: &[u8], strip: impl Fn(u8) -> bool) -> &[u8] {
    &input[..input.len() - input.iter().rev().take_while(|&&b| strip(b)).count()]
}

fn trim(input: &[u8], strip: impl Fn(u8) -> bool + Copy) -> &[u8] {
    trim_end(&input[input.iter().take_while(|&&b| strip(b)).count()..], strip)
}

fn is_http_whitespace(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\r' | b' ')
}

fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{Encoding, GBK, KOI8_R, WINDOWS_1252};

    fn charset_from_content_type(content_type: &str) -> Option<&'static Encoding> {
        Encoding::for_label(&charset_param(content_type)?)
    }

    #[test]
    fn essence_is_the_lower_case_type_of_the_settled_value() {
        assert_eq!(essence("Text/HTML; charset=utf-8").as_deref(), Some("text/html"));
        assert_eq!(essence("application/xhtml+xml").as_deref(), Some("application/xhtml+xml"));
        assert_eq!(essence("text/plain, text/html").as_deref(), Some("text/html"));
        assert_eq!(essence("garbage"), None);
    }

    #[test]
    fn content_type_charset_quoting_follows_fetch() {
        assert_eq!(charset_from_content_type(r#"text/html; charset="ISO-8859-1""#), Some(WINDOWS_1252));
        assert_eq!(charset_from_content_type(r#"text/html;charset="\g\b\k"x"#), Some(GBK));
        assert_eq!(charset_from_content_type("TEXT/HTML; CHARSET=KOI8-R"), Some(KOI8_R));
        assert_eq!(charset_from_content_type("text/html;charset= gbk"), Some(GBK));
        // Single quotes are token bytes in HTTP, so the label is `'gbk'` and unknown (WPT mime-types.json).
        assert_eq!(charset_from_content_type("text/html;charset='gbk'"), None);
        assert_eq!(charset_from_content_type("text/html;charset =gbk"), None);
        assert_eq!(charset_from_content_type("text/html"), None);
        assert_eq!(charset_from_content_type("bogus;charset=gbk"), None);
    }

    #[test]
    fn content_type_with_several_values_follows_extract_a_mime_type() {
        // Combined-header vectors from WPT fetch/content-type/resources/content-types.json.
        let cases: [(&str, Option<&'static Encoding>); 7] = [
            ("text/plain;charset=gbk, text/html", None),
            ("text/plain;charset=gbk, text/html;charset=windows-1254", Some(encoding_rs::WINDOWS_1254)),
            ("text/plain;charset=gbk, text/plain", Some(GBK)),
            ("text/html;charset=gbk, text/html;x=\",text/plain", Some(GBK)),
            ("text/html;charset=gbk, text/plain, text/html", None),
            ("text/html, */*;charset=gbk", None),
            ("text/html;charset=gbk;charset=windows-1255", Some(GBK)),
        ];
        for (header, expected) in cases {
            assert_eq!(charset_from_content_type(header), expected, "{header}");
        }
    }
}
