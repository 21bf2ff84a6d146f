//! The prefilter's fast lane through plain text: finds the next byte the walk must look at when
//! no needle attempt is under way, thirty-two bytes at a time where the machine allows (AVX2).
//!
//! With no attempt under way, a character of text in the data state changes nothing but the
//! boundary flag unless it is
//! - `<` or `&` (markup, a character reference), or a non-ASCII character other than a Latin-1
//!   letter that folds to ASCII letters (`é`, `ç`, `ß`…: two bytes, `C3` and a continuation);
//! - at a word start (after a byte that is neither an ASCII letter or digit nor part of such a
//!   Latin-1 letter, or where the walk's flag says a boundary came): such a Latin-1 letter, or an
//!   ASCII letter or digit on which an attempt would live past the next byte: it can start a
//!   needle and the next byte is not an ASCII letter or digit (the next stream character is then
//!   unknown here), or the two make a needle's first two characters (or the first alone is a
//!   whole needle).
//!
//! Everything before such a character can be passed over: an attempt started at a word start
//! whose next byte is a letter or digit that no needle continues with dies on that byte, a letter
//! inside a word starts nothing, and the only state left is the boundary flag, which the caller
//! sets from the last character passed. The vector version and the portable one answer the same;
//! a test compares them on random text.

/// Which characters the walk must look at: the stream bytes (lower-case letters, digits) that
/// can start a needle, the pairs that can open one, and the Latin-1 letters read as letters.
#[derive(Debug, Clone)]
pub(super) struct Starts {
    first: [bool; 256],
    /// Firsts that stop whatever follows (a one-character needle).
    always: [bool; 256],
    /// `pair[a]` holds the second bytes (both cases) that continue a first byte `a` (both cases).
    pair: Box<[[bool; 256]; 256]>,
    /// Continuation bytes `x` (`0x80..=0xBF`) for which `C3 x` folds to one to three ASCII
    /// letters or digits; empty when more than [`Starts::MAX`] of them do not (every `C3` is then
    /// looked at).
    latin1: [bool; 64],
    /// For the vector lane, each byte repeated 32 times (compared straight from memory, with
    /// nothing to set up per call): the first bytes, unused places repeating the first one (or 0
    /// if none)…
    firsts_wide: [[u8; 32]; Starts::MAX],
    /// … and the continuation bytes not read as letters, unused places 0 (never a continuation).
    latin1_not_wide: [[u8; 32]; Starts::MAX],
    any_latin1: bool,
}

impl Starts {
    /// The most first bytes and Latin-1 exceptions the vector lane compares one by one.
    pub const MAX: usize = 8;

    /// From the stream's first bytes that can start a needle, each with whether it is a whole
    /// needle, the stream pairs that can open one, and which `C3 x` characters fold to letters
    /// (`latin1[x - 0x80]`). `None` when there are too many first bytes for the fast lane (the
    /// walk then goes byte by byte).
    pub fn new(firsts: &[(u8, bool)], pairs: &[[u8; 2]], latin1: [bool; 64]) -> Option<Starts> {
        let stream_byte = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
        if firsts.len() > Self::MAX
            || !firsts.iter().all(|(b, _)| stream_byte(b))
            || !pairs.iter().flatten().all(stream_byte)
        {
            return None;
        }
        let both = |b: u8| [b, b.to_ascii_uppercase()];
        let mut first = [false; 256];
        let mut always = [false; 256];
        for &(b, whole) in firsts {
            for c in both(b) {
                first[usize::from(c)] = true;
                always[usize::from(c)] = whole;
            }
        }
        let mut pair = Box::new([[false; 256]; 256]);
        for &[a, b] in pairs {
            for (x, y) in both(a).into_iter().flat_map(|x| both(b).map(|y| (x, y))) {
                pair[usize::from(x)][usize::from(y)] = true;
            }
        }
        let mut latin1_not: Vec<u8> = (0x80..=0xBFu8).filter(|&x| !latin1[usize::from(x - 0x80)]).collect();
        let latin1 = if latin1_not.len() > Self::MAX {
            latin1_not.clear();
            [false; 64]
        } else {
            latin1
        };
        let firsts: Vec<u8> = firsts.iter().map(|f| f.0).collect();
        let firsts_wide = std::array::from_fn(|k| [firsts.get(k).or(firsts.first()).copied().unwrap_or(0); 32]);
        let latin1_not_wide = std::array::from_fn(|k| [latin1_not.get(k).copied().unwrap_or(0); 32]);
        let any_latin1 = latin1.iter().any(|&l| l);
        Some(Starts { first, always, pair, latin1, firsts_wide, latin1_not_wide, any_latin1 })
    }

    /// Whether an attempt starting on `b` (at a word start) may live past the byte `next`.
    fn opens(&self, b: u8, next: Option<u8>) -> bool {
        self.first[usize::from(b)]
            && match next {
                Some(n) if n.is_ascii_alphanumeric() => {
                    self.always[usize::from(b)] || self.pair[usize::from(b)][usize::from(n)]
                }
                _ => true,
            }
    }

