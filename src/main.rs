//! The `claimwatch` command line: argument parsing, output streams and exit codes.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};
use url::Url;

use claimwatch::config::{self, CrawlSettings, Setup, Vendor};
use claimwatch::fetch::{Fetcher, MemoryValidators, Outcome, Rate, RobotsState};
use claimwatch::patterns;
use claimwatch::pipeline::{self, Event, PageStatus};
use claimwatch::report::{ClaimRecord, PageLine, Style, SummaryRecord, Tally, page_text, vendor_text};
use claimwatch::robots::Robots;
use claimwatch::scan::scan_page;

/// Exit codes: the one table, mirrored in README.md.
mod exit {
    /// Nothing to report.
    pub const OK: u8 = 0;
    /// A warning or a violation was found (or a pattern example failed).
    pub const FOUND: u8 = 1;
    /// Usage, configuration or runtime error; a page or a vendor that could not be checked.
    pub const ERROR: u8 = 2;
}

const DEFAULT_CONFIG: &str = "config/claimwatch.toml";

#[derive(Parser)]
#[command(
    name = "claimwatch",
    version,
    about = "Checks trust-label claims (SecNumCloud, Cloud de confiance, HDS…) on vendors' sites against the registry of qualifications actually granted"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Crawl every configured vendor's site politely and judge every claim (the job cron runs).
    Check {
        #[arg(long, env = "CLAIMWATCH_CONFIG", default_value = DEFAULT_CONFIG)]
        config: PathBuf,
        /// Only these vendors (repeatable); default all.
        #[arg(long = "vendor")]
        vendors: Vec<String>,
        /// Judge as on this date (YYYY-MM-DD); default today.
        #[arg(long, value_parser = parse_date)]
        at: Option<NaiveDate>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Scan saved pages or URLs: which labels they claim, how, and whether the vendor holds them.
    Scan {
        #[arg(long, env = "CLAIMWATCH_CONFIG", default_value = DEFAULT_CONFIG)]
        config: PathBuf,
        /// Vendor whose registry entries judge the pages; `auto` picks it from each page's URL
        /// (a URL argument's host, or a file's canonical URL). Without it, every claim is judged
        /// as if nothing is held.
        #[arg(long)]
        vendor: Option<String>,
        #[arg(long, value_parser = parse_date)]
        at: Option<NaiveDate>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Saved HTML pages, or http(s) URLs fetched through the polite fetcher.
        #[arg(required = true)]
        sources: Vec<String>,
    },
    /// Say whether robots.txt lets the crawler fetch each URL.
    Robots {
        #[arg(long, env = "CLAIMWATCH_CONFIG", default_value = DEFAULT_CONFIG)]
        config: PathBuf,
        /// User agent to match (default: the configured one).
        #[arg(long)]
        agent: Option<String>,
        /// A robots.txt file, or a site URL whose /robots.txt is fetched.
        robots: String,
        #[arg(required = true)]
        urls: Vec<String>,
    },
    /// Check the config, the pattern files and the registry; report every problem with file and line.
    Validate {
        #[arg(long, env = "CLAIMWATCH_CONFIG", default_value = DEFAULT_CONFIG)]
        config: PathBuf,
    },
    /// Pattern file tools.
    Patterns {
        #[command(subcommand)]
        command: PatternsCommand,
    },
}

#[derive(Subcommand)]
enum PatternsCommand {
    /// Run the examples each pattern file carries.
    Test {
        /// Pattern directory (default: `patterns/`).
        #[arg(default_value = "patterns")]
        dir: PathBuf,
        /// List every example, not only failures.
        #[arg(long, short)]
        verbose: bool,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| format!("expected YYYY-MM-DD: {e}"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "claimwatch=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    // Page analysis runs on blocking threads, each with its own regex caches: a few are enough.
    let runtime = match tokio::runtime::Builder::new_multi_thread().max_blocking_threads(4).enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("claimwatch: cannot start the async runtime: {e}");
            return ExitCode::from(exit::ERROR);
        }
    };
    let outcome = runtime.block_on(async {
        match cli.command {
            Command::Check { config, vendors, at, format } => check(&config, &vendors, at, format).await,
            Command::Scan { config, vendor, at, format, sources } => {
                scan(&config, vendor.as_deref(), at, format, &sources).await
            }
            Command::Robots { config, agent, robots, urls } => robots_cmd(&config, agent, &robots, &urls).await,
            Command::Validate { config } => validate(&config),
            Command::Patterns { command: PatternsCommand::Test { dir, verbose } } => patterns_test(&dir, verbose),
        }
    });
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("claimwatch: {e:#}");
            ExitCode::from(exit::ERROR)
        }
    }
}

