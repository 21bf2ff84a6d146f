//! Benchmark: `claimwatch check` crawling a loopback site of 50 hosts × 200 pages of about 15 KB, against the politeness ceiling, and with limits off beside `wget2 --recursive`.
//!
//! Run with `cargo bench --bench crawl_throughput`. The hosts listen on 127.0.0.10–59 (loopback
//! only). Reported: pages/s, CPU time per page and peak RSS of the crawling process (measured
//! with `wait4`), for
//! 1. claimwatch at 20 requests/s per host: ceiling 50 × 20 = 1000 pages/s, goal ≥ 90 % of it;
//! 2. claimwatch with the limits off (a rate no host can reach, 64 requests in flight);
//! 3. `wget2 --recursive` on the same site (skipped when wget2 is not installed).

use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, Response};

#[path = "../tests/load_site/mod.rs"]
mod load_site;
use load_site::filler;

const HOSTS: usize = 50;
const PAGES: usize = 200;

/// About 15 KB of HTML for page `i` of a host: navigation, prose, ten links onward.
fn page(i: usize, filler: &str) -> String {
    let mut p = String::with_capacity(16_000);
    p.push_str("<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\">");
    p.push_str(&format!("<title>Page {i}</title><link rel=\"stylesheet\" href=\"/s.css\"></head><body><nav><ul>"));
    for k in 1..=10 {
        p.push_str(&format!("<li><a href=\"/p/{}\" class=\"nav-link\">Rubrique {k}</a></li>", (i + k) % PAGES));
    }
    p.push_str("</ul></nav><main>");
    p.push_str(filler);
    if i.is_multiple_of(10) {
        p.push_str("<p>Notre offre IaaS est qualifiée SecNumCloud.</p>");
    }
    p.push_str("</main><footer><p>Mentions légales</p></footer></body></html>");
    p
}

struct Site {
    addrs: Vec<SocketAddr>,
    pages_served: Arc<AtomicUsize>,
    _runtime: tokio::runtime::Runtime,
}

fn start_site() -> Site {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let pages_served = Arc::new(AtomicUsize::new(0));
    let filler = Arc::new(filler());
    let addrs = runtime.block_on(async {
        let mut addrs = Vec::new();
        for h in 0..HOSTS {
            let ip = format!("127.0.0.{}", 10 + h);
            let listener = tokio::net::TcpListener::bind((ip.as_str(), 0)).await.expect("bind loopback");
            addrs.push(listener.local_addr().unwrap());
            let served = pages_served.clone();
            let filler = filler.clone();
            let app = axum::Router::new().fallback(move |req: Request<Body>| {
                let served = served.clone();
                let filler = filler.clone();
                async move {
                    let path = req.uri().path().to_string();
                    let html = |body: String| {
                        Response::builder()
                            .header("content-type", "text/html; charset=utf-8")
                            .body(Body::from(body))
                            .unwrap()
                    };
                    if path == "/" {
                        served.fetch_add(1, Ordering::Relaxed);
                        html(page(0, &filler))
                    } else if let Some(n) = path.strip_prefix("/p/").and_then(|n| n.parse::<usize>().ok()) {
                        served.fetch_add(1, Ordering::Relaxed);
                        html(page(n, &filler))
                    } else {
                        Response::builder().status(404).body(Body::from("not found")).unwrap()
                    }
                }
            });
            runtime_spawn(app, listener);
        }
        addrs
    });
    Site { addrs, pages_served, _runtime: runtime }
}

fn runtime_spawn(app: axum::Router, listener: tokio::net::TcpListener) {
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
}

/// Wall time, CPU time and peak RSS of one child process.
struct Usage {
    wall: Duration,
    cpu: Duration,
    max_rss_mb: f64,
    ok: bool,
}

fn run_measured(cmd: &mut Command) -> Usage {
    let started = Instant::now();
    let child = cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("spawn");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain data filled by the kernel; pid is our own child, waited once.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4");
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, (t.tv_usec * 1000) as u32);
    std::mem::forget(child);
    Usage {
        wall: started.elapsed(),
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        max_rss_mb: usage.ru_maxrss as f64 / 1024.0,
        ok: libc::WIFEXITED(status) && libc::WEXITSTATUS(status) <= 1,
    }
}

