//! One finding as an HTML page of the daemon's dashboard: its verdict, and each page where it was seen with the quote in context as the archived copy says it (self-contained, everything escaped).

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use super::dossier::FindingView;
use super::html::{LifeWords, STYLE, finding_life, highlight, lang_query, moment, when};
use super::sightings::{Reading, SightingView};
use crate::alert::render::esc;
use crate::config::Lang;
use crate::judge::Level;
use crate::store::FindingState;

struct T {
    finding: &'static str,
    back: &'static str,
    snapshot: &'static str,
    vendor: &'static str,
    state: &'static str,
    open: &'static str,
    resolved: &'static str,
    reason: &'static str,
    first_seen: &'static str,
    last_seen: &'static str,
    acknowledged: &'static str,
    pages: &'static str,
    seen: &'static str,
    archived: &'static str,
    bytes: &'static str,
    record: &'static str,
    body: &'static str,
    rendered: &'static str,
    revisit: &'static str,
    not_archived: &'static str,
    archive_unreadable: &'static str,
    pdf_unreadable: &'static str,
    gone: &'static str,
    not_reread: &'static str,
    recorded: &'static str,
    said_in: &'static str,
}

const FR: T = T {
    finding: "Constat",
    back: "Retour au rapport",
    snapshot: "Données lues dans la base le",
    vendor: "Fournisseur",
    state: "État",
    open: "ouvert",
    resolved: "résolu",
    reason: "Motif",
    first_seen: "vu pour la première fois le",
    last_seen: "dernière fois le",
    acknowledged: "Examiné par",
    pages: "Pages",
    seen: "Vu du",
    archived: "Copie archivée le",
    bytes: "octets",
    record: "enregistrement",
    body: "corps",
    rendered: "rendue par Chromium : l'enregistrement est le DOM construit, conversion de la réponse",
    revisit: "non modifiée à ce passage : l'enregistrement revisit renvoie au contenu",
    not_archived: "Pas de copie archivée (vue avant que les preuves ne soient conservées).",
    archive_unreadable: "La copie archivée ne peut pas être lue",
    pdf_unreadable: "Le PDF archivé ne peut pas être relu",
    gone: "La copie archivée ne montre plus ce constat avec les motifs actuels.",
    not_reread: "Copie archivée non relue ici (seules les pages vues le plus récemment le sont ; \
                 « claimwatch evidence show » les relit toutes).",
    recorded: "Relevé au dernier passage",
    said_in: "dans",
};

const EN: T = T {
    finding: "Finding",
    back: "Back to the report",
    snapshot: "Data read from the store on",
    vendor: "Vendor",
    state: "State",
    open: "open",
    resolved: "resolved",
    reason: "Reason",
    first_seen: "first seen on",
    last_seen: "last seen on",
    acknowledged: "Reviewed by",
    pages: "Pages",
    seen: "Seen from",
    archived: "Archived copy of",
    bytes: "bytes",
    record: "record",
    body: "body",
    rendered: "rendered by Chromium: the record is the DOM it built, a conversion of the response",
    revisit: "not modified on this fetch: the revisit record points at the content",
    not_archived: "No archived copy (seen before evidence was kept).",
    archive_unreadable: "The archived copy cannot be read",
    pdf_unreadable: "The archived PDF cannot be read again",
    gone: "The archived copy no longer shows this claim with the current patterns.",
    not_reread: "Archived copy not read again here (only the most recently seen pages are; \
                 `claimwatch evidence show` reads them all).",
    recorded: "As recorded at the last sighting",
    said_in: "in",
};

/// What a finding page shows.
pub struct FindingPage<'a> {
    pub finding: &'a FindingView,
    pub vendor_name: &'a str,
    pub pages: &'a [SightingView],
    pub lang: Lang,
    /// When the data was read from the store.
    pub snapshot_at: DateTime<Utc>,
}

