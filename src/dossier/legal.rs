//! The "Legal basis" section of a dossier, in French and English: the texts a trust-label claim
//! relates to and the body that grants the label, chosen by the label's scheme and the kind of
//! claim. Information for the reader, not legal advice; the first paragraph says so.
//!
//! Plain text (not HTML): the renderer escapes it. The French text carries the no-break spaces
//! French typography wants (before `:` `;` `!` `?`, inside « guillemets »).

use crate::config::Lang;
use crate::i18n::{NBSP, french_spacing};
use crate::patterns::ClaimKind;

/// One paragraph of the legal basis: a short title, its text, and the items of a list that
/// follows the text (empty when there is none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    pub title: String,
    pub text: String,
    pub items: Vec<String>,
}

/// The legal basis for a claim of the label `label` (its id: `secnumcloud`, `cloud-de-confiance`,
/// `hds`…), backed by the registry scheme `scheme`, read as `kind`.
///
/// Always, in this order: a notice that this is information and not legal advice; the consumer
/// code's rules, with the items of article L121-4 that bear on `kind`; who grants the label
/// (SecNumCloud, « Cloud de confiance », HDS, or a generic paragraph for any other scheme); how
/// the rules read for this kind of claim.
pub fn basis(lang: Lang, label: &str, scheme: &str, kind: ClaimKind) -> Vec<Paragraph> {
    let w = words(lang);
    let mut out = vec![p(lang, w.notice_title, w.notice, &[])];

    let items: &[&str] = match kind {
        ClaimKind::Assertion => &[w.item_2, w.item_4],
        ClaimKind::InProgress => &[w.item_4],
        ClaimKind::Adjacent => &[w.item_2, w.item_4],
        ClaimKind::Mention | ClaimKind::Negation => &[],
    };
    let code =
        if items.is_empty() { w.code_general.to_string() } else { format!("{} {}", w.code_general, w.code_l121_4) };
    out.push(p(lang, w.code_title, &code, items));

    let scheme = scheme.to_ascii_lowercase();
    let label = label.to_ascii_lowercase();
    match scheme.as_str() {
        "secnumcloud" => {
            out.push(p(lang, w.snc_title, w.snc, &[]));
            if label == "cloud-de-confiance" {
                out.push(p(lang, w.cdc_title, w.cdc, &[]));
            }
        }
        "hds" => out.push(p(lang, w.hds_title, w.hds, &[])),
        _ => out.push(p(lang, w.generic_title, w.generic, &[])),
    }

    let reading = match kind {
        ClaimKind::Assertion => w.assertion,
        ClaimKind::InProgress if scheme == "secnumcloud" => w.in_progress_snc,
        ClaimKind::InProgress => w.in_progress_other,
        ClaimKind::Adjacent => w.adjacent,
        ClaimKind::Mention => w.mention,
        ClaimKind::Negation => w.negation,
    };
    out.push(p(lang, w.reading_title, reading, &[]));
    out
}

fn p(lang: Lang, title: &str, text: &str, items: &[&str]) -> Paragraph {
    Paragraph {
        title: typeset(lang, title),
        text: typeset(lang, text),
        items: items.iter().map(|i| typeset(lang, i)).collect(),
    }
}

/// French: no-break spaces before high punctuation and inside guillemets. English: as written.
fn typeset(lang: Lang, s: &str) -> String {
    match lang {
        Lang::Fr => french_spacing(s)
            .replace("« ", &format!("«{NBSP}"))
            .replace(" »", &format!("{NBSP}»"))
            .replace("n° ", &format!("n°{NBSP}")),
        Lang::En => s.to_string(),
    }
}

struct Words {
    notice_title: &'static str,
    notice: &'static str,
    code_title: &'static str,
    code_general: &'static str,
    code_l121_4: &'static str,
    item_2: &'static str,
    item_4: &'static str,
    snc_title: &'static str,
    snc: &'static str,
    cdc_title: &'static str,
    cdc: &'static str,
    hds_title: &'static str,
    hds: &'static str,
    generic_title: &'static str,
    generic: &'static str,
    reading_title: &'static str,
    assertion: &'static str,
    in_progress_snc: &'static str,
    in_progress_other: &'static str,
    adjacent: &'static str,
    mention: &'static str,
    negation: &'static str,
}

