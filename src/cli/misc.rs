//! The small commands: `robots`, `validate`, `patterns test`.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use url::Url;

use super::{exit, fetcher, is_url, load};
use claimwatch::config::{self, CrawlSettings};
use claimwatch::fetch::{Rate, RobotsState};
use claimwatch::gazetteer::Gazetteer;
use claimwatch::patterns;
use claimwatch::robots::Robots;

pub async fn robots(config: &Path, agent: Option<String>, robots: &str, urls: &[String]) -> Result<u8> {
    // The config is optional here: without one, the defaults (and the default user agent) apply.
    let settings = if config.exists() { load(config)?.config.crawl } else { CrawlSettings::default() };
    let agent = agent.unwrap_or_else(|| settings.user_agent.clone());
    let rules = if is_url(robots) {
        let site = Url::parse(robots).context("not a URL")?;
        let rate = Rate { per_second: settings.requests_per_second, burst: settings.burst };
        match fetcher(&settings)?.robots(&site, rate).await {
            RobotsState::Rules(r) => r,
            RobotsState::Unavailable(why) => {
                eprintln!(
                    "robots.txt of {} is unavailable ({why}): the crawler treats the host as disallowed",
                    site.origin().ascii_serialization()
                );
                Arc::new(Robots::disallow_all())
            }
        }
    } else {
        let bytes = std::fs::read(robots).with_context(|| format!("cannot read {robots}"))?;
        Arc::new(Robots::parse_bytes(&bytes))
    };
    let mut out = std::io::stdout().lock();
    for u in urls {
        let verdict = if rules.is_allowed(&agent, u) { "allowed" } else { "disallowed" };
        writeln!(out, "{verdict} {u}")?;
    }
    Ok(exit::OK)
}

pub async fn validate(config: &Path) -> Result<u8> {
    match config::load(config) {
        Ok(setup) => {
            let render = &setup.config.render;
            let renders = render.enabled && setup.config.vendors.iter().any(|v| v.render != config::RenderMode::Never);
            // A config that renders is only good if its browser starts: try it now, not at 3 a.m.
            let browser = if renders {
                match claimwatch::render::Renderer::probe(render).await {
                    Ok(product) => Some(product),
                    Err(e) => {
                        eprintln!("{}: [render] is enabled, but {e}", config.display());
                        eprintln!("1 problem found");
                        return Ok(exit::ERROR);
                    }
                }
            } else {
                None
            };
            println!(
                "{}: ok — {} vendor{}, {} label{} ({}), registry {} as of {} with {} entr{} for {}, {} organisation{} in the gazetteer, reading version {}",
                config.display(),
                setup.config.vendors.len(),
                if setup.config.vendors.len() == 1 { "" } else { "s" },
                setup.patterns.labels.len(),
                if setup.patterns.labels.len() == 1 { "" } else { "s" },
                setup.patterns.labels.iter().map(|l| l.id.as_str()).collect::<Vec<_>>().join(", "),
                setup.registry.path.display(),
                setup.registry.as_of,
                setup.registry.qualifications.len(),
                if setup.registry.qualifications.len() == 1 { "y" } else { "ies" },
                setup.registry.schemes.join(", "),
                setup.gazetteer.organisations.len(),
                if setup.gazetteer.organisations.len() == 1 { "" } else { "s" },
                setup.reading_version()
            );
            if let Some(product) = browser {
                println!("rendering: {product}, {} tab(s)", render.concurrency);
            }
            // Not an error: a registry update may drop a provider, and the watch must go on.
            for u in &setup.unmatched_providers {
                eprintln!("warning: {}: its claims will be unverified", u.warning());
            }
            Ok(exit::OK)
        }
        Err(e) => {
            let n = e.diagnostics().len();
            eprintln!("{}", e.diagnostics());
            eprintln!("{n} problem{} found", if n == 1 { "" } else { "s" });
            Ok(exit::ERROR)
        }
    }
}

pub fn patterns_test(dir: &Path, gazetteer: Option<&Path>, verbose: bool) -> Result<u8> {
    let set = match patterns::load_dir(dir) {
        Ok(s) => s,
        Err(e) => bail!("{} has problems:\n{}", dir.display(), e.diagnostics()),
    };
    // The examples are written for the gazetteer the project ships beside its patterns.
    let shipped = dir.parent().map(|p| p.join("config/gazetteer.toml")).filter(|p| p.is_file());
    let gazetteer = match gazetteer.map(Path::to_path_buf).or(shipped) {
        None => Gazetteer::empty(),
        Some(path) => match Gazetteer::load(&path) {
            Ok(g) => g,
            Err(e) => bail!("{} has problems:\n{}", path.display(), e.diagnostics()),
        },
    };
    let outcomes = patterns::run_examples(&set, &gazetteer);
    let mut failed = 0;
    for o in &outcomes {
        let file = o.file.display();
        let expected = match (o.expected, o.expected_subject) {
            (None, _) => "none".to_string(),
            (Some(k), None) => k.to_string(),
            (Some(k), Some(s)) => format!("{k}, {}", s.as_str()),
        };
        let got: Vec<String> = o
            .got
            .iter()
            .map(|(k, rule, subject)| {
                let rule = rule.as_ref().map_or(" (default)".to_string(), |r| format!(" (rule {r})"));
                format!("{k}, {}{rule}", subject.as_str())
            })
            .collect();
        let got = if got.is_empty() { "none".to_string() } else { got.join(", ") };
        if !o.passed() {
            failed += 1;
            println!("FAIL {file}:{}: «{}»\n     expected {expected}, got {got}", o.line, o.text);
        } else if verbose {
            println!("ok   {file}:{}: «{}» → {got}", o.line, o.text);
        }
    }
    for label in &set.labels {
        let mine: Vec<_> = outcomes.iter().filter(|o| o.label == label.id).collect();
        let passed = mine.iter().filter(|o| o.passed()).count();
        println!("{}: {passed}/{} examples pass", label.file.display(), mine.len());
    }
    Ok(if failed > 0 { exit::FOUND } else { exit::OK })
}
