//! Who speaks and how: reported speech and its speaker, quotations, hypotheses, questions, normative text, the label as a topic.

use super::super::lexicon::{self as lx, is};
use super::clause::Reader;
use super::names::is_short_verbless;
use super::{Place, Role, Speech, Who};
use crate::extract::Location;

impl Reader<'_, '_> {
    /// The label as a topic: « la qualification X », « l'hébergement HDS », « la conformité X »,
    /// "the X certification".
    pub(super) fn label_topic(&self) -> bool {
        let mut i = self.ls;
        let mut steps = 0;
        while i > 0 && steps < 4 {
            i -= 1;
            steps += 1;
            let w = self.word(i);
            if is(lx::TOPIC_NOUNS, w) {
                // « le nouveau référentiel de certification X »: past an adjective to the article,
                // or on to the next noun of the chain.
                let article = (i.saturating_sub(2)..i).rev().find(|&k| {
                    !matches!(
                        self.word(k),
                        "nouveau"
                            | "nouvelle"
                            | "new"
                            | "actuel"
                            | "actuelle"
                            | "current"
                            | "futur"
                            | "future"
                            | "meme"
                            | "same"
                    )
                });
                if article.is_some_and(|k| is(lx::DEFINITE, self.word(k))) {
                    return true;
                }
                continue;
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
        before_is_the && is(lx::TOPIC_NOUNS, self.word(self.le))
    }

    /// The organisation of whoever is quoted or reported, if named: « …, explique Y,
    /// directeur de X », « selon X ».
    pub(super) fn speaker(&self) -> Option<(usize, Role)> {
        let at = self.speech_verb()?;
        // The speaker is named right after the verb (« …, explique Jeanne Roc, directrice de X »),
        // not anywhere later in a long sentence.
        let reach = (at + 14).min(self.toks.len());
        // « Selon Nuvexa, … », "according to Nuvexa": the name that follows is the source.
        if matches!(self.word(at), "selon" | "d'apres" | "according") {
            let from = if self.word(at) == "according" { at + 2 } else { at + 1 };
            if let Some(n) = (from..from + 2).find_map(|i| self.name_at(i)) {
                return (!self.names[n].authority).then_some((n, Role::Speaker));
            }
        }
        // « Nuvexa annonce… », "Nuvexa said…": a speaker named before the verb is its subject, and
        // names after it are what is said, not who says it. Only an inverted verb (« …, explique
        // Y », « » précise Y ») has its speaker after it.
        if !matches!(self.word(at), "selon" | "d'apres" | "according")
            && let Some(before) = self.before_speech_verb(at)
        {
            // The verb's subject, from where its clause starts: « Nuvexa annonce », « Le directeur
            // de Nuvexa explique »; not « La circulaire n° 12/SG précise ».
            let from = (0..before).rev().find(|&k| self.toks[k].punct.is_some_and(|p| p != '\'')).map_or(0, |k| k + 1);
            let Who::Org(n, Role::Subject | Role::Owner) = self.classify_chunk(from, before + 1) else { return None };
            return (!self.names[n].authority).then_some((n, Role::Speaker));
        }
        // After « selon » or a speech verb: the first known or capitalised name there, preferring
        // one after « de », « chez », "of", "at" (the person's company).
        let after: Vec<usize> =
            (0..self.names.len()).filter(|&n| self.names[n].start > at && self.names[n].end <= reach).collect();
        let company = after.iter().copied().find(|&n| {
            let s = self.names[n].start;
            s > 0 && matches!(self.word(s - 1), "de" | "d'" | "chez" | "of" | "at" | "du")
        });
        let n = company.or_else(|| after.iter().copied().find(|&n| self.names[n].known))?;
        (!self.names[n].authority).then_some((n, Role::Speaker))
    }

    /// The word before a speech verb that is not inverted, past auxiliaries and adverbs
    /// (« Nuvexa a enfin annoncé »); `None` when the verb opens the sentence or follows
    /// punctuation (« …, explique Y »).
    fn before_speech_verb(&self, at: usize) -> Option<usize> {
        const SKIP: &[&str] = &[
            "a",
            "ont",
            "avait",
            "avaient",
            "aura",
            "has",
            "have",
            "had",
            "will",
            "would",
            "also",
            "aussi",
            "egalement",
            "enfin",
            "finally",
            "recently",
            "recemment",
            "deja",
            "already",
            "publicly",
            "publiquement",
            "officiellement",
            "officially",
        ];
        let mut k = at;
        while k > 0 {
            k -= 1;
            let t = &self.toks[k];
            if t.punct.is_some() {
                return None;
            }
            if !is(SKIP, self.word(k)) {
                return Some(k);
            }
        }
        None
    }

    /// Where someone's speech is reported: a speech verb, or « selon » / "according to" followed
    /// by someone (« selon le référentiel », "according to the standard" report nobody).
    pub(super) fn speech_verb(&self) -> Option<usize> {
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

    pub(super) fn speech(&self, place: &Place<'_>, who: &Who) -> Option<Speech> {
        let toks = self.toks;
        let last = toks.iter().rev().find(|t| !t.is_punct('"')).map(|t| t.folded.as_str());
        if last == Some("?") {
            return Some(Speech::Question);
        }
        // A glossary's term is the label as a topic.
        if place.term {
            return Some(Speech::Topic);
        }
        if place.quote_block || self.quoted_statement() {
            return Some(Speech::Quotation);
        }
        let (cs, _) = self.clause_start();
        let clause: Vec<&str> = (0..self.le).map(|i| self.word(i)).collect();
        // « si », "if" opening the claim's clause or the sentence; conditional verbs before it.
        // A fronted « Si … , » only covers what stands before its comma.
        let fronted_if = (clause.first().is_some_and(|w| matches!(*w, "si" | "if" | "unless"))
            || (clause.first() == Some(&"s'") && matches!(clause.get(1), Some(&"il") | Some(&"ils"))))
            && !(0..self.ls).any(|i| self.toks[i].is_punct(','));
        let hypothetical_word = clause[cs.min(clause.len())..].iter().enumerate().any(|(k, w)| {
            is(lx::HYPOTHETICAL, w) && (*w != "s'" || matches!(clause.get(cs + k + 1), Some(&"il") | Some(&"ils")))
        });
        if fronted_if || hypothetical_word {
            return Some(Speech::Hypothetical);
        }
        // « avant d'être labellisé », "before being certified": not yet.
        if (0..self.ls).any(|i| {
            matches!(self.word(i), "avant" | "before")
                && matches!(self.word(i + 1), "d'" | "de" | "meme" | "being" | "obtaining" | "getting")
        }) {
            return Some(Speech::Hypothetical);
        }
        // « vérifier que votre hébergeur est certifié », "make sure that the host is certified": what
        // is to be checked is not stated.
        if let (cs2, Some(o)) = self.clause_start()
            && cs2 > 0
            && matches!(self.word(o), "que" | "qu'" | "that")
            && o > 0
            && (o.saturating_sub(3)..o).any(|k| is(lx::CHECK_VERBS, self.word(k)))
        {
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
                && is(lx::PURPOSE_MARKERS, self.word(i))
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
        // A short line without a verb around a colon reads as a heading: « X : obligations et critères ».
        let heading_like = place.line.contains(':') && is_short_verbless(place.line, 16);
        let heading = place.heading || heading_like || matches!(place.location, Location::Title | Location::Meta);
        if heading && matches!(who, Who::Org(_, Role::Subject)) {
            return Some(Speech::Headline);
        }
        if matches!(who, Who::Topic) || self.label_topic() || (heading && self.explainer_heading()) {
            return Some(Speech::Topic);
        }
        None
    }

    /// The label inside quotation marks that hold a whole statement (not just a quoted name).
    pub(super) fn quoted_statement(&self) -> bool {
        let open = self.toks[..self.ls].iter().rposition(|t| t.is_punct('"'));
        let Some(open) = open else { return false };
        let opened_before = self.toks[..open].iter().filter(|t| t.is_punct('"')).count() % 2 == 0;
        let close = self.toks[self.le..].iter().position(|t| t.is_punct('"')).map(|p| p + self.le);
        let Some(close) = close else { return false };
        let words = self.toks[open..close].iter().filter(|t| t.is_word()).count();
        opened_before && words >= 4 && (open..close).any(|i| self.is_verb_at(i))
    }

    pub(super) fn normative(&self) -> bool {
        let words: Vec<&str> = self.toks.iter().map(|t| t.folded.as_str()).collect();
        if words.iter().any(|w| is(lx::NORMATIVE, w)) {
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
    pub(super) fn explainer_heading(&self) -> bool {
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
