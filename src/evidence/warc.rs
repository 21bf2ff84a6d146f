//! WARC/1.1 (ISO 28500) files: writing request, response and revisit records as one gzip member each, reading them back, and checking their SHA-256 digests.
//!
//! The layout is the usual `.warc.gz`: every record is its own gzip member, so a record can be
//! read from its offset alone and copied out of the file as it is. Digests are `sha256:` followed
//! by lower-case hex, which independent readers (warcio) recognise by their length.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::net::IpAddr;
use std::path::Path;

use chrono::{DateTime, Utc};
use flate2::Compression;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Where one record is, and the digests it was written with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordRef {
    /// File name, relative to the evidence directory.
    pub file: String,
    /// Offset of the record's gzip member in the file.
    pub offset: u64,
    /// Compressed length of the member.
    pub length: u64,
    pub record_id: String,
    pub block_digest: String,
    pub payload_digest: Option<String>,
}

/// One HTTP fetch, as received.
pub struct Exchange<'a> {
    pub target_uri: &'a str,
    pub date: DateTime<Utc>,
    pub ip: Option<IpAddr>,
    pub method: &'a str,
    pub request_headers: &'a [(String, String)],
    /// `HTTP/1.1`, `HTTP/2.0`…
    pub http_version: &'a str,
    pub status: u16,
    pub response_headers: &'a [(String, Vec<u8>)],
    /// The body as received: still content-encoded, transfer coding removed.
    pub body: &'a [u8],
}

/// Appends records to one `.warc.gz` file that it created.
pub struct WarcWriter {
    file: File,
    name: String,
    end: u64,
    warcinfo_id: String,
    /// One deflate state for every member: a fresh encoder per record would allocate (and
    /// free) its few hundred kilobytes of state each time.
    deflate: flate2::Compress,
}

const REVISIT_PROFILE: &str = "http://netpreserve.org/warc/1.1/revisit/server-not-modified";

