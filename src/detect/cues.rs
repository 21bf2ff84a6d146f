//! Cues of one occurrence: who the sentence says it is about, who speaks and how, and where it stands — read without knowing the vendor, so that judge can resolve them against it.
//!
//! A shallow reading, French and English: the sentence is cut into clauses at relatives,
//! subordinators and strong punctuation; the clause that carries the label gives its subject
//! (the words before its first verb), and the noun phrase around the label gives its owner
//! and determiner. Names come from the gazetteer or are capitalised words that are no common
//! word.

use serde::{Deserialize, Serialize};

mod clause;
mod names;
mod speech;

use super::lexicon::{self as lx, is};
use super::tokens::tokenize;
use crate::extract::{Location, Region};
use crate::gazetteer::Gazetteer;
use clause::Reader;
use names::{find_names, head_name, is_short_verbless, is_verb_in, main_subject_name, named};

/// How a sentence addresses the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Address {
    /// Offers something: « votre cloud qualifié », « découvrez notre offre ».
    Offer,
    /// Recommends a kind of provider: « choisissez un prestataire qualifié ».
    Recommend,
}

/// What a named organisation is to the claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Subject of the clause that carries the label.
    Subject,
    /// Owner of the labelled offer: « l'offre de X », "X's cloud", « par X ».
    Owner,
    /// Set beside the label: « X, hébergeur certifié HDS ».
    Apposition,
    /// Named in an earlier sentence and continued by a pronoun: « Elle a obtenu… ».
    Antecedent,
    /// Quoted or reported: « …, explique Y, directeur de X ».
    Speaker,
    /// The organisation whose qualified offer is borrowed: « hébergé chez X ».
    Host,
    /// The head cell of the table row.
    RowHead,
}

/// An organisation named around an occurrence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Named {
    /// As the page writes it.
    pub name: String,
    pub role: Role,
    /// In the gazetteer (otherwise a capitalised name that may be anyone, a product included).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub known: bool,
    /// A public body or a certification body: it grants labels, never holds them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub authority: bool,
}

/// A subject that is a kind of offer or a rule, not one offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Generic {
    /// « un prestataire dont… », "a provider".
    Indefinite,
    /// « les offres qualifiées », "qualified offers".
    Plural,
    /// « SecNumCloud est un référentiel… ».
    Definition,
    /// « doit », « seuls … peuvent », "must".
    Normative,
    /// A kind of offer in the predicate: « migrer vers une offre qualifiée », "to a qualified provider".
    IndefiniteObject,
    /// Said by or of a public body, with no holder named: « l'ANSSI publie la liste… ».
    Authority,
}

/// How the page shows the label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Display {
    /// A short line without a verb: « Hébergement certifié HDS ».
    Tagline,
    /// An image's alt text or a tooltip.
    Badge,
    /// An item of a list or of a certifications line.
    List,
    /// Part of a product's name: « OpenShift SecNumCloud PaaS », « Dedicated PoD-SecNumCloud ».
    Name,
}

/// How the sentence is said, when it is not plainly stated as a fact by the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Speech {
    /// Someone else's words: « selon X », « explique Y », "said".
    Reported,
    /// A quotation: the label inside quotation marks that hold a statement, or a blockquote.
    Quotation,
    /// A heading or title about a named organisation.
    Headline,
    /// « si », « pour obtenir », « ceux qui souhaitent », "would".
    Hypothetical,
    Question,
    /// « doit », « seuls … peuvent ».
    Normative,
    /// The label as a topic or category: « la certification HDS », « X : obligations ».
    Topic,
    /// In a language the rules do not read (German): nothing can be said of it.
    Foreign,
}

/// Everything detection reports about an occurrence besides its kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cues {
    /// The clause that carries the label speaks as « nous », « notre », "we", "our".
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub first_person: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_person: Option<Address>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub organisations: Vec<Named>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generic: Option<Generic>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<Display>,
    /// The head cell of the table row the occurrence is in (when it is not that cell).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table_row: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speech: Option<Speech>,
    #[serde(default)]
    pub region: Region,
    /// The page is an article (blog post, news, press release).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub article: bool,
    /// The occurrence is an anaphor (« cette qualification ») of a label named just before.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub anaphor: bool,
    /// A verb of borrowing stands before the label in its clause: « basé sur », « hébergé chez ».
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub borrowing: bool,
    /// The occurrence is an entry of the site's menus: in `<nav>`, or a short link in a list of
    /// the site's header or footer.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub menu: bool,
}

