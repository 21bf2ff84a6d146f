//! The pictures of a dossier: each archived page replayed in headless Chromium from the evidence archive alone (the archived bytes answer every request; nothing is fetched live), with the claim marked, and the dossier printed to PDF by the same browser.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use url::Url;

use super::Picture;
use crate::config::{Lang, Vendor};
use crate::evidence::{self, EvidenceRef, warc};
use crate::fetch::{Exchange, body};
use crate::render::{After, PageToRender, RenderError, Renderer, ReplayIndex};
use crate::report::sightings::pages_newest_first;
use crate::store::Finding;

/// Pages pictured in a dossier; the others are counted.
pub const MAX_PICTURES: usize = 3;
/// A decoded archived body is never allowed past this.
const MAX_DECODED: u64 = 64 * 1024 * 1024;
/// Subresources replayed from the archive, in all (the rest are refused as not archived).
const MAX_REPLAY_BYTES: usize = 128 * 1024 * 1024;

/// An archived page ready to be replayed, or why it cannot be.
pub struct Archived {
    pub url: String,
    pub fetched_at: Option<DateTime<Utc>>,
    pub matched: String,
    page: Result<(Exchange, Vec<u8>), String>,
}

/// The pages to picture (the most recently seen first, at most [`MAX_PICTURES`]), read from the
/// archive under `dir`.
pub fn archived_pages(dir: &Path, f: &Finding, lang: Lang) -> Vec<Archived> {
    pages_newest_first(f)
        .into_iter()
        .take(MAX_PICTURES)
        .map(|(url, s)| Archived {
            url: url.clone(),
            fetched_at: s.evidence.as_ref().map(|e| e.fetched_at),
            matched: s.matched.clone(),
            page: match &s.evidence {
                None => Err(words(lang).not_archived.to_string()),
                Some(e) => page_of(dir, url, e, lang),
            },
        })
        .collect()
}

/// The archived response of a page, decoded, as the browser will be given it.
fn page_of(dir: &Path, url: &str, e: &EvidenceRef, lang: Lang) -> Result<(Exchange, Vec<u8>), String> {
    let w = words(lang);
    let (raw, headers) = evidence::archived_body(dir, e).map_err(|why| format!("{}{} {why}", w.unreadable, w.colon))?;
    let header = |n: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)).map(|(_, v)| v.as_str());
    let decoded = body::decode(&raw, &body::codings(header("content-encoding")), MAX_DECODED)
        .map_err(|why| format!("{}{} {why}", w.undecodable, w.colon))?;
    let target = Url::parse(url).map_err(|why| format!("{}{} {why}", w.unreadable, w.colon))?;
    if crate::pipeline::document::is_pdf_document(header("content-type"), Some(&target), &decoded) {
        return Err(w.pdf.to_string());
    }
    Ok((replayed(target, &headers, e.fetched_at), decoded))
}

/// An archived response as the browser is handed it (its body, decoded, goes alongside): the
/// status from the archived status line, the archived headers.
fn replayed(url: Url, headers: &evidence::DisplayHeaders, fetched_at: DateTime<Utc>) -> Exchange {
    let status = headers
        .iter()
        .find(|(k, _)| k == ":status-line")
        .and_then(|(_, line)| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .unwrap_or(200);
    Exchange {
        url,
        method: "GET",
        request_headers: Vec::new(),
        status,
        version: "HTTP/1.1".into(),
        headers: headers
            .iter()
            .filter(|(k, _)| !k.starts_with(':'))
            .map(|(k, v)| (k.clone(), v.clone().into_bytes()))
            .collect(),
        body: Bytes::new(),
        fetched_at,
        remote_addr: None,
    }
}

/// Every archived response of the WARC files that hold `pages`, for the browser to be answered
/// from: a page's stylesheet or script is there when the crawl fetched it (a rendered page's
/// subresources are archived with it).
pub fn replay_index(dir: &Path, f: &Finding) -> ReplayIndex {
    let files: BTreeSet<String> = pages_newest_first(f)
        .into_iter()
        .take(MAX_PICTURES)
        .filter_map(|(_, s)| s.evidence.as_ref())
        .flat_map(|e| [Some(e.record.file.clone()), e.refers_to.as_ref().map(|r| r.file.clone())])
        .flatten()
        .collect();
    let mut index = ReplayIndex::default();
    let mut bytes = 0usize;
    for file in files {
        let Ok(path) = evidence::record_path(dir, &file) else { continue };
        let Ok(records) = warc::read_all(&path) else { continue };
        for (_, rec) in records {
            if rec.header("WARC-Type") != Some("response") {
                continue;
            }
            let (Some(uri), Some(body), Some(headers)) =
                (rec.header("WARC-Target-URI"), rec.http_body(), rec.http_headers())
            else {
                continue;
            };
            let Ok(url) = Url::parse(uri.trim_matches(|c| c == '<' || c == '>')) else { continue };
            let header = |n: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)).map(|(_, v)| v.as_str());
            let Ok(decoded) = body::decode(body, &body::codings(header("content-encoding")), MAX_DECODED) else {
                continue;
            };
            bytes += decoded.len();
            if bytes > MAX_REPLAY_BYTES {
                return index;
            }
            let fetched_at = rec
                .header("WARC-Date")
                .and_then(|d| DateTime::parse_from_rfc3339(d).ok())
                .map_or(DateTime::UNIX_EPOCH, |d| d.with_timezone(&Utc));
            index.add(replayed(url, &headers, fetched_at), decoded);
        }
    }
    index
}

