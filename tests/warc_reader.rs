//! The streaming WARC reader of `scan-warc` (src/warcscan/): gzip per record, one gzip stream and
//! plain files, exact member offsets and lengths, members across buffer boundaries, broken input
//! reported and skipped, bounded blocks, HTTP responses in records, and URL sources served on
//! 127.0.0.1 that cut the connection or ask to retry later.

mod common;

use std::io::{BufReader, Read, Write};
use std::time::Duration;

use bytes::Bytes;
use claimwatch::warcscan::reader::{RawRecord, RecordError, WarcReader, decoded_body, parse_http_response};
use claimwatch::warcscan::source::{self, Source};
use common::server::{TestServer, response};

fn record(version: &str, warc_type: &str, n: usize, block: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "{version}\r\nWARC-Type: {warc_type}\r\nWARC-Target-URI: https://vendor.example/page/{n}\r\n\
         WARC-Date: 2024-03-01T10:00:00Z\r\nWARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-{n:012}>\r\n\
         Content-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
        block.len()
    )
    .into_bytes();
    r.extend_from_slice(block);
    r.extend_from_slice(b"\r\n\r\n");
    r
}

fn http_block(n: usize, size: usize) -> Vec<u8> {
    let body: String = (0..size).map(|i| char::from(b'a' + ((i * 7 + n) % 26) as u8)).collect();
    format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// Records of both versions and several types and sizes (some bigger than the read buffers).
fn records(count: usize) -> Vec<Vec<u8>> {
    (0..count)
        .map(|n| {
            let version = if n % 2 == 0 { "WARC/1.0" } else { "WARC/1.1" };
            match n % 3 {
                0 => record(version, "response", n, &http_block(n, 50 + n * 997 % 70_000)),
                1 => record(
                    version,
                    "request",
                    n,
                    format!("GET /page/{n} HTTP/1.1\r\nHost: vendor.example\r\n\r\n").as_bytes(),
                ),
                _ => record(version, "metadata", n, b"fetchTimeMs: 42\r\n"),
            }
        })
        .collect()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// One gzip member per record, and each member's (offset, length).
fn per_record(records: &[Vec<u8>]) -> (Vec<u8>, Vec<(u64, u64)>) {
    let mut file = Vec::new();
    let mut members = Vec::new();
    for r in records {
        let m = gzip(r);
        members.push((file.len() as u64, m.len() as u64));
        file.extend_from_slice(&m);
    }
    (file, members)
}

fn gunzip(member: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(member).read_to_end(&mut out).unwrap();
    out
}

/// Reads one byte per `read` call.
struct OneByte<R>(R);

impl<R: Read> Read for OneByte<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(1);
        self.0.read(&mut buf[..n])
    }
}

fn read_all<R: std::io::BufRead>(reader: WarcReader<R>) -> Vec<Result<RawRecord, RecordError>> {
    let mut out = Vec::new();
    for item in reader {
        out.push(item);
        assert!(out.len() < 10_000, "the reader does not stop");
    }
    out
}

/// The bytes a record was made of, rebuilt from what was read.
fn rebuilt(r: &RawRecord) -> Vec<u8> {
    let mut head = format!("{}\r\n", r.version);
    for (k, v) in &r.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(&r.block);
    bytes.extend_from_slice(b"\r\n\r\n");
    bytes
}

fn check_per_record(
    file: &[u8],
    records: &[Vec<u8>],
    members: &[(u64, u64)],
    got: Vec<Result<RawRecord, RecordError>>,
) {
    assert_eq!(got.len(), records.len());
    for ((item, original), &(offset, length)) in got.into_iter().zip(records).zip(members) {
        let r = item.unwrap();
        assert_eq!((r.offset, r.length), (offset, length));
        assert!(!r.oversized);
        assert_eq!(&rebuilt(&r), original);
        // What the index would say is enough to read the record again, on its own.
        assert_eq!(&gunzip(&file[offset as usize..(offset + length) as usize]), original);
    }
}

