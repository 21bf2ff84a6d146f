//! Documents other than HTML pages: a PDF is read in a child process under limits (see `pdf::child`) and becomes a page like any other.

use std::path::PathBuf;
use std::sync::OnceLock;

use crate::extract::Page;
use crate::extract::pdf::page_from_pdf;
use crate::pdf::child::{ChildLimits, extract_in_child};

/// Whether a body is a PDF document by its first bytes (the header may sit after some junk,
/// which readers tolerate within the first kilobyte).
pub fn looks_like_pdf(body: &[u8]) -> bool {
    body[..body.len().min(1024)].windows(5).any(|w| w == b"%PDF-")
}

/// Whether a body is a PDF to read as one: its bytes say so, and, when it came from a URL,
/// its Content-Type or `.pdf` path does too (a file named `.pdf` served as text is text).
pub fn is_pdf_document(content_type: Option<&str>, url: Option<&url::Url>, body: &[u8]) -> bool {
    looks_like_pdf(body) && url.is_none_or(|u| crate::fetch::is_pdf(content_type, u))
}

/// The program that extracts PDFs: claimwatch itself. `CLAIMWATCH_PDF_EXTRACTOR` names
/// another path, for a library embedding the pipeline (integration tests run in their own
/// test binary, which has no extraction subcommand).
fn extractor() -> Result<&'static PathBuf, String> {
    static EXE: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    EXE.get_or_init(|| match std::env::var_os("CLAIMWATCH_PDF_EXTRACTOR") {
        Some(p) => Ok(PathBuf::from(p)),
        None => {
            std::env::current_exe().map_err(|e| format!("cannot find claimwatch's own program to read the PDF: {e}"))
        }
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// Reads a PDF's text into a page, or says why it could not be read (encrypted, scanned, over
/// a limit, the extractor stopped…): the document is then not checked.
pub fn read_pdf(bytes: &[u8]) -> Result<Page, String> {
    let exe = extractor()?;
    let text = extract_in_child(exe, bytes, &ChildLimits::default()).map_err(|e| e.to_string())?;
    let page = page_from_pdf(&text);
    if page.segments.is_empty() {
        return Err("the PDF has no text".into());
    }
    Ok(page)
}
