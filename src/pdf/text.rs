//! Cleaning of the text laid out from a PDF page or read from its document info: ligatures
//! expanded, white space normalised per line, words hyphenated at line ends joined again.

/// The text a ligature code point (U+FB00–U+FB06) stands for.
fn ligature(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{FB00}' => "ff",
        '\u{FB01}' => "fi",
        '\u{FB02}' => "fl",
        '\u{FB03}' => "ffi",
        '\u{FB04}' => "ffl",
        '\u{FB05}' | '\u{FB06}' => "st",
        _ => return None,
    })
}

/// The hyphens a typesetter may end a line with when it breaks a word.
fn is_line_end_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{00AD}')
}

/// One line: ligatures expanded, control characters dropped, each run of white space made one
/// space (a lone no-break or narrow no-break space is kept as written), no white space at
/// either end.
pub(crate) fn clean_line(line: &str, out: &mut String) {
    let start = out.len();
    let mut pending: Option<char> = None;
    let mut run = 0usize;
    for c in line.chars() {
        if c.is_whitespace() {
            run += 1;
            pending = Some(c);
            continue;
        }
        if c.is_control() {
            continue;
        }
        if run > 0 && out.len() > start {
            match pending {
                Some(s @ ('\u{00A0}' | '\u{202F}')) if run == 1 => out.push(s),
                _ => out.push(' '),
            }
        }
        run = 0;
        pending = None;
        match ligature(c) {
            Some(expanded) => out.push_str(expanded),
            None => out.push(c),
        }
    }
}

/// A document info field (Title, Subject, Keywords) on one line, or `None` when it says nothing.
pub(crate) fn clean_field(raw: &str) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    clean_line(&raw.replace(['\r', '\n'], " "), &mut out);
    (!out.is_empty()).then_some(out)
}

/// A page's text: each line cleaned, words hyphenated at a line end joined with the next line,
/// at most one empty line in a row, none at either end.
///
/// A line ending in a letter and a hyphen is joined with the next line when that line starts
/// with a letter or a digit: without the hyphen when the next line starts with a lower-case
/// letter (« quali-» + « fié » → « qualifié »), keeping it otherwise (« Île-de-» + « France »
/// → « Île-de-France », « ISO-» + « 27001 »). A word broken at a soft hyphen (U+00AD at the
/// line end, alone or followed by the hyphen drawn for it, as Chromium prints) is always joined,
/// without either. A hyphen inside a line, or after a space, is never touched.
pub(crate) fn clean_page(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut blank_run = 0usize;
    let mut line = String::new();
    for raw_line in raw.lines() {
        line.clear();
        clean_line(raw_line, &mut line);
        if line.is_empty() {
            blank_run += usize::from(!out.is_empty());
            continue;
        }
        if !out.is_empty() {
            if blank_run == 0 && join_hyphenated(&mut out, &line) {
                out.push_str(&line);
                continue;
            }
            out.push('\n');
            if blank_run > 0 {
                out.push('\n');
            }
        }
        blank_run = 0;
        out.push_str(&line);
    }
    out
}

/// How a line ends, for joining it with the next one.
enum LineEnd {
    /// A word broken at a soft hyphen: the last so many bytes (the soft hyphen, and the hyphen
    /// drawn for it) go.
    Soft(usize),
    /// A letter and a hyphen.
    Hard,
    Other,
}

fn line_end(text: &str) -> LineEnd {
    const SHY: char = '\u{00AD}';
    let ends_in_letter = |s: &str| s.chars().next_back().is_some_and(char::is_alphabetic);
    let Some(last) = text.chars().next_back() else { return LineEnd::Other };
    let rest = &text[..text.len() - last.len_utf8()];
    if last == SHY {
        return if ends_in_letter(rest) { LineEnd::Soft(last.len_utf8()) } else { LineEnd::Other };
    }
    if !is_line_end_hyphen(last) {
        return LineEnd::Other;
    }
    if let Some(word) = rest.trim_end_matches(' ').strip_suffix(SHY)
        && ends_in_letter(word)
    {
        return LineEnd::Soft(text.len() - word.len());
    }
    if ends_in_letter(rest) { LineEnd::Hard } else { LineEnd::Other }
}

