//! Whose offer a claim is about: the cues detection found, resolved against the vendor's names into its own offer, a third party's, or a kind of offer.
//!
//! Pure: the claim and the vendor's names in, an [`Attribution`] out. The order of the rules
//! is the order of the issue that asked for them: who speaks first, then who is named, then
//! the page's own voice, then what is generic, then where on the page it stands.

use serde::{Deserialize, Serialize};

use crate::detect::{Address, Claim, Cues, Display, Generic, Role, Speech};
use crate::extract::{Region, normalize};
use crate::gazetteer::squash;
use crate::patterns::ClaimKind;

/// Whose offer a claim is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    /// The vendor's own offer (or the vendor borrowing someone's label).
    #[default]
    Own,
    /// Another organisation's offer, named.
    ThirdParty,
    /// A kind of offer, a rule, a definition: nobody's in particular.
    Generic,
}

impl Subject {
    pub fn as_str(self) -> &'static str {
        match self {
            Subject::Own => "own",
            Subject::ThirdParty => "third_party",
            Subject::Generic => "generic",
        }
    }

    pub fn parse(s: &str) -> Option<Subject> {
        [Subject::Own, Subject::ThirdParty, Subject::Generic].into_iter().find(|x| x.as_str() == s)
    }
}

/// Why a claim the wording reads as an assertion, in progress or adjacent is only a mention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Demotion {
    Reported,
    Hypothetical,
    Question,
    Normative,
    Topic,
    Generic,
    Recommendation,
    /// In an article's body, without the page's own voice or the vendor's name.
    Article,
    /// Borrowing or adjacency said of another organisation.
    ThirdPartyAdjacent,
    /// An entry of the site's menus.
    Menu,
    /// Published by a public body or a certification body, which holds no label.
    Authority,
    /// In a language the rules do not read.
    Foreign,
}

impl Demotion {
    pub fn text(self) -> (&'static str, &'static str) {
        match self {
            Demotion::Reported => ("reported or quoted speech of someone else", "propos rapportés ou cités d'un tiers"),
            Demotion::Hypothetical => ("a hypothesis or a purpose, not a fact", "une hypothèse ou un but, pas un fait"),
            Demotion::Question => ("a question", "une question"),
            Demotion::Normative => {
                ("a rule or an obligation, said in general", "une règle ou une obligation, énoncée en général")
            }
            Demotion::Topic => ("the label as a topic or a category", "le label comme sujet ou comme catégorie"),
            Demotion::Generic => {
                ("about a kind of offer, not one offer", "à propos d'un type d'offre, pas d'une offre")
            }
            Demotion::Recommendation => ("a recommendation to the reader", "une recommandation au lecteur"),
            Demotion::Article => (
                "in an article's body, neither in the page's own voice nor naming the vendor",
                "dans le corps d'un article, ni à la première personne ni au nom du fournisseur",
            ),
            Demotion::Menu => ("an entry of the site's menus", "une entrée des menus du site"),
            Demotion::Foreign => {
                ("in a language claimwatch does not read", "dans une langue que claimwatch ne lit pas")
            }
            Demotion::Authority => (
                "published by a public or certification body, which holds no label",
                "publié par un organisme public ou certificateur, qui ne détient aucun label",
            ),
            Demotion::ThirdPartyAdjacent => {
                ("borrowing said of another organisation", "un emprunt attribué à une autre organisation")
            }
        }
    }
}

/// The names by which the vendor is known: its config name and id, its registry provider,
/// aliases and offers, the brand its site gives itself and the registrable label of its hosts.
#[derive(Debug, Clone, Default)]
pub struct VendorNames {
    /// Each name as folded words.
    words: Vec<Vec<String>>,
    squashed: Vec<String>,
    /// The page is published by a public body or a certification body (a government site, or
    /// a name the gazetteer calls so): it grants or explains labels, it holds none.
    pub authority: bool,
}

impl VendorNames {
    pub fn none() -> VendorNames {
        VendorNames::default()
    }

    /// Adds a name; names of fewer than three letters and digits are too ambiguous to keep.
    pub fn add(&mut self, name: &str) {
        let squashed = squash(name);
        if squashed.chars().count() < 3 || self.squashed.contains(&squashed) {
            return;
        }
        let words: Vec<String> = normalize(name)
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect();
        self.words.push(words);
        self.squashed.push(squashed);
    }

