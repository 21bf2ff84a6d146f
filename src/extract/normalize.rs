//! Folds text into the form patterns match against (case, accents, compatibility forms, invisible characters, spaces, quotes, look-alike letters), optionally with a map back to the original.
//!
//! Vendors write labels in many ways, some of them evasive: "Sec\u{AD}Num\u{200B}Cloud",
//! "SECNUMCLOUD", "qualifié\u{202F}SecNumCloud", "ЅесNumCloud" with Cyrillic letters. Matching
//! happens on the folded text; evidence must quote the page itself, so the folding can also
//! record, for every folded byte, which original character produced it.

use std::ops::Range;

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// Folded text plus, for each of its bytes, the byte range of the original character it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    pub text: String,
    origin: Vec<(u32, u32)>,
}

impl Normalized {
    /// The original byte range that produced the folded range `folded` (which must be non-empty).
    pub fn original_range(&self, folded: Range<usize>) -> Range<usize> {
        debug_assert!(folded.start < folded.end && folded.end <= self.origin.len());
        let start = self.origin[folded.start].0 as usize;
        let end = self.origin[folded.end - 1].1 as usize;
        start..end
    }
}

/// The folded form of `text`, without the map (the fast path for text with no label in it).
pub fn normalize(text: &str) -> String {
    let mut sink = TextSink(Vec::with_capacity(text.len()));
    fold(text, &mut sink);
    String::from_utf8(sink.0).expect("folding emits whole UTF-8 sequences")
}

/// The folded form of `text` with the map back to `text`.
pub fn normalize_with_map(text: &str) -> Normalized {
    let mut sink = MapSink { text: Vec::with_capacity(text.len()), origin: Vec::with_capacity(text.len()) };
    fold(text, &mut sink);
    Normalized { text: String::from_utf8(sink.text).expect("folding emits whole UTF-8 sequences"), origin: sink.origin }
}

/// Where folded bytes go: plain text, or text plus the original range of each byte.
trait Sink {
    fn byte(&mut self, b: u8, start: usize, end: usize);
    /// A run of printable ASCII starting at original offset `start`, already known to need only
    /// lower-casing: the hot path, since most page text is ASCII.
    fn ascii_run(&mut self, run: &[u8], start: usize) {
        for (k, &b) in run.iter().enumerate() {
            self.byte(b.to_ascii_lowercase(), start + k, start + k + 1);
        }
    }
    fn char(&mut self, c: char, start: usize, end: usize) {
        let mut buf = [0u8; 4];
        for &b in c.encode_utf8(&mut buf).as_bytes() {
            self.byte(b, start, end);
        }
    }
}

struct TextSink(Vec<u8>);

impl Sink for TextSink {
    #[inline]
    fn byte(&mut self, b: u8, _: usize, _: usize) {
        self.0.push(b);
    }
    #[inline]
    fn ascii_run(&mut self, run: &[u8], _: usize) {
        // Copied, then lowered in place: both vectorise.
        let at = self.0.len();
        self.0.extend_from_slice(run);
        self.0[at..].make_ascii_lowercase();
    }
}

struct MapSink {
    text: Vec<u8>,
    origin: Vec<(u32, u32)>,
}

impl Sink for MapSink {
    #[inline]
    fn byte(&mut self, b: u8, start: usize, end: usize) {
        self.text.push(b);
        self.origin.push((start as u32, end as u32));
    }
}

/// Folds `text` into `sink`.
///
/// Every `'\n'` (a block boundary inserted by extraction) is kept, so that line `k` of the
/// folded text is the folding of line `k` of the original: a line can be folded again on its
/// own, with its map, and come out the same. Other whitespace runs become one space; spaces at
/// the start or end of a line are dropped.
fn fold(text: &str, sink: &mut impl Sink) {
    let bytes = text.as_bytes();
    let mut state = Line { space: None, has_text: false };
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            match b {
                b'\n' => {
                    state = Line { space: None, has_text: false };
                    sink.byte(b'\n', i, i + 1);
                }
                0..=0x20 | 0x7F => state.space(i, i + 1),
                _ => {
                    let end = ascii_run_end(bytes, i);
                    state.flush(sink);
                    sink.ascii_run(&bytes[i..end], i);
                    i = end;
                    continue;
                }
            }
            i += 1;
            continue;
        }
        // French text is full of é, à, ç: fold the Latin-1 letters without the general machinery.
        if b == 0xC3
            && let Some(&next) = bytes.get(i + 1)
            && let f = LATIN1_LETTERS[usize::from(next & 0x3F)]
            && f != 0
        {
            state.flush(sink);
            sink.byte(f, i, i + 2);
            i += 2;
            continue;
        }
        let c = text[i..].chars().next().expect("i is on a char boundary");
        let end = i + c.len_utf8();
        fold_char(c, i, end, &mut state, sink);
        i = end;
    }
}