#[test]
fn gzip_per_record_gives_exact_member_offsets_and_lengths() {
    let records = records(12);
    let (file, members) = per_record(&records);
    let got = read_all(WarcReader::new(&file[..]));
    let first = got[0].as_ref().unwrap();
    assert_eq!(first.version, "WARC/1.0");
    assert_eq!(first.warc_type(), Some("response"));
    assert_eq!(first.header("warc-target-uri"), Some("https://vendor.example/page/0"));
    assert_eq!(got[1].as_ref().unwrap().version, "WARC/1.1");
    assert_eq!(got[1].as_ref().unwrap().warc_type(), Some("request"));
    check_per_record(&file, &records, &members, got);
}

#[test]
fn members_spanning_read_buffers_are_read_the_same() {
    let records = records(7);
    let (file, members) = per_record(&records);
    let got = read_all(WarcReader::new(BufReader::with_capacity(7, &file[..])));
    check_per_record(&file, &records, &members, got);
    let got = read_all(WarcReader::new(BufReader::with_capacity(1, OneByte(&file[..]))));
    check_per_record(&file, &records, &members, got);
    let got = read_all(WarcReader::new(BufReader::with_capacity(5, OneByte(&file[..]))));
    check_per_record(&file, &records, &members, got);
}

#[test]
fn plain_files_give_record_offsets_and_lengths() {
    let records = records(9);
    let file = records.concat();
    for got in [
        read_all(WarcReader::new(&file[..])),
        read_all(WarcReader::new(BufReader::with_capacity(3, OneByte(&file[..])))),
    ] {
        assert_eq!(got.len(), records.len());
        let mut offset = 0u64;
        for (item, original) in got.into_iter().zip(&records) {
            let r = item.unwrap();
            assert_eq!((r.offset, r.length), (offset, original.len() as u64));
            assert_eq!(&rebuilt(&r), original);
            offset += original.len() as u64;
        }
    }
}

#[test]
fn one_gzip_stream_holding_many_records_is_read() {
    let records = records(8);
    let file = gzip(&records.concat());
    let got = read_all(WarcReader::new(BufReader::with_capacity(11, &file[..])));
    assert_eq!(got.len(), records.len());
    let mut last_length = 0;
    for (item, original) in got.into_iter().zip(&records) {
        let r = item.unwrap();
        assert_eq!(r.offset, 0);
        assert!(r.length >= last_length && r.length <= file.len() as u64);
        last_length = r.length;
        assert_eq!(&rebuilt(&r), original);
    }
    assert_eq!(last_length, file.len() as u64, "the last record of the member covers it all");
}

#[test]
fn a_truncated_file_gives_its_whole_records_then_an_error() {
    let records = records(6);
    let (file, members) = per_record(&records);
    let (last_offset, last_length) = members[5];
    let cut = &file[..(last_offset + last_length / 2) as usize];
    let got = read_all(WarcReader::new(BufReader::with_capacity(64, cut)));
    assert_eq!(got.len(), 6);
    assert!(got[..5].iter().all(|r| r.is_ok()));
    let e = got[5].as_ref().unwrap_err();
    assert_eq!(e.offset, last_offset);
    assert!(e.to_string().contains(&format!("offset {last_offset}")), "{e}");

    let plain = records.concat();
    let cut = &plain[..plain.len() - 40];
    let got = read_all(WarcReader::new(cut));
    assert_eq!(got.len(), 6);
    assert!(got[..5].iter().all(|r| r.is_ok()));
    assert!(got[5].as_ref().unwrap_err().what.contains("cut short"), "{:?}", got[5]);
}