/// Whether `next` continues a word broken at the end of `out`; if so, takes from `out` what
/// the break added (a soft hyphen and the hyphen drawn for it; a hyphen when `next` starts in
/// lower case).
fn join_hyphenated(out: &mut String, next: &str) -> bool {
    let Some(first) = next.chars().next().filter(|c| c.is_alphanumeric()) else { return false };
    match line_end(out) {
        LineEnd::Soft(n) => out.truncate(out.len() - n),
        LineEnd::Hard if first.is_lowercase() => {
            out.pop();
        }
        LineEnd::Hard => {}
        LineEnd::Other => return false,
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(s: &str) -> String {
        let mut out = String::new();
        clean_line(s, &mut out);
        out
    }

    #[test]
    fn ligatures_are_expanded() {
        assert_eq!(
            line("quali\u{FB01}é, \u{FB02}ux, e\u{FB00}ort, o\u{FB03}ce, ba\u{FB04}e, \u{FB06}ar"),
            "qualifié, flux, effort, office, baffle, star"
        );
    }

    #[test]
    fn white_space_is_one_space_per_run_and_none_at_the_ends() {
        assert_eq!(line("  Nuvexa \t  Cloud\u{0}  est   "), "Nuvexa Cloud est");
        assert_eq!(line("qualifié\u{202F}: oui"), "qualifié\u{202F}: oui");
        assert_eq!(line("a \u{00A0} b"), "a b");
    }

    #[test]
    fn a_word_broken_at_a_line_end_is_joined() {
        assert_eq!(clean_page("Nuvexa Cloud est quali-\nfié SecNumCloud."), "Nuvexa Cloud est qualifié SecNumCloud.");
        assert_eq!(clean_page("Nuvexa est quali\u{2010}\n  fié"), "Nuvexa est qualifié");
        assert_eq!(clean_page("Nuvexa est quali\u{00AD}\nFIÉ"), "Nuvexa est qualiFIÉ");
    }

    #[test]
    fn a_word_broken_at_a_soft_hyphen_is_joined_without_what_was_drawn_for_it() {
        assert_eq!(clean_page("une quali\u{00AD} \u{2010}\nfication"), "une qualification");
        assert_eq!(clean_page("une quali\u{00AD}-\nFication"), "une qualiFication");
        assert_eq!(clean_page("une quali\u{00AD}\nfication"), "une qualification");
        assert_eq!(clean_page("une \u{00AD} -\nsuite"), "une \u{00AD} -\nsuite");
    }

    #[test]
    fn compound_hyphens_and_dashes_are_kept() {
        assert_eq!(clean_page("hébergé en Île-de-\nFrance"), "hébergé en Île-de-France");
        assert_eq!(clean_page("norme ISO-\n27001"), "norme ISO-27001");
        assert_eq!(clean_page("Offre -\nsuite"), "Offre -\nsuite");
        assert_eq!(clean_page("cloud-natif\nsuite"), "cloud-natif\nsuite");
        assert_eq!(clean_page("quali-\n(fié)"), "quali-\n(fié)");
        assert_eq!(clean_page("quali-\n\nfié"), "quali-\n\nfié");
    }

    #[test]
    fn a_word_broken_twice_is_joined_twice() {
        assert_eq!(clean_page("Sec-\nNum-\nCloud"), "Sec-Num-Cloud");
        assert_eq!(clean_page("qua-\nli-\nfié"), "qualifié");
    }

    #[test]
    fn empty_lines_are_at_most_one_in_a_row() {
        assert_eq!(clean_page("\n\n  a\n\n\n \nb\n\n"), "a\n\nb");
    }

    #[test]
    fn fields_are_one_line_or_nothing() {
        assert_eq!(clean_field(" Nuvexa\r\nCloud "), Some("Nuvexa Cloud".into()));
        assert_eq!(clean_field(" \n "), None);
    }
}