    /// Adds the registrable label of a host: `www.cloud-temple.com` gives `cloud-temple`. A
    /// government host makes the page a public body's.
    pub fn add_host(&mut self, host: &str) {
        let host_lc = host.trim_end_matches('.').to_ascii_lowercase();
        if PUBLIC_SUFFIXES.iter().any(|s| host_lc == s[1..] || host_lc.ends_with(s)) {
            self.authority = true;
        }
        if let Some(label) = registrable_label(host) {
            self.add(&label);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.squashed.is_empty()
    }

    /// Whether `name` names the vendor: the same name whatever its spelling, or a name that
    /// contains one of the vendor's as whole words ("Nuvexa Cloud", « groupe Nuvexa »), or
    /// starts with it when it is long enough to be distinctive ("NuvexaCloud").
    pub fn matches(&self, name: &str) -> bool {
        let squashed = squash(name);
        let words: Vec<String> = normalize(name)
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect();
        self.squashed.iter().zip(&self.words).any(|(s, w)| {
            *s == squashed
                || (!w.is_empty() && words.windows(w.len()).any(|win| win == w.as_slice()))
                || (s.chars().count() >= 5 && squashed.starts_with(s.as_str()))
        })
    }
}

/// Domains of public bodies: a page on them is a public body's.
const PUBLIC_SUFFIXES: &[&str] =
    &[".gouv.fr", ".gouv", ".gov", ".gov.uk", ".europa.eu", ".assemblee-nationale.fr", ".senat.fr"];

/// The label of a host's registrable domain, by the public suffix list: `www.example.co.uk`
/// gives `example`.
pub fn registrable_label(host: &str) -> Option<String> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let domain = psl::domain_str(&host)?;
    domain.split('.').next().filter(|l| !l.is_empty()).map(str::to_string)
}

/// Who a claim is about, and what it finally is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribution {
    pub subject: Subject,
    /// The organisation named: the third party, or the one an own claim borrows from.
    pub name: Option<String>,
    /// The kind after attribution: a mention when it is not a claim of anyone's.
    pub kind: ClaimKind,
    /// Why an assertion, in-progress or adjacent wording became a mention.
    pub demoted: Option<Demotion>,
}

/// Resolves a claim's cues against the vendor's names.
pub fn attribute(claim: &Claim, names: &VendorNames) -> Attribution {
    let a = resolve(claim, names);
    // A public body's page about a label is no claim of the body's.
    if names.authority
        && a.subject == Subject::Own
        && matches!(a.kind, ClaimKind::Assertion | ClaimKind::InProgress | ClaimKind::Adjacent)
    {
        return Attribution {
            subject: Subject::Generic,
            name: None,
            kind: ClaimKind::Mention,
            demoted: Some(Demotion::Authority),
        };
    }
    a
}