#[test]
fn a_corrupt_member_in_the_middle_is_reported_and_the_rest_read() {
    let records = records(7);
    let (file, members) = per_record(&records);
    // Three kinds of damage: deflate data overwritten, a gzip header broken, junk between members.
    let mut damaged = file.clone();
    let (o2, l2) = members[2];
    for b in &mut damaged[(o2 + 20) as usize..(o2 + l2 - 20) as usize] {
        *b = 0xff;
    }
    let (o4, _) = members[4];
    damaged[o4 as usize + 1] = 0x00;
    let (o6, _) = members[6];
    let mut with_junk = damaged[..o6 as usize].to_vec();
    with_junk.extend_from_slice(b"\x1f\x8b\x08 junk \x1f\x1f\x8b not a member");
    let junk_at = o6;
    let shift = with_junk.len() as u64 - o6;
    with_junk.extend_from_slice(&damaged[o6 as usize..]);

    for got in [
        read_all(WarcReader::new(&with_junk[..])),
        read_all(WarcReader::new(BufReader::with_capacity(7, &with_junk[..]))),
    ] {
        let summary: Vec<Result<u64, u64>> =
            got.iter().map(|r| r.as_ref().map(|r| r.offset).map_err(|e| e.offset)).collect();
        assert_eq!(
            summary,
            vec![
                Ok(members[0].0),
                Ok(members[1].0),
                Err(o2),
                Ok(members[3].0),
                Err(o4),
                Ok(members[5].0),
                Err(junk_at),
                Ok(o6 + shift),
            ]
        );
        let last = got[7].as_ref().unwrap();
        assert_eq!(last.length, members[6].1);
        assert_eq!(rebuilt(last), records[6]);
    }
}

#[test]
fn bad_headers_are_reported_and_skipped() {
    let good = records(3);
    let no_warc_line = b"HELLO/1.0\r\nContent-Length: 3\r\n\r\nabc\r\n\r\n".to_vec();
    let no_length = b"WARC/1.1\r\nWARC-Type: resource\r\n\r\nabc\r\n\r\n".to_vec();
    let bad_length = b"WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: 12x\r\n\r\nabc\r\n\r\n".to_vec();
    let all = [good[0].clone(), no_warc_line, good[1].clone(), no_length, bad_length, good[2].clone()];
    let (file, _) = per_record(&all);
    let got = read_all(WarcReader::new(&file[..]));
    let kinds: Vec<&str> = got
        .iter()
        .map(|r| match r {
            Ok(_) => "ok",
            Err(e) if e.what.contains("no WARC/ line") => "no warc",
            Err(e) if e.what.contains("no Content-Length") => "no length",
            Err(e) if e.what.contains("not a number") => "bad length",
            Err(_) => "other",
        })
        .collect();
    assert_eq!(kinds, ["ok", "no warc", "ok", "no length", "bad length", "ok"]);

    let plain = all.concat();
    let got = read_all(WarcReader::new(&plain[..]));
    let ok: Vec<Vec<u8>> = got.iter().filter_map(|r| r.as_ref().ok()).map(rebuilt).collect();
    assert_eq!(ok, good);
    assert!(got.iter().filter(|r| r.is_err()).count() >= 3);
}

/// A plain record whose block is `size` bytes, produced on the fly (never whole in memory).
fn huge_plain_record(size: u64) -> impl Read {
    let head = format!("WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: {size}\r\n\r\n");
    std::io::Cursor::new(head.into_bytes())
        .chain(std::io::repeat(b'x').take(size))
        .chain(std::io::Cursor::new(b"\r\n\r\n".to_vec()))
}

#[test]
fn an_oversized_block_is_capped_and_the_rest_skipped() {
    let size = 24 * 1024 * 1024;
    let after = records(1).remove(0);
    let input = huge_plain_record(size).chain(std::io::Cursor::new(after.clone()));
    let got = read_all(WarcReader::with_limits(BufReader::new(input), 4096));
    assert_eq!(got.len(), 2);
    let big = got[0].as_ref().unwrap();
    assert!(big.oversized);
    assert_eq!(big.block.len(), 4096);
    assert!(big.block.capacity() <= 8192, "the block is not buffered whole");
    assert_eq!(big.header("Content-Length"), Some(size.to_string().as_str()));
    assert_eq!(rebuilt(got[1].as_ref().unwrap()), after);

    // In gzip, with the default cap.
    let mut body = Vec::new();
    huge_plain_record(size).read_to_end(&mut body).unwrap();
    let file = [gzip(&body), gzip(&after)].concat();
    let got = read_all(WarcReader::new(&file[..]));
    let big = got[0].as_ref().unwrap();
    assert!(big.oversized);
    assert_eq!(big.block.len(), claimwatch::warcscan::reader::DEFAULT_MAX_BLOCK);
    assert_eq!(rebuilt(got[1].as_ref().unwrap()), after);
}