impl WarcWriter {
    /// Creates `path` (never overwrites an existing file) and writes its `warcinfo` record.
    pub fn create(path: &Path, software: &str, info: &[(&str, &str)]) -> io::Result<WarcWriter> {
        let mut fields = format!("software: {software}\r\nformat: WARC File Format 1.1\r\n");
        for (k, v) in info {
            check_name(k)?;
            check_value(v)?;
            fields.push_str(&format!("{k}: {v}\r\n"));
        }
        let file = OpenOptions::new().write(true).create_new(true).open(path)?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let warcinfo_id = record_id();
        let mut w = WarcWriter {
            file,
            name: name.clone(),
            end: 0,
            warcinfo_id: warcinfo_id.clone(),
            deflate: flate2::Compress::new(Compression::default(), false),
        };
        let headers = vec![
            ("WARC-Type", "warcinfo".to_string()),
            ("WARC-Record-ID", warcinfo_id),
            ("WARC-Date", warc_date(Utc::now())),
            ("WARC-Filename", name),
            ("WARC-Block-Digest", digest(fields.as_bytes())),
            ("Content-Type", "application/warc-fields".to_string()),
        ];
        w.append(&[record(&headers, fields.as_bytes())])?;
        #[cfg(unix)]
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            // The new file's directory entry must survive a crash as well as its content.
            File::open(parent)?.sync_all()?;
        }
        Ok(w)
    }

    /// The file's name (without directory).
    pub fn file_name(&self) -> &str {
        &self.name
    }

    /// Writes a `request` and a `response` record for one fetch; both or neither are written.
    pub fn write_exchange(&mut self, ex: &Exchange<'_>) -> io::Result<(RecordRef, RecordRef)> {
        let request_block = request_block(ex)?;
        let response_block = response_block(ex)?;
        let (request_id, response_id) = (record_id(), record_id());
        let date = warc_date(ex.date);
        let request_digest = digest(&request_block);
        let (response_digest, payload_digest) = (digest(&response_block), digest(ex.body));
        let mut request_headers = common_headers("request", &request_id, &date, ex, &self.warcinfo_id)?;
        request_headers.push(("WARC-Concurrent-To", response_id.clone()));
        request_headers.push(("WARC-Block-Digest", request_digest.clone()));
        request_headers.push(("Content-Type", "application/http;msgtype=request".into()));
        let mut response_headers = common_headers("response", &response_id, &date, ex, &self.warcinfo_id)?;
        response_headers.push(("WARC-Concurrent-To", request_id.clone()));
        response_headers.push(("WARC-Block-Digest", response_digest.clone()));
        response_headers.push(("WARC-Payload-Digest", payload_digest.clone()));
        response_headers.push(("Content-Type", "application/http;msgtype=response".into()));
        let places =
            self.append(&[record(&request_headers, &request_block), record(&response_headers, &response_block)])?;
        let request = self.reference(places[0], request_id, request_digest, None);
        let response = self.reference(places[1], response_id, response_digest, Some(payload_digest));
        Ok((request, response))
    }

    /// Writes a `revisit` record for a 304 answer, pointing at the earlier response that holds the content.
    pub fn write_revisit(
        &mut self,
        ex: &Exchange<'_>,
        earlier: &RecordRef,
        earlier_uri: &str,
        earlier_date: DateTime<Utc>,
    ) -> io::Result<RecordRef> {
        if ex.status != 304 {
            return Err(invalid(format!("a revisit records a 304, not a {}", ex.status)));
        }
        check_value(earlier_uri)?;
        check_value(&earlier.record_id)?;
        // The 304 has no payload: the block is its status line and headers only.
        let block = response_block(&Exchange { body: &[], ..*ex })?;
        let id = record_id();
        let block_digest = digest(&block);
        let mut headers = common_headers("revisit", &id, &warc_date(ex.date), ex, &self.warcinfo_id)?;
        headers.push(("WARC-Profile", REVISIT_PROFILE.into()));
        headers.push(("WARC-Refers-To", earlier.record_id.clone()));
        headers.push(("WARC-Refers-To-Target-URI", earlier_uri.to_string()));
        headers.push(("WARC-Refers-To-Date", warc_date(earlier_date)));
        headers.push(("WARC-Block-Digest", block_digest.clone()));
        headers.push(("Content-Type", "application/http;msgtype=response".into()));
        let places = self.append(&[record(&headers, &block)])?;
        Ok(self.reference(places[0], id, block_digest, None))
    }

    /// Writes a `conversion` record: `content` derived from the response record `source` (a
    /// page's DOM as Chromium rendered it), dated when it was made.
    pub fn write_conversion(
        &mut self,
        target_uri: &str,
        date: DateTime<Utc>,
        source: &RecordRef,
        content_type: &str,
        content: &[u8],
    ) -> io::Result<RecordRef> {
        check_value(&source.record_id)?;
        check_value(content_type)?;
        let id = record_id();
        let block_digest = digest(content);
        let origin = Exchange {
            target_uri,
            date,
            ip: None,
            method: "GET",
            request_headers: &[],
            http_version: "",
            status: 200,
            response_headers: &[],
            body: &[],
        };
        let mut headers = common_headers("conversion", &id, &warc_date(date), &origin, &self.warcinfo_id)?;
        headers.push(("WARC-Refers-To", source.record_id.clone()));
        headers.push(("WARC-Block-Digest", block_digest.clone()));
        headers.push(("Content-Type", content_type.to_string()));
        let places = self.append(&[record(&headers, content)])?;
        Ok(self.reference(places[0], id, block_digest, None))
    }

    fn reference(&self, (offset, length): (u64, u64), id: String, block: String, payload: Option<String>) -> RecordRef {
        RecordRef {
            file: self.name.clone(),
            offset,
            length,
            record_id: id,
            block_digest: block,
            payload_digest: payload,
        }
    }

    /// Compresses each record into its own member and appends them all, synced; on failure the
    /// file is cut back so that no partial record, nor a request without its response, remains.
    fn append(&mut self, records: &[Vec<u8>]) -> io::Result<Vec<(u64, u64)>> {
        let mut out = Vec::new();
        let mut places = Vec::with_capacity(records.len());
        for r in records {
            let member = gzip_member(&mut self.deflate, r)?;
            places.push((self.end + out.len() as u64, member.len() as u64));
            out.extend_from_slice(&member);
        }
        let written = self
            .file
            .seek(SeekFrom::Start(self.end))
            .and_then(|_| self.file.write_all(&out))
            .and_then(|_| self.file.sync_data());
        if let Err(e) = written {
            let _ = self.file.set_len(self.end);
            return Err(e);
        }
        self.end += out.len() as u64;
        Ok(places)
    }
}

