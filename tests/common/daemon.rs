//! `claimwatch daemon` as a child process for the integration tests: start it with its log in a file, signal it, wait for it, poll for conditions, and speak HTTP to its listener.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A daemon process with its log file; killed when dropped.
pub struct Daemon {
    pub child: Child,
    pub log: PathBuf,
}

impl Daemon {
    pub fn start(config: &Path, log_dir: &Path) -> Daemon {
        Self::start_with(config, log_dir, &[], &[])
    }

    /// Starts it with these environment variables removed, then these set.
    pub fn start_with(config: &Path, log_dir: &Path, set: &[(&str, &str)], removed: &[&str]) -> Daemon {
        let log = log_dir.join("daemon.log");
        let file = std::fs::File::create(&log).unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_claimwatch"));
        cmd.args(["daemon", "--config", config.to_str().unwrap()])
            .env("RUST_LOG", "claimwatch=info")
            .env_remove("CLAIMWATCH_CONFIG")
            .stdout(Stdio::null())
            .stderr(file);
        for k in removed {
            cmd.env_remove(k);
        }
        for (k, v) in set {
            cmd.env(k, v);
        }
        Daemon { child: cmd.spawn().unwrap(), log }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn signal(&self, sig: i32) {
        // SAFETY: sends a signal to our own child process.
        unsafe {
            libc::kill(self.child.id() as i32, sig);
        }
    }

    /// Waits for the process to end, at most `limit`.
    pub fn wait(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `cond` until it holds, at most `limit`.
pub async fn eventually(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        if cond() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    cond()
}

/// A loopback port nobody listens on (at the time of asking).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `GET http://127.0.0.1:<port><path>`: status and body, `None` when nothing answers.
pub async fn get(port: u16, path: &str) -> Option<(u16, String)> {
    let url = format!("http://127.0.0.1:{port}{path}");
    let r = reqwest::get(&url).await.ok()?;
    let status = r.status().as_u16();
    Some((status, r.text().await.ok()?))
}

/// An answer with its headers.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Any method on `http://127.0.0.1:<port><path>`, with a bearer token if given.
pub async fn request(port: u16, method: &str, path: &str, bearer: Option<&str>) -> Option<Answer> {
    request_with(port, method, path, bearer.map(|t| format!("Bearer {t}")).as_deref()).await
}

/// Any method, with this `Authorization` header if given.
pub async fn request_with(port: u16, method: &str, path: &str, authorization: Option<&str>) -> Option<Answer> {
    let client = reqwest::Client::new();
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut r = client.request(method, format!("http://127.0.0.1:{port}{path}"));
    if let Some(a) = authorization {
        r = r.header("authorization", a);
    }
    let r = r.send().await.ok()?;
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    Some(Answer { status, headers, body: r.text().await.ok()? })
}
