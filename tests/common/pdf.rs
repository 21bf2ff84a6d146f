//! A small PDF writer for the tests: valid files with a correct cross-reference table, three
//! fonts (Helvetica in WinAnsi, the same with a `/fi` ligature in `/Differences`, and an
//! Identity-H Type 0 font whose glyph ids reach Unicode only through its ToUnicode map), text
//! placed in runs, document info, and the hostile shapes the extraction must survive.
//! All wording is invented (« Nuvexa »).

use std::fmt::Write as _;
use std::io::Write as _;

/// PDF objects numbered from 1, written out with a cross-reference table pointing at each.
#[derive(Default)]
pub struct Objects {
    bodies: Vec<Vec<u8>>,
}

impl Objects {
    pub fn new() -> Objects {
        Objects::default()
    }

    /// A number for an object written later with [`Objects::set`].
    pub fn reserve(&mut self) -> usize {
        self.bodies.push(Vec::new());
        self.bodies.len()
    }

    pub fn set(&mut self, id: usize, body: impl AsRef<[u8]>) {
        self.bodies[id - 1] = body.as_ref().to_vec();
    }

    pub fn add(&mut self, body: impl AsRef<[u8]>) -> usize {
        let id = self.reserve();
        self.set(id, body);
        id
    }

    /// A stream object: `dict` holds the entries besides `/Length`.
    pub fn stream(&mut self, dict: &str, data: &[u8]) -> usize {
        let mut body = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
        body.extend_from_slice(data);
        body.extend_from_slice(b"\nendstream");
        self.add(body)
    }

    /// The file: header, objects, cross-reference table, and a trailer with `/Size` and the
    /// entries given (`/Root 1 0 R /Info 9 0 R`).
    pub fn finish(&self, trailer: &str) -> Vec<u8> {
        let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
        let mut offsets = Vec::with_capacity(self.bodies.len());
        for (i, body) in self.bodies.iter().enumerate() {
            offsets.push(out.len());
            writeln!(out, "{} 0 obj", i + 1).unwrap();
            out.extend_from_slice(body);
            out.extend_from_slice(b"\nendobj\n");
        }
        let xref = out.len();
        write!(out, "xref\n0 {}\n0000000000 65535 f \n", self.bodies.len() + 1).unwrap();
        for offset in offsets {
            writeln!(out, "{offset:010} 00000 n ").unwrap();
        }
        write!(out, "trailer\n<< /Size {} {trailer} >>\nstartxref\n{xref}\n%%EOF\n", self.bodies.len() + 1).unwrap();
        out
    }
}

/// The fonts every document of [`document`] carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Face {
    /// `/F1`: Type 1 Helvetica, `/Encoding /WinAnsiEncoding`.
    WinAnsi,
    /// `/F3`: Type 1 Helvetica, WinAnsi base encoding with code 0x81 as `/fi` (the ligature ﬁ).
    WinAnsiFi,
    /// `/F2`: Type 0, `/Encoding /Identity-H`, two-byte glyph ids with a ToUnicode map.
    Cid,
}

/// Helvetica's advance widths (thousandths of an em) for codes 32–126; other codes 556.
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556,
    556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833,
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556,
    556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334,
    260, 334, 584,
];

fn helvetica(code: u8) -> u16 {
    match code {
        32..=126 => HELVETICA[usize::from(code - 32)],
        _ => 556,
    }
}

/// The characters the Identity-H font has a glyph for, besides a–z (glyph ids 100–125).
const CID_OTHERS: &str = " ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,;:'’-()«»!?àâéèêëîïôùûüçÉÈÀ\u{FB01}\u{FB02}";

/// The glyph id of `c` in the Identity-H font: scattered, so that only the ToUnicode map says
/// which character it is.
fn gid(c: char) -> u16 {
    if c.is_ascii_lowercase() {
        return 100 + (c as u16 - 'a' as u16);
    }
    let i = CID_OTHERS.chars().position(|o| o == c).unwrap_or_else(|| panic!("no glyph for {c:?}"));
    300 + 7 * i as u16
}

fn cid_width(c: char) -> u16 {
    match c {
        'a'..='z' | ' ' => helvetica(c as u8),
        _ => 600,
    }
}

