//! Property tests of attribution: a claim about a third party or about a kind of offer is never the vendor's violation, neither in the verdict table nor end to end on generated sentences about invented companies scanned as the owner's page.

mod common;

use std::sync::OnceLock;

use chrono::NaiveDate;
use claimwatch::config::Vendor;
use claimwatch::detect::{Claim, Cues};
use claimwatch::extract::{Location, extract};
use claimwatch::gazetteer::OrgKind;
use claimwatch::judge::{Demotion, Level, Subject, judge_claim};
use claimwatch::patterns::ClaimKind;
use claimwatch::registry::Standing;
use claimwatch::scan::{Knowledge, PageResult, scan_page};
use proptest::prelude::*;
use proptest::sample::select;
use url::Url;

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

/// Names of organisations, offers and schemes: the set's invented companies, the owner, odd
/// strings and nothing at all.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        select(&["Altostrat", "Brumaire Cloud", "Cirrolys", "Nuvexa", "secnumcloud", "hds", ""][..])
            .prop_map(String::from),
        "[ -~àéèôç]{0,16}",
    ]
}

/// Every variant of [`Standing`], over the set's names and any dates.
fn standing() -> impl Strategy<Value = Standing> {
    common::standing::standing(name, date)
}

/// Fails to compile when a variant is added to [`Subject`] or [`Demotion`]: the strategies of
/// this file must then learn to generate it (`common::standing` does the same for standings).
#[allow(dead_code)]
fn strategies_cover_every_variant(subject: Subject, demotion: Demotion) {
    match subject {
        Subject::Own | Subject::ThirdParty | Subject::Generic => {}
    }
    match demotion {
        Demotion::Reported
        | Demotion::Hypothetical
        | Demotion::Question
        | Demotion::Normative
        | Demotion::Topic
        | Demotion::Generic
        | Demotion::Recommendation
        | Demotion::Article
        | Demotion::ThirdPartyAdjacent
        | Demotion::Menu
        | Demotion::Authority
        | Demotion::Foreign => {}
    }
}

const DEMOTIONS: [Demotion; 12] = [
    Demotion::Reported,
    Demotion::Hypothetical,
    Demotion::Question,
    Demotion::Normative,
    Demotion::Topic,
    Demotion::Generic,
    Demotion::Recommendation,
    Demotion::Article,
    Demotion::ThirdPartyAdjacent,
    Demotion::Menu,
    Demotion::Authority,
    Demotion::Foreign,
];

