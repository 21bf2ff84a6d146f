//! Making a dossier end to end: the facts from the finding and the archive, the pictures and the PDF from a headless browser answered by the archive alone, and the document's SHA-256.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::assemble::{Sources, assemble};
use super::picture::{archived_pages, pictures, print, replay_index};
use super::{Dossier, Picture, html};
use crate::config::{Lang, Setup, Vendor};
use crate::render::{RenderError, Renderer, Source};
use crate::store::Finding;

/// The document a dossier is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Html,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Html => "html",
        }
    }
}

/// A dossier, made.
pub struct Made {
    pub bytes: Vec<u8>,
    /// SHA-256 of `bytes`, hex.
    pub sha256: String,
    pub format: Format,
    /// Pages pictured, and pages for which the archived text stands in.
    pub pictured: usize,
    pub not_pictured: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum DossierError {
    /// A PDF needs the browser.
    #[error("cannot print the dossier: {0}")]
    Print(RenderError),
}

/// Makes the dossier of `f` as of `now`: pictures by replaying its archived pages, then the
/// HTML, printed to PDF when `format` asks for it. Without a browser an HTML dossier is still
/// made (the archived text stands in for each picture, with the reason); a PDF is not.
pub async fn make(
    setup: &Setup,
    f: &Finding,
    lang: Lang,
    format: Format,
    now: DateTime<Utc>,
) -> Result<Made, DossierError> {
    let config_path = setup.config.path.display().to_string();
    let config_path = config_path.as_str();
    let dir = &setup.config.evidence.dir;
    let log: HashMap<u64, String> = crate::evidence::log_hashes(dir);
    let sources = Sources { setup, lang, now, log: &log, log_head: crate::evidence::head(dir), config_path };
    let mut dossier = assemble(f, &sources);
    let mut pages = Some(archived_pages(dir, f, lang));
    let index = replay_index(dir, f);
    let renderer = match Renderer::with_source(&setup.config.render, Source::Archive(Arc::new(index))).await {
        Ok(r) => Some(r),
        Err(e) if format == Format::Html => {
            dossier.pictures = pages
                .take()
                .unwrap_or_default()
                .into_iter()
                .map(|a| Picture {
                    url: a.url,
                    fetched_at: a.fetched_at,
                    png: None,
                    why_not: Some(no_browser(lang, &e)),
                })
                .collect();
            None
        }
        Err(e) => return Err(DossierError::Print(e)),
    };
    let made = match &renderer {
        Some(renderer) => {
            let vendor =
                Arc::new(setup.config.vendor(&f.vendor).cloned().unwrap_or_else(|| Vendor::new(&f.vendor, &f.vendor)));
            dossier.pictures = pictures(renderer, &vendor, pages.take().unwrap_or_default(), lang).await;
            let html = html::render(&dossier);
            match format {
                Format::Html => Ok(html.into_bytes()),
                Format::Pdf => print(renderer, &html, &html::footer(lang, &f.id), &f.id, now).await,
            }
        }
        None => Ok(html::render(&dossier).into_bytes()),
    };
    if let Some(r) = renderer {
        r.close().await;
    }
    let bytes = made.map_err(DossierError::Print)?;
    Ok(finish(bytes, format, &dossier))
}

fn finish(bytes: Vec<u8>, format: Format, d: &Dossier) -> Made {
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let pictured = d.pictures.iter().filter(|p| p.png.is_some()).count();
    Made { bytes, sha256, format, pictured, not_pictured: d.pictures.len() - pictured }
}

fn no_browser(lang: Lang, e: &RenderError) -> String {
    match lang {
        Lang::Fr => format!("navigateur indisponible, aucune capture\u{a0}: {e}"),
        Lang::En => format!("no browser available, no picture: {e}"),
    }
}