fn load(config: &Path) -> Result<Setup> {
    config::load(config).map_err(|e| anyhow::anyhow!("{} has problems:\n{}", config.display(), e.diagnostics()))
}

fn today(at: Option<NaiveDate>) -> NaiveDate {
    at.unwrap_or_else(|| chrono::Local::now().date_naive())
}

fn text_style(format: Format) -> Style {
    Style { color: format == Format::Text && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none() }
}

fn fetcher(settings: &CrawlSettings) -> Result<Arc<Fetcher>> {
    Ok(Arc::new(Fetcher::new(settings, Arc::new(MemoryValidators::default()))?))
}

async fn check(config: &Path, only: &[String], at: Option<NaiveDate>, format: Format) -> Result<u8> {
    let setup = Arc::new(load(config)?);
    let at = today(at);
    let mut vendors: Vec<Vendor> = Vec::new();
    for id in only {
        let v = setup.config.vendor(id).with_context(|| unknown_vendor(&setup, config, id))?;
        vendors.push(v.clone());
    }
    if only.is_empty() {
        vendors = setup.config.vendors.clone();
    }
    let fetcher = fetcher(&setup.config.crawl)?;
    let style = text_style(format);
    let progress = (format == Format::Text && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {elapsed} {pos} pages {msg}").expect("valid template"),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    });
    let stdout = Mutex::new(std::io::stdout());
    let registry = &setup.registry;
    let on_event = |event: Event<'_>| match event {
        Event::Page { vendor, page } => {
            if format == Format::Json {
                let mut out = stdout.lock().expect("stdout lock");
                let source = page.final_url.to_string();
                for c in &page.claims {
                    let record = ClaimRecord::new(&source, Some(&vendor.id), c, at, registry);
                    let _ = writeln!(out, "{}", serde_json::to_string(&record).expect("claims serialise"));
                }
            } else if let Some(bar) = &progress {
                bar.inc(1);
                bar.set_message(format!("{} {}", vendor.id, page.url));
            } else {
                let why = page.status.why_not_checked().map(|w| format!(": {w}")).unwrap_or_default();
                eprintln!("{} {} {}{why} ({} claims)", vendor.id, page.status.label(), page.url, page.claims.len());
            }
        }
        Event::VendorDone(report) => {
            if format == Format::Json {
                let mut out = stdout.lock().expect("stdout lock");
                let _ = writeln!(out, "{}", serde_json::to_string(&SummaryRecord::new(report)).expect("serialise"));
            }
        }
    };
    let reports = pipeline::run_once(setup.clone(), fetcher, &vendors, at, &on_event).await;
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    if format == Format::Text {
        let mut out = std::io::stdout().lock();
        for r in &reports {
            writeln!(out, "{}", vendor_text(r, style))?;
        }
        writeln!(out, "judged as of {at} against {} (registry as of {})", registry.path.display(), registry.as_of)?;
    }
    let unchecked = reports.iter().any(|r| r.nothing_checked());
    let attention = reports.iter().any(|r| {
        let s = r.summary();
        s.violations + s.warnings > 0
    });
    Ok(if unchecked {
        exit::ERROR
    } else if attention {
        exit::FOUND
    } else {
        exit::OK
    })
}

fn unknown_vendor(setup: &Setup, config: &Path, id: &str) -> String {
    let known: Vec<&str> = setup.config.vendors.iter().map(|v| v.id.as_str()).collect();
    format!("no vendor `{id}` in {} (known: {})", config.display(), known.join(", "))
}

fn is_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://")
}