const FR: Words = Words {
    notice_title: "Portée de cette section",
    notice: "Cette section est donnée à titre d’information ; elle ne constitue pas un conseil juridique. \
        Elle rappelle les textes et les autorités dont relève le constat afin que le lecteur puisse l’apprécier. \
        Dire si une pratique donnée constitue une infraction revient à l’autorité compétente et, en dernier lieu, au juge. \
        Les textes y sont résumés tels que le projet les comprenait lors de sa rédaction : vérifiez leur version en vigueur avant de vous y fonder.",
    code_title: "Code de la consommation",
    code_general: "L’article L121-2 du code de la consommation réprime, de façon générale, les pratiques commerciales trompeuses. \
        La DGCCRF (Direction générale de la concurrence, de la consommation et de la répression des fraudes) est chargée de le faire respecter.",
    code_l121_4: "L’article L121-4 énumère des pratiques commerciales réputées trompeuses ; parmi elles, pour ce qui concerne ce constat :",
    item_2: "2° afficher un certificat, un label de qualité ou un équivalent sans avoir obtenu l’autorisation nécessaire ;",
    item_4: "4° affirmer qu’un professionnel ou un produit a été agréé, approuvé ou autorisé par un organisme public ou privé alors que ce n’est pas le cas.",
    snc_title: "Qui délivre la qualification SecNumCloud",
    snc: "SecNumCloud est une qualification délivrée par l’ANSSI (Agence nationale de la sécurité des systèmes d’information). \
        Elle porte sur un service nommément désigné, non sur une entreprise : un prestataire qualifié pour une offre ne l’est pas pour ses autres offres. \
        Elle vaut pour trois ans au plus. Le registre cité dans ce dossier reprend la liste des services qualifiés.",
    cdc_title: "« Cloud de confiance »",
    cdc: "« Cloud de confiance » n’est pas un label distinct. Dans la doctrine « cloud au centre » de l’État \
        (circulaires n° 6282/SG du 5 juillet 2021 et n° 6404/SG du 31 mai 2023), l’expression désigne une offre qui détient la qualification SecNumCloud. \
        Présenter une offre comme « cloud de confiance » suppose donc cette qualification ; l’allégation est vérifiée au regard du registre SecNumCloud.",
    hds_title: "Qui délivre la certification HDS",
    hds: "HDS (hébergeur de données de santé) est une certification délivrée par un organisme certificateur accrédité par le COFRAC (Comité français d’accréditation). \
        L’Agence du numérique en santé publie la liste des hébergeurs certifiés ; c’est au regard de cette liste que l’allégation est vérifiée.",
    generic_title: "Qui délivre le label",
    generic: "Ce label est délivré par l’organisme qui gère le référentiel dont il relève. \
        La liste des titulaires que publie cet organisme fait foi pour dire si une offre le détient ; c’est au regard de cette liste que l’allégation est vérifiée.",
    reading_title: "Lecture de cette allégation",
    assertion: "La page présente l’offre comme titulaire du label. \
        Si le registre ne montre aucune qualification ou certification en cours de validité pour cette offre, afficher le label relève du 2° \
        et présenter l’offre comme approuvée relève du 4° de l’article L121-4.",
    in_progress_snc: "La page annonce que l’offre est en cours de qualification. \
        Cette mention n’est permise qu’une fois que l’ANSSI a validé le contrat d’évaluation du service, étape que le registre inscrit comme « en cours ». \
        Avant cette étape, l’annonce n’est pas fondée. Et présenter comme « qualifiée » une offre dont la qualification n’est qu’en cours est trompeur.",
    in_progress_other: "La page annonce que l’offre est en cours de certification. \
        Une telle annonce doit correspondre à l’état réel de la démarche ; présenter comme certifiée une offre dont la certification n’est qu’en cours est trompeur.",
    adjacent: "La page n’affirme pas expressément que l’offre détient le label, mais sa formulation en emprunte le nom \
        (par exemple « -ready », « conforme », « compatible »). \
        Le caractère trompeur d’une telle formulation dépend de l’impression qu’elle laisse au lecteur : \
        si elle lui fait croire que l’offre détient le label, les règles ci-dessus s’appliquent.",
    mention: "La page parle du label sans le revendiquer pour l’offre (explication, actualité, recommandation). \
        Un tel texte n’est pas en soi une allégation ; il figure ici par souci d’exhaustivité.",
    negation: "La page indique que l’offre ne détient pas le label. Ce n’est pas une allégation ; il figure ici par souci d’exhaustivité.",
};

