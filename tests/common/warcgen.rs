//! A small WARC writer for the tests: records as Common Crawl writes them (one gzip member each, or plain), HTTP responses with their headers, and the byte offset and length of each member, so that tests can check the pointers `scan-warc` prints.
#![allow(dead_code)]

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;

/// A WARC file being written, in memory.
#[derive(Default)]
pub struct WarcFile {
    pub bytes: Vec<u8>,
    /// Per record: its type, target URI, member offset and length.
    pub members: Vec<(String, String, u64, u64)>,
    pub plain: bool,
}

impl WarcFile {
    pub fn gzip() -> WarcFile {
        WarcFile::default()
    }

    pub fn plain() -> WarcFile {
        WarcFile { plain: true, ..WarcFile::default() }
    }

    /// Appends a record with these WARC headers (besides type, target, date, id and length).
    pub fn record(&mut self, kind: &str, uri: &str, extra: &[(&str, &str)], block: &[u8]) -> (u64, u64) {
        let n = self.members.len();
        let mut head = format!(
            "WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Date: 2026-10-03T12:00:00Z\r\nWARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-{n:012}>\r\n"
        );
        if !uri.is_empty() {
            head.push_str(&format!("WARC-Target-URI: {uri}\r\n"));
        }
        for (k, v) in extra {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n", block.len()));
        let mut raw = head.into_bytes();
        raw.extend_from_slice(block);
        raw.extend_from_slice(b"\r\n\r\n");
        let encoded = if self.plain {
            raw
        } else {
            let mut gz = GzEncoder::new(Vec::new(), Compression::default());
            gz.write_all(&raw).unwrap();
            gz.finish().unwrap()
        };
        let at = (self.bytes.len() as u64, encoded.len() as u64);
        self.bytes.extend_from_slice(&encoded);
        self.members.push((kind.to_string(), uri.to_string(), at.0, at.1));
        at
    }

    /// An HTTP response record for `uri`: status 200, these headers, this body.
    pub fn response(&mut self, uri: &str, headers: &[(&str, &str)], body: &[u8]) -> (u64, u64) {
        let mut block = b"HTTP/1.1 200 OK\r\n".to_vec();
        for (k, v) in headers {
            block.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
        }
        block.extend_from_slice(b"\r\n");
        block.extend_from_slice(body);
        self.record("response", uri, &[("Content-Type", "application/http; msgtype=response")], &block)
    }

    /// An HTML page served as `text/html; charset=utf-8`.
    pub fn page(&mut self, uri: &str, html: &str) -> (u64, u64) {
        self.response(uri, &[("Content-Type", "text/html; charset=utf-8")], html.as_bytes())
    }

    pub fn request(&mut self, uri: &str) -> (u64, u64) {
        self.record(
            "request",
            uri,
            &[("Content-Type", "application/http; msgtype=request")],
            format!("GET / HTTP/1.1\r\nHost: {}\r\n\r\n", url::Url::parse(uri).unwrap().host_str().unwrap()).as_bytes(),
        )
    }

    /// Raw bytes, as they are (a corrupt member, a cut record).
    pub fn raw(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
    }
}
