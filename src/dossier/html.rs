//! A finding's dossier as one self-contained HTML document, in French or English: summary, the
//! claim as the page showed it (pictures and quotes), what the registry says, the history, the
//! legal basis and how to check the evidence. Pure: no I/O; every value that came from a web
//! page, the registry or a config is HTML-escaped here. Laid out for A4 print (headless
//! Chromium prints it to PDF with [`footer`] on every page) and readable in black and white.

use std::fmt::Write as _;

use base64::Engine as _;

use super::{Dossier, Entry, Picture, Quote, Record, legal};
use crate::alert::render::{esc, kind_name, level_name, quoted};
use crate::config::Lang;
use crate::evidence::RecordRef;
use crate::extract::Location;
use crate::i18n::french_spacing;
use crate::registry::Status;
use crate::report::html::{date, highlight, moment};

/// The `id` of the document's last paragraph: the one saying that the file's SHA-256 is printed
/// by `claimwatch dossier` and kept with the finding (a file cannot carry its own hash).
pub const INTEGRITY_MARK: &str = "claimwatch-dossier-integrity";

/// The Content-Security-Policy the document declares: nothing loads but inline style and
/// `data:` images.
pub const CSP: &str = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

const STYLE: &str = "@page{size:A4;margin:18mm 15mm 20mm 15mm}\
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}\
body{font-family:\"DejaVu Serif\",Georgia,\"Times New Roman\",serif;font-size:10.5pt;line-height:1.4;color:#000;background:#fff;margin:0}\
@media screen{body{max-width:180mm;margin:2em auto;padding:0 1em}}\
h1{font-size:17pt;margin:0 0 .3em}h2{font-size:13pt;margin:1.6em 0 .5em;border-bottom:1pt solid #000;break-after:avoid;page-break-after:avoid}\
h3{font-size:11pt;margin:1em 0 .3em;break-after:avoid;page-break-after:avoid}\
table{border-collapse:collapse;width:100%;margin:.5em 0}\
th,td{border:.75pt solid #000;padding:2pt 4pt;text-align:left;vertical-align:top}th{background:#e8e8e8;font-weight:bold}\
table.facts th{width:32%}tr{break-inside:avoid;page-break-inside:avoid}\
mark{background:#ffe066;color:#000;border:1.5pt solid #000;padding:0 1pt;font-weight:bold}\
blockquote{margin:.5em 0;padding:.3em .8em;border-left:3pt solid #000}\
figure{margin:1em 0;break-inside:avoid;page-break-inside:avoid}figcaption{font-size:9pt}\
img{max-width:100%;max-height:85mm;width:auto;height:auto;border:.75pt solid #000;display:block}\
.record,.quote{break-inside:avoid;page-break-inside:avoid}.record{margin:1em 0}\
code,pre,.url,.hash{font-family:\"DejaVu Sans Mono\",\"Courier New\",monospace;font-size:8.5pt;overflow-wrap:anywhere;word-break:break-all}\
pre{white-space:pre-wrap;border:.75pt solid #000;padding:4pt 6pt;margin:.4em 0}\
.note{font-style:italic}.small{font-size:9pt}";

/// French and English wording. Templates name their values `{like_this}`; our words get French
/// spacing, the values (escaped) are put in afterwards and left as they are.
struct Words {
    lang: &'static str,
    title: &'static str,
    generated: &'static str,
    archived_note: &'static str,
    // Section headings.
    summary: &'static str,
    claim: &'static str,
    registry: &'static str,
    history: &'static str,
    legal: &'static str,
    integrity: &'static str,
    quotes: &'static str,
    // Summary.
    summary_claim: &'static str,
    summary_no_quote: &'static str,
    summary_not_covered: &'static str,
    summary_no_provider: &'static str,
    summary_no_entry: &'static str,
    summary_entries: &'static str,
    summary_dates: &'static str,
    summary_verdict: &'static str,
    entry_since: &'static str,
    entry_until: &'static str,
    finding_id: &'static str,
    vendor_id: &'static str,
    label: &'static str,
    scheme: &'static str,
    kind: &'static str,
    level: &'static str,
    state: &'static str,
    open: &'static str,
    resolved: &'static str,
    generated_at: &'static str,
    // The claim.
    picture_alt: &'static str,
    picture_caption: &'static str,
    fetched: &'static str,
    not_pictured: &'static str,
    stands_in: &'static str,
    more_pages: (&'static str, &'static str),
    no_quote: &'static str,
    location: &'static str,
    seen: &'static str,
    // The registry.
    file: &'static str,
    path: &'static str,
    as_of: &'static str,
    source: &'static str,
    provider: &'static str,
    no_provider: &'static str,
    offer: &'static str,
    status: &'static str,
    since: &'static str,
    until: &'static str,
    decision: &'static str,
    activities: &'static str,
    line: &'static str,
    no_entry: &'static str,
    milestone: &'static str,
    not_covered: &'static str,
    // History.
    first_seen: &'static str,
    last_seen: &'static str,
    reopened: &'static str,
    pages: &'static str,
    page: &'static str,
    ack: &'static str,
    ack_by: &'static str,
    ack_reason: &'static str,
    ack_at: &'static str,
    ack_until: &'static str,
    no_ack: &'static str,
    resolution: &'static str,
    resolved_at: &'static str,
    // Integrity.
    records_intro: &'static str,
    no_record: &'static str,
    record: &'static str,
    record_kind: &'static str,
    warc_file: &'static str,
    record_id: &'static str,
    offset: &'static str,
    length: &'static str,
    block_digest: &'static str,
    payload_digest: &'static str,
    fetched_at: &'static str,
    log_seq: &'static str,
    log_hash: &'static str,
    content_record: &'static str,
    source_record: &'static str,
    at_offset: &'static str,
    log_head: &'static str,
    no_log_head: &'static str,
    verify_intro: &'static str,
    extract_intro: &'static str,
    revisit_note: &'static str,
    final_note: &'static str,
    none: &'static str,
    // Footer.
    page_of: (&'static str, &'static str),
}

