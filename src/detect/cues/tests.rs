//! Unit tests of cue reading: one sentence each, read without knowing the vendor.

use super::*;
use crate::gazetteer::Gazetteer;

fn gazetteer() -> Gazetteer {
    Gazetteer::parse(
        std::path::Path::new("g.toml"),
        "[[organisation]]\nname = \"Altostrat\"\n[[organisation]]\nname = \"ANSSI\"\nkind = \"public_body\"\n",
    )
    .unwrap()
}

fn place(line: &str) -> Place<'_> {
    Place {
        location: Location::Text,
        region: Region::Body,
        article: false,
        heading: false,
        list_item: false,
        term: false,
        link: false,
        quote_block: false,
        row_head: None,
        line,
        previous: None,
        certification_neighbours: false,
    }
}

/// The cues of the first occurrence of `label` in `sentence`.
fn cues(sentence: &str, label: &str) -> Cues {
    let at = sentence.find(label).expect("label in sentence");
    read(sentence, at..at + label.len(), &place(sentence), &gazetteer())
}

fn org(c: &Cues) -> Option<(&str, Role)> {
    c.organisations.first().map(|n| (n.name.as_str(), n.role))
}

#[test]
fn the_page_own_voice_is_first_person() {
    assert!(cues("Notre offre IaaS est qualifiée SecNumCloud.", "SecNumCloud").first_person);
    assert!(cues("Nous sommes fiers d'être qualifiés SecNumCloud.", "SecNumCloud").first_person);
    assert!(cues("Our platform is SecNumCloud certified.", "SecNumCloud").first_person);
}

#[test]
fn a_named_subject_is_an_organisation_whatever_its_verb() {
    assert_eq!(
        org(&cues("Nuvexa a obtenu la qualification SecNumCloud.", "SecNumCloud")),
        Some(("Nuvexa", Role::Subject))
    );
    assert_eq!(
        org(&cues("En 2024, Altostrat décroche le visa SecNumCloud.", "SecNumCloud")),
        Some(("Altostrat", Role::Subject))
    );
    assert_eq!(org(&cues("Brumaire Cloud est certifié HDS.", "HDS")), Some(("Brumaire Cloud", Role::Subject)));
}

#[test]
fn an_owner_after_the_label_or_a_possessive_name_the_offer() {
    assert_eq!(
        org(&cues("Le service IaaS qualifié SecNumCloud de Nuvexa est ouvert.", "SecNumCloud")),
        Some(("Nuvexa", Role::Owner))
    );
    assert_eq!(org(&cues("Nuvexa's cloud is SecNumCloud qualified.", "SecNumCloud")), Some(("Nuvexa", Role::Owner)));
}

#[test]
fn a_relative_clause_is_about_the_noun_before_it() {
    let c = cues("Nous avons interrogé Altostrat, qui est qualifié SecNumCloud.", "SecNumCloud");
    assert!(!c.first_person, "{c:?}");
    assert_eq!(org(&c), Some(("Altostrat", Role::Subject)));
}

#[test]
fn indefinite_and_plural_subjects_are_generic() {
    assert_eq!(
        cues("Un prestataire qualifié SecNumCloud doit être audité.", "SecNumCloud").generic,
        Some(Generic::Indefinite)
    );
    assert_eq!(cues("Les offres qualifiées SecNumCloud sont rares.", "SecNumCloud").generic, Some(Generic::Plural));
}

#[test]
fn how_it_is_said() {
    assert_eq!(cues("Votre cloud est-il qualifié SecNumCloud ?", "SecNumCloud").speech, Some(Speech::Question));
    assert_eq!(
        cues("Selon Altostrat, son offre sera qualifiée SecNumCloud en 2026.", "SecNumCloud").speech,
        Some(Speech::Reported)
    );
    assert_eq!(
        cues("Pour obtenir la qualification SecNumCloud, il faut un audit.", "SecNumCloud").speech,
        Some(Speech::Hypothetical)
    );
    assert_eq!(
        cues("Seuls les prestataires qualifiés SecNumCloud peuvent répondre.", "SecNumCloud").speech,
        Some(Speech::Normative)
    );
    assert_eq!(
        cues("La qualification SecNumCloud garantit un haut niveau de sécurité.", "SecNumCloud").speech,
        Some(Speech::Topic)
    );
}

