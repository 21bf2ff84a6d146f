//! The small French and English word lists that attribution reads sentences with: persons, determiners, clause openers, verbs, and words that are never names.
//!
//! Every word is written folded (lower case, no accents), as tokens are compared folded.

use std::collections::HashSet;
use std::sync::OnceLock;

/// The speaker's own voice.
#[rustfmt::skip]
pub const FIRST_PERSON: &[&str] = &[
    "nous", "notre", "nos", "notres", "we", "our", "us", "ours", "we're", "we've",
];
/// The reader addressed.
#[rustfmt::skip]
pub const SECOND_PERSON: &[&str] = &[
    "vous", "votre", "vos", "votres", "you", "your", "yours", "you're",
];
/// Pronouns that continue an earlier subject.
pub const PRONOUNS: &[&str] =
    &["il", "elle", "ils", "elles", "celui-ci", "celle-ci", "ceux-ci", "celles-ci", "it", "they", "it's", "they're"];
/// Nouns that, after a definite or demonstrative article, stand for an organisation named
/// before: « l'entreprise », « ce dernier », "the company".
#[rustfmt::skip]
pub const ANAPHORIC_NOUNS: &[&str] = &[
    "entreprise", "societe", "groupe", "editeur", "hebergeur", "fournisseur", "operateur", "start-up", "startup",
    "firme", "acteur", "prestataire", "leader", "specialiste", "dernier", "derniere", "derniers", "company", "firm",
    "group", "provider", "vendor", "operator", "host", "publisher", "player", "latter", "filiale", "subsidiary",
    "coentreprise", "co-entreprise", "joint-venture",
];
/// Possessives of a third person: the owner is someone named before.
#[rustfmt::skip]
pub const POSSESSIVE_3: &[&str] = &[
    "son", "sa", "ses", "leur", "leurs", "its", "their",
];
/// Indefinite and universal determiners: a kind of offer, not one offer.
#[rustfmt::skip]
pub const INDEFINITE: &[&str] = &[
    "un", "une", "des", "a", "an", "any", "tout", "toute", "tous", "toutes", "chaque", "every", "each", "certains",
    "certaines", "plusieurs", "quelques", "some", "many", "several", "aucun", "aucune", "other", "autres", "d'autres", "quiconque", "whoever", "anyone", "anybody", "chacun", "everyone",
    "most", "all", "such", "tel", "telle", "tels", "telles", "n'importe",
];
/// Definite and demonstrative determiners.
pub const DEFINITE: &[&str] =
    &["le", "la", "l'", "les", "the", "ce", "cet", "cette", "ces", "this", "these", "those", "that", "du", "au", "aux"];
/// Prepositions that make the next name an owner: « l'offre de X », "by X".
#[rustfmt::skip]
pub const OWNER_PREPOSITIONS: &[&str] = &[
    "de", "d'", "du", "des", "par", "of", "by", "from", "signee", "signe",
];
/// Words of an obligation, said in general: the sentence states a rule, not a fact.
#[rustfmt::skip]
pub const NORMATIVE: &[&str] = &[
    "doit", "doivent", "devront", "devra", "devraient", "must", "shall", "faut", "obligatoire", "obligatoires",
    "mandatory", "necessaire", "necessary", "indispensable", "imperatif", "imperative", "devait", "devaient", "devant",
    "requirement", "prerequis", "prerequisite",
];

/// People a first person may speak of, whose offers are theirs: « nos clients », « nos adhérents ».
#[rustfmt::skip]
pub const PEOPLE_NOUNS: &[&str] = &[
    "clients", "client", "adherents", "membres", "utilisateurs", "usagers", "patients", "customers", "members",
    "users", "partenaires", "partners", "lecteurs", "readers", "abonnes", "subscribers", "experts",
];

/// Verbs of checking: what follows « que » / "that" is to be checked, not stated.
#[rustfmt::skip]
pub const CHECK_VERBS: &[&str] = &[
    "verifier", "verifiez", "verifie", "verifions", "assurer", "assurez", "assurez-vous", "s'assurer", "controler",
    "controlez", "demander", "demandez", "exiger", "exigez", "check", "ensure", "verify", "sure", "confirm",
    "require", "ask",
];

