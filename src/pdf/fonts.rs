//! PDF fonts as text extraction needs them: the Unicode text of each character code (ToUnicode
//! map first, then the font's encoding) and how far each code advances the pen.

use std::collections::HashMap;

use lopdf::{Dictionary, Document, Encoding, Object, ObjectId};

use super::{MAX_STREAM_BYTES, PdfError};

/// The advance of a code whose width the font does not give, in thousandths of an em.
const DEFAULT_WIDTH: f64 = 500.0;

/// A font of a page, ready to decode the strings shown with it.
pub(super) struct Font<'d> {
    decoder: Decoder<'d>,
    widths: Widths,
    /// Text space units per width unit: 1/1000, or a Type 3 font's own matrix.
    scale: f64,
}

enum Decoder<'d> {
    /// One byte a code: the text of each of the 256 codes (`None`: nothing known).
    Simple(Vec<Option<Box<str>>>),
    /// Two bytes a code (Type 0 fonts): decoded by the font's ToUnicode map, or not at all.
    Composite(Option<Encoding<'d>>),
}

enum Widths {
    Simple { first: i64, widths: Vec<f64>, missing: f64 },
    Composite { default: f64, widths: HashMap<u32, f64>, ranges: Vec<(u32, u32, f64)> },
}

/// One shown string, decoded: its text and its advance in text space units (font size 1,
/// before character and word spacing), with how many codes it had and how many were the
/// single-byte space code (word spacing applies to those).
pub(super) struct Shown {
    pub text: String,
    pub advance: f64,
    pub codes: usize,
    pub spaces: usize,
}

impl<'d> Font<'d> {
    /// Reads a font dictionary. Fails only on a limit (a ToUnicode map that inflates past
    /// [`MAX_STREAM_BYTES`]); anything else unreadable degrades to a font that decodes nothing.
    pub(super) fn load(doc: &'d Document, dict: &'d Dictionary) -> Result<Font<'d>, PdfError> {
        let subtype = dict.get(b"Subtype").and_then(Object::as_name).unwrap_or(b"");
        if subtype == b"Type0" {
            let decoder = Decoder::Composite(composite_encoding(doc, dict)?);
            let widths = composite_widths(doc, dict);
            return Ok(Font { decoder, widths, scale: 0.001 });
        }
        let scale = if subtype == b"Type3" {
            deref(doc, dict.get(b"FontMatrix").ok())
                .and_then(|m| m.as_array().ok())
                .and_then(|m| m.first())
                .and_then(|a| number(doc, a))
                .filter(|a| a.is_finite() && *a != 0.0)
                .unwrap_or(0.001)
        } else {
            0.001
        };
        Ok(Font { decoder: Decoder::Simple(simple_table(doc, dict)?), widths: simple_widths(doc, dict), scale })
    }

    /// The font of a page that names a font it does not define: WinAnsi, as readers assume.
    fn fallback() -> Font<'d> {
        let table = (0u8..=255)
            .map(|b| {
                let byte = [b];
                let (s, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&byte);
                s.chars().all(|c| !c.is_control()).then(|| s.into_owned().into_boxed_str())
            })
            .collect();
        let widths = Widths::Simple { first: 0, widths: Vec::new(), missing: DEFAULT_WIDTH };
        Font { decoder: Decoder::Simple(table), widths, scale: 0.001 }
    }

    /// Decodes one string shown with this font.
    pub(super) fn show(&self, bytes: &[u8]) -> Shown {
        match &self.decoder {
            Decoder::Simple(table) => {
                let mut text = String::with_capacity(bytes.len());
                let mut advance = 0.0;
                let mut spaces = 0;
                for &b in bytes {
                    if let Some(s) = &table[usize::from(b)] {
                        text.push_str(s);
                    }
                    advance += self.width(u32::from(b));
                    spaces += usize::from(b == b' ');
                }
                Shown { text, advance, codes: bytes.len(), spaces }
            }
            Decoder::Composite(encoding) => {
                let mut text = String::new();
                if let Some(encoding) = encoding {
                    let _ = encoding.write_to_string(bytes, &mut text);
                    text.retain(|c| c != '\u{FFFD}');
                }
                let (pairs, rest) = bytes.as_chunks::<2>();
                let mut advance: f64 = pairs.iter().map(|p| self.width(u32::from(u16::from_be_bytes(*p)))).sum();
                if let Some(&b) = rest.first() {
                    advance += self.width(u32::from(b));
                }
                Shown { text, advance, codes: pairs.len() + rest.len(), spaces: 0 }
            }
        }
    }

    fn width(&self, code: u32) -> f64 {
        let w = match &self.widths {
            Widths::Simple { first, widths, missing } => i64::from(code)
                .checked_sub(*first)
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| widths.get(i).copied())
                .unwrap_or(*missing),
            Widths::Composite { default, widths, ranges } => widths
                .get(&code)
                .copied()
                .or_else(|| ranges.iter().find(|(lo, hi, _)| (*lo..=*hi).contains(&code)).map(|r| r.2))
                .unwrap_or(*default),
        };
        w * self.scale
    }
}