async fn scan(
    config: &Path,
    vendor: Option<&str>,
    at: Option<NaiveDate>,
    format: Format,
    sources: &[String],
) -> Result<u8> {
    let setup = load(config)?;
    let at = today(at);
    let fixed: Option<&Vendor> = match vendor {
        None | Some("auto") => None,
        Some(id) => Some(setup.config.vendor(id).with_context(|| unknown_vendor(&setup, config, id))?),
    };
    let auto = vendor == Some("auto");
    let fetcher = if sources.iter().any(|s| is_url(s)) { Some(fetcher(&setup.config.crawl)?) } else { None };
    let style = text_style(format);
    let mut out = std::io::stdout().lock();
    let mut tally = Tally::default();
    let mut attention = false;
    for source in sources {
        let loaded = if is_url(source) {
            let fetcher = fetcher.as_ref().expect("a fetcher exists when a URL is given");
            fetch_for_scan(fetcher, &setup, source, fixed, auto).await
        } else {
            std::fs::read(source).map(|b| (b, None)).map_err(|e| format!("cannot read: {e}"))
        };
        let (bytes, content_type) = match loaded {
            Ok(l) => l,
            Err(why) => {
                fail(&mut out, format, &mut tally, source, &why)?;
                continue;
            }
        };
        let page = claimwatch::extract::extract(&bytes, content_type.as_deref());
        let vendor = if auto {
            let url = if is_url(source) {
                Url::parse(source).ok()
            } else {
                page.canonical_url.as_deref().and_then(|u| Url::parse(u).ok())
            };
            match url.as_ref().and_then(|u| setup.config.vendor_for_url(u)) {
                Some(v) => Some(v),
                None => {
                    let why = "cannot tell which vendor this page belongs to (its URL is on no configured \
                               vendor's hosts); name it with --vendor";
                    fail(&mut out, format, &mut tally, source, why)?;
                    continue;
                }
            }
        } else {
            fixed
        };
        let result = scan_page(page, &setup.patterns, &setup.registry, vendor, at);
        tally.add(&result);
        attention |= result.worst().needs_attention();
        let vendor_id = vendor.map(|v| v.id.as_str());
        match format {
            Format::Json => {
                for c in &result.claims {
                    writeln!(
                        out,
                        "{}",
                        serde_json::to_string(&ClaimRecord::new(source, vendor_id, c, at, &setup.registry))?
                    )?;
                }
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string(&PageLine::checked(source, vendor_id, &result.page, result.claims.len()))?
                )?;
            }
            Format::Text => writeln!(out, "{}", page_text(source, vendor_id, &result, style))?,
        }
    }
    if format == Format::Text {
        writeln!(
            out,
            "{} (judged as of {at} against {}, registry as of {})",
            tally.text(),
            setup.registry.path.display(),
            setup.registry.as_of
        )?;
    }
    Ok(if tally.failed > 0 {
        exit::ERROR
    } else if attention {
        exit::FOUND
    } else {
        exit::OK
    })
}

/// Fetches a URL for `scan` through the polite fetcher; redirects stay on the vendor's hosts
/// when a vendor is named, anywhere otherwise.
async fn fetch_for_scan(
    fetcher: &Fetcher,
    setup: &Setup,
    source: &str,
    vendor: Option<&Vendor>,
    auto: bool,
) -> Result<(Vec<u8>, Option<String>), String> {
    let url = Url::parse(source).map_err(|e| format!("not a URL: {e}"))?;
    let vendor = vendor.or_else(|| if auto { setup.config.vendor_for_url(&url) } else { None });
    let (per_second, burst) = vendor
        .map_or((setup.config.crawl.requests_per_second, setup.config.crawl.burst), |v| setup.config.crawl.rate_for(v));
    let rate = Rate { per_second, burst };
    let in_scope = |u: &Url| vendor.is_none_or(|v| u.host_str().is_some_and(|h| v.allows_host(h)));
    let fetched = fetcher.fetch_page(&url, rate, &in_scope).await;
    match fetched.outcome {
        Outcome::Page { exchange, body } => Ok((body, exchange.header("content-type").map(str::to_string))),
        Outcome::NotModified { .. } => Err("not modified".into()),
        Outcome::Skipped(s) => Err(PageStatus::Skipped(s).why_not_checked().unwrap_or_default()),
        Outcome::Failed { failure, .. } => Err(failure.to_string()),
    }
}

fn fail(out: &mut impl Write, format: Format, tally: &mut Tally, source: &str, why: &str) -> Result<()> {
    tally.failed += 1;
    match format {
        Format::Json => writeln!(out, "{}", serde_json::to_string(&PageLine::failed(source, None, why))?)?,
        Format::Text => writeln!(out, "{source}: not checked: {why}\n")?,
    }
    Ok(())
}

async fn robots_cmd(config: &Path, agent: Option<String>, robots: &str, urls: &[String]) -> Result<u8> {
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

fn validate(config: &Path) -> Result<u8> {
    match config::load(config) {
        Ok(setup) => {
            println!(
                "{}: ok — {} vendor{}, {} label{} ({}), registry {} as of {} with {} entr{} for {}",
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
                setup.registry.schemes.join(", ")
            );
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

fn patterns_test(dir: &Path, verbose: bool) -> Result<u8> {
    let set = match patterns::load_dir(dir) {
        Ok(s) => s,
        Err(e) => bail!("{} has problems:\n{}", dir.display(), e.diagnostics()),
    };
    let outcomes = patterns::run_examples(&set);
    let mut failed = 0;
    for o in &outcomes {
        let file = o.file.display();
        let expected = o.expected.map_or("none", |k| k.as_str());
        let got: Vec<String> = o
            .got
            .iter()
            .map(|(k, rule)| {
                format!("{k}{}", rule.as_ref().map_or(" (default)".to_string(), |r| format!(" (rule {r})")))
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
