//! Benchmark: `claimwatch check` over the hostile loopback site of `tests/hostile.rs` (trickle, endless body, gzip bomb, 100,000-deep nesting, 50 MB line, 100,000 links, huge headers, sitemap bombs, 429 storms…), reporting wall time and the crawler's peak RSS.
//!
//! Run with `cargo bench --bench hostile`. The crawler runs as a child process, so its peak RSS
//! (`ru_maxrss` from `wait4`, the VmHWM of the child) leaves out the test servers, whose own
//! VmHWM is printed beside it. Loopback only (127.0.0.2–17).

#[path = "../tests/common/mod.rs"]
mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// VmHWM of this process (the hostile servers), from /proc/self/status.
fn own_vm_hwm_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(f64::NAN);
    kb / 1024.0
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let site = runtime.block_on(common::hostile::start());
    let scratch = common::Scratch::new();
    let config = common::write_config(&scratch, common::hostile::CRAWL, &site.vendors_toml());
    let exe = env!("CARGO_BIN_EXE_claimwatch");
    for round in 1..=3 {
        let started = Instant::now();
        let child = Command::new(exe)
            .args(["check", "--format", "json", "--at", "2026-11-28", "--config"])
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn claimwatch");
        let pid = child.id() as libc::pid_t;
        let mut status = 0;
        // SAFETY: rusage is plain data filled by the kernel; pid is our own child, waited once.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        assert_eq!(r, pid, "wait4");
        std::mem::forget(child);
        let wall = started.elapsed();
        let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, (t.tv_usec * 1000) as u32);
        println!(
            "hostile site, run {round}: {:.2} s wall (budget {} s), CPU {:.2} s, crawler peak RSS {:.1} MB, exit {}",
            wall.as_secs_f64(),
            common::hostile::BUDGET.as_secs(),
            (tv(usage.ru_utime) + tv(usage.ru_stime)).as_secs_f64(),
            usage.ru_maxrss as f64 / 1024.0,
            if libc::WIFEXITED(status) { libc::WEXITSTATUS(status).to_string() } else { "by signal".into() }
        );
        // Later rounds start from the first one's store: conditional GETs, findings kept.
    }
    println!("hostile servers (this process): VmHWM {:.1} MB", own_vm_hwm_mb());
    drop(site);
}
