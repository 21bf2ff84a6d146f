//! PDF text extraction: generated documents read as written (WinAnsi and Identity-H fonts with
//! ToUnicode maps, positioned and kerned runs, ligatures, words hyphenated at line ends,
//! document info), and hostile documents answered by a clean error from the sandboxed child
//! (reference loops, a decompression bomb, deep nesting, huge page counts, encryption, scans),
//! with its CPU, memory and wall-clock limits enforced.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use claimwatch::pdf::{ChildError, ChildLimits, MAX_PAGES, PdfError, PdfText, extract_in_child, extract_pdf};
use common::Scratch;
use common::pdf::{self, Face, Page};

const CLAIM: &str = "Nuvexa Cloud est qualifié SecNumCloud.";

fn exe() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_claimwatch"))
}

/// Limits far above what any of these documents needs: a failure here is behaviour, not speed.
fn generous() -> ChildLimits {
    ChildLimits { wall: Duration::from_secs(600), cpu_secs: 300, ..ChildLimits::default() }
}

fn read(bytes: &[u8]) -> PdfText {
    extract_pdf(bytes).unwrap_or_else(|e| panic!("extraction failed: {e}"))
}

fn in_child(bytes: &[u8]) -> Result<PdfText, ChildError> {
    extract_in_child(exe(), bytes, &generous())
}

// ---- what a document says ----

#[test]
fn winansi_text_reads_alike_in_one_string_in_placed_words_and_in_kerned_runs() {
    let doc = pdf::document(
        &[Page::new()
            .line(Face::WinAnsi, 12.0, 72.0, 760.0, CLAIM)
            .words(Face::WinAnsi, 12.0, 72.0, 740.0, CLAIM)
            .kerned(Face::WinAnsi, 12.0, 72.0, 720.0, CLAIM)
            .words(Face::WinAnsi, 9.0, 300.0, 700.0, "Hébergement à Lyon (Île-de-France exclue) : 99,9 %")],
        &[],
    );
    let text = read(&doc);
    assert_eq!(text.pages.len(), 1);
    assert_eq!(text.pages[0], format!("{CLAIM}\n{CLAIM}\n{CLAIM}\nHébergement à Lyon (Île-de-France exclue) : 99,9 %"));
}

#[test]
fn identity_h_glyph_ids_reach_unicode_through_the_to_unicode_map() {
    let said = "L'offre Nuvexa Souveraine est qualifiée SecNumCloud par l'ANSSI.";
    let doc = pdf::document(
        &[Page::new().line(Face::Cid, 11.0, 72.0, 760.0, said).words(Face::Cid, 11.0, 72.0, 740.0, said).kerned(
            Face::Cid,
            11.0,
            72.0,
            720.0,
            "Nuvexa Santé est certiﬁée HDS, ﬂux chiffrés.",
        )],
        &[],
    );
    let text = read(&doc);
    assert_eq!(text.pages[0], format!("{said}\n{said}\nNuvexa Santé est certifiée HDS, flux chiffrés."));
}

#[test]
fn a_claim_split_across_two_lines_is_read_whole() {
    let doc = pdf::document(
        &[Page::new()
            .line(Face::WinAnsi, 12.0, 72.0, 700.0, "Depuis 2025, Nuvexa Cloud est quali-")
            .line(Face::WinAnsi, 12.0, 72.0, 686.0, "fié SecNumCloud pour ses régions")
            .line(Face::WinAnsi, 12.0, 72.0, 672.0, "d'Île-de-")
            .line(Face::WinAnsi, 12.0, 72.0, 658.0, "France et de Lyon.")
            .line(Face::Cid, 12.0, 72.0, 600.0, "L'offre Nuvexa Santé est certi-")
            .words(Face::Cid, 12.0, 72.0, 586.0, "fiée HDS.")],
        &[],
    );
    let text = read(&doc);
    assert_eq!(
        text.pages[0],
        "Depuis 2025, Nuvexa Cloud est qualifié SecNumCloud pour ses régions\nd'Île-de-France et de Lyon.\n\nL'offre Nuvexa Santé est certifiée HDS."
    );
}

#[test]
fn ligature_glyphs_are_expanded() {
    let doc = pdf::document(
        &[Page::new().line(Face::WinAnsiFi, 12.0, 72.0, 700.0, "Nuvexa Cloud est certiﬁé HDS.").line(
            Face::Cid,
            12.0,
            72.0,
            680.0,
            "Nuvexa est qualiﬁé SecNumCloud, ses ﬂux aussi.",
        )],
        &[],
    );
    let text = read(&doc);
    assert_eq!(text.pages[0], "Nuvexa Cloud est certifié HDS.\nNuvexa est qualifié SecNumCloud, ses flux aussi.");
}