/// Infinitives and gerunds that open a subject: « Être certifié… », "Holding…".
#[rustfmt::skip]
pub const INFINITIVES: &[&str] = &[
    "etre", "obtenir", "avoir", "devenir", "heberger", "detenir", "posseder", "being", "getting", "becoming",
    "obtaining", "having", "holding", "hosting", "achieving", "earning", "choosing", "selecting", "using",
    "migrating", "choisir", "utiliser", "migrer", "recourir",
];

/// Prepositions: a word after one is no verb.
#[rustfmt::skip]
pub const PREPOSITIONS: &[&str] = &[
    "de", "d'", "du", "des", "a", "au", "aux", "en", "dans", "sur", "sous", "par", "pour", "avec", "sans", "chez",
    "vers", "entre", "selon", "depuis", "pendant", "apres", "avant", "contre", "parmi", "via", "malgre", "envers",
    "of", "in", "on", "at", "by", "for", "with", "without", "from", "to", "into", "onto", "over", "under", "since",
    "after", "before", "during", "about", "against", "among", "through", "across", "within", "upon", "via", "like",
    "as", "than", "ne", "n'", "pas", "not", "plus", "tres", "very", "more", "most", "also", "aussi", "egalement",
    "deja", "already", "encore", "still", "toujours", "always", "bien", "well", "que", "qu'", "qui", "et", "ou",
    "and", "or", "but", "mais",
];