impl Face {
    fn resource(self) -> &'static str {
        match self {
            Face::WinAnsi => "F1",
            Face::Cid => "F2",
            Face::WinAnsiFi => "F3",
        }
    }

    fn codes(self, text: &str) -> Vec<u8> {
        match self {
            Face::Cid => text.chars().flat_map(|c| gid(c).to_be_bytes()).collect(),
            Face::WinAnsi | Face::WinAnsiFi => {
                let mut out = Vec::new();
                for (i, part) in text.split('\u{FB01}').enumerate() {
                    if i > 0 {
                        assert_eq!(self, Face::WinAnsiFi, "ﬁ needs Face::WinAnsiFi");
                        out.push(0x81);
                    }
                    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(part);
                    assert!(!unmappable, "not in WinAnsi: {part:?}");
                    out.extend_from_slice(&bytes);
                }
                out
            }
        }
    }

    /// The advance of `text`, in thousandths of an em.
    pub fn width(self, text: &str) -> f64 {
        match self {
            Face::Cid => text.chars().map(|c| f64::from(cid_width(c))).sum(),
            _ => self.codes(text).into_iter().map(|b| f64::from(helvetica(b))).sum(),
        }
    }

    /// `text` as a PDF string token: literal for the simple fonts, hexadecimal for the CID one.
    fn string(self, text: &str) -> String {
        let codes = self.codes(text);
        match self {
            Face::Cid => format!("<{}>", hex::encode_upper(codes)),
            _ => literal(&codes),
        }
    }
}

/// A literal string token; bytes outside ASCII are escaped in octal so the content stays text.
fn literal(bytes: &[u8]) -> String {
    let mut s = String::from("(");
    for &b in bytes {
        match b {
            b'(' | b')' | b'\\' => write!(s, "\\{}", b as char).unwrap(),
            32..=126 => s.push(b as char),
            _ => write!(s, "\\{b:03o}").unwrap(),
        }
    }
    s.push(')');
    s
}

/// A text string for the document info: literal when ASCII, else UTF-16BE with its mark.
fn text_string(text: &str) -> String {
    if text.is_ascii() {
        return literal(text.as_bytes());
    }
    let units: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    format!("<FEFF{}>", hex::encode_upper(units))
}

/// The content of one page, built line by line.
#[derive(Default, Clone)]
pub struct Page {
    ops: String,
}

impl Page {
    pub fn new() -> Page {
        Page::default()
    }

    /// A line shown as one string (`Tj`), spaces included.
    pub fn line(mut self, face: Face, size: f64, x: f64, y: f64, text: &str) -> Page {
        writeln!(self.ops, "BT /{} {size} Tf {x} {y} Td {} Tj ET", face.resource(), face.string(text)).unwrap();
        self
    }

    /// A line shown as one run per word, each placed by its own `Td` after the previous word's
    /// advance and a space: no space character is drawn.
    pub fn words(mut self, face: Face, size: f64, x: f64, y: f64, text: &str) -> Page {
        write!(self.ops, "BT /{} {size} Tf {x} {y} Td", face.resource()).unwrap();
        let mut advance = 0.0;
        for word in text.split(' ') {
            write!(self.ops, " {advance:.3} 0 Td {} Tj", face.string(word)).unwrap();
            advance = (face.width(word) + face.width(" ")) * size / 1000.0;
        }
        self.ops.push_str(" ET\n");
        self
    }

    /// A line shown with one `TJ`: each word's letters in pairs with a small kerning between
    /// them, words apart by an offset of a space's width instead of a space character.
    pub fn kerned(mut self, face: Face, size: f64, x: f64, y: f64, text: &str) -> Page {
        write!(self.ops, "BT /{} {size} Tf {x} {y} Td [", face.resource()).unwrap();
        for (i, word) in text.split(' ').enumerate() {
            if i > 0 {
                write!(self.ops, " {:.0}", -face.width(" ")).unwrap();
            }
            let chars: Vec<char> = word.chars().collect();
            for (j, pair) in chars.chunks(2).enumerate() {
                if j > 0 {
                    self.ops.push_str(if j % 2 == 0 { " 15" } else { " -12" });
                }
                write!(self.ops, " {}", face.string(&pair.iter().collect::<String>())).unwrap();
            }
        }
        self.ops.push_str(" ] TJ ET\n");
        self
    }

    /// Draws the image XObject `/Im0` over the page.
    pub fn image(mut self) -> Page {
        self.ops.push_str("q 400 0 0 500 100 150 cm /Im0 Do Q\n");
        self
    }

    /// Content operators as written.
    pub fn raw(mut self, ops: &str) -> Page {
        self.ops.push_str(ops);
        self.ops.push('\n');
        self
    }
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(data).unwrap();
    z.finish().unwrap()
}

