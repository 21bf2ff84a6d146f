//! The prefilter's fast lane through plain text: finds the next byte the walk must look at when
//! no needle attempt is under way, thirty-two bytes at a time where the machine allows (AVX2).
//!
//! With no attempt under way, a character of text in the data state changes nothing but the
//! boundary flag unless it is
//! - `<` or `&` (markup, a character reference), or a non-ASCII character other than a Latin-1
//!   letter that folds to ASCII letters (`é`, `ç`, `ß`…: two bytes, `C3` and a continuation);
//! - at a word start (after a byte that is neither an ASCII letter or digit nor part of such a
//!   Latin-1 letter, or where the walk's flag says a boundary came), an ASCII letter or digit or
//!   such a Latin-1 letter on which the attempt the walk would start there is still alive when
//!   the lane can no longer follow it.
//!
//! The lane follows an attempt itself, in a table of the needles' prefixes read off the walk's
//! automaton: through ASCII letters and digits, Latin-1 letters (their fold) and the ASCII
//! characters the walk reads as mere separators, and no further than [`Starts::REACH`] bytes.
//! When the attempt dies there (the word is "service", no needle goes on "ser"), the word start
//! is passed over like any other character: the walk, had it looked, would have started the
//! attempt, seen it die on the same characters and kept nothing of it but the boundary flag,
//! which the caller sets from the last character passed. When the attempt matches, lives on to
//! markup, a reference, another non-ASCII character or the end of the reach, the lane stops at
//! the word start and the walk reads the word itself. The vector version and the portable one
//! answer the same; a test compares them on random text.

/// How an attempt fares on a prefix of the stream (folded letters and digits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Life {
    /// No needle begins so.
    Dead,
    /// Some needle begins so.
    Alive,
    /// A needle ends here.
    Found,
}

/// The stream's bytes in symbol order: the trie's rows have one place per symbol.
const STREAM: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
/// In [`Starts::sym`]: the byte is no stream byte.
const NONE: u8 = u8::MAX;
/// In [`Starts::next`]: the attempt dies.
const DEAD: u8 = u8::MAX;
/// In [`Starts::next`]: a needle is found.
const FOUND: u8 = u8::MAX - 1;

/// Which characters the walk must look at: the needles' prefixes (to follow an attempt), the
/// stream bytes that can start one, and the Latin-1 letters read as letters.
#[derive(Debug, Clone)]
pub(super) struct Starts {
    /// ASCII letters (both cases) and digits to their symbol (a place in [`STREAM`]), others
    /// [`NONE`].
    sym: [u8; 256],
    /// The needles' prefixes as a trie: `next[state * 36 + symbol]` is the state after the
    /// symbol, [`DEAD`] or [`FOUND`]; state 0 is the empty prefix.
    next: Vec<u8>,
    /// `C3 x` (`x` from `0x80`): how many symbols the Latin-1 letter folds to (one to three) and
    /// which; a count of 0 when it is not read as letters (`×`, `÷`).
    latin1: [[u8; 4]; 64],
    /// For the vector lane, sets of bytes as nibble tables (see [`NibbleSet`]): the bytes (both
    /// cases) that can start a needle, each in a class of its own (up to eight; more share)…
    firsts: NibbleSet,
    /// … the bytes that can follow one (its class's bit: each class gets a superset of its
    /// seconds)…
    seconds: NibbleSet,
    /// … and the continuation bytes `x` (less `0x80`) of the `C3 x` that are not read as letters.
    latin1_not: NibbleSet,
    any_latin1: bool,
}

/// Up to eight classes of ASCII bytes as the vector lane tests them with two table lookups: the
/// byte `h l` (high and low nibbles) is in the classes of the bits set in both `lo[l]` and
/// `hi[h]` (`hi` is 0 from 8 on: no non-ASCII byte is in any). Each class is thus kept as all
/// the bytes made of one of its bytes' high nibbles and one of their low nibbles: a superset,
/// exact for a single byte and for a letter in both cases. The sixteen entries are written
/// twice, once for each half of a 256-bit register.
#[derive(Debug, Clone, Default)]
struct NibbleSet {
    lo: [u8; 32],
    hi: [u8; 32],
}

impl NibbleSet {
    /// Exactly these bytes, as one set tested for any bit: the low-nibble entry holds the bit of
    /// each high nibble that makes a member with it, and `hi[h]` is bit `h`.
    fn of(bytes: impl IntoIterator<Item = u8>) -> NibbleSet {
        let mut set = NibbleSet::default();
        for h in 0..8 {
            set.hi[h] = 1 << h;
            set.hi[16 + h] = 1 << h;
        }
        for b in bytes {
            debug_assert!(b < 0x80, "an ASCII byte");
            set.lo[usize::from(b & 0x0F)] |= 1 << (b >> 4);
            set.lo[16 + usize::from(b & 0x0F)] |= 1 << (b >> 4);
        }
        set
    }