const FR: Words = Words {
    lang: "fr",
    title: "Dossier",
    generated: "Établi par claimwatch le {date}.",
    archived_note: "Tout ce qui est cité des pages web est reproduit tel qu’il a été archivé, sans correction.",
    summary: "Résumé",
    claim: "L’allégation telle que la page l’affichait",
    registry: "Ce que dit le registre",
    history: "Historique",
    legal: "Fondement juridique",
    integrity: "Intégrité",
    quotes: "Citations",
    summary_claim: "Le site de {vendor} se réclame du label {label} : {quote}.",
    summary_no_quote: "Le site de {vendor} se réclame du label {label}.",
    summary_not_covered: "Aucun fichier du registre ne couvre le référentiel {scheme} : l’allégation n’a pas pu être vérifiée.",
    summary_no_provider: "Le registre ne connaît pas ce fournisseur et ne lui attribue rien pour le référentiel {scheme}.",
    summary_no_entry: "Le registre ne mentionne aucune entrée de ce fournisseur pour le référentiel {scheme}.",
    summary_entries: "Pour le référentiel {scheme}, le registre mentionne : {entries}.",
    summary_dates: "L’allégation a été vue pour la première fois le {first} et pour la dernière fois le {last}.",
    summary_verdict: "Verdict : {level} — {reason}",
    entry_since: "depuis le",
    entry_until: "jusqu’au",
    finding_id: "Identifiant du constat",
    vendor_id: "Identifiant du fournisseur",
    label: "Label",
    scheme: "Référentiel",
    kind: "Nature de l’allégation",
    level: "Niveau",
    state: "État",
    open: "ouvert",
    resolved: "résolu",
    generated_at: "Dossier établi le",
    picture_alt: "Capture de la page {url} telle qu’archivée, l’allégation encadrée",
    picture_caption: "Image obtenue en rejouant la réponse archivée dans un navigateur sans interface, sans rien charger en ligne. C’est une image dérivée : la preuve est l’enregistrement archivé (voir la section Intégrité).",
    fetched: "Page archivée le {at}.",
    not_pictured: "Pas d’image de cette page : {why}.",
    stands_in: "Le texte archivé en tient lieu (voir les citations ci-dessous).",
    more_pages: (
        "Une autre page porte aussi l’allégation (voir l’historique).",
        "{n} autres pages portent aussi l’allégation (voir l’historique).",
    ),
    no_quote: "Aucune citation n’a été conservée.",
    location: "Emplacement",
    seen: "Vue du {first} au {last}",
    file: "Fichier",
    path: "Chemin",
    as_of: "À jour au",
    source: "Source",
    provider: "Prestataire au registre",
    no_provider: "aucun prestataire du registre ne correspond à ce fournisseur",
    offer: "Offre",
    status: "Statut",
    since: "Depuis le",
    until: "Jusqu’au",
    decision: "Décision",
    activities: "Activités",
    line: "Ligne",
    no_entry: "Le registre ne mentionne aucune entrée de ce fournisseur pour le référentiel {scheme}.",
    milestone: "Où en est la démarche : {milestone}",
    not_covered: "Aucun fichier du registre ne couvre le référentiel {scheme} : le registre ne permet ni de confirmer ni d’infirmer l’allégation.",
    first_seen: "Vue pour la première fois le",
    last_seen: "Vue pour la dernière fois le",
    reopened: "Réouvertures",
    pages: "Pages portant l’allégation",
    page: "Page",
    ack: "Examen",
    ack_by: "Examiné par",
    ack_reason: "Motif",
    ack_at: "Le",
    ack_until: "Jusqu’au",
    no_ack: "Ce constat n’a fait l’objet d’aucun examen enregistré.",
    resolution: "Résolution",
    resolved_at: "Résolu le {at} : {why}",
    records_intro: "Chaque enregistrement archivé sur lequel repose ce constat, au format WARC (ISO 28500), avec son entrée dans le journal des preuves.",
    no_record: "Aucun enregistrement archivé n’est rattaché à ce constat.",
    record: "Enregistrement",
    record_kind: "Type",
    warc_file: "Fichier WARC",
    record_id: "Identifiant de l’enregistrement",
    offset: "Position (octets)",
    length: "Longueur (octets)",
    block_digest: "Empreinte du bloc",
    payload_digest: "Empreinte du contenu",
    fetched_at: "Récupéré le",
    log_seq: "Entrée du journal n°",
    log_hash: "Empreinte de l’entrée",
    content_record: "Enregistrement du contenu",
    source_record: "Enregistrement source",
    at_offset: "{id} dans {file}, position {offset}",
    log_head: "Tête du journal des preuves au moment du dossier : {hash}",
    no_log_head: "Le journal des preuves n’avait pas de tête au moment du dossier.",
    verify_intro: "Pour vérifier la chaîne du journal et chaque enregistrement, puis revoir le constat tel que la page archivée le disait :",
    extract_intro: "Pour extraire le contenu archivé de chaque enregistrement avec un outil indépendant (warcio) :",
    revisit_note: "(revisite : son contenu est dans l’enregistrement du contenu)",
    final_note: "L’empreinte SHA-256 de ce fichier est affichée par {cmd} sur la sortie d’erreur et conservée avec le constat : une copie ultérieure peut y être comparée. Elle ne figure pas ici, un fichier ne pouvant contenir sa propre empreinte.",
    none: "—",
    page_of: ("Page", "sur"),
};

