//! Digest emails: one per recipient, French or English, plain text and HTML, assembled from the recipient's pending outbox entries.
//!
//! Pure. Everything that came from a web page (quotes, contexts, URLs) is escaped in HTML and
//! never reaches a header: the subject is built from counts and configured vendor names only,
//! with control characters removed. Findings that new reading rules alone changed have their
//! own section, one line each, so a rules update does not read as news from the sites.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate, Utc};
use sha2::{Digest as _, Sha256};

use crate::config::Lang;
use crate::i18n::{NBSP, date_en, date_fr, french_spacing, guillemets};
use crate::judge::Level;
use crate::patterns::ClaimKind;
use crate::store::{Change, Finding, OutboxEntry};

/// Pages listed per finding before "and N more".
const PAGES_SHOWN: usize = 10;

/// What a digest needs besides the entries.
pub struct DigestContext<'a> {
    /// Vendor ids → names, from the config.
    pub vendor_names: &'a HashMap<String, String>,
    pub from: &'a str,
    pub today: NaiveDate,
    pub max_registry_age_days: u32,
    /// Head hash of the evidence log, when there is one (so a later rewrite is noticed).
    pub evidence_head: Option<&'a str>,
}

/// A rendered digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Stable for one batch of entries: a resend after a crash carries the same Message-ID.
    pub message_id: String,
    pub entry_ids: Vec<String>,
    /// Files sent with it (finding dossiers, for recipients who asked for them).
    pub attachments: Vec<Attachment>,
}

/// A file attached to a digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    /// A MIME type (`application/pdf`).
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl Digest {
    /// Adds a paragraph at the end of both bodies (after the text, before the HTML's `</body>`).
    pub fn append(&mut self, paragraph: &str) {
        self.text.push_str(&format!("\n{paragraph}\n"));
        let html = format!("<p>{}</p>\n", esc(paragraph));
        match self.html.rfind("</body>") {
            Some(at) => self.html.insert_str(at, &html),
            None => self.html.push_str(&html),
        }
    }
}

struct Words {
    greeting: &'static str,
    new_one: &'static str,
    new_many: &'static str,
    resolved_one: &'static str,
    resolved_many: &'static str,
    resolutions: &'static str,
    reread_one: &'static str,
    reread_many: &'static str,
    reread_title: &'static str,
    reread_explain: &'static str,
    none_version: &'static str,
    was: &'static str,
    now: &'static str,
    no_longer: &'static str,
    acceptable: &'static str,
    page: &'static str,
    reason: &'static str,
    quote: &'static str,
    context: &'static str,
    first_seen: &'static str,
    pages: &'static str,
    more: &'static str,
    id: &'static str,
    reopened: &'static str,
    registry: &'static str,
    stale: &'static str,
    evidence: &'static str,
    footer: &'static str,
    canary_alerts: &'static str,
    canary_title: &'static str,
    canary_explain: &'static str,
    canary_missed: &'static str,
    canary_back: &'static str,
}

const FR: Words = Words {
    greeting: "Bonjour,",
    new_one: "nouveau constat",
    new_many: "nouveaux constats",
    resolved_one: "constat résolu",
    resolved_many: "constats résolus",
    resolutions: "Constats résolus",
    reread_one: "constat relu",
    reread_many: "constats relus",
    reread_title: "Constats relus selon de nouvelles règles de lecture",
    reread_explain: "Les règles de détection ont changé (version de lecture {from} → {to}) : ces constats ont été relus sur des pages dont le contenu n'a pas changé. Ce qui suit tient aux nouvelles règles, non à une modification des sites.",
    none_version: "aucune",
    was: "était",
    now: "désormais",
    no_longer: "n'est plus lu comme une allégation",
    acceptable: "acceptable",
    page: "Page",
    reason: "Motif",
    quote: "Texte relevé",
    context: "Contexte",
    first_seen: "Vu pour la première fois le",
    pages: "Pages",
    more: "et {n} autres",
    id: "Constat n°",
    reopened: "de nouveau constaté",
    registry: "Registre consulté",
    stale: "Attention : ce registre date de plus de {days} jours ; mettez-le à jour avant d'agir sur ces constats.",
    evidence: "Empreinte du journal des preuves",
    footer: "Message envoyé par claimwatch. Pour marquer un constat comme examiné : claimwatch findings ack <n°> --reason \"…\"",
    canary_alerts: "alerte de témoin",
    canary_title: "Témoins de fonctionnement",
    canary_explain: "Chaque passage vérifie qu'il aurait pu voir une allégation. Un passage qui manque un témoin est dégradé : ses résultats ne prouvent pas l'absence d'allégation. Ce message n'est envoyé qu'au changement, pas à chaque passage.",
    canary_missed: "MANQUÉ",
    canary_back: "DE NOUVEAU VU",
};

