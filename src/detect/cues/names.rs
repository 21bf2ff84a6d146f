//! Names and verbs in a sentence: organisations from the gazetteer or written as names, and the words that end a subject.

use super::super::lexicon::{self as lx, is};
use super::super::tokens::{Token, surely_more_words_than, tokenize};
use super::{Named, Role};
use crate::gazetteer::{Gazetteer, MAX_NAME_WORDS, OrgKind, squash};

/// A name found in a sentence: the tokens it covers.
#[derive(Debug, Clone)]
pub(super) struct Name {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) text: String,
    pub(super) known: bool,
    pub(super) authority: bool,
}

pub(super) fn named(n: &Name, role: Role) -> Named {
    Named { name: n.text.clone(), role, known: n.known, authority: n.authority }
}

/// Names in a sentence: gazetteer names first (longest match), then runs of capitalised words
/// with at least one that is no common word. A single capitalised word that opens the sentence
/// is a name only if it is followed by a verb or a comma, or written like a brand (inner
/// capitals, digits). In a title-cased line every word has a capital, so only the gazetteer
/// counts there. Words in `skip` (the label itself) are never part of a name.
pub(super) fn find_names(toks: &[Token<'_>], gazetteer: &Gazetteer, skip: std::ops::Range<usize>) -> Vec<Name> {
    let words = toks.iter().filter(|t| t.is_word()).count();
    let capitals = toks.iter().filter(|t| t.is_word() && t.capital).count();
    // German capitalises every noun: there, as in a title-cased line, capitals say nothing.
    let title_case = (words >= 3 && capitals * 10 >= words * 7) || in_german(toks);
    let mut names = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if !toks[i].is_word() || !toks[i].capital || skip.contains(&i) {
            i += 1;
            continue;
        }
        let mut found = None;
        for len in (1..=MAX_NAME_WORDS.min(toks.len() - i)).rev() {
            let window = &toks[i..i + len];
            if window.iter().any(|t| !t.is_word()) || (i..i + len).any(|k| skip.contains(&k)) {
                continue;
            }
            let key: String = window.iter().map(|t| squash(t.text)).collect();
            if let Some(org) = gazetteer.by_key(&key) {
                found = Some((len, org.kind));
                break;
            }
        }
        if let Some((len, kind)) = found {
            names.push(Name {
                start: i,
                end: i + len,
                text: join(&toks[i..i + len]),
                known: true,
                authority: kind != OrgKind::Company,
            });
            i += len;
            continue;
        }
        let mut j = i;
        while j < toks.len()
            && toks[j].is_word()
            && toks[j].capital
            && !lx::stops_a_name(&toks[j].folded)
            && !toks[j].folded.ends_with('\'')
            && !skip.contains(&j)
        {
            j += 1;
        }
        // "HDS-certified" is two common words, not a name.
        let common = |t: &Token<'_>| t.folded.split(['-', '/']).all(|p| p.chars().count() <= 1 || lx::never_a_name(p));
        // "R9", "J0", "V2": references and milestones, not organisations.
        let code = j == i + 1 && toks[i].text.chars().count() <= 3 && toks[i].text.chars().any(|c| c.is_ascii_digit());
        if j > i && !title_case && !code && toks[i..j].iter().any(|t| !common(t)) {
            let opens = i == 0 || (i == 1 && toks[0].punct.is_some());
            let brand_like = toks[i].text.chars().skip(1).any(|c| c.is_uppercase() || c.is_ascii_digit());
            let then_verb = j < toks.len()
                && (is_verb_in(toks, j)
                    || toks[j].is_punct(',')
                    || toks[j].is("'s")
                    || toks[j].is("ne")
                    || toks[j].is("n'"));
            if !opens || j - i > 1 || brand_like || then_verb {
                names.push(Name { start: i, end: j, text: join(&toks[i..j]), known: false, authority: false });
            }
        }
        i = j.max(i + 1);
    }
    names
}

