//! Helpers shared by the integration tests: running the binary, fixture paths, scratch directories.
#![allow(dead_code)]

pub mod chromium;
pub mod crash;
pub mod daemon;
pub mod devset;
pub mod hostile;
pub mod mail;
pub mod netns;
pub mod pdf;
pub mod server;
pub mod standing;
pub mod warcgen;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The project root (where Cargo.toml is).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

pub fn page(name: &str) -> PathBuf {
    fixture("pages").join(name)
}

/// The record of the page at `path` in a vendor's report.
pub fn page_of<'a>(report: &'a claimwatch::pipeline::VendorReport, path: &str) -> &'a claimwatch::pipeline::PageRecord {
    report
        .pages
        .iter()
        .find(|p| p.url.path() == path)
        .unwrap_or_else(|| panic!("no page {path} in {:#?}", report.pages))
}

/// Runs `claimwatch` with `args` from the project root.
pub fn claimwatch(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_claimwatch"))
        .args(args)
        .current_dir(root())
        .env_remove("CLAIMWATCH_CONFIG")
        .env("NO_COLOR", "1")
        .output()
        .expect("the claimwatch binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Parses NDJSON output into its objects.
pub fn json_lines(o: &Output) -> Vec<serde_json::Value> {
    stdout(o).lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}"))).collect()
}

/// The `"type": "claim"` objects of NDJSON output.
pub fn claims(o: &Output) -> Vec<serde_json::Value> {
    json_lines(o).into_iter().filter(|v| v["type"] == "claim").collect()
}

/// Runs `scan --format json` with the test config on one fixture page.
pub fn scan_json(page_name: &str, extra: &[&str]) -> Output {
    let config = fixture("claimwatch.toml");
    let page = page(page_name);
    let mut args = vec!["scan", "--format", "json", "--config", config.to_str().unwrap()];
    args.extend_from_slice(extra);
    args.push(page.to_str().unwrap());
    claimwatch(&args)
}

/// A scratch directory removed when dropped.
pub struct Scratch(tempfile::TempDir);

impl Scratch {
    pub fn new() -> Scratch {
        Scratch(tempfile::tempdir().expect("a temporary directory"))
    }
    pub fn path(&self) -> &Path {
        self.0.path()
    }
    pub fn write(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let p = self.0.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, content).unwrap();
        p
    }
}

/// Copies the shipped pattern files into `dir`.
pub fn copy_patterns(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for entry in std::fs::read_dir(root().join("patterns")).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "toml") {
            std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
        }
    }
}

/// A configuration in a scratch directory, with the test registry and the shipped patterns,
/// a `[crawl]` section and `[[vendor]]` tables given as TOML text.
pub fn write_config(scratch: &Scratch, crawl: &str, vendors: &str) -> PathBuf {
    let text = format!(
        "registry = \"{}\"\npatterns = \"{}\"\n\n[crawl]\n{crawl}\n\n{vendors}\n",
        fixture("registry.toml").display(),
        root().join("patterns").display()
    );
    scratch.write("claimwatch.toml", text)
}

/// A `[[vendor]]` table for a test server: one start URL, the server's IP as allowed host.
pub fn vendor_toml(id: &str, start: &str, extra: &str) -> String {
    let host = url::Url::parse(start).unwrap().host_str().unwrap().to_string();
    format!(
        "[[vendor]]\nid = \"{id}\"\nname = \"{id}\"\nstart_urls = [\"{start}\"]\nallowed_hosts = [\"{host}\"]\n{extra}\n"
    )
}

/// Runs the binary off the async threads (tests that serve pages from the same runtime).
pub async fn cli(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || claimwatch(&args.iter().map(String::as_str).collect::<Vec<_>>())).await.unwrap()
}

/// The ids of the findings in the store of `config`.
pub fn finding_ids(config: &Path) -> Vec<String> {
    let out = claimwatch(&["findings", "--format", "json", "--config", config.to_str().unwrap()]);
    json_lines(&out)
        .into_iter()
        .filter(|l| l["type"] == "finding")
        .map(|l| l["id"].as_str().unwrap().to_string())
        .collect()
}