/// The end of the run of printable ASCII that starts at `start` (itself printable, not a
/// space), single spaces between words included: such a space folds to itself, as it would
/// through the whitespace state (a pending space written before the next word, with its own
/// byte as origin), so a line of plain words is one run instead of one per word.
#[inline]
fn ascii_run_end(bytes: &[u8], start: usize) -> usize {
    let printable = |b: u8| (0x21..0x7F).contains(&b);
    let mut end = start + 1;
    while let Some(&b) = bytes.get(end) {
        if printable(b) {
            end += 1;
        } else if b == b' ' && bytes.get(end + 1).is_some_and(|&n| printable(n)) {
            end += 2;
        } else {
            break;
        }
    }
    end
}

/// Folded forms of U+00C0–U+00FF (UTF-8 `C3 80`–`C3 BF`) that are one ASCII letter, as NFKD
/// plus mark removal plus lower-casing gives them; 0 for the others (Æ, ×, ß, Ø…), which take
/// the general path.
const LATIN1_LETTERS: [u8; 64] = *b"aaaaaa\0ceeeeiiii\0nooooo\0\0uuuuy\0\0aaaaaa\0ceeeeiiii\0nooooo\0\0uuuuy\0y";

/// Whitespace state of the line being folded.
struct Line {
    /// The first whitespace character of a pending run (written only if text follows).
    space: Option<(usize, usize)>,
    has_text: bool,
}

impl Line {
    #[inline]
    fn space(&mut self, start: usize, end: usize) {
        if self.space.is_none() {
            self.space = Some((start, end));
        }
    }

    #[inline]
    fn flush(&mut self, sink: &mut impl Sink) {
        if let Some((s, e)) = self.space.take()
            && self.has_text
        {
            sink.byte(b' ', s, e);
        }
        self.has_text = true;
    }

    fn emit(&mut self, c: char, start: usize, end: usize, sink: &mut impl Sink) {
        if c == ' ' {
            self.space(start, end);
        } else {
            self.flush(sink);
            sink.char(c, start, end);
        }
    }
}

fn fold_char(c: char, start: usize, end: usize, line: &mut Line, sink: &mut impl Sink) {
    fold_one(c, |f| line.emit(f, start, end, sink));
}

/// The folding of one character, as `emit` calls: each folded character in order, `' '` for
/// white space (a run of which the text fold makes one space), nothing at all for a character
/// that renders as nothing (soft hyphen, zero-width space, combining mark).
///
/// This is the one place where a character's folding is decided: the text fold above and the
/// byte-level prefilter (`crate::prefilter`) both go through it, so they cannot disagree.
pub(crate) fn fold_one(c: char, mut emit: impl FnMut(char)) {
    if is_ignorable(c) {
        return;
    }
    if c.is_whitespace() || c.is_control() {
        emit(' ');
        return;
    }
    if let Some(s) = fold_special(c) {
        s.chars().for_each(&mut emit);
        return;
    }
    decompose_compatible(c, |d| {
        if is_combining_mark(d) || is_ignorable(d) {
            return;
        }
        if d.is_ascii() {
            emit(if d.is_ascii_whitespace() || d.is_ascii_control() { ' ' } else { d.to_ascii_lowercase() });
        } else if d.is_whitespace() {
            emit(' ');
        } else if let Some(s) = fold_special(d) {
            s.chars().for_each(&mut emit);
        } else {
            for f in d.to_lowercase() {
                if !is_combining_mark(f) {
                    emit(f);
                }
            }
        }
    });
}

