//! Cues of one occurrence: who the sentence says it is about, who speaks and how, and where it stands — read without knowing the vendor, so that judge can resolve them against it.
//!
//! A shallow reading, French and English: the sentence is cut into clauses at relatives,
//! subordinators and strong punctuation; the clause that carries the label gives its subject
//! (the words before its first verb), and the noun phrase around the label gives its owner
//! and determiner. Names come from the gazetteer or are capitalised words that are no common
//! word.

use serde::{Deserialize, Serialize};

use super::lexicon::{self as lx, is};
use super::tokens::{Token, tokenize};
use crate::extract::{Location, Region};
use crate::gazetteer::{Gazetteer, MAX_NAME_WORDS, OrgKind, squash};

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

/// Words that name the grant or the scheme: the label as a topic after a definite article.
const TOPIC_NOUNS: &[&str] = &[
    "conformite",
    "compliance",
    "alignement",
    "principes",
    "principles",
    "regles",
    "rules",
    "criteres",
    "criteria",
    "obtention",
    "qualification",
    "certification",
    "label",
    "visa",
    "referentiel",
    "norme",
    "standard",
    "framework",
    "scheme",
    "schema",
    "doctrine",
    "exigences",
    "requirements",
    "hebergement",
    "hosting",
    "agrement",
    "accreditation",
    "homologation",
    "labellisation",
    "cadre",
    "demarche",
    "processus",
    "process",
    "procedure",
    "audit",
    "notion",
    "concept",
];
/// Nouns of those who lend a qualified offer: « notre partenaire X ».
const PARTNER_NOUNS: &[&str] = &[
    "partenaire",
    "partenaires",
    "partner",
    "partners",
    "allie",
    "hebergeur",
    "fournisseur",
    "provider",
    "host",
    "sous-traitant",
    "infogereur",
    "operateur",
];
/// Imperatives that offer the page's own product.
const OFFER_IMPERATIVES: &[&str] = &[
    "decouvrez",
    "beneficiez",
    "profitez",
    "testez",
    "essayez",
    "hebergez",
    "deployez",
    "migrez",
    "confiez",
    "accedez",
    "stockez",
    "protegez",
    "securisez",
    "souscrivez",
    "commandez",
    "adoptez",
    "passez",
    "rejoignez",
    "discover",
    "get",
    "try",
    "enjoy",
    "benefit",
    "deploy",
    "host",
    "explore",
    "start",
    "migrate",
    "protect",
    "secure",
    "store",
    "subscribe",
    "order",
    "meet",
    "experience",
];
/// Imperatives and verbs that recommend a kind of provider.
const RECOMMEND_VERBS: &[&str] = &[
    "choisissez",
    "privilegiez",
    "optez",
    "exigez",
    "verifiez",
    "verifier",
    "assurez-vous",
    "recourez",
    "preferez",
    "selectionnez",
    "consultez",
    "comparez",
    "choose",
    "prefer",
    "opt",
    "require",
    "check",
    "ensure",
    "select",
    "look",
    "demand",
    "verify",
    "pick",
    "consult",
    "compare",
    "see",
    "visit",
    "read",
    "lisez",
    "voir",
];
/// Numbers that make a subject a count of providers: "nine providers are qualified".
const NUMBERS: &[&str] = &[
    "deux",
    "trois",
    "quatre",
    "cinq",
    "six",
    "sept",
    "huit",
    "neuf",
    "dix",
    "onze",
    "douze",
    "quinze",
    "vingt",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "fifteen",
    "twenty",
    "dozens",
    "dizaines",
    "centaines",
    "hundreds",
];
/// Plural nouns of kinds of offers and providers: a label phrase headed by one is about many.
const PLURAL_KINDS: &[&str] = &[
    "offres",
    "offers",
    "offerings",
    "solutions",
    "services",
    "prestataires",
    "providers",
    "fournisseurs",
    "hebergeurs",
    "hosts",
    "acteurs",
    "players",
    "entreprises",
    "societes",
    "companies",
    "editeurs",
    "vendors",
    "clouds",
    "plateformes",
    "platforms",
    "infrastructures",
    "operateurs",
    "operators",
    "produits",
    "products",
    "environnements",
    "environments",
    "outils",
    "tools",
    "logiciels",
    "applications",
];

