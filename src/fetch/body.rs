//! Response bodies: read while streaming under a size cap, and content-decoded by us (gzip, deflate, br) under a second cap.
//!
//! reqwest's own decompression is off so that the bytes kept for evidence are the ones the
//! server sent; decoding here stops at the cap, so a gzip bomb costs at most the cap.

use std::io::Read;

use bytes::{Bytes, BytesMut};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("body exceeds max_body_bytes ({limit} bytes)")]
    TooLarge { limit: u64 },
    #[error("PDF exceeds max_pdf_bytes ({limit} bytes)")]
    PdfTooLarge { limit: u64 },
    #[error("decompressed body exceeds {limit} bytes")]
    DecodedTooLarge { limit: u64 },
    #[error("reading the body failed: {0}")]
    Read(String),
    #[error("timed out while reading the body")]
    TimedOut,
    #[error("unsupported content-encoding `{0}`")]
    UnsupportedEncoding(String),
    #[error("corrupt {encoding} body: {why}")]
    Corrupt { encoding: String, why: String },
    /// The document could not be read: HTML that makes too many elements to parse (see
    /// `extract::bounded`), or a PDF that is encrypted, scanned, broken or over its limits.
    #[error("{0}")]
    Unparsable(String),
}

/// Reads the whole body, failing as soon as it passes `limit` bytes (the rest is never read).
pub async fn read_capped(response: &mut reqwest::Response, limit: u64) -> Result<Bytes, BodyError> {
    if let Some(len) = response.content_length()
        && len > limit
    {
        return Err(BodyError::TooLarge { limit });
    }
    let mut body = BytesMut::new();
    let read_error =
        |e: reqwest::Error| if e.is_timeout() { BodyError::TimedOut } else { BodyError::Read(error_chain(&e)) };
    while let Some(chunk) = response.chunk().await.map_err(read_error)? {
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(BodyError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The codings of a Content-Encoding header value, in the order they were applied.
pub fn codings(content_encoding: Option<&str>) -> Vec<String> {
    content_encoding
        .unwrap_or("")
        .split(',')
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| !c.is_empty() && c != "identity")
        .collect()
}

/// Undoes the content codings (last applied first), producing at most `limit` bytes.
pub fn decode(body: &[u8], codings: &[String], limit: u64) -> Result<Vec<u8>, BodyError> {
    let mut data = body.to_vec();
    for coding in codings.iter().rev() {
        data = match coding.as_str() {
            "gzip" | "x-gzip" => read_limited(flate2::read::MultiGzDecoder::new(&data[..]), limit, coding)?,
            // "deflate" is zlib-wrapped by the spec, raw by some servers: accept both.
            "deflate" => match read_limited(flate2::read::ZlibDecoder::new(&data[..]), limit, coding) {
                Ok(d) => d,
                Err(BodyError::Corrupt { .. }) => {
                    read_limited(flate2::read::DeflateDecoder::new(&data[..]), limit, coding)?
                }
                Err(e) => return Err(e),
            },
            "br" => read_limited(brotli_decompressor::Decompressor::new(&data[..], 64 * 1024), limit, coding)?,
            other => return Err(BodyError::UnsupportedEncoding(other.to_string())),
        };
    }
    Ok(data)
}

fn read_limited(reader: impl Read, limit: u64, coding: &str) -> Result<Vec<u8>, BodyError> {
    let mut out = Vec::new();
    reader
        .take(limit + 1)
        .read_to_end(&mut out)
        .map_err(|e| BodyError::Corrupt { encoding: coding.to_string(), why: e.to_string() })?;
    if out.len() as u64 > limit {
        return Err(BodyError::DecodedTooLarge { limit });
    }
    Ok(out)
}

/// An error with its causes, which reqwest keeps in `source()` (the useful part is often there).
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let c_text = c.to_string();
        if !s.contains(&c_text) {
            s.push_str(": ");
            s.push_str(&c_text);
        }
        cause = c.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn codings_are_listed_in_application_order_without_identity() {
        assert_eq!(codings(Some("gzip, br")), vec!["gzip", "br"]);
        assert_eq!(codings(Some(" Identity ")), Vec::<String>::new());
        assert!(codings(None).is_empty());
    }

    #[test]
    fn gzip_and_deflate_and_brotli_decode() {
        let text = b"<p>qualifi\xc3\xa9 SecNumCloud</p>".repeat(20);
        assert_eq!(decode(&gzip(&text), &["gzip".into()], 1 << 20).unwrap(), text);
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(&text).unwrap();
        assert_eq!(decode(&z.finish().unwrap(), &["deflate".into()], 1 << 20).unwrap(), text);
        let mut raw = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        raw.write_all(&text).unwrap();
        assert_eq!(decode(&raw.finish().unwrap(), &["deflate".into()], 1 << 20).unwrap(), text);
        // "hello" compressed by brotli 1.1 with default settings.
        let br = [0x0b, 0x02, 0x80, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x03];
        assert_eq!(decode(&br, &["br".into()], 1 << 20).unwrap(), b"hello");
    }

    #[test]
    fn a_gzip_bomb_stops_at_the_cap() {
        let bomb = gzip(&vec![0u8; 20 * 1024 * 1024]);
        assert!(bomb.len() < 100 * 1024);
        assert_eq!(
            decode(&bomb, &["gzip".into()], 1024 * 1024),
            Err(BodyError::DecodedTooLarge { limit: 1024 * 1024 })
        );
    }

    #[test]
    fn layered_codings_are_undone_last_first() {
        let text = b"double";
        let twice = gzip(&gzip(text));
        assert_eq!(decode(&twice, &["gzip".into(), "gzip".into()], 1024).unwrap(), text);
    }

    #[test]
    fn unknown_codings_and_corrupt_bodies_are_errors() {
        assert!(matches!(decode(b"x", &["zstd".into()], 10), Err(BodyError::UnsupportedEncoding(_))));
        assert!(matches!(decode(b"not gzip", &["gzip".into()], 10), Err(BodyError::Corrupt { .. })));
    }
}