    /// Adds `b` to the classes of `bits`.
    fn add(&mut self, b: u8, bits: u8) {
        debug_assert!(b < 0x80, "an ASCII byte");
        for half in [0, 16] {
            self.lo[half + usize::from(b & 0x0F)] |= bits;
            self.hi[half + usize::from(b >> 4)] |= bits;
        }
    }
}

impl Starts {
    /// How far (in bytes) the lane follows an attempt before leaving it to the walk.
    pub const REACH: usize = 64;
    /// The most prefixes the trie holds (its states are bytes).
    const STATES: usize = FOUND as usize;

    /// From how an attempt fares on each prefix of the stream (`life`, asked only of the
    /// extensions of live prefixes) and the stream bytes each `C3 x` character folds to
    /// (`latin1[x - 0x80]`: a count, then the bytes; 0 when it is not read as letters). `None`
    /// when the needles have too many prefixes for the fast lane (the walk then goes byte by
    /// byte).
    pub fn new(life: impl Fn(&[u8]) -> Life, latin1: [[u8; 4]; 64]) -> Option<Starts> {
        let mut sym = [NONE; 256];
        for (k, &b) in STREAM.iter().enumerate() {
            sym[usize::from(b)] = k as u8;
            sym[usize::from(b.to_ascii_uppercase())] = k as u8;
        }
        let mut prefixes: Vec<Vec<u8>> = vec![Vec::new()];
        let mut next = Vec::new();
        let mut state = 0;
        while state < prefixes.len() {
            for &b in STREAM {
                let mut prefix = prefixes[state].clone();
                prefix.push(b);
                next.push(match life(&prefix) {
                    Life::Dead => DEAD,
                    Life::Found => FOUND,
                    Life::Alive if prefixes.len() >= Self::STATES => return None,
                    Life::Alive => {
                        prefixes.push(prefix);
                        (prefixes.len() - 1) as u8
                    }
                });
            }
            state += 1;
        }
        let firsts: Vec<u8> = STREAM.iter().zip(&next).filter(|(_, t)| **t != DEAD).map(|(&b, _)| b).collect();
        let latin1_fold = |f: &[u8; 4]| {
            (1..=3).contains(&f[0]) && f[1..=usize::from(f[0])].iter().all(|b| sym[usize::from(*b)] != NONE)
        };
        let latin1_not: Vec<u8> = (0x80..=0xBFu8).filter(|&x| !latin1_fold(&latin1[usize::from(x - 0x80)])).collect();
        // Kept as symbols, as the trie reads them.
        let latin1 = latin1.map(|f| {
            if latin1_fold(&f) {
                let mut out = [f[0], 0, 0, 0];
                for k in 1..=usize::from(f[0]) {
                    out[k] = sym[usize::from(f[k])];
                }
                out
            } else {
                [0; 4]
            }
        });
        // Each first byte in a class, with the bytes that can follow it (any, when it is a whole
        // needle).
        let mut first_set = NibbleSet::default();
        let mut seconds = NibbleSet::default();
        for (k, &f) in firsts.iter().enumerate() {
            let bit = 1u8 << (k % 8);
            first_set.add(f, bit);
            first_set.add(f.to_ascii_uppercase(), bit);
            let state = usize::from(next[usize::from(sym[usize::from(f)])]);
            for (t, &b) in STREAM.iter().enumerate() {
                if state == usize::from(FOUND) || next[state * STREAM.len() + t] != DEAD {
                    seconds.add(b, bit);
                    seconds.add(b.to_ascii_uppercase(), bit);
                }
            }
        }
        let firsts = first_set;
        let latin1_not = NibbleSet::of(latin1_not.iter().map(|x| x - 0x80));
        let any_latin1 = latin1.iter().any(|f| f[0] != 0);
        Some(Starts { sym, next, latin1, firsts, seconds, latin1_not, any_latin1 })
    }

    /// Whether `C3 x` is a Latin-1 letter read as letters.
    fn latin1_letter(&self, x: Option<u8>) -> bool {
        x.is_some_and(|x| (0x80..=0xBF).contains(&x) && self.latin1[usize::from(x - 0x80)][0] != 0)
    }