/// Relative pronouns: the clause is about the noun before them.
#[rustfmt::skip]
pub const RELATIVES: &[&str] = &[
    "qui", "que", "qu'", "dont", "ou", "lequel", "laquelle", "lesquels", "lesquelles", "which", "who", "whose",
    "whom",
];
/// Subordinating words that open a clause with its own subject.
#[rustfmt::skip]
pub const SUBORDINATORS: &[&str] = &[
    "si", "s'", "lorsque", "lorsqu'", "quand", "puisque", "puisqu'", "car", "tandis", "alors", "bien",
    "quoique", "if", "when", "because", "since", "while", "whereas", "although", "though", "unless", "once",
    "whether",
];
/// Words that report someone's speech, as verbs after or before a quote, or as « selon ».
#[rustfmt::skip]
pub const SPEECH_VERBS: &[&str] = &[
    "explique", "expliquent", "declare", "declarent", "affirme", "affirment", "souligne", "soulignent", "indique",
    "indiquent", "precise", "precisent", "estime", "estiment", "ajoute", "ajoutent", "rappelle", "rappellent",
    "confie", "confient", "commente", "temoigne", "poursuit", "conclut", "assure", "insiste", "se rejouit",
    "detaille", "raconte", "observe", "note", "annonce", "annoncent", "resume", "martele", "felicite",
    "announces", "announced", "concludes", "concluded", "comments", "continues", "said", "says", "explains", "explained", "notes", "noted", "adds",
    "added", "told", "stated", "states", "declared", "commented", "remarked", "according", "selon", "d'apres",
    "claims", "claimed", "argues", "argued",
];
/// Words of a hypothesis or a purpose: nothing is stated as a fact.
#[rustfmt::skip]
pub const HYPOTHETICAL: &[&str] = &[
    "si", "s'", "if", "unless", "whether", "pourrait", "pourraient", "serait", "seraient", "would", "could", "might",
    "souhaitent", "souhaitant", "desireux", "desireuses", "desirant", "wish", "vouloir", "veut", "veulent", "voudrait", "voudraient", "souhaite", "wants", "wanted", "wishing", "want", "wanting",
    "hypothese", "eventuel", "eventuelle", "supposons", "imaginons",
];
/// Verbs of obtaining that, after « pour » / "to", make a purpose: « pour obtenir la qualification ».
#[rustfmt::skip]
pub const PURPOSE_VERBS: &[&str] = &[
    "obtenir", "decrocher", "etre", "devenir", "recevoir", "atteindre", "preparer", "beneficier", "viser", "acquerir",
    "obtain", "achieve", "become", "get", "earn", "gain", "receive", "be", "qualify", "pass", "prepare", "reach",
    "secure",
];
/// Verbs and auxiliaries that end a subject: what comes before them is who the clause is about.
#[rustfmt::skip]
const VERBS: &[&str] = &[
    // French: être, avoir, and the verbs of claims and announcements, in the persons used.
    "est", "sont", "etait", "etaient", "sera", "seront", "serait", "seraient", "soit", "soient", "sommes", "etes",
    "suis", "fut", "furent", "a", "ont", "avait", "avaient", "aura", "auront", "aurait", "auraient", "avons", "avez",
    "ai", "devient", "deviennent", "devenons", "reste", "restent", "demeure", "propose", "proposent", "proposons",
    "offre", "offrent", "offrons", "fournit", "fournissent", "fournissons", "annonce", "annoncent", "annoncons",
    "obtient", "obtiennent", "obtenons", "obtenu", "decroche", "decrochent", "decrochons", "recoit", "recoivent",
    "recevons", "dispose", "disposent", "disposons", "detient", "detiennent", "detenons", "possede", "possedent",
    "possedons", "beneficie", "beneficient", "beneficions", "garantit", "garantissent", "garantissons", "assure",
    "assurent", "assurons", "permet", "permettent", "permettons", "heberge", "hebergent", "hebergeons", "opere",
    "operent", "operons", "exploite", "exploitent", "exploitons", "lance", "lancent", "lancons", "rejoint",
    "rejoignent", "rejoignons", "vise", "visent", "visons", "prepare", "preparent", "preparons", "engage", "engagent",
    "engageons", "poursuit", "poursuivent", "poursuivons", "accompagne", "accompagnent", "accompagnons", "repond",
    "repondent", "repondons", "respecte", "respectent", "respectons", "utilise", "utilisent", "utilisons", "appuie",
    "appuient", "appuyons", "repose", "reposent", "fonctionne", "fonctionnent", "tourne", "tournent", "delivre",
    "delivrent", "attribue", "attribuent", "accorde", "accordent", "renouvelle", "renouvellent", "maintient",
    "maintiennent", "affiche", "affichent", "affichons", "revendique", "revendiquent", "presente", "presentent",
    "presentons", "devrait", "devraient", "devrions", "doit", "doivent", "devons", "peut", "peuvent", "pouvons",
    "pourra", "pourront", "pourrait", "pourraient", "souhaite", "souhaitent", "souhaitons", "veut", "veulent",
    "voulons", "compte", "comptent", "comptons", "entend", "entendent", "prevoit", "prevoient", "prevoyons",
    "integre", "integrent", "integrons", "vient", "viennent", "venons", "figure", "figurent", "fait", "font",
    "faisons", "travaille", "travaillent", "travaillons", "collabore", "collaborent", "choisit", "choisissent",
    "choisissons", "associe", "associent", "associons", "explique", "declare", "affirme", "souligne", "indique",
    "precise", "estime", "ajoute", "rappelle", "confie", "complete", "completent", "atteint", "atteignent", "passe",
    "passent", "devenu", "obtenue", "s'est", "se", "s'appuie", "franchit", "franchissent", "decroche", "remporte",
    "remportent", "confirme", "confirment", "confirmons", "celebre", "officialise", "voit", "voient", "represente",
    "constitue", "signe", "signent", "signons", "ambitionne", "ambitionnent", "entame", "entament", "initie",
    "debute", "s'engage", "accueille", "heberge", "stocke", "stockent", "stockons", "conserve", "conservent",
    "conservons", "traite", "traitent", "traitons", "protege", "protegent", "protegeons", "securise", "securisent",
    "securisons", "repondra", "satisfait", "satisfont", "atteste", "attestent", "prouve", "prouvent", "demontre",
    "demontrent", "permettra", "rejoindra", "obtiendra", "obtiendront", "deviendra", "deviendront", "beneficiera",
    "beneficieront",
    // English.
    "is", "are", "was", "were", "be", "been", "am", "has", "have", "had", "will", "would", "shall", "should", "can",
    "could", "may", "might", "must", "does", "do", "did", "offers", "provides", "announces", "announced", "obtains",
    "obtained", "receives", "received", "achieves", "achieved", "earned", "earns", "holds", "held", "becomes",
    "became", "launches", "launched", "hosts", "runs", "operates", "delivers", "ensures", "guarantees", "meets",
    "complies", "uses", "relies", "builds", "joins", "joined", "aims", "plans", "expects", "intends", "wants",
    "wishes", "seeks", "says", "said", "explains", "notes", "adds", "told", "stated", "claims", "remains", "gets",
    "appear", "appears", "exist", "exists", "mean", "means", "show", "shows", "need", "needs", "apply", "applies",
    "face", "faces", "take", "takes", "make", "makes", "go", "goes", "come", "comes", "allow", "allows", "enable",
    "enables", "cover", "covers", "list", "lists", "rely", "depend", "depends", "qualify", "qualifies",
    "got", "gained", "secured", "secures", "boasts", "features", "includes", "supports", "helps", "works", "partners",
    "partnered", "selects", "selected", "chose", "chooses", "completed", "completes", "passed", "passes", "reached",
    "reaches", "won", "wins", "attained", "attains", "confirms", "confirmed", "celebrates", "marks", "became", "sits",
    "stands", "keeps", "maintains", "renewed", "renews", "stores", "processes", "protects", "secures", "meet",
    "offer", "provide", "hold", "obtain", "become", "host", "run", "operate", "deliver", "ensure", "guarantee",
    "comply", "rely", "use", "aim", "plan", "expect", "want", "seek", "remain", "achieve", "receive", "earn", "gain",
    "join", "launch", "announce", "store", "protect", "keep", "maintain",
];