/// The three fonts and the image, as a resource dictionary (written once, inherited by every
/// page from the page tree's root).
fn resources(o: &mut Objects) -> usize {
    let widths: Vec<String> = (32..=255u8).map(|c| helvetica(c).to_string()).collect();
    let widths = widths.join(" ");
    let f1 = o.add(format!(
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding /FirstChar 32 /LastChar 255 /Widths [{widths}] >>"
    ));
    let f3 = o.add(format!(
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [129 /fi] >> /FirstChar 32 /LastChar 255 /Widths [{widths}] >>"
    ));
    // The Identity-H font: a–z in one bfrange, everything else one bfchar each.
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n1 begincodespacerange <0000> <FFFF> endcodespacerange\n1 beginbfrange <0064> <007D> <0061> endbfrange\n",
    );
    let others: Vec<char> = CID_OTHERS.chars().collect();
    for block in others.chunks(100) {
        writeln!(cmap, "{} beginbfchar", block.len()).unwrap();
        for &c in block {
            let unicode: Vec<u8> = c.encode_utf16(&mut [0; 2]).iter().flat_map(|u| u.to_be_bytes()).collect();
            writeln!(cmap, "<{:04X}> <{}>", gid(c), hex::encode_upper(unicode)).unwrap();
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap CMapName currentdict /CMap defineresource pop end end\n");
    let to_unicode = o.stream("/Filter /FlateDecode", &deflate(cmap.as_bytes()));
    let lower: Vec<String> = ('a'..='z').map(|c| cid_width(c).to_string()).collect();
    let descriptor = o.add(
        "<< /Type /FontDescriptor /FontName /NuvexaSans /Flags 32 /FontBBox [0 -200 1000 900] /ItalicAngle 0 /Ascent 900 /Descent -200 /CapHeight 700 /StemV 80 >>",
    );
    let descendant = o.add(format!(
        "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /NuvexaSans /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor {descriptor} 0 R /DW 600 /W [100 [{}] {} [{}]] /CIDToGIDMap /Identity >>",
        lower.join(" "),
        gid(' '),
        cid_width(' ')
    ));
    let f2 = o.add(format!(
        "<< /Type /Font /Subtype /Type0 /BaseFont /NuvexaSans /Encoding /Identity-H /DescendantFonts [{descendant} 0 R] /ToUnicode {to_unicode} 0 R >>"
    ));
    let image = o.stream(
        "/Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8",
        &[0, 255, 255, 0],
    );
    o.add(format!(
        "<< /Font << /F1 {f1} 0 R /F2 {f2} 0 R /F3 {f3} 0 R >> /XObject << /Im0 {image} 0 R >> /ProcSet [/PDF /Text /ImageB] >>"
    ))
}

/// A document: these pages (content compressed with Flate) and these document info entries
/// (`("Title", "…")`).
pub fn document(pages: &[Page], info: &[(&str, &str)]) -> Vec<u8> {
    build(pages, info, None)
}

/// [`document`], with the page count the page tree declares when given.
fn build(pages: &[Page], info: &[(&str, &str)], declared: Option<u64>) -> Vec<u8> {
    let mut o = Objects::new();
    let catalog = o.reserve();
    let tree = o.reserve();
    let res = resources(&mut o);
    let mut kids = Vec::new();
    for page in pages {
        let content = o.stream("/Filter /FlateDecode", &deflate(page.ops.as_bytes()));
        kids.push(
            o.add(format!("<< /Type /Page /Parent {tree} 0 R /MediaBox [0 0 595 842] /Contents {content} 0 R >>")),
        );
    }
    let kids: Vec<String> = kids.iter().map(|k| format!("{k} 0 R")).collect();
    let count = declared.unwrap_or(kids.len() as u64);
    o.set(tree, format!("<< /Type /Pages /Kids [{}] /Count {count} /Resources {res} 0 R >>", kids.join(" ")));
    o.set(catalog, format!("<< /Type /Catalog /Pages {tree} 0 R >>"));
    let mut trailer = format!("/Root {catalog} 0 R");
    if !info.is_empty() {
        let entries: Vec<String> = info.iter().map(|(k, v)| format!("/{k} {}", text_string(v))).collect();
        let id = o.add(format!("<< {} /Producer (claimwatch tests) >>", entries.join(" ")));
        write!(trailer, " /Info {id} 0 R").unwrap();
    }
    o.finish(&trailer)
}

/// A one-page document with one line of text in Helvetica.
pub fn simple(text: &str) -> Vec<u8> {
    document(&[Page::new().line(Face::WinAnsi, 12.0, 72.0, 720.0, text)], &[])
}

// ---- hostile documents ----

/// The page tree's root lists itself as its only kid: no page is ever reached.
pub fn kids_loop() -> Vec<u8> {
    let mut o = Objects::new();
    o.add("<< /Type /Catalog /Pages 2 0 R >>");
    o.add("<< /Type /Pages /Kids [2 0 R 2 0 R] /Count 1 >>");
    o.finish("/Root 1 0 R")
}

/// A page among loops: page-tree nodes that are their own kid and parent, a `/Font` entry
/// that refers to itself, an outline that is its own parent, and a second content stream whose
/// `/Length` goes round a two-object cycle.
pub fn reference_loops() -> Vec<u8> {
    let mut o = Objects::new();
    o.add("<< /Type /Catalog /Pages 2 0 R /Outlines 7 0 R >>"); // 1
    o.add("<< /Type /Pages /Kids [3 0 R 2 0 R 4 0 R] /Count 2 /Parent 2 0 R >>"); // 2
    o.add(
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents [5 0 R 10 0 R] /Resources << /Font 6 0 R >> >>",
    ); // 3
    o.add("<< /Type /Pages /Kids [4 0 R 2 0 R] /Count 1 /Parent 4 0 R >>"); // 4
    o.stream("", b"BT /F1 12 Tf 72 720 Td (Nuvexa Cloud est qualifi\\351 SecNumCloud.) Tj ET"); // 5
    o.add("6 0 R"); // 6: /Font refers to itself
    o.add("<< /First 7 0 R /Last 7 0 R /Count 1 /Parent 7 0 R >>"); // 7
    o.add("9 0 R"); // 8: the second stream's length, through a two-object cycle
    o.add("8 0 R"); // 9
    o.add("<< /Length 8 0 R >>\nstream\nBT /F1 12 Tf 72 700 Td (Fin.) Tj ET\nendstream"); // 10
    o.finish("/Root 1 0 R")
}

/// A zlib stream that inflates to `size` zero bytes: a fixed-Huffman deflate block of one
/// literal and matches of 258 bytes at distance 1 (13 bits each).
pub fn zeros_zlib(size: u64) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        acc: u64,
        n: u32,
    }
    impl Bits {
        fn put(&mut self, value: u64, len: u32) {
            self.acc |= value << self.n;
            self.n += len;
            while self.n >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.n -= 8;
            }
        }
        // Huffman codes go most significant bit first.
        fn code(&mut self, code: u64, len: u32) {
            let reversed = (0..len).fold(0, |r, i| (r << 1) | ((code >> i) & 1));
            self.put(reversed, len);
        }
    }
    assert!(size >= 259);
    let mut b = Bits { out: vec![0x78, 0x01], acc: 0, n: 0 };
    b.put(1, 1); // final block
    b.put(1, 2); // fixed Huffman
    b.code(0x30, 8); // literal 0
    let mut left = size - 1;
    while left >= 258 {
        b.code(0b1100_0101, 8); // length code 285: 258 bytes
        b.code(0, 5); // distance code 0: 1
        left -= 258;
    }
    while left > 0 {
        b.code(0x30, 8); // the rest as literals
        left -= 1;
    }
    b.code(0, 7); // end of block
    if b.n > 0 {
        b.put(0, 8 - b.n);
    }
    // Adler-32 of zeros: A stays 1, B adds it once a byte.
    let adler = ((size % 65521) << 16) | 1;
    b.out.extend_from_slice(&(adler as u32).to_be_bytes());
    b.out
}

