//! A PDF's extracted text as a page to read: one segment per PDF page (location `pdf`, detail `page N`), its lines joined into paragraphs, and the document info as meta.

use super::{EncodingSource, Location, Page, Segment};
use crate::pdf::PdfText;

/// The page claimwatch reads from a PDF's text.
pub fn page_from_pdf(text: &PdfText) -> Page {
    let mut segments = Vec::with_capacity(text.pages.len() + 3);
    for (field, value) in [("pdf Title", &text.title), ("pdf Subject", &text.subject), ("pdf Keywords", &text.keywords)]
    {
        if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            segments.push(Segment::new(Location::Meta, field, v));
        }
    }
    for (i, page) in text.pages.iter().enumerate() {
        let prose = paragraphs(page);
        if !prose.is_empty() {
            segments.push(Segment::new(Location::Pdf, format!("page {}", i + 1), prose));
        }
    }
    Page {
        encoding: "PDF",
        encoding_source: EncodingSource::Document,
        decode_errors: false,
        segments,
        canonical_url: None,
        hrefs: Vec::new(),
        scripts: 0,
        base_href: None,
        app_shell_hint: false,
        parse_limit: None,
        notes: text.problems.clone(),
        site_name: None,
        genre_signals: Vec::new(),
    }
}

/// Joins a page's lines into paragraphs, one a line. A PDF breaks lines where the column
/// ends, not where the sentence does (« Nuvexa Cloud est » / « qualifié SecNumCloud »), so a
/// line goes on into the next unless it ends a sentence or the next starts a list item; an
/// empty line (blocks set apart on the page) always ends a paragraph.
fn paragraphs(page: &str) -> String {
    let mut out = String::with_capacity(page.len());
    let mut open = false;
    for line in page.lines().map(str::trim) {
        if line.is_empty() {
            open = false;
            continue;
        }
        if open && !starts_item(line) {
            out.push(' ');
        } else if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(line);
        open = !ends_sentence(line);
    }
    out
}

fn ends_sentence(line: &str) -> bool {
    line.ends_with(['.', '!', '?', ':', ';', '»', '"', '…'])
}

fn starts_item(line: &str) -> bool {
    // Besides the usual bullets, what PDF lists and tables set at a line's start.
    line.starts_with(super::layout::BULLETS)
        || line.starts_with(['–', '—', '■', '□', '|'])
        || line
            .split_once(['.', ')'])
            .is_some_and(|(n, _)| !n.is_empty() && n.len() <= 3 && n.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_broken_by_the_column_are_one_paragraph_and_list_items_stay_apart() {
        let page = "Nuvexa Cloud est\nqualifié SecNumCloud depuis\nmars.\nAutres atouts :\n• hébergement en France\n• support 24/7\n\nTitre suivant";
        assert_eq!(
            paragraphs(page),
            "Nuvexa Cloud est qualifié SecNumCloud depuis mars.\nAutres atouts :\n• hébergement en France\n• support 24/7\nTitre suivant"
        );
    }

    #[test]
    fn pages_and_document_info_become_segments() {
        let text = PdfText {
            pages: vec!["Page one".into(), String::new(), "Page three".into()],
            title: Some("Fiche Nuvexa".into()),
            subject: None,
            keywords: Some("  ".into()),
            problems: vec!["page 2: unreadable font".into()],
        };
        let page = page_from_pdf(&text);
        let seen: Vec<(Location, &str, &str)> =
            page.segments.iter().map(|s| (s.location, s.detail.as_str(), s.text.as_str())).collect();
        assert_eq!(
            seen,
            [
                (Location::Meta, "pdf Title", "Fiche Nuvexa"),
                (Location::Pdf, "page 1", "Page one"),
                (Location::Pdf, "page 3", "Page three"),
            ]
        );
        assert_eq!(page.notes, ["page 2: unreadable font"]);
    }
}
