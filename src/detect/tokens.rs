//! Words and punctuation of one sentence, each with its folded form and whether it is written with a capital: what attribution reads.

use crate::extract::normalize;

/// One word or punctuation mark of a sentence.
#[derive(Debug, Clone)]
pub struct Token<'a> {
    /// As written.
    pub text: &'a str,
    /// Folded (lower case, no accents); punctuation folds to itself.
    pub folded: String,
    /// Byte range in the sentence.
    pub start: usize,
    pub end: usize,
    /// Written with a capital letter somewhere ("Nuvexa", "OVHcloud", "S3NS").
    pub capital: bool,
    /// The punctuation mark, for punctuation tokens.
    pub punct: Option<char>,
}

impl Token<'_> {
    pub fn is(&self, word: &str) -> bool {
        self.folded == word
    }
    pub fn is_punct(&self, c: char) -> bool {
        self.punct == Some(c)
    }
    pub fn is_word(&self) -> bool {
        self.punct.is_none()
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{2BC}' | '\u{2018}')
}

/// Characters that are part of a word, whatever else the page put inside it.
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '\u{AD}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '&')
}

/// Punctuation that matters for reading a sentence; every other symbol separates words only.
fn punct_of(c: char) -> Option<char> {
    match c {
        ',' | ';' | ':' | '(' | ')' | '?' | '!' | '.' | '|' | '[' | ']' => Some(c),
        '«' | '»' | '"' | '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{2039}' | '\u{203A}' => Some('"'),
        '\u{2014}' | '\u{2013}' => Some('-'),
        _ => None,
    }
}

/// French elisions end a word at their apostrophe: « l'offre » is `l'` then `offre`.
const ELIDED: &[&str] =
    &["l", "d", "qu", "n", "s", "c", "j", "m", "t", "jusqu", "lorsqu", "puisqu", "quoiqu", "presqu", "quelqu"];

/// Splits a sentence into words and punctuation. Hyphens and dots join the parts of one word
/// ("celle-ci", "3.2"); a spaced dash is punctuation; a French elision is its own word.
pub fn tokenize(s: &str) -> Vec<Token<'_>> {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let at = |k: usize| chars.get(k).map_or(s.len(), |&(p, _)| p);
    let mut out: Vec<Token<'_>> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (pos, c) = chars[i];
        if !is_word_char(c) {
            if let Some(p) = punct_of(c) {
                let end = pos + c.len_utf8();
                out.push(Token {
                    text: &s[pos..end],
                    folded: p.to_string(),
                    start: pos,
                    end,
                    capital: false,
                    punct: Some(p),
                });
            } else if c == '-' && chars.get(i + 1).is_none_or(|&(_, n)| n.is_whitespace()) {
                out.push(Token {
                    text: "-",
                    folded: "-".into(),
                    start: pos,
                    end: pos + 1,
                    capital: false,
                    punct: Some('-'),
                });
            }
            i += 1;
            continue;
        }
        let mut word_start = i;
        let mut j = i;
        loop {
            while j < chars.len() && is_word_char(chars[j].1) {
                j += 1;
            }
            let next_is_word = |k: usize| chars.get(k).is_some_and(|&(_, n)| is_word_char(n));
            match chars.get(j) {
                // A hyphen, dot, slash or underscore between word characters stays inside the word.
                Some(&(_, d))
                    if matches!(d, '-' | '.' | '\u{2010}' | '\u{2011}' | '/' | '_') && next_is_word(j + 1) =>
                {
                    j += 1;
                }
                Some(&(p, d)) if is_apostrophe(d) && next_is_word(j + 1) => {
                    let word = normalize(&s[chars[word_start].0..p]);
                    // « que’OVH », « l'ANSSI »: before a capital the apostrophe ends an elision,
                    // whatever word it elides.
                    let capital_next = chars.get(j + 1).is_some_and(|&(_, n)| n.is_uppercase());
                    if ELIDED.contains(&word.as_str()) || (capital_next && word.chars().all(char::is_alphabetic)) {
                        // The elision is a word of its own, its apostrophe folded to `'`.
                        out.push(word_token(s, chars[word_start].0, at(j + 1), format!("{word}'")));
                        j += 1;
                        word_start = j;
                        continue;
                    }
                    let mut k = j + 1;
                    while k < chars.len() && chars[k].1.is_alphabetic() {
                        k += 1;
                    }
                    let tail = normalize(&s[at(j + 1)..at(k)]);
                    if matches!(tail.as_str(), "s" | "re" | "ve" | "ll" | "d" | "t" | "m") && !next_is_word(k) {
                        // English possessive or contraction: "Nuvexa's" is `nuvexa` then `'s`.
                        out.push(word_token(s, chars[word_start].0, p, word));
                        out.push(word_token(s, p, at(k), format!("'{tail}")));
                        word_start = k;
                        j = k;
                        break;
                    }
                    // Inside a word: « aujourd'hui ».
                    j += 1;
                }
                _ => break,
            }
        }
        if word_start < j {
            let (start, end) = (chars[word_start].0, at(j));
            out.push(word_token(s, start, end, normalize(&s[start..end])));
        }
        i = j.max(i + 1);
    }
    out
}