fn resolve(claim: &Claim, names: &VendorNames) -> Attribution {
    let kind = claim.kind;
    let c = &claim.cues;
    let mention = |subject: Subject, name: Option<String>, why: Demotion| {
        if matches!(kind, ClaimKind::Assertion | ClaimKind::InProgress | ClaimKind::Adjacent) {
            Attribution { subject, name, kind: ClaimKind::Mention, demoted: Some(why) }
        } else {
            Attribution { subject, name, kind, demoted: None }
        }
    };
    let as_is = |subject: Subject, name: Option<String>| Attribution { subject, name, kind, demoted: None };
    // A name the gazetteer does not know, on a page that is no article, is most likely one of
    // the vendor's own brands or products (« Dedicated PoD est qualifié… » on its own site).
    let known_other =
        c.organisations.iter().any(|o| o.known && !o.authority && o.role != Role::Speaker && !names.matches(&o.name));
    // A speaker's name is a person's as often as a company's: it is never taken as a brand.
    // Nor is a pronoun's antecedent, found by guessing, nor a name in someone's reported words.
    let reported = matches!(c.speech, Some(Speech::Reported | Speech::Quotation));
    let unknown_is_own = |n: &str| {
        !c.article
            && !known_other
            && !reported
            && c.organisations.iter().any(|o| {
                o.name == n && !o.known && matches!(o.role, Role::Subject | Role::Owner | Role::Apposition | Role::Host)
            })
    };
    let is_vendor = |n: &str| names.matches(n) || unknown_is_own(n);

    // Someone else's words: who speaks decides.
    if matches!(c.speech, Some(Speech::Reported | Speech::Quotation)) {
        if let Some(sp) = c.named(Role::Speaker) {
            return if is_vendor(&sp.name) { as_is(Subject::Own, None) } else { third_party(kind, &sp.name, c.speech) };
        }
        if let Some(n) = subject_org(c).filter(|n| !c.first_person || !is_vendor(n)) {
            return if is_vendor(n) { as_is(Subject::Own, None) } else { third_party(kind, n, c.speech) };
        }
        return mention(Subject::Generic, None, Demotion::Reported);
    }

    // Borrowing: the vendor's offer runs on, is hosted by, or partners with someone qualified.
    if matches!(kind, ClaimKind::Assertion | ClaimKind::InProgress | ClaimKind::Adjacent)
        && let Some(lender) = c.organisations.iter().find(|n| {
            matches!(n.role, Role::Host | Role::Owner | Role::Apposition) && !n.authority && !is_vendor(&n.name)
        })
    {
        let subject = [Role::Subject, Role::Antecedent].into_iter().find_map(|r| c.named(r)).map(|n| n.name.as_str());
        let vendor_speaks = c.first_person || subject.is_some_and(is_vendor);
        let other_speaks = subject.is_some_and(|n| !is_vendor(n));
        if vendor_speaks || (lender.role == Role::Host && !other_speaks) {
            return Attribution {
                subject: Subject::Own,
                name: Some(lender.name.clone()),
                kind: ClaimKind::Adjacent,
                demoted: None,
            };
        }
    }

    // The vendor named anywhere around the label (« le service X sur Nuvexa sous qualification »).
    if c.organisations.iter().any(|n| n.role != Role::Speaker && n.role != Role::RowHead && names.matches(&n.name)) {
        return as_is(Subject::Own, None);
    }

    // An organisation named as subject, owner, apposition, or continued by a pronoun.
    if let Some(n) = subject_org(c) {
        if names.matches(n) {
            return as_is(Subject::Own, None);
        }
        if is_vendor(n) {
            // A name only guessed to be the vendor's brand is no own cue for a hypothesis, a
            // question, a rule or a topic.
            if let Some(why) = unsaid(c.speech) {
                return mention(Subject::Generic, None, why);
            }
            return as_is(Subject::Own, None);
        }
        return third_party(kind, n, c.speech);
    }
    if c.first_person {
        return as_is(Subject::Own, None);
    }
    if let Some(row) = c.named(Role::RowHead) {
        return if is_vendor(&row.name) { as_is(Subject::Own, None) } else { third_party(kind, &row.name, c.speech) };
    }
    if let Some(head) = &c.table_row
        && is_vendor(head)
    {
        return as_is(Subject::Own, None);
    }

    // Nobody's in particular. A kind of offer in the predicate of a borrowing is what the
    // vendor borrows from (« basé sur une infrastructure qualifiée »), not a generic statement.
    if let Some(g) = c.generic
        && !(g == Generic::IndefiniteObject && kind == ClaimKind::Adjacent && c.borrowing)
    {
        let why = if g == Generic::Normative { Demotion::Normative } else { Demotion::Generic };
        return mention(Subject::Generic, None, why);
    }
    match c.speech {
        Some(Speech::Hypothetical) => return mention(Subject::Generic, None, Demotion::Hypothetical),
        Some(Speech::Question) => return mention(Subject::Generic, None, Demotion::Question),
        Some(Speech::Normative) => return mention(Subject::Generic, None, Demotion::Normative),
        Some(Speech::Foreign) => return mention(Subject::Generic, None, Demotion::Foreign),
        // « conforme aux exigences X » borrows through the topic: the wording decided adjacent; but
        // « la doctrine repose sur la qualification X » leans on the scheme itself, not an offer.
        Some(Speech::Topic) if kind != ClaimKind::Adjacent || c.borrowing => {
            return mention(Subject::Generic, None, Demotion::Topic);
        }
        _ => {}
    }
    if c.second_person == Some(Address::Recommend) {
        return mention(Subject::Generic, None, Demotion::Recommendation);
    }
    // A menu entry names a section of the site (« Hébergement HDS », « SecNumCloud »), on
    // explainers' and news sites as on vendors'; a badge is an image, not a menu entry.
    if c.menu && c.display != Some(Display::Badge) {
        return mention(Subject::Generic, None, Demotion::Menu);
    }
    // The site's frame speaks for the site on every page.
    let in_article_body = c.article && !c.region.is_site_frame() && c.region != Region::Nav;
    if in_article_body {
        return mention(Subject::Generic, None, Demotion::Article);
    }
    if c.second_person == Some(Address::Offer)
        || matches!(c.display, Some(Display::Badge | Display::Tagline | Display::List))
    {
        return as_is(Subject::Own, None);
    }
    // Plain text on the vendor's own (non-article) page is about the vendor's offer.
    as_is(Subject::Own, None)
}