/// Whether a sentence is German: capitals there mark nouns, not names.
pub(super) fn in_german(toks: &[Token<'_>]) -> bool {
    const GERMAN: &[&str] = &[
        "der", "die", "das", "und", "ist", "nicht", "mit", "von", "fur", "den", "dem", "wird", "werden", "eine",
        "einer", "ein", "auf", "sich", "zu", "im", "bei", "auch", "oder", "sind", "wurde", "durch", "uber", "nach",
    ];
    toks.iter().filter(|t| GERMAN.contains(&t.folded.as_str())).count() >= 2
}

/// Whether the word at `i` is a verb here: not after a determiner, where « offre »,
/// « propose » or « note » are nouns.
pub(super) fn is_verb_in(toks: &[Token<'_>], i: usize) -> bool {
    let t = &toks[i];
    if !t.is_word() {
        return false;
    }
    let after_clitic = i > 0
        && matches!(
            toks[i - 1].folded.as_str(),
            "s'" | "se" | "ne" | "n'" | "il" | "elle" | "ils" | "elles" | "on" | "they" | "it" | "we"
        );
    if after_clitic
        && !t.capital
        && t.folded.len() > 2
        && !is(lx::PREPOSITIONS, &t.folded)
        && !is(lx::DEFINITE, &t.folded)
    {
        return true;
    }
    if !lx::is_verb(&t.folded) {
        // Not in the list: a lower-case word between a noun and a determiner is most likely a
        // verb and its object (« l'État enclenche le rapatriement », "the page describes the…").
        let w = t.folded.as_str();
        let next_is_determiner = toks.get(i + 1).is_some_and(|n| {
            is(lx::DEFINITE, &n.folded)
                || is(lx::INDEFINITE, &n.folded)
                || is(lx::POSSESSIVE_3, &n.folded)
                || matches!(n.folded.as_str(), "notre" | "nos" | "votre" | "vos" | "our" | "your")
        });
        let prev_blocks = i == 0
            || toks[i - 1].punct.is_some_and(|p| p != ')')
            || is(lx::PREPOSITIONS, &toks[i - 1].folded)
            || is(lx::DEFINITE, &toks[i - 1].folded)
            || is(lx::INDEFINITE, &toks[i - 1].folded);
        return !t.capital
            && w.len() >= 4
            && next_is_determiner
            && !prev_blocks
            && !is(lx::PREPOSITIONS, w)
            && !lx::never_a_name(w)
            && !w.ends_with("tion")
            && !w.ends_with("ment")
            && !w.ends_with("ite");
    }
    // « a » is French "has" after a subject, before a participle or an article (« Nuvexa a
    // obtenu », « a la qualification »), and the English article anywhere else.
    // « à » folds to « a »: only the unaccented word can be the verb.
    if t.folded == "a" && !t.text.starts_with(['a', 'A']) {
        return false;
    }
    if t.folded == "a" {
        let next = toks.get(i + 1).map_or("", |n| n.folded.as_str());
        let french_next = is(lx::DEFINITE, next)
            || matches!(
                next,
                "un" | "une"
                    | "des"
                    | "son"
                    | "sa"
                    | "ses"
                    | "leur"
                    | "notre"
                    | "nos"
                    | "ete"
                    | "pu"
                    | "fait"
                    | "dit"
                    | "su"
                    | "eu"
                    | "deja"
                    | "desormais"
                    | "officiellement"
                    | "bien"
                    | "aussi"
                    | "egalement"
                    | "recemment"
                    | "enfin"
                    | "toujours"
            )
            || ((next.ends_with('e')
                || next.ends_with('u')
                || next.ends_with('i')
                || next.ends_with("is")
                || next.ends_with("it")
                || next.ends_with("ert"))
                && !next.contains('-'));
        if !french_next {
            return false;
        }
        let prev = if i > 0 { toks[i - 1].folded.as_str() } else { "" };
        if i == 0
            || toks[i - 1].punct.is_some()
            || lx::is_verb(prev)
            || is(lx::PREPOSITIONS, prev)
            || is(lx::RECOMMEND_VERBS, prev)
            || is(lx::OFFER_IMPERATIVES, prev)
        {
            return false;
        }
    }
    !(i > 0 && {
        let prev = toks[i - 1].folded.as_str();
        is(lx::DEFINITE, prev)
            || is(lx::INDEFINITE, prev)
            || (is(lx::FIRST_PERSON, prev) && !matches!(prev, "nous" | "we"))
            || (is(lx::SECOND_PERSON, prev) && !matches!(prev, "vous" | "you"))
            || is(lx::POSSESSIVE_3, prev)
            || matches!(prev, "de" | "d'" | "cette" | "premiere" | "nouvelle")
    })
}

fn join(toks: &[Token<'_>]) -> String {
    toks.iter().map(|t| t.text).collect::<Vec<_>>().join(" ")
}

/// The name that is the main subject of a sentence (for a pronoun in the next one).
pub(super) fn main_subject_name(sentence: &str, gazetteer: &Gazetteer) -> Option<Named> {
    let toks = tokenize(sentence);
    let names = find_names(&toks, gazetteer, 0..0);
    let verb = (0..toks.len()).find(|&i| is_verb_in(&toks, i))?;
    names.iter().find(|n| n.end <= verb && !n.authority).map(|n| named(n, Role::Subject))
}

/// The name a table row's head cell gives, if it is one.
pub(super) fn head_name(head: &str, gazetteer: &Gazetteer) -> Option<Named> {
    let toks = tokenize(head);
    let names = find_names(&toks, gazetteer, 0..0);
    // The cell is a name when a name covers most of it ("Nuvexa", "Nuvexa (FR)").
    let words = toks.iter().filter(|t| t.is_word()).count();
    names.into_iter().find(|n| n.end - n.start >= words.saturating_sub(1).max(1)).map(|n| named(&n, Role::RowHead))
}

/// A line short enough and without a verb: a tagline, a heading, a list item.
pub(super) fn is_short_verbless(line: &str, max_words: usize) -> bool {
    // Most lines are paragraphs: their length alone rules them out.
    if surely_more_words_than(line, max_words) {
        return false;
    }
    let toks = tokenize(line);
    let words = toks.iter().filter(|t| t.is_word()).count();
    words <= max_words
        && !(0..toks.len()).any(|i| is_verb_in(&toks, i) && !toks[i].capital)
        && !line.trim_end().ends_with('?')
}
