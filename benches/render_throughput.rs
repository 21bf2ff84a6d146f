//! Benchmark: `claimwatch check` rendering a loopback single-page app in headless Chromium, at 1 and 2 tabs: pages per second, and the peak memory of claimwatch and its browser together.
//!
//! Run with `cargo bench --bench render_throughput` (needs Chromium: Debian package chromium).
//! The site listens on 127.0.0.1 only. Each of its 60 pages is an empty shell whose script
//! fetches the page's text from a JSON API and writes it with links to the next pages, as
//! client-side apps do; one page in ten carries a claim. The crawl's limits are off (a rate no
//! host reaches), so the browser is what is measured. Memory is sampled every 20 ms over
//! claimwatch and all its descendants: the sum of their RSS (which counts pages the browser's
//! processes share once per process) and the sum of their PSS (which splits shared pages
//! between them: the better estimate of what the machine needs).

use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, Response};

const PAGES: usize = 60;

const SHELL: &str = "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Nuvexa</title>\
                     <script src=\"/app.js\" defer></script></head><body><div id=\"app\"></div>\
                     <noscript>Activez JavaScript pour utiliser ce site.</noscript></body></html>";

/// The app: fetch the page's data, write its text and its links.
const APP: &str = "fetch('/api' + location.pathname + '.json').then(r => r.json()).then(d => {\
  const app = document.getElementById('app');\
  app.innerHTML = '<h1>' + d.title + '</h1>' + d.paragraphs.map(p => '<p>' + p + '</p>').join('') +\
    '<ul>' + d.links.map(l => '<li><a href=\"' + l + '\">' + l + '</a></li>').join('') + '</ul>';\
});";

fn data(i: usize) -> String {
    let mut paragraphs: Vec<String> = (0..12)
        .map(|k| {
            format!(
                "Rubrique {k} de la page {i} : hébergement, sauvegarde et supervision de vos applications, \
                 avec un support joignable en semaine et une facturation à l'usage."
            )
        })
        .collect();
    if i.is_multiple_of(10) {
        paragraphs.push("Notre offre IaaS est qualifiée SecNumCloud.".into());
    }
    let links: Vec<String> = (1..=3).map(|k| format!("/p/{}", (i + k) % PAGES)).collect();
    serde_json::json!({ "title": format!("Page {i}"), "paragraphs": paragraphs, "links": links }).to_string()
}

struct Site {
    addr: SocketAddr,
    shells_served: Arc<AtomicUsize>,
    _runtime: tokio::runtime::Runtime,
}

fn start_site() -> Site {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let shells_served = Arc::new(AtomicUsize::new(0));
    let served = shells_served.clone();
    let addr = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.expect("bind loopback");
        let addr = listener.local_addr().unwrap();
        let app = axum::Router::new().fallback(move |req: Request<Body>| {
            let served = served.clone();
            async move {
                let path = req.uri().path().to_string();
                let reply = |ct: &str, body: String| {
                    Response::builder().header("content-type", ct).body(Body::from(body)).unwrap()
                };
                if path == "/" || path.starts_with("/p/") {
                    served.fetch_add(1, Ordering::Relaxed);
                    reply("text/html; charset=utf-8", SHELL.to_string())
                } else if path == "/app.js" {
                    reply("text/javascript", APP.to_string())
                } else if let Some(n) = path.strip_prefix("/api/p/").and_then(|n| n.strip_suffix(".json")) {
                    reply("application/json", data(n.parse().unwrap_or(0)))
                } else if path == "/api/.json" {
                    reply("application/json", data(0))
                } else {
                    Response::builder().status(404).body(Body::from("not found")).unwrap()
                }
            }
        });
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        addr
    });
    Site { addr, shells_served, _runtime: runtime }
}

