//! French and English wording helpers: dates, quotation marks and the spacing French typography asks for.

use chrono::{Datelike, NaiveDate};

/// No-break space (before a colon, inside « guillemets »).
pub const NBSP: char = '\u{A0}';
/// Narrow no-break space (before ; ! ?).
pub const NNBSP: char = '\u{202F}';

const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// « 1er janvier 2026 », « 28 novembre 2026 ».
pub fn date_fr(d: NaiveDate) -> String {
    let day = if d.day() == 1 { "1er".to_string() } else { d.day().to_string() };
    format!("{day}{NBSP}{}{NBSP}{}", MONTHS_FR[d.month0() as usize], d.year())
}

/// "28 November 2026".
pub fn date_en(d: NaiveDate) -> String {
    format!("{} {} {}", d.day(), MONTHS_EN[d.month0() as usize], d.year())
}

/// `text` between French quotation marks with no-break spaces: «\u{A0}text\u{A0}».
pub fn guillemets(text: &str) -> String {
    format!("«{NBSP}{text}{NBSP}»")
}

/// Puts the no-break spaces French typography wants before `:` (no-break space) and `;` `!` `?`
/// (narrow), replacing an ordinary space there and adding one where there is none.
pub fn french_spacing(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let space = match c {
            ':' => Some(NBSP),
            ';' | '!' | '?' => Some(NNBSP),
            _ => None,
        };
        // Only punctuation that ends a word: not "https://" nor "10:30".
        let ends_word = chars.get(i + 1).is_none_or(|n| n.is_whitespace());
        if let Some(space) = space
            && ends_word
            && i > 0
        {
            if out.ends_with(' ') {
                out.pop();
            }
            if !out.ends_with([NBSP, NNBSP]) {
                out.push(space);
            }
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn french_dates_use_month_names_and_1er() {
        assert_eq!(date_fr(d("2026-01-01")), "1er\u{A0}janvier\u{A0}2026");
        assert_eq!(date_fr(d("2025-12-17")), "17\u{A0}décembre\u{A0}2025");
        assert_eq!(date_en(d("2025-12-17")), "17 December 2025");
    }

    #[test]
    fn french_punctuation_gets_its_no_break_spaces_but_urls_and_times_do_not() {
        assert_eq!(french_spacing("Motif : expiré"), "Motif\u{A0}: expiré");
        assert_eq!(french_spacing("Vraiment?"), "Vraiment\u{202F}?");
        assert_eq!(french_spacing("voir https://x.fr/a à 10:30"), "voir https://x.fr/a à 10:30");
        assert_eq!(guillemets("Secure Temple"), "«\u{A0}Secure Temple\u{A0}»");
    }
}