/// The text of each code of a simple font: its ToUnicode map where it maps the code, else its
/// encoding (base encoding and differences, WinAnsi, MacRoman, standard).
fn simple_table(doc: &Document, dict: &Dictionary) -> Result<Vec<Option<Box<str>>>, PdfError> {
    let mut table: Vec<Option<Box<str>>> = vec![None; 256];
    if let Some(encoding) = limited(dict.get_font_encoding_with_limit(doc, MAX_STREAM_BYTES))? {
        fill(&mut table, &encoding);
    }
    // lopdf reads /Encoding before /ToUnicode; the ToUnicode map is what the producer says each
    // glyph means, so it wins where it says something.
    if dict.has(b"Encoding") && dict.has(b"ToUnicode") {
        let mut unicode_only = dict.clone();
        unicode_only.remove(b"Encoding");
        if let Some(encoding @ Encoding::UnicodeMapEncoding(_)) =
            limited(unicode_only.get_font_encoding_with_limit(doc, MAX_STREAM_BYTES))?
        {
            fill(&mut table, &encoding);
        }
    }
    Ok(table)
}

fn fill(table: &mut [Option<Box<str>>], encoding: &Encoding<'_>) {
    for (code, slot) in (0u8..=255).zip(table.iter_mut()) {
        let mut s = String::new();
        if encoding.write_to_string(&[code], &mut s).is_ok() && !s.is_empty() && !s.contains('\u{FFFD}') {
            *slot = Some(s.into_boxed_str());
        }
    }
}

/// A Type 0 font's ToUnicode map, when it has a readable one (Identity-H and Identity-V fonts
/// carry no other way to Unicode); the UCS-2 predefined CMaps lopdf knows decode as UTF-16.
fn composite_encoding<'d>(doc: &'d Document, dict: &'d Dictionary) -> Result<Option<Encoding<'d>>, PdfError> {
    Ok(limited(dict.get_font_encoding_with_limit(doc, MAX_STREAM_BYTES))?.filter(|e| match e {
        Encoding::UnicodeMapEncoding(_) => true,
        Encoding::SimpleEncoding(name) => matches!(*name, b"UniGB-UCS2-H" | b"UniGB-UTF16-H"),
        _ => false,
    }))
}

/// Keeps a decompression limit as an error; any other failure to read an encoding is no encoding.
fn limited<T>(r: lopdf::Result<T>) -> Result<Option<T>, PdfError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if super::is_limit(&e) => {
            Err(PdfError::Limit(format!("a font's ToUnicode map: {}", super::describe(&e))))
        }
        Err(_) => Ok(None),
    }
}

