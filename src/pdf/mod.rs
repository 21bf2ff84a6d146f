//! PDF text extraction, pure: the bytes of a PDF in, the text of each page and the document info
//! (Title, Subject, Keywords) out, or why it cannot be read. Bounded against hostile documents
//! (pages, stream sizes, work, text); what cannot be bounded from inside runs in [`child`].
//!
//! lopdf parses the file (cross-reference repair, object streams, decryption with the empty
//! password, bounded decompression) and maps character codes to Unicode (ToUnicode maps,
//! WinAnsi and the other base encodings, `/Differences`). The layout of text runs into lines is
//! ours (`layout`), and so is the cleaning (`text`): ligatures expanded, white space normalised,
//! words hyphenated at line ends joined.

pub mod child;
mod fonts;
mod layout;
mod text;

use lopdf::{Document, LoadOptions, Object};
use serde::{Deserialize, Serialize};

pub use child::{ChildError, ChildLimits, child_main, extract_in_child};

/// The most pages read; a longer document is not read at all ([`PdfError::TooManyPages`]).
pub const MAX_PAGES: usize = 2_000;
/// The most one stream may inflate to (page content, form, font map, object stream).
pub const MAX_STREAM_BYTES: usize = 16 << 20;
/// The most content (page and form streams, decoded) one document may have in all.
pub const MAX_CONTENT_BYTES: usize = 512 << 20;
/// The most content operators one document may have interpreted in all (forms drawn several
/// times count each time).
pub const MAX_OPERATIONS: usize = 50_000_000;
/// The most text one document may yield.
pub const MAX_TEXT_BYTES: usize = 32 << 20;

/// The text of a PDF.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PdfText {
    /// The text of page N at index N-1: lines separated by `\n`, an empty line between blocks
    /// set far apart.
    pub pages: Vec<String>,
    pub title: Option<String>,
    pub subject: Option<String>,
    pub keywords: Option<String>,
    /// What could not be read of pages that were otherwise read (« page 3: … »): the text
    /// above is then incomplete, and says so here.
    #[serde(default)]
    pub problems: Vec<String>,
}

/// Why a PDF's text cannot be read. Each says so in words fit for a "not checked" reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum PdfError {
    #[error("the PDF is encrypted")]
    Encrypted,
    #[error("the PDF has no text layer ({pages} page(s) of images only, a scan?)")]
    NoTextLayer { pages: usize },
    #[error("the PDF cannot be read: {0}")]
    Malformed(String),
    #[error("the PDF has {0} pages, more than the {max} read", max = MAX_PAGES)]
    TooManyPages(usize),
    #[error("the PDF is over a limit: {0}")]
    Limit(String),
}

impl PdfError {
    /// The reason alone, without « the PDF … » around it (for a page's problem).
    fn reason(&self) -> String {
        match self {
            PdfError::Malformed(why) | PdfError::Limit(why) => why.clone(),
            e => e.to_string(),
        }
    }
}

/// Extracts the text of each page of a PDF and its document info.
pub fn extract_pdf(bytes: &[u8]) -> Result<PdfText, PdfError> {
    let options = LoadOptions { max_decompressed_size: Some(MAX_STREAM_BYTES), ..LoadOptions::default() };
    let doc = Document::load_mem_with_options(bytes, options).map_err(load_error)?;
    // Loaded with the empty user password when it has one; otherwise still encrypted.
    if doc.trailer.has(b"Encrypt") {
        return Err(PdfError::Encrypted);
    }
    if let Some(declared) = declared_pages(&doc).filter(|n| *n > MAX_PAGES) {
        return Err(PdfError::TooManyPages(declared));
    }
    let pages: Vec<_> = doc.page_iter().take(MAX_PAGES + 1).collect();
    if pages.len() > MAX_PAGES {
        return Err(PdfError::TooManyPages(doc.page_iter().count()));
    }
    if pages.is_empty() {
        return Err(PdfError::Malformed("no pages".into()));
    }
    let mut fonts = fonts::Fonts::default();
    let mut budget =
        layout::Budget { operations: MAX_OPERATIONS, content_bytes: MAX_CONTENT_BYTES, text_bytes: MAX_TEXT_BYTES };
    let mut texts = Vec::with_capacity(pages.len());
    let mut problems = Vec::new();
    for (n, page) in pages.into_iter().enumerate() {
        match layout::page_text(&doc, page, &mut fonts, &mut budget) {
            Ok((raw, problem)) => {
                texts.push(text::clean_page(&raw));
                problems.extend(problem.map(|p| format!("page {}: {p}", n + 1)));
            }
            Err(e @ PdfError::Limit(_)) => return Err(e),
            // One damaged page does not hide the others; it is said.
            Err(e) => {
                texts.push(String::new());
                problems.push(format!("page {}: {}", n + 1, e.reason()));
            }
        }
    }
    if texts.iter().all(String::is_empty) {
        return Err(match problems.into_iter().next() {
            Some(problem) => PdfError::Malformed(problem),
            None => PdfError::NoTextLayer { pages: texts.len() },
        });
    }
    let info = |key: &[u8]| -> Option<String> {
        let info = fonts::deref(&doc, doc.trailer.get(b"Info").ok())?.as_dict().ok()?;
        let value = fonts::deref(&doc, info.get(key).ok())?;
        text::clean_field(&lopdf::decode_text_string(value).ok()?)
    };
    Ok(PdfText {
        title: info(b"Title"),
        subject: info(b"Subject"),
        keywords: info(b"Keywords"),
        pages: texts,
        problems,
    })
}

/// The page count the root of the page tree declares.
fn declared_pages(doc: &Document) -> Option<usize> {
    let root = doc.catalog().ok()?.get(b"Pages").ok()?.as_reference().ok()?;
    let count = fonts::deref(doc, doc.get_dictionary(root).ok()?.get(b"Count").ok())?;
    match count {
        Object::Integer(n) => usize::try_from(*n).ok(),
        _ => None,
    }
}

fn load_error(e: lopdf::Error) -> PdfError {
    use lopdf::Error as E;
    match e {
        E::Decryption(_) | E::InvalidPassword | E::UnsupportedSecurityHandler(_) | E::AlreadyEncrypted => {
            PdfError::Encrypted
        }
        e if is_limit(&e) => PdfError::Limit(describe(&e)),
        e => PdfError::Malformed(describe(&e)),
    }
}

/// Whether lopdf stopped at one of the limits it was given (a stream inflating too far).
fn is_limit(e: &lopdf::Error) -> bool {
    matches!(
        e,
        lopdf::Error::Decompress(
            lopdf::DecompressError::MemoryLimitExceeded { .. } | lopdf::DecompressError::TooManyFilters { .. }
        )
    )
}

/// What lopdf says of an error, with the cause its decompression errors keep apart.
fn describe(e: &lopdf::Error) -> String {
    match e {
        lopdf::Error::Decompress(cause) => format!("{e}: {cause}"),
        e => e.to_string(),
    }
}