const EN: Words = Words {
    lang: "en",
    title: "Dossier",
    generated: "Generated by claimwatch on {date}.",
    archived_note: "Everything quoted from web pages is reproduced as archived, uncorrected.",
    summary: "Summary",
    claim: "The claim as the page showed it",
    registry: "What the registry says",
    history: "History",
    legal: "Legal basis",
    integrity: "Integrity",
    quotes: "Quotes",
    summary_claim: "The site of {vendor} claims the label {label}: {quote}.",
    summary_no_quote: "The site of {vendor} claims the label {label}.",
    summary_not_covered: "No registry file covers the scheme {scheme}: the claim could not be verified.",
    summary_no_provider: "The registry does not know this vendor and grants it nothing for the scheme {scheme}.",
    summary_no_entry: "The registry lists no entry of this vendor for the scheme {scheme}.",
    summary_entries: "For the scheme {scheme}, the registry lists: {entries}.",
    summary_dates: "The claim was first seen on {first} and last seen on {last}.",
    summary_verdict: "Verdict: {level} — {reason}",
    entry_since: "since",
    entry_until: "until",
    finding_id: "Finding id",
    vendor_id: "Vendor id",
    label: "Label",
    scheme: "Scheme",
    kind: "Kind of claim",
    level: "Level",
    state: "State",
    open: "open",
    resolved: "resolved",
    generated_at: "Dossier generated on",
    picture_alt: "Picture of the page {url} as archived, the claim outlined",
    picture_caption: "Picture made by replaying the archived response in a headless browser, with nothing fetched live. It is a derived picture: the archived record is the proof (see the Integrity section).",
    fetched: "Page archived on {at}.",
    not_pictured: "No picture of this page: {why}.",
    stands_in: "The archived text stands in for it (see the quotes below).",
    more_pages: (
        "One more page carries the claim too (see the history).",
        "{n} more pages carry the claim too (see the history).",
    ),
    no_quote: "No quote was kept.",
    location: "Where",
    seen: "Seen from {first} to {last}",
    file: "File",
    path: "Path",
    as_of: "As of",
    source: "Source",
    provider: "Provider in the registry",
    no_provider: "no provider in the registry matches this vendor",
    offer: "Offer",
    status: "Status",
    since: "Since",
    until: "Until",
    decision: "Decision",
    activities: "Activities",
    line: "Line",
    no_entry: "The registry lists no entry of this vendor for the scheme {scheme}.",
    milestone: "Where the process stands: {milestone}",
    not_covered: "No registry file covers the scheme {scheme}: the registry can neither confirm nor refute the claim.",
    first_seen: "First seen on",
    last_seen: "Last seen on",
    reopened: "Times reopened",
    pages: "Pages carrying the claim",
    page: "Page",
    ack: "Review",
    ack_by: "Reviewed by",
    ack_reason: "Reason",
    ack_at: "On",
    ack_until: "Until",
    no_ack: "No review of this finding was recorded.",
    resolution: "Resolution",
    resolved_at: "Resolved on {at}: {why}",
    records_intro: "Each archived record the finding rests on, in WARC format (ISO 28500), with its entry in the evidence log.",
    no_record: "No archived record is attached to this finding.",
    record: "Record",
    record_kind: "Kind",
    warc_file: "WARC file",
    record_id: "Record id",
    offset: "Offset (bytes)",
    length: "Length (bytes)",
    block_digest: "Block digest",
    payload_digest: "Payload digest",
    fetched_at: "Fetched on",
    log_seq: "Log entry no.",
    log_hash: "Log entry hash",
    content_record: "Content record",
    source_record: "Source record",
    at_offset: "{id} in {file}, offset {offset}",
    log_head: "Evidence log head when the dossier was made: {hash}",
    no_log_head: "The evidence log had no head when the dossier was made.",
    verify_intro: "To verify the log's chain and every record, then see the finding as the archived page said it:",
    extract_intro: "To extract each record's archived content with an independent tool (warcio):",
    revisit_note: "(a revisit: its content is in the content record)",
    final_note: "The SHA-256 of this file is printed by {cmd} on standard error and stored with the finding, so a later copy can be compared with it. It is not written here: a file cannot hold its own hash.",
    none: "—",
    page_of: ("Page", "/"),
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Fr => &FR,
        Lang::En => &EN,
    }
}

/// Our own words, typeset (French spacing) and escaped.
fn ours(lang: Lang, s: &str) -> String {
    match lang {
        Lang::Fr => esc(&french_spacing(s)),
        Lang::En => esc(s),
    }
}

/// `template` (our words: typeset and escaped) with each `{name}` replaced, in one pass, by its
/// value in `args` (already HTML).
fn fill(lang: Lang, template: &str, args: &[(&str, &str)]) -> String {
    let mut rest = ours(lang, template);
    let mut out = String::with_capacity(rest.len() * 2);
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').and_then(|close| args.iter().find(|(k, _)| *k == &after[..close]).map(|a| (close, a))) {
            Some((close, (_, value))) => {
                out.push_str(value);
                rest = after[close + 1..].to_string();
            }
            None => {
                out.push('{');
                rest = after.to_string();
            }
        }
    }
    out.push_str(&rest);
    out
}

fn status_name(lang: Lang, s: Status) -> &'static str {
    match (lang, s) {
        (Lang::Fr, Status::Qualified) => "qualifié",
        (Lang::Fr, Status::Certified) => "certifié",
        (Lang::Fr, Status::InProgress) => "en cours de qualification",
        (Lang::Fr, Status::Expired) => "expiré",
        (Lang::Fr, Status::Withdrawn) => "retiré",
        (Lang::En, Status::Qualified) => "qualified",
        (Lang::En, Status::Certified) => "certified",
        (Lang::En, Status::InProgress) => "in progress",
        (Lang::En, Status::Expired) => "expired",
        (Lang::En, Status::Withdrawn) => "withdrawn",
    }
}

fn location_name(lang: Lang, l: Location) -> &'static str {
    match (lang, l) {
        (Lang::Fr, Location::Text) => "texte de la page",
        (Lang::Fr, Location::Title) => "titre de la page",
        (Lang::Fr, Location::Meta) => "description (balise meta)",
        (Lang::Fr, Location::Alt) => "texte alternatif d’une image",
        (Lang::Fr, Location::Attribute) => "attribut d’un élément",
        (Lang::Fr, Location::JsonLd) => "données structurées JSON-LD",
        (Lang::Fr, Location::Pdf) => "document PDF",
        (Lang::En, Location::Text) => "body text",
        (Lang::En, Location::Title) => "page title",
        (Lang::En, Location::Meta) => "meta description",
        (Lang::En, Location::Alt) => "image alt text",
        (Lang::En, Location::Attribute) => "attribute",
        (Lang::En, Location::JsonLd) => "JSON-LD structured data",
        (Lang::En, Location::Pdf) => "PDF document",
    }
}

fn record_kind_name(lang: Lang, kind: &str) -> String {
    let name = match (lang, kind) {
        (Lang::Fr, "response") => "réponse",
        (Lang::Fr, "revisit") => "revisite (réponse 304, contenu inchangé)",
        (Lang::Fr, "conversion") => "conversion (page rendue par le navigateur)",
        (Lang::En, "response") => "response",
        (Lang::En, "revisit") => "revisit (a 304 answer, content unchanged)",
        (Lang::En, "conversion") => "conversion (the page as the browser rendered it)",
        _ => return esc(kind),
    };
    esc(name)
}

/// A word or path for a POSIX shell: as is when it is plain, else in single quotes.
fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | ':' | '=' | '@' | '%' | '+' | ',')
        });
    if plain { s.to_string() } else { format!("'{}'", s.replace('\'', "'\\''")) }
}

/// `dir/file`, without doubling a slash.
fn join(dir: &str, file: &str) -> String {
    if dir.is_empty() {
        file.to_string()
    } else if dir.ends_with('/') {
        format!("{dir}{file}")
    } else {
        format!("{dir}/{file}")
    }
}

fn url(u: &str) -> String {
    format!("<span class=\"url\">{}</span>", esc(u))
}