#[test]
fn hostile_input_ends_without_error_storms() {
    // Garbage, a gzip header with an endless file name, an empty file: all end.
    assert!(read_all(WarcReader::new(&b""[..])).is_empty());
    let got = read_all(WarcReader::new(&vec![0u8; 100_000][..]));
    assert_eq!(got.len(), 1);
    let mut endless = vec![0x1f, 0x8b, 0x08, 0x08, 0, 0, 0, 0, 0, 3];
    endless.extend(std::iter::repeat_n(b'a', 1_000_000));
    let got = read_all(WarcReader::new(&endless[..]));
    assert!(got.iter().all(|r| r.is_err()) && !got.is_empty() && got.len() < 5, "{got:?}");
}

fn gzip_response(body: &[u8], extra_headers: &str) -> Vec<u8> {
    let mut block = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n{extra_headers}\r\n").into_bytes();
    block.extend_from_slice(body);
    block
}

#[test]
fn http_responses_are_parsed_and_their_bodies_decoded() {
    let page = b"<html><p>Notre offre est qualifi\xc3\xa9e SecNumCloud.</p></html>".repeat(10);

    // Still content-encoded.
    let block = gzip_response(&gzip(&page), "Content-Encoding: gzip\r\n");
    let resp = parse_http_response(&block).unwrap();
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("content-type"), Some("text/html"));
    assert_eq!(decoded_body(&resp, 1 << 20).unwrap(), page);
    assert!(decoded_body(&resp, 100).is_err(), "the cap holds");

    // Common Crawl: encoding renamed, body stored decoded.
    let block = gzip_response(&page, "X-Crawler-Content-Encoding: gzip\r\nX-Crawler-Transfer-Encoding: chunked\r\n");
    let resp = parse_http_response(&block).unwrap();
    assert_eq!(decoded_body(&resp, 1 << 20).unwrap(), page);
    // A Content-Encoding left on a decoded body.
    let block = gzip_response(&page, "Content-Encoding: gzip\r\n");
    assert_eq!(decoded_body(&parse_http_response(&block).unwrap(), 1 << 20).unwrap(), page);

    // Chunked, then gzip inside.
    let zipped = gzip(&page);
    let (a, b) = zipped.split_at(zipped.len() / 3);
    let mut chunked = format!("{:x}\r\n", a.len()).into_bytes();
    chunked.extend_from_slice(a);
    chunked.extend_from_slice(format!("\r\n{:X};ext=1\r\n", b.len()).as_bytes());
    chunked.extend_from_slice(b);
    chunked.extend_from_slice(b"\r\n0\r\nX-Trailer: t\r\n\r\n");
    let block = gzip_response(&chunked, "Transfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n");
    assert_eq!(decoded_body(&parse_http_response(&block).unwrap(), 1 << 20).unwrap(), page);

    // Broken chunking, broken gzip.
    let block = gzip_response(&chunked[..chunked.len() / 2], "Transfer-Encoding: chunked\r\n");
    let e = decoded_body(&parse_http_response(&block).unwrap(), 1 << 20).unwrap_err();
    assert!(e.contains("chunk"), "{e}");
    let mut bad = gzip(&page);
    let mid = bad.len() / 2;
    bad[mid..mid + 10].fill(0xff);
    let block = gzip_response(&bad, "Content-Encoding: gzip\r\n");
    let e = decoded_body(&parse_http_response(&block).unwrap(), 1 << 20).unwrap_err();
    assert!(e.contains("gzip"), "{e}");

    // Not HTTP.
    assert!(parse_http_response(b"WARC/1.0\r\n\r\n").is_err());
    assert!(parse_http_response(b"HTTP/1.1 2000 OK\r\n\r\n").is_err());
    assert!(parse_http_response(b"HTTP/1.1 200 OK\r\nno end").is_err());
}