impl Cues {
    /// The subject cue a pattern rule can condition on: `first_person`, `second_person`,
    /// `organisation`, `generic` or `none`.
    pub fn subject(&self) -> &'static str {
        if self.first_person {
            "first_person"
        } else if self.organisations.iter().any(|n| {
            matches!(n.role, Role::Subject | Role::Owner | Role::Apposition | Role::Antecedent | Role::Speaker)
        }) {
            "organisation"
        } else if self.generic.is_some() {
            "generic"
        } else if self.second_person.is_some() {
            "second_person"
        } else {
            "none"
        }
    }

    pub fn named(&self, role: Role) -> Option<&Named> {
        self.organisations.iter().find(|n| n.role == role)
    }
}

/// Where an occurrence stands, besides its sentence.
#[derive(Debug, Clone)]
pub struct Place<'a> {
    pub location: Location,
    pub region: Region,
    pub article: bool,
    /// The occurrence is in a heading, a list item, a quotation block.
    pub heading: bool,
    pub list_item: bool,
    /// The term of a definition list (`<dt>`): a glossary entry.
    pub term: bool,
    /// The occurrence is link text.
    pub link: bool,
    pub quote_block: bool,
    /// The head cell of its table row, when the occurrence is in a row but not in that cell.
    pub row_head: Option<&'a str>,
    /// The line that holds the occurrence, as written.
    pub line: &'a str,
    /// The sentence before, in the same segment.
    pub previous: Option<&'a str>,
    /// Lines next to this one name other certifications (« ISO 27001 », « PCI DSS »): the line
    /// is an item of a certifications list, bulleted or not.
    pub certification_neighbours: bool,
}