/// Renders the page.
pub fn render(p: &FindingPage<'_>) -> String {
    let (t, lang, f) = (if p.lang == Lang::Fr { &FR } else { &EN }, p.lang, p.finding);
    let mut h = String::new();
    let title = format!("{} {} — claimwatch", t.finding, f.id);
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>",
        if lang == Lang::Fr { "fr" } else { "en" },
        esc(&title)
    );
    let _ = write!(h, "<p><a href=\"../{}\">← {}</a></p>", lang_query(lang), esc(t.back));
    let class = if f.level == Level::Violation { "violation" } else { "warning" };
    let _ = write!(
        h,
        "<div class=\"finding {class}\" id=\"finding-{}\"><h1><span class=\"level\">{}</span> {} · {} · <code>{}</code></h1>",
        esc(&f.id),
        esc(&f.level.as_str().to_uppercase()),
        esc(&f.label),
        esc(f.kind.as_str()),
        esc(&f.id)
    );
    let _ = write!(h, "<p class=\"muted\" id=\"snapshot\">{} {}</p>", esc(t.snapshot), moment(lang, p.snapshot_at));
    let state = if f.state == FindingState::Open { t.open } else { t.resolved };
    let _ = write!(
        h,
        "<p>{}&nbsp;: {} (<code>{}</code>) · {}&nbsp;: {}</p>",
        esc(t.vendor),
        esc(p.vendor_name),
        esc(&f.vendor),
        esc(t.state),
        esc(state)
    );
    let words =
        LifeWords { reason: t.reason, first_seen: t.first_seen, last_seen: t.last_seen, acknowledged: t.acknowledged };
    finding_life(&mut h, f, lang, &words);
    h.push_str("</div>");
    let _ = write!(h, "<h2>{} ({})</h2>", esc(t.pages), p.pages.len());
    for s in p.pages {
        sighting(&mut h, s, t, lang);
    }
    h.push_str("</body></html>\n");
    h
}