/// Pictures each page in `renderer` (which answers from the archive only), the claim marked.
pub async fn pictures(renderer: &Renderer, vendor: &Arc<Vendor>, pages: Vec<Archived>, lang: Lang) -> Vec<Picture> {
    let w = words(lang);
    let mut out = Vec::new();
    for a in pages {
        let (png, why_not) = match a.page {
            Err(why) => (None, Some(why)),
            Ok((document, body)) => {
                let page = PageToRender {
                    url: document.url.clone(),
                    document,
                    body,
                    vendor: vendor.clone(),
                    after: After::Screenshot { highlight: a.matched.clone() },
                };
                match renderer.render(page).await {
                    Ok(r) if r.image.is_some() => {
                        let why = (!r.highlighted).then(|| w.not_marked.to_string());
                        (r.image, why)
                    }
                    Ok(_) => (None, Some(w.no_image.to_string())),
                    Err(e) => (None, Some(format!("{}{} {e}", w.failed, w.colon))),
                }
            }
        };
        out.push(Picture { url: a.url, fetched_at: a.fetched_at, png, why_not });
    }
    out
}

/// The dossier's HTML printed to an A4 PDF by `renderer`, `footer` on every page.
pub async fn print(
    renderer: &Renderer,
    html: &str,
    footer: &str,
    finding: &str,
    now: DateTime<Utc>,
) -> Result<Vec<u8>, RenderError> {
    // Never fetched: the browser is answered by claimwatch, and the document loads nothing.
    let url = Url::parse("https://dossier.claimwatch.invalid/").and_then(|u| u.join(finding)).expect("a valid URL");
    let document = Exchange {
        url: url.clone(),
        method: "GET",
        request_headers: Vec::new(),
        status: 200,
        version: "HTTP/1.1".into(),
        headers: vec![("content-type".into(), b"text/html; charset=utf-8".to_vec())],
        body: Bytes::new(),
        fetched_at: now,
        remote_addr: None,
    };
    let page = PageToRender {
        url,
        document,
        body: html.as_bytes().to_vec(),
        vendor: Arc::new(Vendor::new("dossier", "dossier")),
        after: After::Pdf { footer: footer.to_string() },
    };
    renderer.render(page).await?.pdf.ok_or_else(|| RenderError::Page("no PDF came back".into()))
}

struct Words {
    not_archived: &'static str,
    unreadable: &'static str,
    undecodable: &'static str,
    pdf: &'static str,
    not_marked: &'static str,
    no_image: &'static str,
    failed: &'static str,
    /// A colon as the language sets it (French: after a no-break space).
    colon: &'static str,
}

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Fr => &Words {
            not_archived: "aucune copie archivée (page vue avant que les preuves ne soient conservées)",
            unreadable: "la copie archivée ne peut être lue",
            undecodable: "la copie archivée ne peut être décodée",
            pdf: "document PDF\u{a0}: la page du document où figure l’allégation est citée ci-dessous",
            not_marked: "l’allégation n’apparaît pas dans le texte affiché (titre, métadonnées ou attribut)\u{a0}: la capture montre le haut de la page",
            no_image: "le navigateur n’a rendu aucune image",
            failed: "le rendu de la copie archivée a échoué",
            colon: "\u{a0}:",
        },
        Lang::En => &Words {
            not_archived: "no archived copy (seen before evidence was kept)",
            unreadable: "the archived copy cannot be read",
            undecodable: "the archived copy cannot be decoded",
            pdf: "a PDF document: the page of the document that carries the claim is quoted below",
            not_marked: "the claim is not in the displayed text (title, metadata or attribute): the picture shows the top of the page",
            no_image: "the browser gave no image",
            failed: "rendering the archived copy failed",
            colon: ":",
        },
    }
}