const EN: Words = Words {
    greeting: "Hello,",
    new_one: "new finding",
    new_many: "new findings",
    resolved_one: "finding resolved",
    resolved_many: "findings resolved",
    resolutions: "Resolved findings",
    reread_one: "finding read again",
    reread_many: "findings read again",
    reread_title: "Findings read again under new reading rules",
    reread_explain: "The detection rules changed (reading version {from} → {to}): these findings were read again on pages whose content did not change. What follows comes from the new rules, not from a change on the sites.",
    none_version: "none",
    was: "was",
    now: "now",
    no_longer: "no longer read as a claim",
    acceptable: "acceptable",
    page: "Page",
    reason: "Reason",
    quote: "Quoted text",
    context: "Context",
    first_seen: "First seen on",
    pages: "Pages",
    more: "and {n} more",
    id: "Finding",
    reopened: "seen again",
    registry: "Registry consulted",
    stale: "Warning: this registry is more than {days} days old; update it before acting on these findings.",
    evidence: "Evidence log head",
    footer: "Sent by claimwatch. To mark a finding as reviewed: claimwatch findings ack <id> --reason \"…\"",
    canary_alerts: "canary alert",
    canary_title: "Canaries",
    canary_explain: "Every run checks that it could have seen a claim. A run that misses a canary is degraded: its results do not prove that there was no claim. This message is sent when that changes, not on every run.",
    canary_missed: "MISSED",
    canary_back: "SEEN AGAIN",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Fr => &FR,
        Lang::En => &EN,
    }
}

fn date(lang: Lang, d: NaiveDate) -> String {
    match lang {
        Lang::Fr => date_fr(d),
        Lang::En => date_en(d),
    }
}

pub(crate) fn kind_name(lang: Lang, k: ClaimKind) -> &'static str {
    match (lang, k) {
        (Lang::Fr, ClaimKind::Assertion) => "affirmation",
        (Lang::Fr, ClaimKind::InProgress) => "qualification annoncée en cours",
        (Lang::Fr, ClaimKind::Adjacent) => "formulation qui emprunte le label",
        (Lang::Fr, ClaimKind::Mention) => "mention",
        (Lang::Fr, ClaimKind::Negation) => "négation",
        (Lang::En, ClaimKind::Assertion) => "assertion",
        (Lang::En, ClaimKind::InProgress) => "claimed in progress",
        (Lang::En, ClaimKind::Adjacent) => "wording that borrows the label",
        (Lang::En, ClaimKind::Mention) => "mention",
        (Lang::En, ClaimKind::Negation) => "negation",
    }
}

pub(crate) fn level_name(lang: Lang, l: Level) -> &'static str {
    match (lang, l) {
        (Lang::Fr, Level::Violation) => "MANQUEMENT",
        (Lang::Fr, Level::Warning) => "AVERTISSEMENT",
        (Lang::Fr, _) => "INFORMATION",
        (Lang::En, Level::Violation) => "VIOLATION",
        (Lang::En, Level::Warning) => "WARNING",
        (Lang::En, _) => "INFORMATION",
    }
}

fn reason(lang: Lang, f: &Finding) -> &str {
    match lang {
        Lang::Fr if !f.reason_fr.is_empty() => &f.reason_fr,
        _ => &f.reason,
    }
}

pub(crate) fn quoted(lang: Lang, s: &str) -> String {
    match lang {
        Lang::Fr => guillemets(s),
        Lang::En => format!("“{s}”"),
    }
}

/// French spacing on our own words only: quotes from pages are left as the page wrote them.
fn ours(lang: Lang, s: &str) -> String {
    match lang {
        Lang::Fr => french_spacing(s),
        Lang::En => s.to_string(),
    }
}

/// "Label :" in French (no-break space), "Label:" in English.
fn colon(lang: Lang, label: &str) -> String {
    match lang {
        Lang::Fr => format!("{label}{NBSP}:"),
        Lang::En => format!("{label}:"),
    }
}