    /// Whether `C3 x` is a Latin-1 letter read as letters.
    fn latin1_letter(&self, x: Option<u8>) -> bool {
        x.is_some_and(|x| (0x80..=0xBF).contains(&x) && self.latin1[usize::from(x - 0x80)])
    }
}

/// The first position `j ≥ from` the walk must look at (or `bytes.len()`), given whether a
/// boundary came just before `from` (`from` is at the start of a character); and whether a
/// boundary comes just before `j`.
pub(super) fn next_stop(bytes: &[u8], from: usize, boundary: bool, starts: &Starts) -> (usize, bool) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, checked just above.
        return unsafe { avx2::next_stop(bytes, from, boundary, starts) };
    }
    portable(bytes, from, boundary, starts)
}

/// Character by character: the reference the vector version must agree with.
pub(super) fn portable(bytes: &[u8], from: usize, boundary: bool, starts: &Starts) -> (usize, bool) {
    let mut prev_alnum = !boundary;
    let mut j = from;
    while j < bytes.len() {
        let b = bytes[j];
        let next = bytes.get(j + 1).copied();
        if b == 0xC3 && starts.latin1_letter(next) {
            if !prev_alnum {
                return (j, true);
            }
            j += 2;
            continue;
        }
        if b == b'<' || b == b'&' || b >= 0x80 || (!prev_alnum && starts.opens(b, next)) {
            return (j, !prev_alnum);
        }
        prev_alnum = b.is_ascii_alphanumeric();
        j += 1;
    }
    (bytes.len(), !prev_alnum)
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::{
        __m256i, _mm256_and_si256, _mm256_andnot_si256, _mm256_cmpeq_epi8, _mm256_cmpgt_epi8, _mm256_loadu_si256,
        _mm256_movemask_epi8, _mm256_or_si256, _mm256_set1_epi8, _mm256_setzero_si256,
    };

    use super::{Starts, portable};

    /// # Safety
    /// The CPU must have AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn next_stop(bytes: &[u8], from: usize, boundary: bool, starts: &Starts) -> (usize, bool) {
        let mut p = from;
        // Whether the character before `p` reads as a letter or digit.
        let mut prev_alnum = !boundary;
        // A Latin-1 letter whose lead byte ended the previous block: its continuation is at `p`.
        let mut carry_cont = false;
        // Each block also looks at the byte after it.
        while p + 33 <= bytes.len() {
            let block: &[u8; 33] = bytes[p..p + 33].try_into().expect("thirty-three bytes");
            let m = classify(starts, block);
            // Letters: ASCII, and both bytes of a Latin-1 letter.
            let letter2 = m.latin1 | (m.latin1 << 1) | u64::from(carry_cont);
            let alnum = (m.alnum | letter2) & 0xFFFF_FFFF;
            let word_start = !((alnum << 1) | u64::from(prev_alnum)) & 0xFFFF_FFFF;
            let mut stops = (m.special & !letter2) | (m.latin1 & word_start);
            // Word starts on a byte that may start a needle (or a control byte that looks like a
            // digit once folded): kept only where the attempt would live past the next byte.
            let mut firsts = m.first & word_start;
            while firsts != 0 {
                let k = firsts.trailing_zeros() as usize;
                if starts.opens(block[k], Some(block[k + 1])) {
                    stops |= 1 << k;
                }
                firsts &= firsts - 1;
            }
            let stops = stops & 0xFFFF_FFFF;
            if stops != 0 {
                let k = stops.trailing_zeros();
                return (p + k as usize, word_start & (1 << k) != 0);
            }
            prev_alnum = alnum & (1 << 31) != 0;
            carry_cont = m.latin1 & (1 << 31) != 0;
            p += 32;
        }
        if carry_cont {
            // The tail starts on a continuation byte: the character began in the last block.
            p += 1;
        }
        portable(bytes, p, !prev_alnum, starts)
    }

    struct Masks {
        special: u64,
        alnum: u64,
        first: u64,
        /// Lead bytes `C3` of Latin-1 letters read as letters.
        latin1: u64,
    }

    /// Thirty-two bytes (unaligned).
    #[target_feature(enable = "avx2")]
    fn load(bytes: &[u8]) -> __m256i {
        let bytes: &[u8; 32] = bytes.try_into().expect("thirty-two bytes");
        // SAFETY: reads the thirty-two bytes of `bytes`; unaligned loads are allowed.
        unsafe { _mm256_loadu_si256(bytes.as_ptr().cast::<__m256i>()) }
    }

    /// Bit masks of the first thirty-two bytes of `block`.
    #[target_feature(enable = "avx2")]
    fn classify(starts: &Starts, block: &[u8; 33]) -> Masks {
        let (v, next) = (load(&block[..32]), load(&block[1..]));
        // Macros, not closures: a closure would not inherit the function's AVX2 and every
        // intrinsic in it would become a call.
        macro_rules! set {
            ($b:expr) => {
                _mm256_set1_epi8($b as i8)
            };
        }
        // Signed comparisons: a non-ASCII byte is negative, so it is never a letter or digit.
        macro_rules! between {
            ($x:expr, $lo:expr, $hi:expr) => {
                _mm256_and_si256(_mm256_cmpgt_epi8($x, set!($lo - 1)), _mm256_cmpgt_epi8(set!($hi + 1), $x))
            };
        }
        macro_rules! mask {
            ($m:expr) => {
                u64::from(_mm256_movemask_epi8($m) as u32)
            };
        }
        // ORing 0x20 lower-cases letters and leaves digits as they are.
        let lower = _mm256_or_si256(v, set!(0x20u8));
        let non_ascii = _mm256_cmpgt_epi8(_mm256_setzero_si256(), v);
        let special = _mm256_or_si256(
            _mm256_or_si256(_mm256_cmpeq_epi8(v, set!(b'<')), _mm256_cmpeq_epi8(v, set!(b'&'))),
            non_ascii,
        );
        let alnum = _mm256_or_si256(between!(lower, b'a', b'z'), between!(v, b'0', b'9'));
        let mut first = _mm256_setzero_si256();
        for f in &starts.firsts_wide {
            first = _mm256_or_si256(first, _mm256_cmpeq_epi8(lower, load(f)));
        }
        // `C3` then a continuation byte (0x80..=0xBF: as signed, below -0x40) that is not an exception.
        let latin1 = if starts.any_latin1 {
            let cont = _mm256_cmpgt_epi8(set!(0xC0u8), next);
            let mut lead = _mm256_and_si256(_mm256_cmpeq_epi8(v, set!(0xC3u8)), cont);
            for x in &starts.latin1_not_wide {
                lead = _mm256_andnot_si256(_mm256_cmpeq_epi8(next, load(x)), lead);
            }
            mask!(lead)
        } else {
            0
        };
        Masks { special: mask!(special), alnum: mask!(alnum), first: mask!(first), latin1 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Latin-1 letters read as letters, but for `×` and `÷` (as the reader's fold has it).
    fn latin1() -> [bool; 64] {
        std::array::from_fn(|k| k != 0x17 && k != 0x37)
    }

    #[test]
    fn the_vector_lane_agrees_with_the_character_by_character_one() {
        let firsts = [(b'c', false), (b'h', false), (b's', false), (b't', false), (b'3', true)];
        let starts = Starts::new(&firsts, &[*b"cl", *b"he", *b"hd", *b"se", *b"t4"], latin1()).unwrap();
        let alphabet: Vec<&[u8]> = vec![
            b"a",
            b"b",
            b"c",
            b"d",
            b"e",
            b"h",
            b"l",
            b"s",
            b"t",
            b"x",
            b"C",
            b"H",
            b"L",
            b"S",
            b"0",
            b"3",
            b"4",
            b" ",
            b".",
            b"-",
            b"<",
            b"&",
            b">",
            b"\n",
            "é".as_bytes(),
            "ç".as_bytes(),
            "×".as_bytes(),
            "’".as_bytes(),
            b"\xc3",
            b"\x80",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for round in 0..3000 {
            let mut bytes = Vec::new();
            let mut starts_at = Vec::new();
            for _ in 0..(round % 60) + 1 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                starts_at.push(bytes.len());
                bytes.extend_from_slice(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            for &from in &starts_at {
                for boundary in [false, true] {
                    assert_eq!(
                        next_stop(&bytes, from, boundary, &starts),
                        portable(&bytes, from, boundary, &starts),
                        "{:?} from {from}, boundary {boundary}",
                        String::from_utf8_lossy(&bytes)
                    );
                }
            }
        }
    }

    #[test]
    fn stops_at_markup_references_other_characters_and_opening_word_starts_only() {
        let starts = Starts::new(&[(b'h', false), (b's', false)], &[*b"ho", *b"se"], latin1()).unwrap();
        let stop = |text: &str, boundary| next_stop(text.as_bytes(), 0, boundary, &starts);
        let text = "plain words about nothing, then a Hosting word";
        assert_eq!(stop(text, true), (text.find('H').unwrap(), true));
        // "this" holds an h and an s, but not at a word start; "sun" starts with s, but no
        // needle opens with "su"; "s-" may go on past the dash.
        assert_eq!(stop("this bit", false), (8, false));
        assert_eq!(stop("the sun shines", true), (14, false));
        assert_eq!(stop("the s-word", true), (4, true));
        assert_eq!(stop("ab<b>", true), (2, false));
        assert_eq!(stop("ab&amp;", true), (2, false));
        // Accented letters inside a word are letters; at a word start, or `×`, `’`, they stop.
        assert_eq!(stop("sécurité élevée", false), (11, true));
        assert_eq!(stop("a×b", false), (1, false));
        assert_eq!(stop("l’offre", false), (1, false));
        // At `from` the walk's own flag decides.
        assert_eq!(stop("sea", true), (0, true));
        assert_eq!(stop("sea", false), (3, false));
        // At the very end, the next byte is unknown: a first byte stops.
        assert_eq!(stop("a s", true), (2, true));
        let nine: Vec<(u8, bool)> = b"abcdefghi".iter().map(|&b| (b, false)).collect();
        assert!(Starts::new(&nine, &[], latin1()).is_none(), "too many first bytes for the fast lane");
    }
}
