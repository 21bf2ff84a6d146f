//! Headless Chromium for the integration tests: found on PATH (required under CI=true, skipped otherwise when missing), run with a throwaway profile.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Headless Chromium, when installed (required in CI).
pub fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser", "google-chrome"].iter().find_map(|c| {
        Command::new(c).arg("--version").output().ok().filter(|o| o.status.success()).map(|_| PathBuf::from(c))
    });
    if found.is_none() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("Chromium is required in CI (Debian package chromium)");
        }
        eprintln!("skipped: Chromium not installed (apt-get install chromium)");
    }
    found
}

/// Runs Chromium headless with the profile at `profile` and `args`.
pub fn headless(chromium: &Path, profile: &Path, args: &[&str]) -> std::process::Output {
    Command::new(chromium)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"])
        .args(["--disable-background-networking", "--disable-component-update", "--disable-sync"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .unwrap()
}
