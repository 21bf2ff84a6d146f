//! Property tests for invariants a fuzzer cannot state: the folding map is exact, claims quote the page, and the verdict table is total and bilingual.

mod common;

use std::path::Path;
use std::sync::OnceLock;

use chrono::NaiveDate;
use claimwatch::config::Lang;
use claimwatch::detect::{Reading, detect};
use claimwatch::extract::{extract, normalize, normalize_with_map};
use claimwatch::gazetteer::Gazetteer;
use claimwatch::judge::{Level, judge};
use claimwatch::patterns::{ClaimKind, PatternSet, load_dir};
use claimwatch::registry::{ProviderRef, Qualification, Registry, Standing, Status};
use proptest::prelude::*;
use proptest::sample::select;

// ---------------------------------------------------------------------------------------------
// Folding and its map back to the original
// ---------------------------------------------------------------------------------------------

/// Characters the folding treats specially, so that random strings are dense in them rather
/// than in the ASCII letters a uniform draw would mostly give.
const TRICKY: &[char] = &[
    'é',
    'É',
    'è',
    'à',
    'ç',
    'ô',
    'ï',
    'ù',
    'Æ',
    'ÿ',
    'œ',
    'Œ',
    'æ',
    'ß',
    'ﬁ',
    'ﬂ',
    'ﬃ',
    'İ',
    'ǅ',
    'ı',
    '\u{A0}',
    '\u{202F}',
    '\u{2009}',
    '\u{3000}',
    '\u{2028}',
    '\u{301}',
    '\u{300}',
    '\u{327}',
    '\u{308}',
    '\u{AD}',
    '\u{200B}',
    '\u{200D}',
    '\u{2060}',
    '\u{FEFF}',
    '\u{FE0F}',
    '’',
    '‘',
    'ʼ',
    '´',
    '«',
    '»',
    '“',
    '”',
    '„',
    '—',
    '–',
    '−',
    '…',
    '·',
    '\n',
    '\t',
    '\r',
    ' ',
    '\u{7F}',
    '\u{85}',
    'Ѕ',
    'е',
    'с',
    'Ν',
    'Ο',
    'ʜ',
    'ᴅ',
    'ꜱ',
    'Ｓ',
    '𝐒',
    '㏂',
    '¨',
    '½',
    '한',
    '\u{FDFA}',
    'ǈ',
    'ﬀ',
    'Ⅻ',
    '①',
    '\u{E0041}',
];

fn tricky_string() -> impl Strategy<Value = String> {
    let c = prop_oneof![
        4 => select(TRICKY),
        3 => proptest::char::range('a', 'z'),
        2 => proptest::char::range('A', 'Z'),
        1 => any::<char>(),
    ];
    proptest::collection::vec(c, 0..40).prop_map(|cs| cs.into_iter().collect())
}