/// The cues of the occurrence at `label` (a byte range of `sentence`, both as the page wrote
/// them).
pub fn read(sentence: &str, label: std::ops::Range<usize>, place: &Place<'_>, gazetteer: &Gazetteer) -> Cues {
    let toks = tokenize(sentence);
    let mut cues = Cues { region: place.region, article: place.article, ..Cues::default() };
    let Some(ls) = toks.iter().position(|t| t.end > label.start) else { return cues };
    let le = toks.iter().rposition(|t| t.start < label.end).map_or(ls + 1, |i| i + 1).max(ls + 1);
    let names = find_names(&toks, gazetteer, ls..le);
    let reader = Reader { toks: &toks, names: &names, ls, le };

    // Who the claim is about.
    let who = reader.governing();
    // When the labelled phrase names its owner, the clause's subject still says who speaks:
    // « Our platform runs on an infrastructure operated by X » is the page's own borrowing.
    if matches!(who, Who::Org(_, Role::Owner)) {
        match reader.subject_of_clause() {
            Who::FirstPerson => cues.first_person = true,
            Who::Org(n, Role::Subject) => cues.organisations.push(named(&names[n], Role::Subject)),
            _ => {}
        }
    }
    match &who {
        Who::FirstPerson => cues.first_person = true,
        Who::SecondPerson => cues.second_person = Some(reader.address()),
        Who::Org(n, role) => cues.organisations.push(named(&names[*n], *role)),
        Who::Pronoun => {
            if let Some(prev) = place.previous
                && let Some(antecedent) = main_subject_name(prev, gazetteer)
            {
                cues.organisations.push(Named { role: Role::Antecedent, ..antecedent });
            }
        }
        Who::Indefinite => cues.generic = Some(Generic::Indefinite),
        Who::Plural => cues.generic = Some(Generic::Plural),
        Who::Authority => match reader.beneficiary() {
            Some(n) => cues.organisations.push(named(&names[n], Role::Owner)),
            None if reader.object_pronoun() => {
                if let Some(prev) = place.previous
                    && let Some(antecedent) = main_subject_name(prev, gazetteer)
                {
                    cues.organisations.push(Named { role: Role::Antecedent, ..antecedent });
                }
            }
            None => cues.generic = Some(Generic::Authority),
        },
        // « La qualification X garantit… », « l'alignement sur X a fait long feu »: the label is
        // what the sentence is about, as a definite topic.
        Who::Topic => cues.generic = Some(Generic::Definition),
        Who::Definite { offer: true } | Who::Nobody => {}
        // « La loi prévoit la migration vers un cloud respectant le référentiel X »: the clause is
        // about something that is no offer.
        Who::Definite { offer: false } => cues.generic = Some(Generic::Definition),
    }
    cues.borrowing = reader.borrowing_verb();
    let has_verb = (0..toks.len()).any(|i| is_verb_in(&toks, i));
    if matches!(who, Who::Topic | Who::Definite { .. } | Who::Nobody | Who::Pronoun)
        && cues.generic.is_none()
        && !has_verb
        && reader.phrase_is_determined_plural()
    {
        cues.generic = Some(Generic::Plural);
    }
    // « SecNumCloud est un référentiel… », "SecNumCloud is a security qualification…".
    if matches!(who, Who::Nobody | Who::Definite { .. }) && cues.generic.is_none() && reader.label_is_defined() {
        cues.generic = Some(Generic::Definition);
    }
    if matches!(who, Who::Topic | Who::Definite { .. } | Who::Nobody | Who::Pronoun)
        && has_verb
        && cues.generic.is_none()
    {
        // « …migrer vers une offre qualifiée », « les solutions qualifiées »: a kind of offer.
        if reader.phrase_is_indefinite() {
            cues.generic = Some(Generic::IndefiniteObject);
        } else if reader.phrase_is_plural_kind() {
            cues.generic = Some(Generic::Plural);
        }
    }
    if !cues.first_person && reader.opens_with_recommendation() {
        // « Vérifiez que votre hébergeur est certifié HDS », "Ask your provider for…".
        cues.second_person = Some(Address::Recommend);
    } else if matches!(who, Who::Nobody | Who::Definite { .. } | Who::Topic) {
        if reader.imperative().is_some() {
            cues.second_person = Some(reader.address());
        } else if speaks_as_we(&toks) && !reader.label_in_relative() {
            // « « X », voilà ce que nous vous garantissons »: the page's own voice, no subject.
            cues.first_person = true;
        }
    }
    // Organisations the labelled offer is borrowed from, and the owner of the labelled phrase.
    for (n, role) in reader.around_label() {
        if !cues.organisations.iter().any(|o| o.name == names[n].text) {
            cues.organisations.push(named(&names[n], role));
        }
    }
    if let Some(head) = place.row_head {
        let head = head.trim();
        if !head.is_empty() {
            cues.table_row = Some(head.to_string());
            if let Some(n) = head_name(head, gazetteer) {
                cues.organisations.push(Named { role: Role::RowHead, ..n });
            }
        }
    }

    // How it is said.
    cues.speech = if super::cues::names::in_german(&toks) { Some(Speech::Foreign) } else { reader.speech(place, &who) };
    if cues.speech == Some(Speech::Normative) && cues.generic.is_none() && !cues.first_person {
        cues.generic = Some(Generic::Normative);
    }
    if let Some((n, role)) = reader.speaker() {
        cues.organisations.retain(|o| o.role != Role::Speaker);
        cues.organisations.push(named(&names[n], role));
    }

    // How it is shown.
    let short = is_short_verbless(place.line, 8);
    // A menu entry that states a grant (« IaaS qualifié X ») is the site's claim like a tagline;
    // one that names a section (« Hébergement HDS », « X ») is not.
    let states_grant = toks.iter().any(|t| lx::is_grant_participle(&t.folded));
    cues.menu = place.location == Location::Text
        && !states_grant
        && (place.region == Region::Nav || (place.region.is_site_frame() && place.link && (place.list_item || short)));
    let bulleted = place.line.trim_start().starts_with(crate::extract::layout::BULLETS);
    cues.display = if matches!(place.location, Location::Alt | Location::Attribute) {
        Some(Display::Badge)
    } else if reader.in_certifications_list() || (place.certification_neighbours && is_short_verbless(place.line, 8)) {
        Some(Display::List)
    } else if (place.list_item || bulleted) && is_short_verbless(place.line, 8) {
        Some(Display::Tagline)
    } else if reader.in_product_name() {
        Some(Display::Name)
    } else if is_short_verbless(place.line, 8) && !matches!(who, Who::Indefinite | Who::Plural | Who::Topic) {
        Some(Display::Tagline)
    } else {
        None
    };
    cues
}

/// Whether a sentence speaks in the first person about itself: « nous », « notre offre », but
/// not « nos clients » or « nos adhérents », whose offers are theirs.
fn speaks_as_we(toks: &[super::tokens::Token<'_>]) -> bool {
    toks.iter().enumerate().any(|(i, t)| {
        is(lx::FIRST_PERSON, &t.folded) && !toks.get(i + 1).is_some_and(|n| is(lx::PEOPLE_NOUNS, &n.folded))
    })
}

/// What the governing noun phrase of the occurrence says about who it is.
#[derive(Debug, Clone, PartialEq)]
enum Who {
    FirstPerson,
    SecondPerson,
    /// A name (index into the names found) in a role.
    Org(usize, Role),
    /// « il », « elle », « l'entreprise », « son offre »: someone named before.
    Pronoun,
    Indefinite,
    Plural,
    /// « la qualification X », « l'hébergement HDS »: the label as a topic.
    Topic,
    /// A definite common noun: « l'offre est qualifiée » (`offer`: its head names an offer,
    /// not a law, a doctrine or a project).
    Definite {
        offer: bool,
    },
    /// A public or certification body: it grants, publishes, requires.
    Authority,
    Nobody,
}

#[cfg(test)]
mod tests;
