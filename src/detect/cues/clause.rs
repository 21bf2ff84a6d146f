//! The clause that carries a label: where it starts, its subject, the noun phrase around the label and who owns it.

use super::super::lexicon::{self as lx, is};
use super::super::tokens::Token;
use super::names::{Name, is_verb_in};
use super::{Address, Role, Who};

pub(super) struct Reader<'t, 'a> {
    pub(super) toks: &'t [Token<'a>],
    pub(super) names: &'t [Name],
    /// The label's tokens.
    pub(super) ls: usize,
    pub(super) le: usize,
}

impl Reader<'_, '_> {
    pub(super) fn word(&self, i: usize) -> &str {
        self.toks.get(i).map_or("", |t| t.folded.as_str())
    }

    pub(super) fn is_verb_at(&self, i: usize) -> bool {
        is_verb_in(self.toks, i)
    }

    pub(super) fn name_at(&self, i: usize) -> Option<usize> {
        self.names.iter().position(|n| n.start <= i && i < n.end)
    }

    /// Where the clause holding the label starts, and the word that opened it (if any).
    pub(super) fn clause_start(&self) -> (usize, Option<usize>) {
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
            // A label alone in a parenthesis glosses the words before it (« hébergement de données
            // de santé (HDS) »): it is read as part of their clause.
            if t.is_punct('(') && i + 1 == self.ls && self.toks.get(self.le).is_some_and(|n| n.is_punct(')')) {
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
            // « bien que », « alors que », « tandis que » open a clause; « bien », « alors » alone do not.
            // « s' » is « si » only in « s'il(s) »; elsewhere it is a reflexive pronoun (« s'appuie »).
            let subordinator = is(lx::SUBORDINATORS, &t.folded)
                && (!matches!(t.folded.as_str(), "bien" | "alors" | "tandis")
                    || self.toks.get(i + 1).is_some_and(|n| matches!(n.folded.as_str(), "que" | "qu'")))
                && (t.folded != "s'"
                    || self.toks.get(i + 1).is_some_and(|n| matches!(n.folded.as_str(), "il" | "ils")));
            // « Si vous êtes une clinique, nous sommes certifiés HDS »: a fronted subordinate clause
            // ends at its comma; the label after it is in the main clause.
            if subordinator && let Some(comma) = (i + 1..self.ls).rev().find(|&k| self.toks[k].is_punct(',')) {
                return (comma + 1, None);
            }
            if t.is_word() && (is(lx::RELATIVES, &t.folded) || subordinator || that_opens) {
                // « qu'il », « lorsque » open a clause; « que » right after « ce » does too.
                return (i + 1, Some(i));
            }
        }
        (0, None)
    }

