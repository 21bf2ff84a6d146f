//! `claimwatch report`: the findings report as HTML for people, CSV for spreadsheets, JSON for machines.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::ValueEnum;

use super::check::open_store;
use super::{exit, load};
use claimwatch::config::Lang;
use claimwatch::report::dossier::{self, Dossier};
use claimwatch::report::html;

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Html,
    Csv,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportLang {
    Fr,
    En,
}

pub fn render(d: &Dossier, format: ReportFormat) -> Result<String> {
    Ok(match format {
        ReportFormat::Html => html::render(d),
        ReportFormat::Csv => dossier::to_csv(d)?,
        ReportFormat::Json => serde_json::to_string_pretty(d)? + "\n",
    })
}

pub fn report(
    config: &Path,
    format: ReportFormat,
    out: Option<PathBuf>,
    since: Option<NaiveDate>,
    lang: ReportLang,
) -> Result<u8> {
    let setup = load(config)?;
    let store = match open_store(&setup)? {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let lang = match lang {
        ReportLang::Fr => Lang::Fr,
        ReportLang::En => Lang::En,
    };
    let text = render(&dossier::from_store(&setup, &store, lang, since)?, format)?;
    match out {
        Some(path) => {
            std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
            println!("wrote {}", path.display());
        }
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    Ok(exit::OK)
}
