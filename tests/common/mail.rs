//! Helpers for tests that run `claimwatch check` with alerts: a config whose `[smtp]` points at a loopback mail server, the run itself, and reading what the server received.
#![allow(dead_code)]

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::process::Output;

use claimwatch::mailbox::Received;

use super::{Scratch, write_config};

/// Crawl settings for loopback sites: fast, no retries.
pub const CRAWL: &str = "allow_private_networks = true\nrequests_per_second = 50\nretries = 0\ntimeout_secs = 5";

/// A scratch directory and the config written in it.
pub struct World {
    pub scratch: Scratch,
    pub config: PathBuf,
}

/// `[smtp]` for a server on `smtp_port`, a French recipient of everything and an English one
/// of violations only, without resolutions.
pub fn mail_config(smtp_port: u16, extra: &str) -> String {
    format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {smtp_port}\nsecurity = \"none\"\nfrom = \"claimwatch <alerts@claimwatch.example>\"\ntimeout_secs = 5\n\n\
         [[recipient]]\nemail = \"regulateur@dgccrf.example\"\nlang = \"fr\"\n\n\
         [[recipient]]\nemail = \"compliance@buyer.example\"\nlang = \"en\"\nmin_level = \"violation\"\nresolutions = false\n{extra}\n"
    )
}

/// A scratch config with a store, an SMTP section for `smtp_port` and the given vendors.
pub fn world(smtp_port: u16, vendors: &str) -> World {
    let scratch = Scratch::new();
    let config = write_config(&scratch, CRAWL, &format!("{}\n{vendors}", mail_config(smtp_port, "")));
    World { scratch, config }
}

/// `claimwatch check --at 2026-11-28` with `extra` arguments and environment, off the async threads.
pub async fn check(config: &Path, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let mut args =
        vec!["check".to_string(), "--config".into(), config.display().to_string(), "--at".into(), "2026-11-28".into()];
    args.extend(extra.iter().map(|s| s.to_string()));
    let env: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_claimwatch"))
            .args(&args)
            .envs(env)
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

pub fn parse(m: &Received) -> mail_parser::Message<'_> {
    mail_parser::MessageParser::default().parse(&m.data).expect("a parsable message")
}

pub fn to(m: &Received) -> String {
    m.to.join(",")
}

pub fn localhost() -> IpAddr {
    IpAddr::V4(Ipv4Addr::LOCALHOST)
}