/// Characters that render as nothing (Unicode's default-ignorable code points): soft hyphen,
/// zero-width space and joiners, bidi controls, word joiner, BOM, variation selectors, tags.
fn is_ignorable(c: char) -> bool {
    matches!(c,
        '\u{AD}' | '\u{34F}' | '\u{61C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF0}'..='\u{FFF8}' | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

/// Quotes, dashes, ligatures and letters from other scripts that look like Latin ones.
///
/// The look-alikes are those of Unicode's confusables list (UTS #39) whose prototype is a
/// single Latin letter, restricted to Cyrillic, Greek and Latin small capitals: the scripts a
/// label can be faked with without looking odd to a reader.
fn fold_special(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{2035}' | '\u{02BC}' | '\u{02B9}'
        | '\u{00B4}' => "'",
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{00AB}' | '\u{00BB}' | '\u{2039}' | '\u{203A}'
        | '\u{2033}' | '\u{2036}' => "\"",
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{2043}' | '\u{FE58}' | '\u{FE63}' => "-",
        '\u{2026}' => "...",
        '\u{00B7}' | '\u{2022}' | '\u{2219}' | '\u{22C5}' => "\u{B7}",
        'œ' | 'Œ' => "oe",
        'æ' | 'Æ' => "ae",
        'ß' => "ss",
        // Cyrillic
        'а' | 'А' => "a",
        'в' | 'В' | 'Ь' => "b",
        'с' | 'С' => "c",
        'ԁ' => "d",
        'е' | 'Е' | 'ё' | 'Ё' => "e",
        'һ' | 'Һ' | 'Н' | 'н' => "h",
        'і' | 'І' | 'ї' | 'Ї' => "i",
        'ј' | 'Ј' => "j",
        'к' | 'К' => "k",
        'ӏ' | 'Ӏ' => "l",
        'м' | 'М' => "m",
        'п' => "n",
        'о' | 'О' => "o",
        'р' | 'Р' => "p",
        'ԛ' | 'Ԛ' => "q",
        'ѕ' | 'Ѕ' => "s",
        'т' | 'Т' => "t",
        'у' | 'У' | 'Ү' | 'ү' => "y",
        'ԝ' | 'Ԝ' => "w",
        'х' | 'Х' => "x",
        // Greek
        'α' | 'Α' => "a",
        'β' | 'Β' => "b",
        'ϲ' | 'Ϲ' => "c",
        'ε' | 'Ε' => "e",
        'Η' => "h",
        'ι' | 'Ι' => "i",
        'ϳ' => "j",
        'κ' | 'Κ' => "k",
        'Μ' => "m",
        'Ν' => "n",
        'ο' | 'Ο' => "o",
        'ρ' | 'Ρ' => "p",
        'τ' | 'Τ' => "t",
        'υ' => "u",
        'ν' => "v",
        'Υ' => "y",
        'χ' | 'Χ' => "x",
        'Ζ' => "z",
        // Latin letters that pass for others
        'ı' => "i",
        'ȷ' => "j",
        'ɡ' => "g",
        'ᴀ' => "a",
        'ʙ' => "b",
        'ᴄ' => "c",
        'ᴅ' => "d",
        'ᴇ' => "e",
        'ꜰ' => "f",
        'ɢ' => "g",
        'ʜ' => "h",
        'ɪ' => "i",
        'ᴊ' => "j",
        'ᴋ' => "k",
        'ʟ' => "l",
        'ᴍ' => "m",
        'ɴ' => "n",
        'ᴏ' => "o",
        'ᴘ' => "p",
        'ʀ' => "r",
        'ꜱ' => "s",
        'ᴛ' => "t",
        'ᴜ' => "u",
        'ᴠ' => "v",
        'ᴡ' => "w",
        'ʏ' => "y",
        'ᴢ' => "z",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_and_accents_fold() {
        assert_eq!(normalize("Qualifié SECNUMCLOUD — Hébergé"), "qualifie secnumcloud - heberge");
    }

    #[test]
    fn invisible_characters_inside_a_word_vanish() {
        assert_eq!(normalize("Sec\u{AD}Num\u{200B}Cl\u{2060}oud\u{FEFF}"), "secnumcloud");
    }

    #[test]
    fn every_kind_of_space_becomes_one_space() {
        assert_eq!(normalize("qualifié\u{A0}\u{202F} \tSecNumCloud\u{2009}3.2"), "qualifie secnumcloud 3.2");
        assert_eq!(normalize("  leading and trailing \u{3000} "), "leading and trailing");
    }

    #[test]
    fn newlines_are_kept_and_spaces_around_them_dropped() {
        assert_eq!(normalize("Cloud. \n De confiance."), "cloud.\nde confiance.");
        assert_eq!(normalize("a\n\u{200B}\nb\n"), "a\n\nb\n");
    }

    #[test]
    fn a_line_folds_the_same_alone_as_within_its_text() {
        let text = "  Un\u{A0}«\u{A0}Sec\u{AD}Num\u{A0}»\n Qualifié  SecNumCloud \u{2028}\nfin ";
        let whole = normalize(text);
        for (orig, folded) in text.split('\n').zip(whole.split('\n')) {
            assert_eq!(normalize(orig), folded, "{orig:?}");
        }
    }

    #[test]
    fn typographic_quotes_and_apostrophes_fold() {
        assert_eq!(
            normalize("«\u{A0}Secure Temple\u{A0}» n’est pas “qualifié”"),
            "\" secure temple \" n'est pas \"qualifie\""
        );
    }

    #[test]
    fn compatibility_forms_fold_with_nfkc() {
        assert_eq!(normalize("ＳｅｃＮｕｍＣｌｏｕｄ ﬁable 𝐒𝐞𝐜"), "secnumcloud fiable sec");
    }

    #[test]
    fn cyrillic_and_greek_look_alikes_fold_to_latin() {
        // Ѕ (U+0405), е (U+0435), с (U+0441), Ν (U+039D), Ο (U+039F)
        assert_eq!(normalize("\u{405}\u{435}\u{441}\u{39D}um\u{421}l\u{39F}ud"), "secnumcloud");
        assert_eq!(normalize("ʜᴅꜱ"), "hds");
    }

    #[test]
    fn latin1_fast_path_agrees_with_the_general_rules() {
        for c in '\u{C0}'..='\u{FF}' {
            let mut general = String::new();
            fold_char(c, 0, 0, &mut Line { space: None, has_text: true }, &mut StringSink(&mut general));
            assert_eq!(normalize(&c.to_string()), general.trim(), "{c}");
        }
    }

    struct StringSink<'a>(&'a mut String);
    impl Sink for StringSink<'_> {
        fn byte(&mut self, b: u8, _: usize, _: usize) {
            // Only whole characters arrive here in this test (ASCII or complete sequences).
            self.0.push(b as char);
        }
        fn char(&mut self, c: char, _: usize, _: usize) {
            self.0.push(c);
        }
    }

    #[test]
    fn decomposed_accents_fold_like_composed_ones() {
        assert_eq!(normalize("qualifie\u{301}"), normalize("qualifié"));
    }

    #[test]
    fn map_points_back_to_the_original_characters() {
        let original = "Un «\u{A0}Sec\u{AD}Num Cloud\u{A0}» qualifié";
        let n = normalize_with_map(original);
        assert_eq!(n.text, "un \" secnum cloud \" qualifie");
        let start = n.text.find("secnum").unwrap();
        let end = n.text.find(" \" q").unwrap();
        let r = n.original_range(start..end);
        assert_eq!(&original[r], "Sec\u{AD}Num Cloud");
        let q = n.text.find("qualifie").unwrap();
        let r = n.original_range(q..n.text.len());
        assert_eq!(&original[r], "qualifié");
    }

    #[test]
    fn words_and_single_spaces_fold_as_one_run_with_each_byte_its_own_origin() {
        let original = " Ab  Cd e\tF g \nH i\u{A0}j k\x7Fl ";
        let n = normalize_with_map(original);
        assert_eq!(n.text, "ab cd e f g\nh i j k l");
        let origins: Vec<Range<usize>> = (0..n.text.len()).map(|k| n.original_range(k..k + 1)).collect();
        let expected = [
            1..2,
            2..3,
            3..4,
            5..6,
            6..7,
            7..8,
            8..9,
            9..10,
            10..11,
            11..12,
            12..13,
            14..15,
            15..16,
            16..17,
            17..18,
            18..20,
            20..21,
            21..22,
            22..23,
            23..24,
            24..25,
        ];
        assert_eq!(origins, expected);
        assert_eq!(normalize(original), n.text);
    }

    #[test]
    fn map_agrees_with_the_fast_path() {
        for s in ["", "  ", "Ǆ ǅ ǆ İstanbul ﬃ", "a\u{200B} \u{200B}b", "Ὀδυσσεύς — œuvre"] {
            assert_eq!(normalize_with_map(s).text, normalize(s), "{s:?}");
        }
    }
}