#[test]
fn a_claim_only_in_the_document_info_is_read_there() {
    let doc = pdf::document(
        &[Page::new().line(Face::WinAnsi, 12.0, 72.0, 700.0, "Grille tarifaire 2026")],
        &[
            ("Title", "Nuvexa Cloud — offre qualifiée SecNumCloud"),
            ("Subject", "Tarifs"),
            ("Keywords", "SecNumCloud, qualifié SecNumCloud, HDS"),
        ],
    );
    let text = read(&doc);
    assert_eq!(text.pages, ["Grille tarifaire 2026"]);
    assert!(text.problems.is_empty());
    assert_eq!(text.title.as_deref(), Some("Nuvexa Cloud — offre qualifiée SecNumCloud"));
    assert_eq!(text.subject.as_deref(), Some("Tarifs"));
    assert_eq!(text.keywords.as_deref(), Some("SecNumCloud, qualifié SecNumCloud, HDS"));
    assert!(!text.pages[0].contains("SecNumCloud"));
}

#[test]
fn each_page_is_at_its_own_index_and_a_blank_page_stays_in_place() {
    let doc = pdf::document(
        &[
            Page::new().line(Face::WinAnsi, 20.0, 72.0, 760.0, "Nuvexa Cloud"),
            Page::new(),
            Page::new().line(Face::Cid, 12.0, 72.0, 700.0, "Page trois : qualifiée SecNumCloud."),
        ],
        &[],
    );
    let text = read(&doc);
    assert_eq!(text.pages, ["Nuvexa Cloud", "", "Page trois : qualifiée SecNumCloud."]);
    assert_eq!(text.title, None);
}

