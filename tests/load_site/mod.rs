//! A loopback site of many vendors, one host each (127.1.x.y), and a watcher of one child process's peak memory and open file descriptors: shared by `tests/load.rs` and `benches/load.rs`.
#![allow(dead_code)]

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, Response};

/// Every `CLAIM_EVERY`th page of a vendor says "qualifiée SecNumCloud" (the vendors hold nothing).
pub const CLAIM_EVERY: usize = 5;

/// Pages of one vendor that carry a claim.
pub fn claim_pages(pages: usize) -> usize {
    pages.div_ceil(CLAIM_EVERY)
}

/// The loopback address of vendor `v`: 127.1.0.1, 127.1.0.2… (all of 127/8 is loopback on Linux).
pub fn host_ip(v: usize) -> Ipv4Addr {
    let n = v + 1;
    Ipv4Addr::new(127, 1, (n / 250) as u8, (n % 250) as u8 + 1)
}

fn path_of(i: usize) -> String {
    if i == 0 { "/".to_string() } else { format!("/offres/{i}") }
}

/// About 15 KB of HTML for page `i` of vendor `v`: navigation, prose, links to the next pages.
fn page(v: usize, i: usize, pages: usize, filler: &str) -> String {
    let mut p = String::with_capacity(16_000);
    p.push_str("<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\">");
    p.push_str(&format!("<title>Fournisseur {v}, page {i}</title><link rel=\"stylesheet\" href=\"/s.css\">"));
    p.push_str("</head><body><header><a href=\"/\">Accueil</a></header><nav><ul>");
    // Each page links to the next five, so every page is reached by links as well as by the sitemap.
    for k in 1..=5.min(pages - 1) {
        let j = (i + k) % pages;
        p.push_str(&format!("<li><a href=\"{}\" class=\"nav-link\">Offre {j}</a></li>", path_of(j)));
    }
    p.push_str("</ul></nav><main>");
    p.push_str(&format!("<h1>Fournisseur {v} : offre {i}</h1>"));
    p.push_str(filler);
    if i.is_multiple_of(CLAIM_EVERY) {
        p.push_str("<p>Notre offre IaaS est qualifiée SecNumCloud.</p>");
    }
    p.push_str("</main><footer><p>Mentions légales</p></footer></body></html>");
    p
}

/// About 13.5 KB of ordinary French marketing markup, the bulk of every generated page.
pub fn filler() -> String {
    let sentence =
        "Nos équipes opèrent l'infrastructure en France, avec une haute disponibilité et un support réactif. ";
    let mut f = String::new();
    while f.len() < 13_500 {
        f.push_str("<div class=\"card\"><p>");
        f.push_str(&sentence.repeat(4));
        f.push_str("</p></div>");
    }
    f
}

/// The size in bytes of a page without a claim.
pub fn page_size() -> usize {
    page(0, 1, 20, &filler()).len()
}

/// The served site; it lives on its own single-threaded runtime until dropped.
pub struct Site {
    pub addrs: Vec<SocketAddr>,
    pub pages: usize,
    pub pages_served: Arc<AtomicUsize>,
    _runtime: tokio::runtime::Runtime,
}

/// Serves `vendors` hosts of `pages` pages each, with robots.txt and a sitemap per host.
pub fn start(vendors: usize, pages: usize) -> Site {
    assert!(pages >= 2);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let pages_served = Arc::new(AtomicUsize::new(0));
    let filler: Arc<str> = filler().into();
    let addrs = runtime.block_on(async {
        let mut addrs = Vec::new();
        for v in 0..vendors {
            let listener = tokio::net::TcpListener::bind((host_ip(v), 0)).await.expect("bind loopback");
            let addr = listener.local_addr().unwrap();
            addrs.push(addr);
            let served = pages_served.clone();
            let filler = filler.clone();
            let app = axum::Router::new().fallback(move |req: Request<Body>| {
                let served = served.clone();
                let filler = filler.clone();
                async move { respond(req.uri().path(), addr, v, pages, &filler, &served) }
            });
            tokio::spawn(async move {
                let _ = axum::serve(listener, app).await;
            });
        }
        addrs
    });
    Site { addrs, pages, pages_served, _runtime: runtime }
}

