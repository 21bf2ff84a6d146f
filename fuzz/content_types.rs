//! The Content-Types the `extract` fuzz target chooses from (by its input's first byte), shared with the regression tests that replay its inputs.

/// The declared charset decides decoding before any sniffing, so each of these drives a
/// different path of `charset::decode_html`.
pub const CONTENT_TYPES: &[Option<&str>] = &[
    None,
    Some("text/html; charset=utf-8"),
    Some("text/html; charset=windows-1252"),
    Some("text/plain"),
    Some("application/xhtml+xml"),
    Some("text/html; charset=shift_jis"),
    Some("text/html; charset=utf-16le"),
    Some("text/html; charset=\"iso-8859-15\"; q=1"),
    Some("text/html; charset=x-user-defined"),
    Some("text/html; charset=replacement"),
    Some("text/html;;charset=;\u{0}"),
    Some("garbage"),
];

/// Splits an `extract` input into the Content-Type its first byte selects and the body.
pub fn split(data: &[u8]) -> Option<(Option<&'static str>, &[u8])> {
    let (&selector, body) = data.split_first()?;
    Some((CONTENT_TYPES[usize::from(selector) % CONTENT_TYPES.len()], body))
}