/// Header-safe: no control characters (a CR or LF could start a new header).
fn header_safe(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// HTML-escaped.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Renders the digest of `entries` (all for one recipient).
pub fn digest(to: &str, lang: Lang, entries: &[OutboxEntry], ctx: &DigestContext<'_>) -> Digest {
    let w = words(lang);
    let news: Vec<&OutboxEntry> =
        entries.iter().filter(|e| matches!(e.change, Change::Opened | Change::Reopened)).collect();
    let resolved: Vec<&OutboxEntry> = entries.iter().filter(|e| matches!(e.change, Change::Resolved { .. })).collect();
    let reread: Vec<&OutboxEntry> = entries.iter().filter(|e| matches!(e.change, Change::Reread { .. })).collect();
    let canaries: Vec<&OutboxEntry> = entries.iter().filter(|e| matches!(e.change, Change::Canary { .. })).collect();
    let vendor_name = |id: &str| ctx.vendor_names.get(id).cloned().unwrap_or_else(|| id.to_string());
    let mut vendors: Vec<String> = entries
        .iter()
        .filter(|e| !matches!(e.change, Change::Canary { .. }))
        .map(|e| vendor_name(&e.finding.vendor))
        .collect();
    vendors.sort();
    vendors.dedup();

    let mut counts = Vec::new();
    if !canaries.is_empty() {
        counts.push(format!("{} {}", canaries.len(), w.canary_alerts));
    }
    if !news.is_empty() {
        counts.push(format!("{} {}", news.len(), if news.len() == 1 { w.new_one } else { w.new_many }));
    }
    if !resolved.is_empty() {
        counts.push(format!(
            "{} {}",
            resolved.len(),
            if resolved.len() == 1 { w.resolved_one } else { w.resolved_many }
        ));
    }
    if !reread.is_empty() {
        counts.push(format!("{} {}", reread.len(), if reread.len() == 1 { w.reread_one } else { w.reread_many }));
    }
    let subject = header_safe(&format!("[claimwatch] {} — {}", counts.join(", "), vendors.join(", ")));

    let registry_as_of = entries.iter().map(|e| e.registry_as_of).max().unwrap_or(ctx.today);
    let stale = (ctx.today - registry_as_of).num_days() > i64::from(ctx.max_registry_age_days);
    let registry_line = format!("{} {}", colon(lang, w.registry), date(lang, registry_as_of));
    let stale_line = w.stale.replace("{days}", &ctx.max_registry_age_days.to_string());

    let mut text = String::new();
    let mut html = String::from(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body style=\"font-family:sans-serif;max-width:50em\">",
    );
    let _ = writeln!(text, "{}\n\n{}\n", w.greeting, ours(lang, &format!("claimwatch: {}.", counts.join(", "))));
    let _ = write!(
        html,
        "<p>{}</p><p>{}</p>",
        esc(w.greeting),
        esc(&ours(lang, &format!("claimwatch: {}.", counts.join(", "))))
    );
    if stale {
        let _ = writeln!(text, "{}\n", ours(lang, &stale_line));
        let _ = write!(html, "<p style=\"color:#a40\"><strong>{}</strong></p>", esc(&ours(lang, &stale_line)));
    }

    if !canaries.is_empty() {
        let _ = writeln!(text, "--- {} ---\n{}\n", w.canary_title, ours(lang, w.canary_explain));
        let _ = write!(html, "<h2>{}</h2><p>{}</p><ul>", esc(w.canary_title), esc(&ours(lang, w.canary_explain)));
        for e in &canaries {
            let Change::Canary { failing, detail } = &e.change else { continue };
            let state = if *failing { w.canary_missed } else { w.canary_back };
            let _ = writeln!(text, "* [{state}] {}\n  {detail}\n", e.finding.label);
            let _ =
                write!(html, "<li><strong>[{}]</strong> {} — {}</li>", esc(state), esc(&e.finding.label), esc(detail));
        }
        html.push_str("</ul>");
    }
    let mut by_vendor: BTreeMap<String, Vec<&OutboxEntry>> = BTreeMap::new();
    for e in &news {
        by_vendor.entry(vendor_name(&e.finding.vendor)).or_default().push(e);
    }
    for (vendor, list) in &by_vendor {
        let _ = writeln!(text, "=== {vendor} ===\n");
        let _ = write!(html, "<h2>{}</h2>", esc(vendor));
        for e in list {
            finding_block(lang, e, &mut text, &mut html);
        }
    }
    if !reread.is_empty() {
        reread_section(lang, &reread, &vendor_name, &mut text, &mut html);
    }
    if !resolved.is_empty() {
        let _ = writeln!(text, "--- {} ---\n", w.resolutions);
        let _ = write!(html, "<h2>{}</h2><ul>", esc(w.resolutions));
        for e in &resolved {
            let f = &e.finding;
            let why = match &e.change {
                Change::Resolved { why, why_fr } if lang == Lang::Fr && !why_fr.is_empty() => why_fr.as_str(),
                Change::Resolved { why, .. } => why.as_str(),
                _ => "",
            };
            let head = format!(
                "{} — {}, {} ({})",
                quoted(lang, &example(f)),
                vendor_name(&f.vendor),
                f.label,
                kind_name(lang, f.kind)
            );
            let _ = writeln!(text, "* {head}\n  {} {why}\n  {} {}\n", colon(lang, w.reason), w.id, f.id);
            let _ = write!(
                html,
                "<li>{} — <em>{}</em> <small>({} {})</small></li>",
                esc(&head),
                esc(why),
                esc(w.id),
                esc(&f.id)
            );
        }
        html.push_str("</ul>");
    }
    let _ = writeln!(text, "{}", ours(lang, &registry_line));
    let _ = write!(html, "<hr><p><small>{}", esc(&ours(lang, &registry_line)));
    if let Some(head) = ctx.evidence_head {
        let line = format!("{} {head}", colon(lang, w.evidence));
        let _ = writeln!(text, "{}", ours(lang, &line));
        let _ = write!(html, "<br>{}", esc(&ours(lang, &line)));
    }
    let _ = writeln!(text, "\n-- \n{}", ours(lang, w.footer));
    let _ = write!(html, "<br>{}</small></p></body></html>", esc(&ours(lang, w.footer)));

    let mut ids: Vec<String> = entries.iter().map(|e| e.id.clone()).collect();
    ids.sort();
    let batch = Sha256::digest(format!("{to}\n{}", ids.join("\n")).as_bytes());
    let domain = ctx.from.rsplit_once('@').map_or("claimwatch.invalid", |(_, d)| d.trim_end_matches('>'));
    let message_id = format!("<{}.claimwatch@{domain}>", hex::encode(&batch[..12]));
    Digest { to: to.to_string(), subject, text, html, message_id, entry_ids: ids, attachments: Vec::new() }
}

/// The findings new reading rules alone changed: one explanation per pair of versions, then one
/// line per finding saying how it was read and how it is read now.
fn reread_section(
    lang: Lang,
    entries: &[&OutboxEntry],
    vendor_name: &dyn Fn(&str) -> String,
    text: &mut String,
    html: &mut String,
) {
    let w = words(lang);
    let mut by_versions: BTreeMap<(Option<&str>, &str), Vec<&OutboxEntry>> = BTreeMap::new();
    for e in entries {
        if let Change::Reread { from, to, .. } = &e.change {
            by_versions.entry((from.as_deref(), to.as_str())).or_default().push(e);
        }
    }
    let _ = writeln!(text, "--- {} ---\n", w.reread_title);
    let _ = write!(html, "<h2>{}</h2>", esc(w.reread_title));
    for ((from, to), list) in by_versions {
        let explain =
            ours(lang, &w.reread_explain.replace("{from}", from.unwrap_or(w.none_version)).replace("{to}", to));
        let _ = writeln!(text, "{explain}\n");
        let _ = write!(html, "<p>{}</p><ul>", esc(&explain));
        for e in list {
            let (f, now) = match &e.change {
                Change::Reread { now, .. } => (&e.finding, now.as_ref()),
                _ => continue,
            };
            let level = |l: Level| if l.needs_attention() { level_name(lang, l) } else { w.acceptable };
            let was = format!("{} {} ({})", w.was, kind_name(lang, f.kind), level(f.level));
            let now_text = match now {
                Some(n) => format!("{} {} ({})", w.now, kind_name(lang, n.kind), level(n.level)),
                None => w.no_longer.to_string(),
            };
            let head = format!(
                "{} — {}, {} {was}, {now_text}",
                quoted(lang, &example(f)),
                vendor_name(&f.vendor),
                colon(lang, &f.label)
            );
            let ids = match now.and_then(|n| n.finding.as_deref()) {
                Some(new) => format!("{} {} → {new}", w.id, f.id),
                None => format!("{} {}", w.id, f.id),
            };
            let page = f.pages.keys().next().map(|url| {
                let more = f.pages.len() - 1;
                let more =
                    if more > 0 { format!(" ({})", w.more.replace("{n}", &more.to_string())) } else { String::new() };
                (url, more)
            });
            let _ = writeln!(text, "* {head}");
            if let Some((url, more)) = &page {
                let _ = writeln!(text, "  {} {url}{more}", colon(lang, w.page));
            }
            let _ = writeln!(text, "  {ids}\n");
            let _ = write!(html, "<li>{}", esc(&head));
            if let Some((url, more)) = &page {
                let _ = write!(html, "<br>{} {}{}", esc(&colon(lang, w.page)), link(url), esc(more));
            }
            let _ = write!(html, "<br><small>{}</small></li>", esc(&ids));
        }
        html.push_str("</ul>");
    }
}

/// A page's URL as a link when it is one a mail reader may open, escaped either way.
fn link(url: &str) -> String {
    if url.starts_with("http://") || url.starts_with("https://") {
        format!("<a href=\"{}\">{}</a>", esc(url), esc(url))
    } else {
        esc(url)
    }
}

/// One quote that shows the finding (the text of its most recent sighting).
fn example(f: &Finding) -> String {
    f.pages.values().max_by_key(|s| s.last_seen).map_or_else(|| f.quote.clone(), |s| s.matched.replace('\n', " "))
}

fn finding_block(lang: Lang, e: &OutboxEntry, text: &mut String, html: &mut String) {
    let w = words(lang);
    let f = &e.finding;
    let again = if e.change == Change::Reopened { format!(" ({})", w.reopened) } else { String::new() };
    let title = format!("[{}] {}, {}{again}", level_name(lang, f.level), f.label, kind_name(lang, f.kind));
    let latest = f.pages.values().max_by_key(|s| s.last_seen);
    let first_seen: DateTime<Utc> = f.first_seen;
    let _ = writeln!(text, "{title}");
    let _ = writeln!(text, "  {} {}", colon(lang, w.quote), quoted(lang, &example(f)));
    let _ = writeln!(text, "  {} {}", colon(lang, w.reason), reason(lang, f));
    if let Some(s) = latest {
        let _ = writeln!(text, "  {} {}", colon(lang, w.context), quoted(lang, &s.context));
    }
    let _ = writeln!(text, "  {} {}", w.first_seen, date(lang, first_seen.date_naive()));
    let _ = writeln!(text, "  {}", colon(lang, &format!("{} ({})", w.pages, f.pages.len())));
    for url in f.pages.keys().take(PAGES_SHOWN) {
        let _ = writeln!(text, "    - {url}");
    }
    if f.pages.len() > PAGES_SHOWN {
        let _ = writeln!(text, "    {}", w.more.replace("{n}", &(f.pages.len() - PAGES_SHOWN).to_string()));
    }
    let _ = writeln!(text, "  {} {}\n", w.id, f.id);

    let color = if f.level == Level::Violation { "#b00" } else { "#a60" };
    let _ = write!(
        html,
        "<div style=\"margin:1em 0;padding:.5em 1em;border-left:4px solid {color}\"><p><strong style=\"color:{color}\">{}</strong> {}, {}{}</p><p>{} <strong>{}</strong></p>",
        esc(level_name(lang, f.level)),
        esc(&f.label),
        esc(kind_name(lang, f.kind)),
        esc(&again),
        esc(&colon(lang, w.quote)),
        esc(&quoted(lang, &example(f)))
    );
    let _ = write!(html, "<p>{} {}</p>", esc(&colon(lang, w.reason)), esc(reason(lang, f)));
    if let Some(s) = latest {
        let _ =
            write!(html, "<blockquote style=\"color:#333\">{}</blockquote>", highlight_html(&s.context, &s.matched));
    }
    let _ = write!(
        html,
        "<p>{} {}</p><p>{} ({}) :</p><ul>",
        esc(w.first_seen),
        esc(&date(lang, first_seen.date_naive())),
        esc(w.pages),
        f.pages.len()
    );
    for url in f.pages.keys().take(PAGES_SHOWN) {
        let _ = write!(html, "<li>{}</li>", link(url));
    }
    if f.pages.len() > PAGES_SHOWN {
        let _ = write!(html, "<li>{}</li>", esc(&w.more.replace("{n}", &(f.pages.len() - PAGES_SHOWN).to_string())));
    }
    let _ = write!(html, "</ul><p><small>{} {}</small></p></div>", esc(w.id), esc(&f.id));
}

/// The context with the quoted text marked, both escaped.
fn highlight_html(context: &str, matched: &str) -> String {
    let matched = matched.replace('\n', " ");
    match context.find(&matched) {
        Some(i) if !matched.is_empty() => {
            format!("{}<mark>{}</mark>{}", esc(&context[..i]), esc(&matched), esc(&context[i + matched.len()..]))
        }
        _ => esc(context),
    }
}

#[cfg(test)]
mod tests;