fn hash(h: &str) -> String {
    format!("<span class=\"hash\">{}</span>", esc(h))
}

/// A table of facts: a header cell and a value (HTML) per row.
fn facts(h: &mut String, lang: Lang, rows: &[(&str, String)]) {
    h.push_str("<table class=\"facts\">");
    for (name, value) in rows {
        let _ = write!(h, "<tr><th scope=\"row\">{}</th><td>{value}</td></tr>", ours(lang, name));
    }
    h.push_str("</table>");
}

/// Renders the dossier as one self-contained HTML document.
pub fn render(d: &Dossier) -> String {
    let (lang, w, f) = (d.lang, words(d.lang), &d.finding);
    let title = format!("{} — {} — {}", w.title, f.vendor_name, f.label_name);
    let mut h = String::with_capacity(64 * 1024);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"generator\" content=\"claimwatch\">\
         <title>{}</title><style>{STYLE}</style></head><body>",
        w.lang,
        esc(CSP),
        esc(&title)
    );
    let _ = write!(h, "<header><h1>{}</h1>", esc(&title));
    let _ = write!(h, "<p>{}</p>", fill(lang, w.generated, &[("date", &moment(lang, d.generated_at))]));
    let _ = write!(h, "<p class=\"note\">{}</p></header>", ours(lang, w.archived_note));

    summary(&mut h, d, w);
    claim(&mut h, d, w);
    registry(&mut h, d, w);
    history(&mut h, d, w);
    legal_basis(&mut h, d, w);
    integrity(&mut h, d, w);

    let _ = write!(
        h,
        "<p id=\"{INTEGRITY_MARK}\" class=\"small\">{}</p>",
        fill(lang, w.final_note, &[("cmd", "<code>claimwatch dossier</code>")])
    );
    h.push_str("</body></html>\n");
    h
}

/// The footer template Chromium prints on every page of the PDF ("Page 2 / 5", « Page 2 sur 5 »)
/// with the finding's id. Chromium fills the `pageNumber` and `totalPages` spans; a footer
/// template does not inherit the document's style, hence its own.
pub fn footer(lang: Lang, finding_id: &str) -> String {
    let w = words(lang);
    format!(
        "<div style=\"font-size:8pt;font-family:sans-serif;color:#000;width:100%;margin:0 15mm;\
         display:flex;justify-content:space-between\"><span>claimwatch — {} {}</span>\
         <span>{} <span class=\"pageNumber\"></span> {} <span class=\"totalPages\"></span></span></div>",
        esc(w.title),
        esc(finding_id),
        esc(w.page_of.0),
        esc(w.page_of.1)
    )
}

fn section(h: &mut String, id: &str, lang: Lang, heading: &str) {
    let _ = write!(h, "<section id=\"{id}\"><h2>{}</h2>", ours(lang, heading));
}

fn entry_summary(lang: Lang, w: &Words, e: &Entry) -> String {
    let mut s = format!("{} ({}", esc(&e.offer), esc(status_name(lang, e.status)));
    if let Some(since) = e.since {
        let _ = write!(s, " {} {}", ours(lang, w.entry_since), esc(&date(lang, since)));
    }
    if let Some(until) = e.until {
        let _ = write!(s, " {} {}", ours(lang, w.entry_until), esc(&date(lang, until)));
    }
    s.push(')');
    s
}

fn summary(h: &mut String, d: &Dossier, w: &Words) {
    let (lang, f, r) = (d.lang, &d.finding, &d.registry);
    section(h, "summary", lang, w.summary);
    let vendor = esc(&f.vendor_name);
    let label = esc(&f.label_name);
    let scheme = esc(&f.scheme);
    let mut p = match d.quotes.first() {
        Some(q) => {
            let quote = quoted(lang, &esc(&q.matched));
            fill(lang, w.summary_claim, &[("vendor", &vendor), ("label", &label), ("quote", &quote)])
        }
        None => fill(lang, w.summary_no_quote, &[("vendor", &vendor), ("label", &label)]),
    };
    p.push(' ');
    let args = [("scheme", scheme.as_str())];
    if !r.covered {
        p.push_str(&fill(lang, w.summary_not_covered, &args));
    } else if r.entries.is_empty() && r.provider.is_none() {
        p.push_str(&fill(lang, w.summary_no_provider, &args));
    } else if r.entries.is_empty() {
        p.push_str(&fill(lang, w.summary_no_entry, &args));
    } else {
        let entries: Vec<String> = r.entries.iter().map(|e| entry_summary(lang, w, e)).collect();
        let entries = entries.join(if lang == Lang::Fr { " ; " } else { "; " });
        let entries = if lang == Lang::Fr { entries.replace(" ; ", "\u{202F}; ") } else { entries };
        p.push_str(&fill(lang, w.summary_entries, &[("scheme", &scheme), ("entries", &entries)]));
    }
    if let Some(m) = &r.milestone {
        let _ = write!(p, " {}.", esc(m.trim_end_matches('.')));
    }
    p.push(' ');
    p.push_str(&fill(
        lang,
        w.summary_dates,
        &[
            ("first", &esc(&date(lang, d.history.first_seen.date_naive()))),
            ("last", &esc(&date(lang, d.history.last_seen.date_naive()))),
        ],
    ));
    p.push(' ');
    let level = format!("<strong>{}</strong>", esc(level_name(lang, f.level)));
    let reason = f.reason.trim_end();
    let stop = if reason.ends_with(['.', '!', '?', '…']) { "" } else { "." };
    let reason = format!("{}{stop}", esc(reason));
    p.push_str(&fill(lang, w.summary_verdict, &[("level", &level), ("reason", &reason)]));
    let _ = write!(h, "<p>{p}</p>");

    let state = if f.open { w.open } else { w.resolved };
    facts(
        h,
        lang,
        &[
            (w.finding_id, format!("<code>{}</code>", esc(&f.id))),
            (w.vendor_id, format!("{} (<code>{}</code>)", esc(&f.vendor_name), esc(&f.vendor_id))),
            (w.label, format!("{} (<code>{}</code>)", esc(&f.label_name), esc(&f.label))),
            (w.scheme, format!("<code>{}</code>", esc(&f.scheme))),
            (w.kind, esc(kind_name(lang, f.kind))),
            (w.level, esc(level_name(lang, f.level))),
            (w.state, esc(state)),
            (w.generated_at, moment(lang, d.generated_at)),
        ],
    );
    h.push_str("</section>");
}