/// `data` as one gzip member (RFC 1952): the header flate2's `GzEncoder` writes, raw deflate
/// from the reused state, then CRC-32 and length.
fn gzip_member(deflate: &mut flate2::Compress, data: &[u8]) -> io::Result<Vec<u8>> {
    deflate.reset();
    let (start_in, start_out) = (deflate.total_in(), deflate.total_out());
    let mut out = Vec::with_capacity(data.len() / 2 + 64);
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    loop {
        if out.capacity() - out.len() < 1024 {
            out.reserve(out.capacity().max(4096));
        }
        let consumed = (deflate.total_in() - start_in) as usize;
        let status = deflate
            .compress_vec(&data[consumed..], &mut out, flate2::FlushCompress::Finish)
            .map_err(io::Error::other)?;
        if status == flate2::Status::StreamEnd {
            break;
        }
    }
    debug_assert_eq!(out.len() as u64 - 10, deflate.total_out() - start_out);
    let mut crc = flate2::Crc::new();
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    Ok(out)
}

fn common_headers(
    kind: &'static str,
    id: &str,
    date: &str,
    ex: &Exchange<'_>,
    warcinfo: &str,
) -> io::Result<Vec<(&'static str, String)>> {
    check_value(ex.target_uri)?;
    let mut h = vec![
        ("WARC-Type", kind.to_string()),
        ("WARC-Record-ID", id.to_string()),
        ("WARC-Date", date.to_string()),
        ("WARC-Target-URI", ex.target_uri.to_string()),
        ("WARC-Warcinfo-ID", warcinfo.to_string()),
    ];
    if let Some(ip) = ex.ip {
        h.push(("WARC-IP-Address", ip.to_string()));
    }
    Ok(h)
}

fn record(headers: &[(&str, String)], block: &[u8]) -> Vec<u8> {
    let mut r = b"WARC/1.1\r\n".to_vec();
    for (k, v) in headers {
        r.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    r.extend_from_slice(format!("Content-Length: {}\r\n\r\n", block.len()).as_bytes());
    r.extend_from_slice(block);
    r.extend_from_slice(b"\r\n\r\n");
    r
}

fn request_block(ex: &Exchange<'_>) -> io::Result<Vec<u8>> {
    let url = url::Url::parse(ex.target_uri).map_err(|e| invalid(format!("target URI {}: {e}", ex.target_uri)))?;
    let mut target = url.path().to_string();
    if let Some(q) = url.query() {
        target.push('?');
        target.push_str(q);
    }
    check_name(ex.method)?;
    let mut b = format!("{} {target} {}\r\n", ex.method, http1_version(ex.http_version)).into_bytes();
    if !ex.request_headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        // What the client sends: no user info, no default port.
        let host = url.host_str().unwrap_or_default();
        let host = match url.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.to_string(),
        };
        b.extend_from_slice(format!("Host: {host}\r\n").as_bytes());
    }
    for (n, v) in ex.request_headers {
        check_name(n)?;
        check_value(v)?;
        b.extend_from_slice(format!("{n}: {v}\r\n").as_bytes());
    }
    b.extend_from_slice(b"\r\n");
    Ok(b)
}