/// Capitalised words that are never part of an organisation's name: function words, openers,
/// imperatives, places, titles, months. Compared folded.
#[rustfmt::skip]
const STOP_WORDS: &[&str] = &[
    // Function words and frequent openers.
    "le", "la", "les", "l'", "un", "une", "des", "du", "de", "d'", "ce", "cet", "cette", "ces", "son", "sa", "ses",
    "leur", "leurs", "notre", "nos", "votre", "vos", "mon", "ma", "mes", "nous", "vous", "il", "elle", "ils", "elles",
    "on", "je", "j'", "tu", "en", "et", "ou", "mais", "donc", "or", "ni", "car", "que", "qui", "quoi", "dont", "si",
    "s'", "a", "au", "aux", "dans", "sur", "sous", "par", "pour", "avec", "sans", "chez", "vers", "entre", "selon",
    "depuis", "pendant", "apres", "avant", "lors", "grace", "face", "afin", "comme", "ainsi", "aussi", "deja",
    "desormais", "aujourd'hui", "enfin", "egalement", "d'abord", "ensuite", "puis", "alors", "cependant", "pourtant",
    "toutefois", "neanmoins", "the", "a", "an", "this", "that", "these", "those", "our", "your", "their", "its", "my",
    "we", "you", "they", "it", "he", "she", "i", "and", "or", "but", "so", "yet", "of", "in", "on", "at", "by", "for",
    "with", "without", "from", "to", "into", "over", "under", "since", "after", "before", "during", "about",
    "according", "as", "also", "now", "today", "already", "finally", "however", "moreover", "thus", "here", "there",
    "why", "how", "what", "which", "who", "when", "where", "whether", "if", "pourquoi", "comment", "quel", "quelle",
    "quels", "quelles", "qu'est-ce", "qu'est", "combien", "ou", "quand", "oui", "non", "yes", "no", "plus", "moins",
    "tres", "bien", "tout", "toute", "tous", "toutes", "chaque", "every", "each", "all", "any", "some", "new",
    "nouveau", "nouvelle", "nouvelles", "nouveaux", "premier", "premiere", "first", "seul", "seule", "only", "etes",
    "est", "sont", "is", "are",
    // Imperatives of calls to action.
    "decouvrez", "beneficiez", "profitez", "hebergez", "choisissez", "optez", "contactez", "demandez", "testez",
    "essayez", "lisez", "consultez", "telechargez", "rejoignez", "passez", "migrez", "securisez", "protegez",
    "confiez", "deployez", "gagnez", "simplifiez", "accedez", "obtenez", "discover", "choose", "get", "try",
    "contact", "learn", "read", "see", "download", "join", "start", "explore", "meet", "find", "book", "request",
    "lire", "voir", "en savoir",
    // Titles of people.
    "oiv", "ose", "dsi", "rssi", "ciso", "cto", "ceo", "cio", "pdg", "dg", "president", "presidente", "directeur",
    "directrice", "director", "manager", "responsable", "fondateur", "founder", "head", "vp", "svp", "chief",
    "officer", "mme", "m.", "mr", "mrs", "ms", "dr",
    // Places.
    "france", "francais", "francaise", "french", "europe", "europeen", "europeenne", "european", "eu", "ue", "union",
    "paris", "lyon", "marseille", "lille", "toulouse", "nantes", "bordeaux", "strasbourg", "rennes", "allemagne",
    "germany", "espagne", "spain", "italie", "italy", "belgique", "belgium", "suisse", "switzerland", "luxembourg",
    "etats-unis", "usa", "u.s.", "amerique", "america", "american", "americain", "americaine", "chine", "china",
    "royaume-uni", "uk", "monde", "world", "ile-de-france",
    // Months and days.
    "janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre", "novembre",
    "decembre", "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "monday",
    "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
];