const AGENT: &str = "claimwatch-test/1.0 (+https://example.org/bot)";

fn read_url(url: String) -> (std::io::Result<Vec<u8>>, Vec<Result<RawRecord, RecordError>>) {
    let source = Source::parse(&url);
    assert!(matches!(source, Source::Url(_)));
    let mut bytes = Vec::new();
    let read = source::open(&source, AGENT).and_then(|mut r| r.read_to_end(&mut bytes)).map(|_| bytes.clone());
    let records = match source::open(&source, AGENT) {
        Ok(r) => read_all(WarcReader::new(BufReader::new(r))),
        Err(_) => Vec::new(),
    };
    (read, records)
}

fn range_start(hit: &common::server::Hit) -> Option<usize> {
    let v = hit.headers.get("range")?.to_str().ok()?;
    v.strip_prefix("bytes=")?.strip_suffix('-')?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_url_cut_half_way_is_resumed_with_range() {
    let records = records(20);
    let (file, _) = per_record(&records);
    let file = Bytes::from(file);
    let server = TestServer::start("127.0.0.1").await;
    let served = file.clone();
    server.route("/cc/part-1.warc.gz", move |hit, _| {
        let len = served.len();
        match range_start(hit) {
            // Every first request of a read: half the file, then the connection breaks.
            None => {
                let half = served.slice(..len / 2);
                let stream = futures_util::StreamExt::chain(
                    futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(half) }),
                    futures_util::stream::once(async {
                        tokio::time::sleep(Duration::from_millis(150)).await;
                        Err(std::io::Error::other("cut"))
                    }),
                );
                let mut r = response(200, &[("content-length", &len.to_string()), ("etag", "\"v1\"")], "");
                *r.body_mut() = axum::body::Body::from_stream(stream);
                r
            }
            Some(start) => {
                assert_eq!(hit.headers.get("if-range").unwrap(), "\"v1\"");
                response(
                    206,
                    &[("content-range", &format!("bytes {start}-{}/{len}", len - 1)), ("etag", "\"v1\"")],
                    served.slice(start..),
                )
            }
        }
    });
    let url = server.url("/cc/part-1.warc.gz");
    let (bytes, got) = tokio::task::spawn_blocking(move || read_url(url)).await.unwrap();
    assert!(bytes.unwrap() == file, "the bytes read are the file's");
    assert_eq!(got.len(), records.len());
    assert!(got.iter().all(|r| r.is_ok()));

    let hits = server.hits_on("/cc/part-1.warc.gz");
    assert!(hits.iter().all(|h| h.headers.get("user-agent").unwrap() == AGENT));
    let resumed: Vec<usize> = hits.iter().filter_map(range_start).collect();
    assert!(resumed.len() >= 2 && resumed.iter().all(|&s| s > 0 && s <= file.len() / 2), "{resumed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_url_answering_503_is_retried_after_retry_after() {
    let (file, _) = per_record(&records(3));
    let file = Bytes::from(file);
    let server = TestServer::start("127.0.0.1").await;
    let served = file.clone();
    server.route("/busy.warc.gz", move |_, n| {
        if n < 2 { response(503, &[("retry-after", "1")], "busy") } else { response(200, &[], served.clone()) }
    });
    server.route("/missing.warc.gz", |_, _| response(404, &[], "no"));
    let url = server.url("/busy.warc.gz");
    let source = Source::parse(&url);
    assert_eq!(source.name(), "busy.warc.gz");
    let bytes = tokio::task::spawn_blocking(move || {
        let mut bytes = Vec::new();
        source::open(&source, AGENT)?.read_to_end(&mut bytes)?;
        std::io::Result::Ok(bytes)
    })
    .await
    .unwrap()
    .unwrap();
    assert!(bytes == file);
    let hits = server.hits_on("/busy.warc.gz");
    assert_eq!(hits.len(), 3);
    for pair in hits.windows(2) {
        assert!(pair[1].at - pair[0].at >= Duration::from_millis(900), "Retry-After was honoured");
    }

    let missing = Source::parse(&server.url("/missing.warc.gz"));
    let e = tokio::task::spawn_blocking(move || source::open(&missing, AGENT).err()).await.unwrap().unwrap();
    assert!(e.to_string().contains("404"), "{e}");
}

