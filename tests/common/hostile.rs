//! A loopback site of hostile behaviours, one vendor per behaviour on its own 127.0.0.x address, beside one well-behaved vendor; shared by `tests/hostile.rs` and `benches/hostile.rs`.
#![allow(dead_code)]

use std::io::Write;
use std::time::Duration;

use axum::body::Body;
use bytes::Bytes;

use super::server::{TestServer, html, response};

/// The `[crawl]` section the hostile site is crawled with: a short run budget and timeout, a
/// 4 MB body cap, one retry.
pub const CRAWL: &str = "allow_private_networks = true\nrequests_per_second = 20\nretries = 1\ntimeout_secs = 3\n\
                         max_body_bytes = 4000000\nmax_pages = 30\nrun_budget_secs = 60";
pub const BUDGET: Duration = Duration::from_secs(60);

/// The running servers, by vendor id.
pub struct HostileSite {
    pub servers: Vec<(&'static str, TestServer)>,
}

impl HostileSite {
    pub fn server(&self, vendor: &str) -> &TestServer {
        &self.servers.iter().find(|(v, _)| *v == vendor).unwrap_or_else(|| panic!("no vendor {vendor}")).1
    }

    /// `[[vendor]]` tables: each starts at the page that shows its behaviour.
    pub fn vendors_toml(&self) -> String {
        let mut out = String::new();
        for (id, server) in &self.servers {
            let (start, extra) = match *id {
                "good" => ("/", ""),
                "trickle" => ("/slow", ""),
                "endless" => ("/endless", ""),
                "gzip_bomb" => ("/bomb", ""),
                "deep" => ("/deep", ""),
                "long_line" => ("/", ""),
                "bad_bytes" => ("/", ""),
                "redirect_loop" => ("/loop1", ""),
                "calendar" => ("/cal?month=0", "max_pages = 20\nmax_depth = 1000"),
                "many_links" => ("/", "max_pages = 20"),
                "huge_headers" => ("/", ""),
                "bad_robots" => ("/", ""),
                "sitemap_bomb" => ("/", ""),
                "sitemap_loop" => ("/", ""),
                "storm" => ("/", ""),
                "storm_pages" => ("/", ""),
                other => panic!("{other}"),
            };
            out.push_str(&super::vendor_toml(id, &server.url(start), extra));
        }
        out
    }
}

fn stream(chunks: impl futures_util::Stream<Item = Bytes> + Send + 'static) -> Body {
    use futures_util::StreamExt;
    Body::from_stream(chunks.map(Ok::<_, std::io::Error>))
}

const CLAIM: &str = "<p>Notre offre est qualifiée SecNumCloud.</p>";

pub async fn start() -> HostileSite {
    let mut servers = Vec::new();
    let mut ip = 1;
    let mut next = || {
        ip += 1;
        format!("127.0.0.{ip}")
    };

    // Well behaved: four pages, two claims.
    let good = TestServer::start(&next()).await;
    good.page("/", "<html><body><a href=\"/a\">a</a> <a href=\"/b\">b</a> <a href=\"/c\">c</a></body></html>");
    good.page("/a", &format!("<html><body>{CLAIM}</body></html>"));
    good.page("/b", "<html><body><p>Hébergement certifié HDS.</p></body></html>");
    good.page("/c", "<html><body><p>Nos datacenters sont en France.</p></body></html>");
    servers.push(("good", good));

    // One byte a second, forever.
    let s = TestServer::start(&next()).await;
    s.route("/slow", |_, _| {
        let body = futures_util::stream::unfold((), |()| async {
            tokio::time::sleep(Duration::from_secs(1)).await;
            Some((Bytes::from_static(b"<"), ()))
        });
        response(200, &[("content-type", "text/html")], stream(body))
    });
    servers.push(("trickle", s));

    // A body that never ends, as fast as the socket takes it.
    let s = TestServer::start(&next()).await;
    s.route("/endless", |_, _| {
        let chunk = Bytes::from(vec![b'a'; 64 * 1024]);
        response(200, &[("content-type", "text/html")], stream(futures_util::stream::repeat(chunk)))
    });
    servers.push(("endless", s));

    // 64 gzip members of 1 MiB of zeros each: 64 MiB once decompressed, about 64 KiB on the wire.
    let s = TestServer::start(&next()).await;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(&vec![0u8; 1 << 20]).unwrap();
    let bomb = Bytes::from(e.finish().unwrap().repeat(64));
    s.route("/bomb", move |_, _| {
        response(200, &[("content-type", "text/html"), ("content-encoding", "gzip")], bomb.clone())
    });
    servers.push(("gzip_bomb", s));

    // 100,000 nested elements around a claim.
    let s = TestServer::start(&next()).await;
    let deep = format!("<html><body>{}{CLAIM}{}</body></html>", "<div>".repeat(100_000), "</div>".repeat(100_000));
    s.route("/deep", move |_, _| response(200, &[("content-type", "text/html")], deep.clone()));
    servers.push(("deep", s));

    // A 50 MB line, and a 3 MB one (under the cap) that ends with a claim.
    let s = TestServer::start(&next()).await;
    s.page("/", "<html><body><a href=\"/line\">l</a> <a href=\"/line-under-cap\">u</a></body></html>");
    s.route("/line", |_, _| {
        let chunk = Bytes::from(vec![b'x'; 1 << 20]);
        response(200, &[("content-type", "text/html")], stream(futures_util::stream::repeat(chunk).take_n(50)))
    });
    let under = format!("<html><body><p>{}</p>{CLAIM}</body></html>", "x".repeat(3_000_000));
    s.route("/line-under-cap", move |_, _| response(200, &[("content-type", "text/html")], under.clone()));
    servers.push(("long_line", s));

    // Invalid UTF-8 around a claim, and binary served as HTML.
    let s = TestServer::start(&next()).await;
    s.page("/", "<html><body><a href=\"/invalid-utf8\">i</a> <a href=\"/binary\">b</a></body></html>");
    let mut invalid = b"<html><body><p>\xff\xfe\xc3\x28 ".to_vec();
    invalid.extend_from_slice("Notre offre est qualifiée SecNumCloud.".as_bytes());
    invalid.extend_from_slice(b" \xed\xa0\x80\xc0\xaf</p></body></html>");
    s.route("/invalid-utf8", move |_, _| {
        response(200, &[("content-type", "text/html; charset=utf-8")], invalid.clone())
    });
    let binary: Vec<u8> = (0..200_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    s.route("/binary", move |_, _| response(200, &[("content-type", "text/html")], binary.clone()));
    servers.push(("bad_bytes", s));

    // A redirect loop.
    let s = TestServer::start(&next()).await;
    s.route("/loop1", |_, _| response(302, &[("location", "/loop2")], ""));
    s.route("/loop2", |_, _| response(302, &[("location", "/loop1")], ""));
    servers.push(("redirect_loop", s));

    // An endless calendar: each month links to the next.
    let s = TestServer::start(&next()).await;
    s.route("/cal", |hit, _| {
        let month: u64 = hit.target.rsplit('=').next().and_then(|m| m.parse().ok()).unwrap_or(0);
        html(&format!("<p>Mois {month}</p><a href=\"/cal?month={}\">suivant</a>", month + 1))
    });
    servers.push(("calendar", s));

    // A page of 100,000 links.
    let s = TestServer::start(&next()).await;
    let links: String = (0..100_000).map(|i| format!("<a href=\"/l?n={i}\">{i}</a>\n")).collect();
    s.page("/", &format!("<html><body>{links}</body></html>"));
    s.route("/l", |hit, _| html(&format!("<p>{}</p>", hit.target)));
    servers.push(("many_links", s));

    // Response headers of 1 MB.
    let s = TestServer::start(&next()).await;
    s.route("/", |_, _| {
        let big = "v".repeat(1 << 20);
        response(200, &[("content-type", "text/html"), ("x-filler", big.as_str())], CLAIM)
    });
    servers.push(("huge_headers", s));

    // robots.txt of binary garbage, a 100 KB line and rules without colons, with one valid
    // group buried inside.
    let s = TestServer::start(&next()).await;
    s.page("/", "<html><body><a href=\"/private\">p</a> <a href=\"/public\">o</a></body></html>");
    s.page("/private", CLAIM);
    s.page("/public", CLAIM);
    let mut robots = b"\x00\xff\xfe garbage\nUser-agent\nDisallow /public\n".to_vec();
    robots.extend_from_slice(&[b'#'; 100_000]);
    robots.extend_from_slice(b"\n\xc3\x28: \x01\nUser-agent: *\nDisallow: /private\nAllow: /\x00\n:::\n");
    s.route("/robots.txt", move |_, _| response(200, &[("content-type", "text/plain")], robots.clone()));
    servers.push(("bad_robots", s));

    // A sitemap with an entity bomb (billion laughs) beside one ordinary entry.
    let s = TestServer::start(&next()).await;
    s.page("/", "<html><body><p>home</p></body></html>");
    s.page("/from-sitemap", CLAIM);
    let base = s.base();
    s.route("/robots.txt", move |_, _| response(200, &[], format!("Sitemap: {base}/bomb.xml\n")));
    let mut entities = String::from("<!ENTITY lol \"lol\">");
    for i in 1..10 {
        let prev = if i == 1 { "lol".to_string() } else { format!("lol{}", i - 1) };
        entities.push_str(&format!("<!ENTITY lol{i} \"{}\">", format!("&{prev};").repeat(10)));
    }
    let xml = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE urlset [{entities}]><urlset><url><loc>{0}/&lol9;</loc></url>\
         <url><loc>{0}/from-sitemap</loc></url></urlset>",
        s.base()
    );
    s.route("/bomb.xml", move |_, _| response(200, &[("content-type", "application/xml")], xml.clone()));
    servers.push(("sitemap_bomb", s));

    // Sitemap index A lists index B, which lists A.
    let s = TestServer::start(&next()).await;
    s.page("/", "<html><body><p>home</p></body></html>");
    let (a, b) = (s.url("/a.xml"), s.url("/b.xml"));
    let base = s.base();
    s.route("/robots.txt", move |_, _| response(200, &[], format!("Sitemap: {base}/a.xml\n")));
    let index = |to: String| format!("<sitemapindex><sitemap><loc>{to}</loc></sitemap></sitemapindex>");
    let (index_a, index_b) = (index(b), index(a));
    s.route("/a.xml", move |_, _| response(200, &[("content-type", "application/xml")], index_a.clone()));
    s.route("/b.xml", move |_, _| response(200, &[("content-type", "application/xml")], index_b.clone()));
    servers.push(("sitemap_loop", s));

    // Every request 429, asking for more patience than the run has.
    let s = TestServer::start(&next()).await;
    s.route("/robots.txt", |_, _| response(429, &[("retry-after", "100")], "slow down"));
    s.route("/", |_, _| response(429, &[("retry-after", "100")], "slow down"));
    servers.push(("storm", s));

    // robots.txt answers, every page is 429 with a short Retry-After.
    let s = TestServer::start(&next()).await;
    s.route("/", |_, _| response(429, &[("retry-after", "1")], "slow down"));
    servers.push(("storm_pages", s));

    HostileSite { servers }
}

/// `Stream::take` under a name that does not clash with `Read::take` in scope.
trait TakeN: futures_util::Stream + Sized {
    fn take_n(self, n: usize) -> futures_util::stream::Take<Self> {
        futures_util::StreamExt::take(self, n)
    }
}

impl<S: futures_util::Stream> TakeN for S {}
