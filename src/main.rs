//! The `claimwatch` command line: argument parsing, dispatch and exit codes.

mod cli;

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};

use cli::check::CheckArgs;
use cli::findings::{ListFormat, StateFilter};
use cli::{Format, exit};

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
    /// Run the bundled demo: fictional vendor sites and a mail server on loopback, four runs.
    Demo {
        /// Where to write the demo's HTML report [default: claimwatch-demo-report.html in the temporary directory].
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
    },
    /// Run on the [schedule]: checks, alert retries, graceful shutdown, reload on SIGHUP.
    Daemon {
        #[arg(long, env = "CLAIMWATCH_CONFIG", default_value = DEFAULT_CONFIG)]
        config: PathBuf,
    },
    /// Last runs, next scheduled run, open findings, outbox and registry.
    Status {
        #[arg(long, env = "CLAIMWATCH_CONFIG", default_value = DEFAULT_CONFIG)]
        config: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// How many runs to show.
        #[arg(long, default_value_t = 10)]
        last: usize,
    },
    /// Crawl every configured vendor politely, judge every claim, record findings, send alerts (the job cron runs).
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
        /// Do the whole run but record nothing and send nothing.
        #[arg(long)]
        dry_run: bool,
        /// With --dry-run: write the emails it would send as .eml files here.
        #[arg(long, requires = "dry_run")]
        eml_dir: Option<PathBuf>,
        /// Print nothing unless something is new or failed (for cron, which mails any output).
        #[arg(long, short)]
        quiet: bool,
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
        /// Saved HTML pages or PDF files, or http(s) URLs fetched through the polite fetcher.
        #[arg(required = true)]
        sources: Vec<String>,
    },
    /// Web archives (WARC files or http(s) URLs, gzip per record as Common Crawl writes them, or
    /// plain) read as streams: every HTML or PDF response through the claim reader, each claim
    /// pointing back at its record, then a summary. Hosts of no configured vendor are judged as
    /// holding nothing: those rows are the discovery.
    ScanWarc {
        #[arg(long, env = "CLAIMWATCH_CONFIG", default_value = DEFAULT_CONFIG)]
        config: PathBuf,
        /// Judge every claim as of this date [default: each record's WARC-Date].
        #[arg(long, value_parser = parse_date)]
        at: Option<NaiveDate>,
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
        /// Read more paths or URLs from this file, one a line (`-`: standard input).
        #[arg(long)]
        paths_from: Option<String>,
        /// WARC files or URLs.
        sources: Vec<String>,
    },
    /// List findings (and alerts the mail server refused), or acknowledge one.
    Findings {
        #[arg(long, env = "CLAIMWATCH_CONFIG", default_value = DEFAULT_CONFIG, global = true)]
        config: PathBuf,
        #[arg(long, value_enum, default_value_t = StateFilter::Open)]
        state: StateFilter,
        #[arg(long)]
        vendor: Option<String>,
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
        #[command(subcommand)]
        action: Option<FindingsAction>,
    },
    /// The findings report: HTML for people (self-contained), CSV for spreadsheets, JSON for machines.
    Report {
        #[arg(long, env = "CLAIMWATCH_CONFIG", default_value = DEFAULT_CONFIG)]
        config: PathBuf,
        #[arg(long, value_enum, default_value_t = cli::report::ReportFormat::Html)]
        format: cli::report::ReportFormat,
        /// Write here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Resolved findings and the timeline from this date on.
        #[arg(long, value_parser = parse_date)]
        since: Option<NaiveDate>,
        #[arg(long, value_enum, default_value_t = cli::report::ReportLang::Fr)]
        lang: cli::report::ReportLang,
    },
    /// One finding's dossier for a regulator or a deputy: the claim as the archived page showed it
    /// (replayed from the archive, nothing fetched live), the registry, the history, the legal
    /// basis and how to verify the evidence. Its SHA-256 goes to standard error and the store.
    Dossier {
        id: String,
        #[arg(long, env = "CLAIMWATCH_CONFIG", default_value = DEFAULT_CONFIG)]
        config: PathBuf,
        #[arg(long, value_enum, default_value_t = cli::report::ReportLang::Fr)]
        lang: cli::report::ReportLang,
        #[arg(long, value_enum, default_value_t = cli::dossier::DossierFormat::Pdf)]
        format: cli::dossier::DossierFormat,
        /// Where to write it [default: dossier-<ID>.pdf or .html in the current directory].
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The evidence archive: verify it, or show a finding as the archived page said it.
    Evidence {
        #[arg(long, env = "CLAIMWATCH_CONFIG", default_value = DEFAULT_CONFIG, global = true)]
        config: PathBuf,
        #[command(subcommand)]
        action: EvidenceAction,
    },
    /// The registry: what an update changes, and what in it looks out of date (both read-only).
    Registry {
        #[arg(long, env = "CLAIMWATCH_CONFIG", default_value = DEFAULT_CONFIG, global = true)]
        config: PathBuf,
        #[command(subcommand)]
        action: RegistryAction,
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
    /// Internal: a PDF on standard input, its text as JSON on standard output (run by claimwatch
    /// itself in a child process under limits).
    #[command(hide = true, name = "__pdf-extract")]
    PdfExtract,
}

#[derive(Subcommand)]
enum EvidenceAction {
    /// Re-read the log and the WARC files; exit 0 only when the chain and every record hold.
    Verify,
    /// Print a finding's archived evidence and the quoted claim in context from the archived page.
    Show {
        id: String,
        /// Write the archived page (decoded from its content coding) to this file.
        #[arg(long)]
        extract: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum RegistryAction {
    /// Entries added, removed or changed from OLD to NEW, and the findings in the store the
    /// change would open, resolve or change level. Writes nothing.
    Diff {
        old: PathBuf,
        new: PathBuf,
        /// Judge as of this date [default: today].
        #[arg(long)]
        at: Option<NaiveDate>,
    },
    /// Entries still qualified after their end, in progress for too long, overlapping, without
    /// a source; a snapshot older than max_registry_age_days. Exit 1 when there is any.
    Check {
        /// Check as of this date [default: today].
        #[arg(long)]
        at: Option<NaiveDate>,
    },
}

#[derive(Subcommand)]
enum FindingsAction {
    /// Mark a finding as a reviewed false positive or an accepted case: no further alerts for it.
    Ack {
        id: String,
        #[arg(long)]
        reason: String,
        /// Alerts resume after this date.
        #[arg(long, value_parser = parse_date)]
        until: Option<NaiveDate>,
        /// Who reviewed it (default: $USER).
        #[arg(long)]
        by: Option<String>,
    },
    /// Undo an acknowledgement.
    Unack { id: String },
}

#[derive(Subcommand)]
enum PatternsCommand {
    /// Run the examples each pattern file carries.
    Test {
        /// Pattern directory (default: `patterns/`).
        #[arg(default_value = "patterns")]
        dir: PathBuf,
        /// The gazetteer of organisations examples are read with (default: `config/gazetteer.toml`
        /// beside the pattern directory, when there is one).
        #[arg(long)]
        gazetteer: Option<PathBuf>,
        /// List every example, not only failures.
        #[arg(long, short)]
        verbose: bool,
    },
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| format!("expected YYYY-MM-DD: {e}"))
}

/// glibc's malloc raises its mmap threshold each time a large block is freed (up to 32 MB), so
/// later large buffers land in the heap and fragment it: a long run's resident memory then grows
/// although its live data does not. A fixed threshold keeps it flat (the 1,000-vendor load bench
/// peaks about 12 MB lower, for no measurable CPU). Set before any thread starts.
fn tame_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; called once, before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

fn main() -> ExitCode {
    tame_allocator();
    let cli = Cli::parse();
    // Before any thread or runtime: the child runs alone, under its address-space limit.
    if matches!(cli.command, Command::PdfExtract) {
        return claimwatch::pdf::child_main();
    }
    // The daemon tells what it does (next run, runs, alerts); commands speak only of problems.
    let default_filter =
        if matches!(cli.command, Command::Daemon { .. }) { "claimwatch=info" } else { "claimwatch=warn" };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .map(|f| {
                    // The HTML parser's debug output replays every token of every page (hostile
                    // content, and gigabytes of log); it must be asked for by name.
                    let named = std::env::var("RUST_LOG").unwrap_or_default().contains("html5ever");
                    if named { f } else { f.add_directive("html5ever=info".parse().expect("a valid directive")) }
                })
                .unwrap_or_else(|_| default_filter.into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    claimwatch::failpoint::arm_from_env();
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
            Command::Demo { report } => {
                let report = report.unwrap_or_else(|| std::env::temp_dir().join("claimwatch-demo-report.html"));
                let mut out = std::io::stdout();
                claimwatch::demo::run(&mut out, &report).await.map(|()| exit::OK).map_err(anyhow::Error::from)
            }
            Command::Check { config, vendors, at, format, dry_run, eml_dir, quiet } => {
                cli::check::check(CheckArgs { config, vendors, at, format, dry_run, eml_dir, quiet }).await
            }
            Command::Daemon { config } => claimwatch::daemon::run(config, cli::check::smtp_password)
                .await
                .map(|()| exit::OK)
                .map_err(anyhow::Error::from),
            Command::Status { config, format, last } => cli::status::status(&config, format, last),
            Command::Scan { config, vendor, at, format, sources } => {
                cli::scan::scan(&config, vendor.as_deref(), at, format, &sources).await
            }
            Command::ScanWarc { config, at, format, paths_from, sources } => {
                cli::scan_warc::scan_warc(cli::scan_warc::ScanWarcArgs { config, at, format, paths_from, sources })
                    .await
            }
            Command::Findings { config, state, vendor, format, action } => match action {
                None => cli::findings::list(&config, state, vendor.as_deref(), format),
                Some(FindingsAction::Ack { id, reason, until, by }) => {
                    cli::findings::ack(&config, &id, &reason, until, by)
                }
                Some(FindingsAction::Unack { id }) => cli::findings::unack(&config, &id),
            },
            Command::Report { config, format, out, since, lang } => {
                cli::report::report(&config, format, out, since, lang)
            }
            Command::Dossier { id, config, lang, format, out } => {
                cli::dossier::dossier(&config, &id, lang, format, out).await
            }
            Command::Evidence { config, action } => match action {
                EvidenceAction::Verify => cli::evidence::verify(&config),
                EvidenceAction::Show { id, extract } => cli::evidence::show(&config, &id, extract),
            },
            Command::Registry { config, action } => match action {
                RegistryAction::Diff { old, new, at } => cli::registry::diff(&config, &old, &new, at),
                RegistryAction::Check { at } => cli::registry::check(&config, at),
            },
            Command::Robots { config, agent, robots, urls } => cli::misc::robots(&config, agent, &robots, &urls).await,
            Command::Validate { config } => cli::misc::validate(&config).await,
            Command::Patterns { command: PatternsCommand::Test { dir, gazetteer, verbose } } => {
                cli::misc::patterns_test(&dir, gazetteer.as_deref(), verbose)
            }
            Command::PdfExtract => unreachable!("answered before the runtime starts"),
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