fn config(dir: &std::path::Path, addrs: &[SocketAddr], per_second: f64, concurrency: usize) -> std::path::PathBuf {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut text = format!(
        "registry = \"{root}/config/registry.toml\"\npatterns = \"{root}/patterns\"\n\n[crawl]\nallow_private_networks = true\n\
         requests_per_second = {per_second}\nburst = 1\nconcurrency = {concurrency}\nmax_pages = 1000\nmax_depth = 1000\n\
         timeout_secs = 30\nretries = 0\n\n"
    );
    for (i, a) in addrs.iter().enumerate() {
        text.push_str(&format!(
            "[[vendor]]\nid = \"h{i}\"\nname = \"Host {i}\"\nstart_urls = [\"http://{a}/\"]\nallowed_hosts = [\"{}\"]\n\n",
            a.ip()
        ));
    }
    let path = dir.join(format!("bench-{per_second}.toml"));
    std::fs::write(&path, text).unwrap();
    path
}

fn report(name: &str, pages: usize, u: &Usage, ceiling: Option<f64>) {
    let rate = pages as f64 / u.wall.as_secs_f64();
    let of_ceiling =
        ceiling.map_or(String::new(), |c| format!(" = {:.1} % of the {c:.0} pages/s ceiling", 100.0 * rate / c));
    println!(
        "{name:<34} {pages:>6} pages in {:>6.2} s: {rate:>7.1} pages/s{of_ceiling}; CPU {:.2} ms/page; peak RSS {:.1} MB{}",
        u.wall.as_secs_f64(),
        u.cpu.as_secs_f64() * 1000.0 / pages.max(1) as f64,
        u.max_rss_mb,
        if u.ok { "" } else { " (exited with an error)" }
    );
}

fn main() {
    let site = start_site();
    let dir = tempfile::tempdir().unwrap();
    let exe = env!("CARGO_BIN_EXE_claimwatch");
    println!(
        "site: {HOSTS} hosts × {PAGES} pages of {} bytes on 127.0.0.10–{}",
        page(1, &filler()).len(),
        10 + HOSTS - 1
    );

    let polite = config(dir.path(), &site.addrs, 20.0, 64);
    let before = site.pages_served.load(Ordering::Relaxed);
    let u = run_measured(Command::new(exe).args(["check", "--format", "json", "--config"]).arg(&polite));
    let pages = site.pages_served.load(Ordering::Relaxed) - before;
    report("claimwatch, 20 req/s per host", pages, &u, Some(HOSTS as f64 * 20.0));

    let unlimited = config(dir.path(), &site.addrs, 1e6, 64);
    let before = site.pages_served.load(Ordering::Relaxed);
    let u = run_measured(Command::new(exe).args(["check", "--format", "json", "--config"]).arg(&unlimited));
    let pages = site.pages_served.load(Ordering::Relaxed) - before;
    report("claimwatch, limits off", pages, &u, None);

    // The same crawl without the store commit, evidence and alerts: what the crawl itself costs.
    let before = site.pages_served.load(Ordering::Relaxed);
    let u =
        run_measured(Command::new(exe).args(["check", "--dry-run", "--format", "json", "--config"]).arg(&unlimited));
    let pages = site.pages_served.load(Ordering::Relaxed) - before;
    report("claimwatch, limits off, --dry-run", pages, &u, None);

    if Command::new("wget2").arg("--version").stdout(Stdio::null()).status().is_ok_and(|s| s.success()) {
        let out = dir.path().join("wget2");
        let before = site.pages_served.load(Ordering::Relaxed);
        let mut cmd = Command::new("wget2");
        cmd.args(["--recursive", "--level=inf", "--max-threads=64", "--delete-after", "--no-verbose", "--tries=1"])
            .arg("--directory-prefix")
            .arg(&out);
        for a in &site.addrs {
            cmd.arg(format!("http://{a}/"));
        }
        let u = run_measured(&mut cmd);
        let pages = site.pages_served.load(Ordering::Relaxed) - before;
        report("wget2 --recursive (64 threads)", pages, &u, None);
    } else {
        println!("wget2 --recursive: skipped (wget2 not installed; Debian package wget2)");
    }
}
