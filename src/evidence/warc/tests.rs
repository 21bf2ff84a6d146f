//! Unit tests of the WARC writer and reader: round trips, digests, links between records, and refusals.

use super::*;

fn sample(body: &'static [u8], headers: &'static [(String, Vec<u8>)]) -> Exchange<'static> {
    Exchange {
        target_uri: "https://user:pw@cloud.example:443/offre?x=1",
        date: "2026-01-02T03:04:05Z".parse().unwrap(),
        ip: Some("127.0.0.1".parse().unwrap()),
        method: "GET",
        request_headers: &[],
        http_version: "HTTP/1.1",
        status: 200,
        response_headers: headers,
        body,
    }
}

fn headers() -> &'static [(String, Vec<u8>)] {
    Box::leak(Box::new([
        ("content-type".to_string(), b"text/html; charset=utf-8".to_vec()),
        ("transfer-encoding".to_string(), b"chunked".to_vec()),
        ("x-odd".to_string(), vec![0xe9, b'a']),
    ]))
}

#[test]
fn exchange_round_trips_with_digests_and_links() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.warc.gz");
    let mut w = WarcWriter::create(&path, "claimwatch/test", &[("run", "r1")]).unwrap();
    let (req, resp) = w.write_exchange(&sample(b"<p>qualifi\xc3\xa9 SecNumCloud</p>", headers())).unwrap();
    let all = read_all(&path).unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[0].1.header("WARC-Type"), Some("warcinfo"));
    let info_id = all[0].1.header("WARC-Record-ID").unwrap().to_string();
    // Members sit back to back and end the file.
    assert_eq!(req.offset, all[1].0);
    assert_eq!(req.offset + req.length, resp.offset);
    assert_eq!(resp.offset + resp.length, std::fs::metadata(&path).unwrap().len());
    let r = read_record(&path, resp.offset).unwrap();
    verify(&r).unwrap();
    assert_eq!(r.header("WARC-Record-ID"), Some(resp.record_id.as_str()));
    assert_eq!(r.header("WARC-Block-Digest"), Some(resp.block_digest.as_str()));
    assert_eq!(r.header("WARC-Payload-Digest"), resp.payload_digest.as_deref());
    assert_eq!(r.header("WARC-Concurrent-To"), Some(req.record_id.as_str()));
    assert_eq!(r.header("WARC-Warcinfo-ID"), Some(info_id.as_str()));
    assert_eq!(r.header("WARC-Date"), Some("2026-01-02T03:04:05.000000Z"));
    assert_eq!(r.http_body().unwrap(), "<p>qualifié SecNumCloud</p>".as_bytes());
    let h = r.http_headers().unwrap();
    assert_eq!(h[0], (":status-line".into(), "HTTP/1.1 200 OK".into()));
    assert!(h.iter().any(|(n, v)| n == "X-Crawler-transfer-encoding" && v == "chunked"));
    assert!(!h.iter().any(|(n, _)| n.eq_ignore_ascii_case("transfer-encoding")));
    // The non-UTF-8 header value is kept as raw bytes in the block.
    assert!(find(&r.block, b"x-odd: \xe9a\r\n").is_some());
    let q = read_record(&path, req.offset).unwrap();
    verify(&q).unwrap();
    assert_eq!(q.header("WARC-Concurrent-To"), Some(resp.record_id.as_str()));
    assert!(
        q.block.starts_with(b"GET /offre?x=1 HTTP/1.1\r\nHost: cloud.example\r\n"),
        "{:?}",
        String::from_utf8_lossy(&q.block)
    );
}

#[test]
fn one_member_copied_out_reads_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.warc.gz");
    let mut w = WarcWriter::create(&path, "t", &[]).unwrap();
    let (_, resp) = w.write_exchange(&sample(b"hello", &[])).unwrap();
    let data = std::fs::read(&path).unwrap();
    let alone = dir.path().join("b.warc.gz");
    std::fs::write(&alone, &data[resp.offset as usize..(resp.offset + resp.length) as usize]).unwrap();
    let records = read_all(&alone).unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].1.http_body(), Some(&b"hello"[..]));
}