fn claim(h: &mut String, d: &Dossier, w: &Words) {
    let lang = d.lang;
    section(h, "claim", lang, w.claim);
    for p in &d.pictures {
        picture(h, lang, w, p);
    }
    let more = d.pages_total.saturating_sub(d.pictures.len());
    if more == 1 {
        let _ = write!(h, "<p>{}</p>", ours(lang, w.more_pages.0));
    } else if more > 1 {
        let _ = write!(h, "<p>{}</p>", fill(lang, w.more_pages.1, &[("n", &more.to_string())]));
    }
    let _ = write!(h, "<h3>{}</h3>", ours(lang, w.quotes));
    if d.quotes.is_empty() {
        let _ = write!(h, "<p>{}</p>", ours(lang, w.no_quote));
    }
    for q in &d.quotes {
        quote(h, lang, w, q);
    }
    h.push_str("</section>");
}

fn picture(h: &mut String, lang: Lang, w: &Words, p: &Picture) {
    h.push_str("<figure class=\"picture\">");
    let _ = write!(h, "<p>{}</p>", url(&p.url));
    if let Some(at) = p.fetched_at {
        let _ = write!(h, "<p class=\"small\">{}</p>", fill(lang, w.fetched, &[("at", &moment(lang, at))]));
    }
    match &p.png {
        Some(png) => {
            let b64 = base64::engine::general_purpose::STANDARD.encode(png);
            let alt = w.picture_alt.replace("{url}", &p.url);
            // With a picture, `why_not` says what it does not show (a claim in the title only).
            let note = p.why_not.as_deref().map(|n| format!(" {}.", esc(n.trim_end_matches('.')))).unwrap_or_default();
            let _ = write!(
                h,
                "<img src=\"data:image/png;base64,{b64}\" alt=\"{}\"><figcaption>{}{note}</figcaption>",
                esc(&alt),
                ours(lang, w.picture_caption)
            );
        }
        None => {
            let why = p.why_not.as_deref().unwrap_or(w.none);
            let _ = write!(
                h,
                "<figcaption>{} {}</figcaption>",
                fill(lang, w.not_pictured, &[("why", &esc(why.trim_end_matches('.')))]),
                ours(lang, w.stands_in)
            );
        }
    }
    h.push_str("</figure>");
}

fn quote(h: &mut String, lang: Lang, w: &Words, q: &Quote) {
    h.push_str("<div class=\"quote\">");
    let _ = write!(h, "<blockquote>{}</blockquote>", highlight(&q.context, &q.matched));
    let mut place = esc(location_name(lang, q.location));
    if !q.detail.is_empty() {
        let _ = write!(place, " (<code>{}</code>)", esc(&q.detail));
    }
    let seen = fill(lang, w.seen, &[("first", &moment(lang, q.first_seen)), ("last", &moment(lang, q.last_seen))]);
    let _ = write!(h, "<p class=\"small\">{} {place}<br>{}<br>{seen}</p></div>", colon(lang, w.location), url(&q.url));
}

/// "Label :" (no-break space) in French, "Label:" in English; escaped.
fn colon(lang: Lang, label: &str) -> String {
    ours(lang, &format!("{label}:"))
}

fn registry(h: &mut String, d: &Dossier, w: &Words) {
    let (lang, r) = (d.lang, &d.registry);
    section(h, "registry", lang, w.registry);
    let scheme = esc(&d.finding.scheme);
    if !r.covered {
        let _ = write!(h, "<p>{}</p>", fill(lang, w.not_covered, &[("scheme", &scheme)]));
    } else {
        facts(
            h,
            lang,
            &[
                (w.file, format!("<code>{}</code>", esc(&r.file_name))),
                (w.path, format!("<code>{}</code>", esc(&r.path))),
                (w.as_of, esc(&date(lang, r.as_of))),
                (w.source, url(&r.source)),
                ("SHA-256", hash(&r.sha256)),
                (w.provider, r.provider.as_deref().map(esc).unwrap_or_else(|| ours(lang, w.no_provider))),
            ],
        );
    }
    if r.entries.is_empty() {
        if r.covered {
            let _ = write!(h, "<p><strong>{}</strong></p>", fill(lang, w.no_entry, &[("scheme", &scheme)]));
        }
    } else {
        h.push_str("<table class=\"entries\"><thead><tr>");
        for head in [w.offer, w.status, w.since, w.until, w.decision, w.activities, w.line] {
            let _ = write!(h, "<th scope=\"col\">{}</th>", ours(lang, head));
        }
        h.push_str("</tr></thead><tbody>");
        for e in &r.entries {
            let day = |d: Option<chrono::NaiveDate>| d.map(|d| esc(&date(lang, d))).unwrap_or_else(|| esc(w.none));
            let activities = if e.activities.is_empty() {
                esc(w.none)
            } else {
                e.activities.iter().map(|a| esc(a)).collect::<Vec<_>>().join("<br>")
            };
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{activities}</td><td>{}</td></tr>",
                esc(&e.offer),
                esc(status_name(lang, e.status)),
                day(e.since),
                day(e.until),
                e.decision.as_deref().map(esc).unwrap_or_else(|| esc(w.none)),
                e.line
            );
        }
        h.push_str("</tbody></table>");
    }
    if let Some(m) = &r.milestone {
        let _ = write!(h, "<p>{}</p>", fill(lang, w.milestone, &[("milestone", &esc(m))]));
    }
    h.push_str("</section>");
}

fn history(h: &mut String, d: &Dossier, w: &Words) {
    let (lang, hi, f) = (d.lang, &d.history, &d.finding);
    section(h, "history", lang, w.history);
    facts(
        h,
        lang,
        &[
            (w.first_seen, moment(lang, hi.first_seen)),
            (w.last_seen, moment(lang, hi.last_seen)),
            (w.reopened, hi.reopened.to_string()),
            (w.state, esc(if f.open { w.open } else { w.resolved })),
        ],
    );
    let _ = write!(
        h,
        "<h3>{}</h3><table class=\"pages\"><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        ours(lang, w.pages),
        ours(lang, w.page),
        ours(lang, w.first_seen),
        ours(lang, w.last_seen)
    );
    for (u, first, last) in &hi.pages {
        let _ =
            write!(h, "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", url(u), moment(lang, *first), moment(lang, *last));
    }
    h.push_str("</tbody></table>");
    let _ = write!(h, "<h3>{}</h3>", ours(lang, w.ack));
    match &hi.ack {
        Some(a) => facts(
            h,
            lang,
            &[
                (w.ack_by, esc(&a.by)),
                (w.ack_reason, esc(&a.reason)),
                (w.ack_at, moment(lang, a.at)),
                (w.ack_until, a.until.map(|u| esc(&date(lang, u))).unwrap_or_else(|| esc(w.none))),
            ],
        ),
        None => {
            let _ = write!(h, "<p>{}</p>", ours(lang, w.no_ack));
        }
    }
    if !f.open || f.resolved_at.is_some() {
        let _ = write!(h, "<h3>{}</h3>", ours(lang, w.resolution));
        let at = f.resolved_at.map(|t| moment(lang, t)).unwrap_or_else(|| esc(w.none));
        let why = f.resolution.as_deref().map(esc).unwrap_or_else(|| esc(w.none));
        let _ = write!(h, "<p>{}</p>", fill(lang, w.resolved_at, &[("at", &at), ("why", &why)]));
    }
    h.push_str("</section>");
}

