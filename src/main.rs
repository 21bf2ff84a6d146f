//! The `claimwatch` command line: argument parsing, output streams and exit codes.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

use claimwatch::config::{self, Setup, Vendor};
use claimwatch::patterns;
use claimwatch::report::{ClaimRecord, PageRecord, Style, Tally, page_text};

/// Exit codes: the one table, mirrored in README.md.
mod exit {
    /// Nothing to report.
    pub const OK: u8 = 0;
    /// A warning or a violation was found (or a pattern example failed).
    pub const FOUND: u8 = 1;
    /// Usage, configuration or runtime error (including a page that could not be read).
    pub const ERROR: u8 = 2;
}

#[derive(Parser)]
#[command(
    name = "claimwatch",
    version,
    about = "Checks trust-label claims (SecNumCloud, Cloud de confiance, HDS…) on vendors' pages against the registry of qualifications actually granted"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan saved pages: which labels they claim, how, and whether the vendor holds them.
    Scan {
        #[arg(long, env = "CLAIMWATCH_CONFIG", default_value = "config/claimwatch.toml")]
        config: PathBuf,
        /// Vendor whose registry entries judge the pages; `auto` picks it from each page's
        /// canonical URL. Without it, every claim is judged as if nothing is held.
        #[arg(long)]
        vendor: Option<String>,
        /// Judge as on this date (YYYY-MM-DD); default today.
        #[arg(long, value_parser = parse_date)]
        at: Option<NaiveDate>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Saved HTML pages.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Check the config, the pattern files and the registry; report every problem with file and line.
    Validate {
        #[arg(long, env = "CLAIMWATCH_CONFIG", default_value = "config/claimwatch.toml")]
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
    let outcome = match cli.command {
        Command::Scan { config, vendor, at, format, files } => scan(&config, vendor.as_deref(), at, format, &files),
        Command::Validate { config } => validate(&config),
        Command::Patterns { command: PatternsCommand::Test { dir, verbose } } => patterns_test(&dir, verbose),
    };
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

fn scan(config: &Path, vendor: Option<&str>, at: Option<NaiveDate>, format: Format, files: &[PathBuf]) -> Result<u8> {
    let setup = load(config)?;
    let at = at.unwrap_or_else(|| chrono::Local::now().date_naive());
    let fixed_vendor: Option<&Vendor> = match vendor {
        None | Some("auto") => None,
        Some(id) => Some(setup.config.vendor(id).with_context(|| {
            let known: Vec<&str> = setup.config.vendors.iter().map(|v| v.id.as_str()).collect();
            format!("no vendor `{id}` in {} (known: {})", config.display(), known.join(", "))
        })?),
    };
    let auto = vendor == Some("auto");
    let style = Style {
        color: format == Format::Text && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let mut stdout = std::io::stdout().lock();
    let mut tally = Tally::default();
    let mut worst_needs_attention = false;
    for file in files {
        let source = file.display().to_string();
        let bytes = match std::fs::read(file) {
            Ok(b) => b,
            Err(e) => {
                fail(&mut stdout, format, &mut tally, &source, None, &format!("cannot read: {e}"))?;
                continue;
            }
        };
        let page = claimwatch::extract::extract(&bytes, None);
        let vendor = if auto {
            let found = page
                .canonical_url
                .as_deref()
                .and_then(|u| url::Url::parse(u).ok())
                .and_then(|u| setup.config.vendor_for_url(&u));
            match found {
                Some(v) => Some(v),
                None => {
                    let why = "cannot tell which vendor this page belongs to (no canonical URL on a configured \
                               vendor's hosts); name it with --vendor";
                    fail(&mut stdout, format, &mut tally, &source, None, why)?;
                    continue;
                }
            }
        } else {
            fixed_vendor
        };
        let result = claimwatch::scan::scan_page(page, &setup.patterns, &setup.registry, vendor, at);
        tally.add(&result);
        worst_needs_attention |= result.worst().needs_attention();
        let vendor_id = vendor.map(|v| v.id.as_str());
        match format {
            Format::Json => {
                for c in &result.claims {
                    let record = ClaimRecord::new(&source, vendor_id, c, at, &setup.registry);
                    writeln!(stdout, "{}", serde_json::to_string(&record)?)?;
                }
                let record = PageRecord::checked(&source, vendor_id, &result.page, result.claims.len());
                writeln!(stdout, "{}", serde_json::to_string(&record)?)?;
            }
            Format::Text => {
                write!(stdout, "{}", page_text(&source, vendor_id, &result, style))?;
                writeln!(stdout)?;
            }
        }
    }
    if format == Format::Text {
        writeln!(
            stdout,
            "{} (judged as of {at} against {}, registry as of {})",
            tally.text(),
            setup.registry.path.display(),
            setup.registry.as_of
        )?;
    }
    Ok(if tally.failed > 0 {
        exit::ERROR
    } else if worst_needs_attention {
        exit::FOUND
    } else {
        exit::OK
    })
}

fn fail(
    out: &mut impl Write,
    format: Format,
    tally: &mut Tally,
    source: &str,
    vendor: Option<&str>,
    why: &str,
) -> Result<()> {
    tally.failed += 1;
    match format {
        Format::Json => writeln!(out, "{}", serde_json::to_string(&PageRecord::failed(source, vendor, why))?)?,
        Format::Text => writeln!(out, "{source}: not checked: {why}\n")?,
    }
    Ok(())
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