/// A claim of any kind, label and location whose subject is not the vendor.
fn claim_about_someone_else() -> impl Strategy<Value = Claim> {
    (
        select(&ClaimKind::ALL[..]),
        select(&[Subject::ThirdParty, Subject::Generic][..]),
        proptest::option::of(name()),
        proptest::option::of(select(&DEMOTIONS[..])),
        select(&[("secnumcloud", "secnumcloud"), ("cloud-de-confiance", "secnumcloud"), ("hds", "hds")][..]),
        select(&Location::ALL[..]),
    )
        .prop_map(|(kind, subject, subject_name, demoted, (label, scheme), location)| Claim {
            label: label.into(),
            scheme: scheme.into(),
            kind,
            matched: "qualifié SecNumCloud".into(),
            folded: "qualifie secnumcloud".into(),
            context: "Altostrat est qualifié SecNumCloud.".into(),
            location,
            detail: "body".into(),
            rule: None,
            cues: Cues::default(),
            subject,
            subject_name,
            demoted,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Whatever the vendor holds and whatever the named organisation holds (or whether the
    /// registry knows it at all), a claim about someone else or about a kind of offer is judged
    /// against that one or is a mention: it never becomes the vendor's violation.
    #[test]
    fn a_third_party_or_generic_claim_is_never_a_violation_of_the_vendor(
        claim in claim_about_someone_else(),
        own in standing(),
        named in proptest::option::of(standing()),
    ) {
        let v = judge_claim(&claim, &own, named.as_ref());
        prop_assert_ne!(v.level, Level::Violation, "{:?} own={:?} named={:?}: {}", claim.kind, own, named, v.reason);
        prop_assert!(!v.reason.is_empty() && !v.reason_fr.is_empty());
    }
}

// ---------------------------------------------------------------------------------------------
// End to end: sentences about invented companies, scanned as the owner's page
// ---------------------------------------------------------------------------------------------

use common::devset::world;

/// The invented companies of the development set's gazetteer.
fn companies() -> &'static [String] {
    static C: OnceLock<Vec<String>> = OnceLock::new();
    C.get_or_init(|| {
        world().gazetteer.organisations.iter().filter(|o| o.kind == OrgKind::Company).map(|o| o.name.clone()).collect()
    })
}

/// The page owner: a vendor with no registry provider, so it holds nothing.
const OWNER: &str = "Nuvexa";
const HOST: &str = "www.nuvexa.fr";

/// Ways pages write the label, plainly and evasively.
const SECNUMCLOUD: &[&str] = &[
    "SecNumCloud",
    "SecNumCloud 3.2",
    "SECNUMCLOUD",
    "Sec\u{AD}Num\u{200B}Cloud",
    "«\u{A0}SecNumCloud\u{A0}»",
    "SecNumCloud\u{202F}v3.2",
];
const HDS: &[&str] = &["HDS", "«\u{A0}HDS\u{A0}»", "HDS v2"];
const PARTICIPLES_FR: &[&str] = &["qualifiée", "qualifié", "certifiée", "certifié", "labellisée", "QUALIFIÉE"];
const PARTICIPLES_EN: &[&str] = &["qualified", "certified"];

/// Sentences whose subject is the named company `{org}`; `{label}` and `{granted}` are filled
/// from the lists above (`{granted_en}` for English).
const THIRD_PARTY_TEMPLATES: &[&str] = &[
    "{org} est {granted} {label}.",
    "{org} est {granted} {label} pour son offre d'infrastructure.",
    "{org} a obtenu la qualification {label} pour son offre IaaS.",
    "{org} détient la certification {label} depuis 2025.",
    "L'offre de stockage de {org} est {granted} {label}.",
    "{org}, hébergeur {granted} {label}, ouvre un site à Lille.",
    "{org}, opérateur {granted} {label}, annonce deux nouvelles régions.",
    "Selon {org}, sa plateforme est {granted} {label}.",
    "{org} a ouvert une région à Lyon cette année. Elle est {granted} {label}.",
    "{org} is {label} {granted_en}.",
    "{org}'s platform is {label} {granted_en}.",
    "{org} holds the {label} qualification for its PaaS.",
    "« Nous sommes {granted}s {label} », explique Claire Dumas, directrice générale de {org}.",
    "{org} est en cours de qualification {label} pour son offre de calcul.",
];

/// Sentences whose subject is nobody in particular.
const GENERIC_TEMPLATES: &[&str] = &[
    "Un prestataire dont l'offre est {granted} {label} a été évalué par un laboratoire agréé.",
    "Les offres {granted}s {label} restent rares sur le marché.",
    "Certains hébergeurs {granted}s {label} proposent aussi de l'infogérance.",
    "Tout hébergeur de dossiers médicaux doit être {granted} {label}.",
    "Seuls les prestataires {granted}s {label} peuvent héberger ces données.",
    "Choisissez un prestataire {granted} {label} pour vos données sensibles.",
    "Pour obtenir la qualification {label}, un prestataire doit passer un audit.",
    "Most {label}-{granted_en} providers are listed by ANSSI.",
    "Providers must be {label} {granted_en} to host such workloads.",
];

#[derive(Debug, Clone)]
struct Generated {
    sentence: String,
    article: bool,
    region: Option<&'static str>,
}

fn fill(template: &str, org: &str, label: &str, granted: &str, granted_en: &str) -> String {
    template
        .replace("{org}", org)
        .replace("{label}", label)
        .replace("{granted_en}", granted_en)
        .replace("{granted}", granted)
}

fn label_wording() -> impl Strategy<Value = &'static str> {
    prop_oneof![3 => select(SECNUMCLOUD), 1 => select(HDS)]
}

fn place() -> impl Strategy<Value = (bool, Option<&'static str>)> {
    (any::<bool>(), proptest::option::of(select(&["main", "aside"][..])))
}

fn third_party_sentence() -> impl Strategy<Value = Generated> {
    (
        select(THIRD_PARTY_TEMPLATES),
        any::<prop::sample::Index>(),
        label_wording(),
        select(PARTICIPLES_FR),
        select(PARTICIPLES_EN),
        place(),
    )
        .prop_map(|(t, org, label, fr, en, (article, region))| {
            let org = &companies()[org.index(companies().len())];
            Generated { sentence: fill(t, org, label, fr, en), article, region }
        })
}

fn generic_sentence() -> impl Strategy<Value = Generated> {
    (select(GENERIC_TEMPLATES), label_wording(), select(PARTICIPLES_FR), select(PARTICIPLES_EN), place()).prop_map(
        |(t, label, fr, en, (article, region))| Generated { sentence: fill(t, "", label, fr, en), article, region },
    )
}

fn scan_as_owner(g: &Generated) -> PageResult {
    let w = world();
    let path = if g.article { "/blog/revue-du-mois" } else { "/partenaires" };
    let url = Url::parse(&format!("https://{HOST}{path}")).unwrap();
    let escaped = g.sentence.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let body = match g.region {
        Some(r) => format!("<{r}><p>{escaped}</p></{r}>"),
        None => format!("<p>{escaped}</p>"),
    };
    let html = format!("<!doctype html><html><head><meta charset=\"utf-8\"></head><body>{body}</body></html>");
    let vendor = Vendor { allowed_hosts: vec![HOST.into()], ..Vendor::new("nuvexa", OWNER) };
    let knowledge = Knowledge { patterns: &w.patterns, gazetteer: &w.gazetteer, registry: &w.registry };
    let at = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    scan_page(extract(html.as_bytes(), Some("text/html; charset=utf-8")), &knowledge, Some(&vendor), Some(&url), at)
}

fn no_violation(g: &Generated) -> Result<(), TestCaseError> {
    let result = scan_as_owner(g);
    // A detector that finds nothing would pass vacuously: every sentence names the label.
    prop_assert!(!result.claims.is_empty(), "no claim found in {:?}", g.sentence);
    for j in &result.claims {
        prop_assert_ne!(
            j.verdict.level,
            Level::Violation,
            "{:?} (article: {}, region: {:?}) read as {} {} subject={} ({:?}): {}",
            g.sentence,
            g.article,
            g.region,
            j.claim.label,
            j.claim.kind,
            j.claim.subject.as_str(),
            j.claim.subject_name,
            j.verdict.reason
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A sentence about an invented company the gazetteer knows, with any wording of the
    /// label, on the owner's page or blog, may alert about that company (when the registry
    /// says it does not hold what the sentence says) but is never the owner's violation.
    #[test]
    fn a_sentence_about_a_named_third_party_is_never_the_owners_violation(g in third_party_sentence()) {
        no_violation(&g)?;
    }

    /// A sentence about a kind of provider, a rule or an advice, with any wording of the
    /// label, is never the owner's violation.
    #[test]
    fn a_sentence_about_an_indefinite_or_plural_subject_is_never_the_owners_violation(g in generic_sentence()) {
        no_violation(&g)?;
    }
}

/// The control of the properties above: the same templates with the owner as subject are its
/// violations, so a reading that judged nothing at all would not pass them.
#[test]
fn the_same_templates_about_the_owner_are_its_violations() {
    let own_templates = [
        "{org} est {granted} {label}.",
        "{org} a obtenu la qualification {label} pour son offre IaaS.",
        "{org} détient la certification {label} depuis 2025.",
        "{org} is {label} {granted_en}.",
    ];
    for t in own_templates {
        for label in ["SecNumCloud", "HDS"] {
            let g =
                Generated { sentence: fill(t, OWNER, label, "qualifiée", "qualified"), article: false, region: None };
            let result = scan_as_owner(&g);
            assert!(
                result.claims.iter().any(|j| j.verdict.level == Level::Violation),
                "{:?} is not the owner's violation: {:?}",
                g.sentence,
                result.claims.iter().map(|j| (j.claim.kind, j.claim.subject, j.verdict.level)).collect::<Vec<_>>()
            );
        }
    }
}
