//! `claimwatch dossier`: one finding's dossier (its proof, its picture, its legal basis) written as a self-contained PDF or HTML file, its SHA-256 printed and stored with the finding.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::Utc;
use clap::ValueEnum;

use super::check::open_store;
use super::report::ReportLang;
use super::{exit, load};
use claimwatch::config::Lang;
use claimwatch::dossier::make::{Format, make};
use claimwatch::store::DossierStamp;

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DossierFormat {
    Pdf,
    Html,
}

pub async fn dossier(
    config: &Path,
    id: &str,
    lang: ReportLang,
    format: DossierFormat,
    out: Option<PathBuf>,
) -> Result<u8> {
    let setup = load(config)?;
    let finding = {
        let store = match open_store(&setup)? {
            Ok(s) => s,
            Err(code) => return Ok(code),
        };
        store.finding(id)?
        // The store is let go here: making the dossier takes a browser's time.
    };
    let Some(f) = finding else { bail!("no finding {id}") };
    let lang = match lang {
        ReportLang::Fr => Lang::Fr,
        ReportLang::En => Lang::En,
    };
    let format = match format {
        DossierFormat::Pdf => Format::Pdf,
        DossierFormat::Html => Format::Html,
    };
    let now = Utc::now();
    let made = make(&setup, &f, lang, format, now).await?;
    let path = out.unwrap_or_else(|| PathBuf::from(format!("dossier-{}.{}", f.id, format.extension())));
    std::fs::write(&path, &made.bytes).with_context(|| format!("cannot write {}", path.display()))?;
    println!("wrote {} ({} bytes)", path.display(), made.bytes.len());
    if made.not_pictured > 0 {
        println!(
            "{} of {} page(s) pictured; the archived text stands in for the others (the dossier says why)",
            made.pictured,
            made.pictured + made.not_pictured
        );
    }
    eprintln!("sha256 {}  {}", made.sha256, path.display());
    let stamp = DossierStamp {
        sha256: made.sha256.clone(),
        at: now,
        format: format.extension().to_string(),
        lang: match lang {
            Lang::Fr => "fr".into(),
            Lang::En => "en".into(),
        },
    };
    let store = match open_store(&setup)? {
        Ok(s) => s,
        Err(code) => {
            eprintln!("claimwatch: the dossier is written, but its SHA-256 could not be stored with the finding");
            return Ok(code);
        }
    };
    store.stamp_dossier(&f.id, stamp)?;
    Ok(exit::OK)
}