#[test]
fn text_in_a_form_xobject_and_under_a_matrix_is_read() {
    let mut o = pdf::Objects::new();
    o.add("<< /Type /Catalog /Pages 2 0 R >>");
    o.add("<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    o.add("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /XObject << /Fm0 5 0 R >> >> >>");
    o.stream("", b"q 1 0 0 1 50 600 cm /Fm0 Do Q q 0 1 -1 0 500 100 cm /Fm0 Do Q");
    o.stream(
        "/Type /XObject /Subtype /Form /BBox [0 0 500 100] /Resources << /Font << /F1 6 0 R >> >>",
        b"BT /F1 12 Tf 0 0 Td (Nuvexa Cloud est qualifi\\351 SecNumCloud.) Tj ET",
    );
    o.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
    let text = read(&o.finish("/Root 1 0 R"));
    assert_eq!(text.pages, [format!("{CLAIM}\n{CLAIM}")]);
}

#[test]
fn the_child_answers_what_extraction_in_process_answers() {
    let doc = pdf::document(
        &[
            Page::new().kerned(Face::Cid, 12.0, 72.0, 700.0, "Nuvexa Souveraine est qualiﬁée SecNumCloud."),
            Page::new().line(Face::WinAnsi, 12.0, 72.0, 700.0, "Nuvexa Cloud est quali-").line(
                Face::WinAnsi,
                12.0,
                72.0,
                686.0,
                "fié SecNumCloud.",
            ),
        ],
        &[("Keywords", "SecNumCloud")],
    );
    let answer = in_child(&doc).unwrap_or_else(|e| panic!("the child failed: {e}"));
    assert_eq!(answer, read(&doc));
    assert_eq!(answer.pages, ["Nuvexa Souveraine est qualifiée SecNumCloud.", CLAIM]);
}

#[test]
fn a_page_printed_by_chromium_reads_as_written() {
    let Some(chromium) = pdf::chromium() else { return };
    let scratch = Scratch::new();
    let html = r#"<!doctype html><html lang="fr"><head><meta charset="utf-8">
        <title>Nuvexa Cloud — offre qualifiée SecNumCloud</title>
        <style>body { font-family: serif; width: 320px } p { text-align: justify } .narrow { width: 3em }</style>
        </head><body><h1>Nuvexa Cloud</h1>
        <p>Depuis 2025, l'offre Nuvexa Souveraine est qualifiée SecNumCloud. Nos flux sont chiffrés,
        nos bureaux certifiés, l'efficacité officielle de nos équipes reconnue.</p>
        <p class="narrow">quali&shy;fication</p>
        <p>Nuvexa Santé est certifiée HDS, une certi&shy;fication diffi&shy;cile à obtenir.</p>
        <ul><li>Île-de-France</li><li>Lyon</li></ul></body></html>"#;
    let bytes = pdf::print_html(&chromium, scratch.path(), html);
    let text = in_child(&bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(text.title.as_deref(), Some("Nuvexa Cloud — offre qualifiée SecNumCloud"));
    // Soft hyphens are the page's own text (as in HTML); where the line broke at one, the word
    // is whole again, without the hyphen Chromium drew.
    assert!(text.pages[0].lines().any(|l| l == "qualification"), "{:?}", text.pages[0]);
    let flat = text.pages[0].replace('\u{00AD}', "").replace('\n', " ");
    for said in [
        "l'offre Nuvexa Souveraine est qualifiée SecNumCloud.",
        "Nos flux sont chiffrés, nos bureaux certifiés, l'efficacité officielle de nos équipes reconnue.",
        "Nuvexa Santé est certifiée HDS, une certification difficile à obtenir.",
        "Île-de-France Lyon",
    ] {
        assert!(flat.contains(said), "{said:?} not in {flat:?}");
    }
}

// ---- hostile documents: a clean error from the child, within its limits ----

fn pdf_error(result: Result<PdfText, ChildError>) -> PdfError {
    match result {
        Err(ChildError::Pdf(e)) => e,
        Ok(text) => panic!("expected an error, got {text:?}"),
        Err(e) => panic!("expected the document's own error, got the child's: {e}"),
    }
}

#[test]
fn a_page_tree_that_is_its_own_kid_has_no_page() {
    let bytes = pdf::kids_loop();
    assert!(matches!(pdf_error(in_child(&bytes)), PdfError::Malformed(_)));
    assert!(matches!(extract_pdf(&bytes), Err(PdfError::Malformed(_))));
}

#[test]
fn reference_loops_end_and_the_page_among_them_is_read() {
    // Kids, parents, a font entry, an outline and a stream length that go round: the page tree
    // walk and every dereference stop, the font falls back to WinAnsi, the stream whose length
    // cannot be known is left out, and the page among them is read.
    let text = in_child(&pdf::reference_loops()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(text.pages[0], CLAIM);
}

#[test]
fn a_decompression_bomb_is_stopped_at_the_stream_limit() {
    let bytes = pdf::flate_bomb(1 << 30);
    assert!(bytes.len() < 64 << 10, "the bomb is small: {} bytes", bytes.len());
    match pdf_error(in_child(&bytes)) {
        PdfError::Limit(why) => assert!(why.contains("limit"), "{why}"),
        e => panic!("expected a limit, got {e:?}"),
    }
}

#[test]
fn the_bomb_inflates_as_announced() {
    use std::io::Read;
    let mut inflated = 0u64;
    let compressed = pdf::zeros_zlib(10_000_000);
    let mut z = flate2::read::ZlibDecoder::new(&compressed[..]);
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = z.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        assert!(buf[..n].iter().all(|b| *b == 0));
        inflated += n as u64;
    }
    assert_eq!(inflated, 10_000_000);
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    match pdf_error(in_child(&pdf::deep_nesting(100_000))) {
        PdfError::Malformed(why) => assert!(why.starts_with("page 1: 1 of its text objects cannot be parsed"), "{why}"),
        e => panic!("{e:?}"),
    }
}

#[test]
fn a_text_object_that_does_not_parse_hides_only_itself_and_is_said() {
    let nested = format!("{}(x){}", "[".repeat(1000), "]".repeat(1000));
    let doc = pdf::document(
        &[
            Page::new().line(Face::WinAnsi, 12.0, 72.0, 700.0, "Sommaire"),
            Page::new()
                .line(Face::WinAnsi, 12.0, 72.0, 700.0, "Nuvexa Cloud est")
                .raw(&format!("BT /F1 12 Tf 72 690 Td {nested} TJ ET"))
                .line(Face::WinAnsi, 12.0, 72.0, 680.0, "qualifié SecNumCloud."),
        ],
        &[],
    );
    let text = read(&doc);
    assert_eq!(text.pages, ["Sommaire", "Nuvexa Cloud est\nqualifié SecNumCloud."]);
    assert_eq!(text.problems.len(), 1);
    assert!(text.problems[0].starts_with("page 2: 1 of its text objects cannot be parsed"), "{:?}", text.problems);
}

#[test]
fn more_pages_than_the_cap_are_refused_whole() {
    assert_eq!(pdf_error(in_child(&pdf::many_pages(MAX_PAGES + 500))), PdfError::TooManyPages(MAX_PAGES + 500));
    assert_eq!(pdf_error(in_child(&pdf::lying_count(10_000_000))), PdfError::TooManyPages(10_000_000));
    // At the cap, every page is read.
    assert_eq!(read(&pdf::many_pages(MAX_PAGES)).pages.len(), MAX_PAGES);
}

#[test]
fn an_encrypted_document_is_said_encrypted() {
    assert_eq!(pdf_error(in_child(&pdf::encrypted())), PdfError::Encrypted);
    let locked = pdf::encrypt(&pdf::simple(CLAIM), "Nuvexa user");
    assert_eq!(pdf_error(in_child(&locked)), PdfError::Encrypted);
}

#[test]
fn an_encrypted_document_anyone_may_open_is_read() {
    // An owner password alone restricts printing or copying, not reading: every reader opens it.
    let open = pdf::encrypt(
        &pdf::document(&[Page::new().kerned(Face::Cid, 12.0, 72.0, 700.0, CLAIM)], &[("Title", "Nuvexa — fiche")]),
        "",
    );
    assert!(open.windows(8).any(|w| w == b"/Encrypt"));
    let text = in_child(&open).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(text.pages, [CLAIM]);
    assert_eq!(text.title.as_deref(), Some("Nuvexa — fiche"));
}

#[test]
fn a_scan_has_no_text_layer() {
    assert_eq!(pdf_error(in_child(&pdf::scanned())), PdfError::NoTextLayer { pages: 1 });
}

#[test]
fn what_is_not_a_pdf_is_malformed() {
    for bytes in [&b""[..], b"<html>SecNumCloud</html>", b"%PDF-1.7\n1 0 obj << /Type /Catalog"] {
        assert!(matches!(pdf_error(in_child(bytes)), PdfError::Malformed(_)), "{bytes:?}");
    }
}

// ---- the child's limits, each shown on a child that breaks it ----

/// A stand-in for the extractor: a shell script (retried while another test's fork still holds
/// it open for writing).
fn run_stand_in(scratch: &Scratch, name: &str, script: &str, limits: &ChildLimits) -> Result<PdfText, ChildError> {
    use std::os::unix::fs::PermissionsExt;
    let path: PathBuf = scratch.write(name, format!("#!/bin/sh\n{script}\n"));
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    for _ in 0..100 {
        match extract_in_child(&path, b"%PDF-1.7\n", limits) {
            Err(ChildError::Spawn(e)) if e.raw_os_error() == Some(libc::ETXTBSY) => {
                std::thread::sleep(Duration::from_millis(20))
            }
            other => return other,
        }
    }
    panic!("{name} stayed busy");
}

#[test]
fn a_child_that_never_answers_is_killed_at_the_wall_clock_limit() {
    let scratch = Scratch::new();
    let limits = ChildLimits { wall: Duration::from_secs(1), ..ChildLimits::default() };
    let result = run_stand_in(&scratch, "sleeper", "exec sleep 600", &limits);
    assert!(matches!(result, Err(ChildError::TimedOut(d)) if d == Duration::from_secs(1)), "{result:?}");
}

#[test]
fn a_child_that_spins_is_stopped_at_its_cpu_limit() {
    let scratch = Scratch::new();
    let limits = ChildLimits { cpu_secs: 1, wall: Duration::from_secs(600), ..ChildLimits::default() };
    let result = run_stand_in(&scratch, "spinner", "while :; do :; done", &limits);
    assert!(matches!(result, Err(ChildError::CpuLimit(1))), "{result:?}");
}

#[test]
fn a_child_that_crashes_is_reported_with_what_it_said() {
    let scratch = Scratch::new();
    let result = run_stand_in(&scratch, "crasher", "echo 'parser exploded' >&2; exit 3", &generous());
    match result {
        Err(ChildError::Crashed(why)) => assert_eq!(why, "exit code 3: parser exploded"),
        other => panic!("{other:?}"),
    }
    let result = run_stand_in(&scratch, "babbler", "echo 'not json'", &generous());
    assert!(matches!(result, Err(ChildError::Crashed(ref why)) if why.starts_with("unreadable answer")), "{result:?}");
}

#[test]
fn the_real_child_runs_out_of_memory_at_its_address_space_limit() {
    // 160 MB of input cannot be held in 96 MiB of address space, whatever else the child needs.
    let mut input = b"%PDF-1.7\n".to_vec();
    input.resize(160 << 20, b' ');
    let limits = ChildLimits { memory_bytes: 96 << 20, ..generous() };
    let result = extract_in_child(exe(), &input, &limits);
    assert!(matches!(result, Err(ChildError::OutOfMemory(m)) if m == 96 << 20), "{result:?}");
}

#[test]
fn a_missing_extractor_cannot_be_run() {
    let result = extract_in_child(Path::new("/nonexistent/claimwatch"), b"", &generous());
    assert!(matches!(result, Err(ChildError::Spawn(_))), "{result:?}");
}