fn sighting(h: &mut String, s: &SightingView, t: &T, lang: Lang) {
    h.push_str("<div class=\"sighting\">");
    if s.url.starts_with("http://") || s.url.starts_with("https://") {
        let _ = write!(h, "<h3><a href=\"{}\" rel=\"noopener noreferrer\">{}</a></h3>", esc(&s.url), esc(&s.url));
    } else {
        let _ = write!(h, "<h3>{}</h3>", esc(&s.url));
    }
    let _ = write!(
        h,
        "<p class=\"muted\">{} {} {} {}</p>",
        esc(t.seen),
        esc(&when(lang, s.first_seen)),
        if lang == Lang::Fr { "au" } else { "to" },
        esc(&when(lang, s.last_seen))
    );
    if let Some(e) = &s.evidence {
        let c = e.content();
        let _ = write!(
            h,
            "<p class=\"muted\">{} {}&nbsp;: <code>{}</code>, offset {} ({} {}), {} <code>{}</code>, {} sha256 <code>{}</code></p>",
            esc(t.archived),
            moment(lang, e.fetched_at),
            esc(&c.file),
            c.offset,
            c.length,
            esc(t.bytes),
            esc(t.record),
            esc(&c.record_id),
            esc(t.body),
            esc(&e.body_sha256)
        );
        if let Some(source) = &e.rendered_from {
            let _ = write!(
                h,
                "<p class=\"muted\">({} <code>{}</code>, offset {}, <code>{}</code>)</p>",
                esc(t.rendered),
                esc(&source.record_id),
                source.offset,
                esc(&source.file)
            );
        }
        if e.refers_to.is_some() {
            let _ = write!(
                h,
                "<p class=\"muted\">({} <code>{}</code>, <code>{}</code>)</p>",
                esc(t.revisit),
                esc(&e.record.record_id),
                esc(&e.record.file)
            );
        }
    }
    let note = match &s.reading {
        Some(Reading::Read(said)) if !said.is_empty() => {
            for c in said {
                let _ = write!(
                    h,
                    "<blockquote class=\"said\">{}</blockquote><p class=\"muted\">{} {} ({})</p>",
                    highlight(&c.context, &c.matched),
                    esc(t.said_in),
                    esc(c.location.as_str()),
                    esc(&c.detail)
                );
            }
            None
        }
        Some(Reading::Read(_)) => Some(t.gone.to_string()),
        Some(Reading::NotArchived) => Some(t.not_archived.to_string()),
        Some(Reading::ArchiveUnreadable(why)) => Some(format!("{}: {why}", t.archive_unreadable)),
        Some(Reading::PdfUnreadable(why)) => Some(format!("{}: {why}", t.pdf_unreadable)),
        None => Some(t.not_reread.to_string()),
    };
    if let Some(note) = note {
        let _ = write!(
            h,
            "<p class=\"muted\">{}</p><p>{}&nbsp;:</p><blockquote class=\"recorded\">{}</blockquote>",
            esc(&note),
            esc(t.recorded),
            highlight(&s.recorded_context, &s.recorded_matched)
        );
    }
    h.push_str("</div>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patterns::ClaimKind;
    use crate::report::sightings::Said;
    use std::collections::BTreeMap;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn finding() -> FindingView {
        FindingView {
            id: "0a1b2c3d4e5f".into(),
            vendor: "v<1>".into(),
            state: FindingState::Open,
            level: Level::Violation,
            label: "secnumcloud".into(),
            kind: ClaimKind::Assertion,
            reason: "not in the registry <b>".into(),
            matched: "SecNumCloud".into(),
            context: "x".into(),
            first_seen: at("2026-11-27T08:00:00Z"),
            last_seen: at("2026-11-28T08:00:00Z"),
            resolved_at: None,
            resolution: None,
            pages: vec![],
            places: BTreeMap::new(),
            ack: None,
        }
    }

    fn sighting(url: &str, reading: Option<Reading>) -> SightingView {
        SightingView {
            url: url.into(),
            first_seen: at("2026-11-27T08:00:00Z"),
            last_seen: at("2026-11-28T08:00:00Z"),
            recorded_matched: "SecNumCloud".into(),
            recorded_context: "Offre <script>alert(1)</script> qualifiée SecNumCloud.".into(),
            evidence: None,
            reading,
            body: None,
        }
    }

    #[test]
    fn the_quote_is_highlighted_and_every_text_escaped() {
        let said = Said {
            matched: "SecNumCloud".into(),
            context: "Offre \"qualifiée\" <i>SecNumCloud</i> & plus".into(),
            location: crate::extract::Location::Text,
            detail: "<p>".into(),
        };
        let pages = [
            sighting("https://v.example/a?x=\"><script>", Some(Reading::Read(vec![said]))),
            sighting("javascript:alert(1)", None),
        ];
        let f = finding();
        let html = render(&FindingPage {
            finding: &f,
            vendor_name: "Vendeur & <Fils>",
            pages: &pages,
            lang: Lang::En,
            snapshot_at: at("2026-11-28T10:00:01Z"),
        });
        assert!(
            html.contains("Offre &quot;qualifiée&quot; &lt;i&gt;<mark>SecNumCloud</mark>&lt;/i&gt; &amp; plus"),
            "{html}"
        );
        assert!(html.contains("Vendeur &amp; &lt;Fils&gt;") && html.contains("<code>v&lt;1&gt;</code>"));
        assert!(html.contains("not in the registry &lt;b&gt;"));
        assert!(html.contains("<time datetime=\"2026-11-28T10:00:01Z\">28 November 2026, 10:00:01 UTC</time>"));
        assert!(html.contains("href=\"https://v.example/a?x=&quot;&gt;&lt;script&gt;\""));
        assert!(!html.contains("href=\"javascript:"), "only http(s) URLs are links");
        assert!(!html.contains("<script") && !html.contains("<i>") && !html.contains("<p><p>"));
        assert!(html.contains("<a href=\"../?lang=en\">"), "back to the report, in the same language");
        assert!(html.contains("not read again here"), "the page beyond the limit says so");
    }
}