fn respond(path: &str, addr: SocketAddr, v: usize, pages: usize, filler: &str, served: &AtomicUsize) -> Response<Body> {
    let reply = |ct: &str, body: String| Response::builder().header("content-type", ct).body(Body::from(body)).unwrap();
    let index = if path == "/" { Some(0) } else { path.strip_prefix("/offres/").and_then(|n| n.parse().ok()) };
    match (path, index) {
        ("/robots.txt", _) => {
            reply("text/plain", format!("User-agent: *\nDisallow: /panier/\n\nSitemap: http://{addr}/sitemap.xml\n"))
        }
        ("/sitemap.xml", _) => {
            let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
            x.push_str("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
            for i in 0..pages {
                x.push_str(&format!("<url><loc>http://{addr}{}</loc></url>\n", path_of(i)));
            }
            x.push_str("</urlset>\n");
            reply("application/xml", x)
        }
        (_, Some(i)) if i < pages => {
            served.fetch_add(1, Ordering::Relaxed);
            reply("text/html; charset=utf-8", page(v, i, pages, filler))
        }
        _ => Response::builder().status(404).body(Body::from("not found")).unwrap(),
    }
}

/// Writes a config crawling every host of `site` as its own vendor; `crawl` adds `[crawl]` lines.
pub fn write_config(dir: &Path, site: &Site, crawl: &str) -> PathBuf {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut text = format!(
        "registry = \"{root}/config/registry.toml\"\npatterns = \"{root}/patterns\"\n\n[crawl]\n\
         allow_private_networks = true\nmax_depth = 10\nmax_pages = 100\ntimeout_secs = 30\nretries = 0\n{crawl}\n\n"
    );
    for (i, a) in site.addrs.iter().enumerate() {
        text.push_str(&format!(
            "[[vendor]]\nid = \"v{i}\"\nname = \"Fournisseur {i}\"\nstart_urls = [\"http://{a}/\"]\n\
             allowed_hosts = [\"{}\"]\n\n",
            a.ip()
        ));
    }
    let path = dir.join("claimwatch.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// What one child process used.
#[derive(Debug, Clone)]
pub struct Usage {
    pub wall: Duration,
    pub cpu: Duration,
    /// Peak resident memory (`ru_maxrss` from `wait4`), MB.
    pub max_rss_mb: f64,
    /// Most file descriptors open at once, polled from `/proc/<pid>/fd`.
    pub max_fds: usize,
    /// The exit code (`None` when killed by a signal).
    pub code: Option<i32>,
}

/// Runs `cmd` with stdout and stderr into files, polling its open descriptors until it exits.
pub fn run_measured(cmd: &mut Command, stdout: &Path, stderr: &Path) -> Usage {
    let started = Instant::now();
    let child = cmd
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(stdout).unwrap())
        .stderr(std::fs::File::create(stderr).unwrap())
        .spawn()
        .expect("spawn");
    let pid = child.id() as libc::pid_t;
    let running = Arc::new(AtomicBool::new(true));
    let max_fds = Arc::new(AtomicUsize::new(0));
    // A thread of its own: the main thread is blocked in wait4, which gives CPU time and peak RSS.
    let poller = {
        let (running, max_fds) = (running.clone(), max_fds.clone());
        std::thread::spawn(move || {
            let dir = format!("/proc/{pid}/fd");
            // Spawning returns once the child execs, but the kernel closes the descriptors the
            // child inherited (this process's listeners, CLOEXEC) a moment later: counting them
            // would measure this process. Sockets the child opens meanwhile stay open for seconds
            // (the idle timeout at least), so they are still counted.
            std::thread::sleep(Duration::from_millis(100));
            while running.load(Ordering::Relaxed) {
                if let Ok(entries) = std::fs::read_dir(&dir) {
                    max_fds.fetch_max(entries.count(), Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let mut status = 0;
    // SAFETY: rusage is plain data filled by the kernel; pid is our own child, waited once.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4");
    running.store(false, Ordering::Relaxed);
    poller.join().unwrap();
    // Reaped by wait4 already: dropping the handle must not wait again.
    std::mem::forget(child);
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, (t.tv_usec * 1000) as u32);
    Usage {
        wall: started.elapsed(),
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        max_rss_mb: usage.ru_maxrss as f64 / 1024.0,
        max_fds: max_fds.load(Ordering::Relaxed),
        code: libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status)),
    }
}

/// What `check --format json` said, summed over the vendors' summary records.
#[derive(Debug, Default)]
pub struct Checked {
    pub vendors: usize,
    pub pages_fetched: usize,
    /// Pages not checked (failed, skipped, needing JavaScript), with why, for the message.
    pub not_checked: Vec<String>,
    pub claims: usize,
    pub violations: usize,
}

pub fn parse_check_output(stdout: &Path) -> Checked {
    let mut c = Checked::default();
    for line in std::fs::read_to_string(stdout).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON: {line}: {e}"));
        if v["type"] != "summary" {
            continue;
        }
        let n = |k: &str| v[k].as_u64().unwrap_or(0) as usize;
        c.vendors += 1;
        c.pages_fetched += n("pages_fetched");
        c.violations += n("violations");
        c.claims += v["claims"].as_object().map_or(0, |m| m.values().filter_map(|x| x.as_u64()).sum::<u64>()) as usize;
        for nc in v["not_checked"].as_array().into_iter().flatten() {
            c.not_checked.push(format!("{} {}: {}", nc["status"], nc["url"], nc["why"]));
        }
    }
    c
}

/// Open findings in the store after the run, from `status --format json`.
pub fn open_findings(config: &Path) -> usize {
    let out = Command::new(env!("CARGO_BIN_EXE_claimwatch"))
        .args(["status", "--format", "json", "--config"])
        .arg(config)
        .output()
        .expect("claimwatch status runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("status: {e}: {}", String::from_utf8_lossy(&out.stderr)));
    v["open_findings"].as_object().map_or(0, |m| m.values().filter_map(|x| x.as_u64()).sum::<u64>()) as usize
}

/// Entries in the evidence log (one per archived page).
pub fn evidence_entries(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("evidence/evidence.log")).map_or(0, |t| t.lines().count())
}