#[test]
fn damage_inside_one_gzip_stream_or_a_member_trailer_is_reported() {
    // A bad header in the middle of a file compressed as one stream: the records after it come out.
    let good = records(4);
    let bad = b"WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: nope\r\n\r\nabc\r\n\r\n".to_vec();
    let file = gzip(&[good[0].clone(), good[1].clone(), bad, good[2].clone(), good[3].clone()].concat());
    let got = read_all(WarcReader::new(&file[..]));
    let ok: Vec<Vec<u8>> = got.iter().filter_map(|r| r.as_ref().ok()).map(rebuilt).collect();
    assert_eq!(ok, good);
    assert_eq!(got.iter().filter(|r| r.is_err()).count(), 1);

    // A CRC-32 that does not match: that record is an error, the others are read.
    let (mut file, members) = per_record(&good);
    let (o1, l1) = members[1];
    file[(o1 + l1 - 8) as usize] ^= 0x55;
    let got = read_all(WarcReader::new(&file[..]));
    let summary: Vec<Result<u64, u64>> =
        got.iter().map(|r| r.as_ref().map(|r| r.offset).map_err(|e| e.offset)).collect();
    assert_eq!(summary, vec![Ok(0), Err(o1), Ok(members[2].0), Ok(members[3].0)]);
    assert!(got[1].as_ref().unwrap_err().what.contains("CRC"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_url_that_stays_unavailable_is_given_up_with_a_clear_error() {
    let server = TestServer::start("127.0.0.1").await;
    server.route("/down.warc.gz", |_, _| response(503, &[("retry-after", "0")], "down"));
    let source = Source::parse(&server.url("/down.warc.gz"));
    let e = tokio::task::spawn_blocking(move || source::open(&source, AGENT).err()).await.unwrap().unwrap();
    assert!(e.to_string().contains("giving up") && e.to_string().contains("503"), "{e}");
    assert_eq!(server.hits_on("/down.warc.gz").len(), source::MAX_TRIES as usize);
}

#[test]
fn members_the_one_call_inflater_cannot_take_are_read_the_same() {
    // Members whole in memory are inflated in one call; a header with a file name, a member
    // decoding to more than the reader's 4 MiB buffer, and plain ones around them must read the
    // same as if every member were streamed.
    let mut records = records(4);
    records.insert(2, record("WARC/1.0", "resource", 90, &vec![b'x'; 5 << 20]));
    let mut file = Vec::new();
    let mut members = Vec::new();
    for (i, r) in records.iter().enumerate() {
        let m = if i == 1 {
            let mut e = flate2::GzBuilder::new()
                .filename("page-1.warc")
                .comment("named")
                .write(Vec::new(), flate2::Compression::default());
            e.write_all(r).unwrap();
            e.finish().unwrap()
        } else {
            gzip(r)
        };
        members.push((file.len() as u64, m.len() as u64));
        file.extend_from_slice(&m);
    }
    check_per_record(&file, &records, &members, read_all(WarcReader::new(&file[..])));
    let streamed = read_all(WarcReader::new(BufReader::with_capacity(3, &file[..])));
    check_per_record(&file, &records, &members, streamed);
}