fn response_block(ex: &Exchange<'_>) -> io::Result<Vec<u8>> {
    let reason = reqwest::StatusCode::from_u16(ex.status).ok().and_then(|s| s.canonical_reason()).unwrap_or("");
    let mut b = format!("{} {} {reason}\r\n", http1_version(ex.http_version), ex.status).into_bytes();
    for (n, v) in ex.response_headers {
        check_name(n)?;
        if v.iter().any(|&c| c == b'\r' || c == b'\n') {
            return Err(invalid(format!("header {n} has a line break")));
        }
        // The body is stored with its transfer coding removed; a reader that saw
        // `Transfer-Encoding: chunked` would try to de-chunk it again.
        if n.eq_ignore_ascii_case("transfer-encoding") {
            b.extend_from_slice(b"X-Crawler-");
        }
        b.extend_from_slice(n.as_bytes());
        b.extend_from_slice(b": ");
        b.extend_from_slice(v);
        b.extend_from_slice(b"\r\n");
    }
    b.extend_from_slice(b"\r\n");
    b.extend_from_slice(ex.body);
    Ok(b)
}

/// The HTTP message's version as a status or request line writes it.
fn http1_version(v: &str) -> &str {
    match v {
        "HTTP/2.0" | "HTTP/2" => "HTTP/2.0",
        "HTTP/3.0" | "HTTP/3" => "HTTP/3.0",
        "HTTP/1.0" => "HTTP/1.0",
        "HTTP/0.9" => "HTTP/0.9",
        _ => "HTTP/1.1",
    }
}

fn check_name(n: &str) -> io::Result<()> {
    if n.is_empty() || n.bytes().any(|c| c <= b' ' || c == b':' || c == 0x7f) {
        return Err(invalid(format!("invalid header name {n:?}")));
    }
    Ok(())
}

/// Refuses values that would forge extra header lines in the evidence.
fn check_value(v: &str) -> io::Result<()> {
    if v.contains(['\r', '\n']) {
        return Err(invalid(format!("header value with a line break: {v:?}")));
    }
    Ok(())
}

fn invalid(why: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, why)
}

fn digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