#[test]
fn a_speaker_company_is_found_after_the_speech_verb() {
    let c = cues(
        "« Nous sommes qualifiés SecNumCloud depuis mars », explique Jeanne Roc, directrice de Brumaire.",
        "SecNumCloud",
    );
    assert_eq!(c.speech, Some(Speech::Quotation));
    assert_eq!(c.named(Role::Speaker).map(|n| n.name.as_str()), Some("Brumaire"));
}

#[test]
fn hosts_and_partners_are_lenders() {
    let c = cues("Notre logiciel est hébergé chez Altostrat, qualifié SecNumCloud.", "SecNumCloud");
    assert!(c.organisations.iter().any(|n| n.name == "Altostrat" && n.role == Role::Host), "{c:?}");
    let c = cues("Notre partenaire Altostrat est qualifié SecNumCloud.", "SecNumCloud");
    assert_eq!(org(&c), Some(("Altostrat", Role::Host)));
}

#[test]
fn an_authority_is_never_the_holder() {
    let c = cues("L'ANSSI publie la liste des offres qualifiées SecNumCloud.", "SecNumCloud");
    assert!(c.organisations.iter().all(|n| n.name != "ANSSI" || n.authority), "{c:?}");
    assert_ne!(c.subject(), "organisation");
}

#[test]
fn imperatives_offer_or_recommend() {
    assert!(cues("Découvrez notre cloud qualifié SecNumCloud.", "SecNumCloud").first_person);
    assert_eq!(cues("Choisissez un hébergeur certifié HDS.", "HDS").second_person, Some(Address::Recommend));
    assert_eq!(cues("Bénéficiez d'un hébergement certifié HDS.", "HDS").second_person, Some(Address::Offer));
}

#[test]
fn short_lines_without_a_verb_are_taglines_and_alt_texts_badges() {
    assert_eq!(cues("Hébergement certifié HDS", "HDS").display, Some(Display::Tagline));
    let mut p = place("Logo SecNumCloud");
    p.location = Location::Alt;
    let c = read("Logo SecNumCloud", 5..16, &p, &gazetteer());
    assert_eq!(c.display, Some(Display::Badge));
}

#[test]
fn a_pronoun_continues_the_previous_sentence_subject() {
    let mut p = place("Elle a obtenu la qualification SecNumCloud en 2025.");
    p.previous = Some("Altostrat est un hébergeur lyonnais.");
    let s = "Elle a obtenu la qualification SecNumCloud en 2025.";
    let at = s.find("SecNumCloud").unwrap();
    let c = read(s, at..at + 11, &p, &gazetteer());
    assert_eq!(org(&c), Some(("Altostrat", Role::Antecedent)));
}

#[test]
fn title_case_words_are_not_names_unless_known() {
    let c = cues("Our Sovereign Platform Is SecNumCloud Qualified", "SecNumCloud");
    assert!(c.organisations.is_empty(), "{c:?}");
    assert!(c.first_person);
}

#[test]
fn a_speaker_named_before_the_speech_verb_is_the_speaker_not_a_name_in_what_is_said() {
    let c = cues(
        "Le ministère Brumaire annonce enfin quitter Altostrat pour un cloud qualifié SecNumCloud.",
        "SecNumCloud",
    );
    assert_eq!(c.speech, Some(Speech::Reported));
    assert!(c.named(Role::Speaker).is_none_or(|n| n.name != "Altostrat"), "{c:?}");
    let c = cues("Altostrat annonce que sa plateforme est qualifiée SecNumCloud.", "SecNumCloud");
    assert_eq!(c.named(Role::Speaker).map(|n| n.name.as_str()), Some("Altostrat"));
}

#[test]
fn a_name_deep_in_the_labelled_phrase_owns_it_only_after_a_preposition_of_ownership() {
    let c = cues(
        "Elle a franchi une étape de la qualification SecNumCloud pour son offre bâtie sur les briques Altostrat.",
        "SecNumCloud",
    );
    assert!(c.named(Role::Owner).is_none(), "{c:?}");
    let c = cues("La qualification SecNumCloud de Altostrat a été renouvelée.", "SecNumCloud");
    assert_eq!(org(&c), Some(("Altostrat", Role::Owner)));
}