/// Capitalised common nouns and adjectives: never a name on their own, but part of names such
/// as "Cloud Temple" or "Orange Business".
#[rustfmt::skip]
const COMMON_WORDS: &[&str] = &[
    "agence", "agency", "autorite", "authority", "ministere", "commission", "conseil", "council", "direction",
    "cour", "tribunal", "office", "institut", "institute", "comite", "committee", "observatoire", "delegation",
    "secretariat", "assemblee", "parlement", "senat", "senate", "haut", "haute", "nationale", "national",
    // The labels' own words and the schemes' vocabulary.
    "secnumcloud", "hds", "cloud", "de confiance", "confiance", "trusted", "qualification", "qualifie", "qualifiee",
    "certification", "certifie", "certifiee", "label", "visa", "referentiel", "norme", "iso", "iec", "eucs", "c5",
    "sren", "nis", "nis2", "dora", "rgpd", "gdpr", "cloud act", "fisa", "snc", "ens",
    // Other standards, listed beside the labels in certification lists (« ISO 27001, SOC 2, PCI DSS… »).
    "soc", "soc1", "soc2", "pci", "dss", "pci-dss", "hipaa", "hitrust", "fedramp", "tisax", "eidas", "csa", "star",
    "esn",
    // Generic nouns that open headings and taglines.
    "hebergement", "hebergeur", "hebergeurs", "offre", "offres", "solution", "solutions", "service", "services",
    "plateforme", "platform", "infrastructure", "infrastructures", "securite", "security", "donnees", "data", "sante",
    "health", "souverainete", "sovereignty", "souverain", "souveraine", "sovereign", "iaas", "paas", "saas", "caas",
    "api", "datacenter", "datacenters", "centre", "centres", "entreprise", "entreprises", "prestataire",
    "prestataires", "fournisseur", "fournisseurs", "editeur", "editeurs", "operateur", "operateurs", "client",
    "clients", "customer", "customers", "partenaire", "partenaires", "partner", "partners", "expert", "experts",
    "equipe", "equipes", "team", "teams", "guide", "article", "actualite", "actualites", "news", "blog", "presse",
    "press", "communique", "accueil", "home", "contact", "produits", "products", "tarifs", "pricing", "ressources",
    "resources", "conformite", "compliance", "certifications", "qualifications", "labels", "accreditations",
    "agrements", "avantages", "benefits", "objectif", "objectifs", "enjeux", "definition", "obligations", "criteres",
    "exigences", "requirements", "etape", "etapes", "jalon", "j0", "j1", "j2", "j3", "faq", "sommaire",
    "introduction", "conclusion", "resume", "source", "sources", "note", "photo", "credit", "copyright", "mentions",
    "legales", "politique", "cookies", "newsletter", "menu", "recherche", "search", "etat", "state", "gouvernement",
    "government", "administration", "administrations", "ministere", "ministry", "public", "publique", "publics",
    "publiques", "loi", "law", "decret", "circulaire", "doctrine", "strategie", "strategy", "programme", "region",
    "regions", "qualified", "certified", "sovereign", "secure", "trusted", "compliant", "ready", "new", "best",
    "leading",
];

