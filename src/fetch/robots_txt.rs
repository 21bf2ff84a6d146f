//! robots.txt of each origin, fetched once per run through the same politeness, with RFC 9309's rules for redirects and errors.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;
use url::Url;

use super::{Failure, Fetcher, Rate, body, origin};
use crate::robots::Robots;

/// Google ignores whatever follows the first 500 KiB; so do we.
const ROBOTS_MAX: usize = 500 * 1024;
/// RFC 9309 §2.3.1.2: follow at least five redirects, even to other hosts.
const ROBOTS_REDIRECTS: usize = 5;

/// What robots.txt says about an origin for this run.
#[derive(Debug, Clone)]
pub enum RobotsState {
    /// Rules to follow (allow-all when the file is missing).
    Rules(Arc<Robots>),
    /// 429, 5xx or unreachable: the origin is treated as disallowed and reported as not checked.
    Unavailable(String),
}

#[derive(Default)]
pub(super) struct RobotsCache {
    cells: Mutex<HashMap<String, Arc<OnceCell<RobotsState>>>>,
}

pub(super) async fn robots_for(fetcher: &Fetcher, url: &Url, rate: Rate) -> RobotsState {
    let cell = fetcher.robots.cells.lock().expect("robots lock").entry(origin(url)).or_default().clone();
    cell.get_or_init(|| fetch(fetcher, url, rate)).await.clone()
}

async fn fetch(fetcher: &Fetcher, url: &Url, rate: Rate) -> RobotsState {
    let Ok(mut target) = url.join("/robots.txt") else {
        return RobotsState::Unavailable("no robots.txt URL".into());
    };
    for _ in 0..=ROBOTS_REDIRECTS {
        if let Some(refused) = fetcher.refuse_literal(&target) {
            return RobotsState::Unavailable(refused);
        }
        let gate = fetcher.gate(&target, rate);
        let exchange = match fetcher.request(&target, &gate, None, &super::Kind::Document).await {
            Err(failure) | Ok(Err((failure, _))) => return RobotsState::Unavailable(describe(&failure)),
            Ok(Ok(exchange)) => exchange,
        };
        match exchange.status {
            200..=299 => {
                let codings = body::codings(exchange.header("content-encoding"));
                return match body::decode(&exchange.body, &codings, (ROBOTS_MAX * 4) as u64) {
                    Ok(text) => RobotsState::Rules(Arc::new(Robots::parse_bytes(&text[..text.len().min(ROBOTS_MAX)]))),
                    Err(e) => RobotsState::Unavailable(e.to_string()),
                };
            }
            300..=399 => match exchange.header("location").and_then(|l| target.join(l.trim()).ok()) {
                Some(next) if matches!(next.scheme(), "http" | "https") => target = next,
                _ => return RobotsState::Rules(Arc::new(Robots::allow_all())),
            },
            // "Unavailable" in RFC 9309's sense: no rules, crawl freely.
            400..=499 => return RobotsState::Rules(Arc::new(Robots::allow_all())),
            status => return RobotsState::Unavailable(format!("HTTP {status}")),
        }
    }
    // Too many redirects counts as unavailable, which allows crawling (RFC 9309 §2.3.1.2).
    RobotsState::Rules(Arc::new(Robots::allow_all()))
}

fn describe(failure: &Failure) -> String {
    match failure {
        Failure::Status(s) => format!("HTTP {s}"),
        other => other.to_string(),
    }
}