const EN: Words = Words {
    notice_title: "Scope of this section",
    notice: "This section is information, not legal advice. \
        It recalls the texts and the authorities the finding relates to so that the reader can weigh it. \
        Whether a given practice is an offence is for the competent authority and, in the end, a court to decide. \
        The texts are summarised as the project understood them when this was written: check their current version before relying on them.",
    code_title: "French consumer code (Code de la consommation)",
    code_general: "Article L121-2 of the Code de la consommation makes misleading commercial practices an offence in general. \
        The DGCCRF (the French directorate-general for competition, consumer affairs and fraud control) enforces it.",
    code_l121_4: "Article L121-4 lists commercial practices that are deemed misleading; among them, as far as this finding goes:",
    item_2: "2° displaying a certificate, a quality label or an equivalent without having obtained the necessary authorisation;",
    item_4: "4° claiming that a professional or a product has been approved, endorsed or authorised by a public or private body when that is not the case.",
    snc_title: "Who grants the SecNumCloud qualification",
    snc: "SecNumCloud is a qualification granted by ANSSI (the French national cybersecurity agency). \
        It is granted to a named service, not to a company: a provider qualified for one offer is not qualified for its other offers. \
        It is valid for three years at most. The registry this dossier quotes follows the list of qualified services.",
    cdc_title: "“Cloud de confiance”",
    cdc: "“Cloud de confiance” (trusted cloud) is not a label of its own. Under the State’s “cloud au centre” doctrine \
        (circulars no. 6282/SG of 5 July 2021 and no. 6404/SG of 31 May 2023), the phrase designates an offer that holds the SecNumCloud qualification. \
        Presenting an offer as “cloud de confiance” therefore requires that qualification; the claim is checked against the SecNumCloud registry.",
    hds_title: "Who grants the HDS certification",
    hds: "HDS (hébergeur de données de santé, health-data host) is a certification issued by a certification body accredited by COFRAC (the French accreditation committee). \
        The Agence du numérique en santé publishes the list of certified hosts; the claim is checked against that list.",
    generic_title: "Who grants the label",
    generic: "This label is granted by the body that runs the scheme it belongs to. \
        The list of holders that this body publishes is the reference for whether an offer holds it; the claim is checked against that list.",
    reading_title: "How this claim reads",
    assertion: "The page presents the offer as holding the label. \
        If the registry shows no qualification or certification in force for that offer, displaying the label falls under 2° \
        and presenting the offer as approved falls under 4° of article L121-4.",
    in_progress_snc: "The page says the offer is being qualified. \
        Saying “en cours de qualification” (being qualified) is allowed only once ANSSI has validated the evaluation contract for the service, \
        the step the registry records as “in progress”. Before that step the statement is unfounded. \
        And calling an offer “qualifié” (qualified) while its qualification is only in progress is misleading.",
    in_progress_other: "The page says the offer is being certified. \
        Such a statement must match where the process actually stands; presenting an offer as certified while its certification is only under way is misleading.",
    adjacent: "The page does not state outright that the offer holds the label, but its wording borrows the label’s name \
        (for instance “-ready”, “conforme” (compliant), “compatible”). \
        Whether such wording misleads depends on the impression it leaves on the reader: \
        if it leads them to believe that the offer holds the label, the rules above apply.",
    mention: "The page speaks of the label without claiming it for the offer (an explainer, news, a recommendation). \
        Such text is not in itself a claim; it is shown here for completeness.",
    negation: "The page says that the offer does not hold the label. That is not a claim; it is shown here for completeness.",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Fr => &FR,
        Lang::En => &EN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_text(ps: &[Paragraph]) -> String {
        ps.iter().map(|p| format!("{}\n{}\n{}\n", p.title, p.text, p.items.join("\n"))).collect()
    }

    #[test]
    fn every_basis_starts_by_saying_it_is_not_legal_advice() {
        for kind in ClaimKind::ALL {
            for scheme in ["secnumcloud", "hds", "iso27001"] {
                let fr = basis(Lang::Fr, scheme, scheme, kind);
                assert!(fr[0].text.contains("ne constitue pas un conseil juridique"), "{scheme} {kind:?}");
                let en = basis(Lang::En, scheme, scheme, kind);
                assert!(en[0].text.contains("not legal advice"), "{scheme} {kind:?}");
                assert_eq!(fr.len(), en.len());
            }
        }
    }

    #[test]
    fn the_scheme_chooses_the_authority() {
        let snc = all_text(&basis(Lang::En, "secnumcloud", "secnumcloud", ClaimKind::Assertion));
        assert!(snc.contains("ANSSI") && snc.contains("named service") && snc.contains("three years"));
        assert!(!snc.contains("6282/SG") && !snc.contains("COFRAC"));
        let cdc = all_text(&basis(Lang::En, "cloud-de-confiance", "secnumcloud", ClaimKind::Assertion));
        assert!(
            cdc.contains("6282/SG of 5 July 2021") && cdc.contains("6404/SG of 31 May 2023") && cdc.contains("ANSSI")
        );
        let hds = all_text(&basis(Lang::Fr, "hds", "hds", ClaimKind::Assertion));
        assert!(hds.contains("COFRAC") && hds.contains("Agence du numérique en santé") && !hds.contains("ANSSI"));
        let other = all_text(&basis(Lang::En, "gaia-x", "gaia-x", ClaimKind::Assertion));
        assert!(other.contains("Who grants the label") && !other.contains("ANSSI") && !other.contains("COFRAC"));
    }

    #[test]
    fn the_kind_chooses_the_items_and_the_reading() {
        let a = basis(Lang::En, "secnumcloud", "secnumcloud", ClaimKind::Assertion);
        assert_eq!(a[1].items.len(), 2);
        assert!(a[1].text.contains("L121-2") && a[1].text.contains("DGCCRF") && a[1].text.contains("L121-4"));
        let ip = all_text(&basis(Lang::Fr, "secnumcloud", "secnumcloud", ClaimKind::InProgress));
        assert!(ip.contains("contrat d’évaluation") && ip.contains("4°") && !ip.contains("2°"));
        let ip_hds = all_text(&basis(Lang::En, "hds", "hds", ClaimKind::InProgress));
        assert!(!ip_hds.contains("evaluation contract") && ip_hds.contains("being certified"));
        let adj = all_text(&basis(Lang::En, "secnumcloud", "secnumcloud", ClaimKind::Adjacent));
        assert!(adj.contains("borrows the label"));
        let m = basis(Lang::En, "secnumcloud", "secnumcloud", ClaimKind::Mention);
        assert!(m[1].items.is_empty() && !m[1].text.contains("L121-4"));
    }

    #[test]
    fn french_text_has_its_no_break_spaces() {
        let text = all_text(&basis(Lang::Fr, "cloud-de-confiance", "secnumcloud", ClaimKind::InProgress));
        assert!(!text.contains(" :") && !text.contains(" ;") && !text.contains("« ") && !text.contains(" »"));
        assert!(text.contains("\u{A0}:") && text.contains("«\u{A0}cloud de confiance\u{A0}»"));
    }
}