/// Words that name the grant or the scheme: the label as a topic after a definite article.
#[rustfmt::skip]
pub const TOPIC_NOUNS: &[&str] = &[
    "liste", "list", "annuaire", "directory", "catalogue", "catalog", "registre", "register",
    "conformite", "compliance", "alignement", "principes", "principles", "regles", "rules", "criteres", "criteria",
    "obtention", "qualification", "certification", "label", "visa", "referentiel", "norme", "standard", "framework",
    "scheme", "schema", "doctrine", "exigences", "requirements", "hebergement", "hosting", "agrement",
    "accreditation", "homologation", "labellisation", "cadre", "demarche", "processus", "process", "procedure",
    "audit", "notion", "concept",
];
/// Nouns of those who lend a qualified offer: « notre partenaire X ».
#[rustfmt::skip]
pub const PARTNER_NOUNS: &[&str] = &[
    "partenaire", "partenaires", "partner", "partners", "allie", "hebergeur", "fournisseur", "provider", "host",
    "sous-traitant", "infogereur", "operateur", "prestataire", "prestataires", "hebergeurs", "fournisseurs", "providers", "hosts",
];
/// Head nouns of an offer: a definite subject headed by one may be the page's own offer
/// (« la plateforme est qualifiée »); headed by another noun (« la loi », « la doctrine ») it is not.
#[rustfmt::skip]
pub const OFFER_NOUNS: &[&str] = &[
    // Parts of an organisation, which may be the vendor itself: « la direction des services
    // numériques est titulaire… ».
    "direction", "departement", "department", "division", "pole", "equipe", "team", "entite", "entity", "branche",
    "unite", "unit", "etablissement", "hopital", "hospital", "clinique", "laboratoire", "laboratory", "centre",
    "offre", "offres", "offer", "offering", "service", "services", "plateforme", "platform", "solution", "solutions",
    "cloud", "clouds", "infrastructure", "infrastructures", "hebergement", "hosting", "produit", "product", "logiciel",
    "software", "application", "applications", "saas", "iaas", "paas", "caas", "datacenter", "datacenters",
    "data-center", "centre", "centres", "region", "regions", "environnement", "environment", "cluster", "stockage",
    "storage", "serveur", "serveurs", "server", "servers", "instance", "instances", "gamme", "range", "socle", "stack",
    "api", "suite", "messagerie", "outil", "tool", "site", "portail", "portal", "espace", "bucket", "base", "reseau",
    "network", "machine", "machines", "donnees", "data", "fichiers", "files", "documents", "coffre-fort", "ged",
    "architecture", "systeme", "system", "sauvegarde", "backup", "version", "edition", "abonnement", "subscription",
    "projet", "sites", "campus", "zone", "zones", "console", "interface", "module", "modules", "outils", "tools",
];
/// Imperatives that offer the page's own product.
#[rustfmt::skip]
pub const OFFER_IMPERATIVES: &[&str] = &[
    "decouvrez", "beneficiez", "profitez", "testez", "essayez", "hebergez", "deployez", "migrez", "confiez",
    "accedez", "stockez", "protegez", "securisez", "souscrivez", "commandez", "adoptez", "passez", "rejoignez",
    "discover", "get", "try", "enjoy", "benefit", "deploy", "host", "explore", "start", "migrate", "protect",
    "secure", "store", "subscribe", "order", "meet", "experience",
];
/// Imperatives and verbs that recommend a kind of provider.
#[rustfmt::skip]
pub const RECOMMEND_VERBS: &[&str] = &[
    "choisissez", "privilegiez", "optez", "exigez", "verifiez", "verifier", "assurez-vous", "recourez", "preferez",
    "selectionnez", "consultez", "comparez", "choose", "prefer", "opt", "require", "check", "ensure", "select",
    "look", "demand", "verify", "pick", "consult", "compare", "see", "visit", "read", "lisez", "voir", "ask", "demandez", "request", "exiger", "demander", "verifier", "sure",
];
/// Numbers that make a subject a count of providers: "nine providers are qualified".
#[rustfmt::skip]
pub const NUMBERS: &[&str] = &[
    "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze", "douze", "quinze", "vingt",
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "fifteen", "twenty",
    "dozens", "dizaines", "centaines", "hundreds",
];
/// Plural nouns of kinds of offers and providers: a label phrase headed by one is about many.
#[rustfmt::skip]
pub const PLURAL_KINDS: &[&str] = &[
    "offres", "offers", "offerings", "solutions", "services", "prestataires", "providers", "fournisseurs",
    "hebergeurs", "hosts", "acteurs", "players", "entreprises", "societes", "companies", "editeurs", "vendors",
    "clouds", "plateformes", "platforms", "infrastructures", "operateurs", "operators", "produits", "products",
    "environnements", "environments", "outils", "tools", "logiciels", "applications",
];