fn config(dir: &std::path::Path, addr: SocketAddr, tabs: usize) -> std::path::PathBuf {
    let root = env!("CARGO_MANIFEST_DIR");
    let text = format!(
        "registry = \"{root}/config/registry.toml\"\npatterns = \"{root}/patterns\"\n\n[crawl]\nallow_private_networks = true\n\
         requests_per_second = 1000000\nburst = 1\nconcurrency = 64\nmax_pages = {PAGES}\nmax_depth = 1000\nretries = 0\n\n\
         [render]\nenabled = true\nconcurrency = {tabs}\npage_timeout_secs = 60\nsubresource_requests_per_second = 1000000\n\n\
         [store]\npath = \"{dir}/store-{tabs}\"\n\n[evidence]\ndir = \"{dir}/evidence-{tabs}\"\n\n\
         [[vendor]]\nid = \"nuvexa\"\nname = \"Nuvexa\"\nstart_urls = [\"http://{addr}/\"]\nallowed_hosts = [\"{}\"]\n",
        addr.ip(),
        dir = dir.display()
    );
    let path = dir.join(format!("bench-{tabs}.toml"));
    std::fs::write(&path, text).unwrap();
    path
}

/// The process `root` and all its descendants, from /proc.
fn tree(root: u32) -> Vec<u32> {
    let mut parent_of: Vec<(u32, u32)> = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        // The parent is the second field after the command name, which may hold spaces.
        let Some(after) = stat.rfind(')').map(|i| &stat[i + 2..]) else { continue };
        if let Some(ppid) = after.split(' ').nth(1).and_then(|p| p.parse().ok()) {
            parent_of.push((pid, ppid));
        }
    }
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let p = out[i];
        out.extend(parent_of.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        i += 1;
    }
    out
}

/// kB of a field of /proc/PID/smaps_rollup (`Rss:`, `Pss:`).
fn rollup(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|t| t.lines().find(|l| l.starts_with(field)).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

struct Measured {
    wall: Duration,
    peak_rss_mb: f64,
    peak_pss_mb: f64,
    processes: usize,
    ok: bool,
}

fn run_sampled(cmd: &mut Command) -> Measured {
    let started = Instant::now();
    let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("spawn claimwatch");
    let (mut rss, mut pss, mut processes) = (0u64, 0u64, 0usize);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        let pids = tree(child.id());
        processes = processes.max(pids.len());
        rss = rss.max(pids.iter().map(|p| rollup(*p, "Rss:")).sum());
        pss = pss.max(pids.iter().map(|p| rollup(*p, "Pss:")).sum());
        std::thread::sleep(Duration::from_millis(20));
    };
    Measured {
        wall: started.elapsed(),
        peak_rss_mb: rss as f64 / 1024.0,
        peak_pss_mb: pss as f64 / 1024.0,
        processes,
        ok: status.code().is_some_and(|c| c <= 1),
    }
}

fn main() {
    if !Command::new("chromium").arg("--version").stdout(Stdio::null()).status().is_ok_and(|s| s.success()) {
        println!("render_throughput: skipped (Chromium not installed; Debian package chromium)");
        return;
    }
    let site = start_site();
    let dir = tempfile::tempdir().unwrap();
    let exe = env!("CARGO_BIN_EXE_claimwatch");
    println!("site: {PAGES} application shells on {}, each filled from a JSON API by one script", site.addr);
    for tabs in [1, 2] {
        let config = config(dir.path(), site.addr, tabs);
        let before = site.shells_served.load(Ordering::Relaxed);
        let m = run_sampled(Command::new(exe).args(["check", "--format", "json", "--config"]).arg(&config));
        let pages = site.shells_served.load(Ordering::Relaxed) - before;
        println!(
            "{tabs} tab{}: {pages} pages rendered in {:.2} s: {:.2} pages/s; peak memory of claimwatch + Chromium \
             ({} processes): PSS {:.0} MB, RSS summed {:.0} MB{}",
            if tabs == 1 { "" } else { "s" },
            m.wall.as_secs_f64(),
            pages as f64 / m.wall.as_secs_f64(),
            m.processes,
            m.peak_pss_mb,
            m.peak_rss_mb,
            if m.ok { "" } else { " (exited with an error)" }
        );
    }
}