/// Infinitive markers of a purpose: « pour obtenir », "to obtain".
const PURPOSE_MARKERS: &[&str] = &["pour", "afin", "to", "order", "vue"];

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
        Who::Definite | Who::Nobody => {}
    }
    cues.borrowing = reader.borrowing_verb();
    let has_verb = (0..toks.len()).any(|i| is_verb_in(&toks, i));
    if matches!(who, Who::Topic | Who::Definite | Who::Nobody) && has_verb && cues.generic.is_none() {
        // « …migrer vers une offre qualifiée », « les solutions qualifiées »: a kind of offer.
        if reader.phrase_is_indefinite() {
            cues.generic = Some(Generic::IndefiniteObject);
        } else if reader.phrase_is_plural_kind() {
            cues.generic = Some(Generic::Plural);
        }
    }
    if matches!(who, Who::Nobody | Who::Definite | Who::Topic) {
        if reader.imperative().is_some() {
            cues.second_person = Some(reader.address());
        } else if toks.iter().any(|t| is(lx::FIRST_PERSON, &t.folded)) && !reader.label_in_relative() {
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
    cues.speech = reader.speech(place, &who);
    if cues.speech == Some(Speech::Normative) && cues.generic.is_none() && !cues.first_person {
        cues.generic = Some(Generic::Normative);
    }
    if let Some((n, role)) = reader.speaker() {
        cues.organisations.retain(|o| o.role != Role::Speaker);
        cues.organisations.push(named(&names[n], role));
    }

    // How it is shown.
    let bulleted = place.line.trim_start().starts_with(['-', '•', '*', '✓', '✔', '·', '▪', '►']);
    cues.display = if matches!(place.location, Location::Alt | Location::Attribute) {
        Some(Display::Badge)
    } else if reader.in_certifications_list() || (place.certification_neighbours && is_short_verbless(place.line)) {
        Some(Display::List)
    } else if (place.list_item || bulleted) && is_short_verbless(place.line) {
        Some(Display::Tagline)
    } else if reader.in_product_name() {
        Some(Display::Name)
    } else if is_short_verbless(place.line) && !matches!(who, Who::Indefinite | Who::Plural | Who::Topic) {
        Some(Display::Tagline)
    } else {
        None
    };
    cues
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
    /// A definite common noun: « l'offre est qualifiée ».
    Definite,
    /// A public or certification body: it grants, publishes, requires.
    Authority,
    Nobody,
}

/// A name found in a sentence: the tokens it covers.
#[derive(Debug, Clone)]
struct Name {
    start: usize,
    end: usize,
    text: String,
    known: bool,
    authority: bool,
}

fn named(n: &Name, role: Role) -> Named {
    Named { name: n.text.clone(), role, known: n.known, authority: n.authority }
}

/// Names in a sentence: gazetteer names first (longest match), then runs of capitalised words
/// with at least one that is no common word. A single capitalised word that opens the sentence
/// is a name only if it is followed by a verb or a comma, or written like a brand (inner
/// capitals, digits). In a title-cased line every word has a capital, so only the gazetteer
/// counts there. Words in `skip` (the label itself) are never part of a name.
fn find_names(toks: &[Token<'_>], gazetteer: &Gazetteer, skip: std::ops::Range<usize>) -> Vec<Name> {
    let words = toks.iter().filter(|t| t.is_word()).count();
    let capitals = toks.iter().filter(|t| t.is_word() && t.capital).count();
    let title_case = words >= 3 && capitals * 10 >= words * 7;
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
        let common = |t: &Token<'_>| t.folded.split(['-', '/']).all(|p| p.is_empty() || lx::never_a_name(p));
        if j > i && !title_case && toks[i..j].iter().any(|t| !common(t)) {
            let opens = i == 0 || (i == 1 && toks[0].punct.is_some());
            let brand_like = toks[i].text.chars().skip(1).any(|c| c.is_uppercase() || c.is_ascii_digit());
            let then_verb = toks.get(j).is_some_and(|t| lx::is_verb(&t.folded) || t.is_punct(',') || t.is("'s"));
            if !opens || j - i > 1 || brand_like || then_verb {
                names.push(Name { start: i, end: j, text: join(&toks[i..j]), known: false, authority: false });
            }
        }
        i = j.max(i + 1);
    }
    names
}

/// Whether the word at `i` is a verb here: not after a determiner, where « offre »,
/// « propose » or « note » are nouns.
fn is_verb_in(toks: &[Token<'_>], i: usize) -> bool {
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
    // « a » is French "has" after a subject, and the English article anywhere else.
    if t.folded == "a" {
        let prev = if i > 0 { toks[i - 1].folded.as_str() } else { "" };
        if i == 0
            || toks[i - 1].punct.is_some()
            || lx::is_verb(prev)
            || is(lx::PREPOSITIONS, prev)
            || is(RECOMMEND_VERBS, prev)
            || is(OFFER_IMPERATIVES, prev)
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
fn main_subject_name(sentence: &str, gazetteer: &Gazetteer) -> Option<Named> {
    let toks = tokenize(sentence);
    let names = find_names(&toks, gazetteer, 0..0);
    let verb = (0..toks.len()).find(|&i| is_verb_in(&toks, i))?;
    names.iter().find(|n| n.end <= verb && !n.authority).map(|n| named(n, Role::Subject))
}

/// The name a table row's head cell gives, if it is one.
fn head_name(head: &str, gazetteer: &Gazetteer) -> Option<Named> {
    let toks = tokenize(head);
    let names = find_names(&toks, gazetteer, 0..0);
    // The cell is a name when a name covers most of it ("Nuvexa", "Nuvexa (FR)").
    let words = toks.iter().filter(|t| t.is_word()).count();
    names.into_iter().find(|n| n.end - n.start >= words.saturating_sub(1).max(1)).map(|n| named(&n, Role::RowHead))
}

/// A line short enough and without a verb: a tagline, a heading, a list item.
fn is_short_verbless(line: &str) -> bool {
    let toks = tokenize(line);
    let words = toks.iter().filter(|t| t.is_word()).count();
    words <= 8 && !(0..toks.len()).any(|i| is_verb_in(&toks, i) && !toks[i].capital) && !line.trim_end().ends_with('?')
}

struct Reader<'t, 'a> {
    toks: &'t [Token<'a>],
    names: &'t [Name],
    /// The label's tokens.
    ls: usize,
    le: usize,
}

impl Reader<'_, '_> {
    fn word(&self, i: usize) -> &str {
        self.toks.get(i).map_or("", |t| t.folded.as_str())
    }

    fn is_verb_at(&self, i: usize) -> bool {
        is_verb_in(self.toks, i)
    }

    fn name_at(&self, i: usize) -> Option<usize> {
        self.names.iter().position(|n| n.start <= i && i < n.end)
    }

    /// Where the clause holding the label starts, and the word that opened it (if any).
    fn clause_start(&self) -> (usize, Option<usize>) {
        let mut i = self.ls;
        while i > 0 {
            i -= 1;
            let t = &self.toks[i];
            // A parenthesis closed before the label is an aside: read past it.
            if t.is_punct(')') {
                let mut depth = 1;
                while i > 0 && depth > 0 {
                    i -= 1;
                    if self.toks[i].is_punct(')') {
                        depth += 1;
                    } else if self.toks[i].is_punct('(') {
                        depth -= 1;
                    }
                }
                continue;
            }
            // The label inside a parenthesis: « Outscale (premier à obtenir la qualification) ».
            if t.is_punct('(') {
                return (i + 1, Some(i));
            }
            if t.punct.is_some_and(|p| matches!(p, ';' | '?' | '!' | '|' | '[' | ']')) {
                return (i + 1, None);
            }
            if t.is_punct(':') {
                return (i + 1, Some(i));
            }
            // "that" opens a clause before a subject or a verb ("…know that we…", "…offer that
            // holds…"), not before a noun ("that qualification").
            let that_opens = t.is("that")
                && self.toks.get(i + 1).is_some_and(|n| {
                    is(lx::FIRST_PERSON, &n.folded)
                        || is(lx::SECOND_PERSON, &n.folded)
                        || is(lx::PRONOUNS, &n.folded)
                        || is(lx::DEFINITE, &n.folded)
                        || is(lx::INDEFINITE, &n.folded)
                        || is(lx::POSSESSIVE_3, &n.folded)
                        || n.capital
                        || self.is_verb_at(i + 1)
                });
            if t.is_word() && (is(lx::RELATIVES, &t.folded) || is(lx::SUBORDINATORS, &t.folded) || that_opens) {
                // « qu'il », « lorsque » open a clause; « que » right after « ce » does too.
                return (i + 1, Some(i));
            }
        }
        (0, None)
    }

    /// The first verb in `range`, outside parentheses.
    fn verb_in(&self, range: std::ops::Range<usize>) -> Option<usize> {
        let mut depth = 0usize;
        for i in range {
            match self.toks[i].punct {
                Some('(') => depth += 1,
                Some(')') => depth = depth.saturating_sub(1),
                _ if depth == 0 && self.is_verb_at(i) && !(i == 0 && self.name_at(i).is_some()) => return Some(i),
                _ => {}
            }
        }
        None
    }

    /// The noun phrase around the label: from the first word after the clause opener or the
    /// last verb, to the first verb or strong punctuation after it.
    fn label_phrase(&self) -> (usize, usize) {
        let (cs, _) = self.clause_start();
        let mut start = self.ls;
        while start > cs {
            let t = &self.toks[start - 1];
            if t.punct.is_some_and(|p| p != '"' && p != '-') || self.is_verb_at(start - 1) {
                break;
            }
            start -= 1;
        }
        let mut end = self.le;
        while end < self.toks.len() {
            let t = &self.toks[end];
            if t.punct.is_some_and(|p| p != '"') || self.is_verb_at(end) {
                break;
            }
            end += 1;
        }
        (start, end)
    }

    /// Who the claim's clause is about.
    fn governing(&self) -> Who {
        let (np_start, np_end) = self.label_phrase();
        if let Some(w) = self.phrase_owner(np_start, np_end) {
            return w;
        }
        let (cs, opener) = self.clause_start();
        let verb_before = self.verb_in(cs..np_start);
        let in_parenthesis = opener.is_some_and(|o| self.toks[o].is_punct('('));
        let own = self.clause_subject(cs, opener, verb_before, np_start, np_end);
        if in_parenthesis && matches!(own, Who::Nobody | Who::Definite | Who::Topic) {
            // An aside about the noun before it: « Outscale (premier à obtenir…) ».
            return self.antecedent_of(opener.unwrap_or(0));
        }
        own
    }

    /// The subject of the clause that starts at `cs`.
    fn clause_subject(
        &self,
        cs: usize,
        opener: Option<usize>,
        verb_before: Option<usize>,
        np_start: usize,
        np_end: usize,
    ) -> Who {
        match verb_before {
            // The label is in the predicate: the clause's subject decides.
            Some(v) => {
                let opener_word = opener.map(|o| self.word(o).to_string());
                if let Some(o) = &opener_word
                    && matches!(o.as_str(), "qui" | "which" | "who" | "that" | "dont" | "whose" | "lequel" | "laquelle")
                    && cs == v
                {
                    // « X, qui a obtenu… »: the clause is about the noun before the relative.
                    return self.antecedent_of(opener.unwrap_or(0));
                }
                self.classify(cs, v)
            }
            // The label is in the subject, or the clause has no verb before it.
            None => {
                let start = if np_start > cs { cs } else { np_start };
                let w = self.classify(start, np_end);
                // « Une plateforme SecNumCloud Ready. »: an indefinite phrase with no predicate is
                // a description of the page's offer (a tagline), not a statement about a kind.
                let predicate = np_end < self.toks.len() && self.is_verb_at(np_end);
                match w {
                    Who::Indefinite | Who::Plural if !predicate => Who::Nobody,
                    w => w,
                }
            }
        }
    }

    /// « X, qui… », « X dont… », « X (…) »: the noun phrase before a relative pronoun or a
    /// parenthesis.
    fn antecedent_of(&self, relative: usize) -> Who {
        let mut end = relative;
        if end > 0 && self.toks[end - 1].is_punct(',') {
            end -= 1;
        }
        let mut start = end;
        while start > 0 {
            let t = &self.toks[start - 1];
            if t.punct.is_some() || self.is_verb_at(start - 1) {
                break;
            }
            start -= 1;
        }
        match self.names.iter().rposition(|n| n.start >= start && n.end <= end) {
            Some(n) => Who::Org(n, Role::Subject),
            None => self.classify(start, end),
        }
    }

    /// The owner written inside the labelled phrase: « notre offre », « l'offre de X »,
    /// "X's platform", « son offre ».
    fn phrase_owner(&self, start: usize, end: usize) -> Option<Who> {
        let words: Vec<&str> = (start..end).map(|i| self.word(i)).collect();
        if words.iter().any(|w| is(lx::FIRST_PERSON, w)) {
            return Some(Who::FirstPerson);
        }
        if words.iter().any(|w| is(lx::SECOND_PERSON, w)) {
            return Some(Who::SecondPerson);
        }
        // « de X » / "by X" / "X's" / « X Cloud » inside the phrase.
        for (n, name) in self.names.iter().enumerate() {
            if name.start >= start && name.end <= end && !(name.start >= self.ls && name.end <= self.le) {
                if name.authority {
                    continue;
                }
                let after_preposition = name.start > 0 && is(lx::OWNER_PREPOSITIONS, self.word(name.start - 1));
                let possessive = self.word(name.end) == "'s";
                if after_preposition || possessive {
                    return Some(Who::Org(n, Role::Owner));
                }
            }
        }
        if start < self.ls && is(lx::POSSESSIVE_3, self.word(start)) {
            return Some(self.possessive_target(start));
        }
        None
    }

    /// The owner of « son / sa / leur »: the sentence's subject before it, else an earlier one.
    fn possessive_target(&self, at: usize) -> Who {
        if let Some(v) = self.verb_in(0..at) {
            match self.classify(0, v) {
                Who::Nobody | Who::Definite | Who::Topic => {}
                w => return w,
            }
        }
        Who::Pronoun
    }

    /// What a subject phrase (from `start` to the verb at `end`) is. Commas cut it into chunks
    /// (« En 2024, », « Notre offre IaaS, opérée en France, »): the last chunk that says
    /// something decides; « Chez X, » before a plain definite subject makes X the owner.
    fn classify(&self, start: usize, end: usize) -> Who {
        let end = end.max(start);
        let mut bounds = vec![start];
        bounds.extend((start..end).filter(|&i| self.toks[i].is_punct(',')).map(|i| i + 1));
        let chunk = |k: usize| (bounds[k], if k + 1 < bounds.len() { bounds[k + 1] - 1 } else { end });
        for k in (0..bounds.len()).rev() {
            let (cs, ce) = chunk(k);
            let w = self.classify_chunk(cs, ce);
            if w == Who::Nobody {
                continue;
            }
            if matches!(w, Who::Definite | Who::Topic) {
                for earlier in (0..k).rev() {
                    let (es, ee) = chunk(earlier);
                    let first = (es..ee).find(|&i| !is(lx::DEFINITE, self.word(i)));
                    // « Chez X, l'offre… »; « L'ANSSI, l'agence française, … »: the named chunk.
                    if let Some(n) = self.names.iter().position(|n| n.start >= es && n.end <= ee) {
                        if matches!(self.word(es), "chez" | "at") && !self.names[n].authority {
                            return Who::Org(n, Role::Owner);
                        }
                        if first == Some(self.names[n].start) {
                            return if self.names[n].authority { Who::Authority } else { Who::Org(n, Role::Subject) };
                        }
                    }
                }
            }
            return w;
        }
        Who::Nobody
    }

    /// What one comma-free chunk of a subject phrase is.
    fn classify_chunk(&self, start: usize, end: usize) -> Who {
        let words: Vec<&str> = (start..end).map(|i| self.word(i)).filter(|w| !w.is_empty()).collect();
        let first = words.iter().copied().find(|w| !matches!(*w, "\"" | "-" | "'"));
        let Some(first) = first else { return Who::Nobody };
        if words.iter().any(|w| is(lx::FIRST_PERSON, w)) {
            let partner = self.names.iter().position(|n| {
                n.start >= start && n.end <= end && words.iter().any(|w| is(PARTNER_NOUNS, w)) && !n.authority
            });
            return match partner {
                Some(n) => Who::Org(n, Role::Host),
                None => Who::FirstPerson,
            };
        }
        if words.iter().any(|w| is(lx::SECOND_PERSON, w)) {
            return Who::SecondPerson;
        }
        if let Some(n) = self.names.iter().position(|n| n.start >= start && n.end <= end) {
            if !self.names[n].authority {
                let possessive = self.word(self.names[n].end) == "'s";
                return Who::Org(n, if possessive { Role::Owner } else { Role::Subject });
            }
            // « L'ANSSI a qualifié l'offre de X »: the authority grants; the beneficiary is later.
            return Who::Authority;
        }
        if is(lx::PRONOUNS, first) || is(lx::POSSESSIVE_3, first) {
            return Who::Pronoun;
        }
        let second = words.iter().skip_while(|w| **w != first).nth(1).copied().unwrap_or("");
        if is(lx::DEFINITE, first) && is(lx::ANAPHORIC_NOUNS, second) {
            return Who::Pronoun;
        }
        if is(lx::INDEFINITE, first) {
            return Who::Indefinite;
        }
        if is(NUMBERS, first) || first.chars().all(|ch| ch.is_ascii_digit()) {
            return Who::Plural;
        }
        if matches!(first, "les" | "the" | "ces" | "these" | "those") && second.ends_with('s') {
            return Who::Plural;
        }
        if is(lx::DEFINITE, first) {
            // « la qualification X », "the X certification": the label as a topic.
            let label_then_topic = start <= self.ls && self.le < end && is(TOPIC_NOUNS, self.word(self.le));
            if is(TOPIC_NOUNS, second) || label_then_topic {
                return Who::Topic;
            }
            return Who::Definite;
        }
        Who::Nobody
    }

    /// Someone a public body grants to: « délivre la qualification à X », « la liste, dont X ».
    fn beneficiary(&self) -> Option<usize> {
        let authority_end = self.names.iter().filter(|n| n.authority).map(|n| n.end).min().unwrap_or(0);
        self.names.iter().position(|n| !n.authority && n.start >= authority_end)
    }

    /// « L'ANSSI lui a validé le jalon », « l'a qualifiée »: an object pronoun stands for the holder.
    fn object_pronoun(&self) -> bool {
        (0..self.ls).any(|i| matches!(self.word(i), "lui" | "leur") || (self.word(i) == "l'" && self.is_verb_at(i + 1)))
    }

    /// The determiner of the label's own noun phrase: the nearest one to its left with only
    /// nouns and adjectives between (« vers une solution de cloud souverain, certifiée X »
    /// reaches past the comma of a participle to « une »).
    fn label_determiner(&self) -> Option<usize> {
        let mut i = self.ls;
        let mut steps = 0;
        while i > 0 && steps < 8 {
            i -= 1;
            steps += 1;
            let t = &self.toks[i];
            let w = t.folded.as_str();
            if is(lx::INDEFINITE, w)
                || is(lx::DEFINITE, w)
                || is(lx::POSSESSIVE_3, w)
                || is(NUMBERS, w)
                || is(lx::FIRST_PERSON, w)
                || is(lx::SECOND_PERSON, w)
            {
                return Some(i);
            }
            // « de » inside a compound noun (« solution de cloud ») does not end the phrase.
            if t.is_punct(',') && i + 1 < self.ls && !self.is_verb_at(i + 1) {
                continue;
            }
            if t.punct.is_some_and(|p| p != '"')
                || self.is_verb_at(i)
                || (is(lx::PREPOSITIONS, w) && !matches!(w, "de" | "d'" | "of"))
            {
                return None;
            }
        }
        None
    }

    /// The label's noun phrase opens with an indefinite determiner: « vers une offre qualifiée ».
    fn phrase_is_indefinite(&self) -> bool {
        self.label_determiner().is_some_and(|i| is(lx::INDEFINITE, self.word(i)) && self.word(i) != "tout")
    }

    /// The labelled phrase is headed by a plural noun of kinds: « les solutions qualifiées », "qualified cloud solutions".
    fn phrase_is_plural_kind(&self) -> bool {
        let det = self.label_determiner().map(|i| self.word(i));
        let owned = det.is_some_and(|w| {
            is(lx::POSSESSIVE_3, w)
                || is(lx::FIRST_PERSON, w)
                || is(lx::SECOND_PERSON, w)
                || matches!(w, "ce" | "cette" | "cet" | "this")
        });
        let (start, end) = self.label_phrase();
        let from = self.label_determiner().unwrap_or(start).max(start);
        !owned && (from..end).any(|i| (i < self.ls || i >= self.le) && is(PLURAL_KINDS, self.word(i)))
    }

    /// A verb of borrowing before the label: « basé sur », « hébergé chez », "runs on".
    fn borrowing_verb(&self) -> bool {
        let (cs, _) = self.clause_start();
        (cs..self.ls).any(|i| {
            let w = self.word(i);
            let stem = [
                "base",
                "heberg",
                "repos",
                "appui",
                "appuy",
                "fonctionn",
                "tourn",
                "deploy",
                "opere",
                "adosse",
                "host",
                "built",
                "run",
                "powered",
                "relies",
                "rely",
                "leverag",
                "propuls",
                "install",
            ]
            .iter()
            .any(|p| w.starts_with(p));
            // « hébergé chez X », « repose sur une infrastructure », "runs on": not « hébergé en France »
            // nor « dans nos datacenters ».
            stem && (i + 1..(i + 3).min(self.ls)).any(|j| {
                matches!(
                    self.word(j),
                    "sur" | "chez" | "par" | "on" | "by" | "at" | "upon" | "atop" | "with" | "aupres"
                ) && !is(lx::FIRST_PERSON, self.word(j + 1))
            })
        })
    }

    /// The label as a topic: « la qualification X », « l'hébergement HDS », « la conformité X »,
    /// "the X certification".
    fn label_topic(&self) -> bool {
        let mut i = self.ls;
        let mut steps = 0;
        while i > 0 && steps < 4 {
            i -= 1;
            steps += 1;
            let w = self.word(i);
            if is(TOPIC_NOUNS, w) {
                return i > 0 && is(lx::DEFINITE, self.word(i - 1));
            }
            if !matches!(
                w,
                "de" | "du"
                    | "des"
                    | "d'"
                    | "sur"
                    | "aux"
                    | "au"
                    | "avec"
                    | "of"
                    | "to"
                    | "with"
                    | "on"
                    | "la"
                    | "l'"
                    | "le"
                    | "les"
                    | "exigences"
            ) {
                break;
            }
        }
        let before_is_the = self.ls > 0 && matches!(self.word(self.ls - 1), "the" | "la" | "le" | "l'");
        before_is_the && is(TOPIC_NOUNS, self.word(self.le))
    }

    /// An imperative that opens the clause: « Découvrez… », "Choose…".
    fn imperative(&self) -> Option<usize> {
        let (cs, _) = self.clause_start();
        let i = (cs..self.ls).find(|&i| self.toks[i].is_word())?;
        let w = self.word(i);
        let french = (w.ends_with("ez") && w.len() > 4 && !lx::stops_a_name(w)) || is(OFFER_IMPERATIVES, w);
        (french || is(RECOMMEND_VERBS, w)).then_some(i)
    }

    /// Whether a second-person clause offers the page's product or recommends a kind of provider.
    fn address(&self) -> Address {
        let words: Vec<&str> = (0..self.le).map(|i| self.word(i)).collect();
        if words.iter().any(|w| is(RECOMMEND_VERBS, w)) {
            return Address::Recommend;
        }
        // « votre prestataire », "your provider": the reader's supplier, not the page's offer.
        let (np_start, np_end) = self.label_phrase();
        let yours =
            (np_start..np_end).any(|i| is(lx::SECOND_PERSON, self.word(i)) && is(PARTNER_NOUNS, self.word(i + 1)));
        if yours {
            return Address::Recommend;
        }
        let (np_start, _) = self.label_phrase();
        if is(lx::INDEFINITE, self.word(np_start)) && (np_start..self.ls).any(|i| is(PARTNER_NOUNS, self.word(i))) {
            return Address::Recommend;
        }
        Address::Offer
    }

    /// Whether the label sits in a relative or subordinate clause (its « nous » is not the page's).
    fn label_in_relative(&self) -> bool {
        matches!(self.clause_start().1, Some(o) if is(lx::RELATIVES, self.word(o)) || is(lx::SUBORDINATORS, self.word(o)))
    }

    /// Organisations named in the labelled phrase or right beside it: an apposition
    /// (« X, hébergeur certifié HDS »), a host (« hébergé chez X »), an owner after the label.
    fn around_label(&self) -> Vec<(usize, Role)> {
        let mut out = Vec::new();
        let (np_start, np_end) = self.label_phrase();
        for (n, name) in self.names.iter().enumerate() {
            if name.authority || (name.start >= self.ls && name.end <= self.le) {
                continue;
            }
            let before_phrase = name.end <= np_start && np_start - name.end <= 1 && self.word(name.end) == ",";
            let host_words = [
                "chez",
                "sur",
                "par",
                "avec",
                "with",
                "on",
                "by",
                "at",
                "aupres",
                "partenaire",
                "partner",
                "partenaires",
                "partners",
            ];
            // The lender stands right before the labelled phrase, with no clause boundary between:
            // « hébergé chez X, qualifié SecNumCloud », « notre partenaire X, certifié HDS ».
            let between_clear = (name.end..self.ls).all(|i| !self.toks[i].punct.is_some_and(|p| p != '"' && p != '-'))
                || (self.word(name.end) == ","
                    && (name.end + 1..self.ls).all(|i| !self.toks[i].punct.is_some_and(|p| p != '"' && p != '-')));
            let hosted = name.end <= self.ls
                && name.start > 0
                && between_clear
                && self.ls - name.end <= 6
                && (name.start.saturating_sub(4)..name.start).any(|i| host_words.contains(&self.word(i)));
            let inside_after = name.start >= self.le && name.end <= np_end;
            if hosted {
                out.push((n, Role::Host));
            } else if before_phrase {
                out.push((n, Role::Apposition));
            } else if inside_after {
                out.push((n, Role::Owner));
            }
        }
        out
    }

    /// The organisation of whoever is quoted or reported, if named: « …, explique Y,
    /// directeur de X », « selon X ».
    fn speaker(&self) -> Option<(usize, Role)> {
        let at = self.speech_verb()?;
        // After « selon » or a speech verb: the first known or capitalised name there, preferring
        // one after « de », « chez », "of", "at" (the person's company).
        let after: Vec<usize> = (0..self.names.len()).filter(|&n| self.names[n].start > at).collect();
        let company = after.iter().copied().find(|&n| {
            let s = self.names[n].start;
            s > 0 && matches!(self.word(s - 1), "de" | "d'" | "chez" | "of" | "at" | "du")
        });
        let n = company.or_else(|| after.iter().copied().find(|&n| self.names[n].known))?;
        (!self.names[n].authority).then_some((n, Role::Speaker))
    }

    /// Where someone's speech is reported: a speech verb, or « selon » / "according to" followed
    /// by someone (« selon le référentiel », "according to the standard" report nobody).
    fn speech_verb(&self) -> Option<usize> {
        (0..self.toks.len()).find(|&i| {
            let w = self.word(i);
            if !is(lx::SPEECH_VERBS, w) {
                return false;
            }
            if matches!(w, "selon" | "d'apres" | "according") {
                let next = if w == "according" { i + 2 } else { i + 1 };
                let after = self.word(next);
                return self.name_at(next).is_some()
                    || self.name_at(next + 1).is_some() && is(lx::DEFINITE, after)
                    || matches!(after, "lui" | "elle" | "eux" | "nous" | "him" | "her" | "them" | "us");
            }
            true
        })
    }

    /// The label is part of a product's name: capitalised words that are no common words touch
    /// it (« OpenShift SecNumCloud PaaS »), or it is joined to one (« PoD-SecNumCloud »).
    fn in_product_name(&self) -> bool {
        let label = &self.toks[self.ls];
        let joined = label.folded.contains('-')
            && label.text.split('-').filter(|p| !p.is_empty()).count() > 1
            && self.le == self.ls + 1
            && label.text.split('-').any(|p| {
                p.chars().next().is_some_and(char::is_uppercase) && !lx::never_a_name(&crate::extract::normalize(p))
            });
        let touching = |i: usize| {
            self.toks.get(i).is_some_and(|t| {
                t.is_word() && t.capital && !lx::stops_a_name(&t.folded) && !lx::never_a_name(&t.folded)
            })
        };
        joined || (self.ls > 0 && touching(self.ls - 1)) || touching(self.le)
    }

    /// Whether the label sits in a list introduced as certifications: « Certifications : A, B ».
    fn in_certifications_list(&self) -> bool {
        (0..self.ls).any(|i| {
            matches!(self.word(i), "certifications" | "qualifications" | "labels" | "accreditations" | "agrements")
                && (i + 1..self.ls).any(|j| self.toks[j].is_punct(':'))
        })
    }

    fn speech(&self, place: &Place<'_>, who: &Who) -> Option<Speech> {
        let toks = self.toks;
        let last = toks.iter().rev().find(|t| !t.is_punct('"')).map(|t| t.folded.as_str());
        if last == Some("?") {
            return Some(Speech::Question);
        }
        if place.quote_block || self.quoted_statement() {
            return Some(Speech::Quotation);
        }
        let (cs, _) = self.clause_start();
        let clause: Vec<&str> = (0..self.le).map(|i| self.word(i)).collect();
        // « si », "if" opening the claim's clause or the sentence; conditional verbs before it.
        // A fronted « Si … , » only covers what stands before its comma.
        let fronted_if = clause.first().is_some_and(|w| matches!(*w, "si" | "s'" | "if" | "unless"))
            && !(0..self.ls).any(|i| self.toks[i].is_punct(','));
        if fronted_if || clause[cs.min(clause.len())..].iter().any(|w| is(lx::HYPOTHETICAL, w)) {
            return Some(Speech::Hypothetical);
        }
        // « à ce que », « pour que », « afin que », "so that": a wish or a purpose.
        if clause.windows(3).any(|w| matches!(w, ["a", "ce", "que"] | ["a", "ce", "qu'"]))
            || clause.windows(2).any(|w| {
                matches!(w, ["pour" | "afin" | "avant" | "sans", "que" | "qu'"] | ["so", "that"] | ["in", "order"])
            })
        {
            return Some(Speech::Hypothetical);
        }
        // « pour obtenir la qualification, … », "To achieve certification, …": a purpose opens its
        // clause; « le premier à être qualifié », "the first to be certified" is no purpose.
        let purpose = (0..self.ls).any(|i| {
            let opens = i == 0
                || self.toks[i - 1].punct.is_some()
                || i == cs
                || matches!(self.word(i), "afin" | "order" | "vue");
            let ranked = (i.saturating_sub(6)..i).any(|k| {
                matches!(
                    self.word(k),
                    "premier" | "premiere" | "premiers" | "seul" | "seule" | "first" | "only" | "one"
                )
            });
            opens
                && !ranked
                && is(PURPOSE_MARKERS, self.word(i))
                && (i + 1..(i + 4).min(self.ls)).any(|j| is(lx::PURPOSE_VERBS, self.word(j)))
        });
        if purpose {
            return Some(Speech::Hypothetical);
        }
        if self.speech_verb().is_some() {
            return Some(Speech::Reported);
        }
        if self.normative() {
            return Some(Speech::Normative);
        }
        let heading = place.heading || matches!(place.location, Location::Title | Location::Meta);
        if heading && matches!(who, Who::Org(_, Role::Subject)) {
            return Some(Speech::Headline);
        }
        if matches!(who, Who::Topic) || self.label_topic() || (heading && self.explainer_heading()) {
            return Some(Speech::Topic);
        }
        None
    }

    /// The label inside quotation marks that hold a whole statement (not just a quoted name).
    fn quoted_statement(&self) -> bool {
        let open = self.toks[..self.ls].iter().rposition(|t| t.is_punct('"'));
        let Some(open) = open else { return false };
        let opened_before = self.toks[..open].iter().filter(|t| t.is_punct('"')).count() % 2 == 0;
        let close = self.toks[self.le..].iter().position(|t| t.is_punct('"')).map(|p| p + self.le);
        let Some(close) = close else { return false };
        let words = self.toks[open..close].iter().filter(|t| t.is_word()).count();
        opened_before && words >= 4 && (open..close).any(|i| self.is_verb_at(i))
    }

    fn normative(&self) -> bool {
        let words: Vec<&str> = self.toks.iter().map(|t| t.folded.as_str()).collect();
        let strong = [
            "doit",
            "doivent",
            "devront",
            "devra",
            "devraient",
            "must",
            "shall",
            "faut",
            "obligatoire",
            "obligatoires",
            "mandatory",
            "necessaire",
            "necessary",
            "indispensable",
            "imperatif",
            "imperative",
            "devait",
            "devaient",
            "devant",
            "requirement",
            "requirements",
            "exigence",
            "prerequis",
            "prerequisite",
        ];
        if words.iter().any(|w| strong.contains(w)) {
            return true;
        }
        // « seuls les prestataires qualifiés peuvent », "only qualified providers may".
        let only = words.iter().position(|w| matches!(*w, "seuls" | "seules" | "only"));
        // « ne peut … que », "can only": a restriction.
        let restricted = words.windows(2).any(|w| {
            matches!(
                w,
                ["ne", "peut" | "peuvent" | "pourra" | "pourront" | "doit" | "doivent"]
                    | ["can", "only"]
                    | ["may", "only"]
            )
        }) && words.iter().any(|w| matches!(*w, "que" | "qu'" | "only"));
        restricted
            || only.is_some_and(|o| {
                words[o..].iter().any(|w| matches!(*w, "peuvent" | "pourront" | "may" | "can" | "sont autorises"))
            })
            || words
                .windows(2)
                .any(|w| matches!(w, ["sont", "tenus"] | ["est", "tenu"] | ["is", "required"] | ["are", "required"]))
    }

    /// A heading or title that presents the label as a subject to explain: « X : obligations
    /// et critères », "X explained", « Tout savoir sur X ».
    fn explainer_heading(&self) -> bool {
        let words: Vec<&str> = self.toks.iter().map(|t| t.folded.as_str()).collect();
        let explainer = [
            "obligations",
            "criteres",
            "enjeux",
            "definition",
            "guide",
            "fonctionnement",
            "avantages",
            "exigences",
            "comprendre",
            "savoir",
            "explique",
            "explained",
            "overview",
            "requirements",
            "benefits",
            "everything",
            "tout",
            "pourquoi",
            "comment",
            "why",
            "how",
            "what",
            "qu'est-ce",
            "difference",
            "differences",
            "vs",
            "versus",
            "etapes",
            "steps",
            "demarche",
            "processus",
            "process",
            "cout",
            "prix",
            "cost",
            "liste",
            "list",
            "comparatif",
            "comparison",
            "panorama",
            "decryptage",
            "focus",
            "zoom",
            "faq",
            "questions",
        ];
        words.iter().any(|w| explainer.contains(w))
    }
}

#[cfg(test)]
mod tests;