/// The folded text's character boundaries, end included.
fn boundaries(s: &str) -> Vec<usize> {
    s.char_indices().map(|(i, _)| i).chain(std::iter::once(s.len())).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The map is built along the text: it must fold to exactly what the fast path gives.
    #[test]
    fn map_and_fast_path_fold_alike(s in tricky_string()) {
        prop_assert_eq!(normalize_with_map(&s).text, normalize(&s));
    }

    /// `original_range` promises, for every folded byte, the byte range of the one original
    /// character that produced it: a valid range of the original holding exactly one
    /// character, never an invisible one, and moving forward with the folded text.
    #[test]
    fn every_folded_character_maps_to_one_original_character(s in tricky_string()) {
        let n = normalize_with_map(&s);
        let mut previous = 0..0;
        for (i, c) in n.text.char_indices() {
            let r = n.original_range(i..i + c.len_utf8());
            let original = s.get(r.clone());
            prop_assert!(original.is_some(), "{:?} → {:?} is not a range of {:?}", c, r, s);
            let original = original.unwrap();
            prop_assert_eq!(original.chars().count(), 1, "{:?} maps to {:?}", c, original);
            prop_assert!(normalize(original).contains(c) || c == ' ', "{:?} maps to {:?}", c, original);
            prop_assert!(r.start >= previous.start && (r.start >= previous.end || r == previous));
            previous = r;
        }
    }

    /// Any folded span covering whole characters' foldings maps to the exact original
    /// substring that produced it: folding that substring again gives the span back (less the
    /// edge space, which folding a substring on its own drops, as it drops any edge space).
    #[test]
    fn a_folded_span_maps_to_the_substring_that_folds_to_it(s in tricky_string(), a in any::<prop::sample::Index>(), b in any::<prop::sample::Index>()) {
        let n = normalize_with_map(&s);
        let bounds = boundaries(&n.text);
        prop_assume!(bounds.len() >= 2);
        let (i, j) = (a.index(bounds.len() - 1), b.index(bounds.len() - 1));
        let (start, end) = (bounds[i.min(j)], bounds[i.max(j) + 1]);
        let origin = |k: usize| {
            let len = n.text[k..].chars().next().map_or(1, char::len_utf8);
            n.original_range(k..k + len)
        };
        // Spans that start or end inside the folding of one character ("…" → "...") cannot
        // come back whole from a substring of the original.
        let aligned_start = start == 0 || origin(start).start != n.original_range(start - 1..start).start;
        let aligned_end = end == n.text.len() || origin(end).start != n.original_range(end - 1..end).start;
        prop_assume!(aligned_start && aligned_end);
        let r = n.original_range(start..end);
        let span = &n.text[start..end];
        prop_assert_eq!(normalize(&s[r.clone()]), span.trim_matches(' '), "span {:?} ← {:?}", span, &s[r]);
    }
}

// ---------------------------------------------------------------------------------------------
// Claims quote the page
// ---------------------------------------------------------------------------------------------

fn patterns() -> &'static PatternSet {
    static SET: OnceLock<PatternSet> = OnceLock::new();
    SET.get_or_init(|| {
        load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("patterns")).expect("bundled patterns load")
    })
}

/// Wordings of the bundled pattern files, plainly written and in the evasive ways they match.
const WORDINGS: &[&str] = &[
    "qualifié SecNumCloud",
    "Notre offre est qualifiée SecNumCloud 3.2.",
    "en cours de qualification SecNumCloud",
    "n'est pas qualifié SecNumCloud",
    "SecNumCloud-ready",
    "QUALIFIÉ «\u{A0}SECNUMCLOUD\u{A0}»",
    "qualifié\u{202F}Sec\u{AD}Num\u{200B}Cloud",
    "\u{405}\u{435}\u{441}NumCloud",
    "Ｓｅｃ Ｎｕｍ Ｃｌｏｕｄ",
    "Cloud. De confiance.",
    "Cloud.\u{A0}De\u{202F}confiance.",
    "notre cloud de confiance",
    "certifié HDS",
    "Hébergeur de Données de Santé (HDS)",
    "ʜᴅꜱ certifié",
];

/// Random filler, with the characters that make rendering and folding interesting.
fn filler() -> impl Strategy<Value = String> {
    let c = prop_oneof![
        6 => proptest::char::range('a', 'z'),
        2 => Just(' '),
        1 => select(&['.', '!', '?', '\'', '’', '\u{A0}', 'é', 'É', '\u{AD}', '\u{301}', '«', '»', 'œ', '…', '\n'][..]),
    ];
    proptest::collection::vec(c, 0..30).prop_map(|cs| cs.into_iter().collect())
}