fn legal_basis(h: &mut String, d: &Dossier, w: &Words) {
    let lang = d.lang;
    section(h, "legal", lang, w.legal);
    for p in legal::basis(lang, &d.finding.label, &d.finding.scheme, d.finding.kind) {
        // Already typeset by `legal`: escaped only.
        let _ = write!(h, "<h3>{}</h3><p>{}</p>", esc(&p.title), esc(&p.text));
        if !p.items.is_empty() {
            h.push_str("<ul>");
            for item in &p.items {
                let _ = write!(h, "<li>{}</li>", esc(item));
            }
            h.push_str("</ul>");
        }
    }
    h.push_str("</section>");
}

fn record_ref(lang: Lang, w: &Words, r: &RecordRef) -> String {
    fill(
        lang,
        w.at_offset,
        &[
            ("id", &format!("<code>{}</code>", esc(&r.record_id))),
            ("file", &format!("<code>{}</code>", esc(&r.file))),
            ("offset", &r.offset.to_string()),
        ],
    )
}

fn integrity(h: &mut String, d: &Dossier, w: &Words) {
    let lang = d.lang;
    section(h, "integrity", lang, w.integrity);
    let _ = write!(h, "<p>{}</p>", ours(lang, w.records_intro));
    if d.records.is_empty() {
        let _ = write!(h, "<p>{}</p>", ours(lang, w.no_record));
    }
    for (i, r) in d.records.iter().enumerate() {
        record(h, lang, w, i + 1, r);
    }
    match &d.log_head {
        Some(head) => {
            let _ = write!(h, "<p>{}</p>", fill(lang, w.log_head, &[("hash", &hash(head))]));
        }
        None => {
            let _ = write!(h, "<p>{}</p>", ours(lang, w.no_log_head));
        }
    }

    let config = shell_quote(&d.config_path);
    let _ = write!(
        h,
        "<p>{}</p><pre><code>claimwatch evidence verify --config {}\nclaimwatch evidence show {} --config {}</code></pre>",
        ours(lang, w.verify_intro),
        esc(&config),
        esc(&shell_quote(&d.finding.id)),
        esc(&config)
    );
    if !d.records.is_empty() {
        let mut lines = Vec::new();
        for r in &d.records {
            let rec = &r.record;
            let path = |file: &str| esc(&shell_quote(&join(&d.evidence_dir, file)));
            match (&r.content, r.kind.as_str()) {
                (Some(content), _) => {
                    lines.push(format!("warcio extract --headers {} {}", path(&rec.file), rec.offset));
                    lines.push(format!("warcio extract --payload {} {}", path(&content.file), content.offset));
                }
                _ => lines.push(format!("warcio extract --payload {} {}", path(&rec.file), rec.offset)),
            }
        }
        // A revisit's content is often a record listed too: each command once.
        let mut seen = std::collections::HashSet::new();
        lines.retain(|l| seen.insert(l.clone()));
        let _ = write!(h, "<p>{}</p><pre><code>{}</code></pre>", ours(lang, w.extract_intro), lines.join("\n"));
    }
    h.push_str("</section>");
}