/// Whether `s` has more than `n` word tokens, told without tokenizing when the pieces between
/// white space show it: no token spans white space (neither a word character nor one that
/// joins words), and a piece with a word character in it yields at least one word token, so
/// the count of such pieces is a lower bound. `false` means "maybe not": tokenize to know.
pub fn surely_more_words_than(s: &str, n: usize) -> bool {
    let mut pieces = 0;
    for piece in s.split(char::is_whitespace) {
        if piece.chars().any(is_word_char) {
            pieces += 1;
            if pieces > n {
                return true;
            }
        }
    }
    false
}

fn word_token(s: &str, start: usize, end: usize, folded: String) -> Token<'_> {
    let text = &s[start..end];
    Token { text, folded, start, end, capital: text.chars().any(char::is_uppercase), punct: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        tokenize(s).into_iter().map(|t| t.folded).collect()
    }

    #[test]
    fn elisions_possessives_and_hyphens() {
        assert_eq!(words("L'offre d'Outscale"), ["l'", "offre", "d'", "outscale"]);
        assert_eq!(words("Nuvexa’s cloud"), ["nuvexa", "'s", "cloud"]);
        assert_eq!(words("celle-ci, v3.2 !"), ["celle-ci", ",", "v3.2", "!"]);
        assert_eq!(words("« Qualifié » — oui"), ["\"", "qualifie", "\"", "-", "oui"]);
        assert_eq!(words("aujourd'hui qu'il"), ["aujourd'hui", "qu'", "il"]);
    }

    #[test]
    fn word_pieces_bound_the_word_count_from_below() {
        for s in [
            "",
            "  ",
            "L'offre d'Outscale",
            "Nuvexa’s cloud",
            "celle-ci, v3.2 !",
            "« Qualifié » — oui",
            "aujourd'hui qu'il",
            "a - b -- c , . ;",
            "Sec\u{AD}Num\u{200B}Cloud & co\u{A0}HDS",
            "qu'l'd'n's'c'j'm't' jusqu'à l'ANSSI",
        ] {
            let words = tokenize(s).iter().filter(|t| t.is_word()).count();
            for n in 0..12 {
                if surely_more_words_than(s, n) {
                    assert!(words > n, "{s:?}: {words} words, bound said more than {n}");
                }
            }
        }
    }

    #[test]
    fn capitals_and_offsets() {
        let t = tokenize("Chez OVHcloud, nous");
        assert!(t[0].capital && t[1].capital && !t[3].capital);
        assert_eq!(&"Chez OVHcloud, nous"[t[1].start..t[1].end], "OVHcloud");
    }
}