/// The demotion of a sentence said as a hypothesis, a question, a rule or about a topic.
fn unsaid(speech: Option<Speech>) -> Option<Demotion> {
    match speech? {
        Speech::Hypothetical => Some(Demotion::Hypothetical),
        Speech::Question => Some(Demotion::Question),
        Speech::Normative => Some(Demotion::Normative),
        Speech::Topic => Some(Demotion::Topic),
        Speech::Foreign => Some(Demotion::Foreign),
        _ => None,
    }
}

/// The organisation the claim's clause is about: subject, owner, apposition or antecedent.
fn subject_org(c: &Cues) -> Option<&str> {
    [Role::Owner, Role::Subject, Role::Apposition, Role::Antecedent]
        .into_iter()
        .find_map(|r| c.named(r).filter(|n| !n.authority))
        .map(|n| n.name.as_str())
}

fn third_party(kind: ClaimKind, name: &str, speech: Option<Speech>) -> Attribution {
    // « avant même d'être labellisé », « X sera-t-il qualifié ? », « X doit être qualifié »: said of
    // someone else, a hypothesis, a question or a rule states nothing about what they hold.
    if matches!(speech, Some(Speech::Hypothetical | Speech::Question | Speech::Normative))
        && matches!(kind, ClaimKind::Assertion | ClaimKind::InProgress | ClaimKind::Adjacent)
    {
        let why = match speech {
            Some(Speech::Question) => Demotion::Question,
            Some(Speech::Normative) => Demotion::Normative,
            _ => Demotion::Hypothetical,
        };
        return Attribution {
            subject: Subject::ThirdParty,
            name: Some(name.to_string()),
            kind: ClaimKind::Mention,
            demoted: Some(why),
        };
    }
    match kind {
        ClaimKind::Assertion | ClaimKind::InProgress => {
            Attribution { subject: Subject::ThirdParty, name: Some(name.to_string()), kind, demoted: None }
        }
        ClaimKind::Adjacent => Attribution {
            subject: Subject::ThirdParty,
            name: Some(name.to_string()),
            kind: ClaimKind::Mention,
            demoted: Some(Demotion::ThirdPartyAdjacent),
        },
        _ => Attribution { subject: Subject::ThirdParty, name: Some(name.to_string()), kind, demoted: None },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_names_match_whole_words_and_spellings() {
        let mut n = VendorNames::none();
        n.add("Cloud Temple");
        n.add("Nuvexa");
        n.add("OV");
        assert!(n.matches("Cloud-Temple"));
        assert!(n.matches("le groupe Nuvexa"));
        assert!(n.matches("NuvexaCloud"));
        assert!(!n.matches("Temple"));
        assert!(!n.matches("OV Hosting"), "two letters are too short to be a name");
    }

    #[test]
    fn the_registrable_label_follows_the_public_suffix_list() {
        assert_eq!(registrable_label("www.cloud-temple.com").as_deref(), Some("cloud-temple"));
        assert_eq!(registrable_label("blog.nuvexa.co.uk").as_deref(), Some("nuvexa"));
        assert_eq!(registrable_label("co.uk"), None);
    }
}
