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
    let mut out = String::with_capacity(text.len());
    fold(text, |c, _| out.push(c));
    out
}

/// The folded form of `text` with the map back to `text`.
pub fn normalize_with_map(text: &str) -> Normalized {
    let mut out = String::with_capacity(text.len());
    let mut origin = Vec::with_capacity(text.len());
    fold(text, |c, range| {
        out.push(c);
        let r = (range.start as u32, range.end as u32);
        origin.extend(std::iter::repeat_n(r, c.len_utf8()));
    });
    Normalized { text: out, origin }
}

/// Emits the folded characters of `text`, each with the original range it came from.
///
/// Whitespace runs become one space, or one `'\n'` when the run holds a newline (newlines are
/// block boundaries inserted by extraction); leading and trailing whitespace is dropped.
fn fold(text: &str, mut emit: impl FnMut(char, Range<usize>)) {
    // The pending whitespace run: its first original range and whether it holds a newline.
    let mut pending: Option<(Range<usize>, bool)> = None;
    let mut started = false;
    let mut push = |c: char, range: Range<usize>, pending: &mut Option<(Range<usize>, bool)>| {
        if c == ' ' || c == '\n' {
            match pending {
                Some((_, nl)) => *nl |= c == '\n',
                None => *pending = Some((range, c == '\n')),
            }
            return;
        }
        if let Some((r, nl)) = pending.take()
            && started
        {
            emit(if nl { '\n' } else { ' ' }, r);
        }
        started = true;
        emit(c, range);
    };
    for (i, c) in text.char_indices() {
        let range = i..i + c.len_utf8();
        if c.is_ascii() {
            let f = match c {
                '\n' => '\n',
                c if c.is_ascii_whitespace() || c.is_ascii_control() => ' ',
                c => c.to_ascii_lowercase(),
            };
            push(f, range, &mut pending);
            continue;
        }
        if is_ignorable(c) {
            continue;
        }
        if c.is_whitespace() {
            push(' ', range, &mut pending);
            continue;
        }
        if let Some(s) = fold_special(c) {
            for f in s.chars() {
                push(f, range.clone(), &mut pending);
            }
            continue;
        }
        decompose_compatible(c, |d| {
            if is_combining_mark(d) || is_ignorable(d) {
                return;
            }
            if d.is_ascii() {
                let f = if d.is_ascii_whitespace() { ' ' } else { d.to_ascii_lowercase() };
                push(f, range.clone(), &mut pending);
            } else if d.is_whitespace() {
                push(' ', range.clone(), &mut pending);
            } else if let Some(s) = fold_special(d) {
                for f in s.chars() {
                    push(f, range.clone(), &mut pending);
                }
            } else {
                for f in d.to_lowercase() {
                    if !is_combining_mark(f) {
                        push(f, range.clone(), &mut pending);
                    }
                }
            }
        });
    }
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
    fn newline_wins_over_spaces_in_a_run() {
        assert_eq!(normalize("Cloud. \n De confiance."), "cloud.\nde confiance.");
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
    fn map_agrees_with_the_fast_path() {
        for s in ["", "  ", "Ǆ ǅ ǆ İstanbul ﬃ", "a\u{200B} \u{200B}b", "Ὀδυσσεύς — œuvre"] {
            assert_eq!(normalize_with_map(s).text, normalize(s), "{s:?}");
        }
    }
}