/// Infinitive markers of a purpose: « pour obtenir », "to obtain".
#[rustfmt::skip]
pub const PURPOSE_MARKERS: &[&str] = &[
    "pour", "afin", "to", "order", "vue",
];

fn set(words: &'static [&'static str]) -> HashSet<&'static str> {
    words.iter().copied().collect()
}

fn verbs() -> &'static HashSet<&'static str> {
    static S: OnceLock<HashSet<&'static str>> = OnceLock::new();
    S.get_or_init(|| set(VERBS))
}

fn stop_words() -> &'static HashSet<&'static str> {
    static S: OnceLock<HashSet<&'static str>> = OnceLock::new();
    S.get_or_init(|| set(STOP_WORDS))
}

fn common_words() -> &'static HashSet<&'static str> {
    static S: OnceLock<HashSet<&'static str>> = OnceLock::new();
    S.get_or_init(|| set(COMMON_WORDS))
}

/// Whether a folded word is a verb or an auxiliary that ends a subject.
pub fn is_verb(folded: &str) -> bool {
    verbs().contains(folded)
}

/// Whether a capitalised folded word is never part of an organisation's name: a stop word, an
/// imperative or an infinitive that opens a line (« Vérifier que… »), a number.
pub fn stops_a_name(folded: &str) -> bool {
    stop_words().contains(folded)
        || is(RECOMMEND_VERBS, folded)
        || is(OFFER_IMPERATIVES, folded)
        || is(INFINITIVES, folded)
        || folded.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',')
}

/// Whether a capitalised folded word is no name on its own (it may be part of one): a common
/// word, or a noun of offers, providers or grants ("Providers must…", « Offres qualifiées »).
pub fn never_a_name(folded: &str) -> bool {
    stops_a_name(folded)
        || common_words().contains(folded)
        || is(PLURAL_KINDS, folded)
        || is(OFFER_NOUNS, folded)
        || is(TOPIC_NOUNS, folded)
        || is(ANAPHORIC_NOUNS, folded)
        || is_grant_participle(folded)
}

/// Whether a folded word is a participle of granting in any gender and number: « QUALIFIÉES »
/// in capitals is an adjective, not an organisation.
pub fn is_grant_participle(folded: &str) -> bool {
    const STEMS: &[&str] = &["qualifi", "certifi", "labellis", "labelis", "homologu", "accredit", "agre", "approv"];
    const ENDINGS: &[&str] = &["ees", "ee", "es", "e", "ed"];
    ENDINGS.iter().any(|end| folded.strip_suffix(end).is_some_and(|stem| STEMS.contains(&stem)))
}

/// Whether `folded` is one of `words`.
pub fn is(words: &[&str], folded: &str) -> bool {
    words.contains(&folded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn participles_of_granting_are_never_names_whatever_their_agreement() {
        for w in ["qualifiees", "qualifie", "certifiee", "certified", "labellises", "homologuee", "agrees"] {
            assert!(never_a_name(w), "{w}");
        }
        // Standards listed beside the labels are no organisations either.
        for w in ["soc", "pci", "dss", "hipaa"] {
            assert!(never_a_name(w), "{w}");
        }
        for w in ["qualifio", "certifix", "nuvexa"] {
            assert!(!is_grant_participle(w), "{w}");
        }
    }
}