#[test]
fn an_altered_body_fails_verification() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.warc.gz");
    let mut w = WarcWriter::create(&path, "t", &[]).unwrap();
    let (_, resp) = w.write_exchange(&sample(b"qualifie SecNumCloud", &[])).unwrap();
    let mut r = read_record(&path, resp.offset).unwrap();
    let n = r.block.len();
    r.block[n - 3] ^= 1;
    let why = verify(&r).unwrap_err();
    assert!(why.starts_with("block digest differs"), "{why}");
}

#[test]
fn revisit_points_at_the_earlier_response() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.warc.gz");
    let mut w = WarcWriter::create(&path, "t", &[]).unwrap();
    let (_, resp) = w.write_exchange(&sample(b"page", &[])).unwrap();
    let mut ex = sample(b"ignored", &[]);
    assert!(w.write_revisit(&ex, &resp, ex.target_uri, ex.date).is_err(), "a 200 is not a revisit");
    ex.status = 304;
    let rv = w.write_revisit(&ex, &resp, "https://cloud.example/offre", ex.date).unwrap();
    let r = read_record(&path, rv.offset).unwrap();
    verify(&r).unwrap();
    assert_eq!(r.header("WARC-Type"), Some("revisit"));
    assert_eq!(r.header("WARC-Refers-To"), Some(resp.record_id.as_str()));
    assert_eq!(r.header("WARC-Refers-To-Target-URI"), Some("https://cloud.example/offre"));
    assert_eq!(r.header("WARC-Profile"), Some(REVISIT_PROFILE));
    assert_eq!(r.http_body(), Some(&b""[..]));
}

#[test]
fn refuses_to_overwrite_and_to_forge_headers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.warc.gz");
    std::fs::write(&path, b"existing").unwrap();
    assert_eq!(WarcWriter::create(&path, "t", &[]).err().unwrap().kind(), io::ErrorKind::AlreadyExists);
    assert_eq!(std::fs::read(&path).unwrap(), b"existing");
    let path = dir.path().join("b.warc.gz");
    let mut w = WarcWriter::create(&path, "t", &[]).unwrap();
    let before = std::fs::metadata(&path).unwrap().len();
    let forged: &'static [(String, Vec<u8>)] =
        Box::leak(Box::new([("x".to_string(), b"a\r\nWARC-Type: forged".to_vec())]));
    assert_eq!(w.write_exchange(&sample(b"", forged)).unwrap_err().kind(), io::ErrorKind::InvalidInput);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), before, "nothing written");
}

#[test]
fn record_ids_are_distinct_v4_uuids() {
    let a = record_id();
    let b = record_id();
    assert_ne!(a, b);
    assert_eq!(a.len(), "<urn:uuid:>".len() + 36);
    assert_eq!(&a[24..25], "4");
}

#[test]
fn members_from_the_reused_deflate_state_are_what_a_fresh_gzip_encoder_writes() {
    use std::io::Write as _;
    let mut deflate = flate2::Compress::new(Compression::default(), false);
    // Empty, tiny, incompressible and large (many output buffers) inputs, one after another
    // through the same state.
    let noise: Vec<u8> = (0..200_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let text = "<p>Offre qualifiée SecNumCloud</p>\n".repeat(5_000);
    for data in [&b""[..], b"x", &noise, text.as_bytes(), b"WARC/1.1\r\n"] {
        let member = gzip_member(&mut deflate, data).unwrap();
        let mut fresh = flate2::write::GzEncoder::new(Vec::new(), Compression::default());
        fresh.write_all(data).unwrap();
        assert_eq!(member, fresh.finish().unwrap(), "{} bytes", data.len());
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(&member[..]).read_to_end(&mut back).unwrap();
        assert_eq!(back, data);
    }
}