    /// Whether the walk must look at the word start `j` (an ASCII letter or digit, or a Latin-1
    /// letter): the attempt it would start there does not die where the lane can follow it.
    /// The trie's state after `symbol`, or whether the walk must stop when the attempt ends
    /// there (found: yes; dead: no).
    #[inline(always)]
    fn step(&self, state: usize, symbol: u8) -> Result<usize, bool> {
        match self.next[state * STREAM.len() + usize::from(symbol)] {
            DEAD => Err(false),
            FOUND => Err(true),
            t => Ok(usize::from(t)),
        }
    }

    #[inline(always)]
    fn must_stop(&self, bytes: &[u8], j: usize) -> bool {
        let end = bytes.len().min(j + Self::REACH);
        let mut state = 0usize;
        let mut k = j;
        loop {
            // A run of ASCII letters and digits, the most of any word.
            while k < end {
                let s = self.sym[usize::from(bytes[k])];
                if s == NONE {
                    break;
                }
                k += 1;
                match self.step(state, s) {
                    Ok(t) => state = t,
                    Err(stop) => return stop,
                }
            }
            if k >= end {
                return true;
            }
            let b = bytes[k];
            if b == 0xC3 && self.latin1_letter(bytes.get(k + 1).copied()) {
                let f = self.latin1[usize::from(bytes[k + 1] - 0x80)];
                k += 2;
                for &s in &f[1..=usize::from(f[0])] {
                    match self.step(state, s) {
                        Ok(t) => state = t,
                        Err(stop) => return stop,
                    }
                }
            } else if k > j && b < 0x80 && b != b'<' && b != b'&' {
                // A separator: the attempt waits for the next letter.
                k += 1;
            } else {
                // No attempt starts on anything else; one under way cannot be followed further.
                return k > j;
            }
        }
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
        if b == 0xC3 && starts.latin1_letter(bytes.get(j + 1).copied()) {
            if !prev_alnum && starts.must_stop(bytes, j) {
                return (j, true);
            }
            prev_alnum = true;
            j += 2;
            continue;
        }
        if b == b'<' || b == b'&' || b >= 0x80 {
            return (j, !prev_alnum);
        }
        if !prev_alnum && starts.sym[usize::from(b)] != NONE && starts.must_stop(bytes, j) {
            return (j, true);
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
        _mm256_movemask_epi8, _mm256_or_si256, _mm256_set1_epi8, _mm256_setzero_si256, _mm256_shuffle_epi8,
        _mm256_srli_epi16, _mm256_xor_si256,
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
            let stops = m.special & !letter2 & 0xFFFF_FFFF;
            // Word starts on a byte that may start a needle (or a control byte that looks like a
            // digit once folded), or on a Latin-1 letter, before the first other stop: the first
            // on which the attempt outlives what the lane can follow is where the walk looks.
            // Where the next byte is an ASCII letter or digit that no needle continues the first
            // with, the attempt dies at once (the last byte's next is in the next block: kept).
            let next_alnum = m.alnum >> 1;
            let opening = m.first & (m.pair | !next_alnum);
            let mut firsts = (opening | m.latin1) & word_start & (stops & stops.wrapping_neg()).wrapping_sub(1);
            while firsts != 0 {
                let k = firsts.trailing_zeros() as usize;
                if starts.must_stop(bytes, p + k) {
                    return (p + k, true);
                }
                firsts &= firsts - 1;
            }
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
        /// First bytes whose next byte may follow them in a needle.
        pair: u64,
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
        // The classes of each byte of `x` in the set (0 for none).
        macro_rules! classes {
            ($x:expr, $set:expr) => {{
                let x = $x;
                let low = _mm256_and_si256(x, set!(0x0F));
                let high = _mm256_and_si256(_mm256_srli_epi16::<4>(x), set!(0x0F));
                _mm256_and_si256(_mm256_shuffle_epi8(load(&$set.lo), low), _mm256_shuffle_epi8(load(&$set.hi), high))
            }};
        }
        macro_rules! nonzero {
            ($x:expr) => {
                _mm256_andnot_si256(_mm256_cmpeq_epi8($x, _mm256_setzero_si256()), set!(0xFFu8))
            };
        }
        let non_ascii = _mm256_cmpgt_epi8(_mm256_setzero_si256(), v);
        let special = _mm256_or_si256(
            _mm256_or_si256(_mm256_cmpeq_epi8(v, set!(b'<')), _mm256_cmpeq_epi8(v, set!(b'&'))),
            non_ascii,
        );
        let alnum = _mm256_or_si256(between!(lower, b'a', b'z'), between!(v, b'0', b'9'));
        let first = classes!(v, starts.firsts);
        // A first byte followed by a byte its class may be followed by.
        let pair = _mm256_and_si256(first, classes!(next, starts.seconds));
        // `C3` then a continuation byte (0x80..=0xBF: as signed, below -0x40) that is not an
        // exception (as a set of ASCII bytes once 0x80 is taken off).
        let latin1 = if starts.any_latin1 {
            let cont = _mm256_cmpgt_epi8(set!(0xC0u8), next);
            let lead = _mm256_and_si256(_mm256_cmpeq_epi8(v, set!(0xC3u8)), cont);
            let exception = nonzero!(classes!(_mm256_xor_si256(next, set!(0x80u8)), starts.latin1_not));
            mask!(_mm256_andnot_si256(exception, lead))
        } else {
            0
        };
        Masks {
            special: mask!(special),
            alnum: mask!(alnum),
            first: mask!(nonzero!(first)),
            pair: mask!(nonzero!(pair)),
            latin1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lane for these needles, with the reader's own fold of the Latin-1 letters.
    fn lane(needles: &[&str]) -> Option<Starts> {
        let life = |prefix: &[u8]| {
            if needles.iter().any(|n| n.as_bytes() == prefix) {
                Life::Found
            } else if needles.iter().any(|n| n.as_bytes().starts_with(prefix)) {
                Life::Alive
            } else {
                Life::Dead
            }
        };
        Starts::new(life, super::super::latin1_folds())
    }

    #[test]
    fn the_vector_lane_agrees_with_the_character_by_character_one() {
        let starts = lane(&["clouddeconfiance", "hebergeur", "hds", "secnumcloud", "t4x", "3"]).unwrap();
        let alphabet: Vec<&[u8]> = vec![
            b"a",
            b"b",
            b"c",
            b"cloud",
            b"secnum",
            b"de",
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
            b"\x13",
            "É".as_bytes(),
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
    fn stops_at_markup_references_other_characters_and_word_starts_whose_attempt_lives() {
        let starts = lane(&["hosting", "secure", "ete"]).unwrap();
        let stop = |text: &str, boundary| next_stop(text.as_bytes(), 0, boundary, &starts);
        let text = "plain words about nothing, then a Hosting word";
        assert_eq!(stop(text, true), (text.find('H').unwrap(), true));
        // "this" holds an h and an s, but not at a word start; "sun" and "shines" start with s,
        // but their attempts die on their second letter, "se-rum" on its third, past the dash.
        assert_eq!(stop("this bit", false), (8, false));
        assert_eq!(stop("the sun shines", true), (14, false));
        assert_eq!(stop("the se-rum", true), (10, false));
        // An attempt that goes on past separators to a needle, or lives on to markup, stops.
        assert_eq!(stop("the s-e-cure one", true), (4, true));
        assert_eq!(stop("the sec<b>ure</b>", true), (4, true));
        assert_eq!(stop("ab<b>", true), (2, false));
        assert_eq!(stop("ab&amp;", true), (2, false));
        // Accented letters are followed by their fold: "sécurité" dies on its i, "élevée" at
        // once, while "sécure" and "été" are needles. `×` and `’` stop wherever they are.
        assert_eq!(stop("sécurité élevée", true), ("sécurité élevée".len(), false));
        assert_eq!(stop("sécure", true), (0, true));
        assert_eq!(stop("un été", true), (3, true));
        assert_eq!(stop("a×b", false), (1, false));
        assert_eq!(stop("l’offre", false), (1, false));
        // At `from` the walk's own flag decides.
        assert_eq!(stop("sec", true), (0, true));
        assert_eq!(stop("sec", false), (3, false));
        assert_eq!(stop("sea", true), (3, false));
        // At the very end, or past the lane's reach, what comes next is unknown: it stops.
        assert_eq!(stop("a s", true), (2, true));
        let far = format!("s{}x", " ".repeat(Starts::REACH));
        assert_eq!(stop(&far, true), (0, true));
        let near = format!("s{}x", " ".repeat(Starts::REACH - 3));
        assert_eq!(stop(&near, true), (near.len(), false));
        // Any number of first bytes; but not too many prefixes.
        let many: Vec<String> = (b'a'..=b'z').map(|b| format!("{}x", b as char)).collect();
        assert!(lane(&many.iter().map(String::as_str).collect::<Vec<_>>()).is_some());
        let too_many: Vec<String> =
            (b'a'..=b'z').flat_map(|a| (b'a'..=b'z').map(move |b| format!("{}{}x", a as char, b as char))).collect();
        assert!(lane(&too_many.iter().map(String::as_str).collect::<Vec<_>>()).is_none(), "too many prefixes");
    }
}