fn simple_widths(doc: &Document, dict: &Dictionary) -> Widths {
    let first = deref(doc, dict.get(b"FirstChar").ok()).and_then(|o| o.as_i64().ok()).unwrap_or(0);
    let widths: Vec<f64> = deref(doc, dict.get(b"Widths").ok())
        .and_then(|o| o.as_array().ok())
        .map(|a| a.iter().take(256).map(|w| number(doc, w).filter(|w| w.is_finite()).unwrap_or(0.0)).collect())
        .unwrap_or_default();
    let missing = deref(doc, dict.get(b"FontDescriptor").ok())
        .and_then(|d| d.as_dict().ok())
        .and_then(|d| d.get(b"MissingWidth").ok())
        .and_then(|w| number(doc, w))
        .filter(|w| w.is_finite() && *w > 0.0)
        .unwrap_or(DEFAULT_WIDTH);
    Widths::Simple { first, widths, missing }
}

/// The widths of a Type 0 font's descendant: `/DW` and the `/W` array, whose entries are either
/// `c [w1 w2 …]` (consecutive codes from c) or `c_first c_last w`.
fn composite_widths(doc: &Document, dict: &Dictionary) -> Widths {
    let descendant = deref(doc, dict.get(b"DescendantFonts").ok())
        .and_then(|d| d.as_array().ok())
        .and_then(|a| a.first())
        .and_then(|d| deref(doc, Some(d)))
        .and_then(|d| d.as_dict().ok());
    let default = descendant
        .and_then(|d| d.get(b"DW").ok())
        .and_then(|w| number(doc, w))
        .filter(|w| w.is_finite())
        .unwrap_or(1000.0);
    let mut widths = HashMap::new();
    let mut ranges = Vec::new();
    let w = descendant.and_then(|d| deref(doc, d.get(b"W").ok())).and_then(|w| w.as_array().ok());
    let code = |o: &Object| number(doc, o).filter(|c| (0.0..=f64::from(u32::MAX)).contains(c)).map(|c| c as u32);
    let mut items = w.map(|w| w.as_slice()).unwrap_or_default().iter();
    while let Some(first) = items.next().and_then(code) {
        match items.next().and_then(|o| deref(doc, Some(o))) {
            Some(Object::Array(list)) => {
                for (i, w) in list.iter().enumerate().take(65_536) {
                    let (Some(c), Some(w)) = (first.checked_add(i as u32), number(doc, w)) else { break };
                    widths.insert(c, w);
                }
            }
            Some(last) => {
                let (Some(last), Some(w)) = (code(last), items.next().and_then(|w| number(doc, w))) else { break };
                ranges.push((first, last, w));
            }
            None => break,
        }
    }
    Widths::Composite { default, widths, ranges }
}

/// The object a value refers to (itself when it is not a reference).
pub(super) fn deref<'a>(doc: &'a Document, o: Option<&'a Object>) -> Option<&'a Object> {
    doc.dereference(o?).ok().map(|(_, o)| o)
}

/// A number, integer or real, through references.
pub(super) fn number(doc: &Document, o: &Object) -> Option<f64> {
    match deref(doc, Some(o))? {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
}

/// Where a font dictionary is: its object id, or (written inline) its address, which is stable
/// while the document lives.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum FontKey {
    Object(ObjectId),
    Inline(usize),
}

/// The fonts of a document, each read once.
#[derive(Default)]
pub(super) struct Fonts<'d> {
    index: HashMap<FontKey, usize>,
    fonts: Vec<Font<'d>>,
    fallback: Option<usize>,
}

impl<'d> Fonts<'d> {
    /// The font at `key`, read from `dict` the first time.
    pub(super) fn get(&mut self, doc: &'d Document, key: FontKey, dict: &'d Dictionary) -> Result<usize, PdfError> {
        if let Some(&i) = self.index.get(&key) {
            return Ok(i);
        }
        self.fonts.push(Font::load(doc, dict)?);
        let i = self.fonts.len() - 1;
        self.index.insert(key, i);
        Ok(i)
    }

    /// The font used where a page names one it does not define.
    pub(super) fn fallback(&mut self) -> usize {
        *self.fallback.get_or_insert_with(|| {
            self.fonts.push(Font::fallback());
            self.fonts.len() - 1
        })
    }

    pub(super) fn font(&self, i: usize) -> &Font<'d> {
        &self.fonts[i]
    }
}