/// One piece of body text: filler or a wording, maybe cut in two inline elements the way
/// pages split a word for styling (`<span>Sec</span><span>Num</span>`).
#[derive(Debug, Clone)]
enum Piece {
    Filler(String),
    Wording { text: &'static str, cut: prop::sample::Index },
}

fn piece() -> impl Strategy<Value = Piece> {
    prop_oneof![
        filler().prop_map(Piece::Filler),
        (select(WORDINGS), any::<prop::sample::Index>()).prop_map(|(text, cut)| Piece::Wording { text, cut }),
    ]
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

const WRAPPERS: &[(&str, &str)] =
    &[("<p>", "</p>"), ("<span>", "</span>"), ("<b>", "</b>"), ("<td>", "</td>"), ("<li>", "</li>"), ("", "<br>")];

fn render(piece: &Piece) -> String {
    match piece {
        Piece::Filler(s) => escape(s),
        Piece::Wording { text, cut } => {
            let bounds = boundaries(text);
            let at = bounds[cut.index(bounds.len())];
            format!("<span>{}</span><span>{}</span>", escape(&text[..at]), escape(&text[at..]))
        }
    }
}

fn page() -> impl Strategy<Value = (Vec<(Piece, usize)>, String, String)> {
    (
        proptest::collection::vec((piece(), 0..WRAPPERS.len()), 1..12),
        prop_oneof![filler(), select(WORDINGS).prop_map(String::from)],
        prop_oneof![filler(), select(WORDINGS).prop_map(String::from)],
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Evidence must quote the page: each claim's `matched` is a substring of the extracted
    /// segment it was found in, folds back to what the patterns matched, and its context is a
    /// stretch of that segment too.
    #[test]
    fn claims_quote_the_extracted_text((pieces, title, alt) in page()) {
        let body: String = pieces
            .iter()
            .map(|(p, w)| format!("{}{}{}", WRAPPERS[*w].0, render(p), WRAPPERS[*w].1))
            .collect();
        let html = format!(
            "<!doctype html><html><head><title>{}</title></head><body>{body}<img src=x alt=\"{}\"></body></html>",
            escape(&title),
            escape(&alt)
        );
        let page = extract(html.as_bytes(), Some("text/html; charset=utf-8"));
        let claims = detect(&page.segments, &Reading::new(patterns(), &Gazetteer::empty()));
        for claim in &claims {
            let segment = page.segments.iter().find(|s| s.location == claim.location && s.detail == claim.detail);
            prop_assert!(segment.is_some(), "no segment {:?} {:?}", claim.location, claim.detail);
            let text = &segment.unwrap().text;
            prop_assert!(!claim.matched.is_empty());
            prop_assert!(text.contains(&claim.matched), "{:?} not in {:?}", claim.matched, text);
            prop_assert!(
                normalize(&claim.matched).replace('\n', " ").contains(&claim.folded),
                "{:?} does not fold to {:?}", claim.matched, claim.folded
            );
            prop_assert!(text.replace('\n', " ").contains(&claim.context), "{:?} not in {:?}", claim.context, text);
        }
        // A wording set in its own block is always found: otherwise the assertions above
        // could pass on a detector that finds nothing.
        let alone = pieces.iter().any(|(p, w)| matches!(p, Piece::Wording { .. }) && matches!(WRAPPERS[*w].0, "<p>" | "<li>"));
        prop_assert!(!alone || claims.iter().any(|c| c.detail == "body"), "no claim in {:?}", page.segments);
    }
}

// ---------------------------------------------------------------------------------------------
// The verdict table
// ---------------------------------------------------------------------------------------------

fn date() -> impl Strategy<Value = NaiveDate> {
    prop_oneof![
        8 => (2015i32..2035, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap()),
        1 => Just(NaiveDate::MIN),
        1 => Just(NaiveDate::MAX),
    ]
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![select(&["OVH", "S3NS", "Bleu", "Outscale", ""][..]).prop_map(String::from), filler()]
}

/// Every variant of [`Standing`], with arbitrary contents.
fn standing() -> impl Strategy<Value = Standing> {
    common::standing::standing(name, date)
}

/// A registry entry of any status for provider "OVH", under a scheme the registry may or may
/// not cover.
fn qualification() -> impl Strategy<Value = Qualification> {
    const STATUSES: [Status; 5] =
        [Status::Qualified, Status::Certified, Status::InProgress, Status::Expired, Status::Withdrawn];
    (
        select(&STATUSES[..]),
        select(&["secnumcloud", "hds"][..]),
        proptest::option::of(date()),
        proptest::option::of(date()),
        name(),
    )
        .prop_map(|(status, scheme, since, until, offer)| Qualification {
            provider: "OVH".into(),
            aliases: vec!["OVHcloud".into()],
            siren: None,
            offer,
            offer_aliases: Vec::new(),
            scheme: scheme.into(),
            status,
            since,
            until,
            decision: None,
            source: None,
            note: None,
            activities: Vec::new(),
            domains: Vec::new(),
            line: 1,
            file: 0,
        })
}

/// Fails to compile when a variant is added to [`Status`]: the strategies above must then
/// learn to generate it (`common::standing` does the same for standings).
#[allow(dead_code)]
fn strategies_cover_every_variant(status: Status) {
    match status {
        Status::Qualified | Status::Certified | Status::InProgress | Status::Expired | Status::Withdrawn => {}
    }
}

/// The properties every verdict has, whatever it judged.
fn check_verdict(kind: ClaimKind, standing: &Standing) -> Result<(), TestCaseError> {
    let v = judge(kind, standing);
    prop_assert!(!v.reason.trim().is_empty(), "no English reason for {:?} {:?}", kind, standing);
    prop_assert!(!v.reason_fr.trim().is_empty(), "no French reason for {:?} {:?}", kind, standing);
    prop_assert_ne!(&v.reason, &v.reason_fr, "the French reason is the English one");
    prop_assert_eq!(v.reason_in(Lang::Fr), v.reason_fr.as_str());
    prop_assert_eq!(v.reason_in(Lang::En), v.reason.as_str());
    // The table's fixed points: talking about a label is never a violation, an unverifiable
    // claim is only unverified, a claim the registry backs is fine.
    let expected = match (kind, standing) {
        (ClaimKind::Mention | ClaimKind::Negation, _) => Some(Level::Ok),
        (_, Standing::NotCovered { .. }) => Some(Level::Unverified),
        // A provider that never matched is a typo until someone says otherwise: nothing mailed.
        (_, Standing::UnknownProvider { .. }) => Some(Level::Unverified),
        (_, Standing::Holds { .. }) => Some(Level::Ok),
        (ClaimKind::Assertion, _) => Some(Level::Violation),
        _ => None,
    };
    if let Some(level) = expected {
        prop_assert_eq!(v.level, level, "{:?} {:?}", kind, standing);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// `judge` is total over every claim kind and every standing.
    #[test]
    fn every_kind_and_standing_has_a_bilingual_verdict(kind in select(&ClaimKind::ALL[..]), standing in standing()) {
        check_verdict(kind, &standing)?;
    }

    /// Through the registry: any mix of entry statuses and dates, asked for any bundled
    /// label's scheme on any date, gives a standing that judges like any other.
    #[test]
    fn registry_standings_of_any_status_judge_cleanly(
        entries in proptest::collection::vec(qualification(), 0..4),
        covers_hds in any::<bool>(),
        label in select(&["secnumcloud", "cloud-de-confiance", "hds"][..]),
        kind in select(&ClaimKind::ALL[..]),
        at in date(),
        who in select(&["OVH", "ovhcloud", "Unknown"][..]),
    ) {
        let mut schemes = vec!["secnumcloud".to_string()];
        if covers_hds {
            schemes.push("hds".into());
        }
        let registry = Registry {
            path: "registry.toml".into(),
            as_of: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            source: "proptest".into(),
            schemes,
            qualifications: entries,
            sha256: String::new(),
            files: Vec::new(),
            departed: Default::default(),
        };
        let scheme = &patterns().label(label).expect("bundled label").scheme;
        let standing = registry.standing(&ProviderRef { name: who.into(), siren: None }, scheme, at);
        check_verdict(kind, &standing)?;
    }
}