    /// The first verb in `range`, outside parentheses.
    pub(super) fn verb_in(&self, range: std::ops::Range<usize>) -> Option<usize> {
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
    pub(super) fn label_phrase(&self) -> (usize, usize) {
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

    /// Who the claim's clause is about: the owner written in the labelled phrase when there is
    /// one, else the clause's subject.
    pub(super) fn governing(&self) -> Who {
        let (np_start, np_end) = self.label_phrase();
        match self.phrase_owner(np_start, np_end) {
            Some(w) => w,
            None => self.subject_of_clause(),
        }
    }

    /// The subject of the clause that carries the label, whatever the labelled phrase says
    /// (« Nuvexa Files s'appuie sur l'infrastructure qualifiée de X »: Nuvexa Files).
    pub(super) fn subject_of_clause(&self) -> Who {
        let (np_start, np_end) = self.label_phrase();
        let (cs, opener) = self.clause_start();
        let verb_before = self.verb_in(cs..np_start);
        if let Some(o) = opener
            && self.toks[o].is_punct(':')
            && verb_before.is_none()
        {
            let before = self.before_colon(o);
            if before != Who::Nobody {
                return before;
            }
        }
        let in_parenthesis = opener.is_some_and(|o| self.toks[o].is_punct('('));
        let own = self.clause_subject(cs, opener, verb_before, np_start, np_end);
        if in_parenthesis && matches!(own, Who::Nobody | Who::Definite { .. } | Who::Topic) {
            // An aside about the noun before it: « Outscale (premier à obtenir…) ».
            return self.antecedent_of(opener.unwrap_or(0));
        }
        own
    }

    /// Who a list or a tagline after a colon is about: the subject of the clause before the colon
    /// (« AWS fournit de nombreuses certifications, notamment : A, B, HDS »), or the short name
    /// that opens it (« Nuvexa : hébergeur certifié HDS »). The items of the list are nobody.
    fn before_colon(&self, colon: usize) -> Who {
        let pre = Reader { toks: self.toks, names: self.names, ls: colon, le: colon + 1 };
        let (pcs, _) = pre.clause_start();
        match pre.verb_in(pcs..colon) {
            Some(v) => match pre.classify(pcs, v) {
                w @ (Who::FirstPerson | Who::SecondPerson | Who::Org(..) | Who::Pronoun | Who::Authority) => w,
                _ => Who::Nobody,
            },
            None if colon - pcs <= 4 => match pre.classify(pcs, colon) {
                w @ (Who::FirstPerson | Who::Org(..)) => w,
                _ => Who::Nobody,
            },
            None => Who::Nobody,
        }
    }

    /// The subject of the clause that starts at `cs`.
    pub(super) fn clause_subject(
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
                    && (matches!(o.as_str(), "dont" | "whose")
                        || (matches!(o.as_str(), "qui" | "which" | "who" | "that" | "lequel" | "laquelle") && cs == v))
                {
                    // « X, qui a obtenu… », « un prestataire dont l'offre… »: the clause is about the
                    // noun before the relative.
                    return self.antecedent_of(opener.unwrap_or(0));
                }
                self.classify(cs, v)
            }
            // The label is in the subject, or the clause has no verb before it.
            None => {
                // « Les entreprises qui voudraient migrer vers… »: a subject relative without a
                // known verb is still about the noun before it.
                if opener.is_some_and(|o| matches!(self.word(o), "qui" | "which" | "who" | "dont" | "whose")) {
                    return self.antecedent_of(opener.unwrap_or(0));
                }
                let start = if np_start > cs { cs } else { np_start };
                let w = self.classify(start, np_end);
                // « Déjà certifiée HDS, l'offre X de Scaleway est… »: a fronted participle phrase
                // is about the subject after its comma.
                if matches!(w, Who::Nobody | Who::Definite { .. })
                    && let Some(after) = self.subject_after_comma(np_end)
                {
                    return after;
                }
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

    /// The subject of the clause after the comma that ends a fronted phrase, if it names someone.
    fn subject_after_comma(&self, from: usize) -> Option<Who> {
        let mut i = from;
        let mut depth = 0usize;
        while i < self.toks.len() {
            match self.toks[i].punct {
                Some('(') => depth += 1,
                Some(')') => depth = depth.saturating_sub(1),
                Some(',') if depth == 0 => break,
                Some('.' | ';' | ':' | '?' | '!') if depth == 0 => return None,
                _ => {}
            }
            i += 1;
        }
        let start = i + 1;
        let verb = (start..self.toks.len()).find(|&k| self.is_verb_at(k))?;
        match self.classify(start, verb) {
            w @ (Who::FirstPerson | Who::Org(..) | Who::Pronoun) => Some(w),
            _ => None,
        }
    }

    /// « X, qui… », « X dont… », « X (…) »: the noun phrase before a relative pronoun or a
    /// parenthesis.
    pub(super) fn antecedent_of(&self, relative: usize) -> Who {
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
        // The noun phrase right before the relative: back to its determiner, or the name that ends
        // it (« plusieurs offres, dont certaines… », « Altostrat, qui… »), not a name further
        // left in a longer phrase (« la qualification par l'Ugap de plusieurs offres, dont… »).
        if let Some(n) = self.names.iter().rposition(|n| n.end == end && n.start >= start && !n.authority) {
            return Who::Org(n, Role::Subject);
        }
        let mut head = end;
        while head > start {
            let w = self.word(head - 1);
            head -= 1;
            if is(lx::DEFINITE, w)
                || is(lx::INDEFINITE, w)
                || is(lx::POSSESSIVE_3, w)
                || is(lx::NUMBERS, w)
                || is(lx::FIRST_PERSON, w)
                || is(lx::SECOND_PERSON, w)
            {
                break;
            }
            if is(lx::PREPOSITIONS, w) {
                head += 1;
                break;
            }
        }
        match self.names.iter().rposition(|n| n.start >= head && n.end <= end && !n.authority) {
            Some(n) => Who::Org(n, Role::Subject),
            None => self.classify(head, end),
        }
    }

    /// The owner written inside the labelled phrase: « notre offre », « l'offre de X »,
    /// "X's platform", « son offre ».
    pub(super) fn phrase_owner(&self, start: usize, end: usize) -> Option<Who> {
        // « notre guide de l'hébergement HDS »: « notre » owns the guide, « l' » the hosting.
        let own_start = self.label_determiner().filter(|&d| d >= start).unwrap_or(start);
        let words: Vec<&str> = (own_start..end).map(|i| self.word(i)).collect();
        // « des clouds HDS de nos adhérents »: « nos » owns the members, whose offer it is.
        let ours = words.windows(2).any(|w| is(lx::FIRST_PERSON, w[0]) && !is(lx::PEOPLE_NOUNS, w[1]))
            || words.last().is_some_and(|w| is(lx::FIRST_PERSON, w));
        if ours {
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
    pub(super) fn possessive_target(&self, at: usize) -> Who {
        if let Some(v) = self.verb_in(0..at) {
            match self.classify(0, v) {
                Who::Nobody | Who::Definite { .. } | Who::Topic => {}
                w => return w,
            }
        }
        Who::Pronoun
    }

    /// What a subject phrase (from `start` to the verb at `end`) is. Commas cut it into chunks
    /// (« En 2024, », « Notre offre IaaS, opérée en France, »): the last chunk that says
    /// something decides; « Chez X, » before a plain definite subject makes X the owner.
    pub(super) fn classify(&self, start: usize, end: usize) -> Who {
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
            if matches!(w, Who::Definite { .. } | Who::Topic) {
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
    pub(super) fn classify_chunk(&self, start: usize, end: usize) -> Who {
        let words: Vec<&str> = (start..end).map(|i| self.word(i)).filter(|w| !w.is_empty()).collect();
        let first = words.iter().copied().find(|w| !matches!(*w, "\"" | "-" | "'"));
        let Some(first) = first else { return Who::Nobody };
        if words.iter().any(|w| is(lx::FIRST_PERSON, w)) {
            let partner = self.names.iter().position(|n| {
                n.start >= start && n.end <= end && words.iter().any(|w| is(lx::PARTNER_NOUNS, w)) && !n.authority
            });
            return match partner {
                Some(n) => Who::Org(n, Role::Host),
                None => Who::FirstPerson,
            };
        }
        if words.iter().any(|w| is(lx::SECOND_PERSON, w)) {
            return Who::SecondPerson;
        }
        // The name that opens the phrase is its subject (« L'ANSSI publie… », « Nuvexa propose… »);
        // one after « de », « by » owns its head (« la plateforme de Nuvexa »); one after any
        // other preposition is neither (« qualifiée par l'ANSSI »).
        let head = (start..end).find(|&i| !is(lx::DEFINITE, self.word(i)) && self.toks[i].punct.is_none());
        if let Some(n) = self.names.iter().position(|n| n.start >= start && n.end <= end) {
            let name = &self.names[n];
            let opens = Some(name.start) == head;
            let owner = name.start > 0 && is(lx::OWNER_PREPOSITIONS, self.word(name.start - 1));
            if name.authority {
                if opens {
                    // « L'ANSSI a qualifié l'offre de X »: the authority grants; the beneficiary is later.
                    return Who::Authority;
                }
            } else if opens {
                let possessive = self.word(name.end) == "'s";
                return Who::Org(n, if possessive { Role::Owner } else { Role::Subject });
            } else if owner {
                return Who::Org(n, Role::Owner);
            }
        }
        if is(lx::PRONOUNS, first) || is(lx::POSSESSIVE_3, first) {
            return Who::Pronoun;
        }
        let second = words.iter().skip_while(|w| **w != first).nth(1).copied().unwrap_or("");
        // « La société Nuvexa SAS… », « la solution OVH Healthcare… »: the noun introduces the
        // name that follows it.
        let named_next = head.map(|h| h + 1).and_then(|k| self.names.iter().position(|n| n.start == k && !n.authority));
        if is(lx::DEFINITE, first) && (is(lx::ANAPHORIC_NOUNS, second) || is(lx::OFFER_NOUNS, second)) {
            match named_next {
                Some(n) => return Who::Org(n, Role::Subject),
                None if is(lx::ANAPHORIC_NOUNS, second) => return Who::Pronoun,
                None => {}
            }
        }
        // « Être certifié HDS ne dispense pas… », "Holding the qualification means…": an
        // infinitive or a gerund as subject speaks of anyone.
        if is(lx::INDEFINITE, first) || is(lx::INFINITIVES, first) {
            return Who::Indefinite;
        }
        // "Providers must hold…": a bare plural of providers or offers.
        if is(lx::PLURAL_KINDS, first) {
            return Who::Plural;
        }
        if is(lx::NUMBERS, first) || first.chars().all(|ch| ch.is_ascii_digit()) {
            return Who::Plural;
        }
        if matches!(first, "les" | "the" | "ces" | "these" | "those")
            && (is(lx::PLURAL_KINDS, second)
                || second.ends_with('s') && is(lx::ANAPHORIC_NOUNS, second.trim_end_matches('s')))
        {
            return Who::Plural;
        }
        if is(lx::DEFINITE, first) {
            // « la qualification X », "the X certification": the label as a topic.
            let label_then_topic = start <= self.ls && self.le < end && is(lx::TOPIC_NOUNS, self.word(self.le));
            if is(lx::TOPIC_NOUNS, second) || label_then_topic {
                return Who::Topic;
            }
            return Who::Definite { offer: is(lx::OFFER_NOUNS, second) || second.is_empty() };
        }
        Who::Nobody
    }

    /// Someone a public body grants to: « délivre la qualification à X », « la liste, dont X ».
    pub(super) fn beneficiary(&self) -> Option<usize> {
        let authority_end = self.names.iter().filter(|n| n.authority).map(|n| n.end).min().unwrap_or(0);
        self.names.iter().position(|n| !n.authority && n.start >= authority_end)
    }

    /// « L'ANSSI lui a validé le jalon », « l'a qualifiée »: an object pronoun stands for the holder.
    pub(super) fn object_pronoun(&self) -> bool {
        (0..self.ls).any(|i| matches!(self.word(i), "lui" | "leur") || (self.word(i) == "l'" && self.is_verb_at(i + 1)))
    }

    /// The determiner of the label's own noun phrase: the nearest one to its left with only
    /// nouns and adjectives between (« vers une solution de cloud souverain, certifiée X »
    /// reaches past the comma of a participle to « une »).
    pub(super) fn label_determiner(&self) -> Option<usize> {
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
                || is(lx::NUMBERS, w)
                || is(lx::FIRST_PERSON, w)
                || is(lx::SECOND_PERSON, w)
            {
                return Some(i);
            }
            // « de » inside a compound noun (« solution de cloud ») does not end the phrase.
            if t.is_punct(',') && i + 1 < self.ls && !self.is_verb_at(i + 1) {
                continue;
            }
            // « certifiée ISO 27001 et compatible HDS »: a coordination stays in the phrase.
            let inside =
                matches!(w, "de" | "d'" | "of" | "et" | "and" | "ou" | "or") || w.chars().all(|c| c.is_ascii_digit());
            if t.punct.is_some_and(|p| p != '"') || self.is_verb_at(i) || (is(lx::PREPOSITIONS, w) && !inside) {
                return None;
            }
        }
        None
    }

    /// The label's noun phrase opens with an indefinite determiner: « vers une offre qualifiée ».
    pub(super) fn phrase_is_indefinite(&self) -> bool {
        self.label_determiner().is_some_and(|i| is(lx::INDEFINITE, self.word(i)) && self.word(i) != "tout")
    }

    /// The labelled phrase is headed by a plural noun of kinds: « les solutions qualifiées », "qualified cloud solutions".
    pub(super) fn phrase_is_plural_kind(&self) -> bool {
        // "use of SecNumCloud-qualified cloud solutions": a plural noun of kinds that the label
        // premodifies, with no owning determiner before it in the same phrase.
        let head_end = (self.le..self.toks.len())
            .find(|&i| self.toks[i].punct.is_some() || self.is_verb_at(i) || is(lx::PREPOSITIONS, self.word(i)))
            .unwrap_or(self.toks.len());
        if (self.le..head_end).any(|i| is(lx::PLURAL_KINDS, self.word(i))) {
            let det = (0..self.ls)
                .rev()
                .take_while(|&i| {
                    self.toks[i].punct.is_none() && !is(lx::PREPOSITIONS, self.word(i)) && !self.is_verb_at(i)
                })
                .find(|&i| {
                    is(lx::DEFINITE, self.word(i))
                        || is(lx::POSSESSIVE_3, self.word(i))
                        || is(lx::FIRST_PERSON, self.word(i))
                        || is(lx::SECOND_PERSON, self.word(i))
                        || is(lx::INDEFINITE, self.word(i))
                });
            let owned = det.is_some_and(|i| {
                !matches!(self.word(i), "les" | "the" | "des" | "ces" | "these" | "those")
                    && !is(lx::INDEFINITE, self.word(i))
            });
            return !owned;
        }
        let det = self.label_determiner().map(|i| self.word(i));
        let owned = det.is_some_and(|w| {
            is(lx::POSSESSIVE_3, w)
                || is(lx::FIRST_PERSON, w)
                || is(lx::SECOND_PERSON, w)
                || matches!(w, "ce" | "cette" | "cet" | "this")
        });
        let (start, end) = self.label_phrase();
        let from = self.label_determiner().unwrap_or(start).max(start);
        !owned && (from..end).any(|i| (i < self.ls || i >= self.le) && is(lx::PLURAL_KINDS, self.word(i)))
    }

    /// The labelled phrase is a plural of kinds with its own article: « l'annuaire des sociétés
    /// certifiées HDS ».
    pub(super) fn phrase_is_determined_plural(&self) -> bool {
        self.label_determiner()
            .is_some_and(|d| matches!(self.word(d), "les" | "des" | "aux" | "ces" | "the" | "these" | "those"))
            && self.phrase_is_plural_kind()
    }

    /// A verb of borrowing before the label: « basé sur », « hébergé chez », "runs on".
    pub(super) fn borrowing_verb(&self) -> bool {
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

    /// The sentence opens with an imperative that recommends or checks: « Vérifiez que… »,
    /// "Make sure…", "Ask your provider…".
    pub(super) fn opens_with_recommendation(&self) -> bool {
        let first = (0..self.ls).find(|&i| self.toks[i].is_word());
        first.is_some_and(|i| {
            is(lx::RECOMMEND_VERBS, self.word(i)) || (self.word(i) == "make" && self.word(i + 1) == "sure")
        }) || (0..self.ls).any(|i| {
            self.toks[i].is_punct(',')
                && (is(lx::RECOMMEND_VERBS, self.word(i + 1))
                    || (self.word(i + 1) == "make" && self.word(i + 2) == "sure"))
        })
    }

    /// The label opens its clause and is defined: « SecNumCloud est un référentiel », "X is a…".
    pub(super) fn label_is_defined(&self) -> bool {
        let (cs, _) = self.clause_start();
        let opens = (cs..self.ls).all(|i| self.toks[i].punct.is_some() || is(lx::DEFINITE, self.word(i)));
        // Past a gloss in parentheses: « Hébergement de données de santé (HDS) est… ».
        let mut after = self.le;
        if self.toks.get(after).is_some_and(|t| t.is_punct('(')) {
            after = (after..self.toks.len()).find(|&k| self.toks[k].is_punct(')')).map_or(after, |k| k + 1);
        } else if self.toks.get(after).is_some_and(|t| t.is_punct(')')) {
            after += 1;
        }
        let verb = self.word(after);
        let next = self.word(after + 1);
        opens
            && matches!(verb, "est" | "is" | "designe" | "refers" | "means" | "signifie" | "constitue")
            && (is(lx::DEFINITE, next) || is(lx::INDEFINITE, next) || next == "to")
    }

    /// An imperative that opens the clause: « Découvrez… », "Choose…".
    pub(super) fn imperative(&self) -> Option<usize> {
        let (cs, _) = self.clause_start();
        let i = (cs..self.ls).find(|&i| self.toks[i].is_word())?;
        let w = self.word(i);
        let french = (w.ends_with("ez") && w.len() > 4 && !lx::stops_a_name(w)) || is(lx::OFFER_IMPERATIVES, w);
        (french || is(lx::RECOMMEND_VERBS, w)).then_some(i)
    }

    /// Whether a second-person clause offers the page's product or recommends a kind of provider.
    pub(super) fn address(&self) -> Address {
        let words: Vec<&str> = (0..self.le).map(|i| self.word(i)).collect();
        if words.iter().any(|w| is(lx::RECOMMEND_VERBS, w)) {
            return Address::Recommend;
        }
        // « votre prestataire », "your provider": the reader's supplier, not the page's offer.
        let (np_start, np_end) = self.label_phrase();
        let yours =
            (np_start..np_end).any(|i| is(lx::SECOND_PERSON, self.word(i)) && is(lx::PARTNER_NOUNS, self.word(i + 1)));
        if yours {
            return Address::Recommend;
        }
        let (np_start, _) = self.label_phrase();
        if is(lx::INDEFINITE, self.word(np_start)) && (np_start..self.ls).any(|i| is(lx::PARTNER_NOUNS, self.word(i))) {
            return Address::Recommend;
        }
        Address::Offer
    }

    /// Whether the label sits in a relative or subordinate clause (its « nous » is not the page's).
    pub(super) fn label_in_relative(&self) -> bool {
        matches!(self.clause_start().1, Some(o) if is(lx::RELATIVES, self.word(o)) || is(lx::SUBORDINATORS, self.word(o)))
    }

    /// Organisations named in the labelled phrase or right beside it: an apposition
    /// (« X, hébergeur certifié HDS »), a host (« hébergé chez X »), an owner after the label.
    pub(super) fn around_label(&self) -> Vec<(usize, Role)> {
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
                "dans",
                "in",
                "within",
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
            // « la qualification X de Nuvexa », "the X offer by Nuvexa": after a preposition of
            // ownership; a name further in (« basée sur les technologies Microsoft ») owns nothing.
            let inside_after = name.start >= self.le
                && name.end <= np_end
                && (name.start == self.le
                    || is(lx::OWNER_PREPOSITIONS, self.word(name.start - 1))
                    || self.word(name.end) == "'s");
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

    /// The label is part of a product's name: capitalised words that are no common words touch
    /// it (« OpenShift SecNumCloud PaaS »), or it is joined to one (« PoD-SecNumCloud »).
    pub(super) fn in_product_name(&self) -> bool {
        if super::names::in_german(self.toks) {
            return false;
        }
        let label = &self.toks[self.ls];
        let joined = label.folded.contains('-')
            && label.text.split('-').filter(|p| !p.is_empty()).count() > 1
            && self.le == self.ls + 1
            && label.text.split('-').any(|p| {
                p.chars().next().is_some_and(char::is_uppercase) && !lx::never_a_name(&crate::extract::normalize(p))
            });
        // Written like a brand: a capital after the first letter, or letters and digits mixed
        // ("OpenShift", "PoD", "S3"), and not a version ("V2", "3.2").
        let brand_like = |text: &str| {
            // Mixed case, not an acronym in capitals ("OpenShift", "PoD"; not "ANSSI").
            let inner_capital = text.chars().skip(1).any(char::is_uppercase) && text.chars().any(char::is_lowercase);
            let mixed =
                text.chars().any(|c| c.is_ascii_digit()) && text.chars().filter(|c| c.is_alphabetic()).count() > 1;
            (inner_capital || mixed) && !text.to_ascii_lowercase().starts_with('v')
        };
        let touching = |i: usize| {
            self.toks.get(i).is_some_and(|t| {
                t.is_word() && brand_like(t.text) && !lx::stops_a_name(&t.folded) && !lx::never_a_name(&t.folded)
            })
        };
        joined || (self.ls > 0 && touching(self.ls - 1)) || touching(self.le)
    }

    /// Whether the label sits in a list introduced as certifications: « Certifications : A, B ».
    pub(super) fn in_certifications_list(&self) -> bool {
        (0..self.ls).any(|i| {
            matches!(self.word(i), "certifications" | "qualifications" | "labels" | "accreditations" | "agrements")
                && (i + 1..self.ls).any(|j| self.toks[j].is_punct(':'))
        })
    }
}