/// A page whose content stream inflates to `size` bytes through two Flate layers: a few
/// kilobytes in the file.
pub fn flate_bomb(size: u64) -> Vec<u8> {
    let inner = zeros_zlib(size);
    let outer = deflate(&inner);
    let mut o = Objects::new();
    o.add("<< /Type /Catalog /Pages 2 0 R >>");
    o.add("<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    o.add("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>");
    o.stream("/Filter [/FlateDecode /FlateDecode]", &outer);
    o.finish("/Root 1 0 R")
}

/// Arrays nested `depth` deep in the page's content (as a `TJ` operand) and dictionaries
/// nested `depth` deep in an object of the page.
pub fn deep_nesting(depth: usize) -> Vec<u8> {
    let mut o = Objects::new();
    o.add("<< /Type /Catalog /Pages 2 0 R >>");
    o.add("<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    o.add("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Annots 5 0 R >>");
    let ops = format!("BT /F1 12 Tf 72 720 Td {}(Nuvexa){} TJ ET", "[".repeat(depth), "]".repeat(depth));
    o.stream("", ops.as_bytes());
    o.add(format!("{}/K 1{}", "<< /A ".repeat(depth), " >>".repeat(depth)));
    o.finish("/Root 1 0 R")
}

/// `pages` page objects that all show one shared content stream, and a page tree that says so.
pub fn many_pages(pages: usize) -> Vec<u8> {
    let mut o = Objects::new();
    o.add("<< /Type /Catalog /Pages 2 0 R >>");
    let kids: Vec<String> = (0..pages).map(|i| format!("{} 0 R", i + 4)).collect();
    o.add(format!(
        "<< /Type /Pages /Kids [{}] /Count {pages} /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >> >> >> >>",
        kids.join(" ")
    ));
    o.stream("", b"BT /F1 12 Tf 72 720 Td (Nuvexa) Tj ET");
    for _ in 0..pages {
        o.add("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R >>");
    }
    o.finish("/Root 1 0 R")
}

/// One page, and a page tree that claims `count` of them.
pub fn lying_count(count: u64) -> Vec<u8> {
    build(&[Page::new().line(Face::WinAnsi, 12.0, 72.0, 720.0, "Nuvexa Cloud")], &[], Some(count))
}

/// A document with a standard security handler in its trailer whose passwords are not empty:
/// its strings and streams cannot be read.
pub fn encrypted() -> Vec<u8> {
    let mut o = Objects::new();
    o.add("<< /Type /Catalog /Pages 2 0 R >>");
    o.add("<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    o.add("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>");
    o.stream("", &[0x8c, 0x1f, 0x52, 0xe0, 0x07, 0x33, 0x9a, 0x41, 0xd2, 0x6b, 0x0e, 0x77]);
    let o_entry = "4E7578657861204F776E6572204B657920466F722054657374732E2E2E2E2E2E";
    let u_entry = "A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8F90";
    let encrypt =
        o.add(format!("<< /Filter /Standard /V 2 /R 3 /Length 128 /P -3904 /O <{o_entry}> /U <{u_entry}> >>"));
    o.finish(&format!(
        "/Root 1 0 R /Encrypt {encrypt} 0 R /ID [<0123456789ABCDEF0123456789ABCDEF> <0123456789ABCDEF0123456789ABCDEF>]"
    ))
}

/// A scanned page: an image and no text, with a title.
pub fn scanned() -> Vec<u8> {
    document(&[Page::new().image()], &[("Title", "Nuvexa Cloud — plaquette")])
}

// ---- documents printed by a real browser ----

/// Headless Chromium, when installed (required in CI, where `.ci/run` installs it).
pub fn chromium() -> Option<std::path::PathBuf> {
    let found = ["chromium", "chromium-browser", "google-chrome"].iter().find_map(|c| {
        let ok = std::process::Command::new(c).arg("--version").output().ok().filter(|o| o.status.success());
        ok.map(|_| std::path::PathBuf::from(c))
    });
    if found.is_none() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("Chromium is required in CI (Debian package chromium)");
        }
        eprintln!("skipped: Chromium not installed (apt-get install chromium)");
    }
    found
}

/// `html` printed to PDF by headless Chromium (no network: a local file, no header or footer).
pub fn print_html(chromium: &std::path::Path, dir: &std::path::Path, html: &str) -> Vec<u8> {
    let page = dir.join("page.html");
    let pdf = dir.join("page.pdf");
    std::fs::write(&page, html).unwrap();
    let out = std::process::Command::new(chromium)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-pdf-header-footer"])
        .args(["--disable-background-networking", "--disable-component-update", "--disable-sync"])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(&page)
        .output()
        .unwrap();
    std::fs::read(&pdf)
        .unwrap_or_else(|e| panic!("Chromium printed nothing ({e}): {}", String::from_utf8_lossy(&out.stderr)))
}

/// `bytes` encrypted by lopdf with the standard security handler (RC4, 128-bit key), an owner
/// password and this user password (empty: anyone may open it).
pub fn encrypt(bytes: &[u8], user_password: &str) -> Vec<u8> {
    let mut doc = lopdf::Document::load_mem(bytes).unwrap();
    let id = lopdf::Object::string_literal(b"0123456789ABCDEF".to_vec());
    doc.trailer.set("ID", lopdf::Object::Array(vec![id.clone(), id]));
    let version = lopdf::EncryptionVersion::V2 {
        document: &doc,
        owner_password: "Nuvexa owner",
        user_password,
        key_length: 128,
        permissions: lopdf::Permissions::default(),
    };
    let state = lopdf::EncryptionState::try_from(version).unwrap();
    doc.encrypt(&state).unwrap();
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}