fn warc_date(d: DateTime<Utc>) -> String {
    // Microseconds (allowed by WARC 1.1) keep the order of captures within one second.
    d.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

fn record_id() -> String {
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!("<urn:uuid:{}-{}-{}-{}-{}>", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// One record read back.
#[derive(Debug, Clone)]
pub struct Record {
    pub headers: Vec<(String, String)>,
    pub block: Vec<u8>,
}

impl Record {
    /// A WARC header's value (names are case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn http_split(&self) -> Option<usize> {
        self.header("Content-Type").filter(|t| t.starts_with("application/http"))?;
        find(&self.block, b"\r\n\r\n").map(|i| i + 4)
    }

    /// The HTTP body of a request or response record.
    pub fn http_body(&self) -> Option<&[u8]> {
        self.http_split().map(|i| &self.block[i..])
    }

    /// The HTTP start line as `(":status-line", line)`, then each header, for display (lossy UTF-8).
    pub fn http_headers(&self) -> Option<Vec<(String, String)>> {
        let end = self.http_split()?;
        let text = String::from_utf8_lossy(&self.block[..end - 4]);
        let mut lines = text.split("\r\n");
        let mut out = vec![(":status-line".to_string(), lines.next().unwrap_or_default().to_string())];
        for l in lines {
            if let Some((n, v)) = l.split_once(':') {
                out.push((n.trim().to_string(), v.trim().to_string()));
            }
        }
        Some(out)
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Reads the record whose gzip member starts at `offset`.
pub fn read_record(path: &Path, offset: u64) -> io::Result<Record> {
    let mut f = File::open(path)?;
    f.seek(SeekFrom::Start(offset))?;
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(io::BufReader::new(f)).read_to_end(&mut raw)?;
    parse(&raw)
}

/// Reads every record of a file, with the offset of each.
pub fn read_all(path: &Path) -> io::Result<Vec<(u64, Record)>> {
    match read_until_bad(path)? {
        (_, Some((_, e))) => Err(e),
        (records, None) => Ok(records),
    }
}

/// The records read from a file (with their offsets), then where the first record that does
/// not read starts and why, if one does not.
pub type ReadUntilBad = (Vec<(u64, Record)>, Option<(u64, io::Error)>);

/// Reads the records of a file up to the first one that does not read, and says where that one
/// starts and why (a process killed in the middle of a write leaves a cut member at the end).
pub fn read_until_bad(path: &Path) -> io::Result<ReadUntilBad> {
    let data = std::fs::read(path)?;
    let mut out = Vec::new();
    let mut rest: &[u8] = &data;
    while !rest.is_empty() {
        let offset = (data.len() - rest.len()) as u64;
        let at = |e: io::Error| Some((offset, io::Error::new(e.kind(), format!("at {offset}: {e}"))));
        let mut d = flate2::bufread::GzDecoder::new(rest);
        let mut raw = Vec::new();
        if let Err(e) = d.read_to_end(&mut raw) {
            return Ok((out, at(e)));
        }
        let left = d.into_inner();
        if left.len() == rest.len() {
            return Ok((out, at(io::Error::new(io::ErrorKind::InvalidData, "not a gzip member"))));
        }
        rest = left;
        match parse(&raw) {
            Ok(r) => out.push((offset, r)),
            Err(e) => return Ok((out, at(e))),
        }
    }
    Ok((out, None))
}

fn parse(raw: &[u8]) -> io::Result<Record> {
    let bad = |why: &str| io::Error::new(io::ErrorKind::InvalidData, why.to_string());
    let head_end = find(raw, b"\r\n\r\n").ok_or_else(|| bad("no end of WARC headers"))?;
    let head = std::str::from_utf8(&raw[..head_end]).map_err(|_| bad("WARC headers are not UTF-8"))?;
    let mut lines = head.split("\r\n");
    match lines.next() {
        Some("WARC/1.1" | "WARC/1.0") => {}
        other => return Err(bad(&format!("not a WARC record (starts with {other:?})"))),
    }
    let mut headers = Vec::new();
    for l in lines {
        let (n, v) = l.split_once(':').ok_or_else(|| bad(&format!("malformed WARC header line {l:?}")))?;
        headers.push((n.trim().to_string(), v.trim().to_string()));
    }
    let len: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("Content-Length"))
        .and_then(|(_, v)| v.parse().ok())
        .ok_or_else(|| bad("no valid Content-Length"))?;
    let body = &raw[head_end + 4..];
    if body.len() != len + 4 || &body[len..] != b"\r\n\r\n" {
        return Err(bad(&format!("block is not Content-Length ({len}) bytes followed by the record end")));
    }
    Ok(Record { headers, block: body[..len].to_vec() })
}

/// Recomputes a record's digests: the block's, and a response's payload.
pub fn verify(record: &Record) -> Result<(), String> {
    let block = record.header("WARC-Block-Digest").ok_or("no WARC-Block-Digest")?;
    check_digest(block, &record.block).map_err(|why| format!("block digest {why}"))?;
    if record.header("WARC-Type") == Some("response")
        && let Some(payload) = record.header("WARC-Payload-Digest")
    {
        let body = record.http_body().ok_or("a response record without an HTTP message")?;
        check_digest(payload, body).map_err(|why| format!("payload digest {why}"))?;
    }
    Ok(())
}

fn check_digest(declared: &str, bytes: &[u8]) -> Result<(), String> {
    let hex_part = declared.strip_prefix("sha256:").ok_or_else(|| format!("{declared}: only sha256 is checked"))?;
    let actual = hex::encode(Sha256::digest(bytes));
    if hex_part.eq_ignore_ascii_case(&actual) {
        Ok(())
    } else {
        Err(format!("differs: recorded {declared}, content has sha256:{actual}"))
    }
}

#[cfg(test)]
mod tests;