fn record(h: &mut String, lang: Lang, w: &Words, n: usize, r: &Record) {
    let rec = &r.record;
    let _ = write!(h, "<div class=\"record\"><h3>{} {n}</h3>", ours(lang, w.record));
    let mut rows: Vec<(&str, String)> = vec![
        ("URL", url(&r.url)),
        (w.record_kind, record_kind_name(lang, &r.kind)),
        (w.warc_file, format!("<code>{}</code>", esc(&rec.file))),
        (w.record_id, format!("<code>{}</code>", esc(&rec.record_id))),
        (w.offset, rec.offset.to_string()),
        (w.length, rec.length.to_string()),
        (w.block_digest, hash(&rec.block_digest)),
        (w.payload_digest, rec.payload_digest.as_deref().map(hash).unwrap_or_else(|| esc(w.none))),
        (w.fetched_at, moment(lang, r.fetched_at)),
        (w.log_seq, r.log_seq.to_string()),
        (w.log_hash, r.log_hash.as_deref().map(hash).unwrap_or_else(|| esc(w.none))),
    ];
    if let Some(c) = &r.content {
        rows.push((w.content_record, format!("{} {}", record_ref(lang, w, c), ours(lang, w.revisit_note))));
    }
    if let Some(s) = &r.source {
        rows.push((w.source_record, record_ref(lang, w, s)));
    }
    facts(h, lang, &rows);
    h.push_str("</div>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dossier::{Acknowledgement, FindingFacts, History, RegistryFacts};
    use crate::i18n::{NBSP, NNBSP};
    use crate::judge::Level;
    use crate::patterns::ClaimKind;
    use chrono::{DateTime, Utc};

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn rref(file: &str, offset: u64, id: &str) -> RecordRef {
        RecordRef {
            file: file.into(),
            offset,
            length: 4321,
            record_id: id.into(),
            block_digest: "sha256:b10c".into(),
            payload_digest: Some("sha256:9a7l0ad".into()),
        }
    }

    /// A tiny PNG signature and header: enough, it is only base64'd.
    const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R'];

    fn sample(lang: Lang) -> Dossier {
        let url = "https://nuvexa.example/offres/souverain?a=1&b=2";
        Dossier {
            lang,
            generated_at: at("2026-11-30T09:15:00Z"),
            finding: FindingFacts {
                id: "f00dcafe".into(),
                vendor_id: "nuvexa".into(),
                vendor_name: "Nuvexa Cloud".into(),
                label: "secnumcloud".into(),
                label_name: "SecNumCloud".into(),
                scheme: "secnumcloud".into(),
                kind: ClaimKind::Assertion,
                level: Level::Violation,
                reason: "aucune qualification au registre".into(),
                open: true,
                resolved_at: None,
                resolution: None,
            },
            pictures: vec![
                Picture {
                    url: url.into(),
                    fetched_at: Some(at("2026-11-28T14:05:00Z")),
                    png: Some(PNG.to_vec()),
                    why_not: None,
                },
                Picture {
                    url: "https://nuvexa.example/brochure.pdf".into(),
                    fetched_at: None,
                    png: None,
                    why_not: Some("a PDF <document>".into()),
                },
            ],
            pages_total: 4,
            quotes: vec![Quote {
                url: url.into(),
                matched: "qualifié \"SecNumCloud\" <script>alert(1)</script>".into(),
                context: "Nuvexa Souverain est qualifié \"SecNumCloud\" <script>alert(1)</script> depuis toujours"
                    .into(),
                location: Location::Text,
                detail: "body".into(),
                first_seen: at("2026-11-28T14:05:00Z"),
                last_seen: at("2026-11-29T08:00:00Z"),
            }],
            registry: RegistryFacts {
                file_name: "secnumcloud.toml".into(),
                path: "/etc/claimwatch/registry/secnumcloud.toml".into(),
                as_of: "2026-11-01".parse().unwrap(),
                source: "https://registry.example/list".into(),
                sha256: "abc123".into(),
                provider: None,
                entries: vec![],
                milestone: None,
                covered: true,
            },
            history: History {
                first_seen: at("2026-11-28T14:05:00Z"),
                last_seen: at("2026-11-29T08:00:00Z"),
                reopened: 1,
                pages: vec![(url.into(), at("2026-11-28T14:05:00Z"), at("2026-11-29T08:00:00Z"))],
                ack: Some(Acknowledgement {
                    by: "Alice <alice@example.org>".into(),
                    reason: "under review & discussed".into(),
                    at: at("2026-11-29T10:00:00Z"),
                    until: Some("2026-12-15".parse().unwrap()),
                }),
            },
            records: vec![
                Record {
                    url: url.into(),
                    record: rref("claimwatch-run1.warc.gz", 1234, "<urn:uuid:one>"),
                    kind: "response".into(),
                    content: None,
                    source: None,
                    fetched_at: at("2026-11-28T14:05:00Z"),
                    log_seq: 7,
                    log_hash: Some("1095ha5h".into()),
                },
                Record {
                    url: url.into(),
                    record: rref("claimwatch-run2.warc.gz", 98765, "<urn:uuid:two>"),
                    kind: "revisit".into(),
                    content: Some(rref("claimwatch-run1.warc.gz", 1234, "<urn:uuid:one>")),
                    source: None,
                    fetched_at: at("2026-11-29T08:00:00Z"),
                    log_seq: 9,
                    log_hash: None,
                },
            ],
            log_head: Some("headhash42".into()),
            config_path: "/etc/claim watch/claimwatch.toml".into(),
            evidence_dir: "/var/lib/claimwatch/evidence".into(),
        }
    }

    fn in_order(html: &str, needles: &[&str]) {
        let mut from = 0;
        for n in needles {
            let i = html[from..].find(n).unwrap_or_else(|| panic!("{n:?} missing or out of order"));
            from += i + n.len();
        }
    }

    #[test]
    fn sections_come_in_order_in_both_languages() {
        let fr = render(&sample(Lang::Fr));
        assert!(fr.starts_with("<!DOCTYPE html>"));
        assert!(fr.contains("<html lang=\"fr\">") && fr.contains("<meta charset=\"utf-8\">"));
        in_order(
            &fr,
            &[
                "<h1>Dossier — Nuvexa Cloud — SecNumCloud</h1>",
                "Établi par claimwatch le",
                ">Résumé</h2>",
                ">L’allégation telle que la page l’affichait</h2>",
                ">Ce que dit le registre</h2>",
                ">Historique</h2>",
                ">Fondement juridique</h2>",
                ">Intégrité</h2>",
                INTEGRITY_MARK,
            ],
        );
        let en = render(&sample(Lang::En));
        assert!(en.contains("<html lang=\"en\">"));
        in_order(
            &en,
            &[
                "Generated by claimwatch on",
                ">Summary</h2>",
                ">The claim as the page showed it</h2>",
                ">What the registry says</h2>",
                ">History</h2>",
                ">Legal basis</h2>",
                ">Integrity</h2>",
                INTEGRITY_MARK,
            ],
        );
        // No heading of the other language.
        for english in ["Summary", "History", "Legal basis", "Integrity", "Generated by", "Quotes"] {
            assert!(!fr.contains(english), "{english} in the French dossier");
        }
        for french in ["Résumé", "Historique", "Fondement", "Intégrité", "Établi", "Citations"] {
            assert!(!en.contains(french), "{french} in the English dossier");
        }
        assert!(en.ends_with("</body></html>\n"));
    }

    #[test]
    fn values_from_pages_and_configs_are_escaped() {
        for lang in [Lang::Fr, Lang::En] {
            let h = render(&sample(lang));
            assert!(!h.contains("<script"), "a quote's markup came out live");
            assert!(h.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
            assert!(h.contains("&quot;SecNumCloud&quot;"));
            assert!(h.contains("<mark>qualifié &quot;SecNumCloud&quot; &lt;script&gt;alert(1)&lt;/script&gt;</mark>"));
            assert!(h.contains("?a=1&amp;b=2") && !h.contains("?a=1&b=2"));
            assert!(h.contains("Alice &lt;alice@example.org&gt;"));
            assert!(h.contains("under review &amp; discussed"));
            assert!(h.contains("a PDF &lt;document&gt;"));
            assert!(h.contains("&lt;urn:uuid:one&gt;"));
        }
    }

    /// Every `src=`, `href=` and `url(` is a `data:` one, nothing is imported, and the CSP says so.
    #[test]
    fn the_document_loads_nothing() {
        let h = render(&sample(Lang::Fr));
        assert!(h.contains(&format!("<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">", esc(CSP))));
        assert!(!h.contains("@import"));
        assert!(!h.contains("<script"));
        assert!(!h.contains("<link"));
        for attr in ["src=", "href=", "url("] {
            for (i, _) in h.match_indices(attr) {
                let rest = h[i + attr.len()..].trim_start_matches(['"', '\'']);
                assert!(rest.starts_with("data:"), "{attr} loads {}", &rest[..rest.len().min(40)]);
            }
        }
        assert!(h.contains(&format!(
            "src=\"data:image/png;base64,{}\"",
            base64::engine::general_purpose::STANDARD.encode(PNG)
        )));
    }

    #[test]
    fn the_print_style_is_for_a4_and_black_and_white() {
        let h = render(&sample(Lang::En));
        assert!(h.contains("@page{size:A4;margin:18mm 15mm 20mm 15mm}"));
        assert!(h.contains("break-inside:avoid"));
        assert!(h.contains("max-width:100%"));
        let mark = STYLE.split("mark{").nth(1).unwrap().split('}').next().unwrap();
        assert!(mark.contains("background:") && mark.contains("border:1.5pt solid"), "{mark}");
    }

    #[test]
    fn the_french_dossier_follows_french_typography() {
        let h = render(&sample(Lang::Fr));
        assert!(h.contains(&format!("28{NBSP}novembre{NBSP}2026")));
        assert!(h.contains(&format!("30{NBSP}novembre{NBSP}2026")));
        assert!(h.contains(&format!("SecNumCloud{NBSP}: «{NBSP}qualifié &quot;SecNumCloud&quot;")));
        assert!(h.contains(&format!("&lt;/script&gt;{NBSP}»")));
        assert!(h.contains(&format!("Verdict{NBSP}: <strong>MANQUEMENT</strong>")));
        assert!(h.contains(&format!("Emplacement{NBSP}: texte de la page")));
        assert!(h.contains("14:05:00 UTC"));
        // No ordinary space before high punctuation in our words.
        for p in [" :", " ;", " !", " ?"] {
            let outside_code: String = h.split("<pre>").next().unwrap().to_string();
            assert!(!outside_code.contains(p), "ordinary space before {p:?}");
        }
        assert!(!h.contains(&format!("{NNBSP}&amp;")));
        // Entities survive the typesetting.
        assert!(!h.contains("&amp\u{202F};") && !h.contains("&quot\u{202F};"));
    }

    #[test]
    fn the_english_dossier_spells_dates_the_english_way() {
        let h = render(&sample(Lang::En));
        assert!(h.contains("28 November 2026"));
        assert!(h.contains(
            "Generated by claimwatch on <time datetime=\"2026-11-30T09:15:00Z\">30 November 2026, 09:15:00 UTC</time>"
        ));
        assert!(h.contains("claims the label SecNumCloud: “qualifié &quot;SecNumCloud&quot;"));
        assert!(!h.contains("novembre") && !h.contains('«'));
    }

    #[test]
    fn an_empty_registry_is_said_in_words() {
        let h = render(&sample(Lang::En));
        assert!(h.contains("The registry lists no entry of this vendor for the scheme secnumcloud."));
        assert!(h.contains("no provider in the registry matches this vendor"));
        let fr = render(&sample(Lang::Fr));
        assert!(
            fr.contains("Le registre ne mentionne aucune entrée de ce fournisseur pour le référentiel secnumcloud.")
        );

        let mut d = sample(Lang::Fr);
        d.registry.provider = Some("NUVEXA SAS".into());
        d.registry.entries = vec![Entry {
            offer: "Nuvexa Souverain <IaaS>".into(),
            status: Status::InProgress,
            since: Some("2026-03-01".parse().unwrap()),
            until: None,
            decision: None,
            activities: vec![],
            line: 42,
        }];
        d.registry.milestone = Some("en cours de qualification depuis le 1er mars 2026".into());
        let h = render(&d);
        assert!(!h.contains("aucune entrée"));
        assert!(h.contains("<td>Nuvexa Souverain &lt;IaaS&gt;</td><td>en cours de qualification</td>"));
        assert!(h.contains("<td>42</td>"));
        assert!(h.contains("en cours de qualification depuis le 1er mars 2026"));

        let mut d = sample(Lang::En);
        d.registry.covered = false;
        let h = render(&d);
        assert!(h.contains("No registry file covers the scheme secnumcloud"));
    }

    #[test]
    fn pictures_say_what_they_are_and_what_stands_in() {
        let h = render(&sample(Lang::En));
        assert!(h.contains("replaying the archived response in a headless browser"));
        assert!(
            h.contains("alt=\"Picture of the page https://nuvexa.example/offres/souverain?a=1&amp;b=2 as archived")
        );
        assert!(h.contains("No picture of this page: a PDF &lt;document&gt;. The archived text stands in"));
        assert!(h.contains("2 more pages carry the claim too"));
    }

    #[test]
    fn the_integrity_section_gives_the_commands_that_check_each_record() {
        let h = render(&sample(Lang::En));
        assert!(h.contains("claimwatch evidence verify --config &#39;/etc/claim watch/claimwatch.toml&#39;"));
        assert!(h.contains("claimwatch evidence show f00dcafe --config"));
        assert!(h.contains("warcio extract --payload /var/lib/claimwatch/evidence/claimwatch-run1.warc.gz 1234"));
        assert!(h.contains("warcio extract --headers /var/lib/claimwatch/evidence/claimwatch-run2.warc.gz 98765"));
        assert!(h.contains("headhash42") && h.contains("1095ha5h"));
        assert!(h.contains("<td>98765</td>") && h.contains("<td>9</td>"));
        assert!(h.contains("Content record"));
        assert!(h.contains("printed by <code>claimwatch dossier</code> on standard error"));
        let once = "warcio extract --payload /var/lib/claimwatch/evidence/claimwatch-run1.warc.gz 1234";
        assert_eq!(h.matches(once).count(), 1);
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote("/plain/path.toml"), "/plain/path.toml");
    }

    #[test]
    fn the_footer_numbers_pages_and_names_the_finding() {
        for (lang, words) in [(Lang::Fr, "sur"), (Lang::En, "/")] {
            let f = footer(lang, "f00d<cafe>");
            assert!(
                f.contains("<span class=\"pageNumber\"></span>") && f.contains("<span class=\"totalPages\"></span>")
            );
            assert!(f.contains("font-size:8pt"));
            assert!(f.contains("f00d&lt;cafe&gt;"));
            assert!(f.contains(&format!("</span> {words} <span")));
        }
    }

    #[test]
    fn the_legal_basis_is_rendered_with_titles_and_items() {
        let d = sample(Lang::En);
        let h = render(&d);
        for p in legal::basis(Lang::En, "secnumcloud", "secnumcloud", ClaimKind::Assertion) {
            assert!(h.contains(&format!("<h3>{}</h3>", esc(&p.title))));
            for item in &p.items {
                assert!(h.contains(&format!("<li>{}</li>", esc(item))));
            }
        }
    }
}
